/*
 * smtp_client.c: an SMTP submission session: greeting, EHLO (HELO when
 * refused), STARTTLS and EHLO again, AUTH, then transactions (MAIL, RCPT
 * pipelined when offered, DATA, the message in slices), RSET after a
 * refusal, QUIT.
 *
 * One state per awaited reply; each reply goes to the handler of its
 * state (handlers[] below). Callbacks may close the client: it is then
 * freed when the outermost entry point returns (busy, close_pending).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "proto_priv.h"
#include "sasl.h"
#include "smtp.h"

/* Bytes of the message queued at a time (the rest on NET_EV_DRAINED). */
#define PUMP_SLICE	((size_t)1024 * 1024)
/* Longest command line built (AUTH with an OAuth token is the longest). */
#define CMD_MAX		(16 * 1024)

enum state {
	ST_CONNECTING,
	ST_GREETING,
	ST_EHLO,		/* EHLO sent (before TLS for STARTTLS) */
	ST_HELO,		/* EHLO refused, HELO sent */
	ST_STARTTLS,		/* STARTTLS sent */
	ST_HANDSHAKE,
	ST_AUTH,		/* AUTH sent (PLAIN, XOAUTH2, OAUTHBEARER) */
	ST_AUTH_USER,		/* AUTH LOGIN: the user name asked */
	ST_AUTH_PASS,		/* AUTH LOGIN: the password asked */
	ST_AUTH_ERR,		/* an OAuth error sent as 334, answered */
	ST_READY,
	ST_MAIL,		/* MAIL and RCPT replies awaited */
	ST_DATA,		/* DATA sent */
	ST_BODY,		/* the message sent, the final reply awaited */
	ST_RSET,
	ST_QUIT,
	ST_FAILED
};

static const char *const state_names[] = {
	"connecting", "greeting", "EHLO", "HELO", "STARTTLS", "handshake",
	"AUTH", "AUTH user", "AUTH password", "AUTH error", "ready", "MAIL",
	"DATA", "message", "RSET", "QUIT", "failed"
};

struct smtp_client {
	struct net_loop			*loop;
	struct net_conn			*conn;
	struct smtp_client_params	 p;
	struct proto_peer		 peer;
	char				*helo;
	enum state			 st;
	struct smtp_reply		 rep;
	struct smtp_ext			 ext;
	bool				 bad_mode;
	bool				 unreachable;
	char				 err[BOUND_ERRMSG];
	smtp_ready_cb			*ready;
	void				*ready_arg;
	bool				 ready_called;
	/* The transaction under way. */
	bool				 in_tx;
	struct smtp_result		 res;
	smtp_sent_cb			*done;
	void				*done_arg;
	struct buf			 body;	/* the DATA bytes */
	size_t				 body_sent;
	size_t				 replies;	/* MAIL/RCPT replies
							 * read */
	size_t				 sent_cmds;	/* MAIL/RCPT sent */
	char				*mail_cmd;
	bool				 mail_refused;
	bool				*quit_flag;
	unsigned			 busy;
	bool				 close_pending;
};

static void	client_free(struct smtp_client *c);

/* ------------------------------------------------------------------ */
/* Failing and finishing                                               */

static void
trace(struct smtp_client *c, const char *dir, const char *s, size_t n)
{
	if (c->p.trace != NULL)
		c->p.trace(dir, s, n, c->p.arg);
}

static void
leave(struct smtp_client *c)
{
	if (--c->busy == 0 && c->close_pending)
		client_free(c);
}

static void
result_clear(struct smtp_result *r)
{
	size_t	i;

	for (i = 0; i < r->nrcpt; i++) {
		free(r->rcpt[i].addr);
		free(r->rcpt[i].text);
	}
	free(r->rcpt);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

void
smtp_result_free(struct smtp_result *r)
{
	result_clear(r);
}

/* The transaction ends: its callback, then the next may start. */
static void
tx_finish(struct smtp_client *c, enum smtp_outcome outcome, int code,
    const char *fmt, ...) FCT_PRINTF(4, 5);

static void
tx_finish(struct smtp_client *c, enum smtp_outcome outcome, int code,
    const char *fmt, ...)
{
	va_list			 ap;
	char			 text[BOUND_ERRMSG + 512];
	struct smtp_result	 res;

	if (!c->in_tx)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	c->in_tx = false;
	/* Taken out of the client: the callback may start the next. */
	res = c->res;
	memset(&c->res, 0, sizeof(c->res));
	res.outcome = outcome;
	res.code = code;
	free(res.text);
	res.text = xstrdup(text);
	buf_free(&c->body);
	free(c->mail_cmd);
	c->mail_cmd = NULL;
	if (c->done != NULL && !c->close_pending)
		c->done(c, &res, c->done_arg);
	result_clear(&res);
}

static void
client_fail(struct smtp_client *c, const char *fmt, ...) FCT_PRINTF(2, 3);

static void
client_fail(struct smtp_client *c, const char *fmt, ...)
{
	va_list	ap;
	bool	after_dot = c->st == ST_BODY &&
	    c->body_sent == c->body.len;

	if (c->st == ST_FAILED)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	c->st = ST_FAILED;
	net_conn_close(&c->conn);
	c->busy++;
	if (!c->ready_called) {
		c->ready_called = true;
		if (c->ready != NULL && !c->close_pending)
			c->ready(c, false, c->ready_arg);
	}
	c->res.after_dot = after_dot;
	/* The code only when a reply ended the session (421): an older
	 * one would mislead. */
	tx_finish(c, SMTP_FAILED, c->rep.done && c->rep.code == 421 ? 421 :
	    0, "%s", c->err);
	if (c->quit_flag != NULL)
		*c->quit_flag = true;
	c->quit_flag = NULL;
	leave(c);
}

/* Why the connection failed; it may be gone already (a failure closes
 * it, and failures nest through callbacks). */
/* The reply on one line, in a stack buffer, for messages. */
static void
reply_text(const struct smtp_client *c, char *out, size_t n)
{
	char	*l = smtp_reply_line_new(&c->rep);

	(void)fct_strlcpy(out, l, n);
	free(l);
}

static void
fail_reply(struct smtp_client *c, const char *what)
{
	char	r[BOUND_ERRMSG];

	reply_text(c, r, sizeof(r));
	client_fail(c, "%s: %s", what, r);
}

/* ------------------------------------------------------------------ */
/* Sending                                                             */

static void
set_state(struct smtp_client *c, enum state st)
{
	c->st = st;
}

/* Queue a command line; shown in the trace as shown (NULL: as sent). */
static int
send_line(struct smtp_client *c, const char *shown, const char *fmt, ...)
    FCT_PRINTF(3, 4);

static int
send_line(struct smtp_client *c, const char *shown, const char *fmt, ...)
{
	struct buf	b;
	va_list		ap;
	int		rc;

	buf_init(&b, CMD_MAX);
	va_start(ap, fmt);
	rc = buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc == -1 || memchr(b.data, '\r', b.len) != NULL ||
	    memchr(b.data, '\n', b.len) != NULL) {
		buf_free_secret(&b);
		client_fail(c, "a command could not be built");
		return -1;
	}
	if (shown != NULL)
		trace(c, "C", shown, strlen(shown));
	else
		trace(c, "C", b.data, b.len);
	rc = buf_append(&b, "\r\n", 2);
	if (rc == 0)
		rc = net_conn_write(c->conn, b.data, b.len);
	buf_free_secret(&b);
	if (rc == -1) {
		client_fail(c, "%s", proto_conn_err(c->conn, c->err));
		return -1;
	}
	return 0;
}

static const char *
helo_name(const struct smtp_client *c)
{
	return c->helo != NULL ? c->helo : "localhost";
}

static void
send_ehlo(struct smtp_client *c)
{
	memset(&c->ext, 0, sizeof(c->ext));
	if (send_line(c, NULL, "EHLO %s", helo_name(c)) == 0)
		set_state(c, ST_EHLO);
}

/* ------------------------------------------------------------------ */
/* Session set-up                                                      */

static void
become_ready(struct smtp_client *c)
{
	set_state(c, ST_READY);
	if (!c->ready_called) {
		c->ready_called = true;
		if (c->ready != NULL && !c->close_pending)
			c->ready(c, true, c->ready_arg);
	}
}

/* The mechanism to use among those offered; 0 when none fits. */
static unsigned
pick_mech(const struct smtp_client *c)
{
	unsigned	offered = c->ext.auth;

	switch (c->p.mech) {
	case SMTP_MECH_PLAIN:
		return offered & SMTP_AUTH_PLAIN;
	case SMTP_MECH_LOGIN:
		return offered & SMTP_AUTH_LOGIN;
	case SMTP_MECH_XOAUTH2:
		return offered & SMTP_AUTH_XOAUTH2;
	case SMTP_MECH_OAUTHBEARER:
		return offered & SMTP_AUTH_OAUTHBEARER;
	case SMTP_MECH_AUTO:
		break;
	}
	if (offered & SMTP_AUTH_PLAIN)
		return SMTP_AUTH_PLAIN;
	return offered & SMTP_AUTH_LOGIN;
}

/* AUTH with an initial response (secret): PLAIN and the OAuth ones. */
static void
auth_with(struct smtp_client *c, const char *mech, char *ir)
{
	char	shown[64];

	if (ir == NULL) {
		client_fail(c, "the user name or password cannot be sent "
		    "with AUTH %s", mech);
		return;
	}
	(void)snprintf(shown, sizeof(shown), "AUTH %s ****", mech);
	if (send_line(c, shown, "AUTH %s %s", mech, ir) == 0)
		set_state(c, ST_AUTH);
	xfree_secret(&ir);
}

static void
start_auth(struct smtp_client *c)
{
	unsigned	mech;
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
	if (!(c->ext.bits & SMTP_EXT_AUTH)) {
		client_fail(c, "the server offers no authentication (no AUTH "
		    "in its EHLO reply)");
		return;
	}
	mech = pick_mech(c);
	if (mech == SMTP_AUTH_PLAIN)
		auth_with(c, "PLAIN", sasl_plain(user, c->peer.secret));
	else if (mech == SMTP_AUTH_XOAUTH2)
		auth_with(c, "XOAUTH2", sasl_xoauth2(user, c->peer.secret));
	else if (mech == SMTP_AUTH_OAUTHBEARER)
		auth_with(c, "OAUTHBEARER", sasl_oauthbearer(user, c->peer.host,
		    c->peer.port, c->peer.secret));
	else if (mech == SMTP_AUTH_LOGIN) {
		if (send_line(c, NULL, "AUTH LOGIN") == 0)
			set_state(c, ST_AUTH_USER);
	} else
		client_fail(c, "no authentication mechanism in common with "
		    "the server (facteur has PLAIN, LOGIN, XOAUTH2, "
		    "OAUTHBEARER)");
}

static void
on_greeting(struct smtp_client *c)
{
	if (c->rep.code != 220) {
		fail_reply(c, "the server refused the session");
		return;
	}
	send_ehlo(c);
}

/* EHLO done (or HELO): TLS first if due, then AUTH. */
static void
after_hello(struct smtp_client *c)
{
	if (c->p.mode == SMTP_TLS_STARTTLS && !net_conn_is_tls(c->conn)) {
		if (!(c->ext.bits & SMTP_EXT_STARTTLS)) {
			client_fail(c, "the server does not offer STARTTLS, "
			    "and this account requires TLS (starttls = no "
			    "turns this off)");
			return;
		}
		if (send_line(c, NULL, "STARTTLS") == 0)
			set_state(c, ST_STARTTLS);
		return;
	}
	start_auth(c);
}

static void
on_ehlo(struct smtp_client *c)
{
	if (c->rep.code == 250) {
		smtp_ext_parse(&c->rep, &c->ext);
		after_hello(c);
		return;
	}
	if (c->rep.code == 421 || c->rep.code < 500) {
		fail_reply(c, "EHLO failed");
		return;
	}
	/* An old server: HELO, unless TLS is still due (no STARTTLS
	 * without EHLO). */
	if (c->p.mode == SMTP_TLS_STARTTLS && !net_conn_is_tls(c->conn)) {
		fail_reply(c, "EHLO refused, so no STARTTLS, and this account "
		    "requires TLS");
		return;
	}
	if (send_line(c, NULL, "HELO %s", helo_name(c)) == 0)
		set_state(c, ST_HELO);
}

static void
on_helo(struct smtp_client *c)
{
	if (c->rep.code != 250) {
		fail_reply(c, "HELO failed");
		return;
	}
	memset(&c->ext, 0, sizeof(c->ext));
	after_hello(c);
}

static void
on_starttls(struct smtp_client *c)
{
	if (c->rep.code != 220) {
		fail_reply(c, "the server refused STARTTLS");
		return;
	}
	set_state(c, ST_HANDSHAKE);
	/* Refuses if the server sent anything after its go-ahead. */
	if (net_conn_starttls(c->conn) == -1)
		client_fail(c, "%s", proto_conn_err(c->conn, c->err));
}

static void
on_auth(struct smtp_client *c)
{
	if (c->rep.code == 235) {
		become_ready(c);
		return;
	}
	if (c->rep.code == 334 && c->st == ST_AUTH) {
		/* An OAuth error in a challenge: answered with an empty
		 * response (XOAUTH2) or ^A (OAUTHBEARER, RFC 7628 3.2.3)
		 * before the final refusal. */
		(void)send_line(c, NULL, "%s", c->p.mech ==
		    SMTP_MECH_OAUTHBEARER ? "AQ==" : "");
		set_state(c, ST_AUTH_ERR);
		return;
	}
	fail_reply(c, "authentication failed");
}

static void
on_auth_login(struct smtp_client *c)
{
	char	*b;

	if (c->rep.code != 334) {
		on_auth(c);
		return;
	}
	if (c->st == ST_AUTH_USER) {
		b = base64_encode_new(c->peer.user != NULL ? c->peer.user : "",
		    c->peer.user != NULL ? strlen(c->peer.user) : 0);
		if (send_line(c, "****", "%s", b) == 0)
			set_state(c, ST_AUTH_PASS);
	} else {
		b = base64_encode_new(c->peer.secret, strlen(c->peer.secret));
		if (send_line(c, "****", "%s", b) == 0)
			set_state(c, ST_AUTH);
	}
	xfree_secret(&b);
}

/* ------------------------------------------------------------------ */
/* Transactions                                                        */

/* Send the next MAIL or RCPT command; with PIPELINING, all of them. */
static void
send_envelope(struct smtp_client *c)
{
	size_t	total = 1 + c->res.nrcpt;

	do {
		if (c->sent_cmds == 0) {
			if (send_line(c, NULL, "%s", c->mail_cmd) == -1)
				return;
		} else if (send_line(c, NULL, "RCPT TO:<%s>",
		    c->res.rcpt[c->sent_cmds - 1].addr) == -1)
			return;
		c->sent_cmds++;
	} while (c->sent_cmds < total && (c->ext.bits & SMTP_EXT_PIPELINING));
}

static void
send_rset(struct smtp_client *c)
{
	if (send_line(c, NULL, "RSET") == 0)
		set_state(c, ST_RSET);
}

/* Every MAIL and RCPT reply is in: DATA, or reset and say why. */
static void
envelope_done(struct smtp_client *c)
{
	size_t	i, bad = 0;
	int	worst = 0;

	for (i = 0; i < c->res.nrcpt; i++)
		if (c->res.rcpt[i].code / 100 != 2) {
			bad++;
			if (c->res.rcpt[i].code > worst)
				worst = c->res.rcpt[i].code;
		}
	if (!c->mail_refused && bad == 0) {
		if (send_line(c, NULL, "DATA") == 0)
			set_state(c, ST_DATA);
		return;
	}
	/* Remembered until RSET's reply ends the transaction. */
	c->res.code = c->mail_refused ? c->res.code : worst;
	send_rset(c);
}

static void
on_envelope_reply(struct smtp_client *c)
{
	char	*line;
	size_t	 k = c->replies++;

	if (k == 0) {
		if (c->rep.code / 100 != 2) {
			c->mail_refused = true;
			c->res.code = c->rep.code;
			free(c->res.text);
			c->res.text = smtp_reply_line_new(&c->rep);
		}
	} else if (k - 1 < c->res.nrcpt) {
		line = smtp_reply_line_new(&c->rep);
		c->res.rcpt[k - 1].code = c->rep.code;
		c->res.rcpt[k - 1].text = line;
	}
	if (c->replies == 1 + c->res.nrcpt ||
	    (c->mail_refused && c->sent_cmds == c->replies)) {
		envelope_done(c);
		return;
	}
	if (c->sent_cmds == c->replies)
		send_envelope(c);
}

static void
pump(struct smtp_client *c)
{
	size_t	n;

	if (c->st != ST_BODY || c->conn == NULL)
		return;
	while (c->body_sent < c->body.len &&
	    net_conn_outq_len(c->conn) < PUMP_SLICE) {
		n = c->body.len - c->body_sent;
		if (n > PUMP_SLICE)
			n = PUMP_SLICE;
		if (net_conn_write(c->conn, c->body.data + c->body_sent, n) ==
		    -1) {
			client_fail(c, "%s", proto_conn_err(c->conn, c->err));
			return;
		}
		c->body_sent += n;
	}
}

static void
on_data(struct smtp_client *c)
{
	char	shown[64];

	if (c->rep.code != 354) {
		c->res.code = c->rep.code;
		free(c->res.text);
		c->res.text = smtp_reply_line_new(&c->rep);
		send_rset(c);
		return;
	}
	(void)snprintf(shown, sizeof(shown), "<the message: %zu bytes>",
	    c->body.len);
	trace(c, "C", shown, strlen(shown));
	set_state(c, ST_BODY);
	c->body_sent = 0;
	net_conn_set_timeout(c->conn, (c->p.data_timeout_s > 0 ?
	    c->p.data_timeout_s : 600) * 1000);
	pump(c);
}

static enum smtp_outcome
outcome_of(int code)
{
	if (code / 100 == 2)
		return SMTP_SENT;
	return code / 100 == 4 ? SMTP_DEFERRED : SMTP_REFUSED;
}

static void
on_body(struct smtp_client *c)
{
	char	r[BOUND_ERRMSG];

	net_conn_set_timeout(c->conn, c->p.net.io_timeout_ms != 0 ?
	    c->p.net.io_timeout_ms : BOUND_IO_MS);
	set_state(c, ST_READY);
	reply_text(c, r, sizeof(r));
	if (c->rep.code / 100 == 2)
		tx_finish(c, SMTP_SENT, c->rep.code, "%s", r);
	else {
		/* Nothing to reset: the server ended the transaction. */
		tx_finish(c, outcome_of(c->rep.code), c->rep.code,
		    "the server refused the message: %s", r);
	}
}

/* Why a reset transaction failed, from what was remembered. */
static void
finish_refused(struct smtp_client *c)
{
	struct buf	b;
	size_t		i;
	int		code = c->res.code;

	/* A text cut short by the buffer's bound is still shown. */
	buf_init(&b, 16 * 1024);
	if (c->mail_refused || c->res.text != NULL) {
		if (buf_printf(&b, "the server refused %s: %s",
		    c->mail_refused ? "the sender" : "the message",
		    c->res.text) == -1)
			(void)0;
	} else {
		for (i = 0; i < c->res.nrcpt; i++) {
			if (c->res.rcpt[i].code / 100 == 2)
				continue;
			if (buf_printf(&b, "%srecipient <%s> refused: %s",
			    b.len > 0 ? "; " : "", c->res.rcpt[i].addr,
			    c->res.rcpt[i].text != NULL ?
			    c->res.rcpt[i].text : "no reply") == -1)
				break;
		}
		if (buf_append_str(&b, " (nothing was sent)") == -1)
			(void)0;
	}
	tx_finish(c, outcome_of(code), code, "%s", buf_str(&b));
	buf_free(&b);
}

static void
on_rset(struct smtp_client *c)
{
	if (c->rep.code != 250) {
		fail_reply(c, "RSET failed");
		return;
	}
	set_state(c, ST_READY);
	finish_refused(c);
}

static void
on_quit(struct smtp_client *c)
{
	bool	*flag = c->quit_flag;

	c->quit_flag = NULL;
	set_state(c, ST_FAILED);
	(void)fct_snprintf(c->err, sizeof(c->err), "the session ended");
	net_conn_close(&c->conn);
	if (flag != NULL)
		*flag = true;
}

/* ------------------------------------------------------------------ */
/* Replies                                                             */

typedef void reply_fn(struct smtp_client *c);

static reply_fn *const handlers[] = {
	[ST_GREETING] = on_greeting,
	[ST_EHLO] = on_ehlo,
	[ST_HELO] = on_helo,
	[ST_STARTTLS] = on_starttls,
	[ST_AUTH] = on_auth,
	[ST_AUTH_USER] = on_auth_login,
	[ST_AUTH_PASS] = on_auth_login,
	[ST_AUTH_ERR] = on_auth,
	[ST_MAIL] = on_envelope_reply,
	[ST_DATA] = on_data,
	[ST_BODY] = on_body,
	[ST_RSET] = on_rset,
	[ST_QUIT] = on_quit,
};

static void
on_reply(struct smtp_client *c)
{
	reply_fn	*fn = (size_t)c->st < sizeof(handlers) /
	    sizeof(handlers[0]) ? handlers[c->st] : NULL;

	/* 421 may come at any time: the server is closing. */
	if (c->rep.code == 421 && c->st != ST_QUIT) {
		fail_reply(c, "the server closed the session");
		return;
	}
	if (fn == NULL) {
		fail_reply(c, c->st == ST_READY ? "a reply nothing asked for" :
		    "a reply at the wrong time");
		return;
	}
	fn(c);
}

static void
on_readable(struct smtp_client *c)
{
	const char	*line;
	size_t		 len;
	char		 err[128];

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
		trace(c, "S", line, len);
		switch (smtp_reply_feed(&c->rep, line, len, err,
		    sizeof(err))) {
		case SMTP_FEED_MORE:
			continue;
		case SMTP_FEED_BAD:
			client_fail(c, "the server's reply makes no sense "
			    "(%s) in state %s", err, state_names[c->st]);
			return;
		case SMTP_FEED_DONE:
			on_reply(c);
			break;
		}
	}
}

static void
on_event(struct net_conn *conn, enum net_event ev, void *arg)
{
	struct smtp_client	*c = arg;

	(void)conn;
	c->busy++;
	switch (ev) {
	case NET_EV_CONNECTED:
		set_state(c, ST_GREETING);
		if (c->bad_mode)
			client_fail(c, "implicit TLS over a descriptor");
		break;
	case NET_EV_READABLE:
		on_readable(c);
		break;
	case NET_EV_TLS_READY:
		/* Forget what EHLO said before TLS, and ask again. */
		send_ehlo(c);
		on_readable(c);
		break;
	case NET_EV_DRAINED:
		pump(c);
		break;
	case NET_EV_ERROR:
		if (c->st == ST_QUIT) {
			on_quit(c);
			break;
		}
		/* Never connected: the network, not the server, said no. */
		c->unreachable = c->st == ST_CONNECTING && c->conn != NULL &&
		    (net_conn_error(c->conn) == NET_ERR_RESOLVE ||
		    net_conn_error(c->conn) == NET_ERR_CONNECT ||
		    net_conn_error(c->conn) == NET_ERR_TIMEOUT);
		client_fail(c, "%s", proto_conn_err(c->conn, c->err));
		break;
	}
	leave(c);
}

/* ------------------------------------------------------------------ */
/* Public entry points                                                 */

/* The refusal of a message before anything is sent. */
static int
refuse(struct smtp_client *c, const char *fmt, ...) FCT_PRINTF(2, 3);

static int
refuse(struct smtp_client *c, const char *fmt, ...)
{
	va_list	ap;
	char	text[BOUND_ERRMSG];

	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	c->in_tx = true;
	tx_finish(c, SMTP_REFUSED, 0, "%s", text);
	return 0;
}

/* MAIL FROM with the parameters the message needs; NULL and a refusal
 * when the server lacks an extension it needs. */
static char *
mail_command(struct smtp_client *c, const struct smtp_envelope *env,
    bool eight, size_t size)
{
	bool	utf8 = smtp_has_8bit(env->from, strlen(env->from));
	size_t	i;

	for (i = 0; i < env->nrcpt; i++)
		utf8 |= smtp_has_8bit(env->rcpt[i], strlen(env->rcpt[i]));
	if (utf8 && !(c->ext.bits & SMTP_EXT_SMTPUTF8)) {
		(void)refuse(c, "an address is not ASCII and the server does "
		    "not offer SMTPUTF8");
		return NULL;
	}
	if (eight && !(c->ext.bits & (SMTP_EXT_8BITMIME | SMTP_EXT_SMTPUTF8))) {
		(void)refuse(c, "the message has 8-bit bytes and the server "
		    "does not offer 8BITMIME");
		return NULL;
	}
	if (c->ext.bits & SMTP_EXT_SIZE)
		return xasprintf("MAIL FROM:<%s> SIZE=%zu%s%s", env->from,
		    size, eight ? " BODY=8BITMIME" : "",
		    utf8 ? " SMTPUTF8" : "");
	return xasprintf("MAIL FROM:<%s>%s%s", env->from,
	    eight ? " BODY=8BITMIME" : "", utf8 ? " SMTPUTF8" : "");
}

int
smtp_client_send(struct smtp_client *c, const struct smtp_envelope *env,
    const char *msg, size_t len, smtp_sent_cb *done, void *arg)
{
	size_t	i, size;
	bool	eight;
	char	*mail;

	if (c->st != ST_READY || c->in_tx)
		return -1;
	c->busy++;
	c->done = done;
	c->done_arg = arg;
	memset(&c->res, 0, sizeof(c->res));
	c->res.nrcpt = env->nrcpt;
	c->res.rcpt = xcalloc(env->nrcpt > 0 ? env->nrcpt : 1,
	    sizeof(*c->res.rcpt));
	for (i = 0; i < env->nrcpt; i++)
		c->res.rcpt[i].addr = xstrdup(env->rcpt[i]);
	size = smtp_data_size(msg, len);
	eight = smtp_has_8bit(msg, len);
	if (env->nrcpt == 0)
		(void)refuse(c, "no recipient");
	else if ((env->from[0] != '\0' && !smtp_addr_ok(env->from)))
		(void)refuse(c, "the sender <%s> is not a valid address",
		    env->from);
	else if ((c->ext.bits & SMTP_EXT_SIZE) && c->ext.size_max > 0 &&
	    size > c->ext.size_max)
		(void)refuse(c, "the message is %zu bytes and the server "
		    "accepts at most %llu bytes", size,
		    (unsigned long long)c->ext.size_max);
	else {
		for (i = 0; i < env->nrcpt; i++)
			if (!smtp_addr_ok(env->rcpt[i]))
				break;
		if (i < env->nrcpt)
			(void)refuse(c, "the recipient <%s> is not a valid "
			    "address", env->rcpt[i]);
		else if ((mail = mail_command(c, env, eight, size)) != NULL) {
			c->in_tx = true;
			c->mail_cmd = mail;
			buf_init(&c->body, size + size / 32 + 64);
			(void)smtp_data_encode(msg, len, &c->body);
			c->replies = c->sent_cmds = 0;
			c->mail_refused = false;
			set_state(c, ST_MAIL);
			send_envelope(c);
		}
	}
	leave(c);
	return 0;
}

static struct smtp_client *
client_new(struct net_loop *loop, const struct smtp_client_params *p,
    smtp_ready_cb *ready, void *arg, struct net_conn_params *np)
{
	struct smtp_client	*c = xcalloc(1, sizeof(*c));

	c->loop = loop;
	c->p = *p;
	proto_peer_copy(&c->peer, &c->p.net, p->user, p->secret, "587");
	c->helo = p->helo != NULL ? xstrdup(p->helo) : NULL;
	c->p.helo = c->helo;
	c->p.user = c->peer.user;
	c->p.secret = NULL;		/* only in c->peer.secret */
	if (c->p.net.max_line == 0)
		c->p.net.max_line = SMTP_LINE_MAX;
	c->ready = ready;
	c->ready_arg = arg;
	smtp_reply_init(&c->rep);
	buf_init(&c->body, 0);
	c->st = ST_CONNECTING;
	*np = c->p.net;
	np->tls = p->mode == SMTP_TLS_IMPLICIT;
	return c;
}

struct smtp_client *
smtp_client_open(struct net_loop *loop, const struct net_source *src,
    const struct smtp_client_params *params, smtp_ready_cb *ready,
    void *arg)
{
	struct net_conn_params	 np;
	struct smtp_client	*c = client_new(loop, params, ready, arg, &np);

	if (src->kind != NET_SOURCE_CONNECT) {
		/* No TLS from the first byte over a test's stream. */
		np.tls = false;
		c->bad_mode = params->mode == SMTP_TLS_IMPLICIT;
	}
	c->conn = net_conn_open(loop, src, &np, on_event, c);
	return c;
}

static void
client_free(struct smtp_client *c)
{
	net_conn_close(&c->conn);
	result_clear(&c->res);
	buf_free(&c->body);
	smtp_reply_free(&c->rep);
	free(c->mail_cmd);
	free(c->helo);
	proto_peer_free(&c->peer);
	free(c);
}

void
smtp_client_close(struct smtp_client **cp)
{
	struct smtp_client	*c;

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
smtp_client_ok(const struct smtp_client *c)
{
	return c->st != ST_FAILED;
}

const char *
smtp_client_error(const struct smtp_client *c)
{
	return c->err[0] != '\0' ? c->err : "";
}

const struct smtp_ext *
smtp_client_ext(const struct smtp_client *c)
{
	return &c->ext;
}

bool
smtp_client_unreachable(const struct smtp_client *c)
{
	return c->unreachable;
}

bool
smtp_client_is_tls(const struct smtp_client *c)
{
	return c->conn != NULL && net_conn_is_tls(c->conn);
}

void
smtp_client_quit(struct smtp_client *c, bool *flag)
{
	*flag = false;
	if (c->st != ST_READY) {
		*flag = true;
		return;
	}
	c->busy++;
	c->quit_flag = flag;
	if (send_line(c, NULL, "QUIT") == 0)
		set_state(c, ST_QUIT);
	leave(c);
}

int
smtp_client_wait(struct smtp_client *c, const bool *flag)
{
	while (!*flag && c->st != ST_FAILED)
		if (net_loop_run_once(c->loop, -1) <= 0)
			break;
	return *flag ? 0 : -1;
}
