/*
 * check_buf.c: unit tests of include/buf.h (src/util/buf.c), the bounded
 * growable buffer: the limit, NUL termination, embedded NUL bytes and the
 * ownership transfers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* Check the buffer holds exactly [want, want + n) followed by a NUL. */
static void
check_contents(const struct buf *b, const void *want, size_t n)
{
	ck_assert_uint_eq(b->len, n);
	if (n > 0)
		ck_assert_mem_eq(buf_str(b), want, n);
	ck_assert_int_eq(buf_str(b)[n], '\0');
}

/* Fill p with n bytes that differ from one position to the next. */
static void
pattern(unsigned char *p, size_t n, size_t start)
{
	size_t	i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)('A' + (start + i) % 53);
}

START_TEST(empty_buffer)
{
	struct buf	 b;
	char		*s;

	buf_init(&b, 100);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.max, 100);
	ck_assert_ptr_nonnull(buf_str(&b));
	ck_assert_str_eq(buf_str(&b), "");

	/* Every operation is safe on a buffer that never allocated. */
	buf_reset(&b);
	buf_consume(&b, 0);
	buf_consume(&b, 5);
	buf_truncate(&b, 0);
	buf_truncate(&b, 5);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(buf_str(&b), "");
	buf_free(&b);
	buf_free(&b);
	buf_free_secret(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_str_eq(buf_str(&b), "");

	s = buf_take(&b);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "");
	free(s);
	ck_assert_str_eq(buf_str(&b), "");

	/* Appending nothing succeeds and yields "". */
	ck_assert_int_eq(buf_append(&b, "", 0), 0);
	ck_assert_int_eq(buf_append_str(&b, ""), 0);
	check_contents(&b, "", 0);
	buf_free(&b);
}
END_TEST

/*
 * Two appends of n1 then n2 bytes into a buffer of max bytes; the second
 * succeeds when n1 + n2 <= max, and otherwise leaves the first n1 bytes.
 */
static const struct {
	size_t	max, n1, n2;
	int	ok2;
} limit_cases[] = {
	{ 8, 4, 4, 1 },		/* exactly max */
	{ 8, 4, 5, 0 },		/* one byte more */
	{ 8, 0, 8, 1 },
	{ 8, 0, 9, 0 },
	{ 8, 8, 0, 1 },		/* nothing more into a full buffer */
	{ 8, 8, 1, 0 },
	{ 1, 0, 1, 1 },
	{ 1, 1, 1, 0 },
	{ 0, 0, 0, 1 },		/* max 0 */
	{ 0, 0, 1, 0 },
	{ 64, 63, 1, 1 },	/* across the first allocation */
	{ 64, 63, 2, 0 },
	{ 65, 64, 1, 1 },
	{ 200, 100, 100, 1 },
	{ 200, 100, 101, 0 },
	{ 1000, 64, 936, 1 },
	{ 1000, 64, 937, 0 },
	{ 5000, 1, 4999, 1 },
	{ 5000, 1, 5000, 0 },
	{ 100, 0, SIZE_MAX, 0 },	/* no overflow in the check */
	{ 100, 50, SIZE_MAX - 10, 0 },
};

START_TEST(append_limit_table)
{
	struct buf	 b;
	unsigned char	*src, *want;
	size_t		 max = limit_cases[_i].max, n1 = limit_cases[_i].n1;
	size_t		 n2 = limit_cases[_i].n2, srclen;
	int		 r;

	/* The second source is only read when it fits. */
	srclen = n2 <= max ? n2 : max + 1;
	src = xmalloc(n1 + srclen);
	want = xmalloc(n1 + srclen);
	pattern(src, n1 + srclen, 0);
	memcpy(want, src, n1 + srclen);

	buf_init(&b, max);
	ck_assert_int_eq(buf_append(&b, src, n1), 0);
	check_contents(&b, want, n1);
	r = buf_append(&b, src + n1, n2);
	if (limit_cases[_i].ok2) {
		ck_assert_int_eq(r, 0);
		check_contents(&b, want, n1 + n2);
		ck_assert_uint_le(b.len, b.max);
	} else {
		ck_assert_int_eq(r, -1);
		check_contents(&b, want, n1);
		/* A failed append does not poison the buffer. */
		if (n1 < max) {
			ck_assert_int_eq(buf_append_byte(&b, 'z'), 0);
			ck_assert_uint_eq(b.len, n1 + 1);
			ck_assert_int_eq(buf_str(&b)[n1], 'z');
		}
	}
	ck_assert_uint_eq(b.max, max);
	buf_free(&b);
	free(want);
	free(src);
}
END_TEST

START_TEST(max_zero)
{
	struct buf	b;

	buf_init(&b, 0);
	ck_assert_int_eq(buf_append(&b, "", 0), 0);
	ck_assert_int_eq(buf_append_byte(&b, 'a'), -1);
	ck_assert_int_eq(buf_append_str(&b, "a"), -1);
	ck_assert_int_eq(buf_printf(&b, "%d", 1), -1);
	ck_assert_int_eq(buf_printf(&b, "%s", ""), 0);
	ck_assert_ptr_null(buf_reserve(&b, 1));
	check_contents(&b, "", 0);
	buf_free(&b);
}
END_TEST

START_TEST(append_str_byte)
{
	struct buf	b;

	buf_init(&b, 10);
	ck_assert_int_eq(buf_append_str(&b, "abc"), 0);
	ck_assert_int_eq(buf_append_byte(&b, 0xff), 0);
	ck_assert_int_eq(buf_append_byte(&b, '!'), 0);
	check_contents(&b, "abc\xff!", 5);
	ck_assert_int_eq(buf_append_str(&b, "123456"), -1);
	check_contents(&b, "abc\xff!", 5);
	ck_assert_int_eq(buf_append_str(&b, "12345"), 0);
	check_contents(&b, "abc\xff!12345", 10);
	buf_free(&b);
}
END_TEST

START_TEST(embedded_nul)
{
	struct buf	b;

	buf_init(&b, 100);
	ck_assert_int_eq(buf_append(&b, "a\0b\0", 4), 0);
	check_contents(&b, "a\0b\0", 4);
	ck_assert_int_eq(buf_append_byte(&b, '\0'), 0);
	check_contents(&b, "a\0b\0\0", 5);
	ck_assert_int_eq(buf_append(&b, "\0c", 2), 0);
	check_contents(&b, "a\0b\0\0\0c", 7);
	/* buf_str stops at the first NUL, len does not. */
	ck_assert_str_eq(buf_str(&b), "a");
	buf_consume(&b, 1);
	check_contents(&b, "\0b\0\0\0c", 6);
	buf_truncate(&b, 3);
	check_contents(&b, "\0b\0", 3);
	buf_free(&b);
}
END_TEST

START_TEST(printf_basic)
{
	struct buf	 b;
	char		*s;

	buf_init(&b, 16);
	ck_assert_int_eq(buf_printf(&b, "%d-%s", 42, "ab"), 0);
	check_contents(&b, "42-ab", 5);
	/* Up to exactly max. */
	ck_assert_int_eq(buf_printf(&b, "%s", "0123456789x"), 0);
	check_contents(&b, "42-ab0123456789x", 16);
	/* Past max: fails, unchanged. */
	ck_assert_int_eq(buf_printf(&b, "%c", 'y'), -1);
	check_contents(&b, "42-ab0123456789x", 16);
	ck_assert_int_eq(buf_printf(&b, "%s", ""), 0);
	check_contents(&b, "42-ab0123456789x", 16);
	buf_free(&b);

	/* Failing on an empty buffer leaves it empty. */
	buf_init(&b, 4);
	ck_assert_int_eq(buf_printf(&b, "%s", "hello"), -1);
	check_contents(&b, "", 0);
	ck_assert_int_eq(buf_printf(&b, "%s", "hell"), 0);
	check_contents(&b, "hell", 4);
	buf_free(&b);

	/* Partly filled, then a printf one byte too long. */
	buf_init(&b, 10);
	ck_assert_int_eq(buf_append_str(&b, "abcde"), 0);
	ck_assert_int_eq(buf_printf(&b, "%06d", 7), -1);
	check_contents(&b, "abcde", 5);
	ck_assert_int_eq(buf_printf(&b, "%05d", 7), 0);
	check_contents(&b, "abcde00007", 10);
	buf_free(&b);

	/* Growth well beyond the first allocation. */
	buf_init(&b, 4096);
	ck_assert_int_eq(buf_printf(&b, "%0300d", 5), 0);
	ck_assert_uint_eq(b.len, 300);
	ck_assert_int_eq(buf_str(&b)[0], '0');
	ck_assert_int_eq(buf_str(&b)[299], '5');
	ck_assert_int_eq(buf_str(&b)[300], '\0');
	s = buf_take(&b);
	ck_assert_uint_eq(strlen(s), 300);
	free(s);
}
END_TEST

/* buf_consume on "abcdef"; then "X" is appended to what is left. */
static const struct {
	size_t		 n;
	const char	*want;
} consume_cases[] = {
	{ 0, "abcdef" },
	{ 1, "bcdef" },
	{ 2, "cdef" },
	{ 5, "f" },
	{ 6, "" },		/* exactly len */
	{ 7, "" },		/* more than len */
	{ SIZE_MAX, "" },
};

START_TEST(consume_table)
{
	struct buf	b;
	char		after[16];
	size_t		wlen = strlen(consume_cases[_i].want);

	buf_init(&b, 10);
	ck_assert_int_eq(buf_append_str(&b, "abcdef"), 0);
	buf_consume(&b, consume_cases[_i].n);
	check_contents(&b, consume_cases[_i].want, wlen);
	/* The space consumed is available again. */
	(void)snprintf(after, sizeof(after), "%sX", consume_cases[_i].want);
	ck_assert_int_eq(buf_append_byte(&b, 'X'), 0);
	check_contents(&b, after, wlen + 1);
	ck_assert_int_eq(buf_append(&b, "0123456789", 10 - (wlen + 1)), 0);
	ck_assert_uint_eq(b.len, 10);
	ck_assert_int_eq(buf_append_byte(&b, 'Y'), -1);
	buf_free(&b);
}
END_TEST

START_TEST(truncate_basic)
{
	struct buf	b;

	buf_init(&b, 10);
	ck_assert_int_eq(buf_append_str(&b, "abcdef"), 0);
	buf_truncate(&b, 10);			/* n > len: no-op */
	check_contents(&b, "abcdef", 6);
	buf_truncate(&b, 6);			/* n == len: no-op */
	check_contents(&b, "abcdef", 6);
	buf_truncate(&b, 3);
	check_contents(&b, "abc", 3);
	ck_assert_int_eq(buf_append_str(&b, "1234567"), 0);
	check_contents(&b, "abc1234567", 10);
	buf_truncate(&b, 0);
	check_contents(&b, "", 0);
	ck_assert_int_eq(buf_append_str(&b, "0123456789"), 0);
	check_contents(&b, "0123456789", 10);
	buf_free(&b);
}
END_TEST

START_TEST(reserve_commit)
{
	struct buf	 b;
	char		*p;

	buf_init(&b, 16);
	p = buf_reserve(&b, 10);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_eq(p, b.data + b.len);
	memcpy(p, "hello", 5);
	buf_commit(&b, 5);
	check_contents(&b, "hello", 5);

	/* Too much: NULL and unchanged. */
	ck_assert_ptr_null(buf_reserve(&b, 12));
	check_contents(&b, "hello", 5);
	ck_assert_ptr_null(buf_reserve(&b, SIZE_MAX));
	check_contents(&b, "hello", 5);

	/* Reserving without committing changes nothing visible. */
	p = buf_reserve(&b, 3);
	ck_assert_ptr_nonnull(p);
	check_contents(&b, "hello", 5);
	buf_commit(&b, 0);
	check_contents(&b, "hello", 5);

	/* Exactly up to max. */
	p = buf_reserve(&b, 11);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_eq(p, b.data + 5);
	memcpy(p, " world!!!!!", 11);
	buf_commit(&b, 11);
	check_contents(&b, "hello world!!!!!", 16);
	ck_assert_ptr_null(buf_reserve(&b, 1));
	ck_assert_ptr_nonnull(buf_reserve(&b, 0));
	check_contents(&b, "hello world!!!!!", 16);
	buf_free(&b);

	/* Commit less than reserved, with a NUL byte in it. */
	buf_init(&b, 100);
	p = buf_reserve(&b, 50);
	ck_assert_ptr_nonnull(p);
	memcpy(p, "a\0b", 3);
	buf_commit(&b, 3);
	check_contents(&b, "a\0b", 3);
	buf_free(&b);
}
END_TEST

START_TEST(take_basic)
{
	struct buf	 b;
	char		*s;

	buf_init(&b, 8);
	ck_assert_int_eq(buf_append_str(&b, "hello"), 0);
	s = buf_take(&b);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "hello");
	/* The buffer is reset and no longer owns s. */
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(buf_str(&b), "");
	ck_assert_uint_eq(b.max, 8);

	/* Usable again, same max. */
	ck_assert_int_eq(buf_append_str(&b, "12345678"), 0);
	ck_assert_int_eq(buf_append_byte(&b, '9'), -1);
	check_contents(&b, "12345678", 8);
	ck_assert_str_eq(s, "hello");
	free(s);

	/* Taken after a reset: "" even though memory was allocated. */
	buf_reset(&b);
	s = buf_take(&b);
	ck_assert_str_eq(s, "");
	free(s);

	/* Never allocated: a fresh "". */
	s = buf_take(&b);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "");
	free(s);
	buf_free(&b);
}
END_TEST

START_TEST(reset_basic)
{
	struct buf	 b;
	char		*data;
	size_t		 cap;

	buf_init(&b, 8);
	ck_assert_int_eq(buf_append_str(&b, "hello"), 0);
	data = b.data;
	cap = b.cap;
	buf_reset(&b);
	check_contents(&b, "", 0);
	/* The memory is kept. */
	ck_assert_ptr_eq(b.data, data);
	ck_assert_uint_eq(b.cap, cap);
	ck_assert_int_eq(buf_append_str(&b, "ab"), 0);
	check_contents(&b, "ab", 2);
	ck_assert_int_eq(buf_append_str(&b, "cdefgh"), 0);
	ck_assert_int_eq(buf_append_byte(&b, 'i'), -1);
	check_contents(&b, "abcdefgh", 8);
	buf_free(&b);
}
END_TEST

START_TEST(free_reuse)
{
	struct buf	b;

	buf_init(&b, 6);
	ck_assert_int_eq(buf_append_str(&b, "abc"), 0);
	buf_free(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	ck_assert_uint_eq(b.max, 6);
	ck_assert_str_eq(buf_str(&b), "");
	buf_free(&b);			/* twice is harmless */

	ck_assert_int_eq(buf_append_str(&b, "defghi"), 0);
	check_contents(&b, "defghi", 6);
	ck_assert_int_eq(buf_append_byte(&b, 'j'), -1);
	buf_free(&b);
}
END_TEST

START_TEST(free_secret)
{
	struct buf	b;

	buf_init(&b, 64);
	ck_assert_int_eq(buf_append_str(&b, "p4ssw0rd"), 0);
	buf_truncate(&b, 2);	/* bytes past len are wiped too */
	buf_free_secret(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	ck_assert_uint_eq(b.max, 64);
	ck_assert_str_eq(buf_str(&b), "");
	buf_free_secret(&b);		/* and on an empty buffer */

	ck_assert_int_eq(buf_printf(&b, "%s", "again"), 0);
	check_contents(&b, "again", 5);
	buf_free_secret(&b);
	ck_assert_ptr_null(b.data);
}
END_TEST

/* Many small appends: growth keeps every byte. */
START_TEST(many_appends)
{
	struct buf	 b;
	unsigned char	 want[3000], c;
	size_t		 i;

	pattern(want, sizeof(want), 7);
	buf_init(&b, sizeof(want));
	for (i = 0; i < sizeof(want); i++) {
		c = want[i];
		ck_assert_int_eq(buf_append_byte(&b, c), 0);
	}
	check_contents(&b, want, sizeof(want));
	ck_assert_int_eq(buf_append_byte(&b, 'x'), -1);
	ck_assert_uint_le(b.cap, sizeof(want) + 1);
	buf_consume(&b, 1000);
	check_contents(&b, want + 1000, sizeof(want) - 1000);
	buf_free(&b);
}
END_TEST

Suite *
buf_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("buf");

	tc = tcase_create("empty");
	tcase_add_test(tc, empty_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("append");
	tcase_add_loop_test(tc, append_limit_table, 0,
	    (int)NITEMS(limit_cases));
	tcase_add_test(tc, max_zero);
	tcase_add_test(tc, append_str_byte);
	tcase_add_test(tc, embedded_nul);
	tcase_add_test(tc, many_appends);
	suite_add_tcase(s, tc);

	tc = tcase_create("printf");
	tcase_add_test(tc, printf_basic);
	suite_add_tcase(s, tc);

	tc = tcase_create("consume");
	tcase_add_loop_test(tc, consume_table, 0, (int)NITEMS(consume_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("truncate");
	tcase_add_test(tc, truncate_basic);
	suite_add_tcase(s, tc);

	tc = tcase_create("reserve");
	tcase_add_test(tc, reserve_commit);
	suite_add_tcase(s, tc);

	tc = tcase_create("take");
	tcase_add_test(tc, take_basic);
	suite_add_tcase(s, tc);

	tc = tcase_create("reset");
	tcase_add_test(tc, reset_basic);
	suite_add_tcase(s, tc);

	tc = tcase_create("free");
	tcase_add_test(tc, free_reuse);
	tcase_add_test(tc, free_secret);
	suite_add_tcase(s, tc);

	return s;
}
