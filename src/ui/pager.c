/*
 * pager.c: a message as the pager's lines: decoded headers, the text
 * parts with their quote levels and signature, the attachments; then the
 * same lines wrapped to the screen's width (at a space when one is near,
 * else where the width ends).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_priv.h"

#define PAGER_MAX_TEXT	((size_t)256 * 1024 * 1024)

static const char *const main_headers[] = {
	"Date", "From", "To", "Cc", "Reply-To", "Subject"
};

static void
add_line(struct ui_pager *p, size_t off, size_t len, enum ui_line_kind kind,
    size_t name_len, size_t *cap)
{
	if (p->nlines == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		p->lines = xreallocarray(p->lines, *cap, sizeof(*p->lines));
	}
	p->lines[p->nlines].off = off;
	p->lines[p->nlines].len = len;
	p->lines[p->nlines].kind = (uint8_t)kind;
	p->lines[p->nlines].name_len = (uint16_t)(name_len > 0xffff ? 0xffff :
	    name_len);
	p->nlines++;
}

/* Append text to p->text and cut it into lines of kind (body text: quote
 * levels and the signature found here). */
static void
add_text(struct ui_pager *p, const char *s, size_t n, enum ui_line_kind kind,
    size_t name_len, size_t *cap)
{
	size_t	 i = 0, e, off;
	bool	 sig = false;

	if (n == 0) {
		off = p->text.len;
		if (buf_append_byte(&p->text, '\n') == 0)
			add_line(p, off, 0, kind, 0, cap);
		return;
	}
	while (i < n) {
		const char	*nl = memchr(s + i, '\n', n - i);
		enum ui_line_kind k = kind;
		int		 q;

		e = nl != NULL ? (size_t)(nl - s) : n;
		off = p->text.len;
		if (buf_append(&p->text, s + i, e - i) == -1 ||
		    buf_append_byte(&p->text, '\n') == -1)
			return;
		if (kind == UI_LINE_BODY) {
			if ((e - i == 3 && memcmp(s + i, "-- ", 3) == 0) ||
			    (e - i == 2 && memcmp(s + i, "--", 2) == 0))
				sig = true;
			q = ui_quote_depth(s + i, e - i);
			if (sig)
				k = UI_LINE_SIGNATURE;
			else if (q > 0)
				k = q % 2 == 1 ? UI_LINE_QUOTE1 :
				    UI_LINE_QUOTE2;
		}
		add_line(p, off, e - i, k, name_len, cap);
		name_len = 0;
		i = e + 1;
	}
}

static void
add_header(struct ui_pager *p, const struct mime_field *f,
    const char *fallback, size_t *cap)
{
	char		*v = mime_header_text(f->value, f->value_len, fallback);
	struct buf	 line;

	buf_init(&line, 1024 * 1024);
	if (buf_append(&line, f->name, f->name_len) == 0 &&
	    buf_append_str(&line, ": ") == 0 && buf_append_str(&line, v) == 0)
		add_text(p, buf_str(&line), line.len, UI_LINE_HEADER,
		    f->name_len + 1, cap);
	buf_free(&line);
	free(v);
}

static void
add_attachments(struct ui_pager *p, const char *fallback, size_t *cap)
{
	const struct mime_part	**leaves;
	size_t			  n, i;
	bool			  first = true;

	(void)fallback;
	leaves = mime_leaves(p->msg, &n);
	p->att = xcalloc(n + 1, sizeof(*p->att));
	for (i = 0; i < n; i++) {
		const struct mime_part	*part = leaves[i];
		struct buf		 d, label;
		char			 size[16];

		buf_init(&d, PAGER_MAX_TEXT);
		p->att[i].size = mime_part_decode(p->msg, part, &d) == 0 ?
		    d.len : part->body_len;
		buf_free(&d);
		ui_human_size(p->att[i].size, size, sizeof(size));
		buf_init(&label, 4096);
		ui_cat(&label, "[%s] %s, %s", part->path[0] ? part->path :
		    "1", part->type, size);
		if (part->filename != NULL)
			ui_cat(&label, ", %s", part->filename);
		p->att[i].part = part;
		p->att[i].label = buf_take(&label);
		p->natt++;
		if (!mime_is_attachment(part))
			continue;
		if (first)
			add_text(p, "\n[-- Attachments --]", 20, UI_LINE_SEP, 0,
			    cap);
		first = false;
		add_text(p, p->att[i].label, strlen(p->att[i].label),
		    UI_LINE_ATTACH, 0, cap);
	}
}

/* One text part as the reader sees it: through html-command for HTML
 * when there is one (its failure said, then the built-in renderer). */
static void
part_text(struct ui_pager *p, const struct mime_part *part,
    const char *fallback, const char *html_command, struct buf *t)
{
	struct buf	html, out;
	char		err[512];

	if (html_command != NULL && strcmp(part->type, "text/html") == 0) {
		buf_init(&html, PAGER_MAX_TEXT);
		buf_init(&out, PAGER_MAX_TEXT);
		if (mime_part_utf8(p->msg, part, fallback, &html) == 0 &&
		    run_filter(html_command, buf_str(&html), html.len, &out,
		    err, sizeof(err)) == 0 &&
		    mime_sanitize(buf_str(&out), out.len, true, t) == 0) {
			buf_free(&html);
			buf_free(&out);
			return;
		}
		buf_reset(t);
		ui_cat(t, "[-- html-command: %s; the built-in renderer "
		    "follows --]\n", err);
		buf_free(&html);
		buf_free(&out);
	}
	if (mime_part_text(p->msg, part, fallback, t) == -1)
		ui_cat(t, "[-- this part could not be shown --]");
}

void
ui_pager_load(struct ui_pager *p, char *data, size_t len, bool all_headers,
    const char *fallback, const char *html_command, int width)
{
	const struct mime_headers	*h;
	const struct mime_part		**parts;
	struct mime_opts		 mo;
	struct buf			 t;
	size_t				 cap = 0, i, n;
	uint32_t			 id = p->msg_id;

	memset(p, 0, sizeof(*p));
	p->msg_id = id;
	p->data = data;
	p->len = len;
	p->all_headers = all_headers;
	mo.fallback_charset = fallback;
	p->msg = mime_parse(data, len, &mo);
	buf_init(&p->text, PAGER_MAX_TEXT);
	h = &p->msg->root.headers;
	if (all_headers) {
		for (i = 0; i < h->n; i++)
			add_header(p, &h->fields[i], fallback, &cap);
	} else {
		for (i = 0; i < sizeof(main_headers) / sizeof(main_headers[0]);
		    i++) {
			const struct mime_field	*f;

			for (f = mime_headers_get(h, main_headers[i]);
			    f != NULL; f = mime_headers_next(h, f,
			    main_headers[i]))
				add_header(p, f, fallback, &cap);
		}
	}
	add_text(p, "", 0, UI_LINE_BODY, 0, &cap);
	parts = mime_text_parts(p->msg, false, &n);
	for (i = 0; i < n; i++) {
		if (i > 0)
			add_text(p, "", 0, UI_LINE_BODY, 0, &cap);
		buf_init(&t, PAGER_MAX_TEXT);
		part_text(p, parts[i], fallback, html_command, &t);
		/* One final line end is the text's, not an empty line. */
		if (t.len > 0 && t.data[t.len - 1] == '\n')
			t.len--;
		add_text(p, buf_str(&t), t.len, UI_LINE_BODY, 0, &cap);
		buf_free(&t);
	}
	if (n == 0)
		add_text(p, "[-- no text part --]", 20, UI_LINE_SEP, 0, &cap);
	add_attachments(p, fallback, &cap);
	ui_pager_wrap(p, width);
}

static void
add_row(struct ui_pager *p, size_t off, size_t len, uint8_t kind,
    size_t name_len, size_t *cap)
{
	if (p->nrows == *cap) {
		*cap = *cap ? *cap * 2 : 128;
		p->rows = xreallocarray(p->rows, *cap, sizeof(*p->rows));
	}
	p->rows[p->nrows].off = off;
	p->rows[p->nrows].len = len;
	p->rows[p->nrows].kind = kind;
	p->rows[p->nrows].name_len = (uint16_t)name_len;
	p->nrows++;
}

void
ui_pager_wrap(struct ui_pager *p, int width)
{
	size_t	cap = 0, i;

	free(p->rows);
	p->rows = NULL;
	p->nrows = 0;
	p->width = width < 10 ? 10 : width;
	for (i = 0; i < p->nlines; i++) {
		const char	*s = p->text.data + p->lines[i].off;
		size_t		 n = p->lines[i].len, pos = 0, k, space;
		size_t		 name = p->lines[i].name_len;
		int		 w, cw;
		uint32_t	 cp;

		if (n == 0) {
			add_row(p, p->lines[i].off, 0, p->lines[i].kind, 0,
			    &cap);
			continue;
		}
		while (pos < n) {
			size_t	j = pos;

			w = 0;
			space = 0;
			while (j < n) {
				k = ui_utf8_next(s + j, n - j, &cp);
				cw = ui_cp_width(cp == '\t' ? ' ' : cp);
				if (w + cw > p->width)
					break;
				w += cw;
				j += k;
				if (cp == ' ')
					space = j;
			}
			/* Break after the last space when the line goes on
			 * and one is in the second half of the row. */
			if (j < n && space > pos &&
			    ui_width(s + pos, space - pos) > p->width / 2)
				j = space;
			if (j == pos)
				j += ui_utf8_next(s + j, n - j, &cp);
			/* A header name longer than the row: only what
			 * the row holds is the name. */
			add_row(p, p->lines[i].off + pos, j - pos,
			    p->lines[i].kind, name < j - pos ? name : j - pos,
			    &cap);
			name = 0;
			pos = j;
		}
	}
	if (p->top >= p->nrows)
		p->top = p->nrows > 0 ? p->nrows - 1 : 0;
}

void
ui_pager_free(struct ui_pager *p)
{
	size_t	i;

	for (i = 0; i < p->natt; i++)
		free(p->att[i].label);
	free(p->att);
	free(p->rows);
	free(p->lines);
	buf_free(&p->text);
	mime_msg_free(&p->msg);
	free(p->data);
	memset(p, 0, sizeof(*p));
}

const char *
ui_pager_row(const struct ui_pager *p, size_t r, size_t *len,
    enum ui_line_kind *kind, size_t *name_len)
{
	if (r >= p->nrows) {
		*len = 0;
		*kind = UI_LINE_BODY;
		*name_len = 0;
		return "";
	}
	*len = p->rows[r].len;
	*kind = (enum ui_line_kind)p->rows[r].kind;
	*name_len = p->rows[r].name_len;
	return p->text.data + p->rows[r].off;
}

int
ui_quote_depth(const char *s, size_t n)
{
	size_t	i = 0;
	int	d = 0;

	for (;;) {
		while (i < n && s[i] == ' ' && d > 0)
			i++;
		if (i < n && s[i] == '>') {
			d++;
			i++;
			continue;
		}
		/* "|" quoting as some clients write it, at the start only. */
		if (i == 0 && n > 1 && s[0] == '|' && s[1] == ' ') {
			d++;
			i = 1;
			continue;
		}
		return d;
	}
}

size_t
ui_pager_find(const struct ui_pager *p, const char *needle, size_t from,
    bool backwards)
{
	char	*fn, *fr;
	size_t	 nlen, rlen, r, len, nl;
	enum ui_line_kind kind;

	fn = store_casefold_new(needle, strlen(needle), &nlen);
	if (nlen == 0 || p->nrows == 0) {
		free(fn);
		return SIZE_MAX;
	}
	for (r = from; r < p->nrows; r = backwards ? r - 1 : r + 1) {
		const char	*s = ui_pager_row(p, r, &len, &kind, &nl);
		bool		 hit;

		fr = store_casefold_new(s, len, &rlen);
		hit = mem_find(fr, rlen, fn, nlen) != NULL;
		free(fr);
		if (hit) {
			free(fn);
			return r;
		}
		if (backwards && r == 0)
			break;
	}
	free(fn);
	return SIZE_MAX;
}

static bool
url_char(unsigned char c)
{
	return c > ' ' && c != '<' && c != '>' && c != '"' && c != '\'' &&
	    c != 0x7f;
}

bool
ui_find_url(const char *s, size_t n, size_t from, size_t *start, size_t *len)
{
	static const char *const schemes[] = { "https://", "http://",
	    "mailto:", "ftp://", "www." };
	size_t	i, k, e;

	for (i = from; i < n; i++) {
		if (i > 0 && url_char((unsigned char)s[i - 1]) &&
		    s[i - 1] != '(' && s[i - 1] != '[')
			continue;	/* only at the start of a word */
		for (k = 0; k < sizeof(schemes) / sizeof(schemes[0]); k++) {
			size_t	sl = strlen(schemes[k]);

			if (n - i <= sl || mem_has_prefix_ci(s + i, n - i,
			    schemes[k]) == 0)
				continue;
			for (e = i + sl; e < n && url_char((unsigned char)s[e]);
			    e++)
				;
			/* Trailing punctuation belongs to the sentence. */
			while (e > i + sl && strchr(".,;:!?)]", s[e - 1]) !=
			    NULL)
				e--;
			if (e == i + sl)
				continue;
			*start = i;
			*len = e - i;
			return true;
		}
	}
	return false;
}
