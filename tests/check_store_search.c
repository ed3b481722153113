/*
 * check_store_search.c: unit tests of the search half of include/store.h
 * (src/store/search.c): the query language (terms, phrases, escapes,
 * prefixes, negation, flags, errors and bounds), case folding, and
 * matching against summaries and real message bytes: encoded words in
 * recipients, quoted-printable and base64 bodies in Latin-1 and UTF-8,
 * HTML, attachments (never searched), header-only, empty and broken
 * messages, messages from tests/data. The store_search TCase runs over a
 * real maildir made with store_deliver().
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mime.h"
#include "store.h"
#include "tests.h"

Suite	*store_search_suite(void);

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define SHOW		"tests/data/show/"
#define EAST		"tests/data/corpus/nostarttls-east/mails/"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* A whole file, NUL-terminated; fails the test when unreadable. */
static char *
slurp(const char *path, size_t *len)
{
	FILE	*fp = fopen(path, "rb");
	char	*p = NULL;
	size_t	 n = 0, cap = 0, got;

	ck_assert_msg(fp != NULL, "cannot open %s", path);
	for (;;) {
		if (cap - n < 4096) {
			cap = cap * 2 + 8192;
			p = realloc(p, cap);
			ck_assert_ptr_nonnull(p);
		}
		got = fread(p + n, 1, cap - n - 1, fp);
		if (got == 0)
			break;
		n += got;
	}
	ck_assert(!ferror(fp));
	(void)fclose(fp);
	p[n] = '\0';
	*len = n;
	return p;
}

/* A message as the index would have it: summary decoded from its
 * headers, the bytes kept for the fields that need them. */
struct tmsg {
	struct store_msg	 m;
	struct mime_summary	 s;
	const char		*data;
	size_t			 len;
	char			*owned;
};

static void
tmsg_init(struct tmsg *t, const char *data, size_t len, unsigned flags)
{
	struct mime_headers	h;

	memset(t, 0, sizeof(*t));
	mime_headers_parse(data, len, &h);
	mime_summary_from_headers(&h, NULL, &t->s);
	mime_headers_free(&h);
	t->m.name = "1.M1P1.test";
	t->m.subject = t->s.subject != NULL ? t->s.subject : "";
	t->m.from = t->s.from_name != NULL ? t->s.from_name :
	    t->s.from_addr != NULL ? t->s.from_addr : "";
	t->m.from_addr = t->s.from_addr != NULL ? t->s.from_addr : "";
	t->m.date = STORE_DATE_UNKNOWN;
	t->m.flags = (uint8_t)flags;
	t->m.size = len;
	t->data = data;
	t->len = len;
}

static void
tmsg_str(struct tmsg *t, const char *data)
{
	tmsg_init(t, data, strlen(data), 0);
}

static void
tmsg_file(struct tmsg *t, const char *path)
{
	size_t	 len;
	char	*data = slurp(path, &len);

	tmsg_init(t, data, len, 0);
	t->owned = data;
}

static void
tmsg_free(struct tmsg *t)
{
	mime_summary_free(&t->s);
	free(t->owned);
	memset(t, 0, sizeof(*t));
}

static struct store_query *
query(const char *text)
{
	struct store_err	 err = { "" };
	struct store_query	*q = store_query_new(text, &err);

	ck_assert_msg(q != NULL, "query \"%s\" rejected: %s", text, err.msg);
	return q;
}

/* Whether text matches t with its bytes (with_data) or without. */
static bool
matches(const char *text, const struct tmsg *t, bool with_data)
{
	struct store_query	*q = query(text);
	bool			 r;

	r = store_query_match(q, &t->m, with_data ? t->data : NULL,
	    with_data ? t->len : 0);
	store_query_free(q);
	return r;
}

/* Each query of a list must (yes) or must not match t with its bytes. */
static void
check_all(const struct tmsg *t, const char *const *texts, size_t n,
    bool yes, const char *what)
{
	size_t	i;

	for (i = 0; i < n; i++)
		ck_assert_msg(matches(texts[i], t, true) == yes,
		    "%s: \"%s\" should %smatch", what, texts[i],
		    yes ? "" : "not ");
}

/* A message with only a subject, from and flags (no bytes). */
static void
summary(struct store_msg *m, const char *subject, const char *from,
    const char *from_addr, unsigned flags, bool in_new)
{
	memset(m, 0, sizeof(*m));
	m->name = "1.M1P1.test";
	m->subject = subject;
	m->from = from;
	m->from_addr = from_addr;
	m->date = STORE_DATE_UNKNOWN;
	m->flags = (uint8_t)flags;
	m->in_new = in_new;
}

static bool
summary_matches(const char *text, const struct store_msg *m)
{
	struct store_query	*q = query(text);
	bool			 r = store_query_match(q, m, NULL, 0);

	store_query_free(q);
	return r;
}

/* ------------------------------------------------------------------ */
/* Case folding                                                        */

struct bytes {
	const char	*p;
	size_t		 n;
};
#define B(s)		{ (s), sizeof(s) - 1 }

static const struct {
	struct bytes	in, want;
} fold_cases[] = {
	{ B(""), B("") },
	{ B("ABC xyz 123"), B("abc xyz 123") },
	{ B("@[`{ AZ az"), B("@[`{ az az") },		/* around A-Z */
	{ B("A\0B"), B("a\0b") },			/* NUL kept */
	{ B("\xC3\x89"), B("\xC3\xA9") },		/* É é */
	{ B("\xC3\xA9"), B("\xC3\xA9") },		/* é stays */
	{ B("\xC3\x84rger"), B("\xC3\xA4rger") },	/* Ärger */
	{ B("\xC3\x80\xC3\x9E\xC3\x97"), B("\xC3\xA0\xC3\xBE\xC3\x97") },
							/* ÀÞ× */
	{ B("Stra\xC3\x9F" "E"), B("stra\xC3\x9F" "e") },	/* ß stays */
	{ B("\xC5\xB8"), B("\xC3\xBF") },		/* Ÿ ÿ */
	/* Łódź */
	{ B("\xC5\x81\xC3\xB3" "d\xC5\xBA"),
	  B("\xC5\x82\xC3\xB3" "d\xC5\xBA") },
	{ B("\xC4\xB0"), B("i") },			/* İ i */
	{ B("\xC7\x84\xC7\x85"), B("\xC7\x86\xC7\x86") },	/* DŽ Dž */
	{ B("\xC8\xBA"), B("\xE2\xB1\xA5") },		/* Ⱥ ⱥ: grows */
	{ B("\xCE\xA9"), B("\xCF\x89") },		/* Ω ω */
	{ B("\xCE\x86\xCE\x88\xCE\xA3"), B("\xCE\xAC\xCE\xAD\xCF\x83") },
							/* ΆΈΣ */
	{ B("\xCF\x82"), B("\xCF\x82") },		/* ς stays */
	{ B("\xD0\x96"), B("\xD0\xB6") },		/* Ж ж */
	{ B("\xD0\x81\xD0\x90\xD0\xAF"), B("\xD1\x91\xD0\xB0\xD1\x8F") },
							/* ЁАЯ */
	{ B("\xD2\x90\xD3\x80"), B("\xD2\x91\xD3\x8F") },	/* Ґ Ӏ */
	{ B("\xE1\xBA\x9E"), B("\xE1\xBA\x9E") },	/* ẞ: not covered */
	{ B("\xF0\x9F\x98\x80X"), B("\xF0\x9F\x98\x80x") },	/* emoji */
	/* Invalid UTF-8 is copied unchanged, letters around it folded. */
	{ B("\xFF\xFE" "A"), B("\xFF\xFE" "a") },
	{ B("A\xC3"), B("a\xC3") },			/* truncated */
	{ B("\xC3(\xC3\x89"), B("\xC3(\xC3\xA9") },	/* lead, no cont. */
	{ B("\x80\x89" "E"), B("\x80\x89" "e") },	/* lone cont. */
	{ B("\xC3\x89\x89"), B("\xC3\xA9\x89") },	/* extra cont. */
	{ B("\xC0\x81\xC1\x81"), B("\xC0\x81\xC1\x81") },	/* overlong */
	{ B("\xE0\xD0\x96"), B("\xE0\xD0\xB6") },	/* stray lead, Ж */
	{ B("\xC3\xC3\x89"), B("\xC3\xC3\xA9") },
	{ B("\xC3\xC4\xB0"), B("\xC3i") },		/* İ after stray */
};

START_TEST(fold_table)
{
	char	*got, *again;
	size_t	 n, n2;

	got = store_casefold_new(fold_cases[_i].in.p, fold_cases[_i].in.n,
	    &n);
	ck_assert_msg(n == fold_cases[_i].want.n &&
	    memcmp(got, fold_cases[_i].want.p, n) == 0,
	    "case %d: got \"%.*s\" (%zu bytes)", _i, (int)n, got, n);
	ck_assert_int_eq(got[n], '\0');
	/* Folding is idempotent. */
	again = store_casefold_new(got, n, &n2);
	ck_assert(n2 == n && memcmp(again, got, n) == 0);
	free(again);
	free(got);
}
END_TEST

START_TEST(fold_null_empty)
{
	char	*s;
	size_t	 n = 99;

	s = store_casefold_new(NULL, 0, &n);
	ck_assert_str_eq(s, "");
	ck_assert_uint_eq(n, 0);
	free(s);
	s = store_casefold_new("", 0, NULL);
	ck_assert_str_eq(s, "");
	free(s);
	s = store_casefold_new("ABC", 2, NULL);	/* length, not NUL */
	ck_assert_str_eq(s, "ab");
	free(s);
}
END_TEST

/*
 * Every two-byte code point: the fold is valid UTF-8, idempotent, and
 * for every letter the table lowers, a lower-case letter; whatever the
 * case of a letter, both cases fold the same.
 */
START_TEST(fold_all_two_byte)
{
	char	 in[2], *a, *b;
	size_t	 na, nb;
	unsigned cp;

	for (cp = 0x80; cp < 0x800; cp++) {
		in[0] = (char)(0xC0 | cp >> 6);
		in[1] = (char)(0x80 | (cp & 0x3F));
		a = store_casefold_new(in, 2, &na);
		ck_assert_msg(mime_utf8_valid(a, na), "U+%04X", cp);
		ck_assert(na >= 1 && na <= 3);
		if (cp < 0xC0 || cp > 0x52F)
			ck_assert_msg(na == 2 && memcmp(a, in, 2) == 0,
			    "U+%04X changed", cp);
		b = store_casefold_new(a, na, &nb);
		ck_assert_msg(nb == na && memcmp(a, b, na) == 0,
		    "U+%04X not idempotent", cp);
		free(a);
		free(b);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

static const struct {
	const char	*text;
	bool		 needs_file;
} parse_ok[] = {
	{ "hello", true },
	{ "subject:hello", false },
	{ "from:bob", false },
	{ "flag:unread", false },
	{ "SUBJECT:Hi FROM:bob Flag:READ", false },
	{ "-subject:x -from:y -flag:flagged", false },
	{ "subject:\"a b\" flag:new", false },
	{ "to:bob", true },
	{ "cc:bob", true },
	{ "Body:x", true },
	{ "subject:x body:y", true },
	{ "subject:x -y", true },
	{ "foo:bar", true },			/* unknown prefix: plain */
	{ "http://example.org/a", true },
	{ "10:30", true },
	{ "\"subject:x\"", true },		/* quoted: plain */
	{ "  \tsubject:x \n flag:draft  ", false },
	{ "a-b", true },
	{ "--x", true },			/* negated "-x" */
	{ "flag:\"replied\"", false },
	{ "flag:DELETED flag:forwarded", false },
};

START_TEST(parse_ok_table)
{
	struct store_query	*q = query(parse_ok[_i].text);

	ck_assert_msg(store_query_needs_file(q) == parse_ok[_i].needs_file,
	    "\"%s\"", parse_ok[_i].text);
	store_query_free(q);
}
END_TEST

static const struct {
	const char	*text;
	const char	*msg;
} parse_bad[] = {
	{ "", "empty search" },
	{ "   ", "empty search" },
	{ "\t\n \r", "empty search" },
	{ "\"abc", "unterminated quote in search" },
	{ "subject:\"abc def", "unterminated quote in search" },
	{ "x \"a\\\"", "unterminated quote in search" },
	{ "a\"b", "unterminated quote in search" },
	{ "flag:bogus", "unknown flag \"bogus\" (unread, read, flagged, "
	    "replied, forwarded, draft, deleted, new)" },
	{ "x -flag:Seen", "unknown flag \"Seen\" (unread, read, flagged, "
	    "replied, forwarded, draft, deleted, new)" },
	{ "flag:\"a\x1b[2J\"", "unknown flag \"a?[2J\" (unread, read, "
	    "flagged, replied, forwarded, draft, deleted, new)" },
	{ "flag:", "nothing to search after \"flag:\"" },
	{ "x subject:", "nothing to search after \"subject:\"" },
	{ "-FROM: y", "nothing to search after \"from:\"" },
	{ "-", "nothing to search after \"-\"" },
	{ "a - b", "nothing to search after \"-\"" },
	{ "\"\"", "empty phrase in search" },
	{ "-\"\"", "empty phrase in search" },
	{ "body:\"\"", "nothing to search after \"body:\"" },
};

START_TEST(parse_bad_table)
{
	struct store_err	err = { "" };

	ck_assert_ptr_null(store_query_new(parse_bad[_i].text, &err));
	ck_assert_str_eq(err.msg, parse_bad[_i].msg);
	/* err may be NULL. */
	ck_assert_ptr_null(store_query_new(parse_bad[_i].text, NULL));
}
END_TEST

START_TEST(parse_null)
{
	struct store_err	err = { "" };

	ck_assert_ptr_null(store_query_new(NULL, &err));
	ck_assert_str_eq(err.msg, "empty search");
	store_query_free(NULL);
	ck_assert(!store_query_needs_file(NULL));
	ck_assert(!store_query_match(NULL, NULL, NULL, 0));
}
END_TEST

/* A long unknown flag is quoted cut, whole characters only. */
START_TEST(parse_error_quote_cut)
{
	struct store_err	 err = { "" };
	char			 text[200];
	size_t			 i;

	/* "flag:" then 30 × "é" (60 bytes). */
	memcpy(text, "flag:", 5);
	for (i = 0; i < 30; i++)
		memcpy(text + 5 + 2 * i, "\xC3\xA9", 2);
	text[65] = '\0';
	ck_assert_ptr_null(store_query_new(text, &err));
	/* 40 bytes = 20 characters. */
	ck_assert(strstr(err.msg, "\"\xC3\xA9\xC3\xA9") != NULL);
	ck_assert(mime_utf8_valid(err.msg, strlen(err.msg)));
	ck_assert(strstr(err.msg, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
	    "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
	    "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
	    "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\"") != NULL);
	ck_assert(strstr(err.msg, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
	    "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
	    "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
	    "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9") == NULL);
}
END_TEST

/* At most 64 terms. */
START_TEST(parse_term_count)
{
	struct store_err	 err = { "" };
	struct store_query	*q;
	struct store_msg	 m;
	char			 text[64 * 3 + 8];
	size_t			 i;

	for (i = 0; i < 64; i++)
		memcpy(text + 3 * i, "ab ", 3);
	text[64 * 3] = '\0';
	q = query(text);
	summary(&m, "xaby", "", "", 0, false);
	ck_assert(store_query_match(q, &m, NULL, 0));
	store_query_free(q);
	memcpy(text + 64 * 3, "cd", 3);
	ck_assert_ptr_null(store_query_new(text, &err));
	ck_assert_str_eq(err.msg, "too many search terms (at most 64)");
	/* Blanks do not count. */
	q = query("   a      b      ");
	store_query_free(q);
}
END_TEST

/* At most 1024 bytes per term, counted after unescaping. */
START_TEST(parse_term_length)
{
	struct store_err	 err = { "" };
	struct store_query	*q;
	struct store_msg	 m;
	char			*text, *subj;

	text = malloc(4096);
	subj = malloc(2048);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(subj);
	/* subject: + 1024 × 'X': fine, and found in a lower-case subject. */
	memcpy(text, "subject:", 8);
	memset(text + 8, 'X', 1024);
	text[8 + 1024] = '\0';
	q = query(text);
	memset(subj, 'x', 1030);
	subj[1030] = '\0';
	summary(&m, subj, "", "", 0, false);
	ck_assert(store_query_match(q, &m, NULL, 0));
	subj[1000] = '\0';
	ck_assert(!store_query_match(q, &m, NULL, 0));
	store_query_free(q);
	/* 1025 bytes: too long. */
	memcpy(text, "subject:", 8);
	memset(text + 8, 'X', 1025);
	text[8 + 1025] = '\0';
	ck_assert_ptr_null(store_query_new(text, &err));
	ck_assert_str_eq(err.msg, "search term too long (at most 1024 bytes)");
	/* Quoted: 1022 bytes plus two escapes (4 written, 2 kept) = 1024. */
	text[0] = '"';
	memset(text + 1, 'y', 1022);
	memcpy(text + 1023, "\\\"\\\\\"", 6);
	q = query(text);
	store_query_free(q);
	/* One more escape is one byte too many. */
	memcpy(text + 1023, "\\\"\\\\\\\\\"", 8);
	ck_assert_ptr_null(store_query_new(text, &err));
	ck_assert_str_eq(err.msg, "search term too long (at most 1024 bytes)");
	free(text);
	free(subj);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Matching summaries                                                  */

START_TEST(match_words_phrases)
{
	struct store_msg	m;

	summary(&m, "Hello Big   World", "Alice Martin", "alice@example.org",
	    0, false);
	ck_assert(summary_matches("hello", &m));
	ck_assert(summary_matches("HELLO", &m));
	ck_assert(summary_matches("world big", &m));	/* AND, any order */
	/* Runs of blanks are one space, in the text and in the term. */
	ck_assert(summary_matches("\"big world\"", &m));
	ck_assert(summary_matches("\"BIG\t  WORLD\"", &m));
	ck_assert(!summary_matches("\"world big\"", &m));
	ck_assert(!summary_matches("hello nothere", &m));	/* AND */
	ck_assert(summary_matches("ell orl", &m));	/* substrings */
	ck_assert(summary_matches("subject:hello from:alice", &m));
	ck_assert(!summary_matches("subject:alice", &m));
	ck_assert(!summary_matches("from:hello", &m));
	ck_assert(summary_matches("from:example.org", &m));	/* address */
	ck_assert(summary_matches("from:\"alice martin\"", &m));
	/* A quote may start inside a word. */
	ck_assert(summary_matches("subject:hel\"lo big\"", &m));
	ck_assert(summary_matches("FROM:ALICE SuBjEcT:WORLD", &m));
}
END_TEST

START_TEST(match_negation)
{
	struct store_msg	m;

	summary(&m, "Invoice March", "Bob", "bob@example.org", 0, false);
	ck_assert(!summary_matches("-invoice", &m));
	ck_assert(summary_matches("-receipt", &m));
	ck_assert(summary_matches("invoice -receipt", &m));
	ck_assert(!summary_matches("invoice -march", &m));
	ck_assert(summary_matches("-subject:bob", &m));
	ck_assert(!summary_matches("-from:bob", &m));
	ck_assert(summary_matches("-\"march invoice\"", &m));
	ck_assert(!summary_matches("-\"invoice march\"", &m));
	ck_assert(summary_matches("--x", &m));	/* not "-x" */
	summary(&m, "a -x b", "Bob", "bob@example.org", 0, false);
	ck_assert(!summary_matches("--x", &m));
	ck_assert(summary_matches("\"-x\"", &m));	/* quoted dash */
}
END_TEST

START_TEST(match_escapes_prefixes)
{
	struct store_msg	m;

	summary(&m, "say \"hi\" now a\\b", "", "", 0, false);
	ck_assert(summary_matches("subject:\"say \\\"hi\\\" now\"", &m));
	ck_assert(summary_matches("\"a\\\\b\"", &m));
	ck_assert(summary_matches("a\\b", &m));	/* outside quotes: literal */
	ck_assert(!summary_matches("\"a\\\\\\\\b\"", &m));
	/* Unknown prefixes and colons are plain text. */
	summary(&m, "meet at 10:30 re foo:bar, see http://x.example/", "", "",
	    0, false);
	ck_assert(summary_matches("10:30 foo:bar http://x.example/", &m));
	ck_assert(summary_matches("subject:foo:bar", &m));
	ck_assert(!summary_matches("subject:\"foo: bar\"", &m));
	/* A quoted prefix is text. */
	summary(&m, "re subject:x", "", "", 0, false);
	ck_assert(summary_matches("\"subject:x\"", &m));
	summary(&m, "x", "", "", 0, false);
	ck_assert(!summary_matches("\"subject:x\"", &m));
	ck_assert(summary_matches("subject:x", &m));
}
END_TEST

static const struct {
	const char	*text;
	unsigned	 flags;
	bool		 in_new;
	bool		 want;
} flag_cases[] = {
	{ "flag:unread", 0, false, true },
	{ "flag:unread", STORE_SEEN, false, false },
	{ "flag:read", STORE_SEEN, false, true },
	{ "flag:read", STORE_FLAGGED, false, false },
	{ "-flag:read", 0, false, true },
	{ "flag:flagged", STORE_FLAGGED | STORE_SEEN, false, true },
	{ "flag:flagged", STORE_SEEN, false, false },
	{ "flag:replied", STORE_REPLIED, false, true },
	{ "flag:replied", STORE_PASSED, false, false },
	{ "flag:forwarded", STORE_PASSED, false, true },
	{ "flag:draft", STORE_DRAFT, false, true },
	{ "flag:draft", 0, false, false },
	{ "flag:deleted", STORE_TRASHED, false, true },
	{ "flag:deleted", STORE_ALL_FLAGS & ~STORE_TRASHED, false, false },
	{ "flag:new", 0, true, true },
	{ "flag:new", 0, false, false },
	{ "-flag:new", STORE_SEEN, false, true },
	{ "flag:UNREAD flag:Flagged", STORE_FLAGGED, false, true },
	{ "flag:unread flag:flagged", STORE_FLAGGED | STORE_SEEN, false,
	    false },
	{ "flag:read -flag:deleted", STORE_SEEN | STORE_TRASHED, false,
	    false },
	{ "flag:read subject:hello", STORE_SEEN, false, true },
	{ "flag:read subject:bye", STORE_SEEN, false, false },
};

START_TEST(match_flags)
{
	struct store_msg	m;

	summary(&m, "hello", "", "", flag_cases[_i].flags,
	    flag_cases[_i].in_new);
	ck_assert_msg(summary_matches(flag_cases[_i].text, &m) ==
	    flag_cases[_i].want, "\"%s\" flags %#x", flag_cases[_i].text,
	    flag_cases[_i].flags);
}
END_TEST

/* date: ranges, in the local time zone (UTC here); the message's date
 * is its Date:, else its delivery time. 1709285400 is 2024-03-01
 * 09:30 UTC. */
static const struct {
	const char	*text;
	int64_t		 date;
	bool		 want;
} date_cases[] = {
	{ "date:2024", 1709285400, true },
	{ "date:2023", 1709285400, false },
	{ "date:2024-03", 1709285400, true },
	{ "date:2024-3", 1709285400, true },
	{ "date:2024-02", 1709285400, false },
	{ "date:2024-03-01", 1709285400, true },
	{ "date:2024-03-02", 1709285400, false },
	{ "date:2024-02-29", 1709285400, false },
	{ "date:2024-03-01..2024-03-31", 1709285400, true },
	{ "date:2024-02-01..2024-02-29", 1709285400, false },
	{ "date:2024-02-01..2024-03-01", 1709285400, true },
	{ "date:2024-03-02..", 1709285400, false },
	{ "date:2024-03-01..", 1709285400, true },
	{ "date:..2024-02", 1709285400, false },
	{ "date:..2024-03", 1709285400, true },
	{ "-date:2024", 1709285400, false },
	{ "date:2024 subject:hello", 1709285400, true },
	{ "date:7d", 0, false },
	{ "date:100000d", 1709285400, true },
	{ "date:2024", STORE_DATE_UNKNOWN, false },
};

START_TEST(match_dates)
{
	struct store_msg	m;

	ck_assert_int_eq(setenv("TZ", "UTC", 1), 0);
	tzset();
	summary(&m, "hello", "", "", 0, false);
	m.date = date_cases[_i].date;
	ck_assert_msg(summary_matches(date_cases[_i].text, &m) ==
	    date_cases[_i].want, "\"%s\"", date_cases[_i].text);
}
END_TEST

START_TEST(match_dates_bad)
{
	static const char *const bad[] = { "date:yesterday", "date:24",
	    "date:2024-13", "date:2024-00-01", "date:2024-03-32",
	    "date:2024-03-01-02", "date:..", "date:2024-", "date:-3d",
	    "date:1969", "date:x..2024", "date:2024..y", "date:d",
	    "date:2024-003" };
	struct store_err	err;
	size_t			i;

	for (i = 0; i < NITEMS(bad); i++) {
		ck_assert_msg(store_query_new(bad[i], &err) == NULL,
		    "%s accepted", bad[i]);
		ck_assert_msg(strstr(err.msg, "bad date") != NULL, "%s: %s",
		    bad[i], err.msg);
	}
}
END_TEST

START_TEST(match_utf8)
{
	struct store_msg	m;

	summary(&m, "R\xC3\xA9union de l'\xC3\xA9quipe \xE2\x80\x94 "
	    "\xCE\xA9\xCE\xBC\xCE\xAD\xCE\xB3\xCE\xB1 \xD0\x96\xD1\x83\xD0\xBA "
	    "Stra\xC3\x9F" "e", "J\xC3\xA9r\xC3\xB4me", "j@example.fr", 0,
	    false);
	ck_assert(summary_matches("R\xC3\x89UNION", &m));	/* RÉUNION */
	ck_assert(summary_matches("\xC3\xA9quipe", &m));
	ck_assert(summary_matches("\xCF\x89\xCE\xBC\xCE\xAD\xCE\xB3\xCE\xB1",
	    &m));						/* ωμέγα */
	ck_assert(summary_matches("\xCE\xA9\xCE\x9C\xCE\x88\xCE\x93\xCE\x91",
	    &m));						/* ΩΜΈΓΑ */
	ck_assert(summary_matches("\xD0\xB6\xD0\xa3\xD0\x9A", &m)); /* жУК */
	ck_assert(summary_matches("from:J\xC3\x89R\xC3\x94ME", &m));
	ck_assert(summary_matches("stra\xC3\x9F" "e", &m));
	/* ß is not ss. */
	ck_assert(!summary_matches("strasse", &m));
	/* No accent folding: é is not e. */
	ck_assert(!summary_matches("reunion", &m));
	/* Invalid bytes in a query match themselves only. */
	summary(&m, "a\xFF" "b \xC3 c", "", "", 0, false);
	ck_assert(summary_matches("A\xFF" "B", &m));
	ck_assert(summary_matches("\"\xC3 C\"", &m));
	ck_assert(!summary_matches("\xFE", &m));
}
END_TEST

/* Without the bytes, a term that needs them does not match (negated:
 * it does); a bare term may still match the summary. */
START_TEST(match_no_data)
{
	struct store_msg	m;

	summary(&m, "Lunch", "Carol", "carol@example.org", 0, false);
	ck_assert(!summary_matches("to:carol", &m));
	ck_assert(!summary_matches("cc:carol", &m));
	ck_assert(!summary_matches("body:lunch", &m));
	ck_assert(summary_matches("-to:carol", &m));
	ck_assert(summary_matches("-body:lunch", &m));
	ck_assert(summary_matches("lunch", &m));
	ck_assert(summary_matches("carol@", &m));
	ck_assert(!summary_matches("dinner", &m));
	ck_assert(summary_matches("-dinner", &m));
	ck_assert(!summary_matches("-lunch", &m));
}
END_TEST

/* NULL summary strings (a careless caller) read as empty. */
START_TEST(match_null_strings)
{
	struct store_msg	m;

	summary(&m, NULL, NULL, NULL, 0, false);
	ck_assert(!summary_matches("x", &m));
	ck_assert(summary_matches("-subject:x -from:x", &m));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Matching message bytes                                              */

/* tests/data/show/simple.eml: encoded From and Subject, To with a
 * quoted comma name, an empty group in Cc, a QP Latin-1 body. */
START_TEST(file_simple)
{
	static const char *const yes[] = {
		"subject:r\xC3\xA9union",		/* decoded subject */
		"subject:\"R\xC3\x89UNION DE L'\xC3\x89QUIPE\"",
		"from:fran\xC3\xA7ois", "from:FP@EXAMPLE.ES",
		"from:\"Fran\xC3\x87OIS P\xC3\x89REZ\"",
		"to:\"martin, jeanne\"", "to:jeanne@example.fr",
		"to:bob@example.org", "to:bob", "cc:undisclosed",
		"cc:\"undisclosed recipients\"",
		"body:\"la r\xC3\xA9union est d\xC3\xA9plac\xC3\xA9\x65\"",
		"body:\"\xC3\x80 TOUS\"", "body:\"jeudi. merci\"",
		"body:bonjour", "bonjour", "jeanne", "undisclosed",
		"bonjour -body:absent", "-to:fp@example.es",
		"to:jeanne -cc:jeanne", "subject:r\xC3\xA9union -subject:fwd",
	};
	static const char *const no[] = {
		"to:fran\xC3\xA7ois", "from:jeanne", "cc:jeanne",
		"subject:bonjour", "body:=E0", "body:\"d=E9plac\"",
		"body:jeudi.=", "body:quoted-printable",	/* header */
		"body:\"content-type\"", "body:example.es", "-bonjour",
		"bonjour absent", "to:\"jeanne martin\"", "-to:bob",
	};
	struct tmsg	t;

	tmsg_file(&t, SHOW "simple.eml");
	check_all(&t, yes, NITEMS(yes), true, "simple.eml");
	check_all(&t, no, NITEMS(no), false, "simple.eml");
	tmsg_free(&t);
}
END_TEST

/* tests/data/show/multi.eml: multipart/mixed with a text part, a base64
 * image attachment ("hello world" inside, named été.png) and an inline
 * message/rfc822 holding a multipart/alternative. Searched: the text
 * part and the inline message's chosen (plain) alternative, as the
 * pager shows them; not the attachment, not the unchosen HTML, not the
 * preamble or epilogue. */
START_TEST(file_multi)
{
	static const char *const yes[] = {
		"body:\"hello bob, here are the photos\"", "body:photos",
		"body:\"inner text\"", "subject:photos", "to:bob@example.org",
		"from:jeanne", "photos", "inner",
	};
	static const char *const no[] = {
		"body:\"hello world\"", "body:aGVsbG8", "body:\"inner html\"",
		"body:\"<p>\"", "body:preamble", "body:epilogue",
		"body:\xC3\xA9t\xC3\xA9", "body:png", "\"hello world\"",
		"body:boundary", "-body:photos", "cc:bob",
	};
	struct tmsg	t;

	tmsg_file(&t, SHOW "multi.eml");
	check_all(&t, yes, NITEMS(yes), true, "multi.eml");
	check_all(&t, no, NITEMS(no), false, "multi.eml");
	tmsg_free(&t);
}
END_TEST

/* tests/data/show/evil.eml: control characters in the body are made
 * harmless (caret notation) before searching; text around them is
 * still found. */
START_TEST(file_evil)
{
	static const char *const yes[] = {
		"body:\"body with\"", "body:red", "body:bell", "mallory",
		"from:m@evil.example",
	};
	static const char *const no[] = {
		"body:\"\x1b[31m\"", "to:mallory",
	};
	struct tmsg	t;

	tmsg_file(&t, SHOW "evil.eml");
	check_all(&t, yes, NITEMS(yes), true, "evil.eml");
	check_all(&t, no, NITEMS(no), false, "evil.eml");
	tmsg_free(&t);
}
END_TEST

/* The pager's choice between alternatives and inline parts. */
START_TEST(file_corpus_east)
{
	struct tmsg	t;

	tmsg_file(&t, EAST "alternative.eml");
	ck_assert(matches("body:\"plain text body\"", &t, true));
	ck_assert(!matches("body:\"fancy html\"", &t, true));
	ck_assert(matches("subject:\"alternative example\"", &t, true));
	tmsg_free(&t);
	tmsg_file(&t, EAST "mixed.eml");
	ck_assert(matches("body:\"plain text body\"", &t, true));
	ck_assert(matches("body:\"fancy html body.\"", &t, true));
	ck_assert(!matches("body:\"<b>\"", &t, true));
	tmsg_free(&t);
	/* A phrase across a line break. */
	tmsg_file(&t, EAST "mail_2.eml");
	ck_assert(matches("body:\"this is the second email\"", &t, true));
	ck_assert(matches("to:bob from:alice", &t, true));
	tmsg_free(&t);
	tmsg_file(&t, EAST "mail_multipart.eml");
	ck_assert(matches("body:\"body 1\" body:\"body 2\"", &t, true));
	tmsg_free(&t);
}
END_TEST

/* To and Cc are decoded from the raw bytes: encoded words in names. */
START_TEST(file_encoded_recipients)
{
	static const char	msg[] =
	    "From: =?ISO-8859-1?Q?Ren=E9e?= <renee@example.fr>\n"
	    "To: =?UTF-8?B?SsOpcsO0bWUgTMOpdsOqcXVl?= <jl@example.fr>,\n"
	    " \"Doe, John\" <john@example.com>\n"
	    "Cc: =?utf-8?q?=D0=96=D1=83=D0=BA?= <zhuk@example.ru>\n"
	    "Cc: second@example.net\n"
	    "Subject: =?UTF-8?Q?caf=C3=A9?=\n"
	    "\n"
	    "Body.\n";
	static const char *const yes[] = {
		"to:\"J\xC3\xA9r\xC3\xB4me L\xC3\xA9v\xC3\xAAque\"",
		"to:\"J\xC3\x89R\xC3\x94ME\"", "to:jl@example.fr",
		"to:\"doe, john\"", "to:john@", "cc:\xD0\xB6\xD1\x83\xD0\xBA",
		"cc:\xD0\x96\xD0\xA3\xD0\x9A", "cc:second@example.net",
		"l\xC3\xA9v\xC3\xAAque", "\xD0\xB6\xD1\x83\xD0\xBA",
		"from:ren\xC3\xA9\x65", "subject:CAF\xC3\x89",
	};
	static const char *const no[] = {
		"to:SsOpcsO0bWUgTMOpdsOqcXVl", "to:=?UTF-8?", "cc:jl@",
		"to:zhuk", "to:second", "cc:utf-8", "body:john",
		"to:renee",
	};
	struct tmsg	t;

	tmsg_str(&t, msg);
	check_all(&t, yes, NITEMS(yes), true, "encoded recipients");
	check_all(&t, no, NITEMS(no), false, "encoded recipients");
	tmsg_free(&t);
}
END_TEST

/* Bodies in every transfer encoding and charset, found decoded. */
static const struct {
	const char	*msg;
	const char	*yes;		/* one query */
	const char	*no;		/* queries, '|' between them */
} body_cases[] = {
	/* base64, UTF-8 */
	{ "Content-Type: text/plain; charset=utf-8\n"
	  "Content-Transfer-Encoding: base64\n\n"
	  "R3LDvMOfZSBhdXMgS8O2bG4g4oCUIM6pzrzOrc6zzrEgdW5kINCW0YPQui4K\n",
	  "body:\"gr\xC3\xBC\xC3\x9F" "e aus k\xC3\xB6ln\" "
	  "body:\xCE\xA9\xCE\x9C\xCE\x88\xCE\x93\xCE\x91 "
	  "body:\xD0\xB6\xD1\x83\xD0\xBA",
	  "body:R3LDvMOf" },
	/* base64, Latin-1 */
	{ "Content-Type: text/plain; charset=iso-8859-1\n"
	  "Content-Transfer-Encoding: base64\n\n"
	  "VW4gY2Fm6SBjcuhtZSwgcydpbCB2b3VzIHBsYe50Lgo=\n",
	  "body:\"CAF\xC3\x89 CR\xC3\x88ME\" body:pla\xC3\xAEt",
	  "body:VW4gY2Fm" },
	/* quoted-printable, UTF-8 */
	{ "Content-Type: text/plain; charset=UTF-8\n"
	  "Content-Transfer-Encoding: quoted-printable\n\n"
	  "Pri=C3=A8re de r=C3=A9pondre avant =C3=89T=C3=89.\n",
	  "body:\"pri\xC3\xA8re de r\xC3\xA9pondre\" body:\xC3\xA9t\xC3\xA9.",
	  "body:=C3=A8" },
	/* quoted-printable, Latin-1, soft line break inside a word */
	{ "Content-Type: text/plain; charset=latin1\n"
	  "Content-Transfer-Encoding: quoted-printable\n\n"
	  "La r=E9uni=\non commence.\n",
	  "body:r\xC3\xA9union",
	  "body:uni=" },
	/* 8-bit without a charset: UTF-8 when valid */
	{ "Subject: x\n\n\xC3\x89t\xC3\xA9 chaud\n",
	  "body:\"\xC3\xA9t\xC3\xA9 CHAUD\"",
	  "body:\"\xC3\x83\xC2\x89\"" },
	/* 8-bit without a charset, not UTF-8: windows-1252 */
	{ "Subject: x\n\n\xC9t\xE9 \x80 chaud\n",
	  "body:\"\xC3\xA9t\xC3\xA9 \xE2\x82\xAC chaud\"",
	  "body:\xC9t" },
	/* format=flowed with DelSp=yes: the soft break's space goes */
	{ "Content-Type: text/plain; format=flowed; delsp=yes\n\n"
	  "split-wo \nrd here\n",
	  "body:\"split-word here\"",
	  "body:\"split-wo rd\"|body:\"split-wo \"" },
	/* HTML only: rendered, tags and entities gone */
	{ "Content-Type: text/html; charset=utf-8\n\n"
	  "<html><head><style>p{color:red}</style></head><body>"
	  "<p>Hello <b>Bold</b> &amp; <i>W&ouml;rld</i></p>"
	  "<script>var hidden=1;</script></body></html>\n",
	  "body:\"hello bold & w\xC3\xB6rld\"",
	  "body:\"<b>\"|body:&amp;|body:hidden|body:color|body:ouml" },
	/* A text attachment is not body text... */
	{ "Content-Type: multipart/mixed; boundary=b\n\n"
	  "--b\nContent-Type: text/plain\n\nvisible words\n"
	  "--b\nContent-Type: text/plain\n"
	  "Content-Disposition: attachment; filename=notes.txt\n\n"
	  "attached words\n"
	  "--b\nContent-Type: application/octet-stream\n"
	  "Content-Transfer-Encoding: base64\n\n"
	  "c2VjcmV0IGF0dGFjaG1lbnQgd29yZHMK\n--b--\n",
	  "body:\"visible words\"",
	  "body:attached|body:secret|body:notes.txt|attached|secret" },
	/* ...but one shown inline is. */
	{ "Content-Type: multipart/mixed; boundary=b\n\n"
	  "--b\nContent-Type: text/plain\n\nfirst\n"
	  "--b\nContent-Type: text/plain\n"
	  "Content-Disposition: inline; filename=more.txt\n\n"
	  "inline words\n--b--\n",
	  "body:first body:\"inline words\"",
	  "body:more.txt" },
	/* CRLF line ends */
	{ "Subject: crlf\r\nTo: Crlf Person <crlf@example.org>\r\n\r\n"
	  "line one\r\nline two\r\n",
	  "body:\"line one line two\" to:\"crlf person\" to:crlf@example.org",
	  "body:^M" },
	/* No blank line: the body starts at the first line that is not a
	 * field. */
	{ "Subject: hi\nTo: a@example.org\nthis line is body\n",
	  "body:\"this line is body\" to:a@example.org",
	  "to:\"this line\"|body:subject" },
	/* Header only */
	{ "Subject: only\nTo: Header Only <ho@example.org>\n",
	  "to:\"header only\" to:ho@example.org -body:only",
	  "body:only|body:ho@" },
	/* 0 bytes */
	{ "", "-body:x -to:x -cc:x", "body:x|to:x|cc:x|x" },
	/* Blank line only */
	{ "\n", "-body:x", "body:x" },
};

START_TEST(file_bodies)
{
	struct tmsg	 t;
	char		*no, *w, *save = NULL;

	tmsg_str(&t, body_cases[_i].msg);
	ck_assert_msg(matches(body_cases[_i].yes, &t, true),
	    "case %d: \"%s\" should match", _i, body_cases[_i].yes);
	/* Each "no" query ('|' between them) alone must fail. */
	no = strdup(body_cases[_i].no);
	ck_assert_ptr_nonnull(no);
	for (w = strtok_r(no, "|", &save); w != NULL;
	    w = strtok_r(NULL, "|", &save))
		ck_assert_msg(!matches(w, &t, true),
		    "case %d: \"%s\" should not match", _i, w);
	free(no);
	tmsg_free(&t);
}
END_TEST

/* All terms must match, across fields; negation of each in turn. */
START_TEST(file_and_negation)
{
	static const char	msg[] =
	    "From: Alice <alice@example.org>\n"
	    "To: Bob <bob@example.org>\n"
	    "Cc: Carol <carol@example.org>\n"
	    "Subject: Quarterly report\n"
	    "\n"
	    "Numbers attached.\n";
	struct tmsg	t;

	tmsg_init(&t, msg, sizeof(msg) - 1, STORE_SEEN | STORE_FLAGGED);
	ck_assert(matches("from:alice to:bob cc:carol subject:quarterly "
	    "body:numbers flag:read flag:flagged", &t, true));
	ck_assert(!matches("from:alice to:bob cc:carol subject:quarterly "
	    "body:numbers flag:read flag:flagged flag:replied", &t, true));
	ck_assert(!matches("from:alice -to:bob", &t, true));
	ck_assert(!matches("-cc:carol subject:quarterly", &t, true));
	ck_assert(!matches("-body:numbers", &t, true));
	ck_assert(matches("-body:letters -to:carol -cc:bob", &t, true));
	/* Bare terms look everywhere. */
	ck_assert(matches("alice bob carol quarterly numbers", &t, true));
	ck_assert(!matches("alice bob carol quarterly numbers dave", &t,
	    true));
	ck_assert(!matches("-carol", &t, true));
	ck_assert(!matches("-numbers", &t, true));
	/* Without the bytes only the summary is seen. */
	ck_assert(!matches("carol", &t, false));
	ck_assert(matches("alice", &t, false));
	tmsg_free(&t);
}
END_TEST

/* A hostile body and needle: the search stays linear. */
START_TEST(file_linear_time)
{
	size_t			 n = 4 * 1024 * 1024, i;
	char			*msg, text[1100];
	struct store_msg	 m;
	struct store_query	*q;
	int64_t			 t0;

	msg = malloc(n + 8);
	ck_assert_ptr_nonnull(msg);
	memcpy(msg, "\n", 1);
	memset(msg + 1, 'a', n);
	msg[n + 1] = '\0';
	memcpy(text, "body:", 5);
	for (i = 0; i < 1000; i++)
		text[5 + i] = 'a';
	memcpy(text + 1005, "b", 2);
	summary(&m, "", "", "", 0, false);
	q = query(text);
	t0 = time_mono_ms();
	ck_assert(!store_query_match(q, &m, msg, n + 1));
	/* 4 MiB against a 1001-byte needle: a naive search would take
	 * billions of steps; this takes milliseconds (seconds with
	 * valgrind). */
	ck_assert_int_lt(time_mono_ms() - t0, 20000);
	store_query_free(q);
	/* And the needle is found at the very end. */
	memcpy(msg + n, "b", 2);
	q = query(text);
	ck_assert(store_query_match(q, &m, msg, n + 1));
	store_query_free(q);
	free(msg);
}
END_TEST

/*
 * 100,000 summaries, summary-only terms. The goal is well under 50 ms in
 * an optimised build; the bound here is loose so that sanitizers and
 * valgrind pass, and only catches per-message work gone quadratic.
 */
START_TEST(summary_speed)
{
	enum { N = 100000 };
	struct store_msg	*ms;
	struct store_query	*q;
	char			 (*subj)[48];
	size_t			 i, hits = 0, want = 0;
	int64_t			 t0, ms_taken;

	ms = calloc(N, sizeof(*ms));
	subj = calloc(N, sizeof(*subj));
	ck_assert_ptr_nonnull(ms);
	ck_assert_ptr_nonnull(subj);
	for (i = 0; i < N; i++) {
		(void)snprintf(subj[i], sizeof(subj[i]), "Re: R\xC3\xA9union "
		    "num\xC3\xA9ro %zu de l'\xC3\xA9quipe", i);
		summary(&ms[i], subj[i], i % 3 == 0 ? "Alice" : "Bob",
		    i % 3 == 0 ? "alice@example.org" : "bob@example.org",
		    i % 2 == 0 ? STORE_SEEN : 0, false);
	}
	q = query("subject:\"R\xC3\x89UNION NUM\xC3\x89RO 9\" from:alice "
	    "-flag:read");
	ck_assert(!store_query_needs_file(q));
	t0 = time_mono_ms();
	for (i = 0; i < N; i++)
		if (store_query_match(q, &ms[i], NULL, 0))
			hits++;
	ms_taken = time_mono_ms() - t0;
	store_query_free(q);
	/* i odd, i % 3 == 0, "numéro 9..." : 9, 93, 99, 903, ... */
	ck_assert_uint_gt(hits, 0);
	for (i = 0; i < N; i++)
		if (i % 2 == 1 && i % 3 == 0 && subj[i][21] == '9')
			want++;
	ck_assert_uint_eq(hits, want);
	ck_assert_int_lt(ms_taken, 5000);
	free(ms);
	free(subj);
}
END_TEST

/* ------------------------------------------------------------------ */
/* store_search over a maildir                                         */

static char	 search_root[64];
static char	 search_path[128];

static const struct {
	const char	*file;		/* in tests/data, or NULL: text */
	const char	*text;
	unsigned	 flags;
	bool		 to_cur;
} search_msgs[] = {
	{ SHOW "simple.eml", NULL, 0, false },
	{ SHOW "multi.eml", NULL, STORE_SEEN, true },
	{ NULL, "From: Dora <dora@example.org>\nTo: Eve <eve@example.org>\n"
	  "Subject: needle report\n\nThe needle is in the body.\n",
	  STORE_SEEN | STORE_FLAGGED, true },
	{ NULL, "From: Frank <frank@example.org>\nSubject: html only\n"
	  "Content-Type: text/html\n\n<p>Zebra <b>crossing</b></p>\n",
	  0, true },
	{ NULL, "Subject: gone\n\nthis file will be removed\n", 0, true },
};

static void
search_setup(void)
{
	struct store_err	 err = { "" };
	size_t			 i, len;
	char			*data;

	(void)snprintf(search_root, sizeof(search_root),
	    "/tmp/facteur-search.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(search_root));
	ck_assert_int_eq(store_folder_create(search_root, "INBOX", &err), 0);
	(void)snprintf(search_path, sizeof(search_path), "%s/INBOX",
	    search_root);
	for (i = 0; i < NITEMS(search_msgs); i++) {
		if (search_msgs[i].file != NULL)
			data = slurp(search_msgs[i].file, &len);
		else {
			data = strdup(search_msgs[i].text);
			ck_assert_ptr_nonnull(data);
			len = strlen(data);
		}
		ck_assert_msg(store_deliver(search_path, data, len,
		    search_msgs[i].flags, search_msgs[i].to_cur, NULL,
		    &err) == 0, "deliver: %s", err.msg);
		free(data);
	}
}

static void
search_teardown(void)
{
	test_remove_tree(search_root);
}

static struct store_folder *
search_open(void)
{
	struct store_err	 err = { "" };
	struct store_folder	*f;

	f = store_folder_open(search_path, &(struct store_open_opts){ 0 },
	    &err);
	ck_assert_msg(f != NULL, "open: %s", err.msg);
	ck_assert_uint_eq(store_folder_count(f), NITEMS(search_msgs));
	return f;
}

/* The subjects matched, sorted, joined with "|". */
static void
search_subjects(struct store_folder *f, const char *text, char *out,
    size_t size, long *hits)
{
	struct store_err	 err = { "" };
	struct store_query	*q = query(text);
	bool			 match[NITEMS(search_msgs)];
	const char		*subj[NITEMS(search_msgs)], *tmp;
	size_t			 i, j, n = 0;

	memset(match, 0, sizeof(match));
	*hits = store_search(f, q, match, &err);
	ck_assert_msg(*hits >= 0, "search: %s", err.msg);
	for (i = 0; i < store_folder_count(f); i++)
		if (match[i])
			subj[n++] = store_folder_msg(f, i)->subject;
	ck_assert_int_eq(*hits, (long)n);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(subj[j - 1], subj[j]) > 0; j--) {
			tmp = subj[j];
			subj[j] = subj[j - 1];
			subj[j - 1] = tmp;
		}
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			(void)fct_strlcat(out, "|", size);
		(void)fct_strlcat(out, subj[i], size);
	}
	store_query_free(q);
}

static const struct {
	const char	*text;
	const char	*want;
} search_cases[] = {
	{ "needle", "needle report" },
	{ "body:needle", "needle report" },
	{ "body:\"needle is in\"", "needle report" },
	{ "flag:unread", "R\xC3\xA9union de l'\xC3\xA9quipe|gone|html only" },
	{ "flag:new", "R\xC3\xA9union de l'\xC3\xA9quipe" },
	{ "flag:read", "needle report|photos" },
	{ "flag:flagged", "needle report" },
	{ "-flag:read -flag:new", "gone|html only" },
	{ "body:zebra", "html only" },
	{ "body:\"zebra crossing\"", "html only" },
	{ "to:bob", "R\xC3\xA9union de l'\xC3\xA9quipe|photos" },
	{ "to:eve", "needle report" },
	{ "from:frank", "html only" },
	{ "subject:\xC3\x89QUIPE", "R\xC3\xA9union de l'\xC3\xA9quipe" },
	{ "body:\"hello world\"", "" },		/* attachment only */
	{ "example.org", "R\xC3\xA9union de l'\xC3\xA9quipe|html only|"
	  "needle report|photos" },
	{ "nothing-like-this", "" },
};

START_TEST(search_table)
{
	struct store_folder	*f = search_open();
	char			 got[512];
	long			 hits;

	search_subjects(f, search_cases[_i].text, got, sizeof(got), &hits);
	ck_assert_msg(strcmp(got, search_cases[_i].want) == 0,
	    "\"%s\": got \"%s\", want \"%s\"", search_cases[_i].text, got,
	    search_cases[_i].want);
	store_folder_close(f);
}
END_TEST

/* A file that cannot be read does not match, negated terms included;
 * summary-only queries never read it. */
START_TEST(search_unreadable)
{
	struct store_folder	*f = search_open();
	char			 got[512], path[512], *rel = NULL;
	size_t			 i;
	long			 hits;

	for (i = 0; i < store_folder_count(f); i++)
		if (strcmp(store_folder_msg(f, i)->subject, "gone") == 0)
			rel = store_msg_path_new(f, i);
	ck_assert_ptr_nonnull(rel);
	/* The header says "cur/NAME"; accept a full path as well. */
	if (rel[0] == '/')
		(void)snprintf(path, sizeof(path), "%s", rel);
	else
		(void)snprintf(path, sizeof(path), "%s/%s", search_path, rel);
	free(rel);
	ck_assert_int_eq(unlink(path), 0);
	search_subjects(f, "subject:gone", got, sizeof(got), &hits);
	ck_assert_str_eq(got, "gone");
	search_subjects(f, "gone", got, sizeof(got), &hits);
	ck_assert_str_eq(got, "gone");		/* the subject decides */
	search_subjects(f, "body:removed", got, sizeof(got), &hits);
	ck_assert_str_eq(got, "");
	search_subjects(f, "-body:zzz flag:unread", got, sizeof(got), &hits);
	ck_assert_str_eq(got, "R\xC3\xA9union de l'\xC3\xA9quipe|html only");
	search_subjects(f, "subject:gone -to:x", got, sizeof(got), &hits);
	ck_assert_str_eq(got, "");
	ck_assert_int_eq(hits, 0);
	store_folder_close(f);
}
END_TEST

START_TEST(search_bad_args)
{
	struct store_folder	*f = search_open();
	struct store_query	*q = query("x");
	struct store_err	 err = { "" };
	bool			 match[NITEMS(search_msgs)];

	ck_assert_int_eq(store_search(NULL, q, match, &err), -1);
	ck_assert_str_eq(err.msg, "search: no folder or no query");
	ck_assert_int_eq(store_search(f, NULL, match, &err), -1);
	ck_assert_int_eq(store_search(f, q, NULL, NULL), -1);
	store_query_free(q);
	store_folder_close(f);
}
END_TEST

Suite *
store_search_suite(void)
{
	Suite	*s = suite_create("store_search");
	TCase	*tc;

	tc = tcase_create("casefold");
	tcase_add_loop_test(tc, fold_table, 0, (int)NITEMS(fold_cases));
	tcase_add_test(tc, fold_null_empty);
	tcase_add_test(tc, fold_all_two_byte);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, parse_ok_table, 0, (int)NITEMS(parse_ok));
	tcase_add_loop_test(tc, parse_bad_table, 0, (int)NITEMS(parse_bad));
	tcase_add_test(tc, parse_null);
	tcase_add_test(tc, parse_error_quote_cut);
	tcase_add_test(tc, parse_term_count);
	tcase_add_test(tc, parse_term_length);
	suite_add_tcase(s, tc);

	tc = tcase_create("match_summary");
	tcase_add_test(tc, match_words_phrases);
	tcase_add_test(tc, match_negation);
	tcase_add_test(tc, match_escapes_prefixes);
	tcase_add_loop_test(tc, match_flags, 0, (int)NITEMS(flag_cases));
	tcase_add_loop_test(tc, match_dates, 0, (int)NITEMS(date_cases));
	tcase_add_test(tc, match_dates_bad);
	tcase_add_test(tc, match_utf8);
	tcase_add_test(tc, match_no_data);
	tcase_add_test(tc, match_null_strings);
	tcase_add_test(tc, summary_speed);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("match_file");
	tcase_add_test(tc, file_simple);
	tcase_add_test(tc, file_multi);
	tcase_add_test(tc, file_evil);
	tcase_add_test(tc, file_corpus_east);
	tcase_add_test(tc, file_encoded_recipients);
	tcase_add_loop_test(tc, file_bodies, 0, (int)NITEMS(body_cases));
	tcase_add_test(tc, file_and_negation);
	tcase_add_test(tc, file_linear_time);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	/* Needs the folder code of src/store/ (store_folder_open). */
	tc = tcase_create("search");
	tcase_add_checked_fixture(tc, search_setup, search_teardown);
	tcase_add_loop_test(tc, search_table, 0, (int)NITEMS(search_cases));
	tcase_add_test(tc, search_unreadable);
	tcase_add_test(tc, search_bad_args);
	suite_add_tcase(s, tc);
	return s;
}
