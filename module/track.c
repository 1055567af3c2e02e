// SPDX-License-Identifier: GPL-2.0
/*
 * The set of exited thread-group leaders that are not yet freed.
 *
 * A record is added when a process exits (sched_process_exit) and removed
 * when its task_struct is freed (sched_process_free, which runs just before
 * the final put).  Between the two, the task is a zombie, a defunct leader,
 * or on its way to being freed after a reap.  Serving /proc/zombies from
 * this set costs O(zombies), where a walk costs O(tasks).
 *
 * A record's task pointer is only dereferenced with the record's bucket lock
 * held.  The free hook takes the same lock to unlink the record before the
 * task can be freed, so a linked record always points at valid memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>

#include "compat.h"
#include "zwatch.h"

#define ZW_HASH_BITS	12
#define ZW_NR_BUCKETS	BIT(ZW_HASH_BITS)

struct zw_bucket {
	spinlock_t lock;	/* the chain, and the records' task pointers */
	struct hlist_head head;
};

struct zw_exit_rec {
	struct hlist_node node;
	struct task_struct *task;
	u64 exit_ns;
	bool seen;		/* a periodic scan has counted it as a zombie */
};

static struct zw_bucket *zw_buckets;
static struct kmem_cache *zw_rec_cache;
static struct tracepoint *zw_tp_exit, *zw_tp_free;

static struct zw_bucket *zw_bucket_of(const struct task_struct *p)
{
	return &zw_buckets[hash_ptr(p, ZW_HASH_BITS)];
}

static struct zw_exit_rec *zw_find(struct zw_bucket *b,
				   const struct task_struct *p)
{
	struct zw_exit_rec *rec;

	hlist_for_each_entry(rec, &b->head, node)
		if (rec->task == p)
			return rec;
	return NULL;
}

static void zw_note_lost(void)
{
	atomic_long_inc(&zw.lost);
	/* a scan that sees the loss sees the task's PF_EXITING (scan.c) */
	smp_mb__before_atomic();
	atomic_inc(&zw.lost_gen);
	/* and one that sees its exit_state sees the loss */
	smp_mb__after_atomic();
}

/*
 * Record @p as exited at @exit_ns.  With @update, an existing record takes
 * the new time: a defunct leader becomes a zombie when its last thread exits.
 * Runs in the exit path and under RCU, so it must not sleep.
 */
static bool zw_record(struct task_struct *p, u64 exit_ns, bool update)
{
	struct zw_bucket *b = zw_bucket_of(p);
	struct zw_exit_rec *rec, *old;

	spin_lock_bh(&b->lock);
	old = zw_find(b, p);
	if (old && update) {
		/* a defunct leader's group died: it becomes a zombie now */
		old->exit_ns = exit_ns;
		old->seen = false;
	}
	spin_unlock_bh(&b->lock);
	if (old)
		return false;

	if (atomic_inc_return(&zw.tracked) > zw_get(ZW_MAX_TRACKED))
		goto lost;
	rec = kmem_cache_alloc(zw_rec_cache, GFP_NOWAIT | __GFP_NOWARN);
	if (!rec)
		goto lost;
	rec->task = p;
	rec->exit_ns = exit_ns;
	rec->seen = false;

	spin_lock_bh(&b->lock);
	old = zw_find(b, p);
	if (!old)
		hlist_add_head(&rec->node, &b->head);
	spin_unlock_bh(&b->lock);
	if (old) {
		/* the exit hook and a scan raced to record the same task */
		kmem_cache_free(zw_rec_cache, rec);
		atomic_dec(&zw.tracked);
		return false;
	}
	return true;

lost:
	atomic_dec(&zw.tracked);
	zw_note_lost();
	return false;
}

bool zw_track_add(struct task_struct *p, u64 exit_ns)
{
	return zw_record(p, exit_ns, false);
}

u64 zw_track_exit_ns(struct task_struct *p)
{
	struct zw_bucket *b = zw_bucket_of(p);
	struct zw_exit_rec *rec;
	u64 exit_ns = 0;

	spin_lock_bh(&b->lock);
	rec = zw_find(b, p);
	if (rec)
		exit_ns = rec->exit_ns;
	spin_unlock_bh(&b->lock);
	return exit_ns;
}

bool zw_track_first_seen(struct task_struct *p)
{
	struct zw_bucket *b = zw_bucket_of(p);
	struct zw_exit_rec *rec;
	bool first = false;

	spin_lock_bh(&b->lock);
	rec = zw_find(b, p);
	if (rec && !rec->seen) {
		rec->seen = true;
		first = true;
	}
	spin_unlock_bh(&b->lock);
	return first;
}

/*
 * Only a leader's exit, or the exit that empties a thread group, can make a
 * zombie.  signal->live dropped to zero before this tracepoint, so it tells
 * the group's last exit on every kernel.
 */
void zw_exit_hook(struct task_struct *p)
{
	bool group_dead = !atomic_read(&p->signal->live);

	if (!group_dead && !thread_group_leader(p))
		return;
	zw_record(p->group_leader, ktime_get_boottime_ns(), group_dead);
}

static void zw_on_free(void *data, struct task_struct *p)
{
	struct zw_bucket *b = zw_bucket_of(p);
	struct zw_exit_rec *rec;

	spin_lock_bh(&b->lock);
	rec = zw_find(b, p);
	if (rec)
		hlist_del(&rec->node);
	spin_unlock_bh(&b->lock);
	if (rec) {
		kmem_cache_free(zw_rec_cache, rec);
		atomic_dec(&zw.tracked);
	}
}

void zw_track_for_each(zw_rec_fn fn, void *ctx)
{
	unsigned int i, visited = 0;
	struct zw_exit_rec *rec;
	u64 started;

	zw_section_begin(&started);
	for (i = 0; i < ZW_NR_BUCKETS; i++) {
		struct zw_bucket *b = &zw_buckets[i];

		/*
		 * Buckets are indices: a read section can end between any
		 * two.  The clock can cost as much as a record (an emulated
		 * HPET), so look at it every ZW_CLOCK_STRIDE records, or
		 * buckets, whichever comes first.
		 */
		if (visited >= ZW_CLOCK_STRIDE || i % ZW_CLOCK_STRIDE == 0) {
			visited = 0;
			if (zw_section_over(started)) {
				zw_section_end(started);
				cond_resched();
				zw_section_begin(&started);
			}
		}
		if (hlist_empty(&b->head))
			continue;
		spin_lock(&b->lock);
		hlist_for_each_entry(rec, &b->head, node) {
			fn(rec->task, rec->exit_ns, ctx);
			visited++;
		}
		spin_unlock(&b->lock);
	}
	zw_section_end(started);
}

static void zw_find_tracepoint(struct tracepoint *tp, void *unused)
{
	if (!strcmp(tp->name, "sched_process_exit"))
		zw_tp_exit = tp;
	else if (!strcmp(tp->name, "sched_process_free"))
		zw_tp_free = tp;
}

static void zw_free_all(void)
{
	struct zw_exit_rec *rec;
	struct hlist_node *tmp;
	unsigned int i;

	for (i = 0; i < ZW_NR_BUCKETS; i++) {
		hlist_for_each_entry_safe(rec, tmp, &zw_buckets[i].head, node) {
			hlist_del(&rec->node);
			kmem_cache_free(zw_rec_cache, rec);
			atomic_dec(&zw.tracked);
		}
	}
}

int zw_track_init(void)
{
	unsigned int i;
	int err;

	for_each_kernel_tracepoint(zw_find_tracepoint, NULL);
	if (!zw_tp_exit || !zw_tp_free) {
		pr_err("sched_process_exit/free tracepoints not found\n");
		return -ENOENT;
	}

	zw_buckets = kvcalloc(ZW_NR_BUCKETS, sizeof(*zw_buckets), GFP_KERNEL);
	if (!zw_buckets)
		return -ENOMEM;
	for (i = 0; i < ZW_NR_BUCKETS; i++)
		spin_lock_init(&zw_buckets[i].lock);

	zw_rec_cache = KMEM_CACHE(zw_exit_rec, 0);
	if (!zw_rec_cache) {
		err = -ENOMEM;
		goto free_buckets;
	}

	/* free first: a record may never outlive the task it names */
	err = tracepoint_probe_register(zw_tp_free, zw_on_free, NULL);
	if (err)
		goto destroy_cache;
	err = tracepoint_probe_register(zw_tp_exit, zw_exit_probe, NULL);
	if (err)
		goto unregister_free;
	return 0;

unregister_free:
	tracepoint_probe_unregister(zw_tp_free, zw_on_free, NULL);
	tracepoint_synchronize_unregister();
destroy_cache:
	kmem_cache_destroy(zw_rec_cache);
free_buckets:
	kvfree(zw_buckets);
	return err;
}

void zw_track_exit(void)
{
	tracepoint_probe_unregister(zw_tp_exit, zw_exit_probe, NULL);
	tracepoint_probe_unregister(zw_tp_free, zw_on_free, NULL);
	tracepoint_synchronize_unregister();
	zw_free_all();
	kmem_cache_destroy(zw_rec_cache);
	kvfree(zw_buckets);
}
