// SPDX-License-Identifier: GPL-2.0
/*
 * zwjson: the list as one JSON document (layout in zwjson.h).
 */
#include <inttypes.h>
#include <string.h>

#include <linux/zwatch.h>

#include "zwjson.h"

void zwjson_string(FILE *f, const char *s)
{
	size_t n;

	fputc('"', f);
	while (*s) {
		unsigned char c = *s;

		n = zw_utf8_seq(s);
		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c < 0x20 || c == 0x7f || !n) {
			/* a control byte, or a byte that is not UTF-8 */
			fprintf(f, "\\u%04x", c);
			n = 1;
		} else {
			fwrite(s, 1, n, f);
		}
		s += n ? n : 1;
	}
	fputc('"', f);
}

void zwjson_string_or_null(FILE *f, const char *s)
{
	if (s)
		zwjson_string(f, s);
	else
		fputs("null", f);
}

static void zwjson_u64_or_null(FILE *f, const char *key, bool known,
			       uint64_t v)
{
	fprintf(f, "  \"%s\": ", key);
	if (known)
		fprintf(f, "%" PRIu64 ",\n", v);
	else
		fputs("null,\n", f);
}

static void zwjson_ratio(FILE *f, const char *key, uint64_t part,
			 uint64_t whole)
{
	fprintf(f, "  \"%s\": ", key);
	if (whole)
		fprintf(f, "%.6g,\n", (double)part / whole);
	else
		fputs("null,\n", f);
}

static void zwjson_row(FILE *f, const struct zwsnap *s,
		       const struct zwproc_row *row)
{
	fprintf(f, "    { \"ppid\": %d, \"zombies\": %" PRIu32 ", \"oldest_s\": ",
		(int)row->ppid, row->zombies);
	if (s->ages)
		fprintf(f, "%" PRIu64, row->oldest_s);
	else
		fputs("null", f);
	fprintf(f, ", \"start\": %" PRIu64 ", \"cgroup\": ", row->start);
	zwjson_string_or_null(f, strcmp(row->cgroup, ZWATCH_NO_CGROUP) ?
			      row->cgroup : NULL);
	fputs(", \"comm\": ", f);
	zwjson_string(f, row->comm);
	fputs(" }", f);
}

void zwjson_list(FILE *f, const struct zwsnap *s, const struct zwfilter *flt)
{
	const struct zwproc *t = &s->t;
	struct zwmatch m;
	bool first = true;
	size_t i;

	fprintf(f, "{\n  \"zwatch_json\": %d,\n  \"source\": \"%s\",\n",
		ZWJSON_VERSION, zwsnap_source_name(s->source));
	fprintf(f, "  \"ages_known\": %s,\n", s->ages ? "true" : "false");
	fprintf(f, "  \"zombies\": %" PRIu32 ",\n  \"parents\": %" PRIu32 ",\n",
		t->zombies, t->parents);
	zwjson_u64_or_null(f, "defunct_leaders", t->has_defunct_leaders,
			   t->defunct_leaders);
	fprintf(f, "  \"cut\": %" PRIu32 ",\n", t->cut);
	zwjson_u64_or_null(f, "pid_max", s->pid_max, s->pid_max);
	zwjson_ratio(f, "pid_max_ratio", t->zombies, s->pid_max);
	zwjson_u64_or_null(f, "threads_max", s->threads_max, s->threads_max);
	zwjson_ratio(f, "threads_max_ratio", t->zombies, s->threads_max);
	zwjson_u64_or_null(f, "scan_ns", s->has_scan_ns, s->scan_ns);
	fprintf(f, "  \"read_ns\": %" PRIu64 ",\n", s->read_ns);
	fputs("  \"filter\": { \"comm\": ", f);
	zwjson_string_or_null(f, flt->comm);
	fputs(", \"cgroup\": ", f);
	zwjson_string_or_null(f, flt->cgroup);
	fputs(" },\n", f);
	zwfilter_sum(flt, t, &m);
	fprintf(f, "  \"matched\": { \"zombies\": %" PRIu64 ", \"parents\": %" PRIu32 " },\n",
		m.zombies, m.parents);
	fputs("  \"rows\": [", f);
	for (i = 0; i < t->nr_rows; i++) {
		if (!zwfilter_match(flt, &t->rows[i]))
			continue;
		fputs(first ? "\n" : ",\n", f);
		first = false;
		zwjson_row(f, s, &t->rows[i]);
	}
	fputs(first ? "]\n}\n" : "\n  ]\n}\n", f);
}
