/*
 * send.c: facteur send [-a ACCOUNT] [-q] [-v] < MESSAGE, like sendmail:
 * the message read from standard input, its recipients taken from To,
 * Cc and Bcc, Bcc left out of what is transmitted, Date, Message-ID and
 * From added when missing. It is queued in the account's Outbox first
 * (durably), then sent at once unless -q: taken by the server, it moves
 * to the Sent folder; refused for good, it leaves the outbox and the
 * command fails with the server's words; not sent for now (the server
 * unreachable, a temporary refusal), it stays queued for the next
 * facteur sync.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli_priv.h"
#include "mime.h"
#include "store.h"
#include "sync.h"

/* Largest message read from standard input. */
#define SEND_MAX	((size_t)256 * 1024 * 1024)

static int
read_stdin(struct buf *b)
{
	char	chunk[65536];
	ssize_t	r;

	buf_init(b, SEND_MAX);
	for (;;) {
		r = read(0, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		if (buf_append(b, chunk, (size_t)r) == -1) {
			errno = EFBIG;
			return -1;
		}
	}
}

/* The message prepared and queued; its outbox file name in *name. */
static int
queue(const struct cfg_account *a, const struct buf *in, char **name)
{
	char	err[512];
	int	r;

	r = sync_outbox_queue(a, in->data != NULL ? in->data : "", in->len,
	    name, err, sizeof(err));
	if (r != 0)
		(void)fprintf(stderr, "facteur: send: %s\n", err);
	return r == 0 ? CLI_OK : r == -2 ? CLI_USAGE : CLI_FAIL;
}

/* Drop a refused message from the outbox: the caller has it, and
 * retrying a permanent refusal at every sync helps nobody. */
static void
unqueue(const struct cfg_account *a, const char *name)
{
	char	*outbox = sync_outbox_path_new(a), *p;

	p = xasprintf("%s/new/%s", outbox, name);
	(void)unlink(p);
	free(p);
	free(outbox);
}

/* Quiet events: only failures, as one line. */
static void
sent_event(const struct sync_event *ev, void *arg)
{
	bool	*failed = arg;

	if (ev->kind == SYNC_EV_ERROR)
		*failed = true;
}

/* An IMAP account's Sent copy goes up now, as other clients expect; if
 * it cannot, the next sync takes it (it is in the local Sent folder). */
static void
upload_sent(const struct cli_opts *o, const struct cfg_account *a)
{
	struct sync_opts	 so;
	char			 err[512], *secret, *sent, *cache;
	bool			 failed = false;

	if (a->incoming.scheme != CFG_SCHEME_IMAP &&
	    a->incoming.scheme != CFG_SCHEME_IMAPS)
		return;
	secret = cfg_password(a, false, err, sizeof(err));
	sent = sync_sent_folder_new(a);
	cache = store_cache_dir_new();
	memset(&so, 0, sizeof(so));
	so.secret = secret;
	so.cache_dir = cache;
	so.trace = o->verbose ? cli_print_trace : NULL;
	so.event = sent_event;
	so.arg = &failed;
	so.only_folder = sent;
	if (sync_imap_account(a, &so, err, sizeof(err)) != 0 || failed)
		(void)fprintf(stderr, "facteur: send: %s: sent; the copy is "
		    "in the local %s folder, the next facteur sync uploads "
		    "it\n", a->name, sent);
	xfree_secret(&secret);
	free(sent);
	free(cache);
}

static int
send_now(const struct cli_opts *o, const struct cfg_account *a,
    const char *name)
{
	struct sync_send_opts		 so;
	struct sync_outbox_result	 r;
	char				 err[1024], *secret;
	int				 rc;

	secret = cfg_password(a, true, err, sizeof(err));
	if (secret == NULL && err[0] != '\0') {
		(void)fprintf(stderr, "facteur: send: %s: %s; queued in the "
		    "Outbox\n", a->name, err);
		return CLI_FAIL;
	}
	memset(&so, 0, sizeof(so));
	so.secret = secret;
	so.trace = o->verbose ? cli_print_trace : NULL;
	rc = sync_outbox_flush(a, &so, name, &r, err, sizeof(err));
	xfree_secret(&secret);
	if (rc == 0 && r.sent == 1) {
		upload_sent(o, a);
		rc = CLI_OK;
	}
	else if (rc == 0 && r.refused > 0) {
		unqueue(a, name);
		(void)fputs("facteur: send: ", stderr);
		cli_put_str(stderr, r.first_error);
		(void)fputc('\n', stderr);
		rc = CLI_FAIL;
	} else {
		(void)fprintf(stderr, "facteur: send: %s: not sent now (",
		    a->name);
		cli_put_str(stderr, rc == -1 ? err : r.first_error != NULL ?
		    r.first_error : "unknown");
		(void)fputs("); queued in the Outbox, the next facteur sync "
		    "sends it\n", stderr);
		/* The network failing is what the outbox is for; anything
		 * else needs the user's eyes. */
		rc = rc == -1 && !r.unreachable ? CLI_FAIL : CLI_OK;
	}
	sync_outbox_result_free(&r);
	return rc;
}

int
cli_send(const struct cli_opts *o)
{
	struct config			*cfg = NULL;
	const struct cfg_account	*a;
	struct buf			 in;
	char				*name = NULL;
	int				 rc;

	if (cli_load_optional_config(o, &cfg) == -1)
		return CLI_USAGE;
	a = cfg != NULL ? cfg_account(cfg, o->account) : NULL;
	if (a == NULL) {
		if (cfg == NULL || cfg->naccounts == 0)
			(void)fprintf(stderr, "facteur: send: no account "
			    "configured (see facteur.conf(5))\n");
		else
			(void)fprintf(stderr, "facteur: send: %s: no such "
			    "account in %s\n", o->account, cfg->path);
		cfg_free(&cfg);
		return CLI_USAGE;
	}
	if (!o->queue && a->outgoing.scheme == CFG_SCHEME_NONE) {
		(void)fprintf(stderr, "facteur: send: account %s has no "
		    "outgoing server (outgoing = smtps://...)\n", a->name);
		cfg_free(&cfg);
		return CLI_USAGE;
	}
	if (read_stdin(&in) == -1) {
		(void)fprintf(stderr, "facteur: send: standard input: %s\n",
		    strerror(errno));
		buf_free(&in);
		cfg_free(&cfg);
		return CLI_FAIL;
	}
	rc = queue(a, &in, &name);
	buf_free(&in);
	if (rc == CLI_OK && !o->queue)
		rc = send_now(o, a, name);
	free(name);
	cfg_free(&cfg);
	return rc;
}
