/*
 * bench_view.c: speed of the folder views (threads and flat sorts).
 *
 *   bench/bench_view [COUNT]          COUNT messages (default 100000)
 *
 * Generates COUNT message summaries shaped like a busy mailbox: a third
 * of them start threads, the others answer a recent message with
 * In-Reply-To and a References chain (the last 20 ids, as clients trim
 * it), some answer messages the folder does not have (deleted or never
 * received), some carry In-Reply-To only, some repeat a Message-ID (the
 * same message delivered twice), some have none, a few have no Date.
 * Subjects are "Re: " plus the thread's, senders come from a small set,
 * and the array is shuffled as a directory listing would be, its strings
 * then copied in that order into one block as the store's arena holds
 * them (a folder's strings are stored as its files are read). Then each
 * view (threads, threads grouped by subject, and every flat sort) is
 * built REPEAT times and the best time printed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"
#include "store.h"

#define REPEAT		5
#define MAX_REFS	20	/* ids kept in a generated References */
#define WINDOW		3000	/* replies answer one of the last WINDOW */

struct gen {
	struct store_msg	*m;	/* every generated message */
	bool			*ghost;	/* not in the folder */
	size_t			 n;
};

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static const char *const names[] = {
	"Jeanne Martin", "John Doe", "François Pérez", "bob@example.org",
	"Mailing list", "Ana Lima", "Kenji Sato", "Olga Ivanova", "Priya Rao",
	"Lars Berg", "Mei Chen", "Ahmed Ali", "Zoë Dubois", "Tom Baker",
};

static const char *const topics[] = {
	"Meeting notes", "[dev] patch: fix the parser", "Quarterly report",
	"Photos from the trip", "Build failure on arm64", "Lunch?",
	"Invoice", "Release planning", "Question about the API", "Hello",
};

/* References of a reply to parent: parent's, plus parent's id, trimmed. */
static char *
refs_of(const struct store_msg *parent)
{
	const char	*r = parent->references, *p;
	size_t		 n = 0;

	if (parent->message_id == NULL)
		return r != NULL ? xstrdup(r) : NULL;
	if (r == NULL)
		return xstrdup(parent->message_id);
	for (p = r; (p = strchr(p, '<')) != NULL; p++)
		n++;
	p = r;
	while (n >= MAX_REFS && (p = strchr(p + 1, '<')) != NULL)
		n--;
	return xasprintf("%s %s", p != NULL ? p : r, parent->message_id);
}

static void
gen_one(struct gen *g, uint64_t *s, size_t i)
{
	struct store_msg	*m = &g->m[i];
	const struct store_msg	*parent = NULL;
	unsigned		 k = (unsigned)(rnd(s) % 1000);
	size_t			 pi;

	memset(m, 0, sizeof(*m));
	m->name = xasprintf("%zu.M%zuP1.host:2,S", 1700000000 + i * 60, i);
	m->from = names[rnd(s) % (sizeof(names) / sizeof(names[0]))];
	m->from_addr = "someone@example.org";
	m->received = (int64_t)(1700000000 + i * 60 + rnd(s) % 600);
	m->date = k < 30 ? STORE_DATE_UNKNOWN : m->received - 30 -
	    (int64_t)(rnd(s) % 300);
	m->size = 1000 + rnd(s) % 200000;
	m->flags = STORE_SEEN;
	if (k < 10)
		m->message_id = NULL;			/* none */
	else if (k < 20 && i > 0) {			/* delivered twice */
		pi = rnd(s) % i;
		m->message_id = xstrdup(g->m[pi].message_id != NULL ?
		    g->m[pi].message_id : "<dup@example.org>");
	} else
		m->message_id = xasprintf("<%zu.%llx@example.org>", i,
		    (unsigned long long)(rnd(s) & 0xffffff));
	g->ghost[i] = rnd(s) % 100 < 5;
	if (i > 0 && rnd(s) % 3 != 0) {
		pi = i - 1 - rnd(s) % (i < WINDOW ? i : WINDOW);
		parent = &g->m[pi];
	}
	if (parent == NULL) {
		m->subject = xasprintf("%s %zu", topics[rnd(s) %
		    (sizeof(topics) / sizeof(topics[0]))], i);
		return;
	}
	m->subject = strncmp(parent->subject, "Re: ", 4) == 0 ?
	    xstrdup(parent->subject) : xasprintf("Re: %s", parent->subject);
	if (parent->message_id != NULL)
		m->in_reply_to = xstrdup(parent->message_id);
	if (rnd(s) % 10 != 0)
		m->references = refs_of(parent);
}

static void
generate(struct gen *g, size_t n, struct store_msg **folder, size_t *nf)
{
	uint64_t		 s = UINT64_C(0x9e3779b97f4a7c15);
	struct store_msg	 tmp;
	size_t			 i, j, k = 0;

	g->n = n + n / 19 + 1;		/* about 5% ghosts */
	g->m = xcalloc(g->n, sizeof(*g->m));
	g->ghost = xcalloc(g->n, sizeof(*g->ghost));
	*folder = xcalloc(g->n, sizeof(**folder));
	for (i = 0; i < g->n && k < n; i++) {
		gen_one(g, &s, i);
		if (!g->ghost[i])
			(*folder)[k++] = g->m[i];
	}
	g->n = i;
	for (i = k; i > 1; i--) {		/* readdir() order */
		j = rnd(&s) % i;
		tmp = (*folder)[i - 1];
		(*folder)[i - 1] = (*folder)[j];
		(*folder)[j] = tmp;
	}
	*nf = k;
}

static const char *
pack_one(char **p, const char *s)
{
	size_t	len;
	char	*out = *p;

	if (s == NULL)
		return NULL;
	len = strlen(s) + 1;
	memcpy(out, s, len);
	*p += len;
	return out;
}

/* The folder's strings, in folder order, into one block (returned). */
static char *
pack(struct store_msg *m, size_t n)
{
	const char	*const *f;
	char		*block, *p;
	size_t		 i, size = 0;

	for (i = 0; i < n; i++) {
		const char *const	 all[] = { m[i].name, m[i].subject,
		    m[i].message_id, m[i].in_reply_to, m[i].references };

		for (f = all; f < all + 5; f++)
			size += *f != NULL ? strlen(*f) + 1 : 0;
	}
	block = p = xmalloc(size + 1);
	for (i = 0; i < n; i++) {
		m[i].name = pack_one(&p, m[i].name);
		m[i].subject = pack_one(&p, m[i].subject);
		m[i].message_id = pack_one(&p, m[i].message_id);
		m[i].in_reply_to = pack_one(&p, m[i].in_reply_to);
		m[i].references = pack_one(&p, m[i].references);
	}
	return block;
}

static void
gen_free(struct gen *g)
{
	size_t	i;

	for (i = 0; i < g->n; i++) {
		free((char *)g->m[i].name);
		free((char *)g->m[i].subject);
		free((char *)g->m[i].message_id);
		free((char *)g->m[i].in_reply_to);
		free((char *)g->m[i].references);
	}
	free(g->m);
	free(g->ghost);
}

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Thread statistics of a view, printed once. */
static void
describe(const struct store_view *v)
{
	size_t		r, roots = 0, fake = 0;
	unsigned	maxdepth = 0;

	for (r = 0; r < v->n; r++) {
		roots += v->rows[r].parent == UINT32_MAX;
		fake += v->rows[r].fake_parent;
		if (v->rows[r].depth > maxdepth)
			maxdepth = v->rows[r].depth;
	}
	printf("    %zu rows, %zu threads, %zu under missing parents, "
	    "depth up to %u\n", v->n, roots - fake, fake, maxdepth);
}

static int
run(const struct store_msg *m, size_t n, enum store_sort sort, bool group)
{
	struct store_view	v;
	struct store_err	err;
	double			t, best = 1e9;
	int			i;

	for (i = 0; i < REPEAT; i++) {
		t = now();
		if (store_view_build_msgs(m, n, sort, group, NULL, &v,
		    &err) == -1) {
			fprintf(stderr, "bench_view: %s\n", err.msg);
			return -1;
		}
		t = now() - t;
		if (t < best)
			best = t;
		if (i + 1 < REPEAT)
			store_view_free(&v);
	}
	printf("%-22s %8.4f s %12.0f msgs/s\n", group ? "threads + subjects" :
	    store_sort_name(sort), best, (double)n / best);
	if (sort == STORE_SORT_THREADS)
		describe(&v);
	store_view_free(&v);
	return 0;
}

int
main(int argc, char **argv)
{
	struct gen		 g;
	struct store_msg	*folder;
	char			*block;
	size_t			 n, nf;
	int			 s, rc = 0;

	n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 100000;
	generate(&g, n, &folder, &nf);
	block = pack(folder, nf);
	printf("%zu messages (best of %d runs)\n", nf, REPEAT);
	rc |= run(folder, nf, STORE_SORT_THREADS, false);
	rc |= run(folder, nf, STORE_SORT_THREADS, true);
	for (s = STORE_SORT_DATE; s <= STORE_SORT_SIZE && rc == 0; s++)
		rc |= run(folder, nf, (enum store_sort)s, false);
	free(folder);
	free(block);
	gen_free(&g);
	return rc == 0 ? 0 : 1;
}
