/*
 * fuzz_index.c: libFuzzer target for the index cache reader: the input
 * is written as the cache file of a small maildir, which is then opened
 * (the cache read, checked against a listing, merged, rewritten) and
 * every message's fields are read and threaded. The fuzz build skips the
 * checksum and path checks so that the parser behind them is reached.
 * Checks: every message has a name, and the flags agree with it.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char	dir[64] = "/tmp/facteur-fuzz-index-XXXXXX";
static char	*folder, *cache_dir, *cache_file;

static void
put(const char *sub, const char *name, const char *text)
{
	char	*p = xasprintf("%s/%s/%s", folder, sub, name);
	FILE	*fp = fopen(p, "w");

	if (fp == NULL)
		abort();
	(void)fputs(text, fp);
	(void)fclose(fp);
	free(p);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct store_open_opts	 o = { 0 };
	struct store_err	 err;
	struct store_folder	*f;
	DIR			*d;
	struct dirent		*e;

	(void)argc;
	(void)argv;
	if (mkdtemp(dir) == NULL)
		abort();
	cache_dir = xasprintf("%s/cache", dir);
	if (store_folder_create(dir, "INBOX", &err) == -1)
		abort();
	folder = xasprintf("%s/INBOX", dir);
	put("cur", "1700000001.M1P1.h:2,S", "Subject: one\nMessage-ID: <1@x>"
	    "\n\nbody\n");
	put("cur", "1700000002.M1P1.h:2,RS", "Subject: two\nMessage-ID: <2@x>"
	    "\nReferences: <1@x>\nIn-Reply-To: <1@x>\n\nbody\n");
	put("new", "1700000003.M1P1.h", "Subject: three\n\nbody\n");
	o.cache_dir = cache_dir;
	f = store_folder_open(folder, &o, &err);
	if (f == NULL)
		abort();
	store_folder_close(f);
	d = opendir(cache_dir);
	if (d == NULL)
		abort();
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "index-", 6) == 0)
			cache_file = xasprintf("%s/%s", cache_dir, e->d_name);
	(void)closedir(d);
	if (cache_file == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_open_opts	 o = { 0 };
	struct store_err	 err;
	struct store_folder	*f;
	struct store_view	 v;
	const struct store_msg	*m;
	FILE			*fp;
	size_t			 i, total = 0;

	fp = fopen(cache_file, "w");
	if (fp == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, fp) != size)
		abort();
	(void)fclose(fp);
	o.cache_dir = cache_dir;
	o.read_only = true;
	o.threads = 1;
	f = store_folder_open(folder, &o, &err);
	if (f == NULL)
		abort();
	for (i = 0; i < store_folder_count(f); i++) {
		m = store_folder_msg(f, i);
		if (m->name == NULL || m->name[0] == '\0' ||
		    m->flags != store_name_flags(m->name))
			abort();
		total += strlen(m->subject) + strlen(m->from) +
		    strlen(m->from_addr);
		if (m->message_id != NULL)
			total += strlen(m->message_id);
		if (m->in_reply_to != NULL)
			total += strlen(m->in_reply_to);
		if (m->references != NULL)
			total += strlen(m->references);
	}
	if (store_view_build(f, STORE_SORT_THREADS, true, NULL, &v,
	    &err) == 0)
		store_view_free(&v);
	store_folder_close(f);
	return total == SIZE_MAX;
}
