/*
 * download.c: messages down into the store, chunk by chunk (big ones
 * piece by piece), each chunk durable before it is recorded.
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

#include "mime.h"
#include "sync_priv.h"

/* ------------------------------------------------------------------ */
/* Downloading                                                         */

/* Line ends: IMAP speaks CRLF, maildirs hold LF (as Dovecot, mbsync and
 * mutt have them). A lone CR stays. */
void
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

void
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

/*
 * A message over max-size as its headers (in lf, LF ends) made into a
 * stub: the marker line first (store_is_partial()), then the headers,
 * then a note for any reader.
 */
static void
partial_stub(struct buf *lf, uint64_t size)
{
	struct buf	stub;

	buf_init(&stub, SIZE_MAX / 2);
	if (buf_printf(&stub, "%s: %llu\n", STORE_PARTIAL_HEADER,
	    (unsigned long long)size) == -1 ||
	    buf_append(&stub, lf->data != NULL ? lf->data : "", lf->len) ==
	    -1)
		fatalx("sync: message too large");
	/* BODY[HEADER] ends with its empty line; a server may leave it
	 * out. */
	if (stub.len < 2 || memcmp(stub.data + stub.len - 2, "\n\n", 2) != 0)
		if (buf_append_str(&stub, stub.data[stub.len - 1] == '\n' ?
		    "\n" : "\n\n") == -1)
			fatalx("sync: message too large");
	if (buf_printf(&stub, "[-- This message is %llu bytes, over the "
	    "account's max-size: only its headers were downloaded. Open it "
	    "in facteur to fetch the rest. --]\n",
	    (unsigned long long)size) == -1)
		fatalx("sync: message too large");
	buf_free(lf);
	*lf = stub;
}

static void
body_untagged(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct down		*d = arg;
	const struct imap_item	*it, *body;
	struct store_err	 err;
	uint64_t		 uid, size;
	unsigned		 flags;
	char			 tag[32];

	(void)c;
	if (d->stopped || strcmp(r->name, "FETCH") != 0 || r->n != 1 ||
	    r->items[0].type != IMAP_LIST)
		return;
	it = fetch_get(&r->items[0], "UID");
	body = fetch_get(&r->items[0], d->heads ? "BODY[HEADER]" : "BODY[]");
	if (it == NULL || !imap_item_number(it, UINT32_MAX, &uid) ||
	    uid == 0 || body == NULL || body->type != IMAP_STRING)
		return;
	size = 0;
	if (d->heads && (fetch_get(&r->items[0], "RFC822.SIZE") == NULL ||
	    !imap_item_number(fetch_get(&r->items[0], "RFC822.SIZE"),
	    UINT64_MAX / 2, &size)))
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
	if (d->heads)
		partial_stub(&d->lf, size);
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
int
fetch_pieces(struct ctx *x, uint32_t uid, uint64_t size, struct buf *whole,
    unsigned *flags, int64_t *received, char *err, size_t errlen)
{
	struct piece	p;
	struct wait	w;

	if (size > MESSAGE_MAX) {
		(void)fct_snprintf(err, errlen, "UID %u: %llu bytes, more than "
		    "facteur keeps of one message (%llu)", (unsigned)uid,
		    (unsigned long long)size, (unsigned long long)MESSAGE_MAX);
		return -1;
	}
	memset(&p, 0, sizeof(p));
	p.whole = whole;
	p.uid = uid;
	p.received = -1;
	for (;;) {
		p.seen = false;
		p.got = 0;
		if (run(x, piece_untagged, &p, &w, err, errlen,
		    "UID FETCH %u (UID FLAGS INTERNALDATE BODY.PEEK[]<%U.%U>)",
		    (unsigned)uid, p.off, PIECE) == -1)
			return -1;
		if (p.bad || (uint64_t)whole->len > size + PIECE) {
			(void)fct_snprintf(err, errlen, "UID %u: the server "
			    "sent a piece of the message that does not fit",
			    (unsigned)uid);
			return -1;
		}
		if (!p.seen && p.off == 0)
			return 1;	/* expunged meanwhile */
		if (p.got < PIECE)
			break;
		p.off += p.got;
	}
	*flags = p.flags;
	*received = p.received;
	return 0;
}

static int
download_big(struct ctx *x, struct down *d, uint32_t uid, uint64_t size,
    char *err, size_t errlen)
{
	struct buf		whole;
	struct store_err	serr;
	char			tag[32];
	unsigned		flags = 0;
	int64_t			received = -1;
	int			rc;

	buf_init(&whole, SIZE_MAX / 2);
	rc = fetch_pieces(x, uid, size, &whole, &flags, &received, err,
	    errlen);
	if (rc != 0) {
		buf_free(&whole);
		return rc == 1 ? 0 : -1;
	}
	rc = -1;
	(void)snprintf(tag, sizeof(tag), "U=%u", (unsigned)uid);
	to_lf(whole.data != NULL ? whole.data : "", whole.len, &d->lf);
	if (store_batch_add_at(d->batch, d->lf.data != NULL ? d->lf.data : "",
	    d->lf.len, flags, tag, received, &serr) == -1) {
		(void)fct_strlcpy(err, serr.msg, errlen);
		goto out;
	}
	if (d->cap < 1) {
		d->cap = 16;
		d->uids = xreallocarray(d->uids, d->cap, sizeof(*d->uids));
		d->flags = xreallocarray(d->flags, d->cap, sizeof(*d->flags));
	}
	d->uids[0] = uid;
	d->flags[0] = (uint8_t)flags;
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

/* The UIDs of list in chunks of FETCH_CHUNK, items asked for each (the
 * next chunk asked before this one is committed). */
static int
download_chunks(struct ctx *x, struct down *d, const struct uids *list,
    const char *items, char *err, size_t errlen)
{
	struct wait	w[2];
	char		set[SET_MAX];
	size_t		from = 0;
	unsigned	k = 0;
	bool		pending = false;
	int		rc = 0;

	if (from < list->n) {
		uids_set(list, &from, FETCH_CHUNK, set, sizeof(set));
		if (cmd_send(x, body_untagged, d, &w[0], "UID FETCH %s (UID "
		    "FLAGS INTERNALDATE %s)", set, items) == -1)
			return fail_client(x, err, errlen);
		pending = true;
	}
	for (k = 0; pending && rc == 0; k ^= 1) {
		/* The next chunk is asked for before this one is committed:
		 * the server sends it while the files are made durable. (A
		 * commit takes what has come of it too.) */
		pending = false;
		if (from < list->n) {
			uids_set(list, &from, FETCH_CHUNK, set, sizeof(set));
			if (cmd_send(x, body_untagged, d, &w[k ^ 1], "UID FETCH "
			    "%s (UID FLAGS INTERNALDATE %s)", set, items) ==
			    -1) {
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
	return rc;
}

int
download(struct ctx *x, struct down *d, const struct uids *want,
    const struct uids *big, const struct uids *heads, struct srv *srv,
    char *err, size_t errlen)
{
	size_t	i;
	int	rc = 0;

	d->batch = store_batch_new(d->path);
	d->saved_ms = time_mono_ms();
	buf_init(&d->lf, SIZE_MAX / 2);
	for (i = 0; i < big->n && rc == 0; i++)
		rc = download_big(x, d, big->v[i], srv_find(srv,
		    big->v[i])->size, err, errlen);
	if (rc == 0)
		rc = download_chunks(x, d, want, "BODY.PEEK[]", err, errlen);
	if (rc == 0 && heads->n > 0) {
		d->heads = true;
		rc = download_chunks(x, d, heads, "RFC822.SIZE "
		    "BODY.PEEK[HEADER]", err, errlen);
		d->heads = false;
	}
	if (down_save(d, rc == 0 ? err : NULL, errlen) == -1)
		rc = -1;
	store_batch_free(&d->batch);
	buf_free(&d->lf);
	free(d->uids);
	free(d->flags);
	return rc;
}
