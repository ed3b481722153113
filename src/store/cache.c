/*
 * cache.c: the index cache of a folder, one file per folder in the cache
 * directory, so that opening a folder reads one file instead of every
 * message. It is only ever a copy of what the maildir says: anything odd
 * about it (missing, short, another version or byte order, a bad
 * checksum, an offset out of range, another folder's path) and it is
 * ignored and rebuilt.
 *
 * Layout (native byte order, recorded in the header):
 *   struct cache_head
 *   count records of struct cache_rec (string fields are offsets into the
 *     pool; NO_STR for NULL; offset 0 is the empty string)
 *   the pool: NUL-terminated strings, each distinct one once (records
 *     may share them, or point inside one), the folder's path last
 * The checksum chains hash64() over the records and the pool in 64 KiB
 * blocks, then the header with the checksum field zeroed. Records are
 * streamed in both directions so that reading or writing a cache never
 * holds a second copy of the folder in memory.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_priv.h"

#define CACHE_MAGIC	"FCTIDX\r\n"
#define CACHE_VERSION	1u
#define CACHE_ENDIAN	0x01020304u
#define NO_STR		UINT32_MAX
#define BLOCK		(64u * 1024u)
#define SEED		UINT64_C(0x666163746575720a)

struct cache_head {
	char		magic[8];
	uint32_t	version;
	uint32_t	endian;
	uint32_t	rec_size;
	uint32_t	count;
	uint64_t	pool_len;
	int64_t		mtime_new_s, mtime_new_ns;
	int64_t		mtime_cur_s, mtime_cur_ns;
	int64_t		listed_s, listed_ns;
	uint32_t	path_off;
	uint32_t	pad;
	uint64_t	checksum;
};

#define F_IN_NEW	0x100u
#define F_ATTACH	0x200u

struct cache_rec {
	uint32_t	name, subject, from, from_addr;
	uint32_t	message_id, in_reply_to, references;
	uint32_t	bits;		/* flags, F_IN_NEW, F_ATTACH */
	int64_t		date, received;
	uint64_t	size;
	uint64_t	spare;		/* zero; keeps BLOCK a multiple */
};

/* Records are hashed in BLOCK-byte blocks on both sides. */
_Static_assert(BLOCK % sizeof(struct cache_rec) == 0,
    "cache records must tile a checksum block");

char *
cache_file_for(const char *cache_dir, const char *folder_path)
{
	char	hex[65];

	sha256_hex(folder_path, strlen(folder_path), hex);
	hex[32] = '\0';
	return xasprintf("%s/index-%s", cache_dir, hex);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

static bool
read_full(int fd, void *p, size_t n)
{
	char	*c = p;
	ssize_t	 r;

	while (n > 0) {
		r = read(fd, c, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		c += r;
		n -= (size_t)r;
	}
	return true;
}

static uint64_t
hash_blocks(const char *p, size_t n, uint64_t h)
{
	size_t	off, len;

	for (off = 0; off < n; off += len) {
		len = n - off < BLOCK ? n - off : BLOCK;
		h = hash64(p + off, len, h);
	}
	return h;
}

/* A pool offset as a string; false when out of range. */
static bool
pool_str(const char *pool, uint64_t pool_len, uint32_t off, bool null_ok,
    const char **out)
{
	if (off == NO_STR) {
		*out = NULL;
		return null_ok;
	}
	if (off >= pool_len)
		return false;
	*out = off == 0 ? "" : pool + off;
	return true;
}

static bool
rec_to_msg(const struct cache_rec *r, const char *pool, uint64_t pool_len,
    struct store_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (!pool_str(pool, pool_len, r->name, false, &m->name) ||
	    !pool_str(pool, pool_len, r->subject, false, &m->subject) ||
	    !pool_str(pool, pool_len, r->from, false, &m->from) ||
	    !pool_str(pool, pool_len, r->from_addr, false, &m->from_addr) ||
	    !pool_str(pool, pool_len, r->message_id, true, &m->message_id) ||
	    !pool_str(pool, pool_len, r->in_reply_to, true, &m->in_reply_to) ||
	    !pool_str(pool, pool_len, r->references, true, &m->references))
		return false;
	if (m->name[0] == '\0' || m->name[0] == '.' ||
	    strchr(m->name, '/') != NULL)
		return false;
	if ((r->bits & ~(STORE_ALL_FLAGS | F_IN_NEW | F_ATTACH)) != 0)
		return false;
	m->flags = (uint8_t)(r->bits & STORE_ALL_FLAGS);
	m->in_new = (r->bits & F_IN_NEW) != 0;
	m->has_attachment = (r->bits & F_ATTACH) != 0;
	/* The flags are the name's: a cache that disagrees is corrupt. */
	if (m->flags != store_name_flags(m->name))
		return false;
	m->date = r->date;
	m->received = r->received;
	m->size = r->size;
	return true;
}

static void
forget_all(struct store_folder *f)
{
	f->n = 0;
	arena_free(&f->strings);
	arena_init(&f->strings);
	f->listed_ok = false;
}

int
cache_load(struct store_folder *f)
{
	struct cache_head	 h;
	struct cache_rec	*recs = NULL;
	struct store_msg	 m;
	struct stat		 st;
	char			*pool;
	const char		*path;
	uint64_t		 want, sum, stored;
	size_t			 per, done, cnt, i;
	int			 fd;

	fd = open(f->cache_file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    !read_full(fd, &h, sizeof(h)))
		goto bad;
	if (memcmp(h.magic, CACHE_MAGIC, 8) != 0 ||
	    h.version != CACHE_VERSION || h.endian != CACHE_ENDIAN ||
	    h.rec_size != sizeof(struct cache_rec) ||
	    h.pool_len == 0 || h.pool_len > STORE_MAX_CACHE ||
	    h.count > UINT32_MAX / 2)
		goto bad;
	want = sizeof(h) + (uint64_t)h.count * sizeof(struct cache_rec) +
	    h.pool_len;
	if ((uint64_t)st.st_size != want)
		goto bad;
	/* The pool first (it is at the end): records point into it. */
	pool = arena_alloc(&f->strings, (size_t)h.pool_len);
	if (pread(fd, pool, (size_t)h.pool_len, (off_t)(want - h.pool_len)) !=
	    (ssize_t)h.pool_len || pool[h.pool_len - 1] != '\0' ||
	    pool[0] != '\0')
		goto bad;
	if (!pool_str(pool, h.pool_len, h.path_off, false, &path))
		goto bad;
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	/* Fuzzers cannot guess the path nor fix the checksum. */
	if (strcmp(path, f->path) != 0)
		goto bad;
#endif
	f->cap = h.count > 0 ? h.count : 16;
	f->msgs = xreallocarray(f->msgs, f->cap, sizeof(*f->msgs));
	per = BLOCK / sizeof(struct cache_rec);
	recs = xmalloc(per * sizeof(*recs));
	sum = SEED;
	for (done = 0; done < h.count; done += cnt) {
		cnt = h.count - done < per ? h.count - done : per;
		if (!read_full(fd, recs, cnt * sizeof(*recs)))
			goto bad;
		/* Same blocks as hash_blocks() on the writing side. */
		sum = hash64(recs, cnt * sizeof(*recs), sum);
		for (i = 0; i < cnt; i++) {
			if (!rec_to_msg(&recs[i], pool, h.pool_len, &m))
				goto bad;
			m.id = f->next_id++;
			f->msgs[f->n++] = m;
		}
	}
	sum = hash_blocks(pool, (size_t)h.pool_len, sum);
	stored = h.checksum;
	h.checksum = 0;
	sum = hash64(&h, sizeof(h), sum);
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	if (sum != stored)
		goto bad;
#else
	(void)stored;
#endif
	free(recs);
	(void)close(fd);
	f->mtime_new.tv_sec = (time_t)h.mtime_new_s;
	f->mtime_new.tv_nsec = (long)h.mtime_new_ns;
	f->mtime_cur.tv_sec = (time_t)h.mtime_cur_s;
	f->mtime_cur.tv_nsec = (long)h.mtime_cur_ns;
	f->listed_at.tv_sec = (time_t)h.listed_s;
	f->listed_at.tv_nsec = (long)h.listed_ns;
	f->listed_ok = true;
	return 0;
bad:
	free(recs);
	(void)close(fd);
	forget_all(f);
	log_debug("%s: index cache unusable, rebuilding", f->path);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

/* Buffered output with the running checksum of what went through. */
struct out {
	int		 fd;
	char		*buf;
	size_t		 len;
	uint64_t	 sum;
	bool		 failed;
};

static void
out_flush(struct out *o)
{
	size_t	off = 0;
	ssize_t	w;

	if (o->len == 0)
		return;
	o->sum = hash64(o->buf, o->len, o->sum);
	while (off < o->len && !o->failed) {
		w = write(o->fd, o->buf + off, o->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			o->failed = true;
		else
			off += (size_t)w;
	}
	o->len = 0;
}

/* Append; the checksum is taken per BLOCK-sized flush, so every byte
 * boundary the reader hashes at must be a flush boundary here. */
static void
out_put(struct out *o, const void *p, size_t n)
{
	const char	*c = p;
	size_t		 take;

	while (n > 0) {
		take = BLOCK - o->len < n ? BLOCK - o->len : n;
		memcpy(o->buf + o->len, c, take);
		o->len += take;
		c += take;
		n -= take;
		if (o->len == BLOCK)
			out_flush(o);
	}
}

/*
 * The pool is laid out as: the empty string, the distinct strings other
 * than file names (each once, however many messages share it: a thread's
 * subject, a sender, the Message-ID a reply's References names), then
 * the file names, then the folder's path.
 */
enum { L_SUBJECT, L_FROM_ADDR, L_FROM, L_MSGID, L_REFS, L_IRT, L_N };
#define L_NULL		UINT32_MAX		/* a NULL string */
#define L_EMPTY		(UINT32_MAX - 1)	/* "" */
#define L_IN_REFS	(UINT32_MAX - 2)	/* In-Reply-To ends References */

struct layout {
	struct strset	 set;
	uint32_t	*offs;		/* of set entry i */
	uint32_t	*ix;		/* message i's strings: set entries
					 * (or L_*) at ix[i * L_N + field] */
	uint64_t	 names;		/* offset of the next file name */
};

/* Where In-Reply-To ends References (the usual case), its offset in
 * it; else SIZE_MAX. */
static size_t
irt_in_refs(const struct store_msg *m)
{
	size_t	rlen, ilen;

	if (m->references == NULL || m->in_reply_to == NULL)
		return SIZE_MAX;
	rlen = strlen(m->references);
	ilen = strlen(m->in_reply_to);
	if (ilen == 0 || ilen > rlen || memcmp(m->references + rlen - ilen,
	    m->in_reply_to, ilen) != 0 ||
	    (ilen < rlen && m->references[rlen - ilen - 1] != ' '))
		return SIZE_MAX;
	return rlen - ilen;
}

/* Pass 1: the distinct strings of m, and which they are in ix[]. */
static void
lay_collect(struct layout *l, const struct store_msg *m, uint32_t *ix)
{
	const char	*s[L_N] = { m->subject, m->from_addr, m->from,
			    m->message_id, m->references, m->in_reply_to };
	size_t		 i;

	for (i = 0; i < L_N; i++) {
		if (s[i] == NULL)
			ix[i] = L_NULL;
		else if (s[i][0] == '\0')
			ix[i] = L_EMPTY;
		else if (i == L_IRT && s[L_REFS] != NULL &&
		    s[L_REFS][0] != '\0' && irt_in_refs(m) != SIZE_MAX)
			ix[i] = L_IN_REFS;
		else
			(void)strset_put(&l->set, s[i], strlen(s[i]), &ix[i]);
	}
}

/* Offsets of the distinct strings, once they are all known; the offset
 * where the names start. Returns -1 when the pool is too big. */
static int
lay_offsets(struct layout *l)
{
	uint64_t	cur = 1;
	uint32_t	i;

	l->offs = xreallocarray(NULL, l->set.n + 1, sizeof(*l->offs));
	for (i = 0; i < l->set.n; i++) {
		if (cur > UINT32_MAX - 1)
			return -1;
		l->offs[i] = (uint32_t)cur;
		cur += l->set.lens[i] + 1;
	}
	l->names = cur;
	return 0;
}

static uint32_t
lay_str(const struct layout *l, uint32_t ix)
{
	if (ix == L_NULL)
		return NO_STR;
	if (ix == L_EMPTY)
		return 0;
	return l->offs[ix];
}

/* Pass 2: the record for m. */
static void
lay_msg(struct layout *l, const struct store_msg *m, const uint32_t *ix,
    struct cache_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->name = l->names > UINT32_MAX - 1 ? NO_STR : (uint32_t)l->names;
	l->names += strlen(m->name) + 1;
	r->subject = lay_str(l, ix[L_SUBJECT]);
	r->from_addr = lay_str(l, ix[L_FROM_ADDR]);
	r->from = lay_str(l, ix[L_FROM]);
	r->message_id = lay_str(l, ix[L_MSGID]);
	r->references = lay_str(l, ix[L_REFS]);
	if (ix[L_IRT] == L_IN_REFS)
		r->in_reply_to = r->references + (uint32_t)irt_in_refs(m);
	else
		r->in_reply_to = lay_str(l, ix[L_IRT]);
	r->bits = m->flags | (m->in_new ? F_IN_NEW : 0) |
	    (m->has_attachment ? F_ATTACH : 0);
	r->date = m->date;
	r->received = m->received;
	r->size = m->size;
}

static int
make_cache_dir(const char *dir, struct store_err *err)
{
	char	*p, *s;

	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return store_fail_errno(err, "mkdir %s", dir);
	p = xstrdup(dir);
	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			(void)store_fail_errno(err, "mkdir %s", p);
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return store_fail_errno(err, "mkdir %s", dir);
	return 0;
}

int
cache_save(const struct store_folder *f, struct store_err *err)
{
	struct cache_head	 h;
	struct cache_rec	 r;
	struct layout		 l;
	struct out		 o;
	char			*tmp;
	size_t			 i;
	uint64_t		 pool_len, recs_sum;

	/* Bounds the distinct strings below what a strset holds. */
	if (f->n > UINT32_MAX / 8)
		return store_fail(err, "too many messages for the cache");
	if (make_cache_dir(f->cache_dir, err) == -1)
		return -1;
	tmp = xasprintf("%s.%ld.tmp", f->cache_file, (long)getpid());
	memset(&o, 0, sizeof(o));
	o.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (o.fd < 0) {
		(void)store_fail_errno(err, "%s", tmp);
		free(tmp);
		return -1;
	}
	o.buf = xmalloc(BLOCK);
	memset(&h, 0, sizeof(h));
	strset_init(&l.set);
	l.offs = NULL;
	l.ix = xreallocarray(NULL, f->n + 1, L_N * sizeof(*l.ix));
	for (i = 0; i < f->n; i++)
		lay_collect(&l, &f->msgs[i], &l.ix[i * L_N]);
	if (lay_offsets(&l) == -1) {
		(void)store_fail(err, "folder too large for the cache");
		goto fail;
	}
	/* The header is written last, once its fields are known. */
	if (lseek(o.fd, (off_t)sizeof(h), SEEK_SET) == (off_t)-1)
		o.failed = true;
	o.sum = SEED;
	for (i = 0; i < f->n; i++) {
		lay_msg(&l, &f->msgs[i], &l.ix[i * L_N], &r);
		out_put(&o, &r, sizeof(r));
	}
	out_flush(&o);
	recs_sum = o.sum;
	h.path_off = l.names > UINT32_MAX - 1 ? NO_STR : (uint32_t)l.names;
	pool_len = l.names + strlen(f->path) + 1;
	if (pool_len > UINT32_MAX - 1 || h.path_off == NO_STR) {
		(void)store_fail(err, "folder too large for the cache");
		goto fail;
	}
	/* The pool: "", the distinct strings, the names, the path. */
	o.sum = recs_sum;
	out_put(&o, "", 1);
	for (i = 0; i < l.set.n; i++) {
		out_put(&o, l.set.strs[i], l.set.lens[i]);
		out_put(&o, "", 1);
	}
	for (i = 0; i < f->n; i++)
		out_put(&o, f->msgs[i].name, strlen(f->msgs[i].name) + 1);
	out_put(&o, f->path, strlen(f->path) + 1);
	out_flush(&o);
	memcpy(h.magic, CACHE_MAGIC, 8);
	h.version = CACHE_VERSION;
	h.endian = CACHE_ENDIAN;
	h.rec_size = sizeof(struct cache_rec);
	h.count = (uint32_t)f->n;
	h.pool_len = pool_len;
	h.mtime_new_s = f->mtime_new.tv_sec;
	h.mtime_new_ns = f->mtime_new.tv_nsec;
	h.mtime_cur_s = f->mtime_cur.tv_sec;
	h.mtime_cur_ns = f->mtime_cur.tv_nsec;
	h.listed_s = f->listed_at.tv_sec;
	h.listed_ns = f->listed_at.tv_nsec;
	h.checksum = hash64(&h, sizeof(h), o.sum);
	if (o.failed || pwrite(o.fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
		(void)store_fail_errno(err, "write %s", tmp);
		goto fail;
	}
	/* No fsync: a cache torn by a crash fails its checksum and is
	 * rebuilt; the mail itself is never in it. */
	if (close(o.fd) != 0) {
		o.fd = -1;
		(void)store_fail_errno(err, "close %s", tmp);
		goto fail;
	}
	o.fd = -1;
	if (rename(tmp, f->cache_file) != 0) {
		(void)store_fail_errno(err, "rename %s", tmp);
		goto fail;
	}
	free(o.buf);
	free(tmp);
	strset_free(&l.set);
	free(l.offs);
	free(l.ix);
	return 0;
fail:
	if (o.fd >= 0)
		(void)close(o.fd);
	(void)unlink(tmp);
	free(o.buf);
	free(tmp);
	strset_free(&l.set);
	free(l.offs);
	free(l.ix);
	return -1;
}

char *
store_cache_dir_new(void)
{
	const char	*x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (x != NULL && x[0] == '/')
		return xasprintf("%s/facteur/index", x);
	if (home != NULL && home[0] == '/')
		return xasprintf("%s/.cache/facteur/index", home);
	return NULL;
}
