// SPDX-License-Identifier: GPL-2.0
/*
 * zwatch events: the module's alarms as they arrive, from the kernel's
 * uevent netlink socket (like `udevadm monitor --kernel`), one line each.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/zwatch.h>

#include "zw.h"
#include "zwfmt.h"
#include "zwjson.h"

/* the kernel's uevents go to multicast group 1 (udev's to 2) */
#define EVENTS_KERNEL_GROUP	1
#define EVENTS_RCVBUF		(1 << 20)
#define EVENTS_MSG_MAX		8192
#define EVENTS_POLL_MS		250
#define EVENTS_MAX_KEYS		32
/* uevent keys the kernel adds to every event */
#define EVENTS_SUBSYSTEM	"SUBSYSTEM"
#define EVENTS_SEQNUM		"SEQNUM"

enum events_opt_id {
	EVENTS_OPT_JSON = ZW_OPT_CMD_BASE,
	EVENTS_OPT_COUNT,
	EVENTS_OPT_TIMEOUT,
};

struct events_args {
	bool json;
	uint64_t count;		/* stop after this many; 0: never */
	uint64_t timeout;	/* stop after this many seconds; 0: never */
};

/* A key of a zwatch uevent and the name zwatch prints it under. */
struct events_key {
	const char *uevent;
	const char *name;
	bool escaped;		/* the module escapes it as in /proc/zombies */
};

static const struct events_key events_keys[] = {
	{ ZWATCH_UEV_EVENT, "event", false },
	{ ZWATCH_UEV_ZOMBIES, "zombies", false },
	{ ZWATCH_UEV_THRESHOLD, "threshold", false },
	{ ZWATCH_UEV_PPID, "ppid", false },
	{ ZWATCH_UEV_PARENT_COMM, "parent_comm", true },
	{ ZWATCH_UEV_PARENT_ZOMBIES, "parent_zombies", false },
	{ ZWATCH_UEV_NEW, "new", false },
	{ ZWATCH_UEV_INTERVAL_MS, "interval_ms", false },
};

#define EVENTS_NR_KEYS	(sizeof(events_keys) / sizeof(events_keys[0]))

static volatile sig_atomic_t events_stop;

static const struct option events_long[] = {
	{ "json", no_argument, NULL, EVENTS_OPT_JSON },
	{ "count", required_argument, NULL, EVENTS_OPT_COUNT },
	{ "timeout", required_argument, NULL, EVENTS_OPT_TIMEOUT },
	{ NULL, 0, NULL, 0 },
};

static void events_help(void)
{
	printf("Usage: %s events [--json] [--count N] [--timeout SECS]\n"
	       "Print the %s module's alarms (uevents of subsystem %s) as they\n"
	       "arrive, one line each, until interrupted (SIGINT, SIGTERM).  The\n"
	       "module judges them at each periodic scan: set a threshold first,\n"
	       "e.g. %s set threshold=100.\n"
	       "\n"
	       "A line: TIME EVENT zombies=N threshold=N [ppid=N parent_comm=NAME\n"
	       "parent_zombies=N] [new=N interval_ms=N].  With --json, one object\n"
	       "per line: {\"time\": ..., \"seqnum\": N, \"event\": ..., \"zombies\": N, ...}\n"
	       "\n"
	       "      --json          one JSON object per line\n"
	       "      --count N       stop after N events\n"
	       "      --timeout SECS  stop after SECS seconds\n"
	       "%s",
	       ZW_PROG, ZWATCH_MODULE_NAME, ZWATCH_UEVENT_SUBSYSTEM, ZW_PROG,
	       zw_common_help);
}

static int events_opt(int c, const char *arg, void *ctx)
{
	struct events_args *a = ctx;

	switch (c) {
	case EVENTS_OPT_JSON:
		a->json = true;
		break;
	case EVENTS_OPT_COUNT:
		if (zw_arg_u64("--count", arg, UINT32_MAX, &a->count))
			return zw_usage_error(&zw_cmd_events);
		break;
	case EVENTS_OPT_TIMEOUT:
		if (zw_arg_u64("--timeout", arg, UINT32_MAX, &a->timeout))
			return zw_usage_error(&zw_cmd_events);
		break;
	}
	return -1;
}

static void events_on_signal(int sig)
{
	(void)sig;
	events_stop = 1;
}

static void events_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = events_on_signal;	/* no SA_RESTART: wake poll() */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int events_socket(void)
{
	struct sockaddr_nl addr = {
		.nl_family = AF_NETLINK,
		.nl_groups = EVENTS_KERNEL_GROUP,
	};
	int fd, e, size = EVENTS_RCVBUF;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
		    NETLINK_KOBJECT_UEVENT);
	if (fd < 0) {
		e = errno;
		zw_err("cannot open the uevent socket: %s", strerror(e));
		return -e;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		e = errno;
		zw_err("cannot listen to kernel uevents: %s", strerror(e));
		close(fd);
		return -e;
	}
	return fd;
}

/* A uevent: "ACTION@DEVPATH", then KEY=VALUE strings. */
struct events_msg {
	const char *key[EVENTS_MAX_KEYS];
	const char *val[EVENTS_MAX_KEYS];
	size_t nr;
};

static const char *events_get(const struct events_msg *m, const char *key)
{
	size_t i;

	for (i = 0; i < m->nr; i++)
		if (!strcmp(m->key[i], key))
			return m->val[i];
	return NULL;
}

/* Split @buf of @len bytes; false when it is not a kernel uevent. */
static bool events_split(char *buf, size_t len, struct events_msg *m)
{
	size_t pos = strnlen(buf, len) + 1;
	char *eq;

	m->nr = 0;
	if (!memchr(buf, '@', pos - 1))
		return false;	/* libudev's messages do not look like this */
	while (pos < len && m->nr < EVENTS_MAX_KEYS) {
		char *s = buf + pos;

		pos += strnlen(s, len - pos) + 1;
		eq = strchr(s, '=');
		if (!eq)
			continue;
		*eq = '\0';
		m->key[m->nr] = s;
		m->val[m->nr++] = eq + 1;
	}
	return true;
}

/* Undo the module's \ooo escapes into @out (at least strlen(s) + 1). */
static void events_unescape(const char *s, char *out)
{
	unsigned int v;
	int i;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			for (v = 0, i = 1; i <= 3; i++)
				v = v * 8 + (s[i] - '0');
			if (v) {
				*out++ = (char)v;
				s += 4;
				continue;
			}
		}
		*out++ = *s++;
	}
	*out = '\0';
}

static bool events_is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static void events_time(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

static void events_value(const struct events_key *k, const char *v,
			 bool json)
{
	char *raw = malloc(strlen(v) + 1);

	if (!raw)
		return;
	if (k->escaped)
		events_unescape(v, raw);
	else
		strcpy(raw, v);
	if (!json)
		zwfmt_put_escaped(stdout, raw);
	else if (events_is_number(raw))
		fputs(raw, stdout);
	else
		zwjson_string(stdout, raw);
	free(raw);
}

static void events_print(const struct events_msg *m, bool json)
{
	const char *seqnum = events_get(m, EVENTS_SEQNUM);
	const char *event = events_get(m, ZWATCH_UEV_EVENT);
	char when[48];
	size_t i;

	events_time(when, sizeof(when));
	if (json) {
		printf("{\"time\": \"%s\", \"seqnum\": %s", when,
		       seqnum && events_is_number(seqnum) ? seqnum : "null");
	} else {
		printf("%s ", when);
		events_value(&events_keys[0], event ? event : "?", false);
	}
	for (i = json ? 0 : 1; i < EVENTS_NR_KEYS; i++) {
		const char *v = events_get(m, events_keys[i].uevent);

		if (!v)
			continue;
		if (json)
			printf(", \"%s\": ", events_keys[i].name);
		else
			printf(" %s=", events_keys[i].name);
		events_value(&events_keys[i], v, json);
	}
	puts(json ? "}" : "");
	fflush(stdout);
}

/* Read one datagram; 1 when it was a zwatch event, 0 if not, -1 on error. */
static int events_read(int fd, bool json)
{
	char buf[EVENTS_MSG_MAX + 1];
	struct sockaddr_nl from;
	socklen_t fromlen = sizeof(from);
	struct events_msg m;
	const char *subsys;
	ssize_t n;

	n = recvfrom(fd, buf, EVENTS_MSG_MAX, MSG_DONTWAIT,
		     (struct sockaddr *)&from, &fromlen);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		if (errno == ENOBUFS) {
			zw_note("the socket overflowed: some events were lost");
			return 0;
		}
		zw_err("cannot read the uevent socket: %s", strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	if (from.nl_pid != 0)
		return 0;	/* not from the kernel */
	if (!events_split(buf, n, &m))
		return 0;
	subsys = events_get(&m, EVENTS_SUBSYSTEM);
	if (!subsys || strcmp(subsys, ZWATCH_UEVENT_SUBSYSTEM))
		return 0;
	events_print(&m, json);
	return 1;
}

static void events_check_module(const struct zw_opts *opts)
{
	char *dir = zw_sysfs_dir(opts);
	struct stat st;

	if (dir && stat(dir, &st) && errno == ENOENT)
		zw_note("%s not found: the %s module is not loaded; waiting anyway",
			dir, ZWATCH_MODULE_NAME);
	free(dir);
}

static int events_loop(int fd, const struct events_args *a)
{
	uint64_t end = a->timeout ? zw_now_ns() + a->timeout * 1000000000ULL : 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t seen = 0;
	int ret;

	while (!events_stop && (!a->count || seen < a->count) &&
	       (!end || zw_now_ns() < end)) {
		ret = poll(&pfd, 1, EVENTS_POLL_MS);
		if (ret < 0 && errno != EINTR) {
			zw_err("poll: %s", strerror(errno));
			return ZW_EXIT_FAILURE;
		}
		if (ret <= 0)
			continue;
		ret = events_read(fd, a->json);
		if (ret < 0)
			return ZW_EXIT_FAILURE;
		seen += ret;
	}
	return ZW_EXIT_OK;
}

static int events_run(int argc, char **argv, struct zw_opts *opts)
{
	struct events_args a = { 0 };
	int fd, ret;

	ret = zw_getopt(argc, argv, &zw_cmd_events, "", events_long,
			events_opt, &a, opts);
	if (ret >= 0)
		return ret;
	if (optind < argc) {
		zw_err("events: unexpected argument '%s'", argv[optind]);
		return zw_usage_error(&zw_cmd_events);
	}
	events_signals();
	fd = events_socket();
	if (fd < 0)
		return fd == -EPERM || fd == -EACCES ? ZW_EXIT_PERM :
			ZW_EXIT_FAILURE;
	events_check_module(opts);
	ret = events_loop(fd, &a);
	close(fd);
	return ret;
}

const struct zw_cmd zw_cmd_events = {
	.name = "events",
	.summary = "print the module's alarms (uevents) as they arrive",
	.help = events_help,
	.run = events_run,
	.usage_exit = ZW_EXIT_USAGE,
};
