// SPDX-License-Identifier: GPL-2.0
/*
 * A walk of every process under RCU, in read sections of bounded length.
 *
 * One long read section over tens of thousands of tasks would hold back
 * every RCU grace period in the system (and on a non-preemptible kernel,
 * the CPU).  As kernel/hung_task.c does, the walk pins its cursor with a
 * reference, leaves the read section, lets the scheduler in, and carries on
 * from the cursor only if it is still linked; otherwise it stops early and
 * says so.
 */
#include <linux/bottom_half.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/timekeeping.h>

#include "zwatch.h"

/*
 * A section also keeps BHs off: softirqs (RCU callbacks among them) would
 * otherwise run inside it, at every unlock of a _bh lock, and stretch it by
 * work that is not ours.  It ends well before the documented budget.
 */
#define ZW_SECTION_SLICE_NS	(ZWATCH_SECTION_BUDGET_NS / 4)

void zw_section_begin(u64 *started_ns)
	__acquires(RCU)
{
	rcu_read_lock();
	local_bh_disable();
	*started_ns = ktime_get_ns();
}

bool zw_section_over(u64 started_ns)
{
	return ktime_get_ns() - started_ns > ZW_SECTION_SLICE_NS;
}

void zw_section_end(u64 started_ns)
	__releases(RCU)
{
	u64 len = ktime_get_ns() - started_ns;
	s64 max = atomic64_read(&zw.max_section_ns);

	atomic_long_inc(&zw.sections);
	if (len > ZWATCH_SECTION_BUDGET_NS)
		atomic_long_inc(&zw.sections_over_budget);

	while (len > max) {
		s64 seen = atomic64_cmpxchg(&zw.max_section_ns, max, len);

		if (seen == max)
			break;
		max = seen;
	}
	local_bh_enable();
	rcu_read_unlock();
}

bool zw_walk(zw_task_fn fn, void *ctx)
{
	struct task_struct *p;
	unsigned int stride = 0;
	bool alive = true;
	u64 started;

	zw_section_begin(&started);
	for_each_process(p) {
		fn(p, ctx);
		if (++stride < ZW_CLOCK_STRIDE)
			continue;
		stride = 0;
		if (!zw_section_over(started))
			continue;

		get_task_struct(p);
		zw_section_end(started);
		cond_resched();
		zw_section_begin(&started);
		alive = pid_alive(p);
		if (!alive)
			break;
		/* not the last reference: a linked task holds its own */
		put_task_struct(p);
	}
	zw_section_end(started);
	if (!alive)
		/* may be the last reference, which must not drop in a section */
		put_task_struct(p);
	return alive;
}
