// SPDX-License-Identifier: GPL-2.0
/*
 * zwsnap: read the zombies table from the module, or compute it from /proc,
 * and filter its rows.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/zwatch.h>

#include "procscan.h"
#include "zwsnap.h"

/* the sysctls, under <proc-root> */
#define ZWSNAP_PID_MAX		"sys/kernel/pid_max"
#define ZWSNAP_THREADS_MAX	"sys/kernel/threads-max"

const char *zwsnap_source_name(enum zw_source source)
{
	switch (source) {
	case ZW_SOURCE_MODULE:
		return "module";
	case ZW_SOURCE_PROC:
		return "proc";
	default:
		return "auto";
	}
}

static int zwsnap_parse_error(const char *path, const struct zwproc_error *err)
{
	switch (err->status) {
	case ZWPROC_OK:
		return ZW_EXIT_OK;
	case ZWPROC_EIO:
		return zw_sys_error("read", path, err->sys_errno);
	case ZWPROC_ENOMEM:
		zw_err("cannot read %s: %s", path, err->msg);
		return ZW_EXIT_FAILURE;
	case ZWPROC_EVERSION:
		zw_err("cannot read %s: %s: update zwatch, or use --source=proc",
		       path, err->msg);
		return ZW_EXIT_MALFORMED;
	default:
		zw_err("%s: malformed input: %s (a bug: please report it; --source=proc works meanwhile)",
		       path, err->msg);
		return ZW_EXIT_MALFORMED;
	}
}

/* Open and parse <proc-root>/zombies; *@missing when it does not exist. */
static int zwsnap_module(const struct zw_opts *opts, struct zwsnap *s,
			 bool *missing)
{
	struct zwproc_error err;
	char *path;
	int ret;
	FILE *f;

	*missing = false;
	path = zw_path(opts->proc_root, "%s", ZWATCH_PROC_NAME);
	if (!path) {
		zw_err("out of memory");
		return ZW_EXIT_FAILURE;
	}
	f = fopen(path, "re");
	if (!f) {
		*missing = errno == ENOENT;
		ret = *missing && opts->source == ZW_SOURCE_AUTO ? ZW_EXIT_OK :
			zw_sys_error("open", path, errno);
		free(path);
		return ret;
	}
	zwproc_parse_file(f, &s->t, &err);
	fclose(f);
	ret = zwsnap_parse_error(path, &err);
	free(path);
	s->source = ZW_SOURCE_MODULE;
	s->ages = true;
	return ret;
}

static int zwsnap_proc(const struct zw_opts *opts, struct zwsnap *s)
{
	struct procscan ps;
	int ret;

	ret = procscan_zombies(opts->proc_root, &ps);
	if (ret)
		return ret;
	ret = procscan_table(opts->proc_root, &ps, &s->t);
	procscan_free(&ps);
	s->source = ZW_SOURCE_PROC;
	s->ages = false;
	return ret;
}

/* What the numbers are measured against; each may be unknown. */
static void zwsnap_context(const struct zw_opts *opts, struct zwsnap *s)
{
	char *dir;
	int fd;

	fd = open(opts->proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		if (zw_read_u64_at(fd, ZWSNAP_PID_MAX, &s->pid_max))
			s->pid_max = 0;
		if (zw_read_u64_at(fd, ZWSNAP_THREADS_MAX, &s->threads_max))
			s->threads_max = 0;
		close(fd);
	}
	if (s->source != ZW_SOURCE_MODULE)
		return;
	dir = zw_sysfs_dir(opts);
	fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	free(dir);
	if (fd < 0)
		return;
	s->has_scan_ns = !zw_read_u64_at(fd, ZWATCH_ATTR_SCAN_NS, &s->scan_ns);
	close(fd);
}

int zwsnap_take(const struct zw_opts *opts, struct zwsnap *s, bool quiet)
{
	uint64_t t0 = zw_now_ns();
	bool missing = false;
	int ret = ZW_EXIT_OK;

	memset(s, 0, sizeof(*s));
	if (access(opts->proc_root, X_OK)) {
		zw_err("cannot read %s: %s (is it a proc file system?)",
		       opts->proc_root, strerror(errno));
		return errno == EACCES ? ZW_EXIT_PERM : ZW_EXIT_FAILURE;
	}
	if (opts->source != ZW_SOURCE_PROC) {
		ret = zwsnap_module(opts, s, &missing);
		if (ret || !missing || opts->source == ZW_SOURCE_MODULE)
			goto out;
		if (!quiet)
			zw_note("%s/%s not found (the %s module is not loaded): scanning %s/PID/stat instead; zombie ages are unknown",
				opts->proc_root, ZWATCH_PROC_NAME,
				ZWATCH_MODULE_NAME, opts->proc_root);
	}
	ret = zwsnap_proc(opts, s);
out:
	if (ret)
		return ret;
	s->read_ns = zw_now_ns() - t0;
	zwsnap_context(opts, s);
	return ZW_EXIT_OK;
}

bool zwsnap_module_quiet(const struct zw_opts *opts, struct zwsnap *s)
{
	struct zwproc_error err;
	char *path;
	FILE *f;

	memset(s, 0, sizeof(*s));
	if (opts->source == ZW_SOURCE_PROC)
		return false;
	path = zw_path(opts->proc_root, "%s", ZWATCH_PROC_NAME);
	f = path ? fopen(path, "re") : NULL;
	free(path);
	if (!f)
		return false;
	zwproc_parse_file(f, &s->t, &err);
	fclose(f);
	s->source = ZW_SOURCE_MODULE;
	s->ages = true;
	return err.status == ZWPROC_OK;
}

void zwsnap_free(struct zwsnap *s)
{
	zwproc_free(&s->t);
}

bool zwfilter_active(const struct zwfilter *f)
{
	return f->comm || f->cgroup || f->has_age;
}

/* @path is @prefix or below it, a whole path component at a time. */
static bool zwfilter_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	while (n > 1 && prefix[n - 1] == '/')
		n--;
	if (strncmp(path, prefix, n))
		return false;
	return !path[n] || path[n] == '/' || prefix[n - 1] == '/';
}

bool zwfilter_match(const struct zwfilter *f, const struct zwproc_row *row)
{
	if (f->comm && strcmp(row->comm, f->comm))
		return false;
	if (f->cgroup && (!strcmp(row->cgroup, ZWATCH_NO_CGROUP) ||
			  !zwfilter_under(row->cgroup, f->cgroup)))
		return false;
	if (f->has_age && row->oldest_s < f->age)
		return false;
	return true;
}

void zwfilter_sum(const struct zwfilter *f, const struct zwproc *t,
		  struct zwmatch *m)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < t->nr_rows; i++) {
		const struct zwproc_row *row = &t->rows[i];

		if (!zwfilter_match(f, row))
			continue;
		m->zombies += row->zombies;
		m->parents++;
		if (!m->worst || row->zombies > m->max_parent) {
			m->max_parent = row->zombies;
			m->worst = row;
		}
		if (row->oldest_s > m->oldest_s)
			m->oldest_s = row->oldest_s;
	}
}

int zwfilter_opt(struct zwfilter *f, int c, const char *arg)
{
	switch (c) {
	case ZW_OPT_COMM:
		f->comm = arg;
		return 0;
	case ZW_OPT_CGROUP:
		if (*arg != '/') {
			zw_err("--cgroup wants a path from the cgroup root, like /system.slice, not '%s'",
			       arg);
			return -EINVAL;
		}
		f->cgroup = arg;
		return 0;
	case ZW_OPT_AGE:
		if (zw_arg_u64("--age", arg, UINT64_MAX, &f->age))
			return -EINVAL;
		f->has_age = true;
		return 0;
	}
	return 1;
}
