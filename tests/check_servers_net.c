/*
 * check_servers_net.c: net/ against the real Dovecot and Postfix of
 * tests/servers/: certificate verification (test CA, system store, wrong
 * name), STARTTLS on IMAP, POP3 and submission, and a round trip
 * (submission, then IMAP and POP3) proving the harness.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"

static struct net_tls_ctx *
ctx_with(const char *ca_file)
{
	char			 err[512];
	struct net_tls_ctx	*ctx = net_tls_ctx_new(ca_file, err,
				    sizeof(err));

	ck_assert_msg(ctx != NULL, "%s", err);
	return ctx;
}

static struct net_conn_params
params(const char *port_var, bool tls, struct net_tls_ctx *ctx)
{
	struct net_conn_params	p = {
		.host = test_env("MAILTEST_HOST"),
		.port = test_env(port_var),
		.tls = tls,
		.tls_ctx = ctx,
		.io_timeout_ms = 20000,
	};

	return p;
}

static void
assert_line_prefix(struct tconn *t, const char *prefix)
{
	char	*l = tconn_line(t);

	ck_assert_msg(l != NULL, "no line (%s)", t->errmsg);
	ck_assert_msg(strncmp(l, prefix, strlen(prefix)) == 0,
	    "got \"%s\", want \"%s...\"", l, prefix);
	free(l);
}

/* ---- certificate verification ---- */

START_TEST(tls_imaps_with_test_ca)
{
	struct net_tls_ctx	*ctx = ctx_with(test_env("MAILTEST_CA_FILE"));
	struct net_conn_params	 p = params("MAILTEST_IMAPS_PORT", true, ctx);
	struct tconn		 t;

	/* By name (SNI + host name check) and by IP (IP SAN check). */
	p.host = test_env("MAILTEST_TLS_SERVERNAME");
	if (_i == 1)
		p.host = test_env("MAILTEST_HOST");
	ck_assert_msg(tconn_open(&t, &p), "%s", t.errmsg);
	ck_assert(net_conn_is_tls(t.conn));
	ck_assert_msg(strncmp(net_conn_tls_info(t.conn), "TLSv1.", 6) == 0,
	    "%s", net_conn_tls_info(t.conn));
	assert_line_prefix(&t, "* OK");
	ck_assert(tconn_send(&t, "a LOGOUT"));
	ck_assert_ptr_nonnull(tconn_expect(&t, "a OK", NULL));
	tconn_close(&t);
	net_tls_ctx_free(&ctx);
}
END_TEST

START_TEST(tls_imaps_system_store_refused)
{
	struct net_tls_ctx	*ctx = ctx_with(NULL);
	struct net_conn_params	 p = params("MAILTEST_IMAPS_PORT", true, ctx);
	struct tconn		 t;
	char			 want[256];

	ck_assert(!tconn_open(&t, &p));
	ck_assert_int_eq(t.err, NET_ERR_CERT);
	snprintf(want, sizeof(want), "certificate verify failed (unable to "
	    "get local issuer certificate) for %s:%s", p.host, p.port);
	ck_assert_str_eq(t.errmsg, want);
	tconn_close(&t);
	net_tls_ctx_free(&ctx);
}
END_TEST

START_TEST(tls_wrong_host_name_refused)
{
	struct net_tls_ctx	*ctx = ctx_with(test_env("MAILTEST_CA_FILE"));
	struct net_conn_params	 p = params(_i == 0 ? "MAILTEST_IMAPS_PORT" :
				    "MAILTEST_SMTPS_PORT", true, ctx);
	struct tconn		 t;

	p.tls_name = "mail.example.test";
	ck_assert(!tconn_open(&t, &p));
	ck_assert_int_eq(t.err, NET_ERR_CERT);
	ck_assert_msg(strstr(t.errmsg,
	    "certificate verify failed (hostname mismatch)") != NULL, "%s",
	    t.errmsg);
	tconn_close(&t);
	/* A wrong IP address is refused too. */
	p.tls_name = "127.0.0.2";
	ck_assert(!tconn_open(&t, &p));
	ck_assert_int_eq(t.err, NET_ERR_CERT);
	ck_assert_msg(strstr(t.errmsg, "IP address mismatch") != NULL, "%s",
	    t.errmsg);
	tconn_close(&t);
	net_tls_ctx_free(&ctx);
}
END_TEST

/* ---- STARTTLS upgrades ---- */

START_TEST(starttls_imap_dovecot)
{
	struct net_tls_ctx	*ctx = ctx_with(test_env("MAILTEST_CA_FILE"));
	struct net_conn_params	 p = params("MAILTEST_IMAP_PORT", false, ctx);
	struct tconn		 t;
	struct buf		 seen;
	char			*l;

	p.tls_name = test_env("MAILTEST_TLS_SERVERNAME");
	buf_init(&seen, 65536);
	ck_assert_msg(tconn_open(&t, &p), "%s", t.errmsg);
	assert_line_prefix(&t, "* OK");
	ck_assert(tconn_send(&t, "a STARTTLS"));
	l = tconn_expect(&t, "a ", NULL);
	ck_assert_str_eq(l, "a OK Begin TLS negotiation now.");
	free(l);
	ck_assert_msg(tconn_starttls(&t), "%s", t.errmsg);
	ck_assert(net_conn_is_tls(t.conn));
	ck_assert(tconn_send(&t, "b CAPABILITY"));
	l = tconn_expect(&t, "b OK", &seen);
	ck_assert_ptr_nonnull(l);
	free(l);
	ck_assert_ptr_nonnull(strstr(buf_str(&seen), "AUTH=PLAIN"));
	ck_assert_ptr_null(strstr(buf_str(&seen), "STARTTLS"));
	ck_assert(tconn_send(&t, "c LOGIN \"%s\" \"%s\"",
	    test_env("MAILTEST_USER1"), test_env("MAILTEST_PASS1")));
	l = tconn_expect(&t, "c ", NULL);
	ck_assert_msg(strncmp(l, "c OK", 4) == 0, "%s", l);
	free(l);
	tconn_close(&t);
	buf_free(&seen);
	net_tls_ctx_free(&ctx);
}
END_TEST

START_TEST(starttls_pop3_dovecot)
{
	struct net_tls_ctx	*ctx = ctx_with(test_env("MAILTEST_CA_FILE"));
	struct net_conn_params	 p = params("MAILTEST_POP3_PORT", false, ctx);
	struct tconn		 t;

	p.tls_name = test_env("MAILTEST_TLS_SERVERNAME");
	ck_assert_msg(tconn_open(&t, &p), "%s", t.errmsg);
	assert_line_prefix(&t, "+OK");
	ck_assert(tconn_send(&t, "STLS"));
	assert_line_prefix(&t, "+OK");
	ck_assert_msg(tconn_starttls(&t), "%s", t.errmsg);
	ck_assert(tconn_send(&t, "USER %s", test_env("MAILTEST_USER1")));
	assert_line_prefix(&t, "+OK");
	ck_assert(tconn_send(&t, "PASS %s", test_env("MAILTEST_PASS1")));
	assert_line_prefix(&t, "+OK");
	ck_assert(tconn_send(&t, "QUIT"));
	assert_line_prefix(&t, "+OK");
	tconn_close(&t);
	net_tls_ctx_free(&ctx);
}
END_TEST

/* EHLO and collect the reply; returns the text of all lines. */
static void
smtp_ehlo(struct tconn *t, struct buf *seen)
{
	char	*l;

	buf_reset(seen);
	ck_assert(tconn_send(t, "EHLO client.example.test"));
	l = tconn_expect(t, "250 ", seen);
	ck_assert_msg(l != NULL, "EHLO: %s", t->errmsg);
	free(l);
}

START_TEST(starttls_submission_postfix)
{
	struct net_tls_ctx	*ctx = ctx_with(test_env("MAILTEST_CA_FILE"));
	struct net_conn_params	 p = params("MAILTEST_SUBMISSION_PORT", false,
				    ctx);
	struct tconn		 t;
	struct buf		 seen;

	p.tls_name = test_env("MAILTEST_TLS_SERVERNAME");
	buf_init(&seen, 65536);
	ck_assert_msg(tconn_open(&t, &p), "%s", t.errmsg);
	assert_line_prefix(&t, "220 ");
	smtp_ehlo(&t, &seen);
	ck_assert_ptr_nonnull(strstr(buf_str(&seen), "250-STARTTLS"));
	ck_assert_ptr_null(strstr(buf_str(&seen), "AUTH"));
	ck_assert(tconn_send(&t, "STARTTLS"));
	assert_line_prefix(&t, "220 ");
	ck_assert_msg(tconn_starttls(&t), "%s", t.errmsg);
	smtp_ehlo(&t, &seen);
	ck_assert_ptr_nonnull(strstr(buf_str(&seen), "AUTH PLAIN"));
	ck_assert_ptr_null(strstr(buf_str(&seen), "STARTTLS"));
	ck_assert_ptr_nonnull(strstr(buf_str(&seen), "SIZE 10485760"));
	ck_assert(tconn_send(&t, "QUIT"));
	assert_line_prefix(&t, "221 ");
	tconn_close(&t);
	buf_free(&seen);
	net_tls_ctx_free(&ctx);
}
END_TEST

/* ---- round trip: submission, then IMAP and POP3 ---- */

static char *
b64(const char *in, size_t n)
{
	static const char	 tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char	*s = (const unsigned char *)in;
	char			*out = xmalloc(n / 3 * 4 + 5), *o = out;
	size_t			 i;

	for (i = 0; i + 2 < n; i += 3) {
		*o++ = tab[s[i] >> 2];
		*o++ = tab[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		*o++ = tab[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
		*o++ = tab[s[i + 2] & 63];
	}
	if (n - i == 1) {
		*o++ = tab[s[i] >> 2];
		*o++ = tab[(s[i] & 3) << 4];
		*o++ = '=';
		*o++ = '=';
	} else if (n - i == 2) {
		*o++ = tab[s[i] >> 2];
		*o++ = tab[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		*o++ = tab[(s[i + 1] & 15) << 2];
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static void
smtp_expect(struct tconn *t, const char *code)
{
	char	*l = tconn_expect(t, code, NULL);

	ck_assert_msg(l != NULL, "waiting for %s: %s", code, t->errmsg);
	free(l);
}

static void
submit(const char *token)
{
	struct net_tls_ctx	*ctx = ctx_with(test_env("MAILTEST_CA_FILE"));
	struct net_conn_params	 p = params("MAILTEST_SUBMISSION_PORT", false,
				    ctx);
	const char		*user = test_env("MAILTEST_USER1");
	const char		*pass = test_env("MAILTEST_PASS1");
	const char		*to = test_env("MAILTEST_USER2");
	struct tconn		 t;
	struct buf		 seen, auth;
	char			*a;

	buf_init(&seen, 65536);
	buf_init(&auth, 1024);
	ck_assert_int_eq(buf_append_byte(&auth, 0), 0);
	ck_assert_int_eq(buf_append_str(&auth, user), 0);
	ck_assert_int_eq(buf_append_byte(&auth, 0), 0);
	ck_assert_int_eq(buf_append_str(&auth, pass), 0);
	a = b64(auth.data, auth.len);
	p.tls_name = test_env("MAILTEST_TLS_SERVERNAME");
	ck_assert_msg(tconn_open(&t, &p), "%s", t.errmsg);
	smtp_expect(&t, "220 ");
	smtp_ehlo(&t, &seen);
	ck_assert(tconn_send(&t, "STARTTLS"));
	smtp_expect(&t, "220 ");
	ck_assert_msg(tconn_starttls(&t), "%s", t.errmsg);
	smtp_ehlo(&t, &seen);
	ck_assert(tconn_send(&t, "AUTH PLAIN %s", a));
	smtp_expect(&t, "235 ");
	ck_assert(tconn_send(&t, "MAIL FROM:<%s>", user));
	smtp_expect(&t, "250 ");
	ck_assert(tconn_send(&t, "RCPT TO:<%s>", to));
	smtp_expect(&t, "250 ");
	ck_assert(tconn_send(&t, "DATA"));
	smtp_expect(&t, "354 ");
	ck_assert(tconn_send(&t, "From: <%s>\r\nTo: <%s>\r\n"
	    "Subject: round trip %s\r\nMessage-ID: <%s@example.test>\r\n"
	    "\r\nHello Bob,\r\n..a line that starts with a dot\r\n"
	    "token %s\r\n.", user, to, token, token, token));
	smtp_expect(&t, "250 ");
	ck_assert(tconn_send(&t, "QUIT"));
	smtp_expect(&t, "221 ");
	tconn_close(&t);
	xfree_secret(&a);
	buf_free_secret(&auth);
	buf_free(&seen);
	net_tls_ctx_free(&ctx);
}

/* Over IMAPS as bob: wait for the message (delivery is asynchronous) and
 * check its body. */
static void
find_over_imap(const char *token)
{
	struct net_tls_ctx	*ctx = ctx_with(test_env("MAILTEST_CA_FILE"));
	struct net_conn_params	 p = params("MAILTEST_IMAPS_PORT", true, ctx);
	struct tconn		 t;
	struct buf		 seen;
	char			*l, want[128];
	unsigned		 uid = 0;
	int			 tries;

	buf_init(&seen, 1 << 20);
	ck_assert_msg(tconn_open(&t, &p), "%s", t.errmsg);
	smtp_expect(&t, "* OK");
	ck_assert(tconn_send(&t, "a LOGIN \"%s\" \"%s\"",
	    test_env("MAILTEST_USER2"), test_env("MAILTEST_PASS2")));
	smtp_expect(&t, "a OK");
	ck_assert(tconn_send(&t, "b SELECT INBOX"));
	smtp_expect(&t, "b OK");
	for (tries = 0; tries < 200 && uid == 0; tries++) {
		ck_assert(tconn_send(&t, "s%d UID SEARCH HEADER Message-ID "
		    "\"%s@example.test\"", tries, token));
		snprintf(want, sizeof(want), "s%d OK", tries);
		buf_reset(&seen);
		l = tconn_expect(&t, want, &seen);
		ck_assert_ptr_nonnull(l);
		free(l);
		l = strstr(buf_str(&seen), "* SEARCH ");
		if (l != NULL)
			uid = (unsigned)strtoul(l + 9, NULL, 10);
		if (uid == 0)
			usleep(50 * 1000);
	}
	ck_assert_msg(uid != 0, "message %s not delivered to IMAP", token);
	ck_assert(tconn_send(&t, "f UID FETCH %u BODY.PEEK[TEXT]", uid));
	buf_reset(&seen);
	l = tconn_expect(&t, "f OK", &seen);
	ck_assert_ptr_nonnull(l);
	free(l);
	snprintf(want, sizeof(want), "token %s", token);
	ck_assert_ptr_nonnull(strstr(buf_str(&seen), want));
	ck_assert_ptr_nonnull(strstr(buf_str(&seen),
	    "\n.a line that starts with a dot\n"));
	ck_assert(tconn_send(&t, "z LOGOUT"));
	smtp_expect(&t, "z OK");
	tconn_close(&t);
	buf_free(&seen);
	net_tls_ctx_free(&ctx);
}

/* Over POP3 with STLS as bob: the newest message is ours. */
static void
find_over_pop3(const char *token)
{
	struct net_tls_ctx	*ctx = ctx_with(test_env("MAILTEST_CA_FILE"));
	struct net_conn_params	 p = params("MAILTEST_POP3_PORT", false, ctx);
	struct tconn		 t;
	struct buf		 seen;
	char			*l, want[128];
	unsigned		 count = 0;

	p.tls_name = test_env("MAILTEST_TLS_SERVERNAME");
	buf_init(&seen, 1 << 20);
	ck_assert_msg(tconn_open(&t, &p), "%s", t.errmsg);
	smtp_expect(&t, "+OK");
	ck_assert(tconn_send(&t, "STLS"));
	smtp_expect(&t, "+OK");
	ck_assert_msg(tconn_starttls(&t), "%s", t.errmsg);
	ck_assert(tconn_send(&t, "USER %s", test_env("MAILTEST_USER2")));
	smtp_expect(&t, "+OK");
	ck_assert(tconn_send(&t, "PASS %s", test_env("MAILTEST_PASS2")));
	smtp_expect(&t, "+OK");
	ck_assert(tconn_send(&t, "STAT"));
	l = tconn_line(&t);
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(sscanf(l, "+OK %u", &count), 1);
	free(l);
	ck_assert_uint_gt(count, 0);
	ck_assert(tconn_send(&t, "RETR %u", count));
	/* The multi-line reply ends with a line holding a single dot. */
	while ((l = tconn_line(&t)) != NULL && strcmp(l, ".") != 0) {
		ck_assert_int_eq(buf_append_str(&seen, l), 0);
		ck_assert_int_eq(buf_append_byte(&seen, '\n'), 0);
		free(l);
	}
	ck_assert_msg(l != NULL, "RETR: %s", t.errmsg);
	free(l);
	snprintf(want, sizeof(want), "Subject: round trip %s\n", token);
	ck_assert_ptr_nonnull(strstr(buf_str(&seen), want));
	/* POP3 dot-stuffs too: the line arrives as "..a line". */
	ck_assert_ptr_nonnull(strstr(buf_str(&seen),
	    "\n..a line that starts with a dot\n"));
	ck_assert(tconn_send(&t, "QUIT"));
	smtp_expect(&t, "+OK");
	tconn_close(&t);
	buf_free(&seen);
	net_tls_ctx_free(&ctx);
}

START_TEST(roundtrip_submission_imap_pop3)
{
	char	token[64];

	snprintf(token, sizeof(token), "rt%ld.%ld", (long)getpid(),
	    (long)time(NULL));
	submit(token);
	find_over_imap(token);
	find_over_pop3(token);
}
END_TEST

Suite *
servers_net_suite(void)
{
	Suite	*s = suite_create("servers: net");
	TCase	*tc;

	tc = tcase_create("certificates");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, tls_imaps_with_test_ca, 0, 2);
	tcase_add_test(tc, tls_imaps_system_store_refused);
	tcase_add_loop_test(tc, tls_wrong_host_name_refused, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("starttls");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, starttls_imap_dovecot);
	tcase_add_test(tc, starttls_pop3_dovecot);
	tcase_add_test(tc, starttls_submission_postfix);
	suite_add_tcase(s, tc);

	tc = tcase_create("round trip");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, roundtrip_submission_imap_pop3);
	suite_add_tcase(s, tc);
	return s;
}
