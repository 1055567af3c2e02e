/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zwjson: zwatch's JSON output.
 *
 * `zwatch list --json` prints one document, format ZWJSON_VERSION:
 *
 *	{
 *	  "zwatch_json": 1,
 *	  "source": "module" | "proc",
 *	  "ages_known": true | false,
 *	  "zombies": N, "parents": N,
 *	  "defunct_leaders": N | null,
 *	  "cut": N,
 *	  "pid_max": N | null, "pid_max_ratio": X | null,
 *	  "threads_max": N | null, "threads_max_ratio": X | null,
 *	  "scan_ns": N | null, "read_ns": N,
 *	  "filter": { "comm": S | null, "cgroup": S | null },
 *	  "matched": { "zombies": N, "parents": N },
 *	  "rows": [ { "ppid": N, "zombies": N, "oldest_s": N | null,
 *		      "start": N, "cgroup": S | null, "comm": S }, ... ]
 *	}
 *
 * Counts are those of the whole system; "matched" and "rows" are what the
 * filters keep.  A ratio is zombies / that limit (0 to 1).  Strings are the
 * raw bytes: valid UTF-8 as is, any other byte as the code point of the
 * same value (\u0080 to \u00ff).  Later versions only add keys.
 */
#ifndef _ZWJSON_H
#define _ZWJSON_H

#include <stdio.h>

#include "zwsnap.h"

#define ZWJSON_VERSION	1

/* Write @s as a JSON string, quotes included. */
void zwjson_string(FILE *f, const char *s);

/* Write @s as a JSON string, or null when @s is NULL. */
void zwjson_string_or_null(FILE *f, const char *s);

void zwjson_list(FILE *f, const struct zwsnap *s, const struct zwfilter *flt);

#endif /* _ZWJSON_H */
