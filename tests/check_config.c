/*
 * check_config.c: unit tests of include/config.h (src/config/): parsing
 * valid files into the structs, every error and warning of invalid ones
 * (exact text and line), cfg_load() on real files (modes, missing files,
 * size limits), password commands, the default path, the helpers for
 * names, durations and suggestions, and hostile input.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include "config.h"
#include "tests.h"

Suite	*config_suite(void);

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define TNAME		"test.conf"	/* the name given to cfg_parse() */
#define MAXCHECKS	24
#define MAXMSGS		16
#define A16		"aaaaaaaaaaaaaaaa"
#define A64		A16 A16 A16 A16
#define B16		"bbbbbbbbbbbbbbbb"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

struct tenv {
	const char	*name;
	const char	*value;
};

/* The environment of most tests: deterministic, whatever the real one. */
static struct tenv std_env[] = {
	{ "HOME", "/home/test" },
	{ "MAILDIRS", "/srv/mail" },
	{ "USER", "jeanne" },
	{ "EMPTY", "" },
	{ NULL, NULL }
};

/* No HOME at all. */
static struct tenv nohome_env[] = {
	{ "MAILDIRS", "/srv/mail" },
	{ NULL, NULL }
};

static const char *
env_lookup(const char *name, void *arg)
{
	const struct tenv	*e;

	for (e = arg; e->name != NULL; e++)
		if (strcmp(e->name, name) == 0)
			return e->value;
	return NULL;
}

/*
 * Parse len bytes of text (strlen when len is 0) copied to a buffer of
 * exactly that size with no NUL after it, so that ASan sees any read past
 * the end.
 */
static struct config *
parse_env(const char *text, size_t len, struct tenv *env, struct cfg_diag *d)
{
	struct cfg_env	 e = { env_lookup, env };
	struct config	*cfg;
	char		*copy;

	if (len == 0)
		len = strlen(text);
	copy = xmalloc(len ? len : 1);
	memcpy(copy, text, len);
	memset(d, 0, sizeof(*d));
	cfg = cfg_parse(copy, len, TNAME, &e, d);
	free(copy);
	return cfg;
}

static struct config *
parse(const char *text, struct cfg_diag *d)
{
	return parse_env(text, 0, std_env, d);
}

/* max-size: sizes in bytes with K, M, G (powers of 1024). */
static const struct {
	const char	*v;
	uint64_t	 want;	/* UINT64_MAX: an error */
} size_cases[] = {
	{ "0", 0 }, { "2048", 2048 }, { "512K", 524288 }, { "512k", 524288 },
	{ "10M", 10485760 }, { "1G", 1073741824 }, { "10X", UINT64_MAX },
	{ "M", UINT64_MAX }, { "-1", UINT64_MAX }, { "1.5M", UINT64_MAX },
	{ "99999999999999999999", UINT64_MAX }, { "20000000000G", UINT64_MAX },
};

START_TEST(size_table)
{
	struct cfg_diag	 d;
	struct config	*cfg;
	char		 text[256], want[256];

	snprintf(text, sizeof(text), "[account a]\naddress = a@b.org\n"
	    "incoming = imaps://h\nmax-size = %s\n", size_cases[_i].v);
	cfg = parse(text, &d);
	if (size_cases[_i].want == UINT64_MAX) {
		ck_assert_ptr_null(cfg);
		ck_assert_uint_eq(d.nerrors, 1);
		snprintf(want, sizeof(want), TNAME ":4: max-size: expected a "
		    "size such as 0, 512K, 10M or 1G, got '%s'",
		    size_cases[_i].v);
		ck_assert_str_eq(d.errors[0], want);
	} else {
		ck_assert_ptr_nonnull(cfg);
		ck_assert_uint_eq(cfg->accounts[0].max_size,
		    size_cases[_i].want);
	}
	cfg_free(&cfg);
	cfg_diag_free(&d);
}
END_TEST

/* All messages of d, one a line, for failure reports. */
static const char *
dump_diag(const struct cfg_diag *d)
{
	static char	out[8192];
	size_t		i;

	out[0] = '\0';
	for (i = 0; i < d->nerrors; i++) {
		(void)fct_strlcat(out, "\n  E: ", sizeof(out));
		(void)fct_strlcat(out, d->errors[i], sizeof(out));
	}
	for (i = 0; i < d->nwarnings; i++) {
		(void)fct_strlcat(out, "\n  W: ", sizeof(out));
		(void)fct_strlcat(out, d->warnings[i], sizeof(out));
	}
	return out[0] ? out : " (none)";
}

/* The LINE of "test.conf:LINE: ...", or 0 for "test.conf: ...". */
static int
msg_line(const char *msg)
{
	const char	*s = msg + strlen(TNAME);

	ck_assert_msg(strncmp(msg, TNAME, strlen(TNAME)) == 0,
	    "expected message does not start with " TNAME ": %s", msg);
	return *s == ':' ? atoi(s + 1) : 0;
}

/*
 * Assert that the messages are exactly want (NULL-terminated), in order,
 * with the lines the texts say.
 */
static void
assert_msgs(char **got, const int *lines, size_t n, const char *const *want,
    const char *what, const struct cfg_diag *d)
{
	size_t	i, nwant = 0;

	while (nwant < MAXMSGS && want[nwant] != NULL)
		nwant++;
	for (i = 0; i < nwant && i < n; i++) {
		ck_assert_msg(strcmp(got[i], want[i]) == 0,
		    "%s %zu:\n  got  '%s'\n  want '%s'\nall:%s", what, i,
		    got[i], want[i], dump_diag(d));
		ck_assert_int_eq(lines[i], msg_line(want[i]));
	}
	ck_assert_msg(n == nwant, "%zu %ss, want %zu:%s", n, what, nwant,
	    dump_diag(d));
}

static const char *
str_or_null(const char *s)
{
	return s != NULL ? s : "(null)";
}

static const char *
yes_no(bool b)
{
	return b ? "yes" : "no";
}

/* Our own names, so that a mix-up in the library's tables shows. */
static const char *
scheme_str(enum cfg_scheme s)
{
	switch (s) {
	case CFG_SCHEME_NONE:		return "none";
	case CFG_SCHEME_IMAPS:		return "imaps";
	case CFG_SCHEME_IMAP:		return "imap";
	case CFG_SCHEME_POP3S:		return "pop3s";
	case CFG_SCHEME_POP3:		return "pop3";
	case CFG_SCHEME_MAILDIR:	return "maildir";
	case CFG_SCHEME_SMTPS:		return "smtps";
	case CFG_SCHEME_SMTP:		return "smtp";
	}
	return "BAD";
}

static const char *
tls_str(enum cfg_tls t)
{
	switch (t) {
	case CFG_TLS_IMPLICIT:	return "implicit";
	case CFG_TLS_STARTTLS:	return "starttls";
	case CFG_TLS_NONE:	return "none";
	}
	return "BAD";
}

static const char *
sort_str(enum cfg_sort s)
{
	switch (s) {
	case CFG_SORT_THREADS:		return "threads";
	case CFG_SORT_DATE:		return "date";
	case CFG_SORT_DATE_REVERSE:	return "date-reverse";
	case CFG_SORT_FROM:		return "from";
	case CFG_SORT_SUBJECT:		return "subject";
	case CFG_SORT_SIZE:		return "size";
	}
	return "BAD";
}

static const char *
auth_str(enum cfg_auth a)
{
	switch (a) {
	case CFG_AUTH_AUTO:		return "auto";
	case CFG_AUTH_PLAIN:		return "plain";
	case CFG_AUTH_LOGIN:		return "login";
	case CFG_AUTH_XOAUTH2:		return "xoauth2";
	case CFG_AUTH_OAUTHBEARER:	return "oauthbearer";
	case CFG_AUTH_APOP:		return "apop";
	}
	return "BAD";
}

static const char *
menu_str(enum cfg_menu m)
{
	switch (m) {
	case CFG_MENU_INDEX:	return "index";
	case CFG_MENU_PAGER:	return "pager";
	case CFG_MENU_COMPOSE:	return "compose";
	case CFG_MENU_COUNT:	break;
	}
	return "BAD";
}

static const char *
server_field(const struct cfg_server *s, const char *f, char *out, size_t n)
{
	if (strcmp(f, "scheme") == 0)
		return scheme_str(s->scheme);
	if (strcmp(f, "user") == 0)
		return str_or_null(s->user);
	if (strcmp(f, "host") == 0)
		return str_or_null(s->host);
	if (strcmp(f, "port") == 0)
		return str_or_null(s->port);
	if (strcmp(f, "path") == 0)
		return str_or_null(s->path);
	if (strcmp(f, "tls") == 0)
		return tls_str(s->tls);
	if (strcmp(f, "line") == 0) {
		(void)snprintf(out, n, "%d", s->line);
		return out;
	}
	ck_abort_msg("unknown server field '%s'", f);
	return NULL;
}

static const char *
account_field(const struct cfg_account *a, const char *f, char *out,
    size_t n)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} strs[] = {
		{ "name", offsetof(struct cfg_account, name) },
		{ "address", offsetof(struct cfg_account, address) },
		{ "address-name", offsetof(struct cfg_account, address_name) },
		{ "address-spec", offsetof(struct cfg_account, address_spec) },
		{ "user", offsetof(struct cfg_account, real_user) },
		{ "password", offsetof(struct cfg_account, password) },
		{ "password-command",
		    offsetof(struct cfg_account, password_command) },
		{ "outgoing-password",
		    offsetof(struct cfg_account, outgoing_password) },
		{ "outgoing-password-command",
		    offsetof(struct cfg_account, outgoing_password_command) },
		{ "tls-ca-file", offsetof(struct cfg_account, tls_ca_file) },
		{ "signature-file",
		    offsetof(struct cfg_account, signature_file) },
		{ "sent-folder", offsetof(struct cfg_account, sent_folder) },
		{ "drafts-folder",
		    offsetof(struct cfg_account, drafts_folder) },
		{ "trash-folder", offsetof(struct cfg_account, trash_folder) },
		{ "junk-folder", offsetof(struct cfg_account, junk_folder) },
		{ "store", offsetof(struct cfg_account, store_path) },
	};
	size_t	i;

	for (i = 0; i < NITEMS(strs); i++)
		if (strcmp(f, strs[i].name) == 0)
			return str_or_null(*(char *const *)(const void *)
			    ((const char *)a + strs[i].off));
	if (strncmp(f, "in.", 3) == 0)
		return server_field(&a->incoming, f + 3, out, n);
	if (strncmp(f, "out.", 4) == 0)
		return server_field(&a->outgoing, f + 4, out, n);
	if (strcmp(f, "default") == 0)
		return yes_no(a->is_default);
	if (strcmp(f, "starttls") == 0)
		return yes_no(a->starttls);
	if (strcmp(f, "allow-plaintext-password") == 0)
		return yes_no(a->allow_plaintext_password);
	if (strcmp(f, "auth") == 0)
		return auth_str(a->auth);
	if (strcmp(f, "keep") == 0)
		(void)snprintf(out, n, "%lld", (long long)a->keep_on_server);
	else if (strcmp(f, "check-interval") == 0)
		(void)snprintf(out, n, "%lld", (long long)a->check_interval);
	else if (strcmp(f, "line") == 0)
		(void)snprintf(out, n, "%d", a->line);
	else
		ck_abort_msg("unknown account field '%s'", f);
	return out;
}

/*
 * A field of cfg as text: "editor", "sort", ... for [general];
 * "N.FIELD" for account N; "bind.N" as "MENU KEY ACTION LINE";
 * "color.OBJ" as "FG/BG/ATTRS/SET"; "naccounts", "nbinds".
 */
static const char *
field(const struct config *c, const char *f, char *out, size_t n)
{
	const struct cfg_general	*g = &c->general;
	size_t				 i;

	if (f[0] >= '0' && f[0] <= '9') {
		char	*end;
		size_t	 idx = strtoul(f, &end, 10);

		ck_assert_msg(*end == '.', "bad field '%s'", f);
		ck_assert_msg(idx < c->naccounts, "no account %zu (%zu)", idx,
		    c->naccounts);
		return account_field(&c->accounts[idx], end + 1, out, n);
	}
	if (strncmp(f, "bind.", 5) == 0) {
		i = strtoul(f + 5, NULL, 10);
		ck_assert_msg(i < c->nbinds, "no binding %zu (%zu)", i,
		    c->nbinds);
		(void)snprintf(out, n, "%s %s %s %d",
		    menu_str(c->binds[i].menu), c->binds[i].key,
		    c->binds[i].action, c->binds[i].line);
		return out;
	}
	if (strncmp(f, "color.", 6) == 0) {
		for (i = 0; i < CFG_COLOR_COUNT; i++) {
			const struct cfg_color	*k = &c->colors[i];

			if (strcmp(cfg_color_obj_name(i), f + 6) != 0)
				continue;
			(void)snprintf(out, n, "%d/%d/%d/%s", k->fg, k->bg,
			    k->attrs, yes_no(k->set));
			return out;
		}
		ck_abort_msg("unknown colour object in '%s'", f);
	}
	if (strcmp(f, "naccounts") == 0)
		(void)snprintf(out, n, "%zu", c->naccounts);
	else if (strcmp(f, "nbinds") == 0)
		(void)snprintf(out, n, "%zu", c->nbinds);
	else if (strcmp(f, "path") == 0)
		return str_or_null(c->path);
	else if (strcmp(f, "editor") == 0)
		return str_or_null(g->editor);
	else if (strcmp(f, "sort") == 0)
		return sort_str(g->sort);
	else if (strcmp(f, "mail-root") == 0)
		return str_or_null(g->mail_root);
	else if (strcmp(f, "html-command") == 0)
		return str_or_null(g->html_command);
	else if (strcmp(f, "fallback-charset") == 0)
		return str_or_null(g->fallback_charset);
	else if (strcmp(f, "alias-file") == 0)
		return str_or_null(g->alias_file);
	else if (strcmp(f, "check-interval") == 0)
		(void)snprintf(out, n, "%lld", (long long)g->check_interval);
	else if (strcmp(f, "sidebar") == 0)
		return yes_no(g->sidebar);
	else if (strcmp(f, "format-flowed") == 0)
		return yes_no(g->format_flowed);
	else if (strcmp(f, "forward-attachment") == 0)
		return yes_no(g->forward_attachment);
	else
		ck_abort_msg("unknown field '%s'", f);
	return out;
}

/*
 * What the current test holds, freed by the checked teardown too, so that
 * a failing assertion leaks nothing under CK_FORK=no.
 */
static struct config	*t_cfg;
static struct cfg_diag	 t_diag;
static char		*t_text;

static void
guard_setup(void)
{
	t_cfg = NULL;
	memset(&t_diag, 0, sizeof(t_diag));
	t_text = NULL;
}

static void
guard_teardown(void)
{
	cfg_free(&t_cfg);
	cfg_diag_free(&t_diag);
	free(t_text);
	t_text = NULL;
}

/* ------------------------------------------------------------------ */
/* Valid files                                                         */

struct fcheck {
	const char	*field;
	const char	*want;
};

/* A valid account, three lines, for cases about something else. */
#define ACCT_A	"[account a]\naddress = a@x.org\n" \
	"incoming = imaps://imap.x.org\n"

static const struct {
	const char	*text;
	struct fcheck	 checks[MAXCHECKS];
} valid_cases[] = {
	/* Nothing at all: the defaults. */
	{ "", {
		{ "naccounts", "0" }, { "nbinds", "0" },
		{ "path", TNAME }, { "editor", "(null)" },
		{ "sort", "threads" }, { "mail-root", "/home/test/Mail" },
		{ "html-command", "(null)" },
		{ "fallback-charset", "windows-1252" },
		{ "alias-file", "(null)" }, { "check-interval", "300" },
		{ "sidebar", "yes" }, { "format-flowed", "no" },
		{ "forward-attachment", "no" },
		{ "color.normal", "-1/-1/0/no" },
		{ "color.sidebar-new", "-1/-1/0/no" } } },
	/* Comments, blank lines, blanks around everything, no final NL. */
	{ "# a comment\n\n   # indented comment\n\t[general]\t# c\n"
	  "\teditor\t=\tvim\t\n  sort=date  ", {
		{ "editor", "vim" }, { "sort", "date" },
		{ "naccounts", "0" } } },
	/* CRLF line ends. */
	{ "[general]\r\neditor = vim\r\nsort = size\r\n", {
		{ "editor", "vim" }, { "sort", "size" } } },
	/* Every [general] key. */
	{ "[general]\neditor = emacs -nw\nsort = date-reverse\n"
	  "mail-root = /var/mail/j\nhtml-command = w3m -dump -T text/html\n"
	  "fallback-charset = iso-8859-15\nalias-file = ~/.aliases\n"
	  "check-interval = 2m\nsidebar = no\nformat-flowed = yes\n"
	  "forward-attachment = on\n", {
		{ "editor", "emacs -nw" }, { "sort", "date-reverse" },
		{ "mail-root", "/var/mail/j" },
		{ "html-command", "w3m -dump -T text/html" },
		{ "fallback-charset", "iso-8859-15" },
		{ "alias-file", "/home/test/.aliases" },
		{ "check-interval", "120" }, { "sidebar", "no" },
		{ "format-flowed", "yes" },
		{ "forward-attachment", "yes" } } },
	/* Section and key names are case-insensitive; blanks in brackets. */
	{ "[GENERAL]\nEDITOR = vi\nSort = FROM\n[ Account  perso ]\n"
	  "Address = p@x.org\nINCOMING = IMAPS://Imap.X.org\n", {
		{ "editor", "vi" }, { "sort", "from" },
		{ "0.name", "perso" }, { "0.in.scheme", "imaps" },
		{ "0.in.host", "Imap.X.org" }, { "0.in.port", "993" } } },
	/* [general] may appear twice with different keys. */
	{ "[general]\neditor = vi\n[general]\nsort = subject\n", {
		{ "editor", "vi" }, { "sort", "subject" } } },

	/* ---- servers: default ports, TLS modes ---- */
	{ "[account a]\naddress = a@x.org\nincoming = imaps://imap.x.org\n"
	  "outgoing = smtps://smtp.x.org\n", {
		{ "0.name", "a" }, { "0.line", "1" }, { "0.default", "yes" },
		{ "0.in.scheme", "imaps" }, { "0.in.host", "imap.x.org" },
		{ "0.in.port", "993" }, { "0.in.tls", "implicit" },
		{ "0.in.user", "(null)" }, { "0.in.path", "(null)" },
		{ "0.in.line", "3" },
		{ "0.out.scheme", "smtps" }, { "0.out.host", "smtp.x.org" },
		{ "0.out.port", "465" }, { "0.out.tls", "implicit" },
		{ "0.out.line", "4" }, { "0.user", "a@x.org" },
		{ "0.starttls", "yes" }, { "0.auth", "auto" },
		{ "0.store", "/home/test/Mail/a" },
		{ "0.keep", "1209600" }, { "0.check-interval", "0" } } },
	{ "[account a]\naddress = a@x.org\nincoming = imap://imap.x.org\n"
	  "outgoing = smtp://smtp.x.org\n", {
		{ "0.in.scheme", "imap" }, { "0.in.port", "143" },
		{ "0.in.tls", "starttls" },
		{ "0.out.scheme", "smtp" }, { "0.out.port", "587" },
		{ "0.out.tls", "starttls" } } },
	{ "[account a]\naddress = a@x.org\nincoming = pop3s://pop.x.org\n", {
		{ "0.in.scheme", "pop3s" }, { "0.in.port", "995" },
		{ "0.in.tls", "implicit" }, { "0.out.scheme", "none" },
		{ "0.keep", "1209600" } } },
	{ "[account a]\naddress = a@x.org\nincoming = pop3://pop.x.org\n", {
		{ "0.in.scheme", "pop3" }, { "0.in.port", "110" },
		{ "0.in.tls", "starttls" } } },
	/* An explicit port wins; leading zeros are normalised. */
	{ "[account a]\naddress = a@x.org\nincoming = imaps://h.x.org:1993\n"
	  "outgoing = smtp://s.x.org:25\n", {
		{ "0.in.port", "1993" }, { "0.in.host", "h.x.org" },
		{ "0.out.port", "25" }, { "0.out.tls", "starttls" } } },
	{ "[account a]\naddress = a@x.org\nincoming = pop3://h:65535\n"
	  "outgoing = smtps://s:1\n", {
		{ "0.in.port", "65535" }, { "0.out.port", "1" } } },
	{ "[account a]\naddress = a@x.org\nincoming = imap://h:00143\n", {
		{ "0.in.port", "143" } } },
	/* A single trailing slash is allowed. */
	{ "[account a]\naddress = a@x.org\nincoming = imaps://h.x.org/\n", {
		{ "0.in.host", "h.x.org" }, { "0.in.port", "993" } } },
	/* IPv6 literals. */
	{ "[account a]\naddress = a@x.org\nincoming = imaps://[::1]:1993\n"
	  "outgoing = smtps://[2001:db8::25]\n", {
		{ "0.in.host", "::1" }, { "0.in.port", "1993" },
		{ "0.out.host", "2001:db8::25" }, { "0.out.port", "465" } } },

	/* ---- user names ---- */
	{ "[account a]\naddress = Jeanne <jeanne@example.fr>\n"
	  "incoming = imaps://jmartin@imap.example.fr\n"
	  "outgoing = smtps://smtp.example.fr\n", {
		{ "0.in.user", "jmartin" }, { "0.user", "jmartin" },
		{ "0.out.user", "(null)" },
		{ "0.in.host", "imap.example.fr" } } },
	/* The URL is split at the last '@'. */
	{ "[account a]\naddress = a@x.org\n"
	  "incoming = imaps://jeanne@example.fr@imap.example.fr\n"
	  "outgoing = smtps://j@x@y@smtp.example.fr:2465\n", {
		{ "0.in.user", "jeanne@example.fr" },
		{ "0.user", "jeanne@example.fr" },
		{ "0.in.host", "imap.example.fr" }, { "0.in.port", "993" },
		{ "0.out.user", "j@x@y" },
		{ "0.out.host", "smtp.example.fr" },
		{ "0.out.port", "2465" } } },
	/* Percent-encoded user names. */
	{ "[account a]\naddress = a@x.org\n"
	  "incoming = imaps://jeanne%40example.fr@imap.example.fr\n"
	  "outgoing = smtp://a%2fb%3Ac%25@smtp.example.fr\n", {
		{ "0.in.user", "jeanne@example.fr" },
		{ "0.user", "jeanne@example.fr" },
		{ "0.in.host", "imap.example.fr" },
		{ "0.out.user", "a/b:c%" } } },
	/* No user in the URL: the address (without the display name). */
	{ "[account a]\naddress = \"Martin, Jeanne\" <jeanne@example.fr>\n"
	  "incoming = pop3s://pop.example.fr\n", {
		{ "0.user", "jeanne@example.fr" },
		{ "0.address", "\"Martin, Jeanne\" <jeanne@example.fr>" },
		{ "0.address-name", "Martin, Jeanne" },
		{ "0.address-spec", "jeanne@example.fr" } } },
	{ "[account a]\naddress = <solo@example.fr>\n"
	  "incoming = imaps://h\n", {
		{ "0.address-name", "(null)" },
		{ "0.address-spec", "solo@example.fr" } } },
	{ "[account a]\naddress = Jeanne Martin\t<jeanne@example.fr>\n"
	  "incoming = imaps://h\n", {
		{ "0.address-name", "Jeanne Martin" },
		{ "0.address-spec", "jeanne@example.fr" } } },

	/* ---- maildir, paths and expansion ---- */
	{ "[account a]\naddress = a@x.org\nincoming = maildir://~/Maildir\n", {
		{ "0.in.scheme", "maildir" },
		{ "0.in.path", "/home/test/Maildir" },
		{ "0.in.host", "(null)" }, { "0.in.port", "(null)" },
		{ "0.store", "/home/test/Maildir" },
		{ "0.user", "a@x.org" } } },
	{ "[account a]\naddress = a@x.org\n"
	  "incoming = maildir:///var/mail/jeanne//\n", {
		{ "0.in.path", "/var/mail/jeanne" },
		{ "0.store", "/var/mail/jeanne" } } },
	{ "[account a]\naddress = a@x.org\n"
	  "incoming = maildir://$MAILDIRS/a\n", {
		{ "0.in.path", "/srv/mail/a" } } },
	{ "[account a]\naddress = a@x.org\n"
	  "incoming = maildir://${MAILDIRS}x/$USER.d\n", {
		{ "0.in.path", "/srv/mailx/jeanne.d" } } },
	/* $$ is a dollar, and what follows it is not expanded again. */
	{ "[account a]\naddress = a@x.org\n"
	  "incoming = maildir:///tmp/$$HOME/a$$$USER\n", {
		{ "0.in.path", "/tmp/$HOME/a$jeanne" } } },
	/* An empty variable is set: it expands to nothing. */
	{ "[account a]\naddress = a@x.org\n"
	  "incoming = maildir://$EMPTY/m\n", {
		{ "0.in.path", "/m" } } },
	{ "[general]\nmail-root = ~\n" ACCT_A, {
		{ "mail-root", "/home/test" },
		{ "0.store", "/home/test/a" } } },
	{ "[general]\nmail-root = ~/Courrier/\n" ACCT_A, {
		{ "mail-root", "/home/test/Courrier" },
		{ "0.store", "/home/test/Courrier/a" } } },
	{ "[general]\nmail-root = ${MAILDIRS}/$USER\n" ACCT_A, {
		{ "mail-root", "/srv/mail/jeanne" },
		{ "0.store", "/srv/mail/jeanne/a" } } },
	{ ACCT_A "tls-ca-file = ~/certs/ca.pem\n"
	  "signature-file = /etc/sig\n", {
		{ "0.tls-ca-file", "/home/test/certs/ca.pem" },
		{ "0.signature-file", "/etc/sig" } } },

	/* ---- durations and keep-on-server ---- */
	{ "[general]\ncheck-interval = 30s\n[account a]\naddress = a@x.org\n"
	  "incoming = pop3s://h\ncheck-interval = 10m\n"
	  "keep-on-server = forever\n", {
		{ "check-interval", "30" }, { "0.check-interval", "600" },
		{ "0.keep", "-1" } } },
	{ "[account a]\naddress = a@x.org\nincoming = pop3://h\n"
	  "keep-on-server = 0\ncheck-interval = 2h\n", {
		{ "0.keep", "0" }, { "0.check-interval", "7200" } } },
	{ "[account a]\naddress = a@x.org\nincoming = pop3s://h\n"
	  "keep-on-server = 30d\ncheck-interval = 1w\n", {
		{ "0.keep", "2592000" }, { "0.check-interval", "604800" } } },
	{ "[account a]\naddress = a@x.org\nincoming = pop3s://h\n"
	  "keep-on-server = FOREVER\n", {
		{ "0.keep", "-1" } } },

	/* ---- quoting and comments ---- */
	{ "[general]\neditor = \"vim -c \\\"set tw=72\\\"\"\n", {
		{ "editor", "vim -c \"set tw=72\"" } } },
	{ "[general]\neditor = \"a\\\\b\\tc\\nd\"   # comment\n", {
		{ "editor", "a\\b\tc\nd" } } },
	/* Inside whole-value quotes, '#' and blanks are kept. */
	{ "[general]\neditor = \"  spaced  #not a comment \" # one\n", {
		{ "editor", "  spaced  #not a comment " } } },
	/* '#' starts a comment only at the start or after a blank. */
	{ "[general]\nhtml-command = w3m#x\neditor = vi # a comment\n"
	  "[account a]\naddress = a@x.org\nincoming = imaps://h\n"
	  "password = abc#def\n", {
		{ "html-command", "w3m#x" }, { "editor", "vi" },
		{ "0.password", "abc#def" } } },
	{ ACCT_A "password = abc #def\n", {
		{ "0.password", "abc" } } },
	{ ACCT_A "password = abc\t#def\n", {
		{ "0.password", "abc" } } },
	/* Text after the closing quote: the quotes are text. */
	{ "[general]\neditor = \"vim\" -x\nhtml-command = a \"b c\" d\n", {
		{ "editor", "\"vim\" -x" },
		{ "html-command", "a \"b c\" d" } } },
	{ "[general]\neditor = \"a\" b # comment\n", {
		{ "editor", "\"a\" b" } } },
	/* A backslash outside quotes is a backslash. */
	{ "[general]\neditor = C:\\new\\tab\n", {
		{ "editor", "C:\\new\\tab" } } },
	{ ACCT_A "password-command = \"pass show \\\"mail #2\\\"\"\n", {
		{ "0.password-command", "pass show \"mail #2\"" } } },
	{ ACCT_A "password = \"with \\\"quotes\\\" and # hash\"\n", {
		{ "0.password", "with \"quotes\" and # hash" } } },
	/* A quoted key means the unquoted name. */
	{ "[general]\n\"editor\" = vi\n", {
		{ "editor", "vi" } } },
	/* '=' in a value. */
	{ "[general]\nhtml-command = a=b == c\n", {
		{ "html-command", "a=b == c" } } },

	/* ---- accounts: default, store path, names, every key ---- */
	{ ACCT_A "[account b]\naddress = b@x.org\nincoming = imaps://h\n", {
		{ "naccounts", "2" }, { "0.default", "yes" },
		{ "1.default", "no" }, { "1.name", "b" }, { "1.line", "4" },
		{ "0.store", "/home/test/Mail/a" },
		{ "1.store", "/home/test/Mail/b" } } },
	{ ACCT_A "[account b]\naddress = b@x.org\nincoming = imaps://h\n"
	  "default = yes\n", {
		{ "0.default", "no" }, { "1.default", "yes" } } },
	{ ACCT_A "default = no\n[account b]\naddress = b@x.org\n"
	  "incoming = imaps://h\n", {
		{ "0.default", "yes" }, { "1.default", "no" } } },
	{ "[account my.acct_2-X]\naddress = a@x.org\nincoming = imaps://h\n", {
		{ "0.name", "my.acct_2-X" },
		{ "0.store", "/home/test/Mail/my.acct_2-X" } } },
	{ "[account " A64 "]\naddress = a@x.org\nincoming = imaps://h\n", {
		{ "0.name", A64 } } },
	{ "[account a]\naddress = a@x.org\nincoming = imaps://h\n"
	  "outgoing = smtps://s\npassword-command = pass show a\n"
	  "outgoing-password = out-pw\nauth = xoauth2\n"
	  "sent-folder = Archives/2024/Sent\ndrafts-folder = Drafts\n"
	  "trash-folder = Corbeille\njunk-folder = INBOX.Junk\n", {
		{ "0.password", "(null)" },
		{ "0.password-command", "pass show a" },
		{ "0.outgoing-password", "out-pw" },
		{ "0.outgoing-password-command", "(null)" },
		{ "0.auth", "xoauth2" },
		{ "0.sent-folder", "Archives/2024/Sent" },
		{ "0.drafts-folder", "Drafts" },
		{ "0.trash-folder", "Corbeille" },
		{ "0.junk-folder", "INBOX.Junk" } } },
	{ ACCT_A "outgoing = smtps://s\nauth = OAuthBearer\n"
	  "password-command = tok\n"
	  "outgoing-password-command = tok2\n", {
		{ "0.auth", "oauthbearer" },
		{ "0.outgoing-password-command", "tok2" } } },
	{ ACCT_A "auth = plain\n", { { "0.auth", "plain" } } },
	{ ACCT_A "auth = LOGIN\n", { { "0.auth", "login" } } },
	/* starttls = no without a password: plaintext, accepted. */
	{ "[account a]\naddress = a@x.org\nincoming = imap://h\n"
	  "outgoing = smtp://s\nstarttls = no\n", {
		{ "0.starttls", "no" }, { "0.in.tls", "none" },
		{ "0.out.tls", "none" } } },
	/* Only the plaintext side changes. */
	{ "[account a]\naddress = a@x.org\nincoming = imaps://h\n"
	  "outgoing = smtp://s\nstarttls = false\n", {
		{ "0.in.tls", "implicit" }, { "0.out.tls", "none" } } },
	{ "[account a]\naddress = a@x.org\nincoming = pop3://h\n"
	  "outgoing = smtps://s\nstarttls = off\n", {
		{ "0.in.tls", "none" }, { "0.out.tls", "implicit" } } },
	/* With a password, allow-plaintext-password = yes accepts it. */
	{ "[account a]\naddress = a@x.org\nincoming = imap://h\n"
	  "outgoing = smtp://s\nstarttls = no\npassword = pw\n"
	  "allow-plaintext-password = yes\n", {
		{ "0.in.tls", "none" }, { "0.out.tls", "none" },
		{ "0.allow-plaintext-password", "yes" },
		{ "0.password", "pw" } } },

	/* ---- key bindings ---- */
	{ "[bind index]\nJ = next-unread\n<c-r> = redraw\n^r = sync\n"
	  "<pgdn> = page-down\n\"=\" = search\n== search-next\n"
	  "\xc3\xa9 = help\n<C-X> = quit\n<RETURN> = open\n\"#\" = tag\n"
	  "\"[\" = limit\n$ = Sync-All\n<f12> = noop\n<escape> = noop\n"
	  "[bind pager]\n<Space> = page-down\n<PgUp> = page-up\n"
	  "[BIND Compose]\ny = SEND\n<tab> = attach\n", {
		{ "nbinds", "18" },
		{ "bind.0", "index J next-unread 2" },
		{ "bind.1", "index ^R redraw 3" },
		{ "bind.2", "index ^R sync 4" },
		{ "bind.3", "index <PageDown> page-down 5" },
		{ "bind.4", "index = search 6" },
		{ "bind.5", "index = search-next 7" },
		{ "bind.6", "index \xc3\xa9 help 8" },
		{ "bind.7", "index ^X quit 9" },
		{ "bind.8", "index <Enter> open 10" },
		{ "bind.9", "index # tag 11" },
		{ "bind.10", "index [ limit 12" },
		{ "bind.11", "index $ sync-all 13" },
		{ "bind.12", "index <F12> noop 14" },
		{ "bind.13", "index <Esc> noop 15" },
		{ "bind.14", "pager <Space> page-down 17" },
		{ "bind.15", "pager <PageUp> page-up 18" },
		{ "bind.16", "compose y send 20" },
		{ "bind.17", "compose <Tab> attach 21" },
		{ "naccounts", "0" } } },
	/* Quoted keys take escapes; "= = x" binds '=' too. */
	{ "[bind index]\n\"\\\"\" = reply\n\"\\\\\" = help\n= = search\n", {
		{ "nbinds", "3" },
		{ "bind.0", "index \" reply 2" },
		{ "bind.1", "index \\ help 3" },
		{ "bind.2", "index = search 4" } } },
	/* A 4-byte UTF-8 character; the same menu twice; rebinding. */
	{ "[bind pager]\n\xf0\x9f\x93\xa7 = attachments\nq = exit\n"
	  "[bind pager]\nq = noop\n", {
		{ "nbinds", "3" },
		{ "bind.0", "pager \xf0\x9f\x93\xa7 attachments 2" },
		{ "bind.1", "pager q exit 3" },
		{ "bind.2", "pager q noop 5" } } },

	/* ---- colours ---- */
	{ "[color]\nindicator = white on blue bold\nstatus = color208\n"
	  "error = brightred\nheader = bold\n"
	  "normal = default on black underline reverse dim\n"
	  "quoted = Bold Green ON Color0\ntree = BRIGHTWHITE on brightblack\n"
	  "url = color255 on color0\n", {
		{ "color.indicator", "7/4/1/yes" },
		{ "color.status", "208/-1/0/yes" },
		{ "color.error", "9/-1/0/yes" },
		{ "color.header", "-1/-1/1/yes" },
		{ "color.normal", "-1/0/14/yes" },
		{ "color.quoted", "2/0/1/yes" },
		{ "color.tree", "15/8/0/yes" },
		{ "color.url", "255/0/0/yes" },
		{ "color.new", "-1/-1/0/no" } } },
	{ "[colour]\nsidebar-new = yellow\n", {
		{ "color.sidebar-new", "3/-1/0/yes" },
		{ "color.sidebar", "-1/-1/0/no" } } },
};

START_TEST(parse_valid_table)
{
	char		 buf[256];
	size_t		 i;

	t_cfg = parse(valid_cases[_i].text, &t_diag);
	ck_assert_msg(t_cfg != NULL, "case %d rejected:%s", _i,
	    dump_diag(&t_diag));
	ck_assert_msg(t_diag.nerrors == 0 && t_diag.nwarnings == 0,
	    "case %d: messages:%s", _i, dump_diag(&t_diag));
	for (i = 0; i < MAXCHECKS && valid_cases[_i].checks[i].field; i++) {
		const struct fcheck	*c = &valid_cases[_i].checks[i];
		const char		*got = field(t_cfg, c->field, buf,
		    sizeof(buf));

		ck_assert_msg(strcmp(got, c->want) == 0,
		    "case %d: %s is '%s', want '%s'", _i, c->field, got,
		    c->want);
	}
	cfg_free(&t_cfg);
	ck_assert_ptr_null(t_cfg);
	cfg_diag_free(&t_diag);
}
END_TEST

/* Booleans, in every spelling: "[general]\nsidebar = X". */
static const struct {
	const char	*in;
	int		 want;	/* 1 yes, 0 no, -1 rejected */
} bool_cases[] = {
	{ "yes", 1 }, { "true", 1 }, { "on", 1 }, { "1", 1 },
	{ "YES", 1 }, { "True", 1 }, { "oN", 1 },
	{ "no", 0 }, { "false", 0 }, { "off", 0 }, { "0", 0 },
	{ "NO", 0 }, { "False", 0 }, { "OFF", 0 },
	{ "maybe", -1 }, { "y", -1 }, { "n", -1 }, { "2", -1 },
	{ "yes!", -1 }, { "\"\"", -1 }, { "enabled", -1 },
};

START_TEST(bool_table)
{
	char		 text[128], want[128];

	/* Default yes, so set format-flowed (default no) as well. */
	(void)snprintf(text, sizeof(text), "[general]\nsidebar = %s\n"
	    "format-flowed = %s\n", bool_cases[_i].in, bool_cases[_i].in);
	t_cfg = parse(text, &t_diag);
	if (bool_cases[_i].want < 0) {
		ck_assert_ptr_null(t_cfg);
		ck_assert_uint_eq(t_diag.nerrors, 2);
		(void)snprintf(want, sizeof(want), TNAME ":2: sidebar: "
		    "expected yes or no, got '%s'", strcmp(bool_cases[_i].in,
		    "\"\"") == 0 ? "" : bool_cases[_i].in);
		ck_assert_str_eq(t_diag.errors[0], want);
	} else {
		ck_assert_msg(t_cfg != NULL, "'%s':%s", bool_cases[_i].in,
		    dump_diag(&t_diag));
		ck_assert_int_eq(t_cfg->general.sidebar, bool_cases[_i].want);
		ck_assert_int_eq(t_cfg->general.format_flowed,
		    bool_cases[_i].want);
	}
	cfg_free(&t_cfg);
	cfg_diag_free(&t_diag);
}
END_TEST

/* Durations ("check-interval") and keep-on-server. */
static const struct {
	const char	*in;
	int64_t		 dur;	/* -2: not a duration */
	int64_t		 keep;	/* -2: not a keep value */
} dur_cases[] = {
	{ "30s", 30, 30 }, { "10m", 600, 600 }, { "2h", 7200, 7200 },
	{ "14d", 1209600, 1209600 }, { "1w", 604800, 604800 },
	{ "0", 0, 0 }, { "0s", 0, 0 }, { "0d", 0, 0 },
	{ "90s", 90, 90 }, { "3200000000s", 3200000000LL, 3200000000LL },
	{ "5291w", 5291LL * 604800, 5291LL * 604800 },
	{ "forever", -2, CFG_KEEP_FOREVER }, { "Forever", -2, -1 },
	{ "3200000001s", -2, -2 }, { "5292w", -2, -2 },
	{ "37038d", -2, -2 },
	{ "5", -2, -2 }, { "10", -2, -2 }, { "00", -2, -2 },
	{ "30S", -2, -2 }, { "1d2h", -2, -2 }, { "-1d", -2, -2 },
	{ "+1d", -2, -2 }, { "1.5h", -2, -2 }, { "d", -2, -2 },
	{ "5 minutes", -2, -2 }, { "1 d", -2, -2 }, { "never", -2, -2 },
	{ "99999999999999999999s", -2, -2 },
};

START_TEST(duration_table)
{
	char		 text[256], want[256];

	(void)snprintf(text, sizeof(text), "[general]\ncheck-interval = %s\n"
	    "[account a]\naddress = a@x.org\nincoming = pop3s://h\n"
	    "keep-on-server = %s\n", dur_cases[_i].in, dur_cases[_i].in);
	t_cfg = parse(text, &t_diag);
	if (dur_cases[_i].dur == -2) {
		(void)snprintf(want, sizeof(want), TNAME ":2: check-interval: "
		    "expected a duration such as 30s, 10m, 2h or 14d, got '%s'",
		    dur_cases[_i].in);
		ck_assert_uint_ge(t_diag.nerrors, 1);
		ck_assert_str_eq(t_diag.errors[0], want);
	}
	if (dur_cases[_i].keep == -2) {
		(void)snprintf(want, sizeof(want), TNAME ":6: keep-on-server: "
		    "expected 0, a duration such as 14d, or forever, got '%s'",
		    dur_cases[_i].in);
		ck_assert_uint_ge(t_diag.nerrors, 1);
		ck_assert_str_eq(t_diag.errors[t_diag.nerrors - 1], want);
	}
	if (dur_cases[_i].dur == -2 || dur_cases[_i].keep == -2) {
		ck_assert_ptr_null(t_cfg);
		ck_assert_uint_eq(t_diag.nerrors, (dur_cases[_i].dur == -2) +
		    (dur_cases[_i].keep == -2));
	} else {
		ck_assert_msg(t_cfg != NULL, "%s:%s", dur_cases[_i].in,
		    dump_diag(&t_diag));
		ck_assert_int_eq(t_cfg->general.check_interval,
		    dur_cases[_i].dur);
		ck_assert_int_eq(t_cfg->accounts[0].keep_on_server,
		    dur_cases[_i].keep);
	}
	cfg_free(&t_cfg);
	cfg_diag_free(&t_diag);
}
END_TEST

/* The longest line accepted is 8192 bytes, CR excluded. */
START_TEST(line_length_limit)
{
	static const struct {
		size_t	 len;	/* of the line, without CR and NL */
		bool	 cr;
		bool	 ok;
	} cases[] = {
		{ 8192, false, true }, { 8192, true, true },
		{ 8193, false, false }, { 8193, true, false },
		{ 100000, false, false },
	};
	size_t	i;

	for (i = 0; i < NITEMS(cases); i++) {
		struct cfg_diag	 d;
		struct config	*cfg;
		struct buf	 b;
		size_t		 vlen = cases[i].len - strlen("editor = ");

		buf_init(&b, 200000);
		ck_assert_int_eq(buf_append_str(&b, "[general]\neditor = "), 0);
		while (vlen-- > 0)
			ck_assert_int_eq(buf_append_byte(&b, 'v'), 0);
		ck_assert_int_eq(buf_append_str(&b, cases[i].cr ?
		    "\r\nsort = size\n" : "\nsort = size\n"), 0);
		cfg = parse_env(b.data, b.len, std_env, &d);
		if (cases[i].ok) {
			ck_assert_msg(cfg != NULL, "%zu:%s", cases[i].len,
			    dump_diag(&d));
			ck_assert_uint_eq(strlen(cfg->general.editor),
			    cases[i].len - strlen("editor = "));
			ck_assert_int_eq(cfg->general.sort, CFG_SORT_SIZE);
		} else {
			ck_assert_ptr_null(cfg);
			ck_assert_uint_eq(d.nerrors, 1);
			ck_assert_str_eq(d.errors[0], TNAME ":2: line longer "
			    "than 8192 bytes");
			ck_assert_int_eq(d.error_lines[0], 2);
		}
		cfg_free(&cfg);
		cfg_diag_free(&d);
		buf_free(&b);
	}
}
END_TEST

/* cfg_account(): by exact name, or the default. */
START_TEST(account_lookup)
{
	struct cfg_diag		 d;
	struct config		*cfg;
	const struct cfg_account *a;

	cfg = parse(ACCT_A "[account b]\naddress = b@x.org\n"
	    "incoming = imaps://h\ndefault = yes\n", &d);
	ck_assert_msg(cfg != NULL, "%s", dump_diag(&d));
	a = cfg_account(cfg, NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->name, "b");
	a = cfg_account(cfg, "a");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->address_spec, "a@x.org");
	ck_assert_ptr_eq(a, &cfg->accounts[0]);
	ck_assert_ptr_null(cfg_account(cfg, "c"));
	ck_assert_ptr_null(cfg_account(cfg, ""));
	cfg_free(&cfg);
	cfg_diag_free(&d);

	/* No account: no default either. */
	cfg = parse("[general]\n", &d);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_ptr_null(cfg_account(cfg, NULL));
	cfg_free(&cfg);
	cfg_diag_free(&d);
}
END_TEST

START_TEST(free_null)
{
	struct config	*cfg = NULL;
	struct cfg_diag	 d;

	cfg_free(NULL);
	cfg_free(&cfg);
	ck_assert_ptr_null(cfg);
	cfg_diag_free(NULL);
	memset(&d, 0, sizeof(d));
	cfg_diag_free(&d);
	cfg_diag_free(&d);
	ck_assert_uint_eq(d.nerrors, 0);
	ck_assert_ptr_null(d.errors);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Invalid files: every message, exactly                               */

#define EXPECTED_SECTIONS "expected [general], [account NAME], [bind MENU] " \
	"or [color]"
#define BAD_KEY(k, l) TNAME ":" #l ": bad key name '" k "' (expected one " \
	"character, ^X, <C-x>, or a name such as <Enter>, <PageDown>, <F1>)"
#define BAD_COLOR(o, v, l) TNAME ":" #l ": " o ": expected a colour such " \
	"as 'yellow', 'white on blue bold' or 'color208', got '" v "'"
#define BAD_NAME(n, l) TNAME ":" #l ": bad account name '" n "' (use " \
	"letters, digits, '-', '_' and '.'; it names a directory)"
#define NOT_ABS(k, v, l) TNAME ":" #l ": " k ": expected an absolute path " \
	"(or one starting with ~ or $VAR), got '" v "'"
#define PLAIN_PW(h, l) TNAME ":" #l ": starttls = no would send the " \
	"password for " h " in plaintext; set allow-plaintext-password = " \
	"yes to accept that"
#define NO_EFFECT(a, l) TNAME ":" #l ": warning: starttls = no has no " \
	"effect: account '" a "' has no imap://, pop3:// or smtp:// server"
#define IN_SCHEMES "expected imaps://, imap://, pop3s://, pop3:// or maildir://"
#define MISSING_IN(a, l) TNAME ":" #l ": account '" a "': missing " \
	"required key 'incoming' (imaps://, imap://, pop3s://, pop3:// or " \
	"maildir://)"
#define MISSING_ADDR(a, l) TNAME ":" #l ": account '" a "': missing " \
	"required key 'address'"
#define BAD_VAR(k, l) TNAME ":" #l ": " k ": bad variable reference after " \
	"'$' (write $$ for a dollar sign)"

/*
 * The password of these cases is "hunter2"; no message may show it.
 * len: bytes of text, 0 for strlen (for texts holding NUL bytes).
 */
static const struct {
	const char	*text;
	size_t		 len;
	struct tenv	*env;	/* NULL: std_env */
	const char	*errors[MAXMSGS];
} invalid_cases[] = {
	/* Unknown keys, with and without a suggestion. */
	{ "[general]\nedtor = vim\nfrobnicate = 1\n" ACCT_A
	  "adress = b@x.org\nPasword = hunter2\n", 0, NULL, {
		TNAME ":2: unknown key 'edtor' in [general] (did you mean "
		    "'editor'?)",
		TNAME ":3: unknown key 'frobnicate' in [general]",
		TNAME ":7: unknown key 'adress' in [account a] (did you mean "
		    "'address'?)",
		TNAME ":8: unknown key 'Pasword' in [account a] (did you mean "
		    "'password'?)" } },
	/* A key in the wrong section. */
	{ "[general]\naddress = a@x.org\npassword = hunter2\n" ACCT_A
	  "sort = date\nmail-root = ~/Mail\n", 0, NULL, {
		TNAME ":2: 'address' belongs in an [account NAME] section, "
		    "not in [general]",
		TNAME ":3: 'password' belongs in an [account NAME] section, "
		    "not in [general]",
		TNAME ":7: 'sort' belongs in [general], not in [account a]",
		TNAME ":8: 'mail-root' belongs in [general], not in "
		    "[account a]" } },
	/* Unknown sections; their lines are skipped. */
	{ "[acount perso]\naddress = x\n[generl]\n[colors]\n"
	  "[frobnicate]\n[bindings index]\n[Bnd index]\n", 0, NULL, {
		TNAME ":1: unknown section [acount perso] (did you mean "
		    "'account'?); " EXPECTED_SECTIONS,
		TNAME ":3: unknown section [generl] (did you mean "
		    "'general'?); " EXPECTED_SECTIONS,
		TNAME ":4: unknown section [colors] (did you mean "
		    "'color'?); " EXPECTED_SECTIONS,
		TNAME ":5: unknown section [frobnicate]; " EXPECTED_SECTIONS,
		TNAME ":6: unknown section [bindings index]; "
		    EXPECTED_SECTIONS,
		TNAME ":7: unknown section [Bnd index] (did you mean "
		    "'bind'?); " EXPECTED_SECTIONS } },
	/* Badly formed headers. */
	{ "[account]\n[general x]\n[color x]\n[general] x\n[general\n"
	  "[general]]\n[account a] # comment is fine\naddress = a@x.org\n"
	  "incoming = imaps://h\n", 0, NULL, {
		TNAME ":1: expected [account NAME]",
		TNAME ":2: [general] takes no name",
		TNAME ":3: [color] takes no name",
		TNAME ":4: unexpected text after ']'",
		TNAME ":5: expected ']' to close the section name",
		TNAME ":6: unexpected text after ']'" } },
	/* Values of the wrong type. */
	{ "[general]\nsidebar = maybe\ncheck-interval = 5 minutes\n"
	  "sort = dat\nfallback-charset = utf 8\nalias-file = aliases\n"
	  "[account a]\naddress = a@x.org\nincoming = imaps://h\n"
	  "auth = cram-md5\nstarttls = sometimes\nsent-folder = ../Sent\n"
	  "keep-on-server = 2 weeks\ndefault = si\n", 0, NULL, {
		TNAME ":2: sidebar: expected yes or no, got 'maybe'",
		TNAME ":3: check-interval: expected a duration such as 30s, "
		    "10m, 2h or 14d, got '5 minutes'",
		TNAME ":4: sort: expected threads, date, date-reverse, from, "
		    "subject or size, got 'dat' (did you mean 'date'?)",
		TNAME ":5: fallback-charset: expected a character set name "
		    "such as windows-1252, got 'utf 8'",
		NOT_ABS("alias-file", "aliases", 6),
		TNAME ":10: auth: expected auto, plain, login, xoauth2, "
		    "oauthbearer or apop, got 'cram-md5'",
		TNAME ":11: starttls: expected yes or no, got 'sometimes'",
		TNAME ":12: sent-folder: expected a folder name such as Sent "
		    "or Archives/2024, got '../Sent'",
		TNAME ":13: keep-on-server: expected 0, a duration such as "
		    "14d, or forever, got '2 weeks'",
		TNAME ":14: default: expected yes or no, got 'si'" } },
	{ "[general]\nsort = Date-Revers\n" ACCT_A "auth = xoauth\n"
	  "drafts-folder = /Drafts\ntrash-folder = a//b\n"
	  "junk-folder = Junk/.\n", 0, NULL, {
		TNAME ":2: sort: expected threads, date, date-reverse, from, "
		    "subject or size, got 'Date-Revers' (did you mean "
		    "'date-reverse'?)",
		TNAME ":6: auth: expected auto, plain, login, xoauth2, "
		    "oauthbearer or apop, got 'xoauth' (did you mean "
		    "'xoauth2'?)",
		TNAME ":7: drafts-folder: expected a folder name such as Sent "
		    "or Archives/2024, got '/Drafts'",
		TNAME ":8: trash-folder: expected a folder name such as Sent "
		    "or Archives/2024, got 'a//b'",
		TNAME ":9: junk-folder: expected a folder name such as Sent "
		    "or Archives/2024, got 'Junk/.'" } },
	/* Empty values. */
	{ "[general]\neditor =\nhtml-command = \"\"\n" ACCT_A
	  "password =   # only a comment\n", 0, NULL, {
		TNAME ":2: editor: empty value",
		TNAME ":3: html-command: empty value",
		TNAME ":7: password: empty value" } },
	/* Addresses. */
	{ "[account a]\naddress = jeanne\nincoming = imaps://h\n"
	  "[account b]\naddress = Jeanne <j@x.org> extra\n"
	  "incoming = imaps://h\n[account c]\naddress = j@x.org.\n"
	  "incoming = imaps://h\n[account d]\naddress = a@b@c\n"
	  "incoming = imaps://h\n[account e]\naddress = Jeanne <j@x.org\n"
	  "incoming = imaps://h\n", 0, NULL, {
		TNAME ":2: address: expected an address such as Jeanne Martin "
		    "<jeanne@example.org>, got 'jeanne'",
		TNAME ":5: address: expected an address such as Jeanne Martin "
		    "<jeanne@example.org>, got 'Jeanne <j@x.org> extra'",
		TNAME ":8: address: expected an address such as Jeanne Martin "
		    "<jeanne@example.org>, got 'j@x.org.'",
		TNAME ":11: address: expected an address such as Jeanne "
		    "Martin <jeanne@example.org>, got 'a@b@c'",
		TNAME ":14: address: expected an address such as Jeanne "
		    "Martin <jeanne@example.org>, got 'Jeanne <j@x.org'" } },
	/* Missing address, incoming; both on the header's line. */
	{ "[account a]\n[account b]\naddress = b@x.org\n[account c]\n"
	  "incoming = imaps://h\n", 0, NULL, {
		MISSING_ADDR("a", 1), MISSING_IN("a", 1), MISSING_IN("b", 2),
		MISSING_ADDR("c", 4) } },
	/* URLs without a scheme or with the wrong one. */
	{ "[account a]\naddress = a@x.org\nincoming = imap.example.fr\n"
	  "outgoing = smtp.example.fr\n[account b]\naddress = b@x.org\n"
	  "incoming = ftp://h\noutgoing = smtpss://s\n[account c]\n"
	  "address = c@x.org\nincoming = smtp://h\noutgoing = imaps://h\n"
	  "[account d]\naddress = d@x.org\nincoming = ://h\n"
	  "outgoing = SMTPS://s\n[account e]\naddress = e@x.org\n"
	  "incoming = imapss://h\noutgoing = pop3s://h\n", 0, NULL, {
		TNAME ":3: incoming: expected a URL such as "
		    "imaps://user@imap.example.org",
		TNAME ":4: outgoing: expected a URL such as "
		    "smtps://user@smtp.example.org",
		TNAME ":7: incoming: unknown scheme 'ftp'; expected imaps, "
		    "imap, pop3s, pop3 or maildir",
		TNAME ":8: outgoing: unknown scheme 'smtpss' (did you mean "
		    "'smtps'?); expected smtps or smtp",
		TNAME ":11: incoming: smtp:// is for outgoing mail; "
		    IN_SCHEMES,
		TNAME ":12: outgoing: imaps:// is for incoming mail; "
		    "expected smtps:// or smtp://",
		TNAME ":15: incoming: expected a URL such as "
		    "imaps://user@imap.example.org",
		TNAME ":19: incoming: unknown scheme 'imapss' (did you mean "
		    "'imaps'?); expected imaps, imap, pop3s, pop3 or maildir",
		TNAME ":20: outgoing: pop3s:// is for incoming mail; "
		    "expected smtps:// or smtp://" } },
	/* Ports. */
	{ "[account a]\naddress = a@x.org\nincoming = imaps://h:0\n"
	  "outgoing = smtp://s:65536\n[account b]\naddress = b@x.org\n"
	  "incoming = imaps://h:abc\noutgoing = smtps://s:\n"
	  "[account c]\naddress = c@x.org\nincoming = pop3://h:-1\n"
	  "outgoing = smtps://s:99999999999999999999999\n"
	  "[account d]\naddress = d@x.org\nincoming = imaps://[::1]:0\n",
	  0, NULL, {
		TNAME ":3: incoming: bad port '0' (expected 1 to 65535)",
		TNAME ":4: outgoing: bad port '65536' (expected 1 to 65535)",
		TNAME ":7: incoming: bad port 'abc' (expected 1 to 65535)",
		TNAME ":8: outgoing: bad port '' (expected 1 to 65535)",
		TNAME ":11: incoming: bad port '-1' (expected 1 to 65535)",
		TNAME ":12: outgoing: bad port '99999999999999999999999' "
		    "(expected 1 to 65535)",
		TNAME ":15: incoming: bad port '0' (expected 1 to 65535)" } },
	/* A password in the URL is refused, and never quoted. */
	{ "[account a]\naddress = a@x.org\n"
	  "incoming = imaps://jeanne:hunter2@imap.x.org\n"
	  "outgoing = smtps://j:hunter2@smtp.x.org:465\n", 0, NULL, {
		TNAME ":3: incoming: do not put a password in the URL; use "
		    "password-command or password",
		TNAME ":4: outgoing: do not put a password in the URL; use "
		    "password-command or password" } },
	/*
	 * Also when the URL has a path too, or the password a '/': the
	 * password must not be quoted in the message.
	 */
	{ "[account a]\naddress = a@x.org\n"
	  "incoming = imaps://jeanne:hunter2@imap.x.org/INBOX\n"
	  "[account b]\naddress = b@x.org\n"
	  "incoming = imaps://jeanne:hunter2/x@imap.x.org\n", 0, NULL, {
		TNAME ":3: incoming: do not put a password in the URL; use "
		    "password-command or password",
		TNAME ":6: incoming: do not put a password in the URL; use "
		    "password-command or password" } },
	/* Paths, hosts, user names. */
	{ "[account a]\naddress = a@x.org\nincoming = imaps://h/INBOX\n"
	  "outgoing = smtps://s//\n[account b]\naddress = b@x.org\n"
	  "incoming = imaps://\noutgoing = smtps://jeanne@\n"
	  "[account c]\naddress = c@x.org\nincoming = imaps://:993\n"
	  "outgoing = smtps://bad host\n[account d]\naddress = d@x.org\n"
	  "incoming = imaps://-h\noutgoing = smtps://[::1\n"
	  "[account e]\naddress = e@x.org\nincoming = imaps://[xyz]\n"
	  "outgoing = smtps://[::1]x\n[account f]\naddress = f@x.org\n"
	  "incoming = imaps://%zz@h\noutgoing = smtps://@s\n"
	  "[account g]\naddress = g@x.org\nincoming = imaps://a%00b@h\n"
	  "outgoing = smtps://.s\n[account h]\naddress = h@x.org\n"
	  "incoming = imaps://a%7fb@h\noutgoing = smtps://%1F@s\n", 0, NULL, {
		TNAME ":3: incoming: unexpected path in 'imaps://h/INBOX' "
		    "(folders are found on the server)",
		TNAME ":4: outgoing: unexpected path in 'smtps://s//' "
		    "(folders are found on the server)",
		TNAME ":7: incoming: missing host name",
		TNAME ":8: outgoing: missing host name",
		TNAME ":11: incoming: missing host name",
		TNAME ":12: outgoing: bad host name 'bad host'",
		TNAME ":15: incoming: bad host name '-h'",
		TNAME ":16: outgoing: bad host name '[::1'",
		TNAME ":19: incoming: bad host name '[xyz]'",
		TNAME ":20: outgoing: bad host name '[::1]x'",
		TNAME ":23: incoming: bad user name in 'imaps://%zz@h'",
		TNAME ":24: outgoing: bad user name in 'smtps://@s'",
		TNAME ":27: incoming: bad user name in 'imaps://a%00b@h'",
		TNAME ":28: outgoing: bad host name '.s'",
		TNAME ":31: incoming: bad user name in 'imaps://a%7fb@h'",
		TNAME ":32: outgoing: bad user name in 'smtps://%1F@s'" } },
	/* Duplicate accounts (case-insensitive); the copy is skipped. */
	{ "[account Perso]\naddress = a@x.org\nincoming = imaps://h\n"
	  "[account perso]\naddress = b@x.org\nbogus = 1\n"
	  "[account PERSO]\n", 0, NULL, {
		TNAME ":4: duplicate account 'perso' (first on line 1)",
		TNAME ":7: duplicate account 'PERSO' (first on line 1)" } },
	/* Duplicate keys, whatever their case, across repeated sections. */
	{ "[general]\neditor = vi\nsort = date\n[color]\nnormal = red\n"
	  "[general]\nEDITOR = vim\n[colour]\nNormal = blue\n" ACCT_A
	  "address = b@x.org\npassword = hunter2\nPassword = hunter2\n"
	  "[account b]\naddress = b@x.org\nincoming = imaps://h\n", 0, NULL, {
		TNAME ":7: 'editor' is set twice (first on line 2)",
		TNAME ":9: 'normal' is set twice (first on line 5)",
		TNAME ":13: 'address' is set twice (first on line 11)",
		TNAME ":15: 'password' is set twice (first on line 14)" } },
	/* default = yes twice (three times). */
	{ ACCT_A "default = yes\n[account b]\naddress = b@x.org\n"
	  "incoming = imaps://h\ndefault = yes\n[account c]\n"
	  "address = c@x.org\nincoming = imaps://h\ndefault = true\n",
	  0, NULL, {
		TNAME ":8: more than one account has default = yes (first "
		    "on line 4)",
		TNAME ":12: more than one account has default = yes (first "
		    "on line 4)" } },
	/* starttls = no with a password, incoming and outgoing. */
	{ "[account a]\naddress = a@x.org\nincoming = imap://imap.x.org\n"
	  "password = hunter2\nstarttls = no\n"
	  "[account b]\naddress = b@x.org\nincoming = imaps://imap.x.org\n"
	  "outgoing = smtp://smtp.x.org\nstarttls = no\n"
	  "password-command = pass show b\n"
	  "[account c]\naddress = c@x.org\nincoming = imaps://imap.x.org\n"
	  "outgoing = smtp://smtp.x.org\nstarttls = no\n"
	  "outgoing-password = hunter2\n"
	  "[account d]\naddress = d@x.org\nincoming = pop3://pop.x.org\n"
	  "starttls = no\npassword-command = x\n"
	  "allow-plaintext-password = no\n", 0, NULL, {
		PLAIN_PW("imap.x.org", 5), PLAIN_PW("smtp.x.org", 10),
		PLAIN_PW("smtp.x.org", 16), PLAIN_PW("pop.x.org", 21) } },
	/* password and password-command; the outgoing ones too. */
	{ ACCT_A "password = hunter2\npassword-command = pass show a\n"
	  "outgoing = smtps://s\noutgoing-password-command = pass\n"
	  "outgoing-password = hunter2\n", 0, NULL, {
		TNAME ":5: set password or password-command, not both",
		TNAME ":7: set outgoing-password or "
		    "outgoing-password-command, not both" } },
	/* OAuth needs password-command. */
	{ ACCT_A "auth = xoauth2\npassword = hunter2\n"
	  "[account b]\naddress = b@x.org\nincoming = imaps://h\n"
	  "auth = oauthbearer\n", 0, NULL, {
		TNAME ":4: auth = xoauth2 needs password-command (it prints "
		    "the OAuth token)",
		TNAME ":9: auth = oauthbearer needs password-command (it "
		    "prints the OAuth token)" } },
	/* APOP is POP3's. */
	{ ACCT_A "auth = apop\n[account b]\naddress = b@x.org\n"
	  "incoming = pop3s://h\nauth = apop\n", 0, NULL, {
		TNAME ":4: auth = apop is for POP3 accounts (pop3:// or "
		    "pop3s://)" } },
	/* Account names; the lines of a bad one are skipped. */
	{ "[account ../x]\nbogus = 1\n[account .hidden]\n"
	  "[account with space]\n[account -x]\n[account a/b]\n"
	  "[account " A64 "a]\n[account \xc3\xa9t\xc3\xa9]\n", 0, NULL, {
		BAD_NAME("../x", 1), BAD_NAME(".hidden", 3),
		BAD_NAME("with space", 4), BAD_NAME("-x", 5),
		BAD_NAME("a/b", 6),
		BAD_NAME(A64 "a", 7),
		BAD_NAME("\xc3\xa9t\xc3\xa9", 8) } },
	/* Keys outside of any section, lines without '=', no key. */
	{ "editor = vim\npassword = hunter2\n[general]\nfoo bar\n= x\n"
	  "  just-a-word  \n"
	  A64 "aaaa\n"
	  "password: hunter2\n", 0, NULL, {
		TNAME ":1: 'editor' is outside of any section (start with "
		    "[general] or [account NAME])",
		TNAME ":2: 'password' is outside of any section (start with "
		    "[general] or [account NAME])",
		TNAME ":4: expected KEY = VALUE or [SECTION]",
		TNAME ":5: missing key before '='",
		TNAME ":6: expected KEY = VALUE or [SECTION]",
		TNAME ":7: expected KEY = VALUE or [SECTION]",
		TNAME ":8: expected KEY = VALUE or [SECTION]" } },
	/* Quotes: missing closing quote, unknown escapes. */
	{ "[general]\neditor = \"vim\nhtml-command = \"a\\qb\"\n"
	  "alias-file = \"/x\\\"\n" ACCT_A
	  "password = \"hunter2\n"
	  "address = \"Martin \\q\" <b@x.org>\n"
	  "password-command = \"pass\\x\" # c\n", 0, NULL, {
		TNAME ":2: editor: missing closing quote",
		TNAME ":3: html-command: unknown escape in quotes (use \\\", "
		    "\\\\, \\n or \\t)",
		TNAME ":4: alias-file: missing closing quote",
		TNAME ":8: password: missing closing quote",
		TNAME ":9: address: unknown escape in quotes (use \\\", "
		    "\\\\, \\n or \\t)",
		TNAME ":10: password-command: unknown escape in quotes (use "
		    "\\\", \\\\, \\n or \\t)" } },
	/* Text after the closing quote: the quotes become text. */
	{ "[general]\nsort = \"date\" x\nsidebar = \"yes\"no\n"
	  "[bind index]\n\"=\" x = search\n\"abc = search\n\"\" = search\n",
	  0, NULL, {
		TNAME ":2: sort: expected threads, date, date-reverse, from, "
		    "subject or size, got '\"date\" x'",
		TNAME ":3: sidebar: expected yes or no, got '\"yes\"no'",
		TNAME ":5: expected '=' after the key",
		TNAME ":6: key: missing closing quote",
		BAD_KEY("", 7) } },
	/* Control characters and NUL bytes, anywhere in a line. */
	{ "[general]\neditor = a\001b\nhtml-command = x\0y\n"
	  "# comment \033[31m\nsort = date\r\r\nalias-file = /a\rb\n"
	  "fallback-charset = x\177\n\0\n" ACCT_A "password = hunter2\f\n",
	  sizeof("[general]\neditor = a\001b\nhtml-command = x\0y\n"
	  "# comment \033[31m\nsort = date\r\r\nalias-file = /a\rb\n"
	  "fallback-charset = x\177\n\0\n" ACCT_A "password = hunter2\f\n")
	  - 1, NULL, {
		TNAME ":2: control character 0x01 in line",
		TNAME ":3: control character 0x00 in line",
		TNAME ":4: control character 0x1b in line",
		TNAME ":5: control character 0x0d in line",
		TNAME ":6: control character 0x0d in line",
		TNAME ":7: control character 0x7f in line",
		TNAME ":8: control character 0x00 in line",
		TNAME ":12: control character 0x0c in line" } },
	/* Variables and ~. */
	{ "[general]\nmail-root = $NOPE/Mail\nalias-file = ${NOPE}\n"
	  ACCT_A "tls-ca-file = /etc/$\nsignature-file = ${MAILDIRS\n"
	  "[account b]\naddress = b@x.org\nincoming = maildir://$1x\n"
	  "tls-ca-file = ~bob/ca.pem\nsignature-file = $USER/sig\n"
	  "[account c]\naddress = c@x.org\nincoming = maildir://Mail\n"
	  "[account d]\naddress = d@x.org\nincoming = maildir://./Mail\n"
	  "signature-file = ${}\n", 0, NULL, {
		TNAME ":2: mail-root: $NOPE is not set",
		TNAME ":3: alias-file: $NOPE is not set",
		BAD_VAR("tls-ca-file", 7), BAD_VAR("signature-file", 8),
		BAD_VAR("incoming", 11),
		TNAME ":12: tls-ca-file: ~user paths are not supported; write "
		    "the full path or use $HOME",
		NOT_ABS("signature-file", "$USER/sig", 13),
		NOT_ABS("incoming", "Mail", 16),
		NOT_ABS("incoming", "./Mail", 19),
		BAD_VAR("signature-file", 20) } },
	/* Without HOME: ~ and the default mail-root fail. */
	{ "[general]\nalias-file = ~/aliases\n[account a]\n"
	  "address = a@x.org\nincoming = imaps://h\n[account m]\n"
	  "address = m@x.org\nincoming = maildir:///var/mail/m\n",
	  0, nohome_env, {
		TNAME ":2: alias-file: ~ used but $HOME is not set",
		TNAME ":3: account 'a': mail-root is not set in [general] "
		    "and $HOME is not set" } },
	/* Key bindings. */
	{ "[bind index]\nab = search\n<Foo> = search\n^1 = search\n"
	  "<> = search\n\x80 = search\n\xc3 = search\nJ = nxt-unread\n"
	  "J = send\nK = frobnicate\n[bind compose]\nj = down\n"
	  "[bind foo]\nq = quit\n[bind]\n[bind pager]\nx = open\n"
	  "<c-1> = help\n", 0, NULL, {
		BAD_KEY("ab", 2), BAD_KEY("<Foo>", 3), BAD_KEY("^1", 4),
		BAD_KEY("<>", 5), BAD_KEY("\x80", 6), BAD_KEY("\xc3", 7),
		TNAME ":8: unknown action 'nxt-unread' in [bind index] (did "
		    "you mean 'next-unread'?)",
		TNAME ":9: action 'send' does not exist in the index menu",
		TNAME ":10: unknown action 'frobnicate' in [bind index]",
		TNAME ":12: action 'down' does not exist in the compose menu",
		TNAME ":13: expected [bind index], [bind pager] or [bind "
		    "compose], got [bind foo]",
		TNAME ":15: expected [bind index], [bind pager] or [bind "
		    "compose]",
		TNAME ":17: action 'open' does not exist in the pager menu",
		BAD_KEY("<c-1>", 18) } },
	/* Keys that are syntax. */
	{ "[bind index]\n= search\n\"\\t\" = noop\n\"\\q\" = help\n"
	  "\"\\\" = help\n", 0, NULL, {
		TNAME ":2: expected '=' after the key (quote a key that has "
		    "'=' in it)",
		BAD_KEY("\t", 3),
		TNAME ":4: key: unknown escape in quotes (use \\\", \\\\, "
		    "\\n or \\t)",
		TNAME ":5: key: missing closing quote" } },
	/* Key names that are not one valid UTF-8 character. */
	{ "[bind index]\n\xe0\x80\xaf = help\n\xed\xa0\x80 = help\n"
	  "\xc0\xaf = help\n\xf5\x80\x80\x80 = help\n", 0, NULL, {
		BAD_KEY("\xe0\x80\xaf", 2), BAD_KEY("\xed\xa0\x80", 3),
		BAD_KEY("\xc0\xaf", 4), BAD_KEY("\xf5\x80\x80\x80", 5) } },
	/* Colours. */
	{ "[color]\nindicatr = white\nstatus = pink\nnormal = white on\n"
	  "error = on blue\nnew = white blue\nflagged = white on pink\n"
	  "tagged = color256\ntree = blink\nurl = bright\n"
	  "search = color\n[color]\nfoo = red\n", 0, NULL, {
		TNAME ":2: unknown colour object 'indicatr' (did you mean "
		    "'indicator'?)",
		BAD_COLOR("status", "pink", 3),
		BAD_COLOR("normal", "white on", 4),
		BAD_COLOR("error", "on blue", 5),
		BAD_COLOR("new", "white blue", 6),
		BAD_COLOR("flagged", "white on pink", 7),
		BAD_COLOR("tagged", "color256", 8),
		BAD_COLOR("tree", "blink", 9),
		BAD_COLOR("url", "bright", 10),
		BAD_COLOR("search", "color", 11),
		TNAME ":13: unknown colour object 'foo'" } },
	/* Messages are in line order: the checks of an account included. */
	{ "[account a]\nbogus = 1\n[account b]\nincoming = pop3://h\n"
	  "starttls = no\npassword = hunter2\n[general]\nsort = x\n",
	  0, NULL, {
		MISSING_ADDR("a", 1), MISSING_IN("a", 1),
		TNAME ":2: unknown key 'bogus' in [account a]",
		MISSING_ADDR("b", 3), PLAIN_PW("h", 5),
		TNAME ":8: sort: expected threads, date, date-reverse, from, "
		    "subject or size, got 'x'" } },
};

START_TEST(parse_invalid_table)
{
	size_t		 i;

	t_cfg = parse_env(invalid_cases[_i].text, invalid_cases[_i].len,
	    invalid_cases[_i].env ? invalid_cases[_i].env : std_env, &t_diag);
	ck_assert_msg(t_cfg == NULL, "case %d accepted:%s", _i,
	    dump_diag(&t_diag));
	assert_msgs(t_diag.errors, t_diag.error_lines, t_diag.nerrors,
	    invalid_cases[_i].errors, "error", &t_diag);
	for (i = 0; i < t_diag.nerrors; i++)
		ck_assert_msg(strstr(t_diag.errors[i], "hunter2") == NULL,
		    "a password is shown: %s", t_diag.errors[i]);
	for (i = 0; i < t_diag.nwarnings; i++)
		ck_assert_msg(strstr(t_diag.warnings[i], "hunter2") == NULL,
		    "a password is shown: %s", t_diag.warnings[i]);
	cfg_diag_free(&t_diag);
}
END_TEST

/* "=x = search" is not a binding of '=': the x must not be dropped. */
START_TEST(bind_equals_junk)
{
	static const char *const texts[] = {
		"[bind index]\n=x = search\n",
		"[bind index]\n=j = down\n",
		"[bind index]\n= j = down\n",
	};
	size_t	i;

	for (i = 0; i < NITEMS(texts); i++) {
		t_cfg = parse(texts[i], &t_diag);
		ck_assert_msg(t_cfg == NULL, "'%.*s' accepted as binding '%s'",
		    (int)strlen(texts[i] + 13) - 1, texts[i] + 13,
		    t_cfg->nbinds > 0 ? t_cfg->binds[0].key : "(none)");
		ck_assert_uint_eq(t_diag.nerrors, 1);
		ck_assert_int_eq(t_diag.error_lines[0], 2);
		cfg_diag_free(&t_diag);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Warnings                                                            */

static const struct {
	const char	*text;
	const char	*warnings[MAXMSGS];
	const char	*errors[MAXMSGS];	/* usually none */
} warn_cases[] = {
	/* starttls = no with only implicit-TLS servers. */
	{ "[account a]\naddress = a@x.org\nincoming = imaps://h\n"
	  "outgoing = smtps://s\nstarttls = no\npassword = pw\n", {
		NO_EFFECT("a", 5) }, { NULL } },
	{ "[account a]\naddress = a@x.org\nincoming = pop3s://h\n"
	  "starttls = no\n", {
		NO_EFFECT("a", 4) }, { NULL } },
	/* A maildir account has no server at all. */
	{ "[account m]\naddress = m@x.org\n"
	  "incoming = maildir:///var/mail/m\nstarttls = no\n", {
		NO_EFFECT("m", 4) }, { NULL } },
	/* keep-on-server on IMAP and maildir accounts. */
	{ "[account a]\naddress = a@x.org\nincoming = imaps://h\n"
	  "keep-on-server = 30d\n[account b]\naddress = b@x.org\n"
	  "incoming = imap://h\nkeep-on-server = forever\n"
	  "[account c]\naddress = c@x.org\nincoming = maildir:///m\n"
	  "keep-on-server = 0\n[account d]\naddress = d@x.org\n"
	  "incoming = pop3://h\nkeep-on-server = 0\n", {
		TNAME ":4: warning: keep-on-server only applies to POP3 "
		    "accounts; 'a' uses imaps://",
		TNAME ":8: warning: keep-on-server only applies to POP3 "
		    "accounts; 'b' uses imap://",
		TNAME ":12: warning: keep-on-server only applies to POP3 "
		    "accounts; 'c' uses maildir://" }, { NULL } },
	/* An outgoing password without an outgoing server. */
	{ ACCT_A "outgoing-password = pw\n[account b]\naddress = b@x.org\n"
	  "incoming = imaps://h\noutgoing-password-command = pass\n", {
		TNAME ":4: warning: account 'a' has no outgoing server; the "
		    "outgoing password is not used",
		TNAME ":8: warning: account 'b' has no outgoing server; the "
		    "outgoing password is not used" }, { NULL } },
	/* Warnings are kept with errors, each list in line order. */
	{ "[account a]\naddress = a@x.org\nincoming = imaps://h\n"
	  "keep-on-server = 1d\nsort = x\nstarttls = no\n", {
		TNAME ":4: warning: keep-on-server only applies to POP3 "
		    "accounts; 'a' uses imaps://",
		NO_EFFECT("a", 6) }, {
		TNAME ":5: 'sort' belongs in [general], not in [account a]" } },
};

START_TEST(parse_warning_table)
{

	t_cfg = parse(warn_cases[_i].text, &t_diag);
	assert_msgs(t_diag.warnings, t_diag.warning_lines, t_diag.nwarnings,
	    warn_cases[_i].warnings, "warning", &t_diag);
	assert_msgs(t_diag.errors, t_diag.error_lines, t_diag.nerrors,
	    warn_cases[_i].errors, "error", &t_diag);
	if (warn_cases[_i].errors[0] == NULL)
		ck_assert_msg(t_cfg != NULL, "case %d rejected", _i);
	else
		ck_assert_ptr_null(t_cfg);
	cfg_free(&t_cfg);
	cfg_diag_free(&t_diag);
}
END_TEST

/* ------------------------------------------------------------------ */
/* cfg_load(): files on disk                                           */

/*
 * Each test gets its own directory, made by mkdtemp in a checked fixture
 * and removed by its teardown, inside a base directory that the unchecked
 * fixture (run by the runner itself) removes even after a failed test.
 */
static char	basedir[64], tmpdir[128];

static void
basedir_setup(void)
{
	(void)fct_strlcpy(basedir, "/tmp/check_config.XXXXXX",
	    sizeof(basedir));
	if (mkdtemp(basedir) == NULL)
		fatal("mkdtemp %s", basedir);
}

static void
basedir_teardown(void)
{
	test_remove_tree(basedir);
}

static void
tmpdir_setup(void)
{
	(void)snprintf(tmpdir, sizeof(tmpdir), "%s/t.XXXXXX", basedir);
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
tmpdir_teardown(void)
{
	test_remove_tree(tmpdir);
}

/* Write len bytes (strlen when 0) to tmpdir/name with mode; its path. */
static char *
write_file(const char *name, const char *text, size_t len, mode_t mode)
{
	char	*path = xasprintf("%s/%s", tmpdir, name);
	FILE	*f;

	if (len == 0)
		len = strlen(text);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

static struct config *
load(const char *path, struct cfg_diag *d)
{
	struct cfg_env	e = { env_lookup, std_env };

	memset(d, 0, sizeof(*d));
	return cfg_load(path, &e, d);
}

#define PW_FILE "[account a]\naddress = a@x.org\nincoming = imaps://h\n" \
	"outgoing = smtps://s\n"

static const struct {
	const char	*text;
	mode_t		 mode;
	int		 line;		/* of the warning; 0: none */
	const char	*who;		/* "others", "its group" */
} mode_cases[] = {
	{ PW_FILE "password = hunter2\n", 0644, 5, "others" },
	{ PW_FILE "password = hunter2\n", 0604, 5, "others" },
	{ PW_FILE "password = hunter2\n", 0640, 5, "its group" },
	{ PW_FILE "password = hunter2\n", 0600, 0, NULL },
	{ PW_FILE "password = hunter2\n", 0400, 0, NULL },
	/* The first password line is named. */
	{ PW_FILE "\n# c\nPASSWORD = hunter2\n[account b]\n"
	  "address = b@x.org\nincoming = imaps://h\npassword = x\n",
	  0644, 7, "others" },
	/* No password in the file: no warning. */
	{ PW_FILE "password-command = pass show a\n", 0644, 0, NULL },
	{ "# password = hunter2\n[general]\n", 0644, 0, NULL },
	/* outgoing-password is a password in the file too. */
	{ PW_FILE "outgoing-password = hunter2\n", 0644, 5, "others" },
	{ PW_FILE "outgoing-password = hunter2\n", 0640, 5, "its group" },
};

START_TEST(load_mode_table)
{
	char		*path, *want;

	path = write_file("config", mode_cases[_i].text, 0,
	    mode_cases[_i].mode);
	t_cfg = load(path, &t_diag);
	ck_assert_msg(t_cfg != NULL, "%s", dump_diag(&t_diag));
	ck_assert_uint_eq(t_diag.nerrors, 0);
	ck_assert_str_eq(t_cfg->path, path);
	if (mode_cases[_i].line == 0) {
		ck_assert_msg(t_diag.nwarnings == 0, "%s", dump_diag(&t_diag));
	} else {
		ck_assert_msg(t_diag.nwarnings == 1, "%s", dump_diag(&t_diag));
		want = xasprintf("%s:%d: warning: this file holds a password "
		    "and is readable by %s (mode %04o); run chmod 600 on it, "
		    "or use password-command", path, mode_cases[_i].line,
		    mode_cases[_i].who, (unsigned)mode_cases[_i].mode);
		ck_assert_str_eq(t_diag.warnings[0], want);
		ck_assert_int_eq(t_diag.warning_lines[0], mode_cases[_i].line);
		ck_assert_ptr_null(strstr(t_diag.warnings[0], "hunter2"));
		free(want);
	}
	cfg_free(&t_cfg);
	cfg_diag_free(&t_diag);
	free(path);
}
END_TEST

/* A file with errors still draws the warning. */
START_TEST(load_mode_with_errors)
{
	struct cfg_diag	 d;
	struct config	*cfg;
	char		*path, *want;

	path = write_file("config", PW_FILE "password = hunter2\nfoo = 1\n",
	    0, 0644);
	cfg = load(path, &d);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_eq(d.nerrors, 1);
	want = xasprintf("%s:6: unknown key 'foo' in [account a]", path);
	ck_assert_str_eq(d.errors[0], want);
	free(want);
	ck_assert_uint_eq(d.nwarnings, 1);
	ck_assert_int_eq(d.warning_lines[0], 5);
	cfg_diag_free(&d);
	free(path);
}
END_TEST

START_TEST(load_missing)
{
	struct cfg_diag	 d;
	char		*path, *want;

	path = xasprintf("%s/nope/config", tmpdir);
	ck_assert_ptr_null(load(path, &d));
	ck_assert_uint_eq(d.nerrors, 1);
	ck_assert_uint_eq(d.nwarnings, 0);
	want = xasprintf("%s: cannot read: No such file or directory", path);
	ck_assert_str_eq(d.errors[0], want);
	ck_assert_int_eq(d.error_lines[0], 0);
	free(want);
	free(path);
	cfg_diag_free(&d);
}
END_TEST

START_TEST(load_not_regular)
{
	const char	*paths[] = { tmpdir, "/dev/null" };
	size_t		 i;

	for (i = 0; i < NITEMS(paths); i++) {
		struct cfg_diag	 d;
		char		*want;

		ck_assert_ptr_null(load(paths[i], &d));
		ck_assert_uint_eq(d.nerrors, 1);
		want = xasprintf("%s: not a regular file", paths[i]);
		ck_assert_str_eq(d.errors[0], want);
		ck_assert_int_eq(d.error_lines[0], 0);
		free(want);
		cfg_diag_free(&d);
	}
}
END_TEST

/*
 * Sizes around the 1 MiB limit: "at most 1 MiB" is read, one byte more is
 * refused without being parsed.
 */
START_TEST(load_size_limit)
{
	static const struct {
		size_t	 size;
		bool	 ok;
	} cases[] = {
		{ 4096, true },
		{ 1024 * 1024 - 8192 - 1, true },
		{ 1024 * 1024 - 100, true },
		{ 1024 * 1024, true },
		{ 1024 * 1024 + 1, false },
		{ 2 * 1024 * 1024, false },
	};
	const char	*head = "[general]\nsort = size\n";
	size_t		 i;

	for (i = 0; i < NITEMS(cases); i++) {
		char	*path, want[256];
		size_t	 k;

		/* Lines of 100 bytes of comment, the last one shorter. */
		t_text = xmalloc(cases[i].size);
		memcpy(t_text, head, strlen(head));
		for (k = strlen(head); k < cases[i].size; k++)
			t_text[k] = (k + 1) % 100 == 0 ? '\n' : '#';
		t_text[cases[i].size - 1] = '\n';
		path = write_file("big", t_text, cases[i].size, 0600);
		free(t_text);
		t_text = NULL;
		(void)snprintf(want, sizeof(want), "%s: larger than 1 MiB",
		    path);
		t_cfg = load(path, &t_diag);
		ck_assert_int_eq(unlink(path), 0);
		free(path);
		if (cases[i].ok) {
			ck_assert_msg(t_cfg != NULL, "%zu bytes:%s",
			    cases[i].size, dump_diag(&t_diag));
			ck_assert_int_eq(t_cfg->general.sort, CFG_SORT_SIZE);
		} else {
			ck_assert_ptr_null(t_cfg);
			ck_assert_uint_eq(t_diag.nerrors, 1);
			ck_assert_str_eq(t_diag.errors[0], want);
		}
		cfg_free(&t_cfg);
		cfg_diag_free(&t_diag);
	}
}
END_TEST

/* cfg_load() reports lines like cfg_parse(), named by the path. */
START_TEST(load_errors_named_by_path)
{
	struct cfg_diag	 d;
	char		*path, *want;

	path = write_file("config", "[general]\n\nsidebar = maybe\n", 0,
	    0600);
	ck_assert_ptr_null(load(path, &d));
	ck_assert_uint_eq(d.nerrors, 1);
	want = xasprintf("%s:3: sidebar: expected yes or no, got 'maybe'",
	    path);
	ck_assert_str_eq(d.errors[0], want);
	free(want);
	free(path);
	cfg_diag_free(&d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* cfg_password()                                                      */

#define PW_ACCT "[account a]\naddress = a@x.org\nincoming = imaps://h\n" \
	"outgoing = smtps://s\n"

static const struct {
	const char	*keys;		/* lines added to PW_ACCT */
	bool		 outgoing;
	const char	*want;		/* NULL: no secret */
	const char	*err1, *err2;	/* in err; NULL: err must be "" */
} pw_cases[] = {
	{ "password = in-file", false, "in-file", NULL, NULL },
	{ "password = in-file", true, "in-file", NULL, NULL },
	{ "password-command = printf 'secret\\nsecond\\n'", false, "secret",
	    NULL, NULL },
	{ "password-command = printf 'secret\\nsecond\\n'", true, "secret",
	    NULL, NULL },
	/* A CR before the newline is dropped; no newline at all is fine. */
	{ "password-command = printf 'tok\\r\\nnext'", false, "tok", NULL,
	    NULL },
	{ "password-command = printf 'no newline'", false, "no newline",
	    NULL, NULL },
	{ "password-command = printf 'a b\\tc \\n'", false, "a b\tc ", NULL,
	    NULL },
	/* The outgoing side has its own, else the incoming one. */
	{ "password = in\noutgoing-password = out", false, "in", NULL,
	    NULL },
	{ "password = in\noutgoing-password = out", true, "out", NULL,
	    NULL },
	{ "password = in\noutgoing-password-command = echo out-cmd", true,
	    "out-cmd", NULL, NULL },
	{ "password = in\noutgoing-password-command = echo out-cmd", false,
	    "in", NULL, NULL },
	{ "password-command = echo in-cmd\noutgoing-password = out", true,
	    "out", NULL, NULL },
	/* Only an outgoing one: the incoming side has none. */
	{ "outgoing-password = out", false, NULL, NULL, NULL },
	{ "outgoing-password = out", true, "out", NULL, NULL },
	/* Failures name the command and quote its stderr. */
	{ "password-command = echo oops >&2; exit 3", false, NULL,
	    "password-command failed (exit status 3): oops", NULL },
	{ "password-command = echo oops >&2; exit 3", true, NULL,
	    "password-command failed (exit status 3): oops", NULL },
	{ "password-command = exit 1", false, NULL,
	    "password-command failed (exit status 1)", NULL },
	{ "outgoing-password-command = echo bad >&2; echo x; exit 7", true,
	    NULL, "outgoing-password-command failed (exit status 7): bad",
	    NULL },
	{ "password-command = /nonexistent/command", false, NULL,
	    "exit status 127", "/nonexistent/command" },
	{ "password-command = true", false, NULL,
	    "password-command printed nothing", NULL },
	{ "password-command = echo why >&2", false, NULL,
	    "password-command printed nothing: why", NULL },
	{ "password-command = printf '\\nsecond\\n'", false, NULL,
	    "password-command printed nothing", NULL },
	/* Standard input is /dev/null: cat ends at once. */
	{ "password-command = cat", false, NULL,
	    "password-command printed nothing", NULL },
	{ "password-command = echo dying >&2; kill -9 $$", false, NULL,
	    "password-command killed by signal 9", "dying" },
	/* No password at all. */
	{ "", false, NULL, NULL, NULL },
	{ "", true, NULL, NULL, NULL },
};

START_TEST(password_table)
{
	char	*text, *got, secret[512], err[512];
	bool	 have;

	text = xasprintf(PW_ACCT "%s\n", pw_cases[_i].keys);
	t_cfg = parse(text, &t_diag);
	free(text);
	ck_assert_msg(t_cfg != NULL, "%s", dump_diag(&t_diag));
	memset(err, 'X', sizeof(err));
	got = cfg_password(&t_cfg->accounts[0], pw_cases[_i].outgoing, err,
	    sizeof(err));
	have = got != NULL;
	(void)fct_strlcpy(secret, have ? got : "", sizeof(secret));
	xfree_secret(&got);
	ck_assert_ptr_null(got);
	ck_assert_msg(memchr(err, '\0', sizeof(err)) != NULL,
	    "err not terminated");
	if (pw_cases[_i].want != NULL) {
		ck_assert_msg(have, "no secret: %s", err);
		ck_assert_str_eq(secret, pw_cases[_i].want);
	} else {
		ck_assert_msg(!have, "unexpected secret '%s'", secret);
	}
	if (pw_cases[_i].err1 == NULL) {
		ck_assert_str_eq(err, "");
	} else {
		ck_assert_msg(strstr(err, pw_cases[_i].err1) != NULL,
		    "err '%s' lacks '%s'", err, pw_cases[_i].err1);
		if (pw_cases[_i].err2 != NULL)
			ck_assert_msg(strstr(err, pw_cases[_i].err2) != NULL,
			    "err '%s' lacks '%s'", err, pw_cases[_i].err2);
	}
	cfg_free(&t_cfg);
	cfg_diag_free(&t_diag);
}
END_TEST

/* A failing command's standard output may be the secret: not in err. */
START_TEST(password_failure_hides_stdout)
{
	struct cfg_diag	 d;
	struct config	*cfg;
	char		 err[512];

	cfg = parse(PW_ACCT "password-command = echo hunter2; echo e >&2; "
	    "exit 2\n", &d);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_ptr_null(cfg_password(&cfg->accounts[0], false, err,
	    sizeof(err)));
	ck_assert_str_eq(err, "password-command failed (exit status 2): e");
	cfg_free(&cfg);
	cfg_diag_free(&d);
}
END_TEST

/* The command reads /dev/null, not our standard input. */
START_TEST(password_stdin_devnull)
{
	char	*got, err[256];
	int	 fds[2], saved;

	t_cfg = parse(PW_ACCT "password-command = cat\n", &t_diag);
	ck_assert_ptr_nonnull(t_cfg);
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(write(fds[1], "from-stdin\n", 11), 11);
	(void)close(fds[1]);
	saved = dup(0);
	ck_assert_int_ne(saved, -1);
	ck_assert_int_eq(dup2(fds[0], 0), 0);
	(void)close(fds[0]);
	got = cfg_password(&t_cfg->accounts[0], false, err, sizeof(err));
	ck_assert_int_eq(dup2(saved, 0), 0);
	(void)close(saved);
	ck_assert_msg(got == NULL, "the command read our stdin");
	ck_assert_str_eq(err, "password-command printed nothing");
	cfg_free(&t_cfg);
	cfg_diag_free(&t_diag);
}
END_TEST

/* A small err buffer is truncated, never overrun. */
START_TEST(password_small_err)
{
	struct cfg_diag	 d;
	struct config	*cfg;
	char		 err[16];

	cfg = parse(PW_ACCT "password-command = exit 9\n", &d);
	ck_assert_ptr_nonnull(cfg);
	memset(err, 'X', sizeof(err));
	ck_assert_ptr_null(cfg_password(&cfg->accounts[0], false, err, 10));
	ck_assert_str_eq(err, "password-");
	ck_assert_int_eq(err[10], 'X');
	cfg_free(&cfg);
	cfg_diag_free(&d);
}
END_TEST

/*
 * cfg_protect_secrets(), in a child so this process keeps its limits. The
 * child reports through a pipe: under valgrind its exit status is not its
 * own.
 */
START_TEST(protect_secrets)
{
	int	fds[2], status;
	char	c = '?';
	pid_t	pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		struct rlimit	rl;
		char		r = 'Y';

		(void)close(fds[0]);
		if (cfg_protect_secrets() != 0)
			r = 'P';
		else if (getrlimit(RLIMIT_CORE, &rl) != 0 ||
		    rl.rlim_cur != 0 || rl.rlim_max != 0)
			r = 'L';
#if defined(__linux__) && defined(PR_GET_DUMPABLE)
		else if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
			r = 'D';
#endif
		(void)write(fds[1], &r, 1);
		_exit(0);
	}
	(void)close(fds[1]);
	ck_assert_int_eq(read(fds[0], &c, 1), 1);
	(void)close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(c == 'Y', "child says %c (P: call failed, L: limit not "
	    "0, D: still dumpable)", c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* cfg_default_path()                                                  */

static const struct {
	const char	*path;
	const char	*facteur_config, *xdg, *home;
	const char	*want;
} dpath_cases[] = {
	{ "/etc/f.conf", "/a", "/x", "/h", "/etc/f.conf" },
	{ "relative.conf", NULL, NULL, NULL, "relative.conf" },
	{ "", "/a", NULL, NULL, "" },
	{ NULL, "/a/config", "/x", "/h", "/a/config" },
	{ NULL, "rel/config", NULL, NULL, "rel/config" },
	{ NULL, "", "/x", "/h", "/x/facteur/config" },
	{ NULL, NULL, "/x", "/h", "/x/facteur/config" },
	{ NULL, NULL, "relative", "/h", "/h/.config/facteur/config" },
	{ NULL, NULL, "", "/h", "/h/.config/facteur/config" },
	{ NULL, NULL, NULL, "/home/test", "/home/test/.config/facteur/config" },
	{ NULL, NULL, NULL, "", ".config/facteur/config" },
	{ NULL, NULL, NULL, NULL, ".config/facteur/config" },
};

START_TEST(default_path_table)
{
	struct tenv	 env[4];
	struct cfg_env	 e = { env_lookup, env };
	size_t		 n = 0;
	char		*got;

	if (dpath_cases[_i].facteur_config != NULL)
		env[n++] = (struct tenv){ "FACTEUR_CONFIG",
		    dpath_cases[_i].facteur_config };
	if (dpath_cases[_i].xdg != NULL)
		env[n++] = (struct tenv){ "XDG_CONFIG_HOME",
		    dpath_cases[_i].xdg };
	if (dpath_cases[_i].home != NULL)
		env[n++] = (struct tenv){ "HOME", dpath_cases[_i].home };
	env[n] = (struct tenv){ NULL, NULL };
	got = cfg_default_path(dpath_cases[_i].path, &e);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, dpath_cases[_i].want);
	/* A copy, not the argument. */
	ck_assert_ptr_ne(got, dpath_cases[_i].path);
	free(got);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Names, durations, edit distance                                     */

static const struct {
	const char	*a, *b;
	size_t		 want;
} dist_cases[] = {
	{ "", "", 0 }, { "", "abc", 3 }, { "abc", "", 3 },
	{ "abc", "abc", 0 }, { "ABC", "abc", 0 }, { "Editor", "eDITOR", 0 },
	{ "abc", "abd", 1 }, { "abc", "ab", 1 }, { "ab", "abc", 1 },
	/* Transpositions count one. */
	{ "ab", "ba", 1 }, { "abc", "acb", 1 }, { "edtior", "editor", 1 },
	{ "sidbear", "sidebar", 1 }, { "Ba", "aB", 1 },
	/* Optimal string alignment: no edit of a transposed pair. */
	{ "ca", "abc", 3 },
	{ "kitten", "sitting", 3 }, { "flaw", "lawn", 2 },
	{ "adress", "address", 1 }, { "acount", "account", 1 },
	{ "xyz", "abc", 3 },
	/* Bounded: only the first 63 bytes count. */
	{ A16 A16 A16 "aaaaaaaaaaaaaaaXYZ", A16 A16 A16 "aaaaaaaaaaaaaaa", 0 },
	{ A16 A16 A16 "aaaaaaaaaaaaaaaX", A16 A16 A16 "aaaaaaaaaaaaaaaY", 0 },
	{ A16 A16 A16 "aaaaaaaaaaaaaaX", A16 A16 A16 "aaaaaaaaaaaaaaY", 1 },
	{ B16 B16 B16 B16 "bbbbbbbb", "", 63 },
};

START_TEST(edit_distance_table)
{
	ck_assert_uint_eq(cfg_edit_distance(dist_cases[_i].a,
	    dist_cases[_i].b), dist_cases[_i].want);
	/* Symmetric. */
	ck_assert_uint_eq(cfg_edit_distance(dist_cases[_i].b,
	    dist_cases[_i].a), dist_cases[_i].want);
}
END_TEST

static const struct {
	int64_t		 secs;
	const char	*want;
} fmt_cases[] = {
	{ CFG_KEEP_FOREVER, "forever" }, { 0, "0" }, { 1, "1s" },
	{ 30, "30s" }, { 59, "59s" }, { 60, "1m" }, { 90, "90s" },
	{ 600, "10m" }, { 3600, "1h" }, { 5400, "90m" }, { 7200, "2h" },
	{ 90000, "25h" }, { 86400, "1d" }, { 172800, "2d" },
	{ 1209600, "14d" }, { 604800, "7d" }, { 2592000, "30d" },
	{ 3200000000LL, "3200000000s" }, { 5291LL * 604800, "37037d" },
};

START_TEST(format_duration_table)
{
	char	out[32];

	memset(out, 'X', sizeof(out));
	cfg_format_duration(fmt_cases[_i].secs, out, sizeof(out));
	ck_assert_str_eq(out, fmt_cases[_i].want);
}
END_TEST

/* The formatted value reads back as the same duration. */
START_TEST(format_duration_roundtrip)
{
	size_t	i;

	for (i = 0; i < NITEMS(fmt_cases); i++) {
		struct cfg_diag	 d;
		struct config	*cfg;
		char		*text;

		text = xasprintf("[account a]\naddress = a@x.org\n"
		    "incoming = pop3s://h\nkeep-on-server = %s\n",
		    fmt_cases[i].want);
		cfg = parse(text, &d);
		free(text);
		ck_assert_msg(cfg != NULL, "%s:%s", fmt_cases[i].want,
		    dump_diag(&d));
		ck_assert_int_eq(cfg->accounts[0].keep_on_server,
		    fmt_cases[i].secs);
		cfg_free(&cfg);
		cfg_diag_free(&d);
	}
}
END_TEST

START_TEST(format_duration_small)
{
	char	out[4];

	memset(out, 'X', sizeof(out));
	cfg_format_duration(CFG_KEEP_FOREVER, out, 3);
	ck_assert_str_eq(out, "fo");
	ck_assert_int_eq(out[3], 'X');
	cfg_format_duration(1209600, out, 1);
	ck_assert_str_eq(out, "");
	cfg_format_duration(1209600, out, 3);
	ck_assert_str_eq(out, "14");
	/* Nothing is written when n is 0. */
	cfg_format_duration(1209600, out, 0);
	ck_assert_str_eq(out, "14");
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(cfg_scheme_name(CFG_SCHEME_NONE), "none");
	ck_assert_str_eq(cfg_scheme_name(CFG_SCHEME_IMAPS), "imaps");
	ck_assert_str_eq(cfg_scheme_name(CFG_SCHEME_IMAP), "imap");
	ck_assert_str_eq(cfg_scheme_name(CFG_SCHEME_POP3S), "pop3s");
	ck_assert_str_eq(cfg_scheme_name(CFG_SCHEME_POP3), "pop3");
	ck_assert_str_eq(cfg_scheme_name(CFG_SCHEME_MAILDIR), "maildir");
	ck_assert_str_eq(cfg_scheme_name(CFG_SCHEME_SMTPS), "smtps");
	ck_assert_str_eq(cfg_scheme_name(CFG_SCHEME_SMTP), "smtp");
	ck_assert_str_eq(cfg_tls_name(CFG_TLS_IMPLICIT), "TLS");
	ck_assert_str_eq(cfg_tls_name(CFG_TLS_STARTTLS),
	    "STARTTLS (required)");
	ck_assert_str_eq(cfg_tls_name(CFG_TLS_NONE), "none (plaintext)");
	ck_assert_str_eq(cfg_sort_name(CFG_SORT_THREADS), "threads");
	ck_assert_str_eq(cfg_sort_name(CFG_SORT_DATE_REVERSE),
	    "date-reverse");
	ck_assert_str_eq(cfg_sort_name(CFG_SORT_SIZE), "size");
	ck_assert_str_eq(cfg_sort_name((enum cfg_sort)6), "?");
	ck_assert_str_eq(cfg_menu_name(CFG_MENU_INDEX), "index");
	ck_assert_str_eq(cfg_menu_name(CFG_MENU_PAGER), "pager");
	ck_assert_str_eq(cfg_menu_name(CFG_MENU_COMPOSE), "compose");
	ck_assert_str_eq(cfg_menu_name(CFG_MENU_COUNT), "?");
	ck_assert_str_eq(cfg_color_obj_name(CFG_COLOR_NORMAL), "normal");
	ck_assert_str_eq(cfg_color_obj_name(CFG_COLOR_QUOTED2), "quoted2");
	ck_assert_str_eq(cfg_color_obj_name(CFG_COLOR_SIDEBAR_NEW),
	    "sidebar-new");
	ck_assert_str_eq(cfg_color_obj_name(CFG_COLOR_COUNT), "?");
}
END_TEST

/* Every action is named, unique, in some menu, and bindable by name. */
START_TEST(actions_table)
{
	const struct cfg_action	*a = cfg_actions(), *b;
	size_t			 n = 0;

	for (; a->name != NULL; a++, n++) {
		ck_assert_msg(a->menus != 0 && (a->menus & ~7u) == 0,
		    "%s: menus %#x", a->name, a->menus);
		ck_assert_msg(a->help != NULL && a->help[0] != '\0', "%s",
		    a->name);
		for (b = a + 1; b->name != NULL; b++)
			ck_assert_msg(strcmp(a->name, b->name) != 0,
			    "%s twice", a->name);
	}
	ck_assert_uint_eq(n, 51);
	for (a = cfg_actions(); a->name != NULL; a++) {
		enum cfg_menu	m;

		for (m = 0; m < CFG_MENU_COUNT; m++) {
			struct cfg_diag	 d;
			struct config	*cfg;
			char		*text;

			text = xasprintf("[bind %s]\nx = %s\n",
			    cfg_menu_name(m), a->name);
			cfg = parse(text, &d);
			free(text);
			if (a->menus & (1u << m)) {
				ck_assert_msg(cfg != NULL, "%s in %s:%s",
				    a->name, cfg_menu_name(m), dump_diag(&d));
				ck_assert_ptr_eq(cfg->binds[0].action, a->name);
			} else {
				ck_assert_msg(cfg == NULL, "%s in %s accepted",
				    a->name, cfg_menu_name(m));
			}
			cfg_free(&cfg);
			cfg_diag_free(&d);
		}
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Hostile input                                                       */

/* The invariants of any result. */
static void
check_sane(const struct config *cfg, const struct cfg_diag *d)
{
	size_t	i;

	ck_assert_int_eq(cfg == NULL, d->nerrors > 0);
	ck_assert_uint_le(d->nerrors, 200);
	ck_assert_uint_le(d->nwarnings, 200);
	for (i = 0; i < d->nerrors; i++) {
		ck_assert_msg(strncmp(d->errors[i], TNAME ":",
		    strlen(TNAME ":")) == 0, "%s", d->errors[i]);
		if (i > 0)
			ck_assert_int_le(d->error_lines[i - 1],
			    d->error_lines[i]);
	}
	for (i = 1; i < d->nwarnings; i++)
		ck_assert_int_le(d->warning_lines[i - 1], d->warning_lines[i]);
	if (cfg == NULL)
		return;
	ck_assert_uint_le(cfg->naccounts, 256);
	ck_assert_uint_le(cfg->nbinds, 1024);
	for (i = 0; i < cfg->naccounts; i++) {
		ck_assert_ptr_nonnull(cfg->accounts[i].name);
		ck_assert_ptr_nonnull(cfg->accounts[i].store_path);
	}
}

static uint32_t
lcg(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

/* Random bytes; then random text made of the syntax's characters. */
START_TEST(hostile_random)
{
	static const char	alphabet[] = "[]=\"#\\ \t\n\r$~{}<>^@:/%"
	    "abcdegilnoprstuyAIMPS019";
	uint32_t		state = 0x5eed0000u + (uint32_t)_i;
	size_t			len = 65536, i;
	char			*text = xmalloc(len);
	struct cfg_diag		d;
	struct config		*cfg;

	for (i = 0; i < len; i++)
		text[i] = (char)(lcg(&state) & 0xff);
	cfg = parse_env(text, len, std_env, &d);
	check_sane(cfg, &d);
	cfg_free(&cfg);
	cfg_diag_free(&d);

	for (i = 0; i < len; i++)
		text[i] = alphabet[lcg(&state) % (sizeof(alphabet) - 1)];
	cfg = parse_env(text, len, std_env, &d);
	check_sane(cfg, &d);
	cfg_free(&cfg);
	cfg_diag_free(&d);

	/* Lines of plausible keys with random values. */
	{
		static const char *const keys[] = {
			"[general]\n", "[account a]\n", "[account b]\n",
			"[bind index]\n", "[color]\n", "editor = ",
			"incoming = imaps://", "outgoing = smtp://",
			"address = ", "mail-root = ~/", "password = ",
			"keep-on-server = ", "J = ", "normal = ",
			"starttls = ", "default = ", "\"=\" = ",
		};
		struct buf	b;
		int		nlines;

		buf_init(&b, 1024 * 1024);
		for (nlines = 0; nlines < 3000; nlines++) {
			size_t	k, vlen = lcg(&state) % 40;

			ck_assert_int_eq(buf_append_str(&b,
			    keys[lcg(&state) % NITEMS(keys)]), 0);
			for (k = 0; k < vlen; k++)
				ck_assert_int_eq(buf_append_byte(&b,
				    (unsigned char)alphabet[lcg(&state) %
				    (sizeof(alphabet) - 1)]), 0);
			ck_assert_int_eq(buf_append_byte(&b, '\n'), 0);
		}
		cfg = parse_env(b.data, b.len, std_env, &d);
		check_sane(cfg, &d);
		cfg_free(&cfg);
		cfg_diag_free(&d);
		buf_free(&b);
	}
	free(text);
}
END_TEST

/* Build a text of head and n copies of pat, where '%' is the index. */
static char *
repeat(const char *head, const char *pat, int n, size_t *len)
{
	struct buf	 b;
	const char	*p;
	int		 i;

	buf_init(&b, 8 * 1024 * 1024);
	ck_assert_int_eq(buf_append_str(&b, head), 0);
	for (i = 0; i < n; i++) {
		for (p = pat; *p != '\0'; p++) {
			if (*p == '%')
				ck_assert_int_eq(buf_printf(&b, "%d", i), 0);
			else
				ck_assert_int_eq(buf_append_byte(&b,
				    (unsigned char)*p), 0);
		}
	}
	*len = b.len;
	return buf_take(&b);
}

START_TEST(hostile_many_sections)
{
	struct cfg_diag	 d;
	struct config	*cfg;
	char		*text;
	size_t		 len;

	/* [general] repeated: fine. */
	text = repeat("", "[general]\n# %d\n", 5000, &len);
	cfg = parse_env(text, len, std_env, &d);
	ck_assert_msg(cfg != NULL, "%s", dump_diag(&d));
	cfg_free(&cfg);
	cfg_diag_free(&d);
	free(text);

	/* 256 accounts are accepted... */
	text = repeat("", "[account a%]\naddress = a@x.org\n"
	    "incoming = imaps://h\n", 256, &len);
	cfg = parse_env(text, len, std_env, &d);
	ck_assert_msg(cfg != NULL, "%s", dump_diag(&d));
	ck_assert_uint_eq(cfg->naccounts, 256);
	ck_assert_str_eq(cfg->accounts[255].name, "a255");
	ck_assert_str_eq(cfg->accounts[255].store_path,
	    "/home/test/Mail/a255");
	cfg_free(&cfg);
	cfg_diag_free(&d);
	free(text);

	/* ...one more is an error... */
	text = repeat("", "[account a%]\naddress = a@x.org\n"
	    "incoming = imaps://h\n", 257, &len);
	cfg = parse_env(text, len, std_env, &d);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_eq(d.nerrors, 1);
	ck_assert_str_eq(d.errors[0], TNAME ":769: too many accounts");
	cfg_diag_free(&d);
	free(text);

	/* ...and 5000 stop at 200 messages, the last saying so. */
	text = repeat("", "[account a%]\naddress = a@x.org\n"
	    "incoming = imaps://h\n", 5000, &len);
	cfg = parse_env(text, len, std_env, &d);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_eq(d.nerrors, 200);
	ck_assert_str_eq(d.errors[0], TNAME ":769: too many accounts");
	ck_assert_str_eq(d.errors[198], TNAME ":1363: too many accounts");
	ck_assert_str_eq(d.errors[199], TNAME ":1366: too many errors");
	check_sane(cfg, &d);
	cfg_diag_free(&d);
	free(text);

	/* 5000 sections with errors and names that are all duplicates. */
	text = repeat("", "[account A]\n[account a]\nx%\n", 5000, &len);
	cfg = parse_env(text, len, std_env, &d);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_eq(d.nerrors, 200);
	check_sane(cfg, &d);
	cfg_diag_free(&d);
	free(text);
}
END_TEST

START_TEST(hostile_many_binds)
{
	struct cfg_diag	 d;
	struct config	*cfg;
	char		*text;
	size_t		 len;

	text = repeat("[bind index]\n", "j = down\n", 1024, &len);
	cfg = parse_env(text, len, std_env, &d);
	ck_assert_msg(cfg != NULL, "%s", dump_diag(&d));
	ck_assert_uint_eq(cfg->nbinds, 1024);
	ck_assert_int_eq(cfg->binds[1023].line, 1025);
	cfg_free(&cfg);
	cfg_diag_free(&d);
	free(text);

	text = repeat("[bind index]\n", "j = down\n", 3000, &len);
	cfg = parse_env(text, len, std_env, &d);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_eq(d.nerrors, 200);
	ck_assert_str_eq(d.errors[0], TNAME ":1026: too many key bindings");
	ck_assert_str_eq(d.errors[199], TNAME ":1225: too many errors");
	cfg_diag_free(&d);
	free(text);
}
END_TEST

/* Thousands of errors: 200 messages, in order, and no crash. */
START_TEST(hostile_many_errors)
{
	struct cfg_diag	 d;
	struct config	*cfg;
	char		*text;
	size_t		 len;

	text = repeat("[general]\n", "bogus% = 1\n", 10000, &len);
	cfg = parse_env(text, len, std_env, &d);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_eq(d.nerrors, 200);
	ck_assert_str_eq(d.errors[0], TNAME ":2: unknown key 'bogus0' in "
	    "[general]");
	ck_assert_str_eq(d.errors[198], TNAME ":200: unknown key 'bogus198' "
	    "in [general]");
	ck_assert_str_eq(d.errors[199], TNAME ":201: too many errors");
	check_sane(cfg, &d);
	cfg_diag_free(&d);
	free(text);

	/* As many warnings. */
	text = repeat("", "[account a%]\naddress = a@x.org\n"
	    "incoming = imaps://h\nkeep-on-server = 1d\n", 250, &len);
	cfg = parse_env(text, len, std_env, &d);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(d.nwarnings, 200);
	check_sane(cfg, &d);
	cfg_free(&cfg);
	cfg_diag_free(&d);
	free(text);
}
END_TEST

/* Long lines of syntax characters, each at the limit. */
START_TEST(hostile_long_lines)
{
	static const struct {
		const char	*head;
		char		 fill;
		const char	*want;	/* the error of line 2 */
	} cases[] = {
		{ "", '[', TNAME ":2: expected ']' to close the section name" },
		{ "", '=', TNAME ":2: missing key before '='" },
		{ "editor = \"", '\\', TNAME ":2: editor: missing closing "
		    "quote" },
		{ "editor = \"", '"', NULL },
		{ "mail-root = /", '$', TNAME ":2: mail-root: bad variable "
		    "reference after '$' (write $$ for a dollar sign)" },
		{ "mail-root = ", '~', TNAME ":2: mail-root: ~user paths are "
		    "not supported; write the full path or use $HOME" },
		{ "sort = ", 'x', NULL },
		{ "", 'k', NULL },
		{ "[account ", 'a', NULL },
		{ "", '#', NULL },
		{ "", ' ', NULL },
	};
	size_t	i;

	for (i = 0; i < NITEMS(cases); i++) {
		struct cfg_diag	 d;
		struct config	*cfg;
		char		*text;
		size_t		 len, hl = strlen(cases[i].head), k;

		/* "[general]\n" + a line of exactly 8192 bytes. */
		len = 10 + 8192 + 1;
		text = xmalloc(len);
		memcpy(text, "[general]\n", 10);
		memcpy(text + 10, cases[i].head, hl);
		for (k = 10 + hl; k < len - 1; k++)
			text[k] = cases[i].fill;
		text[len - 1] = '\n';
		cfg = parse_env(text, len, std_env, &d);
		check_sane(cfg, &d);
		if (cases[i].want != NULL) {
			ck_assert_uint_eq(d.nerrors, 1);
			ck_assert_str_eq(d.errors[0], cases[i].want);
		}
		cfg_free(&cfg);
		cfg_diag_free(&d);
		free(text);
	}
}
END_TEST

/* ------------------------------------------------------------------ */

Suite *
config_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("config");

	tc = tcase_create("parse_valid");
	tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
	tcase_add_loop_test(tc, parse_valid_table, 0,
	    (int)NITEMS(valid_cases));
	tcase_add_loop_test(tc, bool_table, 0, (int)NITEMS(bool_cases));
	tcase_add_loop_test(tc, duration_table, 0, (int)NITEMS(dur_cases));
	tcase_add_loop_test(tc, size_table, 0, (int)NITEMS(size_cases));
	tcase_add_test(tc, line_length_limit);
	tcase_add_test(tc, account_lookup);
	tcase_add_test(tc, free_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_invalid");
	tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
	tcase_add_loop_test(tc, parse_invalid_table, 0,
	    (int)NITEMS(invalid_cases));
	tcase_add_test(tc, bind_equals_junk);
	suite_add_tcase(s, tc);

	tc = tcase_create("warnings");
	tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
	tcase_add_loop_test(tc, parse_warning_table, 0,
	    (int)NITEMS(warn_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_unchecked_fixture(tc, basedir_setup, basedir_teardown);
	tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
	tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
	tcase_add_loop_test(tc, load_mode_table, 0, (int)NITEMS(mode_cases));
	tcase_add_test(tc, load_mode_with_errors);
	tcase_add_test(tc, load_missing);
	tcase_add_test(tc, load_not_regular);
	tcase_add_test(tc, load_size_limit);
	tcase_add_test(tc, load_errors_named_by_path);
	suite_add_tcase(s, tc);

	tc = tcase_create("password");
	tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
	tcase_add_loop_test(tc, password_table, 0, (int)NITEMS(pw_cases));
	tcase_add_test(tc, password_failure_hides_stdout);
	tcase_add_test(tc, password_stdin_devnull);
	tcase_add_test(tc, password_small_err);
	tcase_add_test(tc, protect_secrets);
	suite_add_tcase(s, tc);

	tc = tcase_create("default_path");
	tcase_add_loop_test(tc, default_path_table, 0,
	    (int)NITEMS(dpath_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("helpers");
	tcase_add_loop_test(tc, edit_distance_table, 0,
	    (int)NITEMS(dist_cases));
	tcase_add_loop_test(tc, format_duration_table, 0,
	    (int)NITEMS(fmt_cases));
	tcase_add_test(tc, format_duration_roundtrip);
	tcase_add_test(tc, format_duration_small);
	tcase_add_test(tc, names);
	tcase_add_test(tc, actions_table);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, hostile_random, 0, 4);
	tcase_add_test(tc, hostile_many_sections);
	tcase_add_test(tc, hostile_many_binds);
	tcase_add_test(tc, hostile_many_errors);
	tcase_add_test(tc, hostile_long_lines);
	suite_add_tcase(s, tc);

	return s;
}
