/*
 * tls.c: OpenSSL, and nothing else of net/ touches it (STYLE.md 1).
 *
 * Verification is OpenSSL's own: SSL_VERIFY_PEER with the configured CA
 * file or the system store, SSL_set1_host() for names (with SNI), and
 * X509_VERIFY_PARAM_set1_ip_asc() for IP literals, which SSL_set1_host()
 * does not match against IP subjectAltNames.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "net_priv.h"

struct net_tls_ctx {
	SSL_CTX	*ctx;
};

struct net_tls {
	SSL	*ssl;
};

/* The most specific reason OpenSSL queued, or fallback. */
static void
tls_err_text(char *err, size_t errlen, const char *fallback)
{
	unsigned long	e, last = 0;
	const char	*reason;

	while ((e = ERR_get_error()) != 0)
		last = e;
	reason = last ? ERR_reason_error_string(last) : NULL;
	fct_strlcpy(err, reason ? reason : fallback, errlen);
}

struct net_tls_ctx *
net_tls_ctx_new(const char *ca_file, char *err, size_t errlen)
{
	struct net_tls_ctx	*c;
	SSL_CTX			*ctx;

	ERR_clear_error();
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL) {
		tls_err_text(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		tls_err_text(err, errlen, "cannot require TLS 1.2");
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	/* Protocols above detect truncation; treat an EOF without
	 * close_notify as a plain end of stream. */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (ca_file != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
			char	why[256];

			tls_err_text(why, sizeof(why), "unreadable");
			(void)snprintf(err, errlen,
			    "cannot load CA file %s: %s", ca_file, why);
			SSL_CTX_free(ctx);
			return NULL;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		tls_err_text(err, errlen, "cannot load the system CA store");
		SSL_CTX_free(ctx);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->ctx = ctx;
	return c;
}

void
net_tls_ctx_free(struct net_tls_ctx **cp)
{
	if (cp == NULL || *cp == NULL)
		return;
	SSL_CTX_free((*cp)->ctx);
	free(*cp);
	*cp = NULL;
}

static int
is_ip_literal(const char *name)
{
	unsigned char	addr[16];

	return inet_pton(AF_INET, name, addr) == 1 ||
	    inet_pton(AF_INET6, name, addr) == 1;
}

struct net_tls *
net_tls_new(struct net_tls_ctx *ctx, int fd, const char *name, char *err,
    size_t errlen)
{
	struct net_tls	*t;
	SSL		*ssl;
	int		 ok;

	ERR_clear_error();
	ssl = SSL_new(ctx->ctx);
	if (ssl == NULL) {
		tls_err_text(err, errlen, "cannot create a TLS session");
		return NULL;
	}
	if (is_ip_literal(name)) {
		ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
		    name) == 1;
	} else {
		ok = SSL_set_tlsext_host_name(ssl, name) == 1 &&
		    SSL_set1_host(ssl, name) == 1;
	}
	if (!ok || SSL_set_fd(ssl, fd) != 1) {
		tls_err_text(err, errlen, "cannot set up the TLS session");
		SSL_free(ssl);
		return NULL;
	}
	/* Whole socket reads of several records, not a header then a body
	 * per record: a big download made 200,000 read() calls otherwise.
	 * (Bytes read ahead are TLS's own; net_tls_pending() counts them.) */
	SSL_set_read_ahead(ssl, 1);
	SSL_set_default_read_buffer_len(ssl, 64 * 1024);
	SSL_set_connect_state(ssl);
	t = xcalloc(1, sizeof(*t));
	t->ssl = ssl;
	return t;
}

void
net_tls_free(struct net_tls **tp)
{
	if (tp == NULL || *tp == NULL)
		return;
	SSL_free((*tp)->ssl);
	free(*tp);
	*tp = NULL;
}

/* Map an SSL_ERROR_* to NET_IO_* and fill err on failure. */
static int
tls_io_result(struct net_tls *t, int r, char *err, size_t errlen,
    const char *what)
{
	int	e = SSL_get_error(t->ssl, r);
	char	why[256];

	switch (e) {
	case SSL_ERROR_WANT_READ:
		return NET_IO_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return NET_IO_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0) {
			if (errno == 0 || r == 0) {
				(void)snprintf(err, errlen,
				    "connection closed during TLS %s", what);
				return NET_IO_ERROR;
			}
			(void)snprintf(err, errlen, "TLS %s: %s", what,
			    strerror(errno));
			return NET_IO_ERROR;
		}
		/* FALLTHROUGH */
	default:
		tls_err_text(why, sizeof(why), "unknown error");
		(void)snprintf(err, errlen, "TLS %s failed: %s", what, why);
		return NET_IO_ERROR;
	}
}

int
net_tls_handshake(struct net_tls *t, enum net_err *errcode, char *err,
    size_t errlen)
{
	long	vr;
	int	r;

	ERR_clear_error();
	errno = 0;
	r = SSL_do_handshake(t->ssl);
	if (r == 1)
		return 1;
	vr = SSL_get_verify_result(t->ssl);
	if (vr != X509_V_OK) {
		*errcode = NET_ERR_CERT;
		(void)snprintf(err, errlen, "certificate verify failed (%s)",
		    X509_verify_cert_error_string(vr));
		ERR_clear_error();
		return NET_IO_ERROR;
	}
	r = tls_io_result(t, r, err, errlen, "handshake");
	if (r == 0) {
		fct_strlcpy(err, "connection closed during TLS handshake",
		    errlen);
		r = NET_IO_ERROR;
	}
	*errcode = NET_ERR_TLS;
	return r;
}

ssize_t
net_tls_read(struct net_tls *t, void *p, size_t n, char *err, size_t errlen)
{
	int	r;

	if (n > INT32_MAX)
		n = INT32_MAX;
	ERR_clear_error();
	errno = 0;
	r = SSL_read(t->ssl, p, (int)n);
	if (r > 0)
		return r;
	r = tls_io_result(t, r, err, errlen, "read");
	/* An EOF without close_notify reaches us as SYSCALL with no errno. */
	if (r == NET_IO_ERROR && strncmp(err, "connection closed", 17) == 0)
		return 0;
	return r;
}

ssize_t
net_tls_write(struct net_tls *t, const void *p, size_t n, char *err,
    size_t errlen)
{
	int	r;

	if (n > INT32_MAX)
		n = INT32_MAX;
	ERR_clear_error();
	errno = 0;
	r = SSL_write(t->ssl, p, (int)n);
	if (r > 0)
		return r;
	r = tls_io_result(t, r, err, errlen, "write");
	return r == 0 ? NET_IO_ERROR : r;
}

size_t
net_tls_pending(struct net_tls *t)
{
	int	n = SSL_pending(t->ssl);

	/* Records read ahead but not yet decrypted are pending too: the
	 * socket will not say so again. */
	if (n <= 0 && SSL_has_pending(t->ssl))
		n = 1;
	return n > 0 ? (size_t)n : 0;
}

void
net_tls_shutdown(struct net_tls *t)
{
	ERR_clear_error();
	(void)SSL_shutdown(t->ssl);
	ERR_clear_error();
}

void
net_tls_describe(struct net_tls *t, char *out, size_t n)
{
	(void)snprintf(out, n, "%s %s", SSL_get_version(t->ssl),
	    SSL_get_cipher_name(t->ssl));
}
