/*
 * batch.c: many messages delivered into one folder with one durability
 * barrier instead of two fsyncs each. Each message is written to tmp/
 * as it comes (by a writer thread); at commit, once the writer is done, one barrier makes them all durable (syncfs()
 * on Linux, else an fsync per file), then they are linked into new/ or
 * cur/ and the two directories fsync'd once. A crash before the commit
 * leaves only tmp/ files (debris, cleaned later); after it, every message
 * is in place (moved there with renameat2(RENAME_NOREPLACE) where the
 * system has it, else link() and unlink()). Only then may a caller record them (the sync state).
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE	/* syncfs(), renameat2() */
#endif

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store_priv.h"

/* Bytes handed to the writer and not yet written: the network side
 * waits beyond that. */
#define QUEUE_MAX	((size_t)32 * 1024 * 1024)

struct batch_item {
	char	*tmp;		/* tmp/UNIQ */
	char	*dst;		/* new/UNIQ or cur/UNIQ:2,FLAGS */
	char	*name;		/* the final file name */
};

/* A file for the writer: its path and bytes, owned. */
struct job {
	struct job	*next;
	char		*tmp;
	char		*data;
	size_t		 len;
	int64_t		 received;	/* the file's time, -1: now */
};

/*
 * Creating a file costs the kernel more than anything else a download
 * does (an inode to allocate, on some file systems a long search), so a
 * writer thread creates and writes the files while the caller goes on
 * reading the network; the commit waits for it.
 */
struct store_batch {
	char			*path;
	struct batch_item	*v;
	size_t			 n, cap;
	bool			 to_new, to_cur;

	pthread_t		 tid;
	bool			 started, stop, busy;
	pthread_mutex_t		 mu;
	pthread_cond_t		 work, idle;
	struct job		*head, *tail;
	size_t			 queued;	/* bytes */
	bool			 failed;
	struct store_err	 werr;		/* the writer's first error */
};

struct store_batch *
store_batch_new(const char *folder_path)
{
	struct store_batch	*b = xcalloc(1, sizeof(*b));

	b->path = xstrdup(folder_path);
	if (pthread_mutex_init(&b->mu, NULL) != 0 ||
	    pthread_cond_init(&b->work, NULL) != 0 ||
	    pthread_cond_init(&b->idle, NULL) != 0)
		fatalx("store: cannot make a lock");
	return b;
}

static void
item_free(struct batch_item *it, bool unlink_tmp)
{
	if (unlink_tmp && it->tmp != NULL)
		(void)unlink(it->tmp);
	free(it->tmp);
	free(it->dst);
	free(it->name);
}

static int
write_all(int fd, const char *data, size_t len)
{
	ssize_t	w;

	while (len > 0) {
		w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* One file into tmp/ (made durable later, by the barrier). */
static int
job_write(const struct job *j, struct store_err *err)
{
	int	fd = open(j->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0600);

	if (fd < 0)
		return store_fail_errno(err, "%s", j->tmp);
	if (write_all(fd, j->data, j->len) == -1) {
		(void)store_fail_errno(err, "write %s", j->tmp);
		(void)close(fd);
		(void)unlink(j->tmp);
		return -1;
	}
	if (j->received >= 0) {
		struct timespec	ts[2];

		ts[0].tv_sec = ts[1].tv_sec = (time_t)j->received;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		(void)futimens(fd, ts);	/* a nicety: no failure */
	}
	if (close(fd) != 0) {
		(void)store_fail_errno(err, "close %s", j->tmp);
		(void)unlink(j->tmp);
		return -1;
	}
	return 0;
}

static void *
writer_main(void *arg)
{
	struct store_batch	*b = arg;
	struct store_err	 err;
	struct job		*j;
	int			 rc;
	bool			 skip;

	(void)pthread_mutex_lock(&b->mu);
	for (;;) {
		while (b->head == NULL && !b->stop)
			(void)pthread_cond_wait(&b->work, &b->mu);
		if (b->head == NULL)
			break;
		j = b->head;
		b->head = j->next;
		if (b->head == NULL)
			b->tail = NULL;
		b->busy = true;
		skip = b->failed;
		(void)pthread_mutex_unlock(&b->mu);
		/* After a failure the rest is dropped: the batch fails. */
		rc = skip ? 0 : job_write(j, &err);
		(void)pthread_mutex_lock(&b->mu);
		if (rc == -1 && !b->failed) {
			b->failed = true;
			b->werr = err;
		}
		b->queued -= j->len;
		b->busy = false;
		free(j->tmp);
		free(j->data);
		free(j);
		(void)pthread_cond_broadcast(&b->idle);
	}
	(void)pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* Every file handed over written (or failed); -1 with the writer's
 * error. */
static int
drain(struct store_batch *b, struct store_err *err)
{
	int	rc;

	(void)pthread_mutex_lock(&b->mu);
	while (b->head != NULL || b->busy)
		(void)pthread_cond_wait(&b->idle, &b->mu);
	rc = b->failed ? -1 : 0;
	if (rc == -1 && err != NULL)
		*err = b->werr;
	(void)pthread_mutex_unlock(&b->mu);
	return rc;
}

void
store_batch_free(struct store_batch **bp)
{
	struct store_batch	*b;
	size_t			 i;

	if (bp == NULL || (b = *bp) == NULL)
		return;
	if (b->started) {
		(void)drain(b, NULL);
		(void)pthread_mutex_lock(&b->mu);
		b->stop = true;
		(void)pthread_cond_signal(&b->work);
		(void)pthread_mutex_unlock(&b->mu);
		(void)pthread_join(b->tid, NULL);
	}
	/* Whatever was not committed is dropped. */
	for (i = 0; i < b->n; i++)
		item_free(&b->v[i], true);
	(void)pthread_mutex_destroy(&b->mu);
	(void)pthread_cond_destroy(&b->work);
	(void)pthread_cond_destroy(&b->idle);
	free(b->v);
	free(b->path);
	free(b);
	*bp = NULL;
}

int
store_batch_add(struct store_batch *b, const char *data, size_t len,
    unsigned flags, const char *tag, struct store_err *err)
{
	return store_batch_add_at(b, data, len, flags, tag, -1, err);
}

int
store_batch_add_at(struct store_batch *b, const char *data, size_t len,
    unsigned flags, const char *tag, int64_t received, struct store_err *err)
{
	struct batch_item	*it;
	struct job		*j;
	char			*uniq, *t;
	bool			 cur = flags != 0;

	if (!b->started) {
		if (pthread_create(&b->tid, NULL, writer_main, b) != 0)
			return store_fail(err, "%s: cannot start a writer",
			    b->path);
		b->started = true;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->v = xreallocarray(b->v, b->cap, sizeof(*b->v));
	}
	it = &b->v[b->n];
	memset(it, 0, sizeof(*it));
	uniq = store_unique_name_at(received);
	if (tag != NULL) {
		t = xasprintf("%s,%s", uniq, tag);
		free(uniq);
		uniq = t;
	}
	it->name = cur ? store_name_with_flags_new(uniq, flags) :
	    xstrdup(uniq);
	it->tmp = xasprintf("%s/tmp/%s", b->path, uniq);
	it->dst = xasprintf("%s/%s/%s", b->path, cur ? "cur" : "new",
	    it->name);
	free(uniq);
	j = xcalloc(1, sizeof(*j));
	j->tmp = xstrdup(it->tmp);
	j->data = xmemdup0(data, len);
	j->len = len;
	j->received = received;
	(void)pthread_mutex_lock(&b->mu);
	while (b->queued > 0 && b->queued + len > QUEUE_MAX && !b->failed)
		(void)pthread_cond_wait(&b->idle, &b->mu);
	if (b->failed) {
		*err = b->werr;
		(void)pthread_mutex_unlock(&b->mu);
		free(j->tmp);
		free(j->data);
		free(j);
		item_free(it, false);
		return -1;
	}
	if (b->tail != NULL)
		b->tail->next = j;
	else
		b->head = j;
	b->tail = j;
	b->queued += len;
	(void)pthread_cond_signal(&b->work);
	(void)pthread_mutex_unlock(&b->mu);
	if (cur)
		b->to_cur = true;
	else
		b->to_new = true;
	b->n++;
	return 0;
}

size_t
store_batch_count(const struct store_batch *b)
{
	return b->n;
}

const char *
store_batch_name(const struct store_batch *b, size_t i)
{
	return i < b->n ? b->v[i].name : NULL;
}

/* Every file of the batch durable in tmp/. */
static int
barrier(struct store_batch *b, struct store_err *err)
{
	size_t	i;
	int	fd;
#if defined(__linux__)
	int	rc;

	fd = open(b->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return store_fail_errno(err, "%s", b->path);
	rc = syncfs(fd);
	(void)close(fd);
	if (rc == 0)
		return 0;
#endif
	/* One by one, reopening each file. */
	for (i = 0; i < b->n; i++) {
		fd = open(b->v[i].tmp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 || fsync(fd) != 0) {
			if (fd >= 0)
				(void)close(fd);
			return store_fail_errno(err, "fsync %s", b->v[i].tmp);
		}
		(void)close(fd);
	}
	return 0;
}

int
store_batch_commit(struct store_batch *b, struct store_err *err)
{
	char	*dir;
	size_t	 i;
	int	 rc = 0;

	if (b->n == 0)
		return 0;
	if (drain(b, err) == -1 || barrier(b, err) == -1)
		return -1;
	store_fault("tmp-synced");
	for (i = 0; i < b->n; i++) {
#if defined(RENAME_NOREPLACE)
		/* One directory operation, never replacing a file (unique
		 * names make a clash a bug). */
		if (renameat2(AT_FDCWD, b->v[i].tmp, AT_FDCWD, b->v[i].dst,
		    RENAME_NOREPLACE) == 0)
			continue;
		if (errno != EINVAL && errno != ENOSYS)
			return store_fail_errno(err, "%s", b->v[i].dst);
#endif
		/* link(): never replaces either. */
		if (link(b->v[i].tmp, b->v[i].dst) == 0) {
			(void)unlink(b->v[i].tmp);
			continue;
		}
		/* File systems without hard links. */
		if ((errno != EPERM && errno != ENOSYS &&
		    errno != EOPNOTSUPP) || rename(b->v[i].tmp,
		    b->v[i].dst) != 0)
			return store_fail_errno(err, "%s", b->v[i].dst);
	}
	store_fault("renamed");
	if (b->to_new) {
		dir = xasprintf("%s/new", b->path);
		rc = store_fsync_dir(dir, err);
		free(dir);
	}
	if (rc == 0 && b->to_cur) {
		dir = xasprintf("%s/cur", b->path);
		rc = store_fsync_dir(dir, err);
		free(dir);
	}
	store_fault("dir-synced");
	return rc;
}

void
store_batch_reset(struct store_batch *b)
{
	size_t	i;

	(void)drain(b, NULL);
	(void)pthread_mutex_lock(&b->mu);
	b->failed = false;
	(void)pthread_mutex_unlock(&b->mu);
	for (i = 0; i < b->n; i++)
		item_free(&b->v[i], false);
	b->n = 0;
	b->to_new = b->to_cur = false;
}
