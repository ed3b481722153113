/*
 * term_priv.h: the curses side of the interface, for the files of ui/
 * that draw. Only ui/ includes <curses.h> (STYLE.md).
 */
#ifndef FACTEUR_TERM_PRIV_H
#define FACTEUR_TERM_PRIV_H

#include <curses.h>

#include "ui_priv.h"

/* Start curses with the configuration's colours (cfg may be NULL); -1
 * with err when the terminal cannot be used. The terminal is restored
 * by ui_term_stop(), at exit and by fatal(). */
int	ui_term_start(const struct config *cfg, char *err, size_t errlen);
void	ui_term_stop(void);
/* Give the terminal to another program (editor, pager) and take it
 * back. */
void	ui_term_suspend(void);
void	ui_term_resume(void);
/* The signal that asked us to end (SIGTERM, SIGHUP), or 0. */
int	ui_term_signal(void);
/* The attributes of an object of [color]. */
attr_t	ui_attr(enum cfg_color_obj o);
/* Draw n bytes of UTF-8 at y, x in exactly width columns. */
void	ui_draw(int y, int x, int width, const char *s, size_t n, attr_t attr);
/* The same without padding; the columns used. */
int	ui_draw_part(int y, int x, int width, const char *s, size_t n,
	    attr_t attr);

#endif /* FACTEUR_TERM_PRIV_H */
