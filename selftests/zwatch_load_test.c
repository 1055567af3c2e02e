// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and unloading: the files come and go with the module, and unload
 * is safe while readers hold them open, scans run and zombies come and go.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "zw_lib.h"

static bool zw_in_proc_modules(void)
{
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/modules", "r");

	while (f && fgets(line, sizeof(line), f))
		found |= !strncmp(line, ZWATCH_MODULE_NAME " ", strlen(ZWATCH_MODULE_NAME) + 1);
	if (f)
		fclose(f);
	return found;
}

/* no setup: these tests only need the harness's longer timeout */
FIXTURE(slow) {
	int unused;
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

TEST_F_TIMEOUT(slow, load_unload_50_times, 600)
{
	int i;

	if (zw_module_loaded())
		ASSERT_EQ(0, zw_module_unload());
	for (i = 0; i < 50; i++) {
		ASSERT_EQ(0, zw_module_load(NULL)) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, access(ZWATCH_PROC_PATH, R_OK));
		ASSERT_EQ(0, access(ZWATCH_SYSFS_DIR "/" ZWATCH_ATTR_ZOMBIES, R_OK));
		ASSERT_EQ(0, zw_module_unload()) TH_LOG("cycle %d", i);
		ASSERT_NE(0, access(ZWATCH_PROC_PATH, F_OK));
		ASSERT_NE(0, access(ZWATCH_SYSFS_DIR, F_OK));
		ASSERT_FALSE(zw_in_proc_modules());
	}
	ASSERT_EQ(0, zw_module_load(NULL));
}

/* zombies from before the load are found, and age from the load */
TEST(zombies_older_than_the_load)
{
	struct zw_factory f;
	struct zw_table t;
	const struct zw_row *row;

	if (zw_module_loaded())
		ASSERT_EQ(0, zw_module_unload());
	ASSERT_EQ(0, zw_factory_start(&f, "zw-old", 7, 0));
	sleep(2);
	ASSERT_EQ(0, zw_module_load(NULL));
	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &t));
	row = zw_table_find(&t, f.pid);
	ASSERT_NE(NULL, row);
	EXPECT_EQ(7, row->zombies);
	EXPECT_LE(row->oldest_s, 1);
	zw_table_free(&t);
	zw_factory_stop(&f);
}

/* what the readers of unload_under_readers hold open, two of each */
static const char * const zw_read_files[] = {
	ZWATCH_PROC_PATH,
	ZWATCH_SYSFS_DIR "/" ZWATCH_ATTR_ZOMBIES,
	ZWATCH_SYSFS_DIR "/" ZWATCH_ATTR_PARENTS,
	ZWATCH_SYSFS_DIR "/" ZWATCH_ATTR_TASKS,
};

/*
 * The debug kernel (ZWATCH_STRESS=debug) gets 20 zombies a parent instead
 * of 250 and a quarter of the cycles: with a scan every millisecond and
 * eight readers, KASAN and lockdep under emulation made this one test take
 * 12 minutes.
 */
TEST_F_TIMEOUT(slow, unload_under_readers, 900)
{
	bool debug = zw_stress_is("debug");
	int per = debug ? 20 : 250, cycles = debug ? 5 : 20;
	struct zw_factory leak[8];
	struct zw_truth truth, after;
	pid_t readers[8];
	int i, cycle;

	ASSERT_EQ(0, zw_module_ensure());
	ASSERT_EQ(0, zw_settle());
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, zw_factory_start(&leak[i], "zw-unload", per, 0));
	/* nothing makes or reaps a zombie from here to the end of the cycles */
	ASSERT_EQ(0, zw_truth_count("/proc", &truth));
	ASSERT_LE(8 * per, truth.zombies);
	/* the second four are slow: they stop half way, holding it open */
	for (i = 0; i < 8; i++) {
		readers[i] = zw_reader_start(zw_read_files[i % 4],
					     i < 4 ? 0 : 20000);
		ASSERT_LT(0, readers[i]);
	}
	for (cycle = 0; cycle < cycles; cycle++) {
		ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "1", 1));
		usleep(50000);
		ASSERT_EQ(0, zw_module_unload()) TH_LOG("cycle %d", cycle);
		ASSERT_NE(0, access(ZWATCH_PROC_PATH, F_OK));
		ASSERT_EQ(0, zw_module_load("interval_ms=1")) TH_LOG("cycle %d", cycle);
		/* zombies from before the load are found by the first walk, once */
		EXPECT_EQ(truth.zombies, zw_attr(ZWATCH_ATTR_ZOMBIES)) TH_LOG("cycle %d", cycle);
		EXPECT_EQ(truth.defunct_leaders, zw_attr(ZWATCH_ATTR_DEFUNCT_LEADERS));
	}
	ASSERT_EQ(0, zw_truth_count("/proc", &after));
	EXPECT_EQ(truth.zombies, after.zombies);
	EXPECT_EQ(truth.defunct_leaders, after.defunct_leaders);

	for (i = 0; i < 8; i++) {
		kill(readers[i], SIGKILL);
		waitpid(readers[i], NULL, 0);
	}
	for (i = 0; i < 8; i++)
		zw_factory_stop(&leak[i]);
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "1000", 4));
	EXPECT_EQ(0, zw_attr(ZWATCH_ATTR_REPAIRS));
}

TEST_HARNESS_MAIN
