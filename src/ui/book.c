/*
 * book.c: the address book for Tab in address prompts: the alias file
 * (mutt's format, "alias NICK Name <addr>", one per line, "#" comments)
 * and the senders of the open folder; and two facts compose.c asks about
 * accounts.
 */
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

/* "alias NICK Name <addr>" lines. */
static void
read_aliases(const char *path, char ***v, size_t *n)
{
	FILE	*fp = fopen(path, "r");
	char	 line[1024], *p, *nick, *rest;
	size_t	 total = 0;

	if (fp == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL && total < BOOK_MAX) {
		total += strlen(line);
		line[strcspn(line, "\r\n")] = '\0';
		p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "alias", 5) != 0 || (p[5] != ' ' &&
		    p[5] != '\t'))
			continue;
		p += 5;
		while (*p == ' ' || *p == '\t')
			p++;
		nick = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		if (*p == '\0')
			continue;
		*p++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		rest = p;
		if (*nick == '\0' || *rest == '\0')
			continue;
		add(v, n, xasprintf("%s\t%s", nick, rest));
	}
	(void)fclose(fp);
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
