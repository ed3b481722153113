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
