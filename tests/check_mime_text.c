/*
 * check_mime_text.c: unit tests of the text half of include/mime.h
 * (src/mime/charset.c, src/mime/words.c): charset labels, conversion to
 * and from UTF-8, UTF-8 validation, the terminal sanitizer, RFC 2047
 * encoded words both ways, and header values as display text. Inputs
 * include broken and hostile mail: invalid UTF-8 of every kind, NUL
 * bytes, terminal escape sequences, C1 and bidi controls, malformed and
 * very many encoded words.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

Suite	*mime_text_suite(void);

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define OUT_MAX		(1024 * 1024)

/* Bytes with a length: string literals may hold NUL. */
struct bytes {
	const char	*p;
	size_t		 n;
};
#define B(s)		{ (s), sizeof(s) - 1 }
#define REPL		"\xEF\xBF\xBD"	/* U+FFFD */

static void
ck_bytes_eq(const char *got, size_t gotlen, struct bytes want,
    const char *what)
{
	ck_assert_msg(gotlen == want.n && memcmp(got, want.p, want.n) == 0,
	    "%s: got \"%.*s\" (%zu bytes), want \"%.*s\" (%zu bytes)", what,
	    (int)gotlen, got, gotlen, (int)want.n, want.p, want.n);
}

/* ------------------------------------------------------------------ */
/* NULL and empty arguments                                            */

START_TEST(null_and_empty)
{
	struct buf	 b;
	char		*s;

	buf_init(&b, OUT_MAX);
	ck_assert_ptr_null(mime_charset_canonical(NULL));
	ck_assert_ptr_null(mime_charset_canonical(""));
	ck_assert_ptr_null(mime_charset_canonical("   "));
	ck_assert(mime_utf8_valid("", 0));
	ck_assert(mime_utf8_valid(NULL, 0));
	ck_assert_int_eq(mime_to_utf8(NULL, NULL, 0, &b), 0);
	ck_assert_int_eq(mime_to_utf8("utf-8", "", 0, &b), 0);
	ck_assert_int_eq(mime_to_utf8("", "x", 1, &b), 0);
	ck_assert_int_eq(mime_sanitize(NULL, 0, true, &b), 0);
	ck_assert_int_eq(mime_decode_words(NULL, 0, NULL, &b), 0);
	ck_assert_int_eq(mime_decode_words("", 0, NULL, &b), 0);
	ck_assert_str_eq(buf_str(&b), "x");
	ck_assert_int_eq(mime_from_utf8(NULL, "a", 1, &b), -1);
	ck_assert_int_eq(mime_from_utf8("utf-8", NULL, 0, &b), 0);
	ck_assert_str_eq(buf_str(&b), "x");
	buf_free(&b);
	s = mime_encode_words(NULL, false);
	ck_assert_str_eq(s, "");
	free(s);
	s = mime_encode_words("", true);
	ck_assert_str_eq(s, "");
	free(s);
	s = mime_header_text(NULL, 0, NULL);
	ck_assert_str_eq(s, "");
	free(s);
	s = mime_header_text("", 0, NULL);
	ck_assert_str_eq(s, "");
	free(s);
	s = mime_header_text(" \t\r\n ", 5, "utf-8");
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* mime_charset_canonical                                              */

static const struct {
	const char	*label;
	const char	*want;		/* NULL: unknown */
} canon_cases[] = {
	/* ASCII and Latin 1 read as windows-1252 (WHATWG) */
	{ "us-ascii", "windows-1252" },
	{ "US-ASCII", "windows-1252" },
	{ "ascii", "windows-1252" },
	{ "ANSI_X3.4-1968", "windows-1252" },
	{ "iso-8859-1", "windows-1252" },
	{ "ISO-8859-1", "windows-1252" },
	{ "latin1", "windows-1252" },
	{ "Latin1", "windows-1252" },
	{ "l1", "windows-1252" },
	{ "cp819", "windows-1252" },
	{ "iso_8859-1:1987", "windows-1252" },
	{ "iso8859-1", "windows-1252" },
	{ "windows-1252", "windows-1252" },
	{ "cp1252", "windows-1252" },
	{ "  latin1\t", "windows-1252" },	/* blanks trimmed */
	{ "iso-8859-9", "windows-1254" },
	{ "latin5", "windows-1254" },
	{ "iso-8859-11", "windows-874" },
	{ "tis-620", "windows-874" },
	{ "TIS-620", "windows-874" },
	{ "gb2312", "GB18030" },
	{ "GB2312", "GB18030" },
	{ "gbk", "GB18030" },
	{ "x-gbk", "GB18030" },
	{ "euc-cn", "GB18030" },
	{ "gb18030", "GB18030" },
	{ "ks_c_5601-1987", "CP949" },
	{ "KS_C_5601-1987", "CP949" },
	{ "euc-kr", "CP949" },
	{ "shift_jis", "CP932" },
	{ "Shift_JIS", "CP932" },
	{ "sjis", "CP932" },
	{ "x-sjis", "CP932" },
	{ "ms_kanji", "CP932" },
	{ "windows-31j", "CP932" },
	{ "utf8", "UTF-8" },
	{ "utf-8", "UTF-8" },
	{ "UTF-8", "UTF-8" },
	{ "unicode-1-1-utf-7", "UTF-7" },
	{ "utf-7", "UTF-7" },
	{ "x-mac-roman", "MACINTOSH" },
	{ "macintosh", "MACINTOSH" },
	{ "iso-8859-8-i", "ISO-8859-8" },
	{ "iso-8859-8", "ISO-8859-8" },
	{ "iso-8859-15", "ISO-8859-15" },
	{ "latin9", "ISO-8859-15" },
	{ "iso-8859-2", "ISO-8859-2" },
	{ "koi8-r", "KOI8-R" },
	{ "KOI8-U", "KOI8-U" },
	{ "windows-1251", "windows-1251" },
	{ "cp1250", "windows-1250" },
	{ "iso-2022-jp", "ISO-2022-JP-2" },
	{ "ISO-2022-JP", "ISO-2022-JP-2" },
	{ "euc-jp", "EUC-JP" },
	{ "big5", "BIG5-HKSCS" },
	{ "iso-2022-kr", "ISO-2022-KR" },
	{ "utf-16", "UTF-16" },
	/* unknown */
	{ "x-unknown", NULL },
	{ "unknown-8bit", NULL },
	{ "utf-8*en", NULL },
	{ "iso-2022-cn-ext", NULL },	/* deliberately absent */
	{ "iso-2022-jp-3", NULL },
	{ "utf-8 x", NULL },
	{ "UTF-8//TRANSLIT", NULL },	/* never handed to iconv */
	{ "../../etc/passwd", NULL },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL },
};

START_TEST(canonical_table)
{
	const char	*got = mime_charset_canonical(canon_cases[_i].label);

	if (canon_cases[_i].want == NULL)
		ck_assert_msg(got == NULL, "%s: got %s, want NULL",
		    canon_cases[_i].label, got);
	else {
		ck_assert_msg(got != NULL, "%s: unknown",
		    canon_cases[_i].label);
		ck_assert_str_eq(got, canon_cases[_i].want);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* mime_to_utf8                                                        */

static const struct {
	const char	*cs;
	struct bytes	 in;
	const char	*want;
	int		 bad;
} conv_cases[] = {
	/* windows-1252 versus the iso-8859-1 label: 0x80 is the euro */
	{ "windows-1252", B("\x80" "caf\xe9"), "€café", 0 },
	{ "iso-8859-1", B("\x80" "caf\xe9"), "€café", 0 },
	{ "latin1", B("\x80\x9f\xff"), "€Ÿÿ", 0 },
	{ "l1", B("\x93quoted\x94"), "“quoted”", 0 },
	{ "cp819", B("\x85"), "…", 0 },
	{ "iso_8859-1:1987", B("\xe9t\xe9"), "été", 0 },
	{ "ISO-8859-1", B("na\xefve"), "naïve", 0 },
	/* the five undefined windows-1252 bytes */
	{ "windows-1252", B("\x81\x8d\x8f\x90\x9d"),
	    REPL REPL REPL REPL REPL, 5 },
	/* ASCII labels: windows-1252, or UTF-8 when valid */
	{ "us-ascii", B("plain"), "plain", 0 },
	{ "us-ascii", B("\x80"), "€", 0 },
	{ "us-ascii", B("caf\xc3\xa9"), "café", 0 },
	{ "ascii", B("caf\xe9"), "café", 0 },
	/* unknown or empty labels: UTF-8 when valid, else windows-1252 */
	{ "x-unknown", B("caf\xc3\xa9"), "café", 0 },
	{ "x-unknown", B("caf\xe9"), "café", 0 },
	{ "unknown-8bit", B("\x80"), "€", 0 },
	{ "", B("\xc3\xa9\xe9"), "Ã©é", 0 },
	{ NULL, B("caf\xc3\xa9"), "café", 0 },
	{ "UTF-8//IGNORE", B("\xe9"), "é", 0 },
	/* UTF-8 */
	{ "utf-8", B("caf\xc3\xa9 \xf0\x9f\x98\x80"), "café 😀", 0 },
	{ "utf8", B("caf\xe9"), "caf" REPL, 1 },
	{ "UTF-8", B("a\0b"), NULL, 0 },	/* NUL kept: see below */
	/* Latin 5 and Thai read as their Windows supersets */
	{ "iso-8859-9", B("\xfd\x80"), "ı€", 0 },
	{ "latin5", B("\xfd"), "ı", 0 },
	{ "iso-8859-11", B("\xa1\x80"), "ก€", 0 },
	{ "tis-620", B("\xa1\x80"), "ก€", 0 },
	/* Chinese: GB18030 reads GB2312 and GBK */
	{ "gb2312", B("\xc4\xe3\xba\xc3"), "你好", 0 },
	{ "GB2312", B("\xc4\xe3\xba\xc3\x81\x40"), "你好丂", 0 },
	{ "gbk", B("\x81\x40"), "丂", 0 },
	{ "x-gbk", B("\xc4\xe3"), "你", 0 },
	{ "euc-cn", B("\xba\xc3"), "好", 0 },
	{ "gb18030", B("\x94\x39\xfc\x36"), "😀", 0 },
	{ "big5", B("\xa4\xa4"), "中", 0 },
	/* Korean: CP949 reads EUC-KR */
	{ "euc-kr", B("\xbe\xc8\xb3\xe7"), "안녕", 0 },
	{ "ks_c_5601-1987", B("\xbe\xc8\x81\x41"), "안갂", 0 },
	{ "iso-2022-kr", B("\x1b$)C\x0e\x3e\x48\x0f"), "안", 0 },
	/* Japanese */
	{ "shift_jis", B("\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd"),
	    "こんにちは", 0 },
	{ "sjis", B("\x82\xb1\x87\x40"), "こ①", 0 },
	{ "x-sjis", B("\x82\xb1"), "こ", 0 },
	{ "ms_kanji", B("\x82\xb1"), "こ", 0 },
	{ "windows-31j", B("\x87\x40"), "①", 0 },
	{ "shift_jis", B("\x82\xb1\xfd\x82\xb1"), "こ" REPL "こ", 1 },
	{ "shift_jis", B("\x82\xb1\x82"), "こ" REPL, 1 },	/* cut */
	{ "iso-2022-jp", B("\x1b$B$3$s$K$A$O\x1b(B"), "こんにちは", 0 },
	{ "iso-2022-jp", B("\x1b(I12\x1b(B"), "ｱｲ", 0 },
	{ "euc-jp", B("\xa4\xb3"), "こ", 0 },
	/* Cyrillic and others */
	{ "koi8-r", B("\xf0\xd2\xc9\xd7\xc5\xd4"), "Привет", 0 },
	{ "windows-1251", B("\xc0"), "А", 0 },
	{ "iso-8859-2", B("\xb1"), "ą", 0 },
	{ "iso-8859-15", B("\xa4"), "€", 0 },
	{ "iso-8859-8-i", B("\xe0"), "א", 0 },
	{ "x-mac-roman", B("\x8a"), "ä", 0 },
	{ "macintosh", B("\x8a"), "ä", 0 },
	{ "utf-7", B("+AOk-"), "é", 0 },
	{ "unicode-1-1-utf-7", B("caf+AOk-"), "café", 0 },
	{ "utf-16", B("\xff\xfe\xe9\x00"), "é", 0 },
	{ "utf-16le", B("\xe9\x00" "a"), "é" REPL, 1 },	/* odd length */
};

START_TEST(to_utf8_table)
{
	struct buf	b;
	int		r;

	buf_init(&b, OUT_MAX);
	r = mime_to_utf8(conv_cases[_i].cs, conv_cases[_i].in.p,
	    conv_cases[_i].in.n, &b);
	if (conv_cases[_i].want == NULL)
		ck_bytes_eq(b.data, b.len, conv_cases[_i].in, "to_utf8");
	else
		ck_assert_str_eq(buf_str(&b), conv_cases[_i].want);
	ck_assert_int_eq(r, conv_cases[_i].bad);
	ck_assert(mime_utf8_valid(buf_str(&b), b.len));
	buf_free(&b);
}
END_TEST

/* Every iconv-backed label, on bytes that are invalid in most: the
 * output is valid UTF-8 and the call ends. */
START_TEST(to_utf8_garbage)
{
	static const char *const cs[] = {
		"utf-7", "utf-16", "utf-16be", "utf-32", "gb18030",
		"big5", "euc-tw", "iso-2022-cn", "iso-2022-jp",
		"iso-2022-jp-2", "shift_jis", "euc-jp", "euc-kr",
		"iso-2022-kr", "johab", "koi8-r", "tcvn", "viscii",
		"iso-8859-6", "windows-1255", "x-mac-cyrillic",
	};
	char		in[512];
	struct buf	b;
	size_t		i;
	int		r;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (char)(i * 7 + (i >> 3));
	buf_init(&b, OUT_MAX);
	r = mime_to_utf8(cs[_i], in, sizeof(in), &b);
	ck_assert_int_ge(r, 0);
	ck_assert(mime_utf8_valid(buf_str(&b), b.len));
	buf_free(&b);
}
END_TEST

/* A full buffer is -1, and what is in it stays valid UTF-8. */
START_TEST(to_utf8_bounded)
{
	static const char *const cs[] = {
		"utf-8", "windows-1252", "gb2312", "x-unknown"
	};
	static const char	in[] = "\xc4\xe3\xba\xc3\xc4\xe3\xba\xc3"
	    "\xc4\xe3\xba\xc3";
	struct buf		b;

	buf_init(&b, 5);
	ck_assert_int_eq(mime_to_utf8(cs[_i], in, sizeof(in) - 1, &b), -1);
	ck_assert_uint_le(b.len, 5);
	ck_assert(mime_utf8_valid(buf_str(&b), b.len));
	buf_free(&b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* UTF-8 validation and repair                                         */

static const struct {
	struct bytes	 in;
	bool		 valid;
	const char	*repaired;	/* NULL: as the input */
	int		 bad;
} utf8_cases[] = {
	{ B("plain ascii"), true, NULL, 0 },
	{ B("a\0b"), true, NULL, 0 },
	{ B("\xc3\xa9"), true, NULL, 0 },			/* é */
	{ B("\xe2\x82\xac"), true, NULL, 0 },		/* € */
	{ B("\xf0\x9f\x98\x80"), true, NULL, 0 },		/* 😀 */
	{ B("\xed\x9f\xbf"), true, NULL, 0 },		/* U+D7FF */
	{ B("\xee\x80\x80"), true, NULL, 0 },		/* U+E000 */
	{ B("\xf4\x8f\xbf\xbf"), true, NULL, 0 },		/* U+10FFFF */
	{ B("\xef\xbf\xbe"), true, NULL, 0 },		/* U+FFFE */
	/* overlong forms */
	{ B("\xc0\xaf"), false, REPL REPL, 2 },
	{ B("\xc1\xbf"), false, REPL REPL, 2 },
	{ B("\xe0\x80\xaf"), false, REPL REPL REPL, 3 },
	{ B("\xe0\x9f\xbf"), false, REPL REPL REPL, 3 },
	{ B("\xf0\x80\x80\xaf"), false, REPL REPL REPL REPL, 4 },
	{ B("\xf0\x8f\xbf\xbf"), false, REPL REPL REPL REPL, 4 },
	/* surrogates */
	{ B("\xed\xa0\x80"), false, REPL REPL REPL, 3 },
	{ B("\xed\xbf\xbf"), false, REPL REPL REPL, 3 },
	{ B("\xed\xa0\xbd\xed\xb8\x80"), false,
	    REPL REPL REPL REPL REPL REPL, 6 },		/* CESU-8 pair */
	/* beyond U+10FFFF, and bytes that never occur */
	{ B("\xf4\x90\x80\x80"), false, REPL REPL REPL REPL, 4 },
	{ B("\xf5\x80\x80\x80"), false, REPL REPL REPL REPL, 4 },
	{ B("\xf8\x88\x80\x80\x80"), false, REPL REPL REPL REPL REPL, 5 },
	{ B("\xfe\xff"), false, REPL REPL, 2 },
	/* truncated: one U+FFFD per maximal subpart */
	{ B("\xe2\x82"), false, REPL, 1 },
	{ B("\xe2\x82" "a"), false, REPL "a", 1 },
	{ B("\xf0\x9f\x98"), false, REPL, 1 },
	{ B("\xf0\x9f\x98 x"), false, REPL " x", 1 },
	{ B("\xc3"), false, REPL, 1 },
	{ B("a\xc3"), false, "a" REPL, 1 },
	/* stray continuation bytes */
	{ B("\x80"), false, REPL, 1 },
	{ B("a\xbf\xbf" "b"), false, "a" REPL REPL "b", 2 },
	{ B("\xe2\x82\xac\xac"), false, "€" REPL, 1 },
	/* Unicode 15.0, table 3-8 */
	{ B("\x61\xf1\x80\x80\xe1\x80\xc2\x62\x80\x63\x80\xbf\x64"), false,
	    "a" REPL REPL REPL "b" REPL "c" REPL REPL "d", 6 },
};

START_TEST(utf8_table)
{
	struct buf	b;
	int		r;

	ck_assert_int_eq(mime_utf8_valid(utf8_cases[_i].in.p,
	    utf8_cases[_i].in.n), utf8_cases[_i].valid);
	buf_init(&b, OUT_MAX);
	r = mime_to_utf8("utf-8", utf8_cases[_i].in.p, utf8_cases[_i].in.n,
	    &b);
	ck_assert_int_eq(r, utf8_cases[_i].bad);
	if (utf8_cases[_i].repaired == NULL)
		ck_bytes_eq(b.data, b.len, utf8_cases[_i].in, "repair");
	else
		ck_assert_str_eq(buf_str(&b), utf8_cases[_i].repaired);
	ck_assert(mime_utf8_valid(buf_str(&b), b.len));
	buf_free(&b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* mime_from_utf8                                                      */

static const struct {
	const char	*cs;
	const char	*in;
	struct bytes	 want;
	int		 ret;
} from_cases[] = {
	{ "utf-8", "café", B("café"), 0 },
	{ "utf8", "", B(""), 0 },
	{ "iso-8859-1", "café", B("caf\xe9"), 0 },
	{ "latin1", "€", B(""), -1 },	/* not in ISO-8859-1 */
	{ "windows-1252", "€", B("\x80"), 0 },
	{ "us-ascii", "plain", B("plain"), 0 },
	{ "us-ascii", "café", B(""), -1 },
	{ "iso-8859-15", "€", B("\xa4"), 0 },
	{ "koi8-r", "Привет", B("\xf0\xd2\xc9\xd7\xc5\xd4"), 0 },
	{ "shift_jis", "こ", B("\x82\xb1"), 0 },
	{ "iso-2022-jp", "こ", B("\x1b$B$3\x1b(B"), 0 },
	{ "gb2312", "你", B("\xc4\xe3"), 0 },
	{ "euc-kr", "안", B("\xbe\xc8"), 0 },
	{ "x-unknown", "a", B(""), -1 },
	{ "utf-8", "\xe9", B(""), -1 },	/* not UTF-8 */
	{ "iso-8859-1", "\xc3", B(""), -1 },
};

START_TEST(from_utf8_table)
{
	struct buf	b;
	int		r;

	buf_init(&b, OUT_MAX);
	ck_assert_int_eq(buf_append_str(&b, "<"), 0);
	r = mime_from_utf8(from_cases[_i].cs, from_cases[_i].in,
	    strlen(from_cases[_i].in), &b);
	ck_assert_int_eq(r, from_cases[_i].ret);
	/* On failure nothing was appended. */
	ck_assert_uint_ge(b.len, 1);
	ck_bytes_eq(b.data + 1, b.len - 1, from_cases[_i].want, "from");
	buf_free(&b);
}
END_TEST

START_TEST(from_utf8_bounded)
{
	struct buf	b;

	buf_init(&b, 3);
	ck_assert_int_eq(mime_from_utf8("iso-8859-1", "éééé", 8, &b), -1);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(mime_from_utf8("utf-8", "éééé", 8, &b), -1);
	buf_free(&b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* mime_sanitize                                                       */

static const struct {
	struct bytes	 in;
	bool		 keep;
	const char	*want;
} san_cases[] = {
	{ B("plain text"), true, "plain text" },
	{ B("café 😀 日本"), false, "café 😀 日本" },
	/* escape sequences come out as visible caret text */
	{ B("\x1b]0;pwned\x07"), false, "^[]0;pwned^G" },
	{ B("\x1b[2J"), false, "^[[2J" },
	{ B("\x1b[31mred\x1b[0m"), true, "^[[31mred^[[0m" },
	{ B("\x1bP+q\x1b\\"), true, "^[P+q^[\\" },
	{ B("a\0b"), true, "a^@b" },
	{ B("\x01\x1f"), true, "^A^_" },
	{ B("\x7f"), true, "^?" },
	{ B("\x08\x08\x08x"), true, "^H^H^Hx" },
	/* newlines, tabs, carriage returns */
	{ B("a\nb\tc"), true, "a\nb\tc" },
	{ B("a\nb\tc"), false, "a b c" },
	{ B("a\r\nb"), true, "a\nb" },
	{ B("a\r\nb"), false, "a b" },
	{ B("a\rb"), true, "a^Mb" },
	{ B("a\r"), false, "a^M" },
	{ B("\r\r\n"), true, "^M\n" },
	/* C1 controls (8-bit CSI, NEL, OSC) */
	{ B("\xc2\x9b" "31m"), true, REPL "31m" },
	{ B("\xc2\x85"), true, REPL },
	{ B("\xc2\x9d" "0;x\xc2\x9c"), true, REPL "0;x" REPL },
	{ B("\xc2\x80\xc2\x9f\xc2\xa0"), true, REPL REPL "\xc2\xa0" },
	/* raw 8-bit CSI (not UTF-8) */
	{ B("\x9b" "2J"), true, REPL "2J" },
	/* bidi embedding, override and isolate controls */
	{ B("invoice\xe2\x80\xae" "fdp.exe"), false, "invoice" REPL "fdp.exe" },
	{ B("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad"), true,
	    REPL REPL REPL REPL },
	{ B("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9"), true,
	    REPL REPL REPL REPL },
	{ B("\xe2\x80\x8f\xe2\x80\x8e"), true, "\xe2\x80\x8f\xe2\x80\x8e" },
	{ B("\xe2\x81\xa5\xe2\x81\xaa"), true, "\xe2\x81\xa5\xe2\x81\xaa" },
	/* invalid UTF-8 */
	{ B("\xc0\xaf"), true, REPL REPL },
	{ B("\xed\xa0\x80"), true, REPL REPL REPL },
	{ B("\xf4\x90\x80\x80"), true, REPL REPL REPL REPL },
	{ B("ab\xe2\x82"), true, "ab" REPL },
	{ B("\xff"), true, REPL },
};

START_TEST(sanitize_table)
{
	struct buf	b;

	buf_init(&b, OUT_MAX);
	ck_assert_int_eq(mime_sanitize(san_cases[_i].in.p, san_cases[_i].in.n,
	    san_cases[_i].keep, &b), 0);
	ck_assert_str_eq(buf_str(&b), san_cases[_i].want);
	buf_free(&b);
}
END_TEST

START_TEST(sanitize_bounded)
{
	struct buf	b;

	buf_init(&b, 4);
	ck_assert_int_eq(mime_sanitize("\x1b\x1b\x1b", 3, true, &b), -1);
	ck_assert_str_eq(buf_str(&b), "^[^[");
	buf_free(&b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* mime_decode_words                                                   */

static const struct {
	struct bytes	 in;
	const char	*fallback;
	struct bytes	 want;
} dec_cases[] = {
	/* RFC 2047 section 8 */
	{ B("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>"), NULL,
	    B("Keith Moore <moore@cs.utk.edu>") },
	{ B("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>"), NULL,
	    B("Keld Jørn Simonsen <keld@dkuug.dk>") },
	{ B("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>"), NULL,
	    B("André Pirard <PIRARD@vm1.ulg.ac.be>") },
	{ B("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n"
	    "    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?="), NULL,
	    B("If you can read this you understand the example.") },
	{ B("=?ISO-8859-1?Q?Olle_J=E4rnefors?= <ojarnef@admin.kth.se>"), NULL,
	    B("Olle Järnefors <ojarnef@admin.kth.se>") },
	{ B("Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n"
	    "    (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)"), NULL,
	    B("Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n"
	    "    (םולש ןב ילטפנ)") },
	{ B("(=?ISO-8859-1?Q?a?=)"), NULL, B("(a)") },
	{ B("(=?ISO-8859-1?Q?a?= b)"), NULL, B("(a b)") },
	{ B("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)"), NULL, B("(ab)") },
	{ B("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)"), NULL, B("(ab)") },
	{ B("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)"), NULL,
	    B("(ab)") },
	{ B("(=?ISO-8859-1?Q?a_b?=)"), NULL, B("(a b)") },
	{ B("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)"), NULL, B("(a b)") },
	{ B("Test of new header generator"), NULL,
	    B("Test of new header generator") },
	/* case of the encoding letter, the charset and the hex digits */
	{ B("=?UTF-8?B?w6k=?="), NULL, B("é") },
	{ B("=?utf-8?b?w6k=?="), NULL, B("é") },
	{ B("=?Utf-8?Q?caf=C3=A9?="), NULL, B("café") },
	{ B("=?utf-8?q?caf=c3=a9?="), NULL, B("café") },
	/* adjacent words: blanks between them dropped, text kept */
	{ B("=?utf-8?q?a?= =?utf-8?q?b?="), NULL, B("ab") },
	{ B("=?utf-8?q?a?==?utf-8?q?b?="), NULL, B("ab") },
	{ B("=?utf-8?q?a?=\t \t=?utf-8?b?Yg==?="), NULL, B("ab") },
	{ B("=?utf-8?q?a?= b =?utf-8?q?c?="), NULL, B("a b c") },
	{ B("x =?utf-8?q?a?= y"), NULL, B("x a y") },
	{ B("  =?utf-8?q?a?=  "), NULL, B("  a  ") },
	{ B("=?utf-8?q?a?= - =?utf-8?q?b?="), NULL, B("a - b") },
	/* a character split across words of the same charset */
	{ B("=?utf-8?b?4oI=?= =?utf-8?b?rA==?="), NULL, B("€") },
	{ B("=?UTF-8?Q?=E2=82?= =?utf8?Q?=AC?="), NULL, B("€") },
	{ B("=?utf-8?b?8J+Y?==?UTF-8?B?gA==?="), NULL, B("😀") },
	{ B("=?shift_jis?b?gg==?= =?sjis?b?sQ==?="), NULL, B("こ") },
	{ B("=?utf-8?b?4oI=?= =?iso-8859-1?q?x?="), NULL, B(REPL "x") },
	{ B("=?utf-8?b?4oI=?= x =?utf-8?b?rA==?="), NULL,
	    B(REPL " x " REPL) },
	/* words inside words, as mutt reads them */
	{ B("foo=?utf-8?q?bar?="), NULL, B("foobar") },
	{ B("=?utf-8?q?bar?=baz"), NULL, B("barbaz") },
	{ B("Re:=?utf-8?q?=C3=A9t=C3=A9?="), NULL, B("Re:été") },
	/* leniency */
	{ B("=?utf-8?b?w6k?="), NULL, B("é") },		/* no padding */
	{ B("=?utf-8?b?SGVsbG8?="), NULL, B("Hello") },
	{ B("=?utf-8?b?YQ==YQ==?="), NULL, B("aa") },
	{ B("=?utf-8?b?SGVs bG8=?="), NULL, B("Hello") },
	{ B("=?utf-8?q?Hello World?="), NULL, B("Hello World") },
	{ B("=?utf-8?q?what?_no?="), NULL, B("what? no") },
	{ B("=?utf-8?q?50=_off=ZZ=4?="), NULL, B("50= off=ZZ=4") },
	{ B("=?utf-8?q?a=?="), NULL, B("a=") },
	{ B("=?" "?q?caf=C3=A9?="), NULL, B("café") },	/* no charset */
	{ B("=?x-unknown?q?caf=E9?="), NULL, B("café") },
	{ B("=?x-unknown?q?caf=C3=A9?="), NULL, B("café") },
	{ B("=?utf-8*en?q?abc?="), NULL, B("abc") },
	{ B("=?utf-8*en-us?b?w6k=?="), NULL, B("é") },
	{ B("=?utf-8?q?" "?="), NULL, B("") },
	{ B("=?utf-8?q?=00?="), NULL, B("\0") },
	{ B("=?utf-8?q?=1B[2J?="), NULL, B("\x1b[2J") },
	/* charsets */
	{ B("=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?="), NULL,
	    B("こんにちは") },
	{ B("=?gb2312?B?xOO6ww==?="), NULL, B("你好") },
	{ B("=?shift_jis?B?grGC8YLJgr+CzQ==?="), NULL, B("こんにちは") },
	{ B("=?koi8-r?b?8NLJ18XU?="), NULL, B("Привет") },
	{ B("=?windows-1252?q?=80?= =?iso-8859-1?q?=80?="), NULL, B("€€") },
	{ B("=?utf-8?q?caf=E9?="), NULL, B("caf" REPL) },
	/* malformed words stay as written */
	{ B("=?utf-8?x?abc?="), NULL, B("=?utf-8?x?abc?=") },
	{ B("=?utf-8?bq?abc?="), NULL, B("=?utf-8?bq?abc?=") },
	{ B("=?utf-8?b?!!!?="), NULL, B("=?utf-8?b?!!!?=") },
	{ B("=?utf-8?b?Y?="), NULL, B("=?utf-8?b?Y?=") },
	{ B("=?utf-8?b?w6k=\x01?="), NULL, B("=?utf-8?b?w6k=\x01?=") },
	{ B("=?utf-8?q?abc"), NULL, B("=?utf-8?q?abc") },
	{ B("=?utf-8?q?abc?"), NULL, B("=?utf-8?q?abc?") },
	{ B("=?utf-8?q?"), NULL, B("=?utf-8?q?") },
	{ B("=?utf-8?"), NULL, B("=?utf-8?") },
	{ B("=?"), NULL, B("=?") },
	{ B("=?="), NULL, B("=?=") },
	{ B("=?utf 8?q?a?="), NULL, B("=?utf 8?q?a?=") },
	{ B("=?utf-8?q?a\xe9?="), NULL, B("=?utf-8?q?a" "é" "?=") },
	{ B("=?utf-8?q?abc =?utf-8?q?def?="), NULL,
	    B("=?utf-8?q?abc def") },
	{ B("=?utf-8?b?!!!?= =?utf-8?q?a?="), NULL,
	    B("=?utf-8?b?!!!?= a") },
	{ B("=?utf-8?q?a?= =?utf-8?x?b?="), NULL, B("a =?utf-8?x?b?=") },
	/* raw 8-bit text */
	{ B("café =?utf-8?q?x?="), NULL, B("café x") },
	{ B("caf\xe9 =?utf-8?q?x?="), NULL, B("café x") },
	{ B("caf\xe9"), "iso-8859-15", B("café") },
	{ B("\xa4"), "iso-8859-15", B("€") },
	{ B("\xf0\xd2\xc9\xd7\xc5\xd4"), "koi8-r", B("Привет") },
	{ B("\xf0\xd2\xc9\xd7\xc5\xd4"), NULL, B("ðÒÉ×ÅÔ") },
	{ B("caf\xc3\xa9"), "koi8-r", B("café") },
	/* raw ISO-2022-JP in a header */
	{ B("Re: \x1b$B$3$s$K$A$O\x1b(B =?utf-8?q?x?="), NULL,
	    B("Re: こんにちは x") },
	{ B("\x1b$@$3\x1b(J"), NULL, B("こ") },
	{ B("\x1b$B$3\x1b(B \x1b[2J"), NULL, B("こ \x1b[2J") },
	{ B("\x1b[2J"), NULL, B("\x1b[2J") },
	/* NUL bytes are bytes */
	{ B("a\0=?utf-8?q?b?=\0"), NULL, B("a\0b\0") },
};

START_TEST(decode_table)
{
	struct buf	b;

	buf_init(&b, OUT_MAX);
	ck_assert_int_eq(mime_decode_words(dec_cases[_i].in.p,
	    dec_cases[_i].in.n, dec_cases[_i].fallback, &b), 0);
	ck_bytes_eq(b.data, b.len, dec_cases[_i].want, "decode");
	ck_assert(mime_utf8_valid(buf_str(&b), b.len));
	buf_free(&b);
}
END_TEST

START_TEST(decode_bounded)
{
	static const char	in[] = "=?utf-8?q?abcdef?= ghi";
	struct buf		b;

	buf_init(&b, 4);
	ck_assert_int_eq(mime_decode_words(in, sizeof(in) - 1, NULL, &b), -1);
	ck_assert_uint_le(b.len, 4);
	buf_free(&b);
	buf_init(&b, 9);
	ck_assert_int_eq(mime_decode_words(in, sizeof(in) - 1, NULL, &b), -1);
	buf_free(&b);
	buf_init(&b, 10);
	ck_assert_int_eq(mime_decode_words(in, sizeof(in) - 1, NULL, &b), 0);
	ck_assert_str_eq(buf_str(&b), "abcdef ghi");
	buf_free(&b);
}
END_TEST

/* 1000 adjacent words, and 1000 words each holding half a character. */
START_TEST(decode_many_words)
{
	struct buf	in, out, want;
	int		i;

	buf_init(&in, OUT_MAX);
	buf_init(&out, OUT_MAX);
	buf_init(&want, OUT_MAX);
	for (i = 0; i < 1000; i++) {
		ck_assert_int_eq(buf_printf(&in, "=?utf-8?q?%c?= ",
		    'a' + i % 26), 0);
		ck_assert_int_eq(buf_append_byte(&want,
		    (unsigned char)('a' + i % 26)), 0);
	}
	ck_assert_int_eq(mime_decode_words(in.data, in.len, NULL, &out), 0);
	/* the blank after the last word is not between two words */
	ck_assert_int_eq(buf_append_byte(&want, ' '), 0);
	ck_assert_str_eq(buf_str(&out), buf_str(&want));
	buf_reset(&in);
	buf_reset(&out);
	buf_reset(&want);
	for (i = 0; i < 1000; i++) {
		ck_assert_int_eq(buf_append_str(&in, i % 2 ?
		    "=?UTF-8?B?qQ==?=\r\n " : "=?utf-8?Q?=C3?= "), 0);
		if (i % 2)
			ck_assert_int_eq(buf_append_str(&want, "é"), 0);
	}
	ck_assert_int_eq(mime_decode_words(in.data, in.len, NULL, &out), 0);
	ck_assert_int_eq(buf_append_str(&want, "\r\n "), 0);
	ck_assert_str_eq(buf_str(&out), buf_str(&want));
	buf_free(&in);
	buf_free(&out);
	buf_free(&want);
}
END_TEST

/* One word of 100 000 characters, valid and unterminated. */
START_TEST(decode_long_word)
{
	struct buf	in, out;
	size_t		i;

	buf_init(&in, OUT_MAX);
	buf_init(&out, OUT_MAX);
	ck_assert_int_eq(buf_append_str(&in, "=?utf-8?b?"), 0);
	for (i = 0; i < 12500; i++)
		ck_assert_int_eq(buf_append_str(&in, "w6nDqcOp"), 0);
	ck_assert_int_eq(buf_append_str(&in, "?="), 0);
	ck_assert_int_eq(mime_decode_words(in.data, in.len, NULL, &out), 0);
	ck_assert_uint_eq(out.len, 75000);
	for (i = 0; i < out.len; i += 2)
		ck_assert(memcmp(out.data + i, "é", 2) == 0);
	/* cut off before its end: stays as written */
	buf_reset(&out);
	ck_assert_int_eq(mime_decode_words(in.data, in.len - 2, NULL, &out),
	    0);
	ck_assert_uint_eq(out.len, in.len - 2);
	ck_assert(memcmp(out.data, in.data, out.len) == 0);
	buf_free(&in);
	buf_free(&out);
}
END_TEST

/* ------------------------------------------------------------------ */
/* mime_header_text                                                    */

static const struct {
	struct bytes	 in;
	const char	*fallback;
	const char	*want;
} text_cases[] = {
	{ B("Hello\r\n world"), NULL, "Hello world" },
	{ B("Hello\n\tworld"), NULL, "Hello world" },
	{ B("  a \t  b  "), NULL, "a b" },
	{ B("=?utf-8?q?a?=\r\n =?utf-8?q?b?="), NULL, "ab" },
	{ B("Re: =?ISO-8859-1?Q?Andr=E9?=\r\n\tPirard"), NULL,
	    "Re: André Pirard" },
	{ B("=?utf-8?q?_a__b_?="), NULL, "a b" },
	{ B("=?utf-8?q?=09tab?="), NULL, "tab" },
	/* terminal escapes in a subject, raw or encoded */
	{ B("\x1b]0;pwned\x07 Subject"), NULL, "^[]0;pwned^G Subject" },
	{ B("=?utf-8?q?=1B]0;pwned=07?="), NULL, "^[]0;pwned^G" },
	{ B("=?utf-8?q?=1B[2J?="), NULL, "^[[2J" },
	{ B("=?utf-8?b?G1sySg==?="), NULL, "^[[2J" },
	{ B("\x1b[2J"), NULL, "^[[2J" },
	{ B("\x1b$B$3$s\x1b(B \x1b]0;x\x07"), NULL, "こん ^[]0;x^G" },
	{ B("=?utf-8?q?a=0D=0Ab?="), NULL, "a b" },
	{ B("=?utf-8?q?a=0Db?="), NULL, "a^Mb" },
	{ B("a\rb"), NULL, "a^Mb" },
	{ B("a\0b"), NULL, "a^@b" },
	{ B("=?utf-8?q?a=00b?="), NULL, "a^@b" },
	/* C1 and bidi controls */
	{ B("=?utf-8?q?=C2=9B31m?="), NULL, REPL "31m" },
	{ B("\x9b" "31m"), NULL, "›31m" },	/* windows-1252 0x9B */
	{ B("=?utf-8?b?4oCuZmRwLmV4ZQ==?="), NULL, REPL "fdp.exe" },
	{ B("invoice\xe2\x80\xae" "fdp.exe"), NULL, "invoice" REPL "fdp.exe" },
	/* raw 8-bit text */
	{ B("caf\xe9"), NULL, "café" },
	{ B("Subject with \x80 sign"), NULL, "Subject with € sign" },
	{ B("\xf0\xd2\xc9\xd7\xc5\xd4"), "koi8-r", "Привет" },
	{ B("caf\xc3\xa9"), "koi8-r", "café" },
	{ B("\xff\xfe"), "utf-8", REPL REPL },
};

START_TEST(header_text_table)
{
	char	*got;

	got = mime_header_text(text_cases[_i].in.p, text_cases[_i].in.n,
	    text_cases[_i].fallback);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, text_cases[_i].want);
	free(got);
}
END_TEST

/* ------------------------------------------------------------------ */
/* mime_encode_words                                                   */

static const struct {
	const char	*in;
	bool		 phrase;
	const char	*want;
} enc_cases[] = {
	{ "", false, "" },
	{ "é", false, "=?UTF-8?B?w6k=?=" },
	{ "café", false, "=?UTF-8?B?Y2Fmw6k=?=" },	/* B is shorter */
	{ "Réunion", false, "=?UTF-8?Q?R=C3=A9union?=" },	/* a tie: Q */
	{ "Re: Ça va", false, "Re: =?UTF-8?B?w4dh?= va" },
	{ "a=?b", false, "=?UTF-8?Q?a=3D=3Fb?=" },
	{ "tab\there", false, "=?UTF-8?Q?tab=09here?=" },
	{ "x  é  y", false, "x  =?UTF-8?B?w6k=?=  y" },
	{ "Jürgen Müller", true, "=?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?=" },
	{ "Smith, John (Sales) é", false,
	    "Smith, John (Sales) =?UTF-8?B?w6k=?=" },
	{ "Smith, John (Sales) é", true,
	    "=?UTF-8?Q?Smith=2C_John_=28Sales=29_=C3=A9?=" },
	{ "caf\xe9", false, "=?UTF-8?B?Y2Fm77+9?=" },	/* U+FFFD */
};

START_TEST(encode_table)
{
	char	*got = mime_encode_words(enc_cases[_i].in,
	    enc_cases[_i].phrase);

	ck_assert_str_eq(got, enc_cases[_i].want);
	free(got);
}
END_TEST

static const char *const plain_cases[] = {
	"Hello, world!",
	"Re: [list] Meeting at 10:30 (room \"B\") <x@y> ; = ? _ ~",
	"  two  spaces  ",
	"?= and = ? and ?=",	/* no "=?" */
	"a=b?c",
	"~!@#$%^&*()_+`-={}|[]\\:\";'<>?,./",
};

START_TEST(encode_plain_untouched)
{
	char	*got;

	got = mime_encode_words(plain_cases[_i], false);
	ck_assert_str_eq(got, plain_cases[_i]);
	free(got);
	got = mime_encode_words(plain_cases[_i], true);
	ck_assert_str_eq(got, plain_cases[_i]);
	free(got);
}
END_TEST

/*
 * Check an encoding: printable ASCII only, every encoded word at most 75
 * characters, in a phrase only RFC 2047 section 5(3) characters in Q
 * words, and decoding gives the input back.
 */
static void
check_encoding(const char *in, bool phrase)
{
	struct buf	 b;
	char		*enc = mime_encode_words(in, phrase);
	const char	*p, *e;
	size_t		 i;

	for (i = 0; enc[i] != '\0'; i++)
		ck_assert_msg(enc[i] >= ' ' && enc[i] < 0x7f,
		    "not printable ASCII: %s", enc);
	for (p = enc; *p != '\0'; p = *e == '\0' ? e : e + 1) {
		e = strchr(p, ' ');
		if (e == NULL)
			e = p + strlen(p);
		if (strncmp(p, "=?", 2) != 0)
			continue;
		ck_assert_msg(e - p <= 75, "word of %d chars in %s",
		    (int)(e - p), enc);
		ck_assert_msg(strncmp(p, "=?UTF-8?Q?", 10) == 0 ||
		    strncmp(p, "=?UTF-8?B?", 10) == 0, "bad word in %s", enc);
		if (!phrase || p[8] != 'Q')
			continue;
		for (i = 10; p + i < e - 2; i++)
			ck_assert_msg(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789!*+-/=_",
			    p[i]) != NULL, "'%c' in a phrase: %s", p[i], enc);
	}
	buf_init(&b, OUT_MAX);
	ck_assert_int_eq(mime_decode_words(enc, strlen(enc), NULL, &b), 0);
	ck_assert_msg(strcmp(buf_str(&b), in) == 0,
	    "round trip: \"%s\" -> \"%s\" -> \"%s\"", in, enc, buf_str(&b));
	buf_free(&b);
	free(enc);
}

static const char *const trip_cases[] = {
	"plain ASCII stays as it is",
	"Café crème à la française, s'il vous plaît",
	"Grüße aus Köln – Straße №5 ½ € ™",
	"日本語の件名はエンコードされます。漢字とかなとカナ",
	"中文邮件主题测试：你好，世界！",
	"한국어 제목 테스트입니다",
	"Привет, как дела? Всё хорошо.",
	"שלום עולם مرحبا بالعالم",
	"emoji 😀🎉👍🏽 family 👨‍👩‍👧 flags 🇫🇷🇯🇵",
	"=?utf-8?q?not_a_word?= but text that looks like one",
	"under_score = equal ? question",
	"  leading and trailing é  ",
	"tabs\tand\nnewlines\r\nhere é",
	"a\xcc\x81 combining e\xcc\x81",
	"ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé"
	    "ééééééééééééééééééééééééééééééééééééééééééééé",
	"😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀",
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxé",
	"Dupont, Jérôme \"JJ\" (Sales) <not an address>",
};

START_TEST(encode_round_trip)
{
	check_encoding(trip_cases[_i], false);
	check_encoding(trip_cases[_i], true);
}
END_TEST

/* Random-ish strings from a pool of pieces, the same on every run. */
START_TEST(encode_round_trip_random)
{
	static const char *const pool[] = {
		"a", "Z", "0", " ", "  ", "=", "?", "_", "=?", "?=", "\t",
		"é", "ç", "ß", "€", "漢", "字", "か", "한", "😀", "🎉",
		"\xcc\x81", ",", "(", "\"", "\\", ".", "\n", "\r\n", "-",
		"word", "x@y", "<", ">", ";", ":", "\xf4\x8f\xbf\xbf",
	};
	char		 s[1024];
	uint32_t	 seed = (uint32_t)_i * 2654435761u + 1;
	size_t		 len = 0, n, k;

	n = 1 + (size_t)_i % 120;
	while (n-- > 0) {
		const char	*piece;

		seed = seed * 1103515245u + 12345u;
		piece = pool[(seed >> 16) % NITEMS(pool)];
		k = strlen(piece);
		if (len + k >= sizeof(s))
			break;
		memcpy(s + len, piece, k);
		len += k;
	}
	s[len] = '\0';
	check_encoding(s, false);
	check_encoding(s, true);
}
END_TEST

/* ------------------------------------------------------------------ */

Suite *
mime_text_suite(void)
{
	Suite	*s = suite_create("mime_text");
	TCase	*tc;

	tc = tcase_create("null_and_empty");
	tcase_add_test(tc, null_and_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("charset_canonical");
	tcase_add_loop_test(tc, canonical_table, 0, NITEMS(canon_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("to_utf8");
	tcase_add_loop_test(tc, to_utf8_table, 0, NITEMS(conv_cases));
	tcase_add_loop_test(tc, to_utf8_garbage, 0, 21);
	tcase_add_loop_test(tc, to_utf8_bounded, 0, 4);
	suite_add_tcase(s, tc);

	tc = tcase_create("utf8_valid");
	tcase_add_loop_test(tc, utf8_table, 0, NITEMS(utf8_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("from_utf8");
	tcase_add_loop_test(tc, from_utf8_table, 0, NITEMS(from_cases));
	tcase_add_test(tc, from_utf8_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("sanitize");
	tcase_add_loop_test(tc, sanitize_table, 0, NITEMS(san_cases));
	tcase_add_test(tc, sanitize_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("decode_words");
	tcase_add_loop_test(tc, decode_table, 0, NITEMS(dec_cases));
	tcase_add_test(tc, decode_bounded);
	tcase_add_test(tc, decode_many_words);
	tcase_add_test(tc, decode_long_word);
	suite_add_tcase(s, tc);

	tc = tcase_create("header_text");
	tcase_add_loop_test(tc, header_text_table, 0, NITEMS(text_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("encode_words");
	tcase_add_loop_test(tc, encode_table, 0, NITEMS(enc_cases));
	tcase_add_loop_test(tc, encode_plain_untouched, 0,
	    NITEMS(plain_cases));
	tcase_add_loop_test(tc, encode_round_trip, 0, NITEMS(trip_cases));
	tcase_add_loop_test(tc, encode_round_trip_random, 0, 300);
	suite_add_tcase(s, tc);
	return s;
}
