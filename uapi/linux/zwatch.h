/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * zwatch: who is leaking zombies, how many, for how long.
 *
 * This header is the whole userspace interface of the zwatch kernel module.
 * Programs include it instead of repeating paths, names and keys.
 *
 * Zombie semantics
 * ----------------
 * A zombie is a thread-group leader whose exit_state is EXIT_ZOMBIE and whose
 * thread group is empty: its parent can reap it with wait().  An exited
 * leader whose other threads still run is a "defunct leader": ps shows it as
 * Z, but nothing can reap it yet, so it is counted apart and never listed as
 * a leak.  Zombies are grouped by their real parent (the PPid of
 * /proc/PID/status).
 *
 * /proc/zombies (mode 0444), format version ZWATCH_FORMAT_VERSION
 * ---------------------------------------------------------------
 *	# zwatch 1 zombies=Z parents=P defunct_leaders=L
 *	PPID ZOMBIES OLDEST_S START CGROUP COMM
 *	<ppid> <count> <secs> <start> <cgroup> <comm>
 *
 * The first line is "# zwatch", the format version, then space-separated
 * key=value pairs.  Later versions may add keys; readers must ignore keys they
 * do not know.  A change that would break a reader of this layout gets a new
 * format version.  Keys of version 1:
 *	zombies		zombies shown (all of them, even when rows are cut)
 *	parents		parents with at least one zombie shown
 *	defunct_leaders	defunct leaders visible to the reader (not in rows)
 *	rows		rows that follow the column line
 *	cut		zombies whose parent has no row (0 unless more than
 *			ZWATCH_MAX_ROWS parents have zombies): the rows'
 *			ZOMBIES plus cut always equal zombies
 *
 * The second line names the columns.  Rows are whitespace separated (padded
 * for people), one per parent, sorted by ZOMBIES descending, then PPID
 * ascending:
 *	PPID	 the parent's pid in the pid namespace of the /proc mount that is
 *		 read (not the reader's); zombies and parents not visible there
 *		 are left out, of the rows and of the header counts alike
 *	ZOMBIES	 that parent's zombies
 *	OLDEST_S whole seconds since the parent's oldest zombie exited; a zombie
 *		 that exited before the module was loaded counts from the load
 *	START	 the parent's start time in clock ticks after boot, as field 22
 *		 of /proc/PPID/stat: (PPID, START) names one process even when
 *		 PIDs are reused
 *	CGROUP	 the parent's cgroup v2 path relative to the reader's cgroup
 *		 namespace, or "-" when it has none there (or when the kernel
 *		 had no memory to spell it out)
 *	COMM	 the parent's comm
 * In CGROUP and COMM, space, tab, newline and backslash are written as the
 * octal escapes \040 \011 \012 \134 (as /proc/mounts does); every other byte
 * is written as it is.
 *
 * When that /proc is mounted with hidepid=1 or more and the reader is neither
 * in its gid= group nor has CAP_SYS_PTRACE in its user namespace, only
 * zombies whose real, effective and saved uid all equal the reader's fsuid
 * are shown and counted.
 *
 * When the kernel has no memory for a snapshot, open() or read() fails with
 * ENOMEM; a table that is returned is always right.
 *
 * What an open() returns is current as of that open(): a zombie created
 * before the open() is counted, one reaped before it is not.
 *
 * sysfs: ZWATCH_SYSFS_DIR (global view, initial pid namespace)
 * -------------------------------------------------------------
 * Read-only, decimal:
 *	zombies, parents, defunct_leaders  always current (computed on read)
 *	tasks		processes (thread groups) seen by the latest periodic scan
 *	scans		periodic scans completed since load
 *	scan_ns		duration of the latest periodic scan
 *	scan_max_section_ns  longest RCU read section of any scan since load;
 *			a walk ends a read section a quarter of the way to
 *			ZWATCH_SECTION_BUDGET_NS
 *	sections	RCU read sections of walks and set iterations
 *	sections_over_budget  those that lasted longer than the budget (a
 *			virtual CPU that its host pauses inside one counts too)
 *	tracked		exit records held (exited leaders not yet freed)
 *	repairs		zombies a periodic scan found with no exit record; the
 *			scan repairs them; anything but 0 is a bug
 *	lost		exit records that could not be kept (max_tracked
 *			reached or no memory); reads are then served by a full
 *			task walk until a scan finds every zombie recorded again
 *			and no process still exiting without its record
 *	snapshots	snapshots built for readers of /proc/zombies and of
 *			the counts above; concurrent opens share one (see
 *			"Readers" below), so this grows slower than opens
 *	max_tracked	the bound on exit records, set at load only (load
 *			parameter, ZWATCH_MAX_TRACKED_MIN..ZWATCH_MAX_TRACKED_MAX,
 *			default ZWATCH_MAX_TRACKED); about 48 bytes each
 * Read-write, decimal; a bad value is refused with EINVAL (not a number) or
 * ERANGE (outside the range) and changes nothing; effective at once:
 *	interval_ms	period of the background scan, 0 = no periodic scan,
 *			0..3600000, default 1000
 *	top_parents	how many parents get a by_parent/ directory, 0..256,
 *			default 16
 *	threshold	total zombies that make the global state "high",
 *			0 = off, 0..ZWATCH_THRESHOLD_MAX, default 0
 *	parent_threshold  zombies of one parent that make it "high" (events
 *			parent_high/parent_ok), 0 = off, same range, default 0
 *	spike_threshold	new zombies between two periodic scans that send a
 *			spike event, 0 = off, same range, default 0
 *	hysteresis	an alarm clears when its count falls below threshold -
 *			hysteresis, or at 0 when hysteresis >= threshold;
 *			same range, default 0
 * Every read-write attribute is also a load parameter of the same name
 * (insmod zwatch.ko interval_ms=500); an invalid value makes the load fail
 * with EINVAL and one kernel log line.
 *
 * Events (read-only):
 *	state		"ok" or "high" (the total against threshold); poll()
 *			on it wakes (POLLPRI) at every change
 *	events_sent	uevents sent since load
 *	events_suppressed  uevents dropped by the rate limit (or that the
 *			kernel failed to send)
 *
 * ZWATCH_SYSFS_DIR/by_parent/<ppid>/ holds zombies, oldest_s, start, comm and
 * cgroup for each of the top_parents parents with the most zombies (ties by
 * lower ppid), refreshed by every periodic scan.  comm reads like
 * /proc/PID/comm (not escaped, newline terminated).  A directory goes away
 * when its parent leaves that set.
 *
 * Readers
 * -------
 * One snapshot is built at a time, system-wide, in the context of the
 * reader that needs it; an open that finds one for the same view begun
 * after it arrived shares it.  No number of readers makes the kernel do
 * more than one build at a time.
 *
 * Uevents
 * -------
 * ACTION=change, SUBSYSTEM=ZWATCH_UEVENT_SUBSYSTEM, DEVPATH=
 * ZWATCH_UEVENT_DEVPATH, and the keys below, judged at each periodic scan
 * (so they need interval_ms != 0) and sent after it:
 *	ZWATCH_EVENT	total_high, total_ok, parent_high, parent_ok or spike
 *	ZWATCH_ZOMBIES	total zombies (initial pid namespace)
 *	ZWATCH_THRESHOLD  that alarm's own threshold, as set now (not reduced
 *			by hysteresis; 0 on the *_ok that setting 0 causes)
 * parent_high and parent_ok also carry ZWATCH_PPID (initial pid namespace),
 * ZWATCH_PARENT_COMM (escaped as in /proc/zombies) and
 * ZWATCH_PARENT_ZOMBIES (0 when the *_ok is due to the parent's exit);
 * spike carries ZWATCH_NEW (zombies present at this scan and not at the
 * previous one; the first scan after load only sets the baseline) and
 * ZWATCH_INTERVAL_MS.
 * A *_high is sent once when its count reaches the threshold, its *_ok once
 * when the count falls below threshold - hysteresis (or to 0, see above),
 * or when its threshold is set to 0, or when the parent exits: never two
 * highs in a row for the same thing.  At most ZWATCH_EVENT_BURST events go
 * out in any ZWATCH_EVENT_WINDOW_MS (sliding); more are dropped, counted in
 * events_suppressed, and one kernel log line says so per episode.
 *
 * Limits
 * ------
 * At most max_tracked exit records are held; the module's memory is bounded
 * by that, by one shared snapshot of at most ZWATCH_MAX_ROWS rows per open
 * /proc/zombies, and by ZWATCH_MAX_TRACKED references while one is taken.
 * Past either bound the counts stay exact: rows are cut (header key "cut")
 * and reads fall back to a full walk (sysfs "lost").
 */
#ifndef _UAPI_LINUX_ZWATCH_H
#define _UAPI_LINUX_ZWATCH_H

#define ZWATCH_FORMAT_VERSION		1

#define ZWATCH_PROC_PATH		"/proc/zombies"
#define ZWATCH_PROC_NAME		"zombies"
#define ZWATCH_SYSFS_DIR		"/sys/kernel/zwatch"
#define ZWATCH_SYSFS_BY_PARENT		"by_parent"
#define ZWATCH_MODULE_NAME		"zwatch"

/* /proc/zombies header: "# zwatch <version> key=value..." */
#define ZWATCH_HEADER_MAGIC		"# zwatch"
#define ZWATCH_KEY_ZOMBIES		"zombies"
#define ZWATCH_KEY_PARENTS		"parents"
#define ZWATCH_KEY_DEFUNCT_LEADERS	"defunct_leaders"
#define ZWATCH_KEY_ROWS			"rows"
#define ZWATCH_KEY_CUT			"cut"

/* /proc/zombies columns, in order */
#define ZWATCH_COL_PPID			"PPID"
#define ZWATCH_COL_ZOMBIES		"ZOMBIES"
#define ZWATCH_COL_OLDEST_S		"OLDEST_S"
#define ZWATCH_COL_START		"START"
#define ZWATCH_COL_CGROUP		"CGROUP"
#define ZWATCH_COL_COMM			"COMM"
#define ZWATCH_NR_COLUMNS		6
#define ZWATCH_NO_CGROUP		"-"

/* sysfs attributes of ZWATCH_SYSFS_DIR */
#define ZWATCH_ATTR_ZOMBIES		"zombies"
#define ZWATCH_ATTR_PARENTS		"parents"
#define ZWATCH_ATTR_DEFUNCT_LEADERS	"defunct_leaders"
#define ZWATCH_ATTR_TASKS		"tasks"
#define ZWATCH_ATTR_SCANS		"scans"
#define ZWATCH_ATTR_SCAN_NS		"scan_ns"
#define ZWATCH_ATTR_SCAN_MAX_SECTION_NS	"scan_max_section_ns"
#define ZWATCH_ATTR_SECTIONS		"sections"
#define ZWATCH_ATTR_SECTIONS_OVER_BUDGET	"sections_over_budget"
#define ZWATCH_ATTR_TRACKED		"tracked"
#define ZWATCH_ATTR_REPAIRS		"repairs"
#define ZWATCH_ATTR_LOST		"lost"
#define ZWATCH_ATTR_SNAPSHOTS		"snapshots"
#define ZWATCH_ATTR_INTERVAL_MS		"interval_ms"
#define ZWATCH_ATTR_TOP_PARENTS		"top_parents"
#define ZWATCH_ATTR_THRESHOLD		"threshold"
#define ZWATCH_ATTR_PARENT_THRESHOLD	"parent_threshold"
#define ZWATCH_ATTR_SPIKE_THRESHOLD	"spike_threshold"
#define ZWATCH_ATTR_HYSTERESIS		"hysteresis"
#define ZWATCH_ATTR_MAX_TRACKED		"max_tracked"
#define ZWATCH_ATTR_STATE		"state"
#define ZWATCH_ATTR_EVENTS_SENT		"events_sent"
#define ZWATCH_ATTR_EVENTS_SUPPRESSED	"events_suppressed"

/* values of the state attribute */
#define ZWATCH_STATE_OK			"ok"
#define ZWATCH_STATE_HIGH		"high"

/* uevents */
#define ZWATCH_UEVENT_SUBSYSTEM		"zwatch"
#define ZWATCH_UEVENT_DEVPATH		"/kernel/zwatch/events"
#define ZWATCH_UEVENT_KOBJ		"events"
#define ZWATCH_UEV_EVENT		"ZWATCH_EVENT"
#define ZWATCH_UEV_ZOMBIES		"ZWATCH_ZOMBIES"
#define ZWATCH_UEV_THRESHOLD		"ZWATCH_THRESHOLD"
#define ZWATCH_UEV_PPID			"ZWATCH_PPID"
#define ZWATCH_UEV_PARENT_COMM		"ZWATCH_PARENT_COMM"
#define ZWATCH_UEV_PARENT_ZOMBIES	"ZWATCH_PARENT_ZOMBIES"
#define ZWATCH_UEV_NEW			"ZWATCH_NEW"
#define ZWATCH_UEV_INTERVAL_MS		"ZWATCH_INTERVAL_MS"
#define ZWATCH_EVENT_TOTAL_HIGH		"total_high"
#define ZWATCH_EVENT_TOTAL_OK		"total_ok"
#define ZWATCH_EVENT_PARENT_HIGH	"parent_high"
#define ZWATCH_EVENT_PARENT_OK		"parent_ok"
#define ZWATCH_EVENT_SPIKE		"spike"

/* attributes of ZWATCH_SYSFS_DIR/by_parent/<ppid>/ */
#define ZWATCH_PATTR_ZOMBIES		"zombies"
#define ZWATCH_PATTR_OLDEST_S		"oldest_s"
#define ZWATCH_PATTR_START		"start"
#define ZWATCH_PATTR_COMM		"comm"
#define ZWATCH_PATTR_CGROUP		"cgroup"

/* tunables: defaults and inclusive ranges */
#define ZWATCH_INTERVAL_MS_DEFAULT	1000
#define ZWATCH_INTERVAL_MS_MAX		3600000
#define ZWATCH_TOP_PARENTS_DEFAULT	16
#define ZWATCH_TOP_PARENTS_MAX		256
#define ZWATCH_THRESHOLD_MAX		4194304
#define ZWATCH_EVENT_BURST		16
#define ZWATCH_EVENT_WINDOW_MS		1000

/* bounds */
#define ZWATCH_MAX_TRACKED		65536	/* max_tracked's default */
#define ZWATCH_MAX_TRACKED_MIN		16
#define ZWATCH_MAX_TRACKED_MAX		4194304
#define ZWATCH_MAX_ROWS			4096
#define ZWATCH_SECTION_BUDGET_NS	2000000

#endif /* _UAPI_LINUX_ZWATCH_H */
