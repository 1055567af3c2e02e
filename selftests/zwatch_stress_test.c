// SPDX-License-Identifier: GPL-2.0
/*
 * Scale, churn, the memory bounds (exit records and snapshot rows), unload
 * races and readers' coalescing.
 *
 * ZWATCH_STRESS=full runs the sizes the product promises (30000 zombies
 * under 300 parents, 30 s of churn, 100 unload cycles); "debug" a hundredth
 * of the zombies and 10 unload cycles, for the debug kernel (KASAN, lockdep
 * and kmemleak under emulation, where a fork and its reaping take a quarter
 * of a second); anything else a tenth, for `make check`.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

/*
 * A brood: processes made with clone(CLONE_VM), each with @zombies
 * unreaped children, or none (a sleeper, so that a walk has live tasks to
 * pass).  Sharing the test's memory, a clone copies no page tables: on the
 * debug kernel a fork costs 0.17 s and such a clone 8 ms, so thousands of
 * processes fit in a run.  They run on their own small stacks and make raw
 * system calls only: they share the test's errno too.  All of them are
 * made before any is waited for; each says on @ready when its zombies
 * exist, and reaps them and exits when it gets its byte on @quit.
 */
#define ZW_BROOD_STACK	8192

struct zw_brood {
	pid_t *pids;
	int nr;
	int zombies;
	uid_t uid;
	char *stacks;
	int ready[2];
	int quit[2];
};

static int zw_brood_child(void *arg)
{
	return 0;
}

static int zw_brood_parent(void *arg)
{
	struct zw_brood *b = *(struct zw_brood **)arg;
	/* the children's stack: the lower half of ours, one child at a time */
	char *stack = (char *)arg - ZW_BROOD_STACK / 2, ok = 1, c;
	siginfo_t info;
	long child;
	int i;

	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* its zombies wholly @uid's, as hidepid wants them */
	if (b->uid && (syscall(SYS_setresgid, b->uid, b->uid, b->uid) ||
		       syscall(SYS_setresuid, b->uid, b->uid, b->uid)))
		ok = 0;
	for (i = 0; i < b->zombies && ok; i++) {
		child = clone(zw_brood_child, stack, CLONE_VM | SIGCHLD, NULL);
		/* WNOWAIT: a zombie from here on, its stack free again */
		ok = child > 0 &&
		     !syscall(SYS_waitid, P_PID, child, &info, WEXITED | WNOWAIT, NULL);
	}
	syscall(SYS_write, b->ready[1], &ok, 1);
	syscall(SYS_read, b->quit[0], &c, 1);
	while (syscall(SYS_wait4, -1, NULL, 0, NULL) > 0)
		;
	return 0;
}

/* 0, or -errno; the processes made so far are in b->pids[0..b->nr) */
static int zw_brood_start(struct zw_brood *b, int nr, int zombies, uid_t uid)
{
	size_t len = (size_t)nr * ZW_BROOD_STACK;
	char ok = 1, oks[256];
	int i, left;

	memset(b, 0, sizeof(*b));
	b->zombies = zombies;
	b->uid = uid;
	b->pids = calloc(nr, sizeof(*b->pids));
	b->stacks = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!b->pids || b->stacks == MAP_FAILED || pipe(b->ready) || pipe(b->quit))
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		char *top = b->stacks + (size_t)(i + 1) * ZW_BROOD_STACK - 64;

		*(struct zw_brood **)top = b;
		b->pids[i] = clone(zw_brood_parent, top,
				   CLONE_VM | CLONE_FILES | SIGCHLD, top);
		if (b->pids[i] < 0)
			return -errno;
		b->nr++;
	}
	for (left = nr; left > 0; ) {
		int n = read(b->ready[0], oks, left < 256 ? left : 256);

		if (n <= 0)
			return -EIO;
		for (i = 0; i < n; i++)
			ok &= oks[i];
		left -= n;
	}
	return ok ? 0 : -EAGAIN;
}

static void zw_brood_stop(struct zw_brood *b)
{
	char go[256] = "";
	int i, left;

	for (left = b->nr; left > 0; left -= 256)
		if (write(b->quit[1], go, left < 256 ? left : 256) < 0)
			break;
	for (i = 0; i < b->nr; i++)
		waitpid(b->pids[i], NULL, 0);
	close(b->ready[0]);
	close(b->ready[1]);
	close(b->quit[0]);
	close(b->quit[1]);
	if (b->stacks && b->stacks != MAP_FAILED)
		munmap(b->stacks, (size_t)b->nr * ZW_BROOD_STACK);
	free(b->pids);
	memset(b, 0, sizeof(*b));
}

/* room for @tasks more processes: pid_max, threads-max, RLIMIT_NPROC */
static void zw_assert_room(struct __test_metadata *_metadata, int tasks)
{
	unsigned long long pid_max = 0, threads_max = 0;
	struct rlimit nproc;
	FILE *f;

	f = fopen("/proc/sys/kernel/pid_max", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%llu", &pid_max));
	fclose(f);
	f = fopen("/proc/sys/kernel/threads-max", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%llu", &threads_max));
	fclose(f);
	ASSERT_EQ(0, getrlimit(RLIMIT_NPROC, &nproc));
	tasks += zw_proc_tasks() + 100;
	ASSERT_LT(tasks, pid_max) TH_LOG("pid_max %llu", pid_max);
	ASSERT_LT(tasks, threads_max) TH_LOG("threads-max %llu", threads_max);
	/* root is held to RLIMIT_NPROC only without CAP_SYS_RESOURCE/ADMIN */
	if (getuid())
		ASSERT_LT(tasks, nproc.rlim_cur);
}

/*
 * A changed interval scans at once: one scan, done, when this returns.  The
 * interval it leaves is an hour, so that no periodic scan comes between.
 */
static void zw_scan_now(struct __test_metadata *_metadata)
{
	unsigned long long scans = zw_attr(ZWATCH_ATTR_SCANS);
	const char *interval = zw_attr(ZWATCH_ATTR_INTERVAL_MS) == 3600000 ? "3599999" : "3600000";
	double end = zw_now() + 60;

	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, interval, 7));
	while (zw_attr(ZWATCH_ATTR_SCANS) == scans && zw_now() < end)
		usleep(2000);
	ASSERT_LT(scans, zw_attr(ZWATCH_ATTR_SCANS));
}

/* header totals and sysfs counts against /proc at rest */
static void zw_expect_totals(struct __test_metadata *_metadata,
			     const struct zw_table *t)
{
	struct zw_truth truth;

	ASSERT_EQ(0, zw_settle());
	ASSERT_EQ(0, zw_truth_count("/proc", &truth));
	EXPECT_EQ(truth.zombies, t->zombies);
	EXPECT_EQ(truth.defunct_leaders, t->defunct_leaders);
	EXPECT_EQ(truth.zombies, zw_attr(ZWATCH_ATTR_ZOMBIES));
	EXPECT_EQ(truth.defunct_leaders, zw_attr(ZWATCH_ATTR_DEFUNCT_LEADERS));
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

#define ZW_WALK_BROODS	6

/*
 * How a walk of sleepers goes: the sections of three scans that walk them
 * against those scans' own time.  The set is empty (no zombie yet), so
 * nearly every section is the walk's; the few that iterate the set, as
 * each scan does once, are counted on three opens of /proc/zombies (which
 * iterate it the same way) and taken off.
 */
static void zw_walk_sections(struct __test_metadata *_metadata)
{
	unsigned long long want = 12ULL * ZWATCH_SECTION_BUDGET_NS, walk_ns, sections, set, tasks;
	int i, b, add = zw_stress_is("debug") ? 1000 : 8000;
	struct zw_brood broods[ZW_WALK_BROODS];
	int sleepers = 0, cap = 32000;
	double start = zw_now();

	/*
	 * A walk that never left its read section would make one section a
	 * scan: only walks of many budgets tell it apart, at any speed of the
	 * guest, so sleepers are added until three walks take twelve budgets
	 * (on the debug kernel some thousands; under Debian's, 25000).
	 */
	for (b = 0; ; b++) {
		zw_assert_room(_metadata, add);
		ASSERT_EQ(0, zw_brood_start(&broods[b], add, 0, 0));
		sleepers += add;
		zw_scan_now(_metadata);
		ASSERT_EQ(0, zw_attr(ZWATCH_ATTR_LOST));
		sections = zw_attr(ZWATCH_ATTR_SECTIONS);
		for (i = 0; i < 3; i++) {
			struct zw_table t;

			ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &t));
			zw_table_free(&t);
		}
		set = zw_attr(ZWATCH_ATTR_SECTIONS) - sections;

		walk_ns = 0;
		sections = zw_attr(ZWATCH_ATTR_SECTIONS);
		for (i = 0; i < 3; i++) {
			zw_scan_now(_metadata);
			walk_ns += zw_attr(ZWATCH_ATTR_SCAN_NS);
		}
		sections = zw_attr(ZWATCH_ATTR_SECTIONS) - sections;
		tasks = zw_attr(ZWATCH_ATTR_TASKS);
		TH_LOG("%d sleepers, %llu tasks: 3 walks of %llu ns in all, %llu sections (%llu of 3 set iterations); %.1f s",
		       sleepers, tasks, walk_ns, sections, set, zw_now() - start);
		if (walk_ns >= want || sleepers >= cap || b + 1 == ZW_WALK_BROODS)
			break;
		/* as many more as the walk so far says, a quarter over */
		add = (long long)(tasks * want / (walk_ns ? walk_ns : 1)) * 5 / 4 - (long long)tasks;
		add = add < 500 ? 500 : add > cap - sleepers ? cap - sleepers : add;
	}
	/* tasks counts processes: the /proc of the same moment, give or take */
	EXPECT_LE(llabs((long long)tasks - zw_proc_tasks()), 5);
	EXPECT_LE((unsigned long long)sleepers, tasks);
	ASSERT_LE(want, walk_ns) TH_LOG("%d sleepers cannot make a walk long enough to tell", sleepers);
	/*
	 * A walk ends its section a quarter of the way to the budget: its
	 * sections average two budgets at most.  That leaves room for the
	 * host's pauses (they lengthen a section, not the walk's work) down to
	 * a guest that gets about a sixth of the host's time, and none for a
	 * walk that stays in one section: in three walks of twelve budgets,
	 * its three sections average four.
	 */
	ASSERT_LT(set, sections);
	EXPECT_GE((sections - set) * 2 * ZWATCH_SECTION_BUDGET_NS, walk_ns);
	for (i = 0; i <= b; i++)
		zw_brood_stop(&broods[i]);
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "200", 3));
}

TEST_F_TIMEOUT(stress, scale, 1800)
{
	int parents = zw_scaled(300), per = 100, sleepers, i;
	struct zw_factory *f = calloc(parents, sizeof(*f));
	unsigned long long scans, sections, tasks;
	struct zw_brood brood;
	struct zw_table t;

	ASSERT_NE(NULL, f);
	/* a fresh load: the section statistic counts from here */
	ASSERT_EQ(0, zw_module_unload());
	ASSERT_EQ(0, zw_settle());
	ASSERT_EQ(0, zw_module_load("interval_ms=200"));
	zw_walk_sections(_metadata);
	/* fewer for the rest: as many as a walk tells apart would crowd 30000 zombies */
	sleepers = zw_scaled(2000);
	ASSERT_EQ(0, zw_brood_start(&brood, sleepers, 0, 0));
	zw_assert_room(_metadata, parents * (per + 1));
	for (i = 0; i < parents; i++)
		ASSERT_EQ(0, zw_factory_start(&f[i], "zw-scale", per, 0))
			TH_LOG("parent %d", i);

	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &t));
	EXPECT_GE(t.zombies, (unsigned int)(parents * per));
	zw_expect_totals(_metadata, &t);
	EXPECT_EQ(0, t.cut);
	for (i = 0; i < parents; i++) {
		const struct zw_row *row = zw_table_find(&t, f[i].pid);

		ASSERT_NE(NULL, row) TH_LOG("parent %d missing", f[i].pid);
		EXPECT_EQ(per, row->zombies);
	}
	zw_table_free(&t);

	/*
	 * Scans walk it all in short RCU read sections: over three quiet
	 * scans, the walk must have ended a section at least every
	 * ZWATCH_SECTION_BUDGET_NS of its own time (zw_walk_sections() holds
	 * it to that where the walk alone is measured).  The wall time of a
	 * section is reported, and held only to a loose bound: under
	 * emulation the host pauses virtual CPUs inside sections as it likes
	 * (with three guests on two cores, 15% of 0.5 ms sections were
	 * measured over 2 ms).
	 */
	scans = zw_attr(ZWATCH_ATTR_SCANS);
	sections = zw_attr(ZWATCH_ATTR_SECTIONS);
	while (zw_attr(ZWATCH_ATTR_SCANS) < scans + 3)
		usleep(100000);
	sections = zw_attr(ZWATCH_ATTR_SECTIONS) - sections;
	tasks = zw_attr(ZWATCH_ATTR_TASKS);
	EXPECT_LE(llabs((long long)tasks - zw_proc_tasks()), 5);
	EXPECT_GE(tasks, (unsigned long long)(parents * (per + 1) + sleepers));
	EXPECT_GE(sections * ZWATCH_SECTION_BUDGET_NS, 3 * zw_attr(ZWATCH_ATTR_SCAN_NS));
	EXPECT_LE(zw_attr(ZWATCH_ATTR_SECTIONS_OVER_BUDGET) * 2,
		  zw_attr(ZWATCH_ATTR_SECTIONS));
	TH_LOG("%llu sections in 3 scans of %llu ns; since load %llu sections, %llu over %d ns, longest %llu ns",
	       sections, zw_attr(ZWATCH_ATTR_SCAN_NS), zw_attr(ZWATCH_ATTR_SECTIONS),
	       zw_attr(ZWATCH_ATTR_SECTIONS_OVER_BUDGET), ZWATCH_SECTION_BUDGET_NS,
	       zw_attr(ZWATCH_ATTR_SCAN_MAX_SECTION_NS));
	EXPECT_EQ(0, zw_attr(ZWATCH_ATTR_REPAIRS));
	EXPECT_EQ(0, zw_attr(ZWATCH_ATTR_LOST));
	TH_LOG("%d zombies, %llu tasks: scan %llu ns, longest section %llu ns", parents * per,
	       tasks, zw_attr(ZWATCH_ATTR_SCAN_NS), zw_attr(ZWATCH_ATTR_SCAN_MAX_SECTION_NS));

	for (i = 0; i < parents; i++)
		zw_factory_stop(&f[i]);
	zw_brood_stop(&brood);
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

static int zw_pid_cmp(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

/* the by_parent/ directories, as pids: how many, into @pids */
static int zw_by_parent_dirs(pid_t *pids, int max)
{
	DIR *d = opendir(ZWATCH_SYSFS_DIR "/" ZWATCH_SYSFS_BY_PARENT);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9' && n < max)
			pids[n++] = atoi(de->d_name);
	if (d)
		closedir(d);
	qsort(pids, n, sizeof(*pids), zw_pid_cmp);
	return n;
}

/*
 * The row bound: more parents with zombies than a snapshot has rows.  Every
 * parent has one zombie, so the rows kept are those of the lowest pids
 * (ZOMBIES descending, then PPID ascending), and cut counts the rest.
 */
static void zw_rows_bound(struct __test_metadata *_metadata)
{
	bool debug = zw_stress_is("debug");
	int parents = debug ? 40 : ZWATCH_MAX_ROWS + 100, top = 16, i, n;
	unsigned int rows = parents < ZWATCH_MAX_ROWS ? parents : ZWATCH_MAX_ROWS;
	pid_t dirs[ZWATCH_TOP_PARENTS_MAX + 1];
	struct zw_brood brood;
	struct zw_truth truth;
	struct zw_table t;
	pid_t *sorted;
	double start;

	/*
	 * The debug kernel makes and ends a process in about 0.1 s: 4196 of
	 * them with their zombies would take 15 minutes.  There the bound is
	 * top_parents on the scan's snapshot (by_parent/), which the same
	 * code cuts, and /proc/zombies stays under its own.
	 */
	if (debug)
		TH_LOG("debug kernel: %d parents, the bound tested is top_parents=%d, not /proc's %d rows",
		       parents, top, ZWATCH_MAX_ROWS);
	ASSERT_EQ(0, zw_settle());
	zw_assert_room(_metadata, 2 * parents);
	start = zw_now();
	ASSERT_EQ(0, zw_brood_start(&brood, parents, 1, 0));
	TH_LOG("%d parents with a zombie each made in %.1f s", parents, zw_now() - start);
	sorted = calloc(parents, sizeof(*sorted));
	ASSERT_NE(NULL, sorted);
	memcpy(sorted, brood.pids, parents * sizeof(*sorted));
	qsort(sorted, parents, sizeof(*sorted), zw_pid_cmp);

	start = zw_now();
	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &t));
	TH_LOG("a read of %d rows in %.2f s", t.nr_rows, zw_now() - start);
	start = zw_now();
	ASSERT_EQ(0, zw_truth_count("/proc", &truth));
	TH_LOG("/proc counted in %.1f s", zw_now() - start);
	/* no zombie but the brood's: the bound falls where the test put it */
	ASSERT_EQ((unsigned int)parents, truth.zombies);
	EXPECT_EQ(truth.zombies, t.zombies);
	EXPECT_EQ(truth.defunct_leaders, t.defunct_leaders);
	EXPECT_EQ(truth.zombies, zw_attr(ZWATCH_ATTR_ZOMBIES));
	EXPECT_EQ((unsigned int)parents, t.parents);
	EXPECT_EQ((unsigned long long)parents, zw_attr(ZWATCH_ATTR_PARENTS));
	EXPECT_EQ(rows, t.rows_key);
	EXPECT_EQ(parents - rows, t.cut);
	ASSERT_EQ((int)rows, t.nr_rows);
	for (i = 0; i < t.nr_rows; i++) {
		EXPECT_EQ(sorted[i], t.rows[i].ppid) TH_LOG("row %d", i);
		EXPECT_EQ(1, t.rows[i].zombies);
		if (t.rows[i].ppid != sorted[i])
			break;
	}
	zw_table_free(&t);

	/* the scan's snapshot, cut to top_parents rows */
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_TOP_PARENTS, "16", 2));
	zw_scan_now(_metadata);
	n = zw_by_parent_dirs(dirs, ZWATCH_TOP_PARENTS_MAX + 1);
	ASSERT_EQ(top, n);
	for (i = 0; i < n; i++)
		EXPECT_EQ(sorted[i], dirs[i]) TH_LOG("by_parent %d", i);

	start = zw_now();
	zw_brood_stop(&brood);
	TH_LOG("and ended in %.1f s", zw_now() - start);
	free(sorted);
	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &t));
	EXPECT_EQ(0, t.cut);
	zw_table_free(&t);
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "1000", 4));
}

/*
 * Past max_tracked, counts stay exact and the loss is visible; past
 * ZWATCH_MAX_ROWS parents, rows are cut and the cut is counted.
 */
TEST_F_TIMEOUT(stress, memory_bound, 1200)
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
	zw_expect_totals(_metadata, &t);
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
	zw_rows_bound(_metadata);
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

/*
 * What one reader of /proc/zombies must see in its view: the header's
 * total, a parent whose row must be there and one whose row must not.
 */
struct zw_view_want {
	const char *path;
	bool nobody;		/* uid and gid 65534, no groups */
	unsigned int zombies;
	pid_t shown, hidden;
};

struct zw_reader_result {
	int want;
	long opens;
	long wrong;
};

/*
 * Opens, reads through and checks @want's file until @end, then reports on
 * @report; it exits only when @hold closes, so that no reader is a zombie
 * (one more in the table) while another still reads.
 */
static pid_t zw_view_reader(const struct zw_view_want *want, int i, double end,
			    int report, const int hold[2])
{
	struct zw_reader_result res = { i, 0, 0 };
	pid_t pid = fork();
	char c;

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(hold[1]);
	if (want->nobody && (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
			     setresuid(65534, 65534, 65534)))
		_exit(1);
	while (zw_now() < end) {
		struct zw_table t;

		res.opens++;
		if (zw_table_read(want->path, &t) || t.zombies != want->zombies ||
		    !zw_table_find(&t, want->shown) ||
		    (want->hidden && zw_table_find(&t, want->hidden)))
			res.wrong++;
		zw_table_free(&t);
	}
	if (write(report, &res, sizeof(res)) != sizeof(res))
		_exit(3);
	_exit(read(hold[0], &c, 1) == 0 ? 0 : 4);
}

/* @nr readers, reader i of view wants[i % nr_wants], for @seconds */
static void zw_readers_run(struct __test_metadata *_metadata,
			   const struct zw_view_want *wants, int nr_wants, int nr,
			   double seconds, long *opens, unsigned long long *built)
{
	unsigned long long built0 = zw_attr(ZWATCH_ATTR_SNAPSHOTS);
	int report[2], hold[2], i, status;
	struct zw_reader_result res;
	double end = zw_now() + seconds;
	pid_t readers[16];

	ASSERT_EQ(0, pipe(report));
	ASSERT_EQ(0, pipe(hold));
	for (i = 0; i < nr; i++) {
		readers[i] = zw_view_reader(&wants[i % nr_wants], i % nr_wants, end,
					    report[1], hold);
		ASSERT_LT(0, readers[i]);
	}
	*opens = 0;
	for (i = 0; i < nr; i++) {
		ASSERT_EQ(sizeof(res), read(report[0], &res, sizeof(res)));
		EXPECT_EQ(0, res.wrong) TH_LOG("a reader of %s (%s) saw %ld wrong tables of %ld",
					       wants[res.want].path,
					       wants[res.want].nobody ? "nobody" : "root",
					       res.wrong, res.opens);
		*opens += res.opens;
	}
	*built = zw_attr(ZWATCH_ATTR_SNAPSHOTS) - built0;
	close(hold[1]);
	for (i = 0; i < nr; i++) {
		ASSERT_EQ(readers[i], waitpid(readers[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) TH_LOG("reader %d", i);
	}
	close(hold[0]);
	close(report[0]);
	close(report[1]);
}

/*
 * Readers share builds, privileged or not, and only within a view.  An open
 * shares the latest snapshot only if it was begun after the open arrived,
 * for the same view (pid namespace, cgroup namespace, and the uid when
 * hidepid filters): root and nobody on /proc and root on a hidepid=2 mount
 * are one view, nobody on that mount another.  So a reader alone never
 * shares, and readers that queue behind a build share the next one.  How
 * many queue depends on how long a build takes against the scheduler's
 * turns (cheap builds on two CPUs hardly ever queue): the table here is
 * large enough that they do.
 */
TEST_F_TIMEOUT(stress, readers_are_coalesced, 600)
{
	bool debug = zw_stress_is("debug");
	int parents = zw_stress_is("full") ? 800 : debug ? 100 : 400;
	char mnt[] = "/tmp/zw-coalesce.XXXXXX", hidden_path[64];
	struct zw_view_want global[3], own;
	unsigned long long built0, built;
	double seconds = debug ? 4 : zw_stress_is("full") ? 3 : 2, start;
	struct zw_brood roots, nobodys;
	struct zw_truth truth;
	struct zw_table t;
	long opens;
	int i;

	ASSERT_NE(NULL, mkdtemp(mnt));
	ASSERT_EQ(0, chmod(mnt, 0755));
	ASSERT_EQ(0, mount("proc", mnt, "proc", 0, "hidepid=2"));
	snprintf(hidden_path, sizeof(hidden_path), "%s/%s", mnt, ZWATCH_PROC_NAME);
	ASSERT_EQ(0, zw_settle());
	/* most rows nobody's: both views' builds take a while */
	start = zw_now();
	ASSERT_EQ(0, zw_brood_start(&roots, parents / 4, debug ? 1 : 4, 0));
	ASSERT_EQ(0, zw_brood_start(&nobodys, parents - parents / 4, 1, 65534));
	ASSERT_EQ(0, zw_truth_count("/proc", &truth));
	TH_LOG("%u zombies under %d parents, counted in /proc, in %.1f s", truth.zombies,
	       parents, zw_now() - start);
	global[0] = (struct zw_view_want){ ZWATCH_PROC_PATH, false, truth.zombies,
					   nobodys.pids[0], 0 };
	global[1] = global[0];
	global[1].nobody = true;
	global[2] = global[0];
	global[2].path = hidden_path;
	own = (struct zw_view_want){ hidden_path, true, nobodys.nr, nobodys.pids[0], roots.pids[0] };

	/* alone, every open builds: what it returns is current as of it */
	built0 = zw_attr(ZWATCH_ATTR_SNAPSHOTS);
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &t));
		EXPECT_EQ(truth.zombies, t.zombies);
		zw_table_free(&t);
	}
	EXPECT_EQ(20, zw_attr(ZWATCH_ATTR_SNAPSHOTS) - built0);

	/* one view, three kinds of reader */
	zw_readers_run(_metadata, global, 3, 9, seconds, &opens, &built);
	TH_LOG("9 readers of the global view (root, nobody, root under hidepid): %ld opens, %llu builds (%.2f opens a build)",
	       opens, built, built ? (double)opens / built : 0.0);
	EXPECT_LE(20, opens);
	EXPECT_LE(built * 3, (unsigned long long)opens * 2);

	/* nobody's own view: only its own zombies, and shared too */
	zw_readers_run(_metadata, &own, 1, 8, seconds, &opens, &built);
	TH_LOG("8 readers of nobody's view: %ld opens, %llu builds (%.2f opens a build)",
	       opens, built, built ? (double)opens / built : 0.0);
	EXPECT_LE(20, opens);
	EXPECT_LE(built * 3, (unsigned long long)opens * 2);

	/* both views at once: no reader gets the other view's snapshot */
	global[1] = own;
	zw_readers_run(_metadata, global, 2, 8, seconds, &opens, &built);
	TH_LOG("4 readers of each view at once: %ld opens, %llu builds", opens, built);
	EXPECT_LE(20, opens);

	start = zw_now();
	zw_brood_stop(&roots);
	zw_brood_stop(&nobodys);
	TH_LOG("ended in %.1f s", zw_now() - start);
	umount(mnt);
	rmdir(mnt);
}

TEST_HARNESS_MAIN
