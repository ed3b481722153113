/*
 * smtp.h: SMTP submission (RFC 5321, 6409): the reply reader, the EHLO
 * extensions, the message as it goes on the wire, and a non-blocking
 * client that greets, upgrades to TLS, authenticates and sends messages
 * one transaction at a time.
 *
 * The client follows the rules of DEVELOPERS.md: with STARTTLS required
 * (smtp://), no AUTH and no MAIL before TLS, a server that does not offer
 * STARTTLS or refuses it stops the session, any byte after its 220
 * go-ahead aborts, and what EHLO said before TLS is forgotten and asked
 * again after. A password never goes over a connection without TLS unless
 * the account allows it.
 *
 * A transaction is all or nothing: MAIL and every RCPT (pipelined when
 * the server offers PIPELINING) are answered before DATA is sent, and if
 * any recipient is refused the transaction is reset, nothing is sent, and
 * the result says which recipient and why, with the server's text.
 *
 * Default rule: arguments are borrowed for the duration of the call;
 * objects returned by *_new and *_connect are owned by the caller and
 * released with the matching *_free / *_close.
 */
#ifndef FACTEUR_SMTP_H
#define FACTEUR_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "net.h"

/* ------------------------------------------------------------------ */
/* Replies                                                             */

/* A reply longer than this (lines, or bytes of text) fails the session. */
#define SMTP_REPLY_MAX_LINES	256
#define SMTP_REPLY_MAX_TEXT	(64 * 1024)
/* Longest reply line accepted (RFC 5321 says 512; servers exceed it). */
#define SMTP_LINE_MAX		4096

struct smtp_reply {
	int		 code;		/* 200..599, 0 while none */
	char		 enh[16];	/* "5.1.1" from the first line, or "" */
	struct buf	 text;		/* each line's text, "\n" between */
	size_t		 nlines;
	bool		 done;		/* the last line came */
};

enum smtp_feed {
	SMTP_FEED_MORE,			/* a "ddd-" line: more to come */
	SMTP_FEED_DONE,			/* the reply is complete */
	SMTP_FEED_BAD			/* not a reply line; err says why */
};

void	smtp_reply_init(struct smtp_reply *r);
/* Ready for the next reply (keeps the buffer). */
void	smtp_reply_reset(struct smtp_reply *r);
void	smtp_reply_free(struct smtp_reply *r);
/*
 * Add one line (without CRLF). A line must be three digits (first 2-5,
 * second 0-5), then "-" (more lines follow), " " or nothing (the last);
 * every line of a reply must carry the same code; NUL bytes, too many
 * lines or too much text are refused.
 */
enum smtp_feed smtp_reply_feed(struct smtp_reply *r, const char *line,
	    size_t len, char *err, size_t errlen);
/* The reply on one line for messages: "550 5.1.1 text; more text"
 * (control bytes made "?"); owned. */
char	*smtp_reply_line_new(const struct smtp_reply *r);

/* ------------------------------------------------------------------ */
/* EHLO extensions                                                     */

#define SMTP_EXT_STARTTLS	0x0001
#define SMTP_EXT_PIPELINING	0x0002
#define SMTP_EXT_SIZE		0x0004
#define SMTP_EXT_8BITMIME	0x0008
#define SMTP_EXT_SMTPUTF8	0x0010
#define SMTP_EXT_ENHANCED	0x0020	/* ENHANCEDSTATUSCODES */
#define SMTP_EXT_AUTH		0x0040	/* some AUTH line */

#define SMTP_AUTH_PLAIN		0x01
#define SMTP_AUTH_LOGIN		0x02
#define SMTP_AUTH_XOAUTH2	0x04
#define SMTP_AUTH_OAUTHBEARER	0x08

struct smtp_ext {
	unsigned	 bits;		/* SMTP_EXT_* */
	unsigned	 auth;		/* SMTP_AUTH_* offered */
	uint64_t	 size_max;	/* SIZE n; 0: no limit given */
};

/* The extensions of a successful EHLO reply (its first line is the
 * greeting and names no extension). */
void	smtp_ext_parse(const struct smtp_reply *r, struct smtp_ext *ext);

/* ------------------------------------------------------------------ */
/* Addresses and message bytes                                         */

/* Longest address in MAIL FROM / RCPT TO (RFC 5321 4.5.3.1.3 path). */
#define SMTP_ADDR_MAX		254

/*
 * Whether addr can go between < and > of MAIL FROM or RCPT TO: not
 * empty, at most SMTP_ADDR_MAX bytes, local@domain, no control bytes
 * (CR, LF, NUL...), no space, "<", ">" or "," outside a quoted local
 * part. Bytes over 127 are allowed (they need SMTPUTF8).
 */
bool	smtp_addr_ok(const char *addr);
/* Whether s holds a byte over 127. */
bool	smtp_has_8bit(const char *s, size_t n);

/*
 * The message as DATA sends it, appended to out: every line ending made
 * CRLF (a bare CR or LF too: none ever goes out alone), a "." doubled at
 * the start of a line, a final CRLF added when missing, then ".\r\n".
 * Returns the size the server will count (RFC 1870: the message with
 * CRLF line ends, before dot-stuffing).
 */
size_t	smtp_data_encode(const char *msg, size_t len, struct buf *out);
/* That size alone, without building the bytes. */
size_t	smtp_data_size(const char *msg, size_t len);

/* ------------------------------------------------------------------ */
/* The client                                                          */

enum smtp_tls_mode {
	SMTP_TLS_IMPLICIT,	/* smtps:// (465) */
	SMTP_TLS_STARTTLS,	/* smtp:// (587), STARTTLS required */
	SMTP_TLS_NONE		/* smtp:// with starttls = no */
};

enum smtp_auth_mech {
	SMTP_MECH_AUTO,		/* PLAIN if offered, else LOGIN */
	SMTP_MECH_PLAIN,
	SMTP_MECH_LOGIN,
	SMTP_MECH_XOAUTH2,
	SMTP_MECH_OAUTHBEARER
};

/* A protocol trace line: dir "C" (sent) or "S" (received); secrets are
 * masked, message bodies summed up. */
typedef void smtp_trace_cb(const char *dir, const char *line, size_t len,
	    void *arg);

struct smtp_client_params {
	/* host, port, tls_ctx, tls_name, timeouts; tls set from mode */
	struct net_conn_params	 net;
	enum smtp_tls_mode	 mode;
	const char		*helo;	/* the EHLO name; NULL: "localhost" */
	const char		*user;
	/* Password or OAuth token; NULL: no AUTH. Copied, wiped on
	 * close. */
	const char		*secret;
	enum smtp_auth_mech	 mech;
	/* Send the password on a connection without TLS (never
	 * otherwise). */
	bool			 allow_plaintext_password;
	/* Seconds to wait for the reply to the final "." (RFC 5321
	 * 4.5.3.2.6 says 10 minutes); 0: 600. */
	int			 data_timeout_s;
	smtp_trace_cb		*trace;
	void			*arg;		/* for trace */
};

struct smtp_client;

/* Called once when the session is ready for messages (ok true) or has
 * failed (smtp_client_error() says why, with the server's text). The
 * callback may close the client. */
typedef void smtp_ready_cb(struct smtp_client *c, bool ok, void *arg);

/* Connect, greet, EHLO (HELO when EHLO is refused and nothing needs an
 * extension), STARTTLS and EHLO again as the mode says, AUTH. Never
 * NULL; ready comes later, from the loop. params are copied. src says
 * where the connection comes from (net.h); over a descriptor or a memory
 * buffer SMTP_TLS_IMPLICIT is refused. */
struct smtp_client *smtp_client_open(struct net_loop *loop,
	    const struct net_source *src,
	    const struct smtp_client_params *params, smtp_ready_cb *ready,
	    void *arg);
/* Close at once; a transaction in flight is not called back. */
void	 smtp_client_close(struct smtp_client **c);

bool	 smtp_client_ok(const struct smtp_client *c);	/* not failed */
const char *smtp_client_error(const struct smtp_client *c);
const struct smtp_ext *smtp_client_ext(const struct smtp_client *c);
bool	 smtp_client_is_tls(const struct smtp_client *c);
/* Failed before a connection was made (no such host, refused, timed
 * out): the network, not the server, is at fault. */
bool	 smtp_client_unreachable(const struct smtp_client *c);

enum smtp_outcome {
	SMTP_SENT,		/* the server took the message (250 after .) */
	SMTP_REFUSED,		/* refused for good (5xx, or the client
				 * refused to send: too big, needs an
				 * extension the server lacks, bad address) */
	SMTP_DEFERRED,		/* refused for now (4xx): try again later */
	SMTP_FAILED		/* the session failed (network, protocol);
				 * whether the server kept the message is
				 * unknown only when it failed after "." */
};

struct smtp_rcpt_result {
	char	*addr;		/* owned */
	int	 code;		/* 0: not asked (an earlier failure) */
	char	*text;		/* the reply on one line, owned, or NULL */
};

struct smtp_result {
	enum smtp_outcome	 outcome;
	int			 code;	/* the deciding reply, 0: none */
	char			*text;	/* what happened, with the server's
					 * text when it refused; owned */
	struct smtp_rcpt_result	*rcpt;	/* one per recipient, owned */
	size_t			 nrcpt;
	bool			 after_dot;	/* failed while the final
						 * reply was awaited */
};

void	smtp_result_free(struct smtp_result *r);

struct smtp_envelope {
	const char		*from;		/* "" for the null path */
	const char *const	*rcpt;
	size_t			 nrcpt;
};

/* A transaction's result: the client's, valid during the call. */
typedef void smtp_sent_cb(struct smtp_client *c,
	    const struct smtp_result *res, void *arg);

/*
 * Send one message (len bytes, any line endings) to the envelope's
 * recipients. Only once ready, and one at a time: -1 (with err) when
 * the client is busy or failed. Checked before anything is sent: the
 * addresses (smtp_addr_ok), the size against SIZE, 8-bit bytes against
 * 8BITMIME, non-ASCII addresses against SMTPUTF8 (all SMTP_REFUSED with
 * a message naming what); such a refusal calls done before this
 * returns, any other result comes later, from the loop. done is called
 * exactly once, unless the client is closed first.
 */
int	 smtp_client_send(struct smtp_client *c,
	    const struct smtp_envelope *env, const char *msg, size_t len,
	    smtp_sent_cb *done, void *arg);
/* QUIT; the client is finished once *flag (set by it) is true. */
void	 smtp_client_quit(struct smtp_client *c, bool *flag);
/* Turn the loop until *flag is true or the client failed: 0, or -1. */
int	 smtp_client_wait(struct smtp_client *c, const bool *flag);

#endif /* FACTEUR_SMTP_H */
