// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/zwatch: counters against the test's own zombies, tunables
 * against good and bad input, by_parent against the top parents, and load
 * parameters.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "zw_lib.h"

static unsigned long long zw_get(const char *name)
{
	unsigned long long val = ~0ULL;

	if (zw_sysfs_read(name, &val))
		return ~0ULL;
	return val;
}

static int zw_count_pid_dirs(void)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir("/proc");

	while (d && (de = readdir(d)))
		n += de->d_name[0] >= '1' && de->d_name[0] <= '9';
	if (d)
		closedir(d);
	return n;
}

static void zw_wait_scans(unsigned long long n)
{
	unsigned long long target = zw_get(ZWATCH_ATTR_SCANS) + n;
	int i;

	for (i = 0; i < 200 && zw_get(ZWATCH_ATTR_SCANS) < target; i++)
		usleep(20000);
}

TEST(counters_match_proc)
{
	struct zw_factory a, b;
	struct zw_table t;
	int dirs;

	ASSERT_EQ(0, zw_module_ensure());
	ASSERT_EQ(0, zw_factory_start(&a, "zw-sys-a", 4, 0));
	ASSERT_EQ(0, zw_factory_start(&b, "zw-sys-b", 1, 0));
	ASSERT_EQ(0, zw_factory_add_defunct(&b));

	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &t));
	EXPECT_GE(t.zombies, 5);
	EXPECT_GE(t.defunct_leaders, 1);
	EXPECT_EQ(t.zombies, zw_get(ZWATCH_ATTR_ZOMBIES));
	EXPECT_EQ(t.parents, zw_get(ZWATCH_ATTR_PARENTS));
	EXPECT_EQ(t.defunct_leaders, zw_get(ZWATCH_ATTR_DEFUNCT_LEADERS));
	zw_table_free(&t);

	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "100", 3));
	zw_wait_scans(2);
	dirs = zw_count_pid_dirs();
	/* tasks counts processes: the /proc of the same moment, give or take */
	EXPECT_LE(llabs((long long)zw_get(ZWATCH_ATTR_TASKS) - dirs), 5);
	EXPECT_GT(zw_get(ZWATCH_ATTR_SCAN_NS), 0);
	/*
	 * Measured, and nonzero.  Whether it stays under the budget is for a
	 * walk long enough to need breaking (the scale test): here a busy
	 * host that pauses the emulated CPU would stretch any section.
	 */
	EXPECT_GT(zw_get(ZWATCH_ATTR_SCAN_MAX_SECTION_NS), 0);
	EXPECT_GE(zw_get(ZWATCH_ATTR_TRACKED), 6);
	EXPECT_EQ(0, zw_get(ZWATCH_ATTR_REPAIRS));
	EXPECT_EQ(0, zw_get(ZWATCH_ATTR_LOST));

	ASSERT_EQ(0, zw_factory_end_defunct(&b));
	zw_factory_stop(&a);
	zw_factory_stop(&b);
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "1000", 4));
}

TEST(interval_takes_effect_at_once)
{
	unsigned long long before;

	ASSERT_EQ(0, zw_module_ensure());
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "0", 1));
	usleep(300000);
	before = zw_get(ZWATCH_ATTR_SCANS);
	sleep(1);
	EXPECT_EQ(before, zw_get(ZWATCH_ATTR_SCANS));

	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "50", 2));
	usleep(800000);
	EXPECT_GE(zw_get(ZWATCH_ATTR_SCANS), before + 5);
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "1000", 4));
}

struct bad_input {
	const char *attr;
	const char *buf;
	size_t len;
	int err;
};

TEST(bad_input_changes_nothing)
{
	static const struct bad_input bad[] = {
		/* write(2) of nothing never reaches the file: a no-op */
		{ ZWATCH_ATTR_INTERVAL_MS, "", 0, 0 },
		{ ZWATCH_ATTR_INTERVAL_MS, "\n", 1, EINVAL },
		{ ZWATCH_ATTR_INTERVAL_MS, "abc", 3, EINVAL },
		{ ZWATCH_ATTR_INTERVAL_MS, "-1", 2, EINVAL },
		{ ZWATCH_ATTR_INTERVAL_MS, "12abc", 5, EINVAL },
		{ ZWATCH_ATTR_INTERVAL_MS, " 12", 3, EINVAL },
		{ ZWATCH_ATTR_INTERVAL_MS, "0x10", 4, EINVAL },
		{ ZWATCH_ATTR_INTERVAL_MS, "12\0 34", 6, EINVAL },
		{ ZWATCH_ATTR_INTERVAL_MS, "3600001", 7, ERANGE },
		{ ZWATCH_ATTR_INTERVAL_MS, "99999999999999999999", 20, ERANGE },
		{ ZWATCH_ATTR_TOP_PARENTS, "257", 3, ERANGE },
		{ ZWATCH_ATTR_TOP_PARENTS, "4294967296", 10, ERANGE },
		{ ZWATCH_ATTR_TOP_PARENTS, "1.5", 3, EINVAL },
		{ ZWATCH_ATTR_THRESHOLD, "4194305", 7, ERANGE },
		{ ZWATCH_ATTR_THRESHOLD, "ten", 3, EINVAL },
		{ ZWATCH_ATTR_PARENT_THRESHOLD, "-3", 2, EINVAL },
		{ ZWATCH_ATTR_SPIKE_THRESHOLD, "5000000", 7, ERANGE },
		{ ZWATCH_ATTR_HYSTERESIS, "1e3", 3, EINVAL },
	};
	unsigned int i;

	ASSERT_EQ(0, zw_module_ensure());
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "777\n", 4));
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_TOP_PARENTS, "9", 1));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-bad[i].err, zw_sysfs_write(bad[i].attr, bad[i].buf,
						      bad[i].len))
			TH_LOG("writing '%s' to %s", bad[i].buf, bad[i].attr);
	}
	EXPECT_EQ(777, zw_get(ZWATCH_ATTR_INTERVAL_MS));
	EXPECT_EQ(9, zw_get(ZWATCH_ATTR_TOP_PARENTS));

	/* every alarm knob takes its whole range, edges included */
	EXPECT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_THRESHOLD, "4194304", 7));
	EXPECT_EQ(4194304, zw_get(ZWATCH_ATTR_THRESHOLD));
	EXPECT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_THRESHOLD, "0", 1));
	EXPECT_EQ(0, zw_get(ZWATCH_ATTR_THRESHOLD));
	EXPECT_EQ(0, zw_get(ZWATCH_ATTR_PARENT_THRESHOLD));
	EXPECT_EQ(0, zw_get(ZWATCH_ATTR_SPIKE_THRESHOLD));
	EXPECT_EQ(0, zw_get(ZWATCH_ATTR_HYSTERESIS));

	/* edges of the documented ranges are accepted */
	EXPECT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_TOP_PARENTS, "256", 3));
	EXPECT_EQ(256, zw_get(ZWATCH_ATTR_TOP_PARENTS));
	EXPECT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "3600000", 7));
	EXPECT_EQ(3600000, zw_get(ZWATCH_ATTR_INTERVAL_MS));

	/* read-only files refuse writes */
	EXPECT_EQ(-EACCES, zw_sysfs_write(ZWATCH_ATTR_ZOMBIES, "1", 1));

	EXPECT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_TOP_PARENTS, "16", 2));
	EXPECT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "1000", 4));
}

static int zw_read_parent_attr(int ppid, const char *attr, char *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s/%d/%s", ZWATCH_SYSFS_DIR,
		 ZWATCH_SYSFS_BY_PARENT, ppid, attr);
	return zw_sysfs_read_str(path, buf, len);
}

TEST(by_parent_lists_the_top)
{
	struct zw_factory big, mid, small;
	char buf[4096], want[64];
	int n = 0;
	struct dirent *de;
	DIR *d;

	struct timespec t0, t1;

	ASSERT_EQ(0, zw_module_ensure());
	clock_gettime(CLOCK_BOOTTIME, &t0);
	ASSERT_EQ(0, zw_factory_start(&big, "zw big one", 30, 0));
	ASSERT_EQ(0, zw_factory_start(&mid, "zw-mid", 20, 0));
	ASSERT_EQ(0, zw_factory_start(&small, "zw-small", 1, 0));
	/* writing top_parents rescans at once */
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_TOP_PARENTS, "2", 1));
	zw_wait_scans(1);

	d = opendir(ZWATCH_SYSFS_DIR "/" ZWATCH_SYSFS_BY_PARENT);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	EXPECT_EQ(2, n);

	ASSERT_EQ(0, zw_read_parent_attr(big.pid, ZWATCH_PATTR_ZOMBIES, buf, sizeof(buf)));
	EXPECT_STREQ("30\n", buf);
	ASSERT_EQ(0, zw_read_parent_attr(big.pid, ZWATCH_PATTR_COMM, buf, sizeof(buf)));
	EXPECT_STREQ("zw big one\n", buf);
	ASSERT_EQ(0, zw_read_parent_attr(big.pid, ZWATCH_PATTR_START, buf, sizeof(buf)));
	snprintf(want, sizeof(want), "%llu\n", zw_truth_start("/proc", big.pid));
	EXPECT_STREQ(want, buf);
	ASSERT_EQ(0, zw_read_parent_attr(big.pid, ZWATCH_PATTR_CGROUP, buf, sizeof(buf)));
	EXPECT_EQ('/', buf[0]);
	ASSERT_EQ(0, zw_read_parent_attr(big.pid, ZWATCH_PATTR_OLDEST_S, buf, sizeof(buf)));
	/* no older than the test's first zombie (seconds, on the debug kernel) */
	clock_gettime(CLOCK_BOOTTIME, &t1);
	EXPECT_LE(atoi(buf), t1.tv_sec - t0.tv_sec + 1);
	ASSERT_EQ(0, zw_read_parent_attr(mid.pid, ZWATCH_PATTR_ZOMBIES, buf, sizeof(buf)));
	EXPECT_STREQ("20\n", buf);
	EXPECT_EQ(-ENOENT, zw_read_parent_attr(small.pid, ZWATCH_PATTR_ZOMBIES, buf, sizeof(buf)));

	/* a parent that leaves the top set loses its directory */
	ASSERT_EQ(0, zw_factory_reap(&big));
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_TOP_PARENTS, "3", 1));
	zw_wait_scans(1);
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_TOP_PARENTS, "2", 1));
	zw_wait_scans(1);
	EXPECT_EQ(-ENOENT, zw_read_parent_attr(big.pid, ZWATCH_PATTR_ZOMBIES, buf, sizeof(buf)));
	EXPECT_EQ(0, zw_read_parent_attr(small.pid, ZWATCH_PATTR_ZOMBIES, buf, sizeof(buf)));

	zw_factory_stop(&big);
	zw_factory_stop(&mid);
	zw_factory_stop(&small);
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_TOP_PARENTS, "16", 2));
}

static int zw_dmesg_has(const char *needle)
{
	char line[512];
	int found = 0;
	FILE *f = popen("dmesg", "r");

	while (f && fgets(line, sizeof(line), f))
		found |= !!strstr(line, needle);
	if (f)
		pclose(f);
	return found;
}

TEST(load_parameters)
{
	static const char * const bad[] = {
		"interval_ms=abc", "interval_ms=3600001", "interval_ms=-5",
		"top_parents=257", "top_parents=", "interval_ms",
		"threshold=4194305", "parent_threshold=x", "spike_threshold=-1",
		"hysteresis=0x5",
	};
	unsigned int i;

	if (zw_module_loaded())
		ASSERT_EQ(0, zw_module_unload());
	ASSERT_EQ(0, zw_module_load("interval_ms=500 top_parents=3 threshold=7 "
				    "parent_threshold=8 spike_threshold=9 hysteresis=2"));
	EXPECT_EQ(500, zw_get(ZWATCH_ATTR_INTERVAL_MS));
	EXPECT_EQ(3, zw_get(ZWATCH_ATTR_TOP_PARENTS));
	EXPECT_EQ(7, zw_get(ZWATCH_ATTR_THRESHOLD));
	EXPECT_EQ(8, zw_get(ZWATCH_ATTR_PARENT_THRESHOLD));
	EXPECT_EQ(9, zw_get(ZWATCH_ATTR_SPIKE_THRESHOLD));
	EXPECT_EQ(2, zw_get(ZWATCH_ATTR_HYSTERESIS));
	ASSERT_EQ(0, zw_module_unload());

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char needle[128];

		EXPECT_EQ(-EINVAL, zw_module_load(bad[i])) TH_LOG("%s", bad[i]);
		EXPECT_FALSE(zw_module_loaded());
		/* the kernel's own line names the parameter and the value */
		snprintf(needle, sizeof(needle), "invalid for parameter `%.*s'",
			 (int)strcspn(bad[i], "="), bad[i]);
		EXPECT_TRUE(zw_dmesg_has(needle)) TH_LOG("no log line for %s", bad[i]);
	}
	ASSERT_EQ(0, zw_module_load(NULL));
	EXPECT_EQ(ZWATCH_INTERVAL_MS_DEFAULT, zw_get(ZWATCH_ATTR_INTERVAL_MS));
	EXPECT_EQ(ZWATCH_TOP_PARENTS_DEFAULT, zw_get(ZWATCH_ATTR_TOP_PARENTS));
}

TEST_HARNESS_MAIN
