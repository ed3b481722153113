/*
 * cli.h: the command line of facteur: arguments, and the commands that
 * print to a terminal or a script (config-check now; list, show, send and
 * sync as they land). Each command returns the process exit status:
 * CLI_OK, CLI_FAIL (network, server, disk) or CLI_USAGE (usage or
 * configuration error), and prints its errors as "facteur: WHAT: WHY".
 *
 * Default rule: arguments are borrowed for the duration of the call.
 */
#ifndef FACTEUR_CLI_H
#define FACTEUR_CLI_H

#include <stdbool.h>
#include <stdio.h>

#define CLI_OK		0
#define CLI_FAIL	1
#define CLI_USAGE	2

enum cli_cmd {
	CLI_CMD_UI,		/* no subcommand: the full-screen interface */
	CLI_CMD_SYNC,
	CLI_CMD_SEND,
	CLI_CMD_LIST,
	CLI_CMD_SHOW,
	CLI_CMD_CONFIG_CHECK,
	CLI_CMD_SETUP,
	CLI_CMD_HELP,
	CLI_CMD_VERSION
};

struct cli_opts {
	enum cli_cmd	 cmd;
	const char	*cmd_name;	/* "sync", ... ("facteur" for the UI) */
	const char	*config_path;	/* -F, borrowed from argv */
	const char	*account;	/* -a */
	const char	*folder;	/* -f */
	bool		 json;		/* --json */
	bool		 raw;		/* --raw */
	bool		 queue;		/* -q */
	bool		 verbose;	/* -v */
	const char	*sort;		/* --sort KEY */
	const char	*search;	/* --search QUERY */
	char		**args;		/* owned array of operands (strings
					 * borrowed from argv) */
	int		 nargs;
};

/*
 * Parse argv. Options may come before or after the subcommand
 * ("facteur -F c sync" = "facteur sync -F c"). Returns 0, or -1 with a
 * message for "facteur: MESSAGE" in err.
 */
int	cli_parse_args(int argc, char **argv, struct cli_opts *o, char *err,
	    size_t errlen);
/* Free what cli_parse_args() allocated (the args array). */
void	cli_opts_free(struct cli_opts *o);

void	cli_usage(FILE *f);

/* facteur config-check: validate and summarise, contacting nothing. */
int	cli_config_check(const struct cli_opts *o);
/* facteur show [--json|--raw] FILE */
int	cli_show(const struct cli_opts *o);
/* facteur list [--json] [--sort KEY] [--search QUERY] [FOLDER|PATH] */
int	cli_list(const struct cli_opts *o);
/* facteur sync [-v] [ACCOUNT...] */
int	cli_sync(const struct cli_opts *o);
/* facteur send [-a ACCOUNT] [-q] [-v] < MESSAGE */
int	cli_send(const struct cli_opts *o);
/* facteur setup: a new account, asked for on the terminal. */
int	cli_setup(const struct cli_opts *o);

#endif /* FACTEUR_CLI_H */
