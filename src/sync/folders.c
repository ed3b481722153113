/*
 * folders.c: the account's record of its server folders (see sync.h):
 * which the last sync saw, with their UIDVALIDITY, and which folder the
 * server names for each special use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "buf.h"
#include "sync.h"

#define FOLDERS_MAX	((size_t)16 * 1024 * 1024)
#define HEADER		"facteur-folders 1"

static const char *const special_words[SYNC_SPECIAL_N] = {
	"sent", "drafts", "trash", "junk", "archive"
};

const char *
sync_special_word(enum sync_special which)
{
	return (unsigned)which < SYNC_SPECIAL_N ? special_words[which] : "";
}

void
sync_folders_init(struct sync_folders *sf)
{
	memset(sf, 0, sizeof(*sf));
}

void
sync_folders_free(struct sync_folders *sf)
{
	size_t	i;

	for (i = 0; i < SYNC_SPECIAL_N; i++)
		free(sf->special[i]);
	for (i = 0; i < sf->n; i++) {
		free(sf->v[i].name);
		free(sf->v[i].mailbox);
	}
	free(sf->v);
	sync_folders_init(sf);
}

/* Where name is, or would go: the first record not before it. */
static size_t
folders_pos(const struct sync_folders *sf, const char *name)
{
	size_t	lo = 0, hi = sf->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(sf->v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct sync_folder_rec *
sync_folders_find(const struct sync_folders *sf, const char *name)
{
	size_t	i = folders_pos(sf, name);

	return i < sf->n && strcmp(sf->v[i].name, name) == 0 ? &sf->v[i] :
	    NULL;
}

/* A folder name the record can hold and read back: one the store
 * accepts, with no control byte (a line end would forge a record). */
static bool
name_ok(const char *s, size_t n)
{
	size_t	i;
	char	*name;
	bool	 ok;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	name = xstrndup(s, n);
	ok = store_folder_name_ok(name);
	free(name);
	return ok;
}

void
sync_folders_set(struct sync_folders *sf, const char *name,
    uint32_t uidvalidity, uint32_t uidnext)
{
	size_t	i;

	if (!name_ok(name, strlen(name)))
		return;		/* never recorded: no rename or deletion */
	i = folders_pos(sf, name);

	if (i < sf->n && strcmp(sf->v[i].name, name) == 0) {
		sf->v[i].uidvalidity = uidvalidity;
		sf->v[i].uidnext = uidnext;
		return;
	}
	if (sf->n == sf->cap) {
		sf->cap = sf->cap ? sf->cap * 2 : 16;
		sf->v = xreallocarray(sf->v, sf->cap, sizeof(*sf->v));
	}
	memmove(&sf->v[i + 1], &sf->v[i], (sf->n - i) * sizeof(*sf->v));
	sf->v[i].name = xstrdup(name);
	sf->v[i].mailbox = NULL;
	sf->v[i].uidvalidity = uidvalidity;
	sf->v[i].uidnext = uidnext;
	sf->n++;
}

/* A server name the record can hold: not empty, bounded, no control
 * byte (a tab would end it, a line end forge a record). */
static bool
mailbox_ok(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > BOUND_MAILBOX_NAME)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

void
sync_folders_set_mailbox(struct sync_folders *sf, const char *name,
    const char *mailbox)
{
	size_t	i = folders_pos(sf, name);

	if (i >= sf->n || strcmp(sf->v[i].name, name) != 0)
		return;
	free(sf->v[i].mailbox);
	sf->v[i].mailbox = mailbox != NULL && mailbox_ok(mailbox,
	    strlen(mailbox)) ? xstrdup(mailbox) : NULL;
}

void
sync_folders_drop(struct sync_folders *sf, const char *name)
{
	size_t	i = folders_pos(sf, name);

	if (i >= sf->n || strcmp(sf->v[i].name, name) != 0)
		return;
	free(sf->v[i].name);
	free(sf->v[i].mailbox);
	memmove(&sf->v[i], &sf->v[i + 1], (sf->n - i - 1) * sizeof(*sf->v));
	sf->n--;
}

static int
bad(struct store_err *err, size_t line, const char *what)
{
	(void)fct_snprintf(err->msg, sizeof(err->msg), "%s line %zu: %s",
	    SYNC_FOLDERS_FILE, line, what);
	return -1;
}

/* A folder name read from the record, or NULL. */
static char *
name_of(const char *s, size_t n)
{
	return name_ok(s, n) ? xstrndup(s, n) : NULL;
}

static int
parse_line(struct sync_folders *sf, const char *l, size_t n, size_t lineno,
    struct store_err *err)
{
	const char	*sp;
	char		*name;
	uint64_t	 v;
	size_t		 i, wl;

	if (n >= 8 && memcmp(l, "special ", 8) == 0) {
		l += 8;
		n -= 8;
		if ((sp = memchr(l, ' ', n)) == NULL)
			return bad(err, lineno, "expected \"special USE "
			    "FOLDER\"");
		wl = (size_t)(sp - l);
		for (i = 0; i < SYNC_SPECIAL_N; i++)
			if (strlen(special_words[i]) == wl &&
			    memcmp(special_words[i], l, wl) == 0)
				break;
		if (i == SYNC_SPECIAL_N)
			return bad(err, lineno, "expected sent, drafts, "
			    "trash, junk or archive");
		if ((name = name_of(sp + 1, n - wl - 1)) == NULL)
			return bad(err, lineno, "expected a folder name");
		free(sf->special[i]);
		sf->special[i] = name;
		return 0;
	}
	if (n >= 7 && memcmp(l, "folder ", 7) == 0) {
		uint64_t	next;
		const char	*sp2, *tab;

		l += 7;
		n -= 7;
		if ((sp = memchr(l, ' ', n)) == NULL ||
		    parse_u64(l, (size_t)(sp - l), UINT32_MAX, &v) == -1 ||
		    (sp2 = memchr(sp + 1, ' ', (size_t)(l + n - sp - 1))) ==
		    NULL || parse_u64(sp + 1, (size_t)(sp2 - sp - 1),
		    UINT32_MAX, &next) == -1)
			return bad(err, lineno, "expected \"folder "
			    "UIDVALIDITY UIDNEXT NAME\"");
		/* "NAME" or "NAME<TAB>MAILBOX" (the server's name). */
		tab = memchr(sp2 + 1, '\t', (size_t)(l + n - sp2 - 1));
		if ((name = name_of(sp2 + 1, (size_t)((tab != NULL ? tab :
		    l + n) - sp2 - 1))) == NULL)
			return bad(err, lineno, "expected a folder name");
		if (tab != NULL && !mailbox_ok(tab + 1, (size_t)(l + n - tab -
		    1))) {
			free(name);
			return bad(err, lineno, "expected the server's name "
			    "after the tab");
		}
		sync_folders_set(sf, name, (uint32_t)v, (uint32_t)next);
		if (tab != NULL) {
			char	*mb = xstrndup(tab + 1, (size_t)(l + n - tab -
			    1));

			sync_folders_set_mailbox(sf, name, mb);
			free(mb);
		}
		free(name);
		return 0;
	}
	return bad(err, lineno, "expected \"special\" or \"folder\"");
}

int
sync_folders_parse(struct sync_folders *sf, const char *data, size_t len,
    struct store_err *err)
{
	const char	*p, *end = data + len, *nl;
	size_t		 lineno = 1;

	sync_folders_init(sf);
	nl = memchr(data, '\n', len);
	if (nl == NULL || (size_t)(nl - data) != strlen(HEADER) ||
	    memcmp(data, HEADER, strlen(HEADER)) != 0)
		return bad(err, 1, "not a facteur folder record (version 1)");
	for (p = nl + 1; p < end; p = nl + 1) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
		    parse_line(sf, p, (size_t)(nl - p), lineno, err) == -1) {
			if (nl == NULL)
				(void)bad(err, lineno, "truncated");
			sync_folders_free(sf);
			return -1;
		}
	}
	return 0;
}

int
sync_folders_load(struct sync_folders *sf, const char *root,
    struct store_err *err)
{
	char		*path = xasprintf("%s/%s", root, SYNC_FOLDERS_FILE);
	struct buf	 b;
	int		 rc;

	sync_folders_init(sf);
	rc = sync_file_read(path, FOLDERS_MAX, &b, err);
	free(path);
	if (rc != 0)
		return rc == 1 ? 0 : -1;
	rc = sync_folders_parse(sf, b.data != NULL ? b.data : "", b.len, err);
	buf_free(&b);
	return rc;
}

int
sync_folders_save(const struct sync_folders *sf, const char *root,
    struct store_err *err)
{
	struct buf	b;
	size_t		i;
	int		rc = 0;

	buf_init(&b, FOLDERS_MAX);
	rc = buf_append_str(&b, HEADER "\n");
	/* Names that would not read back are left out (sync_folders_set()
	 * never takes them; special[] is set by callers). */
	for (i = 0; i < SYNC_SPECIAL_N && rc == 0; i++)
		if (sf->special[i] != NULL && name_ok(sf->special[i],
		    strlen(sf->special[i])))
			rc = buf_printf(&b, "special %s %s\n", special_words[i],
			    sf->special[i]);
	for (i = 0; i < sf->n && rc == 0; i++)
		rc = buf_printf(&b, "folder %u %u %s%s%s\n",
		    (unsigned)sf->v[i].uidvalidity,
		    (unsigned)sf->v[i].uidnext, sf->v[i].name,
		    sf->v[i].mailbox != NULL ? "\t" : "",
		    sf->v[i].mailbox != NULL ? sf->v[i].mailbox : "");
	if (rc == 0)
		rc = sync_file_replace(root, SYNC_FOLDERS_FILE, &b, err);
	else
		(void)fct_snprintf(err->msg, sizeof(err->msg),
		    "%s: folder record too large", root);
	buf_free(&b);
	return rc;
}

char *
sync_special_folder_new(const char *root, enum sync_special which)
{
	struct sync_folders	 sf;
	struct store_err	 err;
	char			*name = NULL;

	if ((unsigned)which >= SYNC_SPECIAL_N ||
	    sync_folders_load(&sf, root, &err) == -1)
		return NULL;
	if (sf.special[which] != NULL)
		name = xstrdup(sf.special[which]);
	sync_folders_free(&sf);
	return name;
}
