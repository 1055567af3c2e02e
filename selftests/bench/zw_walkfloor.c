// SPDX-License-Identifier: GPL-2.0
/*
 * zw_walkfloor REPS: the floor under any walk of the task list, measured
 * from userspace.  getpriority(PRIO_USER, 0) walks every task of the
 * system under rcu_read_lock() (for_each_process_thread in kernel/sys.c)
 * and does one uid compare and one nice read per task: a walk that does
 * next to nothing per task.  Prints the wall time of each call in ns, one
 * per line.  Divide by the number of tasks (nr_threads, the last field of
 * /proc/loadavg) for the cost per task.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long reps = argc > 1 ? atol(argv[1]) : 5, i;
	long long t0, t1;
	int prio;

	for (i = 0; i < reps; i++) {
		errno = 0;
		t0 = now_ns();
		prio = getpriority(PRIO_USER, 0);
		t1 = now_ns();
		if (prio == -1 && errno) {
			perror("zw_walkfloor: getpriority(PRIO_USER, 0)");
			return 1;
		}
		printf("%lld\n", t1 - t0);
	}
	return 0;
}
