/*
 * scan.c: read the header blocks of message files the cache does not
 * know, several files at a time on several threads, and turn each into a
 * struct store_msg. Threads only read files and parse; the folder and its
 * arena are touched by the calling thread alone.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mime.h"
#include "store_priv.h"

#define BATCH		2048	/* files parsed between two merges: bounds
				 * the memory held by parsed summaries */
#define FIRST_READ	(8u * 1024u)	/* most header blocks fit */
#define MAX_THREADS	16

/* The strings a message keeps, prepared (and hashed) by the parser so
 * that the merge, which runs on one thread, only looks them up. */
enum { STR_SUBJECT, STR_FROM, STR_FROM_ADDR, STR_MSGID, STR_REFS, STR_IRT,
	NSTR };

struct parsed {
	struct mime_summary	s;
	char			*refs;		/* ids joined by spaces, owned */
	const char		*str[NSTR];	/* in s or refs; NULL: none */
	size_t			 len[NSTR];
	uint32_t		 hash[NSTR];
	size_t			 irt_at;	/* In-Reply-To is refs from
						 * here, or SIZE_MAX */
	uint64_t		size;
	int64_t			mtime;
	bool			ok;
};

struct pool;

/* One parsing thread (or the calling thread when there are none). */
struct worker {
	struct pool		*pool;
	char			*buf;		/* header block being read */
	size_t			 bufsize;
};

/*
 * The parsing threads live for one scan. The calling thread hands them a
 * batch (jobs[0..cnt) into out[]), they take its files a few at a time,
 * and meanwhile the calling thread merges the batch before (only it may
 * touch the folder), then helps with the parsing until the batch is done.
 */
struct pool {
	struct store_folder	*f;
	int			 dir_new, dir_cur;
	struct worker		 w[MAX_THREADS + 1];	/* last: the
							 * calling thread */
	pthread_t		 tid[MAX_THREADS];
	unsigned		 nthreads;	/* started; 0: parse inline */
	pthread_mutex_t		 mu;
	pthread_cond_t		 go, done;
	unsigned long		 gen;		/* batches handed out */
	unsigned		 busy;		/* threads still on it */
	bool			 quit;
	struct scan_job		*jobs;
	struct parsed		*out;
	size_t			 cnt;
	size_t			 taken;		/* files handed out so far */
};

#define GRAB		16	/* files taken at a time */

/* The end of the header block in [p, p+n): after the empty line. */
static bool
header_complete(const char *p, size_t n)
{
	const char	*q = p, *end = p + n;

	while ((q = memchr(q, '\n', (size_t)(end - q))) != NULL) {
		q++;
		if (q < end && *q == '\n')
			return true;
		if (q + 1 < end && q[0] == '\r' && q[1] == '\n')
			return true;
	}
	return false;
}

/* Read the start of the file until its header block is whole. */
static bool
read_header(struct worker *w, int fd, uint64_t fsize, size_t *len)
{
	size_t	have = 0, want;
	ssize_t	r;

	want = fsize < FIRST_READ ? (size_t)fsize : FIRST_READ;
	for (;;) {
		if (want + 1 > w->bufsize) {
			w->bufsize = want + 1;
			w->buf = xrealloc(w->buf, w->bufsize);
		}
		while (have < want) {
			r = read(fd, w->buf + have, want - have);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return false;
			if (r == 0)
				break;
			have += (size_t)r;
		}
		if (have < want || (uint64_t)have >= fsize ||
		    have >= STORE_MAX_HEADER || header_complete(w->buf, have))
			break;
		want = have * 4 < STORE_MAX_HEADER ? have * 4 :
		    STORE_MAX_HEADER;
		if ((uint64_t)want > fsize)
			want = (size_t)fsize;
	}
	*len = have;
	return true;
}

/* The message ids joined by spaces; In-Reply-To is taken from its end
 * when it is the last one (the usual case), saving a copy. */
static void
join_refs(struct parsed *p)
{
	const struct mime_summary *s = &p->s;
	size_t		 i, len = 0, lastlen = 0;
	char		*o;

	p->irt_at = SIZE_MAX;
	if (s->nreferences == 0)
		return;
	for (i = 0; i < s->nreferences; i++)
		len += strlen(s->references[i]) + 1;
	p->refs = o = xmalloc(len);
	for (i = 0; i < s->nreferences; i++) {
		if (i > 0)
			*o++ = ' ';
		lastlen = strlen(s->references[i]);
		memcpy(o, s->references[i], lastlen);
		o += lastlen;
	}
	*o = '\0';
	if (s->in_reply_to != NULL &&
	    strcmp(s->in_reply_to, s->references[s->nreferences - 1]) == 0)
		p->irt_at = (size_t)(o - p->refs) - lastlen;
}

static void
prepare_strings(struct parsed *p)
{
	const struct mime_summary *s = &p->s;
	size_t		 i;

	join_refs(p);
	p->str[STR_SUBJECT] = s->subject;
	p->str[STR_FROM] = s->from_name;
	p->str[STR_FROM_ADDR] = s->from_addr;
	p->str[STR_MSGID] = s->message_id;
	p->str[STR_REFS] = p->refs;
	p->str[STR_IRT] = p->irt_at == SIZE_MAX ? s->in_reply_to : NULL;
	for (i = 0; i < NSTR; i++) {
		if (p->str[i] == NULL)
			continue;
		p->len[i] = strlen(p->str[i]);
		p->hash[i] = strset_hash(p->str[i], p->len[i]);
	}
}

static void
parse_one(struct worker *w, const struct scan_job *job, struct parsed *p)
{
	struct mime_headers	 h;
	struct stat		 st;
	size_t			 len;
	int			 fd;

	/* What the slot held two batches ago: freed by the thread that
	 * allocated it, so the merging thread never contends with the
	 * parsers for malloc's locks. */
	mime_summary_free(&p->s);
	free(p->refs);
	memset(p, 0, sizeof(*p));
	/* Relative to the open directory: no walk of the whole path for
	 * each of a hundred thousand files. O_NONBLOCK: a FIFO planted in
	 * the maildir does not hang the scan (fstat then rejects it). */
	fd = openat(job->in_new ? w->pool->dir_new : w->pool->dir_cur,
	    job->name,
	    O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    !read_header(w, fd, (uint64_t)st.st_size, &len)) {
		(void)close(fd);
		return;
	}
	(void)close(fd);
	mime_headers_parse(w->buf, len, &h);
	mime_summary_from_headers(&h, w->pool->f->fallback, &p->s);
	mime_headers_free(&h);
	prepare_strings(p);
	p->size = (uint64_t)st.st_size;
	p->mtime = (int64_t)st.st_mtime;
	p->ok = true;
}

/* Files [*from, *to) of the current batch for one thread; false when
 * all are taken. */
static bool
grab(struct pool *pl, size_t *from, size_t *to)
{
	bool	more;

	if (pl->nthreads > 0)
		(void)pthread_mutex_lock(&pl->mu);
	more = pl->taken < pl->cnt;
	*from = pl->taken;
	*to = pl->cnt - pl->taken < GRAB ? pl->cnt : pl->taken + GRAB;
	pl->taken = *to;
	if (pl->nthreads > 0)
		(void)pthread_mutex_unlock(&pl->mu);
	return more;
}

/* Parse files of the current batch until none is left. */
static void
parse_some(struct worker *w)
{
	struct pool	*pl = w->pool;
	size_t		 i, from, to;

	while (grab(pl, &from, &to))
		for (i = from; i < to; i++)
			parse_one(w, &pl->jobs[i], &pl->out[i]);
}

static void *
worker_run(void *arg)
{
	struct worker	*w = arg;
	struct pool	*pl = w->pool;
	unsigned long	 seen = 0;

	for (;;) {
		(void)pthread_mutex_lock(&pl->mu);
		while (!pl->quit && pl->gen == seen)
			(void)pthread_cond_wait(&pl->go, &pl->mu);
		if (pl->quit) {
			(void)pthread_mutex_unlock(&pl->mu);
			return NULL;
		}
		seen = pl->gen;
		(void)pthread_mutex_unlock(&pl->mu);
		parse_some(w);
		(void)pthread_mutex_lock(&pl->mu);
		if (--pl->busy == 0)
			(void)pthread_cond_signal(&pl->done);
		(void)pthread_mutex_unlock(&pl->mu);
	}
}

/* Hand out a batch; without threads, parse it here and now. */
static void
pool_start(struct pool *pl, struct scan_job *jobs, struct parsed *out,
    size_t cnt)
{
	if (pl->nthreads > 0)
		(void)pthread_mutex_lock(&pl->mu);
	pl->jobs = jobs;
	pl->out = out;
	pl->cnt = cnt;
	pl->taken = 0;
	if (pl->nthreads == 0) {
		parse_some(&pl->w[MAX_THREADS]);
		return;
	}
	pl->busy = pl->nthreads;
	pl->gen++;
	(void)pthread_cond_broadcast(&pl->go);
	(void)pthread_mutex_unlock(&pl->mu);
}

/* Help with the batch, then wait until every file of it is parsed. */
static void
pool_finish(struct pool *pl)
{
	if (pl->nthreads == 0)
		return;
	parse_some(&pl->w[MAX_THREADS]);
	(void)pthread_mutex_lock(&pl->mu);
	while (pl->busy > 0)
		(void)pthread_cond_wait(&pl->done, &pl->mu);
	(void)pthread_mutex_unlock(&pl->mu);
}

/* An fd for f's new/ or cur/, or -1 (then every open in it fails, and
 * its files are left for the next scan). */
static int
open_dir(const struct store_folder *f, const char *sub)
{
	char	path[4096];

	if (fct_snprintf(path, sizeof(path), "%s/%s", f->path, sub) == -1)
		return -1;
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static unsigned
cpu_count(void)
{
	long	n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

/* Start up to want threads; fewer (even none) when the system says no. */
static void
pool_init(struct pool *pl, struct store_folder *f, unsigned want)
{
	unsigned	t;

	memset(pl, 0, sizeof(*pl));
	pl->f = f;
	pl->dir_new = open_dir(f, "new");
	pl->dir_cur = open_dir(f, "cur");
	for (t = 0; t <= MAX_THREADS; t++)
		pl->w[t].pool = pl;
	if (want <= 1 || pthread_mutex_init(&pl->mu, NULL) != 0)
		return;
	if (pthread_cond_init(&pl->go, NULL) != 0) {
		(void)pthread_mutex_destroy(&pl->mu);
		return;
	}
	if (pthread_cond_init(&pl->done, NULL) != 0) {
		(void)pthread_cond_destroy(&pl->go);
		(void)pthread_mutex_destroy(&pl->mu);
		return;
	}
	for (t = 0; t < want; t++) {
		if (pthread_create(&pl->tid[t], NULL, worker_run,
		    &pl->w[t]) != 0)
			break;
		pl->nthreads++;
	}
	if (pl->nthreads == 0) {
		(void)pthread_cond_destroy(&pl->done);
		(void)pthread_cond_destroy(&pl->go);
		(void)pthread_mutex_destroy(&pl->mu);
	}
}

static void
pool_free(struct pool *pl)
{
	unsigned	t;

	if (pl->nthreads > 0) {
		(void)pthread_mutex_lock(&pl->mu);
		pl->quit = true;
		(void)pthread_cond_broadcast(&pl->go);
		(void)pthread_mutex_unlock(&pl->mu);
		for (t = 0; t < pl->nthreads; t++)
			(void)pthread_join(pl->tid[t], NULL);
		(void)pthread_cond_destroy(&pl->done);
		(void)pthread_cond_destroy(&pl->go);
		(void)pthread_mutex_destroy(&pl->mu);
	}
	for (t = 0; t <= MAX_THREADS; t++)
		free(pl->w[t].buf);
	if (pl->dir_new >= 0)
		(void)close(pl->dir_new);
	if (pl->dir_cur >= 0)
		(void)close(pl->dir_cur);
}

/*
 * String i of p in f's arena, stored once per scan however many messages
 * carry it (a thread's subject, a sender, the parent's Message-ID in a
 * reply's References): that is most of a big folder's strings. NULL when
 * p has none, "" when it is empty.
 */
static const char *
share_str(struct store_folder *f, struct strset *set, const struct parsed *p,
    int i)
{
	uint32_t	 idx;
	char		*copy;

	if (p->str[i] == NULL)
		return NULL;
	if (p->len[i] == 0)
		return "";
	if (!strset_put_hashed(set, p->str[i], p->len[i], p->hash[i], &idx) &&
	    idx != UINT32_MAX)
		return set->strs[idx];
	copy = arena_strndup(&f->strings, p->str[i], p->len[i]);
	if (idx != UINT32_MAX)
		set->strs[idx] = copy;
	return copy;
}

static const char *
share_or_empty(struct store_folder *f, struct strset *set,
    const struct parsed *p, int i)
{
	const char	*s = share_str(f, set, p, i);

	return s != NULL ? s : "";
}

static void
merge_one(struct store_folder *f, struct strset *set,
    const struct scan_job *job, const struct parsed *p)
{
	struct store_msg	 m;
	const struct mime_summary *s = &p->s;
	size_t			 ulen, idx;
	int64_t			 t;

	ulen = store_name_unique_len(job->name);
	idx = folder_index_find(f, job->name, ulen);
	if (idx != SIZE_MAX) {
		/* The same message in new/ and cur/ (a crash between link
		 * and unlink by some program): one entry, cur/ wins. */
		if (f->msgs[idx].in_new && !job->in_new) {
			f->msgs[idx].name = job->name;
			f->msgs[idx].in_new = false;
			f->msgs[idx].flags = (uint8_t)store_name_flags(job->name);
		}
		return;
	}
	memset(&m, 0, sizeof(m));
	m.name = job->name;
	m.subject = share_or_empty(f, set, p, STR_SUBJECT);
	m.from_addr = share_or_empty(f, set, p, STR_FROM_ADDR);
	if (s->from_name != NULL && s->from_name[0] != '\0')
		m.from = share_str(f, set, p, STR_FROM);
	else
		m.from = m.from_addr;
	m.message_id = share_str(f, set, p, STR_MSGID);
	m.references = share_str(f, set, p, STR_REFS);
	if (p->irt_at != SIZE_MAX && m.references != NULL)
		m.in_reply_to = m.references + p->irt_at;
	else
		m.in_reply_to = share_str(f, set, p, STR_IRT);
	m.date = s->date == -1 ? STORE_DATE_UNKNOWN : s->date;
	t = store_name_time(job->name);
	m.received = t >= 0 ? t : p->mtime;
	m.size = p->size;
	m.flags = (uint8_t)store_name_flags(job->name);
	m.in_new = job->in_new;
	m.has_attachment = s->has_attachment;
	(void)folder_append(f, &m);
	f->stats.parsed++;
}

void
scan_parse_files(struct store_folder *f, struct scan_job *jobs, size_t n)
{
	struct pool	*pl;
	struct parsed	*out[2];
	struct strset	 set;
	size_t		 base, cnt, next, i, per;
	unsigned	 want, k = 0;

	if (n == 0)
		return;
	want = f->threads != 0 ? f->threads : cpu_count();
	if (want > MAX_THREADS)
		want = MAX_THREADS;
	/* A few files are not worth a thread. */
	if (n < 64)
		want = 1;
	per = n < BATCH ? n : BATCH;
	pl = xmalloc(sizeof(*pl));
	pool_init(pl, f, want);
	out[0] = xcalloc(per, sizeof(*out[0]));
	out[1] = xcalloc(per, sizeof(*out[1]));
	strset_init(&set);
	cnt = per;
	pool_start(pl, jobs, out[0], cnt);
	for (base = 0; base < n; base = next, k ^= 1) {
		pool_finish(pl);
		next = base + cnt;
		/* The next batch is parsed while this one is merged. */
		if (next < n) {
			cnt = n - next < BATCH ? n - next : BATCH;
			pool_start(pl, jobs + next, out[k ^ 1], cnt);
		}
		for (i = 0; i < (next - base); i++) {
			if (out[k][i].ok)
				merge_one(f, &set, &jobs[base + i], &out[k][i]);
		}
	}
	pool_free(pl);
	for (i = 0; i < per; i++) {
		mime_summary_free(&out[0][i].s);
		mime_summary_free(&out[1][i].s);
		free(out[0][i].refs);
		free(out[1][i].refs);
	}
	free(pl);
	free(out[0]);
	free(out[1]);
	strset_free(&set);
}
