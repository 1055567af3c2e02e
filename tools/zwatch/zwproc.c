// SPDX-License-Identifier: GPL-2.0
/*
 * zwproc: parse the text of /proc/zombies.
 *
 * The whole input is held in one buffer and walked a line at a time: the
 * header line, the column line, then one row per parent.  Every line must end
 * with a newline, so a read cut short is reported instead of yielding a row
 * with a shortened name.  Numbers are plain decimal digits, range checked;
 * CGROUP and COMM are unescaped from the \ooo octal form.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <linux/zwatch.h>

#include "zwproc.h"

/* the column line as version 1 writes it, for error messages */
#define ZWPROC_COLUMN_LINE	ZWATCH_COL_PPID " " ZWATCH_COL_ZOMBIES " " \
				ZWATCH_COL_OLDEST_S " " ZWATCH_COL_START " " \
				ZWATCH_COL_CGROUP " " ZWATCH_COL_COMM

/* longest piece of input quoted in an error message, and its buffer */
#define ZWPROC_QUOTE_MAX	48
#define ZWPROC_QUOTE_SIZE	(ZWPROC_QUOTE_MAX + sizeof("..."))

#define ZWPROC_READ_CHUNK	4096
#define ZWPROC_FIRST_ROWS	16

static const char *const zwproc_columns[ZWATCH_NR_COLUMNS] = {
	ZWATCH_COL_PPID,
	ZWATCH_COL_ZOMBIES,
	ZWATCH_COL_OLDEST_S,
	ZWATCH_COL_START,
	ZWATCH_COL_CGROUP,
	ZWATCH_COL_COMM,
};

/* A piece of the input: not NUL terminated. */
struct zwproc_span {
	const char *s;
	size_t len;
};

/* A header key of format version 1 and where its value goes. */
struct zwproc_key {
	const char *name;
	uint32_t *val;
	bool *seen;
};

/* One parse in progress. */
struct zwproc_ctx {
	const char *buf;
	size_t len;
	size_t pos;		/* start of the next line */
	unsigned long line;	/* number of the line being parsed */
	struct zwproc *zp;
	size_t rows_cap;
	struct zwproc_error *err;
};

static void zwproc_verror(struct zwproc_error *err, enum zwproc_status status,
			  unsigned long line, int sys_errno,
			  const char *fmt, va_list ap)
{
	int n = 0;

	if (!err)
		return;
	err->status = status;
	err->line = line;
	err->sys_errno = sys_errno;
	if (line)
		n = snprintf(err->msg, sizeof(err->msg), "line %lu: ", line);
	vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
}

static enum zwproc_status __attribute__((format(printf, 5, 6)))
zwproc_error(struct zwproc_error *err, enum zwproc_status status,
	     unsigned long line, int sys_errno, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	zwproc_verror(err, status, line, sys_errno, fmt, ap);
	va_end(ap);
	return status;
}

/* Fail the parse, blaming the line being parsed. */
static enum zwproc_status __attribute__((format(printf, 3, 4)))
zwproc_fail(struct zwproc_ctx *ctx, enum zwproc_status status,
	    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	zwproc_verror(ctx->err, status, ctx->line, 0, fmt, ap);
	va_end(ap);
	return status;
}

static enum zwproc_status zwproc_nomem(struct zwproc_ctx *ctx)
{
	return zwproc_error(ctx->err, ZWPROC_ENOMEM, 0, ENOMEM,
			    "out of memory at line %lu", ctx->line);
}

/*
 * Copy at most ZWPROC_QUOTE_MAX bytes of @sp into @out for an error message,
 * with any byte that is not printable ASCII shown as '?'.
 */
static const char *zwproc_quote(struct zwproc_span sp,
				char out[ZWPROC_QUOTE_SIZE])
{
	size_t n = sp.len < ZWPROC_QUOTE_MAX ? sp.len : ZWPROC_QUOTE_MAX;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = sp.s[i];

		out[i] = c >= 0x20 && c < 0x7f ? c : '?';
	}
	if (n < sp.len) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

static bool zwproc_span_is(struct zwproc_span sp, const char *s)
{
	return sp.len == strlen(s) && !memcmp(sp.s, s, sp.len);
}

static bool zwproc_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Take the next blank-separated token off the front of @line. */
static bool zwproc_next_token(struct zwproc_span *line, struct zwproc_span *tok)
{
	while (line->len && zwproc_is_blank(*line->s)) {
		line->s++;
		line->len--;
	}
	if (!line->len)
		return false;
	tok->s = line->s;
	tok->len = 0;
	while (line->len && !zwproc_is_blank(*line->s)) {
		line->s++;
		line->len--;
		tok->len++;
	}
	return true;
}

/*
 * Parse @tok as decimal digits (no sign, no blanks) into @val.
 * Return 0, -EINVAL if it is not a number or -ERANGE if it exceeds @max.
 */
int zwproc_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *val)
{
	uint64_t v = 0;
	size_t i;

	if (!len)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned int digit = (unsigned char)s[i] - '0';

		if (digit > 9)
			return -EINVAL;
		if (v > (max - digit) / 10)
			return -ERANGE;
		v = v * 10 + digit;
	}
	*val = v;
	return 0;
}

static int zwproc_number(struct zwproc_span tok, uint64_t max, uint64_t *val)
{
	return zwproc_parse_u64(tok.s, tok.len, max, val);
}

/*
 * Take the next line into @line, without its newline; *@complete tells
 * whether it had one.  line->s is NULL at the end of input.
 */
static void zwproc_next_line(struct zwproc_ctx *ctx, struct zwproc_span *line,
			     bool *complete)
{
	const char *start = ctx->buf + ctx->pos;
	size_t left = ctx->len - ctx->pos;
	const char *nl;

	line->s = NULL;
	line->len = 0;
	*complete = false;
	if (!left)
		return;
	ctx->line++;
	nl = memchr(start, '\n', left);
	line->s = start;
	line->len = nl ? (size_t)(nl - start) : left;
	*complete = nl != NULL;
	ctx->pos += nl ? line->len + 1 : left;
}

/* A line cut short (the input was cut) or holding a NUL fails with @status. */
static enum zwproc_status zwproc_check_line(struct zwproc_ctx *ctx,
					    struct zwproc_span line,
					    bool complete,
					    enum zwproc_status status)
{
	if (!complete)
		return zwproc_fail(ctx, status,
				   "truncated: no newline at end of input");
	if (memchr(line.s, '\0', line.len))
		return zwproc_fail(ctx, status, "NUL byte in line");
	return ZWPROC_OK;
}

/* "# zwatch <version>": check the magic, then the version. */
static enum zwproc_status zwproc_parse_magic(struct zwproc_ctx *ctx,
					     struct zwproc_span *line)
{
	size_t magic_len = strlen(ZWATCH_HEADER_MAGIC);
	char quoted[ZWPROC_QUOTE_SIZE];
	struct zwproc_span tok;
	uint64_t version = 0;
	int ret;

	if (line->len < magic_len ||
	    memcmp(line->s, ZWATCH_HEADER_MAGIC, magic_len) ||
	    (line->len > magic_len && !zwproc_is_blank(line->s[magic_len])))
		return zwproc_error(ctx->err, ZWPROC_EMAGIC, 0, 0,
				    "not a zwatch file: it starts with \"%s\", not \"%s\"",
				    zwproc_quote(*line, quoted),
				    ZWATCH_HEADER_MAGIC);
	line->s += magic_len;
	line->len -= magic_len;

	if (!zwproc_next_token(line, &tok))
		return zwproc_fail(ctx, ZWPROC_EHEADER,
				   "no format version after \"%s\"",
				   ZWATCH_HEADER_MAGIC);
	ret = zwproc_number(tok, UINT_MAX, &version);
	if (ret == -EINVAL)
		return zwproc_fail(ctx, ZWPROC_EHEADER,
				   "format version \"%s\" is not a number",
				   zwproc_quote(tok, quoted));
	if (ret || version != ZWATCH_FORMAT_VERSION)
		return zwproc_error(ctx->err, ZWPROC_EVERSION, 0, 0,
				    "unsupported format version %s (this zwatch reads version %d)",
				    zwproc_quote(tok, quoted),
				    ZWATCH_FORMAT_VERSION);
	ctx->zp->version = version;
	return ZWPROC_OK;
}

/* One "key=value" token of the header: known keys are stored, others skipped. */
static enum zwproc_status zwproc_parse_key(struct zwproc_ctx *ctx,
					   struct zwproc_span tok,
					   const struct zwproc_key *keys,
					   size_t nr_keys)
{
	char quoted[ZWPROC_QUOTE_SIZE];
	const char *eq = memchr(tok.s, '=', tok.len);
	struct zwproc_span name, value;
	uint64_t val;
	size_t i;
	int ret;

	if (!eq || eq == tok.s)
		return zwproc_fail(ctx, ZWPROC_EHEADER,
				   "\"%s\" is not key=value",
				   zwproc_quote(tok, quoted));
	name.s = tok.s;
	name.len = eq - tok.s;
	value.s = eq + 1;
	value.len = tok.len - name.len - 1;

	for (i = 0; i < nr_keys; i++)
		if (zwproc_span_is(name, keys[i].name))
			break;
	if (i == nr_keys)
		return ZWPROC_OK;

	if (*keys[i].seen)
		return zwproc_fail(ctx, ZWPROC_EHEADER, "key %s given twice",
				   keys[i].name);
	ret = zwproc_number(value, UINT32_MAX, &val);
	if (ret == -EINVAL)
		return zwproc_fail(ctx, ZWPROC_EHEADER,
				   "%s=\"%s\" is not a number", keys[i].name,
				   zwproc_quote(value, quoted));
	if (ret)
		return zwproc_fail(ctx, ZWPROC_EHEADER,
				   "%s=%s out of range (max %u)", keys[i].name,
				   zwproc_quote(value, quoted), UINT32_MAX);
	*keys[i].val = val;
	*keys[i].seen = true;
	return ZWPROC_OK;
}

static enum zwproc_status zwproc_parse_header(struct zwproc_ctx *ctx)
{
	struct zwproc *zp = ctx->zp;
	bool has_zombies = false;
	bool has_parents = false;
	const struct zwproc_key keys[] = {
		{ ZWATCH_KEY_ZOMBIES, &zp->zombies, &has_zombies },
		{ ZWATCH_KEY_PARENTS, &zp->parents, &has_parents },
		{ ZWATCH_KEY_DEFUNCT_LEADERS, &zp->defunct_leaders,
		  &zp->has_defunct_leaders },
		{ ZWATCH_KEY_ROWS, &zp->rows_key, &zp->has_rows_key },
		{ ZWATCH_KEY_CUT, &zp->cut, &zp->has_cut },
	};
	struct zwproc_span line, tok;
	enum zwproc_status ret;
	bool complete;

	zwproc_next_line(ctx, &line, &complete);
	if (!line.s)
		return zwproc_error(ctx->err, ZWPROC_EHEADER, 0, 0,
				    "empty input: no \"%s\" header line",
				    ZWATCH_HEADER_MAGIC);
	/* magic and version first: a newer format may differ in the rest */
	ret = zwproc_parse_magic(ctx, &line);
	if (ret == ZWPROC_OK)
		ret = zwproc_check_line(ctx, line, complete, ZWPROC_EHEADER);
	if (ret != ZWPROC_OK)
		return ret;
	while (zwproc_next_token(&line, &tok)) {
		ret = zwproc_parse_key(ctx, tok, keys,
				       sizeof(keys) / sizeof(keys[0]));
		if (ret != ZWPROC_OK)
			return ret;
	}
	if (!has_zombies || !has_parents)
		return zwproc_fail(ctx, ZWPROC_EHEADER, "missing key %s",
				   has_zombies ? ZWATCH_KEY_PARENTS :
						 ZWATCH_KEY_ZOMBIES);
	return ZWPROC_OK;
}

static enum zwproc_status zwproc_parse_columns(struct zwproc_ctx *ctx)
{
	struct zwproc_span line, tok;
	enum zwproc_status ret;
	bool complete;
	size_t i;

	zwproc_next_line(ctx, &line, &complete);
	if (!line.s)
		return zwproc_error(ctx->err, ZWPROC_EHEADER, ctx->line + 1, 0,
				    "truncated: no column line after the header");
	ret = zwproc_check_line(ctx, line, complete, ZWPROC_EHEADER);
	if (ret != ZWPROC_OK)
		return ret;

	for (i = 0; i < ZWATCH_NR_COLUMNS; i++) {
		if (!zwproc_next_token(&line, &tok) ||
		    !zwproc_span_is(tok, zwproc_columns[i]))
			break;
	}
	if (i < ZWATCH_NR_COLUMNS || zwproc_next_token(&line, &tok))
		return zwproc_fail(ctx, ZWPROC_EHEADER,
				   "column names are not \"%s\"",
				   ZWPROC_COLUMN_LINE);
	return ZWPROC_OK;
}

/* Decode three octal digits at @s, a byte from 1 to 0377. */
static int zwproc_octal(const char *s, size_t left, char *c)
{
	unsigned int v = 0;
	size_t i;

	if (left < 3)
		return -EINVAL;
	for (i = 0; i < 3; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -EINVAL;
		v = v * 8 + (s[i] - '0');
	}
	if (!v || v > UCHAR_MAX)
		return -EINVAL;
	*c = (char)v;
	return 0;
}

/*
 * Unescape @tok into a new string at *@out.  Return 0, -ENOMEM, or -EINVAL
 * with *@bad_at set to the offset of a backslash that is not followed by
 * three octal digits making a byte from \001 to \377.
 */
static int zwproc_unescape(struct zwproc_span tok, char **out, size_t *bad_at)
{
	char *s = malloc(tok.len + 1);
	size_t i, n = 0;

	if (!s)
		return -ENOMEM;
	for (i = 0; i < tok.len; i++) {
		if (tok.s[i] != '\\') {
			s[n++] = tok.s[i];
			continue;
		}
		if (zwproc_octal(tok.s + i + 1, tok.len - i - 1, &s[n])) {
			free(s);
			*bad_at = i;
			return -EINVAL;
		}
		n++;
		i += 3;
	}
	s[n] = '\0';
	*out = s;
	return 0;
}

static enum zwproc_status zwproc_row_number(struct zwproc_ctx *ctx,
					    struct zwproc_span tok,
					    const char *column, uint64_t max,
					    uint64_t *val)
{
	char quoted[ZWPROC_QUOTE_SIZE];
	int ret = zwproc_number(tok, max, val);

	if (ret == -EINVAL)
		return zwproc_fail(ctx, ZWPROC_EROW,
				   "%s \"%s\" is not a number", column,
				   zwproc_quote(tok, quoted));
	if (ret)
		return zwproc_fail(ctx, ZWPROC_EROW,
				   "%s %s out of range (max %llu)", column,
				   zwproc_quote(tok, quoted),
				   (unsigned long long)max);
	return ZWPROC_OK;
}

static enum zwproc_status zwproc_row_string(struct zwproc_ctx *ctx,
					    struct zwproc_span tok,
					    const char *column, char **out)
{
	char quoted[ZWPROC_QUOTE_SIZE];
	size_t bad_at;
	int ret = zwproc_unescape(tok, out, &bad_at);

	if (ret == -ENOMEM)
		return zwproc_nomem(ctx);
	if (ret) {
		tok.s += bad_at;
		tok.len -= bad_at;
		return zwproc_fail(ctx, ZWPROC_EROW,
				   "%s: bad escape at \"%s\" (want \\001 to \\377)",
				   column, zwproc_quote(tok, quoted));
	}
	return ZWPROC_OK;
}

/* Split a row into exactly ZWATCH_NR_COLUMNS fields. */
static enum zwproc_status zwproc_row_fields(struct zwproc_ctx *ctx,
					    struct zwproc_span line,
					    struct zwproc_span *f)
{
	struct zwproc_span extra;
	size_t n = 0;

	while (n < ZWATCH_NR_COLUMNS && zwproc_next_token(&line, &f[n]))
		n++;
	if (n < ZWATCH_NR_COLUMNS)
		return zwproc_fail(ctx, ZWPROC_EROW,
				   "truncated row: %zu fields, expected %d",
				   n, ZWATCH_NR_COLUMNS);
	while (zwproc_next_token(&line, &extra))
		n++;
	if (n > ZWATCH_NR_COLUMNS)
		return zwproc_fail(ctx, ZWPROC_EROW,
				   "%zu fields, expected %d",
				   n, ZWATCH_NR_COLUMNS);
	return ZWPROC_OK;
}

/* Parse one row line into @row; on failure @row may hold strings to free. */
static enum zwproc_status zwproc_parse_row(struct zwproc_ctx *ctx,
					   struct zwproc_span line,
					   struct zwproc_row *row)
{
	struct zwproc_span f[ZWATCH_NR_COLUMNS];
	enum zwproc_status ret;
	uint64_t val;

	ret = zwproc_row_fields(ctx, line, f);
	if (ret != ZWPROC_OK)
		return ret;

	ret = zwproc_row_number(ctx, f[0], ZWATCH_COL_PPID, INT_MAX, &val);
	if (ret != ZWPROC_OK)
		return ret;
	row->ppid = (pid_t)val;
	ret = zwproc_row_number(ctx, f[1], ZWATCH_COL_ZOMBIES, UINT32_MAX,
				&val);
	if (ret != ZWPROC_OK)
		return ret;
	row->zombies = (uint32_t)val;
	ret = zwproc_row_number(ctx, f[2], ZWATCH_COL_OLDEST_S, UINT64_MAX,
				&row->oldest_s);
	if (ret != ZWPROC_OK)
		return ret;
	ret = zwproc_row_number(ctx, f[3], ZWATCH_COL_START, UINT64_MAX,
				&row->start);
	if (ret != ZWPROC_OK)
		return ret;
	ret = zwproc_row_string(ctx, f[4], ZWATCH_COL_CGROUP, &row->cgroup);
	if (ret != ZWPROC_OK)
		return ret;
	return zwproc_row_string(ctx, f[5], ZWATCH_COL_COMM, &row->comm);
}

/* Append a zeroed row to ctx->zp, growing the array as needed. */
static struct zwproc_row *zwproc_add_row(struct zwproc_ctx *ctx)
{
	struct zwproc *zp = ctx->zp;
	struct zwproc_row *rows;
	size_t cap;

	if (zp->nr_rows == ctx->rows_cap) {
		cap = ctx->rows_cap ? ctx->rows_cap * 2 : ZWPROC_FIRST_ROWS;
		rows = reallocarray(zp->rows, cap, sizeof(*rows));
		if (!rows)
			return NULL;
		zp->rows = rows;
		ctx->rows_cap = cap;
	}
	rows = &zp->rows[zp->nr_rows++];
	memset(rows, 0, sizeof(*rows));
	return rows;
}

static enum zwproc_status zwproc_parse_rows(struct zwproc_ctx *ctx)
{
	struct zwproc_row *row;
	struct zwproc_span line;
	enum zwproc_status ret;
	bool complete;

	for (;;) {
		zwproc_next_line(ctx, &line, &complete);
		if (!line.s)
			return ZWPROC_OK;
		ret = zwproc_check_line(ctx, line, complete, ZWPROC_EROW);
		if (ret != ZWPROC_OK)
			return ret;
		row = zwproc_add_row(ctx);
		if (!row)
			return zwproc_nomem(ctx);
		ret = zwproc_parse_row(ctx, line, row);
		if (ret != ZWPROC_OK)
			return ret;
	}
}

static enum zwproc_status zwproc_check_count(struct zwproc_ctx *ctx)
{
	const struct zwproc *zp = ctx->zp;

	if (!zp->has_rows_key || zp->rows_key == zp->nr_rows)
		return ZWPROC_OK;
	return zwproc_error(ctx->err, ZWPROC_ECOUNT, 0, 0,
			    "header says %s=%u but %zu rows follow",
			    ZWATCH_KEY_ROWS, zp->rows_key, zp->nr_rows);
}

void zwproc_free(struct zwproc *zp)
{
	size_t i;

	for (i = 0; i < zp->nr_rows; i++) {
		free(zp->rows[i].cgroup);
		free(zp->rows[i].comm);
	}
	free(zp->rows);
	memset(zp, 0, sizeof(*zp));
}

enum zwproc_status zwproc_parse_buf(const char *buf, size_t len,
				    struct zwproc *zp,
				    struct zwproc_error *err)
{
	struct zwproc_ctx ctx = {
		.buf = buf,
		.len = len,
		.zp = zp,
		.err = err,
	};
	enum zwproc_status ret;

	memset(zp, 0, sizeof(*zp));
	if (err)
		memset(err, 0, sizeof(*err));

	ret = zwproc_parse_header(&ctx);
	if (ret == ZWPROC_OK)
		ret = zwproc_parse_columns(&ctx);
	if (ret == ZWPROC_OK)
		ret = zwproc_parse_rows(&ctx);
	if (ret == ZWPROC_OK)
		ret = zwproc_check_count(&ctx);
	if (ret != ZWPROC_OK)
		zwproc_free(zp);
	return ret;
}

/* Read all of @f into a new buffer at *@buf. */
static enum zwproc_status zwproc_slurp(FILE *f, char **buf, size_t *len,
				       struct zwproc_error *err)
{
	size_t cap = 0, n;
	char *b = NULL, *nb;

	*len = 0;
	for (;;) {
		if (*len == cap) {
			cap += cap ? cap : ZWPROC_READ_CHUNK;
			nb = realloc(b, cap);
			if (!nb) {
				free(b);
				return zwproc_error(err, ZWPROC_ENOMEM, 0,
						    ENOMEM,
						    "out of memory reading input");
			}
			b = nb;
		}
		errno = 0;
		n = fread(b + *len, 1, cap - *len, f);
		*len += n;
		if (*len < cap)
			break;
	}
	if (ferror(f)) {
		int e = errno ? errno : EIO;

		free(b);
		return zwproc_error(err, ZWPROC_EIO, 0, e, "read failed: %s",
				    strerror(e));
	}
	*buf = b;
	return ZWPROC_OK;
}

enum zwproc_status zwproc_parse_file(FILE *f, struct zwproc *zp,
				     struct zwproc_error *err)
{
	enum zwproc_status ret;
	size_t len;
	char *buf = NULL;

	memset(zp, 0, sizeof(*zp));
	if (err)
		memset(err, 0, sizeof(*err));
	ret = zwproc_slurp(f, &buf, &len, err);
	if (ret != ZWPROC_OK)
		return ret;
	ret = zwproc_parse_buf(buf, len, zp, err);
	free(buf);
	return ret;
}
