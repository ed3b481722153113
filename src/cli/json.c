/* json.c: JSON output for --json: strings, and nothing clever. */
#include <stdio.h>
#include <string.h>

#include "cli_priv.h"

/* Append s as a JSON string: quotes, escapes, invalid UTF-8 as U+FFFD. */
int
json_str(struct buf *b, const char *s, size_t n)
{
	size_t	i = 0;

	if (s == NULL)
		return buf_append_str(b, "null");
	if (buf_append_byte(b, '"') == -1)
		return -1;
	while (i < n) {
		unsigned char	c = (unsigned char)s[i];
		size_t		len;
		int		r;

		if (c == '"' || c == '\\')
			r = buf_printf(b, "\\%c", c);
		else if (c == '\n')
			r = buf_append_str(b, "\\n");
		else if (c == '\t')
			r = buf_append_str(b, "\\t");
		else if (c == '\r')
			r = buf_append_str(b, "\\r");
		else if (c < 0x20 || c == 0x7f)
			r = buf_printf(b, "\\u%04x", c);
		else if (c < 0x80)
			r = buf_append_byte(b, c);
		else {
			len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
			if (i + len <= n && mime_utf8_valid(s + i, len)) {
				r = buf_append(b, s + i, len);
				i += len;
				if (r == -1)
					return -1;
				continue;
			}
			r = buf_append_str(b, "\xef\xbf\xbd");
		}
		if (r == -1)
			return -1;
		i++;
	}
	return buf_append_byte(b, '"');
}

int
json_cstr(struct buf *b, const char *s)
{
	return json_str(b, s, s != NULL ? strlen(s) : 0);
}
