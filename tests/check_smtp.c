/*
 * check_smtp.c: SMTP (src/proto/smtp_*.c). The reply reader on good and
 * hostile lines, EHLO extensions, addresses, the DATA encoding (CRLF
 * everywhere, dots doubled); then the client against scripted servers
 * over a socketpair: a whole session, multi-line replies, 421 in the
 * middle, one recipient of three refused (452, 550), SIZE exceeded,
 * STARTTLS missing or followed by injected bytes, AUTH refused with the
 * server's text, passwords never sent in plaintext. Real Postfix is in
 * check_servers_smtp.c.
 */
#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "smtp.h"
#include "tests.h"

#define PUT(x)	do { if ((x) == -1) abort(); } while (0)

/* ------------------------------------------------------------------ */
/* Replies                                                             */

/* Feed the "\n"-separated lines of s; the last feed's result. */
static enum smtp_feed
feed_all(struct smtp_reply *r, const char *s, char *err, size_t errlen)
{
	enum smtp_feed	 f = SMTP_FEED_BAD;
	const char	*nl;

	while (*s != '\0') {
		nl = strchr(s, '\n');
		if (nl == NULL)
			nl = s + strlen(s);
		f = smtp_reply_feed(r, s, (size_t)(nl - s), err, errlen);
		if (f == SMTP_FEED_BAD)
			return f;
		s = *nl != '\0' ? nl + 1 : nl;
	}
	return f;
}

START_TEST(reply_lines)
{
	struct smtp_reply	 r;
	char			 err[128], *l;

	smtp_reply_init(&r);
	ck_assert_int_eq(feed_all(&r, "250 OK", err, sizeof(err)),
	    SMTP_FEED_DONE);
	ck_assert_int_eq(r.code, 250);
	ck_assert_str_eq(buf_str(&r.text), "OK");
	ck_assert_str_eq(r.enh, "");
	/* Multi-line, the bare "250" last line of some servers. */
	ck_assert_int_eq(feed_all(&r, "250-mail.test\n250-PIPELINING\n250",
	    err, sizeof(err)), SMTP_FEED_DONE);
	ck_assert_int_eq(r.nlines, 3);
	ck_assert_str_eq(buf_str(&r.text), "mail.test\nPIPELINING\n");
	smtp_reply_reset(&r);
	ck_assert_int_eq(feed_all(&r, "550-5.1.1 <x@y>: no such user\n"
	    "550 5.1.1 try again never", err, sizeof(err)), SMTP_FEED_DONE);
	ck_assert_str_eq(r.enh, "5.1.1");
	l = smtp_reply_line_new(&r);
	ck_assert_str_eq(l, "550 5.1.1 <x@y>: no such user; 5.1.1 try again "
	    "never");
	free(l);
	/* An enhanced code of another class is not one. */
	ck_assert_int_eq(feed_all(&r, "451 5.1.1 odd", err, sizeof(err)),
	    SMTP_FEED_DONE);
	ck_assert_str_eq(r.enh, "");
	ck_assert_int_eq(feed_all(&r, "451 4.3.0x odd", err, sizeof(err)),
	    SMTP_FEED_DONE);
	ck_assert_str_eq(r.enh, "");
	ck_assert_int_eq(feed_all(&r, "452 4.5.3 Too many recipients", err,
	    sizeof(err)), SMTP_FEED_DONE);
	ck_assert_str_eq(r.enh, "4.5.3");
	/* Control bytes never reach a message. */
	ck_assert_int_eq(feed_all(&r, "554 a\033[2Jb", err, sizeof(err)),
	    SMTP_FEED_DONE);
	l = smtp_reply_line_new(&r);
	ck_assert_str_eq(l, "554 a?[2Jb");
	free(l);
	smtp_reply_free(&r);
}
END_TEST

START_TEST(reply_hostile)
{
	static const struct {
		const char	*in;
		const char	*why;
	} cases[] = {
		{ "", "not an SMTP reply" },
		{ "25", "not an SMTP reply" },
		{ "2500 OK", "not an SMTP reply" },
		{ "250OK", "not an SMTP reply" },
		{ "160 x", "not an SMTP reply" },
		{ "600 x", "not an SMTP reply" },
		{ "260 x", "not an SMTP reply" },
		{ "2a0 x", "not an SMTP reply" },
		{ "* OK IMAP", "not an SMTP reply" },
		{ "+OK POP3", "not an SMTP reply" },
		{ "250-a\n251 b", "the lines of a reply disagree on its code" },
		{ "250-a\n550 b", "the lines of a reply disagree on its code" },
	};
	struct smtp_reply	 r;
	char			 err[128], line[16];
	size_t			 i;
	enum smtp_feed		 f;

	smtp_reply_init(&r);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		smtp_reply_reset(&r);
		err[0] = '\0';
		f = cases[i].in[0] == '\0' ? smtp_reply_feed(&r, "", 0, err,
		    sizeof(err)) : feed_all(&r, cases[i].in, err, sizeof(err));
		ck_assert_msg(f == SMTP_FEED_BAD, "%s", cases[i].in);
		ck_assert_str_eq(err, cases[i].why);
	}
	/* A NUL inside. */
	smtp_reply_reset(&r);
	ck_assert_int_eq(smtp_reply_feed(&r, "250 a\0b", 7, err, sizeof(err)),
	    SMTP_FEED_BAD);
	ck_assert_str_eq(err, "a NUL byte in a reply");
	/* Endless continuation lines are cut off. */
	smtp_reply_reset(&r);
	for (i = 0; i < SMTP_REPLY_MAX_LINES; i++) {
		(void)snprintf(line, sizeof(line), "250-%zu", i);
		ck_assert_int_eq(smtp_reply_feed(&r, line, strlen(line), err,
		    sizeof(err)), SMTP_FEED_MORE);
	}
	ck_assert_int_eq(smtp_reply_feed(&r, "250-x", 5, err, sizeof(err)),
	    SMTP_FEED_BAD);
	ck_assert_str_eq(err, "a reply with too many lines");
	/* And so is too much text in few lines. */
	{
		char	*big = xmalloc(SMTP_REPLY_MAX_TEXT / 2 + 8);

		memset(big, 'a', SMTP_REPLY_MAX_TEXT / 2 + 8);
		memcpy(big, "250-", 4);
		smtp_reply_reset(&r);
		ck_assert_int_eq(smtp_reply_feed(&r, big, SMTP_REPLY_MAX_TEXT /
		    2 + 8, err, sizeof(err)), SMTP_FEED_MORE);
		ck_assert_int_eq(smtp_reply_feed(&r, big, SMTP_REPLY_MAX_TEXT /
		    2 + 8, err, sizeof(err)), SMTP_FEED_BAD);
		ck_assert_str_eq(err, "a reply too long");
		free(big);
	}
	smtp_reply_free(&r);
}
END_TEST

START_TEST(ehlo_extensions)
{
	struct smtp_reply	r;
	struct smtp_ext		e;
	char			err[128];

	smtp_reply_init(&r);
	ck_assert_int_eq(feed_all(&r, "250-mail.test Hello STARTTLS\n"
	    "250-PIPELINING\n250-SIZE 10240000\n250-8BITMIME\n"
	    "250-AUTH PLAIN LOGIN XOAUTH2\n250-ENHANCEDSTATUSCODES\n"
	    "250-SMTPUTF8\n250 CHUNKING", err, sizeof(err)), SMTP_FEED_DONE);
	smtp_ext_parse(&r, &e);
	/* The greeting line's words are not extensions. */
	ck_assert_uint_eq(e.bits, SMTP_EXT_PIPELINING | SMTP_EXT_SIZE |
	    SMTP_EXT_8BITMIME | SMTP_EXT_AUTH | SMTP_EXT_ENHANCED |
	    SMTP_EXT_SMTPUTF8);
	ck_assert_uint_eq(e.auth, SMTP_AUTH_PLAIN | SMTP_AUTH_LOGIN |
	    SMTP_AUTH_XOAUTH2);
	ck_assert_uint_eq(e.size_max, 10240000);
	/* The old AUTH= form, lower case, SIZE without a number, and a
	 * size that does not fit. */
	ck_assert_int_eq(feed_all(&r, "250-x\n250-auth=login oauthbearer\n"
	    "250-starttls\n250 SIZE", err, sizeof(err)), SMTP_FEED_DONE);
	smtp_ext_parse(&r, &e);
	ck_assert_uint_eq(e.bits, SMTP_EXT_AUTH | SMTP_EXT_STARTTLS |
	    SMTP_EXT_SIZE);
	ck_assert_uint_eq(e.auth, SMTP_AUTH_LOGIN | SMTP_AUTH_OAUTHBEARER);
	ck_assert_uint_eq(e.size_max, 0);
	ck_assert_int_eq(feed_all(&r, "250-x\n250 SIZE "
	    "99999999999999999999999", err, sizeof(err)), SMTP_FEED_DONE);
	smtp_ext_parse(&r, &e);
	ck_assert_uint_eq(e.size_max, 0);
	/* "STARTTLS" must be the whole line. */
	ck_assert_int_eq(feed_all(&r, "250-x\n250 STARTTLSX", err,
	    sizeof(err)), SMTP_FEED_DONE);
	smtp_ext_parse(&r, &e);
	ck_assert_uint_eq(e.bits, 0);
	smtp_reply_free(&r);
}
END_TEST

START_TEST(addresses)
{
	static const char *const good[] = {
		"a@b", "jeanne.martin@example.fr", "\"a b\"@example.test",
		"\"a\\\"b\"@x.test", "user+tag@sub.example.test",
		"\xc3\xa9t\xc3\xa9@exemple.fr",
	};
	static const char *const bad[] = {
		"", "a", "@b", "a@", "a b@c", "a@b c", "<a@b>", "a@b>",
		"a,b@c", "a@b@c", "a\r\n@b", "a@b\r\nRCPT TO:<x@y>", "\"a@b",
		"a\"b@c", "a\\b@c", "a@b\x7f", "a\tb@c",
	};
	char	long_addr[300];
	size_t	i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(smtp_addr_ok(good[i]), "%s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!smtp_addr_ok(bad[i]), "%s", bad[i]);
	memset(long_addr, 'a', sizeof(long_addr));
	memcpy(long_addr + 251, "@b.c", 5);
	ck_assert(!smtp_addr_ok(long_addr));
	memcpy(long_addr + 240, "@b.c", 5);
	ck_assert(smtp_addr_ok(long_addr));
	ck_assert(smtp_has_8bit("\xc3\xa9", 2));
	ck_assert(!smtp_has_8bit("abc\r\n", 5));
}
END_TEST

START_TEST(data_encoding)
{
	static const struct {
		const char	*in;
		const char	*out;
		size_t		 size;
	} cases[] = {
		{ "", ".\r\n", 0 },
		{ "a", "a\r\n.\r\n", 3 },
		{ "a\n", "a\r\n.\r\n", 3 },
		{ "a\r\n", "a\r\n.\r\n", 3 },
		{ "a\rb\nc\r\n", "a\r\nb\r\nc\r\n.\r\n", 9 },
		{ "a\n\nb", "a\r\n\r\nb\r\n.\r\n", 8 },
		{ "a\r\r\nb", "a\r\n\r\nb\r\n.\r\n", 8 },
		{ ".\n", "..\r\n.\r\n", 3 },
		{ "a\n.\n..b\n", "a\r\n..\r\n...b\r\n.\r\n", 11 },
		{ "x\n.", "x\r\n..\r\n.\r\n", 6 },
		{ "\r\n.\r\n", "\r\n..\r\n.\r\n", 5 },
	};
	struct buf	b;
	size_t		i, n;

	buf_init(&b, 1 << 16);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		n = smtp_data_encode(cases[i].in, strlen(cases[i].in), &b);
		ck_assert_msg(strcmp(buf_str(&b), cases[i].out) == 0,
		    "case %zu: %s", i, buf_str(&b));
		ck_assert_uint_eq(n, cases[i].size);
		ck_assert_uint_eq(smtp_data_size(cases[i].in,
		    strlen(cases[i].in)), cases[i].size);
	}
	buf_free(&b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The client against scripted servers                                 */

struct session {
	struct test_script		 srv;
	struct net_loop		*loop;
	struct smtp_client	*c;
	bool			 ready, ok, sent;
	char			 err[512];
	struct smtp_result	 res;	/* copied from the callback */
	struct buf		 trace;
};

static void
on_ready(struct smtp_client *c, bool ok, void *arg)
{
	struct session	*s = arg;

	s->ready = true;
	s->ok = ok;
	if (!ok)
		(void)snprintf(s->err, sizeof(s->err), "%s",
		    smtp_client_error(c));
}

static void
on_trace(const char *dir, const char *line, size_t len, void *arg)
{
	struct session	*s = arg;

	PUT(buf_printf(&s->trace, "%s: %.*s\n", dir, (int)len, line));
}

static void
on_sent(struct smtp_client *c, const struct smtp_result *r, void *arg)
{
	struct session	*s = arg;
	size_t		 i;

	(void)c;
	s->sent = true;
	s->res = *r;
	s->res.text = xstrdup(r->text);
	s->res.rcpt = xcalloc(r->nrcpt + 1, sizeof(*s->res.rcpt));
	for (i = 0; i < r->nrcpt; i++) {
		s->res.rcpt[i].addr = xstrdup(r->rcpt[i].addr);
		s->res.rcpt[i].code = r->rcpt[i].code;
		s->res.rcpt[i].text = r->rcpt[i].text != NULL ?
		    xstrdup(r->rcpt[i].text) : NULL;
	}
}

static struct smtp_client_params
params(enum smtp_tls_mode mode, const char *secret, bool allow)
{
	struct smtp_client_params	p;

	memset(&p, 0, sizeof(p));
	p.net.host = "smtp.test";
	p.net.port = "587";
	p.net.io_timeout_ms = 10000;
	p.mode = mode;
	p.helo = "client.test";
	p.user = "alice@example.test";
	p.secret = secret;
	p.allow_plaintext_password = allow;
	p.trace = on_trace;
	return p;
}

static void
session_start(struct session *s, const struct test_step *steps,
    struct smtp_client_params *p)
{
	struct net_source	src = { .kind = NET_SOURCE_FD };

	memset(s, 0, sizeof(*s));
	src.fd = test_script_start(&s->srv, steps, 1 << 24);
	buf_init(&s->trace, 1 << 20);
	p->arg = s;
	s->loop = net_loop_new();
	s->c = smtp_client_open(s->loop, &src, p, on_ready, s);
	while (!s->ready)
		ck_assert_int_gt(net_loop_run_once(s->loop, 10000), 0);
}

/* Send msg to rcpt (NULL-terminated) and wait for the result. */
static void
session_send(struct session *s, const char *from, const char *const *rcpt,
    const char *msg)
{
	struct smtp_envelope	env;
	size_t			n = 0;

	while (rcpt[n] != NULL)
		n++;
	env.from = from;
	env.rcpt = rcpt;
	env.nrcpt = n;
	s->sent = false;
	ck_assert_int_eq(smtp_client_send(s->c, &env, msg, strlen(msg),
	    on_sent, s), 0);
	while (!s->sent)
		ck_assert_int_gt(net_loop_run_once(s->loop, 10000), 0);
}

static void
session_quit(struct session *s)
{
	bool	done;

	smtp_client_quit(s->c, &done);
	(void)smtp_client_wait(s->c, &done);
	ck_assert(done);
}

static void
session_end(struct session *s)
{
	smtp_client_close(&s->c);
	net_loop_free(&s->loop);
	test_script_join(&s->srv);
}

static void
session_free(struct session *s)
{
	smtp_result_free(&s->res);
	test_script_free(&s->srv);
	buf_free(&s->trace);
}

#define GREET		"220-smtp.test ESMTP\r\n220 welcome\r\n"
#define EHLO_PLAIN	"250-smtp.test\r\n250-PIPELINING\r\n" \
			"250-SIZE 1000\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN\r\n"

START_TEST(client_session)
{
	static const struct test_step steps[] = {
		{ NULL, GREET },
		{ "=EHLO client.test", EHLO_PLAIN },
		{ "=AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyZXQ=",
		  "235 2.7.0 ok\r\n" },
		{ "=MAIL FROM:<alice@example.test> SIZE=31", NULL },
		{ "=RCPT TO:<bob@example.test>", NULL },
		{ "=RCPT TO:<carol@example.test>", NULL },
		{ NULL, "250 2.1.0 ok\r\n250 2.1.5 ok\r\n250-2.1.5 ok\r\n"
		  "250 2.1.5 really\r\n" },
		{ "=DATA", "354 go ahead\r\n" },
		{ "<data>", "250 2.0.0 Ok: queued as ABC\r\n" },
		{ "=QUIT", "221 2.0.0 bye\r\n" },
		{ NULL, NULL }
	};
	static const char *const rcpt[] = { "bob@example.test",
	    "carol@example.test", NULL };
	struct smtp_client_params	p = params(SMTP_TLS_NONE, "s3cret",
					    true);
	struct session			s;

	session_start(&s, steps, &p);
	ck_assert_msg(s.ok, "%s", s.err);
	ck_assert_uint_eq(smtp_client_ext(s.c)->size_max, 1000);
	session_send(&s, "alice@example.test", rcpt,
	    "Subject: hi\n\n.dot\nbare\rcr\n");
	ck_assert_msg(s.res.outcome == SMTP_SENT, "%s (server: %s)", s.res.text,
	    s.srv.error);
	ck_assert_int_eq(s.res.code, 250);
	ck_assert_str_eq(s.res.text, "250 2.0.0 Ok: queued as ABC");
	session_quit(&s);
	session_end(&s);
	ck_assert_str_eq(buf_str(&s.srv.data), "Subject: hi\r\n\r\n..dot\r\n"
	    "bare\r\ncr\r\n.\r\n");
	/* The password never shows in the trace. */
	ck_assert_ptr_null(strstr(buf_str(&s.trace), "AGFsaWNl"));
	ck_assert_ptr_nonnull(strstr(buf_str(&s.trace), "C: AUTH PLAIN ****"));
	ck_assert_ptr_nonnull(strstr(buf_str(&s.trace),
	    "C: <the message: 35 bytes>"));
	session_free(&s);
}
END_TEST

/* Recipients refused: 550 for one of three (for good), 452 (for now). */
static void
one_of_three(const char *reply, enum smtp_outcome want, const char *text)
{
	const struct test_step steps[] = {
		{ NULL, GREET },
		{ "EHLO", "250-smtp.test\r\n250 PIPELINING\r\n" },
		{ "=MAIL FROM:<a@x.test>", NULL },
		{ "=RCPT TO:<b@x.test>", NULL },
		{ "=RCPT TO:<c@x.test>", NULL },
		{ "=RCPT TO:<d@x.test>", NULL },
		{ NULL, "250 ok\r\n250 ok\r\n" },
		{ NULL, reply },
		{ NULL, "250 ok\r\n" },
		{ "=RSET", "250 reset\r\n" },
		{ "=QUIT", "221 bye\r\n" },
		{ NULL, NULL }
	};
	static const char *const rcpt[] = { "b@x.test", "c@x.test",
	    "d@x.test", NULL };
	struct smtp_client_params	p = params(SMTP_TLS_NONE, NULL, false);
	struct session			s;

	session_start(&s, steps, &p);
	ck_assert_msg(s.ok, "%s", s.err);
	session_send(&s, "a@x.test", rcpt, "Subject: x\n\nbody\n");
	ck_assert_int_eq(s.res.outcome, want);
	ck_assert_str_eq(s.res.text, text);
	ck_assert_int_eq(s.res.rcpt[0].code, 250);
	ck_assert_int_eq(s.res.rcpt[2].code, 250);
	ck_assert_ptr_nonnull(s.res.rcpt[1].text);
	session_quit(&s);
	session_end(&s);
	/* No DATA: nothing was sent to anyone. */
	ck_assert_ptr_null(strstr(buf_str(&s.srv.got), "DATA"));
	session_free(&s);
}

START_TEST(client_rcpt_refused)
{
	one_of_three("550-5.1.1 <c@x.test>: Recipient address rejected:\r\n"
	    "550 5.1.1 User unknown in virtual mailbox table\r\n",
	    SMTP_REFUSED, "recipient <c@x.test> refused: 550 5.1.1 "
	    "<c@x.test>: Recipient address rejected:; 5.1.1 User unknown in "
	    "virtual mailbox table (nothing was sent)");
	one_of_three("452 4.5.3 Too many recipients\r\n", SMTP_DEFERRED,
	    "recipient <c@x.test> refused: 452 4.5.3 Too many recipients "
	    "(nothing was sent)");
}
END_TEST

/* 421 in the middle of a transaction: the session fails with the text. */
START_TEST(client_421)
{
	static const struct test_step steps[] = {
		{ NULL, GREET },
		{ "EHLO", "250 smtp.test\r\n" },
		{ "=MAIL FROM:<a@x.test>", "250 ok\r\n" },
		{ "=RCPT TO:<b@x.test>", "421 4.3.2 Service shutting down\r\n" },
		{ NULL, "<close>" },
		{ NULL, NULL }
	};
	static const char *const rcpt[] = { "b@x.test", NULL };
	struct smtp_client_params	p = params(SMTP_TLS_NONE, NULL, false);
	struct session			s;

	session_start(&s, steps, &p);
	ck_assert_msg(s.ok, "%s", s.err);
	session_send(&s, "a@x.test", rcpt, "x\n");
	ck_assert_int_eq(s.res.outcome, SMTP_FAILED);
	ck_assert_int_eq(s.res.code, 421);
	ck_assert_str_eq(s.res.text, "the server closed the session: 421 "
	    "4.3.2 Service shutting down");
	ck_assert(!s.res.after_dot);
	ck_assert(!smtp_client_ok(s.c));
	session_end(&s);
	session_free(&s);
}
END_TEST

/* Too big for the server's SIZE: refused before anything is sent. */
START_TEST(client_size)
{
	static const struct test_step steps[] = {
		{ NULL, GREET },
		{ "EHLO", "250-smtp.test\r\n250 SIZE 100\r\n" },
		{ "=QUIT", "221 bye\r\n" },
		{ NULL, NULL }
	};
	static const char *const rcpt[] = { "b@x.test", NULL };
	struct smtp_client_params	p = params(SMTP_TLS_NONE, NULL, false);
	struct session			s;
	char				msg[200];

	memset(msg, 'x', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	session_start(&s, steps, &p);
	session_send(&s, "a@x.test", rcpt, msg);
	ck_assert_int_eq(s.res.outcome, SMTP_REFUSED);
	ck_assert_str_eq(s.res.text, "the message is 201 bytes and the server "
	    "accepts at most 100 bytes");
	session_quit(&s);
	session_end(&s);
	ck_assert_str_eq(buf_str(&s.srv.got), "EHLO client.test\nQUIT\n");
	session_free(&s);
}
END_TEST

/* What is refused before a byte is sent: bad addresses, 8-bit without
 * 8BITMIME, non-ASCII addresses without SMTPUTF8. */
START_TEST(client_refuses_early)
{
	static const struct test_step steps[] = {
		{ NULL, GREET },
		{ "EHLO", "250 smtp.test\r\n" },
		{ "=QUIT", "221 bye\r\n" },
		{ NULL, NULL }
	};
	static const char *const inject[] = {
	    "b@x.test>\r\nRCPT TO:<evil@x.test", NULL };
	static const char *const utf8[] = { "\xc3\xa9@x.test", NULL };
	static const char *const ok[] = { "b@x.test", NULL };
	struct smtp_client_params	p = params(SMTP_TLS_NONE, NULL, false);
	struct session			s;

	session_start(&s, steps, &p);
	session_send(&s, "a@x.test", inject, "x\n");
	ck_assert_int_eq(s.res.outcome, SMTP_REFUSED);
	ck_assert_ptr_nonnull(strstr(s.res.text, "is not a valid address"));
	smtp_result_free(&s.res);
	session_send(&s, "a@x.test", utf8, "x\n");
	ck_assert_int_eq(s.res.outcome, SMTP_REFUSED);
	ck_assert_str_eq(s.res.text, "an address is not ASCII and the server "
	    "does not offer SMTPUTF8");
	smtp_result_free(&s.res);
	session_send(&s, "a@x.test", ok, "Subject: \xc3\xa9t\xc3\xa9\n\nx\n");
	ck_assert_int_eq(s.res.outcome, SMTP_REFUSED);
	ck_assert_str_eq(s.res.text, "the message has 8-bit bytes and the "
	    "server does not offer 8BITMIME");
	session_quit(&s);
	session_end(&s);
	ck_assert_str_eq(buf_str(&s.srv.got), "EHLO client.test\nQUIT\n");
	session_free(&s);
}
END_TEST

/* 8BITMIME and SMTPUTF8 declared when the message needs them; no
 * PIPELINING: one command at a time. */
START_TEST(client_8bit)
{
	static const struct test_step steps[] = {
		{ NULL, GREET },
		{ "EHLO", "250-smtp.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n" },
		{ "=MAIL FROM:<a@x.test> BODY=8BITMIME SMTPUTF8", "250 ok\r\n" },
		{ "=RCPT TO:<\xc3\xa9@x.test>", "250 ok\r\n" },
		{ "=DATA", "354 go\r\n" },
		{ "<data>", "250 queued\r\n" },
		{ NULL, NULL }
	};
	static const char *const rcpt[] = { "\xc3\xa9@x.test", NULL };
	struct smtp_client_params	p = params(SMTP_TLS_NONE, NULL, false);
	struct session			s;

	session_start(&s, steps, &p);
	session_send(&s, "a@x.test", rcpt, "Subject: \xc3\xa9\n\nx\n");
	ck_assert_int_eq(s.res.outcome, SMTP_SENT);
	session_end(&s);
	session_free(&s);
}
END_TEST

/* The session refused before a transaction: want_err, and the server
 * read exactly want_got. */
static void
expect_refusal(const struct test_step *steps, struct smtp_client_params *p,
    const char *want_err, const char *want_got)
{
	struct session	s;

	session_start(&s, steps, p);
	ck_assert(!s.ok);
	ck_assert_str_eq(s.err, want_err);
	session_end(&s);
	ck_assert_str_eq(buf_str(&s.srv.got), want_got);
	session_free(&s);
}

START_TEST(client_no_starttls)
{
	static const struct test_step steps[] = {
		{ NULL, GREET },
		{ "EHLO", EHLO_PLAIN },
		{ NULL, NULL }
	};
	struct smtp_client_params	p = params(SMTP_TLS_STARTTLS, "pw",
					    true);

	/* Even with plaintext passwords allowed: STARTTLS is required. */
	expect_refusal(steps, &p, "the server does not offer STARTTLS, and "
	    "this account requires TLS (starttls = no turns this off)",
	    "EHLO client.test\n");
}
END_TEST

START_TEST(client_starttls_refused)
{
	static const struct test_step steps[] = {
		{ NULL, GREET },
		{ "EHLO", "250-smtp.test\r\n250 STARTTLS\r\n" },
		{ "=STARTTLS", "454 4.7.0 TLS not available due to temporary "
		  "reason\r\n" },
		{ NULL, NULL }
	};
	struct smtp_client_params	p = params(SMTP_TLS_STARTTLS, "pw",
					    false);

	expect_refusal(steps, &p, "the server refused STARTTLS: 454 4.7.0 "
	    "TLS not available due to temporary reason",
	    "EHLO client.test\nSTARTTLS\n");
}
END_TEST

START_TEST(client_starttls_injection)
{
	static const struct test_step steps[] = {
		{ NULL, GREET },
		{ "EHLO", "250-smtp.test\r\n250 STARTTLS\r\n" },
		{ "=STARTTLS", "220 2.0.0 Ready to start TLS\r\n"
		  "250-smtp.test\r\n250 AUTH PLAIN\r\n" },
		{ NULL, NULL }
	};
	struct smtp_client_params	p = params(SMTP_TLS_STARTTLS, "pw",
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
	ck_assert_str_eq(buf_str(&s.srv.got), "EHLO client.test\nSTARTTLS\n");
	session_free(&s);
	net_tls_ctx_free(&p.net.tls_ctx);
}
END_TEST

START_TEST(client_auth_refused)
{
	static const struct test_step steps[] = {
		{ NULL, GREET },
		{ "EHLO", EHLO_PLAIN },
		{ "AUTH PLAIN ", "535 5.7.8 Error: authentication failed: "
		  "authentication failure\r\n" },
		{ NULL, NULL }
	};
	struct smtp_client_params	p = params(SMTP_TLS_NONE, "wrong",
					    true);

	expect_refusal(steps, &p, "authentication failed: 535 5.7.8 Error: "
	    "authentication failed: authentication failure",
	    "EHLO client.test\nAUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdAB3cm9uZw=="
	    "\n");
}
END_TEST

/* XOAUTH2: the token as the initial response; the server's error comes
 * as a 334 challenge, answered empty, then the refusal is shown. */
START_TEST(client_auth_xoauth2)
{
	static const struct test_step steps[] = {
		{ NULL, GREET },
		{ "EHLO", "250-smtp.test\r\n250 AUTH XOAUTH2 OAUTHBEARER\r\n" },
		{ "=AUTH XOAUTH2 dXNlcj1hbGljZUBleGFtcGxlLnRlc3QBYXV0aD1CZWFyZXIg"
		  "dG9rZW4BAQ==", "334 eyJzdGF0dXMiOiI0MDEifQ==\r\n" },
		{ "=", "535 5.7.8 Username and Password not accepted\r\n" },
		{ NULL, NULL }
	};
	struct smtp_client_params	p = params(SMTP_TLS_NONE, "token",
					    true);
	struct session			s;

	p.mech = SMTP_MECH_XOAUTH2;
	session_start(&s, steps, &p);
	ck_assert(!s.ok);
	ck_assert_str_eq(s.err, "authentication failed: 535 5.7.8 Username "
	    "and Password not accepted");
	session_end(&s);
	ck_assert_ptr_null(strstr(buf_str(&s.trace), "dG9rZW4"));
	session_free(&s);
}
END_TEST

/* LOGIN, step by step; the secrets masked in the trace. */
START_TEST(client_auth_login)
{
	static const struct test_step steps[] = {
		{ NULL, GREET },
		{ "EHLO", "250-smtp.test\r\n250 AUTH LOGIN\r\n" },
		{ "=AUTH LOGIN", "334 VXNlcm5hbWU6\r\n" },
		{ "=YWxpY2VAZXhhbXBsZS50ZXN0", "334 UGFzc3dvcmQ6\r\n" },
		{ "=cHc=", "235 2.7.0 Authentication successful\r\n" },
		{ NULL, NULL }
	};
	struct smtp_client_params	p = params(SMTP_TLS_NONE, "pw", true);
	struct session			s;

	session_start(&s, steps, &p);
	ck_assert_msg(s.ok, "%s", s.err);
	session_end(&s);
	ck_assert_ptr_null(strstr(buf_str(&s.trace), "cHc="));
	session_free(&s);
}
END_TEST

/* No TLS and passwords not allowed in plaintext: no AUTH at all. */
START_TEST(client_no_plaintext_password)
{
	static const struct test_step steps[] = {
		{ NULL, GREET },
		{ "EHLO", EHLO_PLAIN },
		{ NULL, NULL }
	};
	struct smtp_client_params	p = params(SMTP_TLS_NONE, "pw", false);

	expect_refusal(steps, &p, "refusing to send the password over a "
	    "connection without TLS (allow-plaintext-password)",
	    "EHLO client.test\n");
}
END_TEST

/* EHLO refused: HELO, when nothing needs an extension. */
START_TEST(client_helo)
{
	static const struct test_step steps[] = {
		{ NULL, "220 old server\r\n" },
		{ "=EHLO client.test", "502 5.5.2 what?\r\n" },
		{ "=HELO client.test", "250 hello\r\n" },
		{ "=MAIL FROM:<a@x.test>", "250 ok\r\n" },
		{ "=RCPT TO:<b@x.test>", "250 ok\r\n" },
		{ "=DATA", "354 go\r\n" },
		{ "<data>", "550 5.7.1 Message content rejected\r\n" },
		{ NULL, NULL }
	};
	static const char *const rcpt[] = { "b@x.test", NULL };
	struct smtp_client_params	p = params(SMTP_TLS_NONE, NULL, false);
	struct session			s;

	session_start(&s, steps, &p);
	ck_assert_msg(s.ok, "%s", s.err);
	session_send(&s, "a@x.test", rcpt, "x\n");
	ck_assert_int_eq(s.res.outcome, SMTP_REFUSED);
	ck_assert_str_eq(s.res.text, "the server refused the message: 550 "
	    "5.7.1 Message content rejected");
	session_end(&s);
	session_free(&s);
}
END_TEST

START_TEST(client_greeting_refused)
{
	static const struct test_step steps[] = {
		{ NULL, "554 5.3.2 no service for you\r\n" },
		{ NULL, NULL }
	};
	static const struct test_step junk[] = {
		{ NULL, "* OK IMAP4rev1 ready\r\n" },
		{ NULL, NULL }
	};
	struct smtp_client_params	p = params(SMTP_TLS_NONE, NULL, false);

	expect_refusal(steps, &p, "the server refused the session: 554 "
	    "5.3.2 no service for you", "");
	expect_refusal(junk, &p, "the server's reply makes no sense (not an "
	    "SMTP reply) in state greeting", "");
}
END_TEST

/* A message refused at the end of DATA, then a second one in the same
 * session; a 4xx from DATA; the mail command refused. */
START_TEST(client_two_messages)
{
	static const struct test_step steps[] = {
		{ NULL, GREET },
		{ "EHLO", "250 smtp.test\r\n" },
		{ "=MAIL FROM:<a@x.test>", "553 5.7.1 <a@x.test>: Sender "
		  "address rejected: not owned by user bob\r\n" },
		{ "=RSET", "250 ok\r\n" },
		{ "=MAIL FROM:<a@x.test>", "250 ok\r\n" },
		{ "=RCPT TO:<b@x.test>", "250 ok\r\n" },
		{ "=DATA", "451 4.3.0 try later\r\n" },
		{ "=RSET", "250 ok\r\n" },
		{ "=MAIL FROM:<>", "250 ok\r\n" },
		{ "=RCPT TO:<b@x.test>", "250 ok\r\n" },
		{ "=DATA", "354 go\r\n" },
		{ "<data>", "250 ok\r\n" },
		{ NULL, NULL }
	};
	static const char *const rcpt[] = { "b@x.test", NULL };
	struct smtp_client_params	p = params(SMTP_TLS_NONE, NULL, false);
	struct session			s;

	session_start(&s, steps, &p);
	session_send(&s, "a@x.test", rcpt, "x\n");
	ck_assert_int_eq(s.res.outcome, SMTP_REFUSED);
	ck_assert_str_eq(s.res.text, "the server refused the sender: 553 "
	    "5.7.1 <a@x.test>: Sender address rejected: not owned by user bob");
	smtp_result_free(&s.res);
	session_send(&s, "a@x.test", rcpt, "x\n");
	ck_assert_int_eq(s.res.outcome, SMTP_DEFERRED);
	ck_assert_str_eq(s.res.text, "the server refused the message: 451 "
	    "4.3.0 try later");
	smtp_result_free(&s.res);
	session_send(&s, "", rcpt, "x\n");
	ck_assert_int_eq(s.res.outcome, SMTP_SENT);
	session_end(&s);
	session_free(&s);
}
END_TEST

/* The connection lost after the final dot: the result says so. */
START_TEST(client_lost_after_dot)
{
	static const struct test_step steps[] = {
		{ NULL, GREET },
		{ "EHLO", "250 smtp.test\r\n" },
		{ "=MAIL FROM:<a@x.test>", "250 ok\r\n" },
		{ "=RCPT TO:<b@x.test>", "250 ok\r\n" },
		{ "=DATA", "354 go\r\n" },
		{ "<data>", "<close>" },
		{ NULL, NULL }
	};
	static const char *const rcpt[] = { "b@x.test", NULL };
	struct smtp_client_params	p = params(SMTP_TLS_NONE, NULL, false);
	struct session			s;

	session_start(&s, steps, &p);
	session_send(&s, "a@x.test", rcpt, "x\n");
	ck_assert_int_eq(s.res.outcome, SMTP_FAILED);
	ck_assert(s.res.after_dot);
	ck_assert_int_eq(s.res.code, 0);
	session_end(&s);
	session_free(&s);
}
END_TEST

/* The next message started from the callback of the last (the outbox
 * does this): the second transaction's result is its own. fuzz_smtp
 * found that the first's clean-up wiped it. */
static const char *const chain_rcpt[] = { "b@x.test", "c@x.test" };

static void
on_sent_chain(struct smtp_client *c, const struct smtp_result *r, void *arg)
{
	struct session		*s = arg;
	struct smtp_envelope	 env = { "a@x.test", chain_rcpt, 2 };

	if (s->res.text == NULL) {
		on_sent(c, r, arg);
		s->sent = false;
		ck_assert_int_eq(smtp_client_send(c, &env, "y\n", 2,
		    on_sent_chain, s), 0);
		return;
	}
	smtp_result_free(&s->res);
	on_sent(c, r, arg);
}

START_TEST(client_send_from_callback)
{
	static const struct test_step steps[] = {
		{ NULL, GREET },
		{ "EHLO", "250 smtp.test\r\n" },
		{ "=MAIL FROM:<a@x.test>", "250 ok\r\n" },
		{ "=RCPT TO:<b@x.test>", "550 no\r\n" },
		{ "=RSET", "250 ok\r\n" },
		{ "=MAIL FROM:<a@x.test>", "250 ok\r\n" },
		{ "=RCPT TO:<b@x.test>", "250 ok\r\n" },
		{ "=RCPT TO:<c@x.test>", "250 ok\r\n" },
		{ "=DATA", "354 go\r\n" },
		{ "<data>", "250 second\r\n" },
		{ NULL, NULL }
	};
	struct smtp_client_params	p = params(SMTP_TLS_NONE, NULL, false);
	struct smtp_envelope		env = { "a@x.test", chain_rcpt, 1 };
	struct session			s;

	session_start(&s, steps, &p);
	ck_assert_int_eq(smtp_client_send(s.c, &env, "x\n", 2,
	    on_sent_chain, &s), 0);
	while (!s.sent)
		ck_assert_int_gt(net_loop_run_once(s.loop, 10000), 0);
	ck_assert_int_eq(s.res.outcome, SMTP_SENT);
	ck_assert_str_eq(s.res.text, "250 second");
	ck_assert_uint_eq(s.res.nrcpt, 2);
	ck_assert_str_eq(s.res.rcpt[1].addr, "c@x.test");
	session_end(&s);
	session_free(&s);
}
END_TEST

Suite *
smtp_suite(void)
{
	Suite	*s = suite_create("smtp");
	TCase	*tc = tcase_create("parse");

	tcase_add_test(tc, reply_lines);
	tcase_add_test(tc, reply_hostile);
	tcase_add_test(tc, ehlo_extensions);
	tcase_add_test(tc, addresses);
	tcase_add_test(tc, data_encoding);
	suite_add_tcase(s, tc);
	return s;
}

Suite *
smtp_client_suite(void)
{
	Suite	*s = suite_create("smtp_client");
	TCase	*tc = tcase_create("transcripts");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, client_session);
	tcase_add_test(tc, client_rcpt_refused);
	tcase_add_test(tc, client_421);
	tcase_add_test(tc, client_size);
	tcase_add_test(tc, client_refuses_early);
	tcase_add_test(tc, client_8bit);
	tcase_add_test(tc, client_no_starttls);
	tcase_add_test(tc, client_starttls_refused);
	tcase_add_test(tc, client_starttls_injection);
	tcase_add_test(tc, client_auth_refused);
	tcase_add_test(tc, client_auth_login);
	tcase_add_test(tc, client_auth_xoauth2);
	tcase_add_test(tc, client_no_plaintext_password);
	tcase_add_test(tc, client_helo);
	tcase_add_test(tc, client_greeting_refused);
	tcase_add_test(tc, client_two_messages);
	tcase_add_test(tc, client_lost_after_dot);
	tcase_add_test(tc, client_send_from_callback);
	suite_add_tcase(s, tc);
	return s;
}
