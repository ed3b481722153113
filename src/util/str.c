/* str.c: bounded string and byte helpers. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util.h"

size_t
fct_strlcpy(char *dst, const char *src, size_t size)
{
	size_t	len = strlen(src);

	if (size > 0) {
		size_t	n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

size_t
fct_strlcat(char *dst, const char *src, size_t size)
{
	size_t	dlen = strnlen(dst, size);

	if (dlen == size)
		return size + strlen(src);
	return dlen + fct_strlcpy(dst + dlen, src, size - dlen);
}

int
fct_snprintf(char *dst, size_t size, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return n;
}

const void *
mem_find(const void *hay, size_t hlen, const void *needle, size_t nlen)
{
	const unsigned char	*h = hay, *end, *p;
	const unsigned char	*nd = needle;

	if (nlen == 0)
		return hay;
	if (hlen < nlen)
		return NULL;
	end = h + (hlen - nlen) + 1;
	while (h < end) {
		p = memchr(h, nd[0], (size_t)(end - h));
		if (p == NULL)
			return NULL;
		if (memcmp(p, nd, nlen) == 0)
			return p;
		h = p + 1;
	}
	return NULL;
}

int
ascii_tolower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

int
ascii_casecmp(const char *a, const char *b)
{
	int	ca, cb;

	do {
		ca = ascii_tolower((unsigned char)*a++);
		cb = ascii_tolower((unsigned char)*b++);
	} while (ca == cb && ca != '\0');
	return ca - cb;
}

bool
ascii_word_is(const char *w, size_t n, const char *name)
{
	return strlen(name) == n && ascii_ncasecmp(w, name, n) == 0;
}

int
ascii_ncasecmp(const char *a, const char *b, size_t n)
{
	int	ca = 0, cb = 0;

	while (n-- > 0) {
		ca = ascii_tolower((unsigned char)*a++);
		cb = ascii_tolower((unsigned char)*b++);
		if (ca != cb || ca == '\0')
			break;
	}
	return ca - cb;
}

int
mem_has_prefix_ci(const void *p, size_t n, const char *prefix)
{
	const unsigned char	*s = p;
	size_t			 i, plen = strlen(prefix);

	if (n < plen)
		return 0;
	for (i = 0; i < plen; i++)
		if (ascii_tolower(s[i]) !=
		    ascii_tolower((unsigned char)prefix[i]))
			return 0;
	return 1;
}

int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t	v = 0;
	size_t		i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned	d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int64_t
time_mono_ms(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
