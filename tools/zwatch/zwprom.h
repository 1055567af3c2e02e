/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zwprom: the list in the Prometheus text exposition format, for
 * node_exporter's textfile collector:
 *
 *	zwatch_zombies				gauge, every zombie
 *	zwatch_zombie_parents			gauge
 *	zwatch_defunct_leaders			gauge
 *	zwatch_parent_zombies{ppid,comm,cgroup}	gauge, per parent
 *	zwatch_parent_oldest_zombie_age_seconds{ppid,comm,cgroup}  (module)
 *	zwatch_oldest_zombie_age_seconds	gauge (module)
 *	zwatch_pid_max, zwatch_threads_max	gauge, when readable
 *	zwatch_scan_duration_seconds		gauge, the module's latest scan
 *	zwatch_collect_duration_seconds		gauge, this run's read
 *	zwatch_info{source}			gauge, always 1
 *
 * Filters keep or drop per-parent series; the totals are the system's.
 * Label values escape backslash, double quote and newline; a byte that is
 * not UTF-8 becomes U+FFFD.
 */
#ifndef _ZWPROM_H
#define _ZWPROM_H

#include <stdio.h>

#include "zwsnap.h"

/* Write @s as a label value, quotes included. */
void zwprom_label_value(FILE *f, const char *s);

void zwprom_list(FILE *f, const struct zwsnap *s, const struct zwfilter *flt);

#endif /* _ZWPROM_H */
