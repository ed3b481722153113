/*
 * check_mime_addr.c: unit tests of addresses, dates and Message-IDs in
 * include/mime.h (src/mime/address.c, date.c, msgid.c): the examples of
 * RFC 5322 Appendix A, groups, comments, encoded and 8-bit names, the
 * breakage of real mail (missing brackets, commas and semicolons mixed,
 * unterminated quotes), hostile input (NUL bytes, deep comments, huge
 * lists), formatting and folding with round trips, every date form with
 * its UTC seconds (computed with "date -u -d ... +%s"), and msg-id lists.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

Suite	*mime_addr_suite(void);

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* Bytes with a length: string literals may hold NUL. */
struct bytes {
	const char	*p;
	size_t		 n;
};
#define B(s)		{ (s), sizeof(s) - 1 }

struct want_addr {
	const char	*name;
	const char	*addr;
	const char	*group;
};

/* A deterministic byte source for the random tests. */
static uint32_t
lcg(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

static void
ck_entry(const struct mime_addr *a, const struct want_addr *w, size_t i)
{
	ck_assert_msg((a->name == NULL) == (w->name == NULL) &&
	    (a->name == NULL || strcmp(a->name, w->name) == 0),
	    "entry %zu: name \"%s\", want \"%s\"", i,
	    a->name ? a->name : "(null)", w->name ? w->name : "(null)");
	ck_assert_msg((a->addr == NULL) == (w->addr == NULL) &&
	    (a->addr == NULL || strcmp(a->addr, w->addr) == 0),
	    "entry %zu: addr \"%s\", want \"%s\"", i,
	    a->addr ? a->addr : "(null)", w->addr ? w->addr : "(null)");
	ck_assert_msg((a->group == NULL) == (w->group == NULL) &&
	    (a->group == NULL || strcmp(a->group, w->group) == 0),
	    "entry %zu: group \"%s\", want \"%s\"", i,
	    a->group ? a->group : "(null)", w->group ? w->group : "(null)");
}

/* Two lists hold the same entries. */
static void
ck_same_list(const struct mime_addr_list *a, const struct mime_addr_list *b,
    const char *what)
{
	size_t	i;

	ck_assert_msg(a->n == b->n, "%s: %zu entries, then %zu", what, a->n,
	    b->n);
	for (i = 0; i < a->n; i++) {
		struct want_addr	w = { a->v[i].name, a->v[i].addr,
		    a->v[i].group };

		ck_entry(&b->v[i], &w, i);
	}
}

/* No line of a folded value is longer than width (the first one starts
 * after the field name, its colon and a space). */
static void
ck_fold_width(const char *s, size_t name_len, size_t width)
{
	size_t	col = name_len + 2;

	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			ck_assert_msg(col <= width, "line of %zu columns", col);
			ck_assert_msg(s[1] == ' ', "fold without a blank");
			col = 0;
			continue;
		}
		col++;
	}
	ck_assert_msg(col <= width, "last line of %zu columns", col);
}

/* ------------------------------------------------------------------ */
/* mime_addr_parse                                                     */

static const struct {
	struct bytes		in;
	size_t			n;
	struct want_addr	want[4];
} parse_cases[] = {
	/* Nothing. */
	{ B(""), 0, { { 0 } } },
	{ B("   \t "), 0, { { 0 } } },
	{ B(",,, ;;"), 0, { { 0 } } },
	{ B("(just a comment)"), 0, { { 0 } } },
	/* RFC 5322 A.1.1 to A.1.3. */
	{ B("John Doe <jdoe@machine.example>"), 1,
	  { { "John Doe", "jdoe@machine.example", NULL } } },
	{ B("\"Joe Q. Public\" <john.q.public@example.com>"), 1,
	  { { "Joe Q. Public", "john.q.public@example.com", NULL } } },
	{ B("Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>"),
	  3, { { "Mary Smith", "mary@x.test", NULL },
	  { NULL, "jdoe@example.org", NULL },
	  { "Who?", "one@y.test", NULL } } },
	{ B("<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" "
	    "<sysservices@example.net>"), 2,
	  { { NULL, "boss@nil.test", NULL },
	  { "Giant; \"Big\" Box", "sysservices@example.net", NULL } } },
	{ B("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;"),
	  3, { { "Ed Jones", "c@a.test", "A Group" },
	  { NULL, "joe@where.test", "A Group" },
	  { "John", "jdoe@one.test", "A Group" } } },
	{ B("Undisclosed recipients:;"), 1,
	  { { NULL, NULL, "Undisclosed recipients" } } },
	/* RFC 5322 A.5: white space, comments and other oddities. */
	{ B("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>"),
	  1, { { "Pete", "pete@silly.test", NULL } } },
	{ B("A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)"
	    "public.example>,\r\n         joe@example.org,\r\n  John "
	    "<jdoe@one.test> (my dpt. and my dhtn.)\r\n     ;"), 3,
	  { { "Chris Jones", "c@public.example", "A Group" },
	  { NULL, "joe@example.org", "A Group" },
	  { "John", "jdoe@one.test", "A Group" } } },
	{ B("(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;"),
	  1, { { NULL, NULL, "Hidden recipients" } } },
	/* RFC 5322 A.6.1 and A.6.3: obsolete forms. */
	{ B("Joe Q. Public <john.q.public@example.com>"), 1,
	  { { "Joe Q. Public", "john.q.public@example.com", NULL } } },
	{ B("Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example"),
	  2, { { "Mary Smith", "mary@example.net", NULL },
	  { NULL, "jdoe@test.example", NULL } } },
	{ B("John Doe <jdoe@machine(comment).  example>"), 1,
	  { { "John Doe", "jdoe@machine.example", NULL } } },
	{ B("john . q . public @ example . com"), 1,
	  { { NULL, "john.q.public@example.com", NULL } } },
	{ B("<@route1,@route2:user@host>"), 1,
	  { { NULL, "user@host", NULL } } },
	/* Comments as names (the RFC 822 habit). */
	{ B("jdoe@example.org (John Doe)"), 1,
	  { { "John Doe", "jdoe@example.org", NULL } } },
	{ B("(John Doe) jdoe@example.org"), 1,
	  { { "John Doe", "jdoe@example.org", NULL } } },
	{ B("jdoe@example.org (John (the) Doe \\) x)"), 1,
	  { { "John (the) Doe ) x", "jdoe@example.org", NULL } } },
	{ B("<a@b> (Comment Name)"), 1, { { "Comment Name", "a@b", NULL } } },
	{ B("root (Super User)"), 1, { { "Super User", "root", NULL } } },
	{ B("a.b.c@d.e (x) , y@z"), 2,
	  { { "x", "a.b.c@d.e", NULL }, { NULL, "y@z", NULL } } },
	/* Quoted names with commas, semicolons, escapes. */
	{ B("\"Doe, John\" <jdoe@example.org>, \"Smith, Jane\" <js@x.org>"), 2,
	  { { "Doe, John", "jdoe@example.org", NULL },
	  { "Smith, Jane", "js@x.org", NULL } } },
	{ B("\"John\\\\Doe\" <j@x>"), 1, { { "John\\Doe", "j@x", NULL } } },
	{ B("John \"the man\" Doe <j@x>"), 1,
	  { { "John the man Doe", "j@x", NULL } } },
	{ B("\"\" <a@b>"), 1, { { NULL, "a@b", NULL } } },
	{ B("\"  padded  \" <a@b>"), 1, { { "padded", "a@b", NULL } } },
	/* ';' instead of ',' and empty elements. */
	{ B("\"Doe, John\" <jdoe@example.org>; js@x.org"), 2,
	  { { "Doe, John", "jdoe@example.org", NULL },
	  { NULL, "js@x.org", NULL } } },
	{ B("a@b,,, ,c@d"), 2,
	  { { NULL, "a@b", NULL }, { NULL, "c@d", NULL } } },
	{ B("Name <a@b>, (only a comment), <c@d>"), 2,
	  { { "Name", "a@b", NULL }, { NULL, "c@d", NULL } } },
	/* Missing brackets, commas, quotes. */
	{ B("John Doe jdoe@example.org"), 1,
	  { { "John Doe", "jdoe@example.org", NULL } } },
	{ B("jdoe@example.org John Doe"), 1,
	  { { "John Doe", "jdoe@example.org", NULL } } },
	{ B("Mr. Smith smith@x"), 1, { { "Mr. Smith", "smith@x", NULL } } },
	{ B("Name <a@b"), 1, { { "Name", "a@b", NULL } } },
	{ B("Name <a@b, c@d"), 2,
	  { { "Name", "a@b", NULL }, { NULL, "c@d", NULL } } },
	{ B("Name a@b>"), 1, { { "Name", "a@b", NULL } } },
	{ B("<<a@b>>"), 1, { { NULL, "a@b", NULL } } },
	{ B("a@b c@d"), 2, { { NULL, "a@b", NULL }, { NULL, "c@d", NULL } } },
	{ B("A <a@b> B <c@d>"), 2,
	  { { "A", "a@b", NULL }, { "B", "c@d", NULL } } },
	{ B("foo@bar.com <foo@bar.com>"), 1,
	  { { "foo@bar.com", "foo@bar.com", NULL } } },
	{ B("\"unterminated <a@b>"), 1, { { "unterminated", "a@b", NULL } } },
	{ B("(unterminated <a@b>"), 1, { { "unterminated", "a@b", NULL } } },
	{ B("<a@[1.2.3.4]>, b@[IPv6:::1]"), 2,
	  { { NULL, "a@[1.2.3.4]", NULL }, { NULL, "b@[IPv6:::1]", NULL } } },
	/* No domain: kept visible (mime_addr_valid() says no). */
	{ B("root"), 1, { { NULL, "root", NULL } } },
	{ B("Undisclosed recipients"), 1,
	  { { NULL, "Undisclosed recipients", NULL } } },
	/* Null addresses. */
	{ B("<>"), 1, { { NULL, "", NULL } } },
	{ B("MAILER-DAEMON <>"), 1, { { "MAILER-DAEMON", "", NULL } } },
	/* Quoted local parts, UTF-8 (RFC 6532). */
	{ B("\"a b\"@example.org"), 1,
	  { { NULL, "\"a b\"@example.org", NULL } } },
	{ B("<\"a\\,b\" @ example.org>"), 1,
	  { { NULL, "\"a,b\"@example.org", NULL } } },
	{ B("j\xc3\xb6hn@ex\xc3\xa4mple.org"), 1,
	  { { NULL, "j\xc3\xb6hn@ex\xc3\xa4mple.org", NULL } } },
	{ B("J\xc3\xb6hn D\xc5\x93 <j\xc3\xb6hn@ex\xc3\xa4mple.org>"), 1,
	  { { "J\xc3\xb6hn D\xc5\x93", "j\xc3\xb6hn@ex\xc3\xa4mple.org",
	  NULL } } },
	/* RFC 2047 names, raw 8-bit names. */
	{ B("=?utf-8?q?Fran=C3=A7ois?= <f@x>"), 1,
	  { { "Fran\xc3\xa7ois", "f@x", NULL } } },
	{ B("=?utf-8?q?Doe,_John?= <j@x>"), 1,
	  { { "Doe, John", "j@x", NULL } } },
	{ B("=?iso-8859-1?q?Andr=E9?= Pirard <a@b>"), 1,
	  { { "Andr\xc3\xa9 Pirard", "a@b", NULL } } },
	{ B("\"=?utf-8?q?Fran=C3=A7ois?=\" <f@x>"), 1,
	  { { "Fran\xc3\xa7ois", "f@x", NULL } } },
	{ B("=?utf-8?b?w6k=?= <e@x>"), 1, { { "\xc3\xa9", "e@x", NULL } } },
	{ B("Jos\xe9 <j@x>"), 1, { { "Jos\xc3\xa9", "j@x", NULL } } },
	{ B("j@x (=?utf-8?q?Fran=C3=A7ois?=)"), 1,
	  { { "Fran\xc3\xa7ois", "j@x", NULL } } },
	/* Groups. */
	{ B("=?utf-8?q?=C3=89quipe?=: a@b, c@d;"), 2,
	  { { NULL, "a@b", "\xc3\x89quipe" },
	  { NULL, "c@d", "\xc3\x89quipe" } } },
	{ B("g: a@b, c@d"), 2, { { NULL, "a@b", "g" }, { NULL, "c@d", "g" } } },
	{ B("g1: a@b; g2:;"), 2,
	  { { NULL, "a@b", "g1" }, { NULL, NULL, "g2" } } },
	{ B("g: a@b;, c@d"), 2,
	  { { NULL, "a@b", "g" }, { NULL, "c@d", NULL } } },
	{ B("g1: a@b, g2: c@d;"), 2,
	  { { NULL, "a@b", "g1" }, { NULL, "c@d", "g2" } } },
	{ B("undisclosed-recipients: ;"), 1,
	  { { NULL, NULL, "undisclosed-recipients" } } },
	{ B("g: (nobody);"), 1, { { NULL, NULL, "g" } } },
	{ B(":;"), 1, { { NULL, NULL, "" } } },
	{ B("\"Team, A\": x@y;"), 1, { { NULL, "x@y", "Team, A" } } },
	/* Controls and NUL bytes. */
	{ B("a\0b <c@d>"), 1, { { "a b", "c@d", NULL } } },
	{ B("Name <a\0@b>"), 1, { { "Name", "a@b", NULL } } },
	{ B("\"a\0b\" <c@d>"), 1, { { "ab", "c@d", NULL } } },
	{ B("Evil\x1b[31m <a@b>"), 1, { { "Evil 31m", "a@b", NULL } } },
	{ B("=?utf-8?q?a=0Ab=1B=00c?= <a@b>"), 1,
	  { { "a b c", "a@b", NULL } } },
	{ B("\"x\x07y\" <a@b>"), 1, { { "x y", "a@b", NULL } } },
};

START_TEST(parse_table)
{
	struct mime_addr_list	l = { NULL, 0 };
	size_t			i;

	mime_addr_parse(parse_cases[_i].in.p, parse_cases[_i].in.n, NULL, &l);
	ck_assert_msg(l.n == parse_cases[_i].n, "\"%s\": %zu entries, want %zu",
	    parse_cases[_i].in.p, l.n, parse_cases[_i].n);
	for (i = 0; i < l.n && i < NITEMS(parse_cases[_i].want); i++)
		ck_entry(&l.v[i], &parse_cases[_i].want[i], i);
	mime_addr_list_free(&l);
	ck_assert_ptr_null(l.v);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

/* Every table entry survives list_format then parse unchanged. */
START_TEST(parse_table_round_trip)
{
	struct mime_addr_list	 a = { NULL, 0 }, b = { NULL, 0 };
	char			*s;

	mime_addr_parse(parse_cases[_i].in.p, parse_cases[_i].in.n, NULL, &a);
	s = mime_addr_list_format(&a, 2);
	mime_addr_parse(s, strlen(s), NULL, &b);
	ck_same_list(&a, &b, s);
	free(s);
	mime_addr_list_free(&a);
	mime_addr_list_free(&b);
}
END_TEST

START_TEST(parse_null_and_append)
{
	struct mime_addr_list	l = { NULL, 0 };

	mime_addr_parse(NULL, 10, NULL, &l);
	ck_assert_uint_eq(l.n, 0);
	mime_addr_list_add(&l, "Me", "me@x");
	mime_addr_parse("a@b, C <c@d>", 12, NULL, &l);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.v[0].addr, "me@x");
	ck_assert_str_eq(l.v[1].addr, "a@b");
	ck_assert_str_eq(l.v[2].name, "C");
	/* Only n bytes are read: no NUL needed after them. */
	mime_addr_parse("x@y, z@w", 3, NULL, &l);
	ck_assert_uint_eq(l.n, 4);
	ck_assert_str_eq(l.v[3].addr, "x@y");
	mime_addr_list_free(&l);
	mime_addr_list_free(&l);	/* twice is harmless */
	mime_addr_list_free(NULL);
}
END_TEST

START_TEST(parse_fallback_charset)
{
	struct mime_addr_list	l = { NULL, 0 };

	/* 0xE9 is e acute in ISO-8859-1, Cyrillic I in KOI8-R. */
	mime_addr_parse("Jos\xe9 <j@x>", 9, "koi8-r", &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].name, "Jos\xd0\x98");
	mime_addr_list_free(&l);
}
END_TEST

START_TEST(list_add)
{
	struct mime_addr_list	l = { NULL, 0 };
	size_t			i;

	for (i = 0; i < 100; i++)
		mime_addr_list_add(&l, i % 2 ? "Name" : NULL, "a@b");
	mime_addr_list_add(&l, NULL, NULL);
	ck_assert_uint_eq(l.n, 101);
	ck_assert_ptr_null(l.v[0].name);
	ck_assert_str_eq(l.v[1].name, "Name");
	ck_assert_ptr_null(l.v[100].addr);
	ck_assert_ptr_null(l.v[50].group);
	mime_addr_list_free(&l);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Hostile input                                                       */

static char *
repeat(const char *unit, size_t times, size_t *len)
{
	size_t	 u = strlen(unit), i;
	char	*s = malloc(u * times + 1);

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < times; i++)
		memcpy(s + i * u, unit, u);
	s[u * times] = '\0';
	*len = u * times;
	return s;
}

START_TEST(parse_cap)
{
	struct mime_addr_list	 l = { NULL, 0 };
	size_t			 len;
	char			*s;

	s = repeat("a@b, ", MIME_MAX_ADDRS + 500, &len);
	mime_addr_parse(s, len, NULL, &l);
	ck_assert_uint_eq(l.n, MIME_MAX_ADDRS);
	mime_addr_list_free(&l);
	free(s);
	/* Groups count too. */
	s = repeat("g:;", MIME_MAX_ADDRS + 3, &len);
	mime_addr_parse(s, len, NULL, &l);
	ck_assert_uint_eq(l.n, MIME_MAX_ADDRS);
	mime_addr_list_free(&l);
	free(s);
}
END_TEST

/* Units repeated 200,000 times: no crash, no quadratic time (the test
 * would time out), sane results. */
static const struct {
	const char	*unit;
	size_t		 n;
} hostile_cases[] = {
	{ "(", 0 }, { ")", 0 }, { "\"", 1 }, { "\\", 1 }, { "<", 1 },
	{ ">", 0 }, { "[", 0 }, { ":", 1 }, { ";", 0 }, { "@", 1 },
	{ "=?", 1 }, { "=?a?q?", 1 }, { "=?,", MIME_MAX_ADDRS }, { "<@", 1 },
	{ "a ", 1 }, { "a@b ", MIME_MAX_ADDRS }, { "<a>", MIME_MAX_ADDRS },
	{ "(\\", 1 }, { "\"\\", 1 }, { "x\"", 1 }, { "((x)", 1 },
	{ "a<", 1 }, { "\xff", 1 },
};

START_TEST(parse_hostile)
{
	struct mime_addr_list	 l = { NULL, 0 };
	size_t			 len, i;
	char			*s;

	s = repeat(hostile_cases[_i].unit, 200000, &len);
	mime_addr_parse(s, len, NULL, &l);
	ck_assert_msg(l.n == hostile_cases[_i].n, "\"%s\": %zu entries",
	    hostile_cases[_i].unit, l.n);
	for (i = 0; i < l.n; i++)
		ck_assert(l.v[i].addr == NULL || strlen(l.v[i].addr) < len + 2);
	mime_addr_list_free(&l);
	free(s);
}
END_TEST

/* Random bytes from a small alphabet of specials: no crash, no controls
 * in the results, and format then parse gives the same entries. */
START_TEST(parse_random)
{
	static const char	 alpha[] =
	    "ab@.,;:<>()\"\\[] \t\r\n=?\0\x80\xc3";
	struct mime_addr_list	 a = { NULL, 0 }, b = { NULL, 0 };
	uint32_t		 st = (uint32_t)_i * 7919u + 1;
	char			 in[64], *s;
	size_t			 n, i;

	n = lcg(&st) % sizeof(in);
	for (i = 0; i < n; i++)
		in[i] = alpha[lcg(&st) % (sizeof(alpha) - 1)];
	mime_addr_parse(in, n, NULL, &a);
	for (i = 0; i < a.n; i++) {
		const char	*p;

		for (p = a.v[i].name; p != NULL && *p != '\0'; p++)
			ck_assert((unsigned char)*p >= ' ' && *p != 0x7f);
		for (p = a.v[i].addr; p != NULL && *p != '\0'; p++)
			ck_assert((unsigned char)*p >= ' ' && *p != 0x7f);
	}
	s = mime_addr_list_format(&a, 2);
	mime_addr_parse(s, strlen(s), NULL, &b);
	ck_same_list(&a, &b, s);
	free(s);
	mime_addr_list_free(&a);
	mime_addr_list_free(&b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Formatting                                                          */

static const struct {
	struct want_addr	 a;
	const char		*want;
} format_cases[] = {
	{ { "John Doe", "jdoe@example.org", NULL },
	  "John Doe <jdoe@example.org>" },
	{ { NULL, "jdoe@example.org", NULL }, "jdoe@example.org" },
	{ { "", "jdoe@example.org", NULL }, "jdoe@example.org" },
	{ { "Doe, John", "j@x", NULL }, "\"Doe, John\" <j@x>" },
	{ { "Joe Q. Public", "j@x", NULL }, "\"Joe Q. Public\" <j@x>" },
	{ { "say \"hi\"", "j@x", NULL }, "\"say \\\"hi\\\"\" <j@x>" },
	{ { "back\\slash", "j@x", NULL }, "\"back\\\\slash\" <j@x>" },
	{ { "a  b", "j@x", NULL }, "\"a  b\" <j@x>" },
	{ { " lead", "j@x", NULL }, "\" lead\" <j@x>" },
	{ { "O'Brien", "o@x", NULL }, "O'Brien <o@x>" },
	{ { "x@y", "o@x", NULL }, "\"x@y\" <o@x>" },
	{ { "Who?", "one@y.test", NULL }, "Who? <one@y.test>" },
	{ { NULL, NULL, "Undisclosed recipients" },
	  "Undisclosed recipients:;" },
	{ { NULL, NULL, "Team, A" }, "\"Team, A\":;" },
	{ { NULL, NULL, NULL }, "" },
	{ { NULL, "", NULL }, "<>" },
	{ { "Name", "", NULL }, "Name <>" },
	{ { NULL, "\"a b\"@c", NULL }, "<\"a b\"@c>" },
	{ { NULL, "root", NULL }, "root" },
	{ { NULL, "Undisclosed recipients", NULL },
	  "<Undisclosed recipients>" },
	{ { "Line\r\nBreak", "a@b", NULL }, NULL },	/* encoded: no CR LF */
};

START_TEST(format_table)
{
	struct mime_addr	 a;
	char			*s;

	a.name = (char *)(uintptr_t)format_cases[_i].a.name;
	a.addr = (char *)(uintptr_t)format_cases[_i].a.addr;
	a.group = (char *)(uintptr_t)format_cases[_i].a.group;
	s = mime_addr_format(&a);
	if (format_cases[_i].want != NULL)
		ck_assert_str_eq(s, format_cases[_i].want);
	else
		ck_assert(strpbrk(s, "\r\n") == NULL);
	free(s);
}
END_TEST

START_TEST(format_null)
{
	char	*s = mime_addr_format(NULL);

	ck_assert_str_eq(s, "");
	free(s);
	s = mime_addr_list_format(NULL, 2);
	ck_assert_str_eq(s, "");
	free(s);
	s = mime_addr_display(NULL);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

/* Names that need quoting or encoding come back unchanged. */
static const char *const trip_names[] = {
	"Doe, John", "say \"hi\"", "back\\slash", "a  b", "Joe Q. Public",
	"x@y", "<angle>", "semi;colon", "colon: x", "(comment)", "[lit]",
	"Fran\xc3\xa7ois Dupont", "M\xc3\xbcller, Hans", "\xc3\xa9",
	"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e "
	"\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88",
	"=?utf-8?q?not_a_word?=", "a =? b", "100% \xe2\x82\xac", "'quoted'",
	"Dr. M\xc3\xbcller-L\xc3\xbc\xc3\xb6\xc3\xa4" "denscheid, Ph.D. "
	"(Universit\xc3\xa4t Z\xc3\xbcrich, Institut f\xc3\xbcr Informatik)",
	"\xf0\x9f\x93\xae mailbox",
};

START_TEST(format_round_trip)
{
	struct mime_addr_list	 a = { NULL, 0 }, b = { NULL, 0 };
	const char		*p;
	char			*s;

	mime_addr_list_add(&a, trip_names[_i], "user@example.org");
	mime_addr_list_add(&a, trip_names[_i], "other@example.org");
	a.v[1].group = strdup(trip_names[_i]);
	s = mime_addr_list_format(&a, 2);
	for (p = s; *p != '\0'; p++)
		ck_assert_msg((unsigned char)*p < 0x80, "8-bit in \"%s\"", s);
	ck_fold_width(s, 2, 78);
	mime_addr_parse(s, strlen(s), NULL, &b);
	ck_same_list(&a, &b, s);
	free(s);
	mime_addr_list_free(&a);
	mime_addr_list_free(&b);
}
END_TEST

static const struct {
	struct want_addr	 v[4];
	size_t			 n;
	const char		*want;
} list_cases[] = {
	{ { { 0 } }, 0, "" },
	{ { { NULL, "a@b", NULL }, { "C", "c@d", NULL },
	  { NULL, "e@f", NULL } }, 3, "a@b, C <c@d>, e@f" },
	{ { { "A", "a@b", "g" }, { NULL, "c@d", "g" }, { NULL, "e@f", NULL } },
	  3, "g: A <a@b>, c@d;, e@f" },
	{ { { NULL, NULL, "g" }, { NULL, "a@b", "g" } }, 2, "g:;, g: a@b;" },
	{ { { NULL, "a@b", NULL }, { NULL, NULL, NULL },
	  { NULL, "c@d", NULL } }, 3, "a@b, c@d" },
	{ { { NULL, "a@b", "g1" }, { NULL, "c@d", "g2" } }, 2,
	  "g1: a@b;, g2: c@d;" },
};

START_TEST(list_format_table)
{
	struct mime_addr_list	 l;
	struct mime_addr	 v[4];
	size_t			 i;
	char			*s;

	for (i = 0; i < list_cases[_i].n; i++) {
		v[i].name = (char *)(uintptr_t)list_cases[_i].v[i].name;
		v[i].addr = (char *)(uintptr_t)list_cases[_i].v[i].addr;
		v[i].group = (char *)(uintptr_t)list_cases[_i].v[i].group;
	}
	l.v = v;
	l.n = list_cases[_i].n;
	s = mime_addr_list_format(&l, 2);
	ck_assert_str_eq(s, list_cases[_i].want);
	free(s);
}
END_TEST

/* Long lists fold between addresses, lines within 78 columns. */
static const size_t fold_name_lens[] = { 2, 4, 8, 27, 40 };

START_TEST(list_format_fold)
{
	struct mime_addr_list	 a = { NULL, 0 }, b = { NULL, 0 };
	size_t			 i;
	char			*s, name[64], addr[64];

	for (i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), i % 3 == 0 ? "Firstname%zu "
		    "Lastname" : i % 3 == 1 ? "Lastname%zu, First" :
		    "Fr\xc3\xa9" "d\xc3\xa9ric%zu Dupont-Lef\xc3\xa8vre", i);
		snprintf(addr, sizeof(addr), "user%zu@example.org", i);
		mime_addr_list_add(&a, i % 5 == 4 ? NULL : name, addr);
	}
	s = mime_addr_list_format(&a, fold_name_lens[_i]);
	ck_assert(strstr(s, "\n ") != NULL);
	ck_fold_width(s, fold_name_lens[_i], 78);
	mime_addr_parse(s, strlen(s), NULL, &b);
	ck_same_list(&a, &b, s);
	free(s);
	mime_addr_list_free(&a);
	mime_addr_list_free(&b);
}
END_TEST

/* An address longer than a line stays whole on a line of its own. */
START_TEST(list_format_long_addr)
{
	struct mime_addr_list	 l = { NULL, 0 };
	char			 addr[200], *s, *nl;

	memset(addr, 'x', 150);
	memcpy(addr + 150, "@example.org", 13);
	mime_addr_list_add(&l, NULL, "a@b");
	mime_addr_list_add(&l, NULL, addr);
	mime_addr_list_add(&l, NULL, "c@d");
	s = mime_addr_list_format(&l, 2);
	nl = strchr(s, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert(strncmp(nl, "\n xxx", 5) == 0);
	ck_assert(strstr(s, "example.org,\n c@d") != NULL);
	free(s);
	mime_addr_list_free(&l);
}
END_TEST

static const struct {
	struct want_addr	 a;
	const char		*want;
} display_cases[] = {
	{ { "John Doe", "j@x", NULL }, "John Doe <j@x>" },
	{ { NULL, "j@x", NULL }, "j@x" },
	{ { "", "j@x", NULL }, "j@x" },
	{ { "Fran\xc3\xa7ois", "f@x", NULL }, "Fran\xc3\xa7ois <f@x>" },
	{ { "Doe, John", "j@x", NULL }, "Doe, John <j@x>" },
	{ { NULL, NULL, "Undisclosed recipients" },
	  "Undisclosed recipients:;" },
	{ { NULL, "", NULL }, "<>" },
	{ { "Name", "", NULL }, "Name <>" },
};

START_TEST(display_table)
{
	struct mime_addr	 a;
	char			*s;

	a.name = (char *)(uintptr_t)display_cases[_i].a.name;
	a.addr = (char *)(uintptr_t)display_cases[_i].a.addr;
	a.group = (char *)(uintptr_t)display_cases[_i].a.group;
	s = mime_addr_display(&a);
	ck_assert_str_eq(s, display_cases[_i].want);
	free(s);
}
END_TEST

static const struct {
	const char	*addr;
	bool		 valid;
} valid_cases[] = {
	{ NULL, false }, { "", false },
	{ "a@b", true }, { "jdoe@example.org", true },
	{ "first.last+tag@sub.example.org", true },
	{ "\"a b\"@example.org", true }, { "\"a@b\"@example.org", true },
	{ "\"a\\\"b\"@example.org", true }, { "a@[192.0.2.1]", true },
	{ "a@[IPv6:2001:db8::1]", true },
	{ "j\xc3\xb6hn@ex\xc3\xa4mple.org", true },
	{ "a..b@docomo.ne.jp", true },
	{ "user@localhost", true },
	{ "a", false }, { "@b", false }, { "a@", false }, { "a@b@c", false },
	{ "a b@c", false }, { "a@b c", false }, { " a@b", false },
	{ "a@b ", false }, { "a\r\n@b", false }, { "a@b\n", false },
	{ "a\t@b", false }, { "a@b\r", false }, { "a\x7f@b", false },
	{ "<a@b>", false }, { "a,b@c", false }, { "a;b@c", false },
	{ "a:b@c", false }, { "a(b)@c", false }, { "\"unterminated@b", false },
	{ "a@[1.2.3.4]x", false }, { "a@x[1.2.3.4]", false },
	{ "a@.b", false }, { "a@b..c", false }, { "\"a\r\"@b", false },
	{ "\"a\\", false }, { "a\\b@c", false }, { "[a]@b", false },
	{ "a@\"b\"", false }, { "Name <a@b>", false },
};

START_TEST(valid_table)
{
	ck_assert_msg(mime_addr_valid(valid_cases[_i].addr) ==
	    valid_cases[_i].valid, "\"%s\"", valid_cases[_i].addr ?
	    valid_cases[_i].addr : "(null)");
}
END_TEST

START_TEST(valid_nul)
{
	/* What follows an embedded NUL is invisible to a C string API:
	 * the parser never puts one in an address. */
	struct mime_addr_list	l = { NULL, 0 };

	mime_addr_parse("a\0b@c", 5, NULL, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].addr, "b@c");
	ck_assert_str_eq(l.v[0].name, "a");
	ck_assert(mime_addr_valid(l.v[0].addr));
	mime_addr_list_free(&l);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Dates                                                               */

#define BAD	INT64_MIN	/* mime_date_parse() must fail */

static const struct {
	struct bytes	in;
	int64_t		want;
} date_cases[] = {
	/* RFC 5322 3.3 and Appendix A. */
	{ B("Fri, 01 Mar 2024 09:30:00 +0100"), 1709281800 },
	{ B("Tue, 1 Jul 2003 10:52:37 +0200"), 1057049557 },
	{ B("Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      "
	    "23:32\r\n               -0330 (Newfoundland Time)"), -27723480 },
	{ B("21 Nov 97 09:55:06 GMT"), 880106106 },
	{ B("Fri, 21 Nov 1997 09(comment):   55  :  06 -0600"), 880127706 },
	/* Weekday missing or wrong; single digits; case; full names. */
	{ B("1 Mar 2024 09:30:00 +0100"), 1709281800 },
	{ B("Mon, 01 Mar 2024 09:30:00 +0100"), 1709281800 },
	{ B("Fri, 1 Mar 2024 9:05:00 +0100"), 1709280300 },
	{ B("fri, 01 mar 2024 09:30:00 +0100"), 1709281800 },
	{ B("FRI, 01 MAR 2024 09:30:00 +0100"), 1709281800 },
	{ B("Friday, 1 March 2024 09:30:00 +0100"), 1709281800 },
	{ B("Fri, 01 Mar 2024 09:30 +0100"), 1709281800 },
	{ B("Fri,01 Mar 2024 09:30:00+0100"), 1709281800 },
	/* Two- and three-digit years (RFC 5322 4.3). */
	{ B("Fri, 01 Mar 24 09:30:00 +0100"), 1709281800 },
	{ B("Sat, 01 Mar 97 09:30:00 +0100"), 857205000 },
	{ B("01 Mar 124 09:30:00 +0100"), 1709281800 },
	{ B("1 Mar 49 00:00 GMT"), 2498169600 },
	{ B("1 Mar 50 00:00 GMT"), -626054400 },
	{ B("1 Mar 00 00:00 GMT"), 951868800 },
	/* Named and military zones (RFC 5322 4.3). */
	{ B("Fri, 01 Mar 2024 09:30:00 UT"), 1709285400 },
	{ B("Fri, 01 Mar 2024 09:30:00 GMT"), 1709285400 },
	{ B("Fri, 01 Mar 2024 09:30:00 UTC"), 1709285400 },
	{ B("Fri, 01 Mar 2024 09:30:00 EST"), 1709303400 },
	{ B("Fri, 01 Mar 2024 09:30:00 EDT"), 1709299800 },
	{ B("Fri, 01 Mar 2024 09:30:00 CST"), 1709307000 },
	{ B("Fri, 01 Mar 2024 09:30:00 CDT"), 1709303400 },
	{ B("Fri, 01 Mar 2024 09:30:00 MST"), 1709310600 },
	{ B("Fri, 01 Mar 2024 09:30:00 MDT"), 1709307000 },
	{ B("Fri, 01 Mar 2024 09:30:00 PST"), 1709314200 },
	{ B("Fri, 01 Mar 2024 09:30:00 PDT"), 1709310600 },
	{ B("Fri, 01 Mar 2024 09:30:00 pst"), 1709314200 },
	{ B("Fri, 01 Mar 2024 09:30:00 A"), 1709285400 },
	{ B("Fri, 01 Mar 2024 09:30:00 Z"), 1709285400 },
	{ B("Fri, 01 Mar 2024 09:30:00 y"), 1709285400 },
	{ B("Fri, 01 Mar 2024 09:30:00 CEST"), 1709285400 },
	{ B("Fri, 01 Mar 2024 09:30:00 -0000"), 1709285400 },
	{ B("Fri, 01 Mar 2024 09:30:00"), 1709285400 },
	{ B("Fri, 01 Mar 2024 09:30:00 GMT+0100"), 1709281800 },
	{ B("Fri, 01 Mar 2024 09:30:00 +01:00"), 1709281800 },
	{ B("Fri, 01 Mar 2024 09:30:00 +9959"), 1708925460 },
	{ B("Fri, 01 Mar 2024 09:30:00 -9959"), 1709645340 },
	/* Comments and junk anywhere. */
	{ B("Fri, 01 Mar 2024 09:30:00 +0100 (CET)"), 1709281800 },
	{ B("(c)Fri(c), (c)01(c) Mar(c) 2024 (c)09:30:00(c) +0100(c)"),
	  1709281800 },
	{ B("Fri, 01 Mar 2024 09:30:00 +0100 (a (b \\) c) d)"), 1709281800 },
	{ B("Fri, 01 Mar 2024 09:30:00 +0100 (CET"), 1709281800 },
	{ B("Fri, 01 Mar 2024 09:30:00 +0100 blah 12 +0500 Jan"), 1709281800 },
	{ B("Fri, 01 Mar 2024 09:30:00\0 +0100"), 1709281800 },
	/* Second 60, dots, fractions, AM/PM. */
	{ B("Sat, 31 Dec 2016 23:59:60 +0000"), 1483228800 },
	{ B("Fri, 01 Mar 2024 09.30.00 +0100"), 1709281800 },
	{ B("Fri, 01 Mar 2024 09:30:00.123 +0100"), 1709281800 },
	{ B("Fri, 1 Mar 2024 9:30:00 PM +0000"), 1709328600 },
	{ B("Fri, 1 Mar 2024 12:30:00 AM +0000"), 1709253000 },
	/* Other shapes: ISO 8601, asctime, IMAP. */
	{ B("2024-03-01 09:30:00"), 1709285400 },
	{ B("2024-03-01T09:30:00Z"), 1709285400 },
	{ B("2024-03-01T09:30:00+01:00"), 1709281800 },
	{ B("2024/03/01 09:30:00 +0100"), 1709281800 },
	{ B("Fri Mar  1 09:30:00 2024"), 1709285400 },
	{ B("Fri Mar  1 09:30:00 CET 2024"), 1709285400 },
	{ B("01-Mar-2024 09:30:00 +0100"), 1709281800 },
	{ B("Mar 1, 2024 09:30 +0100"), 1709281800 },
	{ B("1 Mar 2024"), 1709251200 },
	/* Leap years and edges. */
	{ B("Tue, 29 Feb 2000 12:00:00 +0000"), 951825600 },
	{ B("Thu, 29 Feb 2024 00:00:00 +0000"), 1709164800 },
	{ B("Thu, 01 Jan 1970 00:00:00 +0000"), 0 },
	{ B("Wed, 31 Dec 1969 23:59:59 +0000"), -1 },
	{ B("Thu, 01 Jan 1970 01:00:00 +0100"), 0 },
	{ B("Fri, 01 Jan 2100 00:00:00 +0000"), 4102444800 },
	{ B("Mon, 01 Jan 1601 00:00:00 +0000"), -11644473600 },
	{ B("Fri, 31 Dec 9999 23:59:59 +0000"), 253402300799 },
	{ B("Sat, 01 Jan 0000 00:00:00 +0000"), -62167219200 },
	/* Invalid. */
	{ B(""), BAD }, { B("   "), BAD }, { B("garbage"), BAD },
	{ B("(Fri, 01 Mar 2024 09:30:00 +0100)"), BAD },
	{ B("Mar 2024 09:30"), BAD }, { B("01 2024 09:30"), BAD },
	{ B("01 Mar 09:30"), BAD },
	{ B("Fri, 32 Mar 2024 09:30:00 +0100"), BAD },
	{ B("Fri, 0 Mar 2024 09:30:00 +0100"), BAD },
	{ B("Fri, 01 Foo 2024 09:30:00 +0100"), BAD },
	{ B("Fri, 01 Mar 2024 24:00:00 +0000"), BAD },
	{ B("Fri, 01 Mar 2024 09:60:00 +0000"), BAD },
	{ B("Fri, 01 Mar 2024 09:30:61 +0000"), BAD },
	{ B("Fri, 01 Mar 2024 09:30:00 +0160"), BAD },
	{ B("Fri, 01 Mar 2024 09:30:00 +10000"), BAD },
	{ B("Tue, 31 Apr 2024 00:00:00 +0000"), BAD },
	{ B("Thu, 29 Feb 1900 12:00:00 +0000"), BAD },
	{ B("Wed, 29 Feb 2023 12:00:00 +0000"), BAD },
	{ B("Mon, 29 Feb 2100 12:00:00 +0000"), BAD },
	{ B("Sat, 01 Jan 0000 00:00:00 +0100"), BAD },
	{ B("Sat, 01 Jan 10000 00:00:00 +0000"), BAD },
	{ B("Fri, 31 Dec 9999 23:59:59 -0001"), BAD },
	{ B("2024-13-01 09:30:00"), BAD },
	{ B("99999999999999999999 Mar 2024"), BAD },
};

START_TEST(date_table)
{
	int64_t	t = 42;
	int	r;

	r = mime_date_parse(date_cases[_i].in.p, date_cases[_i].in.n, &t);
	if (date_cases[_i].want == BAD) {
		ck_assert_msg(r == -1, "\"%s\" parsed as %lld",
		    date_cases[_i].in.p, (long long)t);
		ck_assert_int_eq(t, 42);	/* untouched */
	} else {
		ck_assert_msg(r == 0, "\"%s\" not parsed", date_cases[_i].in.p);
		ck_assert_msg(t == date_cases[_i].want, "\"%s\": %lld, want "
		    "%lld", date_cases[_i].in.p, (long long)t,
		    (long long)date_cases[_i].want);
	}
}
END_TEST

START_TEST(date_null)
{
	int64_t	t;

	ck_assert_int_eq(mime_date_parse(NULL, 5, &t), -1);
	ck_assert_int_eq(mime_date_parse("1 Mar 2024", 10, NULL), -1);
	/* Only n bytes are read. */
	ck_assert_int_eq(mime_date_parse("1 Mar 2024 09:30 +0100", 10, &t),
	    0);
	ck_assert_int_eq(t, 1709251200);
}
END_TEST

static const struct {
	int64_t		 t;
	int		 tz;
	const char	*iso;
	const char	*rfc;
} fmt_cases[] = {
	{ 0, 0, "1970-01-01T00:00:00Z", "Thu, 01 Jan 1970 00:00:00 +0000" },
	{ -1, 0, "1969-12-31T23:59:59Z", "Wed, 31 Dec 1969 23:59:59 +0000" },
	{ 1709281800, 60, "2024-03-01T08:30:00Z",
	  "Fri, 01 Mar 2024 09:30:00 +0100" },
	{ 1709281800, -210, "2024-03-01T08:30:00Z",
	  "Fri, 01 Mar 2024 05:00:00 -0330" },
	{ 1709285400, 0, "2024-03-01T09:30:00Z",
	  "Fri, 01 Mar 2024 09:30:00 +0000" },
	{ 951825600, 0, "2000-02-29T12:00:00Z",
	  "Tue, 29 Feb 2000 12:00:00 +0000" },
	{ 4102444800, 0, "2100-01-01T00:00:00Z",
	  "Fri, 01 Jan 2100 00:00:00 +0000" },
	{ -27723480, -210, "1969-02-14T03:02:00Z",
	  "Thu, 13 Feb 1969 23:32:00 -0330" },
	{ 253402300799, 0, "9999-12-31T23:59:59Z",
	  "Fri, 31 Dec 9999 23:59:59 +0000" },
	{ -62167219200, 0, "0000-01-01T00:00:00Z",
	  "Sat, 01 Jan 0000 00:00:00 +0000" },
	{ -11644473600, 0, "1601-01-01T00:00:00Z",
	  "Mon, 01 Jan 1601 00:00:00 +0000" },
	{ 1709285400, 100000, "2024-03-01T09:30:00Z",
	  "Tue, 05 Mar 2024 13:29:00 +9959" },	/* zone clamped */
};

START_TEST(date_format_table)
{
	char	buf[64];
	int64_t	t;

	mime_date_iso(fmt_cases[_i].t, buf, 21);
	ck_assert_str_eq(buf, fmt_cases[_i].iso);
	mime_date_rfc5322(fmt_cases[_i].t, fmt_cases[_i].tz, buf, sizeof(buf));
	ck_assert_str_eq(buf, fmt_cases[_i].rfc);
	ck_assert_int_eq(mime_date_parse(buf, strlen(buf), &t), 0);
	ck_assert_int_eq(t, fmt_cases[_i].t);
}
END_TEST

START_TEST(date_format_small)
{
	char	buf[8];

	memset(buf, 'X', sizeof(buf));
	mime_date_iso(0, buf, 0);
	ck_assert_int_eq(buf[0], 'X');
	mime_date_rfc5322(0, 0, buf, 0);
	ck_assert_int_eq(buf[0], 'X');
	mime_date_iso(0, buf, 5);
	ck_assert_str_eq(buf, "1970");
	mime_date_rfc5322(0, 0, buf, 5);
	ck_assert_str_eq(buf, "Thu,");
	mime_date_iso(INT64_MAX, buf, sizeof(buf));	/* no overflow */
	mime_date_rfc5322(INT64_MIN, -100000, buf, sizeof(buf));
	mime_date_iso(0, NULL, 10);
}
END_TEST

/* Formatting then parsing gives the time back, across four centuries
 * and many zones. */
START_TEST(date_round_trip)
{
	static const int	tzs[] = {
		0, 60, -60, 330, -210, 345, 840, -720, 5999, -5999
	};
	uint32_t		st = (uint32_t)_i + 17;
	char			buf[64];
	int64_t			t, got;
	int			k;

	for (k = 0; k < 2000; k++) {
		t = (int64_t)(lcg(&st) % 12622780800u) - 2208988800 +
		    (int64_t)(lcg(&st) % 86400);
		mime_date_rfc5322(t, tzs[k % NITEMS(tzs)], buf, sizeof(buf));
		ck_assert_int_eq(mime_date_parse(buf, strlen(buf), &got), 0);
		ck_assert_msg(got == t, "%s: %lld, want %lld", buf,
		    (long long)got, (long long)t);
	}
}
END_TEST

/* Random bytes and shapes near dates: no crash, and what parses lies in
 * the years 0 to 9999. */
START_TEST(date_random)
{
	static const char	alpha[] =
	    "0123456789 :+-.,/()\\MarFriGMTZzJanPM";
	uint32_t		st = (uint32_t)_i * 31u + 5;
	char			in[48], iso[32];
	int64_t			t;
	size_t			n, i;
	int			k;

	for (k = 0; k < 500; k++) {
		n = lcg(&st) % sizeof(in);
		for (i = 0; i < n; i++)
			in[i] = alpha[lcg(&st) % (sizeof(alpha) - 1)];
		if (mime_date_parse(in, n, &t) == 0) {
			ck_assert(t >= -62167219200 && t <= 253402300799);
			mime_date_iso(t, iso, 21);
			ck_assert_uint_eq(strlen(iso), 20);
		}
	}
}
END_TEST

START_TEST(date_hostile)
{
	size_t	 len;
	char	*s = repeat("(", 300000, &len);
	int64_t	 t;

	ck_assert_int_eq(mime_date_parse(s, len, &t), -1);
	free(s);
	s = repeat("1 Mar 2024 ", 100000, &len);
	ck_assert_int_eq(mime_date_parse(s, len, &t), 0);
	ck_assert_int_eq(t, 1709251200);
	free(s);
	s = repeat("9", 100000, &len);
	ck_assert_int_eq(mime_date_parse(s, len, &t), -1);
	free(s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Message-IDs                                                         */

static const struct {
	struct bytes	 in;
	const char	*want;
} first_cases[] = {
	{ B(""), NULL }, { B("junk"), NULL }, { B("<>"), NULL },
	{ B("<a@b>"), "<a@b>" },
	{ B("  <a@b> <c@d>"), "<a@b>" },
	{ B("<1234.5678>"), "<1234.5678>" },
	{ B("(comment <x@y>) <a@b>"), "<a@b>" },
	{ B("\"quoted <x@y>\" <a@b>"), "<a@b>" },
	{ B("<a\r\n b@c>"), "<ab@c>" },
	{ B("<a@b"), "<a@b>" },
	{ B("<a@b junk"), "<a@b>" },
	{ B("<ab junk <c@d>"), "<c@d>" },
	{ B("<a@b<c@d>"), "<a@b>" },
	{ B("a@b"), "<a@b>" },
	{ B("junk a@b.c, more"), "<a@b.c>" },
	{ B("a@b@c d@e"), "<d@e>" },
	{ B("@b a@"), NULL },
	{ B("(unterminated <a@b>"), "<a@b>" },
	{ B("\"unterminated <a@b>"), "<a@b>" },
	{ B("<a\0b@c>"), "<ab@c>" },
	{ B("<\xc3\xa9t\xc3\xa9@example.org>"),
	  "<\xc3\xa9t\xc3\xa9@example.org>" },
};

START_TEST(msgid_first_table)
{
	char	*id = mime_msgid_first(first_cases[_i].in.p,
	    first_cases[_i].in.n);

	ck_assert_pstr_eq(id, first_cases[_i].want);
	free(id);
}
END_TEST

static const struct {
	struct bytes	 in;
	size_t		 max;
	size_t		 n;
	const char	*want[4];
} list_id_cases[] = {
	{ B(""), 10, 0, { NULL } },
	{ B("<a@b> <c@d> <e@f>"), 10, 3, { "<a@b>", "<c@d>", "<e@f>" } },
	{ B("<a@b><c@d><e@f>"), 10, 3, { "<a@b>", "<c@d>", "<e@f>" } },
	{ B("<a@b>\r\n <c@d>\r\n\t<e@f>"), 10, 3,
	  { "<a@b>", "<c@d>", "<e@f>" } },
	{ B("<a@b> <c@d> <e@f>"), 2, 2, { "<c@d>", "<e@f>" } },
	{ B("<a@b> <c@d> <e@f>"), 1, 1, { "<e@f>" } },
	{ B("<a@b> <c@d> <e@f>"), 0, 0, { NULL } },
	{ B("<a@b> junk (comment <x@y>) \"q <z@z>\" <c@d>"), 10, 2,
	  { "<a@b>", "<c@d>" } },
	{ B("Your message of \"Fri, 1 Mar\" <a@b> (John's)"), 10, 1,
	  { "<a@b>" } },
	{ B("a@b c@d"), 10, 2, { "<a@b>", "<c@d>" } },
	{ B("<a@b> c@d"), 10, 1, { "<a@b>" } },
	{ B("(<a@b> <c@d>"), 10, 2, { "<a@b>", "<c@d>" } },
	{ B("<a@b <c@d>"), 10, 2, { "<a@b>", "<c@d>" } },
	{ B("<> <  > <a@b>"), 10, 1, { "<a@b>" } },
	{ B("<a@b> <a@b>"), 10, 2, { "<a@b>", "<a@b>" } },
};

START_TEST(msgid_list_table)
{
	char	**ids = NULL;
	size_t	  n = 0, i;

	mime_msgid_list(list_id_cases[_i].in.p, list_id_cases[_i].in.n,
	    list_id_cases[_i].max, &ids, &n);
	ck_assert_uint_eq(n, list_id_cases[_i].n);
	for (i = 0; i < n; i++) {
		ck_assert_str_eq(ids[i], list_id_cases[_i].want[i]);
		free(ids[i]);
	}
	free(ids);
}
END_TEST

START_TEST(msgid_list_cap)
{
	char	**ids = NULL, *s, name[32];
	size_t	  n = 0, i, len;

	/* Appending: what was there is older and goes first. */
	mime_msgid_list("<old1@x> <old2@x>", 17, 10, &ids, &n);
	mime_msgid_list("<a@b> <c@d>", 11, 3, &ids, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(ids[0], "<old2@x>");
	ck_assert_str_eq(ids[1], "<a@b>");
	ck_assert_str_eq(ids[2], "<c@d>");
	mime_msgid_list("<e@f>", 5, 0, &ids, &n);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(ids);
	/* Many ids: the last max are kept, in order. */
	s = malloc(100000 * 16);
	ck_assert_ptr_nonnull(s);
	for (i = 0, len = 0; i < 100000; i++)
		len += (size_t)snprintf(s + len, 16, "<%zu@x> ", i);
	mime_msgid_list(s, len, 100, &ids, &n);
	ck_assert_uint_eq(n, 100);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "<%zu@x>", 100000 - 100 + i);
		ck_assert_str_eq(ids[i], name);
		free(ids[i]);
	}
	free(ids);
	free(s);
	mime_msgid_list("<a@b>", 5, 10, NULL, &n);	/* no crash */
}
END_TEST

START_TEST(msgid_hostile)
{
	static const char *const units[] = {
		"<", ">", "(", "\"", "<a", "<a@", "@", "a@b@", "\\", "(\\"
	};
	char	**ids = NULL, *s, *id;
	size_t	  n = 0, len, i;

	for (i = 0; i < NITEMS(units); i++) {
		s = repeat(units[i], 200000, &len);
		mime_msgid_list(s, len, 50, &ids, &n);
		ck_assert_uint_le(n, 50);
		id = mime_msgid_first(s, len);
		free(id);
		free(s);
	}
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}
END_TEST

static bool
msgid_shape(const char *id, const char *domain)
{
	size_t	i, dl = strlen(domain), n = strlen(id);

	if (n < 24 + dl + 5 || id[0] != '<' || id[n - 1] != '>')
		return false;
	for (i = 1; i <= 24; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyz234567", id[i]) == NULL)
			return false;
	if (id[25] != '.')
		return false;
	for (i = 26; id[i] >= '0' && id[i] <= '9'; i++)
		continue;
	return i > 26 && id[i] == '@' && strncmp(id + i + 1, domain, dl) == 0 &&
	    id[i + 1 + dl] == '>';
}

static const struct {
	const char	*domain;
	const char	*want;
} new_cases[] = {
	{ "example.org", "example.org" }, { NULL, "facteur.invalid" },
	{ "", "facteur.invalid" }, { "exa mple.org", "facteur.invalid" },
	{ "a>b", "facteur.invalid" }, { "a\r\nb", "facteur.invalid" },
	{ ".org", "facteur.invalid" }, { "a..b", "facteur.invalid" },
	{ "x@y", "facteur.invalid" }, { "localhost", "localhost" },
	{ "b\xc3\xbc" "cher.de", "b\xc3\xbc" "cher.de" },
};

START_TEST(msgid_new)
{
	char	*a = mime_msgid_new(new_cases[_i].domain);
	char	*b = mime_msgid_new(new_cases[_i].domain);
	char	*f;

	ck_assert_msg(msgid_shape(a, new_cases[_i].want), "%s", a);
	ck_assert_msg(msgid_shape(b, new_cases[_i].want), "%s", b);
	ck_assert_str_ne(a, b);
	f = mime_msgid_first(a, strlen(a));
	ck_assert_str_eq(f, a);
	free(f);
	free(a);
	free(b);
}
END_TEST

/* ------------------------------------------------------------------ */

Suite *
mime_addr_suite(void)
{
	Suite	*s = suite_create("mime_addr");
	TCase	*tc;

	tc = tcase_create("addr_parse");
	tcase_add_loop_test(tc, parse_table, 0, NITEMS(parse_cases));
	tcase_add_loop_test(tc, parse_table_round_trip, 0, NITEMS(parse_cases));
	tcase_add_test(tc, parse_null_and_append);
	tcase_add_test(tc, parse_fallback_charset);
	tcase_add_test(tc, list_add);
	suite_add_tcase(s, tc);

	tc = tcase_create("addr_hostile");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, parse_cap);
	tcase_add_loop_test(tc, parse_hostile, 0, NITEMS(hostile_cases));
	tcase_add_loop_test(tc, parse_random, 0, 2000);
	suite_add_tcase(s, tc);

	tc = tcase_create("addr_format");
	tcase_add_loop_test(tc, format_table, 0, NITEMS(format_cases));
	tcase_add_test(tc, format_null);
	tcase_add_loop_test(tc, format_round_trip, 0, NITEMS(trip_names));
	tcase_add_loop_test(tc, list_format_table, 0, NITEMS(list_cases));
	tcase_add_loop_test(tc, list_format_fold, 0, NITEMS(fold_name_lens));
	tcase_add_test(tc, list_format_long_addr);
	tcase_add_loop_test(tc, display_table, 0, NITEMS(display_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("addr_valid");
	tcase_add_loop_test(tc, valid_table, 0, NITEMS(valid_cases));
	tcase_add_test(tc, valid_nul);
	suite_add_tcase(s, tc);

	tc = tcase_create("date");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, date_table, 0, NITEMS(date_cases));
	tcase_add_test(tc, date_null);
	tcase_add_loop_test(tc, date_format_table, 0, NITEMS(fmt_cases));
	tcase_add_test(tc, date_format_small);
	tcase_add_loop_test(tc, date_round_trip, 0, 10);
	tcase_add_loop_test(tc, date_random, 0, 100);
	tcase_add_test(tc, date_hostile);
	suite_add_tcase(s, tc);

	tc = tcase_create("msgid");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, msgid_first_table, 0, NITEMS(first_cases));
	tcase_add_loop_test(tc, msgid_list_table, 0, NITEMS(list_id_cases));
	tcase_add_test(tc, msgid_list_cap);
	tcase_add_test(tc, msgid_hostile);
	tcase_add_loop_test(tc, msgid_new, 0, NITEMS(new_cases));
	suite_add_tcase(s, tc);
	return s;
}
