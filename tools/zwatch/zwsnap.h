/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zwsnap: one look at the zombies of the system, from the module or from a
 * scan of /proc, with what puts the numbers in context: the size of the
 * PID table and how long the look took.  And the filters the commands
 * apply to its rows.
 */
#ifndef _ZWSNAP_H
#define _ZWSNAP_H

#include <stdbool.h>
#include <stdint.h>

#include "zw.h"
#include "zwproc.h"

struct zwsnap {
	enum zw_source source;	/* ZW_SOURCE_MODULE or ZW_SOURCE_PROC */
	struct zwproc t;	/* the table, as /proc/zombies gives it */
	bool ages;		/* t's OLDEST_S are known (module only) */
	uint64_t pid_max;	/* kernel.pid_max, 0 if unknown */
	uint64_t threads_max;	/* kernel.threads-max, 0 if unknown */
	bool has_scan_ns;
	uint64_t scan_ns;	/* the module's latest periodic scan */
	uint64_t read_ns;	/* how long this look took */
};

/* The name of a source, as the tool prints it. */
const char *zwsnap_source_name(enum zw_source source);

/*
 * Take a snapshot.  With ZW_SOURCE_AUTO, use the module when
 * <proc-root>/zombies exists, else scan, saying so on stderr unless @quiet.
 * Return a ZW_EXIT_* status, with the error reported.
 */
int zwsnap_take(const struct zw_opts *opts, struct zwsnap *s, bool quiet);
void zwsnap_free(struct zwsnap *s);

/*
 * The module's table only, if <proc-root>/zombies is there and reads:
 * true with @s filled (release it with zwsnap_free()), else false, quietly.
 */
bool zwsnap_module_quiet(const struct zw_opts *opts, struct zwsnap *s);

/* Rows a command looks at: --comm, --cgroup and --age. */
struct zwfilter {
	const char *comm;	/* exact parent comm, or NULL */
	const char *cgroup;	/* cgroup path prefix, or NULL */
	bool has_age;
	uint64_t age;		/* oldest zombie at least this old (secs) */
};

bool zwfilter_active(const struct zwfilter *f);
bool zwfilter_match(const struct zwfilter *f, const struct zwproc_row *row);

/* Sums over the rows that match. */
struct zwmatch {
	uint64_t zombies;
	uint32_t parents;
	uint32_t max_parent;		/* most zombies of one parent */
	const struct zwproc_row *worst;	/* that parent, NULL if none */
	uint64_t oldest_s;		/* oldest zombie of all */
};

void zwfilter_sum(const struct zwfilter *f, const struct zwproc *t,
		  struct zwmatch *m);

/*
 * Take option @c (--comm, --cgroup, --age) into @f.  Return 0, 1 when @c is
 * not a filter option, or -EINVAL after reporting a bad value.
 */
int zwfilter_opt(struct zwfilter *f, int c, const char *arg);

/* Option ids of the filters; commands put them in their long options. */
enum zwfilter_opt_id {
	ZW_OPT_COMM = ZW_OPT_CMD_BASE + 0x100,
	ZW_OPT_CGROUP,
	ZW_OPT_AGE,
};

#endif /* _ZWSNAP_H */
