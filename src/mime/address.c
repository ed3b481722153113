/*
 * address.c: address lists (RFC 5322 3.4), read at least as leniently as
 * mutt reads them, written as RFC 5322 and RFC 2047 want them.
 *
 * Parsing runs in two steps. A lexer splits the value into tokens: atoms,
 * quoted strings, comments, domain literals, specials, and whole angle
 * addresses. The tokens of one element (up to a ',' or ';' outside angle
 * brackets) are then read as one mailbox, or as several when separators
 * are missing. Deliberate leniency (doc/VIOLATIONS.md):
 *
 * - Obsolete syntax (RFC 5322 4.4): CFWS around the dots of a local part or
 *   domain, routes "<@a,@b:user@host>" (the route is dropped), empty
 *   elements between commas, a comment after a bare addr-spec used as the
 *   display name (the RFC 822 habit "jdoe@example.org (John Doe)").
 * - ';' outside a group separates like ','; a group without its ';' ends at
 *   the next group or at the end of the value.
 * - Missing angle brackets: "John Doe jdoe@example.org" is a name and an
 *   address; "<a@b" ends at the next ',' or ';'; a stray '>' is ignored;
 *   "<<a@b>>" is read as "<a@b>".
 * - Missing commas: "a@b c@d" and "A <a@b> B <c@d>" are two mailboxes.
 * - Encoded words are decoded in the whole display name, quoted parts
 *   included (RFC 2047 5 forbids them there, common mailers write them),
 *   and an encoded word is one atom even when its text holds specials
 *   ("=?utf-8?q?Doe,_John?=").
 * - Raw 8-bit names are handed to mime_decode_words(), which reads them as
 *   UTF-8 when valid, else in the fallback charset; UTF-8 local parts and
 *   domains (RFC 6532) are kept as they are.
 * - An element without '@' is kept visible: its words become the addr,
 *   e.g. "root" or "undisclosed-recipients" (mime_addr_valid() rejects
 *   it, so it is never sent to).
 * - An unterminated quoted string, comment or domain literal loses its
 *   opening character rather than swallowing the rest of the value.
 *
 * Controls never reach the results: outside quotes they separate words;
 * in names they become spaces; in addresses they are dropped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "buf.h"
#include "util.h"
#include "mime.h"

/* The longest encoded word recognised inside an atom (RFC 2047 2 says 75;
 * broken mailers write longer ones). */
#define EW_MAX		256
/* Formatted text and decoded names: several times a header block. */
#define ADDR_TEXT_MAX	(16 * (size_t)BOUND_HEADER_BLOCK)
/* Column where address lists fold (RFC 5322 2.1.1). */
#define FOLD_WIDTH	78

enum tok_type {
	T_ATOM,		/* atom, possibly with encoded words: raw text */
	T_QUOTED,	/* quoted-string: the content between the quotes */
	T_LITERAL,	/* domain literal: the content between [ and ] */
	T_COMMENT,	/* comment: the content between the outer parens */
	T_DOT,
	T_AT,
	T_ANGLE,	/* "<...>", read whole: addr holds the addr-spec */
	T_COLON,	/* the rest exist only between lexer and parser */
	T_COMMA,
	T_SEMI,
	T_LT,
	T_GT,
	T_END
};

struct tok {
	enum tok_type	 type;
	bool		 space;		/* blanks or a comment before it */
	size_t		 off;		/* text: see enum tok_type */
	size_t		 len;
	char		*addr;		/* T_ANGLE: owned */
};

struct lexer {
	const char	*s;
	size_t		 n;
	size_t		 i;
	size_t		 ew_fail;	/* no encoded word starts before */
	bool		 after_comment;
	bool		 no_quote;	/* an unterminated '"' was seen */
	bool		 no_comment;	/* an unterminated '(' was seen */
	bool		 no_literal;	/* an unterminated '[' was seen */
};

struct parser {
	struct lexer	 lx;
	const char	*fallback;
	struct tok	*tok;		/* the current element */
	size_t		 ntok;
	size_t		 captok;
	bool		 elem_addr;	/* it holds '@' or an angle address */
	struct mime_addr *v;		/* the entries found */
	size_t		 nv;
	size_t		 capv;
	char		*group;		/* the open group's name, or NULL */
	bool		 group_used;	/* it has an entry */
};

/* Where the interpreter is: the next '@' and the next angle address. */
struct cursor {
	size_t	at;
	size_t	angle;
};

/* ------------------------------------------------------------------ */
/* Characters                                                          */

/* Blanks: space, controls (folding CR and LF included) and NUL. */
static bool
is_blank(unsigned char c)
{
	return c <= ' ' || c == 0x7f;
}

/* atext (RFC 5322 3.2.3) plus UTF-8 bytes (RFC 6532 3.2). */
static bool
is_atext(unsigned char c)
{
	if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	switch (c) {
	case '!': case '#': case '$': case '%': case '&': case '\'':
	case '*': case '+': case '-': case '/': case '=': case '?':
	case '^': case '_': case '`': case '{': case '|': case '}':
	case '~':
		return true;
	default:
		return false;
	}
}

/* What an atom is made of here: atext, and also '\' (kept visible). */
static bool
is_atom_char(unsigned char c)
{
	return is_atext(c) || c == '\\';
}

/* ------------------------------------------------------------------ */
/* Lexer                                                               */

/*
 * The end of an encoded word "=?charset?e?text?=" (RFC 2047 2) starting at
 * i, or 0. Its text may hold specials: broken mailers put commas there.
 * A failed attempt records where it stopped; no attempt is made before
 * that point again, which keeps the lexer linear: a later start cannot
 * succeed before the blank, '"' or '[' an earlier one stopped at (it
 * could only past EW_MAX; such words are split like other atoms).
 */
static size_t
ew_end(struct lexer *lx, size_t i)
{
	const char	*s = lx->s;
	size_t		 j, lim;
	int		 q = 0;

	if (i < lx->ew_fail || i + 1 >= lx->n || s[i] != '=' ||
	    s[i + 1] != '?')
		return 0;
	lim = lx->n - i > EW_MAX ? i + EW_MAX : lx->n;
	for (j = i + 2; j < lim; j++) {
		/* Not into a quoted string or a domain literal: the specials
		 * quoted there would become live. */
		if (is_blank((unsigned char)s[j]) || s[j] == '"' || s[j] == '[')
			break;
		if (s[j] != '?')
			continue;
		if (q >= 2 && j + 1 < lim && s[j + 1] == '=')
			return j + 2;
		q++;
	}
	lx->ew_fail = j;
	return 0;
}

static size_t
atom_end(struct lexer *lx, size_t i)
{
	size_t	e;

	while (i < lx->n) {
		e = ew_end(lx, i);
		if (e != 0) {
			i = e;
			continue;
		}
		if (!is_atom_char((unsigned char)lx->s[i]))
			break;
		i++;
	}
	return i;
}

/*
 * The index of the byte closing the construct opened at i (quoted string,
 * comment with nesting, or domain literal), or n when unterminated.
 * Quoted pairs are skipped (RFC 5322 3.2.1).
 */
static size_t
close_of(const struct lexer *lx, size_t i, char close)
{
	char	open = lx->s[i];
	size_t	j = i + 1;
	int	depth = 1;

	while (j < lx->n) {
		char	c = lx->s[j];

		if (c == '\\') {
			j += j + 1 < lx->n ? 2 : 1;
			continue;
		}
		if (c == close && --depth == 0)
			return j;
		if (c == open && open == '(')
			depth++;		/* comments nest */
		j++;
	}
	return lx->n;
}

/*
 * A delimited token at lx->i: sets t and returns true, or, when it is
 * unterminated, disables that kind of token for the rest of the value
 * (each later attempt would scan to the end again) and returns false.
 */
static bool
lex_delimited(struct lexer *lx, struct tok *t, enum tok_type type,
    char close, bool *disabled)
{
	size_t	e;

	if (*disabled)
		return false;
	e = close_of(lx, lx->i, close);
	if (e >= lx->n) {
		*disabled = true;
		return false;
	}
	t->type = type;
	t->off = lx->i + 1;
	t->len = e - lx->i - 1;
	lx->i = e + 1;
	return true;
}

static bool
lex_special(struct lexer *lx, struct tok *t, char c)
{
	static const struct {
		char		 c;
		enum tok_type	 type;
	} sp[] = {
		{ '.', T_DOT }, { '@', T_AT }, { ':', T_COLON },
		{ ',', T_COMMA }, { ';', T_SEMI }, { '<', T_LT },
		{ '>', T_GT },
	};
	size_t	i;

	for (i = 0; i < sizeof(sp) / sizeof(sp[0]); i++) {
		if (sp[i].c == c) {
			t->type = sp[i].type;
			lx->i++;
			return true;
		}
	}
	return false;
}

/* One token at lx->i, blanks and junk skipped. */
static bool
lex_one(struct lexer *lx, struct tok *t)
{
	char	c = lx->s[lx->i];
	size_t	e;

	if (c == '"')
		return lex_delimited(lx, t, T_QUOTED, '"', &lx->no_quote);
	if (c == '(')
		return lex_delimited(lx, t, T_COMMENT, ')', &lx->no_comment);
	if (c == '[')
		return lex_delimited(lx, t, T_LITERAL, ']', &lx->no_literal);
	if (lex_special(lx, t, c))
		return true;
	e = atom_end(lx, lx->i);
	if (e == lx->i)
		return false;		/* a stray ')' or ']' */
	t->type = T_ATOM;
	t->off = lx->i;
	t->len = e - lx->i;
	lx->i = e;
	return true;
}

static void
lex(struct lexer *lx, struct tok *t)
{
	memset(t, 0, sizeof(*t));
	t->space = lx->after_comment;
	for (;;) {
		while (lx->i < lx->n && is_blank((unsigned char)lx->s[lx->i])) {
			lx->i++;
			t->space = true;
		}
		if (lx->i >= lx->n) {
			t->type = T_END;
			break;
		}
		if (lex_one(lx, t))
			break;
		lx->i++;		/* junk: skipped like a blank */
		t->space = true;
	}
	lx->after_comment = t->type == T_COMMENT;
}

/* ------------------------------------------------------------------ */
/* Token text                                                          */

static bool
is_word(enum tok_type type)
{
	return type == T_ATOM || type == T_QUOTED || type == T_LITERAL;
}

/*
 * The content of a quoted string, comment or literal with quoted pairs
 * undone; CR, LF (folding) and NUL dropped; with quote_esc, the result
 * is written back as a canonical quoted string or literal.
 */
static int
put_content(struct buf *b, const char *s, size_t len, const char *quote_esc)
{
	size_t	i;

	if (quote_esc != NULL && buf_append_byte(b, quote_esc[0]) != 0)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char	c = (unsigned char)s[i];

		if (c == '\\' && i + 1 < len)
			c = (unsigned char)s[++i];
		if (c == '\r' || c == '\n' || c == '\0')
			continue;
		if (quote_esc != NULL && (c < ' ' || c == 0x7f))
			continue;	/* no controls in addresses */
		if (quote_esc != NULL && (c == '\\' || c == quote_esc[0] ||
		    c == quote_esc[1]) && buf_append_byte(b, '\\') != 0)
			return -1;
		if (buf_append_byte(b, c) != 0)
			return -1;
	}
	if (quote_esc != NULL && buf_append_byte(b, quote_esc[1]) != 0)
		return -1;
	return 0;
}

/* A token as it goes into an address: canonical quoting. */
static int
put_addr_tok(struct buf *b, const char *s, const struct tok *t)
{
	switch (t->type) {
	case T_ATOM:
		return buf_append(b, s + t->off, t->len);
	case T_QUOTED:
		return put_content(b, s + t->off, t->len, "\"\"");
	case T_LITERAL:
		return put_content(b, s + t->off, t->len, "[]");
	case T_DOT:
		return buf_append_byte(b, '.');
	case T_AT:
		return buf_append_byte(b, '@');
	default:
		return 0;
	}
}

/* A token as it goes into a display name: quotes removed. */
static int
put_name_tok(struct buf *b, const char *s, const struct tok *t)
{
	if (t->type == T_QUOTED)
		return put_content(b, s + t->off, t->len, NULL);
	return put_addr_tok(b, s, t);
}

/*
 * Address text of tokens [a, e): words joined with one space where blanks
 * separated two of them, nothing around dots and '@' (RFC 5322 4.4:
 * "jdoe@test  . example" is "jdoe@test.example").
 */
static int
addr_text(const struct parser *p, size_t a, size_t e, struct buf *b)
{
	bool	prev_word = false;

	for (; a < e; a++) {
		const struct tok	*t = &p->tok[a];

		if (t->type == T_COMMENT || t->type == T_ANGLE)
			continue;
		if (prev_word && is_word(t->type) && t->space &&
		    buf_append_byte(b, ' ') != 0)
			return -1;
		if (put_addr_tok(b, p->lx.s, t) != 0)
			return -1;
		prev_word = is_word(t->type);
	}
	return 0;
}

/* Display-name text of tokens [a, e), appended: blanks become one space. */
static int
phrase_text(const struct parser *p, size_t a, size_t e, struct buf *b)
{
	for (; a < e; a++) {
		const struct tok	*t = &p->tok[a];

		if (t->type == T_COMMENT || t->type == T_ANGLE)
			continue;
		if (t->space && b->len > 0 && buf_append_byte(b, ' ') != 0)
			return -1;
		if (put_name_tok(b, p->lx.s, t) != 0)
			return -1;
	}
	return 0;
}

/* The comments of tokens [a, e), joined with spaces. */
static int
comment_text(const struct parser *p, size_t a, size_t e, struct buf *b)
{
	for (; a < e; a++) {
		const struct tok	*t = &p->tok[a];

		if (t->type != T_COMMENT || t->len == 0)
			continue;
		if (b->len > 0 && buf_append_byte(b, ' ') != 0)
			return -1;
		if (put_content(b, p->lx.s + t->off, t->len, NULL) != 0)
			return -1;
	}
	return 0;
}

/*
 * A decoded name made safe: controls (C0, DEL, C1 as UTF-8) become
 * spaces, NUL bytes go, blanks at both ends are trimmed. NULL if empty.
 */
static char *
clean_name(const char *s, size_t n)
{
	char	*out = xmalloc(n + 1);
	size_t	 i, o = 0, start = 0;

	for (i = 0; i < n; i++) {
		unsigned char	c = (unsigned char)s[i];

		if (c == '\0')
			continue;
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f) {
			i++;
			c = ' ';
		} else if (c < ' ' || c == 0x7f)
			c = ' ';
		out[o++] = (char)c;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	while (start < o && out[start] == ' ')
		start++;
	if (start == o) {
		free(out);
		return NULL;
	}
	memmove(out, out + start, o - start);
	out[o - start] = '\0';
	return out;
}

/* Decode RFC 2047 words and raw 8-bit text of a name; NULL if empty. */
static char *
decode_name(const struct parser *p, const struct buf *raw)
{
	struct buf	 out;
	char		*name;
	size_t		 max;

	if (raw->len == 0)
		return NULL;
	/* At most 3 bytes of UTF-8 per input byte (U+FFFD, windows-1252). */
	max = raw->len > ADDR_TEXT_MAX / 4 ? ADDR_TEXT_MAX : 4 * raw->len + 64;
	buf_init(&out, max);
	if (mime_decode_words(raw->data, raw->len, p->fallback, &out) < 0) {
		buf_free(&out);
		return clean_name(raw->data, raw->len);
	}
	name = clean_name(buf_str(&out), out.len);
	buf_free(&out);
	return name;
}

/* ------------------------------------------------------------------ */
/* Entries                                                             */

/* Add an entry to the open group (if any); takes name and addr. */
static void
emit(struct parser *p, char *name, char *addr)
{
	struct mime_addr	*a;

	if (p->nv >= MIME_MAX_ADDRS) {
		free(name);
		free(addr);
		return;
	}
	if (p->nv == p->capv) {
		p->capv = p->capv ? p->capv * 2 : 8;
		p->v = xreallocarray(p->v, p->capv, sizeof(*p->v));
	}
	a = &p->v[p->nv++];
	a->name = name;
	a->addr = addr;
	a->group = p->group != NULL ? xstrdup(p->group) : NULL;
	if (p->group != NULL)
		p->group_used = true;
}

/*
 * Emit a mailbox: addr from tokens [as, ae); display name from the words
 * of [n1, n2) and [n3, n4); when that is empty, from the comments of
 * [c1, c2) (RFC 822's "addr (Name)"). angle, when not NULL, is the addr.
 */
struct mbox {
	size_t		 as, ae;
	size_t		 n1, n2, n3, n4;
	size_t		 c1, c2;
	const char	*angle;
};

static void
emit_mailbox(struct parser *p, const struct mbox *m)
{
	struct buf	 b;
	char		*name, *addr;

	buf_init(&b, ADDR_TEXT_MAX);
	if (phrase_text(p, m->n1, m->n2, &b) != 0 ||
	    phrase_text(p, m->n3, m->n4, &b) != 0)
		buf_reset(&b);
	name = decode_name(p, &b);
	if (name == NULL) {
		buf_reset(&b);
		if (comment_text(p, m->c1, m->c2, &b) != 0)
			buf_reset(&b);
		name = decode_name(p, &b);
	}
	buf_reset(&b);
	if (m->angle != NULL)
		addr = xstrdup(m->angle);
	else if (addr_text(p, m->as, m->ae, &b) == 0)
		addr = buf_take(&b);
	else
		addr = xstrdup("");
	buf_free(&b);
	emit(p, name, addr);
}

/* ------------------------------------------------------------------ */
/* Interpreting an element                                             */

/* The first token of type at or after from (and after *cur), or e. */
static size_t
seek(const struct parser *p, size_t *cur, size_t from, size_t e,
    enum tok_type type)
{
	if (*cur < from)
		*cur = from;
	while (*cur < e && p->tok[*cur].type != type)
		(*cur)++;
	return *cur;
}

/*
 * Where the local part ending before the '@' at k starts: words joined by
 * dots, CFWS allowed around the dots (RFC 5322 4.4), but two words with
 * only blanks between them, or "Q. john" (a dot that ends a sentence),
 * end it: the words before are the display name.
 */
static size_t
local_start(const struct parser *p, size_t a, size_t k)
{
	size_t	i, j = k;

	for (i = k; i > a; i--) {
		const struct tok	*t = &p->tok[i - 1];

		if (t->type == T_COMMENT)
			continue;
		if (!is_word(t->type) && t->type != T_DOT)
			break;
		if (j < k && is_word(p->tok[j].type) && p->tok[j].space &&
		    (is_word(t->type) || !t->space))
			break;
		j = i - 1;
	}
	return j;
}

/* Where the domain after the '@' at k ends (exclusive), by the same
 * rules; an '@' right after it is kept ("a@b@c" stays visible). */
static size_t
domain_end(const struct parser *p, size_t k, size_t e)
{
	size_t	i, last = k;

	for (i = k + 1; i < e; i++) {
		const struct tok	*t = &p->tok[i];

		if (t->type == T_COMMENT)
			continue;
		if (t->type == T_AT && !t->space) {
			last = i;
			continue;
		}
		if (!is_word(t->type) && t->type != T_DOT)
			break;
		if (last != k && t->space && is_word(t->type) &&
		    (is_word(p->tok[last].type) ||
		    (p->tok[last].type == T_DOT && !p->tok[last].space)))
			break;
		last = i;
	}
	return last + 1;
}

/* A mailbox around the angle address at g; returns where the next
 * mailbox of the element starts. */
static size_t
take_angle(struct parser *p, struct cursor *c, size_t a, size_t g, size_t e)
{
	struct mbox	m = { 0 };
	size_t		end = e;

	if (seek(p, &c->angle, g + 1, e, T_ANGLE) < e ||
	    seek(p, &c->at, g + 1, e, T_AT) < e)
		end = g + 1;	/* more addresses follow: no comma */
	m.n1 = a;
	m.n2 = g;
	m.n3 = g + 1;
	m.n4 = end;
	m.c1 = a;
	m.c2 = end;
	m.angle = p->tok[g].addr;
	emit_mailbox(p, &m);
	return end;
}

/* A bare addr-spec around the '@' at k. */
static size_t
take_at(struct parser *p, struct cursor *c, size_t a, size_t k, size_t e)
{
	struct mbox	m = { 0 };
	size_t		end = e;

	m.as = local_start(p, a, k);
	m.ae = domain_end(p, k, e);
	if (seek(p, &c->at, m.ae, e, T_AT) < e)
		end = m.ae;	/* "a@b c@d": no comma */
	m.n1 = a;
	m.n2 = m.as;
	m.n3 = m.ae;
	m.n4 = end;
	m.c1 = a;
	m.c2 = end;
	emit_mailbox(p, &m);
	return end;
}

/* Words without '@': kept as the addr ("root"), comments as the name. */
static void
take_bare(struct parser *p, size_t a, size_t e)
{
	struct mbox	m = { 0 };
	size_t		i;

	for (i = a; i < e; i++)
		if (p->tok[i].type != T_COMMENT)
			break;
	if (i == e)
		return;		/* empty, or only comments */
	m.as = a;
	m.ae = e;
	m.c1 = a;
	m.c2 = e;
	emit_mailbox(p, &m);
}

/*
 * The element's tokens as mailboxes. An angle address wins: what precedes
 * it is the display name, even with '@' in it ("a@b <a@b>", a common
 * habit). Otherwise each '@' makes a bare addr-spec.
 */
static void
interpret(struct parser *p)
{
	struct cursor	c = { 0, 0 };
	size_t		a = 0, e = p->ntok, k;

	while (a < e) {
		k = seek(p, &c.angle, a, e, T_ANGLE);
		if (k < e) {
			a = take_angle(p, &c, a, k, e);
			continue;
		}
		k = seek(p, &c.at, a, e, T_AT);
		if (k < e) {
			a = take_at(p, &c, a, k, e);
			continue;
		}
		take_bare(p, a, e);
		break;
	}
}

static void
clear_element(struct parser *p)
{
	size_t	i;

	for (i = 0; i < p->ntok; i++)
		free(p->tok[i].addr);
	p->ntok = 0;
	p->elem_addr = false;
}

static void
flush_element(struct parser *p)
{
	interpret(p);
	clear_element(p);
}

/* ------------------------------------------------------------------ */
/* Groups and angle addresses                                          */

/* End the open group; a group without members is one entry (addr NULL). */
static void
close_group(struct parser *p)
{
	if (p->group == NULL)
		return;
	if (!p->group_used)
		emit(p, NULL, NULL);
	free(p->group);
	p->group = NULL;
}

/*
 * A ':' after a phrase: the phrase names a group (RFC 5322 3.4). Without
 * a phrase, it opens a group named "" unless one is open already (then
 * the ':' is junk: "::" is not a list of empty groups).
 */
static void
open_group(struct parser *p)
{
	struct buf	 b;
	char		*name;

	buf_init(&b, ADDR_TEXT_MAX);
	if (phrase_text(p, 0, p->ntok, &b) != 0)
		buf_reset(&b);
	name = decode_name(p, &b);
	buf_free(&b);
	clear_element(p);
	if (name == NULL && p->group != NULL)
		return;
	close_group(p);
	p->group = name != NULL ? name : xstrdup("");
	p->group_used = false;
}

/*
 * The addr-spec of an angle address, after its '<'. A route is dropped at
 * its ':' (RFC 5322 4.4); comments and a nested '<' are skipped; without
 * a '>', the address ends before the next ',' (outside a route) or ';'.
 */
static char *
parse_angle(struct lexer *lx)
{
	struct buf	b;
	struct tok	t;
	bool		route = false, prev_word = false, any = false;
	size_t		save;

	buf_init(&b, ADDR_TEXT_MAX);
	for (;;) {
		save = lx->i;
		lex(lx, &t);
		if (t.type == T_END || t.type == T_GT)
			break;
		if (t.type == T_SEMI || (t.type == T_COMMA && !route)) {
			lx->i = save;	/* the caller reads it */
			break;
		}
		if (t.type == T_COLON) {
			buf_reset(&b);
			route = prev_word = false;
			continue;
		}
		if (t.type == T_AT && !any)
			route = true;
		if (t.type != T_COMMENT && t.type != T_LT && t.type != T_COMMA)
			any = true;
		if (prev_word && is_word(t.type) && t.space &&
		    buf_append_byte(&b, ' ') != 0)
			break;
		if (put_addr_tok(&b, lx->s, &t) != 0)
			break;
		if (t.type != T_COMMENT)
			prev_word = is_word(t.type);
	}
	return buf_take(&b);
}

static void
push(struct parser *p, const struct tok *t)
{
	if (p->ntok == p->captok) {
		p->captok = p->captok ? p->captok * 2 : 16;
		p->tok = xreallocarray(p->tok, p->captok, sizeof(*p->tok));
	}
	p->tok[p->ntok++] = *t;
	if (t->type == T_AT || t->type == T_ANGLE)
		p->elem_addr = true;
}

static void
step(struct parser *p, struct tok *t)
{
	switch (t->type) {
	case T_COMMA:
		flush_element(p);
		break;
	case T_SEMI:
		/* Ends a group; elsewhere a common misspelling of ','. */
		flush_element(p);
		close_group(p);
		break;
	case T_COLON:
		/* After an address it is junk ("a@b: x"); else a group. */
		if (!p->elem_addr)
			open_group(p);
		break;
	case T_LT:
		t->type = T_ANGLE;
		t->addr = parse_angle(&p->lx);
		push(p, t);
		break;
	case T_GT:
		break;		/* stray */
	default:
		push(p, t);
		break;
	}
}

void
mime_addr_parse(const char *value, size_t n, const char *fallback_charset,
    struct mime_addr_list *out)
{
	struct parser	p;
	struct tok	t;

	memset(&p, 0, sizeof(p));
	p.lx.s = value != NULL ? value : "";
	p.lx.n = value != NULL ? n : 0;
	p.fallback = fallback_charset;
	for (;;) {
		lex(&p.lx, &t);
		if (t.type == T_END)
			break;
		step(&p, &t);
	}
	flush_element(&p);
	close_group(&p);
	free(p.tok);
	if (p.nv > 0) {
		out->v = xreallocarray(out->v, out->n + p.nv, sizeof(*out->v));
		memcpy(out->v + out->n, p.v, p.nv * sizeof(*p.v));
		out->n += p.nv;
	}
	free(p.v);
}

void
mime_addr_list_free(struct mime_addr_list *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].addr);
		free(l->v[i].group);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Grows by one: lists built by hand are short; the parser appends its
 * entries in one step. */
void
mime_addr_list_add(struct mime_addr_list *l, const char *name,
    const char *addr)
{
	struct mime_addr	*a;

	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	a = &l->v[l->n++];
	a->name = name != NULL ? xstrdup(name) : NULL;
	a->addr = addr != NULL ? xstrdup(addr) : NULL;
	a->group = NULL;
}

/* ------------------------------------------------------------------ */
/* Formatting                                                          */

/* Atoms separated by single spaces: a phrase needing no quotes. */
static bool
plain_phrase(const char *s)
{
	bool	prev_space = true;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s == ' ') {
			if (prev_space)
				return false;
			prev_space = true;
			continue;
		}
		if (!is_atext((unsigned char)*s))
			return false;
		prev_space = false;
	}
	return !prev_space;
}

/* An addr-spec that reads back the same without angle brackets. */
static bool
plain_addr(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!is_atext((unsigned char)*s) && *s != '.' && *s != '@')
			return false;
	return true;
}

/* Non-ASCII, controls or "=?" need RFC 2047 encoding (RFC 2047 5(3)). */
static bool
needs_encoding(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char	c = (unsigned char)*s;

		if (c >= 0x80 || c < ' ' || c == 0x7f)
			return true;
		if (c == '=' && s[1] == '?')
			return true;
	}
	return false;
}

/* A quoted-string (RFC 5322 3.2.4): '"' and '\' escaped; CR and LF, which
 * cannot be quoted, become spaces. */
static int
put_quoted(struct buf *b, const char *s)
{
	if (buf_append_byte(b, '"') != 0)
		return -1;
	for (; *s != '\0'; s++) {
		unsigned char	c = (unsigned char)*s;

		if (c == '\r' || c == '\n')
			c = ' ';
		if ((c == '"' || c == '\\') && buf_append_byte(b, '\\') != 0)
			return -1;
		if (buf_append_byte(b, c) != 0)
			return -1;
	}
	return buf_append_byte(b, '"');
}

/*
 * A display name or group name as a phrase: atoms as they are, encoded
 * words when it is not ASCII, else a quoted-string. Whatever the encoder
 * leaves that is not made of atoms is quoted as well.
 */
static int
put_phrase(struct buf *b, const char *name)
{
	char		*enc = NULL;
	const char	*t = name;
	int		 r;

	if (needs_encoding(name)) {
		enc = mime_encode_words(name, true);
		t = enc;
	}
	r = plain_phrase(t) ? buf_append_str(b, t) : put_quoted(b, t);
	free(enc);
	return r;
}

static int
put_mailbox(struct buf *b, const struct mime_addr *a)
{
	if (a->addr == NULL) {
		/* An empty group (RFC 5322 3.4: "Undisclosed recipients:;"). */
		if (a->group == NULL)
			return 0;
		if (put_phrase(b, a->group) != 0)
			return -1;
		return buf_append_str(b, ":;");
	}
	if (a->name != NULL && a->name[0] != '\0') {
		if (put_phrase(b, a->name) != 0 ||
		    buf_append_str(b, " <") != 0 ||
		    buf_append_str(b, a->addr) != 0)
			return -1;
		return buf_append_byte(b, '>');
	}
	if (plain_addr(a->addr))
		return buf_append_str(b, a->addr);
	if (buf_append_byte(b, '<') != 0 || buf_append_str(b, a->addr) != 0)
		return -1;
	return buf_append_byte(b, '>');
}

char *
mime_addr_format(const struct mime_addr *a)
{
	struct buf	b;

	if (a == NULL)
		return xstrdup("");
	buf_init(&b, ADDR_TEXT_MAX);
	if (put_mailbox(&b, a) != 0) {
		buf_free(&b);
		return xstrdup("");
	}
	return buf_take(&b);
}

struct fold {
	struct buf	b;
	size_t		col;
	bool		first;
};

/* One unbreakable piece, after a space or a fold (RFC 5322 2.2.3). */
static int
fold_piece(struct fold *f, const char *s, size_t len)
{
	if (len == 0)
		return 0;
	if (f->first) {
		f->first = false;
		f->col += len;
	} else if (f->col + 1 + len > FOLD_WIDTH) {
		if (buf_append(&f->b, "\n ", 2) != 0)
			return -1;
		f->col = 1 + len;
	} else {
		if (buf_append_byte(&f->b, ' ') != 0)
			return -1;
		f->col += 1 + len;
	}
	return buf_append(&f->b, s, len);
}

/* Text split into pieces at spaces outside quoted strings and domain
 * literals, where blanks are part of the value. */
static int
fold_text(struct fold *f, const char *s, size_t n)
{
	size_t	i, start = 0;
	char	close = '\0';		/* the end of the quote or literal */

	for (i = 0; i < n; i++) {
		if (close != '\0' && s[i] == '\\' && i + 1 < n) {
			i++;
			continue;
		}
		if (close != '\0') {
			if (s[i] == close)
				close = '\0';
			continue;
		}
		if (s[i] == '"' || s[i] == '[')
			close = s[i] == '"' ? '"' : ']';
		else if (s[i] == ' ') {
			if (fold_piece(f, s + start, i - start) != 0)
				return -1;
			start = i + 1;
		}
	}
	return fold_piece(f, s + start, n - start);
}

/* One item of the list into b: a mailbox, an empty group, or a group with
 * its consecutive members. Returns the index after it. */
static size_t
put_item(struct buf *b, const struct mime_addr_list *l, size_t i, int *err)
{
	const struct mime_addr	*a = &l->v[i];
	size_t			 j;

	if (a->group == NULL || a->addr == NULL) {
		*err = put_mailbox(b, a);
		return i + 1;
	}
	if (put_phrase(b, a->group) != 0 || buf_append_byte(b, ':') != 0) {
		*err = -1;
		return i + 1;
	}
	for (j = i; j < l->n && l->v[j].group != NULL && l->v[j].addr != NULL &&
	    strcmp(l->v[j].group, a->group) == 0; j++) {
		if (buf_append_str(b, j == i ? " " : ", ") != 0 ||
		    put_mailbox(b, &l->v[j]) != 0) {
			*err = -1;
			return j + 1;
		}
	}
	*err = buf_append_byte(b, ';');
	return j;
}

char *
mime_addr_list_format(const struct mime_addr_list *l, size_t name_len)
{
	struct fold	f;
	struct buf	item;
	size_t		i = 0, n = 0;
	int		err = 0;

	buf_init(&f.b, ADDR_TEXT_MAX);
	buf_init(&item, ADDR_TEXT_MAX);
	f.col = name_len + 2;		/* "To: " */
	f.first = true;
	while (l != NULL && i < l->n) {
		buf_reset(&item);
		if (l->v[i].addr == NULL && l->v[i].group == NULL) {
			i++;
			continue;
		}
		i = put_item(&item, l, i, &err);
		if (err != 0)
			break;
		/* The comma goes after the previous item, before any fold. */
		if (n++ > 0) {
			if (buf_append_byte(&f.b, ',') != 0)
				break;
			f.col++;
		}
		if (fold_text(&f, buf_str(&item), item.len) != 0)
			break;
	}
	buf_free(&item);
	return buf_take(&f.b);
}

char *
mime_addr_display(const struct mime_addr *a)
{
	if (a == NULL)
		return xstrdup("");
	if (a->addr == NULL)
		return xasprintf("%s:;", a->group != NULL ? a->group : "");
	if (a->name != NULL && a->name[0] != '\0')
		return xasprintf("%s <%s>", a->name, a->addr);
	return xstrdup(a->addr[0] != '\0' ? a->addr : "<>");
}

/* A plausible addr-spec: see mime.h. Quoted local parts may hold blanks
 * and '@'; a domain literal must be the whole domain. */
bool
mime_addr_valid(const char *addr)
{
	const char	*p, *at = NULL;
	bool		 inq = false, inlit = false;

	if (addr == NULL || addr[0] == '\0')
		return false;
	for (p = addr; *p != '\0'; p++) {
		unsigned char	c = (unsigned char)*p;

		if (c < ' ' || c == 0x7f)
			return false;
		if ((inq || inlit) && c == '\\') {
			if ((unsigned char)p[1] < ' ' || p[1] == 0x7f)
				return false;
			p++;
			continue;
		}
		if (inq) {
			inq = c != '"';
			continue;
		}
		if (inlit) {
			if (c == ']' && p[1] != '\0')
				return false;
			inlit = c != ']';
			continue;
		}
		if (c == '"' && at == NULL)
			inq = true;
		else if (c == '[' && at != NULL && p == at + 1)
			inlit = true;
		else if (c == '@' && at == NULL)
			at = p;
		else if (!is_atext(c) && c != '.')
			return false;
	}
	if (inq || inlit || at == NULL || at == addr || at[1] == '\0')
		return false;
	return at[1] != '.' && strstr(at, "..") == NULL;
}
