// SPDX-License-Identifier: GPL-2.0
/*
 * zwatch explain PPID: why this parent does not reap its zombies, from what
 * /proc/PPID/{stat,status,wchan,cgroup} and its cgroup's pids controller
 * say, and what to do next.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/zwatch.h>

#include "procscan.h"
#include "zw.h"
#include "zwfmt.h"
#include "zwsnap.h"
#include "zwtask.h"

/* zombie pids listed before "and N more" */
#define EXPLAIN_MAX_PIDS	20
#define EXPLAIN_SIGCHLD		(1ULL << (SIGCHLD - 1))

/* What explain found out about the parent. */
struct explain {
	pid_t ppid;
	struct zwtask_stat st;
	struct zwtask_status status;
	bool has_status;
	char wchan[64];
	char *cgroup;		/* NULL: none */
	bool pidns_known, initial_pidns;
	struct procscan ps;
	size_t zombies, defunct;
	const struct zwproc_row *row;	/* the module's row, if any */
	struct zwsnap snap;
	bool has_snap;
	uint64_t pids_current, pids_max;	/* pids_max 0: "max" */
	bool has_pids;
	pid_t tracer_pid;
	char tracer_comm[ZWTASK_COMM_LEN];
};

static void explain_help(void)
{
	printf("Usage: %s explain PPID [COMMON OPTION]...\n"
	       "Why PPID does not reap its zombies, and what to do next: its\n"
	       "SIGCHLD disposition (ignored, blocked, caught), its state (stopped,\n"
	       "traced, in D) and wchan, whether it is PID 1 of a pid namespace,\n"
	       "its cgroup's pids.current and pids.max and the zombies' share,\n"
	       "and the zombie pids.\n"
	       "\n"
	       "%s",
	       ZW_PROG, zw_common_help);
}

static void explain_wchan(int fd, struct explain *e)
{
	char *buf;

	snprintf(e->wchan, sizeof(e->wchan), "-");
	if (zw_read_at(fd, "wchan", &buf, NULL))
		return;
	buf[strcspn(buf, "\n")] = '\0';
	if (*buf && strcmp(buf, "0"))
		snprintf(e->wchan, sizeof(e->wchan), "%s", buf);
	free(buf);
}

/* pids.current and pids.max of the parent's cgroup, if it has them. */
static void explain_pids(const struct zw_opts *opts, struct explain *e)
{
	char *dir, *buf;
	int fd;

	if (!e->cgroup)
		return;
	dir = zw_path(opts->sys_root, "fs/cgroup%s", e->cgroup);
	fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	free(dir);
	if (fd < 0)
		return;
	if (!zw_read_u64_at(fd, "pids.current", &e->pids_current) &&
	    !zw_read_at(fd, "pids.max", &buf, NULL)) {
		e->has_pids = true;
		buf[strcspn(buf, "\n")] = '\0';
		if (zw_parse_u64(buf, UINT64_MAX, &e->pids_max))
			e->pids_max = 0;	/* "max" */
		free(buf);
	}
	close(fd);
}

/* The module's row for this parent, when the module is there. */
static void explain_module_row(const struct zw_opts *opts, struct explain *e)
{
	size_t i;

	if (!zwsnap_module_quiet(opts, &e->snap))
		return;
	e->has_snap = true;
	for (i = 0; i < e->snap.t.nr_rows; i++)
		if (e->snap.t.rows[i].ppid == e->ppid &&
		    e->snap.t.rows[i].start == e->st.start)
			e->row = &e->snap.t.rows[i];
}

static void explain_tracer(const struct zw_opts *opts, struct explain *e)
{
	struct zwtask_stat st;
	int fd;

	e->tracer_pid = e->status.tracer_pid;
	snprintf(e->tracer_comm, sizeof(e->tracer_comm), "?");
	if (!e->tracer_pid)
		return;
	fd = zwtask_open(opts->proc_root, e->tracer_pid);
	if (fd < 0)
		return;
	if (!zwtask_read_stat(fd, &st))
		snprintf(e->tracer_comm, sizeof(e->tracer_comm), "%s", st.comm);
	close(fd);
}

static int explain_gather(const struct zw_opts *opts, struct explain *e)
{
	size_t i;
	int fd, ret;

	fd = zwtask_open(opts->proc_root, e->ppid);
	if (fd == -ENOENT) {
		zw_err("no process %d in %s", (int)e->ppid, opts->proc_root);
		return ZW_EXIT_NO_PROCESS;
	}
	if (fd < 0) {
		char *path = zw_path(opts->proc_root, "%d", (int)e->ppid);
		int r = zw_sys_error("open", path ? path : "", -fd);

		free(path);
		return r;
	}
	ret = zwtask_read_stat(fd, &e->st);
	if (ret) {
		close(fd);
		zw_err("cannot read %s/%d/stat: %s", opts->proc_root,
		       (int)e->ppid, strerror(-ret));
		return ret == -ENOENT || ret == -ESRCH ? ZW_EXIT_NO_PROCESS :
			ret == -EINVAL ? ZW_EXIT_MALFORMED : ZW_EXIT_FAILURE;
	}
	e->has_status = !zwtask_read_status(fd, &e->status);
	explain_wchan(fd, e);
	zwtask_read_cgroup(fd, &e->cgroup);
	e->pidns_known = !zwtask_initial_pidns(fd, &e->initial_pidns);
	close(fd);

	ret = procscan_zombies(opts->proc_root, &e->ps);
	if (ret)
		return ret;
	for (i = 0; i < e->ps.nr; i++) {
		if (e->ps.z[i].ppid != e->ppid)
			continue;
		if (e->ps.z[i].defunct_leader)
			e->defunct++;
		else
			e->zombies++;
	}
	explain_tracer(opts, e);
	explain_pids(opts, e);
	explain_module_row(opts, e);
	return ZW_EXIT_OK;
}

static const char *explain_disposition(const struct explain *e)
{
	if (!e->has_status || !e->status.has_sig)
		return "unknown (no Sig* lines in status)";
	if (e->status.sig_ign & EXPLAIN_SIGCHLD)
		return "ignored (SIG_IGN): the kernel reaps new children itself";
	if (e->status.sig_cgt & EXPLAIN_SIGCHLD)
		return "caught: it has a handler";
	return "default: not caught, not ignored (the signal does nothing)";
}

static bool explain_pid1(const struct explain *e)
{
	return e->ppid == 1 || (e->has_status && e->status.nspid_last == 1);
}

static void explain_role(const struct explain *e)
{
	printf("  role:     ");
	if (explain_pid1(e) && e->pidns_known && e->initial_pidns)
		printf("PID 1 of the initial pid namespace: the system's init\n");
	else if (explain_pid1(e) && e->pidns_known)
		printf("PID 1 of its pid namespace (a container's init): orphans of the namespace are its children\n");
	else if (explain_pid1(e))
		printf("PID 1 of its pid namespace\n");
	else
		printf("an ordinary process (not PID 1 of any pid namespace)\n");
	printf("  subreaper: unknown (/proc does not show PR_SET_CHILD_SUBREAPER)\n");
}

static void explain_zombie_pids(const struct explain *e)
{
	size_t i, shown = 0;

	printf("  zombies:  %zu", e->zombies);
	if (e->defunct)
		printf(" (and %zu defunct leaders: exited, threads still running)",
		       e->defunct);
	if (e->row) {
		char age[ZWFMT_AGE_LEN];

		printf(", oldest exited %s ago (module)",
		       zwfmt_age(e->row->oldest_s, age));
	}
	putchar('\n');
	if (!e->zombies)
		return;
	printf("  pids:    ");
	for (i = 0; i < e->ps.nr; i++) {
		const struct procscan_zombie *z = &e->ps.z[i];

		if (z->ppid != e->ppid || z->defunct_leader)
			continue;
		if (shown++ == EXPLAIN_MAX_PIDS) {
			printf(" ... and %zu more", e->zombies - EXPLAIN_MAX_PIDS);
			break;
		}
		printf(" %d", (int)z->pid);
	}
	putchar('\n');
}

static void explain_cgroup(const struct explain *e)
{
	char share[ZWFMT_SHARE_LEN];

	printf("  cgroup:   ");
	if (!e->cgroup) {
		printf("none (no cgroup v2 line in /proc/%d/cgroup)\n",
		       (int)e->ppid);
		return;
	}
	zwfmt_put_escaped(stdout, e->cgroup);
	if (!e->has_pids) {
		printf(", no pids controller there\n");
		return;
	}
	printf(", pids.current %" PRIu64, e->pids_current);
	if (e->pids_max)
		printf(", pids.max %" PRIu64 ": its zombies take %s of pids.max",
		       e->pids_max, zwfmt_share(e->zombies, e->pids_max, share));
	else
		printf(", pids.max max");
	if (e->pids_current)
		printf(" (%s of pids.current)",
		       zwfmt_share(e->zombies, e->pids_current, share));
	putchar('\n');
}

/* The verdict and the next step, most specific cause first. */
static void explain_verdict(const struct explain *e)
{
	const struct zwtask_status *s = &e->status;
	int p = e->ppid;

	printf("why:  ");
	if (!e->zombies) {
		printf("%d has no zombie children now.\nnext: nothing to do.\n", p);
	} else if (e->st.state == 'Z' || e->st.state == 'X') {
		printf("%d has exited itself and waits to be reaped by its own parent (%d).\n"
		       "next: once it is reaped, its zombies go to init (or a subreaper), which reaps them; see: %s explain %d\n",
		       p, (int)e->st.ppid, ZW_PROG, (int)e->st.ppid);
	} else if (e->st.state == 'T' || e->st.state == 't' || s->tracer_pid) {
		if (s->tracer_pid)
			printf("%d is traced by %d (%s): while the tracer holds it, it cannot run its reaping code.\n"
			       "next: detach the debugger or tracer (%d), or let it continue the process.\n",
			       p, (int)s->tracer_pid, e->tracer_comm,
			       (int)s->tracer_pid);
		else
			printf("%d is stopped: it cannot reap until it runs again.\n"
			       "next: kill -CONT %d\n", p, p);
	} else if (e->st.state == 'D') {
		printf("%d is in uninterruptible sleep (in %s): it reaps, if ever, once that returns.\n"
		       "next: find what it waits for (storage, NFS, a driver): cat /proc/%d/stack\n",
		       p, e->wchan, p);
	} else if (s->has_sig && (s->sig_ign & EXPLAIN_SIGCHLD)) {
		printf("%d ignores SIGCHLD, so new children vanish by themselves; these zombies predate that, and nothing in it will wait() for them.\n"
		       "next: a kick cannot help (an ignored signal is discarded): restart %d; its zombies then go to init, which reaps them.\n",
		       p, p);
	} else if (explain_pid1(e) && e->pidns_known && e->initial_pidns) {
		printf("%d is the system's init: orphans are reparented to it and it should reap them; an init that does not is stuck or broken.\n"
		       "next: look at its state and wchan above and its log; %s kick %d --force sends it the SIGCHLD it may have missed.\n",
		       p, ZW_PROG, p);
	} else if (explain_pid1(e)) {
		printf("%d is PID 1 of its pid namespace: orphans are reparented to it, and it does not reap them (the Docker case: an application as PID 1).\n"
		       "next: run the container with an init that reaps (docker run --init, tini, dumb-init); for now: %s kick %d%s\n",
		       p, ZW_PROG, p, e->pidns_known ? "" : " --force");
	} else if (s->has_sig && (s->sig_blk & EXPLAIN_SIGCHLD)) {
		printf("%d blocks SIGCHLD: its handler does not run while it is blocked (a program that waits with sigwait() or signalfd() is stuck elsewhere).\n"
		       "next: %s kick %d queues a SIGCHLD for when it unblocks; if the zombies stay, the program is stuck or buggy: restart it.\n",
		       p, ZW_PROG, p);
	} else if (s->has_sig && (s->sig_cgt & EXPLAIN_SIGCHLD)) {
		printf("%d catches SIGCHLD but leaves zombies: its handler may reap one child per signal (signals merge) or fail.\n"
		       "next: %s kick %d; if the zombies stay, fix the handler to loop on waitpid(-1, &status, WNOHANG).\n",
		       p, ZW_PROG, p);
	} else {
		printf("%d does not handle SIGCHLD and does not wait() for these children: an application bug (it forks and forgets).\n"
		       "next: fix it to wait() for its children; for now restart it: its zombies then go to init, which reaps them (a kick does not help: SIGCHLD does nothing to it).\n",
		       p);
	}
}

static void explain_print(const struct explain *e)
{
	const struct zwtask_status *s = &e->status;

	printf("%d (", (int)e->ppid);
	zwfmt_put_escaped(stdout, e->st.comm);
	printf("), start %" PRIu64 ", parent %d\n", e->st.start,
	       (int)e->st.ppid);
	printf("  state:    %s, wchan %s\n",
	       e->has_status ? s->state : "?", e->wchan);
	if (s->tracer_pid)
		printf("  traced:   by %d (%s)\n", (int)s->tracer_pid,
		       e->tracer_comm);
	else
		printf("  traced:   no\n");
	printf("  SIGCHLD:  %s; %s\n", explain_disposition(e),
	       e->has_status && (s->sig_blk & EXPLAIN_SIGCHLD) ? "blocked" :
	       "not blocked");
	if (e->has_status && ((s->sig_pnd | s->shd_pnd) & EXPLAIN_SIGCHLD))
		printf("            a SIGCHLD is pending\n");
	explain_role(e);
	explain_cgroup(e);
	explain_zombie_pids(e);
	explain_verdict(e);
}

static int explain_run(int argc, char **argv, struct zw_opts *opts)
{
	struct explain e;
	int ret;

	memset(&e, 0, sizeof(e));
	ret = zw_getopt(argc, argv, &zw_cmd_explain, "", NULL, NULL, NULL,
			opts);
	if (ret >= 0)
		return ret;
	if (optind != argc - 1) {
		zw_err(optind < argc ? "explain: one PPID only" :
		       "explain: which PPID?");
		return zw_usage_error(&zw_cmd_explain);
	}
	if (zw_arg_pid(argv[optind], &e.ppid))
		return zw_usage_error(&zw_cmd_explain);
	ret = explain_gather(opts, &e);
	if (!ret)
		explain_print(&e);
	procscan_free(&e.ps);
	if (e.has_snap)
		zwsnap_free(&e.snap);
	free(e.cgroup);
	return ret;
}

const struct zw_cmd zw_cmd_explain = {
	.name = "explain",
	.summary = "why a parent does not reap its zombies, and what to do",
	.help = explain_help,
	.run = explain_run,
	.usage_exit = ZW_EXIT_USAGE,
};
