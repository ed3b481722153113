/*
 * check_servers_imap.c: the IMAP client against the real Dovecot of
 * tests/servers/: STARTTLS and implicit TLS with the test CA, login by
 * AUTHENTICATE PLAIN and by LOGIN, a wrong password refused with
 * Dovecot's words, and commands: LIST, SELECT, APPEND with a literal
 * (APPENDUID), UID FETCH of what was appended.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "imap.h"
#include "tests.h"

/* The unsolicited-response callback of the next srv_open(), if any. */
static imap_unsolicited_cb	*srv_unsolicited;

/* Connect to Dovecot as user 1 (or with this password) and wait. */
static void
srv_open(struct test_imap *s, enum imap_tls_mode mode, enum imap_auth_mech mech,
    const char *password)
{
	test_imap_open(s, mode, mech, test_env("MAILTEST_USER1"),
	    password != NULL ? password : test_env("MAILTEST_PASS1"),
	    srv_unsolicited);
}

START_TEST(imap_starttls_login)
{
	static const enum imap_auth_mech	mechs[] = { IMAP_AUTH_AUTO,
						    IMAP_AUTH_PLAIN,
						    IMAP_AUTH_LOGIN };
	struct test_imap				s;

	srv_open(&s, IMAP_TLS_STARTTLS, mechs[_i], NULL);
	ck_assert_msg(s.ok, "%s", s.err);
	ck_assert(net_conn_is_tls(imap_client_conn(s.c)));
	/* Dovecot's capabilities after login. */
	ck_assert(imap_client_caps(s.c) & IMAP_CAP_IDLE);
	ck_assert(imap_client_caps(s.c) & IMAP_CAP_UIDPLUS);
	ck_assert(imap_client_caps(s.c) & IMAP_CAP_QRESYNC);
	ck_assert(!(imap_client_caps(s.c) & IMAP_CAP_STARTTLS));
	test_imap_close(&s);
}
END_TEST

START_TEST(imap_implicit_tls_login)
{
	struct test_imap	s;

	srv_open(&s, IMAP_TLS_IMPLICIT, IMAP_AUTH_AUTO, NULL);
	ck_assert_msg(s.ok, "%s", s.err);
	ck_assert(imap_client_caps(s.c) & IMAP_CAP_MOVE);
	test_imap_close(&s);
}
END_TEST

START_TEST(imap_wrong_password)
{
	struct test_imap	s;

	srv_open(&s, IMAP_TLS_IMPLICIT, IMAP_AUTH_AUTO, "not-the-password");
	ck_assert(!s.ok);
	ck_assert_str_eq(s.err, "login refused: [AUTHENTICATIONFAILED] "
	    "Authentication failed.");
	test_imap_close(&s);
}
END_TEST

/* ------------------------------------------------------------------ */

struct got {
	struct buf	 log;
	bool		 done;
	enum imap_status status;
	char		 code[32];
	uint64_t	 code_num[2];
	uint32_t	 exists;
};

static void
got_untagged(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct got	*g = arg;
	struct buf	 b;
	size_t		 i;

	(void)c;
	if (r->has_number && strcmp(r->name, "EXISTS") == 0)
		g->exists = r->number;
	if (strcmp(r->name, "LIST") == 0 && r->n == 3) {
		char	*name = imap_item_strdup(&r->items[2]);

		ck_assert_int_eq(buf_printf(&g->log, "LIST %s;", name), 0);
		free(name);
	}
	if (strcmp(r->name, "FETCH") == 0 && r->n == 1) {
		buf_init(&b, 1 << 20);
		for (i = 0; i + 1 < r->items[0].n; i += 2)
			if (imap_item_is(&r->items[0].items[i], "BODY[]"))
				ck_assert_int_eq(buf_append(&g->log,
				    r->items[0].items[i + 1].s,
				    r->items[0].items[i + 1].len), 0);
		buf_free(&b);
	}
}

static void
got_done(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct got	*g = arg;
	size_t		 i;

	(void)c;
	g->done = true;
	ck_assert_ptr_nonnull(r);
	g->status = r->status;
	if (r->has_code) {
		(void)fct_strlcpy(g->code, r->code, sizeof(g->code));
		for (i = 0; i < r->ncode_args && i < 2; i++)
			ck_assert(imap_item_number(&r->code_args[i],
			    UINT32_MAX, &g->code_num[i]));
	}
}

/* Run one command to its end. */
static void
run_cmd(struct test_imap *s, struct got *g, const char *what)
{
	ck_assert_msg(imap_client_wait(s->c, &g->done) == 0, "%s: %s", what,
	    imap_client_error(s->c));
	ck_assert_msg(g->status == IMAP_ST_OK, "%s failed", what);
}

START_TEST(imap_commands)
{
	struct test_imap	 s;
	struct got	 g;
	char		 msg[256], fetched[300], uidset[32];
	uint64_t	 uid;

	srv_open(&s, IMAP_TLS_IMPLICIT, IMAP_AUTH_AUTO, NULL);
	ck_assert_msg(s.ok, "%s", s.err);
	memset(&g, 0, sizeof(g));
	buf_init(&g.log, 1 << 20);
	ck_assert_int_eq(imap_client_cmd(s.c, got_untagged, got_done, &g,
	    "LIST \"\" %a", "*"), 0);
	run_cmd(&s, &g, "LIST");
	ck_assert_ptr_nonnull(strstr(buf_str(&g.log), "LIST INBOX;"));
	/* APPEND with a literal; Dovecot has LITERAL+, so no go-ahead. */
	(void)snprintf(msg, sizeof(msg), "From: a@example.test\r\n"
	    "Subject: literal %ld\r\n\r\nbody \"quoted\" \\ and {5}\r\n",
	    (long)time(NULL));
	g.done = false;
	ck_assert_int_eq(imap_client_cmd(s.c, got_untagged, got_done, &g,
	    "APPEND %m (\\Seen) %L", "INBOX", msg, strlen(msg)), 0);
	run_cmd(&s, &g, "APPEND");
	ck_assert_str_eq(g.code, "APPENDUID");
	uid = g.code_num[1];
	ck_assert_uint_gt(uid, 0);
	g.done = false;
	ck_assert_int_eq(imap_client_cmd(s.c, got_untagged, got_done, &g,
	    "SELECT %m", "INBOX"), 0);
	run_cmd(&s, &g, "SELECT");
	ck_assert_uint_gt(g.exists, 0);
	ck_assert_str_eq(g.code, "READ-WRITE");
	/* What went in comes back byte for byte. */
	buf_reset(&g.log);
	g.done = false;
	(void)snprintf(uidset, sizeof(uidset), "%llu",
	    (unsigned long long)uid);
	ck_assert_int_eq(imap_client_cmd(s.c, got_untagged, got_done, &g,
	    "UID FETCH %s BODY.PEEK[]", uidset), 0);
	run_cmd(&s, &g, "UID FETCH");
	(void)fct_strlcpy(fetched, buf_str(&g.log), sizeof(fetched));
	ck_assert_str_eq(fetched, msg);
	buf_free(&g.log);
	test_imap_close(&s);
}
END_TEST

static int	idle_exists;

static void
idle_news(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	(void)c;
	(void)arg;
	if (r->has_number && strcmp(r->name, "EXISTS") == 0)
		idle_exists = (int)r->number;
}

static void
idle_end(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	(void)c;
	*(int *)arg = r != NULL && r->status == IMAP_ST_OK ? 1 : -1;
}

START_TEST(imap_idle)
{
	struct test_imap	 s, other;
	struct got	 g;
	char		 msg[128];
	int		 before, ended = 0, turns = 0;

	/* A client idling in INBOX hears of a message another appends. */
	srv_unsolicited = idle_news;
	srv_open(&s, IMAP_TLS_IMPLICIT, IMAP_AUTH_AUTO, NULL);
	srv_unsolicited = NULL;
	ck_assert_msg(s.ok, "%s", s.err);
	memset(&g, 0, sizeof(g));
	buf_init(&g.log, 1 << 20);
	ck_assert_int_eq(imap_client_cmd(s.c, got_untagged, got_done, &g,
	    "SELECT INBOX"), 0);
	run_cmd(&s, &g, "SELECT");
	before = (int)g.exists;
	idle_exists = -1;
	ck_assert_int_eq(imap_client_idle(s.c, idle_end, &ended), 0);
	/* Let the IDLE start before the other client acts. */
	while (turns++ < 20 && net_loop_run_once(s.loop, 50) > 0)
		;
	srv_open(&other, IMAP_TLS_IMPLICIT, IMAP_AUTH_AUTO, NULL);
	ck_assert_msg(other.ok, "%s", other.err);
	(void)snprintf(msg, sizeof(msg), "Subject: idle %ld\r\n\r\nhi\r\n",
	    (long)time(NULL));
	g.done = false;
	ck_assert_int_eq(imap_client_cmd(other.c, NULL, got_done, &g,
	    "APPEND INBOX %L", msg, strlen(msg)), 0);
	run_cmd(&other, &g, "APPEND");
	test_imap_close(&other);
	turns = 0;
	while (idle_exists < 0 && turns++ < 200)
		ck_assert_int_gt(net_loop_run_once(s.loop, 100), 0);
	ck_assert_int_eq(idle_exists, before + 1);
	ck_assert_int_eq(imap_client_idle_done(s.c), 0);
	turns = 0;
	while (ended == 0 && turns++ < 200)
		ck_assert_int_gt(net_loop_run_once(s.loop, 100), 0);
	ck_assert_int_eq(ended, 1);
	buf_free(&g.log);
	test_imap_close(&s);
}
END_TEST

Suite *
servers_imap_suite(void)
{
	Suite	*s = suite_create("servers: imap");
	TCase	*tc = tcase_create("client");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, imap_starttls_login, 0, 3);
	tcase_add_test(tc, imap_implicit_tls_login);
	tcase_add_test(tc, imap_wrong_password);
	tcase_add_test(tc, imap_commands);
	tcase_add_test(tc, imap_idle);
	suite_add_tcase(s, tc);
	return s;
}
