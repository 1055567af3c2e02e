// SPDX-License-Identifier: GPL-2.0
/*
 * zwatch list: the parents with zombies, as a table, JSON or Prometheus
 * metrics.
 */
#include <stdio.h>
#include <string.h>

#include <linux/zwatch.h>

#include "zw.h"
#include "zwfmt.h"
#include "zwjson.h"
#include "zwprom.h"
#include "zwsnap.h"

enum list_format {
	LIST_TEXT,
	LIST_JSON,
	LIST_PROMETHEUS,
};

enum list_opt_id {
	LIST_OPT_JSON = ZW_OPT_CMD_BASE,
	LIST_OPT_PROMETHEUS,
};

struct list_args {
	enum list_format format;
	struct zwfilter filter;
};

static const struct option list_long[] = {
	{ "json", no_argument, NULL, LIST_OPT_JSON },
	{ "prometheus", no_argument, NULL, LIST_OPT_PROMETHEUS },
	{ "comm", required_argument, NULL, ZW_OPT_COMM },
	{ "cgroup", required_argument, NULL, ZW_OPT_CGROUP },
	{ "age", required_argument, NULL, ZW_OPT_AGE },
	{ NULL, 0, NULL, 0 },
};

static void list_help(void)
{
	printf("Usage: %s list [--json | --prometheus] [--comm NAME] [--cgroup PREFIX]\n"
	       "                   [--age SECS] [COMMON OPTION]...\n"
	       "The parents with zombies, most zombies first (the default command).\n"
	       "\n"
	       "The totals come first: zombies, parents, defunct leaders (exited\n"
	       "leaders whose threads still run: not reapable, not listed), the\n"
	       "source, and the share of kernel.pid_max and kernel.threads-max the\n"
	       "zombies hold.  Then one line per parent: PPID, ZOMBIES, AGE (since\n"
	       "its oldest zombie exited; \"-\" when the source is proc), START (its\n"
	       "start time in clock ticks, field 22 of /proc/PID/stat), CGROUP and\n"
	       "COMM.  In CGROUP and COMM, blanks, backslash and bytes that are\n"
	       "not printable ASCII are shown as \\ooo.\n"
	       "\n"
	       "      --json           one JSON document (see zwatch(8))\n"
	       "      --prometheus     metrics for node_exporter's textfile collector\n"
	       "      --comm NAME      only parents whose comm is NAME\n"
	       "      --cgroup PREFIX  only parents in cgroup PREFIX or below it\n"
	       "      --age SECS       only parents whose oldest zombie is SECS old\n"
	       "%s",
	       ZW_PROG, zw_common_help);
}

static int list_opt(int c, const char *arg, void *ctx)
{
	struct list_args *a = ctx;
	int ret;

	switch (c) {
	case LIST_OPT_JSON:
		a->format = LIST_JSON;
		return -1;
	case LIST_OPT_PROMETHEUS:
		a->format = LIST_PROMETHEUS;
		return -1;
	}
	ret = zwfilter_opt(&a->filter, c, arg);
	return ret ? zw_usage_error(&zw_cmd_list) : -1;
}

static int list_run(int argc, char **argv, struct zw_opts *opts)
{
	struct list_args a = { 0 };
	struct zwsnap s;
	int ret;

	ret = zw_getopt(argc, argv, &zw_cmd_list, "", list_long, list_opt, &a,
			opts);
	if (ret >= 0)
		return ret;
	if (optind < argc) {
		zw_err("list: unexpected argument '%s'", argv[optind]);
		return zw_usage_error(&zw_cmd_list);
	}
	ret = zwsnap_take(opts, &s, false);
	if (ret)
		return ret;
	if (a.filter.has_age && !s.ages) {
		zw_err("--age needs zombie ages, which only the %s module knows (source is %s)",
		       ZWATCH_MODULE_NAME, zwsnap_source_name(s.source));
		zwsnap_free(&s);
		return ZW_EXIT_USAGE;
	}
	if (a.format == LIST_JSON)
		zwjson_list(stdout, &s, &a.filter);
	else if (a.format == LIST_PROMETHEUS)
		zwprom_list(stdout, &s, &a.filter);
	else
		zwfmt_list(stdout, &s, &a.filter);
	zwsnap_free(&s);
	return ZW_EXIT_OK;
}

const struct zw_cmd zw_cmd_list = {
	.name = "list",
	.summary = "the parents with zombies (the default)",
	.help = list_help,
	.run = list_run,
	.usage_exit = ZW_EXIT_USAGE,
};
