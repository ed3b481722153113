/*
 * fuzz_pop3_state.c: libFuzzer target for the POP3 state file
 * (sync_pop3_state_parse()). Whatever parses must be written back
 * (sync_pop3_state_format()) into bytes that parse again to the same
 * entries and are written back the same; every unique-id found by
 * sync_pop3_find() is the entry's own.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sync_pop3_state	st, st2;
	struct store_err	err;
	struct buf		b, b2;
	size_t			i;

	if (sync_pop3_state_parse(&st, (const char *)data, size, &err) == -1) {
		if (err.msg[0] == '\0' || st.n != 0)
			abort();
		return 0;
	}
	buf_init(&b, 1 << 24);
	buf_init(&b2, 1 << 24);
	if (sync_pop3_state_format(&st, &b) == -1 ||
	    sync_pop3_state_parse(&st2, b.data, b.len, &err) == -1 ||
	    st2.n != st.n || sync_pop3_state_format(&st2, &b2) == -1 ||
	    b2.len != b.len || memcmp(b.data, b2.data, b.len) != 0)
		abort();
	for (i = 0; i < st.n; i++)
		if (sync_pop3_find(&st, st.e[i].uidl, strlen(st.e[i].uidl)) !=
		    &st.e[i])
			abort();
	buf_free(&b);
	buf_free(&b2);
	sync_pop3_state_free(&st);
	sync_pop3_state_free(&st2);
	return 0;
}
