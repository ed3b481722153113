/*
 * app.c: the interface's start, its one poll loop (the terminal and the
 * engine's pipe), the folders of every account, and the engine's events.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app_priv.h"

/* How long the loop sleeps with nothing to do: the clock in the index
 * ("14:05" turns into "Mar 01") is the only thing that moves. */
#define IDLE_WAKE_MS	30000
/* Flag changes, moves and deletions reach the server this long after
 * the last of a burst (a sync per key would be wasteful). */
#define PUSH_DELAY_MS	5000

void
ui_message(struct ui *u, bool error, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(u->msg, sizeof(u->msg), fmt, ap);
	va_end(ap);
	u->msg_error = error;
}

void
ui_changed(struct ui *u)
{
	if (u->cur == SIZE_MAX || !engine_serves(u->eng,
	    u->folders[u->cur].acct))
		return;
	if (u->push_at != 0 && u->push_acct != u->folders[u->cur].acct)
		(void)engine_sync(u->eng, u->push_acct);
	u->push_acct = u->folders[u->cur].acct;
	u->push_at = time_mono_ms() + PUSH_DELAY_MS;
}

const struct cfg_account *
ui_account(const struct ui *u)
{
	if (u->cur == SIZE_MAX || u->cfg == NULL ||
	    u->folders[u->cur].acct >= u->cfg->naccounts)
		return NULL;
	return &u->cfg->accounts[u->folders[u->cur].acct];
}

/* ------------------------------------------------------------------ */
/* Folders                                                             */

/* Total and unread from the directories alone (no file is read):
 * new/ is unread, cur/ without S in its flags is unread. */
void
ui_count_folder(struct ui_folder *uf)
{
	static const char *const sub[] = { "new", "cur" };
	size_t	 i, k;
	char	*dir;

	uf->total = uf->unread = 0;
	for (i = 0; i < 2; i++) {
		DIR		*d;
		struct dirent	*de;

		dir = xasprintf("%s/%s", uf->path, sub[i]);
		d = opendir(dir);
		free(dir);
		if (d == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			uf->total++;
			k = store_name_flags(de->d_name);
			if (i == 0 || !(k & STORE_SEEN))
				uf->unread++;
		}
		(void)closedir(d);
	}
}

static void
add_folder(struct ui *u, size_t acct, const char *name, const char *path,
    size_t *cap)
{
	struct ui_folder	*uf;

	if (u->nfolders == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		u->folders = xreallocarray(u->folders, *cap,
		    sizeof(*u->folders));
	}
	uf = &u->folders[u->nfolders++];
	memset(uf, 0, sizeof(*uf));
	uf->acct = acct;
	uf->name = xstrdup(name);
	uf->path = xstrdup(path);
	if (u->cfg != NULL && u->cfg->naccounts > 1 && acct != SIZE_MAX)
		uf->label = xasprintf("%s/%s", u->cfg->accounts[acct].name,
		    name);
	else
		uf->label = xstrdup(name);
	ui_count_folder(uf);
}

static void
free_folders(struct ui *u)
{
	size_t	i;

	for (i = 0; i < u->nfolders; i++) {
		free(u->folders[i].name);
		free(u->folders[i].label);
		free(u->folders[i].path);
	}
	free(u->folders);
	u->folders = NULL;
	u->nfolders = 0;
}

/* Every account's folders, again (the engine may have made some); the
 * open folder and the sidebar's highlight are kept by name. */
void
ui_list_folders(struct ui *u)
{
	char		*cur_path = NULL, *sel_path = NULL, **names, *p;
	size_t		 a, i, n, cap = 0;
	struct store_err err;

	if (u->cur != SIZE_MAX)
		cur_path = xstrdup(u->folders[u->cur].path);
	if (u->sb_sel < u->nfolders)
		sel_path = xstrdup(u->folders[u->sb_sel].path);
	free_folders(u);
	if (u->ro_path != NULL)
		add_folder(u, SIZE_MAX, "INBOX", u->ro_path, &cap);
	for (a = 0; u->cfg != NULL && a < u->cfg->naccounts; a++) {
		const struct cfg_account *ac = &u->cfg->accounts[a];

		if (ac->store_path == NULL)
			continue;
		/* A maildir:// account whose root is itself a maildir. */
		if (store_is_maildir(ac->store_path))
			add_folder(u, a, "INBOX", ac->store_path, &cap);
		if (store_folder_list_new(ac->store_path, &names, &n, &err) ==
		    -1)
			continue;
		for (i = 0; i < n; i++) {
			p = xasprintf("%s/%s", ac->store_path, names[i]);
			add_folder(u, a, names[i], p, &cap);
			free(p);
		}
		store_names_free(names, n);
	}
	u->cur = u->sb_sel = SIZE_MAX;
	for (i = 0; i < u->nfolders; i++) {
		if (cur_path != NULL && strcmp(u->folders[i].path, cur_path) ==
		    0)
			u->cur = i;
		if (sel_path != NULL && strcmp(u->folders[i].path, sel_path) ==
		    0)
			u->sb_sel = i;
	}
	if (u->sb_sel == SIZE_MAX)
		u->sb_sel = u->cur != SIZE_MAX ? u->cur : 0;
	free(cur_path);
	free(sel_path);
}

/* The folder named text ("INBOX", "perso/INBOX", a label) preferring
 * account acct; SIZE_MAX when none. */
size_t
ui_find_folder(const struct ui *u, const char *text, size_t acct)
{
	size_t	i;

	for (i = 0; i < u->nfolders; i++)
		if (u->folders[i].acct == acct &&
		    strcmp(u->folders[i].name, text) == 0)
			return i;
	for (i = 0; i < u->nfolders; i++)
		if (strcmp(u->folders[i].label, text) == 0)
			return i;
	for (i = 0; u->cfg != NULL && i < u->nfolders; i++) {
		const char	*an;
		size_t		 l;

		if (u->folders[i].acct >= u->cfg->naccounts)
			continue;
		an = u->cfg->accounts[u->folders[i].acct].name;
		l = strlen(an);
		if (strncmp(text, an, l) == 0 && text[l] == '/' &&
		    strcmp(text + l + 1, u->folders[i].name) == 0)
			return i;
	}
	return SIZE_MAX;
}

size_t
ui_current_msg(const struct ui *u)
{
	if (u->f == NULL || u->sel >= u->view.n)
		return SIZE_MAX;
	return u->view.rows[u->sel].msg;
}

/* The view again (sort, limit, or the folder changed), the selection
 * kept on the message keep_id when it is still shown. */
void
ui_rebuild_view(struct ui *u, uint32_t keep_id)
{
	struct store_err	err;
	size_t			i, idx = SIZE_MAX;

	store_view_free(&u->view);
	if (u->f == NULL)
		return;
	if (store_view_build(u->f, u->sort, false, u->keep, &u->view,
	    &err) == -1) {
		ui_message(u, true, "%s", err.msg);
		return;
	}
	if (keep_id != UINT32_MAX &&
	    store_folder_by_id(u->f, keep_id, &idx) != NULL) {
		for (i = 0; i < u->view.n; i++)
			if (u->view.rows[i].msg == idx) {
				u->sel = i;
				break;
			}
	}
	if (u->sel >= u->view.n)
		u->sel = u->view.n > 0 ? u->view.n - 1 : 0;
	ui_scroll_to_sel(u);
}

static void
close_folder(struct ui *u)
{
	if (u->pager_open)
		ui_pager_free(&u->pager);
	u->pager_open = false;
	store_view_free(&u->view);
	store_folder_close(u->f);
	u->f = NULL;
	free(u->keep);
	u->keep = NULL;
	free(u->limit);
	u->limit = NULL;
	free(u->tagged);
	u->tagged = NULL;
	u->ntagged = 0;
	if (u->mode != UI_MODE_HELP)
		u->mode = UI_MODE_INDEX;
}

void
ui_open_folder(struct ui *u, size_t i)
{
	struct store_open_opts	o;
	struct store_err	err;
	size_t			r, n;

	if (i >= u->nfolders)
		return;
	ui_leave_folder(u);
	close_folder(u);
	memset(&o, 0, sizeof(o));
	o.cache_dir = u->cache_dir;
	o.fallback_charset = u->fallback;
	o.read_only = u->read_only;
	u->f = store_folder_open(u->folders[i].path, &o, &err);
	if (u->f == NULL) {
		ui_message(u, true, "%s: %s", u->folders[i].label, err.msg);
		u->cur = SIZE_MAX;
		return;
	}
	u->cur = u->sb_sel = i;
	n = store_folder_count(u->f);
	u->tagged = xcalloc(n + 1, sizeof(*u->tagged));
	u->sel = SIZE_MAX;
	u->top = 0;
	ui_rebuild_view(u, UINT32_MAX);
	/* The first unread message, else the last (the newest). */
	u->sel = u->view.n > 0 ? u->view.n - 1 : 0;
	for (r = 0; r < u->view.n; r++)
		if (!(store_folder_msg(u->f, u->view.rows[r].msg)->flags &
		    STORE_SEEN)) {
			u->sel = r;
			break;
		}
	ui_scroll_to_sel(u);
	ui_count_folder(&u->folders[i]);
}

/* The limit's pattern searched again (the folder's indexes moved). */
static void
reapply_limit(struct ui *u)
{
	struct store_query	*q;
	struct store_err	 err;

	free(u->keep);
	u->keep = NULL;
	if (u->limit == NULL)
		return;
	q = store_query_new(u->limit, &err);
	if (q == NULL)
		return;
	u->keep = xcalloc(store_folder_count(u->f) + 1, sizeof(*u->keep));
	(void)store_search(u->f, q, u->keep, &err);
	store_query_free(q);
}

void
ui_indexes_moved(struct ui *u)
{
	free(u->tagged);
	u->tagged = xcalloc(store_folder_count(u->f) + 1, sizeof(*u->tagged));
	u->ntagged = 0;
	reapply_limit(u);
	ui_rebuild_view(u, UINT32_MAX);
	ui_count_folder(&u->folders[u->cur]);
}

/* Changes made by others (the engine, another program): rescan, keep the
 * selection, the tags, the limit's pattern and the open message. */
void
ui_reload_folder(struct ui *u)
{
	struct store_err	 err;
	uint32_t		*tag_ids = NULL, sel_id = UINT32_MAX;
	size_t			 i, ntag = 0, n, idx;
	bool			 changed = false;

	if (u->f == NULL)
		return;
	if (ui_current_msg(u) != SIZE_MAX)
		sel_id = store_folder_msg(u->f, ui_current_msg(u))->id;
	n = store_folder_count(u->f);
	tag_ids = xcalloc(u->ntagged + 1, sizeof(*tag_ids));
	for (i = 0; i < n && ntag < u->ntagged; i++)
		if (u->tagged[i])
			tag_ids[ntag++] = store_folder_msg(u->f, i)->id;
	if (store_folder_rescan(u->f, &changed, &err) == -1) {
		ui_message(u, true, "%s", err.msg);
		free(tag_ids);
		return;
	}
	if (!changed) {
		free(tag_ids);
		return;
	}
	n = store_folder_count(u->f);
	free(u->tagged);
	u->tagged = xcalloc(n + 1, sizeof(*u->tagged));
	u->ntagged = 0;
	for (i = 0; i < ntag; i++)
		if (store_folder_by_id(u->f, tag_ids[i], &idx) != NULL) {
			u->tagged[idx] = true;
			u->ntagged++;
		}
	free(tag_ids);
	reapply_limit(u);
	ui_rebuild_view(u, sel_id);
	if (u->pager_open && store_folder_by_id(u->f, u->pager.msg_id,
	    NULL) == NULL) {
		/* The message shown went away (moved or deleted elsewhere). */
		ui_pager_free(&u->pager);
		u->pager_open = false;
		if (u->mode == UI_MODE_PAGER || u->mode == UI_MODE_ATTACH)
			u->mode = UI_MODE_INDEX;
	}
	if (u->cur != SIZE_MAX)
		ui_count_folder(&u->folders[u->cur]);
}

/* The trash folder's index for account acct, when it is another folder
 * than the open one. */
static size_t
trash_of(struct ui *u)
{
	const struct cfg_account	*a = ui_account(u);
	char				*name;
	size_t				 t;

	if (a == NULL || u->cfg == NULL)
		return SIZE_MAX;
	name = engine_trash_folder_new(a);
	if (name == NULL)
		return SIZE_MAX;
	t = ui_find_folder(u, name, u->folders[u->cur].acct);
	free(name);
	return t == u->cur ? SIZE_MAX : t;
}

void
ui_leave_folder(struct ui *u)
{
	struct store_folder	*trash = NULL;
	struct store_open_opts	 o;
	struct store_err	 err;
	uint32_t		*ids;
	size_t			 i, n, k = 0, t, idx, removed = 0;

	if (u->f == NULL || u->read_only)
		return;
	n = store_folder_count(u->f);
	ids = xcalloc(n + 1, sizeof(*ids));
	for (i = 0; i < n; i++)
		if (store_folder_msg(u->f, i)->flags & STORE_TRASHED)
			ids[k++] = store_folder_msg(u->f, i)->id;
	if (k == 0) {
		free(ids);
		return;
	}
	t = trash_of(u);
	if (t != SIZE_MAX) {
		memset(&o, 0, sizeof(o));
		o.fallback_charset = u->fallback;
		trash = store_folder_open(u->folders[t].path, &o, &err);
	}
	for (i = 0; i < k; i++) {
		const struct store_msg	*m;

		m = store_folder_by_id(u->f, ids[i], &idx);
		if (m == NULL)
			continue;
		if (trash == NULL)
			continue;
		/* Into the trash undeleted: the flag meant "to remove
		 * from here". */
		if (store_msg_set_flags(u->f, idx, m->flags & ~STORE_TRASHED,
		    &err) == -1 || store_folder_by_id(u->f, ids[i], &idx) ==
		    NULL || store_msg_move(u->f, idx, trash, NULL, &err) ==
		    -1) {
			ui_message(u, true, "%s", err.msg);
			continue;
		}
		removed++;
	}
	if (trash == NULL) {
		if (store_folder_expunge(u->f, &removed, &err) == -1)
			ui_message(u, true, "%s", err.msg);
	}
	if (removed > 0)
		ui_changed(u);
	if (removed > 0)
		ui_message(u, false, "%zu message%s %s", removed,
		    removed == 1 ? "" : "s", trash != NULL ?
		    "moved to the trash" : "removed");
	store_folder_close(trash);
	free(ids);
	if (t != SIZE_MAX)
		ui_count_folder(&u->folders[t]);
	ui_indexes_moved(u);
}

/* ------------------------------------------------------------------ */
/* Engine events                                                       */

static void
on_engine_event(struct ui *u, const struct engine_event *ev)
{
	struct ui_acct_state	*as;
	const char		*an;
	size_t			 i;

	if (u->cfg == NULL || ev->account >= u->cfg->naccounts)
		return;
	as = &u->as[ev->account];
	an = u->cfg->accounts[ev->account].name;
	switch (ev->kind) {
	case ENGINE_EV_BUSY:
		(void)fct_snprintf(as->activity, sizeof(as->activity),
		    "%s", ev->text);
		as->failed = false;
		break;
	case ENGINE_EV_PROGRESS:
		(void)fct_snprintf(as->activity, sizeof(as->activity),
		    "%s %llu/%llu", ev->folder, (unsigned long long)ev->n,
		    (unsigned long long)ev->total);
		break;
	case ENGINE_EV_FOLDER:
		i = ui_find_folder(u, ev->folder, ev->account);
		if (i == SIZE_MAX) {
			ui_list_folders(u);
			i = ui_find_folder(u, ev->folder, ev->account);
		}
		if (i != SIZE_MAX && i == u->cur)
			ui_reload_folder(u);
		else if (i != SIZE_MAX)
			ui_count_folder(&u->folders[i]);
		if (u->cur == SIZE_MAX && i != SIZE_MAX &&
		    strcmp(ev->folder, "INBOX") == 0)
			ui_open_folder(u, i);
		break;
	case ENGINE_EV_SENT:
		ui_message(u, ev->total > 0, "%s: %llu sent, %llu left in the "
		    "outbox%s%s", an, (unsigned long long)ev->n,
		    (unsigned long long)ev->total, ev->text[0] ? ": " : "",
		    ev->text);
		break;
	case ENGINE_EV_NOTICE:
		ui_message(u, false, "%s%s%s: %s", an, ev->folder[0] ? "/" :
		    "", ev->folder, ev->text);
		break;
	case ENGINE_EV_ERROR:
		as->failed = true;
		ui_message(u, true, "%s%s%s: %s", an, ev->folder[0] ? "/" : "",
		    ev->folder, ev->text);
		break;
	case ENGINE_EV_IDLE:
		(void)fct_snprintf(as->activity, sizeof(as->activity), "%s",
		    ev->n != 0 ? "sync failed" : "");
		ui_list_folders(u);
		if (u->cur == SIZE_MAX) {
			i = ui_find_folder(u, "INBOX", ev->account);
			if (i != SIZE_MAX)
				ui_open_folder(u, i);
		}
		break;
	case ENGINE_EV_NEWS:
		(void)fct_snprintf(as->activity, sizeof(as->activity),
		    "new mail");
		break;
	case ENGINE_EV_FETCHED:
		i = ui_find_folder(u, ev->folder, ev->account);
		if (i == SIZE_MAX || i != u->cur)
			break;
		ui_reload_folder(u);
		if (u->pager_open && u->pager_partial &&
		    strncmp(u->pager_name, ev->text,
		    store_name_unique_len(ev->text)) == 0) {
			ui_message(u, false, "The whole message is here.");
			ui_reopen_message(u);
		}
		break;
	}
}

static void
drain_engine(struct ui *u)
{
	struct engine_event	ev;
	int			r;

	while ((r = engine_next(u->eng, &ev)) == 1)
		on_engine_event(u, &ev);
	if (r == -1) {
		ui_message(u, true, "the background sync has stopped");
		engine_stop(&u->eng);
	}
}

static void
redraw(struct ui *u)
{
	if (u->dirty) {
		(void)clearok(curscr, TRUE);
		u->dirty = false;
	}
	(void)erase();
	ui_draw_screen(u);
	if (u->overlay != NULL)
		u->overlay(u, u->overlay_arg);
	(void)refresh();
}

bool
ui_get_key(struct ui *u, char *out, size_t size, uint32_t *cp, bool *is_code)
{
	struct pollfd	pfd[2];
	wint_t		wc;
	int64_t		now;
	int		r, n, wait;

	for (;;) {
		if (ui_term_signal() != 0)
			return false;
		/* Keys already read by curses first (a paste, an escape
		 * sequence), then wait. */
		(void)timeout(0);
		r = get_wch(&wc);
		if (r != ERR) {
			if (r == KEY_CODE_YES && wc == KEY_RESIZE) {
				if (u->pager_open)
					ui_pager_wrap(&u->pager, COLS -
					    ui_main_x(u));
				ui_scroll_to_sel(u);
				redraw(u);
				continue;
			}
			*is_code = r == KEY_CODE_YES;
			*cp = (uint32_t)wc;
			if (ui_key_name(*is_code, *cp, out, size))
				return true;
			continue;
		}
		redraw(u);
		pfd[0].fd = 0;
		pfd[0].events = POLLIN;
		pfd[1].fd = engine_fd(u->eng);
		pfd[1].events = POLLIN;
		n = pfd[1].fd >= 0 ? 2 : 1;
		wait = IDLE_WAKE_MS;
		if (u->push_at != 0) {
			now = time_mono_ms();
			if (now >= u->push_at) {
				(void)engine_sync(u->eng, u->push_acct);
				u->push_at = 0;
				continue;
			}
			if (u->push_at - now < wait)
				wait = (int)(u->push_at - now);
		}
		r = poll(pfd, (nfds_t)n, wait);
		if (r == -1 && errno != EINTR)
			return false;
		if (r > 0 && n == 2 && (pfd[1].revents & (POLLIN | POLLHUP)))
			drain_engine(u);
		if (r > 0 && (pfd[0].revents & (POLLHUP | POLLERR)) &&
		    !(pfd[0].revents & POLLIN))
			return false;	/* the terminal went away */
	}
}

/* ------------------------------------------------------------------ */
/* Start and end                                                       */

static struct config *
load_config(const struct ui_args *args, bool *none)
{
	struct cfg_diag	 diag = { 0 };
	struct config	*cfg;
	size_t		 i;

	cfg = cfg_load_optional(args->config_path, none, &diag);
	for (i = 0; i < diag.nwarnings; i++)
		(void)fprintf(stderr, "facteur: %s\n", diag.warnings[i]);
	for (i = 0; i < diag.nerrors; i++)
		(void)fprintf(stderr, "facteur: %s\n", diag.errors[i]);
	cfg_diag_free(&diag);
	return cfg;
}

/* Without a configuration: $MAIL or ~/Maildir, read-only. */
static char *
default_maildir(void)
{
	const char	*mail = getenv("MAIL"), *home = getenv("HOME");
	char		*p;

	if (mail != NULL && store_is_maildir(mail))
		return xstrdup(mail);
	if (home != NULL) {
		p = xasprintf("%s/Maildir", home);
		if (store_is_maildir(p))
			return p;
		free(p);
	}
	return NULL;
}

static size_t
first_folder(const struct ui *u, const struct ui_args *args)
{
	const struct cfg_account	*a = NULL;
	size_t				 acct = SIZE_MAX, i;

	if (u->cfg != NULL) {
		a = cfg_account(u->cfg, args->account);
		if (a != NULL)
			acct = (size_t)(a - u->cfg->accounts);
	}
	if (args->folder != NULL) {
		i = ui_find_folder(u, args->folder, acct);
		if (i != SIZE_MAX)
			return i;
	}
	i = ui_find_folder(u, "INBOX", acct);
	if (i != SIZE_MAX)
		return i;
	for (i = 0; i < u->nfolders; i++)
		if (u->folders[i].acct == acct)
			return i;
	return SIZE_MAX;
}

static void
main_loop(struct ui *u)
{
	char		 key[32];
	uint32_t	 cp;
	bool		 code;
	const char	*act;

	while (!u->quit) {
		if (!ui_get_key(u, key, sizeof(key), &cp, &code))
			break;
		if (strcmp(u->msg, "") != 0 && !u->msg_error)
			u->msg[0] = '\0';
		switch (u->mode) {
		case UI_MODE_INDEX:
			act = ui_keymap_action(&u->km, UI_MENU_INDEX, key);
			if (act == NULL)
				ui_message(u, false, "%s: no action here "
				    "(? for help)", key);
			else {
				u->msg_error = false;
				ui_index_action(u, act);
			}
			break;
		case UI_MODE_PAGER:
			act = ui_keymap_action(&u->km, UI_MENU_PAGER, key);
			if (act == NULL)
				ui_message(u, false, "%s: no action here "
				    "(? for help)", key);
			else {
				u->msg_error = false;
				ui_pager_action(u, act);
			}
			break;
		case UI_MODE_HELP:
			ui_help_key(u, key);
			break;
		case UI_MODE_ATTACH:
			ui_attach_key(u, ui_keymap_action(&u->km,
			    UI_MENU_INDEX, key), key);
			break;
		case UI_MODE_COMPOSE:
			act = ui_keymap_action(&u->km, UI_MENU_COMPOSE, key);
			if (act == NULL)
				ui_message(u, false, "%s: no action here "
				    "(? for help)", key);
			else
				ui_compose_action(u, act);
			break;
		}
	}
}

int
ui_main(const struct ui_args *args)
{
	struct ui		 u;
	struct engine_opts	 eo;
	char			 err[512];
	bool			 none;
	size_t			 i;
	int			 sig;

	(void)setlocale(LC_ALL, "");
	memset(&u, 0, sizeof(u));
	u.cur = SIZE_MAX;
	u.cfg = load_config(args, &none);
	if (u.cfg == NULL && !none)
		return 2;
	if (args->account != NULL && (u.cfg == NULL ||
	    cfg_account(u.cfg, args->account) == NULL)) {
		(void)fprintf(stderr, "facteur: %s: no such account %s%s%s\n",
		    args->account, u.cfg != NULL ? "in " : "(no configuration "
		    "found", u.cfg != NULL ? u.cfg->path : "", u.cfg != NULL ?
		    "" : ")");
		cfg_free(&u.cfg);
		return 2;
	}
	if (u.cfg == NULL || u.cfg->naccounts == 0) {
		u.ro_path = default_maildir();
		u.read_only = true;
	}
	u.fallback = u.cfg != NULL ? u.cfg->general.fallback_charset : NULL;
	u.sort = u.cfg != NULL ? (enum store_sort)u.cfg->general.sort :
	    STORE_SORT_THREADS;
	u.sidebar = u.cfg != NULL ? u.cfg->general.sidebar : false;
	u.cache_dir = store_cache_dir_new();
	ui_keymap_init(&u.km, u.cfg);
	u.as = xcalloc(u.cfg != NULL ? u.cfg->naccounts + 1 : 1,
	    sizeof(*u.as));
	(void)cfg_protect_secrets();
	memset(&eo, 0, sizeof(eo));
	eo.cache_dir = u.cache_dir;
	/* Children first: they must not inherit the screen. */
	u.eng = engine_start(u.cfg, &eo, err, sizeof(err));
	if (u.eng == NULL)
		ui_message(&u, true, "no background sync: %s", err);
	if (ui_term_start(u.cfg, err, sizeof(err)) == -1) {
		(void)fprintf(stderr, "facteur: %s\n", err);
		engine_stop(&u.eng);
		cfg_free(&u.cfg);
		return 1;
	}
	ui_list_folders(&u);
	i = first_folder(&u, args);
	if (i != SIZE_MAX)
		ui_open_folder(&u, i);
	else if (args->folder != NULL)
		ui_message(&u, true, "%s: no such folder", args->folder);
	if (u.cfg == NULL || u.cfg->naccounts == 0)
		ui_message(&u, false, "%s", u.ro_path != NULL ?
		    "No account configured: reading this maildir read-only. "
		    "Press ? for help; see facteur.conf(5) to add one." :
		    "No account configured and no maildir at $MAIL or "
		    "~/Maildir: see facteur.conf(5) to add an account.");
	u.comp.reply_id = UINT32_MAX;
	main_loop(&u);
	ui_compose_end(&u);
	ui_leave_folder(&u);
	close_folder(&u);
	ui_term_stop();
	engine_stop(&u.eng);
	sig = ui_term_signal();
	free_folders(&u);
	free(u.search);
	free(u.as);
	free(u.ro_path);
	free(u.cache_dir);
	ui_keymap_free(&u.km);
	cfg_free(&u.cfg);
	return sig != 0 ? 128 + sig : 0;
}
