/*
 * sasl.h: the SASL initial responses facteur sends (RFC 4616 PLAIN,
 * Google's XOAUTH2, RFC 7628 OAUTHBEARER) and the LOGIN mechanism's two
 * answers, base64-encoded, shared by IMAP, POP3 and SMTP.
 *
 * Results are secrets: owned by the caller, to be released with
 * xfree_secret() (which wipes them).
 */
#ifndef FACTEUR_SASL_H
#define FACTEUR_SASL_H

#include <stddef.h>

/* "\0user\0password", encoded. NULL when user or password holds a NUL
 * (cannot be: C strings) or is too long (over 1 KiB). */
char	*sasl_plain(const char *user, const char *password);
/* "user=U\1auth=Bearer T\1\1", encoded. */
char	*sasl_xoauth2(const char *user, const char *token);
/* "n,a=U,\1host=H\1port=P\1auth=Bearer T\1\1", encoded; user's "," and
 * "=" escaped as RFC 5801 says. */
char	*sasl_oauthbearer(const char *user, const char *host,
	    const char *port, const char *token);

#endif /* FACTEUR_SASL_H */
