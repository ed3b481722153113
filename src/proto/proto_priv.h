/*
 * proto_priv.h: what the IMAP, POP3 and SMTP clients share: their own
 * copies of who they talk to and as whom, and the reason a connection
 * failed. Not for other modules.
 */
#ifndef FACTEUR_PROTO_PRIV_H
#define FACTEUR_PROTO_PRIV_H

#include "net.h"

/* The server and the login, owned by the client (the caller's params
 * are only borrowed for the constructor). */
struct proto_peer {
	char	*host, *port, *tls_name, *user;
	char	*secret;	/* wiped when freed */
};

/*
 * Copy net's host ("server" when NULL), port (def_port when NULL) and
 * TLS name, and user and secret (each may be NULL), then point net's
 * fields at the copies.
 */
void	proto_peer_copy(struct proto_peer *pp, struct net_conn_params *net,
	    const char *user, const char *secret, const char *def_port);
void	proto_peer_free(struct proto_peer *pp);

/* Why the connection failed: its own message while it exists, else
 * err (the client's, set when it closed the connection), else a
 * generic one. */
const char *proto_conn_err(struct net_conn *conn, const char *err);

#endif /* FACTEUR_PROTO_PRIV_H */
