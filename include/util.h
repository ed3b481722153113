/*
 * util.h: allocation that never fails, logging and fatal-error hooks,
 * bounded string helpers, time.
 *
 * Default rule: arguments are borrowed for the duration of the call; results
 * are owned by the caller and freed with free() unless stated otherwise.
 */
#ifndef FACTEUR_UTIL_H
#define FACTEUR_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define FCT_PRINTF(f, a)	__attribute__((format(printf, f, a)))
#define FCT_NORETURN		__attribute__((noreturn))
#define FCT_MUST_CHECK		__attribute__((warn_unused_result))
#else
#define FCT_PRINTF(f, a)
#define FCT_NORETURN		_Noreturn
#define FCT_MUST_CHECK
#endif

/*
 * Allocation. Out of memory is not an error path: these call fatalx().
 * xfree_secret() overwrites n bytes before freeing (passwords, tokens).
 */
void	*xmalloc(size_t n);
void	*xcalloc(size_t nmemb, size_t size);
void	*xrealloc(void *p, size_t n);
void	*xreallocarray(void *p, size_t nmemb, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
char	*xmemdup0(const void *p, size_t n);	/* copy plus a NUL */
char	*xasprintf(const char *fmt, ...) FCT_PRINTF(1, 2);
char	*xvasprintf(const char *fmt, va_list ap) FCT_PRINTF(1, 0);
void	 explicit_zero(void *p, size_t n);
void	 xfree_secret(char **s);

/*
 * Logging. Library code never prints: it calls these, and whoever owns the
 * process (main, a test) installs a hook with log_set_hook(). Without a hook
 * messages at LOG_WARN and above go to stderr as "facteur: TEXT".
 * The *x variants do not append errno's text; log_warn() appends
 * ": strerror(errno)" when errno is not 0.
 */
enum log_level {
	LOG_TRACE,	/* protocol exchanges (passwords masked) */
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR
};

typedef void log_hook_cb(enum log_level level, const char *msg, void *arg);

void	log_set_hook(log_hook_cb *hook, void *arg);
void	log_set_level(enum log_level min);	/* default: LOG_WARN */
int	log_enabled(enum log_level level);
void	log_msg(enum log_level level, const char *fmt, ...) FCT_PRINTF(2, 3);
void	log_trace(const char *fmt, ...) FCT_PRINTF(1, 2);
void	log_debug(const char *fmt, ...) FCT_PRINTF(1, 2);
void	log_info(const char *fmt, ...) FCT_PRINTF(1, 2);
void	log_warn(const char *fmt, ...) FCT_PRINTF(1, 2);
void	log_warnx(const char *fmt, ...) FCT_PRINTF(1, 2);

/*
 * Fatal errors: run the cleanup hook (the interface installs endwin()), print
 * "facteur: TEXT" to stderr and exit with status 1. fatal() appends errno's
 * text, fatalx() does not. Only for impossible situations and out of memory.
 */
typedef void cleanup_hook_cb(void);
void	fatal_set_cleanup(cleanup_hook_cb *hook);
FCT_NORETURN void fatal(const char *fmt, ...) FCT_PRINTF(1, 2);
FCT_NORETURN void fatalx(const char *fmt, ...) FCT_PRINTF(1, 2);

/*
 * Strings. strlcpy/strlcat as in OpenBSD (Debian 12's glibc lacks them):
 * they return the length they tried to create; truncation when >= size.
 */
size_t	 fct_strlcpy(char *dst, const char *src, size_t size);
size_t	 fct_strlcat(char *dst, const char *src, size_t size);
/* snprintf that returns -1 on truncation or error, else the length. */
int	 fct_snprintf(char *dst, size_t size, const char *fmt, ...)
	    FCT_PRINTF(3, 4);
/* First occurrence of needle in hay, both with lengths; NULL if absent. */
const void *mem_find(const void *hay, size_t hlen, const void *needle,
	    size_t nlen);
/* ASCII case-insensitive comparisons (locale-independent). */
int	 ascii_casecmp(const char *a, const char *b);
int	 ascii_ncasecmp(const char *a, const char *b, size_t n);
/* The n bytes at w are the word name, ASCII case ignored (protocol
 * keywords: CAPA, EHLO). */
bool	 ascii_word_is(const char *w, size_t n, const char *name);
int	 ascii_tolower(int c);
/* Non-zero when [p, p+n) starts with the NUL-terminated prefix, ignoring case. */
int	 mem_has_prefix_ci(const void *p, size_t n, const char *prefix);
/* The value of a hexadecimal digit (either case), or -1. */
int	 hex_digit(int c);
/* Parse a decimal unsigned number of the whole [s, s+n); -1 on junk/overflow. */
int	 parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out);

/* SHA-256 (FIPS 180-4), for content digests in facteur show --json. */
struct sha256 {
	uint32_t	h[8];
	uint64_t	len;		/* bytes hashed so far */
	unsigned char	block[64];
	size_t		n;		/* bytes in block */
};

void	 sha256_init(struct sha256 *c);
void	 sha256_update(struct sha256 *c, const void *p, size_t n);
void	 sha256_final(struct sha256 *c, unsigned char out[32]);
/* Lower-case hex digest of [p, p+n) into out (65 bytes with the NUL). */
void	 sha256_hex(const void *p, size_t n, char out[65]);

/* MD5 (RFC 1321) of [p, p+n) as lower-case hex (33 bytes with the
 * NUL): for POP3 APOP only. */
void	 md5_hex(const void *p, size_t n, char out[33]);

/* Monotonic milliseconds, for timeouts. */
int64_t	 time_mono_ms(void);

/*
 * n random bytes (getentropy, else /dev/urandom, else clocks and the pid
 * mixed): unique names and ids, never keys.
 */
void	 random_bytes(void *out, size_t n);

/*
 * A fast 64-bit hash of [p, p+n), seeded: hash tables and checksums
 * that guard against corruption (not against an adversary).
 */
uint64_t hash64(const void *p, size_t n, uint64_t seed);

/* base64 (base64.c). The value of c (0..63), or -1 outside the alphabet
 * whose 64th character is c63 ('/' standard, ',' for IMAP mailbox
 * names); and the character of v & 63 in it. */
int	 base64_value(unsigned char c, char c63);
char	 base64_char(unsigned v, char c63);
/* Standard base64 of [p, p + n), padded, one line. Owned. */
char	*base64_encode_new(const void *p, size_t n);
/* Strict decoding (length a multiple of 4, padding only at the end, no
 * other character): a NUL-terminated copy, *len its length; NULL when s
 * is not base64. Owned. */
char	*base64_decode_new(const char *s, size_t n, size_t *len);

/*
 * filter.c: run cmd through /bin/sh with in on its standard input; its
 * standard output is appended to out (bounded by out->max). Both sides go
 * through poll(), so neither can block the other. 0, or -1 with a reason
 * in err (a failed command, an exit status other than 0).
 */
struct buf;
int	 run_filter(const char *cmd, const char *in, size_t inlen,
	    struct buf *out, char *err, size_t errlen);

#endif /* FACTEUR_UTIL_H */
