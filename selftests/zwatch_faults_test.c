// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures.  The kernel's own fault injection (failslab and
 * fail_page_alloc) is told to fail only allocations whose call stack passes
 * through zwatch's code: the exit hooks, the scan, the snapshot builds, the
 * by_parent directories and the uevents.  Every answer given under failures
 * must be right or an error (ENOMEM), and once allocations succeed again
 * everything must be whole; the run's kernel log must stay clean.
 *
 * Debian's kernels have no fault injection: there the tests skip, and the
 * debug tier (the 7.2 kernel) runs them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "zw_lib.h"

#define ZW_FAILSLAB	"/sys/kernel/debug/failslab"
#define ZW_FAILPAGE	"/sys/kernel/debug/fail_page_alloc"

static const char * const zw_fault_dirs[] = { ZW_FAILSLAB, ZW_FAILPAGE };

static int zw_fault_set(const char *key, const char *val)
{
	char path[256];
	unsigned int i;
	int err;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", zw_fault_dirs[i], key);
		err = zw_write_file(path, val);
		/* fail_page_alloc has no cache-filter, failslab no min-order */
		if (err && err != -ENOENT)
			return err;
	}
	return 0;
}

/*
 * The text zwatch's functions occupy, from /proc/kallsyms: the lowest
 * function's address to a page past the highest (the module's core text is
 * one allocation, so nothing else lies in between).
 */
static int zw_module_text(unsigned long *start, unsigned long *end)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	unsigned long addr, lo = ~0UL, hi = 0;
	char type, line[512], name[256], mod[64];

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %255s [%63[^]]]", &addr, &type, name, mod) != 4)
			continue;
		if (strcmp(mod, "zwatch") || (type != 't' && type != 'T') || !addr)
			continue;
		lo = addr < lo ? addr : lo;
		hi = addr > hi ? addr : hi;
	}
	fclose(f);
	if (!hi)
		return -ENOENT;
	*start = lo;
	*end = hi + 4096;
	return 0;
}

/* failures for allocations with zwatch on the stack, @probability percent */
static int zw_fault_arm(int probability)
{
	static const char * const keys[][2] = {
		{ "verbose", "0" },		/* no stack dump per failure */
		{ "ignore-gfp-wait", "N" },	/* GFP_KERNEL fails too */
		{ "ignore-gfp-highmem", "N" },
		{ "min-order", "0" },
		{ "task-filter", "N" },
		{ "interval", "1" },
		{ "space", "0" },
		{ "times", "-1" },
		{ "stacktrace-depth", "32" },
	};
	unsigned long start, end;
	char buf[32];
	unsigned int i;
	int err;

	err = zw_module_text(&start, &end);
	if (err)
		return err;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		err = zw_fault_set(keys[i][0], keys[i][1]);
		if (err)
			return err;
	}
	snprintf(buf, sizeof(buf), "%#lx", start);
	err = zw_fault_set("require-start", buf);
	snprintf(buf, sizeof(buf), "%#lx", end);
	if (!err)
		err = zw_fault_set("require-end", buf);
	snprintf(buf, sizeof(buf), "%d", probability);
	if (!err)
		err = zw_fault_set("probability", buf);
	return err;
}

static void zw_fault_disarm(void)
{
	zw_fault_set("probability", "0");
	zw_fault_set("require-start", "0");
	zw_fault_set("require-end", "0xffffffffffffffff");
	zw_fault_set("times", "1");
}

/* fail the @nth allocation this thread makes from here on; 0 = none */
static int zw_fail_nth(unsigned int nth)
{
	char val[16];

	snprintf(val, sizeof(val), "%u", nth);
	return zw_write_file("/proc/thread-self/fail-nth", val);
}

/* what remains of the count: 0 once the failure was injected */
static unsigned int zw_fail_nth_left(void)
{
	char buf[16] = "";
	int fd = open("/proc/thread-self/fail-nth", O_RDONLY);

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = '\0';
		close(fd);
	}
	return strtoul(buf, NULL, 10);
}

/* a parent the test made and the zombies it holds */
struct zw_expect {
	pid_t ppid;
	unsigned int zombies;
};

/*
 * A table read while allocations may fail is right or absent.  Right means
 * the whole of it, against what the test made and what /proc says: the
 * header's totals equal @truth (counted from /proc at rest), every row
 * agrees with /proc, the rows add up to the header, and each parent in
 * @expect has its row with its zombies, unless cut accounts for it.  A
 * table that loses a parent, rows and header alike, is wrong.
 * @cgroup_known counts the rows whose cgroup could be resolved ("-" is the
 * honest answer when memory for it was missing).
 */
static bool zw_table_right(struct __test_metadata *_metadata,
			   const struct zw_table *t, const struct zw_truth *truth,
			   const struct zw_expect *expect, int nr_expect,
			   int *cgroup_known)
{
	unsigned int sum = 0, missing = 0;
	bool right = true;
	int i;

	for (i = 0; i < t->nr_rows; i++) {
		const struct zw_row *r = &t->rows[i];
		int zombies = zw_truth_zombies_of("/proc", r->ppid);

		if (zombies != (int)r->zombies || zw_truth_start("/proc", r->ppid) != r->start) {
			TH_LOG("row of %d: %u zombies, /proc has %d", r->ppid, r->zombies, zombies);
			right = false;
		}
		if (strcmp(r->cgroup, ZWATCH_NO_CGROUP))
			(*cgroup_known)++;
		sum += r->zombies;
	}
	for (i = 0; i < nr_expect; i++) {
		const struct zw_row *r = zw_table_find(t, expect[i].ppid);

		if (!r)
			missing += expect[i].zombies;
		else if (r->zombies != expect[i].zombies)
			right = false;
	}
	if (missing > t->cut) {
		TH_LOG("rows of the test's parents missing: %u zombies, cut=%u", missing, t->cut);
		right = false;
	}
	if (t->zombies != truth->zombies || t->defunct_leaders != truth->defunct_leaders) {
		TH_LOG("header zombies=%u defunct_leaders=%u, /proc has %u and %u", t->zombies,
		       t->defunct_leaders, truth->zombies, truth->defunct_leaders);
		right = false;
	}
	/* a row per parent, unless rows were cut */
	if (!t->cut && t->parents != (unsigned int)t->nr_rows)
		right = false;
	return right && t->nr_rows == (int)t->rows_key && sum + t->cut == t->zombies;
}

/* /proc at rest, counted the way the header counts */
static void zw_truth_at_rest(struct __test_metadata *_metadata, struct zw_truth *truth)
{
	ASSERT_EQ(0, zw_settle());
	ASSERT_EQ(0, zw_truth_count("/proc", truth));
}

static bool zw_fault_injection(void)
{
	return !access(ZW_FAILSLAB "/probability", W_OK) &&
	       !access(ZW_FAILPAGE "/probability", W_OK) &&
	       !access(ZW_FAILSLAB "/require-start", W_OK) &&
	       !access("/proc/thread-self/fail-nth", W_OK);
}

FIXTURE(faults) {
	struct zw_factory a, b;
	struct zw_table t;
};

#define ZW_SKIP_WITHOUT_FAULT_INJECTION()					\
	do {									\
		if (!zw_fault_injection())					\
			SKIP(return, "no fault injection with a stack filter in this kernel (the debug tier has it)"); \
	} while (0)

FIXTURE_SETUP(faults)
{
	/* a SKIP here would not stop the test body in 6.1's harness */
	if (!zw_fault_injection())
		return;
	ASSERT_EQ(0, zw_module_ensure());
	ASSERT_EQ(0, zw_settle());
	ASSERT_EQ(0, zw_factory_start(&self->a, "zw-fault-a", 7, 0));
	ASSERT_EQ(0, zw_factory_start(&self->b, "zw-fault-b", 3, 0));
}

FIXTURE_TEARDOWN(faults)
{
	zw_fail_nth(0);
	zw_fault_disarm();
	zw_table_free(&self->t);
	zw_factory_stop(&self->a);
	zw_factory_stop(&self->b);
	zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "1000", 4);
	zw_sysfs_write(ZWATCH_ATTR_PARENT_THRESHOLD, "0", 1);
}

/*
 * Every allocation an open and read of /proc/zombies makes in zwatch's
 * code, failed one at a time (the fail-nth sweep syzkaller uses): each read
 * is right or fails with ENOMEM, and the next one is exact again.
 */
TEST_F(faults, every_read_allocation)
{
	const struct zw_expect expect[] = {
		{ self->a.pid, 7 },
		{ self->b.pid, 3 },
	};
	int n, sites = 0, errors = 0, degraded = 0;
	struct zw_truth truth, after;
	const struct zw_row *a, *b;

	ZW_SKIP_WITHOUT_FAULT_INJECTION();
	/* no periodic scan whose snapshot a read could share */
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "3600000", 7));
	sleep(1);
	zw_truth_at_rest(_metadata, &truth);
	ASSERT_LE(10, truth.zombies);
	ASSERT_EQ(0, zw_fault_arm(0));
	for (n = 1; n < 1000; n++) {
		int known = 0, err;
		unsigned int left;

		ASSERT_EQ(0, zw_fail_nth(n));
		err = zw_table_read(ZWATCH_PROC_PATH, &self->t);
		left = zw_fail_nth_left();
		ASSERT_EQ(0, zw_fail_nth(0));
		if (left)	/* the read made fewer than n allocations */
			break;
		sites++;
		if (err) {
			EXPECT_EQ(-ENOMEM, err) TH_LOG("allocation %d", n);
			errors++;
		} else {
			EXPECT_TRUE(zw_table_right(_metadata, &self->t, &truth, expect, 2, &known))
				TH_LOG("allocation %d:\n%s", n, self->t.text);
			degraded += known < self->t.nr_rows;
		}
		zw_table_free(&self->t);
	}
	TH_LOG("%d allocations failed in turn: %d reads gave ENOMEM, %d a row without its cgroup",
	       sites, errors, degraded);
	/* the snapshot's own arrays at least: else nothing was tested */
	EXPECT_GE(sites, 3);
	EXPECT_LT(n, 1000);
	/* what the reads were held to did not move under them */
	ASSERT_EQ(0, zw_truth_count("/proc", &after));
	EXPECT_EQ(truth.zombies, after.zombies);
	EXPECT_EQ(truth.defunct_leaders, after.defunct_leaders);

	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &self->t));
	EXPECT_EQ(truth.zombies, self->t.zombies);
	a = zw_table_find(&self->t, self->a.pid);
	b = zw_table_find(&self->t, self->b.pid);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(7, a->zombies);
	EXPECT_EQ(3, b->zombies);
	EXPECT_STRNE(ZWATCH_NO_CGROUP, a->cgroup);
}

static bool zw_by_parent_is(pid_t pid, unsigned int zombies)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "%s/%s/%d/%s", ZWATCH_SYSFS_DIR,
		 ZWATCH_SYSFS_BY_PARENT, pid, ZWATCH_PATTR_ZOMBIES);
	if (zw_sysfs_read_str(path, buf, sizeof(buf)))
		return false;
	return strtoul(buf, NULL, 10) == zombies;
}

/*
 * A storm: a fifth of zwatch's allocations fail everywhere (exit hooks,
 * scans every 100 ms, sysfs directories, alarms, reads) while zombies are
 * made and read.  Reads stay right or fail with ENOMEM; lost exit records
 * are counted; after the storm the next scans make everything whole.
 */
TEST_F(faults, storm)
{
	unsigned long long lost0, scans;
	int reads = 0, errors = 0, rows_ok = 0, i;
	struct zw_expect expect[3];
	struct zw_truth truth, after;
	struct zw_factory c;
	double start, end;

	ZW_SKIP_WITHOUT_FAULT_INJECTION();
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "100", 3));
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_PARENT_THRESHOLD, "5", 1));
	lost0 = zw_attr(ZWATCH_ATTR_LOST);
	ASSERT_EQ(0, zw_settle());

	ASSERT_EQ(0, zw_fault_arm(20));
	/* these exits run zwatch's hook while its allocations fail */
	ASSERT_EQ(0, zw_factory_start(&c, "zw-fault-c", 0, 0));
	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, zw_factory_add(&c, 4));
	/*
	 * Every zombie exists before the first read, and none comes or goes
	 * until the last: each table must show all of them (reading /proc has
	 * no zwatch code on its stack, so it fails nothing).
	 */
	zw_truth_at_rest(_metadata, &truth);
	expect[0] = (struct zw_expect){ self->a.pid, 7 };
	expect[1] = (struct zw_expect){ self->b.pid, 3 };
	expect[2] = (struct zw_expect){ c.pid, 40 };
	/* a debug guest beside another may take a second a read: ten at least */
	start = zw_now();
	while ((zw_now() < start + 3 || reads < 10) && zw_now() < start + 60) {
		int known = 0, err = zw_table_read(ZWATCH_PROC_PATH, &self->t);
		bool right;

		reads++;
		if (err) {
			EXPECT_EQ(-ENOMEM, err);
			errors++;
			zw_table_free(&self->t);
			continue;
		}
		right = zw_table_right(_metadata, &self->t, &truth, expect, 3, &known);
		EXPECT_TRUE(right) TH_LOG("%s", self->t.text);
		rows_ok += right;
		zw_table_free(&self->t);
	}
	zw_fault_disarm();
	TH_LOG("storm: %d reads in %.1f s, %d ENOMEM, %d whole; lost %llu -> %llu",
	       reads, zw_now() - start, errors, rows_ok, lost0, zw_attr(ZWATCH_ATTR_LOST));
	/* every read that answered was whole */
	EXPECT_EQ(reads - errors, rows_ok);
	EXPECT_GT(zw_attr(ZWATCH_ATTR_LOST), lost0);
	ASSERT_EQ(0, zw_truth_count("/proc", &after));
	EXPECT_EQ(truth.zombies, after.zombies);

	/* two scans after the storm: sysfs whole again */
	scans = zw_attr(ZWATCH_ATTR_SCANS);
	end = zw_now() + 60;
	while (zw_attr(ZWATCH_ATTR_SCANS) < scans + 2 && zw_now() < end)
		usleep(50000);
	EXPECT_TRUE(zw_by_parent_is(c.pid, 40));
	EXPECT_TRUE(zw_by_parent_is(self->a.pid, 7));
	EXPECT_TRUE(zw_by_parent_is(self->b.pid, 3));
	EXPECT_EQ(truth.zombies, zw_attr(ZWATCH_ATTR_ZOMBIES));
	EXPECT_EQ(truth.defunct_leaders, zw_attr(ZWATCH_ATTR_DEFUNCT_LEADERS));
	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &self->t));
	EXPECT_EQ(truth.zombies, self->t.zombies);
	ASSERT_NE(NULL, zw_table_find(&self->t, c.pid));
	EXPECT_EQ(40, zw_table_find(&self->t, c.pid)->zombies);
	EXPECT_STRNE(ZWATCH_NO_CGROUP, zw_table_find(&self->t, c.pid)->cgroup);
	zw_table_free(&self->t);

	ASSERT_EQ(0, zw_factory_reap(&c));
	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &self->t));
	EXPECT_EQ(NULL, zw_table_find(&self->t, c.pid));
	zw_factory_stop(&c);
}

TEST_HARNESS_MAIN
