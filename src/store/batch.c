/*
 * batch.c: many messages delivered into one folder with one durability
 * barrier instead of two fsyncs each. Each message is written to tmp/
 * as it comes; at commit, one barrier makes them all durable (syncfs()
 * on Linux, else an fsync per file), then they are linked into new/ or
 * cur/ and the two directories fsync'd once. A crash before the commit
 * leaves only tmp/ files (debris, cleaned later); after it, every message
 * is in place (moved there with renameat2(RENAME_NOREPLACE) where the
 * system has it, else link() and unlink()). Only then may a caller record them (the sync state).
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE	/* syncfs(), renameat2() */
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_priv.h"

struct batch_item {
	char	*tmp;		/* tmp/UNIQ */
	char	*dst;		/* new/UNIQ or cur/UNIQ:2,FLAGS */
	char	*name;		/* the final file name */
	int	 fd;		/* open until the barrier (fallback) */
};

struct store_batch {
	char			*path;
	struct batch_item	*v;
	size_t			 n, cap;
	bool			 to_new, to_cur;
};

struct store_batch *
store_batch_new(const char *folder_path)
{
	struct store_batch	*b = xcalloc(1, sizeof(*b));

	b->path = xstrdup(folder_path);
	return b;
}

static void
item_free(struct batch_item *it, bool unlink_tmp)
{
	if (it->fd >= 0)
		(void)close(it->fd);
	if (unlink_tmp && it->tmp != NULL)
		(void)unlink(it->tmp);
	free(it->tmp);
	free(it->dst);
	free(it->name);
}

void
store_batch_free(struct store_batch **bp)
{
	struct store_batch	*b;
	size_t			 i;

	if (bp == NULL || (b = *bp) == NULL)
		return;
	/* Whatever was not committed is dropped. */
	for (i = 0; i < b->n; i++)
		item_free(&b->v[i], true);
	free(b->v);
	free(b->path);
	free(b);
	*bp = NULL;
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

int
store_batch_add(struct store_batch *b, const char *data, size_t len,
    unsigned flags, const char *tag, struct store_err *err)
{
	struct batch_item	*it;
	char			*uniq, *t;
	bool			 cur = flags != 0;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->v = xreallocarray(b->v, b->cap, sizeof(*b->v));
	}
	it = &b->v[b->n];
	memset(it, 0, sizeof(*it));
	it->fd = -1;
	uniq = store_unique_name_new();
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
	it->fd = open(it->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (it->fd < 0) {
		(void)store_fail_errno(err, "%s", it->tmp);
		item_free(it, false);
		return -1;
	}
	if (write_all(it->fd, data, len) == -1) {
		(void)store_fail_errno(err, "write %s", it->tmp);
		item_free(it, true);
		return -1;
	}
#if defined(__linux__)
	/* syncfs() will make it durable: the descriptor can go now. */
	(void)close(it->fd);
	it->fd = -1;
#endif
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
#if defined(__linux__)
	int	fd = open(b->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int	rc;

	if (fd < 0)
		return store_fail_errno(err, "%s", b->path);
	rc = syncfs(fd);
	(void)close(fd);
	if (rc == 0)
		return 0;
	/* No syncfs here: one by one, reopening each file. */
	for (i = 0; i < b->n; i++) {
		fd = open(b->v[i].tmp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 || fsync(fd) != 0) {
			if (fd >= 0)
				(void)close(fd);
			return store_fail_errno(err, "fsync %s", b->v[i].tmp);
		}
		(void)close(fd);
	}
#else
	for (i = 0; i < b->n; i++) {
		if (fsync(b->v[i].fd) != 0)
			return store_fail_errno(err, "fsync %s", b->v[i].tmp);
		(void)close(b->v[i].fd);
		b->v[i].fd = -1;
	}
#endif
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
	if (barrier(b, err) == -1)
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

	for (i = 0; i < b->n; i++)
		item_free(&b->v[i], false);
	b->n = 0;
	b->to_new = b->to_cur = false;
}
