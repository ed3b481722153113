/*
 * book.c: the address book for Tab in address prompts: the alias file
 * (mutt's format, "alias NICK Name <addr>", one per line, "#" comments)
 * and the senders of the open folder; and two facts compose.c asks about
 * accounts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_priv.h"

#define BOOK_MAX	((size_t)4 * 1024 * 1024)

static void
add(char ***v, size_t *n, char *s)
{
	size_t	i;

	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0) {
			free(s);
			return;
		}
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

void
ui_aliases_parse(const char *text, size_t len, char ***v, size_t *n)
{
	const char	*p = text, *end = text + len, *nl, *nick, *ne, *rest;
	const char	*le;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		while (p < nl && (*p == ' ' || *p == '\t'))
			p++;
		if (nl - p < 6 || strncmp(p, "alias", 5) != 0 ||
		    (p[5] != ' ' && p[5] != '\t'))
			continue;
		for (nick = p + 5; nick < nl && (*nick == ' ' ||
		    *nick == '\t'); nick++)
			;
		for (ne = nick; ne < nl && *ne != ' ' && *ne != '\t'; ne++)
			;
		for (rest = ne; rest < nl && (*rest == ' ' || *rest == '\t');
		    rest++)
			;
		if (ne == nick || rest == nl)
			continue;
		/* Trailing blanks and the CR of a CRLF file are not the
		 * address's. */
		for (le = nl; le > rest && (le[-1] == '\r' || le[-1] == ' ' ||
		    le[-1] == '\t'); le--)
			;
		/* Names and addresses are drawn and edited: no control
		 * characters (a CR of a CRLF file included). */
		{
			char	*entry = xasprintf("%.*s\t%.*s",
			    (int)(ne - nick), nick, (int)(le - rest), rest);
			size_t	 k;

			for (k = 0; entry[k] != '\0'; k++)
				if ((unsigned char)entry[k] < 0x20 &&
				    entry[k] != '\t')
					entry[k] = ' ';
			if (strchr(strchr(entry, '\t') + 1, '\t') != NULL)
				free(entry);
			else
				add(v, n, entry);
		}
		if (nl == end)
			break;
	}
}

/* The alias file, read whole (bounded). */
static void
read_aliases(const char *path, char ***v, size_t *n)
{
	struct buf	b;

	buf_init(&b, BOOK_MAX);
	if (buf_read_file(&b, path) == 0 || errno == EFBIG)
		ui_aliases_parse(buf_str(&b), b.len, v, n);
	buf_free(&b);
}

void
ui_address_book(struct ui *u, char ***out, size_t *n)
{
	const struct store_msg	*m;
	size_t			 i, c;

	*out = NULL;
	*n = 0;
	if (u->cfg != NULL && u->cfg->general.alias_file != NULL)
		read_aliases(u->cfg->general.alias_file, out, n);
	if (u->f == NULL)
		return;
	c = store_folder_count(u->f);
	for (i = 0; i < c && *n < 5000; i++) {
		m = store_folder_msg(u->f, i);
		if (m->from_addr[0] == '\0' || !mime_addr_valid(m->from_addr))
			continue;
		if (m->from[0] != '\0' && strcmp(m->from, m->from_addr) != 0 &&
		    strpbrk(m->from, ",;<>\"") == NULL)
			add(out, n, xasprintf("%s <%s>", m->from,
			    m->from_addr));
		else
			add(out, n, xstrdup(m->from_addr));
	}
}

bool
ui_in_drafts(const struct ui *u)
{
	const struct cfg_account	*a = ui_account(u);
	char				*name;
	bool				 in;

	if (a == NULL)
		return false;
	name = engine_drafts_folder_new(a);
	in = strcmp(u->folders[u->cur].name, name != NULL ? name : "Drafts") ==
	    0;
	free(name);
	return in;
}

bool
ui_check_size(const struct ui *u, size_t acct, size_t len)
{
	uint64_t	max;

	if (u->cfg == NULL || acct >= u->cfg->naccounts)
		return false;
	max = engine_size_limit(&u->cfg->accounts[acct]);
	/* The server counts CRLF line ends: one more byte a line. */
	return max > 0 && (uint64_t)len + (uint64_t)len / 40 > max;
}
