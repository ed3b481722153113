/*
 * outbox.c: the account's Outbox maildir, and sending what it holds
 * through the account's outgoing (SMTP) server.
 *
 * A message waits in Outbox/new/ as it will be kept (Bcc included; see
 * mime_outgoing_prepare()). Once the server took it (250 after the final
 * dot), the file is renamed to Outbox/cur/NAME:2,T, made durable: that
 * name records "sent", so a crash after it never sends again. Then the
 * file is linked into the Sent folder under the same unique name (a link
 * that already exists is the work of a run that crashed after it) and
 * only then removed from the outbox. A crash before the rename sends the
 * message again at the next flush: SMTP cannot tell whether a server that
 * went away after the dot had kept the message, and losing it is worse.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bounds.h"
#include "buf.h"
#include "mime.h"
#include "smtp.h"
#include "sync.h"
#include "sync_priv.h"

/* Largest message sent (the outbox holds nothing bigger anyway). */
#define OUTBOX_MSG_MAX	((size_t)256 * 1024 * 1024)

struct flush {
	const struct cfg_account	*a;
	const struct sync_send_opts	*o;
	struct sync_outbox_result	*r;
	char				*outbox, *sent;	/* folder paths */
	struct net_loop			*loop;
	struct net_tls_ctx		*tls;
	struct smtp_client		*c;
	bool				 ready, ok, done;
	enum smtp_outcome		 outcome;
	char				 text[BOUND_ERRMSG + 512];
};

char *
sync_outbox_path_new(const struct cfg_account *a)
{
	return xasprintf("%s/%s", a->store_path, SYNC_OUTBOX_FOLDER);
}

char *
sync_sent_folder_new(const struct cfg_account *a)
{
	char	*name;

	if (a->sent_folder != NULL)
		return xstrdup(a->sent_folder);
	name = sync_special_folder_new(a->store_path, SYNC_SPECIAL_SENT);
	return name != NULL ? name : xstrdup("Sent");
}

int
sync_outbox_add(const struct cfg_account *a, const char *msg, size_t len,
    char **name, struct store_err *err)
{
	char	*path = sync_outbox_path_new(a);
	int	 rc = -1;

	if (sync_make_root(a->store_path, err->msg, sizeof(err->msg)) == 0 &&
	    (store_is_maildir(path) || store_folder_create(a->store_path,
	    SYNC_OUTBOX_FOLDER, err) == 0))
		rc = store_deliver(path, msg, len, 0, false, name, err);
	free(path);
	return rc;
}

/* ------------------------------------------------------------------ */
/* After the server took a message                                     */

static int
fail_errno(char *err, size_t errlen, const char *what, const char *path)
{
	(void)fct_snprintf(err, errlen, "%s %s: %s", what, path,
	    strerror(errno));
	return -1;
}

/* dir/sub fsync'd; -1 with err. */
static int
sync_sub(const char *dir, const char *sub, char *err, size_t errlen)
{
	struct store_err	serr;
	char			*p = xasprintf("%s/%s", dir, sub);
	int			 rc = store_dir_fsync(p, &serr);

	if (rc == -1)
		(void)fct_strlcpy(err, serr.msg, errlen);
	free(p);
	return rc;
}

/* Outbox/cur/UNIQ:2,T (durable) -> Sent/cur/UNIQ:2,S (durable) ->
 * gone from the outbox. */
static int
file_sent(struct flush *f, const char *cur_name, char *err, size_t errlen)
{
	struct store_err	 serr;
	size_t			 ulen = store_name_unique_len(cur_name);
	char			*uniq = xstrndup(cur_name, ulen), *sname, *src,
				*dst;
	int			 rc = -1;

	sname = store_name_with_flags_new(uniq, STORE_SEEN);
	src = xasprintf("%s/cur/%s", f->outbox, cur_name);
	dst = xasprintf("%s/cur/%s", f->sent, sname);
	if (!store_is_maildir(f->sent) && store_folder_create(
	    f->a->store_path, f->sent + strlen(f->a->store_path) + 1,
	    &serr) == -1)
		(void)fct_strlcpy(err, serr.msg, errlen);
	else if (link(src, dst) == -1 && errno != EEXIST)
		(void)fail_errno(err, errlen, "link", dst);
	else if (sync_sub(f->sent, "cur", err, errlen) == 0) {
		if (unlink(src) == -1)
			(void)fail_errno(err, errlen, "unlink", src);
		else
			rc = sync_sub(f->outbox, "cur", err, errlen);
	}
	free(uniq);
	free(sname);
	free(src);
	free(dst);
	return rc;
}

/* The server took new/NAME (or cur/NAME): record it, then file it. */
static int
mark_sent(struct flush *f, const char *sub, const char *name, char *err,
    size_t errlen)
{
	size_t	 ulen = store_name_unique_len(name);
	char	*uniq = xstrndup(name, ulen), *tname, *src, *dst;
	int	 rc = -1;

	tname = store_name_with_flags_new(uniq, STORE_TRASHED);
	src = xasprintf("%s/%s/%s", f->outbox, sub, name);
	dst = xasprintf("%s/cur/%s", f->outbox, tname);
	if (rename(src, dst) == -1)
		(void)fail_errno(err, errlen, "rename", src);
	else if (sync_sub(f->outbox, "cur", err, errlen) == 0 &&
	    (strcmp(sub, "new") != 0 || sync_sub(f->outbox, "new", err,
	    errlen) == 0))
		rc = file_sent(f, tname, err, errlen);
	free(uniq);
	free(tname);
	free(src);
	free(dst);
	return rc;
}

/* ------------------------------------------------------------------ */
/* What the outbox holds                                               */

struct queued {
	char	*sub;		/* "new" or "cur" (static) */
	char	*name;
	bool	 sent;		/* marked T: only filing is left */
};

static int
cmp_queued(const void *a, const void *b)
{
	const struct queued	*x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* The outbox's files, oldest name first; -1 when unreadable. */
static int
list_queued(const char *outbox, struct queued **v, size_t *n)
{
	static const char *const subs[] = { "new", "cur" };
	DIR		*d;
	struct dirent	*e;
	char		*p;
	size_t		 i, cap = 0;

	*v = NULL;
	*n = 0;
	for (i = 0; i < 2; i++) {
		p = xasprintf("%s/%s", outbox, subs[i]);
		d = opendir(p);
		free(p);
		if (d == NULL) {
			if (errno == ENOENT)
				continue;
			return -1;
		}
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			if (*n == cap) {
				cap = cap ? cap * 2 : 16;
				*v = xreallocarray(*v, cap, sizeof(**v));
			}
			(*v)[*n].sub = (char *)subs[i];
			(*v)[*n].name = xstrdup(e->d_name);
			(*v)[*n].sent = i == 1 &&
			    (store_name_flags(e->d_name) & STORE_TRASHED);
			(*n)++;
		}
		(void)closedir(d);
	}
	if (*n > 1)
		qsort(*v, *n, sizeof(**v), cmp_queued);
	return 0;
}

static void
free_queued(struct queued *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/* ------------------------------------------------------------------ */
/* The SMTP session                                                    */

static void
on_trace(const char *dir, const char *line, size_t len, void *arg)
{
	struct flush	*f = arg;

	f->o->trace(dir, line, len, f->o->arg);
}

static void
on_ready(struct smtp_client *c, bool ok, void *arg)
{
	struct flush	*f = arg;

	f->ready = true;
	f->ok = ok;
	if (!ok)
		(void)fct_strlcpy(f->text, smtp_client_error(c),
		    sizeof(f->text));
}

static void
on_sent(struct smtp_client *c, const struct smtp_result *r, void *arg)
{
	struct flush	*f = arg;

	(void)c;
	f->done = true;
	f->outcome = r->outcome;
	(void)fct_strlcpy(f->text, r->text != NULL ? r->text : "",
	    sizeof(f->text));
}

/* The server's SIZE, for the interface to warn before queueing: one
 * number in the outbox's dot-file (0: none announced). Best effort. */
static void
record_size(const char *outbox, uint64_t size)
{
	struct store_err	err;
	struct buf		b;

	buf_init(&b, 64);
	if (buf_printf(&b, "%llu\n", (unsigned long long)size) == 0)
		(void)sync_file_replace(outbox, SYNC_OUTBOX_SIZE_FILE, &b, &err);
	buf_free(&b);
}

uint64_t
sync_outbox_size_limit(const struct cfg_account *a)
{
	struct store_err	 err;
	struct buf		 b;
	char			*outbox = sync_outbox_path_new(a), *path;
	uint64_t		 v = 0;
	size_t			 n;

	path = xasprintf("%s/%s", outbox, SYNC_OUTBOX_SIZE_FILE);
	if (sync_file_read(path, 64, &b, &err) == 0) {
		for (n = 0; n < b.len && b.data[n] >= '0' && b.data[n] <= '9';
		    n++)
			;
		if (parse_u64(b.data, n, UINT64_MAX / 2, &v) != 0)
			v = 0;
		buf_free(&b);
	}
	free(path);
	free(outbox);
	return v;
}

int
sync_outbox_queue(const struct cfg_account *a, const char *msg, size_t len,
    char **name, char *err, size_t errlen)
{
	struct mime_out_params	 mp;
	struct mime_outgoing	 out;
	struct store_err	 serr;
	time_t			 now = time(NULL);
	struct tm		 lt;
	int			 rc;

	memset(&mp, 0, sizeof(mp));
	mp.from = a->address;
	mp.sender = a->address_spec;
	mp.now = (int64_t)now;
	/* The local offset, for the Date header added. */
	if (localtime_r(&now, &lt) != NULL)
		mp.tz_minutes = (int)(lt.tm_gmtoff / 60);
	if (mime_outgoing_prepare(msg, len, &mp, &out, err, errlen) == -1)
		return -2;
	rc = sync_outbox_add(a, out.copy, out.copy_len, name, &serr);
	mime_outgoing_free(&out);
	if (rc == -1) {
		(void)fct_strlcpy(err, serr.msg, errlen);
		return -1;
	}
	return 0;
}

static int
connect_server(struct flush *f, char *err, size_t errlen)
{
	const struct cfg_account	*a = f->a;
	struct smtp_client_params	 p;
	static const enum smtp_auth_mech mechs[] = {
		[CFG_AUTH_AUTO] = SMTP_MECH_AUTO,
		[CFG_AUTH_PLAIN] = SMTP_MECH_PLAIN,
		[CFG_AUTH_LOGIN] = SMTP_MECH_LOGIN,
		[CFG_AUTH_XOAUTH2] = SMTP_MECH_XOAUTH2,
		[CFG_AUTH_OAUTHBEARER] = SMTP_MECH_OAUTHBEARER,
		[CFG_AUTH_APOP] = SMTP_MECH_AUTO,	/* POP3 only */
	};
	const char	*at = strrchr(a->address_spec, '@');

	memset(&p, 0, sizeof(p));
	if (sync_server_net(a, &a->outgoing, NULL, &p.net, &f->tls, err,
	    errlen) == -1)
		return -1;
	p.mode = a->outgoing.tls == CFG_TLS_IMPLICIT ? SMTP_TLS_IMPLICIT :
	    a->outgoing.tls == CFG_TLS_STARTTLS ? SMTP_TLS_STARTTLS :
	    SMTP_TLS_NONE;
	/* The EHLO name: the domain of the address, which says nothing
	 * the message does not. */
	p.helo = at != NULL && at[1] != '\0' ? at + 1 : "localhost";
	/* The incoming credentials unless the outgoing side has its own:
	 * the incoming user is the incoming URL's, else the address. */
	p.user = a->outgoing.user != NULL ? a->outgoing.user : a->real_user;
	p.secret = f->o->secret;
	p.mech = mechs[a->auth];
	p.allow_plaintext_password = a->allow_plaintext_password;
	p.trace = f->o->trace != NULL ? on_trace : NULL;
	p.arg = f;
	f->loop = net_loop_new();
	f->c = smtp_client_open(f->loop, &net_source_network, &p, on_ready,
	    f);
	while (!f->ready)
		if (net_loop_run_once(f->loop, -1) <= 0)
			break;
	if (!f->ok) {
		(void)fct_snprintf(err, errlen, "%s", f->text[0] != '\0' ?
		    f->text : "the outgoing server could not be reached");
		f->r->unreachable = smtp_client_unreachable(f->c);
		return -1;
	}
	record_size(f->outbox, smtp_client_ext(f->c)->size_max);
	return 0;
}

/* One queued message through the session: its outcome. */
static enum smtp_outcome
send_one(struct flush *f, const struct queued *q, char *err, size_t errlen)
{
	struct mime_out_params	 mp;
	struct mime_outgoing	 out;
	struct smtp_envelope	 env;
	struct store_err	 serr;
	struct buf		 b;
	char			*path = xasprintf("%s/%s/%s", f->outbox, q->sub,
	    q->name);
	int			 rc;

	memset(&mp, 0, sizeof(mp));
	mp.sender = f->a->address_spec;
	mp.now = (int64_t)time(NULL);
	rc = sync_file_read(path, OUTBOX_MSG_MAX, &b, &serr);
	free(path);
	if (rc != 0) {
		(void)fct_snprintf(err, errlen, "%s", rc == 1 ? "gone from "
		    "the outbox" : serr.msg);
		return SMTP_DEFERRED;
	}
	if (mime_outgoing_prepare(b.data != NULL ? b.data : "", b.len, &mp,
	    &out, err, errlen) == -1) {
		buf_free(&b);
		return SMTP_REFUSED;
	}
	buf_free(&b);
	env.from = f->a->address_spec;
	env.rcpt = (const char *const *)out.rcpt;
	env.nrcpt = out.nrcpt;
	f->done = false;
	if (smtp_client_send(f->c, &env, out.wire, out.wire_len, on_sent, f) ==
	    -1) {
		f->done = true;
		f->outcome = SMTP_FAILED;
		(void)fct_strlcpy(f->text, smtp_client_error(f->c),
		    sizeof(f->text));
	}
	while (!f->done)
		if (net_loop_run_once(f->loop, -1) <= 0)
			break;
	mime_outgoing_free(&out);
	if (!f->done) {
		(void)fct_strlcpy(err, "the session stopped", errlen);
		return SMTP_FAILED;
	}
	(void)fct_strlcpy(err, f->text, errlen);
	return f->outcome;
}

static void
report(struct flush *f, enum sync_event_kind kind, const char *name,
    const char *msg)
{
	struct sync_event	ev;

	if (f->o->event == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.folder = name;
	ev.msg = msg;
	f->o->event(&ev, f->o->arg);
}

/* Each unsent message in turn, until the session fails. */
static void
send_all(struct flush *f, struct queued *v, size_t n, const char *only)
{
	char			err[BOUND_ERRMSG + 512];
	size_t			i;
	enum smtp_outcome	oc;

	for (i = 0; i < n && smtp_client_ok(f->c); i++) {
		if (v[i].sent || (only != NULL && strcmp(v[i].name, only) !=
		    0))
			continue;
		err[0] = '\0';
		oc = send_one(f, &v[i], err, sizeof(err));
		if (oc == SMTP_SENT) {
			if (mark_sent(f, v[i].sub, v[i].name, err,
			    sizeof(err)) == 0)
				f->r->sent++;
			else
				report(f, SYNC_EV_ERROR, v[i].name, err);
			continue;
		}
		if (oc == SMTP_REFUSED)
			f->r->refused++;
		else
			f->r->deferred++;
		if (f->r->first_error == NULL)
			f->r->first_error = xstrdup(err);
		report(f, SYNC_EV_ERROR, v[i].name, err);
	}
	/* What the session did not reach waits for the next. */
	for (; i < n; i++)
		if (!v[i].sent && (only == NULL || strcmp(v[i].name, only) ==
		    0))
			f->r->deferred++;
}

int
sync_outbox_flush(const struct cfg_account *a,
    const struct sync_send_opts *o, const char *only,
    struct sync_outbox_result *r, char *err, size_t errlen)
{
	struct flush	 f;
	struct queued	*v;
	size_t		 n, i, unsent = 0;
	char		*sent_name, ferr[BOUND_ERRMSG];
	bool		 quit = false;
	int		 rc = 0;

	memset(r, 0, sizeof(*r));
	memset(&f, 0, sizeof(f));
	f.a = a;
	f.o = o;
	f.r = r;
	f.outbox = sync_outbox_path_new(a);
	sent_name = sync_sent_folder_new(a);
	f.sent = xasprintf("%s/%s", a->store_path, sent_name);
	free(sent_name);
	if (list_queued(f.outbox, &v, &n) == -1) {
		rc = fail_errno(err, errlen, "read", f.outbox);
		goto out;
	}
	/* First what a crash left half filed. */
	for (i = 0; i < n; i++) {
		if (!v[i].sent)
			unsent += only == NULL || strcmp(v[i].name, only) == 0;
		else if (file_sent(&f, v[i].name, ferr, sizeof(ferr)) == -1)
			report(&f, SYNC_EV_ERROR, v[i].name, ferr);
	}
	if (unsent > 0 && a->outgoing.scheme == CFG_SCHEME_NONE) {
		(void)fct_snprintf(err, errlen, "no outgoing server for "
		    "account %s", a->name);
		rc = -1;
	} else if (unsent > 0 && connect_server(&f, err, errlen) == -1) {
		r->deferred = unsent;
		rc = -1;
	} else if (unsent > 0) {
		send_all(&f, v, n, only);
		smtp_client_quit(f.c, &quit);
		(void)smtp_client_wait(f.c, &quit);
	}
	free_queued(v, n);
out:
	smtp_client_close(&f.c);
	net_loop_free(&f.loop);
	net_tls_ctx_free(&f.tls);
	free(f.outbox);
	free(f.sent);
	return rc;
}

void
sync_outbox_result_free(struct sync_outbox_result *r)
{
	free(r->first_error);
	memset(r, 0, sizeof(*r));
}
