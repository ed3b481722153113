/* peer.c: what the protocol clients share (proto_priv.h). */
#include <stdlib.h>
#include <string.h>

#include "proto_priv.h"

void
proto_peer_copy(struct proto_peer *pp, struct net_conn_params *net,
    const char *user, const char *secret, const char *def_port)
{
	pp->host = xstrdup(net->host != NULL ? net->host : "server");
	pp->port = xstrdup(net->port != NULL ? net->port : def_port);
	pp->tls_name = net->tls_name != NULL ? xstrdup(net->tls_name) : NULL;
	pp->user = user != NULL ? xstrdup(user) : NULL;
	pp->secret = secret != NULL ? xstrdup(secret) : NULL;
	net->host = pp->host;
	net->port = pp->port;
	net->tls_name = pp->tls_name;
}

void
proto_peer_free(struct proto_peer *pp)
{
	free(pp->host);
	free(pp->port);
	free(pp->tls_name);
	free(pp->user);
	xfree_secret(&pp->secret);
	memset(pp, 0, sizeof(*pp));
}

const char *
proto_conn_err(struct net_conn *conn, const char *err)
{
	if (conn != NULL)
		return net_conn_errmsg(conn);
	return err != NULL && err[0] != '\0' ? err : "connection failed";
}
