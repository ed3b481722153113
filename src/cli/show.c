/*
 * show.c: facteur show: a message as the pager shows it (main headers
 * decoded, the text, the attachments), --raw untouched, or --json as
 * DESIGN.md specifies.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_priv.h"

#define SHOW_MAX_MESSAGE	((size_t)512 * 1024 * 1024)
#define SHOW_MAX_TEXT		((size_t)256 * 1024 * 1024)

static const char *const shown_headers[] = {
	"Date", "From", "To", "Cc", "Subject"
};

struct show_ctx {
	const struct mime_msg	*msg;
	const char		*fallback;
	const char		*html_command;
};

/* One text part as the pager shows it, appended to out. */
static int
part_display(const struct show_ctx *s, const struct mime_part *p,
    struct buf *out)
{
	struct buf	html, text;
	char		err[512];
	int		r;

	if (s->html_command == NULL || strcmp(p->type, "text/html") != 0)
		return mime_part_text(s->msg, p, s->fallback, out);
	buf_init(&html, SHOW_MAX_TEXT);
	buf_init(&text, SHOW_MAX_TEXT);
	r = mime_part_utf8(s->msg, p, s->fallback, &html);
	if (r == 0 && run_filter(s->html_command, buf_str(&html), html.len,
	    &text, err, sizeof(err)) == 0)
		r = mime_sanitize(buf_str(&text), text.len, true, out);
	else {
		if (r == 0)
			(void)fprintf(stderr, "facteur: html-command: %s; "
			    "using the built-in renderer\n", err);
		r = mime_part_text(s->msg, p, s->fallback, out);
	}
	buf_free(&html);
	buf_free(&text);
	return r;
}

/* The body text: every text part the reader sees, a blank line apart. */
static int
body_text(const struct show_ctx *s, struct buf *out)
{
	const struct mime_part	**parts;
	size_t			  n, i;

	parts = mime_text_parts(s->msg, false, &n);
	for (i = 0; i < n; i++) {
		if (i > 0 && buf_append_str(out, "\n") == -1)
			return -1;
		if (part_display(s, parts[i], out) == -1)
			return -1;
		if (out->len > 0 && out->data[out->len - 1] != '\n' &&
		    buf_append_byte(out, '\n') == -1)
			return -1;
	}
	return 0;
}

static void
human_size(size_t n, char *out, size_t len)
{
	if (n < 1024)
		(void)snprintf(out, len, "%zu bytes", n);
	else if (n < 1024 * 1024)
		(void)snprintf(out, len, "%.1f KiB", (double)n / 1024);
	else
		(void)snprintf(out, len, "%.1f MiB", (double)n / 1048576);
}

static int
attachments_text(const struct show_ctx *s, struct buf *out)
{
	const struct mime_part	**leaves;
	size_t			  n, i;
	bool			  first = true;

	leaves = mime_leaves(s->msg, &n);
	for (i = 0; i < n; i++) {
		const struct mime_part	*p = leaves[i];
		struct buf		 d;
		char			 size[32];
		int			 r;

		if (!mime_is_attachment(p))
			continue;
		buf_init(&d, SHOW_MAX_MESSAGE);
		if (mime_part_decode(s->msg, p, &d) == -1)
			d.len = p->body_len;
		human_size(d.len, size, sizeof(size));
		buf_free(&d);
		if (first && buf_append_str(out, "\n[-- Attachments --]\n") ==
		    -1)
			return -1;
		first = false;
		r = buf_printf(out, "[%s] %s, %s", p->path, p->type, size);
		if (r == 0 && p->filename != NULL) {
			r = buf_append_str(out, ", ");
			if (r == 0)
				r = mime_sanitize(p->filename,
				    strlen(p->filename), false, out);
		}
		if (r == -1 || buf_append_byte(out, '\n') == -1)
			return -1;
	}
	return 0;
}

static int
show_text(const struct show_ctx *s, struct buf *out)
{
	const struct mime_headers	*h = &s->msg->root.headers;
	size_t				 i;

	for (i = 0; i < sizeof(shown_headers) / sizeof(shown_headers[0]);
	    i++) {
		const struct mime_field	*f;

		for (f = mime_headers_get(h, shown_headers[i]); f != NULL;
		    f = mime_headers_next(h, f, shown_headers[i])) {
			char	*t = mime_header_text(f->value, f->value_len,
				    s->fallback);
			int	 r = buf_printf(out, "%s: %s\n",
				    shown_headers[i], t);

			free(t);
			if (r == -1)
				return -1;
		}
	}
	if (buf_append_byte(out, '\n') == -1 || body_text(s, out) == -1)
		return -1;
	return attachments_text(s, out);
}

/* "from": [{"name": ..., "addr": ...}, ...] */
static int
json_addrs(struct buf *b, const struct mime_headers *h, const char *name,
    const char *key, const char *fallback)
{
	const struct mime_field	*f;
	struct mime_addr_list	 l = { NULL, 0 };
	size_t			 i;
	int			 r, k = 0;

	for (f = mime_headers_get(h, name); f != NULL;
	    f = mime_headers_next(h, f, name))
		mime_addr_parse(f->value, f->value_len, fallback, &l);
	r = buf_printf(b, "  \"%s\": [", key);
	for (i = 0; r == 0 && i < l.n; i++) {
		if (l.v[i].addr == NULL)
			continue;	/* an empty group */
		r = buf_append_str(b, k++ ? ", {\"name\": " : "{\"name\": ");
		if (r == 0)
			r = json_cstr(b, l.v[i].name);
		if (r == 0)
			r = buf_append_str(b, ", \"addr\": ");
		if (r == 0)
			r = json_cstr(b, l.v[i].addr);
		if (r == 0)
			r = buf_append_str(b, "}");
	}
	mime_addr_list_free(&l);
	return r == 0 ? buf_append_str(b, "],\n") : -1;
}

static int
json_part(const struct show_ctx *s, const struct mime_part *p,
    struct buf *b)
{
	struct buf	d;
	char		hex[65];
	int		r;

	buf_init(&d, SHOW_MAX_MESSAGE);
	if (mime_part_decode(s->msg, p, &d) == -1) {
		buf_free(&d);
		return -1;
	}
	sha256_hex(buf_str(&d), d.len, hex);
	r = buf_append_str(b, "    {\"path\": ");
	if (r == 0)
		r = json_cstr(b, p->path);
	if (r == 0)
		r = buf_append_str(b, ", \"type\": ");
	if (r == 0)
		r = json_cstr(b, p->type);
	if (r == 0)
		r = buf_append_str(b, ", \"charset\": ");
	if (r == 0)
		r = json_cstr(b, p->charset);
	if (r == 0)
		r = buf_printf(b, ", \"disposition\": %s, \"filename\": ",
		    p->disp == MIME_DISP_INLINE ? "\"inline\"" :
		    p->disp == MIME_DISP_ATTACHMENT ? "\"attachment\"" : "null");
	if (r == 0)
		r = json_cstr(b, p->filename);
	if (r == 0)
		r = buf_printf(b, ", \"size\": %zu, \"sha256\": \"%s\"}", d.len,
		    hex);
	buf_free(&d);
	return r;
}

static int
json_head(const struct show_ctx *s, struct buf *b)
{
	const struct mime_headers	*h = &s->msg->root.headers;
	const struct mime_field		*f;
	char				*t, iso[32];
	int64_t				 date;
	int				 r;

	f = mime_headers_get(h, "Subject");
	t = f ? mime_header_text(f->value, f->value_len, s->fallback) : NULL;
	r = buf_append_str(b, "{\n  \"subject\": ");
	if (r == 0)
		r = json_cstr(b, t);
	free(t);
	if (r == 0)
		r = buf_append_str(b, ",\n");
	if (r == 0)
		r = json_addrs(b, h, "From", "from", s->fallback);
	if (r == 0)
		r = json_addrs(b, h, "To", "to", s->fallback);
	if (r == 0)
		r = json_addrs(b, h, "Cc", "cc", s->fallback);
	f = mime_headers_get(h, "Date");
	if (f != NULL && mime_date_parse(f->value, f->value_len, &date) == 0) {
		mime_date_iso(date, iso, sizeof(iso));
		if (r == 0)
			r = buf_printf(b, "  \"date\": \"%s\",\n", iso);
	} else if (r == 0)
		r = buf_append_str(b, "  \"date\": null,\n");
	f = mime_headers_get(h, "Message-ID");
	t = f ? mime_msgid_first(f->value, f->value_len) : NULL;
	if (r == 0)
		r = buf_append_str(b, "  \"message_id\": ");
	/* The id without its angle brackets. */
	if (r == 0)
		r = t ? json_str(b, t + 1, strlen(t) - 2) : json_cstr(b, NULL);
	free(t);
	return r;
}

static int
show_json(const struct show_ctx *s, struct buf *b)
{
	const struct mime_part	**leaves;
	struct buf		  text;
	size_t			  n, i;
	int			  r;

	r = json_head(s, b);
	if (r == 0)
		r = buf_append_str(b, ",\n  \"parts\": [\n");
	leaves = mime_leaves(s->msg, &n);
	for (i = 0; r == 0 && i < n; i++) {
		r = json_part(s, leaves[i], b);
		if (r == 0)
			r = buf_append_str(b, i + 1 < n ? ",\n" : "\n");
	}
	if (r == 0)
		r = buf_append_str(b, "  ],\n  \"text\": ");
	buf_init(&text, SHOW_MAX_TEXT);
	if (r == 0)
		r = body_text(s, &text);
	if (r == 0)
		r = json_str(b, buf_str(&text), text.len);
	buf_free(&text);
	if (r == 0)
		r = buf_append_str(b, "\n}\n");
	return r;
}

static int
write_all(const char *p, size_t n)
{
	if (n > 0 && fwrite(p, 1, n, stdout) != n)
		return -1;
	return 0;
}

int
cli_show(const struct cli_opts *o)
{
	struct config	*cfg = NULL;
	struct show_ctx	 s;
	struct mime_opts mo;
	struct mime_msg	*msg;
	struct buf	 data, out;
	const char	*path = o->args[0];
	int		 r, rc = CLI_OK;

	if (!o->raw && cli_load_optional_config(o, &cfg) == -1)
		return CLI_USAGE;
	buf_init(&data, SHOW_MAX_MESSAGE);
	if (buf_read_file(&data, path) == -1) {
		(void)fprintf(stderr, "facteur: show: %s: %s\n", path,
		    strerror(errno));
		buf_free(&data);
		cfg_free(&cfg);
		return CLI_FAIL;
	}
	if (o->raw) {
		rc = write_all(buf_str(&data), data.len) == 0 ? CLI_OK :
		    CLI_FAIL;
		buf_free(&data);
		return rc;
	}
	memset(&s, 0, sizeof(s));
	s.fallback = cfg ? cfg->general.fallback_charset : NULL;
	s.html_command = cfg ? cfg->general.html_command : NULL;
	mo.fallback_charset = s.fallback;
	msg = mime_parse(buf_str(&data), data.len, &mo);
	s.msg = msg;
	buf_init(&out, SHOW_MAX_TEXT);
	r = o->json ? show_json(&s, &out) : show_text(&s, &out);
	if (r == -1) {
		(void)fprintf(stderr, "facteur: show: %s: message too large "
		    "to show\n", path);
		rc = CLI_FAIL;
	} else if (write_all(buf_str(&out), out.len) == -1) {
		rc = CLI_FAIL;
	}
	buf_free(&out);
	mime_msg_free(&msg);
	buf_free(&data);
	cfg_free(&cfg);
	return rc;
}
