/*
 * fuzz_smtp.c: libFuzzer target for SMTP replies and a whole submission
 * session in which the fuzzer plays the server (src/proto/smtp_*.c over
 * a memory connection). The first byte picks the TLS mode, the AUTH
 * mechanism and the size of the pieces the rest arrives in; the same
 * bytes are also fed line by line to the reply reader alone and to the
 * EHLO parser. Once ready, the client sends a message to three
 * recipients, then a second one, then QUIT. Any crash, leak or sanitizer
 * report is a bug; so is any AUTH command or the password on the wire:
 * there is never TLS here and plaintext passwords are not allowed; so is
 * any MAIL before the session was ready, and any result but SENT when
 * the client saw no 250 after the final dot.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

#define SECRET	"fuzz-Secret-9"

struct run {
	struct smtp_client	*c;
	bool			 ready, ok;
	int			 sent;
	bool			 quitting, quit_done;
};

static void
trace(const char *dir, const char *line, size_t len, void *arg)
{
	struct run	*t = arg;

	if (strcmp(dir, "C") != 0)
		return;
	if (mem_find(line, len, "AUTH", 4) != NULL ||
	    mem_find(line, len, SECRET, sizeof(SECRET) - 1) != NULL)
		abort();
	if (len >= 4 && memcmp(line, "MAIL", 4) == 0 && !(t->ready && t->ok))
		abort();
}

static const char *const rcpt[] = { "a@x.test", "b@x.test", "c@x.test" };

static void
sent(struct smtp_client *c, const struct smtp_result *r, void *arg)
{
	struct run		*t = arg;
	struct smtp_envelope	 env = { "me@x.test", rcpt, 3 };

	if (r->outcome == SMTP_SENT && r->code / 100 != 2)
		abort();
	if (r->text == NULL || r->nrcpt != 3)
		abort();
	if (++t->sent == 1 && smtp_client_ok(c))
		(void)smtp_client_send(c, &env, "Subject: 2\n\n.\n", 13, sent,
		    t);
}

static void
ready(struct smtp_client *c, bool ok, void *arg)
{
	struct run		*t = arg;
	struct smtp_envelope	 env = { "me@x.test", rcpt, 3 };

	t->ready = true;
	t->ok = ok;
	if (ok)
		(void)smtp_client_send(c, &env, "Subject: x\r\n\r\n.hi\r\n",
		    19, sent, t);
}

/* The reply reader and the EHLO parser alone, on the same bytes. */
static void
replies(const uint8_t *data, size_t size)
{
	struct smtp_reply	 r;
	struct smtp_ext		 e;
	const char		*p = (const char *)data, *end = p + size, *nl;
	char			 err[128], *l;

	smtp_reply_init(&r);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (smtp_reply_feed(&r, p, (size_t)(nl - p), err,
		    sizeof(err)) == SMTP_FEED_DONE) {
			smtp_ext_parse(&r, &e);
			l = smtp_reply_line_new(&r);
			free(l);
		}
		p = nl + (nl < end);
	}
	smtp_reply_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum smtp_tls_mode	modes[] = { SMTP_TLS_STARTTLS,
					    SMTP_TLS_NONE };
	struct smtp_client_params	 p;
	struct net_loop			*loop;
	struct run			 t;
	struct net_source		 src = { .kind = NET_SOURCE_MEM };
	int				 turns = 0;

	if (size == 0)
		return 0;
	replies(data + 1, size - 1);
	memset(&p, 0, sizeof(p));
	memset(&t, 0, sizeof(t));
	p.net.host = "fuzz";
	p.net.port = "587";
	p.mode = modes[data[0] & 1];
	p.mech = (enum smtp_auth_mech)((data[0] >> 1) % 5);
	p.user = "user";
	p.secret = (data[0] & 0x40) ? SECRET : NULL;
	p.allow_plaintext_password = false;
	p.trace = trace;
	p.arg = &t;
	loop = net_loop_new();
	src.data = data + 1;
	src.len = size - 1;
	src.chunk = 1 + ((data[0] >> 4) & 3) * 16;
	t.c = smtp_client_open(loop, &src, &p, ready, &t);
	while (smtp_client_ok(t.c) && turns++ < 10000) {
		if (t.sent == 2 && !t.quitting) {
			t.quitting = true;
			smtp_client_quit(t.c, &t.quit_done);
		}
		if (net_loop_run_once(loop, 0) <= 0)
			break;
	}
	smtp_client_close(&t.c);
	net_loop_free(&loop);
	return 0;
}
