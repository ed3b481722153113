/*
 * cmd.c: the IMAP commands the sync runs to their end, the flags, the
 * server's list of a folder's messages and UID sets.
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
/* Commands run to their end                                           */

/* Tell the caller (the CLI, the interface) what happened. */
void
emit(struct ctx *x, enum sync_event_kind kind, const char *folder,
    const struct sync_counts *cnt, const char *msg)
{
	struct sync_event	ev = { kind, folder, cnt, msg };

	if (x->o->event != NULL)
		x->o->event(&ev, x->o->arg);
}

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

int
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
int
fail_client(struct ctx *x, char *err, size_t errlen)
{
	(void)fct_snprintf(err, errlen, "%s", imap_client_error(x->c));
	return -1;
}

/* Wait for a sent command's answer: 0 when OK; -1 with the server's
 * words (or the connection's failure) in err. */
int
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
int
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

unsigned
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
void
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
const struct imap_item *
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

void
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

struct srv_msg *
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

void
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
void
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
void
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

void
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
void
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
