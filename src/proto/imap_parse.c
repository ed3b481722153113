/*
 * imap_parse.c: one IMAP response in wire form into a struct imap_resp.
 *
 * The grammar is RFC 3501 section 9, read generically: after the tag (or
 * "*" and an optional number) and the response name, everything is a
 * sequence of items (atoms, quoted strings, literals, NIL, parenthesised
 * lists), except the text of status responses. Atoms carry FETCH sections
 * whole: "BODY[HEADER.FIELDS (FROM)]<0>" is one atom, spaces and
 * parentheses inside the brackets included. What a name or a code means
 * is for the caller, in the context of the command it answers.
 *
 * Strict where leniency would let a server smuggle meaning (NUL or a bad
 * escape in a quoted string, a literal shorter than announced, text after
 * the end, nesting or item counts beyond the bounds), lenient with extra
 * spaces.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap.h"

#define POOL_CHUNK	(16u * 1024u)

/* ------------------------------------------------------------------ */
/* The response's memory: chunks freed together                        */

struct pool_chunk {
	struct pool_chunk	*next;
	size_t			 size, used;
	_Alignas(max_align_t) char data[];
};

struct imap_pool {
	struct pool_chunk	*head;
	/* Items of the lists being parsed, innermost last; copied into
	 * the pool when their list closes. */
	struct imap_item	*scratch;
	size_t			 nscratch, capscratch;
	size_t			 nitems;	/* made so far */
};

static void *
pool_alloc(struct imap_pool *p, size_t n)
{
	struct pool_chunk	*c = p->head;
	size_t			 size;

	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) *
	    sizeof(max_align_t);
	if (n == 0)
		n = sizeof(max_align_t);
	if (c == NULL || c->size - c->used < n) {
		size = n > POOL_CHUNK ? n : POOL_CHUNK;
		c = xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		c->next = p->head;
		p->head = c;
	}
	c->used += n;
	return c->data + c->used - n;
}

static void
pool_free(struct imap_pool *p)
{
	struct pool_chunk	*c, *next;

	if (p == NULL)
		return;
	for (c = p->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(p->scratch);
	free(p);
}

void
imap_resp_free(struct imap_resp *r)
{
	if (r == NULL)
		return;
	pool_free(r->pool);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------------ */
/* The cursor                                                          */

struct cur {
	const char	*p, *end;
	struct imap_pool *pool;
	char		*err;
	size_t		 errlen;
	bool		 failed;
};

static int
fail(struct cur *c, const char *msg)
{
	if (!c->failed && c->err != NULL && c->errlen > 0)
		(void)snprintf(c->err, c->errlen, "%s", msg);
	c->failed = true;
	return -1;
}

static bool
at_end(const struct cur *c)
{
	return c->p >= c->end || *c->p == '\r' || *c->p == '\n';
}

static void
skip_spaces(struct cur *c)
{
	while (c->p < c->end && *c->p == ' ')
		c->p++;
}

/* RFC 3501 ATOM-CHAR, with "\" (flags) and "]" (tags) left to callers. */
static bool
atom_char(unsigned char ch)
{
	return ch > 0x20 && ch < 0x7f && ch != '(' && ch != ')' &&
	    ch != '{' && ch != '"' && ch != '%' && ch != '*' && ch != ']';
}

/* ------------------------------------------------------------------ */
/* Items                                                               */

static int	parse_item(struct cur *c, struct imap_item *it, unsigned depth,
		    bool in_code);

static int
push_item(struct cur *c, const struct imap_item *it)
{
	struct imap_pool	*p = c->pool;

	if (++p->nitems > IMAP_MAX_ITEMS)
		return fail(c, "too many items in one response");
	if (p->nscratch == p->capscratch) {
		p->capscratch = p->capscratch ? p->capscratch * 2 : 64;
		p->scratch = xreallocarray(p->scratch, p->capscratch,
		    sizeof(*p->scratch));
	}
	p->scratch[p->nscratch++] = *it;
	return 0;
}

/* Items until close (")", "]", or the end when close is 0) into a
 * block of the pool. */
static int
parse_seq(struct cur *c, char close, unsigned depth, bool in_code,
    struct imap_item **items, size_t *n)
{
	struct imap_pool	*p = c->pool;
	struct imap_item	 it;
	size_t			 start = p->nscratch;

	*items = NULL;
	*n = 0;
	for (;;) {
		skip_spaces(c);
		if (close == 0 ? at_end(c) : c->p < c->end && *c->p == close)
			break;
		if (at_end(c))
			return fail(c, close == ')' ?
			    "unterminated list" : "unterminated response code");
		if (parse_item(c, &it, depth, in_code) == -1 ||
		    push_item(c, &it) == -1)
			return -1;
		/* Items are separated by a space; only lists may touch
		 * (the parts of a multipart BODYSTRUCTURE). */
		if (!at_end(c) && *c->p != ' ' && *c->p != ')' &&
		    *c->p != ']' && !(it.type == IMAP_LIST && *c->p == '('))
			return fail(c, "items not separated by a space");
	}
	*n = p->nscratch - start;
	if (*n > 0) {
		*items = pool_alloc(p, *n * sizeof(**items));
		memcpy(*items, p->scratch + start, *n * sizeof(**items));
	}
	p->nscratch = start;
	return 0;
}

static int
parse_quoted(struct cur *c, struct imap_item *it)
{
	const char	*q = ++c->p;
	char		*o;
	size_t		 n = 0;
	bool		 escapes = false;

	for (; q < c->end && *q != '"'; q++, n++) {
		if (*q == '\0')
			return fail(c, "NUL in a quoted string");
		if (*q == '\r' || *q == '\n')
			return fail(c, "line break in a quoted string");
		if (*q == '\\') {
			if (q + 1 >= c->end || (q[1] != '"' && q[1] != '\\'))
				return fail(c,
				    "bad escape in a quoted string");
			escapes = true;
			q++;
		}
	}
	if (q >= c->end)
		return fail(c, "unterminated quoted string");
	it->type = IMAP_STRING;
	if (!escapes) {
		it->s = c->p;
		it->len = n;
	} else {
		o = pool_alloc(c->pool, n + 1);
		it->s = o;
		it->len = n;
		for (q = c->p; *q != '"'; q++)
			*o++ = *q == '\\' ? *++q : *q;
	}
	c->p = q + 1;
	return 0;
}

static int
parse_literal(struct cur *c, struct imap_item *it)
{
	const char	*q = c->p + 1;
	uint64_t	 n = 0;
	size_t		 digits = 0;

	for (; q < c->end && *q >= '0' && *q <= '9'; q++) {
		if (++digits > 19)
			return fail(c, "literal length too long");
		n = n * 10 + (uint64_t)(*q - '0');
	}
	if (digits == 0 || q >= c->end || *q != '}')
		return fail(c, "malformed literal length");
	q++;
	if (c->end - q < 2 || q[0] != '\r' || q[1] != '\n')
		return fail(c, "literal length not at the end of a line");
	q += 2;
	if (n > (uint64_t)(c->end - q))
		return fail(c, "literal shorter than announced");
	it->type = IMAP_STRING;
	it->literal = true;
	it->s = q;
	it->len = (size_t)n;
	c->p = q + n;
	return 0;
}

/* An atom; a "[" inside it runs to its "]" (FETCH sections). */
static int
parse_atom(struct cur *c, struct imap_item *it, bool in_code)
{
	const char	*start = c->p;

	while (c->p < c->end) {
		unsigned char	ch = (unsigned char)*c->p;

		if (ch == '[' && !in_code) {
			while (c->p < c->end && *c->p != ']' &&
			    *c->p != '\r' && *c->p != '\n')
				c->p++;
			if (c->p >= c->end || *c->p != ']')
				return fail(c, "unterminated section");
			c->p++;
			continue;
		}
		if (ch == ']' && !in_code) {
			c->p++;		/* tolerated in atoms (tags) */
			continue;
		}
		if (!atom_char(ch) && ch != '%' && ch != '*')
			break;
		c->p++;
	}
	if (c->p == start)
		return fail(c, "unexpected character");
	it->type = IMAP_ATOM;
	it->s = start;
	it->len = (size_t)(c->p - start);
	if (it->len == 3 && ascii_ncasecmp(start, "NIL", 3) == 0)
		it->type = IMAP_NIL;
	return 0;
}

static int
parse_item(struct cur *c, struct imap_item *it, unsigned depth, bool in_code)
{
	memset(it, 0, sizeof(*it));
	switch (*c->p) {
	case '(':
		if (depth >= IMAP_MAX_DEPTH)
			return fail(c, "lists nested too deep");
		c->p++;
		it->type = IMAP_LIST;
		if (parse_seq(c, ')', depth + 1, in_code, &it->items,
		    &it->n) == -1)
			return -1;
		c->p++;
		return 0;
	case '"':
		return parse_quoted(c, it);
	case '{':
		return parse_literal(c, it);
	case ')':
		return fail(c, "unbalanced parenthesis");
	default:
		if ((unsigned char)*c->p < 0x20 || (unsigned char)*c->p >= 0x7f)
			return fail(c, "control or 8-bit byte outside "
			    "a string");
		return parse_atom(c, it, in_code);
	}
}

/* ------------------------------------------------------------------ */
/* Responses                                                           */

/* The next word (atom characters) upper-cased into out; its length, 0
 * when none or too long. */
static size_t
word(struct cur *c, char *out, size_t size)
{
	size_t	n = 0;

	while (c->p < c->end && atom_char((unsigned char)*c->p) &&
	    *c->p != '[') {
		if (n + 1 >= size)
			return 0;
		out[n++] = (char)toupper((unsigned char)*c->p);
		c->p++;
	}
	out[n] = '\0';
	return n;
}

static enum imap_status
status_of(const char *w)
{
	if (strcmp(w, "OK") == 0)
		return IMAP_ST_OK;
	if (strcmp(w, "NO") == 0)
		return IMAP_ST_NO;
	if (strcmp(w, "BAD") == 0)
		return IMAP_ST_BAD;
	if (strcmp(w, "BYE") == 0)
		return IMAP_ST_BYE;
	if (strcmp(w, "PREAUTH") == 0)
		return IMAP_ST_PREAUTH;
	return IMAP_ST_NONE;
}

/* The text of a status or continuation response: to the end of the
 * line, which must be the end of the response. */
static int
parse_text(struct cur *c, struct imap_resp *r)
{
	const char	*q;

	skip_spaces(c);
	for (q = c->p; q < c->end && *q != '\r' && *q != '\n'; q++)
		if (*q == '\0')
			return fail(c, "NUL in response text");
	r->text = c->p;
	r->text_len = (size_t)(q - c->p);
	c->p = q;
	return 0;
}

/* "[CODE args]" then text. */
static int
parse_status_rest(struct cur *c, struct imap_resp *r)
{
	skip_spaces(c);
	if (c->p < c->end && *c->p == '[') {
		c->p++;
		if (word(c, r->code, sizeof(r->code)) == 0)
			return fail(c, "malformed response code");
		r->has_code = true;
		if (parse_seq(c, ']', 0, true, &r->code_args,
		    &r->ncode_args) == -1)
			return -1;
		c->p++;
	}
	return parse_text(c, r);
}

static int
parse_untagged(struct cur *c, struct imap_resp *r)
{
	char		w[32];
	uint64_t	n = 0;
	size_t		digits = 0;

	r->kind = IMAP_UNTAGGED;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		n = n * 10 + (uint64_t)(*c->p++ - '0');
		if (++digits > 10 || n > UINT32_MAX)
			return fail(c, "message number out of range");
	}
	if (digits > 0) {
		r->has_number = true;
		r->number = (uint32_t)n;
		if (c->p >= c->end || *c->p != ' ')
			return fail(c, "malformed untagged response");
		skip_spaces(c);
	}
	if (word(c, w, sizeof(w)) == 0)
		return fail(c, "malformed untagged response");
	r->status = digits > 0 ? IMAP_ST_NONE : status_of(w);
	if (r->status != IMAP_ST_NONE)
		return parse_status_rest(c, r);
	(void)memcpy(r->name, w, sizeof(r->name));
	return parse_seq(c, 0, 0, false, &r->items, &r->n);
}

static int
parse_tagged(struct cur *c, struct imap_resp *r)
{
	char	w[32];
	size_t	n = 0;

	r->kind = IMAP_TAGGED;
	while (c->p < c->end && *c->p != ' ') {
		unsigned char	ch = (unsigned char)*c->p;

		if ((!atom_char(ch) && ch != ']') || ch == '+' || ch == '\\')
			return fail(c, "malformed tag");
		if (n >= IMAP_TAG_MAX)
			return fail(c, "tag too long");
		r->tag[n++] = *c->p++;
	}
	r->tag[n] = '\0';
	if (n == 0 || c->p >= c->end)
		return fail(c, "malformed tagged response");
	skip_spaces(c);
	if (word(c, w, sizeof(w)) == 0)
		return fail(c, "malformed tagged response");
	r->status = status_of(w);
	if (r->status != IMAP_ST_OK && r->status != IMAP_ST_NO &&
	    r->status != IMAP_ST_BAD) {
		if (c->err != NULL && c->errlen > 0)
			(void)snprintf(c->err, c->errlen,
			    "tagged response with status %s", w);
		c->failed = true;
		return -1;
	}
	return parse_status_rest(c, r);
}

int
imap_parse(const char *data, size_t len, struct imap_resp *r, char *err,
    size_t errlen)
{
	struct cur	c;
	int		rc;

	memset(r, 0, sizeof(*r));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	c.p = data;
	c.end = data + len;
	c.err = err;
	c.errlen = errlen;
	c.failed = false;
	c.pool = xcalloc(1, sizeof(*c.pool));
	r->pool = c.pool;
	if (len == 0)
		rc = fail(&c, "empty response");
	else if (data[0] == '+') {
		r->kind = IMAP_CONTINUE;
		c.p++;
		rc = parse_text(&c, r);
	} else if (len >= 2 && data[0] == '*' && data[1] == ' ') {
		c.p += 2;
		rc = parse_untagged(&c, r);
	} else
		rc = parse_tagged(&c, r);
	/* Only the final CRLF may follow. */
	if (rc == 0 && c.p < c.end && !(c.end - c.p == 2 &&
	    c.p[0] == '\r' && c.p[1] == '\n') && !(c.end - c.p == 1 &&
	    c.p[0] == '\n'))
		rc = fail(&c, "bytes after the end of the response");
	if (rc == -1) {
		imap_resp_free(r);
		return -1;
	}
	free(c.pool->scratch);
	c.pool->scratch = NULL;
	c.pool->capscratch = c.pool->nscratch = 0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reading items                                                       */

bool
imap_item_is(const struct imap_item *it, const char *w)
{
	size_t	n = strlen(w);

	return it != NULL && (it->type == IMAP_ATOM || it->type == IMAP_NIL) &&
	    it->len == n && ascii_ncasecmp(it->s, w, n) == 0;
}

bool
imap_item_number(const struct imap_item *it, uint64_t max, uint64_t *out)
{
	uint64_t	n = 0;
	size_t		i;

	if (it == NULL || it->type != IMAP_ATOM || it->len == 0 ||
	    it->len > 20)
		return false;
	for (i = 0; i < it->len; i++) {
		uint64_t	d;

		if (it->s[i] < '0' || it->s[i] > '9')
			return false;
		d = (uint64_t)(it->s[i] - '0');
		if (d > max || n > (max - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*out = n;
	return true;
}

char *
imap_item_strdup(const struct imap_item *it)
{
	char	*s;

	if (it == NULL || (it->type != IMAP_ATOM && it->type != IMAP_STRING))
		return NULL;
	if (memchr(it->s, '\0', it->len) != NULL)
		return NULL;
	s = xmalloc(it->len + 1);
	memcpy(s, it->s, it->len);
	s[it->len] = '\0';
	return s;
}

/* One non-zero 32-bit number at s[*i..]; false when there is none. */
static bool
set_number(const char *s, size_t n, size_t *i, uint32_t *out)
{
	uint64_t	v = 0;
	size_t		start = *i;

	while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (uint64_t)(s[*i] - '0');
		if (v > UINT32_MAX)
			return false;
		(*i)++;
	}
	if (*i == start || v == 0)
		return false;
	*out = (uint32_t)v;
	return true;
}

int
imap_uid_set_parse(const char *s, size_t n, imap_range_fn *fn, void *arg)
{
	size_t		i = 0;
	uint32_t	lo, hi, t;

	if (n == 0)
		return -1;
	for (;;) {
		if (!set_number(s, n, &i, &lo))
			return -1;
		hi = lo;
		if (i < n && s[i] == ':') {
			i++;
			if (!set_number(s, n, &i, &hi))
				return -1;
			if (hi < lo) {
				t = lo;
				lo = hi;
				hi = t;
			}
		}
		fn(lo, hi, arg);
		if (i == n)
			return 0;
		if (s[i] != ',')
			return -1;
		i++;
	}
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t		era;
	unsigned	yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* n digits at s as a number, or -1. */
static int
digits(const char *s, size_t n)
{
	int	v = 0;
	size_t	i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
imap_internaldate_parse(const char *s, size_t n, int64_t *out)
{
	static const char	months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	static const unsigned	mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31,
				    30, 31, 30, 31 };
	char			mon[4];
	int			day, year, hh, mm, ss, zh, zm;
	unsigned		m, i;

	/* "17-Jul-1996 02:44:25 -0700", the day maybe " 7" or "7". */
	if (n == 26 && s[0] == ' ') {
		s++;
		n--;
	}
	if (n == 26) {
		day = digits(s, 2);
		s += 2;
	} else if (n == 25) {
		day = digits(s, 1);
		s += 1;
	} else
		return -1;
	if (day < 1 || s[0] != '-' || s[4] != '-' || s[9] != ' ' ||
	    s[12] != ':' || s[15] != ':' || s[18] != ' ' ||
	    (s[19] != '+' && s[19] != '-'))
		return -1;
	for (i = 0; i < 3; i++)
		mon[i] = (char)ascii_tolower((unsigned char)s[1 + i]);
	mon[3] = '\0';
	for (m = 0; m < 12 && memcmp(months + m * 3, mon, 3) != 0; m++)
		;
	year = digits(s + 5, 4);
	hh = digits(s + 10, 2);
	mm = digits(s + 13, 2);
	ss = digits(s + 16, 2);
	zh = digits(s + 20, 2);
	zm = digits(s + 22, 2);
	if (m == 12 || year < 1 || hh < 0 || hh > 23 || mm < 0 || mm > 59 ||
	    ss < 0 || ss > 60 || zh < 0 || zh > 23 || zm < 0 || zm > 59 ||
	    (unsigned)day > mdays[m] || (m == 1 && day == 29 &&
	    (year % 4 != 0 || (year % 100 == 0 && year % 400 != 0))))
		return -1;
	*out = days_from_civil(year, m + 1, (unsigned)day) * 86400 +
	    hh * 3600 + mm * 60 + ss -
	    (s[19] == '-' ? -1 : 1) * (zh * 3600 + zm * 60);
	return 0;
}
