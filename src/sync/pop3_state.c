/*
 * pop3_state.c: what a POP3 account's INBOX knows of the server's
 * messages, by unique-id (UIDL): when each was downloaded (for
 * keep-on-server) and which local file holds it. A text file inside the
 * folder, one message per line, written aside and renamed:
 *
 *   facteur-pop3 1
 *   m 1700000000 whqtswO00WBw418f9t5JxYwZ 1700000000.M1P2Q3.host
 *
 * "m SECONDS UIDL NAME": the download time (seconds since the epoch),
 * the server's unique-id (1 to 70 characters 0x21 to 0x7E: no space),
 * and the file's unique part to the end of the line. The id is never a
 * file name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sync.h"

#define POP3_STATE_MAX	((size_t)64 * 1024 * 1024)
#define HEADER		"facteur-pop3 1"

void
sync_pop3_state_init(struct sync_pop3_state *st)
{
	memset(st, 0, sizeof(*st));
}

void
sync_pop3_state_free(struct sync_pop3_state *st)
{
	size_t	i;

	for (i = 0; i < st->n; i++) {
		free(st->e[i].uidl);
		free(st->e[i].name);
	}
	free(st->e);
	sync_pop3_state_init(st);
}

/* Where uidl is, or would go. */
static size_t
pos_of(const struct sync_pop3_state *st, const char *uidl, size_t len)
{
	size_t	lo = 0, hi = st->n, mid, ml;
	int	c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		ml = strlen(st->e[mid].uidl);
		c = memcmp(st->e[mid].uidl, uidl, ml < len ? ml : len);
		if (c < 0 || (c == 0 && ml < len))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct sync_pop3_entry *
sync_pop3_find(const struct sync_pop3_state *st, const char *uidl,
    size_t len)
{
	size_t	i = pos_of(st, uidl, len);

	return i < st->n && strlen(st->e[i].uidl) == len &&
	    memcmp(st->e[i].uidl, uidl, len) == 0 ? &st->e[i] : NULL;
}

/* A unique-id the file can hold: RFC 1939's 1 to 70 characters. */
static bool
uidl_ok(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > SYNC_POP3_UIDL_MAX)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

int
sync_pop3_add(struct sync_pop3_state *st, const char *uidl, size_t len,
    int64_t fetched, const char *name)
{
	size_t	i;

	if (!uidl_ok(uidl, len) || fetched < 0 ||
	    !sync_state_name_ok(name, strlen(name)))
		return -1;
	i = pos_of(st, uidl, len);
	if (i < st->n && strlen(st->e[i].uidl) == len &&
	    memcmp(st->e[i].uidl, uidl, len) == 0)
		return -1;
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 64;
		st->e = xreallocarray(st->e, st->cap, sizeof(*st->e));
	}
	memmove(&st->e[i + 1], &st->e[i], (st->n - i) * sizeof(*st->e));
	st->e[i].uidl = xstrndup(uidl, len);
	st->e[i].fetched = fetched;
	st->e[i].name = xstrdup(name);
	st->n++;
	return 0;
}

void
sync_pop3_drop(struct sync_pop3_state *st, const char *uidl, size_t len)
{
	size_t	i = pos_of(st, uidl, len);

	if (i >= st->n || strlen(st->e[i].uidl) != len ||
	    memcmp(st->e[i].uidl, uidl, len) != 0)
		return;
	free(st->e[i].uidl);
	free(st->e[i].name);
	memmove(&st->e[i], &st->e[i + 1], (st->n - i - 1) * sizeof(*st->e));
	st->n--;
}

static int
bad(struct store_err *err, size_t line, const char *what)
{
	(void)fct_snprintf(err->msg, sizeof(err->msg), "%s line %zu: %s",
	    SYNC_POP3_STATE_FILE, line, what);
	return -1;
}

/* "m SECONDS UIDL NAME" */
static int
parse_line(struct sync_pop3_state *st, const char *l, size_t n,
    size_t lineno, struct store_err *err)
{
	const char	*sp1, *sp2, *end = l + n;
	uint64_t	 secs;
	char		*name;
	int		 rc;

	if (n < 2 || l[0] != 'm' || l[1] != ' ')
		return bad(err, lineno, "expected \"m SECONDS UIDL NAME\"");
	l += 2;
	if ((sp1 = memchr(l, ' ', (size_t)(end - l))) == NULL || sp1 == l ||
	    parse_u64(l, (size_t)(sp1 - l), INT64_MAX, &secs) == -1 ||
	    (sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1))) == NULL)
		return bad(err, lineno, "expected \"m SECONDS UIDL NAME\"");
	if (!uidl_ok(sp1 + 1, (size_t)(sp2 - sp1 - 1)))
		return bad(err, lineno, "bad unique-id");
	if (!sync_state_name_ok(sp2 + 1, (size_t)(end - sp2 - 1)))
		return bad(err, lineno, "bad file name");
	name = xstrndup(sp2 + 1, (size_t)(end - sp2 - 1));
	rc = sync_pop3_add(st, sp1 + 1, (size_t)(sp2 - sp1 - 1),
	    (int64_t)secs, name);
	free(name);
	return rc == 0 ? 0 : bad(err, lineno, "unique-id twice");
}

int
sync_pop3_state_parse(struct sync_pop3_state *st, const char *data,
    size_t len, struct store_err *err)
{
	const char	*p, *end = data + len, *nl;
	size_t		 lineno = 1;

	sync_pop3_state_init(st);
	nl = memchr(data, '\n', len);
	if (nl == NULL || (size_t)(nl - data) != strlen(HEADER) ||
	    memcmp(data, HEADER, strlen(HEADER)) != 0)
		return bad(err, 1, "not a facteur POP3 state (version 1)");
	for (p = nl + 1; p < end; p = nl + 1) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
		    parse_line(st, p, (size_t)(nl - p), lineno, err) == -1) {
			if (nl == NULL)
				(void)bad(err, lineno, "truncated");
			sync_pop3_state_free(st);
			return -1;
		}
	}
	return 0;
}

int
sync_pop3_state_format(const struct sync_pop3_state *st, struct buf *b)
{
	size_t	i;

	if (buf_append_str(b, HEADER "\n") == -1)
		return -1;
	for (i = 0; i < st->n; i++)
		if (buf_printf(b, "m %lld %s %s\n",
		    (long long)st->e[i].fetched, st->e[i].uidl,
		    st->e[i].name) == -1)
			return -1;
	return 0;
}

int
sync_pop3_state_load(struct sync_pop3_state *st, const char *dir,
    struct store_err *err)
{
	char		*path = xasprintf("%s/%s", dir, SYNC_POP3_STATE_FILE);
	struct buf	 b;
	int		 rc;

	sync_pop3_state_init(st);
	rc = sync_file_read(path, POP3_STATE_MAX, &b, err);
	free(path);
	if (rc != 0)
		return rc == 1 ? 0 : -1;
	rc = sync_pop3_state_parse(st, b.data != NULL ? b.data : "", b.len,
	    err);
	buf_free(&b);
	return rc;
}

int
sync_pop3_state_save(const struct sync_pop3_state *st, const char *dir,
    struct store_err *err)
{
	struct buf	b;
	int		rc;

	buf_init(&b, POP3_STATE_MAX);
	if (sync_pop3_state_format(st, &b) == -1) {
		buf_free(&b);
		(void)fct_snprintf(err->msg, sizeof(err->msg), "%s: POP3 "
		    "state too large", dir);
		return -1;
	}
	rc = sync_file_replace(dir, SYNC_POP3_STATE_FILE, &b, err);
	buf_free(&b);
	return rc;
}
