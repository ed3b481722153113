/* alloc.c: allocation that never fails (failure is fatal), secret wiping. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void *
xmalloc(size_t n)
{
	void	*p;

	p = malloc(n ? n : 1);
	if (p == NULL)
		fatalx("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (p == NULL)
		fatalx("out of memory (%zu x %zu bytes)", nmemb, size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void	*q;

	q = realloc(p, n ? n : 1);
	if (q == NULL)
		fatalx("out of memory (%zu bytes)", n);
	return q;
}

void *
xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		fatalx("allocation overflow (%zu x %zu bytes)", nmemb, size);
	return xrealloc(p, nmemb * size);
}

char *
xstrdup(const char *s)
{
	return xmemdup0(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	const char	*nul;

	nul = memchr(s, '\0', n);
	return xmemdup0(s, nul ? (size_t)(nul - s) : n);
}

char *
xmemdup0(const void *p, size_t n)
{
	char	*s;

	if (n == SIZE_MAX)
		fatalx("allocation overflow");
	s = xmalloc(n + 1);
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list	 aq;
	char	*s;
	int	 n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		fatalx("xvasprintf: bad format \"%s\"", fmt);
	s = xmalloc((size_t)n + 1);
	if (vsnprintf(s, (size_t)n + 1, fmt, ap) != n)
		fatalx("xvasprintf: inconsistent length");
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/*
 * A plain memset before free() may be optimised away; writing through a
 * volatile pointer may not.
 */
void
explicit_zero(void *p, size_t n)
{
	volatile unsigned char	*v = p;

	while (n--)
		*v++ = 0;
}

void
xfree_secret(char **s)
{
	if (s == NULL || *s == NULL)
		return;
	explicit_zero(*s, strlen(*s));
	free(*s);
	*s = NULL;
}
