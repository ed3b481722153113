/*
 * ui_priv.h: what the parts of the interface (src/ui/) share. The pure
 * parts (text fitting, index lines, pager lines, key names, keymaps) take
 * no terminal and are unit-tested; term.c owns curses.
 *
 * Ownership: struct ui owns everything it points to; pager and keymap
 * structures own their arrays and are freed by their *_free function.
 */
#ifndef FACTEUR_UI_PRIV_H
#define FACTEUR_UI_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "engine.h"
#include "mime.h"
#include "store.h"
#include "ui.h"

/* ------------------------------------------------------------------ */
/* text.c: UTF-8 to terminal columns (no curses)                       */

/*
 * Append s (n bytes of UTF-8) to out fitted to exactly width columns:
 * cut where the next character would not fit, padded with spaces when
 * pad. Invalid bytes and control or unprintable characters become "?"
 * (escape sequences from mail never reach the terminal); combining
 * characters stay on their base. Returns the columns used before
 * padding.
 */
int	ui_fit(const char *s, size_t n, int width, bool pad, struct buf *out);
/* The display width of n bytes of UTF-8 as ui_fit() draws them. */
int	ui_width(const char *s, size_t n);
/* Decode one UTF-8 character at s (n > 0): its length (1 for an
 * invalid byte, *cp = 0xfffd). */
size_t	ui_utf8_next(const char *s, size_t n, uint32_t *cp);
/* Columns of one code point as drawn (0 combining, 2 wide, "?" for
 * the unprintable: 1). */
int	ui_cp_width(uint32_t cp);
/* Whether a code point is drawn as "?". */
bool	ui_cp_unsafe(uint32_t cp);
/* Append to display text; what does not fit is dropped. */
void	ui_cat(struct buf *b, const char *fmt, ...) FCT_PRINTF(2, 3);
/* "1.2K", "34K", "2.1M", "512" in at most 5 columns. */
void	ui_human_size(uint64_t n, char *out, size_t size);
/* The index's date column: "14:05" today, "Mar 01" this year, else
 * "2023-03-01"; now is the current time. */
void	ui_short_date(int64_t t, int64_t now, char *out, size_t size);

/* ------------------------------------------------------------------ */
/* keys.c: key names and keymaps (no curses)                           */

enum ui_menu {
	UI_MENU_INDEX = CFG_MENU_INDEX,
	UI_MENU_PAGER = CFG_MENU_PAGER,
	UI_MENU_COMPOSE = CFG_MENU_COMPOSE
};

struct ui_binding {
	char		*key;		/* canonical name, owned */
	const char	*action;	/* static, from cfg_actions() */
};

struct ui_keymap {
	struct ui_binding	*v[CFG_MENU_COUNT];
	size_t			 n[CFG_MENU_COUNT];
};

/* The default bindings, then the configuration's (a later binding of a
 * key replaces an earlier one; "noop" removes it). */
void	ui_keymap_init(struct ui_keymap *km, const struct config *cfg);
void	ui_keymap_free(struct ui_keymap *km);
/* The action of a key in a menu, or NULL. */
const char *ui_keymap_action(const struct ui_keymap *km, enum ui_menu m,
	    const char *key);
/* The keys bound to action in menu m, ", "-separated, into out. */
void	ui_keymap_keys(const struct ui_keymap *km, enum ui_menu m,
	    const char *action, char *out, size_t size);

/* The canonical name of a key as get_wch() returns it: is_code for a
 * KEY_* code. Returns false for keys with no name. */
bool	ui_key_name(int is_code, uint32_t key, char *out, size_t size);

/* ------------------------------------------------------------------ */
/* index.c: the message list                                           */

struct ui_index_row {
	const struct store_msg	*m;
	size_t			 number;	/* 1-based position */
	const char		*tree;		/* thread drawing, or "" */
	bool			 hide_subject;	/* same as its parent's */
	bool			 tagged;
};

/* One line of the index, fitted to width columns, into out. */
void	ui_index_line(const struct ui_index_row *r, int64_t now, int width,
	    struct buf *out);
/* The flag column: N unread, D deleted, ! flagged, r replied, f
 * forwarded, * tagged. */
void	ui_flag_column(const struct store_msg *m, bool tagged, char out[5]);

/* ------------------------------------------------------------------ */
/* pager.c: a message as lines                                         */

enum ui_line_kind {
	UI_LINE_HEADER,
	UI_LINE_BODY,
	UI_LINE_QUOTE1,
	UI_LINE_QUOTE2,
	UI_LINE_SIGNATURE,
	UI_LINE_ATTACH,
	UI_LINE_SEP
};

struct ui_pline {
	size_t			off, len;	/* into the text */
	uint8_t			kind;		/* enum ui_line_kind */
	uint16_t		name_len;	/* header: "Subject:" bytes */
};

struct ui_attachment {
	const struct mime_part	*part;
	char			*label;		/* "[1.2] image/png, 3 KiB,
						 * photo.png", owned */
	uint64_t		 size;		/* decoded bytes */
};

struct ui_pager {
	char			*data;		/* the file, owned */
	size_t			 len;
	struct mime_msg		*msg;		/* owned */
	struct buf		 text;		/* every logical line */
	struct ui_pline		*lines;		/* logical lines, owned */
	size_t			 nlines;
	struct ui_pline		*rows;		/* wrapped to width, owned */
	size_t			 nrows;
	int			 width;		/* rows are for this */
	struct ui_attachment	*att;		/* every leaf, owned */
	size_t			 natt;
	size_t			 top;		/* first row shown */
	bool			 all_headers;
	uint32_t		 msg_id;	/* the store's id */
};

/*
 * Build the pager's lines for a message file's bytes (taken: the pager
 * owns data from here): the main headers (all of them with
 * all_headers), the text parts (HTML through html_command when not
 * NULL), the attachments; then wrap to width.
 */
void	ui_pager_load(struct ui_pager *p, char *data, size_t len,
	    bool all_headers, const char *fallback, const char *html_command,
	    int width);
void	ui_pager_wrap(struct ui_pager *p, int width);
void	ui_pager_free(struct ui_pager *p);
/* The row's bytes. */
const char *ui_pager_row(const struct ui_pager *p, size_t r, size_t *len,
	    enum ui_line_kind *kind, size_t *name_len);
/* Quote depth of a body line ("> > x" is 2). */
int	ui_quote_depth(const char *s, size_t n);
/* The next row at or after from (before it when backwards) whose text
 * holds needle (case-insensitive); SIZE_MAX when none. */
size_t	ui_pager_find(const struct ui_pager *p, const char *needle,
	    size_t from, bool backwards);
/* Where URLs are in a row: *start and *len of the first at or after
 * from; false when none. */
bool	ui_find_url(const char *s, size_t n, size_t from, size_t *start,
	    size_t *len);

/* ------------------------------------------------------------------ */
/* compose.c, book.c: the files a user writes                          */

/* A draft as the editor sees it: From, To, Cc, Bcc, Subject, an empty
 * line, the text. */
void	ui_draft_text(const struct mime_draft *d, struct buf *out);
/* The edited file back into the draft: the header lines it knows (any
 * case; continuation lines joined), up to the first empty line or line
 * that is not a header; the rest is the text. */
void	ui_draft_from_text(struct mime_draft *d, const char *s, size_t len);
/* An alias file ("alias NICK Name <addr>" lines, mutt's format; other
 * lines ignored): entries "NICK<TAB>Name <addr>" added to *v (owned
 * strings, each once). */
void	ui_aliases_parse(const char *text, size_t len, char ***v, size_t *n);

/* ------------------------------------------------------------------ */
/* mailcap.c: opening an attachment                                    */

struct ui_mailcap {
	char	*command;	/* owned; %s is the file, %t the type */
	bool	 needsterminal;
	bool	 copiousoutput;
};

/* The first entry for type in the mailcap files ($MAILCAPS, else
 * ~/.mailcap, /etc/mailcap): 0, or -1 when none matches. */
int	ui_mailcap_find(const char *type, struct ui_mailcap *out);
/* Parse one mailcap text (tests): the entry for type, as above. */
int	ui_mailcap_parse(const char *text, size_t len, const char *type,
	    struct ui_mailcap *out);
void	ui_mailcap_free(struct ui_mailcap *mc);
/* The command with %s (shell-quoted path) and %t substituted; owned. */
char	*ui_mailcap_command(const char *command, const char *path,
	    const char *type);

#endif /* FACTEUR_UI_PRIV_H */
