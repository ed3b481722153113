/*
 * state.c: the per-folder sync state file. A text file, one fact per
 * line, so that a user can read it and a damaged one is diagnosed by line:
 *
 *   facteur-sync 1
 *   uidvalidity 3857529045
 *   uidnext 4392
 *   modseq 715194045007
 *   local 1700000000 5 1700000000 7 1700000002 0
 *   m 4391 RS 1700000000.M1P2Q3.host,U=4391
 *
 * "m UID FLAGS NAME": FLAGS are the maildir letters as last synced ("-"
 * for none), NAME the file's unique part (up to ":2,"), to the end of the
 * line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "sync.h"

#define STATE_MAX	((size_t)256 * 1024 * 1024)
/* Bytes read for the lines before the messages' (sync_state_load_head). */
#define HEAD_MAX	4096
#define NAME_MAX_LEN	512

void
sync_state_init(struct sync_state *st)
{
	memset(st, 0, sizeof(*st));
}

void
sync_state_free(struct sync_state *st)
{
	size_t	i;

	for (i = 0; i < st->n; i++)
		free(st->e[i].name);
	free(st->e);
	sync_state_init(st);
}

struct sync_entry *
sync_state_find(const struct sync_state *st, uint32_t uid)
{
	size_t	lo = 0, hi = st->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (st->e[mid].uid == uid)
			return &st->e[mid];
		if (st->e[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void
sync_state_add(struct sync_state *st, uint32_t uid, unsigned flags,
    const char *name, size_t namelen)
{
	struct sync_entry	*e;
	size_t			 i;

	if ((e = sync_state_find(st, uid)) != NULL) {
		free(e->name);
		e->name = xstrndup(name, namelen);
		e->flags = (uint8_t)(flags & STORE_ALL_FLAGS);
		return;
	}
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 256;
		st->e = xreallocarray(st->e, st->cap, sizeof(*st->e));
	}
	/* Usually appended in order. */
	for (i = st->n; i > 0 && st->e[i - 1].uid > uid; i--)
		st->e[i] = st->e[i - 1];
	st->e[i].uid = uid;
	st->e[i].flags = (uint8_t)(flags & STORE_ALL_FLAGS);
	st->e[i].name = xstrndup(name, namelen);
	st->n++;
}

void
sync_state_remove(struct sync_state *st, uint32_t uid)
{
	struct sync_entry	*e = sync_state_find(st, uid);
	size_t			 i;

	if (e == NULL)
		return;
	i = (size_t)(e - st->e);
	free(e->name);
	memmove(&st->e[i], &st->e[i + 1], (st->n - i - 1) * sizeof(*st->e));
	st->n--;
}

int
sync_journal_parse(const char *data, size_t len, sync_journal_fn *fn,
    void *arg)
{
	const char	*p = data, *end = data + len, *nl;
	char		 name[NAME_MAX_LEN + 1];
	size_t		 n;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;		/* cut short by a crash */
		n = (size_t)(nl - p);
		if (n < 8 || memcmp(p, "append ", 7) != 0 ||
		    !sync_state_name_ok(p + 7, n - 7))
			continue;
		memcpy(name, p + 7, n - 7);
		name[n - 7] = '\0';
		if (fn(name, arg) == -1)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

static int
bad(struct store_err *err, size_t line, const char *what)
{
	(void)fct_snprintf(err->msg, sizeof(err->msg),
	    "%s line %zu: %s", SYNC_STATE_FILE, line, what);
	return -1;
}

static int
fail_path(struct store_err *err, const char *what, const char *path)
{
	(void)fct_snprintf(err->msg, sizeof(err->msg), "%s %s: %s", what,
	    path, strerror(errno));
	return -1;
}

static bool
number(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	return n > 0 && parse_u64(s, n, max, out) == 0;
}

static int
parse_flags(const char *s, size_t n, unsigned *flags)
{
	static const char	letters[] = "DFPRST";
	const char		*q;
	size_t			 i;

	*flags = 0;
	if (n == 1 && s[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		if ((q = strchr(letters, s[i])) == NULL || s[i] == '\0')
			return -1;
		*flags |= 1u << (q - letters);
	}
	return n > 0 ? 0 : -1;
}

/* A file name's unique part: whatever a maildir file name may hold (other
 * programs write names with spaces or tabs), except "/", ":" (the flags
 * start there), NUL and line ends; not starting with ".". */
bool
sync_state_name_ok(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > NAME_MAX_LEN || s[0] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (s[i] == '\0' || s[i] == '\n' || s[i] == '\r' ||
		    s[i] == '/' || s[i] == ':')
			return false;
	return true;
}

/* "local NEW_S NEW_NS CUR_S CUR_NS AT_S AT_NS" */
static int
parse_stamp(struct sync_state *st, const char *l, size_t n, size_t lineno,
    struct store_err *err)
{
	int64_t		*v[6];
	uint64_t	 x;
	size_t		 i = 6, k, start;

	v[0] = &st->stamp.new_s;
	v[1] = &st->stamp.new_ns;
	v[2] = &st->stamp.cur_s;
	v[3] = &st->stamp.cur_ns;
	v[4] = &st->stamp.at_s;
	v[5] = &st->stamp.at_ns;
	for (k = 0; k < 6; k++) {
		if (i >= n || l[i - 1] != ' ')
			return bad(err, lineno, "bad local stamp");
		start = i;
		while (i < n && l[i] != ' ')
			i++;
		if (!number(l + start, i - start, INT64_MAX, &x) ||
		    ((k & 1) && x >= 1000000000))
			return bad(err, lineno, "bad local stamp");
		*v[k] = (int64_t)x;
		i++;
	}
	if (i <= n)
		return bad(err, lineno, "bad local stamp");
	st->have_stamp = true;
	return 0;
}

static int
parse_line(struct sync_state *st, const char *l, size_t n, size_t lineno,
    uint32_t *last_uid, struct store_err *err)
{
	const char	*f[4];
	size_t		 len[4], k = 0, i = 0;
	uint64_t	 v;
	unsigned	 flags;

	if (n > 6 && memcmp(l, "local ", 6) == 0)
		return parse_stamp(st, l, n, lineno, err);
	/* Fields separated by single spaces; an "m" line's fourth, the
	 * file name, runs to the end of the line (names may hold spaces). */
	while (i <= n && k < 4) {
		f[k] = l + i;
		while (i < n && (l[i] != ' ' || (k == 3 && f[0][0] == 'm')))
			i++;
		len[k] = (size_t)(l + i - f[k]);
		k++;
		i++;
	}
	if (i <= n)
		return bad(err, lineno, "too many fields");
	if (k == 2 && len[0] == 11 && memcmp(f[0], "uidvalidity", 11) == 0) {
		if (!number(f[1], len[1], UINT32_MAX, &v) || v == 0)
			return bad(err, lineno, "bad uidvalidity");
		st->uidvalidity = (uint32_t)v;
	} else if (k == 2 && len[0] == 7 && memcmp(f[0], "uidnext", 7) == 0) {
		if (!number(f[1], len[1], UINT32_MAX, &v))
			return bad(err, lineno, "bad uidnext");
		st->uidnext = (uint32_t)v;
	} else if (k == 2 && len[0] == 6 && memcmp(f[0], "modseq", 6) == 0) {
		if (!number(f[1], len[1], INT64_MAX, &v))
			return bad(err, lineno, "bad modseq");
		st->modseq = v;
	} else if (k == 2 && len[0] == 8 && memcmp(f[0], "messages", 8) ==
	    0) {
		if (!number(f[1], len[1], UINT32_MAX, &v))
			return bad(err, lineno, "bad message count");
		st->count = (size_t)v;
		st->have_count = true;
	} else if (k == 4 && len[0] == 1 && f[0][0] == 'm') {
		if (!number(f[1], len[1], UINT32_MAX, &v) || v == 0)
			return bad(err, lineno, "bad uid");
		if (v <= *last_uid)
			return bad(err, lineno, "uids out of order");
		if (parse_flags(f[2], len[2], &flags) == -1)
			return bad(err, lineno, "bad flags");
		if (!sync_state_name_ok(f[3], len[3]))
			return bad(err, lineno, "bad file name");
		*last_uid = (uint32_t)v;
		sync_state_add(st, (uint32_t)v, flags, f[3], len[3]);
	} else
		return bad(err, lineno, "unknown line");
	return 0;
}

int
sync_state_parse(struct sync_state *st, const char *data, size_t len,
    struct store_err *err)
{
	const char	*p = data, *end = data + len, *nl;
	size_t		 lineno = 1;
	uint32_t	 last_uid = 0;

	sync_state_init(st);
	nl = memchr(p, '\n', len);
	if (nl == NULL || (size_t)(nl - p) != 14 ||
	    memcmp(p, "facteur-sync 1", 14) != 0)
		return bad(err, 1, "not a facteur sync state (version 1)");
	for (p = nl + 1; p < end; p = nl + 1) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL) {
			sync_state_free(st);
			return bad(err, lineno, "truncated");
		}
		if (parse_line(st, p, (size_t)(nl - p), lineno, &last_uid,
		    err) == -1) {
			sync_state_free(st);
			return -1;
		}
	}
	if (st->have_count && st->count != st->n) {
		sync_state_free(st);
		return bad(err, lineno, "the message count does not match");
	}
	return 0;
}

int
sync_file_read(const char *path, size_t max, struct buf *b,
    struct store_err *err)
{
	char		chunk[65536];
	ssize_t		r;
	int		fd;

	buf_init(b, max);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 1 : fail_path(err, "open", path);
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || buf_append(b, chunk, (size_t)r) == -1) {
			if (r >= 0)
				errno = EFBIG;
			(void)close(fd);
			buf_free(b);
			return fail_path(err, "read", path);
		}
	}
	(void)close(fd);
	return 0;
}

int
sync_state_load(struct sync_state *st, const char *dir,
    struct store_err *err)
{
	char		*path = xasprintf("%s/%s", dir, SYNC_STATE_FILE);
	struct buf	 b;
	int		 rc;

	sync_state_init(st);
	rc = sync_file_read(path, STATE_MAX, &b, err);
	free(path);
	if (rc != 0)
		return rc == 1 ? 0 : -1;
	rc = sync_state_parse(st, b.data != NULL ? b.data : "", b.len, err);
	buf_free(&b);
	return rc;
}

int
sync_state_load_head(struct sync_state *st, const char *dir,
    struct store_err *err)
{
	char		 head[HEAD_MAX], *path = xasprintf("%s/%s", dir,
	    SYNC_STATE_FILE);
	const char	*p, *end, *nl;
	ssize_t		 r;
	size_t		 lineno = 1;
	uint32_t	 last_uid = 0;
	int		 fd;

	sync_state_init(st);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	free(path);
	if (fd < 0)
		return 1;
	do
		r = read(fd, head, sizeof(head));
	while (r < 0 && errno == EINTR);
	(void)close(fd);
	if (r <= 14 || memcmp(head, "facteur-sync 1\n", 15) != 0)
		return 1;
	end = head + r;
	/* The lines before the first message's, whole ones only. */
	for (p = head + 15; p < end && !(end - p >= 2 && p[0] == 'm' &&
	    p[1] == ' '); p = nl + 1) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL || parse_line(st, p, (size_t)(nl - p), lineno,
		    &last_uid, err) == -1) {
			sync_state_init(st);
			return 1;
		}
	}
	if (!st->have_count || (p == end && (size_t)r == sizeof(head))) {
		sync_state_init(st);
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

int
sync_file_replace(const char *dir, const char *name, const struct buf *b,
    struct store_err *err)
{
	char	*tmp = xasprintf("%s/%s.tmp", dir, name);
	char	*path = xasprintf("%s/%s", dir, name);
	int	 rc = -1;

	(void)unlink(tmp);
	if (store_file_write_durable(tmp, b->data != NULL ? b->data : "",
	    b->len, err) == 0) {
		if (rename(tmp, path) != 0)
			(void)fail_path(err, "rename", tmp);
		else
			rc = store_dir_fsync(dir, err);
	}
	if (rc == -1)
		(void)unlink(tmp);
	free(tmp);
	free(path);
	return rc;
}

static void
flag_letters(unsigned flags, char out[8])
{
	static const char	letters[] = "DFPRST";
	size_t			i, n = 0;

	for (i = 0; i < 6; i++)
		if (flags & (1u << i))
			out[n++] = letters[i];
	if (n == 0)
		out[n++] = '-';
	out[n] = '\0';
}

int
sync_state_save(const struct sync_state *st, const char *dir,
    struct store_err *err)
{
	struct buf	 b;
	char		 fl[8];
	size_t		 i;
	int		 rc;

	buf_init(&b, STATE_MAX);
	/* uidvalidity 0 is "never synced": no line. */
	if (buf_append_str(&b, "facteur-sync 1\n") == -1 ||
	    (st->uidvalidity != 0 && buf_printf(&b, "uidvalidity %u\n",
	    (unsigned)st->uidvalidity) == -1) ||
	    buf_printf(&b, "uidnext %u\n", (unsigned)st->uidnext) == -1 ||
	    (st->modseq != 0 && buf_printf(&b, "modseq %llu\n",
	    (unsigned long long)st->modseq) == -1) ||
	    (st->have_stamp && buf_printf(&b, "local %lld %lld %lld %lld "
	    "%lld %lld\n", (long long)st->stamp.new_s,
	    (long long)st->stamp.new_ns, (long long)st->stamp.cur_s,
	    (long long)st->stamp.cur_ns, (long long)st->stamp.at_s,
	    (long long)st->stamp.at_ns) == -1) ||
	    buf_printf(&b, "messages %zu\n", st->n) == -1)
		goto toolong;
	if (st->modseq > INT64_MAX) {
		buf_free(&b);
		(void)fct_snprintf(err->msg, sizeof(err->msg),
		    "%s: mod-sequence out of range", dir);
		return -1;
	}
	for (i = 0; i < st->n; i++) {
		if (st->e[i].uid == 0 || !sync_state_name_ok(st->e[i].name,
		    strlen(st->e[i].name))) {
			char	shown[128];
			size_t	k;

			/* The engine never records such an entry; refuse
			 * rather than write a state that will not load. The
			 * name is shown without its control bytes. */
			(void)fct_strlcpy(shown, st->e[i].name, sizeof(shown));
			for (k = 0; shown[k] != '\0'; k++)
				if ((unsigned char)shown[k] < 0x20 ||
				    shown[k] == 0x7f)
					shown[k] = '?';
			buf_free(&b);
			(void)fct_snprintf(err->msg, sizeof(err->msg),
			    "%s: cannot record uid %u, file name \"%s\"", dir,
			    (unsigned)st->e[i].uid, shown);
			return -1;
		}
		flag_letters(st->e[i].flags, fl);
		if (buf_printf(&b, "m %u %s %s\n", (unsigned)st->e[i].uid, fl,
		    st->e[i].name) == -1)
			goto toolong;
	}
	rc = sync_file_replace(dir, SYNC_STATE_FILE, &b, err);
	buf_free(&b);
	return rc;
toolong:
	buf_free(&b);
	(void)fct_snprintf(err->msg, sizeof(err->msg),
	    "%s: sync state too large", dir);
	return -1;
}
