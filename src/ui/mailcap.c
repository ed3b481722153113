/*
 * mailcap.c: RFC 1524 mailcap entries, to open an attachment with the
 * program the system names for its type: "type/subtype; command; flags",
 * "#" comments, "\" continuing a line, "type/ANY" matching any subtype.
 * Entries with a test= field are used only when the test command exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_priv.h"

#define MAILCAP_MAX	((size_t)1024 * 1024)

void
ui_mailcap_free(struct ui_mailcap *mc)
{
	free(mc->command);
	memset(mc, 0, sizeof(*mc));
}

static char *
trim_dup(const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return xstrndup(s, n);
}

/* The fields of one logical line, split at unescaped ";". */
static size_t
split_fields(const char *s, size_t n, char **f, size_t max)
{
	size_t	i, start = 0, nf = 0;

	for (i = 0; i <= n && nf < max; i++) {
		if (i < n && s[i] == '\\' && i + 1 < n) {
			i++;
			continue;
		}
		if (i == n || s[i] == ';') {
			f[nf++] = trim_dup(s + start, i - start);
			start = i + 1;
		}
	}
	return nf;
}

static bool
type_matches(const char *pattern, const char *type)
{
	size_t	pl = strlen(pattern);

	if (ascii_casecmp(pattern, type) == 0)
		return true;
	if (pl >= 2 && strcmp(pattern + pl - 2, "/*") == 0)
		return ascii_ncasecmp(pattern, type, pl - 1) == 0;
	/* "text" alone means any text subtype. */
	return strchr(pattern, '/') == NULL && ascii_ncasecmp(pattern, type,
	    pl) == 0 && type[pl] == '/';
}

static bool
test_passes(const char *test, const char *type)
{
	char	*cmd = ui_mailcap_command(test, "/dev/null", type);
	int	 st = system(cmd);

	free(cmd);
	return st == 0;
}

int
ui_mailcap_parse(const char *text, size_t len, const char *type,
    struct ui_mailcap *out)
{
	struct buf	line;
	size_t		i = 0, nf, k;
	char		*f[32];
	int		 rc = -1;

	memset(out, 0, sizeof(*out));
	buf_init(&line, 64 * 1024);
	while (i < len && rc == -1) {
		buf_reset(&line);
		/* One logical line: "\" before the line end continues it. */
		while (i < len) {
			const char	*nl = memchr(text + i, '\n', len - i);
			size_t		 e = nl != NULL ? (size_t)(nl - text) :
			    len;
			size_t		 l = e - i;
			bool		 cont = l > 0 && text[e - 1] == '\\';

			if (buf_append(&line, text + i, cont ? l - 1 : l) == -1)
				break;
			i = e + 1;
			if (!cont)
				break;
		}
		if (line.len == 0 || line.data[0] == '#')
			continue;
		nf = split_fields(line.data, line.len, f, 32);
		if (nf >= 2 && type_matches(f[0], type)) {
			bool	ok = true;

			out->needsterminal = out->copiousoutput = false;
			for (k = 2; k < nf; k++) {
				if (ascii_casecmp(f[k], "needsterminal") == 0)
					out->needsterminal = true;
				else if (ascii_casecmp(f[k], "copiousoutput") ==
				    0)
					out->copiousoutput = true;
				else if (ascii_ncasecmp(f[k], "test=", 5) == 0 &&
				    !test_passes(f[k] + 5, type))
					ok = false;
			}
			if (ok && f[1][0] != '\0') {
				out->command = xstrdup(f[1]);
				rc = 0;
			}
		}
		for (k = 0; k < nf; k++)
			free(f[k]);
	}
	buf_free(&line);
	return rc;
}

int
ui_mailcap_find(const char *type, struct ui_mailcap *out)
{
	const char	*env = getenv("MAILCAPS"), *home = getenv("HOME");
	char		*list, *p, *path;
	int		 rc = -1;

	if (env != NULL)
		list = xstrdup(env);
	else
		list = xasprintf("%s/.mailcap:/etc/mailcap",
		    home != NULL ? home : "/nonexistent");
	for (p = list; rc == -1 && p != NULL; ) {
		struct buf	 b;

		path = p;
		p = strchr(p, ':');
		if (p != NULL)
			*p++ = '\0';
		if (path[0] == '\0')
			continue;
		buf_init(&b, MAILCAP_MAX);
		if (buf_read_file(&b, path) == 0)
			rc = ui_mailcap_parse(buf_str(&b), b.len, type, out);
		buf_free(&b);
	}
	free(list);
	return rc;
}

/* s single-quoted for /bin/sh. */
static void
shell_quote(struct buf *b, const char *s)
{
	ui_cat(b, "'");
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			ui_cat(b, "'\\''");
		else
			ui_cat(b, "%c", *s);
	}
	ui_cat(b, "'");
}

char *
ui_mailcap_command(const char *command, const char *path, const char *type)
{
	struct buf	b;
	const char	*s;

	buf_init(&b, 64 * 1024);
	for (s = command; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] != '\0') {
			ui_cat(&b, "%c", *++s);
		} else if (s[0] == '%' && s[1] == 's') {
			shell_quote(&b, path);
			s++;
		} else if (s[0] == '%' && s[1] == 't') {
			shell_quote(&b, type);
			s++;
		} else
			ui_cat(&b, "%c", *s);
	}
	return buf_take(&b);
}
