/*
 * view.c: the threaded or sorted view of a folder's messages: threads by
 * the JWZ algorithm (https://www.jwz.org/doc/threading.html) over
 * Message-ID, References and In-Reply-To, flat sorts, and the mutt-like
 * tree drawing of one row.
 *
 * Threading, step by step:
 *
 *  1. Containers, one per Message-ID seen (a message's own, or one it
 *     names), in a hash table keyed by the id exactly as stored ("<a@b>").
 *     A message without Message-ID, or whose id an earlier message
 *     already holds (a duplicate), gets a container of its own that no
 *     other message can name. References gives "<...>" ids oldest first
 *     (anything else in it is skipped); each id becomes the child of the
 *     one before it unless it already has a parent. The message's parent
 *     is the last id of References, or when References has none, the
 *     first id of In-Reply-To; this replaces a parent guessed from
 *     another message's References, and no later References moves it,
 *     even when the link it names could not be made. A message that
 *     names no parent keeps the one another message's References gave
 *     it (JWZ drops it, which makes the result depend on the order of
 *     the messages). A link that would close a loop is not made (the
 *     message stays a root).
 *  2. Empty containers (ids named but not among the kept messages) are
 *     removed and their children promoted to their level: below a
 *     message, they become that message's children. An empty root with a
 *     single child leaves that child a plain root. An empty root with
 *     several children keeps them together: they are consecutive roots of
 *     one thread (depth 0, parent UINT32_MAX), the first of them with
 *     fake_parent false and the others with fake_parent true, so a run of
 *     fake_parent rows always follows the row that opens its group.
 *  3. With group_subject, threads whose base subject (mime_subject_base();
 *     a group's is that of its first message) is equal, byte for byte,
 *     and not empty are joined as JWZ step 5 does: the later thread hangs
 *     under the earliest one. A message root becomes a child of the
 *     earliest root (or one more member of its group when that is a group
 *     of step 2); a group's members become children of the earliest root.
 *  4. Siblings are ordered by store_msg_sort_date(), then message index;
 *     threads by the earliest sort date in the thread, then the smallest
 *     message index with that date; rows come in depth-first pre-order.
 *
 * Flat sorts: by date (Date:, else delivery time), its exact mirror,
 * sender or base subject (ASCII case-insensitive) then date, size then
 * date; the message index breaks the last ties.
 *
 * Nothing recurses: 100,000 messages replying to each other in a chain
 * make one thread 100,000 deep (depth saturates at UINT16_MAX). Nothing
 * is allocated per message: containers, ids and rows are arrays, ids are
 * found through one open-addressing table, and sorts run on arrays of
 * keys; bench/bench_view measures it (100,000 messages thread in a few
 * hundredths of a second).
 *
 * Tree drawing (store_view_tree()): a row at depth d draws one column per
 * ancestor between the thread root and the row (the root itself draws
 * none): "│ " when that ancestor has a later sibling, "  " otherwise; then
 * "├─>" when the row has a later sibling, "└─>" when it is the last one.
 * A root draws nothing, except a fake_parent root (a later member of a
 * group hanging from a missing message) which draws "─>". With ascii:
 * "| ", "  ", "|->", "`->" and "->".
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "mime.h"
#include "store.h"

#define NONE		UINT32_MAX
#define ID_SEED		UINT64_C(0x6a09e667f3bcc908)
#define SUBJ_SEED	UINT64_C(0xbb67ae8584caa73b)

/*
 * A JWZ container: a Message-ID, with or without its message. Its id
 * (struct cid, what lookups read) and its links (struct cont, what
 * linking reads) live in two arrays: each pass touches less memory.
 */
struct cid {
	const char	*id;		/* borrowed; NULL: not in the table */
	uint32_t	 len;
	uint32_t	 msg;		/* message index, NONE when empty */
};

struct cont {
	uint32_t	 msg;		/* message index, NONE when empty */
	uint32_t	 parent, child, next, prev;
	bool		 named;		/* its message named its parent */
};

/* Open addressing: c is a container + 1, 0 for an empty slot. */
struct slot {
	uint32_t	tag;		/* high bits of the hash */
	uint32_t	c;
};

/*
 * An id met in a message: its own Message-ID first (p NULL when it has
 * none), then the ids that name its ancestors, oldest first.
 */
struct tok {
	const char	*p;		/* borrowed */
	uint64_t	 h;
	uint32_t	 len;
	uint32_t	 c;		/* its container once resolved; before,
					 * for a message's own: its index */
};

struct thr {
	const struct store_msg	*msgs;
	struct cid		*ids;
	struct cont		*c;
	uint32_t		 nc, cap;
	uint32_t		 max_ref;	/* containers for references */
	struct slot		*slots;
	size_t			 mask;
	struct tok		*tok;
	size_t			 ntok, tokcap;
	size_t			*tstart;	/* batch message k's tokens:
						 * [tstart[k], tstart[k + 1]) */
};

/* What the tree of messages needs per container after step 1. */
struct node {
	int64_t		kdate;		/* earliest sort date of the subtree */
	uint32_t	kidx;		/* and the smallest index with it */
	uint32_t	par;		/* parent node after pruning, or NONE */
	uint32_t	up;		/* where children of this one attach */
	uint32_t	nkids;		/* empty roots: message children */
	uint32_t	first;		/* empty roots: earliest of them */
	uint32_t	redirect;	/* empty roots joined by subject */
};

/*
 * A sort record: keys compared in turn (dates and sizes mapped to
 * unsigned numbers in the same order), then the message index.
 */
struct rec {
	uint64_t	k1, k2;
	uint32_t	idx;
	uint32_t	node;		/* threads: the container */
};

/* Distinct strings by content (exact bytes), an entry each. */
struct sent {
	const char	*s;
	size_t		 len;
	uint32_t	 val;		/* for the table's user: an id, a
					 * rank */
};

struct strtab {
	struct sent	*e;		/* e[].s borrowed */
	uint32_t	 n, cap;
	struct slot	*slots;
	size_t		 mask;
};

/*
 * Base subjects, mime_subject_base() called once per distinct subject
 * (replies repeat theirs): subj maps a subject to an entry of base, the
 * distinct base subjects, whose texts text[] owns.
 */
struct bases {
	struct strtab	  subj;
	struct strtab	  base;
	char		**text;		/* text[i] is base.e[i].s */
	uint32_t	  ntext;	/* room in text[] */
};

int64_t
store_msg_sort_date(const struct store_msg *m)
{
	return m->date != STORE_DATE_UNKNOWN ? m->date : m->received;
}

static const char *const sort_names[] = {
	[STORE_SORT_THREADS] = "threads",
	[STORE_SORT_DATE] = "date",
	[STORE_SORT_DATE_REVERSE] = "date-reverse",
	[STORE_SORT_FROM] = "from",
	[STORE_SORT_SUBJECT] = "subject",
	[STORE_SORT_SIZE] = "size",
};

#define NSORTS	(sizeof(sort_names) / sizeof(sort_names[0]))

int
store_sort_parse(const char *s)
{
	size_t	i;

	if (s == NULL)
		return -1;
	for (i = 0; i < NSORTS; i++)
		if (strcmp(s, sort_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
store_sort_name(enum store_sort s)
{
	if ((unsigned)s >= NSORTS)
		return NULL;
	return sort_names[s];
}

void
store_view_free(struct store_view *v)
{
	if (v == NULL)
		return;
	free(v->rows);
	v->rows = NULL;
	v->n = 0;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/*
 * The next "<...>" id in [*p, end), brackets included; junk, "<>" and a
 * '<' without its '>' are skipped. False at the end.
 */
static bool
next_id(const char **p, const char *end, const char **id, size_t *len)
{
	const char	*s = *p, *lt, *q;

	for (;;) {
		lt = memchr(s, '<', (size_t)(end - s));
		if (lt == NULL)
			break;
		for (q = lt + 1; q < end && *q != '>' && *q != '<'; q++)
			continue;
		if (q == end)
			break;
		s = q;
		if (*q == '<')
			continue;
		s = q + 1;
		if (q - lt > 1) {
			*id = lt;
			*len = (size_t)(q + 1 - lt);
			*p = s;
			return true;
		}
	}
	*p = end;
	return false;
}

/* ASCII case-insensitive comparison of two strings with lengths. */
static int
fold_cmp(const char *a, size_t na, const char *b, size_t nb)
{
	size_t	i, n = na < nb ? na : nb;
	int	ca, cb;

	for (i = 0; i < n; i++) {
		ca = ascii_tolower((unsigned char)a[i]);
		cb = ascii_tolower((unsigned char)b[i]);
		if (ca != cb)
			return ca - cb;
	}
	return (na > nb) - (na < nb);
}

/* An int64_t as a uint64_t in the same order. */
static uint64_t
ukey(int64_t v)
{
	return (uint64_t)v ^ (UINT64_C(1) << 63);
}

static bool
rec_less(const struct rec *a, const struct rec *b)
{
	if (a->k1 != b->k1)
		return a->k1 < b->k1;
	if (a->k2 != b->k2)
		return a->k2 < b->k2;
	return a->idx < b->idx;
}

#define RUN	16		/* insertion-sorted runs of rec_sort() */

static void
insertion_sort(struct rec *a, size_t n)
{
	struct rec	x;
	size_t		i, j;

	for (i = 1; i < n; i++) {
		x = a[i];
		for (j = i; j > 0 && rec_less(&x, &a[j - 1]); j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

static void
merge(const struct rec *src, struct rec *dst, size_t lo, size_t mid,
    size_t hi)
{
	size_t	p = lo, q = mid, k = lo;

	while (p < mid && q < hi)
		dst[k++] = rec_less(&src[q], &src[p]) ? src[q++] : src[p++];
	memcpy(dst + k, src + p, (mid - p) * sizeof(*src));
	k += mid - p;
	memcpy(dst + k, src + q, (hi - q) * sizeof(*src));
}

/*
 * Sort records: a bottom-up merge sort over insertion-sorted runs, its
 * comparison inlined (qsort() calls a function per comparison, and the
 * keys are unique: stability does not matter).
 */
static void
rec_sort(struct rec *a, size_t n)
{
	struct rec	*tmp, *src, *dst, *t;
	size_t		 w, lo, mid, hi;

	if (n <= RUN) {
		insertion_sort(a, n);
		return;
	}
	for (lo = 0; lo < n; lo += RUN)
		insertion_sort(a + lo, n - lo < RUN ? n - lo : RUN);
	tmp = xreallocarray(NULL, n, sizeof(*tmp));
	src = a;
	dst = tmp;
	for (w = RUN; w < n; w *= 2) {
		for (lo = 0; lo < n; lo += 2 * w) {
			mid = n - lo < w ? n : lo + w;
			hi = n - lo < 2 * w ? n : lo + 2 * w;
			merge(src, dst, lo, mid, hi);
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	free(tmp);
}

static size_t
pow2_at_least(size_t n)
{
	size_t	p = 16;

	while (p < n)
		p *= 2;
	return p;
}

/* ------------------------------------------------------------------ */
/* Tables of distinct strings                                          */

static struct slot *
slot_free(struct slot *slots, size_t mask, uint64_t h)
{
	size_t	i = (size_t)h & mask;

	while (slots[i].c != 0)
		i = (i + 1) & mask;
	return &slots[i];
}

static void
strtab_init(struct strtab *st, size_t expect)
{
	st->n = 0;
	st->cap = 64;
	st->e = xreallocarray(NULL, st->cap, sizeof(*st->e));
	st->mask = pow2_at_least(expect * 2) - 1;
	st->slots = xcalloc(st->mask + 1, sizeof(*st->slots));
}

static void
strtab_free(struct strtab *st)
{
	free(st->e);
	free(st->slots);
}

static void
strtab_grow(struct strtab *st)
{
	size_t		i, n = (st->mask + 1) * 2;
	uint64_t	h;

	free(st->slots);
	st->mask = n - 1;
	st->slots = xcalloc(n, sizeof(*st->slots));
	for (i = 0; i < st->n; i++) {
		h = hash64(st->e[i].s, st->e[i].len, SUBJ_SEED);
		*slot_free(st->slots, st->mask, h) = (struct slot){
		    (uint32_t)(h >> 32), (uint32_t)i + 1 };
	}
}

/* The entry of [s, s + len), added (val NONE) when new. */
static uint32_t
strtab_get(struct strtab *st, const char *s, size_t len, bool *added)
{
	uint64_t	 h = hash64(s, len, SUBJ_SEED);
	uint32_t	 tag = (uint32_t)(h >> 32), e;
	size_t		 i;

	*added = false;
	for (i = (size_t)h & st->mask; st->slots[i].c != 0;
	    i = (i + 1) & st->mask) {
		e = st->slots[i].c - 1;
		if (st->slots[i].tag == tag && st->e[e].len == len &&
		    memcmp(st->e[e].s, s, len) == 0)
			return e;
	}
	if (st->n == st->cap) {
		st->cap = st->cap < NONE / 2 ? st->cap * 2 : NONE;
		st->e = xreallocarray(st->e, st->cap, sizeof(*st->e));
	}
	e = st->n++;
	st->e[e] = (struct sent){ s, len, NONE };
	st->slots[i] = (struct slot){ tag, e + 1 };
	if ((size_t)st->n * 2 > st->mask)
		strtab_grow(st);
	*added = true;
	return e;
}

static int
sent_cmp(const void *a, const void *b)
{
	const struct sent	*x = a, *y = b;

	return fold_cmp(x->s, x->len, y->s, y->len);
}

/* val = rank in ASCII case-insensitive order (equal when folded equal). */
static void
strtab_rank(struct strtab *st)
{
	struct sent	*s;
	uint32_t	 i, rank = 0;

	if (st->n == 0)
		return;
	s = xreallocarray(NULL, st->n, sizeof(*s));
	for (i = 0; i < st->n; i++)
		s[i] = (struct sent){ st->e[i].s, st->e[i].len, i };
	qsort(s, st->n, sizeof(*s), sent_cmp);
	for (i = 0; i < st->n; i++) {
		if (i > 0 && sent_cmp(&s[i - 1], &s[i]) != 0)
			rank++;
		st->e[s[i].val].val = rank;
	}
	free(s);
}

static void
bases_init(struct bases *b, size_t expect)
{
	strtab_init(&b->subj, expect);
	strtab_init(&b->base, expect);
	b->ntext = b->base.cap;
	b->text = xreallocarray(NULL, b->ntext, sizeof(*b->text));
}

static void
bases_free(struct bases *b)
{
	uint32_t	i;

	for (i = 0; i < b->base.n; i++)
		free(b->text[i]);
	free(b->text);
	strtab_free(&b->subj);
	strtab_free(&b->base);
}

/* The entry in b->base of subject's base subject. */
static uint32_t
base_id(struct bases *b, const char *subject)
{
	uint32_t	 e, id;
	bool		 added;
	char		*t;

	if (subject == NULL)
		subject = "";
	e = strtab_get(&b->subj, subject, strlen(subject), &added);
	if (!added)
		return b->subj.e[e].val;
	t = mime_subject_base(subject);
	id = strtab_get(&b->base, t, strlen(t), &added);
	if (added && b->ntext < b->base.cap) {
		b->ntext = b->base.cap;
		b->text = xreallocarray(b->text, b->ntext, sizeof(*b->text));
	}
	if (added)
		b->text[id] = t;
	else
		free(t);
	b->subj.e[e].val = id;
	return id;
}

/* ------------------------------------------------------------------ */
/* Step 1: containers and links                                        */

/*
 * Step 1 runs in three passes over each batch of messages. Tokenising
 * hashes every id; resolving finds or creates their containers, the
 * hash table slots of the ids AHEAD tokens on prefetched, since a
 * folder's table is too large for the caches and each lookup would
 * otherwise wait for memory three times (slot, container, id text);
 * linking then works on container numbers only.
 */
#define AHEAD	16
#define CHUNK	8192

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(a)	__builtin_prefetch(a)
#else
#define PREFETCH(a)	((void)(a))
#endif

static void
tok_add(struct thr *t, const char *p, size_t len, uint32_t c)
{
	struct tok	*x;

	if (t->ntok == t->tokcap) {
		t->tokcap = t->tokcap == 0 ? 1024 : t->tokcap * 2;
		t->tok = xreallocarray(t->tok, t->tokcap, sizeof(*t->tok));
	}
	x = &t->tok[t->ntok++];
	x->p = p;
	x->len = (uint32_t)len;
	x->h = p != NULL ? hash64(p, len, ID_SEED) : 0;
	x->c = c;
}

/* Message i's own id, then those of References, else of In-Reply-To. */
static void
tokenize(struct thr *t, uint32_t i)
{
	const struct store_msg	*m = &t->msgs[i];
	const char		*s, *end, *id;
	size_t			 len, before;

	len = m->message_id != NULL ? strlen(m->message_id) : 0;
	tok_add(t, len > 0 && len <= UINT32_MAX ? m->message_id : NULL, len,
	    i);
	before = t->ntok;
	if (m->references != NULL) {
		s = m->references;
		end = s + strlen(s);
		while (next_id(&s, end, &id, &len))
			if (len <= UINT32_MAX)
				tok_add(t, id, len, NONE);
	}
	if (t->ntok == before && m->in_reply_to != NULL) {
		s = m->in_reply_to;
		end = s + strlen(s);
		if (next_id(&s, end, &id, &len) && len <= UINT32_MAX)
			tok_add(t, id, len, NONE);
	}
}

static uint32_t
cont_new(struct thr *t, const char *id, uint32_t len)
{
	struct cont	*c;

	if (t->nc == t->cap) {
		t->cap = t->cap < NONE / 2 ? t->cap * 2 : NONE - 1;
		t->ids = xreallocarray(t->ids, t->cap, sizeof(*t->ids));
		t->c = xreallocarray(t->c, t->cap, sizeof(*t->c));
	}
	t->ids[t->nc].id = id;
	t->ids[t->nc].len = len;
	t->ids[t->nc].msg = NONE;
	c = &t->c[t->nc];
	c->msg = c->parent = c->child = c->next = c->prev = NONE;
	c->named = false;
	return t->nc++;
}

/* Double the table (kept at most half full). */
static void
slots_grow(struct thr *t)
{
	struct slot	*old = t->slots, *s;
	size_t		 i, oldn = t->mask + 1;
	uint64_t	 h;

	t->mask = oldn * 2 - 1;
	t->slots = xcalloc(oldn * 2, sizeof(*t->slots));
	for (i = 0; i < oldn; i++) {
		if (old[i].c == 0)
			continue;
		h = hash64(t->ids[old[i].c - 1].id, t->ids[old[i].c - 1].len,
		    ID_SEED);
		s = slot_free(t->slots, t->mask, h);
		*s = old[i];
	}
	free(old);
}

/*
 * The container of an id, created when new. NONE when the ids of
 * References have used every container index left (4 billion ids: no
 * real folder gets near); the messages' own always fit.
 */
static uint32_t
id_get(struct thr *t, const struct tok *x, bool ref)
{
	uint32_t	 tag = (uint32_t)(x->h >> 32), c;
	size_t		 i = (size_t)x->h & t->mask;
	struct slot	*s;

	for (;; i = (i + 1) & t->mask) {
		s = &t->slots[i];
		if (s->c == 0)
			break;
		if (s->tag != tag)
			continue;
		c = s->c - 1;
		if (t->ids[c].len == x->len &&
		    memcmp(t->ids[c].id, x->p, x->len) == 0)
			return c;
	}
	if (ref && t->nc >= t->max_ref)
		return NONE;
	c = cont_new(t, x->p, x->len);
	s->tag = tag;
	s->c = c + 1;
	if ((size_t)t->nc * 2 > t->mask)
		slots_grow(t);
	return c;
}

/* The container of a message: its id's, or a fresh one without id. */
static uint32_t
own_container(struct thr *t, const struct tok *x)
{
	uint32_t	c = NONE;

	if (x->p != NULL)
		c = id_get(t, x, false);
	if (c == NONE || t->ids[c].msg != NONE)
		c = cont_new(t, NULL, 0);
	t->ids[c].msg = t->c[c].msg = x->c;
	return c;
}

/* Warm the caches for the lookups of the tokens after j. */
static void
prefetch_ahead(const struct thr *t, size_t j)
{
	const struct tok	*x;
	const struct slot	*s;

	if (j + AHEAD >= t->ntok)
		return;
	x = &t->tok[j + AHEAD];
	if (x->p != NULL)
		PREFETCH(&t->slots[x->h & t->mask]);
	x = &t->tok[j + AHEAD / 2];
	s = &t->slots[x->h & t->mask];
	if (x->p != NULL && s->c != 0)
		PREFETCH(&t->ids[s->c - 1]);
	x = &t->tok[j + AHEAD / 4];
	s = &t->slots[x->h & t->mask];
	if (x->p != NULL && s->c != 0 && s->tag == (uint32_t)(x->h >> 32))
		PREFETCH(t->ids[s->c - 1].id);
}

/* Every token gets its container; tok[].c becomes a container number. */
static void
resolve(struct thr *t)
{
	size_t		j, next = t->tstart[0];
	uint32_t	k = 0;

	for (j = 0; j < t->ntok; j++) {
		prefetch_ahead(t, j);
		if (j == next) {
			next = t->tstart[++k];
			t->tok[j].c = own_container(t, &t->tok[j]);
		} else
			t->tok[j].c = id_get(t, &t->tok[j], true);
	}
}

/*
 * Whether making child (a root) a child of parent would close a loop,
 * that is whether parent is child or lies below it. Two walks advance in
 * turn, up from parent and through child's subtree, and the first to end
 * answers: the cost is that of the smaller one.
 */
static bool
would_loop(const struct thr *t, uint32_t child, uint32_t parent)
{
	const struct cont	*c = t->c;
	uint32_t		 u = parent, d = child;

	if (parent == child)
		return true;
	for (;;) {
		u = c[u].parent;
		if (u == child)
			return true;
		if (u == NONE)
			return false;
		if (c[d].child != NONE)
			d = c[d].child;
		else {
			while (d != child && c[d].next == NONE)
				d = c[d].parent;
			if (d == child)
				return false;
			d = c[d].next;
		}
		if (d == parent)
			return true;
	}
}

static void
link_under(struct thr *t, uint32_t child, uint32_t parent)
{
	struct cont	*c = t->c;

	c[child].parent = parent;
	c[child].prev = NONE;
	c[child].next = c[parent].child;
	if (c[parent].child != NONE)
		c[c[parent].child].prev = child;
	c[parent].child = child;
}

static void
unlink_from_parent(struct thr *t, uint32_t x)
{
	struct cont	*c = t->c;

	if (c[x].prev != NONE)
		c[c[x].prev].next = c[x].next;
	else
		c[c[x].parent].child = c[x].next;
	if (c[x].next != NONE)
		c[c[x].next].prev = c[x].prev;
	c[x].parent = c[x].prev = c[x].next = NONE;
}

/* JWZ step 1 for the message of tokens [from, to). */
static void
link_msg(struct thr *t, size_t from, size_t to)
{
	uint32_t	c = t->tok[from].c, p = NONE, x;
	size_t		j;

	for (j = from + 1; j < to; j++) {
		x = t->tok[j].c;
		if (x == NONE)
			continue;
		if (p != NONE && t->c[x].parent == NONE && !t->c[x].named &&
		    !would_loop(t, x, p))
			link_under(t, x, p);
		p = x;
	}
	if (p == NONE)
		return;
	t->c[c].named = true;
	if (t->c[c].parent != NONE)
		unlink_from_parent(t, c);
	if (!would_loop(t, c, p))
		link_under(t, c, p);
}

/* Resolve, then link, the messages tokenised so far. */
static void
flush(struct thr *t, uint32_t nmsg)
{
	uint32_t	k;

	t->tstart[nmsg] = t->ntok;
	resolve(t);
	for (k = 0; k < nmsg; k++)
		link_msg(t, t->tstart[k], t->tstart[k + 1]);
	t->ntok = 0;
}

/*
 * Step 1 for the kept messages: t->c, t->nc. Messages go by batches of
 * about CHUNK ids, so that the tokens take little memory whatever the
 * folder.
 */
static void
link_all(struct thr *t, uint32_t n, const bool *keep, uint32_t m)
{
	uint32_t	i, k = 0;

	t->cap = m + m / 4 + 16;
	t->ids = xreallocarray(NULL, t->cap, sizeof(*t->ids));
	t->c = xreallocarray(NULL, t->cap, sizeof(*t->c));
	t->nc = 0;
	t->max_ref = NONE - 1 - m;
	t->mask = pow2_at_least((size_t)t->cap * 2) - 1;
	t->slots = xcalloc(t->mask + 1, sizeof(*t->slots));
	t->tokcap = CHUNK * 2;
	t->tok = xreallocarray(NULL, t->tokcap, sizeof(*t->tok));
	t->ntok = 0;
	t->tstart = xreallocarray(NULL, CHUNK + 1, sizeof(*t->tstart));
	for (i = 0; i < n; i++) {
		if (keep != NULL && !keep[i])
			continue;
		t->tstart[k++] = t->ntok;
		tokenize(t, i);
		if (t->ntok >= CHUNK) {
			flush(t, k);
			k = 0;
		}
	}
	flush(t, k);
	free(t->slots);
	free(t->ids);
	free(t->tok);
	free(t->tstart);
}

/* Every container, parents before children (no recursion). */
static void
preorder(const struct thr *t, uint32_t *order)
{
	const struct cont	*c = t->c;
	uint32_t		 r, x, k = 0;

	for (r = 0; r < t->nc; r++) {
		if (c[r].parent != NONE)
			continue;
		x = r;
		for (;;) {
			order[k++] = x;
			if (c[x].child != NONE) {
				x = c[x].child;
				continue;
			}
			while (x != r && c[x].next == NONE)
				x = c[x].parent;
			if (x == r)
				break;
			x = c[x].next;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Steps 2 to 4: prune, join by subject, order, emit                   */

struct tree {
	const struct store_msg	*msgs;
	const struct cont	*c;
	uint32_t		 nc;
	struct node		*nd;
	uint32_t		*order;
	struct rec		*roots;
	uint32_t		 nroots;
	struct rec		*kids;		/* children, by parent: in
						 * the same block, after the
						 * roots */
	uint32_t		*start;		/* node k's children: kids
						 * [start[k], start[k + 1]) */
	struct rec		*kids_own;	/* when they do not fit */
	struct store_view_row	*rows;
	uint32_t		 nrows;
};

static bool
own_before(const struct tree *tr, uint32_t a, uint32_t b)
{
	int64_t	da = store_msg_sort_date(&tr->msgs[tr->c[a].msg]);
	int64_t	db = store_msg_sort_date(&tr->msgs[tr->c[b].msg]);

	if (da != db)
		return da < db;
	return tr->c[a].msg < tr->c[b].msg;
}

/*
 * Parents after pruning: a message attaches to its nearest message
 * ancestor, else to its top empty root. Subtree keys are then summed up
 * from the leaves (reverse pre-order visits children first).
 */
static void
prune(struct tree *tr)
{
	const struct cont	*c = tr->c;
	struct node		*nd = tr->nd, *x;
	uint32_t		 i, k, p;

	for (i = 0; i < tr->nc; i++) {
		k = tr->order[i];
		x = &nd[k];
		x->nkids = 0;
		x->first = x->redirect = NONE;
		x->up = c[k].msg != NONE || c[k].parent == NONE ? k :
		    nd[c[k].parent].up;
		if (c[k].msg == NONE) {
			x->par = NONE;
			x->kdate = INT64_MAX;
			x->kidx = NONE;
			continue;
		}
		x->kdate = store_msg_sort_date(&tr->msgs[c[k].msg]);
		x->kidx = c[k].msg;
		p = c[k].parent == NONE ? NONE : nd[c[k].parent].up;
		x->par = p;
		if (p != NONE && c[p].msg == NONE) {
			if (nd[p].nkids++ == 0 ||
			    own_before(tr, k, nd[p].first))
				nd[p].first = k;
		}
	}
	for (i = tr->nc; i-- > 0;) {
		k = tr->order[i];
		p = nd[k].par;
		if (c[k].msg == NONE || p == NONE)
			continue;
		if (c[p].msg == NONE && nd[p].nkids == 1) {
			nd[k].par = NONE;
			continue;
		}
		if (nd[k].kdate < nd[p].kdate || (nd[k].kdate == nd[p].kdate &&
		    nd[k].kidx < nd[p].kidx)) {
			nd[p].kdate = nd[k].kdate;
			nd[p].kidx = nd[k].kidx;
		}
	}
}

/* Thread roots, oldest thread first. */
static void
collect_roots(struct tree *tr)
{
	const struct cont	*c = tr->c;
	uint32_t		 k, n = 0;

	for (k = 0; k < tr->nc; k++) {
		if (c[k].msg != NONE ? tr->nd[k].par != NONE :
		    c[k].parent != NONE || tr->nd[k].nkids < 2)
			continue;
		tr->roots[n].k1 = ukey(tr->nd[k].kdate);
		tr->roots[n].k2 = 0;
		tr->roots[n].idx = tr->nd[k].kidx;
		tr->roots[n].node = k;
		n++;
	}
	tr->nroots = n;
	rec_sort(tr->roots, n);
}

/* Hang root r (a later thread) under the earliest root a. */
static void
join_roots(struct tree *tr, uint32_t a, uint32_t r)
{
	if (tr->c[r].msg != NONE)
		tr->nd[r].par = a;
	else
		tr->nd[r].redirect = a;
}

/* Step 3: roots with the same non-empty base subject are joined. */
static void
group_subjects(struct tree *tr)
{
	struct bases	 b;
	uint32_t	*id, *anchor, i, n = 0, r;

	bases_init(&b, tr->nroots);
	id = xreallocarray(NULL, tr->nroots, sizeof(*id));
	for (i = 0; i < tr->nroots; i++) {
		r = tr->roots[i].node;
		if (tr->c[r].msg == NONE)
			r = tr->nd[r].first;
		id[i] = base_id(&b, tr->msgs[tr->c[r].msg].subject);
	}
	anchor = xreallocarray(NULL, b.base.n, sizeof(*anchor));
	for (i = 0; i < b.base.n; i++)
		anchor[i] = NONE;
	for (i = 0; i < tr->nroots; i++) {
		r = tr->roots[i].node;
		if (b.base.e[id[i]].len > 0 && anchor[id[i]] != NONE) {
			join_roots(tr, anchor[id[i]], r);
			continue;
		}
		anchor[id[i]] = r;
		tr->roots[n++] = tr->roots[i];
	}
	tr->nroots = n;
	free(anchor);
	free(id);
	bases_free(&b);
}

/* Children of every node in runs of kids[], each run in sibling order. */
static void
collect_kids(struct tree *tr)
{
	const struct cont	*c = tr->c;
	struct node		*nd = tr->nd;
	struct rec		*r;
	uint32_t		 k, p, sum = 0, n;

	memset(tr->start, 0, ((size_t)tr->nc + 1) * sizeof(*tr->start));
	for (k = 0; k < tr->nc; k++) {
		p = nd[k].par;
		if (c[k].msg == NONE || p == NONE)
			continue;
		if (c[p].msg == NONE && nd[p].redirect != NONE)
			p = nd[k].par = nd[p].redirect;
		tr->start[p]++;
	}
	for (k = 0; k < tr->nc; k++) {
		n = tr->start[k];
		tr->start[k] = sum;
		nd[k].up = sum;			/* the fill cursor */
		sum += n;
	}
	tr->start[tr->nc] = sum;
	/* Every message is a root or a child, and so is every kept empty
	 * root: the block the roots are in has room for the children. */
	if (sum <= tr->nc - tr->nroots)
		tr->kids = tr->roots + tr->nroots;
	else
		tr->kids = tr->kids_own = xreallocarray(NULL, sum,
		    sizeof(*tr->kids));
	for (k = 0; k < tr->nc; k++) {
		p = nd[k].par;
		if (c[k].msg == NONE || p == NONE)
			continue;
		r = &tr->kids[nd[p].up++];
		r->k1 = ukey(store_msg_sort_date(&tr->msgs[c[k].msg]));
		r->k2 = 0;
		r->idx = c[k].msg;
		r->node = k;
	}
	for (k = 0; k < tr->nc; k++)
		if (tr->start[k + 1] - tr->start[k] > 1)
			rec_sort(tr->kids + tr->start[k], tr->start[k + 1] -
			    tr->start[k]);
}

static uint32_t
add_row(struct tree *tr, uint32_t node, uint32_t parent, uint32_t depth,
    bool last, bool fake)
{
	struct store_view_row	*r = &tr->rows[tr->nrows];

	r->msg = tr->c[node].msg;
	r->parent = parent;
	r->depth = depth > UINT16_MAX ? UINT16_MAX : (uint16_t)depth;
	r->last_child = last;
	r->fake_parent = fake;
	return tr->nrows++;
}

struct frame {
	uint32_t	cur, end;	/* in kids[] */
	uint32_t	prow;		/* the parent's row */
	uint32_t	depth;		/* of the children */
};

/* Rows for the descendants of node, whose row is prow, in pre-order. */
static void
emit_below(struct tree *tr, struct frame *stack, uint32_t node,
    uint32_t prow)
{
	struct frame	*f;
	uint32_t	 sp = 0, k, r;

	if (tr->start[node] == tr->start[node + 1])
		return;
	stack[sp++] = (struct frame){ tr->start[node], tr->start[node + 1],
	    prow, tr->rows[prow].depth + 1u };
	while (sp > 0) {
		f = &stack[sp - 1];
		if (f->cur == f->end) {
			sp--;
			continue;
		}
		k = tr->kids[f->cur++].node;
		r = add_row(tr, k, f->prow, f->depth, f->cur == f->end, false);
		if (tr->start[k] != tr->start[k + 1])
			stack[sp++] = (struct frame){ tr->start[k],
			    tr->start[k + 1], r, f->depth + 1 };
	}
}

static void
emit(struct tree *tr)
{
	struct frame	*stack;
	uint32_t	 i, j, k, x, r;
	bool		 last;

	stack = xcalloc((size_t)tr->nc + 1, sizeof(*stack));
	for (i = 0; i < tr->nroots; i++) {
		x = tr->roots[i].node;
		last = i + 1 == tr->nroots;
		if (tr->c[x].msg != NONE) {
			r = add_row(tr, x, NONE, 0, last, false);
			emit_below(tr, stack, x, r);
			continue;
		}
		for (j = tr->start[x]; j < tr->start[x + 1]; j++) {
			k = tr->kids[j].node;
			r = add_row(tr, k, NONE, 0, last && j + 1 ==
			    tr->start[x + 1], j != tr->start[x]);
			emit_below(tr, stack, k, r);
		}
	}
	free(stack);
}

static void
build_threads(const struct store_msg *msgs, uint32_t n, const bool *keep,
    uint32_t m, bool group_subject, struct store_view_row *rows)
{
	struct thr	 t;
	struct tree	 tr;

	t.msgs = msgs;
	link_all(&t, n, keep, m);
	/* Room was made for ids that never came. */
	t.c = xreallocarray(t.c, t.nc > 0 ? t.nc : 1, sizeof(*t.c));
	memset(&tr, 0, sizeof(tr));
	tr.msgs = msgs;
	tr.c = t.c;
	tr.nc = t.nc;
	tr.order = xcalloc(t.nc, sizeof(*tr.order));
	tr.nd = xcalloc(t.nc, sizeof(*tr.nd));
	tr.roots = xcalloc(t.nc, sizeof(*tr.roots));
	tr.start = xcalloc((size_t)t.nc + 1, sizeof(*tr.start));
	tr.rows = rows;
	preorder(&t, tr.order);
	prune(&tr);
	free(tr.order);
	tr.order = NULL;
	collect_roots(&tr);
	if (group_subject && tr.nroots > 1)
		group_subjects(&tr);
	collect_kids(&tr);
	emit(&tr);
	free(tr.nd);
	free(tr.roots);
	free(tr.kids_own);
	free(tr.start);
	free(t.c);
}

/* ------------------------------------------------------------------ */
/* Flat sorts                                                          */

/*
 * Each sort is keys for rec_sort(): date; size then date; sender or base
 * subject (ranked in ASCII case-insensitive order, so that comparing
 * them is comparing numbers) then date. Date-reverse is the exact mirror
 * of date: newest first, and a higher index first among equal dates.
 */
static void
flat_keys(const struct store_msg *msgs, uint32_t n, const bool *keep,
    enum store_sort sort, struct rec *f)
{
	struct bases	 b;
	struct strtab	*st = NULL;
	const char	*from;
	uint32_t	 i, k = 0;
	bool		 added;

	/* Senders go in b.subj (a plain table), base subjects in b.base. */
	if (sort == STORE_SORT_FROM || sort == STORE_SORT_SUBJECT) {
		bases_init(&b, 1024);
		st = sort == STORE_SORT_FROM ? &b.subj : &b.base;
	}
	for (i = 0; i < n; i++) {
		if (keep != NULL && !keep[i])
			continue;
		f[k].k1 = ukey(store_msg_sort_date(&msgs[i]));
		f[k].k2 = 0;
		f[k].idx = i;
		if (sort == STORE_SORT_SIZE || st != NULL)
			f[k].k2 = f[k].k1;
		if (sort == STORE_SORT_SIZE)
			f[k].k1 = msgs[i].size;
		else if (sort == STORE_SORT_SUBJECT)
			f[k].k1 = base_id(&b, msgs[i].subject);
		else if (sort == STORE_SORT_FROM) {
			from = msgs[i].from != NULL ? msgs[i].from : "";
			f[k].k1 = strtab_get(st, from, strlen(from), &added);
		}
		k++;
	}
	if (st == NULL)
		return;
	strtab_rank(st);
	for (i = 0; i < k; i++)
		f[i].k1 = st->e[f[i].k1].val;
	bases_free(&b);
}

static void
build_flat(const struct store_msg *msgs, uint32_t n, const bool *keep,
    enum store_sort sort, struct store_view_row *rows, uint32_t m)
{
	struct rec	*f;
	uint32_t	 k;

	f = xreallocarray(NULL, m, sizeof(*f));
	flat_keys(msgs, n, keep, sort, f);
	rec_sort(f, m);
	for (k = 0; k < m; k++) {
		rows[k].msg = f[sort == STORE_SORT_DATE_REVERSE ? m - 1 - k :
		    k].idx;
		rows[k].parent = NONE;
		rows[k].depth = 0;
		rows[k].last_child = false;
		rows[k].fake_parent = false;
	}
	free(f);
}

/* ------------------------------------------------------------------ */

int
store_view_build_msgs(const struct store_msg *msgs, size_t n,
    enum store_sort sort, bool group_subject, const bool *keep,
    struct store_view *out, struct store_err *err)
{
	struct store_view_row	*rows;
	uint32_t		 m = 0;
	size_t			 i;

	out->rows = NULL;
	out->n = 0;
	if ((unsigned)sort >= NSORTS) {
		if (err != NULL)
			(void)fct_snprintf(err->msg, sizeof(err->msg),
			    "unknown sort %d", (int)sort);
		return -1;
	}
	if (n >= UINT32_MAX) {
		if (err != NULL)
			(void)fct_snprintf(err->msg, sizeof(err->msg),
			    "%zu messages: too many to sort", n);
		return -1;
	}
	for (i = 0; i < n; i++)
		m += keep == NULL || keep[i];
	if (m == 0)
		return 0;
	rows = xcalloc(m, sizeof(*rows));
	if (sort == STORE_SORT_THREADS)
		build_threads(msgs, (uint32_t)n, keep, m, group_subject, rows);
	else
		build_flat(msgs, (uint32_t)n, keep, sort, rows, m);
	out->rows = rows;
	out->n = m;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Tree drawing                                                        */

/* Pieces of one drawing: levels (their flags in buf) then a connector. */
struct drawing {
	const char	*buf;		/* level i: buf[i] != 0 for "│ " */
	size_t		 nlevels;
	bool		 ascii;
	const char	*conn;		/* last piece, or NULL */
};

static const char *
piece(const struct drawing *d, size_t i)
{
	if (i == d->nlevels)
		return d->conn;
	if (d->buf[i] == 0)
		return "  ";
	return d->ascii ? "| " : "\xe2\x94\x82 ";		/* "│ " */
}

/* Bytes of the longest prefix of whole UTF-8 characters of s within room. */
static size_t
fit_chars(const char *s, size_t room)
{
	size_t	n = 0, w;

	while (s[n] != '\0') {
		w = ((unsigned char)s[n] & 0xe0) == 0xe0 ? 3 : 1;
		if (n + w > room)
			break;
		n += w;
	}
	return n;
}

/*
 * Write the pieces into buf, right to left so that the level flags at the
 * start of buf (level i's flag at i, its text at 2i or later) are read
 * before they are overwritten.
 */
static size_t
draw(const struct drawing *d, char *buf, size_t size)
{
	size_t		 np = d->nlevels + (d->conn != NULL), i, off = 0, w;
	size_t		 part = 0, total;
	const char	*p;

	for (i = 0; i < np; i++) {
		w = strlen(piece(d, i));
		if (off + w > size - 1) {
			part = fit_chars(piece(d, i), size - 1 - off);
			break;
		}
		off += w;
	}
	total = off + part;
	if (part > 0)
		memcpy(buf + off, piece(d, i), part);
	while (i-- > 0) {
		p = piece(d, i);
		w = strlen(p);
		off -= w;
		memmove(buf + off, p, w);
	}
	buf[total] = '\0';
	return total;
}

size_t
store_view_tree(const struct store_view *v, size_t r, bool ascii, char *buf,
    size_t size)
{
	const struct store_view_row	*row;
	struct drawing			 d;
	size_t				 levels = 0, keep, lvl, j = 0;
	uint32_t			 p;

	if (buf == NULL || size == 0)
		return 0;
	buf[0] = '\0';
	if (v == NULL || r >= v->n || size == 1)
		return 0;
	row = &v->rows[r];
	d.buf = buf;
	d.ascii = ascii;
	d.nlevels = 0;
	if (row->parent == NONE) {
		if (!row->fake_parent)
			return 0;
		d.conn = ascii ? "->" : "\xe2\x94\x80>";		/* ─> */
		return draw(&d, buf, size);
	}
	if (row->last_child)		/* └─> */
		d.conn = ascii ? "`->" : "\xe2\x94\x94\xe2\x94\x80>";
	else				/* ├─> */
		d.conn = ascii ? "|->" : "\xe2\x94\x9c\xe2\x94\x80>";
	for (p = row->parent; v->rows[p].parent != NONE; p = v->rows[p].parent)
		levels++;
	/* Level i starts at byte 2i or later: the rest cannot show. */
	keep = levels < size / 2 + 1 ? levels : size / 2 + 1;
	for (p = row->parent; v->rows[p].parent != NONE;
	    p = v->rows[p].parent) {
		lvl = levels - 1 - j++;
		if (lvl < keep)
			buf[lvl] = !v->rows[p].last_child;
	}
	d.nlevels = keep;
	if (keep < levels)
		d.conn = NULL;
	return draw(&d, buf, size);
}
