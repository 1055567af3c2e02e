// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/zombies against zombies the test makes itself, checked against
 * what the test knows and what /proc/PID says.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "zw_lib.h"

FIXTURE(zombies) {
	struct zw_factory five, two_a, two_b;
	/* five's zombies exited between these (zw_now()) */
	double five0, five1;
	struct zw_table t;
};

FIXTURE_SETUP(zombies)
{
	ASSERT_EQ(0, zw_module_ensure());
	ASSERT_EQ(0, zw_settle());
	self->five0 = zw_now();
	ASSERT_EQ(0, zw_factory_start(&self->five, "zw-five", 5, 0));
	self->five1 = zw_now();
	/* a comm with all four characters that must be escaped */
	ASSERT_EQ(0, zw_factory_start(&self->two_a, "zw t\nx\t\\a", 2, 0));
	ASSERT_EQ(0, zw_factory_start(&self->two_b, "zw-two-b", 2, 0));
}

FIXTURE_TEARDOWN(zombies)
{
	zw_table_free(&self->t);
	zw_factory_stop(&self->five);
	zw_factory_stop(&self->two_a);
	zw_factory_stop(&self->two_b);
}

/* the scan counter; a read error fails the test */
static unsigned long long zw_scans(void)
{
	return zw_attr(ZWATCH_ATTR_SCANS);
}

/* counts, order and names, without waiting for any scan */
TEST_F(zombies, rows_match_truth)
{
	const struct zw_row *five, *a, *b;
	unsigned int sum = 0;
	int i, ia = -1, ib = -1, i5 = -1;
	char esc[64];

	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &self->t));
	EXPECT_EQ(ZWATCH_FORMAT_VERSION, self->t.version);
	five = zw_table_find(&self->t, self->five.pid);
	a = zw_table_find(&self->t, self->two_a.pid);
	b = zw_table_find(&self->t, self->two_b.pid);
	ASSERT_NE(NULL, five) TH_LOG("no row for %d:\n%s", self->five.pid, self->t.text);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(5, five->zombies);
	EXPECT_EQ(2, a->zombies);
	EXPECT_EQ(2, b->zombies);
	EXPECT_STREQ("zw-five", five->comm);
	zw_escape("zw t\nx\t\\a", esc, sizeof(esc));
	EXPECT_STREQ("zw\\040t\\012x\\011\\134a", esc);
	EXPECT_STREQ(esc, a->comm);

	/* sorted by count descending, then PPID ascending */
	for (i = 0; i < self->t.nr_rows; i++) {
		const struct zw_row *r = &self->t.rows[i];

		sum += r->zombies;
		if (i) {
			const struct zw_row *p = &self->t.rows[i - 1];

			EXPECT_TRUE(p->zombies > r->zombies ||
				    (p->zombies == r->zombies && p->ppid < r->ppid));
		}
		if (r == five)
			i5 = i;
		if (r == a)
			ia = i;
		if (r == b)
			ib = i;
		/* every row agrees with /proc/PID/stat, ours or not */
		EXPECT_EQ(zw_truth_zombies_of("/proc", r->ppid), (int)r->zombies)
			TH_LOG("ppid %d", r->ppid);
	}
	EXPECT_LT(i5, ia);
	EXPECT_LT(i5, ib);
	EXPECT_EQ(self->two_a.pid < self->two_b.pid, ia < ib);
	EXPECT_EQ(sum, self->t.zombies);
	EXPECT_EQ(self->t.nr_rows, (int)self->t.parents);
	EXPECT_EQ(self->t.nr_rows, (int)self->t.rows_key);
	EXPECT_EQ(0, self->t.cut);
}

TEST_F(zombies, fresh_on_open)
{
	const struct zw_row *row;
	unsigned long long scans;

	/*
	 * No scan may run between these steps, so that only the open can
	 * have seen them.  Writing interval_ms scans at once, then not for
	 * an hour: wait for that scan (and one it may have queued behind a
	 * scan already running) before the steps begin.
	 */
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "1000", 4));
	scans = zw_scans();
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "3600000", 7));
	zw_scans_quiet();
	ASSERT_LT(scans, zw_scans());
	scans = zw_scans();

	ASSERT_EQ(0, zw_factory_add(&self->two_b, 3));
	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &self->t));
	row = zw_table_find(&self->t, self->two_b.pid);
	ASSERT_NE(NULL, row);
	EXPECT_EQ(5, row->zombies);
	zw_table_free(&self->t);

	ASSERT_EQ(0, zw_factory_reap(&self->two_b));
	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &self->t));
	EXPECT_EQ(NULL, zw_table_find(&self->t, self->two_b.pid));
	EXPECT_NE(NULL, zw_table_find(&self->t, self->five.pid));
	EXPECT_EQ(scans, zw_scans());
	/* and the hooks, not a scan, recorded the three new zombies */
	EXPECT_EQ(0, zw_attr(ZWATCH_ATTR_REPAIRS));
	ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "1000", 4));
}

TEST_F(zombies, age_and_start)
{
	const struct zw_row *five, *b;
	double b0, b1, r0, r1;

	ASSERT_EQ(0, zw_factory_reap(&self->two_b));
	sleep(2);
	/*
	 * One more zombie for five, two seconds after its first: OLDEST_S is
	 * the age of the oldest, so the newest must not pull it down.  Parent
	 * b has only a fresh one.
	 */
	ASSERT_EQ(0, zw_factory_add(&self->five, 1));
	b0 = zw_now();
	ASSERT_EQ(0, zw_factory_add(&self->two_b, 1));
	b1 = zw_now();
	r0 = zw_now();
	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &self->t));
	r1 = zw_now();
	five = zw_table_find(&self->t, self->five.pid);
	b = zw_table_find(&self->t, self->two_b.pid);
	ASSERT_NE(NULL, five);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(6, five->zombies);
	EXPECT_EQ(1, b->zombies);
	/*
	 * Whole seconds from an exit to the open, by the test's own clock:
	 * five's oldest exited in [five0, five1], b's in [b0, b1], and the
	 * table was taken in [r0, r1].
	 */
	EXPECT_GE(five->oldest_s, 2);
	EXPECT_LE(five->oldest_s, 10);
	EXPECT_LE((long long)(r0 - self->five1), (long long)five->oldest_s);
	EXPECT_GE((long long)(r1 - self->five0), (long long)five->oldest_s);
	EXPECT_LE(b->oldest_s, 1);
	EXPECT_LE((long long)(r0 - b1), (long long)b->oldest_s);
	EXPECT_GE((long long)(r1 - b0), (long long)b->oldest_s);
	EXPECT_EQ(zw_truth_start("/proc", self->five.pid), five->start);
	EXPECT_EQ(zw_truth_start("/proc", self->two_b.pid), b->start);
}

/*
 * An exited leader with a live thread is Z in ps, yet nothing can reap it:
 * the header counts it in defunct_leaders, never in zombies, and no row
 * holds it.  The totals are /proc's, counted by the test.
 */
TEST_F(zombies, defunct_leader)
{
	struct zw_truth before, truth;
	const struct zw_row *b;

	ASSERT_EQ(0, zw_factory_reap(&self->two_b));
	ASSERT_EQ(0, zw_read_at_rest(&self->t, NULL, &before));
	EXPECT_EQ(before.zombies, self->t.zombies);
	EXPECT_EQ(before.defunct_leaders, self->t.defunct_leaders);
	zw_table_free(&self->t);

	ASSERT_EQ(0, zw_factory_add_defunct(&self->two_b));
	ASSERT_EQ(0, zw_read_at_rest(&self->t, NULL, &truth));
	/* what the test did: one more defunct leader, no more zombies */
	EXPECT_EQ(before.zombies, truth.zombies);
	EXPECT_EQ(before.defunct_leaders + 1, truth.defunct_leaders);
	EXPECT_EQ(truth.zombies, self->t.zombies) TH_LOG("%s", self->t.text);
	EXPECT_EQ(truth.defunct_leaders, self->t.defunct_leaders)
		TH_LOG("%s", self->t.text);
	EXPECT_EQ(0, self->t.cut);
	EXPECT_EQ(NULL, zw_table_find(&self->t, self->two_b.pid));
	/* sysfs counts the same view */
	EXPECT_EQ(truth.zombies, zw_attr(ZWATCH_ATTR_ZOMBIES));
	EXPECT_EQ(truth.defunct_leaders, zw_attr(ZWATCH_ATTR_DEFUNCT_LEADERS));
	zw_table_free(&self->t);

	/* its last thread gone, it is a zombie like any other */
	ASSERT_EQ(0, zw_factory_end_defunct(&self->two_b));
	ASSERT_EQ(0, zw_read_at_rest(&self->t, NULL, &truth));
	EXPECT_EQ(before.zombies + 1, truth.zombies);
	EXPECT_EQ(before.defunct_leaders, truth.defunct_leaders);
	EXPECT_EQ(truth.zombies, self->t.zombies) TH_LOG("%s", self->t.text);
	EXPECT_EQ(truth.defunct_leaders, self->t.defunct_leaders);
	b = zw_table_find(&self->t, self->two_b.pid);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(1, b->zombies);
}

TEST_F(zombies, cgroup_column)
{
	const char *dir = "/sys/fs/cgroup/zw leak.d";
	const struct zw_row *row;
	char path[256], pid[32];
	int fd;

	if (mkdir(dir, 0755) && errno != EEXIST)
		SKIP(return, "no cgroup2 hierarchy: %m");
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY);
	ASSERT_LE(0, fd);
	snprintf(pid, sizeof(pid), "%d", self->five.pid);
	ASSERT_LT(0, write(fd, pid, strlen(pid)));
	close(fd);

	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &self->t));
	row = zw_table_find(&self->t, self->five.pid);
	ASSERT_NE(NULL, row);
	EXPECT_STREQ("/zw\\040leak.d", row->cgroup);
	row = zw_table_find(&self->t, self->two_a.pid);
	ASSERT_NE(NULL, row);
	EXPECT_STREQ("/", row->cgroup);

	/* back to the root cgroup so the directory can go */
	fd = open("/sys/fs/cgroup/cgroup.procs", O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, write(fd, pid, strlen(pid)));
	close(fd);
	EXPECT_EQ(0, rmdir(dir));
}

/*
 * A container without an init that reaps: its PID 1 leaks zombies.  Its own
 * /proc shows PPID 1 and nothing from outside; the host's shows its real pid.
 */
TEST(pid_namespace)
{
	char mnt[] = "/tmp/zw-pidns.XXXXXX", path[300];
	int to_child[2], from_child[2];
	struct zw_table t;
	pid_t outer, init_pid;
	const struct zw_row *row;
	char c;

	ASSERT_EQ(0, zw_module_ensure());
	ASSERT_NE(NULL, mkdtemp(mnt));
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(from_child));
	outer = fork();
	ASSERT_LE(0, outer);
	if (outer == 0) {
		struct zw_factory f;

		if (unshare(CLONE_NEWPID | CLONE_NEWNS))
			_exit(1);
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			_exit(2);
		/* the first child is the namespace's PID 1 */
		if (zw_factory_start(&f, "zw-ns-init", 4, 0))
			_exit(3);
		if (write(from_child[1], &f.pid, sizeof(f.pid)) != sizeof(f.pid))
			_exit(4);
		/* wait for the test to look, then tear down */
		if (read(to_child[0], &c, 1) != 1)
			_exit(5);
		zw_factory_stop(&f);
		_exit(0);
	}
	ASSERT_EQ(sizeof(init_pid), read(from_child[0], &init_pid, sizeof(init_pid)));

	/* from outside: the init's real pid */
	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &t));
	row = zw_table_find(&t, init_pid);
	ASSERT_NE(NULL, row) TH_LOG("%s", t.text);
	EXPECT_EQ(4, row->zombies);
	zw_table_free(&t);

	/* a proc mount of that namespace: mount it from a process inside */
	pid_t mounter = fork();

	ASSERT_LE(0, mounter);
	if (mounter == 0) {
		char ns[64];
		int fd;

		snprintf(ns, sizeof(ns), "/proc/%d/ns/pid", init_pid);
		fd = open(ns, O_RDONLY);
		if (fd < 0 || setns(fd, CLONE_NEWPID))
			_exit(1);
		if (fork() == 0) {
			if (mount("proc", mnt, "proc", 0, NULL))
				_exit(1);
			_exit(0);
		}
		wait(NULL);
		_exit(0);
	}
	waitpid(mounter, NULL, 0);
	snprintf(path, sizeof(path), "%s/zombies", mnt);
	ASSERT_EQ(0, zw_table_read(path, &t));
	EXPECT_EQ(1, t.nr_rows) TH_LOG("%s", t.text);
	row = zw_table_find(&t, 1);
	ASSERT_NE(NULL, row) TH_LOG("%s", t.text);
	EXPECT_EQ(4, row->zombies);
	EXPECT_EQ(4, t.zombies);
	EXPECT_EQ(1, t.parents);
	EXPECT_STREQ("zw-ns-init", row->comm);
	EXPECT_EQ(zw_truth_zombies_of(mnt, 1), 4);
	zw_table_free(&t);

	umount(mnt);
	rmdir(mnt);
	c = 'q';
	ASSERT_EQ(1, write(to_child[1], &c, 1));
	waitpid(outer, NULL, 0);
}

/*
 * hidepid=2: a reader without CAP_SYS_PTRACE, outside gid=, sees only the
 * zombies that are wholly its own (real, effective and saved uid).
 */
TEST(hidepid)
{
	char mnt[] = "/tmp/zw-hidepid.XXXXXX", path[300];
	struct zw_factory mine, root;
	int status, pipefd[2];
	pid_t reader;
	char result[4] = "";

	ASSERT_EQ(0, zw_module_ensure());
	ASSERT_NE(NULL, mkdtemp(mnt));
	ASSERT_EQ(0, chmod(mnt, 0755));
	ASSERT_EQ(0, mount("proc", mnt, "proc", 0, "hidepid=2"));
	ASSERT_EQ(0, zw_factory_start(&mine, "zw-user", 3, 4242));
	ASSERT_EQ(0, zw_factory_start(&root, "zw-root", 2, 0));
	ASSERT_EQ(0, pipe(pipefd));

	reader = fork();
	ASSERT_LE(0, reader);
	if (reader == 0) {
		struct zw_table t;
		char out[4];

		if (setresgid(4242, 4242, 4242) || setgroups(0, NULL) ||
		    setresuid(4242, 4242, 4242))
			_exit(1);
		snprintf(path, sizeof(path), "%s/zombies", mnt);
		if (zw_table_read(path, &t))
			_exit(2);
		out[0] = zw_table_find(&t, mine.pid) &&
			 zw_table_find(&t, mine.pid)->zombies == 3 ? 'y' : 'n';
		out[1] = zw_table_find(&t, root.pid) ? 'y' : 'n';
		out[2] = t.zombies == 3 && t.parents == 1 ? 'y' : 'n';
		zw_table_free(&t);
		/* without hidepid, the same reader sees everything */
		if (zw_table_read(ZWATCH_PROC_PATH, &t))
			_exit(3);
		out[3] = zw_table_find(&t, root.pid) ? 'y' : 'n';
		zw_table_free(&t);
		_exit(write(pipefd[1], out, 4) == 4 ? 0 : 4);
	}
	waitpid(reader, &status, 0);
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(4, read(pipefd[0], result, 4));
	EXPECT_EQ('y', result[0]) TH_LOG("own zombies not shown");
	EXPECT_EQ('n', result[1]) TH_LOG("root's zombies shown under hidepid");
	EXPECT_EQ('y', result[2]) TH_LOG("header counts others' zombies");
	EXPECT_EQ('y', result[3]) TH_LOG("hidepid=0 mount hides zombies");

	zw_factory_stop(&mine);
	zw_factory_stop(&root);
	umount(mnt);
	rmdir(mnt);
}

/*
 * A worker thread forks a child that exits, and lives on: while it does,
 * it is the zombie's real parent (once it exits, the zombie goes to another
 * thread of the process).
 */
static void *zw_fork_zombie_from_thread(void *ack_fd)
{
	siginfo_t info;
	pid_t child = fork();

	if (child == 0)
		_exit(0);
	if (child < 0 || waitid(P_PID, child, &info, WEXITED | WNOWAIT) ||
	    write(*(int *)ack_fd, &child, sizeof(child)) != sizeof(child))
		_exit(1);
	for (;;)
		pause();
	return NULL;
}

/*
 * A zombie whose real parent is a worker thread, not the main one: Go, Java
 * and thread pools fork so.  Its row is the process's, with the process's
 * pid and start time, as /proc/PPID/stat has them (the module once took the
 * thread's start time and then failed every open with EAGAIN).
 */
TEST(zombie_of_a_worker_thread)
{
	const struct zw_row *row;
	struct zw_table t;
	int ack[2], err;
	pid_t parent, child;

	ASSERT_EQ(0, zw_module_ensure());
	ASSERT_EQ(0, pipe(ack));
	parent = fork();
	ASSERT_LE(0, parent);
	if (parent == 0) {
		pthread_t th;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, "zw-threaded");
		/* the worker starts well after the process: the two times differ */
		usleep(20000);
		if (pthread_create(&th, NULL, zw_fork_zombie_from_thread, &ack[1]))
			_exit(1);
		for (;;)
			pause();
	}
	close(ack[1]);
	ASSERT_EQ(sizeof(child), read(ack[0], &child, sizeof(child)));
	close(ack[0]);

	err = zw_table_read(ZWATCH_PROC_PATH, &t);
	ASSERT_EQ(0, err) TH_LOG("reading %s: %s", ZWATCH_PROC_PATH, strerror(-err));
	row = zw_table_find(&t, parent);
	ASSERT_NE(NULL, row) TH_LOG("%s", t.text);
	EXPECT_EQ(1, row->zombies);
	EXPECT_EQ(zw_truth_start("/proc", parent), row->start);
	EXPECT_STREQ("zw-threaded", row->comm);
	zw_table_free(&t);

	kill(parent, SIGKILL);
	waitpid(parent, NULL, 0);
}

TEST_HARNESS_MAIN
