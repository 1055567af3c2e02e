// SPDX-License-Identifier: GPL-2.0
/*
 * zwtask: read one process's /proc/PID/stat, status and cgroup.
 *
 * A process can go away between any two reads: callers get -ENOENT or
 * -ESRCH then and decide whether that matters.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zw.h"
#include "zwtask.h"

/* fields of /proc/PID/stat, counted from 1 as proc(5) does */
#define ZWTASK_F_STATE		3
#define ZWTASK_F_PPID		4
#define ZWTASK_F_THREADS	20
#define ZWTASK_F_START		22

/* Parse the decimal number at *@s and move past it; stop at a blank. */
static int zwtask_number(const char **s, uint64_t *val)
{
	const char *p = *s;
	uint64_t v = 0;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (*p - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (*p - '0');
	}
	if (*p && *p != ' ' && *p != '\n')
		return -EINVAL;
	*s = p;
	*val = v;
	return 0;
}

int zwtask_parse_stat(const char *buf, struct zwtask_stat *st)
{
	const char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	const char *p;
	uint64_t v;
	size_t len;
	int field;

	memset(st, 0, sizeof(*st));
	p = buf;
	if (!open || !close || close < open || zwtask_number(&p, &v) ||
	    v > INT32_MAX || p + 1 != open)
		return -EINVAL;
	st->pid = (pid_t)v;
	len = close - open - 1;
	if (len >= sizeof(st->comm))
		len = sizeof(st->comm) - 1;
	memcpy(st->comm, open + 1, len);
	st->comm[len] = '\0';

	p = close + 1;
	for (field = ZWTASK_F_STATE; field <= ZWTASK_F_START; field++) {
		if (*p != ' ')
			return -EINVAL;
		p++;
		if (field == ZWTASK_F_STATE) {
			if (!*p || *p == ' ' || *p == '\n')
				return -EINVAL;
			st->state = *p++;
			continue;
		}
		/* fields 4 to 22 are numbers; some may be negative */
		if (*p == '-')
			p++;
		if (zwtask_number(&p, &v))
			return -EINVAL;
		if (field == ZWTASK_F_PPID)
			st->ppid = v > INT32_MAX ? 0 : (pid_t)v;
		else if (field == ZWTASK_F_THREADS)
			st->threads = v;
		else if (field == ZWTASK_F_START)
			st->start = v;
	}
	return 0;
}

static int zwtask_hex(const char *s, uint64_t *val)
{
	char *end;

	errno = 0;
	*val = strtoull(s, &end, 16);
	if (errno || end == s)
		return -EINVAL;
	return 0;
}

/* The value of "Key:\t..." lines: the text after the tab, up to newline. */
static const char *zwtask_value(const char *line, const char *key)
{
	size_t n = strlen(key);

	if (strncmp(line, key, n) || line[n] != ':')
		return NULL;
	line += n + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

static void zwtask_nspid(const char *v, struct zwtask_status *st)
{
	uint64_t pid;
	char *end;

	while (*v && *v != '\n') {
		errno = 0;
		pid = strtoull(v, &end, 10);
		if (errno || end == v)
			return;
		st->nspid_last = (pid_t)pid;
		st->nspid_levels++;
		v = end;
		while (*v == ' ' || *v == '\t')
			v++;
	}
}

/* One line of status, "Key:\tvalue": take what zwatch uses. */
static void zwtask_status_line(const char *line, struct zwtask_status *st,
			       unsigned int *sigs)
{
	struct {
		const char *key;
		uint64_t *mask;
	} masks[] = {
		{ "SigPnd", &st->sig_pnd },
		{ "ShdPnd", &st->shd_pnd },
		{ "SigBlk", &st->sig_blk },
		{ "SigIgn", &st->sig_ign },
		{ "SigCgt", &st->sig_cgt },
	};
	const char *v;
	uint64_t n;
	size_t i, len;

	v = zwtask_value(line, "State");
	if (v) {
		len = strcspn(v, "\n");
		if (len >= sizeof(st->state))
			len = sizeof(st->state) - 1;
		memcpy(st->state, v, len);
		st->state[len] = '\0';
		return;
	}
	v = zwtask_value(line, "TracerPid");
	if (v) {
		n = strtoull(v, NULL, 10);
		st->tracer_pid = n > INT32_MAX ? 0 : (pid_t)n;
		return;
	}
	v = zwtask_value(line, "NSpid");
	if (v) {
		zwtask_nspid(v, st);
		return;
	}
	v = zwtask_value(line, "Threads");
	if (v) {
		st->threads = strtoull(v, NULL, 10);
		return;
	}
	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		v = zwtask_value(line, masks[i].key);
		if (v) {
			*sigs += !zwtask_hex(v, masks[i].mask);
			return;
		}
	}
}

int zwtask_parse_status(const char *buf, struct zwtask_status *st)
{
	const char *line = buf;
	unsigned int sigs = 0;

	memset(st, 0, sizeof(*st));
	while (line && *line) {
		zwtask_status_line(line, st, &sigs);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	/* SigPnd, ShdPnd, SigBlk, SigIgn and SigCgt were all there */
	st->has_sig = sigs == 5;
	return st->state[0] ? 0 : -EINVAL;
}

int zwtask_read_stat(int dirfd, struct zwtask_stat *st)
{
	char *buf;
	int ret;

	ret = zw_read_at(dirfd, "stat", &buf, NULL);
	if (ret)
		return ret;
	ret = zwtask_parse_stat(buf, st);
	free(buf);
	return ret;
}

int zwtask_read_status(int dirfd, struct zwtask_status *st)
{
	char *buf;
	int ret;

	ret = zw_read_at(dirfd, "status", &buf, NULL);
	if (ret)
		return ret;
	ret = zwtask_parse_status(buf, st);
	free(buf);
	return ret;
}

int zwtask_read_cgroup(int dirfd, char **path)
{
	char *buf, *line, *nl;
	int ret;

	*path = NULL;
	ret = zw_read_at(dirfd, "cgroup", &buf, NULL);
	if (ret)
		return ret;
	for (line = buf; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (!strncmp(line, "0::", 3)) {
			*path = strdup(line + 3);
			ret = *path ? 0 : -ENOMEM;
			break;
		}
	}
	free(buf);
	return ret;
}

int zwtask_initial_pidns(int dirfd, bool *initial)
{
	char link[64];
	ssize_t n;

	n = readlinkat(dirfd, "ns/pid", link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	*initial = !strcmp(link, ZWTASK_INIT_PIDNS);
	return 0;
}

int zwtask_open(const char *proc_root, pid_t pid)
{
	char *path = zw_path(proc_root, "%d", (int)pid);
	int fd, e;

	if (!path)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	e = errno;
	free(path);
	return fd < 0 ? -e : fd;
}
