/*
 * param.c: Content-Type and Content-Disposition values: the main token and
 * the parameters (RFC 2045 5.1, RFC 2183), with RFC 2231 continuations and
 * charsets, and the common violation of RFC 2047 words inside quoted
 * parameter values (RFC 2047 section 5 forbids it; mail uses it anyway).
 */
#include <stdlib.h>
#include <string.h>

#include "mime.h"

/* One parameter as written, before continuations are joined. */
struct raw_param {
	char	*name;		/* lower case, without "*N" / "*" */
	int	 index;		/* N of "name*N", -1 without */
	bool	 extended;	/* a trailing '*': charset'lang'%XX */
	char	*value;		/* as written, quotes removed */
};

static bool
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skip blanks and (nested) comments. */
static const char *
skip_cfws(const char *p, const char *end)
{
	int	depth = 0;

	while (p < end) {
		if (depth == 0 && is_ws((unsigned char)*p)) {
			p++;
		} else if (*p == '(') {
			depth++;
			p++;
		} else if (depth > 0 && *p == ')') {
			depth--;
			p++;
		} else if (depth > 0 && *p == '\\' && p + 1 < end) {
			p += 2;
		} else if (depth > 0) {
			p++;
		} else {
			break;
		}
	}
	return p;
}

static char *
lower_dup(const char *s, size_t n)
{
	char	*d = xmemdup0(s, n);
	size_t	 i;

	for (i = 0; i < n; i++)
		d[i] = (char)ascii_tolower((unsigned char)d[i]);
	return d;
}

/* A quoted string at p (after the opening quote); *pp past the end. */
static char *
quoted_value(const char **pp, const char *end)
{
	const char	*p = *pp;
	struct buf	 b;

	buf_init(&b, (size_t)(end - p) + 1);
	while (p < end && *p != '"') {
		if (*p == '\\' && p + 1 < end)
			p++;
		if (buf_append_byte(&b, (unsigned char)*p) == -1)
			break;
		p++;
	}
	if (p < end)
		p++;	/* the closing quote; a missing one ends the value */
	*pp = p;
	return buf_take(&b);
}

/* A token value: up to ';', blanks around it dropped. Spaces inside are
 * kept (name=my file.txt is common). */
static char *
token_value(const char **pp, const char *end)
{
	const char	*p = *pp, *e;

	if (p >= end)
		return xstrdup("");
	e = memchr(p, ';', (size_t)(end - p));
	if (e == NULL)
		e = end;
	*pp = e;
	while (e > p && is_ws((unsigned char)e[-1]))
		e--;
	return xmemdup0(p, (size_t)(e - p));
}

/* "name*2*" into name, index 2, extended. */
static void
split_name(const char *s, size_t n, struct raw_param *rp)
{
	size_t	 base = n;
	uint64_t idx;

	rp->index = -1;
	rp->extended = false;
	if (n > 0 && s[n - 1] == '*') {
		rp->extended = true;
		n--;
		base = n;
	}
	{
		const char	*star = NULL;
		size_t		 i;

		for (i = 0; i < n; i++)
			if (s[i] == '*')
				star = s + i;
		if (star != NULL && parse_u64(star + 1, (size_t)(s + n -
		    star - 1), 999, &idx) == 0) {
			rp->index = (int)idx;
			base = (size_t)(star - s);
		}
	}
	rp->name = lower_dup(s, base);
}

static size_t
parse_raw(const char *p, const char *end, struct raw_param *rp, size_t max)
{
	size_t	n = 0;

	while (p < end && n < max) {
		const char	*name, *q;

		p = skip_cfws(p, end);
		if (p < end && *p == ';') {
			p++;
			continue;
		}
		name = p;
		while (p < end && *p != '=' && *p != ';' &&
		    !is_ws((unsigned char)*p))
			p++;
		q = skip_cfws(p, end);
		if (q >= end || *q != '=' || p == name) {
			/* Not a parameter: skip to the next ';'. */
			while (p < end && *p != ';')
				p++;
			continue;
		}
		split_name(name, (size_t)(p - name), &rp[n]);
		p = skip_cfws(q + 1, end);
		if (p < end && *p == '"') {
			p++;
			rp[n].value = quoted_value(&p, end);
		} else {
			rp[n].value = token_value(&p, end);
		}
		n++;
	}
	return n;
}

/* Percent-decoding of an extended value segment. */
static void
pct_decode(const char *s, struct buf *out)
{
	while (*s != '\0') {
		int	hi, lo;

		if (*s == '%' && (hi = hex_digit((unsigned char)s[1])) >= 0 &&
		    (lo = hex_digit((unsigned char)s[2])) >= 0) {
			if (buf_append_byte(out, (unsigned char)(hi * 16 +
			    lo)) == -1)
				return;
			s += 3;
			continue;
		}
		if (buf_append_byte(out, (unsigned char)*s++) == -1)
			return;
	}
}

/*
 * Join the segments of one parameter (RFC 2231 3 and 4): in index order,
 * the charset from the first extended segment, percent-decoding only in
 * extended segments. Returns the UTF-8 value.
 */
static char *
join_2231(struct raw_param *rp, size_t n, const char *name,
    const char *fallback)
{
	struct buf	 bytes, out;
	char		 charset[64] = "";
	int		 idx;
	bool		 first = true;

	buf_init(&bytes, 1 << 20);
	buf_init(&out, 4 << 20);
	for (idx = 0; idx < 1000; idx++) {
		size_t	i;
		bool	found = false;

		for (i = 0; i < n && !found; i++) {
			const char	*v;

			if (rp[i].index != idx || strcmp(rp[i].name, name) != 0)
				continue;
			found = true;
			v = rp[i].value;
			if (rp[i].extended && first) {
				const char	*q1 = strchr(v, '\''), *q2;

				q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
				if (q2 != NULL) {
					size_t	cl = (size_t)(q1 - v);

					if (cl >= sizeof(charset))
						cl = sizeof(charset) - 1;
					memcpy(charset, v, cl);
					charset[cl] = '\0';
					v = q2 + 1;
				}
			}
			if (rp[i].extended)
				pct_decode(v, &bytes);
			else if (buf_append_str(&bytes, v) == -1)
				break;
		}
		if (!found)
			break;
		first = false;
	}
	if (mime_to_utf8(charset[0] ? charset : fallback, buf_str(&bytes),
	    bytes.len, &out) == -1) {
		/* Too long: keep what fit. */
	}
	buf_free(&bytes);
	return buf_take(&out);
}

/* The value of a plain (non-2231) parameter: encoded words decoded. */
static char *
plain_value(const char *v, const char *fallback)
{
	struct buf	out;

	buf_init(&out, 4 << 20);
	if (mime_decode_words(v, strlen(v), fallback, &out) == -1) {
		/* Too long: keep what fit. */
	}
	return buf_take(&out);
}

static bool
have_param(const struct mime_ctype *ct, const char *name)
{
	return mime_ctype_param(ct, name) != NULL;
}

static void
add_param(struct mime_ctype *ct, const char *name, char *value)
{
	ct->params = xreallocarray(ct->params, ct->nparams + 1,
	    sizeof(*ct->params));
	ct->params[ct->nparams].name = xstrdup(name);
	ct->params[ct->nparams].value = value;
	ct->nparams++;
}

void
mime_ctype_parse(const char *s, size_t n, const char *fallback,
    struct mime_ctype *out)
{
	struct raw_param	 rp[MIME_MAX_PARAMS];
	const char		*p, *end, *v;
	char			*u;
	size_t			 nrp, i;

	memset(out, 0, sizeof(*out));
	u = mime_unfold(s, n);
	p = u;
	end = u + strlen(u);
	p = skip_cfws(p, end);
	v = p;
	while (p < end && *p != ';' && !is_ws((unsigned char)*p) &&
	    *p != '(')
		p++;
	out->value = lower_dup(v, (size_t)(p - v));
	/* Parameters follow a ';'; without it ("multipart/mixed
	 * boundary=x", a common violation) they are read all the same. */
	nrp = parse_raw(p, end, rp, MIME_MAX_PARAMS);
	/* RFC 2231 values win over plain ones of the same name. */
	for (i = 0; i < nrp; i++) {
		if ((rp[i].index >= 0 || rp[i].extended) &&
		    !have_param(out, rp[i].name)) {
			struct raw_param	*r = &rp[i];

			if (r->index < 0)
				r->index = 0;
			add_param(out, r->name, join_2231(rp, nrp, r->name,
			    fallback));
		}
	}
	for (i = 0; i < nrp; i++)
		if (rp[i].index < 0 && !rp[i].extended &&
		    !have_param(out, rp[i].name))
			add_param(out, rp[i].name, plain_value(rp[i].value,
			    fallback));
	for (i = 0; i < nrp; i++) {
		free(rp[i].name);
		free(rp[i].value);
	}
	free(u);
}

void
mime_ctype_free(struct mime_ctype *ct)
{
	size_t	i;

	for (i = 0; i < ct->nparams; i++) {
		free(ct->params[i].name);
		free(ct->params[i].value);
	}
	free(ct->params);
	free(ct->value);
	memset(ct, 0, sizeof(*ct));
}

const char *
mime_ctype_param(const struct mime_ctype *ct, const char *name)
{
	size_t	i;

	for (i = 0; i < ct->nparams; i++)
		if (ascii_casecmp(ct->params[i].name, name) == 0)
			return ct->params[i].value;
	return NULL;
}
