// SPDX-License-Identifier: GPL-2.0
/*
 * zwatch: who is leaking zombies, how many, since when, why, and what to do.
 *
 *	zwatch [COMMON OPTION]... [COMMAND] [OPTION]... [ARG]...
 *
 * This file holds the command table, the top-level help and the exit
 * status; each command is in its cmd_*.c.  The tables come from the module
 * (zwproc.c parses /proc/zombies) or from a scan of /proc (procscan.c),
 * through zwsnap.c; zwfmt.c, zwjson.c and zwprom.c print them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/zwatch.h>

#include "zw.h"

#ifndef ZWATCH_VERSION
#define ZWATCH_VERSION	"unknown"
#endif

/* The first command is the default. */
static const struct zw_cmd *const zw_cmds[] = {
	&zw_cmd_list, &zw_cmd_watch, &zw_cmd_explain, &zw_cmd_kick,
	&zw_cmd_check, &zw_cmd_events, &zw_cmd_get, &zw_cmd_set,
};

#define ZW_NR_CMDS	(sizeof(zw_cmds) / sizeof(zw_cmds[0]))
#define ZW_CMD_HELP_NAME	"help"

static void zw_help(void)
{
	size_t i;

	printf("Usage: %s [COMMON OPTION]... [COMMAND] [OPTION]... [ARG]...\n"
	       "Show which processes leave zombies behind, why, and kick them.\n"
	       "The %s kernel module reports zombies in %s; without it, zwatch\n"
	       "scans /proc/PID/stat.\n"
	       "\n"
	       "Commands:\n", ZW_PROG, ZWATCH_MODULE_NAME, ZWATCH_PROC_PATH);
	for (i = 0; i < ZW_NR_CMDS; i++)
		printf("  %-9s %s\n", zw_cmds[i]->name, zw_cmds[i]->summary);
	printf("  help CMD  the help of CMD (also: %s CMD --help)\n"
	       "\n"
	       "%s"
	       "  -V, --version        show the version and exit\n"
	       "\n"
	       "Exit status (check has its own: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN):\n"
	       "  %d  success\n"
	       "  %d  usage error: bad option, argument or value\n"
	       "  %d  %s not found: the %s module is not loaded\n"
	       "  %d  permission denied\n"
	       "  %d  malformed input (not a %s file, another format version,\n"
	       "     a bad or truncated row)\n"
	       "  %d  any other failure (read or write error, out of memory)\n"
	       "  %d  kick: zombies are left after the wait\n"
	       "  %d  kick: refused (PID 1, or not the process that was listed)\n"
	       "  %d  explain, kick: no such process\n",
	       ZW_CMD_HELP_NAME, zw_common_help,
	       ZW_EXIT_OK, ZW_EXIT_USAGE,
	       ZW_EXIT_NO_MODULE, ZWATCH_PROC_PATH, ZWATCH_MODULE_NAME,
	       ZW_EXIT_PERM, ZW_EXIT_MALFORMED, ZWATCH_MODULE_NAME,
	       ZW_EXIT_FAILURE, ZW_EXIT_NOT_REAPED, ZW_EXIT_REFUSED,
	       ZW_EXIT_NO_PROCESS);
}

static void zw_version(void)
{
	printf("%s %s (reads %s format version %d)\n", ZW_PROG, ZWATCH_VERSION,
	       ZWATCH_PROC_PATH, ZWATCH_FORMAT_VERSION);
}

static const struct zw_cmd *zw_find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < ZW_NR_CMDS; i++)
		if (!strcmp(name, zw_cmds[i]->name))
			return zw_cmds[i];
	return NULL;
}

/*
 * The index of the command in @argv: the first argument that is not an
 * option or the value of one; 0 when there is none (list, the default).
 * Only the common options and those of list may come before the command.
 */
static int zw_cmd_index(int argc, char **argv)
{
	static const char *const with_value[] = {
		"--proc-root", "--sys-root", "--source", "--comm", "--cgroup",
		"--age",
	};
	size_t j;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return i + 1 < argc ? i + 1 : 0;
		if (argv[i][0] != '-' || !argv[i][1])
			return i;
		for (j = 0; j < sizeof(with_value) / sizeof(with_value[0]); j++) {
			if (!strcmp(argv[i], with_value[j])) {
				i++;
				break;
			}
		}
	}
	return 0;
}

/* --help or --version before the command: 1 when one was handled. */
static bool zw_top_opt(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			zw_help();
			return true;
		}
		if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			zw_version();
			return true;
		}
	}
	return false;
}

static int zw_help_cmd(int argc, char **argv)
{
	const struct zw_cmd *cmd;

	if (argc < 2) {
		zw_help();
		return ZW_EXIT_OK;
	}
	cmd = zw_find_cmd(argv[1]);
	if (!cmd) {
		zw_err("no command '%s'", argv[1]);
		return zw_usage_error(NULL);
	}
	cmd->help();
	return ZW_EXIT_OK;
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

static char *zw_default_proc_root(void)
{
	/* ZWATCH_PROC_PATH without its last component */
	const char *slash = strrchr(ZWATCH_PROC_PATH, '/');

	return strndup(ZWATCH_PROC_PATH, slash - ZWATCH_PROC_PATH);
}

static char *zw_default_sys_root(void)
{
	/* the first component of ZWATCH_SYSFS_DIR */
	const char *slash = strchr(ZWATCH_SYSFS_DIR + 1, '/');

	return strndup(ZWATCH_SYSFS_DIR, slash - ZWATCH_SYSFS_DIR);
}

int main(int argc, char **argv)
{
	char *proc_root = zw_default_proc_root();
	char *sys_root = zw_default_sys_root();
	struct zw_opts opts = {
		.proc_root = proc_root,
		.sys_root = sys_root,
		.source = ZW_SOURCE_AUTO,
	};
	const struct zw_cmd *cmd = &zw_cmd_list;
	int at = zw_cmd_index(argc, argv);
	int ret = ZW_EXIT_OK;

	if (!proc_root || !sys_root) {
		zw_err("out of memory");
		return ZW_EXIT_FAILURE;
	}
	if (zw_top_opt(at ? at : argc, argv))
		goto out;
	if (at && !strcmp(argv[at], ZW_CMD_HELP_NAME)) {
		ret = zw_help_cmd(argc - at, argv + at);
		goto out;
	}
	if (at) {
		cmd = zw_find_cmd(argv[at]);
		if (!cmd) {
			zw_err("unknown command '%s'", argv[at]);
			ret = zw_usage_error(NULL);
			goto out;
		}
		/* the command's name first, then every option, in order */
		memmove(argv + 2, argv + 1, (at - 1) * sizeof(*argv));
		argv[1] = (char *)cmd->name;
		argc--;
		argv++;
	}
	ret = cmd->run(argc, argv, &opts);
out:
	ret = zw_flush(ret);
	free(proc_root);
	free(sys_root);
	return ret;
}
