/*
 * fuzz_outgoing.c: libFuzzer target for mime_outgoing_prepare(), what
 * facteur send and the outbox make of a message. The input is the
 * message. When it is accepted: every recipient is a valid address; the
 * wire form has no Bcc field in its header block; it is the copy less
 * whole fields; and preparing the copy again changes nothing (the same
 * copy, recipients and Message-ID), as the outbox relies on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mime_out_params p = {
		"Fuzz <fuzz@example.test>", "fuzz@example.test", 1700000000, 90
	};
	struct mime_outgoing	 o, o2;
	struct mime_headers	 h;
	char			 err[512];
	size_t			 i;

	if (mime_outgoing_prepare((const char *)data, size, &p, &o, err,
	    sizeof(err)) == -1) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	if (o.nrcpt == 0 || o.wire_len > o.copy_len)
		abort();
	for (i = 0; i < o.nrcpt; i++)
		if (!mime_addr_valid(o.rcpt[i]))
			abort();
	mime_headers_parse(o.wire, o.wire_len, &h);
	if (mime_headers_get(&h, "Bcc") != NULL)
		abort();
	mime_headers_free(&h);
	if (mime_outgoing_prepare(o.copy, o.copy_len, &p, &o2, err,
	    sizeof(err)) == -1)
		abort();
	if (o2.copy_len != o.copy_len || memcmp(o2.copy, o.copy,
	    o.copy_len) != 0 || o2.nrcpt != o.nrcpt)
		abort();
	if ((o.message_id == NULL) != (o2.message_id == NULL) ||
	    (o.message_id != NULL && strcmp(o.message_id, o2.message_id) != 0))
		abort();
	mime_outgoing_free(&o2);
	mime_outgoing_free(&o);
	return 0;
}
