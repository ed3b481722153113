/*
 * draw.c: the screens: folder sidebar, message index, pager, help,
 * attachment list, the status line and the message line. Everything is
 * drawn from the state on each turn; curses sends only what changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app_priv.h"

int
ui_main_height(void)
{
	return LINES > 3 ? LINES - 2 : 1;
}

static int
sidebar_width(const struct ui *u)
{
	int	w;

	if (!u->sidebar || COLS < 60)
		return 0;
	w = COLS / 5;
	return w < 16 ? 16 : w > 30 ? 30 : w;
}

int
ui_main_x(const struct ui *u)
{
	int	w = sidebar_width(u);

	return w > 0 ? w + 1 : 0;
}

static void
draw_sidebar(struct ui *u)
{
	int	 w = sidebar_width(u), mh = ui_main_height(), y;
	size_t	 first = 0, i;
	char	 counts[48];

	if (w == 0)
		return;
	if (u->sb_sel < u->nfolders && u->sb_sel >= (size_t)mh)
		first = u->sb_sel - (size_t)mh + 1;
	for (y = 0, i = first; y < mh && i < u->nfolders; y++, i++) {
		const struct ui_folder	*uf = &u->folders[i];
		attr_t			 a = ui_attr(CFG_COLOR_SIDEBAR);
		int			 cw;

		if (uf->unread > 0)
			(void)snprintf(counts, sizeof(counts), " %zu/%zu",
			    uf->unread, uf->total);
		else
			(void)snprintf(counts, sizeof(counts), " %zu",
			    uf->total);
		if (uf->unread > 0)
			a = ui_attr(CFG_COLOR_SIDEBAR_NEW);
		if (i == u->sb_sel)
			a = ui_attr(CFG_COLOR_INDICATOR);
		cw = (int)strlen(counts);
		if (cw > w / 2)
			cw = w / 2;
		ui_draw(y, 0, w - cw, uf->label, strlen(uf->label), a |
		    (i == u->cur ? A_BOLD : 0));
		ui_draw(y, w - cw, cw, counts, strlen(counts), a);
	}
	(void)attrset(ui_attr(CFG_COLOR_SIDEBAR));
	(void)mvvline(0, w, ACS_VLINE, mh);
	(void)attrset(A_NORMAL);
}

static attr_t
row_attr(const struct ui *u, size_t r, const struct store_msg *m)
{
	if (r == u->sel)
		return ui_attr(CFG_COLOR_INDICATOR);
	if (m->flags & STORE_TRASHED)
		return ui_attr(CFG_COLOR_DELETED);
	if (u->tagged != NULL && u->tagged[u->view.rows[r].msg])
		return ui_attr(CFG_COLOR_TAGGED);
	if (m->flags & STORE_FLAGGED)
		return ui_attr(CFG_COLOR_FLAGGED);
	if (!(m->flags & STORE_SEEN))
		return ui_attr(CFG_COLOR_NEW);
	return ui_attr(CFG_COLOR_NORMAL);
}

/* A reply's subject is hidden when it says what its parent's does. */
static bool
same_subject_as_parent(const struct ui *u, size_t r)
{
	const struct store_view_row	*row = &u->view.rows[r];
	char				*a, *b;
	bool				 same;

	if (row->depth == 0 || row->parent == UINT32_MAX ||
	    row->parent >= u->view.n)
		return false;
	a = mime_subject_base(store_folder_msg(u->f, row->msg)->subject);
	b = mime_subject_base(store_folder_msg(u->f,
	    u->view.rows[row->parent].msg)->subject);
	same = strcmp(a, b) == 0;
	free(a);
	free(b);
	return same;
}

static void
draw_index(struct ui *u)
{
	int			 x = ui_main_x(u), w = COLS - x;
	int			 mh = ui_main_height(), y;
	int64_t			 now = (int64_t)time(NULL);
	struct buf		 line;
	struct ui_index_row	 row;
	char			 tree[256];
	size_t			 r;
	bool			 ascii = ui_width("\xe2\x94\x9c", 3) != 1 ||
	    ui_cp_unsafe(0x251c);

	if (u->f == NULL) {
		const char *t = u->nfolders == 0 ? "No folder yet." :
		    "No folder open: c to change folder.";

		ui_draw(0, x, w, t, strlen(t), A_NORMAL);
		return;
	}
	if (u->view.n == 0) {
		const char *t = u->keep != NULL ? "No message matches the "
		    "limit (l, then Enter, to show all)." : "No messages.";

		ui_draw(0, x, w, t, strlen(t), A_NORMAL);
		return;
	}
	buf_init(&line, (size_t)w * 8 + 64);
	for (y = 0, r = u->top; y < mh && r < u->view.n; y++, r++) {
		const struct store_msg	*m = store_folder_msg(u->f,
		    u->view.rows[r].msg);

		tree[0] = '\0';
		if (u->sort == STORE_SORT_THREADS)
			(void)store_view_tree(&u->view, r, ascii, tree,
			    sizeof(tree));
		memset(&row, 0, sizeof(row));
		row.m = m;
		row.number = r + 1;
		row.tree = tree;
		row.hide_subject = tree[0] != '\0' &&
		    same_subject_as_parent(u, r);
		row.tagged = u->tagged != NULL && u->tagged[u->view.rows[r].msg];
		buf_reset(&line);
		ui_index_line(&row, now, w, &line);
		ui_draw(y, x, w, buf_str(&line), line.len, row_attr(u, r, m));
	}
	buf_free(&line);
}

static attr_t
kind_attr(enum ui_line_kind k)
{
	switch (k) {
	case UI_LINE_QUOTE1:
		return ui_attr(CFG_COLOR_QUOTED);
	case UI_LINE_QUOTE2:
		return ui_attr(CFG_COLOR_QUOTED2);
	case UI_LINE_SIGNATURE:
		return ui_attr(CFG_COLOR_SIGNATURE);
	case UI_LINE_ATTACH:
	case UI_LINE_SEP:
		return ui_attr(CFG_COLOR_ATTACHMENT);
	default:
		return ui_attr(CFG_COLOR_NORMAL);
	}
}

/* A body row with its URLs underlined. */
static void
draw_text_row(int y, int x, int w, const char *s, size_t n, attr_t a)
{
	size_t	pos = 0, us, ul;
	int	used = 0;

	while (pos < n && used < w) {
		if (!ui_find_url(s, n, pos, &us, &ul)) {
			used += ui_draw_part(y, x + used, w - used, s + pos,
			    n - pos, a);
			break;
		}
		used += ui_draw_part(y, x + used, w - used, s + pos, us - pos,
		    a);
		used += ui_draw_part(y, x + used, w - used, s + us, ul,
		    ui_attr(CFG_COLOR_URL));
		pos = us + ul;
	}
}

static void
draw_pager(struct ui *u)
{
	int			 x = ui_main_x(u), w = COLS - x;
	int			 mh = ui_main_height(), y, used;
	size_t			 r, len, name;
	enum ui_line_kind	 kind;
	const char		*s;

	if (!u->pager_open)
		return;
	if (u->pager.width != w)
		ui_pager_wrap(&u->pager, w);
	for (y = 0, r = u->pager.top; y < mh && r < u->pager.nrows; y++,
	    r++) {
		s = ui_pager_row(&u->pager, r, &len, &kind, &name);
		if (kind == UI_LINE_HEADER && name > 0 && name <= len) {
			used = ui_draw_part(y, x, w, s, name,
			    ui_attr(CFG_COLOR_HEADER));
			ui_draw(y, x + used, w - used, s + name, len - name,
			    A_NORMAL);
		} else if (kind == UI_LINE_BODY)
			draw_text_row(y, x, w, s, len, A_NORMAL);
		else
			draw_text_row(y, x, w, s, len, kind_attr(kind));
	}
	for (; y < mh; y++)
		ui_draw(y, x, 1, "~", 1, ui_attr(CFG_COLOR_TREE));
}

static const char *
mode_menu_name(enum ui_mode m)
{
	return m == UI_MODE_PAGER ? "pager" : m == UI_MODE_COMPOSE ?
	    "compose" : "index";
}

/* The help lines for the menu help was asked from. */
static size_t
help_lines(struct ui *u, char ***out)
{
	const struct cfg_action	*a;
	enum ui_menu		 m = u->help_from == UI_MODE_PAGER ?
	    UI_MENU_PAGER : u->help_from == UI_MODE_COMPOSE ?
	    UI_MENU_COMPOSE : UI_MENU_INDEX;
	char			 keys[128], **v = NULL;
	size_t			 n = 0;

	for (a = cfg_actions(); a->name != NULL; a++) {
		if (!(a->menus & (1u << m)) || strcmp(a->name, "noop") == 0)
			continue;
		ui_keymap_keys(&u->km, m, a->name, keys, sizeof(keys));
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = xasprintf("%-20s %-16s %s", keys[0] ? keys :
		    "(unbound)", a->name, a->help);
	}
	*out = v;
	return n;
}

static void
draw_help(struct ui *u)
{
	char	**v, *title;
	size_t	  n, i, r;
	int	  y, mh = ui_main_height();

	n = help_lines(u, &v);
	title = xasprintf("Keys of the %s (rebind them in [bind %s]; q to "
	    "leave this help)", mode_menu_name(u->help_from),
	    mode_menu_name(u->help_from));
	ui_draw(0, 0, COLS, title, strlen(title), ui_attr(CFG_COLOR_HEADER));
	free(title);
	if (u->help_top + 1 > n)
		u->help_top = n > 0 ? n - 1 : 0;
	for (y = 1, r = u->help_top; y < mh && r < n; y++, r++)
		ui_draw(y, 0, COLS, v[r], strlen(v[r]), A_NORMAL);
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
draw_attach(struct ui *u)
{
	int	x = ui_main_x(u), w = COLS - x, mh = ui_main_height(), y;
	size_t	r;

	if (u->att_sel < u->att_top)
		u->att_top = u->att_sel;
	if (u->att_sel >= u->att_top + (size_t)mh)
		u->att_top = u->att_sel - (size_t)mh + 1;
	for (y = 0, r = u->att_top; y < mh && r < u->pager.natt; y++, r++)
		ui_draw(y, x, w, u->pager.att[r].label,
		    strlen(u->pager.att[r].label), r == u->att_sel ?
		    ui_attr(CFG_COLOR_INDICATOR) : A_NORMAL);
}

static void
status_line(struct ui *u, struct buf *b)
{
	const struct ui_folder	*uf = u->cur != SIZE_MAX ?
	    &u->folders[u->cur] : NULL;
	size_t			 i, deleted = 0, n;
	bool			 any = false;

	ui_cat(b, "-- facteur: ");
	if (uf == NULL)
		ui_cat(b, "no folder");
	else if (u->cfg != NULL && uf->acct < u->cfg->naccounts &&
	    u->cfg->naccounts == 1)
		ui_cat(b, "%s/%s", u->cfg->accounts[uf->acct].name,
		    uf->name);
	else
		ui_cat(b, "%s", uf->label);
	if (u->read_only)
		ui_cat(b, " (read-only)");
	if (u->mode == UI_MODE_PAGER && u->pager_open) {
		size_t	pct = u->pager.nrows == 0 ? 100 :
		    (u->pager.top + (size_t)ui_main_height()) * 100 /
		    u->pager.nrows;

		ui_cat(b, " -- message %zu/%zu -- (%zu%%)",
		    u->sel + 1, u->view.n, pct > 100 ? 100 : pct);
	} else if (u->mode == UI_MODE_COMPOSE) {
		ui_cat(b, " -- compose: y send, a attach, e edit, t c b s To "
		    "Cc Bcc Subject, P postpone, q abort");
	} else if (u->mode == UI_MODE_ATTACH) {
		ui_cat(b, " -- attachments: Enter open, s save, "
		    "| pipe, q back");
	} else if (u->f != NULL) {
		n = store_folder_count(u->f);
		for (i = 0; i < n; i++)
			if (store_folder_msg(u->f, i)->flags & STORE_TRASHED)
				deleted++;
		ui_cat(b, " [%zu messages, %zu unread", n,
		    store_folder_unread(u->f));
		if (u->ntagged > 0)
			ui_cat(b, ", %zu tagged", u->ntagged);
		if (deleted > 0)
			ui_cat(b, ", %zu deleted", deleted);
		ui_cat(b, "]");
		if (u->limit != NULL)
			ui_cat(b, " (limit: %s, %zu shown)", u->limit,
			    u->view.n);
		ui_cat(b, " (%s)", store_sort_name(u->sort));
	}
	if (u->tag_prefix)
		ui_cat(b, " -- tag-");
	for (i = 0; u->cfg != NULL && i < u->cfg->naccounts; i++) {
		if (u->as[i].activity[0] == '\0')
			continue;
		ui_cat(b, "%s %s: %s", any ? "," : " --",
		    u->cfg->accounts[i].name, u->as[i].activity);
		any = true;
	}
	ui_cat(b, " --");
}

void
ui_draw_screen(struct ui *u)
{
	struct buf	b;
	int		y = ui_main_height();

	switch (u->mode) {
	case UI_MODE_HELP:
		draw_help(u);
		break;
	case UI_MODE_PAGER:
		draw_sidebar(u);
		draw_pager(u);
		break;
	case UI_MODE_ATTACH:
		draw_sidebar(u);
		draw_attach(u);
		break;
	case UI_MODE_COMPOSE:
		ui_compose_draw(u);
		break;
	default:
		draw_sidebar(u);
		draw_index(u);
		break;
	}
	buf_init(&b, 8192);
	status_line(u, &b);
	ui_draw(y, 0, COLS, buf_str(&b), b.len, ui_attr(CFG_COLOR_STATUS));
	buf_free(&b);
	if (u->msg[0] != '\0')
		ui_draw(y + 1, 0, COLS, u->msg, strlen(u->msg), u->msg_error ?
		    ui_attr(CFG_COLOR_ERROR) : A_NORMAL);
}
