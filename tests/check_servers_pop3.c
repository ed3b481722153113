/*
 * check_servers_pop3.c: facteur sync on a POP3 account (the binary)
 * against the real Dovecot of tests/servers/, with mail delivered by
 * Postfix (sent with facteur send): messages fetched once, a rerun
 * fetching nothing, a lost state not fetching again (the files are
 * adopted), keep-on-server = 2d deleting only once the clock
 * (FACTEUR_NOW) has moved on, keep-on-server = 0 emptying the server,
 * and kill -9 in the middle of a download: every message exactly once.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "tests.h"

static char	home[256];

static void
write_config(const char *keep)
{
	char	*path = xasprintf("%s/config", home);
	FILE	*fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	(void)fprintf(fp, "[general]\nmail-root = %s/mail\n\n"
	    "[account alice]\naddress = Alice <%s>\n"
	    "incoming = pop3://alice%%40example.test@%s:%s\n"
	    "outgoing = smtp://alice%%40example.test@%s:%s\n"
	    "password = %s\ntls-ca-file = %s\nkeep-on-server = %s\n", home,
	    test_env("MAILTEST_USER1"), test_env("MAILTEST_TLS_SERVERNAME"),
	    test_env("MAILTEST_POP3_PORT"),
	    test_env("MAILTEST_TLS_SERVERNAME"),
	    test_env("MAILTEST_SUBMISSION_PORT"), test_env("MAILTEST_PASS1"),
	    test_env("MAILTEST_CA_FILE"), keep);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(chmod(path, 0600), 0);
	free(path);
}

/* facteur ARGS < msg (NULL: none), with FACTEUR_NOW=now when > 0. */
static struct test_run
run_at(const char *const *args, const char *msg, long long now)
{
	char		*cfg = xasprintf("FACTEUR_CONFIG=%s/config", home);
	char		*clk = xasprintf("FACTEUR_NOW=%lld", now), *in = NULL;
	const char	*env[3] = { cfg, now > 0 ? clk : NULL, NULL };
	struct test_run	 r;

	if (msg != NULL) {
		in = xasprintf("%s/in.eml", home);
		test_write_file(in, msg, strlen(msg));
	}
	r = test_run_facteur_in(home, args, env, in, NULL);
	free(cfg);
	free(clk);
	free(in);
	return r;
}

static char *
sync_at(long long now)
{
	static const char *const args[] = { "sync", NULL };
	struct test_run	r = run_at(args, NULL, now);

	ck_assert_msg(r.status == 0, "sync: %d %s", r.status, r.err);
	free(r.err);
	return r.out;
}

/* Files in the local INBOX's new/. */
static int
local_files(void)
{
	char		*p = xasprintf("%s/mail/alice/INBOX/new", home);
	DIR		*d = opendir(p);
	struct dirent	*de;
	int		 n = 0;

	free(p);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	(void)closedir(d);
	return n;
}

/* How many local messages hold text. */
static int
local_with(const char *text)
{
	char		*p = xasprintf("%s/mail/alice/INBOX/new", home), *f, *c;
	DIR		*d = opendir(p);
	struct dirent	*de;
	int		 n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		f = xasprintf("%s/%s", p, de->d_name);
		c = test_slurp(f, NULL);
		n += strstr(c, text) != NULL;
		free(c);
		free(f);
	}
	(void)closedir(d);
	free(p);
	return n;
}

/* Send n messages to alice ("tag k" in each), then wait until a sync
 * has them all here. */
static void
deliver(const char *tag, int n)
{
	static const char *const send[] = { "send", NULL };
	struct test_run	 r;
	char		 msg[256], want[64];
	int		 k, tries, before = local_files();

	for (k = 0; k < n; k++) {
		(void)snprintf(msg, sizeof(msg), "To: alice@example.test\n"
		    "Subject: %s %d\n\n%s %d body\n.dot line\n", tag, k, tag,
		    k);
		r = run_at(send, msg, 0);
		ck_assert_msg(r.status == 0, "send: %s", r.err);
		test_run_free(&r);
	}
	(void)snprintf(want, sizeof(want), "%s %d body", tag, n - 1);
	for (tries = 0; tries < 100 && local_files() < before + n; tries++) {
		free(sync_at(0));
		if (local_files() < before + n)
			(void)usleep(100 * 1000);
	}
	ck_assert_int_eq(local_files(), before + n);
	ck_assert_int_eq(local_with(want), 1);
}

static void
setup(void)
{
	(void)fct_strlcpy(home, "/tmp/facteur-pop-XXXXXX", sizeof(home));
	ck_assert_ptr_nonnull(mkdtemp(home));
	/* Empty alice's mailbox of what other suites left there. */
	write_config("0");
	free(sync_at(0));
	test_remove_tree(home);
	ck_assert_int_eq(mkdir(home, 0700), 0);
	write_config("forever");
}

static void
teardown(void)
{
	test_remove_tree(home);
}

START_TEST(pop3_fetch_and_keep)
{
	char	*out, *state;
	long long now = (long long)time(NULL);

	deliver("pop", 3);
	ck_assert_int_eq(local_with("\n.dot line\n"), 3);
	out = sync_at(0);
	ck_assert_str_eq(out, "alice/INBOX: 0 new, 0 sent, 0 flag changes "
	    "down, 0 up, 0 deleted here, 0 there\n");
	free(out);
	/* The state lost: the files are adopted, not fetched again. */
	state = xasprintf("%s/mail/alice/INBOX/.facteur-pop3", home);
	ck_assert_int_eq(unlink(state), 0);
	free(sync_at(0));
	ck_assert_int_eq(local_files(), 3);
	/* Kept two days: still there tomorrow, gone in three days. */
	write_config("2d");
	out = sync_at(now + 86400);
	ck_assert_ptr_nonnull(strstr(out, "0 deleted here, 0 there"));
	free(out);
	out = sync_at(now + 3 * 86400);
	ck_assert_ptr_nonnull(strstr(out, "0 deleted here, 3 there"));
	free(out);
	ck_assert_int_eq(local_files(), 3);
	/* The server is empty: a new store gets nothing. */
	test_remove_tree(home);
	ck_assert_int_eq(mkdir(home, 0700), 0);
	write_config("forever");
	out = sync_at(0);
	ck_assert_ptr_nonnull(strstr(out, "alice/INBOX: 0 new"));
	free(out);
	free(state);
}
END_TEST

START_TEST(pop3_keep_zero)
{
	char	*out;

	write_config("0");
	deliver("zero", 2);
	/* Deleted right after the download, in the same sync or the
	 * next. */
	free(sync_at(0));
	test_remove_tree(home);
	ck_assert_int_eq(mkdir(home, 0700), 0);
	write_config("forever");
	out = sync_at(0);
	ck_assert_ptr_nonnull(strstr(out, "alice/INBOX: 0 new"));
	free(out);
}
END_TEST

/* kill -9 once a few files are in: then every message once. */
START_TEST(pop3_killed)
{
	static const char *const send[] = { "send", NULL };
	struct test_run	 r;
	char		 msg[256], want[64];
	pid_t		 pid;
	int		 k, status, tries, total = 60;

	for (k = 0; k < total; k++) {
		(void)snprintf(msg, sizeof(msg), "To: alice@example.test\n"
		    "Subject: kill %d\n\nkill %d body\n", k, k);
		r = run_at(send, msg, 0);
		ck_assert_msg(r.status == 0, "send: %s", r.err);
		test_run_free(&r);
	}
	/* Wait until the server has them all (a sync with a throwaway
	 * store would take them: count over POP3 instead by retrying). */
	(void)usleep(500 * 1000);
	pid = test_spawn_facteur(home, "sync");
	for (tries = 0; tries < 200000 && local_files() < 5; tries++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			pid = -1;
			break;
		}
		(void)usleep(100);
	}
	if (pid > 0) {
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, &status, 0);
	}
	if (getenv("SYNC_KILL_VERBOSE") != NULL)
		fprintf(stderr, "pop3: %s with %d of %d here\n", pid > 0 ?
		    "killed" : "finished", local_files(), total);
	for (tries = 0; tries < 100 && local_files() < total; tries++) {
		free(sync_at(0));
		if (local_files() < total)
			(void)usleep(100 * 1000);
	}
	ck_assert_int_eq(local_files(), total);
	for (k = 0; k < total; k++) {
		(void)snprintf(want, sizeof(want), "kill %d body", k);
		ck_assert_int_eq(local_with(want), 1);
	}
}
END_TEST

Suite *
servers_pop3_suite(void)
{
	Suite	*s = suite_create("servers: pop3");
	TCase	*tc = tcase_create("fetch");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, pop3_fetch_and_keep);
	tcase_add_test(tc, pop3_keep_zero);
	tcase_add_test(tc, pop3_killed);
	suite_add_tcase(s, tc);
	return s;
}
