/* main.c: dispatch to the commands; nothing else lives here. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static void
usage(FILE *f)
{
	(void)fputs(
	    "usage: facteur [-F CONFIG] [-a ACCOUNT] [-f FOLDER]\n"
	    "       facteur sync [-F CONFIG] [ACCOUNT...]\n"
	    "       facteur send [-F CONFIG] [-a ACCOUNT] [-q] < MESSAGE\n"
	    "       facteur list [-F CONFIG] [-a ACCOUNT] [--json] "
	    "[FOLDER | MAILDIR-PATH]\n"
	    "       facteur show [-F CONFIG] [--json] [--raw] MESSAGE-FILE\n"
	    "       facteur config-check [-F CONFIG]\n"
	    "       facteur --help | --version\n", f);
}

int
main(int argc, char **argv)
{
	/* A peer closing first must be an error code, not a signal. */
	(void)signal(SIGPIPE, SIG_IGN);
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		(void)printf("facteur %s\n", VERSION);
		return 0;
	}
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	(void)fprintf(stderr, "facteur: %s: not yet implemented\n",
	    argc > 1 ? argv[1] : "the interface");
	return 2;
}
