/*
 * fuzz_ui.c: libFuzzer target for what the interface reads: a message
 * made into the pager's lines and wrapped (every row must fit its width
 * and hold no control character once fitted), a mailcap file, the
 * engine's event lines (what parses formats back to the same event), an
 * edited draft (written back, it reads the same), an alias file, a
 * max-size stub's marker line, and
 * text fitted to columns (never wider than asked). The first byte picks
 * the width and the part.
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ui/ui_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_fitted(const char *s, size_t n, int width)
{
	struct buf	b;
	size_t		i;

	buf_init(&b, 1 << 20);
	if (ui_fit(s, n, width, true, &b) > width ||
	    ui_width(b.data != NULL ? b.data : "", b.len) != width)
		abort();
	for (i = 0; i < b.len; i++)
		if ((unsigned char)b.data[i] < 0x20 || b.data[i] == 0x7f)
			abort();
	buf_free(&b);
}

static void
fuzz_pager(const char *s, size_t n, int width)
{
	struct ui_pager		p;
	enum ui_line_kind	k;
	size_t			r, len, nl;
	const char		*row;

	memset(&p, 0, sizeof(p));
	ui_pager_load(&p, xmemdup0(s, n), n, n % 2 == 0, NULL, NULL, width);
	for (r = 0; r < p.nrows; r++) {
		row = ui_pager_row(&p, r, &len, &k, &nl);
		if (ui_width(row, len) > (width < 10 ? 10 : width) ||
		    nl > len || memchr(row, '\n', len) != NULL)
			abort();
		check_fitted(row, len, width);
	}
	ui_pager_wrap(&p, width / 2 + 1);
	(void)ui_pager_find(&p, "a", 0, false);
	ui_pager_free(&p);
}

static bool
all_valid(const struct mime_addr_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].addr != NULL && l->v[i].addr[0] != '\0' &&
		    !mime_addr_valid(l->v[i].addr))
			return false;
		/* Encoded words are decoded wherever they stand, quoted
		 * or not (as mail clients write them): text that looks
		 * like one cannot read back as written. */
		if (l->v[i].name != NULL && strstr(l->v[i].name, "=?") !=
		    NULL)
			return false;
	}
	return true;
}

/*
 * An edited draft: what it reads is written back and reads the same,
 * when its addresses are valid ones (others are refused at sending and
 * may be read differently, as they were written).
 */
static void
fuzz_draft(const char *s, size_t n)
{
	struct mime_draft	d, e;
	struct buf		b, b2;

	memset(&d, 0, sizeof(d));
	memset(&e, 0, sizeof(e));
	ui_draft_from_text(&d, s, n);
	if (!all_valid(&d.from) || !all_valid(&d.to) || !all_valid(&d.cc) ||
	    !all_valid(&d.bcc)) {
		mime_draft_free(&d);
		return;
	}
	buf_init(&b, 1 << 24);
	buf_init(&b2, 1 << 24);
	ui_draft_text(&d, &b);
	ui_draft_from_text(&e, b.data != NULL ? b.data : "", b.len);
	ui_draft_text(&e, &b2);
	if (b.len != b2.len || (b.len > 0 && memcmp(b.data, b2.data,
	    b.len) != 0))
		abort();
	buf_free(&b);
	buf_free(&b2);
	mime_draft_free(&d);
	mime_draft_free(&e);
}

static void
fuzz_aliases(const char *s, size_t n)
{
	char	**v = NULL;
	size_t	  k = 0, i;

	ui_aliases_parse(s, n, &v, &k);
	for (i = 0; i < k; i++) {
		if (strchr(v[i], '\n') != NULL || strchr(v[i], '\t') ==
		    NULL)
			abort();
		free(v[i]);
	}
	free(v);
}

/* A max-size stub's first line: a size only from digits and a line end
 * found inside the input. */
static void
fuzz_partial(const char *s, size_t n)
{
	uint64_t	size = 0;

	if (store_is_partial(s, n, &size) && (memchr(s, '\n', n) == NULL ||
	    n < sizeof(STORE_PARTIAL_HEADER) + 2))
		abort();
}

static void
fuzz_engine(const char *s, size_t n)
{
	struct engine_event	ev, ev2;
	char			line[ENGINE_LINE_MAX];
	size_t			len;

	if (engine_parse(s, n, &ev) == -1)
		return;
	len = engine_format(&ev, line, sizeof(line));
	if (len == 0 || line[len - 1] != '\n' ||
	    engine_parse(line, len - 1, &ev2) == -1 || ev2.kind != ev.kind ||
	    ev2.account != ev.account || ev2.n != ev.n ||
	    ev2.total != ev.total || strcmp(ev2.folder, ev.folder) != 0 ||
	    strcmp(ev2.text, ev.text) != 0)
		abort();
}

/* A "test=" field, any case: such input is not run (it would run a
 * program). */
static bool
has_test(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i + 5 <= n; i++)
		if (mem_has_prefix_ci(s + i, n - i, "test="))
			return true;
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ui_mailcap	mc;
	const char		*s = (const char *)data + 1;
	size_t			n;
	int			width;
	static bool		init;

	if (!init) {
		(void)setlocale(LC_CTYPE, "C.UTF-8");
		init = true;
	}
	if (size < 1)
		return 0;
	n = size - 1;
	width = data[0] & 0x7f;
	switch (data[0] >> 7) {
	case 0:
		fuzz_pager(s, n, width);
		break;
	case 1:
		if (width % 2 == 0)
			fuzz_draft(s, n);
		else
			fuzz_aliases(s, n);
		fuzz_engine(s, n);
		fuzz_partial(s, n);
		/* No test= commands: a fuzzer must not run programs. */
		if (!has_test(s, n) &&
		    ui_mailcap_parse(s, n, "image/png", &mc) == 0)
			ui_mailcap_free(&mc);
		check_fitted(s, n, width);
		break;
	}
	return 0;
}
