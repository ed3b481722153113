/*
 * text.c: UTF-8 text fitted to terminal columns. Everything drawn on
 * the screen goes through ui_fit(): control characters, escape
 * sequences, bidirectional overrides and invalid bytes from mail are
 * drawn as "?", so mail can never move the cursor, change colours or
 * retitle the terminal; wide and combining characters take the columns
 * wcwidth(3) gives them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "ui_priv.h"

size_t
ui_utf8_next(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char	*u = (const unsigned char *)s;
	uint32_t		 c;
	size_t			 len, i;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		len = 2;
		c = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		len = 3;
		c = u[0] & 0x0f;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		len = 4;
		c = u[0] & 0x07;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	if (len > n) {
		*cp = 0xfffd;
		return 1;
	}
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		c = (c << 6) | (u[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff) {
		*cp = 0xfffd;
		return 1;
	}
	*cp = c;
	return len;
}

bool
ui_cp_unsafe(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return true;
	/* Line separators and the bidirectional controls that reorder
	 * what follows them. */
	if (cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f ||
	    cp == 0x061c || cp == 0xfeff)
		return true;
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return true;
	return wcwidth((wchar_t)cp) < 0;
}

int
ui_cp_width(uint32_t cp)
{
	int	w;

	if (ui_cp_unsafe(cp))
		return 1;
	w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w > 2 ? 2 : w;
}

static int
put_cp(struct buf *out, uint32_t cp)
{
	char	u[4];
	size_t	n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_append(out, u, n);
}

int
ui_fit(const char *s, size_t n, int width, bool pad, struct buf *out)
{
	size_t		i = 0, k;
	uint32_t	cp;
	int		used = 0, w;
	bool		base = false;

	while (i < n) {
		k = ui_utf8_next(s + i, n - i, &cp);
		if (k == 1 && (unsigned char)s[i] >= 0x80)
			cp = '?';	/* an invalid byte */
		if (cp == '\t')
			cp = ' ';
		if (ui_cp_unsafe(cp))
			cp = '?';
		w = ui_cp_width(cp);
		if (w == 0 && !base) {
			i += k;		/* a combining mark with no base */
			continue;
		}
		if (used + w > width)
			break;
		if (put_cp(out, cp) == -1)
			break;
		used += w;
		base = true;
		i += k;
	}
	w = used;
	while (pad && w < width) {
		if (buf_append_byte(out, ' ') == -1)
			break;
		w++;
	}
	return used;
}

int
ui_width(const char *s, size_t n)
{
	size_t		i = 0;
	uint32_t	cp;
	int		w = 0;

	while (i < n) {
		i += ui_utf8_next(s + i, n - i, &cp);
		w += ui_cp_width(cp == '\t' ? ' ' : cp);
	}
	return w;
}

void
ui_human_size(uint64_t n, char *out, size_t size)
{
	if (n < 1000)
		(void)snprintf(out, size, "%u", (unsigned)n);
	else if (n < 10 * 1024)
		(void)snprintf(out, size, "%.1fK", (double)n / 1024);
	else if (n < 1000 * 1024)
		(void)snprintf(out, size, "%uK", (unsigned)(n / 1024));
	else if (n < (uint64_t)10 * 1024 * 1024)
		(void)snprintf(out, size, "%.1fM", (double)n / 1048576);
	else if (n < (uint64_t)1000 * 1024 * 1024)
		(void)snprintf(out, size, "%uM", (unsigned)(n >> 20));
	else
		(void)snprintf(out, size, "%.1fG", (double)n / 1073741824.0);
}

void
ui_short_date(int64_t t, int64_t now, char *out, size_t size)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm	tm, tn;
	time_t		tt = (time_t)t, nn = (time_t)now;

	if (t == STORE_DATE_UNKNOWN || localtime_r(&tt, &tm) == NULL ||
	    localtime_r(&nn, &tn) == NULL || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900) {
		(void)fct_strlcpy(out, "?", size);
		return;
	}
	if (tm.tm_year == tn.tm_year && tm.tm_yday == tn.tm_yday)
		(void)snprintf(out, size, "%02d:%02d", tm.tm_hour, tm.tm_min);
	else if (tm.tm_year == tn.tm_year || (t <= now &&
	    now - t < (int64_t)180 * 86400))
		(void)snprintf(out, size, "%s %02d", mon[tm.tm_mon],
		    tm.tm_mday);
	else
		(void)snprintf(out, size, "%04d-%02d-%02d",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void
ui_cat(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	/* Display text: what did not fit is simply not shown. */
	if (r == -1)
		return;
}
