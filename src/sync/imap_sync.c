/*
 * imap_sync.c: one IMAP account mirrored with its local store (see
 * sync.h for the rules). Per folder: SELECT, the server's UIDs and flags,
 * the local files, then the decisions (flags both ways, deletions both
 * ways, downloads, uploads), then the new state, saved as each step
 * completes so that a crash at any point loses nothing and duplicates
 * nothing.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bounds.h"
#include "buf.h"
#include "mime.h"
#include "sync.h"

#define FETCH_CHUNK	500	/* messages per UID FETCH of bodies */
#define PIECE		((uint64_t)4 * 1024 * 1024)	/* bigger messages
					 * come in pieces of this size */
#define SET_MAX		(8 * 1024)	/* bytes of one sequence set */
#define JOURNAL_MAX	((size_t)64 * 1024 * 1024)
#define STATE_EVERY_MS	3000	/* saves of the state while downloading */

struct mailbox {
	char		*name;		/* UTF-8, as the server spells it */
	char		*folder;	/* local; NULL: not synced */
	char		 delim;
	unsigned	 special;	/* 1 << SYNC_SPECIAL_* */
	bool		 noselect;
	/* LIST-STATUS or STATUS, when the server gave them. */
	bool		 have_status;
	uint32_t	 uidvalidity, uidnext, messages;
	uint64_t	 modseq;
};

struct ctx {
	const struct cfg_account *a;
	const struct sync_opts	*o;
	struct net_loop		*loop;
	struct net_tls_ctx	*tls;
	struct imap_client	*c;
	bool			 ready, ok;
	bool			 qresync;	/* enabled: SELECT (QRESYNC) */
	char			 delim;
};

/* ------------------------------------------------------------------ */
/* Commands run to their end                                           */

struct wait {
	imap_untagged_fn	*u;		/* the command's own handler */
	void			*uarg;
	bool			 done, failed;
	enum imap_status	 status;
	char			 text[BOUND_ERRMSG];
	char			 code[32];
	uint64_t		 code_num[3];
	size_t			 ncode;
};

static void
wait_untagged(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct wait	*w = arg;

	if (w->u != NULL)
		w->u(c, r, w->uarg);
}

static void
wait_done(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct wait	*w = arg;
	size_t		 i;

	w->done = true;
	if (r == NULL) {
		w->failed = true;
		return;
	}
	/* The command's own tagged code (COPYUID) is its handler's too. */
	if (w->u != NULL && r->has_code)
		w->u(c, r, w->uarg);
	w->status = r->status;
	(void)fct_snprintf(w->text, sizeof(w->text), "%.*s",
	    (int)r->text_len, r->text);
	if (r->has_code) {
		(void)fct_strlcpy(w->code, r->code, sizeof(w->code));
		for (i = 0; i < r->ncode_args && i < 3; i++)
			if (imap_item_number(&r->code_args[i], UINT64_MAX >> 1,
			    &w->code_num[i]))
				w->ncode = i + 1;
	}
}

/* Send a command whose answer w will hold; -1 when the client failed. */
static int
vsend(struct ctx *x, imap_untagged_fn *u, void *uarg, struct wait *w,
    const char *fmt, va_list ap)
{
	memset(w, 0, sizeof(*w));
	w->u = u;
	w->uarg = uarg;
	return imap_client_vcmd(x->c, wait_untagged, wait_done, w, fmt, ap);
}

static int
cmd_send(struct ctx *x, imap_untagged_fn *u, void *uarg, struct wait *w,
    const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	rc = vsend(x, u, uarg, w, fmt, ap);
	va_end(ap);
	return rc;
}

/* The client's failure into err; -1. */
static int
fail_client(struct ctx *x, char *err, size_t errlen)
{
	(void)fct_snprintf(err, errlen, "%s", imap_client_error(x->c));
	return -1;
}

/* Wait for a sent command's answer: 0 when OK; -1 with the server's
 * words (or the connection's failure) in err. */
static int
finish(struct ctx *x, struct wait *w, char *err, size_t errlen)
{
	if (imap_client_wait(x->c, &w->done) == -1 || w->failed) {
		(void)fct_snprintf(err, errlen, "%s", imap_client_error(x->c));
		return -1;
	}
	if (w->status != IMAP_ST_OK) {
		(void)fct_snprintf(err, errlen, "%s%s%s%s", w->code[0] ?
		    "[" : "", w->code, w->code[0] ? "] " : "", w->text);
		return -1;
	}
	return 0;
}

/*
 * Run one command and wait for its answer. 0 when OK; -1 with the
 * server's words (or the connection's failure) in err.
 */
static int
run(struct ctx *x, imap_untagged_fn *u, void *uarg, struct wait *w,
    char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	rc = vsend(x, u, uarg, w, fmt, ap);
	va_end(ap);
	if (rc == -1) {
		(void)fct_snprintf(err, errlen, "%s", imap_client_error(x->c));
		return -1;
	}
	return finish(x, w, err, errlen);
}

/* ------------------------------------------------------------------ */
/* Flags                                                               */

static const struct {
	const char	*imap;
	unsigned	 bit;
} flag_names[] = {
	{ "\\Draft", STORE_DRAFT }, { "\\Flagged", STORE_FLAGGED },
	{ "$Forwarded", STORE_PASSED }, { "\\Answered", STORE_REPLIED },
	{ "\\Seen", STORE_SEEN }, { "\\Deleted", STORE_TRASHED },
};

static unsigned
flags_of(const struct imap_item *list)
{
	unsigned	f = 0;
	size_t		i, k;

	if (list == NULL || list->type != IMAP_LIST)
		return 0;
	for (i = 0; i < list->n; i++)
		for (k = 0; k < sizeof(flag_names) / sizeof(flag_names[0]);
		    k++)
			if (imap_item_is(&list->items[i], flag_names[k].imap))
				f |= flag_names[k].bit;
	return f;
}

/* "\Seen \Flagged" for a set of flags. */
static void
flags_text(unsigned flags, char *out, size_t size)
{
	size_t	k;

	out[0] = '\0';
	for (k = 0; k < sizeof(flag_names) / sizeof(flag_names[0]); k++)
		if (flags & flag_names[k].bit) {
			if (out[0] != '\0')
				(void)fct_strlcat(out, " ", size);
			(void)fct_strlcat(out, flag_names[k].imap, size);
		}
}

/* The value after name in a FETCH item list, or NULL. */
static const struct imap_item *
fetch_get(const struct imap_item *list, const char *name)
{
	size_t	i;

	for (i = 0; i + 1 < list->n; i += 2)
		if (imap_item_is(&list->items[i], name))
			return &list->items[i + 1];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The server's side of a folder                                       */

struct srv_msg {
	uint32_t	uid;
	uint8_t		flags;
	bool		seen_here;	/* matched to the state or a file */
	bool		want;		/* to download */
	uint64_t	size;
	char		*msgid;		/* when asked for, owned */
};

struct srv {
	struct srv_msg	*m;
	size_t		 n, cap;
	uint32_t	 uidvalidity, uidnext, exists;
	uint64_t	 modseq;
	/* SELECT (QRESYNC): what changed since the last sync. */
	struct srv_msg	*chg;		/* FETCH: uid and flags */
	size_t		 nchg, capchg;
	uint32_t	(*gone)[2];	/* VANISHED (EARLIER) ranges */
	size_t		 ngone, capgone;
	bool		 bad_set;	/* a VANISHED that did not parse */
};

static void
srv_free(struct srv *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		free(s->m[i].msgid);
	free(s->m);
	free(s->chg);
	free(s->gone);
	memset(s, 0, sizeof(*s));
}

static struct srv_msg *
srv_find(struct srv *s, uint32_t uid)
{
	size_t	lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->m[mid].uid == uid)
			return &s->m[mid];
		if (s->m[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void
gone_range(uint32_t lo, uint32_t hi, void *arg)
{
	struct srv	*s = arg;

	if (s->ngone == s->capgone) {
		s->capgone = s->capgone ? s->capgone * 2 : 16;
		s->gone = xreallocarray(s->gone, s->capgone,
		    sizeof(*s->gone));
	}
	s->gone[s->ngone][0] = lo;
	s->gone[s->ngone][1] = hi;
	s->ngone++;
}

/* SELECT (QRESYNC)'s news: "* VANISHED (EARLIER) 3:5,9" and "* n FETCH
 * (UID u FLAGS (...) MODSEQ (m))". */
static void
qresync_untagged(struct srv *s, const struct imap_resp *r)
{
	const struct imap_item	*it;
	uint64_t		 uid;

	if (strcmp(r->name, "VANISHED") == 0) {
		it = &r->items[r->n - 1];
		if (r->n != 2 || r->items[0].type != IMAP_LIST ||
		    r->items[0].n != 1 ||
		    !imap_item_is(&r->items[0].items[0], "EARLIER") ||
		    it->type != IMAP_ATOM ||
		    imap_uid_set_parse(it->s, it->len, gone_range, s) == -1)
			s->bad_set = true;
		return;
	}
	if (strcmp(r->name, "FETCH") != 0 || r->n != 1 ||
	    r->items[0].type != IMAP_LIST ||
	    (it = fetch_get(&r->items[0], "UID")) == NULL ||
	    !imap_item_number(it, UINT32_MAX, &uid) || uid == 0 ||
	    (it = fetch_get(&r->items[0], "FLAGS")) == NULL ||
	    it->type != IMAP_LIST)
		return;
	if (s->nchg == s->capchg) {
		s->capchg = s->capchg ? s->capchg * 2 : 64;
		s->chg = xreallocarray(s->chg, s->capchg, sizeof(*s->chg));
	}
	memset(&s->chg[s->nchg], 0, sizeof(s->chg[s->nchg]));
	s->chg[s->nchg].uid = (uint32_t)uid;
	s->chg[s->nchg].flags = (uint8_t)flags_of(it);
	s->nchg++;
}

static void
select_untagged(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct srv	*s = arg;
	uint64_t	 v;

	(void)c;
	if (r->has_number && strcmp(r->name, "EXISTS") == 0)
		s->exists = r->number;
	if (r->status == IMAP_ST_NONE && r->n > 0)
		qresync_untagged(s, r);
	if (r->status != IMAP_ST_OK || !r->has_code || r->ncode_args < 1 ||
	    !imap_item_number(&r->code_args[0], UINT64_MAX >> 1, &v))
		return;
	if (strcmp(r->code, "UIDVALIDITY") == 0 && v <= UINT32_MAX)
		s->uidvalidity = (uint32_t)v;
	else if (strcmp(r->code, "UIDNEXT") == 0 && v <= UINT32_MAX)
		s->uidnext = (uint32_t)v;
	else if (strcmp(r->code, "HIGHESTMODSEQ") == 0)
		s->modseq = v;
}

/* "* n FETCH (UID u FLAGS (...) RFC822.SIZE z)" into the list. */
static void
list_untagged(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct srv		*s = arg;
	const struct imap_item	*it;
	uint64_t		 uid, size = 0;

	(void)c;
	if (strcmp(r->name, "FETCH") != 0 || r->n != 1 ||
	    r->items[0].type != IMAP_LIST)
		return;
	it = fetch_get(&r->items[0], "UID");
	if (it == NULL || !imap_item_number(it, UINT32_MAX, &uid) || uid == 0)
		return;
	if ((it = fetch_get(&r->items[0], "RFC822.SIZE")) != NULL)
		(void)imap_item_number(it, UINT64_MAX >> 1, &size);
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->m = xreallocarray(s->m, s->cap, sizeof(*s->m));
	}
	memset(&s->m[s->n], 0, sizeof(s->m[s->n]));
	s->m[s->n].uid = (uint32_t)uid;
	s->m[s->n].flags = (uint8_t)flags_of(fetch_get(&r->items[0],
	    "FLAGS"));
	s->m[s->n].size = size;
	s->n++;
}

static int
uid_cmp(const void *a, const void *b)
{
	const struct srv_msg	*x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

/* Sorted by UID, each once (a server may repeat a FETCH). */
static void
srv_sort(struct srv *s)
{
	size_t	i, k;

	if (s->n < 2)
		return;
	qsort(s->m, s->n, sizeof(*s->m), uid_cmp);
	for (i = k = 1; i < s->n; i++) {
		if (s->m[i].uid == s->m[k - 1].uid) {
			free(s->m[i].msgid);
			continue;
		}
		s->m[k++] = s->m[i];
	}
	s->n = k;
}

/* ------------------------------------------------------------------ */
/* UID sets                                                            */

struct uids {
	uint32_t	*v;
	size_t		 n, cap;
};

static void
uids_add(struct uids *u, uint32_t uid)
{
	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 64;
		u->v = xreallocarray(u->v, u->cap, sizeof(*u->v));
	}
	u->v[u->n++] = uid;
}

/* The set "1:5,7" of v[*from..] (sorted) that fits SET_MAX bytes, at most
 * max uids; *from moves past them. */
static void
uids_set(const struct uids *u, size_t *from, size_t max, char *out,
    size_t size)
{
	size_t	i = *from, j, taken = 0;
	char	piece[32];

	out[0] = '\0';
	while (i < u->n && taken < max) {
		for (j = i; j + 1 < u->n && u->v[j + 1] == u->v[j] + 1 &&
		    taken + (j - i) + 1 < max; j++)
			;
		if (j > i)
			(void)snprintf(piece, sizeof(piece), "%s%u:%u",
			    out[0] ? "," : "", u->v[i], u->v[j]);
		else
			(void)snprintf(piece, sizeof(piece), "%s%u",
			    out[0] ? "," : "", u->v[i]);
		if (strlen(out) + strlen(piece) + 1 > size)
			break;
		(void)fct_strlcat(out, piece, size);
		taken += j - i + 1;
		i = j + 1;
	}
	*from = i;
}

/* ------------------------------------------------------------------ */
/* Downloading                                                         */

struct down {
	struct ctx		*x;
	const char		*path;
	struct sync_state	*st;
	struct sync_counts	*cnt;
	const char		*folder;
	struct store_batch	*batch;		/* this chunk's messages */
	uint32_t		*uids;		/* their UIDs, */
	uint8_t			*flags;		/* and flags */
	size_t			 cap;
	struct buf		 lf;		/* the message with LF ends */
	bool			 stopped;	/* failed: store no more */
	bool			 dirty;		/* state not saved since */
	int64_t			 saved_ms;	/* last saved */
	char			 err[BOUND_ERRMSG];
};

static void
emit(struct ctx *x, enum sync_event_kind kind, const char *folder,
    const struct sync_counts *cnt, const char *msg)
{
	struct sync_event	ev = { kind, folder, cnt, msg };

	if (x->o->event != NULL)
		x->o->event(&ev, x->o->arg);
}

/* Line ends: IMAP speaks CRLF, maildirs hold LF (as Dovecot, mbsync and
 * mutt have them). A lone CR stays. */
static void
to_lf(const char *s, size_t n, struct buf *out)
{
	size_t	i, start = 0;

	buf_reset(out);
	for (i = 0; i + 1 < n; i++)
		if (s[i] == '\r' && s[i + 1] == '\n') {
			if (buf_append(out, s + start, i - start) == -1)
				fatalx("sync: message too large");
			start = i + 1;
		}
	if (buf_append(out, s + start, n - start) == -1)
		fatalx("sync: message too large");
}

static void
to_crlf(const char *s, size_t n, struct buf *out)
{
	size_t	i, start = 0;

	buf_reset(out);
	for (i = 0; i < n; i++)
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) {
			if (buf_append(out, s + start, i - start) == -1 ||
			    buf_append(out, "\r", 1) == -1)
				fatalx("sync: message too large");
			start = i;
		}
	if (buf_append(out, s + start, n - start) == -1)
		fatalx("sync: message too large");
}

/* A FETCH's INTERNALDATE as a time, -1 when absent or not valid. */
static int64_t
internaldate(const struct imap_item *list)
{
	const struct imap_item	*it = fetch_get(list, "INTERNALDATE");
	int64_t			 t;

	if (it == NULL || it->type != IMAP_STRING ||
	    imap_internaldate_parse(it->s, it->len, &t) == -1 || t < 0)
		return -1;
	return t;
}

static void
body_untagged(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct down		*d = arg;
	const struct imap_item	*it, *body;
	struct store_err	 err;
	uint64_t		 uid;
	unsigned		 flags;
	char			 tag[32];

	(void)c;
	if (d->stopped || strcmp(r->name, "FETCH") != 0 || r->n != 1 ||
	    r->items[0].type != IMAP_LIST)
		return;
	it = fetch_get(&r->items[0], "UID");
	body = fetch_get(&r->items[0], "BODY[]");
	if (it == NULL || !imap_item_number(it, UINT32_MAX, &uid) ||
	    uid == 0 || body == NULL || body->type != IMAP_STRING)
		return;
	if (sync_state_find(d->st, (uint32_t)uid) != NULL ||
	    (store_batch_count(d->batch) > 0 &&
	    d->uids[store_batch_count(d->batch) - 1] == uid))
		return;		/* already here (a repeated response) */
	flags = flags_of(fetch_get(&r->items[0], "FLAGS"));
	(void)snprintf(tag, sizeof(tag), "U=%u", (unsigned)uid);
	/* Unseen mail goes to new/, as other readers expect; stored for
	 * good when the chunk is committed, dated as the server got it. */
	to_lf(body->s, body->len, &d->lf);
	if (store_batch_add_at(d->batch, d->lf.data != NULL ? d->lf.data : "",
	    d->lf.len, flags, tag, internaldate(&r->items[0]), &err) == -1) {
		if (d->err[0] == '\0')
			(void)fct_strlcpy(d->err, err.msg, sizeof(d->err));
		return;
	}
	if (store_batch_count(d->batch) > d->cap) {
		d->cap = store_batch_count(d->batch) * 2;
		d->uids = xreallocarray(d->uids, d->cap, sizeof(*d->uids));
		d->flags = xreallocarray(d->flags, d->cap, sizeof(*d->flags));
	}
	d->uids[store_batch_count(d->batch) - 1] = (uint32_t)uid;
	d->flags[store_batch_count(d->batch) - 1] = (uint8_t)flags;
}

static int	down_commit(struct down *d, char *err, size_t errlen);

/* One piece of a big message: "* n FETCH (UID u FLAGS (..)
 * BODY[]<off> {len}..)". */
struct piece {
	struct buf	*whole;
	uint32_t	 uid;
	uint64_t	 off;
	unsigned	 flags;
	int64_t		 received;
	size_t		 got;
	bool		 seen, bad;
};

static void
piece_untagged(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct piece		*p = arg;
	const struct imap_item	*it, *body = NULL, *l;
	char			 want[48];
	uint64_t		 uid;
	size_t			 i;

	(void)c;
	if (strcmp(r->name, "FETCH") != 0 || r->n != 1 ||
	    r->items[0].type != IMAP_LIST || p->seen)
		return;
	l = &r->items[0];
	it = fetch_get(l, "UID");
	if (it == NULL || !imap_item_number(it, UINT32_MAX, &uid) ||
	    uid != p->uid)
		return;
	(void)snprintf(want, sizeof(want), "BODY[]<%llu>",
	    (unsigned long long)p->off);
	for (i = 0; i + 1 < l->n; i += 2)
		if (imap_item_is(&l->items[i], want))
			body = &l->items[i + 1];
	if (body == NULL) {
		/* Past the end, a server may give BODY[]<off> "" or NIL, or
		 * BODY[] without the origin. */
		body = fetch_get(l, "BODY[]");
		if (body == NULL) {
			p->seen = true;
			return;
		}
	}
	p->seen = true;
	if (body->type != IMAP_STRING || body->len > PIECE) {
		p->bad = body->type != IMAP_ATOM;	/* NIL: nothing */
		return;
	}
	p->flags = flags_of(fetch_get(l, "FLAGS"));
	p->received = internaldate(l);
	if (buf_append(p->whole, body->s, body->len) == -1)
		p->bad = true;
	p->got = body->len;
}

/*
 * A message bigger than a piece, fetched piece by piece (BODY.PEEK[]<off.
 * len>): no answer of the server is then bigger than a piece, and a dropped
 * connection costs one piece.
 */
static int
download_big(struct ctx *x, struct down *d, uint32_t uid, uint64_t size,
    char *err, size_t errlen)
{
	struct piece		p;
	struct buf		whole;
	struct store_err	serr;
	struct wait		w;
	char			tag[32];
	int			rc = -1;

	buf_init(&whole, SIZE_MAX / 2);
	memset(&p, 0, sizeof(p));
	p.whole = &whole;
	p.uid = uid;
	p.received = -1;
	for (;;) {
		p.seen = false;
		p.got = 0;
		if (run(x, piece_untagged, &p, &w, err, errlen,
		    "UID FETCH %u (UID FLAGS INTERNALDATE BODY.PEEK[]<%U.%U>)",
		    (unsigned)uid,
		    p.off, PIECE) == -1)
			goto out;
		if (p.bad || (uint64_t)whole.len > size + PIECE) {
			(void)fct_snprintf(err, errlen, "UID %u: the server "
			    "sent a piece of the message that does not fit",
			    (unsigned)uid);
			goto out;
		}
		if (!p.seen && p.off == 0) {
			rc = 0;		/* expunged meanwhile */
			goto out;
		}
		if (p.got < PIECE)
			break;
		p.off += p.got;
	}
	(void)snprintf(tag, sizeof(tag), "U=%u", (unsigned)uid);
	to_lf(whole.data != NULL ? whole.data : "", whole.len, &d->lf);
	if (store_batch_add_at(d->batch, d->lf.data != NULL ? d->lf.data : "",
	    d->lf.len, p.flags, tag, p.received, &serr) == -1) {
		(void)fct_strlcpy(err, serr.msg, errlen);
		goto out;
	}
	if (d->cap < 1) {
		d->cap = 16;
		d->uids = xreallocarray(d->uids, d->cap, sizeof(*d->uids));
		d->flags = xreallocarray(d->flags, d->cap, sizeof(*d->flags));
	}
	d->uids[0] = uid;
	d->flags[0] = (uint8_t)p.flags;
	rc = down_commit(d, err, errlen);
out:
	buf_free(&whole);
	return rc;
}

static int
down_save(struct down *d, char *err, size_t errlen)
{
	struct store_err	serr;

	if (!d->dirty)
		return 0;
	if (sync_state_save(d->st, d->path, &serr) == -1) {
		if (err != NULL)
			(void)fct_strlcpy(err, serr.msg, errlen);
		return -1;
	}
	d->dirty = false;
	d->saved_ms = time_mono_ms();
	return 0;
}

/* The chunk's messages durable and in place, then recorded. */
static int
down_commit(struct down *d, char *err, size_t errlen)
{
	struct store_err	serr;
	const char		*name;
	size_t			 i;

	if (store_batch_commit(d->batch, &serr) == -1) {
		(void)fct_strlcpy(err, serr.msg, errlen);
		return -1;
	}
	for (i = 0; i < store_batch_count(d->batch); i++) {
		name = store_batch_name(d->batch, i);
		sync_state_add(d->st, d->uids[i], d->flags[i], name,
		    store_name_unique_len(name));
	}
	d->cnt->fetched += store_batch_count(d->batch);
	store_batch_reset(d->batch);
	/* The state is saved every few seconds, not after every chunk (it
	 * grows with the folder: that was quadratic). A crash before it
	 * loses nothing: the files carry their UIDs and are adopted, size
	 * checked, by the next sync. */
	d->dirty = true;
	if (time_mono_ms() - d->saved_ms >= STATE_EVERY_MS &&
	    down_save(d, err, errlen) == -1)
		return -1;
	emit(d->x, SYNC_EV_PROGRESS, d->folder, d->cnt, NULL);
	return 0;
}

static int
download(struct ctx *x, struct down *d, const struct uids *want,
    const struct uids *big, struct srv *srv, char *err, size_t errlen)
{
	struct wait		w[2];
	char			set[SET_MAX];
	size_t			from = 0, i;
	unsigned		k = 0;
	bool			pending = false;
	int			rc = 0;

	d->batch = store_batch_new(d->path);
	d->saved_ms = time_mono_ms();
	buf_init(&d->lf, SIZE_MAX / 2);
	for (i = 0; i < big->n && rc == 0; i++)
		rc = download_big(x, d, big->v[i], srv_find(srv,
		    big->v[i])->size, err, errlen);
	if (from < want->n && rc == 0) {
		uids_set(want, &from, FETCH_CHUNK, set, sizeof(set));
		if (cmd_send(x, body_untagged, d, &w[0], "UID FETCH %s (UID FLAGS "
		    "INTERNALDATE BODY.PEEK[])", set) == -1)
			rc = fail_client(x, err, errlen);
		else
			pending = true;
	}
	for (k = 0; pending && rc == 0; k ^= 1) {
		/* The next chunk is asked for before this one is committed:
		 * the server sends it while the files are made durable. (A
		 * commit takes what has come of it too.) */
		pending = false;
		if (from < want->n) {
			uids_set(want, &from, FETCH_CHUNK, set, sizeof(set));
			if (cmd_send(x, body_untagged, d, &w[k ^ 1], "UID FETCH %s "
			    "(UID FLAGS INTERNALDATE BODY.PEEK[])", set) == -1) {
				rc = fail_client(x, err, errlen);
				break;
			}
			pending = true;
		}
		if (finish(x, &w[k], err, errlen) == -1)
			rc = -1;
		else if (d->err[0] != '\0') {
			(void)fct_strlcpy(err, d->err, errlen);
			rc = -1;
		} else
			/* Durable and recorded before the next chunk. */
			rc = down_commit(d, err, errlen);
	}
	if (pending) {
		/* Its answer must not outlive w: wait for it, storing
		 * nothing more. */
		d->stopped = true;
		(void)imap_client_wait(x->c, &w[k].done);
	}
	if (down_save(d, rc == 0 ? err : NULL, errlen) == -1)
		rc = -1;
	store_batch_free(&d->batch);
	buf_free(&d->lf);
	free(d->uids);
	free(d->flags);
	return rc;
}

/* ------------------------------------------------------------------ */
/* One folder                                                          */

/* The UID a downloaded file's name carries (",U=42"), or 0. */
static uint32_t
name_uid(const char *name, size_t ulen)
{
	const char	*p;
	uint64_t	 v;
	size_t		 n;

	for (p = name + ulen; p > name; p--)
		if (p[-1] == ',' && (size_t)(name + ulen - p) > 2 &&
		    p[0] == 'U' && p[1] == '=')
			break;
	if (p == name)
		return 0;
	n = (size_t)(name + ulen - p - 2);
	if (parse_u64(p + 2, n, UINT32_MAX, &v) != 0)
		return 0;
	return (uint32_t)v;
}

/* Two file names compared by their unique parts (up to ":2,"). */
static int
unique_cmp(const char *x, const char *y)
{
	size_t	lx = store_name_unique_len(x);
	size_t	ly = store_name_unique_len(y);
	int	c = memcmp(x, y, lx < ly ? lx : ly);

	return c != 0 ? c : (lx > ly) - (lx < ly);
}

/* Local messages by unique name, for lookups. */
struct lname {
	const char	*name;
	size_t		 idx;		/* message index in the folder */
};

struct local {
	struct lname	*v;		/* sorted by name */
	size_t		 n;
	bool		*claimed;	/* by message index: matched */
};

static int
lname_cmp(const void *a, const void *b)
{
	return unique_cmp(((const struct lname *)a)->name,
	    ((const struct lname *)b)->name);
}

static void
local_index(struct local *l, const struct store_folder *f)
{
	size_t	i;

	l->n = store_folder_count(f);
	l->v = xcalloc(l->n + 1, sizeof(*l->v));
	l->claimed = xcalloc(l->n + 1, sizeof(*l->claimed));
	for (i = 0; i < l->n; i++) {
		l->v[i].name = store_folder_msg(f, i)->name;
		l->v[i].idx = i;
	}
	qsort(l->v, l->n, sizeof(*l->v), lname_cmp);
}

/* The message index for a unique name, or SIZE_MAX. */
static size_t
local_find(const struct local *l, const char *name)
{
	struct lname		 key = { name, 0 };
	const struct lname	*hit;

	hit = bsearch(&key, l->v, l->n, sizeof(*l->v), lname_cmp);
	return hit != NULL ? hit->idx : SIZE_MAX;
}

static void
local_free(struct local *l)
{
	free(l->v);
	free(l->claimed);
}

/* Flags after a sync: the union of both sides' changes since base. */
static unsigned
merge_flags(unsigned base, unsigned local, unsigned server)
{
	unsigned	added = (local & ~base) | (server & ~base);
	unsigned	removed = (base & ~local) | (base & ~server);

	return ((base | added) & ~removed) & STORE_ALL_FLAGS;
}

/* Bring the server's flags of uid from s to r. */
static int
push_flags(struct ctx *x, uint32_t uid, unsigned s, unsigned r, char *err,
    size_t errlen)
{
	struct wait	w;
	char		add[128], del[128];

	flags_text(r & ~s, add, sizeof(add));
	flags_text(s & ~r, del, sizeof(del));
	if (add[0] != '\0' && run(x, NULL, NULL, &w, err, errlen,
	    "UID STORE %u +FLAGS.SILENT (%s)", (unsigned)uid, add) == -1)
		return -1;
	if (del[0] != '\0' && run(x, NULL, NULL, &w, err, errlen,
	    "UID STORE %u -FLAGS.SILENT (%s)", (unsigned)uid, del) == -1)
		return -1;
	return 0;
}

/* Delete uids on the server: \Deleted, then UID EXPUNGE where it can
 * (UIDPLUS) so that nothing else flagged \Deleted goes too. */
static int
delete_remote(struct ctx *x, const struct uids *u, char *err, size_t errlen)
{
	struct wait	w;
	char		set[SET_MAX];
	size_t		from = 0;

	while (from < u->n) {
		uids_set(u, &from, SIZE_MAX, set, sizeof(set));
		if (run(x, NULL, NULL, &w, err, errlen,
		    "UID STORE %s +FLAGS.SILENT (\\Deleted)", set) == -1)
			return -1;
		if ((imap_client_caps(x->c) & IMAP_CAP_UIDPLUS) &&
		    run(x, NULL, NULL, &w, err, errlen, "UID EXPUNGE %s",
		    set) == -1)
			return -1;
	}
	return 0;
}

/*
 * Uploads (APPEND) and moves into the folder under way: their files' names
 * journalled first, so that after a crash the next sync finds them on the
 * server by Message-ID instead of sending them twice.
 */
static int
journal_write(const char *dir, const char *const *names, size_t n,
    struct store_err *err)
{
	struct buf	b;
	char		*path = xasprintf("%s/%s", dir, SYNC_JOURNAL_FILE);
	size_t		 i;
	int		 rc;

	/* Added to what a crashed sync left, if anything. */
	rc = sync_file_read(path, JOURNAL_MAX, &b, err);
	free(path);
	if (rc == -1)
		return -1;
	for (i = 0; i < n && rc != -1; i++)
		rc = buf_printf(&b, "append %.*s\n",
		    (int)store_name_unique_len(names[i]), names[i]);
	if (rc == -1) {
		buf_free(&b);
		(void)fct_snprintf(err->msg, sizeof(err->msg),
		    "%s: journal too large", dir);
		return -1;
	}
	rc = sync_file_replace(dir, SYNC_JOURNAL_FILE, &b, err);
	buf_free(&b);
	return rc;
}

/* Upload local message i: APPEND, then its UID from APPENDUID. */
static int
upload(struct ctx *x, struct store_folder *f, size_t i, const char *mbox,
    struct sync_state *st, const char *path, char *err, size_t errlen)
{
	const struct store_msg	*m = store_folder_msg(f, i);
	struct store_err	 serr;
	struct wait		 w;
	char			 fl[128], *journal, *data;
	struct buf		 crlf;
	size_t			 len;
	int			 rc;

	if (store_msg_read_new(f, i, &data, &len, &serr) == -1) {
		(void)fct_strlcpy(err, serr.msg, errlen);
		return -1;
	}
	/* Journal first: a crash between APPEND and the state is then
	 * resolved by Message-ID, not by a second upload. */
	journal = xasprintf("%s/%s", path, SYNC_JOURNAL_FILE);
	if (journal_write(path, &m->name, 1, &serr) == -1) {
		(void)fct_strlcpy(err, serr.msg, errlen);
		free(journal);
		free(data);
		return -1;
	}
	flags_text(m->flags & ~STORE_TRASHED, fl, sizeof(fl));
	buf_init(&crlf, SIZE_MAX / 2);
	to_crlf(data, len, &crlf);
	rc = run(x, NULL, NULL, &w, err, errlen, "APPEND %m (%s) %L", mbox,
	    fl, crlf.data != NULL ? crlf.data : "", crlf.len);
	buf_free(&crlf);
	if (rc == 0 && strcmp(w.code, "APPENDUID") == 0 && w.ncode == 2 &&
	    w.code_num[0] == st->uidvalidity && w.code_num[1] > 0 &&
	    w.code_num[1] <= UINT32_MAX) {
		sync_state_add(st, (uint32_t)w.code_num[1], m->flags, m->name,
		    store_name_unique_len(m->name));
		if (sync_state_save(st, path, &serr) == -1) {
			(void)fct_strlcpy(err, serr.msg, errlen);
			rc = -1;
		}
	}
	/* Without APPENDUID the message is matched by Message-ID at the
	 * next sync (its file has no UID tag). */
	if (rc == 0)
		(void)unlink(journal);
	free(journal);
	free(data);
	return rc;
}

struct folder_run {
	struct ctx		*x;
	const char		*mbox, *folder;
	char			*path;
	struct sync_state	 st;
	struct store_folder	*f;
	struct srv		 srv;
	struct local		 loc;
	struct sync_counts	 cnt;
	struct uids		 del_remote, want, want_big;
	bool			*unlink;	/* local files to remove */
	size_t			 rematched;	/* by Message-ID */
	size_t			*upl;
	size_t			 nupl;
	bool			 journal;	/* one was found */
};

/* The folder's maildir (made when missing) and its sync state. */
static int
folder_open(struct folder_run *fr, char *err, size_t errlen)
{
	struct store_err	serr;
	const char		*root = fr->x->a->store_path;

	fr->path = xasprintf("%s/%s", root, fr->folder);
	if (!store_is_maildir(fr->path) &&
	    store_folder_create(root, fr->folder, &serr) == -1) {
		(void)fct_strlcpy(err, serr.msg, errlen);
		return -1;
	}
	if (sync_state_load(&fr->st, fr->path, &serr) == -1) {
		/* Sync as the first time: nothing lost, nothing doubled. */
		emit(fr->x, SYNC_EV_NOTICE, fr->folder, &fr->cnt, serr.msg);
		sync_state_init(&fr->st);
	}
	return 0;
}

/* The local folder itself (its files, through the index cache). */
static int
folder_open_store(struct folder_run *fr, char *err, size_t errlen)
{
	struct store_open_opts	o;
	struct store_err	serr;

	memset(&o, 0, sizeof(o));
	o.cache_dir = fr->x->o->cache_dir;
	fr->f = store_folder_open(fr->path, &o, &serr);
	if (fr->f == NULL) {
		(void)fct_strlcpy(err, serr.msg, errlen);
		return -1;
	}
	return 0;
}

/*
 * Nothing changed on the server since the last sync: every flag change
 * and expunge raises HIGHESTMODSEQ (RFC 7162), every new message UIDNEXT,
 * and the count rules out expunges a server did not count.
 */
static bool
server_unchanged(const struct folder_run *fr)
{
	return fr->st.modseq != 0 && fr->srv.modseq == fr->st.modseq &&
	    fr->srv.uidnext == fr->st.uidnext &&
	    fr->srv.exists == fr->st.n;
}

/* The server's messages as the state knows them. */
static void
srv_from_state(struct folder_run *fr)
{
	size_t	i;

	fr->srv.cap = fr->st.n + 1;
	fr->srv.m = xcalloc(fr->srv.cap, sizeof(*fr->srv.m));
	for (i = 0; i < fr->st.n; i++) {
		fr->srv.m[i].uid = fr->st.e[i].uid;
		fr->srv.m[i].flags = fr->st.e[i].flags;
	}
	fr->srv.n = fr->st.n;
}

/* The mtimes of new/ and cur/ now, and the time; false when unknown. */
static bool
stamp_now(const char *path, struct sync_stamp *sp)
{
	struct stat	st;
	struct timespec	now;
	char		*d;
	bool		 ok;

	d = xasprintf("%s/new", path);
	ok = stat(d, &st) == 0;
	free(d);
	if (!ok)
		return false;
	sp->new_s = (int64_t)st.st_mtim.tv_sec;
	sp->new_ns = st.st_mtim.tv_nsec;
	d = xasprintf("%s/cur", path);
	ok = stat(d, &st) == 0;
	free(d);
	if (!ok || clock_gettime(CLOCK_REALTIME, &now) != 0)
		return false;
	sp->cur_s = (int64_t)st.st_mtim.tv_sec;
	sp->cur_ns = st.st_mtim.tv_nsec;
	sp->at_s = (int64_t)now.tv_sec;
	sp->at_ns = now.tv_nsec;
	return sp->new_s >= 0 && sp->cur_s >= 0 && sp->at_s >= 0;
}

/* Nanoseconds of a stamp's time. */
static int64_t
ns_of(int64_t s, int64_t ns)
{
	return s > INT64_MAX / 1000000000 - 1 ? INT64_MAX :
	    s * 1000000000 + ns;
}

/*
 * Nothing changed here since the last sync: new/ and cur/ have the
 * mtimes it recorded, and those were settled when it recorded them (a
 * file added within a clock tick of a directory change could leave the
 * mtime as it was: file systems with sub-second times tick in at most
 * 10 ms, the others in seconds).
 */
static bool
local_unchanged(const struct folder_run *fr)
{
	const struct sync_stamp	*o = &fr->st.stamp;
	struct sync_stamp	 n;
	int64_t			 window, last;

	if (!fr->st.have_stamp || !stamp_now(fr->path, &n) ||
	    n.new_s != o->new_s || n.new_ns != o->new_ns ||
	    n.cur_s != o->cur_s || n.cur_ns != o->cur_ns)
		return false;
	window = (o->new_ns != 0 || o->cur_ns != 0) ? 50000000 :
	    2000000000;
	last = ns_of(o->new_s, o->new_ns) > ns_of(o->cur_s, o->cur_ns) ?
	    ns_of(o->new_s, o->new_ns) : ns_of(o->cur_s, o->cur_ns);
	return last < ns_of(o->at_s, o->at_ns) - window;
}

/* The folder holds exactly the state's files with the state's flags. */
static bool
matches_state(const struct folder_run *fr)
{
	struct local	l;
	size_t		i, li;
	bool		ok = store_folder_count(fr->f) == fr->st.n;

	if (!ok)
		return false;
	local_index(&l, fr->f);
	for (i = 0; i < fr->st.n && ok; i++) {
		li = local_find(&l, fr->st.e[i].name);
		ok = li != SIZE_MAX && store_folder_msg(fr->f, li)->flags ==
		    fr->st.e[i].flags;
	}
	local_free(&l);
	return ok;
}

/*
 * A stamp the next sync can trust: taken once the directories have been
 * still for a clock tick (waiting out the rest of 50 ms after this sync's
 * own last change if need be), then the folder listed again and found to
 * hold exactly what the state says. A change made before the stamp shows
 * in that listing; one made after it changes an mtime.
 */
static bool
stamp_settled(struct folder_run *fr)
{
	struct sync_stamp	sp;
	struct store_err	serr;
	int64_t			last, wait_ns;
	bool			any;

	if (!stamp_now(fr->path, &sp))
		return false;
	last = ns_of(sp.new_s, sp.new_ns) > ns_of(sp.cur_s, sp.cur_ns) ?
	    ns_of(sp.new_s, sp.new_ns) : ns_of(sp.cur_s, sp.cur_ns);
	wait_ns = last + 60000000 - ns_of(sp.at_s, sp.at_ns);
	if (wait_ns > 0) {
		if (wait_ns > 100000000 || (sp.new_ns == 0 && sp.cur_ns == 0))
			return false;	/* coarse clock: no shortcut */
		(void)usleep((useconds_t)(wait_ns / 1000) + 1);
		if (!stamp_now(fr->path, &sp))
			return false;
	}
	if (store_folder_rescan(fr->f, &any, &serr) == -1 ||
	    !matches_state(fr))
		return false;
	fr->st.stamp = sp;
	return true;
}

/* The messages in [lo, hi] are gone (uid 0 until compacted). */
static void
srv_vanish(struct srv *s, uint32_t lo, uint32_t hi)
{
	size_t	a = 0, b = s->n, mid;

	while (a < b) {
		mid = a + (b - a) / 2;
		if (s->m[mid].uid < lo)
			a = mid + 1;
		else
			b = mid;
	}
	for (; a < s->n && s->m[a].uid <= hi; a++)
		if (s->m[a].uid != 0)
			s->m[a].uid = 0;
}

/*
 * SELECT (QRESYNC) told what changed since the last sync: the server's
 * messages are the state's, less the VANISHED, with the flags its FETCHes
 * gave, plus the new ones (listed with their sizes). *ok false when that
 * does not add up to the server's count (the full listing is taken then).
 */
static int
qresync_apply(struct folder_run *fr, bool *ok, char *err, size_t errlen)
{
	struct srv	*s = &fr->srv, news;
	struct srv_msg	*sm;
	struct wait	 w;
	size_t		 i, k;

	*ok = false;
	if (s->bad_set)
		return 0;
	srv_from_state(fr);
	for (i = 0; i < s->ngone; i++)
		srv_vanish(s, s->gone[i][0], s->gone[i][1]);
	for (i = k = 0; i < s->n; i++)
		if (s->m[i].uid != 0)
			s->m[k++] = s->m[i];
	s->n = k;
	for (i = 0; i < s->nchg; i++)
		if ((sm = srv_find(s, s->chg[i].uid)) != NULL)
			sm->flags = s->chg[i].flags;
	memset(&news, 0, sizeof(news));
	if (s->uidnext > fr->st.uidnext && run(fr->x, list_untagged, &news,
	    &w, err, errlen, "UID FETCH %u:* (UID FLAGS RFC822.SIZE)",
	    (unsigned)(fr->st.uidnext > 0 ? fr->st.uidnext : 1)) == -1) {
		srv_free(&news);
		return -1;
	}
	for (i = 0; i < news.n; i++) {
		/* "N:*" names the last message even when it is older. */
		if (news.m[i].uid < fr->st.uidnext ||
		    srv_find(s, news.m[i].uid) != NULL)
			continue;
		if (s->n == s->cap) {
			s->cap = s->cap * 2 + 16;
			s->m = xreallocarray(s->m, s->cap, sizeof(*s->m));
		}
		s->m[s->n++] = news.m[i];
		news.m[i].msgid = NULL;
	}
	srv_free(&news);
	srv_sort(s);
	*ok = s->n == s->exists;
	return 0;
}

/* SELECT and the server's UIDs, flags and sizes. */
static int
folder_server(struct folder_run *fr, bool *reset, char *err, size_t errlen)
{
	struct ctx	*x = fr->x;
	struct wait	 w;
	bool		 qr = x->qresync && fr->st.uidvalidity != 0 &&
	    fr->st.modseq != 0, ok;
	int		 rc;

	if (qr)
		rc = run(x, select_untagged, &fr->srv, &w, err, errlen,
		    "SELECT %m (QRESYNC (%u %U))", fr->mbox,
		    (unsigned)fr->st.uidvalidity, fr->st.modseq);
	else
		rc = run(x, select_untagged, &fr->srv, &w, err, errlen,
		    "SELECT %m", fr->mbox);
	if (rc == -1)
		return -1;
	if (fr->srv.uidvalidity == 0) {
		(void)fct_snprintf(err, errlen, "%s: the server gave no "
		    "UIDVALIDITY", fr->mbox);
		return -1;
	}
	*reset = fr->st.uidvalidity != 0 &&
	    fr->st.uidvalidity != fr->srv.uidvalidity;
	if (!*reset && server_unchanged(fr)) {
		/* CONDSTORE: same HIGHESTMODSEQ, UIDNEXT and count: nothing
		 * happened there; one round trip for the folder. */
		srv_from_state(fr);
		return 0;
	}
	if (!*reset && qr) {
		if (qresync_apply(fr, &ok, err, errlen) == -1)
			return -1;
		if (ok)
			return 0;
		/* Start again from the whole listing. */
		free(fr->srv.m);
		fr->srv.m = NULL;
		fr->srv.n = fr->srv.cap = 0;
	}
	if (fr->srv.exists > 0 && run(x, list_untagged, &fr->srv, &w, err,
	    errlen, "UID FETCH 1:* (UID FLAGS RFC822.SIZE)") == -1)
		return -1;
	srv_sort(&fr->srv);
	return 0;
}

/* Walk the state: flags both ways, deletions both ways. */
static int
folder_entries(struct folder_run *fr, char *err, size_t errlen)
{
	struct sync_state	 keep;
	struct store_err	 serr;
	struct srv_msg		*sm;
	const struct store_msg	*m;
	size_t			 i, li;
	unsigned		 r;
	struct sync_entry	*e;
	bool			 uidplus;

	sync_state_init(&keep);
	keep.uidvalidity = fr->st.uidvalidity;
	uidplus = (imap_client_caps(fr->x->c) & IMAP_CAP_UIDPLUS) != 0;
	for (i = 0; i < fr->st.n; i++) {
		e = &fr->st.e[i];
		sm = srv_find(&fr->srv, e->uid);
		li = local_find(&fr->loc, e->name);
		if (sm != NULL)
			sm->seen_here = true;
		if (li != SIZE_MAX)
			fr->loc.claimed[li] = true;
		if (sm != NULL && li != SIZE_MAX) {
			m = store_folder_msg(fr->f, li);
			r = merge_flags(e->flags, m->flags, sm->flags);
			if (r != sm->flags) {
				if (push_flags(fr->x, e->uid, sm->flags, r, err,
				    errlen) == -1)
					goto fail;
				fr->cnt.flags_up++;
				sm->flags = (uint8_t)r;
			}
			if (r != m->flags) {
				if (store_msg_set_flags(fr->f, li, r, &serr) ==
				    -1) {
					(void)fct_strlcpy(err, serr.msg, errlen);
					goto fail;
				}
				fr->cnt.flags_down++;
				m = store_folder_msg(fr->f, li);
			}
			sync_state_add(&keep, e->uid, r, m->name,
			    store_name_unique_len(m->name));
		} else if (sm != NULL) {
			/* Gone here: deleted on the server too, unless it
			 * changed there meanwhile (then it comes back).
			 * Without UIDPLUS it stays there flagged \\Deleted
			 * (an EXPUNGE would take others' deletions too), so
			 * it stays in the state: not fetched again. */
			if ((sm->flags | STORE_TRASHED) ==
			    (e->flags | STORE_TRASHED) && !uidplus) {
				if (!(sm->flags & STORE_TRASHED))
					uids_add(&fr->del_remote, e->uid);
				sync_state_add(&keep, e->uid,
				    e->flags | STORE_TRASHED, e->name,
				    strlen(e->name));
			} else if (sm->flags == e->flags)
				uids_add(&fr->del_remote, e->uid);
			else
				sm->seen_here = false;
		} else if (li != SIZE_MAX) {
			/* Expunged on the server: gone here too, unless it
			 * changed here meanwhile (then it goes up again). */
			m = store_folder_msg(fr->f, li);
			if (m->flags == e->flags) {
				fr->unlink[li] = true;
				fr->cnt.deleted_down++;
			} else
				fr->loc.claimed[li] = false;
		}
	}
	keep.uidnext = fr->st.uidnext;
	keep.modseq = fr->st.modseq;
	sync_state_free(&fr->st);
	fr->st = keep;
	return 0;
fail:
	sync_state_free(&keep);
	return -1;
}

/* "* n FETCH (UID u BODY[HEADER.FIELDS (MESSAGE-ID)] {..})": the id. */
static void
msgid_untagged(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct srv		*s = arg;
	const struct imap_item	*it, *h = NULL;
	struct srv_msg		*sm;
	struct mime_headers	 hd;
	const struct mime_field	*f;
	uint64_t		 uid;
	size_t			 i;

	(void)c;
	if (strcmp(r->name, "FETCH") != 0 || r->n != 1 ||
	    r->items[0].type != IMAP_LIST)
		return;
	it = fetch_get(&r->items[0], "UID");
	for (i = 0; i + 1 < r->items[0].n; i += 2)
		if (r->items[0].items[i].type == IMAP_ATOM &&
		    r->items[0].items[i].len > 7 &&
		    ascii_ncasecmp(r->items[0].items[i].s, "BODY[HE", 7) == 0)
			h = &r->items[0].items[i + 1];
	if (it == NULL || h == NULL || h->type != IMAP_STRING ||
	    !imap_item_number(it, UINT32_MAX, &uid) ||
	    (sm = srv_find(s, (uint32_t)uid)) == NULL || sm->msgid != NULL)
		return;
	mime_headers_parse(h->s, h->len, &hd);
	if ((f = mime_headers_get(&hd, "Message-ID")) != NULL)
		sm->msgid = mime_msgid_first(f->value, f->value_len);
	mime_headers_free(&hd);
}

static int
msgid_cmp(const void *a, const void *b)
{
	const struct srv_msg	*x = *(const struct srv_msg *const *)a;
	const struct srv_msg	*y = *(const struct srv_msg *const *)b;

	return strcmp(x->msgid, y->msgid);
}

/*
 * No usable state (a first sync over an existing maildir, or the server's
 * UIDVALIDITY changed): match the files we have with the server's
 * messages by Message-ID, so that neither side gets a second copy.
 */
static int
rematch(struct folder_run *fr, char *err, size_t errlen)
{
	struct srv_msg		**by_id, key, *kp, **hit;
	const struct store_msg	*m;
	struct wait		 w;
	size_t			 i, n = 0;
	bool			 any = false;

	for (i = 0; i < fr->loc.n && !any; i++)
		any = !fr->loc.claimed[i] &&
		    store_folder_msg(fr->f, i)->message_id != NULL;
	if (!any || fr->srv.n == 0)
		return 0;
	if (run(fr->x, msgid_untagged, &fr->srv, &w, err, errlen,
	    "UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])") == -1)
		return -1;
	by_id = xcalloc(fr->srv.n + 1, sizeof(*by_id));
	for (i = 0; i < fr->srv.n; i++)
		if (!fr->srv.m[i].seen_here && fr->srv.m[i].msgid != NULL)
			by_id[n++] = &fr->srv.m[i];
	qsort(by_id, n, sizeof(*by_id), msgid_cmp);
	for (i = 0; i < fr->loc.n; i++) {
		m = store_folder_msg(fr->f, i);
		if (fr->loc.claimed[i] || m->message_id == NULL)
			continue;
		key.msgid = (char *)(uintptr_t)m->message_id;
		kp = &key;
		hit = bsearch(&kp, by_id, n, sizeof(*by_id), msgid_cmp);
		if (hit == NULL || (*hit)->seen_here)
			continue;
		/* No common past: each side keeps the flags it has, and
		 * both get the union. */
		(*hit)->seen_here = true;
		fr->loc.claimed[i] = true;
		sync_state_add(&fr->st, (*hit)->uid,
		    m->flags & (*hit)->flags & STORE_ALL_FLAGS, m->name,
		    store_name_unique_len(m->name));
		fr->rematched++;
	}
	free(by_id);
	return 0;
}

struct search_hit {
	uint32_t	uid;
};

static void
search_untagged(struct imap_client *c, const struct imap_resp *r,
    void *arg)
{
	struct search_hit	*h = arg;
	uint64_t		 v;

	(void)c;
	if (strcmp(r->name, "SEARCH") == 0 && r->n >= 1 && h->uid == 0 &&
	    imap_item_number(&r->items[0], UINT32_MAX, &v))
		h->uid = (uint32_t)v;
}

/*
 * Uploads or moves were under way when the last sync stopped (the
 * journal names their files): those the server got are found by
 * Message-ID and recorded, so that none is sent twice. The journal goes
 * once the state that records them is saved.
 */
static int
recover_journal(struct folder_run *fr, char *err, size_t errlen)
{
	char			*path, *line, *nl;
	struct buf		 b;
	struct store_err	 serr;
	const struct store_msg	*m;
	struct search_hit	 h;
	struct srv_msg		*sm;
	struct wait		 w;
	size_t			 li;
	int			 rc = 0;

	path = xasprintf("%s/%s", fr->path, SYNC_JOURNAL_FILE);
	if (sync_file_read(path, JOURNAL_MAX, &b, &serr) != 0) {
		free(path);
		return 0;
	}
	fr->journal = true;
	for (line = b.data; rc == 0 && line != NULL &&
	    line < b.data + b.len; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(b.data + b.len - line))) ==
		    NULL)
			break;		/* cut short by the crash */
		*nl = '\0';
		if (strncmp(line, "append ", 7) != 0)
			continue;
		li = local_find(&fr->loc, line + 7);
		if (li == SIZE_MAX || fr->loc.claimed[li] ||
		    (m = store_folder_msg(fr->f, li))->message_id == NULL)
			continue;
		memset(&h, 0, sizeof(h));
		rc = run(fr->x, search_untagged, &h, &w, err, errlen,
		    "UID SEARCH HEADER Message-ID %a", m->message_id);
		if (rc == 0 && h.uid != 0 &&
		    (sm = srv_find(&fr->srv, h.uid)) != NULL &&
		    !sm->seen_here) {
			sm->seen_here = true;
			fr->loc.claimed[li] = true;
			sync_state_add(&fr->st, h.uid, m->flags, m->name,
			    store_name_unique_len(m->name));
			fr->rematched++;
		}
	}
	buf_free(&b);
	free(path);
	return rc;
}

/*
 * Whether local file i is the server's message of this size as a
 * download writes it (line ends made LF): its bytes plus one per line end
 * make RFC822.SIZE. A UID tag alone proves nothing: a file moved here
 * from another folder keeps that folder's tag.
 */
static bool
same_size(struct store_folder *f, size_t i, uint64_t size)
{
	struct store_err	 serr;
	char			*data;
	size_t			 len, k, lines = 0;

	if (store_folder_msg(f, i)->size > size ||
	    store_msg_read_new(f, i, &data, &len, &serr) == -1)
		return false;
	for (k = 0; k < len; k++)
		lines += data[k] == '\n';
	free(data);
	return (uint64_t)len + lines == size;
}

/* Files the state does not know: downloaded before a crash (UID tag of
 * this folder, same UIDVALIDITY, same size) are adopted; the others go
 * up. */
static void
folder_unknown_files(struct folder_run *fr, bool trust_tags)
{
	const struct store_msg	*m;
	struct srv_msg		*sm;
	size_t			 i;
	uint32_t		 uid;

	fr->upl = xcalloc(fr->loc.n + 1, sizeof(*fr->upl));
	for (i = 0; i < fr->loc.n; i++) {
		if (fr->loc.claimed[i])
			continue;
		m = store_folder_msg(fr->f, i);
		if (m->flags & STORE_TRASHED)
			continue;	/* deleted here, never synced */
		if (!sync_state_name_ok(m->name,
		    store_name_unique_len(m->name))) {
			emit(fr->x, SYNC_EV_NOTICE, fr->folder, &fr->cnt,
			    "a file whose name cannot be recorded is left "
			    "out of the sync");
			continue;
		}
		uid = name_uid(m->name, store_name_unique_len(m->name));
		if (uid != 0 && trust_tags) {
			sm = srv_find(&fr->srv, uid);
			if (sm != NULL && !sm->seen_here &&
			    same_size(fr->f, i, sm->size)) {
				sm->seen_here = true;
				sync_state_add(&fr->st, uid, m->flags, m->name,
				    store_name_unique_len(m->name));
				continue;
			}
			/* Moved here from another folder, or its message
			 * left the server since: it goes up (kept). */
		} else if (uid != 0)
			continue;	/* another UIDVALIDITY's copy */
		fr->upl[fr->nupl++] = i;
	}
}

static void
fail_folder(struct folder_run *fr, const char *msg)
{
	emit(fr->x, SYNC_EV_ERROR, fr->folder, &fr->cnt, msg);
}

/* The server's STATUS says nothing changed there since the last sync. */
static bool
status_unchanged(const struct folder_run *fr, const struct mailbox *mb)
{
	return mb->have_status && fr->st.modseq != 0 &&
	    mb->uidvalidity == fr->st.uidvalidity &&
	    mb->modseq == fr->st.modseq && mb->uidnext == fr->st.uidnext &&
	    mb->messages == fr->st.n;
}

static int
sync_folder(struct ctx *x, struct mailbox *mb)
{
	const char		*mbox = mb->name, *folder = mb->folder;
	struct folder_run	 fr;
	struct down		 d;
	struct store_err	 serr;
	char			 err[BOUND_ERRMSG];
	size_t			 i, removed;
	bool			 reset = false, changed, any;
	int			 rc = -1;

	memset(&fr, 0, sizeof(fr));
	fr.x = x;
	fr.mbox = mbox;
	fr.folder = folder;
	err[0] = '\0';
	if (folder_open(&fr, err, sizeof(err)) == -1)
		goto out;
	if (status_unchanged(&fr, mb) && local_unchanged(&fr)) {
		/* LIST-STATUS or STATUS said it all: not even a SELECT. */
		rc = 0;
		mb->uidvalidity = fr.st.uidvalidity;
		mb->uidnext = fr.st.uidnext;
		emit(x, SYNC_EV_DONE, folder, &fr.cnt, NULL);
		goto out;
	}
	if (folder_server(&fr, &reset, err, sizeof(err)) == -1)
		goto out;
	mb->uidvalidity = fr.srv.uidvalidity;
	if (!reset && server_unchanged(&fr) && local_unchanged(&fr)) {
		/* Neither side moved: the SELECT was all it took. */
		rc = 0;
		mb->uidnext = fr.st.uidnext;
		emit(x, SYNC_EV_DONE, folder, &fr.cnt, NULL);
		goto out;
	}
	if (folder_open_store(&fr, err, sizeof(err)) == -1)
		goto out;
	if (reset) {
		/* UIDVALIDITY changed: the old UIDs mean nothing; files stay,
		 * tagged ones are never uploaded, the server's are fetched
		 * (not deleted here). */
		emit(x, SYNC_EV_NOTICE, folder, &fr.cnt, "the server's "
		    "UIDVALIDITY changed: matching messages again by "
		    "Message-ID; no local file is deleted");
		sync_state_free(&fr.st);
	}
	if (fr.st.uidvalidity == 0) {
		fr.st.uidvalidity = fr.srv.uidvalidity;
		/* Recorded before any download, so that tags can be
		 * trusted after a crash. */
		if (sync_state_save(&fr.st, fr.path, &serr) == -1) {
			(void)fct_strlcpy(err, serr.msg, sizeof(err));
			goto out;
		}
	}
	local_index(&fr.loc, fr.f);
	fr.unlink = xcalloc(fr.loc.n + 1, sizeof(*fr.unlink));
	/* With no state, the files are matched by Message-ID first; the
	 * entries that makes are then synced like any other. */
	if (fr.st.n == 0 && rematch(&fr, err, sizeof(err)) == -1)
		goto out;
	if (folder_entries(&fr, err, sizeof(err)) == -1 ||
	    (!reset && recover_journal(&fr, err, sizeof(err)) == -1))
		goto out;
	folder_unknown_files(&fr, !reset);
	for (i = 0; i < fr.srv.n; i++) {
		if (fr.srv.m[i].seen_here)
			continue;
		if (x->a->max_size != 0 && fr.srv.m[i].size > x->a->max_size) {
			fr.cnt.skipped++;
			continue;
		}
		uids_add(fr.srv.m[i].size > PIECE ? &fr.want_big : &fr.want,
		    fr.srv.m[i].uid);
	}
	fr.cnt.to_fetch = fr.want.n + fr.want_big.n;
	emit(x, SYNC_EV_FOLDER, folder, &fr.cnt, NULL);
	if (delete_remote(x, &fr.del_remote, err, sizeof(err)) == -1)
		goto out;
	fr.cnt.deleted_up = fr.del_remote.n;
	memset(&d, 0, sizeof(d));
	d.x = x;
	d.path = fr.path;
	d.st = &fr.st;
	d.cnt = &fr.cnt;
	d.folder = folder;
	if (download(x, &d, &fr.want, &fr.want_big, &fr.srv, err,
	    sizeof(err)) == -1)
		goto out;
	for (i = 0; i < fr.nupl; i++) {
		if (upload(x, fr.f, fr.upl[i], mbox, &fr.st, fr.path, err,
		    sizeof(err)) == -1)
			goto out;
		fr.cnt.uploaded++;
	}
	if (store_folder_remove(fr.f, fr.unlink, &removed, &serr) == -1) {
		(void)fct_strlcpy(err, serr.msg, sizeof(err));
		goto out;
	}
	changed = fr.cnt.fetched || fr.cnt.uploaded || fr.cnt.flags_up ||
	    fr.cnt.flags_down || fr.cnt.deleted_up || fr.cnt.deleted_down ||
	    fr.st.uidnext != fr.srv.uidnext || fr.st.modseq != fr.srv.modseq ||
	    fr.rematched > 0 || reset;
	fr.st.uidnext = fr.srv.uidnext;
	fr.st.modseq = fr.srv.modseq;
	/* The index cache learns the new files now, so that the next open
	 * (the interface, the next sync) reads one file. */
	if (fr.cnt.fetched > 0 && store_folder_rescan(fr.f, &any,
	    &serr) == -1)
		emit(x, SYNC_EV_NOTICE, folder, &fr.cnt, serr.msg);
	/* The stamp for the next sync's shortcut. */
	if (changed || !local_unchanged(&fr)) {
		fr.st.have_stamp = stamp_settled(&fr);
		changed = true;
	}
	if ((changed || fr.journal) &&
	    sync_state_save(&fr.st, fr.path, &serr) == -1) {
		(void)fct_strlcpy(err, serr.msg, sizeof(err));
		goto out;
	}
	if (fr.journal) {
		char	*j = xasprintf("%s/%s", fr.path, SYNC_JOURNAL_FILE);

		(void)unlink(j);
		free(j);
	}
	rc = 0;
	mb->uidnext = fr.st.uidnext;
	emit(x, SYNC_EV_DONE, folder, &fr.cnt, NULL);
out:
	if (rc == -1)
		fail_folder(&fr, err);
	local_free(&fr.loc);
	free(fr.unlink);
	free(fr.upl);
	free(fr.del_remote.v);
	free(fr.want.v);
	free(fr.want_big.v);
	srv_free(&fr.srv);
	sync_state_free(&fr.st);
	store_folder_close(fr.f);
	free(fr.path);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The account                                                         */

struct list_run {
	struct ctx	*x;
	struct mailbox	*v;
	size_t		 n, cap;
	char		*prefix;	/* personal namespace, or NULL */
	char		 ns_delim;
};

static const struct {
	const char		*attr;
	enum sync_special	 which;
} special_attrs[] = {
	{ "\\Sent", SYNC_SPECIAL_SENT }, { "\\Drafts", SYNC_SPECIAL_DRAFTS },
	{ "\\Trash", SYNC_SPECIAL_TRASH }, { "\\Junk", SYNC_SPECIAL_JUNK },
	{ "\\Archive", SYNC_SPECIAL_ARCHIVE },
};

static struct mailbox *
mailbox_find(const struct list_run *l, const char *name)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

/* "* LIST (attrs) delim name [ext]" */
static void
list_line(struct list_run *l, const struct imap_resp *r)
{
	const struct imap_item	*attrs = &r->items[0];
	struct mailbox		 mb;
	char			*raw;
	size_t			 i, k;

	memset(&mb, 0, sizeof(mb));
	for (i = 0; i < attrs->n; i++) {
		if (imap_item_is(&attrs->items[i], "\\Noselect") ||
		    imap_item_is(&attrs->items[i], "\\NonExistent"))
			mb.noselect = true;
		for (k = 0; k < sizeof(special_attrs) /
		    sizeof(special_attrs[0]); k++)
			if (imap_item_is(&attrs->items[i],
			    special_attrs[k].attr))
				mb.special |= 1u << special_attrs[k].which;
	}
	if (r->items[1].type == IMAP_STRING && r->items[1].len == 1)
		mb.delim = r->items[1].s[0];
	if ((raw = imap_item_strdup(&r->items[2])) == NULL)
		return;
	mb.name = imap_mutf7_decode(raw, strlen(raw));
	if (mb.name == NULL) {
		emit(l->x, SYNC_EV_ERROR, raw, NULL, "not valid modified "
		    "UTF-7; skipped");
		free(raw);
		return;
	}
	free(raw);
	if (mailbox_find(l, mb.name) != NULL) {
		free(mb.name);
		return;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = mb;
}

/* "* STATUS name (MESSAGES n UIDNEXT n UIDVALIDITY n HIGHESTMODSEQ n)" */
static void
status_line(struct list_run *l, const struct imap_resp *r)
{
	const struct imap_item	*it;
	struct mailbox		*mb;
	char			*raw, *name;
	uint64_t		 v[4];
	bool			 got[4] = { false, false, false, false };
	static const char *const words[4] = {
		"MESSAGES", "UIDNEXT", "UIDVALIDITY", "HIGHESTMODSEQ"
	};
	size_t			 i, k;

	if ((raw = imap_item_strdup(&r->items[0])) == NULL)
		return;
	name = imap_mutf7_decode(raw, strlen(raw));
	free(raw);
	if (name == NULL || (mb = mailbox_find(l, name)) == NULL) {
		free(name);
		return;
	}
	free(name);
	it = &r->items[1];
	for (i = 0; i + 1 < it->n; i += 2)
		for (k = 0; k < 4; k++)
			if (imap_item_is(&it->items[i], words[k]))
				got[k] = imap_item_number(&it->items[i + 1],
				    k == 3 ? (UINT64_MAX >> 1) : UINT32_MAX,
				    &v[k]);
	if (!got[0] || !got[1] || !got[2])
		return;
	mb->have_status = true;
	mb->messages = (uint32_t)v[0];
	mb->uidnext = (uint32_t)v[1];
	mb->uidvalidity = (uint32_t)v[2];
	mb->modseq = got[3] ? v[3] : 0;
}

/* "* NAMESPACE ((prefix delim) ...) other shared": the first personal
 * one. */
static void
namespace_line(struct list_run *l, const struct imap_resp *r)
{
	const struct imap_item	*ns;

	if (r->items[0].type != IMAP_LIST || r->items[0].n == 0)
		return;
	ns = &r->items[0].items[0];
	if (ns->type != IMAP_LIST || ns->n < 2 || ns->items[0].type !=
	    IMAP_STRING)
		return;
	free(l->prefix);
	l->prefix = imap_item_strdup(&ns->items[0]);
	if (ns->items[1].type == IMAP_STRING && ns->items[1].len == 1)
		l->ns_delim = ns->items[1].s[0];
}

static void
account_untagged(struct imap_client *c, const struct imap_resp *r,
    void *arg)
{
	struct list_run	*l = arg;

	(void)c;
	if (strcmp(r->name, "LIST") == 0 && r->n >= 3 &&
	    r->items[0].type == IMAP_LIST)
		list_line(l, r);
	else if (strcmp(r->name, "STATUS") == 0 && r->n == 2 &&
	    r->items[1].type == IMAP_LIST)
		status_line(l, r);
	else if (strcmp(r->name, "NAMESPACE") == 0 && r->n >= 1)
		namespace_line(l, r);
}

/* The server's name for a local folder (owned; NULL when it cannot be
 * named there). */
static char *
mailbox_of_folder(const struct list_run *l, const char *folder)
{
	char	 delim = l->x->delim != 0 ? l->x->delim : l->ns_delim != 0 ?
	    l->ns_delim : '/';

	return imap_folder_to_mailbox_ns(folder, delim, l->prefix);
}

/* Local names for the listed mailboxes, each once. */
static void
name_folders(struct list_run *l)
{
	struct mailbox	*mb;
	char		 why[256];
	size_t		 i, k;

	for (i = 0; i < l->n; i++) {
		mb = &l->v[i];
		if (mb->noselect)
			continue;
		mb->folder = imap_mailbox_to_folder(
		    imap_mailbox_unprefixed(mb->name, l->prefix),
		    mb->delim, why, sizeof(why));
		if (mb->folder == NULL) {
			emit(l->x, SYNC_EV_ERROR, mb->name, NULL, why);
			continue;
		}
		for (k = 0; k < i; k++)
			if (l->v[k].folder != NULL &&
			    strcmp(l->v[k].folder, mb->folder) == 0)
				break;
		if (k < i) {
			emit(l->x, SYNC_EV_ERROR, mb->name, NULL, "another "
			    "server folder has the same local name; skipped");
			free(mb->folder);
			mb->folder = NULL;
			continue;
		}
		if (mb->delim != 0)
			l->x->delim = mb->delim;
	}
}

/*
 * The account's folders: NAMESPACE, then LIST with the special uses and,
 * where LIST-STATUS exists, every folder's status in the same answer
 * (else STATUS for each, pipelined): one round trip for an account whose
 * folders did not change.
 */
static int
list_account(struct ctx *x, struct list_run *l, char *err, size_t errlen)
{
	uint32_t	caps = imap_client_caps(x->c);
	struct wait	w;
	const char	*su = (caps & IMAP_CAP_SPECIAL_USE) ? "SPECIAL-USE " :
	    "";
	const char	*ms = (caps & IMAP_CAP_CONDSTORE) ? " HIGHESTMODSEQ" :
	    "";
	size_t		 i, left = 0;

	if (caps & IMAP_CAP_NAMESPACE)
		(void)imap_client_cmd(x->c, account_untagged, NULL, l,
		    "NAMESPACE");
	if (caps & IMAP_CAP_LIST_STATUS) {
		if (run(x, account_untagged, l, &w, err, errlen,
		    "LIST \"\" \"*\" RETURN (%sSTATUS (MESSAGES UIDNEXT "
		    "UIDVALIDITY%s))", su, ms) == -1)
			return -1;
	} else if (run(x, account_untagged, l, &w, err, errlen,
	    "LIST \"\" \"*\"") == -1)
		return -1;
	name_folders(l);
	if (caps & IMAP_CAP_LIST_STATUS)
		return 0;
	/* STATUS for the folders synced before (the others are selected
	 * anyway), all at once. */
	for (i = 0; i < l->n; i++) {
		char	*p;
		bool	 known;

		if (l->v[i].folder == NULL)
			continue;
		p = xasprintf("%s/%s/%s", x->a->store_path, l->v[i].folder,
		    SYNC_STATE_FILE);
		known = access(p, F_OK) == 0;
		free(p);
		if (known && imap_client_cmd(x->c, account_untagged, NULL, l,
		    "STATUS %m (MESSAGES UIDNEXT UIDVALIDITY%s)", l->v[i].name,
		    ms) == 0)
			left++;
	}
	if (left > 0 && run(x, NULL, NULL, &w, err, errlen, "NOOP") == -1)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Moves between folders                                               */

/*
 * A message moved here from one synced folder to another (its file, same
 * name, left the one and is new in the other) is moved on the server too
 * (UID MOVE, else UID COPY and delete), not uploaded again and deleted.
 */
struct move {
	size_t		 from, to;	/* list_run indexes */
	uint32_t	 uid;		/* in from */
	uint8_t		 flags;		/* as last synced */
	const char	*name;		/* unique part, in names */
};

struct seen_name {
	char		*name;		/* unique part, owned */
	size_t		 folder;
	uint32_t	 uid;		/* 0: a new file */
	uint8_t		 flags;
};

struct seen_names {
	struct seen_name	*v;
	size_t			 n, cap;
};

struct moves {
	struct move		*v;
	size_t			 n, cap;
	struct seen_names	 sn;	/* owns the names */
};

static void
seen_add(struct seen_names *sn, char *name, size_t folder,
    uint32_t uid, unsigned flags)
{
	if (sn->n == sn->cap) {
		sn->cap = sn->cap ? sn->cap * 2 : 256;
		sn->v = xreallocarray(sn->v, sn->cap, sizeof(*sn->v));
	}
	sn->v[sn->n].name = name;
	sn->v[sn->n].folder = folder;
	sn->v[sn->n].uid = uid;
	sn->v[sn->n].flags = (uint8_t)flags;
	sn->n++;
}

static int
seen_cmp(const void *a, const void *b)
{
	const struct seen_name	*x = a, *y = b;
	int			 c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	/* The departures (uid != 0) before the arrivals. */
	return (x->uid == 0) - (y->uid == 0);
}

/* One folder's departures (state entries whose file is gone) and
 * arrivals (files the state does not know). */
static void
folder_moves_side(struct ctx *x, struct mailbox *mb, size_t idx,
    struct seen_names *sn)
{
	struct folder_run	 fr;
	struct local		 loc;
	struct store_err	 serr;
	const struct store_msg	*m;
	char			 err[BOUND_ERRMSG];
	size_t			 i, li;

	memset(&fr, 0, sizeof(fr));
	fr.x = x;
	fr.path = xasprintf("%s/%s", x->a->store_path, mb->folder);
	/* Errors here only mean no moves: the folder's sync says them. */
	if (!store_is_maildir(fr.path) ||
	    sync_state_load(&fr.st, fr.path, &serr) == -1 ||
	    fr.st.uidvalidity == 0 ||
	    (mb->have_status && mb->uidvalidity != fr.st.uidvalidity) ||
	    local_unchanged(&fr) ||
	    folder_open_store(&fr, err, sizeof(err)) == -1)
		goto out;
	local_index(&loc, fr.f);
	for (i = 0; i < fr.st.n; i++) {
		li = local_find(&loc, fr.st.e[i].name);
		if (li != SIZE_MAX)
			loc.claimed[li] = true;
		else
			seen_add(sn, xstrdup(fr.st.e[i].name),
			    idx, fr.st.e[i].uid, fr.st.e[i].flags);
	}
	for (i = 0; i < loc.n; i++) {
		m = store_folder_msg(fr.f, i);
		if (loc.claimed[i] || (m->flags & STORE_TRASHED))
			continue;
		seen_add(sn, xstrndup(m->name,
		    store_name_unique_len(m->name)), idx, 0, 0);
	}
	local_free(&loc);
out:
	store_folder_close(fr.f);
	sync_state_free(&fr.st);
	free(fr.path);
}

/* The moves made here since the last sync, by source folder. */
static void
find_moves(struct ctx *x, struct list_run *l, struct moves *mv)
{
	struct seen_names	*sn = &mv->sn;
	struct move		*m;
	size_t			 i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].folder != NULL)
			folder_moves_side(x, &l->v[i], i, sn);
	if (sn->n > 1)
		qsort(sn->v, sn->n, sizeof(*sn->v), seen_cmp);
	for (i = 0; i + 1 < sn->n; i++) {
		if (sn->v[i].uid == 0 || sn->v[i + 1].uid != 0 ||
		    strcmp(sn->v[i].name, sn->v[i + 1].name) != 0 ||
		    sn->v[i].folder == sn->v[i + 1].folder)
			continue;
		if (mv->n == mv->cap) {
			mv->cap = mv->cap ? mv->cap * 2 : 64;
			mv->v = xreallocarray(mv->v, mv->cap, sizeof(*mv->v));
		}
		m = &mv->v[mv->n++];
		memset(m, 0, sizeof(*m));
		m->from = sn->v[i].folder;
		m->to = sn->v[i + 1].folder;
		m->uid = sn->v[i].uid;
		m->flags = sn->v[i].flags;
		m->name = sn->v[i].name;
	}
}

/* COPYUID's answer: "[COPYUID uidvalidity from-set to-set]". */
struct copyuid {
	uint32_t	 uidvalidity;
	struct uids	 src, dst;
	size_t		 max;		/* no more UIDs than that */
	bool		 bad;
};

static void
copyuid_src(uint32_t lo, uint32_t hi, void *arg)
{
	struct copyuid	*cu = arg;

	for (; cu->src.n <= cu->max; lo++) {
		uids_add(&cu->src, lo);
		if (lo == hi)
			break;
	}
}

static void
copyuid_dst(uint32_t lo, uint32_t hi, void *arg)
{
	struct copyuid	*cu = arg;

	for (; cu->dst.n <= cu->max; lo++) {
		uids_add(&cu->dst, lo);
		if (lo == hi)
			break;
	}
}

static void
copyuid_resp(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct copyuid		*cu = arg;
	const struct imap_item	*a = r->code_args;
	uint64_t		 v;

	(void)c;
	if (r->status != IMAP_ST_OK || !r->has_code ||
	    strcmp(r->code, "COPYUID") != 0 || cu->uidvalidity != 0)
		return;
	cu->src.n = cu->dst.n = 0;
	if (r->ncode_args != 3 || !imap_item_number(&a[0], UINT32_MAX, &v) ||
	    v == 0 || a[1].type != IMAP_ATOM || a[2].type != IMAP_ATOM ||
	    imap_uid_set_parse(a[1].s, a[1].len, copyuid_src, cu) == -1 ||
	    imap_uid_set_parse(a[2].s, a[2].len, copyuid_dst, cu) == -1 ||
	    cu->src.n != cu->dst.n || cu->src.n > cu->max) {
		cu->bad = true;
		return;
	}
	cu->uidvalidity = (uint32_t)v;
}

/*
 * Move on the server the messages of mv->v[a..b) (one source, one
 * destination, by increasing uid): journal them in the destination,
 * UID MOVE (or COPY, \Deleted, UID EXPUNGE), then record them there
 * with the UIDs COPYUID gives and drop them from the source's state.
 */
static int
move_group(struct ctx *x, struct list_run *l, struct moves *mv, size_t a,
    size_t b, struct sync_state *src_st, const char *src_path, char *err,
    size_t errlen)
{
	struct mailbox		*to = &l->v[mv->v[a].to];
	struct sync_state	 dst_st;
	struct store_err	 serr;
	struct copyuid		 cu;
	struct uids		 u;
	struct wait		 w;
	const char		**names;
	char			*dst_path, set[SET_MAX], *j;
	size_t			 i, k, from = 0, mapped;
	int			 rc = -1;

	memset(&u, 0, sizeof(u));
	memset(&cu, 0, sizeof(cu));
	sync_state_init(&dst_st);
	dst_path = xasprintf("%s/%s", x->a->store_path, to->folder);
	names = xcalloc(b - a + 1, sizeof(*names));
	for (i = a; i < b; i++) {
		names[i - a] = mv->v[i].name;
		uids_add(&u, mv->v[i].uid);
	}
	if (sync_state_load(&dst_st, dst_path, &serr) == 0 &&
	    dst_st.uidvalidity == 0)
		(void)fct_snprintf(serr.msg, sizeof(serr.msg), "%s: never "
		    "synced", to->folder);
	if (dst_st.uidvalidity == 0 ||
	    journal_write(dst_path, names, b - a, &serr) == -1) {
		(void)fct_strlcpy(err, serr.msg, errlen);
		goto out;
	}
	cu.max = b - a;
	while (from < u.n) {
		uids_set(&u, &from, SIZE_MAX, set, sizeof(set));
		if (imap_client_caps(x->c) & IMAP_CAP_MOVE) {
			if (run(x, copyuid_resp, &cu, &w, err, errlen,
			    "UID MOVE %s %m", set, to->name) == -1)
				goto out;
			continue;
		}
		if (run(x, copyuid_resp, &cu, &w, err, errlen,
		    "UID COPY %s %m", set, to->name) == -1 ||
		    run(x, NULL, NULL, &w, err, errlen,
		    "UID STORE %s +FLAGS.SILENT (\\Deleted)", set) == -1 ||
		    ((imap_client_caps(x->c) & IMAP_CAP_UIDPLUS) &&
		    run(x, NULL, NULL, &w, err, errlen, "UID EXPUNGE %s",
		    set) == -1))
			goto out;
	}
	/* Recorded where COPYUID says; the journal stays for any it did
	 * not name (a second command's, or no UIDPLUS): the next sync of
	 * the destination finds those by Message-ID. */
	mapped = 0;
	if (cu.uidvalidity == dst_st.uidvalidity && !cu.bad) {
		for (i = a; i < b; i++)
			for (k = 0; k < cu.src.n; k++)
				if (cu.src.v[k] == mv->v[i].uid) {
					sync_state_add(&dst_st, cu.dst.v[k],
					    mv->v[i].flags, mv->v[i].name,
					    strlen(mv->v[i].name));
					mapped++;
					break;
				}
		if (mapped > 0 &&
		    sync_state_save(&dst_st, dst_path, &serr) == -1) {
			(void)fct_strlcpy(err, serr.msg, errlen);
			goto out;
		}
	}
	if (mapped == b - a) {
		j = xasprintf("%s/%s", dst_path, SYNC_JOURNAL_FILE);
		(void)unlink(j);
		free(j);
	}
	/* Moved away; without MOVE or UIDPLUS still there, \\Deleted:
	 * kept in the state so that it is not fetched again. */
	for (i = a; i < b; i++)
		if (imap_client_caps(x->c) & (IMAP_CAP_MOVE | IMAP_CAP_UIDPLUS))
			sync_state_remove(src_st, mv->v[i].uid);
		else
			sync_state_add(src_st, mv->v[i].uid,
			    mv->v[i].flags | STORE_TRASHED, mv->v[i].name,
			    strlen(mv->v[i].name));
	if (sync_state_save(src_st, src_path, &serr) == -1) {
		(void)fct_strlcpy(err, serr.msg, errlen);
		goto out;
	}
	rc = 0;
out:
	free(names);
	free(u.v);
	free(cu.src.v);
	free(cu.dst.v);
	free(dst_path);
	sync_state_free(&dst_st);
	return rc;
}

static int
move_cmp(const void *a, const void *b)
{
	const struct move	*x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

/* Carry out the moves made here, source folder by source folder. */
static void
sync_moves(struct ctx *x, struct list_run *l)
{
	struct moves		 mv;
	struct sync_state	 st;
	struct store_err	 serr;
	struct srv		 srv;
	struct wait		 w;
	struct mailbox		*from;
	char			 err[BOUND_ERRMSG], msg[BOUND_ERRMSG], *path;
	size_t			 a, b, c;

	memset(&mv, 0, sizeof(mv));
	find_moves(x, l, &mv);
	if (mv.n > 1)
		qsort(mv.v, mv.n, sizeof(*mv.v), move_cmp);
	for (a = 0; a < mv.n; a = b) {
		from = &l->v[mv.v[a].from];
		for (b = a; b < mv.n && mv.v[b].from == mv.v[a].from; b++)
			;
		path = xasprintf("%s/%s", x->a->store_path, from->folder);
		memset(&srv, 0, sizeof(srv));
		if (sync_state_load(&st, path, &serr) == -1 ||
		    run(x, select_untagged, &srv, &w, err, sizeof(err),
		    "SELECT %m", from->name) == -1 ||
		    srv.uidvalidity != st.uidvalidity) {
			/* The folders' own syncs upload and delete instead. */
			srv_free(&srv);
			sync_state_free(&st);
			free(path);
			continue;
		}
		srv_free(&srv);
		for (c = a; c < b; ) {
			size_t	e;

			for (e = c; e < b && mv.v[e].to == mv.v[c].to; e++)
				;
			if (move_group(x, l, &mv, c, e, &st, path, err,
			    sizeof(err)) == -1)
				emit(x, SYNC_EV_ERROR, from->folder, NULL, err);
			else {
				(void)fct_snprintf(msg, sizeof(msg), "%zu "
				    "moved to %s", e - c,
				    l->v[mv.v[c].to].folder);
				emit(x, SYNC_EV_NOTICE, from->folder, NULL, msg);
			}
			c = e;
		}
		sync_state_free(&st);
		free(path);
	}
	free(mv.v);
	for (a = 0; a < mv.sn.n; a++)
		free(mv.sn.v[a].name);
	free(mv.sn.v);
}

/* mkdir -p, private: the store holds someone's mail. */
static int
make_root(const char *dir, char *err, size_t errlen)
{
	char	*p = xstrdup(dir), *s;
	int	 rc = 0;

	for (s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		{
			char	save = *s;

			*s = '\0';
			if (mkdir(p, 0700) != 0 && errno != EEXIST) {
				(void)fct_snprintf(err, errlen, "mkdir %s: %s",
				    p, strerror(errno));
				rc = -1;
			}
			*s = save;
			if (save == '\0')
				break;
		}
	}
	free(p);
	return rc;
}

static void
list_free(struct list_run *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].folder);
	}
	free(l->v);
	free(l->prefix);
	l->v = NULL;
	l->n = l->cap = 0;
	l->prefix = NULL;
}

/* The listed mailbox synced as this local folder, or NULL. */
static struct mailbox *
listed(const struct list_run *l, const char *folder)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].folder != NULL &&
		    strcmp(l->v[i].folder, folder) == 0)
			return &l->v[i];
	return NULL;
}

/*
 * Local folders the server does not have. Never synced (no state file):
 * made there with CREATE, then synced (their messages go up). Synced
 * before: the server's folder was deleted; the local one is kept (its
 * mail is nowhere else) and the user told.
 */
static int
local_folders(struct ctx *x, struct list_run *l, struct sync_folders *rec)
{
	struct store_err	 serr;
	struct wait		 w;
	struct mailbox		 mb;
	char			**names, *path, err[BOUND_ERRMSG];
	size_t			 n, i;
	int			 rc = 0;

	if (store_folder_list_new(x->a->store_path, &names, &n, &serr) == -1) {
		emit(x, SYNC_EV_ERROR, x->a->store_path, NULL, serr.msg);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (listed(l, names[i]) != NULL)
			continue;
		path = xasprintf("%s/%s/%s", x->a->store_path, names[i],
		    SYNC_STATE_FILE);
		if (access(path, F_OK) == 0) {
			emit(x, SYNC_EV_NOTICE, names[i], NULL, "no longer on "
			    "the server; the local folder is kept");
			free(path);
			continue;
		}
		free(path);
		memset(&mb, 0, sizeof(mb));
		mb.folder = names[i];
		mb.name = mailbox_of_folder(l, names[i]);
		if (mb.name == NULL) {
			emit(x, SYNC_EV_ERROR, names[i], NULL, "cannot be "
			    "named on the server (its hierarchy delimiter is "
			    "in the name)");
			rc = -1;
			continue;
		}
		if (run(x, NULL, NULL, &w, err, sizeof(err), "CREATE %m",
		    mb.name) == -1) {
			emit(x, SYNC_EV_ERROR, names[i], NULL, err);
			rc = -1;
		} else if (sync_folder(x, &mb) == -1)
			rc = -1;
		else
			sync_folders_set(rec, names[i], mb.uidvalidity,
			    mb.uidnext);
		free(mb.name);
	}
	store_names_free(names, n);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Folders renamed or deleted on one side                              */

static bool
name_in(char *const *names, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* The UIDVALIDITY a local folder's sync state holds, 0: none. */
static uint32_t
state_uidvalidity(struct ctx *x, const char *folder)
{
	struct sync_state	st;
	struct store_err	serr;
	char			*path = xasprintf("%s/%s", x->a->store_path,
	    folder);
	uint32_t		 v = 0;

	if (sync_state_load(&st, path, &serr) == 0)
		v = st.uidvalidity;
	sync_state_free(&st);
	free(path);
	return v;
}

/* The only local folder, not on the server, not recorded, whose state
 * has this UIDVALIDITY: a recorded folder renamed here. */
static const char *
renamed_here(struct ctx *x, const struct list_run *l,
    const struct sync_folders *rec, char *const *names, size_t n,
    uint32_t uidvalidity)
{
	const char	*hit = NULL;
	size_t		 i, found = 0;

	for (i = 0; i < n; i++)
		if (listed(l, names[i]) == NULL &&
		    sync_folders_find(rec, names[i]) == NULL &&
		    state_uidvalidity(x, names[i]) == uidvalidity) {
			hit = names[i];
			found++;
		}
	return found == 1 ? hit : NULL;
}

/* The only server folder, not here, not recorded, with this
 * UIDVALIDITY: a recorded folder renamed there. */
static struct mailbox *
renamed_there(const struct list_run *l, const struct sync_folders *rec,
    char *const *names, size_t n, uint32_t uidvalidity)
{
	struct mailbox	*hit = NULL;
	size_t		 i, found = 0;

	for (i = 0; i < l->n; i++)
		if (l->v[i].folder != NULL && l->v[i].have_status &&
		    l->v[i].uidvalidity == uidvalidity &&
		    !name_in(names, n, l->v[i].folder) &&
		    sync_folders_find(rec, l->v[i].folder) == NULL) {
			hit = &l->v[i];
			found++;
		}
	return found == 1 ? hit : NULL;
}

/* Nothing changed in a local folder since its last sync: its files and
 * flags are the state's, and no upload is in flight. */
static bool
folder_settled(struct ctx *x, const char *folder)
{
	struct folder_run	fr;
	struct store_err	serr;
	char			err[BOUND_ERRMSG], *j;
	bool			ok = false;

	memset(&fr, 0, sizeof(fr));
	fr.x = x;
	fr.path = xasprintf("%s/%s", x->a->store_path, folder);
	j = xasprintf("%s/%s", fr.path, SYNC_JOURNAL_FILE);
	if (access(j, F_OK) != 0 &&
	    sync_state_load(&fr.st, fr.path, &serr) == 0 &&
	    fr.st.uidvalidity != 0)
		ok = local_unchanged(&fr) ||
		    (folder_open_store(&fr, err, sizeof(err)) == 0 &&
		    matches_state(&fr));
	free(j);
	store_folder_close(fr.f);
	sync_state_free(&fr.st);
	free(fr.path);
	return ok;
}

/* A recorded folder the server still has is gone here: renamed (then
 * RENAME there) or deleted (then DELETE there, unless the server's folder
 * got new mail since: then it comes back here). True when the server's
 * folders changed. */
static bool
gone_here(struct ctx *x, struct list_run *l, struct sync_folders *rec,
    const struct sync_folder_rec *r, struct mailbox *mb, char *const *names,
    size_t n)
{
	struct wait	 w;
	const char	*to;
	char		*mbox, *old = xstrdup(r->name), err[BOUND_ERRMSG];
	char		 msg[BOUND_ERRMSG];
	uint32_t	 uv = r->uidvalidity, next = r->uidnext;
	bool		 changed = false;

	if (!mb->have_status)
		(void)run(x, account_untagged, l, &w, err, sizeof(err),
		    "STATUS %m (MESSAGES UIDNEXT UIDVALIDITY)", mb->name);
	if (!mb->have_status || mb->uidvalidity != uv) {
		/* Not the folder we knew: synced as a new one. */
		free(old);
		return false;
	}
	if ((to = renamed_here(x, l, rec, names, n, uv)) != NULL) {
		mbox = mailbox_of_folder(l, to);
		if (mbox != NULL && run(x, NULL, NULL, &w, err, sizeof(err),
		    "RENAME %m %m", mb->name, mbox) == 0) {
			(void)fct_snprintf(msg, sizeof(msg), "renamed on the "
			    "server too (was %s)", old);
			emit(x, SYNC_EV_NOTICE, to, NULL, msg);
			sync_folders_drop(rec, old);
			sync_folders_set(rec, to, uv, next);
			changed = true;
		} else
			emit(x, SYNC_EV_ERROR, to, NULL, mbox == NULL ?
			    "cannot be named on the server" : err);
		free(mbox);
	} else if (mb->uidnext == next && next != 0) {
		if (run(x, NULL, NULL, &w, err, sizeof(err), "DELETE %m",
		    mb->name) == 0) {
			emit(x, SYNC_EV_NOTICE, old, NULL, "deleted here: "
			    "deleted on the server too");
			sync_folders_drop(rec, old);
			changed = true;
		} else
			emit(x, SYNC_EV_ERROR, old, NULL, err);
	} else
		emit(x, SYNC_EV_NOTICE, old, NULL, "deleted here, but the "
		    "server's folder got new mail since: it comes back");
	free(old);
	return changed;
}

/* A recorded folder still here is gone from the server: renamed there
 * (then renamed here) or deleted (then deleted here, unless it changed
 * here since: then it is kept). */
static void
gone_there(struct ctx *x, struct list_run *l, struct sync_folders *rec,
    const struct sync_folder_rec *r, char *const *names, size_t n)
{
	struct store_err	 serr;
	struct mailbox		*to;
	char			*old = xstrdup(r->name), msg[BOUND_ERRMSG];
	uint32_t		 uv = r->uidvalidity;

	to = renamed_there(l, rec, names, n, uv);
	if (to != NULL && state_uidvalidity(x, old) == uv) {
		if (store_folder_rename(x->a->store_path, old, to->folder,
		    &serr) == 0) {
			(void)fct_snprintf(msg, sizeof(msg), "renamed on the "
			    "server: renamed here too (was %s)", old);
			emit(x, SYNC_EV_NOTICE, to->folder, NULL, msg);
			sync_folders_drop(rec, old);
			sync_folders_set(rec, to->folder, uv, r->uidnext);
		} else
			emit(x, SYNC_EV_ERROR, old, NULL, serr.msg);
	} else if (folder_settled(x, old)) {
		if (store_folder_delete(x->a->store_path, old, &serr) == 0) {
			emit(x, SYNC_EV_NOTICE, old, NULL, "deleted on the "
			    "server: deleted here too");
			sync_folders_drop(rec, old);
		} else
			emit(x, SYNC_EV_ERROR, old, NULL, serr.msg);
	} else {
		/* local_folders() says it is kept. */
		sync_folders_drop(rec, old);
	}
	free(old);
}

/*
 * Folders the last sync recorded that one side no longer has. Nothing is
 * done when none of them is left on one side (a store moved away, a
 * server answering oddly): that is not a deletion. After a change there
 * the server's folders are listed again; true when that failed (said).
 */
static bool
folder_changes(struct ctx *x, struct list_run *l, struct sync_folders *rec)
{
	struct store_err	 serr;
	struct mailbox		*mb;
	char			**names, **todo, err[BOUND_ERRMSG];
	size_t			 n, i, k, nrec = rec->n, here = 0, there = 0;
	bool			 failed = false;

	if (nrec == 0 ||
	    store_folder_list_new(x->a->store_path, &names, &n, &serr) == -1)
		return false;
	for (i = 0; i < nrec; i++) {
		here += name_in(names, n, rec->v[i].name);
		there += listed(l, rec->v[i].name) != NULL;
	}
	if (here == 0 || there == 0) {
		emit(x, SYNC_EV_NOTICE, x->a->store_path, NULL, here == 0 ?
		    "none of the folders synced before is here: nothing is "
		    "deleted on the server" : "the server has none of the "
		    "folders synced before: nothing is deleted here");
		store_names_free(names, n);
		return false;
	}
	todo = xcalloc(nrec + 1, sizeof(*todo));
	for (i = 0; i < nrec; i++)
		todo[i] = xstrdup(rec->v[i].name);
	for (i = 0; i < nrec; i++) {
		const struct sync_folder_rec *r = sync_folders_find(rec,
		    todo[i]);
		bool	is_here;

		if (r == NULL)
			continue;
		mb = listed(l, r->name);
		is_here = name_in(names, n, r->name);
		if (mb != NULL && !is_here) {
			/* Renames move folders below too: list again. */
			if (gone_here(x, l, rec, r, mb, names, n)) {
				list_free(l);
				if (list_account(x, l, err, sizeof(err)) == -1) {
					emit(x, SYNC_EV_ERROR,
					    x->a->store_path, NULL, err);
					failed = true;
					break;
				}
			}
		} else if (mb == NULL && is_here)
			gone_there(x, l, rec, r, names, n);
		else if (mb == NULL)
			sync_folders_drop(rec, r->name);
		else
			continue;
		/* Renames move folders below too: look again here. */
		store_names_free(names, n);
		if (store_folder_list_new(x->a->store_path, &names, &n,
		    &serr) == -1) {
			names = NULL;
			n = 0;
			for (k = i + 1; k < nrec; k++) {
				free(todo[k]);
				todo[k] = NULL;
			}
			break;
		}
	}
	for (i = 0; i < nrec; i++)
		free(todo[i]);
	free(todo);
	store_names_free(names, n);
	return failed;
}

/* What this sync saw, for the next one and for the interface. */
static void
record_folders(struct ctx *x, const struct list_run *l,
    struct sync_folders *rec)
{
	struct store_err	serr;
	size_t			i, k;

	for (k = 0; k < SYNC_SPECIAL_N; k++) {
		free(rec->special[k]);
		rec->special[k] = NULL;
		for (i = 0; i < l->n && rec->special[k] == NULL; i++)
			if (l->v[i].folder != NULL &&
			    (l->v[i].special & (1u << k)))
				rec->special[k] = xstrdup(l->v[i].folder);
	}
	for (i = 0; i < l->n; i++)
		if (l->v[i].folder != NULL && l->v[i].uidvalidity != 0)
			sync_folders_set(rec, l->v[i].folder,
			    l->v[i].uidvalidity, l->v[i].uidnext);
	if (sync_folders_save(rec, x->a->store_path, &serr) == -1)
		emit(x, SYNC_EV_NOTICE, x->a->store_path, NULL, serr.msg);
}

/* "* ENABLED QRESYNC": SELECT can then say what changed. (CONDSTORE's
 * HIGHESTMODSEQ the folders check for themselves.) */
static void
enable_untagged(struct imap_client *c, const struct imap_resp *r,
    void *arg)
{
	struct ctx	*x = arg;
	size_t		 i;

	(void)c;
	if (strcmp(r->name, "ENABLED") == 0)
		for (i = 0; i < r->n; i++)
			if (imap_item_is(&r->items[i], "QRESYNC"))
				x->qresync = true;
}

static void
on_ready(struct imap_client *c, bool ok, void *arg)
{
	struct ctx	*x = arg;

	(void)c;
	x->ready = true;
	x->ok = ok;
}

static void
on_trace(const char *dir, const char *line, size_t len, void *arg)
{
	struct ctx	*x = arg;

	x->o->trace(dir, line, len, x->o->arg);
}

/* RFC 3501: an [ALERT] must reach the user. */
static void
on_alert(const char *text, size_t len, void *arg)
{
	struct ctx	*x = arg;
	char		 msg[BOUND_ERRMSG];

	(void)fct_snprintf(msg, sizeof(msg), "the server says: %.*s",
	    (int)len, text);
	emit(x, SYNC_EV_NOTICE, x->a->name, NULL, msg);
}

static int
connect_account(struct ctx *x, char *err, size_t errlen)
{
	const struct cfg_account	*a = x->a;
	struct imap_client_params	 p;
	char				 terr[512];
	static const enum imap_auth_mech mechs[] = {
		[CFG_AUTH_AUTO] = IMAP_AUTH_AUTO,
		[CFG_AUTH_PLAIN] = IMAP_AUTH_PLAIN,
		[CFG_AUTH_LOGIN] = IMAP_AUTH_LOGIN,
		[CFG_AUTH_XOAUTH2] = IMAP_AUTH_XOAUTH2,
		[CFG_AUTH_OAUTHBEARER] = IMAP_AUTH_OAUTHBEARER,
	};

	x->tls = net_tls_ctx_new(x->o->ca_file != NULL ? x->o->ca_file :
	    a->tls_ca_file, terr, sizeof(terr));
	if (x->tls == NULL) {
		(void)fct_snprintf(err, errlen, "%s", terr);
		return -1;
	}
	memset(&p, 0, sizeof(p));
	p.net.host = a->incoming.host;
	p.net.port = a->incoming.port;
	p.net.tls_ctx = x->tls;
	p.mode = a->incoming.tls == CFG_TLS_IMPLICIT ? IMAP_TLS_IMPLICIT :
	    a->incoming.tls == CFG_TLS_STARTTLS ? IMAP_TLS_STARTTLS :
	    IMAP_TLS_NONE;
	p.user = a->real_user;
	p.secret = x->o->secret;
	p.mech = mechs[a->auth];
	p.allow_plaintext_password = a->allow_plaintext_password;
	/* No literal is bigger than a piece (bigger messages come in
	 * pieces) or than max-size. */
	p.limits.max_literal = (size_t)(a->max_size != 0 &&
	    a->max_size < PIECE ? a->max_size : PIECE) + 65536;
	p.trace = x->o->trace != NULL ? on_trace : NULL;
	p.alert = on_alert;
	p.arg = x;
	x->c = imap_client_connect(x->loop, &p, on_ready, x);
	(void)imap_client_wait(x->c, &x->ready);
	if (!x->ok) {
		(void)fct_snprintf(err, errlen, "%s", imap_client_error(x->c));
		return -1;
	}
	return 0;
}

int
sync_imap_account(const struct cfg_account *a, const struct sync_opts *o,
    char *err, size_t errlen)
{
	struct ctx		 x;
	struct list_run		 l;
	struct sync_folders	 rec;
	struct store_err	 serr;
	struct wait		 w;
	size_t			 i;
	int			 rc = 0;
	uint32_t		 caps;

	memset(&x, 0, sizeof(x));
	memset(&l, 0, sizeof(l));
	x.a = a;
	x.o = o;
	l.x = &x;
	if (a->incoming.scheme != CFG_SCHEME_IMAP &&
	    a->incoming.scheme != CFG_SCHEME_IMAPS) {
		(void)fct_snprintf(err, errlen, "account %s is not an IMAP "
		    "account", a->name);
		return -1;
	}
	if (make_root(a->store_path, err, errlen) == -1)
		return -1;
	if (sync_folders_load(&rec, a->store_path, &serr) == -1) {
		/* Only the shortcuts it enables are lost. */
		emit(&x, SYNC_EV_NOTICE, a->store_path, NULL, serr.msg);
		sync_folders_init(&rec);
	}
	x.loop = net_loop_new();
	if (connect_account(&x, err, errlen) == -1) {
		rc = -1;
		goto out;
	}
	caps = imap_client_caps(x.c);
	/* ID, ENABLE, NAMESPACE and LIST go together: one round trip. */
	if (caps & IMAP_CAP_ID)
		(void)imap_client_cmd(x.c, NULL, NULL, NULL, "ID (\"name\" "
		    "\"facteur\" \"version\" %a)", VERSION);
	if ((caps & IMAP_CAP_QRESYNC) && (caps & IMAP_CAP_ENABLE))
		(void)imap_client_cmd(x.c, enable_untagged, NULL, &x,
		    "ENABLE QRESYNC");
	else if ((caps & IMAP_CAP_CONDSTORE) && (caps & IMAP_CAP_ENABLE))
		(void)imap_client_cmd(x.c, NULL, NULL, NULL,
		    "ENABLE CONDSTORE");
	if (list_account(&x, &l, err, errlen) == -1) {
		rc = -1;
		goto out;
	}
	if (folder_changes(&x, &l, &rec)) {
		(void)fct_snprintf(err, errlen, "%s: the server's folders "
		    "could not be listed again", a->name);
		rc = -1;
		goto out;
	}
	sync_moves(&x, &l);
	for (i = 0; i < l.n; i++) {
		if (l.v[i].folder == NULL)
			continue;
		if (sync_folder(&x, &l.v[i]) == -1)
			rc = 1;
	}
	if (local_folders(&x, &l, &rec) == -1)
		rc = 1;
	record_folders(&x, &l, &rec);
	if (imap_client_ok(x.c))
		(void)run(&x, NULL, NULL, &w, err, errlen, "LOGOUT");
	err[0] = '\0';
out:
	list_free(&l);
	sync_folders_free(&rec);
	imap_client_close(&x.c);
	net_loop_free(&x.loop);
	net_tls_ctx_free(&x.tls);
	return rc;
}
