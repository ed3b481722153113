/*
 * check_servers_sync.c: facteur sync (the binary) against the real
 * Dovecot of tests/servers/, as bob (alice belongs to the other suites):
 * a first sync of a populated account, then a change on each side at a
 * time (flags, deletions, a message written locally, a new folder on the
 * server), each checked on both sides: the files of the local store and
 * what the server answers.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "imap.h"
#include "store.h"
#include "sync.h"
#include "tests.h"

static char	home[256];
static char	root[400];	/* the account's store */

/* ---- the server's side, through facteur's own client ---- */

/* Bob logged in over IMAPS. */
static void
srv_open(struct test_imap *s)
{
	test_imap_open(s, IMAP_TLS_IMPLICIT, IMAP_AUTH_AUTO,
	    test_env("MAILTEST_USER2"), test_env("MAILTEST_PASS2"), NULL);
	ck_assert_msg(s->ok, "%s", s->err);
}

struct answer {
	bool		 done;
	enum imap_status status;
	char		 text[256];	/* the server's words */
	struct buf	 log;	/* untagged responses, flattened a little */
};

static void
ans_untagged(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct answer	*a = arg;
	const struct imap_item *l;
	size_t		 i;

	(void)c;
	if (strcmp(r->name, "FETCH") == 0 && r->n == 1) {
		l = &r->items[0];
		for (i = 0; i + 1 < l->n; i += 2) {
			if (imap_item_is(&l->items[i], "UID"))
				ck_assert_int_eq(buf_printf(&a->log, "uid=%.*s ",
				    (int)l->items[i + 1].len,
				    l->items[i + 1].s), 0);
			if (imap_item_is(&l->items[i], "FLAGS")) {
				size_t	k;

				for (k = 0; k < l->items[i + 1].n; k++)
					ck_assert_int_eq(buf_printf(&a->log,
					    "%.*s ",
					    (int)l->items[i + 1].items[k].len,
					    l->items[i + 1].items[k].s), 0);
			}
		}
		ck_assert_int_eq(buf_append_str(&a->log, ";"), 0);
	}
	if (strcmp(r->name, "SEARCH") == 0) {
		/* A UID set: "4,9". */
		for (i = 0; i < r->n; i++)
			ck_assert_int_eq(buf_printf(&a->log, "%s%.*s",
			    a->log.len > 0 ? "," : "", (int)r->items[i].len,
			    r->items[i].s), 0);
	}
}

static void
ans_done(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct answer	*a = arg;

	(void)c;
	a->done = true;
	a->status = r != NULL ? r->status : IMAP_ST_BAD;
	if (r != NULL)
		(void)snprintf(a->text, sizeof(a->text), "%s%s%s %.*s",
		    r->has_code ? "[" : "", r->code, r->has_code ? "]" : "",
		    (int)r->text_len, r->text);
}

/* Run a command on the server; its untagged FETCH/SEARCH, flattened. */
static char *
srv_cmd(struct test_imap *s, const char *fmt, const char *arg1,
    const char *arg2, size_t len2)
{
	struct answer	a;

	memset(&a, 0, sizeof(a));
	buf_init(&a.log, 1 << 20);
	ck_assert_int_eq(imap_client_cmd(s->c, ans_untagged, ans_done, &a,
	    fmt, arg1, arg2, len2), 0);
	(void)imap_client_wait(s->c, &a.done);
	ck_assert_msg(a.status == IMAP_ST_OK, "%s failed: %s%s", fmt, a.text,
	    imap_client_error(s->c));
	return buf_take(&a.log);
}

/* A command whose failure does not matter (cleaning up). */
static void
srv_try(struct test_imap *s, const char *fmt, const char *arg1)
{
	struct answer	a;

	memset(&a, 0, sizeof(a));
	buf_init(&a.log, 1 << 20);
	ck_assert_int_eq(imap_client_cmd(s->c, ans_untagged, ans_done, &a,
	    fmt, arg1), 0);
	ck_assert_int_eq(imap_client_wait(s->c, &a.done), 0);
	buf_free(&a.log);
}

static void
srv_do(struct test_imap *s, const char *fmt, const char *arg1)
{
	free(srv_cmd(s, fmt, arg1, "", 0));
}

static char *
message(const char *subject, const char *id)
{
	return xasprintf("From: Alice <alice@example.test>\r\n"
	    "To: bob@example.test\r\nSubject: %s\r\n"
	    "Message-ID: <%s@example.test>\r\n"
	    "Date: Fri, 01 Mar 2024 09:30:00 +0000\r\n\r\n"
	    "Body of %s.\r\n", subject, id, subject);
}

static void
srv_append(struct test_imap *s, const char *mbox, const char *subject,
    const char *id)
{
	char	*m = message(subject, id);

	free(srv_cmd(s, "APPEND %m () %L", mbox, m, strlen(m)));
	free(m);
}

/* The UIDs (a set, "" when none) of a subject in a server folder. */
static char *
srv_find_subject(struct test_imap *s, const char *mbox, const char *subj)
{
	srv_do(s, "SELECT %m", mbox);
	return srv_cmd(s, "UID SEARCH SUBJECT %a", subj, "", 0);
}

/* The server folder holds exactly one message with this subject. */
static void
srv_once(struct test_imap *s, const char *mbox, const char *subj)
{
	char	*uids = srv_find_subject(s, mbox, subj);

	ck_assert_msg(uids[0] != '\0' && strchr(uids, ',') == NULL,
	    "%s in %s: UIDs \"%s\"", subj, mbox, uids);
	free(uids);
}

/* ---- the local side ---- */

static void
write_config(void)
{
	char	*path = xasprintf("%s/config", home);
	FILE	*fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	(void)fprintf(fp, "[general]\nmail-root = %s/mail\n\n"
	    "[account bob]\naddress = Bob <%s>\n"
	    "incoming = imaps://%s@%s:%s\npassword = %s\n"
	    "tls-ca-file = %s\n", home, test_env("MAILTEST_USER2"),
	    "bob%40example.test", test_env("MAILTEST_TLS_SERVERNAME"),
	    test_env("MAILTEST_IMAPS_PORT"), test_env("MAILTEST_PASS2"),
	    test_env("MAILTEST_CA_FILE"));
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(chmod(path, 0600), 0);
	free(path);
}

/* facteur sync [-v]; its standard output (and error in *trace). */
static char *
run_sync_v(char **trace)
{
	static const char *const args[] = { "sync", NULL };
	static const char *const vargs[] = { "sync", "-v", NULL };
	const char	*env[2];
	char		*cfg = xasprintf("FACTEUR_CONFIG=%s/config", home);
	struct test_run	 r;
	char		*out;

	env[0] = cfg;
	env[1] = NULL;
	r = test_run_facteur(home, trace != NULL ? vargs : args, env, NULL);
	if (r.status != 0 && trace != NULL) {
		/* The trace is long: its errors only. */
		char	*e = r.err, *nl;

		for (; (nl = strchr(e, '\n')) != NULL; e = nl + 1)
			if (strncmp(e, "C: ", 3) != 0 &&
			    strncmp(e, "S: ", 3) != 0)
				fprintf(stderr, "%.*s\n", (int)(nl - e), e);
	}
	ck_assert_msg(r.status == 0, "facteur sync: %d\n%.1000s%.1000s",
	    r.status, r.out, trace != NULL ? "" : r.err);
	out = xstrdup(r.out);
	if (trace != NULL)
		*trace = xstrdup(r.err);
	else if (r.err[0] != '\0')
		fprintf(stderr, "facteur sync said: %s", r.err);
	test_run_free(&r);
	free(cfg);
	return out;
}

static char *
run_sync(void)
{
	return run_sync_v(NULL);
}

/* How many times needle is in hay. */
static int
count(const char *hay, const char *needle)
{
	int	n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

/* The local messages of a folder: "subject|flags" sorted, ";"-joined. */
static char *
local_view(const char *folder)
{
	struct store_open_opts	 o;
	struct store_err	 err;
	struct store_folder	*f;
	char			*path = xasprintf("%s/%s", root, folder);
	char			**v, fl[8], *out;
	struct buf		 b;
	size_t			 i, n;

	memset(&o, 0, sizeof(o));
	o.read_only = true;
	f = store_folder_open(path, &o, &err);
	ck_assert_msg(f != NULL, "%s", err.msg);
	n = store_folder_count(f);
	v = xcalloc(n + 1, sizeof(*v));
	for (i = 0; i < n; i++) {
		const struct store_msg	*m = store_folder_msg(f, i);
		size_t			 k = 0;

		if (m->flags & STORE_FLAGGED)
			fl[k++] = 'F';
		if (m->flags & STORE_SEEN)
			fl[k++] = 'S';
		fl[k] = '\0';
		v[i] = xasprintf("%s|%s", m->subject, fl);
	}
	test_sort_strings(v, n);
	buf_init(&b, 1 << 20);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(buf_printf(&b, "%s;", v[i]), 0);
		free(v[i]);
	}
	free(v);
	store_folder_close(f);
	free(path);
	out = buf_take(&b);
	return out;
}

/* Index of the local message with this subject in folder (open f). */
static size_t
local_find(struct store_folder *f, const char *subject)
{
	size_t	i;

	for (i = 0; i < store_folder_count(f); i++)
		if (strcmp(store_folder_msg(f, i)->subject, subject) == 0)
			return i;
	ck_abort_msg("no local message %s", subject);
	return 0;
}

static struct store_folder *
local_open(const char *folder)
{
	struct store_open_opts	 o;
	struct store_err	 err;
	struct store_folder	*f;
	char			*path = xasprintf("%s/%s", root, folder);

	memset(&o, 0, sizeof(o));
	f = store_folder_open(path, &o, &err);
	ck_assert_msg(f != NULL, "%s", err.msg);
	free(path);
	return f;
}

/* A message written here into folder (a draft, a message moved in). */
static void
local_deliver(const char *folder, const char *subject, const char *id,
    unsigned flags)
{
	struct store_err	 err;
	char			*m = message(subject, id);
	char			*path = xasprintf("%s/%s", root, folder);

	ck_assert_msg(store_deliver(path, m, strlen(m), flags, true, NULL,
	    &err) == 0, "%s", err.msg);
	free(path);
	free(m);
}

static void
setup(void)
{
	(void)fct_strlcpy(home, "/tmp/facteur-sync-XXXXXX", sizeof(home));
	ck_assert_ptr_nonnull(mkdtemp(home));
	(void)snprintf(root, sizeof(root), "%s/mail/bob", home);
	write_config();
}

static void
teardown(void)
{
	test_remove_tree(home);
}

START_TEST(sync_both_ways)
{
	struct test_imap		 s;
	struct store_folder	*f;
	struct store_err	 err;
	char			*out, *v, *m, id[64];
	int			 k;

	/* A populated account: 30 messages in INBOX, 1 in a folder (what
	 * an earlier run on the same servers left goes first). */
	srv_open(&s);
	srv_try(&s, "DELETE %m", "Archives/2024");
	srv_try(&s, "DELETE %m", "Archives");
	srv_try(&s, "DELETE %m", "Projets/Été");
	srv_try(&s, "DELETE %m", "Projets");
	srv_try(&s, "DELETE %m", "Notes/Perso");
	srv_try(&s, "DELETE %m", "Notes");
	srv_do(&s, "SELECT %m", "INBOX");
	out = srv_cmd(&s, "UID SEARCH ALL", "", "", 0);
	if (strlen(out) > 0) {
		/* Left by an earlier run on the same servers. */
		srv_do(&s, "UID STORE 1:* +FLAGS.SILENT (\\Deleted)", "");
		srv_do(&s, "EXPUNGE", "");
	}
	free(out);
	for (k = 0; k < 30; k++) {
		char	subj[32];

		(void)snprintf(subj, sizeof(subj), "m%02d", k);
		(void)snprintf(id, sizeof(id), "sync-%d", k);
		srv_append(&s, "INBOX", subj, id);
	}
	srv_do(&s, "CREATE %m", "Archives/2024");
	srv_append(&s, "Archives/2024", "old-1", "a1");

	/* First sync: everything comes down, unseen, in new/. */
	out = run_sync();
	ck_assert_ptr_nonnull(strstr(out, "bob/INBOX: 30 new, 0 sent"));
	ck_assert_ptr_nonnull(strstr(out, "bob/Archives/2024: 1 new"));
	free(out);
	v = local_view("INBOX");
	ck_assert_ptr_nonnull(strstr(v, "m00|;m01|;"));
	ck_assert_ptr_nonnull(strstr(v, "m29|;"));
	free(v);
	/* An unchanged account syncs to nothing, in one round trip for
	 * the account (the STATUS of each recorded folder, INBOX first,
	 * pipelined before the LIST, say nothing changed: no SELECT), and
	 * the trace never shows the password. */
	out = run_sync_v(&m);
	ck_assert_ptr_nonnull(strstr(out, "bob/INBOX: 0 new, 0 sent, 0 flag "
	    "changes down, 0 up, 0 deleted here, 0 there"));
	if (getenv("SYNC_TRACE") != NULL)
		fprintf(stderr, "%s", m);
	ck_assert(strstr(m, " STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY "
	    "HIGHESTMODSEQ)") != NULL);
	ck_assert_ptr_nonnull(strstr(m, " LIST \"\" \"*\" RETURN "
	    "(SPECIAL-USE)"));
	ck_assert(strstr(m, " STATUS INBOX") < strstr(m, " STATUS "
	    "Archives/2024"));
	ck_assert(strstr(m, " STATUS Archives/2024") < strstr(m, " LIST "));
	ck_assert_int_eq(count(m, " SELECT "), 0);
	/* AUTHENTICATE, ID, ENABLE, NAMESPACE, the STATUS, LIST, LOGOUT:
	 * nothing waits for another answer (no NOOP). */
	ck_assert_int_eq(count(m, "C: "), 6 + count(m, " (MESSAGES UIDNEXT "
	    "UIDVALIDITY HIGHESTMODSEQ)"));
	ck_assert_int_eq(count(m, " NOOP"), 0);
	ck_assert_int_eq(count(m, "FETCH"), 0);
	ck_assert_msg(strstr(m, "C: f2 ID (\"name\" \"facteur\"") != NULL,
	    "%s", m);
	{
		/* The special folders the server names are recorded. */
		char	*rec = xasprintf("%s/.facteur-folders", root), *t;

		t = test_slurp(rec, NULL);
		ck_assert_ptr_nonnull(strstr(t, "special sent Sent\n"));
		ck_assert_ptr_nonnull(strstr(t, "special drafts Drafts\n"));
		ck_assert_ptr_nonnull(strstr(t, "special trash Trash\n"));
		ck_assert_ptr_nonnull(strstr(t, "special junk Junk\n"));
		ck_assert_ptr_nonnull(strstr(t, " Archives/2024\tArchives/2024\n"));
		free(t);
		free(rec);
		t = sync_special_folder_new(root, SYNC_SPECIAL_SENT);
		ck_assert_str_eq(t, "Sent");
		free(t);
	}
	ck_assert_ptr_nonnull(strstr(m, "C: f1 AUTHENTICATE PLAIN ***\n"));
	ck_assert_ptr_null(strstr(m, test_env("MAILTEST_PASS2")));
	free(m);
	free(out);

	/* A flag changed on the server comes down. */
	srv_do(&s, "SELECT %m", "INBOX");
	out = srv_cmd(&s, "UID SEARCH SUBJECT %a", "m03", "", 0);
	srv_do(&s, "UID STORE %s +FLAGS.SILENT (\\Flagged)", out);
	free(out);
	/* QRESYNC: SELECT itself names the change; no listing. */
	free(run_sync_v(&m));
	ck_assert_msg(strstr(m, " SELECT INBOX (QRESYNC (") != NULL, "%s", m);
	ck_assert_ptr_nonnull(strstr(m, "FLAGS (\\Flagged) MODSEQ ("));
	ck_assert_int_eq(count(m, "UID FETCH"), 0);
	free(m);
	v = local_view("INBOX");
	ck_assert_ptr_nonnull(strstr(v, "m03|F;"));
	free(v);

	/* A flag changed here goes up. */
	f = local_open("INBOX");
	ck_assert_int_eq(store_msg_set_flags(f, local_find(f, "m05"),
	    STORE_SEEN, &err), 0);
	store_folder_close(f);
	out = run_sync();
	ck_assert_ptr_nonnull(strstr(out, "bob/INBOX: 0 new, 0 sent, 0 flag "
	    "changes down, 1 up"));
	free(out);
	srv_do(&s, "SELECT %m", "INBOX");
	out = srv_cmd(&s, "UID SEARCH SEEN", "", "", 0);
	m = srv_cmd(&s, "UID SEARCH SUBJECT %a", "m05", "", 0);
	ck_assert_str_eq(out, m);
	free(out);
	free(m);

	/* Deleted here: deleted there. */
	f = local_open("INBOX");
	{
		char	*p = store_msg_path_new(f, local_find(f, "m07"));

		ck_assert_int_eq(unlink(p), 0);
		free(p);
	}
	store_folder_close(f);
	out = run_sync();
	ck_assert_ptr_nonnull(strstr(out, "0 deleted here, 1 there"));
	free(out);
	srv_do(&s, "SELECT %m", "INBOX");
	out = srv_cmd(&s, "UID SEARCH SUBJECT %a", "m07", "", 0);
	ck_assert_str_eq(out, "");
	free(out);

	/* Deleted there: deleted here. */
	out = srv_cmd(&s, "UID SEARCH SUBJECT %a", "m09", "", 0);
	srv_do(&s, "UID STORE %s +FLAGS.SILENT (\\Deleted)", out);
	free(out);
	srv_do(&s, "EXPUNGE", "");
	out = run_sync_v(&m);
	ck_assert_ptr_nonnull(strstr(out, "1 deleted here, 0 there"));
	ck_assert_msg(strstr(m, "S: * VANISHED (EARLIER) ") != NULL, "%s", m);
	ck_assert_int_eq(count(m, "UID FETCH"), 0);
	free(m);
	free(out);
	v = local_view("INBOX");
	ck_assert_ptr_null(strstr(v, "m09|"));
	ck_assert_ptr_null(strstr(v, "m07|"));
	ck_assert_ptr_nonnull(strstr(v, "m08|;"));
	free(v);

	/* Written here (a draft, a moved message): goes up, once. */
	local_deliver("INBOX", "local-1", "local-1", STORE_SEEN);
	out = run_sync();
	ck_assert_ptr_nonnull(strstr(out, "bob/INBOX: 0 new, 1 sent"));
	free(out);
	out = run_sync();
	ck_assert_ptr_nonnull(strstr(out, "bob/INBOX: 0 new, 0 sent"));
	free(out);
	srv_once(&s, "INBOX", "local-1");
	v = local_view("INBOX");
	ck_assert_ptr_nonnull(strstr(v, "local-1|S;"));
	free(v);

	/* A new folder on the server comes down. */
	srv_do(&s, "CREATE %m", "Projets/Été");
	srv_append(&s, "Projets/Été", "new-folder", "nf1");
	out = run_sync();
	ck_assert_ptr_nonnull(strstr(out, "bob/Projets/Été: 1 new"));
	free(out);
	v = local_view("Projets/Été");
	ck_assert_str_eq(v, "new-folder|;");
	free(v);

	/* A new folder here goes up, with its message, once. */
	ck_assert_int_eq(store_folder_create(root, "Notes/Perso", &err), 0);
	local_deliver("Notes/Perso", "note-1", "note-1", STORE_SEEN);
	out = run_sync();
	ck_assert_msg(strstr(out, "bob/Notes/Perso: 0 new, 1 sent") != NULL,
	    "%s", out);
	free(out);
	out = run_sync();
	ck_assert_ptr_nonnull(strstr(out, "bob/Notes/Perso: 0 new, 0 sent"));
	free(out);
	srv_once(&s, "Notes/Perso", "note-1");
	test_imap_close(&s);
}
END_TEST

static void	check_exact(int n, const char *folder);

START_TEST(sync_uidvalidity_reset)
{
	struct test_imap	 s;
	char		 subj[16], id[32], *out, *trace;
	int		 k;

	srv_open(&s);
	srv_try(&s, "DELETE %m", "Renew");
	srv_do(&s, "CREATE %m", "Renew");
	for (k = 0; k < 20; k++) {
		(void)snprintf(subj, sizeof(subj), "k%03d", k);
		(void)snprintf(id, sizeof(id), "renew-%d", k);
		srv_append(&s, "Renew", subj, id);
	}
	free(run_sync());
	check_exact(20, "Renew");
	/* The mailbox recreated (a new UIDVALIDITY) with the same messages
	 * and one more: nothing deleted here, nothing doubled. */
	srv_do(&s, "DELETE %m", "Renew");
	srv_do(&s, "CREATE %m", "Renew");
	for (k = 0; k < 21; k++) {
		(void)snprintf(subj, sizeof(subj), "k%03d", k);
		(void)snprintf(id, sizeof(id), "renew-%d", k);
		srv_append(&s, "Renew", subj, id);
	}
	out = run_sync_v(&trace);
	ck_assert_ptr_nonnull(strstr(out, "bob/Renew: 1 new, 0 sent"));
	ck_assert_ptr_nonnull(strstr(trace, "bob/Renew: the server's "
	    "UIDVALIDITY changed"));
	free(out);
	free(trace);
	check_exact(21, "Renew");
	/* And the next sync knows them all. */
	out = run_sync();
	ck_assert_ptr_nonnull(strstr(out, "bob/Renew: 0 new, 0 sent"));
	free(out);
	test_imap_close(&s);
}
END_TEST

/* Start facteur sync in the background. */
static pid_t
sync_spawn(void)
{
	return test_spawn_facteur(home, "sync");
}

/* Start facteur sync and kill -9 it after ms milliseconds; false when
 * it had finished by itself. */
static bool
sync_killed(int ms)
{
	pid_t	pid = sync_spawn();
	int	status;

	(void)usleep((useconds_t)ms * 1000);
	(void)kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status);
}

/* Entries in root/folder/sub, or 0. */
static int
dir_count(const char *folder, const char *sub)
{
	char		*p = xasprintf("%s/%s/%s", root, folder, sub);
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

/* Start facteur sync and kill -9 it as soon as root/folder/sub holds
 * more entries than now; false when it finished first. */
static bool
sync_killed_when(const char *folder, const char *sub, int more)
{
	int	start = dir_count(folder, sub), status;
	pid_t	pid = sync_spawn();

	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return false;
		if (dir_count(folder, sub) >= start + more) {
			(void)kill(pid, SIGKILL);
			ck_assert_int_eq(waitpid(pid, &status, 0), pid);
			return true;
		}
		(void)usleep(200);
	}
}

/* How many messages the local folder holds now (0: none yet). */
static int
local_count(const char *folder)
{
	char	*p = xasprintf("%s/%s", root, folder), *v;
	int	 n = 0;

	if (store_is_maildir(p)) {
		v = local_view(folder);
		n = count(v, ";");
		free(v);
	}
	free(p);
	return n;
}

/* Sorted subjects of the local INBOX must be exactly m000..m(n-1). */
static void
check_exact(int n, const char *folder)
{
	char	*v = local_view(folder), *want;
	struct buf b;
	int	 k;

	buf_init(&b, 1 << 20);
	for (k = 0; k < n; k++)
		ck_assert_int_eq(n > 1000 ? buf_printf(&b, "k%04d|;", k) :
		    buf_printf(&b, "k%03d|;", k), 0);
	want = buf_take(&b);
	ck_assert_str_eq(v, want);
	free(v);
	free(want);
}

START_TEST(sync_killed_anywhere)
{
	struct test_imap	 s;
	char			 subj[16], id[32], *out;
	int			 k, ms, n, partial = 0;

	srv_open(&s);
	srv_try(&s, "DELETE %m", "Killed");
	srv_do(&s, "CREATE %m", "Killed");
	for (k = 0; k < 1100; k++) {
		(void)snprintf(subj, sizeof(subj), "k%04d", k);
		(void)snprintf(id, sizeof(id), "kill-%d", k);
		srv_append(&s, "Killed", subj, id);
	}
	/* Killed at many points of the first sync: while a chunk of
	 * downloads is written to tmp/, just after one is put in place
	 * (before or while its state is saved), then early, then one run
	 * to the end: every message once, none twice, on both sides.
	 * Downloads are committed 500 at a time, so a kill in the middle
	 * of a commit can leave fewer than 120 to fetch: the watched kills
	 * stop there (how far a commit gets before the kill lands depends
	 * on the machine's speed). */
	for (k = 0; k < 3 && 1100 - local_count("Killed") >= 250; k++) {
		ck_assert(sync_killed_when("Killed", "tmp", 120));
		n = local_count("Killed");
		ck_assert(sync_killed_when("Killed", "new", 1));
		partial += local_count("Killed") > n;
		if (getenv("SYNC_KILL_VERBOSE") != NULL)
			fprintf(stderr, "killed: %d, then %d messages here\n",
			    n, local_count("Killed"));
	}
	ck_assert_int_ge(k, 1);
	ck_assert_int_eq(partial, k);
	for (ms = 30; ms < 150; ms += 40)
		(void)sync_killed(ms);
	out = run_sync();
	free(out);
	check_exact(1100, "Killed");
	srv_do(&s, "SELECT %m", "Killed");
	out = srv_cmd(&s, "UID SEARCH ALL", "", "", 0);
	ck_assert_int_eq(count(out, ",") + 1, 1100);
	free(out);
	/* And again once more with a local change under way. */
	srv_do(&s, "UID STORE 1:50 +FLAGS.SILENT (\\Seen)", "");
	(void)sync_killed(40);
	free(run_sync());
	out = local_view("Killed");
	ck_assert_int_eq(count(out, "|S;"), 50);
	ck_assert_int_eq(count(out, ";"), 1100);
	free(out);
	/* A message appended by another client while a sync runs: there
	 * after this sync or the next, once. */
	{
		pid_t	pid;
		int	status;

		srv_do(&s, "UID STORE 1:* -FLAGS.SILENT (\\Seen)", "");
		pid = sync_spawn();
		srv_append(&s, "Killed", "k1100", "kill-1100");
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	free(run_sync());
	check_exact(1101, "Killed");
	test_imap_close(&s);
}
END_TEST

/* Killed at many points while uploading: every local message on the
 * server once, none twice, and none downloaded back as a copy. */
START_TEST(sync_killed_uploading)
{
	static const int	 delays[] = { 20, 50, 80, 120, 170, 240, 330 };
	struct test_imap	 s;
	char			 subj[16], id[32], *out;
	size_t			 i;
	int			 k;

	srv_open(&s);
	srv_try(&s, "DELETE %m", "KillUp");
	srv_do(&s, "CREATE %m", "KillUp");
	free(run_sync());
	for (k = 0; k < 150; k++) {
		(void)snprintf(subj, sizeof(subj), "k%03d", k);
		(void)snprintf(id, sizeof(id), "killup-%d", k);
		local_deliver("KillUp", subj, id, 0);
	}
	for (i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
		(void)sync_killed(delays[i]);
		if (getenv("SYNC_KILL_VERBOSE") != NULL) {
			srv_do(&s, "SELECT %m", "KillUp");
			out = srv_cmd(&s, "UID SEARCH ALL", "", "", 0);
			fprintf(stderr, "killed after %d ms: %d there\n",
			    delays[i], out[0] ? count(out, ",") + 1 : 0);
			free(out);
		}
	}
	out = run_sync();
	free(out);
	out = run_sync();
	ck_assert_msg(strstr(out, "bob/KillUp: 0 new, 0 sent") != NULL, "%s",
	    out);
	free(out);
	check_exact(150, "KillUp");
	srv_do(&s, "SELECT %m", "KillUp");
	out = srv_cmd(&s, "UID SEARCH ALL", "", "", 0);
	ck_assert_int_eq(count(out, ",") + 1, 150);
	free(out);
	for (k = 0; k < 150; k += 37) {
		(void)snprintf(subj, sizeof(subj), "k%03d", k);
		srv_once(&s, "KillUp", subj);
	}
	test_imap_close(&s);
}
END_TEST

START_TEST(sync_upload_journal)
{
	struct test_imap		 s;
	struct store_err	 err;
	char			*m, *path, *name = NULL, *j, *out;
	FILE			*fp;

	srv_open(&s);
	srv_try(&s, "DELETE %m", "Journal");
	srv_do(&s, "CREATE %m", "Journal");
	/* One message known to the state (so the match by Message-ID of a
	 * first sync does not apply: only the journal can prevent the
	 * second upload). */
	srv_append(&s, "Journal", "jr-0", "jr-0");
	free(run_sync());
	/* The state after a crash between APPEND and recording it: the
	 * server has the message, the journal names the local file. */
	m = message("jr-1", "jr-1");
	path = xasprintf("%s/Journal", root);
	ck_assert_int_eq(store_deliver(path, m, strlen(m), STORE_SEEN, true,
	    &name, &err), 0);
	srv_append(&s, "Journal", "jr-1", "jr-1");
	j = xasprintf("%s/.facteur-sync.journal", path);
	fp = fopen(j, "w");
	ck_assert_ptr_nonnull(fp);
	(void)fprintf(fp, "append %.*s\n", (int)store_name_unique_len(name),
	    name);
	ck_assert_int_eq(fclose(fp), 0);
	out = run_sync();
	ck_assert_msg(strstr(out, "bob/Journal: 0 new, 0 sent") != NULL, "%s",
	    out);
	free(out);
	ck_assert_int_ne(access(j, F_OK), 0);
	srv_once(&s, "Journal", "jr-1");
	out = run_sync();
	ck_assert_ptr_nonnull(strstr(out, "bob/Journal: 0 new, 0 sent"));
	free(out);
	out = local_view("Journal");
	ck_assert_str_eq(out, "jr-0|;jr-1|S;");
	free(out);
	free(m);
	free(j);
	free(name);
	free(path);
	test_imap_close(&s);
}
END_TEST

START_TEST(sync_moves)
{
	struct test_imap	 s;
	struct store_folder	*in, *ar;
	struct store_err	 err;
	char			*out, *trace, *v, *p, *q, *name, *src;

	srv_open(&s);
	srv_try(&s, "DELETE %m", "MoveSrc");
	srv_try(&s, "DELETE %m", "MoveDst");
	srv_do(&s, "CREATE %m", "MoveSrc");
	srv_do(&s, "CREATE %m", "MoveDst");
	srv_append(&s, "MoveSrc", "mv-1", "mv-1");
	srv_append(&s, "MoveSrc", "mv-22", "mv-22");
	srv_append(&s, "MoveSrc", "mv-333", "mv-333");
	srv_append(&s, "MoveDst", "dst-1", "dst-1");
	free(run_sync());

	/* Two messages moved here (the file keeps its name), one of them
	 * read first: moved there with UID MOVE, nothing uploaded,
	 * nothing deleted, nothing downloaded. */
	in = local_open("MoveSrc");
	ar = local_open("MoveDst");
	ck_assert_int_eq(store_msg_set_flags(in, local_find(in, "mv-22"),
	    STORE_SEEN, &err), 0);
	ck_assert_int_eq(store_msg_move(in, local_find(in, "mv-1"), ar, NULL,
	    &err), 0);
	ck_assert_int_eq(store_msg_move(in, local_find(in, "mv-22"), ar,
	    NULL, &err), 0);
	store_folder_close(in);
	store_folder_close(ar);
	out = run_sync_v(&trace);
	ck_assert_msg(strstr(trace, " UID MOVE ") != NULL, "%s", trace);
	ck_assert_msg(strstr(trace, "2 moved to MoveDst") != NULL, "%s",
	    trace);
	ck_assert_int_eq(count(trace, " APPEND "), 0);
	ck_assert_ptr_nonnull(strstr(out, "bob/MoveSrc: 0 new, 0 sent, 0 flag "
	    "changes down, 0 up, 0 deleted here, 0 there"));
	ck_assert_msg(strstr(out, "bob/MoveDst: 0 new, 0 sent, 0 flag "
	    "changes down, 1 up, 0 deleted here, 0 there") != NULL, "%s", out);
	free(out);
	free(trace);
	p = srv_find_subject(&s, "MoveSrc", "mv-");
	ck_assert_int_eq((int)strlen(p), 1);	/* only mv-333 */
	free(p);
	srv_once(&s, "MoveDst", "mv-1");
	p = srv_find_subject(&s, "MoveDst", "mv-22");
	q = srv_cmd(&s, "UID SEARCH SEEN", "", "", 0);
	ck_assert_str_eq(p, q);		/* once, and read */
	free(p);
	free(q);
	v = local_view("MoveDst");
	ck_assert_str_eq(v, "dst-1|;mv-1|;mv-22|S;");
	free(v);
	v = local_view("MoveSrc");
	ck_assert_str_eq(v, "mv-333|;");
	free(v);
	out = run_sync();
	ck_assert_ptr_nonnull(strstr(out, "bob/MoveDst: 0 new, 0 sent, 0 flag "
	    "changes down, 0 up, 0 deleted here, 0 there"));
	free(out);

	/* A copy made here keeps its name, so its UID tag names a message
	 * of the other folder; here that UID is a new server message.
	 * The tag must not be believed: the new message comes down, the
	 * copy goes up. */
	in = local_open("MoveSrc");
	src = store_msg_path_new(in, local_find(in, "mv-333"));
	store_folder_close(in);
	name = strrchr(src, '/') + 1;
	ck_assert_ptr_nonnull(strstr(name, ",U=3"));
	srv_append(&s, "MoveDst", "server-side-new", "ssn");	/* UID 3 */
	q = xasprintf("%s/MoveDst/cur/%s", root, name);
	{
		size_t	 len;
		char	*copy = test_slurp(src, &len);

		test_write_file(q, copy, len);
		free(copy);
	}
	out = run_sync();
	ck_assert_msg(strstr(out, "bob/MoveDst: 1 new, 1 sent") != NULL, "%s",
	    out);
	free(out);
	v = local_view("MoveDst");
	ck_assert_str_eq(v, "dst-1|;mv-1|;mv-22|S;mv-333|;server-side-new|;");
	free(v);
	p = srv_find_subject(&s, "MoveDst", "mv-333");
	ck_assert_int_gt(strlen(p), 0);
	free(p);
	free(q);
	free(src);
	test_imap_close(&s);
}
END_TEST

static bool
local_has_folder(const char *folder)
{
	char	*p = xasprintf("%s/%s", root, folder);
	bool	 yes = store_is_maildir(p);

	free(p);
	return yes;
}

/* Whether the server lists this mailbox. */
static bool
srv_has(struct test_imap *s, const char *mbox)
{
	struct answer	a;

	memset(&a, 0, sizeof(a));
	buf_init(&a.log, 1 << 20);
	ck_assert_int_eq(imap_client_cmd(s->c, ans_untagged, ans_done, &a,
	    "STATUS %m (MESSAGES)", mbox), 0);
	ck_assert_int_eq(imap_client_wait(s->c, &a.done), 0);
	buf_free(&a.log);
	return a.status == IMAP_ST_OK;
}

START_TEST(sync_folder_changes)
{
	static const char *const all[] = { "FA", "FA2", "FB", "FC", "FC2",
	    "FD", "FE", "FF", "FA2/Sub", "FA/Sub" };
	struct test_imap	 s;
	struct store_err	 err;
	char			*out, *trace, *v, *p;
	size_t			 i;

	srv_open(&s);
	for (i = sizeof(all) / sizeof(all[0]); i-- > 0; )
		srv_try(&s, "DELETE %m", all[i]);
	srv_do(&s, "CREATE %m", "FA");
	srv_do(&s, "CREATE %m", "FA/Sub");
	srv_append(&s, "FA", "in-fa", "in-fa");
	srv_append(&s, "FA/Sub", "in-fa-sub", "in-fa-sub");
	srv_do(&s, "CREATE %m", "FB");
	srv_append(&s, "FB", "in-fb", "in-fb");
	srv_do(&s, "CREATE %m", "FC");
	srv_append(&s, "FC", "in-fc", "in-fc");
	srv_do(&s, "CREATE %m", "FD");
	srv_append(&s, "FD", "in-fd", "in-fd");
	srv_do(&s, "CREATE %m", "FE");
	srv_append(&s, "FE", "in-fe", "in-fe");
	srv_do(&s, "CREATE %m", "FF");
	srv_append(&s, "FF", "in-ff", "in-ff");
	free(run_sync());

	/* Here: FA renamed (with FA/Sub), FB deleted, FE deleted but it
	 * gets new mail there, FF gets a new message. There: FC renamed,
	 * FD and FF deleted. */
	ck_assert_int_eq(store_folder_rename(root, "FA", "FA2", &err), 0);
	ck_assert_int_eq(store_folder_delete(root, "FB", &err), 0);
	ck_assert_int_eq(store_folder_delete(root, "FE", &err), 0);
	srv_append(&s, "FE", "in-fe-2", "in-fe-2");
	local_deliver("FF", "new-in-ff", "new-in-ff", 0);
	free(srv_cmd(&s, "RENAME %m %m", "FC", "FC2", 0));
	srv_do(&s, "DELETE %m", "FD");
	srv_do(&s, "DELETE %m", "FF");

	out = run_sync_v(&trace);
	ck_assert_msg(strstr(trace, " RENAME FA FA2") != NULL, "%s", trace);
	ck_assert_ptr_nonnull(strstr(trace, " DELETE FB"));
	ck_assert_ptr_null(strstr(trace, " DELETE FE"));
	ck_assert_ptr_nonnull(strstr(trace, "FA2: renamed on the server too "
	    "(was FA)"));
	ck_assert_ptr_nonnull(strstr(trace, "FC2: renamed on the server: "
	    "renamed here too (was FC)"));
	ck_assert_ptr_nonnull(strstr(trace, "FD: deleted on the server: "
	    "deleted here too"));
	ck_assert_ptr_nonnull(strstr(trace, "FE: deleted here, but the "
	    "server's folder got new mail since: it comes back"));
	ck_assert_ptr_nonnull(strstr(trace, "FF: no longer on the server; "
	    "the local folder is kept"));
	/* Renamed folders are not downloaded again. */
	ck_assert_ptr_nonnull(strstr(out, "bob/FA2: 0 new, 0 sent"));
	ck_assert_ptr_nonnull(strstr(out, "bob/FA2/Sub: 0 new, 0 sent"));
	ck_assert_ptr_nonnull(strstr(out, "bob/FC2: 0 new, 0 sent"));
	ck_assert_ptr_nonnull(strstr(out, "bob/FE: 2 new"));
	free(out);
	free(trace);
	ck_assert(srv_has(&s, "FA2"));
	ck_assert(srv_has(&s, "FA2/Sub"));
	ck_assert(!srv_has(&s, "FA"));
	ck_assert(!srv_has(&s, "FB"));
	ck_assert(srv_has(&s, "FE"));
	ck_assert(!local_has_folder("FA"));
	ck_assert(!local_has_folder("FC"));
	ck_assert(!local_has_folder("FD"));
	v = local_view("FA2");
	ck_assert_str_eq(v, "in-fa|;");
	free(v);
	v = local_view("FA2/Sub");
	ck_assert_str_eq(v, "in-fa-sub|;");
	free(v);
	v = local_view("FC2");
	ck_assert_str_eq(v, "in-fc|;");
	free(v);
	v = local_view("FE");
	ck_assert_str_eq(v, "in-fe-2|;in-fe|;");
	free(v);
	v = local_view("FF");
	ck_assert_str_eq(v, "in-ff|;new-in-ff|;");
	free(v);

	/* INBOX deleted here is never deleted there: it comes back. */
	srv_append(&s, "INBOX", "inbox-kept", "inbox-kept");
	free(run_sync());
	ck_assert_int_eq(store_folder_delete(root, "INBOX", &err), 0);
	out = run_sync_v(&trace);
	ck_assert_ptr_null(strstr(trace, " DELETE INBOX"));
	ck_assert_ptr_nonnull(strstr(trace, "INBOX: deleted here: it comes "
	    "back from the server"));
	free(out);
	free(trace);
	v = local_view("INBOX");
	ck_assert_ptr_nonnull(strstr(v, "inbox-kept|;"));
	free(v);
	ck_assert_str_ne(p = srv_find_subject(&s, "INBOX", "inbox-kept"), "");
	free(p);

	/* And then it is all still. */
	out = run_sync_v(&trace);
	ck_assert_ptr_null(strstr(trace, " RENAME "));
	ck_assert_ptr_null(strstr(trace, " DELETE "));
	ck_assert_ptr_null(strstr(trace, " CREATE "));
	ck_assert_ptr_nonnull(strstr(out, "bob/FA2: 0 new, 0 sent"));
	free(out);
	free(trace);
	test_imap_close(&s);
}
END_TEST

/* A message bigger than two pieces (4 MiB) comes in pieces, whole. */
START_TEST(sync_big_message)
{
	struct test_imap	 s;
	struct store_folder	*f;
	struct buf		 m, lf, got;
	char			*out, *trace, *path;
	size_t			 i;

	srv_open(&s);
	srv_try(&s, "DELETE %m", "Big");
	srv_do(&s, "CREATE %m", "Big");
	buf_init(&m, 64 << 20);
	buf_init(&lf, 64 << 20);
	ck_assert_int_eq(buf_append_str(&m, "From: a@example.test\r\n"
	    "Subject: big\r\nMessage-ID: <big@example.test>\r\n\r\n"), 0);
	for (i = 0; m.len < 9 * 1024 * 1024 + 12345; i++)
		ck_assert_int_eq(buf_printf(&m, "line %07zu of a big message, "
		    "long enough to fill it up quickly %zu\r\n", i, i * 7), 0);
	for (i = 0; i < m.len; i++)
		if (!(m.data[i] == '\r' && i + 1 < m.len &&
		    m.data[i + 1] == '\n'))
			ck_assert_int_eq(buf_append(&lf, &m.data[i], 1), 0);
	free(srv_cmd(&s, "APPEND %m () \"01-Mar-2024 10:30:00 +0100\" %L",
	    "Big", m.data, m.len));
	out = run_sync_v(&trace);
	ck_assert_msg(strstr(out, "bob/Big: 1 new") != NULL, "%s", out);
	ck_assert_ptr_nonnull(strstr(trace, "BODY.PEEK[]<0.4194304>)"));
	ck_assert_ptr_nonnull(strstr(trace, "BODY.PEEK[]<4194304.4194304>)"));
	ck_assert_ptr_nonnull(strstr(trace, "BODY.PEEK[]<8388608.4194304>)"));
	ck_assert_ptr_null(strstr(trace, "BODY.PEEK[]<12582912."));
	free(out);
	free(trace);
	f = local_open("Big");
	ck_assert_uint_eq(store_folder_count(f), 1);
	/* Dated as the server got it (INTERNALDATE), in the name and the
	 * file's time. */
	ck_assert_msg(strncmp(store_folder_msg(f, 0)->name, "1709285400.",
	    11) == 0, "%s", store_folder_msg(f, 0)->name);
	ck_assert_int_eq(store_folder_msg(f, 0)->received, 1709285400);
	path = store_msg_path_new(f, 0);
	{
		struct stat	st;

		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_int_eq((long long)st.st_mtime, 1709285400LL);
	}
	buf_init(&got, 64 << 20);
	ck_assert_int_eq(test_read_file(path, &got), 0);
	ck_assert_uint_eq(got.len, lf.len);
	ck_assert(memcmp(got.data, lf.data, lf.len) == 0);
	free(path);
	store_folder_close(f);
	buf_free(&got);

	/* And a big one goes up whole (the output queue takes it a slice
	 * at a time). */
	lf.data[lf.len - 2] = 'X';
	memcpy(strstr(lf.data, "Subject: big") + 9, "BIG", 3);
	memcpy(strstr(lf.data, "<big@") + 1, "up1", 3);
	path = xasprintf("%s/Big", root);
	{
		struct store_err	err;

		ck_assert_int_eq(store_deliver(path, lf.data, lf.len,
		    STORE_SEEN, true, NULL, &err), 0);
	}
	free(path);
	out = run_sync();
	ck_assert_msg(strstr(out, "bob/Big: 0 new, 1 sent") != NULL, "%s",
	    out);
	free(out);
	srv_do(&s, "SELECT %m", "Big");
	out = srv_cmd(&s, "UID SEARCH LARGER %s", "9437184", "", 0);
	ck_assert_msg(strchr(out, ',') != NULL, "%s", out);	/* both */
	free(out);
	buf_free(&m);
	buf_free(&lf);
	test_imap_close(&s);
}
END_TEST

/* "sha256 flags" of every message file of a maildir folder, sorted. */
static char *
digest_view(const char *dir)
{
	static const char *const subs[] = { "new", "cur" };
	struct buf	 b, data;
	char		 hex[65], **v = NULL, *path, *out;
	size_t		 n = 0, cap = 0, i, k;
	DIR		*d;
	struct dirent	*e;

	for (k = 0; k < 2; k++) {
		path = xasprintf("%s/%s", dir, subs[k]);
		d = opendir(path);
		ck_assert_msg(d != NULL, "%s", path);
		while ((e = readdir(d)) != NULL) {
			char		*f;
			const char	*colon;

			if (e->d_name[0] == '.')
				continue;
			f = xasprintf("%s/%s", path, e->d_name);
			buf_init(&data, 1 << 24);
			ck_assert_int_eq(test_read_file(f, &data), 0);
			{
				/* mbsync adds its X-TUID header line to what
				 * it stores: not part of the message. */
				char	*t = strstr(buf_str(&data), "\nX-TUID: ");
				char	*nl = t != NULL ? strchr(t + 1, '\n') :
					    NULL;

				if (nl != NULL) {
					memmove(t, nl, strlen(nl) + 1);
					data.len -= (size_t)(nl - t);
				}
			}
			sha256_hex(data.data, data.len, hex);
			buf_free(&data);
			free(f);
			colon = strstr(e->d_name, ":2,");
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				v = xreallocarray(v, cap, sizeof(*v));
			}
			/* Only the flags both tools map (T and D aside). */
			v[n++] = xasprintf("%s %s%s%s", hex,
			    colon != NULL && strchr(colon + 3, 'F') ? "F" : "",
			    colon != NULL && strchr(colon + 3, 'R') ? "R" : "",
			    colon != NULL && strchr(colon + 3, 'S') ? "S" : "");
		}
		(void)closedir(d);
		free(path);
	}
	test_sort_strings(v, n);
	buf_init(&b, 1 << 20);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(buf_printf(&b, "%s\n", v[i]), 0);
		free(v[i]);
	}
	free(v);
	out = buf_take(&b);
	return out;
}

START_TEST(sync_same_as_mbsync)
{
	struct test_imap	 s;
	char		 subj[16], id[32], *rc, *mine, *theirs, *cmd;
	FILE		*fp;
	int		 k;

	if (access("/usr/bin/mbsync", X_OK) != 0) {
		/* scripts/deps installs it; say so rather than pass. */
		ck_abort_msg("mbsync is not installed (scripts/deps)");
	}
	srv_open(&s);
	srv_try(&s, "DELETE %m", "Compare");
	srv_do(&s, "CREATE %m", "Compare");
	for (k = 0; k < 25; k++) {
		(void)snprintf(subj, sizeof(subj), "c%02d", k);
		(void)snprintf(id, sizeof(id), "cmp-%d", k);
		srv_append(&s, "Compare", subj, id);
	}
	srv_do(&s, "SELECT %m", "Compare");
	srv_do(&s, "UID STORE 1:10 +FLAGS.SILENT (\\Seen)", "");
	srv_do(&s, "UID STORE 5:7 +FLAGS.SILENT (\\Flagged \\Answered)", "");
	test_imap_close(&s);
	free(run_sync());
	rc = xasprintf("%s/mbsyncrc", home);
	fp = fopen(rc, "w");
	ck_assert_ptr_nonnull(fp);
	(void)fprintf(fp, "IMAPAccount bob\nHost %s\nPort %s\nUser %s\n"
	    "Pass %s\nSSLType IMAPS\nCertificateFile %s\n\n"
	    "IMAPStore far\nAccount bob\n\n"
	    "MaildirStore near\nPath %s/mb/\nInbox %s/mb/INBOX\n"
	    "SubFolders Verbatim\n\n"
	    "Channel c\nFar :far:\nNear :near:\nPatterns Compare\n"
	    "Create Near\nSyncState *\n",
	    test_env("MAILTEST_TLS_SERVERNAME"),
	    test_env("MAILTEST_IMAPS_PORT"), test_env("MAILTEST_USER2"),
	    test_env("MAILTEST_PASS2"), test_env("MAILTEST_CA_FILE"), home,
	    home);
	ck_assert_int_eq(fclose(fp), 0);
	cmd = xasprintf("mkdir -p %s/mb && HOME=%s mbsync -q -c %s -a "
	    ">/dev/null 2>&1", home, home, rc);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	/* The same messages, byte for byte, with the same flags. */
	theirs = xasprintf("%s/mb/Compare", home);
	mine = xasprintf("%s/Compare", root);
	{
		char	*a = digest_view(mine), *b = digest_view(theirs);

		ck_assert_int_eq(count(a, "\n"), 25);
		ck_assert_int_eq(count(a, " S\n") + count(a, " FRS\n"), 10);
		ck_assert_int_eq(count(a, " FR"), 3);
		ck_assert_str_eq(a, b);
		free(a);
		free(b);
	}
	free(theirs);
	free(mine);
	free(rc);
}
END_TEST

Suite *
servers_sync_suite(void)
{
	Suite	*s = suite_create("servers: sync");
	TCase	*tc = tcase_create("imap");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, sync_both_ways);
	tcase_add_test(tc, sync_killed_anywhere);
	tcase_add_test(tc, sync_uidvalidity_reset);
	tcase_add_test(tc, sync_same_as_mbsync);
	tcase_add_test(tc, sync_upload_journal);
	tcase_add_test(tc, sync_killed_uploading);
	tcase_add_test(tc, sync_moves);
	tcase_add_test(tc, sync_folder_changes);
	tcase_add_test(tc, sync_big_message);
	suite_add_tcase(s, tc);
	return s;
}
