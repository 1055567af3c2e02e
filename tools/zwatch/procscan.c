// SPDX-License-Identifier: GPL-2.0
/*
 * procscan: the table of zombies computed from <proc-root>/PID/stat.
 *
 * One read of stat per process: its state (field 3), its real parent
 * (field 4) and num_threads (field 20, the Threads of status) are all
 * there.  Only the parents of zombies are read further: stat for comm and
 * start, cgroup for the "0::" path.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/zwatch.h>

#include "procscan.h"
#include "zw.h"
#include "zwtask.h"

#define PROCSCAN_FIRST	64

static bool procscan_is_pid(const char *name)
{
	if (*name < '1' || *name > '9')
		return false;
	for (; *name; name++)
		if (*name < '0' || *name > '9')
			return false;
	return true;
}

static int procscan_add(struct procscan *ps, const struct zwtask_stat *st)
{
	struct procscan_zombie *z;
	size_t cap;

	if (ps->nr == ps->cap) {
		cap = ps->cap ? ps->cap * 2 : PROCSCAN_FIRST;
		z = reallocarray(ps->z, cap, sizeof(*z));
		if (!z)
			return -ENOMEM;
		ps->z = z;
		ps->cap = cap;
	}
	z = &ps->z[ps->nr++];
	z->pid = st->pid;
	z->ppid = st->ppid;
	z->defunct_leader = st->threads > 1;
	return 0;
}

/* Read one process; 0 when done or gone, else a ZW_EXIT_* status. */
static int procscan_one(const char *proc_root, int rootfd, const char *name,
			struct procscan *ps)
{
	struct zwtask_stat st;
	char *path;
	int fd, ret;

	fd = openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;	/* gone, or hidden from us */
	ret = zwtask_read_stat(fd, &st);
	close(fd);
	if (ret == -EINVAL) {
		path = zw_path(proc_root, "%s/stat", name);
		zw_err("%s: malformed input: not a /proc/PID/stat line",
		       path ? path : name);
		free(path);
		return ZW_EXIT_MALFORMED;
	}
	if (ret == -ENOMEM) {
		zw_err("out of memory scanning %s", proc_root);
		return ZW_EXIT_FAILURE;
	}
	if (ret || st.state != 'Z')
		return 0;
	if (procscan_add(ps, &st)) {
		zw_err("out of memory scanning %s", proc_root);
		return ZW_EXIT_FAILURE;
	}
	return 0;
}

static int procscan_by_pid(const void *a, const void *b)
{
	const struct procscan_zombie *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

int procscan_zombies(const char *proc_root, struct procscan *ps)
{
	struct dirent *de;
	int ret = 0;
	DIR *dir;

	memset(ps, 0, sizeof(*ps));
	dir = opendir(proc_root);
	if (!dir)
		return zw_sys_error("read", proc_root, errno);
	while (!ret && (de = readdir(dir)))
		if (procscan_is_pid(de->d_name))
			ret = procscan_one(proc_root, dirfd(dir), de->d_name,
					   ps);
	closedir(dir);
	if (ret)
		procscan_free(ps);
	else if (ps->nr)
		qsort(ps->z, ps->nr, sizeof(*ps->z), procscan_by_pid);
	return ret;
}

size_t procscan_count(const struct procscan *ps, pid_t ppid)
{
	size_t i, n = 0;

	for (i = 0; i < ps->nr; i++)
		n += ps->z[i].ppid == ppid && !ps->z[i].defunct_leader;
	return n;
}

void procscan_free(struct procscan *ps)
{
	free(ps->z);
	memset(ps, 0, sizeof(*ps));
}

static int procscan_by_ppid(const void *a, const void *b)
{
	const struct procscan_zombie *x = a, *y = b;

	return (x->ppid > y->ppid) - (x->ppid < y->ppid);
}

/* The module's order: most zombies first, then lower ppid. */
static int procscan_by_count(const void *a, const void *b)
{
	const struct zwproc_row *x = a, *y = b;

	if (x->zombies != y->zombies)
		return x->zombies < y->zombies ? 1 : -1;
	return (x->ppid > y->ppid) - (x->ppid < y->ppid);
}

/* Fill @row for parent @ppid; -ENOENT when the parent is gone. */
static int procscan_parent(const char *proc_root, pid_t ppid,
			   struct zwproc_row *row)
{
	struct zwtask_stat st;
	char *cgroup = NULL;
	int fd, ret;

	fd = zwtask_open(proc_root, ppid);
	if (fd < 0)
		return fd;
	ret = zwtask_read_stat(fd, &st);
	if (!ret)
		ret = zwtask_read_cgroup(fd, &cgroup);
	if (ret == -ENOENT && !cgroup)
		ret = 0;	/* no cgroup file: a test tree, or no cgroups */
	close(fd);
	if (ret)
		return ret == -EINVAL || ret == -ENOMEM ? ret : -ENOENT;
	row->ppid = ppid;
	row->start = st.start;
	row->oldest_s = 0;
	row->comm = strdup(st.comm);
	row->cgroup = cgroup ? cgroup : strdup(ZWATCH_NO_CGROUP);
	if (row->comm && row->cgroup)
		return 0;
	free(row->comm);
	free(row->cgroup);
	row->comm = NULL;
	row->cgroup = NULL;
	return -ENOMEM;
}

/* Copy @ps's reapable zombies, sorted by ppid, into @out. */
static struct procscan_zombie *procscan_sorted(const struct procscan *ps,
					       size_t *nr, uint32_t *defunct)
{
	struct procscan_zombie *z = calloc(ps->nr + 1, sizeof(*z));
	size_t i;

	*nr = 0;
	*defunct = 0;
	if (!z)
		return NULL;
	for (i = 0; i < ps->nr; i++) {
		if (ps->z[i].defunct_leader)
			(*defunct)++;
		else if (ps->z[i].ppid)
			z[(*nr)++] = ps->z[i];
	}
	qsort(z, *nr, sizeof(*z), procscan_by_ppid);
	return z;
}

int procscan_table(const char *proc_root, const struct procscan *ps,
		   struct zwproc *zp)
{
	struct procscan_zombie *z;
	struct zwproc_row *row;
	size_t nr, i, j;
	int ret = 0;

	memset(zp, 0, sizeof(*zp));
	zp->version = ZWATCH_FORMAT_VERSION;
	zp->has_defunct_leaders = true;
	zp->has_rows_key = true;
	zp->has_cut = true;
	z = procscan_sorted(ps, &nr, &zp->defunct_leaders);
	zp->rows = calloc(nr + 1, sizeof(*zp->rows));
	if (!z || !zp->rows)
		goto nomem;
	for (i = 0; i < nr; i = j) {
		for (j = i; j < nr && z[j].ppid == z[i].ppid; j++)
			;
		row = &zp->rows[zp->nr_rows];
		ret = procscan_parent(proc_root, z[i].ppid, row);
		if (ret == -ENOENT) {
			ret = 0;
			continue;	/* the parent is gone: so are they */
		}
		zp->nr_rows++;
		if (ret)
			break;
		row->zombies = j - i;
		zp->zombies += j - i;
	}
	free(z);
	if (ret == -ENOMEM)
		goto nomem_freed;
	if (ret) {
		zw_err("%s: malformed input: a parent's stat does not parse",
		       proc_root);
		zwproc_free(zp);
		return ZW_EXIT_MALFORMED;
	}
	zp->parents = zp->nr_rows;
	zp->rows_key = zp->nr_rows;
	qsort(zp->rows, zp->nr_rows, sizeof(*zp->rows), procscan_by_count);
	return ZW_EXIT_OK;
nomem:
	free(z);
nomem_freed:
	zwproc_free(zp);
	zw_err("out of memory scanning %s", proc_root);
	return ZW_EXIT_FAILURE;
}
