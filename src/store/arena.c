/*
 * arena.c: strings that live as long as a folder handle. Thousands of
 * short strings per folder would cost a malloc header each; chunks cost
 * one per 256 KiB and free in one walk.
 */
#include <stdlib.h>
#include <string.h>

#include "store_priv.h"

#define CHUNK_SIZE	(256u * 1024u)

struct arena_chunk {
	struct arena_chunk	*next;
	size_t			 size, used;
	char			 data[];
};

void
arena_init(struct arena *a)
{
	a->head = NULL;
	a->used_total = 0;
}

void
arena_free(struct arena *a)
{
	struct arena_chunk	*c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	arena_init(a);
}

char *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk	*c = a->head;
	size_t			 size;

	if (c == NULL || c->size - c->used < n) {
		/* Big requests get a chunk of their own behind the current
		 * one, so the current chunk's free space is not wasted. */
		size = n > CHUNK_SIZE / 4 ? n : CHUNK_SIZE;
		c = xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		if (size == n && a->head != NULL) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	c->used += n;
	a->used_total += n;
	return c->data + c->used - n;
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char	*p = arena_alloc(a, len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* ------------------------------------------------------------------ */
/* Sets of distinct strings                                            */

#define STRSET_SEED	UINT64_C(0x7374727365740a00)

void
strset_init(struct strset *s)
{
	memset(s, 0, sizeof(*s));
}

void
strset_free(struct strset *s)
{
	free(s->strs);
	free(s->lens);
	free(s->slots);
	strset_init(s);
}

uint32_t
strset_hash(const char *p, size_t len)
{
	return (uint32_t)hash64(p, len, STRSET_SEED);
}

/* A slot holds entry + 1 in its low half and the entry's hash in its high
 * half, so that a probe only reads the entry on a likely match. */
#define SLOT(e, h)	((uint64_t)(h) << 32 | ((uint64_t)(e) + 1))
#define SLOT_ENTRY(v)	((uint32_t)(v) - 1)
#define SLOT_HASH(v)	((uint32_t)((v) >> 32))

static void
strset_grow(struct strset *s)
{
	size_t		 nslots = s->mask == 0 ? 1024 : (s->mask + 1) * 2, i, j;
	uint64_t	*old = s->slots, v;

	s->slots = xcalloc(nslots, sizeof(*s->slots));
	for (j = 0; old != NULL && j <= s->mask; j++) {
		if ((v = old[j]) == 0)
			continue;
		i = SLOT_HASH(v) & (nslots - 1);
		while (s->slots[i] != 0)
			i = (i + 1) & (nslots - 1);
		s->slots[i] = v;
	}
	free(old);
	s->mask = nslots - 1;
	s->cap = (uint32_t)(nslots / 2);
	s->strs = xreallocarray(s->strs, s->cap, sizeof(*s->strs));
	s->lens = xreallocarray(s->lens, s->cap, sizeof(*s->lens));
}

bool
strset_put_hashed(struct strset *s, const char *p, size_t len, uint32_t h,
    uint32_t *idx)
{
	size_t		i;
	uint64_t	v;
	uint32_t	e;

	*idx = UINT32_MAX;
	if (len > UINT32_MAX || s->n >= UINT32_MAX / 4)
		return false;
	if (s->n >= s->cap)
		strset_grow(s);
	for (i = h & s->mask; (v = s->slots[i]) != 0; i = (i + 1) & s->mask) {
		e = SLOT_ENTRY(v);
		if (SLOT_HASH(v) == h && s->lens[e] == len &&
		    memcmp(s->strs[e], p, len) == 0) {
			*idx = e;
			return false;
		}
	}
	*idx = s->n++;
	s->strs[*idx] = p;
	s->lens[*idx] = (uint32_t)len;
	s->slots[i] = SLOT(*idx, h);
	return true;
}

bool
strset_put(struct strset *s, const char *p, size_t len, uint32_t *idx)
{
	return strset_put_hashed(s, p, len, strset_hash(p, len), idx);
}
