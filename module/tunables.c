// SPDX-License-Identifier: GPL-2.0
/*
 * The read-write knobs.  Each is a load parameter and a file in
 * /sys/kernel/zwatch; both paths validate the same way.  Writes are
 * serialised by zw.config_lock and take effect at once; everything else
 * reads them with READ_ONCE().
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>

#include "zwatch.h"

/*
 * interval_ms: period of the background scan in ms; 0 means no periodic scan.
 * top_parents: how many parents get a by_parent/ directory; 0 means none.
 * threshold, parent_threshold, spike_threshold: counts that raise an alarm
 * (events.c), 0 means off; a change is judged at the next periodic scan.
 * hysteresis: how far below its threshold a count must fall to clear it.
 * max_tracked: how many exit records may be held (load time only): past it,
 * reads walk every task until the set holds every zombie again.
 */
struct zw_tunable zw_tunables[ZW_NR_TUNABLES] = {
	[ZW_INTERVAL_MS] = {
		.name = ZWATCH_ATTR_INTERVAL_MS,
		.val = ZWATCH_INTERVAL_MS_DEFAULT,
		.max = ZWATCH_INTERVAL_MS_MAX,
		.changed = zw_scan_reschedule,
	},
	[ZW_TOP_PARENTS] = {
		.name = ZWATCH_ATTR_TOP_PARENTS,
		.val = ZWATCH_TOP_PARENTS_DEFAULT,
		.max = ZWATCH_TOP_PARENTS_MAX,
		.changed = zw_scan_reschedule,
	},
	[ZW_THRESHOLD] = {
		.name = ZWATCH_ATTR_THRESHOLD,
		.max = ZWATCH_THRESHOLD_MAX,
	},
	[ZW_PARENT_THRESHOLD] = {
		.name = ZWATCH_ATTR_PARENT_THRESHOLD,
		.max = ZWATCH_THRESHOLD_MAX,
	},
	[ZW_SPIKE_THRESHOLD] = {
		.name = ZWATCH_ATTR_SPIKE_THRESHOLD,
		.max = ZWATCH_THRESHOLD_MAX,
	},
	[ZW_HYSTERESIS] = {
		.name = ZWATCH_ATTR_HYSTERESIS,
		.max = ZWATCH_THRESHOLD_MAX,
	},
	[ZW_MAX_TRACKED] = {
		.name = ZWATCH_ATTR_MAX_TRACKED,
		.val = ZWATCH_MAX_TRACKED,
		.min = ZWATCH_MAX_TRACKED_MIN,
		.max = ZWATCH_MAX_TRACKED_MAX,
		.load_only = true,
	},
};

/*
 * Decimal only, one optional trailing newline (what echo writes).  Returns
 * -EINVAL for anything that is not a number, -ERANGE outside [min, max].
 */
int zw_tunable_parse(const struct zw_tunable *t, const char *buf,
		     unsigned int *out)
{
	unsigned int val;
	int err;

	err = kstrtouint(buf, 10, &val);
	if (err)
		return err;
	if (val < t->min || val > t->max)
		return -ERANGE;
	*out = val;
	return 0;
}

int zw_tunable_store(enum zw_tunable_id id, const char *buf)
{
	struct zw_tunable *t = &zw_tunables[id];
	unsigned int val;
	int err;

	if (t->load_only)
		return -EPERM;
	err = zw_tunable_parse(t, buf, &val);
	if (err)
		return err;

	mutex_lock(&zw.config_lock);
	if (zw.stopping) {
		err = -ENODEV;
	} else if (val != t->val) {
		WRITE_ONCE(t->val, val);
		if (t->changed)
			t->changed();
	}
	mutex_unlock(&zw.config_lock);
	return err;
}

/*
 * At load, before init runs: nothing to tell yet.  Any refusal makes the load
 * fail with -EINVAL; the kernel logs "`VAL' invalid for parameter `NAME'".
 */
static int zw_param_set(const char *val, const struct kernel_param *kp)
{
	struct zw_tunable *t = kp->arg;
	unsigned int parsed;

	if (!val || zw_tunable_parse(t, val, &parsed))
		return -EINVAL;
	t->val = parsed;
	return 0;
}

static int zw_param_get(char *buffer, const struct kernel_param *kp)
{
	const struct zw_tunable *t = kp->arg;

	return sysfs_emit(buffer, "%u\n", READ_ONCE(t->val));
}

static const struct kernel_param_ops zw_param_ops = {
	.set = zw_param_set,
	.get = zw_param_get,
};

/* writable only through /sys/kernel/zwatch, where writes are validated */
module_param_cb(interval_ms, &zw_param_ops, &zw_tunables[ZW_INTERVAL_MS], 0444);
MODULE_PARM_DESC(interval_ms,
		 "background scan period in ms, 0 = none (0-3600000, default 1000)");
module_param_cb(top_parents, &zw_param_ops, &zw_tunables[ZW_TOP_PARENTS], 0444);
MODULE_PARM_DESC(top_parents,
		 "parents listed under by_parent/ (0-256, default 16)");
module_param_cb(threshold, &zw_param_ops, &zw_tunables[ZW_THRESHOLD], 0444);
MODULE_PARM_DESC(threshold,
		 "total zombies that raise total_high, 0 = off (0-4194304, default 0)");
module_param_cb(parent_threshold, &zw_param_ops,
		&zw_tunables[ZW_PARENT_THRESHOLD], 0444);
MODULE_PARM_DESC(parent_threshold,
		 "zombies of one parent that raise parent_high, 0 = off (0-4194304, default 0)");
module_param_cb(spike_threshold, &zw_param_ops,
		&zw_tunables[ZW_SPIKE_THRESHOLD], 0444);
MODULE_PARM_DESC(spike_threshold,
		 "new zombies between two scans that send spike, 0 = off (0-4194304, default 0)");
module_param_cb(hysteresis, &zw_param_ops, &zw_tunables[ZW_HYSTERESIS], 0444);
MODULE_PARM_DESC(hysteresis,
		 "how far below its threshold a count clears an alarm (0-4194304, default 0)");
module_param_cb(max_tracked, &zw_param_ops, &zw_tunables[ZW_MAX_TRACKED], 0444);
MODULE_PARM_DESC(max_tracked,
		 "exit records held at most, load time only (16-4194304, default 65536)");
