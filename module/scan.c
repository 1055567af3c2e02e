// SPDX-License-Identifier: GPL-2.0
/*
 * The periodic scan: a full walk that counts processes, cross-checks the
 * exit set against what it finds, and refreshes the by_parent directories.
 *
 * The exit hooks keep the set current on their own; the walk is the proof.
 * A zombie the walk finds without a record is added to the set and, if the
 * set was known to hold every zombie and nothing was lost since, counted in
 * "repairs": a bug.  After a loss, a walk that adds every zombie's record
 * makes the set complete again, unless it passed an exiting process that
 * may yet become a zombie without one.
 */
#include <linux/sched/signal.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "zwatch.h"

struct zw_scan {
	unsigned long tasks;
	unsigned int new_zombies;
	u64 exit_ns;		/* what a zombie without a record gets */
	int gen;		/* lost_gen when the walk began */
	bool trusted;		/* the set held every zombie when it began */
	bool unproven;		/* a zombie-to-be may lack a record */
	bool fill;		/* the first walk, at load */
};

/*
 * A leader between its exit hook and exit_notify() is not a zombie yet, so
 * the walk cannot give it the record its hook may have failed to keep; it
 * would become a zombie missing from a set the walk called complete.
 */
static bool zw_exiting_unrecorded(struct task_struct *p)
{
	return (READ_ONCE(p->flags) & PF_EXITING) &&
	       !READ_ONCE(p->exit_state) && !zw_track_exit_ns(p);
}

/* A zombie without a record, though none was lost: only a bug does that. */
static bool zw_scan_repaired(const struct zw_scan *s)
{
	/* its hook counted any loss before its exit_state, read before this */
	smp_rmb();
	return s->trusted && atomic_read(&zw.lost_gen) == s->gen;
}

static void zw_scan_one(struct task_struct *p, void *ctx)
{
	struct zw_scan *s = ctx;
	enum zw_kind kind = zw_classify(p);

	s->tasks++;
	if (kind == ZW_LIVE) {
		if (!s->unproven && zw_exiting_unrecorded(p))
			s->unproven = true;
		return;
	}
	if (zw_track_add(p, s->exit_ns) && zw_scan_repaired(s))
		atomic_long_inc(&zw.repairs);
	/* the load's walk is no periodic scan: it leaves "new" to the first */
	if (kind == ZW_ZOMBIE && !s->fill && zw_track_first_seen(p))
		s->new_zombies++;
}

/* Returns how many zombies this scan saw for the first time. */
static unsigned int zw_scan_pass(bool fill)
{
	struct zw_scan s = { .fill = fill };
	u64 started;

	/* a loss counted before this is seen with its task's PF_EXITING */
	s.gen = atomic_read_acquire(&zw.lost_gen);
	s.trusted = atomic_read(&zw.complete_gen) == s.gen;
	s.exit_ns = fill ? zw.load_ns : ktime_get_boottime_ns();
	started = ktime_get_ns();
	/* a walk cut short proves nothing: the set stays as trusted as it was */
	if (zw_walk(zw_scan_one, &s) && !s.unproven)
		atomic_set(&zw.complete_gen, s.gen);
	WRITE_ONCE(zw.scan_ns, ktime_get_ns() - started);
	WRITE_ONCE(zw.tasks, s.tasks);
	return s.new_zombies;
}

static void zw_scan_work(struct work_struct *work)
{
	unsigned int top = zw_get(ZW_TOP_PARENTS);
	unsigned int new_zombies, interval;
	struct zw_snapshot *snap;
	struct zw_view view;

	new_zombies = zw_scan_pass(false);
	zw_view_global(&view);
	snap = zw_snapshot_take(&view, max(top, zw_events_rows_needed()));
	if (!IS_ERR(snap)) {
		zw_sysfs_publish(snap, top);
		zw_events_scan(snap, new_zombies, !zw.scans);
		zw_snapshot_put(snap);
	}
	WRITE_ONCE(zw.scans, zw.scans + 1);

	interval = zw_get(ZW_INTERVAL_MS);
	if (interval && !READ_ONCE(zw.stopping))
		queue_delayed_work(ZW_SCAN_WQ, &zw.scan_work,
				   msecs_to_jiffies(interval));
}

/* A tunable changed (config_lock held): scan now, then at the new pace. */
void zw_scan_reschedule(void)
{
	if (!zw.stopping)
		mod_delayed_work(ZW_SCAN_WQ, &zw.scan_work, 0);
}

int zw_scan_init(void)
{
	INIT_DELAYED_WORK(&zw.scan_work, zw_scan_work);
	/* hooks are live: every zombie from here on gets a record by itself */
	zw_scan_pass(true);
	/* one scan now fills by_parent even when periodic scans are off */
	queue_delayed_work(ZW_SCAN_WQ, &zw.scan_work, 0);
	return 0;
}

void zw_scan_exit(void)
{
	mutex_lock(&zw.config_lock);
	zw.stopping = true;
	mutex_unlock(&zw.config_lock);
	cancel_delayed_work_sync(&zw.scan_work);
}
