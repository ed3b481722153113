/*
 * idle.c: waiting for new mail in an IMAP account's INBOX with IDLE
 * (RFC 2177), for the interface's engine: one connection that sits in
 * IDLE until the server reports a change, a time limit passes, or the
 * caller's descriptor wakes it (the user asked for something).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_priv.h"

/* RFC 2177: re-issue IDLE at least every 29 minutes. */
#define IDLE_MAX_MS	((int64_t)29 * 60 * 1000)

struct watch {
	struct ctx	*x;
	bool		 stop, woken, timed_out, idle_ended;
	uint32_t	 uidnext;	/* EXAMINE's, 0: not given */
};

static void
examine_untagged(struct imap_client *c, const struct imap_resp *r,
    void *arg)
{
	struct watch	*w = arg;
	uint64_t	 v;

	(void)c;
	if (r->has_code && strcmp(r->code, "UIDNEXT") == 0 &&
	    r->ncode_args == 1 &&
	    imap_item_number(&r->code_args[0], UINT32_MAX, &v))
		w->uidnext = (uint32_t)v;
}

/* Mail that came between the last sync and this watch: the server's
 * UIDNEXT is past what the INBOX's sync state recorded. */
static bool
missed_news(const struct cfg_account *a, uint32_t uidnext)
{
	struct sync_state	st;
	struct store_err	err;
	char			*path = xasprintf("%s/INBOX", a->store_path);
	bool			 news;

	sync_state_init(&st);
	news = uidnext != 0 && sync_state_load_head(&st, path, &err) == 0 &&
	    st.uidvalidity != 0 && st.uidnext != uidnext;
	sync_state_free(&st);
	free(path);
	return news;
}

static void
on_wake(int fd, short revents, void *arg)
{
	struct watch	*w = arg;

	(void)fd;
	(void)revents;
	w->woken = w->stop = true;
}

static void
on_timer(void *arg)
{
	struct watch	*w = arg;

	w->timed_out = w->stop = true;
}

static void
on_idle_done(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct watch	*w = arg;

	(void)c;
	(void)r;
	w->idle_ended = true;
}

/* Run the loop until stop, news, or the client fails. */
static int
watch_wait(struct watch *w)
{
	while (!w->stop && !w->x->news && imap_client_ok(w->x->c))
		if (net_loop_run_once(w->x->loop, -1) == -1)
			return -1;
	return imap_client_ok(w->x->c) ? 0 : -1;
}

int
sync_imap_watch(const struct cfg_account *a, const struct sync_opts *o,
    int64_t timeout_ms, int wake_fd, char *err, size_t errlen)
{
	struct ctx	x;
	struct watch	w;
	struct wait	wt;
	int		rc;

	memset(&x, 0, sizeof(x));
	memset(&w, 0, sizeof(w));
	w.x = &x;
	x.a = a;
	x.o = o;
	err[0] = '\0';
	if (timeout_ms <= 0 || timeout_ms > IDLE_MAX_MS)
		timeout_ms = IDLE_MAX_MS;
	x.loop = net_loop_new();
	if (sync_connect(&x, err, errlen) == -1) {
		rc = SYNC_WATCH_ERROR;
		goto out;
	}
	if (!(imap_client_caps(x.c) & IMAP_CAP_IDLE)) {
		(void)fct_snprintf(err, errlen, "the server does not offer "
		    "IDLE");
		rc = SYNC_WATCH_NO_IDLE;
		goto logout;
	}
	if (run(&x, examine_untagged, &w, &wt, err, errlen,
	    "EXAMINE INBOX") == -1) {
		rc = SYNC_WATCH_ERROR;
		goto out;
	}
	if (missed_news(a, w.uidnext)) {
		rc = SYNC_WATCH_NEWS;
		goto logout;
	}
	if (wake_fd >= 0)
		net_loop_watch(x.loop, wake_fd, POLLIN, on_wake, &w);
	(void)net_timer_add(x.loop, timeout_ms, on_timer, &w);
	x.watching = true;
	if (imap_client_idle(x.c, on_idle_done, &w) == -1 ||
	    watch_wait(&w) == -1) {
		(void)fct_snprintf(err, errlen, "%s", imap_client_error(x.c));
		rc = SYNC_WATCH_ERROR;
		goto out;
	}
	if (wake_fd >= 0)
		net_loop_unwatch(x.loop, wake_fd);
	rc = x.news ? SYNC_WATCH_NEWS : w.woken ? SYNC_WATCH_WOKEN :
	    SYNC_WATCH_TIMEOUT;
	/* DONE, and its answer, so that LOGOUT is not refused. */
	if (imap_client_idle_done(x.c) == 0)
		(void)imap_client_wait(x.c, &w.idle_ended);
logout:
	if (imap_client_ok(x.c))
		(void)run(&x, NULL, NULL, &wt, err, errlen, "LOGOUT");
	if (rc != SYNC_WATCH_NO_IDLE)
		err[0] = '\0';
out:
	imap_client_close(&x.c);
	net_loop_free(&x.loop);
	net_tls_ctx_free(&x.tls);
	return rc;
}
