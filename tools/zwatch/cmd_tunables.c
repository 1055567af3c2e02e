// SPDX-License-Identifier: GPL-2.0
/*
 * zwatch get [KEY]... / zwatch set KEY=VALUE...: the module's sysfs
 * attributes.  set checks every value against the documented range before
 * it writes any, and names the range when the kernel refuses one anyway.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/zwatch.h>

#include "zw.h"

/* One attribute of ZWATCH_SYSFS_DIR. */
struct tun_attr {
	const char *name;
	bool writable;
	uint64_t max;		/* writable: the range is min..max */
	uint64_t min;
};

static const struct tun_attr tun_attrs[] = {
	{ ZWATCH_ATTR_ZOMBIES, false, 0, 0 },
	{ ZWATCH_ATTR_PARENTS, false, 0, 0 },
	{ ZWATCH_ATTR_DEFUNCT_LEADERS, false, 0, 0 },
	{ ZWATCH_ATTR_TASKS, false, 0, 0 },
	{ ZWATCH_ATTR_SCANS, false, 0, 0 },
	{ ZWATCH_ATTR_SCAN_NS, false, 0, 0 },
	{ ZWATCH_ATTR_SCAN_MAX_SECTION_NS, false, 0, 0 },
	{ ZWATCH_ATTR_SECTIONS, false, 0, 0 },
	{ ZWATCH_ATTR_SECTIONS_OVER_BUDGET, false, 0, 0 },
	{ ZWATCH_ATTR_TRACKED, false, 0, 0 },
	{ ZWATCH_ATTR_REPAIRS, false, 0, 0 },
	{ ZWATCH_ATTR_LOST, false, 0, 0 },
	{ ZWATCH_ATTR_SNAPSHOTS, false, 0, 0 },
	{ ZWATCH_ATTR_STATE, false, 0, 0 },
	{ ZWATCH_ATTR_EVENTS_SENT, false, 0, 0 },
	{ ZWATCH_ATTR_EVENTS_SUPPRESSED, false, 0, 0 },
	{ ZWATCH_ATTR_INTERVAL_MS, true, ZWATCH_INTERVAL_MS_MAX, 0 },
	{ ZWATCH_ATTR_TOP_PARENTS, true, ZWATCH_TOP_PARENTS_MAX, 0 },
	{ ZWATCH_ATTR_THRESHOLD, true, ZWATCH_THRESHOLD_MAX, 0 },
	{ ZWATCH_ATTR_PARENT_THRESHOLD, true, ZWATCH_THRESHOLD_MAX, 0 },
	{ ZWATCH_ATTR_SPIKE_THRESHOLD, true, ZWATCH_THRESHOLD_MAX, 0 },
	{ ZWATCH_ATTR_HYSTERESIS, true, ZWATCH_THRESHOLD_MAX, 0 },
#ifdef ZWATCH_ATTR_MAX_TRACKED
	/* a newer module: the bound of its exit records is a tunable */
	{ ZWATCH_ATTR_MAX_TRACKED, true, ZWATCH_MAX_TRACKED_MAX,
	  ZWATCH_MAX_TRACKED_MIN },
#endif
};

#define TUN_NR_ATTRS	(sizeof(tun_attrs) / sizeof(tun_attrs[0]))
#define TUN_VALUE_MAX	64

static void tun_list(bool writable)
{
	size_t i;

	for (i = 0; i < TUN_NR_ATTRS; i++) {
		if (tun_attrs[i].writable != writable)
			continue;
		if (writable)
			printf("  %-20s %" PRIu64 "..%" PRIu64 "\n",
			       tun_attrs[i].name, tun_attrs[i].min,
			       tun_attrs[i].max);
		else
			printf("  %s\n", tun_attrs[i].name);
	}
}

static void get_help(void)
{
	printf("Usage: %s get [KEY]...\n"
	       "Show the %s module's attributes in %s: all of them as\n"
	       "\"KEY VALUE\" lines, or the value of one KEY.\n"
	       "\n"
	       "Tunables (see also: %s set):\n", ZW_PROG, ZWATCH_MODULE_NAME,
	       ZWATCH_SYSFS_DIR, ZW_PROG);
	tun_list(true);
	printf("Read-only:\n");
	tun_list(false);
	printf("\n%s", zw_common_help);
}

static void set_help(void)
{
	printf("Usage: %s set KEY=VALUE...\n"
	       "Set tunables of the %s module in %s (needs root).  Every\n"
	       "value is checked before any is written.  Effective at once.\n"
	       "\n"
	       "Tunables and their ranges (0 turns a threshold off):\n",
	       ZW_PROG, ZWATCH_MODULE_NAME, ZWATCH_SYSFS_DIR);
	tun_list(true);
	printf("\n%s", zw_common_help);
}

static const struct tun_attr *tun_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < TUN_NR_ATTRS; i++)
		if (strlen(tun_attrs[i].name) == len &&
		    !strncmp(tun_attrs[i].name, name, len))
			return &tun_attrs[i];
	return NULL;
}

/* Open the sysfs directory; a status when it cannot be done. */
static int tun_open_dir(const struct zw_opts *opts, int *fd, char **dir)
{
	*dir = zw_sysfs_dir(opts);
	if (!*dir) {
		zw_err("out of memory");
		return ZW_EXIT_FAILURE;
	}
	*fd = open(*dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd >= 0)
		return ZW_EXIT_OK;
	if (errno == ENOENT) {
		zw_err("%s not found: is the %s module loaded? (modprobe %s)",
		       *dir, ZWATCH_MODULE_NAME, ZWATCH_MODULE_NAME);
		return ZW_EXIT_NO_MODULE;
	}
	return zw_sys_error("open", *dir, errno);
}

static int tun_read(int fd, const char *dir, const char *name,
		    char value[TUN_VALUE_MAX])
{
	char *buf, *path;
	int ret;

	ret = zw_read_at(fd, name, &buf, NULL);
	if (ret) {
		path = zw_path(dir, "%s", name);
		ret = zw_sys_error("read", path ? path : name, -ret);
		free(path);
		return ret;
	}
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(value, TUN_VALUE_MAX, "%s", buf);
	free(buf);
	return ZW_EXIT_OK;
}

static int tun_get_all(int fd, const char *dir)
{
	char value[TUN_VALUE_MAX];
	size_t i;

	for (i = 0; i < TUN_NR_ATTRS; i++) {
		/* an attribute this module does not have is left out */
		if (faccessat(fd, tun_attrs[i].name, F_OK, 0))
			continue;
		if (tun_read(fd, dir, tun_attrs[i].name, value))
			return ZW_EXIT_FAILURE;
		printf("%-20s %s\n", tun_attrs[i].name, value);
	}
	return ZW_EXIT_OK;
}

static int tun_unknown(const struct zw_cmd *cmd, const char *name, size_t len)
{
	zw_err("no attribute '%.*s': %s %s --help lists them", (int)len, name,
	       ZW_PROG, cmd->name);
	return zw_usage_error(cmd);
}

static int get_run(int argc, char **argv, struct zw_opts *opts)
{
	char value[TUN_VALUE_MAX];
	char *dir;
	int fd, i, ret;

	ret = zw_getopt(argc, argv, &zw_cmd_get, "", NULL, NULL, NULL, opts);
	if (ret >= 0)
		return ret;
	for (i = optind; i < argc; i++)
		if (!tun_find(argv[i], strlen(argv[i])))
			return tun_unknown(&zw_cmd_get, argv[i],
					   strlen(argv[i]));
	ret = tun_open_dir(opts, &fd, &dir);
	if (ret) {
		free(dir);
		return ret;
	}
	if (optind == argc)
		ret = tun_get_all(fd, dir);
	for (i = optind; i < argc && !ret; i++) {
		ret = tun_read(fd, dir, argv[i], value);
		if (ret)
			break;
		if (argc - optind == 1)
			printf("%s\n", value);
		else
			printf("%-20s %s\n", argv[i], value);
	}
	close(fd);
	free(dir);
	return ret;
}

/* One KEY=VALUE of set, checked. */
struct tun_set {
	const struct tun_attr *attr;
	uint64_t value;
};

static int tun_check(const char *arg, struct tun_set *set)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	int ret;

	if (!eq) {
		zw_err("set: '%s' is not KEY=VALUE", arg);
		return zw_usage_error(&zw_cmd_set);
	}
	set->attr = tun_find(arg, len);
	if (!set->attr)
		return tun_unknown(&zw_cmd_set, arg, len);
	if (!set->attr->writable) {
		zw_err("%s is read-only; the tunables are listed by %s set --help",
		       set->attr->name, ZW_PROG);
		return zw_usage_error(&zw_cmd_set);
	}
	ret = zw_parse_u64(eq + 1, set->attr->max, &set->value);
	if (!ret && set->value < set->attr->min)
		ret = -ERANGE;
	if (ret) {
		zw_err("%s: '%s' is %s: the range is %" PRIu64 "..%" PRIu64,
		       set->attr->name, eq + 1,
		       ret == -ERANGE ? "out of range" : "not a number",
		       set->attr->min, set->attr->max);
		return zw_usage_error(&zw_cmd_set);
	}
	return ZW_EXIT_OK;
}

static int tun_write(int dirfd, const char *dir, const struct tun_set *set)
{
	char value[TUN_VALUE_MAX], old[TUN_VALUE_MAX];
	const char *name = set->attr->name;
	int fd, n, e;
	char *path;

	if (tun_read(dirfd, dir, name, old))
		return ZW_EXIT_FAILURE;
	n = snprintf(value, sizeof(value), "%" PRIu64 "\n", set->value);
	fd = openat(dirfd, name, O_WRONLY | O_TRUNC | O_CLOEXEC);
	e = fd < 0 ? errno : 0;
	if (fd >= 0 && write(fd, value, n) != n)
		e = errno;
	if (fd >= 0)
		close(fd);
	if (!e) {
		printf("%s: %s -> %" PRIu64 "\n", name, old, set->value);
		return ZW_EXIT_OK;
	}
	if (e == EINVAL || e == ERANGE) {
		zw_err("the module refused %s=%" PRIu64 " (%s): the range is %" PRIu64 "..%" PRIu64,
		       name, set->value, strerror(e), set->attr->min,
		       set->attr->max);
		return ZW_EXIT_USAGE;
	}
	path = zw_path(dir, "%s", name);
	e = zw_sys_error("write", path ? path : name, e);
	free(path);
	return e;
}

static int set_run(int argc, char **argv, struct zw_opts *opts)
{
	struct tun_set *sets;
	int fd = -1, i, n, ret;
	char *dir = NULL;

	ret = zw_getopt(argc, argv, &zw_cmd_set, "", NULL, NULL, NULL, opts);
	if (ret >= 0)
		return ret;
	ret = ZW_EXIT_OK;
	n = argc - optind;
	if (!n) {
		zw_err("set: what? give KEY=VALUE");
		return zw_usage_error(&zw_cmd_set);
	}
	sets = calloc(n, sizeof(*sets));
	if (!sets) {
		zw_err("out of memory");
		return ZW_EXIT_FAILURE;
	}
	for (i = 0; i < n && !ret; i++)
		ret = tun_check(argv[optind + i], &sets[i]);
	if (!ret)
		ret = tun_open_dir(opts, &fd, &dir);
	for (i = 0; i < n && !ret; i++)
		ret = tun_write(fd, dir, &sets[i]);
	if (fd >= 0)
		close(fd);
	free(dir);
	free(sets);
	return ret;
}

const struct zw_cmd zw_cmd_get = {
	.name = "get",
	.summary = "show the module's attributes and tunables",
	.help = get_help,
	.run = get_run,
	.usage_exit = ZW_EXIT_USAGE,
};

const struct zw_cmd zw_cmd_set = {
	.name = "set",
	.summary = "set tunables: interval, thresholds, ... (KEY=VALUE)",
	.help = set_help,
	.run = set_run,
	.usage_exit = ZW_EXIT_USAGE,
};
