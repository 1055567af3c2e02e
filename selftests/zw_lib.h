/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the zwatch selftests: loading the module, making zombies
 * whose numbers and names the test knows, and reading what the kernel
 * says about them (/proc/zombies, sysfs, and /proc/PID as ground truth).
 */
#ifndef _ZW_LIB_H
#define _ZW_LIB_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/zwatch.h>

/*
 * The harness gives a test 30 s; KASAN and lockdep under emulation make
 * some of ours take minutes, so every test gets ten.
 */
#ifdef TEST_TIMEOUT_DEFAULT
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 600
#endif

/* module: 0 or -errno, as finit_module(2) and delete_module(2) report */
int zw_module_load(const char *params);
int zw_module_unload(void);
bool zw_module_loaded(void);
/* load with defaults unless loaded; for tests that must leave it loaded */
int zw_module_ensure(void);

/*
 * A zombie factory: a child process named @comm that forks zombies on
 * request and never reaps them until told to.  Commands are synchronous:
 * when a call returns, the kernel already sees the result.
 */
struct zw_factory {
	pid_t pid;
	int cmd_fd;
	int ack_fd;
};

int zw_factory_start(struct zw_factory *f, const char *comm, int zombies,
		     uid_t uid);
int zw_factory_add(struct zw_factory *f, int zombies);
int zw_factory_reap(struct zw_factory *f);
/* reap @n of its zombies, leave the rest */
int zw_factory_reap_some(struct zw_factory *f, int n);
/* SIGKILL the parent: its zombies go to the nearest subreaper */
void zw_factory_kill(struct zw_factory *f);
/* a defunct leader: a child whose leader exited while a thread runs on */
int zw_factory_add_defunct(struct zw_factory *f);
/* let the defunct leader's last thread exit: it becomes a zombie */
int zw_factory_end_defunct(struct zw_factory *f);
void zw_factory_stop(struct zw_factory *f);

/* /proc/zombies as parsed by the test itself */
struct zw_row {
	int ppid;
	unsigned int zombies;
	unsigned long long oldest_s;
	unsigned long long start;
	char cgroup[4096];
	char comm[64];
};

struct zw_table {
	int version;
	unsigned int zombies;
	unsigned int parents;
	unsigned int defunct_leaders;
	unsigned int rows_key;
	unsigned int cut;
	int nr_rows;
	struct zw_row *rows;
	char *text;
};

/* 0, or -errno; -EPROTO when the text does not follow the format */
int zw_table_read(const char *path, struct zw_table *t);
void zw_table_free(struct zw_table *t);
const struct zw_row *zw_table_find(const struct zw_table *t, int ppid);

/* ground truth from /proc: reapable zombies whose parent is @ppid */
int zw_truth_zombies_of(const char *proc, int ppid);
/* every task in state Z, told apart as the module's header tells them */
struct zw_truth {
	unsigned int zombies;		/* Z, no thread of it left */
	unsigned int defunct_leaders;	/* Z, threads of it still run */
};
/* 0, or -errno */
int zw_truth_count(const char *proc, struct zw_truth *t);
/* seconds on CLOCK_MONOTONIC */
double zw_now(void);

/*
 * Orphans of earlier tests go to init, which reaps them when it gets to it
 * (seconds, on the debug kernel).  Waits up to 30 s until it has, so that a
 * test that checks every row against /proc checks a system at rest.
 */
int zw_settle(void);
/* field 3 of /proc/PID/stat ('R', 'S', 'Z', ...), or 0 when it is gone */
char zw_truth_state(const char *proc, int pid);
/* field 22 of /proc/PID/stat */
unsigned long long zw_truth_start(const char *proc, int pid);

/* sysfs: 0 or -errno */
int zw_sysfs_read(const char *name, unsigned long long *val);
int zw_sysfs_write(const char *name, const char *buf, size_t len);
int zw_sysfs_read_str(const char *path, char *buf, size_t len);
/*
 * A counter or tunable.  A read error aborts the test program's child, which
 * the harness reports as a failed test: no comparison ever sees a made-up
 * value.  Where an error is expected (the module unloaded), use
 * zw_sysfs_read().
 */
unsigned long long zw_attr(const char *name);
/*
 * Waits up to 60 s (the debug kernel is slow) until `scans` reaches @target,
 * or has grown by @n; false if it did not, which a caller must treat as a
 * failure: a check that "nothing came" proves nothing when no scan ran.
 */
bool zw_wait_scans_to(unsigned long long target);
bool zw_wait_scans(unsigned long long n);
/* thread groups in /proc: what a walk of every process passes */
int zw_proc_tasks(void);
/*
 * With periodic scans off, wait out a scan that was running when they were
 * turned off (the write queued one more behind it): returns once `scans`
 * stood still for half a second, or after 30 s.
 */
void zw_scans_quiet(void);
/*
 * /proc/zombies, and sysfs's zombies, parents and defunct_leaders into @sys
 * unless it is NULL, read while /proc did not change: /proc is counted
 * before and after (zw_truth_count), and the two counts must agree.  0, or
 * -errno; -EAGAIN when /proc never stood still.
 */
int zw_read_at_rest(struct zw_table *t, unsigned long long sys[3],
		    struct zw_truth *truth);
/* any file (procfs, debugfs): 0 or -errno */
int zw_write_file(const char *path, const char *val);

/*
 * A test's background load: a process that opens @path, reads it through
 * and closes it, in a loop, whether or not the file is there at the moment,
 * until killed; with @pause_us it stops that long after its first 100
 * bytes, holding the file open.  It runs at the lowest priority, whenever
 * the test waits and never ahead of the test's own steps: on the debug
 * kernel, four readers at full priority made each fork of the test take
 * 2.5 s instead of 0.4 s.  Returns its pid, or -1.
 */
pid_t zw_reader_start(const char *path, unsigned int pause_us);

/* the stress size the run asked for: ZWATCH_STRESS=full|quick|debug */
bool zw_stress_is(const char *size);

/* uevents from the kernel (NETLINK_KOBJECT_UEVENT group 1), zwatch's only */
struct zw_uevent {
	char buf[8192];
	const char *keys[64];
	int nr_keys;
};

int zw_uevent_open(void);
/* 0, or -ETIMEDOUT when no zwatch event came within @timeout_ms */
int zw_uevent_next(int fd, int timeout_ms, struct zw_uevent *ev);
/* the value of @key ("ZWATCH_EVENT"), or NULL */
const char *zw_uevent_get(const struct zw_uevent *ev, const char *key);

/* octal escape as /proc/zombies writes it */
void zw_escape(const char *in, char *out, size_t len);

#endif /* _ZW_LIB_H */
