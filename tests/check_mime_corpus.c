/*
 * check_mime_corpus.c: every message of the shared corpora through the
 * MIME parser. For tests/data/corpus/stalwart-mail-parser the part tree is
 * compared with the expected JSON shipped beside each message, as a shape
 * such as "M(T,R[M(T,B)])"; a disagreement must be listed, with its
 * reason in doc/VIOLATIONS.md, in tests/data/corpus/disagreements.txt.
 * Every message is also decoded and rendered in full (under ASan and
 * UBSan in tests/run-san).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minijson.h"
#include "mime.h"
#include "tests.h"

#define CORPUS		"tests/data/corpus/stalwart-mail-parser/eml"
#define DISAGREE	"tests/data/corpus/disagreements.txt"

Suite	*mime_corpus_suite(void);

static char *
slurp(const char *path, size_t *len)
{
	FILE		*f = fopen(path, "rb");
	struct buf	 b;
	char		 chunk[65536];
	size_t		 n;

	if (f == NULL)
		return NULL;
	buf_init(&b, 64 << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(&b, chunk, n) == -1)
			break;
	(void)fclose(f);
	*len = b.len;
	return buf_take(&b);
}

/* The expected shape from mail-parser's JSON. */
static void
their_shape(const struct mj *parts, size_t idx, struct buf *out, int depth)
{
	const struct mj	*p, *body, *v;
	const char	*kind;
	size_t		 i;
	int		 r = 0;

	if (parts == NULL || parts->type != MJ_ARR || idx >= parts->n ||
	    depth > 64) {
		r = buf_append_str(out, "?");
		ck_assert_int_eq(r, 0);
		return;
	}
	p = &parts->items[idx];
	body = mj_get(p, "body");
	if (body == NULL || body->type != MJ_OBJ || body->n != 1) {
		ck_assert_int_eq(buf_append_str(out, "?"), 0);
		return;
	}
	kind = body->keys[0];
	v = &body->items[0];
	if (strcmp(kind, "Multipart") == 0) {
		r = buf_append_str(out, "M(");
		for (i = 0; r == 0 && i < v->n; i++) {
			if (i > 0)
				r = buf_append_byte(out, ',');
			their_shape(parts, (size_t)v->items[i].num, out,
			    depth + 1);
		}
		if (r == 0)
			r = buf_append_str(out, ")");
	} else if (strcmp(kind, "Message") == 0) {
		r = buf_append_str(out, "R[");
		their_shape(mj_get(v, "parts"), 0, out, depth + 1);
		if (r == 0)
			r = buf_append_str(out, "]");
	} else if (strcmp(kind, "Text") == 0) {
		r = buf_append_str(out, "T");
	} else if (strcmp(kind, "Html") == 0) {
		r = buf_append_str(out, "H");
	} else {
		r = buf_append_str(out, "B");
	}
	ck_assert_int_eq(r, 0);
}

static void
our_shape(const struct mime_part *p, struct buf *out)
{
	size_t	i;
	int	r;

	if (p->is_multipart) {
		r = buf_append_str(out, "M(");
		for (i = 0; r == 0 && i < p->nchildren; i++) {
			if (i > 0)
				r = buf_append_byte(out, ',');
			our_shape(&p->children[i], out);
		}
		if (r == 0)
			r = buf_append_str(out, ")");
	} else if (p->is_message && p->nchildren == 1) {
		r = buf_append_str(out, "R[");
		our_shape(&p->children[0], out);
		if (r == 0)
			r = buf_append_str(out, "]");
	} else if (strcmp(p->type, "text/html") == 0) {
		r = buf_append_str(out, "H");
	} else if (strncmp(p->type, "text/", 5) == 0) {
		r = buf_append_str(out, "T");
	} else {
		r = buf_append_str(out, "B");
	}
	ck_assert_int_eq(r, 0);
}

/* Decode and render everything a reader could ask for. */
static void
exercise(const struct mime_msg *msg)
{
	const struct mime_part	**leaves, **texts;
	size_t			  n, i;
	struct buf		  b;

	buf_init(&b, 256 << 20);
	leaves = mime_leaves(msg, &n);
	for (i = 0; i < n; i++) {
		buf_reset(&b);
		ck_assert_int_eq(mime_part_decode(msg, leaves[i], &b), 0);
	}
	texts = mime_text_parts(msg, false, &n);
	for (i = 0; i < n; i++) {
		buf_reset(&b);
		ck_assert_int_eq(mime_part_text(msg, texts[i], NULL, &b), 0);
		ck_assert(mime_utf8_valid(buf_str(&b), b.len));
		ck_assert_ptr_null(memchr(buf_str(&b), 0x1b, b.len));
	}
	texts = mime_text_parts(msg, true, &n);
	for (i = 0; i < n; i++) {
		buf_reset(&b);
		ck_assert_int_eq(mime_part_text(msg, texts[i], NULL, &b), 0);
	}
	buf_free(&b);
}

static bool
listed(const char *list, const char *name)
{
	const char	*p = list;
	size_t		 n = strlen(name);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && (p[n] == ' ' || p[n] == '\n' ||
		    p[n] == '\t' || p[n] == '\0'))
			return true;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return false;
}

START_TEST(corpus_stalwart_shapes)
{
	static const char *const dirs[] = {
		"rfc", "legacy", "malformed", "thirdparty"
	};
	size_t		 total = 0, agree = 0, dlen, d;
	char		*disagree = slurp(DISAGREE, &dlen);
	struct buf	 report;

	ck_assert_msg(disagree != NULL, "cannot read %s", DISAGREE);
	buf_init(&report, 1 << 20);
	for (d = 0; d < 4; d++) {
		char		 dir[256];
		DIR		*dp;
		struct dirent	*de;

		snprintf(dir, sizeof(dir), "%s/%s", CORPUS, dirs[d]);
		dp = opendir(dir);
		ck_assert_msg(dp != NULL, "cannot open %s", dir);
		while ((de = readdir(dp)) != NULL) {
			char		 path[512], name[128];
			char		*eml, *js;
			size_t		 elen, jlen, nl = strlen(de->d_name);
			struct mj	*j;
			struct mime_msg	*msg;
			struct buf	 ours, theirs;

			if (nl < 5 || strcmp(de->d_name + nl - 4, ".eml") != 0)
				continue;
			snprintf(name, sizeof(name), "%s/%.*s", dirs[d],
			    (int)(nl - 4), de->d_name);
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			eml = slurp(path, &elen);
			ck_assert_ptr_nonnull(eml);
			snprintf(path + strlen(path) - 4, 6, ".json");
			js = slurp(path, &jlen);
			ck_assert_msg(js != NULL, "no %s", path);
			j = mj_parse(js, jlen);
			ck_assert_msg(j != NULL, "bad JSON %s", path);
			msg = mime_parse(eml, elen, NULL);
			buf_init(&ours, 1 << 20);
			buf_init(&theirs, 1 << 20);
			our_shape(&msg->root, &ours);
			their_shape(mj_get(j, "parts"), 0, &theirs, 0);
			exercise(msg);
			total++;
			if (strcmp(buf_str(&ours), buf_str(&theirs)) == 0) {
				agree++;
				ck_assert_msg(!listed(disagree, name),
				    "%s agrees now: remove it from %s", name,
				    DISAGREE);
			} else if (!listed(disagree, name)) {
				ck_assert_int_eq(buf_printf(&report,
				    "%s ours %s theirs %s\n", name,
				    buf_str(&ours), buf_str(&theirs)), 0);
			}
			buf_free(&ours);
			buf_free(&theirs);
			mime_msg_free(&msg);
			mj_free(j);
			free(js);
			free(eml);
		}
		closedir(dp);
	}
	fprintf(stderr, "corpus: %zu of %zu stalwart messages agree on the "
	    "part tree\n", agree, total);
	ck_assert_uint_eq(total, 107);
	ck_assert_msg(report.len == 0, "unexplained disagreements:\n%s",
	    buf_str(&report));
	buf_free(&report);
	free(disagree);
}
END_TEST

START_TEST(corpus_nostarttls_mails)
{
	static const char *const mails[] = {
		"alternative.eml", "mail_1.eml", "mail_2.eml", "mail_3.eml",
		"mail_multipart.eml", "mixed.eml"
	};
	char		 path[256], *eml;
	size_t		 len;
	struct mime_msg	*msg;

	snprintf(path, sizeof(path),
	    "tests/data/corpus/nostarttls-east/mails/%s", mails[_i]);
	eml = slurp(path, &len);
	ck_assert_msg(eml != NULL, "cannot read %s", path);
	msg = mime_parse(eml, len, NULL);
	ck_assert_uint_gt(msg->nparts, 0);
	exercise(msg);
	mime_msg_free(&msg);
	free(eml);
}
END_TEST

Suite *
mime_corpus_suite(void)
{
	Suite	*s = suite_create("mime corpus");
	TCase	*tc = tcase_create("corpus");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, corpus_stalwart_shapes);
	tcase_add_loop_test(tc, corpus_nostarttls_mails, 0, 6);
	suite_add_tcase(s, tc);
	return s;
}
