/*
 * pop3.c: a POP3 account's mail downloaded into its INBOX.
 *
 * Each new message (by UIDL) is written durably into INBOX (tmp/, fsync,
 * new/, fsync of the directory) with ",P=HASH" in its name, HASH the
 * first 16 hex digits of the SHA-256 of its unique-id: the id itself is
 * never a file name, and a file written just before a crash is adopted
 * by the next run rather than fetched again. The state (.facteur-pop3)
 * is saved before any DELE, and a message is deleted on the server only
 * once keep-on-server has passed since its download; POP3 deletes only
 * at QUIT, so a session cut short deletes nothing. A local write error
 * sends RSET and stops.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bounds.h"
#include "buf.h"
#include "pop3.h"
#include "sync.h"
#include "sync_priv.h"

#define SAVE_EVERY	1000	/* a crash between saves loses nothing: the
				 * files are adopted by their tags */
#define INBOX		"INBOX"

struct listed {
	uint32_t	 msg;
	char		 uidl[SYNC_POP3_UIDL_MAX + 1];
	bool		 dup;		/* the server listed the id twice */
};

/* A file of INBOX with a ",P=" tag. */
struct local_file {
	char	 tag[20];	/* "P=" and 16 hex digits */
	char	*uniq;		/* its unique part, owned */
};

struct pop {
	const struct cfg_account	*a;
	const struct sync_opts		*o;
	struct net_loop			*loop;
	struct net_tls_ctx		*tls;
	struct pop3_client		*c;
	bool				 ready, ok, done;
	struct pop3_resp		 last;		/* status and text */
	char				 text[BOUND_ERRMSG];
	struct buf			 body;		/* the last body */
	char				*path;		/* INBOX */
	struct sync_pop3_state		 st;
	struct sync_counts		 cnt;
	struct listed			*v;
	size_t				 n;
	struct local_file		*local;		/* tagged files here */
	size_t				 nlocal;
};

static void
emitp(struct pop *p, enum sync_event_kind kind, const char *msg)
{
	struct sync_event	ev = { kind, INBOX, &p->cnt, msg };

	if (p->o->event != NULL)
		p->o->event(&ev, p->o->arg);
}

static void
on_ready(struct pop3_client *c, bool ok, void *arg)
{
	struct pop	*p = arg;

	p->ready = true;
	p->ok = ok;
	if (!ok)
		(void)fct_strlcpy(p->text, pop3_client_error(c),
		    sizeof(p->text));
}

static void
on_done(struct pop3_client *c, const struct pop3_resp *r, void *arg)
{
	struct pop	*p = arg;

	(void)c;
	p->done = true;
	memset(&p->last, 0, sizeof(p->last));
	buf_reset(&p->body);
	if (r == NULL) {
		p->last.status = POP3_BAD;
		return;
	}
	p->last.status = r->status;
	(void)fct_snprintf(p->text, sizeof(p->text), "%.*s", (int)r->tlen,
	    r->text);
	if (r->body != NULL && buf_append(&p->body, r->body, r->blen) == -1)
		p->last.status = POP3_BAD;
}

/* One command line and its answer; -1 when the session failed. */
static int
prun(struct pop *p, bool multi, const char *line)
{
	p->done = false;
	if (pop3_client_cmd(p->c, multi, on_done, p, "%s", line) == -1)
		return -1;
	if (pop3_client_wait(p->c, &p->done) == -1 ||
	    p->last.status == POP3_BAD)
		return -1;
	return 0;
}

static void
tag_of(const char *uidl, char out[20])
{
	char	hex[65];

	sha256_hex(uidl, strlen(uidl), hex);
	(void)snprintf(out, 20, "P=%.16s", hex);
}

static int
cmp_tag(const void *a, const void *b)
{
	return strcmp(((const struct local_file *)a)->tag,
	    ((const struct local_file *)b)->tag);
}

/* The ",P=..." tags of the files already in INBOX, with their names,
 * sorted by tag. */
static void
scan_tags(struct pop *p)
{
	static const char *const subs[] = { "new", "cur" };
	struct local_file	*f;
	struct dirent		*e;
	DIR			*d;
	const char		*t;
	char			*dir;
	size_t			 i, cap = 0;

	for (i = 0; i < 2; i++) {
		dir = xasprintf("%s/%s", p->path, subs[i]);
		d = opendir(dir);
		free(dir);
		if (d == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			if ((t = strstr(e->d_name, ",P=")) == NULL)
				continue;
			if (p->nlocal == cap) {
				cap = cap ? cap * 2 : 256;
				p->local = xreallocarray(p->local, cap,
				    sizeof(*p->local));
			}
			f = &p->local[p->nlocal++];
			(void)snprintf(f->tag, sizeof(f->tag), "%.18s", t + 1);
			f->uniq = xstrndup(e->d_name,
			    store_name_unique_len(e->d_name));
		}
		(void)closedir(d);
	}
	if (p->nlocal > 1)
		qsort(p->local, p->nlocal, sizeof(*p->local), cmp_tag);
}

/* The unique part of the file with this tag in INBOX (owned), or
 * NULL. */
static char *
file_with_tag(const struct pop *p, const char *tag)
{
	struct local_file	 key, *f;

	(void)snprintf(key.tag, sizeof(key.tag), "%s", tag);
	f = p->nlocal > 0 ? bsearch(&key, p->local, p->nlocal,
	    sizeof(*p->local), cmp_tag) : NULL;
	return f != NULL ? xstrdup(f->uniq) : NULL;
}

static int
cmp_uidl(const void *a, const void *b)
{
	const struct listed	*x = *(const struct listed *const *)a;
	const struct listed	*y = *(const struct listed *const *)b;

	return strcmp(x->uidl, y->uidl);
}

/* Ids the server listed twice: neither message is fetched or deleted
 * (nothing could tell them apart later). Sorted, not compared pairwise:
 * a mailbox may list 100,000 messages. */
static void
mark_duplicates(struct pop *p)
{
	struct listed	**s;
	size_t		  i;

	if (p->n < 2)
		return;
	s = xreallocarray(NULL, p->n, sizeof(*s));
	for (i = 0; i < p->n; i++)
		s[i] = &p->v[i];
	qsort(s, p->n, sizeof(*s), cmp_uidl);
	for (i = 1; i < p->n; i++)
		if (strcmp(s[i - 1]->uidl, s[i]->uidl) == 0)
			s[i - 1]->dup = s[i]->dup = true;
	free(s);
}

/* The UIDL listing: -1 on failure, 1 when the server has no UIDL. */
static int
list_server(struct pop *p)
{
	const char	*l, *end, *nl, *uid;
	size_t		 ulen, cap = 0;
	uint32_t	 msg;

	if (prun(p, true, "UIDL") == -1)
		return -1;
	if (p->last.status != POP3_OK)
		return 1;
	l = buf_str(&p->body);
	end = l + p->body.len;
	for (; l < end; l = nl + 1) {
		nl = memchr(l, '\n', (size_t)(end - l));
		if (nl == NULL)
			break;
		if (pop3_uidl_line_parse(l, (size_t)(nl - l), &msg, &uid,
		    &ulen) == -1) {
			emitp(p, SYNC_EV_NOTICE, "a UIDL line the server sent "
			    "makes no sense: skipped");
			continue;
		}
		if (p->n == cap) {
			cap = cap ? cap * 2 : 256;
			p->v = xreallocarray(p->v, cap, sizeof(*p->v));
		}
		memset(&p->v[p->n], 0, sizeof(p->v[p->n]));
		p->v[p->n].msg = msg;
		memcpy(p->v[p->n].uidl, uid, ulen);
		p->n++;
	}
	mark_duplicates(p);
	return 0;
}

static int
save(struct pop *p, char *err, size_t errlen)
{
	struct store_err	serr;

	if (sync_pop3_state_save(&p->st, p->path, &serr) == -1) {
		(void)fct_strlcpy(err, serr.msg, errlen);
		return -1;
	}
	return 0;
}

/* Every listed message not known: fetched (or adopted) and recorded. */
static int
fetch_new(struct pop *p, int64_t now, char *err, size_t errlen)
{
	struct store_err	 serr;
	char			 tag[20], num[24], *name;
	size_t			 i, since = 0;

	for (i = 0; i < p->n; i++)
		p->cnt.to_fetch += !p->v[i].dup && sync_pop3_find(&p->st,
		    p->v[i].uidl, strlen(p->v[i].uidl)) == NULL;
	emitp(p, SYNC_EV_FOLDER, NULL);
	for (i = 0; i < p->n; i++) {
		if (p->v[i].dup || sync_pop3_find(&p->st, p->v[i].uidl,
		    strlen(p->v[i].uidl)) != NULL)
			continue;
		tag_of(p->v[i].uidl, tag);
		/* A file written by a run that stopped before recording
		 * it is adopted, not fetched again. */
		if ((name = file_with_tag(p, tag)) == NULL) {
			(void)snprintf(num, sizeof(num), "RETR %u",
			    (unsigned)p->v[i].msg);
			if (prun(p, true, num) == -1) {
				(void)fct_strlcpy(err, pop3_client_error(p->c),
				    errlen);
				return -1;
			}
			if (p->last.status != POP3_OK) {
				(void)fct_snprintf(err, errlen, "%s: -ERR %s",
				    num, p->text);
				return -1;
			}
			name = NULL;
			if (store_deliver_tagged(p->path, p->body.data != NULL ?
			    p->body.data : "", p->body.len, 0, false, tag,
			    &name, &serr) == -1) {
				/* Nothing may be deleted now. */
				(void)prun(p, false, "RSET");
				(void)fct_strlcpy(err, serr.msg, errlen);
				return -1;
			}
		}
		{
			char	*uniq = xstrndup(name,
			    store_name_unique_len(name));

			(void)sync_pop3_add(&p->st, p->v[i].uidl,
			    strlen(p->v[i].uidl), now, uniq);
			free(uniq);
		}
		free(name);
		p->cnt.fetched++;
		emitp(p, SYNC_EV_PROGRESS, NULL);
		if (++since >= SAVE_EVERY) {
			if (save(p, err, errlen) == -1)
				return -1;
			since = 0;
		}
	}
	return save(p, err, errlen);
}

/* DELE what keep-on-server lets go; the ids deleted into gone. */
static int
delete_old(struct pop *p, int64_t now, char ***gone, size_t *ngone)
{
	const struct sync_pop3_entry	*e;
	int64_t				 keep = p->a->keep_on_server;
	char				 num[24];
	size_t				 i;

	*gone = NULL;
	*ngone = 0;
	if (keep == CFG_KEEP_FOREVER)
		return 0;
	for (i = 0; i < p->n; i++) {
		e = sync_pop3_find(&p->st, p->v[i].uidl, strlen(p->v[i].uidl));
		if (p->v[i].dup || e == NULL || e->fetched + keep > now)
			continue;
		(void)snprintf(num, sizeof(num), "DELE %u",
		    (unsigned)p->v[i].msg);
		if (prun(p, false, num) == -1)
			return -1;
		if (p->last.status != POP3_OK)
			continue;
		*gone = xreallocarray(*gone, *ngone + 1, sizeof(**gone));
		(*gone)[(*ngone)++] = xstrdup(p->v[i].uidl);
	}
	return 0;
}

static int
connect_pop(struct pop *p, char *err, size_t errlen)
{
	const struct cfg_account	*a = p->a;
	struct pop3_client_params	 cp;
	static const enum pop3_auth_mech mechs[] = {
		[CFG_AUTH_AUTO] = POP3_MECH_AUTO,
		[CFG_AUTH_PLAIN] = POP3_MECH_PLAIN,
		[CFG_AUTH_LOGIN] = POP3_MECH_USER,
		[CFG_AUTH_XOAUTH2] = POP3_MECH_XOAUTH2,
		[CFG_AUTH_OAUTHBEARER] = POP3_MECH_OAUTHBEARER,
		[CFG_AUTH_APOP] = POP3_MECH_APOP,
	};

	memset(&cp, 0, sizeof(cp));
	if (sync_server_net(a, &a->incoming, p->o->ca_file, &cp.net, &p->tls,
	    err, errlen) == -1)
		return -1;
	cp.mode = a->incoming.tls == CFG_TLS_IMPLICIT ? POP3_TLS_IMPLICIT :
	    a->incoming.tls == CFG_TLS_STARTTLS ? POP3_TLS_STARTTLS :
	    POP3_TLS_NONE;
	cp.user = a->real_user;
	cp.secret = p->o->secret;
	cp.mech = mechs[a->auth];
	cp.allow_plaintext_password = a->allow_plaintext_password;
	cp.trace = p->o->trace;
	cp.arg = p->o->arg;
	p->loop = net_loop_new();
	p->c = pop3_client_open(p->loop, &net_source_network, &cp, on_ready,
	    p);
	while (!p->ready)
		if (net_loop_run_once(p->loop, -1) <= 0)
			break;
	if (!p->ok) {
		(void)fct_strlcpy(err, p->text[0] != '\0' ? p->text :
		    "the server could not be reached", errlen);
		return -1;
	}
	return 0;
}

/*
 * A server without UIDL: every message is fetched (LIST, RETR) and
 * kept only when no local file has the same content (the ",P=" tag is
 * then a digest of the bytes), so nothing comes twice; each is deleted
 * on the server after its download only with keep-on-server = 0, as
 * nothing else could tell when it was downloaded.
 */
static int
without_uidl(struct pop *p, char *err, size_t errlen)
{
	struct store_err	 serr;
	const char		*l, *end, *nl;
	char			 line[32], tag[20], hex[65], *name;
	uint32_t		 msg;
	uint64_t		 size;
	uint32_t		*nums = NULL;
	size_t			 n = 0, i;
	bool			 del = p->a->keep_on_server == 0;
	int			 rc = -1;

	emitp(p, SYNC_EV_NOTICE, del ? "the server gives no unique-ids "
	    "(UIDL): every message is downloaded, then deleted there" :
	    "the server gives no unique-ids (UIDL): every message is "
	    "downloaded again at each sync (only new ones are kept) and "
	    "none is deleted there; keep-on-server = 0 would delete them");
	if (prun(p, true, "LIST") == -1 || p->last.status != POP3_OK) {
		(void)fct_snprintf(err, errlen, "LIST: %s", p->text);
		return -1;
	}
	l = buf_str(&p->body);
	end = l + p->body.len;
	for (; l < end && (nl = memchr(l, '\n', (size_t)(end - l))) != NULL;
	    l = nl + 1)
		if (pop3_list_line_parse(l, (size_t)(nl - l), &msg,
		    &size) == 0) {
			nums = xreallocarray(nums, n + 1, sizeof(*nums));
			nums[n++] = msg;
		}
	for (i = 0; i < n; i++) {
		(void)snprintf(line, sizeof(line), "RETR %u",
		    (unsigned)nums[i]);
		if (prun(p, true, line) == -1 || p->last.status != POP3_OK) {
			(void)fct_snprintf(err, errlen, "%s: %s", line,
			    p->text);
			goto out;
		}
		sha256_hex(p->body.data != NULL ? p->body.data : "",
		    p->body.len, hex);
		(void)snprintf(tag, sizeof(tag), "P=%.16s", hex);
		if ((name = file_with_tag(p, tag)) == NULL) {
			if (store_deliver_tagged(p->path, p->body.data !=
			    NULL ? p->body.data : "", p->body.len, 0, false,
			    tag, &name, &serr) == -1) {
				(void)prun(p, false, "RSET");
				(void)fct_strlcpy(err, serr.msg, errlen);
				goto out;
			}
			p->cnt.fetched++;
		}
		free(name);
		(void)snprintf(line, sizeof(line), "DELE %u",
		    (unsigned)nums[i]);
		if (del && (prun(p, false, line) == -1 ||
		    p->last.status != POP3_OK)) {
			(void)fct_snprintf(err, errlen, "%s: %s", line,
			    p->text);
			goto out;
		}
		p->cnt.deleted_up += del;
	}
	if (prun(p, false, "QUIT") == -1 || p->last.status != POP3_OK)
		(void)fct_snprintf(err, errlen, "QUIT: %s", p->text);
	else
		rc = 0;
out:
	free(nums);
	return rc;
}

/* The clock keep-on-server counts with: FACTEUR_NOW (seconds; tests)
 * or the real one. */
static int64_t
clock_now(void)
{
	const char	*s = getenv("FACTEUR_NOW");
	uint64_t	 v;

	if (s != NULL && parse_u64(s, strlen(s), INT64_MAX, &v) == 0)
		return (int64_t)v;
	return (int64_t)time(NULL);
}

static int
session(struct pop *p, char *err, size_t errlen)
{
	int64_t		  now = clock_now();
	char		**gone = NULL;
	size_t		  ngone = 0, i;
	int		  rc;
	struct store_err  serr;

	if (sync_pop3_state_load(&p->st, p->path, &serr) == -1) {
		(void)fct_snprintf(err, errlen, "%s (fix or remove it: "
		    "nothing is downloaded meanwhile, so nothing twice)",
		    serr.msg);
		return -1;
	}
	if (connect_pop(p, err, errlen) == -1)
		return -1;
	rc = list_server(p);
	if (rc == -1) {
		(void)fct_strlcpy(err, pop3_client_error(p->c), errlen);
		return -1;
	}
	scan_tags(p);
	if (rc == 1)
		return without_uidl(p, err, errlen);
	if (fetch_new(p, now, err, errlen) == -1 ||
	    delete_old(p, now, &gone, &ngone) == -1 ||
	    prun(p, false, "QUIT") == -1 || p->last.status != POP3_OK) {
		if (err[0] == '\0')
			(void)fct_strlcpy(err, pop3_client_error(p->c),
			    errlen);
		rc = -1;
	} else {
		/* QUIT took the deletions: forget those messages. */
		for (i = 0; i < ngone; i++)
			sync_pop3_drop(&p->st, gone[i], strlen(gone[i]));
		p->cnt.deleted_up = ngone;
		rc = save(p, err, errlen);
	}
	for (i = 0; i < ngone; i++)
		free(gone[i]);
	free(gone);
	return rc;
}

int
sync_pop3_account(const struct cfg_account *a, const struct sync_opts *o,
    char *err, size_t errlen)
{
	struct pop		p;
	struct store_err	serr;
	int			rc = -1;

	memset(&p, 0, sizeof(p));
	p.a = a;
	p.o = o;
	err[0] = '\0';
	buf_init(&p.body, 256u << 20);
	p.path = xasprintf("%s/%s", a->store_path, INBOX);
	if (sync_make_root(a->store_path, err, errlen) == 0 &&
	    (store_is_maildir(p.path) || store_folder_create(a->store_path,
	    INBOX, &serr) == 0 || (fct_strlcpy(err, serr.msg, errlen), 0))) {
		if (err[0] == '\0' && session(&p, err, errlen) == 0) {
			emitp(&p, SYNC_EV_DONE, NULL);
			rc = 0;
		}
	}
	pop3_client_close(&p.c);
	net_loop_free(&p.loop);
	net_tls_ctx_free(&p.tls);
	sync_pop3_state_free(&p.st);
	buf_free(&p.body);
	free(p.v);
	while (p.nlocal > 0)
		free(p.local[--p.nlocal].uniq);
	free(p.local);
	free(p.path);
	return rc;
}
