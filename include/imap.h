/*
 * imap.h: the IMAP4rev1 protocol (RFC 3501, 9051 where it agrees): the
 * response parser, the reader that assembles responses (lines and
 * literals) from a connection, and mailbox names (modified UTF-7, local
 * folder names).
 *
 * Everything that comes from the server is bounded: line length (the
 * connection's max_line), literal size and total response size (struct
 * imap_limits), nesting depth and item count (IMAP_MAX_DEPTH,
 * IMAP_MAX_ITEMS). A response that breaks a bound or the grammar is an
 * error with a reason, never a crash and never a guess.
 *
 * Ownership: a parsed response (struct imap_resp) points into the bytes it
 * was parsed from and into its own item pool; it lives until
 * imap_resp_free() and the bytes must outlive it. Strings returned by the
 * mailbox functions are owned by the caller (free()).
 */
#ifndef FACTEUR_IMAP_H
#define FACTEUR_IMAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net.h"
#include "util.h"

/* Deepest nesting of parenthesised lists (BODYSTRUCTURE nests deepest). */
#define IMAP_MAX_DEPTH		64
/* Most items (atoms, strings, lists) in one response. */
#define IMAP_MAX_ITEMS		(1024 * 1024)
/* Longest tag facteur sends or accepts back. */
#define IMAP_TAG_MAX		16

/* ------------------------------------------------------------------ */
/* Parsed responses                                                    */

enum imap_type {
	IMAP_ATOM,		/* atom, number, flag (\Seen), section
				 * (BODY[HEADER]<0>): the raw bytes */
	IMAP_STRING,		/* quoted (unescaped) or literal bytes */
	IMAP_NIL,		/* s, len keep "NIL": where the grammar
				 * wants an astring it is a name */
	IMAP_LIST		/* ( ... ) */
};

struct imap_item {
	enum imap_type		 type;
	const char		*s;	/* ATOM, STRING: not NUL-terminated;
					 * a literal may hold NUL bytes */
	size_t			 len;
	struct imap_item	*items;	/* LIST */
	size_t			 n;
	bool			 literal; /* STRING that came as {n} */
};

enum imap_kind {
	IMAP_TAGGED,		/* tag OK/NO/BAD [code] text */
	IMAP_UNTAGGED,		/* "* ..." */
	IMAP_CONTINUE		/* "+ text" */
};

enum imap_status {
	IMAP_ST_NONE,		/* untagged data (EXISTS, FETCH, LIST...) */
	IMAP_ST_OK,
	IMAP_ST_NO,
	IMAP_ST_BAD,
	IMAP_ST_BYE,		/* untagged only */
	IMAP_ST_PREAUTH		/* untagged only, in the greeting */
};

struct imap_pool;

struct imap_resp {
	enum imap_kind		 kind;
	char			 tag[IMAP_TAG_MAX + 1];	/* TAGGED */
	enum imap_status	 status;
	/* Untagged data: "* 12 EXISTS" has number 12 and name "EXISTS";
	 * "* CAPABILITY ..." has no number and name "CAPABILITY". Names
	 * are upper-cased copies. */
	bool			 has_number;
	uint32_t		 number;
	char			 name[32];
	/* Status responses: the response code in brackets, if any: its
	 * name upper-cased ("UIDVALIDITY", "ALERT", "CAPABILITY") and its
	 * arguments as items ("[UIDVALIDITY 3857529045]" has one atom,
	 * "[PERMANENTFLAGS (\Seen)]" one list). */
	bool			 has_code;
	char			 code[32];
	struct imap_item	*code_args;
	size_t			 ncode_args;
	/* Status and continuation responses: the human-readable text. */
	const char		*text;
	size_t			 text_len;
	/* Untagged data: the items after the name ("* LIST (\HasNoChildren)
	 * "/" INBOX" has a list, a string, an atom). */
	struct imap_item	*items;
	size_t			 n;
	struct imap_pool	*pool;	/* owned */
};

/*
 * Parse one complete response in wire form: the line, and for each
 * literal "{N}\r\n" followed by its N bytes and the rest of the line; the
 * final CRLF may be left out. On success fills *r (free it with
 * imap_resp_free()) and returns 0; else returns -1 with the reason in
 * err, and *r needs no freeing.
 */
int	 imap_parse(const char *data, size_t len, struct imap_resp *r,
	    char *err, size_t errlen);
void	 imap_resp_free(struct imap_resp *r);

/* True when the item is an atom equal to word, ASCII case-insensitively. */
bool	 imap_item_is(const struct imap_item *it, const char *word);
/*
 * The item as a number (an atom of digits, at most max): true and *out
 * set, or false. RFC 3501 numbers are 32-bit; mod-sequences 63-bit.
 */
bool	 imap_item_number(const struct imap_item *it, uint64_t max,
	    uint64_t *out);
/* A string or atom as a NUL-terminated copy (NIL: NULL); NULL too when it
 * holds a NUL byte. Owned. */
char	*imap_item_strdup(const struct imap_item *it);
/*
 * A set of UIDs as a server sends it ("41,43:116,118", as in VANISHED or
 * COPYUID): fn is called with each range, lo <= hi (a range written
 * backwards is turned round), in the order written. 0, or -1 when the
 * text is not such a set (empty, 0, "*", a number over 2^32-1, stray
 * bytes); fn may have been called for the ranges before the fault.
 */
/*
 * An INTERNALDATE ("17-Jul-1996 02:44:25 -0700", the day maybe with one
 * digit or a leading space) as seconds since 1970 UTC: 0, or -1 when it
 * is not one.
 */
int	 imap_internaldate_parse(const char *s, size_t n, int64_t *out);
typedef void imap_range_fn(uint32_t lo, uint32_t hi, void *arg);
int	 imap_uid_set_parse(const char *s, size_t n, imap_range_fn *fn,
	    void *arg);

/* ------------------------------------------------------------------ */
/* Reading responses from a connection                                 */

struct imap_limits {
	size_t	max_literal;	/* one literal; 0: IMAP_DEFAULT_LITERAL */
	size_t	max_response;	/* a whole response; 0: max_literal plus
				 * IMAP_DEFAULT_RESPONSE */
};

#define IMAP_DEFAULT_LITERAL	((size_t)64 * 1024 * 1024)
#define IMAP_DEFAULT_RESPONSE	((size_t)4 * 1024 * 1024)

struct imap_reader;

struct imap_reader *imap_reader_new(const struct imap_limits *limits);
void	 imap_reader_free(struct imap_reader **rd);

enum imap_read {
	IMAP_READ_OK,		/* *data, *len hold one whole response */
	IMAP_READ_WAIT,		/* need more input */
	IMAP_READ_FAIL		/* bound broken or connection failed; the
				 * reason is in err (the connection is made
				 * to fail too) */
};

/*
 * Take the next whole response from conn in wire form, for imap_parse().
 * *data stays valid until the next call with this reader.
 */
enum imap_read imap_reader_next(struct imap_reader *rd, struct net_conn *conn,
	    const char **data, size_t *len, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* Mailbox names                                                       */

/*
 * Modified UTF-7 (RFC 3501 5.1.3) to UTF-8. NULL when s is not valid and
 * canonical modified UTF-7: a byte outside printable ASCII, "&"
 * unterminated, bad base64 or non-zero padding bits, an empty shift other
 * than "&-", two adjacent shifts, a shift that encodes any ASCII character
 * (printable or not), invalid UTF-16. So what decodes encodes back to
 * exactly the input. Owned.
 */
char	*imap_mutf7_decode(const char *s, size_t len);
/* UTF-8 to modified UTF-7; NULL when s is not valid UTF-8 (RFC 3629) or
 * holds control characters (< 0x20, 0x7f). Owned. */
char	*imap_mutf7_encode(const char *s);

/*
 * The local folder name for a server mailbox (name in UTF-8, already
 * decoded; delim its hierarchy delimiter, 0 for none): levels joined by
 * "/", INBOX (any case) as the first level spelt "INBOX". NULL when it
 * cannot be stored safely, with the reason in why ("" on success; why may
 * be NULL): an empty name or level, ".", "..", a level starting with "."
 * or named cur, new or tmp (any case), control characters, invalid UTF-8,
 * a "/" inside a level when the delimiter is not "/", a backslash unless
 * it is the delimiter, a delimiter that is not printable ASCII, more than
 * BOUND_MAILBOX_NAME bytes, BOUND_MAILBOX_DEPTH levels or
 * BOUND_MAILBOX_LEVEL bytes in a level. Owned.
 */
char	*imap_mailbox_to_folder(const char *name, char delim, char *why,
	    size_t whylen);
/* The inverse for the folders imap_mailbox_to_folder() makes: the server
 * name (UTF-8) of a local folder name; NULL when a level is empty or
 * contains delim, or delim is not ASCII. Owned. */
char	*imap_folder_to_mailbox(const char *folder, char delim);
/*
 * A personal namespace with a prefix ("INBOX." on servers that keep every
 * folder under INBOX): local folders are named without it. The server
 * name without the prefix (pointing into name; INBOX itself and names
 * outside the prefix as they are), and the server name of a local folder
 * with it (owned; NULL as for imap_folder_to_mailbox()).
 */
const char *imap_mailbox_unprefixed(const char *name, const char *prefix);
char	*imap_folder_to_mailbox_ns(const char *folder, char delim,
	    const char *prefix);

/* ------------------------------------------------------------------ */
/* The client                                                          */

/* Capabilities facteur acts on (CAPABILITY response or code). */
#define IMAP_CAP_IMAP4REV1	(1u << 0)
#define IMAP_CAP_STARTTLS	(1u << 1)
#define IMAP_CAP_LOGINDISABLED	(1u << 2)
#define IMAP_CAP_SASL_IR	(1u << 3)
#define IMAP_CAP_AUTH_PLAIN	(1u << 4)
#define IMAP_CAP_AUTH_LOGIN	(1u << 5)
#define IMAP_CAP_AUTH_XOAUTH2	(1u << 6)
#define IMAP_CAP_AUTH_OAUTHBEARER (1u << 7)
#define IMAP_CAP_IDLE		(1u << 8)
#define IMAP_CAP_UIDPLUS	(1u << 9)
#define IMAP_CAP_MOVE		(1u << 10)
#define IMAP_CAP_CONDSTORE	(1u << 11)
#define IMAP_CAP_QRESYNC	(1u << 12)
#define IMAP_CAP_SPECIAL_USE	(1u << 13)
#define IMAP_CAP_LITERAL_PLUS	(1u << 14)	/* LITERAL+ */
#define IMAP_CAP_LITERAL_MINUS	(1u << 15)	/* LITERAL-: up to 4096 */
#define IMAP_CAP_ENABLE		(1u << 16)
#define IMAP_CAP_ID		(1u << 17)
#define IMAP_CAP_NAMESPACE	(1u << 18)
#define IMAP_CAP_LIST_STATUS	(1u << 19)
#define IMAP_CAP_ESEARCH	(1u << 20)
#define IMAP_CAP_UNSELECT	(1u << 21)

/* The capability bit of one word ("AUTH=PLAIN"), 0 when facteur has no
 * use for it. */
uint32_t imap_cap_bit(const char *word, size_t len);

enum imap_tls_mode {
	IMAP_TLS_IMPLICIT,	/* imaps:// */
	IMAP_TLS_STARTTLS,	/* imap:// with starttls (the default) */
	IMAP_TLS_NONE		/* imap:// with starttls = no */
};

enum imap_auth_mech {
	IMAP_AUTH_AUTO,		/* PLAIN if offered, else LOGIN */
	IMAP_AUTH_PLAIN,
	IMAP_AUTH_LOGIN,
	IMAP_AUTH_XOAUTH2,
	IMAP_AUTH_OAUTHBEARER
};

/* A protocol trace line: dir is "C" (sent) or "S" (received); secrets are
 * already masked. */
typedef void imap_trace_cb(const char *dir, const char *line, size_t len,
	    void *arg);

struct imap_client;

typedef void imap_alert_cb(const char *text, size_t len, void *arg);

/* Untagged responses that no command claims (EXISTS, EXPUNGE, FETCH of
 * flags changed by others, [ALERT]...); also given BYE. */
typedef void imap_unsolicited_cb(struct imap_client *c,
	    const struct imap_resp *r, void *arg);

struct imap_client_params {
	/* host, port, tls_ctx, tls_name, timeouts; tls is set from mode */
	struct net_conn_params	 net;
	enum imap_tls_mode	 mode;
	const char		*user;
	const char		*secret;	/* password or OAuth token;
						 * copied, wiped on close */
	enum imap_auth_mech	 mech;
	/* Send the password on a connection without TLS (never otherwise). */
	bool			 allow_plaintext_password;
	struct imap_limits	 limits;
	imap_trace_cb		*trace;
	imap_unsolicited_cb	*unsolicited;
	/* [ALERT] text, from any response once the connection is secure
	 * (or plaintext by choice): RFC 3501 says the user must see it. */
	imap_alert_cb		*alert;
	void			*arg;		/* for trace, unsolicited,
						 * alert */
};

/*
 * Called once when the client is logged in (ok true) or has failed (ok
 * false: imap_client_error() says why, with the server's text when the
 * server refused). The callback may close the client.
 */
typedef void imap_ready_cb(struct imap_client *c, bool ok, void *arg);

/*
 * Connect, greet, upgrade to TLS as the mode says, ask the capabilities
 * (again after TLS and after login) and log in. Never NULL; ready comes
 * later, from the loop. params and its strings are copied. src says
 * where the connection comes from (net.h): over a descriptor or a
 * memory buffer the connection counts as TLS-less, and mode
 * IMAP_TLS_IMPLICIT is refused.
 */
struct imap_client *imap_client_open(struct net_loop *loop,
	    const struct net_source *src,
	    const struct imap_client_params *params, imap_ready_cb *ready,
	    void *arg);
/* Close at once (no LOGOUT); commands in flight are not called back. */
void	 imap_client_close(struct imap_client **c);

uint32_t imap_client_caps(const struct imap_client *c);
bool	 imap_client_ok(const struct imap_client *c);	/* not failed */
const char *imap_client_error(const struct imap_client *c);
struct net_conn *imap_client_conn(struct imap_client *c);

/*
 * Commands. The untagged responses that arrive while a command is the
 * oldest in flight go to its untagged callback (NULL: to the client's
 * unsolicited one); its tagged response (OK, NO or BAD, with its code)
 * to done, or NULL when the connection failed first.
 */
typedef void imap_untagged_fn(struct imap_client *c,
	    const struct imap_resp *r, void *arg);
typedef void imap_done_fn(struct imap_client *c, const struct imap_resp *r,
	    void *arg);

/*
 * Queue a command (the tag is added). fmt is the command text with these
 * conversions: %s an atom or sequence set as it is (trusted text), %u an
 * unsigned, %U a uint64_t, %a an astring (atom, quoted string or
 * literal, as the value needs), %A the same for a secret (masked in the
 * trace), %m a mailbox name in UTF-8 (modified UTF-7, then as %a), %L a
 * literal (const char *, size_t). Literals are sent with LITERAL+ when the
 * server has it, else after its "+" go-ahead. Commands are pipelined.
 * Returns 0, or -1 when the client has failed (done is not called).
 */
int	 imap_client_cmd(struct imap_client *c, imap_untagged_fn *untagged,
	    imap_done_fn *done, void *arg, const char *fmt, ...);
int	 imap_client_vcmd(struct imap_client *c, imap_untagged_fn *untagged,
	    imap_done_fn *done, void *arg, const char *fmt, va_list ap);

/*
 * IDLE (RFC 2177): the server's news (EXISTS, EXPUNGE, FETCH) reaches
 * the unsolicited callback as it happens, with no time limit on the
 * connection, until imap_client_idle_done() sends DONE; done is then
 * called with the tagged answer. -1 when the server lacks IDLE or an
 * IDLE is already running. Commands queued meanwhile wait for its end.
 */
int	 imap_client_idle(struct imap_client *c, imap_done_fn *done,
	    void *arg);
int	 imap_client_idle_done(struct imap_client *c);

/*
 * Run the loop until *flag is true or the client fails; 0, or -1 when it
 * failed. For commands (sync, tests) that wait for their answers.
 */
int	 imap_client_wait(struct imap_client *c, const bool *flag);

#endif /* FACTEUR_IMAP_H */
