/* args.c: the command line: subcommands and their options. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

/* Which options each command accepts. */
#define O_F	0x01	/* -F CONFIG */
#define O_A	0x02	/* -a ACCOUNT */
#define O_FOLD	0x04	/* -f FOLDER */
#define O_JSON	0x08
#define O_RAW	0x10
#define O_Q	0x20
#define O_V	0x40
#define O_SORT	0x80	/* --sort KEY */
#define O_SRCH	0x100	/* --search QUERY */
#define O_LAST	O_SRCH

static const struct {
	const char	*name;
	enum cli_cmd	 cmd;
	unsigned	 opts;
	int		 min_args, max_args;
} commands[] = {
	{ "facteur", CLI_CMD_UI, O_F | O_A | O_FOLD, 0, 0 },
	{ "sync", CLI_CMD_SYNC, O_F | O_V, 0, 1000 },
	{ "send", CLI_CMD_SEND, O_F | O_A | O_Q | O_V, 0, 0 },
	{ "list", CLI_CMD_LIST, O_F | O_A | O_JSON | O_SORT | O_SRCH, 0, 1 },
	{ "show", CLI_CMD_SHOW, O_F | O_JSON | O_RAW, 1, 1 },
	{ "config-check", CLI_CMD_CONFIG_CHECK, O_F, 0, 0 },
	{ "setup", CLI_CMD_SETUP, O_F, 0, 0 },
};
#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

void
cli_opts_free(struct cli_opts *o)
{
	free(o->args);
	o->args = NULL;
	o->nargs = 0;
}

void
cli_usage(FILE *f)
{
	(void)fputs(
	    "usage: facteur [-F CONFIG] [-a ACCOUNT] [-f FOLDER]\n"
	    "       facteur sync [-F CONFIG] [-v] [ACCOUNT...]\n"
	    "       facteur send [-F CONFIG] [-a ACCOUNT] [-q] < MESSAGE\n"
	    "       facteur list [-F CONFIG] [-a ACCOUNT] [--json] "
	    "[--sort KEY]\n"
	    "                    [--search QUERY] [FOLDER | MAILDIR-PATH]\n"
	    "       facteur show [-F CONFIG] [--json] [--raw] MESSAGE-FILE\n"
	    "       facteur config-check [-F CONFIG]\n"
	    "       facteur setup [-F CONFIG]\n"
	    "       facteur --help | --version\n"
	    "\n"
	    "The configuration is read from -F, $FACTEUR_CONFIG,\n"
	    "$XDG_CONFIG_HOME/facteur/config or ~/.config/facteur/config.\n"
	    "See facteur(1) and facteur.conf(5).\n", f);
}

/* The value of -X: the rest of this argument or the next one. */
static int
opt_value(int argc, char **argv, int *i, const char *name, const char **out,
    char *err, size_t errlen)
{
	const char	*a = argv[*i];

	if (a[2] != '\0') {
		*out = a + 2;
		return 0;
	}
	if (*i + 1 >= argc) {
		(void)snprintf(err, errlen, "option %s needs a value", name);
		return -1;
	}
	*out = argv[++*i];
	return 0;
}

/* One option; sets *seen to the O_ flag it used. */
static int
parse_option(int argc, char **argv, int *i, struct cli_opts *o,
    unsigned *seen, char *err, size_t errlen)
{
	const char	*a = argv[*i];

	if (strcmp(a, "--json") == 0) {
		o->json = true;
		*seen = O_JSON;
	} else if (strcmp(a, "--raw") == 0) {
		o->raw = true;
		*seen = O_RAW;
	} else if (strcmp(a, "-q") == 0) {
		o->queue = true;
		*seen = O_Q;
	} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
		o->verbose = true;
		*seen = O_V;
	} else if (strcmp(a, "--sort") == 0 || strcmp(a, "--search") == 0) {
		*seen = strcmp(a, "--sort") == 0 ? O_SORT : O_SRCH;
		if (*i + 1 >= argc) {
			(void)snprintf(err, errlen, "option %s needs a value",
			    a);
			return -1;
		}
		if (*seen == O_SORT)
			o->sort = argv[++*i];
		else
			o->search = argv[++*i];
	} else if (strncmp(a, "-F", 2) == 0) {
		*seen = O_F;
		return opt_value(argc, argv, i, "-F", &o->config_path, err,
		    errlen);
	} else if (strncmp(a, "-a", 2) == 0) {
		*seen = O_A;
		return opt_value(argc, argv, i, "-a", &o->account, err,
		    errlen);
	} else if (strncmp(a, "-f", 2) == 0) {
		*seen = O_FOLD;
		return opt_value(argc, argv, i, "-f", &o->folder, err, errlen);
	} else {
		(void)snprintf(err, errlen, "unknown option '%s' (see "
		    "facteur --help)", a);
		return -1;
	}
	return 0;
}

static const char *
option_name(unsigned flag)
{
	switch (flag) {
	case O_F: return "-F";
	case O_A: return "-a";
	case O_FOLD: return "-f";
	case O_JSON: return "--json";
	case O_RAW: return "--raw";
	case O_Q: return "-q";
	case O_SORT: return "--sort";
	case O_SRCH: return "--search";
	default: return "-v";
	}
}

/* An error about a subcommand starts "sync: "; about the UI, nothing. */
static void FCT_PRINTF(4, 5)
cmd_error(char *err, size_t errlen, const struct cli_opts *o,
    const char *fmt, ...)
{
	va_list	ap;
	int	n = 0;

	if (o->cmd != CLI_CMD_UI)
		n = snprintf(err, errlen, "%s: ", o->cmd_name);
	if (n < 0 || (size_t)n >= errlen)
		n = 0;
	va_start(ap, fmt);
	(void)vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

int
cli_parse_args(int argc, char **argv, struct cli_opts *o, char *err,
    size_t errlen)
{
	unsigned	 used = 0, seen;
	size_t		 c = 0;
	int		 i, first_operand = -1;
	bool		 dashdash = false;

	memset(o, 0, sizeof(*o));
	o->args = xcalloc((size_t)argc + 1, sizeof(*o->args));
	for (i = 1; i < argc; i++) {
		const char	*a = argv[i];

		if (!dashdash && strcmp(a, "--") == 0) {
			dashdash = true;
			continue;
		}
		if (!dashdash && (strcmp(a, "--help") == 0 ||
		    strcmp(a, "-h") == 0)) {
			o->cmd = CLI_CMD_HELP;
			return 0;
		}
		if (!dashdash && strcmp(a, "--version") == 0) {
			o->cmd = CLI_CMD_VERSION;
			return 0;
		}
		if (!dashdash && a[0] == '-' && a[1] != '\0') {
			if (parse_option(argc, argv, &i, o, &seen, err,
			    errlen) == -1)
				return -1;
			used |= seen;
			continue;
		}
		/* The first operand names the command. */
		if (first_operand == -1 && c == 0 && !dashdash) {
			size_t	k;

			first_operand = i;
			for (k = 1; k < NCOMMANDS; k++)
				if (strcmp(a, commands[k].name) == 0)
					c = k;
			if (c != 0)
				continue;
			(void)snprintf(err, errlen, "unknown command '%s' (see "
			    "facteur --help)", a);
			return -1;
		}
		o->args[o->nargs++] = argv[i];
	}
	o->cmd = commands[c].cmd;
	o->cmd_name = commands[c].name;
	for (seen = 1; seen <= O_LAST; seen <<= 1) {
		if ((used & seen) && !(commands[c].opts & seen)) {
			cmd_error(err, errlen, o, "option %s is not valid "
			    "here (see facteur --help)", option_name(seen));
			return -1;
		}
	}
	if (o->nargs < commands[c].min_args) {
		cmd_error(err, errlen, o, "missing %s (see facteur --help)",
		    commands[c].cmd == CLI_CMD_SHOW ? "MESSAGE-FILE" :
		    "argument");
		return -1;
	}
	if (o->nargs > commands[c].max_args) {
		cmd_error(err, errlen, o, "unexpected argument '%s' (see "
		    "facteur --help)", o->args[commands[c].max_args]);
		return -1;
	}
	if (o->raw && o->json) {
		cmd_error(err, errlen, o, "--raw and --json cannot be "
		    "combined");
		return -1;
	}
	return 0;
}
