// SPDX-License-Identifier: GPL-2.0
/*
 * zw_leaker COMM COUNT INTERVAL_MS: a daemon with the classic bug.  It
 * forks a short-lived worker every INTERVAL_MS, COUNT times, and never
 * wait()s for one, then idles until killed.  Used by `make demo` and the
 * benchmark as a realistic leak.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long count, interval_ms, i;

	if (argc != 4) {
		fprintf(stderr, "usage: zw_leaker COMM COUNT INTERVAL_MS\n");
		return 1;
	}
	count = atol(argv[2]);
	interval_ms = atol(argv[3]);
	prctl(PR_SET_NAME, argv[1]);
	/* the default SIGCHLD disposition: children stay zombies */
	signal(SIGCHLD, SIG_DFL);
	for (i = 0; i < count; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("zw_leaker: fork");
			return 1;
		}
		if (pid == 0)
			_exit(0);
		usleep(interval_ms * 1000);
	}
	for (;;)
		pause();
}
