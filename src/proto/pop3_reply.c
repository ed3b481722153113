/*
 * pop3_reply.c: POP3 responses as facteur reads them: status lines,
 * dot-terminated multi-line bodies, CAPA, STAT, LIST and UIDL lines and
 * the APOP timestamp, every length bounded and every field checked.
 */
#include <stdlib.h>
#include <string.h>

#include "pop3.h"

enum pop3_status
pop3_status_line(const char *line, size_t len, const char **text,
    size_t *tlen)
{
	enum pop3_status	st;
	size_t			skip;

	*text = "";
	*tlen = 0;
	if (memchr(line, '\0', len) != NULL)
		return POP3_BAD;
	if (len >= 3 && memcmp(line, "+OK", 3) == 0) {
		st = POP3_OK;
		skip = 3;
	} else if (len >= 4 && memcmp(line, "-ERR", 4) == 0) {
		st = POP3_ERR;
		skip = 4;
	} else if (len >= 1 && line[0] == '+' && (len == 1 ||
	    line[1] == ' ')) {
		st = POP3_CONT;
		skip = 1;
	} else
		return POP3_BAD;
	/* "+OKAY" is not "+OK". */
	if (len > skip && line[skip] != ' ')
		return POP3_BAD;
	if (len > skip + 1) {
		*text = line + skip + 1;
		*tlen = len - skip - 1;
	}
	return st;
}

void
pop3_multi_init(struct pop3_multi *m, size_t max)
{
	memset(m, 0, sizeof(*m));
	buf_init(&m->data, max);
}

void
pop3_multi_reset(struct pop3_multi *m)
{
	buf_reset(&m->data);
	m->lines = 0;
	m->done = false;
}

void
pop3_multi_free(struct pop3_multi *m)
{
	buf_free(&m->data);
	memset(m, 0, sizeof(*m));
}

enum pop3_feed
pop3_multi_feed(struct pop3_multi *m, const char *line, size_t len)
{
	if (m->done)
		pop3_multi_reset(m);
	if (len == 1 && line[0] == '.') {
		m->done = true;
		return POP3_FEED_DONE;
	}
	if (len > 0 && line[0] == '.') {
		line++;
		len--;
	}
	if (buf_append(&m->data, line, len) == -1 ||
	    buf_append_byte(&m->data, '\n') == -1)
		return POP3_FEED_TOO_BIG;
	m->lines++;
	return POP3_FEED_MORE;
}

/* ------------------------------------------------------------------ */
/* CAPA                                                                */

static unsigned
sasl_line(const char *s, size_t n)
{
	unsigned	caps = POP3_CAP_SASL;
	size_t		i = 0, start;

	while (i < n) {
		while (i < n && s[i] == ' ')
			i++;
		start = i;
		while (i < n && s[i] != ' ')
			i++;
		if (ascii_word_is(s + start, i - start, "PLAIN"))
			caps |= POP3_CAP_SASL_PLAIN;
		else if (ascii_word_is(s + start, i - start, "XOAUTH2"))
			caps |= POP3_CAP_SASL_XOAUTH2;
		else if (ascii_word_is(s + start, i - start, "OAUTHBEARER"))
			caps |= POP3_CAP_SASL_OAUTHBEARER;
	}
	return caps;
}

static unsigned
capa_line(const char *s, size_t n)
{
	static const struct {
		const char	*word;
		unsigned	 bit;
	} words[] = {
		{ "STLS", POP3_CAP_STLS }, { "UIDL", POP3_CAP_UIDL },
		{ "TOP", POP3_CAP_TOP }, { "PIPELINING", POP3_CAP_PIPELINING },
		{ "USER", POP3_CAP_USER }, { "RESP-CODES", POP3_CAP_RESP_CODES },
	};
	size_t	kw = 0, i;

	while (kw < n && s[kw] != ' ')
		kw++;
	if (ascii_word_is(s, kw, "SASL"))
		return sasl_line(s + kw, n - kw);
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (ascii_word_is(s, kw, words[i].word))
			return words[i].bit;
	return 0;
}

unsigned
pop3_capa_parse(const char *data, size_t len)
{
	const char	*p = data, *end = data + len, *nl;
	unsigned	 caps = 0;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		caps |= capa_line(p, (size_t)(nl - p));
		p = nl + (nl < end);
	}
	return caps;
}

/* ------------------------------------------------------------------ */
/* Scan listings                                                       */

/* A decimal number at *p (advanced past it), at most max; -1 if none. */
static int
number(const char **p, const char *end, uint64_t max, uint64_t *out)
{
	const char	*s = *p;

	while (s < end && *s >= '0' && *s <= '9')
		s++;
	if (s == *p || parse_u64(*p, (size_t)(s - *p), max, out) == -1)
		return -1;
	*p = s;
	return 0;
}

/* "N M" (one space, then possibly more text after another space). */
static int
two_numbers(const char *s, size_t len, uint64_t max1, uint64_t *a,
    uint64_t max2, uint64_t *b)
{
	const char	*p = s, *end = s + len;

	if (number(&p, end, max1, a) == -1 || p >= end || *p != ' ')
		return -1;
	p++;
	if (number(&p, end, max2, b) == -1)
		return -1;
	return p == end || *p == ' ' ? 0 : -1;
}

int
pop3_stat_parse(const char *text, size_t len, uint32_t *count,
    uint64_t *size)
{
	uint64_t	c;

	if (two_numbers(text, len, UINT32_MAX, &c, UINT64_MAX >> 1, size) ==
	    -1)
		return -1;
	*count = (uint32_t)c;
	return 0;
}

int
pop3_list_line_parse(const char *line, size_t len, uint32_t *msg,
    uint64_t *size)
{
	uint64_t	m;

	if (two_numbers(line, len, UINT32_MAX, &m, UINT64_MAX >> 1, size) ==
	    -1 || m == 0)
		return -1;
	*msg = (uint32_t)m;
	return 0;
}

bool
pop3_uidl_ok(const char *uid, size_t len)
{
	size_t	i;

	if (len == 0 || len > POP3_UIDL_MAX)
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)uid[i] < 0x21 ||
		    (unsigned char)uid[i] > 0x7e)
			return false;
	return true;
}

int
pop3_uidl_line_parse(const char *line, size_t len, uint32_t *msg,
    const char **uid, size_t *uidlen)
{
	const char	*p = line, *end = line + len;
	uint64_t	 m;

	if (number(&p, end, UINT32_MAX, &m) == -1 || m == 0 || p >= end ||
	    *p != ' ')
		return -1;
	p++;
	if (!pop3_uidl_ok(p, (size_t)(end - p)))
		return -1;
	*msg = (uint32_t)m;
	*uid = p;
	*uidlen = (size_t)(end - p);
	return 0;
}

char *
pop3_apop_stamp(const char *text, size_t len)
{
	const char	*lt = memchr(text, '<', len), *gt;
	size_t		 i;

	if (lt == NULL)
		return NULL;
	gt = memchr(lt, '>', len - (size_t)(lt - text));
	if (gt == NULL || gt - lt < 3 || memchr(lt, '@', (size_t)(gt - lt))
	    == NULL)
		return NULL;
	for (i = 1; lt + i < gt; i++)
		if ((unsigned char)lt[i] < 0x21 || (unsigned char)lt[i] > 0x7e ||
		    lt[i] == '<')
			return NULL;
	return xstrndup(lt, (size_t)(gt - lt) + 1);
}
