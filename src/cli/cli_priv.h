/* cli_priv.h: what the commands of cli/ share. */
#ifndef FACTEUR_CLI_PRIV_H
#define FACTEUR_CLI_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "cli.h"
#include "config.h"
#include "mime.h"

/* json.c: append a JSON string ("null" for s == NULL); -1 when b is full */
int	json_str(struct buf *b, const char *s, size_t n) FCT_MUST_CHECK;
int	json_cstr(struct buf *b, const char *s) FCT_MUST_CHECK;


/* load.c: the configuration for commands that only read (show, list):
 * the file if it exists (an error when -F names one that does not),
 * else NULL and defaults. Prints diagnostics. -1 on configuration
 * errors. */
int	cli_load_optional_config(const struct cli_opts *o,
	    struct config **cfg);

/* safe.c: server text onto the terminal, control characters shown
 * harmlessly (keep_newlines: line ends kept); the protocol trace of -v
 * ("C: line" / "S: line") on standard error. */
void	cli_put_safe(FILE *fp, const char *s, size_t n, bool keep_newlines);
void	cli_put_str(FILE *fp, const char *s);
void	cli_print_trace(const char *dir, const char *line, size_t len,
	    void *arg);


#endif /* FACTEUR_CLI_PRIV_H */
