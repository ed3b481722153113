/*
 * config_check.c: facteur config-check: validate the configuration and
 * summarise each account, without contacting any server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cli.h"

/* Print diagnostics as "facteur: FILE:LINE: ..." to stderr. */
static void
print_diag(const struct cfg_diag *d)
{
	size_t	i;

	for (i = 0; i < d->nwarnings; i++)
		(void)fprintf(stderr, "facteur: %s\n", d->warnings[i]);
	for (i = 0; i < d->nerrors; i++)
		(void)fprintf(stderr, "facteur: %s\n", d->errors[i]);
}

static void
print_server(const char *label, const struct cfg_server *s)
{
	if (s->scheme == CFG_SCHEME_NONE) {
		(void)printf("  %-10s (none: this account cannot send)\n",
		    label);
		return;
	}
	if (s->scheme == CFG_SCHEME_MAILDIR) {
		(void)printf("  %-10s maildir %s (local, no server)\n", label,
		    s->path);
		return;
	}
	(void)printf("  %-10s %s server %s port %s, %s\n", label,
	    cfg_scheme_name(s->scheme), s->host, s->port,
	    cfg_tls_name(s->tls));
}

static const char *
secret_source(const char *pw, const char *cmd, bool outgoing)
{
	if (pw != NULL)
		return outgoing ? "in the configuration file "
		    "(outgoing-password)" : "in the configuration file";
	if (cmd != NULL)
		return outgoing ? "from outgoing-password-command" :
		    "from password-command";
	return NULL;
}

static void
print_account(const struct cfg_account *a)
{
	const char	*in, *out;
	char		 dur[32];

	(void)printf("\naccount %s%s\n", a->name,
	    a->is_default ? " (default)" : "");
	(void)printf("  %-10s %s\n", "address", a->address);
	if (a->incoming.scheme != CFG_SCHEME_MAILDIR)
		(void)printf("  %-10s %s\n", "user", a->real_user);
	print_server("incoming", &a->incoming);
	print_server("outgoing", &a->outgoing);
	if (a->outgoing.scheme != CFG_SCHEME_NONE)
		(void)printf("  %-10s %s\n", "smtp user", a->outgoing.user ?
		    a->outgoing.user : a->real_user);
	in = secret_source(a->password, a->password_command, false);
	out = secret_source(a->outgoing_password,
	    a->outgoing_password_command, true);
	if (a->incoming.scheme != CFG_SCHEME_MAILDIR)
		(void)printf("  %-10s %s\n", "password",
		    in ? in : "none configured");
	if (a->outgoing.scheme != CFG_SCHEME_NONE)
		(void)printf("  %-10s %s\n", "smtp pass",
		    out ? out : in ? "same as incoming" : "none configured");
	if (a->auth != CFG_AUTH_AUTO)
		(void)printf("  %-10s %s\n", "auth", a->auth ==
		    CFG_AUTH_PLAIN ? "plain" : a->auth == CFG_AUTH_LOGIN ?
		    "login" : a->auth == CFG_AUTH_XOAUTH2 ? "xoauth2" :
		    a->auth == CFG_AUTH_APOP ? "apop" : "oauthbearer");
	if (a->incoming.scheme != CFG_SCHEME_MAILDIR ||
	    a->outgoing.scheme != CFG_SCHEME_NONE)
		(void)printf("  %-10s %s\n", "CA", a->tls_ca_file ?
		    a->tls_ca_file : "the system store");
	if (a->incoming.scheme == CFG_SCHEME_POP3 ||
	    a->incoming.scheme == CFG_SCHEME_POP3S) {
		cfg_format_duration(a->keep_on_server, dur, sizeof(dur));
		(void)printf("  %-10s %s on the server after download\n",
		    "keep", dur);
	}
	if (a->max_size > 0)
		(void)printf("  %-10s messages over %llu bytes are fetched "
		    "only when opened\n", "max-size",
		    (unsigned long long)a->max_size);
	(void)printf("  %-10s %s\n", "store", a->store_path);
	if (a->allow_plaintext_password &&
	    (a->incoming.tls == CFG_TLS_NONE ||
	    a->outgoing.tls == CFG_TLS_NONE))
		(void)printf("  %-10s passwords may be sent in plaintext "
		    "(allow-plaintext-password = yes)\n", "WARNING");
}

int
cli_config_check(const struct cli_opts *o)
{
	struct cfg_diag	 diag = { 0 };
	struct config	*cfg;
	char		*path;
	size_t		 i;
	int		 rc;

	path = cfg_default_path(o->config_path, NULL);
	cfg = cfg_load(path, NULL, &diag);
	print_diag(&diag);
	if (cfg == NULL) {
		(void)fprintf(stderr, "facteur: %s: %zu error%s\n", path,
		    diag.nerrors, diag.nerrors == 1 ? "" : "s");
		rc = CLI_USAGE;
	} else {
		(void)printf("%s: OK, %zu account%s\n", path, cfg->naccounts,
		    cfg->naccounts == 1 ? "" : "s");
		(void)printf("  %-10s %s\n", "mail-root",
		    cfg->general.mail_root ? cfg->general.mail_root :
		    "(unset)");
		for (i = 0; i < cfg->naccounts; i++)
			print_account(&cfg->accounts[i]);
		if (cfg->naccounts == 0)
			(void)printf("\nNo account is configured: add an "
			    "[account NAME] section (see facteur.conf(5)).\n");
		rc = CLI_OK;
	}
	cfg_free(&cfg);
	cfg_diag_free(&diag);
	free(path);
	return rc;
}
