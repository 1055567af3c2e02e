// SPDX-License-Identifier: GPL-2.0
/*
 * zwatch check: a monitoring plugin in the Nagios/Icinga convention, as
 * check_procs: one status line with performance data, and the exit status
 * 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
 *
 * A threshold N is the plugin range "N": the value is fine from 0 to N and
 * alerts above N (so -c 0 pages at the first zombie).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linux/zwatch.h>

#include "zw.h"
#include "zwfmt.h"
#include "zwsnap.h"

#define CHECK_PREFIX	"ZOMBIES"

enum check_status {
	CHECK_OK	= 0,
	CHECK_WARNING	= 1,
	CHECK_CRITICAL	= 2,
	CHECK_UNKNOWN	= 3,
};

static const char *const check_names[] = {
	"OK", "WARNING", "CRITICAL", "UNKNOWN",
};

enum check_opt_id {
	CHECK_OPT_PARENT_W = ZW_OPT_CMD_BASE,
	CHECK_OPT_PARENT_C,
};

/* One threshold: set or not. */
struct check_limit {
	bool set;
	uint64_t max;		/* alert above this */
};

struct check_args {
	struct check_limit w, c, parent_w, parent_c;
	struct zwfilter filter;
};

static const struct option check_long[] = {
	{ "warning", required_argument, NULL, 'w' },
	{ "critical", required_argument, NULL, 'c' },
	{ "parent-w", required_argument, NULL, CHECK_OPT_PARENT_W },
	{ "parent-c", required_argument, NULL, CHECK_OPT_PARENT_C },
	{ "comm", required_argument, NULL, ZW_OPT_COMM },
	{ "cgroup", required_argument, NULL, ZW_OPT_CGROUP },
	{ "age", required_argument, NULL, ZW_OPT_AGE },
	{ NULL, 0, NULL, 0 },
};

static void check_help(void)
{
	printf("Usage: %s check [-w N] [-c N] [--parent-w N] [--parent-c N]\n"
	       "                    [--age SECS] [--comm NAME] [--cgroup PREFIX]\n"
	       "A monitoring plugin (Nagios, Icinga, Sensu...): one status line with\n"
	       "performance data.  A threshold N alerts when the value is above N,\n"
	       "so -c 0 goes CRITICAL at the first zombie.\n"
	       "\n"
	       "  -w, --warning N   WARNING above N zombies in all\n"
	       "  -c, --critical N  CRITICAL above N zombies in all\n"
	       "      --parent-w N  WARNING when one parent has more than N\n"
	       "      --parent-c N  CRITICAL when one parent has more than N\n"
	       "      --age SECS    count only the zombies of parents whose oldest\n"
	       "                    zombie is at least SECS old (needs the module:\n"
	       "                    it keeps one age per parent)\n"
	       "      --comm NAME   count only the zombies of parents named NAME\n"
	       "      --cgroup PREFIX  ... of parents in cgroup PREFIX or below\n"
	       "%s"
	       "\n"
	       "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (any error,\n"
	       "usage errors included, with the reason on the status line).\n",
	       ZW_PROG, zw_common_help);
}

static int check_limit_arg(struct check_limit *l, const char *what,
			   const char *arg)
{
	if (zw_arg_u64(what, arg, UINT32_MAX, &l->max))
		return zw_usage_error(&zw_cmd_check);
	l->set = true;
	return -1;
}

static int check_opt(int c, const char *arg, void *ctx)
{
	struct check_args *a = ctx;

	switch (c) {
	case 'w':
		return check_limit_arg(&a->w, "-w", arg);
	case 'c':
		return check_limit_arg(&a->c, "-c", arg);
	case CHECK_OPT_PARENT_W:
		return check_limit_arg(&a->parent_w, "--parent-w", arg);
	case CHECK_OPT_PARENT_C:
		return check_limit_arg(&a->parent_c, "--parent-c", arg);
	}
	return zwfilter_opt(&a->filter, c, arg) ?
		zw_usage_error(&zw_cmd_check) : -1;
}

static bool check_over(const struct check_limit *l, uint64_t v)
{
	return l->set && v > l->max;
}

static enum check_status check_judge(const struct check_args *a,
				     const struct zwmatch *m)
{
	if (check_over(&a->c, m->zombies) ||
	    check_over(&a->parent_c, m->max_parent))
		return CHECK_CRITICAL;
	if (check_over(&a->w, m->zombies) ||
	    check_over(&a->parent_w, m->max_parent))
		return CHECK_WARNING;
	return CHECK_OK;
}

/* A name on the status line: escaped, and no "|" that starts perfdata. */
static void check_name(const char *s)
{
	char one[2] = { 0 };

	for (; *s; s++) {
		if (*s == '|') {
			fputs("\\174", stdout);
			continue;
		}
		one[0] = *s;
		zwfmt_put_escaped(stdout, one);
	}
}

static void check_perf_limit(const struct check_limit *l)
{
	if (l->set)
		printf("%" PRIu64, l->max);
	putchar(';');
}

/* 'label'=value;warn;crit;min; */
static void check_perf(const char *label, uint64_t v, const char *uom,
		       const struct check_limit *w, const struct check_limit *c)
{
	printf(" %s=%" PRIu64 "%s;", label, v, uom);
	check_perf_limit(w);
	check_perf_limit(c);
	printf("0;");
}

static void check_report(const struct check_args *a, const struct zwsnap *s,
			 const struct zwmatch *m, enum check_status st)
{
	static const struct check_limit none;
	char age[ZWFMT_AGE_LEN];

	printf("%s %s: %" PRIu64 " zombies under %" PRIu32 " parents",
	       CHECK_PREFIX, check_names[st], m->zombies, m->parents);
	if (a->filter.has_age)
		printf(" with zombies older than %" PRIu64 "s", a->filter.age);
	if (a->filter.comm) {
		printf(" named ");
		check_name(a->filter.comm);
	}
	if (a->filter.cgroup) {
		printf(" in ");
		check_name(a->filter.cgroup);
	}
	if (m->worst) {
		printf("; most: ppid %d (", (int)m->worst->ppid);
		check_name(m->worst->comm);
		printf(") with %" PRIu32, m->worst->zombies);
		if (s->ages)
			printf(", oldest %s", zwfmt_age(m->oldest_s, age));
	}
	printf(" (source %s) |", zwsnap_source_name(s->source));
	check_perf("zombies", m->zombies, "", &a->w, &a->c);
	check_perf("parents", m->parents, "", &none, &none);
	check_perf("parent_max", m->max_parent, "", &a->parent_w, &a->parent_c);
	if (s->ages)
		check_perf("oldest", m->oldest_s, "s", &none, &none);
	check_perf("defunct_leaders", s->t.defunct_leaders, "", &none, &none);
	putchar('\n');
}

static int check_run(int argc, char **argv, struct zw_opts *opts)
{
	struct check_args a = { 0 };
	enum check_status st;
	struct zwmatch m;
	struct zwsnap s;
	int ret;

	zw_err_plugin(CHECK_PREFIX " UNKNOWN: ");
	ret = zw_getopt(argc, argv, &zw_cmd_check, "w:c:", check_long,
			check_opt, &a, opts);
	if (ret >= 0)
		return ret == ZW_EXIT_OK ? ret : CHECK_UNKNOWN;
	if (optind < argc) {
		zw_err("unexpected argument '%s'", argv[optind]);
		return CHECK_UNKNOWN;
	}
	if (zwsnap_take(opts, &s, true))
		return CHECK_UNKNOWN;
	if (a.filter.has_age && !s.ages) {
		zw_err("--age needs zombie ages, which only the %s module knows (source is %s)",
		       ZWATCH_MODULE_NAME, zwsnap_source_name(s.source));
		zwsnap_free(&s);
		return CHECK_UNKNOWN;
	}
	zwfilter_sum(&a.filter, &s.t, &m);
	if (!zwfilter_active(&a.filter)) {
		/* the header counts zombies whose parent has no row, too */
		m.zombies = s.t.zombies;
		m.parents = s.t.parents;
	}
	st = check_judge(&a, &m);
	check_report(&a, &s, &m, st);
	zwsnap_free(&s);
	return st;
}

const struct zw_cmd zw_cmd_check = {
	.name = "check",
	.summary = "a monitoring plugin: OK, WARNING or CRITICAL, with perfdata",
	.help = check_help,
	.run = check_run,
	.usage_exit = CHECK_UNKNOWN,
};
