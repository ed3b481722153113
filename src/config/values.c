/*
 * values.c: the value types of the configuration: booleans, durations,
 * paths with ~ and $VAR, server URLs, addresses, colours. Each parser
 * reports its own error (naming the key and what was expected).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

const char *
cfg_env_get(const struct cfg_parser *p, const char *name)
{
	if (p->env != NULL && p->env->getenv_cb != NULL)
		return p->env->getenv_cb(name, p->env->arg);
	return getenv(name);
}

int
cfg_parse_bool(struct cfg_parser *p, const char *key, const char *v,
    bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t	i;

	for (i = 0; i < 4; i++) {
		if (ascii_casecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (ascii_casecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	cfg_error(p, p->line, "%s: expected yes or no, got '%s'", key, v);
	return -1;
}

/* "30s" "10m" "2h" "14d" "1w" or "0"; -1 if not a duration. */
static int
duration_value(const char *v, int64_t *out)
{
	uint64_t	n, mult;
	size_t		len = strlen(v);

	if (len == 1 && v[0] == '0') {
		*out = 0;
		return 0;
	}
	if (len < 2)
		return -1;
	switch (v[len - 1]) {
	case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	case 'w': mult = 7 * 86400; break;
	default: return -1;
	}
	/* Up to about 100 years: anything longer is a typo. */
	if (parse_u64(v, len - 1, 3200000000ULL / mult, &n) == -1)
		return -1;
	*out = (int64_t)(n * mult);
	return 0;
}

int
cfg_parse_duration(struct cfg_parser *p, const char *key, const char *v,
    int64_t *out)
{
	if (duration_value(v, out) == 0)
		return 0;
	cfg_error(p, p->line, "%s: expected a duration such as 30s, 10m, 2h "
	    "or 14d, got '%s'", key, v);
	return -1;
}

/* "0", "2048", "512K", "10M", "1G" (powers of 1024). */
int
cfg_parse_size(struct cfg_parser *p, const char *key, const char *v,
    uint64_t *out)
{
	size_t		len = strlen(v);
	uint64_t	n, mult = 1;

	if (len > 1) {
		switch (v[len - 1]) {
		case 'k': case 'K': mult = 1024; break;
		case 'm': case 'M': mult = 1024 * 1024; break;
		case 'g': case 'G': mult = 1024 * 1024 * 1024; break;
		default: break;
		}
	}
	if (parse_u64(v, mult == 1 ? len : len - 1, UINT64_MAX / mult /
	    1024, &n) == 0) {
		*out = n * mult;
		return 0;
	}
	cfg_error(p, p->line, "%s: expected a size such as 0, 512K, 10M or "
	    "1G, got '%s'", key, v);
	return -1;
}

int
cfg_parse_keep(struct cfg_parser *p, const char *key, const char *v,
    int64_t *out)
{
	if (ascii_casecmp(v, "forever") == 0) {
		*out = CFG_KEEP_FOREVER;
		return 0;
	}
	if (duration_value(v, out) == 0)
		return 0;
	cfg_error(p, p->line, "%s: expected 0, a duration such as 14d, or "
	    "forever, got '%s'", key, v);
	return -1;
}

int
cfg_parse_text(struct cfg_parser *p, const char *key, const char *v,
    char **out)
{
	if (*v == '\0') {
		cfg_error(p, p->line, "%s: empty value", key);
		return -1;
	}
	free(*out);
	*out = xstrdup(v);
	return 0;
}

static int
var_char(int c, bool first)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (!first && c >= '0' && c <= '9');
}

/* Expand $VAR, ${VAR} and $$ into b; -1 after reporting. */
static int
expand_vars(struct cfg_parser *p, const char *key, const char *s,
    struct buf *b)
{
	char		 name[128];
	const char	*val;
	size_t		 n;
	bool		 braced;

	while (*s != '\0') {
		if (*s != '$') {
			if (buf_append_byte(b, (unsigned char)*s++) == -1)
				goto toolong;
			continue;
		}
		s++;
		if (*s == '$') {
			if (buf_append_byte(b, '$') == -1)
				goto toolong;
			s++;
			continue;
		}
		braced = *s == '{';
		if (braced)
			s++;
		for (n = 0; var_char((unsigned char)s[n], n == 0); n++)
			;
		if (n == 0 || n >= sizeof(name) || (braced && s[n] != '}')) {
			cfg_error(p, p->line, "%s: bad variable reference "
			    "after '$' (write $$ for a dollar sign)", key);
			return -1;
		}
		memcpy(name, s, n);
		name[n] = '\0';
		s += n + (braced ? 1 : 0);
		val = cfg_env_get(p, name);
		if (val == NULL) {
			cfg_error(p, p->line, "%s: $%s is not set", key, name);
			return -1;
		}
		if (buf_append_str(b, val) == -1)
			goto toolong;
	}
	return 0;
toolong:
	cfg_error(p, p->line, "%s: value too long after expansion", key);
	return -1;
}

int
cfg_parse_path(struct cfg_parser *p, const char *key, const char *v,
    char **out)
{
	struct buf	 b;
	const char	*home;

	buf_init(&b, 4096);
	if (v[0] == '~') {
		if (v[1] != '\0' && v[1] != '/') {
			cfg_error(p, p->line, "%s: ~user paths are not "
			    "supported; write the full path or use $HOME", key);
			return -1;
		}
		home = cfg_env_get(p, "HOME");
		if (home == NULL || *home == '\0') {
			cfg_error(p, p->line, "%s: ~ used but $HOME is not "
			    "set", key);
			return -1;
		}
		/* HOME=/ and "~/Mail" make "/Mail", not "//Mail". */
		if (buf_append(&b, home, strcmp(home, "/") == 0 ? 0 :
		    strlen(home)) == -1) {
			cfg_error(p, p->line, "%s: $HOME is too long", key);
			buf_free(&b);
			return -1;
		}
		v++;
	}
	if (expand_vars(p, key, v, &b) == -1) {
		buf_free(&b);
		return -1;
	}
	if (b.len == 0 || b.data[0] != '/') {
		cfg_error(p, p->line, "%s: expected an absolute path (or one "
		    "starting with ~ or $VAR), got '%s'", key, v);
		buf_free(&b);
		return -1;
	}
	/* "/home/x/" and "/home/x" are the same folder. */
	while (b.len > 1 && b.data[b.len - 1] == '/')
		buf_truncate(&b, b.len - 1);
	free(*out);
	*out = buf_take(&b);
	return 0;
}

/* ---- URLs ---- */

static const struct {
	const char	*name;
	enum cfg_scheme	 scheme;
	const char	*port;
	enum cfg_tls	 tls;
	bool		 outgoing;
} schemes[] = {
	{ "imaps", CFG_SCHEME_IMAPS, "993", CFG_TLS_IMPLICIT, false },
	{ "imap", CFG_SCHEME_IMAP, "143", CFG_TLS_STARTTLS, false },
	{ "pop3s", CFG_SCHEME_POP3S, "995", CFG_TLS_IMPLICIT, false },
	{ "pop3", CFG_SCHEME_POP3, "110", CFG_TLS_STARTTLS, false },
	{ "maildir", CFG_SCHEME_MAILDIR, NULL, CFG_TLS_NONE, false },
	{ "smtps", CFG_SCHEME_SMTPS, "465", CFG_TLS_IMPLICIT, true },
	{ "smtp", CFG_SCHEME_SMTP, "587", CFG_TLS_STARTTLS, true },
};
#define NSCHEMES (sizeof(schemes) / sizeof(schemes[0]))

const char *
cfg_scheme_name(enum cfg_scheme s)
{
	size_t	i;

	for (i = 0; i < NSCHEMES; i++)
		if (schemes[i].scheme == s)
			return schemes[i].name;
	return "none";
}

void
cfg_server_free(struct cfg_server *s)
{
	free(s->user);
	free(s->host);
	free(s->port);
	free(s->path);
	memset(s, 0, sizeof(*s));
}

/* Percent-decode the user part; NULL if malformed or holding controls. */
static char *
url_user(const char *s, size_t n)
{
	char	*u = xmalloc(n + 1);
	size_t	 i, o = 0;

	for (i = 0; i < n; i++) {
		int	c = (unsigned char)s[i];

		if (c == '%') {
			int	hi, lo;

			if (i + 2 >= n)
				goto bad;
			hi = hex_digit((unsigned char)s[i + 1]);
			lo = hex_digit((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c < 0x20 || c == 0x7f)
			goto bad;
		u[o++] = (char)c;
	}
	u[o] = '\0';
	if (o == 0)
		goto bad;
	return u;
bad:
	free(u);
	return NULL;
}

static bool
host_ok(const char *h, size_t n)
{
	size_t	i;

	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++) {
		int	c = (unsigned char)h[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_'))
			return false;
	}
	return h[0] != '-' && h[0] != '.';
}

static bool
ipv6_ok(const char *h, size_t n)
{
	size_t	i;

	if (n < 2 || n > 45)
		return false;
	for (i = 0; i < n; i++) {
		int	c = (unsigned char)h[i];

		if (!(hex_digit(c) >= 0 || c == ':' || c == '.'))
			return false;
	}
	return true;
}

static int
url_scheme(struct cfg_parser *p, const char *key, const char *v, size_t n,
    bool outgoing)
{
	const char	*names[NSCHEMES];
	char		 word[32], hint[64];
	size_t		 i, k = 0;

	for (i = 0; i < NSCHEMES; i++) {
		if (schemes[i].outgoing == outgoing)
			names[k++] = schemes[i].name;
		if (strlen(schemes[i].name) == n &&
		    ascii_ncasecmp(v, schemes[i].name, n) == 0) {
			if (schemes[i].outgoing != outgoing) {
				cfg_error(p, p->line, "%s: %s:// is for %s "
				    "mail; expected %s", key,
				    schemes[i].name, outgoing ? "incoming" :
				    "outgoing", outgoing ? "smtps:// or "
				    "smtp://" : "imaps://, imap://, pop3s://, "
				    "pop3:// or maildir://");
				return -1;
			}
			return (int)i;
		}
	}
	(void)snprintf(word, sizeof(word), "%.*s", (int)(n < 31 ? n : 31), v);
	cfg_suggest(word, names, k, hint, sizeof(hint));
	cfg_error(p, p->line, "%s: unknown scheme '%s'%s; expected %s", key,
	    word, hint, outgoing ? "smtps or smtp" :
	    "imaps, imap, pop3s, pop3 or maildir");
	return -1;
}

/* host[:port] or [v6][:port] into out; -1 after reporting. */
static int
url_hostport(struct cfg_parser *p, const char *key, const char *s,
    size_t n, struct cfg_server *out)
{
	const char	*host = s, *port = NULL;
	size_t		 hlen = n, plen = 0;
	uint64_t	 num;

	if (n > 0 && s[0] == '[') {
		const char	*rb = memchr(s, ']', n);

		if (rb == NULL || !ipv6_ok(s + 1, (size_t)(rb - s - 1)))
			goto badhost;
		host = s + 1;
		hlen = (size_t)(rb - s - 1);
		if ((size_t)(rb - s) + 1 < n) {
			if (rb[1] != ':')
				goto badhost;
			port = rb + 2;
			plen = n - (size_t)(port - s);
		}
	} else {
		const char	*colon = memchr(s, ':', n);

		if (colon != NULL) {
			hlen = (size_t)(colon - s);
			port = colon + 1;
			plen = n - hlen - 1;
		}
		if (hlen == 0) {
			cfg_error(p, p->line, "%s: missing host name", key);
			return -1;
		}
		if (!host_ok(host, hlen))
			goto badhost;
	}
	if (port != NULL) {
		if (parse_u64(port, plen, 65535, &num) == -1 || num == 0) {
			cfg_error(p, p->line, "%s: bad port '%.*s' (expected "
			    "1 to 65535)", key, (int)plen, port);
			return -1;
		}
		free(out->port);
		out->port = xasprintf("%u", (unsigned)num);
	}
	out->host = xmemdup0(host, hlen);
	return 0;
badhost:
	cfg_error(p, p->line, "%s: bad host name '%.*s'", key, (int)n, s);
	return -1;
}

int
cfg_parse_url(struct cfg_parser *p, const char *key, const char *v,
    bool outgoing, struct cfg_server *out)
{
	struct cfg_server	 s = { 0 };
	const char		*sep, *rest, *at, *end;
	int			 i;

	sep = strstr(v, "://");
	if (sep == NULL || sep == v) {
		/* Not repeated: "user:password@host" would show a password. */
		cfg_error(p, p->line, "%s: expected a URL such as %s", key,
		    outgoing ? "smtps://user@smtp.example.org" :
		    "imaps://user@imap.example.org");
		return -1;
	}
	i = url_scheme(p, key, v, (size_t)(sep - v), outgoing);
	if (i < 0)
		return -1;
	s.scheme = schemes[i].scheme;
	s.tls = schemes[i].tls;
	s.line = p->line;
	rest = sep + 3;
	if (s.scheme == CFG_SCHEME_MAILDIR) {
		if (cfg_parse_path(p, key, rest, &s.path) == -1)
			return -1;
		cfg_server_free(out);
		*out = s;
		return 0;
	}
	s.port = xstrdup(schemes[i].port);
	end = rest + strlen(rest);
	/* A single trailing slash is harmless; a path is not ours. */
	if (end > rest && end[-1] == '/')
		end--;
	/* The user may contain '@' (user@domain@host): split at the last. */
	at = NULL;
	for (sep = rest; sep < end; sep++)
		if (*sep == '@')
			at = sep;
	if (at != NULL && memchr(rest, ':', (size_t)(at - rest)) != NULL) {
		/* Checked first, and the URL never repeated: it holds a
		 * password. */
		cfg_error(p, p->line, "%s: do not put a password in the URL; "
		    "use password-command or password", key);
		goto fail;
	}
	if (at != NULL) {
		s.user = url_user(rest, (size_t)(at - rest));
		if (s.user == NULL) {
			cfg_error(p, p->line, "%s: bad user name in '%s'",
			    key, v);
			goto fail;
		}
		rest = at + 1;
	}
	if (memchr(rest, '/', (size_t)(end - rest)) != NULL) {
		cfg_error(p, p->line, "%s: unexpected path in '%s' (folders "
		    "are found on the server)", key, v);
		goto fail;
	}
	if (url_hostport(p, key, rest, (size_t)(end - rest), &s) == -1)
		goto fail;
	cfg_server_free(out);
	*out = s;
	return 0;
fail:
	cfg_server_free(&s);
	return -1;
}

/* ---- addresses: "Name <local@domain>" or "local@domain" ---- */

static bool
addr_spec_ok(const char *s, size_t n)
{
	const char	*at = NULL;
	size_t		 i;

	for (i = 0; i < n; i++) {
		int	c = (unsigned char)s[i];

		if (c <= ' ' || c == 0x7f || c == '<' || c == '>' ||
		    c == ',' || c == '"' || c == '(' || c == ')')
			return false;
		if (c == '@') {
			if (at != NULL)
				return false;
			at = s + i;
		}
	}
	return at != NULL && at > s && at < s + n - 1 && at[1] != '.' &&
	    s[n - 1] != '.';
}

int
cfg_parse_address(struct cfg_parser *p, const char *key, const char *v,
    char **name, char **spec)
{
	const char	*lt, *gt;
	size_t		 nlen;

	lt = strrchr(v, '<');
	if (lt == NULL) {
		if (!addr_spec_ok(v, strlen(v)))
			goto bad;
		free(*spec);
		*spec = xstrdup(v);
		free(*name);
		*name = NULL;
		return 0;
	}
	gt = strchr(lt, '>');
	if (gt == NULL || gt[1] != '\0' ||
	    !addr_spec_ok(lt + 1, (size_t)(gt - lt - 1)))
		goto bad;
	free(*spec);
	*spec = xmemdup0(lt + 1, (size_t)(gt - lt - 1));
	nlen = (size_t)(lt - v);
	while (nlen > 0 && (v[nlen - 1] == ' ' || v[nlen - 1] == '\t'))
		nlen--;
	/* "Martin, Jeanne" <j@x>: the quotes are syntax, not the name. */
	if (nlen >= 2 && v[0] == '"' && v[nlen - 1] == '"') {
		v++;
		nlen -= 2;
	}
	free(*name);
	*name = nlen > 0 ? xmemdup0(v, nlen) : NULL;
	return 0;
bad:
	cfg_error(p, p->line, "%s: expected an address such as "
	    "Jeanne Martin <jeanne@example.org>, got '%s'", key, v);
	return -1;
}

int
cfg_parse_choice(struct cfg_parser *p, const char *key, const char *v,
    const char *const *choices, size_t n, int *out)
{
	struct buf	 list;
	char		 hint[96];
	size_t		 i;

	for (i = 0; i < n; i++) {
		if (ascii_casecmp(v, choices[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	buf_init(&list, 1024);
	for (i = 0; i < n; i++)
		if (buf_printf(&list, "%s%s", i == 0 ? "" : i == n - 1 ?
		    " or " : ", ", choices[i]) == -1)
			break;
	cfg_suggest(v, choices, n, hint, sizeof(hint));
	cfg_error(p, p->line, "%s: expected %s, got '%s'%s", key,
	    buf_str(&list), v, hint);
	buf_free(&list);
	return -1;
}

/* ---- colours: "FG [on BG] [bold] [underline] [reverse] [dim]" ---- */

static const char *const color_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"
};

static int
color_value(const char *w, short *out)
{
	uint64_t	n;
	size_t		i;

	if (ascii_casecmp(w, "default") == 0) {
		*out = CFG_COLOR_DEFAULT;
		return 0;
	}
	for (i = 0; i < 8; i++) {
		if (ascii_casecmp(w, color_names[i]) == 0) {
			*out = (short)i;
			return 0;
		}
		if (ascii_ncasecmp(w, "bright", 6) == 0 &&
		    ascii_casecmp(w + 6, color_names[i]) == 0) {
			*out = (short)(i + 8);
			return 0;
		}
	}
	if (ascii_ncasecmp(w, "color", 5) == 0 &&
	    parse_u64(w + 5, strlen(w + 5), 255, &n) == 0) {
		*out = (short)n;
		return 0;
	}
	return -1;
}

int
cfg_parse_color(struct cfg_parser *p, const char *key, const char *v,
    struct cfg_color *out)
{
	struct cfg_color c = { CFG_COLOR_DEFAULT, CFG_COLOR_DEFAULT, 0, true };
	char		 words[8][32];
	int		 nw = 0, i, ncolors = 0;
	const char	*s = v;

	while (*s != '\0') {
		size_t	n;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		n = strcspn(s, " \t");
		if (nw == 8 || n >= sizeof(words[0]))
			goto bad;
		memcpy(words[nw], s, n);
		words[nw++][n] = '\0';
		s += n;
	}
	for (i = 0; i < nw; i++) {
		const char	*w = words[i];

		if (ascii_casecmp(w, "bold") == 0)
			c.attrs |= CFG_ATTR_BOLD;
		else if (ascii_casecmp(w, "underline") == 0)
			c.attrs |= CFG_ATTR_UNDERLINE;
		else if (ascii_casecmp(w, "reverse") == 0)
			c.attrs |= CFG_ATTR_REVERSE;
		else if (ascii_casecmp(w, "dim") == 0)
			c.attrs |= CFG_ATTR_DIM;
		else if (ascii_casecmp(w, "on") == 0 && ncolors == 1 &&
		    i + 1 < nw) {
			if (color_value(words[++i], &c.bg) == -1)
				goto bad;
			ncolors++;
		} else if (ncolors == 0 && color_value(w, &c.fg) == 0)
			ncolors++;
		else
			goto bad;
	}
	if (nw == 0)
		goto bad;
	*out = c;
	return 0;
bad:
	cfg_error(p, p->line, "%s: expected a colour such as 'yellow', "
	    "'white on blue bold' or 'color208', got '%s'", key, v);
	return -1;
}
