/* diag.c: error and warning collection, and "did you mean" suggestions. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

/* Insert msg after every message of a line <= line (stable order). */
static void
diag_push(char ***arr, int **lines, size_t *n, int line, char *msg)
{
	size_t	pos = *n;

	*arr = xreallocarray(*arr, *n + 1, sizeof(**arr));
	*lines = xreallocarray(*lines, *n + 1, sizeof(**lines));
	while (pos > 0 && (*lines)[pos - 1] > line) {
		(*arr)[pos] = (*arr)[pos - 1];
		(*lines)[pos] = (*lines)[pos - 1];
		pos--;
	}
	(*arr)[pos] = msg;
	(*lines)[pos] = line;
	(*n)++;
}

void
cfg_error(struct cfg_parser *p, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (p->diag->nerrors >= CFG_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (p->diag->nerrors == CFG_MAX_ERRORS - 1) {
		free(msg);
		msg = xstrdup("too many errors");
	}
	diag_push(&p->diag->errors, &p->diag->error_lines, &p->diag->nerrors,
	    line, line > 0 ?
	    xasprintf("%s:%d: %s", p->name, line, msg) :
	    xasprintf("%s: %s", p->name, msg));
	free(msg);
}

void
cfg_warning(struct cfg_parser *p, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (p->diag->nwarnings >= CFG_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag_push(&p->diag->warnings, &p->diag->warning_lines,
	    &p->diag->nwarnings, line, line > 0 ?
	    xasprintf("%s:%d: warning: %s", p->name, line, msg) :
	    xasprintf("%s: warning: %s", p->name, msg));
	free(msg);
}

void
cfg_diag_free(struct cfg_diag *d)
{
	size_t	i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nerrors; i++)
		free(d->errors[i]);
	for (i = 0; i < d->nwarnings; i++)
		free(d->warnings[i]);
	free(d->errors);
	free(d->error_lines);
	free(d->warnings);
	free(d->warning_lines);
	memset(d, 0, sizeof(*d));
}

/*
 * Optimal string alignment distance, ASCII case-insensitive, on the first
 * 63 bytes of each word (longer words are not typos of our key names).
 */
size_t
cfg_edit_distance(const char *a, const char *b)
{
	size_t	d[64][64], la, lb, i, j;

	la = strlen(a);
	lb = strlen(b);
	if (la > 63)
		la = 63;
	if (lb > 63)
		lb = 63;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			size_t	cost, v;
			int	ca = ascii_tolower((unsigned char)a[i - 1]);
			int	cb = ascii_tolower((unsigned char)b[j - 1]);

			cost = ca == cb ? 0 : 1;
			v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 &&
			    ca == ascii_tolower((unsigned char)b[j - 2]) &&
			    ascii_tolower((unsigned char)a[i - 2]) == cb &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

void
cfg_suggest(const char *word, const char *const *names, size_t n, char *out,
    size_t outlen)
{
	const char	*best = NULL;
	size_t		 bestd = (size_t)-1, i, reach;

	out[0] = '\0';
	/* A typo is at most a third of the word, and never more than 3. */
	reach = strlen(word) / 3 + 1;
	if (reach > 3)
		reach = 3;
	for (i = 0; i < n; i++) {
		size_t	dist = cfg_edit_distance(word, names[i]);

		if (dist < bestd) {
			bestd = dist;
			best = names[i];
		}
	}
	if (best != NULL && bestd <= reach && bestd > 0)
		(void)snprintf(out, outlen, " (did you mean '%s'?)", best);
}
