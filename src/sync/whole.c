/*
 * whole.c: the rest of a message kept as its headers only (over the
 * account's max-size), fetched when the user opens it: the folder
 * examined (read-only, so nothing is marked seen), its UIDVALIDITY
 * checked against the sync state, the message fetched in pieces, and
 * its file's bytes replaced at once (store_msg_replace()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_priv.h"

struct probe {
	uint32_t	uidvalidity;
	uint32_t	uid;
	uint64_t	size;
	bool		have_size;
};

static void
examine_untagged(struct imap_client *c, const struct imap_resp *r,
    void *arg)
{
	struct probe	*p = arg;
	uint64_t	 v;

	(void)c;
	if (r->has_code && strcmp(r->code, "UIDVALIDITY") == 0 &&
	    r->ncode_args == 1 &&
	    imap_item_number(&r->code_args[0], UINT32_MAX, &v))
		p->uidvalidity = (uint32_t)v;
}

static void
size_untagged(struct imap_client *c, const struct imap_resp *r, void *arg)
{
	struct probe		*p = arg;
	const struct imap_item	*it;
	uint64_t		 v;

	(void)c;
	if (strcmp(r->name, "FETCH") != 0 || r->n != 1 ||
	    r->items[0].type != IMAP_LIST)
		return;
	it = fetch_get(&r->items[0], "UID");
	if (it == NULL || !imap_item_number(it, UINT32_MAX, &v) ||
	    v != p->uid)
		return;
	it = fetch_get(&r->items[0], "RFC822.SIZE");
	if (it != NULL && imap_item_number(it, UINT64_MAX / 4, &v)) {
		p->size = v;
		p->have_size = true;
	}
}

/* The UID the state records for the file name's unique part, or 0. */
static uint32_t
state_uid(const struct sync_state *st, const char *name)
{
	size_t	n = store_name_unique_len(name), i;

	for (i = 0; i < st->n; i++)
		if (strlen(st->e[i].name) == n &&
		    memcmp(st->e[i].name, name, n) == 0)
			return st->e[i].uid;
	return 0;
}

int
sync_imap_fetch_whole(const struct cfg_account *a, const struct sync_opts *o,
    const char *folder, const char *name, char *err, size_t errlen)
{
	struct ctx		 x;
	struct sync_state	 st;
	struct sync_folders	 rec;
	const struct sync_folder_rec *fr;
	struct store_err	 serr;
	struct probe		 p;
	struct wait		 w;
	struct buf		 whole, lf;
	const char		*mbox;
	char			*path;
	unsigned		 flags;
	int64_t			 received;
	int			 rc = -1, r;

	memset(&x, 0, sizeof(x));
	memset(&p, 0, sizeof(p));
	x.a = a;
	x.o = o;
	if (!store_folder_name_ok(folder)) {
		(void)fct_snprintf(err, errlen, "%s: not a folder name",
		    folder);
		return -1;
	}
	path = xasprintf("%s/%s", a->store_path, folder);
	sync_state_init(&st);
	sync_folders_init(&rec);
	buf_init(&whole, (size_t)(MESSAGE_MAX + PIECE));
	buf_init(&lf, (size_t)(MESSAGE_MAX + PIECE));
	if (sync_state_load(&st, path, &serr) == -1 ||
	    sync_folders_load(&rec, a->store_path, &serr) == -1) {
		(void)fct_strlcpy(err, serr.msg, errlen);
		goto out;
	}
	p.uid = state_uid(&st, name);
	fr = sync_folders_find(&rec, folder);
	mbox = fr != NULL && fr->mailbox != NULL ? fr->mailbox :
	    strcmp(folder, "INBOX") == 0 ? "INBOX" : NULL;
	if (p.uid == 0 || mbox == NULL) {
		(void)fct_snprintf(err, errlen, "%s: this message is not "
		    "synced with the server yet", folder);
		goto out;
	}
	x.loop = net_loop_new();
	if (sync_connect(&x, err, errlen) == -1)
		goto out;
	if (run(&x, examine_untagged, &p, &w, err, errlen, "EXAMINE %m",
	    mbox) == -1)
		goto logout;
	if (p.uidvalidity != st.uidvalidity) {
		(void)fct_snprintf(err, errlen, "%s: the folder changed on the "
		    "server (UIDVALIDITY): sync it first", folder);
		goto logout;
	}
	if (run(&x, size_untagged, &p, &w, err, errlen,
	    "UID FETCH %u (UID RFC822.SIZE)", (unsigned)p.uid) == -1)
		goto logout;
	if (!p.have_size) {
		(void)fct_snprintf(err, errlen, "%s: the message is no longer "
		    "on the server", folder);
		goto logout;
	}
	r = fetch_pieces(&x, p.uid, p.size, &whole, &flags, &received, err,
	    errlen);
	if (r == 1)
		(void)fct_snprintf(err, errlen, "%s: the message is no longer "
		    "on the server", folder);
	if (r != 0)
		goto logout;
	to_lf(whole.data != NULL ? whole.data : "", whole.len, &lf);
	if (store_msg_replace(path, name, lf.data != NULL ? lf.data : "",
	    lf.len, &serr) == -1) {
		(void)fct_strlcpy(err, serr.msg, errlen);
		goto logout;
	}
	rc = 0;
logout:
	if (imap_client_ok(x.c))
		(void)run(&x, NULL, NULL, &w, serr.msg, sizeof(serr.msg),
		    "LOGOUT");
out:
	imap_client_close(&x.c);
	net_loop_free(&x.loop);
	net_tls_ctx_free(&x.tls);
	buf_free(&whole);
	buf_free(&lf);
	sync_state_free(&st);
	sync_folders_free(&rec);
	free(path);
	return rc;
}
