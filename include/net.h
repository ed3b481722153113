/*
 * net.h: sockets, TLS and the event loop, under every protocol of facteur.
 *
 * Everything here is non-blocking and driven by one poll() loop
 * (struct net_loop): nothing waits for the network, except the host-name
 * lookup in net_conn_connect(), which uses the blocking getaddrinfo() (the
 * interface runs network code in a separate process, see engine.h).
 *
 * A struct net_conn is a buffered connection over a byte stream: a TCP
 * socket, a TLS session over one, a descriptor handed in by a test
 * (socketpair), or a memory buffer (a fuzzer playing the server). Protocol
 * code reads lines and byte runs from it and queues output; it never sees
 * which kind of stream is underneath.
 *
 * Default rule: arguments are borrowed for the duration of the call; objects
 * returned by *_new and *_connect are owned by the caller and released with
 * the matching *_free / net_conn_close, which accept NULL and clear the
 * caller's pointer.
 *
 * The program must ignore SIGPIPE (a peer closing first must be an error
 * code, not a signal); main() and the test runners do.
 */
#ifndef FACTEUR_NET_H
#define FACTEUR_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* ------------------------------------------------------------------ */
/* The event loop                                                      */

struct net_loop;

/* Called when fd is ready; revents as in poll(2). */
typedef void net_fd_cb(int fd, short revents, void *arg);
/* Called once when a timer expires (a 0 ms timer runs on the next turn). */
typedef void net_timer_cb(void *arg);

struct net_loop	*net_loop_new(void);
/* Watchers and timers still registered are dropped, not called. */
void		 net_loop_free(struct net_loop **loop);

/* Watch fd for events (POLLIN, POLLOUT); calling again changes the events. */
void		 net_loop_watch(struct net_loop *loop, int fd, short events,
		    net_fd_cb *cb, void *arg);
void		 net_loop_unwatch(struct net_loop *loop, int fd);

/* Returns an id > 0 for net_timer_cancel(). */
uint64_t	 net_timer_add(struct net_loop *loop, int64_t ms,
		    net_timer_cb *cb, void *arg);
/* Cancelling an expired or unknown id does nothing. */
void		 net_timer_cancel(struct net_loop *loop, uint64_t id);

/*
 * One turn: wait at most max_wait_ms (-1: until something happens) and
 * dispatch what is ready. Returns a positive number when the turn ran
 * (whether or not a callback was due), 0 when there is nothing left to
 * wait for, -1 when poll() failed (errno set). Timers added during a turn
 * run on a later turn.
 */
int		 net_loop_run_once(struct net_loop *loop, int max_wait_ms);
/* Turn until net_loop_break() or nothing is left; 0, or -1 as above. */
int		 net_loop_run(struct net_loop *loop);
void		 net_loop_break(struct net_loop *loop);

/* ------------------------------------------------------------------ */
/* TLS contexts                                                        */

struct net_tls_ctx;

/*
 * A client context: TLS 1.2 at least, peer verification on, trusting
 * ca_file (PEM) if not NULL, else the system store. NULL on failure, with
 * the reason in err.
 */
struct net_tls_ctx *net_tls_ctx_new(const char *ca_file, char *err,
		    size_t errlen);
void		 net_tls_ctx_free(struct net_tls_ctx **ctx);

/* ------------------------------------------------------------------ */
/* Connections                                                         */

enum net_err {
	NET_OK = 0,
	NET_ERR_RESOLVE,	/* host name lookup failed */
	NET_ERR_CONNECT,	/* refused, unreachable, ... */
	NET_ERR_TIMEOUT,	/* connect or inactivity time limit */
	NET_ERR_TLS,		/* handshake or TLS I/O failed */
	NET_ERR_CERT,		/* certificate or host name not verified */
	NET_ERR_EOF,		/* peer closed the connection */
	NET_ERR_IO,		/* read or write failed */
	NET_ERR_TOO_LONG,	/* line longer than max_line */
	NET_ERR_OUTQ_FULL,	/* more output queued than max_outq */
	NET_ERR_INJECTION,	/* plaintext bytes after a STARTTLS go-ahead */
	NET_ERR_INTERNAL
};

enum net_event {
	NET_EV_CONNECTED,	/* ready for I/O (after the handshake for TLS) */
	NET_EV_READABLE,	/* new input is buffered */
	NET_EV_TLS_READY,	/* the STARTTLS handshake finished */
	NET_EV_DRAINED,		/* the output queue became empty */
	NET_EV_ERROR		/* failed; see net_conn_error(); no more events */
};

struct net_conn;

/*
 * The one callback of a connection. The callback may call any net_conn
 * function, net_conn_close() included (the connection is then freed once
 * the callback returns).
 */
typedef void net_conn_cb(struct net_conn *conn, enum net_event ev, void *arg);

struct net_conn_params {
	const char	*host;		/* name or IP literal to connect to */
	const char	*port;		/* service: "993" */
	bool		 tls;		/* implicit TLS right after connecting */
	/* TLS context for implicit TLS and STARTTLS; borrowed, must outlive
	 * the connection. NULL: no TLS possible. */
	struct net_tls_ctx *tls_ctx;
	/* Name to verify the certificate against and to send as SNI; NULL:
	 * host. An IP literal is matched against the IP addresses of the
	 * certificate. */
	const char	*tls_name;
	/* Local address to bind before connecting (tests); NULL: any. */
	const char	*bind_addr;
	size_t		 max_line;	/* 0: BOUND_LINE */
	size_t		 max_outq;	/* 0: BOUND_OUTQ */
	int		 connect_timeout_ms;	/* 0: BOUND_CONNECT_MS */
	/* Longest silence of the peer while input is expected; 0:
	 * BOUND_IO_MS; negative: none. See net_conn_set_timeout(). */
	int		 io_timeout_ms;
};

/*
 * Start connecting: resolves params->host (blocking), then connects to each
 * address in turn without blocking, then does the TLS handshake if
 * params->tls. Success is NET_EV_CONNECTED, failure NET_EV_ERROR; neither
 * is called before this function returns. Never returns NULL.
 * params and its strings are copied.
 */
struct net_conn	*net_conn_connect(struct net_loop *loop,
		    const struct net_conn_params *params, net_conn_cb *cb,
		    void *arg);

/*
 * A connection over an already connected descriptor (a socketpair in tests).
 * Takes ownership of fd; NET_EV_CONNECTED follows on the next loop turn.
 */
struct net_conn	*net_conn_from_fd(struct net_loop *loop, int fd,
		    const struct net_conn_params *params, net_conn_cb *cb,
		    void *arg);

/*
 * A connection whose peer is a memory buffer: reads return the bytes of
 * [data, data + len) in pieces of at most chunk bytes (0: BOUND_READ_CHUNK),
 * then end of file; writes are appended to the buffer net_conn_mem_output()
 * returns, up to max_outq bytes, then dropped. data is copied. For fuzzers
 * and tests that play a whole session. STARTTLS is refused.
 */
struct net_conn	*net_conn_from_mem(struct net_loop *loop, const void *data,
		    size_t len, size_t chunk,
		    const struct net_conn_params *params, net_conn_cb *cb,
		    void *arg);
/*
 * Where a protocol client's connection comes from: the network (host and
 * port from the params), a connected descriptor (tests: a socketpair; it
 * is owned from then on), or a memory buffer playing the server
 * (fuzzers). One path for the three, so that a client is the same code
 * whichever it is.
 */
enum net_source_kind {
	NET_SOURCE_CONNECT,
	NET_SOURCE_FD,
	NET_SOURCE_MEM
};

struct net_source {
	enum net_source_kind	 kind;
	int			 fd;		/* NET_SOURCE_FD */
	const void		*data;		/* NET_SOURCE_MEM: the peer's */
	size_t			 len, chunk;	/* bytes, read chunk by chunk */
};

/* The network: what protocol clients use outside tests. */
extern const struct net_source net_source_network;

/* net_conn_connect(), net_conn_from_fd() or net_conn_from_mem(), as src
 * says. */
struct net_conn	*net_conn_open(struct net_loop *loop,
		    const struct net_source *src,
		    const struct net_conn_params *params, net_conn_cb *cb,
		    void *arg);

/* What was written to a memory connection so far (borrowed). */
const char	*net_conn_mem_output(struct net_conn *conn, size_t *len);

/* Close and free. Pending output is dropped. */
void		 net_conn_close(struct net_conn **conn);

enum net_line {
	NET_LINE_OK,		/* *line, *len hold one line */
	NET_LINE_WAIT,		/* no complete line buffered yet */
	NET_LINE_FAIL		/* error (too long, or the connection failed) */
};

/*
 * Take the next line: the bytes up to LF, without the LF and without one CR
 * right before it. The line may contain NUL and other control bytes; callers
 * validate. *line stays valid until the next call on this connection.
 * A line longer than max_line fails the connection (NET_ERR_TOO_LONG); the
 * NET_EV_ERROR event then follows.
 */
enum net_line	 net_conn_read_line(struct net_conn *conn, const char **line,
		    size_t *len);

/*
 * Raw access to buffered input, for literals and message bodies: returns
 * the number of bytes buffered and points *data at them (valid until the
 * next call on this connection); net_conn_consume() drops n of them.
 */
size_t		 net_conn_peek(struct net_conn *conn, const char **data);
void		 net_conn_consume(struct net_conn *conn, size_t n);
/* True once the peer closed its side and every buffered byte was taken. */
bool		 net_conn_at_eof(const struct net_conn *conn);

/*
 * Queue output; it is sent as the peer accepts it. -1 if the queue would
 * exceed max_outq (the connection then fails with NET_ERR_OUTQ_FULL) or the
 * connection already failed.
 */
int		 net_conn_write(struct net_conn *conn, const void *data,
		    size_t len) FCT_MUST_CHECK;
size_t		 net_conn_outq_len(const struct net_conn *conn);

/*
 * Upgrade to TLS (STARTTLS, STLS). Call right after reading the server's
 * go-ahead line. Refuses (NET_ERR_INJECTION, -1) if any byte is buffered or
 * waiting on the socket: a server must send nothing more before the
 * handshake, and anything it did send could be an attacker's injection.
 * NET_EV_TLS_READY or NET_EV_ERROR follows.
 */
int		 net_conn_starttls(struct net_conn *conn);

/*
 * Inactivity limit while input is awaited: the connection fails with
 * NET_ERR_TIMEOUT when nothing arrives for ms milliseconds (< 0: never).
 * The clock restarts on every byte received. Protocols set a long or no
 * limit while idle (IMAP IDLE).
 */
void		 net_conn_set_timeout(struct net_conn *conn, int ms);

/* The failure, once NET_EV_ERROR was delivered (else NET_OK / ""). */
enum net_err	 net_conn_error(const struct net_conn *conn);
const char	*net_conn_errmsg(const struct net_conn *conn);
/* Make the connection fail with this text (protocol errors); event follows. */
void		 net_conn_fail(struct net_conn *conn, enum net_err err,
		    const char *fmt, ...) FCT_PRINTF(3, 4);

bool		 net_conn_is_tls(const struct net_conn *conn);
/* "TLSv1.3 TLS_AES_256_GCM_SHA384", or "" without TLS (borrowed). */
const char	*net_conn_tls_info(const struct net_conn *conn);
/* "host:port" as given in the params (borrowed). */
const char	*net_conn_peer(const struct net_conn *conn);

#endif /* FACTEUR_NET_H */
