/*
 * config.h: the configuration file, parsed into plain structs.
 *
 * The format is described in facteur.conf(5): INI-like sections
 * ([general], [account NAME], [bind MENU], [color]), "key = value" lines,
 * "#" comments. Every error found is reported, not just the first, each as
 * "FILE:LINE: message"; a configuration with errors is not returned.
 *
 * Default rule: arguments are borrowed for the duration of the call;
 * results are owned by the caller. Every string field of the structs below
 * is owned by the struct config and freed by cfg_free(); secrets are
 * overwritten before they are freed.
 */
#ifndef FACTEUR_CONFIG_H
#define FACTEUR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* ------------------------------------------------------------------ */
/* Diagnostics                                                         */

/* Messages are kept in line order (file-level ones, line 0, first). */
struct cfg_diag {
	char	**errors;	/* owned; "FILE:LINE: message" */
	int	 *error_lines;	/* owned; the LINE of each */
	size_t	  nerrors;
	char	**warnings;	/* owned; "FILE:LINE: warning: message" */
	int	 *warning_lines;
	size_t	  nwarnings;
};

void	cfg_diag_free(struct cfg_diag *d);

/* ------------------------------------------------------------------ */
/* Values                                                              */

enum cfg_scheme {
	CFG_SCHEME_NONE = 0,
	CFG_SCHEME_IMAPS,	/* implicit TLS, 993 */
	CFG_SCHEME_IMAP,	/* STARTTLS required, 143 */
	CFG_SCHEME_POP3S,	/* implicit TLS, 995 */
	CFG_SCHEME_POP3,	/* STLS required, 110 */
	CFG_SCHEME_MAILDIR,	/* local only */
	CFG_SCHEME_SMTPS,	/* implicit TLS, 465 */
	CFG_SCHEME_SMTP		/* STARTTLS required, 587 */
};

enum cfg_tls {
	CFG_TLS_IMPLICIT,	/* TLS from the first byte */
	CFG_TLS_STARTTLS,	/* plaintext, then STARTTLS, required */
	CFG_TLS_NONE		/* starttls = no: plaintext throughout */
};

struct cfg_server {
	enum cfg_scheme	 scheme;	/* CFG_SCHEME_NONE: not configured */
	char		*user;		/* from the URL, or NULL */
	char		*host;		/* NULL for maildir */
	char		*port;		/* explicit or the scheme's default */
	char		*path;		/* maildir:// only, expanded */
	enum cfg_tls	 tls;
	int		 line;		/* where it was set */
};

enum cfg_sort {
	CFG_SORT_THREADS,
	CFG_SORT_DATE,
	CFG_SORT_DATE_REVERSE,
	CFG_SORT_FROM,
	CFG_SORT_SUBJECT,
	CFG_SORT_SIZE
};

enum cfg_auth {
	CFG_AUTH_AUTO,		/* the best the server offers */
	CFG_AUTH_PLAIN,
	CFG_AUTH_LOGIN,
	CFG_AUTH_XOAUTH2,	/* password-command prints an OAuth token */
	CFG_AUTH_OAUTHBEARER,
	CFG_AUTH_APOP		/* POP3 only: RFC 1939 APOP */
};

/* keep-on-server: seconds after download, or one of these. */
#define CFG_KEEP_FOREVER	(-1)

struct cfg_general {
	char		*editor;	/* NULL: $VISUAL, $EDITOR, vi */
	enum cfg_sort	 sort;
	char		*mail_root;	/* expanded; default ~/Mail */
	char		*html_command;	/* NULL: the built-in renderer */
	char		*fallback_charset; /* raw 8-bit headers; windows-1252 */
	char		*alias_file;	/* expanded, or NULL */
	int64_t		 check_interval; /* seconds between polls */
	bool		 sidebar;
	bool		 format_flowed;
	bool		 forward_attachment;
};

struct cfg_account {
	char		*name;
	int		 line;		/* of the [account NAME] header */
	bool		 is_default;
	char		*address;	/* as written: Name <addr> */
	char		*address_name;	/* display name or NULL */
	char		*address_spec;	/* local@domain */
	char		*real_user;	/* incoming user: URL user, else addr */
	struct cfg_server incoming;
	struct cfg_server outgoing;	/* scheme NONE when not configured */
	char		*password;	/* secret; NULL unless in the file */
	char		*password_command;
	char		*outgoing_password;	/* secret */
	char		*outgoing_password_command;
	char		*tls_ca_file;	/* expanded; NULL: system store */
	bool		 starttls;	/* default yes */
	bool		 allow_plaintext_password;
	enum cfg_auth	 auth;
	int64_t		 keep_on_server; /* seconds, or CFG_KEEP_FOREVER */
	char		*signature_file;
	char		*sent_folder;	/* overrides SPECIAL-USE; NULL: auto */
	char		*drafts_folder;
	char		*trash_folder;
	char		*junk_folder;
	int64_t		 check_interval; /* 0: [general] */
	uint64_t	 max_size;	/* bytes; 0: no limit (see the man
					 * page: applied by IMAP sync) */
	char		*store_path;	/* mail-root/NAME, or the maildir path */
};

/* Menus of the interface that take key bindings. */
enum cfg_menu {
	CFG_MENU_INDEX,
	CFG_MENU_PAGER,
	CFG_MENU_COMPOSE,
	CFG_MENU_COUNT
};

struct cfg_bind {
	enum cfg_menu	 menu;
	char		*key;		/* normalised: "J", "<Enter>", "^R" */
	const char	*action;	/* static: a name of cfg_actions() */
	int		 line;
};

/* Colours of the interface ([color] section). */
enum cfg_color_obj {
	CFG_COLOR_NORMAL,
	CFG_COLOR_INDICATOR,
	CFG_COLOR_STATUS,
	CFG_COLOR_ERROR,
	CFG_COLOR_NEW,
	CFG_COLOR_FLAGGED,
	CFG_COLOR_DELETED,
	CFG_COLOR_TAGGED,
	CFG_COLOR_TREE,
	CFG_COLOR_HEADER,
	CFG_COLOR_QUOTED,
	CFG_COLOR_QUOTED2,
	CFG_COLOR_SIGNATURE,
	CFG_COLOR_ATTACHMENT,
	CFG_COLOR_URL,
	CFG_COLOR_SEARCH,
	CFG_COLOR_SIDEBAR,
	CFG_COLOR_SIDEBAR_NEW,
	CFG_COLOR_COUNT
};

/* -1: the terminal's default; 0-255: a colour number. */
#define CFG_COLOR_DEFAULT	(-1)
#define CFG_ATTR_BOLD		0x1
#define CFG_ATTR_UNDERLINE	0x2
#define CFG_ATTR_REVERSE	0x4
#define CFG_ATTR_DIM		0x8

struct cfg_color {
	short	 fg, bg;
	int	 attrs;		/* CFG_ATTR_* */
	bool	 set;		/* given in the file (else the built-in) */
};

struct config {
	char			*path;	/* the file read, or the given name */
	struct cfg_general	 general;
	struct cfg_account	*accounts;	/* owned array */
	size_t			 naccounts;
	struct cfg_bind		*binds;		/* owned array, file order */
	size_t			 nbinds;
	struct cfg_color	 colors[CFG_COLOR_COUNT];
};

/* ------------------------------------------------------------------ */
/* Loading                                                             */

/*
 * Looks up an environment variable; NULL when unset. cfg_parse() takes one
 * so that tests and fuzzers control $HOME and friends.
 */
typedef const char *cfg_getenv_cb(const char *name, void *arg);

struct cfg_env {
	cfg_getenv_cb	*getenv_cb;	/* NULL: getenv() */
	void		*arg;
};

/*
 * Where the configuration is: path if not NULL, else $FACTEUR_CONFIG, else
 * $XDG_CONFIG_HOME/facteur/config, else ~/.config/facteur/config. Never NULL.
 */
char	*cfg_default_path(const char *path, const struct cfg_env *env);

/*
 * Parse text (len bytes; NUL bytes are errors) named name in messages.
 * Returns NULL when there were errors; all of them are in diag, and so are
 * warnings in both cases. diag must be zeroed before the first call.
 */
struct config *cfg_parse(const char *text, size_t len, const char *name,
	    const struct cfg_env *env, struct cfg_diag *diag);

/*
 * Read and parse the file at path. Also warns when the file holds
 * "password =" and is readable by group or others. A missing file is the
 * error "FILE: cannot read: No such file or directory".
 */
struct config *cfg_load(const char *path, const struct cfg_env *env,
	    struct cfg_diag *diag);

/*
 * The configuration of path, else of the default place
 * (cfg_default_path()). With path NULL and no file at the default place,
 * NULL with *none true: the commands then work without one. Otherwise as
 * cfg_load() (NULL with errors in diag).
 */
struct config *cfg_load_optional(const char *path, bool *none,
	    struct cfg_diag *diag);

void	cfg_free(struct config **cfg);

/* The account called name, or the default one when name is NULL. */
const struct cfg_account *cfg_account(const struct config *cfg,
	    const char *name);

/* ------------------------------------------------------------------ */
/* Secrets                                                             */

/*
 * The password (or OAuth token) for the incoming side, or for the outgoing
 * side when outgoing is true (which falls back to the incoming one). Runs
 * password-command through /bin/sh when there is one: its first line of
 * output is the secret. Returns a string to free with xfree_secret(), or
 * NULL with the reason in err (the command's stderr included on failure).
 * An account with neither password nor password-command gives NULL and an
 * empty err.
 */
char	*cfg_password(const struct cfg_account *acct, bool outgoing,
	    char *err, size_t errlen);

/*
 * Keep secrets out of core dumps: sets the core size limit to 0 (and, on
 * Linux, marks the process non-dumpable). Call once before the first
 * secret is read. Returns -1 if the limit could not be set.
 */
int	cfg_protect_secrets(void);

/* ------------------------------------------------------------------ */
/* Names, for the interface and for config-check                       */

struct cfg_action {
	const char	*name;		/* "next-unread" */
	unsigned	 menus;		/* 1 << enum cfg_menu */
	const char	*help;		/* one line for the help screen */
};

/* The actions keys can be bound to, NULL-terminated by name. */
const struct cfg_action *cfg_actions(void);
const char	*cfg_menu_name(enum cfg_menu m);
const char	*cfg_scheme_name(enum cfg_scheme s);
const char	*cfg_tls_name(enum cfg_tls t);
const char	*cfg_sort_name(enum cfg_sort s);
const char	*cfg_color_obj_name(enum cfg_color_obj o);

/* "14d", "2h", "forever" for a number of seconds (static buffer-free). */
void	cfg_format_duration(int64_t secs, char *out, size_t n);

/* Edit distance with transpositions, for "did you mean" (bounded). */
size_t	cfg_edit_distance(const char *a, const char *b);

#endif /* FACTEUR_CONFIG_H */
