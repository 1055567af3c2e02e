// SPDX-License-Identifier: GPL-2.0
/*
 * Scale, churn, the memory bound, unload races and readers' coalescing.
 *
 * ZWATCH_STRESS=full runs the sizes the product promises (30000 zombies
 * under 300 parents, 30 s of churn, 100 unload cycles); "debug" a hundredth
 * of the zombies and 10 unload cycles, for the debug kernel (KASAN, lockdep
 * and kmemleak under emulation, where a fork and its reaping take a quarter
 * of a second); anything else a tenth, for `make check`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "zw_lib.h"

static int zw_scaled(int full)
{
	if (zw_stress_is("full"))
		return full;
	return zw_stress_is("debug") ? full / 100 : full / 10;
}

/* sleepers: processes that do nothing, so a walk has live tasks to pass */
static pid_t zw_sleepers(int n)
{
	pid_t pid = fork();
	int i;

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (i = 0; i < n - 1; i++)
		if (fork() == 0)
			break;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pause();
	_exit(0);
}

FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
	/* room for the full scale: 30000 zombies, their parents, sleepers */
	if (zw_write_file("/proc/sys/kernel/pid_max", "131072") ||
	    zw_write_file("/proc/sys/kernel/threads-max", "200000"))
		TH_LOG("cannot raise pid_max and threads-max: the full scale may not fit");
	/* orphans of what the tests kill come here to be reaped */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	ASSERT_EQ(0, zw_module_ensure());
}

FIXTURE_TEARDOWN(stress)
{
	zw_module_ensure();
}

TEST_F_TIMEOUT(stress, scale, 1800)
{
	int parents = zw_scaled(300), per = 100, i;
	struct zw_factory *f = calloc(parents, sizeof(*f));
	unsigned long long scans, sections;
	pid_t sleepers;
	struct zw_table t;

	ASSERT_NE(NULL, f);
	/* a fresh load: the section statistic counts from here */
	ASSERT_EQ(0, zw_module_unload());
	ASSERT_EQ(0, zw_module_load("interval_ms=200"));
	sleepers = zw_sleepers(zw_scaled(2000));
	for (i = 0; i < parents; i++)
		ASSERT_EQ(0, zw_factory_start(&f[i], "zw-scale", per, 0))
			TH_LOG("parent %d", i);

	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &t));
	EXPECT_GE(t.zombies, (unsigned int)(parents * per));
	EXPECT_EQ(0, t.cut);
	for (i = 0; i < parents; i++) {
		const struct zw_row *row = zw_table_find(&t, f[i].pid);

		ASSERT_NE(NULL, row) TH_LOG("parent %d missing", f[i].pid);
		EXPECT_EQ(per, row->zombies);
	}
	zw_table_free(&t);

	/*
	 * Scans walk it all in short RCU read sections.  What the test can
	 * hold the walk to is its own work: over three quiet scans, it must
	 * have ended a section at least every ZWATCH_SECTION_BUDGET_NS.  The
	 * wall time of a section is reported, and held only to a loose bound:
	 * under emulation the host pauses virtual CPUs inside sections as it
	 * likes (with three guests on two cores, 15% of 0.5 ms sections were
	 * measured over 2 ms).
	 */
	scans = zw_attr(ZWATCH_ATTR_SCANS);
	sections = zw_attr(ZWATCH_ATTR_SECTIONS);
	while (zw_attr(ZWATCH_ATTR_SCANS) < scans + 3)
		usleep(100000);
	sections = zw_attr(ZWATCH_ATTR_SECTIONS) - sections;
	EXPECT_GE(zw_attr(ZWATCH_ATTR_TASKS), (unsigned long long)(parents * (per + 1)));
	EXPECT_GE(sections, 3 * zw_attr(ZWATCH_ATTR_SCAN_NS) / ZWATCH_SECTION_BUDGET_NS);
	EXPECT_LE(zw_attr(ZWATCH_ATTR_SECTIONS_OVER_BUDGET) * 2,
		  zw_attr(ZWATCH_ATTR_SECTIONS));
	TH_LOG("%llu sections in 3 scans of %llu ns; since load %llu sections, %llu over %d ns, longest %llu ns",
	       sections, zw_attr(ZWATCH_ATTR_SCAN_NS), zw_attr(ZWATCH_ATTR_SECTIONS),
	       zw_attr(ZWATCH_ATTR_SECTIONS_OVER_BUDGET), ZWATCH_SECTION_BUDGET_NS,
	       zw_attr(ZWATCH_ATTR_SCAN_MAX_SECTION_NS));
	EXPECT_EQ(0, zw_attr(ZWATCH_ATTR_REPAIRS));
	EXPECT_EQ(0, zw_attr(ZWATCH_ATTR_LOST));
	TH_LOG("%d zombies: scan %llu ns, longest section %llu ns", parents * per,
	       zw_attr(ZWATCH_ATTR_SCAN_NS), zw_attr(ZWATCH_ATTR_SCAN_MAX_SECTION_NS));

	for (i = 0; i < parents; i++)
		zw_factory_stop(&f[i]);
	kill(sleepers, SIGKILL);
	while (wait(NULL) > 0)
		;
	free(f);
	zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "1000", 4);
}

/* a parent that forks and reaps as fast as it can */
static pid_t zw_churner(void)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;) {
		pid_t c = fork();

		if (c == 0)
			_exit(0);
		if (c > 0)
			waitpid(c, NULL, 0);
	}
}

TEST_F_TIMEOUT(stress, churn, 600)
{
	const char *files[] = {
		ZWATCH_PROC_PATH, ZWATCH_SYSFS_DIR "/" ZWATCH_ATTR_ZOMBIES,
		ZWATCH_SYSFS_DIR "/" ZWATCH_ATTR_PARENTS,
	};
	int seconds = zw_stress_is("full") ? 30 : 5, round, i;
	pid_t churn[4], readers[3];
	struct zw_factory books;
	double start;

	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "20", 2));
	ASSERT_EQ(0, zw_factory_start(&books, "zw-books", 10, 0));
	for (i = 0; i < 4; i++)
		churn[i] = zw_churner();
	for (i = 0; i < 3; i++) {
		readers[i] = zw_reader_start(files[i], 0);
		ASSERT_LT(0, readers[i]);
	}

	/*
	 * Quiescent points: the test's own zombies are exactly right.  Five at
	 * least: on the debug kernel one round can take 5 s.
	 */
	start = zw_now();
	for (round = 0; (zw_now() < start + seconds || round < 5) &&
	     zw_now() < start + 120; round++) {
		struct zw_table t;
		const struct zw_row *row;

		ASSERT_EQ(0, zw_factory_add(&books, 1));
		ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &t));
		row = zw_table_find(&t, books.pid);
		ASSERT_NE(NULL, row);
		EXPECT_EQ((unsigned int)(10 + round + 1), row->zombies);
		zw_table_free(&t);
		usleep(100000);
	}
	TH_LOG("%d rounds of churn in %.1f s", round, zw_now() - start);
	EXPECT_LE(5, round);

	for (i = 0; i < 4; i++) {
		kill(churn[i], SIGKILL);
		waitpid(churn[i], NULL, 0);
	}
	for (i = 0; i < 3; i++) {
		kill(readers[i], SIGKILL);
		waitpid(readers[i], NULL, 0);
	}
	zw_factory_stop(&books);
	EXPECT_EQ(0, zw_attr(ZWATCH_ATTR_REPAIRS));
	zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "1000", 4);
}

/* past max_tracked, counts stay exact and the loss is visible */
TEST_F_TIMEOUT(stress, memory_bound, 600)
{
	/* three parents, past the bound of 64 records at every size */
	int per = zw_stress_is("debug") ? 30 : 100, i;
	struct zw_factory f[3];
	struct zw_table t;
	const struct zw_row *row;

	if (zw_module_loaded())
		ASSERT_EQ(0, zw_module_unload());
	EXPECT_EQ(-EINVAL, zw_module_load("max_tracked=15"));
	ASSERT_EQ(0, zw_module_load("max_tracked=64 interval_ms=100"));
	EXPECT_EQ(64, zw_attr(ZWATCH_ATTR_MAX_TRACKED));
	EXPECT_EQ(-EACCES, zw_sysfs_write(ZWATCH_ATTR_MAX_TRACKED, "100", 3));

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, zw_factory_start(&f[i], "zw-bound", per, 0));
	EXPECT_GT(zw_attr(ZWATCH_ATTR_LOST), 0);
	EXPECT_LE(zw_attr(ZWATCH_ATTR_TRACKED), 64);
	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &t));
	for (i = 0; i < 3; i++) {
		row = zw_table_find(&t, f[i].pid);
		ASSERT_NE(NULL, row);
		EXPECT_EQ(per, row->zombies);
		EXPECT_EQ(zw_truth_zombies_of("/proc", f[i].pid), (int)row->zombies);
	}
	EXPECT_EQ(t.zombies, zw_attr(ZWATCH_ATTR_ZOMBIES));
	zw_table_free(&t);

	/* back under the bound: fresh reads again without waiting for a scan */
	for (i = 0; i < 3; i++)
		zw_factory_stop(&f[i]);
	usleep(500000);
	ASSERT_EQ(0, zw_factory_start(&f[0], "zw-bound", 5, 0));
	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &t));
	row = zw_table_find(&t, f[0].pid);
	ASSERT_NE(NULL, row);
	EXPECT_EQ(5, row->zombies);
	zw_table_free(&t);
	zw_factory_stop(&f[0]);

	ASSERT_EQ(0, zw_module_unload());
	ASSERT_EQ(0, zw_module_load(NULL));
}

/*
 * A child that spends a while in do_exit() after zwatch's exit hook and
 * before it is a zombie: closing its @fds descriptors happens there (under
 * emulation 200000 take about 0.13 s).  It exits when told to on @go.
 */
static pid_t zw_slow_exiter(int fds, int ready[2], int go[2])
{
	struct rlimit lim = { fds + 64, fds + 64 };
	pid_t pid = fork();
	char ok = 0;
	int fd, i;

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && !setrlimit(RLIMIT_NOFILE, &lim)) {
		for (i = 64; i < fds + 64; i++)
			if (dup2(fd, i) < 0)
				break;
		ok = i == fds + 64;
	}
	if (write(ready[1], &ok, 1) != 1 || read(go[0], &ok, 1) != 1)
		_exit(1);
	_exit(0);
}

/*
 * One try: a child's exit record is lost (the bound is full), and a scan
 * walks past the child while it is still exiting.  Returns 0 once the child
 * is a zombie, or -EAGAIN when it became one before the scan ended.
 */
static int zw_lose_while_exiting(struct __test_metadata *_metadata, int fds,
				 pid_t *child)
{
	unsigned long long lost, scans;
	const char *interval;
	int ready[2], go[2];
	double end;
	char ok;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	*child = zw_slow_exiter(fds, ready, go);
	ASSERT_LT(0, *child);
	ASSERT_EQ(1, read(ready[0], &ok, 1));
	ASSERT_EQ(1, ok) TH_LOG("cannot hold %d descriptors", fds);

	lost = zw_attr(ZWATCH_ATTR_LOST);
	ASSERT_EQ(1, write(go[1], &ok, 1));
	end = zw_now() + 60;
	while (zw_attr(ZWATCH_ATTR_LOST) == lost && zw_now() < end)
		usleep(1000);
	ASSERT_LT(lost, zw_attr(ZWATCH_ATTR_LOST));

	/* a changed interval scans at once */
	scans = zw_attr(ZWATCH_ATTR_SCANS);
	interval = zw_attr(ZWATCH_ATTR_INTERVAL_MS) == 3600000 ? "3599999" : "3600000";
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, interval, 7));
	while (zw_attr(ZWATCH_ATTR_SCANS) == scans && zw_now() < end)
		usleep(1000);
	ASSERT_LT(scans, zw_attr(ZWATCH_ATTR_SCANS));
	ok = zw_truth_state("/proc", *child) != 'Z';

	while (zw_truth_state("/proc", *child) != 'Z' && zw_now() < end)
		usleep(1000);
	ASSERT_EQ('Z', zw_truth_state("/proc", *child));
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	return ok ? 0 : -EAGAIN;
}

/*
 * A process whose exit record was lost is not a zombie yet when a scan
 * walks past it, so the scan cannot add the record: the set must not be
 * called complete, and the zombie it becomes must be in the next read.
 */
TEST_F_TIMEOUT(stress, lost_while_exiting, 600)
{
	int fds = 250000, err, tries;
	struct zw_factory full;
	const struct zw_row *row;
	struct zw_table t;
	double end;
	pid_t child;

	if (zw_module_loaded())
		ASSERT_EQ(0, zw_module_unload());
	ASSERT_EQ(0, zw_settle());
	ASSERT_EQ(0, zw_module_load("max_tracked=16 interval_ms=3600000"));
	/* the bound full of records the set has: only the next exits are lost */
	end = zw_now() + 30;
	while (zw_attr(ZWATCH_ATTR_TRACKED) && zw_now() < end)
		usleep(10000);
	ASSERT_EQ(0, zw_factory_start(&full, "zw-full", 16, 0));
	ASSERT_EQ(16, zw_attr(ZWATCH_ATTR_TRACKED));
	ASSERT_EQ(0, zw_attr(ZWATCH_ATTR_LOST));

	for (tries = 0; tries < 3; tries++, fds *= 2) {
		err = zw_lose_while_exiting(_metadata, fds, &child);
		if (err != -EAGAIN)
			break;
		TH_LOG("%d descriptors: a zombie before the scan ended", fds);
		waitpid(child, NULL, 0);
	}
	ASSERT_EQ(0, err);
	TH_LOG("a scan passed the child while it closed %d descriptors", fds);

	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &t));
	row = zw_table_find(&t, getpid());
	EXPECT_NE(NULL, row) TH_LOG("%s", t.text);
	if (row)
		EXPECT_EQ(1, row->zombies);
	EXPECT_EQ(17, t.zombies);
	zw_table_free(&t);
	EXPECT_EQ(0, zw_attr(ZWATCH_ATTR_REPAIRS));

	waitpid(child, NULL, 0);
	zw_factory_stop(&full);
	ASSERT_EQ(0, zw_module_unload());
	ASSERT_EQ(0, zw_module_load(NULL));
}

/*
 * Unload while readers hold files open, parents exit with zombies, scans
 * run and alarms are due.  No fork loop runs beside it: under emulation,
 * loading and unloading patch the exit tracepoint's branch in do_exit(),
 * and a virtual CPU spinning through do_exit() meanwhile has been seen to
 * hang in QEMU's handling of cross-modified code.
 */
TEST_F_TIMEOUT(stress, unload_races, 1800)
{
	int cycles = zw_stress_is("full") ? 100 : zw_stress_is("debug") ? 10 : 20;
	int cycle, i;
	struct zw_factory f[4];
	pid_t readers[4];

	readers[0] = zw_reader_start(ZWATCH_PROC_PATH, 0);
	readers[1] = zw_reader_start(ZWATCH_SYSFS_DIR "/" ZWATCH_ATTR_ZOMBIES, 0);
	readers[2] = zw_reader_start(ZWATCH_SYSFS_DIR "/" ZWATCH_ATTR_STATE, 0);
	readers[3] = zw_reader_start(ZWATCH_SYSFS_DIR "/" ZWATCH_SYSFS_BY_PARENT, 0);
	for (i = 0; i < 4; i++)
		ASSERT_LT(0, readers[i]);
	if (zw_module_loaded())
		ASSERT_EQ(0, zw_module_unload());
	for (cycle = 0; cycle < cycles; cycle++) {
		ASSERT_EQ(0, zw_module_load("interval_ms=1 threshold=1 parent_threshold=1 "
					    "spike_threshold=1"));
		for (i = 0; i < 4; i++)
			ASSERT_EQ(0, zw_factory_start(&f[i], "zw-race", 5, 0));
		usleep(20000);
		/* parents die with their zombies: they come to us */
		for (i = 0; i < 4; i++)
			zw_factory_kill(&f[i]);
		ASSERT_EQ(0, zw_module_unload()) TH_LOG("cycle %d", cycle);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		ASSERT_NE(0, access(ZWATCH_PROC_PATH, F_OK));
		ASSERT_NE(0, access(ZWATCH_SYSFS_DIR, F_OK));
	}
	for (i = 0; i < 4; i++)
		kill(readers[i], SIGKILL);
	while (wait(NULL) > 0)
		;
	ASSERT_EQ(0, zw_module_load(NULL));
}

/* how far a CPU-bound task gets in @seconds */
static long zw_victim_progress(double seconds)
{
	double end = zw_now() + seconds;
	volatile long spins = 0;
	long laps = 0;

	while (zw_now() < end) {
		for (spins = 0; spins < 10000; spins++)
			;
		laps++;
	}
	return laps;
}

/*
 * Eight unprivileged readers in a loop share builds instead of piling up,
 * and a CPU-bound task beside them keeps its share of the machine.
 */
TEST_F_TIMEOUT(stress, readers_are_coalesced, 600)
{
	unsigned long long built0, built;
	int opens_fd[2], i, status;
	int parents = zw_stress_is("debug") ? 10 : 50;
	struct zw_factory f[50];
	long opens = 0, n, alone, beside;
	pid_t readers[8];

	for (i = 0; i < parents; i++)
		ASSERT_EQ(0, zw_factory_start(&f[i], "zw-coalesce", 20, 0));
	ASSERT_EQ(0, pipe(opens_fd));
	alone = zw_victim_progress(1);
	built0 = zw_attr(ZWATCH_ATTR_SNAPSHOTS);
	for (i = 0; i < 8; i++) {
		readers[i] = fork();
		if (readers[i] == 0) {
			double end = zw_now() + 3;
			char buf[65536];
			long count = 0;

			if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
				_exit(1);
			while (zw_now() < end) {
				int fd = open(ZWATCH_PROC_PATH, O_RDONLY);

				if (fd < 0)
					_exit(2);
				while (read(fd, buf, sizeof(buf)) > 0)
					;
				close(fd);
				count++;
			}
			_exit(write(opens_fd[1], &count, sizeof(count)) == sizeof(count) ? 0 : 3);
		}
	}
	beside = zw_victim_progress(3) / 3;
	for (i = 0; i < 8; i++) {
		waitpid(readers[i], &status, 0);
		EXPECT_EQ(0, WEXITSTATUS(status));
		ASSERT_EQ(sizeof(n), read(opens_fd[0], &n, sizeof(n)));
		opens += n;
	}
	built = zw_attr(ZWATCH_ATTR_SNAPSHOTS) - built0;
	TH_LOG("8 unprivileged readers: %ld opens in 3 s, %llu snapshots built (%.2f opens per build)",
	       opens, built, built ? (double)opens / built : 0.0);
	TH_LOG("a CPU-bound task beside them ran at %.0f%% of its speed alone",
	       100.0 * beside / alone);
	EXPECT_GT(opens, 8);
	/* shared, not one build per open */
	EXPECT_LT(built * 5, (unsigned long long)opens * 4);
	for (i = 0; i < parents; i++)
		zw_factory_stop(&f[i]);
}

TEST_HARNESS_MAIN
