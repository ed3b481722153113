/*
 * buf.h: the one growable byte buffer of facteur.
 *
 * A struct buf holds bytes plus a NUL after them (so text can be used as a C
 * string), tracks its length, and has a maximum size fixed at init: appends
 * that would exceed it fail and leave the buffer unchanged. Every append
 * result must be checked.
 *
 * Ownership: the buffer owns its memory until buf_free() or buf_take().
 * Pointers into b->data are invalidated by any call that appends.
 */
#ifndef FACTEUR_BUF_H
#define FACTEUR_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "util.h"

struct buf {
	char	*data;	/* owned; NUL-terminated; NULL until first append */
	size_t	 len;	/* bytes in use, the NUL excluded */
	size_t	 cap;	/* bytes allocated */
	size_t	 max;	/* largest len allowed */
};

/* A buffer of at most max bytes (max < SIZE_MAX - 1). Allocates nothing. */
void	buf_init(struct buf *b, size_t max);
/* Release memory; the buffer can be used again (same max). */
void	buf_free(struct buf *b);
/* Like buf_free, but overwrite the contents first (secrets). */
void	buf_free_secret(struct buf *b);
/* Forget the contents, keep the memory. */
void	buf_reset(struct buf *b);

/* Append; 0 on success, -1 (unchanged) if the result would exceed max. */
int	buf_append(struct buf *b, const void *p, size_t n) FCT_MUST_CHECK;
int	buf_append_str(struct buf *b, const char *s) FCT_MUST_CHECK;
int	buf_append_byte(struct buf *b, unsigned char c) FCT_MUST_CHECK;
int	buf_printf(struct buf *b, const char *fmt, ...) FCT_PRINTF(2, 3)
	    FCT_MUST_CHECK;
int	buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	    FCT_PRINTF(2, 0) FCT_MUST_CHECK;

/* Drop the first n bytes (n > len drops everything). */
void	buf_consume(struct buf *b, size_t n);
/* Shorten to n bytes (no-op if n >= len). */
void	buf_truncate(struct buf *b, size_t n);
/*
 * Make room for at least n more bytes and return where they go; commit them
 * with buf_commit(). NULL if len + n would exceed max.
 */
char	*buf_reserve(struct buf *b, size_t n);
void	 buf_commit(struct buf *b, size_t n);

/*
 * Detach the memory: returns a NUL-terminated string owned by the caller
 * (free with free(); never NULL, "" when empty) and resets the buffer.
 */
char	*buf_take(struct buf *b);

/* Append the whole file at path (at most b->max bytes in all): 0, or -1
 * with errno set (EFBIG when it does not fit). */
int	buf_read_file(struct buf *b, const char *path) FCT_MUST_CHECK;

/* The contents as a C string; "" when nothing was ever appended. */
const char *buf_str(const struct buf *b);

#endif /* FACTEUR_BUF_H */
