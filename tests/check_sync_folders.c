/*
 * check_sync_folders.c: unit tests of the account's folder record
 * (include/sync.h "The account's folders", src/sync/folders.c): the
 * table of folders (set, drop, find, kept sorted by name; each with its
 * UIDVALIDITY and UIDNEXT), the special uses and their words, the exact
 * bytes written, save then load round trips (UTF-8 names included),
 * hostile and corrupt files (each rejected with its line named, nothing
 * half-read kept), names that could not be read back refused, and
 * sync_special_folder_new().
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sync.h"
#include "tests.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

#define HDR_TEXT	"not a facteur folder record (version 1)"

static char	tmpdir[256];

static void
setup(void)
{
	(void)fct_strlcpy(tmpdir, "/tmp/facteur-sync-folders-XXXXXX",
	    sizeof(tmpdir));
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	test_remove_tree(tmpdir);
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static char *
folders_path(const char *root)
{
	return xasprintf("%s/%s", root, SYNC_FOLDERS_FILE);
}

static void
write_record(const char *root, const char *data, size_t len)
{
	char	*path = folders_path(root);

	test_write_file(path, data, len);
	free(path);
}

static void
write_text(const char *root, const char *text)
{
	write_record(root, text, strlen(text));
}

/* root/.facteur-folders holds exactly want. */
static void
expect_file(const char *root, const char *want)
{
	struct buf	 b;
	char		*path = folders_path(root);
	size_t		 wantlen = strlen(want);

	buf_init(&b, 64u << 20);
	ck_assert_msg(test_read_file(path, &b) == 0, "%s: cannot read", path);
	ck_assert_uint_eq(b.len, wantlen);
	ck_assert_mem_eq(b.data, want, wantlen);
	buf_free(&b);
	free(path);
}

static void
save_ok(const struct sync_folders *sf, const char *root)
{
	struct store_err	err;

	err.msg[0] = '\0';
	ck_assert_msg(sync_folders_save(sf, root, &err) == 0, "save: %s",
	    err.msg);
}

static void
load_ok(struct sync_folders *sf, const char *root)
{
	struct store_err	err;

	err.msg[0] = '\0';
	ck_assert_msg(sync_folders_load(sf, root, &err) == 0, "load: %s",
	    err.msg);
}

/* Parse a string that must parse; from an exact-size copy, so that
 * ASan sees any read past the end. */
static void
parse_ok(struct sync_folders *sf, const char *data, size_t len)
{
	struct store_err	 err;
	char			*copy;

	copy = malloc(len > 0 ? len : 1);
	ck_assert_ptr_nonnull(copy);
	if (len > 0)
		memcpy(copy, data, len);
	err.msg[0] = '\0';
	ck_assert_msg(sync_folders_parse(sf, copy, len, &err) == 0,
	    "parse: %s", err.msg);
	free(copy);
}

static void
assert_empty(const struct sync_folders *sf)
{
	size_t	i;

	for (i = 0; i < SYNC_SPECIAL_N; i++)
		ck_assert_ptr_null(sf->special[i]);
	ck_assert_uint_eq(sf->n, 0);
	ck_assert_ptr_null(sf->v);
}

/* Names strictly increasing in strcmp() order, each found by find(). */
static void
assert_sorted(const struct sync_folders *sf)
{
	size_t	i;

	ck_assert_uint_le(sf->n, sf->cap);
	for (i = 0; i < sf->n; i++) {
		ck_assert_ptr_nonnull(sf->v[i].name);
		if (i > 0)
			ck_assert_msg(strcmp(sf->v[i - 1].name,
			    sf->v[i].name) < 0, "record %zu: \"%s\" after "
			    "\"%s\"", i, sf->v[i].name, sf->v[i - 1].name);
		ck_assert_ptr_eq(sync_folders_find(sf, sf->v[i].name),
		    &sf->v[i]);
	}
}

static void
assert_same(const struct sync_folders *a, const struct sync_folders *b)
{
	size_t	i;

	for (i = 0; i < SYNC_SPECIAL_N; i++) {
		if (a->special[i] == NULL)
			ck_assert_ptr_null(b->special[i]);
		else {
			ck_assert_ptr_nonnull(b->special[i]);
			ck_assert_str_eq(a->special[i], b->special[i]);
		}
	}
	ck_assert_uint_eq(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		ck_assert_str_eq(a->v[i].name, b->v[i].name);
		ck_assert_uint_eq(a->v[i].uidvalidity, b->v[i].uidvalidity);
		ck_assert_uint_eq(a->v[i].uidnext, b->v[i].uidnext);
	}
}

/* The record of name; fails when there is none. */
static const struct sync_folder_rec *
rec_of(const struct sync_folders *sf, const char *name)
{
	const struct sync_folder_rec	*r = sync_folders_find(sf, name);

	ck_assert_msg(r != NULL, "no record for \"%s\"", name);
	ck_assert_str_eq(r->name, name);
	return r;
}

static uint32_t
uidvalidity_of(const struct sync_folders *sf, const char *name)
{
	return rec_of(sf, name)->uidvalidity;
}

static uint32_t
uidnext_of(const struct sync_folders *sf, const char *name)
{
	return rec_of(sf, name)->uidnext;
}

/* Save sf into tmpdir, check the bytes, load it back, compare. */
static void
round_trip(const struct sync_folders *sf, const char *want)
{
	struct sync_folders	back;

	save_ok(sf, tmpdir);
	expect_file(tmpdir, want);
	load_ok(&back, tmpdir);
	assert_same(sf, &back);
	assert_sorted(&back);
	sync_folders_free(&back);
}

/* ------------------------------------------------------------------ */
/* The table: init, free, set, drop, find                              */

START_TEST(test_init_free)
{
	struct sync_folders	sf;

	memset(&sf, 0x5a, sizeof(sf));
	sync_folders_init(&sf);
	assert_empty(&sf);
	ck_assert_uint_eq(sf.cap, 0);
	sync_folders_free(&sf);
	assert_empty(&sf);
	sync_folders_set(&sf, "INBOX", 1, 2);
	sf.special[SYNC_SPECIAL_TRASH] = xstrdup("Trash");
	ck_assert_uint_eq(sf.n, 1);
	sync_folders_free(&sf);
	assert_empty(&sf);
	ck_assert_uint_eq(sf.cap, 0);
	/* Freeing twice is harmless: free leaves an empty record. */
	sync_folders_free(&sf);
	assert_empty(&sf);
}
END_TEST

START_TEST(test_set_sorted)
{
	static const char *const in[] = {
		"Sent", "INBOX", "Archives/2024", "Archives", "Projets/Été",
		"Drafts", "Archives/2023", "Zed", "a", "Projets", "Ärger",
		"Archives 2", "Archives-old"
	};
	static const char *const want[] = {
		"Archives", "Archives 2", "Archives-old", "Archives/2023",
		"Archives/2024", "Drafts", "INBOX", "Projets", "Projets/Été",
		"Sent", "Zed", "a", "Ärger"
	};
	struct sync_folders	sf;
	size_t			i;

	sync_folders_init(&sf);
	for (i = 0; i < NITEMS(in); i++) {
		sync_folders_set(&sf, in[i], (uint32_t)(100 + i),
		    (uint32_t)(200 + i));
		ck_assert_uint_eq(sf.n, i + 1);
		assert_sorted(&sf);
	}
	ck_assert_uint_eq(sf.n, NITEMS(want));
	for (i = 0; i < NITEMS(want); i++)
		ck_assert_str_eq(sf.v[i].name, want[i]);
	for (i = 0; i < NITEMS(in); i++) {
		ck_assert_uint_eq(uidvalidity_of(&sf, in[i]), 100 + i);
		ck_assert_uint_eq(uidnext_of(&sf, in[i]), 200 + i);
	}
	sync_folders_free(&sf);
}
END_TEST

START_TEST(test_set_updates)
{
	struct sync_folders	 sf;
	char			*name;

	sync_folders_init(&sf);
	sync_folders_set(&sf, "b", 1, 11);
	sync_folders_set(&sf, "a", 2, 12);
	sync_folders_set(&sf, "c", 3, 13);
	name = sf.v[1].name;
	ck_assert_str_eq(name, "b");
	sync_folders_set(&sf, "b", 42, 43);
	/* In place: same slot, same string, no new record. */
	ck_assert_uint_eq(sf.n, 3);
	ck_assert_ptr_eq(sf.v[1].name, name);
	ck_assert_uint_eq(sf.v[1].uidvalidity, 42);
	ck_assert_uint_eq(sf.v[1].uidnext, 43);
	ck_assert_uint_eq(uidvalidity_of(&sf, "a"), 2);
	ck_assert_uint_eq(uidnext_of(&sf, "a"), 12);
	ck_assert_uint_eq(uidvalidity_of(&sf, "c"), 3);
	ck_assert_uint_eq(uidnext_of(&sf, "c"), 13);
	/* The same uidvalidity, a new uidnext: the uidnext moves. */
	sync_folders_set(&sf, "b", 42, 99);
	ck_assert_uint_eq(uidvalidity_of(&sf, "b"), 42);
	ck_assert_uint_eq(uidnext_of(&sf, "b"), 99);
	sync_folders_set(&sf, "b", 0, 0);
	ck_assert_uint_eq(sf.n, 3);
	ck_assert_uint_eq(uidvalidity_of(&sf, "b"), 0);
	ck_assert_uint_eq(uidnext_of(&sf, "b"), 0);
	sync_folders_set(&sf, "b", UINT32_MAX, UINT32_MAX);
	ck_assert_uint_eq(uidvalidity_of(&sf, "b"), UINT32_MAX);
	ck_assert_uint_eq(uidnext_of(&sf, "b"), UINT32_MAX);
	assert_sorted(&sf);
	sync_folders_free(&sf);
}
END_TEST

START_TEST(test_set_copies_name)
{
	struct sync_folders	sf;
	char			name[16];

	sync_folders_init(&sf);
	(void)fct_strlcpy(name, "Lists/dev", sizeof(name));
	sync_folders_set(&sf, name, 7, 8);
	ck_assert_ptr_ne(sf.v[0].name, name);
	memset(name, 'x', sizeof(name) - 1);
	ck_assert_str_eq(sf.v[0].name, "Lists/dev");
	ck_assert_uint_eq(uidvalidity_of(&sf, "Lists/dev"), 7);
	ck_assert_uint_eq(uidnext_of(&sf, "Lists/dev"), 8);
	sync_folders_free(&sf);
}
END_TEST

START_TEST(test_find)
{
	struct sync_folders		 sf;
	const struct sync_folder_rec	*r;

	sync_folders_init(&sf);
	ck_assert_ptr_null(sync_folders_find(&sf, "INBOX"));
	ck_assert_ptr_null(sync_folders_find(&sf, ""));
	sync_folders_set(&sf, "Archives/2024", 24, 240);
	sync_folders_set(&sf, "INBOX", 1, 10);
	sync_folders_set(&sf, "Archives", 20, 200);
	r = sync_folders_find(&sf, "Archives");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->name, "Archives");
	ck_assert_uint_eq(r->uidvalidity, 20);
	ck_assert_uint_eq(r->uidnext, 200);
	r = sync_folders_find(&sf, "Archives/2024");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->uidvalidity, 24);
	ck_assert_uint_eq(r->uidnext, 240);
	/* Exact names only: no prefix, no case folding. */
	ck_assert_ptr_null(sync_folders_find(&sf, "Archives/"));
	ck_assert_ptr_null(sync_folders_find(&sf, "Archive"));
	ck_assert_ptr_null(sync_folders_find(&sf, "Archives/2024/x"));
	ck_assert_ptr_null(sync_folders_find(&sf, "inbox"));
	ck_assert_ptr_null(sync_folders_find(&sf, "A"));
	ck_assert_ptr_null(sync_folders_find(&sf, "Z"));
	ck_assert_ptr_null(sync_folders_find(&sf, ""));
	sync_folders_free(&sf);
}
END_TEST

START_TEST(test_drop)
{
	struct sync_folders	sf;

	sync_folders_init(&sf);
	/* Dropping from an empty record is a no-op. */
	sync_folders_drop(&sf, "INBOX");
	ck_assert_uint_eq(sf.n, 0);
	sync_folders_set(&sf, "a", 1, 11);
	sync_folders_set(&sf, "b", 2, 12);
	sync_folders_set(&sf, "c", 3, 13);
	sync_folders_set(&sf, "d", 4, 14);
	sync_folders_set(&sf, "e", 5, 15);
	/* Not there (a prefix, a longer name): nothing changes. */
	sync_folders_drop(&sf, "bb");
	sync_folders_drop(&sf, "");
	sync_folders_drop(&sf, "f");
	ck_assert_uint_eq(sf.n, 5);
	/* The middle, the first, the last. */
	sync_folders_drop(&sf, "c");
	ck_assert_uint_eq(sf.n, 4);
	ck_assert_ptr_null(sync_folders_find(&sf, "c"));
	sync_folders_drop(&sf, "a");
	ck_assert_uint_eq(sf.n, 3);
	ck_assert_ptr_null(sync_folders_find(&sf, "a"));
	sync_folders_drop(&sf, "e");
	ck_assert_uint_eq(sf.n, 2);
	ck_assert_ptr_null(sync_folders_find(&sf, "e"));
	ck_assert_str_eq(sf.v[0].name, "b");
	ck_assert_uint_eq(sf.v[0].uidvalidity, 2);
	ck_assert_uint_eq(sf.v[0].uidnext, 12);
	ck_assert_str_eq(sf.v[1].name, "d");
	ck_assert_uint_eq(sf.v[1].uidvalidity, 4);
	ck_assert_uint_eq(sf.v[1].uidnext, 14);
	assert_sorted(&sf);
	/* Twice: the second is a no-op. */
	sync_folders_drop(&sf, "b");
	sync_folders_drop(&sf, "b");
	ck_assert_uint_eq(sf.n, 1);
	sync_folders_drop(&sf, "d");
	ck_assert_uint_eq(sf.n, 0);
	/* And it can grow again. */
	sync_folders_set(&sf, "c", 33, 34);
	ck_assert_uint_eq(sf.n, 1);
	ck_assert_uint_eq(uidvalidity_of(&sf, "c"), 33);
	ck_assert_uint_eq(uidnext_of(&sf, "c"), 34);
	sync_folders_free(&sf);
}
END_TEST

/* Dropping from a table filled to its capacity (the first growth is 16
 * records): under ASan, any move past the end shows. */
START_TEST(test_drop_full)
{
	struct sync_folders	sf;
	char			name[32];
	size_t			i, full;

	sync_folders_init(&sf);
	sync_folders_set(&sf, "f00", 0, 1);
	full = sf.cap;
	ck_assert_uint_ge(full, 2);
	for (i = 1; i < full; i++) {
		(void)snprintf(name, sizeof(name), "f%02zu", i);
		sync_folders_set(&sf, name, (uint32_t)i, (uint32_t)i + 1);
	}
	ck_assert_uint_eq(sf.n, sf.cap);
	sync_folders_drop(&sf, "f00");
	ck_assert_uint_eq(sf.n, full - 1);
	ck_assert_str_eq(sf.v[0].name, "f01");
	ck_assert_uint_eq(sf.v[0].uidvalidity, 1);
	ck_assert_uint_eq(sf.v[0].uidnext, 2);
	sync_folders_set(&sf, "f00", 0, 1);
	ck_assert_uint_eq(sf.n, sf.cap);
	(void)snprintf(name, sizeof(name), "f%02zu", full - 1);
	sync_folders_drop(&sf, name);
	ck_assert_uint_eq(sf.n, full - 1);
	ck_assert_ptr_null(sync_folders_find(&sf, name));
	assert_sorted(&sf);
	for (i = 0; i + 1 < full; i++) {
		(void)snprintf(name, sizeof(name), "f%02zu", i);
		ck_assert_uint_eq(uidvalidity_of(&sf, name), i);
		ck_assert_uint_eq(uidnext_of(&sf, name), i + 1);
	}
	sync_folders_free(&sf);
}
END_TEST

/* Dropping leaves the specials alone: they are not folder records. */
START_TEST(test_drop_keeps_specials)
{
	struct sync_folders	sf;

	sync_folders_init(&sf);
	sf.special[SYNC_SPECIAL_SENT] = xstrdup("Sent");
	sync_folders_set(&sf, "Sent", 9, 10);
	sync_folders_drop(&sf, "Sent");
	ck_assert_uint_eq(sf.n, 0);
	ck_assert_ptr_nonnull(sf.special[SYNC_SPECIAL_SENT]);
	ck_assert_str_eq(sf.special[SYNC_SPECIAL_SENT], "Sent");
	sync_folders_free(&sf);
}
END_TEST

/* Many names in a scrambled order: sorted, each found, drop half. */
START_TEST(test_many)
{
	struct sync_folders	sf;
	char			name[32];
	size_t			i, k;
	const size_t		n = 1000;

	sync_folders_init(&sf);
	for (i = 0; i < n; i++) {
		k = (i * 7919) % n;	/* a permutation: 7919 is prime */
		(void)snprintf(name, sizeof(name), "f/%04zu", k);
		sync_folders_set(&sf, name, (uint32_t)k + 1,
		    (uint32_t)(n - k));
	}
	ck_assert_uint_eq(sf.n, n);
	assert_sorted(&sf);
	for (i = 0; i < n; i++) {
		(void)snprintf(name, sizeof(name), "f/%04zu", i);
		ck_assert_str_eq(sf.v[i].name, name);
		ck_assert_uint_eq(sf.v[i].uidvalidity, i + 1);
		ck_assert_uint_eq(sf.v[i].uidnext, n - i);
	}
	for (i = 0; i < n; i += 2) {
		(void)snprintf(name, sizeof(name), "f/%04zu", i);
		sync_folders_drop(&sf, name);
	}
	ck_assert_uint_eq(sf.n, n / 2);
	assert_sorted(&sf);
	for (i = 0; i < n; i++) {
		(void)snprintf(name, sizeof(name), "f/%04zu", i);
		if (i % 2 == 0)
			ck_assert_ptr_null(sync_folders_find(&sf, name));
		else {
			ck_assert_uint_eq(uidvalidity_of(&sf, name), i + 1);
			ck_assert_uint_eq(uidnext_of(&sf, name), n - i);
		}
	}
	sync_folders_free(&sf);
}
END_TEST

START_TEST(test_special_word)
{
	ck_assert_str_eq(sync_special_word(SYNC_SPECIAL_SENT), "sent");
	ck_assert_str_eq(sync_special_word(SYNC_SPECIAL_DRAFTS), "drafts");
	ck_assert_str_eq(sync_special_word(SYNC_SPECIAL_TRASH), "trash");
	ck_assert_str_eq(sync_special_word(SYNC_SPECIAL_JUNK), "junk");
	ck_assert_str_eq(sync_special_word(SYNC_SPECIAL_ARCHIVE), "archive");
	/* Out of range: an empty word, never a crash. */
	ck_assert_str_eq(sync_special_word(SYNC_SPECIAL_N), "");
	ck_assert_str_eq(sync_special_word((enum sync_special)99), "");
	ck_assert_str_eq(sync_special_word((enum sync_special)-1), "");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Parsing good records                                                */

#define H	"facteur-folders 1\n"

/* The example of sync.h. */
START_TEST(test_parse_example)
{
	static const char	text[] = H "special sent Sent\n"
	    "folder 1700000001 43 Archives/2024\n";
	struct sync_folders	sf;

	parse_ok(&sf, text, sizeof(text) - 1);
	ck_assert_ptr_nonnull(sf.special[SYNC_SPECIAL_SENT]);
	ck_assert_str_eq(sf.special[SYNC_SPECIAL_SENT], "Sent");
	ck_assert_ptr_null(sf.special[SYNC_SPECIAL_DRAFTS]);
	ck_assert_ptr_null(sf.special[SYNC_SPECIAL_TRASH]);
	ck_assert_ptr_null(sf.special[SYNC_SPECIAL_JUNK]);
	ck_assert_ptr_null(sf.special[SYNC_SPECIAL_ARCHIVE]);
	ck_assert_uint_eq(sf.n, 1);
	ck_assert_str_eq(sf.v[0].name, "Archives/2024");
	ck_assert_uint_eq(sf.v[0].uidvalidity, 1700000001u);
	ck_assert_uint_eq(sf.v[0].uidnext, 43);
	sync_folders_free(&sf);
}
END_TEST

START_TEST(test_parse_header_only)
{
	struct sync_folders	sf;

	memset(&sf, 0x5a, sizeof(sf));
	parse_ok(&sf, H, sizeof(H) - 1);
	assert_empty(&sf);
	sync_folders_free(&sf);
}
END_TEST

START_TEST(test_parse_all_specials)
{
	static const char	text[] = H "special archive Archive\n"
	    "special junk Spam\n" "special trash Deleted Items\n"
	    "special drafts Brouillons\n" "special sent Envoyés\n";
	struct sync_folders	sf;

	parse_ok(&sf, text, sizeof(text) - 1);
	ck_assert_str_eq(sf.special[SYNC_SPECIAL_SENT], "Envoyés");
	ck_assert_str_eq(sf.special[SYNC_SPECIAL_DRAFTS], "Brouillons");
	ck_assert_str_eq(sf.special[SYNC_SPECIAL_TRASH], "Deleted Items");
	ck_assert_str_eq(sf.special[SYNC_SPECIAL_JUNK], "Spam");
	ck_assert_str_eq(sf.special[SYNC_SPECIAL_ARCHIVE], "Archive");
	/* Specials are not folder records. */
	ck_assert_uint_eq(sf.n, 0);
	sync_folders_free(&sf);
}
END_TEST

/* Folder lines in any order come out sorted. */
START_TEST(test_parse_unsorted)
{
	static const char	text[] = H "folder 3 30 c\n" "folder 1 10 a\n"
	    "special trash b\n" "folder 4 40 d/e\n" "folder 2 20 b\n";
	struct sync_folders	sf;

	parse_ok(&sf, text, sizeof(text) - 1);
	ck_assert_uint_eq(sf.n, 4);
	assert_sorted(&sf);
	ck_assert_str_eq(sf.v[0].name, "a");
	ck_assert_str_eq(sf.v[1].name, "b");
	ck_assert_str_eq(sf.v[2].name, "c");
	ck_assert_str_eq(sf.v[3].name, "d/e");
	ck_assert_uint_eq(sf.v[0].uidvalidity, 1);
	ck_assert_uint_eq(sf.v[1].uidvalidity, 2);
	ck_assert_uint_eq(sf.v[2].uidvalidity, 3);
	ck_assert_uint_eq(sf.v[3].uidvalidity, 4);
	ck_assert_uint_eq(sf.v[0].uidnext, 10);
	ck_assert_uint_eq(sf.v[1].uidnext, 20);
	ck_assert_uint_eq(sf.v[2].uidnext, 30);
	ck_assert_uint_eq(sf.v[3].uidnext, 40);
	ck_assert_str_eq(sf.special[SYNC_SPECIAL_TRASH], "b");
	sync_folders_free(&sf);
}
END_TEST

/* A name given twice: the last line wins, one record. */
START_TEST(test_parse_duplicates)
{
	static const char	text[] = H "folder 1 100 INBOX\n"
	    "special sent Sent\n" "folder 5 500 Sent\n" "folder 2 200 INBOX\n"
	    "special sent Envoyés\n" "folder 3 300 INBOX\n"
	    "special sent Sent Items\n" "folder 6 600 Sent\n"
	    "folder 3 301 INBOX\n";
	struct sync_folders	sf;

	parse_ok(&sf, text, sizeof(text) - 1);
	ck_assert_uint_eq(sf.n, 2);
	ck_assert_uint_eq(uidvalidity_of(&sf, "INBOX"), 3);
	ck_assert_uint_eq(uidnext_of(&sf, "INBOX"), 301);
	ck_assert_uint_eq(uidvalidity_of(&sf, "Sent"), 6);
	ck_assert_uint_eq(uidnext_of(&sf, "Sent"), 600);
	ck_assert_str_eq(sf.special[SYNC_SPECIAL_SENT], "Sent Items");
	sync_folders_free(&sf);
}
END_TEST

/* A name runs to the end of the line: inner, leading-looking and
 * trailing spaces are the name's, and so are words that look like
 * numbers. */
START_TEST(test_parse_spaces)
{
	static const char	text[] = H "folder 1 2 My Folder\n"
	    "folder 2 3 x \n" "folder 3 4 a b/c d\n" "folder 4 5  \n"
	    "folder 5 6 12 Monkeys\n" "folder 6 7 8 9\n"
	    "special junk Junk E-mail \n" "special drafts  d\n";
	struct sync_folders	sf;

	parse_ok(&sf, text, sizeof(text) - 1);
	ck_assert_uint_eq(sf.n, 6);
	ck_assert_uint_eq(uidvalidity_of(&sf, "My Folder"), 1);
	ck_assert_uint_eq(uidnext_of(&sf, "My Folder"), 2);
	ck_assert_uint_eq(uidvalidity_of(&sf, "x "), 2);
	ck_assert_uint_eq(uidvalidity_of(&sf, "a b/c d"), 3);
	ck_assert_uint_eq(uidvalidity_of(&sf, " "), 4);
	ck_assert_uint_eq(uidnext_of(&sf, " "), 5);
	ck_assert_uint_eq(uidvalidity_of(&sf, "12 Monkeys"), 5);
	ck_assert_uint_eq(uidnext_of(&sf, "12 Monkeys"), 6);
	ck_assert_uint_eq(uidvalidity_of(&sf, "8 9"), 6);
	ck_assert_uint_eq(uidnext_of(&sf, "8 9"), 7);
	ck_assert_ptr_null(sync_folders_find(&sf, "x"));
	ck_assert_ptr_null(sync_folders_find(&sf, "Monkeys"));
	ck_assert_str_eq(sf.special[SYNC_SPECIAL_JUNK], "Junk E-mail ");
	ck_assert_str_eq(sf.special[SYNC_SPECIAL_DRAFTS], " d");
	sync_folders_free(&sf);
}
END_TEST

/* 0 to 4294967295 each, leading zeros read as decimal. */
START_TEST(test_parse_numbers)
{
	static const char	text[] = H "folder 0 0 zero\n"
	    "folder 4294967295 4294967295 max\n" "folder 007 08 seven\n"
	    "folder 0004294967295 0004294967295 max2\n" "folder 1 2 one\n"
	    "folder 4294967295 0 mixed\n";
	struct sync_folders	sf;

	parse_ok(&sf, text, sizeof(text) - 1);
	ck_assert_uint_eq(sf.n, 6);
	ck_assert_uint_eq(uidvalidity_of(&sf, "zero"), 0);
	ck_assert_uint_eq(uidnext_of(&sf, "zero"), 0);
	ck_assert_uint_eq(uidvalidity_of(&sf, "max"), UINT32_MAX);
	ck_assert_uint_eq(uidnext_of(&sf, "max"), UINT32_MAX);
	ck_assert_uint_eq(uidvalidity_of(&sf, "seven"), 7);
	ck_assert_uint_eq(uidnext_of(&sf, "seven"), 8);
	ck_assert_uint_eq(uidvalidity_of(&sf, "max2"), UINT32_MAX);
	ck_assert_uint_eq(uidnext_of(&sf, "max2"), UINT32_MAX);
	ck_assert_uint_eq(uidvalidity_of(&sf, "one"), 1);
	ck_assert_uint_eq(uidnext_of(&sf, "one"), 2);
	ck_assert_uint_eq(uidvalidity_of(&sf, "mixed"), UINT32_MAX);
	ck_assert_uint_eq(uidnext_of(&sf, "mixed"), 0);
	sync_folders_free(&sf);
}
END_TEST

/* Bytes above ASCII are the name's (UTF-8 as the folder name holds). */
START_TEST(test_parse_utf8)
{
	static const char	text[] = H "folder 9 90 Projets/Été\n"
	    "special archive Архив\n" "folder 10 100 日本語/メール\n";
	struct sync_folders	sf;

	parse_ok(&sf, text, sizeof(text) - 1);
	ck_assert_uint_eq(sf.n, 2);
	ck_assert_uint_eq(uidvalidity_of(&sf, "Projets/Été"), 9);
	ck_assert_uint_eq(uidnext_of(&sf, "Projets/Été"), 90);
	ck_assert_uint_eq(uidvalidity_of(&sf, "日本語/メール"), 10);
	ck_assert_uint_eq(uidnext_of(&sf, "日本語/メール"), 100);
	ck_assert_str_eq(sf.special[SYNC_SPECIAL_ARCHIVE], "Архив");
	sync_folders_free(&sf);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Hostile and corrupt records                                         */

struct bad_case {
	const char	*data;
	size_t		 len;
	const char	*msg;
};

#define E_KEY		"expected \"special\" or \"folder\""
#define E_SPECIAL	"expected \"special USE FOLDER\""
#define E_WORD		"expected sent, drafts, trash, junk or archive"
#define E_FOLDER	"expected \"folder UIDVALIDITY UIDNEXT NAME\""
#define E_NAME		"expected a folder name"
#define E_MAILBOX	"expected the server's name after the tab"
#define G		"special sent Sent\nfolder 1 2 INBOX\n" /* lines 2, 3 */
#define BAD(data, line, what) \
	{ data, sizeof(data) - 1, SYNC_FOLDERS_FILE " line " #line ": " what }

static const struct bad_case bad_cases[] = {
	/* The header: exactly "facteur-folders 1" on the first line. */
	BAD("", 1, HDR_TEXT),
	BAD("facteur-folders 1", 1, HDR_TEXT),
	BAD("facteur-folders", 1, HDR_TEXT),
	BAD("facteur-folders 2\n", 1, HDR_TEXT),
	BAD("facteur-folders 0\n" G, 1, HDR_TEXT),
	BAD("facteur-folders 10\n", 1, HDR_TEXT),
	BAD("facteur-folders 1 \n", 1, HDR_TEXT),
	BAD("facteur-folders  1\n", 1, HDR_TEXT),
	BAD("facteur-folders\t1\n", 1, HDR_TEXT),
	BAD("Facteur-folders 1\n", 1, HDR_TEXT),
	BAD("facteur-folders 1\r\n" G, 1, HDR_TEXT),
	BAD(" facteur-folders 1\n", 1, HDR_TEXT),
	BAD("\nfacteur-folders 1\n", 1, HDR_TEXT),
	BAD("facteur-folders" "\0" "1\n", 1, HDR_TEXT),
	BAD("\0" "facteur-folders 1\n", 1, HDR_TEXT),
	BAD("facteur-folders 1" "\0" "\n", 1, HDR_TEXT),
	BAD("facteur-sync 1\n", 1, HDR_TEXT),
	BAD("folder 1 2 INBOX\nfacteur-folders 1\n", 1, HDR_TEXT),
	/* A last line without its newline: cut short. */
	BAD(H "folder 1 2 INBOX", 2, "truncated"),
	BAD(H G "special", 4, "truncated"),
	BAD(H G "bogus", 4, "truncated"),
	BAD(H G "folder 1 2 ../x", 4, "truncated"),
	BAD(H G "\0", 4, "truncated"),
	BAD(H "folder 1 1 a\nfolder 2 2 b\nf", 4, "truncated"),
	/* Neither keyword. */
	BAD(H "\n", 2, E_KEY),
	BAD(H G "\n", 4, E_KEY),
	BAD(H "bogus 1 2 a\n", 2, E_KEY),
	BAD(H "Folder 1 2 a\n", 2, E_KEY),
	BAD(H "FOLDER 1 2 a\n", 2, E_KEY),
	BAD(H "Special sent a\n", 2, E_KEY),
	BAD(H "folders 1 2 a\n", 2, E_KEY),
	BAD(H "specials sent a\n", 2, E_KEY),
	BAD(H "folder\n", 2, E_KEY),
	BAD(H "special\n", 2, E_KEY),
	BAD(H "folder\t1 2 a\n", 2, E_KEY),
	BAD(H "special\tsent a\n", 2, E_KEY),
	BAD(H " folder 1 2 a\n", 2, E_KEY),
	BAD(H "facteur-folders 1\n", 2, E_KEY),
	BAD(H "\r\n", 2, E_KEY),
	BAD(H "\0\n", 2, E_KEY),
	BAD(H "folder" "\0" "1 2 a\n", 2, E_KEY),
	BAD(H G "# a comment\n", 4, E_KEY),
	/* "special USE FOLDER". */
	BAD(H "special \n", 2, E_SPECIAL),
	BAD(H "special sent\n", 2, E_SPECIAL),
	BAD(H "special sent\tSent\n", 2, E_SPECIAL),
	BAD(H "special sentSent\n", 2, E_SPECIAL),
	BAD(H "special bogus Sent\n", 2, E_WORD),
	BAD(H "special Sent Sent\n", 2, E_WORD),
	BAD(H "special SENT Sent\n", 2, E_WORD),
	BAD(H "special sen Sent\n", 2, E_WORD),
	BAD(H "special sentx Sent\n", 2, E_WORD),
	BAD(H "special inbox INBOX\n", 2, E_WORD),
	BAD(H "special all All\n", 2, E_WORD),
	BAD(H "special  sent Sent\n", 2, E_WORD),
	BAD(H "special sent" "\0" " Sent\n", 2, E_WORD),
	BAD(H "special \\Sent Sent\n", 2, E_WORD),
	BAD(H "special sent \n", 2, E_NAME),
	BAD(H "special trash ../Trash\n", 2, E_NAME),
	BAD(H "special junk /var/mail\n", 2, E_NAME),
	BAD(H "special drafts .Drafts\n", 2, E_NAME),
	BAD(H "special archive cur\n", 2, E_NAME),
	BAD(H "special sent Sent\r\n", 2, E_NAME),
	BAD(H "special sent Se" "\0" "nt\n", 2, E_NAME),
	/* "folder UIDVALIDITY UIDNEXT NAME": two numbers, 32 bits each. */
	BAD(H "folder \n", 2, E_FOLDER),
	BAD(H "folder 1\n", 2, E_FOLDER),
	BAD(H "folder 1 2\n", 2, E_FOLDER),
	BAD(H "folder 1 \n", 2, E_FOLDER),
	BAD(H "folder 1\t2 INBOX\n", 2, E_FOLDER),
	BAD(H "folder 1 2\tINBOX\n", 2, E_FOLDER),
	BAD(H "folder INBOX\n", 2, E_FOLDER),
	BAD(H "folder 1 INBOX\n", 2, E_FOLDER),
	BAD(H "folder 1700000001 Archives/2024\n", 2, E_FOLDER),
	BAD(H "folder  2 INBOX\n", 2, E_FOLDER),
	BAD(H "folder 1  INBOX\n", 2, E_FOLDER),
	BAD(H "folder x 2 INBOX\n", 2, E_FOLDER),
	BAD(H "folder 1 x INBOX\n", 2, E_FOLDER),
	BAD(H "folder -1 2 INBOX\n", 2, E_FOLDER),
	BAD(H "folder 1 -2 INBOX\n", 2, E_FOLDER),
	BAD(H "folder +1 2 INBOX\n", 2, E_FOLDER),
	BAD(H "folder 1 +2 INBOX\n", 2, E_FOLDER),
	BAD(H "folder 1x 2 INBOX\n", 2, E_FOLDER),
	BAD(H "folder 1 2x INBOX\n", 2, E_FOLDER),
	BAD(H "folder 0x10 2 INBOX\n", 2, E_FOLDER),
	BAD(H "folder 1.5 2 INBOX\n", 2, E_FOLDER),
	BAD(H "folder 4294967296 2 INBOX\n", 2, E_FOLDER),
	BAD(H "folder 1 4294967296 INBOX\n", 2, E_FOLDER),
	BAD(H "folder 9999999999 2 INBOX\n", 2, E_FOLDER),
	BAD(H "folder 1 9999999999 INBOX\n", 2, E_FOLDER),
	BAD(H "folder 18446744073709551616 2 INBOX\n", 2, E_FOLDER),
	BAD(H "folder 1 18446744073709551616 INBOX\n", 2, E_FOLDER),
	BAD(H "folder 99999999999999999999999999 2 INBOX\n", 2, E_FOLDER),
	BAD(H "folder 1" "\0" " 2 INBOX\n", 2, E_FOLDER),
	BAD(H "folder 1 2" "\0" " INBOX\n", 2, E_FOLDER),
	BAD(H G "folder 4294967296 1 x\n", 4, E_FOLDER),
	/* Names the store refuses: they would climb out of the store,
	 * hide, or clash with a maildir's own directories. */
	BAD(H "folder 1 2 \n", 2, E_NAME),
	BAD(H "folder 1 2 ../x\n", 2, E_NAME),
	BAD(H "folder 1 2 ..\n", 2, E_NAME),
	BAD(H "folder 1 2 .\n", 2, E_NAME),
	BAD(H "folder 1 2 a/../../x\n", 2, E_NAME),
	BAD(H "folder 1 2 /abs\n", 2, E_NAME),
	BAD(H "folder 1 2 /etc/passwd\n", 2, E_NAME),
	BAD(H "folder 1 2 a//b\n", 2, E_NAME),
	BAD(H "folder 1 2 a/\n", 2, E_NAME),
	BAD(H "folder 1 2 /\n", 2, E_NAME),
	BAD(H "folder 1 2 .hidden\n", 2, E_NAME),
	BAD(H "folder 1 2 a/.b\n", 2, E_NAME),
	BAD(H "folder 1 2 cur\n", 2, E_NAME),
	BAD(H "folder 1 2 new\n", 2, E_NAME),
	BAD(H "folder 1 2 tmp\n", 2, E_NAME),
	BAD(H "folder 1 2 Archives/cur\n", 2, E_NAME),
	BAD(H "folder 1 2 tmp/x\n", 2, E_NAME),
	/* Control bytes: a line end would split the record. */
	BAD(H "folder 1 2 \tb\n", 2, E_NAME),
	/* The server's name after a tab: not empty, no control byte. */
	BAD(H "folder 1 2 a\t\n", 2, E_MAILBOX),
	BAD(H "folder 1 2 a\tb\tc\n", 2, E_MAILBOX),
	BAD(H "folder 1 2 a\tb\033[31m\n", 2, E_MAILBOX),
	BAD(H "folder 1 2 a\tb\r\n", 2, E_MAILBOX),
	BAD(H "folder 1 2 INBOX\r\n", 2, E_NAME),
	BAD(H "folder 1 2 a\rb\n", 2, E_NAME),
	BAD(H "folder 1 2 \r\n", 2, E_NAME),
	BAD(H "folder 1 2 a\033[31m\n", 2, E_NAME),
	BAD(H "folder 1 2 a\177\n", 2, E_NAME),
	BAD(H "folder 1 2 \001\n", 2, E_NAME),
	BAD(H "folder 1 2 a\037b\n", 2, E_NAME),
	/* NUL bytes: a C string would end there. */
	BAD(H "folder 1 2 a" "\0" "b\n", 2, E_NAME),
	BAD(H "folder 1 2 a" "\0" "\n", 2, E_NAME),
	BAD(H "folder 1 2 " "\0" "\n", 2, E_NAME),
	BAD(H "folder 1 2 " "\0" "../x\n", 2, E_NAME),
	/* The line named is the bad one, after good ones. */
	BAD(H G "folder 2 3 a//b\n", 4, E_NAME),
	BAD(H G "folder 2 3 ok\nspecial bogus x\n", 5, E_WORD),
	BAD(H "folder 1 1 a\nfolder 2 2 b\nfolder 3 3 c\nfolder 4 4 d\n"
	    "folder 5 5 e\nfolder 6 6 f\nfolder 7 7 g\nfolder 8 8 h\n"
	    "folder 9 9 i\nfolder 10 x j\n", 11, E_FOLDER),
};

START_TEST(test_parse_bad)
{
	const struct bad_case	*c = &bad_cases[_i];
	struct sync_folders	 sf;
	struct store_err	 err;
	char			*copy;

	/* An exact-size copy: ASan sees any read past the end. */
	copy = malloc(c->len > 0 ? c->len : 1);
	ck_assert_ptr_nonnull(copy);
	if (c->len > 0)
		memcpy(copy, c->data, c->len);
	memset(&sf, 0x5a, sizeof(sf));
	(void)fct_strlcpy(err.msg, "untouched", sizeof(err.msg));
	ck_assert_int_eq(sync_folders_parse(&sf, copy, c->len, &err), -1);
	ck_assert_str_eq(err.msg, c->msg);
	/* Nothing half-read is kept. */
	assert_empty(&sf);
	ck_assert_uint_eq(sf.cap, 0);
	sync_folders_free(&sf);
	free(copy);
}
END_TEST

START_TEST(test_load_bad)
{
	const struct bad_case	*c = &bad_cases[_i];
	struct sync_folders	 sf;
	struct store_err	 err;

	write_record(tmpdir, c->data, c->len);
	memset(&sf, 0x5a, sizeof(sf));
	(void)fct_strlcpy(err.msg, "untouched", sizeof(err.msg));
	ck_assert_int_eq(sync_folders_load(&sf, tmpdir, &err), -1);
	ck_assert_str_eq(err.msg, c->msg);
	assert_empty(&sf);
	sync_folders_free(&sf);
	/* And no special folder is read from it. */
	ck_assert_ptr_null(sync_special_folder_new(tmpdir,
	    SYNC_SPECIAL_SENT));
}
END_TEST

/* A failure after good lines, specials and folders already read: all
 * of it is freed, none of it kept. */
START_TEST(test_parse_bad_after_good)
{
	static const char	text[] = H "special sent Sent\n"
	    "special trash Trash\n" "folder 1 2 a\n" "folder 2 3 b\n"
	    "folder 3 4 c\n" "special junk .junk\n";
	struct sync_folders	sf;
	struct store_err	err;

	memset(&sf, 0x5a, sizeof(sf));
	ck_assert_int_eq(sync_folders_parse(&sf, text, sizeof(text) - 1,
	    &err), -1);
	ck_assert_str_eq(err.msg, SYNC_FOLDERS_FILE " line 7: " E_NAME);
	assert_empty(&sf);
	ck_assert_uint_eq(sf.cap, 0);
	/* The same with the file cut short after those lines. */
	memset(&sf, 0x5a, sizeof(sf));
	ck_assert_int_eq(sync_folders_parse(&sf, text, sizeof(text) - 3,
	    &err), -1);
	ck_assert_str_eq(err.msg, SYNC_FOLDERS_FILE " line 7: truncated");
	assert_empty(&sf);
}
END_TEST

/* Whatever store_folder_name_ok() accepts (and holds no control byte)
 * parses; whatever it refuses does not. */
static const char *const name_cases[] = {
	"INBOX", "a", "Archives/2024", "Projets/Été", "x y", " ", "a.b",
	"a/b.", "cur2", "curx/new1", "Cur", "..x/a", "a/..b", "../x", "/abs",
	"a//b", ".hidden", "cur", "new", "tmp", "a/", "a/.b", "a/cur/b",
	"~", "-", "a\\b", "\xc3\xa9", "\xff\xfe", "%s%n", "a:2,S", "7",
	"7 8", "0 ../x",
};

START_TEST(test_name_ok_agrees)
{
	const char		*name = name_cases[_i];
	struct sync_folders	 sf;
	struct store_err	 err;
	char			*text;
	int			 rc;

	text = xasprintf(H "folder 5 6 %s\nspecial trash %s\n", name, name);
	rc = sync_folders_parse(&sf, text, strlen(text), &err);
	if (store_folder_name_ok(name)) {
		ck_assert_msg(rc == 0, "\"%s\": %s", name, err.msg);
		ck_assert_uint_eq(sf.n, 1);
		ck_assert_str_eq(sf.v[0].name, name);
		ck_assert_uint_eq(sf.v[0].uidvalidity, 5);
		ck_assert_uint_eq(sf.v[0].uidnext, 6);
		ck_assert_str_eq(sf.special[SYNC_SPECIAL_TRASH], name);
		sync_folders_free(&sf);
	} else {
		ck_assert_msg(rc == -1, "\"%s\" accepted", name);
		ck_assert_str_eq(err.msg, SYNC_FOLDERS_FILE " line 2: " E_NAME);
		assert_empty(&sf);
	}
	free(text);
}
END_TEST

/* store_folder_name_ok() on the cases above, as the record relies on. */
START_TEST(test_name_ok_values)
{
	ck_assert(store_folder_name_ok("INBOX"));
	ck_assert(store_folder_name_ok("Projets/Été"));
	ck_assert(store_folder_name_ok("a/b c/d"));
	ck_assert(!store_folder_name_ok("..x/a"));
	ck_assert(!store_folder_name_ok("a/..b"));
	ck_assert(!store_folder_name_ok(""));
	ck_assert(!store_folder_name_ok("../x"));
	ck_assert(!store_folder_name_ok("/abs"));
	ck_assert(!store_folder_name_ok("a//b"));
	ck_assert(!store_folder_name_ok(".hidden"));
	ck_assert(!store_folder_name_ok("cur"));
	ck_assert(!store_folder_name_ok("a/"));
	ck_assert(!store_folder_name_ok(NULL));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Files: save, load, round trips                                      */

START_TEST(test_save_empty)
{
	struct sync_folders	sf, back;

	sync_folders_init(&sf);
	save_ok(&sf, tmpdir);
	expect_file(tmpdir, H);
	memset(&back, 0x5a, sizeof(back));
	load_ok(&back, tmpdir);
	assert_empty(&back);
	sync_folders_free(&back);
}
END_TEST

/* The bytes: the header, the specials in their order (sent, drafts,
 * trash, junk, archive), then the folders sorted by name. */
START_TEST(test_save_bytes)
{
	static const char	want[] = H "special sent Sent\n"
	    "special drafts Drafts\n" "special trash Trash\n"
	    "special junk Junk\n" "special archive Archives\n"
	    "folder 1700000001 1 Archives\n"
	    "folder 1700000002 43 Archives/2024\n" "folder 0 0 Drafts\n"
	    "folder 1 4294967295 INBOX\n" "folder 4294967295 7 Junk\n"
	    "folder 12 120 Sent\n" "folder 13 130 Trash\n";
	struct sync_folders	sf;

	sync_folders_init(&sf);
	sf.special[SYNC_SPECIAL_ARCHIVE] = xstrdup("Archives");
	sf.special[SYNC_SPECIAL_JUNK] = xstrdup("Junk");
	sf.special[SYNC_SPECIAL_TRASH] = xstrdup("Trash");
	sf.special[SYNC_SPECIAL_DRAFTS] = xstrdup("Drafts");
	sf.special[SYNC_SPECIAL_SENT] = xstrdup("Sent");
	sync_folders_set(&sf, "Trash", 13, 130);
	sync_folders_set(&sf, "Sent", 12, 120);
	sync_folders_set(&sf, "Junk", UINT32_MAX, 7);
	sync_folders_set(&sf, "INBOX", 1, UINT32_MAX);
	sync_folders_set(&sf, "Drafts", 0, 0);
	sync_folders_set(&sf, "Archives/2024", 1700000002u, 43);
	sync_folders_set(&sf, "Archives", 1700000001u, 1);
	round_trip(&sf, want);
	sync_folders_free(&sf);
}
END_TEST

/* Some specials only; a special that is not a recorded folder. */
START_TEST(test_save_some_specials)
{
	static const char	want[] = H "special trash Corbeille\n"
	    "special archive Old/Mail\n" "folder 3 4 INBOX\n";
	struct sync_folders	sf;

	sync_folders_init(&sf);
	sf.special[SYNC_SPECIAL_TRASH] = xstrdup("Corbeille");
	sf.special[SYNC_SPECIAL_ARCHIVE] = xstrdup("Old/Mail");
	sync_folders_set(&sf, "INBOX", 3, 4);
	round_trip(&sf, want);
	sync_folders_free(&sf);
}
END_TEST

START_TEST(test_round_trip_utf8)
{
	static const char	want[] = H "special sent Éléments envoyés\n"
	    "special junk Нежелательная почта\n"
	    "folder 5 50 INBOX\n" "folder 6 60 Projets\n"
	    "folder 7 70 Projets/Été\n" "folder 8 80 Projets/Été/Août 2024\n"
	    "folder 9 90 受信トレイ\n";
	struct sync_folders	sf, back;

	sync_folders_init(&sf);
	sf.special[SYNC_SPECIAL_SENT] = xstrdup("Éléments envoyés");
	sf.special[SYNC_SPECIAL_JUNK] = xstrdup("Нежелательная почта");
	sync_folders_set(&sf, "受信トレイ", 9, 90);
	sync_folders_set(&sf, "Projets/Été/Août 2024", 8, 80);
	sync_folders_set(&sf, "Projets/Été", 7, 70);
	sync_folders_set(&sf, "Projets", 6, 60);
	sync_folders_set(&sf, "INBOX", 5, 50);
	round_trip(&sf, want);
	load_ok(&back, tmpdir);
	ck_assert_uint_eq(uidvalidity_of(&back, "Projets/Été"), 7);
	ck_assert_uint_eq(uidnext_of(&back, "Projets/Été"), 70);
	ck_assert_str_eq(back.special[SYNC_SPECIAL_SENT], "Éléments envoyés");
	sync_folders_free(&back);
	sync_folders_free(&sf);
}
END_TEST

/* Names with spaces, trailing ones included, come back whole; so does a
 * name that looks like numbers. */
START_TEST(test_round_trip_spaces)
{
	static const char	want[] = H "special drafts  Drafts \n"
	    "folder 1 2  \n" "folder 4 5 7 8\n" "folder 2 3 My Mail\n"
	    "folder 3 4 x \n";
	struct sync_folders	sf;

	sync_folders_init(&sf);
	sf.special[SYNC_SPECIAL_DRAFTS] = xstrdup(" Drafts ");
	sync_folders_set(&sf, "x ", 3, 4);
	sync_folders_set(&sf, "My Mail", 2, 3);
	sync_folders_set(&sf, " ", 1, 2);
	sync_folders_set(&sf, "7 8", 4, 5);
	round_trip(&sf, want);
	sync_folders_free(&sf);
}
END_TEST

/* A file with duplicates, out of order, with leading zeros: loaded as
 * one record per name (last wins), saved back sorted and plain. */
START_TEST(test_load_normalises)
{
	static const char	text[] = H "folder 2 20 b\n" "special sent x\n"
	    "folder 01 010 a\n" "folder 3 30 b\n" "special sent Sent\n"
	    "folder 00 00 c\n";
	static const char	want[] = H "special sent Sent\n"
	    "folder 1 10 a\n" "folder 3 30 b\n" "folder 0 0 c\n";
	struct sync_folders	sf;

	write_record(tmpdir, text, sizeof(text) - 1);
	load_ok(&sf, tmpdir);
	ck_assert_uint_eq(sf.n, 3);
	ck_assert_uint_eq(uidvalidity_of(&sf, "a"), 1);
	ck_assert_uint_eq(uidnext_of(&sf, "a"), 10);
	ck_assert_uint_eq(uidvalidity_of(&sf, "b"), 3);
	ck_assert_uint_eq(uidnext_of(&sf, "b"), 30);
	ck_assert_uint_eq(uidvalidity_of(&sf, "c"), 0);
	ck_assert_uint_eq(uidnext_of(&sf, "c"), 0);
	ck_assert_str_eq(sf.special[SYNC_SPECIAL_SENT], "Sent");
	round_trip(&sf, want);
	sync_folders_free(&sf);
}
END_TEST

START_TEST(test_round_trip_many)
{
	struct sync_folders	 sf, back;
	struct buf		 want;
	char			 name[64];
	size_t			 i;
	const size_t		 n = 2000;

	sync_folders_init(&sf);
	buf_init(&want, 1u << 20);
	ck_assert_int_eq(buf_append_str(&want, H), 0);
	for (i = 0; i < n; i++) {
		(void)snprintf(name, sizeof(name), "Lists/%05zu/Été", i);
		ck_assert_int_eq(buf_printf(&want, "folder %u %u %s\n",
		    (unsigned)(UINT32_MAX - i), (unsigned)i, name), 0);
	}
	for (i = n; i-- > 0;) {
		(void)snprintf(name, sizeof(name), "Lists/%05zu/Été", i);
		sync_folders_set(&sf, name, (uint32_t)(UINT32_MAX - i),
		    (uint32_t)i);
	}
	ck_assert_int_eq(buf_append(&want, "", 1), 0);
	round_trip(&sf, want.data);
	load_ok(&back, tmpdir);
	ck_assert_uint_eq(back.n, n);
	assert_sorted(&back);
	sync_folders_free(&back);
	buf_free(&want);
	sync_folders_free(&sf);
}
END_TEST

/* A second save replaces everything the first wrote. */
START_TEST(test_save_twice)
{
	static const char	want[] = H "special junk Spam\n"
	    "folder 9 10 INBOX\n";
	struct sync_folders	sf;

	sync_folders_init(&sf);
	sf.special[SYNC_SPECIAL_SENT] = xstrdup("Sent");
	sync_folders_set(&sf, "INBOX", 1, 2);
	sync_folders_set(&sf, "Old", 2, 3);
	save_ok(&sf, tmpdir);
	free(sf.special[SYNC_SPECIAL_SENT]);
	sf.special[SYNC_SPECIAL_SENT] = NULL;
	sf.special[SYNC_SPECIAL_JUNK] = xstrdup("Spam");
	sync_folders_drop(&sf, "Old");
	sync_folders_set(&sf, "INBOX", 9, 10);
	round_trip(&sf, want);
	sync_folders_free(&sf);
}
END_TEST

/* The file is written aside and renamed: no ".tmp" is left. */
START_TEST(test_save_no_tmp_left)
{
	struct sync_folders	 sf;
	struct stat		 st;
	char			*tmp;

	sync_folders_init(&sf);
	sync_folders_set(&sf, "INBOX", 1, 2);
	save_ok(&sf, tmpdir);
	save_ok(&sf, tmpdir);
	tmp = xasprintf("%s/%s.tmp", tmpdir, SYNC_FOLDERS_FILE);
	ck_assert_int_eq(lstat(tmp, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	free(tmp);
	sync_folders_free(&sf);
}
END_TEST

/* No such file: an empty record, and that is not an error. */
START_TEST(test_load_missing)
{
	struct sync_folders	 sf;
	struct store_err	 err;
	char			*nodir;

	memset(&sf, 0x5a, sizeof(sf));
	(void)fct_strlcpy(err.msg, "untouched", sizeof(err.msg));
	ck_assert_int_eq(sync_folders_load(&sf, tmpdir, &err), 0);
	assert_empty(&sf);
	sync_folders_free(&sf);
	/* A root that does not exist at all: nothing synced either. */
	nodir = xasprintf("%s/none", tmpdir);
	memset(&sf, 0x5a, sizeof(sf));
	ck_assert_int_eq(sync_folders_load(&sf, nodir, &err), 0);
	assert_empty(&sf);
	free(nodir);
}
END_TEST

/* An empty file has no header: an error, unlike a missing one. */
START_TEST(test_load_empty_file)
{
	struct sync_folders	sf;
	struct store_err	err;

	write_record(tmpdir, "", 0);
	memset(&sf, 0x5a, sizeof(sf));
	ck_assert_int_eq(sync_folders_load(&sf, tmpdir, &err), -1);
	ck_assert_str_eq(err.msg, SYNC_FOLDERS_FILE " line 1: " HDR_TEXT);
	assert_empty(&sf);
}
END_TEST

/* A directory in the file's place cannot be read: -1, said so. */
START_TEST(test_load_directory)
{
	struct sync_folders	 sf;
	struct store_err	 err;
	char			*path = folders_path(tmpdir);

	ck_assert_int_eq(mkdir(path, 0700), 0);
	memset(&sf, 0x5a, sizeof(sf));
	err.msg[0] = '\0';
	ck_assert_int_eq(sync_folders_load(&sf, tmpdir, &err), -1);
	ck_assert_str_ne(err.msg, "");
	assert_empty(&sf);
	ck_assert_ptr_null(sync_special_folder_new(tmpdir,
	    SYNC_SPECIAL_SENT));
	free(path);
}
END_TEST

/* A symbolic link is not followed (the store is someone's mail). */
START_TEST(test_load_symlink)
{
	struct sync_folders	 sf;
	struct store_err	 err;
	char			*path = folders_path(tmpdir), *target;

	target = xasprintf("%s/elsewhere", tmpdir);
	test_write_file(target, H "special sent Sent\n",
	    strlen(H "special sent Sent\n"));
	ck_assert_int_eq(symlink(target, path), 0);
	memset(&sf, 0x5a, sizeof(sf));
	err.msg[0] = '\0';
	ck_assert_int_eq(sync_folders_load(&sf, tmpdir, &err), -1);
	ck_assert_str_ne(err.msg, "");
	assert_empty(&sf);
	free(target);
	free(path);
}
END_TEST

/* Saving where there is no directory fails, and says where. */
START_TEST(test_save_missing_dir)
{
	struct sync_folders	 sf;
	struct store_err	 err;
	char			*nodir;

	sync_folders_init(&sf);
	sync_folders_set(&sf, "INBOX", 1, 2);
	nodir = xasprintf("%s/none", tmpdir);
	err.msg[0] = '\0';
	ck_assert_int_eq(sync_folders_save(&sf, nodir, &err), -1);
	ck_assert_str_ne(err.msg, "");
	ck_assert_ptr_nonnull(strstr(err.msg, nodir));
	free(nodir);
	sync_folders_free(&sf);
}
END_TEST

/* A file with NUL bytes is refused, line named, nothing kept. */
START_TEST(test_load_nul)
{
	static const char	text[] = H "folder 1 2 INBOX\n"
	    "folder 2 3 Sent" "\0" "../../x\n";
	struct sync_folders	sf;
	struct store_err	err;

	write_record(tmpdir, text, sizeof(text) - 1);
	memset(&sf, 0x5a, sizeof(sf));
	ck_assert_int_eq(sync_folders_load(&sf, tmpdir, &err), -1);
	ck_assert_str_eq(err.msg, SYNC_FOLDERS_FILE " line 3: " E_NAME);
	assert_empty(&sf);
}
END_TEST

/* ------------------------------------------------------------------ */
/* sync_special_folder_new()                                           */

START_TEST(test_special_new)
{
	static const char	text[] = H "special sent Sent Items\n"
	    "special trash Projets/Corbeille\n" "special archive Archivé\n"
	    "folder 1 2 INBOX\n";
	char			*name;

	write_record(tmpdir, text, sizeof(text) - 1);
	name = sync_special_folder_new(tmpdir, SYNC_SPECIAL_SENT);
	ck_assert_ptr_nonnull(name);
	ck_assert_str_eq(name, "Sent Items");
	free(name);
	name = sync_special_folder_new(tmpdir, SYNC_SPECIAL_TRASH);
	ck_assert_ptr_nonnull(name);
	ck_assert_str_eq(name, "Projets/Corbeille");
	free(name);
	name = sync_special_folder_new(tmpdir, SYNC_SPECIAL_ARCHIVE);
	ck_assert_ptr_nonnull(name);
	ck_assert_str_eq(name, "Archivé");
	free(name);
	/* Not recorded: unknown. */
	ck_assert_ptr_null(sync_special_folder_new(tmpdir,
	    SYNC_SPECIAL_DRAFTS));
	ck_assert_ptr_null(sync_special_folder_new(tmpdir,
	    SYNC_SPECIAL_JUNK));
	/* Not a special use. */
	ck_assert_ptr_null(sync_special_folder_new(tmpdir, SYNC_SPECIAL_N));
	ck_assert_ptr_null(sync_special_folder_new(tmpdir,
	    (enum sync_special)-1));
}
END_TEST

/* Each call is a fresh copy, the caller's to free. */
START_TEST(test_special_new_copies)
{
	char	*a, *b;

	write_text(tmpdir, H "special junk Spam\n");
	a = sync_special_folder_new(tmpdir, SYNC_SPECIAL_JUNK);
	b = sync_special_folder_new(tmpdir, SYNC_SPECIAL_JUNK);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_ne(a, b);
	ck_assert_str_eq(a, "Spam");
	a[0] = 'X';
	ck_assert_str_eq(b, "Spam");
	free(a);
	free(b);
}
END_TEST

START_TEST(test_special_new_missing)
{
	char	*nodir;
	size_t	 i;

	/* No file at all. */
	for (i = 0; i < SYNC_SPECIAL_N; i++)
		ck_assert_ptr_null(sync_special_folder_new(tmpdir,
		    (enum sync_special)i));
	nodir = xasprintf("%s/none", tmpdir);
	ck_assert_ptr_null(sync_special_folder_new(nodir, SYNC_SPECIAL_SENT));
	free(nodir);
	/* A record without specials. */
	write_text(tmpdir, H "folder 1 2 Sent\n");
	for (i = 0; i < SYNC_SPECIAL_N; i++)
		ck_assert_ptr_null(sync_special_folder_new(tmpdir,
		    (enum sync_special)i));
}
END_TEST

/* What a save records, the next call reads; a later save changes it. */
START_TEST(test_special_new_after_save)
{
	struct sync_folders	 sf;
	char			*name;
	size_t			 i;

	sync_folders_init(&sf);
	sf.special[SYNC_SPECIAL_DRAFTS] = xstrdup("Projets/Été/Brouillons");
	save_ok(&sf, tmpdir);
	name = sync_special_folder_new(tmpdir, SYNC_SPECIAL_DRAFTS);
	ck_assert_ptr_nonnull(name);
	ck_assert_str_eq(name, "Projets/Été/Brouillons");
	free(name);
	free(sf.special[SYNC_SPECIAL_DRAFTS]);
	sf.special[SYNC_SPECIAL_DRAFTS] = NULL;
	for (i = 0; i < SYNC_SPECIAL_N; i++)
		if (sf.special[i] == NULL)
			sf.special[i] = xasprintf("Special/%s",
			    sync_special_word((enum sync_special)i));
	save_ok(&sf, tmpdir);
	for (i = 0; i < SYNC_SPECIAL_N; i++) {
		name = sync_special_folder_new(tmpdir, (enum sync_special)i);
		ck_assert_ptr_nonnull(name);
		ck_assert_str_eq(name, sf.special[i]);
		free(name);
	}
	name = sync_special_folder_new(tmpdir, SYNC_SPECIAL_DRAFTS);
	ck_assert_str_eq(name, "Special/drafts");
	free(name);
	sync_folders_free(&sf);
}
END_TEST

/* A name that could forge a record (a line end) or not read back (a
 * control byte) is never recorded, so what is saved always loads back
 * the same. */
START_TEST(test_set_refuses_unreadable)
{
	struct sync_folders	sf, back;
	struct store_err	err;

	sync_folders_init(&sf);
	sync_folders_set(&sf, "INBOX", 1, 2);
	sync_folders_set(&sf, "a\nfolder 9 9 Injected", 2, 3);
	sync_folders_set(&sf, "tab\there", 4, 5);
	sync_folders_set(&sf, "del\x7f", 6, 7);
	ck_assert_uint_eq(sf.n, 1);
	sf.special[SYNC_SPECIAL_SENT] = xstrdup("Sent\nfolder 1 1 X");
	ck_assert_int_eq(sync_folders_save(&sf, tmpdir, &err), 0);
	ck_assert_int_eq(sync_folders_load(&back, tmpdir, &err), 0);
	ck_assert_uint_eq(back.n, 1);
	ck_assert_str_eq(back.v[0].name, "INBOX");
	ck_assert_ptr_null(back.special[SYNC_SPECIAL_SENT]);
	sync_folders_free(&back);
	sync_folders_free(&sf);
}
END_TEST

/* The server's name of a folder: read, written back, dropped with it. */
START_TEST(test_mailbox_names)
{
	static const char	text[] = "facteur-folders 1\n"
	    "folder 7 8 Archives/2024\tArchives.2024\n"
	    "folder 9 10 INBOX\n"
	    "folder 11 12 \xc3\x89t\xc3\xa9\t&AMk-t&AOk-\n";
	struct sync_folders	sf;
	struct store_err	err;
	const struct sync_folder_rec *r;

	ck_assert_int_eq(sync_folders_parse(&sf, text, sizeof(text) - 1,
	    &err), 0);
	r = sync_folders_find(&sf, "Archives/2024");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->mailbox, "Archives.2024");
	r = sync_folders_find(&sf, "INBOX");
	ck_assert_ptr_null(r->mailbox);
	ck_assert_int_eq(sync_folders_save(&sf, tmpdir, &err), 0);
	expect_file(tmpdir, text);
	/* Set, refused when it could not be read back, dropped. */
	sync_folders_set_mailbox(&sf, "INBOX", "INBOX");
	ck_assert_str_eq(sync_folders_find(&sf, "INBOX")->mailbox, "INBOX");
	sync_folders_set_mailbox(&sf, "INBOX", "a\nfolder 1 2 x");
	ck_assert_ptr_null(sync_folders_find(&sf, "INBOX")->mailbox);
	sync_folders_set_mailbox(&sf, "nowhere", "x");
	ck_assert_ptr_null(sync_folders_find(&sf, "nowhere"));
	sync_folders_drop(&sf, "Archives/2024");
	ck_assert_ptr_null(sync_folders_find(&sf, "Archives/2024"));
	sync_folders_free(&sf);
}
END_TEST

Suite *
sync_folders_suite(void)
{
	Suite	*s = suite_create("sync_folders");
	TCase	*tc;

	tc = tcase_create("table");
	tcase_add_test(tc, test_init_free);
	tcase_add_test(tc, test_set_sorted);
	tcase_add_test(tc, test_set_updates);
	tcase_add_test(tc, test_set_copies_name);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_drop);
	tcase_add_test(tc, test_drop_full);
	tcase_add_test(tc, test_drop_keeps_specials);
	tcase_add_test(tc, test_many);
	tcase_add_test(tc, test_special_word);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_example);
	tcase_add_test(tc, test_parse_header_only);
	tcase_add_test(tc, test_parse_all_specials);
	tcase_add_test(tc, test_parse_unsorted);
	tcase_add_test(tc, test_parse_duplicates);
	tcase_add_test(tc, test_parse_spaces);
	tcase_add_test(tc, test_parse_numbers);
	tcase_add_test(tc, test_parse_utf8);
	tcase_add_test(tc, test_parse_bad_after_good);
	tcase_add_loop_test(tc, test_parse_bad, 0, (int)NITEMS(bad_cases));
	tcase_add_loop_test(tc, test_name_ok_agrees, 0,
	    (int)NITEMS(name_cases));
	tcase_add_test(tc, test_name_ok_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_save_empty);
	tcase_add_test(tc, test_save_bytes);
	tcase_add_test(tc, test_save_some_specials);
	tcase_add_test(tc, test_round_trip_utf8);
	tcase_add_test(tc, test_round_trip_spaces);
	tcase_add_test(tc, test_mailbox_names);
	tcase_add_test(tc, test_load_normalises);
	tcase_add_test(tc, test_round_trip_many);
	tcase_add_test(tc, test_save_twice);
	tcase_add_test(tc, test_save_no_tmp_left);
	tcase_add_test(tc, test_load_missing);
	tcase_add_test(tc, test_load_empty_file);
	tcase_add_test(tc, test_load_directory);
	tcase_add_test(tc, test_load_symlink);
	tcase_add_test(tc, test_save_missing_dir);
	tcase_add_test(tc, test_load_nul);
	tcase_add_test(tc, test_set_refuses_unreadable);
	tcase_add_loop_test(tc, test_load_bad, 0, (int)NITEMS(bad_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("special_folder_new");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_special_new);
	tcase_add_test(tc, test_special_new_copies);
	tcase_add_test(tc, test_special_new_missing);
	tcase_add_test(tc, test_special_new_after_save);
	suite_add_tcase(s, tc);

	return s;
}
