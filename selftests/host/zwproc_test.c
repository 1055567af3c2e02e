// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the /proc/zombies parser (tools/zwatch/zwproc.c).
 *
 * Fixtures live in fixtures/ beside this program:
 *	valid.txt	five rows; names with \040, \134, \011, \012, raw UTF-8
 *			and plain \ooo escapes
 *	empty.txt	no zombies: header and column line only
 *	truncated.txt	the last row is cut short, without its newline
 *	version2.txt	"# zwatch 2": a format this parser must refuse
 *	huge.txt	UINT32_MAX counts, INT_MAX ppid, UINT64_MAX times
 *	mismatch.txt	header rows=3, two rows follow
 *	extra_keys.txt	header keys version 1 does not know, to be ignored
 *	not_zwatch.txt	some other /proc file
 *	ages.txt	OLDEST_S on each side of a minute, an hour, a day
 *	cut.txt		parents left out of the rows (header cut=2)
 * Inputs that need no file are built in the tests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/zwatch.h>

/* the harness is not -Wextra clean: its timeout handler has an unused argument */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#include "zwproc.h"

#define HEAD	"# zwatch 1 zombies=1 parents=1 defunct_leaders=0 rows=1 cut=0\n"
#define COLS	"   PPID ZOMBIES OLDEST_S      START CGROUP COMM\n"

FIXTURE(zwproc) {
	struct zwproc zp;
	struct zwproc_error err;
};

FIXTURE_SETUP(zwproc)
{
	memset(&self->zp, 0, sizeof(self->zp));
	memset(&self->err, 0, sizeof(self->err));
}

FIXTURE_TEARDOWN(zwproc)
{
	zwproc_free(&self->zp);
}

/* fixtures/ is found beside the test program, wherever it runs from. */
static void fixture_path(struct __test_metadata *_metadata, const char *name,
			 char *path, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n;
	int len;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LE(0, n) TH_LOG("%m - readlink /proc/self/exe");
	exe[n] = '\0';
	len = snprintf(path, size, "%s/fixtures/%s", dirname(exe), name);
	ASSERT_GT(size, (size_t)len) TH_LOG("fixture path too long");
}

/* Statuses are returned as int, the type of the ZWPROC_* constants. */
static int parse_fixture(struct __test_metadata *_metadata,
			 FIXTURE_DATA(zwproc) *self, const char *name)
{
	char path[PATH_MAX + 64];
	int ret;
	FILE *f;

	fixture_path(_metadata, name, path, sizeof(path));
	f = fopen(path, "r");
	ASSERT_NE(NULL, f) TH_LOG("%m - cannot open %s", path);
	zwproc_free(&self->zp);
	ret = zwproc_parse_file(f, &self->zp, &self->err);
	fclose(f);
	return ret;
}

static int parse_str(FIXTURE_DATA(zwproc) *self, const char *text)
{
	zwproc_free(&self->zp);
	return zwproc_parse_buf(text, strlen(text), &self->zp, &self->err);
}

static bool has(const char *haystack, const char *needle)
{
	return strstr(haystack, needle) != NULL;
}

TEST_F(zwproc, valid)
{
	const struct zwproc_row *r;

	ASSERT_EQ(ZWPROC_OK, parse_fixture(_metadata, self, "valid.txt"))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ((unsigned int)ZWATCH_FORMAT_VERSION, self->zp.version);
	EXPECT_EQ(12U, self->zp.zombies);
	EXPECT_EQ(5U, self->zp.parents);
	EXPECT_TRUE(self->zp.has_defunct_leaders);
	EXPECT_EQ(1U, self->zp.defunct_leaders);
	EXPECT_TRUE(self->zp.has_rows_key);
	EXPECT_EQ(5U, self->zp.rows_key);
	EXPECT_TRUE(self->zp.has_cut);
	EXPECT_EQ(0U, self->zp.cut);
	ASSERT_EQ(5U, self->zp.nr_rows);

	r = &self->zp.rows[0];
	EXPECT_EQ(4242, r->ppid);
	EXPECT_EQ(5U, r->zombies);
	EXPECT_EQ(11520U, r->oldest_s);
	EXPECT_EQ(123456U, r->start);
	EXPECT_STREQ("/system.slice/my app.service", r->cgroup);
	EXPECT_STREQ("my daemon", r->comm);

	r = &self->zp.rows[1];
	EXPECT_EQ(100, r->ppid);
	EXPECT_STREQ("/user.slice/user-1000.slice", r->cgroup);
	EXPECT_STREQ("back\\slash", r->comm);

	r = &self->zp.rows[2];
	EXPECT_EQ(45U, r->oldest_s);
	EXPECT_STREQ(ZWATCH_NO_CGROUP, r->cgroup);
	EXPECT_STREQ("tab\tnl\n", r->comm);

	r = &self->zp.rows[3];
	EXPECT_EQ(1, r->ppid);
	EXPECT_STREQ("/", r->cgroup);
	EXPECT_STREQ("caf\xc3\xa9", r->comm);

	r = &self->zp.rows[4];
	EXPECT_EQ(31337, r->ppid);
	EXPECT_EQ(0U, r->oldest_s);
	EXPECT_EQ(0U, r->start);
	EXPECT_STREQ("/a\\b", r->cgroup);
	EXPECT_STREQ("ABC", r->comm);
}

TEST_F(zwproc, empty_list)
{
	ASSERT_EQ(ZWPROC_OK, parse_fixture(_metadata, self, "empty.txt"))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(0U, self->zp.zombies);
	EXPECT_EQ(0U, self->zp.parents);
	EXPECT_EQ(0U, self->zp.nr_rows);
	EXPECT_EQ(NULL, self->zp.rows);
}

TEST_F(zwproc, truncated_file)
{
	ASSERT_EQ(ZWPROC_EROW, parse_fixture(_metadata, self, "truncated.txt"));
	EXPECT_EQ(4U, self->err.line);
	EXPECT_TRUE(has(self->err.msg, "line 4: ")) TH_LOG("%s", self->err.msg);
	EXPECT_TRUE(has(self->err.msg, "truncated")) TH_LOG("%s", self->err.msg);
	/* nothing of the failed parse is left to free */
	EXPECT_EQ(0U, self->zp.nr_rows);
	EXPECT_EQ(NULL, self->zp.rows);
}

TEST_F(zwproc, unknown_format_version)
{
	ASSERT_EQ(ZWPROC_EVERSION,
		  parse_fixture(_metadata, self, "version2.txt"));
	EXPECT_STREQ("unsupported format version 2 (this zwatch reads version 1)",
		     self->err.msg);

	/* the version is checked before anything else on the line */
	EXPECT_EQ(ZWPROC_EVERSION, parse_str(self, "# zwatch 0\n"));
	EXPECT_EQ(ZWPROC_EVERSION, parse_str(self, "# zwatch 3 ???\n"));
	EXPECT_EQ(ZWPROC_EVERSION, parse_str(self, "# zwatch 2"));
	EXPECT_EQ(ZWPROC_EVERSION,
		  parse_str(self, "# zwatch 99999999999999999999 x=1\n"));
	EXPECT_TRUE(has(self->err.msg, "version 99999999999999999999"))
		TH_LOG("%s", self->err.msg);
}

TEST_F(zwproc, huge_counts)
{
	const struct zwproc_row *r;

	ASSERT_EQ(ZWPROC_OK, parse_fixture(_metadata, self, "huge.txt"))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(UINT32_MAX, self->zp.zombies);
	EXPECT_EQ(UINT32_MAX, self->zp.defunct_leaders);
	ASSERT_EQ(2U, self->zp.nr_rows);
	r = &self->zp.rows[0];
	EXPECT_EQ(INT_MAX, r->ppid);
	EXPECT_EQ(UINT32_MAX - 1, r->zombies);
	EXPECT_EQ(UINT64_MAX, r->oldest_s);
	EXPECT_EQ(UINT64_MAX, r->start);
	EXPECT_STREQ("big", r->comm);
}

TEST_F(zwproc, row_count_mismatch)
{
	ASSERT_EQ(ZWPROC_ECOUNT, parse_fixture(_metadata, self, "mismatch.txt"));
	EXPECT_TRUE(has(self->err.msg, "rows=3")) TH_LOG("%s", self->err.msg);
	EXPECT_TRUE(has(self->err.msg, "2 rows")) TH_LOG("%s", self->err.msg);
	/* the two rows parsed were freed */
	EXPECT_EQ(0U, self->zp.nr_rows);
	EXPECT_EQ(NULL, self->zp.rows);
}

TEST_F(zwproc, unknown_keys_ignored)
{
	ASSERT_EQ(ZWPROC_OK, parse_fixture(_metadata, self, "extra_keys.txt"))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(3U, self->zp.zombies);
	EXPECT_EQ(2U, self->zp.parents);
	EXPECT_EQ(2U, self->zp.rows_key);
	EXPECT_EQ(2U, self->zp.nr_rows);
}

TEST_F(zwproc, rows_cut)
{
	ASSERT_EQ(ZWPROC_OK, parse_fixture(_metadata, self, "cut.txt"))
		TH_LOG("%s", self->err.msg);
	EXPECT_TRUE(self->zp.has_cut);
	EXPECT_EQ(2U, self->zp.cut);
	EXPECT_EQ(3U, self->zp.parents);
	EXPECT_EQ(1U, self->zp.nr_rows);
}

TEST_F(zwproc, only_required_keys)
{
	ASSERT_EQ(ZWPROC_OK, parse_str(self, "# zwatch 1 zombies=0 parents=0\n"
					     COLS))
		TH_LOG("%s", self->err.msg);
	EXPECT_FALSE(self->zp.has_defunct_leaders);
	EXPECT_FALSE(self->zp.has_rows_key);
	EXPECT_FALSE(self->zp.has_cut);
}

TEST_F(zwproc, missing_required_keys)
{
	EXPECT_EQ(ZWPROC_EHEADER, parse_str(self, "# zwatch 1 parents=0\n" COLS));
	EXPECT_TRUE(has(self->err.msg, "missing key zombies"))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(ZWPROC_EHEADER, parse_str(self, "# zwatch 1 zombies=0\n" COLS));
	EXPECT_TRUE(has(self->err.msg, "missing key parents"))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(ZWPROC_EHEADER, parse_str(self, "# zwatch 1\n" COLS));
}

TEST_F(zwproc, not_a_zwatch_file)
{
	EXPECT_EQ(ZWPROC_EMAGIC, parse_fixture(_metadata, self,
					       "not_zwatch.txt"));
	EXPECT_TRUE(has(self->err.msg, "not a zwatch file: it starts with \"processor"))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(ZWPROC_EMAGIC, parse_str(self, "# zwatchful 1 zombies=0\n"));
	EXPECT_EQ(ZWPROC_EMAGIC, parse_str(self, "zwatch 1 zombies=0\n"));
	EXPECT_EQ(ZWPROC_EMAGIC, parse_str(self, "\n"));
	/* empty input: what a read cut before the header gives */
	EXPECT_EQ(ZWPROC_EHEADER, parse_str(self, ""));
	EXPECT_TRUE(has(self->err.msg, "empty input")) TH_LOG("%s", self->err.msg);
}

TEST_F(zwproc, bad_header_values)
{
	EXPECT_EQ(ZWPROC_EHEADER, parse_str(self, "# zwatch\n" COLS));
	EXPECT_EQ(ZWPROC_EHEADER, parse_str(self, "# zwatch x zombies=0\n"));
	EXPECT_EQ(ZWPROC_EHEADER,
		  parse_str(self, "# zwatch 1 zombies=abc parents=0\n" COLS));
	EXPECT_TRUE(has(self->err.msg, "not a number")) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(ZWPROC_EHEADER,
		  parse_str(self, "# zwatch 1 zombies= parents=0\n" COLS));
	EXPECT_EQ(ZWPROC_EHEADER,
		  parse_str(self, "# zwatch 1 zombies=-1 parents=0\n" COLS));
	EXPECT_EQ(ZWPROC_EHEADER,
		  parse_str(self, "# zwatch 1 zombies=4294967296 parents=0\n"
			    COLS));
	EXPECT_TRUE(has(self->err.msg, "out of range")) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(ZWPROC_EHEADER,
		  parse_str(self, "# zwatch 1 zombies=1 zombies=1 parents=0\n"
			    COLS));
	EXPECT_TRUE(has(self->err.msg, "twice")) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(ZWPROC_EHEADER,
		  parse_str(self, "# zwatch 1 zombies=0 parents=0 junk\n" COLS));
	EXPECT_EQ(ZWPROC_EHEADER,
		  parse_str(self, "# zwatch 1 zombies=0 parents=0 =1\n" COLS));
}

TEST_F(zwproc, bad_column_line)
{
	EXPECT_EQ(ZWPROC_EHEADER, parse_str(self, HEAD));
	EXPECT_TRUE(has(self->err.msg, "line 2: ")) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(ZWPROC_EHEADER,
		  parse_str(self, HEAD "PPID ZOMBIES START OLDEST_S CGROUP COMM\n"));
	EXPECT_EQ(2U, self->err.line);
	EXPECT_EQ(ZWPROC_EHEADER,
		  parse_str(self, HEAD "PPID ZOMBIES OLDEST_S START CGROUP\n"));
	EXPECT_EQ(ZWPROC_EHEADER,
		  parse_str(self, HEAD "PPID ZOMBIES OLDEST_S START CGROUP COMM X\n"));
	/* header and column line cut short */
	EXPECT_EQ(ZWPROC_EHEADER,
		  parse_str(self, "# zwatch 1 zombies=0 parents=0"));
	EXPECT_EQ(1U, self->err.line);
	EXPECT_EQ(ZWPROC_EHEADER,
		  parse_str(self, HEAD "PPID ZOMBIES OLDEST_S START CGROUP COMM"));
	EXPECT_EQ(2U, self->err.line);
}

TEST_F(zwproc, row_number_range)
{
	EXPECT_EQ(ZWPROC_EROW,
		  parse_str(self, HEAD COLS "1 4294967296 0 0 / a\n"));
	EXPECT_EQ(3U, self->err.line);
	EXPECT_TRUE(has(self->err.msg, "line 3: ZOMBIES 4294967296 out of range"))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(ZWPROC_EROW,
		  parse_str(self, HEAD COLS "1 1 0 18446744073709551616 / a\n"));
	EXPECT_TRUE(has(self->err.msg, "START")) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(ZWPROC_EROW,
		  parse_str(self, HEAD COLS "1 1 18446744073709551616 0 / a\n"));
	EXPECT_TRUE(has(self->err.msg, "OLDEST_S")) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(ZWPROC_EROW,
		  parse_str(self, HEAD COLS "2147483648 1 0 0 / a\n"));
	EXPECT_TRUE(has(self->err.msg, "PPID")) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(ZWPROC_EROW, parse_str(self, HEAD COLS "-1 1 0 0 / a\n"));
	EXPECT_TRUE(has(self->err.msg, "not a number")) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(ZWPROC_EROW, parse_str(self, HEAD COLS "1 +1 0 0 / a\n"));
	EXPECT_EQ(ZWPROC_EROW, parse_str(self, HEAD COLS "1 1x 0 0 / a\n"));
	/* the largest values fit */
	EXPECT_EQ(ZWPROC_OK, parse_str(self, HEAD COLS
		  "2147483647 4294967295 18446744073709551615 18446744073709551615 / a\n"))
		TH_LOG("%s", self->err.msg);
}

TEST_F(zwproc, row_fields)
{
	EXPECT_EQ(ZWPROC_EROW, parse_str(self, HEAD COLS "1 1 0 0 /\n"));
	EXPECT_TRUE(has(self->err.msg, "line 3: truncated row: 5 fields"))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(ZWPROC_EROW, parse_str(self, HEAD COLS "1 1 0 0 / a b\n"));
	EXPECT_TRUE(has(self->err.msg, "7 fields")) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(ZWPROC_EROW, parse_str(self, HEAD COLS "\n"));
	EXPECT_EQ(ZWPROC_EROW, parse_str(self, HEAD COLS "1 1 0 0 / a"));
	EXPECT_TRUE(has(self->err.msg, "line 3: truncated"))
		TH_LOG("%s", self->err.msg);
	/* tabs and runs of blanks separate fields too */
	EXPECT_EQ(ZWPROC_OK, parse_str(self, HEAD COLS "\t1  1\t0 0 /   a  \n"))
		TH_LOG("%s", self->err.msg);
}

TEST_F(zwproc, escapes)
{
	ASSERT_EQ(ZWPROC_OK, parse_str(self, HEAD COLS
		  "1 1 0 0 \\057x\\040y \\001\\177\\200\\377\\134\\011\\012\\040\n"))
		TH_LOG("%s", self->err.msg);
	ASSERT_EQ(1U, self->zp.nr_rows);
	EXPECT_STREQ("/x y", self->zp.rows[0].cgroup);
	EXPECT_STREQ("\001\177\200\377\\\t\n ", self->zp.rows[0].comm);
}

TEST_F(zwproc, bad_escapes)
{
	static const char *const bad[] = {
		HEAD COLS "1 1 0 0 / a\\\n",
		HEAD COLS "1 1 0 0 / a\\12\n",
		HEAD COLS "1 1 0 0 / a\\8aa\n",
		HEAD COLS "1 1 0 0 / a\\400\n",
		HEAD COLS "1 1 0 0 / a\\000\n",
		HEAD COLS "1 1 0 0 / \\x41\n",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(ZWPROC_EROW, parse_str(self, bad[i]))
			TH_LOG("input %zu", i);
		EXPECT_TRUE(has(self->err.msg, "line 3: COMM: bad escape"))
			TH_LOG("input %zu: %s", i, self->err.msg);
	}
	EXPECT_EQ(ZWPROC_EROW, parse_str(self, HEAD COLS "1 1 0 0 /\\4 a\n"));
	EXPECT_TRUE(has(self->err.msg, "CGROUP")) TH_LOG("%s", self->err.msg);
}

TEST_F(zwproc, nul_byte)
{
	static const char text[] = HEAD COLS "1 1 0 0 / a\0b\n";

	EXPECT_EQ(ZWPROC_EROW, (int)zwproc_parse_buf(text, sizeof(text) - 1,
						     &self->zp, &self->err));
	EXPECT_EQ(3U, self->err.line);
}

/* More rows than the module ever writes: the parser has no fixed limit. */
TEST_F(zwproc, many_rows)
{
	size_t nr = 3 * ZWATCH_MAX_ROWS + 7, i, size = 64 * (nr + 2), len;
	char *text = malloc(size);

	ASSERT_NE(NULL, text);
	len = snprintf(text, size,
		       "# zwatch 1 zombies=%zu parents=%zu rows=%zu\n" COLS,
		       nr, nr, nr);
	for (i = 0; i < nr; i++)
		len += snprintf(text + len, size - len, "%zu 1 %zu 7 / p%zu\n",
				i + 1, i, i);
	EXPECT_EQ(ZWPROC_OK,
		  (int)zwproc_parse_buf(text, len, &self->zp, &self->err))
		TH_LOG("%s", self->err.msg);
	free(text);
	ASSERT_EQ(nr, self->zp.nr_rows);
	EXPECT_EQ((pid_t)nr, self->zp.rows[nr - 1].ppid);
	EXPECT_EQ(nr - 1, self->zp.rows[nr - 1].oldest_s);
	EXPECT_STREQ("p0", self->zp.rows[0].comm);
}

TEST_F(zwproc, read_error)
{
	FILE *f = fopen("/", "r");

	ASSERT_NE(NULL, f) TH_LOG("%m - fopen /");
	EXPECT_EQ(ZWPROC_EIO, (int)zwproc_parse_file(f, &self->zp, &self->err));
	EXPECT_EQ(EISDIR, self->err.sys_errno);
	fclose(f);
}

TEST_F(zwproc, null_error_and_free_twice)
{
	static const char text[] = HEAD COLS "1 1 0 0 / a\n";
	struct zwproc zp;

	EXPECT_EQ(ZWPROC_EMAGIC, (int)zwproc_parse_buf("x\n", 2, &zp, NULL));
	EXPECT_EQ(ZWPROC_OK, (int)zwproc_parse_buf(text, strlen(text), &zp,
						   NULL));
	EXPECT_EQ(1U, zp.nr_rows);
	zwproc_free(&zp);
	zwproc_free(&zp);
	EXPECT_EQ(NULL, zp.rows);
}

TEST_HARNESS_MAIN
