/*
 * check_imap_east.c: the IMAP test cases of the STARTTLS study "Why TLS
 * is better without STARTTLS" (Poddebniak, Ising et al., USENIX Security
 * 2021; tests/data/corpus/nostarttls-east/testcases/imap, RON files) played
 * by a small scripted server on 127.0.0.1 against facteur's IMAP client,
 * configured as an account with STARTTLS (or imaps:// for the cases with
 * implicit TLS) and a password.
 *
 * The server reads each case's greeting, capabilities (before and after
 * TLS and login), STARTTLS response, whether it really starts TLS, what it
 * injects after the greeting, and which commands it ignores, hides or
 * answers otherwise. Every case must end safely: either the client
 * refuses, or it proceeds without ever sending credentials or touching
 * mail in plaintext, without handing the caller any response that arrived
 * before TLS, and with the capabilities the server gives after TLS and
 * login, not injected ones. The tally is printed ("east: ...").
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "east.h"
#include "imap.h"
#include "tests.h"

#define EAST_DIR	"tests/data/corpus/nostarttls-east/testcases/imap"
#define PUT(x)		do { if ((x) == -1) abort(); } while (0)

/* ------------------------------------------------------------------ */
/* Reading the RON cases (only what the IMAP cases use)                */

/* Capability names of a RON list at p ("[Imap4Rev1, Auth(Plain)]"),
 * as IMAP words separated by spaces, into b. */
static void
ron_caps(const char *p, struct buf *b)
{
	static const struct { const char *ron, *imap; } names[] = {
		{ "Imap4Rev1", "IMAP4rev1" }, { "StartTls", "STARTTLS" },
		{ "LoginDisabled", "LOGINDISABLED" },
		{ "Auth(Plain)", "AUTH=PLAIN" }, { "Auth(Login)", "AUTH=LOGIN" },
		{ "Idle", "IDLE" }, { "Enable", "ENABLE" },
		{ "MailboxReferrals", "MAILBOX-REFERRALS" },
		{ "LoginReferrals", "LOGIN-REFERRALS" },
	};
	const char	*end;
	size_t		 i;
	char		*s;

	if (p == NULL || *p != '[')
		return;
	for (p++; *p != '\0' && *p != ']';) {
		while (*p == ' ' || *p == ',' || *p == '\n' || *p == '\t')
			p++;
		if (*p == ']' || *p == '\0')
			break;
		if (strncmp(p, "Auth(Other(", 11) == 0) {
			/* Auth(Other(Atom("X"))) and
			 * Auth(Other(AuthMechanismOther(Atom("X")))) */
			p = strstr(p, "Atom(");
			ck_assert_ptr_nonnull(p);
			s = east_ron_string(p + 5, &end);
			PUT(buf_printf(b, "%sAUTH=%s", b->len > 0 ? " " : "", s));
			free(s);
			p = end;
			while (*p == ')')
				p++;
			continue;
		}
		if (strncmp(p, "Other(CapabilityOther(inner: Atom(", 34) == 0) {
			s = east_ron_string(p + 34, &end);
			PUT(buf_printf(b, "%s%s", b->len > 0 ? " " : "", s));
			free(s);
			p = end;
			while (*p == ')')
				p++;
			continue;
		}
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strncmp(p, names[i].ron, strlen(names[i].ron)) ==
			    0) {
				PUT(buf_printf(b, "%s%s", b->len > 0 ? " " :
				    "", names[i].imap));
				p += strlen(names[i].ron);
				break;
			}
		if (i == sizeof(names) / sizeof(names[0]))
			ck_abort_msg("unknown capability in RON: %.20s", p);
	}
}

static char *
field_caps(const char *t, const char *name)
{
	struct buf	b;

	buf_init(&b, 4096);
	ron_caps(east_field(t, name), &b);
	return buf_take(&b);
}

struct east_case {
	char	*path;
	bool	 preauth_state;		/* state: Authenticated */
	char	*greeting;		/* the whole line */
	char	*after_greeting;
	char	*caps, *caps_tls, *caps_auth, *caps_tls_auth;
	char	*starttls_response;	/* NULL: OK */
	bool	 starttls_transition;
	bool	 implicit_tls;
	char	*ignore, *ignore_tls, *hide;	/* "|a|b|" */
	char	*override_cmd, *override;
};

/* The greeting line from greeting: (kind, code, text). */
static char *
greeting_line(const char *t)
{
	const char	*g = east_field(t, "greeting"), *k, *c;
	struct buf	 b, caps;
	char		*text, *s;

	buf_init(&b, 4096);
	if (g == NULL)
		return xstrdup("* OK IMAP server ready.\r\n");
	k = east_field(g, "kind");
	PUT(buf_printf(&b, "* %s", strncmp(k, "PreAuth", 7) == 0 ? "PREAUTH" :
	    strncmp(k, "Bye", 3) == 0 ? "BYE" : strncmp(k, "No", 2) == 0 ?
	    "NO" : strncmp(k, "Bad", 3) == 0 ? "BAD" : "OK"));
	c = east_field(g, "code");
	if (c != NULL && strncmp(c, "Some(Capability(NonEmptyVec(", 28) == 0) {
		buf_init(&caps, 4096);
		ron_caps(c + 28, &caps);
		PUT(buf_printf(&b, " [CAPABILITY %s]", buf_str(&caps)));
		buf_free(&caps);
	} else if (c != NULL && strncmp(c, "Some(Alert)", 11) == 0)
		PUT(buf_append_str(&b, " [ALERT]"));
	else if (c != NULL && strncmp(c, "Some(Parse)", 11) == 0)
		PUT(buf_append_str(&b, " [PARSE]"));
	else if (c != NULL && strncmp(c, "Some(BadCharset(", 16) == 0) {
		s = strstr(c, "Atom(Atom(");
		text = s != NULL ? east_ron_string(s + 10, NULL) : xstrdup("x");
		PUT(buf_printf(&b, " [BADCHARSET (%s)]", text));
		free(text);
	} else if (c != NULL && strncmp(c, "Some(Referral(", 14) == 0) {
		text = east_ron_string(c + 14, NULL);
		PUT(buf_printf(&b, " [REFERRAL %s]", text));
		free(text);
	}
	s = strstr(g, "Text(");
	text = s != NULL ? east_ron_string(s + 5, NULL) : xstrdup("ready");
	PUT(buf_printf(&b, " %s\r\n", text));
	free(text);
	return buf_take(&b);
}

static void
east_load(struct east_case *ec, const char *path)
{
	char		*t, *ov;
	const char	*p;

	t = east_read_case(path);
	memset(ec, 0, sizeof(*ec));
	ec->path = xstrdup(path);
	p = east_field(t, "state");
	ec->preauth_state = p != NULL && strncmp(p, "Authenticated", 13) == 0;
	ec->greeting = greeting_line(t);
	ec->after_greeting = east_field_string(t, "response_after_greeting");
	ec->caps = field_caps(t, "caps");
	ec->caps_tls = field_caps(t, "caps_tls");
	ec->caps_auth = field_caps(t, "caps_auth");
	ec->caps_tls_auth = field_caps(t, "caps_tls_auth");
	ec->starttls_response = east_field_string(t, "starttls_response");
	ec->starttls_transition = east_field_bool(t, "starttls_transition", true);
	ec->implicit_tls = east_field_bool(t, "implicit_tls", false);
	ec->ignore = east_field_list(t, "ignore_commands");
	ec->ignore_tls = east_field_list(t, "ignore_commands_tls");
	ec->hide = east_field_list(t, "hide_commands");
	p = east_field(t, "override_response");
	if (p != NULL && *p == '{' && (ov = strchr(p, '"')) != NULL) {
		ec->override_cmd = east_ron_string(ov, &p);
		p = strchr(p, '"');
		ec->override = p != NULL ? east_ron_string(p, NULL) : NULL;
	}
	free(t);
}

static void
east_free(struct east_case *ec)
{
	free(ec->path);
	free(ec->greeting);
	free(ec->after_greeting);
	free(ec->caps);
	free(ec->caps_tls);
	free(ec->caps_auth);
	free(ec->caps_tls_auth);
	free(ec->starttls_response);
	free(ec->ignore);
	free(ec->ignore_tls);
	free(ec->hide);
	free(ec->override_cmd);
	free(ec->override);
}

/* ------------------------------------------------------------------ */
/* A throwaway certificate for localhost                               */

/* ------------------------------------------------------------------ */
/* The scripted server                                                 */

struct east_server {
	const struct east_case	*ec;
	int			 lfd;
	struct east_conn	 conn;
	bool			 authed;
	/* What it saw: */
	bool			 plain_credentials;	/* LOGIN/AUTH */
	bool			 plain_mail;		/* SELECT... */
	pthread_t		 tid;
};

/* Send text with "<tag>" replaced. */
static void
srv_send(struct east_server *s, const char *text, const char *tag)
{
	struct buf	 b;
	const char	*p;

	buf_init(&b, 1 << 16);
	for (p = text; *p != '\0'; p++) {
		if (strncmp(p, "<tag>", 5) == 0) {
			PUT(buf_append_str(&b, tag));
			p += 4;
		} else
			PUT(buf_append(&b, p, 1));
	}
	east_conn_write(&s->conn, b.data, b.len);
	buf_free(&b);
}

static size_t
spaces(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		n += *s == ' ';
	return n;
}

static const char *
caps_now(const struct east_server *s)
{
	if (east_conn_is_tls(&s->conn))
		return s->authed ? s->ec->caps_tls_auth : s->ec->caps_tls;
	return s->authed ? s->ec->caps_auth : s->ec->caps;
}

/* One command; false to end the session. */
static bool
srv_command(struct east_server *s, const char *tag, const char *cmd,
    struct buf *line)
{
	const struct east_case	*ec = s->ec;
	char			 out[1024];

	PUT(buf_printf(&s->conn.log, "%s%s;", east_conn_is_tls(&s->conn) ? "" : "plain:",
	    cmd));
	if (east_in_list(east_conn_is_tls(&s->conn) ? ec->ignore_tls : ec->ignore, cmd))
		return true;
	if (ec->override_cmd != NULL && strcmp(cmd, ec->override_cmd) == 0 &&
	    ec->override != NULL) {
		srv_send(s, ec->override, tag);
		return true;
	}
	if (east_in_list(ec->hide, cmd)) {
		srv_send(s, "<tag> BAD unknown command\r\n", tag);
		return true;
	}
	if (strcmp(cmd, "capability") == 0) {
		(void)snprintf(out, sizeof(out), "* CAPABILITY %s\r\n"
		    "<tag> OK capability done.\r\n", caps_now(s));
		srv_send(s, out, tag);
	} else if (strcmp(cmd, "starttls") == 0) {
		srv_send(s, ec->starttls_response != NULL ?
		    ec->starttls_response : "<tag> OK begin TLS now.\r\n", tag);
		if (ec->starttls_transition && !east_conn_is_tls(&s->conn))
			return east_conn_tls(&s->conn);
	} else if (strcmp(cmd, "login") == 0 ||
	    strcmp(cmd, "authenticate") == 0) {
		if (!east_conn_is_tls(&s->conn))
			s->plain_credentials = true;
		if (strcmp(cmd, "authenticate") == 0 &&
		    spaces(buf_str(line)) == 2) {
			/* AUTHENTICATE MECH without an initial response */
			srv_send(s, "+ \r\n", tag);
			if (!east_conn_read_line(&s->conn, line))
				return false;
		}
		s->authed = true;
		srv_send(s, "<tag> OK logged in.\r\n", tag);
	} else if (strcmp(cmd, "logout") == 0) {
		srv_send(s, "* BYE bye\r\n<tag> OK logout done.\r\n", tag);
		return false;
	} else {
		if (!east_conn_is_tls(&s->conn))
			s->plain_mail = true;
		if (strcmp(cmd, "select") == 0 || strcmp(cmd, "examine") == 0)
			srv_send(s, "* 1 EXISTS\r\n* FLAGS (\\Seen)\r\n"
			    "<tag> OK [READ-WRITE] select done.\r\n", tag);
		else
			srv_send(s, "<tag> OK done.\r\n", tag);
	}
	return true;
}

static void *
srv_run(void *arg)
{
	struct east_server	*s = arg;
	struct buf		 line;
	char			 tag[64], cmd[64];
	const char		*sp, *p;
	size_t			 i;

	buf_init(&line, 1 << 20);
	s->conn.fd = accept(s->lfd, NULL, NULL);
	if (s->conn.fd < 0)
		goto out;
	if (s->ec->implicit_tls && !east_conn_tls(&s->conn))
		goto out;
	s->authed = s->ec->preauth_state;
	srv_send(s, s->ec->greeting, "*");
	if (s->ec->after_greeting != NULL)
		srv_send(s, s->ec->after_greeting, "*");
	while (east_conn_read_line(&s->conn, &line)) {
		sp = strchr(buf_str(&line), ' ');
		if (sp == NULL)
			continue;
		(void)snprintf(tag, sizeof(tag), "%.*s",
		    (int)(sp - buf_str(&line)), buf_str(&line));
		for (p = sp + 1, i = 0; *p != '\0' && *p != ' ' &&
		    i + 1 < sizeof(cmd); p++)
			cmd[i++] = (char)ascii_tolower((unsigned char)*p);
		cmd[i] = '\0';
		if (!srv_command(s, tag, cmd, &line))
			break;
	}
out:
	buf_free(&line);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The client's side and the verdict                                   */

struct east_client {
	bool		 ready, ok, done;
	bool		 believed_plain;	/* unsolicited before TLS */
	char		 err[512];
	struct imap_client *c;
};

static void
ec_unsolicited(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct east_client	*t = arg;

	(void)r;
	if (!net_conn_is_tls(imap_client_conn(c)))
		t->believed_plain = true;
}

static void
ec_ready(struct imap_client *c, bool ok, void *arg)
{
	struct east_client	*t = arg;

	t->ready = true;
	t->ok = ok;
	if (!ok)
		(void)snprintf(t->err, sizeof(t->err), "%s",
		    imap_client_error(c));
}

static void
ec_done(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct east_client	*t = arg;

	(void)c;
	(void)r;
	t->done = true;
}

/* Play one case; NULL when safe, else why not. */
static char *
east_play(const struct east_case *ec, struct buf *outcome,
    bool *proceeded)
{
	struct east_server		 s;
	struct east_client		 t;
	struct imap_client_params	 p;
	struct east_stage		 st;
	struct net_loop			*loop;
	char				*why = NULL;
	uint32_t			 want;

	memset(&s, 0, sizeof(s));
	s.ec = ec;
	east_conn_init(&s.conn);
	east_stage_start(&st, &s.lfd, srv_run, &s);
	loop = st.loop;
	memset(&t, 0, sizeof(t));
	memset(&p, 0, sizeof(p));
	east_stage_net(&st, &p.net);
	p.mode = ec->implicit_tls ? IMAP_TLS_IMPLICIT : IMAP_TLS_STARTTLS;
	p.user = "victim@example.org";
	p.secret = "victim-Secret-1";
	p.unsolicited = ec_unsolicited;
	p.arg = &t;
	t.c = imap_client_open(loop, &net_source_network, &p, ec_ready, &t);
	(void)imap_client_wait(t.c, &t.ready);
	if (t.ok) {
		/* Proceed as sync would: open the INBOX, then log out. */
		if (imap_client_cmd(t.c, NULL, ec_done, &t, "SELECT INBOX") ==
		    0)
			(void)imap_client_wait(t.c, &t.done);
		t.done = false;
		if (imap_client_cmd(t.c, NULL, ec_done, &t, "LOGOUT") == 0)
			(void)imap_client_wait(t.c, &t.done);
	}
	want = 0;
	if (t.ok) {
		const char	*w = ec->caps_tls_auth, *e;

		while (*w != '\0') {
			e = strchr(w, ' ');
			if (e == NULL)
				e = w + strlen(w);
			want |= imap_cap_bit(w, (size_t)(e - w));
			w = *e == ' ' ? e + 1 : e;
		}
	}
	if (t.ok && imap_client_caps(t.c) != want)
		why = xasprintf("capabilities %#x, the server's after TLS and "
		    "login are %#x", imap_client_caps(t.c), want);
	imap_client_close(&t.c);
	east_stage_end(&st);
	if (s.plain_credentials)
		why = xasprintf("credentials sent in plaintext");
	else if (s.plain_mail)
		why = xasprintf("mail commands in plaintext");
	else if (t.believed_plain)
		why = xasprintf("a response from before TLS was believed");
	east_outcome(outcome, t.ok, t.err, &s.conn);
	*proceeded = t.ok;
	east_conn_free(&s.conn);
	return why;
}

/* ------------------------------------------------------------------ */

static char *
play_path(const char *path, struct buf *outcome, bool *proceeded)
{
	struct east_case	c;
	char		*why;

	east_load(&c, path);
	why = east_play(&c, outcome, proceeded);
	east_free(&c);
	return why;
}

START_TEST(east_cases)
{
	east_run("IMAP", EAST_DIR, 69, play_path);
}
END_TEST

Suite *
imap_east_suite(void)
{
	Suite	*s = suite_create("imap_east");
	TCase	*tc = tcase_create("cases");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, east_cases);
	suite_add_tcase(s, tc);
	return s;
}
