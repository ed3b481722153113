/*
 * mime.h: messages: RFC 5322 header blocks, addresses and dates, MIME
 * trees (RFC 2045/2046), encoded words and parameters (RFC 2047/2231),
 * transfer decodings, conversion to UTF-8, format=flowed, HTML as text,
 * and composition of new messages, replies and forwards.
 *
 * mime/ knows no files and no sockets: it works on bytes in memory.
 * Everything here accepts broken mail: what cannot be parsed is kept
 * visible or skipped, never a crash; deliberate leniency is listed in
 * doc/VIOLATIONS.md. Text handed out for display is UTF-8 with control
 * characters made harmless (see mime_sanitize()).
 *
 * Default rule: arguments are borrowed for the duration of the call;
 * results are owned by the caller. Strings returned by functions are freed
 * with free(); structs with their *_free function. "Views" are (pointer,
 * length) pairs into a buffer the caller owns, valid while it lives.
 */
#ifndef FACTEUR_MIME_H
#define FACTEUR_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "util.h"

/* Caps: beyond them a message degrades gracefully (see VIOLATIONS.md). */
#define MIME_MAX_DEPTH		32	/* nested multiparts and messages */
#define MIME_MAX_PARTS		2000	/* parts in one message */
#define MIME_MAX_FIELDS		10000	/* header fields in one block */
#define MIME_MAX_PARAMS		64	/* parameters of one header */
#define MIME_MAX_ADDRS		10000	/* addresses in one header */

/* ------------------------------------------------------------------ */
/* Header blocks                                                       */

/* One field: views into the message. value is raw: folded, undecoded. */
struct mime_field {
	const char	*name;
	size_t		 name_len;
	const char	*value;		/* after the colon and leading blanks */
	size_t		 value_len;	/* trailing CR/LF excluded */
};

struct mime_headers {
	struct mime_field *fields;	/* owned array of views */
	size_t		   n;
	size_t		   len;		/* bytes of the block, the empty
					 * line that ends it included */
};

/*
 * Split the header block at the start of [msg, msg + len): fields end at
 * an LF not followed by a blank; the block ends at an empty line, at a
 * line that is not a field (a forgotten empty line: the body starts
 * there), or at the end of the data. Accepts CRLF and LF, blanks before
 * the colon (obsolete syntax) and an mbox "From " line first. At most BOUND_HEADER_BLOCK
 * bytes and MIME_MAX_FIELDS fields are read; the rest counts as body.
 * Never fails; free with mime_headers_free().
 */
void	 mime_headers_parse(const char *msg, size_t len,
	    struct mime_headers *h);
void	 mime_headers_free(struct mime_headers *h);
/* The first (or, with mime_headers_next, following) field named name
 * (ASCII case-insensitive); NULL if none. */
const struct mime_field *mime_headers_get(const struct mime_headers *h,
	    const char *name);
/* The last field named name, or NULL. */
const struct mime_field *mime_headers_last(const struct mime_headers *h,
	    const char *name);
const struct mime_field *mime_headers_next(const struct mime_headers *h,
	    const struct mime_field *after, const char *name);

/*
 * A header value as display text: unfolded, RFC 2047 words decoded, raw
 * 8-bit bytes read as UTF-8 when valid else in fallback_charset (NULL:
 * windows-1252), whitespace runs collapsed, control characters made
 * harmless. Never NULL.
 */
char	*mime_header_text(const char *value, size_t len,
	    const char *fallback_charset);

/* Unfold: drop CR and LF that fold lines; keep everything else. */
char	*mime_unfold(const char *value, size_t len);

/* ------------------------------------------------------------------ */
/* Charsets and text                                                   */

/*
 * Convert len bytes in charset to UTF-8, appending to out. Labels are
 * matched case-insensitively with the usual aliases (latin1 and
 * iso-8859-1 read as windows-1252, gb2312 as GB18030, ...). Bytes that
 * cannot be decoded become U+FFFD. An unknown charset is read as UTF-8
 * when valid, else as windows-1252. Returns the number of undecodable
 * sequences, or -1 when out is full.
 */
int	 mime_to_utf8(const char *charset, const char *in, size_t len,
	    struct buf *out) FCT_MUST_CHECK;
/* Convert UTF-8 text to charset ("utf-8", "iso-8859-1"...); -1 if some
 * character has no equivalent or charset is unknown. */
int	 mime_from_utf8(const char *charset, const char *in, size_t len,
	    struct buf *out) FCT_MUST_CHECK;
/* True if [s, s+n) is valid UTF-8 (no overlongs, no surrogates). */
bool	 mime_utf8_valid(const char *s, size_t n);
/* The canonical name iconv is given for a label, e.g. "windows-1252"
 * for "latin1" (static string), or NULL when unknown. */
const char *mime_charset_canonical(const char *label);

/*
 * Make UTF-8 text safe for a terminal, appending to out: C0 controls
 * except LF and TAB become caret notation (ESC is "^["), DEL "^?", C1
 * controls and invalid UTF-8 U+FFFD, CR dropped before LF and shown as
 * "^M" elsewhere. With keep_newlines false, LF and TAB become spaces.
 */
int	 mime_sanitize(const char *s, size_t n, bool keep_newlines,
	    struct buf *out) FCT_MUST_CHECK;

/* ------------------------------------------------------------------ */
/* Encoded words (RFC 2047) and parameters (RFC 2231)                  */

/*
 * Decode the encoded words of an unstructured value (already unfolded),
 * appending UTF-8 to out: B and Q encodings, any charset iconv knows, an
 * RFC 2231 language tag ignored, whitespace between adjacent encoded words
 * dropped. A malformed word stays as it was written. Raw 8-bit text is
 * read as UTF-8 when valid, else in fallback_charset.
 */
int	 mime_decode_words(const char *s, size_t n,
	    const char *fallback_charset, struct buf *out) FCT_MUST_CHECK;

/*
 * Encode UTF-8 text for a header: unchanged when it is printable ASCII
 * without "=?" sequences, else as encoded words (Q or B, whichever is
 * shorter, UTF-8) of at most 75 characters each, separated by spaces.
 * Also right for display names (phrase), with phrase true: then only
 * characters allowed in a phrase stay unencoded.
 */
char	*mime_encode_words(const char *utf8, bool phrase);

struct mime_param {
	char	*name;		/* lower case */
	char	*value;		/* decoded, UTF-8 */
};

/*
 * A Content-Type or Content-Disposition value: the token before the first
 * ';' (lower case, e.g. "text/plain" or "attachment") and its parameters
 * with RFC 2231 continuations and charsets joined and decoded, and RFC
 * 2047 words inside quoted values decoded (a common violation).
 */
struct mime_ctype {
	char			*value;		/* "text/plain", "attachment" */
	struct mime_param	*params;	/* owned array */
	size_t			 nparams;
};

void	 mime_ctype_parse(const char *s, size_t n,
	    const char *fallback_charset, struct mime_ctype *out);
void	 mime_ctype_free(struct mime_ctype *ct);
/* A parameter's value (borrowed from ct), or NULL. */
const char *mime_ctype_param(const struct mime_ctype *ct, const char *name);

/* ------------------------------------------------------------------ */
/* Addresses (RFC 5322 3.4)                                            */

struct mime_addr {
	char	*name;		/* decoded display name, UTF-8, or NULL */
	char	*addr;		/* "local@domain", NULL for an empty group */
	char	*group;		/* the group it is in, or NULL */
};

struct mime_addr_list {
	struct mime_addr *v;	/* owned array */
	size_t		  n;
};

/*
 * Parse an address-list header value (From, To, Cc, Reply-To...):
 * display names quoted, encoded or with commas, comments (a comment after
 * a bare address is its name, the obsolete form), groups (an empty group
 * "Undisclosed recipients:;" gives one entry with addr NULL), route
 * addresses, missing angle brackets. Appends to out; never fails.
 */
void	 mime_addr_parse(const char *value, size_t n,
	    const char *fallback_charset, struct mime_addr_list *out);
void	 mime_addr_list_free(struct mime_addr_list *l);
/* Append a copy of a to l. */
void	 mime_addr_list_add(struct mime_addr_list *l, const char *name,
	    const char *addr);
/* "Name <addr>" for a header: the name quoted or encoded as needed. */
char	*mime_addr_format(const struct mime_addr *a);
/* The whole list formatted for a header, folded at 78 columns after the
 * field name of length name_len ("To" is 2). */
char	*mime_addr_list_format(const struct mime_addr_list *l,
	    size_t name_len);
/* "Name <addr>" for display (UTF-8, unencoded; just addr without name). */
char	*mime_addr_display(const struct mime_addr *a);
/* True if addr is a plausible addr-spec: one '@', no blanks or controls,
 * non-empty local part and domain. */
bool	 mime_addr_valid(const char *addr);

/* ------------------------------------------------------------------ */
/* Dates (RFC 5322 3.3 and 4.3)                                        */

/*
 * Parse a Date value to seconds since the epoch (UTC): obsolete forms
 * accepted (two- and three-digit years, named zones, missing weekday or
 * seconds, comments, second 60, extra text after the zone). -1 when
 * unparseable (the caller shows "unknown").
 */
int	 mime_date_parse(const char *s, size_t n, int64_t *out);
/* "2024-03-01T09:30:00Z" into out (at least 21 bytes). */
void	 mime_date_iso(int64_t t, char *out, size_t n);
/* "Fri, 01 Mar 2024 10:30:00 +0100": t in the given offset (minutes). */
void	 mime_date_rfc5322(int64_t t, int tz_minutes, char *out, size_t n);

/* ------------------------------------------------------------------ */
/* Message-IDs (RFC 5322 3.6.4)                                        */

/* The first msg-id ("<...>", brackets included) in s, or NULL. */
char	*mime_msgid_first(const char *s, size_t n);
/*
 * Every msg-id of a References / In-Reply-To value, in order, appended to
 * *ids (an owned array of owned strings, *nids entries). Junk between ids
 * is skipped; at most max ids are kept (the last ones).
 */
void	 mime_msgid_list(const char *s, size_t n, size_t max, char ***ids,
	    size_t *nids);
/* A new "<random.time@domain>". */
char	*mime_msgid_new(const char *domain);

/* ------------------------------------------------------------------ */
/* Messages to send (facteur send, the outbox)                         */

#define MIME_OUT_ADDR_MAX	254	/* longest recipient address */

struct mime_out_params {
	const char	*from;		/* From to add when missing ("Name
					 * <addr>"), or NULL */
	const char	*sender;	/* the account's address, for the
					 * domain of a new Message-ID */
	int64_t		 now;		/* Date to add when missing */
	int		 tz_minutes;	/* its offset from UTC */
};

struct mime_outgoing {
	char	**rcpt;		/* To, Cc and Bcc addresses, each once */
	size_t	  nrcpt;
	char	 *copy;		/* the message to keep (outbox, Sent):
				 * missing fields added, Bcc kept */
	size_t	  copy_len;
	char	 *wire;		/* what is transmitted: copy without Bcc */
	size_t	  wire_len;
	char	 *message_id;	/* "<...>", or NULL when the message's own
				 * Message-ID holds none */
};

/*
 * Prepare msg for submission: every address of To, Cc and Bcc (each
 * once, each a valid addr-spec), Date, Message-ID and From added in
 * front when missing, the Bcc fields left out of the wire form. -1 with
 * err naming the field at fault, or saying there is no recipient or no
 * header. Everything in o is owned; free with mime_outgoing_free().
 */
int	 mime_outgoing_prepare(const char *msg, size_t len,
	    const struct mime_out_params *p, struct mime_outgoing *o,
	    char *err, size_t errlen);
void	 mime_outgoing_free(struct mime_outgoing *o);

/* ------------------------------------------------------------------ */
/* Transfer decodings                                                  */

/* Base64, ignoring anything outside the alphabet and bad padding. */
int	 mime_base64_decode(const char *s, size_t n, struct buf *out)
	    FCT_MUST_CHECK;
int	 mime_base64_encode(const char *s, size_t n, size_t line_len,
	    struct buf *out) FCT_MUST_CHECK;
/* Quoted-printable: soft breaks joined, bad escapes kept as written. */
int	 mime_qp_decode(const char *s, size_t n, struct buf *out)
	    FCT_MUST_CHECK;
/* Quoted-printable encoding of text with LF line ends, lines <= 76. */
int	 mime_qp_encode(const char *s, size_t n, struct buf *out)
	    FCT_MUST_CHECK;

/* ------------------------------------------------------------------ */
/* Text bodies                                                         */

/*
 * format=flowed (RFC 3676): join soft line breaks, undo space-stuffing,
 * honour DelSp=yes, keep quote depth ("> " prefixes normalised).
 */
int	 mime_flowed_decode(const char *s, size_t n, bool delsp,
	    struct buf *out) FCT_MUST_CHECK;
/* Encode text (LF line ends) as format=flowed, lines <= width. */
int	 mime_flowed_encode(const char *s, size_t n, size_t width,
	    struct buf *out) FCT_MUST_CHECK;

/*
 * HTML (UTF-8) as readable text: paragraphs and line breaks, lists with
 * bullets or numbers, headings, block quotes as "> ", <pre> kept, entities
 * decoded, scripts and styles dropped, links numbered "[1]" in the text
 * and listed at the end.
 */
int	 mime_html_to_text(const char *html, size_t n, struct buf *out)
	    FCT_MUST_CHECK;

/* ------------------------------------------------------------------ */
/* The MIME tree                                                       */

enum mime_cte {
	MIME_CTE_7BIT,		/* also 8bit, binary and unknown values */
	MIME_CTE_QP,
	MIME_CTE_BASE64
};

enum mime_disp {
	MIME_DISP_NONE,		/* no Content-Disposition */
	MIME_DISP_INLINE,
	MIME_DISP_ATTACHMENT
};

struct mime_part {
	struct mime_headers	 headers;	/* views into the message */
	struct mime_ctype	 ctype;		/* defaulted when absent */
	const char		*type;		/* "text/plain": ctype.value */
	const char		*charset;	/* lower case, from ctype, or
						 * NULL */
	enum mime_cte		 cte;
	enum mime_disp		 disp;
	char			*filename;	/* decoded, or NULL */
	char			 path[192];	/* IMAP part number "1.2";
						 * "" for a multipart root */
	const char		*base;		/* what the offsets are into:
						 * the message, or a decoded
						 * encapsulated message */
	size_t			 offset;	/* of the header block */
	size_t			 body_offset;	/* of the body */
	size_t			 body_len;	/* raw (encoded) */
	struct mime_part	*children;	/* owned array: the parts of a
						 * multipart, or the one
						 * message of a message/rfc822 */
	size_t			 nchildren;
	int			 depth;
	bool			 is_multipart;
	bool			 is_message;	/* message/rfc822 */
	bool			 no_final_boundary;
	bool			 capped;	/* children dropped: too deep
						 * or too many parts */
};

struct mime_msg {
	const char		*data;		/* borrowed: the raw message */
	size_t			 len;
	struct mime_part	 root;		/* the message's own part */
	size_t			 nparts;
	const struct mime_part	**leaves;	/* owned array, see
						 * mime_leaves() */
	size_t			 nleaves;
	const struct mime_part	**texts;	/* owned, mime_text_parts() */
	size_t			 ntexts;
	bool			 texts_html;	/* what texts was built for */
	bool			 texts_done;
	const char		*fallback;	/* borrowed from the opts */
	char			**owned;	/* decoded encapsulated
						 * messages (base64 or QP
						 * message/rfc822) */
	size_t			 nowned;
};

struct mime_opts {
	const char	*fallback_charset;	/* NULL: windows-1252 */
};

/*
 * Parse a whole message. data is borrowed and must outlive the result.
 * Never fails (a message that is only junk is one text/plain part).
 * Free with mime_msg_free().
 */
struct mime_msg *mime_parse(const char *data, size_t len,
	    const struct mime_opts *opts);
void	 mime_msg_free(struct mime_msg **msg);

/* The leaves (not multiparts, not messages) in depth-first order; a
 * borrowed array valid until mime_msg_free(), *n entries. */
const struct mime_part **mime_leaves(const struct mime_msg *msg,
	    size_t *n);

/* The body of part after transfer decoding (raw bytes, any charset). */
int	 mime_part_decode(const struct mime_msg *msg,
	    const struct mime_part *part, struct buf *out) FCT_MUST_CHECK;

/*
 * The body of a text part decoded and converted to UTF-8 from its charset
 * (when it has none: UTF-8 if valid, else fallback_charset), nothing
 * else: the input of an external HTML renderer.
 */
int	 mime_part_utf8(const struct mime_msg *msg,
	    const struct mime_part *part, const char *fallback_charset,
	    struct buf *out) FCT_MUST_CHECK;

/*
 * The text of a text part as UTF-8 for display: decoded, converted from
 * its charset (fallback when none), format=flowed undone, HTML rendered
 * with the built-in renderer, control characters made harmless.
 */
int	 mime_part_text(const struct mime_msg *msg,
	    const struct mime_part *part, const char *fallback_charset,
	    struct buf *out) FCT_MUST_CHECK;

/*
 * The parts a reader sees as the message text: for each
 * multipart/alternative the best alternative (text/plain unless
 * prefer_html), every inline text part elsewhere. Borrowed array valid
 * until mime_msg_free(); *n entries.
 */
const struct mime_part **mime_text_parts(const struct mime_msg *msg,
	    bool prefer_html, size_t *n);

/* True if part is shown as an attachment rather than as text. */
bool	 mime_is_attachment(const struct mime_part *part);

/* ------------------------------------------------------------------ */
/* Threading fields                                                    */

/*
 * What the index needs from a header block, decoded once. All strings
 * owned; free with mime_summary_free().
 */
struct mime_summary {
	char	*subject;	/* display text, or NULL */
	char	*from_name;	/* display name of the first From, or NULL */
	char	*from_addr;	/* addr-spec of the first From, or NULL */
	char	*message_id;	/* "<id>", or NULL */
	char	*in_reply_to;	/* first msg-id, or NULL */
	char   **references;	/* owned array, oldest first */
	size_t	 nreferences;
	int64_t	 date;		/* UTC, or -1 when unknown */
	bool	 has_attachment; /* Content-Type multipart/mixed or similar */
};

void	 mime_summary_from_headers(const struct mime_headers *h,
	    const char *fallback_charset, struct mime_summary *out);
void	 mime_summary_free(struct mime_summary *s);

/* ------------------------------------------------------------------ */
/* Composition                                                         */

struct mime_attachment {
	char		*filename;	/* as the recipient sees it (UTF-8) */
	char		*content_type;	/* NULL: guessed from name and data */
	char		*data;		/* owned bytes */
	size_t		 len;
	bool		 is_message;	/* message/rfc822, kept unencoded */
};

struct mime_draft {
	struct mime_addr_list	 from;
	struct mime_addr_list	 to;
	struct mime_addr_list	 cc;
	struct mime_addr_list	 bcc;
	struct mime_addr_list	 reply_to;
	char			*subject;	/* UTF-8 */
	char			*in_reply_to;	/* "<id>" or NULL */
	char		       **references;	/* owned array of "<id>" */
	size_t			 nreferences;
	char			*message_id;	/* NULL: generated */
	int64_t			 date;		/* 0: now */
	int			 tz_minutes;	/* offset for the Date header */
	char			*body;		/* UTF-8 text, LF line ends */
	bool			 flowed;	/* send as format=flowed */
	struct mime_attachment	*attachments;	/* owned array */
	size_t			 nattachments;
	char			*user_agent;	/* or NULL */
};

void	 mime_draft_free(struct mime_draft *d);
/* Add a copy of data as an attachment. */
void	 mime_draft_attach(struct mime_draft *d, const char *filename,
	    const char *content_type, const void *data, size_t len);

/*
 * The message as RFC 5322 bytes with LF line ends, appended to out: Date
 * and Message-ID generated when missing, headers encoded only where needed
 * and folded at 78 columns, the text as UTF-8 in 7bit, quoted-printable or
 * 8bit as appropriate, attachments in multipart/mixed as base64 with a
 * content type from the name and data and RFC 2231 names for non-ASCII
 * file names. Bcc is written only when include_bcc (drafts, Sent copies
 * shown to the user); never when sending. Returns -1 with err when a
 * header holds CR, LF or NUL (header injection) or an address is invalid.
 */
int	 mime_compose(const struct mime_draft *d, bool include_bcc,
	    struct buf *out, char *err, size_t errlen) FCT_MUST_CHECK;

/* The content type for a file name and its first bytes. */
const char *mime_guess_type(const char *filename, const char *data,
	    size_t len);

enum mime_reply_mode {
	MIME_REPLY_SENDER,	/* Reply-To, else From */
	MIME_REPLY_ALL,		/* plus To and Cc, without the user */
	MIME_REPLY_LIST		/* List-Post, else like SENDER */
};

struct mime_reply_opts {
	enum mime_reply_mode	 mode;
	/* The user's own addresses, left out of replies to all. */
	const char *const	*own_addrs;
	size_t			 nown;
	const struct mime_addr	*from;		/* the From of the reply */
	const char		*fallback_charset;
};

/*
 * A reply to msg: recipients by mode (no duplicates), "Re: " added once
 * (no "Re: Re:"), In-Reply-To and References, and the text quoted with
 * "> " after an attribution line ("On DATE, NAME wrote:"). -1 with err if
 * there is nobody to reply to (MIME_REPLY_LIST without a list).
 */
int	 mime_reply(const struct mime_msg *msg,
	    const struct mime_reply_opts *o, struct mime_draft *out,
	    char *err, size_t errlen);

/*
 * A forward of msg: "Fwd: " subject, and either the text inline after a
 * "Forwarded message" block (with the original's attachments attached)
 * or the whole message as a message/rfc822 attachment.
 */
int	 mime_forward(const struct mime_msg *msg, bool as_attachment,
	    const struct mime_addr *from, const char *fallback_charset,
	    struct mime_draft *out, char *err, size_t errlen);

/* The subject with any number of leading "Re:", "RE:", "Aw:", "Fwd:"
 * (and "[list] " tags before them) removed, for threading and replies. */
char	*mime_subject_base(const char *subject);

#endif /* FACTEUR_MIME_H */
