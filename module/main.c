// SPDX-License-Identifier: GPL-2.0
/*
 * zwatch: finds zombie processes and the parents that leak them.
 *
 * Each part of the module has an init and an exit; this file calls them in
 * order and tears down in exact reverse, so that nothing a later part uses
 * goes away first: readers of /proc/zombies before the scan, the scan before
 * the events it sends and the sysfs it fills, all of them before the exit
 * set they read.
 */
#include <linux/module.h>
#include <linux/timekeeping.h>

#include "zwatch.h"

struct zw_state zw = {
	.config_lock = __MUTEX_INITIALIZER(zw.config_lock),
	/* nothing is known to be recorded until the first walk says so */
	.complete_gen = ATOMIC_INIT(-1),
};

static int __init zw_init(void)
{
	int err;

	zw.load_ns = ktime_get_boottime_ns();

	err = zw_track_init();
	if (err)
		return err;
	err = zw_sysfs_init();
	if (err)
		goto track_exit;
	err = zw_events_init();
	if (err)
		goto sysfs_exit;
	err = zw_scan_init();
	if (err)
		goto events_exit;
	err = zw_proc_init();
	if (err)
		goto scan_exit;
	return 0;

scan_exit:
	zw_scan_exit();
events_exit:
	zw_events_exit();
sysfs_exit:
	zw_sysfs_exit();
	zw_coalesce_exit();
track_exit:
	zw_track_exit();
	return err;
}

static void __exit zw_exit(void)
{
	zw_proc_exit();
	zw_scan_exit();
	zw_events_exit();
	zw_sysfs_exit();
	/* no reader is left to share the last snapshot */
	zw_coalesce_exit();
	zw_track_exit();
}

module_init(zw_init);
module_exit(zw_exit);

MODULE_DESCRIPTION("Find zombie processes and the parents that leak them");
MODULE_AUTHOR("The zwatch developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(ZWATCH_VERSION);
