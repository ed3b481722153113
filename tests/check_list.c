/*
 * check_list.c: facteur list, run as a program: the index lines of a
 * maildir (threaded, sorted, searched), the JSON form read back, folders
 * of a configured account, $MAIL without a configuration, the index
 * cache it leaves, and its errors with their exit statuses.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "minijson.h"
#include "tests.h"

Suite	*list_suite(void);

static char	home[256];

static void
setup(void)
{
	(void)fct_strlcpy(home, "/tmp/facteur-list-XXXXXX", sizeof(home));
	ck_assert_ptr_nonnull(mkdtemp(home));
}

static void
teardown(void)
{
	test_remove_tree(home);
}

static void
put(const char *path, const char *text)
{
	FILE	*fp = fopen(path, "w");

	ck_assert_msg(fp != NULL, "%s", path);
	(void)fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
}

/* HOME/rel as a maildir; returns its path (owned). */
static char *
maildir(const char *rel)
{
	char	*p = xasprintf("%s/%s", home, rel), *s;
	char	*q;

	/* mkdir -p */
	for (q = p + strlen(home) + 1; *q != '\0'; q++) {
		if (*q == '/') {
			*q = '\0';
			(void)mkdir(p, 0700);
			*q = '/';
		}
	}
	(void)mkdir(p, 0700);
	s = xasprintf("%s/cur", p);
	ck_assert_int_eq(mkdir(s, 0700), 0);
	free(s);
	s = xasprintf("%s/new", p);
	ck_assert_int_eq(mkdir(s, 0700), 0);
	free(s);
	s = xasprintf("%s/tmp", p);
	ck_assert_int_eq(mkdir(s, 0700), 0);
	free(s);
	return p;
}

static void
put_msg(const char *dir, const char *sub, const char *name,
    const char *from, const char *subject, const char *date,
    const char *id, const char *refs, const char *body)
{
	char	*p = xasprintf("%s/%s/%s", dir, sub, name);
	char	*t = xasprintf("From: %s\nTo: bob@example.org\n"
	    "Subject: %s\nDate: %s\nMessage-ID: %s\n%s%s%s\n%s\n", from,
	    subject, date, id, refs ? "References: " : "", refs ? refs : "",
	    refs ? "\n" : "", body);

	put(p, t);
	free(p);
	free(t);
}

/* A small folder: a thread of two, a later message, an unread one. */
static char *
sample(const char *rel)
{
	char	*d = maildir(rel);

	put_msg(d, "cur", "1709285400.M1P1.host:2,S",
	    "Alice Example <alice@example.org>", "Weekly report",
	    "Fri, 01 Mar 2024 09:30:00 +0000", "<r1@example.org>", NULL,
	    "The figures are in.");
	put_msg(d, "cur", "1709300000.M2P1.host:2,RS",
	    "=?UTF-8?Q?Fran=C3=A7ois?= <fp@example.es>",
	    "Re: Weekly report", "Fri, 01 Mar 2024 14:00:00 +0000",
	    "<r2@example.es>", "<r1@example.org>", "Thanks, quarterly next.");
	put_msg(d, "cur", "1709200000.M3P1.host:2,FS",
	    "Zoe <zoe@example.net>", "Lunch",
	    "Thu, 29 Feb 2024 12:00:00 +0000", "<l1@example.net>", NULL,
	    "Pizza?");
	put_msg(d, "new", "1709400000.M4P1.host",
	    "Bob <bob@example.org>", "Invoice \x1b[2J now",
	    "Sat, 02 Mar 2024 08:00:00 +0000", "<i1@example.org>", NULL,
	    "Pay it.");
	return d;
}

static const char *const utf8_env[] = { "LC_ALL=C.UTF-8", "TZ=UTC", NULL };

static struct test_run
list(const char *const *args)
{
	char		 cache[300];
	const char	*env[] = { "LC_ALL=C.UTF-8", "TZ=UTC", cache, NULL };

	(void)snprintf(cache, sizeof(cache), "XDG_CACHE_HOME=%s/cache", home);
	return test_run_facteur(home, args, env, NULL);
}

/* Line n (1-based) of text, copied into out. */
static const char *
nth_line(const char *text, int n, char *out, size_t size)
{
	const char	*p = text, *e;

	while (--n > 0) {
		p = strchr(p, '\n');
		ck_assert_ptr_nonnull(p);
		p++;
	}
	e = strchr(p, '\n');
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_lt((size_t)(e - p), size);
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return out;
}

static int
count_lines(const char *text)
{
	int	n = 0;

	for (; *text != '\0'; text++)
		if (*text == '\n')
			n++;
	return n;
}

START_TEST(list_threads_text)
{
	char		*d = sample("Mail");
	const char	*args[] = { "list", d, NULL };
	struct test_run	 r = list(args);
	char		 line[512];

	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.err, "");
	ck_assert_int_eq(count_lines(r.out), 4);
	/* Threads by first message: Lunch (29 Feb), the report thread
	 * (1 Mar) with its reply, then the invoice (2 Mar). */
	ck_assert_str_eq(nth_line(r.out, 1, line, sizeof(line)),
	    "    1 !    2024-02-29 12:00 Zoe                  Lunch");
	ck_assert_str_eq(nth_line(r.out, 2, line, sizeof(line)),
	    "    2      2024-03-01 09:30 Alice Example        Weekly report");
	nth_line(r.out, 3, line, sizeof(line));
	ck_assert_msg(strncmp(line, "    3 r    2024-03-01 14:00 François  "
	    "           ", 45) == 0, "%s", line);
	ck_assert_msg(strstr(line, "─>Re: Weekly report") != NULL, "%s",
	    line);
	nth_line(r.out, 4, line, sizeof(line));
	ck_assert_msg(strncmp(line, "    4 N    2024-03-02 08:00 Bob", 31) == 0,
	    "%s", line);
	/* The escape sequence is shown, never sent to the terminal. */
	ck_assert_ptr_null(strchr(r.out, '\x1b'));
	ck_assert_ptr_nonnull(strstr(line, "Invoice ^[[2J now"));
	test_run_free(&r);
	free(d);
}
END_TEST

START_TEST(list_json)
{
	char		*d = sample("Mail");
	const char	*args[] = { "list", "--json", d, NULL };
	struct test_run	 r = list(args);
	struct mj	*v;
	const struct mj	*o, *f;
	struct stat	 st;

	ck_assert_msg(r.status == 0, "%s", r.err);
	v = mj_parse(r.out, r.outlen);
	ck_assert_msg(v != NULL, "not JSON: %s", r.out);
	ck_assert_int_eq(v->type, MJ_ARR);
	ck_assert_uint_eq(v->n, 4);
	o = &v->items[2];
	ck_assert_int_eq((int)mj_get(o, "number")->num, 3);
	ck_assert_str_eq(mj_get(o, "flags")->str, "RS");
	ck_assert_int_eq(mj_get(o, "unread")->boolean, 0);
	ck_assert_str_eq(mj_get(o, "date")->str, "2024-03-01T14:00:00Z");
	ck_assert_str_eq(mj_get(o, "from")->str, "François");
	ck_assert_str_eq(mj_get(o, "from_addr")->str, "fp@example.es");
	ck_assert_str_eq(mj_get(o, "subject")->str, "Re: Weekly report");
	ck_assert_str_eq(mj_get(o, "message_id")->str, "r2@example.es");
	ck_assert_int_eq((int)mj_get(o, "depth")->num, 1);
	f = mj_get(o, "file");
	ck_assert_ptr_nonnull(strstr(f->str, "/cur/1709300000.M2P1.host:2,RS"));
	ck_assert_int_eq(stat(f->str, &st), 0);
	ck_assert_int_eq((int)mj_get(o, "size")->num, (int)st.st_size);
	o = &v->items[3];
	ck_assert_int_eq(mj_get(o, "unread")->boolean, 1);
	ck_assert_str_eq(mj_get(o, "flags")->str, "");
	ck_assert_str_eq(mj_get(o, "subject")->str, "Invoice ^[[2J now");
	mj_free(v);
	test_run_free(&r);
	free(d);
}
END_TEST

START_TEST(list_sort_and_search)
{
	char		*d = sample("Mail");
	const char	*a1[] = { "list", "--sort", "date-reverse", d, NULL };
	const char	*a2[] = { "list", d, "--search", "quarterly", NULL };
	const char	*a3[] = { "list", "--search", "-flag:read", d, NULL };
	const char	*a4[] = { "list", "--sort", "size", "--search",
			    "from:alice", d, NULL };
	const char	*a5[] = { "list", "--search", "subject:\"nothing "
			    "like it\"", d, NULL };
	struct test_run	 r;
	char		 line[512];

	r = list(a1);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(nth_line(r.out, 1, line, sizeof(line)),
	    "Invoice"));
	ck_assert_ptr_nonnull(strstr(nth_line(r.out, 4, line, sizeof(line)),
	    "Lunch"));
	test_run_free(&r);
	/* A body word: the reply only. */
	r = list(a2);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(count_lines(r.out), 1);
	ck_assert_ptr_nonnull(strstr(r.out, "Re: Weekly report"));
	test_run_free(&r);
	r = list(a3);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(count_lines(r.out), 1);
	ck_assert_ptr_nonnull(strstr(r.out, "Invoice"));
	test_run_free(&r);
	r = list(a4);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(count_lines(r.out), 1);
	ck_assert_ptr_nonnull(strstr(r.out, "Alice Example"));
	test_run_free(&r);
	r = list(a5);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "");
	test_run_free(&r);
	free(d);
}
END_TEST

START_TEST(list_errors)
{
	char		*d = sample("Mail");
	char		*nope = xasprintf("%s/nope", home);
	const char	*a1[] = { "list", "--sort", "random", d, NULL };
	const char	*a2[] = { "list", "--search", "flag:urgent", d, NULL };
	const char	*a3[] = { "list", nope, NULL };
	const char	*a4[] = { "list", "--search", NULL };
	const char	*a5[] = { "list", d, "extra", NULL };
	struct test_run	 r;
	char		*want;

	r = list(a1);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "facteur: list: --sort: 'random' is not one "
	    "of threads, date, date-reverse, from, subject, size\n");
	ck_assert_str_eq(r.out, "");
	test_run_free(&r);
	r = list(a2);
	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(strncmp(r.err, "facteur: list: --search: ", 25) == 0 &&
	    strstr(r.err, "urgent") != NULL, "%s", r.err);
	test_run_free(&r);
	r = list(a3);
	ck_assert_int_eq(r.status, 1);
	want = xasprintf("facteur: list: %s: no such folder and no maildir "
	    "at that path\n", nope);
	ck_assert_str_eq(r.err, want);
	free(want);
	test_run_free(&r);
	r = list(a4);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "facteur: option --search needs a value\n");
	test_run_free(&r);
	r = list(a5);
	ck_assert_int_eq(r.status, 2);
	test_run_free(&r);
	free(nope);
	free(d);
}
END_TEST

START_TEST(list_account_folders)
{
	char		*inbox = sample("Mail/perso/INBOX");
	char		*arch = maildir("Mail/perso/Archives/2024");
	char		*cfg = xasprintf("%s/config", home);
	char		*text;
	const char	*a1[] = { "list", "-F", cfg, NULL };
	const char	*a2[] = { "list", "-F", cfg, "Archives/2024", NULL };
	const char	*a3[] = { "list", "-F", cfg, "Nope", NULL };
	const char	*a4[] = { "-a", "nobody", "list", "-F", cfg, NULL };
	const char	*a5[] = { "list", "-F", cfg, "-a", "PERSO", "--json",
			    NULL };
	struct test_run	 r;

	text = xasprintf("[general]\nmail-root = %s/Mail\nsort = date\n\n"
	    "[account perso]\naddress = Jeanne <jeanne@example.fr>\n"
	    "incoming = imaps://imap.example.fr\n", home);
	put(cfg, text);
	free(text);
	put_msg(arch, "cur", "1600000000.M1P1.h:2,S", "Old <old@example.org>",
	    "Archived thing", "Sun, 13 Sep 2020 12:26:40 +0000", "<a@x>",
	    NULL, "old");
	r = list(a1);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_int_eq(count_lines(r.out), 4);
	/* sort = date from the configuration: Lunch (29 Feb) first, and
	 * the reply is not indented. */
	ck_assert_msg(strncmp(r.out, "    1 !    2024-02-29 12:00 Zoe", 31) ==
	    0, "%s", r.out);
	ck_assert_ptr_null(strstr(r.out, "─>"));
	test_run_free(&r);
	r = list(a2);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_int_eq(count_lines(r.out), 1);
	ck_assert_ptr_nonnull(strstr(r.out, "Archived thing"));
	test_run_free(&r);
	r = list(a3);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "facteur: list: Nope: no such folder in "
	    "account perso and no maildir at that path\n");
	test_run_free(&r);
	r = list(a4);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "nobody: no such account"));
	test_run_free(&r);
	r = list(a5);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"subject\": \"Lunch\""));
	test_run_free(&r);
	free(cfg);
	free(arch);
	free(inbox);
}
END_TEST

START_TEST(list_mail_env_and_read_only)
{
	char		*d = sample("spool");
	char		*mail = xasprintf("MAIL=%s", d);
	char		*cache = xasprintf("XDG_CACHE_HOME=%s/cache", home);
	char		*debris, *p;
	const char	*env[] = { mail, cache, "LC_ALL=C.UTF-8", NULL };
	const char	*args[] = { "list", NULL };
	struct test_run	 r;
	struct stat	 st;
	DIR		*dir;
	struct dirent	*e;
	int		 n = 0;

	/* Debris of a crashed delivery, long ago: list must not touch it. */
	debris = xasprintf("%s/tmp/1.M1P1.h", d);
	put(debris, "partial");
	{
		struct timespec	ts[2];

		(void)clock_gettime(CLOCK_REALTIME, &ts[0]);
		ts[0].tv_sec -= 3 * 24 * 3600;
		ts[1] = ts[0];
		ck_assert_int_eq(utimensat(AT_FDCWD, debris, ts, 0), 0);
	}
	r = test_run_facteur(home, args, env, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_int_eq(count_lines(r.out), 4);
	test_run_free(&r);
	/* Read-only: the unread message is still in new/, the debris is
	 * still there, and an index cache was written. */
	p = xasprintf("%s/new/1709400000.M4P1.host", d);
	ck_assert_int_eq(stat(p, &st), 0);
	free(p);
	ck_assert_int_eq(stat(debris, &st), 0);
	p = xasprintf("%s/cache/facteur/index", home);
	dir = opendir(p);
	ck_assert_ptr_nonnull(dir);
	while ((e = readdir(dir)) != NULL)
		if (strncmp(e->d_name, "index-", 6) == 0)
			n++;
	(void)closedir(dir);
	ck_assert_int_eq(n, 1);
	free(p);
	/* No configuration and no $MAIL: ~/Maildir, else a clear error. */
	r = test_run_facteur(home, args, utf8_env, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "no maildir at $MAIL or "
	    "~/Maildir"));
	test_run_free(&r);
	free(debris);
	free(cache);
	free(mail);
	free(d);
}
END_TEST

Suite *
list_suite(void)
{
	Suite	*s = suite_create("list");
	TCase	*tc = tcase_create("binary");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, list_threads_text);
	tcase_add_test(tc, list_json);
	tcase_add_test(tc, list_sort_and_search);
	tcase_add_test(tc, list_errors);
	tcase_add_test(tc, list_account_folders);
	tcase_add_test(tc, list_mail_env_and_read_only);
	suite_add_tcase(s, tc);
	return s;
}
