/*
 * msgid.c: Message-IDs (RFC 5322 3.6.4): finding them in Message-ID,
 * In-Reply-To and References values, and making new ones.
 *
 * Deliberate leniency (doc/VIOLATIONS.md): anything between ids is
 * skipped, comments and quoted strings included (RFC 822 allowed phrases
 * such as 'Your message of "Fri, 1 Mar"' in In-Reply-To); blanks inside
 * the brackets are dropped (folded long ids, RFC 5322 4.5.4 allows CFWS
 * there); a '<' without its '>' still gives an id when its text holds an
 * '@'; and when a value has no bracketed id at all, a bare word with one
 * '@' inside ("1234@example.com") is taken as the id.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "mime.h"

/* The domain of new ids when the one given is unusable (RFC 2606). */
#define MSGID_DOMAIN	"facteur.invalid"
#define MSGID_RANDOM	15	/* random bytes: 24 base32 characters */

struct scan {
	const char	*s;
	size_t		 n;
	size_t		 i;
	bool		 no_comment;	/* an unterminated '(' was seen */
	bool		 no_quote;	/* an unterminated '"' was seen */
	bool		 bare;		/* look for bare ids, not "<...>" */
};

/* A found id: its text, without the brackets. */
struct span {
	size_t	off;
	size_t	len;
};

static bool
is_blank(unsigned char c)
{
	return c <= ' ' || c == 0x7f;
}

/* What a bare id may be made of: atext, '.', '@' and UTF-8. */
static bool
is_id_char(unsigned char c)
{
	if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~.@", c) != NULL;
}

/*
 * Skip the comment or quoted string at sc->i (closing character close,
 * comments nest). When it is unterminated, only its first character is
 * skipped and that kind is not looked for again: it could not end later
 * either, and scanning to the end each time would be quadratic.
 */
static void
skip_delimited(struct scan *sc, char close, bool *disabled)
{
	size_t	j = sc->i + 1;
	int	depth = 1;

	while (j < sc->n) {
		char	c = sc->s[j];

		if (c == '\\') {
			j += 2;
			continue;
		}
		if (c == close && --depth == 0) {
			sc->i = j + 1;
			return;
		}
		if (c == '(' && close == ')')
			depth++;
		j++;
	}
	*disabled = true;
	sc->i++;
}

/* True if [off, off + len) holds an '@'. */
static bool
has_at(const struct scan *sc, size_t off, size_t len)
{
	return memchr(sc->s + off, '@', len) != NULL;
}

/*
 * The '<' at sc->i: an id up to '>'. Without a '>' before the next '<' or
 * the end, the text up to the first blank counts if it holds an '@'.
 */
static bool
bracketed(struct scan *sc, struct span *sp)
{
	size_t	j = sc->i + 1, k;

	while (j < sc->n && sc->s[j] != '>' && sc->s[j] != '<')
		j++;
	if (j < sc->n && sc->s[j] == '>') {
		sp->off = sc->i + 1;
		sp->len = j - sp->off;
		sc->i = j + 1;
		for (k = sp->off; k < j; k++)
			if (!is_blank((unsigned char)sc->s[k]))
				return true;
		return false;			/* "<>" */
	}
	for (k = sc->i + 1; k < j && !is_blank((unsigned char)sc->s[k]); k++)
		continue;
	sp->off = sc->i + 1;
	sp->len = k - sp->off;
	sc->i = k > sp->off ? k : sc->i + 1;
	return sp->len > 0 && has_at(sc, sp->off, sp->len);
}

/* A bare word at sc->i: an id when it has exactly one '@', not at an end. */
static bool
bare_word(struct scan *sc, struct span *sp)
{
	size_t		 j = sc->i;
	const char	*at;

	while (j < sc->n && is_id_char((unsigned char)sc->s[j]))
		j++;
	if (j == sc->i) {
		sc->i++;
		return false;
	}
	sp->off = sc->i;
	sp->len = j - sc->i;
	sc->i = j;
	at = memchr(sc->s + sp->off, '@', sp->len);
	return at != NULL && at != sc->s + sp->off &&
	    at != sc->s + j - 1 && memchr(at + 1, '@',
	    (size_t)(sc->s + j - at - 1)) == NULL;
}

/* The next id; false at the end of the value. */
static bool
next_id(struct scan *sc, struct span *sp)
{
	while (sc->i < sc->n) {
		char	c = sc->s[sc->i];

		if (c == '(' && !sc->no_comment)
			skip_delimited(sc, ')', &sc->no_comment);
		else if (c == '"' && !sc->no_quote)
			skip_delimited(sc, '"', &sc->no_quote);
		else if (c == '<' && !sc->bare) {
			if (bracketed(sc, sp))
				return true;
		} else if (sc->bare && is_id_char((unsigned char)c)) {
			if (bare_word(sc, sp))
				return true;
		} else
			sc->i++;
	}
	return false;
}

/* "<" + the id's text without blanks + ">". */
static char *
make_id(const char *s, const struct span *sp)
{
	char	*id = xmalloc(sp->len + 3);
	size_t	 i, o = 0;

	id[o++] = '<';
	for (i = 0; i < sp->len; i++)
		if (!is_blank((unsigned char)s[sp->off + i]))
			id[o++] = s[sp->off + i];
	id[o++] = '>';
	id[o] = '\0';
	return id;
}

static void
scan_init(struct scan *sc, const char *s, size_t n, bool bare)
{
	memset(sc, 0, sizeof(*sc));
	sc->s = s != NULL ? s : "";
	sc->n = s != NULL ? n : 0;
	sc->bare = bare;
}

char *
mime_msgid_first(const char *s, size_t n)
{
	struct scan	sc;
	struct span	sp;

	scan_init(&sc, s, n, false);
	if (next_id(&sc, &sp))
		return make_id(sc.s, &sp);
	scan_init(&sc, s, n, true);
	if (next_id(&sc, &sp))
		return make_id(sc.s, &sp);
	return NULL;
}

/* The last max spans found, oldest first at start once full. */
struct ring {
	struct span	*v;
	size_t		 cap;
	size_t		 max;
	size_t		 n;
	size_t		 start;
};

static void
ring_push(struct ring *r, const struct span *sp)
{
	if (r->max == 0)
		return;
	if (r->n < r->max) {
		if (r->n == r->cap) {
			r->cap = r->cap > r->max / 2 ? r->max :
			    r->cap ? r->cap * 2 : 8;
			r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
		}
		r->v[r->n++] = *sp;
		return;
	}
	r->v[r->start] = *sp;
	r->start = (r->start + 1) % r->max;
}

/* Found ids, bracketed ones or else bare ones, into r. */
static void
collect(const char *s, size_t n, struct ring *r)
{
	struct scan	sc;
	struct span	sp;
	bool		found = false;

	scan_init(&sc, s, n, false);
	while (next_id(&sc, &sp)) {
		ring_push(r, &sp);
		found = true;
	}
	if (found)
		return;
	scan_init(&sc, s, n, true);
	while (next_id(&sc, &sp))
		ring_push(r, &sp);
}

/*
 * Only the spans are kept while scanning, so a References field of a
 * million ids costs max spans, not a million strings. The cap applies to
 * the whole array: entries already in *ids are the oldest and go first.
 */
void
mime_msgid_list(const char *s, size_t n, size_t max, char ***ids,
    size_t *nids)
{
	struct ring	 r = { 0 };
	size_t		 old, drop, i;
	char		**v;

	if (ids == NULL || nids == NULL)
		return;
	r.max = max;
	collect(s, n, &r);
	old = *nids;
	drop = old + r.n > max ? old + r.n - max : 0;	/* r.n <= max */
	v = *ids;
	for (i = 0; i < drop; i++)
		free(v[i]);
	if (drop > 0 && old > drop)
		memmove(v, v + drop, (old - drop) * sizeof(*v));
	old -= drop;
	if (old + r.n == 0) {
		free(v);
		v = NULL;
	} else
		v = xreallocarray(v, old + r.n, sizeof(*v));
	for (i = 0; i < r.n; i++)
		v[old + i] = make_id(s, &r.v[(r.start + i) % r.n]);
	*ids = v;
	*nids = old + r.n;
	free(r.v);
}

/* ------------------------------------------------------------------ */
/* New ids                                                             */

/* A domain usable as id-right: a dot-atom (RFC 5322 3.6.4). */
static bool
domain_ok(const char *d)
{
	size_t	i;

	if (d == NULL || d[0] == '\0' || d[0] == '.')
		return false;
	for (i = 0; d[i] != '\0'; i++) {
		if (d[i] == '@' || !is_id_char((unsigned char)d[i]))
			return false;
		if (d[i] == '.' && (d[i + 1] == '.' || d[i + 1] == '\0'))
			return false;
	}
	return true;
}

char *
mime_msgid_new(const char *domain)
{
	static const char	b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char		rnd[MSGID_RANDOM];
	char			text[MSGID_RANDOM * 8 / 5 + 1];
	size_t			i, o = 0;
	uint32_t		acc = 0;
	int			bits = 0;

	random_bytes(rnd, sizeof(rnd));
	for (i = 0; i < sizeof(rnd); i++) {
		acc = (acc << 8) | rnd[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			text[o++] = b32[(acc >> bits) & 31];
		}
	}
	text[o] = '\0';
	return xasprintf("<%s.%lld@%s>", text, (long long)time(NULL),
	    domain_ok(domain) ? domain : MSGID_DOMAIN);
}
