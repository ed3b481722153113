/*
 * check_store_view.c: unit tests of the views of a folder
 * (src/store/view.c): sort names, JWZ threading (replies before their
 * parents, missing parents, In-Reply-To against References, duplicate
 * ids, loops, junk, messages without ids, filtered messages, subject
 * grouping), the flat sorts with their ties, a 100,000-deep thread, the
 * tree drawing and its truncation, and a randomised property check of
 * the threads over a few hundred message sets with random references.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "store.h"
#include "tests.h"

Suite	*store_view_suite(void);

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define NONE		UINT32_MAX
#define UNK		STORE_DATE_UNKNOWN

/* A message with ids and a date; subject, sender and size left empty. */
#define MSG(mid, refs, irt, d) {					\
	.name = "1.1.host", .subject = "", .from = "", .from_addr = "",	\
	.message_id = (mid), .in_reply_to = (irt), .references = (refs),\
	.date = (d), .received = 0 }
#define MSGS(mid, refs, irt, d, subj) {					\
	.name = "1.1.host", .subject = (subj), .from = "", .from_addr = "",\
	.message_id = (mid), .in_reply_to = (irt), .references = (refs),\
	.date = (d), .received = 0 }

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/*
 * What is wrong with row r, or NULL. path[0, *sp) is the pre-order path
 * to the row before; seen and lastkid are updated. (Plain tests, not
 * ck_assert(): with CK_FORK=no every passed assertion costs a write.)
 */
static const char *
row_fault(const struct store_view *v, size_t r, size_t n, const bool *keep,
    bool *seen, uint32_t *path, uint32_t *sp, uint32_t *lastkid)
{
	const struct store_view_row	*row = &v->rows[r];
	unsigned			 want;

	if (row->msg >= n || (keep != NULL && !keep[row->msg]))
		return "a message not kept";
	if (seen[row->msg])
		return "a message twice";
	seen[row->msg] = true;
	if (row->parent == NONE) {
		if (row->depth != 0)
			return "a root with a depth";
		if (row->fake_parent && r == 0)
			return "fake_parent on the first row";
		*sp = 0;
	} else {
		if (row->parent >= r)
			return "parent after its child";
		if (row->fake_parent)
			return "fake_parent below a root";
		want = v->rows[row->parent].depth;
		if (want < UINT16_MAX)
			want++;
		if (row->depth != want)
			return "depth is not the parent's plus one";
		while (*sp > 0 && path[*sp - 1] != row->parent)
			(*sp)--;
		if (*sp == 0)
			return "not in pre-order";
		lastkid[row->parent] = (uint32_t)r;
	}
	path[(*sp)++] = (uint32_t)r;
	return NULL;
}

/*
 * The invariants of every view: each kept message exactly once; rows in
 * depth-first pre-order (a row's parent is on the path to the row before
 * it); depth is the parent's plus one, saturated; last_child true exactly
 * for the last child of a parent, and for the last root (never in a flat
 * sort); fake_parent only on roots that follow another root.
 */
static void
check_view(size_t n, const bool *keep, enum store_sort sort,
    const struct store_view *v)
{
	uint32_t	*path, *lastkid, sp = 0, lastroot = NONE;
	bool		*seen, want;
	size_t		 i, r, kept = 0;
	const char	*why = NULL;

	seen = calloc(n + 1, sizeof(*seen));
	path = calloc(v->n + 1, sizeof(*path));
	lastkid = calloc(v->n + 1, sizeof(*lastkid));
	ck_assert(seen != NULL && path != NULL && lastkid != NULL);
	for (i = 0; i < n; i++)
		kept += keep == NULL || keep[i];
	ck_assert_uint_eq(v->n, kept);
	for (r = 0; r < v->n && why == NULL; r++) {
		why = row_fault(v, r, n, keep, seen, path, &sp, lastkid);
		if (v->rows[r].parent == NONE)
			lastroot = (uint32_t)r;
	}
	for (i = 0; i < v->n && why == NULL; i++) {
		const struct store_view_row *row = &v->rows[i];

		if (sort != STORE_SORT_THREADS)
			want = false;
		else if (row->parent == NONE)
			want = i == lastroot;
		else
			want = lastkid[row->parent] == i;
		if (row->last_child != want)
			why = "last_child wrong";
		r = i + 1;
	}
	free(seen);
	free(path);
	free(lastkid);
	ck_assert_msg(why == NULL, "row %zu: %s", r - 1, why);
}

/* The rows as "0 .1 ..2 3*": dots for depth, '*' for fake_parent. */
static const char *
shape(const struct store_view *v)
{
	static char	out[4096];
	size_t		len = 0, r;
	int		k;

	out[0] = '\0';
	for (r = 0; r < v->n && len + 64 < sizeof(out); r++) {
		if (r > 0)
			out[len++] = ' ';
		for (k = 0; k < v->rows[r].depth && k < 16; k++)
			out[len++] = '.';
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%u%s",
		    v->rows[r].msg, v->rows[r].fake_parent ? "*" : "");
	}
	return out;
}

static void
build(const struct store_msg *m, size_t n, enum store_sort sort,
    bool group, const bool *keep, struct store_view *v)
{
	struct store_err	err;

	err.msg[0] = '\0';
	ck_assert_msg(store_view_build_msgs(m, n, sort, group, keep, v,
	    &err) == 0, "%s", err.msg);
	check_view(n, keep, sort, v);
}

/* The shape of a view built without group_subject, for loops. */
static const char *
shape_of(const struct store_msg *m, size_t n)
{
	static char		copy[4096];
	struct store_view	v;

	build(m, n, STORE_SORT_THREADS, false, NULL, &v);
	(void)snprintf(copy, sizeof(copy), "%s", shape(&v));
	store_view_free(&v);
	return copy;
}

/* xorshift64: the tests' deterministic random numbers. */
static uint64_t
prng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Build, check the shape, free. */
static void
expect(const struct store_msg *m, size_t n, enum store_sort sort,
    bool group, const bool *keep, const char *want)
{
	struct store_view	v;

	build(m, n, sort, group, keep, &v);
	ck_assert_str_eq(shape(&v), want);
	store_view_free(&v);
}

/* ------------------------------------------------------------------ */
/* Names and dates                                                     */

static const struct {
	const char	*in;
	int		 want;
} parse_cases[] = {
	{ "threads", STORE_SORT_THREADS }, { "date", STORE_SORT_DATE },
	{ "date-reverse", STORE_SORT_DATE_REVERSE },
	{ "from", STORE_SORT_FROM }, { "subject", STORE_SORT_SUBJECT },
	{ "size", STORE_SORT_SIZE },
	{ NULL, -1 }, { "", -1 }, { "Date", -1 }, { "date ", -1 },
	{ "thread", -1 }, { "date-reversed", -1 }, { "SIZE", -1 },
};

START_TEST(sort_parse_table)
{
	int	got = store_sort_parse(parse_cases[_i].in);

	ck_assert_int_eq(got, parse_cases[_i].want);
	if (got >= 0)
		ck_assert_str_eq(store_sort_name((enum store_sort)got),
		    parse_cases[_i].in);
}
END_TEST

START_TEST(sort_name_unknown)
{
	ck_assert_ptr_null(store_sort_name((enum store_sort)42));
	ck_assert_str_eq(store_sort_name(STORE_SORT_DATE_REVERSE),
	    "date-reverse");
}
END_TEST

START_TEST(sort_date_fallback)
{
	struct store_msg	m = MSG(NULL, NULL, NULL, 1000);

	m.received = 2000;
	ck_assert_int_eq(store_msg_sort_date(&m), 1000);
	m.date = UNK;
	ck_assert_int_eq(store_msg_sort_date(&m), 2000);
	m.date = -5;	/* before 1970 is a date, not "unknown" */
	ck_assert_int_eq(store_msg_sort_date(&m), -5);
}
END_TEST

START_TEST(empty_and_errors)
{
	struct store_msg	m[] = { MSG("<a>", NULL, NULL, 1) };
	bool			keep[] = { false };
	struct store_view	v;
	struct store_err	err;

	ck_assert_int_eq(store_view_build_msgs(NULL, 0, STORE_SORT_THREADS,
	    true, NULL, &v, &err), 0);
	ck_assert_uint_eq(v.n, 0);
	store_view_free(&v);
	ck_assert_int_eq(store_view_build_msgs(m, 1, STORE_SORT_THREADS,
	    false, keep, &v, &err), 0);
	ck_assert_uint_eq(v.n, 0);
	ck_assert_ptr_null(v.rows);
	store_view_free(&v);
	store_view_free(NULL);
	err.msg[0] = '\0';
	ck_assert_int_eq(store_view_build_msgs(m, 1, (enum store_sort)42,
	    false, NULL, &v, &err), -1);
	ck_assert_str_ne(err.msg, "");
	ck_assert_uint_eq(v.n, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Threads                                                             */

START_TEST(thread_chain)
{
	struct store_msg	m[] = {
		MSG("<a>", NULL, NULL, 100),
		MSG("<b>", "<a>", "<a>", 200),
		MSG("<c>", "<a> <b>", "<b>", 300),
		MSG("<d>", "<a>", "<a>", 250),
	};
	struct store_view	v;

	build(m, NITEMS(m), STORE_SORT_THREADS, false, NULL, &v);
	ck_assert_str_eq(shape(&v), "0 .1 ..2 .3");
	ck_assert_uint_eq(v.rows[0].parent, NONE);
	ck_assert_uint_eq(v.rows[1].parent, 0);
	ck_assert_uint_eq(v.rows[2].parent, 1);
	ck_assert_uint_eq(v.rows[3].parent, 0);
	ck_assert(v.rows[0].last_child);
	ck_assert(!v.rows[1].last_child);
	ck_assert(v.rows[2].last_child);
	ck_assert(v.rows[3].last_child);
	store_view_free(&v);
	ck_assert_ptr_null(v.rows);
}
END_TEST

/* The same thread with every reply stored before what it answers. */
START_TEST(thread_reversed)
{
	struct store_msg	m[] = {
		MSG("<c>", "<a> <b>", "<b>", 300),
		MSG("<d>", "<a>", "<a>", 250),
		MSG("<b>", "<a>", "<a>", 200),
		MSG("<a>", NULL, NULL, 100),
	};

	expect(m, NITEMS(m), STORE_SORT_THREADS, false, NULL,
	    "3 .2 ..0 .1");
}
END_TEST

/* Siblings by date, threads by their earliest message. */
START_TEST(thread_order)
{
	struct store_msg	m[] = {
		MSG("<t1>", NULL, NULL, 500),
		MSG("<t2>", NULL, NULL, 400),
		MSG("<r1>", "<t1>", NULL, 100),	/* a reply dated first */
		MSG("<r2>", "<t2>", NULL, 450),
		MSG("<r3>", "<t2>", NULL, 450),	/* same date: by index */
		MSG("<r4>", "<t2>", NULL, 420),
	};

	/* Thread t1's earliest message (100) is older than t2's (400). */
	expect(m, NITEMS(m), STORE_SORT_THREADS, false, NULL,
	    "0 .2 1 .5 .3 .4");
}
END_TEST

START_TEST(thread_missing_parent)
{
	struct store_msg	m[] = {
		MSG("<u>", NULL, NULL, 50),
		MSG("<x1>", "<m>", NULL, 100),
		MSG("<x2>", "<m>", NULL, 300),
		MSG("<x3>", "<m>", "<m>", 200),
		MSG("<y>", "<q>", NULL, 400),	/* alone below a missing one */
		MSG("<z>", "<x1>", NULL, 150),
	};
	struct store_view	v;

	build(m, NITEMS(m), STORE_SORT_THREADS, false, NULL, &v);
	ck_assert_str_eq(shape(&v), "0 1 .5 3* 2* 4");
	ck_assert(!v.rows[1].fake_parent);
	ck_assert(!v.rows[3].last_child);	/* x3: not the last root */
	ck_assert(v.rows[5].last_child);	/* y */
	store_view_free(&v);
}
END_TEST

/* Missing ancestors at several levels: children promoted. */
START_TEST(thread_missing_middle)
{
	struct store_msg	m[] = {
		MSG("<a>", NULL, NULL, 10),
		MSG("<c>", "<a> <b>", NULL, 30),	/* <b> missing */
		MSG("<d>", "<a> <b> <c2>", NULL, 40),	/* <b>, <c2> missing */
		MSG("<e>", "<m1> <m2>", NULL, 50),	/* two missing levels */
		MSG("<f>", "<m1> <m3>", NULL, 60),
	};

	expect(m, NITEMS(m), STORE_SORT_THREADS, false, NULL,
	    "0 .1 .2 3 4*");
}
END_TEST

START_TEST(thread_in_reply_to_only)
{
	struct store_msg	m[] = {
		MSG("<a>", NULL, NULL, 1),
		MSG("<b>", NULL, "<a>", 2),
		MSG("<c>", NULL, "Your message of Monday <b> (sent)", 3),
		MSG("<d>", "", "<a> <b>", 4),	/* the first id counts */
		MSG("<e>", "junk, no id", "<d>", 5),
	};

	expect(m, NITEMS(m), STORE_SORT_THREADS, false, NULL,
	    "0 .1 ..2 .3 ..4");
}
END_TEST

/* References wins over In-Reply-To when both name a parent. */
START_TEST(thread_refs_vs_irt)
{
	struct store_msg	m[] = {
		MSG("<a>", NULL, NULL, 1),
		MSG("<b>", NULL, NULL, 2),
		MSG("<c>", "<a>", "<b>", 3),
		MSG("<d>", "<b>", "<a>", 4),
	};

	expect(m, NITEMS(m), STORE_SORT_THREADS, false, NULL,
	    "0 .2 1 .3");
}
END_TEST

/*
 * A message that names no parent takes the one another message's
 * References gives it, whichever comes first; one that names its own
 * parent keeps it.
 */
START_TEST(thread_refs_adopt)
{
	struct store_msg	fwd[] = {
		MSG("<a>", NULL, NULL, 1),
		MSG("<b>", NULL, NULL, 2),
		MSG("<d>", "<b> <a>", NULL, 3),
		MSG("<e>", "<b> <d>", NULL, 4),
	};
	struct store_msg	rev[] = {
		MSG("<e>", "<b> <d>", NULL, 4),
		MSG("<d>", "<b> <a>", NULL, 3),
		MSG("<b>", NULL, NULL, 2),
		MSG("<a>", NULL, NULL, 1),
	};

	expect(fwd, NITEMS(fwd), STORE_SORT_THREADS, false, NULL,
	    "1 .0 ..2 ...3");
	expect(rev, NITEMS(rev), STORE_SORT_THREADS, false, NULL,
	    "2 .3 ..1 ...0");
}
END_TEST

START_TEST(thread_duplicate_ids)
{
	struct store_msg	m[] = {
		MSG("<a>", NULL, NULL, 100),
		MSG("<a>", NULL, NULL, 150),	/* duplicate: its own root */
		MSG("<r>", "<a>", NULL, 200),	/* answers the first */
		MSG("<x>", NULL, NULL, 120),
		MSG("<a>", "<x>", NULL, 130),	/* duplicate with a parent */
		MSG("<r>", "<x>", NULL, 140),
	};

	expect(m, NITEMS(m), STORE_SORT_THREADS, false, NULL,
	    "0 .2 3 .4 .5 1");
}
END_TEST

START_TEST(thread_loops)
{
	struct store_msg	self[] = {
		MSG("<a>", "<a>", "<a>", 1),
		MSG("<b>", "<b> <b>", NULL, 2),
	};
	struct store_msg	two[] = {
		MSG("<a>", "<b>", NULL, 1),
		MSG("<b>", "<a>", NULL, 2),
	};
	struct store_msg	three[] = {
		MSG("<a>", "<c> <b>", NULL, 1),
		MSG("<b>", "<a> <c>", NULL, 2),
		MSG("<c>", "<b> <a>", NULL, 3),
		MSG("<d>", "<a> <b> <c> <a> <b>", NULL, 4),
	};

	expect(self, NITEMS(self), STORE_SORT_THREADS, false, NULL, "0 1");
	/* a hangs from b (seen first); b's own link to a would loop. */
	expect(two, NITEMS(two), STORE_SORT_THREADS, false, NULL, "1 .0");
	/* Every message once, whatever the shape: check_view() says so. */
	expect(three, NITEMS(three), STORE_SORT_THREADS, false, NULL,
	    shape_of(three, NITEMS(three)));
	expect(three, NITEMS(three), STORE_SORT_THREADS, true, NULL,
	    shape_of(three, NITEMS(three)));
}
END_TEST

START_TEST(thread_junk_references)
{
	struct store_msg	m[] = {
		MSG("<a>", NULL, NULL, 1),
		MSG("<c>", NULL, NULL, 2),
		MSG("<d>", NULL, NULL, 3),
		MSG("<e>", "  junk <a>  <> <b  <c> x@y \t <d>> (comment)",
		    NULL, 4),
		MSG("<f>", "<<<", NULL, 5),
		MSG("<g>", "no brackets@at.all", "<c", 6),
		MSG("<h>", "<>", NULL, 7),	/* "<>" names nothing: */
		MSG("<i>", "<> <>", "<>", 8),	/* no common parent */
	};

	/* Ids: <a>, <c>, <d>; "<>" and "<b  " are skipped. */
	expect(m, NITEMS(m), STORE_SORT_THREADS, false, NULL,
	    "0 .1 ..2 ...3 4 5 6 7");
}
END_TEST

START_TEST(thread_no_ids)
{
	struct store_msg	m[] = {
		MSG(NULL, NULL, NULL, 30),
		MSG("", NULL, NULL, 10),
		MSG("<a>", NULL, NULL, 20),
		MSG(NULL, "<a>", NULL, 40),	/* no id, but a parent */
		MSG(NULL, NULL, NULL, 10),
	};

	expect(m, NITEMS(m), STORE_SORT_THREADS, false, NULL,
	    "1 4 2 .3 0");
}
END_TEST

START_TEST(thread_keep)
{
	struct store_msg	m[] = {
		MSG("<a>", NULL, NULL, 1),
		MSG("<b>", "<a>", NULL, 2),
		MSG("<c>", "<a>", NULL, 3),
		MSG("<d>", "<a> <b>", NULL, 4),
	};
	bool			no_a[] = { false, true, true, true };
	bool			no_b[] = { true, false, true, true };
	bool			only_d[] = { false, false, false, true };

	expect(m, NITEMS(m), STORE_SORT_THREADS, false, NULL,
	    "0 .1 ..3 .2");
	/* The parent filtered out: its replies stay together. */
	expect(m, NITEMS(m), STORE_SORT_THREADS, false, no_a, "1 .3 2*");
	expect(m, NITEMS(m), STORE_SORT_THREADS, false, no_b, "0 .2 .3");
	expect(m, NITEMS(m), STORE_SORT_THREADS, false, only_d, "3");
	expect(m, NITEMS(m), STORE_SORT_DATE, false, no_a, "1 2 3");
}
END_TEST

START_TEST(thread_subjects)
{
	struct store_msg	m[] = {
		MSGS("<a>", NULL, NULL, 100, "Hello"),
		MSGS("<b>", NULL, NULL, 200, "Re: Hello"),
		MSGS("<c>", NULL, NULL, 150, "Other"),
		MSGS("<d>", NULL, NULL, 300, "Aw: [list] RE: Hello"),
		MSGS("<e>", NULL, NULL, 50, ""),
		MSGS("<f>", NULL, NULL, 60, "Re:"),
		MSGS("<g>", NULL, NULL, 70, ""),
		MSGS("<h>", "<b>", NULL, 250, "Re: Hello"),
		MSGS("<i>", NULL, NULL, 80, "hello"),	/* case differs */
	};

	expect(m, NITEMS(m), STORE_SORT_THREADS, false, NULL,
	    "4 5 6 8 0 2 1 .7 3");
	expect(m, NITEMS(m), STORE_SORT_THREADS, true, NULL,
	    "4 5 6 8 0 .1 ..7 .3 2");
}
END_TEST

/* Subject grouping with threads hanging from a missing message. */
START_TEST(thread_subjects_fake)
{
	struct store_msg	grp_first[] = {
		MSGS("<x1>", "<m>", NULL, 100, "Re: Topic"),
		MSGS("<x2>", "<m>", NULL, 110, "Re: Topic"),
		MSGS("<y>", NULL, NULL, 105, "Topic"),
	};
	struct store_msg	msg_first[] = {
		MSGS("<x1>", "<m>", NULL, 100, "Re: Topic"),
		MSGS("<x2>", "<m>", NULL, 110, "Re: Topic"),
		MSGS("<y>", NULL, NULL, 50, "Topic"),
	};
	struct store_msg	two_groups[] = {
		MSGS("<x1>", "<m>", NULL, 100, "Re: Topic"),
		MSGS("<x2>", "<m>", NULL, 110, "Re: Topic"),
		MSGS("<z1>", "<n>", NULL, 90, "Fwd: Topic"),
		MSGS("<z2>", "<n>", NULL, 300, "Topic"),
		MSGS("<w>", "<z2>", NULL, 301, "Re: Topic"),
	};

	expect(grp_first, 3, STORE_SORT_THREADS, false, NULL, "0 1* 2");
	expect(grp_first, 3, STORE_SORT_THREADS, true, NULL, "0 2* 1*");
	expect(msg_first, 3, STORE_SORT_THREADS, false, NULL, "2 0 1*");
	expect(msg_first, 3, STORE_SORT_THREADS, true, NULL, "2 .0 .1");
	expect(two_groups, 5, STORE_SORT_THREADS, false, NULL,
	    "2 3* .4 0 1*");
	expect(two_groups, 5, STORE_SORT_THREADS, true, NULL,
	    "2 0* 1* 3* .4");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Flat sorts                                                          */

static const struct {
	enum store_sort	 sort;
	const char	*want;
} flat_cases[] = {
	{ STORE_SORT_DATE, "2 4 1 0 3" },
	{ STORE_SORT_DATE_REVERSE, "3 0 1 4 2" },
	{ STORE_SORT_FROM, "2 1 4 0 3" },
	{ STORE_SORT_SUBJECT, "1 3 2 0 4" },
	{ STORE_SORT_SIZE, "3 4 1 2 0" },
	{ STORE_SORT_THREADS, "2 4 1 0 3" },	/* no ids: roots by date */
};

START_TEST(flat_table)
{
	struct store_msg	m[] = {
		{ .name = "a", .from = "bob", .subject = "Re: beta",
		  .from_addr = "", .date = 300, .received = 1, .size = 50 },
		{ .name = "b", .from = "Alice", .subject = "alpha",
		  .from_addr = "", .date = UNK, .received = 200, .size = 10 },
		{ .name = "c", .from = "alice", .subject = "Beta",
		  .from_addr = "", .date = 100, .received = 900, .size = 50 },
		{ .name = "d", .from = "Carol", .subject = "[x] Fwd: Alpha",
		  .from_addr = "", .date = 300, .received = 2, .size = 5 },
		{ .name = "e", .from = "bob", .subject = "gamma",
		  .from_addr = "", .date = 100, .received = 3, .size = 10 },
	};
	struct store_view	v;
	size_t			r;

	build(m, NITEMS(m), flat_cases[_i].sort, false, NULL, &v);
	ck_assert_str_eq(shape(&v), flat_cases[_i].want);
	for (r = 0; r < v.n; r++) {
		ck_assert_uint_eq(v.rows[r].depth, 0);
		ck_assert_uint_eq(v.rows[r].parent, NONE);
		ck_assert(!v.rows[r].fake_parent);
	}
	store_view_free(&v);
}
END_TEST

/* Flat sorts ignore threads, and group_subject does not apply. */
START_TEST(flat_ignores_threads)
{
	struct store_msg	m[] = {
		MSGS("<a>", NULL, NULL, 30, "Hello"),
		MSGS("<b>", "<a>", NULL, 10, "Re: Hello"),
		MSGS("<c>", "<b>", NULL, 20, "Re: Hello"),
	};
	bool			keep[] = { true, false, true };

	expect(m, 3, STORE_SORT_DATE, true, NULL, "1 2 0");
	expect(m, 3, STORE_SORT_DATE_REVERSE, false, keep, "0 2");
	expect(m, 3, STORE_SORT_SUBJECT, true, NULL, "1 2 0");
}
END_TEST

/*
 * Thousands of messages with repeated subjects and senders in varied
 * case, equal dates and sizes: each flat sort against a plain reference
 * comparison (mime_subject_base(), ascii_casecmp() and the date), and
 * date-reverse as the exact mirror of date.
 */
#define FLAT_N	3000

struct flat_ref {
	const struct store_msg	*m;
	char			*base;
	uint32_t		 idx;
};

static int
ref_date(const struct flat_ref *x, const struct flat_ref *y)
{
	int64_t	dx = store_msg_sort_date(x->m), dy = store_msg_sort_date(y->m);

	if (dx != dy)
		return dx < dy ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static int
ref_cmp(enum store_sort sort, const struct flat_ref *x,
    const struct flat_ref *y)
{
	int	r = 0;

	if (sort == STORE_SORT_FROM)
		r = ascii_casecmp(x->m->from, y->m->from);
	else if (sort == STORE_SORT_SUBJECT)
		r = ascii_casecmp(x->base, y->base);
	else if (sort == STORE_SORT_SIZE && x->m->size != y->m->size)
		r = x->m->size < y->m->size ? -1 : 1;
	if (sort == STORE_SORT_DATE_REVERSE)
		return ref_date(y, x);
	return r != 0 ? r : ref_date(x, y);
}

static const char *const flat_from[] = {
	"alice", "Alice", "ALICE", "bob", "Bob Smith", "", "Émile", "zed",
	"alice2", "Ann",
};
static const char *const flat_subj[] = {
	"hello", "Re: Hello", "RE: HELLO", "Fwd: hello", "[list] Re: hello",
	"", "Re:", "apple", "Apple pie", "zebra", "Ébène", "re: Zebra",
};

START_TEST(flat_large)
{
	static char		subj[FLAT_N][48];
	struct store_msg	*m = calloc(FLAT_N, sizeof(*m));
	struct flat_ref		*ref = calloc(FLAT_N, sizeof(*ref));
	bool			*keep = calloc(FLAT_N, sizeof(*keep));
	struct store_view	 v;
	uint64_t		 seed = 12345;
	size_t			 i, r, bad = 0;
	enum store_sort		 sort = (enum store_sort)(_i % 5 + 1);

	ck_assert(m != NULL && ref != NULL && keep != NULL);
	for (i = 0; i < FLAT_N; i++) {
		/* Many distinct subjects too: the tables must grow. */
		(void)snprintf(subj[i], sizeof(subj[i]), "%s%s %u",
		    prng(&seed) % 3 == 0 ? "Re: " : "",
		    flat_subj[prng(&seed) % NITEMS(flat_subj)],
		    (unsigned)(prng(&seed) % (i % 2 == 0 ? 4 : 2000)));
		m[i] = (struct store_msg)MSGS(NULL, NULL, NULL,
		    (int64_t)(prng(&seed) % 100), subj[i]);
		if (prng(&seed) % 7 == 0)
			m[i].date = UNK;
		m[i].received = (int64_t)(prng(&seed) % 100);
		m[i].from = flat_from[prng(&seed) % NITEMS(flat_from)];
		m[i].size = prng(&seed) % 50;
		keep[i] = _i < 5 || prng(&seed) % 3 != 0;
		ref[i].m = &m[i];
		ref[i].base = mime_subject_base(m[i].subject);
		ref[i].idx = (uint32_t)i;
	}
	build(m, FLAT_N, sort, false, _i < 5 ? NULL : keep, &v);
	for (r = 1; r < v.n; r++)
		bad += ref_cmp(sort, &ref[v.rows[r - 1].msg],
		    &ref[v.rows[r].msg]) >= 0;
	ck_assert_uint_eq(bad, 0);
	store_view_free(&v);
	build(m, FLAT_N, STORE_SORT_THREADS, true, NULL, &v);
	store_view_free(&v);
	for (i = 0; i < FLAT_N; i++)
		free(ref[i].base);
	free(ref);
	free(keep);
	free(m);
}
END_TEST

/* ------------------------------------------------------------------ */
/* A deep thread                                                       */

#define CHAIN	100000

struct chain {
	struct store_msg	*m;
	uint32_t		*pos;		/* message i's place */
	char			*ids;		/* CHAIN ids of 16 bytes */
	char			*refs;		/* CHAIN references of 48 */
};

/*
 * A chain of CHAIN replies, each to the one before: stored in order
 * (mode 0, In-Reply-To), in reverse (mode 1, References of two ids) or
 * shuffled (mode 2, References).
 */
static void
chain_make(struct chain *c, int mode)
{
	uint64_t	seed = 99;
	size_t		i, j, pos;
	uint32_t	t;
	bool		with_refs = mode != 0;

	c->m = calloc(CHAIN, sizeof(*c->m));
	c->pos = calloc(CHAIN, sizeof(*c->pos));
	c->ids = calloc(CHAIN, 16);
	c->refs = calloc(CHAIN, 48);
	ck_assert(c->m != NULL && c->pos != NULL && c->ids != NULL &&
	    c->refs != NULL);
	for (pos = 0; pos < CHAIN; pos++)
		(void)snprintf(c->ids + pos * 16, 16, "<%u@x>", (unsigned)pos);
	for (i = 0; i < CHAIN; i++)
		c->pos[i] = (uint32_t)(mode == 1 ? CHAIN - 1 - i : i);
	for (i = CHAIN; mode == 2 && i > 1; i--) {
		j = prng(&seed) % i;
		t = c->pos[i - 1];
		c->pos[i - 1] = c->pos[j];
		c->pos[j] = t;
	}
	for (i = 0; i < CHAIN; i++) {
		pos = c->pos[i];
		c->m[i] = (struct store_msg)MSG(c->ids + pos * 16, NULL, NULL,
		    (int64_t)pos);
		if (pos == 0)
			continue;
		if (with_refs) {
			(void)snprintf(c->refs + i * 48, 48, "%s %s",
			    pos >= 2 ? c->ids + (pos - 2) * 16 : "",
			    c->ids + (pos - 1) * 16);
			c->m[i].references = c->refs + i * 48;
		} else
			c->m[i].in_reply_to = c->ids + (pos - 1) * 16;
	}
}

static void
chain_free(struct chain *c)
{
	free(c->m);
	free(c->pos);
	free(c->ids);
	free(c->refs);
}

START_TEST(deep_chain)
{
	struct chain		c;
	struct store_view	v;
	size_t			r, len;
	char			*big;
	char			small[64];

	chain_make(&c, _i);
	build(c.m, CHAIN, STORE_SORT_THREADS, _i == 0, NULL, &v);
	for (r = 0; r < CHAIN; r++) {
		if (c.pos[v.rows[r].msg] != r ||
		    v.rows[r].depth != (r > UINT16_MAX ? UINT16_MAX : r) ||
		    v.rows[r].parent != (r == 0 ? NONE : r - 1) ||
		    !v.rows[r].last_child)
			ck_abort_msg("row %zu: msg %u depth %u parent %u", r,
			    v.rows[r].msg, v.rows[r].depth, v.rows[r].parent);
	}
	/* The deepest row: 99,998 levels of "  " then "└─>". */
	big = malloc(1u << 20);
	ck_assert_ptr_nonnull(big);
	len = store_view_tree(&v, CHAIN - 1, false, big, 1u << 20);
	ck_assert_uint_eq(len, 2 * (CHAIN - 2) + 7);
	ck_assert_uint_eq(strlen(big), len);
	ck_assert_str_eq(big + len - 7, "\xe2\x94\x94\xe2\x94\x80>");
	ck_assert_uint_eq(strspn(big, " "), len - 7);
	free(big);
	len = store_view_tree(&v, CHAIN - 1, true, small, sizeof(small));
	ck_assert_uint_eq(len, 63);		/* whole characters */
	ck_assert_uint_eq(strspn(small, " "), 63);
	store_view_free(&v);
	chain_free(&c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Tree drawing                                                        */

/*
 * a (0) has b (1) and d (3); b has c (2) and f (5); d has e (4). A group
 * hangs from the missing <m>: g (6), h (7).
 */
static const struct store_msg tree_msgs[] = {
	MSG("<a>", NULL, NULL, 1),
	MSG("<b>", "<a>", NULL, 2),
	MSG("<c>", "<a> <b>", NULL, 3),
	MSG("<d>", "<a>", NULL, 5),
	MSG("<e>", "<a> <d>", NULL, 6),
	MSG("<f>", "<a> <b>", NULL, 4),
	MSG("<g>", "<m>", NULL, 10),
	MSG("<h>", "<m>", NULL, 11),
};

static const struct {
	const char	*utf8;
	const char	*ascii;
} tree_want[] = {
	{ "", "" },
	{ "\xe2\x94\x9c\xe2\x94\x80>", "|->" },
	{ "\xe2\x94\x82 \xe2\x94\x9c\xe2\x94\x80>", "| |->" },
	{ "\xe2\x94\x82 \xe2\x94\x94\xe2\x94\x80>", "| `->" },
	{ "\xe2\x94\x94\xe2\x94\x80>", "`->" },
	{ "  \xe2\x94\x94\xe2\x94\x80>", "  `->" },
	{ "", "" },
	{ "\xe2\x94\x80>", "->" },
};

START_TEST(tree_drawing)
{
	struct store_view	v;
	char			buf[64];
	size_t			r, len;

	build(tree_msgs, NITEMS(tree_msgs), STORE_SORT_THREADS, false, NULL,
	    &v);
	ck_assert_str_eq(shape(&v), "0 .1 ..2 ..5 .3 ..4 6 7*");
	for (r = 0; r < v.n; r++) {
		len = store_view_tree(&v, r, false, buf, sizeof(buf));
		ck_assert_str_eq(buf, tree_want[r].utf8);
		ck_assert_uint_eq(len, strlen(tree_want[r].utf8));
		len = store_view_tree(&v, r, true, buf, sizeof(buf));
		ck_assert_str_eq(buf, tree_want[r].ascii);
		ck_assert_uint_eq(len, strlen(tree_want[r].ascii));
	}
	memset(buf, 'X', sizeof(buf));
	ck_assert_uint_eq(store_view_tree(&v, v.n, false, buf, sizeof(buf)),
	    0);
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(store_view_tree(NULL, 0, false, buf, sizeof(buf)),
	    0);
	store_view_free(&v);
}
END_TEST

/* Row 2 ("│ ├─>", 11 bytes) in smaller buffers: whole characters only. */
static const struct {
	size_t		 size;
	const char	*want;
} trunc_cases[] = {
	{ 12, "\xe2\x94\x82 \xe2\x94\x9c\xe2\x94\x80>" },
	{ 11, "\xe2\x94\x82 \xe2\x94\x9c\xe2\x94\x80" },
	{ 10, "\xe2\x94\x82 \xe2\x94\x9c" },
	{ 8, "\xe2\x94\x82 \xe2\x94\x9c" },
	{ 7, "\xe2\x94\x82 " },
	{ 5, "\xe2\x94\x82 " },
	{ 4, "\xe2\x94\x82" },
	{ 3, "" },
	{ 2, "" },
	{ 1, "" },
};

START_TEST(tree_truncation)
{
	struct store_view	v;
	char			buf[16];
	size_t			len, size = trunc_cases[_i].size;

	build(tree_msgs, NITEMS(tree_msgs), STORE_SORT_THREADS, false, NULL,
	    &v);
	memset(buf, 'X', sizeof(buf));
	len = store_view_tree(&v, 2, false, buf, size);
	ck_assert_str_eq(buf, trunc_cases[_i].want);
	ck_assert_uint_eq(len, strlen(trunc_cases[_i].want));
	ck_assert_int_eq(buf[size], 'X');		/* nothing past size */
	/* ASCII "| |->" (5 bytes) cut the same way. */
	memset(buf, 'X', sizeof(buf));
	len = store_view_tree(&v, 2, true, buf, size);
	ck_assert_uint_eq(len, size - 1 < 5 ? size - 1 : 5);
	ck_assert_mem_eq(buf, "| |->", len);
	ck_assert_int_eq(buf[len], '\0');
	/* Size 0: buf untouched. */
	ck_assert_uint_eq(store_view_tree(&v, 2, false, buf + 15, 0), 0);
	ck_assert_int_eq(buf[15], 'X');
	store_view_free(&v);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Property check                                                      */

#define P_MAXMSG	300
#define P_MAXREF	6
#define P_MAXID		(P_MAXMSG + P_MAXMSG / 4 + 1)

struct pset {
	struct store_msg	 m[P_MAXMSG];
	bool			 keep[P_MAXMSG];
	int			 mid[P_MAXMSG];		/* id number or -1 */
	int			 ref[P_MAXMSG][P_MAXREF];
	int			 nref[P_MAXMSG];
	int			 irt[P_MAXMSG];		/* or -1 */
	int			 holder[P_MAXID];	/* kept message, -1 */
	char			 ids[P_MAXID][16];
	char			 refs[P_MAXMSG][P_MAXREF * 16 + 8];
	int			 pred[P_MAXID][P_MAXMSG];
	int			 npred[P_MAXID];
	size_t			 n, nid;
};

static const char *const p_subjects[] = {
	"", "Hello", "Re: Hello", "Other", "Re: Other", "Fwd: Hello", "x",
};

static void
pset_make(struct pset *p, uint64_t *s)
{
	size_t	i, k, len;

	p->n = 1 + prng(s) % P_MAXMSG;
	p->nid = p->n + p->n / 4 + 1;
	ck_assert_uint_le(p->nid, P_MAXID);
	for (k = 0; k < p->nid; k++)
		(void)snprintf(p->ids[k], sizeof(p->ids[k]), "<%u@p>",
		    (unsigned)k);
	for (i = 0; i < p->n; i++) {
		struct store_msg	*m = &p->m[i];

		memset(m, 0, sizeof(*m));
		m->name = m->from = m->from_addr = "";
		m->subject = p_subjects[prng(s) % NITEMS(p_subjects)];
		m->date = prng(s) % 10 == 0 ? UNK : (int64_t)(prng(s) % 50);
		m->received = (int64_t)(prng(s) % 50);
		/* Mostly its own id; some duplicates, some without. */
		k = prng(s) % 20;
		p->mid[i] = k == 0 ? -1 : k == 1 ? (int)(prng(s) % p->nid) :
		    (int)(i % p->nid);
		m->message_id = p->mid[i] < 0 ? NULL : p->ids[p->mid[i]];
		p->nref[i] = (int)(prng(s) % (P_MAXREF + 1));
		len = 0;
		p->refs[i][0] = '\0';
		for (k = 0; k < (size_t)p->nref[i]; k++) {
			p->ref[i][k] = (int)(prng(s) % p->nid);
			len += (size_t)snprintf(p->refs[i] + len,
			    sizeof(p->refs[i]) - len, "%s%s", k > 0 ? " " : "",
			    p->ids[p->ref[i][k]]);
		}
		m->references = p->nref[i] > 0 || prng(s) % 2 ? p->refs[i] :
		    NULL;
		p->irt[i] = prng(s) % 2 ? (int)(prng(s) % p->nid) : -1;
		m->in_reply_to = p->irt[i] < 0 ? NULL : p->ids[p->irt[i]];
		p->keep[i] = prng(s) % 6 != 0;
	}
}

/* Who holds each id, and which ids References puts before it. */
static void
pset_index(struct pset *p)
{
	size_t	i, k;

	for (k = 0; k < p->nid; k++) {
		p->holder[k] = -1;
		p->npred[k] = 0;
	}
	for (i = 0; i < p->n; i++) {
		if (!p->keep[i])
			continue;
		if (p->mid[i] >= 0 && p->holder[p->mid[i]] < 0)
			p->holder[p->mid[i]] = (int)i;
		for (k = 1; k < (size_t)p->nref[i]; k++) {
			int	y = p->ref[i][k];

			if (p->npred[y] < P_MAXMSG)
				p->pred[y][p->npred[y]++] = p->ref[i][k - 1];
		}
	}
}

/*
 * Whether message j may be the parent of message c: c's own parent id
 * (last of References, else In-Reply-To), or an id that some References
 * puts before c's, leads to j's id through ids no kept message holds.
 */
static bool
justified(const struct pset *p, int c, int j)
{
	int	queue[P_MAXID], nq = 0, qi, y, k;
	bool	seen[P_MAXID];

	memset(seen, 0, sizeof(seen));
#define ENQUEUE(id) do {						\
		if (!seen[(id)]) {					\
			seen[(id)] = true;				\
			queue[nq++] = (id);				\
		}							\
	} while (0)
	if (p->nref[c] > 0)
		ENQUEUE(p->ref[c][p->nref[c] - 1]);
	else if (p->irt[c] >= 0)
		ENQUEUE(p->irt[c]);
	else if (p->mid[c] >= 0 && p->holder[p->mid[c]] == c)
		for (k = 0; k < p->npred[p->mid[c]]; k++)
			ENQUEUE(p->pred[p->mid[c]][k]);
	for (qi = 0; qi < nq; qi++) {
		y = queue[qi];
		if (p->holder[y] == j)
			return true;
		if (p->holder[y] >= 0)
			continue;
		for (k = 0; k < p->npred[y]; k++)
			ENQUEUE(p->pred[y][k]);
	}
#undef ENQUEUE
	return false;
}

START_TEST(threads_property)
{
	struct pset		*p = malloc(sizeof(*p));
	struct store_view	 v;
	uint64_t		 seed = UINT64_C(0x9e3779b97f4a7c15) + _i;
	size_t			 iter, r;
	bool			 group, all;

	ck_assert_ptr_nonnull(p);
	for (iter = 0; iter < 100; iter++) {
		pset_make(p, &seed);
		group = prng(&seed) % 3 == 0;
		all = prng(&seed) % 8 == 0;
		if (all)
			memset(p->keep, 1, sizeof(p->keep));
		pset_index(p);
		build(p->m, p->n, STORE_SORT_THREADS, group,
		    all ? NULL : p->keep, &v);
		for (r = 0; r < v.n; r++) {
			const struct store_view_row *row = &v.rows[r];
			int	c = (int)row->msg, j;

			if (row->parent == NONE)
				continue;
			j = (int)v.rows[row->parent].msg;
			if (group && v.rows[row->parent].parent == NONE)
				continue;	/* may be a subject join */
			if (!justified(p, c, j))
				ck_abort_msg("seed %d iter %zu: %d below %d "
				    "unjustified", _i, iter, c, j);
		}
		store_view_free(&v);
	}
	free(p);
}
END_TEST

/* ------------------------------------------------------------------ */

Suite *
store_view_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("store_view");
	tc = tcase_create("names");
	tcase_add_loop_test(tc, sort_parse_table, 0, (int)NITEMS(parse_cases));
	tcase_add_test(tc, sort_name_unknown);
	tcase_add_test(tc, sort_date_fallback);
	tcase_add_test(tc, empty_and_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_add_test(tc, thread_chain);
	tcase_add_test(tc, thread_reversed);
	tcase_add_test(tc, thread_order);
	tcase_add_test(tc, thread_missing_parent);
	tcase_add_test(tc, thread_missing_middle);
	tcase_add_test(tc, thread_in_reply_to_only);
	tcase_add_test(tc, thread_refs_vs_irt);
	tcase_add_test(tc, thread_refs_adopt);
	tcase_add_test(tc, thread_duplicate_ids);
	tcase_add_test(tc, thread_loops);
	tcase_add_test(tc, thread_junk_references);
	tcase_add_test(tc, thread_no_ids);
	tcase_add_test(tc, thread_keep);
	tcase_add_test(tc, thread_subjects);
	tcase_add_test(tc, thread_subjects_fake);
	suite_add_tcase(s, tc);

	tc = tcase_create("flat");
	tcase_add_loop_test(tc, flat_table, 0, (int)NITEMS(flat_cases));
	tcase_add_test(tc, flat_ignores_threads);
	tcase_add_loop_test(tc, flat_large, 0, 10);
	suite_add_tcase(s, tc);

	tc = tcase_create("deep");
	tcase_add_loop_test(tc, deep_chain, 0, 3);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("tree");
	tcase_add_test(tc, tree_drawing);
	tcase_add_loop_test(tc, tree_truncation, 0, (int)NITEMS(trunc_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("property");
	tcase_add_loop_test(tc, threads_property, 0, 4);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
