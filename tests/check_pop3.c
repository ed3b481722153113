/*
 * check_pop3.c: POP3 responses (src/proto/pop3_reply.c) on good and
 * hostile input: status lines, multi-line bodies with lone dots and
 * dot-stuffed lines, bodies over their bound, CAPA, STAT, LIST, UIDL
 * (ids with "/" or "..", duplicate numbers, overlong or empty ids) and
 * the APOP timestamp.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pop3.h"
#include "tests.h"

START_TEST(status_lines)
{
	static const struct {
		const char	*line;
		enum pop3_status st;
		const char	*text;
	} cases[] = {
		{ "+OK", POP3_OK, "" },
		{ "+OK POP3 server ready", POP3_OK, "POP3 server ready" },
		{ "-ERR", POP3_ERR, "" },
		{ "-ERR [AUTH] Authentication failed.", POP3_ERR,
		  "[AUTH] Authentication failed." },
		{ "+ ", POP3_CONT, "" },
		{ "+ eyJzdGF0dXMiOiI0MDEifQ==", POP3_CONT,
		  "eyJzdGF0dXMiOiI0MDEifQ==" },
		{ "+", POP3_CONT, "" },
		{ "+OKAY", POP3_BAD, "" },
		{ "-ERROR x", POP3_BAD, "" },
		{ "OK", POP3_BAD, "" },
		{ "* OK IMAP", POP3_BAD, "" },
		{ "220 smtp", POP3_BAD, "" },
		{ "", POP3_BAD, "" },
		{ "+x", POP3_BAD, "" },
	};
	const char	*text;
	size_t		 tlen, i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(pop3_status_line(cases[i].line,
		    strlen(cases[i].line), &text, &tlen) == cases[i].st, "%s",
		    cases[i].line);
		ck_assert_uint_eq(tlen, strlen(cases[i].text));
		ck_assert_mem_eq(text, cases[i].text, tlen);
	}
	ck_assert_int_eq(pop3_status_line("+OK a\0b", 7, &text, &tlen),
	    POP3_BAD);
}
END_TEST

/* Feed the "\n"-separated lines of s; the last result. */
static enum pop3_feed
feed(struct pop3_multi *m, const char *s)
{
	enum pop3_feed	 f = POP3_FEED_MORE;
	const char	*nl;

	while (*s != '\0') {
		nl = strchr(s, '\n');
		if (nl == NULL)
			nl = s + strlen(s);
		f = pop3_multi_feed(m, s, (size_t)(nl - s));
		if (f != POP3_FEED_MORE)
			return f;
		s = *nl != '\0' ? nl + 1 : nl;
	}
	return f;
}

START_TEST(multi_line_bodies)
{
	struct pop3_multi	m;

	pop3_multi_init(&m, 1 << 16);
	/* Dot-stuffed lines lose one dot; a lone dot ends the body. */
	ck_assert_int_eq(feed(&m, "Subject: x\n\n..\n...two\n.x\nend\n.\n"),
	    POP3_FEED_DONE);
	ck_assert_str_eq(buf_str(&m.data), "Subject: x\n\n.\n..two\nx\nend\n");
	ck_assert_uint_eq(m.lines, 6);
	/* The next body starts afresh; an empty one is empty. */
	ck_assert_int_eq(feed(&m, "."), POP3_FEED_DONE);
	ck_assert_str_eq(buf_str(&m.data), "");
	/* Lines after the terminator are not this body's. */
	ck_assert_int_eq(feed(&m, "a\n.\nb\n"), POP3_FEED_DONE);
	ck_assert_str_eq(buf_str(&m.data), "a\n");
	/* " ." and ". " are lines, not the end. */
	ck_assert_int_eq(feed(&m, " .\n. \n"), POP3_FEED_MORE);
	ck_assert_str_eq(buf_str(&m.data), " .\n \n");
	pop3_multi_free(&m);
	/* Over the bound: refused, whatever follows. */
	pop3_multi_init(&m, 10);
	ck_assert_int_eq(feed(&m, "12345\n"), POP3_FEED_MORE);
	ck_assert_int_eq(feed(&m, "67890\n"), POP3_FEED_TOO_BIG);
	pop3_multi_free(&m);
}
END_TEST

START_TEST(capabilities)
{
	static const char	capa[] = "TOP\nUSER\nSASL PLAIN XOAUTH2 "
	    "CRAM-MD5\nRESP-CODES\nLOGIN-DELAY 900\nPIPELINING\nEXPIRE 60\n"
	    "UIDL\nIMPLEMENTATION Dovecot\nSTLS\n";

	ck_assert_uint_eq(pop3_capa_parse(capa, sizeof(capa) - 1),
	    POP3_CAP_TOP | POP3_CAP_USER | POP3_CAP_SASL |
	    POP3_CAP_SASL_PLAIN | POP3_CAP_SASL_XOAUTH2 |
	    POP3_CAP_RESP_CODES | POP3_CAP_PIPELINING | POP3_CAP_UIDL |
	    POP3_CAP_STLS);
	ck_assert_uint_eq(pop3_capa_parse("stls\nsasl oauthbearer\n", 21),
	    POP3_CAP_STLS | POP3_CAP_SASL | POP3_CAP_SASL_OAUTHBEARER);
	/* Words inside other lines, or longer words, are not
	 * capabilities. */
	ck_assert_uint_eq(pop3_capa_parse("IMPLEMENTATION STLS UIDL\n"
	    "STLSX\nXUIDL\n", 38), 0);
	ck_assert_uint_eq(pop3_capa_parse("", 0), 0);
}
END_TEST

START_TEST(scan_listings)
{
	uint32_t	 n, msg;
	uint64_t	 size;
	const char	*uid;
	size_t		 ulen;

	ck_assert_int_eq(pop3_stat_parse("2 320", 5, &n, &size), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(size, 320);
	ck_assert_int_eq(pop3_stat_parse("2 320 extra", 11, &n, &size), 0);
	ck_assert_int_eq(pop3_stat_parse("2", 1, &n, &size), -1);
	ck_assert_int_eq(pop3_stat_parse("x 2", 3, &n, &size), -1);
	ck_assert_int_eq(pop3_stat_parse("2  320", 6, &n, &size), -1);
	ck_assert_int_eq(pop3_stat_parse("4294967296 1", 12, &n, &size), -1);
	ck_assert_int_eq(pop3_stat_parse("1 99999999999999999999", 22, &n,
	    &size), -1);
	ck_assert_int_eq(pop3_list_line_parse("1 120", 5, &msg, &size), 0);
	ck_assert_uint_eq(msg, 1);
	ck_assert_uint_eq(size, 120);
	ck_assert_int_eq(pop3_list_line_parse("0 120", 5, &msg, &size), -1);
	ck_assert_int_eq(pop3_list_line_parse("-1 120", 6, &msg, &size), -1);
	ck_assert_int_eq(pop3_uidl_line_parse("1 whqtswO00WBw418f9t5JxYwZ",
	    26, &msg, &uid, &ulen), 0);
	ck_assert_uint_eq(msg, 1);
	ck_assert_uint_eq(ulen, 24);
	ck_assert_mem_eq(uid, "whqtswO00WBw418f9t5JxYwZ", ulen);
}
END_TEST

/* Unique-ids are kept as given but never trusted: the check on their
 * characters is all; "/" and ".." are printable and so accepted here,
 * which is why they never become file names. */
START_TEST(uidl_hostile)
{
	static const char *const bad[] = {
		"1", "1 ", "0 abc", "x abc", "1  abc", "1 a b", "1 a\tb",
		"1 \x7f", "1 \xc3\xa9", "1 a\rb", "99999999999 a",
	};
	char		 line[128];
	uint32_t	 msg;
	const char	*uid;
	size_t		 ulen, i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(pop3_uidl_line_parse(bad[i], strlen(bad[i]),
		    &msg, &uid, &ulen) == -1, "%s", bad[i]);
	ck_assert_int_eq(pop3_uidl_line_parse("7 ../../etc/passwd", 18, &msg,
	    &uid, &ulen), 0);
	ck_assert_mem_eq(uid, "../../etc/passwd", ulen);
	ck_assert_int_eq(pop3_uidl_line_parse("2 a/b", 5, &msg, &uid, &ulen),
	    0);
	/* 70 characters, not 71. */
	memset(line, 'u', sizeof(line));
	memcpy(line, "1 ", 2);
	ck_assert_int_eq(pop3_uidl_line_parse(line, 72, &msg, &uid, &ulen),
	    0);
	ck_assert_int_eq(pop3_uidl_line_parse(line, 73, &msg, &uid, &ulen),
	    -1);
	ck_assert(!pop3_uidl_ok("", 0));
	ck_assert(pop3_uidl_ok("!~", 2));
}
END_TEST

START_TEST(apop_stamps)
{
	static const struct {
		const char	*greeting;
		const char	*stamp;
	} cases[] = {
		{ "POP3 server ready <1896.697170952@dbc.mtview.ca.us>",
		  "<1896.697170952@dbc.mtview.ca.us>" },
		{ "Dovecot ready.", NULL },
		{ "ready <no-at-sign>", NULL },
		{ "ready <a b@c>", NULL },
		{ "ready <@>", NULL },
		{ "ready <a@b", NULL },
		{ "ready <<a@b>", NULL },
		{ "<x@y> and <z@w>", "<x@y>" },
	};
	char	*s;
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = pop3_apop_stamp(cases[i].greeting,
		    strlen(cases[i].greeting));
		if (cases[i].stamp == NULL)
			ck_assert_msg(s == NULL, "%s: %s", cases[i].greeting,
			    s);
		else
			ck_assert_str_eq(s, cases[i].stamp);
		free(s);
	}
}
END_TEST

Suite *
pop3_suite(void)
{
	Suite	*s = suite_create("pop3");
	TCase	*tc = tcase_create("parse");

	tcase_add_test(tc, status_lines);
	tcase_add_test(tc, multi_line_bodies);
	tcase_add_test(tc, capabilities);
	tcase_add_test(tc, scan_listings);
	tcase_add_test(tc, uidl_hostile);
	tcase_add_test(tc, apop_stamps);
	suite_add_tcase(s, tc);
	return s;
}
