/*
 * tree.c: the MIME tree of a message (RFC 2045, 2046): parts, multipart
 * boundaries, encapsulated messages, IMAP part numbers (RFC 3501 6.4.5),
 * and the choice of what a reader sees as the text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

static void	parse_part(struct mime_msg *msg, struct mime_part *part,
		    const char *base, size_t off, size_t end, int depth,
		    const char *dflt);

static bool
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Trimmed, comment-free, lower-case token of a header value. */
static enum mime_cte
parse_cte(const struct mime_headers *h)
{
	const struct mime_field	*f;
	struct mime_ctype	 ct;
	enum mime_cte		 cte = MIME_CTE_7BIT;

	/* The last of repeated fields wins, as in mutt. */
	f = mime_headers_last(h, "Content-Transfer-Encoding");
	if (f == NULL)
		return cte;
	mime_ctype_parse(f->value, f->value_len, NULL, &ct);
	if (strcmp(ct.value, "base64") == 0)
		cte = MIME_CTE_BASE64;
	else if (strcmp(ct.value, "quoted-printable") == 0)
		cte = MIME_CTE_QP;
	mime_ctype_free(&ct);
	return cte;
}

static void
parse_disposition(struct mime_part *part, const char *fallback)
{
	const struct mime_field	*f;
	struct mime_ctype	 cd;
	const char		*name = NULL;

	memset(&cd, 0, sizeof(cd));
	f = mime_headers_last(&part->headers, "Content-Disposition");
	if (f != NULL) {
		mime_ctype_parse(f->value, f->value_len, fallback, &cd);
		if (strcmp(cd.value, "inline") == 0)
			part->disp = MIME_DISP_INLINE;
		else if (cd.value[0] != '\0')
			/* RFC 2183 2.8: unknown dispositions are attachments */
			part->disp = MIME_DISP_ATTACHMENT;
		name = mime_ctype_param(&cd, "filename");
	}
	if (name == NULL || *name == '\0')
		name = mime_ctype_param(&part->ctype, "name");
	if (name != NULL && *name != '\0')
		part->filename = xstrdup(name);
	mime_ctype_free(&cd);
}

/* Content-Type, with the default when absent or unusable. */
static void
parse_ctype(struct mime_part *part, const char *dflt, const char *fallback)
{
	const struct mime_field	*f;
	const char		*cs;
	char			*slash;

	f = mime_headers_last(&part->headers, "Content-Type");
	if (f != NULL)
		mime_ctype_parse(f->value, f->value_len, fallback,
		    &part->ctype);
	else
		mime_ctype_parse(dflt, strlen(dflt), NULL, &part->ctype);
	slash = strchr(part->ctype.value, '/');
	/* "text", "/plain", "text/": syntax errors mean text/plain
	 * (RFC 2045 5.2), but the parameters (charset) are kept. */
	if (slash == NULL || slash == part->ctype.value || slash[1] == '\0') {
		free(part->ctype.value);
		part->ctype.value = xstrdup(f != NULL ? "text/plain" : dflt);
	}
	part->type = part->ctype.value;
	cs = mime_ctype_param(&part->ctype, "charset");
	part->charset = cs != NULL && *cs != '\0' ? cs : NULL;
	if (part->charset != NULL) {
		char	*c = (char *)part->charset;

		for (; *c != '\0'; c++)
			*c = (char)ascii_tolower((unsigned char)*c);
	}
}

/*
 * Is the line at p a boundary delimiter? Returns 0 if not, 1 for a
 * delimiter, 2 for the close delimiter; *next is the start of the
 * following line. Transport padding (blanks) may follow (RFC 2046 5.1.1).
 */
static int
delimiter_at(const char *p, const char *e, const char *bnd, size_t blen,
    const char **next)
{
	int	kind = 1;

	if ((size_t)(e - p) < blen + 2 || p[0] != '-' || p[1] != '-' ||
	    memcmp(p + 2, bnd, blen) != 0)
		return 0;
	p += blen + 2;
	if (e - p >= 2 && p[0] == '-' && p[1] == '-') {
		kind = 2;
		p += 2;
	}
	while (p < e && is_blank((unsigned char)*p))
		p++;
	if (p < e && *p == '\r')
		p++;
	if (p < e && *p != '\n')
		return 0;
	*next = p < e ? p + 1 : e;
	return kind;
}

/* The next delimiter line at or after p (at a line start). */
static const char *
find_delimiter(const char *p, const char *e, const char *bnd, size_t blen,
    int *kind, const char **next)
{
	while (p < e) {
		const char	*nl;

		*kind = delimiter_at(p, e, bnd, blen, next);
		if (*kind != 0)
			return p;
		nl = memchr(p, '\n', (size_t)(e - p));
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return NULL;
}

static struct mime_part *
add_child(struct mime_part *part)
{
	part->children = xreallocarray(part->children, part->nchildren + 1,
	    sizeof(*part->children));
	memset(&part->children[part->nchildren], 0,
	    sizeof(*part->children));
	return &part->children[part->nchildren++];
}

static bool
only_blanks(const char *p, const char *e)
{
	for (; p < e; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			return false;
	return true;
}

/* The line break before a delimiter belongs to it (RFC 2046 5.1.1). */
static size_t
strip_break(const char *base, size_t start, size_t end)
{
	if (end > start && base[end - 1] == '\n')
		end--;
	if (end > start && base[end - 1] == '\r')
		end--;
	return end;
}

/* Split a multipart body into children; false when no delimiter exists. */
static bool
parse_multipart(struct mime_msg *msg, struct mime_part *part, int depth)
{
	const char	*bnd = mime_ctype_param(&part->ctype, "boundary");
	const char	*base = part->base, *b, *e, *d, *next;
	const char	*dflt;
	size_t		 blen;
	int		 kind;

	if (bnd == NULL || *bnd == '\0' || strlen(bnd) > 200)
		return false;
	blen = strlen(bnd);
	b = base + part->body_offset;
	e = b + part->body_len;
	d = find_delimiter(b, e, bnd, blen, &kind, &next);
	if (d == NULL)
		return false;
	part->is_multipart = true;
	dflt = strcmp(part->type, "multipart/digest") == 0 ?
	    "message/rfc822" : "text/plain";
	while (kind == 1) {
		const char	*start = next, *d2;
		size_t		 pend;

		if (msg->nparts >= MIME_MAX_PARTS) {
			part->capped = true;
			break;
		}
		d2 = find_delimiter(start, e, bnd, blen, &kind, &next);
		if (d2 == NULL) {
			part->no_final_boundary = true;
			pend = (size_t)(e - base);
			kind = 0;
			/* Nothing but blanks after the last delimiter: no
			 * part there, just a missing close delimiter. */
			if (only_blanks(start, e))
				break;
		} else {
			pend = strip_break(base, (size_t)(start - base),
			    (size_t)(d2 - base));
		}
		parse_part(msg, add_child(part), base,
		    (size_t)(start - base), pend, depth + 1, dflt);
	}
	/* Only a close delimiter: nothing to split. */
	if (part->nchildren == 0) {
		part->is_multipart = false;
		return false;
	}
	return true;
}

/*
 * An encapsulated message: parsed in place, or, when it was base64 or
 * quoted-printable encoded (illegal, RFC 2046 5.2.1, but seen), from a
 * decoded copy the message keeps.
 */
static void
parse_message(struct mime_msg *msg, struct mime_part *part, size_t end,
    int depth)
{
	struct buf	 d;
	const char	*base = part->base;
	size_t		 off = part->body_offset;

	if (part->cte != MIME_CTE_7BIT) {
		buf_init(&d, part->body_len + 1);
		if (mime_part_decode(msg, part, &d) == -1) {
			buf_free(&d);
			return;
		}
		msg->owned = xreallocarray(msg->owned, msg->nowned + 1,
		    sizeof(*msg->owned));
		end = d.len;
		msg->owned[msg->nowned++] = buf_take(&d);
		base = msg->owned[msg->nowned - 1];
		off = 0;
	}
	part->is_message = true;
	parse_part(msg, add_child(part), base, off, end, depth + 1,
	    "text/plain");
}

static void
parse_part(struct mime_msg *msg, struct mime_part *part, const char *base,
    size_t off, size_t end, int depth, const char *dflt)
{
	msg->nparts++;
	part->depth = depth;
	part->base = base;
	part->offset = off;
	mime_headers_parse(base + off, end - off, &part->headers);
	part->body_offset = off + part->headers.len;
	part->body_len = end - part->body_offset;
	parse_ctype(part, dflt, msg->fallback);
	part->cte = parse_cte(&part->headers);
	parse_disposition(part, msg->fallback);
	if (depth >= MIME_MAX_DEPTH) {
		part->capped = strncmp(part->type, "multipart/", 10) == 0 ||
		    strcmp(part->type, "message/rfc822") == 0;
		return;
	}
	if (strncmp(part->type, "multipart/", 10) == 0) {
		if (!parse_multipart(msg, part, depth)) {
			/* No usable boundary: show the body as text. */
			free(part->ctype.value);
			part->ctype.value = xstrdup("text/plain");
			part->type = part->ctype.value;
		}
	} else if (strcmp(part->type, "message/rfc822") == 0 ||
	    strcmp(part->type, "message/global") == 0) {
		if (msg->nparts >= MIME_MAX_PARTS)
			part->capped = true;
		else
			parse_message(msg, part, end, depth);
	}
}

/* IMAP part numbers (RFC 3501 6.4.5 and its example). */
static void
number_parts(struct mime_part *part, const char *path)
{
	size_t	i;

	(void)snprintf(part->path, sizeof(part->path), "%s", path);
	if (part->is_multipart) {
		for (i = 0; i < part->nchildren; i++) {
			char	sub[sizeof(part->path)];

			if (path[0] == '\0')
				(void)snprintf(sub, sizeof(sub), "%zu", i + 1);
			else
				(void)snprintf(sub, sizeof(sub), "%s.%zu",
				    path, i + 1);
			number_parts(&part->children[i], sub);
		}
	} else if (part->is_message && part->nchildren == 1) {
		char	sub[sizeof(part->path)];

		if (part->children[0].is_multipart)
			(void)snprintf(sub, sizeof(sub), "%s", path);
		else
			(void)snprintf(sub, sizeof(sub), "%s.1", path);
		number_parts(&part->children[0], sub);
	}
}

struct mime_msg *
mime_parse(const char *data, size_t len, const struct mime_opts *opts)
{
	struct mime_msg	*msg;

	msg = xcalloc(1, sizeof(*msg));
	msg->data = data;
	msg->len = len;
	msg->fallback = opts != NULL ? opts->fallback_charset : NULL;
	parse_part(msg, &msg->root, data, 0, len, 0, "text/plain");
	number_parts(&msg->root, msg->root.is_multipart ? "" : "1");
	return msg;
}

static void
part_free(struct mime_part *part)
{
	size_t	i;

	for (i = 0; i < part->nchildren; i++)
		part_free(&part->children[i]);
	free(part->children);
	mime_headers_free(&part->headers);
	mime_ctype_free(&part->ctype);
	free(part->filename);
}

void
mime_msg_free(struct mime_msg **msgp)
{
	size_t	i;

	if (msgp == NULL || *msgp == NULL)
		return;
	part_free(&(*msgp)->root);
	for (i = 0; i < (*msgp)->nowned; i++)
		free((*msgp)->owned[i]);
	free((*msgp)->owned);
	free((*msgp)->leaves);
	free((*msgp)->texts);
	free(*msgp);
	*msgp = NULL;
}

static void
collect_leaves(struct mime_msg *msg, const struct mime_part *part)
{
	size_t	i;

	if (part->nchildren == 0) {
		msg->leaves = xreallocarray(msg->leaves, msg->nleaves + 1,
		    sizeof(*msg->leaves));
		msg->leaves[msg->nleaves++] = part;
		return;
	}
	for (i = 0; i < part->nchildren; i++)
		collect_leaves(msg, &part->children[i]);
}

const struct mime_part **
mime_leaves(const struct mime_msg *cmsg, size_t *n)
{
	/* The cache is filled on first use; the message is ours to fill. */
	struct mime_msg	*msg = (struct mime_msg *)cmsg;

	if (msg->leaves == NULL)
		collect_leaves(msg, &msg->root);
	*n = msg->nleaves;
	return msg->leaves;
}

int
mime_part_decode(const struct mime_msg *msg, const struct mime_part *part,
    struct buf *out)
{
	const char	*body = part->base + part->body_offset;

	(void)msg;
	switch (part->cte) {
	case MIME_CTE_BASE64:
		return mime_base64_decode(body, part->body_len, out);
	case MIME_CTE_QP:
		return mime_qp_decode(body, part->body_len, out);
	case MIME_CTE_7BIT:
		break;
	}
	return buf_append(out, body, part->body_len);
}
