/*
 * pop3_client.c: a POP3 session: greeting, CAPA, STLS, login, then
 * commands answered in order (pipelined with PIPELINING), multi-line
 * bodies read and dot-unstuffed as they come.
 *
 * The login is itself a few commands of the queue, each with its own
 * handler; a callback may close the client (busy, close_pending).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "proto_priv.h"
#include "pop3.h"
#include "sasl.h"

#define POP3_BODY_DEFAULT	((size_t)64 * 1024 * 1024)
#define CMD_MAX			(16 * 1024)

enum state {
	ST_CONNECTING,
	ST_GREETING,
	ST_LOGIN,		/* CAPA, STLS, AUTH... under way */
	ST_HANDSHAKE,
	ST_READY,
	ST_FAILED
};

struct cmd {
	struct cmd	*next;
	struct buf	 line;		/* with CRLF; may be a secret */
	char		*shown;		/* for the trace */
	bool		 multi, sent;
	pop3_done_fn	*done;
	void		*arg;
};

struct pop3_client {
	struct net_loop			*loop;
	struct net_conn			*conn;
	struct pop3_client_params	 p;
	struct proto_peer		 peer;
	char				*stamp;
	enum state			 st;
	unsigned			 caps;
	bool				 bad_mode, ready_called;
	pop3_ready_cb			*ready;
	void				*ready_arg;
	struct cmd			*head, *tail;	/* oldest first */
	struct pop3_multi		 body;
	bool				 in_body;	/* reading head's body */
	enum pop3_status		 head_status;
	char				*head_text;
	char				 err[BOUND_ERRMSG];
	unsigned			 busy;
	bool				 close_pending;
};

static void	client_free(struct pop3_client *c);
static void	start_login(struct pop3_client *c);

/* ------------------------------------------------------------------ */
/* Failing                                                             */

static void
trace(struct pop3_client *c, const char *dir, const char *s, size_t n)
{
	if (c->p.trace != NULL)
		c->p.trace(dir, s, n, c->p.arg);
}

static void
leave(struct pop3_client *c)
{
	if (--c->busy == 0 && c->close_pending)
		client_free(c);
}

static void
cmd_free(struct cmd *cmd)
{
	buf_free_secret(&cmd->line);
	free(cmd->shown);
	free(cmd);
}

static void
client_fail(struct pop3_client *c, const char *fmt, ...) FCT_PRINTF(2, 3);

static void
client_fail(struct pop3_client *c, const char *fmt, ...)
{
	va_list		 ap;
	struct cmd	*cmd;
	char		*p;

	if (c->st == ST_FAILED)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	/* Server text reaches terminals: no control byte in it. */
	for (p = c->err; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	c->st = ST_FAILED;
	net_conn_close(&c->conn);
	c->busy++;
	if (!c->ready_called) {
		c->ready_called = true;
		if (c->ready != NULL && !c->close_pending)
			c->ready(c, false, c->ready_arg);
	}
	while ((cmd = c->head) != NULL) {
		c->head = cmd->next;
		if (cmd->done != NULL && !c->close_pending)
			cmd->done(c, NULL, cmd->arg);
		cmd_free(cmd);
	}
	c->tail = NULL;
	leave(c);
}

/* ------------------------------------------------------------------ */
/* The command queue                                                   */

/* Send what may go now: everything with PIPELINING, else the oldest. */
static void
send_queued(struct pop3_client *c)
{
	struct cmd	*cmd;

	for (cmd = c->head; cmd != NULL && c->conn != NULL; cmd = cmd->next) {
		if (cmd->sent) {
			if (!(c->caps & POP3_CAP_PIPELINING))
				return;
			continue;
		}
		trace(c, "C", cmd->shown, strlen(cmd->shown));
		if (net_conn_write(c->conn, cmd->line.data, cmd->line.len) ==
		    -1) {
			client_fail(c, "%s", proto_conn_err(c->conn, c->err));
			return;
		}
		cmd->sent = true;
		if (!(c->caps & POP3_CAP_PIPELINING))
			return;
	}
}

/* Queue a line (shown as shown in the trace, NULL: as sent). */
static int
queue(struct pop3_client *c, bool multi, pop3_done_fn *done, void *arg,
    const char *shown, const char *fmt, va_list ap)
{
	struct cmd	*cmd = xcalloc(1, sizeof(*cmd));

	buf_init(&cmd->line, CMD_MAX);
	if (buf_vprintf(&cmd->line, fmt, ap) == -1 ||
	    memchr(cmd->line.data, '\r', cmd->line.len) != NULL ||
	    memchr(cmd->line.data, '\n', cmd->line.len) != NULL) {
		cmd_free(cmd);
		return -1;
	}
	cmd->shown = xstrdup(shown != NULL ? shown : buf_str(&cmd->line));
	if (buf_append(&cmd->line, "\r\n", 2) == -1) {
		cmd_free(cmd);
		return -1;
	}
	cmd->multi = multi;
	cmd->done = done;
	cmd->arg = arg;
	if (c->tail != NULL)
		c->tail->next = cmd;
	else
		c->head = cmd;
	c->tail = cmd;
	send_queued(c);
	return 0;
}

static int
queue_line(struct pop3_client *c, bool multi, pop3_done_fn *done,
    const char *shown, const char *fmt, ...) FCT_PRINTF(5, 6);

static int
queue_line(struct pop3_client *c, bool multi, pop3_done_fn *done,
    const char *shown, const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	rc = queue(c, multi, done, NULL, shown, fmt, ap);
	va_end(ap);
	if (rc == -1)
		client_fail(c, "a command could not be built");
	return rc;
}

/* The oldest command is answered: its callback, then the next. */
static void
finish_head(struct pop3_client *c, const struct pop3_resp *r)
{
	struct cmd	*cmd = c->head;

	c->head = cmd->next;
	if (c->head == NULL)
		c->tail = NULL;
	c->in_body = false;
	if (cmd->done != NULL && !c->close_pending)
		cmd->done(c, r, cmd->arg);
	cmd_free(cmd);
	if (c->st != ST_FAILED && !c->close_pending)
		send_queued(c);
}

/* ------------------------------------------------------------------ */
/* Login                                                               */

static void
become_ready(struct pop3_client *c)
{
	c->st = ST_READY;
	if (!c->ready_called) {
		c->ready_called = true;
		if (c->ready != NULL && !c->close_pending)
			c->ready(c, true, c->ready_arg);
	}
	send_queued(c);
}

static void
fail_resp(struct pop3_client *c, const char *what, const struct pop3_resp *r)
{
	client_fail(c, "%s: %s%.*s", what, r->status == POP3_ERR ? "-ERR " :
	    "", (int)r->tlen, r->text);
}

static void
login_done(struct pop3_client *c, const struct pop3_resp *r, void *arg)
{
	(void)arg;
	if (r == NULL)
		return;
	if (r->status == POP3_OK)
		become_ready(c);
	else if (r->status == POP3_CONT)
		/* An OAuth error as a challenge: an empty answer, then the
		 * -ERR that follows is the verdict. */
		(void)queue_line(c, false, login_done, NULL, "%s", "");
	else
		fail_resp(c, "the server refused the login", r);
}

static void
user_done(struct pop3_client *c, const struct pop3_resp *r, void *arg)
{
	char	shown[16] = "PASS ****";

	(void)arg;
	if (r == NULL)
		return;
	if (r->status != POP3_OK) {
		fail_resp(c, "the server refused the user name", r);
		return;
	}
	(void)queue_line(c, false, login_done, shown, "PASS %s", c->peer.secret);
}

static void
sasl_ir(struct pop3_client *c, const char *mech, char *ir)
{
	char	shown[48];

	if (ir == NULL) {
		client_fail(c, "the user name or password cannot be sent "
		    "with AUTH %s", mech);
		return;
	}
	(void)snprintf(shown, sizeof(shown), "AUTH %s ****", mech);
	(void)queue_line(c, false, login_done, shown, "AUTH %s %s", mech, ir);
	xfree_secret(&ir);
}

/* APOP user md5(stamp password): the password itself never sent. */
static void
apop(struct pop3_client *c, const char *user)
{
	struct buf	b;
	char		digest[33], shown[64];

	if (c->stamp == NULL) {
		client_fail(c, "APOP: the server's greeting has no timestamp");
		return;
	}
	buf_init(&b, 4096);
	if (buf_append_str(&b, c->stamp) == -1 ||
	    buf_append_str(&b, c->peer.secret) == -1) {
		buf_free_secret(&b);
		client_fail(c, "APOP: the password is too long");
		return;
	}
	md5_hex(b.data, b.len, digest);
	buf_free_secret(&b);
	(void)snprintf(shown, sizeof(shown), "APOP %.40s ****", user);
	(void)queue_line(c, false, login_done, shown, "APOP %s %s", user,
	    digest);
}

static void
authenticate(struct pop3_client *c)
{
	const char	*user = c->peer.user != NULL ? c->peer.user : "";

	if (c->peer.secret == NULL) {
		become_ready(c);
		return;
	}
	if (!net_conn_is_tls(c->conn) && !c->p.allow_plaintext_password) {
		client_fail(c, "refusing to send the password over a "
		    "connection without TLS (allow-plaintext-password)");
		return;
	}
	switch (c->p.mech) {
	case POP3_MECH_XOAUTH2:
		sasl_ir(c, "XOAUTH2", sasl_xoauth2(user, c->peer.secret));
		return;
	case POP3_MECH_OAUTHBEARER:
		sasl_ir(c, "OAUTHBEARER", sasl_oauthbearer(user, c->peer.host,
		    c->peer.port, c->peer.secret));
		return;
	case POP3_MECH_PLAIN:
	case POP3_MECH_AUTO:
		if (c->p.mech == POP3_MECH_PLAIN ||
		    (c->caps & POP3_CAP_SASL_PLAIN)) {
			sasl_ir(c, "PLAIN", sasl_plain(user, c->peer.secret));
			return;
		}
		break;
	case POP3_MECH_APOP:
		apop(c, user);
		return;
	case POP3_MECH_USER:
		break;
	}
	if (c->p.mech == POP3_MECH_AUTO && c->stamp != NULL &&
	    c->caps != 0 && !(c->caps & POP3_CAP_USER)) {
		apop(c, user);
		return;
	}
	(void)queue_line(c, false, user_done, NULL, "USER %s", user);
}

static void
stls_done(struct pop3_client *c, const struct pop3_resp *r, void *arg)
{
	(void)arg;
	if (r == NULL)
		return;
	if (r->status != POP3_OK) {
		fail_resp(c, "the server refused STLS", r);
		return;
	}
	c->st = ST_HANDSHAKE;
}

static void
capa_done(struct pop3_client *c, const struct pop3_resp *r, void *arg)
{
	(void)arg;
	if (r == NULL)
		return;
	/* No CAPA (RFC 1939 servers): no extension known. */
	c->caps = r->status == POP3_OK ? pop3_capa_parse(r->body, r->blen) :
	    0;
	if (c->p.mode == POP3_TLS_STARTTLS && !net_conn_is_tls(c->conn)) {
		if (!(c->caps & POP3_CAP_STLS)) {
			client_fail(c, "the server does not offer STLS, and "
			    "this account requires TLS (starttls = no turns "
			    "this off)");
			return;
		}
		(void)queue_line(c, false, stls_done, NULL, "STLS");
		return;
	}
	authenticate(c);
}

static void
start_login(struct pop3_client *c)
{
	c->caps = 0;
	c->st = ST_LOGIN;
	(void)queue_line(c, true, capa_done, NULL, "CAPA");
}

static void
on_greeting(struct pop3_client *c, const char *line, size_t len)
{
	const char		*text;
	size_t			 tlen;
	enum pop3_status	 st = pop3_status_line(line, len, &text, &tlen);

	if (st != POP3_OK) {
		client_fail(c, "the server refused the session: %.*s",
		    (int)len, line);
		return;
	}
	free(c->stamp);
	c->stamp = pop3_apop_stamp(text, tlen);
	start_login(c);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

static void
on_line(struct pop3_client *c, const char *line, size_t len)
{
	struct pop3_resp	r;
	const char		*text;
	size_t			 tlen;

	if (c->st == ST_GREETING) {
		on_greeting(c, line, len);
		return;
	}
	if (c->head == NULL || !c->head->sent) {
		client_fail(c, "the server sent a line nothing asked for: "
		    "%.*s", (int)(len > 200 ? 200 : len), line);
		return;
	}
	memset(&r, 0, sizeof(r));
	if (c->in_body) {
		switch (pop3_multi_feed(&c->body, line, len)) {
		case POP3_FEED_MORE:
			return;
		case POP3_FEED_TOO_BIG:
			client_fail(c, "a response longer than %zu bytes",
			    c->body.data.max);
			return;
		case POP3_FEED_DONE:
			break;
		}
		r.status = POP3_OK;
		r.text = c->head_text != NULL ? c->head_text : "";
		r.tlen = strlen(r.text);
		r.body = buf_str(&c->body.data);
		r.blen = c->body.data.len;
		finish_head(c, &r);
		return;
	}
	r.status = pop3_status_line(line, len, &text, &tlen);
	if (r.status == POP3_BAD) {
		client_fail(c, "the server's answer makes no sense: %.*s",
		    (int)(len > 200 ? 200 : len), line);
		return;
	}
	r.text = text;
	r.tlen = tlen;
	if (r.status == POP3_OK && c->head->multi) {
		free(c->head_text);
		c->head_text = xstrndup(text, tlen);
		pop3_multi_reset(&c->body);
		c->in_body = true;
		return;
	}
	finish_head(c, &r);
}

static void
on_readable(struct pop3_client *c)
{
	const char	*line;
	size_t		 len;

	while (c->st != ST_FAILED && c->st != ST_HANDSHAKE &&
	    c->conn != NULL && !c->close_pending) {
		switch (net_conn_read_line(c->conn, &line, &len)) {
		case NET_LINE_WAIT:
			return;
		case NET_LINE_FAIL:
			client_fail(c, "%s", proto_conn_err(c->conn, c->err));
			return;
		case NET_LINE_OK:
			break;
		}
		/* Bodies are messages: not traced line by line. */
		if (!c->in_body)
			trace(c, "S", line, len);
		on_line(c, line, len);
	}
	/* After STLS's +OK: whatever else came is refused there. */
	if (c->st == ST_HANDSHAKE && c->conn != NULL &&
	    net_conn_starttls(c->conn) == -1)
		client_fail(c, "%s", proto_conn_err(c->conn, c->err));
}

static void
on_event(struct net_conn *conn, enum net_event ev, void *arg)
{
	struct pop3_client	*c = arg;

	(void)conn;
	c->busy++;
	switch (ev) {
	case NET_EV_CONNECTED:
		c->st = ST_GREETING;
		if (c->bad_mode)
			client_fail(c, "implicit TLS over a descriptor");
		break;
	case NET_EV_READABLE:
		on_readable(c);
		break;
	case NET_EV_TLS_READY:
		/* Forget what CAPA said before TLS, and ask again. */
		start_login(c);
		on_readable(c);
		break;
	case NET_EV_DRAINED:
		break;
	case NET_EV_ERROR:
		client_fail(c, "%s", proto_conn_err(c->conn, c->err));
		break;
	}
	leave(c);
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */

static struct pop3_client *
client_new(struct net_loop *loop, const struct pop3_client_params *p,
    pop3_ready_cb *ready, void *arg, struct net_conn_params *np)
{
	struct pop3_client	*c = xcalloc(1, sizeof(*c));

	c->loop = loop;
	c->p = *p;
	proto_peer_copy(&c->peer, &c->p.net, p->user, p->secret, "110");
	c->p.user = c->peer.user;
	c->p.secret = NULL;
	if (c->p.net.max_line == 0)
		c->p.net.max_line = POP3_LINE_MAX;
	pop3_multi_init(&c->body, p->max_body != 0 ? p->max_body :
	    POP3_BODY_DEFAULT);
	c->ready = ready;
	c->ready_arg = arg;
	c->st = ST_CONNECTING;
	*np = c->p.net;
	np->tls = p->mode == POP3_TLS_IMPLICIT;
	return c;
}

struct pop3_client *
pop3_client_open(struct net_loop *loop, const struct net_source *src,
    const struct pop3_client_params *p, pop3_ready_cb *ready,
    void *arg)
{
	struct net_conn_params	 np;
	struct pop3_client	*c = client_new(loop, p, ready, arg, &np);

	if (src->kind != NET_SOURCE_CONNECT) {
		/* No TLS from the first byte over a test's stream. */
		np.tls = false;
		c->bad_mode = p->mode == POP3_TLS_IMPLICIT;
	}
	c->conn = net_conn_open(loop, src, &np, on_event, c);
	return c;
}

static void
client_free(struct pop3_client *c)
{
	struct cmd	*cmd;

	net_conn_close(&c->conn);
	while ((cmd = c->head) != NULL) {
		c->head = cmd->next;
		cmd_free(cmd);
	}
	pop3_multi_free(&c->body);
	free(c->head_text);
	free(c->stamp);
	proto_peer_free(&c->peer);
	free(c);
}

void
pop3_client_close(struct pop3_client **cp)
{
	struct pop3_client	*c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	*cp = NULL;
	if (c->busy > 0) {
		c->close_pending = true;
		return;
	}
	client_free(c);
}

bool
pop3_client_ok(const struct pop3_client *c)
{
	return c->st != ST_FAILED;
}

const char *
pop3_client_error(const struct pop3_client *c)
{
	return c->err;
}

unsigned
pop3_client_caps(const struct pop3_client *c)
{
	return c->caps;
}

const char *
pop3_client_apop_stamp(const struct pop3_client *c)
{
	return c->stamp;
}

int
pop3_client_cmd(struct pop3_client *c, bool multi, pop3_done_fn *done,
    void *arg, const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	if (c->st != ST_READY)
		return -1;
	c->busy++;
	va_start(ap, fmt);
	rc = queue(c, multi, done, arg, NULL, fmt, ap);
	va_end(ap);
	leave(c);
	return rc;
}

int
pop3_client_wait(struct pop3_client *c, const bool *flag)
{
	while (!*flag && c->st != ST_FAILED)
		if (net_loop_run_once(c->loop, -1) <= 0)
			break;
	return *flag ? 0 : -1;
}
