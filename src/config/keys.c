/*
 * keys.c: the keys of [general], [account NAME] and [color], as tables:
 * a name, a value type and where the value goes. Adding a setting is one
 * line here, one in config.h and one paragraph in facteur.conf.5.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

enum ktype {
	K_TEXT,		/* any non-empty string */
	K_PATH,		/* ~ and $VAR expanded, absolute */
	K_BOOL,
	K_DURATION,
	K_KEEP,		/* duration or "forever" */
	K_SIZE,		/* bytes: 0, 512K, 10M, 1G */
	K_SORT,
	K_AUTH,
	K_URL_IN,
	K_URL_OUT,
	K_ADDRESS,
	K_SECRET,	/* a password: never echoed in messages */
	K_CHARSET,
	K_FOLDER
};

struct keydef {
	const char	*name;
	enum ktype	 type;
	size_t		 off;
};

#define G(f)	offsetof(struct cfg_general, f)
#define A(f)	offsetof(struct cfg_account, f)

static const struct keydef general_keys[] = {
	{ "editor",		K_TEXT,		G(editor) },
	{ "sort",		K_SORT,		G(sort) },
	{ "mail-root",		K_PATH,		G(mail_root) },
	{ "html-command",	K_TEXT,		G(html_command) },
	{ "fallback-charset",	K_CHARSET,	G(fallback_charset) },
	{ "alias-file",		K_PATH,		G(alias_file) },
	{ "check-interval",	K_DURATION,	G(check_interval) },
	{ "sidebar",		K_BOOL,		G(sidebar) },
	{ "format-flowed",	K_BOOL,		G(format_flowed) },
	{ "forward-attachment",	K_BOOL,		G(forward_attachment) },
};

static const struct keydef account_keys[] = {
	{ "address",		K_ADDRESS,	A(address) },
	{ "incoming",		K_URL_IN,	A(incoming) },
	{ "outgoing",		K_URL_OUT,	A(outgoing) },
	{ "password",		K_SECRET,	A(password) },
	{ "password-command",	K_TEXT,		A(password_command) },
	{ "outgoing-password",	K_SECRET,	A(outgoing_password) },
	{ "outgoing-password-command", K_TEXT,	A(outgoing_password_command) },
	{ "tls-ca-file",	K_PATH,		A(tls_ca_file) },
	{ "starttls",		K_BOOL,		A(starttls) },
	{ "allow-plaintext-password", K_BOOL,	A(allow_plaintext_password) },
	{ "auth",		K_AUTH,		A(auth) },
	{ "keep-on-server",	K_KEEP,		A(keep_on_server) },
	{ "signature-file",	K_PATH,		A(signature_file) },
	{ "sent-folder",	K_FOLDER,	A(sent_folder) },
	{ "drafts-folder",	K_FOLDER,	A(drafts_folder) },
	{ "trash-folder",	K_FOLDER,	A(trash_folder) },
	{ "junk-folder",	K_FOLDER,	A(junk_folder) },
	{ "check-interval",	K_DURATION,	A(check_interval) },
	{ "max-size",		K_SIZE,		A(max_size) },
	{ "default",		K_BOOL,		A(is_default) },
};

#define NGENERAL	(sizeof(general_keys) / sizeof(general_keys[0]))
#define NACCOUNT	(sizeof(account_keys) / sizeof(account_keys[0]))
_Static_assert(NGENERAL <= ACCT_KEYS_MAX && NACCOUNT <= ACCT_KEYS_MAX,
    "raise ACCT_KEYS_MAX");

static const char *const sort_names[] = {
	"threads", "date", "date-reverse", "from", "subject", "size"
};
static const char *const auth_names[] = {
	"auto", "plain", "login", "xoauth2", "oauthbearer", "apop"
};
static const char *const color_obj_names[CFG_COLOR_COUNT] = {
	"normal", "indicator", "status", "error", "new", "flagged", "deleted",
	"tagged", "tree", "header", "quoted", "quoted2", "signature",
	"attachment", "url", "search", "sidebar", "sidebar-new"
};

const char *
cfg_sort_name(enum cfg_sort s)
{
	return (size_t)s < sizeof(sort_names) / sizeof(sort_names[0]) ?
	    sort_names[s] : "?";
}

const char *
cfg_tls_name(enum cfg_tls t)
{
	switch (t) {
	case CFG_TLS_IMPLICIT:
		return "TLS";
	case CFG_TLS_STARTTLS:
		return "STARTTLS (required)";
	case CFG_TLS_NONE:
		return "none (plaintext)";
	}
	return "?";
}

void
cfg_format_duration(int64_t secs, char *out, size_t n)
{
	if (secs == CFG_KEEP_FOREVER)
		(void)snprintf(out, n, "forever");
	else if (secs == 0)
		(void)snprintf(out, n, "0");
	else if (secs % 86400 == 0)
		(void)snprintf(out, n, "%lldd", (long long)(secs / 86400));
	else if (secs % 3600 == 0)
		(void)snprintf(out, n, "%lldh", (long long)(secs / 3600));
	else if (secs % 60 == 0)
		(void)snprintf(out, n, "%lldm", (long long)(secs / 60));
	else
		(void)snprintf(out, n, "%llds", (long long)secs);
}

const char *
cfg_color_obj_name(enum cfg_color_obj o)
{
	return (size_t)o < CFG_COLOR_COUNT ? color_obj_names[o] : "?";
}

void
cfg_general_defaults(struct cfg_general *g)
{
	memset(g, 0, sizeof(*g));
	g->sort = CFG_SORT_THREADS;
	g->fallback_charset = xstrdup("windows-1252");
	g->check_interval = 5 * 60;
	g->sidebar = true;
}

void
cfg_account_defaults(struct cfg_account *a)
{
	memset(a, 0, sizeof(*a));
	a->starttls = true;
	a->auth = CFG_AUTH_AUTO;
	/* Desktop clients keep POP3 mail 14 days: other devices see it. */
	a->keep_on_server = 14 * 86400;
}

void
cfg_general_free(struct cfg_general *g)
{
	free(g->editor);
	free(g->mail_root);
	free(g->html_command);
	free(g->fallback_charset);
	free(g->alias_file);
	memset(g, 0, sizeof(*g));
}

void
cfg_account_free(struct cfg_account *a)
{
	free(a->name);
	free(a->address);
	free(a->address_name);
	free(a->address_spec);
	free(a->real_user);
	cfg_server_free(&a->incoming);
	cfg_server_free(&a->outgoing);
	xfree_secret(&a->password);
	free(a->password_command);
	xfree_secret(&a->outgoing_password);
	free(a->outgoing_password_command);
	free(a->tls_ca_file);
	free(a->signature_file);
	free(a->sent_folder);
	free(a->drafts_folder);
	free(a->trash_folder);
	free(a->junk_folder);
	free(a->store_path);
	memset(a, 0, sizeof(*a));
}

static const struct keydef *
key_find(const struct keydef *tab, size_t n, const char *key, int *idx)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (ascii_casecmp(tab[i].name, key) == 0) {
			*idx = (int)i;
			return &tab[i];
		}
	}
	return NULL;
}

int
cfg_account_key_index(const char *key)
{
	int	idx;

	return key_find(account_keys, NACCOUNT, key, &idx) ? idx : -1;
}

static bool
charset_ok(const char *v)
{
	size_t	i, n = strlen(v);

	if (n == 0 || n > 40)
		return false;
	for (i = 0; i < n; i++) {
		int	c = (unsigned char)v[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == ':'))
			return false;
	}
	return true;
}

static bool
folder_ok(const char *v)
{
	const char	*s = v;

	if (*v == '\0' || *v == '/')
		return false;
	while (*s != '\0') {
		size_t	n = strcspn(s, "/");

		if (n == 0 || (n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		s += n;
		if (*s == '/')
			s++;
	}
	return true;
}

/* Store value into the field of obj described by k; -1 after reporting. */
static int
key_store(struct cfg_parser *p, const struct keydef *k, void *obj,
    const char *value)
{
	char	*field = (char *)obj + k->off;
	int	 choice;

	switch (k->type) {
	case K_TEXT:
	case K_SECRET:
		return cfg_parse_text(p, k->name, value, (char **)field);
	case K_PATH:
		return cfg_parse_path(p, k->name, value, (char **)field);
	case K_BOOL:
		return cfg_parse_bool(p, k->name, value, (bool *)field);
	case K_DURATION:
		return cfg_parse_duration(p, k->name, value, (int64_t *)field);
	case K_KEEP:
		return cfg_parse_keep(p, k->name, value, (int64_t *)field);
	case K_SIZE:
		return cfg_parse_size(p, k->name, value, (uint64_t *)field);
	case K_SORT:
		if (cfg_parse_choice(p, k->name, value, sort_names,
		    sizeof(sort_names) / sizeof(sort_names[0]), &choice) == -1)
			return -1;
		*(enum cfg_sort *)field = (enum cfg_sort)choice;
		return 0;
	case K_AUTH:
		if (cfg_parse_choice(p, k->name, value, auth_names,
		    sizeof(auth_names) / sizeof(auth_names[0]), &choice) == -1)
			return -1;
		*(enum cfg_auth *)field = (enum cfg_auth)choice;
		return 0;
	case K_URL_IN:
	case K_URL_OUT:
		return cfg_parse_url(p, k->name, value, k->type == K_URL_OUT,
		    (struct cfg_server *)field);
	case K_ADDRESS: {
		struct cfg_account	*a = obj;

		if (cfg_parse_address(p, k->name, value, &a->address_name,
		    &a->address_spec) == -1)
			return -1;
		return cfg_parse_text(p, k->name, value, &a->address);
	}
	case K_CHARSET:
		if (!charset_ok(value)) {
			cfg_error(p, p->line, "%s: expected a character set "
			    "name such as windows-1252, got '%s'", k->name,
			    value);
			return -1;
		}
		return cfg_parse_text(p, k->name, value, (char **)field);
	case K_FOLDER:
		if (!folder_ok(value)) {
			cfg_error(p, p->line, "%s: expected a folder name such "
			    "as Sent or Archives/2024, got '%s'", k->name,
			    value);
			return -1;
		}
		return cfg_parse_text(p, k->name, value, (char **)field);
	}
	return -1;
}

static void
key_names(const struct keydef *tab, size_t n, const char **out)
{
	size_t	i;

	for (i = 0; i < n; i++)
		out[i] = tab[i].name;
}

/* A key not in this section's table: say where it belongs, or suggest. */
static void
key_unknown(struct cfg_parser *p, const char *key, const char *section,
    const struct keydef *tab, size_t n, const struct keydef *other,
    size_t nother, const char *other_section)
{
	const char	*names[64];
	char		 hint[96];
	int		 idx;

	if (key_find(other, nother, key, &idx) != NULL) {
		cfg_error(p, p->line, "'%s' belongs in %s, not in %s", key,
		    other_section, section);
		return;
	}
	key_names(tab, n, names);
	cfg_suggest(key, names, n, hint, sizeof(hint));
	cfg_error(p, p->line, "unknown key '%s' in %s%s", key, section, hint);
}

/* Duplicate keys are errors: the second would silently win. */
static bool
key_first_time(struct cfg_parser *p, int *lines, int idx, const char *key)
{
	if (lines[idx] != 0) {
		cfg_error(p, p->line, "'%s' is set twice (first on line %d)",
		    key, lines[idx]);
		return false;
	}
	lines[idx] = p->line;
	return true;
}

void
cfg_set_general(struct cfg_parser *p, const char *key, const char *value)
{
	const struct keydef	*k;
	int			 idx;

	k = key_find(general_keys, NGENERAL, key, &idx);
	if (k == NULL) {
		key_unknown(p, key, "[general]", general_keys, NGENERAL,
		    account_keys, NACCOUNT, "an [account NAME] section");
		return;
	}
	if (key_first_time(p, p->general_key, idx, k->name))
		(void)key_store(p, k, &p->cfg->general, value);
}

void
cfg_set_account(struct cfg_parser *p, const char *key, const char *value)
{
	const struct keydef	*k;
	struct cfg_account	*a = &p->cfg->accounts[p->acct];
	char			 sect[128];
	int			 idx;

	k = key_find(account_keys, NACCOUNT, key, &idx);
	if (k == NULL) {
		(void)snprintf(sect, sizeof(sect), "[account %s]", a->name);
		key_unknown(p, key, sect, account_keys, NACCOUNT,
		    general_keys, NGENERAL, "[general]");
		return;
	}
	if (key_first_time(p, p->acct_lines[p->acct].key, idx, k->name))
		(void)key_store(p, k, a, value);
}

void
cfg_set_color(struct cfg_parser *p, const char *key, const char *value)
{
	const char	*names[CFG_COLOR_COUNT];
	char		 hint[96];
	size_t		 i;

	for (i = 0; i < CFG_COLOR_COUNT; i++) {
		names[i] = color_obj_names[i];
		if (ascii_casecmp(key, color_obj_names[i]) != 0)
			continue;
		if (p->color_line[i] != 0) {
			cfg_error(p, p->line, "'%s' is set twice (first on "
			    "line %d)", names[i], p->color_line[i]);
			return;
		}
		p->color_line[i] = p->line;
		(void)cfg_parse_color(p, names[i], value,
		    &p->cfg->colors[i]);
		return;
	}
	cfg_suggest(key, names, CFG_COLOR_COUNT, hint, sizeof(hint));
	cfg_error(p, p->line, "unknown colour object '%s'%s", key, hint);
}
