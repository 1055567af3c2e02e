// SPDX-License-Identifier: GPL-2.0
/*
 * zwprom: Prometheus text exposition format (metrics listed in zwprom.h).
 */
#include <inttypes.h>
#include <string.h>

#include <linux/zwatch.h>

#include "zwprom.h"

#define ZWPROM_NS_PER_S		1e9

void zwprom_label_value(FILE *f, const char *s)
{
	size_t n;

	fputc('"', f);
	while (*s) {
		n = zw_utf8_seq(s);
		if (*s == '\\' || *s == '"') {
			fputc('\\', f);
			fputc(*s, f);
		} else if (*s == '\n') {
			fputs("\\n", f);
		} else if (!n) {
			fputs("\xef\xbf\xbd", f);	/* U+FFFD */
			n = 1;
		} else {
			fwrite(s, 1, n, f);
		}
		s += n ? n : 1;
	}
	fputc('"', f);
}

static void zwprom_head(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void zwprom_u64(FILE *f, const char *name, const char *help,
		       uint64_t v)
{
	zwprom_head(f, name, help);
	fprintf(f, "%s %" PRIu64 "\n", name, v);
}

static void zwprom_seconds(FILE *f, const char *name, const char *help,
			   uint64_t ns)
{
	zwprom_head(f, name, help);
	fprintf(f, "%s %.9f\n", name, ns / ZWPROM_NS_PER_S);
}

static void zwprom_labels(FILE *f, const struct zwproc_row *row)
{
	fprintf(f, "{ppid=\"%d\",comm=", (int)row->ppid);
	zwprom_label_value(f, row->comm);
	fputs(",cgroup=", f);
	zwprom_label_value(f, strcmp(row->cgroup, ZWATCH_NO_CGROUP) ?
			   row->cgroup : "");
	fputc('}', f);
}

static void zwprom_rows(FILE *f, const struct zwsnap *s,
			const struct zwfilter *flt, bool ages)
{
	size_t i;

	if (ages)
		zwprom_head(f, "zwatch_parent_oldest_zombie_age_seconds",
			    "Seconds since the oldest zombie of this parent exited.");
	else
		zwprom_head(f, "zwatch_parent_zombies",
			    "Zombies of one parent process.");
	for (i = 0; i < s->t.nr_rows; i++) {
		const struct zwproc_row *row = &s->t.rows[i];

		if (!zwfilter_match(flt, row))
			continue;
		fputs(ages ? "zwatch_parent_oldest_zombie_age_seconds" :
			     "zwatch_parent_zombies", f);
		zwprom_labels(f, row);
		fprintf(f, " %" PRIu64 "\n",
			ages ? row->oldest_s : (uint64_t)row->zombies);
	}
}

void zwprom_list(FILE *f, const struct zwsnap *s, const struct zwfilter *flt)
{
	const struct zwproc *t = &s->t;
	struct zwmatch all;
	struct zwfilter none = { 0 };

	zwprom_head(f, "zwatch_info",
		    "Where zwatch read the zombies: the module or a scan of /proc.");
	fprintf(f, "zwatch_info{source=\"%s\"} 1\n",
		zwsnap_source_name(s->source));
	zwprom_u64(f, "zwatch_zombies",
		   "Zombie processes: exited, not reaped by their parent.",
		   t->zombies);
	zwprom_u64(f, "zwatch_zombie_parents",
		   "Processes with at least one zombie child.", t->parents);
	if (t->has_defunct_leaders)
		zwprom_u64(f, "zwatch_defunct_leaders",
			   "Exited thread-group leaders whose other threads still run.",
			   t->defunct_leaders);
	zwprom_rows(f, s, flt, false);
	if (s->ages) {
		zwprom_rows(f, s, flt, true);
		zwfilter_sum(&none, t, &all);
		zwprom_u64(f, "zwatch_oldest_zombie_age_seconds",
			   "Seconds since the oldest zombie exited.",
			   all.oldest_s);
	}
	if (s->pid_max)
		zwprom_u64(f, "zwatch_pid_max", "kernel.pid_max.", s->pid_max);
	if (s->threads_max)
		zwprom_u64(f, "zwatch_threads_max", "kernel.threads-max.",
			   s->threads_max);
	if (s->has_scan_ns)
		zwprom_seconds(f, "zwatch_scan_duration_seconds",
			       "Duration of the zwatch module's latest periodic scan.",
			       s->scan_ns);
	zwprom_seconds(f, "zwatch_collect_duration_seconds",
		       "How long this zwatch run took to read the zombies.",
		       s->read_ns);
}
