/*
 * check_servers_ui.c: the interface driven in tmux, as a user drives it:
 * a local maildir (index, pager, search, hostile subjects, resizing,
 * SIGTERM), then an IMAP account on the test Dovecot (mail arriving by
 * IDLE without a key, delete then sync, keys answered during a big
 * sync).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "tests.h"

static char	*home;

static void
setup(void)
{
	char	tmpl[] = "/tmp/facteur-ui.XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	home = xstrdup(tmpl);
}

static void
teardown(void)
{
	test_remove_tree(home);
	free(home);
	home = NULL;
}

/* dir/name, from a buffer that lives until the next call. */
static const char *
path_in(const char *dir, const char *name)
{
	static char	buf[1024];

	(void)snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

static void
write_text(const char *path, const char *text)
{
	test_write_file(path, text, strlen(text));
}

/* A maildir:// account at home/Mail with INBOX and Archive. */
static void
local_account(void)
{
	struct store_err	 err;
	char			*root = xasprintf("%s/Mail", home);
	char			*cfg = xasprintf("%s/config", home);
	char			*text;

	ck_assert_int_eq(mkdir(root, 0700), 0);
	ck_assert_msg(store_folder_create(root, "INBOX", &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(store_folder_create(root, "Archive", &err), 0);
	text = xasprintf("[general]\nmail-root = %s/store\n\n"
	    "[account local]\naddress = Jeanne <jeanne@example.test>\n"
	    "incoming = maildir://%s\n", home, root);
	write_text(cfg, text);
	free(text);
	free(cfg);
	free(root);
}

static void
local_message(const char *folder, const char *name, const char *text)
{
	char	*path = xasprintf("%s/Mail/%s/cur/%s", home, folder, name);

	write_text(path, text);
	free(path);
}

static const char msg_cafe[] =
    "From: =?UTF-8?Q?Zo=C3=AB_Dupr=C3=A9?= <zoe@example.test>\n"
    "To: jeanne@example.test\n"
    "Subject: =?UTF-8?B?Q2Fmw6kgZsO8ciBhbGxl?=\n"
    "Date: Fri, 01 Mar 2024 09:30:00 +0000\n"
    "Message-ID: <cafe@example.test>\n"
    "Content-Type: text/plain; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: quoted-printable\n\n"
    "Le caf=E9 est pr=EAt.\n> une ligne cit=E9e\n";

static const char msg_report[] =
    "From: Bob Martin <bob@example.test>\n"
    "To: jeanne@example.test\n"
    "Subject: Quarterly report\n"
    "Date: Sat, 02 Mar 2024 10:00:00 +0000\n"
    "Message-ID: <report@example.test>\n\n"
    "The numbers are in.\n";

static const char msg_lunch[] =
    "From: Chloé <chloe@example.test>\n"
    "To: jeanne@example.test\n"
    "Subject: Lunch on Friday\n"
    "Date: Sun, 03 Mar 2024 11:00:00 +0000\n"
    "Message-ID: <lunch@example.test>\n\n"
    "Pizza ou sushi ?\n";

static void
three_messages(void)
{
	local_account();
	local_message("INBOX", "1709285400.1.host:2,S", msg_cafe);
	local_message("INBOX", "1709373600.2.host:2,", msg_report);
	local_message("INBOX", "1709463600.3.host:2,S", msg_lunch);
}

/* The index lists the messages; Enter shows a decoded message; search
 * finds one by its body. */
START_TEST(ui_index_pager_search)
{
	struct test_tmux	 t;
	char			*s, *l;

	three_messages();
	test_tmux_start(&t, 100, 30, home, "");
	s = test_tmux_wait(&t, "Quarterly report", 5000);
	l = test_screen_line(s, "Quarterly report");
	ck_assert_ptr_nonnull(l);
	ck_assert_msg(strstr(l, "Bob Martin") != NULL && strstr(l, " N ") !=
	    NULL && strstr(l, "2024-03-02") != NULL, "index line: %s", l);
	free(l);
	l = test_screen_line(s, "Café für alle");
	ck_assert_msg(l != NULL && strstr(l, "Zoë Dupré") != NULL,
	    "decoded subject and sender in the index:\n%s", s);
	free(l);
	ck_assert_ptr_nonnull(strstr(s, "-- facteur: local/INBOX [3 "
	    "messages, 1 unread]"));
	free(s);

	/* Search the bodies, then open what was found. */
	test_tmux_keys(&t, "/");
	free(test_tmux_wait(&t, "Search for:", 3000));
	test_tmux_type(&t, "sushi");
	test_tmux_keys(&t, "Enter Enter");
	s = test_tmux_wait(&t, "Subject: Lunch on Friday", 3000);
	ck_assert_ptr_nonnull(strstr(s, "Pizza ou sushi ?"));
	ck_assert_ptr_nonnull(strstr(s, "From: Chloé <chloe@example.test>"));
	free(s);

	/* Back, and the encoded one: headers and body converted. */
	test_tmux_keys(&t, "q /");
	free(test_tmux_wait(&t, "Search for:", 3000));
	test_tmux_type(&t, "subject:café");
	test_tmux_keys(&t, "Enter Enter");
	s = test_tmux_wait(&t, "Subject: Café für alle", 3000);
	ck_assert_ptr_nonnull(strstr(s, "From: Zoë Dupré <zoe@example.test>"));
	ck_assert_ptr_nonnull(strstr(s, "Le café est prêt."));
	ck_assert_ptr_nonnull(strstr(s, "> une ligne citée"));
	free(s);

	/* Help lists the bindings in force. */
	test_tmux_keys(&t, "?");
	s = test_tmux_wait(&t, "Keys of the pager", 3000);
	ck_assert_ptr_nonnull(strstr(s, "next-message"));
	free(s);
	test_tmux_keys(&t, "q q q");
	free(test_tmux_wait(&t, "FACTEUR-EXIT=0", 5000));
	test_tmux_stop(&t);
}
END_TEST

/* Flags set in the interface are on disk at once; a limit hides. */
START_TEST(ui_flags_and_limit)
{
	struct test_tmux	 t;
	char			*s, *path;
	bool			 flagged;

	three_messages();
	test_tmux_start(&t, 100, 30, home, "");
	free(test_tmux_wait(&t, "Quarterly report", 5000));
	/* The first unread is selected: flag it. */
	test_tmux_keys(&t, "F");
	s = test_tmux_wait(&t, "N!", 3000);
	free(s);
	path = xasprintf("%s/Mail/INBOX/cur/1709373600.2.host:2,F", home);
	flagged = access(path, F_OK) == 0;
	ck_assert_msg(flagged, "the F flag is not in the file name");
	free(path);
	test_tmux_keys(&t, "l");
	free(test_tmux_wait(&t, "Limit to", 3000));
	test_tmux_type(&t, "flag:flagged");
	test_tmux_keys(&t, "Enter");
	s = test_tmux_wait(&t, "1 shown", 3000);
	ck_assert_ptr_null(strstr(s, "Lunch on Friday"));
	ck_assert_ptr_nonnull(strstr(s, "Quarterly report"));
	free(s);
	test_tmux_keys(&t, "l C-u Enter");
	free(test_tmux_wait(&t, "Lunch on Friday", 3000));
	test_tmux_keys(&t, "q");
	free(test_tmux_wait(&t, "FACTEUR-EXIT=0", 5000));
	test_tmux_stop(&t);
}
END_TEST

/* Escape sequences in a subject, a sender and a body never reach the
 * terminal: drawn as "?", the title and the screen unchanged. */
START_TEST(ui_escape_sequences)
{
	struct test_tmux	 t;
	char			*s, *title, *l;

	local_account();
	local_message("INBOX", "1709285400.1.host:2,S",
	    "From: \x1b[2JEvil \x1b]0;owned\x07 <evil@example.test>\n"
	    "Subject: evil \x1b]0;pwned\x07 \x1b[2J\x1b[31mred \x9b" "31m\n"
	    "Date: Fri, 01 Mar 2024 09:30:00 +0000\n\n"
	    "body \x1b]2;pwned-too\x07 \x1b[H\x1b[2Jend\n");
	local_message("INBOX", "1709373600.2.host:2,S", msg_report);
	test_tmux_start(&t, 100, 30, home, "");
	s = test_tmux_wait(&t, "Quarterly report", 5000);
	l = test_screen_line(s, "evil ");
	/* Control characters shown in caret notation by the decoder (the
	 * drawing layer would make any left "?": check_ui). */
	ck_assert_msg(l != NULL && strstr(l, "evil ^[]0;pwned^G "
	    "^[[2J^[[31mred") != NULL && strchr(l, 0x1b) == NULL, "%s", s);
	free(l);
	free(s);
	title = test_tmux_query(&t, "#{pane_title}");
	ck_assert_msg(strstr(title, "pwned") == NULL &&
	    strstr(title, "owned") == NULL, "title: %s", title);
	free(title);
	test_tmux_keys(&t, "k Enter");
	s = test_tmux_wait(&t, "end", 3000);
	ck_assert_ptr_nonnull(strstr(s, "body ^[]2;pwned-too^G ^[[H^[[2Jend"));
	/* The screen was not cleared: the header lines are still there. */
	ck_assert_ptr_nonnull(strstr(s, "Subject: evil"));
	free(s);
	title = test_tmux_query(&t, "#{pane_title}");
	ck_assert_msg(strstr(title, "pwned") == NULL, "title: %s", title);
	free(title);
	test_tmux_keys(&t, "q q");
	free(test_tmux_wait(&t, "FACTEUR-EXIT=0", 5000));
	test_tmux_stop(&t);
}
END_TEST

/* The status line is on the second-last row and no line is wider than
 * the terminal: true at 80x24 and 200x60. */
static void
check_layout(const char *s, int w, int h)
{
	const char	*p = s, *nl;
	int		 row = 0, status_row = -1;

	for (; (nl = strchr(p, '\n')) != NULL; p = nl + 1, row++) {
		char	*line = xstrndup(p, (size_t)(nl - p));

		ck_assert_msg(test_display_width(line) <= w,
		    "row %d wider than %d: %s", row, w, line);
		if (strncmp(line, "-- facteur:", 11) == 0)
			status_row = row;
		free(line);
	}
	ck_assert_msg(status_row == h - 2, "status on row %d of %d:\n%s",
	    status_row, h, s);
}

START_TEST(ui_resize)
{
	struct test_tmux	 t;
	char			*s, *l;

	three_messages();
	test_tmux_start(&t, 120, 40, home, "");
	free(test_tmux_wait(&t, "Quarterly report", 5000));
	test_tmux_resize(&t, 80, 24);
	(void)usleep(300000);
	s = test_tmux_wait(&t, "Quarterly report", 3000);
	check_layout(s, 80, 24);
	free(s);
	test_tmux_resize(&t, 200, 60);
	(void)usleep(300000);
	s = test_tmux_wait(&t, "Quarterly report", 3000);
	check_layout(s, 200, 60);
	/* Wide enough for the size column. */
	l = test_screen_line(s, "Quarterly report");
	ck_assert_msg(l != NULL && strstr(l, " 179 ") != NULL, "%s", l);
	free(l);
	free(s);
	/* The pager wraps to the new width too. */
	test_tmux_keys(&t, "Enter");
	s = test_tmux_wait(&t, "Subject:", 3000);
	check_layout(s, 200, 60);
	free(s);
	test_tmux_resize(&t, 80, 24);
	(void)usleep(300000);
	s = test_tmux_wait(&t, "Subject:", 3000);
	check_layout(s, 80, 24);
	free(s);
	test_tmux_keys(&t, "q q");
	free(test_tmux_wait(&t, "FACTEUR-EXIT=0", 5000));
	test_tmux_stop(&t);
}
END_TEST

/* SIGTERM: the terminal is given back (the alternate screen left) and
 * the exit status says the signal. */
START_TEST(ui_sigterm_restores)
{
	struct test_tmux	 t;
	char			*pid, *cmd, *alt;

	three_messages();
	test_tmux_start(&t, 100, 30, home, "");
	free(test_tmux_wait(&t, "Quarterly report", 5000));
	alt = test_tmux_query(&t, "#{alternate_on}");
	ck_assert_msg(alt[0] == '1', "alternate screen: %s", alt);
	free(alt);
	pid = test_tmux_query(&t, "#{pane_pid}");
	cmd = xasprintf("pkill -TERM -P %d -x facteur", atoi(pid));
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(pid);
	free(test_tmux_wait(&t, "FACTEUR-EXIT=143", 5000));
	alt = test_tmux_query(&t, "#{alternate_on}");
	ck_assert_msg(alt[0] == '0', "still on the alternate screen");
	free(alt);
	test_tmux_stop(&t);
}
END_TEST

/* Two accounts: the sidebar lists both, c opens the other's folder. */
START_TEST(ui_two_accounts)
{
	struct test_tmux	 t;
	struct store_err	 err;
	char			*s, *cfg, *text, *root2, *path;

	three_messages();
	root2 = xasprintf("%s/Work", home);
	ck_assert_int_eq(mkdir(root2, 0700), 0);
	ck_assert_int_eq(store_folder_create(root2, "INBOX", &err), 0);
	path = xasprintf("%s/INBOX/cur/1709285400.9.host:2,", root2);
	write_text(path, "From: Boss <boss@corp.test>\n"
	    "Subject: Budget 2025\nDate: Fri, 01 Mar 2024 09:30:00 +0000\n\n"
	    "Numbers.\n");
	free(path);
	cfg = xasprintf("%s/config", home);
	text = xasprintf("[general]\nmail-root = %s/store\n\n"
	    "[account local]\naddress = Jeanne <jeanne@example.test>\n"
	    "incoming = maildir://%s/Mail\n\n"
	    "[account work]\naddress = J <j@corp.test>\n"
	    "incoming = maildir://%s\n", home, home, root2);
	write_text(cfg, text);
	free(text);
	free(cfg);
	test_tmux_start(&t, 120, 30, home, "");
	s = test_tmux_wait(&t, "Quarterly report", 5000);
	ck_assert_msg(strstr(s, "local/INBOX") != NULL &&
	    strstr(s, "work/INBOX") != NULL && strstr(s, "local/Archive") !=
	    NULL, "sidebar:\n%s", s);
	free(s);
	test_tmux_keys(&t, "c");
	free(test_tmux_wait(&t, "Open folder:", 3000));
	test_tmux_type(&t, "work/IN");
	test_tmux_keys(&t, "Tab Enter");
	s = test_tmux_wait(&t, "Budget 2025", 3000);
	ck_assert_ptr_nonnull(strstr(s, "-- facteur: work/INBOX [1 messages"));
	ck_assert_ptr_null(strstr(s, "Quarterly report"));
	free(s);
	test_tmux_keys(&t, "q");
	free(test_tmux_wait(&t, "FACTEUR-EXIT=0", 5000));
	test_tmux_stop(&t);
	free(root2);
}
END_TEST

/* With no configuration: ~/Maildir read-only, and how to add an
 * account. */
START_TEST(ui_no_config)
{
	struct test_tmux	 t;
	struct store_err	 err;
	char			*s, *md, *path;

	md = xasprintf("%s/Maildir", home);
	ck_assert_int_eq(mkdir(md, 0700), 0);
	ck_assert_int_eq(mkdir(path_in(md, "cur"), 0700), 0);
	ck_assert_int_eq(mkdir(path_in(md, "new"), 0700), 0);
	ck_assert_int_eq(mkdir(path_in(md, "tmp"), 0700), 0);
	(void)err;
	path = xasprintf("%s/cur/1709373600.2.host:2,", md);
	write_text(path, msg_report);
	free(path);
	test_tmux_start(&t, 100, 30, home, "");
	s = test_tmux_wait(&t, "Quarterly report", 5000);
	ck_assert_ptr_nonnull(strstr(s, "(read-only)"));
	ck_assert_ptr_nonnull(strstr(s, "No account configured"));
	free(s);
	test_tmux_keys(&t, "d");
	free(test_tmux_wait(&t, "This folder is read-only", 3000));
	test_tmux_keys(&t, "q");
	free(test_tmux_wait(&t, "FACTEUR-EXIT=0", 5000));
	test_tmux_stop(&t);
	/* Nothing changed on disk. */
	path = xasprintf("%s/cur/1709373600.2.host:2,", md);
	ck_assert_int_eq(access(path, F_OK), 0);
	free(path);
	free(md);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Against the test Dovecot                                            */

struct done {
	bool			 done;
	enum imap_status	 status;
	size_t			 hits;
};

static void
on_done(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct done	*d = arg;

	(void)c;
	d->done = true;
	d->status = r != NULL ? r->status : IMAP_ST_BAD;
}

static void
on_search(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct done	*d = arg;

	(void)c;
	if (strcmp(r->name, "SEARCH") == 0)
		d->hits += r->n;
}

static void
srv_run(struct test_imap *s, imap_untagged_fn *u, struct done *d,
    const char *fmt, const char *a1, const char *a2, size_t l2)
{
	memset(d, 0, sizeof(*d));
	ck_assert_int_eq(imap_client_cmd(s->c, u, on_done, d, fmt, a1, a2,
	    l2), 0);
	ck_assert_int_eq(imap_client_wait(s->c, &d->done), 0);
}

static char *
imap_message(const char *subject, size_t i)
{
	return xasprintf("From: Alice <alice@example.test>\r\n"
	    "To: alice@example.test\r\nSubject: %s\r\n"
	    "Message-ID: <ui-%zu-%d@example.test>\r\n"
	    "Date: Fri, 01 Mar 2024 09:30:00 +0000\r\n\r\n"
	    "Body of %s.\r\n", subject, i, (int)getpid(), subject);
}

/* n messages "PREFIX k" appended to mbox, pipelined. */
static void
srv_append_many(struct test_imap *s, const char *mbox, const char *prefix,
    size_t n)
{
	struct done	*d = xcalloc(n, sizeof(*d));
	char		 subj[128], *m;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if (n == 1)
			(void)snprintf(subj, sizeof(subj), "%s", prefix);
		else
			(void)snprintf(subj, sizeof(subj), "%s %zu", prefix, i);
		m = imap_message(subj, i);
		ck_assert_int_eq(imap_client_cmd(s->c, NULL, on_done, &d[i],
		    "APPEND %m () %L", mbox, m, strlen(m)), 0);
		free(m);
	}
	ck_assert_int_eq(imap_client_wait(s->c, &d[n - 1].done), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(d[i].status, IMAP_ST_OK);
	free(d);
}

static size_t
srv_count(struct test_imap *s, const char *mbox, const char *subject)
{
	struct done	d;

	srv_run(s, NULL, &d, "SELECT %m", mbox, "", 0);
	srv_run(s, on_search, &d, "UID SEARCH SUBJECT %a", subject, "", 0);
	ck_assert_int_eq(d.status, IMAP_ST_OK);
	return d.hits;
}

/* How many messages of mbox with this subject carry \Flagged. */
static size_t
srv_count_flagged(struct test_imap *s, const char *mbox, const char *subject)
{
	struct done	d;

	srv_run(s, NULL, &d, "SELECT %m", mbox, "", 0);
	srv_run(s, on_search, &d, "UID SEARCH FLAGGED SUBJECT %a", subject,
	    "", 0);
	ck_assert_int_eq(d.status, IMAP_ST_OK);
	return d.hits;
}

static void
imap_account_with(const char *extra)
{
	char	*cfg = xasprintf("%s/config", home);
	char	*text;

	text = xasprintf("[general]\nmail-root = %s/mail\n\n"
	    "[account alice]\naddress = Alice <%s>\n"
	    "incoming = imaps://alice%%40example.test@%s:%s\n"
	    "password = %s\ntls-ca-file = %s\n%s", home,
	    test_env("MAILTEST_USER1"), test_env("MAILTEST_TLS_SERVERNAME"),
	    test_env("MAILTEST_IMAPS_PORT"), test_env("MAILTEST_PASS1"),
	    test_env("MAILTEST_CA_FILE"), extra);
	write_text(cfg, text);
	ck_assert_int_eq(chmod(cfg, 0600), 0);
	free(text);
	free(cfg);
}

static void
imap_account(void)
{
	imap_account_with("");
}

static void
srv_open(struct test_imap *s)
{
	test_imap_open(s, IMAP_TLS_IMPLICIT, IMAP_AUTH_AUTO,
	    test_env("MAILTEST_USER1"), test_env("MAILTEST_PASS1"), NULL);
	ck_assert_msg(s->ok, "%s", s->err);
}

/* The file of the local folder whose name holds needle; its bytes. */
static char *
local_file_try(const char *folder, const char *needle, size_t *len)
{
	static const char *const sub[] = { "cur", "new" };
	char	*cmd, line[1024], *data = NULL;
	FILE	*p;
	size_t	 i;

	for (i = 0; i < 2 && data == NULL; i++) {
		cmd = xasprintf("grep -l -r '%s' %s/mail/alice/%s/%s "
		    "2>/dev/null", needle,
		    home, folder, sub[i]);
		p = popen(cmd, "r");
		ck_assert_ptr_nonnull(p);
		if (fgets(line, sizeof(line), p) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			data = test_slurp(line, len);
		}
		(void)pclose(p);
		free(cmd);
	}
	return data;
}

static char *
local_file(const char *folder, const char *needle, size_t *len)
{
	char	*data = local_file_try(folder, needle, len);

	ck_assert_msg(data != NULL, "no file holds %s", needle);
	return data;
}

/* Wait until the background sync brought a message holding needle. */
static void
wait_local(const char *folder, const char *needle, int ms)
{
	int64_t	 end = time_mono_ms() + ms;
	char	*data;
	size_t	 len;

	while ((data = local_file_try(folder, needle, &len)) == NULL) {
		ck_assert_msg(time_mono_ms() < end, "%s never arrived in %s",
		    needle, folder);
		(void)usleep(50000);
	}
	free(data);
}

/* Only this test's messages in the index ("subject:ui-"). */
static void
limit_to_ours(struct test_tmux *t)
{
	/* The folder is open once the engine said it synced it. */
	free(test_tmux_wait(t, "-- facteur: alice/INBOX [", 20000));
	test_tmux_keys(t, "l");
	free(test_tmux_wait(t, "Limit to", 3000));
	test_tmux_type(t, "subject:ui-");
	test_tmux_keys(t, "Enter");
	free(test_tmux_wait(t, "(limit: subject:ui-", 3000));
}



/* Mail delivered while the interface is open shows up by itself (IDLE);
 * a message deleted in the interface is gone from the server after $. */
START_TEST(ui_imap_idle_and_delete)
{
	struct test_tmux	 t;
	struct test_imap	 s;
	struct done		 d;
	char			 subj[64], *scr;
	int			 k;

	srv_open(&s);
	(void)snprintf(subj, sizeof(subj), "ui-delete-me-%d", (int)getpid());
	srv_append_many(&s, "INBOX", subj, 1);
	imap_account();
	test_tmux_start(&t, 120, 30, home, "");
	wait_local("INBOX", subj, 20000);
	limit_to_ours(&t);
	free(test_tmux_wait(&t, subj, 5000));
	/* Mail that comes while the engine starts watching is not missed
	 * either (its UIDNEXT is compared with the last sync's). */
	ck_assert(test_tmux_gone(&t, "-- alice:", 15000));
	srv_append_many(&s, "INBOX", "ui-arrives-by-itself", 1);
	free(test_tmux_wait(&t, "ui-arrives-by-itself", 10000));

	/* Select it by search; a flag set here reaches the server by
	 * itself, a few seconds later. */
	test_tmux_keys(&t, "/");
	free(test_tmux_wait(&t, "Search for:", 3000));
	test_tmux_type(&t, subj);
	test_tmux_keys(&t, "Enter F");
	for (k = 0; k < 150 && srv_count_flagged(&s, "INBOX", subj) == 0; k++)
		(void)usleep(100000);
	ck_assert_msg(srv_count_flagged(&s, "INBOX", subj) == 1,
	    "the flag never reached the server");
	/* Delete, then sync. */
	test_tmux_keys(&t, "d");
	free(test_tmux_wait(&t, "1 deleted", 3000));
	test_tmux_keys(&t, "$");
	for (k = 0; k < 100 && srv_count(&s, "INBOX", subj) > 0; k++)
		(void)usleep(100000);
	ck_assert_msg(srv_count(&s, "INBOX", subj) == 0,
	    "still in the server's INBOX after the sync");
	scr = test_tmux_screen(&t);
	ck_assert_msg(strstr(scr, subj) == NULL, "still listed:\n%s", scr);
	free(scr);
	test_tmux_keys(&t, "q");
	free(test_tmux_wait(&t, "FACTEUR-EXIT=0", 10000));
	test_tmux_stop(&t);
	srv_run(&s, NULL, &d, "SELECT INBOX", "", "", 0);
	test_imap_close(&s);
}
END_TEST

/* While the first sync of 3,000 messages runs, a key is answered: the
 * time from sending "?" to the help on screen is printed. */
START_TEST(ui_keys_during_sync)
{
	struct test_tmux	 t;
	struct test_imap	 s;
	struct done		 d;
	int64_t			 t0, dt;
	char			*scr;

	srv_open(&s);
	srv_run(&s, NULL, &d, "CREATE UIBulk", "", "", 0);
	srv_append_many(&s, "UIBulk", "bulk", 3000);
	imap_account();
	test_tmux_start(&t, 120, 30, home, "");
	free(test_tmux_wait(&t, "UIBulk ", 20000));
	t0 = time_mono_ms();
	test_tmux_keys(&t, "?");
	scr = test_tmux_wait(&t, "Keys of the index", 5000);
	dt = time_mono_ms() - t0;
	fprintf(stderr, "ui_keys_during_sync: a key was drawn %lld ms after "
	    "it was sent, during the sync\n", (long long)dt);
	ck_assert_msg(strstr(scr, "Keys of the index") != NULL, "%s", scr);
	ck_assert_msg(dt < 1000, "the key took %lld ms", (long long)dt);
	free(scr);
	test_tmux_keys(&t, "q q");
	free(test_tmux_wait(&t, "FACTEUR-EXIT=0", 10000));
	test_tmux_stop(&t);
	srv_run(&s, NULL, &d, "DELETE UIBulk", "", "", 0);
	test_imap_close(&s);
}
END_TEST

/* Over max-size, only the headers come down; opening the message
 * fetches the rest in the background and the pager shows it. */
START_TEST(ui_fetch_rest_on_open)
{
	struct test_tmux	 t;
	struct test_imap	 s;
	struct done		 d;
	char			 subj[64], *m, *data, *scr;
	size_t			 len, i;
	struct buf		 big;

	(void)snprintf(subj, sizeof(subj), "ui-big-%d", (int)getpid());
	buf_init(&big, 1 << 22);
	ck_assert_int_eq(buf_printf(&big, "From: Alice <alice@example.test>\r\n"
	    "To: alice@example.test\r\nSubject: %s\r\n"
	    "Message-ID: <%s@example.test>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
	    "--b\r\nContent-Type: text/plain\r\n\r\nThe big one.\r\n"
	    "--b\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Disposition: attachment; filename=data.bin\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", subj, subj), 0);
	for (i = 0; i < 4000; i++)
		ck_assert_int_eq(buf_append_str(&big, "QUJDREVGR0hJSktMTU5PUF"
		    "FSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\r\n"), 0);
	ck_assert_int_eq(buf_append_str(&big, "--b--\r\n"), 0);
	srv_open(&s);
	m = buf_take(&big);
	srv_run(&s, NULL, &d, "APPEND %m () %L", "INBOX", m, strlen(m));
	ck_assert_int_eq(d.status, IMAP_ST_OK);
	free(m);
	imap_account_with("max-size = 100K\n");
	test_tmux_start(&t, 120, 30, home, "");
	wait_local("INBOX", subj, 20000);
	limit_to_ours(&t);
	free(test_tmux_wait(&t, subj, 5000));
	/* Only the headers on disk. */
	data = local_file("INBOX", subj, &len);
	ck_assert_msg(store_is_partial(data, len, NULL) && len < 4096,
	    "%zu bytes: %.200s", len, data);
	free(data);
	test_tmux_keys(&t, "/");
	free(test_tmux_wait(&t, "Search for:", 3000));
	test_tmux_type(&t, subj);
	test_tmux_keys(&t, "Enter Enter");
	scr = test_tmux_wait(&t, "data.bin", 15000);
	ck_assert_msg(strstr(scr, "The big one.") != NULL &&
	    strstr(scr, "The whole message is here.") != NULL, "%s", scr);
	free(scr);
	data = local_file("INBOX", subj, &len);
	ck_assert_msg(!store_is_partial(data, len, NULL) && len > 200000,
	    "%zu bytes", len);
	free(data);
	test_tmux_keys(&t, "q q");
	free(test_tmux_wait(&t, "FACTEUR-EXIT=0", 10000));
	test_tmux_stop(&t);
	test_imap_close(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Writing mail                                                        */

/* alice with an outgoing server (port: the submission port given, or
 * SMTPS), and an editor script: it replaces the draft with
 * home/edit-replace when that exists (and removes it), else puts
 * home/edit-insert after the header block. */
static void
writer_account(const char *smtp_port)
{
	char	*ed = xasprintf("%s/ed.sh", home), *extra;

	write_text(ed, "#!/bin/sh\nf=\"$1\"\n"
	    "if [ -f \"$HOME/edit-replace\" ]; then\n"
	    "  cat \"$HOME/edit-replace\" > \"$f\"; rm -f \"$HOME/edit-replace\"\n"
	    "  exit 0\nfi\n"
	    "awk -v ins=\"$HOME/edit-insert\" 'BEGIN { h = 1 }\n"
	    "  h && /^$/ { print; while ((getline l < ins) > 0) print l;"
	    " h = 0; next }\n  { print }' \"$f\" > \"$f.new\" &&"
	    " mv \"$f.new\" \"$f\"\n");
	ck_assert_int_eq(chmod(ed, 0700), 0);
	extra = xasprintf("outgoing = smtps://alice%%40example.test@%s:%s\n",
	    test_env("MAILTEST_TLS_SERVERNAME"), smtp_port != NULL ?
	    smtp_port : test_env("MAILTEST_SMTPS_PORT"));
	imap_account_with(extra);
	free(extra);
	/* editor in [general]: the file is appended to. */
	{
		char	*cfg = xasprintf("%s/config", home);
		size_t	 len;
		char	*old = test_slurp(cfg, &len), *text;

		text = xasprintf("[general]\neditor = %s\n%s", ed,
		    old + strlen("[general]\n"));
		write_text(cfg, text);
		free(text);
		free(old);
		free(cfg);
	}
	free(ed);
}

static void
edit_input(const char *which, const char *text)
{
	char	*p = xasprintf("%s/%s", home, which);

	write_text(p, text);
	free(p);
}

/* The command's end first: on_done() takes it as a struct done. */
struct fetched {
	struct done	d;
	uint64_t	uid;
	struct buf	body;
};

static void
on_uid(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct fetched	*f = arg;
	uint64_t	 v;

	(void)c;
	if (strcmp(r->name, "SEARCH") == 0 && r->n > 0 &&
	    imap_item_number(&r->items[r->n - 1], UINT32_MAX, &v))
		f->uid = v;
}

static void
on_body(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct fetched		*f = arg;
	const struct imap_item	*l;
	size_t			 i;

	(void)c;
	if (strcmp(r->name, "FETCH") != 0 || r->n != 1 ||
	    r->items[0].type != IMAP_LIST)
		return;
	l = &r->items[0];
	for (i = 0; i + 1 < l->n; i += 2)
		if (imap_item_is(&l->items[i], "BODY[]") &&
		    l->items[i + 1].type == IMAP_STRING)
			ck_assert_int_eq(buf_append(&f->body, l->items[i + 1].s,
			    l->items[i + 1].len), 0);
}

/* The newest message of bob's INBOX with this subject (waited for);
 * how many there are in *count. Owned. */
static char *
bob_message(const char *subject, size_t *count)
{
	struct test_imap	s;
	struct fetched		f;
	char			uid[24];
	int			k;

	test_imap_open(&s, IMAP_TLS_IMPLICIT, IMAP_AUTH_AUTO,
	    test_env("MAILTEST_USER2"), test_env("MAILTEST_PASS2"), NULL);
	ck_assert_msg(s.ok, "%s", s.err);
	for (k = 0; k < 150; k++) {
		*count = srv_count(&s, "INBOX", subject);
		if (*count > 0)
			break;
		(void)usleep(100000);
	}
	ck_assert_msg(*count > 0, "%s never reached bob", subject);
	memset(&f, 0, sizeof(f));
	buf_init(&f.body, 1 << 24);
	ck_assert_int_eq(imap_client_cmd(s.c, on_uid, on_done, &f,
	    "UID SEARCH SUBJECT %a", subject), 0);
	ck_assert_int_eq(imap_client_wait(s.c, &f.d.done), 0);
	(void)snprintf(uid, sizeof(uid), "%llu", (unsigned long long)f.uid);
	memset(&f.d, 0, sizeof(f.d));
	ck_assert_int_eq(imap_client_cmd(s.c, on_body, on_done, &f,
	    "UID FETCH %s (BODY.PEEK[])", uid), 0);
	ck_assert_int_eq(imap_client_wait(s.c, &f.d.done), 0);
	test_imap_close(&s);
	return buf_take(&f.body);
}

static size_t
occurrences(const char *hay, const char *needle)
{
	size_t		n = 0;
	const char	*p;

	for (p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* r: the reply reaches bob with In-Reply-To, References, the quoted
 * text and a single "Re:"; the original is marked replied. */
START_TEST(ui_reply)
{
	struct test_tmux	 t;
	struct test_imap	 s;
	struct done		 d;
	char			 subj[64], *m, *orig, *msg, *l;
	size_t			 n;

	(void)snprintf(subj, sizeof(subj), "ui-plans-%d", (int)getpid());
	srv_open(&s);
	orig = xasprintf("From: Bob <bob@example.test>\r\n"
	    "To: Alice <alice@example.test>\r\nSubject: Re: %s\r\n"
	    "Message-ID: <orig-%s@example.test>\r\n"
	    "References: <older-%s@example.test>\r\n"
	    "Date: Fri, 01 Mar 2024 09:30:00 +0000\r\n\r\n"
	    "Shall we meet on Friday?\r\n", subj, subj, subj);
	srv_run(&s, NULL, &d, "APPEND %m () %L", "INBOX", orig, strlen(orig));
	free(orig);
	writer_account(NULL);
	edit_input("edit-insert", "Friday suits me.\n");
	test_tmux_start(&t, 120, 30, home, "");
	wait_local("INBOX", subj, 20000);
	limit_to_ours(&t);
	test_tmux_keys(&t, "/");
	free(test_tmux_wait(&t, "Search for:", 3000));
	test_tmux_type(&t, subj);
	test_tmux_keys(&t, "Enter r");
	m = test_tmux_wait(&t, "compose: y send", 10000);
	l = test_screen_line(m, "Subject:");
	ck_assert_msg(l != NULL && occurrences(l, "Re:") == 1, "%s", m);
	free(l);
	ck_assert_ptr_nonnull(strstr(m, "To: Bob <bob@example.test>"));
	free(m);
	test_tmux_keys(&t, "y");
	free(test_tmux_wait(&t, "1 sent", 15000));
	msg = bob_message(subj, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_msg(strstr(msg, "\nIn-Reply-To: <orig-") != NULL &&
	    strstr(msg, "References: <older-") != NULL &&
	    strstr(msg, "> Shall we meet on Friday?") != NULL &&
	    strstr(msg, "Friday suits me.") != NULL, "%s", msg);
	l = test_screen_line(msg, "Subject:");
	ck_assert_msg(l != NULL && occurrences(l, "Re:") == 1, "%s", l);
	free(l);
	free(msg);
	/* The original: r in the index. */
	m = test_tmux_wait(&t, subj, 3000);
	l = test_screen_line(m, subj);
	ck_assert_msg(l != NULL && (strstr(l, " r ") != NULL ||
	    strstr(l, " Nr ") != NULL), "%s", l);
	free(l);
	free(m);
	test_tmux_keys(&t, "q");
	free(test_tmux_wait(&t, "FACTEUR-EXIT=0", 10000));
	test_tmux_stop(&t);
	test_imap_close(&s);
}
END_TEST

/* m, two attachments with one pattern, y: the MIME that arrives; a
 * text that speaks of an attachment warns when none is attached. */
START_TEST(ui_compose_attachments)
{
	struct test_tmux	 t;
	char			 subj[64], *text, *msg, *p;
	size_t			 n;

	(void)snprintf(subj, sizeof(subj), "ui-files-%d", (int)getpid());
	writer_account(NULL);
	p = xasprintf("%s/notes-1.txt", home);
	write_text(p, "first file\n");
	free(p);
	p = xasprintf("%s/notes-2.txt", home);
	write_text(p, "second file\n");
	free(p);
	text = xasprintf("To: bob@example.test\nSubject: %s\n\n"
	    "The notes are attached.\n", subj);
	edit_input("edit-replace", text);
	free(text);
	test_tmux_start(&t, 120, 30, home, "");
	free(test_tmux_wait(&t, "-- facteur: alice/", 15000));
	test_tmux_keys(&t, "m");
	free(test_tmux_wait(&t, "compose: y send", 10000));
	/* Forgotten: the warning, and n keeps the message here. */
	test_tmux_keys(&t, "y");
	free(test_tmux_wait(&t, "speaks of an attachment", 3000));
	test_tmux_keys(&t, "n");
	free(test_tmux_wait(&t, "compose: y send", 3000));
	test_tmux_keys(&t, "a");
	free(test_tmux_wait(&t, "Attach files:", 3000));
	p = xasprintf("%s/notes-*.txt", home);
	test_tmux_type(&t, p);
	free(p);
	test_tmux_keys(&t, "Enter");
	free(test_tmux_wait(&t, "notes-2.txt", 3000));
	test_tmux_keys(&t, "y");
	free(test_tmux_wait(&t, "1 sent", 15000));
	msg = bob_message(subj, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_msg(strstr(msg, "multipart/mixed") != NULL &&
	    strstr(msg, "filename=\"notes-1.txt\"") != NULL &&
	    strstr(msg, "filename=\"notes-2.txt\"") != NULL &&
	    strstr(msg, "The notes are attached.") != NULL, "%s", msg);
	free(msg);
	test_tmux_keys(&t, "q");
	free(test_tmux_wait(&t, "FACTEUR-EXIT=0", 10000));
	test_tmux_stop(&t);
}
END_TEST

/* Outbox of alice's store: how many messages wait in new/. */
static size_t
outbox_waiting(void)
{
	char	*cmd = xasprintf("ls %s/mail/alice/Outbox/new 2>/dev/null | "
		    "wc -l", home);
	FILE	*p = popen(cmd, "r");
	size_t	 n = 0;

	ck_assert_ptr_nonnull(p);
	if (fscanf(p, "%zu", &n) != 1)
		n = 0;
	(void)pclose(p);
	free(cmd);
	return n;
}

/* P postpones to Drafts; m on it there takes it up again; q aborts and
 * nothing is sent; an unreachable server leaves the message queued and
 * a later sync sends it exactly once. */
START_TEST(ui_postpone_abort_outbox)
{
	struct test_tmux	 t;
	char			 subj[64], *text, *msg, *cfg, *c2, *envcfg;
	const char		*args[] = { "sync", NULL }, *env[2];
	struct test_run		 r;
	size_t			 n, len;

	(void)snprintf(subj, sizeof(subj), "ui-later-%d", (int)getpid());
	/* A port nobody listens on: the outgoing server is down. */
	writer_account("1");
	text = xasprintf("To: bob@example.test\nSubject: %s\n\nLater.\n",
	    subj);
	edit_input("edit-replace", text);
	test_tmux_start(&t, 120, 30, home, "");
	free(test_tmux_wait(&t, "-- facteur: alice/", 15000));
	test_tmux_keys(&t, "m");
	free(test_tmux_wait(&t, "compose: y send", 10000));
	test_tmux_keys(&t, "P");
	free(test_tmux_wait(&t, "Postponed to Drafts", 5000));
	/* Resumed from Drafts. */
	test_tmux_keys(&t, "c");
	free(test_tmux_wait(&t, "Open folder:", 3000));
	test_tmux_type(&t, "Drafts");
	test_tmux_keys(&t, "Enter");
	free(test_tmux_wait(&t, subj, 5000));
	test_tmux_keys(&t, "m");
	msg = test_tmux_wait(&t, "compose: y send", 10000);
	ck_assert_msg(strstr(msg, "To: bob@example.test") != NULL &&
	    strstr(msg, subj) != NULL, "%s", msg);
	free(msg);
	test_tmux_keys(&t, "y");
	free(test_tmux_wait(&t, "left in the outbox", 15000));
	ck_assert_uint_eq(outbox_waiting(), 1);
	/* Abort: nothing more in the outbox. */
	edit_input("edit-replace", text);
	test_tmux_keys(&t, "m");
	free(test_tmux_wait(&t, "compose: y send", 10000));
	test_tmux_keys(&t, "q");
	free(test_tmux_wait(&t, "Abort this message?", 3000));
	test_tmux_keys(&t, "y");
	free(test_tmux_wait(&t, "Message aborted", 3000));
	ck_assert_uint_eq(outbox_waiting(), 1);
	test_tmux_keys(&t, "q");
	free(test_tmux_wait(&t, "FACTEUR-EXIT=0", 10000));
	test_tmux_stop(&t);
	free(text);
	/* The server is back: a sync sends it once. */
	cfg = xasprintf("%s/config", home);
	msg = test_slurp(cfg, &len);
	ck_assert_ptr_nonnull(strstr(msg, ":1\n"));
	c2 = xasprintf("%.*s:%s\n%s", (int)(strstr(msg, ":1\n") - msg), msg,
	    test_env("MAILTEST_SMTPS_PORT"), strstr(msg, ":1\n") + 3);
	write_text(cfg, c2);
	free(c2);
	free(msg);
	free(cfg);
	env[0] = envcfg = xasprintf("FACTEUR_CONFIG=%s/config", home);
	env[1] = NULL;
	r = test_run_facteur(home, args, env, NULL);
	ck_assert_msg(strstr(r.out, "1 sent") != NULL, "%s%s", r.out, r.err);
	test_run_free(&r);
	ck_assert_uint_eq(outbox_waiting(), 0);
	msg = bob_message(subj, &n);
	ck_assert_uint_eq(n, 1);
	free(msg);
	r = test_run_facteur(home, args, env, NULL);
	test_run_free(&r);
	free(bob_message(subj, &n));
	ck_assert_uint_eq(n, 1);
	free(envcfg);
}
END_TEST

/* facteur setup finds the servers (on localhost: its ports given by
 * FACTEUR_SETUP_PORTS), writes a private commented file that
 * config-check accepts, and the account it describes syncs. */
START_TEST(setup_finds_servers)
{
	const char	*args[] = { "setup", "-F", NULL, NULL };
	const char	*sync_args[] = { "sync", "-F", NULL, NULL };
	const char	*env[3];
	struct test_run	 r;
	struct stat	 st;
	char		*cfg, *in, *answers, *ports, *ca, *text, *inbox;
	size_t		 len;

	cfg = xasprintf("%s/conf", home);
	in = xasprintf("%s/answers", home);
	args[2] = sync_args[2] = cfg;
	answers = xasprintf("alice@localhost\nAlice Liddell\n%s\n\n\n\n"
	    "\n%s\n", test_env("MAILTEST_USER1"), test_env("MAILTEST_PASS1"));
	write_text(in, answers);
	ports = xasprintf("FACTEUR_SETUP_PORTS=imaps:%s,pop3s:%s,smtps:%s,"
	    "submission:%s", test_env("MAILTEST_IMAPS_PORT"),
	    test_env("MAILTEST_POP3S_PORT"), test_env("MAILTEST_SMTPS_PORT"),
	    test_env("MAILTEST_SUBMISSION_PORT"));
	/* The throwaway CA stands for the system store. */
	ca = xasprintf("SSL_CERT_FILE=%s", test_env("MAILTEST_CA_FILE"));
	env[0] = ports;
	env[1] = ca;
	env[2] = NULL;
	r = test_run_facteur_in(home, args, env, in, NULL);
	ck_assert_msg(r.status == 0, "%d\n%s%s", r.status, r.out, r.err);
	ck_assert_msg(strstr(r.out, "IMAP over TLS    found") != NULL &&
	    strstr(r.out, "OK, 1 account") != NULL, "%s", r.out);
	test_run_free(&r);
	ck_assert_int_eq(stat(cfg, &st), 0);
	ck_assert_int_eq(st.st_mode & 077, 0);
	text = test_slurp(cfg, &len);
	ck_assert_msg(strstr(text, "incoming = imaps://alice%40example.test@"
	    "localhost:") != NULL && strstr(text, "outgoing = smtps://") !=
	    NULL && strstr(text, "address = Alice Liddell <alice@localhost>")
	    != NULL && strstr(text, "# ") != NULL, "%s", text);
	free(text);
	r = test_run_facteur(home, sync_args, env, NULL);
	ck_assert_msg(r.status == 0, "%d\n%s%s", r.status, r.out, r.err);
	test_run_free(&r);
	inbox = xasprintf("%s/Mail/localhost/INBOX/cur", home);
	ck_assert_int_eq(access(inbox, F_OK), 0);
	free(inbox);
	free(cfg);
	free(in);
	free(answers);
	free(ports);
	free(ca);
}
END_TEST

/* make demo: its own servers, the demo account's 40 messages in the
 * index; quitting stops the servers and removes everything. */
START_TEST(ui_make_demo)
{
	struct test_tmux	 t;
	char			*s;

	/* A second server instance: the ports of this one are not its. */
	test_tmux_start_cmd(&t, 120, 30, home, "env -u MAILTEST_IMAP_PORT "
	    "-u MAILTEST_IMAPS_PORT -u MAILTEST_POP3_PORT -u "
	    "MAILTEST_POP3S_PORT -u MAILTEST_SUBMISSION_PORT -u "
	    "MAILTEST_SMTPS_PORT DEMO_KEEP= sh scripts/demo");
	s = test_tmux_wait(&t, "-- facteur: demo/INBOX [40 messages", 90000);
	ck_assert_ptr_nonnull(strstr(s, "Bob Martin"));
	free(s);
	test_tmux_keys(&t, "q");
	free(test_tmux_wait(&t, "FACTEUR-EXIT=0", 60000));
	test_tmux_stop(&t);
}
END_TEST

Suite *
servers_ui_suite(void)
{
	Suite	*s = suite_create("servers: ui");
	TCase	*tc = tcase_create("tmux");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, ui_index_pager_search);
	tcase_add_test(tc, ui_flags_and_limit);
	tcase_add_test(tc, ui_escape_sequences);
	tcase_add_test(tc, ui_resize);
	tcase_add_test(tc, ui_sigterm_restores);
	tcase_add_test(tc, ui_two_accounts);
	tcase_add_test(tc, ui_no_config);
	tcase_add_test(tc, ui_imap_idle_and_delete);
	tcase_add_test(tc, ui_keys_during_sync);
	tcase_add_test(tc, ui_fetch_rest_on_open);
	tcase_add_test(tc, ui_reply);
	tcase_add_test(tc, ui_compose_attachments);
	tcase_add_test(tc, ui_postpone_abort_outbox);
	tcase_add_test(tc, ui_make_demo);
	tcase_add_test(tc, setup_finds_servers);
	suite_add_tcase(s, tc);
	return s;
}
