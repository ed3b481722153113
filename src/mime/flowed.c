/*
 * flowed.c: text/plain; format=flowed (RFC 3676), both directions.
 *
 * Decoding joins the lines of each paragraph into one output line, which
 * the pager wraps to the screen; quoted paragraphs are written with one
 * "> " per level. Encoding wraps long lines on spaces for sending. Both
 * run in one pass over the text; they return -1 only when out is full.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "mime.h"

/* One line of flowed text, taken apart (RFC 3676 4.1, 4.4, 4.5). */
struct fl_line {
	const char	*p;		/* content: quotes and stuffing gone */
	size_t		 n;
	size_t		 depth;		/* quote depth */
	bool		 flowed;	/* ends with a soft line break */
};

static void
fl_parse(const char *s, size_t n, struct fl_line *l)
{
	size_t	i = 0;

	/* 4.5: the quote depth is the number of '>' opening the line. */
	while (i < n && s[i] == '>')
		i++;
	l->depth = i;
	/* 4.4: a space after the quote marks is stuffing. */
	if (i < n && s[i] == ' ')
		i++;
	l->p = s + i;
	l->n = n - i;
	/*
	 * 4.1: a line ending in a space is flowed. 4.3: except the
	 * signature separator "-- ". The test is made on the content, so a
	 * quoted empty line written "> " stays a paragraph break.
	 */
	l->flowed = l->n > 0 && l->p[l->n - 1] == ' ' &&
	    !(l->n == 3 && memcmp(l->p, "-- ", 3) == 0);
}

struct fl_dec {
	struct buf	*out;
	bool		 in_para;	/* a flowed line awaits the next */
	size_t		 depth;		/* of the paragraph in progress */
	bool		 held_space;	/* its soft space, not yet written */
	bool		 sep_due;	/* the space after the quote marks */
};

static int
fl_put(struct fl_dec *d, const char *p, size_t n)
{
	if (n == 0)
		return 0;
	if (d->sep_due) {
		if (buf_append(d->out, " ", 1) == -1)
			return -1;
		d->sep_due = false;
	}
	if (d->held_space) {
		if (buf_append(d->out, " ", 1) == -1)
			return -1;
		d->held_space = false;
	}
	return buf_append(d->out, p, n);
}

/* Start an output line: "> " per level, the last space only before
 * text so an empty quoted line has no trailing blank. */
static int
fl_start(struct fl_dec *d, size_t depth)
{
	size_t	i;

	for (i = 0; i < depth; i++) {
		if (i > 0 && buf_append(d->out, " ", 1) == -1)
			return -1;
		if (buf_append(d->out, ">", 1) == -1)
			return -1;
	}
	d->sep_due = depth > 0;
	d->held_space = false;
	return 0;
}

/* End the output line. A paragraph cut short (by a change of depth, a
 * signature or the end) loses its dangling soft space. */
static int
fl_end(struct fl_dec *d)
{
	d->in_para = false;
	d->held_space = false;
	d->sep_due = false;
	return buf_append(d->out, "\n", 1);
}

static int
fl_decode_line(struct fl_dec *d, const struct fl_line *l, bool delsp)
{
	size_t	n = l->n;
	bool	sig;

	sig = l->n == 3 && memcmp(l->p, "-- ", 3) == 0;
	/*
	 * 4.5: lines of different depths are never joined; the flowed line
	 * before is improperly ended and taken as fixed. A signature
	 * separator also starts its own line (4.3).
	 */
	if (d->in_para && (l->depth != d->depth || sig) && fl_end(d) == -1)
		return -1;
	if (!d->in_para && fl_start(d, l->depth) == -1)
		return -1;
	if (l->flowed) {
		/* 4.2: with DelSp=yes the soft space is not content. */
		n--;
		if (fl_put(d, l->p, n) == -1)
			return -1;
		d->held_space = !delsp;
		d->in_para = true;
		d->depth = l->depth;
		return 0;
	}
	if (fl_put(d, l->p, n) == -1)
		return -1;
	return fl_end(d);
}

int
mime_flowed_decode(const char *s, size_t n, bool delsp, struct buf *out)
{
	struct fl_dec	 d = { .out = out };
	struct fl_line	 l;
	const char	*nl;
	size_t		 pos = 0, end, next;

	while (pos < n) {
		nl = memchr(s + pos, '\n', n - pos);
		end = nl != NULL ? (size_t)(nl - s) : n;
		next = nl != NULL ? end + 1 : n;
		if (nl != NULL && end > pos && s[end - 1] == '\r')
			end--;
		fl_parse(s + pos, end - pos, &l);
		if (fl_decode_line(&d, &l, delsp) == -1)
			return -1;
		pos = next;
	}
	if (d.in_para && fl_end(&d) == -1)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

/* Characters, not bytes: UTF-8 continuation bytes do not count. */
static bool
is_lead(unsigned char c)
{
	return (c & 0xc0) != 0x80;
}

/* 4.4: lines starting with a space, "From " or '>' are space-stuffed. */
static bool
needs_stuffing(const char *p, size_t n)
{
	return n > 0 && (p[0] == ' ' || p[0] == '>' ||
	    (n >= 5 && memcmp(p, "From ", 5) == 0));
}

/*
 * Where the next line cut from [p, p + n) ends: after the last run of
 * spaces that keeps it within room characters, else (a word longer than
 * room, such as a URL) after the first run of spaces, else everything.
 * A run of spaces only counts after some text, so no line is only blanks.
 */
static size_t
fl_cut(const char *p, size_t n, size_t room)
{
	size_t	i, chars = 0, best = 0;
	bool	text = false;

	for (i = 0; i < n; i++) {
		if (is_lead((unsigned char)p[i]))
			chars++;
		if (p[i] != ' ')
			text = true;
		else if (text && i + 1 < n && p[i + 1] != ' ') {
			/* A cut after this run of spaces. */
			if (chars > room)
				return best > 0 ? best : i + 1;
			best = i + 1;
		}
		if (chars > room && best > 0)
			return best;
	}
	return n;
}

struct fl_enc {
	struct buf	*out;
	size_t		 width;		/* 0: no wrapping */
};

static int
fl_put_quotes(struct buf *out, size_t depth)
{
	size_t	i;

	for (i = 0; i < depth; i++)
		if (buf_append(out, ">", 1) == -1)
			return -1;
	return 0;
}

/* The content of one line (quotes taken off) as one or more lines. */
static int
fl_encode_content(struct fl_enc *e, size_t depth, const char *p, size_t n)
{
	size_t	cut, pre, room;
	bool	stuff;

	if (n == 0)
		return fl_put_quotes(e->out, depth) == -1 ? -1 :
		    buf_append(e->out, "\n", 1);
	while (n > 0) {
		/* Quoted lines always get the space: "> text" (4.5). */
		stuff = depth > 0 || needs_stuffing(p, n);
		pre = depth + (stuff ? 1 : 0);
		room = e->width == 0 ? SIZE_MAX :
		    e->width > pre ? e->width - pre : 1;
		cut = fl_cut(p, n, room);
		/* A line "-- " would read as a signature separator (4.3):
		 * keep the next word on it. */
		if (cut == 3 && n > 3 && memcmp(p, "-- ", 3) == 0)
			cut += fl_cut(p + 3, n - 3, 1);
		if (fl_put_quotes(e->out, depth) == -1 ||
		    (stuff && buf_append(e->out, " ", 1) == -1) ||
		    buf_append(e->out, p, cut) == -1 ||
		    buf_append(e->out, "\n", 1) == -1)
			return -1;
		p += cut;
		n -= cut;
	}
	return 0;
}

static int
fl_encode_line(struct fl_enc *e, const char *s, size_t n)
{
	size_t	i = 0, depth = 0;

	/* Quote marks as people type them: ">> x", "> > x", "> x". */
	while (i < n && s[i] == '>') {
		depth++;
		i++;
		if (i < n && s[i] == ' ')
			i++;
	}
	s += i;
	n -= i;
	/* 4.3: the signature separator keeps its space. */
	if (n == 3 && memcmp(s, "-- ", 3) == 0) {
		if (fl_put_quotes(e->out, depth) == -1 ||
		    buf_append(e->out, depth > 0 ? " -- \n" : "-- \n",
		    depth > 0 ? 5 : 4) == -1)
			return -1;
		return 0;
	}
	/* 4.2: a fixed line must not end in a space. A CR there is a
	 * broken line end (CRLF is canonical on the wire): it goes too. */
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r'))
		n--;
	return fl_encode_content(e, depth, s, n);
}

int
mime_flowed_encode(const char *s, size_t n, size_t width, struct buf *out)
{
	struct fl_enc	 e = { .out = out, .width = width };
	const char	*nl;
	size_t		 pos = 0, end, next;

	while (pos < n) {
		nl = memchr(s + pos, '\n', n - pos);
		end = nl != NULL ? (size_t)(nl - s) : n;
		next = nl != NULL ? end + 1 : n;
		if (nl != NULL && end > pos && s[end - 1] == '\r')
			end--;
		if (fl_encode_line(&e, s + pos, end - pos) == -1)
			return -1;
		pos = next;
	}
	return 0;
}
