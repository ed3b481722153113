/*
 * fuzz_query.c: libFuzzer target for the search of the store
 * (src/store/search.c): the query parser, case folding, and matching a
 * message's summary, recipients and body text.
 *
 * The input up to its first NUL byte (without one: its first half) is
 * the query text, the rest a message. When the query parses, it is
 * matched against a store_msg made from the message's headers
 * (mime_summary_from_headers()), with the message bytes and without.
 * Invariants checked: a rejected query has an error message; a query
 * that needs no file gives the same answer with and without the bytes;
 * folding keeps valid UTF-8 valid, grows by at most half and is
 * idempotent; the decoded subject, quoted as a subject: phrase, matches
 * its own message and its negation does not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "store.h"

#define PHRASE_MAX	1024	/* the longest term a query takes */

static void
check_fold(const char *s, size_t n)
{
	char	*a, *b;
	size_t	 na, nb;

	a = store_casefold_new(s, n, &na);
	if (na > n + n / 2 || a[na] != '\0')
		abort();
	if (mime_utf8_valid(s, n) && !mime_utf8_valid(a, na))
		abort();
	b = store_casefold_new(a, na, &nb);
	if (nb != na || memcmp(a, b, na) != 0)
		abort();
	free(a);
	free(b);
}

/* subject:"SUBJECT" (with \" and \\) must match; negated must not. */
static void
check_self(const struct store_msg *m)
{
	struct store_err	 err;
	struct store_query	*q;
	char			 text[2 * PHRASE_MAX + 16];
	const char		*s;
	size_t			 o, len = strlen(m->subject);

	if (len == 0 || len > PHRASE_MAX)
		return;
	memcpy(text, "-subject:\"", 10);
	o = 10;
	for (s = m->subject; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			text[o++] = '\\';
		text[o++] = *s;
	}
	text[o++] = '"';
	text[o] = '\0';
	q = store_query_new(text + 1, &err);
	if (q == NULL || !store_query_match(q, m, NULL, 0))
		abort();
	store_query_free(q);
	q = store_query_new(text, &err);
	if (q == NULL || store_query_match(q, m, NULL, 0))
		abort();
	store_query_free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*in = (const char *)data, *nul, *msg;
	struct store_err	 err;
	struct store_query	*q;
	struct mime_headers	 h;
	struct mime_summary	 sum;
	struct store_msg	 m;
	char			*text;
	size_t			 tlen, mlen;
	bool			 with, without;

	nul = memchr(in, '\0', size);
	tlen = nul != NULL ? (size_t)(nul - in) : size / 2;
	msg = in + tlen + (nul != NULL);
	mlen = size - tlen - (nul != NULL);
	text = malloc(tlen + 1);
	if (text == NULL)
		return 0;
	memcpy(text, in, tlen);
	text[tlen] = '\0';

	check_fold(in, size);
	mime_headers_parse(msg, mlen, &h);
	mime_summary_from_headers(&h, NULL, &sum);
	mime_headers_free(&h);
	memset(&m, 0, sizeof(m));
	m.name = "1.M1P1.fuzz";
	m.subject = sum.subject != NULL ? sum.subject : "";
	m.from = sum.from_name != NULL ? sum.from_name :
	    sum.from_addr != NULL ? sum.from_addr : "";
	m.from_addr = sum.from_addr != NULL ? sum.from_addr : "";
	m.date = STORE_DATE_UNKNOWN;
	m.size = mlen;
	m.flags = (uint8_t)(mlen & STORE_ALL_FLAGS);
	m.in_new = (mlen & 0x40) != 0;
	check_self(&m);

	err.msg[0] = '\0';
	q = store_query_new(text, &err);
	if (q == NULL) {
		if (err.msg[0] == '\0')
			abort();
	} else {
		with = store_query_match(q, &m, msg, mlen);
		without = store_query_match(q, &m, NULL, 0);
		if (!store_query_needs_file(q) && with != without)
			abort();
		store_query_free(q);
	}
	mime_summary_free(&sum);
	free(text);
	return 0;
}
