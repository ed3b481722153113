/*
 * check_smtp_east.c: the SMTP test cases of the STARTTLS study "Why TLS
 * is better without STARTTLS" (Poddebniak, Ising et al., USENIX Security
 * 2021; tests/data/corpus/nostarttls-east/testcases/smtp, RON files)
 * played by a small scripted server on 127.0.0.1 against facteur's SMTP
 * client, configured as a smtp:// account (STARTTLS required) with a
 * password, which then sends one message.
 *
 * The server reads each case's greeting, EHLO capabilities before and
 * after TLS, its STARTTLS reply and whether it really starts TLS, the
 * commands it hides or answers otherwise. Every case must end safely:
 * either the client refuses, or it proceeds without ever sending
 * credentials or mail in plaintext, and authenticates with what the
 * server offered after TLS, not before. The tally is printed ("east:
 * ...").
 */
#include <sys/socket.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "east.h"
#include "smtp.h"
#include "tests.h"

#define EAST_SMTP_DIR	"tests/data/corpus/nostarttls-east/testcases/smtp"
#define PUT(x)		do { if ((x) == -1) abort(); } while (0)
#define MAX_OVERRIDES	8

struct smtp_case {
	char	*path;
	char	*greeting;
	char	*ehlo, *ehlo_tls;	/* the EHLO replies */
	unsigned auth_tls;		/* SMTP_AUTH_* offered after TLS */
	char	*stls_response;		/* NULL: 220 */
	bool	 stls_transition;
	bool	 implicit_tls;
	char	*hide;			/* "|ehlo|starttls|" */
	char	*ov_cmd[MAX_OVERRIDES];	/* lower case */
	char	*ov_text[MAX_OVERRIDES];
	size_t	 nov;
};

/* A RON capability list ([StartTLS, Auth([Plain, Other("X")])]) as the
 * lines of an EHLO reply; the AUTH mechanisms facteur knows in *auth. */
static char *
ehlo_reply(const char *p, unsigned *auth)
{
	struct buf	 b, mechs;
	const char	*end;
	char		*s;

	buf_init(&b, 1 << 16);
	buf_init(&mechs, 1 << 16);
	*auth = 0;
	PUT(buf_append_str(&b, "250-example.org\r\n"));
	if (p != NULL && *p == '[')
		for (p++; *p != '\0' && *p != ']';) {
			if (strncmp(p, "StartTLS", 8) == 0) {
				PUT(buf_append_str(&b, "250-STARTTLS\r\n"));
				p += 8;
			} else if (strncmp(p, "Auth([", 6) == 0) {
				buf_reset(&mechs);
				for (p += 6; *p != '\0' && *p != ']';) {
					if (strncmp(p, "Plain", 5) == 0) {
						PUT(buf_append_str(&mechs, " PLAIN"));
						*auth |= SMTP_AUTH_PLAIN;
						p += 5;
					} else if (strncmp(p, "Login", 5) == 0) {
						PUT(buf_append_str(&mechs, " LOGIN"));
						*auth |= SMTP_AUTH_LOGIN;
						p += 5;
					} else if (strncmp(p, "Other(", 6) == 0) {
						s = east_ron_string(p + 6, &end);
						PUT(buf_printf(&mechs, " %s", s));
						if (strcmp(s, "XOAUTH2") == 0)
							*auth |= SMTP_AUTH_XOAUTH2;
						if (strcmp(s, "OAUTHBEARER") == 0)
							*auth |= SMTP_AUTH_OAUTHBEARER;
						free(s);
						p = end;
					} else
						p++;
				}
				PUT(buf_printf(&b, "250-AUTH%s\r\n",
				    buf_str(&mechs)));
			} else
				p++;
		}
	PUT(buf_append_str(&b, "250 8BITMIME\r\n"));
	buf_free(&mechs);
	return buf_take(&b);
}

/* override_response: { "cmd": "text", ... }, the commands in lower
 * case. */
static void
overrides(const char *t, struct smtp_case *sc)
{
	const char	*p = east_field(t, "override_response");
	char		*k, *v, *c;

	if (p == NULL || *p != '{')
		return;
	while ((p = strchr(p, '"')) != NULL && sc->nov < MAX_OVERRIDES) {
		k = east_ron_string(p, &p);
		p = strchr(p, '"');
		if (p == NULL) {
			free(k);
			break;
		}
		v = east_ron_string(p, &p);
		for (c = k; *c != '\0'; c++)
			*c = (char)ascii_tolower((unsigned char)*c);
		sc->ov_cmd[sc->nov] = k;
		sc->ov_text[sc->nov++] = v;
		while (*p == ' ' || *p == ',' || *p == '\n' || *p == '\t')
			p++;
		if (*p == '}')
			break;
	}
}

static void
case_load(struct smtp_case *sc, const char *path)
{
	char		*t = east_read_case(path);
	unsigned	 plain_auth;

	memset(sc, 0, sizeof(*sc));
	sc->path = xstrdup(path);
	sc->greeting = east_field_string(t, "greeting");
	if (sc->greeting == NULL)
		sc->greeting = xstrdup("220 example.org ESMTP ready\r\n");
	sc->ehlo = ehlo_reply(east_field(t, "capabilities"), &plain_auth);
	sc->ehlo_tls = ehlo_reply(east_field(t, "capabilities_tls"),
	    &sc->auth_tls);
	sc->stls_response = east_field_string(t, "stls_response");
	sc->stls_transition = east_field_bool(t, "stls_make_transition",
	    true);
	sc->implicit_tls = east_field_bool(t, "implicit_tls", false);
	sc->hide = east_field_list(t, "hide_commands");
	overrides(t, sc);
	free(t);
}

static void
case_free(struct smtp_case *sc)
{
	free(sc->path);
	free(sc->greeting);
	free(sc->ehlo);
	free(sc->ehlo_tls);
	free(sc->stls_response);
	free(sc->hide);
	while (sc->nov > 0) {
		sc->nov--;
		free(sc->ov_cmd[sc->nov]);
		free(sc->ov_text[sc->nov]);
	}
}

/* The case's own reply to cmd, or NULL. */
static const char *
override_for(const struct smtp_case *sc, const char *cmd)
{
	size_t	i;

	for (i = 0; i < sc->nov; i++)
		if (strcmp(sc->ov_cmd[i], cmd) == 0)
			return sc->ov_text[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The scripted server                                                 */

struct smtp_server {
	const struct smtp_case	*sc;
	int			 lfd;
	struct east_conn	 conn;
	bool			 plain_credentials;	/* AUTH */
	bool			 plain_mail;		/* MAIL, RCPT, DATA */
	pthread_t		 tid;
};

static void
say(struct smtp_server *s, const char *text)
{
	east_conn_write(&s->conn, text, strlen(text));
}

/* The message after DATA, up to its dot. */
static bool
take_data(struct smtp_server *s, struct buf *line)
{
	while (east_conn_read_line(&s->conn, line))
		if (strcmp(buf_str(line), ".") == 0) {
			say(s, "250 2.0.0 queued\r\n");
			return true;
		}
	return false;
}

/* One command; false to end the session. */
static bool
srv_command(struct smtp_server *s, const char *cmd, struct buf *line)
{
	const struct smtp_case	*sc = s->sc;
	bool			 tls = east_conn_is_tls(&s->conn);
	const char		*ov = override_for(sc, cmd);

	PUT(buf_printf(&s->conn.log, "%s%s;", tls ? "" : "plain:", cmd));
	if (!tls && (strcmp(cmd, "auth") == 0 || strcmp(cmd, "mail") == 0 ||
	    strcmp(cmd, "rcpt") == 0 || strcmp(cmd, "data") == 0)) {
		if (strcmp(cmd, "auth") == 0)
			s->plain_credentials = true;
		else
			s->plain_mail = true;
	}
	if (ov != NULL) {
		say(s, ov);
		return strcmp(cmd, "quit") != 0;
	}
	if (east_in_list(sc->hide, cmd))
		say(s, "500 5.5.2 Syntax error, command unrecognized\r\n");
	else if (strcmp(cmd, "ehlo") == 0)
		say(s, tls ? sc->ehlo_tls : sc->ehlo);
	else if (strcmp(cmd, "helo") == 0)
		say(s, "250 example.org\r\n");
	else if (strcmp(cmd, "starttls") == 0) {
		say(s, sc->stls_response != NULL ? sc->stls_response :
		    "220 2.0.0 Ready to start TLS\r\n");
		if (sc->stls_response == NULL && sc->stls_transition && !tls)
			return east_conn_tls(&s->conn);
	} else if (strcmp(cmd, "auth") == 0)
		say(s, "235 2.7.0 Authentication successful\r\n");
	else if (strcmp(cmd, "data") == 0) {
		say(s, "354 End data with <CR><LF>.<CR><LF>\r\n");
		return take_data(s, line);
	} else if (strcmp(cmd, "quit") == 0) {
		say(s, "221 2.0.0 Bye\r\n");
		return false;
	} else if (strcmp(cmd, "mail") == 0 || strcmp(cmd, "rcpt") == 0 ||
	    strcmp(cmd, "rset") == 0 || strcmp(cmd, "noop") == 0)
		say(s, "250 2.0.0 Ok\r\n");
	else
		say(s, "502 5.5.1 Command not implemented\r\n");
	return true;
}

static void *
srv_run(void *arg)
{
	struct smtp_server	*s = arg;
	struct buf		 line;
	char			 cmd[32];
	const char		*p;
	size_t			 i;

	buf_init(&line, 1 << 20);
	s->conn.fd = accept(s->lfd, NULL, NULL);
	if (s->conn.fd < 0 || (s->sc->implicit_tls &&
	    !east_conn_tls(&s->conn)))
		goto out;
	say(s, s->sc->greeting);
	while (east_conn_read_line(&s->conn, &line)) {
		for (p = buf_str(&line), i = 0; *p != '\0' && *p != ' ' &&
		    i + 1 < sizeof(cmd); p++)
			cmd[i++] = (char)ascii_tolower((unsigned char)*p);
		cmd[i] = '\0';
		if (!srv_command(s, cmd, &line))
			break;
	}
out:
	buf_free(&line);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The client's side and the verdict                                   */

struct smtp_east_client {
	bool	ready, ok, sent, quit;
	char	err[512];
};

static void
ec_ready(struct smtp_client *c, bool ok, void *arg)
{
	struct smtp_east_client	*t = arg;

	t->ready = true;
	t->ok = ok;
	if (!ok)
		(void)snprintf(t->err, sizeof(t->err), "%s",
		    smtp_client_error(c));
}

static void
ec_sent(struct smtp_client *c, const struct smtp_result *r, void *arg)
{
	struct smtp_east_client	*t = arg;

	(void)c;
	(void)r;
	t->sent = true;
}

/* Play one case; NULL when safe, else why not. */
static char *
case_play(const struct smtp_case *sc, struct buf *outcome,
    bool *proceeded)
{
	static const char *const rcpt[] = { "bob@example.org" };
	struct smtp_server		 s;
	struct smtp_east_client		 t;
	struct smtp_client_params	 p;
	struct smtp_envelope		 env = { "victim@example.org", rcpt,
					    1 };
	struct east_stage		 st;
	struct net_loop			*loop;
	struct smtp_client		*c;
	char				*why = NULL;

	memset(&s, 0, sizeof(s));
	s.sc = sc;
	east_conn_init(&s.conn);
	east_stage_start(&st, &s.lfd, srv_run, &s);
	loop = st.loop;
	memset(&t, 0, sizeof(t));
	memset(&p, 0, sizeof(p));
	east_stage_net(&st, &p.net);
	p.mode = sc->implicit_tls ? SMTP_TLS_IMPLICIT : SMTP_TLS_STARTTLS;
	p.helo = "example.org";
	p.user = "victim@example.org";
	p.secret = "victim-Secret-1";
	c = smtp_client_open(loop, &net_source_network, &p, ec_ready, &t);
	while (!t.ready)
		if (net_loop_run_once(loop, 5000) <= 0)
			break;
	if (t.ok) {
		/* Proceed as send would: one message, then QUIT. */
		if (smtp_client_send(c, &env, "Subject: x\r\n\r\nsecret mail\r\n",
		    27, ec_sent, &t) == 0)
			while (!t.sent && smtp_client_ok(c))
				if (net_loop_run_once(loop, 5000) <= 0)
					break;
		smtp_client_quit(c, &t.quit);
		(void)smtp_client_wait(c, &t.quit);
	}
	if (t.ok && smtp_client_ext(c)->auth != sc->auth_tls)
		why = xasprintf("AUTH mechanisms %#x, the server's after TLS "
		    "are %#x", smtp_client_ext(c)->auth, sc->auth_tls);
	smtp_client_close(&c);
	east_stage_end(&st);
	if (s.plain_credentials) {
		free(why);
		why = xasprintf("credentials sent in plaintext");
	} else if (s.plain_mail) {
		free(why);
		why = xasprintf("mail sent in plaintext");
	}
	east_outcome(outcome, t.ok, t.err, &s.conn);
	*proceeded = t.ok;
	east_conn_free(&s.conn);
	return why;
}

static char *
play_path(const char *path, struct buf *outcome, bool *proceeded)
{
	struct smtp_case	c;
	char		*why;

	case_load(&c, path);
	why = case_play(&c, outcome, proceeded);
	case_free(&c);
	return why;
}

START_TEST(smtp_east_cases)
{
	east_run("SMTP", EAST_SMTP_DIR, 57, play_path);
}
END_TEST

Suite *
smtp_east_suite(void)
{
	Suite	*s = suite_create("smtp_east");
	TCase	*tc = tcase_create("cases");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, smtp_east_cases);
	suite_add_tcase(s, tc);
	return s;
}
