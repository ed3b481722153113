/*
 * check_pop3_east.c: the POP3 test cases of the STARTTLS study "Why TLS
 * is better without STARTTLS" (tests/data/corpus/nostarttls-east/
 * testcases/pop3, RON files) played by a small scripted server on
 * 127.0.0.1 against facteur's POP3 client, configured as a pop3://
 * account (STLS required, or pop3s:// for the implicit-TLS cases) with a
 * password, which then lists and fetches a message.
 *
 * Every case must end safely: either the client refuses, or it proceeds
 * without ever sending credentials or touching mail in plaintext, with
 * the capabilities the server gave after TLS. The tally is printed
 * ("east: ...").
 */
#include <sys/socket.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "east.h"
#include "pop3.h"
#include "tests.h"

#define EAST_POP3_DIR	"tests/data/corpus/nostarttls-east/testcases/pop3"
#define PUT(x)		do { if ((x) == -1) abort(); } while (0)
#define MAX_OVERRIDES	8

struct pop3_case {
	char	*path;
	char	*greeting;
	char	*capa[4];	/* plain, plain+auth, tls, tls+auth: the
				 * CAPA answers */
	unsigned caps_tls;	/* what the client must end up with */
	char	*stls_response;
	bool	 stls_transition;
	bool	 implicit_tls;
	char	*hide;
	char	*ov_cmd[MAX_OVERRIDES], *ov_text[MAX_OVERRIDES];
	size_t	 nov;
};

/* A RON list of strings as a CAPA answer; its lines into *lines. */
static char *
capa_answer(const char *t, const char *name, char **lines)
{
	char		*list = east_field_list(t, name), *p, *bar;
	struct buf	 b, l;

	buf_init(&b, 1 << 16);
	buf_init(&l, 1 << 16);
	PUT(buf_append_str(&b, "+OK Capability list follows\r\n"));
	for (p = list + 1; (bar = strchr(p, '|')) != NULL; p = bar + 1) {
		PUT(buf_printf(&b, "%.*s\r\n", (int)(bar - p), p));
		PUT(buf_printf(&l, "%.*s\n", (int)(bar - p), p));
	}
	PUT(buf_append_str(&b, ".\r\n"));
	free(list);
	*lines = buf_take(&l);
	return buf_take(&b);
}

static void
overrides(const char *t, struct pop3_case *pc)
{
	const char	*p = east_field(t, "override_response");
	char		*k, *v, *c;

	if (p == NULL || *p != '{')
		return;
	while ((p = strchr(p, '"')) != NULL && pc->nov < MAX_OVERRIDES) {
		k = east_ron_string(p, &p);
		p = strchr(p, '"');
		if (p == NULL) {
			free(k);
			break;
		}
		v = east_ron_string(p, &p);
		for (c = k; *c != '\0'; c++)
			*c = (char)ascii_tolower((unsigned char)*c);
		pc->ov_cmd[pc->nov] = k;
		pc->ov_text[pc->nov++] = v;
		while (*p == ' ' || *p == ',' || *p == '\n' || *p == '\t')
			p++;
		/* A comment was stripped; a "}" ends the map. */
		if (*p == '}')
			break;
	}
}

static void
case_load(struct pop3_case *pc, const char *path)
{
	static const char *const names[4] = { "capa", "capa_auth",
	    "capa_tls", "capa_tls_auth" };
	char	*t = east_read_case(path), *lines;
	size_t	 i;

	memset(pc, 0, sizeof(*pc));
	pc->path = xstrdup(path);
	pc->greeting = east_field_string(t, "greeting");
	if (pc->greeting == NULL)
		pc->greeting = xstrdup("+OK POP3 server ready.\r\n");
	for (i = 0; i < 4; i++) {
		pc->capa[i] = capa_answer(t, names[i], &lines);
		if (i == 2)
			pc->caps_tls = pop3_capa_parse(lines, strlen(lines));
		free(lines);
	}
	pc->stls_response = east_field_string(t, "stls_response");
	pc->stls_transition = east_field_bool(t, "stls_make_transition",
	    true);
	pc->implicit_tls = east_field_bool(t, "implicit_tls", false);
	pc->hide = east_field_list(t, "hide_commands");
	overrides(t, pc);
	free(t);
}

static void
case_free(struct pop3_case *pc)
{
	size_t	i;

	free(pc->path);
	free(pc->greeting);
	for (i = 0; i < 4; i++)
		free(pc->capa[i]);
	free(pc->stls_response);
	free(pc->hide);
	for (i = 0; i < pc->nov; i++) {
		free(pc->ov_cmd[i]);
		free(pc->ov_text[i]);
	}
}

static const char *
override_for(const struct pop3_case *pc, const char *cmd)
{
	size_t	i;

	for (i = 0; i < pc->nov; i++)
		if (strcmp(pc->ov_cmd[i], cmd) == 0)
			return pc->ov_text[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The scripted server                                                 */

struct pop3_server {
	const struct pop3_case	*pc;
	int			 lfd;
	struct east_conn	 conn;
	bool			 authed;
	bool			 plain_credentials, plain_mail;
	pthread_t		 tid;
};

static void
say(struct pop3_server *s, const char *text)
{
	east_conn_write(&s->conn, text, strlen(text));
}

static bool
in(const char *cmd, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(cmd, *set) == 0)
			return true;
	return false;
}

/* One command; false to end the session. */
static bool
srv_command(struct pop3_server *s, const char *cmd, const char *line)
{
	static const char *const creds[] = { "user", "pass", "auth", "apop",
	    NULL };
	static const char *const mail[] = { "stat", "list", "uidl", "retr",
	    "top", "dele", NULL };
	const struct pop3_case	*pc = s->pc;
	bool			 tls = east_conn_is_tls(&s->conn);
	const char		*ov;

	/* "AUTH" alone lists the mechanisms (the "authlist" of the
	 * cases). */
	ov = override_for(pc, strcmp(line, "AUTH") == 0 ||
	    strcmp(line, "auth") == 0 ? "authlist" : cmd);
	PUT(buf_printf(&s->conn.log, "%s%s;", tls ? "" : "plain:", cmd));
	if (!tls && in(cmd, creds) && strcmp(line, "AUTH") != 0)
		s->plain_credentials = true;
	if (!tls && in(cmd, mail))
		s->plain_mail = true;
	if (ov != NULL) {
		say(s, ov);
		return strcmp(cmd, "quit") != 0;
	}
	if (east_in_list(pc->hide, cmd))
		say(s, "-ERR unknown command\r\n");
	else if (strcmp(cmd, "capa") == 0)
		say(s, pc->capa[(tls ? 2 : 0) + (s->authed ? 1 : 0)]);
	else if (strcmp(cmd, "stls") == 0) {
		say(s, pc->stls_response != NULL ? pc->stls_response :
		    "+OK Begin TLS negotiation now.\r\n");
		if (pc->stls_response == NULL && pc->stls_transition && !tls)
			return east_conn_tls(&s->conn);
	} else if (strcmp(cmd, "pass") == 0 || strcmp(cmd, "auth") == 0 ||
	    strcmp(cmd, "apop") == 0) {
		s->authed = true;
		say(s, "+OK logged in\r\n");
	} else if (strcmp(cmd, "uidl") == 0)
		say(s, "+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n.\r\n");
	else if (strcmp(cmd, "retr") == 0)
		say(s, "+OK 30 octets\r\nSubject: secret\r\n\r\nmail\r\n.\r\n");
	else if (strcmp(cmd, "stat") == 0)
		say(s, "+OK 1 30\r\n");
	else if (strcmp(cmd, "quit") == 0) {
		say(s, "+OK bye\r\n");
		return false;
	} else if (strcmp(cmd, "user") == 0 || in(cmd, mail))
		say(s, "+OK\r\n");
	else
		say(s, "-ERR unknown command\r\n");
	return true;
}

static void *
srv_run(void *arg)
{
	struct pop3_server	*s = arg;
	struct buf		 line;
	char			 cmd[32];
	const char		*p;
	size_t			 i;

	buf_init(&line, 1 << 20);
	s->conn.fd = accept(s->lfd, NULL, NULL);
	if (s->conn.fd < 0 || (s->pc->implicit_tls &&
	    !east_conn_tls(&s->conn)))
		goto out;
	say(s, s->pc->greeting);
	while (east_conn_read_line(&s->conn, &line)) {
		for (p = buf_str(&line), i = 0; *p != '\0' && *p != ' ' &&
		    i + 1 < sizeof(cmd); p++)
			cmd[i++] = (char)ascii_tolower((unsigned char)*p);
		cmd[i] = '\0';
		if (!srv_command(s, cmd, buf_str(&line)))
			break;
	}
out:
	buf_free(&line);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The client's side and the verdict                                   */

struct pop3_east_client {
	bool	ready, ok;
	int	left;
	char	err[512];
};

static void
ec_ready(struct pop3_client *c, bool ok, void *arg)
{
	struct pop3_east_client	*t = arg;

	t->ready = true;
	t->ok = ok;
	if (!ok)
		(void)snprintf(t->err, sizeof(t->err), "%s",
		    pop3_client_error(c));
}

static void
ec_done(struct pop3_client *c, const struct pop3_resp *r, void *arg)
{
	struct pop3_east_client	*t = arg;

	(void)c;
	(void)r;
	t->left--;
}

static char *
case_play(const struct pop3_case *pc, struct buf *outcome,
    bool *proceeded)
{
	struct pop3_server		 s;
	struct pop3_east_client		 t;
	struct pop3_client_params	 p;
	struct east_stage		 st;
	struct net_loop			*loop;
	struct pop3_client		*c;
	char				*why = NULL;

	memset(&s, 0, sizeof(s));
	s.pc = pc;
	east_conn_init(&s.conn);
	east_stage_start(&st, &s.lfd, srv_run, &s);
	loop = st.loop;
	memset(&t, 0, sizeof(t));
	memset(&p, 0, sizeof(p));
	east_stage_net(&st, &p.net);
	p.mode = pc->implicit_tls ? POP3_TLS_IMPLICIT : POP3_TLS_STARTTLS;
	p.user = "victim@example.org";
	p.secret = "victim-Secret-1";
	c = pop3_client_open(loop, &net_source_network, &p, ec_ready, &t);
	while (!t.ready)
		if (net_loop_run_once(loop, 5000) <= 0)
			break;
	if (t.ok) {
		/* Proceed as sync would: list, fetch, leave. */
		t.left = 3;
		if (pop3_client_cmd(c, true, ec_done, &t, "UIDL") == -1 ||
		    pop3_client_cmd(c, true, ec_done, &t, "RETR 1") == -1 ||
		    pop3_client_cmd(c, false, ec_done, &t, "QUIT") == -1)
			t.left = 0;
		while (t.left > 0 && pop3_client_ok(c))
			if (net_loop_run_once(loop, 5000) <= 0)
				break;
	}
	if (t.ok && pop3_client_caps(c) != pc->caps_tls)
		why = xasprintf("capabilities %#x, the server's after TLS are "
		    "%#x", pop3_client_caps(c), pc->caps_tls);
	pop3_client_close(&c);
	east_stage_end(&st);
	if (s.plain_credentials || s.plain_mail) {
		free(why);
		why = xasprintf("%s in plaintext", s.plain_credentials ?
		    "credentials sent" : "mail touched");
	}
	east_outcome(outcome, t.ok, t.err, &s.conn);
	*proceeded = t.ok;
	east_conn_free(&s.conn);
	return why;
}

static char *
play_path(const char *path, struct buf *outcome, bool *proceeded)
{
	struct pop3_case	c;
	char		*why;

	case_load(&c, path);
	why = case_play(&c, outcome, proceeded);
	case_free(&c);
	return why;
}

START_TEST(pop3_east_cases)
{
	east_run("POP3", EAST_POP3_DIR, 41, play_path);
}
END_TEST

Suite *
pop3_east_suite(void)
{
	Suite	*s = suite_create("pop3_east");
	TCase	*tc = tcase_create("cases");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, pop3_east_cases);
	suite_add_tcase(s, tc);
	return s;
}
