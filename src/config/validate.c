/*
 * validate.c: the checks that span several keys, run after the whole file
 * is read; and the values derived from others (user name, store path).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

static int
key_line(struct cfg_parser *p, size_t acct, const char *key)
{
	int	idx = cfg_account_key_index(key);

	return idx < 0 ? 0 : p->acct_lines[acct].key[idx];
}

static bool
has_incoming_secret(const struct cfg_account *a)
{
	return a->password != NULL || a->password_command != NULL;
}

static bool
has_outgoing_secret(const struct cfg_account *a)
{
	return a->outgoing_password != NULL ||
	    a->outgoing_password_command != NULL || has_incoming_secret(a);
}

/* starttls = no: a server reached in plaintext must not get a password. */
static void
check_plaintext(struct cfg_parser *p, size_t i)
{
	struct cfg_account	*a = &p->cfg->accounts[i];
	int			 line = key_line(p, i, "starttls");
	bool			 in_plain, out_plain;

	in_plain = a->incoming.tls == CFG_TLS_STARTTLS;
	out_plain = a->outgoing.tls == CFG_TLS_STARTTLS &&
	    a->outgoing.scheme != CFG_SCHEME_NONE;
	if (a->starttls)
		return;
	if (!in_plain && !out_plain) {
		if (a->incoming.scheme == CFG_SCHEME_NONE)
			return;	/* the URL was wrong: already reported */
		cfg_warning(p, line, "starttls = no has no effect: account "
		    "'%s' has no imap://, pop3:// or smtp:// server", a->name);
		return;
	}
	if (in_plain)
		a->incoming.tls = CFG_TLS_NONE;
	if (out_plain)
		a->outgoing.tls = CFG_TLS_NONE;
	if (a->allow_plaintext_password)
		return;
	if (in_plain && has_incoming_secret(a))
		cfg_error(p, line, "starttls = no would send the password "
		    "for %s in plaintext; set allow-plaintext-password = yes "
		    "to accept that", a->incoming.host);
	else if (out_plain && has_outgoing_secret(a))
		cfg_error(p, line, "starttls = no would send the password "
		    "for %s in plaintext; set allow-plaintext-password = yes "
		    "to accept that", a->outgoing.host);
}

static void
check_secrets(struct cfg_parser *p, size_t i)
{
	struct cfg_account	*a = &p->cfg->accounts[i];

	if (a->password != NULL && a->password_command != NULL)
		cfg_error(p, key_line(p, i, "password-command"), "set "
		    "password or password-command, not both");
	if (a->outgoing_password != NULL &&
	    a->outgoing_password_command != NULL)
		cfg_error(p, key_line(p, i, "outgoing-password-command"),
		    "set outgoing-password or outgoing-password-command, not "
		    "both");
	if ((a->auth == CFG_AUTH_XOAUTH2 || a->auth == CFG_AUTH_OAUTHBEARER)
	    && a->password_command == NULL)
		cfg_error(p, key_line(p, i, "auth"), "auth = %s needs "
		    "password-command (it prints the OAuth token)",
		    a->auth == CFG_AUTH_XOAUTH2 ? "xoauth2" : "oauthbearer");
	if (a->auth == CFG_AUTH_APOP &&
	    a->incoming.scheme != CFG_SCHEME_POP3 &&
	    a->incoming.scheme != CFG_SCHEME_POP3S)
		cfg_error(p, key_line(p, i, "auth"), "auth = apop is for POP3 "
		    "accounts (pop3:// or pop3s://)");
	if ((a->outgoing_password != NULL ||
	    a->outgoing_password_command != NULL) &&
	    a->outgoing.scheme == CFG_SCHEME_NONE)
		cfg_warning(p, key_line(p, i, a->outgoing_password ?
		    "outgoing-password" : "outgoing-password-command"),
		    "account '%s' has no outgoing server; the outgoing "
		    "password is not used", a->name);
}

static void
check_account(struct cfg_parser *p, size_t i, const char *mail_root)
{
	struct cfg_account	*a = &p->cfg->accounts[i];
	int			 kl;

	if (a->address == NULL && key_line(p, i, "address") == 0)
		cfg_error(p, a->line, "account '%s': missing required key "
		    "'address'", a->name);
	if (a->incoming.scheme == CFG_SCHEME_NONE &&
	    key_line(p, i, "incoming") == 0)
		cfg_error(p, a->line, "account '%s': missing required key "
		    "'incoming' (imaps://, imap://, pop3s://, pop3:// or "
		    "maildir://)", a->name);
	check_secrets(p, i);
	check_plaintext(p, i);
	kl = key_line(p, i, "keep-on-server");
	if (kl != 0 && a->incoming.scheme != CFG_SCHEME_POP3 &&
	    a->incoming.scheme != CFG_SCHEME_POP3S &&
	    a->incoming.scheme != CFG_SCHEME_NONE)
		cfg_warning(p, kl, "keep-on-server only applies to POP3 "
		    "accounts; '%s' uses %s://", a->name,
		    cfg_scheme_name(a->incoming.scheme));
	if (a->incoming.user != NULL)
		a->real_user = xstrdup(a->incoming.user);
	else if (a->address_spec != NULL)
		a->real_user = xstrdup(a->address_spec);
	if (a->incoming.scheme == CFG_SCHEME_MAILDIR)
		a->store_path = xstrdup(a->incoming.path);
	else if (mail_root != NULL)
		a->store_path = xasprintf("%s/%s", mail_root, a->name);
	else
		cfg_error(p, a->line, "account '%s': mail-root is not set in "
		    "[general] and $HOME is not set", a->name);
}

void
cfg_validate(struct cfg_parser *p)
{
	struct config	*cfg = p->cfg;
	const char	*home;
	size_t		 i, ndefault = 0;
	int		 first_default = 0;

	if (cfg->general.mail_root == NULL) {
		home = cfg_env_get(p, "HOME");
		if (home != NULL && home[0] == '/')
			cfg->general.mail_root = xasprintf("%s/Mail",
			    strcmp(home, "/") == 0 ? "" : home);
	}
	for (i = 0; i < cfg->naccounts; i++) {
		struct cfg_account	*a = &cfg->accounts[i];

		check_account(p, i, cfg->general.mail_root);
		if (!a->is_default)
			continue;
		if (ndefault++ == 0)
			first_default = key_line(p, i, "default");
		else
			cfg_error(p, key_line(p, i, "default"), "more than "
			    "one account has default = yes (first on line "
			    "%d)", first_default);
	}
	if (ndefault == 0 && cfg->naccounts > 0)
		cfg->accounts[0].is_default = true;
}
