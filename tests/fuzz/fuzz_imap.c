/*
 * fuzz_imap.c: libFuzzer target for the IMAP response parser and reader
 * (src/proto/imap_parse.c, imap_read.c). The input is parsed once as one
 * response, then played as a server's byte stream, in pieces whose size
 * the first byte picks, through the reader, every response it assembles
 * parsed in turn. Every item of a parsed response is walked (so that the
 * sanitizers see any byte out of bounds) and must lie inside the input or
 * be a list; a reader response must never exceed its limits. Every atom
 * is also read as a UID set (VANISHED, COPYUID): each range it yields is
 * non-zero and in order, and an accepted set has only digits, ":" and ",";
 * every string as an INTERNALDATE: an accepted one is 25 or 26 bytes and
 * a time between the years 1 and 9999.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap.h"

#define LIMIT_LITERAL	4096
#define LIMIT_RESPONSE	8192

static size_t	sink;

static void
range_ok(uint32_t lo, uint32_t hi, void *arg)
{
	(void)arg;
	if (lo == 0 || hi < lo)
		abort();
}

static void
uid_set(const struct imap_item *it)
{
	size_t	j;

	if (imap_uid_set_parse(it->s, it->len, range_ok, NULL) == -1)
		return;
	for (j = 0; j < it->len; j++)
		if ((it->s[j] < '0' || it->s[j] > '9') && it->s[j] != ':' &&
		    it->s[j] != ',')
			abort();
}

static void
walk(const struct imap_item *it, size_t n, unsigned depth)
{
	size_t	i, j;

	if (depth > IMAP_MAX_DEPTH + 1)
		abort();
	for (i = 0; i < n; i++) {
		if (it[i].type == IMAP_LIST) {
			walk(it[i].items, it[i].n, depth + 1);
			continue;
		}
		if (it[i].type == IMAP_ATOM)
			uid_set(&it[i]);
		if (it[i].type == IMAP_STRING) {
			int64_t	t;

			if (imap_internaldate_parse(it[i].s, it[i].len, &t) ==
			    0 && ((it[i].len != 25 && it[i].len != 26) ||
			    t < -62135596800LL - 86400 ||
			    t > 253402300800LL + 86400))
				abort();
		}
		for (j = 0; j < it[i].len; j++)
			sink += (unsigned char)it[i].s[j];
	}
}

static void
check(const char *data, size_t len)
{
	struct imap_resp	r;
	char			err[128];
	size_t			i;

	if (imap_parse(data, len, &r, err, sizeof(err)) == -1) {
		if (err[0] == '\0')
			abort();	/* a failure always says why */
		return;
	}
	walk(r.items, r.n, 0);
	walk(r.code_args, r.ncode_args, 0);
	for (i = 0; i < r.text_len; i++)
		sink += (unsigned char)r.text[i];
	if (r.kind == IMAP_TAGGED && strlen(r.tag) == 0)
		abort();
	imap_resp_free(&r);
}

struct run {
	struct imap_reader	*rd;
	bool			 done;
};

static void
cb(struct net_conn *conn, enum net_event ev, void *arg)
{
	struct run	*t = arg;
	const char	*data;
	size_t		 len;
	char		 err[160];

	if (ev == NET_EV_ERROR) {
		t->done = true;
		return;
	}
	if (ev != NET_EV_READABLE)
		return;
	for (;;) {
		switch (imap_reader_next(t->rd, conn, &data, &len, err,
		    sizeof(err))) {
		case IMAP_READ_OK:
			if (len > LIMIT_RESPONSE)
				abort();
			check(data, len);
			continue;
		case IMAP_READ_WAIT:
			return;
		case IMAP_READ_FAIL:
			t->done = true;
			return;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_conn_params	 p = { .host = "fuzz", .port = "0" };
	struct imap_limits	 lim = { LIMIT_LITERAL, LIMIT_RESPONSE };
	struct net_loop		*loop;
	struct net_conn		*c;
	struct run		 t;
	int			 turns = 0;

	check((const char *)data, size);
	if (size == 0)
		return 0;
	memset(&t, 0, sizeof(t));
	t.rd = imap_reader_new(&lim);
	loop = net_loop_new();
	c = net_conn_from_mem(loop, data + 1, size - 1, 1 + data[0] % 64, &p,
	    cb, &t);
	while (!t.done && turns++ < 100000)
		if (net_loop_run_once(loop, 0) <= 0)
			break;
	net_conn_close(&c);
	net_loop_free(&loop);
	imap_reader_free(&t.rd);
	return 0;
}
