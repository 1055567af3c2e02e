// SPDX-License-Identifier: GPL-2.0
/*
 * zwatch: show who is leaking zombies, from the zwatch module's /proc/zombies.
 *
 *	zwatch [--proc-root DIR] [list]
 *
 * This file holds the command line and the exit status; zwproc.c parses
 * /proc/zombies and zwfmt.c prints it.
 *
 * Exit status:
 *	0	success
 *	1	usage error: unknown option or command, missing argument
 *	2	/proc/zombies not found: the zwatch module is not loaded
 *	3	permission denied opening or reading /proc/zombies
 *	4	malformed input: /proc/zombies is not something this zwatch reads
 *		(not a zwatch file, another format version, a bad or cut row,
 *		rows missing); the message gives the parser's reason
 *	5	any other failure: read or write error, out of memory
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/zwatch.h>

#include "zwfmt.h"
#include "zwproc.h"

#ifndef ZWATCH_VERSION
#define ZWATCH_VERSION	"unknown"
#endif

#define ZW_PROG		"zwatch"

enum zw_exit {
	ZW_EXIT_OK		= 0,
	ZW_EXIT_USAGE		= 1,
	ZW_EXIT_NO_MODULE	= 2,
	ZW_EXIT_PERM		= 3,
	ZW_EXIT_MALFORMED	= 4,
	ZW_EXIT_FAILURE		= 5,
};

struct zw_opts {
	const char *proc_root;	/* NULL: ZWATCH_PROC_PATH itself */
};

struct zw_cmd {
	const char *name;
	int (*run)(const struct zw_opts *opts);
};

static void __attribute__((format(printf, 1, 2))) zw_err(const char *fmt, ...)
{
	va_list ap;

	fputs(ZW_PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int zw_usage_error(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", ZW_PROG);
	return ZW_EXIT_USAGE;
}

static void zw_help(void)
{
	printf("Usage: %s [OPTION]... [COMMAND]\n"
	       "Show which processes leave zombies behind, as the %s kernel module\n"
	       "reports them in %s.\n"
	       "\n"
	       "Commands:\n"
	       "  list             one line per parent with zombies (the default):\n"
	       "                   AGE is the time since its oldest zombie exited;\n"
	       "                   in CGROUP and COMM, blanks, backslash and bytes\n"
	       "                   that are not printable ASCII are shown as \\ooo\n"
	       "\n"
	       "Options:\n"
	       "      --proc-root DIR  read DIR/%s instead of %s\n"
	       "  -h, --help           show this help and exit\n"
	       "  -V, --version        show the version and exit\n"
	       "\n"
	       "Exit status:\n"
	       "  %d  success\n"
	       "  %d  usage error\n"
	       "  %d  %s not found: the %s module is not loaded\n"
	       "  %d  permission denied\n"
	       "  %d  malformed input (not a %s file, another format version,\n"
	       "     a bad or truncated row)\n"
	       "  %d  any other failure (read or write error, out of memory)\n",
	       ZW_PROG, ZWATCH_MODULE_NAME, ZWATCH_PROC_PATH,
	       ZWATCH_PROC_NAME, ZWATCH_PROC_PATH,
	       ZW_EXIT_OK, ZW_EXIT_USAGE,
	       ZW_EXIT_NO_MODULE, ZWATCH_PROC_PATH, ZWATCH_MODULE_NAME,
	       ZW_EXIT_PERM, ZW_EXIT_MALFORMED, ZWATCH_MODULE_NAME,
	       ZW_EXIT_FAILURE);
}

static void zw_version(void)
{
	printf("%s %s (reads %s format version %d)\n", ZW_PROG, ZWATCH_VERSION,
	       ZWATCH_PROC_PATH, ZWATCH_FORMAT_VERSION);
}

/* Report that @what on @path failed with @e and return the exit status. */
static int zw_sys_error(const char *what, const char *path, int e)
{
	if (e == ENOENT || e == ENOTDIR) {
		zw_err("%s not found: is the %s module loaded? (modprobe %s)",
		       path, ZWATCH_MODULE_NAME, ZWATCH_MODULE_NAME);
		return ZW_EXIT_NO_MODULE;
	}
	zw_err("cannot %s %s: %s", what, path, strerror(e));
	if (e == EACCES || e == EPERM)
		return ZW_EXIT_PERM;
	return ZW_EXIT_FAILURE;
}

static int zw_parse_error(const char *path, const struct zwproc_error *err)
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
		zw_err("cannot read %s: %s", path, err->msg);
		return ZW_EXIT_MALFORMED;
	default:
		zw_err("%s: malformed input: %s", path, err->msg);
		return ZW_EXIT_MALFORMED;
	}
}

/* The file to read: ZWATCH_PROC_PATH, or ZWATCH_PROC_NAME under --proc-root. */
static char *zw_proc_path(const struct zw_opts *opts)
{
	char *path;

	if (!opts->proc_root)
		return strdup(ZWATCH_PROC_PATH);
	if (asprintf(&path, "%s/%s", opts->proc_root, ZWATCH_PROC_NAME) < 0)
		return NULL;
	return path;
}

/* Read and parse the zombies file into @zp. */
static int zw_read(const char *path, struct zwproc *zp)
{
	struct zwproc_error err;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return zw_sys_error("open", path, errno);
	zwproc_parse_file(f, zp, &err);
	fclose(f);
	return zw_parse_error(path, &err);
}

static int zw_list(const struct zw_opts *opts)
{
	struct zwproc zp;
	char *path;
	int ret;

	path = zw_proc_path(opts);
	if (!path) {
		zw_err("cannot build the path of %s: %s", ZWATCH_PROC_NAME,
		       strerror(errno));
		return ZW_EXIT_FAILURE;
	}
	ret = zw_read(path, &zp);
	free(path);
	if (ret != ZW_EXIT_OK)
		return ret;
	zwfmt_list(stdout, &zp);
	zwproc_free(&zp);
	return ZW_EXIT_OK;
}

/* The first command is the default. */
static const struct zw_cmd zw_cmds[] = {
	{ "list", zw_list },
};

static const struct zw_cmd *zw_find_cmd(const char *name)
{
	size_t i;

	if (!name)
		return &zw_cmds[0];
	for (i = 0; i < sizeof(zw_cmds) / sizeof(zw_cmds[0]); i++)
		if (!strcmp(name, zw_cmds[i].name))
			return &zw_cmds[i];
	return NULL;
}

enum zw_opt_id {
	ZW_OPT_PROC_ROOT = 256,
};

static const struct option zw_long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "proc-root", required_argument, NULL, ZW_OPT_PROC_ROOT },
	{ NULL, 0, NULL, 0 },
};

/*
 * Parse the options into @opts.  Return -1 to go on, or the exit status when
 * the run ends here (--help, --version, usage error).
 */
static int zw_parse_opts(int argc, char **argv, struct zw_opts *opts)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hV", zw_long_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			zw_help();
			return ZW_EXIT_OK;
		case 'V':
			zw_version();
			return ZW_EXIT_OK;
		case ZW_OPT_PROC_ROOT:
			if (!*optarg) {
				zw_err("--proc-root needs a directory");
				return zw_usage_error();
			}
			opts->proc_root = optarg;
			break;
		case ':':
			zw_err("option '%s' needs an argument", argv[optind - 1]);
			return zw_usage_error();
		default:
			if (optopt)
				zw_err("unknown option '-%c'", optopt);
			else
				zw_err("unknown option '%s'", argv[optind - 1]);
			return zw_usage_error();
		}
	}
	return -1;
}

/* Flush stdout: output that did not get out is a failure, not a success. */
static int zw_flush(int ret)
{
	if (fflush(stdout) || ferror(stdout)) {
		zw_err("cannot write output: %s", strerror(errno));
		return ret == ZW_EXIT_OK ? ZW_EXIT_FAILURE : ret;
	}
	return ret;
}

int main(int argc, char **argv)
{
	struct zw_opts opts = { 0 };
	const struct zw_cmd *cmd;
	const char *name;
	int ret;

	ret = zw_parse_opts(argc, argv, &opts);
	if (ret >= 0)
		return zw_flush(ret);

	name = optind < argc ? argv[optind++] : NULL;
	if (optind < argc) {
		zw_err("unexpected argument '%s'", argv[optind]);
		return zw_usage_error();
	}
	cmd = zw_find_cmd(name);
	if (!cmd) {
		zw_err("unknown command '%s'", name);
		return zw_usage_error();
	}
	return zw_flush(cmd->run(&opts));
}
