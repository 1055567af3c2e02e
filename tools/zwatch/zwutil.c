// SPDX-License-Identifier: GPL-2.0
/*
 * zwutil: messages, option parsing shared by every command, numbers, paths
 * and small files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/zwatch.h>

#include "zw.h"
#include "zwproc.h"

#define ZW_SMALL_FILE	4096

static const char *zw_plugin_prefix;
static bool zw_plugin_said;

void zw_err_plugin(const char *prefix)
{
	zw_plugin_prefix = prefix;
}

void zw_err(const char *fmt, ...)
{
	va_list ap;

	if (zw_plugin_prefix) {
		/* a monitoring plugin prints one line, on stdout */
		if (zw_plugin_said)
			return;
		zw_plugin_said = true;
		printf("%s", zw_plugin_prefix);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar('\n');
		return;
	}
	fputs(ZW_PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void zw_note(const char *fmt, ...)
{
	va_list ap;

	fputs(ZW_PROG ": note: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int zw_usage_error(const struct zw_cmd *cmd)
{
	bool named = cmd && *cmd->name;

	if (!zw_plugin_prefix)
		fprintf(stderr, "Try '%s %s%s--help' for more information.\n",
			ZW_PROG, named ? cmd->name : "", named ? " " : "");
	return cmd ? cmd->usage_exit : ZW_EXIT_USAGE;
}

int zw_sys_error(const char *what, const char *path, int e)
{
	const char *zombies = ZWATCH_PROC_NAME;
	size_t plen = strlen(path), zlen = strlen(zombies);

	if ((e == ENOENT || e == ENOTDIR) && plen >= zlen &&
	    !strcmp(path + plen - zlen, zombies)) {
		zw_err("%s not found: is the %s module loaded? (modprobe %s, or --source=proc)",
		       path, ZWATCH_MODULE_NAME, ZWATCH_MODULE_NAME);
		return ZW_EXIT_NO_MODULE;
	}
	if (e == EACCES || e == EPERM) {
		zw_err("cannot %s %s: %s (run as root?)", what, path,
		       strerror(e));
		return ZW_EXIT_PERM;
	}
	zw_err("cannot %s %s: %s", what, path, strerror(e));
	return ZW_EXIT_FAILURE;
}

const char zw_common_help[] =
	"Common options:\n"
	"      --source=SRC     module (read PROC/zombies), proc (scan\n"
	"                       PROC/PID/stat, no module needed) or auto:\n"
	"                       the module when loaded, else proc (default)\n"
	"      --proc-root DIR  the proc file system to read (default /proc)\n"
	"      --sys-root DIR   the sysfs to read (default /sys)\n"
	"  -h, --help           show this help and exit\n";

static const struct option zw_common_long[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "proc-root", required_argument, NULL, ZW_OPT_PROC_ROOT },
	{ "sys-root", required_argument, NULL, ZW_OPT_SYS_ROOT },
	{ "source", required_argument, NULL, ZW_OPT_SOURCE },
};

#define ZW_NR_COMMON	(sizeof(zw_common_long) / sizeof(zw_common_long[0]))

static int zw_common_opt(int c, const char *arg, const struct zw_cmd *cmd,
			 struct zw_opts *opts)
{
	switch (c) {
	case ZW_OPT_PROC_ROOT:
	case ZW_OPT_SYS_ROOT:
		if (!*arg) {
			zw_err("--%s needs a directory",
			       c == ZW_OPT_PROC_ROOT ? "proc-root" : "sys-root");
			return zw_usage_error(cmd);
		}
		if (c == ZW_OPT_PROC_ROOT)
			opts->proc_root = arg;
		else
			opts->sys_root = arg;
		return -1;
	case ZW_OPT_SOURCE:
		if (!strcmp(arg, "auto")) {
			opts->source = ZW_SOURCE_AUTO;
		} else if (!strcmp(arg, "module")) {
			opts->source = ZW_SOURCE_MODULE;
		} else if (!strcmp(arg, "proc")) {
			opts->source = ZW_SOURCE_PROC;
		} else {
			zw_err("--source must be auto, module or proc, not '%s'",
			       arg);
			return zw_usage_error(cmd);
		}
		return -1;
	}
	return -2;
}

static struct option *zw_merge_opts(const struct option *longopts)
{
	size_t n = 0, i;
	struct option *all;

	while (longopts && longopts[n].name)
		n++;
	all = calloc(n + ZW_NR_COMMON + 1, sizeof(*all));
	if (!all)
		return NULL;
	for (i = 0; i < n; i++)
		all[i] = longopts[i];
	for (i = 0; i < ZW_NR_COMMON; i++)
		all[n + i] = zw_common_long[i];
	return all;
}

static int zw_bad_opt(int c, char **argv, const struct zw_cmd *cmd)
{
	if (c == ':')
		zw_err("option '%s' needs an argument", argv[optind - 1]);
	else if (optopt)
		zw_err("unknown option '-%c'", optopt);
	else
		zw_err("unknown option '%s'", argv[optind - 1]);
	return zw_usage_error(cmd);
}

int zw_getopt(int argc, char **argv, const struct zw_cmd *cmd,
	      const char *shortopts, const struct option *longopts,
	      int (*handle)(int c, const char *arg, void *ctx), void *ctx,
	      struct zw_opts *opts)
{
	struct option *all = zw_merge_opts(longopts);
	char *shorts = NULL;
	int c, ret = -1;
	bool stop;

	/* a leading "+" (stop at the first argument) must stay first */
	if (!shortopts)
		shortopts = "";
	stop = *shortopts == '+';
	if (!all || asprintf(&shorts, "%s:h%s", stop ? "+" : "",
			     shortopts + stop) < 0) {
		free(all);
		zw_err("out of memory");
		return ZW_EXIT_FAILURE;
	}
	opterr = 0;
	optind = 0;	/* glibc: start afresh, with this option string */
	while (ret < 0 && (c = getopt_long(argc, argv, shorts, all, NULL)) != -1) {
		if (c == 'h') {
			cmd->help();
			ret = ZW_EXIT_OK;
			break;
		}
		if (c == ':' || c == '?') {
			ret = zw_bad_opt(c, argv, cmd);
			break;
		}
		ret = zw_common_opt(c, optarg, cmd, opts);
		if (ret == -2)
			ret = handle ? handle(c, optarg, ctx) : -1;
	}
	free(all);
	free(shorts);
	return ret;
}

int zw_parse_u64(const char *s, uint64_t max, uint64_t *val)
{
	return zwproc_parse_u64(s, strlen(s), max, val);
}

int zw_arg_u64(const char *what, const char *s, uint64_t max, uint64_t *val)
{
	int ret = zw_parse_u64(s, max, val);

	if (ret == -EINVAL)
		zw_err("%s: '%s' is not a number", what, s);
	else if (ret)
		zw_err("%s: %s is out of range (0..%llu)", what, s,
		       (unsigned long long)max);
	return ret;
}

int zw_arg_pid(const char *s, pid_t *pid)
{
	uint64_t v;

	if (zw_parse_u64(s, INT32_MAX, &v) || !v) {
		zw_err("'%s' is not a process id", s);
		return -EINVAL;
	}
	*pid = (pid_t)v;
	return 0;
}

char *zw_path(const char *root, const char *fmt, ...)
{
	char *rel, *path;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&rel, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	if (asprintf(&path, "%s/%s", root, rel) < 0)
		path = NULL;
	free(rel);
	return path;
}

char *zw_sysfs_dir(const struct zw_opts *opts)
{
	/* ZWATCH_SYSFS_DIR is "/sys/...": keep what follows "/sys/" */
	const char *rel = strchr(ZWATCH_SYSFS_DIR + 1, '/') + 1;

	return zw_path(opts->sys_root, "%s", rel);
}

int zw_read_at(int dirfd, const char *name, char **buf, size_t *len)
{
	size_t cap = ZW_SMALL_FILE, n = 0;
	char *b, *nb;
	ssize_t r;
	int fd, e;

	*buf = NULL;
	if (len)
		*len = 0;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno ? -errno : -EIO;
	b = malloc(cap);
	if (!b) {
		e = ENOMEM;
		goto fail;
	}
	for (;;) {
		if (n + 1 >= cap) {
			nb = realloc(b, cap * 2);
			if (!nb) {
				e = ENOMEM;
				goto fail;
			}
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			goto fail;
		}
		if (!r)
			break;
		n += r;
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	if (len)
		*len = n;
	return 0;
fail:
	free(b);
	close(fd);
	return e ? -e : -EIO;
}

int zw_read_u64_at(int dirfd, const char *name, uint64_t *val)
{
	size_t len = 0;
	char *buf = NULL;
	int ret;

	ret = zw_read_at(dirfd, name, &buf, &len);
	if (ret || !buf)
		return ret ? ret : -EIO;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	ret = zw_parse_u64(buf, UINT64_MAX, val);
	free(buf);
	return ret;
}

size_t zw_utf8_seq(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned int cp;
	size_t n, i;

	if (!u[0])
		return 0;
	if (u[0] < 0x80)
		return 1;
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		n = 2;
		cp = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		n = 3;
		cp = u[0] & 0x0f;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		n = 4;
		cp = u[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (u[i] & 0x3f);
	}
	/* overlong forms, surrogates and beyond U+10FFFF are not UTF-8 */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

uint64_t zw_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}
