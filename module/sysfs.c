// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/zwatch: the global view (initial pid namespace), the
 * statistics of the scans, the tunables, and by_parent/<ppid>/ for the
 * parents with the most zombies.
 *
 * The directory is a kset, not a bare kobject: uevents need a kset above
 * the kobject that sends them.
 */
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>

#include "zwatch.h"

/* zombies, parents, defunct_leaders: always current, one snapshot a read */
static ssize_t zw_count_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	struct zw_snapshot *snap;
	struct zw_view view;
	unsigned int val;

	zw_view_global(&view);
	snap = zw_snapshot_get(&view, 0);
	if (IS_ERR(snap))
		return PTR_ERR(snap);
	if (!strcmp(attr->attr.name, ZWATCH_ATTR_ZOMBIES))
		val = snap->zombies;
	else if (!strcmp(attr->attr.name, ZWATCH_ATTR_PARENTS))
		val = snap->parents;
	else
		val = snap->defunct_leaders;
	zw_snapshot_put(snap);
	return sysfs_emit(buf, "%u\n", val);
}

static ssize_t zw_stat_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	const char *name = attr->attr.name;
	u64 val;

	if (!strcmp(name, ZWATCH_ATTR_TASKS))
		val = READ_ONCE(zw.tasks);
	else if (!strcmp(name, ZWATCH_ATTR_SCANS))
		val = READ_ONCE(zw.scans);
	else if (!strcmp(name, ZWATCH_ATTR_SCAN_NS))
		val = READ_ONCE(zw.scan_ns);
	else if (!strcmp(name, ZWATCH_ATTR_SCAN_MAX_SECTION_NS))
		val = atomic64_read(&zw.max_section_ns);
	else if (!strcmp(name, ZWATCH_ATTR_SECTIONS))
		val = atomic_long_read(&zw.sections);
	else if (!strcmp(name, ZWATCH_ATTR_SECTIONS_OVER_BUDGET))
		val = atomic_long_read(&zw.sections_over_budget);
	else if (!strcmp(name, ZWATCH_ATTR_TRACKED))
		val = atomic_read(&zw.tracked);
	else if (!strcmp(name, ZWATCH_ATTR_REPAIRS))
		val = atomic_long_read(&zw.repairs);
	else if (!strcmp(name, ZWATCH_ATTR_SNAPSHOTS))
		val = atomic_long_read(&zw.snapshots);
	else if (!strcmp(name, ZWATCH_ATTR_EVENTS_SENT))
		val = atomic_long_read(&zw.events_sent);
	else if (!strcmp(name, ZWATCH_ATTR_EVENTS_SUPPRESSED))
		val = atomic_long_read(&zw.events_suppressed);
	else
		val = atomic_long_read(&zw.lost);
	return sysfs_emit(buf, "%llu\n", val);
}

/* poll()-able: events.c calls sysfs_notify() on every change */
static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", READ_ONCE(zw.total_high) ?
			  ZWATCH_STATE_HIGH : ZWATCH_STATE_OK);
}

struct zw_tunable_attr {
	struct kobj_attribute attr;
	enum zw_tunable_id id;
};

static ssize_t zw_tunable_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	struct zw_tunable_attr *ta = container_of(attr, struct zw_tunable_attr,
						  attr);

	return sysfs_emit(buf, "%u\n", zw_get(ta->id));
}

static ssize_t zw_tunable_store_attr(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	struct zw_tunable_attr *ta = container_of(attr, struct zw_tunable_attr,
						  attr);
	int err;

	/* "12\0junk" must not pass for 12 */
	if (memchr(buf, '\0', count))
		return -EINVAL;
	err = zw_tunable_store(ta->id, buf);
	return err ? err : count;
}

#define ZW_COUNT_ATTR(_name) \
	static struct kobj_attribute zw_attr_##_name = __ATTR(_name, 0444, zw_count_show, NULL)
#define ZW_STAT_ATTR(_name) \
	static struct kobj_attribute zw_attr_##_name = __ATTR(_name, 0444, zw_stat_show, NULL)
#define ZW_TUNABLE_ATTR(_name, _id)					\
	static struct zw_tunable_attr zw_attr_##_name = {		\
		.attr = __ATTR(_name, 0644, zw_tunable_show,		\
			       zw_tunable_store_attr),			\
		.id = _id,						\
	}

ZW_COUNT_ATTR(zombies);
ZW_COUNT_ATTR(parents);
ZW_COUNT_ATTR(defunct_leaders);
ZW_STAT_ATTR(tasks);
ZW_STAT_ATTR(scans);
ZW_STAT_ATTR(scan_ns);
ZW_STAT_ATTR(scan_max_section_ns);
ZW_STAT_ATTR(sections);
ZW_STAT_ATTR(sections_over_budget);
ZW_STAT_ATTR(tracked);
ZW_STAT_ATTR(repairs);
ZW_STAT_ATTR(lost);
ZW_STAT_ATTR(snapshots);
ZW_STAT_ATTR(events_sent);
ZW_STAT_ATTR(events_suppressed);
static struct kobj_attribute zw_attr_state = __ATTR_RO(state);
ZW_TUNABLE_ATTR(interval_ms, ZW_INTERVAL_MS);
ZW_TUNABLE_ATTR(top_parents, ZW_TOP_PARENTS);
ZW_TUNABLE_ATTR(threshold, ZW_THRESHOLD);
ZW_TUNABLE_ATTR(parent_threshold, ZW_PARENT_THRESHOLD);
ZW_TUNABLE_ATTR(spike_threshold, ZW_SPIKE_THRESHOLD);
ZW_TUNABLE_ATTR(hysteresis, ZW_HYSTERESIS);
static struct zw_tunable_attr zw_attr_max_tracked = {
	.attr = __ATTR(max_tracked, 0444, zw_tunable_show, NULL),
	.id = ZW_MAX_TRACKED,
};

static struct attribute *zw_attrs[] = {
	&zw_attr_zombies.attr,
	&zw_attr_parents.attr,
	&zw_attr_defunct_leaders.attr,
	&zw_attr_tasks.attr,
	&zw_attr_scans.attr,
	&zw_attr_scan_ns.attr,
	&zw_attr_scan_max_section_ns.attr,
	&zw_attr_sections.attr,
	&zw_attr_sections_over_budget.attr,
	&zw_attr_tracked.attr,
	&zw_attr_repairs.attr,
	&zw_attr_lost.attr,
	&zw_attr_snapshots.attr,
	&zw_attr_events_sent.attr,
	&zw_attr_events_suppressed.attr,
	&zw_attr_state.attr,
	&zw_attr_interval_ms.attr.attr,
	&zw_attr_top_parents.attr.attr,
	&zw_attr_threshold.attr.attr,
	&zw_attr_parent_threshold.attr.attr,
	&zw_attr_spike_threshold.attr.attr,
	&zw_attr_hysteresis.attr.attr,
	&zw_attr_max_tracked.attr.attr,
	NULL,
};

static const struct attribute_group zw_group = {
	.attrs = zw_attrs,
};

/*
 * by_parent/<ppid>/: one kobject per listed parent.  The list is changed
 * under config_lock; the values under zw_parent_lock, because removing a
 * directory waits for its show() calls, which must not need config_lock.
 */
struct zw_parent_dir {
	struct kobject kobj;
	struct list_head node;
	pid_t ppid;
	unsigned int zombies;
	u64 oldest_exit_ns;
	u64 start_ticks;
	char comm[TASK_COMM_LEN];
	char *cgroup;
};

static LIST_HEAD(zw_parent_dirs);
static DEFINE_SPINLOCK(zw_parent_lock);

static struct zw_parent_dir *to_parent_dir(struct kobject *kobj)
{
	return container_of(kobj, struct zw_parent_dir, kobj);
}

static ssize_t zw_parent_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	struct zw_parent_dir *d = to_parent_dir(kobj);
	const char *name = attr->attr.name;
	ssize_t len;

	spin_lock(&zw_parent_lock);
	if (!strcmp(name, ZWATCH_PATTR_ZOMBIES)) {
		len = sysfs_emit(buf, "%u\n", d->zombies);
	} else if (!strcmp(name, ZWATCH_PATTR_OLDEST_S)) {
		u64 now = ktime_get_boottime_ns();

		len = sysfs_emit(buf, "%llu\n", now > d->oldest_exit_ns ?
				 div_u64(now - d->oldest_exit_ns, NSEC_PER_SEC) : 0);
	} else if (!strcmp(name, ZWATCH_PATTR_START)) {
		len = sysfs_emit(buf, "%llu\n", d->start_ticks);
	} else if (!strcmp(name, ZWATCH_PATTR_COMM)) {
		len = sysfs_emit(buf, "%s\n", d->comm);
	} else {
		len = sysfs_emit(buf, "%s\n",
				 d->cgroup ? d->cgroup : ZWATCH_NO_CGROUP);
	}
	spin_unlock(&zw_parent_lock);
	return len;
}

#define ZW_PARENT_ATTR(_name) \
	static struct kobj_attribute zw_pattr_##_name = __ATTR(_name, 0444, zw_parent_show, NULL)

ZW_PARENT_ATTR(zombies);
ZW_PARENT_ATTR(oldest_s);
ZW_PARENT_ATTR(start);
ZW_PARENT_ATTR(comm);
ZW_PARENT_ATTR(cgroup);

static struct attribute *zw_parent_attrs[] = {
	&zw_pattr_zombies.attr,
	&zw_pattr_oldest_s.attr,
	&zw_pattr_start.attr,
	&zw_pattr_comm.attr,
	&zw_pattr_cgroup.attr,
	NULL,
};
ATTRIBUTE_GROUPS(zw_parent);

static void zw_parent_release(struct kobject *kobj)
{
	struct zw_parent_dir *d = to_parent_dir(kobj);

	kfree(d->cgroup);
	kfree(d);
}

/* not const: kobject_init() took a mutable one before 6.2 */
static struct kobj_type zw_parent_ktype = {
	.release = zw_parent_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = zw_parent_groups,
};

static void zw_parent_dir_fill(struct zw_parent_dir *d, const struct zw_row *row)
{
	char *cgroup = row->cgroup ? kstrdup(row->cgroup, GFP_KERNEL) : NULL;

	spin_lock(&zw_parent_lock);
	d->zombies = row->zombies;
	d->oldest_exit_ns = row->oldest_exit_ns;
	d->start_ticks = zw_ticks(row->start_ns);
	memcpy(d->comm, row->comm, sizeof(d->comm));
	swap(d->cgroup, cgroup);
	spin_unlock(&zw_parent_lock);
	kfree(cgroup);
}

static void zw_parent_dir_add(const struct zw_row *row)
{
	struct zw_parent_dir *d = kzalloc(sizeof(*d), GFP_KERNEL);

	if (!d)
		return;
	d->ppid = row->ppid;
	zw_parent_dir_fill(d, row);
	kobject_init(&d->kobj, &zw_parent_ktype);
	if (kobject_add(&d->kobj, zw.by_parent, "%d", row->ppid)) {
		kobject_put(&d->kobj);
		return;
	}
	list_add_tail(&d->node, &zw_parent_dirs);
}

static void zw_parent_dir_del(struct zw_parent_dir *d)
{
	list_del(&d->node);
	kobject_del(&d->kobj);
	kobject_put(&d->kobj);
}

static const struct zw_row *zw_find_row(const struct zw_snapshot *snap,
					unsigned int top, pid_t ppid)
{
	unsigned int i;

	for (i = 0; i < top; i++)
		if (snap->rows[i].ppid == ppid)
			return &snap->rows[i];
	return NULL;
}

/* by_parent/ shows the first @top rows of @snap */
void zw_sysfs_publish(const struct zw_snapshot *snap, unsigned int top)
{
	struct zw_parent_dir *d, *tmp;
	unsigned int i;

	top = min(top, snap->nr_rows);
	mutex_lock(&zw.config_lock);
	if (zw.stopping)
		goto unlock;
	list_for_each_entry_safe(d, tmp, &zw_parent_dirs, node) {
		const struct zw_row *row = zw_find_row(snap, top, d->ppid);

		if (row)
			zw_parent_dir_fill(d, row);
		else
			zw_parent_dir_del(d);
	}
	for (i = 0; i < top; i++) {
		bool listed = false;

		list_for_each_entry(d, &zw_parent_dirs, node)
			listed |= d->ppid == snap->rows[i].ppid;
		if (!listed)
			zw_parent_dir_add(&snap->rows[i]);
	}
unlock:
	mutex_unlock(&zw.config_lock);
}

int zw_sysfs_init(void)
{
	int err;

	zw.kset = kset_create_and_add(ZWATCH_MODULE_NAME, NULL, kernel_kobj);
	if (!zw.kset)
		return -ENOMEM;
	err = sysfs_create_group(&zw.kset->kobj, &zw_group);
	if (err)
		goto put_kset;
	zw.by_parent = kobject_create_and_add(ZWATCH_SYSFS_BY_PARENT,
					      &zw.kset->kobj);
	if (!zw.by_parent) {
		err = -ENOMEM;
		goto remove_group;
	}
	return 0;

remove_group:
	sysfs_remove_group(&zw.kset->kobj, &zw_group);
put_kset:
	kset_unregister(zw.kset);
	return err;
}

void zw_sysfs_exit(void)
{
	struct zw_parent_dir *d, *tmp;

	mutex_lock(&zw.config_lock);
	list_for_each_entry_safe(d, tmp, &zw_parent_dirs, node)
		zw_parent_dir_del(d);
	mutex_unlock(&zw.config_lock);
	kobject_put(zw.by_parent);
	sysfs_remove_group(&zw.kset->kobj, &zw_group);
	kset_unregister(zw.kset);
}
