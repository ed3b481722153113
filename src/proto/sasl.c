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

/* Encode b (then wiped); NULL when any part was too long. */
static char *
encode_wipe(struct buf *b, bool ok)
{
	char	*out = ok ? base64_encode_new(b->data, b->len) : NULL;

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
