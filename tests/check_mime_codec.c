/*
 * check_mime_codec.c: unit tests of the transfer encodings (base64 and
 * quoted-printable, src/mime/codec.c), format=flowed (src/mime/flowed.c)
 * and the HTML renderer (src/mime/html.c): RFC examples, the broken input
 * real mail carries, round trips on generated data, and hostile sizes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "mime.h"

Suite	*mime_codec_suite(void);

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define BIG		(64u * 1024 * 1024)

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

/* out must hold exactly [want, want + n). */
static void
check_out(const struct buf *out, const char *want, size_t n)
{
	ck_assert_uint_eq(out->len, n);
	if (n > 0)
		ck_assert_mem_eq(buf_str(out), want, n);
}

/* The longest line of s (LF-separated), in bytes. */
static size_t
longest_line(const char *s, size_t n)
{
	size_t	i, len = 0, max = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n') {
			len = 0;
			continue;
		}
		if (++len > max)
			max = len;
	}
	return max;
}

/* ------------------------------------------------------------------ */
/* Base64                                                              */

START_TEST(null_and_empty)
{
	struct buf	b;

	buf_init(&b, 100);
	ck_assert_int_eq(mime_base64_decode(NULL, 0, &b), 0);
	ck_assert_int_eq(mime_base64_encode(NULL, 0, 76, &b), 0);
	ck_assert_int_eq(mime_base64_encode(NULL, 0, 0, &b), 0);
	ck_assert_int_eq(mime_qp_decode(NULL, 0, &b), 0);
	ck_assert_int_eq(mime_qp_encode(NULL, 0, &b), 0);
	ck_assert_int_eq(mime_flowed_decode(NULL, 0, false, &b), 0);
	ck_assert_int_eq(mime_flowed_decode(NULL, 0, true, &b), 0);
	ck_assert_int_eq(mime_flowed_encode(NULL, 0, 72, &b), 0);
	ck_assert_int_eq(mime_html_to_text(NULL, 0, &b), 0);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(mime_html_to_text("   \n\t ", 6, &b), 0);
	ck_assert_int_eq(mime_html_to_text("<p></p><br><br>", 15, &b), 0);
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
}
END_TEST

struct bin_case {
	const char	*in;
	size_t		 inlen;		/* 0: strlen(in) */
	const char	*want;
	size_t		 wantlen;	/* 0: strlen(want) */
};

static const struct bin_case b64_dec_cases[] = {
	/* RFC 4648 section 10. */
	{ "", 0, "", 0 },
	{ "Zg==", 0, "f", 0 },
	{ "Zm8=", 0, "fo", 0 },
	{ "Zm9v", 0, "foo", 0 },
	{ "Zm9vYg==", 0, "foob", 0 },
	{ "Zm9vYmE=", 0, "fooba", 0 },
	{ "Zm9vYmFy", 0, "foobar", 0 },
	/* Line breaks, blanks and junk are skipped (RFC 2045 6.8). */
	{ "Zm9v\r\nYmFy\r\n", 0, "foobar", 0 },
	{ "  Zm 9v\tYm\nFy  ", 0, "foobar", 0 },
	{ "Zm9v!!YmFy*%$#", 0, "foobar", 0 },
	{ "Zm9v\x80\xff\x01YmFy", 0, "foobar", 0 },
	{ "-_Zm9v.YmFy", 0, "foobar", 0 },
	/* Missing padding: the bytes are still there. */
	{ "Zg", 0, "f", 0 },
	{ "Zm8", 0, "fo", 0 },
	{ "Zm9vYg", 0, "foob", 0 },
	/* A lone sextet carries no byte. */
	{ "Z", 0, "", 0 },
	{ "Zm9vY", 0, "foo", 0 },
	{ "Zm9vYmFyZ", 0, "foobar", 0 },
	/* Extra or short padding. */
	{ "Zg=", 0, "f", 0 },
	{ "Zg===", 0, "f", 0 },
	{ "Zg=======\n", 0, "f", 0 },
	{ "====", 0, "", 0 },
	{ "=Zm9v", 0, "foo", 0 },
	/* '=' ends a quantum; later quanta are still read. */
	{ "Zg==Zm8=", 0, "ffo", 0 },
	{ "QQ==QkM=", 0, "ABC", 0 },
	{ "Zm9v\n====\nYmFy", 0, "foobar", 0 },
	{ "Zm=9v", 0, "f\xf6", 2 },
	{ "Z=m9v", 0, "\x9b\xdb", 2 },
	/* Binary output, NUL bytes included. */
	{ "AAAA", 0, "\0\0\0", 3 },
	{ "AP8A/w==", 0, "\0\xff\0\xff", 4 },
	{ "+/+/", 0, "\xfb\xff\xbf", 3 },
	/* Truncated in the middle of a message. */
	{ "SGVsbG8sIHdvcmxkIQ", 0, "Hello, world!", 0 },
	{ "SGVsbG8sIHdvcmxkI", 0, "Hello, world", 0 },
	{ "SGVsbG8s\nIHdvcm", 0, "Hello, wor", 0 },
};

START_TEST(base64_decode_table)
{
	const struct bin_case	*c = &b64_dec_cases[_i];
	struct buf		 b;
	size_t			 inlen = c->inlen ? c->inlen : strlen(c->in);
	size_t			 wl = c->wantlen ? c->wantlen : strlen(c->want);

	buf_init(&b, 1000);
	ck_assert_int_eq(mime_base64_decode(c->in, inlen, &b), 0);
	check_out(&b, c->want, wl);
	buf_free(&b);
}
END_TEST

static const struct {
	const char	*in;
	size_t		 line_len;
	const char	*want;
} b64_enc_cases[] = {
	{ "", 0, "" },
	{ "", 76, "" },
	{ "f", 0, "Zg==" },
	{ "fo", 0, "Zm8=" },
	{ "foo", 0, "Zm9v" },
	{ "foob", 0, "Zm9vYg==" },
	{ "fooba", 0, "Zm9vYmE=" },
	{ "foobar", 0, "Zm9vYmFy" },
	{ "foobar", 76, "Zm9vYmFy\n" },
	{ "foobar", 4, "Zm9v\nYmFy\n" },
	{ "fooba", 4, "Zm9v\nYmE=\n" },
	{ "foo", 4, "Zm9v\n" },
	{ "foobar", 8, "Zm9vYmFy\n" },
	{ "\xfb\xff\xbf", 0, "+/+/" },
	{ "Hello, world!", 12, "SGVsbG8sIHdv\ncmxkIQ==\n" },
};

START_TEST(base64_encode_table)
{
	struct buf	b;

	buf_init(&b, 1000);
	ck_assert_int_eq(mime_base64_encode(b64_enc_cases[_i].in,
	    strlen(b64_enc_cases[_i].in), b64_enc_cases[_i].line_len, &b), 0);
	ck_assert_str_eq(buf_str(&b), b64_enc_cases[_i].want);
	buf_free(&b);
}
END_TEST

/* Random binary data of every length up to 300, at several line lengths:
 * lines are full except the last, the alphabet only, and decode gives
 * the data back. */
static const size_t	b64_line_lens[] = { 0, 4, 8, 64, 76 };

START_TEST(base64_roundtrip)
{
	size_t		 line_len = b64_line_lens[_i], n, i, j, lines;
	uint32_t	 seed = 0x9e3779b9u + (uint32_t)_i;
	char		 data[300];
	struct buf	 enc, dec;
	const char	*e;
	bool		 ok;

	buf_init(&enc, 4096);
	buf_init(&dec, 4096);
	for (n = 0; n <= sizeof(data); n++) {
		for (i = 0; i < n; i++)
			data[i] = (char)(rnd(&seed) & 0xff);
		buf_reset(&enc);
		buf_reset(&dec);
		ck_assert_int_eq(mime_base64_encode(data, n, line_len, &enc),
		    0);
		e = buf_str(&enc);
		lines = 0;
		ok = true;
		for (i = 0, j = 0; i < enc.len; i++) {
			if (e[i] == '\n') {
				ok = ok && (j == line_len || i + 1 == enc.len);
				lines++;
				j = 0;
				continue;
			}
			ok = ok && strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"
			    "ghijklmnopqrstuvwxyz0123456789+/=", e[i]) != NULL;
			j++;
		}
		ck_assert_msg(ok, "bad encoding of %zu bytes: %s", n, e);
		ck_assert_uint_eq(enc.len - lines, (n + 2) / 3 * 4);
		if (line_len == 0)
			ck_assert_uint_eq(lines, 0);
		else
			ck_assert_uint_eq(lines,
			    ((n + 2) / 3 * 4 + line_len - 1) / line_len);
		ck_assert_int_eq(mime_base64_decode(e, enc.len, &dec), 0);
		check_out(&dec, data, n);
	}
	buf_free(&enc);
	buf_free(&dec);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Quoted-printable                                                    */

static const struct bin_case qp_dec_cases[] = {
	{ "", 0, "", 0 },
	{ "plain text\n", 0, "plain text\n", 0 },
	/* RFC 2045 6.7 rule 1, upper and lower-case hex. */
	{ "caf=C3=A9", 0, "caf\xc3\xa9", 0 },
	{ "caf=c3=a9", 0, "caf\xc3\xa9", 0 },
	{ "=3D=3d", 0, "==", 0 },
	{ "=00x", 0, "\0x", 2 },
	/* Rule 5: soft line breaks, with CRLF, LF, or blanks after '='. */
	{ "Now's the time =\nfor all folk to come=\n to the aid", 0,
	  "Now's the time for all folk to come to the aid", 0 },
	{ "soft=\r\nbreak\r\n", 0, "softbreak\r\n", 0 },
	{ "soft= \t \nbreak", 0, "softbreak", 0 },
	{ "soft=  \r\nbreak", 0, "softbreak", 0 },
	{ "end=", 0, "end", 0 },
	{ "end=\n", 0, "end", 0 },
	{ "=\n=\n=\n", 0, "", 0 },
	/* Rule 3: trailing blanks are transport padding. */
	{ "trailing   \nnext\t \r\n", 0, "trailing\nnext\r\n", 0 },
	{ "keep=20\nkeep=09\n", 0, "keep \nkeep\t\n", 0 },
	{ "blank before soft  =\nx", 0, "blank before soft  x", 0 },
	/* CRLF becomes LF; an encoded CR or LF stays. */
	/* Line ends are kept as in the message (DESIGN.md digests). */
	{ "a\r\nb\r\n", 0, "a\r\nb\r\n", 0 },
	{ "a=0D=0Ab", 0, "a\r\nb", 0 },
	{ "lone\rCR", 0, "lone\rCR", 0 },
	/* Bad escapes stay as written. */
	{ "=ZZ", 0, "=ZZ", 0 },
	{ "a=4", 0, "a=4", 0 },
	{ "a=4\n", 0, "a=4\n", 0 },
	{ "a=G1b", 0, "a=G1b", 0 },
	{ "1+1=2\n", 0, "1+1=2\n", 0 },
	{ "x==41", 0, "x=A", 0 },
	{ "=\xc3\xa9", 0, "=\xc3\xa9", 0 },
	{ "= x", 0, "= x", 0 },
	{ "==\n", 0, "=", 0 },
	/* Raw 8-bit (a violation) passes through. */
	{ "d\xe9j\xe0", 0, "d\xe9j\xe0", 0 },
	/* Long lines are not an error. */
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=41\n", 0,
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaA\n", 0 },
};

START_TEST(qp_decode_table)
{
	const struct bin_case	*c = &qp_dec_cases[_i];
	struct buf		 b;
	size_t			 inlen = c->inlen ? c->inlen : strlen(c->in);
	size_t			 wl = c->wantlen ? c->wantlen : strlen(c->want);

	buf_init(&b, 1000);
	ck_assert_int_eq(mime_qp_decode(c->in, inlen, &b), 0);
	check_out(&b, c->want, wl);
	buf_free(&b);
}
END_TEST

static const struct bin_case qp_enc_cases[] = {
	{ "", 0, "", 0 },
	{ "plain text\n", 0, "plain text\n", 0 },
	{ "a=b", 0, "a=3Db", 0 },
	{ "caf\xc3\xa9\n", 0, "caf=C3=A9\n", 0 },
	{ "tab\there", 0, "tab\there", 0 },
	/* Blanks that would end a line are encoded. */
	{ "space \nend ", 0, "space=20\nend=20", 0 },
	{ "tab\t\n", 0, "tab=09\n", 0 },
	{ "  \n", 0, " =20\n", 0 },
	/* mbox and SMTP safety at the start of a line. */
	{ "From me\n", 0, "=46rom me\n", 0 },
	{ "x\nFrom \n", 0, "x\n=46rom=20\n", 0 },
	{ "From", 0, "From", 0 },
	{ ".\n", 0, "=2E\n", 0 },
	{ "..x\na.b\n", 0, "=2E.x\na.b\n", 0 },
	/* Controls, CR, DEL, NUL. */
	{ "a\rb\x7f\x01", 0, "a=0Db=7F=01", 0 },
	{ "\0", 1, "=00", 0 },
	/* Exactly 76 characters fit; 77 need a soft break. */
	{ "0123456789012345678901234567890123456789012345678901234567890123"
	  "456789012345", 0,
	  "0123456789012345678901234567890123456789012345678901234567890123"
	  "456789012345", 0 },
	{ "0123456789012345678901234567890123456789012345678901234567890123"
	  "4567890123456", 0,
	  "0123456789012345678901234567890123456789012345678901234567890123"
	  "45678901234=\n56", 0 },
	/* An escape is never split: it moves to the next line. */
	{ "0123456789012345678901234567890123456789012345678901234567890123"
	  "456789012=", 0,
	  "0123456789012345678901234567890123456789012345678901234567890123"
	  "456789012=3D", 0 },
	{ "0123456789012345678901234567890123456789012345678901234567890123"
	  "4567890123=x", 0,
	  "0123456789012345678901234567890123456789012345678901234567890123"
	  "4567890123=\n=3Dx", 0 },
	/* A soft break must not leave "From " or "." opening a line. */
	{ "0123456789012345678901234567890123456789012345678901234567890123"
	  "45678901234From here", 0,
	  "0123456789012345678901234567890123456789012345678901234567890123"
	  "45678901234=\n=46rom here", 0 },
	{ "0123456789012345678901234567890123456789012345678901234567890123"
	  "45678901234.x", 0,
	  "0123456789012345678901234567890123456789012345678901234567890123"
	  "45678901234=\n=2Ex", 0 },
};

START_TEST(qp_encode_table)
{
	const struct bin_case	*c = &qp_enc_cases[_i];
	struct buf		 b;
	size_t			 inlen = c->inlen ? c->inlen : strlen(c->in);

	buf_init(&b, 1000);
	ck_assert_int_eq(mime_qp_encode(c->in, inlen, &b), 0);
	ck_assert_str_eq(buf_str(&b), c->want);
	buf_free(&b);
}
END_TEST

/*
 * Random text from an alphabet heavy in what QP treats specially (blanks,
 * '=', '.', "From ", 8-bit, controls, LF): the encoding is 7-bit
 * printable, no line exceeds 76 or ends in a blank, and decode gives the
 * text back exactly.
 */
START_TEST(qp_roundtrip)
{
	static const char *const	 pieces[] = {
		"a", "b", "x", " ", "\t", "=", ".", "From ", "\n", "\n",
		"\xc3\xa9", "\xff", "\0", "\r", "\r\n", "=41", "  ", "word",
		"longerword", "=\n", "\x7f",
	};
	uint32_t			 seed = 12345u + (uint32_t)_i;
	struct buf			 text, enc, dec;
	const char			*e, *p;
	size_t				 k, i, len;
	bool				 ok;

	buf_init(&text, 1 << 20);
	buf_init(&enc, 1 << 22);
	buf_init(&dec, 1 << 20);
	for (k = 0; k < 200; k++) {
		buf_reset(&text);
		len = rnd(&seed) % 400;
		for (i = 0, ok = true; i < len; i++) {
			p = pieces[rnd(&seed) % NITEMS(pieces)];
			ok = ok && buf_append(&text, p,
			    p[0] == '\0' ? 1 : strlen(p)) == 0;
		}
		ck_assert(ok);
		buf_reset(&enc);
		buf_reset(&dec);
		ck_assert_int_eq(mime_qp_encode(buf_str(&text), text.len,
		    &enc), 0);
		e = buf_str(&enc);
		ck_assert_uint_le(longest_line(e, enc.len), 76);
		ok = true;
		for (i = 0; i < enc.len; i++) {
			ok = ok && (e[i] == '\n' || e[i] == '\t' ||
			    (e[i] >= ' ' && e[i] < 0x7f));
			/* Rule 3: no line ends in a blank. */
			if (e[i] == '\n' && i > 0)
				ok = ok && e[i - 1] != ' ' && e[i - 1] != '\t';
		}
		ck_assert_msg(ok, "bad encoding: %s", e);
		if (enc.len > 0)
			ck_assert(e[enc.len - 1] != ' ' &&
			    e[enc.len - 1] != '\t');
		ck_assert_int_eq(mime_qp_decode(e, enc.len, &dec), 0);
		check_out(&dec, buf_str(&text), text.len);
	}
	buf_free(&text);
	buf_free(&enc);
	buf_free(&dec);
}
END_TEST

/* A full buffer gives -1 and keeps what fitted. */
START_TEST(codec_overflow)
{
	struct buf	b;
	const char	*b64 = "Zm9vYmFyZm9vYmFy";	/* foobarfoobar */

	buf_init(&b, 5);
	ck_assert_int_eq(mime_base64_decode(b64, strlen(b64), &b), -1);
	check_out(&b, "fooba", 5);
	buf_free(&b);
	buf_init(&b, 12);
	ck_assert_int_eq(mime_base64_decode(b64, strlen(b64), &b), 0);
	buf_free(&b);

	buf_init(&b, 7);
	ck_assert_int_eq(mime_base64_encode("foobar", 6, 0, &b), -1);
	check_out(&b, "Zm9vYmF", 7);
	buf_free(&b);
	buf_init(&b, 8);
	ck_assert_int_eq(mime_base64_encode("foobar", 6, 4, &b), -1);
	buf_free(&b);
	buf_init(&b, 10);
	ck_assert_int_eq(mime_base64_encode("foobar", 6, 4, &b), 0);
	buf_free(&b);

	buf_init(&b, 4);
	ck_assert_int_eq(mime_qp_decode("ab=3Dcd", 7, &b), -1);
	check_out(&b, "ab=c", 4);
	buf_reset(&b);
	ck_assert_int_eq(mime_qp_decode("ab=3Dc", 6, &b), 0);
	check_out(&b, "ab=c", 4);
	buf_free(&b);
	buf_init(&b, 5);
	ck_assert_int_eq(mime_qp_encode("ab=cd", 5, &b), -1);
	check_out(&b, "ab=3D", 5);
	buf_free(&b);

	buf_init(&b, 3);
	ck_assert_int_eq(mime_flowed_decode("abc \ndef\n", 9, false, &b),
	    -1);
	ck_assert_int_eq(mime_flowed_encode("abc def\n", 8, 4, &b), -1);
	ck_assert_int_eq(mime_html_to_text("<p>abcdef</p>", 13, &b), -1);
	buf_free(&b);
}
END_TEST

/* Large input goes through the staging array more than once. */
START_TEST(codec_large)
{
	struct buf	 raw, enc, dec;
	uint32_t	 seed = 77;
	size_t		 i, n = 1000000;
	char		*data = xmalloc(n);

	for (i = 0; i < n; i++)
		data[i] = (char)(rnd(&seed) >> 5);
	buf_init(&raw, BIG);
	buf_init(&enc, BIG);
	buf_init(&dec, BIG);
	ck_assert_int_eq(mime_base64_encode(data, n, 76, &enc), 0);
	ck_assert_int_eq(mime_base64_decode(buf_str(&enc), enc.len, &dec), 0);
	check_out(&dec, data, n);
	buf_reset(&enc);
	buf_reset(&dec);
	ck_assert_int_eq(mime_qp_encode(data, n, &enc), 0);
	ck_assert_uint_le(longest_line(buf_str(&enc), enc.len), 76);
	ck_assert_int_eq(mime_qp_decode(buf_str(&enc), enc.len, &dec), 0);
	check_out(&dec, data, n);
	free(data);
	buf_free(&raw);
	buf_free(&enc);
	buf_free(&dec);
}
END_TEST

/* ------------------------------------------------------------------ */
/* format=flowed                                                       */

static const struct {
	const char	*in;
	bool		 delsp;
	const char	*want;
} fl_dec_cases[] = {
	{ "", false, "" },
	{ "fixed\n", false, "fixed\n" },
	{ "no final newline", false, "no final newline\n" },
	/* RFC 3676 4.1: a trailing space joins the next line. */
	{ "This is a \nflowed \nparagraph.\nFixed.\n", false,
	  "This is a flowed paragraph.\nFixed.\n" },
	{ "CRLF \r\nlines\r\n", false, "CRLF lines\n" },
	/* 4.2: DelSp=yes removes the soft space. */
	{ "\xe6\x97\xa5\xe6\x9c\xac \n\xe8\xaa\x9e\n", true,
	  "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\n" },
	{ "Jap \nanese\n", true, "Japanese\n" },
	{ "Jap \nanese\n", false, "Jap anese\n" },
	{ "two  \nspaces\n", true, "two spaces\n" },
	/* 4.3: the signature separator is fixed, and starts a line. */
	{ "text \n-- \nJane\n", false, "text\n-- \nJane\n" },
	{ "-- \nsig \nline\n", false, "-- \nsig line\n" },
	{ "> -- \n", false, "> -- \n" },
	{ "--  \nx\n", false, "--  x\n" },
	/* 4.4: space-stuffing is removed. */
	{ " From here\n  indented\n >not quoted\n", false,
	  "From here\n indented\n>not quoted\n" },
	/* 4.5: quote depth, normalised to "> " per level. */
	{ ">quoted\n>>deeper\n>>> three\n", false,
	  "> quoted\n> > deeper\n> > > three\n" },
	{ "> a \n> b\n", false, "> a b\n" },
	{ ">> a \n>> b \n>> c\n", false, "> > a b c\n" },
	/* Lines of different depth are never joined. */
	{ "> flowed \n>> other\n", false, "> flowed\n> > other\n" },
	{ "> flowed \nunquoted\n", false, "> flowed\nunquoted\n" },
	{ "top \n> q\n", false, "top\n> q\n" },
	/* Quoted empty lines, with or without the stuffing space. */
	{ "> a\n>\n> b\n", false, "> a\n>\n> b\n" },
	{ "> a\n> \n> b\n", false, "> a\n>\n> b\n" },
	{ ">>\n", false, "> >\n" },
	/* A paragraph cut short by the end loses its soft space. */
	{ "last \n", false, "last\n" },
	{ "last ", false, "last\n" },
	{ "para \n\nnext\n", false, "para\nnext\n" },
	/* "> > x" is depth 1 with the text "> x" (4.5: no spaces). */
	{ "> > x\n", false, "> > x\n" },
	{ "\n\n", false, "\n\n" },
	{ " \n", false, "\n" },
};

START_TEST(flowed_decode_table)
{
	struct buf	b;

	buf_init(&b, 1000);
	ck_assert_int_eq(mime_flowed_decode(fl_dec_cases[_i].in,
	    strlen(fl_dec_cases[_i].in), fl_dec_cases[_i].delsp, &b), 0);
	ck_assert_str_eq(buf_str(&b), fl_dec_cases[_i].want);
	buf_free(&b);
}
END_TEST

static const struct {
	const char	*in;
	size_t		 width;
	const char	*want;
} fl_enc_cases[] = {
	{ "", 20, "" },
	{ "short\n", 20, "short\n" },
	{ "no newline", 20, "no newline\n" },
	{ "one two three four five six\n", 10,
	  "one two \nthree \nfour five \nsix\n" },
	{ "one two three four five six\n", 0,
	  "one two three four five six\n" },
	/* Trailing spaces of fixed lines go (4.2). */
	{ "trailing   \n   \n", 20, "trailing\n\n" },
	/* Space-stuffing (4.4). */
	{ " lead\nFrom me\n>not a quote?\nFromage\n", 20,
	  "  lead\n From me\n> not a quote?\nFromage\n" },
	/* A word longer than the width stays whole. */
	{ "see https://example.com/a/very/long/path now\n", 12,
	  "see \nhttps://example.com/a/very/long/path \nnow\n" },
	{ "https://example.com/a/very/long/path\n", 12,
	  "https://example.com/a/very/long/path\n" },
	/* Quotes: one '>' per level and a space (4.5). */
	{ "> quoted text here\n", 10, "> quoted \n> text \n> here\n" },
	{ "> > deep text\n>> deep\n", 40, ">> deep text\n>> deep\n" },
	{ ">\n> \n>>\n", 40, ">\n>\n>>\n" },
	/* The signature separator keeps its space, quoted too. */
	{ "-- \nJane\n", 20, "-- \nJane\n" },
	{ "> -- \n", 20, "> -- \n" },
	{ "--\n", 20, "--\n" },
	/* No wrapped line may read as "-- ". */
	{ "aaaa -- bbbb\n", 6, "aaaa \n-- bbbb\n" },
	/* A continuation that starts with "From " or '>' is stuffed. */
	{ "xxxx From here\n", 6, "xxxx \n From \nhere\n" },
	{ "xxxx >y\n", 6, "xxxx \n >y\n" },
	/* Width counts characters, not bytes. */
	{ "\xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9\n", 4,
	  "\xc3\xa9\xc3\xa9\xc3\xa9 \n\xc3\xa9\xc3\xa9\n" },
	{ "CRLF line\r\n", 40, "CRLF line\n" },
	{ "stray CRs\r\r\r\nend\r", 40, "stray CRs\nend\n" },
	/* Runs of spaces stay inside the joined text. */
	{ "a   b\n", 3, "a   \nb\n" },
};

START_TEST(flowed_encode_table)
{
	struct buf	b;

	buf_init(&b, 1000);
	ck_assert_int_eq(mime_flowed_encode(fl_enc_cases[_i].in,
	    strlen(fl_enc_cases[_i].in), fl_enc_cases[_i].width, &b), 0);
	ck_assert_str_eq(buf_str(&b), fl_enc_cases[_i].want);
	buf_free(&b);
}
END_TEST

/*
 * Every line of flowed text fits the width unless it is one word (with
 * its stuffing and soft space), or a word after "-- " which may not end
 * a line by itself.
 */
static void
check_flowed_width(const char *s, size_t n, size_t width)
{
	const char	*p, *e, *nl;
	size_t		 chars;

	for (p = s; p < s + n; p = e + 1) {
		nl = memchr(p, '\n', (size_t)(s + n - p));
		e = nl != NULL ? nl : s + n;
		for (chars = 0, nl = p; nl < e; nl++)
			if (((unsigned char)*nl & 0xc0) != 0x80)
				chars++;
		if (chars <= width)
			continue;
		nl = e;
		while (nl > p && nl[-1] == ' ')
			nl--;
		while (p < nl && *p == ' ')
			p++;
		if (nl - p > 3 && memcmp(p, "-- ", 3) == 0)
			p += 3;
		ck_assert_msg(memchr(p, ' ', (size_t)(nl - p)) == NULL,
		    "line too long: %.*s", (int)(e - p), p);
	}
}

/*
 * Paragraphs of random words (long ones, "From", "--", '>' inside,
 * accents), lines without trailing spaces: encoded at many widths,
 * decoded, they come back exactly.
 */
START_TEST(flowed_roundtrip)
{
	static const char *const	 words[] = {
		"a", "the", "mail", "From", "--", ">", ">x", "caf\xc3\xa9",
		"https://example.com/some/long/path?with=query&and=more",
		"supercalifragilisticexpialidocious", ".", "x",
	};
	uint32_t			 seed = 4242u + (uint32_t)_i;
	struct buf			 text, enc, dec;
	size_t				 k, w, nw, width, line;

	buf_init(&text, 1 << 20);
	buf_init(&enc, 1 << 20);
	buf_init(&dec, 1 << 20);
	for (k = 0; k < 100; k++) {
		buf_reset(&text);
		for (line = rnd(&seed) % 8; line > 0; line--) {
			nw = rnd(&seed) % 40;
			if (rnd(&seed) % 5 == 0)
				ck_assert_int_eq(buf_append_str(&text, " "), 0);
			for (w = 0; w < nw; w++) {
				if (w > 0 && buf_append_str(&text,
				    rnd(&seed) % 7 ? " " : "  ") != 0)
					ck_abort();
				ck_assert_int_eq(buf_append_str(&text,
				    words[rnd(&seed) % NITEMS(words)]), 0);
			}
			if (text.len > 0 && buf_str(&text)[text.len - 1] == ' ')
				buf_truncate(&text, text.len - 1);
			ck_assert_int_eq(buf_append_str(&text, "\n"), 0);
		}
		/* A line cannot start with '>': it would be a quote. */
		if (text.len > 0 && buf_str(&text)[0] == '>')
			continue;
		if (strstr(buf_str(&text), "\n>") != NULL)
			continue;
		width = 10 + rnd(&seed) % 70;
		buf_reset(&enc);
		buf_reset(&dec);
		ck_assert_int_eq(mime_flowed_encode(buf_str(&text), text.len,
		    width, &enc), 0);
		check_flowed_width(buf_str(&enc), enc.len, width);
		ck_assert_int_eq(mime_flowed_decode(buf_str(&enc), enc.len,
		    false, &dec), 0);
		ck_assert_str_eq(buf_str(&dec), buf_str(&text));
	}
	buf_free(&text);
	buf_free(&enc);
	buf_free(&dec);
}
END_TEST

/* Quoted replies: decode then encode then decode is stable. */
START_TEST(flowed_quoted_stable)
{
	const char	*in = ">> Yes, I agree with the proposal, as long as "
	    "the budget \n>> is approved before May.\n> Same here; \n> see "
	    "below.\n>\n> -- \n> Bob\nThanks both, let us proceed with the "
	    "plan and meet next week to finalise it.\n-- \nAlice\n";
	const char	*want = "> > Yes, I agree with the proposal, as long "
	    "as the budget is approved before May.\n> Same here; see below."
	    "\n>\n> -- \n> Bob\nThanks both, let us proceed with the plan "
	    "and meet next week to finalise it.\n-- \nAlice\n";
	struct buf	 d1, e, d2;

	buf_init(&d1, 4096);
	buf_init(&e, 4096);
	buf_init(&d2, 4096);
	ck_assert_int_eq(mime_flowed_decode(in, strlen(in), false, &d1), 0);
	ck_assert_str_eq(buf_str(&d1), want);
	ck_assert_int_eq(mime_flowed_encode(buf_str(&d1), d1.len, 30, &e), 0);
	check_flowed_width(buf_str(&e), e.len, 30);
	ck_assert_int_eq(mime_flowed_decode(buf_str(&e), e.len, false, &d2),
	    0);
	ck_assert_str_eq(buf_str(&d2), want);
	buf_free(&d1);
	buf_free(&e);
	buf_free(&d2);
}
END_TEST

/* ------------------------------------------------------------------ */
/* HTML                                                                */

static const struct {
	const char	*in;
	const char	*want;
} html_cases[] = {
	{ "plain text", "plain text\n" },
	{ "  lots   of\n\n white\tspace  ", "lots of white space\n" },
	/* Paragraphs, breaks, at most one blank line. */
	{ "<p>one</p><p>two</p>", "one\n\ntwo\n" },
	{ "<p>one<p>two", "one\n\ntwo\n" },
	{ "a<br>b<br/>c<BR />d", "a\nb\nc\nd\n" },
	{ "a<br><br>b", "a\n\nb\n" },
	{ "a<br><br><br><br><br>b", "a\n\nb\n" },
	{ "<p>a</p><p>&nbsp;</p><p>&nbsp;</p><p>b</p>", "a\n\nb\n" },
	{ "<div>a</div><div><br></div><div>b</div>", "a\n\nb\n" },
	{ "<div>a<br></div><div>b</div>", "a\nb\n" },
	{ "<br><br><p>lead</p><br><br>", "lead\n" },
	{ "<h1>Title</h1>text<h2>Sub</h2>more", "Title\n\ntext\n\nSub\n\n"
	  "more\n" },
	{ "<p>a</p><hr><p>b</p>", "a\n\n"
	  "----------------------------------------\n\nb\n" },
	{ "</br>x", "x\n" },
	/* Inline markup changes nothing. */
	{ "<b>bold</b> <i>it</i><span>al</span>ic <FONT size=2>f</font>",
	  "bold italic f\n" },
	/* Lists. */
	{ "<ul><li>one<li>two</ul>", "* one\n* two\n" },
	{ "<ol><li>one<li>two</ol>", "1. one\n2. two\n" },
	{ "<ol start=\"9\"><li>nine<li>ten<li value=20>twenty<li>more</ol>",
	  "9. nine\n10. ten\n20. twenty\n21. more\n" },
	{ "<ul><li>a<ul><li>b<ol><li>c</ol></ul><li>d</ul>",
	  "* a\n  * b\n    1. c\n* d\n" },
	{ "<p>before</p><ul><li>x</li></ul><p>after</p>",
	  "before\n\n* x\n\nafter\n" },
	{ "<ul><li>one<br>two lines</li></ul>", "* one\n  two lines\n" },
	{ "<li>orphan</li>", "* orphan\n" },
	{ "<ul><li></li><li>x</li></ul>", "* x\n" },
	{ "</ul></ol>x</li>", "x\n" },
	{ "<ul><li>a<ol><li>b</ul>c", "* a\n  1. b\n\nc\n" },
	/* Block quotes. */
	{ "<blockquote>quoted</blockquote>after", "> quoted\n\nafter\n" },
	{ "<blockquote><p>one</p><p>two</p></blockquote>",
	  "> one\n>\n> two\n" },
	{ "On Monday, Bob wrote:<blockquote>a<blockquote>b</blockquote>c"
	  "</blockquote>", "On Monday, Bob wrote:\n\n> a\n>\n> > b\n>\n> c\n" },
	{ "</blockquote></blockquote>x", "x\n" },
	/* Preformatted text. */
	{ "<pre>\n  a  b\n\n\tc\n</pre>after", "  a  b\n\n\tc\n\nafter\n" },
	{ "<pre>x\r\ny</pre>", "x\ny\n" },
	{ "<p>p</p><pre>\n\ncode</pre>", "p\n\n\ncode\n" },
	{ "<pre>trailing   \n</pre>", "trailing\n" },
	{ "<blockquote><pre>q\n  r</pre></blockquote>", "> q\n>   r\n" },
	/* Tables. */
	{ "<table><tr><th>Name</th><th>Qty</th></tr><tr><td>Tea</td>"
	  "<td>2</td></tr></table>", "Name\tQty\nTea\t2\n" },
	{ "<table><tr><td>1</td><td></td><td>3</td></tr></table>",
	  "1\t3\n" },
	{ "<table><tr><td><p>block</p></td><td>cell</td></tr></table>",
	  "block\n\ncell\n" },
	/* Links. */
	{ "<a href=\"https://a.example/x\">text</a>",
	  "text[1]\n\nLinks:\n[1] https://a.example/x\n" },
	{ "<a href='https://a.example/'>a.example</a>", "a.example\n" },
	{ "<a href=\"https://a.example/x\">https://a.example/x</a>",
	  "https://a.example/x\n" },
	{ "<a href=\"mailto:jo@x.org\">jo@x.org</a>", "jo@x.org\n" },
	{ "<a href=\"mailto:jo@x.org\">Jo</a>",
	  "Jo[1]\n\nLinks:\n[1] mailto:jo@x.org\n" },
	{ "<a href=u>a</a> <a href=v>b</a> <a href=u>c</a>",
	  "a[1] b[2] c[1]\n\nLinks:\n[1] u\n[2] v\n" },
	{ "<a href=\"#top\">top</a> <a href=\"javascript:x()\">js</a> "
	  "<a>none</a> <a href=\"\">empty</a>", "top js none empty\n" },
	{ "see <a href=\"u\"><img src=x.png></a> here",
	  "see [1] here\n\nLinks:\n[1] u\n" },
	{ "<a href=\"u\"><img alt=\"Logo\"></a>",
	  "[Logo][1]\n\nLinks:\n[1] u\n" },
	{ "<a href=\"u?a=1&amp;b=2&copy=3\">q</a>",
	  "q[1]\n\nLinks:\n[1] u?a=1&b=2&copy=3\n" },
	{ "<a href=\"\n  https://a.example/\nsplit  \">s</a>",
	  "s[1]\n\nLinks:\n[1] https://a.example/split\n" },
	{ "<a href=\"u \x01 \x7f\">x</a>", "x[1]\n\nLinks:\n[1] u\n" },
	{ "<a href=\"u1\">one<a href=\"u2\">two</a>",
	  "one[1]two[2]\n\nLinks:\n[1] u1\n[2] u2\n" },
	{ "<a href=\"u\"><div>block</div></a>next",
	  "block[1]\nnext\n\nLinks:\n[1] u\n" },
	{ "<a href=\"u\">unclosed", "unclosed[1]\n\nLinks:\n[1] u\n" },
	/* Images. */
	{ "<img src=a alt=\"A  cat\n sleeping\">", "[A cat sleeping]\n" },
	{ "<img src=a alt=''><img src=b>x", "x\n" },
	{ "a<img alt=b>c", "a[b]c\n" },
	/* Dropped: head, title, style, script, comments, declarations. */
	{ "<!DOCTYPE html><?xml version=\"1.0\"?><html><head><title>T</title>"
	  "<meta charset=utf-8><style>p{x:1}</style><script>var a='<p>';"
	  "</script></head><body>body</body></html>", "body\n" },
	{ "a<!-- <p>hidden</p> -->b<!---->c<!-->d<!--->e", "abcde\n" },
	{ "a<!-- unclosed", "a\n" },
	{ "<script>x</SCRIPT >a<STYLE type=x>y</style\n>b", "ab\n" },
	{ "<script>\"</script>\"</script>after", "\"after\n" },
	{ "a<script>never closed", "a\n" },
	{ "<title/>shown", "shown\n" },
	{ "<head>stray<p>x</p>", "stray\n\nx\n" },
	{ "<![CDATA[x]]>y<![if !mso]>z<![endif]>", "yz\n" },
	{ "after</body></html>footer", "afterfooter\n" },
	/* Tag soup. */
	{ "<p><b>unclosed", "unclosed\n" },
	{ "<a href='x'", "" },
	{ "x<a href='y'", "x\n" },
	{ "</div></div></div>", "" },
	{ "<div><div><div>deep</div>", "deep\n" },
	{ "a < b and c > d", "a < b and c > d\n" },
	{ "1<2 and 3>2, <3", "1<2 and 3>2, <3\n" },
	{ "<<<>>>", "<<<>>>\n" },
	{ "x</", "x</\n" },
	{ "x</>y</ 3>z", "xyz\n" },
	{ "<p class=\"a\" id='b' data-x=c disabled>attrs</p>", "attrs\n" },
	/* No quote left to close it: the value ends at '>'. */
	{ "<a href=\"unterminated>text</a> more",
	  "text[1] more\n\nLinks:\n[1] unterminated\n" },
	{ "<P CLASS=X>Upper</P><BR><Br>", "Upper\n" },
	{ "<o:p>office</o:p><xml>x</xml>", "officex\n" },
	/* Entities. */
	{ "&amp; &lt; &gt; &quot; &apos; &nbsp;|", "& < > \" '  |\n" },
	{ "caf&eacute; &Eacute;t&eacute; na&iuml;ve &szlig; &ccedil;",
	  "caf\xc3\xa9 \xc3\x89t\xc3\xa9 na\xc3\xafve \xc3\x9f \xc3\xa7\n" },
	{ "&euro;5 &pound;3 &yen; &cent; &copy; &reg; &trade;",
	  "\xe2\x82\xac" "5 \xc2\xa3" "3 \xc2\xa5 \xc2\xa2 \xc2\xa9 \xc2\xae "
	  "\xe2\x84\xa2\n" },
	{ "&hellip;&mdash;&ndash;&lsquo;&rsquo;&ldquo;&rdquo;&laquo;&raquo;",
	  "\xe2\x80\xa6\xe2\x80\x94\xe2\x80\x93\xe2\x80\x98\xe2\x80\x99"
	  "\xe2\x80\x9c\xe2\x80\x9d\xc2\xab\xc2\xbb\n" },
	{ "&sect;&para;&middot;&bull;&deg;&plusmn;&times;&divide;",
	  "\xc2\xa7\xc2\xb6\xc2\xb7\xe2\x80\xa2\xc2\xb0\xc2\xb1\xc3\x97"
	  "\xc3\xb7\n" },
	{ "&frac12;&frac14;&frac34;&agrave;&uuml;&Alpha;&omega;&hearts;",
	  "\xc2\xbd\xc2\xbc\xc2\xbe\xc3\xa0\xc3\xbc\xce\x91\xcf\x89"
	  "\xe2\x99\xa5\n" },
	{ "&#65;&#x42;&#X43;&#0068;&#x1F600;",
	  "ABCD\xf0\x9f\x98\x80\n" },
	{ "&#65&#66 &#x41x", "AB Ax\n" },
	{ "&#0;&#xD800;&#xDFFF;&#x110000;&#99999999999999999999;",
	  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\n" },
	{ "&#150;&#146;&#128;&#129;", "\xe2\x80\x93\xe2\x80\x99\xe2\x82\xac"
	  "\xef\xbf\xbd\n" },
	{ "&#1;&#x7f;&#9;x", "\xef\xbf\xbd\xef\xbf\xbd x\n" },
	{ "&#; &#x; &# &", "&#; &#x; &# &\n" },
	{ "&unknown; &foo &AMP; &QUOT; &Amp;", "&unknown; &foo & \" &Amp;\n" },
	{ "&copy2024 &eacuteX &notit; &amp", "\xc2\xa9" "2024 \xc3\xa9X "
	  "\xc2\xac" "it; &\n" },
	{ "a&#32;&#32;b&#10;c", "a b c\n" },
	{ "<pre>a&#32;&#32;b&#10;c</pre>", "a  b\nc\n" },
	{ "&nbsp;&nbsp;indent", "  indent\n" },
	{ "x&nbsp;&nbsp;&nbsp;<br>y", "x\ny\n" },
	{ "\xc2\xa0raw nbsp\xc2\xa0", " raw nbsp\n" },
	{ "pre&zwnj;&#847;&shy;&#xFEFF;&#8203;view \xe2\x80\x8c\xcd\x8f|",
	  "preview |\n" },
	{ "emoji&zwj;join", "emoji\xe2\x80\x8djoin\n" },
	{ "nul\0byte", "nulbyte\n" },
};

START_TEST(html_table)
{
	struct buf	 b;
	const char	*in = html_cases[_i].in;
	size_t		 n = strlen(in);

	/* The one case with a NUL byte in it. */
	if (strcmp(in, "nul") == 0)
		n = 8;
	buf_init(&b, 1 << 16);
	ck_assert_int_eq(mime_html_to_text(in, n, &b), 0);
	ck_assert_str_eq(buf_str(&b), html_cases[_i].want);
	buf_free(&b);
}
END_TEST

/* The shape of a commercial newsletter: layout tables, a hidden
 * preheader, Outlook conditionals, tracking pixel, repeated links. */
static const char newsletter[] =
"<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" "
"\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
"<html xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n"
"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n"
"<title>The Weekly Bulletin</title>\n<style type=\"text/css\">\n"
"  body { margin: 0; } .hidden { display: none; }\n"
"  a[href^=\"x-apple\"] { color: inherit; }\n</style>\n"
"<!--[if mso]><xml><o:OfficeDocumentSettings><o:PixelsPerInch>96"
"</o:PixelsPerInch></o:OfficeDocumentSettings></xml><![endif]-->\n"
"</head>\n<body style=\"margin:0\">\n"
"<div class=\"preheader\">Big news inside&nbsp;&zwnj;&nbsp;&zwnj;&nbsp;"
"&zwnj;</div>\n"
"<table role=\"presentation\" width=\"100%\" cellpadding=\"0\">\n"
"  <tr>\n    <td align=\"center\">\n      <table width=\"600\">\n"
"        <tr><td><a href=\"https://news.example.com/view?id=42&amp;src="
"email\"><img src=\"https://cdn.example.com/logo.png\" alt=\"Example News"
"\" width=\"120\"></a></td>\n"
"            <td align=\"right\"><a href=\"https://news.example.com/view?"
"id=42&amp;src=email\">View online</a></td></tr>\n"
"        <tr><td colspan=\"2\">\n"
"          <h1 style=\"font-size:24px\">Spring&nbsp;sale &ndash; 50&#37; "
"off</h1>\n"
"          <p>Dear subscriber,</p>\n"
"          <p>Our spring sale starts <b>today</b>. Prices from &euro;9.99 "
"&amp; free\n             shipping over &pound;20&hellip;</p>\n"
"          <ul>\n            <li>Garden chairs</li>\n"
"            <li>Tables &amp; parasols</li>\n          </ul>\n"
"          <p style=\"text-align:center\"><a href=\"https://shop.example."
"com/sale?utm_source=news&amp;utm_medium=email\" style=\"background:#c00\""
">Shop&nbsp;now&nbsp;&raquo;</a></p>\n"
"        </td></tr>\n"
"        <tr><td><img src=\"https://t.example.com/pixel.gif\" width=\"1\" "
"height=\"1\" alt=\"\"></td></tr>\n"
"      </table>\n    </td>\n  </tr>\n</table>\n"
"<table width=\"600\"><tr><td style=\"font-size:11px\">\n"
"  You received this email because you subscribed at\n"
"  <a href=\"https://news.example.com\">news.example.com</a>.<br>\n"
"  <a href=\"https://news.example.com/unsubscribe?u=abc&amp;l=1\">"
"Unsubscribe</a> |\n"
"  <a href=\"mailto:help@example.com\">help@example.com</a><br>\n"
"  &copy; 2024 Example&nbsp;Ltd, 1 Main St.\n"
"</td></tr></table>\n</body>\n</html>\n";

static const char newsletter_text[] =
"Big news inside\n"
"[Example News][1]\tView online[1]\n"
"\n"
"Spring sale \xe2\x80\x93 50% off\n"
"\n"
"Dear subscriber,\n"
"\n"
"Our spring sale starts today. Prices from \xe2\x82\xac" "9.99 & free "
"shipping over \xc2\xa3" "20\xe2\x80\xa6\n"
"\n"
"* Garden chairs\n"
"* Tables & parasols\n"
"\n"
"Shop now \xc2\xbb[2]\n"
"\n"
"You received this email because you subscribed at news.example.com.\n"
"Unsubscribe[3] | help@example.com\n"
"\xc2\xa9 2024 Example Ltd, 1 Main St.\n"
"\n"
"Links:\n"
"[1] https://news.example.com/view?id=42&src=email\n"
"[2] https://shop.example.com/sale?utm_source=news&utm_medium=email\n"
"[3] https://news.example.com/unsubscribe?u=abc&l=1\n";

START_TEST(html_newsletter)
{
	struct buf	b;

	buf_init(&b, 1 << 16);
	ck_assert_int_eq(mime_html_to_text(newsletter, strlen(newsletter),
	    &b), 0);
	ck_assert_str_eq(buf_str(&b), newsletter_text);
	buf_free(&b);
}
END_TEST

/* A reply as Gmail and Thunderbird write it. */
START_TEST(html_reply)
{
	const char	*in = "<div dir=\"ltr\">Sounds good!<div><br></div>"
	    "<div>Talk soon,</div><div>Ann</div></div><br><div class=\""
	    "gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">On Tue, "
	    "Mar 5, 2024 at 9:12 AM Bob &lt;<a href=\"mailto:bob@example.org"
	    "\">bob@example.org</a>&gt; wrote:<br></div><blockquote class=\""
	    "gmail_quote\" style=\"margin:0px 0px 0px 0.8ex\"><div>Shall we "
	    "meet on <b>Friday</b>?</div><div><br></div><div>Bob</div>"
	    "</blockquote></div>";
	const char	*want = "Sounds good!\n\nTalk soon,\nAnn\n\nOn Tue, "
	    "Mar 5, 2024 at 9:12 AM Bob <bob@example.org> wrote:\n\n> Shall we "
	    "meet on Friday?\n>\n> Bob\n";
	struct buf	 b;

	buf_init(&b, 1 << 16);
	ck_assert_int_eq(mime_html_to_text(in, strlen(in), &b), 0);
	ck_assert_str_eq(buf_str(&b), want);
	buf_free(&b);
}
END_TEST

/* Append s count times to b. */
static void
repeat(struct buf *b, const char *s, size_t count)
{
	size_t	i;
	bool	ok = true;

	for (i = 0; i < count; i++)
		ok = ok && buf_append_str(b, s) == 0;
	ck_assert(ok);
}

/* 10,000 nested divs, lists and quotes: no recursion, capped prefixes. */
START_TEST(html_deep_nesting)
{
	struct buf	 in, out;
	const char	*o;
	size_t		 i;

	buf_init(&in, 1 << 22);
	buf_init(&out, 1 << 22);
	repeat(&in, "<div>", 10000);
	repeat(&in, "deep", 1);
	repeat(&in, "</div>", 10000);
	ck_assert_int_eq(mime_html_to_text(buf_str(&in), in.len, &out), 0);
	ck_assert_str_eq(buf_str(&out), "deep\n");

	buf_reset(&in);
	buf_reset(&out);
	repeat(&in, "<blockquote>", 10000);
	repeat(&in, "q", 1);
	ck_assert_int_eq(mime_html_to_text(buf_str(&in), in.len, &out), 0);
	o = buf_str(&out);
	for (i = 0; i < 16; i++)
		ck_assert_mem_eq(o + 2 * i, "> ", 2);
	ck_assert_str_eq(o + 32, "q\n");

	buf_reset(&in);
	buf_reset(&out);
	repeat(&in, "<ul><li>x", 10000);
	repeat(&in, "</ul>", 10000);
	repeat(&in, "<p>after", 1);
	ck_assert_int_eq(mime_html_to_text(buf_str(&in), in.len, &out), 0);
	o = buf_str(&out);
	ck_assert_mem_eq(o, "* x\n  * x\n    * x\n", 18);
	ck_assert_uint_le(longest_line(o, out.len), 2 * 16 + 1);
	ck_assert_ptr_nonnull(strstr(o, "\n\nafter\n"));
	buf_free(&in);
	buf_free(&out);
}
END_TEST

/*
 * Inputs built to make a careless parser rescan: unclosed quotes,
 * comments, tags, references. Each is about 300 KB: linear work takes
 * milliseconds, a quadratic parser would run into the time-out.
 */
static const char *const	hostile[] = {
	"<a href=\"", "<a href='x", "<!--", "<!", "<", "</", "&", "&#",
	"&#x", "&eacute", "<a b", "<script>", "<a href=u", "<p>&nbsp;",
	"<li>", "<ol><li>", "<blockquote><br>", "<pre>\n", "<td>",
	"<img alt=\"", "x<br>", "&#9999999999", "<a href=\"u\">x",
	"<ul>", "</ul>", "<a href=\"x\"></a><a href=\"y\"></a>",
};

START_TEST(html_hostile)
{
	struct buf	 in, out;

	buf_init(&in, 1 << 22);
	buf_init(&out, 1 << 24);
	repeat(&in, hostile[_i], 300000 / strlen(hostile[_i]) + 1);
	ck_assert_int_eq(mime_html_to_text(buf_str(&in), in.len, &out), 0);
	buf_free(&in);
	buf_free(&out);
}
END_TEST

/* More links than are numbered, each distinct; the output stays sane. */
START_TEST(html_many_links)
{
	struct buf	 in, out;
	size_t		 i;
	const char	*o;

	buf_init(&in, 1 << 22);
	buf_init(&out, 1 << 22);
	for (i = 0; i < 3000; i++)
		ck_assert_int_eq(buf_printf(&in, "<a href=\"https://x.example/"
		    "%zu\">l%zu</a> ", i % 1500, i), 0);
	ck_assert_int_eq(mime_html_to_text(buf_str(&in), in.len, &out), 0);
	o = buf_str(&out);
	ck_assert_ptr_nonnull(strstr(o, "l0[1] l1[2] "));
	ck_assert_ptr_nonnull(strstr(o, " l999[1000] l1000 l1001 "));
	ck_assert_ptr_nonnull(strstr(o, " l1500[1] "));
	ck_assert_ptr_nonnull(strstr(o, "\n[1000] https://x.example/999\n"));
	ck_assert_ptr_null(strstr(o, "[1001]"));
	buf_free(&in);
	buf_free(&out);
}
END_TEST

/* Output never ends a line in a blank nor holds two blank lines. */
START_TEST(html_output_shape)
{
	static const char *const	 bits[] = {
		"<p>", "</p>", "<br>", "<div>", "text", " ", "&nbsp;", "<li>",
		"<ul>", "</ul>", "<blockquote>", "</blockquote>", "<td>",
		"<tr>", "<hr>", "<a href=u>", "</a>", "<h1>", "\n", "\t",
	};
	uint32_t			 seed = 99u + (uint32_t)_i;
	struct buf			 in, out;
	const char			*o;
	size_t				 k, n;

	buf_init(&in, 1 << 16);
	buf_init(&out, 1 << 20);
	for (k = 0; k < 300; k++) {
		buf_reset(&in);
		buf_reset(&out);
		for (n = rnd(&seed) % 60; n > 0; n--)
			ck_assert_int_eq(buf_append_str(&in,
			    bits[rnd(&seed) % NITEMS(bits)]), 0);
		ck_assert_int_eq(mime_html_to_text(buf_str(&in), in.len,
		    &out), 0);
		o = buf_str(&out);
		if (out.len == 0)
			continue;
		ck_assert_int_ne(o[0], '\n');
		ck_assert_int_eq(o[out.len - 1], '\n');
		ck_assert_ptr_null(strstr(o, "\n\n\n"));
		ck_assert_ptr_null(strstr(o, " \n"));
		ck_assert_ptr_null(strstr(o, "\t\n"));
		ck_assert_ptr_null(strstr(o, "\n>\n>\n"));
		ck_assert(out.len < 2 || o[out.len - 2] != '\n');
	}
	buf_free(&in);
	buf_free(&out);
}
END_TEST

Suite *
mime_codec_suite(void)
{
	Suite	*s = suite_create("mime_codec");
	TCase	*tc;

	tc = tcase_create("empty");
	tcase_add_test(tc, null_and_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("base64");
	tcase_add_loop_test(tc, base64_decode_table, 0,
	    (int)NITEMS(b64_dec_cases));
	tcase_add_loop_test(tc, base64_encode_table, 0,
	    (int)NITEMS(b64_enc_cases));
	tcase_add_loop_test(tc, base64_roundtrip, 0,
	    (int)NITEMS(b64_line_lens));
	suite_add_tcase(s, tc);

	tc = tcase_create("qp");
	tcase_add_loop_test(tc, qp_decode_table, 0, (int)NITEMS(qp_dec_cases));
	tcase_add_loop_test(tc, qp_encode_table, 0, (int)NITEMS(qp_enc_cases));
	tcase_add_loop_test(tc, qp_roundtrip, 0, 4);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, codec_overflow);
	tcase_add_test(tc, codec_large);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("flowed");
	tcase_add_loop_test(tc, flowed_decode_table, 0,
	    (int)NITEMS(fl_dec_cases));
	tcase_add_loop_test(tc, flowed_encode_table, 0,
	    (int)NITEMS(fl_enc_cases));
	tcase_add_loop_test(tc, flowed_roundtrip, 0, 4);
	tcase_add_test(tc, flowed_quoted_stable);
	suite_add_tcase(s, tc);

	tc = tcase_create("html");
	tcase_add_loop_test(tc, html_table, 0, (int)NITEMS(html_cases));
	tcase_add_test(tc, html_newsletter);
	tcase_add_test(tc, html_reply);
	tcase_add_loop_test(tc, html_output_shape, 0, 4);
	suite_add_tcase(s, tc);

	tc = tcase_create("html_limits");
	tcase_add_test(tc, html_deep_nesting);
	tcase_add_loop_test(tc, html_hostile, 0, (int)NITEMS(hostile));
	tcase_add_test(tc, html_many_links);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
