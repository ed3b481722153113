/*
 * sasl.c: SASL initial responses, base64-encoded (see sasl.h). The
 * credentials pass through buffers that are wiped before they are freed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sasl.h"
#include "util.h"

#define CRED_MAX	1024	/* longest user, password or token */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
sasl_base64(const void *p, size_t n)
{
	const unsigned char	*s = p;
	char			*out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;
	uint32_t		 v;
	size_t			 i;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		*o++ = b64[v >> 18];
		*o++ = b64[v >> 12 & 63];
		*o++ = b64[v >> 6 & 63];
		*o++ = b64[v & 63];
	}
	if (i < n) {
		v = (uint32_t)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		*o++ = b64[v >> 18];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static int
b64_value(unsigned char c)
{
	const char	*q;

	if (c == '\0' || (q = strchr(b64, c)) == NULL)
		return -1;
	return (int)(q - b64);
}

char *
sasl_unbase64(const char *s, size_t n, size_t *len)
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
		if (pad > 0 || (d = b64_value((unsigned char)s[i])) < 0) {
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

/* Encode b (then wiped); NULL when any part was too long. */
static char *
encode_wipe(struct buf *b, bool ok)
{
	char	*out = ok ? sasl_base64(b->data, b->len) : NULL;

	buf_free_secret(b);
	return out;
}

static bool
fits(const char *s)
{
	return s != NULL && strlen(s) <= CRED_MAX;
}

char *
sasl_plain(const char *user, const char *password)
{
	struct buf	b;
	bool		ok;

	buf_init(&b, 4 * CRED_MAX);
	ok = fits(user) && fits(password) && buf_append(&b, "", 1) == 0 &&
	    buf_append_str(&b, user) == 0 && buf_append(&b, "", 1) == 0 &&
	    buf_append_str(&b, password) == 0;
	return encode_wipe(&b, ok);
}

char *
sasl_xoauth2(const char *user, const char *token)
{
	struct buf	b;
	bool		ok;

	buf_init(&b, 4 * CRED_MAX);
	ok = fits(user) && fits(token) &&
	    buf_printf(&b, "user=%s\1auth=Bearer %s\1\1", user, token) == 0;
	return encode_wipe(&b, ok);
}

char *
sasl_oauthbearer(const char *user, const char *host, const char *port,
    const char *token)
{
	struct buf	 b;
	const char	*p;
	bool		 ok;

	buf_init(&b, 8 * CRED_MAX);
	ok = fits(user) && fits(host) && fits(port) && fits(token) &&
	    buf_append_str(&b, "n,a=") == 0;
	/* RFC 5801 saslname: "," and "=" as =2C and =3D. */
	for (p = user; ok && *p != '\0'; p++)
		ok = buf_append_str(&b, *p == ',' ? "=2C" : *p == '=' ?
		    "=3D" : (char[2]){ *p, '\0' }) == 0;
	ok = ok && buf_printf(&b, ",\1host=%s\1port=%s\1auth=Bearer %s\1\1",
	    host, port, token) == 0;
	return encode_wipe(&b, ok);
}
