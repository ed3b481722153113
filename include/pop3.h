/*
 * pop3.h: POP3 (RFC 1939, 2449 CAPA, 2595 STLS, 5034 SASL): what facteur
 * reads from a server, parsed and bounded: status lines, multi-line
 * responses (dot-unstuffed), CAPA, STAT, LIST and UIDL lines, the APOP
 * timestamp of the greeting. Pure functions: no sockets here.
 *
 * Default rule: arguments are borrowed for the duration of the call;
 * strings returned are owned by the caller.
 */
#ifndef FACTEUR_POP3_H
#define FACTEUR_POP3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "net.h"

/* Longest response line accepted (RFC 1939 says 512 with the CRLF). */
#define POP3_LINE_MAX		4096
/* Longest unique-id (RFC 1939 7: 1 to 70 characters 0x21 to 0x7E). */
#define POP3_UIDL_MAX		70

enum pop3_status {
	POP3_OK,		/* "+OK" */
	POP3_ERR,		/* "-ERR" */
	POP3_CONT,		/* "+ " (a SASL challenge) */
	POP3_BAD		/* anything else */
};

/*
 * The status of a response line and, in *text / *tlen, what follows it
 * (without the space). "+OK", "+OK text", "-ERR", "-ERR text", "+ data"
 * and "+" are recognised; a NUL byte makes the line POP3_BAD.
 */
enum pop3_status pop3_status_line(const char *line, size_t len,
	    const char **text, size_t *tlen);

/*
 * A multi-line response's body, line by line (after its "+OK" line):
 * the line "." ends it, a line starting with "." loses that dot (RFC
 * 1939 3), and each line goes into data with "\n" after it. More than
 * max bytes (set at init) fails.
 */
struct pop3_multi {
	struct buf	 data;
	size_t		 lines;
	bool		 done;
};

enum pop3_feed {
	POP3_FEED_MORE,
	POP3_FEED_DONE,		/* the "." came */
	POP3_FEED_TOO_BIG
};

void	pop3_multi_init(struct pop3_multi *m, size_t max);
void	pop3_multi_reset(struct pop3_multi *m);
void	pop3_multi_free(struct pop3_multi *m);
enum pop3_feed pop3_multi_feed(struct pop3_multi *m, const char *line,
	    size_t len);

/* ------------------------------------------------------------------ */
/* Capabilities                                                        */

#define POP3_CAP_STLS		0x0001
#define POP3_CAP_UIDL		0x0002
#define POP3_CAP_TOP		0x0004
#define POP3_CAP_PIPELINING	0x0008
#define POP3_CAP_USER		0x0010
#define POP3_CAP_SASL_PLAIN	0x0020
#define POP3_CAP_SASL_XOAUTH2	0x0040
#define POP3_CAP_SASL_OAUTHBEARER 0x0080
#define POP3_CAP_RESP_CODES	0x0100
#define POP3_CAP_SASL		0x0200	/* some SASL line */

/* The capabilities of a CAPA response's lines (as pop3_multi holds
 * them: "\n" after each). */
unsigned pop3_capa_parse(const char *data, size_t len);

/* ------------------------------------------------------------------ */
/* Scan listings                                                       */

/* "+OK 12 3456" of STAT: the count and size; -1 when malformed. */
int	pop3_stat_parse(const char *text, size_t len, uint32_t *count,
	    uint64_t *size);
/* "3 1200" of LIST: -1 when malformed (message 0 is). */
int	pop3_list_line_parse(const char *line, size_t len, uint32_t *msg,
	    uint64_t *size);
/* "3 XyZ" of UIDL: the number and the unique-id (*uid points into
 * line); -1 when malformed or the id is not 1 to 70 characters from
 * 0x21 to 0x7E. */
int	pop3_uidl_line_parse(const char *line, size_t len, uint32_t *msg,
	    const char **uid, size_t *uidlen);
bool	pop3_uidl_ok(const char *uid, size_t len);

/* The APOP timestamp of a greeting ("<1896.697170952@dbc.mtview.ca.us>",
 * brackets included), owned, or NULL when there is none. */
char	*pop3_apop_stamp(const char *text, size_t len);

/* ------------------------------------------------------------------ */
/* The client                                                          */

/*
 * A non-blocking POP3 session: greeting, CAPA, STLS under the rules of
 * DEVELOPERS.md (required and not offered or refused: stop; bytes after
 * the go-ahead: abort; CAPA asked again after TLS, what came before
 * forgotten), then login (AUTH PLAIN, XOAUTH2 or OAUTHBEARER with an
 * initial response, APOP, else USER/PASS; never without TLS unless
 * allowed),
 * then commands, pipelined when the server offers PIPELINING.
 */

enum pop3_tls_mode {
	POP3_TLS_IMPLICIT,	/* pop3s:// (995) */
	POP3_TLS_STARTTLS,	/* pop3:// (110), STLS required */
	POP3_TLS_NONE		/* pop3:// with starttls = no */
};

enum pop3_auth_mech {
	POP3_MECH_AUTO,		/* SASL PLAIN if offered, else USER/PASS
				 * (APOP when the server has a stamp and
				 * CAPA without USER) */
	POP3_MECH_USER,
	POP3_MECH_APOP,		/* RFC 1939 7: MD5 of stamp and password */
	POP3_MECH_PLAIN,
	POP3_MECH_XOAUTH2,
	POP3_MECH_OAUTHBEARER
};

typedef void pop3_trace_cb(const char *dir, const char *line, size_t len,
	    void *arg);

struct pop3_client_params {
	struct net_conn_params	 net;	/* tls set from mode */
	enum pop3_tls_mode	 mode;
	const char		*user;
	const char		*secret;	/* copied, wiped on close */
	enum pop3_auth_mech	 mech;
	bool			 allow_plaintext_password;
	/* Largest multi-line body (a RETR); 0: 64 MiB. */
	size_t			 max_body;
	pop3_trace_cb		*trace;
	void			*arg;
};

struct pop3_client;

typedef void pop3_ready_cb(struct pop3_client *c, bool ok, void *arg);

/* A response: the status, its text, and for a multi-line command that
 * succeeded, the body (dot-unstuffed, "\n" line ends). Valid during the
 * callback. NULL when the connection failed first. */
struct pop3_resp {
	enum pop3_status	 status;
	const char		*text;
	size_t			 tlen;
	const char		*body;
	size_t			 blen;
};

typedef void pop3_done_fn(struct pop3_client *c, const struct pop3_resp *r,
	    void *arg);

/* Connect as src says (net.h), greet, CAPA, STLS and log in as the
 * mode says; ready later. Over a descriptor or a memory buffer
 * POP3_TLS_IMPLICIT is refused. params are copied. */
struct pop3_client *pop3_client_open(struct net_loop *loop,
	    const struct net_source *src,
	    const struct pop3_client_params *p, pop3_ready_cb *ready,
	    void *arg);
void	 pop3_client_close(struct pop3_client **c);
bool	 pop3_client_ok(const struct pop3_client *c);
const char *pop3_client_error(const struct pop3_client *c);
unsigned pop3_client_caps(const struct pop3_client *c);
/* The greeting's APOP timestamp, or NULL. */
const char *pop3_client_apop_stamp(const struct pop3_client *c);

/*
 * Queue a command (fmt as printf; the line must hold no CR or LF); multi:
 * a +OK answer has a body (UIDL, LIST, RETR, TOP, CAPA). Sent at once
 * with PIPELINING, else after the answer to the one before. -1 when the
 * client is not ready or failed, or the line cannot be built.
 */
int	 pop3_client_cmd(struct pop3_client *c, bool multi, pop3_done_fn *done,
	    void *arg, const char *fmt, ...) FCT_PRINTF(5, 6);
/* Turn the loop until *flag or the client failed: 0, or -1. */
int	 pop3_client_wait(struct pop3_client *c, const bool *flag);

#endif /* FACTEUR_POP3_H */
