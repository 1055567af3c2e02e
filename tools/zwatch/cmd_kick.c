// SPDX-License-Identifier: GPL-2.0
/*
 * zwatch kick PPID: the gentle fix.  Check that PPID is still the process
 * that was listed, send it SIGCHLD, and wait a little for its zombies to go.
 *
 * The parent is held by its /proc/PPID directory from the first read to the
 * signal: pidfd_send_signal() takes that directory as a pidfd, so a PID
 * reused in between is never signalled.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/zwatch.h>

#include "procscan.h"
#include "zw.h"
#include "zwfmt.h"
#include "zwsnap.h"
#include "zwtask.h"

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal	424
#endif

#define KICK_WAIT_MS_DEFAULT	2000
#define KICK_WAIT_MS_MAX	600000
#define KICK_POLL_MS		20

enum kick_opt_id {
	KICK_OPT_FORCE = ZW_OPT_CMD_BASE,
	KICK_OPT_DRY_RUN,
	KICK_OPT_START,
	KICK_OPT_WAIT,
};

struct kick_args {
	pid_t ppid;
	bool force, dry_run, has_start;
	uint64_t start;
	uint64_t wait_ms;
};

/* The parent, held, and the zombies it had before the kick. */
struct kick {
	int fd;			/* <proc-root>/PPID */
	struct zwtask_stat st;
	pid_t *before;
	size_t nr_before;
};

static const struct option kick_long[] = {
	{ "force", no_argument, NULL, KICK_OPT_FORCE },
	{ "dry-run", no_argument, NULL, KICK_OPT_DRY_RUN },
	{ "start", required_argument, NULL, KICK_OPT_START },
	{ "wait", required_argument, NULL, KICK_OPT_WAIT },
	{ NULL, 0, NULL, 0 },
};

static void kick_help(void)
{
	printf("Usage: %s kick PPID [--start TICKS] [--dry-run] [--force] [--wait MS]\n"
	       "Send SIGCHLD to PPID, so that a parent that reaps in its SIGCHLD\n"
	       "handler reaps its zombies, and report whether they went away.\n"
	       "\n"
	       "First it checks that PPID is the process that was listed: its start\n"
	       "time (field 22 of /proc/PPID/stat) must equal --start TICKS, or the\n"
	       "START the module lists for PPID.  It refuses PID 1 of the initial\n"
	       "pid namespace (the system's init) unless --force.\n"
	       "\n"
	       "      --start TICKS  the START that was listed for PPID\n"
	       "      --dry-run      check, say what would be done, send nothing\n"
	       "      --force        kick PID 1 of the initial pid namespace too\n"
	       "      --wait MS      how long to wait for the zombies to go\n"
	       "                     (default %d)\n"
	       "%s"
	       "\n"
	       "Exit status: %d all its zombies were reaped (or it had none, or\n"
	       "--dry-run), %d some are left, %d refused, %d no such process,\n"
	       "%d not allowed to signal it; see zwatch --help for the others.\n",
	       ZW_PROG, KICK_WAIT_MS_DEFAULT, zw_common_help,
	       ZW_EXIT_OK, ZW_EXIT_NOT_REAPED, ZW_EXIT_REFUSED,
	       ZW_EXIT_NO_PROCESS, ZW_EXIT_PERM);
}

static int kick_opt(int c, const char *arg, void *ctx)
{
	struct kick_args *a = ctx;

	switch (c) {
	case KICK_OPT_FORCE:
		a->force = true;
		break;
	case KICK_OPT_DRY_RUN:
		a->dry_run = true;
		break;
	case KICK_OPT_START:
		if (zw_arg_u64("--start", arg, UINT64_MAX, &a->start))
			return zw_usage_error(&zw_cmd_kick);
		a->has_start = true;
		break;
	case KICK_OPT_WAIT:
		if (zw_arg_u64("--wait", arg, KICK_WAIT_MS_MAX, &a->wait_ms))
			return zw_usage_error(&zw_cmd_kick);
		break;
	}
	return -1;
}

/* Open and read the parent; a status when it cannot be done. */
static int kick_hold(const struct zw_opts *opts, const struct kick_args *a,
		     struct kick *k)
{
	char *path;
	int ret;

	k->fd = zwtask_open(opts->proc_root, a->ppid);
	if (k->fd >= 0) {
		ret = zwtask_read_stat(k->fd, &k->st);
		if (!ret)
			return ZW_EXIT_OK;
	} else {
		ret = k->fd;
	}
	if (ret == -ENOENT || ret == -ESRCH) {
		zw_err("no process %d in %s", (int)a->ppid, opts->proc_root);
		return ZW_EXIT_NO_PROCESS;
	}
	path = zw_path(opts->proc_root, "%d/stat", (int)a->ppid);
	if (ret == -EINVAL) {
		zw_err("%s: malformed input: not a /proc/PID/stat line",
		       path ? path : "stat");
		ret = ZW_EXIT_MALFORMED;
	} else {
		ret = zw_sys_error("read", path ? path : "stat", -ret);
	}
	free(path);
	return ret;
}

/* The START to check against: --start, else the module's row, if any. */
static bool kick_expected_start(const struct zw_opts *opts,
				const struct kick_args *a, uint64_t *start,
				const char **from)
{
	struct zwsnap s;
	bool found = false;
	size_t i;

	if (a->has_start) {
		*start = a->start;
		*from = "--start";
		return true;
	}
	if (!zwsnap_module_quiet(opts, &s))
		return false;
	for (i = 0; i < s.t.nr_rows && !found; i++) {
		if (s.t.rows[i].ppid != a->ppid)
			continue;
		*start = s.t.rows[i].start;
		found = true;
	}
	zwsnap_free(&s);
	*from = ZWATCH_PROC_PATH;
	return found;
}

/* Refusals: not the listed process, or the system's init. */
static int kick_refuse(const struct zw_opts *opts, const struct kick_args *a,
		       const struct kick *k)
{
	const char *from = NULL;
	uint64_t start;
	bool initial = true;

	if (kick_expected_start(opts, a, &start, &from) &&
	    start != k->st.start) {
		zw_err("refusing to kick %d: its start time is %" PRIu64 ", not %" PRIu64 " (from %s): it is another process now, or the listing is stale",
		       (int)a->ppid, k->st.start, start, from);
		return ZW_EXIT_REFUSED;
	}
	if (a->ppid != 1 || a->force)
		return ZW_EXIT_OK;
	/* an unreadable ns/pid is taken as the initial namespace */
	zwtask_initial_pidns(k->fd, &initial);
	if (initial) {
		zw_err("refusing to kick PID 1 of the initial pid namespace (the system's init) without --force");
		return ZW_EXIT_REFUSED;
	}
	return ZW_EXIT_OK;
}

/* The zombies PPID has now, into k->before. */
static int kick_zombies(const struct zw_opts *opts, pid_t ppid,
			struct kick *k)
{
	struct procscan ps;
	size_t i;
	int ret;

	ret = procscan_zombies(opts->proc_root, &ps);
	if (ret)
		return ret;
	k->before = calloc(ps.nr + 1, sizeof(*k->before));
	if (!k->before) {
		procscan_free(&ps);
		zw_err("out of memory");
		return ZW_EXIT_FAILURE;
	}
	for (i = 0; i < ps.nr; i++)
		if (ps.z[i].ppid == ppid && !ps.z[i].defunct_leader)
			k->before[k->nr_before++] = ps.z[i].pid;
	procscan_free(&ps);
	return ZW_EXIT_OK;
}

/* How many of the zombies of before are still there: 0 when all went. */
static int kick_left(const struct zw_opts *opts, pid_t ppid,
		     const struct kick *k, size_t *left)
{
	struct procscan ps;
	size_t i, j;
	int ret;

	ret = procscan_zombies(opts->proc_root, &ps);
	if (ret)
		return ret;
	*left = 0;
	for (i = 0; i < k->nr_before; i++)
		for (j = 0; j < ps.nr; j++)
			if (ps.z[j].pid == k->before[i] &&
			    ps.z[j].ppid == ppid) {
				(*left)++;
				break;
			}
	procscan_free(&ps);
	return ZW_EXIT_OK;
}

static int kick_signal(const struct kick_args *a, const struct kick *k)
{
	if (!syscall(SYS_pidfd_send_signal, k->fd, SIGCHLD, NULL, 0))
		return ZW_EXIT_OK;
	switch (errno) {
	case ESRCH:
		zw_err("%d exited before the kick: its zombies went to init", (int)a->ppid);
		return ZW_EXIT_NO_PROCESS;
	case EPERM:
		zw_err("not allowed to signal %d: run as its owner or as root",
		       (int)a->ppid);
		return ZW_EXIT_PERM;
	case EBADF:
	case EINVAL:
		zw_err("cannot signal %d: its directory under the proc root is not a /proc/PID of this kernel",
		       (int)a->ppid);
		return ZW_EXIT_FAILURE;
	default:
		zw_err("cannot send SIGCHLD to %d: %s", (int)a->ppid,
		       strerror(errno));
		return ZW_EXIT_FAILURE;
	}
}

static void kick_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int kick_wait(const struct zw_opts *opts, const struct kick_args *a,
		     const struct kick *k)
{
	uint64_t t0 = zw_now_ns(), waited;
	size_t left;
	int ret;

	for (;;) {
		ret = kick_left(opts, a->ppid, k, &left);
		if (ret)
			return ret;
		waited = (zw_now_ns() - t0) / 1000000;
		if (!left || waited >= a->wait_ms)
			break;
		kick_sleep_ms(KICK_POLL_MS);
	}
	printf("sent SIGCHLD to %d (", (int)a->ppid);
	zwfmt_put_escaped(stdout, k->st.comm);
	if (!left) {
		printf("): all %zu zombies reaped within %" PRIu64 ".%03" PRIu64 "s\n",
		       k->nr_before, waited / 1000, waited % 1000);
		return ZW_EXIT_OK;
	}
	printf("): %zu of %zu zombies still there after %" PRIu64 ".%03" PRIu64 "s: it does not reap on SIGCHLD; see: %s explain %d\n",
	       left, k->nr_before, waited / 1000, waited % 1000, ZW_PROG,
	       (int)a->ppid);
	return ZW_EXIT_NOT_REAPED;
}

static int kick_do(const struct zw_opts *opts, const struct kick_args *a,
		   struct kick *k)
{
	int ret;

	ret = kick_hold(opts, a, k);
	if (!ret)
		ret = kick_refuse(opts, a, k);
	if (!ret)
		ret = kick_zombies(opts, a->ppid, k);
	if (ret)
		return ret;
	if (!k->nr_before) {
		printf("%d (", (int)a->ppid);
		zwfmt_put_escaped(stdout, k->st.comm);
		printf(") has no zombies: nothing to do\n");
		return ZW_EXIT_OK;
	}
	if (a->dry_run) {
		printf("would send SIGCHLD to %d (", (int)a->ppid);
		zwfmt_put_escaped(stdout, k->st.comm);
		printf(", start %" PRIu64 ") and wait up to %" PRIu64 " ms for its %zu zombies to be reaped\n",
		       k->st.start, a->wait_ms, k->nr_before);
		return ZW_EXIT_OK;
	}
	ret = kick_signal(a, k);
	if (ret)
		return ret;
	return kick_wait(opts, a, k);
}

static int kick_run(int argc, char **argv, struct zw_opts *opts)
{
	struct kick_args a = { .wait_ms = KICK_WAIT_MS_DEFAULT };
	struct kick k = { .fd = -1 };
	int ret;

	ret = zw_getopt(argc, argv, &zw_cmd_kick, "", kick_long, kick_opt, &a,
			opts);
	if (ret >= 0)
		return ret;
	if (optind != argc - 1) {
		zw_err(optind < argc ? "kick: one PPID only" :
		       "kick: which PPID?");
		return zw_usage_error(&zw_cmd_kick);
	}
	if (zw_arg_pid(argv[optind], &a.ppid))
		return zw_usage_error(&zw_cmd_kick);
	ret = kick_do(opts, &a, &k);
	if (k.fd >= 0)
		close(k.fd);
	free(k.before);
	return ret;
}

const struct zw_cmd zw_cmd_kick = {
	.name = "kick",
	.summary = "send SIGCHLD to a parent and see whether it reaps",
	.help = kick_help,
	.run = kick_run,
	.usage_exit = ZW_EXIT_USAGE,
};
