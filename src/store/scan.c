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
#define FIRST_READ	(16u * 1024u)
#define MAX_THREADS	16

struct parsed {
	struct mime_summary	s;
	uint64_t		size;
	int64_t			mtime;
	bool			ok;
};

struct worker {
	struct store_folder	*f;
	struct scan_job		*jobs;
	struct parsed		*out;
	size_t			 first, n, step;
	char			*buf;
	size_t			 bufsize;
};

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

static void
parse_one(struct worker *w, const struct scan_job *job, struct parsed *p)
{
	struct mime_headers	 h;
	struct stat		 st;
	char			 path[4096];
	size_t			 len;
	int			 fd;

	memset(p, 0, sizeof(*p));
	if (fct_snprintf(path, sizeof(path), "%s/%s/%s", w->f->path,
	    job->in_new ? "new" : "cur", job->name) == -1)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    !read_header(w, fd, (uint64_t)st.st_size, &len)) {
		(void)close(fd);
		return;
	}
	(void)close(fd);
	mime_headers_parse(w->buf, len, &h);
	mime_summary_from_headers(&h, w->f->fallback, &p->s);
	mime_headers_free(&h);
	p->size = (uint64_t)st.st_size;
	p->mtime = (int64_t)st.st_mtime;
	p->ok = true;
}

static void *
worker_run(void *arg)
{
	struct worker	*w = arg;
	size_t		 i;

	for (i = w->first; i < w->n; i += w->step)
		parse_one(w, &w->jobs[i], &w->out[i]);
	return NULL;
}

static const char *
arena_str(struct store_folder *f, const char *s)
{
	if (s == NULL || *s == '\0')
		return "";
	return arena_strndup(&f->strings, s, strlen(s));
}

/* The message ids joined by spaces; In-Reply-To points into it when it
 * is the last one (the usual case), saving a copy. */
static void
set_ids(struct store_folder *f, const struct mime_summary *s,
    struct store_msg *m)
{
	size_t	i, len = 0, lastlen = 0;
	char	*refs, *o;

	m->message_id = s->message_id != NULL ?
	    arena_strndup(&f->strings, s->message_id, strlen(s->message_id)) :
	    NULL;
	m->references = NULL;
	m->in_reply_to = NULL;
	if (s->nreferences > 0) {
		for (i = 0; i < s->nreferences; i++)
			len += strlen(s->references[i]) + 1;
		refs = arena_alloc(&f->strings, len);
		o = refs;
		for (i = 0; i < s->nreferences; i++) {
			if (i > 0)
				*o++ = ' ';
			lastlen = strlen(s->references[i]);
			memcpy(o, s->references[i], lastlen);
			o += lastlen;
		}
		*o = '\0';
		m->references = refs;
		if (s->in_reply_to != NULL &&
		    strcmp(s->in_reply_to,
		    s->references[s->nreferences - 1]) == 0)
			m->in_reply_to = o - lastlen;
	}
	if (s->in_reply_to != NULL && m->in_reply_to == NULL)
		m->in_reply_to = arena_strndup(&f->strings, s->in_reply_to,
		    strlen(s->in_reply_to));
}

static void
merge_one(struct store_folder *f, const struct scan_job *job,
    const struct parsed *p)
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
			f->msgs[idx].name = arena_str(f, job->name);
			f->msgs[idx].in_new = false;
			f->msgs[idx].flags = (uint8_t)store_name_flags(job->name);
		}
		return;
	}
	memset(&m, 0, sizeof(m));
	m.name = arena_strndup(&f->strings, job->name, strlen(job->name));
	m.subject = arena_str(f, s->subject);
	m.from_addr = arena_str(f, s->from_addr);
	if (s->from_name != NULL && s->from_name[0] != '\0')
		m.from = arena_str(f, s->from_name);
	else
		m.from = m.from_addr;
	set_ids(f, s, &m);
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

static unsigned
cpu_count(void)
{
	long	n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

void
scan_parse_files(struct store_folder *f, struct scan_job *jobs, size_t n)
{
	struct worker	 w[MAX_THREADS];
	pthread_t	 tid[MAX_THREADS];
	bool		 started[MAX_THREADS];
	struct parsed	*out;
	size_t		 base, cnt, i;
	unsigned	 nthreads, t;

	if (n == 0)
		return;
	nthreads = f->threads != 0 ? f->threads : cpu_count();
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	out = xcalloc(n < BATCH ? n : BATCH, sizeof(*out));
	memset(w, 0, sizeof(w));
	for (t = 0; t < nthreads; t++)
		w[t].f = f;
	for (base = 0; base < n; base += cnt) {
		cnt = n - base < BATCH ? n - base : BATCH;
		/* Small batches are not worth a thread. */
		t = cnt < 64 ? 1 : nthreads;
		while (t-- > 0) {
			w[t].jobs = jobs + base;
			w[t].out = out;
			w[t].first = t;
			w[t].n = cnt;
			w[t].step = cnt < 64 ? 1 : nthreads;
			started[t] = t > 0 &&
			    pthread_create(&tid[t], NULL, worker_run, &w[t]) == 0;
			if (t > 0 && !started[t]) {
				/* No thread: do its share here. */
				(void)worker_run(&w[t]);
			}
		}
		(void)worker_run(&w[0]);
		for (t = 1; t < nthreads && cnt >= 64; t++)
			if (started[t])
				(void)pthread_join(tid[t], NULL);
		for (i = 0; i < cnt; i++) {
			if (out[i].ok)
				merge_one(f, &jobs[base + i], &out[i]);
			mime_summary_free(&out[i].s);
		}
	}
	for (t = 0; t < nthreads; t++)
		free(w[t].buf);
	free(out);
}
