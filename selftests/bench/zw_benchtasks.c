// SPDX-License-Identifier: GPL-2.0
/*
 * zw_benchtasks TOTAL PARENTS ZOMBIES TRUTH: the benchmark's task set.
 *
 * Makes TOTAL processes, itself included: PARENTS parents holding ZOMBIES
 * zombies between them (unevenly, so a per-parent count means something),
 * and sleepers for the rest.  Writes the truth, one "PPID COUNT" line per
 * parent in PPID order, to TRUTH once every task exists, then waits for
 * SIGTERM or SIGINT, kills the whole set and reaps it (it is a subreaper,
 * so the parents' zombies come back to it), and exits.
 *
 * Sleepers are cheap: each is a process of its own (own pid, own entry in
 * /proc and in the task list) that shares this one's memory, files and
 * signal handlers (clone CLONE_VM ...), so 50000 of them fit in a small
 * guest.  Each parent makes its zombies with vfork() and _exit().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * A sleeper only ever calls syscall(SYS_pause): a small stack is plenty,
 * as long as that call never goes through the dynamic linker's lazy
 * binding, whose resolver saves the whole register file on the stack.
 * The Makefile links with -z now, and main() makes the call once itself.
 */
#define SLEEPER_STACK	2048
#define SLEEPER_FLAGS	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND)

struct taskset {
	long total;
	long parents;
	long zombies;
	pid_t *parent_pid;
	long *parent_zombies;
	pid_t *sleeper_pid;
	long sleepers;
	char *stacks;
};

static void die(const char *what)
{
	fprintf(stderr, "zw_benchtasks: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long parse_count(const char *s, const char *name)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 0) {
		fprintf(stderr, "zw_benchtasks: %s: not a count: '%s'\n",
			name, s);
		exit(2);
	}
	return v;
}

/*
 * Parent i gets q + (i % 5) - 2 zombies when q >= 3, so every parent has
 * one at least (the offsets of each five parents add up to 0), plus one of
 * the remainder for the first ones.
 */
static void spread_zombies(struct taskset *ts)
{
	long q = ts->zombies / ts->parents;
	long r = ts->zombies % ts->parents;
	long i, odd = ts->parents % 5;

	for (i = 0; i < ts->parents; i++) {
		ts->parent_zombies[i] = q + (i < r);
		/* the last parents, not a multiple of five, stay even */
		if (q >= 3 && i < ts->parents - odd)
			ts->parent_zombies[i] += i % 5 - 2;
	}
}

/* The child only exits: vfork() is the cheapest way to a zombie. */
static pid_t make_zombie(void)
{
	pid_t pid = vfork();

	if (pid == 0)
		_exit(0);
	return pid;
}

/* A parent: makes its zombies, says so on @ready, and never reaps. */
static void parent_main(long zombies, int ready)
{
	long i;

	prctl(PR_SET_NAME, "zwb-parent");
	signal(SIGCHLD, SIG_DFL);
	for (i = 0; i < zombies; i++) {
		if (make_zombie() < 0) {
			perror("zw_benchtasks: vfork");
			_exit(1);
		}
	}
	if (write(ready, "x", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

static void make_parents(struct taskset *ts)
{
	int ready[2];
	long i;
	char c;

	if (pipe2(ready, O_CLOEXEC))
		die("pipe");
	for (i = 0; i < ts->parents; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			close(ready[0]);
			parent_main(ts->parent_zombies[i], ready[1]);
		}
		ts->parent_pid[i] = pid;
	}
	close(ready[1]);
	for (i = 0; i < ts->parents; i++)
		if (read(ready[0], &c, 1) != 1)
			die("a parent failed to make its zombies");
	close(ready[0]);
}

static int sleeper_main(void *arg)
{
	(void)arg;
	/* a raw pause: no libc state of the shared memory is touched */
	for (;;)
		syscall(SYS_pause);
	return 0;
}

static void make_sleepers(struct taskset *ts)
{
	size_t size = (size_t)ts->sleepers * SLEEPER_STACK;
	long i;

	if (!ts->sleepers)
		return;
	ts->stacks = mmap(NULL, size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ts->stacks == MAP_FAILED)
		die("mmap of the sleepers' stacks");
	prctl(PR_SET_NAME, "zwb-sleeper");
	for (i = 0; i < ts->sleepers; i++) {
		char *top = ts->stacks + (size_t)(i + 1) * SLEEPER_STACK;
		pid_t pid = clone(sleeper_main, top, SLEEPER_FLAGS | SIGCHLD,
				  NULL);

		if (pid < 0)
			die("clone of a sleeper");
		ts->sleeper_pid[i] = pid;
	}
	prctl(PR_SET_NAME, "zw_benchtasks");
}

/* False if any task of the set is gone already (a sleeper that crashed). */
static bool all_alive(void)
{
	siginfo_t info = { 0 };

	/* a sleeper crashes, if at all, the first time it runs */
	usleep(200000);
	if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT))
		die("waitid");
	if (info.si_pid) {
		fprintf(stderr, "zw_benchtasks: task %d of the set died (code %d, status %d)\n",
			info.si_pid, info.si_code, info.si_status);
		return false;
	}
	return true;
}

static void write_truth(const struct taskset *ts, const char *path)
{
	char tmp[4096];
	FILE *f;
	long i;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		die(tmp);
	/* fork() hands out increasing pids here: already in PPID order */
	for (i = 0; i < ts->parents; i++)
		if (ts->parent_zombies[i])
			fprintf(f, "%d %ld\n", ts->parent_pid[i],
				ts->parent_zombies[i]);
	if (fclose(f))
		die(tmp);
	if (rename(tmp, path))
		die(path);
}

static void kill_and_reap(const struct taskset *ts)
{
	long i;

	for (i = 0; i < ts->sleepers; i++)
		kill(ts->sleeper_pid[i], SIGKILL);
	for (i = 0; i < ts->parents; i++)
		kill(ts->parent_pid[i], SIGKILL);
	/* the parents' zombies are reparented to us, the subreaper */
	while (wait(NULL) > 0 || errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	struct taskset ts = { 0 };
	sigset_t stop;
	int sig;

	if (argc != 5) {
		fprintf(stderr, "usage: zw_benchtasks TOTAL PARENTS ZOMBIES TRUTH\n");
		return 2;
	}
	ts.total = parse_count(argv[1], "TOTAL");
	ts.parents = parse_count(argv[2], "PARENTS");
	ts.zombies = parse_count(argv[3], "ZOMBIES");
	if (!ts.parents || ts.zombies < ts.parents ||
	    ts.total < 1 + ts.parents + ts.zombies) {
		fprintf(stderr, "zw_benchtasks: need ZOMBIES >= PARENTS >= 1 and TOTAL >= 1 + PARENTS + ZOMBIES\n");
		return 2;
	}
	ts.sleepers = ts.total - 1 - ts.parents - ts.zombies;
	ts.parent_pid = calloc(ts.parents, sizeof(*ts.parent_pid));
	ts.parent_zombies = calloc(ts.parents, sizeof(*ts.parent_zombies));
	ts.sleeper_pid = calloc(ts.sleepers + 1, sizeof(*ts.sleeper_pid));
	if (!ts.parent_pid || !ts.parent_zombies || !ts.sleeper_pid)
		die("calloc");

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	signal(SIGCHLD, SIG_DFL);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		die("PR_SET_CHILD_SUBREAPER");

	/* binds syscall() now, before any sleeper could need to */
	syscall(SYS_getpid);
	spread_zombies(&ts);
	/* parents first: they fork a small process, without the stacks */
	make_parents(&ts);
	make_sleepers(&ts);
	if (!all_alive()) {
		kill_and_reap(&ts);
		return 1;
	}
	write_truth(&ts, argv[4]);

	sigwait(&stop, &sig);
	kill_and_reap(&ts);
	return 0;
}
