/*
 * check_cli.c: unit tests of include/cli.h: cli_parse_args() (options
 * before and after the command, values, "--", every usage error), and the
 * real ./facteur binary run with a controlled environment: --help,
 * --version, config-check on good, bad and missing files, the commands not
 * implemented yet, usage errors and where the configuration is looked for.
 * The tests run from the top of the tree (make facteur first).
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tests.h"

Suite	*cli_suite(void);

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define MAXARGS		TEST_MAXARGS

/* ------------------------------------------------------------------ */
/* cli_parse_args()                                                    */

static const char *
cmd_str(enum cli_cmd c)
{
	switch (c) {
	case CLI_CMD_UI:		return "ui";
	case CLI_CMD_SYNC:		return "sync";
	case CLI_CMD_SEND:		return "send";
	case CLI_CMD_LIST:		return "list";
	case CLI_CMD_SHOW:		return "show";
	case CLI_CMD_CONFIG_CHECK:	return "config-check";
	case CLI_CMD_SETUP:		return "setup";
	case CLI_CMD_HELP:		return "help";
	case CLI_CMD_VERSION:		return "version";
	}
	return "BAD";
}

/*
 * The result as one line: "CMD NAME F=.. a=.. f=.. FLAGS [ARGS]", with
 * "-" for what is not set and FLAGS among j (json), r (raw), q (queue),
 * v (verbose). --help and --version stop parsing: only CMD counts.
 */
static void
describe(const struct cli_opts *o, char *out, size_t n)
{
	char	flags[8], args[256];
	size_t	k = 0;
	int	i;

	if (o->cmd == CLI_CMD_HELP || o->cmd == CLI_CMD_VERSION) {
		(void)snprintf(out, n, "%s", cmd_str(o->cmd));
		return;
	}
	if (o->json)
		flags[k++] = 'j';
	if (o->raw)
		flags[k++] = 'r';
	if (o->queue)
		flags[k++] = 'q';
	if (o->verbose)
		flags[k++] = 'v';
	if (k == 0)
		flags[k++] = '-';
	flags[k] = '\0';
	args[0] = '\0';
	for (i = 0; i < o->nargs; i++) {
		ck_assert_ptr_nonnull(o->args[i]);
		if (i > 0)
			(void)fct_strlcat(args, "|", sizeof(args));
		(void)fct_strlcat(args, o->args[i], sizeof(args));
	}
	(void)snprintf(out, n, "%s %s F=%s a=%s f=%s %s [%s]",
	    cmd_str(o->cmd), o->cmd_name ? o->cmd_name : "(null)",
	    o->config_path ? o->config_path : "-",
	    o->account ? o->account : "-", o->folder ? o->folder : "-",
	    flags, args);
}

/* Copies of the arguments, "facteur" first; NULL-terminated. */
struct targv {
	char	*v[MAXARGS + 2];
	int	 c;
};

static void
targv_init(struct targv *t, const char *const *args)
{
	int	i;

	t->v[0] = xstrdup("facteur");
	for (i = 0; i < MAXARGS && args[i] != NULL; i++)
		t->v[i + 1] = xstrdup(args[i]);
	t->c = i + 1;
	t->v[t->c] = NULL;
}

static void
targv_free(struct targv *t)
{
	int	i;

	for (i = 0; i < t->c; i++)
		free(t->v[i]);
}

/* Parse args; the description, or "error: ERR". */
static void
parse_args(const char *const *args, char *out, size_t n)
{
	struct targv	t;
	struct cli_opts	o;
	char		err[512];

	targv_init(&t, args);
	memset(err, 'X', sizeof(err));
	err[sizeof(err) - 1] = '\0';
	if (cli_parse_args(t.c, t.v, &o, err, sizeof(err)) == 0) {
		describe(&o, out, n);
	} else {
		ck_assert_msg(strlen(err) < sizeof(err) - 1 && err[0] != 'X',
		    "err not set");
		(void)snprintf(out, n, "error: %s", err);
	}
	cli_opts_free(&o);
	ck_assert_ptr_null(o.args);
	ck_assert_int_eq(o.nargs, 0);
	targv_free(&t);
}

#define SEE_HELP	" (see facteur --help)"

static const struct {
	const char	*args[MAXARGS];
	const char	*want;
} args_cases[] = {
	/* Nothing: the interface. */
	{ { NULL }, "ui facteur F=- a=- f=- - []" },
	{ { "-F", "c", "sync" }, "sync sync F=c a=- f=- - []" },
	{ { "sync", "-F", "c" }, "sync sync F=c a=- f=- - []" },
	{ { "-Fc", "sync" }, "sync sync F=c a=- f=- - []" },
	{ { "sync", "-F/etc/x y" }, "sync sync F=/etc/x y a=- f=- - []" },
	/* Given twice, the last one wins. */
	{ { "-F", "a", "config-check", "-Fb" },
	    "config-check config-check F=b a=- f=- - []" },
	{ { "config-check" },
	    "config-check config-check F=- a=- f=- - []" },
	{ { "-a", "perso", "list", "--json", "INBOX" },
	    "list list F=- a=perso f=- j [INBOX]" },
	{ { "list", "INBOX", "-aperso", "--json" },
	    "list list F=- a=perso f=- j [INBOX]" },
	{ { "list", "/home/j/Maildir" },
	    "list list F=- a=- f=- - [/home/j/Maildir]" },
	/* A lone - is an operand. */
	{ { "list", "-" }, "list list F=- a=- f=- - [-]" },
	{ { "show", "--raw", "msg" }, "show show F=- a=- f=- r [msg]" },
	{ { "--json", "show", "m" }, "show show F=- a=- f=- j [m]" },
	/* After --, everything is an operand. */
	{ { "show", "--", "-odd-name" },
	    "show show F=- a=- f=- - [-odd-name]" },
	{ { "show", "--json", "--", "--raw" },
	    "show show F=- a=- f=- j [--raw]" },
	{ { "show", "--", "--help" }, "show show F=- a=- f=- - [--help]" },
	{ { "sync", "--", "-F", "x" }, "sync sync F=- a=- f=- - [-F|x]" },
	{ { "send", "-q", "-v" }, "send send F=- a=- f=- qv []" },
	{ { "-v", "send", "--verbose", "-a", "w" },
	    "send send F=- a=w f=- v []" },
	{ { "sync", "a", "b", "-v", "c" }, "sync sync F=- a=- f=- v [a|b|c]" },
	/* The command word may also be an operand later. */
	{ { "sync", "sync", "list" }, "sync sync F=- a=- f=- - [sync|list]" },
	{ { "-f", "INBOX" }, "ui facteur F=- a=- f=INBOX - []" },
	{ { "-fSent", "-a", "x", "-F", "c" },
	    "ui facteur F=c a=x f=Sent - []" },
	/* --help and --version wherever they are (before --). */
	{ { "--help" }, "help" },
	{ { "-h" }, "help" },
	{ { "sync", "--help" }, "help" },
	{ { "show", "--help" }, "help" },
	{ { "list", "--json", "-h", "extra", "more", "--bogus" }, "help" },
	{ { "--version" }, "version" },
	{ { "config-check", "--version" }, "version" },
	{ { "-F", "x", "--version", "--bogus", "frob" }, "version" },
	{ { "--version", "--help" }, "version" },
	/* Usage errors. */
	{ { "--bogus" }, "error: unknown option '--bogus'" SEE_HELP },
	{ { "-x", "--help" }, "error: unknown option '-x'" SEE_HELP },
	{ { "-qv", "send" }, "error: unknown option '-qv'" SEE_HELP },
	{ { "show", "--json=1", "m" },
	    "error: unknown option '--json=1'" SEE_HELP },
	{ { "frob" }, "error: unknown command 'frob'" SEE_HELP },
	{ { "frob", "--help" }, "error: unknown command 'frob'" SEE_HELP },
	{ { "SYNC" }, "error: unknown command 'SYNC'" SEE_HELP },
	{ { "-" }, "error: unknown command '-'" SEE_HELP },
	{ { "list", "-q" },
	    "error: list: option -q is not valid here" SEE_HELP },
	{ { "-q", "list" },
	    "error: list: option -q is not valid here" SEE_HELP },
	{ { "list", "-v" },
	    "error: list: option -v is not valid here" SEE_HELP },
	{ { "sync", "-a", "x" },
	    "error: sync: option -a is not valid here" SEE_HELP },
	{ { "config-check", "-a", "x" },
	    "error: config-check: option -a is not valid here" SEE_HELP },
	{ { "config-check", "--json" },
	    "error: config-check: option --json is not valid here" SEE_HELP },
	{ { "show", "-f", "x", "m" },
	    "error: show: option -f is not valid here" SEE_HELP },
	{ { "send", "--raw" },
	    "error: send: option --raw is not valid here" SEE_HELP },
	{ { "list", "--raw", "--json" },
	    "error: list: option --raw is not valid here" SEE_HELP },
	{ { "show" }, "error: show: missing MESSAGE-FILE" SEE_HELP },
	{ { "--raw", "show" }, "error: show: missing MESSAGE-FILE" SEE_HELP },
	{ { "show", "a", "b" },
	    "error: show: unexpected argument 'b'" SEE_HELP },
	{ { "list", "a", "b", "c" },
	    "error: list: unexpected argument 'b'" SEE_HELP },
	{ { "config-check", "x" },
	    "error: config-check: unexpected argument 'x'" SEE_HELP },
	{ { "send", "msg" },
	    "error: send: unexpected argument 'msg'" SEE_HELP },
	{ { "show", "--raw", "--json", "f" },
	    "error: show: --raw and --json cannot be combined" },
	{ { "show", "--json", "f", "--raw" },
	    "error: show: --raw and --json cannot be combined" },
	{ { "-F" }, "error: option -F needs a value" },
	{ { "sync", "-a" }, "error: option -a needs a value" },
	{ { "-f" }, "error: option -f needs a value" },
	/* The command must come before --. */
	{ { "--", "sync" },
	    "error: unexpected argument 'sync'" SEE_HELP },
	{ { "--json" },
	    "error: option --json is not valid here" SEE_HELP },
};

START_TEST(parse_args_table)
{
	char	got[512];

	parse_args(args_cases[_i].args, got, sizeof(got));
	ck_assert_str_eq(got, args_cases[_i].want);
}
END_TEST

/* Options before and after the command give the same result. */
static const struct {
	const char	*a[MAXARGS];
	const char	*b[MAXARGS];
} same_cases[] = {
	{ { "-F", "c", "sync" }, { "sync", "-F", "c" } },
	{ { "-F", "c", "config-check" }, { "config-check", "-F", "c" } },
	{ { "-Fc", "config-check" }, { "config-check", "-F", "c" } },
	{ { "-F", "c", "-a", "p", "list", "F" },
	    { "list", "F", "-a", "p", "-F", "c" } },
	{ { "-a", "p", "--json", "list" }, { "list", "--json", "-ap" } },
	{ { "-q", "-v", "-F", "c", "send" }, { "send", "-v", "-q", "-Fc" } },
	{ { "--raw", "show", "m" }, { "show", "m", "--raw" } },
	{ { "-v", "sync", "a", "b" }, { "sync", "a", "-v", "b" } },
	{ { "-a", "x", "sync" }, { "sync", "-a", "x" } },
	{ { "-q", "list" }, { "list", "-q" } },
};

START_TEST(parse_args_same)
{
	char	a[512], b[512];

	parse_args(same_cases[_i].a, a, sizeof(a));
	parse_args(same_cases[_i].b, b, sizeof(b));
	ck_assert_str_eq(a, b);
}
END_TEST

/* No arguments at all, not even argv[0]. */
START_TEST(parse_args_empty)
{
	char		*argv[] = { NULL };
	struct cli_opts	 o;
	char		 err[64] = "";

	ck_assert_int_eq(cli_parse_args(0, argv, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.cmd, CLI_CMD_UI);
	ck_assert_int_eq(o.nargs, 0);
	ck_assert_ptr_null(o.config_path);
	cli_opts_free(&o);
	cli_opts_free(&o);
}
END_TEST

/* Values are borrowed from argv, not copied. */
START_TEST(parse_args_borrowed)
{
	char		 a0[] = "facteur", a1[] = "-F", a2[] = "/c",
			 a3[] = "sync", a4[] = "acct";
	char		*argv[] = { a0, a1, a2, a3, a4, NULL };
	struct cli_opts	 o;
	char		 err[64];

	ck_assert_int_eq(cli_parse_args(5, argv, &o, err, sizeof(err)), 0);
	ck_assert_ptr_eq(o.config_path, a2);
	ck_assert_int_eq(o.nargs, 1);
	ck_assert_ptr_eq(o.args[0], a4);
	ck_assert_str_eq(o.cmd_name, "sync");
	cli_opts_free(&o);
}
END_TEST

/* cli_usage() names every command. */
START_TEST(usage_names)
{
	static const char *const want[] = {
		"usage: facteur [-F CONFIG] [-a ACCOUNT] [-f FOLDER]\n",
		"facteur sync [-F CONFIG]", "facteur send [-F CONFIG]",
		"facteur list [-F CONFIG]", "facteur show [-F CONFIG]",
		"facteur config-check [-F CONFIG]", "--help", "--version",
	};
	char	*text = NULL;
	size_t	 len = 0, i;
	FILE	*f;

	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	cli_usage(f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(strncmp(text, want[0], strlen(want[0])), 0);
	for (i = 1; i < NITEMS(want); i++)
		ck_assert_msg(strstr(text, want[i]) != NULL, "no '%s'",
		    want[i]);
	ck_assert_int_eq(text[len - 1], '\n');
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The binary                                                          */

/*
 * Each test gets its own directory (its HOME), made by mkdtemp in a
 * checked fixture and removed by its teardown, inside a base directory
 * that the unchecked fixture (run by the runner itself) removes even after
 * a failed test.
 */
static char	basedir[64], tmpdir[128];

static void
basedir_setup(void)
{
	(void)fct_strlcpy(basedir, "/tmp/check_cli.XXXXXX", sizeof(basedir));
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

/* tmpdir/name (directories created), holding text, with mode. */
static char *
write_file(const char *name, const char *text, mode_t mode)
{
	char	*path = xasprintf("%s/%s", tmpdir, name), *slash;
	FILE	*f;

	for (slash = strchr(path + strlen(tmpdir) + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		ck_assert_msg(mkdir(path, 0700) == 0 || errno == EEXIST,
		    "%s: %s", path, strerror(errno));
		*slash = '/';
	}
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

static char *
read_all(const char *path)
{
	struct buf	 b;
	char		 chunk[4096];
	FILE		*f;
	size_t		 n;

	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	buf_init(&b, 1024 * 1024);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ck_assert_int_eq(buf_append(&b, chunk, n), 0);
	ck_assert_int_eq(ferror(f), 0);
	(void)fclose(f);
	return buf_take(&b);
}

/* ./facteur with HOME=tmpdir; see test_run_facteur(). */
static struct test_run
run_env(const char *const *args, const char *const *extra,
    const char *outpath)
{
	return test_run_facteur(tmpdir, args, extra, outpath);
}

static struct test_run
run(const char *const *args)
{
	return run_env(args, NULL, NULL);
}

/* The usage text as the library writes it. */
static char *
usage_text(void)
{
	char	*text = NULL;
	size_t	 len = 0;
	FILE	*f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	cli_usage(f);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

START_TEST(bin_help)
{
	static const char *const argvs[][MAXARGS] = {
		{ "--help" }, { "-h" }, { "sync", "-F", "x", "--help" },
		{ "show", "--help", "a", "b" }, { "-F", "/nonexistent", "-h" },
	};
	char	*usage = usage_text();
	size_t	 i;

	ck_assert_int_eq(strncmp(usage, "usage: facteur", 14), 0);
	for (i = 0; i < NITEMS(argvs); i++) {
		struct test_run	r = run(argvs[i]);

		ck_assert_int_eq(r.status, 0);
		ck_assert_str_eq(r.out, usage);
		ck_assert_str_eq(r.err, "");
		test_run_free(&r);
	}
	free(usage);
}
END_TEST

/* "facteur VERSION", VERSION as config.mk sets it. */
START_TEST(bin_version)
{
	static const char *const argvs[][MAXARGS] = {
		{ "--version" }, { "config-check", "--version" },
		{ "-F", "x", "--version", "--bogus" },
	};
	char	*mk, *v, *want;
	size_t	 i, n;

	mk = read_all("config.mk");
	v = strstr(mk, "\nVERSION = ");
	ck_assert_msg(v != NULL, "no VERSION in config.mk");
	v += strlen("\nVERSION = ");
	n = strcspn(v, " \t\n");
	ck_assert_uint_gt(n, 0);
	want = xasprintf("facteur %.*s\n", (int)n, v);
	for (i = 0; i < NITEMS(argvs); i++) {
		struct test_run	r = run(argvs[i]);

		ck_assert_int_eq(r.status, 0);
		ck_assert_str_eq(r.out, want);
		ck_assert_str_eq(r.err, "");
		test_run_free(&r);
	}
	free(want);
	free(mk);
}
END_TEST

/* A failure to write standard output is exit status 1. */
START_TEST(bin_write_error)
{
	static const char *const args[] = { "--help", NULL };
	struct test_run	r;

	if (access("/dev/full", W_OK) != 0)
		return;	/* not on this system */
	r = run_env(args, NULL, "/dev/full");
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "facteur: standard output: write error\n");
	test_run_free(&r);
}
END_TEST

/* Commands not implemented yet, and usage errors: status 2, stderr. */
static const struct {
	const char	*args[MAXARGS];
	const char	*err;
} bin_fail_cases[] = {
	{ { "-a", "nosuch" }, "facteur: nosuch: no such account (no "
	    "configuration found)\n" },
	{ { "sync" }, "facteur: sync: no account configured (see "
	    "facteur.conf(5))\n" },
	{ { "sync", "-v", "perso" }, "facteur: sync: no account configured "
	    "(see facteur.conf(5))\n" },
	{ { "send", "-q" }, "facteur: send: no account configured (see "
	    "facteur.conf(5))\n" },
	{ { "--bogus" }, "facteur: unknown option '--bogus'" SEE_HELP "\n" },
	{ { "sync", "-x" }, "facteur: unknown option '-x'" SEE_HELP "\n" },
	{ { "frob" }, "facteur: unknown command 'frob'" SEE_HELP "\n" },
	{ { "list", "-q" },
	    "facteur: list: option -q is not valid here" SEE_HELP "\n" },
	{ { "show" }, "facteur: show: missing MESSAGE-FILE" SEE_HELP "\n" },
	{ { "show", "--raw", "--json", "m" },
	    "facteur: show: --raw and --json cannot be combined\n" },
	{ { "config-check", "-F" }, "facteur: option -F needs a value\n" },
	{ { "config-check", "extra" },
	    "facteur: config-check: unexpected argument 'extra'" SEE_HELP
	    "\n" },
};

START_TEST(bin_fail_table)
{
	struct test_run	r = run(bin_fail_cases[_i].args);

	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.out, "");
	ck_assert_str_eq(r.err, bin_fail_cases[_i].err);
	test_run_free(&r);
}
END_TEST

/*
 * A valid file with two accounts. Its password must never be printed,
 * and config-check runs no password-command (it would create MARKER).
 */
#define SECRET	"S3cr3t-Pa55"
static const char good_conf[] =
	"[general]\n"
	"mail-root = ~/Courrier\n"
	"\n"
	"[account perso]\n"
	"address = Jeanne Martin <jeanne@example.fr>\n"
	"incoming = imaps://jeanne@imap.example.fr\n"
	"outgoing = smtps://smtp.example.fr\n"
	"password = " SECRET "\n"
	"\n"
	"[account work]\n"
	"address = \"Martin, Jeanne\" <j.martin@corp.example>\n"
	"incoming = pop3://jmartin@pop.corp.example:1110\n"
	"outgoing = smtp://smtp.corp.example\n"
	"password-command = touch \"$HOME/MARKER\"; echo cmd-output-secret\n"
	"keep-on-server = 30d\n"
	"default = yes\n"
	"\n"
	"[account local]\n"
	"address = j@example.fr\n"
	"incoming = maildir://~/Maildir\n";

START_TEST(bin_config_check_good)
{
	char		*path, *want, *marker;
	const char	*args[] = { "config-check", "-F", NULL, NULL };
	struct test_run	 r;
	size_t		 i;
	const char	*lines[] = {
		"\naccount perso\n",
		"\n  address    Jeanne Martin <jeanne@example.fr>\n",
		"\n  user       jeanne\n",
		"\n  incoming   imaps server imap.example.fr port 993, TLS\n",
		"\n  outgoing   smtps server smtp.example.fr port 465, TLS\n",
		"\n  password   in the configuration file\n",
		"\n  smtp pass  same as incoming\n",
		"\naccount work (default)\n",
		"\n  address    \"Martin, Jeanne\" <j.martin@corp.example>\n",
		"\n  user       jmartin\n",
		"\n  incoming   pop3 server pop.corp.example port 1110, "
		    "STARTTLS (required)\n",
		"\n  outgoing   smtp server smtp.corp.example port 587, "
		    "STARTTLS (required)\n",
		"\n  password   from password-command\n",
		"\n  keep       30d on the server after download\n",
		"\naccount local\n",
		"\n  CA         the system store\n",
	};

	path = write_file("good.conf", good_conf, 0600);
	args[2] = path;
	r = run(args);
	ck_assert_msg(r.status == 0, "status %d, stderr: %s", r.status, r.err);
	ck_assert_str_eq(r.err, "");
	want = xasprintf("%s: OK, 3 accounts\n  mail-root  %s/Courrier\n",
	    path, tmpdir);
	ck_assert_msg(strncmp(r.out, want, strlen(want)) == 0,
	    "got:\n%s\nwant start:\n%s", r.out, want);
	free(want);
	for (i = 0; i < NITEMS(lines); i++)
		ck_assert_msg(strstr(r.out, lines[i]) != NULL,
		    "no line '%s' in:\n%s", lines[i] + 1, r.out);
	want = xasprintf("\n  store      %s/Courrier/perso\n", tmpdir);
	ck_assert_msg(strstr(r.out, want) != NULL, "no '%s'", want + 1);
	free(want);
	want = xasprintf("\n  store      %s/Courrier/work\n", tmpdir);
	ck_assert_msg(strstr(r.out, want) != NULL, "no '%s'", want + 1);
	free(want);
	want = xasprintf("\n  incoming   maildir %s/Maildir (local, no "
	    "server)\n", tmpdir);
	ck_assert_msg(strstr(r.out, want) != NULL, "no '%s'", want + 1);
	free(want);
	/* The order of the accounts is the file's. */
	{
		const char	*p = strstr(r.out, "\naccount perso"),
				*w = strstr(r.out, "\naccount work"),
				*l = strstr(r.out, "\naccount local");

		ck_assert_msg(p != NULL && w != NULL && l != NULL && p < w &&
		    w < l, "accounts out of order:\n%s", r.out);
	}
	/* Secrets never shown, commands never run. */
	ck_assert_ptr_null(strstr(r.out, SECRET));
	ck_assert_ptr_null(strstr(r.err, SECRET));
	ck_assert_ptr_null(strstr(r.out, "cmd-output-secret"));
	marker = xasprintf("%s/MARKER", tmpdir);
	ck_assert_int_eq(access(marker, F_OK), -1);
	free(marker);
	test_run_free(&r);
	free(path);
}
END_TEST

/* A file without accounts says how to add one. */
START_TEST(bin_config_check_no_account)
{
	char		*path, *want;
	const char	*args[] = { "config-check", "-F", NULL, NULL };
	struct test_run	 r;

	path = write_file("empty.conf", "# nothing yet\n", 0600);
	args[2] = path;
	r = run(args);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.err, "");
	want = xasprintf("%s: OK, 0 accounts\n  mail-root  %s/Mail\n\n"
	    "No account is configured: add an [account NAME] section (see "
	    "facteur.conf(5)).\n", path, tmpdir);
	ck_assert_str_eq(r.out, want);
	free(want);
	test_run_free(&r);
	free(path);
}
END_TEST

/* Three errors: each on stderr, then the count; status 2. */
static const char bad_conf[] =
	"[general]\n"
	"edtor = vim\n"
	"\n"
	"[account perso]\n"
	"address = jeanne@example.fr\n"
	"incoming = imaps://jeanne:hunter2@imap.example.fr\n"
	"keep-on-server = 2 weeks\n";

START_TEST(bin_config_check_errors)
{
	char		*path, *want;
	const char	*args[] = { "config-check", "-F", NULL, NULL };
	struct test_run	 r;

	path = write_file("bad.conf", bad_conf, 0600);
	args[2] = path;
	r = run(args);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.out, "");
	want = xasprintf(
	    "facteur: %s:2: unknown key 'edtor' in [general] (did you mean "
	    "'editor'?)\n"
	    "facteur: %s:6: incoming: do not put a password in the URL; use "
	    "password-command or password\n"
	    "facteur: %s:7: keep-on-server: expected 0, a duration such as "
	    "14d, or forever, got '2 weeks'\n"
	    "facteur: %s: 3 errors\n", path, path, path, path);
	ck_assert_str_eq(r.err, want);
	ck_assert_ptr_null(strstr(r.err, "hunter2"));
	free(want);
	test_run_free(&r);
	free(path);
}
END_TEST

/* Warnings come first, then errors; one error is "1 error". */
START_TEST(bin_config_check_warnings)
{
	char		*path, *want;
	const char	*args[] = { "config-check", "-F", NULL, NULL };
	struct test_run	 r;

	path = write_file("warn.conf", "[account a]\naddress = a@x.org\n"
	    "incoming = imaps://h\nkeep-on-server = 1d\nsort = date\n", 0600);
	args[2] = path;
	r = run(args);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.out, "");
	want = xasprintf(
	    "facteur: %s:4: warning: keep-on-server only applies to POP3 "
	    "accounts; 'a' uses imaps://\n"
	    "facteur: %s:5: 'sort' belongs in [general], not in [account a]\n"
	    "facteur: %s: 1 error\n", path, path, path);
	ck_assert_str_eq(r.err, want);
	free(want);
	test_run_free(&r);
	free(path);

	/* Warnings alone: status 0, the summary on stdout. */
	path = write_file("pw.conf", "[account a]\naddress = a@x.org\n"
	    "incoming = imaps://h\n\npassword = " SECRET "\n", 0644);
	args[2] = path;
	r = run(args);
	ck_assert_int_eq(r.status, 0);
	want = xasprintf("facteur: %s:5: warning: this file holds a password "
	    "and is readable by others (mode 0644); run chmod 600 on it, or "
	    "use password-command\n", path);
	ck_assert_str_eq(r.err, want);
	free(want);
	want = xasprintf("%s: OK, 1 account\n", path);
	ck_assert_int_eq(strncmp(r.out, want, strlen(want)), 0);
	free(want);
	ck_assert_ptr_null(strstr(r.out, SECRET));
	test_run_free(&r);
	free(path);
}
END_TEST

START_TEST(bin_config_check_missing)
{
	char		*path, *want;
	const char	*args[] = { "config-check", "-F", NULL, NULL };
	struct test_run	 r;

	path = xasprintf("%s/no/such/config", tmpdir);
	args[2] = path;
	r = run(args);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.out, "");
	want = xasprintf("facteur: %s: cannot read: No such file or "
	    "directory\nfacteur: %s: 1 error\n", path, path);
	ck_assert_str_eq(r.err, want);
	free(want);
	test_run_free(&r);

	/* A directory. */
	args[2] = tmpdir;
	r = run(args);
	ck_assert_int_eq(r.status, 2);
	want = xasprintf("facteur: %s: not a regular file\nfacteur: %s: 1 "
	    "error\n", tmpdir, tmpdir);
	ck_assert_str_eq(r.err, want);
	free(want);
	test_run_free(&r);
	free(path);
}
END_TEST

/* "facteur -F x config-check" is "facteur config-check -F x". */
START_TEST(bin_option_before_after)
{
	const char	*names[] = { "good.conf", "bad.conf", "missing.conf" };
	size_t		 i;

	for (i = 0; i < NITEMS(names); i++) {
		char		*path;
		const char	*before[] = { "-F", NULL, "config-check",
			    NULL };
		const char	*after[] = { "config-check", "-F", NULL, NULL };
		const char	*glued[] = { "config-check", NULL, NULL };
		struct test_run	 a, b, c;

		if (i == 0)
			path = write_file(names[i], good_conf, 0600);
		else if (i == 1)
			path = write_file(names[i], bad_conf, 0600);
		else
			path = xasprintf("%s/%s", tmpdir, names[i]);
		before[1] = path;
		after[2] = path;
		glued[1] = xasprintf("-F%s", path);
		a = run(before);
		b = run(after);
		c = run(glued);
		ck_assert_int_eq(a.status, i == 0 ? 0 : 2);
		ck_assert_int_eq(a.status, b.status);
		ck_assert_str_eq(a.out, b.out);
		ck_assert_str_eq(a.err, b.err);
		ck_assert_int_eq(a.status, c.status);
		ck_assert_str_eq(a.out, c.out);
		ck_assert_str_eq(a.err, c.err);
		ck_assert_ptr_nonnull(strstr(i == 0 ? a.out : a.err, path));
		test_run_free(&a);
		test_run_free(&b);
		test_run_free(&c);
		free((char *)glued[1]);
		free(path);
	}
}
END_TEST

/*
 * Where config-check looks without -F: $FACTEUR_CONFIG (unless empty),
 * $XDG_CONFIG_HOME/facteur/config (if absolute), $HOME/.config/...
 */
START_TEST(bin_config_path_env)
{
	static const char *const args[] = { "config-check", NULL };
	char		*fc, *xdg, *home, *xdgdir, *env1, *env2;
	struct test_run	 r;

	fc = write_file("fc.conf", "[general]\n", 0600);
	xdg = write_file("xdg/facteur/config", "[general]\n", 0600);
	home = write_file(".config/facteur/config", "[general]\n", 0600);
	xdgdir = xasprintf("%s/xdg", tmpdir);

	/* $FACTEUR_CONFIG first. */
	env1 = xasprintf("FACTEUR_CONFIG=%s", fc);
	env2 = xasprintf("XDG_CONFIG_HOME=%s", xdgdir);
	{
		const char	*extra[] = { env1, env2, NULL };

		r = run_env(args, extra, NULL);
		ck_assert_int_eq(r.status, 0);
		ck_assert_int_eq(strncmp(r.out, fc, strlen(fc)), 0);
		ck_assert_int_eq(strncmp(r.out + strlen(fc), ": OK, 0 "
		    "accounts\n", 16), 0);
		test_run_free(&r);
	}
	free(env1);

	/* -F wins over it. */
	env1 = xasprintf("FACTEUR_CONFIG=%s", fc);
	{
		const char	*extra[] = { env1, NULL };
		const char	*fargs[] = { "config-check", "-F", home, NULL };

		r = run_env(fargs, extra, NULL);
		ck_assert_int_eq(r.status, 0);
		ck_assert_int_eq(strncmp(r.out, home, strlen(home)), 0);
		test_run_free(&r);
	}
	free(env1);

	/* An empty $FACTEUR_CONFIG is ignored: $XDG_CONFIG_HOME. */
	{
		const char	*extra[] = { "FACTEUR_CONFIG=", env2, NULL };

		r = run_env(args, extra, NULL);
		ck_assert_int_eq(r.status, 0);
		ck_assert_int_eq(strncmp(r.out, xdg, strlen(xdg)), 0);
		test_run_free(&r);
	}
	free(env2);

	/* A relative $XDG_CONFIG_HOME is ignored: $HOME/.config. */
	{
		const char	*extra[] = { "XDG_CONFIG_HOME=xdg", NULL };

		r = run_env(args, extra, NULL);
		ck_assert_int_eq(r.status, 0);
		ck_assert_int_eq(strncmp(r.out, home, strlen(home)), 0);
		test_run_free(&r);
	}
	/* Nothing set but HOME. */
	r = run_env(args, NULL, NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(strncmp(r.out, home, strlen(home)), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "mail-root"));
	test_run_free(&r);

	/* And nothing there: that path is the error. */
	ck_assert_int_eq(unlink(home), 0);
	r = run_env(args, NULL, NULL);
	ck_assert_int_eq(r.status, 2);
	{
		char	*want = xasprintf("facteur: %s: cannot read: No such "
		    "file or directory\nfacteur: %s: 1 error\n", home, home);

		ck_assert_str_eq(r.err, want);
		free(want);
	}
	test_run_free(&r);
	free(fc);
	free(xdg);
	free(home);
	free(xdgdir);
}
END_TEST

/* ------------------------------------------------------------------ */

/* send -q queues the prepared message in the account's Outbox, without
 * a server; a message naming nobody is refused (exit 2). */
START_TEST(bin_send_queue)
{
	const char	*args[] = { "send", "-q", "-F", NULL, NULL };
	char		*cfg = xasprintf("%s/config", tmpdir);
	char		*md = xasprintf("%s/md", tmpdir), *in, *text, *p;
	const char	*msg;
	char		*outbox = xasprintf("%s/md/Outbox/new", tmpdir);
	struct test_run	 r;
	DIR		*d;
	struct dirent	*de;
	int		 files = 0;

	ck_assert_int_eq(mkdir(md, 0700), 0);
	text = xasprintf("[account perso]\naddress = Jeanne <j@example.fr>\n"
	    "incoming = maildir://%s\n"
	    "outgoing = smtps://j@smtp.invalid\n", md);
	test_write_file(cfg, text, strlen(text));
	free(text);
	args[3] = cfg;
	in = xasprintf("%s/in", tmpdir);
	msg = "To: a@example.test\nBcc: b@example.test\nSubject: q\n\nhi\n";
	test_write_file(in, msg, strlen(msg));
	r = test_run_facteur_in(tmpdir, args, NULL, in, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.err, "");
	test_run_free(&r);
	d = opendir(outbox);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		files++;
		p = xasprintf("%s/%s", outbox, de->d_name);
		text = read_all(p);
		ck_assert(strncmp(text, "Date: ", 6) == 0);
		ck_assert_ptr_nonnull(strstr(text, "\r\nMessage-ID: <"));
		ck_assert_ptr_nonnull(strstr(text, "@example.fr>\r\n"
		    "From: Jeanne <j@example.fr>\r\nTo: a@example.test\n"
		    "Bcc: b@example.test\n"));
		free(text);
		free(p);
	}
	(void)closedir(d);
	ck_assert_int_eq(files, 1);
	msg = "Subject: nobody\n\nhi\n";
	test_write_file(in, msg, strlen(msg));
	r = test_run_facteur_in(tmpdir, args, NULL, in, NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "facteur: send: no recipient (To, Cc and Bcc "
	    "name nobody)\n");
	test_run_free(&r);
	free(in);
	free(outbox);
	free(md);
	free(cfg);
}
END_TEST

Suite *
cli_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("cli");

	tc = tcase_create("parse_args");
	tcase_add_test(tc, parse_args_empty);
	tcase_add_loop_test(tc, parse_args_table, 0, (int)NITEMS(args_cases));
	tcase_add_loop_test(tc, parse_args_same, 0, (int)NITEMS(same_cases));
	tcase_add_test(tc, parse_args_borrowed);
	tcase_add_test(tc, usage_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("binary");
	tcase_add_unchecked_fixture(tc, basedir_setup, basedir_teardown);
	tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, bin_help);
	tcase_add_test(tc, bin_version);
	tcase_add_test(tc, bin_write_error);
	tcase_add_loop_test(tc, bin_fail_table, 0, (int)NITEMS(bin_fail_cases));
	tcase_add_test(tc, bin_config_check_good);
	tcase_add_test(tc, bin_config_check_no_account);
	tcase_add_test(tc, bin_config_check_errors);
	tcase_add_test(tc, bin_config_check_warnings);
	tcase_add_test(tc, bin_config_check_missing);
	tcase_add_test(tc, bin_option_before_after);
	tcase_add_test(tc, bin_config_path_env);
	tcase_add_test(tc, bin_send_queue);
	suite_add_tcase(s, tc);

	return s;
}
