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

/* waits up to 30 s (the debug kernel is slow) for scans to reach @target */
static void zw_wait_scans_to(unsigned long long target)
{
	int i;

	for (i = 0; i < 3000 && zw_attr(ZWATCH_ATTR_SCANS) < target; i++)
		usleep(10000);
}

static void zw_wait_scans(int n)
{
	zw_wait_scans_to(zw_attr(ZWATCH_ATTR_SCANS) + n);
}

/* every alarm off, cleared, and quiet: then a socket that hears only us */
static int zw_quiet_start(unsigned int interval_ms)
{
	unsigned int i;

	if (zw_module_ensure())
		return -1;
	for (i = 0; i < 4; i++)
		zw_set(zw_alarm_knobs[i], 0);
	zw_set(ZWATCH_ATTR_INTERVAL_MS, 50);
	zw_wait_scans(3);
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

/* the next event, which must be @name; NULL on anything else */
static const char *zw_expect(int fd, struct zw_uevent *ev, const char *name,
			     int timeout_ms)
{
	const char *got;

	if (zw_uevent_next(fd, timeout_ms, ev))
		return "(no event)";
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

	bad = zw_expect(fd, &ev, ZWATCH_EVENT_TOTAL_HIGH, 3000);
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
	EXPECT_EQ(-ETIMEDOUT, zw_uevent_next(fd, 600, &ev));
	/* 8 is below the threshold but not below threshold - hysteresis */
	ASSERT_EQ(0, zw_factory_reap_some(&f, 2));
	EXPECT_EQ(-ETIMEDOUT, zw_uevent_next(fd, 600, &ev));
	ASSERT_EQ(0, zw_factory_reap_some(&f, 2));
	bad = zw_expect(fd, &ev, ZWATCH_EVENT_TOTAL_OK, 3000);
	ASSERT_EQ(NULL, bad) TH_LOG("got %s", bad);
	EXPECT_EQ(base + 6, zw_key(&ev, ZWATCH_UEV_ZOMBIES));
	EXPECT_EQ(t, zw_key(&ev, ZWATCH_UEV_THRESHOLD));
	ASSERT_EQ(0, zw_sysfs_read_str(ZWATCH_SYSFS_DIR "/" ZWATCH_ATTR_STATE,
				       state, sizeof(state)));
	EXPECT_STREQ(ZWATCH_STATE_OK "\n", state);
	EXPECT_EQ(-ETIMEDOUT, zw_uevent_next(fd, 600, &ev));

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
	bad = zw_expect(fd, &ev, ZWATCH_EVENT_TOTAL_HIGH, 3000);
	ASSERT_EQ(NULL, bad) TH_LOG("got %s", bad);
	EXPECT_EQ(1, zw_key(&ev, ZWATCH_UEV_THRESHOLD));
	ASSERT_EQ(0, zw_set(ZWATCH_ATTR_THRESHOLD, 0));
	bad = zw_expect(fd, &ev, ZWATCH_EVENT_TOTAL_OK, 3000);
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

	bad = zw_expect(fd, &ev, ZWATCH_EVENT_PARENT_HIGH, 3000);
	ASSERT_EQ(NULL, bad) TH_LOG("got %s", bad);
	EXPECT_EQ(a.pid, zw_key(&ev, ZWATCH_UEV_PPID));
	EXPECT_STREQ("zw\\040par\\134ent", zw_uevent_get(&ev, ZWATCH_UEV_PARENT_COMM));
	EXPECT_EQ(5, zw_key(&ev, ZWATCH_UEV_PARENT_ZOMBIES));
	EXPECT_EQ(5, zw_key(&ev, ZWATCH_UEV_THRESHOLD));
	EXPECT_EQ(-ETIMEDOUT, zw_uevent_next(fd, 600, &ev));

	/* a parent whose count falls */
	ASSERT_EQ(0, zw_factory_start(&b, "zw-par-b", 6, 0));
	bad = zw_expect(fd, &ev, ZWATCH_EVENT_PARENT_HIGH, 3000);
	ASSERT_EQ(NULL, bad) TH_LOG("got %s", bad);
	EXPECT_EQ(b.pid, zw_key(&ev, ZWATCH_UEV_PPID));
	ASSERT_EQ(0, zw_factory_reap_some(&b, 2));
	bad = zw_expect(fd, &ev, ZWATCH_EVENT_PARENT_OK, 3000);
	ASSERT_EQ(NULL, bad) TH_LOG("got %s", bad);
	EXPECT_EQ(b.pid, zw_key(&ev, ZWATCH_UEV_PPID));
	EXPECT_EQ(4, zw_key(&ev, ZWATCH_UEV_PARENT_ZOMBIES));

	/*
	 * A parent that dies with its zombies.  They come to us, the
	 * subreaper: no scan may see them before we reap them.
	 */
	pid_t dead = a.pid;

	ASSERT_EQ(0, zw_set(ZWATCH_ATTR_INTERVAL_MS, 0));
	usleep(200000);
	zw_factory_kill(&a);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	ASSERT_EQ(0, zw_set(ZWATCH_ATTR_INTERVAL_MS, 100));
	bad = zw_expect(fd, &ev, ZWATCH_EVENT_PARENT_OK, 3000);
	ASSERT_EQ(NULL, bad) TH_LOG("got %s", bad);
	EXPECT_EQ(dead, zw_key(&ev, ZWATCH_UEV_PPID));
	EXPECT_EQ(0, zw_key(&ev, ZWATCH_UEV_PARENT_ZOMBIES));
	EXPECT_EQ(-ETIMEDOUT, zw_uevent_next(fd, 600, &ev));

	zw_factory_stop(&b);
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
	 * Scans off once the five are seen; then the 25 new ones, however
	 * long forking them takes; then writing interval_ms scans at once.
	 */
	zw_wait_scans(1);
	ASSERT_EQ(0, zw_set(ZWATCH_ATTR_INTERVAL_MS, 0));
	zw_wait_scans(1);
	ASSERT_EQ(0, zw_factory_add(&f, 25));
	ASSERT_EQ(0, zw_set(ZWATCH_ATTR_INTERVAL_MS, 1000));
	bad = zw_expect(fd, &ev, ZWATCH_EVENT_SPIKE, 3000);
	ASSERT_EQ(NULL, bad) TH_LOG("got %s", bad);
	EXPECT_EQ(25, zw_key(&ev, ZWATCH_UEV_NEW));
	EXPECT_EQ(1000, zw_key(&ev, ZWATCH_UEV_INTERVAL_MS));
	EXPECT_EQ(20, zw_key(&ev, ZWATCH_UEV_THRESHOLD));
	/* the same zombies are not new at the next scan */
	EXPECT_EQ(-ETIMEDOUT, zw_uevent_next(fd, 1500, &ev));
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
	zw_wait_scans_to(scans + 1);
	while (!zw_uevent_next(fd, 500, &ev))
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
static void zw_scan_now(void)
{
	unsigned long long scans = zw_attr(ZWATCH_ATTR_SCANS);
	unsigned long long interval = zw_attr(ZWATCH_ATTR_INTERVAL_MS);

	zw_set(ZWATCH_ATTR_INTERVAL_MS, interval == 3600000 ? 3599999 : 3600000);
	zw_wait_scans_to(scans + 1);
}

#define ZW_FLAPPERS	4
#define ZW_FLAPS	12

/*
 * Parents that cross parent_threshold and fall back at every scan: each
 * scan judges all of them, so the test knows how many events were due;
 * what reaches udev stays within the rate limit and the rest is counted.
 */
TEST(flapping_parents_are_rate_limited)
{
	unsigned long long sent, suppressed, due = 0;
	struct zw_factory f[ZW_FLAPPERS];
	int i, round, fd, received = 0, mine = 0;
	struct zw_uevent ev;
	double t0, elapsed;

	fd = zw_quiet_start(3600000);
	ASSERT_LE(0, fd);
	for (i = 0; i < ZW_FLAPPERS; i++)
		ASSERT_EQ(0, zw_factory_start(&f[i], "zw-flap", 0, 0));
	ASSERT_EQ(0, zw_set(ZWATCH_ATTR_PARENT_THRESHOLD, 2));
	zw_scan_now();
	sent = zw_attr(ZWATCH_ATTR_EVENTS_SENT);
	suppressed = zw_attr(ZWATCH_ATTR_EVENTS_SUPPRESSED);

	t0 = zw_now();
	for (round = 0; round < ZW_FLAPS; round++) {
		for (i = 0; i < ZW_FLAPPERS; i++)
			ASSERT_EQ(0, zw_factory_add(&f[i], 2));
		zw_scan_now();		/* every one: parent_high */
		for (i = 0; i < ZW_FLAPPERS; i++)
			ASSERT_EQ(0, zw_factory_reap(&f[i]));
		zw_scan_now();		/* every one: parent_ok */
		due += 2 * ZW_FLAPPERS;
	}
	elapsed = zw_now() - t0;
	while (!zw_uevent_next(fd, 500, &ev)) {
		long ppid = strtol(zw_uevent_get(&ev, ZWATCH_UEV_PPID) ?: "0", NULL, 10);

		received++;
		for (i = 0; i < ZW_FLAPPERS; i++)
			mine += ppid == f[i].pid;
	}
	TH_LOG("%llu events due in %.1f s: %d sent, %llu suppressed", due, elapsed,
	       received, zw_attr(ZWATCH_ATTR_EVENTS_SUPPRESSED) - suppressed);
	EXPECT_EQ(received, mine);
	EXPECT_EQ(sent + received, zw_attr(ZWATCH_ATTR_EVENTS_SENT));
	EXPECT_EQ(suppressed + due - received, zw_attr(ZWATCH_ATTR_EVENTS_SUPPRESSED));
	/* the window holds at most a burst: one per started second, one more */
	EXPECT_LE(received, ZWATCH_EVENT_BURST * ((int)(elapsed * 1000 / ZWATCH_EVENT_WINDOW_MS) + 1));
	if (due > ZWATCH_EVENT_BURST * (elapsed * 1000 / ZWATCH_EVENT_WINDOW_MS + 1))
		EXPECT_LT(received, (int)due);
	for (i = 0; i < ZW_FLAPPERS; i++)
		zw_factory_stop(&f[i]);
	zw_quiet_end(fd);
}

TEST_HARNESS_MAIN
