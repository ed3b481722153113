/*
 * check_imap_client.c: the IMAP client (src/proto/imap_client.c) against
 * scripted servers over a socketpair: the login sequence, the rules for
 * TLS and passwords (a server without STARTTLS, PREAUTH in plaintext,
 * untagged junk before TLS, bytes after the STARTTLS go-ahead), the
 * server's refusals shown with its text, hostile responses, and commands
 * with literals, pipelined. Real Dovecot is in check_servers_imap.c.
 */
#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "imap.h"
#include "sasl.h"
#include "tests.h"

/* Appending to a test's own log cannot fail short of memory. */
#define PUT(x)	do { if ((x) == -1) abort(); } while (0)

/*
 * One step of a scripted server: read a line from the client (unless
 * expect is NULL) and check that, after its tag, it starts with expect
 * ("=" first: the whole line, tag included, must be the rest); then send
 * reply with each "%t" replaced by that tag.
 */
struct step {
	const char	*expect;
	const char	*reply;
};

struct server {
	int		 fd;
	const struct step *steps;
	struct buf	 got;		/* every line read, "\n"-terminated */
	char		 error[256];	/* the first mismatch */
	pthread_t	 tid;
};

static void
send_reply(int fd, const char *reply, const char *tag)
{
	struct buf	 b;
	const char	*p;

	buf_init(&b, 1 << 20);
	for (p = reply; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 't') {
			ck_assert_int_eq(buf_append_str(&b, tag), 0);
			p++;
		} else
			ck_assert_int_eq(buf_append(&b, p, 1), 0);
	}
	test_fd_write_all(fd, b.data, b.len);
	buf_free(&b);
}

static void *
server_run(void *arg)
{
	struct server	*s = arg;
	struct buf	 line;
	char		 tag[64] = "";
	const char	*sp, *want;
	size_t		 i;

	buf_init(&line, 1 << 20);
	for (i = 0; s->steps[i].expect != NULL || s->steps[i].reply != NULL;
	    i++) {
		want = s->steps[i].expect;
		if (want != NULL) {
			if (!test_fd_read_line(s->fd, &line)) {
				(void)snprintf(s->error, sizeof(s->error),
				    "step %zu: client closed, wanted %s", i,
				    want);
				break;
			}
			PUT(buf_printf(&s->got, "%s\n", buf_str(&line)));
			sp = strchr(buf_str(&line), ' ');
			if (want[0] == '=') {
				if (strcmp(buf_str(&line), want + 1) != 0)
					(void)snprintf(s->error,
					    sizeof(s->error), "step %zu: got "
					    "\"%s\", wanted \"%s\"", i,
					    buf_str(&line), want + 1);
			} else if (sp == NULL || strncmp(sp + 1, want,
			    strlen(want)) != 0) {
				(void)snprintf(s->error, sizeof(s->error),
				    "step %zu: got \"%s\", wanted \"%s\"", i,
				    buf_str(&line), want);
			} else
				(void)snprintf(tag, sizeof(tag), "%.*s",
				    (int)(sp - buf_str(&line)),
				    buf_str(&line));
			if (s->error[0] != '\0')
				break;
		}
		if (s->steps[i].reply != NULL &&
		    strcmp(s->steps[i].reply, "<close>") == 0) {
			(void)shutdown(s->fd, SHUT_RDWR);
			break;
		}
		if (s->steps[i].reply != NULL)
			send_reply(s->fd, s->steps[i].reply, tag);
	}
	/* Then take what the client still sends, until it closes. */
	while (s->error[0] == '\0' && test_fd_read_line(s->fd, &line))
		PUT(buf_printf(&s->got, "%s\n", buf_str(&line)));
	buf_free(&line);
	(void)close(s->fd);
	return NULL;
}

struct run {
	bool		 ready, ok;
	char		 err[512];
	struct buf	 trace;
};

static void
on_ready(struct imap_client *c, bool ok, void *arg)
{
	struct run	*r = arg;

	r->ready = true;
	r->ok = ok;
	if (!ok)
		(void)snprintf(r->err, sizeof(r->err), "%s",
		    imap_client_error(c));
}

static void
on_trace(const char *dir, const char *line, size_t len, void *arg)
{
	struct run	*r = arg;

	PUT(buf_printf(&r->trace, "%s: %.*s\n", dir, (int)len, line));
}

static struct imap_client_params
plain_params(enum imap_tls_mode mode, bool allow, struct run *r)
{
	struct imap_client_params	p;

	memset(&p, 0, sizeof(p));
	p.net.host = "imap.test";
	p.net.port = "143";
	p.net.io_timeout_ms = 10000;
	p.mode = mode;
	p.user = "alice@example.test";
	p.secret = "Secret \"pass\"";
	p.allow_plaintext_password = allow;
	p.trace = on_trace;
	p.arg = r;
	return p;
}

/* [ALERT]s go into the trace as "A: text". */
static void
on_alert(const char *text, size_t len, void *arg)
{
	struct run	*r = arg;

	PUT(buf_printf(&r->trace, "A: %.*s\n", (int)len, text));
}

struct session {
	struct server		 srv;
	struct run		 run;
	struct net_loop		*loop;
	struct imap_client	*c;
};

/* Start the scripted server and a client over a socketpair, and wait
 * for the client to be ready or to fail. */
static void
session_start(struct session *s, const struct step *steps,
    struct imap_client_params *p)
{
	int	sv[2];

	memset(s, 0, sizeof(*s));
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	s->srv.fd = sv[1];
	s->srv.steps = steps;
	buf_init(&s->srv.got, 1 << 20);
	buf_init(&s->run.trace, 1 << 20);
	p->arg = &s->run;
	ck_assert_int_eq(pthread_create(&s->srv.tid, NULL, server_run,
	    &s->srv), 0);
	s->loop = net_loop_new();
	s->c = imap_client_open(s->loop,
	    &(struct net_source){ .kind = NET_SOURCE_FD, .fd = sv[0] }, p,
	    on_ready, &s->run);
	(void)imap_client_wait(s->c, &s->run.ready);
	ck_assert(s->run.ready);
}

static void
session_end(struct session *s)
{
	imap_client_close(&s->c);
	ck_assert_int_eq(pthread_join(s->srv.tid, NULL), 0);
	net_loop_free(&s->loop);
	ck_assert_msg(s->srv.error[0] == '\0', "%s", s->srv.error);
}

static void
session_free(struct session *s)
{
	buf_free(&s->srv.got);
	buf_free(&s->run.trace);
}

/*
 * Play steps against a client in this mode; it must refuse with want_err,
 * the server having read exactly want_got from it (NULL: not checked).
 */
static void
expect_refusal(const struct step *steps, struct imap_client_params *p,
    const char *want_err, const char *want_got)
{
	struct session	s;

	session_start(&s, steps, p);
	ck_assert(!s.run.ok);
	ck_assert_str_eq(s.run.err, want_err);
	session_end(&s);
	if (want_got != NULL)
		ck_assert_str_eq(buf_str(&s.srv.got), want_got);
	session_free(&s);
}

/* ------------------------------------------------------------------ */
/* Login, and the rules for TLS and passwords                          */

START_TEST(login_plaintext_allowed)
{
	static const struct step steps[] = {
		{ NULL, "* OK [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n" },
		{ "LOGIN", "%t OK [CAPABILITY IMAP4rev1 IDLE MOVE] in\r\n" },
		{ NULL, NULL }
	};
	struct imap_client_params	p = plain_params(IMAP_TLS_NONE, true,
					    NULL);
	struct session			s;

	session_start(&s, steps, &p);
	ck_assert_msg(s.run.ok, "%s", s.run.err);
	/* The capabilities of the login's response code. */
	ck_assert_uint_eq(imap_client_caps(s.c),
	    IMAP_CAP_IMAP4REV1 | IMAP_CAP_IDLE | IMAP_CAP_MOVE);
	session_end(&s);
	/* The password went quoted with its quotes escaped... */
	ck_assert_str_eq(buf_str(&s.srv.got),
	    "f1 LOGIN alice@example.test \"Secret \\\"pass\\\"\"\n");
	/* ... and the trace never shows it. */
	ck_assert_ptr_null(strstr(buf_str(&s.run.trace), "Secret"));
	ck_assert_ptr_nonnull(strstr(buf_str(&s.run.trace),
	    "C: f1 LOGIN alice@example.test ***\n"));
	session_free(&s);
}
END_TEST

START_TEST(login_plaintext_refused)
{
	static const struct step steps[] = {
		{ NULL, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n" },
		{ NULL, NULL }
	};
	struct imap_client_params	p = plain_params(IMAP_TLS_NONE, false,
					    NULL);
	expect_refusal(steps, &p, "refusing to send the password for "
	    "alice@example.test to imap.test without TLS "
	    "(allow-plaintext-password allows it)",
	    "");
}
END_TEST

START_TEST(starttls_not_offered)
{
	static const struct step steps[] = {
		{ NULL, "* OK IMAP4rev1 ready\r\n" },
		{ "CAPABILITY", "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n"
		  "%t OK done\r\n" },
		{ NULL, NULL }
	};
	struct imap_client_params	p = plain_params(IMAP_TLS_STARTTLS,
					    false, NULL);

	/* Not a word of the credentials. */
	expect_refusal(steps, &p, "imap.test does not offer STARTTLS; not "
	    "going on without TLS",
	    "f1 CAPABILITY\n");
}
END_TEST

START_TEST(starttls_preauth_refused)
{
	static const struct step steps[] = {
		{ NULL, "* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n" },
		{ NULL, NULL }
	};
	struct imap_client_params	p = plain_params(IMAP_TLS_STARTTLS,
					    false, NULL);

	expect_refusal(steps, &p, "imap.test says PREAUTH on a connection "
	    "without TLS; not going on without TLS",
	    "");
}
END_TEST

START_TEST(starttls_junk_before_tls)
{
	static const struct step steps[] = {
		{ NULL, "* OK IMAP4rev1 ready\r\n" },
		{ "CAPABILITY", "* CAPABILITY IMAP4rev1 STARTTLS\r\n"
		  "* 3 EXISTS\r\n%t OK done\r\n" },
		{ NULL, NULL }
	};
	struct imap_client_params	p = plain_params(IMAP_TLS_STARTTLS,
					    false, NULL);

	expect_refusal(steps, &p, "unexpected response before TLS: EXISTS",
	    "f1 CAPABILITY\n");
}
END_TEST

START_TEST(starttls_untagged_during)
{
	static const struct step steps[] = {
		{ NULL, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n" },
		{ "STARTTLS", "* OK [ALERT] believe me\r\n%t OK go\r\n" },
		{ NULL, NULL }
	};
	struct imap_client_params	p = plain_params(IMAP_TLS_STARTTLS,
					    false, NULL);

	expect_refusal(steps, &p,
	    "unexpected response to STARTTLS: status response",
	    "f1 STARTTLS\n");
}
END_TEST

START_TEST(starttls_bytes_after_go_ahead)
{
	/* The injection of the STARTTLS studies: a response queued after
	 * the go-ahead, to be read as if it came over TLS. */
	static const struct step steps[] = {
		{ NULL, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n" },
		{ "STARTTLS", "%t OK go\r\n* CAPABILITY IMAP4rev1 "
		  "AUTH=PLAIN\r\n" },
		{ NULL, NULL }
	};
	struct imap_client_params	p = plain_params(IMAP_TLS_STARTTLS,
					    false, NULL);
	struct session			s;
	char				err[256];

	p.net.tls_ctx = net_tls_ctx_new(NULL, err, sizeof(err));
	ck_assert_msg(p.net.tls_ctx != NULL, "%s", err);
	session_start(&s, steps, &p);
	ck_assert(!s.run.ok);
	ck_assert_msg(strstr(s.run.err, "sent data after its STARTTLS "
	    "reply, before the TLS handshake (possible injection attack)") !=
	    NULL, "%s", s.run.err);
	session_end(&s);
	ck_assert_str_eq(buf_str(&s.srv.got), "f1 STARTTLS\n");
	session_free(&s);
	net_tls_ctx_free(&p.net.tls_ctx);
}
END_TEST

START_TEST(starttls_refused)
{
	static const struct step steps[] = {
		{ NULL, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n" },
		{ "STARTTLS", "%t NO [UNAVAILABLE] TLS is broken today\r\n" },
		{ NULL, NULL }
	};
	struct imap_client_params	p = plain_params(IMAP_TLS_STARTTLS,
					    false, NULL);

	expect_refusal(steps, &p,
	    "STARTTLS refused: [UNAVAILABLE] TLS is broken today", NULL);
}
END_TEST

START_TEST(auth_plain_sasl_ir)
{
	static const struct step steps[] = {
		{ NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] x\r\n" },
		{ "AUTHENTICATE PLAIN ", "%t OK logged in\r\n" },
		{ "CAPABILITY", "* CAPABILITY IMAP4rev1 UIDPLUS\r\n"
		  "%t OK done\r\n" },
		{ NULL, NULL }
	};
	struct imap_client_params	p = plain_params(IMAP_TLS_NONE, true,
					    NULL);
	struct session			s;
	const char			*line, *b64;
	char				*dec;
	size_t				 len;

	session_start(&s, steps, &p);
	ck_assert_msg(s.run.ok, "%s", s.run.err);
	/* Asked again after login: the new list replaces the old. */
	ck_assert_uint_eq(imap_client_caps(s.c),
	    IMAP_CAP_IMAP4REV1 | IMAP_CAP_UIDPLUS);
	session_end(&s);
	line = buf_str(&s.srv.got);
	ck_assert(strncmp(line, "f1 AUTHENTICATE PLAIN ", 22) == 0);
	b64 = line + 22;
	dec = base64_decode_new(b64, (size_t)(strchr(b64, '\n') - b64), &len);
	ck_assert_ptr_nonnull(dec);
	ck_assert_uint_eq(len, 1 + 18 + 1 + 13);
	ck_assert_int_eq(memcmp(dec, "\0alice@example.test\0Secret \"pass\"",
	    len), 0);
	free(dec);
	ck_assert_ptr_null(strstr(buf_str(&s.run.trace), b64 + 4));
	session_free(&s);
}
END_TEST

START_TEST(auth_plain_continuation)
{
	static const struct step steps[] = {
		{ NULL, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] x\r\n" },
		{ "=f1 AUTHENTICATE PLAIN", "+ \r\n" },
		{ "=AGFsaWNlQGV4YW1wbGUudGVzdABTZWNyZXQgInBhc3Mi",
		  "f1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n" },
		{ NULL, NULL }
	};
	struct imap_client_params	p = plain_params(IMAP_TLS_NONE, true,
					    NULL);
	struct session			s;

	session_start(&s, steps, &p);
	ck_assert(!s.run.ok);
	/* The server's own words. */
	ck_assert_str_eq(s.run.err, "login refused: [AUTHENTICATIONFAILED] "
	    "Authentication failed.");
	session_end(&s);
	session_free(&s);
}
END_TEST

START_TEST(auth_xoauth2_error_challenge)
{
	static const struct step steps[] = {
		{ NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] x\r\n"
		  },
		{ "AUTHENTICATE XOAUTH2 ", "+ eyJzdGF0dXMiOiI0MDEifQ==\r\n" },
		{ "=", "%t NO [AUTHENTICATIONFAILED] Invalid credentials\r\n" },
		{ NULL, NULL }
	};
	struct imap_client_params	p = plain_params(IMAP_TLS_NONE, true,
					    NULL);
	struct session			s;

	p.mech = IMAP_AUTH_XOAUTH2;
	p.secret = "ya29.token";
	session_start(&s, steps, &p);
	ck_assert(!s.run.ok);
	ck_assert_str_eq(s.run.err, "login refused: [AUTHENTICATIONFAILED] "
	    "Invalid credentials");
	session_end(&s);
	session_free(&s);
}
END_TEST

START_TEST(logindisabled)
{
	static const struct step steps[] = {
		{ NULL, "* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] x\r\n" },
		{ NULL, NULL }
	};
	struct imap_client_params	p = plain_params(IMAP_TLS_NONE, true,
					    NULL);
	expect_refusal(steps, &p, "imap.test refuses LOGIN (LOGINDISABLED) "
	    "and offers no AUTH=PLAIN",
	    "");
}
END_TEST

static const struct {
	const char	*greeting;
	const char	*want;
} bad_greetings[] = {
	{ "* BYE Too many connections\r\n",
	  "imap.test refused the connection: Too many connections" },
	{ "+ OK POP3 server ready\r\n", "imap.test: not an IMAP greeting" },
	{ "a1 OK hello\r\n", "imap.test: not an IMAP greeting" },
	{ "* OK [CAPABILITY (IMAP4rev1] x\r\n", "imap.test sent a malformed "
	  "response (unexpected character)" },
	{ "* 1 FETCH (BODY[] {99999999}\r\n",
	  "imap.test:143: literal of 99999999 bytes is larger than the limit "
	  "of 1048576" },
};

START_TEST(hostile_greetings)
{
	struct step			 steps[2] = { { NULL, NULL },
					    { NULL, NULL } };
	struct imap_client_params	 p = plain_params(IMAP_TLS_NONE, true,
					    NULL);
	struct session			 s;

	steps[0].reply = bad_greetings[_i].greeting;
	p.limits.max_literal = 1 << 20;
	session_start(&s, steps, &p);
	ck_assert(!s.run.ok);
	ck_assert_str_eq(s.run.err, bad_greetings[_i].want);
	session_end(&s);
	ck_assert_str_eq(buf_str(&s.srv.got), "");
	session_free(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Commands                                                            */

struct answers {
	struct buf	 log;
	int		 pending;
};

static void
cmd_untagged(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct answers	*a = arg;

	(void)c;
	PUT(buf_printf(&a->log, "untagged %s%s;", r->has_number ? "#" : "",
	    r->name[0] != '\0' ? r->name : "status"));
}

static void
cmd_done(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct answers	*a = arg;

	(void)c;
	a->pending--;
	if (r == NULL)
		PUT(buf_printf(&a->log, "failed;"));
	else
		PUT(buf_printf(&a->log, "%s %d %.*s;", r->tag,
		    (int)r->status, (int)r->text_len, r->text));
}

/* Run the loop until every command is answered or the client fails. */
static void
answers_wait(struct session *s, struct answers *a)
{
	while (a->pending > 0 && imap_client_ok(s->c))
		ck_assert_int_gt(net_loop_run_once(s->loop, 5000), 0);
}

static void
answers_end(struct session *s, struct answers *a)
{
	session_end(s);
	buf_free(&a->log);
	session_free(s);
}

START_TEST(commands_pipelined_with_literals)
{
	static const struct step steps[] = {
		{ NULL, "* PREAUTH [CAPABILITY IMAP4rev1] welcome\r\n" },
		{ "=f1 SELECT INBOX", NULL },
		{ "=f2 APPEND Entw&APw-rfe (\\Seen) {5}", "+ go on\r\n" },
		{ "=hello", "* 3 EXISTS\r\nf1 OK [READ-WRITE] selected\r\n"
		  "* 1 RECENT\r\nf2 OK [APPENDUID 7 42] stored\r\n" },
		{ "=f3 NOOP", "f3 OK nothing\r\n" },
		{ NULL, NULL }
	};
	struct imap_client_params	p = plain_params(IMAP_TLS_NONE, false,
					    NULL);
	struct session			s;
	struct answers			a = { .pending = 3 };
	bool				done = false;

	buf_init(&a.log, 4096);
	session_start(&s, steps, &p);
	ck_assert_msg(s.run.ok, "%s", s.run.err);
	ck_assert_int_eq(imap_client_cmd(s.c, cmd_untagged, cmd_done, &a,
	    "SELECT %m", "INBOX"), 0);
	ck_assert_int_eq(imap_client_cmd(s.c, cmd_untagged, cmd_done, &a,
	    "APPEND %m (\\Seen) %L", "Entwürfe", "hello", (size_t)5), 0);
	ck_assert_int_eq(imap_client_cmd(s.c, cmd_untagged, cmd_done, &a,
	    "NOOP"), 0);
	answers_wait(&s, &a);
	done = true;
	ck_assert(done);
	ck_assert_str_eq(buf_str(&a.log),
	    "untagged #EXISTS;f1 1 selected;untagged #RECENT;f2 1 stored;"
	    "f3 1 nothing;");
	answers_end(&s, &a);
}
END_TEST

/* A command's answer with its response code: "tag status [CODE args]". */
static void
code_done(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct answers	*a = arg;
	size_t		 i;

	(void)c;
	a->pending--;
	if (r == NULL) {
		PUT(buf_printf(&a->log, "failed;"));
		return;
	}
	PUT(buf_printf(&a->log, "%s %d", r->tag, (int)r->status));
	if (r->has_code) {
		PUT(buf_printf(&a->log, " [%s", r->code));
		for (i = 0; i < r->ncode_args; i++)
			PUT(buf_printf(&a->log, " %.*s",
			    (int)r->code_args[i].len, r->code_args[i].s));
		PUT(buf_printf(&a->log, "]"));
	}
	PUT(buf_printf(&a->log, ";"));
}

/*
 * Response codes reach only the command they answer: an APPENDUID in
 * another command's tagged answer, or in an untagged OK while another
 * command runs, is not the APPEND's (the sync reads an upload's UID from
 * its own tagged answer only).
 */
START_TEST(commands_code_for_another_command)
{
	static const struct step steps[] = {
		{ NULL, "* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n" },
		{ "=f1 APPEND INBOX () {5+}", NULL },
		{ "=hello", NULL },
		{ "=f2 NOOP", "* OK [APPENDUID 7 99] forged\r\n"
		  "f2 OK [APPENDUID 7 42] not the noop's to give\r\n"
		  "* OK [UIDVALIDITY 5] stray\r\n"
		  "f1 OK stored\r\n" },
		{ NULL, NULL }
	};
	struct imap_client_params	p = plain_params(IMAP_TLS_NONE, false,
					    NULL);
	struct session			s;
	struct answers			a = { .pending = 2 };

	buf_init(&a.log, 4096);
	session_start(&s, steps, &p);
	ck_assert_msg(s.run.ok, "%s", s.run.err);
	ck_assert_int_eq(imap_client_cmd(s.c, cmd_untagged, code_done, &a,
	    "APPEND INBOX () %L", "hello", (size_t)5), 0);
	ck_assert_int_eq(imap_client_cmd(s.c, cmd_untagged, code_done, &a,
	    "NOOP"), 0);
	answers_wait(&s, &a);
	/* The APPEND's answer has no code: its UID is unknown. */
	ck_assert_str_eq(buf_str(&a.log),
	    "untagged status;f2 1 [APPENDUID 7 42];untagged status;f1 1;");
	answers_end(&s, &a);
}
END_TEST

/* [ALERT] reaches the user from any response, but not before TLS on a
 * STARTTLS connection (anyone on the path could have written it). */
START_TEST(alerts_shown)
{
	static const struct step steps[] = {
		{ NULL, "* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n" },
		{ "=f1 NOOP", "* OK [ALERT] maintenance at 5\r\n"
		  "f1 OK [ALERT] really\r\n" },
		{ NULL, NULL }
	};
	static const struct step plain[] = {
		{ NULL, "* OK [ALERT] your password expired: go to "
		  "http://evil.test\r\n" },
		{ "=f1 CAPABILITY", "* CAPABILITY IMAP4rev1\r\n"
		  "f1 OK [ALERT] still not TLS\r\n" },
		{ NULL, NULL }
	};
	struct imap_client_params	p = plain_params(IMAP_TLS_NONE, false,
					    NULL);
	struct session			s;
	struct answers			a = { .pending = 1 };

	buf_init(&a.log, 4096);
	p.alert = on_alert;
	session_start(&s, steps, &p);
	ck_assert_msg(s.run.ok, "%s", s.run.err);
	ck_assert_int_eq(imap_client_cmd(s.c, NULL, cmd_done, &a, "NOOP"), 0);
	answers_wait(&s, &a);
	ck_assert_ptr_nonnull(strstr(buf_str(&s.run.trace),
	    "A: maintenance at 5\nS: f1 OK [ALERT] really\nA: really\n"));
	answers_end(&s, &a);

	p = plain_params(IMAP_TLS_STARTTLS, false, NULL);
	p.alert = on_alert;
	session_start(&s, plain, &p);
	ck_assert(!s.run.ok);
	ck_assert_ptr_null(strstr(buf_str(&s.run.trace), "A: "));
	session_end(&s);
	session_free(&s);
}
END_TEST

START_TEST(commands_literal_plus)
{
	static const struct step steps[] = {
		{ NULL, "* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+] welcome\r\n" },
		{ "=f1 LOGIN {3+}", NULL },
		{ "=\xc3\xa9t {2+}", NULL },
		{ "=\xc3\xa4", "f1 NO nope\r\n" },
		{ NULL, NULL }
	};
	struct imap_client_params	p = plain_params(IMAP_TLS_NONE, false,
					    NULL);
	struct session			s;
	struct answers			a = { .pending = 1 };

	buf_init(&a.log, 4096);
	session_start(&s, steps, &p);
	ck_assert_msg(s.run.ok, "%s", s.run.err);
	/* 8-bit and control bytes go as literals, without waiting. */
	ck_assert_int_eq(imap_client_cmd(s.c, NULL, cmd_done, &a,
	    "LOGIN %a %A", "\xc3\xa9t", "\xc3\xa4"), 0);
	answers_wait(&s, &a);
	ck_assert_msg(s.srv.error[0] == '\0', "%s", s.srv.error);
	ck_assert_str_eq(buf_str(&a.log), "f1 2 nope;");
	ck_assert_ptr_nonnull(strstr(buf_str(&s.run.trace),
	    "C: f1 LOGIN {3} <3 bytes> {2} ***"));
	answers_end(&s, &a);
}
END_TEST

START_TEST(commands_fail_with_connection)
{
	static const struct step steps[] = {
		{ NULL, "* PREAUTH [CAPABILITY IMAP4rev1] welcome\r\n" },
		{ "=f1 NOOP", NULL },
		{ "=f2 NOOP", "* BYE shutting down for maintenance\r\n" },
		{ NULL, "<close>" },
		{ NULL, NULL }
	};
	struct imap_client_params	p = plain_params(IMAP_TLS_NONE, false,
					    NULL);
	struct session			s;
	struct answers			a = { .pending = 2 };

	buf_init(&a.log, 4096);
	session_start(&s, steps, &p);
	ck_assert_msg(s.run.ok, "%s", s.run.err);
	ck_assert_int_eq(imap_client_cmd(s.c, NULL, cmd_done, &a, "NOOP"), 0);
	ck_assert_int_eq(imap_client_cmd(s.c, NULL, cmd_done, &a, "NOOP"), 0);
	while (a.pending > 0)
		ck_assert_int_gt(net_loop_run_once(s.loop, 5000), 0);
	ck_assert(!imap_client_ok(s.c));
	ck_assert_str_eq(buf_str(&a.log), "failed;failed;");
	ck_assert_str_eq(imap_client_error(s.c), "imap.test closed the "
	    "connection: shutting down for maintenance");
	/* A failed client takes no more commands. */
	ck_assert_int_eq(imap_client_cmd(s.c, NULL, cmd_done, &a, "NOOP"),
	    -1);
	answers_end(&s, &a);
}
END_TEST

START_TEST(commands_unknown_tag)
{
	static const struct step steps[] = {
		{ NULL, "* PREAUTH [CAPABILITY IMAP4rev1] welcome\r\n" },
		{ "=f1 NOOP", "zz9 OK forged\r\n" },
		{ NULL, NULL }
	};
	struct imap_client_params	p = plain_params(IMAP_TLS_NONE, false,
					    NULL);
	struct session			s;
	struct answers			a = { .pending = 1 };

	buf_init(&a.log, 4096);
	session_start(&s, steps, &p);
	ck_assert_int_eq(imap_client_cmd(s.c, NULL, cmd_done, &a, "NOOP"), 0);
	while (a.pending > 0)
		ck_assert_int_gt(net_loop_run_once(s.loop, 5000), 0);
	ck_assert_str_eq(imap_client_error(s.c), "imap.test answered a "
	    "command never sent (tag zz9)");
	answers_end(&s, &a);
}
END_TEST

static void
idle_unsolicited(struct imap_client *c, const struct imap_resp *r,
    void *arg)
{
	struct run	*t = arg;

	(void)c;
	PUT(buf_printf(&t->trace, "news %u %s\n", r->number, r->name));
}

static void
idle_finished(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	bool	*done = arg;

	(void)c;
	*done = r != NULL && r->status == IMAP_ST_OK;
}

START_TEST(commands_idle)
{
	static const struct step steps[] = {
		{ NULL, "* PREAUTH [CAPABILITY IMAP4rev1 IDLE] welcome\r\n" },
		{ "=f1 IDLE", "+ idling\r\n* 4 EXISTS\r\n* 2 EXPUNGE\r\n" },
		{ "=DONE", "f1 OK IDLE terminated\r\n" },
		{ "=f2 NOOP", "f2 OK nothing\r\n" },
		{ NULL, NULL }
	};
	struct imap_client_params	p = plain_params(IMAP_TLS_NONE, false,
					    NULL);
	struct session			s;
	struct answers			a = { .pending = 1 };
	bool				done = false;
	int				turns = 0;

	buf_init(&a.log, 4096);
	p.unsolicited = idle_unsolicited;
	session_start(&s, steps, &p);
	ck_assert_msg(s.run.ok, "%s", s.run.err);
	ck_assert_int_eq(imap_client_idle(s.c, idle_finished, &done), 0);
	/* A second IDLE, or a command, waits: the NOOP goes after DONE. */
	ck_assert_int_eq(imap_client_idle(s.c, idle_finished, &done), -1);
	ck_assert_int_eq(imap_client_cmd(s.c, NULL, cmd_done, &a, "NOOP"), 0);
	while (strstr(buf_str(&s.run.trace), "news 2 EXPUNGE") == NULL &&
	    turns++ < 100)
		ck_assert_int_gt(net_loop_run_once(s.loop, 5000), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&s.run.trace),
	    "S: * 4 EXISTS\nnews 4 EXISTS\n"));
	ck_assert_ptr_nonnull(strstr(buf_str(&s.run.trace),
	    "S: * 2 EXPUNGE\nnews 2 EXPUNGE\n"));
	ck_assert_int_eq(imap_client_idle_done(s.c), 0);
	answers_wait(&s, &a);
	ck_assert(done);
	ck_assert_str_eq(buf_str(&a.log), "f2 1 nothing;");
	session_end(&s);
	ck_assert_str_eq(buf_str(&s.srv.got), "f1 IDLE\nDONE\nf2 NOOP\n");
	buf_free(&a.log);
	session_free(&s);
}
END_TEST

Suite *
imap_client_suite(void)
{
	Suite	*s = suite_create("imap_client");
	TCase	*tc = tcase_create("login");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, login_plaintext_allowed);
	tcase_add_test(tc, login_plaintext_refused);
	tcase_add_test(tc, starttls_not_offered);
	tcase_add_test(tc, starttls_preauth_refused);
	tcase_add_test(tc, starttls_junk_before_tls);
	tcase_add_test(tc, starttls_untagged_during);
	tcase_add_test(tc, starttls_bytes_after_go_ahead);
	tcase_add_test(tc, starttls_refused);
	tcase_add_test(tc, auth_plain_sasl_ir);
	tcase_add_test(tc, auth_plain_continuation);
	tcase_add_test(tc, auth_xoauth2_error_challenge);
	tcase_add_test(tc, logindisabled);
	tcase_add_loop_test(tc, hostile_greetings, 0,
	    (int)(sizeof(bad_greetings) / sizeof(bad_greetings[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("commands");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, commands_pipelined_with_literals);
	tcase_add_test(tc, commands_literal_plus);
	tcase_add_test(tc, commands_code_for_another_command);
	tcase_add_test(tc, alerts_shown);
	tcase_add_test(tc, commands_fail_with_connection);
	tcase_add_test(tc, commands_unknown_tag);
	tcase_add_test(tc, commands_idle);
	suite_add_tcase(s, tc);
	return s;
}
