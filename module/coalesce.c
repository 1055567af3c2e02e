// SPDX-License-Identifier: GPL-2.0
/*
 * Readers share snapshots, so that no number of them can make the kernel
 * build more than one at a time.
 *
 * Opens are serialised on one mutex.  An open that finds the latest
 * snapshot was started after it arrived, for the same view, takes that one:
 * it saw everything this open must see, so freshness at open() holds.  Any
 * other open builds anew, in its own context, while the rest wait.  So
 * however many readers loop on /proc/zombies, at most one CPU builds
 * snapshots, and a burst of opens costs about two builds.
 */
#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/mutex.h>

#include "zwatch.h"

static DEFINE_MUTEX(zw_share_lock);
static atomic64_t zw_builds_started;
/* under zw_share_lock: the latest snapshot built, and when it started */
static struct zw_snapshot *zw_latest;
static s64 zw_latest_seq;

static bool zw_view_eq(const struct zw_view *a, const struct zw_view *b)
{
	return a->pid_ns == b->pid_ns && a->cgroup_ns == b->cgroup_ns &&
	       a->uid_filter == b->uid_filter &&
	       (!a->uid_filter || uid_eq(a->fsuid, b->fsuid));
}

struct zw_snapshot *zw_snapshot_get(const struct zw_view *view,
				    unsigned int max_rows)
{
	s64 arrived = atomic64_read(&zw_builds_started);
	struct zw_snapshot *snap;

	if (mutex_lock_killable(&zw_share_lock))
		return ERR_PTR(-EINTR);
	snap = zw_latest;
	if (snap && zw_latest_seq > arrived && snap->max_rows >= max_rows &&
	    zw_view_eq(&snap->view, view)) {
		zw_snapshot_hold(snap);
		goto unlock;
	}
	zw_latest_seq = atomic64_inc_return(&zw_builds_started);
	atomic_long_inc(&zw.snapshots);
	snap = zw_snapshot_take(view, max_rows);
	if (IS_ERR(snap))
		goto unlock;
	zw_snapshot_put(zw_latest);
	zw_latest = snap;
	zw_snapshot_hold(snap);
unlock:
	mutex_unlock(&zw_share_lock);
	return snap;
}

void zw_coalesce_exit(void)
{
	zw_snapshot_put(zw_latest);
	zw_latest = NULL;
}
