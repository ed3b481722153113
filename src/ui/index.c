/*
 * index.c: the lines of the message list: number, flags, date, sender,
 * size and subject with the thread tree, fitted to the screen's width.
 */
#include <stdio.h>
#include <string.h>

#include "ui_priv.h"

void
ui_flag_column(const struct store_msg *m, bool tagged, char out[5])
{
	size_t	n = 0;

	if (tagged)
		out[n++] = '*';
	if (m->flags & STORE_TRASHED)
		out[n++] = 'D';
	if (!(m->flags & STORE_SEEN))
		out[n++] = 'N';
	if (m->flags & STORE_FLAGGED)
		out[n++] = '!';
	if (n < 4 && (m->flags & STORE_REPLIED))
		out[n++] = 'r';
	if (n < 4 && (m->flags & STORE_PASSED))
		out[n++] = 'f';
	if (n < 4 && m->has_attachment)
		out[n++] = '+';
	out[n] = '\0';
}

/* A column of text and one space after it. */
static void
column(struct buf *out, const char *s, int width)
{
	(void)ui_fit(s, strlen(s), width, true, out);
	ui_cat(out, " ");
}

void
ui_index_line(const struct ui_index_row *r, int64_t now, int width,
    struct buf *out)
{
	const struct store_msg	*m = r->m;
	char			 num[24], flags[5], date[24], size[16];
	int			 numw, fromw, used;
	bool			 show_size = width >= 90;
	size_t			 start = out->len;

	(void)snprintf(num, sizeof(num), "%zu", r->number);
	numw = (int)strlen(num) < 4 ? 4 : (int)strlen(num);
	fromw = width / 5;
	if (fromw < 10)
		fromw = 10;
	if (fromw > 24)
		fromw = 24;
	if (width < 40) {
		/* Too narrow for columns: the subject alone. */
		(void)ui_fit(m->subject, strlen(m->subject), width, true, out);
		return;
	}
	(void)snprintf(num, sizeof(num), "%*zu", numw, r->number);
	column(out, num, numw);
	ui_flag_column(m, r->tagged, flags);
	column(out, flags, 4);
	ui_short_date(store_msg_sort_date(m), now, date, sizeof(date));
	column(out, date, 10);
	column(out, m->from[0] != '\0' ? m->from : m->from_addr, fromw);
	used = numw + 1 + 5 + 11 + fromw + 1;
	if (show_size) {
		ui_human_size(m->size, size, sizeof(size));
		(void)snprintf(num, sizeof(num), "%5s", size);
		column(out, num, 5);
		used += 6;
	}
	if (r->tree[0] != '\0')
		used += ui_fit(r->tree, strlen(r->tree), width - used, false,
		    out);
	if (!r->hide_subject && used < width)
		used += ui_fit(m->subject, strlen(m->subject), width - used,
		    false, out);
	while (used < width && buf_append_byte(out, ' ') == 0)
		used++;
	(void)start;
}
