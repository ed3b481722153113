/*
 * actions.c: what the keys of the index, the pager and the help screen
 * do. Changes to messages (flags, deletion, moves) go to the store at
 * once; the engine carries them to the server at its next sync.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_priv.h"

#define MSG_MAX	((size_t)512 * 1024 * 1024)

void
ui_scroll_to_sel(struct ui *u)
{
	size_t	mh = (size_t)ui_main_height();

	if (u->view.n == 0) {
		u->sel = u->top = 0;
		return;
	}
	if (u->sel >= u->view.n)
		u->sel = u->view.n - 1;
	if (u->sel < u->top)
		u->top = u->sel > mh / 2 ? u->sel - mh / 2 : 0;
	else if (u->sel >= u->top + mh)
		u->top = u->sel - mh / 2;
	if (u->top + mh > u->view.n)
		u->top = u->view.n > mh ? u->view.n - mh : 0;
}

static void
move_sel(struct ui *u, long delta)
{
	if (u->view.n == 0)
		return;
	if (delta < 0 && (size_t)-delta > u->sel)
		u->sel = 0;
	else if (delta > 0 && u->sel + (size_t)delta >= u->view.n)
		u->sel = u->view.n - 1;
	else
		u->sel = (size_t)((long)u->sel + delta);
	ui_scroll_to_sel(u);
}

static const struct store_msg *
msg_at_row(const struct ui *u, size_t r)
{
	return store_folder_msg(u->f, u->view.rows[r].msg);
}

static bool
next_unread(struct ui *u)
{
	size_t	r, k;

	for (k = 1; k <= u->view.n; k++) {
		r = (u->sel + k) % u->view.n;
		if (!(msg_at_row(u, r)->flags & STORE_SEEN)) {
			u->sel = r;
			ui_scroll_to_sel(u);
			return true;
		}
	}
	ui_message(u, false, "No unread messages.");
	return false;
}

/* ------------------------------------------------------------------ */
/* Flags, deletion, moves                                              */

/* The messages an action applies to: the tagged ones after ";", else
 * the selected one. Ids, since indexes move when files do. */
static size_t
targets(struct ui *u, uint32_t **ids)
{
	size_t	n, i, k = 0, mi;

	*ids = NULL;
	if (u->f == NULL)
		return 0;
	n = store_folder_count(u->f);
	if (u->tag_prefix) {
		u->tag_prefix = false;
		*ids = xcalloc(n + 1, sizeof(**ids));
		for (i = 0; i < n; i++)
			if (u->tagged[i])
				(*ids)[k++] = store_folder_msg(u->f, i)->id;
		if (k == 0)
			ui_message(u, false, "No tagged messages.");
		return k;
	}
	mi = ui_current_msg(u);
	if (mi == SIZE_MAX)
		return 0;
	*ids = xcalloc(1, sizeof(**ids));
	(*ids)[0] = store_folder_msg(u->f, mi)->id;
	return 1;
}

static bool
writable(struct ui *u)
{
	if (u->read_only) {
		ui_message(u, true, "This folder is read-only (no account "
		    "configured).");
		return false;
	}
	return u->f != NULL;
}

/* set and clear flags; toggle: flip `set` on the first target and apply
 * that to all. */
static void
change_flags(struct ui *u, unsigned set, unsigned clear, bool toggle)
{
	struct store_err	 err;
	uint32_t		*ids;
	size_t			 n, i, idx;
	bool			 add = true, failed = false;

	if (!writable(u))
		return;
	n = targets(u, &ids);
	for (i = 0; i < n; i++) {
		const struct store_msg	*m = store_folder_by_id(u->f, ids[i],
		    &idx);
		unsigned		 f;

		if (m == NULL)
			continue;
		if (toggle && i == 0)
			add = !(m->flags & set);
		f = toggle ? (add ? (m->flags | set) : (m->flags & ~set)) :
		    ((m->flags | set) & ~clear);
		if (f != m->flags && store_msg_set_flags(u->f, idx, f, &err) ==
		    -1) {
			ui_message(u, true, "%s", err.msg);
			failed = true;
		}
	}
	free(ids);
	if (failed)
		ui_reload_folder(u);
	if (u->cur != SIZE_MAX)
		ui_count_folder(&u->folders[u->cur]);
	/* Deletion marks wait for the folder to be left. */
	if (set != STORE_TRASHED && clear != STORE_TRASHED)
		ui_changed(u);
}

static void
move_or_copy(struct ui *u, bool copy)
{
	struct store_open_opts	 o;
	struct store_folder	*dst;
	struct store_err	 err;
	uint32_t		*ids;
	char			*name;
	size_t			 n, i, idx, t, done = 0;

	if (!writable(u))
		return;
	name = ui_prompt(u, copy ? "Copy to folder: " : "Move to folder: ",
	    "", ui_complete_folders);
	if (name == NULL || name[0] == '\0') {
		free(name);
		u->tag_prefix = false;
		return;
	}
	t = ui_find_folder(u, name, u->folders[u->cur].acct);
	if (t == SIZE_MAX || t == u->cur) {
		ui_message(u, true, "%s: %s", name, t == SIZE_MAX ?
		    "no such folder" : "that is this folder");
		free(name);
		u->tag_prefix = false;
		return;
	}
	free(name);
	memset(&o, 0, sizeof(o));
	o.fallback_charset = u->fallback;
	dst = store_folder_open(u->folders[t].path, &o, &err);
	if (dst == NULL) {
		ui_message(u, true, "%s", err.msg);
		u->tag_prefix = false;
		return;
	}
	n = targets(u, &ids);
	for (i = 0; i < n; i++) {
		if (store_folder_by_id(u->f, ids[i], &idx) == NULL)
			continue;
		if ((copy ? store_msg_copy(u->f, idx, dst, NULL, &err) :
		    store_msg_move(u->f, idx, dst, NULL, &err)) == -1) {
			ui_message(u, true, "%s", err.msg);
			break;
		}
		done++;
	}
	free(ids);
	store_folder_close(dst);
	if (done > 0)
		ui_changed(u);
	if (done > 0)
		ui_message(u, false, "%zu message%s %s to %s", done,
		    done == 1 ? "" : "s", copy ? "copied" : "moved",
		    u->folders[t].label);
	ui_count_folder(&u->folders[t]);
	if (!copy)
		ui_indexes_moved(u);
}

/* ------------------------------------------------------------------ */
/* Search, limit, sort                                                 */

/* The pattern of / (asked) or n (the last one, asked when none); false
 * when there is none. */
static bool
search_pattern(struct ui *u, bool ask)
{
	char	*text;

	if (!ask && u->search != NULL)
		return true;
	text = ui_prompt(u, "Search for: ", "", NULL);
	if (text == NULL || text[0] == '\0') {
		free(text);
		return false;
	}
	free(u->search);
	u->search = text;
	return true;
}

static bool
msg_matches(struct ui *u, const struct store_query *q, size_t mi)
{
	const struct store_msg	*m = store_folder_msg(u->f, mi);
	struct store_err	 err;
	char			*data = NULL;
	size_t			 len = 0;
	bool			 hit;

	if (store_query_needs_file(q) &&
	    store_msg_read_new(u->f, mi, &data, &len, &err) == -1)
		return false;
	hit = store_query_match(q, m, data, len);
	free(data);
	return hit;
}

static void
search_next(struct ui *u, bool ask)
{
	struct store_query	*q;
	struct store_err	 err;
	size_t			 k, r;

	if (u->f == NULL || u->view.n == 0) {
		ui_message(u, false, "No messages to search.");
		return;
	}
	if (!search_pattern(u, ask))
		return;
	q = store_query_new(u->search, &err);
	if (q == NULL) {
		ui_message(u, true, "%s", err.msg);
		return;
	}
	for (k = 1; k <= u->view.n; k++) {
		r = (u->sel + k) % u->view.n;
		if (msg_matches(u, q, u->view.rows[r].msg)) {
			if (r <= u->sel)
				ui_message(u, false, "Search wrapped to the "
				    "top.");
			u->sel = r;
			ui_scroll_to_sel(u);
			store_query_free(q);
			return;
		}
	}
	store_query_free(q);
	ui_message(u, true, "Not found: %s", u->search);
}

static void
limit(struct ui *u)
{
	struct store_query	*q;
	struct store_err	 err;
	char			*text;
	uint32_t		 sel_id = UINT32_MAX;
	bool			*keep;
	long			 n;

	if (u->f == NULL) {
		ui_message(u, false, "No folder open (c opens one).");
		return;
	}
	text = ui_prompt(u, "Limit to (empty: all): ", u->limit != NULL ?
	    u->limit : "", NULL);
	if (text == NULL)
		return;
	if (ui_current_msg(u) != SIZE_MAX)
		sel_id = store_folder_msg(u->f, ui_current_msg(u))->id;
	if (text[0] == '\0' || strcmp(text, "all") == 0) {
		free(text);
		free(u->keep);
		u->keep = NULL;
		free(u->limit);
		u->limit = NULL;
		ui_rebuild_view(u, sel_id);
		return;
	}
	q = store_query_new(text, &err);
	if (q == NULL) {
		ui_message(u, true, "%s", err.msg);
		free(text);
		return;
	}
	keep = xcalloc(store_folder_count(u->f) + 1, sizeof(*keep));
	n = store_search(u->f, q, keep, &err);
	store_query_free(q);
	if (n < 0) {
		ui_message(u, true, "%s", err.msg);
		free(keep);
		free(text);
		return;
	}
	free(u->keep);
	u->keep = keep;
	free(u->limit);
	u->limit = text;
	u->sel = 0;
	ui_rebuild_view(u, sel_id);
}

static void
sort(struct ui *u)
{
	uint32_t	c, sel_id = UINT32_MAX;
	int		s;

	c = ui_prompt_key(u, "Sort by (t)hreads, (d)ate, (r)everse date, "
	    "(f)rom, (s)ubject, si(z)e? ");
	switch (c) {
	case 't': s = STORE_SORT_THREADS; break;
	case 'd': s = STORE_SORT_DATE; break;
	case 'r': s = STORE_SORT_DATE_REVERSE; break;
	case 'f': s = STORE_SORT_FROM; break;
	case 's': s = STORE_SORT_SUBJECT; break;
	case 'z': s = STORE_SORT_SIZE; break;
	default: return;
	}
	if (ui_current_msg(u) != SIZE_MAX)
		sel_id = store_folder_msg(u->f, ui_current_msg(u))->id;
	u->sort = (enum store_sort)s;
	ui_rebuild_view(u, sel_id);
}

static void
change_folder(struct ui *u)
{
	char	*name;
	size_t	 i;

	name = ui_prompt(u, "Open folder: ", "", ui_complete_folders);
	if (name == NULL || name[0] == '\0') {
		free(name);
		return;
	}
	ui_list_folders(u);
	i = ui_find_folder(u, name, u->cur != SIZE_MAX ?
	    u->folders[u->cur].acct : SIZE_MAX);
	if (i == SIZE_MAX)
		ui_message(u, true, "%s: no such folder", name);
	else
		ui_open_folder(u, i);
	free(name);
}

/* ------------------------------------------------------------------ */
/* The pager                                                           */

/* Ask the engine for the rest of a message kept as headers only. */
static void
fetch_rest(struct ui *u, const struct store_msg *m, uint64_t size)
{
	char	human[16];

	ui_human_size(size, human, sizeof(human));
	if (u->cur == SIZE_MAX || engine_fetch(u->eng,
	    u->folders[u->cur].acct, u->folders[u->cur].name, m->name) == -1)
		ui_message(u, true, "Only the headers of this message (%s) are "
		    "here, and no server can be asked for the rest.", human);
	else
		ui_message(u, false, "Fetching the rest of this message (%s) "
		    "in the background...", human);
}

/* Show the selected message; keep_top keeps the pager's position. */
static void
show_message(struct ui *u, bool keep_top)
{
	struct store_err	 err;
	const struct store_msg	*m;
	char			*data;
	size_t			 len, mi = ui_current_msg(u), top = 0;
	uint64_t		 size;
	bool			 partial;

	if (mi == SIZE_MAX)
		return;
	if (store_msg_read_new(u->f, mi, &data, &len, &err) == -1) {
		ui_message(u, true, "%s", err.msg);
		ui_reload_folder(u);
		return;
	}
	m = store_folder_msg(u->f, mi);
	if (u->pager_open) {
		top = u->pager.top;
		ui_pager_free(&u->pager);
	}
	partial = store_is_partial(data, len, &size);
	u->pager.msg_id = m->id;
	(void)fct_strlcpy(u->pager_name, m->name, sizeof(u->pager_name));
	ui_pager_load(&u->pager, data, len, u->pager_all_headers, u->fallback,
	    u->cfg != NULL ? u->cfg->general.html_command : NULL,
	    COLS - ui_main_x(u));
	if (keep_top && top < u->pager.nrows)
		u->pager.top = top;
	u->pager_open = true;
	u->pager_partial = partial;
	u->mode = UI_MODE_PAGER;
	if (partial && !u->read_only)
		fetch_rest(u, m, size);
	if (!(m->flags & STORE_SEEN) && !u->read_only) {
		if (store_msg_set_flags(u->f, mi, m->flags | STORE_SEEN,
		    &err) == -1)
			ui_message(u, true, "%s", err.msg);
		if (u->cur != SIZE_MAX)
			ui_count_folder(&u->folders[u->cur]);
		ui_changed(u);
	}
}

static void
open_message(struct ui *u)
{
	show_message(u, false);
}

void
ui_reopen_message(struct ui *u)
{
	size_t	idx, r;

	if (!u->pager_open || store_folder_by_id(u->f, u->pager.msg_id,
	    &idx) == NULL)
		return;
	for (r = 0; r < u->view.n; r++)
		if (u->view.rows[r].msg == idx) {
			u->sel = r;
			show_message(u, true);
			return;
		}
}

static void
pager_search(struct ui *u, bool ask)
{
	size_t	 r;

	if (!search_pattern(u, ask))
		return;
	r = ui_pager_find(&u->pager, u->search, u->pager.top + 1, false);
	if (r == SIZE_MAX)
		ui_message(u, true, "Not found: %s", u->search);
	else
		u->pager.top = r;
}

static void
pager_scroll(struct ui *u, long delta)
{
	struct ui_pager	*p = &u->pager;
	size_t		 mh = (size_t)ui_main_height();
	size_t		 max = p->nrows > mh ? p->nrows - mh : 0;

	if (delta < 0)
		p->top = (size_t)-delta > p->top ? 0 : p->top - (size_t)-delta;
	else
		p->top = p->top + (size_t)delta > max ? max :
		    p->top + (size_t)delta;
}

/* The actions both menus share; true when handled. */
static bool
common_action(struct ui *u, const char *a)
{
	size_t	acct;

	if (strcmp(a, "delete") == 0) {
		change_flags(u, STORE_TRASHED, 0, false);
		if (u->mode == UI_MODE_INDEX)
			move_sel(u, 1);
	} else if (strcmp(a, "undelete") == 0) {
		change_flags(u, 0, STORE_TRASHED, false);
		if (u->mode == UI_MODE_INDEX)
			move_sel(u, 1);
	} else if (strcmp(a, "toggle-read") == 0)
		change_flags(u, STORE_SEEN, 0, true);
	else if (strcmp(a, "flag") == 0)
		change_flags(u, STORE_FLAGGED, 0, true);
	else if (strcmp(a, "move") == 0) {
		move_or_copy(u, false);
		if (u->mode == UI_MODE_PAGER) {
			ui_pager_free(&u->pager);
			u->pager_open = false;
			u->mode = UI_MODE_INDEX;
		}
	} else if (strcmp(a, "copy") == 0)
		move_or_copy(u, true);
	else if (strcmp(a, "change-folder") == 0)
		change_folder(u);
	else if (strcmp(a, "sync") == 0 || strcmp(a, "sync-all") == 0) {
		acct = u->cur != SIZE_MAX ? u->folders[u->cur].acct : SIZE_MAX;
		ui_leave_folder(u);
		if (strcmp(a, "sync-all") == 0)
			acct = SIZE_MAX;
		if (acct == SIZE_MAX || acct == u->push_acct)
			u->push_at = 0;	/* this sync carries them */
		if (engine_sync(u->eng, acct) == -1)
			ui_message(u, true, "No background sync for %s (no "
			    "server configured, or it stopped: see the "
			    "messages above).", acct == SIZE_MAX ?
			    "any account" : "this account");
		else
			ui_message(u, false, "Syncing %s...",
			    acct == SIZE_MAX ? "every account" :
			    u->cfg->accounts[acct].name);
	} else if (strcmp(a, "toggle-sidebar") == 0) {
		u->sidebar = !u->sidebar;
		if (u->pager_open)
			ui_pager_wrap(&u->pager, COLS - ui_main_x(u));
	} else if (strcmp(a, "pipe") == 0)
		ui_pipe_message(u, ui_current_msg(u));
	else if (strcmp(a, "redraw") == 0)
		u->dirty = true;
	else if (strcmp(a, "help") == 0) {
		u->help_from = u->mode;
		u->help_top = 0;
		u->mode = UI_MODE_HELP;
	} else if (strcmp(a, "reply") == 0 || strcmp(a, "reply-all") == 0 ||
	    strcmp(a, "reply-list") == 0 || strcmp(a, "forward") == 0 ||
	    strcmp(a, "compose") == 0)
		ui_compose_start(u, a);
	else
		return false;
	return true;
}

void
ui_index_action(struct ui *u, const char *a)
{
	size_t	mh = (size_t)ui_main_height(), mi;

	if (strcmp(a, "quit") == 0) {
		u->quit = true;
		return;
	}
	if (strcmp(a, "tag-prefix") == 0) {
		u->tag_prefix = !u->tag_prefix;
		if (u->tag_prefix && u->ntagged == 0) {
			u->tag_prefix = false;
			ui_message(u, false, "No tagged messages.");
		}
		return;
	}
	if (strcmp(a, "sidebar-next") == 0 || strcmp(a, "sidebar-prev") == 0) {
		if (!u->sidebar)
			u->sidebar = true;
		if (a[8] == 'n' && u->sb_sel + 1 < u->nfolders)
			u->sb_sel++;
		else if (a[8] == 'p' && u->sb_sel > 0 && u->sb_sel != SIZE_MAX)
			u->sb_sel--;
		return;
	}
	if (strcmp(a, "sidebar-open") == 0) {
		if (u->sb_sel < u->nfolders)
			ui_open_folder(u, u->sb_sel);
		return;
	}
	if (common_action(u, a))
		return;
	if (strcmp(a, "down") == 0)
		move_sel(u, 1);
	else if (strcmp(a, "up") == 0)
		move_sel(u, -1);
	else if (strcmp(a, "page-down") == 0) {
		if (u->top + mh < u->view.n) {
			u->top += mh;
			if (u->top + mh > u->view.n)
				u->top = u->view.n - mh;
			u->sel = u->top;
		} else
			u->sel = u->view.n > 0 ? u->view.n - 1 : 0;
	} else if (strcmp(a, "page-up") == 0) {
		if (u->top > 0) {
			u->top = u->top > mh ? u->top - mh : 0;
			u->sel = u->top + mh - 1 < u->view.n ?
			    u->top + mh - 1 : u->top;
		} else
			u->sel = 0;
	} else if (strcmp(a, "first") == 0) {
		u->sel = 0;
		ui_scroll_to_sel(u);
	} else if (strcmp(a, "last") == 0) {
		u->sel = u->view.n > 0 ? u->view.n - 1 : 0;
		ui_scroll_to_sel(u);
	} else if (strcmp(a, "open") == 0)
		open_message(u);
	else if (strcmp(a, "next-unread") == 0)
		(void)next_unread(u);
	else if (strcmp(a, "search") == 0)
		search_next(u, true);
	else if (strcmp(a, "search-next") == 0)
		search_next(u, false);
	else if (strcmp(a, "limit") == 0)
		limit(u);
	else if (strcmp(a, "sort") == 0)
		sort(u);
	else if (strcmp(a, "tag") == 0) {
		mi = ui_current_msg(u);
		if (mi != SIZE_MAX) {
			u->tagged[mi] = !u->tagged[mi];
			u->ntagged += u->tagged[mi] ? 1 : (size_t)-1;
			move_sel(u, 1);
		}
	}
}

void
ui_pager_action(struct ui *u, const char *a)
{
	long	mh = ui_main_height();

	if (!u->pager_open) {
		u->mode = UI_MODE_INDEX;
		return;
	}
	if (common_action(u, a))
		return;
	if (strcmp(a, "exit") == 0)
		u->mode = UI_MODE_INDEX;
	else if (strcmp(a, "down") == 0)
		pager_scroll(u, 1);
	else if (strcmp(a, "up") == 0)
		pager_scroll(u, -1);
	else if (strcmp(a, "page-down") == 0) {
		if (u->pager.top + (size_t)mh >= u->pager.nrows) {
			/* At the end: on to the next message, as mutt. */
			if (u->sel + 1 < u->view.n) {
				u->sel++;
				ui_scroll_to_sel(u);
				open_message(u);
			} else
				ui_message(u, false, "Last message.");
		} else
			pager_scroll(u, mh - 1);
	} else if (strcmp(a, "page-up") == 0)
		pager_scroll(u, -(mh - 1));
	else if (strcmp(a, "first") == 0)
		u->pager.top = 0;
	else if (strcmp(a, "last") == 0)
		pager_scroll(u, (long)u->pager.nrows);
	else if (strcmp(a, "next-message") == 0 ||
	    strcmp(a, "prev-message") == 0) {
		if (a[0] == 'n' ? u->sel + 1 < u->view.n : u->sel > 0) {
			move_sel(u, a[0] == 'n' ? 1 : -1);
			open_message(u);
		} else
			ui_message(u, false, a[0] == 'n' ? "Last message." :
			    "First message.");
	} else if (strcmp(a, "next-unread") == 0) {
		if (next_unread(u))
			open_message(u);
	} else if (strcmp(a, "toggle-headers") == 0) {
		u->pager_all_headers = !u->pager_all_headers;
		open_message(u);
	} else if (strcmp(a, "search") == 0)
		pager_search(u, true);
	else if (strcmp(a, "search-next") == 0)
		pager_search(u, false);
	else if (strcmp(a, "attachments") == 0) {
		u->att_sel = u->att_top = 0;
		u->mode = UI_MODE_ATTACH;
	}
}

void
ui_help_key(struct ui *u, const char *key)
{
	if (strcmp(key, "q") == 0 || strcmp(key, "<Esc>") == 0 ||
	    strcmp(key, "?") == 0 || strcmp(key, "i") == 0)
		u->mode = u->help_from;
	else if (strcmp(key, "j") == 0 || strcmp(key, "<Down>") == 0 ||
	    strcmp(key, "<Enter>") == 0)
		u->help_top++;
	else if ((strcmp(key, "k") == 0 || strcmp(key, "<Up>") == 0) &&
	    u->help_top > 0)
		u->help_top--;
	else if (strcmp(key, "<Space>") == 0 ||
	    strcmp(key, "<PageDown>") == 0)
		u->help_top += (size_t)ui_main_height() - 1;
	else if (strcmp(key, "-") == 0 || strcmp(key, "<PageUp>") == 0)
		u->help_top = u->help_top > (size_t)ui_main_height() ?
		    u->help_top - (size_t)ui_main_height() : 0;
}
