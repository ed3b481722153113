/*
 * fuzz_sync_state.c: libFuzzer target for the sync state file
 * (src/sync/state.c). The input is a state file. When it does not parse,
 * the state is left empty and the message names a line of the input.
 * When it parses, every entry is well formed (uids increasing from 1,
 * six flags at most, names the format allows) and found by
 * sync_state_find(); saved (into a directory made once, under $TMPDIR)
 * and loaded back, it is the same state. (The seed no-uidvalidity is
 * what this target first found: a file without a uidvalidity line parsed,
 * and its save did not load.) The same bytes are read as a journal too:
 * every name it yields is one the state can record, and stands in the
 * input as a whole "append NAME" line.
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

	(void)snprintf(path, sizeof(path), "%s/%s", dir, SYNC_STATE_FILE);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/%s.tmp", dir, SYNC_STATE_FILE);
	(void)unlink(path);
	(void)rmdir(dir);
}

static const char *
state_dir(void)
{
	const char	*t;

	if (dir[0] != '\0')
		return dir;
	t = getenv("TMPDIR");
	if (t == NULL || *t == '\0')
		t = "/tmp";
	if ((size_t)snprintf(dir, sizeof(dir), "%s/fuzz-sync-state-XXXXXX",
	    t) >= sizeof(dir) || mkdtemp(dir) == NULL) {
		perror("fuzz_sync_state: mkdtemp");
		abort();
	}
	(void)atexit(remove_dir);
	return dir;
}

/* sync.h: not empty, not starting with ".", no "/", ":", NUL or line
 * end, at most 512 bytes. */
static bool
name_ok(const char *s)
{
	size_t	n = strlen(s);

	return n > 0 && n <= 512 && s[0] != '.' && strpbrk(s, "/:\n\r") ==
	    NULL && sync_state_name_ok(s, n);
}

static void
check_state(const struct sync_state *st)
{
	size_t	i;

	if (st->n > st->cap || (st->n > 0 && st->e == NULL) ||
	    st->modseq > INT64_MAX)
		abort();
	for (i = 0; i < st->n; i++) {
		if (st->e[i].uid == 0 ||
		    (i > 0 && st->e[i - 1].uid >= st->e[i].uid) ||
		    (st->e[i].flags & ~STORE_ALL_FLAGS) != 0 ||
		    st->e[i].name == NULL || !name_ok(st->e[i].name) ||
		    sync_state_find(st, st->e[i].uid) != &st->e[i])
			abort();
	}
}

static void
check_same(const struct sync_state *a, const struct sync_state *b)
{
	size_t	i;

	if (a->uidvalidity != b->uidvalidity || a->uidnext != b->uidnext ||
	    a->modseq != b->modseq || a->n != b->n)
		abort();
	for (i = 0; i < a->n; i++)
		if (a->e[i].uid != b->e[i].uid ||
		    a->e[i].flags != b->e[i].flags ||
		    strcmp(a->e[i].name, b->e[i].name) != 0)
			abort();
}

/* A failure: nothing kept, and ".facteur-sync line N: ..." with N a line
 * of the input (one past the last newline at most). */
static void
check_failure(const struct sync_state *st, const struct store_err *err,
    const uint8_t *data, size_t size)
{
	static const char	 prefix[] = SYNC_STATE_FILE " line ";
	const char		*p;
	size_t			 i, lines = 1, line = 0;

	if (st->n != 0 || st->e != NULL || st->uidvalidity != 0 ||
	    st->uidnext != 0 || st->modseq != 0)
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

/* A journal's name: one the state could record, found in the input as
 * "append NAME\n". */
static int
journal_name(const char *name, void *arg)
{
	const struct { const uint8_t *p; size_t n; } *in = arg;
	size_t	len = strlen(name);
	char	*line;

	if (!name_ok(name))
		abort();
	line = malloc(len + 9);
	if (line == NULL)
		abort();
	memcpy(line, "append ", 7);
	memcpy(line + 7, name, len);
	line[7 + len] = '\n';
	if (mem_find(in->p, in->n, line, len + 8) == NULL)
		abort();
	free(line);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sync_state	st, back;
	struct store_err	err;

	struct { const uint8_t *p; size_t n; } in = { data, size };

	/* The same bytes as a journal. */
	if (sync_journal_parse((const char *)data, size, journal_name, &in) !=
	    0)
		abort();
	err.msg[0] = '\0';
	if (sync_state_parse(&st, (const char *)data, size, &err) != 0) {
		check_failure(&st, &err, data, size);
		return 0;
	}
	check_state(&st);
	if (sync_state_save(&st, state_dir(), &err) != 0) {
		fprintf(stderr, "fuzz_sync_state: save in %s: %s\n", dir,
		    err.msg);
		abort();
	}
	if (sync_state_load(&back, dir, &err) != 0) {
		fprintf(stderr, "fuzz_sync_state: load from %s: %s\n", dir,
		    err.msg);
		abort();
	}
	check_same(&st, &back);
	sync_state_free(&back);
	sync_state_free(&st);
	return 0;
}
