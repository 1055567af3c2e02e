// SPDX-License-Identifier: GPL-2.0
/*
 * Threshold alarms and the uevents that announce them.
 *
 * After each periodic scan, the scan's work judges the global count, every
 * parent, and the new zombies against their thresholds, queues what changed,
 * and sends it afterwards: kobject_uevent_env() sleeps, so nothing is sent
 * while a lock is held.  The alarms' state belongs to that work item alone
 * (a work item never runs concurrently with itself), so it needs no lock.
 *
 * A sliding-window limit caps the events a flapping parent or a storm of
 * parents can push at udev; what it drops is counted.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "zwatch.h"

/* a key and its value, as kobject_uevent_env() wants them */
#define ZW_ENV_LEN	96
#define ZW_ENV_MAX	7

struct zw_event {
	struct list_head node;
	char env[ZW_ENV_MAX][ZW_ENV_LEN];
	unsigned int nr_env;
};

/* a parent whose alarm is raised: who it is, and what to call it */
struct zw_high_parent {
	struct list_head node;
	pid_t ppid;
	u64 start_ns;
	char comm[TASK_COMM_LEN];
};

static struct kobject *zw_events_kobj;
static LIST_HEAD(zw_high_parents);
static unsigned int zw_nr_high_parents;

/* send times of the last ZWATCH_EVENT_BURST events, oldest first */
static unsigned long zw_sent_at[ZWATCH_EVENT_BURST];
static unsigned int zw_sent_next;
static bool zw_suppressing;

static void zw_ev_add(struct zw_event *ev, const char *key, const char *fmt,
		      ...) __printf(3, 4);

static void zw_ev_add(struct zw_event *ev, const char *key, const char *fmt,
		      ...)
{
	char *slot = ev->env[ev->nr_env++];
	int len = scnprintf(slot, ZW_ENV_LEN, "%s=", key);
	va_list args;

	va_start(args, fmt);
	vscnprintf(slot + len, ZW_ENV_LEN - len, fmt, args);
	va_end(args);
}

/* octal escapes as in /proc/zombies: one line of udev's env stays parsable */
static void zw_ev_add_comm(struct zw_event *ev, const char *comm)
{
	char escaped[TASK_COMM_LEN * 4];
	unsigned int o = 0;
	const char *c;

	for (c = comm; *c; c++) {
		if (zw_must_escape(*c))
			o += scnprintf(escaped + o, sizeof(escaped) - o, "\\%03o",
				       (unsigned char)*c);
		else
			escaped[o++] = *c;
	}
	escaped[o] = '\0';
	zw_ev_add(ev, ZWATCH_UEV_PARENT_COMM, "%s", escaped);
}

static struct zw_event *zw_ev_new(struct list_head *queue, const char *name,
				  unsigned int zombies, unsigned int threshold)
{
	struct zw_event *ev = kzalloc(sizeof(*ev), GFP_KERNEL);

	if (!ev) {
		atomic_long_inc(&zw.events_suppressed);
		return NULL;
	}
	zw_ev_add(ev, ZWATCH_UEV_EVENT, "%s", name);
	zw_ev_add(ev, ZWATCH_UEV_ZOMBIES, "%u", zombies);
	zw_ev_add(ev, ZWATCH_UEV_THRESHOLD, "%u", threshold);
	list_add_tail(&ev->node, queue);
	return ev;
}

static void zw_ev_parent(struct list_head *queue, const char *name,
			 unsigned int zombies, unsigned int threshold,
			 const struct zw_high_parent *hp,
			 unsigned int parent_zombies)
{
	struct zw_event *ev = zw_ev_new(queue, name, zombies, threshold);

	if (!ev)
		return;
	zw_ev_add(ev, ZWATCH_UEV_PPID, "%d", hp->ppid);
	zw_ev_add_comm(ev, hp->comm);
	zw_ev_add(ev, ZWATCH_UEV_PARENT_ZOMBIES, "%u", parent_zombies);
}

/* Does an alarm at @threshold that is raised stay raised at @count? */
static bool zw_still_high(unsigned int count, unsigned int threshold)
{
	unsigned int hysteresis = zw_get(ZW_HYSTERESIS);

	if (!threshold)
		return false;
	if (hysteresis >= threshold)
		return count > 0;
	return count >= threshold - hysteresis;
}

static void zw_judge_total(struct list_head *queue, unsigned int zombies)
{
	unsigned int threshold = zw_get(ZW_THRESHOLD);
	bool high = zw.total_high;

	if (!high && threshold && zombies >= threshold)
		zw_ev_new(queue, ZWATCH_EVENT_TOTAL_HIGH, zombies, threshold);
	else if (high && !zw_still_high(zombies, threshold))
		zw_ev_new(queue, ZWATCH_EVENT_TOTAL_OK, zombies, threshold);
	else
		return;
	WRITE_ONCE(zw.total_high, !high);
	sysfs_notify(&zw.kset->kobj, NULL, ZWATCH_ATTR_STATE);
}

static const struct zw_row *zw_row_of(const struct zw_snapshot *snap,
				      pid_t ppid, u64 start_ns)
{
	unsigned int i;

	for (i = 0; i < snap->nr_rows; i++)
		if (snap->rows[i].ppid == ppid && snap->rows[i].start_ns == start_ns)
			return &snap->rows[i];
	return NULL;
}

static bool zw_parent_alive(pid_t ppid, u64 start_ns)
{
	struct task_struct *p;
	bool alive;

	rcu_read_lock();
	p = pid_task(find_pid_ns(ppid, &init_pid_ns), PIDTYPE_PID);
	alive = p && p->start_boottime == start_ns;
	rcu_read_unlock();
	return alive;
}

static void zw_judge_parents(struct list_head *queue,
			     const struct zw_snapshot *snap)
{
	unsigned int threshold = zw_get(ZW_PARENT_THRESHOLD);
	struct zw_high_parent *hp, *tmp;
	unsigned int i;

	/* raised alarms first: each clears once, when its parent recovers */
	list_for_each_entry_safe(hp, tmp, &zw_high_parents, node) {
		const struct zw_row *row = zw_row_of(snap, hp->ppid, hp->start_ns);
		unsigned int count = row ? row->zombies : 0;

		if (!row && !zw_parent_alive(hp->ppid, hp->start_ns))
			count = 0;
		else if (zw_still_high(count, threshold))
			continue;
		zw_ev_parent(queue, ZWATCH_EVENT_PARENT_OK, snap->zombies,
			     threshold, hp, count);
		list_del(&hp->node);
		zw_nr_high_parents--;
		kfree(hp);
	}
	if (!threshold)
		return;

	/* rows come most zombies first: the first one short of it ends this */
	for (i = 0; i < snap->nr_rows && snap->rows[i].zombies >= threshold; i++) {
		const struct zw_row *row = &snap->rows[i];
		bool raised = false;

		list_for_each_entry(hp, &zw_high_parents, node)
			raised |= hp->ppid == row->ppid && hp->start_ns == row->start_ns;
		if (raised || zw_nr_high_parents >= ZWATCH_MAX_ROWS)
			continue;
		hp = kzalloc(sizeof(*hp), GFP_KERNEL);
		if (!hp) {
			atomic_long_inc(&zw.events_suppressed);
			continue;
		}
		hp->ppid = row->ppid;
		hp->start_ns = row->start_ns;
		memcpy(hp->comm, row->comm, sizeof(hp->comm));
		list_add_tail(&hp->node, &zw_high_parents);
		zw_nr_high_parents++;
		zw_ev_parent(queue, ZWATCH_EVENT_PARENT_HIGH, snap->zombies,
			     threshold, hp, row->zombies);
	}
}

static void zw_judge_spike(struct list_head *queue, unsigned int zombies,
			   unsigned int new_zombies)
{
	unsigned int threshold = zw_get(ZW_SPIKE_THRESHOLD);
	struct zw_event *ev;

	if (!threshold || new_zombies < threshold)
		return;
	ev = zw_ev_new(queue, ZWATCH_EVENT_SPIKE, zombies, threshold);
	if (!ev)
		return;
	zw_ev_add(ev, ZWATCH_UEV_NEW, "%u", new_zombies);
	zw_ev_add(ev, ZWATCH_UEV_INTERVAL_MS, "%u", zw_get(ZW_INTERVAL_MS));
}

/* Sliding window: an event may go if the BURST-th last one is old enough. */
static bool zw_rate_allows(void)
{
	unsigned long oldest = zw_sent_at[zw_sent_next];
	unsigned long window = msecs_to_jiffies(ZWATCH_EVENT_WINDOW_MS);

	if (oldest && time_before(jiffies, oldest + window)) {
		if (!zw_suppressing)
			pr_notice("more than %d events in %d ms: suppressing, counted in events_suppressed\n",
				  ZWATCH_EVENT_BURST, ZWATCH_EVENT_WINDOW_MS);
		zw_suppressing = true;
		return false;
	}
	zw_suppressing = false;
	/* 0 means "never sent": jiffies can be 0, so nudge it */
	zw_sent_at[zw_sent_next] = jiffies ? jiffies : 1;
	zw_sent_next = (zw_sent_next + 1) % ZWATCH_EVENT_BURST;
	return true;
}

static void zw_send(struct list_head *queue)
{
	struct zw_event *ev, *tmp;

	list_for_each_entry_safe(ev, tmp, queue, node) {
		char *envp[ZW_ENV_MAX + 1] = { NULL };
		unsigned int i;

		for (i = 0; i < ev->nr_env; i++)
			envp[i] = ev->env[i];
		if (zw_rate_allows() &&
		    !kobject_uevent_env(zw_events_kobj, KOBJ_CHANGE, envp))
			atomic_long_inc(&zw.events_sent);
		else
			atomic_long_inc(&zw.events_suppressed);
		list_del(&ev->node);
		kfree(ev);
	}
}

unsigned int zw_events_rows_needed(void)
{
	return zw_get(ZW_PARENT_THRESHOLD) || zw_nr_high_parents ?
	       ZWATCH_MAX_ROWS : 0;
}

void zw_events_scan(const struct zw_snapshot *snap, unsigned int new_zombies,
		    bool baseline)
{
	LIST_HEAD(queue);

	zw_judge_total(&queue, snap->zombies);
	zw_judge_parents(&queue, snap);
	if (!baseline)
		zw_judge_spike(&queue, snap->zombies, new_zombies);
	zw_send(&queue);
}

static void zw_events_release(struct kobject *kobj)
{
	kfree(kobj);
}

/* not const: kobject_init() took a mutable one before 6.2 */
static struct kobj_type zw_events_ktype = {
	.release = zw_events_release,
	.sysfs_ops = &kobj_sysfs_ops,
};

/*
 * The kobject that sends: a uevent needs a kset above its kobject, and
 * neither the kset's own kobject nor one straight under /sys/kernel has one.
 */
int zw_events_init(void)
{
	int err;

	zw_events_kobj = kzalloc(sizeof(*zw_events_kobj), GFP_KERNEL);
	if (!zw_events_kobj)
		return -ENOMEM;
	zw_events_kobj->kset = zw.kset;
	err = kobject_init_and_add(zw_events_kobj, &zw_events_ktype, NULL,
				   ZWATCH_UEVENT_KOBJ);
	if (err)
		kobject_put(zw_events_kobj);
	return err;
}

void zw_events_exit(void)
{
	struct zw_high_parent *hp, *tmp;

	list_for_each_entry_safe(hp, tmp, &zw_high_parents, node)
		kfree(hp);
	INIT_LIST_HEAD(&zw_high_parents);
	zw_nr_high_parents = 0;
	kobject_put(zw_events_kobj);
}
