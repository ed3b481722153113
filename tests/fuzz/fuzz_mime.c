/*
 * fuzz_mime.c: libFuzzer target for the MIME tree: the input is a whole
 * message. Everything a reader can ask for is computed: the tree, every
 * leaf decoded, the text parts rendered both ways, the summary. Checks:
 * leaf paths are unique and non-empty, offsets stay inside their data,
 * rendered text is valid UTF-8 without ESC.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

static void
check_part(const struct mime_part *p, size_t len)
{
	size_t	i;

	if (p->base == NULL || p->body_offset < p->offset)
		abort();
	for (i = 0; i < p->nchildren; i++)
		check_part(&p->children[i], len);
	(void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct mime_part	**leaves, **texts;
	struct mime_summary	  sum;
	struct mime_msg		 *msg;
	struct buf		  b;
	size_t			  n, i, j;
	int			  pass;

	msg = mime_parse((const char *)data, size, NULL);
	check_part(&msg->root, size);
	if (msg->root.body_offset + msg->root.body_len > size)
		abort();
	leaves = mime_leaves(msg, &n);
	buf_init(&b, 64 << 20);
	for (i = 0; i < n; i++) {
		if (leaves[i]->path[0] == '\0')
			abort();
		for (j = 0; j < i; j++)
			if (strcmp(leaves[i]->path, leaves[j]->path) == 0)
				abort();
		buf_reset(&b);
		if (mime_part_decode(msg, leaves[i], &b) == -1)
			abort();
	}
	for (pass = 0; pass < 2; pass++) {
		texts = mime_text_parts(msg, pass == 1, &n);
		for (i = 0; i < n; i++) {
			buf_reset(&b);
			if (mime_part_text(msg, texts[i], NULL, &b) == -1)
				abort();
			if (!mime_utf8_valid(buf_str(&b), b.len) ||
			    memchr(buf_str(&b), 0x1b, b.len) != NULL)
				abort();
		}
	}
	mime_summary_from_headers(&msg->root.headers, NULL, &sum);
	if (sum.subject != NULL && memchr(sum.subject, 0x1b,
	    strlen(sum.subject)) != NULL)
		abort();
	mime_summary_free(&sum);
	buf_free(&b);
	mime_msg_free(&msg);
	return 0;
}
