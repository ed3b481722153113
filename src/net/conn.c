/*
 * conn.c: buffered connections over a socket, a TLS session or a memory
 * buffer, driven by the loop (see net.h).
 *
 * Re-entrancy: the user callback may close the connection. Every entry
 * point from the loop holds conn->depth; net_conn_close() inside a callback
 * only marks the connection dead, and the outermost entry point frees it.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounds.h"
#include "buf.h"
#include "net_priv.h"

enum conn_state {
	CS_CONNECTING,	/* TCP connect in progress */
	CS_HANDSHAKE,	/* TLS handshake (implicit or STARTTLS) */
	CS_OPEN,
	CS_FAILED
};

struct net_conn {
	struct net_loop	*loop;		/* borrowed */
	net_conn_cb	*cb;
	void		*arg;
	enum conn_state	 state;
	int		 depth;		/* nested entry points running */
	bool		 dead;		/* closed while depth > 0 */

	char		 host[BOUND_HOST];
	char		 port[32];
	char		 tls_name[BOUND_HOST];
	char		 peer[BOUND_HOST + 40];
	char		 bind_addr[64];
	bool		 implicit_tls;
	bool		 starttls;	/* current handshake is STARTTLS */
	struct net_tls_ctx *tls_ctx;	/* borrowed */
	struct net_tls	*tls;		/* owned; NULL on a plain stream */
	char		 tls_info[128];
	int		 tls_want;	/* handshake: NET_IO_WANT_* */
	int		 rd_want;	/* last read wanted: NET_IO_WANT_* or 0 */
	int		 wr_want;	/* last write wanted: NET_IO_WANT_* or 0 */

	int		 fd;		/* owned; -1 for memory connections */
	struct addrinfo	*ai_list;	/* owned */
	struct addrinfo	*ai_next;	/* next address to try */
	char		 last_connect_err[128];

	bool		 is_mem;
	struct buf	 mem_in;	/* memory peer: what it sends */
	size_t		 mem_off;
	size_t		 mem_chunk;
	struct buf	 mem_out;	/* memory peer: what we sent */

	struct buf	 in;		/* received, not yet consumed */
	size_t		 in_off;	/* consumed prefix of in */
	bool		 eof;		/* peer closed its side */
	struct buf	 out;		/* queued output */
	size_t		 out_off;	/* sent prefix of out */
	bool		 notify_drain;

	size_t		 max_line;
	int		 connect_timeout_ms;
	int		 io_timeout_ms;
	int64_t		 last_activity;
	uint64_t	 timer;		/* timeout timer id, 0 if none */
	uint64_t	 kick;		/* deferred-work timer id, 0 if none */
	bool		 connected_pending; /* NET_EV_CONNECTED on next turn */

	enum net_err	 err;
	char		 errmsg[BOUND_ERRMSG];
};

static void	conn_fd_cb(int fd, short revents, void *arg);
static void	conn_kick_cb(void *arg);
static void	conn_timer_cb(void *arg);
static void	conn_try_next_address(struct net_conn *c);
static void	conn_update(struct net_conn *c);
static void	conn_do_read(struct net_conn *c);

/* ------------------------------------------------------------------ */

static void
conn_destroy(struct net_conn *c)
{
	if (c->timer)
		net_timer_cancel(c->loop, c->timer);
	if (c->kick)
		net_timer_cancel(c->loop, c->kick);
	if (c->fd != -1) {
		net_loop_unwatch(c->loop, c->fd);
		if (c->tls != NULL && c->state == CS_OPEN)
			net_tls_shutdown(c->tls);
	}
	net_tls_free(&c->tls);
	if (c->fd != -1)
		(void)close(c->fd);
	if (c->ai_list != NULL)
		freeaddrinfo(c->ai_list);
	buf_free(&c->in);
	buf_free(&c->out);
	buf_free(&c->mem_in);
	buf_free(&c->mem_out);
	free(c);
}

static void
conn_enter(struct net_conn *c)
{
	c->depth++;
}

/* Leave an entry point; returns false if the connection is gone. */
static bool
conn_leave(struct net_conn *c)
{
	if (--c->depth == 0 && c->dead) {
		conn_destroy(c);
		return false;
	}
	return !c->dead;
}

static void
conn_emit(struct net_conn *c, enum net_event ev)
{
	if (c->dead)
		return;
	c->depth++;
	c->cb(c, ev, c->arg);
	c->depth--;
}

static void FCT_PRINTF(3, 0)
conn_failv(struct net_conn *c, enum net_err err, const char *fmt, va_list ap)
{
	if (c->state == CS_FAILED || c->dead)
		return;
	c->state = CS_FAILED;
	c->err = err;
	(void)vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
	if (c->fd != -1)
		net_loop_unwatch(c->loop, c->fd);
	if (c->timer) {
		net_timer_cancel(c->loop, c->timer);
		c->timer = 0;
	}
	conn_emit(c, NET_EV_ERROR);
}

static void FCT_PRINTF(3, 4)
conn_fail(struct net_conn *c, enum net_err err, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	conn_failv(c, err, fmt, ap);
	va_end(ap);
}

void
net_conn_fail(struct net_conn *c, enum net_err err, const char *fmt, ...)
{
	va_list	ap;

	conn_enter(c);
	va_start(ap, fmt);
	conn_failv(c, err, fmt, ap);
	va_end(ap);
	(void)conn_leave(c);
}

/* strerror() with a lower-case first letter, for "...: connection refused". */
static void
errno_text(int e, char *out, size_t n)
{
	fct_strlcpy(out, strerror(e), n);
	if (out[0] >= 'A' && out[0] <= 'Z' && !(out[1] >= 'A' && out[1] <= 'Z'))
		out[0] = (char)(out[0] - 'A' + 'a');
}

/* ------------------------------------------------------------------ */
/* Construction                                                        */

static struct net_conn *
conn_new(struct net_loop *loop, const struct net_conn_params *p,
    net_conn_cb *cb, void *arg)
{
	struct net_conn	*c;
	size_t		 max_outq;

	c = xcalloc(1, sizeof(*c));
	c->loop = loop;
	c->cb = cb;
	c->arg = arg;
	c->fd = -1;
	fct_strlcpy(c->host, p->host ? p->host : "", sizeof(c->host));
	fct_strlcpy(c->port, p->port ? p->port : "", sizeof(c->port));
	fct_strlcpy(c->tls_name, p->tls_name ? p->tls_name : c->host,
	    sizeof(c->tls_name));
	fct_strlcpy(c->bind_addr, p->bind_addr ? p->bind_addr : "",
	    sizeof(c->bind_addr));
	if (strchr(c->host, ':') != NULL)
		(void)snprintf(c->peer, sizeof(c->peer), "[%s]:%s", c->host,
		    c->port);
	else
		(void)snprintf(c->peer, sizeof(c->peer), "%s:%s", c->host,
		    c->port);
	c->implicit_tls = p->tls;
	c->tls_ctx = p->tls_ctx;
	c->max_line = p->max_line ? p->max_line : BOUND_LINE;
	max_outq = p->max_outq ? p->max_outq : BOUND_OUTQ;
	c->connect_timeout_ms = p->connect_timeout_ms > 0 ?
	    p->connect_timeout_ms : BOUND_CONNECT_MS;
	c->io_timeout_ms = p->io_timeout_ms == 0 ? BOUND_IO_MS :
	    p->io_timeout_ms;
	/* Room for one full line plus one read. */
	buf_init(&c->in, c->max_line + BOUND_READ_CHUNK + 2);
	buf_init(&c->out, max_outq);
	buf_init(&c->mem_in, SIZE_MAX / 2);
	buf_init(&c->mem_out, max_outq);
	c->last_activity = time_mono_ms();
	return c;
}

static void
conn_schedule_kick(struct net_conn *c)
{
	if (c->kick == 0 && !c->dead)
		c->kick = net_timer_add(c->loop, 0, conn_kick_cb, c);
}

struct net_conn *
net_conn_connect(struct net_loop *loop, const struct net_conn_params *p,
    net_conn_cb *cb, void *arg)
{
	struct net_conn	*c;
	struct addrinfo	 hints;
	int		 r;

	c = conn_new(loop, p, cb, arg);
	c->state = CS_CONNECTING;
	if (c->implicit_tls && c->tls_ctx == NULL) {
		c->err = NET_ERR_INTERNAL;
		fct_strlcpy(c->errmsg, "TLS requested without a TLS context",
		    sizeof(c->errmsg));
		conn_schedule_kick(c);
		return c;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	r = getaddrinfo(c->host, c->port, &hints, &c->ai_list);
	if (r != 0) {
		c->err = NET_ERR_RESOLVE;
		(void)snprintf(c->errmsg, sizeof(c->errmsg),
		    "cannot resolve %s: %s", c->peer,
		    r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		c->ai_list = NULL;
		conn_schedule_kick(c);
		return c;
	}
	c->ai_next = c->ai_list;
	conn_enter(c);
	conn_try_next_address(c);
	(void)conn_leave(c);
	return c;
}

static int
set_nonblock(int fd)
{
	int	fl;

	fl = fcntl(fd, F_GETFL);
	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return -1;
	return 0;
}

struct net_conn *
net_conn_from_fd(struct net_loop *loop, int fd,
    const struct net_conn_params *p, net_conn_cb *cb, void *arg)
{
	struct net_conn	*c;

	c = conn_new(loop, p, cb, arg);
	c->fd = fd;
	if (set_nonblock(fd) == -1) {
		c->err = NET_ERR_INTERNAL;
		(void)snprintf(c->errmsg, sizeof(c->errmsg),
		    "cannot make descriptor non-blocking: %s",
		    strerror(errno));
	} else if (c->implicit_tls) {
		c->state = CS_CONNECTING;
		c->connected_pending = true;	/* handshake starts next turn */
	} else {
		c->state = CS_OPEN;
		c->connected_pending = true;
	}
	conn_schedule_kick(c);
	return c;
}

struct net_conn *
net_conn_from_mem(struct net_loop *loop, const void *data, size_t len,
    size_t chunk, const struct net_conn_params *p, net_conn_cb *cb,
    void *arg)
{
	struct net_conn	*c;

	c = conn_new(loop, p, cb, arg);
	c->is_mem = true;
	c->mem_chunk = chunk ? chunk : BOUND_READ_CHUNK;
	if (buf_append(&c->mem_in, data, len) == -1)
		fatalx("net_conn_from_mem: %zu bytes", len);
	c->state = CS_OPEN;
	c->connected_pending = true;
	c->io_timeout_ms = -1;
	conn_schedule_kick(c);
	return c;
}

const struct net_source net_source_network = { .kind = NET_SOURCE_CONNECT };

struct net_conn *
net_conn_open(struct net_loop *loop, const struct net_source *src,
    const struct net_conn_params *params, net_conn_cb *cb, void *arg)
{
	switch (src->kind) {
	case NET_SOURCE_FD:
		return net_conn_from_fd(loop, src->fd, params, cb, arg);
	case NET_SOURCE_MEM:
		return net_conn_from_mem(loop, src->data, src->len, src->chunk,
		    params, cb, arg);
	default:
		return net_conn_connect(loop, params, cb, arg);
	}
}

const char *
net_conn_mem_output(struct net_conn *c, size_t *len)
{
	*len = c->mem_out.len;
	return buf_str(&c->mem_out);
}

void
net_conn_close(struct net_conn **cp)
{
	struct net_conn	*c;

	if (cp == NULL || *cp == NULL)
		return;
	c = *cp;
	*cp = NULL;
	if (c->depth > 0) {
		c->dead = true;
		if (c->fd != -1)
			net_loop_unwatch(c->loop, c->fd);
		return;
	}
	conn_destroy(c);
}

/* ------------------------------------------------------------------ */
/* Connecting                                                          */

static void
conn_start_tls(struct net_conn *c)
{
	char	err[BOUND_ERRMSG];

	c->tls = net_tls_new(c->tls_ctx, c->fd, c->tls_name, err,
	    sizeof(err));
	if (c->tls == NULL) {
		conn_fail(c, NET_ERR_TLS, "%s for %s", err, c->peer);
		return;
	}
	c->state = CS_HANDSHAKE;
	c->tls_want = NET_IO_WANT_WRITE;
	c->last_activity = time_mono_ms();
	conn_update(c);
}

static void
conn_established(struct net_conn *c)
{
	if (c->ai_list != NULL) {
		freeaddrinfo(c->ai_list);
		c->ai_list = NULL;
		c->ai_next = NULL;
	}
	if (c->implicit_tls) {
		conn_start_tls(c);
		return;
	}
	c->state = CS_OPEN;
	c->last_activity = time_mono_ms();
	conn_update(c);
	conn_emit(c, NET_EV_CONNECTED);
}

static int
conn_bind(struct net_conn *c, int fd, int family)
{
	struct addrinfo	 hints, *res;
	int		 r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
	if (getaddrinfo(c->bind_addr, NULL, &hints, &res) != 0)
		return -1;
	r = bind(fd, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return r;
}

/* Start a connect to the next address; on the last failure, fail. */
static void
conn_try_next_address(struct net_conn *c)
{
	struct addrinfo	*ai;
	int		 fd;

	while ((ai = c->ai_next) != NULL) {
		c->ai_next = ai->ai_next;
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd == -1) {
			errno_text(errno, c->last_connect_err,
			    sizeof(c->last_connect_err));
			continue;
		}
		if (set_nonblock(fd) == -1 ||
		    (c->bind_addr[0] && conn_bind(c, fd, ai->ai_family) == -1)) {
			errno_text(errno, c->last_connect_err,
			    sizeof(c->last_connect_err));
			(void)close(fd);
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    errno == EINPROGRESS) {
			c->fd = fd;
			c->last_activity = time_mono_ms();
			conn_update(c);
			return;
		}
		errno_text(errno, c->last_connect_err,
		    sizeof(c->last_connect_err));
		(void)close(fd);
	}
	conn_fail(c, NET_ERR_CONNECT, "cannot connect to %s: %s", c->peer,
	    c->last_connect_err[0] ? c->last_connect_err : "no address");
}

static void
conn_connect_ready(struct net_conn *c)
{
	int		e = 0;
	socklen_t	len = sizeof(e);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		e = errno;
	if (e == 0) {
		conn_established(c);
		return;
	}
	errno_text(e, c->last_connect_err, sizeof(c->last_connect_err));
	net_loop_unwatch(c->loop, c->fd);
	(void)close(c->fd);
	c->fd = -1;
	conn_try_next_address(c);
}

/* ------------------------------------------------------------------ */
/* TLS handshake                                                       */

static void
conn_handshake_step(struct net_conn *c)
{
	enum net_err	code = NET_ERR_TLS;
	char		err[BOUND_ERRMSG];
	int		r;

	r = net_tls_handshake(c->tls, &code, err, sizeof(err));
	if (r == 1) {
		net_tls_describe(c->tls, c->tls_info, sizeof(c->tls_info));
		c->state = CS_OPEN;
		c->tls_want = 0;
		c->last_activity = time_mono_ms();
		conn_update(c);
		conn_emit(c, c->starttls ? NET_EV_TLS_READY :
		    NET_EV_CONNECTED);
		return;
	}
	if (r == NET_IO_ERROR) {
		conn_fail(c, code, "%s for %s", err, c->peer);
		return;
	}
	c->tls_want = r;
	c->last_activity = time_mono_ms();
	conn_update(c);
}

int
net_conn_starttls(struct net_conn *c)
{
	char	probe;
	ssize_t	n;

	if (c->state != CS_OPEN || c->tls != NULL || c->is_mem ||
	    c->tls_ctx == NULL) {
		conn_enter(c);
		conn_fail(c, NET_ERR_INTERNAL,
		    "STARTTLS impossible on this connection to %s", c->peer);
		(void)conn_leave(c);
		return -1;
	}
	/*
	 * Anything the server sent after its go-ahead, whether we already
	 * read it or it still waits in the socket, was sent in plaintext
	 * and could be an injected response (RFC 3207 section 4.2 and the
	 * "STARTTLS command injection" attacks): never use it.
	 */
	n = recv(c->fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
	if (c->in.len > c->in_off || n > 0) {
		conn_enter(c);
		conn_fail(c, NET_ERR_INJECTION,
		    "%s sent data after its STARTTLS reply, before the TLS "
		    "handshake (possible injection attack); connection "
		    "aborted", c->peer);
		(void)conn_leave(c);
		return -1;
	}
	conn_enter(c);
	c->starttls = true;
	buf_reset(&c->in);
	c->in_off = 0;
	conn_start_tls(c);
	return conn_leave(c) && c->state != CS_FAILED ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

static size_t
conn_buffered(const struct net_conn *c)
{
	return c->in.len - c->in_off;
}

static bool
conn_wants_input(const struct net_conn *c)
{
	return c->state == CS_OPEN && !c->eof &&
	    conn_buffered(c) < c->max_line + 1;
}

/* One read from the stream into the buffer: >0, 0 EOF, or NET_IO_*. */
static ssize_t
conn_stream_read(struct net_conn *c, char *dst, size_t n)
{
	char	err[BOUND_ERRMSG];
	ssize_t	r;

	if (c->is_mem) {
		size_t	left = c->mem_in.len - c->mem_off;

		if (n > c->mem_chunk)
			n = c->mem_chunk;
		if (n > left)
			n = left;
		memcpy(dst, c->mem_in.data + c->mem_off, n);
		c->mem_off += n;
		return (ssize_t)n;
	}
	if (c->tls != NULL) {
		r = net_tls_read(c->tls, dst, n, err, sizeof(err));
		if (r == NET_IO_ERROR)
			conn_fail(c, NET_ERR_TLS, "%s (%s)", err, c->peer);
		return r;
	}
	r = read(c->fd, dst, n);
	if (r >= 0)
		return r;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return NET_IO_WANT_READ;
	errno_text(errno, err, sizeof(err));
	conn_fail(c, NET_ERR_IO, "reading from %s: %s", c->peer, err);
	return NET_IO_ERROR;
}

static size_t
conn_stream_pending(const struct net_conn *c)
{
	if (c->is_mem)
		return c->mem_in.len - c->mem_off + (c->eof ? 0 : 1);
	if (c->tls != NULL)
		return net_tls_pending(c->tls);
	return 0;
}

/*
 * Read what the stream has (up to the buffer's room), then tell the user.
 * On end of stream the user first gets the remaining input, then the
 * NET_ERR_EOF failure.
 */
static void
conn_do_read(struct net_conn *c)
{
	bool	got = false;
	ssize_t	r = 0;

	c->rd_want = 0;
	if (c->in_off > 0) {
		buf_consume(&c->in, c->in_off);
		c->in_off = 0;
	}
	while (conn_wants_input(c)) {
		char	*dst = buf_reserve(&c->in, BOUND_READ_CHUNK);

		if (dst == NULL)
			break;
		r = conn_stream_read(c, dst, BOUND_READ_CHUNK);
		if (r > 0) {
			buf_commit(&c->in, (size_t)r);
			got = true;
			c->last_activity = time_mono_ms();
			if (c->is_mem)
				break;
			continue;
		}
		if (r == 0)
			c->eof = true;
		else if (r != NET_IO_ERROR)
			c->rd_want = (int)r;
		break;
	}
	if (c->state == CS_FAILED || c->dead)
		return;
	if (got)
		conn_emit(c, NET_EV_READABLE);
	if (c->state == CS_FAILED || c->dead)
		return;
	/* At end of stream, let the user take what is buffered first; the
	 * deferred check then reports the end (conn_eof_check). */
	if (c->eof)
		conn_schedule_kick(c);
	else
		conn_update(c);
}

/* Nothing more will come: what is left can never be completed. */
static void
conn_eof_check(struct net_conn *c)
{
	if (conn_buffered(c) == 0)
		conn_fail(c, NET_ERR_EOF, "connection closed by %s", c->peer);
	else
		conn_fail(c, NET_ERR_EOF,
		    "connection closed by %s in the middle of a response",
		    c->peer);
}

enum net_line
net_conn_read_line(struct net_conn *c, const char **line, size_t *len)
{
	const char	*start, *lf;
	size_t		 avail, n;

	if (c->state == CS_FAILED || c->dead)
		return NET_LINE_FAIL;
	start = c->in.data + c->in_off;
	avail = conn_buffered(c);
	lf = avail ? memchr(start, '\n', avail) : NULL;
	if (lf == NULL) {
		if (avail > c->max_line) {
			conn_enter(c);
			conn_fail(c, NET_ERR_TOO_LONG,
			    "%s sent a line longer than %zu bytes", c->peer,
			    c->max_line);
			(void)conn_leave(c);
			return NET_LINE_FAIL;
		}
		/* More input may now fit: let the loop read it. */
		if (!c->eof)
			conn_update(c);
		return NET_LINE_WAIT;
	}
	n = (size_t)(lf - start);
	c->in_off += n + 1;
	if (n > 0 && start[n - 1] == '\r')
		n--;
	if (n > c->max_line) {
		conn_enter(c);
		conn_fail(c, NET_ERR_TOO_LONG,
		    "%s sent a line longer than %zu bytes", c->peer,
		    c->max_line);
		(void)conn_leave(c);
		return NET_LINE_FAIL;
	}
	*line = start;
	*len = n;
	return NET_LINE_OK;
}

size_t
net_conn_peek(struct net_conn *c, const char **data)
{
	*data = c->in.data ? c->in.data + c->in_off : "";
	return conn_buffered(c);
}

void
net_conn_consume(struct net_conn *c, size_t n)
{
	size_t	avail = conn_buffered(c);

	c->in_off += n < avail ? n : avail;
	if (!c->dead && c->state == CS_OPEN)
		conn_update(c);
}

bool
net_conn_at_eof(const struct net_conn *c)
{
	return c->eof && conn_buffered(c) == 0;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

static void
conn_flush(struct net_conn *c)
{
	char	err[BOUND_ERRMSG];
	ssize_t	r;

	while (c->out_off < c->out.len && c->state == CS_OPEN) {
		const char	*p = c->out.data + c->out_off;
		size_t		 n = c->out.len - c->out_off;

		if (c->is_mem) {
			size_t	room = c->mem_out.max - c->mem_out.len;

			if (n > room)
				n = room;
			if (n > 0 && buf_append(&c->mem_out, p, n) == -1)
				n = 0;
			r = (ssize_t)(c->out.len - c->out_off);
		} else if (c->tls != NULL) {
			r = net_tls_write(c->tls, p, n, err, sizeof(err));
			if (r == NET_IO_ERROR) {
				conn_fail(c, NET_ERR_TLS, "%s (%s)", err,
				    c->peer);
				return;
			}
		} else {
			r = send(c->fd, p, n, MSG_NOSIGNAL);
			if (r == -1 && (errno == EAGAIN ||
			    errno == EWOULDBLOCK || errno == EINTR))
				r = NET_IO_WANT_WRITE;
			else if (r == -1) {
				errno_text(errno, err, sizeof(err));
				conn_fail(c, NET_ERR_IO, "writing to %s: %s",
				    c->peer, err);
				return;
			}
		}
		if (r < 0) {
			c->wr_want = (int)r;
			return;
		}
		c->out_off += (size_t)r;
		c->last_activity = time_mono_ms();
	}
	if (c->out_off == c->out.len) {
		buf_reset(&c->out);
		c->out_off = 0;
	}
}

int
net_conn_write(struct net_conn *c, const void *data, size_t len)
{
	if (c->state == CS_FAILED || c->dead)
		return -1;
	if (c->out_off > 0 && c->out.len + len > c->out.max) {
		buf_consume(&c->out, c->out_off);
		c->out_off = 0;
	}
	if (buf_append(&c->out, data, len) == -1) {
		conn_enter(c);
		conn_fail(c, NET_ERR_OUTQ_FULL,
		    "more than %zu bytes of output queued for %s",
		    c->out.max, c->peer);
		(void)conn_leave(c);
		return -1;
	}
	conn_enter(c);
	if (c->state == CS_OPEN && c->wr_want == 0)
		conn_flush(c);
	if (c->out_off < c->out.len)
		c->notify_drain = true;
	if (c->state != CS_FAILED && !c->dead)
		conn_update(c);
	return conn_leave(c) && c->state != CS_FAILED ? 0 : -1;
}

size_t
net_conn_outq_len(const struct net_conn *c)
{
	return c->out.len - c->out_off;
}

/* ------------------------------------------------------------------ */
/* The loop side                                                       */

static void
conn_arm_timer(struct net_conn *c)
{
	int	limit;
	int64_t	left;

	if (c->timer) {
		net_timer_cancel(c->loop, c->timer);
		c->timer = 0;
	}
	if (c->state == CS_FAILED || c->dead || c->is_mem)
		return;
	limit = c->state == CS_CONNECTING || c->state == CS_HANDSHAKE ?
	    c->connect_timeout_ms : c->io_timeout_ms;
	if (limit < 0)
		return;
	left = c->last_activity + limit - time_mono_ms();
	c->timer = net_timer_add(c->loop, left > 0 ? left : 0, conn_timer_cb,
	    c);
}

/* Recompute what the loop watches and when the timeout fires. */
static void
conn_update(struct net_conn *c)
{
	short	ev = 0;

	if (c->dead || c->state == CS_FAILED)
		return;
	if (c->is_mem) {
		if (c->state == CS_OPEN && conn_wants_input(c))
			conn_schedule_kick(c);
		return;
	}
	if (c->fd == -1)
		return;
	switch (c->state) {
	case CS_CONNECTING:
		ev = POLLOUT;
		break;
	case CS_HANDSHAKE:
		ev = c->tls_want == NET_IO_WANT_READ ? POLLIN : POLLOUT;
		break;
	case CS_OPEN:
		if (conn_wants_input(c))
			ev |= c->rd_want == NET_IO_WANT_WRITE ? POLLOUT : POLLIN;
		if (c->out_off < c->out.len)
			ev |= c->wr_want == NET_IO_WANT_READ ? POLLIN : POLLOUT;
		/* TLS may hold decrypted bytes that poll() cannot see. */
		if (conn_wants_input(c) && conn_stream_pending(c) > 0)
			conn_schedule_kick(c);
		break;
	case CS_FAILED:
		break;
	}
	/* With nothing to wait for, stop watching: a hung-up socket would
	 * otherwise report POLLHUP on every turn. */
	if (ev == 0)
		net_loop_unwatch(c->loop, c->fd);
	else
		net_loop_watch(c->loop, c->fd, ev, conn_fd_cb, c);
	conn_arm_timer(c);
}

static void
conn_open_io(struct net_conn *c, short revents)
{
	c->wr_want = 0;
	if (c->out_off < c->out.len) {
		conn_flush(c);
		if (c->state != CS_OPEN || c->dead)
			return;
	}
	if (c->notify_drain && c->out_off == c->out.len) {
		c->notify_drain = false;
		conn_emit(c, NET_EV_DRAINED);
		if (c->state != CS_OPEN || c->dead)
			return;
	}
	if (conn_wants_input(c) || (revents & (POLLHUP | POLLERR)))
		conn_do_read(c);
	if (c->state == CS_OPEN && !c->dead)
		conn_update(c);
}

static void
conn_fd_cb(int fd, short revents, void *arg)
{
	struct net_conn	*c = arg;

	(void)fd;
	conn_enter(c);
	switch (c->state) {
	case CS_CONNECTING:
		conn_connect_ready(c);
		break;
	case CS_HANDSHAKE:
		conn_handshake_step(c);
		break;
	case CS_OPEN:
		if (revents & POLLNVAL)
			conn_fail(c, NET_ERR_INTERNAL,
			    "descriptor of %s is not open", c->peer);
		else
			conn_open_io(c, revents);
		break;
	case CS_FAILED:
		break;
	}
	(void)conn_leave(c);
}

/* Deferred work: a reported early failure, CONNECTED, or pending input. */
static void
conn_kick_cb(void *arg)
{
	struct net_conn	*c = arg;

	c->kick = 0;
	conn_enter(c);
	if (c->err != NET_OK && c->state != CS_FAILED) {
		char	msg[BOUND_ERRMSG];

		enum net_err	code = c->err;

		fct_strlcpy(msg, c->errmsg, sizeof(msg));
		c->err = NET_OK;
		conn_fail(c, code, "%s", msg);
	} else if (c->connected_pending) {
		c->connected_pending = false;
		if (c->state == CS_CONNECTING && c->implicit_tls)
			conn_start_tls(c);
		else {
			conn_update(c);
			conn_emit(c, NET_EV_CONNECTED);
		}
	} else if (c->state == CS_OPEN && c->eof) {
		conn_eof_check(c);
	} else if (c->state == CS_OPEN && conn_wants_input(c) &&
	    (c->is_mem || conn_stream_pending(c) > 0)) {
		conn_do_read(c);
	}
	if (!c->dead && c->state == CS_OPEN)
		conn_update(c);
	(void)conn_leave(c);
}

static void
conn_timer_cb(void *arg)
{
	struct net_conn	*c = arg;
	int		 limit;

	c->timer = 0;
	conn_enter(c);
	limit = c->state == CS_OPEN ? c->io_timeout_ms :
	    c->connect_timeout_ms;
	if (limit >= 0 && time_mono_ms() - c->last_activity >= limit &&
	    c->state == CS_CONNECTING && c->ai_next != NULL) {
		/* This address does not answer: try the next one. */
		(void)snprintf(c->last_connect_err,
		    sizeof(c->last_connect_err), "timed out after %d s",
		    (limit + 999) / 1000);
		net_loop_unwatch(c->loop, c->fd);
		(void)close(c->fd);
		c->fd = -1;
		conn_try_next_address(c);
	} else if (limit >= 0 && time_mono_ms() - c->last_activity >= limit) {
		const char	*what = c->state == CS_CONNECTING ?
		    "connecting to" : c->state == CS_HANDSHAKE ?
		    "in the TLS handshake with" : "waiting for";

		conn_fail(c, NET_ERR_TIMEOUT, "timed out after %d s %s %s",
		    (limit + 999) / 1000, what, c->peer);
	} else {
		conn_arm_timer(c);
	}
	(void)conn_leave(c);
}

/* ------------------------------------------------------------------ */

void
net_conn_set_timeout(struct net_conn *c, int ms)
{
	c->io_timeout_ms = ms;
	c->last_activity = time_mono_ms();
	if (!c->dead && c->state == CS_OPEN)
		conn_arm_timer(c);
}

enum net_err
net_conn_error(const struct net_conn *c)
{
	return c->state == CS_FAILED ? c->err : NET_OK;
}

const char *
net_conn_errmsg(const struct net_conn *c)
{
	return c->state == CS_FAILED ? c->errmsg : "";
}

bool
net_conn_is_tls(const struct net_conn *c)
{
	return c->tls != NULL && c->state == CS_OPEN;
}

const char *
net_conn_tls_info(const struct net_conn *c)
{
	return c->tls != NULL ? c->tls_info : "";
}

const char *
net_conn_peer(const struct net_conn *c)
{
	return c->peer;
}
