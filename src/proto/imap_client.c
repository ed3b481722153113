/*
 * imap_client.c: an IMAP4rev1 client connection: greeting, STARTTLS,
 * capabilities, login, then tagged commands, pipelined, with literals.
 *
 * The rules of DEVELOPERS.md for TLS are enforced here: with STARTTLS
 * required, a PREAUTH greeting on the plaintext connection, a server that
 * does not offer STARTTLS, any untagged response other than CAPABILITY
 * before TLS, or any byte after the go-ahead and before the handshake
 * abort the connection; after TLS every capability learnt before is
 * forgotten and asked again. A password is never sent without TLS unless
 * the account allows it.
 *
 * Callbacks may close the client: the client is then freed when the
 * outermost dispatch returns (busy, close_pending).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "proto_priv.h"
#include "buf.h"
#include "imap.h"
#include "sasl.h"

#define LITERAL_MINUS_MAX	4096
#define TRACE_LITERAL_MAX	200	/* literals shown in traces up to */

struct cmd {
	struct cmd	*next;
	char		 tag[IMAP_TAG_MAX + 1];
	struct buf	 wire;		/* the bytes to send */
	struct buf	 trace;		/* what the trace shows */
	size_t		*waits;		/* wire offsets where a "+" is due */
	size_t		 nwaits, capwaits, wi;
	size_t		 sent;
	imap_untagged_fn *untagged;
	imap_done_fn	*done;
	void		*arg;
	/* AUTHENTICATE: what a "+" is answered with (secret), then "". */
	char		*auth_reply;
	bool		 is_auth;
	bool		 is_idle;
};

enum state {
	ST_CONNECTING,
	ST_GREETING,
	ST_CAPS_PLAIN,		/* CAPABILITY before STARTTLS */
	ST_STARTTLS,		/* STARTTLS sent */
	ST_HANDSHAKE,		/* TLS handshake running */
	ST_CAPS,		/* CAPABILITY before login */
	ST_AUTH,		/* login sent */
	ST_CAPS_AFTER,		/* CAPABILITY after login */
	ST_READY,
	ST_FAILED
};

struct imap_client {
	struct net_loop		*loop;
	struct net_conn		*conn;
	struct imap_reader	*rd;
	struct imap_client_params p;	/* strings below are the copies */
	struct proto_peer	 peer;
	enum state		 st;
	uint32_t		 caps;
	bool			 preauth;
	struct cmd		*sendq, *sendq_tail;	/* not all sent */
	struct cmd		*flight, *flight_tail;	/* awaiting tag */
	unsigned		 next_tag;
	char			 err[BOUND_ERRMSG];
	imap_ready_cb		*ready;
	void			*ready_arg;
	bool			 ready_called;
	bool			 bad_mode;	/* failed on connect */
	bool			 bye;		/* err holds the BYE text */
	struct cmd		*idle;		/* IDLE in flight, or NULL */
	bool			 idling;	/* its "+" came */
	bool			 idle_stop;	/* DONE due once it comes */
	unsigned		 busy;		/* in a public entry */
	bool			 close_pending;
};

static void	client_free(struct imap_client *c);
static void	leave(struct imap_client *c);
static void	idle_send_done(struct imap_client *c);

/* ------------------------------------------------------------------ */
/* Capabilities                                                        */

static const struct {
	const char	*word;
	uint32_t	 bit;
} cap_words[] = {
	{ "IMAP4REV1", IMAP_CAP_IMAP4REV1 },
	{ "STARTTLS", IMAP_CAP_STARTTLS },
	{ "LOGINDISABLED", IMAP_CAP_LOGINDISABLED },
	{ "SASL-IR", IMAP_CAP_SASL_IR },
	{ "AUTH=PLAIN", IMAP_CAP_AUTH_PLAIN },
	{ "AUTH=LOGIN", IMAP_CAP_AUTH_LOGIN },
	{ "AUTH=XOAUTH2", IMAP_CAP_AUTH_XOAUTH2 },
	{ "AUTH=OAUTHBEARER", IMAP_CAP_AUTH_OAUTHBEARER },
	{ "IDLE", IMAP_CAP_IDLE },
	{ "UIDPLUS", IMAP_CAP_UIDPLUS },
	{ "MOVE", IMAP_CAP_MOVE },
	{ "CONDSTORE", IMAP_CAP_CONDSTORE },
	{ "QRESYNC", IMAP_CAP_QRESYNC },
	{ "SPECIAL-USE", IMAP_CAP_SPECIAL_USE },
	{ "LITERAL+", IMAP_CAP_LITERAL_PLUS },
	{ "LITERAL-", IMAP_CAP_LITERAL_MINUS },
	{ "ENABLE", IMAP_CAP_ENABLE },
	{ "ID", IMAP_CAP_ID },
	{ "NAMESPACE", IMAP_CAP_NAMESPACE },
	{ "LIST-STATUS", IMAP_CAP_LIST_STATUS },
	{ "ESEARCH", IMAP_CAP_ESEARCH },
	{ "UNSELECT", IMAP_CAP_UNSELECT },
};

uint32_t
imap_cap_bit(const char *word, size_t len)
{
	size_t	i;

	for (i = 0; i < sizeof(cap_words) / sizeof(cap_words[0]); i++)
		if (strlen(cap_words[i].word) == len &&
		    ascii_ncasecmp(cap_words[i].word, word, len) == 0)
			return cap_words[i].bit;
	return 0;
}

static uint32_t
caps_of(const struct imap_item *it, size_t n)
{
	uint32_t	caps = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		if (it[i].type == IMAP_ATOM)
			caps |= imap_cap_bit(it[i].s, it[i].len);
	return caps;
}

/* ------------------------------------------------------------------ */
/* Failing                                                             */

static void
trace(struct imap_client *c, const char *dir, const char *s, size_t n)
{
	if (c->p.trace != NULL)
		c->p.trace(dir, s, n, c->p.arg);
}

/* Why the connection failed; it may be gone already (a failure closes
 * it, and failures can nest through callbacks). */
static void
cmd_free(struct cmd *cmd)
{
	buf_free_secret(&cmd->wire);
	buf_free(&cmd->trace);
	free(cmd->waits);
	xfree_secret(&cmd->auth_reply);
	free(cmd);
}

/*
 * Fail the client: the reason is kept (the first one wins), the
 * connection closed, then ready (if not yet called) and every command's
 * done(NULL) are called.
 */
static void
client_fail(struct imap_client *c, const char *fmt, ...) FCT_PRINTF(2, 3);

static void
client_fail(struct imap_client *c, const char *fmt, ...)
{
	struct cmd	*cmd, *lists[2];
	va_list		 ap;
	size_t		 i;

	if (c->st == ST_FAILED)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	c->st = ST_FAILED;
	net_conn_close(&c->conn);
	/* Callbacks below may close the client: it stays until the
	 * outermost entry point returns. */
	c->busy++;
	if (!c->ready_called) {
		c->ready_called = true;
		if (c->ready != NULL)
			c->ready(c, false, c->ready_arg);
	}
	lists[0] = c->flight;
	lists[1] = c->sendq;
	c->flight = c->flight_tail = c->sendq = c->sendq_tail = NULL;
	for (i = 0; i < 2; i++)
		while ((cmd = lists[i]) != NULL) {
			lists[i] = cmd->next;
			if (cmd->done != NULL && !c->close_pending)
				cmd->done(c, NULL, cmd->arg);
			cmd_free(cmd);
		}
	c->busy--;
}

/* ------------------------------------------------------------------ */
/* Building commands                                                   */

static bool
atom_safe(const char *s, size_t n)
{
	size_t	i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char	ch = (unsigned char)s[i];

		if (ch <= 0x20 || ch >= 0x7f || strchr("(){%*\"\\]", ch))
			return false;
	}
	return true;
}

static bool
quote_safe(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || s[i] == '\r' || s[i] == '\n' ||
		    (unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

static int
add_literal(struct imap_client *c, struct cmd *cmd, const char *s, size_t n,
    bool secret)
{
	bool	nonsync = (c->caps & IMAP_CAP_LITERAL_PLUS) ||
	    ((c->caps & IMAP_CAP_LITERAL_MINUS) && n <= LITERAL_MINUS_MAX);

	if (buf_printf(&cmd->wire, "{%zu%s}\r\n", n, nonsync ? "+" : "") ==
	    -1)
		return -1;
	if (!nonsync) {
		if (cmd->nwaits == cmd->capwaits) {
			cmd->capwaits = cmd->capwaits ? cmd->capwaits * 2 : 4;
			cmd->waits = xreallocarray(cmd->waits, cmd->capwaits,
			    sizeof(*cmd->waits));
		}
		cmd->waits[cmd->nwaits++] = cmd->wire.len;
	}
	if (buf_append(&cmd->wire, s, n) == -1)
		return -1;
	if (secret)
		return buf_printf(&cmd->trace, "{%zu} ***", n);
	if (n <= TRACE_LITERAL_MAX && quote_safe(s, n))
		return buf_printf(&cmd->trace, "{%zu} %.*s", n, (int)n, s);
	return buf_printf(&cmd->trace, "{%zu} <%zu bytes>", n, n);
}

static int
add_astring(struct imap_client *c, struct cmd *cmd, const char *s,
    bool secret)
{
	size_t	n = strlen(s), i;
	int	rc = 0;

	if (atom_safe(s, n) || quote_safe(s, n)) {
		bool	atom = atom_safe(s, n);

		if (!atom && buf_append(&cmd->wire, "\"", 1) == -1)
			return -1;
		for (i = 0; i < n && rc == 0; i++) {
			if (!atom && (s[i] == '"' || s[i] == '\\'))
				rc = buf_append(&cmd->wire, "\\", 1);
			if (rc == 0)
				rc = buf_append(&cmd->wire, s + i, 1);
		}
		if (rc == 0 && !atom)
			rc = buf_append(&cmd->wire, "\"", 1);
		if (rc == 0)
			rc = secret ? buf_append_str(&cmd->trace, "***") :
			    buf_append_str(&cmd->trace, s);
		return rc;
	}
	return add_literal(c, cmd, s, n, secret);
}

/* Both forms at once: the wire and the trace. */
static int
add_text(struct cmd *cmd, const char *s, size_t n)
{
	if (buf_append(&cmd->wire, s, n) == -1 ||
	    buf_append(&cmd->trace, s, n) == -1)
		return -1;
	return 0;
}

static int
build(struct imap_client *c, struct cmd *cmd, const char *fmt, va_list ap)
{
	const char	*p, *s;
	char		 num[32], *m;
	size_t		 n;
	int		 rc = 0;

	for (p = fmt; *p != '\0' && rc == 0; p++) {
		if (*p != '%') {
			rc = add_text(cmd, p, 1);
			continue;
		}
		switch (*++p) {
		case 's':
			s = va_arg(ap, const char *);
			rc = add_text(cmd, s, strlen(s));
			break;
		case 'u':
			(void)snprintf(num, sizeof(num), "%u",
			    va_arg(ap, unsigned));
			rc = add_text(cmd, num, strlen(num));
			break;
		case 'U':
			(void)snprintf(num, sizeof(num), "%llu",
			    (unsigned long long)va_arg(ap, uint64_t));
			rc = add_text(cmd, num, strlen(num));
			break;
		case 'a':
		case 'A':
			rc = add_astring(c, cmd, va_arg(ap, const char *),
			    *p == 'A');
			break;
		case 'm':
			m = imap_mutf7_encode(va_arg(ap, const char *));
			rc = m == NULL ? -1 : add_astring(c, cmd, m, false);
			free(m);
			break;
		case 'L':
			s = va_arg(ap, const char *);
			n = va_arg(ap, size_t);
			rc = add_literal(c, cmd, s, n, false);
			break;
		case '%':
			rc = add_text(cmd, "%", 1);
			break;
		default:
			return -1;	/* a bug in the caller's format */
		}
	}
	if (rc == 0)
		rc = buf_append(&cmd->wire, "\r\n", 2);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Sending                                                             */

static void
flight_add(struct imap_client *c, struct cmd *cmd)
{
	cmd->next = NULL;
	if (c->flight_tail != NULL)
		c->flight_tail->next = cmd;
	else
		c->flight = cmd;
	c->flight_tail = cmd;
}

#define PUMP_SLICE	((size_t)1024 * 1024)

/* Send what can be sent: whole commands, up to a literal that needs the
 * server's go-ahead. */
static void
pump(struct imap_client *c)
{
	struct cmd	*cmd;
	size_t		 end;

	while ((cmd = c->sendq) != NULL && c->st != ST_FAILED) {
		/* Nothing but DONE may follow IDLE until it ends. */
		if (c->idle != NULL && c->idle->sent > 0 && c->idle != cmd)
			return;
		end = cmd->wi < cmd->nwaits ? cmd->waits[cmd->wi] :
		    cmd->wire.len;
		if (cmd->sent == 0)
			trace(c, "C", cmd->trace.data, cmd->trace.len);
		if (cmd->sent < end) {
			size_t	n = end - cmd->sent;

			/* A big literal (an APPEND) goes a slice at a time,
			 * each when the socket took the last: the output
			 * queue stays small (NET_EV_DRAINED resumes). */
			if (net_conn_outq_len(c->conn) >= PUMP_SLICE)
				return;
			if (n > PUMP_SLICE)
				n = PUMP_SLICE;
			if (net_conn_write(c->conn, cmd->wire.data + cmd->sent,
			    n) == -1) {
				client_fail(c, "%s", proto_conn_err(c->conn, c->err));
				return;
			}
			cmd->sent += n;
			if (cmd->sent < end)
				continue;
		}
		if (cmd->sent < cmd->wire.len)
			return;		/* waiting for "+" */
		c->sendq = cmd->next;
		if (c->sendq == NULL)
			c->sendq_tail = NULL;
		flight_add(c, cmd);
	}
}

static struct cmd *
cmd_new(struct imap_client *c)
{
	struct cmd	*cmd = xcalloc(1, sizeof(*cmd));

	(void)snprintf(cmd->tag, sizeof(cmd->tag), "f%u", ++c->next_tag);
	buf_init(&cmd->wire, BOUND_COMMAND + IMAP_DEFAULT_LITERAL);
	buf_init(&cmd->trace, BOUND_COMMAND);
	if (add_text(cmd, cmd->tag, strlen(cmd->tag)) == -1 ||
	    add_text(cmd, " ", 1) == -1)
		fatalx("imap: cannot build a tag");
	return cmd;
}

static void
cmd_queue(struct imap_client *c, struct cmd *cmd)
{
	if (c->sendq_tail != NULL)
		c->sendq_tail->next = cmd;
	else
		c->sendq = cmd;
	c->sendq_tail = cmd;
	pump(c);
}

static int
vcmd(struct imap_client *c, imap_untagged_fn *untagged, imap_done_fn *done,
    void *arg, const char *fmt, va_list ap)
{
	struct cmd	*cmd;

	if (c->st == ST_FAILED)
		return -1;
	cmd = cmd_new(c);
	cmd->untagged = untagged;
	cmd->done = done;
	cmd->arg = arg;
	if (build(c, cmd, fmt, ap) == -1) {
		cmd_free(cmd);
		client_fail(c, "command too long or not encodable");
		return -1;
	}
	cmd_queue(c, cmd);
	return 0;
}

int
imap_client_vcmd(struct imap_client *c, imap_untagged_fn *untagged,
    imap_done_fn *done, void *arg, const char *fmt, va_list ap)
{
	va_list	aq;
	int	rc;

	c->busy++;
	va_copy(aq, ap);
	rc = vcmd(c, untagged, done, arg, fmt, aq);
	va_end(aq);
	if (--c->busy == 0 && c->close_pending)
		client_free(c);
	return rc;
}

int
imap_client_idle(struct imap_client *c, imap_done_fn *done, void *arg)
{
	int	rc;

	if (c->idle != NULL || !(c->caps & IMAP_CAP_IDLE))
		return -1;
	c->busy++;
	rc = imap_client_cmd(c, NULL, done, arg, "IDLE");
	if (rc == 0) {
		c->idle = c->sendq_tail != NULL ? c->sendq_tail : c->flight_tail;
		c->idle->is_idle = true;
	}
	leave(c);
	return rc;
}

int
imap_client_idle_done(struct imap_client *c)
{
	if (c->idle == NULL || c->st == ST_FAILED)
		return -1;
	c->busy++;
	if (c->idling)
		idle_send_done(c);
	else
		c->idle_stop = true;
	leave(c);
	return 0;
}

/* Leave a public entry point: the client goes if it was closed in it. */
static void
leave(struct imap_client *c)
{
	if (--c->busy == 0 && c->close_pending)
		client_free(c);
}

int
imap_client_cmd(struct imap_client *c, imap_untagged_fn *untagged,
    imap_done_fn *done, void *arg, const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	c->busy++;
	va_start(ap, fmt);
	rc = vcmd(c, untagged, done, arg, fmt, ap);
	va_end(ap);
	leave(c);
	return rc;
}

/* An internal command of the login sequence. */
static void
step_cmd(struct imap_client *c, imap_untagged_fn *untagged,
    imap_done_fn *done, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vcmd(c, untagged, done, c, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* The login sequence                                                  */

static void	next_step(struct imap_client *c);

static void
set_ready(struct imap_client *c)
{
	c->st = ST_READY;
	if (!c->ready_called) {
		c->ready_called = true;
		if (c->ready != NULL)
			c->ready(c, true, c->ready_arg);
	}
}

/* The server's refusal with its own words. */
static void
fail_refused(struct imap_client *c, const char *what,
    const struct imap_resp *r)
{
	if (r == NULL)
		return;		/* already failed */
	client_fail(c, "%s: %s%s%s%s%.*s", what,
	    r->status == IMAP_ST_BAD ? "BAD " : "",
	    r->has_code ? "[" : "", r->has_code ? r->code : "",
	    r->has_code ? "] " : "", (int)r->text_len, r->text);
}

static void
caps_untagged(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	(void)arg;
	if (strcmp(r->name, "CAPABILITY") == 0) {
		c->caps = caps_of(r->items, r->n);
		return;
	}
	/* Before TLS nothing but CAPABILITY is believed; after, the rest
	 * is the server's business. */
	if (c->st == ST_CAPS_PLAIN)
		client_fail(c, "unexpected response before TLS: %s",
		    r->name[0] != '\0' ? r->name : "status response");
	else if (c->p.unsolicited != NULL)
		c->p.unsolicited(c, r, c->p.arg);
}

static void
caps_done(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	(void)arg;
	if (r == NULL)
		return;
	if (r->status != IMAP_ST_OK) {
		fail_refused(c, "CAPABILITY refused", r);
		return;
	}
	next_step(c);
}

static void
starttls_untagged(struct imap_client *c, const struct imap_resp *r,
    void *arg)
{
	(void)arg;
	/* Capabilities sent now are not believed (they are asked again
	 * after TLS); anything else is an injection attempt or a bug. */
	if (strcmp(r->name, "CAPABILITY") != 0)
		client_fail(c, "unexpected response to STARTTLS: %s",
		    r->name[0] != '\0' ? r->name : "status response");
}

static void
starttls_done(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	(void)arg;
	if (r == NULL)
		return;
	if (r->status != IMAP_ST_OK) {
		fail_refused(c, "STARTTLS refused", r);
		return;
	}
	/* Input stops here (see on_readable): whatever follows the go-ahead
	 * before the handshake is refused by net_conn_starttls(). */
	c->st = ST_HANDSHAKE;
}

static void
auth_done(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	(void)arg;
	if (r == NULL)
		return;
	if (r->status != IMAP_ST_OK) {
		fail_refused(c, "login refused", r);
		return;
	}
	/* Capabilities change with login: take the code, or ask. */
	if (r->has_code && strcmp(r->code, "CAPABILITY") == 0) {
		c->caps = caps_of(r->code_args, r->ncode_args);
		set_ready(c);
		return;
	}
	c->st = ST_CAPS_AFTER;
	c->caps = 0;
	step_cmd(c, caps_untagged, caps_done, "CAPABILITY");
}

/* AUTHENTICATE MECH [initial response], the response kept for a "+". */
static void
authenticate(struct imap_client *c, const char *mech, char *resp)
{
	struct cmd	*cmd;

	if (resp == NULL) {
		client_fail(c, "credentials too long");
		return;
	}
	cmd = cmd_new(c);
	cmd->done = auth_done;
	cmd->arg = c;
	cmd->is_auth = true;
	if (add_text(cmd, "AUTHENTICATE ", 13) == -1 ||
	    add_text(cmd, mech, strlen(mech)) == -1)
		fatalx("imap: cannot build AUTHENTICATE");
	if ((c->caps & IMAP_CAP_SASL_IR) && strlen(resp) < 1024) {
		if (buf_printf(&cmd->wire, " %s", resp) == -1 ||
		    buf_append_str(&cmd->trace, " ***") == -1)
			fatalx("imap: cannot build AUTHENTICATE");
		xfree_secret(&resp);
		cmd->auth_reply = xstrdup("");
	} else
		cmd->auth_reply = resp;
	if (buf_append(&cmd->wire, "\r\n", 2) == -1)
		fatalx("imap: cannot build AUTHENTICATE");
	cmd_queue(c, cmd);
}

/* A "+" during AUTHENTICATE: the response, then empty lines (a server
 * that sends an error challenge, as XOAUTH2 does, gets an empty answer
 * and then says NO). */
static void
auth_continue(struct imap_client *c, struct cmd *cmd)
{
	const char	*reply = cmd->auth_reply != NULL ? cmd->auth_reply : "";

	trace(c, "C", reply[0] != '\0' ? "***" : "", reply[0] != '\0' ? 3 : 0);
	if (net_conn_write(c->conn, reply, strlen(reply)) == -1 ||
	    net_conn_write(c->conn, "\r\n", 2) == -1) {
		client_fail(c, "%s", proto_conn_err(c->conn, c->err));
		return;
	}
	xfree_secret(&cmd->auth_reply);
	cmd->auth_reply = xstrdup("");
}

static void
login(struct imap_client *c)
{
	enum imap_auth_mech	mech = c->p.mech;

	c->st = ST_AUTH;
	if (c->peer.secret == NULL || c->peer.user == NULL) {
		client_fail(c, "no user or password for %s", c->peer.host);
		return;
	}
	if (!net_conn_is_tls(c->conn) && !c->p.allow_plaintext_password) {
		client_fail(c, "refusing to send the password for %s to %s "
		    "without TLS (allow-plaintext-password allows it)",
		    c->peer.user, c->peer.host);
		return;
	}
	if (mech == IMAP_AUTH_AUTO)
		mech = (c->caps & IMAP_CAP_AUTH_PLAIN) ? IMAP_AUTH_PLAIN :
		    IMAP_AUTH_LOGIN;
	switch (mech) {
	case IMAP_AUTH_PLAIN:
		authenticate(c, "PLAIN", sasl_plain(c->peer.user, c->peer.secret));
		break;
	case IMAP_AUTH_XOAUTH2:
		authenticate(c, "XOAUTH2", sasl_xoauth2(c->peer.user, c->peer.secret));
		break;
	case IMAP_AUTH_OAUTHBEARER:
		authenticate(c, "OAUTHBEARER", sasl_oauthbearer(c->peer.user,
		    c->peer.host, c->peer.port, c->peer.secret));
		break;
	case IMAP_AUTH_AUTO:
	case IMAP_AUTH_LOGIN:
		if (c->caps & IMAP_CAP_LOGINDISABLED) {
			client_fail(c, "%s refuses LOGIN (LOGINDISABLED) and "
			    "offers no AUTH=PLAIN", c->peer.host);
			return;
		}
		step_cmd(c, NULL, auth_done, "LOGIN %a %A", c->peer.user,
		    c->peer.secret);
		break;
	}
}

/* What comes after the current step succeeded. */
static void
next_step(struct imap_client *c)
{
	switch (c->st) {
	case ST_GREETING:
		if (c->p.mode == IMAP_TLS_STARTTLS && !net_conn_is_tls(c->conn)) {
			if (c->caps != 0) {
				c->st = ST_CAPS_PLAIN;
				next_step(c);
				return;
			}
			c->st = ST_CAPS_PLAIN;
			step_cmd(c, caps_untagged, caps_done, "CAPABILITY");
			return;
		}
		if (c->preauth) {
			if (c->caps == 0) {
				c->st = ST_CAPS_AFTER;
				step_cmd(c, caps_untagged, caps_done,
				    "CAPABILITY");
				return;
			}
			set_ready(c);
			return;
		}
		if (c->caps == 0) {
			c->st = ST_CAPS;
			step_cmd(c, caps_untagged, caps_done, "CAPABILITY");
			return;
		}
		login(c);
		return;
	case ST_CAPS_PLAIN:
		if (!(c->caps & IMAP_CAP_STARTTLS)) {
			client_fail(c, "%s does not offer STARTTLS; not "
			    "going on without TLS", c->peer.host);
			return;
		}
		c->st = ST_STARTTLS;
		step_cmd(c, starttls_untagged, starttls_done, "STARTTLS");
		return;
	case ST_CAPS:
		login(c);
		return;
	case ST_CAPS_AFTER:
		set_ready(c);
		return;
	default:
		return;
	}
}

static void
on_greeting(struct imap_client *c, const struct imap_resp *r)
{
	if (r->kind != IMAP_UNTAGGED || (r->status != IMAP_ST_OK &&
	    r->status != IMAP_ST_PREAUTH && r->status != IMAP_ST_BYE)) {
		client_fail(c, "%s: not an IMAP greeting", c->peer.host);
		return;
	}
	if (r->status == IMAP_ST_BYE) {
		client_fail(c, "%s refused the connection: %.*s", c->peer.host,
		    (int)r->text_len, r->text);
		return;
	}
	if (r->status == IMAP_ST_PREAUTH && c->p.mode == IMAP_TLS_STARTTLS &&
	    !net_conn_is_tls(c->conn)) {
		client_fail(c, "%s says PREAUTH on a connection without TLS; "
		    "not going on without TLS", c->peer.host);
		return;
	}
	c->preauth = r->status == IMAP_ST_PREAUTH;
	if (r->has_code && strcmp(r->code, "CAPABILITY") == 0)
		c->caps = caps_of(r->code_args, r->ncode_args);
	next_step(c);
}

/* ------------------------------------------------------------------ */
/* Receiving                                                           */

static struct cmd *
flight_take(struct imap_client *c, const char *tag)
{
	struct cmd	*cmd, *prev = NULL;

	for (cmd = c->flight; cmd != NULL; prev = cmd, cmd = cmd->next) {
		if (strcmp(cmd->tag, tag) != 0)
			continue;
		if (prev != NULL)
			prev->next = cmd->next;
		else
			c->flight = cmd->next;
		if (c->flight_tail == cmd)
			c->flight_tail = prev;
		return cmd;
	}
	return NULL;
}

static void
on_continue(struct imap_client *c)
{
	struct cmd	*cmd = c->sendq;

	if (cmd != NULL && cmd->wi < cmd->nwaits &&
	    cmd->sent == cmd->waits[cmd->wi]) {
		cmd->wi++;
		pump(c);
		return;
	}
	for (cmd = c->flight; cmd != NULL; cmd = cmd->next)
		if (cmd->is_auth) {
			auth_continue(c, cmd);
			return;
		}
	if (c->idle != NULL && !c->idling) {
		c->idling = true;
		/* Idle as long as the server lets us (it says BYE after
		 * its own limit, 30 minutes at least). */
		net_conn_set_timeout(c->conn, -1);
		if (c->idle_stop)
			idle_send_done(c);
		return;
	}
	client_fail(c, "%s sent a continuation nobody asked for", c->peer.host);
}

static void
idle_send_done(struct imap_client *c)
{
	trace(c, "C", "DONE", 4);
	if (net_conn_write(c->conn, "DONE\r\n", 6) == -1)
		client_fail(c, "%s", proto_conn_err(c->conn, c->err));
	net_conn_set_timeout(c->conn, c->p.net.io_timeout_ms != 0 ?
	    c->p.net.io_timeout_ms : BOUND_IO_MS);
	c->idle_stop = false;
}

static void
on_untagged(struct imap_client *c, const struct imap_resp *r)
{
	struct cmd	*cmd = c->flight;

	if (r->status == IMAP_ST_BYE) {
		/* The reason of the close that follows. */
		(void)snprintf(c->err, sizeof(c->err), "%s closed the "
		    "connection: %.*s", c->peer.host, (int)r->text_len, r->text);
		c->bye = true;
		if (c->p.unsolicited != NULL)
			c->p.unsolicited(c, r, c->p.arg);
		return;
	}
	if (r->status == IMAP_ST_PREAUTH) {
		client_fail(c, "%s sent PREAUTH after its greeting", c->peer.host);
		return;
	}
	if (cmd != NULL && cmd->untagged != NULL)
		cmd->untagged(c, r, cmd->arg);
	else if (c->st == ST_STARTTLS || c->st == ST_CAPS_PLAIN)
		client_fail(c, "unexpected response before TLS");
	else if (c->p.unsolicited != NULL)
		c->p.unsolicited(c, r, c->p.arg);
}

/* Before TLS a man in the middle could write the text: not shown. */
static void
maybe_alert(struct imap_client *c, const struct imap_resp *r)
{
	bool	plain_phase = c->p.mode == IMAP_TLS_STARTTLS &&
	    !net_conn_is_tls(c->conn);

	if (r->kind != IMAP_CONTINUE && r->has_code &&
	    strcmp(r->code, "ALERT") == 0 && c->p.alert != NULL &&
	    !plain_phase)
		c->p.alert(r->text, r->text_len, c->p.arg);
}

static void
dispatch(struct imap_client *c, const struct imap_resp *r)
{
	struct cmd	*cmd;

	maybe_alert(c, r);
	if (c->st == ST_GREETING && !c->ready_called && c->flight == NULL &&
	    c->sendq == NULL) {
		on_greeting(c, r);
		return;
	}
	switch (r->kind) {
	case IMAP_CONTINUE:
		on_continue(c);
		return;
	case IMAP_UNTAGGED:
		on_untagged(c, r);
		return;
	case IMAP_TAGGED:
		cmd = flight_take(c, r->tag);
		if (cmd == NULL) {
			client_fail(c, "%s answered a command never sent "
			    "(tag %s)", c->peer.host, r->tag);
			return;
		}
		if (cmd == c->idle) {
			c->idle = NULL;
			c->idling = c->idle_stop = false;
		}
		if (cmd->done != NULL)
			cmd->done(c, r, cmd->arg);
		cmd_free(cmd);
		/* Commands held back by an IDLE go now. */
		if (c->st != ST_FAILED && !c->close_pending)
			pump(c);
		return;
	}
}

static void
on_readable(struct imap_client *c)
{
	struct imap_resp	 r;
	const char		*data;
	size_t			 len;
	char			 err[BOUND_ERRMSG];

	while (c->st != ST_FAILED && c->st != ST_HANDSHAKE &&
	    !c->close_pending) {
		switch (imap_reader_next(c->rd, c->conn, &data, &len, err,
		    sizeof(err))) {
		case IMAP_READ_WAIT:
			return;
		case IMAP_READ_FAIL:
			/* The words the connection failed with, too. */
			client_fail(c, "%s:%s: %s", c->peer.host, c->peer.port, err);
			return;
		case IMAP_READ_OK:
			break;
		}
		trace(c, "S", data, len >= 2 ? len - 2 : len);
		if (imap_parse(data, len, &r, err, sizeof(err)) == -1) {
			client_fail(c, "%s sent a malformed response (%s)",
			    c->peer.host, err);
			return;
		}
		dispatch(c, &r);
		imap_resp_free(&r);
	}
	if (c->st == ST_HANDSHAKE && net_conn_starttls(c->conn) == -1)
		client_fail(c, "%s", proto_conn_err(c->conn, c->err));
}

static void
on_event(struct net_conn *conn, enum net_event ev, void *arg)
{
	struct imap_client	*c = arg;

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
		/* Forget everything learnt before TLS. */
		c->caps = 0;
		c->st = ST_CAPS;
		step_cmd(c, caps_untagged, caps_done, "CAPABILITY");
		on_readable(c);
		break;
	case NET_EV_DRAINED:
		pump(c);
		break;
	case NET_EV_ERROR:
		if (c->bye) {
			char	bye[sizeof(c->err)];

			/* The server said why with BYE (whatever the
			 * socket says next: EOF, a broken pipe...). */
			(void)fct_strlcpy(bye, c->err, sizeof(bye));
			client_fail(c, "%s", bye);
		} else
			client_fail(c, "%s", proto_conn_err(c->conn, c->err));
		break;
	}
	leave(c);
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */

static struct imap_client *
client_new(struct net_loop *loop, const struct imap_client_params *p,
    imap_ready_cb *ready, void *arg, struct net_conn_params *np)
{
	struct imap_client	*c = xcalloc(1, sizeof(*c));

	c->loop = loop;
	c->p = *p;
	proto_peer_copy(&c->peer, &c->p.net, p->user, p->secret, "143");
	c->p.user = c->peer.user;
	c->p.secret = NULL;		/* only in c->peer.secret */
	c->ready = ready;
	c->ready_arg = arg;
	c->rd = imap_reader_new(&p->limits);
	c->st = ST_CONNECTING;
	*np = c->p.net;
	np->tls = p->mode == IMAP_TLS_IMPLICIT;
	return c;
}

struct imap_client *
imap_client_open(struct net_loop *loop, const struct net_source *src,
    const struct imap_client_params *params, imap_ready_cb *ready,
    void *arg)
{
	struct net_conn_params	 np;
	struct imap_client	*c = client_new(loop, params, ready, arg, &np);

	if (src->kind != NET_SOURCE_CONNECT) {
		/* No TLS from the first byte over a test's stream. */
		np.tls = false;
		c->bad_mode = params->mode == IMAP_TLS_IMPLICIT;
	}
	c->conn = net_conn_open(loop, src, &np, on_event, c);
	return c;
}

static void
client_free(struct imap_client *c)
{
	struct cmd	*cmd;

	while ((cmd = c->flight) != NULL) {
		c->flight = cmd->next;
		cmd_free(cmd);
	}
	while ((cmd = c->sendq) != NULL) {
		c->sendq = cmd->next;
		cmd_free(cmd);
	}
	net_conn_close(&c->conn);
	imap_reader_free(&c->rd);
	proto_peer_free(&c->peer);
	free(c);
}

void
imap_client_close(struct imap_client **cp)
{
	struct imap_client	*c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	*cp = NULL;
	if (c->busy > 0) {
		c->close_pending = true;
		return;
	}
	client_free(c);
}

uint32_t
imap_client_caps(const struct imap_client *c)
{
	return c->caps;
}

bool
imap_client_ok(const struct imap_client *c)
{
	return c->st != ST_FAILED;
}

const char *
imap_client_error(const struct imap_client *c)
{
	return c->err;
}

struct net_conn *
imap_client_conn(struct imap_client *c)
{
	return c->conn;
}

int
imap_client_wait(struct imap_client *c, const bool *flag)
{
	while (!*flag && c->st != ST_FAILED)
		if (net_loop_run_once(c->loop, -1) <= 0)
			return -1;
	return *flag ? 0 : -1;
}
