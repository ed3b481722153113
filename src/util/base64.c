/*
 * base64.c: the base64 alphabet (RFC 4648) shared by MIME, SASL and the
 * modified base64 of IMAP mailbox names (RFC 3501 5.1.3), which uses ","
 * for the 64th character; and the strict one-line coding SASL needs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int
base64_value(unsigned char c, char c63)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == (unsigned char)c63)
		return 63;
	return -1;
}

char
base64_char(unsigned v, char c63)
{
	static const char	first62[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+";

	v &= 63;
	return v == 63 ? c63 : first62[v];
}

char *
base64_encode_new(const void *p, size_t n)
{
	const unsigned char	*s = p;
	char			*out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;
	uint32_t		 v;
	size_t			 i;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		*o++ = base64_char(v >> 18, '/');
		*o++ = base64_char(v >> 12, '/');
		*o++ = base64_char(v >> 6, '/');
		*o++ = base64_char(v, '/');
	}
	if (i < n) {
		v = (uint32_t)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		*o++ = base64_char(v >> 18, '/');
		*o++ = base64_char(v >> 12, '/');
		*o++ = i + 1 < n ? base64_char(v >> 6, '/') : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

char *
base64_decode_new(const char *s, size_t n, size_t *len)
{
	char		*out, *o;
	uint32_t	 v = 0;
	size_t		 i, bits = 0, pad = 0;
	int		 d;

	if (n % 4 != 0)
		return NULL;
	out = o = xmalloc(n / 4 * 3 + 1);
	for (i = 0; i < n; i++) {
		if (s[i] == '=' && i >= n - 2) {
			pad++;
			continue;
		}
		if (pad > 0 || (d = base64_value((unsigned char)s[i],
		    '/')) < 0) {
			free(out);
			return NULL;
		}
		v = v << 6 | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*o++ = (char)(v >> bits & 0xff);
		}
	}
	*o = '\0';
	*len = (size_t)(o - out);
	return out;
}
