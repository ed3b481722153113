/*
 * fuzz_compose.c: libFuzzer target for composition, replies and forwards.
 *
 * The input is a draft: a flags byte, then NUL-separated fields (subject,
 * From name, From address, To name, To address, body, attachment name),
 * then the attachment's bytes. When mime_compose() accepts the draft, the
 * message is parsed back and must give the same subject (as display
 * text), From and To, the same text bytes and the same attachment bytes
 * and name; no line may pass 998 bytes, and no CR or NUL may appear.
 *
 * The raw input is also read as a message: replies and forwards of it
 * must compose (the only allowed refusal is a subject word too long for a
 * header line), and mime_subject_base() and mime_guess_type() run on it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

#define FZ_MAX		(64u << 20)
#define FZ_FIELDS	7

enum {
	FZ_SUBJECT, FZ_FROM_NAME, FZ_FROM_ADDR, FZ_TO_NAME, FZ_TO_ADDR,
	FZ_BODY, FZ_FILENAME
};

enum {
	FZ_FLOWED = 1, FZ_BCC = 2, FZ_MESSAGE = 4, FZ_CTYPE = 8,
	FZ_ATTACH = 16
};

/* Blanks and controls as mime_header_text() shows them: sanitized, runs
 * of spaces made one, trimmed. */
static char *
normalize(const char *s)
{
	struct buf	 a, b;
	size_t		 i;
	bool		 sp = false;

	buf_init(&a, FZ_MAX);
	buf_init(&b, FZ_MAX);
	if (mime_sanitize(s, strlen(s), false, &a) == -1)
		abort();
	for (i = 0; i < a.len; i++) {
		if (a.data[i] == ' ') {
			sp = true;
			continue;
		}
		if (sp && b.len > 0 && buf_append_byte(&b, ' ') == -1)
			abort();
		sp = false;
		if (buf_append_byte(&b, (unsigned char)a.data[i]) == -1)
			abort();
	}
	buf_free(&a);
	return buf_take(&b);
}

/* A display name as mime_addr_parse() gives it back: controls (C0, DEL,
 * C1) are spaces there, then normalized. */
static char *
normalize_name(const char *s)
{
	char	*c = xstrdup(s), *r;
	size_t	 i;

	for (i = 0; c[i] != '\0'; i++) {
		if ((unsigned char)c[i] == 0xc2 &&
		    (unsigned char)c[i + 1] >= 0x80 &&
		    (unsigned char)c[i + 1] <= 0x9f) {
			c[i] = ' ';
			c[++i] = ' ';
		} else if ((unsigned char)c[i] < 0x20 || c[i] == 0x7f)
			c[i] = ' ';
	}
	r = normalize(c);
	free(c);
	return r;
}

static void
check_subject(const struct mime_msg *m, const char *subject)
{
	const struct mime_field	*f = mime_headers_get(&m->root.headers,
	    "Subject");
	char			*got, *want, *g;

	got = f != NULL ? mime_header_text(f->value, f->value_len, NULL) :
	    xstrdup("");
	g = normalize(got);
	want = normalize(subject);
	if (strcmp(g, want) != 0)
		abort();
	free(g);
	free(got);
	free(want);
}

static void
check_addr(const struct mime_msg *m, const char *field, const char *name,
    const char *addr)
{
	const struct mime_field	*f = mime_headers_get(&m->root.headers,
	    field);
	struct mime_addr_list	 l = { NULL, 0 };
	char			*gn, *wn;

	if (f == NULL)
		abort();
	mime_addr_parse(f->value, f->value_len, NULL, &l);
	if (l.n != 1 || l.v[0].addr == NULL || strcmp(l.v[0].addr, addr) != 0)
		abort();
	gn = normalize_name(l.v[0].name != NULL ? l.v[0].name : "");
	wn = normalize_name(name);
	if (strcmp(gn, wn) != 0)
		abort();
	free(gn);
	free(wn);
	mime_addr_list_free(&l);
}

/* The text exactly as it was sent: flowed-encoded when asked, with a
 * final line break. */
static void
check_text(const struct mime_msg *m, const struct mime_part *p,
    const struct mime_draft *d)
{
	struct buf	want, got;

	buf_init(&want, FZ_MAX);
	buf_init(&got, FZ_MAX);
	if ((d->flowed ? mime_flowed_encode(d->body, strlen(d->body), 72,
	    &want) : buf_append_str(&want, d->body)) == -1)
		abort();
	if (want.len > 0 && want.data[want.len - 1] != '\n' &&
	    buf_append_byte(&want, '\n') == -1)
		abort();
	if (mime_part_decode(m, p, &got) == -1 || got.len != want.len ||
	    memcmp(buf_str(&got), buf_str(&want), got.len) != 0)
		abort();
	buf_reset(&got);
	if (mime_part_text(m, p, NULL, &got) == -1)
		abort();
	buf_free(&want);
	buf_free(&got);
}

static void
check_attachment(const struct mime_msg *m, const struct mime_part *p,
    const struct mime_attachment *a)
{
	struct buf	got;

	buf_init(&got, FZ_MAX);
	if (mime_part_decode(m, p, &got) == -1 || got.len != a->len ||
	    memcmp(buf_str(&got), a->data, a->len) != 0)
		abort();
	if (a->filename != NULL && a->filename[0] != '\0' &&
	    (p->filename == NULL || strcmp(p->filename, a->filename) != 0))
		abort();
	buf_free(&got);
}

/* No line over 998 bytes, no CR, no NUL anywhere (RFC 5322 2.1.1, 2.3). */
static void
check_lines(const struct buf *out)
{
	size_t	i, col = 0;

	for (i = 0; i < out->len; i++) {
		if (out->data[i] == '\n') {
			col = 0;
			continue;
		}
		if (out->data[i] == '\r' || out->data[i] == '\0' ||
		    ++col > 998)
			abort();
	}
}

static void
round_trip(const struct mime_draft *d, const char **f, bool bcc)
{
	struct mime_msg	*m;
	struct buf	 out;
	char		 err[256];
	const struct mime_part *text;

	buf_init(&out, FZ_MAX);
	if (mime_compose(d, bcc, &out, err, sizeof(err)) == -1) {
		if (out.len != 0 || err[0] == '\0')
			abort();
		buf_free(&out);
		return;
	}
	check_lines(&out);
	m = mime_parse(out.data, out.len, NULL);
	check_subject(m, f[FZ_SUBJECT]);
	check_addr(m, "From", f[FZ_FROM_NAME], d->from.v[0].addr);
	if (d->to.n == 1)
		check_addr(m, "To", f[FZ_TO_NAME], d->to.v[0].addr);
	if (d->nattachments > 0) {
		if (!m->root.is_multipart || m->root.nchildren != 2)
			abort();
		text = &m->root.children[0];
		check_attachment(m, &m->root.children[1], &d->attachments[0]);
	} else
		text = &m->root;
	check_text(m, text, d);
	mime_msg_free(&m);
	buf_free(&out);
}

/* A reply or forward must compose; only a giant subject word may not. */
static void
compose_derived(struct mime_draft *d)
{
	struct buf	out;
	char		err[256];

	buf_init(&out, FZ_MAX);
	if (d->from.n == 0)
		mime_addr_list_add(&d->from, NULL, "me@example.org");
	if (mime_compose(d, false, &out, err, sizeof(err)) == -1 &&
	    strstr(err, "longer than 998") == NULL)
		abort();
	buf_free(&out);
	mime_draft_free(d);
}

static void
derive(const char *data, size_t size)
{
	static const char *const own[] = { "me@example.org" };
	struct mime_addr	 me = { NULL, (char *)"me@example.org", NULL };
	struct mime_reply_opts	 o;
	struct mime_msg		*m;
	struct mime_draft	 d;
	char			 err[256];
	int			 mode;

	m = mime_parse(data, size, NULL);
	memset(&o, 0, sizeof(o));
	o.own_addrs = own;
	o.nown = 1;
	o.from = &me;
	for (mode = MIME_REPLY_SENDER; mode <= MIME_REPLY_LIST; mode++) {
		o.mode = (enum mime_reply_mode)mode;
		if (mime_reply(m, &o, &d, err, sizeof(err)) == 0)
			compose_derived(&d);
		else if (d.to.n != 0 || d.subject != NULL)
			abort();
	}
	if (mime_forward(m, false, &me, NULL, &d, err, sizeof(err)) == 0)
		compose_derived(&d);
	if (mime_forward(m, true, NULL, NULL, &d, err, sizeof(err)) == 0)
		compose_derived(&d);
	mime_msg_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_draft	 d;
	const char		*f[FZ_FIELDS];
	char			*copy, *p, *end, *s;
	unsigned		 flags;
	size_t			 i;

	if (size == 0)
		return 0;
	flags = data[0];
	copy = xmemdup0(data + 1, size - 1);
	p = copy;
	end = copy + size - 1;
	for (i = 0; i < FZ_FIELDS; i++) {
		f[i] = p < end ? p : "";
		p = p < end ? p + strlen(p) + 1 : end;
		if (p > end)
			p = end;
	}
	memset(&d, 0, sizeof(d));
	mime_addr_list_add(&d.from, f[FZ_FROM_NAME], f[FZ_FROM_ADDR][0] !=
	    '\0' ? f[FZ_FROM_ADDR] : "from@example.org");
	if (f[FZ_TO_ADDR][0] != '\0')
		mime_addr_list_add(&d.to, f[FZ_TO_NAME], f[FZ_TO_ADDR]);
	d.subject = xstrdup(f[FZ_SUBJECT]);
	d.body = xstrdup(f[FZ_BODY]);
	d.flowed = (flags & FZ_FLOWED) != 0;
	d.date = 1709285400;
	if (flags & FZ_ATTACH) {
		mime_draft_attach(&d, f[FZ_FILENAME], flags & FZ_CTYPE ?
		    "application/octet-stream" : NULL, p, (size_t)(end - p));
		d.attachments[0].is_message = (flags & FZ_MESSAGE) != 0;
	}
	round_trip(&d, f, (flags & FZ_BCC) != 0);
	mime_draft_free(&d);
	free(copy);

	s = xmemdup0(data, size);
	free(mime_subject_base(s));
	(void)mime_guess_type(s, (const char *)data, size);
	free(s);
	derive((const char *)data, size);
	return 0;
}
