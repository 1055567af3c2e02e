/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zwtask: what /proc/PID/stat, status and cgroup say about one process.
 */
#ifndef _ZWTASK_H
#define _ZWTASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* comm is at most 16 bytes in the kernel; room for a test's longer one */
#define ZWTASK_COMM_LEN		64
/* the pid namespace of the first process: PROC_PID_INIT_INO in the kernel */
#define ZWTASK_INIT_PIDNS	"pid:[4026531836]"

/* From /proc/PID/stat. */
struct zwtask_stat {
	pid_t pid;
	char comm[ZWTASK_COMM_LEN];
	char state;		/* R S D Z T t X I ... */
	pid_t ppid;		/* field 4: the real parent, 0 when not visible */
	uint64_t threads;	/* field 20: num_threads */
	uint64_t start;		/* field 22: start time, ticks after boot */
};

/* From /proc/PID/status: only what zwatch uses. */
struct zwtask_status {
	char state[32];		/* "S (sleeping)" */
	pid_t tracer_pid;
	pid_t nspid_last;	/* pid in the task's own namespace; 0 unknown */
	unsigned int nspid_levels;	/* NSpid fields seen */
	uint64_t threads;
	uint64_t sig_pnd, shd_pnd, sig_blk, sig_ign, sig_cgt;
	bool has_sig;		/* the Sig* lines were there */
};

/*
 * Parse the text of a stat file.  The comm is taken between the first "("
 * and the last ")", as it may hold both.  Return 0 or -EINVAL.
 */
int zwtask_parse_stat(const char *buf, struct zwtask_stat *st);
int zwtask_parse_status(const char *buf, struct zwtask_status *st);

/* Read them from a /proc/PID directory fd.  0 or -errno. */
int zwtask_read_stat(int dirfd, struct zwtask_stat *st);
int zwtask_read_status(int dirfd, struct zwtask_status *st);

/*
 * The cgroup v2 path of the "0::" line of /proc/PID/cgroup, in a new string
 * at *@path, or NULL when there is none.  0 or -errno.
 */
int zwtask_read_cgroup(int dirfd, char **path);

/*
 * Whether the process is in the initial pid namespace: its ns/pid link
 * names ZWTASK_INIT_PIDNS.  0 or -errno (the link cannot be read).
 */
int zwtask_initial_pidns(int dirfd, bool *initial);

/* Open <proc-root>/PID as a directory.  The fd, or -errno. */
int zwtask_open(const char *proc_root, pid_t pid);

#endif /* _ZWTASK_H */
