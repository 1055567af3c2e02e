// SPDX-License-Identifier: GPL-2.0
/*
 * A snapshot: the zombies one reader may see, grouped by parent.
 *
 * Taking one has three steps, and only the first runs under RCU:
 *  1. collect: one plain-value reference per visible zombie, from the exit
 *     set (O(zombies)) or, when the set is incomplete, from a full walk;
 *  2. group: sort those by parent and fold them into rows;
 *  3. resolve: look each kept parent up again by pid, check it is the same
 *     process (start time), copy its comm, and resolve its cgroup path,
 *     which may sleep, outside any read section.
 * Nothing is kept from step 1 but copies, so no task pointer outlives the
 * read section that found it.
 */
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "zwatch.h"

/* room for zombies that appear between sizing and collecting */
#define ZW_COLLECT_SLACK	256
/* a parent that exits while we resolve it: take the snapshot again */
#define ZW_SNAPSHOT_TRIES	3
/*
 * A build that cannot get memory fails its reader with -ENOMEM and the
 * next scan builds again: nothing is lost, so no allocation-failure splat
 * (which unprivileged readers could otherwise trigger at will).
 */
#define ZW_SNAPSHOT_GFP		(GFP_KERNEL | __GFP_NOWARN)

struct zw_ref {
	pid_t ppid;
	u64 parent_start_ns;
	u64 exit_ns;
};

struct zw_collect {
	const struct zw_view *view;
	struct zw_ref *refs;
	unsigned int nr;
	unsigned int cap;
	unsigned int zombies;
	unsigned int defunct;
	unsigned int overflow;
};

/* field 22 of /proc/PID/stat, in the reader's time namespace */
u64 zw_ticks(u64 boottime_ns)
{
	return div_u64(timens_add_boottime_ns(boottime_ns),
		       NSEC_PER_SEC / USER_HZ);
}

void zw_view_global(struct zw_view *view)
{
	view->pid_ns = &init_pid_ns;
	/* only the scan worker resolves paths here: its namespace is init's */
	view->cgroup_ns = current->nsproxy->cgroup_ns;
	view->uid_filter = false;
	view->fsuid = GLOBAL_ROOT_UID;
}

static bool zw_uid_shown(const struct zw_view *view, struct task_struct *p)
{
	const struct cred *cred = __task_cred(p);

	return uid_eq(cred->uid, view->fsuid) &&
	       uid_eq(cred->euid, view->fsuid) &&
	       uid_eq(cred->suid, view->fsuid);
}

static void zw_collect_one(struct task_struct *p, u64 exit_ns, void *ctx)
{
	struct zw_collect *c = ctx;
	const struct zw_view *view = c->view;
	enum zw_kind kind = zw_classify(p);
	struct task_struct *parent;
	struct zw_ref *ref;
	pid_t ppid;

	if (kind == ZW_LIVE || !task_pid_nr_ns(p, view->pid_ns))
		return;
	if (view->uid_filter && !zw_uid_shown(view, p))
		return;
	if (kind == ZW_DEFUNCT) {
		c->defunct++;
		return;
	}
	/*
	 * The real parent is the thread that forked (any thread of a Go or
	 * Java program, say): the process, its pid and its start time, are
	 * its group leader's, as in /proc/PPID/stat.
	 */
	parent = rcu_dereference(p->real_parent)->group_leader;
	ppid = task_tgid_nr_ns(parent, view->pid_ns);
	if (!ppid)
		return;
	c->zombies++;
	if (c->nr == c->cap) {
		c->overflow++;
		return;
	}
	ref = &c->refs[c->nr++];
	ref->ppid = ppid;
	ref->parent_start_ns = parent->start_boottime;
	ref->exit_ns = exit_ns ? exit_ns : zw.load_ns;
}

static void zw_collect_walked(struct task_struct *p, void *ctx)
{
	if (zw_classify(p) != ZW_LIVE)
		zw_collect_one(p, zw_track_exit_ns(p), ctx);
}

static int zw_ref_cmp(const void *a, const void *b)
{
	const struct zw_ref *x = a, *y = b;

	if (x->ppid != y->ppid)
		return x->ppid < y->ppid ? -1 : 1;
	if (x->parent_start_ns != y->parent_start_ns)
		return x->parent_start_ns < y->parent_start_ns ? -1 : 1;
	return 0;
}

static int zw_row_cmp(const void *a, const void *b)
{
	const struct zw_row *x = a, *y = b;

	if (x->zombies != y->zombies)
		return x->zombies > y->zombies ? -1 : 1;
	if (x->ppid != y->ppid)
		return x->ppid < y->ppid ? -1 : 1;
	return 0;
}

static unsigned int zw_count_parents(const struct zw_ref *refs, unsigned int nr)
{
	unsigned int i, parents = 0;

	for (i = 0; i < nr; i++)
		if (!i || zw_ref_cmp(&refs[i - 1], &refs[i]))
			parents++;
	return parents;
}

static void zw_fold(const struct zw_ref *refs, unsigned int nr,
		    struct zw_row *rows)
{
	struct zw_row *row = NULL;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		const struct zw_ref *ref = &refs[i];

		if (!row || zw_ref_cmp(&refs[i - 1], ref)) {
			row = row ? row + 1 : rows;
			row->ppid = ref->ppid;
			row->start_ns = ref->parent_start_ns;
			row->oldest_exit_ns = ref->exit_ns;
		}
		row->zombies++;
		row->oldest_exit_ns = min(row->oldest_exit_ns, ref->exit_ns);
	}
}

/* Returns false if the parent is gone or is no longer the same process. */
static bool zw_resolve(const struct zw_view *view, struct zw_row *row,
		       char *path_buf)
{
	struct cgroup *cgrp = NULL;
	struct task_struct *parent;
	bool same;

	rcu_read_lock();
	parent = pid_task(find_pid_ns(row->ppid, view->pid_ns), PIDTYPE_PID);
	same = parent && parent->start_boottime == row->start_ns;
	if (same) {
		get_task_comm(row->comm, parent);
		cgrp = task_dfl_cgroup(parent);
		if (!cgroup_tryget(cgrp))
			cgrp = NULL;
	}
	rcu_read_unlock();

	if (cgrp) {
		int len = cgroup_path_ns(cgrp, path_buf, PATH_MAX,
					 view->cgroup_ns);

		if (len > 0 && len < PATH_MAX)
			row->cgroup = kstrdup(path_buf, ZW_SNAPSHOT_GFP);
		cgroup_put(cgrp);
	}
	return same;
}

static void zw_snapshot_free(struct zw_snapshot *snap)
{
	unsigned int i;

	if (!snap)
		return;
	for (i = 0; i < snap->nr_rows; i++)
		kfree(snap->rows[i].cgroup);
	kvfree(snap);
}

static void zw_snapshot_release(struct kref *ref)
{
	zw_snapshot_free(container_of(ref, struct zw_snapshot, ref));
}

void zw_snapshot_hold(struct zw_snapshot *snap)
{
	kref_get(&snap->ref);
}

void zw_snapshot_put(struct zw_snapshot *snap)
{
	if (snap)
		kref_put(&snap->ref, zw_snapshot_release);
}

static void zw_collect(struct zw_collect *c)
{
	/* the set answers only while it is known to hold every zombie */
	if (zw_set_complete())
		zw_track_for_each(zw_collect_one, c);
	else
		zw_walk(zw_collect_walked, c);
}

/*
 * Builds the snapshot from collected references.  Returns NULL with *err
 * set on failure, or with *err = 0 when a parent changed under us.
 */
static struct zw_snapshot *zw_build(const struct zw_view *view,
				    struct zw_collect *c,
				    unsigned int max_rows, int *err)
{
	unsigned int parents, nr_rows, i, kept_zombies = 0;
	struct zw_snapshot *snap;
	struct zw_row *rows;
	char *path_buf;
	bool changed = false;

	sort(c->refs, c->nr, sizeof(*c->refs), zw_ref_cmp, NULL);
	parents = zw_count_parents(c->refs, c->nr);
	nr_rows = min3(parents, max_rows, (unsigned int)ZWATCH_MAX_ROWS);

	rows = kvcalloc(max(parents, 1U), sizeof(*rows), ZW_SNAPSHOT_GFP);
	snap = kvzalloc(struct_size(snap, rows, nr_rows), ZW_SNAPSHOT_GFP);
	path_buf = nr_rows ? kmalloc(PATH_MAX, ZW_SNAPSHOT_GFP) : NULL;
	*err = -ENOMEM;
	if (!rows || !snap || (nr_rows && !path_buf))
		goto fail;
	*err = 0;

	zw_fold(c->refs, c->nr, rows);
	sort(rows, parents, sizeof(*rows), zw_row_cmp, NULL);
	for (i = 0; i < nr_rows; i++) {
		snap->rows[i] = rows[i];
		kept_zombies += rows[i].zombies;
		snap->nr_rows = i + 1;
		if (!zw_resolve(view, &snap->rows[i], path_buf)) {
			changed = true;
			break;
		}
	}
	if (changed)
		goto fail;

	snap->zombies = c->zombies;
	snap->parents = parents;
	snap->defunct_leaders = c->defunct;
	snap->cut = c->zombies - kept_zombies;
	kfree(path_buf);
	kvfree(rows);
	return snap;

fail:
	kfree(path_buf);
	kvfree(rows);
	zw_snapshot_free(snap);
	return NULL;
}

struct zw_snapshot *zw_snapshot_take(const struct zw_view *view,
				     unsigned int max_rows)
{
	struct zw_snapshot *snap = NULL;
	struct zw_collect c = { .view = view };
	unsigned int try, cap, limit;
	int err = 0;

	/* past this many, zombies are counted but not grouped (cut) */
	limit = max_t(unsigned int, zw_get(ZW_MAX_TRACKED), ZWATCH_MAX_TRACKED);
	/* a walk may find more zombies than the set can hold: size for all */
	cap = zw_set_complete() ? atomic_read(&zw.tracked) : limit;
	for (try = 0; try < ZW_SNAPSHOT_TRIES && !snap; try++) {
		c.cap = min(cap, limit) + ZW_COLLECT_SLACK;
		c.refs = kvmalloc_array(c.cap, sizeof(*c.refs),
					ZW_SNAPSHOT_GFP);
		if (!c.refs)
			return ERR_PTR(-ENOMEM);
		c.nr = 0;
		c.zombies = 0;
		c.defunct = 0;
		c.overflow = 0;
		zw_collect(&c);
		/* the set grew while we sized it: size again, from the count */
		if (c.overflow && cap < limit &&
		    try + 1 < ZW_SNAPSHOT_TRIES) {
			cap = c.zombies + c.defunct;
			kvfree(c.refs);
			continue;
		}
		snap = zw_build(view, &c, max_rows, &err);
		kvfree(c.refs);
		if (err)
			return ERR_PTR(err);
	}
	if (!snap)
		return ERR_PTR(-EAGAIN);
	kref_init(&snap->ref);
	snap->view = *view;
	snap->max_rows = max_rows;
	snap->taken_ns = ktime_get_boottime_ns();
	return snap;
}
