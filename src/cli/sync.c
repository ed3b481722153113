/*
 * sync.c: facteur sync [ACCOUNT...]: every folder of the named accounts
 * (all of them by default) mirrored both ways with the local store. One
 * line per folder; -v adds the protocol exchange on standard error, with
 * passwords and tokens masked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cli_priv.h"
#include "mime.h"
#include "sync.h"

struct sync_print {
	const char	*account;
	bool		 failed;
	bool		 tty;		/* progress on standard error */
	bool		 progress_shown;
};

/* Erase a progress line before anything else is printed. */
static void
progress_clear(struct sync_print *p)
{
	if (p->progress_shown)
		(void)fputs("\r\033[K", stderr);
	p->progress_shown = false;
}

static void
print_event(const struct sync_event *ev, void *arg)
{
	struct sync_print		*p = arg;
	const struct sync_counts	*c = ev->counts;

	switch (ev->kind) {
	case SYNC_EV_FOLDER:
	case SYNC_EV_PROGRESS:
		if (p->tty && c != NULL && c->to_fetch > 0) {
			(void)fprintf(stderr, "\r%s/%s: %zu of %zu downloaded"
			    "\033[K", p->account, ev->folder, c->fetched,
			    c->to_fetch);
			p->progress_shown = true;
		}
		return;
	case SYNC_EV_DONE:
		progress_clear(p);
		(void)printf("%s/%s: %zu new, %zu sent, %zu flag changes "
		    "down, %zu up, %zu deleted here, %zu there", p->account,
		    ev->folder, c->fetched, c->uploaded, c->flags_down,
		    c->flags_up, c->deleted_down, c->deleted_up);
		if (c->skipped > 0)
			(void)printf(" (%zu over max-size: headers only, the "
			    "rest when opened)", c->skipped);
		(void)putchar('\n');
		break;
	case SYNC_EV_NOTICE:
	case SYNC_EV_ERROR:
		progress_clear(p);
		if (ev->kind == SYNC_EV_ERROR)
			p->failed = true;
		(void)fprintf(stderr, "facteur: sync: %s/", p->account);
		cli_put_str(stderr, ev->folder != NULL ? ev->folder : "?");
		(void)fputs(": ", stderr);
		cli_put_str(stderr, ev->msg != NULL ? ev->msg :
		    ev->kind == SYNC_EV_ERROR ? "failed" : "");
		(void)fputc('\n', stderr);
		break;
	}
	(void)fflush(stdout);
}

/* The account's outbox sent first, so that the Sent copies go up in the
 * same sync. A line when something was queued; CLI_OK when nothing was
 * or everything went. */
static int
flush_outbox(const struct cli_opts *o, const struct cfg_account *a)
{
	struct sync_send_opts		 so;
	struct sync_outbox_result	 r;
	struct sync_print		 p = { a->name, false, false, false };
	char				 err[1024], *secret;
	int				 rc;

	if (a->outgoing.scheme == CFG_SCHEME_NONE)
		return CLI_OK;
	secret = cfg_password(a, true, err, sizeof(err));
	if (secret == NULL && err[0] != '\0') {
		(void)fprintf(stderr, "facteur: sync: %s: %s\n", a->name, err);
		return CLI_FAIL;
	}
	memset(&so, 0, sizeof(so));
	so.secret = secret;
	so.trace = o->verbose ? cli_print_trace : NULL;
	so.event = print_event;
	so.arg = &p;
	rc = sync_outbox_flush(a, &so, NULL, &r, err, sizeof(err));
	xfree_secret(&secret);
	if (rc == -1) {
		(void)fprintf(stderr, "facteur: sync: %s/%s: ", a->name,
		    SYNC_OUTBOX_FOLDER);
		cli_put_str(stderr, err);
		(void)fprintf(stderr, " (%zu left queued)\n", r.deferred);
	} else if (r.sent + r.deferred + r.refused > 0)
		(void)printf("%s/%s: %zu sent, %zu left queued\n", a->name,
		    SYNC_OUTBOX_FOLDER, r.sent, r.deferred + r.refused);
	rc = rc == 0 && r.deferred + r.refused == 0 ? CLI_OK : CLI_FAIL;
	sync_outbox_result_free(&r);
	return rc;
}

static int
sync_one(const struct cli_opts *o, const struct config *cfg,
    const struct cfg_account *a)
{
	struct sync_opts	 so;
	struct sync_print	 p = { a->name, false, false, false };
	char			 err[512], *secret, *cache;
	int			 rc;

	bool			 pop = a->incoming.scheme == CFG_SCHEME_POP3 ||
	    a->incoming.scheme == CFG_SCHEME_POP3S;

	(void)cfg;
	if (!pop && a->incoming.scheme != CFG_SCHEME_IMAP &&
	    a->incoming.scheme != CFG_SCHEME_IMAPS) {
		(void)fprintf(stderr, "facteur: sync: %s: nothing to sync "
		    "for a %s account\n", a->name,
		    cfg_scheme_name(a->incoming.scheme));
		return CLI_FAIL;
	}
	secret = cfg_password(a, false, err, sizeof(err));
	if (secret == NULL && err[0] != '\0') {
		(void)fprintf(stderr, "facteur: sync: %s: %s\n", a->name, err);
		return CLI_FAIL;
	}
	cache = store_cache_dir_new();
	/* Progress only for a person watching, never with -v (the trace
	 * shares standard error). */
	p.tty = isatty(2) && !o->verbose;
	memset(&so, 0, sizeof(so));
	so.secret = secret;
	so.cache_dir = cache;
	so.trace = o->verbose ? cli_print_trace : NULL;
	so.event = print_event;
	so.arg = &p;
	rc = pop ? sync_pop3_account(a, &so, err, sizeof(err)) :
	    sync_imap_account(a, &so, err, sizeof(err));
	progress_clear(&p);
	xfree_secret(&secret);
	free(cache);
	if (rc == -1) {
		(void)fprintf(stderr, "facteur: sync: %s: ", a->name);
		cli_put_str(stderr, err);
		(void)fputc('\n', stderr);
		return CLI_FAIL;
	}
	return rc == 0 && !p.failed ? CLI_OK : CLI_FAIL;
}

int
cli_sync(const struct cli_opts *o)
{
	struct config			*cfg = NULL;
	const struct cfg_account	*a;
	size_t				 i;
	int				 rc = CLI_OK, r;

	if (cli_load_optional_config(o, &cfg) == -1)
		return CLI_USAGE;
	if (cfg == NULL || cfg->naccounts == 0) {
		(void)fprintf(stderr, "facteur: sync: no account configured "
		    "(see facteur.conf(5))\n");
		cfg_free(&cfg);
		return CLI_USAGE;
	}
	(void)cfg_protect_secrets();
	for (i = 0; i < (size_t)o->nargs; i++)
		if (cfg_account(cfg, o->args[i]) == NULL) {
			(void)fprintf(stderr, "facteur: sync: %s: no such "
			    "account in %s\n", o->args[i], cfg->path);
			cfg_free(&cfg);
			return CLI_USAGE;
		}
	for (i = 0; i < (o->nargs > 0 ? (size_t)o->nargs : cfg->naccounts);
	    i++) {
		a = o->nargs > 0 ? cfg_account(cfg, o->args[i]) :
		    &cfg->accounts[i];
		r = flush_outbox(o, a);
		if (r != CLI_OK)
			rc = r;
		if (o->nargs == 0 && a->incoming.scheme == CFG_SCHEME_MAILDIR)
			continue;	/* nothing else to sync */
		r = sync_one(o, cfg, a);
		if (r != CLI_OK)
			rc = r;
	}
	cfg_free(&cfg);
	return rc;
}
