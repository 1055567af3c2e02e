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
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/timekeeping.h>

#include "zwatch.h"

void zw_section_done(u64 started_ns)
{
	u64 len = ktime_get_ns() - started_ns;
	s64 max = atomic64_read(&zw.max_section_ns);

	while (len > max) {
		s64 seen = atomic64_cmpxchg(&zw.max_section_ns, max, len);

		if (seen == max)
			break;
		max = seen;
	}
}

static bool zw_walk_break(struct task_struct *cursor)
{
	bool alive;

	get_task_struct(cursor);
	rcu_read_unlock();
	cond_resched();
	rcu_read_lock();
	alive = pid_alive(cursor);
	put_task_struct(cursor);
	return alive;
}

bool zw_walk(zw_task_fn fn, void *ctx)
{
	struct task_struct *p;
	unsigned int stride = 0;
	bool complete = true;
	u64 started;

	rcu_read_lock();
	started = ktime_get_ns();
	for_each_process(p) {
		fn(p, ctx);
		if (++stride < ZW_CLOCK_STRIDE)
			continue;
		stride = 0;
		if (ktime_get_ns() - started < ZWATCH_SECTION_BUDGET_NS / 2)
			continue;
		zw_section_done(started);
		if (!zw_walk_break(p)) {
			complete = false;
			break;
		}
		started = ktime_get_ns();
	}
	zw_section_done(started);
	rcu_read_unlock();
	return complete;
}
