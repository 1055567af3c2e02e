/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels zwatch supports lives here, so the
 * logic files read the same on all of them.  Kbuild probes may define
 * ZW_HAVE_* where a distribution backport makes version numbers lie.
 */
#ifndef _ZWATCH_COMPAT_H
#define _ZWATCH_COMPAT_H

#include <linux/version.h>

/*
 * 6.16 gave the sched_process_exit tracepoint a "group_dead" argument.  The
 * probe computes that itself on every kernel, so it only has to accept it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 16, 0) || defined(ZW_HAVE_EXIT_GROUP_DEAD)
#define ZW_EXIT_PROBE_ARGS(data, p) \
	void *data, struct task_struct *p, bool group_dead_unused
#else
#define ZW_EXIT_PROBE_ARGS(data, p) void *data, struct task_struct *p
#endif

/* scans can be long: keep them off the per-CPU queues */
#define ZW_SCAN_WQ	system_unbound_wq

#endif /* _ZWATCH_COMPAT_H */
