/*
 * check_sync_state.c: unit tests of the per-folder sync state file
 * (include/sync.h "The state file", src/sync/state.c): the entry table
 * (add, replace, find), the exact bytes written, save then load round
 * trips, hostile and corrupt files (each rejected with the line named),
 * which file names can be recorded, and how a save replaces the old file
 * (written aside, renamed) or refuses to.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
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

#define HDR_TEXT	"not a facteur sync state (version 1)"

static char	tmpdir[256];

static void
setup(void)
{
	(void)fct_strlcpy(tmpdir, "/tmp/facteur-sync-state-XXXXXX",
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

/* The maildir letters of flags, in ASCII order, "-" for none. */
static const struct {
	char		letter;
	unsigned	flag;
} letters[] = {
	{ 'D', STORE_DRAFT }, { 'F', STORE_FLAGGED }, { 'P', STORE_PASSED },
	{ 'R', STORE_REPLIED }, { 'S', STORE_SEEN }, { 'T', STORE_TRASHED },
};

static void
flags_text(unsigned flags, char out[8])
{
	size_t	i, n = 0;

	for (i = 0; i < NITEMS(letters); i++)
		if (flags & letters[i].flag)
			out[n++] = letters[i].letter;
	if (n == 0)
		out[n++] = '-';
	out[n] = '\0';
}

static char *
state_path(const char *dir)
{
	return xasprintf("%s/%s", dir, SYNC_STATE_FILE);
}

/* dir/.facteur-sync holds exactly want. */
static void
expect_file(const char *dir, const char *want, size_t wantlen)
{
	char	*path = state_path(dir), *got;
	size_t	 len;

	got = test_slurp(path, &len);
	ck_assert_uint_eq(len, wantlen);
	ck_assert_mem_eq(got, want, wantlen);
	free(got);
	free(path);
}

static void
write_state(const char *dir, const char *data, size_t len)
{
	char	*path = state_path(dir);

	test_write_file(path, data, len);
	free(path);
}

static void
save_ok(const struct sync_state *st, const char *dir)
{
	struct store_err	err;

	err.msg[0] = '\0';
	ck_assert_msg(sync_state_save(st, dir, &err) == 0, "save: %s",
	    err.msg);
}

static void
load_ok(struct sync_state *st, const char *dir)
{
	struct store_err	err;

	err.msg[0] = '\0';
	ck_assert_msg(sync_state_load(st, dir, &err) == 0, "load: %s",
	    err.msg);
}

static void
add_str(struct sync_state *st, uint32_t uid, unsigned flags,
    const char *name)
{
	sync_state_add(st, uid, flags, name, strlen(name));
}

static void
assert_empty(const struct sync_state *st)
{
	ck_assert_uint_eq(st->uidvalidity, 0);
	ck_assert_uint_eq(st->uidnext, 0);
	ck_assert_uint_eq(st->modseq, 0);
	ck_assert_uint_eq(st->n, 0);
	ck_assert_ptr_null(st->e);
}

static void
assert_same(const struct sync_state *a, const struct sync_state *b)
{
	size_t	i;

	ck_assert_uint_eq(a->uidvalidity, b->uidvalidity);
	ck_assert_uint_eq(a->uidnext, b->uidnext);
	ck_assert_uint_eq(a->modseq, b->modseq);
	ck_assert_uint_eq(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		ck_assert_uint_eq(a->e[i].uid, b->e[i].uid);
		ck_assert_uint_eq(a->e[i].flags, b->e[i].flags);
		ck_assert_str_eq(a->e[i].name, b->e[i].name);
	}
}

/* Save st into tmpdir, check the bytes, load it back, compare. */
static void
round_trip(const struct sync_state *st, const char *want)
{
	struct sync_state	back;

	save_ok(st, tmpdir);
	expect_file(tmpdir, want, strlen(want));
	load_ok(&back, tmpdir);
	assert_same(st, &back);
	sync_state_free(&back);
}

/* Entries are in strictly increasing uid order. */
static void
assert_sorted(const struct sync_state *st)
{
	size_t	i;

	for (i = 1; i < st->n; i++)
		ck_assert_msg(st->e[i - 1].uid < st->e[i].uid,
		    "entry %zu: uid %u after %u", i, (unsigned)st->e[i].uid,
		    (unsigned)st->e[i - 1].uid);
}

/* ------------------------------------------------------------------ */
/* Entries: init, free, add, find                                      */

START_TEST(test_init_free)
{
	struct sync_state	st;

	memset(&st, 0x5a, sizeof(st));
	sync_state_init(&st);
	assert_empty(&st);
	ck_assert_uint_eq(st.cap, 0);
	sync_state_free(&st);
	assert_empty(&st);
	st.uidvalidity = 9;
	st.uidnext = 10;
	st.modseq = 11;
	add_str(&st, 3, STORE_SEEN, "x");
	ck_assert_uint_eq(st.n, 1);
	sync_state_free(&st);
	assert_empty(&st);
	ck_assert_uint_eq(st.cap, 0);
}
END_TEST

START_TEST(test_add_in_order)
{
	struct sync_state	 st;
	struct sync_entry	*e;
	char			 name[64];
	uint32_t		 uid;
	size_t			 i;

	sync_state_init(&st);
	/* More than the first allocation (256), so the table grows. */
	for (i = 0; i < 1000; i++) {
		(void)snprintf(name, sizeof(name), "m%zu,U=%zu", i, i * 2 + 1);
		add_str(&st, (uint32_t)(i * 2 + 1), (unsigned)i % 64, name);
	}
	ck_assert_uint_eq(st.n, 1000);
	ck_assert_uint_ge(st.cap, 1000);
	for (i = 0; i < 1000; i++) {
		uid = (uint32_t)(i * 2 + 1);
		(void)snprintf(name, sizeof(name), "m%zu,U=%u", i,
		    (unsigned)uid);
		ck_assert_uint_eq(st.e[i].uid, uid);
		ck_assert_uint_eq(st.e[i].flags, i % 64);
		ck_assert_str_eq(st.e[i].name, name);
		e = sync_state_find(&st, uid);
		ck_assert_ptr_eq(e, &st.e[i]);
		ck_assert_ptr_null(sync_state_find(&st, uid + 1));
	}
	sync_state_free(&st);
}
END_TEST

START_TEST(test_add_out_of_order)
{
	static const uint32_t	 uids[] = { 50, 10, 30, 4294967295u, 1, 20,
	    40, 2 };
	static const uint32_t	 sorted[] = { 1, 2, 10, 20, 30, 40, 50,
	    4294967295u };
	struct sync_state	 st;
	char			 name[32];
	size_t			 i;

	sync_state_init(&st);
	for (i = 0; i < NITEMS(uids); i++) {
		(void)snprintf(name, sizeof(name), "n%u", (unsigned)uids[i]);
		add_str(&st, uids[i], uids[i] % 64, name);
	}
	ck_assert_uint_eq(st.n, NITEMS(sorted));
	for (i = 0; i < NITEMS(sorted); i++) {
		(void)snprintf(name, sizeof(name), "n%u", (unsigned)sorted[i]);
		ck_assert_uint_eq(st.e[i].uid, sorted[i]);
		ck_assert_uint_eq(st.e[i].flags, sorted[i] % 64);
		ck_assert_str_eq(st.e[i].name, name);
	}
	sync_state_free(&st);
}
END_TEST

/* 3001 uids in a scrambled order (7919 and 3001 are prime: i * 7919 mod
 * 3001 visits every residue once), through several reallocations. */
START_TEST(test_add_scrambled)
{
	struct sync_state	 st;
	struct sync_entry	*e;
	char			 name[32];
	uint32_t		 uid;
	size_t			 i;

	sync_state_init(&st);
	for (i = 0; i < 3001; i++) {
		uid = (uint32_t)((i * 7919) % 3001 + 1);
		(void)snprintf(name, sizeof(name), "s%u", (unsigned)uid);
		add_str(&st, uid, uid % 64, name);
	}
	ck_assert_uint_eq(st.n, 3001);
	assert_sorted(&st);
	for (i = 0; i < 3001; i++) {
		ck_assert_uint_eq(st.e[i].uid, i + 1);
		e = sync_state_find(&st, (uint32_t)(i + 1));
		ck_assert_ptr_eq(e, &st.e[i]);
		(void)snprintf(name, sizeof(name), "s%zu", i + 1);
		ck_assert_str_eq(e->name, name);
		ck_assert_uint_eq(e->flags, (i + 1) % 64);
	}
	ck_assert_ptr_null(sync_state_find(&st, 0));
	ck_assert_ptr_null(sync_state_find(&st, 3002));
	sync_state_free(&st);
}
END_TEST

START_TEST(test_add_replaces)
{
	struct sync_state	st;

	sync_state_init(&st);
	add_str(&st, 10, STORE_SEEN, "a,U=10");
	add_str(&st, 20, 0, "b,U=20");
	add_str(&st, 30, STORE_FLAGGED, "c,U=30");
	add_str(&st, 20, STORE_REPLIED | STORE_SEEN, "bbb,U=20");
	ck_assert_uint_eq(st.n, 3);
	ck_assert_uint_eq(st.e[0].uid, 10);
	ck_assert_uint_eq(st.e[0].flags, STORE_SEEN);
	ck_assert_str_eq(st.e[0].name, "a,U=10");
	ck_assert_uint_eq(st.e[1].uid, 20);
	ck_assert_uint_eq(st.e[1].flags, STORE_REPLIED | STORE_SEEN);
	ck_assert_str_eq(st.e[1].name, "bbb,U=20");
	ck_assert_uint_eq(st.e[2].uid, 30);
	ck_assert_uint_eq(st.e[2].flags, STORE_FLAGGED);
	ck_assert_str_eq(st.e[2].name, "c,U=30");
	/* Replacing the first and the last, flags cleared. */
	add_str(&st, 10, 0, "z");
	add_str(&st, 30, STORE_ALL_FLAGS, "y");
	ck_assert_uint_eq(st.n, 3);
	ck_assert_uint_eq(st.e[0].flags, 0);
	ck_assert_str_eq(st.e[0].name, "z");
	ck_assert_uint_eq(st.e[2].flags, STORE_ALL_FLAGS);
	ck_assert_str_eq(st.e[2].name, "y");
	ck_assert_str_eq(st.e[1].name, "bbb,U=20");
	sync_state_free(&st);
}
END_TEST

START_TEST(test_add_copies_name)
{
	struct sync_state	st;
	char			name[] = "1700000000.M1P2Q3.host,U=7:2,S";

	sync_state_init(&st);
	/* Only the unique part (up to ":2,"), copied. */
	sync_state_add(&st, 7, STORE_SEEN, name, 24);
	name[0] = 'X';
	ck_assert_str_eq(st.e[0].name, "1700000000.M1P2Q3.host,U");
	ck_assert_ptr_ne(st.e[0].name, name);
	/* Bits outside the six flags are not kept (nothing could write
	 * them back). */
	sync_state_add(&st, 8, 0xffu, "b", 1);
	ck_assert_uint_eq(st.e[1].flags, STORE_ALL_FLAGS);
	sync_state_free(&st);
}
END_TEST

START_TEST(test_find)
{
	struct sync_state	st;
	size_t			i;

	sync_state_init(&st);
	ck_assert_ptr_null(sync_state_find(&st, 0));
	ck_assert_ptr_null(sync_state_find(&st, 1));
	ck_assert_ptr_null(sync_state_find(&st, 4294967295u));
	add_str(&st, 5, 0, "five");
	ck_assert_ptr_eq(sync_state_find(&st, 5), &st.e[0]);
	ck_assert_ptr_null(sync_state_find(&st, 4));
	ck_assert_ptr_null(sync_state_find(&st, 6));
	for (i = 1; i <= 9; i++)
		if (i != 5)
			add_str(&st, (uint32_t)(i * 100), 0, "x");
	add_str(&st, 4294967295u, STORE_SEEN, "last");
	add_str(&st, 1, STORE_DRAFT, "first");
	ck_assert_uint_eq(st.n, 11);
	assert_sorted(&st);
	ck_assert_ptr_eq(sync_state_find(&st, 1), &st.e[0]);
	ck_assert_str_eq(sync_state_find(&st, 1)->name, "first");
	ck_assert_ptr_eq(sync_state_find(&st, 5), &st.e[1]);
	ck_assert_ptr_eq(sync_state_find(&st, 100), &st.e[2]);
	ck_assert_ptr_eq(sync_state_find(&st, 900), &st.e[9]);
	ck_assert_ptr_eq(sync_state_find(&st, 4294967295u), &st.e[10]);
	ck_assert_str_eq(sync_state_find(&st, 4294967295u)->name, "last");
	/* Missing: below the first, between, above the last but one. */
	ck_assert_ptr_null(sync_state_find(&st, 0));
	ck_assert_ptr_null(sync_state_find(&st, 2));
	ck_assert_ptr_null(sync_state_find(&st, 500));
	ck_assert_ptr_null(sync_state_find(&st, 150));
	ck_assert_ptr_null(sync_state_find(&st, 901));
	ck_assert_ptr_null(sync_state_find(&st, 4294967294u));
	sync_state_free(&st);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Save then load                                                      */

START_TEST(test_save_basic)
{
	struct sync_state	st;

	sync_state_init(&st);
	st.uidvalidity = 3857529045u;
	st.uidnext = 4392;
	add_str(&st, 4391, STORE_REPLIED | STORE_SEEN,
	    "1700000000.M1P2Q3.host,U=4391");
	add_str(&st, 12, 0, "1699999999.M9P8Q7.host,U=12");
	round_trip(&st, "facteur-sync 1\n"
	    "uidvalidity 3857529045\n"
	    "uidnext 4392\n"
	    "messages 2\n"
	    "m 12 - 1699999999.M9P8Q7.host,U=12\n"
	    "m 4391 RS 1700000000.M1P2Q3.host,U=4391\n");
	sync_state_free(&st);
}
END_TEST

START_TEST(test_save_modseq)
{
	struct sync_state	st;

	sync_state_init(&st);
	st.uidvalidity = 1;
	st.uidnext = 2;
	st.modseq = 715194045007u;
	add_str(&st, 1, STORE_FLAGGED, "a,U=1");
	round_trip(&st, "facteur-sync 1\n"
	    "uidvalidity 1\n"
	    "uidnext 2\n"
	    "modseq 715194045007\n"
	    "messages 1\n"
	    "m 1 F a,U=1\n");
	sync_state_free(&st);
}
END_TEST

START_TEST(test_save_no_entries)
{
	struct sync_state	st;

	sync_state_init(&st);
	st.uidvalidity = 42;
	round_trip(&st, "facteur-sync 1\nuidvalidity 42\nuidnext 0\n"
	    "messages 0\n");
	sync_state_free(&st);
}
END_TEST

START_TEST(test_save_extremes)
{
	struct sync_state	st;

	sync_state_init(&st);
	st.uidvalidity = 4294967295u;
	st.uidnext = 4294967295u;
	st.modseq = 9223372036854775807u;
	add_str(&st, 4294967295u, STORE_ALL_FLAGS, "z");
	add_str(&st, 1, 0, "a");
	round_trip(&st, "facteur-sync 1\n"
	    "uidvalidity 4294967295\n"
	    "uidnext 4294967295\n"
	    "modseq 9223372036854775807\n"
	    "messages 2\n"
	    "m 1 - a\n"
	    "m 4294967295 DFPRST z\n");
	sync_state_free(&st);
}
END_TEST

/* Every combination of D F P R S T, on one entry each. */
START_TEST(test_save_all_flags)
{
	struct sync_state	 st;
	struct buf		 want;
	char			 fl[8], name[32];
	unsigned		 f;

	sync_state_init(&st);
	buf_init(&want, 1u << 20);
	st.uidvalidity = 7;
	st.uidnext = 65;
	ck_assert_int_eq(buf_append_str(&want,
	    "facteur-sync 1\nuidvalidity 7\nuidnext 65\nmessages 64\n"), 0);
	for (f = 0; f < 64; f++) {
		(void)snprintf(name, sizeof(name), "f%u,U=%u", f, f + 1);
		add_str(&st, f + 1, f, name);
		flags_text(f, fl);
		ck_assert_int_eq(buf_printf(&want, "m %u %s %s\n", f + 1, fl,
		    name), 0);
	}
	/* The oracle itself, on a few. */
	flags_text(0, fl);
	ck_assert_str_eq(fl, "-");
	flags_text(STORE_SEEN | STORE_REPLIED, fl);
	ck_assert_str_eq(fl, "RS");
	flags_text(STORE_ALL_FLAGS, fl);
	ck_assert_str_eq(fl, "DFPRST");
	round_trip(&st, buf_str(&want));
	buf_free(&want);
	sync_state_free(&st);
}
END_TEST

/* Each letter read back as the right STORE_ flag. */
START_TEST(test_load_letters)
{
	static const char	 text[] = "facteur-sync 1\n"
	    "uidvalidity 5\nuidnext 9\n"
	    "m 1 D a\nm 2 F b\nm 3 P c\nm 4 R d\nm 5 S e\nm 6 T f\n"
	    "m 7 - g\nm 8 DFPRST h\n";
	static const unsigned	 want[] = { STORE_DRAFT, STORE_FLAGGED,
	    STORE_PASSED, STORE_REPLIED, STORE_SEEN, STORE_TRASHED, 0,
	    STORE_ALL_FLAGS };
	struct sync_state	 st;
	size_t			 i;

	write_state(tmpdir, text, sizeof(text) - 1);
	load_ok(&st, tmpdir);
	ck_assert_uint_eq(st.uidvalidity, 5);
	ck_assert_uint_eq(st.uidnext, 9);
	ck_assert_uint_eq(st.modseq, 0);
	ck_assert_uint_eq(st.n, NITEMS(want));
	for (i = 0; i < NITEMS(want); i++) {
		ck_assert_uint_eq(st.e[i].uid, i + 1);
		ck_assert_uint_eq(st.e[i].flags, want[i]);
		ck_assert_int_eq(st.e[i].name[0], (int)('a' + i));
		ck_assert_int_eq(st.e[i].name[1], '\0');
	}
	sync_state_free(&st);
}
END_TEST

/* The example in state.c's comment, through sync_state_parse. */
START_TEST(test_parse_example)
{
	static const char	 text[] = "facteur-sync 1\n"
	    "uidvalidity 3857529045\n"
	    "uidnext 4392\n"
	    "modseq 715194045007\n"
	    "m 4391 RS 1700000000.M1P2Q3.host,U=4391\n";
	struct sync_state	 st;
	struct store_err	 err;

	err.msg[0] = '\0';
	ck_assert_msg(sync_state_parse(&st, text, sizeof(text) - 1,
	    &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(st.uidvalidity, 3857529045u);
	ck_assert_uint_eq(st.uidnext, 4392);
	ck_assert_uint_eq(st.modseq, 715194045007u);
	ck_assert_uint_eq(st.n, 1);
	ck_assert_uint_eq(st.e[0].uid, 4391);
	ck_assert_uint_eq(st.e[0].flags, STORE_REPLIED | STORE_SEEN);
	ck_assert_str_eq(st.e[0].name, "1700000000.M1P2Q3.host,U=4391");
	sync_state_free(&st);
}
END_TEST

/* An "m" line's name runs to the end of the line, spaces included. */
START_TEST(test_parse_name_spaces)
{
	static const char	 text[] = "facteur-sync 1\nuidvalidity 1\n"
	    "m 1 S a b\nm 2 - a \nm 3 RS  c  d\nm 4 F m 5 S e\n";
	static const char	*want[] = { "a b", "a ", " c  d", "m 5 S e" };
	struct sync_state	 st;
	struct store_err	 err;
	size_t			 i;

	err.msg[0] = '\0';
	ck_assert_msg(sync_state_parse(&st, text, sizeof(text) - 1,
	    &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(st.n, NITEMS(want));
	for (i = 0; i < NITEMS(want); i++) {
		ck_assert_uint_eq(st.e[i].uid, i + 1);
		ck_assert_str_eq(st.e[i].name, want[i]);
	}
	ck_assert_uint_eq(st.e[2].flags, STORE_REPLIED | STORE_SEEN);
	ck_assert_uint_eq(st.e[3].flags, STORE_FLAGGED);
	ck_assert_ptr_null(sync_state_find(&st, 5));
	sync_state_free(&st);
}
END_TEST

START_TEST(test_many_entries)
{
	struct sync_state	 st;
	struct buf		 want;
	char			 fl[8], name[64];
	uint32_t		 uid;
	size_t			 i;

	sync_state_init(&st);
	buf_init(&want, 8u << 20);
	st.uidvalidity = 1234567;
	st.uidnext = 15002;
	st.modseq = 99;
	ck_assert_int_eq(buf_append_str(&want, "facteur-sync 1\n"
	    "uidvalidity 1234567\nuidnext 15002\nmodseq 99\n"
	    "messages 5000\n"), 0);
	for (i = 0; i < 5000; i++) {
		uid = (uint32_t)(i * 3 + 1);
		(void)snprintf(name, sizeof(name),
		    "1700000000.M%zuP4242.host.example,U=%u", i, (unsigned)uid);
		add_str(&st, uid, (unsigned)(i * 7) % 64, name);
		flags_text((unsigned)(i * 7) % 64, fl);
		ck_assert_int_eq(buf_printf(&want, "m %u %s %s\n",
		    (unsigned)uid, fl, name), 0);
	}
	round_trip(&st, buf_str(&want));
	buf_free(&want);
	sync_state_free(&st);
}
END_TEST

/* Names as mbsync and other writers make them, other programs' names
 * (spaces, tabs, control bytes, UTF-8), names that look like lines of
 * the file, and the longest one allowed (512 bytes). */
START_TEST(test_names)
{
	static const char	*names[] = {
		"1700000000.M1P2Q3.host,U=42",
		",U=42",
		"a",
		"1700000000_0.1234.host,U=7,FMD5=0123456789abcdef",
		"a.b.c",
		"a!\"#$%&'()*+,-;<=>?@[\\]^_`{|}~z",
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz",
		"-",
		"m",
		"my mail,U=12",
		" leading",
		"trailing ",
		" ",
		"two  spaces",
		"a\tb",
		"x\vy\f",
		"caf\xc3\xa9,U=5",
		"a\x01" "b",
		"a\x1b[31mred",
		"a\x7f",
		"m 9 S x",
		"uidvalidity 1",
	};
	struct sync_state	 st, back;
	char			 big[513];
	size_t			 i;

	sync_state_init(&st);
	st.uidvalidity = 3;
	for (i = 0; i < NITEMS(names); i++)
		add_str(&st, (uint32_t)(i + 1), (unsigned)i, names[i]);
	memset(big, 'x', 512);
	big[512] = '\0';
	add_str(&st, 1000, STORE_SEEN, big);
	save_ok(&st, tmpdir);
	load_ok(&back, tmpdir);
	assert_same(&st, &back);
	ck_assert_str_eq(back.e[1].name, ",U=42");
	ck_assert_str_eq(back.e[9].name, "my mail,U=12");
	ck_assert_str_eq(back.e[12].name, " ");
	ck_assert_uint_eq(strlen(back.e[NITEMS(names)].name), 512);
	sync_state_free(&back);
	sync_state_free(&st);
}
END_TEST

START_TEST(test_load_missing)
{
	struct sync_state	 st;
	struct store_err	 err;
	char			*nodir;

	memset(&st, 0x5a, sizeof(st));
	(void)fct_strlcpy(err.msg, "untouched", sizeof(err.msg));
	ck_assert_int_eq(sync_state_load(&st, tmpdir, &err), 0);
	assert_empty(&st);
	sync_state_free(&st);
	/* A folder that does not exist at all: nothing synced either. */
	nodir = xasprintf("%s/none", tmpdir);
	memset(&st, 0x5a, sizeof(st));
	ck_assert_int_eq(sync_state_load(&st, nodir, &err), 0);
	assert_empty(&st);
	free(nodir);
}
END_TEST

/* A second save replaces everything the first wrote. */
START_TEST(test_save_twice)
{
	static const char	want[] = "facteur-sync 1\nuidvalidity 9\n"
	    "uidnext 3\nmessages 1\nm 2 F deux\n";
	struct sync_state	st, back;

	sync_state_init(&st);
	st.uidvalidity = 9;
	st.uidnext = 100;
	st.modseq = 5000;
	add_str(&st, 1, STORE_SEEN, "one");
	add_str(&st, 2, STORE_SEEN, "two");
	save_ok(&st, tmpdir);
	sync_state_free(&st);
	st.uidvalidity = 9;
	st.uidnext = 3;
	add_str(&st, 2, STORE_FLAGGED, "deux");
	save_ok(&st, tmpdir);
	expect_file(tmpdir, want, sizeof(want) - 1);
	load_ok(&back, tmpdir);
	assert_same(&st, &back);
	sync_state_free(&back);
	sync_state_free(&st);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Hostile and corrupt files                                           */

struct bad_case {
	const char	*data;
	size_t		 len;
	const char	*msg;
};

#define H	"facteur-sync 1\n"
#define V	"uidvalidity 7\nuidnext 9\n"	/* lines 2 and 3 */
#define BAD(data, line, what) \
	{ data, sizeof(data) - 1, SYNC_STATE_FILE " line " #line ": " what }

static const struct bad_case bad_cases[] = {
	/* The header: exactly "facteur-sync 1" on the first line. */
	BAD("", 1, HDR_TEXT),
	BAD("facteur-sync 1", 1, HDR_TEXT),
	BAD("facteur-sync 2\n", 1, HDR_TEXT),
	BAD("facteur-sync 0\n" V, 1, HDR_TEXT),
	BAD("facteur-sync 10\n", 1, HDR_TEXT),
	BAD("facteur-sync 1 \n", 1, HDR_TEXT),
	BAD("facteur-sync  1\n", 1, HDR_TEXT),
	BAD("facteur-sync\t1\n", 1, HDR_TEXT),
	BAD("Facteur-sync 1\n", 1, HDR_TEXT),
	BAD("facteur-sync 1\r\n" V, 1, HDR_TEXT),
	BAD(" facteur-sync 1\n", 1, HDR_TEXT),
	BAD("\nfacteur-sync 1\n", 1, HDR_TEXT),
	BAD("facteur-sync" "\0" "1\n", 1, HDR_TEXT),
	BAD("\0" "facteur-sync 1\n", 1, HDR_TEXT),
	BAD("uidvalidity 7\nfacteur-sync 1\n", 1, HDR_TEXT),
	BAD("mbsync 1\n", 1, HDR_TEXT),
	/* A last line without its newline: cut short. */
	BAD(H "uidvalidity 7", 2, "truncated"),
	BAD(H V "m 1 S a", 4, "truncated"),
	BAD(H V "m 1 S a\nm", 5, "truncated"),
	BAD(H V "m 1 S a\n" "\0", 5, "truncated"),
	/* Lines that are not facts. */
	BAD(H "\n", 2, "unknown line"),
	BAD(H V "\n", 4, "unknown line"),
	BAD(H V "bogus 1\n", 4, "unknown line"),
	BAD(H "uidvalidity\n", 2, "unknown line"),
	BAD(H "uidvalidity 7 8\n", 2, "unknown line"),
	BAD(H "uidvalidity 7 \n", 2, "unknown line"),
	BAD(H "UIDVALIDITY 7\n", 2, "unknown line"),
	BAD(H "uidvalidity\t7\n", 2, "unknown line"),
	BAD(H "uidvalidity" "\0" " 7\n", 2, "unknown line"),
	BAD(H V "m 1 S\n", 4, "unknown line"),
	BAD(H V "m\n", 4, "unknown line"),
	BAD(H V "M 1 S a\n", 4, "unknown line"),
	BAD(H V "mm 1 S a\n", 4, "unknown line"),
	BAD(H V "facteur-sync 1\n", 4, "unknown line"),
	BAD(H V "\r\n", 4, "unknown line"),
	BAD(H "\0\n", 2, "unknown line"),
	/* More than four fields (an "m" line's name may hold spaces). */
	BAD(H "a b c d e\n", 2, "too many fields"),
	BAD(H "uidvalidity 7 8 9 10\n", 2, "too many fields"),
	BAD(H "uidnext 1 2 3 4 5 6\n", 2, "too many fields"),
	BAD(H "     \n", 2, "too many fields"),
	BAD(H V "mm 1 S a b\n", 4, "unknown line"),
	/* Numbers. */
	BAD(H "uidvalidity 0\n", 2, "bad uidvalidity"),
	BAD(H "uidvalidity 00\n", 2, "bad uidvalidity"),
	BAD(H "uidvalidity 4294967296\n", 2, "bad uidvalidity"),
	BAD(H "uidvalidity 18446744073709551616\n", 2, "bad uidvalidity"),
	BAD(H "uidvalidity -1\n", 2, "bad uidvalidity"),
	BAD(H "uidvalidity +1\n", 2, "bad uidvalidity"),
	BAD(H "uidvalidity 0x1f\n", 2, "bad uidvalidity"),
	BAD(H "uidvalidity \n", 2, "bad uidvalidity"),
	BAD(H "uidvalidity 7\r\n", 2, "bad uidvalidity"),
	BAD(H "uidvalidity 7" "\0" "\n", 2, "bad uidvalidity"),
	BAD(H "uidvalidity 0\nbogus\n", 2, "bad uidvalidity"),
	BAD(H "uidnext 4294967296\n", 2, "bad uidnext"),
	BAD(H "uidnext x\n", 2, "bad uidnext"),
	BAD(H "uidnext \n", 2, "bad uidnext"),
	BAD(H V "uidnext 1 \n", 4, "unknown line"),
	BAD(H "modseq 9223372036854775808\n", 2, "bad modseq"),
	BAD(H "modseq 18446744073709551616\n", 2, "bad modseq"),
	BAD(H "modseq -5\n", 2, "bad modseq"),
	BAD(H "modseq 1.5\n", 2, "bad modseq"),
	/* Uids: 1 to 4294967295, strictly increasing. */
	BAD(H V "m 0 S a\n", 4, "bad uid"),
	BAD(H V "m 00 S a\n", 4, "bad uid"),
	BAD(H V "m 4294967296 S a\n", 4, "bad uid"),
	BAD(H V "m 99999999999999999999999 S a\n", 4, "bad uid"),
	BAD(H V "m -1 S a\n", 4, "bad uid"),
	BAD(H V "m 1x S a\n", 4, "bad uid"),
	BAD(H V "m  S a\n", 4, "bad uid"),
	BAD(H V "m 5 S a\nm 3 S b\n", 5, "uids out of order"),
	BAD(H V "m 5 S a\nm 5 S b\n", 5, "uids out of order"),
	BAD(H V "m 4294967295 S a\nm 1 S b\n", 5, "uids out of order"),
	BAD(H V "modseq 5\nm 1 S a\nm 2 - b\nm 3 DFPRST c\nm 3 S d\n", 8,
	    "uids out of order"),
	/* Flags: maildir letters D F P R S T, or "-" alone. */
	BAD(H V "m 1  a\n", 4, "bad flags"),
	BAD(H V "m 1 s a\n", 4, "bad flags"),
	BAD(H V "m 1 X a\n", 4, "bad flags"),
	BAD(H V "m 1 SX a\n", 4, "bad flags"),
	BAD(H V "m 1 Sa a\n", 4, "bad flags"),
	BAD(H V "m 1 -S a\n", 4, "bad flags"),
	BAD(H V "m 1 S- a\n", 4, "bad flags"),
	BAD(H V "m 1 -- a\n", 4, "bad flags"),
	BAD(H V "m 1 S" "\0" " a\n", 4, "bad flags"),
	BAD(H V "m 1 " "\0" " a\n", 4, "bad flags"),
	/* Names: no "/", ":", NUL or line end, not starting with ".". */
	BAD(H V "m 1 S \n", 4, "bad file name"),
	BAD(H V "m 1 S .hidden\n", 4, "bad file name"),
	BAD(H V "m 1 S .\n", 4, "bad file name"),
	BAD(H V "m 1 S ..\n", 4, "bad file name"),
	BAD(H V "m 1 S a/b\n", 4, "bad file name"),
	BAD(H V "m 1 S /etc/passwd\n", 4, "bad file name"),
	BAD(H V "m 1 S ../../x\n", 4, "bad file name"),
	BAD(H V "m 1 S a:2,S\n", 4, "bad file name"),
	BAD(H V "m 1 S a/\n", 4, "bad file name"),
	BAD(H V "m 1 S my mail:2,S\n", 4, "bad file name"),
	BAD(H V "m 1 S abc\r\n", 4, "bad file name"),
	BAD(H V "m 1 S a\rb\n", 4, "bad file name"),
	BAD(H V "m 1 S \r\n", 4, "bad file name"),
	BAD(H V "m 1 S a" "\0" "b\n", 4, "bad file name"),
	BAD(H V "m 1 S a b" "\0" "\n", 4, "bad file name"),
	BAD(H V "m 1 S " "\0" "\n", 4, "bad file name"),
	BAD(H V "m 1 S a\nm 2 S .b\n", 5, "bad file name"),
};

START_TEST(test_load_bad)
{
	const struct bad_case	*c = &bad_cases[_i];
	struct sync_state	 st;
	struct store_err	 err;

	write_state(tmpdir, c->data, c->len);
	memset(&st, 0x5a, sizeof(st));
	(void)fct_strlcpy(err.msg, "untouched", sizeof(err.msg));
	ck_assert_int_eq(sync_state_load(&st, tmpdir, &err), -1);
	ck_assert_str_eq(err.msg, c->msg);
	/* Nothing half-read is left: the caller syncs from scratch. */
	assert_empty(&st);
	sync_state_free(&st);
}
END_TEST

START_TEST(test_parse_bad)
{
	const struct bad_case	*c = &bad_cases[_i];
	struct sync_state	 st;
	struct store_err	 err;
	char			*copy;

	/* An exact-size copy: ASan sees any read past the end. */
	copy = malloc(c->len > 0 ? c->len : 1);
	ck_assert_ptr_nonnull(copy);
	if (c->len > 0)
		memcpy(copy, c->data, c->len);
	(void)fct_strlcpy(err.msg, "untouched", sizeof(err.msg));
	ck_assert_int_eq(sync_state_parse(&st, copy, c->len, &err), -1);
	ck_assert_str_eq(err.msg, c->msg);
	assert_empty(&st);
	free(copy);
}
END_TEST

/* A name of 512 bytes is the most; 513 is refused. */
START_TEST(test_load_name_length)
{
	struct sync_state	 st;
	struct store_err	 err;
	char			*text, name[514];

	memset(name, 'n', 513);
	name[513] = '\0';
	text = xasprintf(H V "m 1 S %s\n", name);
	write_state(tmpdir, text, strlen(text));
	ck_assert_int_eq(sync_state_load(&st, tmpdir, &err), -1);
	ck_assert_str_eq(err.msg, SYNC_STATE_FILE " line 4: bad file name");
	assert_empty(&st);
	free(text);
	name[512] = '\0';
	text = xasprintf(H V "m 1 S %s\n", name);
	write_state(tmpdir, text, strlen(text));
	load_ok(&st, tmpdir);
	ck_assert_uint_eq(st.n, 1);
	ck_assert_str_eq(st.e[0].name, name);
	sync_state_free(&st);
	free(text);
}
END_TEST

/* A state file that is a symbolic link is not followed. */
START_TEST(test_load_symlink)
{
	static const char	 good[] = H V "m 1 S a\n";
	struct sync_state	 st;
	struct store_err	 err;
	char			*target, *path, *want;

	target = xasprintf("%s/elsewhere", tmpdir);
	path = state_path(tmpdir);
	test_write_file(target, good, sizeof(good) - 1);
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_int_eq(sync_state_load(&st, tmpdir, &err), -1);
	want = xasprintf("open %s: %s", path, strerror(ELOOP));
	ck_assert_str_eq(err.msg, want);
	assert_empty(&st);
	free(want);
	free(path);
	free(target);
}
END_TEST

START_TEST(test_load_directory)
{
	struct sync_state	 st;
	struct store_err	 err;
	char			*path, *want;

	path = state_path(tmpdir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(sync_state_load(&st, tmpdir, &err), -1);
	want = xasprintf("read %s: %s", path, strerror(EISDIR));
	ck_assert_str_eq(err.msg, want);
	assert_empty(&st);
	free(want);
	free(path);
}
END_TEST

/* ------------------------------------------------------------------ */
/* How a save replaces the file                                        */

static int
count_entries(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;
	int		 n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	(void)closedir(d);
	return n;
}

static void
assert_no_tmp(const char *dir)
{
	char	*tmp = xasprintf("%s/%s.tmp", dir, SYNC_STATE_FILE);

	errno = 0;
	ck_assert_int_eq(access(tmp, F_OK), -1);
	ck_assert_int_eq(errno, ENOENT);
	free(tmp);
}

START_TEST(test_save_no_tmp_left)
{
	struct sync_state	st;

	sync_state_init(&st);
	st.uidvalidity = 1;
	add_str(&st, 1, 0, "a");
	save_ok(&st, tmpdir);
	assert_no_tmp(tmpdir);
	ck_assert_int_eq(count_entries(tmpdir), 1);
	save_ok(&st, tmpdir);
	assert_no_tmp(tmpdir);
	ck_assert_int_eq(count_entries(tmpdir), 1);
	sync_state_free(&st);
}
END_TEST

/*
 * The old file is replaced by a rename, not rewritten in place: a hard
 * link to it keeps the old bytes whole, the name points to a new inode
 * holding exactly the new bytes (nothing of the longer old file).
 */
START_TEST(test_save_replaces_atomically)
{
	static const char	 want[] = "facteur-sync 1\nuidvalidity 2\n"
	    "uidnext 3\nmessages 1\nm 2 S b\n";
	struct sync_state	 st;
	struct stat		 before, after;
	char			*path, *link_path, *old, *got;
	size_t			 i, oldlen = 20000, len;

	path = state_path(tmpdir);
	link_path = xasprintf("%s/old-link", tmpdir);
	old = malloc(oldlen);
	ck_assert_ptr_nonnull(old);
	for (i = 0; i < oldlen; i++)
		old[i] = (char)('a' + i % 26);
	test_write_file(path, old, oldlen);
	ck_assert_int_eq(link(path, link_path), 0);
	ck_assert_int_eq(stat(path, &before), 0);
	sync_state_init(&st);
	st.uidvalidity = 2;
	st.uidnext = 3;
	add_str(&st, 2, STORE_SEEN, "b");
	save_ok(&st, tmpdir);
	expect_file(tmpdir, want, sizeof(want) - 1);
	ck_assert_int_eq(stat(path, &after), 0);
	ck_assert_uint_ne(before.st_ino, after.st_ino);
	ck_assert_uint_eq(after.st_nlink, 1);
	got = test_slurp(link_path, &len);
	ck_assert_uint_eq(len, oldlen);
	ck_assert_mem_eq(got, old, oldlen);
	assert_no_tmp(tmpdir);
	free(got);
	free(old);
	free(link_path);
	free(path);
	sync_state_free(&st);
}
END_TEST

/* A ".facteur-sync.tmp" left by a crash is replaced. */
START_TEST(test_save_stale_tmp)
{
	static const char	 want[] = "facteur-sync 1\nuidvalidity 4\n"
	    "uidnext 0\nmessages 0\n";
	struct sync_state	 st;
	char			*tmp;

	tmp = xasprintf("%s/%s.tmp", tmpdir, SYNC_STATE_FILE);
	test_write_file(tmp, "half a state\nm 1", 16);
	sync_state_init(&st);
	st.uidvalidity = 4;
	save_ok(&st, tmpdir);
	expect_file(tmpdir, want, sizeof(want) - 1);
	assert_no_tmp(tmpdir);
	sync_state_free(&st);
	free(tmp);
}
END_TEST

/* A ".facteur-sync.tmp" that is a symbolic link: the file it points to
 * is left alone, the state is a regular file. */
START_TEST(test_save_tmp_symlink)
{
	static const char	 want[] = "facteur-sync 1\nuidvalidity 4\n"
	    "uidnext 0\nmessages 0\n";
	struct sync_state	 st;
	struct stat		 sb;
	char			*tmp, *victim, *path, *got;
	size_t			 len;

	tmp = xasprintf("%s/%s.tmp", tmpdir, SYNC_STATE_FILE);
	victim = xasprintf("%s/victim", tmpdir);
	path = state_path(tmpdir);
	test_write_file(victim, "victim\n", 7);
	ck_assert_int_eq(symlink(victim, tmp), 0);
	sync_state_init(&st);
	st.uidvalidity = 4;
	save_ok(&st, tmpdir);
	expect_file(tmpdir, want, sizeof(want) - 1);
	ck_assert_int_eq(lstat(path, &sb), 0);
	ck_assert(S_ISREG(sb.st_mode));
	got = test_slurp(victim, &len);
	ck_assert_uint_eq(len, 7);
	ck_assert_str_eq(got, "victim\n");
	assert_no_tmp(tmpdir);
	sync_state_free(&st);
	free(got);
	free(path);
	free(victim);
	free(tmp);
}
END_TEST

/*
 * A crash at each step of writing the new file (a child that _exit()s
 * from store_fault_hook) leaves the old state whole; the next save
 * succeeds over the leftover ".facteur-sync.tmp".
 */
static const char *const crash_steps[] = {
	"tmp-created", "tmp-written", "tmp-synced",
};

static const char	*crash_at;

static void
crash_hook(const char *step)
{
	if (strcmp(step, crash_at) == 0)
		_exit(77);
}

START_TEST(test_save_crash)
{
	static const char	 old[] = "facteur-sync 1\nuidvalidity 5\n"
	    "uidnext 2\nmessages 1\nm 1 S one\n";
	static const char	 new[] = "facteur-sync 1\nuidvalidity 5\n"
	    "uidnext 3\nmessages 2\nm 1 RS one\nm 2 - two\n";
	struct sync_state	 st, back;
	struct store_err	 err;
	pid_t			 pid;
	int			 status;

	write_state(tmpdir, old, sizeof(old) - 1);
	sync_state_init(&st);
	st.uidvalidity = 5;
	st.uidnext = 3;
	add_str(&st, 1, STORE_REPLIED | STORE_SEEN, "one");
	add_str(&st, 2, 0, "two");
	(void)fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		crash_at = crash_steps[_i];
		store_fault_hook = crash_hook;
		(void)sync_state_save(&st, tmpdir, &err);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_msg(WEXITSTATUS(status) == 77, "the save never reached %s",
	    crash_steps[_i]);
	expect_file(tmpdir, old, sizeof(old) - 1);
	load_ok(&back, tmpdir);
	ck_assert_uint_eq(back.uidnext, 2);
	ck_assert_uint_eq(back.n, 1);
	sync_state_free(&back);
	save_ok(&st, tmpdir);
	expect_file(tmpdir, new, sizeof(new) - 1);
	assert_no_tmp(tmpdir);
	sync_state_free(&st);
}
END_TEST

START_TEST(test_save_missing_dir)
{
	struct sync_state	 st;
	struct store_err	 err;
	struct stat		 sb;
	char			*dir, *want;

	dir = xasprintf("%s/gone", tmpdir);
	sync_state_init(&st);
	st.uidvalidity = 1;
	add_str(&st, 1, 0, "a");
	err.msg[0] = '\0';
	ck_assert_int_eq(sync_state_save(&st, dir, &err), -1);
	want = xasprintf("%s/%s.tmp: %s", dir, SYNC_STATE_FILE,
	    strerror(ENOENT));
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(stat(dir, &sb), -1);
	ck_assert_int_eq(count_entries(tmpdir), 0);
	free(want);
	free(dir);
	sync_state_free(&st);
}
END_TEST

START_TEST(test_save_dir_is_file)
{
	struct sync_state	 st;
	struct store_err	 err;
	char			*dir, *want, *got;
	size_t			 len;

	dir = xasprintf("%s/file", tmpdir);
	test_write_file(dir, "x", 1);
	sync_state_init(&st);
	st.uidvalidity = 1;
	err.msg[0] = '\0';
	ck_assert_int_eq(sync_state_save(&st, dir, &err), -1);
	want = xasprintf("%s/%s.tmp: %s", dir, SYNC_STATE_FILE,
	    strerror(ENOTDIR));
	ck_assert_str_eq(err.msg, want);
	got = test_slurp(dir, &len);
	ck_assert_uint_eq(len, 1);
	ck_assert_str_eq(got, "x");
	sync_state_free(&st);
	free(got);
	free(want);
	free(dir);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Which names can be recorded                                         */

#define NC(lit, ok)	{ lit, sizeof(lit) - 1, ok }

static const struct {
	const char	*s;
	size_t		 n;
	bool		 ok;
} name_cases[] = {
	NC("a", true),
	NC("1700000000.M1P2Q3.host,U=4391", true),
	NC("a.", true),
	NC("a b", true),
	NC(" ", true),
	NC("a\tb", true),
	NC("a\x1b[0m", true),
	NC("caf\xc3\xa9", true),
	NC("", false),
	NC(".", false),
	NC(".a", false),
	NC("..", false),
	NC("a/b", false),
	NC("/", false),
	NC("a:b", false),
	NC("a:2,S", false),
	NC("a\nb", false),
	NC("a\n", false),
	NC("a\rb", false),
	NC("a\0b", false),
	NC("\0", false),
	/* Only the n bytes given count. */
	{ "ab/", 2, true },
	{ "a:", 1, true },
	{ "a\n", 1, true },
	{ "a", 0, false },
};

START_TEST(test_name_ok_table)
{
	ck_assert_msg(sync_state_name_ok(name_cases[_i].s, name_cases[_i].n) ==
	    name_cases[_i].ok, "case %d: want %s", _i,
	    name_cases[_i].ok ? "true" : "false");
}
END_TEST

START_TEST(test_name_ok_length)
{
	char	name[514];

	memset(name, 'n', sizeof(name));
	ck_assert(sync_state_name_ok(name, 512));
	ck_assert(!sync_state_name_ok(name, 513));
	ck_assert(!sync_state_name_ok(name, 514));
}
END_TEST

/* A state that was never synced (uidvalidity 0) has no uidvalidity line,
 * and loads back as never synced. */
START_TEST(test_save_never_synced)
{
	struct sync_state	st;

	sync_state_init(&st);
	round_trip(&st, "facteur-sync 1\nuidnext 0\nmessages 0\n");
	st.uidnext = 8;
	st.modseq = 3;
	add_str(&st, 2, STORE_SEEN, "b");
	round_trip(&st, "facteur-sync 1\nuidnext 8\nmodseq 3\nmessages 1\n"
	    "m 2 S b\n");
	sync_state_free(&st);
}
END_TEST

/*
 * A name that cannot be recorded (the engine leaves such files out) is
 * refused with the name in the message, and the state on disk is left
 * as it was: nothing written, no ".facteur-sync.tmp".
 */
static const char *const unrecordable[] = {
	"", ".x", "..", "a/b", "a:b", "a\nb", "x\nm 9 S injected", "a\rb",
};

START_TEST(test_save_refuses_name)
{
	static const char	 old[] = "facteur-sync 1\nuidvalidity 5\n"
	    "uidnext 2\nmessages 1\nm 1 S good\n";
	const char		*bad_name = unrecordable[_i];
	struct sync_state	 st;
	struct store_err	 err;
	char			*want, shown[128];
	size_t			 k;

	sync_state_init(&st);
	st.uidvalidity = 5;
	st.uidnext = 2;
	add_str(&st, 1, STORE_SEEN, "good");
	save_ok(&st, tmpdir);
	expect_file(tmpdir, old, sizeof(old) - 1);
	st.uidnext = 3;
	add_str(&st, 2, 0, bad_name);
	err.msg[0] = '\0';
	ck_assert_int_eq(sync_state_save(&st, tmpdir, &err), -1);
	/* Control bytes of the name are not echoed to a terminal. */
	(void)fct_strlcpy(shown, bad_name, sizeof(shown));
	for (k = 0; shown[k] != '\0'; k++)
		if ((unsigned char)shown[k] < 0x20)
			shown[k] = '?';
	want = xasprintf("%s: cannot record uid 2, file name \"%s\"", tmpdir,
	    shown);
	ck_assert_str_eq(err.msg, want);
	expect_file(tmpdir, old, sizeof(old) - 1);
	assert_no_tmp(tmpdir);
	free(want);
	sync_state_free(&st);
}
END_TEST

/* "messages N" must match the entries; sync_state_load_head() reads the
 * lines before them alone, and gives up (1) without a count. */
START_TEST(test_load_head)
{
	static const char	 full[] = "facteur-sync 1\nuidvalidity 7\n"
	    "uidnext 9\nmodseq 12\nlocal 1 2 3 4 5 6\nmessages 2\n"
	    "m 3 S a\nm 8 - b\n";
	static const char	 wrong[] = "facteur-sync 1\nuidnext 9\n"
	    "messages 3\nm 3 S a\nm 8 - b\n";
	static const char	 nocount[] = "facteur-sync 1\nuidvalidity 7\n"
	    "uidnext 9\nm 3 S a\n";
	static const char	 junk[] = "facteur-sync 1\nuidvalidity x\n"
	    "messages 1\nm 3 S a\n";
	struct sync_state	 st;
	struct store_err	 err;
	struct buf		 big;
	size_t			 i;

	write_state(tmpdir, full, sizeof(full) - 1);
	ck_assert_int_eq(sync_state_load_head(&st, tmpdir, &err), 0);
	ck_assert_uint_eq(st.uidvalidity, 7);
	ck_assert_uint_eq(st.uidnext, 9);
	ck_assert_uint_eq(st.modseq, 12);
	ck_assert(st.have_stamp);
	ck_assert(st.have_count);
	ck_assert_uint_eq(st.count, 2);
	ck_assert_uint_eq(st.n, 0);
	sync_state_free(&st);
	load_ok(&st, tmpdir);
	ck_assert_uint_eq(st.n, 2);
	sync_state_free(&st);
	ck_assert_int_eq(sync_state_parse(&st, wrong, sizeof(wrong) - 1,
	    &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "the message count does not "
	    "match"));
	write_state(tmpdir, nocount, sizeof(nocount) - 1);
	ck_assert_int_eq(sync_state_load_head(&st, tmpdir, &err), 1);
	ck_assert_uint_eq(st.uidvalidity, 0);
	write_state(tmpdir, junk, sizeof(junk) - 1);
	ck_assert_int_eq(sync_state_load_head(&st, tmpdir, &err), 1);
	ck_assert_uint_eq(st.count, 0);
	/* Header lines past the first 4 KiB: not trusted half-read. */
	buf_init(&big, 1 << 20);
	ck_assert_int_eq(buf_append_str(&big, "facteur-sync 1\n"), 0);
	for (i = 0; i < 500; i++)
		ck_assert_int_eq(buf_append_str(&big, "uidnext 9\n"), 0);
	ck_assert_int_eq(buf_append_str(&big, "messages 0\n"), 0);
	write_state(tmpdir, big.data, big.len);
	ck_assert_int_eq(sync_state_load_head(&st, tmpdir, &err), 1);
	buf_free(&big);
	/* No file at all. */
	ck_assert_int_eq(sync_state_load_head(&st, "/nonexistent", &err), 1);
}
END_TEST

/* The local stamp line: read, written back, and refused when malformed. */
START_TEST(test_stamp_line)
{
	static const char	 good[] = "facteur-sync 1\nuidvalidity 7\n"
	    "uidnext 1\nlocal 1700000000 5 1700000001 999999999 1700000002 0\n"
	    "messages 0\n";
	static const char *const bad_lines[] = {
		"local 1 2 3 4 5",
		"local 1 2 3 4 5 6 7",
		"local 1 1000000000 3 4 5 6",
		"local 1 2 3 4 5 6 ",
		"local -1 2 3 4 5 6",
		"local  1 2 3 4 5 6",
	};
	struct sync_state	 st;
	struct store_err	 err;
	char			*text;
	size_t			 i;

	ck_assert_int_eq(sync_state_parse(&st, good, sizeof(good) - 1, &err),
	    0);
	ck_assert(st.have_stamp);
	ck_assert_int_eq(st.stamp.new_s, 1700000000);
	ck_assert_int_eq(st.stamp.new_ns, 5);
	ck_assert_int_eq(st.stamp.cur_s, 1700000001);
	ck_assert_int_eq(st.stamp.cur_ns, 999999999);
	ck_assert_int_eq(st.stamp.at_s, 1700000002);
	ck_assert_int_eq(st.stamp.at_ns, 0);
	save_ok(&st, tmpdir);
	expect_file(tmpdir, good, sizeof(good) - 1);
	sync_state_free(&st);
	for (i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		text = xasprintf("facteur-sync 1\n%s\n", bad_lines[i]);
		ck_assert_msg(sync_state_parse(&st, text, strlen(text), &err) ==
		    -1, "%s", bad_lines[i]);
		ck_assert_str_eq(err.msg, ".facteur-sync line 2: bad local "
		    "stamp");
		free(text);
	}
}
END_TEST

/* An entry or a mod-sequence the loader would refuse is not written. */
START_TEST(test_save_refuses_unloadable)
{
	struct sync_state	 st;
	struct store_err	 err;
	char			*want;

	sync_state_init(&st);
	st.uidvalidity = 5;
	add_str(&st, 0, 0, "zero");
	ck_assert_int_eq(sync_state_save(&st, tmpdir, &err), -1);
	want = xasprintf("%s: cannot record uid 0, file name \"zero\"",
	    tmpdir);
	ck_assert_str_eq(err.msg, want);
	free(want);
	sync_state_free(&st);
	sync_state_init(&st);
	st.uidvalidity = 5;
	st.modseq = (uint64_t)INT64_MAX + 1;
	ck_assert_int_eq(sync_state_save(&st, tmpdir, &err), -1);
	want = xasprintf("%s: mod-sequence out of range", tmpdir);
	ck_assert_str_eq(err.msg, want);
	free(want);
	ck_assert_int_eq(count_entries(tmpdir), 0);
	st.modseq = INT64_MAX;
	save_ok(&st, tmpdir);
	sync_state_free(&st);
}
END_TEST

START_TEST(test_save_refuses_long_name)
{
	struct sync_state	 st;
	struct store_err	 err;
	char			 name[514], *want;

	memset(name, 'n', 513);
	name[513] = '\0';
	sync_state_init(&st);
	st.uidvalidity = 5;
	add_str(&st, 1, 0, name);
	err.msg[0] = '\0';
	ck_assert_int_eq(sync_state_save(&st, tmpdir, &err), -1);
	/* The name is cut to 127 bytes in the message. */
	name[127] = '\0';
	want = xasprintf("%s: cannot record uid 1, file name \"%s\"", tmpdir,
	    name);
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(count_entries(tmpdir), 0);
	free(want);
	sync_state_free(&st);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Whatever a save writes, a load reads back                           */

/*
 * The engine saves what sync_state_add() was given: the unique part of
 * any maildir file name (readdir(), so another program's names too) and
 * whatever parse accepted. A save must then either fail or write a file
 * that loads back as the same state: a file that does not load makes
 * every later sync start from scratch, and a name holding a newline
 * would write entries of its own. (Each of these failed against the
 * first state.c.)
 */
static const struct {
	const char	*what;
	uint32_t	 uidvalidity, uid;
	const char	*name;
} loadable_cases[] = {
	/* parse accepts a file with no uidvalidity line (uidvalidity 0,
	 * "never synced"); its save said "uidvalidity 0", refused by load.
	 * Found by tests/fuzz/fuzz_sync_state (corpus: no-uidvalidity). */
	{ "never synced", 0, 0, NULL },
	{ "name with a space", 7, 5, "my mail,U=5" },
	{ "name with a newline", 7, 5, "x\nm 9 S injected" },
	{ "non-ASCII name", 7, 5, "caf\xc3\xa9,U=5" },
	{ "empty name (file \":2,S\")", 7, 5, "" },
	{ "name with a tab", 7, 5, "a\tb" },
	{ "name with a carriage return", 7, 5, "a\rb" },
	{ "name with a slash", 7, 5, "a/b" },
	{ "dot name", 7, 5, ".x" },
};

static int
journal_collect(const char *name, void *arg)
{
	struct buf	*b = arg;

	ck_assert_int_eq(buf_printf(b, "[%s]", name), 0);
	return strcmp(name, "stop") == 0 ? -1 : 0;
}

/* The journal: good names only, a line cut short by a crash skipped, a
 * stop from the callback returned. */
START_TEST(test_journal)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*names;
		int		 rc;
	} cases[] = {
#define J(s)	s, sizeof(s) - 1
		{ J("append a.b,U=3\nappend c\n"), "[a.b,U=3][c]", 0 },
		{ J("append a\nappend half"), "[a]", 0 },
		{ J("append \nappend .hidden\nappend x/y\nappend x:2,S\n"), "",
		  0 },
		{ J("append nul\0byte\nappend ok\n"), "[ok]", 0 },
		{ J("append cr\r\nmove a\nAPPEND b\nappend  sp\n"), "[ sp]",
		  0 },
		{ J("append x\nappend stop\nappend never\n"), "[x][stop]", -1 },
		{ J("\n\n\n"), "", 0 },
		{ J(""), "", 0 },
#undef J
	};
	struct buf	b;
	char		*big;
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&b, 4096);
		ck_assert_int_eq(sync_journal_parse(cases[i].in, cases[i].len,
		    journal_collect, &b), cases[i].rc);
		ck_assert_msg(strcmp(buf_str(&b), cases[i].names) == 0,
		    "case %zu: %s", i, buf_str(&b));
		buf_free(&b);
	}
	/* A name longer than the state can hold is skipped, not cut. */
	big = xmalloc(7 + 600 + 1);
	memcpy(big, "append ", 7);
	memset(big + 7, 'n', 600);
	big[607] = '\n';
	buf_init(&b, 4096);
	ck_assert_int_eq(sync_journal_parse(big, 608, journal_collect, &b), 0);
	ck_assert_str_eq(buf_str(&b), "");
	buf_free(&b);
	free(big);
}
END_TEST

START_TEST(test_save_loadable)
{
	struct sync_state	st, back;
	struct store_err	err;
	int			rc;

	sync_state_init(&st);
	st.uidvalidity = loadable_cases[_i].uidvalidity;
	if (loadable_cases[_i].name != NULL)
		add_str(&st, loadable_cases[_i].uid, STORE_SEEN,
		    loadable_cases[_i].name);
	err.msg[0] = '\0';
	rc = sync_state_save(&st, tmpdir, &err);
	if (rc == -1) {
		/* Refusing is fine, with a reason. */
		ck_assert_msg(err.msg[0] != '\0', "%s: save failed silently",
		    loadable_cases[_i].what);
	} else {
		ck_assert_int_eq(rc, 0);
		err.msg[0] = '\0';
		ck_assert_msg(sync_state_load(&back, tmpdir, &err) == 0,
		    "%s: saved, then the load fails: %s",
		    loadable_cases[_i].what, err.msg);
		ck_assert_msg(back.n == st.n, "%s: saved %zu entries, "
		    "loaded %zu", loadable_cases[_i].what, st.n, back.n);
		assert_same(&st, &back);
		sync_state_free(&back);
	}
	sync_state_free(&st);
}
END_TEST

/*
 * The fuzzer's find (tests/fuzz/corpus/fuzz_sync_state/no-uidvalidity):
 * a header alone, or with no uidvalidity line, parses; what its save
 * writes must load back.
 */
static const char *const no_uidvalidity_cases[] = {
	"facteur-sync 1\n",
	"facteur-sync 1\nuidnext 5\nm 3 S a,U=3\n",
};

START_TEST(test_no_uidvalidity)
{
	const char		*text = no_uidvalidity_cases[_i];
	struct sync_state	 st, back;
	struct store_err	 err;

	err.msg[0] = '\0';
	ck_assert_msg(sync_state_parse(&st, text, strlen(text), &err) == 0,
	    "%s", err.msg);
	ck_assert_uint_eq(st.uidvalidity, 0);
	save_ok(&st, tmpdir);
	err.msg[0] = '\0';
	ck_assert_msg(sync_state_load(&back, tmpdir, &err) == 0,
	    "parsed, saved, then the load fails: %s", err.msg);
	assert_same(&st, &back);
	sync_state_free(&back);
	sync_state_free(&st);
}
END_TEST

Suite *
sync_state_suite(void)
{
	Suite	*s = suite_create("sync_state");
	TCase	*tc;

	tc = tcase_create("entries");
	tcase_add_test(tc, test_init_free);
	tcase_add_test(tc, test_add_in_order);
	tcase_add_test(tc, test_add_out_of_order);
	tcase_add_test(tc, test_add_scrambled);
	tcase_add_test(tc, test_add_replaces);
	tcase_add_test(tc, test_add_copies_name);
	tcase_add_test(tc, test_find);
	suite_add_tcase(s, tc);

	tc = tcase_create("round_trip");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_save_basic);
	tcase_add_test(tc, test_save_modseq);
	tcase_add_test(tc, test_save_no_entries);
	tcase_add_test(tc, test_save_extremes);
	tcase_add_test(tc, test_save_all_flags);
	tcase_add_test(tc, test_load_letters);
	tcase_add_test(tc, test_parse_example);
	tcase_add_test(tc, test_parse_name_spaces);
	tcase_add_test(tc, test_many_entries);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_load_missing);
	tcase_add_test(tc, test_save_twice);
	suite_add_tcase(s, tc);

	tc = tcase_create("corrupt");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_load_bad, 0, (int)NITEMS(bad_cases));
	tcase_add_loop_test(tc, test_parse_bad, 0, (int)NITEMS(bad_cases));
	tcase_add_test(tc, test_load_name_length);
	tcase_add_test(tc, test_load_symlink);
	tcase_add_test(tc, test_load_directory);
	suite_add_tcase(s, tc);

	tc = tcase_create("replace");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_save_no_tmp_left);
	tcase_add_test(tc, test_save_replaces_atomically);
	tcase_add_test(tc, test_save_stale_tmp);
	tcase_add_test(tc, test_save_tmp_symlink);
	tcase_add_loop_test(tc, test_save_crash, 0, (int)NITEMS(crash_steps));
	tcase_add_test(tc, test_save_missing_dir);
	tcase_add_test(tc, test_save_dir_is_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_name_ok_table, 0, (int)NITEMS(name_cases));
	tcase_add_test(tc, test_name_ok_length);
	tcase_add_test(tc, test_save_never_synced);
	tcase_add_loop_test(tc, test_save_refuses_name, 0,
	    (int)NITEMS(unrecordable));
	tcase_add_test(tc, test_save_refuses_long_name);
	tcase_add_test(tc, test_save_refuses_unloadable);
	tcase_add_test(tc, test_stamp_line);
	tcase_add_test(tc, test_load_head);
	tcase_add_test(tc, test_journal);
	suite_add_tcase(s, tc);

	tc = tcase_create("save_loadable");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_save_loadable, 0,
	    (int)NITEMS(loadable_cases));
	tcase_add_loop_test(tc, test_no_uidvalidity, 0,
	    (int)NITEMS(no_uidvalidity_cases));
	suite_add_tcase(s, tc);

	return s;
}
