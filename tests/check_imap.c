/*
 * check_imap.c: the IMAP response parser (src/proto/imap_parse.c) on
 * responses real servers send (Dovecot's and RFC 3501's examples) and on
 * hostile ones, and the reader (src/proto/imap_read.c) assembling
 * responses with literals from a connection fed in pieces.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "imap.h"
#include "tests.h"

/* Parse s (CRLF added) or fail the test with the parser's reason. The
 * response points into the returned wire form: free it after r. */
static char *
parse_ok(const char *s, struct imap_resp *r)
{
	char	 err[128], *wire = xasprintf("%s\r\n", s);

	ck_assert_msg(imap_parse(wire, strlen(wire), r, err,
	    sizeof(err)) == 0, "%s: %s", s, err);
	return wire;
}

/* Items of r flattened: atoms as they are, strings in quotes, NIL as NIL,
 * lists in parentheses; for comparisons. */
static void
flatten(struct buf *b, const struct imap_item *it, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			ck_assert_int_eq(buf_append(b, " ", 1), 0);
		switch (it[i].type) {
		case IMAP_ATOM:
			ck_assert_int_eq(buf_append(b, it[i].s, it[i].len), 0);
			break;
		case IMAP_NIL:
			ck_assert_int_eq(buf_append_str(b, "NIL"), 0);
			break;
		case IMAP_STRING:
			ck_assert_int_eq(buf_printf(b, "%s\"%.*s\"",
			    it[i].literal ? "L" : "", (int)it[i].len,
			    it[i].s), 0);
			break;
		case IMAP_LIST:
			ck_assert_int_eq(buf_append(b, "(", 1), 0);
			flatten(b, it[i].items, it[i].n);
			ck_assert_int_eq(buf_append(b, ")", 1), 0);
			break;
		}
	}
}

/* The whole response as one comparable string. */
static char *
describe(const char *wire, size_t len)
{
	struct imap_resp	 r;
	struct buf		 b;
	char			 err[128];

	buf_init(&b, 1 << 20);
	if (imap_parse(wire, len, &r, err, sizeof(err)) == -1) {
		ck_assert_int_eq(buf_printf(&b, "ERROR %s", err), 0);
		return buf_take(&b);
	}
	switch (r.kind) {
	case IMAP_TAGGED:
		ck_assert_int_eq(buf_printf(&b, "TAG %s ", r.tag), 0);
		break;
	case IMAP_UNTAGGED:
		ck_assert_int_eq(buf_append_str(&b, "* "), 0);
		break;
	case IMAP_CONTINUE:
		ck_assert_int_eq(buf_append_str(&b, "+ "), 0);
		break;
	}
	if (r.has_number)
		ck_assert_int_eq(buf_printf(&b, "#%u ", r.number), 0);
	if (r.status != IMAP_ST_NONE)
		ck_assert_int_eq(buf_printf(&b, "status=%d ", (int)r.status),
		    0);
	if (r.name[0] != '\0')
		ck_assert_int_eq(buf_printf(&b, "%s ", r.name), 0);
	if (r.has_code) {
		ck_assert_int_eq(buf_printf(&b, "[%s", r.code), 0);
		if (r.ncode_args > 0)
			ck_assert_int_eq(buf_append(&b, " ", 1), 0);
		flatten(&b, r.code_args, r.ncode_args);
		ck_assert_int_eq(buf_append_str(&b, "] "), 0);
	}
	if (r.text != NULL)
		ck_assert_int_eq(buf_printf(&b, "text=%.*s", (int)r.text_len,
		    r.text), 0);
	flatten(&b, r.items, r.n);
	imap_resp_free(&r);
	return buf_take(&b);
}

static const struct {
	const char	*in;	/* CRLF appended */
	const char	*want;
} parse_cases[] = {
	/* Greetings and status responses */
	{ "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE "
	  "IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot ready.",
	  "* status=1 [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID "
	  "ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] text=Dovecot ready." },
	{ "* PREAUTH IMAP4rev1 server logged in as Smith",
	  "* status=5 text=IMAP4rev1 server logged in as Smith" },
	{ "* BYE Autologout; idle for too long",
	  "* status=4 text=Autologout; idle for too long" },
	{ "* OK", "* status=1 text=" },
	{ "a001 OK LOGIN completed", "TAG a001 status=1 text=LOGIN completed" },
	{ "A142 OK [READ-WRITE] SELECT completed",
	  "TAG A142 status=1 [READ-WRITE] text=SELECT completed" },
	{ "a2 NO [AUTHENTICATIONFAILED] Authentication failed.",
	  "TAG a2 status=2 [AUTHENTICATIONFAILED] text=Authentication "
	  "failed." },
	{ "a3 BAD Error in IMAP command: Unknown command.",
	  "TAG a3 status=3 text=Error in IMAP command: Unknown command." },
	{ "* OK [UIDVALIDITY 3857529045] UIDs valid",
	  "* status=1 [UIDVALIDITY 3857529045] text=UIDs valid" },
	{ "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited",
	  "* status=1 [PERMANENTFLAGS (\\Deleted \\Seen \\*)] text=Limited" },
	{ "A003 OK [APPENDUID 38505 3955] APPEND completed",
	  "TAG A003 status=1 [APPENDUID 38505 3955] text=APPEND completed" },
	{ "A004 OK [COPYUID 38505 304,319:320 3956:3958] Done",
	  "TAG A004 status=1 [COPYUID 38505 304,319:320 3956:3958] "
	  "text=Done" },
	{ "* OK [HIGHESTMODSEQ 715194045007] Highest",
	  "* status=1 [HIGHESTMODSEQ 715194045007] text=Highest" },
	{ "* NO [ALERT] System shutdown in 10 minutes",
	  "* status=2 [ALERT] text=System shutdown in 10 minutes" },
	{ "* OK [BADCHARSET (UTF-8 \"X y\")] x",
	  "* status=1 [BADCHARSET (UTF-8 \"X y\")] text=x" },
	{ "+ Ready for additional command text",
	  "+ text=Ready for additional command text" },
	{ "+", "+ text=" },
	{ "+ ", "+ text=" },
	/* Untagged data */
	{ "* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI LOGINDISABLED",
	  "* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI LOGINDISABLED" },
	{ "* 172 EXISTS", "* #172 EXISTS " },
	{ "* 0 RECENT", "* #0 RECENT " },
	{ "* 44 EXPUNGE", "* #44 EXPUNGE " },
	{ "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
	  "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)" },
	{ "* LIST (\\HasNoChildren \\Sent) \"/\" Sent",
	  "* LIST (\\HasNoChildren \\Sent) \"/\" Sent" },
	{ "* LIST (\\Noselect) \"/\" ~/Mail/foo",
	  "* LIST (\\Noselect) \"/\" ~/Mail/foo" },
	{ "* LIST () NIL INBOX", "* LIST () NIL INBOX" },
	{ "* LIST (\\HasNoChildren) \".\" \"Entw&APw-rfe\"",
	  "* LIST (\\HasNoChildren) \".\" \"Entw&APw-rfe\"" },
	{ "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)",
	  "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)" },
	{ "* SEARCH 2 84 882", "* SEARCH 2 84 882" },
	{ "* SEARCH", "* SEARCH " },
	{ "* SEARCH 2 3 ", "* SEARCH 2 3" },
	{ "* ENABLED CONDSTORE QRESYNC", "* ENABLED CONDSTORE QRESYNC" },
	{ "* VANISHED (EARLIER) 300:310,405,411",
	  "* VANISHED (EARLIER) 300:310,405,411" },
	{ "* NAMESPACE ((\"\" \"/\")) NIL NIL",
	  "* NAMESPACE ((\"\" \"/\")) NIL NIL" },
	{ "* ID (\"name\" \"Dovecot\")", "* ID (\"name\" \"Dovecot\")" },
	{ "* 12 FETCH (FLAGS (\\Seen) UID 4827313 MODSEQ (65402))",
	  "* #12 FETCH (FLAGS (\\Seen) UID 4827313 MODSEQ (65402))" },
	{ "* 1 FETCH (UID 7 RFC822.SIZE 4286 INTERNALDATE "
	  "\"17-Jul-1996 02:44:25 -0700\")",
	  "* #1 FETCH (UID 7 RFC822.SIZE 4286 INTERNALDATE "
	  "\"17-Jul-1996 02:44:25 -0700\")" },
	/* Sections are one atom, spaces and parentheses included */
	{ "* 2 FETCH (BODY[HEADER.FIELDS (FROM TO)] {5}\r\nab\r\nc UID 9)",
	  "* #2 FETCH (BODY[HEADER.FIELDS (FROM TO)] L\"ab\r\nc\" UID 9)" },
	{ "* 3 FETCH (BODY[]<0> {0}\r\n)", "* #3 FETCH (BODY[]<0> L\"\")" },
	/* Multipart BODYSTRUCTURE: parts touch */
	{ "* 4 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL "
	  "\"7bit\" 3 1)(\"text\" \"html\" NIL NIL NIL \"7bit\" 5 1) "
	  "\"alternative\"))",
	  "* #4 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL "
	  "\"7bit\" 3 1) (\"text\" \"html\" NIL NIL NIL \"7bit\" 5 1) "
	  "\"alternative\"))" },
	/* Quoted strings with escapes */
	{ "* LIST () \"/\" \"a \\\"b\\\" \\\\c\"",
	  "* LIST () \"/\" \"a \"b\" \\c\"" },
	/* Literal with a NUL and CRLF inside */
	{ "* 5 FETCH (BODY[] {4}\r\na\0\r\n)", NULL },
	/* Hostile or malformed */
	{ "* LIST () \"/\" \"a\0b\"", NULL },
	{ "* LIST () \"/\" \"abc", "ERROR line break in a quoted string" },
	{ "* LIST () \"/\" \"a\\nb\"", "ERROR bad escape in a quoted string" },
	{ "* 1 FETCH (UID 1", "ERROR unterminated list" },
	{ "* 1 FETCH (UID 1))", "ERROR unbalanced parenthesis" },
	{ "* 1 FETCH (BODY[] {10}\r\nshort)",
	  "ERROR literal shorter than announced" },
	{ "* 1 FETCH (BODY[] {5} x)",
	  "ERROR literal length not at the end of a line" },
	{ "* 1 FETCH (BODY[] {}\r\n)", "ERROR malformed literal length" },
	{ "* 1 FETCH (BODY[] {99999999999999999999}\r\n)",
	  "ERROR literal length too long" },
	{ "* 1 FETCH (BODY[HEADER", "ERROR unterminated section" },
	{ "* 99999999999 EXISTS", "ERROR message number out of range" },
	{ "* 12", "ERROR malformed untagged response" },
	{ "*", "ERROR malformed tag" },
	{ "", "ERROR malformed tag" },
	{ "a1 ", "ERROR malformed tagged response" },
	{ "a1 PREAUTH x", "ERROR tagged response with status PREAUTH" },
	{ "a1 FOO x", "ERROR tagged response with status FOO" },
	{ "a+1 OK x", "ERROR malformed tag" },
	{ "a\\1 OK x", "ERROR malformed tag" },
	{ "aaaaaaaaaaaaaaaaaaaaaa OK x", "ERROR tag too long" },
	{ "* OK [UIDVALIDITY 3", "ERROR unterminated response code" },
	{ "* OK [] x", "ERROR malformed response code" },
	{ "* OK text {5}\r\nhello", "ERROR bytes after the end of the "
	  "response" },
	{ "* SEARCH 1\x01", "ERROR items not separated by a space" },
	{ "* SEARCH \x01", "ERROR control or 8-bit byte outside a string" },
	{ "* SEARCH \xc3\xa9", "ERROR control or 8-bit byte outside a string" },
	{ "* FLAGS (a)b", "ERROR items not separated by a space" },
	{ "* FLAGS \"a\"\"b\"", "ERROR items not separated by a space" },
	{ "* OK \x00 hidden", NULL },
};

START_TEST(test_parse_table)
{
	const char	*in = parse_cases[_i].in;
	char		*wire, *got;
	size_t		 len = strlen(in);

	/* The cases with NUL bytes are checked below. */
	if (parse_cases[_i].want == NULL)
		return;
	wire = xasprintf("%s\r\n", in);
	got = describe(wire, len + 2);
	ck_assert_msg(strcmp(got, parse_cases[_i].want) == 0,
	    "%s\n got: %s\nwant: %s", in, got, parse_cases[_i].want);
	free(got);
	free(wire);
}
END_TEST

START_TEST(test_parse_nul)
{
	static const char	lit[] = "* 5 FETCH (BODY[] {4}\r\na\0\r\n)\r\n";
	static const char	quoted[] = "* LIST () \"/\" \"a\0b\"\r\n";
	static const char	text[] = "* OK \0 hidden\r\n";
	struct imap_resp	 r;
	char			 err[128];

	/* A literal may hold anything. */
	ck_assert_int_eq(imap_parse(lit, sizeof(lit) - 1, &r, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.items[0].n, 2);
	ck_assert_uint_eq(r.items[0].items[1].len, 4);
	ck_assert_int_eq(memcmp(r.items[0].items[1].s, "a\0\r\n", 4), 0);
	/* ... but not as a C string. */
	ck_assert_ptr_null(imap_item_strdup(&r.items[0].items[1]));
	imap_resp_free(&r);
	/* A quoted string may not, nor the text of a status response. */
	ck_assert_int_eq(imap_parse(quoted, sizeof(quoted) - 1, &r, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "NUL in a quoted string");
	ck_assert_int_eq(imap_parse(text, sizeof(text) - 1, &r, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "NUL in response text");
}
END_TEST

START_TEST(test_parse_bounds)
{
	struct buf		 b;
	struct imap_resp	 r;
	char			 err[128];
	size_t			 i;

	ck_assert_int_eq(imap_parse("", 0, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "empty response");
	ck_assert_int_eq(imap_parse("* OK x", 6, &r, err, sizeof(err)), 0);
	imap_resp_free(&r);
	/* Nesting up to the bound parses, one more does not. */
	buf_init(&b, 4 << 20);
	ck_assert_int_eq(buf_append_str(&b, "* X "), 0);
	for (i = 0; i < IMAP_MAX_DEPTH; i++)
		ck_assert_int_eq(buf_append(&b, "(", 1), 0);
	for (i = 0; i < IMAP_MAX_DEPTH; i++)
		ck_assert_int_eq(buf_append(&b, ")", 1), 0);
	ck_assert_int_eq(imap_parse(b.data, b.len, &r, err, sizeof(err)), 0);
	imap_resp_free(&r);
	buf_reset(&b);
	ck_assert_int_eq(buf_append_str(&b, "* X "), 0);
	for (i = 0; i <= IMAP_MAX_DEPTH; i++)
		ck_assert_int_eq(buf_append(&b, "(", 1), 0);
	for (i = 0; i <= IMAP_MAX_DEPTH; i++)
		ck_assert_int_eq(buf_append(&b, ")", 1), 0);
	ck_assert_int_eq(imap_parse(b.data, b.len, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "lists nested too deep");
	/* Too many items. */
	buf_reset(&b);
	ck_assert_int_eq(buf_append_str(&b, "* SEARCH"), 0);
	for (i = 0; i <= IMAP_MAX_ITEMS; i++)
		ck_assert_int_eq(buf_append(&b, " 1", 2), 0);
	ck_assert_int_eq(imap_parse(b.data, b.len, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "too many items in one response");
	buf_free(&b);
}
END_TEST

START_TEST(test_items)
{
	struct imap_resp	 r;
	uint64_t		 n;
	char			*s, *w;

	w = parse_ok("* OK [UIDVALIDITY 4294967295] x", &r);
	ck_assert(r.has_code);
	ck_assert_str_eq(r.code, "UIDVALIDITY");
	ck_assert(imap_item_number(&r.code_args[0], UINT32_MAX, &n));
	ck_assert_uint_eq(n, 4294967295u);
	ck_assert(!imap_item_number(&r.code_args[0], UINT32_MAX - 1, &n));
	imap_resp_free(&r);
	free(w);
	w = parse_ok("* OK [UIDVALIDITY 4294967296] x", &r);
	ck_assert(!imap_item_number(&r.code_args[0], UINT32_MAX, &n));
	imap_resp_free(&r);
	free(w);
	w = parse_ok("* OK [UIDVALIDITY -1] x", &r);
	ck_assert(!imap_item_number(&r.code_args[0], UINT32_MAX, &n));
	imap_resp_free(&r);
	free(w);
	w = parse_ok("* LIST (\\HasNoChildren) \"/\" nil", &r);
	ck_assert_str_eq(r.name, "LIST");
	ck_assert_uint_eq(r.n, 3);
	ck_assert(imap_item_is(&r.items[0].items[0], "\\hasnochildren"));
	ck_assert(!imap_item_is(&r.items[0].items[0], "\\HasChildren"));
	/* NIL where a name is due keeps its text. */
	ck_assert_int_eq(r.items[2].type, IMAP_NIL);
	s = imap_item_strdup(&r.items[1]);
	ck_assert_str_eq(s, "/");
	free(s);
	imap_resp_free(&r);
	free(w);
	/* Lower-case names are upper-cased. */
	w = parse_ok("* 3 fetch (uid 5)", &r);
	ck_assert_str_eq(r.name, "FETCH");
	ck_assert_uint_eq(r.number, 3);
	imap_resp_free(&r);
	free(w);
	/* Freeing twice is harmless (the first clears). */
	imap_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The reader                                                          */

struct rdrun {
	struct imap_reader	*rd;
	struct buf		 got;	/* descriptions, "|"-separated */
	char			 err[160];
	bool			 done;
};

static void
rdrun_cb(struct net_conn *conn, enum net_event ev, void *arg)
{
	struct rdrun	*t = arg;
	const char	*data;
	size_t		 len;
	char		*d;

	if (ev == NET_EV_ERROR) {
		if (t->err[0] == '\0')
			(void)snprintf(t->err, sizeof(t->err), "%s",
			    net_conn_errmsg(conn));
		t->done = true;
		return;
	}
	if (ev != NET_EV_READABLE)
		return;
	for (;;) {
		switch (imap_reader_next(t->rd, conn, &data, &len, t->err,
		    sizeof(t->err))) {
		case IMAP_READ_OK:
			d = describe(data, len);
			ck_assert_int_eq(buf_printf(&t->got, "%s|", d), 0);
			free(d);
			continue;
		case IMAP_READ_WAIT:
			return;
		case IMAP_READ_FAIL:
			t->done = true;
			return;
		}
	}
}

/* Feed in to a reader in pieces of chunk bytes; what it made of it. */
static void
read_all(const char *in, size_t len, size_t chunk,
    const struct imap_limits *lim, struct rdrun *t)
{
	struct net_conn_params	 p = { .host = "mem", .port = "0" };
	struct net_loop		*loop = net_loop_new();
	struct net_conn		*c;
	int			 turns = 0;

	memset(t, 0, sizeof(*t));
	buf_init(&t->got, 1 << 20);
	t->rd = imap_reader_new(lim);
	c = net_conn_from_mem(loop, in, len, chunk, &p, rdrun_cb, t);
	while (!t->done && turns++ < 1000000)
		if (net_loop_run_once(loop, 1000) <= 0)
			break;
	ck_assert(t->done);
	net_conn_close(&c);
	net_loop_free(&loop);
	imap_reader_free(&t->rd);
	ck_assert_ptr_null(t->rd);
}

static const char	session[] =
    "* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n"
    "* 1 FETCH (UID 10 BODY[] {11}\r\nHi\r\nthere\r\n FLAGS (\\Seen))\r\n"
    "* 2 FETCH (BODY[HEADER] {3}\r\nabc BODY[TEXT] {2}\r\nde)\r\n"
    "a1 OK done\r\n";

START_TEST(test_reader_pieces)
{
	struct rdrun	t;

	/* Whatever the pieces the bytes arrive in. */
	read_all(session, sizeof(session) - 1, (size_t)_i + 1, NULL, &t);
	ck_assert_str_eq(buf_str(&t.got),
	    "* status=1 [CAPABILITY IMAP4rev1 LITERAL+] text=ready|"
	    "* #1 FETCH (UID 10 BODY[] L\"Hi\r\nthere\r\n\" FLAGS (\\Seen))|"
	    "* #2 FETCH (BODY[HEADER] L\"abc\" BODY[TEXT] L\"de\")|"
	    "TAG a1 status=1 text=done|");
	ck_assert_str_eq(t.err, "connection closed by mem:0");
	buf_free(&t.got);
}
END_TEST

START_TEST(test_reader_bounds)
{
	static const char	big[] = "* 1 FETCH (BODY[] {101}\r\n";
	static const char	huge[] =
	    "* 1 FETCH (BODY[] {9999999999999999999}\r\n";
	static const char	cut[] = "* 1 FETCH (BODY[] {10}\r\nabc";
	static const char	two[] =
	    "* 1 FETCH (A {60}\r\n"
	    "012345678901234567890123456789012345678901234567890123456789"
	    " B {60}\r\n"
	    "012345678901234567890123456789012345678901234567890123456789"
	    ")\r\n";
	struct imap_limits	lim = { 100, 0 };
	struct imap_limits	small = { 100, 110 };
	struct rdrun		t;

	/* A literal over the limit fails before its bytes are read. */
	read_all(big, sizeof(big) - 1, 0, &lim, &t);
	ck_assert_str_eq(buf_str(&t.got), "");
	ck_assert_str_eq(t.err,
	    "literal of 101 bytes is larger than the limit of 100");
	buf_free(&t.got);
	read_all(huge, sizeof(huge) - 1, 0, &lim, &t);
	ck_assert_str_eq(t.err, "literal length out of range");
	buf_free(&t.got);
	/* The peer leaving inside a literal: no response comes out. */
	read_all(cut, sizeof(cut) - 1, 2, &lim, &t);
	ck_assert_str_eq(buf_str(&t.got), "");
	ck_assert_str_eq(t.err, "connection closed by mem:0");
	buf_free(&t.got);
	/* Each literal fits, the response does not. */
	read_all(two, sizeof(two) - 1, 0, &small, &t);
	ck_assert_str_eq(buf_str(&t.got), "");
	ck_assert_str_eq(t.err, "response larger than the limit");
	buf_free(&t.got);
	read_all(two, sizeof(two) - 1, 0, &lim, &t);
	ck_assert_str_eq(buf_str(&t.got), "* #1 FETCH (A L\"0123456789012345"
	    "67890123456789012345678901234567890123456789\" B L\"01234567890"
	    "1234567890123456789012345678901234567890123456789\")|");
	buf_free(&t.got);
}
END_TEST

START_TEST(test_reader_unterminated)
{
	static const char	half[] = "* OK [CAPABILITY IMAP4rev1] rea";
	static const char	afterlit[] = "* 1 FETCH (BODY[] {2}\r\nab";
	struct rdrun		t;

	/* An unterminated last line is not a response. */
	read_all(half, sizeof(half) - 1, 3, NULL, &t);
	ck_assert_str_eq(buf_str(&t.got), "");
	ck_assert_str_eq(t.err, "connection closed by mem:0 in the middle "
	    "of a response");
	buf_free(&t.got);
	/* Nor is a literal whose line never ends. */
	read_all(afterlit, sizeof(afterlit) - 1, 1, NULL, &t);
	ck_assert_str_eq(buf_str(&t.got), "");
	ck_assert_str_eq(t.err, "connection closed by mem:0");
	buf_free(&t.got);
}
END_TEST

/* A UID set, flattened back to "lo-hi;" pieces. */
static void
range_out(uint32_t lo, uint32_t hi, void *arg)
{
	char	*out = arg;
	size_t	 n = strlen(out);

	(void)snprintf(out + n, 512 - n, "%u-%u;", (unsigned)lo,
	    (unsigned)hi);
}

START_TEST(test_internaldate)
{
	static const struct {
		const char	*in;
		int64_t		 out;	/* -1: refused */
	} cases[] = {
		{ "17-Jul-1996 02:44:25 -0700", 837596665 },
		{ " 7-Jul-1996 02:44:25 +0000", 836707465 },
		{ "7-jul-1996 02:44:25 +0000", 836707465 },
		{ "01-Jan-1970 00:00:00 +0000", 0 },
		{ "01-Jan-1970 01:00:00 +0100", 0 },
		{ "29-Feb-2024 12:00:00 +0000", 1709208000 },
		{ "31-Dec-2099 23:59:60 +0000", 4102444800 },
		{ "29-Feb-2023 12:00:00 +0000", -1 },
		{ "29-Feb-1900 12:00:00 +0000", -1 },
		{ "31-Apr-2024 12:00:00 +0000", -1 },
		{ "00-Jan-2024 12:00:00 +0000", -1 },
		{ "17-Foo-1996 02:44:25 -0700", -1 },
		{ "17-Jul-1996 24:44:25 -0700", -1 },
		{ "17-Jul-1996 02:60:25 -0700", -1 },
		{ "17-Jul-1996 02:44:25 *0700", -1 },
		{ "17-Jul-1996 02:44:25 -07000", -1 },
		{ "17-Jul-1996 02:44:25", -1 },
		{ "17/Jul/1996 02:44:25 -0700", -1 },
		{ "", -1 },
	};
	int64_t	t;
	size_t	i;
	int	rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = -42;
		rc = imap_internaldate_parse(cases[i].in, strlen(cases[i].in),
		    &t);
		if (cases[i].out == -1)
			ck_assert_msg(rc == -1, "%s accepted", cases[i].in);
		else {
			ck_assert_msg(rc == 0, "%s refused", cases[i].in);
			ck_assert_msg(t == cases[i].out, "%s: %lld", cases[i].in,
			    (long long)t);
		}
	}
}
END_TEST

START_TEST(test_uid_sets)
{
	static const struct {
		const char	*in;
		const char	*out;	/* NULL: refused */
	} cases[] = {
		{ "1", "1-1;" },
		{ "41,43:116,118", "41-41;43-116;118-118;" },
		{ "9:3", "3-9;" },
		{ "4294967295", "4294967295-4294967295;" },
		{ "1:4294967295", "1-4294967295;" },
		{ "", NULL }, { "0", NULL }, { "1:0", NULL }, { "*", NULL },
		{ "1:*", NULL }, { "4294967296", NULL }, { "1,", NULL },
		{ ",1", NULL }, { "1,,2", NULL }, { "1:2:3", NULL },
		{ "1 2", NULL }, { "-1", NULL }, { "1a", NULL },
		{ "99999999999999999999999", NULL },
	};
	char	out[512];
	size_t	i;
	int	rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out[0] = '\0';
		rc = imap_uid_set_parse(cases[i].in, strlen(cases[i].in),
		    range_out, out);
		if (cases[i].out == NULL)
			ck_assert_msg(rc == -1, "%s accepted", cases[i].in);
		else {
			ck_assert_msg(rc == 0, "%s refused", cases[i].in);
			ck_assert_str_eq(out, cases[i].out);
		}
	}
	/* Not NUL-terminated: only n bytes are read. */
	out[0] = '\0';
	ck_assert_int_eq(imap_uid_set_parse("12,13x", 5, range_out, out), 0);
	ck_assert_str_eq(out, "12-12;13-13;");
}
END_TEST

Suite *
imap_suite(void)
{
	Suite	*s = suite_create("imap");
	TCase	*tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_parse_table, 0,
	    (int)(sizeof(parse_cases) / sizeof(parse_cases[0])));
	tcase_add_test(tc, test_parse_nul);
	tcase_add_test(tc, test_parse_bounds);
	tcase_add_test(tc, test_items);
	suite_add_tcase(s, tc);
	tc = tcase_create("reader");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_reader_pieces, 0, 13);
	tcase_add_test(tc, test_reader_bounds);
	tcase_add_test(tc, test_reader_unterminated);
	tcase_add_test(tc, test_uid_sets);
	tcase_add_test(tc, test_internaldate);
	suite_add_tcase(s, tc);
	return s;
}
