/*
 * html.c: HTML mail as readable text, with a built-in renderer.
 *
 * One pass over the input, no tree: a tolerant tokenizer (tags, comments,
 * character references, as the HTML5 tokenizer reads them) drives a line
 * writer. Nothing is kept per element except list and quote levels, so
 * tag soup, unclosed and unmatched tags and deep nesting cost nothing:
 * time is linear in the input and memory bounded by the output buffer.
 *
 * Output: UTF-8 text, LF line ends, no trailing blanks, at most one blank
 * line in a row (except inside <pre>), none first or last; links numbered
 * "text[1]" and listed at the end under "Links:".
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"
#include "mime.h"

#define HTML_MAX_NEST	16	/* list and quote levels shown */
#define HTML_MAX_LINKS	1000	/* links numbered; later ones are not */
#define HTML_LINK_HASH	2048	/* slots of the link table: a power of 2 */
#define HTML_MAX_URL	8192	/* longer href values are not listed */
#define HTML_MAX_ALT	1024	/* alt text shown, in bytes */
#define HTML_MAX_ATTRS	32	/* attributes kept per tag */
#define HTML_MAX_NAME	16	/* tag names kept, NUL included */
#define HTML_HR_WIDTH	40

/* ------------------------------------------------------------------ */
/* Character references                                                */

struct entity {
	const char	*name;
	uint32_t	 cp;
};

/*
 * The HTML 4.01 set (HTMLlat1, HTMLsymbol, HTMLspecial) with the code
 * points of HTML5 (lang and rang moved), plus apos and the upper-case
 * spellings HTML5 keeps for compatibility. Sorted by byte value for
 * bsearch().
 */
static const struct entity entities[] = {
	{ "AElig", 0xc6 }, { "AMP", 0x26 }, { "Aacute", 0xc1 },
	{ "Acirc", 0xc2 }, { "Agrave", 0xc0 }, { "Alpha", 0x391 },
	{ "Aring", 0xc5 }, { "Atilde", 0xc3 }, { "Auml", 0xc4 },
	{ "Beta", 0x392 }, { "COPY", 0xa9 }, { "Ccedil", 0xc7 },
	{ "Chi", 0x3a7 }, { "Dagger", 0x2021 }, { "Delta", 0x394 },
	{ "ETH", 0xd0 }, { "Eacute", 0xc9 }, { "Ecirc", 0xca },
	{ "Egrave", 0xc8 }, { "Epsilon", 0x395 }, { "Eta", 0x397 },
	{ "Euml", 0xcb }, { "GT", 0x3e }, { "Gamma", 0x393 },
	{ "Iacute", 0xcd }, { "Icirc", 0xce }, { "Igrave", 0xcc },
	{ "Iota", 0x399 }, { "Iuml", 0xcf }, { "Kappa", 0x39a },
	{ "LT", 0x3c }, { "Lambda", 0x39b }, { "Mu", 0x39c },
	{ "Ntilde", 0xd1 }, { "Nu", 0x39d }, { "OElig", 0x152 },
	{ "Oacute", 0xd3 }, { "Ocirc", 0xd4 }, { "Ograve", 0xd2 },
	{ "Omega", 0x3a9 }, { "Omicron", 0x39f }, { "Oslash", 0xd8 },
	{ "Otilde", 0xd5 }, { "Ouml", 0xd6 }, { "Phi", 0x3a6 },
	{ "Pi", 0x3a0 }, { "Prime", 0x2033 }, { "Psi", 0x3a8 },
	{ "QUOT", 0x22 }, { "REG", 0xae }, { "Rho", 0x3a1 },
	{ "Scaron", 0x160 }, { "Sigma", 0x3a3 }, { "THORN", 0xde },
	{ "TRADE", 0x2122 }, { "Tau", 0x3a4 }, { "Theta", 0x398 },
	{ "Uacute", 0xda }, { "Ucirc", 0xdb }, { "Ugrave", 0xd9 },
	{ "Upsilon", 0x3a5 }, { "Uuml", 0xdc }, { "Xi", 0x39e },
	{ "Yacute", 0xdd }, { "Yuml", 0x178 }, { "Zeta", 0x396 },
	{ "aacute", 0xe1 }, { "acirc", 0xe2 }, { "acute", 0xb4 },
	{ "aelig", 0xe6 }, { "agrave", 0xe0 }, { "alefsym", 0x2135 },
	{ "alpha", 0x3b1 }, { "amp", 0x26 }, { "and", 0x2227 },
	{ "ang", 0x2220 }, { "apos", 0x27 }, { "aring", 0xe5 },
	{ "asymp", 0x2248 }, { "atilde", 0xe3 }, { "auml", 0xe4 },
	{ "bdquo", 0x201e }, { "beta", 0x3b2 }, { "brvbar", 0xa6 },
	{ "bull", 0x2022 }, { "cap", 0x2229 }, { "ccedil", 0xe7 },
	{ "cedil", 0xb8 }, { "cent", 0xa2 }, { "chi", 0x3c7 },
	{ "circ", 0x2c6 }, { "clubs", 0x2663 }, { "cong", 0x2245 },
	{ "copy", 0xa9 }, { "crarr", 0x21b5 }, { "cup", 0x222a },
	{ "curren", 0xa4 }, { "dArr", 0x21d3 }, { "dagger", 0x2020 },
	{ "darr", 0x2193 }, { "deg", 0xb0 }, { "delta", 0x3b4 },
	{ "diams", 0x2666 }, { "divide", 0xf7 }, { "eacute", 0xe9 },
	{ "ecirc", 0xea }, { "egrave", 0xe8 }, { "empty", 0x2205 },
	{ "emsp", 0x2003 }, { "ensp", 0x2002 }, { "epsilon", 0x3b5 },
	{ "equiv", 0x2261 }, { "eta", 0x3b7 }, { "eth", 0xf0 },
	{ "euml", 0xeb }, { "euro", 0x20ac }, { "exist", 0x2203 },
	{ "fnof", 0x192 }, { "forall", 0x2200 }, { "frac12", 0xbd },
	{ "frac14", 0xbc }, { "frac34", 0xbe }, { "frasl", 0x2044 },
	{ "gamma", 0x3b3 }, { "ge", 0x2265 }, { "gt", 0x3e },
	{ "hArr", 0x21d4 }, { "harr", 0x2194 }, { "hearts", 0x2665 },
	{ "hellip", 0x2026 }, { "iacute", 0xed }, { "icirc", 0xee },
	{ "iexcl", 0xa1 }, { "igrave", 0xec }, { "image", 0x2111 },
	{ "infin", 0x221e }, { "int", 0x222b }, { "iota", 0x3b9 },
	{ "iquest", 0xbf }, { "isin", 0x2208 }, { "iuml", 0xef },
	{ "kappa", 0x3ba }, { "lArr", 0x21d0 }, { "lambda", 0x3bb },
	{ "lang", 0x27e8 }, { "laquo", 0xab }, { "larr", 0x2190 },
	{ "lceil", 0x2308 }, { "ldquo", 0x201c }, { "le", 0x2264 },
	{ "lfloor", 0x230a }, { "lowast", 0x2217 }, { "loz", 0x25ca },
	{ "lrm", 0x200e }, { "lsaquo", 0x2039 }, { "lsquo", 0x2018 },
	{ "lt", 0x3c }, { "macr", 0xaf }, { "mdash", 0x2014 },
	{ "micro", 0xb5 }, { "middot", 0xb7 }, { "minus", 0x2212 },
	{ "mu", 0x3bc }, { "nabla", 0x2207 }, { "nbsp", 0xa0 },
	{ "ndash", 0x2013 }, { "ne", 0x2260 }, { "ni", 0x220b },
	{ "not", 0xac }, { "notin", 0x2209 }, { "nsub", 0x2284 },
	{ "ntilde", 0xf1 }, { "nu", 0x3bd }, { "oacute", 0xf3 },
	{ "ocirc", 0xf4 }, { "oelig", 0x153 }, { "ograve", 0xf2 },
	{ "oline", 0x203e }, { "omega", 0x3c9 }, { "omicron", 0x3bf },
	{ "oplus", 0x2295 }, { "or", 0x2228 }, { "ordf", 0xaa },
	{ "ordm", 0xba }, { "oslash", 0xf8 }, { "otilde", 0xf5 },
	{ "otimes", 0x2297 }, { "ouml", 0xf6 }, { "para", 0xb6 },
	{ "part", 0x2202 }, { "permil", 0x2030 }, { "perp", 0x22a5 },
	{ "phi", 0x3c6 }, { "pi", 0x3c0 }, { "piv", 0x3d6 },
	{ "plusmn", 0xb1 }, { "pound", 0xa3 }, { "prime", 0x2032 },
	{ "prod", 0x220f }, { "prop", 0x221d }, { "psi", 0x3c8 },
	{ "quot", 0x22 }, { "rArr", 0x21d2 }, { "radic", 0x221a },
	{ "rang", 0x27e9 }, { "raquo", 0xbb }, { "rarr", 0x2192 },
	{ "rceil", 0x2309 }, { "rdquo", 0x201d }, { "real", 0x211c },
	{ "reg", 0xae }, { "rfloor", 0x230b }, { "rho", 0x3c1 },
	{ "rlm", 0x200f }, { "rsaquo", 0x203a }, { "rsquo", 0x2019 },
	{ "sbquo", 0x201a }, { "scaron", 0x161 }, { "sdot", 0x22c5 },
	{ "sect", 0xa7 }, { "shy", 0xad }, { "sigma", 0x3c3 },
	{ "sigmaf", 0x3c2 }, { "sim", 0x223c }, { "spades", 0x2660 },
	{ "sub", 0x2282 }, { "sube", 0x2286 }, { "sum", 0x2211 },
	{ "sup", 0x2283 }, { "sup1", 0xb9 }, { "sup2", 0xb2 },
	{ "sup3", 0xb3 }, { "supe", 0x2287 }, { "szlig", 0xdf },
	{ "tau", 0x3c4 }, { "there4", 0x2234 }, { "theta", 0x3b8 },
	{ "thetasym", 0x3d1 }, { "thinsp", 0x2009 }, { "thorn", 0xfe },
	{ "tilde", 0x2dc }, { "times", 0xd7 }, { "trade", 0x2122 },
	{ "uArr", 0x21d1 }, { "uacute", 0xfa }, { "uarr", 0x2191 },
	{ "ucirc", 0xfb }, { "ugrave", 0xf9 }, { "uml", 0xa8 },
	{ "upsih", 0x3d2 }, { "upsilon", 0x3c5 }, { "uuml", 0xfc },
	{ "weierp", 0x2118 }, { "xi", 0x3be }, { "yacute", 0xfd },
	{ "yen", 0xa5 }, { "yuml", 0xff }, { "zeta", 0x3b6 },
	{ "zwj", 0x200d }, { "zwnj", 0x200c },
};

/* HTML5 reads &#128; to &#159; as windows-1252 (0: no character). */
static const uint16_t cp1252_c1[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

static bool
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

/* HTML's white space: the only characters that collapse. */
static bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int
entity_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct entity *)elem)->name);
}

/*
 * HTML5 13.2.5.80: NUL, surrogates and values past U+10FFFF become
 * U+FFFD, 0x80-0x9F are read as windows-1252 (senders meant "&#146;" as
 * a quote). Other controls, which HTML5 passes on, become U+FFFD too.
 */
static uint32_t
numeric_fix(uint32_t v)
{
	if (v >= 0x80 && v <= 0x9f)
		return cp1252_c1[v - 0x80] != 0 ? cp1252_c1[v - 0x80] : 0xfffd;
	if (v == 0 || v == 0x7f || v > 0x10ffff ||
	    (v >= 0xd800 && v <= 0xdfff))
		return 0xfffd;
	if (v < 0x20 && !is_space((int)v))
		return 0xfffd;
	return v;
}

/* "&#65;" or "&#x41" at s: the bytes used (';' is optional), or 0. */
static size_t
ref_numeric(const char *s, size_t n, uint32_t *cp)
{
	size_t		i = 2, start;
	uint32_t	v = 0;
	bool		hex = false;
	int		d;

	if (i < n && (s[i] == 'x' || s[i] == 'X')) {
		hex = true;
		i++;
	}
	for (start = i; i < n; i++) {
		d = hex ? hex_digit((unsigned char)s[i]) :
		    is_digit((unsigned char)s[i]) ? s[i] - '0' : -1;
		if (d < 0)
			break;
		/* Saturate: anything past U+10FFFF is invalid anyway. */
		if (v <= 0x10ffff)
			v = v * (hex ? 16 : 10) + (uint32_t)d;
	}
	if (i == start)
		return 0;
	if (i < n && s[i] == ';')
		i++;
	*cp = numeric_fix(v);
	return i;
}

/* Names HTML5 still reads without their ';', even glued to letters
 * ("&copy2024"): the Latin-1 set and amp, lt, gt, quot. */
static bool
entity_legacy(const struct entity *e)
{
	return (e->cp >= 0xa0 && e->cp <= 0xff) || e->cp == '&' ||
	    e->cp == '<' || e->cp == '>' || e->cp == '"';
}

static const struct entity *
entity_find(const char *s, size_t n)
{
	char	name[12];

	if (n >= sizeof(name))
		return NULL;
	memcpy(name, s, n);
	name[n] = '\0';
	return bsearch(name, entities, sizeof(entities) / sizeof(entities[0]),
	    sizeof(entities[0]), entity_cmp);
}

/*
 * "&amp;" at s: the bytes used, or 0 for an unknown name. The ';' may be
 * missing. In text, a legacy name is also found at the start of a longer
 * run of letters, as HTML5 does (13.2.5.73: "&eacuteX" is U+00E9 then
 * X); in an attribute it is not, nor before '=' ("?a=1&copy=2" is a
 * URL).
 */
static size_t
ref_named(const char *s, size_t n, bool attr, uint32_t *cp)
{
	const struct entity	*e;
	size_t			 run = 0, k;

	while (run < 32 && run + 1 < n && is_alnum((unsigned char)s[run + 1]))
		run++;
	if (run == 0)
		return 0;
	e = entity_find(s + 1, run);
	if (e != NULL) {
		k = run + 1;
		if (k < n && s[k] == ';')
			k++;
		else if (attr && k < n && s[k] == '=')
			return 0;
		*cp = e->cp;
		return k;
	}
	if (attr)
		return 0;
	for (k = run - 1; k >= 2; k--) {
		e = entity_find(s + 1, k);
		if (e != NULL && entity_legacy(e)) {
			*cp = e->cp;
			return k + 1;
		}
	}
	return 0;
}

/* A character reference at s (s[0] == '&'): bytes used, or 0. */
static size_t
ref_decode(const char *s, size_t n, bool attr, uint32_t *cp)
{
	if (n >= 2 && s[1] == '#')
		return ref_numeric(s, n, cp);
	return ref_named(s, n, attr, cp);
}

static size_t
utf8_put(uint32_t cp, char *p)
{
	if (cp < 0x80) {
		p[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (char)(0xc0 | cp >> 6);
		p[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (char)(0xe0 | cp >> 12);
		p[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		p[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	p[0] = (char)(0xf0 | cp >> 18);
	p[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	p[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	p[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Invisible characters that newsletters pile up to pad their preview
 * text (soft hyphen, U+034F, zero-width space and non-joiner, word
 * joiner, BOM): the length of one at p, or 0. ZWJ stays: emoji need it.
 */
static size_t
invisible_len(const unsigned char *p, size_t n)
{
	if (n >= 2 && ((p[0] == 0xc2 && p[1] == 0xad) ||
	    (p[0] == 0xcd && p[1] == 0x8f)))
		return 2;
	if (n >= 3 && p[0] == 0xe2 && p[1] == 0x80 &&
	    (p[2] == 0x8b || p[2] == 0x8c))
		return 3;
	if (n >= 3 && ((p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0xa0) ||
	    (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)))
		return 3;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The renderer's state                                                */

enum h_space {
	SP_NONE,
	SP_SPACE,	/* collapsed white space */
	SP_CELL		/* between table cells */
};

struct h_list {
	bool	ordered;
	long	next;		/* number of the next item */
	size_t	base;		/* indent of the bullets */
	size_t	indent;		/* indent of the items' text */
};

struct h_link {
	char	*url;		/* owned */
	size_t	 len;
};

struct html {
	const char	*src;
	size_t		 srclen;
	size_t		 quote_end[2];	/* last '"' and '\'' + 1, or 0 */
	struct buf	*out;
	size_t		 base;		/* out->len on entry */
	int		 err;		/* -1 once out is full */

	/* The line being written; it is ended lazily, when text follows. */
	bool		 line_open;
	size_t		 line_start;	/* its offset in out */
	size_t		 line_text;	/* offset after its prefix */
	size_t		 line_quote;	/* its quote depth */
	size_t		 last_quote_depth; /* of the last line ended */
	size_t		 good_end;	/* end of the last non-blank line */
	size_t		 blank_run;	/* blank lines just written */
	size_t		 brk;		/* line ends owed: 2 = blank line */
	enum h_space	 space;

	/* Block state. */
	size_t		 quote;		/* open blockquotes (uncapped) */
	size_t		 pre;		/* open pre elements */
	bool		 pre_nl;	/* drop an LF opening a pre */
	bool		 in_head;
	struct h_list	 lists[HTML_MAX_NEST];
	size_t		 nlists;
	size_t		 lists_over;	/* lists past HTML_MAX_NEST */
	bool		 bullet_due;
	char		 bullet[24];
	bool		 row_cell;	/* a cell is open in this row */

	/* Links. */
	bool		 a_open;
	bool		 a_text_over;
	struct buf	 a_href;
	struct buf	 a_text;
	struct h_link	*links;		/* owned array of HTML_MAX_LINKS */
	size_t		 nlinks;
	uint16_t	*link_slots;	/* owned: index + 1, or 0 */
	struct buf	 tmp;		/* attribute values */
};

/* ------------------------------------------------------------------ */
/* The line writer                                                     */

static void
h_append(struct html *h, const void *p, size_t n)
{
	if (h->err == 0 && buf_append(h->out, p, n) == -1)
		h->err = -1;
}

static void
h_spaces(struct html *h, size_t n)
{
	static const char	sp[] = "                                ";
	size_t			k;

	while (n > 0) {
		k = n < sizeof(sp) - 1 ? n : sizeof(sp) - 1;
		h_append(h, sp, k);
		n -= k;
	}
}

static size_t
h_quote_depth(const struct html *h)
{
	return h->quote < HTML_MAX_NEST ? h->quote : HTML_MAX_NEST;
}

static size_t
h_indent(const struct html *h)
{
	return h->nlists > 0 ? h->lists[h->nlists - 1].indent : 0;
}

/* "> > >" for a blank line: the prefix without its last space. */
static void
h_quote_marks(struct html *h, size_t depth)
{
	size_t	i;

	for (i = 0; i < depth; i++)
		h_append(h, i > 0 ? " >" : ">", i > 0 ? 2 : 1);
}

/* Open a line: quote marks, list indent, and a bullet if one is due. */
static void
line_begin(struct html *h)
{
	size_t	q = h_quote_depth(h), i, base;

	h->line_start = h->out->len;
	for (i = 0; i < q; i++)
		h_append(h, "> ", 2);
	if (h->bullet_due) {
		base = h->nlists > 0 ? h->lists[h->nlists - 1].base : 0;
		h_spaces(h, base);
		h_append(h, h->bullet, strlen(h->bullet));
		h->bullet_due = false;
	} else
		h_spaces(h, h_indent(h));
	h->line_text = h->out->len;
	h->line_quote = q;
	h->line_open = true;
}

/*
 * Close the line: trailing blanks go; a line left blank is dropped when
 * nothing came before it or a blank line already precedes it (in <pre>
 * blank lines are content and stay).
 */
static void
line_end(struct html *h)
{
	struct buf	*o = h->out;
	bool		 blank;

	while (o->len > h->line_start &&
	    (o->data[o->len - 1] == ' ' || o->data[o->len - 1] == '\t'))
		buf_truncate(o, o->len - 1);
	blank = o->len <= h->line_text;
	h->line_open = false;
	h->last_quote_depth = h->line_quote;
	if (blank && (h->good_end == h->base ||
	    (h->pre == 0 && h->blank_run > 0))) {
		buf_truncate(o, h->line_start);
		return;
	}
	h_append(h, "\n", 1);
	if (blank)
		h->blank_run++;
	else {
		h->blank_run = 0;
		h->good_end = o->len;
	}
}

static void
blank_line(struct html *h)
{
	size_t	q = h_quote_depth(h);

	if (h->good_end == h->base || (h->pre == 0 && h->blank_run > 0))
		return;
	h_quote_marks(h, q < h->last_quote_depth ? q : h->last_quote_depth);
	h_append(h, "\n", 1);
	h->blank_run++;
}

/* Pay the line ends owed before text is written. */
static void
flush_breaks(struct html *h)
{
	size_t	nblank;

	if (h->brk == 0)
		return;
	if (h->line_open)
		line_end(h);
	nblank = h->brk - 1;
	if (h->pre == 0 && nblank > 1)
		nblank = 1;
	h->brk = 0;
	h->space = SP_NONE;
	while (nblank-- > 0 && h->err == 0)
		blank_line(h);
}

/* A block boundary: 1 ends the line, 2 also leaves a blank line. */
static void
want_break(struct html *h, size_t k)
{
	if (h->brk < k)
		h->brk = k;
}

/* Copy text, NUL and invisible padding dropped, NBSP as a plain space. */
static void
write_filtered(struct html *h, const char *p, size_t n)
{
	const unsigned char	*u = (const unsigned char *)p;
	size_t			 i = 0, run = 0, skip;

	while (i < n) {
		if (u[i] == 0xc2 && i + 1 < n && u[i + 1] == 0xa0) {
			h_append(h, p + run, i - run);
			h_append(h, " ", 1);
			i += 2;
			run = i;
			continue;
		}
		skip = u[i] == 0 ? 1 : invisible_len(u + i, n - i);
		if (skip > 0) {
			h_append(h, p + run, i - run);
			i += skip;
			run = i;
			continue;
		}
		i++;
	}
	h_append(h, p + run, i - run);
}

static void
link_text_add(struct html *h, const char *p, size_t n, bool spaced)
{
	if (!h->a_open || h->a_text_over)
		return;
	if (spaced && h->a_text.len > 0 &&
	    buf_append(&h->a_text, " ", 1) == -1) {
		h->a_text_over = true;
		return;
	}
	if (buf_append(&h->a_text, p, n) == -1)
		h->a_text_over = true;
}

/* Text that is not white space (any text inside <pre>). */
static void
put_text(struct html *h, const char *p, size_t n)
{
	bool	spaced = h->space != SP_NONE || h->brk > 0;

	if (n == 0 || h->in_head)
		return;
	flush_breaks(h);
	if (!h->line_open)
		line_begin(h);
	else if (h->space != SP_NONE && h->out->len > h->line_text)
		h_append(h, h->space == SP_CELL ? "\t" : " ", 1);
	h->space = SP_NONE;
	write_filtered(h, p, n);
	link_text_add(h, p, n, spaced);
}

/* Text stuck to what precedes it on the line, such as "[1]" after a
 * link, even when a block boundary is pending. */
static void
put_glued(struct html *h, const char *p, size_t n)
{
	if (h->line_open && h->out->len > h->line_text)
		h_append(h, p, n);
	else
		put_text(h, p, n);
}

static void
put_space(struct html *h)
{
	if (h->space == SP_NONE)
		h->space = SP_SPACE;
}

/* ------------------------------------------------------------------ */
/* Text and character references                                       */

/* Inside <pre>: every character counts, LF ends a line, CR goes. */
static void
pre_text(struct html *h, const char *p, size_t n)
{
	size_t	i = 0, run;

	if (h->pre_nl && n > 0) {
		/* HTML5: an LF just after <pre> is not content. */
		if (p[0] == '\n')
			i = 1;
		else if (n > 1 && p[0] == '\r' && p[1] == '\n')
			i = 2;
		h->pre_nl = false;
	}
	while (i < n) {
		if (p[i] == '\n') {
			h->brk++;
			i++;
			continue;
		}
		if (p[i] == '\r') {
			i++;
			continue;
		}
		for (run = i; i < n && p[i] != '\n' && p[i] != '\r'; i++)
			;
		put_text(h, p + run, i - run);
	}
}

/* A run of text without '<' or '&': words and collapsed white space. */
static void
text_run(struct html *h, const char *p, size_t n)
{
	size_t	i = 0, word;

	if (h->in_head) {
		/* HTML5: text in the head ends it, unless it is blank. */
		while (i < n && is_space((unsigned char)p[i]))
			i++;
		if (i == n)
			return;
		h->in_head = false;
	}
	if (h->pre > 0) {
		pre_text(h, p, n);
		return;
	}
	h->pre_nl = false;
	while (i < n) {
		if (is_space((unsigned char)p[i])) {
			put_space(h);
			i++;
			continue;
		}
		for (word = i; i < n && !is_space((unsigned char)p[i]); i++)
			;
		put_text(h, p + word, i - word);
	}
}

/* '&' at s[i]: a character reference, or a literal '&'. */
static size_t
on_amp(struct html *h, const char *s, size_t n, size_t i)
{
	uint32_t	cp;
	size_t		used;
	char		u[4];

	used = ref_decode(s + i, n - i, false, &cp);
	if (used == 0) {
		text_run(h, "&", 1);
		return i + 1;
	}
	text_run(h, u, utf8_put(cp, u));
	return i + used;
}

/* ------------------------------------------------------------------ */
/* Tags                                                                */

struct h_attr {
	const char	*name;
	size_t		 nlen;
	const char	*val;		/* raw: references not decoded */
	size_t		 vlen;
};

struct h_tag {
	char		 name[HTML_MAX_NAME];	/* lower case; "" if long */
	bool		 end;
	bool		 self_closing;
	struct h_attr	 attrs[HTML_MAX_ATTRS];
	size_t		 nattrs;
};

/* A raw attribute value, or NULL. */
static const struct h_attr *
tag_attr(const struct h_tag *t, const char *name)
{
	size_t	i, len = strlen(name);

	for (i = 0; i < t->nattrs; i++)
		if (t->attrs[i].nlen == len &&
		    ascii_ncasecmp(t->attrs[i].name, name, len) == 0)
			return &t->attrs[i];
	return NULL;
}

/*
 * An attribute value with its references decoded into h->tmp; false if
 * it is longer than max bytes (h->tmp then holds the first ones).
 */
static bool
attr_value(struct html *h, const struct h_attr *a, size_t max)
{
	const char	*v = a->val;
	size_t		 i = 0, used, len;
	uint32_t	 cp;
	char		 u[4];

	buf_reset(&h->tmp);
	while (i < a->vlen) {
		used = v[i] == '&' ?
		    ref_decode(v + i, a->vlen - i, true, &cp) : 0;
		if (used > 0) {
			len = utf8_put(cp, u);
			i += used;
		} else {
			u[0] = v[i++];
			len = 1;
		}
		if (h->tmp.len + len > max || buf_append(&h->tmp, u, len))
			return false;
	}
	return true;
}

static size_t
skip_spaces(const char *s, size_t n, size_t i)
{
	while (i < n && is_space((unsigned char)s[i]))
		i++;
	return i;
}

/*
 * A quoted value from s[i] (the quote): it ends at the matching quote;
 * when the document has none left, at the next '>' instead of swallowing
 * the rest of the message as a browser would. Returns where it ends.
 */
static size_t
quoted_end(const struct html *h, size_t i)
{
	const char	*s = h->src, *q;
	size_t		 n = h->srclen, k = s[i] == '"' ? 0 : 1;

	if (i + 1 < h->quote_end[k]) {
		q = memchr(s + i + 1, s[i], n - i - 1);
		return (size_t)(q - s);
	}
	q = memchr(s + i + 1, '>', n - i - 1);
	return q != NULL ? (size_t)(q - s) : n;
}

/* One attribute from s[i]; returns the position after it. */
static size_t
parse_attr(const struct html *h, size_t i, struct h_tag *t)
{
	const char	*s = h->src;
	size_t		 n = h->srclen, name = i, name_end, vstart, vend, j;
	char		 quote;

	/* HTML5 13.2.5.32: a leading '=' belongs to the name. */
	if (s[i] == '=')
		i++;
	while (i < n && !is_space((unsigned char)s[i]) && s[i] != '/' &&
	    s[i] != '>' && s[i] != '=')
		i++;
	name_end = vstart = vend = i;
	j = skip_spaces(s, n, i);
	if (j < n && s[j] == '=') {
		i = skip_spaces(s, n, j + 1);
		if (i < n && (s[i] == '"' || s[i] == '\'')) {
			quote = s[i];
			vstart = i + 1;
			vend = quoted_end(h, i);
			i = vend < n && s[vend] == quote ? vend + 1 : vend;
		} else {
			vstart = i;
			while (i < n && !is_space((unsigned char)s[i]) &&
			    s[i] != '>')
				i++;
			vend = i;
		}
	}
	if (t->nattrs < HTML_MAX_ATTRS) {
		t->attrs[t->nattrs].name = s + name;
		t->attrs[t->nattrs].nlen = name_end - name;
		t->attrs[t->nattrs].val = s + vstart;
		t->attrs[t->nattrs].vlen = vend - vstart;
		t->nattrs++;
	}
	return i;
}

/*
 * The tag opening at s[i] ('<'): its name, attributes and kind. Returns
 * the position after its '>', or 0 when the data ends inside the tag
 * (HTML5 drops such a tag).
 */
static size_t
parse_tag(const struct html *h, size_t i, struct h_tag *t)
{
	const char	*s = h->src;
	size_t		 n = h->srclen, start, k;

	t->end = false;
	t->self_closing = false;
	t->nattrs = 0;
	if (++i < n && s[i] == '/') {
		t->end = true;
		i++;
	}
	for (start = i; i < n && !is_space((unsigned char)s[i]) &&
	    s[i] != '/' && s[i] != '>'; i++)
		;
	t->name[0] = '\0';
	if (i - start < HTML_MAX_NAME) {
		for (k = 0; k < i - start; k++)
			t->name[k] = (char)ascii_tolower((unsigned char)
			    s[start + k]);
		t->name[k] = '\0';
	}
	for (;;) {
		i = skip_spaces(s, n, i);
		if (i >= n)
			return 0;
		if (s[i] == '>')
			return i + 1;
		if (s[i] == '/') {
			if (i + 1 < n && s[i + 1] == '>') {
				t->self_closing = true;
				return i + 2;
			}
			i++;
			continue;
		}
		i = parse_attr(h, i, t);
	}
}

/* A bogus comment ("<!DOCTYPE", "<?xml", "</3"): up to the next '>'. */
static size_t
skip_to_gt(const char *s, size_t n, size_t i)
{
	const char	*e = memchr(s + i, '>', n - i);

	return e != NULL ? (size_t)(e - s) + 1 : n;
}

/* "<!--" at s[i]: the position after the comment (HTML5 13.2.5.43). */
static size_t
skip_comment(const char *s, size_t n, size_t i)
{
	const char	*e;

	i += 4;
	if (i < n && s[i] == '>')
		return i + 1;
	if (i + 1 < n && s[i] == '-' && s[i + 1] == '>')
		return i + 2;
	e = mem_find(s + i, n - i, "-->", 3);
	return e != NULL ? (size_t)(e - s) + 3 : n;
}

/*
 * After <script> and the like: the position after the matching end tag,
 * nothing inside being markup (HTML5 raw text), or the end of the data.
 */
static size_t
skip_raw(const struct html *h, size_t i, const char *name)
{
	const char	*s = h->src, *lt;
	size_t		 n = h->srclen, len = strlen(name), j, e;

	while (i < n) {
		lt = memchr(s + i, '<', n - i);
		if (lt == NULL)
			break;
		j = (size_t)(lt - s);
		e = j + 2 + len;
		if (e <= n && s[j + 1] == '/' &&
		    ascii_ncasecmp(s + j + 2, name, len) == 0 && (e == n ||
		    is_space((unsigned char)s[e]) || s[e] == '/' ||
		    s[e] == '>'))
			return skip_to_gt(s, n, e);
		i = j + 1;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Links                                                               */

static uint32_t
link_hash(const char *p, size_t n)
{
	uint32_t	hash = 2166136261u;	/* FNV-1a */
	size_t		i;

	for (i = 0; i < n; i++)
		hash = (hash ^ (unsigned char)p[i]) * 16777619u;
	return hash;
}

/* The number of url in the list, added if new; 0 once the list is full.
 * A URL linked many times (newsletters do) keeps its first number. */
static size_t
link_number(struct html *h, const char *url, size_t len)
{
	size_t	slot, idx;

	if (h->links == NULL) {
		h->links = xcalloc(HTML_MAX_LINKS, sizeof(*h->links));
		h->link_slots = xcalloc(HTML_LINK_HASH,
		    sizeof(*h->link_slots));
	}
	slot = link_hash(url, len) & (HTML_LINK_HASH - 1);
	while ((idx = h->link_slots[slot]) != 0) {
		if (h->links[idx - 1].len == len &&
		    memcmp(h->links[idx - 1].url, url, len) == 0)
			return idx;
		slot = (slot + 1) & (HTML_LINK_HASH - 1);
	}
	if (h->nlinks == HTML_MAX_LINKS)
		return 0;
	h->links[h->nlinks].url = xmemdup0(url, len);
	h->links[h->nlinks].len = len;
	h->link_slots[slot] = (uint16_t)++h->nlinks;
	return h->nlinks;
}

static size_t
scheme_len(const char *p, size_t n)
{
	static const char *const	schemes[] = {
		"http://", "https://", "mailto:"
	};
	size_t				i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (mem_has_prefix_ci(p, n, schemes[i]))
			return strlen(schemes[i]);
	return 0;
}

/* Link text that shows its own URL ("example.com/a" for
 * "https://example.com/a/", "jo@x.org" for "mailto:jo@x.org") gets no
 * number: the reader already sees where it goes. */
static bool
same_as_url(const char *t, size_t tn, const char *u, size_t un)
{
	size_t	k;

	k = scheme_len(t, tn);
	t += k;
	tn -= k;
	k = scheme_len(u, un);
	u += k;
	un -= k;
	while (tn > 0 && t[tn - 1] == '/')
		tn--;
	while (un > 0 && u[un - 1] == '/')
		un--;
	return tn > 0 && tn == un && ascii_ncasecmp(t, u, tn) == 0;
}

/* End the open link: its number after its text. */
static void
link_close(struct html *h)
{
	char	num[32];
	size_t	idx;
	int	len;

	if (!h->a_open)
		return;
	h->a_open = false;
	if (!h->a_text_over && same_as_url(buf_str(&h->a_text),
	    h->a_text.len, buf_str(&h->a_href), h->a_href.len))
		return;
	idx = link_number(h, buf_str(&h->a_href), h->a_href.len);
	if (idx == 0)
		return;
	len = snprintf(num, sizeof(num), "[%zu]", idx);
	if (len < 0 || (size_t)len >= sizeof(num))
		return;
	if (h->a_text.len == 0)
		put_text(h, num, (size_t)len);
	else
		put_glued(h, num, (size_t)len);
}

/*
 * The decoded href in h->tmp as a URL worth listing, into h->a_href:
 * white space around it and line breaks and controls inside it dropped
 * (as the URL standard strips them); no fragments, scripts or data.
 */
static bool
link_url(struct html *h)
{
	const char	*p = buf_str(&h->tmp);
	size_t		 n = h->tmp.len, i;

	buf_reset(&h->a_href);
	for (i = 0; i < n; i++) {
		if ((unsigned char)p[i] < ' ' || p[i] == 0x7f)
			continue;
		if (p[i] == ' ' && h->a_href.len == 0)
			continue;
		if (buf_append(&h->a_href, p + i, 1) == -1)
			return false;
	}
	p = buf_str(&h->a_href);
	n = h->a_href.len;
	while (n > 0 && p[n - 1] == ' ')
		n--;
	buf_truncate(&h->a_href, n);
	return n > 0 && p[0] != '#' &&
	    !mem_has_prefix_ci(p, n, "javascript:") &&
	    !mem_has_prefix_ci(p, n, "vbscript:") &&
	    !mem_has_prefix_ci(p, n, "data:");
}

/* ------------------------------------------------------------------ */
/* What each element does                                              */

static void
tag_block(struct html *h, const struct h_tag *t)
{
	(void)t;
	want_break(h, 1);
}

static void
tag_para(struct html *h, const struct h_tag *t)
{
	(void)t;
	want_break(h, 2);
}

/* <br>, and </br> which HTML5 reads as <br>: one more line end, so two
 * in a row leave a blank line. */
static void
tag_br(struct html *h, const struct h_tag *t)
{
	(void)t;
	if (h->pre > 0 || h->brk < 2)
		h->brk++;
}

static void
tag_hr(struct html *h, const struct h_tag *t)
{
	static const char	dashes[HTML_HR_WIDTH + 1] =
	    "----------------------------------------";

	(void)t;
	want_break(h, 1);
	put_text(h, dashes, HTML_HR_WIDTH);
	want_break(h, 1);
}

static void
tag_quote_open(struct html *h, const struct h_tag *t)
{
	(void)t;
	want_break(h, 2);
	h->quote++;
}

static void
tag_quote_close(struct html *h, const struct h_tag *t)
{
	(void)t;
	want_break(h, 2);
	if (h->quote > 0)
		h->quote--;
}

static void
tag_pre_open(struct html *h, const struct h_tag *t)
{
	(void)t;
	want_break(h, 2);
	h->pre++;
	h->pre_nl = true;
}

static void
tag_pre_close(struct html *h, const struct h_tag *t)
{
	(void)t;
	want_break(h, 2);
	if (h->pre > 0)
		h->pre--;
	h->pre_nl = false;
}

/* A number attribute (ol start, li value), kept within +-10^9. */
static bool
attr_number(struct html *h, const struct h_tag *t, const char *name,
    long *v)
{
	const struct h_attr	*a = tag_attr(t, name);
	const char		*p;
	size_t			 i, n;
	long			 x = 0;
	bool			 neg = false;

	if (a == NULL || !attr_value(h, a, 64))
		return false;
	p = buf_str(&h->tmp);
	n = h->tmp.len;
	i = skip_spaces(p, n, 0);
	if (i < n && (p[i] == '-' || p[i] == '+'))
		neg = p[i++] == '-';
	if (i == n || !is_digit((unsigned char)p[i]))
		return false;
	for (; i < n && is_digit((unsigned char)p[i]); i++)
		if (x < 1000000000L)
			x = x * 10 + (p[i] - '0');
	*v = neg ? -x : x;
	return true;
}

static void
tag_list_open(struct html *h, const struct h_tag *t)
{
	struct h_list	*l;
	long		 start;

	want_break(h, h->nlists == 0 ? 2 : 1);
	h->bullet_due = false;
	if (h->nlists == HTML_MAX_NEST) {
		h->lists_over++;
		return;
	}
	l = &h->lists[h->nlists];
	l->ordered = strcmp(t->name, "ol") == 0;
	l->next = 1;
	if (l->ordered && attr_number(h, t, "start", &start))
		l->next = start;
	l->base = h_indent(h);
	l->indent = l->base + (l->ordered ? 3 : 2);
	h->nlists++;
}

/* Close the innermost list of the kind named, and those inside it. */
static void
tag_list_close(struct html *h, const struct h_tag *t)
{
	bool	ordered = strcmp(t->name, "ol") == 0;
	size_t	k;

	if (h->lists_over > 0) {
		h->lists_over--;
		want_break(h, 1);
		return;
	}
	for (k = h->nlists; k > 0; k--)
		if (h->lists[k - 1].ordered == ordered)
			break;
	if (k == 0)
		return;
	h->nlists = k - 1;
	h->bullet_due = false;
	want_break(h, h->nlists == 0 ? 2 : 1);
}

static void
tag_li_open(struct html *h, const struct h_tag *t)
{
	struct h_list	*l = h->nlists > 0 ? &h->lists[h->nlists - 1] :
			    NULL;
	long		 v;

	want_break(h, 1);
	if (l != NULL && l->ordered) {
		if (attr_number(h, t, "value", &v))
			l->next = v;
		(void)snprintf(h->bullet, sizeof(h->bullet), "%ld. ",
		    l->next);
		l->next++;
	} else
		(void)fct_strlcpy(h->bullet, "* ", sizeof(h->bullet));
	if (l != NULL)
		l->indent = l->base + strlen(h->bullet);
	h->bullet_due = true;
}

static void
tag_row(struct html *h, const struct h_tag *t)
{
	(void)t;
	want_break(h, 1);
	h->row_cell = false;
}

/* The second and later cells of a row start after a tab. */
static void
tag_cell(struct html *h, const struct h_tag *t)
{
	(void)t;
	if (h->row_cell)
		h->space = SP_CELL;
	h->row_cell = true;
}

static void
tag_a_open(struct html *h, const struct h_tag *t)
{
	const struct h_attr	*a = tag_attr(t, "href");

	/* HTML5: a link never nests; the new one ends the old one. */
	link_close(h);
	if (a == NULL || !attr_value(h, a, HTML_MAX_URL) || !link_url(h))
		return;
	h->a_open = true;
	h->a_text_over = false;
	buf_reset(&h->a_text);
}

static void
tag_a_close(struct html *h, const struct h_tag *t)
{
	(void)t;
	link_close(h);
}

/* Length of the longest prefix of [p, p + n) that is whole UTF-8. */
static size_t
utf8_whole(const char *p, size_t n)
{
	size_t		i = n, need;
	unsigned char	c;

	while (i > 0 && ((unsigned char)p[i - 1] & 0xc0) == 0x80 && n - i < 3)
		i--;
	if (i == 0)
		return n;
	c = (unsigned char)p[i - 1];
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	return n - (i - 1) < need ? i - 1 : n;
}

/* <img alt="Logo"> shows as "[Logo]"; images without alt vanish. */
static void
tag_img(struct html *h, const struct h_tag *t)
{
	const struct h_attr	*a = tag_attr(t, "alt");
	const char		*p;
	char			 w[HTML_MAX_ALT + 3];
	size_t			 i, k = 0, n;

	if (a == NULL)
		return;
	(void)attr_value(h, a, HTML_MAX_ALT);
	p = buf_str(&h->tmp);
	n = utf8_whole(p, h->tmp.len);
	w[k++] = '[';
	for (i = 0; i < n; i++) {
		if (!is_space((unsigned char)p[i]))
			w[k++] = p[i];
		else if (w[k - 1] != ' ' && w[k - 1] != '[')
			w[k++] = ' ';
	}
	if (w[k - 1] == ' ')
		k--;
	if (k == 1)
		return;
	w[k++] = ']';
	put_text(h, w, k);
}

/* <head>: its stray text is dropped until <body> or body content. */
static void
tag_head_open(struct html *h, const struct h_tag *t)
{
	(void)t;
	if (h->good_end == h->base && !h->line_open)
		h->in_head = true;
}

static void
tag_head_close(struct html *h, const struct h_tag *t)
{
	(void)t;
	h->in_head = false;
}

typedef void tag_cb(struct html *, const struct h_tag *);

#define TAG_HEAD	0x1	/* may appear in <head> */
#define TAG_RAW		0x2	/* its content is skipped */

struct tag_def {
	const char	*name;
	tag_cb		*open;
	tag_cb		*close;
	unsigned	 flags;
};

/* Sorted by name for bsearch(). Unknown tags (span, b, font...) are
 * inline: they change nothing. */
static const struct tag_def tag_defs[] = {
	{ "a",		tag_a_open,	tag_a_close,	0 },
	{ "address",	tag_block,	tag_block,	0 },
	{ "article",	tag_block,	tag_block,	0 },
	{ "aside",	tag_block,	tag_block,	0 },
	{ "base",	NULL,		NULL,		TAG_HEAD },
	{ "blockquote",	tag_quote_open,	tag_quote_close, 0 },
	{ "body",	tag_head_close,	NULL,		0 },
	{ "br",		tag_br,		tag_br,		0 },
	{ "caption",	tag_block,	tag_block,	0 },
	{ "center",	tag_block,	tag_block,	0 },
	{ "dd",		tag_block,	tag_block,	0 },
	{ "details",	tag_block,	tag_block,	0 },
	{ "dialog",	tag_block,	tag_block,	0 },
	{ "dir",	tag_list_open,	tag_list_close,	0 },
	{ "div",	tag_block,	tag_block,	0 },
	{ "dl",		tag_para,	tag_para,	0 },
	{ "dt",		tag_block,	tag_block,	0 },
	{ "fieldset",	tag_block,	tag_block,	0 },
	{ "figcaption",	tag_block,	tag_block,	0 },
	{ "figure",	tag_block,	tag_block,	0 },
	{ "footer",	tag_block,	tag_block,	0 },
	{ "form",	tag_block,	tag_block,	0 },
	{ "h1",		tag_para,	tag_para,	0 },
	{ "h2",		tag_para,	tag_para,	0 },
	{ "h3",		tag_para,	tag_para,	0 },
	{ "h4",		tag_para,	tag_para,	0 },
	{ "h5",		tag_para,	tag_para,	0 },
	{ "h6",		tag_para,	tag_para,	0 },
	{ "head",	tag_head_open,	tag_head_close,	TAG_HEAD },
	{ "header",	tag_block,	tag_block,	0 },
	{ "hgroup",	tag_block,	tag_block,	0 },
	{ "hr",		tag_hr,		NULL,		0 },
	{ "iframe",	NULL,		NULL,		TAG_RAW },
	{ "img",	tag_img,	NULL,		0 },
	{ "legend",	tag_block,	tag_block,	0 },
	{ "li",		tag_li_open,	tag_block,	0 },
	{ "link",	NULL,		NULL,		TAG_HEAD },
	{ "listing",	tag_pre_open,	tag_pre_close,	0 },
	{ "main",	tag_block,	tag_block,	0 },
	{ "menu",	tag_list_open,	tag_list_close,	0 },
	{ "meta",	NULL,		NULL,		TAG_HEAD },
	{ "nav",	tag_block,	tag_block,	0 },
	{ "noembed",	NULL,		NULL,		TAG_RAW },
	{ "noframes",	NULL,		NULL,		TAG_RAW },
	{ "noscript",	NULL,		NULL,		TAG_HEAD },
	{ "ol",		tag_list_open,	tag_list_close,	0 },
	{ "p",		tag_para,	tag_para,	0 },
	{ "pre",	tag_pre_open,	tag_pre_close,	0 },
	{ "script",	NULL,		NULL,		TAG_HEAD | TAG_RAW },
	{ "section",	tag_block,	tag_block,	0 },
	{ "style",	NULL,		NULL,		TAG_HEAD | TAG_RAW },
	{ "summary",	tag_block,	tag_block,	0 },
	{ "table",	tag_row,	tag_row,	0 },
	{ "td",		tag_cell,	NULL,		0 },
	{ "template",	NULL,		NULL,		TAG_HEAD | TAG_RAW },
	{ "textarea",	NULL,		NULL,		TAG_RAW },
	{ "th",		tag_cell,	NULL,		0 },
	{ "title",	NULL,		NULL,		TAG_HEAD | TAG_RAW },
	{ "tr",		tag_row,	tag_row,	0 },
	{ "ul",		tag_list_open,	tag_list_close,	0 },
};

static int
tag_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct tag_def *)elem)->name);
}

/* A start or end tag at s[i]. */
static size_t
on_tag(struct html *h, size_t i)
{
	const struct tag_def	*d = NULL;
	struct h_tag		 t;
	size_t			 next;

	next = parse_tag(h, i, &t);
	if (next == 0)
		return h->srclen;
	if (t.name[0] != '\0')
		d = bsearch(t.name, tag_defs,
		    sizeof(tag_defs) / sizeof(tag_defs[0]),
		    sizeof(tag_defs[0]), tag_cmp);
	if (t.end) {
		if (d != NULL && d->close != NULL)
			d->close(h, &t);
		return next;
	}
	/* HTML5: any other element ends the head. */
	if (h->in_head && (d == NULL || !(d->flags & TAG_HEAD)))
		h->in_head = false;
	if (d != NULL && d->open != NULL)
		d->open(h, &t);
	if (d != NULL && (d->flags & TAG_RAW) && !t.self_closing)
		return skip_raw(h, next, d->name);
	return next;
}

/* '<' at s[i]: markup of some kind, or a literal '<' (HTML5 13.2.5.6). */
static size_t
on_lt(struct html *h, size_t i)
{
	const char	*s = h->src;
	size_t		 n = h->srclen;
	unsigned char	 c;

	if (i + 1 >= n) {
		text_run(h, "<", 1);
		return n;
	}
	c = (unsigned char)s[i + 1];
	if (c == '!') {
		if (i + 3 < n && s[i + 2] == '-' && s[i + 3] == '-')
			return skip_comment(s, n, i);
		return skip_to_gt(s, n, i + 2);
	}
	if (c == '?')
		return skip_to_gt(s, n, i + 2);
	if (is_alpha(c))
		return on_tag(h, i);
	if (c != '/') {
		text_run(h, "<", 1);
		return i + 1;
	}
	if (i + 2 < n && is_alpha((unsigned char)s[i + 2]))
		return on_tag(h, i);
	if (i + 2 >= n) {
		text_run(h, "</", 2);
		return n;
	}
	return skip_to_gt(s, n, i + 2);
}

/* ------------------------------------------------------------------ */
/* The whole document                                                  */

static void
html_init(struct html *h, const char *s, size_t n, struct buf *out)
{
	size_t	i;

	memset(h, 0, sizeof(*h));
	h->src = s;
	h->srclen = n;
	h->out = out;
	h->base = h->good_end = out->len;
	buf_init(&h->a_href, HTML_MAX_URL);
	buf_init(&h->a_text, HTML_MAX_URL);
	buf_init(&h->tmp, HTML_MAX_URL);
	/* Where quotes can still close, so a lone one costs no rescans. */
	for (i = n; i > 0 && (h->quote_end[0] == 0 || h->quote_end[1] == 0);
	    i--) {
		if (s[i - 1] == '"' && h->quote_end[0] == 0)
			h->quote_end[0] = i;
		if (s[i - 1] == '\'' && h->quote_end[1] == 0)
			h->quote_end[1] = i;
	}
}

static void
html_run(struct html *h)
{
	const char	*s = h->src;
	size_t		 n = h->srclen, i = 0, j;

	while (i < n && h->err == 0) {
		if (s[i] == '<')
			i = on_lt(h, i);
		else if (s[i] == '&')
			i = on_amp(h, s, n, i);
		else {
			for (j = i; j < n && s[j] != '<' && s[j] != '&'; j++)
				;
			text_run(h, s + i, j - i);
			i = j;
		}
	}
}

/* The last line, no blank lines at the end, then the list of links. */
static void
html_finish(struct html *h)
{
	char	num[32];
	size_t	i;
	int	len;

	link_close(h);
	if (h->line_open)
		line_end(h);
	buf_truncate(h->out, h->good_end);
	if (h->nlinks == 0)
		return;
	if (h->good_end > h->base)
		h_append(h, "\n", 1);
	h_append(h, "Links:\n", 7);
	for (i = 0; i < h->nlinks; i++) {
		len = snprintf(num, sizeof(num), "[%zu] ", i + 1);
		if (len > 0 && (size_t)len < sizeof(num))
			h_append(h, num, (size_t)len);
		h_append(h, h->links[i].url, h->links[i].len);
		h_append(h, "\n", 1);
	}
}

static void
html_free(struct html *h)
{
	size_t	i;

	for (i = 0; i < h->nlinks; i++)
		free(h->links[i].url);
	free(h->links);
	free(h->link_slots);
	buf_free(&h->a_href);
	buf_free(&h->a_text);
	buf_free(&h->tmp);
}

int
mime_html_to_text(const char *html, size_t n, struct buf *out)
{
	struct html	h;
	int		err;

	html_init(&h, html, n, out);
	html_run(&h);
	html_finish(&h);
	err = h.err;
	html_free(&h);
	return err;
}
