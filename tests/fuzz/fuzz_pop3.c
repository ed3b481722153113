/*
 * fuzz_pop3.c: libFuzzer target for POP3 responses (src/proto/
 * pop3_reply.c). Each input line goes to the status-line reader, the
 * multi-line body reader (bounded at 4 KiB), the STAT, LIST and UIDL
 * parsers and the APOP stamp finder; every finished body to the CAPA
 * parser. Invariants: a UIDL id handed back is 1 to 70 printable
 * characters inside the line; the body never passes its bound; a stamp
 * starts with "<", ends with ">" and holds an "@".
 *
 * The same bytes (after a first byte picking the TLS mode, the login
 * mechanism and the read size) also play the server of a whole session
 * (src/proto/pop3_client.c over a memory connection): login, then UIDL,
 * RETR and QUIT. Any PASS, AUTH or the password on the wire is a bug:
 * there is never TLS here and plaintext passwords are not allowed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pop3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SECRET	"fuzz-Secret-9"

static size_t	sink;

static void
trace(const char *dir, const char *line, size_t len, void *arg)
{
	(void)arg;
	if (strcmp(dir, "C") == 0 && (mem_find(line, len, "PASS", 4) != NULL ||
	    mem_find(line, len, "AUTH", 4) != NULL ||
	    mem_find(line, len, SECRET, sizeof(SECRET) - 1) != NULL))
		abort();
}

static void
done(struct pop3_client *c, const struct pop3_resp *r, void *arg)
{
	int	*left = arg;

	(void)c;
	if (r != NULL && r->body != NULL)
		sink += r->blen;
	(*left)--;
}

static void
ready(struct pop3_client *c, bool ok, void *arg)
{
	int	*left = arg;

	if (!ok)
		return;
	*left = 3;
	if (pop3_client_cmd(c, true, done, left, "UIDL") == -1 ||
	    pop3_client_cmd(c, true, done, left, "RETR %u", 1u) == -1 ||
	    pop3_client_cmd(c, false, done, left, "QUIT") == -1)
		*left = 0;
}

static void
session(const uint8_t *data, size_t size)
{
	static const enum pop3_tls_mode	modes[] = { POP3_TLS_STARTTLS,
					    POP3_TLS_NONE };
	struct pop3_client_params	 p;
	struct net_loop			*loop;
	struct pop3_client		*c;
	struct net_source		 src = { .kind = NET_SOURCE_MEM };
	int				 left = -1, turns = 0;

	if (size == 0)
		return;
	memset(&p, 0, sizeof(p));
	p.net.host = "fuzz";
	p.net.port = "110";
	p.mode = modes[data[0] & 1];
	p.mech = (enum pop3_auth_mech)((data[0] >> 1) % 6);
	p.user = "user";
	p.secret = SECRET;
	p.max_body = 4096;
	p.trace = trace;
	loop = net_loop_new();
	src.data = data + 1;
	src.len = size - 1;
	src.chunk = 1 + ((data[0] >> 4) & 3) * 16;
	c = pop3_client_open(loop, &src, &p, ready, &left);
	while (pop3_client_ok(c) && left != 0 && turns++ < 10000)
		if (net_loop_run_once(loop, 0) <= 0)
			break;
	pop3_client_close(&c);
	net_loop_free(&loop);
}

static void
one_line(struct pop3_multi *m, const char *l, size_t n)
{
	const char	*text, *uid;
	size_t		 tlen, ulen;
	uint32_t	 a;
	uint64_t	 b;
	char		*stamp;

	sink += (size_t)pop3_status_line(l, n, &text, &tlen) + tlen;
	if (pop3_stat_parse(l, n, &a, &b) == 0)
		sink += a;
	if (pop3_list_line_parse(l, n, &a, &b) == 0 && a == 0)
		abort();
	if (pop3_uidl_line_parse(l, n, &a, &uid, &ulen) == 0 &&
	    (!pop3_uidl_ok(uid, ulen) || uid < l || uid + ulen > l + n))
		abort();
	stamp = pop3_apop_stamp(l, n);
	if (stamp != NULL && (stamp[0] != '<' || stamp[strlen(stamp) - 1] !=
	    '>' || strchr(stamp, '@') == NULL))
		abort();
	free(stamp);
	if (pop3_multi_feed(m, l, n) == POP3_FEED_DONE)
		sink += pop3_capa_parse(m->data.data != NULL ? m->data.data :
		    "", m->data.len);
	if (m->data.len > 4096)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*p = (const char *)data, *end = p + size, *nl;
	struct pop3_multi	 m;

	pop3_multi_init(&m, 4096);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		one_line(&m, p, (size_t)(nl - p));
		p = nl + (nl < end);
	}
	pop3_multi_free(&m);
	session(data, size);
	return 0;
}
