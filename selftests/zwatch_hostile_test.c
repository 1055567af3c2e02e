// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile input and privilege: fuzzed tunables, unprivileged writers, a
 * container's view, and names made of the bytes that break parsers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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
#include "../tools/zwatch/zwproc.h"

static const struct {
	const char *name;
	unsigned long long max;
} zw_knobs[] = {
	{ ZWATCH_ATTR_INTERVAL_MS, ZWATCH_INTERVAL_MS_MAX },
	{ ZWATCH_ATTR_TOP_PARENTS, ZWATCH_TOP_PARENTS_MAX },
	{ ZWATCH_ATTR_THRESHOLD, ZWATCH_THRESHOLD_MAX },
	{ ZWATCH_ATTR_PARENT_THRESHOLD, ZWATCH_THRESHOLD_MAX },
	{ ZWATCH_ATTR_SPIKE_THRESHOLD, ZWATCH_THRESHOLD_MAX },
	{ ZWATCH_ATTR_HYSTERESIS, ZWATCH_THRESHOLD_MAX },
};

#define ZW_NR_KNOBS (sizeof(zw_knobs) / sizeof(zw_knobs[0]))

/*
 * How a child ended, as one exit code: its own, or 128 + the signal that
 * killed it.  WEXITSTATUS() of a killed child is 0, so a crash would read
 * as success; passed up the chain, a death stays a failure at every level.
 */
static int zw_child_end(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return 127;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 127;
}

/* what the kernel must make of @buf: the value, or -1 for "refused" */
static long long zw_model(const char *buf, size_t len, unsigned long long max)
{
	unsigned long long v = 0;
	size_t i, digits = len;

	if (len && buf[len - 1] == '\n')
		digits--;
	/* kstrtouint() takes one leading '+' */
	i = digits > 1 && buf[0] == '+';
	if (!digits)
		return -1;
	for (; i < digits; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -1;
		v = v * 10 + (buf[i] - '0');
		if (v > max)
			return -1;
	}
	return v;
}

static void zw_fuzz_input(char *buf, size_t *len, unsigned int *seed)
{
	static const char * const edge[] = {
		"", "\n", "0", "0\n", "-0", "+1", " 1", "1 ", "1\n\n", "01",
		"4294967295", "4294967296", "18446744073709551616", "0x10",
		"1e3", "3600000", "3600001", "256", "257", "4194304", "4194305",
		"\t7", "7\t", "nan", "-1",
	};
	unsigned int kind = rand_r(seed) % 4, i;

	switch (kind) {
	case 0:		/* an edge case */
		i = rand_r(seed) % (sizeof(edge) / sizeof(edge[0]));
		*len = strlen(edge[i]);
		memcpy(buf, edge[i], *len);
		break;
	case 1:		/* a plausible number, maybe in range */
		*len = snprintf(buf, 32, "%u%s", rand_r(seed) % 5000000,
				rand_r(seed) % 2 ? "\n" : "");
		break;
	case 2:		/* digits with a stray byte somewhere, NUL included */
		*len = snprintf(buf, 32, "%u", rand_r(seed) % 1000);
		buf[rand_r(seed) % *len] = rand_r(seed) % 256;
		break;
	default:	/* random bytes, random length */
		*len = rand_r(seed) % 40;
		for (i = 0; i < *len; i++)
			buf[i] = rand_r(seed) % 256;
		break;
	}
}

TEST(fuzz_tunables)
{
	unsigned long long expect[ZW_NR_KNOBS], got;
	unsigned int seed = 20261128, n, refused = 0;
	char buf[64], path[256];

	ASSERT_EQ(0, zw_module_ensure());
	for (n = 0; n < ZW_NR_KNOBS; n++)
		ASSERT_EQ(0, zw_sysfs_read(zw_knobs[n].name, &expect[n]));

	for (n = 0; n < 10000; n++) {
		unsigned int k = rand_r(&seed) % ZW_NR_KNOBS;
		long long want;
		ssize_t ret;
		size_t len;
		off_t off;
		int fd;

		zw_fuzz_input(buf, &len, &seed);
		want = zw_model(buf, len, zw_knobs[k].max);
		snprintf(path, sizeof(path), "%s/%s", ZWATCH_SYSFS_DIR, zw_knobs[k].name);
		fd = open(path, O_WRONLY);
		ASSERT_LE(0, fd);
		/* sysfs ignores the offset: a write anywhere is the whole value */
		off = rand_r(&seed) % 3 ? 0 : rand_r(&seed) % 8;
		ret = pwrite(fd, buf, len, off);
		close(fd);
		if (len == 0) {
			EXPECT_EQ(0, ret);
		} else if (want < 0) {
			EXPECT_EQ(-1, ret) TH_LOG("'%.*s' to %s taken", (int)len, buf,
						  zw_knobs[k].name);
			EXPECT_TRUE(errno == EINVAL || errno == ERANGE);
			refused++;
		} else {
			EXPECT_EQ((ssize_t)len, ret) TH_LOG("'%.*s' to %s: %m", (int)len,
							    buf, zw_knobs[k].name);
			expect[k] = want;
		}
		ASSERT_EQ(0, zw_sysfs_read(zw_knobs[k].name, &got));
		ASSERT_EQ(expect[k], got) TH_LOG("after '%.*s' to %s", (int)len, buf,
						 zw_knobs[k].name);
		/* keep the machine usable: no 1 ms scans for long */
		if (!strcmp(zw_knobs[k].name, ZWATCH_ATTR_INTERVAL_MS) && got && got < 100) {
			ASSERT_EQ(0, zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "100", 3));
			expect[k] = 100;
		}
	}
	TH_LOG("10000 writes, %u refused", refused);
	EXPECT_GT(refused, 1000);
	for (n = 0; n < ZW_NR_KNOBS; n++)
		zw_sysfs_write(zw_knobs[n].name, "0", 1);
	zw_sysfs_write(ZWATCH_ATTR_INTERVAL_MS, "1000", 4);
	zw_sysfs_write(ZWATCH_ATTR_TOP_PARENTS, "16", 2);
}

TEST(unprivileged_cannot_write)
{
	pid_t pid;
	int end;

	ASSERT_EQ(0, zw_module_ensure());
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned int n;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(100);
		for (n = 0; n < ZW_NR_KNOBS; n++)
			if (zw_sysfs_write(zw_knobs[n].name, "5", 1) != -EACCES)
				_exit(n + 1);
		_exit(0);
	}
	end = zw_child_end(pid);
	EXPECT_EQ(0, end) TH_LOG("%s %d", end > 128 ? "killed by signal" :
				 end == 100 ? "no setresuid:" : "writable: knob",
				 end > 128 ? end - 128 : end - 1);
}

/*
 * A container: new pid, mount and cgroup namespaces, its init in a cgroup
 * of its own.  Inside: exactly its own tree, PPIDs as numbered there, the
 * cgroup as "/", and totals that count nothing from outside.
 */
TEST(container_sees_its_own)
{
	const char *cg = "/sys/fs/cgroup/zw-container";
	int go[2], ready[2], end;
	struct zw_factory outside;
	pid_t box;
	char c;

	ASSERT_EQ(0, zw_module_ensure());
	ASSERT_EQ(0, zw_factory_start(&outside, "zw-outside", 7, 0));
	if (mkdir(cg, 0755) && errno != EEXIST)
		SKIP(return, "no cgroup2: %m");
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));

	box = fork();
	ASSERT_LE(0, box);
	if (box == 0) {
		char procs[300], pid[32];
		struct zw_factory init;
		struct zw_table t;
		const struct zw_row *row;
		pid_t reader;
		int fd, err;

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
		fd = open(procs, O_WRONLY);
		snprintf(pid, sizeof(pid), "%d", getpid());
		if (fd < 0 || write(fd, pid, strlen(pid)) < 0)
			_exit(10);
		close(fd);
		if (unshare(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWCGROUP))
			_exit(11);
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			_exit(12);
		/* the namespace's init leaks 4; the box reads through its proc */
		if (zw_factory_start(&init, "zw-box-init", 4, 0))
			_exit(13);
		if (write(ready[1], &init.pid, sizeof(init.pid)) != sizeof(init.pid))
			_exit(14);
		if (read(go[0], &c, 1) != 1)
			_exit(15);
		/* a reader inside: a child of the init's namespace mounts proc */
		reader = fork();
		if (reader == 0) {
			pid_t inside;
			char ns[64];

			snprintf(ns, sizeof(ns), "/proc/%d/ns/pid", init.pid);
			fd = open(ns, O_RDONLY);
			if (fd < 0 || setns(fd, CLONE_NEWPID))
				_exit(20);
			inside = fork();
			if (inside == 0) {
				if (mount("proc", "/proc", "proc", 0, NULL))
					_exit(21);
				if (zw_table_read("/proc/zombies", &t))
					_exit(22);
				row = zw_table_find(&t, 1);
				if (!row || row->zombies != 4)
					_exit(23);
				if (t.nr_rows != 1 || t.zombies != 4 || t.parents != 1)
					_exit(24);
				if (strcmp(row->cgroup, "/"))
					_exit(25);
				_exit(0);
			}
			_exit(inside < 0 ? 26 : zw_child_end(inside));
		}
		err = reader < 0 ? 16 : zw_child_end(reader);
		zw_factory_stop(&init);
		_exit(err);
	}

	pid_t init_pid;

	ASSERT_EQ(sizeof(init_pid), read(ready[0], &init_pid, sizeof(init_pid)));
	/* from outside: the real pid and the cgroup as the host names it */
	struct zw_table t;
	const struct zw_row *row;

	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &t));
	row = zw_table_find(&t, init_pid);
	ASSERT_NE(NULL, row);
	EXPECT_EQ(4, row->zombies);
	EXPECT_STREQ("/zw-container", row->cgroup);
	EXPECT_NE(NULL, zw_table_find(&t, outside.pid));
	zw_table_free(&t);

	c = 'g';
	ASSERT_EQ(1, write(go[1], &c, 1));
	end = zw_child_end(box);
	EXPECT_EQ(0, end) TH_LOG("inside view wrong: %s %d",
				 end > 128 ? "killed by signal" : "step",
				 end > 128 ? end - 128 : end);
	zw_factory_stop(&outside);
	rmdir(cg);
}

/*
 * The row of @ppid in the raw text of /proc/zombies, split at runs of
 * spaces only: a tab or newline that escaped unescaped stays in a field (or
 * ends the line early) and shows.  Returns the number of fields, up to 8.
 */
static int zw_raw_row(const char *text, int ppid, char fields[8][256])
{
	char want[32];
	const char *line, *end, *p;
	int n = 0;

	snprintf(want, sizeof(want), "%d", ppid);
	for (line = text; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		p = line + strspn(line, " ");
		if (strncmp(p, want, strlen(want)) || p[strlen(want)] != ' ')
			continue;
		while (p < end && n < 8) {
			size_t len = strcspn(p, " \n");

			if (p + len > end)
				len = end - p;
			snprintf(fields[n++], 256, "%.*s", (int)len, p);
			p += len;
			p += strspn(p, " ");
		}
		return n;
	}
	return 0;
}

/*
 * Bytes that break parsers: /proc/zombies escapes exactly space, tab,
 * newline and backslash (uapi/linux/zwatch.h) and writes every other byte,
 * 0xff included, as it is; the tool's parser gives them back exactly.
 */
TEST(names_round_trip)
{
	const char comm[] = "z w\n\\\t\xff\xfe";
	const char cgname[] = "zw a b\\c\xff";
	const char comm_raw[] = "z\\040w\\012\\134\\011\xff\xfe";
	const char cgroup_raw[] = "/zw\\040a\\040b\\134c\xff";
	char cgpath[300], procs[400], pid[32], fields[8][256], num[32];
	struct zwproc_error perr;
	struct zw_factory f;
	struct zwproc zp = { 0 };
	struct zw_table t;
	size_t i;
	FILE *in;
	int fd, found = 0;

	ASSERT_EQ(0, zw_module_ensure());
	ASSERT_EQ(0, zw_factory_start(&f, comm, 2, 0));
	snprintf(cgpath, sizeof(cgpath), "/sys/fs/cgroup/%s", cgname);
	if (mkdir(cgpath, 0755) && errno != EEXIST)
		SKIP(zw_factory_stop(&f); return, "cgroup name refused: %m");
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgpath);
	fd = open(procs, O_WRONLY);
	ASSERT_LE(0, fd);
	snprintf(pid, sizeof(pid), "%d", f.pid);
	ASSERT_LT(0, write(fd, pid, strlen(pid)));
	close(fd);

	/* the raw text: PPID ZOMBIES OLDEST_S START CGROUP COMM, one line */
	ASSERT_EQ(0, zw_table_read(ZWATCH_PROC_PATH, &t));
	ASSERT_EQ(6, zw_raw_row(t.text, f.pid, fields)) TH_LOG("%s", t.text);
	EXPECT_STREQ("2", fields[1]);
	snprintf(num, sizeof(num), "%llu", zw_truth_start("/proc", f.pid));
	EXPECT_STREQ(num, fields[3]);
	EXPECT_STREQ(cgroup_raw, fields[4]);
	EXPECT_STREQ(comm_raw, fields[5]);
	zw_table_free(&t);

	in = fopen(ZWATCH_PROC_PATH, "r");
	ASSERT_NE(NULL, in);
	ASSERT_EQ(ZWPROC_OK, zwproc_parse_file(in, &zp, &perr)) TH_LOG("%s", perr.msg);
	fclose(in);
	for (i = 0; i < zp.nr_rows; i++) {
		if (zp.rows[i].ppid != f.pid)
			continue;
		found = 1;
		EXPECT_EQ(0, memcmp(comm, zp.rows[i].comm, sizeof(comm)));
		EXPECT_STREQ(cgpath + strlen("/sys/fs/cgroup"), zp.rows[i].cgroup);
	}
	EXPECT_TRUE(found);
	zwproc_free(&zp);

	fd = open("/sys/fs/cgroup/cgroup.procs", O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, write(fd, pid, strlen(pid)));
	close(fd);
	zw_factory_stop(&f);
	rmdir(cgpath);
}

TEST_HARNESS_MAIN
