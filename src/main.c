/* main.c: dispatch to the commands; nothing else lives here. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "ui.h"
#include "util.h"

int
main(int argc, char **argv)
{
	struct cli_opts	o;
	char		err[512];
	int		rc;

	/* A peer closing first must be an error code, not a signal. */
	(void)signal(SIGPIPE, SIG_IGN);
	/* Passwords are read below: keep them out of core dumps. */
	(void)cfg_protect_secrets();
	if (cli_parse_args(argc, argv, &o, err, sizeof(err)) == -1) {
		(void)fprintf(stderr, "facteur: %s\n", err);
		cli_opts_free(&o);
		return CLI_USAGE;
	}
	switch (o.cmd) {
	case CLI_CMD_HELP:
		cli_usage(stdout);
		rc = CLI_OK;
		break;
	case CLI_CMD_VERSION:
		(void)printf("facteur %s\n", VERSION);
		rc = CLI_OK;
		break;
	case CLI_CMD_CONFIG_CHECK:
		rc = cli_config_check(&o);
		break;
	case CLI_CMD_SHOW:
		rc = cli_show(&o);
		break;
	case CLI_CMD_LIST:
		rc = cli_list(&o);
		break;
	case CLI_CMD_SYNC:
		rc = cli_sync(&o);
		break;
	case CLI_CMD_SEND:
		rc = cli_send(&o);
		break;
	case CLI_CMD_SETUP:
		rc = cli_setup(&o);
		break;
	case CLI_CMD_UI: {
		struct ui_args	ua = { o.config_path, o.account, o.folder };

		rc = ui_main(&ua);
		break;
	}
	default:
		(void)fprintf(stderr, "facteur: %s: not yet implemented\n",
		    o.cmd == CLI_CMD_UI ? "the interface" : o.cmd_name);
		rc = CLI_USAGE;
		break;
	}
	cli_opts_free(&o);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		(void)fprintf(stderr, "facteur: standard output: write "
		    "error\n");
		return CLI_FAIL;
	}
	return rc;
}
