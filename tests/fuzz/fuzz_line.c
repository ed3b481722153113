/*
 * fuzz_line.c: libFuzzer target for the line reader of net/conn.c.
 *
 * The fuzzer plays the server through a memory connection. The first input
 * byte picks the read size (1 to 64 bytes per turn), the line limit (16 to
 * 271 bytes or the default) and whether lines alternate with raw byte runs
 * (as IMAP literals do). Invariants checked: no returned line holds an LF
 * or exceeds the limit, every session ends with an error event, and the
 * bytes taken never exceed the bytes given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

struct run {
	size_t	 max_line;
	int	 raw_every;	/* 0: lines only */
	size_t	 taken;
	int	 nlines;
	int	 done;
};

static void
fuzz_cb(struct net_conn *c, enum net_event ev, void *arg)
{
	struct run	*r = arg;
	const char	*line, *data;
	size_t		 len, n;

	if (ev == NET_EV_ERROR) {
		r->done = 1;
		return;
	}
	if (ev != NET_EV_READABLE)
		return;
	for (;;) {
		if (r->raw_every && r->nlines % r->raw_every == r->raw_every - 1) {
			n = net_conn_peek(c, &data);
			if (n == 0)
				return;
			n = n > 7 ? 7 : n;
			r->taken += n;
			net_conn_consume(c, n);
			r->nlines++;
			continue;
		}
		if (net_conn_read_line(c, &line, &len) != NET_LINE_OK)
			return;
		if (memchr(line, '\n', len) != NULL || len > r->max_line)
			abort();
		r->taken += len + 1;
		r->nlines++;
		if (r->nlines % 3 == 0 &&
		    net_conn_write(c, "a NOOP\r\n", 8) != 0)
			return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_conn_params	 p = { .host = "fuzz", .port = "0" };
	struct net_loop		*loop;
	struct net_conn		*c;
	struct run		 r = { 0 };
	size_t			 chunk;
	int			 turns = 0;

	if (size < 1)
		return 0;
	chunk = (size_t)(data[0] & 63) + 1;
	p.max_line = (data[0] & 64) ? 16 + (size_t)(data[0] & 0xff) : 0;
	r.max_line = p.max_line ? p.max_line : 64 * 1024;
	r.raw_every = (data[0] & 128) ? 4 : 0;
	loop = net_loop_new();
	c = net_conn_from_mem(loop, data + 1, size - 1, chunk, &p, fuzz_cb,
	    &r);
	while (!r.done && turns++ < 1000000)
		if (net_loop_run_once(loop, 0) <= 0)
			break;
	if (!r.done || r.taken > size - 1 + (size_t)r.nlines)
		abort();
	net_conn_close(&c);
	net_loop_free(&loop);
	return 0;
}
