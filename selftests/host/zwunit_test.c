// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the zwatch tool's small parts: /proc/PID/stat and
 * status parsing (tools/zwatch/zwtask.c), UTF-8 recognition and numbers
 * (zwutil.c), shares and ages (zwfmt.c), JSON strings (zwjson.c) and
 * Prometheus label values (zwprom.c).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The harness is not -Wextra clean: its timeout handler and what TEST()
 * expands to have unused parameters, and its EXPECT_*() compare the
 * expected value as intmax_t.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

#include "zw.h"
#include "zwfmt.h"
#include "zwjson.h"
#include "zwprom.h"
#include "zwtask.h"

/* what @print writes for @s, in a static buffer */
static const char *capture(void (*print)(FILE *f, const char *s),
			   const char *s)
{
	static char buf[256];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	if (!f)
		return "fmemopen failed";
	print(f, s);
	fclose(f);
	return buf;
}

/* a line as the kernel writes it, fields 1 to 22 and some after */
#define STAT_TAIL	" 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 98765 1000 100 0"

TEST(stat_plain)
{
	struct zwtask_stat st;

	ASSERT_EQ(0, zwtask_parse_stat("42 (bash) S 7 42 42" STAT_TAIL "\n",
				       &st));
	EXPECT_EQ(42, st.pid);
	EXPECT_STREQ("bash", st.comm);
	EXPECT_EQ('S', st.state);
	EXPECT_EQ(7, st.ppid);
	EXPECT_EQ(1U, st.threads);
	EXPECT_EQ(98765U, st.start);
}

/* a comm may hold ") (" and blanks: the last ")" ends it */
TEST(stat_tricky_comm)
{
	struct zwtask_stat st;

	ASSERT_EQ(0, zwtask_parse_stat("9 (a) Z 1 (b ) Z 3 9 9" STAT_TAIL,
				       &st));
	EXPECT_STREQ("a) Z 1 (b ", st.comm);
	EXPECT_EQ('Z', st.state);
	EXPECT_EQ(3, st.ppid);
	EXPECT_EQ(98765U, st.start);
}

TEST(stat_threads_field)
{
	struct zwtask_stat st;

	ASSERT_EQ(0, zwtask_parse_stat("5 (x) Z 1 5 5 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 3 0 777 0\n",
				       &st));
	EXPECT_EQ(3U, st.threads);
	EXPECT_EQ(777U, st.start);
}

TEST(stat_malformed)
{
	struct zwtask_stat st;

	EXPECT_EQ(-EINVAL, zwtask_parse_stat("", &st));
	EXPECT_EQ(-EINVAL, zwtask_parse_stat("garbage\n", &st));
	EXPECT_EQ(-EINVAL, zwtask_parse_stat("42 bash S 7", &st));
	/* cut before field 22 */
	EXPECT_EQ(-EINVAL, zwtask_parse_stat("42 (bash) S 7 42 42 0 -1\n", &st));
	EXPECT_EQ(-EINVAL, zwtask_parse_stat("42 (bash) S x 42 42" STAT_TAIL,
					     &st));
	EXPECT_EQ(-EINVAL, zwtask_parse_stat("x42 (bash) S 7 42 42" STAT_TAIL,
					     &st));
}

static const char status_text[] =
	"Name:\tleaky\n"
	"State:\tS (sleeping)\n"
	"Tgid:\t100\n"
	"PPid:\t1\n"
	"TracerPid:\t77\n"
	"NSpid:\t100\t5\t1\n"
	"Threads:\t4\n"
	"SigPnd:\t0000000000000000\n"
	"ShdPnd:\t0000000000010000\n"
	"SigBlk:\t0000000000010000\n"
	"SigIgn:\t0000000000001000\n"
	"SigCgt:\t0000000180014002\n";

TEST(status)
{
	struct zwtask_status st;

	ASSERT_EQ(0, zwtask_parse_status(status_text, &st));
	EXPECT_STREQ("S (sleeping)", st.state);
	EXPECT_EQ(77, st.tracer_pid);
	EXPECT_EQ(3U, st.nspid_levels);
	EXPECT_EQ(1, st.nspid_last);
	EXPECT_EQ(4U, st.threads);
	EXPECT_TRUE(st.has_sig);
	/* SIGCHLD is signal 17: bit 16 */
	EXPECT_TRUE(st.sig_blk & (1ULL << (SIGCHLD - 1)));
	EXPECT_TRUE(st.shd_pnd & (1ULL << (SIGCHLD - 1)));
	EXPECT_FALSE(st.sig_ign & (1ULL << (SIGCHLD - 1)));
	EXPECT_TRUE(st.sig_cgt & (1ULL << (SIGCHLD - 1)));
	EXPECT_EQ(0x180014002ULL, st.sig_cgt);
}

TEST(status_without_signals)
{
	struct zwtask_status st;

	ASSERT_EQ(0, zwtask_parse_status("State:\tZ (zombie)\n", &st));
	EXPECT_FALSE(st.has_sig);
	EXPECT_EQ(0U, st.nspid_levels);
	EXPECT_EQ(-EINVAL, zwtask_parse_status("Name:\tx\n", &st));
}

TEST(utf8)
{
	EXPECT_EQ(1U, zw_utf8_seq("a"));
	EXPECT_EQ(2U, zw_utf8_seq("\xc3\xa9"));
	EXPECT_EQ(3U, zw_utf8_seq("\xe2\x82\xac"));
	EXPECT_EQ(4U, zw_utf8_seq("\xf0\x9f\x98\x80"));
	EXPECT_EQ(0U, zw_utf8_seq(""));
	EXPECT_EQ(0U, zw_utf8_seq("\xff"));
	EXPECT_EQ(0U, zw_utf8_seq("\xc3"));		/* cut short */
	EXPECT_EQ(0U, zw_utf8_seq("\xc0\xaf"));		/* overlong */
	EXPECT_EQ(0U, zw_utf8_seq("\xed\xa0\x80"));	/* surrogate */
	EXPECT_EQ(0U, zw_utf8_seq("\xf4\x90\x80\x80"));	/* > U+10FFFF */
}

TEST(numbers)
{
	uint64_t v;

	EXPECT_EQ(0, zw_parse_u64("4194304", 4194304, &v));
	EXPECT_EQ(4194304U, v);
	EXPECT_EQ(-ERANGE, zw_parse_u64("4194305", 4194304, &v));
	EXPECT_EQ(0, zw_parse_u64("18446744073709551615", UINT64_MAX, &v));
	EXPECT_EQ(-ERANGE, zw_parse_u64("18446744073709551616", UINT64_MAX,
					&v));
	EXPECT_EQ(-EINVAL, zw_parse_u64("", 10, &v));
	EXPECT_EQ(-EINVAL, zw_parse_u64("-1", 10, &v));
	EXPECT_EQ(-EINVAL, zw_parse_u64("1 ", 10, &v));
}

TEST(shares)
{
	char buf[ZWFMT_SHARE_LEN];

	EXPECT_STREQ("0%", zwfmt_share(0, 100, buf));
	EXPECT_STREQ("0%", zwfmt_share(5, 0, buf));
	EXPECT_STREQ("50%", zwfmt_share(1, 2, buf));
	EXPECT_STREQ("100%", zwfmt_share(7, 7, buf));
	EXPECT_STREQ("1.2%", zwfmt_share(12, 1000, buf));
	EXPECT_STREQ("0.00029%", zwfmt_share(12, 4194304, buf));
	EXPECT_STREQ("0.000024%", zwfmt_share(1, 4194304, buf));
}

TEST(ages)
{
	char buf[ZWFMT_AGE_LEN];

	EXPECT_STREQ("0s", zwfmt_age(0, buf));
	EXPECT_STREQ("59s", zwfmt_age(59, buf));
	EXPECT_STREQ("1m0s", zwfmt_age(60, buf));
	EXPECT_STREQ("3h12m", zwfmt_age(11520, buf));
	EXPECT_STREQ("2d4h", zwfmt_age(187200, buf));
}

TEST(json_strings)
{
	EXPECT_STREQ("\"plain\"", capture(zwjson_string, "plain"));
	EXPECT_STREQ("\"a\\\"b\\\\c\"", capture(zwjson_string, "a\"b\\c"));
	EXPECT_STREQ("\"\\t\\n\\u0001\\u007f\"",
		     capture(zwjson_string, "\t\n\x01\x7f"));
	EXPECT_STREQ("\"caf\xc3\xa9\"", capture(zwjson_string, "caf\xc3\xa9"));
	EXPECT_STREQ("\"\\u00ff\\u00c3x\"",
		     capture(zwjson_string, "\xff\xc3x"));
}

TEST(prometheus_label_values)
{
	EXPECT_STREQ("\"a\\\\b\\\"c\\nd\"",
		     capture(zwprom_label_value, "a\\b\"c\nd"));
	EXPECT_STREQ("\"tab\tok\"", capture(zwprom_label_value, "tab\tok"));
	EXPECT_STREQ("\"\xef\xbf\xbdx\xc3\xa9\"",
		     capture(zwprom_label_value, "\xffx\xc3\xa9"));
}

static void put_escaped(FILE *f, const char *s)
{
	zwfmt_put_escaped(f, s);
}

TEST(escaped_names)
{
	EXPECT_STREQ("my\\040app\\134x\\011\\303\\251",
		     capture(put_escaped, "my app\\x\t\xc3\xa9"));
	EXPECT_EQ(10U, zwfmt_escaped_len("a b\\"));
}

TEST_HARNESS_MAIN
