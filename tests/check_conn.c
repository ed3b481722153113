/*
 * check_conn.c: the buffered connection of net/: the line reader under
 * hostile input, partial writes, timeouts, STARTTLS injection, connect
 * errors. Peers are memory buffers, socketpairs and loopback sockets.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"

/* ---- memory peer: every line read, shown with control bytes as <hh> ---- */

struct memrun {
	struct buf	 lines;
	enum net_err	 err;
	char		 errmsg[512];
	bool		 done;
	bool		 close_in_cb;
	struct net_conn	*conn;
};

static void
show_line(struct buf *b, const char *line, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		unsigned char	c = (unsigned char)line[i];
		int		r;

		if (c < 0x20 || c == 0x7f)
			r = buf_printf(b, "<%02x>", c);
		else
			r = buf_append_byte(b, c);
		ck_assert_int_eq(r, 0);
	}
	ck_assert_int_eq(buf_append_byte(b, '|'), 0);
}

static void
memrun_cb(struct net_conn *c, enum net_event ev, void *arg)
{
	struct memrun	*m = arg;
	const char	*line;
	size_t		 len;

	if (ev == NET_EV_READABLE) {
		while (net_conn_read_line(c, &line, &len) == NET_LINE_OK) {
			show_line(&m->lines, line, len);
			if (m->close_in_cb) {
				net_conn_close(&m->conn);
				m->done = true;
				return;
			}
		}
	} else if (ev == NET_EV_ERROR) {
		m->err = net_conn_error(c);
		snprintf(m->errmsg, sizeof(m->errmsg), "%s",
		    net_conn_errmsg(c));
		m->done = true;
	}
}

static void
memrun(struct memrun *m, const char *in, size_t len, size_t chunk,
    size_t max_line)
{
	struct net_conn_params	 p = { .host = "mem", .port = "0",
	    .max_line = max_line };
	struct net_loop		*loop = net_loop_new();
	int			 turns = 0;

	buf_init(&m->lines, 1 << 20);
	m->conn = net_conn_from_mem(loop, in, len, chunk, &p, memrun_cb, m);
	while (!m->done && turns++ < 100000)
		if (net_loop_run_once(loop, 1000) <= 0)
			break;
	ck_assert_msg(m->done, "memory session never ended");
	net_conn_close(&m->conn);
	net_loop_free(&loop);
}

static const struct {
	const char	*in;
	size_t		 len;	/* 0: strlen(in) */
	size_t		 chunk;
	size_t		 max_line;
	const char	*want_lines;
	enum net_err	 want_err;
	const char	*want_msg;
} line_cases[] = {
	{ "", 0, 0, 0, "", NET_ERR_EOF, "connection closed by mem:0" },
	{ "a\r\nb\nc\r\n", 0, 0, 0, "a|b|c|", NET_ERR_EOF, "closed by" },
	{ "\r\n\n", 0, 0, 0, "||", NET_ERR_EOF, "closed by" },
	/* one byte at a time */
	{ "* OK hello\r\n* BYE\r\n", 0, 1, 0, "* OK hello|* BYE|",
	  NET_ERR_EOF, "closed by" },
	/* NUL bytes are kept, the caller validates */
	{ "a\0b\r\n", 5, 0, 0, "a<00>b|", NET_ERR_EOF, "closed by" },
	{ "a\0b\r\n", 5, 1, 0, "a<00>b|", NET_ERR_EOF, "closed by" },
	/* CR without LF stays in the line; only CR right before LF goes */
	{ "a\rb\r\n", 0, 0, 0, "a<0d>b|", NET_ERR_EOF, "closed by" },
	{ "a\r\r\n", 0, 0, 0, "a<0d>|", NET_ERR_EOF, "closed by" },
	{ "\r\r\r", 0, 0, 0, "", NET_ERR_EOF, "middle of a response" },
	/* EOF in the middle of a line */
	{ "ok\r\npart", 0, 0, 0, "ok|", NET_ERR_EOF,
	  "closed by mem:0 in the middle of a response" },
	{ "ok\r\npart\r", 0, 1, 0, "ok|", NET_ERR_EOF, "middle" },
	/* exactly max_line is fine, CR excluded */
	{ "0123456789abcdef\r\nx\n", 0, 0, 16, "0123456789abcdef|x|",
	  NET_ERR_EOF, "closed by" },
	{ "0123456789abcdef\nx\n", 0, 3, 16, "0123456789abcdef|x|",
	  NET_ERR_EOF, "closed by" },
	/* one byte more is refused, whether LF arrived or not */
	{ "0123456789abcdefg\r\n", 0, 0, 16, "", NET_ERR_TOO_LONG,
	  "mem:0 sent a line longer than 16 bytes" },
	{ "ok\n0123456789abcdefghijklmnop", 0, 0, 16, "ok|",
	  NET_ERR_TOO_LONG, "longer than 16 bytes" },
	{ "0123456789abcdefghij", 0, 1, 16, "", NET_ERR_TOO_LONG,
	  "longer than 16" },
};

START_TEST(conn_mem_lines)
{
	struct memrun	 m = { 0 };
	const char	*in = line_cases[_i].in;
	size_t		 len = line_cases[_i].len ? line_cases[_i].len :
			    strlen(in);

	memrun(&m, in, len, line_cases[_i].chunk, line_cases[_i].max_line);
	ck_assert_str_eq(buf_str(&m.lines), line_cases[_i].want_lines);
	ck_assert_int_eq(m.err, line_cases[_i].want_err);
	ck_assert_msg(strstr(m.errmsg, line_cases[_i].want_msg) != NULL,
	    "error \"%s\" lacks \"%s\"", m.errmsg, line_cases[_i].want_msg);
	buf_free(&m.lines);
}
END_TEST

START_TEST(conn_mem_huge_line_bounded)
{
	/* 10 MB without a newline: refused once past the limit. */
	size_t		 n = 10 * 1024 * 1024;
	char		*in = xmalloc(n);
	struct memrun	 m = { 0 };

	memset(in, 'x', n);
	memrun(&m, in, n, 0, 0);
	ck_assert_int_eq(m.err, NET_ERR_TOO_LONG);
	ck_assert_str_eq(buf_str(&m.lines), "");
	free(in);
	buf_free(&m.lines);
}
END_TEST

START_TEST(conn_close_inside_callback)
{
	struct memrun	m = { .close_in_cb = true };

	memrun(&m, "one\r\ntwo\r\n", 10, 0, 0);
	ck_assert_str_eq(buf_str(&m.lines), "one|");
	ck_assert_ptr_null(m.conn);
	buf_free(&m.lines);
}
END_TEST

/* ---- peek/consume for literals, and output capture ---- */

struct litrun {
	int		 stage;
	struct buf	 got;
	bool		 done;
};

static void
litrun_cb(struct net_conn *c, enum net_event ev, void *arg)
{
	struct litrun	*l = arg;
	const char	*line, *data;
	size_t		 len, n;

	if (ev == NET_EV_ERROR) {
		l->done = true;
		return;
	}
	if (ev != NET_EV_READABLE)
		return;
	for (;;) {
		if (l->stage == 1) {
			n = net_conn_peek(c, &data);
			if (n < 5)
				return;
			ck_assert_int_eq(buf_append(&l->got, data, 5), 0);
			ck_assert_int_eq(buf_append_byte(&l->got, '|'), 0);
			net_conn_consume(c, 5);
			l->stage = 2;
			continue;
		}
		if (net_conn_read_line(c, &line, &len) != NET_LINE_OK)
			return;
		ck_assert_int_eq(buf_append(&l->got, line, len), 0);
		ck_assert_int_eq(buf_append_byte(&l->got, '|'), 0);
		if (l->stage == 0) {
			l->stage = 1;
			ck_assert_int_eq(net_conn_write(c, "ack\r\n", 5), 0);
		}
	}
}

START_TEST(conn_mem_literal_peek_consume)
{
	static const char	 in[] = "* {5}\r\nhe\nlo world\r\n";
	struct net_conn_params	 p = { .host = "mem", .port = "0" };
	struct net_loop		*loop = net_loop_new();
	struct litrun		 l = { 0 };
	struct net_conn		*c;
	const char		*out;
	size_t			 outlen;

	buf_init(&l.got, 4096);
	c = net_conn_from_mem(loop, in, sizeof(in) - 1, (size_t)_i + 1, &p,
	    litrun_cb, &l);
	while (!l.done)
		ck_assert_int_gt(net_loop_run_once(loop, 1000), 0);
	ck_assert_str_eq(buf_str(&l.got), "* {5}|he\nlo| world|");
	ck_assert(net_conn_at_eof(c));
	out = net_conn_mem_output(c, &outlen);
	ck_assert_uint_eq(outlen, 5);
	ck_assert_str_eq(out, "ack\r\n");
	net_conn_close(&c);
	ck_assert_ptr_null(c);
	net_loop_free(&loop);
	buf_free(&l.got);
}
END_TEST

/* ---- socketpair peers ---- */

static int
pair(int sv[2])
{
	return socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
}

static void
write_all(int fd, const void *p, size_t n)
{
	const char	*s = p;

	while (n > 0) {
		ssize_t	w = write(fd, s, n);

		if (w <= 0)
			_exit(3);
		s += w;
		n -= (size_t)w;
	}
}

START_TEST(conn_pair_byte_by_byte)
{
	static const char	 msg[] = "* OK ready\r\nline two\nthree\r\n";
	struct net_conn_params	 p = { .host = "pair", .port = "1" };
	struct tconn		 t;
	int			 sv[2];
	pid_t			 pid;
	char			*l;
	size_t			 i;

	ck_assert_int_eq(pair(sv), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(sv[0]);
		for (i = 0; i < sizeof(msg) - 1; i++) {
			write_all(sv[1], &msg[i], 1);
			usleep(500);
		}
		_exit(0);
	}
	close(sv[1]);
	ck_assert(tconn_open_fd(&t, sv[0], &p));
	l = tconn_line(&t);
	ck_assert_str_eq(l, "* OK ready");
	free(l);
	l = tconn_line(&t);
	ck_assert_str_eq(l, "line two");
	free(l);
	l = tconn_line(&t);
	ck_assert_str_eq(l, "three");
	free(l);
	ck_assert_ptr_null(tconn_line(&t));
	ck_assert_int_eq(t.err, NET_ERR_EOF);
	tconn_close(&t);
	waitpid(pid, NULL, 0);
}
END_TEST

/* 3 MiB through a peer that reads slowly: partial writes must not lose or
 * reorder a byte. The peer answers with the byte count and a checksum. */
START_TEST(conn_pair_partial_writes)
{
	struct net_conn_params	 p = { .host = "pair", .port = "1" };
	size_t			 n = 3 * 1024 * 1024, i;
	unsigned long		 sum = 0;
	struct tconn		 t;
	char			*data, *l, want[64];
	int			 sv[2];
	pid_t			 pid;

	data = xmalloc(n);
	for (i = 0; i < n; i++) {
		data[i] = (char)(i * 7 + i / 251);
		sum = sum * 31 + (unsigned char)data[i];
	}
	ck_assert_int_eq(pair(sv), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		unsigned long	s = 0;
		size_t		got = 0;
		char		b[4096], line[64];
		int		len;

		close(sv[0]);
		while (got < n) {
			ssize_t	r = read(sv[1], b, sizeof(b));

			if (r <= 0)
				_exit(2);
			for (i = 0; i < (size_t)r; i++)
				s = s * 31 + (unsigned char)b[i];
			got += (size_t)r;
			if (got % (256 * 1024) < 4096)
				usleep(2000);
		}
		len = snprintf(line, sizeof(line), "%zu %lu\r\n", got, s);
		write_all(sv[1], line, (size_t)len);
		_exit(0);
	}
	close(sv[1]);
	ck_assert(tconn_open_fd(&t, sv[0], &p));
	ck_assert_int_eq(net_conn_write(t.conn, data, n), 0);
	ck_assert_uint_gt(net_conn_outq_len(t.conn), 0);
	ck_assert(tconn_wait(&t, &t.drained, TCONN_WAIT_MS));
	ck_assert_uint_eq(net_conn_outq_len(t.conn), 0);
	l = tconn_line(&t);
	snprintf(want, sizeof(want), "%zu %lu", n, sum);
	ck_assert_msg(l != NULL, "no answer: %s", t.errmsg);
	ck_assert_str_eq(l, want);
	free(l);
	free(data);
	tconn_close(&t);
	waitpid(pid, NULL, 0);
}
END_TEST

START_TEST(conn_outq_bounded)
{
	struct net_conn_params	 p = { .host = "pair", .port = "1",
	    .max_outq = 1024 };
	struct tconn		 t;
	char			 big[2000];
	int			 sv[2];

	memset(big, 'a', sizeof(big));
	ck_assert_int_eq(pair(sv), 0);
	ck_assert(tconn_open_fd(&t, sv[0], &p));
	ck_assert_int_eq(net_conn_write(t.conn, big, 1000), 0);
	/* The peer does not read, but 1000 bytes fit in the socket. */
	ck_assert_int_eq(net_conn_write(t.conn, big, sizeof(big)), -1);
	ck_assert(t.failed);
	ck_assert_int_eq(t.err, NET_ERR_OUTQ_FULL);
	ck_assert_ptr_nonnull(strstr(t.errmsg, "more than 1024 bytes"));
	ck_assert_int_eq(net_conn_write(t.conn, "x", 1), -1);
	tconn_close(&t);
	close(sv[1]);
}
END_TEST

START_TEST(conn_pair_timeout)
{
	struct net_conn_params	 p = { .host = "slow.example", .port = "143",
	    .io_timeout_ms = 200 };
	struct tconn		 t;
	int64_t			 t0;
	int			 sv[2];

	ck_assert_int_eq(pair(sv), 0);
	ck_assert(tconn_open_fd(&t, sv[0], &p));
	t0 = time_mono_ms();
	ck_assert_ptr_null(tconn_line(&t));
	ck_assert(time_mono_ms() - t0 >= 190);
	ck_assert_int_eq(t.err, NET_ERR_TIMEOUT);
	ck_assert_str_eq(t.errmsg,
	    "timed out after 1 s waiting for slow.example:143");
	tconn_close(&t);
	close(sv[1]);
}
END_TEST

START_TEST(conn_timeout_disabled)
{
	struct net_conn_params	 p = { .host = "idle", .port = "143",
	    .io_timeout_ms = 100 };
	struct tconn		 t;
	bool			 never = false;
	int			 sv[2];

	ck_assert_int_eq(pair(sv), 0);
	ck_assert(tconn_open_fd(&t, sv[0], &p));
	net_conn_set_timeout(t.conn, -1);
	ck_assert(!tconn_wait(&t, &never, 400));
	ck_assert(!t.failed);
	tconn_close(&t);
	close(sv[1]);
}
END_TEST

/* ---- STARTTLS: nothing may follow the go-ahead ---- */

static struct net_tls_ctx *
any_tls_ctx(void)
{
	char			 err[256];
	struct net_tls_ctx	*ctx = net_tls_ctx_new(NULL, err, sizeof(err));

	ck_assert_msg(ctx != NULL, "%s", err);
	return ctx;
}

START_TEST(conn_starttls_refuses_buffered_bytes)
{
	static const char	 s[] = "a OK Begin TLS\r\n* OK injected\r\n";
	struct net_tls_ctx	*ctx = any_tls_ctx();
	struct net_conn_params	 p = { .host = "evil.example", .port = "143",
	    .tls_ctx = ctx };
	struct tconn		 t;
	char			*l;
	int			 sv[2];

	ck_assert_int_eq(pair(sv), 0);
	write_all(sv[1], s, sizeof(s) - 1);
	ck_assert(tconn_open_fd(&t, sv[0], &p));
	l = tconn_line(&t);
	ck_assert_str_eq(l, "a OK Begin TLS");
	free(l);
	ck_assert_int_eq(net_conn_starttls(t.conn), -1);
	ck_assert(t.failed);
	ck_assert_int_eq(t.err, NET_ERR_INJECTION);
	ck_assert_str_eq(t.errmsg, "evil.example:143 sent data after its "
	    "STARTTLS reply, before the TLS handshake (possible injection "
	    "attack); connection aborted");
	ck_assert(!net_conn_is_tls(t.conn));
	tconn_close(&t);
	close(sv[1]);
	net_tls_ctx_free(&ctx);
}
END_TEST

START_TEST(conn_starttls_refuses_bytes_in_socket)
{
	struct net_tls_ctx	*ctx = any_tls_ctx();
	struct net_conn_params	 p = { .host = "evil.example", .port = "25",
	    .tls_ctx = ctx };
	struct tconn		 t;
	char			*l;
	int			 sv[2];

	ck_assert_int_eq(pair(sv), 0);
	ck_assert(tconn_open_fd(&t, sv[0], &p));
	write_all(sv[1], "220 go ahead\r\n", 14);
	l = tconn_line(&t);
	ck_assert_str_eq(l, "220 go ahead");
	free(l);
	/* Arrives after the line was read, before the handshake starts. */
	write_all(sv[1], "250 AUTH PLAIN\r\n", 16);
	ck_assert_int_eq(net_conn_starttls(t.conn), -1);
	ck_assert_int_eq(t.err, NET_ERR_INJECTION);
	tconn_close(&t);
	close(sv[1]);
	net_tls_ctx_free(&ctx);
}
END_TEST

START_TEST(conn_starttls_clean_then_peer_not_tls)
{
	struct net_tls_ctx	*ctx = any_tls_ctx();
	struct net_conn_params	 p = { .host = "plain.example", .port = "143",
	    .tls_ctx = ctx };
	struct tconn		 t;
	char			*l;
	int			 sv[2];

	ck_assert_int_eq(pair(sv), 0);
	write_all(sv[1], "a OK go\r\n", 9);
	ck_assert(tconn_open_fd(&t, sv[0], &p));
	l = tconn_line(&t);
	ck_assert_str_eq(l, "a OK go");
	free(l);
	ck_assert_int_eq(net_conn_starttls(t.conn), 0);
	ck_assert(!t.failed);
	/* The "server" answers the ClientHello with plaintext. */
	write_all(sv[1], "* BYE no TLS here\r\n", 19);
	ck_assert(!tconn_wait(&t, &t.tls_ready, TCONN_WAIT_MS));
	ck_assert(t.failed);
	ck_assert_int_eq(t.err, NET_ERR_TLS);
	ck_assert_ptr_nonnull(strstr(t.errmsg, "for plain.example:143"));
	tconn_close(&t);
	close(sv[1]);
	net_tls_ctx_free(&ctx);
}
END_TEST

START_TEST(conn_starttls_refused_on_memory)
{
	struct net_tls_ctx	*ctx = any_tls_ctx();
	struct net_conn_params	 p = { .host = "mem", .port = "0",
	    .tls_ctx = ctx };
	struct net_loop		*loop = net_loop_new();
	struct memrun		 m = { 0 };
	struct net_conn		*c;

	buf_init(&m.lines, 100);
	c = net_conn_from_mem(loop, "x", 1, 0, &p, memrun_cb, &m);
	ck_assert_int_eq(net_conn_starttls(c), -1);
	ck_assert_int_eq(net_conn_error(c), NET_ERR_INTERNAL);
	net_conn_close(&c);
	net_loop_free(&loop);
	buf_free(&m.lines);
	net_tls_ctx_free(&ctx);
}
END_TEST

/* ---- real TCP on loopback ---- */

static int
listen_any(unsigned short *port)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	int			fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

START_TEST(conn_tcp_refused)
{
	struct net_conn_params	 p = { .host = "127.0.0.1" };
	struct tconn		 t;
	unsigned short		 port;
	char			 portstr[16], want[128];
	int			 fd;

	fd = listen_any(&port);
	close(fd);	/* nobody listens there any more */
	snprintf(portstr, sizeof(portstr), "%u", port);
	p.port = portstr;
	ck_assert(!tconn_open(&t, &p));
	ck_assert_int_eq(t.err, NET_ERR_CONNECT);
	snprintf(want, sizeof(want),
	    "cannot connect to 127.0.0.1:%u: connection refused", port);
	ck_assert_str_eq(t.errmsg, want);
	tconn_close(&t);
}
END_TEST

/* A fake SMTP server on 127.0.0.1 that sends a line right after its
 * STARTTLS go-ahead (the classic command-injection attack). */
START_TEST(conn_tcp_fake_server_injects_after_starttls)
{
	struct net_tls_ctx	*ctx = any_tls_ctx();
	struct net_conn_params	 p = { .host = "127.0.0.1", .tls_ctx = ctx };
	struct tconn		 t;
	unsigned short		 port;
	char			 portstr[16], *l;
	int			 lfd, fd;
	pid_t			 pid;

	lfd = listen_any(&port);
	snprintf(portstr, sizeof(portstr), "%u", port);
	p.port = portstr;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char	b[512];

		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			_exit(2);
		write_all(fd, "220 fake ESMTP\r\n", 16);
		if (read(fd, b, sizeof(b)) <= 0)	/* STARTTLS */
			_exit(2);
		write_all(fd, "220 Go ahead\r\n250-injected\r\n", 28);
		(void)read(fd, b, sizeof(b));
		_exit(0);
	}
	close(lfd);
	ck_assert(tconn_open(&t, &p));
	l = tconn_line(&t);
	ck_assert_str_eq(l, "220 fake ESMTP");
	free(l);
	ck_assert(tconn_send(&t, "STARTTLS"));
	l = tconn_line(&t);
	ck_assert_str_eq(l, "220 Go ahead");
	free(l);
	/* Let the injected line reach our socket if it was split. */
	usleep(50 * 1000);
	ck_assert_int_eq(net_conn_starttls(t.conn), -1);
	ck_assert_int_eq(t.err, NET_ERR_INJECTION);
	tconn_close(&t);
	waitpid(pid, NULL, 0);
	net_tls_ctx_free(&ctx);
}
END_TEST

/* Implicit TLS to a server that speaks plaintext fails with a TLS error. */
START_TEST(conn_tcp_implicit_tls_to_plaintext)
{
	struct net_tls_ctx	*ctx = any_tls_ctx();
	struct net_conn_params	 p = { .host = "127.0.0.1", .tls = true,
	    .tls_ctx = ctx };
	struct tconn		 t;
	unsigned short		 port;
	char			 portstr[16], want[64];
	int			 lfd;
	pid_t			 pid;

	lfd = listen_any(&port);
	snprintf(portstr, sizeof(portstr), "%u", port);
	p.port = portstr;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int	fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			_exit(2);
		write_all(fd, "* OK IMAP4rev1 plaintext only\r\n", 31);
		usleep(200 * 1000);
		_exit(0);
	}
	close(lfd);
	ck_assert(!tconn_open(&t, &p));
	ck_assert_int_eq(t.err, NET_ERR_TLS);
	snprintf(want, sizeof(want), "for 127.0.0.1:%u", port);
	ck_assert_msg(strstr(t.errmsg, want) != NULL, "%s", t.errmsg);
	tconn_close(&t);
	waitpid(pid, NULL, 0);
	net_tls_ctx_free(&ctx);
}
END_TEST

static int
listen_v6(unsigned short *port)
{
	struct sockaddr_in6	sin6;
	socklen_t		len = sizeof(sin6);
	int			fd;

	fd = socket(AF_INET6, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin6, &len), 0);
	*port = ntohs(sin6.sin6_port);
	return fd;
}

/* Connect by IPv6 literal (_i == 0) and by host name (_i == 1), then talk. */
START_TEST(conn_tcp_ipv6_and_name)
{
	struct net_conn_params	 p = { .host = _i == 0 ? "::1" : "localhost" };
	struct tconn		 t;
	unsigned short		 port;
	char			 portstr[16], want[64], *l;
	int			 lfd;
	pid_t			 pid;

	lfd = _i == 0 ? listen_v6(&port) : listen_any(&port);
	snprintf(portstr, sizeof(portstr), "%u", port);
	p.port = portstr;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char	b[64];
		int	fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			_exit(2);
		write_all(fd, "+OK hello\r\n", 11);
		if (read(fd, b, sizeof(b)) != 6 || memcmp(b, "QUIT\r\n", 6))
			_exit(3);
		write_all(fd, "+OK bye\r\n", 9);
		_exit(0);
	}
	close(lfd);
	ck_assert_msg(tconn_open(&t, &p), "%s", t.errmsg);
	snprintf(want, sizeof(want), _i == 0 ? "[::1]:%u" : "localhost:%u",
	    port);
	ck_assert_str_eq(net_conn_peer(t.conn), want);
	l = tconn_line(&t);
	ck_assert_str_eq(l, "+OK hello");
	free(l);
	ck_assert(tconn_send(&t, "QUIT"));
	l = tconn_line(&t);
	ck_assert_str_eq(l, "+OK bye");
	free(l);
	ck_assert_ptr_null(tconn_line(&t));
	ck_assert_int_eq(t.err, NET_ERR_EOF);
	tconn_close(&t);
	waitpid(pid, NULL, 0);
}
END_TEST

START_TEST(conn_tls_ctx_bad_ca_file)
{
	char			 err[256];
	struct net_tls_ctx	*ctx;

	ctx = net_tls_ctx_new("/nonexistent/ca.pem", err, sizeof(err));
	ck_assert_ptr_null(ctx);
	ck_assert_ptr_nonnull(strstr(err,
	    "cannot load CA file /nonexistent/ca.pem"));
	net_tls_ctx_free(&ctx);
}
END_TEST

Suite *
conn_suite(void)
{
	Suite	*s = suite_create("conn");
	TCase	*tc;

	tc = tcase_create("line reader");
	tcase_add_loop_test(tc, conn_mem_lines, 0,
	    (int)(sizeof(line_cases) / sizeof(line_cases[0])));
	tcase_add_test(tc, conn_mem_huge_line_bounded);
	tcase_add_test(tc, conn_close_inside_callback);
	tcase_add_loop_test(tc, conn_mem_literal_peek_consume, 0, 8);
	tcase_add_test(tc, conn_pair_byte_by_byte);
	suite_add_tcase(s, tc);

	tc = tcase_create("writes and timeouts");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, conn_pair_partial_writes);
	tcase_add_test(tc, conn_outq_bounded);
	tcase_add_test(tc, conn_pair_timeout);
	tcase_add_test(tc, conn_timeout_disabled);
	suite_add_tcase(s, tc);

	tc = tcase_create("starttls");
	tcase_add_test(tc, conn_starttls_refuses_buffered_bytes);
	tcase_add_test(tc, conn_starttls_refuses_bytes_in_socket);
	tcase_add_test(tc, conn_starttls_clean_then_peer_not_tls);
	tcase_add_test(tc, conn_starttls_refused_on_memory);
	suite_add_tcase(s, tc);

	tc = tcase_create("tcp");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, conn_tcp_refused);
	tcase_add_loop_test(tc, conn_tcp_ipv6_and_name, 0, 2);
	tcase_add_test(tc, conn_tcp_fake_server_injects_after_starttls);
	tcase_add_test(tc, conn_tcp_implicit_tls_to_plaintext);
	tcase_add_test(tc, conn_tls_ctx_bad_ca_file);
	suite_add_tcase(s, tc);
	return s;
}
