/*
 * fuzz_address.c: libFuzzer target for address lists and msg-id lists
 * (src/mime/address.c, msgid.c). The input is a header value.
 *
 * Address invariants: at most MIME_MAX_ADDRS entries; no controls in
 * names or addresses; the list formatted for a header (folded after a
 * field name whose length the first byte picks) has no CR, every fold is
 * LF plus a blank, and it parses back to the same entries; each entry
 * formatted alone parses back to one entry with the same name and
 * address; an address mime_addr_valid() accepts parses back as itself.
 * Msg-id invariants: ids are "<...>" without blanks, the first one is
 * what mime_msgid_first() finds, and a capped list is the tail of the
 * full one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

static bool
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
check_text(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			abort();
}

static void
check_folded(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\r' || (*s == '\n' && s[1] != ' '))
			abort();
}

/* Entry a formatted alone reads back as itself. */
static void
check_entry(const struct mime_addr *a)
{
	struct mime_addr_list	 l = { NULL, 0 };
	char			*s = mime_addr_format(a), *d;

	mime_addr_parse(s, strlen(s), NULL, &l);
	if (l.n != 1 || !same(l.v[0].name, a->name) ||
	    !same(l.v[0].addr, a->addr))
		abort();
	if (a->addr == NULL && !same(l.v[0].group, a->group))
		abort();
	mime_addr_list_free(&l);
	free(s);
	d = mime_addr_display(a);
	free(d);
	if (a->addr == NULL || !mime_addr_valid(a->addr))
		return;
	mime_addr_parse(a->addr, strlen(a->addr), NULL, &l);
	if (l.n != 1 || l.v[0].name != NULL || !same(l.v[0].addr, a->addr))
		abort();
	mime_addr_list_free(&l);
}

static void
fuzz_addresses(const char *data, size_t size, size_t name_len)
{
	struct mime_addr_list	 a = { NULL, 0 }, b = { NULL, 0 };
	char			*s;
	size_t			 i;

	mime_addr_parse(data, size, NULL, &a);
	if (a.n > MIME_MAX_ADDRS)
		abort();
	for (i = 0; i < a.n; i++) {
		check_text(a.v[i].name);
		check_text(a.v[i].addr);
		if (a.v[i].addr == NULL && a.v[i].group == NULL)
			abort();
		check_entry(&a.v[i]);
	}
	s = mime_addr_list_format(&a, name_len);
	check_folded(s);
	mime_addr_parse(s, strlen(s), NULL, &b);
	if (b.n != a.n)
		abort();
	for (i = 0; i < a.n; i++)
		if (!same(a.v[i].name, b.v[i].name) ||
		    !same(a.v[i].addr, b.v[i].addr) ||
		    !same(a.v[i].group, b.v[i].group))
			abort();
	free(s);
	mime_addr_list_free(&a);
	mime_addr_list_free(&b);
}

static void
free_ids(char **ids, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

static void
fuzz_msgids(const char *data, size_t size)
{
	char	**all = NULL, **tail = NULL, *first;
	size_t	  nall = 0, ntail = 0, i, j;

	mime_msgid_list(data, size, SIZE_MAX, &all, &nall);
	mime_msgid_list(data, size, 3, &tail, &ntail);
	first = mime_msgid_first(data, size);
	if ((nall == 0) != (first == NULL) ||
	    (first != NULL && strcmp(first, all[0]) != 0))
		abort();
	if (ntail != (nall < 3 ? nall : 3))
		abort();
	for (i = 0; i < ntail; i++)
		if (strcmp(tail[i], all[nall - ntail + i]) != 0)
			abort();
	for (i = 0; i < nall; i++) {
		size_t	len = strlen(all[i]);

		if (len < 3 || all[i][0] != '<' || all[i][len - 1] != '>')
			abort();
		for (j = 0; j < len; j++)
			if ((unsigned char)all[i][j] <= ' ')
				abort();
	}
	free(first);
	free_ids(all, nall);
	free_ids(tail, ntail);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t	name_len = size > 0 ? data[0] % 64 : 2;

	fuzz_addresses((const char *)data, size, name_len);
	fuzz_msgids((const char *)data, size);
	return 0;
}
