/*
 * codec.c: the two content transfer encodings of RFC 2045: base64 (6.8)
 * and quoted-printable (6.7), both directions.
 *
 * Decoders accept whatever real mail holds and never fail on input: junk
 * is skipped (base64) or kept as written (quoted-printable). All four
 * functions return -1 only when out reaches its maximum size; out then
 * holds as much of the result as fitted.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "mime.h"

/* Output is staged in a small array so the buffer sees few appends. */
#define SINK_SIZE	4096

struct sink {
	struct buf	*out;
	size_t		 n;
	int		 full;
	char		 tmp[SINK_SIZE];
};

/* Move the staged bytes to the buffer; on overflow keep what fits. */
static int
sink_flush(struct sink *k)
{
	size_t	room;

	if (k->full)
		return -1;
	if (buf_append(k->out, k->tmp, k->n) == 0) {
		k->n = 0;
		return 0;
	}
	room = k->out->max - k->out->len;
	if (room > 0 && room < k->n &&
	    buf_append(k->out, k->tmp, room) != 0)
		room = 0;
	k->n = 0;
	k->full = 1;
	return -1;
}

static int
sink_put(struct sink *k, unsigned char c)
{
	if (k->n == SINK_SIZE && sink_flush(k) == -1)
		return -1;
	k->tmp[k->n++] = (char)c;
	return 0;
}

static int
sink_putn(struct sink *k, const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (sink_put(k, (unsigned char)p[i]) == -1)
			return -1;
	return 0;
}

static void
sink_init(struct sink *k, struct buf *out)
{
	k->out = out;
	k->n = 0;
	k->full = 0;
}

/* ------------------------------------------------------------------ */
/* Base64 (RFC 2045 6.8, RFC 4648 4)                                   */

/*
 * Write the bytes held by the first nsext sextets of a quantum: 2 sextets
 * make one byte, 3 make two, 4 make three. A lone sextet carries less than
 * a byte and is dropped.
 */
static int
b64_emit(struct sink *k, unsigned long acc, int nsext)
{
	if (nsext < 2)
		return 0;
	acc <<= 6 * (4 - nsext);
	if (sink_put(k, (unsigned char)(acc >> 16)) == -1)
		return -1;
	if (nsext >= 3 && sink_put(k, (unsigned char)(acc >> 8)) == -1)
		return -1;
	if (nsext == 4 && sink_put(k, (unsigned char)acc) == -1)
		return -1;
	return 0;
}

/*
 * RFC 2045 6.8: "Any characters outside of the base64 alphabet are to be
 * ignored", so line breaks, blanks and junk are skipped. A '=' ends the
 * quantum in progress (its 1 or 2 bytes are written), but decoding then
 * resumes with the next alphabet character: the RFC only says that '='
 * "may be taken as evidence" of the end, and bodies made by concatenating
 * separately encoded pieces ("QQ==QkM=") do occur; mutt stops there and
 * loses the rest, GMime misaligns it. Missing padding is not needed: the
 * sextets left at the end are flushed the same way.
 */
int
mime_base64_decode(const char *s, size_t n, struct buf *out)
{
	struct sink	 k;
	unsigned long	 acc = 0;
	int		 nsext = 0, v;
	size_t		 i;

	sink_init(&k, out);
	for (i = 0; i < n; i++) {
		if (s[i] == '=') {
			if (b64_emit(&k, acc, nsext) == -1)
				return -1;
			acc = 0;
			nsext = 0;
			continue;
		}
		v = base64_value((unsigned char)s[i], '/');
		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned long)v;
		if (++nsext == 4) {
			if (b64_emit(&k, acc, 4) == -1)
				return -1;
			acc = 0;
			nsext = 0;
		}
	}
	if (b64_emit(&k, acc, nsext) == -1)
		return -1;
	return sink_flush(&k);
}

/*
 * Base64 with '=' padding. line_len 0: one line, no LF at all (encoded
 * words, tokens). Otherwise an LF after every line_len characters and
 * after the last line, as a MIME body needs (RFC 2045 6.8: at most 76).
 */
int
mime_base64_encode(const char *s, size_t n, size_t line_len,
    struct buf *out)
{
	const unsigned char	*p = (const unsigned char *)s;
	struct sink		 k;
	unsigned long		 acc;
	size_t			 i, j, col = 0, left;
	char			 q[4];

	sink_init(&k, out);
	for (i = 0; i < n; i += 3) {
		left = n - i;
		acc = (unsigned long)p[i] << 16;
		if (left > 1)
			acc |= (unsigned long)p[i + 1] << 8;
		if (left > 2)
			acc |= p[i + 2];
		q[0] = base64_char((unsigned)(acc >> 18), '/');
		q[1] = base64_char((unsigned)(acc >> 12), '/');
		q[2] = left > 1 ? base64_char((unsigned)(acc >> 6), '/') : '=';
		q[3] = left > 2 ? base64_char((unsigned)acc, '/') : '=';
		for (j = 0; j < 4; j++) {
			if (line_len > 0 && col == line_len) {
				if (sink_put(&k, '\n') == -1)
					return -1;
				col = 0;
			}
			if (sink_put(&k, (unsigned char)q[j]) == -1)
				return -1;
			col++;
		}
	}
	if (line_len > 0 && col > 0 && sink_put(&k, '\n') == -1)
		return -1;
	return sink_flush(&k);
}

/* ------------------------------------------------------------------ */
/* Quoted-printable (RFC 2045 6.7)                                     */

#define QP_MAX_LINE	76

static bool
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Decode the content of one line, [s, s + n), its line end and trailing
 * blanks already cut. Rule 1: "=XX" is the byte XX; lower-case hex is
 * accepted (mutt and Thunderbird do). An '=' not followed by two hex
 * digits is kept as written, with what follows it.
 */
static int
qp_decode_line(struct sink *k, const char *s, size_t n)
{
	size_t	i = 0;
	int	hi, lo;

	while (i < n) {
		if (s[i] == '=' && n - i >= 3) {
			hi = hex_digit((unsigned char)s[i + 1]);
			lo = hex_digit((unsigned char)s[i + 2]);
			if (hi >= 0 && lo >= 0) {
				if (sink_put(k, (unsigned char)(hi << 4 | lo))
				    == -1)
					return -1;
				i += 3;
				continue;
			}
		}
		if (sink_put(k, (unsigned char)s[i]) == -1)
			return -1;
		i++;
	}
	return 0;
}

/*
 * Line by line: the line end (LF or CRLF) is kept as it is in the message
 * (DESIGN.md: digests are over the bytes with the message's line ends;
 * display code treats CRLF and LF alike); rule 3 says
 * trailing blanks "MUST be deleted" since transports may add them; an '='
 * left last on the line (blanks after it included) is a soft line break
 * (rule 5), also on a last line without a line end, as mutt reads it.
 */
int
mime_qp_decode(const char *s, size_t n, struct buf *out)
{
	struct sink	 k;
	const char	*nl;
	size_t		 pos = 0, end, next;
	bool		 soft, crlf;

	sink_init(&k, out);
	while (pos < n) {
		nl = memchr(s + pos, '\n', n - pos);
		end = nl != NULL ? (size_t)(nl - s) : n;
		next = nl != NULL ? end + 1 : n;
		crlf = nl != NULL && end > pos && s[end - 1] == '\r';
		if (crlf)
			end--;
		while (end > pos && is_blank((unsigned char)s[end - 1]))
			end--;
		soft = end > pos && s[end - 1] == '=';
		if (soft)
			end--;
		if (qp_decode_line(&k, s + pos, end - pos) == -1)
			return -1;
		if (nl != NULL && !soft && crlf && sink_put(&k, '\r') == -1)
			return -1;
		if (nl != NULL && !soft && sink_put(&k, '\n') == -1)
			return -1;
		pos = next;
	}
	return sink_flush(&k);
}

/* What one input byte of a line becomes: itself, or "=XX". */
static bool
qp_must_escape(const char *s, size_t n, size_t i, size_t col)
{
	unsigned char	c = (unsigned char)s[i];

	if (c == '=' || c >= 127 || (c < 32 && c != '\t'))
		return true;
	/* Rule 3: a blank ending a line (or the data) would be lost. */
	if (is_blank(c) && (i + 1 == n || s[i + 1] == '\n'))
		return true;
	/*
	 * At the start of an encoded line, "From " would be mangled by mbox
	 * and a lone "." ends an SMTP body: encode the first byte of both
	 * (RFC 2049 section 3, points 7 and 8).
	 */
	if (col == 0 && (c == '.' ||
	    (n - i >= 5 && memcmp(s + i, "From ", 5) == 0)))
		return true;
	return false;
}

/*
 * True if byte i is the last of its line: then it may take the 76th
 * column, which otherwise stays free for the '=' of a soft break.
 */
static bool
qp_token_is_last(const char *s, size_t n, size_t i)
{
	return i + 1 == n || s[i + 1] == '\n';
}

static int
qp_put_token(struct sink *k, const char *s, size_t n, size_t i,
    size_t *col)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c = (unsigned char)s[i];
	size_t			 len;
	bool			 esc;

	esc = qp_must_escape(s, n, i, *col);
	len = esc ? 3 : 1;
	/* Keep room for the '=' of a soft break unless the line ends. */
	if (*col > 0 && (*col + len > QP_MAX_LINE - 1 &&
	    !(qp_token_is_last(s, n, i) && *col + len <= QP_MAX_LINE))) {
		if (sink_putn(k, "=\n", 2) == -1)
			return -1;
		*col = 0;
		/* The token now starts a line: the rules may differ. */
		esc = qp_must_escape(s, n, i, 0);
		len = esc ? 3 : 1;
	}
	if (esc) {
		if (sink_put(k, '=') == -1 ||
		    sink_put(k, (unsigned char)hex[c >> 4]) == -1 ||
		    sink_put(k, (unsigned char)hex[c & 15]) == -1)
			return -1;
	} else if (sink_put(k, c) == -1)
		return -1;
	*col += len;
	return 0;
}

/*
 * Text with LF line ends to quoted-printable: each LF stays a hard line
 * break (written LF, the caller converts at the socket edge), long lines
 * get soft breaks so no line exceeds 76 characters (rule 5), and an
 * escape is never split. decode(encode(x)) == x for any bytes x.
 */
int
mime_qp_encode(const char *s, size_t n, struct buf *out)
{
	struct sink	k;
	size_t		i, col = 0;

	sink_init(&k, out);
	for (i = 0; i < n; i++) {
		if (s[i] == '\n') {
			if (sink_put(&k, '\n') == -1)
				return -1;
			col = 0;
			continue;
		}
		if (qp_put_token(&k, s, n, i, &col) == -1)
			return -1;
	}
	return sink_flush(&k);
}
