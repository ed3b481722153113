/*
 * compose.c: new messages as RFC 5322 text: the header fields in a fixed
 * order, folded (RFC 5322 2.2.3), encoded only where needed (RFC 2047),
 * the text in 7bit or quoted-printable (RFC 2045 6), attachments in
 * multipart/mixed (RFC 2046 5.1.3) with their names (RFC 2183, RFC 2231);
 * plus the draft's memory, content types guessed from names and data, and
 * the base subject of replies and threads.
 *
 * Reading is lenient, writing is strict: a draft holding what a header
 * cannot carry (a line break: header injection), invalid UTF-8 or an
 * invalid address is refused with a reason, never repaired.
 *
 * Transfer encodings chosen:
 * - the text is 7bit when it is ASCII without CR and its lines fit in 998
 *   bytes (RFC 5322 2.1.1), else quoted-printable. Never 8bit: mime/ does
 *   not know whether the SMTP server offers 8BITMIME (RFC 6152), and QP
 *   reaches every server;
 * - attachments are base64 in lines of 76 (RFC 2045 6.8);
 * - attached messages are message/rfc822 unencoded, 7bit or 8bit as RFC
 *   2046 5.2.1 requires; one that cannot travel unencoded (NUL, CR, a line
 *   over 998 bytes) is sent as application/octet-stream in base64.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mime.h"
#include "mime_priv.h"

#define HDR_WIDTH	78	/* RFC 5322 2.1.1: lines SHOULD fit in 78 */
#define LINE_LIMIT	998	/* RFC 5322 2.1.1: lines MUST fit in 998 */
#define NAME_LIMIT	512	/* bytes of an attachment's file name */
#define FLOWED_WIDTH	72	/* RFC 3676 4.2: SHOULD be under 78 */
#define B64_LINE	76	/* RFC 2045 6.8 */
#define BOUNDARY_TRIES	8

/* Header words of a structured field ("text/plain", "charset=utf-8"),
 * written separated by "; ". */
struct tokens {
	char	**v;		/* owned strings */
	size_t	  n;
};

/* The body of the message, built before the header fields so the top
 * Content-Type can name the boundary. */
struct body {
	struct buf	 text;		/* the text, transfer-encoded */
	struct tokens	 text_type;	/* its Content-Type */
	const char	*text_cte;
	struct buf	*parts;		/* attachments: fields and body */
	size_t		 nparts;
	struct tokens	 top_type;	/* the message's Content-Type */
	const char	*top_cte;
	bool		 eightbit;	/* an attached message is 8bit */
	char		 boundary[48];
};

/* A header field being written, folded at HDR_WIDTH. */
struct hdr {
	struct buf	*out;
	size_t		 col;
	bool		 first;
	int		 rc;
};

/* ------------------------------------------------------------------ */
/* The draft                                                           */

void
mime_draft_free(struct mime_draft *d)
{
	size_t	i;

	if (d == NULL)
		return;
	mime_addr_list_free(&d->from);
	mime_addr_list_free(&d->to);
	mime_addr_list_free(&d->cc);
	mime_addr_list_free(&d->bcc);
	mime_addr_list_free(&d->reply_to);
	free(d->subject);
	free(d->in_reply_to);
	for (i = 0; i < d->nreferences; i++)
		free(d->references[i]);
	free(d->references);
	free(d->message_id);
	free(d->body);
	for (i = 0; i < d->nattachments; i++) {
		free(d->attachments[i].filename);
		free(d->attachments[i].content_type);
		free(d->attachments[i].data);
	}
	free(d->attachments);
	free(d->user_agent);
	memset(d, 0, sizeof(*d));
}

void
mime_draft_attach(struct mime_draft *d, const char *filename,
    const char *content_type, const void *data, size_t len)
{
	struct mime_attachment	*a;

	d->attachments = xreallocarray(d->attachments, d->nattachments + 1,
	    sizeof(*d->attachments));
	a = &d->attachments[d->nattachments++];
	memset(a, 0, sizeof(*a));
	a->filename = filename != NULL ? xstrdup(filename) : NULL;
	a->content_type = content_type != NULL ? xstrdup(content_type) :
	    NULL;
	a->data = len > 0 ? xmemdup0(data, len) : xstrdup("");
	a->len = len;
}

/* ------------------------------------------------------------------ */
/* Checks: what a header can carry                                     */

static bool
has_break(const char *s)
{
	return s != NULL && strpbrk(s, "\r\n") != NULL;
}

/* A copy of s fit for an error message: controls shown as '?'. */
static void
shown(const char *s, char *out, size_t n)
{
	size_t	i;

	for (i = 0; s[i] != '\0' && i + 1 < n; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' :
		    s[i];
	out[i] = '\0';
}

/* UTF-8 text for a header: no line break (header injection). */
static int
check_text(const char *what, const char *s, char *err, size_t errlen)
{
	if (s == NULL)
		return 0;
	if (has_break(s))
		return mime_fail(err, errlen, "%s contains a line break", what);
	if (!mime_utf8_valid(s, strlen(s)))
		return mime_fail(err, errlen, "%s is not valid UTF-8", what);
	return 0;
}

static int
check_list(const char *field, const struct mime_addr_list *l, char *err,
    size_t errlen)
{
	char	what[64], show[128];
	size_t	i;

	(void)snprintf(what, sizeof(what), "a name in %s", field);
	for (i = 0; i < l->n; i++) {
		const struct mime_addr	*a = &l->v[i];

		if (check_text(what, a->name, err, errlen) == -1 ||
		    check_text(what, a->group, err, errlen) == -1)
			return -1;
		if (a->addr == NULL) {
			/* An empty group ("undisclosed-recipients:;"). */
			if (a->group != NULL)
				continue;
			return mime_fail(err, errlen, "%s has an entry without "
			    "an address", field);
		}
		if (has_break(a->addr))
			return mime_fail(err, errlen, "an address in %s contains "
			    "a line break", field);
		if (!mime_addr_valid(a->addr)) {
			shown(a->addr, show, sizeof(show));
			return mime_fail(err, errlen, "invalid address in %s: "
			    "\"%s\"", field, show);
		}
	}
	return 0;
}

/* RFC 5322 3.6.4 msg-id, as one printable word: "<" no blanks ">". */
static bool
msgid_ok(const char *id)
{
	size_t	n = strlen(id), i;

	if (n < 3 || id[0] != '<' || id[n - 1] != '>')
		return false;
	for (i = 1; i + 1 < n; i++) {
		unsigned char	c = (unsigned char)id[i];

		if (c <= ' ' || c >= 0x7f || c == '<' || c == '>')
			return false;
	}
	return true;
}

static int
check_id(const char *field, const char *id, char *err, size_t errlen)
{
	char	show[128];

	if (id == NULL)
		return 0;
	if (has_break(id))
		return mime_fail(err, errlen, "%s contains a line break", field);
	if (!msgid_ok(id)) {
		shown(id, show, sizeof(show));
		return mime_fail(err, errlen, "%s is not a valid message id: "
		    "\"%s\"", field, show);
	}
	return 0;
}

/* RFC 2045 5.1 token: CHAR except SPACE, CTLs and tspecials. */
static bool
token_char(unsigned char c)
{
	return c > ' ' && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* "type/subtype", nothing else (parameters are ours to write). */
static bool
ctype_ok(const char *t)
{
	const char	*p = t;

	while (token_char((unsigned char)*p))
		p++;
	if (p == t || *p != '/')
		return false;
	t = ++p;
	while (token_char((unsigned char)*p))
		p++;
	return p > t && *p == '\0';
}

static int
check_attachment(const struct mime_attachment *a, char *err, size_t errlen)
{
	char	show[128];

	if (check_text("an attachment's file name", a->filename, err,
	    errlen) == -1)
		return -1;
	if (a->filename != NULL && strlen(a->filename) > NAME_LIMIT)
		return mime_fail(err, errlen, "an attachment's file name is "
		    "longer than %d bytes", NAME_LIMIT);
	if (a->content_type == NULL)
		return 0;
	if (has_break(a->content_type))
		return mime_fail(err, errlen, "an attachment's content type "
		    "contains a line break");
	if (!ctype_ok(a->content_type)) {
		shown(a->content_type, show, sizeof(show));
		return mime_fail(err, errlen, "invalid content type for an "
		    "attachment: \"%s\"", show);
	}
	return 0;
}

static bool
has_address(const struct mime_addr_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].addr != NULL)
			return true;
	return false;
}

static int
check_ua(const char *ua, char *err, size_t errlen)
{
	const char	*p;

	if (ua == NULL)
		return 0;
	if (has_break(ua))
		return mime_fail(err, errlen, "User-Agent contains a line break");
	for (p = ua; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return mime_fail(err, errlen, "User-Agent is not "
			    "printable ASCII");
	return 0;
}

static int
check_draft(const struct mime_draft *d, char *err, size_t errlen)
{
	size_t	i;

	if (check_text("Subject", d->subject, err, errlen) == -1 ||
	    check_list("From", &d->from, err, errlen) == -1 ||
	    check_list("To", &d->to, err, errlen) == -1 ||
	    check_list("Cc", &d->cc, err, errlen) == -1 ||
	    check_list("Bcc", &d->bcc, err, errlen) == -1 ||
	    check_list("Reply-To", &d->reply_to, err, errlen) == -1 ||
	    check_id("Message-ID", d->message_id, err, errlen) == -1 ||
	    check_id("In-Reply-To", d->in_reply_to, err, errlen) == -1 ||
	    check_ua(d->user_agent, err, errlen) == -1)
		return -1;
	for (i = 0; i < d->nreferences; i++)
		if (check_id("References", d->references[i], err,
		    errlen) == -1)
			return -1;
	for (i = 0; i < d->nattachments; i++)
		if (check_attachment(&d->attachments[i], err, errlen) == -1)
			return -1;
	if (!has_address(&d->from))
		return mime_fail(err, errlen, "the message has no From address");
	if (d->body != NULL && !mime_utf8_valid(d->body, strlen(d->body)))
		return mime_fail(err, errlen, "the text is not valid UTF-8");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Header fields                                                       */

static void
hdr_put(struct hdr *h, const char *s, size_t n)
{
	if (h->rc == 0 && buf_append(h->out, s, n) == -1)
		h->rc = -1;
}

static void
hdr_begin(struct hdr *h, struct buf *out, const char *name)
{
	h->out = out;
	h->rc = 0;
	h->first = true;
	hdr_put(h, name, strlen(name));
	hdr_put(h, ":", 1);
	h->col = strlen(name) + 1;
}

/*
 * One word, never split, after a space. When it would pass HDR_WIDTH the
 * line is folded before that space (RFC 5322 2.2.3: a CRLF inserted
 * before WSP), never before an empty word, so no folded line is only
 * blanks, and never before the first word of the field.
 */
static void
hdr_word(struct hdr *h, const char *w, size_t n)
{
	if (!h->first && n > 0 && h->col + 1 + n > HDR_WIDTH) {
		hdr_put(h, "\n", 1);
		h->col = 0;
	}
	hdr_put(h, " ", 1);
	hdr_put(h, w, n);
	h->col += 1 + n;
	h->first = false;
}

/* Words separated by single spaces: each space is a place to fold. */
static void
hdr_text(struct hdr *h, const char *s)
{
	const char	*sp;

	while ((sp = strchr(s, ' ')) != NULL) {
		hdr_word(h, s, (size_t)(sp - s));
		s = sp + 1;
	}
	hdr_word(h, s, strlen(s));
}

static int
hdr_end(struct hdr *h)
{
	hdr_put(h, "\n", 1);
	return h->rc;
}

static int
put_text(struct buf *out, const char *name, const char *value)
{
	struct hdr	h;

	hdr_begin(&h, out, name);
	hdr_text(&h, value);
	return hdr_end(&h);
}

static void
tok_add(struct tokens *t, char *s)
{
	t->v = xreallocarray(t->v, t->n + 1, sizeof(*t->v));
	t->v[t->n++] = s;
}

static void
tok_free(struct tokens *t)
{
	size_t	i;

	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* A structured field: "Name: a; b; c", folded between the tokens. */
static int
put_tokens(struct buf *out, const char *name, const struct tokens *t)
{
	struct hdr	 h;
	size_t		 i;
	char		*w;

	hdr_begin(&h, out, name);
	for (i = 0; i < t->n; i++) {
		if (i + 1 == t->n) {
			hdr_word(&h, t->v[i], strlen(t->v[i]));
			break;
		}
		w = xasprintf("%s;", t->v[i]);
		hdr_word(&h, w, strlen(w));
		free(w);
	}
	return hdr_end(&h);
}

static int
put_addrs(struct buf *out, const char *name, const struct mime_addr_list *l)
{
	char	*v;
	int	 r;

	if (l->n == 0)
		return 0;
	v = mime_addr_list_format(l, strlen(name));
	r = buf_printf(out, "%s: %s\n", name, v);
	free(v);
	return r;
}

static int
put_subject(struct buf *out, const char *subject)
{
	char	*enc;
	int	 r;

	if (subject == NULL || *subject == '\0')
		return 0;
	/* Encoded words are at most 75 characters and separated by
	 * spaces (RFC 2047 2), so folding at spaces never splits one. */
	enc = mime_encode_words(subject, false);
	r = put_text(out, "Subject", enc);
	free(enc);
	return r;
}

/* Message-ID (generated with the domain of the first From address when
 * missing), In-Reply-To, References folded between the ids. */
static int
put_ids(const struct mime_draft *d, struct buf *out)
{
	struct hdr	 h;
	const char	*dom = "localhost", *at;
	char		*id;
	size_t		 i;
	int		 r;

	if (d->message_id != NULL) {
		r = buf_printf(out, "Message-ID: %s\n", d->message_id);
	} else {
		for (i = 0; i < d->from.n; i++) {
			at = d->from.v[i].addr != NULL ?
			    strrchr(d->from.v[i].addr, '@') : NULL;
			if (at != NULL) {
				dom = at + 1;
				break;
			}
		}
		id = mime_msgid_new(dom);
		r = buf_printf(out, "Message-ID: %s\n", id);
		free(id);
	}
	if (r == 0 && d->in_reply_to != NULL)
		r = buf_printf(out, "In-Reply-To: %s\n", d->in_reply_to);
	if (r == 0 && d->nreferences > 0) {
		hdr_begin(&h, out, "References");
		for (i = 0; i < d->nreferences; i++)
			hdr_word(&h, d->references[i],
			    strlen(d->references[i]));
		r = hdr_end(&h);
	}
	return r;
}

static int
write_headers(const struct mime_draft *d, bool include_bcc,
    const struct body *b, struct buf *out)
{
	char	date[64];
	int64_t	t = d->date != 0 ? d->date : (int64_t)time(NULL);
	int	r;

	mime_date_rfc5322(t, d->tz_minutes, date, sizeof(date));
	r = put_text(out, "Date", date);
	if (r == 0)
		r = put_addrs(out, "From", &d->from);
	if (r == 0)
		r = put_addrs(out, "To", &d->to);
	if (r == 0)
		r = put_addrs(out, "Cc", &d->cc);
	if (r == 0 && include_bcc)
		r = put_addrs(out, "Bcc", &d->bcc);
	if (r == 0)
		r = put_addrs(out, "Reply-To", &d->reply_to);
	if (r == 0)
		r = put_subject(out, d->subject);
	if (r == 0)
		r = put_ids(d, out);
	if (r == 0)
		r = buf_append_str(out, "MIME-Version: 1.0\n");
	if (r == 0)
		r = put_tokens(out, "Content-Type", &b->top_type);
	if (r == 0)
		r = buf_printf(out, "Content-Transfer-Encoding: %s\n",
		    b->top_cte);
	if (r == 0 && d->user_agent != NULL)
		r = put_text(out, "User-Agent", d->user_agent);
	if (r == 0)
		r = buf_append_str(out, "\n");
	return r;
}

/* True if a line of the header block [s, s + n) passes LINE_LIMIT: only
 * an unbreakable word (a huge ASCII word in the subject) can do that. */
static bool
header_too_long(const char *s, size_t n)
{
	const char	*nl;

	while (n > 0) {
		nl = memchr(s, '\n', n);
		if (nl == NULL)
			return n > LINE_LIMIT;
		if ((size_t)(nl - s) > LINE_LIMIT)
			return true;
		n -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Parameters: file names (RFC 2183 2.3, RFC 2231)                     */

/* RFC 2231 7: attribute-char, kept as is in an extended value. */
static bool
attr_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$&+-.^_`{|}~", c) != NULL);
}

/*
 * Printable ASCII a quoted-string carries as it is. Not with "=?": many
 * readers (ours too, see VIOLATIONS.md) decode encoded words inside
 * quoted parameters, which would change such a name.
 */
static bool
quotable(const char *v)
{
	const char	*p;

	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return false;
	return strstr(v, "=?") == NULL;
}

static char *
quote_value(const char *v)
{
	size_t	 n = strlen(v), i, o = 0;
	char	*q = xmalloc(2 * n + 3);

	q[o++] = '"';
	for (i = 0; i < n; i++) {
		if (v[i] == '"' || v[i] == '\\')
			q[o++] = '\\';
		q[o++] = v[i];
	}
	q[o++] = '"';
	q[o] = '\0';
	return q;
}

static char *
pct_encode(const char *v)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 n = strlen(v), i, o = 0;
	char			*e = xmalloc(3 * n + 1);

	for (i = 0; i < n; i++) {
		unsigned char	c = (unsigned char)v[i];

		if (attr_char(c)) {
			e[o++] = (char)c;
			continue;
		}
		e[o++] = '%';
		e[o++] = hex[c >> 4];
		e[o++] = hex[c & 15];
	}
	e[o] = '\0';
	return e;
}

/* "%80" to "%BF": a UTF-8 continuation byte, which stays in the segment
 * of its character. */
static bool
is_cont(const char *e, size_t pos)
{
	return e[pos] == '%' && strchr("89AB", e[pos + 1]) != NULL;
}

/* Where the segment starting at pos ends: at most room characters, cut
 * between whole characters (never inside "%XX" or a UTF-8 sequence). */
static size_t
seg_end(const char *e, size_t pos, size_t len, size_t room)
{
	size_t	end = pos, q;

	while (end < len) {
		q = end + (e[end] == '%' ? 3 : 1);
		while (q < len && is_cont(e, q))
			q += 3;
		if (q - pos > room && end > pos)
			break;
		end = q;
	}
	return end;
}

/* RFC 2231 3 and 4: name*0*=utf-8''...; name*1*=...; each on a line. */
static void
param_continued(struct tokens *t, const char *name, const char *e)
{
	size_t		 len = strlen(e), pos = 0, cut, room;
	const char	*pre;
	unsigned	 idx = 0;

	while (pos < len) {
		pre = idx == 0 ? "utf-8''" : "";
		/* " name*NN*=" PRE SEGMENT ";" within HDR_WIDTH */
		room = HDR_WIDTH - 1 - strlen(name) - 5 - strlen(pre) - 1;
		cut = seg_end(e, pos, len, room);
		tok_add(t, xasprintf("%s*%u*=%s%.*s", name, idx, pre,
		    (int)(cut - pos), e + pos));
		pos = cut;
		idx++;
	}
}

/*
 * name="value" for printable ASCII that fits on a line; else the RFC 2231
 * extended form in UTF-8, continued over several lines when long. No
 * ASCII fallback beside it: RFC 2231 does not say which of two spellings
 * wins, and every current reader takes name*.
 */
static void
param_add(struct tokens *t, const char *name, const char *value)
{
	char	*q, *e;

	if (quotable(value)) {
		q = quote_value(value);
		if (1 + strlen(name) + 1 + strlen(q) + 1 <= HDR_WIDTH) {
			tok_add(t, xasprintf("%s=%s", name, q));
			free(q);
			return;
		}
		free(q);
	}
	e = pct_encode(value);
	if (1 + strlen(name) + strlen("*=utf-8''") + strlen(e) + 1 <=
	    HDR_WIDTH)
		tok_add(t, xasprintf("%s*=utf-8''%s", name, e));
	else
		param_continued(t, name, e);
	free(e);
}

/* ------------------------------------------------------------------ */
/* The body                                                            */

static bool
is_ascii(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* Whether data can travel as 7bit (RFC 2045 2.7) or, with 8-bit bytes,
 * 8bit (2.8): no NUL, no CR (text has LF line ends), lines <= 998. */
static bool
unencoded_ok(const char *s, size_t n)
{
	size_t	i, col = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n') {
			col = 0;
			continue;
		}
		if (s[i] == '\0' || s[i] == '\r' || ++col > LINE_LIMIT)
			return false;
	}
	return true;
}

static int
text_encode(const struct mime_draft *d, struct body *b)
{
	const char	*s = d->body != NULL ? d->body : "";
	size_t		 n = strlen(s);
	struct buf	 plain;
	bool		 qp;
	int		 r;

	buf_init(&plain, b->text.max);
	if (d->flowed)
		r = mime_flowed_encode(s, n, FLOWED_WIDTH, &plain);
	else
		r = buf_append(&plain, s, n);
	/* The text ends with a line break, added when missing. */
	if (r == 0 && plain.len > 0 && plain.data[plain.len - 1] != '\n')
		r = buf_append_byte(&plain, '\n');
	qp = !is_ascii(buf_str(&plain), plain.len) ||
	    !unencoded_ok(buf_str(&plain), plain.len);
	if (r == 0 && qp)
		r = mime_qp_encode(buf_str(&plain), plain.len, &b->text);
	else if (r == 0)
		r = buf_append(&b->text, buf_str(&plain), plain.len);
	buf_free(&plain);
	b->text_cte = qp ? "quoted-printable" : "7bit";
	tok_add(&b->text_type, xstrdup("text/plain"));
	tok_add(&b->text_type, xstrdup("charset=utf-8"));
	if (d->flowed) {
		tok_add(&b->text_type, xstrdup("format=flowed"));
		tok_add(&b->text_type, xstrdup("delsp=no"));
	}
	return r;
}

static int
base64_body(const struct mime_attachment *a, struct buf *out)
{
	if (mime_base64_encode(a->data, a->len, B64_LINE, out) == -1)
		return -1;
	/* The last line break belongs to the next delimiter. */
	if (out->len > 0 && out->data[out->len - 1] == '\n')
		buf_truncate(out, out->len - 1);
	return 0;
}

/* Content-Type and Content-Disposition tokens of an attachment; returns
 * whether it goes unencoded (an attached message). */
static bool
att_tokens(const struct mime_attachment *a, struct tokens *ct,
    struct tokens *cd)
{
	const char	*type;
	bool		 msg;

	type = a->content_type != NULL ? a->content_type :
	    mime_guess_type(a->filename, a->data, a->len);
	msg = a->is_message || ascii_casecmp(type, "message/rfc822") == 0;
	if (msg && !unencoded_ok(a->data, a->len)) {
		/* RFC 2046 5.2.1 forbids base64 for message/rfc822. */
		msg = false;
		type = "application/octet-stream";
	}
	tok_add(ct, xstrdup(msg ? "message/rfc822" : type));
	if (!msg && ascii_ncasecmp(type, "text/", 5) == 0 &&
	    !is_ascii(a->data, a->len) && mime_utf8_valid(a->data, a->len))
		tok_add(ct, xstrdup("charset=utf-8"));
	tok_add(cd, xstrdup("attachment"));
	if (a->filename != NULL && *a->filename != '\0') {
		/* name= too, as Thunderbird writes it, for readers that
		 * only look at the Content-Type. */
		param_add(ct, "name", a->filename);
		param_add(cd, "filename", a->filename);
	}
	return msg;
}

static int
att_encode(const struct mime_attachment *a, struct buf *out,
    bool *eightbit)
{
	struct tokens	ct = { NULL, 0 }, cd = { NULL, 0 };
	bool		msg, eight;
	int		r;

	msg = att_tokens(a, &ct, &cd);
	eight = msg && !is_ascii(a->data, a->len);
	r = put_tokens(out, "Content-Type", &ct);
	if (r == 0)
		r = put_tokens(out, "Content-Disposition", &cd);
	if (r == 0)
		r = buf_printf(out, "Content-Transfer-Encoding: %s\n\n",
		    msg ? (eight ? "8bit" : "7bit") : "base64");
	if (r == 0)
		r = msg ? buf_append(out, a->data, a->len) :
		    base64_body(a, out);
	if (eight)
		*eightbit = true;
	tok_free(&ct);
	tok_free(&cd);
	return r;
}

/* "=_" cannot occur in quoted-printable nor base64 (RFC 2045 6.7 note),
 * and the random part makes it unlikely anywhere; it is checked anyway. */
static void
make_boundary(char *out, size_t n, unsigned attempt)
{
	static const char	set[] = "0123456789"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	unsigned char		r[32];
	struct sha256		c;
	int64_t			seed[3];
	size_t			i;

	if (getentropy(r, 24) == -1) {
		/* No entropy: the clock will do, the check below keeps
		 * the result correct. */
		seed[0] = time_mono_ms();
		seed[1] = (int64_t)time(NULL);
		seed[2] = (int64_t)attempt;
		sha256_init(&c);
		sha256_update(&c, seed, sizeof(seed));
		sha256_final(&c, r);
	}
	(void)snprintf(out, n, "=_fct_");
	for (i = 0; i < 24 && 6 + i + 1 < n; i++) {
		out[6 + i] = set[r[i] % (sizeof(set) - 1)];
		out[6 + i + 1] = '\0';
	}
}

/* A boundary found nowhere in the parts (RFC 2046 5.1.1). */
static int
pick_boundary(struct body *b)
{
	unsigned	tries;
	size_t		i, blen;
	bool		seen;

	for (tries = 0; tries < BOUNDARY_TRIES; tries++) {
		make_boundary(b->boundary, sizeof(b->boundary), tries);
		blen = strlen(b->boundary);
		seen = mem_find(buf_str(&b->text), b->text.len, b->boundary,
		    blen) != NULL;
		for (i = 0; i < b->nparts && !seen; i++)
			seen = mem_find(buf_str(&b->parts[i]),
			    b->parts[i].len, b->boundary, blen) != NULL;
		if (!seen)
			return 0;
	}
	return -1;
}

static void
body_free(struct body *b)
{
	size_t	i;

	buf_free(&b->text);
	tok_free(&b->text_type);
	for (i = 0; i < b->nparts; i++)
		buf_free(&b->parts[i]);
	free(b->parts);
	tok_free(&b->top_type);
}

/* Encode the text and the attachments, choose the top Content-Type. */
static int
build_body(const struct mime_draft *d, struct body *b, size_t max,
    char *err, size_t errlen)
{
	size_t	i;

	memset(b, 0, sizeof(*b));
	buf_init(&b->text, max);
	if (text_encode(d, b) == -1)
		return mime_fail(err, errlen, "the message is too large");
	if (d->nattachments == 0) {
		for (i = 0; i < b->text_type.n; i++)
			tok_add(&b->top_type, xstrdup(b->text_type.v[i]));
		b->top_cte = b->text_cte;
		return 0;
	}
	b->parts = xcalloc(d->nattachments, sizeof(*b->parts));
	for (i = 0; i < d->nattachments; i++) {
		buf_init(&b->parts[i], max);
		b->nparts++;
		if (att_encode(&d->attachments[i], &b->parts[i],
		    &b->eightbit) == -1)
			return mime_fail(err, errlen, "the message is too large");
	}
	if (pick_boundary(b) == -1)
		return mime_fail(err, errlen, "no multipart boundary absent "
		    "from the content could be found");
	tok_add(&b->top_type, xstrdup("multipart/mixed"));
	tok_add(&b->top_type, xasprintf("boundary=\"%s\"", b->boundary));
	/* RFC 2045 6.4: a multipart is labelled with the widest
	 * encoding of its parts. */
	b->top_cte = b->eightbit ? "8bit" : "7bit";
	return 0;
}

/*
 * The body after the header block. The line break before each delimiter
 * belongs to the delimiter (RFC 2046 5.1.1), so every part's content
 * comes back byte for byte.
 */
static int
write_body(const struct body *b, struct buf *out)
{
	size_t	i;
	int	r;

	if (b->nparts == 0)
		return buf_append(out, buf_str(&b->text), b->text.len);
	r = buf_printf(out, "This is a multi-part message in MIME format.\n"
	    "--%s\n", b->boundary);
	if (r == 0)
		r = put_tokens(out, "Content-Type", &b->text_type);
	if (r == 0)
		r = buf_printf(out, "Content-Transfer-Encoding: %s\n\n",
		    b->text_cte);
	if (r == 0)
		r = buf_append(out, buf_str(&b->text), b->text.len);
	for (i = 0; i < b->nparts && r == 0; i++) {
		r = buf_printf(out, "\n--%s\n", b->boundary);
		if (r == 0)
			r = buf_append(out, buf_str(&b->parts[i]),
			    b->parts[i].len);
	}
	if (r == 0)
		r = buf_printf(out, "\n--%s--\n", b->boundary);
	return r;
}

int
mime_compose(const struct mime_draft *d, bool include_bcc, struct buf *out,
    char *err, size_t errlen)
{
	struct body	b;
	size_t		start = out->len, hend;
	int		r;

	if (check_draft(d, err, errlen) == -1)
		return -1;
	r = build_body(d, &b, out->max, err, errlen);
	if (r == 0 && write_headers(d, include_bcc, &b, out) == -1)
		r = mime_fail(err, errlen, "the message is too large");
	hend = out->len;
	if (r == 0 && header_too_long(out->data + start, hend - start))
		r = mime_fail(err, errlen, "a header line would be longer than "
		    "%d characters: a word in it is too long", LINE_LIMIT);
	if (r == 0 && write_body(&b, out) == -1)
		r = mime_fail(err, errlen, "the message is too large");
	body_free(&b);
	if (r == -1)
		buf_truncate(out, start);
	return r;
}

/* ------------------------------------------------------------------ */
/* Content types                                                       */

static const struct {
	const char	*ext;
	const char	*type;
} ext_types[] = {
	{ "txt", "text/plain" },	{ "text", "text/plain" },
	{ "log", "text/plain" },	{ "asc", "text/plain" },
	{ "html", "text/html" },	{ "htm", "text/html" },
	{ "css", "text/css" },		{ "csv", "text/csv" },
	{ "tsv", "text/tab-separated-values" },
	{ "md", "text/markdown" },	{ "markdown", "text/markdown" },
	{ "ics", "text/calendar" },	{ "vcf", "text/vcard" },
	{ "c", "text/x-c" },		{ "h", "text/x-c" },
	{ "cc", "text/x-c++" },		{ "cpp", "text/x-c++" },
	{ "hpp", "text/x-c++" },	{ "py", "text/x-python" },
	{ "java", "text/x-java" },	{ "go", "text/x-go" },
	{ "rs", "text/x-rust" },	{ "js", "text/javascript" },
	{ "sh", "application/x-sh" },	{ "patch", "text/x-patch" },
	{ "diff", "text/x-diff" },	{ "json", "application/json" },
	{ "xml", "application/xml" },	{ "yaml", "application/yaml" },
	{ "yml", "application/yaml" },	{ "eml", "message/rfc822" },
	{ "pdf", "application/pdf" },	{ "rtf", "application/rtf" },
	{ "png", "image/png" },		{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },	{ "gif", "image/gif" },
	{ "webp", "image/webp" },	{ "svg", "image/svg+xml" },
	{ "bmp", "image/bmp" },		{ "tif", "image/tiff" },
	{ "tiff", "image/tiff" },	{ "heic", "image/heic" },
	{ "ico", "image/vnd.microsoft.icon" },
	{ "zip", "application/zip" },	{ "gz", "application/gzip" },
	{ "tgz", "application/gzip" },	{ "tar", "application/x-tar" },
	{ "bz2", "application/x-bzip2" }, { "xz", "application/x-xz" },
	{ "zst", "application/zstd" },	{ "7z", "application/x-7z-compressed" },
	{ "rar", "application/vnd.rar" },
	{ "doc", "application/msword" },
	{ "docx", "application/vnd.openxmlformats-officedocument."
	    "wordprocessingml.document" },
	{ "xls", "application/vnd.ms-excel" },
	{ "xlsx", "application/vnd.openxmlformats-officedocument."
	    "spreadsheetml.sheet" },
	{ "ppt", "application/vnd.ms-powerpoint" },
	{ "pptx", "application/vnd.openxmlformats-officedocument."
	    "presentationml.presentation" },
	{ "odt", "application/vnd.oasis.opendocument.text" },
	{ "ods", "application/vnd.oasis.opendocument.spreadsheet" },
	{ "odp", "application/vnd.oasis.opendocument.presentation" },
	{ "epub", "application/epub+zip" },
	{ "mp3", "audio/mpeg" },	{ "ogg", "audio/ogg" },
	{ "oga", "audio/ogg" },		{ "opus", "audio/ogg" },
	{ "flac", "audio/flac" },	{ "wav", "audio/wav" },
	{ "m4a", "audio/mp4" },		{ "mp4", "video/mp4" },
	{ "m4v", "video/mp4" },		{ "mov", "video/quicktime" },
	{ "webm", "video/webm" },	{ "mkv", "video/x-matroska" },
	{ "avi", "video/x-msvideo" },	{ "ttf", "font/ttf" },
	{ "otf", "font/otf" },		{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
};

/* Magic numbers of the common binary formats. */
static const struct {
	const char	*magic;
	size_t		 len;
	const char	*type;
} magic_types[] = {
	{ "\x89PNG\r\n\x1a\n", 8, "image/png" },
	{ "\xff\xd8\xff", 3, "image/jpeg" },
	{ "GIF87a", 6, "image/gif" },
	{ "GIF89a", 6, "image/gif" },
	{ "%PDF-", 5, "application/pdf" },
	{ "PK\x03\x04", 4, "application/zip" },
	{ "PK\x05\x06", 4, "application/zip" },
	{ "\x1f\x8b", 2, "application/gzip" },
};

static const char *
type_by_name(const char *filename)
{
	const char	*dot, *slash;
	size_t		 i;

	if (filename == NULL)
		return NULL;
	dot = strrchr(filename, '.');
	slash = strrchr(filename, '/');
	if (dot == NULL || dot[1] == '\0' || (slash != NULL && slash > dot))
		return NULL;
	for (i = 0; i < sizeof(ext_types) / sizeof(ext_types[0]); i++)
		if (ascii_casecmp(dot + 1, ext_types[i].ext) == 0)
			return ext_types[i].type;
	return NULL;
}

const char *
mime_guess_type(const char *filename, const char *data, size_t len)
{
	const char	*t = type_by_name(filename);
	size_t		 i;

	if (t != NULL)
		return t;
	if (data == NULL)
		len = 0;
	for (i = 0; i < sizeof(magic_types) / sizeof(magic_types[0]); i++)
		if (len >= magic_types[i].len && memcmp(data,
		    magic_types[i].magic, magic_types[i].len) == 0)
			return magic_types[i].type;
	if (len == 0 || (memchr(data, '\0', len) == NULL &&
	    mime_utf8_valid(data, len)))
		return "text/plain";
	return "application/octet-stream";
}

/* ------------------------------------------------------------------ */
/* Base subjects                                                       */

/* Reply and forward prefixes in the languages mail clients use. */
static const char *const subj_prefixes[] = {
	"re", "aw", "sv", "vs", "antw", "odp", "res", "rif", "fwd", "fw",
	"tr", "wg", "rv", "enc", "doorst", "vb",
};

static const char *
skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Length of one prefix at s: "Re:", "RE :", "Re[2]:", "Re(2):", "Fwd:",
 * also with a full-width colon (U+FF1A); 0 if none. */
static size_t
prefix_len(const char *s)
{
	const char	*p;
	size_t		 i, n;

	for (i = 0; i < sizeof(subj_prefixes) / sizeof(subj_prefixes[0]);
	    i++) {
		n = strlen(subj_prefixes[i]);
		if (ascii_ncasecmp(s, subj_prefixes[i], n) != 0)
			continue;
		p = s + n;
		if (*p == '[' || *p == '(') {
			char	close = *p == '[' ? ']' : ')';

			p++;
			while (*p >= '0' && *p <= '9')
				p++;
			if (p == s + n + 1 || *p != close)
				continue;
			p++;
		}
		p = skip_blanks(p);
		if (*p == ':')
			return (size_t)(p + 1 - s);
		if (strncmp(p, "\xef\xbc\x9a", 3) == 0)
			return (size_t)(p + 3 - s);
	}
	return 0;
}

/* Length of a list tag "[list]" at s, blanks after it included. */
static size_t
tag_len(const char *s)
{
	const char	*e;

	if (*s != '[')
		return 0;
	e = strchr(s + 1, ']');
	if (e == NULL || e == s + 1 || memchr(s + 1, '[', (size_t)(e - s -
	    1)) != NULL)
		return 0;
	return (size_t)(skip_blanks(e + 1) - s);
}

/*
 * "[list] Re: Aw: x" and "Re: [list] Re: x" give "x"; a tag is dropped
 * only when a prefix follows it: "[list] x" stays as it is, so replies
 * read "Re: [list] x" as lists write them.
 */
char *
mime_subject_base(const char *subject)
{
	const char	*s = subject != NULL ? subject : "", *e;
	size_t		 n;

	for (;;) {
		s = skip_blanks(s);
		n = prefix_len(s);
		if (n == 0) {
			n = tag_len(s);
			if (n == 0 || prefix_len(s + n) == 0)
				break;
		}
		s += n;
	}
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return xstrndup(s, (size_t)(e - s));
}

int
mime_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}
