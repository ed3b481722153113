/*
 * smtp_reply.c: what SMTP reads and writes outside the session itself:
 * replies (multi-line, bounded, one code), the EHLO extensions, the
 * addresses that may go into MAIL and RCPT, and the message as DATA
 * sends it (CRLF everywhere, dots doubled).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

void
smtp_reply_init(struct smtp_reply *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->text, SMTP_REPLY_MAX_TEXT);
}

void
smtp_reply_reset(struct smtp_reply *r)
{
	r->code = 0;
	r->enh[0] = '\0';
	r->nlines = 0;
	r->done = false;
	buf_reset(&r->text);
}

void
smtp_reply_free(struct smtp_reply *r)
{
	buf_free(&r->text);
	memset(r, 0, sizeof(*r));
}

static enum smtp_feed
bad(char *err, size_t errlen, const char *why)
{
	(void)fct_snprintf(err, errlen, "%s", why);
	return SMTP_FEED_BAD;
}

/* "x.y.z " at the start of text, x the class of code: its length, or 0.
 * RFC 3463: class 2, 4 or 5, subject 1-3 digits, detail 1-3 digits. */
static size_t
enhanced_len(const char *s, size_t n, int code)
{
	size_t	i = 0, part, digits;

	if (n < 5 || s[0] != (char)('0' + code / 100))
		return 0;
	i = 1;
	for (part = 0; part < 2; part++) {
		if (i >= n || s[i] != '.')
			return 0;
		i++;
		for (digits = 0; i < n && s[i] >= '0' && s[i] <= '9' &&
		    digits < 4; digits++)
			i++;
		if (digits == 0 || digits > 3)
			return 0;
	}
	if (i < n && s[i] != ' ')
		return 0;
	return i;
}

enum smtp_feed
smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len,
    char *err, size_t errlen)
{
	int		 code;
	bool		 last;
	const char	*text;
	size_t		 tlen, elen;

	if (r->done)
		smtp_reply_reset(r);
	if (len < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' ||
	    line[1] > '5' || line[2] < '0' || line[2] > '9')
		return bad(err, errlen, "not an SMTP reply");
	if (len > 3 && line[3] != ' ' && line[3] != '-')
		return bad(err, errlen, "not an SMTP reply");
	if (memchr(line, '\0', len) != NULL)
		return bad(err, errlen, "a NUL byte in a reply");
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (r->nlines > 0 && code != r->code)
		return bad(err, errlen, "the lines of a reply disagree on "
		    "its code");
	if (r->nlines >= SMTP_REPLY_MAX_LINES)
		return bad(err, errlen, "a reply with too many lines");
	last = len == 3 || line[3] == ' ';
	text = len > 4 ? line + 4 : "";
	tlen = len > 4 ? len - 4 : 0;
	if (r->nlines == 0) {
		r->code = code;
		elen = enhanced_len(text, tlen, code);
		if (elen > 0 && elen < sizeof(r->enh)) {
			memcpy(r->enh, text, elen);
			r->enh[elen] = '\0';
		}
	}
	if ((r->nlines > 0 && buf_append_byte(&r->text, '\n') == -1) ||
	    buf_append(&r->text, text, tlen) == -1)
		return bad(err, errlen, "a reply too long");
	r->nlines++;
	if (!last)
		return SMTP_FEED_MORE;
	r->done = true;
	return SMTP_FEED_DONE;
}

char *
smtp_reply_line_new(const struct smtp_reply *r)
{
	struct buf	 b;
	const char	*t = buf_str(&r->text);
	size_t		 i;
	unsigned char	 c;

	buf_init(&b, SMTP_REPLY_MAX_TEXT + 64);
	if (buf_printf(&b, "%03d", r->code) == -1)
		fatalx("smtp: reply");
	if (r->text.len > 0 && buf_append_byte(&b, ' ') == -1)
		fatalx("smtp: reply");
	for (i = 0; i < r->text.len; i++) {
		c = (unsigned char)t[i];
		if (c == '\n') {
			if (buf_append(&b, "; ", 2) == -1)
				break;
			continue;
		}
		if (buf_append_byte(&b, c < 0x20 || c == 0x7f ? '?' : c) == -1)
			break;
	}
	return buf_take(&b);
}

/* ------------------------------------------------------------------ */
/* EHLO                                                                */

static unsigned
auth_mech_bit(const char *w, size_t n)
{
	if (ascii_word_is(w, n, "PLAIN"))
		return SMTP_AUTH_PLAIN;
	if (ascii_word_is(w, n, "LOGIN"))
		return SMTP_AUTH_LOGIN;
	if (ascii_word_is(w, n, "XOAUTH2"))
		return SMTP_AUTH_XOAUTH2;
	if (ascii_word_is(w, n, "OAUTHBEARER"))
		return SMTP_AUTH_OAUTHBEARER;
	return 0;
}

/* The mechanisms after "AUTH " or "AUTH=" (an old form some servers
 * still send). */
static void
auth_line(const char *s, size_t n, struct smtp_ext *ext)
{
	size_t	i = 0, start;

	ext->bits |= SMTP_EXT_AUTH;
	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		start = i;
		while (i < n && s[i] != ' ' && s[i] != '\t')
			i++;
		if (i > start)
			ext->auth |= auth_mech_bit(s + start, i - start);
	}
}

/* SIZE's argument: decimal, bounded; 0, absent or too big: no limit. */
static uint64_t
size_arg(const char *s, size_t n)
{
	uint64_t	v;
	size_t		i = 0, start;

	while (i < n && s[i] == ' ')
		i++;
	start = i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == start || parse_u64(s + start, i - start, UINT64_MAX, &v) ==
	    -1)
		return 0;
	return v;
}

static void
ext_line(const char *s, size_t n, struct smtp_ext *ext)
{
	size_t	kw = 0;

	while (kw < n && s[kw] != ' ' && s[kw] != '=')
		kw++;
	if (ascii_word_is(s, kw, "AUTH"))
		auth_line(s + kw + (kw < n), n - kw - (kw < n), ext);
	else if (ascii_word_is(s, kw, "STARTTLS") && kw == n)
		ext->bits |= SMTP_EXT_STARTTLS;
	else if (ascii_word_is(s, kw, "PIPELINING"))
		ext->bits |= SMTP_EXT_PIPELINING;
	else if (ascii_word_is(s, kw, "8BITMIME"))
		ext->bits |= SMTP_EXT_8BITMIME;
	else if (ascii_word_is(s, kw, "SMTPUTF8"))
		ext->bits |= SMTP_EXT_SMTPUTF8;
	else if (ascii_word_is(s, kw, "ENHANCEDSTATUSCODES"))
		ext->bits |= SMTP_EXT_ENHANCED;
	else if (ascii_word_is(s, kw, "SIZE")) {
		ext->bits |= SMTP_EXT_SIZE;
		ext->size_max = size_arg(s + kw, n - kw);
	}
}

void
smtp_ext_parse(const struct smtp_reply *r, struct smtp_ext *ext)
{
	const char	*t = buf_str(&r->text), *end = t + r->text.len, *nl;
	bool		 first = true;

	memset(ext, 0, sizeof(*ext));
	while (t < end) {
		nl = memchr(t, '\n', (size_t)(end - t));
		if (nl == NULL)
			nl = end;
		if (!first)
			ext_line(t, (size_t)(nl - t), ext);
		first = false;
		t = nl + (nl < end);
	}
}

/* ------------------------------------------------------------------ */
/* Addresses                                                           */

bool
smtp_addr_ok(const char *addr)
{
	size_t		 i, n = strlen(addr), at = 0, ats = 0;
	bool		 quoted = false, esc = false;
	unsigned char	 c;

	if (n == 0 || n > SMTP_ADDR_MAX)
		return false;
	for (i = 0; i < n; i++) {
		c = (unsigned char)addr[i];
		if (c < 0x20 || c == 0x7f)
			return false;
		if (esc) {
			esc = false;
			continue;
		}
		if (quoted) {
			if (c == '\\')
				esc = true;
			else if (c == '"')
				quoted = false;
			continue;
		}
		if (c == '"' && at == 0)
			quoted = true;
		else if (c == ' ' || c == '<' || c == '>' || c == ',' ||
		    c == '"' || c == '\\')
			return false;
		else if (c == '@') {
			at = i;
			ats++;
		}
	}
	/* local@domain: one @ outside quotes, with something each side. */
	return !quoted && ats == 1 && at > 0 && at + 1 < n;
}

bool
smtp_has_8bit(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] & 0x80)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* DATA                                                                */

/* Walk the message line by line: each line's bytes (without its ending),
 * whether one followed. */
typedef int line_fn(const char *s, size_t n, void *arg);

static int
each_line(const char *msg, size_t len, line_fn *fn, void *arg)
{
	size_t	i = 0, start;

	while (i < len) {
		start = i;
		while (i < len && msg[i] != '\r' && msg[i] != '\n')
			i++;
		if (fn(msg + start, i - start, arg) == -1)
			return -1;
		/* CRLF, LF or a CR alone: one line end each. */
		if (i < len && msg[i] == '\r')
			i++;
		else if (i < len && msg[i] == '\n') {
			i++;
			continue;
		}
		if (i < len && msg[i] == '\n' && msg[i - 1] == '\r')
			i++;
	}
	return 0;
}

struct enc {
	struct buf	*out;
	size_t		 size;
};

static int
count_line(const char *s, size_t n, void *arg)
{
	struct enc	*e = arg;

	(void)s;
	e->size += n + 2;
	return 0;
}

static int
put_line(const char *s, size_t n, void *arg)
{
	struct enc	*e = arg;

	e->size += n + 2;
	if ((n > 0 && s[0] == '.' && buf_append_byte(e->out, '.') == -1) ||
	    buf_append(e->out, s, n) == -1 ||
	    buf_append(e->out, "\r\n", 2) == -1)
		fatalx("smtp: message too big for its buffer");
	return 0;
}

size_t
smtp_data_size(const char *msg, size_t len)
{
	struct enc	e = { NULL, 0 };

	(void)each_line(msg, len, count_line, &e);
	return e.size;
}

size_t
smtp_data_encode(const char *msg, size_t len, struct buf *out)
{
	struct enc	e = { out, 0 };

	(void)each_line(msg, len, put_line, &e);
	if (buf_append(out, ".\r\n", 3) == -1)
		fatalx("smtp: message too big for its buffer");
	return e.size;
}
