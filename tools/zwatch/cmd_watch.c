// SPDX-License-Identifier: GPL-2.0
/*
 * zwatch watch: the list, refreshed like top, with the change of each
 * parent since the previous refresh.  On a terminal it clears and redraws
 * the screen and quits on q (the terminal is put in non-canonical mode and
 * restored on the way out); elsewhere it prints one frame after another.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <linux/zwatch.h>

#include "zw.h"
#include "zwfmt.h"
#include "zwsnap.h"

#define WATCH_INTERVAL_MS_DEFAULT	2000
#define WATCH_INTERVAL_MS_MIN		100
#define WATCH_INTERVAL_MS_MAX		86400000
#define WATCH_CHANGE_LEN		24
#define WATCH_COL_CHANGE		"CHANGE"
/* lines of a frame that are not rows: title, totals, heading, "more" */
#define WATCH_FRAME_LINES		7
#define WATCH_CLEAR			"\033[H\033[2J"
#define WATCH_KEY_QUIT			'q'

enum watch_opt_id {
	WATCH_OPT_COUNT = ZW_OPT_CMD_BASE,
};

struct watch_args {
	uint64_t interval_ms;
	uint64_t count;		/* frames to show; 0: until q or a signal */
	struct zwfilter filter;
};

/* What the previous frame showed, to tell the change. */
struct watch_prev {
	struct zwsnap s;
	bool valid;
};

static volatile sig_atomic_t watch_stop;
static struct termios watch_saved;
static bool watch_raw;

static const struct option watch_long[] = {
	{ "interval", required_argument, NULL, 'n' },
	{ "count", required_argument, NULL, WATCH_OPT_COUNT },
	{ "comm", required_argument, NULL, ZW_OPT_COMM },
	{ "cgroup", required_argument, NULL, ZW_OPT_CGROUP },
	{ NULL, 0, NULL, 0 },
};

static void watch_help(void)
{
	printf("Usage: %s watch [-n SECS] [--count N] [--comm NAME] [--cgroup PREFIX]\n"
	       "The list, refreshed every SECS seconds (default 2; decimals allowed,\n"
	       "at least 0.1), with the CHANGE of each parent's zombies since the\n"
	       "previous refresh (+3, -1, 0, new).  On a terminal the screen is\n"
	       "redrawn and q quits; otherwise frames are printed one after another.\n"
	       "\n"
	       "  -n, --interval SECS  seconds between refreshes\n"
	       "      --count N        stop after N frames\n"
	       "      --comm NAME      only parents whose comm is NAME\n"
	       "      --cgroup PREFIX  only parents in cgroup PREFIX or below it\n"
	       "%s",
	       ZW_PROG, zw_common_help);
}

/* "2", "0.5", "1.25": seconds with up to three decimals, into ms. */
static int watch_interval(const char *arg, uint64_t *ms)
{
	const char *dot = strchr(arg, '.');
	uint64_t secs = 0, frac = 0;
	char whole[24], part[4] = "000";
	size_t len = dot ? (size_t)(dot - arg) : strlen(arg);

	if (len >= sizeof(whole) || (dot && strlen(dot + 1) > 3))
		return -EINVAL;
	memcpy(whole, arg, len);
	whole[len] = '\0';
	if (dot)
		memcpy(part, dot + 1, strlen(dot + 1));
	if ((len || !dot) && zw_parse_u64(whole, WATCH_INTERVAL_MS_MAX / 1000,
					  &secs))
		return -EINVAL;
	if (zw_parse_u64(part, 999, &frac))
		return -EINVAL;
	*ms = secs * 1000 + frac;
	return *ms >= WATCH_INTERVAL_MS_MIN ? 0 : -ERANGE;
}

static int watch_opt(int c, const char *arg, void *ctx)
{
	struct watch_args *a = ctx;

	switch (c) {
	case 'n':
		if (watch_interval(arg, &a->interval_ms)) {
			zw_err("-n: '%s' is not a number of seconds from 0.1 up",
			       arg);
			return zw_usage_error(&zw_cmd_watch);
		}
		return -1;
	case WATCH_OPT_COUNT:
		if (zw_arg_u64("--count", arg, UINT32_MAX, &a->count))
			return zw_usage_error(&zw_cmd_watch);
		return -1;
	}
	return zwfilter_opt(&a->filter, c, arg) ?
		zw_usage_error(&zw_cmd_watch) : -1;
}

static void watch_on_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

static void watch_restore(void)
{
	if (watch_raw) {
		tcsetattr(STDIN_FILENO, TCSANOW, &watch_saved);
		watch_raw = false;
	}
}

/* Keys one at a time, unechoed; Ctrl-C still works. */
static void watch_terminal(void)
{
	struct termios raw;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watch_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &watch_saved))
		return;
	raw = watch_saved;
	raw.c_lflag &= ~(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw))
		return;
	watch_raw = true;
	atexit(watch_restore);
}

static const struct zwproc_row *watch_find(const struct watch_prev *prev,
					   const struct zwproc_row *row)
{
	size_t i;

	for (i = 0; i < prev->s.t.nr_rows; i++)
		if (prev->s.t.rows[i].ppid == row->ppid &&
		    prev->s.t.rows[i].start == row->start)
			return &prev->s.t.rows[i];
	return NULL;
}

/* The CHANGE column: one string per row of @s. */
static char (*watch_changes(const struct zwsnap *s,
			    const struct watch_prev *prev))[WATCH_CHANGE_LEN]
{
	char (*ch)[WATCH_CHANGE_LEN] = calloc(s->t.nr_rows + 1, sizeof(*ch));
	const struct zwproc_row *old;
	int64_t d;
	size_t i;

	if (!ch)
		return NULL;
	for (i = 0; i < s->t.nr_rows; i++) {
		old = prev->valid ? watch_find(prev, &s->t.rows[i]) : NULL;
		if (!prev->valid) {
			snprintf(ch[i], WATCH_CHANGE_LEN, "-");
			continue;
		}
		if (!old) {
			snprintf(ch[i], WATCH_CHANGE_LEN, "new");
			continue;
		}
		d = (int64_t)s->t.rows[i].zombies - old->zombies;
		snprintf(ch[i], WATCH_CHANGE_LEN, d > 0 ? "+%" PRId64 :
			 "%" PRId64, d);
	}
	return ch;
}

static size_t watch_rows_fit(bool tty)
{
	struct winsize ws;

	if (!tty || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || !ws.ws_row)
		return 0;
	return ws.ws_row > WATCH_FRAME_LINES ? ws.ws_row - WATCH_FRAME_LINES :
		1;
}

static void watch_title(const struct watch_args *a,
			const struct watch_prev *prev, const struct zwsnap *s,
			bool tty)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	int64_t d;

	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	printf("%s watch: every %" PRIu64 ".%01" PRIu64 "s, %s", ZW_PROG,
	       a->interval_ms / 1000, a->interval_ms % 1000 / 100, when);
	if (prev->valid) {
		d = (int64_t)s->t.zombies - prev->s.t.zombies;
		printf(", zombies %s%" PRId64 " since the last refresh",
		       d > 0 ? "+" : "", d);
	}
	printf("%s\n", tty ? " (q quits)" : "");
}

static int watch_frame(const struct watch_args *a, struct watch_prev *prev,
		       const struct zwsnap *s, bool tty)
{
	char (*ch)[WATCH_CHANGE_LEN] = watch_changes(s, prev);
	const char **extra;
	struct zwfmt_view view = {
		.extra_head = WATCH_COL_CHANGE,
		.max_rows = watch_rows_fit(tty),
	};
	size_t i;

	extra = calloc(s->t.nr_rows + 1, sizeof(*extra));
	if (!ch || !extra) {
		free(ch);
		free(extra);
		zw_err("out of memory");
		return ZW_EXIT_FAILURE;
	}
	for (i = 0; i < s->t.nr_rows; i++)
		extra[i] = ch[i];
	view.extra = extra;
	if (tty)
		fputs(WATCH_CLEAR, stdout);
	watch_title(a, prev, s, tty);
	zwfmt_totals(stdout, s, &a->filter);
	zwfmt_table(stdout, s, &a->filter, &view);
	if (!tty)
		putchar('\n');
	fflush(stdout);
	free(ch);
	free(extra);
	return ZW_EXIT_OK;
}

/* Wait for the next refresh; true when q was pressed. */
static bool watch_wait(uint64_t ms, bool *keys)
{
	uint64_t end = zw_now_ns() + ms * 1000000ULL, now;
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char c;
	int ret;

	while (!watch_stop && (now = zw_now_ns()) < end) {
		ret = poll(&pfd, *keys ? 1 : 0,
			   (int)((end - now + 999999) / 1000000));
		if (ret <= 0 || !(pfd.revents & (POLLIN | POLLHUP)))
			continue;
		if (read(STDIN_FILENO, &c, 1) != 1) {
			*keys = false;	/* end of input: just wait */
			continue;
		}
		if (c == WATCH_KEY_QUIT || c == 'Q')
			return true;
	}
	return false;
}

static int watch_loop(const struct watch_args *a, struct zw_opts *opts)
{
	bool tty = isatty(STDOUT_FILENO), keys = watch_raw;
	struct watch_prev prev = { 0 };
	struct zwsnap s;
	uint64_t frames = 0;
	int ret = ZW_EXIT_OK;

	while (!watch_stop) {
		ret = zwsnap_take(opts, &s, frames > 0);
		if (ret)
			break;
		ret = watch_frame(a, &prev, &s, tty);
		if (prev.valid)
			zwsnap_free(&prev.s);
		prev.s = s;
		prev.valid = true;
		frames++;
		if (ret || (a->count && frames >= a->count))
			break;
		if (watch_wait(a->interval_ms, &keys))
			break;
	}
	if (prev.valid)
		zwsnap_free(&prev.s);
	return ret;
}

static int watch_run(int argc, char **argv, struct zw_opts *opts)
{
	struct watch_args a = { .interval_ms = WATCH_INTERVAL_MS_DEFAULT };
	int ret;

	ret = zw_getopt(argc, argv, &zw_cmd_watch, "n:", watch_long, watch_opt,
			&a, opts);
	if (ret >= 0)
		return ret;
	if (optind < argc) {
		zw_err("watch: unexpected argument '%s'", argv[optind]);
		return zw_usage_error(&zw_cmd_watch);
	}
	watch_terminal();
	ret = watch_loop(&a, opts);
	watch_restore();
	return ret;
}

const struct zw_cmd zw_cmd_watch = {
	.name = "watch",
	.summary = "the list, refreshed like top, with the change per parent",
	.help = watch_help,
	.run = watch_run,
	.usage_exit = ZW_EXIT_USAGE,
};
