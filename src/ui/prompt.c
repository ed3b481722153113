/*
 * prompt.c: a line of input on the last row (search patterns, folder
 * names, file names, commands): Left/Right, Home/End (^A ^E), Backspace,
 * ^U to clear, ^W to delete a word, Tab to complete, Enter to accept,
 * Esc or ^G to cancel. The screen behind it keeps updating.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_priv.h"

#define PROMPT_MAX	4096

struct line {
	const char	*question;
	struct buf	 text;
	size_t		 cursor;	/* byte offset */
};

static void
draw_line(struct ui *u, void *arg)
{
	struct line	*l = arg;
	int		 y = LINES - 1, qw, cw, start = 0;

	(void)u;
	qw = ui_width(l->question, strlen(l->question));
	ui_draw(y, 0, COLS, l->question, strlen(l->question), A_BOLD);
	if (qw >= COLS)
		return;
	cw = ui_width(buf_str(&l->text), l->cursor);
	/* Keep the cursor on screen: show the end of a long line. */
	if (cw >= COLS - qw - 1) {
		size_t	off = 0;
		uint32_t cp;

		while (off < l->cursor && ui_width(buf_str(&l->text) + off,
		    l->cursor - off) >= COLS - qw - 1)
			off += ui_utf8_next(buf_str(&l->text) + off,
			    l->text.len - off, &cp);
		start = (int)off;
		cw = ui_width(buf_str(&l->text) + off, l->cursor - off);
	}
	ui_draw(y, qw, COLS - qw, buf_str(&l->text) + start,
	    l->text.len - (size_t)start, A_NORMAL);
	(void)move(y, qw + cw);
	(void)curs_set(1);
}

static void
insert(struct line *l, const char *s, size_t n)
{
	size_t	tail = l->text.len - l->cursor;
	char	*p;

	if (l->text.len + n >= PROMPT_MAX)
		return;
	p = buf_reserve(&l->text, n);
	if (p == NULL)
		return;
	memmove(l->text.data + l->cursor + n, l->text.data + l->cursor, tail);
	memcpy(l->text.data + l->cursor, s, n);
	buf_commit(&l->text, n);
	l->cursor += n;
}

static void
erase_range(struct line *l, size_t from, size_t to)
{
	memmove(l->text.data + from, l->text.data + to, l->text.len - to);
	l->text.len -= to - from;
	l->cursor = from;
}

static size_t
prev_char(const struct line *l, size_t at)
{
	while (at > 0) {
		at--;
		if (((unsigned char)l->text.data[at] & 0xc0) != 0x80)
			break;
	}
	return at;
}

/* The longest common prefix of the candidates. */
static size_t
common_prefix(char **v, size_t n)
{
	size_t	len, i, k;

	if (n == 0)
		return 0;
	len = strlen(v[0]);
	for (i = 1; i < n; i++) {
		for (k = 0; k < len && v[i][k] == v[0][k]; k++)
			;
		len = k;
	}
	return len;
}

static void
complete(struct ui *u, struct line *l, ui_complete_fn *fn)
{
	char	**v = NULL, *prefix;
	size_t	  n = 0, i, cp;
	struct buf list;

	prefix = xstrndup(buf_str(&l->text), l->cursor);
	fn(u, prefix, &v, &n);
	if (n == 0) {
		ui_message(u, false, "No completion.");
	} else {
		cp = common_prefix(v, n);
		if (cp > l->cursor)
			insert(l, v[0] + l->cursor, cp - l->cursor);
		if (n > 1) {
			buf_init(&list, sizeof(u->msg));
			for (i = 0; i < n; i++)
				ui_cat(&list, "%s%s", i ? "  " : "",
				    v[i]);
			ui_message(u, false, "%s", buf_str(&list));
			buf_free(&list);
		}
	}
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	free(prefix);
}

char *
ui_prompt(struct ui *u, const char *question, const char *initial,
    ui_complete_fn *fn)
{
	struct line	 l;
	char		 key[32], *res = NULL;
	uint32_t	 cp;
	bool		 code;
	char		 saved[sizeof(u->msg)];

	memcpy(saved, u->msg, sizeof(saved));
	u->msg[0] = '\0';
	l.question = question;
	buf_init(&l.text, PROMPT_MAX);
	ui_cat(&l.text, "%s", initial);
	l.cursor = l.text.len;
	u->overlay = draw_line;
	u->overlay_arg = &l;
	while (ui_get_key(u, key, sizeof(key), &cp, &code)) {
		if (strcmp(key, "<Enter>") == 0) {
			res = xstrndup(buf_str(&l.text), l.text.len);
			break;
		}
		if (strcmp(key, "<Esc>") == 0 || strcmp(key, "^G") == 0)
			break;
		u->msg[0] = '\0';
		if (strcmp(key, "<Backspace>") == 0 || strcmp(key, "^H") == 0) {
			if (l.cursor > 0)
				erase_range(&l, prev_char(&l, l.cursor),
				    l.cursor);
			else if (l.text.len == 0)
				break;	/* backspace on nothing: cancel */
		} else if (strcmp(key, "<Delete>") == 0 ||
		    strcmp(key, "^D") == 0) {
			if (l.cursor < l.text.len) {
				size_t	e = l.cursor;

				e += ui_utf8_next(l.text.data + e,
				    l.text.len - e, &cp);
				erase_range(&l, l.cursor, e);
			}
		} else if (strcmp(key, "<Left>") == 0 || strcmp(key, "^B") == 0)
			l.cursor = prev_char(&l, l.cursor);
		else if (strcmp(key, "<Right>") == 0 ||
		    strcmp(key, "^F") == 0) {
			if (l.cursor < l.text.len)
				l.cursor += ui_utf8_next(l.text.data +
				    l.cursor, l.text.len - l.cursor, &cp);
		} else if (strcmp(key, "<Home>") == 0 || strcmp(key, "^A") == 0)
			l.cursor = 0;
		else if (strcmp(key, "<End>") == 0 || strcmp(key, "^E") == 0)
			l.cursor = l.text.len;
		else if (strcmp(key, "^U") == 0)
			erase_range(&l, 0, l.cursor);
		else if (strcmp(key, "^K") == 0)
			l.text.len = l.cursor;
		else if (strcmp(key, "^W") == 0) {
			size_t	s = l.cursor;

			while (s > 0 && l.text.data[s - 1] == ' ')
				s--;
			while (s > 0 && l.text.data[s - 1] != ' ' &&
			    l.text.data[s - 1] != '/')
				s--;
			erase_range(&l, s, l.cursor);
		} else if (strcmp(key, "<Tab>") == 0) {
			if (fn != NULL)
				complete(u, &l, fn);
		} else if (strcmp(key, "<Space>") == 0)
			insert(&l, " ", 1);
		else if (!code && cp >= 0x20 && !ui_cp_unsafe(cp))
			insert(&l, key, strlen(key));
	}
	u->overlay = NULL;
	u->overlay_arg = NULL;
	(void)curs_set(0);
	buf_free(&l.text);
	if (res == NULL || u->msg[0] == '\0')
		memcpy(u->msg, saved, sizeof(saved));
	if (res != NULL)
		u->msg[0] = '\0';
	return res;
}

struct keyq {
	const char	*question;
};

static void
draw_question(struct ui *u, void *arg)
{
	struct keyq	*q = arg;

	(void)u;
	ui_draw(LINES - 1, 0, COLS, q->question, strlen(q->question), A_BOLD);
}

uint32_t
ui_prompt_key(struct ui *u, const char *question)
{
	struct keyq	q = { question };
	char		key[32];
	uint32_t	cp = 0;
	bool		code;

	u->overlay = draw_question;
	u->overlay_arg = &q;
	if (!ui_get_key(u, key, sizeof(key), &cp, &code) || code ||
	    strcmp(key, "<Esc>") == 0 || strcmp(key, "^G") == 0)
		cp = 0;
	u->overlay = NULL;
	u->overlay_arg = NULL;
	return cp;
}

static void
add_candidate(char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

void
ui_complete_folders(struct ui *u, const char *prefix, char ***out, size_t *n)
{
	size_t	i, pl = strlen(prefix);
	size_t	acct = u->cur != SIZE_MAX ? u->folders[u->cur].acct : SIZE_MAX;

	*out = NULL;
	*n = 0;
	/* This account's folders by name, every folder by label. */
	for (i = 0; i < u->nfolders; i++)
		if (u->folders[i].acct == acct &&
		    strncmp(u->folders[i].name, prefix, pl) == 0)
			add_candidate(out, n, u->folders[i].name);
	if (*n > 0)
		return;
	for (i = 0; i < u->nfolders; i++)
		if (strncmp(u->folders[i].label, prefix, pl) == 0)
			add_candidate(out, n, u->folders[i].label);
}

void
ui_complete_files(struct ui *u, const char *prefix, char ***out, size_t *n)
{
	const char	*slash = strrchr(prefix, '/'), *base;
	char		*dir, *full;
	DIR		*d;
	struct dirent	*de;
	size_t		 bl;

	(void)u;
	*out = NULL;
	*n = 0;
	if (slash != NULL) {
		dir = xstrndup(prefix, (size_t)(slash - prefix) + 1);
		base = slash + 1;
	} else {
		dir = xstrdup("");
		base = prefix;
	}
	bl = strlen(base);
	d = opendir(dir[0] != '\0' ? dir : ".");
	if (d == NULL) {
		free(dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strncmp(de->d_name, base, bl) != 0 ||
		    (de->d_name[0] == '.' && bl == 0))
			continue;
		full = xasprintf("%s%s%s", dir, de->d_name,
		    de->d_type == DT_DIR ? "/" : "");
		add_candidate(out, n, full);
		free(full);
	}
	(void)closedir(d);
	free(dir);
}
