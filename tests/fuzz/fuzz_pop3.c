/*
 * fuzz_pop3.c: libFuzzer target for POP3 responses (src/proto/
 * pop3_reply.c). Each input line goes to the status-line reader, the
 * multi-line body reader (bounded at 4 KiB), the STAT, LIST and UIDL
 * parsers and the APOP stamp finder; every finished body to the CAPA
 * parser. Invariants: a UIDL id handed back is 1 to 70 printable
 * characters inside the line; the body never passes its bound; a stamp
 * starts with "<", ends with ">" and holds an "@".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pop3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t	sink;

static void
one_line(struct pop3_multi *m, const char *l, size_t n)
{
	const char	*text, *uid;
	size_t		 tlen, ulen;
	uint32_t	 a;
	uint64_t	 b;
	char		*stamp;

	sink += (size_t)pop3_status_line(l, n, &text, &tlen) + tlen;
	if (pop3_stat_parse(l, n, &a, &b) == 0)
		sink += a;
	if (pop3_list_line_parse(l, n, &a, &b) == 0 && a == 0)
		abort();
	if (pop3_uidl_line_parse(l, n, &a, &uid, &ulen) == 0 &&
	    (!pop3_uidl_ok(uid, ulen) || uid < l || uid + ulen > l + n))
		abort();
	stamp = pop3_apop_stamp(l, n);
	if (stamp != NULL && (stamp[0] != '<' || stamp[strlen(stamp) - 1] !=
	    '>' || strchr(stamp, '@') == NULL))
		abort();
	free(stamp);
	if (pop3_multi_feed(m, l, n) == POP3_FEED_DONE)
		sink += pop3_capa_parse(m->data.data != NULL ? m->data.data :
		    "", m->data.len);
	if (m->data.len > 4096)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*p = (const char *)data, *end = p + size, *nl;
	struct pop3_multi	 m;

	pop3_multi_init(&m, 4096);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		one_line(&m, p, (size_t)(nl - p));
		p = nl + (nl < end);
	}
	pop3_multi_free(&m);
	return 0;
}
