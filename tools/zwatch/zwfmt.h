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

/* Print the totals line, then one aligned line per row. */
void zwfmt_list(FILE *f, const struct zwproc *zp);

#endif /* _ZWFMT_H */
