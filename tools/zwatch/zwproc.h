/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zwproc: parse the text of /proc/zombies (see uapi/linux/zwatch.h) into a
 * struct zwproc.  Parsing is strict about what format version
 * ZWATCH_FORMAT_VERSION promises and lenient only where the format says
 * readers must be: header keys it does not know are ignored.
 */
#ifndef _ZWPROC_H
#define _ZWPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* One row of /proc/zombies: one parent with zombies. */
struct zwproc_row {
	pid_t ppid;
	uint32_t zombies;
	uint64_t oldest_s;	/* seconds since the oldest zombie exited */
	uint64_t start;		/* parent start time, clock ticks after boot */
	char *cgroup;		/* unescaped; ZWATCH_NO_CGROUP when none */
	char *comm;		/* unescaped */
};

/* A whole /proc/zombies file. */
struct zwproc {
	unsigned int version;		/* always ZWATCH_FORMAT_VERSION */
	uint32_t zombies;
	uint32_t parents;
	uint32_t defunct_leaders;	/* 0 unless has_defunct_leaders */
	uint32_t rows_key;		/* header rows=, 0 unless has_rows_key */
	uint32_t cut;			/* 0 unless has_cut */
	bool has_defunct_leaders;
	bool has_rows_key;
	bool has_cut;
	size_t nr_rows;
	struct zwproc_row *rows;
};

enum zwproc_status {
	ZWPROC_OK = 0,
	ZWPROC_ENOMEM,		/* out of memory */
	ZWPROC_EIO,		/* reading the FILE failed: see sys_errno */
	ZWPROC_EMAGIC,		/* not a zwatch file: no "# zwatch" header */
	ZWPROC_EVERSION,	/* format version other than ours */
	ZWPROC_EHEADER,		/* header or column line malformed or missing */
	ZWPROC_EROW,		/* a row is malformed or truncated */
	ZWPROC_ECOUNT,		/* number of rows differs from header rows= */
};

struct zwproc_error {
	enum zwproc_status status;
	unsigned long line;	/* 1-based line at fault, 0 for the whole file */
	int sys_errno;		/* errno for ZWPROC_EIO and ZWPROC_ENOMEM */
	char msg[256];		/* reason, with "line N: " when line != 0 */
};

/*
 * Parse @len bytes at @buf, or everything @f yields, into @zp.  On success
 * return ZWPROC_OK and fill @zp, which the caller releases with
 * zwproc_free().  On failure return the status, leave @zp empty (nothing to
 * free) and, when @err is not NULL, describe the failure there.
 */
enum zwproc_status zwproc_parse_buf(const char *buf, size_t len,
				    struct zwproc *zp,
				    struct zwproc_error *err);
enum zwproc_status zwproc_parse_file(FILE *f, struct zwproc *zp,
				     struct zwproc_error *err);

/* Release what a successful parse allocated; @zp is left empty. */
/*
 * Plain decimal digits, no sign, no space, at most @max: 0, -EINVAL (empty
 * or not a digit) or -ERANGE.  The one number parser of the tool.
 */
int zwproc_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *val);

void zwproc_free(struct zwproc *zp);

#endif /* _ZWPROC_H */
