/*
 * moves.c: messages moved here between synced folders, moved on the
 * server too (UID MOVE, else COPY and delete) instead of uploaded again.
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
/* Moves between folders                                               */

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

/* A set's UIDs in order, at most max + 1 of them (more is refused). */
static void
copyuid_expand(struct copyuid *cu, struct uids *u, uint32_t lo, uint32_t hi)
{
	for (; u->n <= cu->max; lo++) {
		uids_add(u, lo);
		if (lo == hi)
			break;
	}
}

static void
copyuid_src(uint32_t lo, uint32_t hi, void *arg)
{
	struct copyuid	*cu = arg;

	copyuid_expand(cu, &cu->src, lo, hi);
}

static void
copyuid_dst(uint32_t lo, uint32_t hi, void *arg)
{
	struct copyuid	*cu = arg;

	copyuid_expand(cu, &cu->dst, lo, hi);
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
void
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
