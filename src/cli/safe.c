/*
 * safe.c: text that came from a server (its words, mailbox names, the
 * protocol trace) put on the terminal without its control characters,
 * so that no escape sequence it holds reaches the terminal.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cli_priv.h"
#include "mime.h"

void
cli_put_safe(FILE *fp, const char *s, size_t n, bool keep_newlines)
{
	struct buf	b;

	buf_init(&b, n * 4 + 16);
	if (mime_sanitize(s, n, keep_newlines, &b) == 0 && b.len > 0)
		(void)fwrite(b.data, 1, b.len, fp);
	buf_free(&b);
}

void
cli_put_str(FILE *fp, const char *s)
{
	cli_put_safe(fp, s, strlen(s), false);
}

void
cli_print_trace(const char *dir, const char *line, size_t len, void *arg)
{
	(void)arg;
	(void)fprintf(stderr, "%s: ", dir);
	cli_put_safe(stderr, line, len, true);
	(void)fputc('\n', stderr);
}
