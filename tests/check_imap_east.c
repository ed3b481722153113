/*
 * check_imap_east.c: the IMAP test cases of the STARTTLS study "Why TLS
 * is better without STARTTLS" (Poddebniak, Ising et al., USENIX Security
 * 2021; tests/data/corpus/nostarttls-east/testcases/imap, RON files) played
 * by a small scripted server on 127.0.0.1 against facteur's IMAP client,
 * configured as an account with STARTTLS (or imaps:// for the cases with
 * implicit TLS) and a password.
 *
 * The server reads each case's greeting, capabilities (before and after
 * TLS and login), STARTTLS response, whether it really starts TLS, what it
 * injects after the greeting, and which commands it ignores, hides or
 * answers otherwise. Every case must end safely: either the client
 * refuses, or it proceeds without ever sending credentials or touching
 * mail in plaintext, without handing the caller any response that arrived
 * before TLS, and with the capabilities the server gives after TLS and
 * login, not injected ones. The tally is printed ("east: ...").
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "imap.h"
#include "tests.h"

#define EAST_DIR	"tests/data/corpus/nostarttls-east/testcases/imap"
#define PUT(x)		do { if ((x) == -1) abort(); } while (0)
#define MAX_CASES	128

/* ------------------------------------------------------------------ */
/* Reading the RON cases (only what the IMAP cases use)                */

/* The text without // comments (outside strings). Owned. */
static char *
strip_comments(const char *s)
{
	char	*out = xmalloc(strlen(s) + 1), *o = out;
	bool	 str = false;

	while (*s != '\0') {
		if (str && *s == '\\' && s[1] != '\0') {
			*o++ = *s++;
			*o++ = *s++;
			continue;
		}
		if (*s == '"')
			str = !str;
		if (!str && s[0] == '/' && s[1] == '/') {
			while (*s != '\0' && *s != '\n')
				s++;
			continue;
		}
		*o++ = *s++;
	}
	*o = '\0';
	return out;
}

/* Where "name:" is (the value after it), or NULL. */
static const char *
field(const char *t, const char *name)
{
	size_t		 n = strlen(name);
	const char	*p;

	for (p = t; (p = strstr(p, name)) != NULL; p += n) {
		if ((p == t || !(p[-1] == '_' || (p[-1] >= 'a' &&
		    p[-1] <= 'z'))) && p[n] == ':') {
			p += n + 1;
			while (*p == ' ' || *p == '\t' || *p == '\n')
				p++;
			return p;
		}
	}
	return NULL;
}

/* A RON string at p ("..." with escapes) into a new string. */
static char *
ron_string(const char *p, const char **end)
{
	struct buf	b;

	buf_init(&b, 1 << 16);
	if (*p != '"')
		return NULL;
	for (p++; *p != '\0' && *p != '"'; p++) {
		char	ch = *p;

		if (ch == '\\') {
			p++;
			ch = *p == 'r' ? '\r' : *p == 'n' ? '\n' :
			    *p == 't' ? '\t' : *p;
		}
		PUT(buf_append(&b, &ch, 1));
	}
	if (end != NULL)
		*end = *p == '"' ? p + 1 : p;
	return buf_take(&b);
}

/* Some("...") or "..." of a field; NULL when absent or None. */
static char *
field_string(const char *t, const char *name)
{
	const char	*p = field(t, name);

	if (p == NULL || strncmp(p, "None", 4) == 0)
		return NULL;
	if (strncmp(p, "Some(", 5) == 0)
		p += 5;
	return ron_string(p, NULL);
}

static bool
field_bool(const char *t, const char *name, bool dflt)
{
	const char	*p = field(t, name);

	if (p == NULL)
		return dflt;
	return strncmp(p, "true", 4) == 0;
}

/* Capability names of a RON list at p ("[Imap4Rev1, Auth(Plain)]"),
 * as IMAP words separated by spaces, into b. */
static void
ron_caps(const char *p, struct buf *b)
{
	static const struct { const char *ron, *imap; } names[] = {
		{ "Imap4Rev1", "IMAP4rev1" }, { "StartTls", "STARTTLS" },
		{ "LoginDisabled", "LOGINDISABLED" },
		{ "Auth(Plain)", "AUTH=PLAIN" }, { "Auth(Login)", "AUTH=LOGIN" },
		{ "Idle", "IDLE" }, { "Enable", "ENABLE" },
		{ "MailboxReferrals", "MAILBOX-REFERRALS" },
		{ "LoginReferrals", "LOGIN-REFERRALS" },
	};
	const char	*end;
	size_t		 i;
	char		*s;

	if (p == NULL || *p != '[')
		return;
	for (p++; *p != '\0' && *p != ']';) {
		while (*p == ' ' || *p == ',' || *p == '\n' || *p == '\t')
			p++;
		if (*p == ']' || *p == '\0')
			break;
		if (strncmp(p, "Auth(Other(", 11) == 0) {
			/* Auth(Other(Atom("X"))) and
			 * Auth(Other(AuthMechanismOther(Atom("X")))) */
			p = strstr(p, "Atom(");
			ck_assert_ptr_nonnull(p);
			s = ron_string(p + 5, &end);
			PUT(buf_printf(b, "%sAUTH=%s", b->len > 0 ? " " : "", s));
			free(s);
			p = end;
			while (*p == ')')
				p++;
			continue;
		}
		if (strncmp(p, "Other(CapabilityOther(inner: Atom(", 34) == 0) {
			s = ron_string(p + 34, &end);
			PUT(buf_printf(b, "%s%s", b->len > 0 ? " " : "", s));
			free(s);
			p = end;
			while (*p == ')')
				p++;
			continue;
		}
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strncmp(p, names[i].ron, strlen(names[i].ron)) ==
			    0) {
				PUT(buf_printf(b, "%s%s", b->len > 0 ? " " :
				    "", names[i].imap));
				p += strlen(names[i].ron);
				break;
			}
		if (i == sizeof(names) / sizeof(names[0]))
			ck_abort_msg("unknown capability in RON: %.20s", p);
	}
}

static char *
field_caps(const char *t, const char *name)
{
	struct buf	b;

	buf_init(&b, 4096);
	ron_caps(field(t, name), &b);
	return buf_take(&b);
}

/* The list of strings of a field (["a", "b"]) joined by "|". */
static char *
field_list(const char *t, const char *name)
{
	const char	*p = field(t, name);
	struct buf	 b;
	char		*s;

	buf_init(&b, 4096);
	PUT(buf_append_str(&b, "|"));
	if (p != NULL && *p == '[')
		for (p++; *p != '\0' && *p != ']'; ) {
			if (*p != '"') {
				p++;
				continue;
			}
			s = ron_string(p, &p);
			PUT(buf_printf(&b, "%s|", s));
			free(s);
		}
	return buf_take(&b);
}

struct east_case {
	char	*path;
	bool	 preauth_state;		/* state: Authenticated */
	char	*greeting;		/* the whole line */
	char	*after_greeting;
	char	*caps, *caps_tls, *caps_auth, *caps_tls_auth;
	char	*starttls_response;	/* NULL: OK */
	bool	 starttls_transition;
	bool	 implicit_tls;
	char	*ignore, *ignore_tls, *hide;	/* "|a|b|" */
	char	*override_cmd, *override;
};

/* The greeting line from greeting: (kind, code, text). */
static char *
greeting_line(const char *t)
{
	const char	*g = field(t, "greeting"), *k, *c;
	struct buf	 b, caps;
	char		*text, *s;

	buf_init(&b, 4096);
	if (g == NULL)
		return xstrdup("* OK IMAP server ready.\r\n");
	k = field(g, "kind");
	PUT(buf_printf(&b, "* %s", strncmp(k, "PreAuth", 7) == 0 ? "PREAUTH" :
	    strncmp(k, "Bye", 3) == 0 ? "BYE" : strncmp(k, "No", 2) == 0 ?
	    "NO" : strncmp(k, "Bad", 3) == 0 ? "BAD" : "OK"));
	c = field(g, "code");
	if (c != NULL && strncmp(c, "Some(Capability(NonEmptyVec(", 28) == 0) {
		buf_init(&caps, 4096);
		ron_caps(c + 28, &caps);
		PUT(buf_printf(&b, " [CAPABILITY %s]", buf_str(&caps)));
		buf_free(&caps);
	} else if (c != NULL && strncmp(c, "Some(Alert)", 11) == 0)
		PUT(buf_append_str(&b, " [ALERT]"));
	else if (c != NULL && strncmp(c, "Some(Parse)", 11) == 0)
		PUT(buf_append_str(&b, " [PARSE]"));
	else if (c != NULL && strncmp(c, "Some(BadCharset(", 16) == 0) {
		s = strstr(c, "Atom(Atom(");
		text = s != NULL ? ron_string(s + 10, NULL) : xstrdup("x");
		PUT(buf_printf(&b, " [BADCHARSET (%s)]", text));
		free(text);
	} else if (c != NULL && strncmp(c, "Some(Referral(", 14) == 0) {
		text = ron_string(c + 14, NULL);
		PUT(buf_printf(&b, " [REFERRAL %s]", text));
		free(text);
	}
	s = strstr(g, "Text(");
	text = s != NULL ? ron_string(s + 5, NULL) : xstrdup("ready");
	PUT(buf_printf(&b, " %s\r\n", text));
	free(text);
	return buf_take(&b);
}

static void
east_load(struct east_case *ec, const char *path)
{
	struct buf	 raw;
	char		*t, *ov;
	const char	*p;

	buf_init(&raw, 1 << 20);
	ck_assert_int_eq(test_read_file(path, &raw), 0);
	t = strip_comments(buf_str(&raw));
	buf_free(&raw);
	memset(ec, 0, sizeof(*ec));
	ec->path = xstrdup(path);
	p = field(t, "state");
	ec->preauth_state = p != NULL && strncmp(p, "Authenticated", 13) == 0;
	ec->greeting = greeting_line(t);
	ec->after_greeting = field_string(t, "response_after_greeting");
	ec->caps = field_caps(t, "caps");
	ec->caps_tls = field_caps(t, "caps_tls");
	ec->caps_auth = field_caps(t, "caps_auth");
	ec->caps_tls_auth = field_caps(t, "caps_tls_auth");
	ec->starttls_response = field_string(t, "starttls_response");
	ec->starttls_transition = field_bool(t, "starttls_transition", true);
	ec->implicit_tls = field_bool(t, "implicit_tls", false);
	ec->ignore = field_list(t, "ignore_commands");
	ec->ignore_tls = field_list(t, "ignore_commands_tls");
	ec->hide = field_list(t, "hide_commands");
	p = field(t, "override_response");
	if (p != NULL && *p == '{' && (ov = strchr(p, '"')) != NULL) {
		ec->override_cmd = ron_string(ov, &p);
		p = strchr(p, '"');
		ec->override = p != NULL ? ron_string(p, NULL) : NULL;
	}
	free(t);
}

static void
east_free(struct east_case *ec)
{
	free(ec->path);
	free(ec->greeting);
	free(ec->after_greeting);
	free(ec->caps);
	free(ec->caps_tls);
	free(ec->caps_auth);
	free(ec->caps_tls_auth);
	free(ec->starttls_response);
	free(ec->ignore);
	free(ec->ignore_tls);
	free(ec->hide);
	free(ec->override_cmd);
	free(ec->override);
}

/* ------------------------------------------------------------------ */
/* A throwaway certificate for localhost                               */

static char	cert_file[256];
static EVP_PKEY	*cert_key;
static X509	*cert_x509;

static void
make_cert(void)
{
	X509_NAME	*name;
	X509_EXTENSION	*ext;
	FILE		*fp;
	int		 fd;

	if (cert_x509 != NULL)
		return;
	cert_key = EVP_EC_gen("P-256");
	ck_assert_ptr_nonnull(cert_key);
	cert_x509 = X509_new();
	ck_assert_int_eq(X509_set_version(cert_x509, 2), 1);
	ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(cert_x509),
	    1), 1);
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(cert_x509),
	    -3600));
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(cert_x509),
	    86400));
	ck_assert_int_eq(X509_set_pubkey(cert_x509, cert_key), 1);
	name = X509_get_subject_name(cert_x509);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"localhost", -1, -1, 0), 1);
	ck_assert_int_eq(X509_set_issuer_name(cert_x509, name), 1);
	ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name,
	    "DNS:localhost");
	ck_assert_ptr_nonnull(ext);
	ck_assert_int_eq(X509_add_ext(cert_x509, ext, -1), 1);
	X509_EXTENSION_free(ext);
	ck_assert_int_gt(X509_sign(cert_x509, cert_key, EVP_sha256()), 0);
	(void)fct_strlcpy(cert_file, "/tmp/facteur-east-XXXXXX",
	    sizeof(cert_file));
	fd = mkstemp(cert_file);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(PEM_write_X509(fp, cert_x509), 1);
	ck_assert_int_eq(fclose(fp), 0);
}

/* ------------------------------------------------------------------ */
/* The scripted server                                                 */

struct east_server {
	const struct east_case	*ec;
	int			 lfd, fd;
	SSL_CTX			*sctx;
	SSL			*ssl;
	bool			 authed;
	/* What it saw: */
	bool			 plain_credentials;	/* LOGIN/AUTH */
	bool			 plain_mail;		/* SELECT... */
	struct buf		 log;
	pthread_t		 tid;
};

static bool
srv_read_line(struct east_server *s, struct buf *line)
{
	char	ch;
	int	r;

	buf_reset(line);
	for (;;) {
		if (s->ssl != NULL)
			r = SSL_read(s->ssl, &ch, 1);
		else {
			ssize_t	n = read(s->fd, &ch, 1);

			if (n < 0 && errno == EINTR)
				continue;
			r = (int)n;
		}
		if (r <= 0)
			return false;
		if (ch == '\n')
			return true;
		if (ch != '\r')
			PUT(buf_append(line, &ch, 1));
	}
}

/* Send text with "<tag>" replaced. */
static void
srv_send(struct east_server *s, const char *text, const char *tag)
{
	struct buf	 b;
	const char	*p;

	buf_init(&b, 1 << 16);
	for (p = text; *p != '\0'; p++) {
		if (strncmp(p, "<tag>", 5) == 0) {
			PUT(buf_append_str(&b, tag));
			p += 4;
		} else
			PUT(buf_append(&b, p, 1));
	}
	if (s->ssl != NULL)
		(void)SSL_write(s->ssl, b.data, (int)b.len);
	else
		(void)!write(s->fd, b.data, b.len);
	buf_free(&b);
}

static bool
in_list(const char *list, const char *word)
{
	char	pat[128];

	(void)snprintf(pat, sizeof(pat), "|%.64s|", word);
	return strstr(list, pat) != NULL;
}

static bool
srv_tls(struct east_server *s)
{
	s->ssl = SSL_new(s->sctx);
	if (s->ssl == NULL || SSL_set_fd(s->ssl, s->fd) != 1 ||
	    SSL_accept(s->ssl) != 1) {
		PUT(buf_append_str(&s->log, "tls-failed;"));
		return false;
	}
	PUT(buf_append_str(&s->log, "tls;"));
	return true;
}

static size_t
spaces(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		n += *s == ' ';
	return n;
}

static const char *
caps_now(const struct east_server *s)
{
	if (s->ssl != NULL)
		return s->authed ? s->ec->caps_tls_auth : s->ec->caps_tls;
	return s->authed ? s->ec->caps_auth : s->ec->caps;
}

/* One command; false to end the session. */
static bool
srv_command(struct east_server *s, const char *tag, const char *cmd,
    struct buf *line)
{
	const struct east_case	*ec = s->ec;
	char			 out[1024];

	PUT(buf_printf(&s->log, "%s%s;", s->ssl != NULL ? "" : "plain:",
	    cmd));
	if (in_list(s->ssl != NULL ? ec->ignore_tls : ec->ignore, cmd))
		return true;
	if (ec->override_cmd != NULL && strcmp(cmd, ec->override_cmd) == 0 &&
	    ec->override != NULL) {
		srv_send(s, ec->override, tag);
		return true;
	}
	if (in_list(ec->hide, cmd)) {
		srv_send(s, "<tag> BAD unknown command\r\n", tag);
		return true;
	}
	if (strcmp(cmd, "capability") == 0) {
		(void)snprintf(out, sizeof(out), "* CAPABILITY %s\r\n"
		    "<tag> OK capability done.\r\n", caps_now(s));
		srv_send(s, out, tag);
	} else if (strcmp(cmd, "starttls") == 0) {
		srv_send(s, ec->starttls_response != NULL ?
		    ec->starttls_response : "<tag> OK begin TLS now.\r\n", tag);
		if (ec->starttls_transition && s->ssl == NULL)
			return srv_tls(s);
	} else if (strcmp(cmd, "login") == 0 ||
	    strcmp(cmd, "authenticate") == 0) {
		if (s->ssl == NULL)
			s->plain_credentials = true;
		if (strcmp(cmd, "authenticate") == 0 &&
		    spaces(buf_str(line)) == 2) {
			/* AUTHENTICATE MECH without an initial response */
			srv_send(s, "+ \r\n", tag);
			if (!srv_read_line(s, line))
				return false;
		}
		s->authed = true;
		srv_send(s, "<tag> OK logged in.\r\n", tag);
	} else if (strcmp(cmd, "logout") == 0) {
		srv_send(s, "* BYE bye\r\n<tag> OK logout done.\r\n", tag);
		return false;
	} else {
		if (s->ssl == NULL)
			s->plain_mail = true;
		if (strcmp(cmd, "select") == 0 || strcmp(cmd, "examine") == 0)
			srv_send(s, "* 1 EXISTS\r\n* FLAGS (\\Seen)\r\n"
			    "<tag> OK [READ-WRITE] select done.\r\n", tag);
		else
			srv_send(s, "<tag> OK done.\r\n", tag);
	}
	return true;
}

static void *
srv_run(void *arg)
{
	struct east_server	*s = arg;
	struct buf		 line;
	char			 tag[64], cmd[64];
	const char		*sp, *p;
	size_t			 i;

	buf_init(&line, 1 << 20);
	s->fd = accept(s->lfd, NULL, NULL);
	if (s->fd < 0)
		goto out;
	if (s->ec->implicit_tls && !srv_tls(s))
		goto out;
	s->authed = s->ec->preauth_state;
	srv_send(s, s->ec->greeting, "*");
	if (s->ec->after_greeting != NULL)
		srv_send(s, s->ec->after_greeting, "*");
	while (srv_read_line(s, &line)) {
		sp = strchr(buf_str(&line), ' ');
		if (sp == NULL)
			continue;
		(void)snprintf(tag, sizeof(tag), "%.*s",
		    (int)(sp - buf_str(&line)), buf_str(&line));
		for (p = sp + 1, i = 0; *p != '\0' && *p != ' ' &&
		    i + 1 < sizeof(cmd); p++)
			cmd[i++] = (char)ascii_tolower((unsigned char)*p);
		cmd[i] = '\0';
		if (!srv_command(s, tag, cmd, &line))
			break;
	}
out:
	buf_free(&line);
	if (s->ssl != NULL) {
		(void)SSL_shutdown(s->ssl);
		SSL_free(s->ssl);
	}
	if (s->fd >= 0)
		(void)close(s->fd);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The client's side and the verdict                                   */

struct east_client {
	bool		 ready, ok, done;
	bool		 believed_plain;	/* unsolicited before TLS */
	char		 err[512];
	struct imap_client *c;
};

static void
ec_unsolicited(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct east_client	*t = arg;

	(void)r;
	if (!net_conn_is_tls(imap_client_conn(c)))
		t->believed_plain = true;
}

static void
ec_ready(struct imap_client *c, bool ok, void *arg)
{
	struct east_client	*t = arg;

	t->ready = true;
	t->ok = ok;
	if (!ok)
		(void)snprintf(t->err, sizeof(t->err), "%s",
		    imap_client_error(c));
}

static void
ec_done(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct east_client	*t = arg;

	(void)c;
	(void)r;
	t->done = true;
}

struct tally {
	int	refused, proceeded, unsafe;
};

static struct tally	east_tally;

/* Play one case; NULL when safe, else why not. */
static char *
east_play(const struct east_case *ec, struct buf *outcome)
{
	struct east_server		 s;
	struct east_client		 t;
	struct imap_client_params	 p;
	struct sockaddr_in		 sa;
	socklen_t			 salen = sizeof(sa);
	struct net_loop			*loop = net_loop_new();
	struct net_tls_ctx		*ctx;
	char				 err[256], port[16];
	char				*why = NULL;
	uint32_t			 want;

	make_cert();
	memset(&s, 0, sizeof(s));
	s.ec = ec;
	s.fd = -1;
	buf_init(&s.log, 1 << 16);
	s.sctx = SSL_CTX_new(TLS_server_method());
	ck_assert_ptr_nonnull(s.sctx);
	ck_assert_int_eq(SSL_CTX_use_certificate(s.sctx, cert_x509), 1);
	ck_assert_int_eq(SSL_CTX_use_PrivateKey(s.sctx, cert_key), 1);
	s.lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(s.lfd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s.lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(s.lfd, 1), 0);
	ck_assert_int_eq(getsockname(s.lfd, (struct sockaddr *)&sa, &salen),
	    0);
	(void)snprintf(port, sizeof(port), "%u", ntohs(sa.sin_port));
	ck_assert_int_eq(pthread_create(&s.tid, NULL, srv_run, &s), 0);

	ctx = net_tls_ctx_new(cert_file, err, sizeof(err));
	ck_assert_msg(ctx != NULL, "%s", err);
	memset(&t, 0, sizeof(t));
	memset(&p, 0, sizeof(p));
	p.net.host = "127.0.0.1";
	p.net.port = port;
	p.net.tls_ctx = ctx;
	p.net.tls_name = "localhost";
	p.net.io_timeout_ms = 3000;
	p.mode = ec->implicit_tls ? IMAP_TLS_IMPLICIT : IMAP_TLS_STARTTLS;
	p.user = "victim@example.org";
	p.secret = "victim-Secret-1";
	p.unsolicited = ec_unsolicited;
	p.arg = &t;
	t.c = imap_client_connect(loop, &p, ec_ready, &t);
	(void)imap_client_wait(t.c, &t.ready);
	if (t.ok) {
		/* Proceed as sync would: open the INBOX, then log out. */
		if (imap_client_cmd(t.c, NULL, ec_done, &t, "SELECT INBOX") ==
		    0)
			(void)imap_client_wait(t.c, &t.done);
		t.done = false;
		if (imap_client_cmd(t.c, NULL, ec_done, &t, "LOGOUT") == 0)
			(void)imap_client_wait(t.c, &t.done);
	}
	want = 0;
	if (t.ok) {
		const char	*w = ec->caps_tls_auth, *e;

		while (*w != '\0') {
			e = strchr(w, ' ');
			if (e == NULL)
				e = w + strlen(w);
			want |= imap_cap_bit(w, (size_t)(e - w));
			w = *e == ' ' ? e + 1 : e;
		}
	}
	if (t.ok && imap_client_caps(t.c) != want)
		why = xasprintf("capabilities %#x, the server's after TLS and "
		    "login are %#x", imap_client_caps(t.c), want);
	imap_client_close(&t.c);
	(void)shutdown(s.lfd, SHUT_RDWR);
	ck_assert_int_eq(pthread_join(s.tid, NULL), 0);
	(void)close(s.lfd);
	if (s.plain_credentials)
		why = xasprintf("credentials sent in plaintext");
	else if (s.plain_mail)
		why = xasprintf("mail commands in plaintext");
	else if (t.believed_plain)
		why = xasprintf("a response from before TLS was believed");
	PUT(buf_printf(outcome, "%s: %s [%s]", t.ok ? "proceeded" :
	    "refused", t.ok ? "" : t.err, buf_str(&s.log)));
	if (why != NULL)
		east_tally.unsafe++;
	else if (t.ok)
		east_tally.proceeded++;
	else
		east_tally.refused++;
	buf_free(&s.log);
	SSL_CTX_free(s.sctx);
	net_tls_ctx_free(&ctx);
	net_loop_free(&loop);
	return why;
}

/* ------------------------------------------------------------------ */

static char	*case_paths[MAX_CASES];
static int	 ncases;

static void
collect(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;
	char		*p;
	size_t		 n;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		n = strlen(e->d_name);
		if (n > 4 && strcmp(e->d_name + n - 4, ".ron") == 0) {
			/* Account setups and the oracle are not attacks. */
			if (strncmp(e->d_name, "setup", 5) == 0 ||
			    strcmp(e->d_name, "tls_setup.ron") == 0 ||
			    strcmp(e->d_name, "oracles.ron") == 0 ||
			    ncases >= MAX_CASES) {
				free(p);
				continue;
			}
			case_paths[ncases++] = p;
		} else {
			collect(p);
			free(p);
		}
	}
	(void)closedir(d);
}

static int
path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

START_TEST(east_cases)
{
	struct east_case	ec;
	struct buf		outcome, unsafe;
	char			*why;
	int			 i;

	/* The corpus is there with its 69 attack cases. */
	ck_assert_int_eq(ncases, 69);
	buf_init(&unsafe, 1 << 20);
	memset(&east_tally, 0, sizeof(east_tally));
	for (i = 0; i < ncases; i++) {
		east_load(&ec, case_paths[i]);
		buf_init(&outcome, 1 << 16);
		why = east_play(&ec, &outcome);
		if (why != NULL)
			PUT(buf_printf(&unsafe, "\n%s: %s (%s)", ec.path, why,
			    buf_str(&outcome)));
		if (getenv("EAST_VERBOSE") != NULL)
			fprintf(stderr, "%s: %s\n", ec.path + strlen(EAST_DIR) +
			    1, buf_str(&outcome));
		free(why);
		buf_free(&outcome);
		east_free(&ec);
	}
	fprintf(stderr, "east: %d IMAP cases: %d refused, %d proceeded "
	    "safely, %d unsafe\n", ncases, east_tally.refused,
	    east_tally.proceeded, east_tally.unsafe);
	if (cert_file[0] != '\0')
		(void)unlink(cert_file);
	ck_assert_msg(east_tally.unsafe == 0, "unsafe:%s", buf_str(&unsafe));
	buf_free(&unsafe);
}
END_TEST

Suite *
imap_east_suite(void)
{
	Suite	*s = suite_create("imap_east");
	TCase	*tc = tcase_create("cases");
	char	 dir[4096];

	(void)snprintf(dir, sizeof(dir), "%s", EAST_DIR);
	collect(dir);
	qsort(case_paths, (size_t)ncases, sizeof(case_paths[0]), path_cmp);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, east_cases);
	suite_add_tcase(s, tc);
	return s;
}
