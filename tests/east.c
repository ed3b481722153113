/*
 * east.c: what the STARTTLS test cases of the study "Why TLS is better
 * without STARTTLS" (tests/data/corpus/nostarttls-east, RON files) need
 * whatever the protocol: reading the RON fields the cases use, a
 * throwaway certificate for localhost, and the scripted server's
 * connection (a loopback listener, lines in plaintext or TLS, the switch
 * to TLS). check_imap_east.c and check_smtp_east.c play the cases.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "east.h"
#include "tests.h"

#define PUT(x)		do { if ((x) == -1) abort(); } while (0)
#define EAST_MAX_CASES	128

/* ------------------------------------------------------------------ */
/* Reading the RON cases                                               */

/* The text without // comments (outside strings). Owned. */
char *
east_strip_comments(const char *s)
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
const char *
east_field(const char *t, const char *name)
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
char *
east_ron_string(const char *p, const char **end)
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
char *
east_field_string(const char *t, const char *name)
{
	const char	*p = east_field(t, name);

	if (p == NULL || strncmp(p, "None", 4) == 0)
		return NULL;
	if (strncmp(p, "Some(", 5) == 0)
		p += 5;
	return east_ron_string(p, NULL);
}

bool
east_field_bool(const char *t, const char *name, bool dflt)
{
	const char	*p = east_field(t, name);

	if (p == NULL)
		return dflt;
	return strncmp(p, "true", 4) == 0;
}

/* The list of strings of a field (["a", "b"]) joined by "|". */
char *
east_field_list(const char *t, const char *name)
{
	const char	*p = east_field(t, name);
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
			s = east_ron_string(p, &p);
			PUT(buf_printf(&b, "%s|", s));
			free(s);
		}
	return buf_take(&b);
}

char *
east_read_case(const char *path)
{
	struct buf	 raw;
	char		*t;

	buf_init(&raw, 1 << 20);
	ck_assert_int_eq(test_read_file(path, &raw), 0);
	t = east_strip_comments(buf_str(&raw));
	buf_free(&raw);
	return t;
}

bool
east_in_list(const char *list, const char *word)
{
	char	pat[128];

	(void)snprintf(pat, sizeof(pat), "|%.64s|", word);
	return strstr(list, pat) != NULL;
}

/* ------------------------------------------------------------------ */
/* A throwaway certificate for localhost                               */

static char	cert_file[256];
static EVP_PKEY	*cert_key;
static X509	*cert_x509;

static void
make_cert_once(void)
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

const char *
east_cert_file(void)
{
	make_cert_once();
	return cert_file;
}

void
east_cert_cleanup(void)
{
	/* Made again by the next user (several suites in one process). */
	if (cert_file[0] != '\0')
		(void)unlink(cert_file);
	cert_file[0] = '\0';
	X509_free(cert_x509);
	EVP_PKEY_free(cert_key);
	cert_x509 = NULL;
	cert_key = NULL;
}

/* ------------------------------------------------------------------ */
/* The scripted server's connection                                    */

int
east_listen(char port[16])
{
	struct sockaddr_in	sa;
	socklen_t		salen = sizeof(sa);
	int			fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &salen), 0);
	(void)snprintf(port, 16, "%u", ntohs(sa.sin_port));
	return fd;
}

void
east_conn_init(struct east_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	buf_init(&c->log, 1 << 16);
	make_cert_once();
	c->sctx = SSL_CTX_new(TLS_server_method());
	ck_assert_ptr_nonnull(c->sctx);
	ck_assert_int_eq(SSL_CTX_use_certificate(c->sctx, cert_x509), 1);
	ck_assert_int_eq(SSL_CTX_use_PrivateKey(c->sctx, cert_key), 1);
}

void
east_conn_free(struct east_conn *c)
{
	if (c->ssl != NULL) {
		(void)SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->fd >= 0)
		(void)close(c->fd);
	SSL_CTX_free(c->sctx);
	buf_free(&c->log);
	c->ssl = NULL;
	c->fd = -1;
}

bool
east_conn_read_line(struct east_conn *c, struct buf *line)
{
	char	ch;
	int	r;

	buf_reset(line);
	for (;;) {
		if (c->ssl != NULL)
			r = SSL_read(c->ssl, &ch, 1);
		else {
			ssize_t	n = read(c->fd, &ch, 1);

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

void
east_conn_write(struct east_conn *c, const char *data, size_t len)
{
	if (c->ssl != NULL)
		(void)SSL_write(c->ssl, data, (int)len);
	else
		(void)!write(c->fd, data, len);
}

bool
east_conn_tls(struct east_conn *c)
{
	c->ssl = SSL_new(c->sctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1 ||
	    SSL_accept(c->ssl) != 1) {
		PUT(buf_append_str(&c->log, "tls-failed;"));
		return false;
	}
	PUT(buf_append_str(&c->log, "tls;"));
	return true;
}

bool
east_conn_is_tls(const struct east_conn *c)
{
	return c->ssl != NULL;
}

/* ------------------------------------------------------------------ */
/* The cases of a directory                                            */

static void
collect(const char *dir, char **case_paths, int *ncases, int max)
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
			    *ncases >= max) {
				free(p);
				continue;
			}
			case_paths[(*ncases)++] = p;
		} else {
			collect(p, case_paths, ncases, max);
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

int
east_collect(const char *dir, char **paths, int max)
{
	int	n = 0;

	collect(dir, paths, &n, max);
	qsort(paths, (size_t)n, sizeof(paths[0]), path_cmp);
	return n;
}

void
east_run(const char *proto, const char *dir, int want, east_play_fn *play)
{
	char		*paths[EAST_MAX_CASES], *why;
	struct buf	 outcome, unsafe;
	int		 n, i, refused = 0, proceeded = 0, bad = 0;
	bool		 went_on;

	n = east_collect(dir, paths, EAST_MAX_CASES);
	ck_assert_int_eq(n, want);
	buf_init(&unsafe, 1 << 20);
	for (i = 0; i < n; i++) {
		buf_init(&outcome, 1 << 16);
		went_on = false;
		why = play(paths[i], &outcome, &went_on);
		if (why != NULL) {
			bad++;
			PUT(buf_printf(&unsafe, "\n%s: %s (%s)", paths[i], why,
			    buf_str(&outcome)));
		} else if (went_on)
			proceeded++;
		else
			refused++;
		if (getenv("EAST_VERBOSE") != NULL)
			fprintf(stderr, "%s: %s\n", paths[i] + strlen(dir) + 1,
			    buf_str(&outcome));
		free(why);
		buf_free(&outcome);
		free(paths[i]);
	}
	fprintf(stderr, "east: %d %s cases: %d refused, %d proceeded safely, "
	    "%d unsafe\n", n, proto, refused, proceeded, bad);
	east_cert_cleanup();
	ck_assert_msg(bad == 0, "unsafe:%s", buf_str(&unsafe));
	buf_free(&unsafe);
}

void
east_stage_start(struct east_stage *st, int *lfd, void *(*srv)(void *),
    void *arg)
{
	char	err[256];

	memset(st, 0, sizeof(*st));
	st->loop = net_loop_new();
	st->ctx = net_tls_ctx_new(east_cert_file(), err, sizeof(err));
	ck_assert_msg(st->ctx != NULL, "%s", err);
	st->lfd = *lfd = east_listen(st->port);
	ck_assert_int_eq(pthread_create(&st->tid, NULL, srv, arg), 0);
}

void
east_stage_net(const struct east_stage *st, struct net_conn_params *np)
{
	np->host = "127.0.0.1";
	np->port = st->port;
	np->tls_ctx = st->ctx;
	np->tls_name = "localhost";
	np->io_timeout_ms = 3000;
}

void
east_stage_end(struct east_stage *st)
{
	(void)shutdown(st->lfd, SHUT_RDWR);
	ck_assert_int_eq(pthread_join(st->tid, NULL), 0);
	(void)close(st->lfd);
	net_tls_ctx_free(&st->ctx);
	net_loop_free(&st->loop);
}

void
east_outcome(struct buf *outcome, bool ok, const char *err,
    const struct east_conn *srv)
{
	ck_assert_int_eq(buf_printf(outcome, "%s: %s [%s]", ok ? "proceeded" :
	    "refused", ok ? "" : err, buf_str(&srv->log)), 0);
}
