/*
 * check_store.c: unit tests of the maildir store (src/store/ maildir.c,
 * folder.c, scan.c, cache.c) on temporary maildirs: file names and flags,
 * delivery, folders, changes made by "another program" between opens and
 * while open, crashes simulated at every step of a delivery and a move
 * (in a child process that _exit()s), index caches that are corrupt,
 * truncated, from another version or another folder, and odd messages.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "tests.h"

Suite	*store_suite(void);

static char	tmpdir[256];
static char	root[300];	/* tmpdir/mail */
static char	cachedir[300];	/* tmpdir/cache */

static void
setup(void)
{
	(void)fct_strlcpy(tmpdir, "/tmp/facteur-store-XXXXXX",
	    sizeof(tmpdir));
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	(void)snprintf(root, sizeof(root), "%s/mail", tmpdir);
	(void)snprintf(cachedir, sizeof(cachedir), "%s/cache", tmpdir);
	ck_assert_int_eq(mkdir(root, 0700), 0);
	store_fault_hook = NULL;
}

static void
teardown(void)
{
	store_fault_hook = NULL;
	test_remove_tree(tmpdir);
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static char *
folder_path(const char *name)
{
	return xasprintf("%s/%s", root, name);
}

static char *
make_folder(const char *name)
{
	struct store_err	err;

	ck_assert_msg(store_folder_create(root, name, &err) == 0, "%s",
	    err.msg);
	return folder_path(name);
}

static char *
make_msg(const char *subject, const char *msgid, const char *refs)
{
	return xasprintf("From: Alice Example <alice@example.org>\n"
	    "To: bob@example.org\n"
	    "Subject: %s\n"
	    "Date: Fri, 01 Mar 2024 09:30:00 +0000\n"
	    "Message-ID: %s\n"
	    "%s%s%s"
	    "\n"
	    "Body of %s.\n", subject, msgid,
	    refs != NULL ? "References: " : "", refs != NULL ? refs : "",
	    refs != NULL ? "\n" : "", subject);
}

/* Write a file directly, as another program would. */
static void
write_file(const char *dir, const char *sub, const char *name,
    const char *data)
{
	char	*p = xasprintf("%s/%s/%s", dir, sub, name);
	FILE	*fp = fopen(p, "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq((int)fwrite(data, 1, strlen(data), fp),
	    (int)strlen(data));
	ck_assert_int_eq(fclose(fp), 0);
	free(p);
}

static int
count_files(const char *dir, const char *sub)
{
	char		*p = xasprintf("%s/%s", dir, sub);
	DIR		*d = opendir(p);
	struct dirent	*e;
	int		 n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	(void)closedir(d);
	free(p);
	return n;
}

/* The only file name in dir/sub (asserts there is exactly one). */
static char *
only_file(const char *dir, const char *sub)
{
	char		*p = xasprintf("%s/%s", dir, sub), *name = NULL;
	DIR		*d = opendir(p);
	struct dirent	*e;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		ck_assert_msg(name == NULL, "more than one file in %s", p);
		name = xstrdup(e->d_name);
	}
	(void)closedir(d);
	ck_assert_msg(name != NULL, "no file in %s", p);
	free(p);
	return name;
}

static struct store_folder *
open_folder(const char *path, bool cache)
{
	struct store_open_opts	 o;
	struct store_err	 err;
	struct store_folder	*f;

	memset(&o, 0, sizeof(o));
	o.cache_dir = cache ? cachedir : NULL;
	f = store_folder_open(path, &o, &err);
	ck_assert_msg(f != NULL, "open %s: %s", path, err.msg);
	return f;
}

/* Index of the message with this subject, or -1. */
static long
find_subject(const struct store_folder *f, const char *subject)
{
	size_t	i;
	long	found = -1;

	for (i = 0; i < store_folder_count(f); i++) {
		if (strcmp(store_folder_msg(f, i)->subject, subject) == 0) {
			ck_assert_msg(found == -1, "%s listed twice", subject);
			found = (long)i;
		}
	}
	return found;
}

static void
deliver(const char *path, const char *subject, unsigned flags)
{
	struct store_err	 err;
	char			*m = make_msg(subject, "<x@y>", NULL);

	ck_assert_msg(store_deliver(path, m, strlen(m), flags, false, NULL,
	    &err) == 0, "%s", err.msg);
	free(m);
}

/* Set a directory's mtime secs seconds in the past. */
static void
age_dir(const char *dir, const char *sub, int secs)
{
	struct timespec	ts[2];
	char		*p = xasprintf("%s/%s", dir, sub);

	(void)clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= secs;
	ts[1] = ts[0];
	ck_assert_int_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
	free(p);
}

/* The single cache file's path (there is one folder in these tests). */
static char *
cache_file(void)
{
	char	*name = NULL, *p;
	DIR	*d = opendir(cachedir);
	struct dirent *e;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "index-", 6) == 0 &&
		    strstr(e->d_name, ".tmp") == NULL) {
			ck_assert_ptr_null(name);
			name = xstrdup(e->d_name);
		}
	(void)closedir(d);
	ck_assert_ptr_nonnull(name);
	p = xasprintf("%s/%s", cachedir, name);
	free(name);
	return p;
}

/* ------------------------------------------------------------------ */
/* Names                                                               */

START_TEST(test_name_flags)
{
	static const struct {
		const char	*name;
		unsigned	 flags;
	} cases[] = {
		{ "123.M1P2.host", 0 },
		{ "123.M1P2.host:2,", 0 },
		{ "123.M1P2.host:2,S", STORE_SEEN },
		{ "123.M1P2.host:2,FRS", STORE_FLAGGED | STORE_REPLIED |
		    STORE_SEEN },
		{ "123.M1P2.host:2,DFPRST", STORE_ALL_FLAGS },
		{ "123.M1P2.host:2,Sab", STORE_SEEN },
		{ "123.M1P2.host,S=1234:2,T", STORE_TRASHED },
		{ "123.M1P2.host:1,S", 0 },	/* experimental info: no flags */
		{ "a:b:2,S", STORE_SEEN },
		{ "", 0 },
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(store_name_flags(cases[i].name) ==
		    cases[i].flags, "%s", cases[i].name);
	ck_assert_uint_eq(store_name_unique_len("123.M1P2.host:2,S"), 13);
	ck_assert_uint_eq(store_name_unique_len("123.M1P2.host"), 13);
}
END_TEST

START_TEST(test_name_with_flags)
{
	static const struct {
		const char	*in;
		unsigned	 flags;
		const char	*out;
	} cases[] = {
		{ "u.host", STORE_SEEN, "u.host:2,S" },
		{ "u.host:2,S", 0, "u.host:2," },
		{ "u.host:2,S", STORE_SEEN | STORE_FLAGGED | STORE_DRAFT |
		    STORE_TRASHED | STORE_REPLIED | STORE_PASSED,
		    "u.host:2,DFPRST" },
		/* Dovecot keywords survive, everything in ASCII order. */
		{ "u.host:2,Sba", STORE_REPLIED | STORE_SEEN, "u.host:2,RSab" },
		{ "u.host,S=10:2,", STORE_FLAGGED, "u.host,S=10:2,F" },
		{ "u.host:2,T", STORE_SEEN, "u.host:2,S" },
	};
	size_t	i;
	char	*s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = store_name_with_flags_new(cases[i].in, cases[i].flags);
		ck_assert_str_eq(s, cases[i].out);
		free(s);
	}
}
END_TEST

START_TEST(test_unique_names)
{
	regex_t	re;
	char	*a, *b;
	int	 i;

	/* time.MusecPpidQcountRrandom.host, no '/' or ':' anywhere. */
	ck_assert_int_eq(regcomp(&re, "^[0-9]+\\.M[0-9]{6}P[0-9]+Q[0-9]+"
	    "R[0-9a-f]{16}\\.[^/:]+$", REG_EXTENDED | REG_NOSUB), 0);
	for (i = 0; i < 200; i++) {
		a = store_unique_name_new();
		b = store_unique_name_new();
		ck_assert_msg(regexec(&re, a, 0, NULL, 0) == 0, "%s", a);
		ck_assert_str_ne(a, b);
		ck_assert_int_ge(store_name_time(a), (int64_t)time(NULL) - 5);
		free(a);
		free(b);
	}
	regfree(&re);
	ck_assert_int_eq(store_name_time("1700000000.M1P1.h"), 1700000000);
	ck_assert_int_eq(store_name_time("junk"), -1);
	ck_assert_int_eq(store_name_time("123abc"), -1);
}
END_TEST

START_TEST(test_folder_names)
{
	static const char *const good[] = { "INBOX", "Archives/2024",
		"a b", "Été", "x/y/z" };
	static const char *const bad[] = { "", "/abs", "..", "a/../b",
		"a//b", "a/", ".hidden", "a/.b", "cur", "a/new", "tmp/x",
		"." };
	size_t	i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(store_folder_name_ok(good[i]), "%s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!store_folder_name_ok(bad[i]), "%s", bad[i]);
	ck_assert(!store_folder_name_ok(NULL));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Folders and delivery                                                */

START_TEST(test_folder_create_list)
{
	struct store_err	 err;
	char			**names, *p;
	size_t			 n;

	free(make_folder("Sent"));
	free(make_folder("Archives/2024"));
	free(make_folder("INBOX"));
	free(make_folder("Archives/2023/Q1"));
	/* A parent that is itself a folder, a dot directory, a plain
	 * directory without cur/new: only maildirs are listed. */
	free(make_folder("Archives"));
	p = xasprintf("%s/.hidden", root);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	free(p);
	ck_assert_int_eq(store_folder_create(root, "../evil", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a valid folder name"));
	ck_assert_int_eq(store_folder_list_new(root, &names, &n, &err), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(names[0], "INBOX");
	ck_assert_str_eq(names[1], "Archives");
	ck_assert_str_eq(names[2], "Archives/2023/Q1");
	ck_assert_str_eq(names[3], "Archives/2024");
	ck_assert_str_eq(names[4], "Sent");
	store_names_free(names, n);
	p = folder_path("Archives/2024");
	ck_assert(store_is_maildir(p));
	free(p);
	p = folder_path("Archives/2023");
	ck_assert(!store_is_maildir(p));
	free(p);
}
END_TEST

/* The folders under root, ";"-joined. */
static char *
folder_names(void)
{
	struct store_err	 err;
	char			**names;
	size_t			 n, i;
	struct buf		 b;

	ck_assert_int_eq(store_folder_list_new(root, &names, &n, &err), 0);
	buf_init(&b, 4096);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(buf_printf(&b, "%s;", names[i]), 0);
	store_names_free(names, n);
	return b.data != NULL ? buf_take(&b) : xstrdup("");
}

START_TEST(test_folder_rename_delete)
{
	struct store_err	 err;
	char			*p, *v;

	free(make_folder("Work"));
	free(make_folder("Work/Sub"));
	free(make_folder("Other"));
	p = folder_path("Work");
	ck_assert_int_eq(store_deliver(p, "Subject: a\n\nA\n", 14, 0, true,
	    NULL, &err), 0);
	free(p);
	p = xasprintf("%s/Work/.facteur-sync", root);
	ck_assert_int_eq(store_file_write_durable(p, "x\n", 2, &err), 0);
	free(p);
	/* Renamed under a new parent, with what is below it. */
	ck_assert_int_eq(store_folder_rename(root, "Work", "Old/2024/Work",
	    &err), 0);
	v = folder_names();
	ck_assert_str_eq(v, "Old/2024/Work;Old/2024/Work/Sub;Other;");
	free(v);
	p = xasprintf("%s/Old/2024/Work/.facteur-sync", root);
	ck_assert_int_eq(access(p, F_OK), 0);
	free(p);
	/* Never over another folder, never out of the root. */
	ck_assert_int_eq(store_folder_rename(root, "Other", "Old/2024/Work",
	    &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "already exists"));
	ck_assert_int_eq(store_folder_rename(root, "Other", "../x", &err),
	    -1);
	ck_assert_int_eq(store_folder_rename(root, "Nope", "Nope2", &err),
	    -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "rename"));
	/* Deleted: its mail and files; the folder below stays. */
	ck_assert_int_eq(store_folder_delete(root, "Old/2024/Work", &err), 0);
	v = folder_names();
	ck_assert_str_eq(v, "Old/2024/Work/Sub;Other;");
	free(v);
	p = xasprintf("%s/Old/2024/Work/.facteur-sync", root);
	ck_assert_int_ne(access(p, F_OK), 0);
	free(p);
	p = xasprintf("%s/Old/2024/Work/cur", root);
	ck_assert_int_ne(access(p, F_OK), 0);
	free(p);
	ck_assert_int_eq(store_folder_delete(root, "Other", &err), 0);
	p = folder_path("Other");
	ck_assert_int_ne(access(p, F_OK), 0);
	free(p);
	ck_assert_int_eq(store_folder_delete(root, "../etc", &err), -1);
}
END_TEST

START_TEST(test_deliver)
{
	struct store_err	 err;
	char			*dir = make_folder("INBOX"), *name, *p, *msg;
	struct buf		 b;

	msg = make_msg("hello", "<1@x>", NULL);
	ck_assert_int_eq(store_deliver(dir, msg, strlen(msg), 0, false, &name,
	    &err), 0);
	ck_assert_int_eq(count_files(dir, "new"), 1);
	ck_assert_int_eq(count_files(dir, "tmp"), 0);
	ck_assert_int_eq(count_files(dir, "cur"), 0);
	ck_assert_ptr_null(strchr(name, ':'));
	p = xasprintf("%s/new/%s", dir, name);
	buf_init(&b, 1 << 20);
	ck_assert_int_eq(test_read_file(p, &b), 0);
	ck_assert_uint_eq(b.len, strlen(msg));
	ck_assert(memcmp(b.data, msg, b.len) == 0);
	buf_free(&b);
	free(p);
	free(name);
	/* With flags: straight into cur/ with :2,FLAGS in order. */
	ck_assert_int_eq(store_deliver(dir, msg, strlen(msg),
	    STORE_SEEN | STORE_FLAGGED, false, &name, &err), 0);
	ck_assert_ptr_nonnull(strstr(name, ":2,FS"));
	ck_assert_int_eq(count_files(dir, "cur"), 1);
	free(name);
	/* Seen-less but to cur/: ":2," with no letters. */
	ck_assert_int_eq(store_deliver(dir, msg, strlen(msg), 0, true, &name,
	    &err), 0);
	ck_assert(strlen(name) > 3 &&
	    strcmp(name + strlen(name) - 3, ":2,") == 0);
	free(name);
	ck_assert_int_eq(count_files(dir, "cur"), 2);
	/* Into a directory that is not a maildir: an error, nothing left. */
	p = xasprintf("%s/nope", root);
	ck_assert_int_eq(store_deliver(p, msg, strlen(msg), 0, false, NULL,
	    &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "nope"));
	free(p);
	free(msg);
	free(dir);
}
END_TEST

START_TEST(test_open_fields)
{
	static const char	first_msg[] =
	    "From: =?UTF-8?Q?Fran=C3=A7ois_P=C3=A9rez?= <fp@example.es>\n"
	    "Subject: =?ISO-8859-1?Q?R=E9union?= de\n"
	    " l'=?UTF-8?B?w6lxdWlwZQ==?=\n"
	    "Date: Fri, 1 Mar 2024 10:30:00 +0100\n"
	    "Message-ID: <b@x>\n"
	    "In-Reply-To: <a@x>\n"
	    "References: <root@x>\n  <a@x>\n"
	    "Content-Type: multipart/mixed; boundary=zz\n"
	    "\n--zz\n\nhi\n--zz--\n";
	char			*dir = make_folder("INBOX");
	struct store_folder	*f;
	const struct store_msg	*m;
	long			 i;

	write_file(dir, "cur", "1700000001.M1P1.host:2,RS", first_msg);
	write_file(dir, "new", "1700000002.M1P1.host", "");
	write_file(dir, "new", "1700000003.M1P1.host",
	    "Subject: only headers\nFrom: x@y");
	write_file(dir, "new", "1700000004.M1P1.host",
	    "This is no header at all\nand no blank line\n");
	write_file(dir, "cur", "1700000005.M1P1.host:2,S",
	    "From: bare@example.com\nSubject: \x1b]0;evil\x07 title\n\n");
	f = open_folder(dir, false);
	ck_assert_uint_eq(store_folder_count(f), 5);
	ck_assert_uint_eq(store_folder_unread(f), 3);
	i = find_subject(f, "Réunion de l'équipe");
	ck_assert_int_ge(i, 0);
	m = store_folder_msg(f, (size_t)i);
	ck_assert_str_eq(m->from, "François Pérez");
	ck_assert_str_eq(m->from_addr, "fp@example.es");
	ck_assert_str_eq(m->message_id, "<b@x>");
	ck_assert_str_eq(m->in_reply_to, "<a@x>");
	ck_assert_str_eq(m->references, "<root@x> <a@x>");
	ck_assert_int_eq(m->date, 1709285400);
	ck_assert_int_eq(m->received, 1700000001);
	ck_assert_uint_eq(m->flags, STORE_REPLIED | STORE_SEEN);
	ck_assert(!m->in_new);
	ck_assert(m->has_attachment);
	ck_assert_uint_eq(m->size, sizeof(first_msg) - 1);
	/* The 0-byte file is a message with nothing known. */
	i = -1;
	{
		size_t	k;

		for (k = 0; k < store_folder_count(f); k++)
			if (store_folder_msg(f, k)->size == 0)
				i = (long)k;
	}
	ck_assert_int_ge(i, 0);
	m = store_folder_msg(f, (size_t)i);
	ck_assert_str_eq(m->subject, "");
	ck_assert_str_eq(m->from, "");
	ck_assert_ptr_null(m->message_id);
	ck_assert_int_eq(m->date, STORE_DATE_UNKNOWN);
	ck_assert(m->in_new);
	ck_assert_int_eq(store_msg_sort_date(m), 1700000002);
	i = find_subject(f, "only headers");
	ck_assert_int_ge(i, 0);
	ck_assert_str_eq(store_folder_msg(f, (size_t)i)->from, "x@y");
	/* The escape sequence does not survive into the subject. */
	for (i = 0; i < (long)store_folder_count(f); i++)
		ck_assert_ptr_null(strchr(store_folder_msg(f, (size_t)i)->subject,
		    '\x1b'));
	store_folder_close(f);
	free(dir);
}
END_TEST

START_TEST(test_not_a_maildir)
{
	struct store_open_opts	o = { 0 };
	struct store_err	err;
	char			*p = xasprintf("%s/nothing", root);

	ck_assert_ptr_null(store_folder_open(p, &o, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "not a maildir"));
	ck_assert_int_eq(mkdir(p, 0700), 0);
	ck_assert_ptr_null(store_folder_open(p, &o, &err));
	free(p);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Flags, moves, copies, deletion                                      */

START_TEST(test_set_flags)
{
	struct store_err	 err;
	struct store_folder	*f;
	char			*dir = make_folder("INBOX"), *name;
	long			 i;

	deliver(dir, "one", 0);
	f = open_folder(dir, false);
	i = find_subject(f, "one");
	ck_assert(store_folder_msg(f, (size_t)i)->in_new);
	ck_assert_int_eq(store_msg_set_flags(f, (size_t)i, STORE_SEEN, &err),
	    0);
	ck_assert_int_eq(count_files(dir, "new"), 0);
	name = only_file(dir, "cur");
	ck_assert_ptr_nonnull(strstr(name, ":2,S"));
	ck_assert_str_eq(store_folder_msg(f, (size_t)i)->name, name);
	free(name);
	ck_assert_int_eq(store_msg_set_flags(f, (size_t)i, STORE_SEEN |
	    STORE_REPLIED | STORE_FLAGGED, &err), 0);
	name = only_file(dir, "cur");
	ck_assert_str_eq(strstr(name, ":2,"), ":2,FRS");
	free(name);
	ck_assert_uint_eq(store_folder_msg(f, (size_t)i)->flags,
	    STORE_SEEN | STORE_REPLIED | STORE_FLAGGED);
	/* Removed behind our back: a clear error, nothing created. */
	name = only_file(dir, "cur");
	{
		char	*p = xasprintf("%s/cur/%s", dir, name);

		ck_assert_int_eq(unlink(p), 0);
		free(p);
	}
	free(name);
	ck_assert_int_eq(store_msg_set_flags(f, (size_t)i, 0, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "gone"));
	ck_assert_int_eq(count_files(dir, "cur"), 0);
	store_folder_close(f);
	free(dir);
}
END_TEST

START_TEST(test_move_copy_delete)
{
	struct store_err	 err;
	struct store_folder	*in, *arch, *trash;
	char			*din = make_folder("INBOX");
	char			*darch = make_folder("Archives/2024");
	char			*dtrash = make_folder("Trash");
	char			*name, *p;
	const struct store_msg	*m;
	size_t			 removed;
	long			 i;
	struct buf		 b1, b2;

	deliver(din, "keep", STORE_SEEN);
	deliver(din, "move me", STORE_SEEN | STORE_FLAGGED);
	deliver(din, "copy me", 0);
	deliver(din, "trash me", STORE_SEEN);
	deliver(din, "expunge me", STORE_SEEN);
	in = open_folder(din, true);
	arch = open_folder(darch, true);
	trash = open_folder(dtrash, true);
	/* Move: gone from INBOX, same name and flags in Archives. */
	i = find_subject(in, "move me");
	ck_assert_int_eq(store_msg_move(in, (size_t)i, arch, &name, &err), 0);
	ck_assert_int_eq(find_subject(in, "move me"), -1);
	i = find_subject(arch, "move me");
	ck_assert_int_ge(i, 0);
	m = store_folder_msg(arch, (size_t)i);
	ck_assert_str_eq(m->name, name);
	ck_assert_uint_eq(m->flags, STORE_SEEN | STORE_FLAGGED);
	ck_assert_int_eq(count_files(darch, "cur"), 1);
	ck_assert_int_eq(count_files(din, "cur"), 3);
	free(name);
	/* Into its own folder: refused. */
	ck_assert_int_eq(store_msg_move(in, 0, in, NULL, &err), -1);
	/* Copy: both there, same bytes, different names. */
	i = find_subject(in, "copy me");
	ck_assert_int_eq(store_msg_copy(in, (size_t)i, arch, &name, &err), 0);
	ck_assert_int_ge(find_subject(in, "copy me"), 0);
	ck_assert_int_ge(find_subject(arch, "copy me"), 0);
	ck_assert_str_ne(name, store_folder_msg(in, (size_t)i)->name);
	p = xasprintf("%s/new/%s", darch, name);
	buf_init(&b1, 1 << 20);
	buf_init(&b2, 1 << 20);
	ck_assert_int_eq(test_read_file(p, &b1), 0);
	free(p);
	p = store_msg_path_new(in, (size_t)find_subject(in, "copy me"));
	ck_assert_int_eq(test_read_file(p, &b2), 0);
	ck_assert_uint_eq(b1.len, b2.len);
	ck_assert(memcmp(b1.data, b2.data, b1.len) == 0);
	buf_free(&b1);
	buf_free(&b2);
	free(p);
	free(name);
	/* Delete to Trash; delete without Trash flags T; expunge. */
	i = find_subject(in, "trash me");
	ck_assert_int_eq(store_msg_delete(in, (size_t)i, trash, &err), 0);
	ck_assert_int_eq(find_subject(in, "trash me"), -1);
	ck_assert_int_ge(find_subject(trash, "trash me"), 0);
	i = find_subject(in, "expunge me");
	ck_assert_int_eq(store_msg_delete(in, (size_t)i, NULL, &err), 0);
	ck_assert_int_ge(find_subject(in, "expunge me"), 0);
	ck_assert(store_folder_msg(in, (size_t)find_subject(in,
	    "expunge me"))->flags & STORE_TRASHED);
	ck_assert_int_eq(store_folder_expunge(in, &removed, &err), 0);
	ck_assert_uint_eq(removed, 1);
	ck_assert_int_eq(find_subject(in, "expunge me"), -1);
	ck_assert_uint_eq(store_folder_count(in), 2);
	ck_assert_int_eq(count_files(din, "cur") + count_files(din, "new"), 2);
	/* The moved message survives closing its old folder (its strings
	 * were copied), and a reopen agrees with memory. */
	store_folder_close(in);
	ck_assert_int_ge(find_subject(arch, "move me"), 0);
	store_folder_close(arch);
	arch = open_folder(darch, true);
	ck_assert_uint_eq(store_folder_count(arch), 2);
	store_folder_close(arch);
	store_folder_close(trash);
	free(din);
	free(darch);
	free(dtrash);
}
END_TEST

START_TEST(test_add_and_read_only)
{
	struct store_open_opts	 o = { 0 };
	struct store_err	 err;
	struct store_folder	*f, *ro;
	char			*dir = make_folder("INBOX"), *msg, *data;
	size_t			 idx, len;

	f = open_folder(dir, false);
	msg = make_msg("added", "<add@x>", NULL);
	ck_assert_int_eq(store_folder_add(f, msg, strlen(msg), STORE_SEEN,
	    true, &idx, &err), 0);
	ck_assert_str_eq(store_folder_msg(f, idx)->subject, "added");
	ck_assert_int_eq(store_msg_read_new(f, idx, &data, &len, &err), 0);
	ck_assert_uint_eq(len, strlen(msg));
	ck_assert_str_eq(data, msg);
	free(data);
	o.read_only = true;
	ro = store_folder_open(dir, &o, &err);
	ck_assert_ptr_nonnull(ro);
	ck_assert_int_eq(store_msg_set_flags(ro, 0, 0, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "read-only"));
	ck_assert_int_eq(store_folder_add(ro, msg, strlen(msg), 0, false,
	    NULL, &err), -1);
	ck_assert_int_eq(store_folder_expunge(ro, NULL, &err), -1);
	ck_assert_int_eq(count_files(dir, "cur"), 1);
	store_folder_close(ro);
	store_folder_close(f);
	free(msg);
	free(dir);
}
END_TEST

START_TEST(test_stale_tmp)
{
	struct store_folder	*f;
	struct timespec		 ts[2];
	char			*dir = make_folder("INBOX"), *p;

	write_file(dir, "tmp", "old", "debris");
	write_file(dir, "tmp", "fresh", "in progress");
	p = xasprintf("%s/tmp/old", dir);
	(void)clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= 40 * 3600;
	ts[1] = ts[0];
	ck_assert_int_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
	free(p);
	f = open_folder(dir, false);
	ck_assert_uint_eq(store_folder_count(f), 0);
	store_folder_close(f);
	ck_assert_int_eq(count_files(dir, "tmp"), 1);
	p = only_file(dir, "tmp");
	ck_assert_str_eq(p, "fresh");
	free(p);
	free(dir);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Other programs                                                      */

/* Rename a message's file as a reader would when changing its flags. */
static void
external_rename(const char *dir, const char *from_sub, const char *from,
    const char *to_sub, const char *to)
{
	char	*a = xasprintf("%s/%s/%s", dir, from_sub, from);
	char	*b = xasprintf("%s/%s/%s", dir, to_sub, to);

	ck_assert_msg(rename(a, b) == 0, "rename %s: %s", a, strerror(errno));
	free(a);
	free(b);
}

static void
check_other_programs(bool cache)
{
	struct store_scan_stats	 st;
	struct store_folder	*f;
	char			*dir = make_folder("INBOX"), *m;
	long			 i;

	m = make_msg("alpha", "<a@x>", NULL);
	write_file(dir, "new", "1700000001.M1P1.host", m);
	free(m);
	m = make_msg("beta", "<b@x>", NULL);
	write_file(dir, "cur", "1700000002.M1P1.host:2,S", m);
	free(m);
	m = make_msg("gamma", "<c@x>", NULL);
	write_file(dir, "cur", "1700000003.M1P1.host:2,S", m);
	free(m);
	f = open_folder(dir, cache);
	ck_assert_uint_eq(store_folder_count(f), 3);
	store_folder_close(f);
	/* mutt reads alpha (new/ -> cur/ with S), flags beta, deletes
	 * gamma; mbsync delivers delta. */
	external_rename(dir, "new", "1700000001.M1P1.host", "cur",
	    "1700000001.M1P1.host:2,S");
	external_rename(dir, "cur", "1700000002.M1P1.host:2,S", "cur",
	    "1700000002.M1P1.host:2,FS");
	m = xasprintf("%s/cur/1700000003.M1P1.host:2,S", dir);
	ck_assert_int_eq(unlink(m), 0);
	free(m);
	m = make_msg("delta", "<d@x>", NULL);
	write_file(dir, "new", "1700000004.M1P1.host", m);
	free(m);
	f = open_folder(dir, cache);
	store_folder_stats(f, &st);
	ck_assert_uint_eq(store_folder_count(f), 3);
	ck_assert_int_eq(find_subject(f, "gamma"), -1);
	i = find_subject(f, "alpha");
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(store_folder_msg(f, (size_t)i)->flags, STORE_SEEN);
	ck_assert(!store_folder_msg(f, (size_t)i)->in_new);
	i = find_subject(f, "beta");
	ck_assert_uint_eq(store_folder_msg(f, (size_t)i)->flags,
	    STORE_SEEN | STORE_FLAGGED);
	ck_assert_int_ge(find_subject(f, "delta"), 0);
	if (cache) {
		/* Only delta was parsed; the renames came from the listing. */
		ck_assert(st.cache_used);
		ck_assert_uint_eq(st.parsed, 1);
		ck_assert_uint_eq(st.renamed, 2);
		ck_assert_uint_eq(st.removed, 1);
	} else
		ck_assert_uint_eq(st.parsed, 3);
	store_folder_close(f);
	free(dir);
}

START_TEST(test_other_programs_nocache)
{
	check_other_programs(false);
}
END_TEST

START_TEST(test_other_programs_cache)
{
	check_other_programs(true);
}
END_TEST

START_TEST(test_rescan_while_open)
{
	struct store_err	 err;
	struct store_folder	*f;
	const struct store_msg	*m;
	char			*dir = make_folder("INBOX"), *msg, *p;
	uint32_t		 keep_id;
	bool			 changed;
	size_t			 idx;
	long			 i;

	deliver(dir, "first", STORE_SEEN);
	deliver(dir, "second", STORE_SEEN);
	f = open_folder(dir, true);
	i = find_subject(f, "first");
	keep_id = store_folder_msg(f, (size_t)i)->id;
	ck_assert_int_eq(store_folder_rescan(f, &changed, &err), 0);
	ck_assert(!changed);
	/* A new message, and second removed, while the folder is open. */
	msg = make_msg("third", "<t@x>", NULL);
	write_file(dir, "new", "1800000000.M1P1.other", msg);
	free(msg);
	p = store_msg_path_new(f, (size_t)find_subject(f, "second"));
	ck_assert_int_eq(unlink(p), 0);
	free(p);
	ck_assert_int_eq(store_folder_rescan(f, &changed, &err), 0);
	ck_assert(changed);
	ck_assert_uint_eq(store_folder_count(f), 2);
	ck_assert_int_ge(find_subject(f, "third"), 0);
	ck_assert_int_eq(find_subject(f, "second"), -1);
	/* The unchanged message kept its id. */
	m = store_folder_by_id(f, keep_id, &idx);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->subject, "first");
	ck_assert_ptr_null(store_folder_by_id(f, 999999, NULL));
	store_folder_close(f);
	free(dir);
}
END_TEST

START_TEST(test_new_and_cur_duplicate)
{
	struct store_folder	*f;
	char			*dir = make_folder("INBOX"), *m;

	/* A reader crashed between link() and unlink(): both copies. */
	m = make_msg("twice", "<t@x>", NULL);
	write_file(dir, "new", "1700000001.M1P1.host", m);
	write_file(dir, "cur", "1700000001.M1P1.host:2,S", m);
	free(m);
	f = open_folder(dir, true);
	ck_assert_uint_eq(store_folder_count(f), 1);
	ck_assert(!store_folder_msg(f, 0)->in_new);
	ck_assert_uint_eq(store_folder_msg(f, 0)->flags, STORE_SEEN);
	store_folder_close(f);
	/* And again from the cache. */
	f = open_folder(dir, true);
	ck_assert_uint_eq(store_folder_count(f), 1);
	ck_assert(!store_folder_msg(f, 0)->in_new);
	store_folder_close(f);
	free(dir);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The index cache                                                     */

START_TEST(test_cache_reused)
{
	struct store_scan_stats	 st;
	struct store_folder	*f;
	char			*dir = make_folder("INBOX"), *m, name[64];
	int			 k;

	for (k = 0; k < 50; k++) {
		m = make_msg(k % 2 ? "odd" : "even", "<id@x>",
		    "<r1@x> <r2@x>");
		(void)snprintf(name, sizeof(name),
		    "17000000%02d.M1P1.host:2,S", k);
		write_file(dir, "cur", name, m);
		free(m);
	}
	f = open_folder(dir, true);
	store_folder_stats(f, &st);
	ck_assert(!st.cache_used);
	ck_assert(st.cache_written);
	ck_assert_uint_eq(st.parsed, 50);
	store_folder_close(f);
	f = open_folder(dir, true);
	store_folder_stats(f, &st);
	ck_assert(st.cache_used);
	ck_assert_uint_eq(st.parsed, 0);
	ck_assert_uint_eq(store_folder_count(f), 50);
	ck_assert_str_eq(store_folder_msg(f, 0)->references, "<r1@x> <r2@x>");
	ck_assert_str_eq(store_folder_msg(f, 0)->from, "Alice Example");
	ck_assert_str_eq(store_folder_msg(f, 0)->from_addr,
	    "alice@example.org");
	ck_assert_int_eq(store_folder_msg(f, 0)->date, 1709285400);
	store_folder_close(f);
	/* Directories untouched for a while: the listing is skipped. */
	age_dir(dir, "cur", 100);
	age_dir(dir, "new", 100);
	f = open_folder(dir, true);	/* lists (mtimes changed), saves */
	store_folder_close(f);
	f = open_folder(dir, true);
	store_folder_stats(f, &st);
	ck_assert(st.cache_used);
	ck_assert(!st.listed);
	ck_assert_uint_eq(store_folder_count(f), 50);
	store_folder_close(f);
	/* A change moves the mtime: listed again, seen. */
	m = make_msg("late", "<late@x>", NULL);
	write_file(dir, "new", "1800000000.M1P1.h", m);
	free(m);
	f = open_folder(dir, true);
	store_folder_stats(f, &st);
	ck_assert(st.listed);
	ck_assert_uint_eq(st.parsed, 1);
	ck_assert_uint_eq(store_folder_count(f), 51);
	store_folder_close(f);
	free(dir);
}
END_TEST

START_TEST(test_cache_racy_same_second)
{
	struct store_scan_stats	 st;
	struct store_folder	*f;
	char			*dir = make_folder("INBOX"), *m;

	deliver(dir, "a", STORE_SEEN);
	f = open_folder(dir, true);
	store_folder_close(f);
	/* Another program renames in the same second as the listing: the
	 * mtime may not move at a coarse granularity, so a recent mtime is
	 * never trusted. */
	m = only_file(dir, "cur");
	external_rename(dir, "cur", m, "cur", "renamed:2,FS");
	free(m);
	f = open_folder(dir, true);
	store_folder_stats(f, &st);
	ck_assert(st.listed);
	ck_assert_uint_eq(store_folder_msg(f, 0)->flags,
	    STORE_FLAGGED | STORE_SEEN);
	store_folder_close(f);
	free(dir);
}
END_TEST

/* Damage the cache file with fn, then open: rebuilt, same result. */
static void
check_cache_damage(void (*damage)(const char *path, off_t size))
{
	struct store_scan_stats	 st;
	struct store_folder	*f;
	struct stat		 sb;
	char			*dir = make_folder("INBOX"), *cf;

	deliver(dir, "one", STORE_SEEN);
	deliver(dir, "two", 0);
	deliver(dir, "three", STORE_FLAGGED);
	f = open_folder(dir, true);
	store_folder_close(f);
	cf = cache_file();
	ck_assert_int_eq(stat(cf, &sb), 0);
	damage(cf, sb.st_size);
	f = open_folder(dir, true);
	store_folder_stats(f, &st);
	ck_assert(!st.cache_used);
	ck_assert(st.cache_written);
	ck_assert_uint_eq(store_folder_count(f), 3);
	ck_assert_int_ge(find_subject(f, "one"), 0);
	ck_assert_int_ge(find_subject(f, "two"), 0);
	ck_assert_uint_eq(store_folder_msg(f,
	    (size_t)find_subject(f, "three"))->flags, STORE_FLAGGED);
	store_folder_close(f);
	/* And the rewritten cache is good again. */
	f = open_folder(dir, true);
	store_folder_stats(f, &st);
	ck_assert(st.cache_used);
	ck_assert_uint_eq(store_folder_count(f), 3);
	store_folder_close(f);
	free(cf);
	free(dir);
}

static void
patch_byte(const char *path, off_t off, int xor)
{
	int		fd = open(path, O_RDWR);
	unsigned char	c;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &c, 1, off), 1);
	c ^= (unsigned char)xor;
	ck_assert_int_eq(pwrite(fd, &c, 1, off), 1);
	(void)close(fd);
}

static void
damage_flip_pool(const char *path, off_t size)
{
	patch_byte(path, size - 20, 0x20);
}

static void
damage_flip_record(const char *path, off_t size)
{
	(void)size;
	patch_byte(path, 96 + 70, 0x01);
}

static void
damage_truncate(const char *path, off_t size)
{
	ck_assert_int_eq(truncate(path, size / 2), 0);
}

static void
damage_empty(const char *path, off_t size)
{
	(void)size;
	ck_assert_int_eq(truncate(path, 0), 0);
}

static void
damage_version(const char *path, off_t size)
{
	(void)size;
	patch_byte(path, 8, 0x02);	/* the version field */
}

static void
damage_garbage(const char *path, off_t size)
{
	FILE	*fp = fopen(path, "w");
	off_t	 i;

	ck_assert_ptr_nonnull(fp);
	for (i = 0; i < size; i++)
		(void)putc((int)((i * 7919) & 0xff), fp);
	(void)fclose(fp);
}

static void
damage_extend(const char *path, off_t size)
{
	ck_assert_int_eq(truncate(path, size + 64), 0);
}

START_TEST(test_cache_corrupt_pool)
{
	check_cache_damage(damage_flip_pool);
}
END_TEST

START_TEST(test_cache_corrupt_record)
{
	check_cache_damage(damage_flip_record);
}
END_TEST

START_TEST(test_cache_truncated)
{
	check_cache_damage(damage_truncate);
}
END_TEST

START_TEST(test_cache_empty)
{
	check_cache_damage(damage_empty);
}
END_TEST

START_TEST(test_cache_other_version)
{
	check_cache_damage(damage_version);
}
END_TEST

START_TEST(test_cache_garbage)
{
	check_cache_damage(damage_garbage);
}
END_TEST

START_TEST(test_cache_extended)
{
	check_cache_damage(damage_extend);
}
END_TEST

START_TEST(test_cache_other_folder)
{
	struct store_scan_stats	 st;
	struct store_folder	*f;
	char			*a = make_folder("A"), *b = make_folder("B");
	char			*ca, *cb;

	deliver(a, "in a", 0);
	deliver(b, "in b", 0);
	f = open_folder(a, true);
	store_folder_close(f);
	ca = cache_file();
	/* B's cache name, A's cache content. */
	f = open_folder(b, true);
	store_folder_close(f);
	test_remove_tree(ca);
	{
		DIR		*d = opendir(cachedir);
		struct dirent	*e;

		cb = NULL;
		while ((e = readdir(d)) != NULL)
			if (strncmp(e->d_name, "index-", 6) == 0)
				cb = xasprintf("%s/%s", cachedir, e->d_name);
		(void)closedir(d);
	}
	ck_assert_ptr_nonnull(cb);
	f = open_folder(a, true);	/* rewrites A's cache */
	store_folder_close(f);
	ck_assert_int_eq(rename(ca, cb), 0);
	f = open_folder(b, true);
	store_folder_stats(f, &st);
	ck_assert(!st.cache_used);
	ck_assert_uint_eq(store_folder_count(f), 1);
	ck_assert_int_ge(find_subject(f, "in b"), 0);
	store_folder_close(f);
	free(ca);
	free(cb);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_cache_dir_unwritable)
{
	struct store_scan_stats	 st;
	struct store_folder	*f;
	char			*dir = make_folder("INBOX");

	/* A file where the cache directory should be. */
	write_file(tmpdir, "", "cache", "not a directory");
	deliver(dir, "x", 0);
	f = open_folder(dir, true);
	store_folder_stats(f, &st);
	ck_assert(!st.cache_written);
	ck_assert_uint_eq(store_folder_count(f), 1);
	store_folder_close(f);
	free(dir);
}
END_TEST

START_TEST(test_many_messages_cache_roundtrip)
{
	struct store_folder	*f, *g;
	struct store_scan_stats	 st;
	char			*dir = make_folder("INBOX"), *m, name[64];
	char			 subj[64], id[64], refs[128];
	size_t			 i, j;
	int			 k;

	/* Enough records to span several checksum blocks. */
	for (k = 0; k < 3000; k++) {
		(void)snprintf(subj, sizeof(subj), "message %d", k);
		(void)snprintf(id, sizeof(id), "<%d@x>", k);
		(void)snprintf(refs, sizeof(refs), "<%d@x> <%d@x>", k / 2,
		    k / 3);
		m = make_msg(subj, id, k % 5 ? refs : NULL);
		(void)snprintf(name, sizeof(name), "%d.M%dP1.h:2,%s",
		    1700000000 + k, k, k % 3 ? "S" : "");
		write_file(dir, "cur", name, m);
		free(m);
	}
	f = open_folder(dir, false);
	g = open_folder(dir, true);
	store_folder_close(g);
	g = open_folder(dir, true);
	store_folder_stats(g, &st);
	ck_assert(st.cache_used);
	ck_assert_uint_eq(store_folder_count(g), 3000);
	for (i = 0; i < store_folder_count(f); i++) {
		const struct store_msg	*a = store_folder_msg(f, i), *b = NULL;

		for (j = 0; j < store_folder_count(g); j++)
			if (strcmp(store_folder_msg(g, j)->name, a->name) == 0)
				b = store_folder_msg(g, j);
		ck_assert_ptr_nonnull(b);
		ck_assert_str_eq(a->subject, b->subject);
		ck_assert_str_eq(a->message_id, b->message_id);
		if (a->references != NULL) {
			ck_assert_str_eq(a->references, b->references);
			ck_assert_pstr_eq(a->in_reply_to, b->in_reply_to);
		} else
			ck_assert_ptr_null(b->references);
		ck_assert_int_eq(a->date, b->date);
		ck_assert_int_eq(a->received, b->received);
		ck_assert_uint_eq(a->size, b->size);
		ck_assert_uint_eq(a->flags, b->flags);
	}
	store_folder_close(f);
	store_folder_close(g);
	free(dir);
}
END_TEST

/*
 * A thread: a root and replies that all carry the root's subject with
 * "Re: " and name the root alone in References. Equal strings are stored
 * once, whether the folder was read from the files or from the cache.
 */
static void
check_shared(struct store_folder *f, int n)
{
	const struct store_msg	*top = NULL, *m, *first = NULL;
	size_t			 i;
	int			 replies = 0;

	ck_assert_uint_eq(store_folder_count(f), (size_t)n);
	for (i = 0; i < store_folder_count(f); i++) {
		m = store_folder_msg(f, i);
		if (strcmp(m->message_id, "<root@x>") == 0)
			top = m;
	}
	ck_assert_ptr_nonnull(top);
	for (i = 0; i < store_folder_count(f); i++) {
		m = store_folder_msg(f, i);
		if (m == top)
			continue;
		replies++;
		ck_assert_str_eq(m->subject, "Re: shared subject");
		ck_assert_str_eq(m->references, "<root@x>");
		/* The reply's References is the root's own Message-ID. */
		ck_assert_ptr_eq(m->references, top->message_id);
		if (first == NULL)
			first = m;
		ck_assert_ptr_eq(m->subject, first->subject);
		ck_assert_ptr_eq(m->from, first->from);
		/* But every file name is its own. */
		if (m != first)
			ck_assert_ptr_ne(m->name, first->name);
		ck_assert_str_ne(m->name, top->name);
	}
	ck_assert_int_eq(replies, n - 1);
}

START_TEST(test_shared_strings)
{
	struct store_folder	*f;
	struct store_scan_stats	 st;
	char			*dir = make_folder("INBOX"), *m, name[64];
	char			 id[64];
	int			 k;

	m = make_msg("shared subject", "<root@x>", NULL);
	write_file(dir, "cur", "1700000000.M0P1.h:2,S", m);
	free(m);
	for (k = 1; k < 200; k++) {
		(void)snprintf(id, sizeof(id), "<r%d@x>", k);
		m = make_msg("Re: shared subject", id, "<root@x>");
		(void)snprintf(name, sizeof(name), "%d.M%dP1.h:2,S",
		    1700000000 + k, k);
		write_file(dir, "cur", name, m);
		free(m);
	}
	f = open_folder(dir, true);
	store_folder_stats(f, &st);
	ck_assert(!st.cache_used);
	check_shared(f, 200);
	store_folder_close(f);
	f = open_folder(dir, true);
	store_folder_stats(f, &st);
	ck_assert(st.cache_used);
	check_shared(f, 200);
	store_folder_close(f);
	free(dir);
}
END_TEST

/* Sorted "name|subject|mid|refs|irt|date|size|flags" lines of f. */
static char **
folder_lines(const struct store_folder *f)
{
	char	**v = xcalloc(store_folder_count(f) + 1, sizeof(*v));
	size_t	  i;

	for (i = 0; i < store_folder_count(f); i++) {
		const struct store_msg	*m = store_folder_msg(f, i);

		v[i] = xasprintf("%s|%s|%s|%s|%s|%s|%s|%lld|%llu|%u|%d",
		    m->name, m->subject, m->from, m->from_addr,
		    m->message_id ? m->message_id : "-",
		    m->references ? m->references : "-",
		    m->in_reply_to ? m->in_reply_to : "-",
		    (long long)m->date, (unsigned long long)m->size,
		    m->flags, m->in_new);
	}
	test_sort_strings(v, store_folder_count(f));
	return v;
}

START_TEST(test_threads_same_result)
{
	static const unsigned	 nthreads[] = { 1, 2, 3, 7 };
	struct store_open_opts	 o;
	struct store_err	 err;
	struct store_folder	*f;
	char			*dir = make_folder("INBOX"), *m, name[64];
	char			 subj[64], id[64], refs[128], **want = NULL, **got;
	size_t			 i, t;
	int			 k;

	/* More than one parsing batch, with a few unreadable files. */
	for (k = 0; k < 5000; k++) {
		(void)snprintf(subj, sizeof(subj), "=?iso-8859-%d?q?r=E9sum=E9"
		    "_%d?=", 1 + k % 9, k % 50);
		(void)snprintf(id, sizeof(id), "<%d@x>", k);
		(void)snprintf(refs, sizeof(refs), "<%d@x>", k / 3);
		m = make_msg(subj, id, k % 4 ? refs : NULL);
		(void)snprintf(name, sizeof(name), "%d.M%dP1.h%s",
		    1700000000 + k, k, k % 2 ? ":2,S" : "");
		write_file(dir, k % 2 ? "cur" : "new", name, m);
		free(m);
	}
	for (t = 0; t < sizeof(nthreads) / sizeof(nthreads[0]); t++) {
		memset(&o, 0, sizeof(o));
		o.threads = nthreads[t];
		o.read_only = true;
		f = store_folder_open(dir, &o, &err);
		ck_assert_msg(f != NULL, "%s", err.msg);
		ck_assert_uint_eq(store_folder_count(f), 5000);
		got = folder_lines(f);
		if (want == NULL) {
			want = got;
			/* Decoded through iconv, more charsets than a
			 * thread keeps open at once. */
			ck_assert_ptr_nonnull(strstr(want[0], "résumé"));
		} else {
			for (i = 0; i < 5000; i++)
				ck_assert_str_eq(got[i], want[i]);
			for (i = 0; i < 5000; i++)
				free(got[i]);
			free(got);
		}
		store_folder_close(f);
	}
	for (i = 0; i < 5000; i++)
		free(want[i]);
	free(want);
	free(dir);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Crashes                                                             */

static const char	*crash_at;

static void
crash_hook(const char *step)
{
	if (strcmp(step, crash_at) == 0)
		_exit(77);
}

/* Run fn in a child that dies at step; true when it did die there. */
static bool
crash_child(const char *step, void (*fn)(void *), void *arg)
{
	pid_t	pid;
	int	status;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		crash_at = step;
		store_fault_hook = crash_hook;
		fn(arg);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status) == 77;
}

static void
do_deliver(void *arg)
{
	struct store_err	 err;
	char			*m = make_msg("crashy", "<c@x>", NULL);

	(void)store_deliver(arg, m, strlen(m), 0, false, NULL, &err);
	free(m);
}

START_TEST(test_crash_delivery)
{
	static const char *const steps[] = { "tmp-created", "tmp-written",
		"tmp-synced", "linked", "renamed", "dir-synced" };
	struct store_folder	*f;
	char			*dir;
	size_t			 s, n;

	for (s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		dir = make_folder("INBOX");
		ck_assert_msg(crash_child(steps[s], do_deliver, dir),
		    "no crash at %s", steps[s]);
		f = open_folder(dir, true);
		n = store_folder_count(f);
		/* Before the link: not delivered (debris in tmp/ only);
		 * from the link on: delivered, exactly once. */
		if (s < 3) {
			ck_assert_msg(n == 0, "%s: %zu", steps[s], n);
			ck_assert_int_eq(count_files(dir, "new"), 0);
		} else {
			ck_assert_msg(n == 1, "%s: %zu", steps[s], n);
			ck_assert_int_eq(find_subject(f, "crashy"), 0);
			ck_assert_int_eq(count_files(dir, "new"), 1);
		}
		ck_assert_int_le(count_files(dir, "tmp"), 1);
		store_folder_close(f);
		test_remove_tree(dir);
		free(dir);
		test_remove_tree(cachedir);
	}
}
END_TEST

/* A batch of 20 messages, 10 unseen and 10 seen, with UID tags. */
static void
do_batch(void *arg)
{
	struct store_batch	*b = store_batch_new(arg);
	struct store_err	 err;
	char			 subj[16], tag[16], *m;
	int			 k;

	for (k = 0; k < 20; k++) {
		(void)snprintf(subj, sizeof(subj), "b%02d", k);
		(void)snprintf(tag, sizeof(tag), "U=%d", k + 1);
		m = make_msg(subj, "<b@x>", NULL);
		ck_assert_int_eq(store_batch_add(b, m, strlen(m),
		    k < 10 ? 0 : STORE_SEEN, tag, &err), 0);
		free(m);
	}
	ck_assert_int_eq(store_batch_commit(b, &err), 0);
	store_batch_free(&b);
}

START_TEST(test_batch)
{
	static const char *const steps[] = { "tmp-synced", "renamed",
		"dir-synced" };
	struct store_batch	*b;
	struct store_folder	*f;
	struct store_err	 err;
	char			*dir, *m;
	size_t			 s, i, n;

	/* Committed: every message in place, named as reported. */
	dir = make_folder("INBOX");
	do_batch(dir);
	ck_assert_int_eq(count_files(dir, "new"), 10);
	ck_assert_int_eq(count_files(dir, "cur"), 10);
	ck_assert_int_eq(count_files(dir, "tmp"), 0);
	f = open_folder(dir, false);
	ck_assert_uint_eq(store_folder_count(f), 20);
	for (i = 0; i < 20; i++) {
		const struct store_msg	*msg = store_folder_msg(f, i);
		int			 k = atoi(msg->subject + 1);
		char			 want[16];

		(void)snprintf(want, sizeof(want), ",U=%d", k + 1);
		ck_assert_ptr_nonnull(strstr(msg->name, want));
		ck_assert_uint_eq(msg->flags, k < 10 ? 0 : STORE_SEEN);
		ck_assert(msg->in_new == (k < 10));
	}
	store_folder_close(f);
	/* Dropped without a commit: nothing stored, no debris. */
	b = store_batch_new(dir);
	m = make_msg("dropped", "<d@x>", NULL);
	ck_assert_int_eq(store_batch_add(b, m, strlen(m), 0, NULL, &err), 0);
	free(m);
	ck_assert_uint_eq(store_batch_count(b), 1);
	store_batch_free(&b);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(count_files(dir, "tmp"), 0);
	ck_assert_int_eq(count_files(dir, "new"), 10);
	test_remove_tree(dir);
	free(dir);
	/* A crash at each step of the commit: before the messages are in
	 * place, none is stored; after, all are, once. */
	for (s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		dir = make_folder("INBOX");
		ck_assert_msg(crash_child(steps[s], do_batch, dir),
		    "no crash at %s", steps[s]);
		f = open_folder(dir, false);
		n = store_folder_count(f);
		ck_assert_msg(n == (s == 0 ? 0 : 20), "%s: %zu", steps[s], n);
		store_folder_close(f);
		test_remove_tree(dir);
		free(dir);
	}
}
END_TEST

/* The writer thread: more than its queue holds, in order and whole; a
 * file it cannot write fails the commit with the reason, and the batch
 * stays usable after a reset. */
START_TEST(test_batch_writer)
{
	struct store_batch	*b;
	struct store_folder	*f;
	struct store_err	 err;
	char			*dir, *m, *big, *p;
	size_t			 i, len = (size_t)3 * 1024 * 1024;

	dir = make_folder("Big");
	b = store_batch_new(dir);
	big = xmalloc(len);
	for (i = 0; i < 16; i++) {	/* 48 MiB: the queue fills */
		m = make_msg("big", "<b@x>", NULL);
		memset(big, 'a' + (int)i, len);
		memcpy(big, m, strlen(m));
		free(m);
		ck_assert_int_eq(store_batch_add(b, big, len, STORE_SEEN, NULL,
		    &err), 0);
	}
	ck_assert_int_eq(store_batch_commit(b, &err), 0);
	for (i = 0; i < 16; i++) {
		struct buf	got;

		p = xasprintf("%s/cur/%s", dir, store_batch_name(b, i));
		buf_init(&got, len + 1);
		ck_assert_int_eq(test_read_file(p, &got), 0);
		ck_assert_uint_eq(got.len, len);
		ck_assert_int_eq(got.data[len - 1], 'a' + (int)i);
		buf_free(&got);
		free(p);
	}
	store_batch_reset(b);
	/* tmp/ gone: the writer fails, the commit says why. */
	p = xasprintf("%s/tmp", dir);
	ck_assert_int_eq(rmdir(p), 0);
	m = make_msg("lost", "<l@x>", NULL);
	ck_assert_int_eq(store_batch_add(b, m, strlen(m), 0, NULL, &err), 0);
	err.msg[0] = '\0';
	ck_assert_int_eq(store_batch_commit(b, &err), -1);
	ck_assert_msg(strstr(err.msg, "/tmp/") != NULL, "%s", err.msg);
	store_batch_reset(b);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	ck_assert_msg(store_batch_add(b, m, strlen(m), 0, NULL, &err) == 0,
	    "%s", err.msg);
	ck_assert_int_eq(store_batch_commit(b, &err), 0);
	store_batch_free(&b);
	f = open_folder(dir, false);
	ck_assert_uint_eq(store_folder_count(f), 17);
	store_folder_close(f);
	free(m);
	free(p);
	free(big);
	test_remove_tree(dir);
	free(dir);
}
END_TEST

struct move_arg {
	const char	*src, *dst;
	bool		 copy;
};

/* Move (or copy) the first message of src into dst. */
static void
do_move(void *arg)
{
	struct move_arg		*a = arg;
	struct store_open_opts	 o = { 0 };
	struct store_err	 err;
	struct store_folder	*s, *d;

	s = store_folder_open(a->src, &o, &err);
	d = store_folder_open(a->dst, &o, &err);
	if (s != NULL && d != NULL && a->copy)
		(void)store_msg_copy(s, 0, d, NULL, &err);
	else if (s != NULL && d != NULL)
		(void)store_msg_move(s, 0, d, NULL, &err);
	_exit(0);
}

START_TEST(test_crash_move)
{
	static const char *const steps[] = { "renamed", "dir-synced" };
	struct move_arg		 a;
	struct store_folder	*s, *d;
	char			*src, *dst;
	size_t			 i, in_src, in_dst;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		src = make_folder("INBOX");
		dst = make_folder("Archive");
		deliver(src, "moving", STORE_SEEN);
		a.src = src;
		a.dst = dst;
		a.copy = false;
		ck_assert(crash_child(steps[i], do_move, &a));
		s = open_folder(src, false);
		d = open_folder(dst, false);
		in_src = store_folder_count(s);
		in_dst = store_folder_count(d);
		/* Exactly one place, whatever the step. */
		ck_assert_msg(in_src + in_dst == 1, "%s: %zu + %zu",
		    steps[i], in_src, in_dst);
		store_folder_close(s);
		store_folder_close(d);
		test_remove_tree(src);
		test_remove_tree(dst);
		free(src);
		free(dst);
	}
}
END_TEST

/* A stub's marker: the first line only, a number, a line end. */
START_TEST(test_partial_marker)
{
	static const struct {
		const char	*data;
		bool		 partial;
		uint64_t	 size;
	} cases[] = {
		{ "X-Facteur-Partial: 12345\nFrom: a\n", true, 12345 },
		{ "x-facteur-partial: 7\n", true, 7 },
		{ "X-Facteur-Partial: 12345", false, 0 },
		{ "X-Facteur-Partial: \n", false, 0 },
		{ "X-Facteur-Partial: 12a\n", false, 0 },
		{ "X-Facteur-Partial: 99999999999999999999999\n", false, 0 },
		{ "From: a\nX-Facteur-Partial: 5\n", false, 0 },
		{ "", false, 0 },
	};
	size_t		i;
	uint64_t	size;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size = 0;
		ck_assert_msg(store_is_partial(cases[i].data,
		    strlen(cases[i].data), &size) == cases[i].partial, "%zu",
		    i);
		ck_assert_uint_eq(size, cases[i].size);
	}
}
END_TEST

struct replace_arg {
	const char	*path;
	const char	*name;
};

static void
do_replace(void *arg)
{
	struct replace_arg	*a = arg;
	struct store_err	 err;

	(void)store_msg_replace(a->path, a->name, "whole message\n", 14,
	    &err);
	_exit(0);
}

/* The bytes are replaced under the same name, whatever its flags became;
 * a crash at any step leaves the old bytes or the new ones, one file. */
START_TEST(test_replace)
{
	static const char *const steps[] = { "tmp-created", "tmp-written",
	    "tmp-synced", "renamed", NULL };
	struct replace_arg	 a;
	struct store_folder	*f;
	struct store_err	 err;
	char			*src, *data, *uniq;
	size_t			 i, len;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		src = make_folder("INBOX");
		deliver(src, "stub", 0);
		f = open_folder(src, false);
		uniq = xstrndup(store_folder_msg(f, 0)->name,
		    store_name_unique_len(store_folder_msg(f, 0)->name));
		/* Read since: its flags (and place) changed. */
		ck_assert_int_eq(store_msg_set_flags(f, 0, STORE_SEEN, &err),
		    0);
		store_folder_close(f);
		a.path = src;
		a.name = uniq;
		if (steps[i] != NULL)
			ck_assert(crash_child(steps[i], do_replace, &a));
		else
			ck_assert_int_eq(store_msg_replace(src, uniq,
			    "whole message\n", 14, &err), 0);
		f = open_folder(src, false);
		ck_assert_uint_eq(store_folder_count(f), 1);
		ck_assert_int_eq(store_msg_read_new(f, 0, &data, &len, &err),
		    0);
		if (steps[i] == NULL || strcmp(steps[i], "renamed") == 0)
			ck_assert_str_eq(data, "whole message\n");
		else
			ck_assert_ptr_nonnull(strstr(data, "stub"));
		ck_assert_uint_eq(store_folder_msg(f, 0)->flags, STORE_SEEN);
		free(data);
		store_folder_close(f);
		test_remove_tree(src);
		free(src);
		free(uniq);
	}
	ck_assert_int_eq(store_msg_replace(root, "nosuch.name", "x", 1, &err),
	    -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "gone"));
}
END_TEST

START_TEST(test_crash_copy)
{
	static const char *const steps[] = { "tmp-created", "tmp-written",
		"tmp-synced", "linked", "renamed", "dir-synced" };
	struct move_arg		 a;
	struct store_folder	*s, *d;
	char			*src, *dst;
	size_t			 i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		src = make_folder("INBOX");
		dst = make_folder("Archive");
		deliver(src, "copying", STORE_SEEN);
		a.src = src;
		a.dst = dst;
		a.copy = true;
		ck_assert(crash_child(steps[i], do_move, &a));
		s = open_folder(src, false);
		d = open_folder(dst, false);
		/* The original is never touched; the copy is whole or
		 * absent. */
		ck_assert_uint_eq(store_folder_count(s), 1);
		ck_assert_uint_le(store_folder_count(d), 1);
		if (store_folder_count(d) == 1)
			ck_assert_str_eq(store_folder_msg(d, 0)->subject,
			    "copying");
		store_folder_close(s);
		store_folder_close(d);
		test_remove_tree(src);
		test_remove_tree(dst);
		free(src);
		free(dst);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Other readers                                                       */

/* The line of the captured screen that ends with subject, or NULL. */
static const char *
screen_line(const char *screen, const char *subject, char *line,
    size_t size)
{
	const char	*p = screen, *e;
	size_t		 len, sl = strlen(subject);

	while (*p != '\0') {
		e = strchr(p, '\n');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len >= sl && memcmp(p + len - sl, subject, sl) == 0 &&
		    len < size) {
			memcpy(line, p, len);
			line[len] = '\0';
			return line;
		}
		if (e == NULL)
			break;
		p = e + 1;
	}
	return NULL;
}

/*
 * A maildir written by facteur, read by mutt in tmux: every message is
 * listed, with the flags facteur gave it (mutt's %Z column: N new, r
 * replied, ! flagged, D deleted).
 */
START_TEST(test_mutt_reads_store)
{
	struct store_err	 err;
	struct store_folder	*f;
	char			*dir = make_folder("INBOX"), *rc, *cmd;
	char			 sock[64], line[512];
	struct buf		 screen;
	FILE			*fp;
	int			 tries;

	ck_assert_msg(system("command -v mutt >/dev/null && "
	    "command -v tmux >/dev/null") == 0,
	    "mutt and tmux are needed (scripts/deps installs them)");
	deliver(dir, "alpha unread", 0);
	deliver(dir, "beta replied", STORE_SEEN | STORE_REPLIED);
	deliver(dir, "gamma flagged", STORE_SEEN | STORE_FLAGGED);
	deliver(dir, "delta deleted", STORE_SEEN | STORE_TRASHED);
	deliver(dir, "epsilon read", 0);
	f = open_folder(dir, false);
	ck_assert_int_eq(store_msg_set_flags(f,
	    (size_t)find_subject(f, "epsilon read"), STORE_SEEN, &err), 0);
	store_folder_close(f);
	rc = xasprintf("%s/muttrc", tmpdir);
	fp = fopen(rc, "w");
	ck_assert_ptr_nonnull(fp);
	(void)fprintf(fp, "set folder=%s\nset spoolfile=%s\n"
	    "set mbox_type=Maildir\nset sort=date\nset mark_old=no\n", root,
	    dir);
	(void)fclose(fp);
	(void)snprintf(sock, sizeof(sock), "facteur-test-%ld", (long)getpid());
	cmd = xasprintf("tmux -L %s new-session -d -x 120 -y 20 "
	    "'TERM=xterm mutt -n -F %s -R -f %s'", sock, rc, dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	buf_init(&screen, 1 << 20);
	cmd = xasprintf("tmux -L %s capture-pane -p", sock);
	for (tries = 0; tries < 100; tries++) {
		char	chunk[4096];
		size_t	n;

		buf_reset(&screen);
		fp = popen(cmd, "r");
		ck_assert_ptr_nonnull(fp);
		for (;;) {
			n = fread(chunk, 1, sizeof(chunk), fp);
			if (n == 0)
				break;
			ck_assert_int_eq(buf_append(&screen, chunk, n), 0);
		}
		(void)pclose(fp);
		ck_assert_int_eq(buf_append(&screen, "", 1), 0);
		if (strstr(screen.data, "Msgs:5") != NULL)
			break;
		(void)usleep(50000);
	}
	free(cmd);
	cmd = xasprintf("tmux -L %s kill-server", sock);
	(void)system(cmd);
	free(cmd);
	ck_assert_msg(strstr(screen.data, "Msgs:5") != NULL,
	    "mutt did not list 5 messages:\n%s", screen.data);
	ck_assert_msg(screen_line(screen.data, "alpha unread", line,
	    sizeof(line)) != NULL, "%s", screen.data);
	ck_assert_msg(strstr(line, " N ") != NULL, "%s", line);
	ck_assert_ptr_nonnull(screen_line(screen.data, "beta replied", line,
	    sizeof(line)));
	ck_assert_msg(strstr(line, " r ") != NULL, "%s", line);
	ck_assert_ptr_nonnull(screen_line(screen.data, "gamma flagged", line,
	    sizeof(line)));
	ck_assert_msg(strstr(line, " ! ") != NULL, "%s", line);
	ck_assert_ptr_nonnull(screen_line(screen.data, "delta deleted", line,
	    sizeof(line)));
	ck_assert_msg(strstr(line, " D ") != NULL, "%s", line);
	ck_assert_ptr_nonnull(screen_line(screen.data, "epsilon read", line,
	    sizeof(line)));
	ck_assert_msg(strstr(line, " N ") == NULL &&
	    strstr(line, " O ") == NULL, "%s", line);
	buf_free(&screen);
	free(rc);
	free(dir);
}
END_TEST

Suite *
store_suite(void)
{
	Suite	*s = suite_create("store");
	TCase	*tc;

	tc = tcase_create("names");
	tcase_add_test(tc, test_name_flags);
	tcase_add_test(tc, test_name_with_flags);
	tcase_add_test(tc, test_unique_names);
	tcase_add_test(tc, test_folder_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("maildir");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_folder_create_list);
	tcase_add_test(tc, test_folder_rename_delete);
	tcase_add_test(tc, test_deliver);
	tcase_add_test(tc, test_open_fields);
	tcase_add_test(tc, test_not_a_maildir);
	tcase_add_test(tc, test_set_flags);
	tcase_add_test(tc, test_move_copy_delete);
	tcase_add_test(tc, test_add_and_read_only);
	tcase_add_test(tc, test_stale_tmp);
	suite_add_tcase(s, tc);

	tc = tcase_create("others");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_other_programs_nocache);
	tcase_add_test(tc, test_other_programs_cache);
	tcase_add_test(tc, test_rescan_while_open);
	tcase_add_test(tc, test_new_and_cur_duplicate);
	suite_add_tcase(s, tc);

	tc = tcase_create("cache");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_cache_reused);
	tcase_add_test(tc, test_cache_racy_same_second);
	tcase_add_test(tc, test_cache_corrupt_pool);
	tcase_add_test(tc, test_cache_corrupt_record);
	tcase_add_test(tc, test_cache_truncated);
	tcase_add_test(tc, test_cache_empty);
	tcase_add_test(tc, test_cache_other_version);
	tcase_add_test(tc, test_cache_garbage);
	tcase_add_test(tc, test_cache_extended);
	tcase_add_test(tc, test_cache_other_folder);
	tcase_add_test(tc, test_cache_dir_unwritable);
	tcase_add_test(tc, test_many_messages_cache_roundtrip);
	tcase_add_test(tc, test_shared_strings);
	tcase_add_test(tc, test_batch);
	tcase_add_test(tc, test_batch_writer);
	tcase_add_test(tc, test_threads_same_result);
	suite_add_tcase(s, tc);

	tc = tcase_create("crash");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_crash_delivery);
	tcase_add_test(tc, test_crash_move);
	tcase_add_test(tc, test_crash_copy);
	tcase_add_test(tc, test_partial_marker);
	tcase_add_test(tc, test_replace);
	suite_add_tcase(s, tc);

	tc = tcase_create("interop");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_mutt_reads_store);
	suite_add_tcase(s, tc);
	return s;
}
