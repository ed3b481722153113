/*
 * net_priv.h: what the files of net/ share: the TLS session API used by
 * conn.c. Only tls.c includes OpenSSL.
 */
#ifndef FACTEUR_NET_PRIV_H
#define FACTEUR_NET_PRIV_H

#include <stddef.h>
#include <sys/types.h>

#include "net.h"

/* Results of the TLS I/O functions besides a byte count. */
#define NET_IO_WANT_READ	(-2)
#define NET_IO_WANT_WRITE	(-3)
#define NET_IO_ERROR		(-1)

struct net_tls;

/*
 * A client session over the connected fd (not owned), verifying the peer
 * as name (a host name, or an IP literal). NULL on failure, reason in err.
 */
struct net_tls	*net_tls_new(struct net_tls_ctx *ctx, int fd, const char *name,
		    char *err, size_t errlen);
void		 net_tls_free(struct net_tls **tls);
/*
 * Advance the handshake: 1 when done, NET_IO_WANT_READ/WRITE, or
 * NET_IO_ERROR with *errcode (NET_ERR_CERT or NET_ERR_TLS) and the reason
 * ("certificate verify failed (...)") in err.
 */
int		 net_tls_handshake(struct net_tls *tls, enum net_err *errcode,
		    char *err, size_t errlen);
/* > 0 bytes, 0 at a clean or unclean end of stream, or a NET_IO_* code. */
ssize_t		 net_tls_read(struct net_tls *tls, void *p, size_t n,
		    char *err, size_t errlen);
ssize_t		 net_tls_write(struct net_tls *tls, const void *p, size_t n,
		    char *err, size_t errlen);
/* Decrypted bytes held inside the session, readable without the fd. */
size_t		 net_tls_pending(struct net_tls *tls);
/* Best-effort close_notify, without waiting. */
void		 net_tls_shutdown(struct net_tls *tls);
/* "TLSv1.3 TLS_AES_256_GCM_SHA384" into out. */
void		 net_tls_describe(struct net_tls *tls, char *out, size_t n);

#endif /* FACTEUR_NET_PRIV_H */
