/*
 * check_mime_compose.c: unit tests of composition (src/mime/compose.c)
 * and of replies and forwards (src/mime/reply.c): header injection
 * refused, encoding and folding only where needed, the transfer encoding
 * of the text, multipart with attachments, round trips through
 * mime_parse(), recipients, subjects, threading fields, quoting, forwards,
 * content types and base subjects.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mime.h"
#include "tests.h"

Suite	*mime_compose_suite(void);

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define OUT_MAX		(64u << 20)
#define T_DATE		1709285400	/* Fri, 01 Mar 2024 09:30:00 UTC */

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* A plain draft: Jeanne to Bob, fixed date and id. */
static void
draft_basic(struct mime_draft *d)
{
	memset(d, 0, sizeof(*d));
	mime_addr_list_add(&d->from, "Jeanne Martin", "jeanne@example.fr");
	mime_addr_list_add(&d->to, "Bob", "bob@example.org");
	d->subject = xstrdup("Hello");
	d->body = xstrdup("Hi Bob,\nSee you tomorrow.\n");
	d->date = T_DATE;
	d->tz_minutes = 60;
	d->message_id = xstrdup("<test.1@example.fr>");
}

static void
set_str(char **field, const char *v)
{
	free(*field);
	*field = v != NULL ? xstrdup(v) : NULL;
}

/* Compose (must succeed) and parse the result. */
static struct mime_msg *
compose_parse(const struct mime_draft *d, bool bcc, struct buf *out)
{
	char	err[256] = "";
	int	r;

	buf_init(out, OUT_MAX);
	r = mime_compose(d, bcc, out, err, sizeof(err));
	ck_assert_msg(r == 0, "mime_compose failed: %s", err);
	ck_assert_ptr_nonnull(out->data);
	return mime_parse(out->data, out->len, NULL);
}

/* The display text of a root header field, or NULL. */
static char *
hdr_text(const struct mime_msg *m, const char *name)
{
	const struct mime_field	*f = mime_headers_get(&m->root.headers,
	    name);

	return f != NULL ? mime_header_text(f->value, f->value_len, NULL) :
	    NULL;
}

/* The raw (folded) value of a root header field, or NULL. */
static char *
hdr_raw(const struct mime_msg *m, const char *name)
{
	const struct mime_field	*f = mime_headers_get(&m->root.headers,
	    name);

	return f != NULL ? xmemdup0(f->value, f->value_len) : NULL;
}

static void
assert_hdr(const struct mime_msg *m, const char *name, const char *want)
{
	char	*got = hdr_text(m, name);

	if (want == NULL) {
		ck_assert_msg(got == NULL, "%s present: %s", name, got);
		return;
	}
	ck_assert_msg(got != NULL, "%s missing", name);
	ck_assert_str_eq(got, want);
	free(got);
}

/*
 * Every line of a header block [s, s + n) fits in 78 columns unless it
 * holds one unbreakable word (after the field name on a first line).
 */
static void
assert_folded(const char *s, size_t n)
{
	const char	*nl, *w, *e;

	while (n > 0 && *s != '\n') {
		nl = memchr(s, '\n', n);
		e = nl != NULL ? nl : s + n;
		if (e - s > 78) {
			w = s;
			if (*w != ' ' && *w != '\t')
				w = (const char *)memchr(s, ':',
				    (size_t)(e - s)) + 1;
			while (w < e && (*w == ' ' || *w == '\t'))
				w++;
			ck_assert_msg(memchr(w, ' ', (size_t)(e - w)) == NULL,
			    "breakable header line of %d: %.*s",
			    (int)(e - s), (int)(e - s), s);
		}
		ck_assert_msg(e - s <= 998, "header line over 998");
		if (nl == NULL)
			break;
		n -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
}

/* The header blocks of the message and of every part. */
static void
assert_all_folded(const struct mime_msg *m)
{
	const struct mime_part	**leaves;
	size_t			  n, i;

	assert_folded(m->data, m->root.headers.len);
	leaves = mime_leaves(m, &n);
	for (i = 0; i < n; i++)
		assert_folded(leaves[i]->base + leaves[i]->offset,
		    leaves[i]->headers.len);
}

/* The text of a part as mime_part_text() gives it. */
static char *
part_text(const struct mime_msg *m, const struct mime_part *p)
{
	struct buf	b;
	int		r;

	buf_init(&b, OUT_MAX);
	r = mime_part_text(m, p, NULL, &b);
	ck_assert_int_eq(r, 0);
	return buf_take(&b);
}

static char *
part_bytes(const struct mime_msg *m, const struct mime_part *p,
    size_t *len)
{
	struct buf	b;
	int		r;

	buf_init(&b, OUT_MAX);
	r = mime_part_decode(m, p, &b);
	ck_assert_int_eq(r, 0);
	*len = b.len;
	return buf_take(&b);
}

/* The whole text of a message (its text parts joined). */
static char *
msg_text(const struct mime_msg *m)
{
	const struct mime_part	**texts;
	struct buf		  b;
	size_t			  n, i;
	char			 *t;
	int			  r;

	texts = mime_text_parts(m, false, &n);
	buf_init(&b, OUT_MAX);
	for (i = 0; i < n; i++) {
		t = part_text(m, texts[i]);
		r = buf_append_str(&b, t);
		ck_assert_int_eq(r, 0);
		free(t);
	}
	return buf_take(&b);
}

/* Same addresses, in order, names included. */
static void
assert_addrs(const struct mime_msg *m, const char *field,
    const struct mime_addr_list *want)
{
	const struct mime_field	*f = mime_headers_get(&m->root.headers,
	    field);
	struct mime_addr_list	 got = { NULL, 0 };
	size_t			 i;

	if (want->n == 0) {
		ck_assert_msg(f == NULL, "%s present", field);
		return;
	}
	ck_assert_msg(f != NULL, "%s missing", field);
	mime_addr_parse(f->value, f->value_len, NULL, &got);
	ck_assert_uint_eq(got.n, want->n);
	for (i = 0; i < got.n; i++) {
		ck_assert_str_eq(got.v[i].addr, want->v[i].addr);
		if (want->v[i].name == NULL)
			ck_assert_msg(got.v[i].name == NULL ||
			    *got.v[i].name == '\0', "unexpected name %s",
			    got.v[i].name);
		else
			ck_assert_str_eq(got.v[i].name, want->v[i].name);
	}
	mime_addr_list_free(&got);
}

/* The names of the fields of the root header, in order, ", "-joined. */
static char *
field_names(const struct mime_msg *m)
{
	struct buf	b;
	size_t		i;
	int		r = 0;

	buf_init(&b, 4096);
	for (i = 0; i < m->root.headers.n && r == 0; i++)
		r = buf_printf(&b, "%s%.*s", i > 0 ? "," : "",
		    (int)m->root.headers.fields[i].name_len,
		    m->root.headers.fields[i].name);
	ck_assert_int_eq(r, 0);
	return buf_take(&b);
}

/* ------------------------------------------------------------------ */
/* NULL and empty arguments                                            */

START_TEST(null_and_empty)
{
	struct mime_draft	 d;
	struct buf		 out;
	char			 err[128] = "", *s;
	int			 r;

	mime_draft_free(NULL);
	s = mime_subject_base(NULL);
	ck_assert_str_eq(s, "");
	free(s);
	s = mime_subject_base("");
	ck_assert_str_eq(s, "");
	free(s);
	ck_assert_str_eq(mime_guess_type(NULL, NULL, 0), "text/plain");
	ck_assert_str_eq(mime_guess_type("", "", 0), "text/plain");
	/* A draft with nothing at all has no From. */
	memset(&d, 0, sizeof(d));
	buf_init(&out, OUT_MAX);
	r = mime_compose(&d, false, &out, err, sizeof(err));
	ck_assert_int_eq(r, -1);
	ck_assert_str_eq(err, "the message has no From address");
	ck_assert_uint_eq(out.len, 0);
	/* err may be NULL. */
	r = mime_compose(&d, false, &out, NULL, 0);
	ck_assert_int_eq(r, -1);
	/* Just a From: a valid message with an empty text. */
	mime_addr_list_add(&d.from, NULL, "a@example.org");
	r = mime_compose(&d, false, &out, err, sizeof(err));
	ck_assert_int_eq(r, 0);
	ck_assert_ptr_nonnull(strstr(out.data, "\nMessage-ID: <"));
	ck_assert_ptr_nonnull(strstr(out.data, "@example.org>\n"));
	ck_assert_ptr_null(strstr(out.data, "Subject"));
	buf_free(&out);
	mime_draft_free(&d);
	ck_assert_uint_eq(d.from.n, 0);
	ck_assert_ptr_null(d.subject);
	/* An empty attachment. */
	mime_draft_attach(&d, NULL, NULL, NULL, 0);
	ck_assert_uint_eq(d.nattachments, 1);
	ck_assert_uint_eq(d.attachments[0].len, 0);
	mime_draft_free(&d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Header injection and invalid values                                 */

enum inj_field {
	INJ_SUBJECT, INJ_FROM_NAME, INJ_FROM_ADDR, INJ_TO_NAME, INJ_TO_ADDR,
	INJ_CC_ADDR, INJ_BCC_ADDR, INJ_REPLYTO_ADDR, INJ_GROUP, INJ_MSGID,
	INJ_IRT, INJ_REF, INJ_FILENAME, INJ_CTYPE, INJ_UA, INJ_BODY
};

static const struct {
	enum inj_field	 field;
	const char	*value;
	const char	*err;
} inj_cases[] = {
	{ INJ_SUBJECT, "Hi\nBcc: victim@example.com",
	    "Subject contains a line break" },
	{ INJ_SUBJECT, "Hi\r\nX-Evil: 1", "Subject contains a line break" },
	{ INJ_SUBJECT, "Hi\rthere", "Subject contains a line break" },
	{ INJ_SUBJECT, "caf\xe9", "Subject is not valid UTF-8" },
	{ INJ_FROM_NAME, "Eve\nBcc: x@example.com",
	    "a name in From contains a line break" },
	{ INJ_FROM_ADDR, "eve@example.com\nBcc: x@example.com",
	    "an address in From contains a line break" },
	{ INJ_FROM_ADDR, "eve@example.com\r", "an address in From contains "
	    "a line break" },
	{ INJ_TO_NAME, "Bob\r\nX: y", "a name in To contains a line break" },
	{ INJ_TO_NAME, "B\xc3", "a name in To is not valid UTF-8" },
	{ INJ_TO_ADDR, "bob@example.org\n", "an address in To contains a "
	    "line break" },
	{ INJ_TO_ADDR, "not-an-address",
	    "invalid address in To: \"not-an-address\"" },
	{ INJ_TO_ADDR, "a@b@c", "invalid address in To: \"a@b@c\"" },
	{ INJ_TO_ADDR, "bob smith@example.org",
	    "invalid address in To: \"bob smith@example.org\"" },
	{ INJ_TO_ADDR, "@example.org",
	    "invalid address in To: \"@example.org\"" },
	{ INJ_TO_ADDR, "bob@", "invalid address in To: \"bob@\"" },
	{ INJ_TO_ADDR, "", "invalid address in To: \"\"" },
	{ INJ_TO_ADDR, "a\x1b" "b@example.org",
	    "invalid address in To: \"a?b@example.org\"" },
	{ INJ_CC_ADDR, "carol@example.org\nX: y", "an address in Cc "
	    "contains a line break" },
	{ INJ_CC_ADDR, "carol", "invalid address in Cc: \"carol\"" },
	{ INJ_BCC_ADDR, "dave@example.org\r\n", "an address in Bcc "
	    "contains a line break" },
	{ INJ_BCC_ADDR, "dave", "invalid address in Bcc: \"dave\"" },
	{ INJ_REPLYTO_ADDR, "r@example.org\nX: y", "an address in Reply-To "
	    "contains a line break" },
	{ INJ_REPLYTO_ADDR, "r", "invalid address in Reply-To: \"r\"" },
	{ INJ_GROUP, "friends\n", "a name in To contains a line break" },
	{ INJ_MSGID, "<a@b>\nBcc: x@y", "Message-ID contains a line break" },
	{ INJ_MSGID, "a@b", "Message-ID is not a valid message id: \"a@b\"" },
	{ INJ_MSGID, "<a b@c>",
	    "Message-ID is not a valid message id: \"<a b@c>\"" },
	{ INJ_IRT, "<a@b>\r\nX: y", "In-Reply-To contains a line break" },
	{ INJ_IRT, "<>", "In-Reply-To is not a valid message id: \"<>\"" },
	{ INJ_REF, "<c@d>\n<e@f>", "References contains a line break" },
	{ INJ_REF, "<c@d> <e@f>",
	    "References is not a valid message id: \"<c@d> <e@f>\"" },
	{ INJ_FILENAME, "a.pdf\r\nContent-Type: text/html",
	    "an attachment's file name contains a line break" },
	{ INJ_FILENAME, "a\n.pdf",
	    "an attachment's file name contains a line break" },
	{ INJ_FILENAME, "\xff.pdf",
	    "an attachment's file name is not valid UTF-8" },
	{ INJ_CTYPE, "text/html\nX: y",
	    "an attachment's content type contains a line break" },
	{ INJ_CTYPE, "text/html; charset=x",
	    "invalid content type for an attachment: "
	    "\"text/html; charset=x\"" },
	{ INJ_CTYPE, "texthtml",
	    "invalid content type for an attachment: \"texthtml\"" },
	{ INJ_UA, "facteur\nBcc: x@y", "User-Agent contains a line break" },
	{ INJ_UA, "facteur\x7f", "User-Agent is not printable ASCII" },
	{ INJ_BODY, "caf\xe9\n", "the text is not valid UTF-8" },
};

static void
inj_apply(struct mime_draft *d, enum inj_field f, const char *v)
{
	switch (f) {
	case INJ_SUBJECT:
		set_str(&d->subject, v);
		break;
	case INJ_FROM_NAME:
		set_str(&d->from.v[0].name, v);
		break;
	case INJ_FROM_ADDR:
		set_str(&d->from.v[0].addr, v);
		break;
	case INJ_TO_NAME:
		set_str(&d->to.v[0].name, v);
		break;
	case INJ_TO_ADDR:
		set_str(&d->to.v[0].addr, v);
		break;
	case INJ_CC_ADDR:
		mime_addr_list_add(&d->cc, "Carol", v);
		break;
	case INJ_BCC_ADDR:
		mime_addr_list_add(&d->bcc, NULL, v);
		break;
	case INJ_REPLYTO_ADDR:
		mime_addr_list_add(&d->reply_to, NULL, v);
		break;
	case INJ_GROUP:
		set_str(&d->to.v[0].group, v);
		break;
	case INJ_MSGID:
		set_str(&d->message_id, v);
		break;
	case INJ_IRT:
		set_str(&d->in_reply_to, v);
		break;
	case INJ_REF:
		d->references = xcalloc(2, sizeof(*d->references));
		d->references[0] = xstrdup("<ok@example.org>");
		d->references[1] = xstrdup(v);
		d->nreferences = 2;
		break;
	case INJ_FILENAME:
		mime_draft_attach(d, v, NULL, "x", 1);
		break;
	case INJ_CTYPE:
		mime_draft_attach(d, "a.bin", v, "x", 1);
		break;
	case INJ_UA:
		set_str(&d->user_agent, v);
		break;
	case INJ_BODY:
		set_str(&d->body, v);
		break;
	}
}

START_TEST(injection_table)
{
	struct mime_draft	d;
	struct buf		out;
	char			err[256] = "";
	int			r, bcc;

	for (bcc = 0; bcc < 2; bcc++) {
		draft_basic(&d);
		inj_apply(&d, inj_cases[_i].field, inj_cases[_i].value);
		buf_init(&out, OUT_MAX);
		r = buf_append_str(&out, "kept");
		ck_assert_int_eq(r, 0);
		r = mime_compose(&d, bcc == 1, &out, err, sizeof(err));
		ck_assert_int_eq(r, -1);
		ck_assert_str_eq(err, inj_cases[_i].err);
		/* out is left as it was */
		ck_assert_uint_eq(out.len, 4);
		ck_assert_str_eq(out.data, "kept");
		buf_free(&out);
		mime_draft_free(&d);
	}
}
END_TEST

/* A harmless group and an out-of-range word make no injection. */
START_TEST(unbreakable_subject)
{
	struct mime_draft	 d;
	struct mime_msg		*m;
	struct buf		 out;
	char			 err[256] = "", *word, *subj;
	int			 r;

	/* A 120-character word is sent on one line (allowed up to 998). */
	draft_basic(&d);
	word = xmalloc(121);
	memset(word, 'w', 120);
	word[120] = '\0';
	subj = xasprintf("short %s end", word);
	set_str(&d.subject, subj);
	m = compose_parse(&d, false, &out);
	assert_hdr(m, "Subject", subj);
	assert_all_folded(m);
	mime_msg_free(&m);
	buf_free(&out);
	free(subj);
	free(word);
	/* A word of 1200 cannot fit in a line at all: refused. */
	word = xmalloc(1201);
	memset(word, 'w', 1200);
	word[1200] = '\0';
	set_str(&d.subject, word);
	buf_init(&out, OUT_MAX);
	r = mime_compose(&d, false, &out, err, sizeof(err));
	ck_assert_int_eq(r, -1);
	ck_assert_ptr_nonnull(strstr(err, "longer than 998"));
	ck_assert_uint_eq(out.len, 0);
	buf_free(&out);
	free(word);
	mime_draft_free(&d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Encoding only where needed                                          */

static const struct {
	const char	*subject;
	const char	*raw;		/* the raw Subject value, or NULL */
	bool		 encoded;	/* "=?" in the raw value */
} subj_cases[] = {
	{ "Hello", "Hello", false },
	{ "Hello, world: (test) [x] <y> \"z\"",
	    "Hello, world: (test) [x] <y> \"z\"", false },
	{ "Café", NULL, true },
	{ "=?utf-8?q?not_a_word?=", NULL, true },	/* literal "=?" */
	{ "日本語の件名", NULL, true },
	{ "tab\there", NULL, true },
	{ "Emoji 🎉 party", NULL, true },
};

START_TEST(subject_encoding_table)
{
	struct mime_draft	 d;
	struct mime_msg		*m;
	struct buf		 out;
	char			*raw;

	draft_basic(&d);
	set_str(&d.subject, subj_cases[_i].subject);
	m = compose_parse(&d, false, &out);
	raw = hdr_raw(m, "Subject");
	ck_assert_ptr_nonnull(raw);
	if (subj_cases[_i].raw != NULL)
		ck_assert_str_eq(raw, subj_cases[_i].raw);
	ck_assert_int_eq(strstr(raw, "=?") != NULL, subj_cases[_i].encoded);
	if (strchr(subj_cases[_i].subject, '\t') == NULL)
		assert_hdr(m, "Subject", subj_cases[_i].subject);
	free(raw);
	mime_msg_free(&m);
	buf_free(&out);
	mime_draft_free(&d);
}
END_TEST

START_TEST(name_encoding)
{
	struct mime_draft	 d;
	struct mime_msg		*m;
	struct buf		 out;
	char			*raw;

	draft_basic(&d);
	set_str(&d.to.v[0].name, "Jérôme Lefèvre");
	mime_addr_list_add(&d.to, "Smith, John", "john@example.org");
	m = compose_parse(&d, false, &out);
	raw = hdr_raw(m, "From");
	ck_assert_str_eq(raw, "Jeanne Martin <jeanne@example.fr>");
	free(raw);
	raw = hdr_raw(m, "To");
	ck_assert_ptr_nonnull(strstr(raw, "=?"));
	ck_assert_ptr_nonnull(strstr(raw, "\"Smith, John\""));
	free(raw);
	assert_addrs(m, "To", &d.to);
	mime_msg_free(&m);
	buf_free(&out);
	mime_draft_free(&d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Transfer encoding of the text                                       */

static char *
line_of(char c, size_t n, const char *tail)
{
	char	*s = xmalloc(n + strlen(tail) + 1);

	memset(s, c, n);
	memcpy(s + n, tail, strlen(tail) + 1);
	return s;
}

START_TEST(text_cte_table)
{
	static const struct {
		const char	*body;		/* NULL: built below */
		size_t		 long_line;	/* or a line of this length */
		const char	*cte;
	} cases[] = {
		{ "plain ascii\n", 0, "7bit" },
		{ "", 0, "7bit" },
		{ "no final newline", 0, "7bit" },
		{ "caf\xc3\xa9\n", 0, "quoted-printable" },
		{ "From the start\n.\nend\n", 0, "7bit" },
		{ "cr\rinside\n", 0, "quoted-printable" },
		{ NULL, 998, "7bit" },
		{ NULL, 999, "quoted-printable" },
		{ NULL, 5000, "quoted-printable" },
	};
	struct mime_draft	 d;
	struct mime_msg		*m;
	struct buf		 out;
	char			*cte, *text, *want;
	size_t			 i;

	for (i = 0; i < NITEMS(cases); i++) {
		draft_basic(&d);
		if (cases[i].body != NULL)
			set_str(&d.body, cases[i].body);
		else {
			free(d.body);
			d.body = line_of('x', cases[i].long_line, "\nend\n");
		}
		m = compose_parse(&d, false, &out);
		cte = hdr_text(m, "Content-Transfer-Encoding");
		ck_assert_str_eq(cte, cases[i].cte);
		/* Every line of the message fits in 998. */
		assert_folded(out.data, out.len);
		text = msg_text(m);
		want = d.body[0] != '\0' && d.body[strlen(d.body) - 1] !=
		    '\n' ? xasprintf("%s\n", d.body) : xstrdup(d.body);
		if (strchr(d.body, '\r') == NULL)
			ck_assert_str_eq(text, want);
		free(want);
		free(text);
		free(cte);
		mime_msg_free(&m);
		buf_free(&out);
		mime_draft_free(&d);
	}
}
END_TEST

START_TEST(flowed_text)
{
	struct mime_draft	 d;
	struct mime_msg		*m;
	struct buf		 out;
	const struct mime_part	**t;
	char			*text, *p;
	size_t			 n;

	draft_basic(&d);
	free(d.body);
	d.body = xasprintf("%s\n> quoted line\nshort\n",
	    "This paragraph is long enough that it has to be wrapped "
	    "at seventy-two columns by the flowed encoder, twice even.");
	d.flowed = true;
	m = compose_parse(&d, false, &out);
	t = mime_text_parts(m, false, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(mime_ctype_param(&t[0]->ctype, "format"), "flowed");
	ck_assert_str_eq(mime_ctype_param(&t[0]->ctype, "delsp"), "no");
	ck_assert_str_eq(mime_ctype_param(&t[0]->ctype, "charset"), "utf-8");
	/* Sent lines fit in 72 (+ the trailing space of a soft break). */
	for (p = out.data + m->root.body_offset; *p != '\0';) {
		char	*nl = strchr(p, '\n');

		ck_assert_msg(nl == NULL || nl - p <= 73, "line %.*s",
		    (int)(nl - p), p);
		p = nl != NULL ? nl + 1 : p + strlen(p);
	}
	text = msg_text(m);
	ck_assert_str_eq(text, d.body);
	free(text);
	mime_msg_free(&m);
	buf_free(&out);
	mime_draft_free(&d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Folding                                                             */

START_TEST(folding_long_fields)
{
	struct mime_draft	 d;
	struct mime_msg		*m;
	struct buf		 out;
	struct mime_summary	 sum;
	char			 a[64], *refs;
	size_t			 i;

	draft_basic(&d);
	set_str(&d.subject, "A rather long subject line that goes on and on "
	    "about the quarterly results, the budget, the plans for next "
	    "year and the usual questions nobody answers in the meetings");
	for (i = 0; i < 30; i++) {
		(void)snprintf(a, sizeof(a), "person.%zu@example.com", i);
		mime_addr_list_add(&d.to, i % 3 == 0 ? "Quelqu'un d'Éloigné" :
		    i % 3 == 1 ? "Plain Name" : NULL, a);
		mime_addr_list_add(&d.cc, NULL, a);
	}
	d.references = xcalloc(40, sizeof(*d.references));
	for (i = 0; i < 40; i++)
		d.references[i] = xasprintf("<ref%zu.1709285400.abcdef@"
		    "mail.example.com>", i);
	d.nreferences = 40;
	set_str(&d.in_reply_to, d.references[39]);
	m = compose_parse(&d, false, &out);
	assert_all_folded(m);
	assert_hdr(m, "Subject", d.subject);
	assert_addrs(m, "To", &d.to);
	assert_addrs(m, "Cc", &d.cc);
	refs = hdr_raw(m, "References");
	ck_assert_ptr_nonnull(strchr(refs, '\n'));
	free(refs);
	mime_summary_from_headers(&m->root.headers, NULL, &sum);
	ck_assert_uint_eq(sum.nreferences, 40);
	for (i = 0; i < 40; i++)
		ck_assert_str_eq(sum.references[i], d.references[i]);
	ck_assert_str_eq(sum.in_reply_to, d.references[39]);
	ck_assert_str_eq(sum.message_id, "<test.1@example.fr>");
	mime_summary_free(&sum);
	mime_msg_free(&m);
	buf_free(&out);
	mime_draft_free(&d);
}
END_TEST

START_TEST(folding_long_encoded_subject)
{
	struct mime_draft	 d;
	struct mime_msg		*m;
	struct buf		 out;

	draft_basic(&d);
	set_str(&d.subject, "Réunion de l'équipe: compte rendu très détaillé "
	    "de la semaine dernière, décisions prises, problèmes à résoudre "
	    "et calendrier des prochaines étapes — 第二部分");
	m = compose_parse(&d, false, &out);
	assert_all_folded(m);
	assert_hdr(m, "Subject", d.subject);
	mime_msg_free(&m);
	buf_free(&out);
	mime_draft_free(&d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Header order, Date, Message-ID, Bcc                                 */

START_TEST(header_order)
{
	struct mime_draft	 d;
	struct mime_msg		*m;
	struct buf		 out;
	char			*names, *v;

	draft_basic(&d);
	mime_addr_list_add(&d.cc, NULL, "cc@example.org");
	mime_addr_list_add(&d.bcc, NULL, "bcc@example.org");
	mime_addr_list_add(&d.reply_to, NULL, "reply@example.fr");
	set_str(&d.in_reply_to, "<parent@example.org>");
	d.references = xcalloc(1, sizeof(*d.references));
	d.references[0] = xstrdup("<parent@example.org>");
	d.nreferences = 1;
	set_str(&d.user_agent, "facteur/0.1");
	m = compose_parse(&d, true, &out);
	names = field_names(m);
	ck_assert_str_eq(names, "Date,From,To,Cc,Bcc,Reply-To,Subject,"
	    "Message-ID,In-Reply-To,References,MIME-Version,Content-Type,"
	    "Content-Transfer-Encoding,User-Agent");
	free(names);
	assert_hdr(m, "Date", "Fri, 01 Mar 2024 10:30:00 +0100");
	assert_hdr(m, "Message-ID", "<test.1@example.fr>");
	assert_hdr(m, "MIME-Version", "1.0");
	assert_hdr(m, "Content-Type", "text/plain; charset=utf-8");
	v = hdr_text(m, "Bcc");
	ck_assert_str_eq(v, "bcc@example.org");
	free(v);
	mime_msg_free(&m);
	buf_free(&out);
	/* Without include_bcc, no Bcc at all. */
	m = compose_parse(&d, false, &out);
	names = field_names(m);
	ck_assert_str_eq(names, "Date,From,To,Cc,Reply-To,Subject,"
	    "Message-ID,In-Reply-To,References,MIME-Version,Content-Type,"
	    "Content-Transfer-Encoding,User-Agent");
	ck_assert_ptr_null(strstr(out.data, "bcc@example.org"));
	free(names);
	mime_msg_free(&m);
	buf_free(&out);
	mime_draft_free(&d);
}
END_TEST

START_TEST(date_and_id_generated)
{
	struct mime_draft	 d;
	struct mime_msg		*m, *m2;
	struct buf		 out, out2;
	struct mime_summary	 s1, s2;
	int64_t			 now = (int64_t)time(NULL);

	draft_basic(&d);
	d.date = 0;
	d.tz_minutes = -300;
	set_str(&d.message_id, NULL);
	m = compose_parse(&d, false, &out);
	m2 = compose_parse(&d, false, &out2);
	mime_summary_from_headers(&m->root.headers, NULL, &s1);
	mime_summary_from_headers(&m2->root.headers, NULL, &s2);
	ck_assert_msg(s1.date >= now - 5 && s1.date <= now + 5,
	    "date %lld", (long long)s1.date);
	ck_assert_ptr_nonnull(strstr(out.data, " -0500\n"));
	ck_assert_ptr_nonnull(s1.message_id);
	ck_assert_ptr_nonnull(strstr(s1.message_id, "@example.fr>"));
	ck_assert_str_ne(s1.message_id, s2.message_id);
	mime_summary_free(&s1);
	mime_summary_free(&s2);
	mime_msg_free(&m);
	mime_msg_free(&m2);
	buf_free(&out);
	buf_free(&out2);
	mime_draft_free(&d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Round trips                                                         */

static const struct {
	const char	*subject;
	const char	*from_name;
	const char	*to_name;
	const char	*cc_name;
	const char	*body;
	bool		 flowed;
} rt_cases[] = {
	{ "Hello", "Jeanne Martin", "Bob", NULL, "Hi.\n", false },
	{ "Réunion à 15h", "Jérôme Lefèvre", "Zoë", "Łukasz Żółć",
	    "Bonjour à tous,\nla réunion est déplacée.\n\n-- \nJ.\n",
	    false },
	{ "Re: [list] what \"is\" this? (really)", "O'Brien, Pat",
	    "\"Quoted\" Name", "a@b lookalike",
	    "Quoted text:\n> one\n>> two\n", false },
	{ "日本語の件名とても長いテキストの例です。折り返しが必要です。"
	    "さらに続きます。", "山田 太郎", "李小龙", NULL,
	    "こんにちは。\n", false },
	{ "=?utf-8?q?literal?= and =? alone", "=?x?q?y?=", NULL, NULL,
	    "=?utf-8?q?body?=\n", false },
	{ "Flowed", "A", "B", "C", "Short line.\n\nAnother paragraph.\n",
	    true },
	{ "Trailing spaces kept ", "A", NULL, NULL, "line with space \n"
	    "tab\tinside\n", false },
};

START_TEST(roundtrip_table)
{
	struct mime_draft	 d;
	struct mime_msg		*m;
	struct buf		 out;
	char			*text;

	draft_basic(&d);
	set_str(&d.subject, rt_cases[_i].subject);
	set_str(&d.from.v[0].name, rt_cases[_i].from_name);
	mime_addr_list_free(&d.to);
	if (rt_cases[_i].to_name != NULL)
		mime_addr_list_add(&d.to, rt_cases[_i].to_name,
		    "to@example.org");
	if (rt_cases[_i].cc_name != NULL) {
		mime_addr_list_add(&d.cc, rt_cases[_i].cc_name,
		    "cc1@example.org");
		mime_addr_list_add(&d.cc, NULL, "cc2@example.org");
	}
	set_str(&d.body, rt_cases[_i].body);
	d.flowed = rt_cases[_i].flowed;
	m = compose_parse(&d, false, &out);
	assert_all_folded(m);
	{
		/* mime_header_text() trims and collapses blanks. */
		char	*want = xstrdup(d.subject), *got;
		size_t	 n = strlen(want);

		while (n > 0 && want[n - 1] == ' ')
			want[--n] = '\0';
		got = hdr_text(m, "Subject");
		ck_assert_str_eq(got, want);
		free(got);
		free(want);
	}
	assert_addrs(m, "From", &d.from);
	assert_addrs(m, "To", &d.to);
	assert_addrs(m, "Cc", &d.cc);
	text = msg_text(m);
	ck_assert_str_eq(text, d.body);
	free(text);
	mime_msg_free(&m);
	buf_free(&out);
	mime_draft_free(&d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Attachments                                                         */

static char *
binary_data(size_t n)
{
	char	*p = xmalloc(n);
	size_t	 i;

	for (i = 0; i < n; i++)
		p[i] = (char)((i * 7 + i / 256) & 0xff);
	p[0] = '\0';
	p[n / 2] = '\0';
	return p;
}

static void
assert_attachment(const struct mime_msg *m, const struct mime_part *p,
    const struct mime_attachment *a)
{
	char	*bytes, h1[65], h2[65];
	size_t	 len;

	ck_assert(mime_is_attachment(p));
	ck_assert_int_eq(p->disp, MIME_DISP_ATTACHMENT);
	if (a->filename != NULL && *a->filename != '\0')
		ck_assert_str_eq(p->filename, a->filename);
	bytes = part_bytes(m, p, &len);
	ck_assert_uint_eq(len, a->len);
	ck_assert(memcmp(bytes, a->data, len) == 0);
	sha256_hex(bytes, len, h1);
	sha256_hex(a->data, a->len, h2);
	ck_assert_str_eq(h1, h2);
	free(bytes);
}

START_TEST(multipart_two_attachments)
{
	struct mime_draft	 d;
	struct mime_msg		*m;
	struct buf		 out;
	const struct mime_part	**leaves;
	const char		*bnd;
	char			*bin, *text, *cte;
	size_t			 n, i;

	draft_basic(&d);
	set_str(&d.body, "Voici mon CV.\n");
	bin = binary_data(3000);
	mime_draft_attach(&d, "résumé été.pdf", NULL, bin, 3000);
	mime_draft_attach(&d, "notes.txt", NULL, "one\ntwo\r\nthree", 14);
	m = compose_parse(&d, false, &out);
	assert_all_folded(m);
	ck_assert(m->root.is_multipart);
	ck_assert_str_eq(m->root.type, "multipart/mixed");
	bnd = mime_ctype_param(&m->root.ctype, "boundary");
	ck_assert_ptr_nonnull(bnd);
	cte = hdr_text(m, "Content-Transfer-Encoding");
	ck_assert_str_eq(cte, "7bit");
	free(cte);
	leaves = mime_leaves(m, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(leaves[0]->type, "text/plain");
	ck_assert(!mime_is_attachment(leaves[0]));
	text = part_text(m, leaves[0]);
	ck_assert_str_eq(text, "Voici mon CV.\n");
	free(text);
	/* Types guessed from the names; base64 for both. */
	ck_assert_str_eq(leaves[1]->type, "application/pdf");
	ck_assert_str_eq(leaves[2]->type, "text/plain");
	for (i = 1; i < 3; i++) {
		ck_assert_int_eq(leaves[i]->cte, MIME_CTE_BASE64);
		assert_attachment(m, leaves[i], &d.attachments[i - 1]);
	}
	/* The non-ASCII name travels as RFC 2231, base64 lines are 76. */
	ck_assert_ptr_nonnull(strstr(out.data, "filename*=utf-8''r%C3%A9sum"
	    "%C3%A9%20%C3%A9t%C3%A9.pdf"));
	ck_assert_ptr_nonnull(strstr(out.data, "filename=\"notes.txt\""));
	ck_assert_uint_eq(strcspn(out.data + leaves[1]->body_offset, "\n"),
	    76);
	/* The boundary appears only in delimiter lines. */
	{
		const char	*p = out.data + m->root.body_offset;
		size_t		 blen = strlen(bnd), count = 0;

		while ((p = strstr(p, bnd)) != NULL) {
			ck_assert(p[-1] == '-' && p[-2] == '-' &&
			    p[-3] == '\n');
			count++;
			p += blen;
		}
		ck_assert_uint_eq(count, 4);
	}
	free(bin);
	mime_msg_free(&m);
	buf_free(&out);
	mime_draft_free(&d);
}
END_TEST

static const char *const name_cases[] = {
	"plain.txt",
	"with space.txt",
	"quote\"and\\backslash.txt",
	"=?utf-8?q?looks_encoded?=.txt",
	"semi;colon, comma (paren) [br].txt",
	"été.txt",
	"日本語のファイル名.txt",
	"a very long file name that will not fit on one header line at all "
	    "even though it is plain ASCII text.txt",
	"un nom de fichier vraiment très très long, avec des accents éèàùç "
	    "et encore plus de texte pour dépasser plusieurs lignes.pdf",
	"tab\there.txt",
	"%41%42 percent.txt",
	"'quotes'*star*.txt",
	"",
};

START_TEST(filename_table)
{
	struct mime_draft	 d;
	struct mime_msg		*m;
	struct buf		 out;
	const struct mime_part	**leaves;
	size_t			 n;

	draft_basic(&d);
	mime_draft_attach(&d, name_cases[_i], "application/octet-stream",
	    "data", 4);
	m = compose_parse(&d, false, &out);
	assert_all_folded(m);
	leaves = mime_leaves(m, &n);
	ck_assert_uint_eq(n, 2);
	if (name_cases[_i][0] == '\0')
		ck_assert_ptr_null(leaves[1]->filename);
	else
		ck_assert_str_eq(leaves[1]->filename, name_cases[_i]);
	ck_assert_str_eq(leaves[1]->type, "application/octet-stream");
	assert_attachment(m, leaves[1], &d.attachments[0]);
	mime_msg_free(&m);
	buf_free(&out);
	mime_draft_free(&d);
}
END_TEST

static const char fwd_msg[] =
    "Date: Fri, 01 Mar 2024 10:30:00 +0100\n"
    "From: Jeanne Martin <jeanne@example.fr>\n"
    "To: Bob <bob@example.org>\n"
    "Subject: =?utf-8?q?Caf=C3=A9?= tomorrow\n"
    "Message-ID: <orig.1@example.fr>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "See you at the caf\xc3\xa9.\n";

START_TEST(message_attachment)
{
	struct mime_draft	 d;
	struct mime_msg		*m;
	struct buf		 out;
	const struct mime_part	**leaves;
	char			*cte, *s;
	size_t			 n;

	/* An 8-bit message: message/rfc822, 8bit, and the top says so. */
	draft_basic(&d);
	mime_draft_attach(&d, "orig.eml", NULL, fwd_msg,
	    sizeof(fwd_msg) - 1);
	d.attachments[0].is_message = true;
	m = compose_parse(&d, false, &out);
	cte = hdr_text(m, "Content-Transfer-Encoding");
	ck_assert_str_eq(cte, "8bit");
	free(cte);
	ck_assert_uint_eq(m->root.nchildren, 2);
	ck_assert(m->root.children[1].is_message);
	ck_assert_int_eq(m->root.children[1].cte, MIME_CTE_7BIT);
	ck_assert_ptr_nonnull(strstr(out.data,
	    "Content-Transfer-Encoding: 8bit\n\nDate: Fri"));
	assert_attachment(m, &m->root.children[1], &d.attachments[0]);
	leaves = mime_leaves(m, &n);
	ck_assert_uint_eq(n, 2);
	s = part_text(m, leaves[1]);
	ck_assert_str_eq(s, "See you at the caf\xc3\xa9.\n");
	free(s);
	mime_msg_free(&m);
	buf_free(&out);
	mime_draft_free(&d);
	/* With CR LF it cannot go unencoded: octet-stream in base64. */
	draft_basic(&d);
	mime_draft_attach(&d, "crlf.eml", "message/rfc822",
	    "Subject: x\r\n\r\nbody\r\n", 20);
	m = compose_parse(&d, false, &out);
	ck_assert_uint_eq(m->root.nchildren, 2);
	ck_assert_str_eq(m->root.children[1].type,
	    "application/octet-stream");
	ck_assert_int_eq(m->root.children[1].cte, MIME_CTE_BASE64);
	assert_attachment(m, &m->root.children[1], &d.attachments[0]);
	mime_msg_free(&m);
	buf_free(&out);
	mime_draft_free(&d);
}
END_TEST

/* Content that holds boundary-like lines does not break the structure. */
START_TEST(boundary_lookalikes)
{
	struct mime_draft	 d;
	struct mime_msg		*m;
	struct buf		 out;
	const struct mime_part	**leaves;
	static const char	 body[] = "--=_fct_\n--=_fct_AAAA--\n--\n";
	static const char	 inner[] = "Content-Type: multipart/mixed; "
	    "boundary=\"=_fct_\"\n\n--=_fct_\n\nx\n--=_fct_--\n";
	size_t			 n;

	draft_basic(&d);
	set_str(&d.body, body);
	mime_draft_attach(&d, "inner.eml", NULL, inner, sizeof(inner) - 1);
	d.attachments[0].is_message = true;
	mime_draft_attach(&d, "b.txt", NULL, body, sizeof(body) - 1);
	m = compose_parse(&d, false, &out);
	ck_assert_uint_eq(m->root.nchildren, 3);
	leaves = mime_leaves(m, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(leaves[2]->filename, "b.txt");
	assert_attachment(m, &m->root.children[1], &d.attachments[0]);
	assert_attachment(m, &m->root.children[2], &d.attachments[1]);
	mime_msg_free(&m);
	buf_free(&out);
	mime_draft_free(&d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* mime_guess_type                                                     */

static const struct {
	const char	*name;
	const char	*data;
	size_t		 len;
	const char	*want;
} guess_cases[] = {
	{ "a.txt", NULL, 0, "text/plain" },
	{ "A.PDF", NULL, 0, "application/pdf" },
	{ "photo.JPG", NULL, 0, "image/jpeg" },
	{ "photo.jpeg", NULL, 0, "image/jpeg" },
	{ "x.png", NULL, 0, "image/png" },
	{ "x.gif", NULL, 0, "image/gif" },
	{ "x.webp", NULL, 0, "image/webp" },
	{ "x.svg", NULL, 0, "image/svg+xml" },
	{ "x.html", NULL, 0, "text/html" },
	{ "x.htm", NULL, 0, "text/html" },
	{ "a.tar.gz", NULL, 0, "application/gzip" },
	{ "a.tgz", NULL, 0, "application/gzip" },
	{ "a.tar", NULL, 0, "application/x-tar" },
	{ "a.bz2", NULL, 0, "application/x-bzip2" },
	{ "a.xz", NULL, 0, "application/x-xz" },
	{ "a.7z", NULL, 0, "application/x-7z-compressed" },
	{ "a.zip", NULL, 0, "application/zip" },
	{ "a.doc", NULL, 0, "application/msword" },
	{ "a.docx", NULL, 0, "application/vnd.openxmlformats-"
	    "officedocument.wordprocessingml.document" },
	{ "a.xls", NULL, 0, "application/vnd.ms-excel" },
	{ "a.xlsx", NULL, 0, "application/vnd.openxmlformats-"
	    "officedocument.spreadsheetml.sheet" },
	{ "a.ppt", NULL, 0, "application/vnd.ms-powerpoint" },
	{ "a.pptx", NULL, 0, "application/vnd.openxmlformats-"
	    "officedocument.presentationml.presentation" },
	{ "a.odt", NULL, 0, "application/vnd.oasis.opendocument.text" },
	{ "a.ods", NULL, 0,
	    "application/vnd.oasis.opendocument.spreadsheet" },
	{ "a.odp", NULL, 0,
	    "application/vnd.oasis.opendocument.presentation" },
	{ "a.csv", NULL, 0, "text/csv" },
	{ "invite.ics", NULL, 0, "text/calendar" },
	{ "card.vcf", NULL, 0, "text/vcard" },
	{ "mail.eml", NULL, 0, "message/rfc822" },
	{ "a.mp3", NULL, 0, "audio/mpeg" },
	{ "a.ogg", NULL, 0, "audio/ogg" },
	{ "a.wav", NULL, 0, "audio/wav" },
	{ "a.mp4", NULL, 0, "video/mp4" },
	{ "a.mov", NULL, 0, "video/quicktime" },
	{ "a.webm", NULL, 0, "video/webm" },
	{ "a.json", NULL, 0, "application/json" },
	{ "a.xml", NULL, 0, "application/xml" },
	{ "main.c", NULL, 0, "text/x-c" },
	{ "main.h", NULL, 0, "text/x-c" },
	{ "run.py", NULL, 0, "text/x-python" },
	{ "run.sh", NULL, 0, "application/x-sh" },
	{ "fix.patch", NULL, 0, "text/x-patch" },
	{ "fix.diff", NULL, 0, "text/x-diff" },
	{ "README.md", NULL, 0, "text/markdown" },
	/* By content when the name says nothing. */
	{ "image", "\x89PNG\r\n\x1a\n\0\0", 10, "image/png" },
	{ "scan", "\xff\xd8\xff\xe0\0\x10JFIF", 10, "image/jpeg" },
	{ "anim", "GIF89a\x01\0", 8, "image/gif" },
	{ "old", "GIF87a", 6, "image/gif" },
	{ "doc", "%PDF-1.7\n", 9, "application/pdf" },
	{ "archive", "PK\x03\x04\x14\0", 6, "application/zip" },
	{ NULL, "plain text\n", 11, "text/plain" },
	{ "notes", "caf\xc3\xa9\n", 6, "text/plain" },
	{ "README", "", 0, "text/plain" },
	{ "blob", "a\0b", 3, "application/octet-stream" },
	{ "latin1", "caf\xe9", 4, "application/octet-stream" },
	{ "noext.", "x", 1, "text/plain" },
	{ "dir.d/file", "\x01\x02\xff", 3, "application/octet-stream" },
	{ "unknown.xyz", "\xff\xfe", 2, "application/octet-stream" },
	/* The name wins over the content. */
	{ "really.txt", "%PDF-1.4", 8, "text/plain" },
};

START_TEST(guess_type_table)
{
	ck_assert_str_eq(mime_guess_type(guess_cases[_i].name,
	    guess_cases[_i].data, guess_cases[_i].len),
	    guess_cases[_i].want);
}
END_TEST

/* ------------------------------------------------------------------ */
/* mime_subject_base                                                   */

static const struct {
	const char	*in;
	const char	*want;
} base_cases[] = {
	{ "x", "x" },
	{ "Re: x", "x" },
	{ "RE: x", "x" },
	{ "re: x", "x" },
	{ "Re: Re: x", "x" },
	{ "Re:Re:x", "x" },
	{ "Re[2]: x", "x" },
	{ "Re(3): x", "x" },
	{ "RE : x", "x" },
	{ "Aw: x", "x" },
	{ "AW: x", "x" },
	{ "Sv: x", "x" },
	{ "Fwd: x", "x" },
	{ "Fw: x", "x" },
	{ "FW: x", "x" },
	{ "Tr: x", "x" },
	{ "Wg: x", "x" },
	{ "Re: Fwd: Aw: x", "x" },
	{ "  Re:   x  ", "x" },
	{ "[list] Re: x", "x" },
	{ "[list] x", "[list] x" },
	{ "Re: [list] x", "[list] x" },
	{ "Re: [list] Re: x", "x" },
	{ "[list]Re: x", "x" },
	{ "Re\xef\xbc\x9a x", "x" },
	{ "Re:", "" },
	{ "Re: ", "" },
	{ "Return of the king", "Return of the king" },
	{ "Rex: y", "Rex: y" },
	{ "Re[x]: y", "Re[x]: y" },
	{ "Re[]: y", "Re[]: y" },
	{ "[] Re: x", "[] Re: x" },
	{ "[unclosed Re: x", "[unclosed Re: x" },
	{ "Fwd", "Fwd" },
	{ "x Re: y", "x Re: y" },
	{ "Réunion", "Réunion" },
};

START_TEST(subject_base_table)
{
	char	*got = mime_subject_base(base_cases[_i].in);

	ck_assert_str_eq(got, base_cases[_i].want);
	free(got);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Replies                                                             */

static const char *const own[] = { "me@example.org", "Me.Alias@Example.ORG" };

static struct mime_msg *
parse_str(const char *s)
{
	return mime_parse(s, strlen(s), NULL);
}

static int
do_reply(const char *msgtext, enum mime_reply_mode mode,
    struct mime_draft *d, char *err, size_t errlen)
{
	struct mime_msg		*m = parse_str(msgtext);
	struct mime_addr	 me = { (char *)"Me", (char *)"me@example.org",
				    NULL };
	struct mime_reply_opts	 o;
	int			 r;

	memset(&o, 0, sizeof(o));
	o.mode = mode;
	o.own_addrs = own;
	o.nown = NITEMS(own);
	o.from = &me;
	r = mime_reply(m, &o, d, err, errlen);
	mime_msg_free(&m);
	return r;
}

static char *
list_str(const struct mime_addr_list *l)
{
	struct buf	b;
	size_t		i;
	int		r = 0;

	buf_init(&b, 4096);
	for (i = 0; i < l->n && r == 0; i++)
		r = buf_printf(&b, "%s%s", i > 0 ? "," : "", l->v[i].addr);
	ck_assert_int_eq(r, 0);
	return buf_take(&b);
}

static const struct {
	const char	*subject;
	const char	*want;
} re_cases[] = {
	{ "Re: Re: x", "Re: x" },
	{ "RE: x", "Re: x" },
	{ "Aw: x", "Re: x" },
	{ "[list] Re: x", "Re: x" },
	{ "x", "Re: x" },
	{ "=?utf-8?q?Re=3A_caf=C3=A9?=", "Re: café" },
	{ "Fwd: x", "Re: x" },
	{ "", "Re: " },
};

START_TEST(reply_subject_table)
{
	struct mime_draft	 d;
	char			*msg, err[128];
	int			 r;

	msg = xasprintf("From: a@example.com\nSubject: %s\n"
	    "Message-ID: <1@example.com>\n\nhello\n", re_cases[_i].subject);
	r = do_reply(msg, MIME_REPLY_SENDER, &d, err, sizeof(err));
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(d.subject, re_cases[_i].want);
	mime_draft_free(&d);
	free(msg);
}
END_TEST

static const char reply_msg[] =
    "Date: Fri, 01 Mar 2024 10:30:00 +0100\n"
    "From: Jeanne Martin <jeanne@example.fr>\n"
    "To: Me <ME@example.org>, Bob <bob@example.org>,\n"
    " me.alias@example.org\n"
    "Cc: Carol <carol@example.org>, BOB@example.org,\n"
    " jeanne@example.fr, =?utf-8?q?Bad=0AName?= <dan@example.org>,\n"
    " Undisclosed:;, not an address\n"
    "Subject: Plans\n"
    "Message-ID: <m3@example.fr>\n"
    "In-Reply-To: <m2@example.org>\n"
    "References: <m1@example.fr> <m2@example.org>\n"
    "List-Post: <mailto:plans@lists.example.org?subject=help> (Post here)\n"
    "\n"
    "Hi,\n"
    "> earlier\n"
    ">> older\n"
    "\n"
    "Bye.\n"
    "-- \n"
    "Jeanne\n";

static const struct {
	const char		*msg;
	enum mime_reply_mode	 mode;
	const char		*to;	/* NULL: the reply fails */
	const char		*cc;
	const char		*err;
} rcpt_cases[] = {
	{ reply_msg, MIME_REPLY_SENDER, "jeanne@example.fr", "", NULL },
	{ reply_msg, MIME_REPLY_ALL, "jeanne@example.fr,bob@example.org",
	    "carol@example.org,dan@example.org", NULL },
	{ reply_msg, MIME_REPLY_LIST, "plans@lists.example.org", "", NULL },
	/* Reply-To wins over From. */
	{ "From: a@example.com\nReply-To: r@example.com\nTo: me@example.org\n"
	    "\nx\n", MIME_REPLY_SENDER, "r@example.com", "", NULL },
	{ "From: a@example.com\nReply-To: r@example.com\nTo: me@example.org,"
	    " b@example.com\n\nx\n", MIME_REPLY_ALL,
	    "r@example.com,b@example.com", "", NULL },
	/* The user's own message: to its recipients. */
	{ "From: Me <me@example.org>\nTo: x@example.com, y@example.com\n"
	    "Cc: z@example.com, me@example.org\n\nx\n", MIME_REPLY_SENDER,
	    "x@example.com,y@example.com", "", NULL },
	{ "From: Me <me@example.org>\nTo: x@example.com, y@example.com\n"
	    "Cc: z@example.com, me@example.org\n\nx\n", MIME_REPLY_ALL,
	    "x@example.com,y@example.com", "z@example.com", NULL },
	/* A note to self stays one. */
	{ "From: me@example.org\nTo: me@example.org\n\nx\n", MIME_REPLY_ALL,
	    "me@example.org", "", NULL },
	/* Lists. */
	{ "From: a@example.com\nList-Post: NO (posting not allowed)\n\nx\n",
	    MIME_REPLY_LIST, NULL, NULL,
	    "this message has no List-Post address" },
	{ "From: a@example.com\n\nx\n", MIME_REPLY_LIST, NULL, NULL,
	    "this message has no List-Post address" },
	{ "From: a@example.com\nList-Post: <http://x.example/post>,\n"
	    " <MAILTO:l%40example.com>\n\nx\n", MIME_REPLY_LIST,
	    "l@example.com", "", NULL },
	/* Nobody to reply to. */
	{ "Subject: x\n\nx\n", MIME_REPLY_SENDER, NULL, NULL,
	    "this message has no address to reply to" },
};

START_TEST(reply_recipients_table)
{
	struct mime_draft	 d;
	char			 err[128] = "", *to, *cc;
	int			 r;

	r = do_reply(rcpt_cases[_i].msg, rcpt_cases[_i].mode, &d, err,
	    sizeof(err));
	if (rcpt_cases[_i].to == NULL) {
		ck_assert_int_eq(r, -1);
		ck_assert_str_eq(err, rcpt_cases[_i].err);
		ck_assert_uint_eq(d.to.n, 0);
		ck_assert_ptr_null(d.subject);
		return;
	}
	ck_assert_int_eq(r, 0);
	to = list_str(&d.to);
	cc = list_str(&d.cc);
	ck_assert_str_eq(to, rcpt_cases[_i].to);
	ck_assert_str_eq(cc, rcpt_cases[_i].cc);
	ck_assert_uint_eq(d.from.n, 1);
	ck_assert_str_eq(d.from.v[0].addr, "me@example.org");
	free(to);
	free(cc);
	mime_draft_free(&d);
}
END_TEST

START_TEST(reply_body_and_threading)
{
	struct mime_draft	 d;
	struct mime_msg		*m;
	struct buf		 out;
	char			 err[128] = "", *text;
	size_t			 i;
	int			 r;

	r = do_reply(reply_msg, MIME_REPLY_ALL, &d, err, sizeof(err));
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(d.subject, "Re: Plans");
	ck_assert_str_eq(d.in_reply_to, "<m3@example.fr>");
	ck_assert_uint_eq(d.nreferences, 3);
	ck_assert_str_eq(d.references[0], "<m1@example.fr>");
	ck_assert_str_eq(d.references[1], "<m2@example.org>");
	ck_assert_str_eq(d.references[2], "<m3@example.fr>");
	ck_assert_str_eq(d.body,
	    "On Fri, 01 Mar 2024 10:30:00 +0100, Jeanne Martin wrote:\n"
	    "> Hi,\n"
	    ">> earlier\n"
	    ">>> older\n"
	    ">\n"
	    "> Bye.\n"
	    "\n");
	/* Names from the original are safe to compose. */
	for (i = 0; i < d.cc.n; i++)
		if (d.cc.v[i].name != NULL)
			ck_assert_ptr_null(strchr(d.cc.v[i].name, '\n'));
	/* The reply composes and parses back. */
	d.date = T_DATE;
	m = compose_parse(&d, false, &out);
	assert_hdr(m, "Subject", "Re: Plans");
	assert_hdr(m, "In-Reply-To", "<m3@example.fr>");
	assert_addrs(m, "To", &d.to);
	assert_addrs(m, "Cc", &d.cc);
	text = msg_text(m);
	ck_assert_str_eq(text, d.body);
	free(text);
	mime_msg_free(&m);
	buf_free(&out);
	mime_draft_free(&d);
}
END_TEST

START_TEST(reply_threading_table)
{
	static const struct {
		const char	*hdrs;
		const char	*irt;		/* NULL: none */
		size_t		 nrefs;
		const char	*first, *last;
	} cases[] = {
		{ "Message-ID: <a@x>\n", "<a@x>", 1, "<a@x>", "<a@x>" },
		{ "", NULL, 0, NULL, NULL },
		{ "Message-ID: <b@x>\nIn-Reply-To: <a@x>\n", "<b@x>", 2,
		    "<a@x>", "<b@x>" },
		{ "Message-ID: <c@x>\nIn-Reply-To: <b@x>\n"
		    "References: <a@x> <b@x>\n", "<c@x>", 3, "<a@x>",
		    "<c@x>" },
		/* An id repeated at the end is not doubled. */
		{ "Message-ID: <b@x>\nReferences: <a@x> <b@x>\n", "<b@x>", 2,
		    "<a@x>", "<b@x>" },
		/* Ids mime_compose() would refuse are dropped. */
		{ "Message-ID: junk\nReferences: <a@x> <\xc3\xa9@x> <d@x>\n",
		    NULL, 2,
		    "<a@x>", "<d@x>" },
	};
	struct mime_draft	 d;
	char			*msg, err[128];
	size_t			 i;
	int			 r;

	for (i = 0; i < NITEMS(cases); i++) {
		msg = xasprintf("From: a@example.com\n%s\nx\n",
		    cases[i].hdrs);
		r = do_reply(msg, MIME_REPLY_SENDER, &d, err, sizeof(err));
		ck_assert_int_eq(r, 0);
		if (cases[i].irt == NULL)
			ck_assert_ptr_null(d.in_reply_to);
		else
			ck_assert_str_eq(d.in_reply_to, cases[i].irt);
		ck_assert_uint_eq(d.nreferences, cases[i].nrefs);
		if (cases[i].nrefs > 0) {
			ck_assert_str_eq(d.references[0], cases[i].first);
			ck_assert_str_eq(d.references[d.nreferences - 1],
			    cases[i].last);
		}
		mime_draft_free(&d);
		free(msg);
	}
}
END_TEST

START_TEST(reply_references_capped)
{
	struct mime_draft	 d;
	struct buf		 b;
	char			 err[128], want[32];
	size_t			 i;
	int			 r = 0;

	buf_init(&b, 1 << 20);
	r = buf_append_str(&b, "From: a@example.com\nMessage-ID: <new@x>\n"
	    "References:");
	for (i = 0; i < 50 && r == 0; i++)
		r = buf_printf(&b, "\n <r%zu@x>", i);
	if (r == 0)
		r = buf_append_str(&b, "\n\nbody\n");
	ck_assert_int_eq(r, 0);
	r = do_reply(b.data, MIME_REPLY_SENDER, &d, err, sizeof(err));
	ck_assert_int_eq(r, 0);
	/* The first, then the last 20 (the 50 old ones plus the new). */
	ck_assert_uint_eq(d.nreferences, 21);
	ck_assert_str_eq(d.references[0], "<r0@x>");
	for (i = 1; i < 20; i++) {
		(void)snprintf(want, sizeof(want), "<r%zu@x>", 30 + i);
		ck_assert_str_eq(d.references[i], want);
	}
	ck_assert_str_eq(d.references[20], "<new@x>");
	mime_draft_free(&d);
	buf_free(&b);
}
END_TEST

START_TEST(reply_quoting_table)
{
	static const struct {
		const char	*body;
		const char	*quoted;
	} cases[] = {
		{ "one\ntwo\n", "> one\n> two\n" },
		{ "a\n\n\nb\n\n\n", "> a\n>\n>\n> b\n" },
		{ "> q\n>> qq\n>no space\n", ">> q\n>>> qq\n>>no space\n" },
		{ "text\n-- \nsig\nmore sig\n", "> text\n" },
		{ "text\n--\nnot a sig\n", "> text\n> --\n> not a sig\n" },
		{ "a\n-- \nfirst\n-- \nsecond\n", "> a\n> -- \n> first\n" },
		{ "-- \nonly sig\n", "" },
		{ "no newline", "> no newline\n" },
		{ "", "" },
	};
	struct mime_draft	 d;
	char			*msg, *want, err[128];
	size_t			 i;
	int			 r;

	for (i = 0; i < NITEMS(cases); i++) {
		msg = xasprintf("From: Ann <ann@example.com>\n"
		    "Date: Fri, 01 Mar 2024 09:30:00 GMT\n\n%s",
		    cases[i].body);
		r = do_reply(msg, MIME_REPLY_SENDER, &d, err, sizeof(err));
		ck_assert_int_eq(r, 0);
		want = xasprintf("On Fri, 01 Mar 2024 09:30:00 +0000, Ann "
		    "wrote:\n%s\n", cases[i].quoted);
		ck_assert_str_eq(d.body, want);
		free(want);
		mime_draft_free(&d);
		free(msg);
	}
}
END_TEST

START_TEST(reply_attribution_fallbacks)
{
	struct mime_draft	 d;
	char			 err[128];
	int			 r;

	r = do_reply("From: ann@example.com\nDate: garbage\n\nx\n",
	    MIME_REPLY_SENDER, &d, err, sizeof(err));
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(d.body, "ann@example.com wrote:\n> x\n\n");
	mime_draft_free(&d);
	r = do_reply("From: =?utf-8?q?Ev=1Bil?= <e@example.com>\n"
	    "Date: Fri, 01 Mar 2024 09:30:00 -0800\n\nx\n",
	    MIME_REPLY_SENDER, &d, err, sizeof(err));
	ck_assert_int_eq(r, 0);
	ck_assert_ptr_null(strchr(d.body, 0x1b));
	ck_assert_ptr_nonnull(strstr(d.body,
	    "On Fri, 01 Mar 2024 09:30:00 -0800, "));
	mime_draft_free(&d);
}
END_TEST

/* An HTML-only message is quoted as text. */
START_TEST(reply_html_only)
{
	struct mime_draft	 d;
	char			 err[128];
	int			 r;

	r = do_reply("From: a@example.com\nContent-Type: text/html\n\n"
	    "<p>Hello <b>there</b></p>\n", MIME_REPLY_SENDER, &d, err,
	    sizeof(err));
	ck_assert_int_eq(r, 0);
	ck_assert_ptr_nonnull(strstr(d.body, "> Hello there"));
	ck_assert_ptr_null(strstr(d.body, "<p>"));
	mime_draft_free(&d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Forwards                                                            */

static const char fwd_multi[] =
    "Date: Fri, 01 Mar 2024 10:30:00 +0100\n"
    "From: Jeanne Martin <jeanne@example.fr>\n"
    "To: Bob <bob@example.org>\n"
    "Cc: carol@example.org\n"
    "Subject: Re: Documents\n"
    "Message-ID: <docs@example.fr>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"XX\"\n"
    "\n"
    "--XX\n"
    "Content-Type: multipart/alternative; boundary=\"YY\"\n"
    "\n"
    "--YY\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Voici les documents, caf=C3=A9 compris.\n"
    "--YY\n"
    "Content-Type: text/html; charset=utf-8\n"
    "\n"
    "<p>Voici les documents</p>\n"
    "--YY--\n"
    "--XX\n"
    "Content-Type: application/pdf; name=\"plan.pdf\"\n"
    "Content-Disposition: attachment; filename=\"plan.pdf\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "JVBERi0xLjQKAP8A\n"
    "--XX\n"
    "Content-Type: image/png\n"
    "Content-Disposition: attachment;\n"
    " filename*=utf-8''r%C3%A9seau%0A.png\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "iVBORw0KGgo=\n"
    "--XX\n"
    "Content-Type: message/rfc822\n"
    "Content-Disposition: attachment\n"
    "\n"
    "From: x@example.com\n"
    "Subject: Inner one\n"
    "\n"
    "inner body\n"
    "--XX--\n";

START_TEST(forward_inline)
{
	struct mime_msg		*m, *m2;
	struct mime_draft	 d;
	struct mime_addr	 me = { (char *)"Me", (char *)"me@example.org",
				    NULL };
	struct buf		 out;
	const struct mime_part	**leaves;
	char			 err[128];
	size_t			 n;
	int			 r;

	m = parse_str(fwd_multi);
	r = mime_forward(m, false, &me, NULL, &d, err, sizeof(err));
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(d.subject, "Fwd: Documents");
	ck_assert_str_eq(d.from.v[0].addr, "me@example.org");
	ck_assert_uint_eq(d.to.n, 0);
	ck_assert_str_eq(d.body,
	    "---------- Forwarded message ----------\n"
	    "From: Jeanne Martin <jeanne@example.fr>\n"
	    "Date: Fri, 01 Mar 2024 10:30:00 +0100\n"
	    "Subject: Re: Documents\n"
	    "To: Bob <bob@example.org>\n"
	    "Cc: carol@example.org\n"
	    "\n"
	    "Voici les documents, caf\xc3\xa9 compris.\n");
	ck_assert_uint_eq(d.nattachments, 3);
	ck_assert_str_eq(d.attachments[0].filename, "plan.pdf");
	ck_assert_str_eq(d.attachments[0].content_type, "application/pdf");
	ck_assert_uint_eq(d.attachments[0].len, 12);
	ck_assert(memcmp(d.attachments[0].data, "%PDF-1.4\n\0\xff\0", 12) ==
	    0);
	/* A control character in a name is made harmless. */
	ck_assert_str_eq(d.attachments[1].filename, "réseau_.png");
	ck_assert(d.attachments[2].is_message);
	ck_assert_str_eq(d.attachments[2].filename, "Inner one.eml");
	ck_assert_str_eq(d.attachments[2].data,
	    "From: x@example.com\nSubject: Inner one\n\ninner body");
	/* And the forward composes, carrying the same bytes. */
	mime_addr_list_add(&d.to, NULL, "friend@example.net");
	m2 = compose_parse(&d, false, &out);
	leaves = mime_leaves(m2, &n);
	ck_assert_uint_eq(n, 4);
	assert_attachment(m2, leaves[1], &d.attachments[0]);
	assert_attachment(m2, leaves[2], &d.attachments[1]);
	assert_attachment(m2, &m2->root.children[3], &d.attachments[2]);
	mime_msg_free(&m2);
	buf_free(&out);
	mime_draft_free(&d);
	mime_msg_free(&m);
}
END_TEST

START_TEST(forward_as_attachment)
{
	struct mime_msg		*m, *m2, *inner;
	struct mime_draft	 d;
	struct buf		 out;
	const struct mime_part	*p;
	char			 err[128], *bytes, *s;
	size_t			 len;
	int			 r;

	m = parse_str(fwd_msg);
	r = mime_forward(m, true, NULL, NULL, &d, err, sizeof(err));
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(d.subject, "Fwd: Café tomorrow");
	ck_assert_str_eq(d.body, "");
	ck_assert_uint_eq(d.nattachments, 1);
	ck_assert(d.attachments[0].is_message);
	ck_assert_str_eq(d.attachments[0].filename, "Café tomorrow.eml");
	ck_assert_uint_eq(d.attachments[0].len, sizeof(fwd_msg) - 1);
	mime_addr_list_add(&d.from, NULL, "me@example.org");
	m2 = compose_parse(&d, false, &out);
	ck_assert_uint_eq(m2->root.nchildren, 2);
	p = &m2->root.children[1];
	ck_assert(p->is_message);
	ck_assert_str_eq(p->type, "message/rfc822");
	ck_assert_str_eq(p->filename, "Café tomorrow.eml");
	bytes = part_bytes(m2, p, &len);
	ck_assert_uint_eq(len, sizeof(fwd_msg) - 1);
	ck_assert(memcmp(bytes, fwd_msg, len) == 0);
	/* The attached message parses back to the original headers. */
	inner = mime_parse(bytes, len, NULL);
	assert_hdr(inner, "Subject", "Café tomorrow");
	assert_hdr(inner, "From", "Jeanne Martin <jeanne@example.fr>");
	assert_hdr(inner, "Message-ID", "<orig.1@example.fr>");
	assert_hdr(inner, "Date", "Fri, 01 Mar 2024 10:30:00 +0100");
	s = msg_text(inner);
	ck_assert_str_eq(s, "See you at the caf\xc3\xa9.\n");
	free(s);
	/* As the parser sees it in place, too. */
	ck_assert_uint_eq(p->nchildren, 1);
	s = mime_header_text(mime_headers_get(&p->children[0].headers,
	    "Subject")->value, mime_headers_get(&p->children[0].headers,
	    "Subject")->value_len, NULL);
	ck_assert_str_eq(s, "Café tomorrow");
	free(s);
	mime_msg_free(&inner);
	free(bytes);
	mime_msg_free(&m2);
	buf_free(&out);
	mime_draft_free(&d);
	mime_msg_free(&m);
}
END_TEST

START_TEST(forward_crlf_and_no_subject)
{
	static const char	 crlf[] = "From: a@example.com\r\n"
	    "Subject: a/b\\c\r\n\r\nline\r\n";
	struct mime_msg		*m;
	struct mime_draft	 d;
	char			 err[128];
	int			 r;

	m = parse_str(crlf);
	r = mime_forward(m, true, NULL, NULL, &d, err, sizeof(err));
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(d.attachments[0].filename, "a_b_c.eml");
	ck_assert_str_eq(d.attachments[0].data,
	    "From: a@example.com\nSubject: a/b\\c\n\nline\n");
	mime_draft_free(&d);
	mime_msg_free(&m);
	m = parse_str("From: a@example.com\n\nx\n");
	r = mime_forward(m, true, NULL, NULL, &d, err, sizeof(err));
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(d.subject, "Fwd: ");
	ck_assert_str_eq(d.attachments[0].filename, "forwarded message.eml");
	ck_assert_uint_eq(d.from.n, 0);
	mime_draft_free(&d);
	mime_msg_free(&m);
}
END_TEST

/* ------------------------------------------------------------------ */

/* ------------------------------------------------------------------ */
/* Messages to send                                                    */

static const struct mime_out_params out_params = {
	"Jeanne Martin <jeanne@example.fr>", "jeanne@example.fr",
	1709285400, 60
};

START_TEST(outgoing_prepare)
{
	static const char	msg[] = "To: Bob <bob@example.test>, "
	    "carol@example.test\nCc: \"Dave, D.\" <dave@example.test>,\n"
	    " BOB@example.test\nBcc: eve@example.test,\n\tfrank@example.test\n"
	    "Subject: hi\n\nbody\nBcc: not a header\n";
	struct mime_outgoing	o;
	char			err[256];

	ck_assert_int_eq(mime_outgoing_prepare(msg, sizeof(msg) - 1,
	    &out_params, &o, err, sizeof(err)), 0);
	ck_assert_uint_eq(o.nrcpt, 5);
	ck_assert_str_eq(o.rcpt[0], "bob@example.test");
	ck_assert_str_eq(o.rcpt[1], "carol@example.test");
	ck_assert_str_eq(o.rcpt[2], "dave@example.test");
	ck_assert_str_eq(o.rcpt[3], "eve@example.test");
	ck_assert_str_eq(o.rcpt[4], "frank@example.test");
	ck_assert_ptr_nonnull(o.message_id);
	ck_assert(strncmp(o.message_id, "<", 1) == 0);
	ck_assert_ptr_nonnull(strstr(o.message_id, "@example.fr>"));
	/* The copy: Date, Message-ID and From added in front, Bcc kept. */
	ck_assert(strncmp(o.copy, "Date: Fri, 01 Mar 2024 10:30:00 +0100\r\n"
	    "Message-ID: <", 52) == 0);
	ck_assert_ptr_nonnull(strstr(o.copy, "\r\nFrom: Jeanne Martin "
	    "<jeanne@example.fr>\r\nTo: Bob"));
	ck_assert_ptr_nonnull(strstr(o.copy, "Bcc: eve@example.test,\n\t"
	    "frank@example.test\n"));
	/* The wire: the same without Bcc (a "Bcc:" in the body stays). */
	ck_assert_ptr_null(strstr(o.wire, "eve@"));
	ck_assert_ptr_null(strstr(o.wire, "frank@"));
	ck_assert_ptr_nonnull(strstr(o.wire, "BOB@example.test\nSubject: hi\n"
	    "\nbody\nBcc: not a header\n"));
	ck_assert_uint_eq(o.wire_len, o.copy_len - strlen("Bcc: "
	    "eve@example.test,\n\tfrank@example.test\n"));
	mime_outgoing_free(&o);
}
END_TEST

/* Prepared twice, the same: nothing added again, same recipients. */
START_TEST(outgoing_idempotent)
{
	static const char	msg[] = "Subject: x\r\nBcc: b@x.test\r\n"
	    "To: a@x.test\r\n\r\nhi\r\n";
	struct mime_outgoing	o, o2;
	char			err[256];

	ck_assert_int_eq(mime_outgoing_prepare(msg, sizeof(msg) - 1,
	    &out_params, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(mime_outgoing_prepare(o.copy, o.copy_len,
	    &out_params, &o2, err, sizeof(err)), 0);
	ck_assert_uint_eq(o2.copy_len, o.copy_len);
	ck_assert_mem_eq(o2.copy, o.copy, o.copy_len);
	ck_assert_str_eq(o2.message_id, o.message_id);
	ck_assert_uint_eq(o2.nrcpt, 2);
	ck_assert_str_eq(o2.rcpt[0], "a@x.test");
	ck_assert_str_eq(o2.rcpt[1], "b@x.test");
	ck_assert_ptr_null(strstr(o2.wire, "Bcc"));
	mime_outgoing_free(&o);
	mime_outgoing_free(&o2);
}
END_TEST

START_TEST(outgoing_refused)
{
	static const struct {
		const char	*msg;
		const char	*err;
	} cases[] = {
		{ "Subject: x\n\nno recipients\n", "no recipient (To, Cc and "
		  "Bcc name nobody)" },
		{ "To: Undisclosed recipients:;\n\nx\n", "no recipient (To, Cc "
		  "and Bcc name nobody)" },
		{ "To: a@x.test\nCc: not an address\n\nx\n", "Cc: \"not an "
		  "address\" is not a valid address" },
		{ "To: <a\"b@x.test>\n\nx\n", NULL },
		{ "\nTo: a@x.test\n", "no header (a message starts with fields "
		  "such as To: and Subject:)" },
		{ "", "no header (a message starts with fields such as To: "
		  "and Subject:)" },
	};
	struct mime_outgoing	o;
	char			err[256];
	size_t			i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		ck_assert_int_eq(mime_outgoing_prepare(cases[i].msg,
		    strlen(cases[i].msg), &out_params, &o, err, sizeof(err)),
		    -1);
		if (cases[i].err != NULL)
			ck_assert_str_eq(err, cases[i].err);
		else
			ck_assert_msg(err[0] != '\0', "case %zu", i);
	}
}
END_TEST

/* An mbox "From " line is dropped: not sent, and not left behind the
 * added fields, where it would end the header block (fuzz_outgoing). */
START_TEST(outgoing_mbox_from_line)
{
	static const char	msg[] = "From <\r@st>\nFrom To: x\nTo: a@x.test\n"
	    "Bcc: b@x.test\n\nx\n";
	struct mime_outgoing	o, o2;
	char			err[256];

	ck_assert_int_eq(mime_outgoing_prepare(msg, sizeof(msg) - 1,
	    &out_params, &o, err, sizeof(err)), 0);
	ck_assert_ptr_null(strstr(o.copy, "From <"));
	ck_assert_ptr_null(strstr(o.copy, "From To"));
	ck_assert_uint_eq(o.nrcpt, 2);
	ck_assert_int_eq(mime_outgoing_prepare(o.copy, o.copy_len,
	    &out_params, &o2, err, sizeof(err)), 0);
	ck_assert_uint_eq(o2.nrcpt, 2);
	ck_assert_ptr_null(strstr(o2.wire, "Bcc"));
	mime_outgoing_free(&o);
	mime_outgoing_free(&o2);
}
END_TEST

/* A Message-ID the user gave is kept, even one without a msg-id. */
START_TEST(outgoing_keeps_fields)
{
	static const char	msg[] = "From: Other <o@x.test>\nDate: Mon, 1 "
	    "Jan 2024 00:00:00 +0000\nMessage-ID: <given@x.test>\nTo: a@x.test"
	    "\n\nx\n";
	static const char	junk[] = "Message-ID: junk\nTo: a@x.test\n\nx\n";
	struct mime_outgoing	o;
	char			err[256];

	ck_assert_int_eq(mime_outgoing_prepare(msg, sizeof(msg) - 1,
	    &out_params, &o, err, sizeof(err)), 0);
	ck_assert_uint_eq(o.copy_len, sizeof(msg) - 1);
	ck_assert_str_eq(o.copy, msg);
	ck_assert_str_eq(o.message_id, "<given@x.test>");
	mime_outgoing_free(&o);
	ck_assert_int_eq(mime_outgoing_prepare(junk, sizeof(junk) - 1,
	    &out_params, &o, err, sizeof(err)), 0);
	ck_assert_ptr_null(o.message_id);
	ck_assert_ptr_null(strstr(o.copy, "Message-ID: <"));
	mime_outgoing_free(&o);
}
END_TEST

Suite *
mime_compose_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("mime_compose");
	tc = tcase_create("null_and_empty");
	tcase_add_test(tc, null_and_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("injection");
	tcase_add_loop_test(tc, injection_table, 0, (int)NITEMS(inj_cases));
	tcase_add_test(tc, unbreakable_subject);
	suite_add_tcase(s, tc);

	tc = tcase_create("encoding");
	tcase_add_loop_test(tc, subject_encoding_table, 0,
	    (int)NITEMS(subj_cases));
	tcase_add_test(tc, name_encoding);
	tcase_add_test(tc, text_cte_table);
	tcase_add_test(tc, flowed_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("folding");
	tcase_add_test(tc, folding_long_fields);
	tcase_add_test(tc, folding_long_encoded_subject);
	suite_add_tcase(s, tc);

	tc = tcase_create("headers");
	tcase_add_test(tc, header_order);
	tcase_add_test(tc, date_and_id_generated);
	suite_add_tcase(s, tc);

	tc = tcase_create("roundtrip");
	tcase_add_loop_test(tc, roundtrip_table, 0, (int)NITEMS(rt_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("attachments");
	tcase_add_test(tc, multipart_two_attachments);
	tcase_add_loop_test(tc, filename_table, 0, (int)NITEMS(name_cases));
	tcase_add_test(tc, message_attachment);
	tcase_add_test(tc, boundary_lookalikes);
	suite_add_tcase(s, tc);

	tc = tcase_create("guess_type");
	tcase_add_loop_test(tc, guess_type_table, 0,
	    (int)NITEMS(guess_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("subject_base");
	tcase_add_loop_test(tc, subject_base_table, 0,
	    (int)NITEMS(base_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("reply");
	tcase_add_loop_test(tc, reply_subject_table, 0,
	    (int)NITEMS(re_cases));
	tcase_add_loop_test(tc, reply_recipients_table, 0,
	    (int)NITEMS(rcpt_cases));
	tcase_add_test(tc, reply_body_and_threading);
	tcase_add_test(tc, reply_threading_table);
	tcase_add_test(tc, reply_references_capped);
	tcase_add_test(tc, reply_quoting_table);
	tcase_add_test(tc, reply_attribution_fallbacks);
	tcase_add_test(tc, reply_html_only);
	suite_add_tcase(s, tc);

	tc = tcase_create("forward");
	tcase_add_test(tc, forward_inline);
	tcase_add_test(tc, forward_as_attachment);
	tcase_add_test(tc, forward_crlf_and_no_subject);
	suite_add_tcase(s, tc);

	tc = tcase_create("outgoing");
	tcase_add_test(tc, outgoing_prepare);
	tcase_add_test(tc, outgoing_idempotent);
	tcase_add_test(tc, outgoing_refused);
	tcase_add_test(tc, outgoing_keeps_fields);
	tcase_add_test(tc, outgoing_mbox_from_line);
	suite_add_tcase(s, tc);
	return s;
}
