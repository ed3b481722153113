/*
 * engine.c: the interface's network side (engine.h): one child process
 * per account with a server, events up one shared pipe, requests down a
 * pipe per child.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "sync.h"

#define ENGINE_VERSION	"E1"
#define ERROR_RETRY_MS	((int64_t)60 * 1000)

struct child {
	pid_t	pid;		/* 0: no child */
	int	cmd_fd;		/* write end of its request pipe */
	bool	busy;
};

struct engine {
	struct child	*c;
	size_t		 n;
	int		 ev_fd;		/* read end of the event pipe */
	char		 buf[ENGINE_LINE_MAX * 4];
	size_t		 len;
};

/* ------------------------------------------------------------------ */
/* The wire format                                                     */

static const char *const kind_names[] = {
	[ENGINE_EV_BUSY] = "busy",
	[ENGINE_EV_PROGRESS] = "progress",
	[ENGINE_EV_FOLDER] = "folder",
	[ENGINE_EV_SENT] = "sent",
	[ENGINE_EV_NOTICE] = "notice",
	[ENGINE_EV_ERROR] = "error",
	[ENGINE_EV_IDLE] = "idle",
	[ENGINE_EV_NEWS] = "news",
	[ENGINE_EV_FETCHED] = "fetched",
};
#define NKINDS	(sizeof(kind_names) / sizeof(kind_names[0]))

/* s into out (at most max bytes, cut on a character boundary), with
 * control characters as spaces; the bytes written. */
static size_t
put_clean(char *out, size_t max, const char *s)
{
	size_t	n = 0, len = strlen(s);

	if (len > max) {
		len = max;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	for (n = 0; n < len; n++) {
		unsigned char	c = (unsigned char)s[n];

		out[n] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	return n;
}

size_t
engine_format(const struct engine_event *ev, char *out, size_t size)
{
	int	h;
	size_t	n;

	if (size < ENGINE_LINE_MAX || (size_t)ev->kind >= NKINDS)
		return 0;
	h = snprintf(out, size, "%s %s %zu %llu %llu\t", ENGINE_VERSION,
	    kind_names[ev->kind], ev->account, (unsigned long long)ev->n,
	    (unsigned long long)ev->total);
	if (h < 0 || (size_t)h >= 128)
		return 0;
	n = (size_t)h;
	n += put_clean(out + n, ENGINE_FOLDER_MAX - 1, ev->folder);
	out[n++] = '\t';
	n += put_clean(out + n, ENGINE_TEXT_MAX - 1, ev->text);
	out[n++] = '\n';
	return n;
}

/* A decimal field ending at a space; p moved past it. */
static int
field_u64(const char **p, const char *end, uint64_t *out)
{
	const char	*s = *p;

	while (*p < end && **p != ' ' && **p != '\t')
		(*p)++;
	if (parse_u64(s, (size_t)(*p - s), UINT64_MAX, out) == -1)
		return -1;
	if (*p < end && **p == ' ')
		(*p)++;
	return 0;
}

int
engine_parse(const char *line, size_t len, struct engine_event *ev)
{
	const char	*p = line, *end = line + len, *w, *tab;
	uint64_t	 acct;
	size_t		 i, n;

	memset(ev, 0, sizeof(*ev));
	if (len < 3 || memcmp(line, ENGINE_VERSION " ", 3) != 0)
		return -1;
	p += 3;
	for (w = p; p < end && *p != ' '; p++)
		;
	for (i = 0; i < NKINDS; i++)
		if (ascii_word_is(w, (size_t)(p - w), kind_names[i]))
			break;
	if (i == NKINDS || p == end)
		return -1;
	ev->kind = (enum engine_ev)i;
	p++;
	if (field_u64(&p, end, &acct) == -1 || acct > SIZE_MAX / 2 ||
	    field_u64(&p, end, &ev->n) == -1 ||
	    field_u64(&p, end, &ev->total) == -1 || p == end || *p != '\t')
		return -1;
	ev->account = (size_t)acct;
	p++;
	tab = memchr(p, '\t', (size_t)(end - p));
	if (tab == NULL || (size_t)(tab - p) >= ENGINE_FOLDER_MAX)
		return -1;
	memcpy(ev->folder, p, (size_t)(tab - p));
	p = tab + 1;
	n = (size_t)(end - p);
	if (n >= ENGINE_TEXT_MAX)
		return -1;
	memcpy(ev->text, p, n);
	/* What engine_format() writes: no control character. */
	for (i = 0; ev->folder[i] != '\0'; i++)
		if ((unsigned char)ev->folder[i] < 0x20 ||
		    ev->folder[i] == 0x7f)
			return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)ev->text[i] < 0x20 || ev->text[i] == 0x7f)
			return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The child                                                           */

struct worker {
	const struct config		*cfg;
	const struct cfg_account	*a;
	size_t				 index;
	const struct engine_opts	*o;
	int				 ev_fd, cmd_fd;
	char				*secret, *out_secret;
	bool				 secret_failed;
	/* Requests read from the interface, one per line: "s" (sync), "q"
	 * (quit), "f FOLDER<TAB>NAME" (fetch a message's rest). */
	char				 cmd[ENGINE_LINE_MAX];
	size_t				 cmdlen;
	bool				 want_sync, quit;
	char				**fq;	/* "FOLDER\tNAME" */
	size_t				 nfq;
};

static void
send_event(struct worker *w, enum engine_ev kind, const char *folder,
    uint64_t n, uint64_t total, const char *text)
{
	struct engine_event	ev;
	char			line[ENGINE_LINE_MAX];
	size_t			len;
	ssize_t			r;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.account = w->index;
	ev.n = n;
	ev.total = total;
	(void)fct_strlcpy(ev.folder, folder != NULL ? folder : "",
	    sizeof(ev.folder));
	(void)fct_strlcpy(ev.text, text != NULL ? text : "",
	    sizeof(ev.text));
	len = engine_format(&ev, line, sizeof(line));
	do
		r = write(w->ev_fd, line, len);
	while (r == -1 && errno == EINTR);
	if (r == -1 && errno == EPIPE)
		_exit(0);	/* the interface is gone */
}

static void
on_sync_event(const struct sync_event *ev, void *arg)
{
	struct worker			*w = arg;
	const struct sync_counts	*c = ev->counts;

	switch (ev->kind) {
	case SYNC_EV_FOLDER:
	case SYNC_EV_PROGRESS:
		if (c != NULL && c->to_fetch > 0)
			send_event(w, ENGINE_EV_PROGRESS, ev->folder,
			    c->fetched, c->to_fetch, NULL);
		break;
	case SYNC_EV_DONE:
		send_event(w, ENGINE_EV_FOLDER, ev->folder, c == NULL ? 0 :
		    c->fetched + c->flags_down + c->deleted_down,
		    c == NULL ? 0 : c->fetched, NULL);
		break;
	case SYNC_EV_NOTICE:
		send_event(w, ENGINE_EV_NOTICE, ev->folder, 0, 0, ev->msg);
		break;
	case SYNC_EV_ERROR:
		send_event(w, ENGINE_EV_ERROR, ev->folder, 0, 0,
		    ev->msg != NULL ? ev->msg : "failed");
		break;
	}
}

static bool
is_imap(const struct cfg_account *a)
{
	return a->incoming.scheme == CFG_SCHEME_IMAP ||
	    a->incoming.scheme == CFG_SCHEME_IMAPS;
}

static bool
is_pop3(const struct cfg_account *a)
{
	return a->incoming.scheme == CFG_SCHEME_POP3 ||
	    a->incoming.scheme == CFG_SCHEME_POP3S;
}

/* The passwords, asked once (a password-command may prompt a agent). */
static void
get_secrets(struct worker *w)
{
	char	err[1024];

	if (w->secret != NULL || w->secret_failed)
		return;
	if (is_imap(w->a) || is_pop3(w->a)) {
		w->secret = cfg_password(w->a, false, err, sizeof(err));
		if (w->secret == NULL && err[0] != '\0') {
			send_event(w, ENGINE_EV_ERROR, "", 0, 0, err);
			w->secret_failed = true;
		}
	}
	if (w->a->outgoing.scheme != CFG_SCHEME_NONE) {
		w->out_secret = cfg_password(w->a, true, err, sizeof(err));
		if (w->out_secret == NULL && err[0] != '\0') {
			send_event(w, ENGINE_EV_ERROR, SYNC_OUTBOX_FOLDER, 0, 0,
			    err);
			w->secret_failed = true;
		}
	}
}

static int
send_outbox(struct worker *w)
{
	struct sync_send_opts		so;
	struct sync_outbox_result	r;
	char				err[1024];
	int				rc;

	memset(&so, 0, sizeof(so));
	so.secret = w->out_secret;
	so.event = on_sync_event;
	so.arg = w;
	rc = sync_outbox_flush(w->a, &so, NULL, &r, err, sizeof(err));
	if (rc == -1)
		send_event(w, ENGINE_EV_ERROR, SYNC_OUTBOX_FOLDER, 0, 0, err);
	if (r.sent + r.deferred + r.refused > 0)
		send_event(w, ENGINE_EV_SENT, SYNC_OUTBOX_FOLDER, r.sent,
		    r.deferred + r.refused, r.first_error);
	if (r.sent > 0)
		send_event(w, ENGINE_EV_FOLDER, SYNC_OUTBOX_FOLDER, r.sent, 0,
		    NULL);
	rc = rc == 0 && r.deferred + r.refused == 0 ? 0 : 1;
	sync_outbox_result_free(&r);
	return rc;
}

/* One round: the outbox, then the account. 0, or 1 when something
 * failed (events said what). */
static int
work_once(struct worker *w)
{
	struct sync_opts	so;
	char			err[1024];
	int			rc = 0, r;

	send_event(w, ENGINE_EV_BUSY, "", 0, 0, "syncing");
	get_secrets(w);
	if (w->a->outgoing.scheme != CFG_SCHEME_NONE)
		rc |= send_outbox(w);
	if (!is_imap(w->a) && !is_pop3(w->a))
		return rc;
	memset(&so, 0, sizeof(so));
	so.secret = w->secret;
	so.cache_dir = w->o->cache_dir;
	so.event = on_sync_event;
	so.arg = w;
	r = is_imap(w->a) ? sync_imap_account(w->a, &so, err, sizeof(err)) :
	    sync_pop3_account(w->a, &so, err, sizeof(err));
	if (r == -1)
		send_event(w, ENGINE_EV_ERROR, "", 0, 0, err);
	return rc | (r != 0);
}

/* The requests in what was read: complete lines only. */
static void
parse_requests(struct worker *w)
{
	char	*nl, *line;
	size_t	 len;

	while ((nl = memchr(w->cmd, '\n', w->cmdlen)) != NULL) {
		line = w->cmd;
		len = (size_t)(nl - line);
		if (len == 1 && line[0] == 's')
			w->want_sync = true;
		else if (len == 1 && line[0] == 'q')
			w->quit = true;
		else if (len > 2 && line[0] == 'f' && line[1] == ' ' &&
		    memchr(line + 2, '\t', len - 2) != NULL &&
		    w->nfq < 64) {
			w->fq = xreallocarray(w->fq, w->nfq + 1,
			    sizeof(*w->fq));
			w->fq[w->nfq++] = xstrndup(line + 2, len - 2);
		}
		memmove(w->cmd, nl + 1, w->cmdlen - len - 1);
		w->cmdlen -= len + 1;
	}
	if (w->cmdlen == sizeof(w->cmd))
		w->cmdlen = 0;	/* no line end in sight: junk */
}

/* Wait up to ms for requests: 1 when some came, 0 when the time ran
 * out, -1 when the interface is gone or asked to quit. */
static int
wait_request(struct worker *w, int64_t ms)
{
	struct pollfd	pfd;
	ssize_t		r;
	int		pr;

	pfd.fd = w->cmd_fd;
	pfd.events = POLLIN;
	pr = poll(&pfd, 1, ms > 0x7fffffff ? 0x7fffffff : (int)ms);
	if (pr == -1 && errno != EINTR)
		return -1;
	if (pr <= 0)
		return 0;
	r = read(w->cmd_fd, w->cmd + w->cmdlen, sizeof(w->cmd) - w->cmdlen);
	if (r == -1 && errno == EINTR)
		return 1;
	if (r <= 0)
		return -1;
	w->cmdlen += (size_t)r;
	parse_requests(w);
	return w->quit ? -1 : 1;
}

/* The rest of messages kept as headers only, as asked. */
static void
do_fetches(struct worker *w)
{
	struct sync_opts	 so;
	char			 err[1024], *tab;
	size_t			 i;

	for (i = 0; i < w->nfq; i++) {
		tab = strchr(w->fq[i], '\t');
		*tab = '\0';
		memset(&so, 0, sizeof(so));
		so.secret = w->secret;
		so.cache_dir = w->o->cache_dir;
		if (!is_imap(w->a))
			send_event(w, ENGINE_EV_ERROR, w->fq[i], 0, 0, "only an "
			    "IMAP account can fetch the rest of a message");
		else if (sync_imap_fetch_whole(w->a, &so, w->fq[i], tab + 1,
		    err, sizeof(err)) == -1)
			send_event(w, ENGINE_EV_ERROR, w->fq[i], 0, 0, err);
		else
			send_event(w, ENGINE_EV_FETCHED, w->fq[i], 0, 0,
			    tab + 1);
		free(w->fq[i]);
	}
	w->nfq = 0;
}

static int64_t
interval_ms(const struct worker *w)
{
	int64_t	s = w->a->check_interval > 0 ? w->a->check_interval :
	    w->cfg->general.check_interval;
	int64_t	ms = s > 0 ? s * 1000 : 300000;

	if (w->o->min_interval_ms > 0 && ms < w->o->min_interval_ms)
		ms = w->o->min_interval_ms;
	return ms;
}

/*
 * Sync, then wait for news (IDLE on an IMAP INBOX, else the poll
 * interval) or a request; fetch requests are served between syncs.
 */
static void
worker_run(struct worker *w)
{
	struct sync_opts	so;
	char			err[1024], text[64], msg[96];
	bool			do_sync = true, imap = is_imap(w->a);
	bool			remote = imap || is_pop3(w->a);
	int			rc = 0, wr, q;

	for (;;) {
		if (do_sync) {
			w->want_sync = false;
			rc = work_once(w);
		}
		get_secrets(w);
		do_fetches(w);
		if (w->want_sync) {
			do_sync = true;
			continue;
		}
		if (imap && !w->secret_failed) {
			if (do_sync)
				send_event(w, ENGINE_EV_IDLE, "INBOX",
				    (uint64_t)rc, 0, "watching INBOX");
			do_sync = false;
			memset(&so, 0, sizeof(so));
			so.secret = w->secret;
			wr = sync_imap_watch(w->a, &so, interval_ms(w),
			    w->cmd_fd, err, sizeof(err));
			if (wr == SYNC_WATCH_NEWS) {
				send_event(w, ENGINE_EV_NEWS, "INBOX", 0, 0,
				    NULL);
				do_sync = true;
				continue;
			}
			if (wr == SYNC_WATCH_TIMEOUT) {
				do_sync = true;
				continue;
			}
			if (wr == SYNC_WATCH_WOKEN) {
				if (wait_request(w, 0) == -1)
					return;
				do_sync = w->want_sync;
				continue;
			}
			if (wr == SYNC_WATCH_ERROR && err[0] != '\0')
				send_event(w, ENGINE_EV_NOTICE, "INBOX", 0, 0,
				    err);
			q = wait_request(w, wr == SYNC_WATCH_ERROR &&
			    interval_ms(w) > ERROR_RETRY_MS ? ERROR_RETRY_MS :
			    interval_ms(w));
			if (q == -1)
				return;
			do_sync = q == 0 || w->want_sync;
			continue;
		}
		if (do_sync) {
			cfg_format_duration(interval_ms(w) / 1000, text,
			    sizeof(text));
			(void)fct_snprintf(msg, sizeof(msg), "next check in %s",
			    text);
			send_event(w, ENGINE_EV_IDLE, "", (uint64_t)rc, 0,
			    remote ? msg : "");
		}
		q = wait_request(w, remote ? interval_ms(w) : INT64_MAX);
		if (q == -1)
			return;
		do_sync = (q == 0 && remote) || w->want_sync;
	}
}

/* ------------------------------------------------------------------ */
/* The interface's side                                                */

static bool
has_server(const struct cfg_account *a)
{
	return is_imap(a) || is_pop3(a) ||
	    a->outgoing.scheme != CFG_SCHEME_NONE;
}

static void
child_main(const struct config *cfg, size_t i, const struct engine_opts *o,
    int ev_fd, int cmd_fd)
{
	struct worker	w;
	size_t		k;
	int		null;

	/* The terminal belongs to the interface: ^C and ^\ are its. */
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGQUIT, SIG_IGN);
	(void)signal(SIGTSTP, SIG_DFL);
	(void)signal(SIGWINCH, SIG_DFL);
	(void)signal(SIGTERM, SIG_DFL);
	(void)signal(SIGPIPE, SIG_IGN);
	null = open("/dev/null", O_RDWR);
	if (null != -1) {
		(void)dup2(null, 0);
		(void)dup2(null, 1);
		(void)dup2(null, 2);
		if (null > 2)
			(void)close(null);
	}
	memset(&w, 0, sizeof(w));
	w.cfg = cfg;
	w.a = &cfg->accounts[i];
	w.index = i;
	w.o = o;
	w.ev_fd = ev_fd;
	w.cmd_fd = cmd_fd;
	worker_run(&w);
	xfree_secret(&w.secret);
	xfree_secret(&w.out_secret);
	for (k = 0; k < w.nfq; k++)
		free(w.fq[k]);
	free(w.fq);
	_exit(0);
}

struct engine *
engine_start(const struct config *cfg, const struct engine_opts *o,
    char *err, size_t errlen)
{
	struct engine	*e;
	int		 evp[2], cmdp[2];
	size_t		 i, k;
	pid_t		 pid;

	e = xcalloc(1, sizeof(*e));
	e->ev_fd = -1;
	e->n = cfg != NULL ? cfg->naccounts : 0;
	e->c = xcalloc(e->n + 1, sizeof(*e->c));
	for (i = 0; i < e->n; i++)
		e->c[i].cmd_fd = -1;
	for (i = 0; i < e->n && !has_server(&cfg->accounts[i]); i++)
		;
	if (i == e->n)
		return e;
	if (pipe(evp) == -1) {
		(void)fct_snprintf(err, errlen, "pipe: %s", strerror(errno));
		engine_stop(&e);
		return NULL;
	}
	(void)fcntl(evp[0], F_SETFD, FD_CLOEXEC);
	(void)fcntl(evp[1], F_SETFD, FD_CLOEXEC);
	(void)fcntl(evp[0], F_SETFL, O_NONBLOCK);
	e->ev_fd = evp[0];
	for (i = 0; i < e->n; i++) {
		if (!has_server(&cfg->accounts[i]))
			continue;
		if (pipe(cmdp) == -1) {
			(void)fct_snprintf(err, errlen, "pipe: %s",
			    strerror(errno));
			goto fail;
		}
		(void)fcntl(cmdp[0], F_SETFD, FD_CLOEXEC);
		(void)fcntl(cmdp[1], F_SETFD, FD_CLOEXEC);
		pid = fork();
		if (pid == -1) {
			(void)fct_snprintf(err, errlen, "fork: %s",
			    strerror(errno));
			(void)close(cmdp[0]);
			(void)close(cmdp[1]);
			goto fail;
		}
		if (pid == 0) {
			/* Other children's request pipes are not ours. */
			for (k = 0; k < i; k++)
				if (e->c[k].cmd_fd != -1)
					(void)close(e->c[k].cmd_fd);
			(void)close(evp[0]);
			(void)close(cmdp[1]);
			child_main(cfg, i, o, evp[1], cmdp[0]);
		}
		(void)close(cmdp[0]);
		(void)fcntl(cmdp[1], F_SETFL, O_NONBLOCK);
		e->c[i].pid = pid;
		e->c[i].cmd_fd = cmdp[1];
		e->c[i].busy = true;
	}
	(void)close(evp[1]);
	return e;
fail:
	(void)close(evp[1]);
	engine_stop(&e);
	return NULL;
}

int
engine_fd(const struct engine *e)
{
	return e != NULL ? e->ev_fd : -1;
}

int
engine_next(struct engine *e, struct engine_event *ev)
{
	char	*nl;
	ssize_t	 r;
	size_t	 len;

	if (e == NULL || e->ev_fd == -1)
		return 0;
	for (;;) {
		nl = memchr(e->buf, '\n', e->len);
		if (nl != NULL) {
			len = (size_t)(nl - e->buf);
			r = engine_parse(e->buf, len, ev);
			memmove(e->buf, nl + 1, e->len - len - 1);
			e->len -= len + 1;
			if (r == -1 || ev->account >= e->n)
				continue;
			if (ev->kind == ENGINE_EV_BUSY)
				e->c[ev->account].busy = true;
			else if (ev->kind == ENGINE_EV_IDLE)
				e->c[ev->account].busy = false;
			return 1;
		}
		if (e->len == sizeof(e->buf))
			e->len = 0;	/* no line end in sight: drop it */
		r = read(e->ev_fd, e->buf + e->len, sizeof(e->buf) - e->len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return 0;
		if (r == 0)
			return -1;
		e->len += (size_t)r;
	}
}

/* One request line, written whole (shorter than PIPE_BUF: atomic). */
static int
request_line(struct child *c, const char *line, size_t len)
{
	ssize_t	r;

	if (c->pid <= 0 || c->cmd_fd == -1)
		return -1;
	do
		r = write(c->cmd_fd, line, len);
	while (r == -1 && errno == EINTR);
	/* A full pipe already holds requests: the child is busy. */
	return (r >= 0 && (size_t)r == len) || (r == -1 && errno == EAGAIN) ?
	    0 : -1;
}

static int
request(struct child *c)
{
	return request_line(c, "s\n", 2);
}

int
engine_fetch(struct engine *e, size_t account, const char *folder,
    const char *name)
{
	char	line[ENGINE_LINE_MAX];
	size_t	n;
	int	k;

	if (e == NULL || account >= e->n || strpbrk(folder, "\t\n") != NULL ||
	    strpbrk(name, "\t\n") != NULL)
		return -1;
	k = snprintf(line, sizeof(line), "f %s\t%s\n", folder, name);
	if (k < 0 || (size_t)k >= sizeof(line))
		return -1;
	n = (size_t)k;
	return request_line(&e->c[account], line, n);
}

int
engine_sync(struct engine *e, size_t account)
{
	size_t	i;
	int	rc = -1;

	if (e == NULL)
		return -1;
	if (account != SIZE_MAX)
		return account < e->n ? request(&e->c[account]) : -1;
	for (i = 0; i < e->n; i++)
		if (request(&e->c[i]) == 0)
			rc = 0;
	return rc;
}

bool
engine_busy(const struct engine *e, size_t account)
{
	return e != NULL && account < e->n && e->c[account].pid > 0 &&
	    e->c[account].busy;
}

bool
engine_serves(const struct engine *e, size_t account)
{
	return e != NULL && account < e->n && e->c[account].pid > 0;
}

void
engine_stop(struct engine **ep)
{
	struct engine	*e = *ep;
	size_t		 i;

	if (e == NULL)
		return;
	for (i = 0; i < e->n; i++) {
		if (e->c[i].cmd_fd != -1)
			(void)close(e->c[i].cmd_fd);
		if (e->c[i].pid > 0)
			(void)kill(e->c[i].pid, SIGTERM);
	}
	for (i = 0; i < e->n; i++)
		if (e->c[i].pid > 0)
			while (waitpid(e->c[i].pid, NULL, 0) == -1 &&
			    errno == EINTR)
				;
	if (e->ev_fd != -1)
		(void)close(e->ev_fd);
	free(e->c);
	free(e);
	*ep = NULL;
}

/* ------------------------------------------------------------------ */
/* Special folders                                                     */

static char *
special(const struct cfg_account *a, const char *configured,
    enum sync_special which)
{
	if (configured != NULL)
		return xstrdup(configured);
	if (a->store_path == NULL)
		return NULL;
	return sync_special_folder_new(a->store_path, which);
}

char *
engine_trash_folder_new(const struct cfg_account *a)
{
	return special(a, a->trash_folder, SYNC_SPECIAL_TRASH);
}

char *
engine_drafts_folder_new(const struct cfg_account *a)
{
	return special(a, a->drafts_folder, SYNC_SPECIAL_DRAFTS);
}

char *
engine_sent_folder_new(const struct cfg_account *a)
{
	return sync_sent_folder_new(a);
}

int
engine_queue(const struct cfg_account *a, const char *msg, size_t len,
    char *err, size_t errlen)
{
	return sync_outbox_queue(a, msg, len, NULL, err, errlen) == 0 ? 0 :
	    -1;
}

uint64_t
engine_size_limit(const struct cfg_account *a)
{
	return sync_outbox_size_limit(a);
}
