/*
 * text.c: what a reader sees of a message: which parts are its text
 * (RFC 2046 5.1.4 alternatives, 5.1.3 mixed, RFC 2387 related), their
 * text as UTF-8, attachments, and the summary the message list needs.
 */
#include <stdlib.h>
#include <string.h>

#include "mime.h"

static bool
is_text_type(const char *t)
{
	return strcmp(t, "text/plain") == 0 || strcmp(t, "text/html") == 0 ||
	    strcmp(t, "text/enriched") == 0 || strcmp(t, "text/richtext") == 0;
}

bool
mime_is_attachment(const struct mime_part *part)
{
	if (part->disp == MIME_DISP_ATTACHMENT)
		return true;
	if (part->is_multipart)
		return false;
	if (is_text_type(part->type))
		return false;
	if (part->is_message)
		return part->disp != MIME_DISP_INLINE;
	/* Any other text/ type shown inline only when it says so. */
	if (strncmp(part->type, "text/", 5) == 0)
		return part->disp != MIME_DISP_INLINE &&
		    part->filename != NULL;
	return true;
}

static void
add_text(struct mime_msg *msg, const struct mime_part *part)
{
	msg->texts = xreallocarray(msg->texts, msg->ntexts + 1,
	    sizeof(*msg->texts));
	msg->texts[msg->ntexts++] = part;
}

/* How good an alternative is for the reader; 0 = unusable. */
static int
alt_score(const struct mime_part *p, bool prefer_html)
{
	size_t	i;
	int	best = 0, s;

	if (strcmp(p->type, "text/plain") == 0)
		return prefer_html ? 2 : 4;
	if (strcmp(p->type, "text/html") == 0)
		return prefer_html ? 4 : 2;
	if (is_text_type(p->type))
		return 1;
	if (p->is_multipart) {
		for (i = 0; i < p->nchildren; i++) {
			s = alt_score(&p->children[i], prefer_html);
			if (s > best)
				best = s;
		}
		/* A related/mixed wrapper is slightly worse than the bare
		 * part it holds. */
		return best > 1 ? best - 1 : best;
	}
	return 0;
}

static void	collect_texts(struct mime_msg *msg,
		    const struct mime_part *p, bool prefer_html);

static void
collect_alternative(struct mime_msg *msg, const struct mime_part *p,
    bool prefer_html)
{
	const struct mime_part	*best = NULL;
	int			 bs = 0, s;
	size_t			 i;

	for (i = 0; i < p->nchildren; i++) {
		s = alt_score(&p->children[i], prefer_html);
		/* Ties go to the later part, the richer one (RFC 2046). */
		if (s > 0 && s >= bs) {
			bs = s;
			best = &p->children[i];
		}
	}
	if (best != NULL)
		collect_texts(msg, best, prefer_html);
}

static void
collect_texts(struct mime_msg *msg, const struct mime_part *p,
    bool prefer_html)
{
	size_t	i;

	if (p->is_multipart) {
		if (strcmp(p->type, "multipart/alternative") == 0) {
			collect_alternative(msg, p, prefer_html);
		} else if (strcmp(p->type, "multipart/related") == 0) {
			if (p->nchildren > 0)
				collect_texts(msg, &p->children[0],
				    prefer_html);
		} else {
			for (i = 0; i < p->nchildren; i++)
				collect_texts(msg, &p->children[i],
				    prefer_html);
		}
		return;
	}
	if (p->is_message) {
		if (p->disp != MIME_DISP_ATTACHMENT && p->nchildren == 1)
			collect_texts(msg, &p->children[0], prefer_html);
		return;
	}
	if (!mime_is_attachment(p) && strncmp(p->type, "text/", 5) == 0)
		add_text(msg, p);
}

const struct mime_part **
mime_text_parts(const struct mime_msg *cmsg, bool prefer_html, size_t *n)
{
	/* The list is cached in the message, which is ours to fill. */
	struct mime_msg	*msg = (struct mime_msg *)cmsg;

	if (!msg->texts_done || msg->texts_html != prefer_html) {
		free(msg->texts);
		msg->texts = NULL;
		msg->ntexts = 0;
		collect_texts(msg, &msg->root, prefer_html);
		msg->texts_done = true;
		msg->texts_html = prefer_html;
	}
	*n = msg->ntexts;
	return msg->texts;
}

int
mime_part_utf8(const struct mime_msg *msg, const struct mime_part *part,
    const char *fallback, struct buf *out)
{
	struct buf	raw;
	int		r;

	buf_init(&raw, out->max);
	if (mime_part_decode(msg, part, &raw) == -1) {
		buf_free(&raw);
		return -1;
	}
	if (part->charset == NULL || strcmp(part->charset, "us-ascii") == 0)
		r = mime_to_utf8(mime_utf8_valid(raw.data ? raw.data : "",
		    raw.len) ? "utf-8" : fallback ? fallback : "windows-1252",
		    buf_str(&raw), raw.len, out);
	else
		r = mime_to_utf8(part->charset, buf_str(&raw), raw.len, out);
	buf_free(&raw);
	return r < 0 ? -1 : 0;
}

static bool
param_is(const struct mime_part *part, const char *name, const char *val)
{
	const char	*v = mime_ctype_param(&part->ctype, name);

	return v != NULL && ascii_casecmp(v, val) == 0;
}

/* Text from a CRLF message reads like text from an LF one. */
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

int
mime_part_text(const struct mime_msg *msg, const struct mime_part *part,
    const char *fallback, struct buf *out)
{
	struct buf	u, t;
	int		r;

	buf_init(&u, out->max);
	buf_init(&t, out->max);
	r = mime_part_utf8(msg, part, fallback, &u);
	if (r == 0)
		crlf_to_lf(&u);
	if (r == 0 && strcmp(part->type, "text/html") == 0)
		r = mime_html_to_text(buf_str(&u), u.len, &t);
	else if (r == 0 && param_is(part, "format", "flowed"))
		r = mime_flowed_decode(buf_str(&u), u.len,
		    param_is(part, "delsp", "yes"), &t);
	else if (r == 0)
		r = buf_append(&t, buf_str(&u), u.len);
	if (r == 0)
		r = mime_sanitize(buf_str(&t), t.len, true, out);
	buf_free(&u);
	buf_free(&t);
	return r;
}

/* ------------------------------------------------------------------ */

static char *
field_text(const struct mime_headers *h, const char *name,
    const char *fallback)
{
	const struct mime_field	*f = mime_headers_get(h, name);

	return f != NULL ? mime_header_text(f->value, f->value_len,
	    fallback) : NULL;
}

static void
first_address(const struct mime_headers *h, const char *name,
    const char *fallback, char **dname, char **addr)
{
	const struct mime_field	*f = mime_headers_get(h, name);
	struct mime_addr_list	 l = { NULL, 0 };
	size_t			 i;

	if (f == NULL)
		return;
	mime_addr_parse(f->value, f->value_len, fallback, &l);
	for (i = 0; i < l.n; i++) {
		if (l.v[i].addr == NULL)
			continue;
		if (dname != NULL && l.v[i].name != NULL)
			*dname = xstrdup(l.v[i].name);
		*addr = xstrdup(l.v[i].addr);
		break;
	}
	mime_addr_list_free(&l);
}

void
mime_summary_from_headers(const struct mime_headers *h,
    const char *fallback, struct mime_summary *s)
{
	const struct mime_field	*f;
	struct mime_ctype	 ct;

	memset(s, 0, sizeof(*s));
	s->date = -1;
	s->subject = field_text(h, "Subject", fallback);
	first_address(h, "From", fallback, &s->from_name, &s->from_addr);
	if ((f = mime_headers_get(h, "Message-ID")) != NULL)
		s->message_id = mime_msgid_first(f->value, f->value_len);
	if ((f = mime_headers_get(h, "In-Reply-To")) != NULL)
		s->in_reply_to = mime_msgid_first(f->value, f->value_len);
	if ((f = mime_headers_get(h, "References")) != NULL)
		mime_msgid_list(f->value, f->value_len, 100, &s->references,
		    &s->nreferences);
	if ((f = mime_headers_get(h, "Date")) != NULL &&
	    mime_date_parse(f->value, f->value_len, &s->date) == -1)
		s->date = -1;
	if ((f = mime_headers_get(h, "Content-Type")) != NULL) {
		mime_ctype_parse(f->value, f->value_len, NULL, &ct);
		s->has_attachment = strcmp(ct.value, "multipart/mixed") == 0;
		mime_ctype_free(&ct);
	}
}

void
mime_summary_free(struct mime_summary *s)
{
	size_t	i;

	free(s->subject);
	free(s->from_name);
	free(s->from_addr);
	free(s->message_id);
	free(s->in_reply_to);
	for (i = 0; i < s->nreferences; i++)
		free(s->references[i]);
	free(s->references);
	memset(s, 0, sizeof(*s));
}
