/*
 * folder.c: an open maildir folder: its messages from the index cache and
 * a listing of new/ and cur/, changes by other programs picked up by
 * rescans, and the operations that rename, move, copy or remove message
 * files, each safe against a crash at any point.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store_priv.h"

/* ------------------------------------------------------------------ */
/* The index of unique names                                           */

static uint64_t
uniq_hash(const char *s, size_t len)
{
	return hash64(s, len, 0x66616374u);
}

void
folder_index_invalidate(struct store_folder *f)
{
	free(f->slots);
	f->slots = NULL;
	f->nslots = 0;
}

/* Built on first use: a warm open that skips the listing never needs it. */
static void
folder_index_build(struct store_folder *f)
{
	size_t		i, mask, pos;
	const char	*name;

	free(f->slots);
	f->nslots = 64;
	while (f->nslots < f->n * 2 + 2)
		f->nslots *= 2;
	f->slots = xcalloc(f->nslots, sizeof(*f->slots));
	mask = f->nslots - 1;
	for (i = 0; i < f->n; i++) {
		name = f->msgs[i].name;
		pos = (size_t)uniq_hash(name, store_name_unique_len(name)) &
		    mask;
		while (f->slots[pos] != 0)
			pos = (pos + 1) & mask;
		f->slots[pos] = (uint32_t)i + 1;
	}
}

size_t
folder_index_find(struct store_folder *f, const char *uniq, size_t ulen)
{
	size_t		 mask, pos;
	const char	*name;

	if (f->nslots == 0)
		folder_index_build(f);
	mask = f->nslots - 1;
	pos = (size_t)uniq_hash(uniq, ulen) & mask;
	while (f->slots[pos] != 0) {
		name = f->msgs[f->slots[pos] - 1].name;
		if (store_name_unique_len(name) == ulen &&
		    memcmp(name, uniq, ulen) == 0)
			return f->slots[pos] - 1;
		pos = (pos + 1) & mask;
	}
	return SIZE_MAX;
}

size_t
folder_append(struct store_folder *f, const struct store_msg *m)
{
	size_t	mask, pos;

	if (f->n == f->cap) {
		f->cap = f->cap != 0 ? f->cap * 2 : 256;
		f->msgs = xreallocarray(f->msgs, f->cap, sizeof(*f->msgs));
	}
	f->msgs[f->n] = *m;
	f->msgs[f->n].id = f->next_id++;
	f->n++;
	if (f->nslots == 0)
		return f->n - 1;
	if (f->n * 2 + 2 > f->nslots) {
		folder_index_build(f);
	} else {
		mask = f->nslots - 1;
		pos = (size_t)uniq_hash(m->name,
		    store_name_unique_len(m->name)) & mask;
		while (f->slots[pos] != 0)
			pos = (pos + 1) & mask;
		f->slots[pos] = (uint32_t)f->n;
	}
	return f->n - 1;
}

/* Remove message i (keeping the order of the others). */
static void
folder_remove(struct store_folder *f, size_t i)
{
	memmove(&f->msgs[i], &f->msgs[i + 1],
	    (f->n - i - 1) * sizeof(*f->msgs));
	f->n--;
	folder_index_invalidate(f);
}

/* ------------------------------------------------------------------ */
/* Scanning                                                            */

static int
stat_mtime(const char *dir, const char *sub, struct timespec *out,
    struct store_err *err)
{
	struct stat	st;
	char		path[4096];

	if (fct_snprintf(path, sizeof(path), "%s/%s", dir, sub) == -1)
		return store_fail(err, "%s/%s: path too long", dir, sub);
	if (stat(path, &st) != 0)
		return store_fail_errno(err, "%s", path);
	if (!S_ISDIR(st.st_mode))
		return store_fail(err, "%s: not a directory", path);
	*out = st.st_mtim;
	return 0;
}

static bool
ts_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/*
 * A listing can be skipped when both directories keep the mtimes they had
 * at the last listing and were last changed at least a second before it
 * started: a change during or after that listing would have moved the
 * mtime (the "racy" case of git's index).
 */
static bool
listing_still_valid(const struct store_folder *f, const struct timespec *mn,
    const struct timespec *mc)
{
	if (!f->listed_ok || !ts_eq(mn, &f->mtime_new) ||
	    !ts_eq(mc, &f->mtime_cur))
		return false;
	return mn->tv_sec + 1 < f->listed_at.tv_sec &&
	    mc->tv_sec + 1 < f->listed_at.tv_sec;
}

struct job_list {
	struct scan_job	*v;
	size_t		 n, cap;
};

static void
job_add(struct job_list *l, struct arena *names, const char *name,
    bool in_new)
{
	if (l->n == l->cap) {
		l->cap = l->cap != 0 ? l->cap * 2 : 64;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n].name = arena_strndup(names, name, strlen(name));
	l->v[l->n].in_new = in_new;
	l->n++;
}

/* List one of new/ and cur/: known names are marked seen (and renamed
 * when their flags changed), unknown ones queued for parsing. */
static int
list_dir(struct store_folder *f, bool in_new, bool *seen,
    struct job_list *jobs, struct arena *names, struct store_err *err)
{
	char		 path[4096];
	DIR		*d;
	struct dirent	*e;
	size_t		 ulen, idx;
	struct store_msg *m;

	if (fct_snprintf(path, sizeof(path), "%s/%s", f->path,
	    in_new ? "new" : "cur") == -1)
		return store_fail(err, "%s: path too long", f->path);
	d = opendir(path);
	if (d == NULL)
		return store_fail_errno(err, "%s", path);
	for (;;) {
		errno = 0;
		e = readdir(d);
		if (e == NULL)
			break;
		if (e->d_name[0] == '.')
			continue;
#ifdef DT_DIR
		if (e->d_type == DT_DIR)
			continue;
#endif
		ulen = store_name_unique_len(e->d_name);
		idx = folder_index_find(f, e->d_name, ulen);
		if (idx == SIZE_MAX) {
			job_add(jobs, names, e->d_name, in_new);
			continue;
		}
		m = &f->msgs[idx];
		if (seen[idx]) {
			/* In both new/ and cur/: cur/ wins (listed second). */
			if (!in_new && m->in_new) {
				m->name = arena_strndup(&f->strings,
				    e->d_name, strlen(e->d_name));
				m->in_new = false;
				m->flags = (uint8_t)store_name_flags(m->name);
			}
			continue;
		}
		seen[idx] = true;
		if (m->in_new != in_new || strcmp(m->name, e->d_name) != 0) {
			m->name = arena_strndup(&f->strings, e->d_name,
			    strlen(e->d_name));
			m->in_new = in_new;
			m->flags = (uint8_t)store_name_flags(m->name);
			f->stats.renamed++;
		}
	}
	if (errno != 0) {
		(void)store_fail_errno(err, "%s", path);
		(void)closedir(d);
		return -1;
	}
	(void)closedir(d);
	return 0;
}

/* Bring f in line with the directories. */
static int
folder_scan(struct store_folder *f, bool *changed, struct store_err *err)
{
	struct timespec	 mn, mc, now;
	struct job_list	 jobs = { NULL, 0, 0 };
	bool		*seen;
	size_t		 i, j, before_parsed = f->stats.parsed;
	size_t		 before_renamed = f->stats.renamed;
	int		 rc = -1;

	*changed = false;
	f->stats.listed = false;
	if (stat_mtime(f->path, "new", &mn, err) == -1 ||
	    stat_mtime(f->path, "cur", &mc, err) == -1)
		return -1;
	if (listing_still_valid(f, &mn, &mc))
		return 0;
	(void)clock_gettime(CLOCK_REALTIME, &now);
	seen = xcalloc(f->n + 1, sizeof(*seen));
	/* New names go straight into the folder's arena: the messages
	 * keep them (a file that cannot be read wastes its name). */
	if (list_dir(f, true, seen, &jobs, &f->strings, err) == -1 ||
	    list_dir(f, false, seen, &jobs, &f->strings, err) == -1)
		goto out;
	f->stats.listed = true;
	/* Drop what is gone. */
	for (i = j = 0; i < f->n; i++) {
		if (seen[i])
			f->msgs[j++] = f->msgs[i];
	}
	if (j != f->n) {
		f->stats.removed += f->n - j;
		f->n = j;
		folder_index_invalidate(f);
		*changed = true;
	}
	if (f->n + jobs.n > f->cap) {
		/* Exactly what is needed, not the next power of two. */
		f->cap = f->n + jobs.n;
		f->msgs = xreallocarray(f->msgs, f->cap, sizeof(*f->msgs));
	}
	scan_parse_files(f, jobs.v, jobs.n);
#ifdef __GLIBC__
	/* What the parsers freed goes back to the system now, not at
	 * exit: a first open of a big folder would otherwise keep it. */
	if (jobs.n >= 1000)
		(void)malloc_trim(0);
#endif
	if (f->stats.parsed != before_parsed ||
	    f->stats.renamed != before_renamed)
		*changed = true;
	f->stats.added += f->stats.parsed - before_parsed;
	/* A listing that moved listed_at past the racy window is worth
	 * saving even when nothing changed: the next open can skip it. */
	if (!listing_still_valid(f, &mn, &mc) &&
	    mn.tv_sec + 1 < now.tv_sec && mc.tv_sec + 1 < now.tv_sec)
		*changed = true;
	f->mtime_new = mn;
	f->mtime_cur = mc;
	f->listed_at = now;
	f->listed_ok = true;
	rc = 0;
out:
	free(jobs.v);
	free(seen);
	return rc;
}

/* Remove tmp/ files left by deliveries that crashed long ago. */
static void
clean_tmp(const struct store_folder *f)
{
	char		 path[4096], file[4096];
	DIR		*d;
	struct dirent	*e;
	struct stat	 st;
	time_t		 now = time(NULL);

	if (fct_snprintf(path, sizeof(path), "%s/tmp", f->path) == -1)
		return;
	d = opendir(path);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (fct_snprintf(file, sizeof(file), "%s/%s", path,
		    e->d_name) == -1)
			continue;
		if (lstat(file, &st) == 0 && S_ISREG(st.st_mode) &&
		    now - st.st_mtime > STORE_TMP_STALE_SECS)
			(void)unlink(file);
	}
	(void)closedir(d);
}

static void
save_cache(struct store_folder *f)
{
	struct store_err	e;

	if (f->cache_file == NULL)
		return;
	if (cache_save(f, &e) == 0)
		f->stats.cache_written = true;
	else
		log_debug("index cache not written: %s", e.msg);
}

struct store_folder *
store_folder_open(const char *path, const struct store_open_opts *opts,
    struct store_err *err)
{
	struct store_folder	*f;
	char			*real;
	bool			 changed;

	if (!store_is_maildir(path)) {
		(void)store_fail(err, "%s: not a maildir (no cur/ and new/ "
		    "directories)", path);
		return NULL;
	}
	f = xcalloc(1, sizeof(*f));
	real = realpath(path, NULL);
	f->path = real != NULL ? xstrdup(real) : xstrdup(path);
	free(real);
	arena_init(&f->strings);
	f->read_only = opts->read_only;
	f->threads = opts->threads;
	if (opts->fallback_charset != NULL)
		f->fallback = xstrdup(opts->fallback_charset);
	if (opts->cache_dir != NULL) {
		f->cache_dir = xstrdup(opts->cache_dir);
		f->cache_file = cache_file_for(f->cache_dir, f->path);
		if (cache_load(f) == 0)
			f->stats.cache_used = true;
	}
	if (!f->read_only)
		clean_tmp(f);
	folder_index_invalidate(f);
	if (folder_scan(f, &changed, err) == -1) {
		store_folder_close(f);
		return NULL;
	}
	if (changed || !f->stats.cache_used)
		save_cache(f);
	return f;
}

int
store_folder_rescan(struct store_folder *f, bool *changed,
    struct store_err *err)
{
	bool	ch;

	if (folder_scan(f, &ch, err) == -1)
		return -1;
	if (ch)
		save_cache(f);
	if (changed != NULL)
		*changed = ch;
	return 0;
}

void
store_folder_close(struct store_folder *f)
{
	if (f == NULL)
		return;
	free(f->msgs);
	free(f->slots);
	arena_free(&f->strings);
	free(f->path);
	free(f->cache_dir);
	free(f->cache_file);
	free(f->fallback);
	free(f);
}

/* ------------------------------------------------------------------ */
/* Accessors                                                           */

const char *
store_folder_path(const struct store_folder *f)
{
	return f->path;
}

size_t
store_folder_count(const struct store_folder *f)
{
	return f->n;
}

const struct store_msg *
store_folder_msg(const struct store_folder *f, size_t i)
{
	return i < f->n ? &f->msgs[i] : NULL;
}

const struct store_msg *
store_folder_by_id(const struct store_folder *f, uint32_t id, size_t *index)
{
	size_t	lo = 0, hi = f->n, mid;

	/* Ids grow with the index: messages are appended with a fresh id
	 * and removals keep the order. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (f->msgs[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < f->n && f->msgs[lo].id == id) {
		if (index != NULL)
			*index = lo;
		return &f->msgs[lo];
	}
	return NULL;
}

void
store_folder_stats(const struct store_folder *f, struct store_scan_stats *out)
{
	*out = f->stats;
}

size_t
store_folder_unread(const struct store_folder *f)
{
	size_t	i, n = 0;

	for (i = 0; i < f->n; i++)
		if (!(f->msgs[i].flags & STORE_SEEN))
			n++;
	return n;
}

char *
store_msg_path_new(const struct store_folder *f, size_t i)
{
	if (i >= f->n)
		return NULL;
	return xasprintf("%s/%s/%s", f->path, f->msgs[i].in_new ? "new" :
	    "cur", f->msgs[i].name);
}

/* The whole file at path, NUL-terminated, owned by the caller. */
static int
read_whole(const char *path, char **data, size_t *len, struct store_err *err)
{
	struct stat	 st;
	char		*buf;
	size_t		 have = 0;
	ssize_t		 r;
	int		 fd;

	*data = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return store_fail_errno(err, "%s", path);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > SIZE_MAX / 2) {
		(void)close(fd);
		return store_fail(err, "%s: not a readable message file", path);
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (have < (size_t)st.st_size) {
		r = read(fd, buf + have, (size_t)st.st_size - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			(void)store_fail_errno(err, "read %s", path);
			(void)close(fd);
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		have += (size_t)r;
	}
	(void)close(fd);
	buf[have] = '\0';
	*data = buf;
	*len = have;
	return 0;
}

int
store_msg_read_new(const struct store_folder *f, size_t i, char **data,
    size_t *len, struct store_err *err)
{
	char	*path;
	int	 rc;

	*data = NULL;
	*len = 0;
	path = store_msg_path_new(f, i);
	if (path == NULL)
		return store_fail(err, "no message %zu", i);
	rc = read_whole(path, data, len, err);
	free(path);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Changing files                                                      */

static int
check_writable(const struct store_folder *f, struct store_err *err)
{
	if (f->read_only)
		return store_fail(err, "%s: opened read-only", f->path);
	return 0;
}

int
store_msg_set_flags(struct store_folder *f, size_t i, unsigned flags,
    struct store_err *err)
{
	struct store_msg	*m;
	char			*newname, *from, *to, *dir;
	int			 rc = -1;

	if (i >= f->n)
		return store_fail(err, "no message %zu", i);
	if (check_writable(f, err) == -1)
		return -1;
	m = &f->msgs[i];
	flags &= STORE_ALL_FLAGS;
	newname = store_name_with_flags_new(m->name, flags);
	if (!m->in_new && strcmp(newname, m->name) == 0) {
		free(newname);
		return 0;
	}
	from = xasprintf("%s/%s/%s", f->path, m->in_new ? "new" : "cur",
	    m->name);
	to = xasprintf("%s/cur/%s", f->path, newname);
	dir = xasprintf("%s/cur", f->path);
	if (rename(from, to) != 0) {
		if (errno == ENOENT)
			(void)store_fail(err, "%s: gone (changed by another "
			    "program); rescan the folder", m->name);
		else
			(void)store_fail_errno(err, "rename %s", from);
		goto out;
	}
	store_fault("renamed");
	/* Flags are metadata; a lost rename after a crash is a lost flag,
	 * never a lost message, but sync the new/ -> cur/ move anyway. */
	if (m->in_new) {
		char	*ndir = xasprintf("%s/new", f->path);

		(void)store_fsync_dir(ndir, NULL);
		free(ndir);
	}
	(void)store_fsync_dir(dir, NULL);
	m->name = arena_strndup(&f->strings, newname, strlen(newname));
	m->in_new = false;
	m->flags = (uint8_t)flags;
	/* The name changed but not its unique part: the index holds. */
	rc = 0;
out:
	free(newname);
	free(from);
	free(to);
	free(dir);
	return rc;
}

/* Copy the file at src_path into dst as a new message with m's flags;
 * *index gets its index in dst. */
static int
copy_file_into(const char *src_path, struct store_folder *dst,
    const struct store_msg *m, size_t *index, struct store_err *err)
{
	char	*data;
	size_t	 len;
	int	 rc;

	if (read_whole(src_path, &data, &len, err) == -1)
		return -1;
	rc = store_folder_add(dst, data, len, m->flags, !m->in_new, index,
	    err);
	free(data);
	return rc;
}

int
store_msg_copy(struct store_folder *f, size_t i, struct store_folder *dst,
    char **dst_name, struct store_err *err)
{
	char	*src;
	size_t	 idx;
	int	 rc;

	if (dst_name != NULL)
		*dst_name = NULL;
	if (i >= f->n)
		return store_fail(err, "no message %zu", i);
	if (check_writable(dst, err) == -1)
		return -1;
	src = store_msg_path_new(f, i);
	rc = copy_file_into(src, dst, &f->msgs[i], &idx, err);
	free(src);
	if (rc == 0 && dst_name != NULL)
		*dst_name = xstrdup(dst->msgs[idx].name);
	return rc;
}

static const char *
adopt(struct store_folder *f, const char *s)
{
	if (s == NULL)
		return NULL;
	if (*s == '\0')
		return "";
	return arena_strndup(&f->strings, s, strlen(s));
}

/* Copy m's strings into f's arena (m moves to f), keeping what is
 * shared shared. */
static void
msg_adopt_strings(struct store_folder *f, struct store_msg *m)
{
	const char	*refs = m->references;
	size_t		 rlen = refs != NULL ? strlen(refs) : 0;
	bool		 same_from = m->from == m->from_addr;
	bool		 irt_in_refs = refs != NULL && m->in_reply_to != NULL &&
	    m->in_reply_to >= refs && m->in_reply_to < refs + rlen;
	size_t		 irt_off = irt_in_refs ?
	    (size_t)(m->in_reply_to - refs) : 0;

	m->name = adopt(f, m->name);
	m->subject = adopt(f, m->subject);
	m->from_addr = adopt(f, m->from_addr);
	m->from = same_from ? m->from_addr : adopt(f, m->from);
	m->message_id = adopt(f, m->message_id);
	m->references = adopt(f, refs);
	m->in_reply_to = irt_in_refs ? m->references + irt_off :
	    adopt(f, m->in_reply_to);
}

int
store_msg_move(struct store_folder *f, size_t i, struct store_folder *dst,
    char **dst_name, struct store_err *err)
{
	struct store_msg	 m;
	const char		*sub;
	char			*from, *to, *dir, *srcdir;
	int			 rc = -1;

	if (dst_name != NULL)
		*dst_name = NULL;
	if (i >= f->n)
		return store_fail(err, "no message %zu", i);
	if (check_writable(f, err) == -1 || check_writable(dst, err) == -1)
		return -1;
	if (dst == f || strcmp(dst->path, f->path) == 0)
		return store_fail(err, "%s: moving a message into its own "
		    "folder", f->path);
	m = f->msgs[i];
	sub = m.in_new ? "new" : "cur";
	from = xasprintf("%s/%s/%s", f->path, sub, m.name);
	to = xasprintf("%s/%s/%s", dst->path, sub, m.name);
	dir = xasprintf("%s/%s", dst->path, sub);
	srcdir = xasprintf("%s/%s", f->path, sub);
	/* rename() within a file system is atomic: the message is in one
	 * folder or the other, never both, never neither. It would replace
	 * a file of the same name, so make sure there is none (unique
	 * names make one a bug, and the window is tiny). */
	if (access(to, F_OK) == 0) {
		(void)store_fail(err, "%s: already in %s", m.name, dst->path);
		goto out;
	}
	if (rename(from, to) == 0) {
		store_fault("renamed");
		if (dst_name != NULL)
			*dst_name = xstrdup(m.name);
		msg_adopt_strings(dst, &m);
		(void)folder_append(dst, &m);
		folder_remove(f, i);
		/* Done on disk; a failed fsync is reported all the same. */
		rc = store_fsync_dir(dir, err);
		store_fault("dir-synced");
		if (store_fsync_dir(srcdir, rc == 0 ? err : NULL) == -1)
			rc = -1;
		goto out;
	} else if (errno == EXDEV) {
		/* Another file system: a durable copy, then the original
		 * goes; a crash in between leaves it in both folders. */
		size_t	idx;

		if (copy_file_into(from, dst, &m, &idx, err) == -1)
			goto out;
		store_fault("copied");
		if (unlink(from) != 0 && errno != ENOENT) {
			(void)store_fail_errno(err, "unlink %s", from);
			goto out;
		}
		store_fault("unlinked");
		(void)store_fsync_dir(srcdir, NULL);
		if (dst_name != NULL)
			*dst_name = xstrdup(dst->msgs[idx].name);
	} else {
		if (errno == ENOENT)
			(void)store_fail(err, "%s: gone (changed by another "
			    "program); rescan the folder", m.name);
		else
			(void)store_fail_errno(err, "%s", to);
		goto out;
	}
	folder_remove(f, i);
	rc = 0;
out:
	free(from);
	free(to);
	free(dir);
	free(srcdir);
	return rc;
}

int
store_msg_delete(struct store_folder *f, size_t i, struct store_folder *trash,
    struct store_err *err)
{
	if (i >= f->n)
		return store_fail(err, "no message %zu", i);
	if (trash != NULL && trash != f && strcmp(trash->path, f->path) != 0)
		return store_msg_move(f, i, trash, NULL, err);
	return store_msg_set_flags(f, i, f->msgs[i].flags | STORE_TRASHED,
	    err);
}

int
store_folder_expunge(struct store_folder *f, size_t *removed,
    struct store_err *err)
{
	return store_folder_remove(f, NULL, removed, err);
}

int
store_folder_remove(struct store_folder *f, const bool *which,
    size_t *removed, struct store_err *err)
{
	char	*path, *dir;
	size_t	 i, j, n = 0;
	int	 rc = 0;

	if (removed != NULL)
		*removed = 0;
	if (check_writable(f, err) == -1)
		return -1;
	for (i = j = 0; i < f->n; i++) {
		if (which != NULL ? !which[i] :
		    !(f->msgs[i].flags & STORE_TRASHED)) {
			f->msgs[j++] = f->msgs[i];
			continue;
		}
		path = store_msg_path_new(f, i);
		if (unlink(path) != 0 && errno != ENOENT) {
			(void)store_fail_errno(err, "unlink %s", path);
			rc = -1;
			f->msgs[j++] = f->msgs[i];
		} else
			n++;
		free(path);
	}
	f->n = j;
	if (n > 0) {
		folder_index_invalidate(f);
		dir = xasprintf("%s/cur", f->path);
		(void)store_fsync_dir(dir, NULL);
		free(dir);
		save_cache(f);
	}
	if (removed != NULL)
		*removed = n;
	return rc;
}

int
store_folder_add(struct store_folder *f, const char *data, size_t len,
    unsigned flags, bool to_cur, size_t *index, struct store_err *err)
{
	struct scan_job	 job;
	char		*name;
	size_t		 before = f->n;


	if (check_writable(f, err) == -1)
		return -1;
	if (store_deliver(f->path, data, len, flags, to_cur, &name, err) == -1)
		return -1;
	job.name = arena_strndup(&f->strings, name, strlen(name));
	job.in_new = !(to_cur || flags != 0);
	scan_parse_files(f, &job, 1);
	free(name);
	if (f->n == before)
		return store_fail(err, "%s: delivered but unreadable",
		    f->path);
	if (index != NULL)
		*index = f->n - 1;
	return 0;
}

int
store_view_build(const struct store_folder *f, enum store_sort sort,
    bool group_subject, const bool *keep, struct store_view *out,
    struct store_err *err)
{
	return store_view_build_msgs(f->msgs, f->n, sort, group_subject, keep,
	    out, err);
}
