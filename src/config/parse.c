/*
 * parse.c: reading the file: lines, sections, "key = value" with quoting
 * and comments; then the validation pass. Also loading from disk and
 * freeing.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_priv.h"

/* Largest configuration file read. */
#define CFG_MAX_FILE	(1024 * 1024)

static bool
is_space(int c)
{
	return c == ' ' || c == '\t';
}

/*
 * A quoted value at s: 0 when the quotes hold the whole value, 1 when
 * text follows the closing quote (then the quotes are part of the text),
 * -1 with *why on an error.
 */
static int
lex_quoted(const char *s, size_t n, struct buf *out, const char **why)
{
	size_t	i;

	for (i = 1; i < n && s[i] != '"'; i++) {
		int	c = (unsigned char)s[i];

		if (c == '\\') {
			if (++i == n)
				break;
			c = (unsigned char)s[i];
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c != '"' && c != '\\')
				c = -1;
		}
		if (c == -1) {
			*why = "unknown escape in quotes (use \\\", \\\\, "
			    "\\n or \\t)";
			return -1;
		}
		if (buf_append_byte(out, (unsigned char)c) == -1) {
			*why = "value too long";
			return -1;
		}
	}
	if (i >= n) {
		*why = "missing closing quote";
		return -1;
	}
	for (i++; i < n && is_space((unsigned char)s[i]); i++)
		;
	return i < n && s[i] != '#' ? 1 : 0;
}

/*
 * A value: a double-quoted string with \" \\ \n \t escapes when the
 * quotes hold the whole value, else plain text up to a '#' that starts the
 * value or follows a blank (a comment), with surrounding blanks dropped.
 * Returns 0, or -1 with *why set.
 */
static int
lex_value(const char *s, size_t n, struct buf *out, const char **why)
{
	size_t	i = 0, end;

	while (i < n && is_space((unsigned char)s[i]))
		i++;
	if (i < n && s[i] == '"') {
		switch (lex_quoted(s + i, n - i, out, why)) {
		case 0:
			return 0;
		case -1:
			return -1;
		default:
			/* "Martin, Jeanne" <j@x>: quotes inside the text. */
			buf_reset(out);
			break;
		}
	}
	for (end = i; end < n; end++)
		if (s[end] == '#' && (end == i ||
		    is_space((unsigned char)s[end - 1])))
			break;
	while (end > i && is_space((unsigned char)s[end - 1]))
		end--;
	if (buf_append(out, s + i, end - i) == -1) {
		*why = "value too long";
		return -1;
	}
	return 0;
}

static bool
account_name_ok(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > 64 || s[0] == '.' || s[0] == '-')
		return false;
	for (i = 0; i < n; i++) {
		int	c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.'))
			return false;
	}
	return true;
}

static void
section_account(struct cfg_parser *p, const char *name, size_t n)
{
	struct config	*cfg = p->cfg;
	size_t		 i;

	p->sec = SEC_BAD;
	if (!account_name_ok(name, n)) {
		cfg_error(p, p->line, "bad account name '%.*s' (use letters, "
		    "digits, '-', '_' and '.'; it names a directory)",
		    (int)n, name);
		return;
	}
	for (i = 0; i < cfg->naccounts; i++) {
		if (strlen(cfg->accounts[i].name) == n &&
		    ascii_ncasecmp(cfg->accounts[i].name, name, n) == 0) {
			cfg_error(p, p->line, "duplicate account '%.*s' "
			    "(first on line %d)", (int)n, name,
			    cfg->accounts[i].line);
			return;
		}
	}
	if (cfg->naccounts >= CFG_MAX_ACCOUNTS) {
		cfg_error(p, p->line, "too many accounts");
		return;
	}
	cfg->accounts = xreallocarray(cfg->accounts, cfg->naccounts + 1,
	    sizeof(*cfg->accounts));
	p->acct_lines = xreallocarray(p->acct_lines, cfg->naccounts + 1,
	    sizeof(*p->acct_lines));
	memset(&p->acct_lines[cfg->naccounts], 0, sizeof(*p->acct_lines));
	cfg_account_defaults(&cfg->accounts[cfg->naccounts]);
	cfg->accounts[cfg->naccounts].name = xmemdup0(name, n);
	cfg->accounts[cfg->naccounts].line = p->line;
	p->acct = cfg->naccounts++;
	p->sec = SEC_ACCOUNT;
}

/* "[general]", "[account NAME]", "[bind MENU]", "[color]". */
static void
section_header(struct cfg_parser *p, const char *s, size_t n)
{
	static const char *const kinds[] = {
		"general", "account", "bind", "color"
	};
	const char	*word, *arg = NULL, *close;
	size_t		 wlen, alen = 0;
	char		 w[32], hint[96];

	p->sec = SEC_BAD;
	close = memchr(s, ']', n);
	if (close == NULL) {
		cfg_error(p, p->line, "expected ']' to close the section "
		    "name");
		return;
	}
	{
		const char	*t = close + 1;

		while (t < s + n && is_space((unsigned char)*t))
			t++;
		if (t < s + n && *t != '#') {
			cfg_error(p, p->line, "unexpected text after ']'");
			return;
		}
	}
	word = s + 1;
	while (word < close && is_space((unsigned char)*word))
		word++;
	for (wlen = 0; word + wlen < close &&
	    !is_space((unsigned char)word[wlen]); wlen++)
		;
	arg = word + wlen;
	while (arg < close && is_space((unsigned char)*arg))
		arg++;
	alen = (size_t)(close - arg);
	while (alen > 0 && is_space((unsigned char)arg[alen - 1]))
		alen--;
	(void)snprintf(w, sizeof(w), "%.*s", (int)(wlen < 31 ? wlen : 31),
	    word);
	if (ascii_casecmp(w, "general") == 0 && alen == 0) {
		p->sec = SEC_GENERAL;
	} else if (ascii_casecmp(w, "account") == 0) {
		if (alen == 0)
			cfg_error(p, p->line, "expected [account NAME]");
		else
			section_account(p, arg, alen);
	} else if (ascii_casecmp(w, "bind") == 0) {
		char	m[32];

		(void)snprintf(m, sizeof(m), "%.*s",
		    (int)(alen < 31 ? alen : 31), arg);
		if (cfg_menu_lookup(m, &p->menu) == 0)
			p->sec = SEC_BIND;
		else if (alen == 0)
			cfg_error(p, p->line, "expected [bind index], [bind "
			    "pager] or [bind compose]");
		else
			cfg_error(p, p->line, "expected [bind index], [bind "
			    "pager] or [bind compose], got [bind %s]", m);
	} else if ((ascii_casecmp(w, "color") == 0 ||
	    ascii_casecmp(w, "colour") == 0) && alen == 0) {
		p->sec = SEC_COLOR;
	} else if (alen != 0 && (ascii_casecmp(w, "general") == 0 ||
	    ascii_casecmp(w, "color") == 0 ||
	    ascii_casecmp(w, "colour") == 0)) {
		cfg_error(p, p->line, "[%s] takes no name", w);
	} else {
		cfg_suggest(w, kinds, 4, hint, sizeof(hint));
		cfg_error(p, p->line, "unknown section [%.*s]%s; expected "
		    "[general], [account NAME], [bind MENU] or [color]",
		    (int)(close - s - 1), s + 1, hint);
	}
}

static void
key_value(struct cfg_parser *p, const char *s, size_t n)
{
	struct buf	 key, val;
	const char	*why = NULL, *eq;
	size_t		 klen;

	/* Lines of unknown sections were already reported once. */
	if (p->sec == SEC_BAD)
		return;
	buf_init(&key, CFG_MAX_LINE);
	buf_init(&val, CFG_MAX_LINE);
	if (s[0] == '"') {
		/* A quoted key, for bindings of '=', '#' or '"'. */
		size_t	q;

		if (lex_quoted(s, n, &key, &why) == -1) {
			cfg_error(p, p->line, "key: %s", why);
			goto out;
		}
		/* lex_quoted stops after the closing quote: find it again. */
		for (q = 1; q < n && s[q] != '"'; q++)
			if (s[q] == '\\')
				q++;
		eq = s + q + 1;
		while (eq < s + n && is_space((unsigned char)*eq))
			eq++;
		if (eq >= s + n || *eq != '=') {
			cfg_error(p, p->line, "expected '=' after the key");
			goto out;
		}
	} else if (s[0] == '=' && p->sec == SEC_BIND) {
		/* "= = search": the key is '=', then blanks, then '='. */
		if (buf_append_byte(&key, '=') == -1)
			goto out;
		eq = s + 1;
		while (eq < s + n && is_space((unsigned char)*eq))
			eq++;
		if (eq >= s + n || *eq != '=') {
			cfg_error(p, p->line, "expected '=' after the key "
			    "(quote a key that has '=' in it)");
			goto out;
		}
	} else {
		eq = memchr(s, '=', n);
		if (eq == NULL) {
			/* The text is not repeated: it may be a password. */
			cfg_error(p, p->line, "expected KEY = VALUE or "
			    "[SECTION]");
			goto out;
		}
		klen = (size_t)(eq - s);
		while (klen > 0 && is_space((unsigned char)s[klen - 1]))
			klen--;
		if (klen == 0) {
			cfg_error(p, p->line, "missing key before '='");
			goto out;
		}
		if (buf_append(&key, s, klen) == -1)
			goto out;
	}
	if (lex_value(eq + 1, (size_t)(s + n - eq - 1), &val, &why) == -1) {
		cfg_error(p, p->line, "%s: %s", buf_str(&key), why);
		goto out;
	}
	switch (p->sec) {
	case SEC_NONE:
		cfg_error(p, p->line, "'%s' is outside of any section (start "
		    "with [general] or [account NAME])", buf_str(&key));
		break;
	case SEC_GENERAL:
		cfg_set_general(p, buf_str(&key), buf_str(&val));
		break;
	case SEC_ACCOUNT:
		if ((ascii_casecmp(buf_str(&key), "password") == 0 ||
		    ascii_casecmp(buf_str(&key), "outgoing-password") == 0) &&
		    p->password_line == 0)
			p->password_line = p->line;
		cfg_set_account(p, buf_str(&key), buf_str(&val));
		break;
	case SEC_BIND:
		cfg_set_bind(p, buf_str(&key), buf_str(&val));
		break;
	case SEC_COLOR:
		cfg_set_color(p, buf_str(&key), buf_str(&val));
		break;
	case SEC_BAD:
		break;
	}
out:
	buf_free_secret(&val);
	buf_free(&key);
}

/* One line, without its newline. */
static void
parse_line(struct cfg_parser *p, const char *s, size_t n)
{
	size_t	i;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (n > CFG_MAX_LINE) {
		cfg_error(p, p->line, "line longer than %d bytes",
		    CFG_MAX_LINE);
		return;
	}
	for (i = 0; i < n; i++) {
		unsigned char	c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			cfg_error(p, p->line, "control character 0x%02x in "
			    "line", c);
			return;
		}
	}
	while (n > 0 && is_space((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_space((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || s[0] == '#')
		return;
	if (s[0] == '[')
		section_header(p, s, n);
	else
		key_value(p, s, n);
}

static struct config *
parse_text(const char *text, size_t len, const char *name,
    const struct cfg_env *env, struct cfg_diag *diag, int *password_line)
{
	struct cfg_parser	 p;
	struct config		*cfg;
	const char		*s = text, *end = text + len;
	size_t			 i;

	cfg = xcalloc(1, sizeof(*cfg));
	cfg->path = xstrdup(name);
	cfg_general_defaults(&cfg->general);
	for (i = 0; i < CFG_COLOR_COUNT; i++) {
		cfg->colors[i].fg = CFG_COLOR_DEFAULT;
		cfg->colors[i].bg = CFG_COLOR_DEFAULT;
	}
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.env = env;
	p.diag = diag;
	p.cfg = cfg;
	p.sec = SEC_NONE;
	while (s < end) {
		const char	*nl = memchr(s, '\n', (size_t)(end - s));
		size_t		 n = nl ? (size_t)(nl - s) : (size_t)(end - s);

		p.line++;
		parse_line(&p, s, n);
		s += n + (nl ? 1 : 0);
	}
	cfg_validate(&p);
	free(p.acct_lines);
	if (password_line != NULL)
		*password_line = p.password_line;
	if (diag->nerrors > 0)
		cfg_free(&cfg);
	return cfg;
}

struct config *
cfg_parse(const char *text, size_t len, const char *name,
    const struct cfg_env *env, struct cfg_diag *diag)
{
	return parse_text(text, len, name, env, diag, NULL);
}

struct config *
cfg_load(const char *path, const struct cfg_env *env, struct cfg_diag *diag)
{
	struct cfg_parser	 p = { .name = path, .diag = diag };
	struct config		*cfg;
	struct stat		 st;
	struct buf		 b;
	int			 fd, password_line = 0;
	ssize_t			 r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) == -1) {
		cfg_error(&p, 0, "cannot read: %s", strerror(errno));
		if (fd != -1)
			(void)close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CFG_MAX_FILE) {
		cfg_error(&p, 0, S_ISREG(st.st_mode) ? "larger than 1 MiB" :
		    "not a regular file");
		(void)close(fd);
		return NULL;
	}
	buf_init(&b, CFG_MAX_FILE);
	for (;;) {
		char	chunk[8192];

		r = read(fd, chunk, sizeof(chunk));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			cfg_error(&p, 0, "cannot read: %s", strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		if (buf_append(&b, chunk, (size_t)r) == -1) {
			explicit_zero(chunk, sizeof(chunk));
			cfg_error(&p, 0, "larger than 1 MiB");
			goto fail;
		}
		explicit_zero(chunk, sizeof(chunk));
	}
	(void)close(fd);
	cfg = parse_text(b.data ? b.data : "", b.len, path, env, diag,
	    &password_line);
	buf_free_secret(&b);
	if (password_line > 0 && (st.st_mode & (S_IRGRP | S_IROTH))) {
		p.name = path;
		cfg_warning(&p, password_line, "this file holds a password "
		    "and is readable by %s (mode %04o); run chmod 600 on it, "
		    "or use password-command", (st.st_mode & S_IROTH) ?
		    "others" : "its group", (unsigned)(st.st_mode & 07777));
	}
	return cfg;
fail:
	(void)close(fd);
	buf_free_secret(&b);
	return NULL;
}

void
cfg_free(struct config **cfgp)
{
	struct config	*cfg;
	size_t		 i;

	if (cfgp == NULL || *cfgp == NULL)
		return;
	cfg = *cfgp;
	for (i = 0; i < cfg->naccounts; i++)
		cfg_account_free(&cfg->accounts[i]);
	free(cfg->accounts);
	for (i = 0; i < cfg->nbinds; i++)
		free(cfg->binds[i].key);
	free(cfg->binds);
	cfg_general_free(&cfg->general);
	free(cfg->path);
	free(cfg);
	*cfgp = NULL;
}

const struct cfg_account *
cfg_account(const struct config *cfg, const char *name)
{
	size_t	i;

	for (i = 0; i < cfg->naccounts; i++) {
		if (name == NULL ? cfg->accounts[i].is_default :
		    ascii_casecmp(cfg->accounts[i].name, name) == 0)
			return &cfg->accounts[i];
	}
	return NULL;
}

char *
cfg_default_path(const char *path, const struct cfg_env *env)
{
	struct cfg_parser	 p = { .env = env };
	const char		*v;

	if (path != NULL)
		return xstrdup(path);
	v = cfg_env_get(&p, "FACTEUR_CONFIG");
	if (v != NULL && *v != '\0')
		return xstrdup(v);
	v = cfg_env_get(&p, "XDG_CONFIG_HOME");
	if (v != NULL && v[0] == '/')
		return xasprintf("%s/facteur/config", v);
	v = cfg_env_get(&p, "HOME");
	if (v != NULL && *v != '\0')
		return xasprintf("%s/.config/facteur/config", v);
	return xstrdup(".config/facteur/config");
}

struct config *
cfg_load_optional(const char *path, bool *none, struct cfg_diag *diag)
{
	struct config	*cfg;
	struct stat	 st;
	char		*p;

	*none = false;
	p = cfg_default_path(path, NULL);
	if (path == NULL && stat(p, &st) == -1 && errno == ENOENT) {
		free(p);
		*none = true;
		return NULL;
	}
	cfg = cfg_load(p, NULL, diag);
	free(p);
	return cfg;
}
