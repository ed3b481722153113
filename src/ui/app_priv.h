/*
 * app_priv.h: the interface's state and the functions its files share
 * (app.c: start, loop, folders, engine events; draw.c: the screens;
 * actions.c: what keys do; prompt.c: the line editor; attach.c: the
 * attachment menu and external programs).
 */
#ifndef FACTEUR_APP_PRIV_H
#define FACTEUR_APP_PRIV_H

#include "term_priv.h"

/* A folder of the folder list. */
struct ui_folder {
	size_t	 acct;		/* index in cfg->accounts; SIZE_MAX: the
				 * maildir read without a configuration */
	char	*name;		/* "INBOX", "Archives/2024", owned */
	char	*label;		/* "perso/INBOX" when several accounts */
	char	*path;		/* owned */
	size_t	 total, unread;
};

enum ui_mode {
	UI_MODE_INDEX,
	UI_MODE_PAGER,
	UI_MODE_HELP,
	UI_MODE_ATTACH,
	UI_MODE_COMPOSE
};

/* A message being written (compose.c). */
struct ui_compose {
	struct mime_draft	 d;
	char			*path;		/* the editor's file, owned */
	size_t			 acct;		/* the account it goes from */
	uint32_t		 reply_id;	/* the original, or UINT32_MAX */
	bool			 forward;
	char			*resumed_path;	/* taken from Drafts, owned */
	uint32_t		 resumed_id;
	enum ui_mode		 from_mode;
	size_t			 att_sel;
};

struct ui_acct_state {
	char	activity[256];	/* "syncing INBOX 120/500", "" */
	bool	failed;		/* the last sync had an error */
};

struct ui {
	struct config		*cfg;		/* owned, NULL: none */
	struct ui_keymap	 km;
	struct engine		*eng;		/* owned */
	char			*cache_dir;	/* owned, or NULL */
	const char		*fallback;	/* cfg's, or NULL */
	bool			 read_only;
	char			*ro_path;	/* the maildir read without a
						 * configuration, owned */

	struct ui_folder	*folders;	/* owned, sorted by account */
	size_t			 nfolders;
	size_t			 cur;		/* open folder, SIZE_MAX: none */
	size_t			 sb_sel;	/* sidebar highlight */
	bool			 sidebar;

	struct store_folder	*f;		/* the open folder */
	struct store_view	 view;
	bool			*keep;		/* limit, per message */
	char			*limit;		/* its pattern, owned */
	enum store_sort		 sort;
	bool			*tagged;	/* per message index */
	size_t			 ntagged;
	size_t			 sel, top;	/* index rows */
	char			*search;	/* last pattern, owned */
	bool			 tag_prefix;

	enum ui_mode		 mode, help_from;
	struct ui_pager		 pager;
	bool			 pager_open;
	bool			 pager_all_headers;
	/* The message shown is headers only; its rest was asked for. */
	bool			 pager_partial;
	char			 pager_name[512];	/* its file name */
	size_t			 att_sel, att_top, help_top;

	struct ui_compose	 comp;
	bool			 comp_resume;
	struct ui_acct_state	*as;		/* per account */
	/* Local changes wait this long for more before the engine is
	 * asked to carry them to the server (time_mono_ms(); 0: none). */
	int64_t			 push_at;
	size_t			 push_acct;
	char			 msg[1024];	/* the message line */
	bool			 msg_error;
	bool			 quit;
	bool			 dirty;		/* redraw everything */
	/* Drawn over the screen while a prompt waits (prompt.c). */
	void			(*overlay)(struct ui *u, void *arg);
	void			*overlay_arg;
};

/* app.c */
void	ui_message(struct ui *u, bool error, const char *fmt, ...)
	    FCT_PRINTF(3, 4);
/* Wait for a key (engine events handled meanwhile): its name in out;
 * false when the program must end (a signal). */
bool	ui_get_key(struct ui *u, char *out, size_t size, uint32_t *cp,
	    bool *is_code);
void	ui_open_folder(struct ui *u, size_t i);
/* The open folder changed here: sync its account soon. */
void	ui_changed(struct ui *u);
/* Leave the open folder: deleted messages go to Trash or are removed. */
void	ui_leave_folder(struct ui *u);
void	ui_reload_folder(struct ui *u);
/* Messages left the open folder here: tags dropped, the limit searched
 * again, the view rebuilt. */
void	ui_indexes_moved(struct ui *u);
void	ui_count_folder(struct ui_folder *uf);
void	ui_list_folders(struct ui *u);
size_t	ui_find_folder(const struct ui *u, const char *text, size_t acct);
const struct cfg_account *ui_account(const struct ui *u);
/* The message of the selected row (its index in the folder), or
 * SIZE_MAX. */
size_t	ui_current_msg(const struct ui *u);
void	ui_rebuild_view(struct ui *u, uint32_t keep_id);

/* draw.c */
void	ui_draw_screen(struct ui *u);
int	ui_main_height(void);
int	ui_main_x(const struct ui *u);

/* actions.c */
/* Show the pager's message again (its file changed). */
void	ui_reopen_message(struct ui *u);
void	ui_index_action(struct ui *u, const char *action);
void	ui_pager_action(struct ui *u, const char *action);
void	ui_help_key(struct ui *u, const char *key);
void	ui_scroll_to_sel(struct ui *u);

/* prompt.c: a line of input at the bottom. NULL when cancelled;
 * owned. complete (may be NULL) lists candidates for Tab. */
typedef void ui_complete_fn(struct ui *u, const char *prefix,
	    char ***out, size_t *n);
char	*ui_prompt(struct ui *u, const char *question, const char *initial,
	    ui_complete_fn *complete);
/* One key for a question; 0 when cancelled. */
uint32_t ui_prompt_key(struct ui *u, const char *question);
void	ui_complete_folders(struct ui *u, const char *prefix, char ***out,
	    size_t *n);
void	ui_complete_files(struct ui *u, const char *prefix, char ***out,
	    size_t *n);

/* compose.c */
void	ui_compose_start(struct ui *u, const char *action);
void	ui_compose_action(struct ui *u, const char *action);
void	ui_compose_draw(struct ui *u);
void	ui_compose_end(struct ui *u);
void	ui_complete_addresses(struct ui *u, const char *prefix, char ***out,
	    size_t *n);

/* book.c: the address book: the alias file's entries ("ALIAS<TAB>Name
 * <addr>") and the senders of the open folder ("Name <addr>"), each
 * once; an owned array of owned strings. */
void	ui_address_book(struct ui *u, char ***out, size_t *n);
/* Whether the open folder is its account's Drafts. */
bool	ui_in_drafts(const struct ui *u);
/* Whether len bytes are more than the account's server took last time
 * it was asked (SIZE). */
bool	ui_check_size(const struct ui *u, size_t acct, size_t len);

/* attach.c */
void	ui_attach_key(struct ui *u, const char *action, const char *key);
void	ui_pipe_message(struct ui *u, size_t mi);
/* Write a file whole (0600): created exclusively with excl, else
 * truncated or created. 0, or -1 with errno. */
int	ui_write_file(const char *path, const char *data, size_t len,
	    bool excl);
/* Run a shell command with the terminal handed over; data (may be
 * NULL) on its standard input. The exit status, or -1. */
int	ui_run_shell(struct ui *u, const char *cmd, const char *data,
	    size_t len, bool wait_key);

#endif /* FACTEUR_APP_PRIV_H */
