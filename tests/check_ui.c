/*
 * check_ui.c: the interface's parts that need no terminal: text fitted
 * to columns (hostile text included), index lines, the pager's lines,
 * key names and keymaps, mailcap entries, and the engine's event lines.
 */
#include <check.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "../src/ui/ui_priv.h"
#include "engine.h"
#include "tests.h"

static void
utf8_locale(void)
{
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
}

static char *
fit(const char *s, int width, bool pad, int *used)
{
	struct buf	b;
	int		u;

	buf_init(&b, 4096);
	u = ui_fit(s, strlen(s), width, pad, &b);
	if (used != NULL)
		*used = u;
	return buf_take(&b);
}

/* Control characters, escape sequences, C1 controls, bidi overrides and
 * invalid bytes each become one "?". */
START_TEST(fit_hostile)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "a\x1b[2Jb", "a?[2Jb" },
		{ "t\x1b]0;x\x07y", "t?]0;x?y" },
		{ "c1 \xc2\x9b" "31m", "c1 ?31m" },
		{ "bidi \xe2\x80\xae" "evil", "bidi ?evil" },
		{ "nul\x01\x7f", "nul??" },
		{ "bad \xff\xfe utf8", "bad ?? utf8" },
		{ "overlong \xc0\xaf", "overlong ??" },
		{ "surrogate \xed\xa0\x80", "surrogate ???" },
		{ "cut \xe2\x82", "cut ??" },
		{ "tab\there", "tab here" },
		{ "line\nbreak", "line?break" },
	};
	size_t	i;
	char	*r;

	utf8_locale();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = fit(cases[i].in, 80, false, NULL);
		ck_assert_msg(strcmp(r, cases[i].out) == 0, "%zu: \"%s\"", i,
		    r);
		ck_assert_ptr_null(strchr(r, 0x1b));
		free(r);
	}
}
END_TEST

/* Wide characters take two columns and are never cut in half; combining
 * marks stay on their base; padding makes the width exact. */
START_TEST(fit_widths)
{
	char	*r;
	int	 used;

	utf8_locale();
	r = fit("高橋太郎", 5, true, &used);
	ck_assert_str_eq(r, "高橋 ");
	ck_assert_int_eq(used, 4);
	free(r);
	r = fit("e\xcc\x81t\xc3\xa9", 2, false, &used);	/* e + U+0301, t, é */
	ck_assert_str_eq(r, "e\xcc\x81t");
	ck_assert_int_eq(used, 2);
	free(r);
	r = fit("\xcc\x81x", 3, false, &used);	/* a mark with no base */
	ck_assert_str_eq(r, "x");
	free(r);
	r = fit("abc", 0, true, &used);
	ck_assert_str_eq(r, "");
	free(r);
	ck_assert_int_eq(ui_width("日本語abc", strlen("日本語abc")), 9);
	ck_assert_int_eq(ui_width("\x1b[1m", 4), 4);
}
END_TEST

START_TEST(sizes_and_dates)
{
	char	s[32];
	int64_t	now = 1709463600;	/* 2024-03-03 11:00 UTC */

	ui_human_size(0, s, sizeof(s));
	ck_assert_str_eq(s, "0");
	ui_human_size(999, s, sizeof(s));
	ck_assert_str_eq(s, "999");
	ui_human_size(1500, s, sizeof(s));
	ck_assert_str_eq(s, "1.5K");
	ui_human_size(200 * 1024, s, sizeof(s));
	ck_assert_str_eq(s, "200K");
	ui_human_size(3 * 1048576 + 1048576 / 2, s, sizeof(s));
	ck_assert_str_eq(s, "3.5M");
	ui_human_size((uint64_t)5 << 30, s, sizeof(s));
	ck_assert_str_eq(s, "5.0G");
	ck_assert_int_eq(setenv("TZ", "UTC", 1), 0);
	tzset();
	ui_short_date(now - 3600, now, s, sizeof(s));
	ck_assert_str_eq(s, "10:00");
	ui_short_date(now - 2 * 86400, now, s, sizeof(s));
	ck_assert_str_eq(s, "Mar 01");
	ui_short_date(now - 400 * 86400, now, s, sizeof(s));
	ck_assert_str_eq(s, "2023-01-28");
	ui_short_date(STORE_DATE_UNKNOWN, now, s, sizeof(s));
	ck_assert_str_eq(s, "?");
	ui_short_date(INT64_MAX / 2, now, s, sizeof(s));
	ck_assert_str_eq(s, "?");
}
END_TEST

static struct store_msg
sample_msg(const char *from, const char *subject, unsigned flags)
{
	struct store_msg	m;

	memset(&m, 0, sizeof(m));
	m.name = "1.2.host:2,";
	m.subject = subject;
	m.from = from;
	m.from_addr = "x@example.test";
	m.date = 1709373600;
	m.size = 2048;
	m.flags = (uint8_t)flags;
	return m;
}

/* Every index line is exactly as wide as the screen, whatever the
 * sender and subject hold. */
START_TEST(index_line_width)
{
	static const char *const subjects[] = { "Plain subject",
	    "サーバー移行のお知らせ、全員必読です、本当に長い件名です",
	    "e\xcc\x81" "e\xcc\x81" "e\xcc\x81 combining", "\x1b[2J escape",
	    "" };
	static const int widths[] = { 30, 40, 56, 80, 120, 200 };
	struct buf		b;
	struct ui_index_row	r;
	struct store_msg	m;
	size_t			i, k;

	utf8_locale();
	buf_init(&b, 1 << 16);
	for (i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
		for (k = 0; k < sizeof(widths) / sizeof(widths[0]); k++) {
			m = sample_msg("鈴木 恵子 (Keiko Suzuki)", subjects[i],
			    STORE_FLAGGED);
			memset(&r, 0, sizeof(r));
			r.m = &m;
			r.number = 12345;
			r.tree = i == 2 ? "\xe2\x94\x94\xe2\x94\x80>" : "";
			buf_reset(&b);
			ui_index_line(&r, 1709463600, widths[k], &b);
			ck_assert_msg(ui_width(b.data, b.len) == widths[k],
			    "%zu at %d: width %d: %.*s", i, widths[k],
			    ui_width(b.data, b.len), (int)b.len, b.data);
			ck_assert_ptr_null(memchr(b.data, 0x1b, b.len));
		}
	}
	/* The columns: number, flags, date, sender, size, subject. */
	m = sample_msg("Bob", "Quarterly report", 0);
	memset(&r, 0, sizeof(r));
	r.m = &m;
	r.number = 7;
	r.tree = "";
	r.tagged = true;
	buf_reset(&b);
	ui_index_line(&r, 1709463600, 100, &b);
	ck_assert_msg(strncmp(b.data, "   7 *N   ", 10) == 0, "%s",
	    buf_str(&b));
	ck_assert_ptr_nonnull(strstr(buf_str(&b), " 2.0K Quarterly report"));
	buf_free(&b);
}
END_TEST

START_TEST(flag_column)
{
	struct store_msg	m = sample_msg("a", "b", 0);
	char			f[5];

	ui_flag_column(&m, false, f);
	ck_assert_str_eq(f, "N");
	m.flags = STORE_SEEN | STORE_REPLIED;
	ui_flag_column(&m, false, f);
	ck_assert_str_eq(f, "r");
	m.flags = STORE_TRASHED | STORE_FLAGGED | STORE_REPLIED | STORE_PASSED;
	m.has_attachment = true;
	ui_flag_column(&m, true, f);
	ck_assert_str_eq(f, "*DN!");
}
END_TEST

/* ---- the pager ---- */

static const char pager_msg[] =
    "From: =?UTF-8?Q?Zo=C3=AB?= <zoe@example.test>\n"
    "To: a@example.test\n"
    "Subject: =?UTF-8?B?Q2Fmw6k=?=\n"
    "X-Mailer: something\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=XX\n\n"
    "--XX\n"
    "Content-Type: text/plain; charset=utf-8\n\n"
    "Hello, see https://example.test/a?b=c.\n"
    "> quoted once\n"
    "> > quoted twice\n"
    "\n"
    "A very long line that goes on and on and on well past the width of "
    "the narrow pager used in this test so that it must be wrapped.\n"
    "-- \n"
    "Zoë\n"
    "--XX\n"
    "Content-Type: image/png; name=photo.png\n"
    "Content-Disposition: attachment; filename=photo.png\n"
    "Content-Transfer-Encoding: base64\n\n"
    "iVBORw0KGgo=\n"
    "--XX--\n";

static size_t
find_row(const struct ui_pager *p, const char *text, enum ui_line_kind *k)
{
	size_t	r, len, nl;
	const char *s;

	for (r = 0; r < p->nrows; r++) {
		s = ui_pager_row(p, r, &len, k, &nl);
		if (len >= strlen(text) && memcmp(s, text, strlen(text)) == 0)
			return r;
	}
	return SIZE_MAX;
}

START_TEST(pager_lines)
{
	struct ui_pager		p;
	enum ui_line_kind	k;
	size_t			r, len, nl, s, ul;
	const char		*row;

	utf8_locale();
	memset(&p, 0, sizeof(p));
	ui_pager_load(&p, xstrdup(pager_msg), strlen(pager_msg), false, NULL,
	    NULL, 40);
	ck_assert_uint_ne(find_row(&p, "Subject: Café", &k), SIZE_MAX);
	ck_assert_int_eq(k, UI_LINE_HEADER);
	ck_assert_uint_ne(find_row(&p, "From: Zoë <zoe@example.test>", &k),
	    SIZE_MAX);
	ck_assert_uint_eq(find_row(&p, "X-Mailer", &k), SIZE_MAX);
	ck_assert_uint_ne(find_row(&p, "> quoted once", &k), SIZE_MAX);
	ck_assert_int_eq(k, UI_LINE_QUOTE1);
	ck_assert_uint_ne(find_row(&p, "> > quoted twice", &k), SIZE_MAX);
	ck_assert_int_eq(k, UI_LINE_QUOTE2);
	ck_assert_uint_ne(find_row(&p, "Zoë", &k), SIZE_MAX);
	ck_assert_int_eq(k, UI_LINE_SIGNATURE);
	r = find_row(&p, "[2] image/png", &k);
	ck_assert_uint_ne(r, SIZE_MAX);
	ck_assert_int_eq(k, UI_LINE_ATTACH);
	row = ui_pager_row(&p, r, &len, &k, &nl);
	ck_assert_msg(len >= 22 && mem_find(row, len, "photo.png", 9) != NULL,
	    "%.*s", (int)len, row);
	ck_assert_uint_eq(p.natt, 2);
	ck_assert_uint_eq(p.att[1].size, 8);
	/* Wrapped rows fit, and a long line wrapped at spaces. */
	for (r = 0; r < p.nrows; r++) {
		row = ui_pager_row(&p, r, &len, &k, &nl);
		ck_assert_int_le(ui_width(row, len), 40);
	}
	ck_assert_uint_ne(find_row(&p, "A very long line", &k), SIZE_MAX);
	/* The URL, without the sentence's full stop. */
	r = find_row(&p, "Hello, see", &k);
	row = ui_pager_row(&p, r, &len, &k, &nl);
	ck_assert(ui_find_url(row, len, 0, &s, &ul));
	ck_assert_int_eq((int)ul, (int)strlen("https://example.test/a?b=c"));
	ck_assert(memcmp(row + s, "https://", 8) == 0);
	/* Search is case-insensitive, both ways. */
	ck_assert_uint_eq(ui_pager_find(&p, "QUOTED TWICE", 0, false),
	    find_row(&p, "> > quoted twice", &k));
	ck_assert_uint_eq(ui_pager_find(&p, "subject", p.nrows - 1, true),
	    find_row(&p, "Subject:", &k));
	ck_assert_uint_eq(ui_pager_find(&p, "absent words", 0, false),
	    SIZE_MAX);
	/* Narrower: more rows, still fitting. */
	len = p.nrows;
	ui_pager_wrap(&p, 12);
	ck_assert_uint_gt(p.nrows, len);
	for (r = 0; r < p.nrows; r++) {
		row = ui_pager_row(&p, r, &len, &k, &nl);
		ck_assert_int_le(ui_width(row, len), 12);
	}
	ui_pager_free(&p);

	/* All headers with h. */
	ui_pager_load(&p, xstrdup(pager_msg), strlen(pager_msg), true, NULL,
	    NULL, 80);
	ck_assert_uint_ne(find_row(&p, "X-Mailer: something", &k), SIZE_MAX);
	ui_pager_free(&p);
}
END_TEST

/* HTML through html-command; when it fails, said, then the built-in
 * renderer. */
START_TEST(pager_html_command)
{
	static const char html[] = "Subject: h\nContent-Type: text/html\n\n"
	    "<p>hello <b>world</b></p>\n";
	struct ui_pager		p;
	enum ui_line_kind	k;

	utf8_locale();
	memset(&p, 0, sizeof(p));
	ui_pager_load(&p, xstrdup(html), strlen(html), false, NULL,
	    "sed 's/<[^>]*>//g' | tr a-z A-Z", 80);
	ck_assert_uint_ne(find_row(&p, "HELLO WORLD", &k), SIZE_MAX);
	ui_pager_free(&p);
	ui_pager_load(&p, xstrdup(html), strlen(html), false, NULL,
	    "exit 3", 80);
	ck_assert_uint_ne(find_row(&p, "[-- html-command: ", &k), SIZE_MAX);
	ck_assert_uint_ne(find_row(&p, "hello world", &k), SIZE_MAX);
	ui_pager_free(&p);
}
END_TEST

/* Junk still shows what it can: no headers, a bad boundary, binary. */
START_TEST(pager_junk)
{
	static const char *const junk[] = { "", "\n\n\n", "no headers at all",
	    "Content-Type: multipart/mixed; boundary=\"\"\n\nbody",
	    "Subject: x\nContent-Type: text/html\n\n<p>hi<script>x</script>",
	    "Content-Transfer-Encoding: base64\n\n!!!!****",
	    "\x1b[2J\x00\xff\xfe" };
	struct ui_pager		p;
	size_t			i, r, len, nl;
	enum ui_line_kind	k;
	const char		*row;

	utf8_locale();
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		size_t	n = i == 6 ? 7 : strlen(junk[i]);
		char	*d = xmalloc(n + 1);

		memcpy(d, junk[i], n);
		d[n] = '\0';
		memset(&p, 0, sizeof(p));
		ui_pager_load(&p, d, n, false, NULL, NULL, 20);
		ck_assert_uint_gt(p.nrows, 0);
		for (r = 0; r < p.nrows; r++) {
			row = ui_pager_row(&p, r, &len, &k, &nl);
			ck_assert_int_le(ui_width(row, len), 20);
		}
		ui_pager_free(&p);
	}
	/* A header name longer than the row (found by fuzz_ui): the name's
	 * part of a row never runs past it. */
	{
		static const char lh[] = "X-A-Very-Long-Header-Name-Indeed-"
		    "Longer-Than-The-Row: value\n\nbody\n";

		memset(&p, 0, sizeof(p));
		ui_pager_load(&p, xstrdup(lh), strlen(lh), true, NULL, NULL,
		    20);
		for (r = 0; r < p.nrows; r++) {
			row = ui_pager_row(&p, r, &len, &k, &nl);
			ck_assert_uint_le(nl, len);
		}
		ui_pager_free(&p);
	}
	ck_assert_int_eq(ui_quote_depth(">>> a", 5), 3);
	ck_assert_int_eq(ui_quote_depth("> > a", 5), 2);
	ck_assert_int_eq(ui_quote_depth(" > a", 4), 0);
	ck_assert_int_eq(ui_quote_depth("| a", 3), 1);
	ck_assert_int_eq(ui_quote_depth("a > b", 5), 0);
}
END_TEST

/* ---- keys ---- */

START_TEST(key_names)
{
	char	s[16];

	utf8_locale();
	ck_assert(ui_key_name(0, 'j', s, sizeof(s)));
	ck_assert_str_eq(s, "j");
	ck_assert(ui_key_name(0, '\r', s, sizeof(s)));
	ck_assert_str_eq(s, "<Enter>");
	ck_assert(ui_key_name(0, 14, s, sizeof(s)));
	ck_assert_str_eq(s, "^N");
	ck_assert(ui_key_name(0, ' ', s, sizeof(s)));
	ck_assert_str_eq(s, "<Space>");
	ck_assert(ui_key_name(0, 0xe9, s, sizeof(s)));
	ck_assert_str_eq(s, "é");
	ck_assert(ui_key_name(0, 27, s, sizeof(s)));
	ck_assert_str_eq(s, "<Esc>");
	ck_assert(!ui_key_name(0, 0x9b, s, sizeof(s)));
	ck_assert(!ui_key_name(0, 0x202e, s, sizeof(s)));
}
END_TEST

/* Every default binding names an action of its menu; the config's
 * bindings win; noop unbinds. */
START_TEST(keymap)
{
	static const char conf[] = "[bind index]\nJ = next-unread\n"
	    "d = noop\n<C-x> = quit\n[bind pager]\n<Space> = next-message\n";
	struct cfg_diag		 d;
	struct config		*cfg;
	struct ui_keymap	 km;
	const struct cfg_action	*a;
	size_t			 m, i;
	char			 keys[128];

	memset(&d, 0, sizeof(d));
	cfg = cfg_parse(conf, strlen(conf), "test", NULL, &d);
	ck_assert_msg(cfg != NULL, "%s", d.nerrors ? d.errors[0] : "");
	ui_keymap_init(&km, NULL);
	for (m = 0; m < CFG_MENU_COUNT; m++)
		for (i = 0; i < km.n[m]; i++) {
			for (a = cfg_actions(); a->name != NULL; a++)
				if (a->name == km.v[m][i].action)
					break;
			ck_assert_ptr_nonnull(a->name);
			ck_assert_msg(a->menus & (1u << m), "%s in menu %zu",
			    a->name, m);
		}
	ck_assert_str_eq(ui_keymap_action(&km, UI_MENU_INDEX, "d"), "delete");
	ck_assert_str_eq(ui_keymap_action(&km, UI_MENU_INDEX, "$"), "sync");
	ck_assert_str_eq(ui_keymap_action(&km, UI_MENU_PAGER, "<Space>"),
	    "page-down");
	ck_assert_ptr_null(ui_keymap_action(&km, UI_MENU_INDEX, "J"));
	ui_keymap_free(&km);

	ui_keymap_init(&km, cfg);
	ck_assert_str_eq(ui_keymap_action(&km, UI_MENU_INDEX, "J"),
	    "next-unread");
	ck_assert_ptr_null(ui_keymap_action(&km, UI_MENU_INDEX, "d"));
	ck_assert_str_eq(ui_keymap_action(&km, UI_MENU_INDEX, "^X"), "quit");
	ck_assert_str_eq(ui_keymap_action(&km, UI_MENU_INDEX, "q"), "quit");
	ck_assert_str_eq(ui_keymap_action(&km, UI_MENU_PAGER, "<Space>"),
	    "next-message");
	ui_keymap_keys(&km, UI_MENU_INDEX, "quit", keys, sizeof(keys));
	ck_assert_str_eq(keys, "q ^X");
	ui_keymap_free(&km);
	cfg_free(&cfg);
	cfg_diag_free(&d);
}
END_TEST

/* ---- the files a user writes ---- */

/* A draft written for the editor reads back the same, names with
 * commas, quotes and accents included; edits are taken. */
START_TEST(draft_round_trip)
{
	struct mime_draft	d, e;
	struct buf		b;
	static const char	edited[] =
	    "from: Moi <me@example.test>\n"
	    "TO: a@example.test,\n"
	    "  \"Dupont, Jean\" <jean@example.test>\n"
	    "Subject:   Re: café\n"
	    "X-Unknown: kept out\n"
	    "\n"
	    "Body line\n\nSubject: not a header\n";

	memset(&d, 0, sizeof(d));
	memset(&e, 0, sizeof(e));
	mime_addr_list_add(&d.from, "Zoë Dupré", "zoe@example.test");
	mime_addr_list_add(&d.to, "Martin, \"Jeanne\"", "j@example.test");
	mime_addr_list_add(&d.to, NULL, "plain@example.test");
	mime_addr_list_add(&d.cc, "Bob", "bob@example.test");
	d.subject = xstrdup("Réunion: ordre du jour");
	d.body = xstrdup("Hello,\n\n> quoted\n-- \nsig\n");
	buf_init(&b, 1 << 16);
	ui_draft_text(&d, &b);
	ui_draft_from_text(&e, b.data, b.len);
	ck_assert_uint_eq(e.to.n, 2);
	ck_assert_str_eq(e.to.v[0].name, "Martin, \"Jeanne\"");
	ck_assert_str_eq(e.to.v[0].addr, "j@example.test");
	ck_assert_str_eq(e.to.v[1].addr, "plain@example.test");
	ck_assert_str_eq(e.from.v[0].name, "Zoë Dupré");
	ck_assert_uint_eq(e.cc.n, 1);
	ck_assert_uint_eq(e.bcc.n, 0);
	ck_assert_str_eq(e.subject, "Réunion: ordre du jour");
	ck_assert_str_eq(e.body, d.body);
	buf_free(&b);
	/* A user's edit: any case, a continuation line, an unknown
	 * header, "Subject:" in the text left alone. */
	ui_draft_from_text(&e, edited, strlen(edited));
	ck_assert_uint_eq(e.to.n, 2);
	ck_assert_str_eq(e.to.v[1].name, "Dupont, Jean");
	ck_assert_str_eq(e.from.v[0].addr, "me@example.test");
	ck_assert_str_eq(e.subject, "Re: café");
	ck_assert_str_eq(e.body, "Body line\n\nSubject: not a header\n");
	/* No header at all: everything is text. */
	ui_draft_from_text(&e, "just text\n", 10);
	ck_assert_str_eq(e.body, "just text\n");
	ui_draft_from_text(&e, "", 0);
	ck_assert_str_eq(e.body, "");
	mime_draft_free(&d);
	mime_draft_free(&e);
}
END_TEST

START_TEST(aliases)
{
	static const char text[] =
	    "# friends\n"
	    "alias bob Bob Martin <bob@example.test>\r\n"
	    "  alias\tteam  team@example.test\n"
	    "alias lonely\n"
	    "aliasx no <no@example.test>\n"
	    "set something\n"
	    "alias bob Bob Martin <bob@example.test>\r\n"
	    "alias tab a\tb <ab@example.test>";
	char	**v = NULL;
	size_t	  n = 0, i;

	ui_aliases_parse(text, strlen(text), &v, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0], "bob\tBob Martin <bob@example.test>");
	ck_assert_str_eq(v[1], "team\tteam@example.test");
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
END_TEST

/* ---- mailcap ---- */

START_TEST(mailcap)
{
	static const char mc[] =
	    "# comment\n"
	    "text/html; lynx -dump %s; copiousoutput\n"
	    "image/*; feh \\\n  %s; test=false\n"
	    "image/*; display %s\n"
	    "application/pdf; zathura %s; needsterminal\n"
	    "audio; play %s\n";
	struct ui_mailcap	r;
	char			*cmd;

	ck_assert_int_eq(ui_mailcap_parse(mc, strlen(mc), "text/html", &r), 0);
	ck_assert_str_eq(r.command, "lynx -dump %s");
	ck_assert(r.copiousoutput && !r.needsterminal);
	ui_mailcap_free(&r);
	ck_assert_int_eq(ui_mailcap_parse(mc, strlen(mc), "image/png", &r), 0);
	ck_assert_str_eq(r.command, "display %s");
	ui_mailcap_free(&r);
	ck_assert_int_eq(ui_mailcap_parse(mc, strlen(mc), "application/pdf",
	    &r), 0);
	ck_assert(r.needsterminal);
	ui_mailcap_free(&r);
	ck_assert_int_eq(ui_mailcap_parse(mc, strlen(mc), "audio/ogg", &r), 0);
	ui_mailcap_free(&r);
	ck_assert_int_eq(ui_mailcap_parse(mc, strlen(mc), "video/mp4", &r),
	    -1);
	cmd = ui_mailcap_command("view %s --type=%t", "/tmp/a b'c.png",
	    "image/png");
	ck_assert_str_eq(cmd, "view '/tmp/a b'\\''c.png' --type='image/png'");
	free(cmd);
}
END_TEST

/* ---- engine events ---- */

START_TEST(engine_lines)
{
	struct engine_event	e, g;
	char			line[ENGINE_LINE_MAX];
	size_t			n;
	static const char *const bad[] = { "", "E1", "E2 busy 0 0 0\t\t",
	    "E1 bogus 0 0 0\t\t", "E1 busy x 0 0\t\t", "E1 busy 0 0 0\t",
	    "E1 busy 0 99999999999999999999 0\t\t",
	    "E1 busy 0 0 0\ta\x01\t", "E1 busy 0 0 0\t\tdel\x7f" };
	size_t			i;

	memset(&e, 0, sizeof(e));
	e.kind = ENGINE_EV_PROGRESS;
	e.account = 3;
	e.n = 120;
	e.total = 500;
	(void)fct_strlcpy(e.folder, "Archives/2024", sizeof(e.folder));
	(void)fct_strlcpy(e.text, "tab\there\nnewline \x1b[2J", sizeof(e.text));
	n = engine_format(&e, line, sizeof(line));
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(line[n - 1], '\n');
	ck_assert_ptr_null(memchr(line, 0x1b, n));
	ck_assert_int_eq(engine_parse(line, n - 1, &g), 0);
	ck_assert_int_eq(g.kind, ENGINE_EV_PROGRESS);
	ck_assert_uint_eq(g.account, 3);
	ck_assert_uint_eq(g.n, 120);
	ck_assert_uint_eq(g.total, 500);
	ck_assert_str_eq(g.folder, "Archives/2024");
	ck_assert_str_eq(g.text, "tab here newline  [2J");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(engine_parse(bad[i], strlen(bad[i]), &g) == -1,
		    "%zu accepted", i);
	/* Overlong text is cut on a character boundary, never split. */
	memset(e.text, 'a', sizeof(e.text) - 3);
	memcpy(e.text + sizeof(e.text) - 3, "\xc3\xa9", 3);
	n = engine_format(&e, line, sizeof(line));
	ck_assert_int_eq(engine_parse(line, n - 1, &g), 0);
	ck_assert(mime_utf8_valid(g.text, strlen(g.text)));
}
END_TEST

Suite *
ui_suite(void)
{
	Suite	*s = suite_create("ui");
	TCase	*tc = tcase_create("parts");

	tcase_add_test(tc, fit_hostile);
	tcase_add_test(tc, fit_widths);
	tcase_add_test(tc, sizes_and_dates);
	tcase_add_test(tc, index_line_width);
	tcase_add_test(tc, flag_column);
	tcase_add_test(tc, pager_lines);
	tcase_add_test(tc, pager_html_command);
	tcase_add_test(tc, pager_junk);
	tcase_add_test(tc, key_names);
	tcase_add_test(tc, keymap);
	tcase_add_test(tc, draft_round_trip);
	tcase_add_test(tc, aliases);
	tcase_add_test(tc, mailcap);
	tcase_add_test(tc, engine_lines);
	suite_add_tcase(s, tc);
	return s;
}
