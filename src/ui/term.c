/*
 * term.c: the terminal: curses started and always restored (normal exit,
 * fatal errors, SIGTERM and SIGHUP), colours from [color] or built-in
 * (attributes alone when the terminal has no colour), and drawing of
 * text already fitted by ui_fit().
 */
#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term_priv.h"

static bool	term_active;
static bool	term_colors;
static attr_t	obj_attr[CFG_COLOR_COUNT];
static volatile sig_atomic_t term_signal;

/* Built-in looks: foreground, background, attributes with colour, and
 * the attributes without. */
static const struct {
	short	fg, bg;
	int	attrs, mono;
} builtin[CFG_COLOR_COUNT] = {
	[CFG_COLOR_NORMAL] = { -1, -1, 0, 0 },
	[CFG_COLOR_INDICATOR] = { COLOR_BLACK, COLOR_CYAN, 0,
	    CFG_ATTR_REVERSE },
	[CFG_COLOR_STATUS] = { COLOR_WHITE, COLOR_BLUE, CFG_ATTR_BOLD,
	    CFG_ATTR_REVERSE },
	[CFG_COLOR_ERROR] = { COLOR_RED, -1, CFG_ATTR_BOLD, CFG_ATTR_BOLD },
	[CFG_COLOR_NEW] = { -1, -1, CFG_ATTR_BOLD, CFG_ATTR_BOLD },
	[CFG_COLOR_FLAGGED] = { COLOR_RED, -1, 0, CFG_ATTR_UNDERLINE },
	[CFG_COLOR_DELETED] = { COLOR_YELLOW, -1, CFG_ATTR_DIM, CFG_ATTR_DIM },
	[CFG_COLOR_TAGGED] = { COLOR_MAGENTA, -1, CFG_ATTR_BOLD,
	    CFG_ATTR_BOLD },
	[CFG_COLOR_TREE] = { COLOR_MAGENTA, -1, 0, 0 },
	[CFG_COLOR_HEADER] = { COLOR_GREEN, -1, 0, CFG_ATTR_BOLD },
	[CFG_COLOR_QUOTED] = { COLOR_BLUE, -1, 0, 0 },
	[CFG_COLOR_QUOTED2] = { COLOR_CYAN, -1, 0, 0 },
	[CFG_COLOR_SIGNATURE] = { -1, -1, CFG_ATTR_DIM, CFG_ATTR_DIM },
	[CFG_COLOR_ATTACHMENT] = { COLOR_YELLOW, -1, 0, CFG_ATTR_BOLD },
	[CFG_COLOR_URL] = { COLOR_BLUE, -1, CFG_ATTR_UNDERLINE,
	    CFG_ATTR_UNDERLINE },
	[CFG_COLOR_SEARCH] = { COLOR_BLACK, COLOR_YELLOW, 0,
	    CFG_ATTR_REVERSE },
	[CFG_COLOR_SIDEBAR] = { -1, -1, 0, 0 },
	[CFG_COLOR_SIDEBAR_NEW] = { -1, -1, CFG_ATTR_BOLD, CFG_ATTR_BOLD },
};

static attr_t
attrs_of(int a)
{
	attr_t	r = A_NORMAL;

	if (a & CFG_ATTR_BOLD)
		r |= A_BOLD;
	if (a & CFG_ATTR_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & CFG_ATTR_REVERSE)
		r |= A_REVERSE;
	if (a & CFG_ATTR_DIM)
		r |= A_DIM;
	return r;
}

static void
on_term_signal(int sig)
{
	term_signal = sig;
}

int
ui_term_signal(void)
{
	return (int)term_signal;
}

void
ui_term_stop(void)
{
	if (!term_active)
		return;
	term_active = false;
	(void)endwin();
}

static void
atexit_stop(void)
{
	ui_term_stop();
}

int
ui_term_start(const struct config *cfg, char *err, size_t errlen)
{
	struct sigaction	sa;
	SCREEN			*s;
	size_t			 i;

	s = newterm(NULL, stdout, stdin);
	if (s == NULL) {
		(void)fct_snprintf(err, errlen, "cannot start the terminal "
		    "(TERM=%s)", getenv("TERM") != NULL ? getenv("TERM") :
		    "unset");
		return -1;
	}
	term_active = true;
	fatal_set_cleanup(atexit_stop);
	(void)atexit(atexit_stop);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term_signal;
	(void)sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	/* ^C is not a way out that skips the clean-up: it cancels. */
	(void)signal(SIGINT, SIG_IGN);
	(void)cbreak();
	(void)noecho();
	(void)nonl();
	(void)keypad(stdscr, TRUE);
	(void)set_escdelay(25);
	(void)curs_set(0);
	term_colors = has_colors() && getenv("NO_COLOR") == NULL;
	if (term_colors) {
		(void)start_color();
		(void)use_default_colors();
	}
	for (i = 0; i < CFG_COLOR_COUNT; i++) {
		const struct cfg_color	*c = cfg != NULL ? &cfg->colors[i] :
		    NULL;
		short			 fg = builtin[i].fg, bg = builtin[i].bg;
		int			 a = term_colors ? builtin[i].attrs :
		    builtin[i].mono;

		if (c != NULL && c->set) {
			fg = c->fg;
			bg = c->bg;
			a = c->attrs;
		}
		obj_attr[i] = attrs_of(a);
		if (term_colors && (fg >= 0 || bg >= 0) && fg < COLORS &&
		    bg < COLORS && (int)i + 1 < COLOR_PAIRS) {
			(void)init_pair((short)(i + 1), fg, bg);
			obj_attr[i] |= COLOR_PAIR((int)i + 1);
		}
	}
	return 0;
}

attr_t
ui_attr(enum cfg_color_obj o)
{
	return (size_t)o < CFG_COLOR_COUNT ? obj_attr[o] : A_NORMAL;
}

void
ui_draw(int y, int x, int width, const char *s, size_t n, attr_t attr)
{
	struct buf	b;

	if (width <= 0 || y < 0 || y >= LINES)
		return;
	buf_init(&b, (size_t)width * 8 + 16);
	(void)ui_fit(s, n, width, true, &b);
	(void)attrset(attr);
	(void)mvaddnstr(y, x, buf_str(&b), (int)b.len);
	(void)attrset(A_NORMAL);
	buf_free(&b);
}

int
ui_draw_part(int y, int x, int width, const char *s, size_t n, attr_t attr)
{
	struct buf	b;
	int		used;

	if (width <= 0 || y < 0 || y >= LINES)
		return 0;
	buf_init(&b, (size_t)width * 8 + 16);
	used = ui_fit(s, n, width, false, &b);
	(void)attrset(attr);
	(void)mvaddnstr(y, x, buf_str(&b), (int)b.len);
	(void)attrset(A_NORMAL);
	buf_free(&b);
	return used;
}

void
ui_term_suspend(void)
{
	if (term_active)
		(void)endwin();
}

void
ui_term_resume(void)
{
	if (term_active) {
		(void)reset_prog_mode();
		(void)clearok(stdscr, TRUE);
		(void)refresh();
	}
}
