/*
 * search.c: the search of include/store.h: the query language parsed once
 * into terms, the case folding both sides of a comparison share, and the
 * matching of one message: its summary, and when a term needs them its
 * To and Cc headers and the text a reader sees.
 *
 * Matching folds the text searched (lazily, each field at most once per
 * message) and looks for the folded term in it, in time linear in the
 * text. Summary fields fold into a buffer inside the match context, so a
 * search that needs only summaries allocates nothing per message; terms
 * are tried cheapest first and a message file is read only when a term
 * cannot be decided from the summary.
 *
 * Where the body text comes from: mime_text_parts() and mime_part_text(),
 * i.e. exactly what the pager shows with the built-in HTML renderer (the
 * chosen alternative of a multipart/alternative, every inline text part
 * elsewhere, an inline message/rfc822 included). Attachments, text ones
 * included, are not searched: a reader cannot see why they matched.
 */
#include <stdarg.h>
#include <time.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"
#include "mime.h"
#include "store.h"

#define QUERY_MAX_TERMS		64	/* terms in one query */
#define QUERY_MAX_TERM		1024	/* bytes of one term, unescaped */
/* Decoded recipients or body text searched per message; beyond this the
 * rest of a (huge) message is not searched. */
#define SEARCH_MAX_TEXT		((size_t)64 * 1024 * 1024)
/* Summary fields fold into the match context up to this many bytes. */
#define SEARCH_STACK		4096
/* Bytes of user text quoted in an error message. */
#define ERR_QUOTE_MAX		40

/* Kinds of term, in the order matching tries them: cheapest first. */
enum term_kind {
	TERM_FLAG,
	TERM_DATE,
	TERM_SUBJECT,
	TERM_FROM,
	TERM_ANY,	/* no prefix: summary first, then the file */
	TERM_TO,
	TERM_CC,
	TERM_BODY
};

struct term {
	enum term_kind	 kind;
	bool		 negate;
	unsigned	 flag;		/* TERM_FLAG: STORE_* bit, 0: in_new */
	bool		 flag_set;	/* TERM_FLAG: the bit must be set */
	int64_t		 lo, hi;	/* TERM_DATE: lo <= date < hi */
	char		*needle;	/* folded, owned */
	size_t		 nlen;
	uint16_t	*next;		/* owned: needle's failure function */
};

struct store_query {
	struct term	*terms;		/* owned, sorted by kind */
	size_t		 n;
	bool		 needs_file;
};

static const struct {
	const char	*name;		/* with its colon */
	enum term_kind	 kind;
} prefixes[] = {
	{ "from:", TERM_FROM },
	{ "to:", TERM_TO },
	{ "cc:", TERM_CC },
	{ "subject:", TERM_SUBJECT },
	{ "body:", TERM_BODY },
	{ "flag:", TERM_FLAG },
	{ "date:", TERM_DATE },
};

static const struct {
	const char	*name;
	unsigned	 flag;
	bool		 set;
} flag_names[] = {
	{ "unread", STORE_SEEN, false },
	{ "read", STORE_SEEN, true },
	{ "flagged", STORE_FLAGGED, true },
	{ "replied", STORE_REPLIED, true },
	{ "forwarded", STORE_PASSED, true },
	{ "draft", STORE_DRAFT, true },
	{ "deleted", STORE_TRASHED, true },
	{ "new", 0, true },
};

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Case folding                                                        */

/*
 * Upper to lower case for the two-byte UTF-8 range: Latin-1 supplement,
 * Latin Extended-A and -B, Greek, Cyrillic (with its supplement). The
 * simple lower-case mappings of UnicodeData.txt (U+0130 to "i"), as runs:
 * every stride-th code point from lo to hi maps to itself plus delta.
 * Sorted by lo. ß has no single-character upper/lower pair and stays.
 */
static const struct fold_range {
	uint16_t	lo, hi;
	int16_t		delta;
	uint8_t		stride;
} fold_ranges[] = {
	{ 0x00C0, 0x00D6, 32, 1 }, { 0x00D8, 0x00DE, 32, 1 },
	{ 0x0100, 0x012E, 1, 2 }, { 0x0130, 0x0130, -199, 1 },
	{ 0x0132, 0x0136, 1, 2 }, { 0x0139, 0x0147, 1, 2 },
	{ 0x014A, 0x0176, 1, 2 }, { 0x0178, 0x0178, -121, 1 },
	{ 0x0179, 0x017D, 1, 2 }, { 0x0181, 0x0181, 210, 1 },
	{ 0x0182, 0x0184, 1, 2 }, { 0x0186, 0x0186, 206, 1 },
	{ 0x0187, 0x0187, 1, 1 }, { 0x0189, 0x018A, 205, 1 },
	{ 0x018B, 0x018B, 1, 1 }, { 0x018E, 0x018E, 79, 1 },
	{ 0x018F, 0x018F, 202, 1 }, { 0x0190, 0x0190, 203, 1 },
	{ 0x0191, 0x0191, 1, 1 }, { 0x0193, 0x0193, 205, 1 },
	{ 0x0194, 0x0194, 207, 1 }, { 0x0196, 0x0196, 211, 1 },
	{ 0x0197, 0x0197, 209, 1 }, { 0x0198, 0x0198, 1, 1 },
	{ 0x019C, 0x019C, 211, 1 }, { 0x019D, 0x019D, 213, 1 },
	{ 0x019F, 0x019F, 214, 1 }, { 0x01A0, 0x01A4, 1, 2 },
	{ 0x01A6, 0x01A6, 218, 1 }, { 0x01A7, 0x01A7, 1, 1 },
	{ 0x01A9, 0x01A9, 218, 1 }, { 0x01AC, 0x01AC, 1, 1 },
	{ 0x01AE, 0x01AE, 218, 1 }, { 0x01AF, 0x01AF, 1, 1 },
	{ 0x01B1, 0x01B2, 217, 1 }, { 0x01B3, 0x01B5, 1, 2 },
	{ 0x01B7, 0x01B7, 219, 1 }, { 0x01B8, 0x01B8, 1, 1 },
	{ 0x01BC, 0x01BC, 1, 1 }, { 0x01C4, 0x01C4, 2, 1 },
	{ 0x01C5, 0x01C5, 1, 1 }, { 0x01C7, 0x01C7, 2, 1 },
	{ 0x01C8, 0x01C8, 1, 1 }, { 0x01CA, 0x01CA, 2, 1 },
	{ 0x01CB, 0x01DB, 1, 2 }, { 0x01DE, 0x01EE, 1, 2 },
	{ 0x01F1, 0x01F1, 2, 1 }, { 0x01F2, 0x01F4, 1, 2 },
	{ 0x01F6, 0x01F6, -97, 1 }, { 0x01F7, 0x01F7, -56, 1 },
	{ 0x01F8, 0x021E, 1, 2 }, { 0x0220, 0x0220, -130, 1 },
	{ 0x0222, 0x0232, 1, 2 }, { 0x023A, 0x023A, 10795, 1 },
	{ 0x023B, 0x023B, 1, 1 }, { 0x023D, 0x023D, -163, 1 },
	{ 0x023E, 0x023E, 10792, 1 }, { 0x0241, 0x0241, 1, 1 },
	{ 0x0243, 0x0243, -195, 1 }, { 0x0244, 0x0244, 69, 1 },
	{ 0x0245, 0x0245, 71, 1 }, { 0x0246, 0x024E, 1, 2 },
	{ 0x0370, 0x0372, 1, 2 }, { 0x0376, 0x0376, 1, 1 },
	{ 0x037F, 0x037F, 116, 1 }, { 0x0386, 0x0386, 38, 1 },
	{ 0x0388, 0x038A, 37, 1 }, { 0x038C, 0x038C, 64, 1 },
	{ 0x038E, 0x038F, 63, 1 }, { 0x0391, 0x03A1, 32, 1 },
	{ 0x03A3, 0x03AB, 32, 1 }, { 0x03CF, 0x03CF, 8, 1 },
	{ 0x03D8, 0x03EE, 1, 2 }, { 0x03F4, 0x03F4, -60, 1 },
	{ 0x03F7, 0x03F7, 1, 1 }, { 0x03F9, 0x03F9, -7, 1 },
	{ 0x03FA, 0x03FA, 1, 1 }, { 0x03FD, 0x03FF, -130, 1 },
	{ 0x0400, 0x040F, 80, 1 }, { 0x0410, 0x042F, 32, 1 },
	{ 0x0460, 0x0480, 1, 2 }, { 0x048A, 0x04BE, 1, 2 },
	{ 0x04C0, 0x04C0, 15, 1 }, { 0x04C1, 0x04CD, 1, 2 },
	{ 0x04D0, 0x052E, 1, 2 },
};

/* Lead bytes of the two-byte sequences the table covers (to U+053F). */
#define FOLD_LEAD_MIN	0xC2
#define FOLD_LEAD_MAX	0xD4

static uint32_t
fold_cp(uint32_t cp)
{
	const struct fold_range	*r;
	size_t			 lo = 0, hi = NITEMS(fold_ranges), mid;

	/* The common letters first: Latin-1, Greek and Cyrillic basics. */
	if (cp >= 0xDF && cp <= 0xFF)
		return cp;
	if ((cp >= 0x0430 && cp <= 0x045F) || (cp >= 0x03AC && cp <= 0x03CE))
		return cp;
	if (cp >= 0x0410 && cp <= 0x042F)
		return cp + 32;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		r = &fold_ranges[mid];
		if (cp < r->lo)
			hi = mid;
		else if (cp > r->hi)
			lo = mid + 1;
		else if ((cp - r->lo) % r->stride == 0)
			return (uint32_t)((int32_t)cp + r->delta);
		else
			return cp;
	}
	return cp;
}

/* Space, TAB, LF, VT, FF, CR, as a mask of bits for the bytes < 64. */
#define BLANK_MASK	((1ULL << ' ') | (1ULL << '\t') | (1ULL << '\n') | \
			    (1ULL << '\v') | (1ULL << '\f') | (1ULL << '\r'))

static bool
is_blank(unsigned char c)
{
	return c <= ' ' && (BLANK_MASK >> c & 1) != 0;
}

/*
 * Room fold_into() needs for len bytes: a two-byte letter may fold to a
 * three-byte one (U+023A to U+2C65), never more; one byte for a NUL.
 */
static size_t
fold_room(size_t len)
{
	if (len > (SIZE_MAX - 2) / 3 * 2)
		fatalx("search: text too large to fold");
	return len + len / 2 + 1;
}

/*
 * Fold [s, s + len) into out (fold_room(len) bytes) and return the bytes
 * written (no NUL added). Invalid UTF-8 is copied byte for byte. With
 * collapse, runs of white space (and U+00A0) become one space, so that a
 * phrase still matches a body wrapped across lines. Folding twice gives
 * the same bytes as folding once: what a fold writes never starts with a
 * continuation byte, so it cannot complete a stray lead byte before it.
 */
static size_t
fold_into(const char *str, size_t len, char *out, bool collapse)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, o = 0;
	uint32_t		 cp;
	unsigned		 c;
	bool			 blank = false;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			i++;
			if (c <= ' ' && collapse && is_blank(c)) {
				if (!blank)
					out[o++] = ' ';
				blank = true;
				continue;
			}
			/* Branch-free: most text is ASCII. */
			out[o++] = (char)(c + ((unsigned)(c - 'A' < 26u) << 5));
			blank = false;
			continue;
		}
		if (s[i] < FOLD_LEAD_MIN || s[i] > FOLD_LEAD_MAX ||
		    i + 1 >= len || (s[i + 1] & 0xC0) != 0x80) {
			out[o++] = (char)s[i++];
			blank = false;
			continue;
		}
		cp = (uint32_t)(s[i] & 0x1F) << 6 | (s[i + 1] & 0x3F);
		i += 2;
		if (collapse && cp == 0xA0) {
			if (!blank)
				out[o++] = ' ';
			blank = true;
			continue;
		}
		blank = false;
		if (cp >= 0xC0)
			cp = fold_cp(cp);
		if (cp < 0x80)
			out[o++] = (char)cp;
		else if (cp < 0x800) {
			out[o++] = (char)(0xC0 | cp >> 6);
			out[o++] = (char)(0x80 | (cp & 0x3F));
		} else {
			out[o++] = (char)(0xE0 | cp >> 12);
			out[o++] = (char)(0x80 | (cp >> 6 & 0x3F));
			out[o++] = (char)(0x80 | (cp & 0x3F));
		}
	}
	return o;
}

char *
store_casefold_new(const char *s, size_t len, size_t *outlen)
{
	char	*out;
	size_t	 n;

	if (s == NULL)
		len = 0;
	out = xmalloc(fold_room(len));
	n = len > 0 ? fold_into(s, len, out, false) : 0;
	out[n] = '\0';
	if (outlen != NULL)
		*outlen = n;
	return out;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

static int	qfail(struct store_err *err, const char *fmt, ...)
		    FCT_PRINTF(2, 3);

static int
qfail(struct store_err *err, const char *fmt, ...)
{
	va_list	ap;

	if (err != NULL) {
		va_start(ap, fmt);
		(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * User text fit to quote in an error message: at most ERR_QUOTE_MAX
 * bytes cut at a character boundary, control characters as '?'.
 */
static void
err_quote(const char *s, size_t n, char *out, size_t size)
{
	size_t	i;

	if (n > ERR_QUOTE_MAX) {
		n = ERR_QUOTE_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	if (n >= size)
		n = size - 1;
	for (i = 0; i < n; i++) {
		unsigned char	c = (unsigned char)s[i];

		out[i] = c < 0x20 || c == 0x7F ? '?' : (char)c;
	}
	out[n] = '\0';
}

/* The known field prefix at p (matched ignoring case), or -1. */
static int
find_prefix(const char *p)
{
	size_t	i;

	for (i = 0; i < NITEMS(prefixes); i++)
		if (ascii_ncasecmp(p, prefixes[i].name,
		    strlen(prefixes[i].name)) == 0)
			return (int)i;
	return -1;
}

static int
set_flag(struct term *t, const char *v, size_t n, struct store_err *err)
{
	char	q[ERR_QUOTE_MAX + 1];
	size_t	i;

	for (i = 0; i < NITEMS(flag_names); i++) {
		if (strlen(flag_names[i].name) == n &&
		    ascii_ncasecmp(v, flag_names[i].name, n) == 0) {
			t->flag = flag_names[i].flag;
			t->flag_set = flag_names[i].set;
			return 0;
		}
	}
	err_quote(v, n, q, sizeof(q));
	return qfail(err, "unknown flag \"%s\" (unread, read, flagged, "
	    "replied, forwarded, draft, deleted, new)", q);
}

/*
 * One end of a date range: "2024", "2024-03", "2024-03-01" (local
 * time; the period it names, [*start, *end)), or "7d", "2w", "3m", "1y"
 * (that long before now: *start = *end = the moment). -1 when it is
 * neither.
 */
static int
date_point(const char *v, size_t n, int64_t now, int64_t *start,
    int64_t *end)
{
	struct tm	tm;
	uint64_t	num, unit;
	int		f[3] = { 0, 1, 1 }, nf = 0, digits;
	size_t		i = 0;
	time_t		t;

	if (n >= 2 && strchr("dwmy", ascii_tolower((unsigned char)v[n - 1]))
	    != NULL) {
		switch (ascii_tolower((unsigned char)v[n - 1])) {
		case 'd': unit = 86400; break;
		case 'w': unit = 7 * 86400; break;
		case 'm': unit = 30 * 86400; break;
		default: unit = 365 * 86400; break;
		}
		if (parse_u64(v, n - 1, 100000, &num) == -1)
			return -1;
		*start = *end = now - (int64_t)(num * unit);
		return 0;
	}
	/* YYYY, then -M or -MM, then -D or -DD. */
	while (i < n && nf < 3) {
		f[nf] = 0;
		for (digits = 0; i < n && v[i] >= '0' && v[i] <= '9' &&
		    digits < 5; i++, digits++)
			f[nf] = f[nf] * 10 + (v[i] - '0');
		if (nf == 0 ? digits != 4 : digits < 1 || digits > 2)
			return -1;
		nf++;
		if (i < n && (v[i] != '-' || nf == 3))
			return -1;
		if (i < n)
			i++;
		if (i == n && v[n - 1] == '-')
			return -1;
	}
	if (i != n || nf == 0 || f[0] < 1970 || f[0] > 9999 ||
	    (nf > 1 && (f[1] < 1 || f[1] > 12)) ||
	    (nf > 2 && (f[2] < 1 || f[2] > 31)))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = f[0] - 1900;
	tm.tm_mon = nf > 1 ? f[1] - 1 : 0;
	tm.tm_mday = nf > 2 ? f[2] : 1;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1)
		return -1;
	*start = (int64_t)t;
	if (nf == 1)
		tm.tm_year++;
	else if (nf == 2)
		tm.tm_mon++;
	else
		tm.tm_mday++;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1)
		return -1;
	*end = (int64_t)t;
	return 0;
}

/* date:A..B, date:A.., date:..B, date:A (see date_point()). */
static int
set_date(struct term *t, const char *v, size_t n, struct store_err *err)
{
	const char	*dots = NULL;
	char		 q[ERR_QUOTE_MAX + 1];
	int64_t		 now = (int64_t)time(NULL), s, e;
	size_t		 i;

	for (i = 0; i + 1 < n; i++)
		if (v[i] == '.' && v[i + 1] == '.') {
			dots = v + i;
			break;
		}
	t->lo = INT64_MIN;
	t->hi = INT64_MAX;
	if (dots == NULL) {
		if (date_point(v, n, now, &s, &e) == -1)
			goto bad;
		t->lo = s;
		t->hi = s == e ? INT64_MAX : e;
		return 0;
	}
	if (dots > v) {
		if (date_point(v, (size_t)(dots - v), now, &s, &e) == -1)
			goto bad;
		t->lo = s;
	}
	if ((size_t)(dots - v) + 2 < n) {
		if (date_point(dots + 2, n - (size_t)(dots - v) - 2, now, &s,
		    &e) == -1)
			goto bad;
		t->hi = e;
	}
	if (dots == v && (size_t)(dots - v) + 2 == n)
		goto bad;
	return 0;
bad:
	err_quote(v, n, q, sizeof(q));
	return qfail(err, "bad date \"%s\" (expected 2024, 2024-03, "
	    "2024-03-01, 7d, 2w, 3m, 1y, or a range A..B)", q);
}

/*
 * The value of a term from p to the next blank outside quotes, quotes
 * removed and \" and \\ unescaped inside them, into val (QUERY_MAX_TERM
 * bytes). *pp moves past it.
 */
static int
scan_value(const char **pp, char *val, size_t *vlen, struct store_err *err)
{
	const char	*p = *pp;
	size_t		 n = 0;
	bool		 quoted = false;

	while (*p != '\0' && (quoted || !is_blank((unsigned char)*p))) {
		if (*p == '"') {
			quoted = !quoted;
			p++;
			continue;
		}
		if (quoted && *p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		if (n == QUERY_MAX_TERM)
			return qfail(err, "search term too long (at most %d "
			    "bytes)", QUERY_MAX_TERM);
		val[n++] = *p++;
	}
	if (quoted)
		return qfail(err, "unterminated quote in search");
	*pp = p;
	*vlen = n;
	return 0;
}

/*
 * The Knuth-Morris-Pratt failure function of the needle: next[j] is the
 * length of the longest proper prefix of needle[0..j] that also ends
 * there. memmem(3) is a GNU extension in glibc; a search linear in the
 * text also keeps a hostile message from making a search quadratic.
 */
static void
kmp_table(struct term *t)
{
	size_t	j, k = 0;

	/* QUERY_MAX_TERM bytes fold to at most half again as many. */
	t->next = xcalloc(t->nlen, sizeof(*t->next));
	for (j = 1; j < t->nlen; j++) {
		while (k > 0 && t->needle[j] != t->needle[k])
			k = t->next[k - 1];
		if (t->needle[j] == t->needle[k])
			k++;
		t->next[j] = (uint16_t)k;
	}
}

/* One term at *pp (not blank), *pp moved past it. */
static int
parse_term(const char **pp, struct term *t, struct store_err *err)
{
	const char	*p = *pp, *start;
	char		 val[QUERY_MAX_TERM];
	size_t		 n = 0;
	int		 px;

	t->kind = TERM_ANY;
	if (*p == '-') {
		t->negate = true;
		p++;
	}
	px = find_prefix(p);
	if (px >= 0) {
		t->kind = prefixes[px].kind;
		p += strlen(prefixes[px].name);
	}
	start = p;
	if (scan_value(&p, val, &n, err) == -1)
		return -1;
	*pp = p;
	if (n == 0 && px >= 0)
		return qfail(err, "nothing to search after \"%s\"",
		    prefixes[px].name);
	if (n == 0 && p == start)
		return qfail(err, "nothing to search after \"-\"");
	if (n == 0)
		return qfail(err, "empty phrase in search");
	if (t->kind == TERM_FLAG)
		return set_flag(t, val, n, err);
	if (t->kind == TERM_DATE)
		return set_date(t, val, n, err);
	t->needle = xmalloc(fold_room(n));
	t->nlen = fold_into(val, n, t->needle, true);
	t->needle[t->nlen] = '\0';
	kmp_table(t);
	return 0;
}

/* Cheapest kinds first; the order of equal kinds is kept. */
static void
sort_terms(struct store_query *q)
{
	struct term	tmp;
	size_t		i, j;

	for (i = 1; i < q->n; i++) {
		tmp = q->terms[i];
		for (j = i; j > 0 && q->terms[j - 1].kind > tmp.kind; j--)
			q->terms[j] = q->terms[j - 1];
		q->terms[j] = tmp;
	}
}

struct store_query *
store_query_new(const char *text, struct store_err *err)
{
	struct store_query	*q;
	const char		*p = text != NULL ? text : "";
	size_t			 i;

	q = xcalloc(1, sizeof(*q));
	q->terms = xcalloc(QUERY_MAX_TERMS, sizeof(*q->terms));
	for (;;) {
		while (is_blank((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		if (q->n == QUERY_MAX_TERMS) {
			(void)qfail(err, "too many search terms (at most %d)",
			    QUERY_MAX_TERMS);
			goto bad;
		}
		/* Counted before parsing: a failed term's needle is freed. */
		if (parse_term(&p, &q->terms[q->n++], err) == -1)
			goto bad;
	}
	if (q->n == 0) {
		(void)qfail(err, "empty search");
		goto bad;
	}
	sort_terms(q);
	for (i = 0; i < q->n; i++)
		if (q->terms[i].kind >= TERM_ANY)
			q->needs_file = true;
	return q;
bad:
	store_query_free(q);
	return NULL;
}

void
store_query_free(struct store_query *q)
{
	size_t	i;

	if (q == NULL)
		return;
	for (i = 0; i < q->n; i++) {
		free(q->terms[i].needle);
		free(q->terms[i].next);
	}
	free(q->terms);
	free(q);
}

bool
store_query_needs_file(const struct store_query *q)
{
	return q != NULL && q->needs_file;
}

/* ------------------------------------------------------------------ */
/* Matching                                                            */

enum field {
	FIELD_SUBJECT,
	FIELD_FROM,
	FIELD_FROM_ADDR,
	FIELD_TO,
	FIELD_CC,
	FIELD_BODY,
	FIELD_COUNT
};

/* A field folded, or s NULL when there is nothing to look at. */
struct folded {
	const char	*s;
	size_t		 len;
	bool		 done;
};

/*
 * The state of matching one message. Reused across the messages of a
 * search: ctx_end() frees what the message needed and keeps the rest.
 */
struct match_ctx {
	const struct store_msg	 *m;
	const char		 *data;		/* the message, or NULL */
	size_t			  len;
	bool			  data_tried;	/* data is all there is */
	bool			  unreadable;	/* reading the file failed */
	const struct store_folder *f;		/* store_search(): file of */
	size_t			  index;	/* message index, lazily */
	char			 *owned;	/* data read from f */
	struct mime_headers	  h;
	bool			  headers_done;
	struct folded		  fields[FIELD_COUNT];
	char			 *heap[FIELD_COUNT]; /* owned folds */
	size_t			  used;		/* bytes of stack in use */
	char			  stack[SEARCH_STACK];
};

static void
ctx_start(struct match_ctx *c, const struct store_msg *m, const char *data,
    size_t len, const struct store_folder *f, size_t index)
{
	size_t	i;

	c->m = m;
	c->data = data;
	c->len = data != NULL ? len : 0;
	c->f = f;
	c->index = index;
	c->data_tried = f == NULL;
	c->unreadable = false;
	c->owned = NULL;
	c->headers_done = false;
	c->used = 0;
	for (i = 0; i < FIELD_COUNT; i++) {
		c->fields[i].done = false;
		c->heap[i] = NULL;
	}
}

static void
ctx_end(struct match_ctx *c)
{
	size_t	i;

	for (i = 0; i < FIELD_COUNT; i++) {
		free(c->heap[i]);
		c->heap[i] = NULL;
	}
	if (c->headers_done)
		mime_headers_free(&c->h);
	c->headers_done = false;
	free(c->owned);
	c->owned = NULL;
}

/* The message bytes, reading the file the first time; false if none. */
static bool
ctx_data(struct match_ctx *c)
{
	struct store_err	err;

	if (!c->data_tried) {
		c->data_tried = true;
		if (store_msg_read_new(c->f, c->index, &c->owned, &c->len,
		    &err) == -1) {
			c->unreadable = true;
			c->owned = NULL;
			c->len = 0;
		} else
			c->data = c->owned != NULL ? c->owned : "";
	}
	return c->data != NULL;
}

static const struct mime_headers *
ctx_headers(struct match_ctx *c)
{
	if (!c->headers_done) {
		mime_headers_parse(c->data, c->len, &c->h);
		c->headers_done = true;
	}
	return &c->h;
}

/* Fold [s, s + len) as field i: into the stack when it fits. */
static void
ctx_fold(struct match_ctx *c, enum field i, const char *s, size_t len)
{
	size_t	 room = fold_room(len);
	char	*out;

	if (room <= SEARCH_STACK - c->used)
		out = c->stack + c->used;
	else {
		out = xmalloc(room);
		c->heap[i] = out;
	}
	c->fields[i].s = out;
	c->fields[i].len = fold_into(s, len, out, true);
	if (out != c->heap[i])
		c->used += c->fields[i].len;
}

/* Names, addresses and the decoded text of every header called name. */
static void
recipients_text(const struct mime_headers *h, const char *name,
    struct buf *out)
{
	const struct mime_field	*f;
	struct mime_addr_list	 l;
	const struct mime_addr	*a;
	char			*t;
	size_t			 i;
	int			 r = 0;

	f = mime_headers_get(h, name);
	for (; f != NULL && r == 0; f = mime_headers_next(h, f, name)) {
		l.v = NULL;
		l.n = 0;
		mime_addr_parse(f->value, f->value_len, NULL, &l);
		for (i = 0; i < l.n && r == 0; i++) {
			a = &l.v[i];
			r = buf_printf(out, "%s\n%s\n%s\n",
			    a->name != NULL ? a->name : "",
			    a->addr != NULL ? a->addr : "",
			    a->group != NULL ? a->group : "");
		}
		mime_addr_list_free(&l);
		if (r == 0) {
			t = mime_header_text(f->value, f->value_len, NULL);
			r = buf_printf(out, "%s\n", t);
			free(t);
		}
	}
}

/* The text a reader sees, every text part a line apart. */
static void
body_text(const char *data, size_t len, struct buf *out)
{
	const struct mime_opts	  opts = { NULL };
	const struct mime_part	**parts;
	struct mime_msg		 *mm;
	size_t			  n, i;

	mm = mime_parse(data, len, &opts);
	parts = mime_text_parts(mm, false, &n);
	for (i = 0; i < n; i++) {
		/* What fitted before a failure is still searched. */
		if (mime_part_text(mm, parts[i], NULL, out) == -1 ||
		    buf_append_byte(out, '\n') == -1)
			break;
	}
	mime_msg_free(&mm);
}

/* Text from the message file: recipients or body. */
static void
ctx_file_field(struct match_ctx *c, enum field i)
{
	struct buf	b;

	if (!ctx_data(c))
		return;
	buf_init(&b, SEARCH_MAX_TEXT);
	if (i == FIELD_BODY)
		body_text(c->data, c->len, &b);
	else
		recipients_text(ctx_headers(c),
		    i == FIELD_TO ? "To" : "Cc", &b);
	ctx_fold(c, i, buf_str(&b), b.len);
	buf_free(&b);
}

static const struct folded *
ctx_field(struct match_ctx *c, enum field i)
{
	const struct store_msg	*m = c->m;
	const char		*s;

	if (c->fields[i].done)
		return &c->fields[i];
	c->fields[i].done = true;
	c->fields[i].s = NULL;
	c->fields[i].len = 0;
	switch (i) {
	case FIELD_SUBJECT:
	case FIELD_FROM:
	case FIELD_FROM_ADDR:
		s = i == FIELD_SUBJECT ? m->subject : i == FIELD_FROM ?
		    m->from : m->from_addr;
		if (s == NULL)
			s = "";
		ctx_fold(c, i, s, strlen(s));
		break;
	case FIELD_TO:
	case FIELD_CC:
	case FIELD_BODY:
		ctx_file_field(c, i);
		break;
	case FIELD_COUNT:
		break;
	}
	return &c->fields[i];
}

/*
 * Whether t's needle occurs in [s, s + len): Knuth-Morris-Pratt, with
 * memchr() skipping to the needle's first byte while nothing matches.
 */
static bool
text_has(const char *s, size_t len, const struct term *t)
{
	const char	*p;
	size_t		 i = 0, k = 0;

	while (i < len) {
		if (k == 0) {
			p = memchr(s + i, t->needle[0], len - i);
			if (p == NULL)
				return false;
			i = (size_t)(p - s);
		}
		while (k > 0 && s[i] != t->needle[k])
			k = t->next[k - 1];
		if (s[i] == t->needle[k])
			k++;
		i++;
		if (k == t->nlen)
			return true;
	}
	return false;
}

static bool
field_has(struct match_ctx *c, enum field i, const struct term *t)
{
	const struct folded	*f = ctx_field(c, i);

	return f->s != NULL && text_has(f->s, f->len, t);
}

static bool
flag_match(const struct store_msg *m, const struct term *t)
{
	bool	set = t->flag == 0 ? m->in_new : (m->flags & t->flag) != 0;

	return set == t->flag_set;
}

static bool
term_match(struct match_ctx *c, const struct term *t)
{
	switch (t->kind) {
	case TERM_FLAG:
		return flag_match(c->m, t);
	case TERM_DATE:
		return store_msg_sort_date(c->m) != STORE_DATE_UNKNOWN &&
		    store_msg_sort_date(c->m) >= t->lo &&
		    store_msg_sort_date(c->m) < t->hi;
	case TERM_SUBJECT:
		return field_has(c, FIELD_SUBJECT, t);
	case TERM_FROM:
		return field_has(c, FIELD_FROM, t) ||
		    field_has(c, FIELD_FROM_ADDR, t);
	case TERM_TO:
		return field_has(c, FIELD_TO, t);
	case TERM_CC:
		return field_has(c, FIELD_CC, t);
	case TERM_BODY:
		return field_has(c, FIELD_BODY, t);
	case TERM_ANY:
		return field_has(c, FIELD_SUBJECT, t) ||
		    field_has(c, FIELD_FROM, t) ||
		    field_has(c, FIELD_FROM_ADDR, t) ||
		    field_has(c, FIELD_TO, t) ||
		    field_has(c, FIELD_CC, t) ||
		    field_has(c, FIELD_BODY, t);
	}
	return false;
}

/* All terms, cheapest first; a file that cannot be read never matches. */
static bool
ctx_match(struct match_ctx *c, const struct store_query *q)
{
	size_t	i;

	for (i = 0; i < q->n; i++) {
		if (term_match(c, &q->terms[i]) == q->terms[i].negate)
			return false;
		if (c->unreadable)
			return false;
	}
	return true;
}

bool
store_query_match(const struct store_query *q, const struct store_msg *m,
    const char *data, size_t len)
{
	struct match_ctx	c;
	bool			r;

	if (q == NULL || m == NULL)
		return false;
	ctx_start(&c, m, data, len, NULL, 0);
	r = ctx_match(&c, q);
	ctx_end(&c);
	return r;
}

long
store_search(const struct store_folder *f, const struct store_query *q,
    bool *match, struct store_err *err)
{
	struct match_ctx	c;
	size_t			i, n;
	long			hits = 0;

	if (f == NULL || q == NULL || match == NULL)
		return qfail(err, "search: no folder or no query");
	n = store_folder_count(f);
	for (i = 0; i < n; i++) {
		ctx_start(&c, store_folder_msg(f, i), NULL, 0,
		    q->needs_file ? f : NULL, i);
		match[i] = ctx_match(&c, q);
		ctx_end(&c);
		if (match[i])
			hits++;
	}
	return hits;
}
