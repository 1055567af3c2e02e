/* SPDX-License-Identifier: GPL-2.0 */
/*
 * procscan: find zombies without the module, by reading <proc-root>/PID/stat
 * for every process, the way ps does.
 */
#ifndef _PROCSCAN_H
#define _PROCSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "zwproc.h"

/* One process in state Z. */
struct procscan_zombie {
	pid_t pid;
	pid_t ppid;
	bool defunct_leader;	/* other threads still run: not reapable */
};

struct procscan {
	struct procscan_zombie *z;
	size_t nr;
	size_t cap;
};

/*
 * Collect every process in state Z under @proc_root into @ps (released
 * with procscan_free()).  A zombie is reapable when its thread group is
 * empty (num_threads 1: the leader itself); otherwise it is a defunct
 * leader.  Processes that vanish during the scan are skipped.  Return a
 * ZW_EXIT_* status, with the error reported.
 */
int procscan_zombies(const char *proc_root, struct procscan *ps);

/*
 * Build the table /proc/zombies would show from @ps: reapable zombies
 * grouped by parent, with the parent's comm, start and cgroup, sorted by
 * count descending then ppid; OLDEST_S is 0 (unknown to this source).
 * Zombies whose parent is not visible (ppid 0) or vanished are left out,
 * as the module leaves them out.  Return a ZW_EXIT_* status.
 */
int procscan_table(const char *proc_root, const struct procscan *ps,
		   struct zwproc *zp);

/* The reapable zombies of @ppid in @ps. */
size_t procscan_count(const struct procscan *ps, pid_t ppid);

void procscan_free(struct procscan *ps);

#endif /* _PROCSCAN_H */
