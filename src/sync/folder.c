/*
 * folder.c: one folder synced both ways: SELECT (QRESYNC where it can),
 * the local files, the decisions (flags, deletions, downloads, uploads)
 * and the new state, saved so that a crash at any point loses nothing and
 * duplicates nothing.
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

static int
lname_cmp(const void *a, const void *b)
{
	return unique_cmp(((const struct lname *)a)->name,
	    ((const struct lname *)b)->name);
}

void
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
size_t
local_find(const struct local *l, const char *name)
{
	struct lname		 key = { name, 0 };
	const struct lname	*hit;

	hit = bsearch(&key, l->v, l->n, sizeof(*l->v), lname_cmp);
	return hit != NULL ? hit->idx : SIZE_MAX;
}

void
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
int
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
int
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
	if (store_is_partial(data, len, NULL)) {
		(void)fct_snprintf(err, errlen, "%s: only the headers of this "
		    "message are here (over max-size): not uploaded", m->name);
		free(data);
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

/* The folder's maildir (made when missing) and its sync state. */
static int
folder_open(struct folder_run *fr, char *err, size_t errlen)
{
	struct store_err	serr;
	const char		*root = fr->x->a->store_path;

	if (fr->path == NULL)
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
int
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
bool
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
bool
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
stamp_settled(struct folder_run *fr, bool *later)
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
		if (later != NULL) {
			/* Taken at the end of the account, after one wait
			 * for every folder. */
			*later = true;
			return false;
		}
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

struct recover {
	struct folder_run	*fr;
	char			*err;
	size_t			 errlen;
};

/* One journalled file: on the server already? Then recorded. */
static int
recover_one(const char *name, void *arg)
{
	struct recover		*rv = arg;
	struct folder_run	*fr = rv->fr;
	const struct store_msg	*m;
	struct search_hit	 h;
	struct srv_msg		*sm;
	struct wait		 w;
	size_t			 li;

	li = local_find(&fr->loc, name);
	if (li == SIZE_MAX || fr->loc.claimed[li] ||
	    (m = store_folder_msg(fr->f, li))->message_id == NULL)
		return 0;
	memset(&h, 0, sizeof(h));
	if (run(fr->x, search_untagged, &h, &w, rv->err, rv->errlen,
	    "UID SEARCH HEADER Message-ID %a", m->message_id) == -1)
		return -1;
	if (h.uid != 0 && (sm = srv_find(&fr->srv, h.uid)) != NULL &&
	    !sm->seen_here) {
		sm->seen_here = true;
		fr->loc.claimed[li] = true;
		sync_state_add(&fr->st, h.uid, m->flags, m->name,
		    store_name_unique_len(m->name));
		fr->rematched++;
	}
	return 0;
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
	struct recover		 rv = { fr, err, errlen };
	struct buf		 b;
	struct store_err	 serr;
	char			*path;
	int			 rc;

	path = xasprintf("%s/%s", fr->path, SYNC_JOURNAL_FILE);
	rc = sync_file_read(path, JOURNAL_MAX, &b, &serr);
	free(path);
	if (rc != 0)
		return 0;
	fr->journal = true;
	rc = sync_journal_parse(b.data != NULL ? b.data : "", b.len,
	    recover_one, &rv);
	buf_free(&b);
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

/* Whether local file i is a max-size stub (store_is_partial()), and
 * the whole message's size. Only its start is read. */
static bool
is_partial_file(struct store_folder *f, size_t i, uint64_t *size)
{
	char	 head[64], *path = store_msg_path_new(f, i);
	ssize_t	 n = -1;
	int	 fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd != -1) {
		n = read(fd, head, sizeof(head));
		(void)close(fd);
	}
	return n > 0 && store_is_partial(head, (size_t)n, size);
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
	uint64_t		 psize;
	bool			 partial;

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
		partial = is_partial_file(fr->f, i, &psize);
		if (uid != 0 && trust_tags) {
			sm = srv_find(&fr->srv, uid);
			if (sm != NULL && !sm->seen_here && (partial ?
			    psize == sm->size : same_size(fr->f, i,
			    sm->size))) {
				sm->seen_here = true;
				sync_state_add(&fr->st, uid, m->flags, m->name,
				    store_name_unique_len(m->name));
				continue;
			}
			/* Moved here from another folder, or its message
			 * left the server since: it goes up (kept). */
		} else if (uid != 0)
			continue;	/* another UIDVALIDITY's copy */
		if (partial) {
			/* Headers alone would replace the message. */
			emit(fr->x, SYNC_EV_NOTICE, fr->folder, &fr->cnt,
			    "a message kept as its headers only (over "
			    "max-size) is not uploaded");
			continue;
		}
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
	    mb->messages == (fr->st.have_count ? fr->st.count : fr->st.n);
}

/* The same from the state's first lines alone, before anything else is
 * read: a big folder unchanged on both sides costs a few hundred bytes
 * read. fr->path is set either way. */
static bool
quick_unchanged(struct folder_run *fr, const struct mailbox *mb)
{
	struct store_err	serr;
	bool			ok;

	fr->path = xasprintf("%s/%s", fr->x->a->store_path, fr->folder);
	if (!mb->have_status || !store_is_maildir(fr->path) ||
	    sync_state_load_head(&fr->st, fr->path, &serr) != 0)
		return false;
	ok = status_unchanged(fr, mb) && local_unchanged(fr);
	if (!ok)
		sync_state_free(&fr->st);
	return ok;
}

int
sync_folder(struct ctx *x, struct mailbox *mb)
{
	const char		*mbox = mb->name, *folder = mb->folder;
	struct folder_run	 fr;
	struct down		 d;
	struct store_err	 serr;
	char			 err[BOUND_ERRMSG];
	size_t			 i, removed;
	bool			 reset = false, changed, any, quick;
	int			 rc = -1;

	memset(&fr, 0, sizeof(fr));
	fr.x = x;
	fr.mbox = mbox;
	fr.folder = folder;
	err[0] = '\0';
	quick = quick_unchanged(&fr, mb);
	if (!quick && folder_open(&fr, err, sizeof(err)) == -1)
		goto out;
	if (quick || (status_unchanged(&fr, mb) && local_unchanged(&fr))) {
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
		if ((x->a->max_size != 0 && fr.srv.m[i].size >
		    x->a->max_size) || fr.srv.m[i].size > MESSAGE_MAX) {
			/* Its headers now, the rest when it is opened. */
			fr.cnt.skipped++;
			uids_add(&fr.want_head, fr.srv.m[i].uid);
			continue;
		}
		uids_add(fr.srv.m[i].size > PIECE ? &fr.want_big : &fr.want,
		    fr.srv.m[i].uid);
	}
	fr.cnt.to_fetch = fr.want.n + fr.want_big.n + fr.want_head.n;
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
	if (download(x, &d, &fr.want, &fr.want_big, &fr.want_head, &fr.srv, err,
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
		bool	later = false;

		fr.st.have_stamp = stamp_settled(&fr, &later);
		if (later) {
			if (x->nlater == x->caplater) {
				x->caplater = x->caplater * 2 + 8;
				x->later = xreallocarray(x->later, x->caplater,
				    sizeof(*x->later));
			}
			x->later[x->nlater++] = xstrdup(folder);
		}
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
	free(fr.want_head.v);
	srv_free(&fr.srv);
	sync_state_free(&fr.st);
	store_folder_close(fr.f);
	free(fr.path);
	return rc;
}

/*
 * The stamps the folders' syncs could not take at once (their directories
 * had just changed): after one short wait for them all, taken and saved.
 * A folder without one is only listed again next time.
 */
void
stamp_later(struct ctx *x)
{
	struct folder_run	fr;
	struct store_err	serr;
	char			err[BOUND_ERRMSG];
	size_t			i;

	if (x->nlater > 0)
		(void)usleep(61000);
	for (i = 0; i < x->nlater; i++) {
		memset(&fr, 0, sizeof(fr));
		fr.x = x;
		fr.path = xasprintf("%s/%s", x->a->store_path, x->later[i]);
		if (sync_state_load(&fr.st, fr.path, &serr) == 0 &&
		    folder_open_store(&fr, err, sizeof(err)) == 0 &&
		    stamp_settled(&fr, NULL)) {
			fr.st.have_stamp = true;
			if (sync_state_save(&fr.st, fr.path, &serr) == -1)
				emit(x, SYNC_EV_NOTICE, x->later[i], NULL,
				    serr.msg);
		}
		store_folder_close(fr.f);
		sync_state_free(&fr.st);
		free(fr.path);
		free(x->later[i]);
	}
	free(x->later);
	x->later = NULL;
	x->nlater = x->caplater = 0;
}
