/*
 * check_pop3.c: POP3 responses (src/proto/pop3_reply.c) on good and
 * hostile input: status lines, multi-line bodies with lone dots and
 * dot-stuffed lines, bodies over their bound, CAPA, STAT, LIST, UIDL
 * (ids with "/" or "..", duplicate numbers, overlong or empty ids) and
 * the APOP timestamp; then the client (src/proto/pop3_client.c) against
 * scripted servers: login (USER/PASS, AUTH PLAIN), STLS missing or
 * followed by injected bytes, -ERR texts shown, pipelined UIDL and RETR
 * with dot-stuffed bodies, an overlong line, a server without CAPA, a
 * connection dropped in the middle of RETR.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "east.h"
#include "pop3.h"
#include "store.h"
#include "sync.h"
#include "tests.h"

#define PUT(x)	do { if ((x) == -1) abort(); } while (0)

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

/* ------------------------------------------------------------------ */
/* The client against scripted servers                                 */

struct session {
	struct test_script	 srv;
	struct net_loop		*loop;
	struct pop3_client	*c;
	bool			 ready, ok;
	char			 err[512];
	struct buf		 trace;
};

struct answer {
	bool		 done, failed;
	enum pop3_status status;
	char		 text[256];
	struct buf	 body;
};

static void
on_ready(struct pop3_client *c, bool ok, void *arg)
{
	struct session	*s = arg;

	s->ready = true;
	s->ok = ok;
	if (!ok)
		(void)snprintf(s->err, sizeof(s->err), "%s",
		    pop3_client_error(c));
}

static void
on_trace(const char *dir, const char *line, size_t len, void *arg)
{
	struct session	*s = arg;

	PUT(buf_printf(&s->trace, "%s: %.*s\n", dir, (int)len, line));
}

static void
on_done(struct pop3_client *c, const struct pop3_resp *r, void *arg)
{
	struct answer	*a = arg;

	(void)c;
	a->done = true;
	if (r == NULL) {
		a->failed = true;
		return;
	}
	a->status = r->status;
	(void)snprintf(a->text, sizeof(a->text), "%.*s", (int)r->tlen,
	    r->text);
	if (r->body != NULL)
		PUT(buf_append(&a->body, r->body, r->blen));
}

static struct pop3_client_params
params(enum pop3_tls_mode mode, const char *secret, bool allow)
{
	struct pop3_client_params	p;

	memset(&p, 0, sizeof(p));
	p.net.host = "pop.test";
	p.net.port = "110";
	p.net.io_timeout_ms = 10000;
	p.mode = mode;
	p.user = "alice@example.test";
	p.secret = secret;
	p.allow_plaintext_password = allow;
	p.trace = on_trace;
	return p;
}

static void
session_start(struct session *s, const struct test_step *steps,
    struct pop3_client_params *p)
{
	struct net_source	src = { .kind = NET_SOURCE_FD };

	memset(s, 0, sizeof(*s));
	src.fd = test_script_start(&s->srv, steps, 1 << 20);
	buf_init(&s->trace, 1 << 20);
	p->arg = s;
	s->loop = net_loop_new();
	s->c = pop3_client_open(s->loop, &src, p, on_ready, s);
	while (!s->ready)
		ck_assert_int_gt(net_loop_run_once(s->loop, 10000), 0);
}

static void
session_end(struct session *s)
{
	pop3_client_close(&s->c);
	net_loop_free(&s->loop);
	test_script_join(&s->srv);
	test_script_free(&s->srv);
	buf_free(&s->trace);
}

static void
answer_init(struct answer *a)
{
	memset(a, 0, sizeof(*a));
	buf_init(&a->body, 1 << 20);
}

#define GREETING	"+OK Dovecot ready. <1896.697170952@dbc.mtview.ca.us>\r\n"
#define CAPA_PLAIN	"+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nUSER\r\nPIPELINING\r\n.\r\n"

/* USER/PASS, then UIDL and RETR pipelined: the bodies dot-unstuffed,
 * the password never in the trace, a -ERR with its text. */
START_TEST(client_session)
{
	static const struct test_step steps[] = {
		{ NULL, GREETING },
		{ "=CAPA", CAPA_PLAIN },
		{ "=USER alice@example.test", "+OK\r\n" },
		{ "=PASS s3cret", "+OK Logged in.\r\n" },
		{ "=UIDL", NULL },
		{ "=RETR 1", NULL },
		{ "=DELE 9", "+OK\r\n1 a/b\r\n2 ../x\r\n.\r\n"
		  "+OK 40 octets\r\nSubject: x\r\n\r\n..\r\n...two\r\n"
		  ".ok\r\nend\r\n.\r\n-ERR [SYS/PERM] no such message\r\n" },
		{ "=QUIT", "+OK bye\r\n" },
		{ NULL, NULL }
	};
	struct pop3_client_params	p = params(POP3_TLS_NONE, "s3cret",
					    true);
	struct session			s;
	struct answer			uidl, retr, dele, quit;

	session_start(&s, steps, &p);
	ck_assert_msg(s.ok, "%s", s.err);
	ck_assert_uint_eq(pop3_client_caps(s.c), POP3_CAP_TOP |
	    POP3_CAP_UIDL | POP3_CAP_USER | POP3_CAP_PIPELINING);
	ck_assert_str_eq(pop3_client_apop_stamp(s.c),
	    "<1896.697170952@dbc.mtview.ca.us>");
	answer_init(&uidl);
	answer_init(&retr);
	answer_init(&dele);
	answer_init(&quit);
	ck_assert_int_eq(pop3_client_cmd(s.c, true, on_done, &uidl, "UIDL"),
	    0);
	ck_assert_int_eq(pop3_client_cmd(s.c, true, on_done, &retr, "RETR %u",
	    1u), 0);
	ck_assert_int_eq(pop3_client_cmd(s.c, false, on_done, &dele, "DELE %u",
	    9u), 0);
	ck_assert_int_eq(pop3_client_cmd(s.c, false, on_done, &quit, "QUIT"),
	    0);
	ck_assert_int_eq(pop3_client_wait(s.c, &quit.done), 0);
	ck_assert_int_eq(uidl.status, POP3_OK);
	ck_assert_str_eq(buf_str(&uidl.body), "1 a/b\n2 ../x\n");
	ck_assert_str_eq(retr.text, "40 octets");
	ck_assert_str_eq(buf_str(&retr.body), "Subject: x\n\n.\n..two\nok\n"
	    "end\n");
	ck_assert_int_eq(dele.status, POP3_ERR);
	ck_assert_str_eq(dele.text, "[SYS/PERM] no such message");
	ck_assert_ptr_null(strstr(buf_str(&s.trace), "s3cret"));
	ck_assert_ptr_nonnull(strstr(buf_str(&s.trace), "C: PASS ****\n"));
	/* The message is not in the trace, line by line. */
	ck_assert_ptr_null(strstr(buf_str(&s.trace), "two"));
	session_end(&s);
	buf_free(&uidl.body);
	buf_free(&retr.body);
	buf_free(&dele.body);
	buf_free(&quit.body);
}
END_TEST

/* APOP, RFC 1939's own example: the digest of stamp and password, never
 * the password; chosen by AUTO when CAPA has no USER. */
START_TEST(client_apop)
{
	static const struct test_step steps[] = {
		{ NULL, "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>"
		  "\r\n" },
		{ "=CAPA", "+OK\r\nUIDL\r\n.\r\n" },
		{ "=APOP mrose c4c9334bac560ecc979e58001b3e22fb",
		  "+OK maildrop has 1 message (369 octets)\r\n" },
		{ NULL, NULL }
	};
	struct pop3_client_params	p = params(POP3_TLS_NONE, "tanstaaf",
					    true);
	struct session			s;

	p.user = "mrose";
	session_start(&s, steps, &p);
	ck_assert_msg(s.ok, "%s", s.err);
	ck_assert_ptr_null(strstr(buf_str(&s.trace), "c4c9334b"));
	ck_assert_ptr_nonnull(strstr(buf_str(&s.trace), "C: APOP mrose ****"));
	session_end(&s);
}
END_TEST

/* The session refused before login: want_err, the server read want_got. */
static void
expect_refusal(const struct test_step *steps,
    struct pop3_client_params *p, const char *want_err, const char *want_got)
{
	struct session	s;

	session_start(&s, steps, p);
	ck_assert(!s.ok);
	ck_assert_str_eq(s.err, want_err);
	pop3_client_close(&s.c);
	ck_assert_int_eq(pthread_join(s.srv.tid, NULL), 0);
	ck_assert_str_eq(buf_str(&s.srv.got), want_got);
	net_loop_free(&s.loop);
	buf_free(&s.srv.got);
	buf_free(&s.srv.data);
	buf_free(&s.trace);
}

START_TEST(client_no_stls)
{
	static const struct test_step steps[] = {
		{ NULL, GREETING },
		{ "=CAPA", CAPA_PLAIN },
		{ NULL, NULL }
	};
	struct pop3_client_params	p = params(POP3_TLS_STARTTLS, "pw",
					    true);

	expect_refusal(steps, &p, "the server does not offer STLS, and this "
	    "account requires TLS (starttls = no turns this off)", "CAPA\n");
}
END_TEST

START_TEST(client_stls_injection)
{
	static const struct test_step steps[] = {
		{ NULL, GREETING },
		{ "=CAPA", "+OK\r\nSTLS\r\nUSER\r\n.\r\n" },
		{ "=STLS", "+OK Begin TLS negotiation now.\r\n+OK injected\r\n" },
		{ NULL, NULL }
	};
	struct pop3_client_params	p = params(POP3_TLS_STARTTLS, "pw",
					    false);
	struct session			s;
	char				err[256];

	p.net.tls_ctx = net_tls_ctx_new(NULL, err, sizeof(err));
	ck_assert_msg(p.net.tls_ctx != NULL, "%s", err);
	session_start(&s, steps, &p);
	ck_assert(!s.ok);
	ck_assert_msg(strstr(s.err, "sent data after its STARTTLS reply, "
	    "before the TLS handshake (possible injection attack)") != NULL,
	    "%s", s.err);
	session_end(&s);
	net_tls_ctx_free(&p.net.tls_ctx);
}
END_TEST

START_TEST(client_stls_refused)
{
	static const struct test_step steps[] = {
		{ NULL, GREETING },
		{ "=CAPA", "+OK\r\nSTLS\r\n.\r\n" },
		{ "=STLS", "-ERR [IN-USE] TLS is broken today\r\n" },
		{ NULL, NULL }
	};
	struct pop3_client_params	p = params(POP3_TLS_STARTTLS, "pw",
					    false);

	expect_refusal(steps, &p, "the server refused STLS: -ERR [IN-USE] "
	    "TLS is broken today", "CAPA\nSTLS\n");
}
END_TEST

/* AUTH PLAIN when offered; the server's -ERR text shown. */
START_TEST(client_auth_refused)
{
	static const struct test_step steps[] = {
		{ NULL, "+OK ready\r\n" },
		{ "=CAPA", "+OK\r\nSASL PLAIN\r\nUSER\r\n.\r\n" },
		{ "=AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdAB3cm9uZw==",
		  "-ERR [AUTH] Authentication failed.\r\n" },
		{ NULL, NULL }
	};
	struct pop3_client_params	p = params(POP3_TLS_NONE, "wrong",
					    true);

	expect_refusal(steps, &p, "the server refused the login: -ERR [AUTH] "
	    "Authentication failed.", "CAPA\nAUTH PLAIN "
	    "AGFsaWNlQGV4YW1wbGUudGVzdAB3cm9uZw==\n");
}
END_TEST

/* No TLS and plaintext passwords not allowed: nothing sent. */
START_TEST(client_no_plaintext_password)
{
	static const struct test_step steps[] = {
		{ NULL, "+OK ready\r\n" },
		{ "=CAPA", CAPA_PLAIN },
		{ NULL, NULL }
	};
	struct pop3_client_params	p = params(POP3_TLS_NONE, "pw", false);

	expect_refusal(steps, &p, "refusing to send the password over a "
	    "connection without TLS (allow-plaintext-password)", "CAPA\n");
}
END_TEST

/* An RFC 1939 server without CAPA: USER/PASS, no extension. */
START_TEST(client_no_capa)
{
	static const struct test_step steps[] = {
		{ NULL, "+OK old server\r\n" },
		{ "=CAPA", "-ERR unknown command\r\n" },
		{ "=USER alice@example.test", "+OK\r\n" },
		{ "=PASS pw", "+OK\r\n" },
		{ NULL, NULL }
	};
	struct pop3_client_params	p = params(POP3_TLS_NONE, "pw", true);
	struct session			s;

	session_start(&s, steps, &p);
	ck_assert_msg(s.ok, "%s", s.err);
	ck_assert_uint_eq(pop3_client_caps(s.c), 0);
	ck_assert_ptr_null(pop3_client_apop_stamp(s.c));
	session_end(&s);
}
END_TEST

/* A greeting that refuses, and one from another protocol. */
START_TEST(client_greeting)
{
	static const struct test_step err[] = {
		{ NULL, "-ERR [SYS/TEMP] too busy\r\n" },
		{ NULL, NULL }
	};
	static const struct test_step imap[] = {
		{ NULL, "* OK IMAP4rev1 ready\r\n" },
		{ NULL, NULL }
	};
	struct pop3_client_params	p = params(POP3_TLS_NONE, "pw", true);

	expect_refusal(err, &p, "the server refused the session: -ERR "
	    "[SYS/TEMP] too busy", "");
	expect_refusal(imap, &p, "the server refused the session: * OK "
	    "IMAP4rev1 ready", "");
}
END_TEST

/* The connection dropped in the middle of RETR: the command fails (no
 * body is handed over), so does the client. */
START_TEST(client_dropped_in_retr)
{
	static const struct test_step steps[] = {
		{ NULL, "+OK ready\r\n" },
		{ "=CAPA", CAPA_PLAIN },
		{ "=USER alice@example.test", "+OK\r\n" },
		{ "=PASS pw", "+OK\r\n" },
		{ "=RETR 1", "+OK\r\nSubject: half\r\n\r\nbody line\r\n" },
		{ NULL, "<close>" },
		{ NULL, NULL }
	};
	struct pop3_client_params	p = params(POP3_TLS_NONE, "pw", true);
	struct session			s;
	struct answer			retr;

	session_start(&s, steps, &p);
	ck_assert_msg(s.ok, "%s", s.err);
	answer_init(&retr);
	ck_assert_int_eq(pop3_client_cmd(s.c, true, on_done, &retr, "RETR 1"),
	    0);
	(void)pop3_client_wait(s.c, &retr.done);
	ck_assert(retr.done && retr.failed);
	ck_assert(!pop3_client_ok(s.c));
	session_end(&s);
	buf_free(&retr.body);
}
END_TEST

/* A line past the bound fails the session. */
START_TEST(client_overlong_line)
{
	static char	 big[POP3_LINE_MAX + 64];
	struct test_step steps[] = {
		{ NULL, "+OK ready\r\n" },
		{ "=CAPA", NULL },
		{ NULL, NULL }
	};
	struct pop3_client_params	p = params(POP3_TLS_NONE, "pw", true);
	struct session			s;

	memset(big, 'x', sizeof(big) - 3);
	memcpy(big, "+OK ", 4);
	memcpy(big + sizeof(big) - 3, "\r\n", 3);
	steps[1].reply = big;
	session_start(&s, steps, &p);
	ck_assert(!s.ok);
	ck_assert_msg(strstr(s.err, "sent a line longer than 4096 bytes") !=
	    NULL, "%s", s.err);
	session_end(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The INBOX's POP3 state (src/sync/pop3_state.c)                      */

START_TEST(state_round_trip)
{
	static const char	text[] = "facteur-pop3 1\n"
	    "m 1700000000 ../x 1700000000.M1P2Q3.host\n"
	    "m 1700000100 a/b 1700000100.M1P2Q4.host, with space\n"
	    "m 0 whqtswO00WBw418f9t5JxYwZ 1.M2P3.h\n";
	struct sync_pop3_state		 st;
	const struct sync_pop3_entry	*e;
	struct store_err		 err;
	struct buf			 b;

	ck_assert_int_eq(sync_pop3_state_parse(&st, text, sizeof(text) - 1,
	    &err), 0);
	ck_assert_uint_eq(st.n, 3);
	e = sync_pop3_find(&st, "a/b", 3);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->fetched, 1700000100);
	ck_assert_str_eq(e->name, "1700000100.M1P2Q4.host, with space");
	ck_assert_ptr_null(sync_pop3_find(&st, "a/", 2));
	ck_assert_ptr_null(sync_pop3_find(&st, "a/bc", 4));
	/* Written back sorted by unique-id, the same facts. */
	buf_init(&b, 1 << 16);
	ck_assert_int_eq(sync_pop3_state_format(&st, &b), 0);
	ck_assert_str_eq(buf_str(&b), "facteur-pop3 1\n"
	    "m 1700000000 ../x 1700000000.M1P2Q3.host\n"
	    "m 1700000100 a/b 1700000100.M1P2Q4.host, with space\n"
	    "m 0 whqtswO00WBw418f9t5JxYwZ 1.M2P3.h\n");
	/* Added, refused twice, dropped. */
	ck_assert_int_eq(sync_pop3_add(&st, "new", 3, 5, "n.M1.h"), 0);
	ck_assert_int_eq(sync_pop3_add(&st, "new", 3, 6, "m.M1.h"), -1);
	ck_assert_int_eq(sync_pop3_add(&st, "sp ace", 6, 6, "m.M1.h"), -1);
	ck_assert_int_eq(sync_pop3_add(&st, "ok", 2, -1, "m.M1.h"), -1);
	ck_assert_int_eq(sync_pop3_add(&st, "ok", 2, 1, "a\nm 1 x y"), -1);
	sync_pop3_drop(&st, "../x", 4);
	sync_pop3_drop(&st, "absent", 6);
	ck_assert_uint_eq(st.n, 3);
	ck_assert_ptr_null(sync_pop3_find(&st, "../x", 4));
	buf_free(&b);
	sync_pop3_state_free(&st);
}
END_TEST

START_TEST(state_hostile)
{
	static const struct {
		const char	*text;
		const char	*err;
	} cases[] = {
		{ "", "line 1: not a facteur POP3 state (version 1)" },
		{ "facteur-pop3 2\n", "line 1: not a facteur POP3 state" },
		{ "facteur-pop3 1\nm 1 a b", "line 2: truncated" },
		{ "facteur-pop3 1\nx 1 a b\n", "line 2: expected" },
		{ "facteur-pop3 1\nm  a b\n", "line 2: expected" },
		{ "facteur-pop3 1\nm -1 a b\n", "line 2: expected" },
		{ "facteur-pop3 1\nm 1 a\n", "line 2: expected" },
		{ "facteur-pop3 1\nm 99999999999999999999 a b\n",
		  "line 2: expected" },
		{ "facteur-pop3 1\nm 1  b\n", "line 2: bad unique-id" },
		{ "facteur-pop3 1\nm 1 \x7f b\n", "line 2: bad unique-id" },
		{ "facteur-pop3 1\nm 1 " "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaa b\n", "line 2: bad unique-id" },
		{ "facteur-pop3 1\nm 1 a \n", "line 2: bad file name" },
		{ "facteur-pop3 1\nm 1 a .hidden\n", "line 2: bad file name" },
		{ "facteur-pop3 1\nm 1 a x/y\n", "line 2: bad file name" },
		{ "facteur-pop3 1\nm 1 a x:2,S\n", "line 2: bad file name" },
		{ "facteur-pop3 1\nm 1 a x\rm\n", "line 2: bad file name" },
		{ "facteur-pop3 1\nm 1 a x\nm 2 a y\n",
		  "line 3: unique-id twice" },
	};
	struct sync_pop3_state	st;
	struct store_err	err;
	size_t			i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err.msg[0] = '\0';
		ck_assert_msg(sync_pop3_state_parse(&st, cases[i].text,
		    strlen(cases[i].text), &err) == -1, "case %zu", i);
		ck_assert_msg(strstr(err.msg, cases[i].err) != NULL,
		    "case %zu: %s", i, err.msg);
		ck_assert_uint_eq(st.n, 0);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* sync_pop3_account() against a scripted server without UIDL          */

struct tcp_script {
	struct test_script	 s;
	int			 lfd;
};

static void *
tcp_script_run(void *arg)
{
	struct tcp_script	*t = arg;

	t->s.fd = accept(t->lfd, NULL, NULL);
	if (t->s.fd < 0)
		return NULL;
	return test_script_run(&t->s);
}

/* One sync of a plaintext pop3:// account at port, keep as given,
 * store under dir, against steps; its return value. */
static int
sync_scripted(const struct test_step *steps, const char *dir,
    const char *keep, char *err, size_t errlen)
{
	struct tcp_script	 t;
	struct config		*cfg;
	struct cfg_diag		 diag;
	struct sync_opts	 o;
	char			 port[16], *text;
	int			 rc;

	memset(&t, 0, sizeof(t));
	t.lfd = east_listen(port);
	t.s.steps = steps;
	buf_init(&t.s.got, 1 << 20);
	buf_init(&t.s.data, 1 << 20);
	ck_assert_int_eq(pthread_create(&t.s.tid, NULL, tcp_script_run, &t),
	    0);
	text = xasprintf("[general]\nmail-root = %s\n[account p]\n"
	    "address = a@x.test\nincoming = pop3://a@127.0.0.1:%s\n"
	    "starttls = no\nallow-plaintext-password = yes\n"
	    "password = pw\nkeep-on-server = %s\n", dir, port, keep);
	memset(&diag, 0, sizeof(diag));
	cfg = cfg_parse(text, strlen(text), "test", NULL, &diag);
	ck_assert_ptr_nonnull(cfg);
	cfg_diag_free(&diag);
	memset(&o, 0, sizeof(o));
	o.secret = "pw";
	rc = sync_pop3_account(&cfg->accounts[0], &o, err, errlen);
	test_script_join(&t.s);
	(void)close(t.lfd);
	test_script_free(&t.s);
	cfg_free(&cfg);
	free(text);
	return rc;
}

static int
count_files(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;
	int		 n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	(void)closedir(d);
	return n;
}

/* No UIDL: everything fetched, only new contents kept, deleted there
 * only with keep-on-server = 0. Duplicate and bad UIDL lines elsewhere
 * are skipped (the parser's tests). */
START_TEST(sync_without_uidl)
{
	static const struct test_step keep[] = {
		{ NULL, "+OK ready\r\n" },
		{ "=CAPA", "-ERR no\r\n" },
		{ "=USER a", "+OK\r\n" },
		{ "=PASS pw", "+OK\r\n" },
		{ "=UIDL", "-ERR not supported\r\n" },
		{ "=LIST", "+OK\r\n1 20\r\n2 20\r\n.\r\n" },
		{ "=RETR 1", "+OK\r\nSubject: one\r\n\r\n..1\r\n.\r\n" },
		{ "=RETR 2", "+OK\r\nSubject: two\r\n\r\n2\r\n.\r\n" },
		{ "=QUIT", "+OK\r\n" },
		{ NULL, NULL }
	};
	static const struct test_step zero[] = {
		{ NULL, "+OK ready\r\n" },
		{ "=CAPA", "-ERR no\r\n" },
		{ "=USER a", "+OK\r\n" },
		{ "=PASS pw", "+OK\r\n" },
		{ "=UIDL", "-ERR not supported\r\n" },
		{ "=LIST", "+OK\r\n1 20\r\n2 20\r\n.\r\n" },
		{ "=RETR 1", "+OK\r\nSubject: one\r\n\r\n..1\r\n.\r\n" },
		{ "=DELE 1", "+OK\r\n" },
		{ "=RETR 2", "+OK\r\nSubject: three\r\n\r\n3\r\n.\r\n" },
		{ "=DELE 2", "+OK\r\n" },
		{ "=QUIT", "+OK\r\n" },
		{ NULL, NULL }
	};
	char	 dir[] = "/tmp/facteur-pop-unit-XXXXXX", err[512], *inbox;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	inbox = xasprintf("%s/p/INBOX/new", dir);
	ck_assert_msg(sync_scripted(keep, dir, "14d", err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_int_eq(count_files(inbox), 2);
	/* Again: the same two, nothing new kept. */
	ck_assert_msg(sync_scripted(keep, dir, "14d", err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_int_eq(count_files(inbox), 2);
	/* keep-on-server = 0: one new message, both deleted there. */
	ck_assert_msg(sync_scripted(zero, dir, "0", err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_int_eq(count_files(inbox), 3);
	free(inbox);
	test_remove_tree(dir);
}
END_TEST

/* Duplicate unique-ids: neither message is fetched (nothing could tell
 * them apart later) nor deleted; a bad UIDL line is skipped; the others
 * come, once. */
START_TEST(sync_duplicate_uidl)
{
	static const struct test_step steps[] = {
		{ NULL, "+OK ready\r\n" },
		{ "=CAPA", "+OK\r\nUIDL\r\nUSER\r\n.\r\n" },
		{ "=USER a", "+OK\r\n" },
		{ "=PASS pw", "+OK\r\n" },
		{ "=UIDL", "+OK\r\n1 same\r\n2 same\r\n3 ok/../x\r\n"
		  "4 bad id\r\n.\r\n" },
		{ "=RETR 3", "+OK\r\nSubject: three\r\n\r\n3\r\n.\r\n" },
		{ "=QUIT", "+OK\r\n" },
		{ NULL, NULL }
	};
	static const struct test_step again[] = {
		{ NULL, "+OK ready\r\n" },
		{ "=CAPA", "+OK\r\nUIDL\r\nUSER\r\n.\r\n" },
		{ "=USER a", "+OK\r\n" },
		{ "=PASS pw", "+OK\r\n" },
		{ "=UIDL", "+OK\r\n1 same\r\n2 same\r\n3 ok/../x\r\n.\r\n" },
		{ "=QUIT", "+OK\r\n" },
		{ NULL, NULL }
	};
	char	 dir[] = "/tmp/facteur-pop-unit-XXXXXX", err[512], *inbox;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	inbox = xasprintf("%s/p/INBOX/new", dir);
	ck_assert_msg(sync_scripted(steps, dir, "forever", err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(count_files(inbox), 1);
	ck_assert_msg(sync_scripted(again, dir, "forever", err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(count_files(inbox), 1);
	free(inbox);
	test_remove_tree(dir);
}
END_TEST

/* The message cannot be written here: RSET, nothing deleted, and the
 * sync says why (keep-on-server = 0 would have deleted it). */
START_TEST(sync_local_error)
{
	static const struct test_step steps[] = {
		{ NULL, "+OK ready\r\n" },
		{ "=CAPA", "+OK\r\nUIDL\r\nUSER\r\n.\r\n" },
		{ "=USER a", "+OK\r\n" },
		{ "=PASS pw", "+OK\r\n" },
		{ "=UIDL", "+OK\r\n1 one\r\n.\r\n" },
		{ "=RETR 1", "+OK\r\nSubject: one\r\n\r\n1\r\n.\r\n" },
		{ "=RSET", "+OK\r\n" },
		{ NULL, NULL }
	};
	char	 dir[] = "/tmp/facteur-pop-unit-XXXXXX", err[512], *p;
	struct store_err serr;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	p = xasprintf("%s/p", dir);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	ck_assert_int_eq(store_folder_create(p, "INBOX", &serr), 0);
	free(p);
	/* tmp/ a file: no delivery can start (root ignores modes). */
	p = xasprintf("%s/p/INBOX/tmp", dir);
	ck_assert_int_eq(rmdir(p), 0);
	test_write_file(p, "x", 1);
	free(p);
	ck_assert_int_eq(sync_scripted(steps, dir, "0", err, sizeof(err)),
	    -1);
	ck_assert_msg(strstr(err, "tmp") != NULL, "%s", err);
	test_remove_tree(dir);
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

	tc = tcase_create("state");
	tcase_add_test(tc, state_round_trip);
	tcase_add_test(tc, state_hostile);
	suite_add_tcase(s, tc);

	tc = tcase_create("sync");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, sync_without_uidl);
	tcase_add_test(tc, sync_duplicate_uidl);
	tcase_add_test(tc, sync_local_error);
	suite_add_tcase(s, tc);

	tc = tcase_create("client");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, client_session);
	tcase_add_test(tc, client_apop);
	tcase_add_test(tc, client_no_stls);
	tcase_add_test(tc, client_stls_injection);
	tcase_add_test(tc, client_stls_refused);
	tcase_add_test(tc, client_auth_refused);
	tcase_add_test(tc, client_no_plaintext_password);
	tcase_add_test(tc, client_no_capa);
	tcase_add_test(tc, client_greeting);
	tcase_add_test(tc, client_dropped_in_retr);
	tcase_add_test(tc, client_overlong_line);
	suite_add_tcase(s, tc);
	return s;
}
