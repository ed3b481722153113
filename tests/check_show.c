/*
 * check_show.c: facteur show, run as a user runs it (the real binary):
 * --raw gives the file untouched, the text form decodes the main headers
 * and the body and lists attachments, --json has the shape DESIGN.md
 * specifies, and escape sequences from a message never reach the
 * terminal.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "minijson.h"
#include "tests.h"

#define DATA	"tests/data/show/"

Suite	*show_suite(void);


static char *
file_bytes(const char *path, size_t *len)
{
	struct buf	 b;
	char		 chunk[8192];
	ssize_t		 n;
	int		 fd = open(path, O_RDONLY);

	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	buf_init(&b, 64 << 20);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		ck_assert_int_eq(buf_append(&b, chunk, (size_t)n), 0);
	close(fd);
	*len = b.len;
	return buf_take(&b);
}

/* ./facteur ARGS... with HOME pointing nowhere (no configuration). */
/* ./facteur show a1 a2 a3 (NULLs end the list), HOME unusable. */
static struct test_run
facteur(const char *a1, const char *a2, const char *a3)
{
	const char	*args[] = { "show", a1, a2, a3, NULL };

	return test_run_facteur("/nonexistent", args, NULL, NULL);
}

START_TEST(show_raw_is_untouched)
{
	static const char *const files[] = {
		DATA "simple.eml", DATA "multi.eml", DATA "evil.eml"
	};
	struct test_run	 o = facteur("--raw", files[_i], NULL);
	size_t		 len;
	char		*want = file_bytes(files[_i], &len);

	ck_assert_int_eq(o.status, 0);
	ck_assert_uint_eq(o.outlen, len);
	ck_assert_int_eq(memcmp(o.out, want, len), 0);
	free(want);
	test_run_free(&o);
}
END_TEST

START_TEST(show_text_decodes)
{
	struct test_run	o = facteur(DATA "simple.eml", NULL, NULL);

	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert_ptr_nonnull(strstr(o.out,
	    "Subject: Réunion de l'équipe\n"));
	ck_assert_ptr_nonnull(strstr(o.out,
	    "From: François Pérez <fp@example.es>\n"));
	ck_assert_ptr_nonnull(strstr(o.out, "\n\nBonjour à tous,\n\n"
	    "la réunion est déplacée à jeudi. Merci.\n"));
	ck_assert_ptr_null(strstr(o.out, "Attachments"));
	test_run_free(&o);
}
END_TEST

START_TEST(show_text_lists_attachments)
{
	struct test_run	o = facteur(DATA "multi.eml", NULL, NULL);

	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert_ptr_nonnull(strstr(o.out, "Hello Bob,\nhere are the "
	    "photos.\n"));
	ck_assert_ptr_nonnull(strstr(o.out, "inner text"));
	ck_assert_ptr_nonnull(strstr(o.out, "[-- Attachments --]\n"
	    "[2] image/png, 12 bytes, été.png\n"));
	ck_assert_ptr_null(strstr(o.out, "preamble"));
	ck_assert_ptr_null(strstr(o.out, "epilogue"));
	test_run_free(&o);
}
END_TEST

START_TEST(show_escape_sequences_harmless)
{
	struct test_run	o = facteur(DATA "evil.eml", NULL, NULL);

	ck_assert_msg(o.status == 0, "%s", o.err);
	ck_assert_ptr_null(memchr(o.out, 0x1b, o.outlen));
	ck_assert_ptr_null(memchr(o.out, 0x07, o.outlen));
	ck_assert_ptr_nonnull(strstr(o.out, "^[]0;pwned^G hi ^[[2J there"));
	ck_assert_ptr_nonnull(strstr(o.out, "Body with ^[[31mred^[[0m"));
	test_run_free(&o);
	o = facteur("--json", DATA "evil.eml", NULL);
	ck_assert_int_eq(o.status, 0);
	ck_assert_ptr_null(memchr(o.out, 0x1b, o.outlen));
	test_run_free(&o);
}
END_TEST

static const struct mj *
at(const struct mj *arr, size_t i)
{
	ck_assert_ptr_nonnull(arr);
	ck_assert_int_eq(arr->type, MJ_ARR);
	ck_assert_uint_gt(arr->n, i);
	return &arr->items[i];
}

static const char *
str(const struct mj *obj, const char *key)
{
	const struct mj	*v = mj_get(obj, key);

	ck_assert_msg(v != NULL, "no key %s", key);
	if (v->type == MJ_NULL)
		return NULL;
	ck_assert_int_eq(v->type, MJ_STR);
	return v->str;
}

START_TEST(show_json_simple)
{
	struct test_run	 o = facteur("--json", DATA "simple.eml", NULL);
	struct mj	*j;
	const struct mj	*p;

	ck_assert_msg(o.status == 0, "%s", o.err);
	j = mj_parse(o.out, o.outlen);
	ck_assert_msg(j != NULL, "not JSON: %s", o.out);
	ck_assert_str_eq(str(j, "subject"), "Réunion de l'équipe");
	ck_assert_str_eq(str(at(mj_get(j, "from"), 0), "name"),
	    "François Pérez");
	ck_assert_str_eq(str(at(mj_get(j, "from"), 0), "addr"),
	    "fp@example.es");
	ck_assert_uint_eq(mj_get(j, "to")->n, 2);
	ck_assert_str_eq(str(at(mj_get(j, "to"), 0), "name"),
	    "Martin, Jeanne");
	ck_assert_ptr_null(str(at(mj_get(j, "to"), 1), "name"));
	ck_assert_uint_eq(mj_get(j, "cc")->n, 0);
	ck_assert_str_eq(str(j, "date"), "2024-03-01T09:30:00Z");
	ck_assert_str_eq(str(j, "message_id"), "abc.123@example.es");
	p = at(mj_get(j, "parts"), 0);
	ck_assert_uint_eq(mj_get(j, "parts")->n, 1);
	ck_assert_str_eq(str(p, "path"), "1");
	ck_assert_str_eq(str(p, "type"), "text/plain");
	ck_assert_str_eq(str(p, "charset"), "iso-8859-1");
	ck_assert_ptr_null(str(p, "disposition"));
	ck_assert_ptr_null(str(p, "filename"));
	/* Decoded bytes, before charset conversion: latin-1, LF. */
	ck_assert_int_eq((int)mj_get(p, "size")->num, 57);
	ck_assert_str_eq(str(j, "text"), "Bonjour à tous,\n\nla réunion "
	    "est déplacée à jeudi. Merci.\n");
	mj_free(j);
	test_run_free(&o);
}
END_TEST

START_TEST(show_json_multipart)
{
	struct test_run	 o = facteur("--json", DATA "multi.eml", NULL);
	struct mj	*j;
	const struct mj	*parts, *p;
	char		 hex[65];

	ck_assert_msg(o.status == 0, "%s", o.err);
	j = mj_parse(o.out, o.outlen);
	ck_assert_msg(j != NULL, "not JSON: %s", o.out);
	parts = mj_get(j, "parts");
	ck_assert_uint_eq(parts->n, 4);
	ck_assert_str_eq(str(at(parts, 0), "path"), "1");
	p = at(parts, 1);
	ck_assert_str_eq(str(p, "path"), "2");
	ck_assert_str_eq(str(p, "type"), "image/png");
	ck_assert_str_eq(str(p, "disposition"), "attachment");
	ck_assert_str_eq(str(p, "filename"), "été.png");
	ck_assert_int_eq((int)mj_get(p, "size")->num, 12);
	sha256_hex("hello world\n", 12, hex);
	ck_assert_str_eq(str(p, "sha256"), hex);
	/* The leaves inside the encapsulated message (RFC 3501 numbering). */
	ck_assert_str_eq(str(at(parts, 2), "path"), "3.1");
	ck_assert_str_eq(str(at(parts, 2), "type"), "text/plain");
	ck_assert_str_eq(str(at(parts, 3), "path"), "3.2");
	ck_assert_str_eq(str(at(parts, 3), "type"), "text/html");
	ck_assert_ptr_nonnull(strstr(str(j, "text"), "Hello Bob,"));
	ck_assert_ptr_nonnull(strstr(str(j, "text"), "inner text"));
	mj_free(j);
	test_run_free(&o);
}
END_TEST

/* html-command from the configuration renders HTML; when it fails, the
 * built-in renderer does, with a warning. */
START_TEST(show_html_command)
{
	char		 dir[] = "/tmp/check_show.XXXXXX", cfg[256], msg[256];
	FILE		*f;
	struct test_run	 o;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cfg, sizeof(cfg), "%s/config", dir);
	snprintf(msg, sizeof(msg), "%s/m.eml", dir);
	f = fopen(msg, "w");
	ck_assert_ptr_nonnull(f);
	fputs("Subject: h\nContent-Type: text/html; charset=utf-8\n\n"
	    "<p>hello <b>world</b></p>\n", f);
	fclose(f);
	f = fopen(cfg, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "[general]\nhtml-command = %s\n", _i == 0 ?
	    "sed -e 's/<[^>]*>//g' | tr a-z A-Z" : "exit 3");
	fclose(f);
	o = facteur("-F", cfg, msg);
	ck_assert_msg(o.status == 0, "%s", o.err);
	if (_i == 0) {
		ck_assert_ptr_nonnull(strstr(o.out, "\nHELLO WORLD\n"));
		ck_assert_str_eq(o.err, "");
	} else {
		ck_assert_ptr_nonnull(strstr(o.out, "\nhello world\n"));
		ck_assert_ptr_nonnull(strstr(o.err, "html-command: 'exit 3' "
		    "failed (exit status 3); using the built-in renderer"));
	}
	test_run_free(&o);
	unlink(cfg);
	unlink(msg);
	rmdir(dir);
}
END_TEST

START_TEST(show_errors)
{
	struct test_run	o = facteur(DATA "does-not-exist.eml", NULL, NULL);

	ck_assert_int_eq(o.status, 1);
	ck_assert_str_eq(o.err, "facteur: show: " DATA "does-not-exist.eml: "
	    "No such file or directory\n");
	test_run_free(&o);
	o = facteur("--json", NULL, NULL);
	ck_assert_int_eq(o.status, 2);
	ck_assert_ptr_nonnull(strstr(o.err, "missing MESSAGE-FILE"));
	test_run_free(&o);
	o = facteur("--json", "--raw", DATA "simple.eml");
	ck_assert_int_eq(o.status, 2);
	test_run_free(&o);
}
END_TEST

Suite *
show_suite(void)
{
	Suite	*s = suite_create("show");
	TCase	*tc = tcase_create("show");

	tcase_add_loop_test(tc, show_raw_is_untouched, 0, 3);
	tcase_add_test(tc, show_text_decodes);
	tcase_add_test(tc, show_text_lists_attachments);
	tcase_add_test(tc, show_escape_sequences_harmless);
	tcase_add_test(tc, show_json_simple);
	tcase_add_test(tc, show_json_multipart);
	tcase_add_loop_test(tc, show_html_command, 0, 2);
	tcase_add_test(tc, show_errors);
	suite_add_tcase(s, tc);
	return s;
}
