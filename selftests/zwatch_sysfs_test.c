// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/zwatch: counters against the test's own zombies, tunables
 * against good and bad input, by_parent against the top parents, and load
 * parameters.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "zw_lib.h"

/*
 * Write a tunable that reschedules the scan, and wait for that scan: true
 * once a scan that began after the write has completed.  The count is read
 * before the write, so a fast scan cannot be missed.
 */
static bool zw_write_scanned(const char *attr, const char *val)
{
	unsigned long long from = zw_attr(ZWATCH_ATTR_SCANS);

	if (zw_sysfs_write(attr, val, strlen(val)))
		return false;
	return zw_wait_scans_to(from + 1);
}

TEST(counters_match_proc)
{
	struct zw_truth before, truth;
	unsigned long long sys[3];
	const struct zw_row *ra, *rb;
	struct zw_factory a, b;
	unsigned int sum = 0;
	struct zw_table t;
	int dirs, i;

	ASSERT_EQ(0, zw_module_ensure());
	ASSERT_EQ(0, zw_settle());
	ASSERT_EQ(0, zw_factory_start(&a, "zw-sys-a", 4, 0));
	ASSERT_EQ(0, zw_factory_start(&b, "zw-sys-b", 1, 0));
	ASSERT_EQ(0, zw_read_at_rest(&t, sys, &before));
	zw_table_free(&t);
	/* Z in ps like the rest: counted apart, never as a zombie */
	ASSERT_EQ(0, zw_factory_add_defunct(&b));

	ASSERT_EQ(0, zw_read_at_rest(&t, sys, &truth));
	/* what the test did: one more defunct leader, no more zombies */
	EXPECT_EQ(before.zombies, truth.zombies);
	EXPECT_EQ(before.defunct_leaders + 1, truth.defunct_leaders);
	EXPECT_EQ(truth.zombies, t.zombies) TH_LOG("%s", t.text);
	EXPECT_EQ(truth.defunct_leaders, t.defunct_leaders) TH_LOG("%s", t.text);
	EXPECT_EQ(truth.zombies, sys[0]);
	EXPECT_EQ(truth.defunct_leaders, sys[2]);
	/*
	 * parents: each row holds exactly /proc's zombies of that parent and
	 * together they hold /proc's total, so no parent is missing or extra
	 */
	for (i = 0; i < t.nr_rows; i++) {
		EXPECT_EQ(zw_truth_zombies_of("/proc", t.rows[i].ppid),
			  (int)t.rows[i].zombies) TH_LOG("ppid %d", t.rows[i].ppid);
		sum += t.rows[i].zombies;
	}
	EXPECT_EQ(truth.zombies, sum);
	EXPECT_EQ(0, t.cut);
	EXPECT_EQ(t.nr_rows, (int)t.parents);
	EXPECT_EQ(t.parents, sys[1]);
	ra = zw_table_find(&t, a.pid);
	rb = zw_table_find(&t, b.pid);
	ASSERT_NE(NULL, ra);
	ASSERT_NE(NULL, rb);
	EXPECT_EQ(4, ra->zombies);
	EXPECT_EQ(1, rb->zombies);
	zw_table_free(&t);

	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "100", 3));
	ASSERT_TRUE(zw_wait_scans(2));
	dirs = zw_proc_tasks();
	/* tasks counts processes: the /proc of the same moment, give or take */
	EXPECT_LE(llabs((long long)zw_attr(ZWATCH_ATTR_TASKS) - dirs), 5);
	EXPECT_GT(zw_attr(ZWATCH_ATTR_SCAN_NS), 0);
	/*
	 * Measured, and nonzero.  Whether it stays under the budget is for a
	 * walk long enough to need breaking (the scale test): here a busy
	 * host that pauses the emulated CPU would stretch any section.
	 */
	EXPECT_GT(zw_attr(ZWATCH_ATTR_SCAN_MAX_SECTION_NS), 0);
	/* every task in state Z has its record (and reaped ones may linger) */
	EXPECT_GE(zw_attr(ZWATCH_ATTR_TRACKED), 6);
	EXPECT_GE(zw_attr(ZWATCH_ATTR_TRACKED),
		  truth.zombies + truth.defunct_leaders);
	EXPECT_EQ(0, zw_attr(ZWATCH_ATTR_REPAIRS));
	EXPECT_EQ(0, zw_attr(ZWATCH_ATTR_LOST));

	ASSERT_EQ(0, zw_factory_end_defunct(&b));
	zw_factory_stop(&a);
	zw_factory_stop(&b);
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "1000", 4));
}

TEST(interval_takes_effect_at_once)
{
	unsigned long long before, after;
	double t0, t1;

	ASSERT_EQ(0, zw_module_ensure());
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "0", 1));
	zw_scans_quiet();
	before = zw_attr(ZWATCH_ATTR_SCANS);
	sleep(1);
	EXPECT_EQ(before, zw_attr(ZWATCH_ATTR_SCANS));

	t0 = zw_now();
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "50", 2));
	usleep(800000);
	after = zw_attr(ZWATCH_ATTR_SCANS);
	t1 = zw_now();
	EXPECT_GE(after, before + 5);
	/*
	 * and no faster than asked: the write's own scan, then one per 50 ms
	 * at most (each is queued 50 ms after the last one ended)
	 */
	EXPECT_LE(after - before, (unsigned long long)((t1 - t0) * 1000 / 50) + 2);
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "1000", 4));
}

struct bad_input {
	const char *attr;
	const char *buf;
	size_t len;
	int err;
};

/* every read-write knob, each preset to a value of its own */
static const struct {
	const char *attr;
	unsigned long long preset;
} zw_knobs[] = {
	{ ZWATCH_ATTR_INTERVAL_MS, 777 },
	{ ZWATCH_ATTR_TOP_PARENTS, 5 },
	{ ZWATCH_ATTR_THRESHOLD, 7 },
	{ ZWATCH_ATTR_PARENT_THRESHOLD, 8 },
	{ ZWATCH_ATTR_SPIKE_THRESHOLD, 9 },
	{ ZWATCH_ATTR_HYSTERESIS, 2 },
};

#define ZW_NR_KNOBS	ARRAY_SIZE(zw_knobs)

static int zw_write_ull(const char *attr, unsigned long long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu\n", val);
	return zw_sysfs_write(attr, buf, strlen(buf));
}

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
		{ ZWATCH_ATTR_TOP_PARENTS, "", 0, 0 },
		{ ZWATCH_ATTR_THRESHOLD, "4194305", 7, ERANGE },
		{ ZWATCH_ATTR_THRESHOLD, "ten", 3, EINVAL },
		{ ZWATCH_ATTR_THRESHOLD, "0\0", 2, EINVAL },
		{ ZWATCH_ATTR_PARENT_THRESHOLD, "4194305", 7, ERANGE },
		{ ZWATCH_ATTR_PARENT_THRESHOLD, "-3", 2, EINVAL },
		{ ZWATCH_ATTR_PARENT_THRESHOLD, "4294967296", 10, ERANGE },
		{ ZWATCH_ATTR_SPIKE_THRESHOLD, "4194305", 7, ERANGE },
		{ ZWATCH_ATTR_SPIKE_THRESHOLD, "5000000", 7, ERANGE },
		{ ZWATCH_ATTR_SPIKE_THRESHOLD, "9 ", 2, EINVAL },
		{ ZWATCH_ATTR_HYSTERESIS, "4194305", 7, ERANGE },
		{ ZWATCH_ATTR_HYSTERESIS, "1e3", 3, EINVAL },
		{ ZWATCH_ATTR_HYSTERESIS, "+", 1, EINVAL },
	};
	char max[32];
	unsigned int i;

	ASSERT_EQ(0, zw_module_ensure());
	/* a bad write that stored anything, 0 or another knob's, shows */
	for (i = 0; i < ZW_NR_KNOBS; i++)
		ASSERT_EQ(0, zw_write_ull(zw_knobs[i].attr, zw_knobs[i].preset));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-bad[i].err, zw_sysfs_write(bad[i].attr, bad[i].buf,
						      bad[i].len))
			TH_LOG("writing '%s' to %s", bad[i].buf, bad[i].attr);
	}
	/* read-only files refuse writes */
	EXPECT_EQ(-EACCES, zw_sysfs_write(ZWATCH_ATTR_ZOMBIES, "1", 1));
	EXPECT_EQ(-EACCES, zw_sysfs_write(ZWATCH_ATTR_MAX_TRACKED, "16", 2));
	for (i = 0; i < ZW_NR_KNOBS; i++) {
		const char *attr = zw_knobs[i].attr;

		EXPECT_EQ(zw_knobs[i].preset, zw_attr(attr))
			TH_LOG("%s changed", attr);
	}

	/* every alarm knob takes its whole range, edges included */
	snprintf(max, sizeof(max), "%d", ZWATCH_THRESHOLD_MAX);
	for (i = 2; i < ZW_NR_KNOBS; i++) {
		EXPECT_EQ(0, zw_sysfs_write(zw_knobs[i].attr, max, strlen(max)));
		EXPECT_EQ(ZWATCH_THRESHOLD_MAX, zw_attr(zw_knobs[i].attr))
			TH_LOG("%s", zw_knobs[i].attr);
	}
	for (i = 2; i < ZW_NR_KNOBS; i++) {
		EXPECT_EQ(0, zw_sysfs_write(zw_knobs[i].attr, "0", 1));
		EXPECT_EQ(0, zw_attr(zw_knobs[i].attr)) TH_LOG("%s", zw_knobs[i].attr);
	}

	/* edges of the documented ranges are accepted */
	EXPECT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_TOP_PARENTS, "256", 3));
	EXPECT_EQ(256, zw_attr(ZWATCH_ATTR_TOP_PARENTS));
	EXPECT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_TOP_PARENTS, "0", 1));
	EXPECT_EQ(0, zw_attr(ZWATCH_ATTR_TOP_PARENTS));
	EXPECT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "3600000", 7));
	EXPECT_EQ(3600000, zw_attr(ZWATCH_ATTR_INTERVAL_MS));

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

/*
 * oldest_s of a parent whose oldest zombie exited between @made0 and @made1,
 * read between @read0 and @read1, is at least and at most this (whole s)
 */
static long long zw_age_lo(double made1, double read0)
{
	return (long long)(read0 - made1);
}

static long long zw_age_hi(double made0, double read1)
{
	return (long long)(read1 - made0);
}

static long long zw_parent_age(int ppid, double *read0, double *read1)
{
	char buf[64];
	int err;

	*read0 = zw_now();
	err = zw_read_parent_attr(ppid, ZWATCH_PATTR_OLDEST_S, buf, sizeof(buf));
	*read1 = zw_now();
	return err ? err : atoll(buf);
}

TEST(by_parent_lists_the_top)
{
	struct zw_factory big, mid, small;
	double big0, big1, mid0, mid1, r0, r1;
	char buf[4096], want[64];
	long long age;
	int n = 0;
	struct dirent *de;
	DIR *d;

	ASSERT_EQ(0, zw_module_ensure());
	/*
	 * No periodic scan: what by_parent shows below can only come from
	 * the scan that each write of top_parents runs at once.
	 */
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "0", 1));
	zw_scans_quiet();
	big0 = zw_now();
	ASSERT_EQ(0, zw_factory_start(&big, "zw big one", 30, 0));
	big1 = zw_now();
	mid0 = big1;
	ASSERT_EQ(0, zw_factory_start(&mid, "zw-mid", 20, 0));
	mid1 = zw_now();
	ASSERT_EQ(0, zw_factory_start(&small, "zw-small", 1, 0));
	ASSERT_TRUE(zw_write_scanned(ZWATCH_ATTR_TOP_PARENTS, "2"));

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
	/* as old as the zombies the test made, by the test's own clock */
	age = zw_parent_age(big.pid, &r0, &r1);
	EXPECT_LE(zw_age_lo(big1, r0), age);
	EXPECT_GE(zw_age_hi(big0, r1), age);
	ASSERT_EQ(0, zw_read_parent_attr(mid.pid, ZWATCH_PATTR_ZOMBIES, buf, sizeof(buf)));
	EXPECT_STREQ("20\n", buf);
	EXPECT_EQ(-ENOENT, zw_read_parent_attr(small.pid, ZWATCH_PATTR_ZOMBIES, buf, sizeof(buf)));

	/*
	 * The oldest zombie's age, not the newest's: two seconds on, one
	 * more zombie of big leaves its oldest_s where its first ones put it.
	 */
	sleep(2);
	ASSERT_EQ(0, zw_factory_add(&big, 1));
	ASSERT_TRUE(zw_write_scanned(ZWATCH_ATTR_TOP_PARENTS, "3"));
	ASSERT_EQ(0, zw_read_parent_attr(big.pid, ZWATCH_PATTR_ZOMBIES, buf, sizeof(buf)));
	EXPECT_STREQ("31\n", buf);
	age = zw_parent_age(big.pid, &r0, &r1);
	EXPECT_GE(age, 2);
	EXPECT_LE(zw_age_lo(big1, r0), age);
	EXPECT_GE(zw_age_hi(big0, r1), age);
	age = zw_parent_age(mid.pid, &r0, &r1);
	EXPECT_LE(zw_age_lo(mid1, r0), age);
	EXPECT_GE(zw_age_hi(mid0, r1), age);
	EXPECT_EQ(0, zw_read_parent_attr(small.pid, ZWATCH_PATTR_ZOMBIES, buf, sizeof(buf)));

	/* a parent that leaves the top set loses its directory */
	ASSERT_EQ(0, zw_factory_reap(&big));
	ASSERT_TRUE(zw_write_scanned(ZWATCH_ATTR_TOP_PARENTS, "2"));
	EXPECT_EQ(-ENOENT, zw_read_parent_attr(big.pid, ZWATCH_PATTR_ZOMBIES, buf, sizeof(buf)));
	ASSERT_EQ(0, zw_read_parent_attr(mid.pid, ZWATCH_PATTR_ZOMBIES, buf, sizeof(buf)));
	EXPECT_STREQ("20\n", buf);
	EXPECT_EQ(0, zw_read_parent_attr(small.pid, ZWATCH_PATTR_ZOMBIES, buf, sizeof(buf)));

	zw_factory_stop(&big);
	zw_factory_stop(&mid);
	zw_factory_stop(&small);
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_TOP_PARENTS, "16", 2));
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "1000", 4));
}

/* /dev/kmsg, positioned after the last record logged so far */
static int zw_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* how many records logged since zw_kmsg_open() say exactly @want */
static int zw_kmsg_count(int fd, const char *want)
{
	char rec[8192], *msg, *end;
	int n = 0;
	ssize_t len;

	for (;;) {
		len = read(fd, rec, sizeof(rec) - 1);
		/* records overwritten under us: carry on from the oldest left */
		if (len < 0 && errno == EPIPE)
			continue;
		if (len <= 0)
			break;
		rec[len] = 0;
		/* "prio,seq,usec,flags;text\n", then " KEY=value" lines */
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		end = strchr(++msg, '\n');
		if (end)
			*end = 0;
		n += !strcmp(msg, want);
	}
	return n;
}

TEST(load_parameters)
{
	static const char * const bad[] = {
		"interval_ms=abc", "interval_ms=3600001", "interval_ms=-5",
		"top_parents=257", "top_parents=", "interval_ms",
		"threshold=4194305", "parent_threshold=x", "spike_threshold=-1",
		"hysteresis=0x5", "interval_ms=4294967296",
		"parent_threshold=4194305", "spike_threshold=4194305",
		"hysteresis=4194305",
	};
	unsigned int i;

	if (zw_module_loaded())
		ASSERT_EQ(0, zw_module_unload());
	ASSERT_EQ(0, zw_module_load("interval_ms=500 top_parents=3 threshold=7 "
				    "parent_threshold=8 spike_threshold=9 hysteresis=2"));
	EXPECT_EQ(500, zw_attr(ZWATCH_ATTR_INTERVAL_MS));
	EXPECT_EQ(3, zw_attr(ZWATCH_ATTR_TOP_PARENTS));
	EXPECT_EQ(7, zw_attr(ZWATCH_ATTR_THRESHOLD));
	EXPECT_EQ(8, zw_attr(ZWATCH_ATTR_PARENT_THRESHOLD));
	EXPECT_EQ(9, zw_attr(ZWATCH_ATTR_SPIKE_THRESHOLD));
	EXPECT_EQ(2, zw_attr(ZWATCH_ATTR_HYSTERESIS));
	ASSERT_EQ(0, zw_module_unload());

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *eq = strchr(bad[i], '=');
		char want[256];
		int kmsg;

		/*
		 * parse_args()'s own line, with the value (none without '='),
		 * among the lines this load alone logged: once
		 */
		snprintf(want, sizeof(want),
			 ZWATCH_MODULE_NAME ": `%s' invalid for parameter `%.*s'",
			 eq ? eq + 1 : "",
			 (int)(eq ? eq - bad[i] : (long)strlen(bad[i])), bad[i]);
		kmsg = zw_kmsg_open();
		ASSERT_LE(0, kmsg) TH_LOG("/dev/kmsg: %m");
		EXPECT_EQ(-EINVAL, zw_module_load(bad[i])) TH_LOG("%s", bad[i]);
		EXPECT_FALSE(zw_module_loaded());
		EXPECT_EQ(1, zw_kmsg_count(kmsg, want))
			TH_LOG("no log line \"%s\" for %s", want, bad[i]);
		close(kmsg);
	}
	ASSERT_EQ(0, zw_module_load(NULL));
	EXPECT_EQ(ZWATCH_INTERVAL_MS_DEFAULT, zw_attr(ZWATCH_ATTR_INTERVAL_MS));
	EXPECT_EQ(ZWATCH_TOP_PARENTS_DEFAULT, zw_attr(ZWATCH_ATTR_TOP_PARENTS));
}

TEST_HARNESS_MAIN
