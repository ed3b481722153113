/*
 * reply.c: replies and forwards as drafts: recipients by mode (RFC 5322
 * 3.6.3 Reply-To, RFC 2369 3.4 List-Post), a "Re: " or "Fwd: " subject
 * added once, the threading fields (RFC 5322 3.6.4), the text quoted or
 * forwarded, attachments carried over (RFC 2046 5.2.1 for messages).
 *
 * What comes from the original is made fit for composition here, so a
 * reply to hostile mail composes: names lose their control characters,
 * invalid addresses and message ids are left out, file names are
 * cleaned. mime_compose() would refuse them otherwise.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "mime_priv.h"

#define REFS_KEEP_LAST	20	/* References: the first, then the last 20 */
#define REFS_READ_MAX	100000	/* ids read from one References field */
#define TEXT_MAX	(256u << 20)	/* bytes of a quoted or forwarded
					 * text */
#define ATT_NAME_MAX	255	/* bytes of a carried file name */
#define EML_NAME_MAX	200	/* bytes of a subject made a file name */

/* ------------------------------------------------------------------ */
/* Recipients                                                          */

static bool
addr_in(const struct mime_addr_list *l, const char *addr)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].addr != NULL && ascii_casecmp(l->v[i].addr,
		    addr) == 0)
			return true;
	return false;
}

static bool
is_own(const struct mime_reply_opts *o, const char *addr)
{
	size_t	i;

	for (i = 0; i < o->nown; i++)
		if (o->own_addrs[i] != NULL &&
		    ascii_casecmp(o->own_addrs[i], addr) == 0)
			return true;
	return false;
}

/* A display name without control characters, or NULL. */
static char *
clean_name(const char *name)
{
	char	*c;
	size_t	 i;

	if (name == NULL || *name == '\0')
		return NULL;
	c = xstrdup(name);
	for (i = 0; c[i] != '\0'; i++)
		if ((unsigned char)c[i] < 0x20 || c[i] == 0x7f)
			c[i] = ' ';
	return c;
}

/* Append the valid addresses of src not yet in dst nor in skip; the
 * user's own ones too unless drop_own. */
static void
add_unique(struct mime_addr_list *dst, const struct mime_addr_list *src,
    const struct mime_addr_list *skip, const struct mime_reply_opts *o,
    bool drop_own)
{
	const struct mime_addr	*a;
	char			*name;
	size_t			 i;

	for (i = 0; i < src->n; i++) {
		a = &src->v[i];
		if (a->addr == NULL || !mime_addr_valid(a->addr) ||
		    addr_in(dst, a->addr) ||
		    (skip != NULL && addr_in(skip, a->addr)) ||
		    (drop_own && is_own(o, a->addr)))
			continue;
		name = clean_name(a->name);
		mime_addr_list_add(dst, name, a->addr);
		free(name);
	}
}

/* Every field of that name (a repeated To is seen), parsed. */
static void
parse_field(const struct mime_headers *h, const char *name,
    const char *fb, struct mime_addr_list *l)
{
	const struct mime_field	*f;

	for (f = mime_headers_get(h, name); f != NULL;
	    f = mime_headers_next(h, f, name))
		mime_addr_parse(f->value, f->value_len, fb, l);
}

static bool
any_own(const struct mime_addr_list *l, const struct mime_reply_opts *o)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].addr != NULL && is_own(o, l->v[i].addr))
			return true;
	return false;
}

static bool
any_valid(const struct mime_addr_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].addr != NULL && mime_addr_valid(l->v[i].addr))
			return true;
	return false;
}

static int
pct_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = ascii_tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The addr-spec of a mailto: URL (RFC 6068 2: %XX escapes, headers
 * after '?', several addresses separated by ','). */
static char *
mailto_addr(const char *s, size_t n)
{
	char	*a = xmalloc(n + 1);
	size_t	 i, o = 0;
	int	 hi, lo;

	for (i = 0; i < n && s[i] != '?' && s[i] != ','; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    (hi = pct_digit((unsigned char)s[i + 1])) >= 0 &&
		    (lo = pct_digit((unsigned char)s[i + 2])) >= 0) {
			a[o++] = (char)(hi * 16 + lo);
			i += 2;
			continue;
		}
		a[o++] = s[i];
	}
	a[o] = '\0';
	return a;
}

/*
 * RFC 2369 3.4: List-Post holds URLs in angle brackets, most preferred
 * first, or "NO" when posting is not allowed; the first valid mailto:
 * address, or NULL.
 */
static char *
list_post_addr(const struct mime_headers *h)
{
	const struct mime_field	*f = mime_headers_get(h, "List-Post");
	char			*v, *p, *lt, *gt, *a;

	if (f == NULL)
		return NULL;
	v = mime_unfold(f->value, f->value_len);
	for (p = v; (lt = strchr(p, '<')) != NULL; p = gt + 1) {
		gt = strchr(lt, '>');
		if (gt == NULL)
			break;
		if (gt - lt > 8 && ascii_ncasecmp(lt + 1, "mailto:", 7) == 0) {
			a = mailto_addr(lt + 8, (size_t)(gt - lt - 8));
			if (mime_addr_valid(a)) {
				free(v);
				return a;
			}
			free(a);
		}
	}
	free(v);
	return NULL;
}

/*
 * To and Cc of a reply. The primary recipient is Reply-To, else From; on
 * the user's own message, the original To (as mutt does without
 * reply_self). Reply to all (as Thunderbird): To gets the primary and
 * the original To, Cc the original Cc, the user's addresses left out;
 * if nobody is left, the reply goes to the primary recipient anyway.
 */
static void
reply_people(const struct mime_headers *h, const struct mime_reply_opts *o,
    struct mime_draft *out)
{
	struct mime_addr_list	 from = { NULL, 0 }, rto = { NULL, 0 };
	struct mime_addr_list	 to = { NULL, 0 }, cc = { NULL, 0 };
	const struct mime_addr_list *primary = &from;
	bool			 self;

	parse_field(h, "From", o->fallback_charset, &from);
	parse_field(h, "Reply-To", o->fallback_charset, &rto);
	parse_field(h, "To", o->fallback_charset, &to);
	parse_field(h, "Cc", o->fallback_charset, &cc);
	self = any_own(&from, o);
	if (self && any_valid(&to))
		primary = &to;
	else if (any_valid(&rto))
		primary = &rto;
	if (o->mode == MIME_REPLY_ALL) {
		add_unique(&out->to, primary, NULL, o, true);
		if (!self)
			add_unique(&out->to, &to, NULL, o, true);
		add_unique(&out->cc, &cc, &out->to, o, true);
		if (out->to.n == 0 && out->cc.n > 0) {
			out->to = out->cc;
			memset(&out->cc, 0, sizeof(out->cc));
		}
	}
	if (out->to.n == 0)
		add_unique(&out->to, primary, NULL, o, false);
	mime_addr_list_free(&from);
	mime_addr_list_free(&rto);
	mime_addr_list_free(&to);
	mime_addr_list_free(&cc);
}

static int
reply_recipients(const struct mime_headers *h,
    const struct mime_reply_opts *o, struct mime_draft *out, char *err,
    size_t errlen)
{
	char	*list;

	if (o->mode == MIME_REPLY_LIST) {
		list = list_post_addr(h);
		if (list == NULL)
			return mime_fail(err, errlen,
			    "this message has no List-Post address");
		mime_addr_list_add(&out->to, NULL, list);
		free(list);
		return 0;
	}
	reply_people(h, o, out);
	if (out->to.n == 0)
		return mime_fail(err, errlen,
		    "this message has no address to reply to");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Subject and threading                                               */

static char *
field_text(const struct mime_headers *h, const char *name, const char *fb)
{
	const struct mime_field	*f = mime_headers_get(h, name);

	return f != NULL ? mime_header_text(f->value, f->value_len, fb) :
	    NULL;
}

/* prefix + the base subject: never "Re: Re:". */
static char *
prefixed_subject(const struct mime_headers *h, const char *prefix,
    const char *fb)
{
	char	*subj = field_text(h, "Subject", fb), *base, *r;

	base = mime_subject_base(subj);
	r = xasprintf("%s%s", prefix, base);
	free(base);
	free(subj);
	return r;
}

/* The msg-id form mime_compose() accepts: "<" printable, no blanks ">". */
static bool
msgid_ok(const char *id)
{
	size_t	n = strlen(id), i;

	if (n < 3 || id[0] != '<' || id[n - 1] != '>')
		return false;
	for (i = 1; i + 1 < n; i++)
		if ((unsigned char)id[i] <= ' ' ||
		    (unsigned char)id[i] >= 0x7f || id[i] == '<' ||
		    id[i] == '>')
			return false;
	return true;
}

/* Keep the valid ids, in order. */
static void
ids_filter(char **ids, size_t *n)
{
	size_t	i, o = 0;

	for (i = 0; i < *n; i++) {
		if (msgid_ok(ids[i]))
			ids[o++] = ids[i];
		else
			free(ids[i]);
	}
	*n = o;
}

/* Keep the first id and the last REFS_KEEP_LAST ones, as mutt and
 * Thunderbird cap References. */
static void
ids_cap(char **ids, size_t *n)
{
	size_t	i, drop;

	if (*n <= REFS_KEEP_LAST + 1)
		return;
	drop = *n - REFS_KEEP_LAST - 1;
	for (i = 1; i <= drop; i++)
		free(ids[i]);
	memmove(ids + 1, ids + 1 + drop, REFS_KEEP_LAST * sizeof(*ids));
	*n = REFS_KEEP_LAST + 1;
}

/* RFC 5322 3.6.4: In-Reply-To is the parent's id; References the
 * parent's References (else its In-Reply-To) followed by its id. */
static void
reply_threading(const struct mime_headers *h, struct mime_draft *out)
{
	const struct mime_field	*f;
	char			*mid = NULL, **ids = NULL;
	size_t			 n = 0;

	if ((f = mime_headers_get(h, "Message-ID")) != NULL)
		mid = mime_msgid_first(f->value, f->value_len);
	if (mid != NULL && !msgid_ok(mid)) {
		free(mid);
		mid = NULL;
	}
	if ((f = mime_headers_get(h, "References")) != NULL ||
	    (f = mime_headers_get(h, "In-Reply-To")) != NULL)
		mime_msgid_list(f->value, f->value_len, REFS_READ_MAX, &ids,
		    &n);
	ids_filter(ids, &n);
	if (mid != NULL && (n == 0 || strcmp(ids[n - 1], mid) != 0)) {
		ids = xreallocarray(ids, n + 1, sizeof(*ids));
		ids[n++] = xstrdup(mid);
	}
	ids_cap(ids, &n);
	if (n == 0) {
		free(ids);
		ids = NULL;
	}
	out->references = ids;
	out->nreferences = n;
	out->in_reply_to = mid;
}

/* ------------------------------------------------------------------ */
/* Text                                                                */

/* The text a reader sees, parts joined, each ending with a line break. */
static int
message_text(const struct mime_msg *msg, const char *fb, struct buf *out)
{
	const struct mime_part	**parts;
	size_t			  n, i;

	parts = mime_text_parts(msg, false, &n);
	for (i = 0; i < n; i++) {
		if (mime_part_text(msg, parts[i], fb, out) == -1)
			return -1;
		if (out->len > 0 && out->data[out->len - 1] != '\n' &&
		    buf_append_byte(out, '\n') == -1)
			return -1;
	}
	return 0;
}

/* Length of the text before its signature: the last "-- " line (the
 * separator of RFC 3676 4.3, Usenet's convention). */
static size_t
before_signature(const char *s, size_t n)
{
	size_t	i, cut = n;

	for (i = 0; i + 3 <= n; i++) {
		if ((i == 0 || s[i - 1] == '\n') && memcmp(s + i, "-- ", 3) ==
		    0 && (i + 3 == n || s[i + 3] == '\n'))
			cut = i;
	}
	return cut;
}

/* Each line as "> line", ">>line" when already quoted, ">" when empty;
 * trailing empty lines dropped. */
static int
quote_lines(const char *s, size_t n, struct buf *out)
{
	const char	*nl;
	size_t		 len;
	int		 r = 0;

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'))
		n--;
	while (n > 0 && r == 0) {
		nl = memchr(s, '\n', n);
		len = nl != NULL ? (size_t)(nl - s) : n;
		if (len == 0)
			r = buf_append_str(out, ">\n");
		else
			r = buf_printf(out, "%s%.*s\n", s[0] == '>' ? ">" :
			    "> ", (int)len, s);
		len += nl != NULL ? 1 : 0;
		s += len;
		n -= len;
	}
	return r;
}

/* Sanitized display text of a name or address, for the body. */
static char *
display_text(const char *s)
{
	struct buf	b;

	buf_init(&b, 4 * strlen(s) + 16);
	if (mime_sanitize(s, strlen(s), false, &b) == -1) {
		buf_free(&b);
		return xstrdup("?");
	}
	return buf_take(&b);
}

static bool
digits4(const char *s)
{
	int	i;

	for (i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* The zone of a Date value ("+0100"), in minutes; 0 when none. */
static int
date_zone(const char *s, size_t n)
{
	size_t	i;
	int	hh, mm;

	for (i = n; i >= 5; i--) {
		const char	*z = s + i - 5;

		if ((z[0] != '+' && z[0] != '-') || !digits4(z + 1) ||
		    (i < n && z[5] >= '0' && z[5] <= '9'))
			continue;
		hh = (z[1] - '0') * 10 + (z[2] - '0');
		mm = (z[3] - '0') * 10 + (z[4] - '0');
		if (hh > 23 || mm > 59)
			return 0;
		return (z[0] == '-' ? -1 : 1) * (hh * 60 + mm);
	}
	return 0;
}

/* "On Fri, 01 Mar 2024 10:30:00 +0100, Jeanne Martin wrote:", the date
 * in the sender's own zone; "NAME wrote:" when the date is unknown. */
static int
attribution(const struct mime_headers *h, const char *fb, struct buf *out)
{
	const struct mime_field	*f = mime_headers_get(h, "Date");
	struct mime_addr_list	 from = { NULL, 0 };
	const char		*who = "someone";
	char			 date[64], *shown;
	int64_t			 t;
	int			 r;

	parse_field(h, "From", fb, &from);
	if (from.n > 0 && from.v[0].name != NULL && *from.v[0].name != '\0')
		who = from.v[0].name;
	else if (from.n > 0 && from.v[0].addr != NULL)
		who = from.v[0].addr;
	shown = display_text(who);
	if (f != NULL && mime_date_parse(f->value, f->value_len, &t) == 0) {
		mime_date_rfc5322(t, date_zone(f->value, f->value_len), date,
		    sizeof(date));
		r = buf_printf(out, "On %s, %s wrote:\n", date, shown);
	} else {
		r = buf_printf(out, "%s wrote:\n", shown);
	}
	free(shown);
	mime_addr_list_free(&from);
	return r;
}

static int
reply_body(const struct mime_msg *msg, const char *fb, struct mime_draft *out)
{
	struct buf	text, body;
	int		r;

	buf_init(&text, TEXT_MAX);
	buf_init(&body, TEXT_MAX);
	r = attribution(&msg->root.headers, fb, &body);
	if (r == 0)
		r = message_text(msg, fb, &text);
	if (r == 0)
		r = quote_lines(buf_str(&text),
		    before_signature(buf_str(&text), text.len), &body);
	if (r == 0)
		r = buf_append_str(&body, "\n");
	buf_free(&text);
	if (r == -1) {
		buf_free(&body);
		return -1;
	}
	out->body = buf_take(&body);
	return 0;
}

static void
copy_from(const struct mime_addr *from, struct mime_draft *out)
{
	if (from != NULL && from->addr != NULL)
		mime_addr_list_add(&out->from, from->name, from->addr);
}

int
mime_reply(const struct mime_msg *msg, const struct mime_reply_opts *o,
    struct mime_draft *out, char *err, size_t errlen)
{
	const struct mime_headers	*h = &msg->root.headers;

	memset(out, 0, sizeof(*out));
	if (reply_recipients(h, o, out, err, errlen) == -1) {
		mime_draft_free(out);
		return -1;
	}
	copy_from(o->from, out);
	out->subject = prefixed_subject(h, "Re: ", o->fallback_charset);
	reply_threading(h, out);
	if (reply_body(msg, o->fallback_charset, out) == -1) {
		mime_draft_free(out);
		return mime_fail(err, errlen, "the original text is too large "
		    "to quote");
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Forwards                                                            */

/* A file name fit for composition: no controls nor path separators, at
 * most max bytes, cut between UTF-8 characters; NULL when empty. */
static char *
clean_filename(const char *name, size_t max)
{
	char	*c;
	size_t	 i, n;

	if (name == NULL || *name == '\0')
		return NULL;
	n = strlen(name);
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
			n--;
	}
	c = xstrndup(name, n);
	for (i = 0; c[i] != '\0'; i++)
		if ((unsigned char)c[i] < 0x20 || c[i] == 0x7f ||
		    c[i] == '/' || c[i] == '\\')
			c[i] = '_';
	return c;
}

/* "SUBJECT.eml" for an attached message. */
static char *
eml_name(const struct mime_headers *h, const char *fb)
{
	char	*subj = field_text(h, "Subject", fb), *c, *r;

	c = clean_filename(subj, EML_NAME_MAX);
	r = xasprintf("%s.eml", c != NULL ? c : "forwarded message");
	free(c);
	free(subj);
	return r;
}

/* Stored messages have LF line ends; an attached one must too. */
static void
crlf_to_lf(struct buf *b)
{
	size_t	i, o = 0;

	for (i = 0; i < b->len; i++) {
		if (b->data[i] == '\r' && i + 1 < b->len &&
		    b->data[i + 1] == '\n')
			continue;
		b->data[o++] = b->data[i];
	}
	buf_truncate(b, o);
}

/* "type/subtype" made of token characters, as mime_compose() wants. */
static bool
type_ok(const char *t)
{
	const char	*slash = strchr(t, '/');
	size_t		 i;

	if (slash == NULL || slash == t || slash[1] == '\0' ||
	    strchr(slash + 1, '/') != NULL)
		return false;
	for (i = 0; t[i] != '\0'; i++)
		if (t[i] != '/' && ((unsigned char)t[i] <= ' ' ||
		    (unsigned char)t[i] >= 0x7f ||
		    strchr("()<>@,;:\\\"[]?=", t[i]) != NULL))
			return false;
	return true;
}

static void
attach_part(const struct mime_msg *msg, const struct mime_part *p,
    const char *fb, struct mime_draft *out)
{
	struct mime_attachment	*a;
	struct buf		 data;
	char			*name;

	buf_init(&data, p->body_len + 1);
	if (mime_part_decode(msg, p, &data) == -1) {
		/* Cannot happen: decoding never grows the data. */
		buf_free(&data);
		return;
	}
	if (p->is_message) {
		crlf_to_lf(&data);
		name = p->filename != NULL ? clean_filename(p->filename,
		    ATT_NAME_MAX) : p->nchildren == 1 ?
		    eml_name(&p->children[0].headers, fb) : NULL;
	} else
		name = clean_filename(p->filename, ATT_NAME_MAX);
	mime_draft_attach(out, name, p->is_message ? "message/rfc822" :
	    type_ok(p->type) ? p->type : NULL, buf_str(&data), data.len);
	a = &out->attachments[out->nattachments - 1];
	a->is_message = p->is_message;
	free(name);
	buf_free(&data);
}

/* The original's attachments: the leaves shown as attachments, and the
 * attached messages whole (not their parts). */
static void
forward_parts(const struct mime_msg *msg, const struct mime_part *p,
    const char *fb, struct mime_draft *out)
{
	size_t	i;

	if (p->is_multipart) {
		for (i = 0; i < p->nchildren; i++)
			forward_parts(msg, &p->children[i], fb, out);
		return;
	}
	if (p->is_message && !mime_is_attachment(p)) {
		if (p->nchildren == 1)
			forward_parts(msg, &p->children[0], fb, out);
		return;
	}
	if (mime_is_attachment(p))
		attach_part(msg, p, fb, out);
}

/* "Name <addr>, ..." of a field, for display, or NULL. */
static char *
field_people(const struct mime_headers *h, const char *name, const char *fb)
{
	struct mime_addr_list	 l = { NULL, 0 };
	struct buf		 b;
	char			*d, *s;
	size_t			 i;
	int			 r = 0;

	parse_field(h, name, fb, &l);
	buf_init(&b, TEXT_MAX);
	for (i = 0; i < l.n && r == 0; i++) {
		if (l.v[i].addr == NULL)
			continue;
		d = mime_addr_display(&l.v[i]);
		s = display_text(d);
		r = buf_printf(&b, "%s%s", b.len > 0 ? ", " : "", s);
		free(s);
		free(d);
	}
	mime_addr_list_free(&l);
	if (r == -1 || b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b);
}

static int
forward_line(struct buf *b, const char *label, char *value)
{
	int	r = 0;

	if (value != NULL)
		r = buf_printf(b, "%s: %s\n", label, value);
	free(value);
	return r;
}

static int
forward_inline(const struct mime_msg *msg, const char *fb,
    struct mime_draft *out)
{
	const struct mime_headers	*h = &msg->root.headers;
	struct buf			 b;
	int				 r;

	buf_init(&b, TEXT_MAX);
	r = buf_append_str(&b, "---------- Forwarded message ----------\n");
	if (r == 0)
		r = forward_line(&b, "From", field_people(h, "From", fb));
	if (r == 0)
		r = forward_line(&b, "Date", field_text(h, "Date", fb));
	if (r == 0)
		r = forward_line(&b, "Subject", field_text(h, "Subject", fb));
	if (r == 0)
		r = forward_line(&b, "To", field_people(h, "To", fb));
	if (r == 0)
		r = forward_line(&b, "Cc", field_people(h, "Cc", fb));
	if (r == 0)
		r = buf_append_str(&b, "\n");
	if (r == 0)
		r = message_text(msg, fb, &b);
	if (r == -1) {
		buf_free(&b);
		return -1;
	}
	out->body = buf_take(&b);
	forward_parts(msg, &msg->root, fb, out);
	return 0;
}

static void
forward_whole(const struct mime_msg *msg, const char *fb,
    struct mime_draft *out)
{
	struct buf	 data;
	char		*name;

	buf_init(&data, msg->len + 1);
	if (buf_append(&data, msg->data, msg->len) == 0)
		crlf_to_lf(&data);
	name = eml_name(&msg->root.headers, fb);
	mime_draft_attach(out, name, "message/rfc822", buf_str(&data),
	    data.len);
	out->attachments[out->nattachments - 1].is_message = true;
	out->body = xstrdup("");
	free(name);
	buf_free(&data);
}

int
mime_forward(const struct mime_msg *msg, bool as_attachment,
    const struct mime_addr *from, const char *fallback_charset,
    struct mime_draft *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	copy_from(from, out);
	out->subject = prefixed_subject(&msg->root.headers, "Fwd: ",
	    fallback_charset);
	if (as_attachment) {
		forward_whole(msg, fallback_charset, out);
		return 0;
	}
	if (forward_inline(msg, fallback_charset, out) == -1) {
		mime_draft_free(out);
		return mime_fail(err, errlen, "the original text is too large "
		    "to forward");
	}
	return 0;
}
