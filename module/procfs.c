// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/zombies: one snapshot per open(), taken for the pid namespace of
 * the /proc mount being read and for the reader's credentials, then printed
 * from the snapshot however the reader splits its reads.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "zwatch.h"

/* seq positions: the header, the column names, then one per row */
#define ZW_HEAD_LINES	2

static void zw_seq_escaped(struct seq_file *m, const char *s)
{
	for (; *s; s++) {
		if (zw_must_escape(*s))
			seq_printf(m, "\\%03o", (unsigned char)*s);
		else
			seq_putc(m, *s);
	}
}

static void *zw_seq_start(struct seq_file *m, loff_t *pos)
{
	const struct zw_snapshot *snap = m->private;

	if (*pos >= snap->nr_rows + ZW_HEAD_LINES)
		return NULL;
	return (void *)(uintptr_t)(*pos + 1);
}

static void *zw_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return zw_seq_start(m, pos);
}

static void zw_seq_stop(struct seq_file *m, void *v)
{
}

static int zw_seq_show(struct seq_file *m, void *v)
{
	const struct zw_snapshot *snap = m->private;
	unsigned long line = (uintptr_t)v - 1;
	const struct zw_row *row;
	u64 age;

	if (line == 0) {
		seq_printf(m, "%s %d %s=%u %s=%u %s=%u %s=%u %s=%u\n",
			   ZWATCH_HEADER_MAGIC, ZWATCH_FORMAT_VERSION,
			   ZWATCH_KEY_ZOMBIES, snap->zombies,
			   ZWATCH_KEY_PARENTS, snap->parents,
			   ZWATCH_KEY_DEFUNCT_LEADERS, snap->defunct_leaders,
			   ZWATCH_KEY_ROWS, snap->nr_rows,
			   ZWATCH_KEY_CUT, snap->cut);
		return 0;
	}
	if (line == 1) {
		seq_printf(m, "%7s %7s %8s %10s %s %s\n",
			   ZWATCH_COL_PPID, ZWATCH_COL_ZOMBIES,
			   ZWATCH_COL_OLDEST_S, ZWATCH_COL_START,
			   ZWATCH_COL_CGROUP, ZWATCH_COL_COMM);
		return 0;
	}

	row = &snap->rows[line - ZW_HEAD_LINES];
	age = snap->taken_ns > row->oldest_exit_ns ?
	      snap->taken_ns - row->oldest_exit_ns : 0;
	seq_printf(m, "%7d %7u %8llu %10llu ", row->ppid, row->zombies,
		   div_u64(age, NSEC_PER_SEC), zw_ticks(row->start_ns));
	zw_seq_escaped(m, row->cgroup ? row->cgroup : ZWATCH_NO_CGROUP);
	seq_putc(m, ' ');
	zw_seq_escaped(m, row->comm);
	seq_putc(m, '\n');
	return 0;
}

static const struct seq_operations zw_seq_ops = {
	.start = zw_seq_start,
	.next = zw_seq_next,
	.stop = zw_seq_stop,
	.show = zw_seq_show,
};

/*
 * hidepid applies to this file as it does to /proc/PID: a reader outside the
 * mount's gid= group and without CAP_SYS_PTRACE sees only its own zombies.
 */
static void zw_view_of(struct file *file, struct zw_view *view)
{
	struct super_block *sb = file_inode(file)->i_sb;
	struct proc_fs_info *fs_info = proc_sb_info(sb);

	view->pid_ns = proc_pid_ns(sb);
	view->cgroup_ns = current->nsproxy->cgroup_ns;
	view->fsuid = current_fsuid();
	view->uid_filter = fs_info->hide_pid != HIDEPID_OFF &&
			   !in_group_p(fs_info->pid_gid) &&
			   !ns_capable_noaudit(view->pid_ns->user_ns,
					       CAP_SYS_PTRACE);
}

static int zw_proc_open(struct inode *inode, struct file *file)
{
	struct zw_snapshot *snap;
	struct zw_view view;
	int err;

	zw_view_of(file, &view);
	snap = zw_snapshot_get(&view, ZWATCH_MAX_ROWS);
	if (IS_ERR(snap))
		return PTR_ERR(snap);
	err = seq_open(file, &zw_seq_ops);
	if (err) {
		zw_snapshot_put(snap);
		return err;
	}
	((struct seq_file *)file->private_data)->private = snap;
	return 0;
}

static int zw_proc_release(struct inode *inode, struct file *file)
{
	zw_snapshot_put(((struct seq_file *)file->private_data)->private);
	return seq_release(inode, file);
}

static const struct proc_ops zw_proc_ops = {
	.proc_open = zw_proc_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = zw_proc_release,
};

static struct proc_dir_entry *zw_proc_entry;

int zw_proc_init(void)
{
	zw_proc_entry = proc_create(ZWATCH_PROC_NAME, 0444, NULL, &zw_proc_ops);
	return zw_proc_entry ? 0 : -ENOMEM;
}

void zw_proc_exit(void)
{
	proc_remove(zw_proc_entry);
}
