/*
 * words.c: RFC 2047 encoded words: decoding them in header values,
 * encoding UTF-8 text for a header, and header values as display text.
 *
 * Leniency in decoding (see also doc/VIOLATIONS.md):
 *
 * - Encoded words are recognised anywhere, also inside a word or next to
 *   a special ("foo=?utf-8?q?bar?=" is "foobar", "(=?...?=)" works), as
 *   mutt and most readers do; RFC 2047 section 5 wants them separated by
 *   linear whitespace, but senders do not always do so.
 * - The encoded text may hold spaces, tabs and unencoded '?' (RFC 2047
 *   section 2 forbids them; some encoders leave them), but never "=?"
 *   unless it is the '=' of the text before the closing "?=": an
 *   encoded word that is never closed then stays visible and the next
 *   one is still found.
 * - Blanks inside B text are skipped. B text may lack its padding, and
 *   a padded group may be followed by another (concatenated encoders).
 *   Only characters outside the base64 alphabet, or a lone 6-bit group
 *   that cannot make a byte, make a B word malformed.
 * - A bad "=XX" escape in Q text is kept as written, as in
 *   quoted-printable bodies (RFC 2045 section 6.7, note 1).
 * - A malformed word (unknown encoding letter, bad base64, not closed)
 *   stays exactly as written.
 * - An empty or unknown charset name decodes as UTF-8 when valid, else
 *   as windows-1252 (see charset.c). "charset*lang" (RFC 2231 section 5)
 *   drops the language.
 * - Raw 7-bit text holding ESC $ B or ESC $ @ is read as ISO-2022-JP
 *   (unencoded Japanese headers, RFC 1468), not shown as escapes.
 * - Adjacent encoded words of the same charset are decoded together, so
 *   a character split across two words (RFC 2047 section 5 forbids it;
 *   many encoders do it) comes out whole.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "mime.h"

#define CHARSET_MAX	64	/* longer charset names are unknown */
#define EW_MAX		75	/* longest encoded word, RFC 2047 section 2 */
#define EW_PREFIX	"=?UTF-8?"
#define EW_OVERHEAD	12	/* "=?UTF-8?Q?" and "?=" */
#define EW_TEXT_MAX	(EW_MAX - EW_OVERHEAD)
#define EW_B_BYTES	(EW_TEXT_MAX / 4 * 3)	/* bytes in one B word */
/* Largest display text of one header value (decoding may triple raw
 * 8-bit text, sanitizing may double control characters). */
#define HEADER_TEXT_MAX	(4 * BOUND_HEADER_BLOCK)

/* One encoded word "=?charset?e?text?=" found in a value. */
struct ew {
	const char	*charset;	/* the RFC 2231 language removed */
	size_t		 cslen;
	char		 enc;		/* 'B' or 'Q' */
	const char	*text;
	size_t		 tlen;
	size_t		 end;		/* offset just after "?=" */
};

/* The decoder's state: decoded bytes wait until the charset changes or
 * something other than blanks follows, then are converted at once. */
struct wdec {
	const char	*fallback;	/* for raw 8-bit text */
	bool		 raw_utf8;	/* all raw text is valid UTF-8 */
	bool		 pending;	/* the last thing seen was a word */
	struct buf	 bytes;		/* its decoded, unconverted bytes */
	struct buf	 word;		/* scratch for one word */
	char		 cs[CHARSET_MAX]; /* their charset ("": unknown) */
	struct buf	*out;
};

enum { DEC_OK, DEC_BAD };

static bool
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A charset token: RFC 2047 section 2, but '.' (ANSI_X3.4-1968) and '*'
 * (RFC 2231 section 5) allowed. */
static bool
cs_char(int c)
{
	static const char especials[] = "()<>@,;:\"/[]?=";

	return c > ' ' && c < 0x7F && memchr(especials, c,
	    sizeof(especials) - 1) == NULL;
}

/* Parse the encoded word starting with "=?" at s[pos]; false if there is
 * none there (then it is plain text). */
static bool
ew_parse(const char *s, size_t n, size_t pos, struct ew *w)
{
	const char	*star;
	size_t		 i = pos + 2;

	w->charset = s + i;
	while (i < n && cs_char((unsigned char)s[i]))
		i++;
	if (i >= n || s[i] != '?')
		return false;
	w->cslen = (size_t)(s + i - w->charset);
	star = memchr(w->charset, '*', w->cslen);
	if (star != NULL)
		w->cslen = (size_t)(star - w->charset);
	i++;
	if (i + 1 >= n || s[i + 1] != '?')
		return false;
	w->enc = (char)(ascii_tolower((unsigned char)s[i]) == 'b' ? 'B' :
	    ascii_tolower((unsigned char)s[i]) == 'q' ? 'Q' : 0);
	if (w->enc == 0)
		return false;
	i += 2;
	w->text = s + i;
	for (;; i++) {
		if (i + 1 >= n)
			return false;		/* never closed */
		if (s[i] == '?' && s[i + 1] == '=')
			break;
		/* "=?" opens another word, unless it is "=?=": a last
		 * '=' of the text (B padding), then the end. */
		if (s[i] == '=' && s[i + 1] == '?' &&
		    (i + 2 >= n || s[i + 2] != '='))
			return false;
		if (s[i] != '\t' && ((unsigned char)s[i] < ' ' ||
		    (unsigned char)s[i] >= 0x7F))
			return false;
	}
	w->tlen = (size_t)(s + i - w->text);
	w->end = i + 2;
	return true;
}

/* RFC 2047 section 4.2: '_' is a space, "=XX" a byte (a bad escape is
 * kept as written). */
static int
q_decode(const char *t, size_t n, struct buf *out)
{
	size_t	i;
	int	hi, lo;

	for (i = 0; i < n; i++) {
		unsigned char	c = (unsigned char)t[i];

		if (c == '_')
			c = ' ';
		else if (c == '=' && i + 2 < n) {
			hi = hex_digit((unsigned char)t[i + 1]);
			lo = hex_digit((unsigned char)t[i + 2]);
			if (hi >= 0 && lo >= 0) {
				c = (unsigned char)(hi << 4 | lo);
				i += 2;
			}
		}
		if (buf_append_byte(out, c) == -1)
			return -1;
	}
	return DEC_OK;
}

/*
 * RFC 2047 section 4.1 (base64, RFC 2045 section 6.8), leniently: blanks
 * skipped, padding optional, '=' ends a group. DEC_BAD for a character
 * outside the alphabet or a group of one character (not even a byte).
 */
static int
b_decode(const char *t, size_t n, struct buf *out)
{
	uint32_t	acc = 0;
	size_t		i;
	int		ngroup = 0, v;

	for (i = 0; i < n; i++) {
		unsigned char	c = (unsigned char)t[i];

		if (c == ' ' || c == '\t')
			continue;
		if (c == '=') {
			if (ngroup == 1)
				return DEC_BAD;
			ngroup = 0;
			acc = 0;
			continue;
		}
		v = base64_value((unsigned char)c, '/');
		if (v < 0)
			return DEC_BAD;
		acc = acc << 6 | (uint32_t)v;
		ngroup++;
		/* A byte is complete after 2, 3 and 4 characters. */
		if (ngroup > 1 && buf_append_byte(out,
		    (unsigned char)(acc >> (8 - 2 * ngroup))) == -1)
			return -1;
		if (ngroup == 4) {
			ngroup = 0;
			acc = 0;
		}
	}
	return ngroup == 1 ? DEC_BAD : DEC_OK;
}

/* Two charset labels name the same charset ("utf-8" and "UTF8" do). */
static bool
cs_same(const char *a, const char *b)
{
	const char	*ca = mime_charset_canonical(a);
	const char	*cb = mime_charset_canonical(b);

	if (ca != NULL && cb != NULL)
		return strcmp(ca, cb) == 0;
	return ascii_casecmp(a, b) == 0;
}

/* Convert the bytes of the pending encoded words. */
static int
flush_words(struct wdec *d)
{
	int	r;

	if (!d->pending)
		return 0;
	d->pending = false;
	r = mime_to_utf8(d->cs, buf_str(&d->bytes), d->bytes.len, d->out);
	buf_reset(&d->bytes);
	return r == -1 ? -1 : 0;
}

/*
 * Raw text: as it is when UTF-8 (or ASCII), else in the fallback. 7-bit
 * text that designates JIS X 0208 (RFC 1468: ESC $ B or ESC $ @) is raw
 * ISO-2022-JP, which old Japanese mailers wrote in headers unencoded.
 */
static int
emit_raw(struct wdec *d, const char *s, size_t n)
{
	size_t	i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			break;
	if (i < n && !d->raw_utf8)
		return mime_to_utf8(d->fallback, s, n, d->out) == -1 ? -1 : 0;
	if (i == n && (mem_find(s, n, "\x1b$B", 3) != NULL ||
	    mem_find(s, n, "\x1b$@", 3) != NULL))
		return mime_to_utf8("iso-2022-jp", s, n, d->out) == -1 ? -1 :
		    0;
	return buf_append(d->out, s, n);
}

/*
 * Take the encoded word w, decoded in d->word, whose raw text before is
 * [gap, gap + glen). RFC 2047 section 6.2: blanks between two encoded
 * words are dropped; the bytes of adjacent words in the same charset
 * are converted together.
 */
static int
take_word(struct wdec *d, const struct ew *w, const char *gap,
    size_t glen)
{
	char	cs[CHARSET_MAX] = "";
	bool	adjacent = d->pending;
	size_t	i;

	for (i = 0; i < glen && adjacent; i++)
		if (!is_blank((unsigned char)gap[i]))
			adjacent = false;
	if (w->cslen < sizeof(cs)) {
		memcpy(cs, w->charset, w->cslen);
		cs[w->cslen] = '\0';
	}
	if (!adjacent || !cs_same(d->cs, cs)) {
		if (flush_words(d) == -1)
			return -1;
		if (!adjacent && emit_raw(d, gap, glen) == -1)
			return -1;
		(void)fct_strlcpy(d->cs, cs, sizeof(d->cs));
	}
	if (buf_append(&d->bytes, buf_str(&d->word), d->word.len) == -1)
		return -1;
	d->pending = true;
	return 0;
}

int
mime_decode_words(const char *s, size_t n, const char *fallback_charset,
    struct buf *out)
{
	struct wdec	 d;
	struct ew	 w;
	const char	*p;
	size_t		 pos = 0, seg = 0, at;
	int		 r = 0;

	if (s == NULL) {
		s = "";
		n = 0;
	}
	memset(&d, 0, sizeof(d));
	d.fallback = fallback_charset != NULL ? fallback_charset :
	    "windows-1252";
	d.raw_utf8 = mime_utf8_valid(s, n);
	d.out = out;
	/* Decoded text is never longer than the encoded text. */
	buf_init(&d.bytes, n + 1);
	buf_init(&d.word, n + 1);
	while (r == 0 && pos < n) {
		p = mem_find(s + pos, n - pos, "=?", 2);
		if (p == NULL)
			break;
		at = (size_t)(p - s);
		pos = at + 1;
		if (!ew_parse(s, n, at, &w))
			continue;
		buf_reset(&d.word);
		if (w.enc == 'B')
			r = b_decode(w.text, w.tlen, &d.word);
		else
			r = q_decode(w.text, w.tlen, &d.word);
		if (r == DEC_BAD) {
			r = 0;		/* malformed: stays as written */
			continue;
		}
		if (r == 0)
			r = take_word(&d, &w, s + seg, at - seg);
		seg = pos = w.end;
	}
	if (r == 0)
		r = flush_words(&d);
	if (r == 0)
		r = emit_raw(&d, s + seg, n - seg);
	buf_free(&d.bytes);
	buf_free(&d.word);
	return r == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

static bool
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* An atom character (RFC 5322 section 3.2.3). */
static bool
is_atext(int c)
{
	static const char more[] = "!#$%&'*+-/=?^_`{|}~";

	return is_alnum(c) || (c != '\0' &&
	    memchr(more, c, sizeof(more) - 1) != NULL);
}

/* A byte that Q leaves as it is: any printable but "=?_" in text (RFC
 * 2047 section 5(1)), only letters, digits and "!*+-/" in a phrase
 * (section 5(3)). */
static bool
q_literal(int c, bool phrase)
{
	if (phrase)
		return is_alnum(c) || c == '!' || c == '*' || c == '+' ||
		    c == '-' || c == '/';
	return c > ' ' && c < 0x7F && c != '=' && c != '?' && c != '_';
}

/* The length of the UTF-8 character whose first byte is c (the text is
 * valid UTF-8 here). */
static size_t
u8_len(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Characters of Q text for the n bytes at s. */
static size_t
q_cost(const char *s, size_t n, bool phrase)
{
	size_t	i, cost = 0;

	for (i = 0; i < n; i++) {
		unsigned char	c = (unsigned char)s[i];

		cost += c == ' ' || q_literal(c, phrase) ? 1 : 3;
	}
	return cost;
}

/*
 * How many bytes of [s, s + n) the next encoded word holds, never
 * splitting a character (RFC 2047 section 5), and in which encoding:
 * the one that holds more, else the shorter, else Q (readable).
 */
static size_t
ew_chunk(const char *s, size_t n, bool phrase, char *enc)
{
	size_t	qb = 0, ql = 0, bb = 0, len, cost;

	while (qb < n) {
		len = u8_len((unsigned char)s[qb]);
		if (len > n - qb)
			len = n - qb;
		cost = q_cost(s + qb, len, phrase);
		if (ql + cost > EW_TEXT_MAX)
			break;
		ql += cost;
		qb += len;
	}
	while (bb < n) {
		len = u8_len((unsigned char)s[bb]);
		if (len > n - bb)
			len = n - bb;
		if (bb + len > EW_B_BYTES)
			break;
		bb += len;
	}
	if (bb > qb || (bb == qb && (bb + 2) / 3 * 4 < ql)) {
		*enc = 'B';
		return bb;
	}
	*enc = 'Q';
	return qb;
}

/* Append; the output buffer is sized for the worst case, so a failure
 * is a bug. */
static void
put(struct buf *b, const void *p, size_t n)
{
	if (buf_append(b, p, n) == -1)
		fatalx("mime_encode_words: output buffer too small");
}

static void
put_b(struct buf *out, const unsigned char *s, size_t n)
{
	static const char	alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char			q[4];
	size_t			i;
	uint32_t		v;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = alpha[v >> 18 & 63];
		q[1] = alpha[v >> 12 & 63];
		q[2] = i + 1 < n ? alpha[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? alpha[v & 63] : '=';
		put(out, q, 4);
	}
}

static void
put_q(struct buf *out, const unsigned char *s, size_t n, bool phrase)
{
	static const char	hex[] = "0123456789ABCDEF";
	char			e[3];
	size_t			i;

	for (i = 0; i < n; i++) {
		if (s[i] == ' ')
			put(out, "_", 1);
		else if (q_literal(s[i], phrase))
			put(out, &s[i], 1);
		else {
			e[0] = '=';
			e[1] = hex[s[i] >> 4];
			e[2] = hex[s[i] & 15];
			put(out, e, 3);
		}
	}
}

/* Printable ASCII without "=?": a header can hold it as it is. */
static bool
plain_text(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < ' ' || (unsigned char)s[i] >= 0x7F)
			return false;
	return mem_find(s, n, "=?", 2) == NULL;
}

/* A blank-separated token that may stay unencoded. */
static bool
token_plain(const char *s, size_t n, bool phrase)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		unsigned char	c = (unsigned char)s[i];

		if (c <= ' ' || c >= 0x7F || (phrase && !is_atext(c)))
			return false;
	}
	return mem_find(s, n, "=?", 2) == NULL;
}

/*
 * [*start, *end): from the first space-separated token that needs
 * encoding to the end of the last one; the plain words around it stay
 * readable, as mutt does. False if there is none.
 */
static bool
encode_span(const char *s, size_t n, bool phrase, size_t *start,
    size_t *end)
{
	size_t	i = 0, j;
	bool	found = false;

	while (i <= n) {
		for (j = i; j < n && s[j] != ' '; j++)
			;
		if (j > i && !token_plain(s + i, j - i, phrase)) {
			if (!found)
				*start = i;
			*end = j;
			found = true;
		}
		i = j + 1;
	}
	return found;
}

char *
mime_encode_words(const char *utf8, bool phrase)
{
	struct buf	 t, out;
	const char	*s;
	size_t		 n, a = 0, b = 0, i, len;
	char		 enc;

	if (utf8 == NULL)
		return xstrdup("");
	n = strlen(utf8);
	if (plain_text(utf8, n))
		return xstrdup(utf8);
	if (n > SIZE_MAX / 16)
		fatalx("mime_encode_words: %zu bytes", n);
	/* Invalid UTF-8 is sent as U+FFFD, as the label promises. */
	buf_init(&t, 3 * n + 1);
	if (mime_to_utf8("utf-8", utf8, n, &t) == -1)
		fatalx("mime_encode_words: output buffer too small");
	s = buf_str(&t);
	if (!encode_span(s, t.len, phrase, &a, &b))
		return buf_take(&t);
	buf_init(&out, 4 * t.len + 64);
	put(&out, s, a);
	for (i = a; i < b; i += len) {
		len = ew_chunk(s + i, b - i, phrase, &enc);
		if (i > a)
			put(&out, " ", 1);
		put(&out, EW_PREFIX, sizeof(EW_PREFIX) - 1);
		put(&out, enc == 'B' ? "B?" : "Q?", 2);
		if (enc == 'B')
			put_b(&out, (const unsigned char *)s + i, len);
		else
			put_q(&out, (const unsigned char *)s + i, len, phrase);
		put(&out, "?=", 2);
	}
	put(&out, s + b, t.len - b);
	buf_free(&t);
	return buf_take(&out);
}

/* ------------------------------------------------------------------ */
/* Display text                                                        */

/*
 * The length of mime_unfold(value, len)'s result: it drops every LF and
 * the CR before one, and nothing else. Counting the most it may drop
 * keeps this safe (a shorter count only cuts the text) should it ever
 * keep more; the text may hold NUL bytes, so strlen() will not do.
 */
static size_t
unfolded_len(const char *value, size_t len, const char *u)
{
	size_t	i, n = len;

	for (i = 0; i < len; i++)
		if (value[i] == '\n' || (value[i] == '\r' && i + 1 < len &&
		    value[i + 1] == '\n'))
			n--;
	return n + strlen(u + n);
}

char *
mime_header_text(const char *value, size_t len,
    const char *fallback_charset)
{
	struct buf	 d, o;
	char		*u, *p;
	size_t		 ulen, i, j = 0;

	if (value == NULL)
		return xstrdup("");
	u = mime_unfold(value, len);
	ulen = unfolded_len(value, len, u);
	buf_init(&d, HEADER_TEXT_MAX);
	buf_init(&o, HEADER_TEXT_MAX);
	/* Past the cap the text is cut, not lost. */
	if (mime_decode_words(u, ulen, fallback_charset, &d) == -1)
		log_debug("header text cut at %zu bytes", d.len);
	if (mime_sanitize(buf_str(&d), d.len, false, &o) == -1)
		log_debug("header text cut at %zu bytes", o.len);
	free(u);
	buf_free(&d);
	/* Blank runs (tabs and newlines are spaces now) become one space;
	 * none is left at either end. */
	p = o.data;
	for (i = 0; i < o.len; i++) {
		if (p[i] == ' ' && (j == 0 || p[j - 1] == ' '))
			continue;
		p[j++] = p[i];
	}
	if (j > 0 && p[j - 1] == ' ')
		j--;
	buf_truncate(&o, j);
	return buf_take(&o);
}
