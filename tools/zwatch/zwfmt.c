// SPDX-License-Identifier: GPL-2.0
/*
 * zwfmt: the table zwatch prints.
 *
 * Numbers are right aligned and the CGROUP column is padded to its widest
 * entry, so the columns line up whatever the data.  Names come from other
 * processes: every byte that could break a line, shift a column or drive
 * the terminal is shown as a \ooo escape, as /proc/zombies itself does for
 * blanks and backslash.
 */
#include <inttypes.h>
#include <string.h>

#include <linux/zwatch.h>

#include "zwfmt.h"

/* the CLI shows OLDEST_S as a human age under this heading */
#define ZWFMT_COL_AGE	"AGE"

#define ZWFMT_MINUTE	60
#define ZWFMT_HOUR	(60 * ZWFMT_MINUTE)
#define ZWFMT_DAY	(24 * ZWFMT_HOUR)

/* Column widths of one table. */
struct zwfmt_widths {
	int ppid;
	int zombies;
	int age;
	int start;
	size_t cgroup;
};

const char *zwfmt_age(uint64_t secs, char buf[ZWFMT_AGE_LEN])
{
	if (secs < ZWFMT_MINUTE)
		snprintf(buf, ZWFMT_AGE_LEN, "%" PRIu64 "s", secs);
	else if (secs < ZWFMT_HOUR)
		snprintf(buf, ZWFMT_AGE_LEN, "%" PRIu64 "m%" PRIu64 "s",
			 secs / ZWFMT_MINUTE, secs % ZWFMT_MINUTE);
	else if (secs < ZWFMT_DAY)
		snprintf(buf, ZWFMT_AGE_LEN, "%" PRIu64 "h%" PRIu64 "m",
			 secs / ZWFMT_HOUR, secs % ZWFMT_HOUR / ZWFMT_MINUTE);
	else
		snprintf(buf, ZWFMT_AGE_LEN, "%" PRIu64 "d%" PRIu64 "h",
			 secs / ZWFMT_DAY, secs % ZWFMT_DAY / ZWFMT_HOUR);
	return buf;
}

/* Printable ASCII other than space and backslash goes out as it is. */
static int zwfmt_plain(unsigned char c)
{
	return c > ' ' && c < 0x7f && c != '\\';
}

size_t zwfmt_put_escaped(FILE *f, const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = *s;

		if (zwfmt_plain(c)) {
			fputc(c, f);
			n++;
		} else {
			fprintf(f, "\\%03o", c);
			n += 4;
		}
	}
	return n;
}

size_t zwfmt_escaped_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += zwfmt_plain(*s) ? 1 : 4;
	return n;
}

static int zwfmt_digits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static int zwfmt_max(int a, int b)
{
	return a > b ? a : b;
}

static void zwfmt_measure(const struct zwproc *zp, struct zwfmt_widths *w)
{
	char age[ZWFMT_AGE_LEN];
	size_t i, len;

	w->ppid = strlen(ZWATCH_COL_PPID);
	w->zombies = strlen(ZWATCH_COL_ZOMBIES);
	w->age = strlen(ZWFMT_COL_AGE);
	w->start = strlen(ZWATCH_COL_START);
	w->cgroup = strlen(ZWATCH_COL_CGROUP);
	for (i = 0; i < zp->nr_rows; i++) {
		const struct zwproc_row *row = &zp->rows[i];

		w->ppid = zwfmt_max(w->ppid, zwfmt_digits(row->ppid));
		w->zombies = zwfmt_max(w->zombies, zwfmt_digits(row->zombies));
		w->age = zwfmt_max(w->age,
				   strlen(zwfmt_age(row->oldest_s, age)));
		w->start = zwfmt_max(w->start, zwfmt_digits(row->start));
		len = zwfmt_escaped_len(row->cgroup);
		if (len > w->cgroup)
			w->cgroup = len;
	}
}

static void zwfmt_pad(FILE *f, size_t have, size_t want)
{
	for (; have < want; have++)
		fputc(' ', f);
}

static void zwfmt_totals(FILE *f, const struct zwproc *zp)
{
	fprintf(f, "%" PRIu32 " zombies under %" PRIu32 " parents",
		zp->zombies, zp->parents);
	if (zp->has_defunct_leaders)
		fprintf(f, ", %" PRIu32 " defunct leaders",
			zp->defunct_leaders);
	fputc('\n', f);
}

static void zwfmt_heading(FILE *f, const struct zwfmt_widths *w)
{
	fprintf(f, "%*s %*s %*s %*s ", w->ppid, ZWATCH_COL_PPID,
		w->zombies, ZWATCH_COL_ZOMBIES, w->age, ZWFMT_COL_AGE,
		w->start, ZWATCH_COL_START);
	fputs(ZWATCH_COL_CGROUP, f);
	zwfmt_pad(f, strlen(ZWATCH_COL_CGROUP), w->cgroup);
	fprintf(f, " %s\n", ZWATCH_COL_COMM);
}

static void zwfmt_row(FILE *f, const struct zwproc_row *row,
		      const struct zwfmt_widths *w)
{
	char age[ZWFMT_AGE_LEN];

	fprintf(f, "%*d %*" PRIu32 " %*s %*" PRIu64 " ", w->ppid, (int)row->ppid,
		w->zombies, row->zombies, w->age, zwfmt_age(row->oldest_s, age),
		w->start, row->start);
	zwfmt_pad(f, zwfmt_put_escaped(f, row->cgroup), w->cgroup);
	fputc(' ', f);
	zwfmt_put_escaped(f, row->comm);
	fputc('\n', f);
}

void zwfmt_list(FILE *f, const struct zwproc *zp)
{
	struct zwfmt_widths w;
	size_t i;

	zwfmt_totals(f, zp);
	zwfmt_measure(zp, &w);
	if (zp->nr_rows)
		zwfmt_heading(f, &w);
	for (i = 0; i < zp->nr_rows; i++)
		zwfmt_row(f, &zp->rows[i], &w);
	if (zp->has_cut && zp->cut)
		fprintf(f, "%" PRIu32 " more zombies under parents not listed (the module lists at most %d parents)\n",
			zp->cut, ZWATCH_MAX_ROWS);
}
