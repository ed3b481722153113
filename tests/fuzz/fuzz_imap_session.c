/*
 * fuzz_imap_session.c: libFuzzer target for a whole IMAP session in which
 * the fuzzer plays the server (src/proto/imap_client.c over a memory
 * connection). The first byte picks the TLS mode, the login mechanism and
 * the size of the pieces the rest arrives in; once logged in, the client
 * pipelines SELECT, a UID FETCH, an APPEND with a literal and NOOP, then
 * IDLE (when offered), ended after a few loop turns. Any
 * crash, leak or sanitizer report is a bug; so is any LOGIN or
 * AUTHENTICATE command: there is never TLS here and plaintext passwords
 * are not allowed, so whatever the server says, none may be sent. An
 * [ALERT] may reach the user only in the mode without STARTTLS (with
 * STARTTLS, nothing the server says before TLS is shown).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap.h"

#define SECRET	"fuzz-Secret-9"

struct run {
	struct imap_client	*c;
	bool			 ready, ok, idling;
	int			 pending;
};

static void
done(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct run	*t = arg;

	(void)c;
	(void)r;
	t->pending--;
}

static void
untagged(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	(void)c;
	(void)r;
	(void)arg;
}

static void
trace(const char *dir, const char *line, size_t len, void *arg)
{
	(void)arg;
	if (strcmp(dir, "C") == 0 &&
	    (mem_find(line, len, " LOGIN ", 7) != NULL ||
	    mem_find(line, len, " AUTHENTICATE ", 14) != NULL ||
	    mem_find(line, len, SECRET, sizeof(SECRET) - 1) != NULL))
		abort();
}

static enum imap_tls_mode	mode;
static size_t			sink;

static void
alert(const char *text, size_t len, void *arg)
{
	size_t	i;

	(void)arg;
	if (mode == IMAP_TLS_STARTTLS)
		abort();
	for (i = 0; i < len; i++)
		sink += (unsigned char)text[i];
}

static void
ready(struct imap_client *c, bool ok, void *arg)
{
	struct run	*t = arg;

	t->ready = true;
	t->ok = ok;
	if (!ok)
		return;
	t->pending = 4;
	if (imap_client_cmd(c, untagged, done, t, "SELECT %m", "Entwürfe") ==
	    -1 || imap_client_cmd(c, untagged, done, t, "UID FETCH 1:* "
	    "(FLAGS BODY.PEEK[HEADER])") == -1 || imap_client_cmd(c, untagged,
	    done, t, "APPEND INBOX %L", "Subject: x\r\n\r\nhi\r\n",
	    (size_t)19) == -1 || imap_client_cmd(c, untagged, done, t,
	    "NOOP") == -1)
		t->pending = 0;
	/* And IDLE after them, ended a few turns later. */
	t->idling = imap_client_idle(c, done, t) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum imap_tls_mode	modes[] = { IMAP_TLS_STARTTLS,
					    IMAP_TLS_NONE };
	struct imap_client_params	 p;
	struct net_loop			*loop;
	struct run			 t;
	struct net_source		 src = { .kind = NET_SOURCE_MEM };
	int				 turns = 0;

	if (size == 0)
		return 0;
	memset(&p, 0, sizeof(p));
	memset(&t, 0, sizeof(t));
	p.net.host = "fuzz";
	p.net.port = "143";
	p.mode = mode = modes[data[0] & 1];
	p.alert = alert;
	p.mech = (enum imap_auth_mech)((data[0] >> 1) % 5);
	p.user = "user";
	p.secret = SECRET;
	p.allow_plaintext_password = false;
	p.trace = trace;
	p.limits.max_literal = 4096;
	p.limits.max_response = 8192;
	loop = net_loop_new();
	src.data = data + 1;
	src.len = size - 1;
	src.chunk = 1 + (data[0] >> 4) * 8;
	t.c = imap_client_open(loop, &src, &p, ready, &t);
	while (imap_client_ok(t.c) && turns++ < 10000) {
		if (t.idling && turns == 50)
			(void)imap_client_idle_done(t.c);
		if (net_loop_run_once(loop, 0) <= 0)
			break;
	}
	imap_client_close(&t.c);
	net_loop_free(&loop);
	return 0;
}
