/*
 * imap_mailbox.c: mailbox names. Modified UTF-7 (RFC 3501 5.1.3: the
 * base64 of RFC 2152 with "," for "/") in both directions, and the mapping
 * between a server's hierarchy and the local folder tree, where a server
 * folder Archives/2024 is the directory Archives/2024/ (DESIGN.md).
 *
 * The codec is canonical: a name has exactly one modified UTF-7 form and
 * the decoder refuses every other spelling, so a name decoded from the
 * server encodes back to the very bytes the server sent, and two spellings
 * can never land in one local folder.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "bounds.h"
#include "imap.h"

/*
 * Mailbox names are short; these bound what a server can make us create
 * (bytes of a whole name, levels of directories, bytes of one directory
 * name: NAME_MAX of the common file systems, so mkdir never fails on it).
 */

static bool
is_printable(uint32_t c)
{
	return c >= 0x20 && c <= 0x7e;
}

/* ------------------------------------------------------------------ */
/* UTF-8                                                               */

/* Write cp (a scalar value past ASCII, the only kind a shifted run may
 * hold) as UTF-8 at out; the number of bytes. */
static size_t
utf8_put(char *out, uint32_t cp)
{
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * The code point at s (NUL-terminated) in *cp and its length in *n; false
 * for what RFC 3629 forbids: stray continuation bytes, overlong forms,
 * surrogates, values past U+10FFFF, a sequence cut short (the NUL fails
 * the continuation test, so nothing is read past it).
 */
static bool
utf8_get(const unsigned char *s, uint32_t *cp, size_t *n)
{
	static const uint32_t	min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	uint32_t		v;
	size_t			len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		*n = 1;
		return true;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return false;
	v = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return false;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return false;
	*cp = v;
	*n = len;
	return true;
}

static bool
utf8_valid(const char *s)
{
	uint32_t	cp;
	size_t		n;

	while (*s != '\0') {
		if (!utf8_get((const unsigned char *)s, &cp, &n))
			return false;
		s += n;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Decoding                                                            */

/*
 * Feed one UTF-16 unit; 1 with a code point in *cp, 0 while a high
 * surrogate waits in *high for its pair, -1 when the pairing is broken.
 */
static int
utf16_take(uint32_t unit, uint32_t *high, uint32_t *cp)
{
	bool	is_high = unit >= 0xd800 && unit <= 0xdbff;
	bool	is_low = unit >= 0xdc00 && unit <= 0xdfff;

	if (*high != 0) {
		if (!is_low)
			return -1;
		*cp = 0x10000 + ((*high - 0xd800) << 10) + (unit - 0xdc00);
		*high = 0;
		return 1;
	}
	if (is_low)
		return -1;
	if (is_high) {
		*high = unit;
		return 0;
	}
	*cp = unit;
	return 1;
}

/*
 * Decode the shifted run at s[*pos] (just past its "&") up to its "-",
 * appending UTF-8 at out + *olen, and leave *pos past the "-".
 *
 * A unit takes 16/6 base64 characters and yields at most 3 bytes (a
 * pair: 32/6 characters, 4 bytes), so a run of k characters writes at
 * most 9k/8 bytes.
 */
static int
decode_run(const char *s, size_t len, size_t *pos, char *out, size_t *olen)
{
	uint32_t	acc = 0, high = 0, cp;
	unsigned	nbits = 0;
	size_t		i;
	int		v, r;

	for (i = *pos; i < len && s[i] != '-'; i++) {
		v = base64_value((unsigned char)s[i], ',');
		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		nbits += 6;
		if (nbits < 16)
			continue;
		nbits -= 16;
		r = utf16_take(acc >> nbits & 0xffff, &high, &cp);
		acc &= (1u << nbits) - 1;
		if (r < 0)
			return -1;
		/* All of ASCII is refused: printable characters must stand
		 * for themselves, and controls (NUL first) are refused by
		 * the encoder, which must give back what we accept. */
		if (r == 1 && cp < 0x80)
			return -1;
		if (r == 1)
			*olen += utf8_put(out + *olen, cp);
	}
	if (i == len)
		return -1;		/* no closing "-" */
	/* The encoder pads with zero bits to the next sextet only: more
	 * than that, or padding that is not zero, is another spelling. */
	if (high != 0 || nbits > 4 || acc != 0)
		return -1;
	*pos = i + 1;
	return 0;
}

char *
imap_mutf7_decode(const char *s, size_t len)
{
	char		*out;
	size_t		 i = 0, o = 0;
	bool		 after_run = false;
	unsigned char	 c;

	/* Names are short; the limit only keeps len + len / 8 + 1 from
	 * overflowing (see decode_run()). */
	if (s == NULL || len > SIZE_MAX / 2)
		return NULL;
	out = xmalloc(len + len / 8 + 1);
	while (i < len) {
		c = (unsigned char)s[i];
		if (!is_printable(c))
			goto bad;
		if (c != '&') {
			out[o++] = (char)c;
			i++;
			after_run = false;
		} else if (i + 1 < len && s[i + 1] == '-') {
			out[o++] = '&';
			i += 2;
			after_run = false;
		} else {
			/* "&A-&B-" would spell what "&AB-" spells. */
			if (after_run)
				goto bad;
			i++;
			if (decode_run(s, len, &i, out, &o) != 0)
				goto bad;
			after_run = true;
		}
	}
	out[o] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

struct mutf7_enc {
	char		*out;
	size_t		 len;
	uint32_t	 acc;		/* bits not yet written */
	unsigned	 nbits;		/* how many: 0, 2 or 4 between units */
	bool		 shifted;	/* inside "&...-" */
};

static void
enc_unit(struct mutf7_enc *e, uint32_t unit)
{
	e->acc = e->acc << 16 | unit;
	e->nbits += 16;
	while (e->nbits >= 6) {
		e->nbits -= 6;
		e->out[e->len++] = base64_char(e->acc >> e->nbits & 0x3f,
		    ',');
	}
	e->acc &= (1u << e->nbits) - 1;
}

static void
enc_unshift(struct mutf7_enc *e)
{
	if (!e->shifted)
		return;
	if (e->nbits > 0)
		e->out[e->len++] = base64_char(e->acc << (6 - e->nbits) &
		    0x3f, ',');
	e->out[e->len++] = '-';
	e->acc = 0;
	e->nbits = 0;
	e->shifted = false;
}

/* One run per maximal stretch of non-ASCII: the canonical form. */
static void
enc_char(struct mutf7_enc *e, uint32_t cp)
{
	if (cp < 0x80) {
		enc_unshift(e);
		e->out[e->len++] = (char)cp;
		if (cp == '&')
			e->out[e->len++] = '-';
		return;
	}
	if (!e->shifted) {
		e->out[e->len++] = '&';
		e->shifted = true;
	}
	if (cp < 0x10000) {
		enc_unit(e, cp);
		return;
	}
	enc_unit(e, 0xd800 + ((cp - 0x10000) >> 10));
	enc_unit(e, 0xdc00 + (cp & 0x3ff));
}

/*
 * Output bound: "&" is 2 bytes for 1; one 2-byte character is at worst
 * "&" + 3 + "-", 5 bytes for 2; longer runs cost less per byte. So 3
 * bytes per input byte, plus the NUL.
 */
char *
imap_mutf7_encode(const char *s)
{
	struct mutf7_enc	 e = { 0 };
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	size_t			 n;

	if (s == NULL || strlen(s) > (SIZE_MAX - 1) / 3)
		return NULL;
	e.out = xmalloc(3 * strlen(s) + 1);
	while (*p != '\0') {
		if (!utf8_get(p, &cp, &n))
			goto bad;
		/* No mailbox name may hold a control character. */
		if (cp < 0x20 || cp == 0x7f)
			goto bad;
		enc_char(&e, cp);
		p += n;
	}
	enc_unshift(&e);
	e.out[e.len] = '\0';
	return e.out;
bad:
	free(e.out);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Local folder names                                                  */

static void set_why(char *why, size_t whylen, const char *fmt, ...)
	    FCT_PRINTF(3, 4);

static void
set_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list	ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

static bool
is_inbox(const char *p, size_t n)
{
	return n == 5 && ascii_ncasecmp(p, "INBOX", 5) == 0;
}

/* A server's delimiter is one ASCII character (RFC 3501 QUOTED-CHAR);
 * splitting UTF-8 on any other byte would cut characters in half. */
static bool
delim_usable(char delim)
{
	return delim == 0 || is_printable((unsigned char)delim);
}

/* The whole-name checks; the reason in why when false. */
static bool
name_ok(const char *name, size_t len, char delim, char *why, size_t whylen)
{
	size_t		i;
	unsigned char	c;

	if (len == 0) {
		set_why(why, whylen, "empty mailbox name");
		return false;
	}
	if (len > BOUND_MAILBOX_NAME) {
		set_why(why, whylen, "mailbox name longer than %d bytes",
		    BOUND_MAILBOX_NAME);
		return false;
	}
	if (!delim_usable(delim)) {
		set_why(why, whylen, "unusable hierarchy delimiter 0x%02x",
		    (unsigned char)delim);
		return false;
	}
	for (i = 0; i < len; i++) {
		c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f) {
			set_why(why, whylen,
			    "control character in mailbox name");
			return false;
		}
		/* Windows-minded servers and tools read it as a separator. */
		if (c == '\\' && delim != '\\') {
			set_why(why, whylen, "backslash in mailbox name");
			return false;
		}
	}
	/* Checked apart from the loop: an overlong "/" (C0 AF) must not
	 * pass for anything. */
	if (!utf8_valid(name)) {
		set_why(why, whylen, "mailbox name is not valid UTF-8");
		return false;
	}
	return true;
}

static bool
is_reserved(const char *p, size_t n)
{
	return n == 3 && (ascii_ncasecmp(p, "cur", 3) == 0 ||
	    ascii_ncasecmp(p, "new", 3) == 0 ||
	    ascii_ncasecmp(p, "tmp", 3) == 0);
}

/*
 * One level of the hierarchy, [p, p + n): it becomes one directory, so it
 * must not be empty, climb, hide, nest or clash with the maildir's own
 * cur, new and tmp (any case: some file systems ignore it).
 */
static bool
component_ok(const char *p, size_t n, char *why, size_t whylen)
{
	if (n == 0) {
		set_why(why, whylen, "empty hierarchy level (leading, "
		    "trailing or doubled delimiter)");
		return false;
	}
	if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' &&
	    p[1] == '.')) {
		set_why(why, whylen, "hierarchy level \"%.*s\"", (int)n, p);
		return false;
	}
	if (p[0] == '.') {
		set_why(why, whylen, "hierarchy level starts with \".\" "
		    "(kept for the store's own files)");
		return false;
	}
	if (is_reserved(p, n)) {
		set_why(why, whylen, "hierarchy level \"%.*s\" clashes with "
		    "the maildir's own directories", (int)n, p);
		return false;
	}
	if (memchr(p, '/', n) != NULL) {
		set_why(why, whylen, "\"/\" inside a hierarchy level");
		return false;
	}
	if (n > BOUND_MAILBOX_LEVEL) {
		set_why(why, whylen, "hierarchy level longer than %d bytes",
		    BOUND_MAILBOX_LEVEL);
		return false;
	}
	return true;
}

char *
imap_mailbox_to_folder(const char *name, char delim, char *why,
    size_t whylen)
{
	const char	*p, *end, *next;
	char		*out;
	size_t		 len, o = 0, n;
	int		 depth = 0;

	len = name == NULL ? 0 : strnlen(name, BOUND_MAILBOX_NAME + 1);
	if (!name_ok(name, len, delim, why, whylen))
		return NULL;
	out = xmalloc(len + 1);
	end = name + len;
	for (p = name; p != NULL; p = next) {
		next = delim == 0 ? NULL : memchr(p, delim, (size_t)(end - p));
		n = (size_t)((next == NULL ? end : next) - p);
		if (++depth > BOUND_MAILBOX_DEPTH) {
			set_why(why, whylen, "more than %d hierarchy levels",
			    BOUND_MAILBOX_DEPTH);
			goto bad;
		}
		if (!component_ok(p, n, why, whylen))
			goto bad;
		if (o > 0)
			out[o++] = '/';
		/* RFC 3501 5.1: INBOX is case-insensitive; one spelling
		 * keeps one local folder. */
		memcpy(out + o, depth == 1 && is_inbox(p, n) ? "INBOX" : p, n);
		o += n;
		if (next != NULL)
			next++;
	}
	out[o] = '\0';
	set_why(why, whylen, "%s", "");
	return out;
bad:
	free(out);
	return NULL;
}

/*
 * The reverse of imap_mailbox_to_folder() for the folders it makes; an
 * empty level could not have come from it, and would turn into a name
 * that does not map back.
 */
char *
imap_folder_to_mailbox(const char *folder, char delim)
{
	char	*out, *p;
	size_t	 len;

	if (folder == NULL || !delim_usable(delim))
		return NULL;
	len = strlen(folder);
	if (len == 0 || folder[0] == '/' || folder[len - 1] == '/' ||
	    strstr(folder, "//") != NULL)
		return NULL;
	if (delim == 0)
		return strchr(folder, '/') == NULL ? xstrdup(folder) : NULL;
	if (delim != '/' && strchr(folder, delim) != NULL)
		return NULL;
	out = xstrdup(folder);
	for (p = out; *p != '\0'; p++)
		if (*p == '/')
			*p = delim;
	return out;
}

const char *
imap_mailbox_unprefixed(const char *name, const char *prefix)
{
	size_t	n = prefix != NULL ? strlen(prefix) : 0;

	if (n == 0 || strncmp(name, prefix, n) != 0 || name[n] == '\0')
		return name;
	return name + n;
}

char *
imap_folder_to_mailbox_ns(const char *folder, char delim, const char *prefix)
{
	char	*m = imap_folder_to_mailbox(folder, delim), *full;

	if (m == NULL || prefix == NULL || prefix[0] == '\0' ||
	    strcmp(folder, "INBOX") == 0)
		return m;
	full = xasprintf("%s%s", prefix, m);
	free(m);
	return full;
}
