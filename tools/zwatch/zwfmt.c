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
	int extra;		/* 0: no extra column */
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

const char *zwfmt_share(uint64_t part, uint64_t whole,
			char buf[ZWFMT_SHARE_LEN])
{
	double pct = whole ? 100.0 * part / whole : 0;
	double scaled = pct;
	int decimals = 0;

	/* two significant digits, without libm */
	while (pct > 0 && scaled < 10 && decimals < 9) {
		scaled *= 10;
		decimals++;
	}
	snprintf(buf, ZWFMT_SHARE_LEN, "%.*f%%", decimals, pct);
	return buf;
}

/* What a row shows as its age: "-" when the source does not know. */
static const char *zwfmt_row_age(const struct zwsnap *s,
				 const struct zwproc_row *row,
				 char buf[ZWFMT_AGE_LEN])
{
	if (!s->ages) {
		snprintf(buf, ZWFMT_AGE_LEN, "-");
		return buf;
	}
	return zwfmt_age(row->oldest_s, buf);
}

static void zwfmt_measure(const struct zwsnap *s, const struct zwfilter *flt,
			  const struct zwfmt_view *view, struct zwfmt_widths *w)
{
	char age[ZWFMT_AGE_LEN];
	size_t i, len;

	w->ppid = strlen(ZWATCH_COL_PPID);
	w->zombies = strlen(ZWATCH_COL_ZOMBIES);
	w->age = strlen(ZWFMT_COL_AGE);
	w->start = strlen(ZWATCH_COL_START);
	w->cgroup = strlen(ZWATCH_COL_CGROUP);
	w->extra = view && view->extra_head ? strlen(view->extra_head) : 0;
	for (i = 0; i < s->t.nr_rows; i++) {
		const struct zwproc_row *row = &s->t.rows[i];

		if (!zwfilter_match(flt, row))
			continue;
		w->ppid = zwfmt_max(w->ppid, zwfmt_digits(row->ppid));
		w->zombies = zwfmt_max(w->zombies, zwfmt_digits(row->zombies));
		w->age = zwfmt_max(w->age,
				   strlen(zwfmt_row_age(s, row, age)));
		w->start = zwfmt_max(w->start, zwfmt_digits(row->start));
		len = zwfmt_escaped_len(row->cgroup);
		if (len > w->cgroup)
			w->cgroup = len;
		if (w->extra)
			w->extra = zwfmt_max(w->extra, strlen(view->extra[i]));
	}
}

static void zwfmt_pad(FILE *f, size_t have, size_t want)
{
	for (; have < want; have++)
		fputc(' ', f);
}

static void zwfmt_filter_desc(FILE *f, const struct zwfilter *flt)
{
	if (flt->comm) {
		fputs(" --comm ", f);
		zwfmt_put_escaped(f, flt->comm);
	}
	if (flt->cgroup) {
		fputs(" --cgroup ", f);
		zwfmt_put_escaped(f, flt->cgroup);
	}
	if (flt->has_age)
		fprintf(f, " --age %" PRIu64, flt->age);
}

void zwfmt_totals(FILE *f, const struct zwsnap *s, const struct zwfilter *flt)
{
	const struct zwproc *zp = &s->t;
	char pid_share[ZWFMT_SHARE_LEN], thr_share[ZWFMT_SHARE_LEN];
	struct zwmatch m;

	fprintf(f, "%" PRIu32 " zombies under %" PRIu32 " parents",
		zp->zombies, zp->parents);
	if (zp->has_defunct_leaders)
		fprintf(f, ", %" PRIu32 " defunct leaders",
			zp->defunct_leaders);
	fprintf(f, " (source: %s%s)\n", zwsnap_source_name(s->source),
		s->ages ? "" : ", ages unknown");
	if (s->pid_max && s->threads_max)
		fprintf(f, "zombies hold %s of kernel.pid_max (%" PRIu64 ") and %s of kernel.threads-max (%" PRIu64 ")\n",
			zwfmt_share(zp->zombies, s->pid_max, pid_share),
			s->pid_max,
			zwfmt_share(zp->zombies, s->threads_max, thr_share),
			s->threads_max);
	else if (s->pid_max)
		fprintf(f, "zombies hold %s of kernel.pid_max (%" PRIu64 ")\n",
			zwfmt_share(zp->zombies, s->pid_max, pid_share),
			s->pid_max);
	if (zwfilter_active(flt)) {
		zwfilter_sum(flt, zp, &m);
		fprintf(f, "showing %" PRIu64 " zombies under %" PRIu32 " parents:",
			m.zombies, m.parents);
		zwfmt_filter_desc(f, flt);
		fputc('\n', f);
	}
}

static void zwfmt_heading(FILE *f, const struct zwfmt_widths *w,
			  const struct zwfmt_view *view)
{
	fprintf(f, "%*s %*s ", w->ppid, ZWATCH_COL_PPID,
		w->zombies, ZWATCH_COL_ZOMBIES);
	if (w->extra)
		fprintf(f, "%*s ", w->extra, view->extra_head);
	fprintf(f, "%*s %*s ", w->age, ZWFMT_COL_AGE, w->start,
		ZWATCH_COL_START);
	fputs(ZWATCH_COL_CGROUP, f);
	zwfmt_pad(f, strlen(ZWATCH_COL_CGROUP), w->cgroup);
	fprintf(f, " %s\n", ZWATCH_COL_COMM);
}

static void zwfmt_row(FILE *f, const struct zwsnap *s, size_t i,
		      const struct zwfmt_widths *w,
		      const struct zwfmt_view *view)
{
	const struct zwproc_row *row = &s->t.rows[i];
	char age[ZWFMT_AGE_LEN];

	fprintf(f, "%*d %*" PRIu32 " ", w->ppid, (int)row->ppid,
		w->zombies, row->zombies);
	if (w->extra)
		fprintf(f, "%*s ", w->extra, view->extra[i]);
	fprintf(f, "%*s %*" PRIu64 " ", w->age, zwfmt_row_age(s, row, age),
		w->start, row->start);
	zwfmt_pad(f, zwfmt_put_escaped(f, row->cgroup), w->cgroup);
	fputc(' ', f);
	zwfmt_put_escaped(f, row->comm);
	fputc('\n', f);
}

void zwfmt_table(FILE *f, const struct zwsnap *s, const struct zwfilter *flt,
		 const struct zwfmt_view *view)
{
	const struct zwproc *zp = &s->t;
	struct zwfmt_widths w;
	size_t i, shown = 0, left = 0;

	zwfmt_measure(s, flt, view, &w);
	for (i = 0; i < zp->nr_rows; i++) {
		if (!zwfilter_match(flt, &zp->rows[i]))
			continue;
		if (view && view->max_rows && shown == view->max_rows) {
			left++;
			continue;
		}
		if (!shown++)
			zwfmt_heading(f, &w, view);
		zwfmt_row(f, s, i, &w, view);
	}
	if (left)
		fprintf(f, "... %zu more parents\n", left);
	if (zp->has_cut && zp->cut)
		fprintf(f, "%" PRIu32 " more zombies under parents not listed (the module lists at most %d parents)\n",
			zp->cut, ZWATCH_MAX_ROWS);
}

void zwfmt_list(FILE *f, const struct zwsnap *s, const struct zwfilter *flt)
{
	zwfmt_totals(f, s, flt);
	zwfmt_table(f, s, flt, NULL);
}
