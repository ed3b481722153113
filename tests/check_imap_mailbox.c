/*
 * check_imap_mailbox.c: unit tests of mailbox names (include/imap.h,
 * src/proto/imap_mailbox.c): modified UTF-7 (RFC 3501 5.1.3) against the
 * RFC's examples, every spelling the decoder must refuse, round trips of
 * generated names and of every code point; the mapping to local folder
 * names, hostile names first.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "bounds.h"
#include "imap.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* The limits src/proto/imap_mailbox.c enforces. */
#define NAME_MAX_BYTES	BOUND_MAILBOX_NAME
#define DEPTH_MAX	BOUND_MAILBOX_DEPTH
#define LEVEL_MAX	BOUND_MAILBOX_LEVEL

/* Deterministic pseudo-random numbers (xorshift32): same data each run. */
static uint32_t
rnd(uint32_t *state)
{
	uint32_t	x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

/* Write cp as UTF-8 at out (room for 4); the number of bytes. */
static size_t
put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Every byte of s is printable ASCII (what goes on the wire). */
static bool
all_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* s decodes to want, and want encodes back to exactly s. */
static void
check_pair(const char *mutf7, const char *utf8)
{
	char	*dec, *enc;

	dec = imap_mutf7_decode(mutf7, strlen(mutf7));
	ck_assert_msg(dec != NULL, "decode refused \"%s\"", mutf7);
	ck_assert_str_eq(dec, utf8);
	enc = imap_mutf7_encode(utf8);
	ck_assert_msg(enc != NULL, "encode refused the decoding of \"%s\"",
	    mutf7);
	ck_assert_str_eq(enc, mutf7);
	free(dec);
	free(enc);
}

START_TEST(null_and_empty)
{
	char	*s, why[64];

	ck_assert_ptr_null(imap_mutf7_decode(NULL, 0));
	ck_assert_ptr_null(imap_mutf7_decode(NULL, 5));
	ck_assert_ptr_null(imap_mutf7_encode(NULL));
	s = imap_mutf7_decode("", 0);
	ck_assert_str_eq(s, "");
	free(s);
	s = imap_mutf7_decode("INBOX", 0);
	ck_assert_str_eq(s, "");
	free(s);
	s = imap_mutf7_encode("");
	ck_assert_str_eq(s, "");
	free(s);

	ck_assert_ptr_null(imap_mailbox_to_folder(NULL, '/', why,
	    sizeof(why)));
	ck_assert_str_eq(why, "empty mailbox name");
	ck_assert_ptr_null(imap_mailbox_to_folder("", '/', why, sizeof(why)));
	ck_assert_str_eq(why, "empty mailbox name");
	ck_assert_ptr_null(imap_mailbox_to_folder("", 0, NULL, 0));
	ck_assert_ptr_null(imap_folder_to_mailbox(NULL, '/'));
	ck_assert_ptr_null(imap_folder_to_mailbox("", '/'));
	ck_assert_ptr_null(imap_folder_to_mailbox("", 0));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Modified UTF-7: valid names, both ways                              */

static const struct {
	const char	*mutf7, *utf8;
} pair_cases[] = {
	{ "INBOX", "INBOX" },
	{ "Sent Items", "Sent Items" },
	{ "[Gmail]/All Mail", "[Gmail]/All Mail" },
	{ "~!\"#$%'()*+,-./:;<=>?@[\\]^_`{|}",
	    "~!\"#$%'()*+,-./:;<=>?@[\\]^_`{|}" },
	{ "-", "-" },
	/* "&" is "&-", and only that. */
	{ "&-", "&" },
	{ "&-&-", "&&" },
	{ "Tom &- Jerry", "Tom & Jerry" },
	/* RFC 3501 5.1.3's example. */
	{ "~peter/mail/&U,BTFw-/&ZeVnLIqe-", "~peter/mail/台北/日本語" },
	/* RFC 2152's smiley, then a character right after the run. */
	{ "&Jjo-!", "☺!" },
	{ "Entw&APw-rfe", "Entwürfe" },
	{ "&AOk-t&AOk-", "été" },
	{ "&AOkA6QDp-", "ééé" },
	{ "&AOo-", "ê" },
	{ "&AOk--", "é-" },
	{ "&AOk-&-", "é&" },
	{ "&-&AOk-", "&é" },
	{ "&AKM-100", "£100" },
	{ "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-", "Отправленные" },
	{ "&kAFP4W4IMH8w4TD8MOs-", "送信済みメール" },
	/* The edges: the first non-ASCII code point (a C1 control, which
	 * only the encoder's ASCII rule is about), the last of the BMP,
	 * the first and the last pairs of surrogates. */
	{ "&AIA-", "\xc2\x80" },
	{ "&,,0-", "\xef\xbf\xbd" },
	{ "&,,8-", "\xef\xbf\xbf" },
	{ "&2ADcAA-", "\xf0\x90\x80\x80" },
	{ "&2,,f,w-", "\xf4\x8f\xbf\xbf" },
	/* Astral characters need surrogate pairs, alone or mixed. */
	{ "&2D3eAA-", "😀" },
	{ "a&2D3eANg93gE-b", "a😀😁b" },
	{ "&2D3eAADp-", "😀é" },
	{ "&AOnYPd4A-", "é😀" },
	{ "&2D3eANg93gHYPd4C-", "😀😁😂" },
};

START_TEST(pair_table)
{
	check_pair(pair_cases[_i].mutf7, pair_cases[_i].utf8);
}
END_TEST

/* Only len bytes are read: no NUL needed, and a NUL inside is refused. */
START_TEST(decode_length)
{
	char	*s;

	s = imap_mutf7_decode("INBOXjunk", 5);
	ck_assert_str_eq(s, "INBOX");
	free(s);
	s = imap_mutf7_decode("&AOk-&AOk-", 5);
	ck_assert_str_eq(s, "é");
	free(s);
	s = imap_mutf7_decode("&-X", 2);
	ck_assert_str_eq(s, "&");
	free(s);
	/* Cut inside a run: unterminated. */
	ck_assert_ptr_null(imap_mutf7_decode("&AOk-", 4));
	ck_assert_ptr_null(imap_mutf7_decode("&-", 1));
	ck_assert_ptr_null(imap_mutf7_decode("a\0b", 3));
	ck_assert_ptr_null(imap_mutf7_decode("&AOk-\0", 6));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Modified UTF-7: what the decoder refuses                            */

static const struct {
	const char	*in;
	const char	*what;
} dec_bad_cases[] = {
	/* Bytes that are not printable US-ASCII. */
	{ "a\tb", "control byte" },
	{ "a\nb", "LF" },
	{ "\x7f", "DEL" },
	{ "\x80", "8-bit byte" },
	{ "Entwürfe", "raw UTF-8" },
	{ "\xff", "0xff" },
	/* Unterminated shifts. */
	{ "&", "lone &" },
	{ "abc&", "& at the end" },
	{ "&AOk", "run without -" },
	{ "Entw&APwrfe", "run without -, letters after" },
	/* Outside the alphabet inside a shift. */
	{ "&AO!-", "!" },
	{ "&AO/-", "RFC 2152's / instead of ," },
	{ "&AOk=-", "base64 padding" },
	{ "&AO k-", "space" },
	{ "&AO&k-", "& inside" },
	{ "&AO\x80k-", "8-bit byte inside" },
	/* Leftover bits: not zero, or a whole sextet or more. */
	{ "&AOl-", "non-zero 2 padding bits" },
	{ "&AOn-", "non-zero 2 padding bits (other)" },
	{ "&2D3eAB-", "non-zero 4 padding bits" },
	{ "&AOkA-", "a whole sextet past the padding" },
	{ "&AOkAA-", "two sextets past the padding" },
	{ "&A-", "6 bits, no unit" },
	{ "&AA-", "12 bits, no unit" },
	/* Broken UTF-16. */
	{ "&2D0-", "high surrogate alone" },
	{ "&3gA-", "low surrogate alone" },
	{ "&3gDYPQ-", "low then high" },
	{ "&2D3YPQ-", "high then high" },
	{ "&2D0A6Q-", "high then a BMP character" },
	{ "&2D0-&3gA-", "a pair split across runs" },
	{ "&2D3eANg9-", "pair then a lone high" },
	/* ASCII inside a run: printable must stand for itself, controls
	 * and NUL are never in a name. */
	{ "&AGE-", "a" },
	{ "&ACY-", "& spelled in base64" },
	{ "&AC0-", "- spelled in base64" },
	{ "&ACA-", "space" },
	{ "&AH4-", "~" },
	{ "&AOkAYQ-", "é then a in one run" },
	{ "&AGEA6Q-", "a then é in one run" },
	{ "&AAA-", "NUL" },
	{ "x&AAA-y", "NUL inside a name" },
	{ "&AAE-", "U+0001" },
	{ "&AAo-", "LF" },
	{ "&AH8-", "DEL" },
	/* Two runs in a row must be one. */
	{ "&AOk-&AOk-", "adjacent runs" },
	{ "&AOk-&AOk-&AOk-", "three adjacent runs" },
	{ "&2D3eAA-&2D3eAQ-", "adjacent astral runs" },
};

START_TEST(decode_bad_table)
{
	const char	*in = dec_bad_cases[_i].in;
	char		*s;

	s = imap_mutf7_decode(in, strlen(in));
	ck_assert_msg(s == NULL, "accepted %s: \"%s\" as \"%s\"",
	    dec_bad_cases[_i].what, in, s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Modified UTF-7: what the encoder refuses                            */

static const struct {
	const char	*in;
	const char	*what;
} enc_bad_cases[] = {
	/* Invalid UTF-8 (RFC 3629). */
	{ "\x80", "lone continuation byte" },
	{ "a\xbf", "continuation after ASCII" },
	{ "\xc3", "cut short at the end" },
	{ "\xc3(", "bad continuation" },
	{ "\xe6\x97", "3-byte sequence cut short" },
	{ "\xf0\x9f\x98", "4-byte sequence cut short" },
	{ "\xc0\xaf", "overlong /" },
	{ "\xc1\xbf", "overlong DEL" },
	{ "\xc0\x80", "overlong NUL" },
	{ "\xe0\x80\xaf", "3-byte overlong" },
	{ "\xe0\x9f\xbf", "3-byte overlong (top)" },
	{ "\xf0\x80\x80\xaf", "4-byte overlong" },
	{ "\xf0\x8f\xbf\xbf", "4-byte overlong (top)" },
	{ "\xed\xa0\x80", "surrogate U+D800" },
	{ "\xed\xbf\xbf", "surrogate U+DFFF" },
	{ "\xed\xa0\xbd\xed\xb8\x80", "CESU-8 pair" },
	{ "\xf4\x90\x80\x80", "U+110000" },
	{ "\xf5\x80\x80\x80", "lead 0xf5" },
	{ "\xf8\x88\x80\x80\x80", "5-byte form" },
	{ "\xfe", "0xfe" },
	{ "\xff", "0xff" },
	{ "été\xff", "bad byte after good ones" },
	/* Controls. */
	{ "\x01", "U+0001" },
	{ "a\nb", "LF" },
	{ "a\r\nb", "CRLF" },
	{ "\t", "tab" },
	{ "\x1b[31m", "escape sequence" },
	{ "\x7f", "DEL" },
	{ "é\x7f", "DEL after a run" },
};

START_TEST(encode_bad_table)
{
	char	*s = imap_mutf7_encode(enc_bad_cases[_i].in);

	ck_assert_msg(s == NULL, "accepted %s as \"%s\"",
	    enc_bad_cases[_i].what, s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Modified UTF-7: round trips                                         */

/* A random scalar value: ASCII (with "&" and "-" often), then 2, 3 and
 * 4-byte UTF-8, never a surrogate. */
static uint32_t
random_cp(uint32_t *seed)
{
	uint32_t	r = rnd(seed), cp;

	switch (r % 6) {
	case 0:
		return "&-"[r >> 8 & 1];
	case 1:
		return 0x20 + (r >> 8) % 0x5f;
	case 2:
		return 0x80 + (r >> 8) % 0x780;
	case 3:
		cp = 0x800 + (r >> 8) % 0xf800;
		return cp >= 0xd800 && cp <= 0xdfff ? cp + 0x800 : cp;
	default:
		return 0x10000 + (r >> 8) % 0x100000;
	}
}

START_TEST(roundtrip_random)
{
	uint32_t	 seed = 0x2545f491u;
	char		 s[4 * 40 + 1], *enc, *dec, *again;
	size_t		 n, k, len;
	int		 i;

	for (i = 0; i < 3000; i++) {
		len = 0;
		n = rnd(&seed) % 40;
		for (k = 0; k < n; k++)
			len += put_utf8(s + len, random_cp(&seed));
		s[len] = '\0';
		enc = imap_mutf7_encode(s);
		ck_assert_msg(enc != NULL, "encode refused case %d", i);
		ck_assert(all_printable(enc));
		dec = imap_mutf7_decode(enc, strlen(enc));
		ck_assert_msg(dec != NULL, "decode refused \"%s\"", enc);
		ck_assert_str_eq(dec, s);
		again = imap_mutf7_encode(dec);
		ck_assert_str_eq(again, enc);
		free(enc);
		free(dec);
		free(again);
	}
}
END_TEST

/* Long runs: BMP, astral, and every run length modulo 3 units. A run of
 * 3-byte characters decodes to 9/8 of its length, the decoder's worst
 * case for its output buffer. */
START_TEST(roundtrip_long)
{
	static const uint32_t	 cps[] = { 0xe9, 0x65e5, 0x1f600 };
	char			 s[4 * 600 + 2], *enc, *dec;
	size_t			 n, k, len, c;

	for (c = 0; c < NITEMS(cps); c++) {
		for (n = 1; n <= 600; n += (n < 12 ? 1 : 97)) {
			len = 0;
			for (k = 0; k < n; k++)
				len += put_utf8(s + len, cps[c]);
			s[len] = '\0';
			enc = imap_mutf7_encode(s);
			ck_assert_ptr_nonnull(enc);
			/* One run: "&", 16 bits per unit rounded up to
			 * sextets, "-". */
			k = (cps[c] >= 0x10000 ? 2 : 1) * n;
			ck_assert_uint_eq(strlen(enc), 2 + (16 * k + 5) / 6);
			ck_assert_int_eq(enc[0], '&');
			ck_assert_ptr_null(strchr(enc + 1, '&'));
			dec = imap_mutf7_decode(enc, strlen(enc));
			ck_assert_str_eq(dec, s);
			free(enc);
			free(dec);
		}
	}
}
END_TEST

/* Every scalar value from U+0080 on, alone and between two letters. */
START_TEST(roundtrip_every_code_point)
{
	char		 s[8], *enc, *dec;
	uint32_t	 cp;
	size_t		 n;

	for (cp = 0x80; cp <= 0x10ffff; cp++) {
		if (cp == 0xd800)
			cp = 0xe000;
		/* The astral planes in steps, all of their edges kept. */
		if (cp > 0x10100 && (cp & 0x3ff) != 0 &&
		    (cp & 0x3ff) != 0x3ff && cp % 61 != 0)
			continue;
		s[0] = 'a';
		n = 1 + put_utf8(s + 1, cp);
		s[n] = 'z';
		s[n + 1] = '\0';
		enc = imap_mutf7_encode(s);
		ck_assert_msg(enc != NULL, "U+%04X refused", (unsigned)cp);
		ck_assert(all_printable(enc));
		dec = imap_mutf7_decode(enc, strlen(enc));
		ck_assert_msg(dec != NULL && strcmp(dec, s) == 0,
		    "U+%04X: \"%s\" did not come back", (unsigned)cp, enc);
		free(enc);
		free(dec);
	}
}
END_TEST

/*
 * Every run of 3 base64 characters (18 bits: one unit, 2 padding bits):
 * exactly one spelling of each unit that is neither ASCII nor a
 * surrogate decodes, 65536 - 128 - 2048 of them, and encodes back to
 * itself. Runs of 1 or 2 characters hold no whole unit.
 */
START_TEST(canonical_short_runs)
{
	static const char	 alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
	char			 in[8], *dec, *enc;
	int			 a, b, c, ok = 0;

	for (a = 0; a < 64; a++) {
		for (b = 0; b < 64; b++) {
			snprintf(in, sizeof(in), "&%c%c-", alpha[a], alpha[b]);
			ck_assert_ptr_null(imap_mutf7_decode(in, 4));
			for (c = 0; c < 64; c++) {
				snprintf(in, sizeof(in), "&%c%c%c-", alpha[a],
				    alpha[b], alpha[c]);
				dec = imap_mutf7_decode(in, 5);
				if (dec == NULL)
					continue;
				ok++;
				enc = imap_mutf7_encode(dec);
				ck_assert_str_eq(enc, in);
				free(enc);
				free(dec);
			}
		}
		snprintf(in, sizeof(in), "&%c-", alpha[a]);
		ck_assert_ptr_null(imap_mutf7_decode(in, 3));
	}
	ck_assert_int_eq(ok, 65536 - 128 - 2048);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Server names to local folders                                       */

struct folder_case {
	const char	*name;
	char		 delim;
	const char	*want;		/* NULL: refused */
	const char	*why;		/* refused: a part of the reason */
};

static const struct folder_case folder_cases[] = {
	/* INBOX in any case, whole or as the first level only. */
	{ "INBOX", '/', "INBOX", NULL },
	{ "inbox", '/', "INBOX", NULL },
	{ "InBoX", 0, "INBOX", NULL },
	{ "inbox", '.', "INBOX", NULL },
	{ "inbox/Sub", '/', "INBOX/Sub", NULL },
	{ "INBOX.Sent", '.', "INBOX/Sent", NULL },
	{ "Inbox.Sent.2024", '.', "INBOX/Sent/2024", NULL },
	{ "Archive/inbox", '/', "Archive/inbox", NULL },
	{ "inboxes", '/', "inboxes", NULL },
	{ "inbox.Sub", '/', "inbox.Sub", NULL },
	{ "inbox/Sub", 0, NULL, "\"/\" inside" },
	/* Plain hierarchies. */
	{ "Archives", '/', "Archives", NULL },
	{ "Archives/2024", '/', "Archives/2024", NULL },
	{ "Archives.2024", '.', "Archives/2024", NULL },
	{ "Archives.2024", '/', "Archives.2024", NULL },
	{ "Archives.2024", 0, "Archives.2024", NULL },
	{ "a\\b\\c", '\\', "a/b/c", NULL },
	{ "a:b", ':', "a/b", NULL },
	{ "[Gmail]/Sent Mail", '/', "[Gmail]/Sent Mail", NULL },
	{ "~peter/mail/台北/日本語", '/', "~peter/mail/台北/日本語", NULL },
	{ "Entwürfe", '.', "Entwürfe", NULL },
	{ "a..b", '/', "a..b", NULL },
	{ "a.", '/', "a.", NULL },
	{ "...x", 0, NULL, "starts with \".\"" },
	{ "current/newer/tmpfs", '/', "current/newer/tmpfs", NULL },
	{ "Tom & Jerry", '/', "Tom & Jerry", NULL },
	{ "-rf", '/', "-rf", NULL },
	/* Climbing out. */
	{ "../../etc", '/', NULL, "\"..\"" },
	{ "../../etc", '.', NULL, "empty hierarchy level" },
	{ "../../etc", 0, NULL, "starts with \".\"" },
	{ "..", '/', NULL, "\"..\"" },
	{ "..", 0, NULL, "\"..\"" },
	{ ".", '/', NULL, "\".\"" },
	{ "a/../b", '/', NULL, "\"..\"" },
	{ "a/..", '/', NULL, "\"..\"" },
	{ "a/./b", '/', NULL, "\".\"" },
	{ "/abs", '/', NULL, "empty hierarchy level" },
	{ "/etc/passwd", '.', NULL, "\"/\" inside" },
	{ "/", '/', NULL, "empty hierarchy level" },
	/* Hidden: the store's own dot files. */
	{ ".hidden", '/', NULL, "starts with \".\"" },
	{ "a/.hidden", '/', NULL, "starts with \".\"" },
	{ ".hidden", 0, NULL, "starts with \".\"" },
	{ ".hidden", '.', NULL, "empty hierarchy level" },
	{ "a..b", '.', NULL, "empty hierarchy level" },
	/* The maildir's own directories. */
	{ "cur", '/', NULL, "\"cur\" clashes" },
	{ "new", 0, NULL, "\"new\" clashes" },
	{ "tmp", '.', NULL, "\"tmp\" clashes" },
	{ "a/new", '/', NULL, "\"new\" clashes" },
	{ "INBOX.cur", '.', NULL, "\"cur\" clashes" },
	{ "Cur", '/', NULL, "\"Cur\" clashes" },
	{ "TMP", '/', NULL, "\"TMP\" clashes" },
	/* Empty levels. */
	{ "a//b", '/', NULL, "empty hierarchy level" },
	{ "a/", '/', NULL, "empty hierarchy level" },
	{ "INBOX.", '.', NULL, "empty hierarchy level" },
	{ ".", '.', NULL, "empty hierarchy level" },
	/* "/" inside a level. */
	{ "a/b", '.', NULL, "\"/\" inside" },
	{ "a/b", 0, NULL, "\"/\" inside" },
	{ "a.b/c", '.', NULL, "\"/\" inside" },
	/* Controls. */
	{ "a\nb", '/', NULL, "control character" },
	{ "a\r\n", '/', NULL, "control character" },
	{ "\n", 0, NULL, "control character" },
	{ "a\tb", '/', NULL, "control character" },
	{ "a\x1b[2Jb", '/', NULL, "control character" },
	{ "a\x7f", '/', NULL, "control character" },
	/* Backslashes. */
	{ "a\\b", '/', NULL, "backslash" },
	{ "a\\b", '.', NULL, "backslash" },
	{ "a\\b", 0, NULL, "backslash" },
	{ "..\\..\\x", '/', NULL, "backslash" },
	{ "a/b", '\\', NULL, "\"/\" inside" },
	{ "a\\..\\b", '\\', NULL, "\"..\"" },
	/* Bytes that are not UTF-8, an overlong "/" first. */
	{ "a\xc0\xaf..", '/', NULL, "not valid UTF-8" },
	{ "\xff", '/', NULL, "not valid UTF-8" },
	{ "\xed\xa0\x80", '/', NULL, "not valid UTF-8" },
	/* A delimiter that is not ASCII would split characters. */
	{ "a\xc3\xa9" "b", (char)0xc3, NULL, "delimiter" },
	{ "a\x01" "b", '\x01', NULL, "delimiter" },
};

START_TEST(folder_table)
{
	const struct folder_case	*c = &folder_cases[_i];
	char				 why[200], *got;

	memset(why, 'X', sizeof(why));
	got = imap_mailbox_to_folder(c->name, c->delim, why, sizeof(why));
	if (c->want == NULL) {
		ck_assert_msg(got == NULL, "accepted \"%s\" as \"%s\"",
		    c->name, got);
		ck_assert_ptr_nonnull(memchr(why, '\0', sizeof(why)));
		ck_assert_msg(strstr(why, c->why) != NULL,
		    "\"%s\": reason \"%s\" lacks \"%s\"", c->name, why,
		    c->why);
		/* The same refusal without a place for the reason. */
		ck_assert_ptr_null(imap_mailbox_to_folder(c->name, c->delim,
		    NULL, 0));
		return;
	}
	ck_assert_msg(got != NULL, "refused \"%s\": %s", c->name, why);
	ck_assert_str_eq(got, c->want);
	ck_assert_str_eq(why, "");
	free(got);
}
END_TEST

/* Whatever is accepted maps back to the server's name, INBOX spelled
 * "INBOX". */
START_TEST(folder_back_table)
{
	const struct folder_case	*c = &folder_cases[_i];
	char				*folder, *back;

	if (c->want == NULL)
		return;
	folder = imap_mailbox_to_folder(c->name, c->delim, NULL, 0);
	ck_assert_ptr_nonnull(folder);
	back = imap_folder_to_mailbox(folder, c->delim);
	ck_assert_ptr_nonnull(back);
	if (ascii_ncasecmp(c->name, "INBOX", 5) == 0 &&
	    (c->name[5] == '\0' || c->name[5] == c->delim)) {
		ck_assert_str_eq(back + 5, c->name + 5);
		ck_assert_mem_eq(back, "INBOX", 5);
	} else
		ck_assert_str_eq(back, c->name);
	free(folder);
	free(back);
}
END_TEST

/* A name of n bytes in levels of at most level bytes, delim '/'. */
static char *
make_name(size_t n, size_t level)
{
	char	*s = malloc(n + 1);
	size_t	 i;

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < n; i++)
		s[i] = (i + 1) % (level + 1) == 0 ? '/' : 'a' + i % 26;
	s[n] = '\0';
	return s;
}

START_TEST(folder_limits)
{
	char	 why[100], *name, *got;
	size_t	 i;

	/* 1024 bytes pass, 1025 do not. */
	name = make_name(NAME_MAX_BYTES, 200);
	got = imap_mailbox_to_folder(name, '/', why, sizeof(why));
	ck_assert_str_eq(got, name);
	free(got);
	free(name);
	name = make_name(NAME_MAX_BYTES + 1, 200);
	ck_assert_ptr_null(imap_mailbox_to_folder(name, '/', why,
	    sizeof(why)));
	ck_assert_str_eq(why, "mailbox name longer than 1024 bytes");
	free(name);

	/* A level of 255 bytes passes, 256 does not. */
	name = make_name(LEVEL_MAX, LEVEL_MAX);
	got = imap_mailbox_to_folder(name, 0, why, sizeof(why));
	ck_assert_str_eq(got, name);
	free(got);
	free(name);
	name = make_name(LEVEL_MAX + 1, LEVEL_MAX + 1);
	ck_assert_ptr_null(imap_mailbox_to_folder(name, 0, why,
	    sizeof(why)));
	ck_assert_str_eq(why, "hierarchy level longer than 255 bytes");
	free(name);

	/* 64 levels pass, 65 do not. */
	name = make_name(2 * DEPTH_MAX - 1, 1);
	got = imap_mailbox_to_folder(name, '/', why, sizeof(why));
	ck_assert_str_eq(got, name);
	for (i = 0; i < strlen(name); i++)
		name[i] = name[i] == '/' ? '.' : name[i];
	free(got);
	got = imap_mailbox_to_folder(name, '.', why, sizeof(why));
	ck_assert_uint_eq(strlen(got), 2 * DEPTH_MAX - 1);
	free(got);
	free(name);
	name = make_name(2 * DEPTH_MAX + 1, 1);
	ck_assert_ptr_null(imap_mailbox_to_folder(name, '/', why,
	    sizeof(why)));
	ck_assert_str_eq(why, "more than 64 hierarchy levels");
	free(name);
}
END_TEST

/* A huge name is refused without reading all of it first. */
START_TEST(folder_huge)
{
	size_t	 n = 16 * 1024 * 1024;
	char	*name = malloc(n + 1), why[100];

	ck_assert_ptr_nonnull(name);
	memset(name, 'a', n);
	name[n] = '\0';
	ck_assert_ptr_null(imap_mailbox_to_folder(name, '/', why,
	    sizeof(why)));
	ck_assert_str_eq(why, "mailbox name longer than 1024 bytes");
	free(name);
}
END_TEST

/* The reason is snprintf-like: cut to whylen with its NUL, nothing
 * written when whylen is 0, cleared on success. */
START_TEST(folder_why)
{
	char	 why[8], *got;

	memset(why, 'X', sizeof(why));
	ck_assert_ptr_null(imap_mailbox_to_folder("a//b", '/', why, 0));
	ck_assert_int_eq(why[0], 'X');
	ck_assert_ptr_null(imap_mailbox_to_folder("a//b", '/', why, 6));
	ck_assert_str_eq(why, "empty");
	ck_assert_int_eq(why[6], 'X');
	ck_assert_ptr_null(imap_mailbox_to_folder("a//b", '/', why, 1));
	ck_assert_str_eq(why, "");
	ck_assert_ptr_null(imap_mailbox_to_folder("cur", '/', NULL, 100));
	got = imap_mailbox_to_folder("a", '/', why, sizeof(why));
	ck_assert_str_eq(got, "a");
	ck_assert_str_eq(why, "");
	free(got);
	got = imap_mailbox_to_folder("a", '/', NULL, 0);
	ck_assert_str_eq(got, "a");
	free(got);
}
END_TEST

/* Decoded names that map: safe whatever the server sent. */
START_TEST(folder_from_wire)
{
	static const struct {
		const char	*wire, *want;
		char		 delim;
	} cases[] = {
		{ "~peter/mail/&U,BTFw-/&ZeVnLIqe-",
		    "~peter/mail/台北/日本語", '/' },
		{ "INBOX.Entw&APw-rfe", "INBOX/Entwürfe", '.' },
		{ "&AOk-t&AOk-", "été", 0 },
	};
	char	*dec, *got, *back, *enc;
	size_t	 i;

	for (i = 0; i < NITEMS(cases); i++) {
		dec = imap_mutf7_decode(cases[i].wire, strlen(cases[i].wire));
		got = imap_mailbox_to_folder(dec, cases[i].delim, NULL, 0);
		ck_assert_str_eq(got, cases[i].want);
		back = imap_folder_to_mailbox(got, cases[i].delim);
		enc = imap_mutf7_encode(back);
		ck_assert_str_eq(enc, cases[i].wire);
		free(dec);
		free(got);
		free(back);
		free(enc);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Local folders to server names                                       */

static const struct {
	const char	*folder;
	char		 delim;
	const char	*want;		/* NULL: refused */
} mailbox_cases[] = {
	{ "INBOX", '/', "INBOX" },
	{ "INBOX", '.', "INBOX" },
	{ "INBOX", 0, "INBOX" },
	{ "INBOX/Sent", '.', "INBOX.Sent" },
	{ "INBOX/Sent", '/', "INBOX/Sent" },
	{ "INBOX/Sent", 0, NULL },
	{ "Archives/2024", '.', "Archives.2024" },
	{ "Archives/2024", '/', "Archives/2024" },
	{ "Archives/2024", '\\', "Archives\\2024" },
	{ "Archives/2024", 0, NULL },
	{ "a/b/c/d", '.', "a.b.c.d" },
	{ "台北/日本語", '.', "台北.日本語" },
	{ "Sent Items", 0, "Sent Items" },
	/* A level holding the delimiter could not come back. */
	{ "a.b", '.', NULL },
	{ "x/a.b", '.', NULL },
	{ "a.b", '/', "a.b" },
	{ "a.b", 0, "a.b" },
	{ "a\\b", '\\', NULL },
	{ "a:b/c", ':', NULL },
	/* Empty levels never come from imap_mailbox_to_folder(). */
	{ "/a", '/', NULL },
	{ "a/", '.', NULL },
	{ "a//b", '.', NULL },
	{ "/", 0, NULL },
	/* Nor does a delimiter that is not ASCII. */
	{ "a/b", (char)0xc3, NULL },
};

START_TEST(mailbox_table)
{
	char	*got;

	got = imap_folder_to_mailbox(mailbox_cases[_i].folder,
	    mailbox_cases[_i].delim);
	if (mailbox_cases[_i].want == NULL) {
		ck_assert_msg(got == NULL, "\"%s\" mapped to \"%s\"",
		    mailbox_cases[_i].folder, got);
		return;
	}
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, mailbox_cases[_i].want);
	free(got);
}
END_TEST

/* A namespace prefix: away on the way in, back on the way out. */
START_TEST(namespace_prefix)
{
	static const struct {
		const char	*server, *prefix;
		char		 delim;
		const char	*folder;
	} cases[] = {
		{ "INBOX.Sent", "INBOX.", '.', "Sent" },
		{ "INBOX.Archives.2024", "INBOX.", '.', "Archives/2024" },
		{ "INBOX", "INBOX.", '.', "INBOX" },
		{ "INBOX.INBOX.x", "INBOX.", '.', "INBOX/x" },
		{ "Sent", "", '/', "Sent" },
		{ "Archives/2024", NULL, '/', "Archives/2024" },
		{ "#mh/x", "INBOX.", '/', NULL },	/* outside: as is */
	};
	char	*folder, *back, why[128];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		folder = imap_mailbox_to_folder(imap_mailbox_unprefixed(
		    cases[i].server, cases[i].prefix), cases[i].delim, why,
		    sizeof(why));
		if (cases[i].folder == NULL) {
			ck_assert_msg(folder == NULL || strcmp(folder,
			    "#mh/x") == 0, "%s", cases[i].server);
			free(folder);
			continue;
		}
		ck_assert_msg(folder != NULL, "%s: %s", cases[i].server, why);
		ck_assert_str_eq(folder, cases[i].folder);
		back = imap_folder_to_mailbox_ns(folder, cases[i].delim,
		    cases[i].prefix);
		ck_assert_str_eq(back, cases[i].server);
		free(back);
		free(folder);
	}
	/* The prefix alone is not stripped to nothing. */
	ck_assert_str_eq(imap_mailbox_unprefixed("INBOX.", "INBOX."),
	    "INBOX.");
	ck_assert_ptr_null(imap_folder_to_mailbox_ns("a.b", '.', "INBOX."));
}
END_TEST

Suite *
imap_mailbox_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("imap_mailbox");

	tc = tcase_create("args");
	tcase_add_test(tc, null_and_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("mutf7");
	tcase_add_loop_test(tc, pair_table, 0, (int)NITEMS(pair_cases));
	tcase_add_test(tc, decode_length);
	tcase_add_loop_test(tc, decode_bad_table, 0,
	    (int)NITEMS(dec_bad_cases));
	tcase_add_loop_test(tc, encode_bad_table, 0,
	    (int)NITEMS(enc_bad_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("mutf7_roundtrip");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, roundtrip_random);
	tcase_add_test(tc, roundtrip_long);
	tcase_add_test(tc, roundtrip_every_code_point);
	tcase_add_test(tc, canonical_short_runs);
	suite_add_tcase(s, tc);

	tc = tcase_create("mailbox_to_folder");
	tcase_add_loop_test(tc, folder_table, 0, (int)NITEMS(folder_cases));
	tcase_add_loop_test(tc, folder_back_table, 0,
	    (int)NITEMS(folder_cases));
	tcase_add_test(tc, folder_limits);
	tcase_add_test(tc, folder_huge);
	tcase_add_test(tc, folder_why);
	tcase_add_test(tc, folder_from_wire);
	tcase_add_test(tc, namespace_prefix);
	suite_add_tcase(s, tc);

	tc = tcase_create("folder_to_mailbox");
	tcase_add_loop_test(tc, mailbox_table, 0,
	    (int)NITEMS(mailbox_cases));
	suite_add_tcase(s, tc);

	return s;
}
