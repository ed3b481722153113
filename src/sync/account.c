/*
 * account.c: one IMAP account mirrored with its local store (see sync.h
 * for the rules): the connection, the server's folders (LIST-STATUS,
 * NAMESPACE, SPECIAL-USE), folders renamed or deleted on one side, then
 * every folder.
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
/* The account                                                         */

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
	if (name == NULL)
		return;
	if ((mb = mailbox_find(l, name)) == NULL) {
		/* Asked before the LIST: kept until it is in. */
		if (l->nearly >= BOUND_MAILBOX_DEPTH * 64) {
			free(name);
			return;
		}
		l->early = xreallocarray(l->early, l->nearly + 1,
		    sizeof(*l->early));
		mb = &l->early[l->nearly++].st;
		memset(mb, 0, sizeof(*mb));
		mb->name = name;
	} else
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

static void
early_free(struct list_run *l)
{
	size_t	i;

	for (i = 0; i < l->nearly; i++)
		free(l->early[i].st.name);
	free(l->early);
	l->early = NULL;
	l->nearly = 0;
}

/* The STATUS answers that came before the LIST, given to the mailboxes
 * it named (by the server's name: whatever was asked, the answer is
 * that mailbox's). */
static void
early_apply(struct list_run *l)
{
	struct mailbox	*mb;
	size_t		 i;

	for (i = 0; i < l->nearly; i++) {
		const struct mailbox	*e = &l->early[i].st;

		if (!e->have_status ||
		    (mb = mailbox_find(l, e->name)) == NULL)
			continue;
		mb->have_status = true;
		mb->messages = e->messages;
		mb->uidnext = e->uidnext;
		mb->uidvalidity = e->uidvalidity;
		mb->modseq = e->modseq;
	}
	early_free(l);
}

/*
 * The account's folders: NAMESPACE, then LIST with the special uses and
 * every folder's status. LIST-STATUS gives them in the same answer, but
 * Dovecot syncs each mailbox for it (75 ms for a maildir of 100,000
 * messages) where STATUS reads the index (1 ms), unless a LIST came
 * first in the session (then STATUS syncs too). So LIST-STATUS serves a
 * first sync (every folder is new); afterwards the folders recorded with
 * their server names (rec) get a STATUS each before the LIST, all
 * pipelined: still one round trip. Folders synced before but not so
 * recorded get theirs after the LIST.
 */
static int
list_account(struct ctx *x, struct list_run *l,
    const struct sync_folders *rec, char *err, size_t errlen)
{
	uint32_t	caps = imap_client_caps(x->c);
	struct wait	w;
	const char	*su = (caps & IMAP_CAP_SPECIAL_USE) ? "SPECIAL-USE " :
	    "";
	const char	*ms = (caps & IMAP_CAP_CONDSTORE) ? " HIGHESTMODSEQ" :
	    "";
	size_t		 i, k, left = 0;
	bool		 ls = (caps & IMAP_CAP_LIST_STATUS) && x->list_status;

	if (caps & IMAP_CAP_NAMESPACE)
		(void)imap_client_cmd(x->c, account_untagged, NULL, l,
		    "NAMESPACE");
	/* INBOX first: on Dovecot, a STATUS that follows another
	 * mailbox's in the session syncs the mailbox (80 ms for 100,000
	 * messages), and INBOX is most often the big one. */
	for (k = 0; k < 2 && !ls && rec != NULL; k++)
		for (i = 0; i < rec->n; i++)
			if (rec->v[i].mailbox != NULL && (k == 0) ==
			    (ascii_casecmp(rec->v[i].mailbox, "INBOX") == 0))
				(void)imap_client_cmd(x->c, account_untagged,
				    NULL, l, "STATUS %m (MESSAGES UIDNEXT "
				    "UIDVALIDITY%s)", rec->v[i].mailbox, ms);
	if (ls) {
		if (run(x, account_untagged, l, &w, err, errlen,
		    "LIST \"\" \"*\" RETURN (%sSTATUS (MESSAGES UIDNEXT "
		    "UIDVALIDITY%s))", su, ms) == -1)
			return -1;
	} else if (run(x, account_untagged, l, &w, err, errlen,
	    "LIST \"\" \"*\"%s", *su != '\0' ? " RETURN (SPECIAL-USE)" :
	    "") == -1)
		return -1;
	name_folders(l);
	early_apply(l);
	if (ls)
		return 0;
	/* STATUS for the listed folders that have none yet, all at once:
	 * those synced before, and new ones too (a folder renamed there is
	 * told by its UIDVALIDITY). */
	for (i = 0; i < l->n; i++)
		if (l->v[i].folder != NULL && !l->v[i].have_status &&
		    imap_client_cmd(x->c, account_untagged, NULL, l,
		    "STATUS %m (MESSAGES UIDNEXT UIDVALIDITY%s)", l->v[i].name,
		    ms) == 0)
			left++;
	if (left > 0 && run(x, NULL, NULL, &w, err, errlen, "NOOP") == -1)
		return -1;
	return 0;
}


/* mkdir -p, private: the store holds someone's mail. */
int
sync_make_root(const char *dir, char *err, size_t errlen)
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
	early_free(l);
}

/* The listed mailbox synced as this local folder, or NULL. */
struct mailbox *
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
	} else if (mb->uidnext == next && next != 0 &&
	    strcmp(old, "INBOX") != 0) {	/* INBOX cannot go: it comes back */
		if (run(x, NULL, NULL, &w, err, sizeof(err), "DELETE %m",
		    mb->name) == 0) {
			emit(x, SYNC_EV_NOTICE, old, NULL, "deleted here: "
			    "deleted on the server too");
			sync_folders_drop(rec, old);
			changed = true;
		} else
			emit(x, SYNC_EV_ERROR, old, NULL, err);
	} else
		emit(x, SYNC_EV_NOTICE, old, NULL, strcmp(old, "INBOX") == 0 ?
		    "deleted here: it comes back from the server" :
		    "deleted here, but the server's folder got new mail "
		    "since: it comes back");
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
				if (list_account(x, l, NULL, err,
				    sizeof(err)) == -1) {
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
		if (l->v[i].folder != NULL && l->v[i].uidvalidity != 0) {
			sync_folders_set(rec, l->v[i].folder,
			    l->v[i].uidvalidity, l->v[i].uidnext);
			sync_folders_set_mailbox(rec, l->v[i].folder,
			    l->v[i].name);
		}
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

int
sync_server_net(const struct cfg_account *a, const struct cfg_server *srv,
    const char *ca_file, struct net_conn_params *np, struct net_tls_ctx **ctx,
    char *err, size_t errlen)
{
	*ctx = net_tls_ctx_new(ca_file != NULL ? ca_file : a->tls_ca_file, err,
	    errlen);
	if (*ctx == NULL)
		return -1;
	np->host = srv->host;
	np->port = srv->port;
	np->tls_ctx = *ctx;
	return 0;
}

/* EXISTS, EXPUNGE, FETCH or VANISHED while IDLE: the folder changed. */
static void
on_unsolicited(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct ctx	*x = arg;

	(void)c;
	if (x->watching && r->kind == IMAP_UNTAGGED &&
	    (strcmp(r->name, "EXISTS") == 0 ||
	    strcmp(r->name, "EXPUNGE") == 0 ||
	    strcmp(r->name, "FETCH") == 0 ||
	    strcmp(r->name, "VANISHED") == 0))
		x->news = true;
}

int
sync_connect(struct ctx *x, char *err, size_t errlen)
{
	const struct cfg_account	*a = x->a;
	struct imap_client_params	 p;
	static const enum imap_auth_mech mechs[] = {
		[CFG_AUTH_AUTO] = IMAP_AUTH_AUTO,
		[CFG_AUTH_PLAIN] = IMAP_AUTH_PLAIN,
		[CFG_AUTH_LOGIN] = IMAP_AUTH_LOGIN,
		[CFG_AUTH_XOAUTH2] = IMAP_AUTH_XOAUTH2,
		[CFG_AUTH_OAUTHBEARER] = IMAP_AUTH_OAUTHBEARER,
		[CFG_AUTH_APOP] = IMAP_AUTH_AUTO,	/* POP3 only */
	};

	memset(&p, 0, sizeof(p));
	if (sync_server_net(a, &a->incoming, x->o->ca_file, &p.net, &x->tls,
	    err, errlen) == -1)
		return -1;
	p.mode = a->incoming.tls == CFG_TLS_IMPLICIT ? IMAP_TLS_IMPLICIT :
	    a->incoming.tls == CFG_TLS_STARTTLS ? IMAP_TLS_STARTTLS :
	    IMAP_TLS_NONE;
	p.user = a->real_user;
	p.secret = x->o->secret;
	p.mech = mechs[a->auth];
	p.allow_plaintext_password = a->allow_plaintext_password;
	/* No literal is bigger than a piece: bigger messages come in
	 * pieces (those over max-size too, when they are opened). */
	p.limits.max_literal = (size_t)PIECE + 65536;
	p.trace = x->o->trace != NULL ? on_trace : NULL;
	p.alert = on_alert;
	p.unsolicited = on_unsolicited;
	p.arg = x;
	x->c = imap_client_open(x->loop, &net_source_network, &p, on_ready,
	    x);
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
	if (sync_make_root(a->store_path, err, errlen) == -1)
		return -1;
	if (sync_folders_load(&rec, a->store_path, &serr) == -1) {
		/* Only the shortcuts it enables are lost. */
		emit(&x, SYNC_EV_NOTICE, a->store_path, NULL, serr.msg);
		sync_folders_init(&rec);
	}
	x.list_status = rec.n == 0;
	x.loop = net_loop_new();
	if (sync_connect(&x, err, errlen) == -1) {
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
	if (list_account(&x, &l, &rec, err, errlen) == -1) {
		rc = -1;
		goto out;
	}
	if (o->only_folder != NULL) {
		/* One folder's messages; the account's folders (renames,
		 * deletions, the record) are left to a whole sync. */
		for (i = 0; i < l.n; i++)
			if (l.v[i].folder != NULL &&
			    strcmp(l.v[i].folder, o->only_folder) == 0 &&
			    sync_folder(&x, &l.v[i]) == -1)
				rc = 1;
		stamp_later(&x);
		goto logout;
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
	stamp_later(&x);
	record_folders(&x, &l, &rec);
logout:
	if (imap_client_ok(x.c))
		(void)run(&x, NULL, NULL, &w, err, errlen, "LOGOUT");
	err[0] = '\0';
out:
	for (i = 0; i < x.nlater; i++)
		free(x.later[i]);
	free(x.later);
	list_free(&l);
	sync_folders_free(&rec);
	imap_client_close(&x.c);
	net_loop_free(&x.loop);
	net_tls_ctx_free(&x.tls);
	return rc;
}
