/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels zwatch supports lives here, so the
 * logic files read the same on all of them.  Differences are detected by
 * Kbuild probes of the headers built against (module/Kbuild), not by
 * version numbers, which distribution backports make lie.
 */
#ifndef _ZWATCH_COMPAT_H
#define _ZWATCH_COMPAT_H

#include <linux/sched.h>
#include <linux/time_namespace.h>
#include <linux/workqueue.h>

void zw_exit_hook(struct task_struct *p);

/*
 * 6.16 gave the sched_process_exit tracepoint a group_dead argument.  The
 * hook works that out itself on every kernel, so the probe drops it.
 */
#ifdef ZW_HAVE_EXIT_GROUP_DEAD
static inline void zw_exit_probe(void *data, struct task_struct *p, bool group_dead)
{
	zw_exit_hook(p);
}
#else
static inline void zw_exit_probe(void *data, struct task_struct *p)
{
	zw_exit_hook(p);
}
#endif

/*
 * /proc/PID/stat gives start times in the reader's time namespace since
 * timens_add_boottime_ns() came (5.11); before, unshifted, and so do we.
 */
#ifndef ZW_HAVE_TIMENS_ADD_BOOTTIME_NS
static inline u64 timens_add_boottime_ns(u64 nsec)
{
	return nsec;
}
#endif

/*
 * Scans can be long: keep them off the per-CPU queues.  The unbound queue
 * was renamed system_dfl_wq (6.17), and the old name now logs a warning.
 */
#ifdef ZW_HAVE_SYSTEM_DFL_WQ
#define ZW_SCAN_WQ	system_dfl_wq
#else
#define ZW_SCAN_WQ	system_unbound_wq
#endif

#endif /* _ZWATCH_COMPAT_H */
