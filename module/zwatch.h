/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zwatch internals shared between the parts of the module.  The userspace
 * interface lives in uapi/linux/zwatch.h; this file is for the module only.
 */
#ifndef _ZWATCH_H
#define _ZWATCH_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>

#include <linux/zwatch.h>

struct pid_namespace;
struct cgroup_namespace;
struct kset;
struct kobject;

/* tunables.c: every read-write knob, indexed by enum zw_tunable_id */
enum zw_tunable_id {
	ZW_INTERVAL_MS,
	ZW_TOP_PARENTS,
	ZW_THRESHOLD,
	ZW_PARENT_THRESHOLD,
	ZW_SPIKE_THRESHOLD,
	ZW_HYSTERESIS,
	ZW_MAX_TRACKED,
	ZW_NR_TUNABLES,
};

struct zw_tunable {
	const char *name;
	unsigned int val;
	unsigned int min;
	unsigned int max;
	bool load_only;			/* read-only once loaded */
	/* if set, called with zw.config_lock held after val changed */
	void (*changed)(void);
};

extern struct zw_tunable zw_tunables[ZW_NR_TUNABLES];

static inline unsigned int zw_get(enum zw_tunable_id id)
{
	return READ_ONCE(zw_tunables[id].val);
}

int zw_tunable_parse(const struct zw_tunable *t, const char *buf,
		     unsigned int *out);
int zw_tunable_store(enum zw_tunable_id id, const char *buf);

/* The one state of the module. */
struct zw_state {
	/* serialises tunable writes and the by_parent directories */
	struct mutex config_lock;
	/* set under config_lock once unload began: nothing may re-arm work */
	bool stopping;

	u64 load_ns;			/* boottime of the load */

	/* track.c */
	atomic_t tracked;
	atomic_long_t lost;
	/* bumped whenever a record could not be kept */
	atomic_t lost_gen;
	/* lost_gen as of the start of the last scan that recorded every zombie */
	atomic_t complete_gen;

	/* scan.c: results of the latest periodic scan */
	struct delayed_work scan_work;
	unsigned long tasks;
	unsigned long scans;
	u64 scan_ns;
	atomic64_t max_section_ns;
	atomic_long_t sections;
	atomic_long_t sections_over_budget;
	atomic_long_t repairs;

	/* sysfs.c */
	struct kset *kset;
	struct kobject *by_parent;

	/* coalesce.c: snapshots built for readers */
	atomic_long_t snapshots;

	/* events.c */
	bool total_high;
	atomic_long_t events_sent;
	atomic_long_t events_suppressed;
};

extern struct zw_state zw;

/* track.c: the set of exited, not yet freed thread-group leaders */
int zw_track_init(void);
void zw_track_exit(void);
/* @exit_ns of @p's record, or 0 when it has none; caller holds RCU */
u64 zw_track_exit_ns(struct task_struct *p);
/* add a record for @p unless it has one; true if it was added */
bool zw_track_add(struct task_struct *p, u64 exit_ns);
/* true the first time a periodic scan sees @p as a zombie */
bool zw_track_first_seen(struct task_struct *p);
typedef void (*zw_rec_fn)(struct task_struct *p, u64 exit_ns, void *ctx);
/* calls @fn for every record, in a read section, bucket lock held */
void zw_track_for_each(zw_rec_fn fn, void *ctx);

/* Does the set hold every zombie, so that a read needs no walk? */
static inline bool zw_set_complete(void)
{
	return atomic_read(&zw.complete_gen) == atomic_read(&zw.lost_gen);
}

/* ktime_get_ns() is cheap, but not free: walks look at the clock this often */
#define ZW_CLOCK_STRIDE	64

/* walk.c: every process, under RCU, in bounded read sections */
typedef void (*zw_task_fn)(struct task_struct *p, void *ctx);
/* returns false when the walk had to stop early (its cursor died) */
bool zw_walk(zw_task_fn fn, void *ctx);
/* a read section: rcu_read_lock() with BHs off, timed for the statistics */
void zw_section_begin(u64 *started_ns) __acquires(RCU);
bool zw_section_over(u64 started_ns);
void zw_section_end(u64 started_ns) __releases(RCU);

enum zw_kind {
	ZW_LIVE,	/* running, or already being reaped */
	ZW_ZOMBIE,	/* reapable: exited leader, empty thread group */
	ZW_DEFUNCT,	/* exited leader whose other threads still run */
};

/* caller holds RCU and @p's memory is valid */
static inline enum zw_kind zw_classify(struct task_struct *p)
{
	if (READ_ONCE(p->exit_state) != EXIT_ZOMBIE || !pid_alive(p) ||
	    !thread_group_leader(p))
		return ZW_LIVE;
	return thread_group_empty(p) ? ZW_ZOMBIE : ZW_DEFUNCT;
}

/*
 * Names in /proc/zombies and in uevents: these bytes are written as \ooo,
 * as /proc/mounts does, so that a name is one whitespace-free field.
 */
static inline bool zw_must_escape(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\\';
}

/* snapshot.c: what one reader sees */
struct zw_view {
	struct pid_namespace *pid_ns;
	struct cgroup_namespace *cgroup_ns;
	bool uid_filter;		/* hidepid: only zombies of fsuid */
	kuid_t fsuid;
};

struct zw_row {
	pid_t ppid;
	unsigned int zombies;
	u64 oldest_exit_ns;
	u64 start_ns;			/* parent's start_boottime */
	char comm[TASK_COMM_LEN];
	char *cgroup;			/* NULL: none in the reader's namespace */
};

struct zw_snapshot {
	struct kref ref;
	struct zw_view view;		/* who it was taken for */
	unsigned int max_rows;		/* how many rows it was allowed */
	u64 taken_ns;
	unsigned int zombies;
	unsigned int parents;
	unsigned int defunct_leaders;
	unsigned int cut;		/* zombies of parents without a row */
	unsigned int nr_rows;
	struct zw_row rows[];
};

struct zw_snapshot *zw_snapshot_take(const struct zw_view *view,
				     unsigned int max_rows);
void zw_snapshot_hold(struct zw_snapshot *snap);
/* drops a reference; NULL is fine */
void zw_snapshot_put(struct zw_snapshot *snap);

/* coalesce.c: what readers use, one build at a time, shared when fresh */
struct zw_snapshot *zw_snapshot_get(const struct zw_view *view,
				    unsigned int max_rows);
void zw_coalesce_exit(void);
void zw_view_global(struct zw_view *view);
u64 zw_ticks(u64 boottime_ns);

/* scan.c */
int zw_scan_init(void);
void zw_scan_exit(void);
void zw_scan_reschedule(void);

/* sysfs.c */
int zw_sysfs_init(void);
void zw_sysfs_exit(void);
void zw_sysfs_publish(const struct zw_snapshot *snap, unsigned int top);

/* events.c: judged after each periodic scan, sent from its work */
int zw_events_init(void);
void zw_events_exit(void);
void zw_events_scan(const struct zw_snapshot *snap, unsigned int new_zombies,
		    bool baseline);
/* parents the scan must resolve for zw_events_scan() */
unsigned int zw_events_rows_needed(void);

/* procfs.c */
int zw_proc_init(void);
void zw_proc_exit(void);

#endif /* _ZWATCH_H */
