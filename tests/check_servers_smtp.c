/*
 * check_servers_smtp.c: facteur send and the outbox (the binary) against
 * the real Postfix and Dovecot of tests/servers/: alice sends to bob
 * through submission (587, STARTTLS) and submissions (465); what bob's
 * INBOX holds is fetched back over IMAP and shown by facteur show --json
 * (decoded subject, attachment digests); Bcc delivered but not shown; an
 * oversize message refused before upload; the outbox kept while the
 * server is unreachable and flushed by facteur sync once it is back; a
 * send killed mid-way, then synced: exactly one delivery.
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
#include "mime.h"
#include "tests.h"

static char	home[256];

/* Two attachments: bytes with every value, and a text file. */
#define ATT1_LEN	3000
#define ATT2		"col1;col2\r\n\xc3\xa9t\xc3\xa9;2\r\n"

/* ---- configuration ---- */

/* Accounts: alice sending through port (587 or 465 style by scheme),
 * reading nothing; bob reading over IMAPS. */
static bool	imap_incoming;	/* alice's mail on the IMAP server */

static void
write_config(const char *scheme, const char *port)
{
	char	*path = xasprintf("%s/config", home), *in;
	FILE	*fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	in = imap_incoming ? xasprintf("imaps://alice%%40example.test@%s:%s",
	    test_env("MAILTEST_TLS_SERVERNAME"),
	    test_env("MAILTEST_IMAPS_PORT")) : xasprintf("maildir://%s/"
	    "alice-md", home);
	/* With an IMAP incoming side, the outgoing URL names no user and
	 * the address is not the login: the incoming user must be used. */
	(void)fprintf(fp, "[general]\nmail-root = %s/mail\n\n"
	    "[account alice]\naddress = Alice Martin <%s>\n"
	    "incoming = %s\n"
	    "outgoing = %s://%s%s:%s\n"
	    "password = %s\ntls-ca-file = %s\n", home,
	    imap_incoming ? "alice.martin@example.test" :
	    test_env("MAILTEST_USER1"), in, scheme,
	    imap_incoming ? "" : "alice%40example.test@",
	    test_env("MAILTEST_TLS_SERVERNAME"), port,
	    test_env("MAILTEST_PASS1"), test_env("MAILTEST_CA_FILE"));
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(chmod(path, 0600), 0);
	free(in);
	free(path);
}

static void
setup(void)
{
	char	*md;

	(void)fct_strlcpy(home, "/tmp/facteur-send-XXXXXX", sizeof(home));
	ck_assert_ptr_nonnull(mkdtemp(home));
	md = xasprintf("%s/alice-md", home);
	ck_assert_int_eq(mkdir(md, 0700), 0);
	free(md);
	imap_incoming = false;
	write_config("smtp", test_env("MAILTEST_SUBMISSION_PORT"));
}

static void
teardown(void)
{
	test_remove_tree(home);
}

/* facteur ARGS < msg (NULL: /dev/null). */
static struct test_run
run(const char *const *args, const char *msg)
{
	char		*cfg = xasprintf("FACTEUR_CONFIG=%s/config", home);
	char		*in = NULL;
	const char	*env[2] = { cfg, NULL };
	struct test_run	 r;

	if (msg != NULL) {
		in = xasprintf("%s/in.eml", home);
		test_write_file(in, msg, strlen(msg));
	}
	r = test_run_facteur_in(home, args, env, in, NULL);
	free(cfg);
	free(in);
	return r;
}

/* ---- bob's INBOX, over IMAP ---- */

struct fetched {
	bool		 done;
	enum imap_status status;
	struct buf	 body;		/* the last BODY[] seen */
	int		 found;		/* messages the SEARCH found */
	unsigned	 last;		/* the last of them */
};

static void
fetch_untagged(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct fetched		*f = arg;
	const struct imap_item	*l;
	size_t			 i;

	(void)c;
	if (strcmp(r->name, "SEARCH") == 0) {
		for (i = 0; i < r->n; i++) {
			f->found++;
			f->last = (unsigned)strtoul(r->items[i].s, NULL, 10);
		}
		return;
	}
	if (strcmp(r->name, "FETCH") != 0 || r->n != 1)
		return;
	l = &r->items[0];
	for (i = 0; i + 1 < l->n; i += 2)
		if (imap_item_is(&l->items[i], "BODY[]")) {
			buf_reset(&f->body);
			ck_assert_int_eq(buf_append(&f->body,
			    l->items[i + 1].s, l->items[i + 1].len), 0);
		}
}

static void
fetch_done(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct fetched	*f = arg;

	(void)c;
	f->done = true;
	f->status = r != NULL ? r->status : IMAP_ST_BAD;
}

static void
imap_run(struct test_imap *s, struct fetched *f, const char *fmt,
    const char *arg)
{
	f->done = false;
	ck_assert_int_eq(imap_client_cmd(s->c, fetch_untagged, fetch_done, f,
	    fmt, arg), 0);
	ck_assert_int_eq(imap_client_wait(s->c, &f->done), 0);
	ck_assert_msg(f->status == IMAP_ST_OK, "%s: %s", fmt,
	    imap_client_error(s->c));
}

/*
 * How many messages with this Message-ID a mailbox of user holds, waiting
 * a little for Postfix to deliver at least one; the last one's bytes into
 * body (may be NULL).
 */
static int
box_count(int user, const char *mbox, const char *msgid, struct buf *body)
{
	struct test_imap	s;
	struct fetched		f;
	char			uid[16];
	int			tries;

	test_imap_open(&s, IMAP_TLS_IMPLICIT, IMAP_AUTH_AUTO,
	    test_env(user == 1 ? "MAILTEST_USER1" : "MAILTEST_USER2"),
	    test_env(user == 1 ? "MAILTEST_PASS1" : "MAILTEST_PASS2"), NULL);
	ck_assert_msg(s.ok, "%s", s.err);
	memset(&f, 0, sizeof(f));
	buf_init(&f.body, 64 << 20);
	for (tries = 0; tries < 100; tries++) {
		f.found = 0;
		imap_run(&s, &f, "SELECT %m", mbox);
		imap_run(&s, &f, "UID SEARCH HEADER Message-ID %a", msgid);
		if (f.found > 0)
			break;
		(void)usleep(100 * 1000);
	}
	if (f.found > 0 && body != NULL) {
		(void)snprintf(uid, sizeof(uid), "%u", f.last);
		imap_run(&s, &f, "UID FETCH %s BODY.PEEK[]", uid);
		buf_reset(body);
		ck_assert_int_eq(buf_append(body, f.body.data, f.body.len), 0);
	}
	buf_free(&f.body);
	test_imap_close(&s);
	return f.found;
}

/* ---- messages ---- */

static char *
att1_bytes(void)
{
	char	*b = xmalloc(ATT1_LEN);
	size_t	 i;

	for (i = 0; i < ATT1_LEN; i++)
		b[i] = (char)(i * 7 % 256);
	return b;
}

/* A message with a non-ASCII subject and two attachments, addressed to
 * bob, with alice in Bcc; id makes its Message-ID. */
static char *
rich_message(const char *id)
{
	char		*att1 = att1_bytes(), *b64_1, *b64_2, *m;
	struct buf	 b;

	buf_init(&b, 1 << 20);
	ck_assert_int_eq(mime_base64_encode(att1, ATT1_LEN, 76, &b), 0);
	b64_1 = buf_take(&b);
	ck_assert_int_eq(mime_base64_encode(ATT2, strlen(ATT2), 76, &b), 0);
	b64_2 = buf_take(&b);
	m = xasprintf("To: Bob <bob@example.test>\n"
	    "Bcc: alice@example.test\n"
	    "Subject: =?UTF-8?Q?R=C3=A9union_=E2=82=AC?= %s\n"
	    "Message-ID: <%s@example.test>\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"b0\"\n\n"
	    "--b0\nContent-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n\n"
	    "Bonjour, voil\xc3\xa0 les pi\xc3\xa8" "ces.\n.\n..two dots\n"
	    "--b0\nContent-Type: application/octet-stream\n"
	    "Content-Disposition: attachment; filename=\"data.bin\"\n"
	    "Content-Transfer-Encoding: base64\n\n%s\n"
	    "--b0\nContent-Type: text/csv; charset=utf-8\n"
	    "Content-Disposition: attachment; filename=\"t.csv\"\n"
	    "Content-Transfer-Encoding: base64\n\n%s\n--b0--\n",
	    id, id, b64_1, b64_2);
	free(att1);
	free(b64_1);
	free(b64_2);
	buf_free(&b);
	return m;
}

/* Files of alice's Sent folder holding both id and text. */
static int
sent_with(const char *id, const char *text)
{
	char		*p = xasprintf("%s/alice-md/Sent/cur", home), *f, *c;
	DIR		*d = opendir(p);
	struct dirent	*de;
	int		 n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		f = xasprintf("%s/%s", p, de->d_name);
		c = test_slurp(f, NULL);
		n += strstr(c, id) != NULL && strstr(c, text) != NULL;
		free(c);
		free(f);
	}
	(void)closedir(d);
	free(p);
	return n;
}

/* Send the rich message through the configured port, read it back as
 * bob, and check what facteur show --json says of it. */
static void
send_and_read_back(const char *id)
{
	static const char *const send[] = { "send", NULL };
	char		*m = rich_message(id), *msgid, *file, *att1, sha[65];
	const char	*show[] = { "show", "--json", NULL, NULL };
	struct test_run	 r;
	struct buf	 body;

	r = run(send, m);
	ck_assert_msg(r.status == 0, "send: %d %s", r.status, r.err);
	test_run_free(&r);
	msgid = xasprintf("<%s@example.test>", id);
	buf_init(&body, 64 << 20);
	ck_assert_int_eq(box_count(2, "INBOX", msgid, &body), 1);
	/* Bcc: delivered to alice, shown to nobody. (Postfix drops Bcc
	 * fields too; that facteur never sends them is checked on the
	 * wire form by check_mime_compose.c.) */
	ck_assert_ptr_null(strstr(buf_str(&body), "Bcc"));
	ck_assert_ptr_null(strstr(buf_str(&body), "alice@example.test\r\n"
	    "Subject"));
	ck_assert_int_eq(box_count(1, "INBOX", msgid, NULL), 1);
	file = xasprintf("%s/got.eml", home);
	test_write_file(file, body.data, body.len);
	show[2] = file;
	r = run(show, NULL);
	ck_assert_msg(r.status == 0, "show: %s", r.err);
	ck_assert_msg(strstr(r.out, "\"subject\": \"R\xc3\xa9union "
	    "\xe2\x82\xac ") != NULL, "%s", r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "\"addr\": \"alice@example.test\""));
	att1 = att1_bytes();
	sha256_hex(att1, ATT1_LEN, sha);
	ck_assert_msg(strstr(r.out, sha) != NULL, "%s", r.out);
	sha256_hex(ATT2, strlen(ATT2), sha);
	ck_assert_msg(strstr(r.out, sha) != NULL, "%s", r.out);
	/* The dot lines came through unharmed. */
	ck_assert_ptr_nonnull(strstr(r.out, "les pi\xc3\xa8" "ces.\\n.\\n"
	    "..two dots"));
	test_run_free(&r);
	/* The Sent copy keeps Bcc for the sender. */
	ck_assert_int_eq(sent_with(id, "Bcc: alice@example.test"), 1);
	free(att1);
	free(file);
	free(msgid);
	buf_free(&body);
	free(m);
}

START_TEST(send_submission)
{
	char	id[64];

	(void)snprintf(id, sizeof(id), "sub587.%ld", (long)getpid());
	send_and_read_back(id);
}
END_TEST

START_TEST(send_submissions)
{
	char	id[64];

	write_config("smtps", test_env("MAILTEST_SMTPS_PORT"));
	(void)snprintf(id, sizeof(id), "sub465.%ld", (long)getpid());
	send_and_read_back(id);
}
END_TEST

/* Files in alice's Outbox (new/ and cur/). */
static int
outbox_files(void)
{
	static const char *const subs[] = { "new", "cur" };
	int	n = 0;
	size_t	i;

	for (i = 0; i < 2; i++) {
		char		*p = xasprintf("%s/alice-md/Outbox/%s", home,
		    subs[i]);
		DIR		*d = opendir(p);
		struct dirent	*de;

		free(p);
		if (d == NULL)
			continue;
		while ((de = readdir(d)) != NULL)
			n += de->d_name[0] != '.';
		(void)closedir(d);
	}
	return n;
}

/* facteur sync sends the one queued message: delivered to bob once. */
static void
sync_sends_one(const char *msgid)
{
	static const char *const sync[] = { "sync", NULL };
	struct test_run	r;

	r = run(sync, NULL);
	ck_assert_msg(r.status == 0, "%d %s", r.status, r.err);
	ck_assert_str_eq(r.out, "alice/Outbox: 1 sent, 0 left queued\n");
	test_run_free(&r);
	ck_assert_int_eq(outbox_files(), 0);
	ck_assert_int_eq(box_count(2, "INBOX", msgid, NULL), 1);
}

/* Too big for the server's SIZE: refused before a byte of it is sent,
 * with both sizes; nothing left queued. */
START_TEST(send_oversize)
{
	static const char *const send[] = { "send", "-v", NULL };
	const char	*limit = test_env("MAILTEST_SIZE_LIMIT");
	size_t		 n = (size_t)strtoul(limit, NULL, 10) + 1000, i;
	char		*m = xmalloc(n + 200), *want;
	struct test_run	 r;
	int		 len;

	len = snprintf(m, 200, "To: bob@example.test\nSubject: big\n\n");
	for (i = (size_t)len; i < n; i++)
		m[i] = (i % 77 == 76) ? '\n' : 'x';
	m[n] = '\0';
	r = run(send, m);
	ck_assert_int_eq(r.status, 1);
	want = xasprintf("and the server accepts at most %s bytes", limit);
	ck_assert_msg(strstr(r.err, want) != NULL, "%s", r.err);
	ck_assert_ptr_null(strstr(r.err, "C: MAIL"));
	ck_assert_ptr_null(strstr(r.err, "C: DATA"));
	test_run_free(&r);
	ck_assert_int_eq(outbox_files(), 0);
	free(want);
	free(m);
}
END_TEST

/* The server unreachable: queued, exit 0; back: facteur sync sends it. */
START_TEST(outbox_flushed_by_sync)
{
	static const char *const send[] = { "send", NULL };
	static const char *const sync[] = { "sync", NULL };
	char		 msg[256], id[64], msgid[96];
	struct test_run	 r;

	(void)snprintf(id, sizeof(id), "outbox.%ld", (long)getpid());
	(void)snprintf(msgid, sizeof(msgid), "<%s@example.test>", id);
	(void)snprintf(msg, sizeof(msg), "To: bob@example.test\nSubject: "
	    "queued\nMessage-ID: %s\n\nwaiting\n", msgid);
	/* A port nothing listens on (the test servers' range is above). */
	write_config("smtp", "9");
	r = run(send, msg);
	ck_assert_msg(r.status == 0, "%d %s", r.status, r.err);
	ck_assert_msg(strstr(r.err, "queued in the Outbox, the next facteur "
	    "sync sends it") != NULL, "%s", r.err);
	test_run_free(&r);
	ck_assert_int_eq(outbox_files(), 1);
	/* Still down: sync says so and keeps it. */
	r = run(sync, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "alice/Outbox:") != NULL, "%s", r.err);
	test_run_free(&r);
	ck_assert_int_eq(outbox_files(), 1);
	/* Back. */
	write_config("smtp", test_env("MAILTEST_SUBMISSION_PORT"));
	sync_sends_one(msgid);
	/* Nothing more to send: no line, no connection. */
	r = run(sync, NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "");
	test_run_free(&r);
	ck_assert_int_eq(box_count(2, "INBOX", msgid, NULL), 1);
}
END_TEST

/* Bytes the process wrote so far (/proc/PID/io wchar), or -1. */
static long long
written(pid_t pid)
{
	char		 path[64], line[128];
	FILE		*fp;
	long long	 v = -1;

	(void)snprintf(path, sizeof(path), "/proc/%ld/io", (long)pid);
	fp = fopen(path, "r");
	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "wchar: ", 7) == 0)
			v = atoll(line + 7);
	(void)fclose(fp);
	return v;
}

/* facteur sync killed with SIGKILL once it has written more than bytes
 * (the message is on its way); false when it finished first. */
static bool
sync_killed_after(long long bytes)
{
	pid_t	pid = test_spawn_facteur(home, "sync");
	int	status;

	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return false;
		if (written(pid) > bytes) {
			(void)kill(pid, SIGKILL);
			ck_assert_int_eq(waitpid(pid, &status, 0), pid);
			return true;
		}
		(void)usleep(200);
	}
}

/* Killed while the message goes out, then synced: delivered once. */
START_TEST(send_killed_then_synced)
{
	static const char *const queue[] = { "send", "-q", NULL };
	size_t		 n = 8u << 20, i;
	char		*m = xmalloc(n + 300), id[64], msgid[96];
	struct test_run	 r;
	int		 len;

	(void)snprintf(id, sizeof(id), "killed.%ld", (long)getpid());
	(void)snprintf(msgid, sizeof(msgid), "<%s@example.test>", id);
	len = snprintf(m, 300, "To: bob@example.test\nSubject: killed\n"
	    "Message-ID: %s\n\n", msgid);
	for (i = (size_t)len; i < n; i++)
		m[i] = (i % 77 == 76) ? '\n' : 'k';
	m[n] = '\0';
	r = run(queue, m);
	ck_assert_msg(r.status == 0, "%s", r.err);
	test_run_free(&r);
	/* 2 MB of the 8 out: the final dot not sent yet. */
	ck_assert(sync_killed_after(2 << 20));
	ck_assert_int_eq(outbox_files(), 1);
	sync_sends_one(msgid);
	/* A moment later still one (Postfix had nothing half-taken to
	 * deliver late). */
	(void)usleep(500 * 1000);
	ck_assert_int_eq(box_count(2, "INBOX", msgid, NULL), 1);
	free(m);
}
END_TEST

/* An IMAP account's Sent copy goes up to the server's Sent at once, and
 * a later sync does not upload it again. */
START_TEST(send_sent_copy_uploaded)
{
	static const char *const send[] = { "send", NULL };
	static const char *const sync[] = { "sync", NULL };
	char		 msg[256], msgid[96];
	struct test_run	 r;

	imap_incoming = true;
	write_config("smtp", test_env("MAILTEST_SUBMISSION_PORT"));
	(void)snprintf(msgid, sizeof(msgid), "<sentcopy.%ld@example.test>",
	    (long)getpid());
	(void)snprintf(msg, sizeof(msg), "To: bob@example.test\nSubject: "
	    "copy\nMessage-ID: %s\n\nkept\n", msgid);
	r = run(send, msg);
	ck_assert_msg(r.status == 0, "%d %s", r.status, r.err);
	ck_assert_str_eq(r.err, "");
	test_run_free(&r);
	ck_assert_int_eq(box_count(1, "Sent", msgid, NULL), 1);
	r = run(sync, NULL);
	ck_assert_msg(r.status == 0, "%d %s", r.status, r.err);
	test_run_free(&r);
	ck_assert_int_eq(box_count(1, "Sent", msgid, NULL), 1);
	ck_assert_int_eq(box_count(2, "INBOX", msgid, NULL), 1);
}
END_TEST

Suite *
servers_smtp_suite(void)
{
	Suite	*s = suite_create("servers: smtp");
	TCase	*tc = tcase_create("send");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, send_submission);
	tcase_add_test(tc, send_submissions);
	tcase_add_test(tc, send_oversize);
	tcase_add_test(tc, outbox_flushed_by_sync);
	tcase_add_test(tc, send_killed_then_synced);
	tcase_add_test(tc, send_sent_copy_uploaded);
	suite_add_tcase(s, tc);
	return s;
}
