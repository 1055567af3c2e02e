// SPDX-License-Identifier: GPL-2.0
/*
 * zw_benchtime: the benchmark's stopwatch.  Prints the wall time of one
 * run in nanoseconds (CLOCK_MONOTONIC), no shell in between.
 *
 *   zw_benchtime -o OUT CMD [ARG]... ['|' CMD [ARG]...]...
 *	runs a pipeline (stdin /dev/null, the last stdout to OUT, stderr
 *	as ours) from the first spawn to the last wait; fails if any
 *	command does
 *   zw_benchtime -o OUT -f FILE
 *	open(), read() to the end and close() FILE in this process: what
 *	reading it costs without starting a program; then copies it to OUT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_STAGES	8
#define READ_CHUNK	65536

extern char **environ;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int usage(void)
{
	fprintf(stderr, "usage: zw_benchtime -o OUT CMD [ARG]... ['|' CMD [ARG]...]...\n"
			"       zw_benchtime -o OUT -f FILE\n");
	return 2;
}

/* Splits argv at each "|": stage i starts at argv[start[i]]. */
static int split_stages(int argc, char **argv, int *start)
{
	int i, n = 0;

	start[n++] = 0;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "|"))
			continue;
		if (n == MAX_STAGES || i + 1 >= argc || i == start[n - 1])
			return -1;
		argv[i] = NULL;
		start[n++] = i + 1;
	}
	return n;
}

static int spawn_stage(char **args, int in, int out, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	int err;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
	err = posix_spawnp(pid, args[0], &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err)
		fprintf(stderr, "zw_benchtime: %s: %s\n", args[0], strerror(err));
	return err;
}

static int run_pipeline(int argc, char **argv, int out, long long *ns)
{
	int start[MAX_STAGES], n, i, in, fds[2], status, failed = 0;
	pid_t pid[MAX_STAGES];
	long long t0;

	n = split_stages(argc, argv, start);
	if (n < 0)
		return usage();
	in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		perror("zw_benchtime: /dev/null");
		return 1;
	}
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		int to = out;

		if (i + 1 < n) {
			if (pipe2(fds, O_CLOEXEC)) {
				perror("zw_benchtime: pipe");
				return 1;
			}
			to = fds[1];
		}
		if (spawn_stage(argv + start[i], in, to, &pid[i]))
			return 1;
		close(in);
		if (i + 1 < n) {
			close(fds[1]);
			in = fds[0];
		}
	}
	for (i = 0; i < n; i++) {
		if (waitpid(pid[i], &status, 0) < 0) {
			perror("zw_benchtime: waitpid");
			return 1;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "zw_benchtime: %s failed (status 0x%x)\n",
				argv[start[i]], status);
			failed = 1;
		}
	}
	*ns = now_ns() - t0;
	return failed;
}

static int read_file(const char *path, int out, long long *ns)
{
	size_t len = 0, cap = READ_CHUNK;
	char *buf = malloc(cap);
	long long t0;
	ssize_t n;
	int fd;

	if (!buf) {
		perror("zw_benchtime: malloc");
		return 1;
	}
	t0 = now_ns();
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "zw_benchtime: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (;;) {
		if (cap - len < READ_CHUNK) {
			char *more = realloc(buf, cap * 2);

			if (!more) {
				perror("zw_benchtime: realloc");
				return 1;
			}
			buf = more;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			fprintf(stderr, "zw_benchtime: read %s: %s\n", path, strerror(errno));
			return 1;
		}
		if (!n)
			break;
		len += n;
	}
	close(fd);
	*ns = now_ns() - t0;
	if (write(out, buf, len) != (ssize_t)len) {
		perror("zw_benchtime: write");
		return 1;
	}
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	const char *out_path = NULL, *file = NULL;
	long long ns = 0;
	int opt, out, ret;

	while ((opt = getopt(argc, argv, "+o:f:")) != -1) {
		switch (opt) {
		case 'o':
			out_path = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		default:
			return usage();
		}
	}
	if (!out_path || (!file && optind >= argc) || (file && optind < argc))
		return usage();
	out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		fprintf(stderr, "zw_benchtime: %s: %s\n", out_path, strerror(errno));
		return 1;
	}
	if (file)
		ret = read_file(file, out, &ns);
	else
		ret = run_pipeline(argc - optind, argv + optind, out, &ns);
	close(out);
	if (ret)
		return ret;
	printf("%lld\n", ns);
	return 0;
}
