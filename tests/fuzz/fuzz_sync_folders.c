/*
 * fuzz_sync_folders.c: libFuzzer target for the account's folder record
 * (src/sync/folders.c). The input is a ".facteur-folders" file. When it
 * does not parse, the record is left empty and the message names a line
 * of the input. When it parses, every name (folders and specials) is one
 * the store accepts, with no control byte; the folders are strictly
 * sorted and each is found by sync_folders_find(); saved (into a
 * directory made once, under $TMPDIR) and loaded back, it is the same
 * record, and sync_special_folder_new() reads the same specials from it.
 * Dropping every other folder keeps the rest sorted and found.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sync.h"

static char	dir[4096];

static void
remove_dir(void)
{
	char	path[4200];

	(void)snprintf(path, sizeof(path), "%s/%s", dir, SYNC_FOLDERS_FILE);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/%s.tmp", dir,
	    SYNC_FOLDERS_FILE);
	(void)unlink(path);
	(void)rmdir(dir);
}

static const char *
record_dir(void)
{
	const char	*t;

	if (dir[0] != '\0')
		return dir;
	t = getenv("TMPDIR");
	if (t == NULL || *t == '\0')
		t = "/tmp";
	if ((size_t)snprintf(dir, sizeof(dir), "%s/fuzz-sync-folders-XXXXXX",
	    t) >= sizeof(dir) || mkdtemp(dir) == NULL) {
		perror("fuzz_sync_folders: mkdtemp");
		abort();
	}
	(void)atexit(remove_dir);
	return dir;
}

/* A name as the record may hold it: the store accepts it, and no byte
 * of it is a control (a line end would split the record). */
static bool
name_ok(const char *s)
{
	const unsigned char	*p;

	if (s == NULL || !store_folder_name_ok(s))
		return false;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static void
check_record(const struct sync_folders *sf)
{
	size_t	i;

	if (sf->n > sf->cap || (sf->n > 0 && sf->v == NULL))
		abort();
	for (i = 0; i < SYNC_SPECIAL_N; i++)
		if (sf->special[i] != NULL && !name_ok(sf->special[i]))
			abort();
	for (i = 0; i < sf->n; i++)
		if (!name_ok(sf->v[i].name) ||
		    (i > 0 && strcmp(sf->v[i - 1].name, sf->v[i].name) >= 0) ||
		    sync_folders_find(sf, sf->v[i].name) != &sf->v[i])
			abort();
}

static void
check_same(const struct sync_folders *a, const struct sync_folders *b)
{
	size_t	i;

	for (i = 0; i < SYNC_SPECIAL_N; i++)
		if ((a->special[i] == NULL) != (b->special[i] == NULL) ||
		    (a->special[i] != NULL &&
		    strcmp(a->special[i], b->special[i]) != 0))
			abort();
	if (a->n != b->n)
		abort();
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].name, b->v[i].name) != 0 ||
		    a->v[i].uidvalidity != b->v[i].uidvalidity ||
		    a->v[i].uidnext != b->v[i].uidnext)
			abort();
}

/* What sync_special_folder_new() reads back is what was saved. */
static void
check_specials(const struct sync_folders *sf, const char *root)
{
	char	*name;
	size_t	 i;

	for (i = 0; i < SYNC_SPECIAL_N; i++) {
		name = sync_special_folder_new(root, (enum sync_special)i);
		if ((name == NULL) != (sf->special[i] == NULL) ||
		    (name != NULL && strcmp(name, sf->special[i]) != 0))
			abort();
		free(name);
	}
}

/* Drop every other folder of b (a copy of a): the others stay, sorted,
 * with their uidvalidity and uidnext; the dropped are gone. */
static void
check_drop(const struct sync_folders *a, struct sync_folders *b)
{
	const struct sync_folder_rec	*r;
	size_t				 i;

	for (i = 0; i < a->n; i += 2)
		sync_folders_drop(b, a->v[i].name);
	if (b->n != a->n / 2)
		abort();
	check_record(b);
	for (i = 0; i < a->n; i++) {
		r = sync_folders_find(b, a->v[i].name);
		if (i % 2 == 0) {
			if (r != NULL)
				abort();
		} else if (r == NULL || r->uidvalidity != a->v[i].uidvalidity ||
		    r->uidnext != a->v[i].uidnext)
			abort();
	}
}

/* A failure: nothing kept, and ".facteur-folders line N: ..." with N a
 * line of the input (one past the last newline at most). */
static void
check_failure(const struct sync_folders *sf, const struct store_err *err,
    const uint8_t *data, size_t size)
{
	static const char	 prefix[] = SYNC_FOLDERS_FILE " line ";
	const char		*p;
	size_t			 i, lines = 1, line = 0;

	if (sf->n != 0 || sf->cap != 0 || sf->v != NULL)
		abort();
	for (i = 0; i < SYNC_SPECIAL_N; i++)
		if (sf->special[i] != NULL)
			abort();
	if (strncmp(err->msg, prefix, sizeof(prefix) - 1) != 0)
		abort();
	for (p = err->msg + sizeof(prefix) - 1; *p >= '0' && *p <= '9'; p++)
		line = line * 10 + (size_t)(*p - '0');
	if (p[0] != ':' || p[1] != ' ' || p[2] == '\0')
		abort();
	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	if (line < 1 || line > lines)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sync_folders	sf, back;
	struct store_err	err;

	err.msg[0] = '\0';
	if (sync_folders_parse(&sf, (const char *)data, size, &err) != 0) {
		check_failure(&sf, &err, data, size);
		return 0;
	}
	check_record(&sf);
	if (sync_folders_save(&sf, record_dir(), &err) != 0) {
		fprintf(stderr, "fuzz_sync_folders: save in %s: %s\n", dir,
		    err.msg);
		abort();
	}
	if (sync_folders_load(&back, dir, &err) != 0) {
		fprintf(stderr, "fuzz_sync_folders: load from %s: %s\n", dir,
		    err.msg);
		abort();
	}
	check_record(&back);
	check_same(&sf, &back);
	check_specials(&sf, dir);
	check_drop(&sf, &back);
	sync_folders_free(&back);
	sync_folders_free(&sf);
	return 0;
}
