/*
 * check_util.c: unit tests of include/util.h (src/util/alloc.c, log.c,
 * str.c): bounded strings, byte search, ASCII case folding, number parsing,
 * allocation helpers, secret wiping, the logging hook and the clock.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define DSTLEN		16	/* destination buffer of the strl* tests */

/* Sign of an int, for comparisons whose magnitude is unspecified. */
static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

/* ------------------------------------------------------------------ */
/* fct_strlcpy                                                         */

/*
 * dst starts as DSTLEN 'X' bytes; want is what must then hold at its start
 * (with its NUL), NULL when dst must be left untouched. Nothing past that
 * may change.
 */
static const struct {
	const char	*src;
	size_t		 size;
	size_t		 ret;
	const char	*want;
} lcpy_cases[] = {
	{ "", 0, 0, NULL },
	{ "", 1, 0, "" },
	{ "hello", 0, 5, NULL },
	{ "hello", 1, 5, "" },
	{ "hello", 2, 5, "h" },
	{ "hello", 5, 5, "hell" },	/* one short: truncated */
	{ "hello", 6, 5, "hello" },	/* exact fit */
	{ "hello", DSTLEN, 5, "hello" },
	{ "0123456789abcdef", DSTLEN, 16, "0123456789abcde" },
};

START_TEST(strlcpy_table)
{
	char	dst[DSTLEN], want[DSTLEN];
	size_t	ret;

	memset(dst, 'X', sizeof(dst));
	memset(want, 'X', sizeof(want));
	if (lcpy_cases[_i].want != NULL)
		memcpy(want, lcpy_cases[_i].want,
		    strlen(lcpy_cases[_i].want) + 1);
	ret = fct_strlcpy(dst, lcpy_cases[_i].src, lcpy_cases[_i].size);
	ck_assert_uint_eq(ret, lcpy_cases[_i].ret);
	ck_assert_mem_eq(dst, want, sizeof(dst));
	/* Truncation is detected by ret >= size. */
	ck_assert_int_eq(ret >= lcpy_cases[_i].size,
	    strlen(lcpy_cases[_i].src) >= lcpy_cases[_i].size);
}
END_TEST

/* ------------------------------------------------------------------ */
/* fct_strlcat                                                         */

/*
 * dst starts as DSTLEN 'X' bytes with init (and its NUL) copied to the
 * start; init NULL leaves no NUL at all (dst not terminated within size).
 */
static const struct {
	const char	*init;
	const char	*src;
	size_t		 size;
	size_t		 ret;
	const char	*want;		/* NULL: dst unchanged */
} lcat_cases[] = {
	{ "ab", "cd", DSTLEN, 4, "abcd" },
	{ "ab", "cd", 5, 4, "abcd" },		/* exact fit */
	{ "ab", "cdef", 5, 6, "abcd" },		/* truncated */
	{ "ab", "cd", 4, 4, "abc" },
	{ "ab", "cd", 3, 4, NULL },		/* full: nothing appended */
	{ "ab", "cd", 2, 4, NULL },		/* no NUL within size */
	{ "ab", "cd", 1, 3, NULL },
	{ "ab", "cd", 0, 2, NULL },		/* size 0 */
	{ "", "abc", 1, 3, NULL },		/* size 1 */
	{ "", "abc", 2, 3, "a" },
	{ "", "", 1, 0, NULL },
	{ "abc", "", DSTLEN, 3, NULL },
	{ NULL, "cd", 8, 10, NULL },		/* not terminated */
	{ NULL, "", DSTLEN, DSTLEN, NULL },
};

START_TEST(strlcat_table)
{
	char	dst[DSTLEN], want[DSTLEN];
	size_t	ret;

	memset(dst, 'X', sizeof(dst));
	if (lcat_cases[_i].init != NULL)
		memcpy(dst, lcat_cases[_i].init,
		    strlen(lcat_cases[_i].init) + 1);
	memcpy(want, dst, sizeof(want));
	if (lcat_cases[_i].want != NULL)
		memcpy(want, lcat_cases[_i].want,
		    strlen(lcat_cases[_i].want) + 1);
	ret = fct_strlcat(dst, lcat_cases[_i].src, lcat_cases[_i].size);
	ck_assert_uint_eq(ret, lcat_cases[_i].ret);
	ck_assert_mem_eq(dst, want, sizeof(dst));
}
END_TEST

/* ------------------------------------------------------------------ */
/* fct_snprintf                                                        */

static const struct {
	size_t		 size;
	const char	*arg;
	int		 ret;
	const char	*want;		/* NULL: dst untouched */
} snp_cases[] = {
	{ 0, "abc", -1, NULL },
	{ 1, "", 0, "" },
	{ 1, "abc", -1, "" },
	{ 4, "abc", 3, "abc" },		/* exact fit */
	{ 4, "abcd", -1, "abc" },	/* one too many */
	{ 3, "abc", -1, "ab" },
	{ DSTLEN, "abc", 3, "abc" },
};

START_TEST(snprintf_table)
{
	char	dst[DSTLEN], want[DSTLEN];
	int	ret;

	memset(dst, 'X', sizeof(dst));
	memset(want, 'X', sizeof(want));
	if (snp_cases[_i].want != NULL)
		memcpy(want, snp_cases[_i].want,
		    strlen(snp_cases[_i].want) + 1);
	ret = fct_snprintf(dst, snp_cases[_i].size, "%s", snp_cases[_i].arg);
	ck_assert_int_eq(ret, snp_cases[_i].ret);
	ck_assert_mem_eq(dst, want, sizeof(dst));
}
END_TEST

START_TEST(snprintf_format)
{
	char	dst[32];

	ck_assert_int_eq(fct_snprintf(dst, sizeof(dst), "%s=%d;%c", "n", -42,
	    'z'), 7);
	ck_assert_str_eq(dst, "n=-42;z");
	ck_assert_int_eq(fct_snprintf(dst, 7, "%s=%d;%c", "n", -42, 'z'),
	    -1);
	ck_assert_str_eq(dst, "n=-42;");
}
END_TEST

/* ------------------------------------------------------------------ */
/* mem_find                                                            */

static const struct {
	const char	*hay;
	size_t		 hlen;
	const char	*needle;
	size_t		 nlen;
	long		 off;		/* -1: not found */
} find_cases[] = {
	{ "", 0, "", 0, 0 },		/* empty needle: found at start */
	{ "abc", 3, "", 0, 0 },
	{ "", 0, "a", 1, -1 },
	{ "ab", 2, "abc", 3, -1 },	/* needle longer than haystack */
	{ "abc", 3, "abc", 3, 0 },
	{ "abcdef", 6, "abc", 3, 0 },	/* at start */
	{ "abcdef", 6, "def", 3, 3 },	/* at end */
	{ "abcdef", 6, "f", 1, 5 },
	{ "abcdef", 6, "cd", 2, 2 },
	{ "abcdef", 6, "xyz", 3, -1 },
	{ "abcde", 5, "def", 3, -1 },	/* prefix of needle at the end */
	{ "abcabc", 2, "bc", 2, -1 },	/* hlen is respected */
	{ "abcabc", 6, "bc", 2, 1 },	/* first occurrence */
	{ "aaab", 4, "aab", 3, 1 },	/* partial matches */
	{ "abaabab", 7, "abab", 4, 3 },
	{ "a\0b\0c", 5, "c", 1, 4 },	/* NUL bytes in haystack */
	{ "a\0b\0c", 5, "b\0c", 3, 2 },	/* and in needle */
	{ "a\0b\0c", 5, "\0c", 2, 3 },
	{ "ab\0", 3, "\0", 1, 2 },
	{ "abc", 3, "\0", 1, -1 },
	{ "a\0b", 3, "a\0c", 3, -1 },
};

START_TEST(mem_find_table)
{
	const char	*r;
	char		*hay, *needle;
	size_t		 hlen = find_cases[_i].hlen, nlen = find_cases[_i].nlen;

	/* Exact-size copies, so that reading past either one is caught. */
	hay = xmalloc(hlen);
	needle = xmalloc(nlen);
	memcpy(hay, find_cases[_i].hay, hlen);
	memcpy(needle, find_cases[_i].needle, nlen);
	r = mem_find(hay, hlen, needle, nlen);
	if (find_cases[_i].off < 0)
		ck_assert_ptr_null(r);
	else {
		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(r - hay, find_cases[_i].off);
	}
	free(needle);
	free(hay);
}
END_TEST

/* ------------------------------------------------------------------ */
/* ascii_casecmp, ascii_ncasecmp, mem_has_prefix_ci                    */

static const struct {
	const char	*a, *b;
	int		 sign;
} casecmp_cases[] = {
	{ "", "", 0 },
	{ "abc", "ABC", 0 },
	{ "Hello", "hELLO", 0 },
	{ "INBOX", "inbox", 0 },
	{ "abc", "abd", -1 },
	{ "abd", "ABC", 1 },
	{ "ab", "abc", -1 },
	{ "abc", "ab", 1 },
	{ "", "a", -1 },
	{ "a", "B", -1 },		/* folded: 'a' < 'b' */
	{ "[", "A", -1 },		/* folds to lower case: '[' < 'a' */
	{ "@", "`", -1 },		/* neighbours of the letters */
	{ "\xc9", "\xe9", -1 },		/* Latin-1 E acute: not folded */
	{ "\xc3\x89t\xc3\xa9", "\xc3\xa9t\xc3\xa9", -1 },	/* UTF-8 */
	{ "\xe9", "e", 1 },		/* bytes compare unsigned */
	{ "\x80", "a", 1 },
	{ "a", "\xff", -1 },
};

START_TEST(casecmp_table)
{
	int	r;

	r = ascii_casecmp(casecmp_cases[_i].a, casecmp_cases[_i].b);
	ck_assert_int_eq(sign(r), casecmp_cases[_i].sign);
	r = ascii_casecmp(casecmp_cases[_i].b, casecmp_cases[_i].a);
	ck_assert_int_eq(sign(r), -casecmp_cases[_i].sign);
}
END_TEST

static const struct {
	const char	*a, *b;
	size_t		 n;
	int		 sign;
} ncasecmp_cases[] = {
	{ "abc", "xyz", 0, 0 },
	{ "abc", "abd", 2, 0 },
	{ "abc", "ABD", 3, -1 },
	{ "ab", "AB", 10, 0 },		/* stops at the NUL */
	{ "ab", "abc", 3, -1 },
	{ "HELLO world", "hello WORLD", 11, 0 },
	{ "HELLO world", "hello WORLDS", 11, 0 },
	{ "HELLO world", "hello WORLDS", 12, -1 },
	{ "\xc9t\xc9", "\xe9t\xe9", 3, -1 },
	{ "\xc9t\xc9", "\xe9t\xe9", 0, 0 },
	{ "x\xe9", "X\xc9", 2, 1 },
};

START_TEST(ncasecmp_table)
{
	int	r;

	r = ascii_ncasecmp(ncasecmp_cases[_i].a, ncasecmp_cases[_i].b,
	    ncasecmp_cases[_i].n);
	ck_assert_int_eq(sign(r), ncasecmp_cases[_i].sign);
	r = ascii_ncasecmp(ncasecmp_cases[_i].b, ncasecmp_cases[_i].a,
	    ncasecmp_cases[_i].n);
	ck_assert_int_eq(sign(r), -ncasecmp_cases[_i].sign);
}
END_TEST

START_TEST(tolower_all_bytes)
{
	int	c;

	for (c = 0; c < 256; c++) {
		if (c >= 'A' && c <= 'Z')
			ck_assert_int_eq(ascii_tolower(c), c - 'A' + 'a');
		else
			ck_assert_int_eq(ascii_tolower(c), c);
	}
}
END_TEST

static const struct {
	const char	*p;
	size_t		 n;
	const char	*prefix;
	int		 want;
} prefix_cases[] = {
	{ "", 0, "", 1 },
	{ "anything", 8, "", 1 },
	{ "", 0, "a", 0 },
	{ "OK done", 7, "ok", 1 },
	{ "ok", 2, "OK", 1 },		/* exact length */
	{ "o", 1, "ok", 0 },		/* shorter than the prefix */
	{ "okay", 2, "oka", 0 },	/* n is respected */
	{ "NO done", 7, "ok", 0 },
	{ "ok\0x", 4, "OK", 1 },	/* NUL after the prefix */
	{ "\0ok", 3, "ok", 0 },
	{ "\xc9TAT", 4, "\xe9tat", 0 },	/* non-ASCII not folded */
	{ "\xc9TAT", 4, "\xc9tat", 1 },
	{ "[x", 2, "{", 0 },
};

START_TEST(prefix_ci_table)
{
	char	*p;
	int	 r;

	p = xmalloc(prefix_cases[_i].n);
	memcpy(p, prefix_cases[_i].p, prefix_cases[_i].n);
	r = mem_has_prefix_ci(p, prefix_cases[_i].n, prefix_cases[_i].prefix);
	ck_assert_int_eq(r != 0, prefix_cases[_i].want);
	free(p);
}
END_TEST

/* ------------------------------------------------------------------ */
/* parse_u64                                                           */

#define WHOLE	SIZE_MAX	/* n: strlen(s) */

static const struct {
	const char	*s;
	size_t		 n;
	uint64_t	 max;
	int		 ret;
	uint64_t	 want;
} u64_cases[] = {
	{ "0", WHOLE, UINT64_MAX, 0, 0 },
	{ "42", WHOLE, UINT64_MAX, 0, 42 },
	{ "007", WHOLE, UINT64_MAX, 0, 7 },
	{ "4294967296", WHOLE, UINT64_MAX, 0, UINT64_C(4294967296) },
	{ "18446744073709551615", WHOLE, UINT64_MAX, 0, UINT64_MAX },
	{ "18446744073709551616", WHOLE, UINT64_MAX, -1, 0 },	/* +1 */
	{ "18446744073709551620", WHOLE, UINT64_MAX, -1, 0 },
	{ "99999999999999999999", WHOLE, UINT64_MAX, -1, 0 },
	{ "184467440737095516150", WHOLE, UINT64_MAX, -1, 0 },
	{ "", WHOLE, UINT64_MAX, -1, 0 },
	{ "-1", WHOLE, UINT64_MAX, -1, 0 },
	{ "+1", WHOLE, UINT64_MAX, -1, 0 },
	{ "1a", WHOLE, UINT64_MAX, -1, 0 },
	{ "a1", WHOLE, UINT64_MAX, -1, 0 },
	{ " 1", WHOLE, UINT64_MAX, -1, 0 },
	{ "1 ", WHOLE, UINT64_MAX, -1, 0 },
	{ "0x10", WHOLE, UINT64_MAX, -1, 0 },
	{ "1\0", 2, UINT64_MAX, -1, 0 },	/* NUL is junk */
	{ "123", 2, UINT64_MAX, 0, 12 },	/* n is respected */
	{ "123", 0, UINT64_MAX, -1, 0 },
	{ "100", WHOLE, 100, 0, 100 },		/* max itself */
	{ "101", WHOLE, 100, -1, 0 },		/* max + 1 */
	{ "1000", WHOLE, 999, -1, 0 },
	{ "5", WHOLE, 5, 0, 5 },
	{ "6", WHOLE, 5, -1, 0 },		/* one digit above max */
	{ "9", WHOLE, 5, -1, 0 },
	{ "0", WHOLE, 0, 0, 0 },
	{ "1", WHOLE, 0, -1, 0 },
	{ "10", WHOLE, 9, -1, 0 },
};

START_TEST(parse_u64_table)
{
	uint64_t	 out = 12345;
	size_t		 n = u64_cases[_i].n;
	char		*s;
	int		 r;

	if (n == WHOLE)
		n = strlen(u64_cases[_i].s);
	s = xmalloc(n);
	memcpy(s, u64_cases[_i].s, n);
	r = parse_u64(s, n, u64_cases[_i].max, &out);
	free(s);
	ck_assert_msg(r == u64_cases[_i].ret,
	    "parse_u64(\"%s\", %zu, max %ju) returned %d (out %ju), want %d",
	    u64_cases[_i].s, n, (uintmax_t)u64_cases[_i].max, r,
	    (uintmax_t)out, u64_cases[_i].ret);
	if (u64_cases[_i].ret == 0)
		ck_assert_uint_eq(out, u64_cases[_i].want);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Allocation helpers                                                  */

START_TEST(xasprintf_basic)
{
	char	*s, *big;

	s = xasprintf("%d-%s-%c", 42, "x", 'y');
	ck_assert_str_eq(s, "42-x-y");
	free(s);
	s = xasprintf("%s", "");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "");
	free(s);

	/* Longer than any small internal buffer. */
	big = xmalloc(5001);
	memset(big, 'q', 5000);
	big[5000] = '\0';
	s = xasprintf("<%s>", big);
	ck_assert_uint_eq(strlen(s), 5002);
	ck_assert_int_eq(s[0], '<');
	ck_assert_int_eq(s[5001], '>');
	ck_assert_int_eq(memcmp(s + 1, big, 5000), 0);
	free(s);
	free(big);
}
END_TEST

START_TEST(xmemdup0_basic)
{
	char	*s;

	s = xmemdup0("a\0b\0c", 5);
	ck_assert_mem_eq(s, "a\0b\0c", 5);
	ck_assert_int_eq(s[5], '\0');
	free(s);

	s = xmemdup0("abc", 2);
	ck_assert_str_eq(s, "ab");
	free(s);

	s = xmemdup0("abc", 0);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "");
	free(s);

	/* Copied, not aliased. */
	s = xstrdup("xyz");
	ck_assert_str_eq(s, "xyz");
	free(s);
}
END_TEST

static const struct {
	const char	*s;
	size_t		 n;
	const char	*want;
} strndup_cases[] = {
	{ "hello", 5, "hello" },
	{ "hello", 3, "hel" },
	{ "hello", 0, "" },
	{ "hello", 100, "hello" },	/* stops at the NUL */
	{ "ab\0cd", 5, "ab" },
	{ "", 10, "" },
};

START_TEST(xstrndup_table)
{
	char	*s;

	s = xstrndup(strndup_cases[_i].s, strndup_cases[_i].n);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, strndup_cases[_i].want);
	free(s);
}
END_TEST

START_TEST(explicit_zero_basic)
{
	unsigned char	b[32];
	size_t		i;

	memset(b, 0xaa, sizeof(b));
	explicit_zero(b + 4, 20);
	for (i = 0; i < sizeof(b); i++)
		ck_assert_int_eq(b[i], (i >= 4 && i < 24) ? 0 : 0xaa);

	memset(b, 0xaa, sizeof(b));
	explicit_zero(b, 0);
	for (i = 0; i < sizeof(b); i++)
		ck_assert_int_eq(b[i], 0xaa);
}
END_TEST

START_TEST(xfree_secret_basic)
{
	char	*s = NULL;

	xfree_secret(NULL);
	xfree_secret(&s);
	ck_assert_ptr_null(s);

	s = xstrdup("hunter2");
	xfree_secret(&s);
	ck_assert_ptr_null(s);

	s = xstrdup("");
	xfree_secret(&s);
	ck_assert_ptr_null(s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Logging                                                             */

struct logcap {
	int		calls;
	enum log_level	level;
	void		*arg;
	char		msg[4096];
};

static struct logcap	logcap;

static void
logcap_cb(enum log_level level, const char *msg, void *arg)
{
	logcap.calls++;
	logcap.level = level;
	logcap.arg = arg;
	(void)fct_strlcpy(logcap.msg, msg, sizeof(logcap.msg));
}

/* Checked fixture: restore the defaults even when a test fails. */
static void
log_setup(void)
{
	memset(&logcap, 0, sizeof(logcap));
	log_set_hook(NULL, NULL);
	log_set_level(LOG_WARN);
}

static void
log_teardown(void)
{
	log_set_hook(NULL, NULL);
	log_set_level(LOG_WARN);
}

START_TEST(log_level_filter)
{
	log_set_hook(logcap_cb, &logcap);

	/* Default level LOG_WARN. */
	ck_assert_int_eq(log_enabled(LOG_INFO), 0);
	ck_assert_int_ne(log_enabled(LOG_WARN), 0);
	ck_assert_int_ne(log_enabled(LOG_ERROR), 0);
	log_info("hidden");
	log_debug("hidden");
	log_trace("hidden");
	ck_assert_int_eq(logcap.calls, 0);
	log_warnx("shown %d", 1);
	ck_assert_int_eq(logcap.calls, 1);
	ck_assert_int_eq(logcap.level, LOG_WARN);
	ck_assert_str_eq(logcap.msg, "shown 1");
	ck_assert_ptr_eq(logcap.arg, &logcap);

	log_set_level(LOG_INFO);
	ck_assert_int_eq(log_enabled(LOG_DEBUG), 0);
	ck_assert_int_ne(log_enabled(LOG_INFO), 0);
	log_debug("hidden");
	ck_assert_int_eq(logcap.calls, 1);
	log_info("info %s", "x");
	ck_assert_int_eq(logcap.calls, 2);
	ck_assert_int_eq(logcap.level, LOG_INFO);
	ck_assert_str_eq(logcap.msg, "info x");

	log_set_level(LOG_TRACE);
	log_trace("trace");
	ck_assert_int_eq(logcap.calls, 3);
	ck_assert_int_eq(logcap.level, LOG_TRACE);
	ck_assert_str_eq(logcap.msg, "trace");
	log_debug("debug");
	ck_assert_int_eq(logcap.calls, 4);
	ck_assert_int_eq(logcap.level, LOG_DEBUG);

	log_set_level(LOG_ERROR);
	log_warnx("hidden");
	errno = EIO;
	log_warn("hidden");
	ck_assert_int_eq(logcap.calls, 4);
	log_msg(LOG_ERROR, "err %d", 7);
	ck_assert_int_eq(logcap.calls, 5);
	ck_assert_int_eq(logcap.level, LOG_ERROR);
	ck_assert_str_eq(logcap.msg, "err 7");
}
END_TEST

START_TEST(log_errno_text)
{
	char	want[512];

	log_set_hook(logcap_cb, NULL);
	(void)snprintf(want, sizeof(want), "open %s: %s", "/x",
	    strerror(ENOENT));
	errno = ENOENT;
	log_warn("open %s", "/x");
	ck_assert_int_eq(logcap.calls, 1);
	ck_assert_int_eq(logcap.level, LOG_WARN);
	ck_assert_str_eq(logcap.msg, want);
	ck_assert_ptr_null(logcap.arg);

	errno = ENOENT;
	log_warnx("open %s", "/x");
	ck_assert_int_eq(logcap.calls, 2);
	ck_assert_int_eq(logcap.level, LOG_WARN);
	ck_assert_str_eq(logcap.msg, "open /x");

	/* log_msg never appends errno's text. */
	errno = EACCES;
	log_msg(LOG_WARN, "plain");
	ck_assert_str_eq(logcap.msg, "plain");
}
END_TEST

START_TEST(log_long_message)
{
	char	*big;
	size_t	 i, n;

	log_set_hook(logcap_cb, NULL);
	big = xmalloc(3001);
	memset(big, 'a', 3000);
	big[3000] = '\0';
	errno = ENOENT;
	log_warn("%s", big);
	ck_assert_int_eq(logcap.calls, 1);
	n = strlen(logcap.msg);
	/* Truncated or not, the text is a prefix of what was logged. */
	ck_assert_uint_gt(n, 0);
	for (i = 0; i < n && i < 3000; i++)
		ck_assert_int_eq(logcap.msg[i], 'a');
	free(big);
}
END_TEST

/* Without a hook, LOG_WARN and above go to stderr as "facteur: TEXT\n". */
START_TEST(log_default_stderr)
{
	FILE	*tmp;
	char	 got[256];
	size_t	 n;
	int	 saved;

	tmp = tmpfile();
	ck_assert_ptr_nonnull(tmp);
	(void)fflush(stderr);
	saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ne(dup2(fileno(tmp), STDERR_FILENO), -1);

	log_info("not shown");
	log_warnx("shown %d", 2);
	log_msg(LOG_ERROR, "also");
	(void)fflush(stderr);

	ck_assert_int_ne(dup2(saved, STDERR_FILENO), -1);
	(void)close(saved);
	rewind(tmp);
	n = fread(got, 1, sizeof(got) - 1, tmp);
	got[n] = '\0';
	(void)fclose(tmp);
	ck_assert_str_eq(got, "facteur: shown 2\nfacteur: also\n");
}
END_TEST

/* ------------------------------------------------------------------ */
/* time_mono_ms                                                        */

START_TEST(time_mono_basic)
{
	struct timespec	ts = { 0, 20 * 1000 * 1000 };
	int64_t		t0, t1, prev, now;
	int		i;

	t0 = time_mono_ms();
	ck_assert_int_ge(t0, 0);
	prev = t0;
	for (i = 0; i < 1000; i++) {
		now = time_mono_ms();
		ck_assert_int_ge(now, prev);
		prev = now;
	}
	ck_assert_int_eq(clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL), 0);
	t1 = time_mono_ms();
	/* 20 ms at least, less one for the truncation of each reading. */
	ck_assert_int_ge(t1 - t0, 19);
}
END_TEST

/* ---- base64 ---- */

START_TEST(base64_alphabets)
{
	unsigned	v;

	for (v = 0; v < 64; v++) {
		ck_assert_int_eq(base64_value((unsigned char)base64_char(v, '/'),
		    '/'), (int)v);
		ck_assert_int_eq(base64_value((unsigned char)base64_char(v, ','),
		    ','), (int)v);
	}
	ck_assert_int_eq(base64_char(63, '/'), '/');
	ck_assert_int_eq(base64_char(63, ','), ',');
	ck_assert_int_eq(base64_char(64 + 1, '/'), 'B');
	/* Each alphabet's 64th character is not the other's. */
	ck_assert_int_eq(base64_value(',', '/'), -1);
	ck_assert_int_eq(base64_value('/', ','), -1);
	ck_assert_int_eq(base64_value('=', '/'), -1);
	ck_assert_int_eq(base64_value('\0', '/'), -1);
	ck_assert_int_eq(base64_value(0xc3, '/'), -1);
}
END_TEST

START_TEST(base64_strict)
{
	static const struct {
		const char	*plain, *coded;
	} rfc4648[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	static const char *const bad[] = {
		"Zg=", "Zg", "Z===", "Zg==Zg==", "Zm9v\n", "Zm 9", "Zm9v=Yg=",
		"Z,9v",
	};
	char	*e, *d;
	size_t	 i, len;

	for (i = 0; i < NITEMS(rfc4648); i++) {
		e = base64_encode_new(rfc4648[i].plain,
		    strlen(rfc4648[i].plain));
		ck_assert_str_eq(e, rfc4648[i].coded);
		d = base64_decode_new(e, strlen(e), &len);
		ck_assert_ptr_nonnull(d);
		ck_assert_uint_eq(len, strlen(rfc4648[i].plain));
		ck_assert_str_eq(d, rfc4648[i].plain);
		free(e);
		free(d);
	}
	/* Binary, NUL included, comes back whole. */
	d = base64_decode_new("AGFiAA==", 8, &len);
	ck_assert_uint_eq(len, 4);
	ck_assert_int_eq(memcmp(d, "\0ab\0", 4), 0);
	free(d);
	for (i = 0; i < NITEMS(bad); i++)
		ck_assert_msg(base64_decode_new(bad[i], strlen(bad[i]), &len) ==
		    NULL, "%s", bad[i]);
}
END_TEST

/* RFC 1321's test suite, lengths around the padding boundaries checked
 * against a known value, and RFC 1939's APOP example. */
START_TEST(md5_vectors)
{
	static const struct {
		const char	*in;
		const char	*hex;
	} cases[] = {
		{ "", "d41d8cd98f00b204e9800998ecf8427e" },
		{ "a", "0cc175b9c0f1b6a831c399e269772661" },
		{ "abc", "900150983cd24fb0d6963f7d28e17f72" },
		{ "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
		{ "abcdefghijklmnopqrstuvwxyz",
		  "c3fcd3d76192e4007dfb496cca67e13b" },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		  "0123456789", "d174ab98d277d9f5a5611c2c9f419d9f" },
		{ "1234567890123456789012345678901234567890123456789012345678"
		  "9012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a" },
		{ "<1896.697170952@dbc.mtview.ca.us>tanstaaf",
		  "c4c9334bac560ecc979e58001b3e22fb" },
	};
	/* "x" repeated n times, by another implementation. */
	static const struct {
		size_t		 n;
		const char	*hex;
	} lengths[] = {
		{ 55, "04364420e25c512fd958a70738aa8f72" },
		{ 56, "668a72d5ba17f08e62dabcafad6db14b" },
		{ 57, "693037871c4a9d3d8685018905cb530a" },
		{ 63, "7dc2ca208106a2f703567bdff99d8981" },
		{ 64, "c1bb4f81d892b2d57947682aeb252456" },
		{ 65, "1bc932052302d074bdec39795fe00cf6" },
		{ 119, "ab347a5f68c8a443cfcddc633f12c24f" },
		{ 120, "fb98667f98096de92620b64f46e1c5b5" },
		{ 128, "d69cb61a6ee87200676eb0d4b90edbcb" },
	};
	char	out[33], xs[128];
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		md5_hex(cases[i].in, strlen(cases[i].in), out);
		ck_assert_msg(strcmp(out, cases[i].hex) == 0, "%s: %s",
		    cases[i].in, out);
	}
	memset(xs, 'x', sizeof(xs));
	for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		md5_hex(xs, lengths[i].n, out);
		ck_assert_msg(strcmp(out, lengths[i].hex) == 0, "%zu: %s",
		    lengths[i].n, out);
	}
}
END_TEST

Suite *
util_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("util");

	tc = tcase_create("md5");
	tcase_add_test(tc, md5_vectors);
	suite_add_tcase(s, tc);

	tc = tcase_create("strlcpy");
	tcase_add_loop_test(tc, strlcpy_table, 0, (int)NITEMS(lcpy_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("strlcat");
	tcase_add_loop_test(tc, strlcat_table, 0, (int)NITEMS(lcat_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("snprintf");
	tcase_add_loop_test(tc, snprintf_table, 0, (int)NITEMS(snp_cases));
	tcase_add_test(tc, snprintf_format);
	suite_add_tcase(s, tc);

	tc = tcase_create("mem_find");
	tcase_add_loop_test(tc, mem_find_table, 0, (int)NITEMS(find_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("casecmp");
	tcase_add_loop_test(tc, casecmp_table, 0,
	    (int)NITEMS(casecmp_cases));
	tcase_add_loop_test(tc, ncasecmp_table, 0,
	    (int)NITEMS(ncasecmp_cases));
	tcase_add_test(tc, tolower_all_bytes);
	tcase_add_loop_test(tc, prefix_ci_table, 0,
	    (int)NITEMS(prefix_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_u64");
	tcase_add_loop_test(tc, parse_u64_table, 0, (int)NITEMS(u64_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("alloc");
	tcase_add_test(tc, xasprintf_basic);
	tcase_add_test(tc, xmemdup0_basic);
	tcase_add_loop_test(tc, xstrndup_table, 0,
	    (int)NITEMS(strndup_cases));
	tcase_add_test(tc, explicit_zero_basic);
	tcase_add_test(tc, xfree_secret_basic);
	suite_add_tcase(s, tc);

	tc = tcase_create("log");
	tcase_add_checked_fixture(tc, log_setup, log_teardown);
	tcase_add_test(tc, log_level_filter);
	tcase_add_test(tc, log_errno_text);
	tcase_add_test(tc, log_long_message);
	tcase_add_test(tc, log_default_stderr);
	suite_add_tcase(s, tc);

	tc = tcase_create("time");
	tcase_add_test(tc, time_mono_basic);
	suite_add_tcase(s, tc);

	tc = tcase_create("base64");
	tcase_add_test(tc, base64_alphabets);
	tcase_add_test(tc, base64_strict);
	suite_add_tcase(s, tc);

	return s;
}
