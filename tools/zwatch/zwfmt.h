/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zwfmt: how zwatch shows a parsed /proc/zombies to people.
 */
#ifndef _ZWFMT_H
#define _ZWFMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "zwproc.h"
#include "zwsnap.h"

/* room for the longest age: "213503982334601d7h" */
#define ZWFMT_AGE_LEN	24

/* Write @secs as "45s", "3m12s", "3h12m" or "2d4h" into @buf. */
const char *zwfmt_age(uint64_t secs, char buf[ZWFMT_AGE_LEN]);

/*
 * Write @s to @f with every byte that is not printable ASCII, space and
 * backslash included, as a \ooo octal escape, so that it reads as one word.
 * Return the number of bytes written (whether or not the write failed).
 */
size_t zwfmt_put_escaped(FILE *f, const char *s);

/* The width zwfmt_put_escaped() gives @s. */
size_t zwfmt_escaped_len(const char *s);

/* room for a share: "0.0000024%" */
#define ZWFMT_SHARE_LEN	24

/*
 * Write @part as a percentage of @whole with two significant digits
 * ("0.019%", "1.2%", "45%") into @buf.
 */
const char *zwfmt_share(uint64_t part, uint64_t whole,
			char buf[ZWFMT_SHARE_LEN]);

/* Optional parts of a table, for watch. */
struct zwfmt_view {
	const char *extra_head;		/* a last column, or NULL */
	const char *const *extra;	/* its value for each row of t */
	size_t max_rows;		/* print at most this many; 0: all */
};

/*
 * The totals: how many zombies under how many parents and from which
 * source, their share of kernel.pid_max and kernel.threads-max, and what a
 * filter keeps.
 */
void zwfmt_totals(FILE *f, const struct zwsnap *s, const struct zwfilter *flt);

/* The aligned table of the rows @flt keeps. */
void zwfmt_table(FILE *f, const struct zwsnap *s, const struct zwfilter *flt,
		 const struct zwfmt_view *view);

/* zwfmt_totals(), then zwfmt_table(): what zwatch list prints. */
void zwfmt_list(FILE *f, const struct zwsnap *s, const struct zwfilter *flt);

#endif /* _ZWFMT_H */
