/*
 * keys.c: key names (as [bind] sections write them) and the keymaps:
 * mutt's default keys, then the configuration's bindings.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_priv.h"

struct defbind {
	enum cfg_menu	 menu;
	const char	*keys;		/* space-separated */
	const char	*action;
};

#define I	CFG_MENU_INDEX
#define P	CFG_MENU_PAGER
#define C	CFG_MENU_COMPOSE

static const struct defbind defaults[] = {
	{ I, "j <Down>", "down" }, { I, "k <Up>", "up" },
	{ I, "<PageDown> z", "page-down" }, { I, "<PageUp> Z", "page-up" },
	{ I, "<Home> =", "first" }, { I, "<End> *", "last" },
	{ I, "<Enter> <Space>", "open" }, { I, "<Tab>", "next-unread" },
	{ I, "r", "reply" }, { I, "g", "reply-all" }, { I, "L", "reply-list" },
	{ I, "f", "forward" }, { I, "m", "compose" }, { I, "d", "delete" },
	{ I, "u", "undelete" }, { I, "s", "move" }, { I, "C", "copy" },
	{ I, "N", "toggle-read" }, { I, "F", "flag" },
	{ I, "c", "change-folder" }, { I, "/", "search" },
	{ I, "n", "search-next" }, { I, "l", "limit" }, { I, "o", "sort" },
	{ I, "t", "tag" }, { I, ";", "tag-prefix" }, { I, "$", "sync" },
	{ I, "S", "sync-all" }, { I, "B", "toggle-sidebar" },
	{ I, "^N", "sidebar-next" }, { I, "^P", "sidebar-prev" },
	{ I, "^O", "sidebar-open" }, { I, "|", "pipe" },
	{ I, "^L", "redraw" }, { I, "?", "help" }, { I, "q", "quit" },

	{ P, "<Space> <PageDown>", "page-down" },
	{ P, "- <PageUp>", "page-up" },
	{ P, "j <Down> <Enter>", "down" }, { P, "k <Up>", "up" },
	{ P, "<Home>", "first" }, { P, "<End>", "last" },
	{ P, "q i", "exit" }, { P, "J", "next-message" },
	{ P, "K", "prev-message" }, { P, "<Tab>", "next-unread" },
	{ P, "r", "reply" }, { P, "g", "reply-all" }, { P, "L", "reply-list" },
	{ P, "f", "forward" }, { P, "m", "compose" }, { P, "d", "delete" },
	{ P, "u", "undelete" }, { P, "s", "move" }, { P, "C", "copy" },
	{ P, "N", "toggle-read" }, { P, "F", "flag" },
	{ P, "c", "change-folder" }, { P, "/", "search" },
	{ P, "n", "search-next" }, { P, "v", "attachments" },
	{ P, "|", "pipe" }, { P, "h", "toggle-headers" },
	{ P, "$", "sync" }, { P, "S", "sync-all" },
	{ P, "B", "toggle-sidebar" }, { P, "^L", "redraw" },
	{ P, "?", "help" },

	{ C, "y", "send" }, { C, "a", "attach" }, { C, "e", "edit" },
	{ C, "t", "edit-to" }, { C, "c", "edit-cc" }, { C, "b", "edit-bcc" },
	{ C, "s", "edit-subject" }, { C, "P", "postpone" },
	{ C, "q", "abort" }, { C, "^L", "redraw" }, { C, "?", "help" },
};

#undef I
#undef P
#undef C

static const char *
action_static(const char *name)
{
	const struct cfg_action	*a;

	for (a = cfg_actions(); a->name != NULL; a++)
		if (strcmp(a->name, name) == 0)
			return a->name;
	return NULL;
}

static void
bind(struct ui_keymap *km, enum cfg_menu m, const char *key, size_t klen,
    const char *action)
{
	size_t	i;

	for (i = 0; i < km->n[m]; i++) {
		if (strlen(km->v[m][i].key) == klen &&
		    memcmp(km->v[m][i].key, key, klen) == 0) {
			km->v[m][i].action = action;
			return;
		}
	}
	km->v[m] = xreallocarray(km->v[m], km->n[m] + 1, sizeof(**km->v));
	km->v[m][km->n[m]].key = xstrndup(key, klen);
	km->v[m][km->n[m]].action = action;
	km->n[m]++;
}

void
ui_keymap_init(struct ui_keymap *km, const struct config *cfg)
{
	const char	*p, *e, *act;
	size_t		 i;

	memset(km, 0, sizeof(*km));
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		act = action_static(defaults[i].action);
		if (act == NULL)
			continue;	/* a table error: caught by tests */
		for (p = defaults[i].keys; *p != '\0'; p = e) {
			while (*p == ' ')
				p++;
			for (e = p; *e != '\0' && *e != ' '; e++)
				;
			if (e > p)
				bind(km, defaults[i].menu, p, (size_t)(e - p),
				    act);
		}
	}
	for (i = 0; cfg != NULL && i < cfg->nbinds; i++)
		bind(km, cfg->binds[i].menu, cfg->binds[i].key,
		    strlen(cfg->binds[i].key), cfg->binds[i].action);
}

void
ui_keymap_free(struct ui_keymap *km)
{
	size_t	m, i;

	for (m = 0; m < CFG_MENU_COUNT; m++) {
		for (i = 0; i < km->n[m]; i++)
			free(km->v[m][i].key);
		free(km->v[m]);
	}
	memset(km, 0, sizeof(*km));
}

const char *
ui_keymap_action(const struct ui_keymap *km, enum ui_menu m, const char *key)
{
	size_t	i;

	for (i = 0; i < km->n[m]; i++)
		if (strcmp(km->v[m][i].key, key) == 0)
			return strcmp(km->v[m][i].action, "noop") == 0 ? NULL :
			    km->v[m][i].action;
	return NULL;
}

void
ui_keymap_keys(const struct ui_keymap *km, enum ui_menu m, const char *action,
    char *out, size_t size)
{
	size_t	i;

	out[0] = '\0';
	for (i = 0; i < km->n[m]; i++) {
		if (strcmp(km->v[m][i].action, action) != 0)
			continue;
		if (out[0] != '\0')
			(void)fct_strlcat(out, " ", size);
		(void)fct_strlcat(out, km->v[m][i].key, size);
	}
}

static const struct {
	int		 code;
	const char	*name;
} code_names[] = {
	{ KEY_UP, "<Up>" }, { KEY_DOWN, "<Down>" }, { KEY_LEFT, "<Left>" },
	{ KEY_RIGHT, "<Right>" }, { KEY_NPAGE, "<PageDown>" },
	{ KEY_PPAGE, "<PageUp>" }, { KEY_HOME, "<Home>" },
	{ KEY_END, "<End>" }, { KEY_ENTER, "<Enter>" },
	{ KEY_BACKSPACE, "<Backspace>" }, { KEY_DC, "<Delete>" },
	{ KEY_IC, "<Insert>" }, { KEY_BTAB, "<BackTab>" },
};

bool
ui_key_name(int is_code, uint32_t key, char *out, size_t size)
{
	size_t	i;
	int	n;

	if (is_code) {
		for (i = 0; i < sizeof(code_names) / sizeof(code_names[0]);
		    i++)
			if ((uint32_t)code_names[i].code == key) {
				(void)fct_strlcpy(out, code_names[i].name,
				    size);
				return true;
			}
		for (n = 1; n <= 12; n++)
			if ((uint32_t)KEY_F(n) == key) {
				(void)snprintf(out, size, "<F%d>", n);
				return true;
			}
		return false;
	}
	switch (key) {
	case '\n':
	case '\r':
		(void)fct_strlcpy(out, "<Enter>", size);
		return true;
	case '\t':
		(void)fct_strlcpy(out, "<Tab>", size);
		return true;
	case ' ':
		(void)fct_strlcpy(out, "<Space>", size);
		return true;
	case 27:
		(void)fct_strlcpy(out, "<Esc>", size);
		return true;
	case 8:
	case 127:
		(void)fct_strlcpy(out, "<Backspace>", size);
		return true;
	default:
		break;
	}
	if (key >= 1 && key <= 26) {
		(void)snprintf(out, size, "^%c", (char)('A' + key - 1));
		return true;
	}
	if (ui_cp_unsafe(key) || size < 5)
		return false;
	if (key < 0x80) {
		out[0] = (char)key;
		out[1] = '\0';
		return true;
	}
	if (key < 0x800) {
		out[0] = (char)(0xc0 | (key >> 6));
		out[1] = (char)(0x80 | (key & 0x3f));
		out[2] = '\0';
	} else if (key < 0x10000) {
		out[0] = (char)(0xe0 | (key >> 12));
		out[1] = (char)(0x80 | ((key >> 6) & 0x3f));
		out[2] = (char)(0x80 | (key & 0x3f));
		out[3] = '\0';
	} else {
		out[0] = (char)(0xf0 | (key >> 18));
		out[1] = (char)(0x80 | ((key >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((key >> 6) & 0x3f));
		out[3] = (char)(0x80 | (key & 0x3f));
		out[4] = '\0';
	}
	return true;
}
