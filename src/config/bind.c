/*
 * bind.c: [bind MENU] sections: key names and the actions they run. The
 * action names are the contract with the interface (ui/ maps each to a
 * function) and also feed its help screen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

#define M_INDEX		(1u << CFG_MENU_INDEX)
#define M_PAGER		(1u << CFG_MENU_PAGER)
#define M_COMPOSE	(1u << CFG_MENU_COMPOSE)
#define M_ALL		(M_INDEX | M_PAGER | M_COMPOSE)

static const struct cfg_action actions[] = {
	{ "down",		M_INDEX | M_PAGER, "move down one line" },
	{ "up",			M_INDEX | M_PAGER, "move up one line" },
	{ "page-down",		M_INDEX | M_PAGER, "next page" },
	{ "page-up",		M_INDEX | M_PAGER, "previous page" },
	{ "first",		M_INDEX | M_PAGER, "go to the first line" },
	{ "last",		M_INDEX | M_PAGER, "go to the last line" },
	{ "open",		M_INDEX, "open the message" },
	{ "next-unread",	M_INDEX | M_PAGER, "next unread message" },
	{ "next-message",	M_PAGER, "show the next message" },
	{ "prev-message",	M_PAGER, "show the previous message" },
	{ "reply",		M_INDEX | M_PAGER, "reply to the sender" },
	{ "reply-all",		M_INDEX | M_PAGER, "reply to all recipients" },
	{ "reply-list",		M_INDEX | M_PAGER, "reply to the mailing list" },
	{ "forward",		M_INDEX | M_PAGER, "forward the message" },
	{ "compose",		M_INDEX | M_PAGER, "write a new message" },
	{ "delete",		M_INDEX | M_PAGER, "delete the message" },
	{ "undelete",		M_INDEX | M_PAGER, "undelete the message" },
	{ "move",		M_INDEX | M_PAGER, "move to another folder" },
	{ "copy",		M_INDEX | M_PAGER, "copy to another folder" },
	{ "toggle-read",	M_INDEX | M_PAGER, "mark read or unread" },
	{ "flag",		M_INDEX | M_PAGER, "flag or unflag" },
	{ "change-folder",	M_INDEX | M_PAGER, "open another folder" },
	{ "search",		M_INDEX | M_PAGER, "search" },
	{ "search-next",	M_INDEX | M_PAGER, "next match" },
	{ "limit",		M_INDEX, "show only matching messages" },
	{ "sort",		M_INDEX, "change the sort order" },
	{ "tag",		M_INDEX, "tag or untag the message" },
	{ "tag-prefix",		M_INDEX, "apply the next action to the tagged messages" },
	{ "sync",		M_INDEX | M_PAGER, "sync this account now" },
	{ "sync-all",		M_INDEX | M_PAGER, "sync every account now" },
	{ "toggle-sidebar",	M_INDEX | M_PAGER, "show or hide the folders" },
	{ "sidebar-next",	M_INDEX, "highlight the next folder" },
	{ "sidebar-prev",	M_INDEX, "highlight the previous folder" },
	{ "sidebar-open",	M_INDEX, "open the highlighted folder" },
	{ "exit",		M_PAGER, "back to the message list" },
	{ "attachments",	M_PAGER, "list the attachments" },
	{ "pipe",		M_INDEX | M_PAGER, "pipe the message to a command" },
	{ "toggle-headers",	M_PAGER, "show all headers or the main ones" },
	{ "send",		M_COMPOSE, "send the message" },
	{ "attach",		M_COMPOSE, "attach files" },
	{ "edit",		M_COMPOSE, "edit the message again" },
	{ "edit-to",		M_COMPOSE, "edit To" },
	{ "edit-cc",		M_COMPOSE, "edit Cc" },
	{ "edit-bcc",		M_COMPOSE, "edit Bcc" },
	{ "edit-subject",	M_COMPOSE, "edit Subject" },
	{ "postpone",		M_COMPOSE, "postpone to Drafts" },
	{ "abort",		M_COMPOSE, "abort the message" },
	{ "redraw",		M_ALL, "redraw the screen" },
	{ "help",		M_ALL, "show the key bindings" },
	{ "quit",		M_INDEX, "quit facteur" },
	{ "noop",		M_ALL, "do nothing (removes a default binding)" },
	{ NULL, 0, NULL }
};

static const char *const menu_names[CFG_MENU_COUNT] = {
	"index", "pager", "compose"
};

/* Named keys, canonical spelling first; aliases map to the same index. */
static const struct {
	const char	*name;
	const char	*canon;
} named_keys[] = {
	{ "Enter", "<Enter>" }, { "Return", "<Enter>" },
	{ "Tab", "<Tab>" }, { "BackTab", "<BackTab>" },
	{ "Space", "<Space>" }, { "Esc", "<Esc>" }, { "Escape", "<Esc>" },
	{ "Backspace", "<Backspace>" },
	{ "Up", "<Up>" }, { "Down", "<Down>" }, { "Left", "<Left>" },
	{ "Right", "<Right>" },
	{ "PageUp", "<PageUp>" }, { "PgUp", "<PageUp>" },
	{ "PageDown", "<PageDown>" }, { "PgDn", "<PageDown>" },
	{ "Home", "<Home>" }, { "End", "<End>" },
	{ "Insert", "<Insert>" }, { "Delete", "<Delete>" },
	{ "F1", "<F1>" }, { "F2", "<F2>" }, { "F3", "<F3>" },
	{ "F4", "<F4>" }, { "F5", "<F5>" }, { "F6", "<F6>" },
	{ "F7", "<F7>" }, { "F8", "<F8>" }, { "F9", "<F9>" },
	{ "F10", "<F10>" }, { "F11", "<F11>" }, { "F12", "<F12>" },
};

const struct cfg_action *
cfg_actions(void)
{
	return actions;
}

const char *
cfg_menu_name(enum cfg_menu m)
{
	return (size_t)m < CFG_MENU_COUNT ? menu_names[m] : "?";
}

int
cfg_menu_lookup(const char *name, enum cfg_menu *out)
{
	size_t	i;

	for (i = 0; i < CFG_MENU_COUNT; i++) {
		if (ascii_casecmp(name, menu_names[i]) == 0) {
			*out = (enum cfg_menu)i;
			return 0;
		}
	}
	return -1;
}

/* Length of the one UTF-8 character at s, or 0 if s is not exactly one. */
static size_t
one_utf8_char(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	unsigned char		 lo = 0x80, hi = 0xbf;
	size_t			 n, i;

	if (u[0] == '\0')
		return 0;
	if (u[0] < 0x80)
		n = 1;
	else if (u[0] >= 0xc2 && u[0] <= 0xdf)
		n = 2;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		n = 3;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if (u[0] == 0xe0)
		lo = 0xa0;
	else if (u[0] == 0xed)
		hi = 0x9f;
	else if (u[0] == 0xf0)
		lo = 0x90;
	else if (u[0] == 0xf4)
		hi = 0x8f;
	for (i = 1; i < n; i++) {
		unsigned char	l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xbf;

		if (u[i] < l || u[i] > h)
			return 0;
	}
	/* C1 controls (U+0080 to U+009F) are not keys. */
	if (u[0] == 0xc2 && u[1] < 0xa0)
		return 0;
	return u[n] == '\0' ? n : 0;
}

/* The canonical name of a key, or NULL. */
static char *
key_normalise(const char *k)
{
	size_t	i, n = strlen(k);

	if (n == 2 && k[0] == '^' && ascii_tolower((unsigned char)k[1]) >=
	    'a' && ascii_tolower((unsigned char)k[1]) <= 'z')
		return xasprintf("^%c", ascii_tolower((unsigned char)k[1]) -
		    'a' + 'A');
	if (n >= 3 && k[0] == '<' && k[n - 1] == '>') {
		if (n == 5 && ascii_ncasecmp(k + 1, "C-", 2) == 0 &&
		    ascii_tolower((unsigned char)k[3]) >= 'a' &&
		    ascii_tolower((unsigned char)k[3]) <= 'z')
			return xasprintf("^%c",
			    ascii_tolower((unsigned char)k[3]) - 'a' + 'A');
		for (i = 0; i < sizeof(named_keys) / sizeof(named_keys[0]);
		    i++) {
			if (strlen(named_keys[i].name) == n - 2 &&
			    ascii_ncasecmp(k + 1, named_keys[i].name,
			    n - 2) == 0)
				return xstrdup(named_keys[i].canon);
		}
		return NULL;
	}
	if (one_utf8_char(k) == 0 || (unsigned char)k[0] <= ' ' ||
	    k[0] == 0x7f)
		return NULL;
	return xstrdup(k);
}

void
cfg_set_bind(struct cfg_parser *p, const char *key, const char *value)
{
	const char	*names[64];
	char		 hint[96], *norm;
	size_t		 i, n = 0;
	struct config	*cfg = p->cfg;
	unsigned	 mask = 1u << p->menu;

	norm = key_normalise(key);
	if (norm == NULL) {
		cfg_error(p, p->line, "bad key name '%s' (expected one "
		    "character, ^X, <C-x>, or a name such as <Enter>, "
		    "<PageDown>, <F1>)", key);
		return;
	}
	for (i = 0; actions[i].name != NULL; i++) {
		if ((actions[i].menus & mask) && n < 64)
			names[n++] = actions[i].name;
		if (ascii_casecmp(actions[i].name, value) != 0)
			continue;
		if (!(actions[i].menus & mask)) {
			cfg_error(p, p->line, "action '%s' does not exist in "
			    "the %s menu", actions[i].name,
			    menu_names[p->menu]);
			free(norm);
			return;
		}
		if (cfg->nbinds >= CFG_MAX_BINDS) {
			cfg_error(p, p->line, "too many key bindings");
			free(norm);
			return;
		}
		cfg->binds = xreallocarray(cfg->binds, cfg->nbinds + 1,
		    sizeof(*cfg->binds));
		cfg->binds[cfg->nbinds].menu = p->menu;
		cfg->binds[cfg->nbinds].key = norm;
		cfg->binds[cfg->nbinds].action = actions[i].name;
		cfg->binds[cfg->nbinds].line = p->line;
		cfg->nbinds++;
		return;
	}
	cfg_suggest(value, names, n, hint, sizeof(hint));
	cfg_error(p, p->line, "unknown action '%s' in [bind %s]%s", value,
	    menu_names[p->menu], hint);
	free(norm);
}
