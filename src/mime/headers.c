/*
 * headers.c: splitting a header block into fields (RFC 5322 2.2), without
 * copying: fields are views into the message.
 */
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "mime.h"

static bool
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* A field name: printable ASCII except the colon (RFC 5322 3.6.8). */
static bool
name_char(int c)
{
	return c > ' ' && c < 0x7f && c != ':';
}

/* Where the colon of a field line is (name, blanks, colon), or 0. */
static size_t
field_colon(const char *line, size_t len, size_t *nlen)
{
	size_t	i = 0;

	while (i < len && name_char((unsigned char)line[i]))
		i++;
	*nlen = i;
	/* Obsolete syntax: blanks between the name and the colon. */
	while (i < len && is_blank((unsigned char)line[i]))
		i++;
	if (*nlen == 0 || i >= len || line[i] != ':')
		return 0;
	return i;
}

static void
push_field(struct mime_headers *h, size_t *cap, const char *line,
    size_t len)
{
	struct mime_field	*f;
	size_t			 nlen, i;

	i = field_colon(line, len, &nlen);
	if (i == 0)
		return;
	i++;
	while (i < len && is_blank((unsigned char)line[i]))
		i++;
	/* Trailing CR/LF and folding at the end are not part of the value. */
	while (len > i && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (h->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		h->fields = xreallocarray(h->fields, *cap, sizeof(*h->fields));
	}
	f = &h->fields[h->n++];
	f->name = line;
	f->name_len = nlen;
	f->value = line + i;
	f->value_len = len - i;
}

void
mime_headers_parse(const char *msg, size_t len, struct mime_headers *h)
{
	const char	*p = msg, *end;
	size_t		 cap = 0;

	memset(h, 0, sizeof(*h));
	end = msg + (len < BOUND_HEADER_BLOCK ? len : BOUND_HEADER_BLOCK);
	while (p < end) {
		const char	*start = p, *nl;

		/* The empty line that ends the block. */
		if (*p == '\n') {
			p++;
			break;
		}
		if (*p == '\r' && p + 1 < end && p[1] == '\n') {
			p += 2;
			break;
		}
		/*
		 * A line that is not a field ends the block: the blank line
		 * was forgotten and the body starts here. An mbox "From "
		 * line before the first field is skipped.
		 */
		{
			const char	*eol = memchr(p, '\n', (size_t)(end - p));
			size_t		 llen = eol ? (size_t)(eol - p) :
					    (size_t)(end - p), nlen;

			if (field_colon(p, llen, &nlen) == 0) {
				if (p == msg && llen >= 5 &&
				    memcmp(p, "From ", 5) == 0) {
					p = eol ? eol + 1 : end;
					continue;
				}
				break;
			}
		}
		/* A field runs until an LF not followed by a blank. */
		for (;;) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL) {
				p = end;
				break;
			}
			p = nl + 1;
			if (p >= end || !is_blank((unsigned char)*p))
				break;
		}
		if (h->n < MIME_MAX_FIELDS)
			push_field(h, &cap, start, (size_t)(p - start));
	}
	h->len = (size_t)(p - msg);
}

void
mime_headers_free(struct mime_headers *h)
{
	free(h->fields);
	memset(h, 0, sizeof(*h));
}

const struct mime_field *
mime_headers_next(const struct mime_headers *h,
    const struct mime_field *after, const char *name)
{
	size_t	i, nlen = strlen(name);

	i = after == NULL ? 0 : (size_t)(after - h->fields) + 1;
	for (; i < h->n; i++) {
		const struct mime_field	*f = &h->fields[i];

		if (f->name_len == nlen && ascii_ncasecmp(f->name, name,
		    nlen) == 0)
			return f;
	}
	return NULL;
}

const struct mime_field *
mime_headers_last(const struct mime_headers *h, const char *name)
{
	const struct mime_field	*f, *last = NULL;

	for (f = mime_headers_get(h, name); f != NULL;
	    f = mime_headers_next(h, f, name))
		last = f;
	return last;
}

const struct mime_field *
mime_headers_get(const struct mime_headers *h, const char *name)
{
	return mime_headers_next(h, NULL, name);
}

char *
mime_unfold(const char *value, size_t len)
{
	char	*out = xmalloc(len + 1);
	size_t	 i, o = 0;

	for (i = 0; i < len; i++) {
		if (value[i] == '\n')
			continue;
		/* A CR is folding only before LF; a lone one is kept for the
		 * sanitizer to show. */
		if (value[i] == '\r' && i + 1 < len && value[i + 1] == '\n')
			continue;
		out[o++] = value[i];
	}
	out[o] = '\0';
	return out;
}
