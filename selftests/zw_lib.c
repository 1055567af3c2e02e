// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/prctl.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <pthread.h>

#include "zw_lib.h"

int zw_module_load(const char *params)
{
	const char *ko = getenv("ZWATCH_KO");
	int fd, ret;

	if (!ko)
		ko = "module/zwatch.ko";
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params ? params : "", 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

int zw_module_unload(void)
{
	return syscall(SYS_delete_module, ZWATCH_MODULE_NAME, O_NONBLOCK) ?
	       -errno : 0;
}

bool zw_module_loaded(void)
{
	return access(ZWATCH_SYSFS_DIR, F_OK) == 0;
}

int zw_module_ensure(void)
{
	return zw_module_loaded() ? 0 : zw_module_load(NULL);
}

/* the factory's side */

static pthread_t zw_defunct_thread;
static int zw_defunct_release[2] = { -1, -1 };

static void *zw_linger(void *arg)
{
	char c;

	/* the child's leader is gone; this thread keeps the group alive */
	if (read(zw_defunct_release[0], &c, 1) < 0)
		_exit(1);
	return NULL;
}

static pid_t zw_fork_defunct(int *release_fd)
{
	pid_t pid;

	if (pipe(zw_defunct_release))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(zw_defunct_release[1]);
		if (pthread_create(&zw_defunct_thread, NULL, zw_linger, NULL))
			_exit(1);
		/* end the leader thread alone */
		syscall(SYS_exit, 0);
	}
	close(zw_defunct_release[0]);
	*release_fd = zw_defunct_release[1];
	return pid;
}

static int zw_fork_zombie(void)
{
	siginfo_t info;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(0);
	/* WNOWAIT: wait for it to exit, leave it unreaped */
	return waitid(P_PID, pid, &info, WEXITED | WNOWAIT);
}

static void zw_reap_all(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void zw_factory_serve(const char *comm, int zombies, uid_t uid,
			     int cmd_fd, int ack_fd)
{
	int release_fd = -1;
	pid_t defunct = 0;
	char cmd, ok = 1;
	int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, comm);
	if (uid && (setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
		_exit(1);
	for (i = 0; i < zombies; i++)
		if (zw_fork_zombie())
			_exit(1);
	if (write(ack_fd, &ok, 1) != 1)
		_exit(1);
	while (read(cmd_fd, &cmd, 1) == 1) {
		ok = 1;
		switch (cmd) {
		case 'a':
			ok = zw_fork_zombie() == 0;
			break;
		case 'r':
			zw_reap_all();
			break;
		case 'o':
			ok = waitpid(-1, NULL, WNOHANG) > 0;
			break;
		case 'd': {
			char state = 0;

			defunct = zw_fork_defunct(&release_fd);
			ok = defunct > 0;
			/* done once the leader shows Z with its thread alive */
			while (ok && state != 'Z') {
				state = zw_truth_state("/proc", defunct);
				ok = state != 0;
				usleep(1000);
			}
			break;
		}
		case 'e': {
			siginfo_t info;

			close(release_fd);
			ok = waitid(P_PID, defunct, &info, WEXITED | WNOWAIT) == 0;
			break;
		}
		case 'q':
			zw_reap_all();
			_exit(0);
		}
		if (write(ack_fd, &ok, 1) != 1)
			_exit(1);
	}
	zw_reap_all();
	_exit(0);
}

/* the test's side */

static int zw_factory_ack(struct zw_factory *f)
{
	char ok = 0;

	if (read(f->ack_fd, &ok, 1) != 1)
		return -EPIPE;
	return ok ? 0 : -EIO;
}

static int zw_factory_cmd(struct zw_factory *f, char cmd)
{
	if (write(f->cmd_fd, &cmd, 1) != 1)
		return -EPIPE;
	return zw_factory_ack(f);
}

int zw_factory_start(struct zw_factory *f, const char *comm, int zombies,
		     uid_t uid)
{
	int cmd[2], ack[2];

	if (pipe2(cmd, O_CLOEXEC) || pipe2(ack, O_CLOEXEC))
		return -errno;
	f->pid = fork();
	if (f->pid < 0)
		return -errno;
	if (f->pid == 0) {
		close(cmd[1]);
		close(ack[0]);
		zw_factory_serve(comm, zombies, uid, cmd[0], ack[1]);
	}
	close(cmd[0]);
	close(ack[1]);
	f->cmd_fd = cmd[1];
	f->ack_fd = ack[0];
	return zw_factory_ack(f);
}

int zw_factory_add(struct zw_factory *f, int zombies)
{
	int err = 0;

	while (zombies-- > 0 && !err)
		err = zw_factory_cmd(f, 'a');
	return err;
}

int zw_factory_reap(struct zw_factory *f)
{
	return zw_factory_cmd(f, 'r');
}

int zw_factory_reap_some(struct zw_factory *f, int n)
{
	int err = 0;

	while (n-- > 0 && !err)
		err = zw_factory_cmd(f, 'o');
	return err;
}

void zw_factory_kill(struct zw_factory *f)
{
	if (f->pid <= 0)
		return;
	kill(f->pid, SIGKILL);
	waitpid(f->pid, NULL, 0);
	close(f->cmd_fd);
	close(f->ack_fd);
	f->pid = 0;
}

int zw_factory_add_defunct(struct zw_factory *f)
{
	return zw_factory_cmd(f, 'd');
}

int zw_factory_end_defunct(struct zw_factory *f)
{
	return zw_factory_cmd(f, 'e');
}

void zw_factory_stop(struct zw_factory *f)
{
	if (f->pid <= 0)
		return;
	zw_factory_cmd(f, 'q');
	close(f->cmd_fd);
	close(f->ack_fd);
	waitpid(f->pid, NULL, 0);
	f->pid = 0;
}

/* /proc/zombies */

static char *zw_slurp(const char *path, int *err)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap + 1);
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		*err = -errno;
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len)) > 0) {
		len += n;
		if (len == cap) {
			char *bigger = realloc(buf, cap * 2 + 1);

			if (!bigger) {
				n = -1;
				errno = ENOMEM;
				break;
			}
			buf = bigger;
			cap *= 2;
		}
	}
	*err = n < 0 ? -errno : 0;
	close(fd);
	buf[len] = 0;
	return buf;
}

static int zw_parse_header(char *line, struct zw_table *t)
{
	char *tok, *save;

	if (strncmp(line, ZWATCH_HEADER_MAGIC " ", strlen(ZWATCH_HEADER_MAGIC) + 1))
		return -EPROTO;
	t->version = atoi(line + strlen(ZWATCH_HEADER_MAGIC) + 1);
	for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		unsigned int v;
		char key[32];

		if (sscanf(tok, "%31[a-z_]=%u", key, &v) != 2)
			continue;
		if (!strcmp(key, ZWATCH_KEY_ZOMBIES))
			t->zombies = v;
		else if (!strcmp(key, ZWATCH_KEY_PARENTS))
			t->parents = v;
		else if (!strcmp(key, ZWATCH_KEY_DEFUNCT_LEADERS))
			t->defunct_leaders = v;
		else if (!strcmp(key, ZWATCH_KEY_ROWS))
			t->rows_key = v;
		else if (!strcmp(key, ZWATCH_KEY_CUT))
			t->cut = v;
	}
	return 0;
}

int zw_table_read(const char *path, struct zw_table *t)
{
	char *line, *save, *copy;
	int err = 0, slurp_err, n = 0;

	memset(t, 0, sizeof(*t));
	t->text = zw_slurp(path, &slurp_err);
	if (!t->text)
		return slurp_err;
	copy = strdup(t->text);
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), n++) {
		struct zw_row *row;

		if (n == 0) {
			err = zw_parse_header(line, t);
			if (err)
				break;
			continue;
		}
		if (n == 1)
			continue;
		t->rows = realloc(t->rows, (t->nr_rows + 1) * sizeof(*t->rows));
		row = &t->rows[t->nr_rows++];
		if (sscanf(line, "%d %u %llu %llu %4095s %63s", &row->ppid,
			   &row->zombies, &row->oldest_s, &row->start,
			   row->cgroup, row->comm) != 6) {
			err = -EPROTO;
			break;
		}
	}
	/* a read that failed midway is that error, never a shorter table */
	if (slurp_err)
		err = slurp_err;
	else if (!err && (n < 2 || t->nr_rows != (int)t->rows_key))
		err = -EPROTO;
	free(copy);
	return err;
}

void zw_table_free(struct zw_table *t)
{
	free(t->rows);
	free(t->text);
	memset(t, 0, sizeof(*t));
}

const struct zw_row *zw_table_find(const struct zw_table *t, int ppid)
{
	int i;

	for (i = 0; i < t->nr_rows; i++)
		if (t->rows[i].ppid == ppid)
			return &t->rows[i];
	return NULL;
}

/* ground truth */

/*
 * /proc/PID/stat (by pid name) into @buf, whole: the comm may hold spaces,
 * parentheses and newlines, so the ')' that ends it is the file's last.
 * Returns that ')', or NULL.
 */
static char *zw_stat_after_comm(const char *proc, const char *pid, char *buf,
				int len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s/stat", proc, pid);
	if (zw_sysfs_read_str(path, buf, len))
		return NULL;
	return strrchr(buf, ')');
}

static char *zw_stat_comm_end(const char *proc, int pid, char *buf, int len)
{
	char name[16];

	snprintf(name, sizeof(name), "%d", pid);
	return zw_stat_after_comm(proc, name, buf, len);
}

static int zw_status_field(const char *proc, const char *pid, const char *key)
{
	char path[512], line[256];
	int val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/status", proc, pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			val = atoi(line + strlen(key));
	fclose(f);
	return val;
}

/*
 * Every task of @proc in state Z: a reapable zombie when its thread group is
 * gone (Threads <= 1), a defunct leader when threads of it still run.  With
 * @ppid > 0, only the children of @ppid.
 */
static int zw_truth_scan(const char *proc, int ppid, struct zw_truth *t)
{
	struct dirent *de;
	DIR *d;

	memset(t, 0, sizeof(*t));
	d = opendir(proc);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char buf[4096], state, *end;
		int parent;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		end = zw_stat_after_comm(proc, de->d_name, buf, sizeof(buf));
		if (!end || sscanf(end + 1, " %c %d", &state, &parent) != 2)
			continue;
		if (state != 'Z' || (ppid > 0 && parent != ppid))
			continue;
		if (zw_status_field(proc, de->d_name, "Threads:") <= 1)
			t->zombies++;
		else
			t->defunct_leaders++;
	}
	closedir(d);
	return 0;
}

int zw_truth_count(const char *proc, struct zw_truth *t)
{
	return zw_truth_scan(proc, 0, t);
}

int zw_truth_zombies_of(const char *proc, int ppid)
{
	struct zw_truth t;

	return zw_truth_scan(proc, ppid, &t) ? -1 : (int)t.zombies;
}

double zw_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int zw_settle(void)
{
	int i;

	for (i = 0; i < 300; i++) {
		if (!zw_truth_zombies_of("/proc", 1))
			return 0;
		usleep(100000);
	}
	return -ETIMEDOUT;
}

char zw_truth_state(const char *proc, int pid)
{
	char buf[4096], *p = zw_stat_comm_end(proc, pid, buf, sizeof(buf));

	return p && p[1] == ' ' ? p[2] : 0;
}

unsigned long long zw_truth_start(const char *proc, int pid)
{
	char buf[4096], *p = zw_stat_comm_end(proc, pid, buf, sizeof(buf));
	int field;

	/* the fields after the comm: state is 3 */
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

/* sysfs */

int zw_sysfs_read_str(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

int zw_sysfs_read(const char *name, unsigned long long *val)
{
	char path[256], buf[64], *end;
	int err;

	snprintf(path, sizeof(path), "%s/%s", ZWATCH_SYSFS_DIR, name);
	err = zw_sysfs_read_str(path, buf, sizeof(buf));
	if (err)
		return err;
	*val = strtoull(buf, &end, 10);
	return *end == '\n' ? 0 : -EPROTO;
}

int zw_sysfs_write(const char *name, const char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", ZWATCH_SYSFS_DIR, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

unsigned long long zw_attr(const char *name)
{
	unsigned long long v;
	int err = zw_sysfs_read(name, &v);

	if (err) {
		/* the harness reports the test killed by SIGABRT: a failure */
		fprintf(stderr, "# zw_attr: cannot read %s/%s: %s\n",
			ZWATCH_SYSFS_DIR, name, strerror(-err));
		abort();
	}
	return v;
}

bool zw_wait_scans_to(unsigned long long target)
{
	int i;

	for (i = 0; i < 6000 && zw_attr(ZWATCH_ATTR_SCANS) < target; i++)
		usleep(10000);
	return zw_attr(ZWATCH_ATTR_SCANS) >= target;
}

bool zw_wait_scans(unsigned long long n)
{
	return zw_wait_scans_to(zw_attr(ZWATCH_ATTR_SCANS) + n);
}

int zw_proc_tasks(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += de->d_name[0] >= '1' && de->d_name[0] <= '9';
	if (d)
		closedir(d);
	return n;
}

void zw_scans_quiet(void)
{
	unsigned long long seen;
	int i;

	for (i = 0; i < 60; i++) {
		seen = zw_attr(ZWATCH_ATTR_SCANS);
		usleep(500000);
		if (zw_attr(ZWATCH_ATTR_SCANS) == seen)
			return;
	}
}

int zw_read_at_rest(struct zw_table *t, unsigned long long sys[3],
		    struct zw_truth *truth)
{
	struct zw_truth after;
	int i, err;

	err = zw_settle();
	for (i = 0; !err && i < 20; i++) {
		err = zw_truth_count("/proc", truth);
		if (!err)
			err = zw_table_read(ZWATCH_PROC_PATH, t);
		if (err)
			break;
		if (sys) {
			sys[0] = zw_attr(ZWATCH_ATTR_ZOMBIES);
			sys[1] = zw_attr(ZWATCH_ATTR_PARENTS);
			sys[2] = zw_attr(ZWATCH_ATTR_DEFUNCT_LEADERS);
		}
		err = zw_truth_count("/proc", &after);
		if (!err && after.zombies == truth->zombies &&
		    after.defunct_leaders == truth->defunct_leaders)
			return 0;
		zw_table_free(t);
		usleep(100000);
	}
	return err ? err : -EAGAIN;
}

int zw_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

pid_t zw_reader_start(const char *path, unsigned int pause_us)
{
	pid_t pid = fork();
	char buf[4096];

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setpriority(PRIO_PROCESS, 0, 19);
	for (;;) {
		int fd = open(path, O_RDONLY);

		if (fd < 0)
			continue;
		if (read(fd, buf, 100) > 0 && pause_us)
			usleep(pause_us);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
}

bool zw_stress_is(const char *size)
{
	const char *s = getenv("ZWATCH_STRESS");

	return s && !strcmp(s, size);
}

void zw_escape(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in && o + 5 < len; in++) {
		if (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\\')
			o += sprintf(out + o, "\\%03o", (unsigned char)*in);
		else
			out[o++] = *in;
	}
	out[o] = 0;
}

/* uevents */

int zw_uevent_open(void)
{
	struct sockaddr_nl addr = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1,
	};
	int fd, size = 1 << 20;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		close(fd);
		return -errno;
	}
	return fd;
}

int zw_uevent_next(int fd, int timeout_ms, struct zw_uevent *ev)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	const char *subsystem;
	ssize_t len;
	size_t off;

	for (;;) {
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return -ETIMEDOUT;
		len = recv(fd, ev->buf, sizeof(ev->buf) - 1, 0);
		if (len <= 0)
			return -EIO;
		ev->buf[len] = 0;
		ev->nr_keys = 0;
		/* "action@devpath" then NUL-separated KEY=VALUE */
		for (off = strlen(ev->buf) + 1; off < (size_t)len &&
		     ev->nr_keys < 64; off += strlen(ev->buf + off) + 1)
			ev->keys[ev->nr_keys++] = ev->buf + off;
		subsystem = zw_uevent_get(ev, "SUBSYSTEM");
		if (subsystem && !strcmp(subsystem, ZWATCH_UEVENT_SUBSYSTEM))
			return 0;
	}
}

const char *zw_uevent_get(const struct zw_uevent *ev, const char *key)
{
	size_t n = strlen(key);
	int i;

	for (i = 0; i < ev->nr_keys; i++)
		if (!strncmp(ev->keys[i], key, n) && ev->keys[i][n] == '=')
			return ev->keys[i] + n + 1;
	return NULL;
}
