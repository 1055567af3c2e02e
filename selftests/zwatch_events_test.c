// SPDX-License-Identifier: GPL-2.0
/*
 * Threshold alarms as the kernel sends them: raw uevents read from a
 * NETLINK_KOBJECT_UEVENT socket, and the poll()-able state file, against
 * zombies the test makes and counts itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "zw_lib.h"

static const char * const zw_alarm_knobs[] = {
	ZWATCH_ATTR_THRESHOLD, ZWATCH_ATTR_PARENT_THRESHOLD,
	ZWATCH_ATTR_SPIKE_THRESHOLD, ZWATCH_ATTR_HYSTERESIS,
};

static int zw_set(const char *name, unsigned long long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", val);
	return zw_sysfs_write(name, buf, strlen(buf));
}

/* periodic scans off: the one that writing 0 makes has run, and the rest */
static bool zw_scans_off(void)
{
	unsigned long long scans = zw_attr(ZWATCH_ATTR_SCANS);

	if (zw_set(ZWATCH_ATTR_INTERVAL_MS, 0) || !zw_wait_scans_to(scans + 1))
		return false;
	zw_scans_quiet();
	return true;
}

/*
 * Events are judged at the end of a scan and sent before "scans" counts it,
 * and netlink queues them on the socket as they are sent.  So once @n scans
 * have completed that all began after the caller's last step (the first one
 * counted may have begun before it: n >= 2), whatever they sent is already
 * waiting, and a poll with no timeout tells whether it is there.
 */
#define ZW_SETTLED_SCANS 3

/* no event during the next @n scans: NULL, or what came instead */
static const char *zw_silent(int fd, int n)
{
	struct zw_uevent ev;
	const char *got;

	if (!zw_wait_scans(n))
		return "(no scans: they stalled)";
	if (zw_uevent_next(fd, 0, &ev))
		return NULL;
	got = zw_uevent_get(&ev, ZWATCH_UEV_EVENT);
	return got ? got : "(no ZWATCH_EVENT)";
}

/* every alarm off, cleared, and quiet: then a socket that hears only us */
static int zw_quiet_start(unsigned int interval_ms)
{
	unsigned int i;

	/* earlier tests' orphans: init reaps them when it gets to it */
	if (zw_module_ensure() || zw_settle())
		return -1;
	for (i = 0; i < 4; i++)
		zw_set(zw_alarm_knobs[i], 0);
	zw_set(ZWATCH_ATTR_INTERVAL_MS, 50);
	if (!zw_wait_scans(3))
		return -1;
	/* let the rate limit's window pass */
	usleep(ZWATCH_EVENT_WINDOW_MS * 1000);
	zw_set(ZWATCH_ATTR_INTERVAL_MS, interval_ms);
	return zw_uevent_open();
}

static void zw_quiet_end(int fd)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		zw_set(zw_alarm_knobs[i], 0);
	zw_set(ZWATCH_ATTR_INTERVAL_MS, ZWATCH_INTERVAL_MS_DEFAULT);
	close(fd);
}

/*
 * The next event, which must be @name, within ZW_SETTLED_SCANS scans after
 * the call (or 60 s if they stall); NULL, or what came instead.
 */
static const char *zw_expect(int fd, struct zw_uevent *ev, const char *name)
{
	unsigned long long target = zw_attr(ZWATCH_ATTR_SCANS) + ZW_SETTLED_SCANS;
	const char *got;
	int i;

	for (i = 0; zw_uevent_next(fd, 100, ev); i++) {
		if (zw_attr(ZWATCH_ATTR_SCANS) >= target) {
			if (zw_uevent_next(fd, 0, ev))
				return "(no event)";
			break;
		}
		if (i == 600)
			return "(no event: scans stalled)";
	}
	got = zw_uevent_get(ev, ZWATCH_UEV_EVENT);
	if (!got || strcmp(got, name))
		return got ? got : "(no ZWATCH_EVENT)";
	return NULL;
}

static unsigned long long zw_key(const struct zw_uevent *ev, const char *key)
{
	const char *v = zw_uevent_get(ev, key);

	return v ? strtoull(v, NULL, 10) : ~0ULL;
}

TEST(total_high_then_ok_with_hysteresis)
{
	struct zw_factory f;
	struct zw_uevent ev;
	unsigned long long base, t;
	const char *bad;
	char state[16];
	int fd;

	fd = zw_quiet_start(100);
	ASSERT_LE(0, fd);
	base = zw_attr(ZWATCH_ATTR_ZOMBIES);
	t = base + 10;
	ASSERT_EQ(0, zw_set(ZWATCH_ATTR_THRESHOLD, t));
	ASSERT_EQ(0, zw_set(ZWATCH_ATTR_HYSTERESIS, 3));
	ASSERT_EQ(0, zw_factory_start(&f, "zw-total", 10, 0));

	bad = zw_expect(fd, &ev, ZWATCH_EVENT_TOTAL_HIGH);
	ASSERT_EQ(NULL, bad) TH_LOG("got %s", bad);
	EXPECT_STREQ("change", zw_uevent_get(&ev, "ACTION"));
	EXPECT_STREQ(ZWATCH_UEVENT_DEVPATH, zw_uevent_get(&ev, "DEVPATH"));
	EXPECT_EQ(base + 10, zw_key(&ev, ZWATCH_UEV_ZOMBIES));
	EXPECT_EQ(t, zw_key(&ev, ZWATCH_UEV_THRESHOLD));
	EXPECT_EQ(NULL, zw_uevent_get(&ev, ZWATCH_UEV_PPID));
	ASSERT_EQ(0, zw_sysfs_read_str(ZWATCH_SYSFS_DIR "/" ZWATCH_ATTR_STATE,
				       state, sizeof(state)));
	EXPECT_STREQ(ZWATCH_STATE_HIGH "\n", state);

	/* steady: no second high */
	bad = zw_silent(fd, ZW_SETTLED_SCANS);
	EXPECT_EQ(NULL, bad) TH_LOG("steady at t: got %s", bad);
	/* t - 1 is below the threshold but not below threshold - hysteresis */
	ASSERT_EQ(0, zw_factory_reap_some(&f, 1));
	bad = zw_silent(fd, ZW_SETTLED_SCANS);
	EXPECT_EQ(NULL, bad) TH_LOG("at t - 1: got %s", bad);
	/* held at exactly t - hysteresis: still high */
	ASSERT_EQ(0, zw_factory_reap_some(&f, 2));
	bad = zw_silent(fd, ZW_SETTLED_SCANS);
	EXPECT_EQ(NULL, bad) TH_LOG("at t - h: got %s", bad);
	ASSERT_EQ(0, zw_sysfs_read_str(ZWATCH_SYSFS_DIR "/" ZWATCH_ATTR_STATE,
				       state, sizeof(state)));
	EXPECT_STREQ(ZWATCH_STATE_HIGH "\n", state);
	/* one below it clears */
	ASSERT_EQ(0, zw_factory_reap_some(&f, 1));
	bad = zw_expect(fd, &ev, ZWATCH_EVENT_TOTAL_OK);
	ASSERT_EQ(NULL, bad) TH_LOG("got %s", bad);
	EXPECT_EQ(base + 6, zw_key(&ev, ZWATCH_UEV_ZOMBIES));
	EXPECT_EQ(t, zw_key(&ev, ZWATCH_UEV_THRESHOLD));
	ASSERT_EQ(0, zw_sysfs_read_str(ZWATCH_SYSFS_DIR "/" ZWATCH_ATTR_STATE,
				       state, sizeof(state)));
	EXPECT_STREQ(ZWATCH_STATE_OK "\n", state);
	bad = zw_silent(fd, ZW_SETTLED_SCANS);
	EXPECT_EQ(NULL, bad) TH_LOG("after total_ok: got %s", bad);

	zw_factory_stop(&f);
	zw_quiet_end(fd);
}

TEST(threshold_set_to_zero_clears)
{
	struct zw_factory f;
	struct zw_uevent ev;
	const char *bad;
	int fd;

	fd = zw_quiet_start(100);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, zw_factory_start(&f, "zw-zero", 3, 0));
	ASSERT_EQ(0, zw_set(ZWATCH_ATTR_THRESHOLD, 1));
	bad = zw_expect(fd, &ev, ZWATCH_EVENT_TOTAL_HIGH);
	ASSERT_EQ(NULL, bad) TH_LOG("got %s", bad);
	EXPECT_EQ(1, zw_key(&ev, ZWATCH_UEV_THRESHOLD));
	ASSERT_EQ(0, zw_set(ZWATCH_ATTR_THRESHOLD, 0));
	bad = zw_expect(fd, &ev, ZWATCH_EVENT_TOTAL_OK);
	ASSERT_EQ(NULL, bad) TH_LOG("got %s", bad);
	EXPECT_EQ(0, zw_key(&ev, ZWATCH_UEV_THRESHOLD));
	zw_factory_stop(&f);
	zw_quiet_end(fd);
}

TEST(state_wakes_poll)
{
	struct zw_factory f;
	struct pollfd pfd;
	char buf[16];
	int fd, sfd;

	fd = zw_quiet_start(100);
	ASSERT_LE(0, fd);
	sfd = open(ZWATCH_SYSFS_DIR "/" ZWATCH_ATTR_STATE, O_RDONLY);
	ASSERT_LE(0, sfd);
	/* sysfs wants a read before poll() */
	ASSERT_LT(0, read(sfd, buf, sizeof(buf)));
	ASSERT_EQ(0, zw_set(ZWATCH_ATTR_THRESHOLD, zw_attr(ZWATCH_ATTR_ZOMBIES) + 2));
	ASSERT_EQ(0, zw_factory_start(&f, "zw-poll", 2, 0));

	pfd.fd = sfd;
	pfd.events = POLLPRI;
	ASSERT_EQ(1, poll(&pfd, 1, 5000));
	EXPECT_TRUE(pfd.revents & POLLPRI);
	ASSERT_EQ(0, lseek(sfd, 0, SEEK_SET));
	memset(buf, 0, sizeof(buf));
	ASSERT_LT(0, read(sfd, buf, sizeof(buf) - 1));
	EXPECT_STREQ(ZWATCH_STATE_HIGH "\n", buf);
	close(sfd);
	zw_factory_stop(&f);
	zw_quiet_end(fd);
}

TEST(parent_high_then_ok_on_reap_and_on_exit)
{
	struct zw_factory a, b;
	struct zw_uevent ev;
	const char *bad;
	int fd;

	/* orphans of the killed parent come to us, and we reap them */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	fd = zw_quiet_start(100);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, zw_set(ZWATCH_ATTR_PARENT_THRESHOLD, 5));
	ASSERT_EQ(0, zw_factory_start(&a, "zw par\\ent", 5, 0));

	bad = zw_expect(fd, &ev, ZWATCH_EVENT_PARENT_HIGH);
	ASSERT_EQ(NULL, bad) TH_LOG("got %s", bad);
	EXPECT_EQ(a.pid, zw_key(&ev, ZWATCH_UEV_PPID));
	EXPECT_STREQ("zw\\040par\\134ent", zw_uevent_get(&ev, ZWATCH_UEV_PARENT_COMM));
	EXPECT_EQ(5, zw_key(&ev, ZWATCH_UEV_PARENT_ZOMBIES));
	EXPECT_EQ(5, zw_key(&ev, ZWATCH_UEV_THRESHOLD));
	bad = zw_silent(fd, ZW_SETTLED_SCANS);
	EXPECT_EQ(NULL, bad) TH_LOG("steady: got %s", bad);

	/* a parent whose count falls: held at the threshold, then below it */
	ASSERT_EQ(0, zw_factory_start(&b, "zw-par-b", 6, 0));
	bad = zw_expect(fd, &ev, ZWATCH_EVENT_PARENT_HIGH);
	ASSERT_EQ(NULL, bad) TH_LOG("got %s", bad);
	EXPECT_EQ(b.pid, zw_key(&ev, ZWATCH_UEV_PPID));
	ASSERT_EQ(0, zw_factory_reap_some(&b, 1));
	bad = zw_silent(fd, ZW_SETTLED_SCANS);
	EXPECT_EQ(NULL, bad) TH_LOG("b at its threshold: got %s", bad);
	ASSERT_EQ(0, zw_factory_reap_some(&b, 1));
	bad = zw_expect(fd, &ev, ZWATCH_EVENT_PARENT_OK);
	ASSERT_EQ(NULL, bad) TH_LOG("got %s", bad);
	EXPECT_EQ(b.pid, zw_key(&ev, ZWATCH_UEV_PPID));
	EXPECT_EQ(4, zw_key(&ev, ZWATCH_UEV_PARENT_ZOMBIES));

	/*
	 * A parent that dies with its zombies.  They come to us, the
	 * subreaper: no scan may see them before we reap them.
	 */
	pid_t dead = a.pid;

	ASSERT_TRUE(zw_scans_off());
	zw_factory_kill(&a);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	ASSERT_EQ(0, zw_set(ZWATCH_ATTR_INTERVAL_MS, 100));
	bad = zw_expect(fd, &ev, ZWATCH_EVENT_PARENT_OK);
	ASSERT_EQ(NULL, bad) TH_LOG("got %s", bad);
	EXPECT_EQ(dead, zw_key(&ev, ZWATCH_UEV_PPID));
	EXPECT_EQ(0, zw_key(&ev, ZWATCH_UEV_PARENT_ZOMBIES));
	bad = zw_silent(fd, ZW_SETTLED_SCANS);
	EXPECT_EQ(NULL, bad) TH_LOG("after the exit: got %s", bad);

	zw_factory_stop(&b);
	zw_quiet_end(fd);
}

/*
 * With hysteresis at or above the threshold, threshold - hysteresis would be
 * 0 or wrap around: such an alarm stays raised down to 1 and clears at 0.
 */
TEST(hysteresis_not_below_threshold_clears_at_zero)
{
	static const unsigned int hysteresis[] = { 3, 100 };
	struct zw_factory f;
	struct zw_uevent ev;
	const char *bad;
	unsigned int i;
	int fd;

	fd = zw_quiet_start(100);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, zw_factory_start(&f, "zw-hyst", 0, 0));
	ASSERT_EQ(0, zw_set(ZWATCH_ATTR_PARENT_THRESHOLD, 3));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, zw_set(ZWATCH_ATTR_HYSTERESIS, hysteresis[i]));
		ASSERT_EQ(0, zw_factory_add(&f, 3));
		bad = zw_expect(fd, &ev, ZWATCH_EVENT_PARENT_HIGH);
		ASSERT_EQ(NULL, bad) TH_LOG("hysteresis %u: got %s", hysteresis[i], bad);
		EXPECT_EQ(f.pid, zw_key(&ev, ZWATCH_UEV_PPID));
		EXPECT_EQ(3, zw_key(&ev, ZWATCH_UEV_PARENT_ZOMBIES));
		ASSERT_EQ(0, zw_factory_reap_some(&f, 2));
		bad = zw_silent(fd, ZW_SETTLED_SCANS);
		EXPECT_EQ(NULL, bad) TH_LOG("hysteresis %u, 1 zombie: got %s",
					   hysteresis[i], bad);
		ASSERT_EQ(0, zw_factory_reap_some(&f, 1));
		bad = zw_expect(fd, &ev, ZWATCH_EVENT_PARENT_OK);
		ASSERT_EQ(NULL, bad) TH_LOG("hysteresis %u, 0 zombies: got %s",
					    hysteresis[i], bad);
		EXPECT_EQ(f.pid, zw_key(&ev, ZWATCH_UEV_PPID));
		EXPECT_EQ(0, zw_key(&ev, ZWATCH_UEV_PARENT_ZOMBIES));
		EXPECT_EQ(3, zw_key(&ev, ZWATCH_UEV_THRESHOLD));
	}
	zw_factory_stop(&f);
	zw_quiet_end(fd);
}

TEST(spike_counts_new_zombies)
{
	struct zw_factory f;
	struct zw_uevent ev;
	const char *bad;
	int fd;

	fd = zw_quiet_start(1000);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, zw_factory_start(&f, "zw-spike", 5, 0));
	ASSERT_EQ(0, zw_set(ZWATCH_ATTR_SPIKE_THRESHOLD, 20));
	/*
	 * Scans off, after the one that writing 0 makes sees the five; then
	 * the 25 new ones, however long forking them takes; then writing
	 * interval_ms scans at once.
	 */
	ASSERT_TRUE(zw_scans_off());
	ASSERT_EQ(0, zw_factory_add(&f, 25));
	ASSERT_EQ(0, zw_set(ZWATCH_ATTR_INTERVAL_MS, 1000));
	bad = zw_expect(fd, &ev, ZWATCH_EVENT_SPIKE);
	ASSERT_EQ(NULL, bad) TH_LOG("got %s", bad);
	EXPECT_EQ(25, zw_key(&ev, ZWATCH_UEV_NEW));
	EXPECT_EQ(1000, zw_key(&ev, ZWATCH_UEV_INTERVAL_MS));
	EXPECT_EQ(20, zw_key(&ev, ZWATCH_UEV_THRESHOLD));
	/*
	 * The same zombies are not new at the next scan: two scans, as the
	 * spike's own may not be counted yet.
	 */
	bad = zw_silent(fd, 2);
	EXPECT_EQ(NULL, bad) TH_LOG("next scan: got %s", bad);
	zw_factory_stop(&f);
	zw_quiet_end(fd);
}

#define ZW_STORM 40

TEST(storm_is_rate_limited_and_counted)
{
	struct zw_factory f[ZW_STORM];
	unsigned long long suppressed, sent, scans;
	struct zw_uevent ev;
	int i, fd, highs = 0;

	fd = zw_quiet_start(0);
	ASSERT_LE(0, fd);
	for (i = 0; i < ZW_STORM; i++)
		ASSERT_EQ(0, zw_factory_start(&f[i], "zw-storm", 1, 0));
	suppressed = zw_attr(ZWATCH_ATTR_EVENTS_SUPPRESSED);
	sent = zw_attr(ZWATCH_ATTR_EVENTS_SENT);
	ASSERT_EQ(0, zw_set(ZWATCH_ATTR_PARENT_THRESHOLD, 1));
	/* one scan raises all forty alarms at once; it counts when done */
	scans = zw_attr(ZWATCH_ATTR_SCANS);
	ASSERT_EQ(0, zw_set(ZWATCH_ATTR_INTERVAL_MS, 3600000));
	ASSERT_TRUE(zw_wait_scans_to(scans + 1));
	while (!zw_uevent_next(fd, 0, &ev))
		highs++;
	EXPECT_EQ(ZWATCH_EVENT_BURST, highs);
	EXPECT_EQ(sent + ZWATCH_EVENT_BURST, zw_attr(ZWATCH_ATTR_EVENTS_SENT));
	EXPECT_EQ(suppressed + ZW_STORM - ZWATCH_EVENT_BURST,
		  zw_attr(ZWATCH_ATTR_EVENTS_SUPPRESSED));
	EXPECT_EQ(0, system("dmesg | grep -q 'zwatch: more than .* events in .* ms: suppressing'"));
	for (i = 0; i < ZW_STORM; i++)
		zw_factory_stop(&f[i]);
	zw_quiet_end(fd);
}

/* a scan now: a change of interval_ms reschedules one at once */
static bool zw_scan_now(void)
{
	unsigned long long scans = zw_attr(ZWATCH_ATTR_SCANS);
	unsigned long long interval = zw_attr(ZWATCH_ATTR_INTERVAL_MS);

	zw_set(ZWATCH_ATTR_INTERVAL_MS, interval == 3600000 ? 3599999 : 3600000);
	return zw_wait_scans_to(scans + 1);
}

/* twice a burst: one scan of them all is more than the limit lets out */
#define ZW_FLAPPERS	(2 * ZWATCH_EVENT_BURST)
#define ZW_FLAPS	3
/* the flaps' scans, then one more after a window without events */
#define ZW_FLAP_SCANS	(2 * ZW_FLAPS + 1)

/*
 * Parents that cross parent_threshold and fall back at every scan: each
 * scan judges all of them, so the test knows how many events each scan
 * was due.  Whatever the guest's speed, no scan gets more than a burst out
 * and the rest of it is counted as suppressed; scans that all fell within
 * less than a window, by the test's own clock, share one burst; and one
 * after a window left empty, the first and the last, gets exactly a burst
 * out: the limit slides, it does not shut for good.
 */
TEST(flapping_parents_are_rate_limited)
{
	unsigned long long sent, suppressed, now_sent, now_suppressed;
	struct zw_factory f[ZW_FLAPPERS];
	int received[ZW_FLAP_SCANS] = { 0 };
	double begun[ZW_FLAP_SCANS], done[ZW_FLAP_SCANS];
	int i, j, scan, fd, total = 0, spans = 0;
	struct zw_uevent ev;

	fd = zw_quiet_start(3600000);
	ASSERT_LE(0, fd);
	for (i = 0; i < ZW_FLAPPERS; i++)
		ASSERT_EQ(0, zw_factory_start(&f[i], "zw-flap", 0, 0));
	ASSERT_EQ(0, zw_set(ZWATCH_ATTR_PARENT_THRESHOLD, 1));
	ASSERT_TRUE(zw_scan_now());
	/* nobody else's alarm: nothing came, and the window is empty again */
	EXPECT_EQ(-ETIMEDOUT, zw_uevent_next(fd, 0, &ev))
		TH_LOG("an alarm not ours: %s", zw_uevent_get(&ev, ZWATCH_UEV_PPID));
	usleep((ZWATCH_EVENT_WINDOW_MS + 100) * 1000);
	sent = zw_attr(ZWATCH_ATTR_EVENTS_SENT);
	suppressed = zw_attr(ZWATCH_ATTR_EVENTS_SUPPRESSED);

	for (scan = 0; scan < ZW_FLAP_SCANS; scan++) {
		if (scan == ZW_FLAP_SCANS - 1)
			usleep((ZWATCH_EVENT_WINDOW_MS + 100) * 1000);
		/* even scans: every one parent_high; odd ones: parent_ok */
		for (i = 0; i < ZW_FLAPPERS; i++)
			ASSERT_EQ(0, scan % 2 ? zw_factory_reap(&f[i]) :
					       zw_factory_add(&f[i], 1));
		begun[scan] = zw_now();
		ASSERT_TRUE(zw_scan_now());
		done[scan] = zw_now();
		while (!zw_uevent_next(fd, 0, &ev)) {
			long ppid = strtol(zw_uevent_get(&ev, ZWATCH_UEV_PPID) ?: "0",
					   NULL, 10);

			for (i = 0; i < ZW_FLAPPERS && ppid != f[i].pid; i++)
				;
			EXPECT_GT(ZW_FLAPPERS, i) TH_LOG("scan %d: ppid %ld not ours",
							 scan, ppid);
			EXPECT_STREQ(scan % 2 ? ZWATCH_EVENT_PARENT_OK :
				     ZWATCH_EVENT_PARENT_HIGH,
				     zw_uevent_get(&ev, ZWATCH_UEV_EVENT) ?: "(none)");
			received[scan]++;
		}
		now_sent = zw_attr(ZWATCH_ATTR_EVENTS_SENT);
		now_suppressed = zw_attr(ZWATCH_ATTR_EVENTS_SUPPRESSED);
		TH_LOG("scan %d: %d sent, %llu suppressed, %.0f ms", scan,
		       received[scan], now_suppressed - suppressed,
		       (done[scan] - begun[scan]) * 1000);
		EXPECT_LE(received[scan], ZWATCH_EVENT_BURST);
		EXPECT_EQ(sent + received[scan], now_sent);
		EXPECT_EQ(suppressed + ZW_FLAPPERS - received[scan], now_suppressed);
		sent = now_sent;
		suppressed = now_suppressed;
		total += received[scan];
	}
	EXPECT_EQ(ZWATCH_EVENT_BURST, received[0]);
	EXPECT_EQ(ZWATCH_EVENT_BURST, received[ZW_FLAP_SCANS - 1]);
	/*
	 * The limit slides: the scans from i to j sent everything between
	 * begun[i] and done[j].  A tick's rounding either way aside, less
	 * than a window holds at most a burst.
	 */
	for (i = 0; i < ZW_FLAP_SCANS; i++) {
		int sum = 0;

		for (j = i; j < ZW_FLAP_SCANS; j++) {
			sum += received[j];
			if ((done[j] - begun[i]) * 1000 >= ZWATCH_EVENT_WINDOW_MS * 0.9)
				break;
			if (j > i)
				spans++;
			EXPECT_LE(sum, ZWATCH_EVENT_BURST) TH_LOG("scans %d..%d", i, j);
		}
	}
	TH_LOG("%d events sent of %d due; %d spans of scans within a window",
	       total, ZW_FLAP_SCANS * ZW_FLAPPERS, spans);
	for (i = 0; i < ZW_FLAPPERS; i++)
		zw_factory_stop(&f[i]);
	zw_quiet_end(fd);
}

TEST_HARNESS_MAIN
