/*
 * config_priv.h: what the files of config/ share: the parser state, the
 * value parsers and the key tables.
 */
#ifndef FACTEUR_CONFIG_PRIV_H
#define FACTEUR_CONFIG_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "config.h"

/* Longest value, key or section header accepted. */
#define CFG_MAX_LINE	8192
/* Most accounts, bindings, lines: a config is typed by a person. */
#define CFG_MAX_ACCOUNTS	256
#define CFG_MAX_BINDS		1024
#define CFG_MAX_ERRORS		200

enum cfg_section {
	SEC_NONE,
	SEC_GENERAL,
	SEC_ACCOUNT,
	SEC_BIND,
	SEC_COLOR,
	SEC_BAD		/* an unknown section: its lines are skipped */
};

/* Per-account facts only the validation pass needs. */
#define ACCT_KEYS_MAX	40

struct cfg_acct_lines {
	int	key[ACCT_KEYS_MAX];	/* line where each key was set, or 0 */
};

struct cfg_parser {
	const char		*name;	/* file name for messages */
	const struct cfg_env	*env;
	struct cfg_diag		*diag;
	struct config		*cfg;
	enum cfg_section	 sec;
	size_t			 acct;	/* current account index */
	enum cfg_menu		 menu;
	int			 general_key[ACCT_KEYS_MAX];
	int			 color_line[CFG_COLOR_COUNT];
	struct cfg_acct_lines	*acct_lines;	/* one per account */
	int			 line;		/* current line */
	int			 password_line;	/* first "password =" */
};

/* diag.c */
void	cfg_error(struct cfg_parser *p, int line, const char *fmt, ...)
	    FCT_PRINTF(3, 4);
void	cfg_warning(struct cfg_parser *p, int line, const char *fmt, ...)
	    FCT_PRINTF(3, 4);
/* " (did you mean 'x'?)" for the closest of names within reach, or "". */
void	cfg_suggest(const char *word, const char *const *names, size_t n,
	    char *out, size_t outlen);

/* values.c: each returns 0, or -1 after reporting the error at p->line. */
const char *cfg_env_get(const struct cfg_parser *p, const char *name);
int	cfg_parse_bool(struct cfg_parser *p, const char *key, const char *v,
	    bool *out);
int	cfg_parse_duration(struct cfg_parser *p, const char *key,
	    const char *v, int64_t *out);
int	cfg_parse_size(struct cfg_parser *p, const char *key, const char *v,
	    uint64_t *out);
int	cfg_parse_keep(struct cfg_parser *p, const char *key, const char *v,
	    int64_t *out);
int	cfg_parse_path(struct cfg_parser *p, const char *key, const char *v,
	    char **out);
int	cfg_parse_url(struct cfg_parser *p, const char *key, const char *v,
	    bool outgoing, struct cfg_server *out);
int	cfg_parse_address(struct cfg_parser *p, const char *key,
	    const char *v, char **name, char **spec);
int	cfg_parse_choice(struct cfg_parser *p, const char *key,
	    const char *v, const char *const *choices, size_t n, int *out);
int	cfg_parse_text(struct cfg_parser *p, const char *key, const char *v,
	    char **out);
int	cfg_parse_color(struct cfg_parser *p, const char *key, const char *v,
	    struct cfg_color *out);
void	cfg_server_free(struct cfg_server *s);

/* keys.c */
void	cfg_set_general(struct cfg_parser *p, const char *key,
	    const char *value);
void	cfg_set_account(struct cfg_parser *p, const char *key,
	    const char *value);
void	cfg_set_color(struct cfg_parser *p, const char *key,
	    const char *value);
void	cfg_general_defaults(struct cfg_general *g);
void	cfg_account_defaults(struct cfg_account *a);
void	cfg_general_free(struct cfg_general *g);
void	cfg_account_free(struct cfg_account *a);
/* Index of an account key by name, for the lines table; -1 if unknown. */
int	cfg_account_key_index(const char *key);

/* bind.c */
void	cfg_set_bind(struct cfg_parser *p, const char *key, const char *value);
int	cfg_menu_lookup(const char *name, enum cfg_menu *out);

/* validate.c: checks across keys, run once everything is read. */
void	cfg_validate(struct cfg_parser *p);

#endif /* FACTEUR_CONFIG_PRIV_H */
