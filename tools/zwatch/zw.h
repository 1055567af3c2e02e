/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zw: what every part of the zwatch tool shares: the exit statuses, the
 * options common to all commands, error reporting and the commands' entry
 * points.
 */
#ifndef _ZW_H
#define _ZW_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ZW_PROG		"zwatch"

/*
 * Exit statuses of every command but check, which follows the monitoring
 * plugin convention (enum zw_check_status).
 */
enum zw_exit {
	ZW_EXIT_OK		= 0,	/* success */
	ZW_EXIT_USAGE		= 1,	/* bad option, argument or value */
	ZW_EXIT_NO_MODULE	= 2,	/* the module is not loaded */
	ZW_EXIT_PERM		= 3,	/* permission denied */
	ZW_EXIT_MALFORMED	= 4,	/* input this zwatch cannot read */
	ZW_EXIT_FAILURE		= 5,	/* any other failure */
	ZW_EXIT_NOT_REAPED	= 6,	/* kick: zombies left after the wait */
	ZW_EXIT_REFUSED		= 7,	/* kick: not the process to signal */
	ZW_EXIT_NO_PROCESS	= 8,	/* explain, kick: no such PPID */
};

/* Where the table of zombies comes from. */
enum zw_source {
	ZW_SOURCE_AUTO,		/* the module when loaded, else proc */
	ZW_SOURCE_MODULE,	/* <proc-root>/zombies */
	ZW_SOURCE_PROC,		/* a scan of <proc-root>/<pid>/stat */
};

/* Options every command takes. */
struct zw_opts {
	const char *proc_root;	/* ZW_PROC_ROOT unless --proc-root */
	const char *sys_root;	/* ZW_SYS_ROOT unless --sys-root */
	enum zw_source source;
};

/* One command: its name, a one-line summary, its help and its code. */
struct zw_cmd {
	const char *name;
	const char *summary;
	void (*help)(void);
	int (*run)(int argc, char **argv, struct zw_opts *opts);
	int usage_exit;		/* exit status of a usage error */
};

/* The option ids of the options every command takes. */
enum zw_common_opt {
	ZW_OPT_PROC_ROOT = 0x1000,
	ZW_OPT_SYS_ROOT,
	ZW_OPT_SOURCE,
	ZW_OPT_CMD_BASE,	/* commands number their long options from here */
};

/*
 * Messages.  zw_err() writes "zwatch: MSG" on stderr; in plugin mode (see
 * zw_err_plugin()) it writes "ZOMBIES UNKNOWN: MSG" on stdout instead, once.
 */
void zw_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void zw_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void zw_err_plugin(const char *prefix);
int zw_usage_error(const struct zw_cmd *cmd);

/*
 * Report that @what failed on @path with errno @e, with advice when there
 * is one, and return the exit status for it.
 */
int zw_sys_error(const char *what, const char *path, int e);

/*
 * Parse a command's options: @shortopts and @longopts are its own (ids from
 * ZW_OPT_CMD_BASE), the common ones and -h/--help are added.  @handle gets
 * each of the command's options and returns -1 to go on or an exit status.
 * Return -1 when the command should run (its arguments from optind), else
 * the exit status (--help, a usage error).
 */
int zw_getopt(int argc, char **argv, const struct zw_cmd *cmd,
	      const char *shortopts, const struct option *longopts,
	      int (*handle)(int c, const char *arg, void *ctx), void *ctx,
	      struct zw_opts *opts);

/* The common options, for help texts. */
extern const char zw_common_help[];

/*
 * Numbers from the command line: decimal digits only, at most @max.
 * Return 0, or -EINVAL / -ERANGE.
 */
int zw_parse_u64(const char *s, uint64_t max, uint64_t *val);
/* The same, with a usage error naming @what printed on failure. */
int zw_arg_u64(const char *what, const char *s, uint64_t max, uint64_t *val);
int zw_arg_pid(const char *s, pid_t *pid);

/* "<proc-root>/<fmt...>", or NULL (errno set). */
char *zw_path(const char *root, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The module's sysfs directory under the sys root. */
char *zw_sysfs_dir(const struct zw_opts *opts);

/*
 * Read the whole of the file @name under @dirfd (AT_FDCWD for a path) into
 * a NUL-terminated buffer.  Return 0 or -errno.
 */
int zw_read_at(int dirfd, const char *name, char **buf, size_t *len);
/* Read one decimal number, newline allowed, from a file.  0 or -errno. */
int zw_read_u64_at(int dirfd, const char *name, uint64_t *val);

/*
 * The length of the valid UTF-8 sequence at @s (1 to 4 bytes; 1 for ASCII
 * other than NUL), or 0 when the byte at @s does not start one.
 */
size_t zw_utf8_seq(const char *s);

/* Monotonic time in nanoseconds. */
uint64_t zw_now_ns(void);

/* The commands. */
extern const struct zw_cmd zw_cmd_list, zw_cmd_check, zw_cmd_explain,
	zw_cmd_kick, zw_cmd_events, zw_cmd_get, zw_cmd_set, zw_cmd_watch;

#endif /* _ZW_H */
