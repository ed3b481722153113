/*
 * charset.c: charset labels, conversion to and from UTF-8, UTF-8
 * validation and the terminal sanitizer.
 *
 * Policy (see also doc/VIOLATIONS.md):
 *
 * - Labels are matched ASCII case-insensitively after trimming blanks,
 *   against the table below: the WHATWG Encoding Standard's labels
 *   ("Encodings" table), where the web reads a label as a superset
 *   (latin1 as windows-1252, gb2312 as GB18030, euc-kr as CP949,
 *   shift_jis as CP932), plus the labels mail actually carries that the
 *   web maps to "replacement" or does not know (iso-2022-kr, iso-2022-cn,
 *   utf-7, iso-2022-jp-2, euc-tw, ...). Only names from this table ever
 *   reach iconv_open(): a label from a message is never handed to iconv
 *   as it is (glibc has had bugs in charset-name parsing, CVE-2014-5119,
 *   and in rarely used converters: CVE-2024-2961 in ISO-2022-CN-EXT,
 *   CVE-2021-3326 in ISO-2022-JP-3, both deliberately absent).
 * - ASCII labels (us-ascii, ascii, ...) read as windows-1252, as WHATWG
 *   does, except that 8-bit bytes under an ASCII label are a mislabel:
 *   when the text is valid UTF-8 it is read as UTF-8 (scripts that send
 *   UTF-8 with the default "us-ascii" are common).
 * - An unknown or empty label reads the text as UTF-8 when it is valid,
 *   else as windows-1252 (unknown-8bit, x-unknown, default...).
 * - UTF-8 and windows-1252 are decoded here, without iconv. Invalid UTF-8
 *   becomes one U+FFFD per maximal subpart (Unicode 15.0 section 3.9,
 *   "U+FFFD Substitution of Maximal Subparts", as the WHATWG UTF-8
 *   decoder does). The five bytes windows-1252 leaves undefined (0x81
 *   0x8D 0x8F 0x90 0x9D) become U+FFFD and count as undecodable: WHATWG
 *   maps them to the C1 controls U+0081..., which show nothing useful and
 *   some of which a terminal obeys (0x90 DCS, 0x9D OSC).
 * - With iconv, an invalid sequence (EILSEQ) gives U+FFFD and one byte is
 *   skipped; a truncated sequence at the end (EINVAL) gives U+FFFD. The
 *   converter's output is checked again as UTF-8, so what comes out is
 *   always valid UTF-8.
 * - Each thread keeps its last few decoders open (iconv_open() loads a
 *   gconv module, which costs more than decoding a header), reset to
 *   their initial state before each use and closed when the thread ends.
 */
#include <errno.h>
#include <iconv.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

#define UTF8_BAD	0xFFFFFFFFu	/* an invalid sequence */
#define REPL		"\xEF\xBF\xBD"	/* U+FFFD in UTF-8 */
#define REPL_LEN	3
#define ICONV_CHUNK	4096		/* output bytes per iconv() call */
#define LABEL_MAX	64		/* longer labels are unknown */
#define CD_KEEP		8		/* decoders kept open per thread */

/* The canonical names that are not handed to iconv for decoding. */
#define CS_UTF8		"UTF-8"
#define CS_1252		"windows-1252"

#define CS_GUESS	0x1	/* ASCII label: valid UTF-8 is read as such */

struct cs_alias {
	const char	*label;		/* lower case */
	const char	*name;		/* canonical: decoding */
	const char	*enc;		/* for mime_from_utf8(); NULL: name */
	unsigned	 flags;
};

static const struct cs_alias cs_aliases[] = {
	/* Unicode */
	{ "utf-8", CS_UTF8, NULL, 0 },
	{ "utf8", CS_UTF8, NULL, 0 },
	{ "unicode-1-1-utf-8", CS_UTF8, NULL, 0 },
	{ "unicode11utf8", CS_UTF8, NULL, 0 },
	{ "unicode20utf8", CS_UTF8, NULL, 0 },
	{ "x-unicode20utf8", CS_UTF8, NULL, 0 },
	{ "utf-7", "UTF-7", NULL, 0 },
	{ "utf7", "UTF-7", NULL, 0 },
	{ "unicode-1-1-utf-7", "UTF-7", NULL, 0 },
	{ "csunicode11utf7", "UTF-7", NULL, 0 },
	/* RFC 2781: "utf-16" without a BOM is big-endian. */
	{ "utf-16", "UTF-16", NULL, 0 },
	{ "utf-16be", "UTF-16BE", NULL, 0 },
	{ "utf-16le", "UTF-16LE", NULL, 0 },
	{ "utf-32", "UTF-32", NULL, 0 },
	{ "utf-32be", "UTF-32BE", NULL, 0 },
	{ "utf-32le", "UTF-32LE", NULL, 0 },
	/* ASCII: windows-1252 (WHATWG), UTF-8 when valid (see above) */
	{ "us-ascii", CS_1252, "ASCII", CS_GUESS },
	{ "ascii", CS_1252, "ASCII", CS_GUESS },
	{ "ansi_x3.4-1968", CS_1252, "ASCII", CS_GUESS },
	{ "ansi_x3.4-1986", CS_1252, "ASCII", CS_GUESS },
	{ "iso646-us", CS_1252, "ASCII", CS_GUESS },
	{ "iso_646.irv:1991", CS_1252, "ASCII", CS_GUESS },
	{ "iso-ir-6", CS_1252, "ASCII", CS_GUESS },
	{ "us", CS_1252, "ASCII", CS_GUESS },
	{ "cp367", CS_1252, "ASCII", CS_GUESS },
	{ "ibm367", CS_1252, "ASCII", CS_GUESS },
	{ "csascii", CS_1252, "ASCII", CS_GUESS },
	{ "646", CS_1252, "ASCII", CS_GUESS },
	/* Latin 1: windows-1252 */
	{ "iso-8859-1", CS_1252, "ISO-8859-1", 0 },
	{ "iso8859-1", CS_1252, "ISO-8859-1", 0 },
	{ "iso88591", CS_1252, "ISO-8859-1", 0 },
	{ "iso_8859-1", CS_1252, "ISO-8859-1", 0 },
	{ "iso_8859-1:1987", CS_1252, "ISO-8859-1", 0 },
	{ "iso-ir-100", CS_1252, "ISO-8859-1", 0 },
	{ "latin1", CS_1252, "ISO-8859-1", 0 },
	{ "latin-1", CS_1252, "ISO-8859-1", 0 },
	{ "l1", CS_1252, "ISO-8859-1", 0 },
	{ "cp819", CS_1252, "ISO-8859-1", 0 },
	{ "ibm819", CS_1252, "ISO-8859-1", 0 },
	{ "csisolatin1", CS_1252, "ISO-8859-1", 0 },
	{ "windows-1252", CS_1252, NULL, 0 },
	{ "cp1252", CS_1252, NULL, 0 },
	{ "x-cp1252", CS_1252, NULL, 0 },
	{ "ms-ansi", CS_1252, NULL, 0 },
	/* ISO-8859 */
	{ "iso-8859-2", "ISO-8859-2", NULL, 0 },
	{ "iso8859-2", "ISO-8859-2", NULL, 0 },
	{ "iso88592", "ISO-8859-2", NULL, 0 },
	{ "iso_8859-2", "ISO-8859-2", NULL, 0 },
	{ "iso_8859-2:1987", "ISO-8859-2", NULL, 0 },
	{ "iso-ir-101", "ISO-8859-2", NULL, 0 },
	{ "latin2", "ISO-8859-2", NULL, 0 },
	{ "l2", "ISO-8859-2", NULL, 0 },
	{ "csisolatin2", "ISO-8859-2", NULL, 0 },
	{ "iso-8859-3", "ISO-8859-3", NULL, 0 },
	{ "iso8859-3", "ISO-8859-3", NULL, 0 },
	{ "iso88593", "ISO-8859-3", NULL, 0 },
	{ "iso_8859-3", "ISO-8859-3", NULL, 0 },
	{ "iso_8859-3:1988", "ISO-8859-3", NULL, 0 },
	{ "iso-ir-109", "ISO-8859-3", NULL, 0 },
	{ "latin3", "ISO-8859-3", NULL, 0 },
	{ "l3", "ISO-8859-3", NULL, 0 },
	{ "csisolatin3", "ISO-8859-3", NULL, 0 },
	{ "iso-8859-4", "ISO-8859-4", NULL, 0 },
	{ "iso8859-4", "ISO-8859-4", NULL, 0 },
	{ "iso88594", "ISO-8859-4", NULL, 0 },
	{ "iso_8859-4", "ISO-8859-4", NULL, 0 },
	{ "iso_8859-4:1988", "ISO-8859-4", NULL, 0 },
	{ "iso-ir-110", "ISO-8859-4", NULL, 0 },
	{ "latin4", "ISO-8859-4", NULL, 0 },
	{ "l4", "ISO-8859-4", NULL, 0 },
	{ "csisolatin4", "ISO-8859-4", NULL, 0 },
	{ "iso-8859-5", "ISO-8859-5", NULL, 0 },
	{ "iso8859-5", "ISO-8859-5", NULL, 0 },
	{ "iso88595", "ISO-8859-5", NULL, 0 },
	{ "iso_8859-5", "ISO-8859-5", NULL, 0 },
	{ "iso_8859-5:1988", "ISO-8859-5", NULL, 0 },
	{ "iso-ir-144", "ISO-8859-5", NULL, 0 },
	{ "cyrillic", "ISO-8859-5", NULL, 0 },
	{ "csisolatincyrillic", "ISO-8859-5", NULL, 0 },
	{ "iso-8859-6", "ISO-8859-6", NULL, 0 },
	{ "iso8859-6", "ISO-8859-6", NULL, 0 },
	{ "iso88596", "ISO-8859-6", NULL, 0 },
	{ "iso_8859-6", "ISO-8859-6", NULL, 0 },
	{ "iso_8859-6:1987", "ISO-8859-6", NULL, 0 },
	{ "iso-ir-127", "ISO-8859-6", NULL, 0 },
	{ "iso-8859-6-e", "ISO-8859-6", NULL, 0 },
	{ "iso-8859-6-i", "ISO-8859-6", NULL, 0 },
	{ "arabic", "ISO-8859-6", NULL, 0 },
	{ "asmo-708", "ISO-8859-6", NULL, 0 },
	{ "ecma-114", "ISO-8859-6", NULL, 0 },
	{ "csiso88596e", "ISO-8859-6", NULL, 0 },
	{ "csiso88596i", "ISO-8859-6", NULL, 0 },
	{ "csisolatinarabic", "ISO-8859-6", NULL, 0 },
	{ "iso-8859-7", "ISO-8859-7", NULL, 0 },
	{ "iso8859-7", "ISO-8859-7", NULL, 0 },
	{ "iso88597", "ISO-8859-7", NULL, 0 },
	{ "iso_8859-7", "ISO-8859-7", NULL, 0 },
	{ "iso_8859-7:1987", "ISO-8859-7", NULL, 0 },
	{ "iso-ir-126", "ISO-8859-7", NULL, 0 },
	{ "greek", "ISO-8859-7", NULL, 0 },
	{ "greek8", "ISO-8859-7", NULL, 0 },
	{ "ecma-118", "ISO-8859-7", NULL, 0 },
	{ "elot_928", "ISO-8859-7", NULL, 0 },
	{ "sun_eu_greek", "ISO-8859-7", NULL, 0 },
	{ "csisolatingreek", "ISO-8859-7", NULL, 0 },
	/* Hebrew: the -i (logical order) variant is the same repertoire. */
	{ "iso-8859-8", "ISO-8859-8", NULL, 0 },
	{ "iso8859-8", "ISO-8859-8", NULL, 0 },
	{ "iso88598", "ISO-8859-8", NULL, 0 },
	{ "iso_8859-8", "ISO-8859-8", NULL, 0 },
	{ "iso_8859-8:1988", "ISO-8859-8", NULL, 0 },
	{ "iso-ir-138", "ISO-8859-8", NULL, 0 },
	{ "iso-8859-8-e", "ISO-8859-8", NULL, 0 },
	{ "iso-8859-8-i", "ISO-8859-8", NULL, 0 },
	{ "hebrew", "ISO-8859-8", NULL, 0 },
	{ "visual", "ISO-8859-8", NULL, 0 },
	{ "logical", "ISO-8859-8", NULL, 0 },
	{ "csiso88598e", "ISO-8859-8", NULL, 0 },
	{ "csiso88598i", "ISO-8859-8", NULL, 0 },
	{ "csisolatinhebrew", "ISO-8859-8", NULL, 0 },
	/* Latin 5: windows-1254 */
	{ "iso-8859-9", "windows-1254", "ISO-8859-9", 0 },
	{ "iso8859-9", "windows-1254", "ISO-8859-9", 0 },
	{ "iso88599", "windows-1254", "ISO-8859-9", 0 },
	{ "iso_8859-9", "windows-1254", "ISO-8859-9", 0 },
	{ "iso_8859-9:1989", "windows-1254", "ISO-8859-9", 0 },
	{ "iso-ir-148", "windows-1254", "ISO-8859-9", 0 },
	{ "latin5", "windows-1254", "ISO-8859-9", 0 },
	{ "l5", "windows-1254", "ISO-8859-9", 0 },
	{ "csisolatin5", "windows-1254", "ISO-8859-9", 0 },
	{ "iso-8859-10", "ISO-8859-10", NULL, 0 },
	{ "iso8859-10", "ISO-8859-10", NULL, 0 },
	{ "iso885910", "ISO-8859-10", NULL, 0 },
	{ "iso_8859-10", "ISO-8859-10", NULL, 0 },
	{ "iso-ir-157", "ISO-8859-10", NULL, 0 },
	{ "latin6", "ISO-8859-10", NULL, 0 },
	{ "l6", "ISO-8859-10", NULL, 0 },
	{ "csisolatin6", "ISO-8859-10", NULL, 0 },
	/* Thai: windows-874 */
	{ "iso-8859-11", "windows-874", "ISO-8859-11", 0 },
	{ "iso8859-11", "windows-874", "ISO-8859-11", 0 },
	{ "iso885911", "windows-874", "ISO-8859-11", 0 },
	{ "tis-620", "windows-874", "TIS-620", 0 },
	{ "tis620", "windows-874", "TIS-620", 0 },
	{ "windows-874", "windows-874", NULL, 0 },
	{ "cp874", "windows-874", NULL, 0 },
	{ "dos-874", "windows-874", NULL, 0 },
	{ "iso-8859-13", "ISO-8859-13", NULL, 0 },
	{ "iso8859-13", "ISO-8859-13", NULL, 0 },
	{ "iso885913", "ISO-8859-13", NULL, 0 },
	{ "latin7", "ISO-8859-13", NULL, 0 },
	{ "l7", "ISO-8859-13", NULL, 0 },
	{ "iso-8859-14", "ISO-8859-14", NULL, 0 },
	{ "iso8859-14", "ISO-8859-14", NULL, 0 },
	{ "iso885914", "ISO-8859-14", NULL, 0 },
	{ "latin8", "ISO-8859-14", NULL, 0 },
	{ "l8", "ISO-8859-14", NULL, 0 },
	{ "iso-8859-15", "ISO-8859-15", NULL, 0 },
	{ "iso8859-15", "ISO-8859-15", NULL, 0 },
	{ "iso885915", "ISO-8859-15", NULL, 0 },
	{ "iso_8859-15", "ISO-8859-15", NULL, 0 },
	{ "latin9", "ISO-8859-15", NULL, 0 },
	{ "latin-9", "ISO-8859-15", NULL, 0 },
	{ "l9", "ISO-8859-15", NULL, 0 },
	{ "csisolatin9", "ISO-8859-15", NULL, 0 },
	{ "iso-8859-16", "ISO-8859-16", NULL, 0 },
	{ "iso8859-16", "ISO-8859-16", NULL, 0 },
	{ "latin10", "ISO-8859-16", NULL, 0 },
	{ "l10", "ISO-8859-16", NULL, 0 },
	/* Windows code pages */
	{ "windows-1250", "windows-1250", NULL, 0 },
	{ "cp1250", "windows-1250", NULL, 0 },
	{ "x-cp1250", "windows-1250", NULL, 0 },
	{ "windows-1251", "windows-1251", NULL, 0 },
	{ "cp1251", "windows-1251", NULL, 0 },
	{ "x-cp1251", "windows-1251", NULL, 0 },
	{ "windows-1253", "windows-1253", NULL, 0 },
	{ "cp1253", "windows-1253", NULL, 0 },
	{ "x-cp1253", "windows-1253", NULL, 0 },
	{ "windows-1254", "windows-1254", NULL, 0 },
	{ "cp1254", "windows-1254", NULL, 0 },
	{ "x-cp1254", "windows-1254", NULL, 0 },
	{ "windows-1255", "windows-1255", NULL, 0 },
	{ "cp1255", "windows-1255", NULL, 0 },
	{ "x-cp1255", "windows-1255", NULL, 0 },
	{ "windows-1256", "windows-1256", NULL, 0 },
	{ "cp1256", "windows-1256", NULL, 0 },
	{ "x-cp1256", "windows-1256", NULL, 0 },
	{ "windows-1257", "windows-1257", NULL, 0 },
	{ "cp1257", "windows-1257", NULL, 0 },
	{ "x-cp1257", "windows-1257", NULL, 0 },
	{ "windows-1258", "windows-1258", NULL, 0 },
	{ "cp1258", "windows-1258", NULL, 0 },
	{ "x-cp1258", "windows-1258", NULL, 0 },
	/* Cyrillic and DOS */
	{ "koi8-r", "KOI8-R", NULL, 0 },
	{ "koi8_r", "KOI8-R", NULL, 0 },
	{ "koi8r", "KOI8-R", NULL, 0 },
	{ "koi8", "KOI8-R", NULL, 0 },
	{ "koi", "KOI8-R", NULL, 0 },
	{ "cskoi8r", "KOI8-R", NULL, 0 },
	{ "koi8-u", "KOI8-U", NULL, 0 },
	{ "koi8-ru", "KOI8-U", NULL, 0 },
	{ "ibm866", "IBM866", NULL, 0 },
	{ "cp866", "IBM866", NULL, 0 },
	{ "866", "IBM866", NULL, 0 },
	{ "csibm866", "IBM866", NULL, 0 },
	{ "ibm437", "IBM437", NULL, 0 },
	{ "cp437", "IBM437", NULL, 0 },
	{ "437", "IBM437", NULL, 0 },
	{ "ibm850", "IBM850", NULL, 0 },
	{ "cp850", "IBM850", NULL, 0 },
	{ "850", "IBM850", NULL, 0 },
	{ "ibm852", "IBM852", NULL, 0 },
	{ "cp852", "IBM852", NULL, 0 },
	{ "852", "IBM852", NULL, 0 },
	/* Macintosh */
	{ "macintosh", "MACINTOSH", NULL, 0 },
	{ "mac", "MACINTOSH", NULL, 0 },
	{ "x-mac-roman", "MACINTOSH", NULL, 0 },
	{ "csmacintosh", "MACINTOSH", NULL, 0 },
	{ "x-mac-cyrillic", "MAC-CYRILLIC", NULL, 0 },
	{ "x-mac-ukrainian", "MAC-CYRILLIC", NULL, 0 },
	{ "mac-cyrillic", "MAC-CYRILLIC", NULL, 0 },
	/* Chinese: GB18030 reads GB2312 and GBK */
	{ "gb18030", "GB18030", NULL, 0 },
	{ "gbk", "GB18030", "GBK", 0 },
	{ "x-gbk", "GB18030", "GBK", 0 },
	{ "cp936", "GB18030", "GBK", 0 },
	{ "ms936", "GB18030", "GBK", 0 },
	{ "windows-936", "GB18030", "GBK", 0 },
	{ "gb2312", "GB18030", "GB2312", 0 },
	{ "gb_2312", "GB18030", "GB2312", 0 },
	{ "gb_2312-80", "GB18030", "GB2312", 0 },
	{ "csgb2312", "GB18030", "GB2312", 0 },
	{ "csiso58gb231280", "GB18030", "GB2312", 0 },
	{ "iso-ir-58", "GB18030", "GB2312", 0 },
	{ "euc-cn", "GB18030", "GB2312", 0 },
	{ "x-euc-cn", "GB18030", "GB2312", 0 },
	{ "chinese", "GB18030", "GB2312", 0 },
	{ "big5", "BIG5-HKSCS", "BIG5", 0 },
	{ "big5-hkscs", "BIG5-HKSCS", NULL, 0 },
	{ "cn-big5", "BIG5-HKSCS", "BIG5", 0 },
	{ "csbig5", "BIG5-HKSCS", "BIG5", 0 },
	{ "x-x-big5", "BIG5-HKSCS", "BIG5", 0 },
	{ "x-big5", "BIG5-HKSCS", "BIG5", 0 },
	{ "cp950", "BIG5-HKSCS", "CP950", 0 },
	{ "euc-tw", "EUC-TW", NULL, 0 },
	{ "x-euc-tw", "EUC-TW", NULL, 0 },
	{ "iso-2022-cn", "ISO-2022-CN", NULL, 0 },
	{ "csiso2022cn", "ISO-2022-CN", NULL, 0 },
	/* Japanese. ISO-2022-JP-2 also reads half-width katakana (ESC ( I),
	 * common in mail labelled iso-2022-jp. "_iso-2022-jp$ESC" is what an
	 * old Outlook Express wrote. */
	{ "iso-2022-jp", "ISO-2022-JP-2", "ISO-2022-JP", 0 },
	{ "csiso2022jp", "ISO-2022-JP-2", "ISO-2022-JP", 0 },
	{ "_iso-2022-jp$esc", "ISO-2022-JP-2", "ISO-2022-JP", 0 },
	{ "iso-2022-jp-2", "ISO-2022-JP-2", NULL, 0 },
	{ "csiso2022jp2", "ISO-2022-JP-2", NULL, 0 },
	{ "shift_jis", "CP932", "SHIFT_JIS", 0 },
	{ "shift-jis", "CP932", "SHIFT_JIS", 0 },
	{ "sjis", "CP932", "SHIFT_JIS", 0 },
	{ "x-sjis", "CP932", "SHIFT_JIS", 0 },
	{ "ms_kanji", "CP932", "SHIFT_JIS", 0 },
	{ "csshiftjis", "CP932", "SHIFT_JIS", 0 },
	{ "windows-31j", "CP932", NULL, 0 },
	{ "cswindows31j", "CP932", NULL, 0 },
	{ "cp932", "CP932", NULL, 0 },
	{ "ms932", "CP932", NULL, 0 },
	{ "x-ms-cp932", "CP932", NULL, 0 },
	{ "euc-jp", "EUC-JP", NULL, 0 },
	{ "x-euc-jp", "EUC-JP", NULL, 0 },
	{ "cseucpkdfmtjapanese", "EUC-JP", NULL, 0 },
	/* Korean: CP949 (UHC) reads EUC-KR */
	{ "euc-kr", "CP949", "EUC-KR", 0 },
	{ "cseuckr", "CP949", "EUC-KR", 0 },
	{ "ks_c_5601-1987", "CP949", NULL, 0 },
	{ "ks_c_5601-1989", "CP949", NULL, 0 },
	{ "ksc5601", "CP949", NULL, 0 },
	{ "ksc_5601", "CP949", NULL, 0 },
	{ "csksc56011987", "CP949", NULL, 0 },
	{ "iso-ir-149", "CP949", NULL, 0 },
	{ "korean", "CP949", NULL, 0 },
	{ "windows-949", "CP949", NULL, 0 },
	{ "cp949", "CP949", NULL, 0 },
	{ "uhc", "CP949", NULL, 0 },
	{ "iso-2022-kr", "ISO-2022-KR", NULL, 0 },
	{ "csiso2022kr", "ISO-2022-KR", NULL, 0 },
	{ "johab", "JOHAB", NULL, 0 },
	/* Others seen in mail */
	{ "viscii", "VISCII", NULL, 0 },
	{ "csviscii", "VISCII", NULL, 0 },
	{ "tcvn", "TCVN5712-1", NULL, 0 },
	{ "tcvn-5712", "TCVN5712-1", NULL, 0 },
	{ "tcvn5712-1", "TCVN5712-1", NULL, 0 },
	{ "armscii-8", "ARMSCII-8", NULL, 0 },
	{ "georgian-ps", "GEORGIAN-PS", NULL, 0 },
};

/*
 * windows-1252 0x80-0x9F (WHATWG index-windows-1252); 0 marks the five
 * undefined bytes. 0xA0-0xFF are U+00A0-U+00FF.
 */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

static const struct cs_alias *
cs_find(const char *label)
{
	size_t	i, n;

	if (label == NULL)
		return NULL;
	/* WHATWG "get an encoding": strip leading and trailing blanks. */
	while (*label == ' ' || *label == '\t' || *label == '\n' ||
	    *label == '\r' || *label == '\f')
		label++;
	n = strlen(label);
	while (n > 0 && (label[n - 1] == ' ' || label[n - 1] == '\t' ||
	    label[n - 1] == '\n' || label[n - 1] == '\r' ||
	    label[n - 1] == '\f'))
		n--;
	if (n == 0 || n >= LABEL_MAX)
		return NULL;
	for (i = 0; i < sizeof(cs_aliases) / sizeof(cs_aliases[0]); i++) {
		const struct cs_alias	*a = &cs_aliases[i];

		if (strlen(a->label) == n &&
		    ascii_ncasecmp(a->label, label, n) == 0)
			return a;
	}
	return NULL;
}

const char *
mime_charset_canonical(const char *label)
{
	const struct cs_alias	*a = cs_find(label);

	return a != NULL ? a->name : NULL;
}

/* ------------------------------------------------------------------ */
/* UTF-8                                                               */

/*
 * Decode one sequence at s (n > 0 bytes): returns its length and sets
 * *cp, or UTF8_BAD for an invalid sequence whose length is then that of
 * its maximal subpart (at least 1). The ranges are those of Unicode 15.0
 * Table 3-7: no overlongs, no surrogates, nothing past U+10FFFF.
 */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned	 c = s[0], lo = 0x80, hi = 0xBF;
	size_t		 need, i;
	uint32_t	 v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		v = c & 0x0F;
		lo = c == 0xE0 ? 0xA0 : 0x80;
		hi = c == 0xED ? 0x9F : 0xBF;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		v = c & 0x07;
		lo = c == 0xF0 ? 0x90 : 0x80;
		hi = c == 0xF4 ? 0x8F : 0xBF;
	} else {
		*cp = UTF8_BAD;
		return 1;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*cp = UTF8_BAD;
			return i;
		}
		v = v << 6 | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return need + 1;
}

/* The UTF-8 form of cp (at most U+10FFFF) into out; its length. */
static size_t
utf8_put(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

bool
mime_utf8_valid(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0;
	uint32_t		 cp;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		i += utf8_next(p + i, n - i, &cp);
		if (cp == UTF8_BAD)
			return false;
	}
	return true;
}

/*
 * Copy UTF-8 to out, each invalid maximal subpart replaced by U+FFFD.
 * Returns the number of replacements, or -1 when out is full.
 */
static int
utf8_repair(const char *s, size_t n, struct buf *out)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, run = 0, len;
	uint32_t		 cp;
	int			 bad = 0;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		len = utf8_next(p + i, n - i, &cp);
		if (cp != UTF8_BAD) {
			i += len;
			continue;
		}
		if (buf_append(out, s + run, i - run) == -1 ||
		    buf_append(out, REPL, REPL_LEN) == -1)
			return -1;
		if (bad < INT_MAX)
			bad++;
		i += len;
		run = i;
	}
	if (buf_append(out, s + run, n - run) == -1)
		return -1;
	return bad;
}

/* ------------------------------------------------------------------ */
/* windows-1252                                                        */

static int
cp1252_decode(const char *s, size_t n, struct buf *out)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, run = 0, len;
	uint32_t		 cp;
	char			 u[4];
	int			 bad = 0;

	for (i = 0; i < n; i++) {
		if (p[i] < 0x80)
			continue;
		cp = p[i] >= 0xA0 ? p[i] : cp1252_high[p[i] - 0x80];
		if (buf_append(out, s + run, i - run) == -1)
			return -1;
		run = i + 1;
		if (cp == 0) {
			if (bad < INT_MAX)
				bad++;
			if (buf_append(out, REPL, REPL_LEN) == -1)
				return -1;
			continue;
		}
		len = utf8_put(cp, u);
		if (buf_append(out, u, len) == -1)
			return -1;
	}
	if (buf_append(out, s + run, n - run) == -1)
		return -1;
	return bad;
}

/* Unknown label, or 8-bit text under an ASCII one: UTF-8 if valid. */
static int
guess_decode(const char *s, size_t n, struct buf *out)
{
	if (mime_utf8_valid(s, n))
		return buf_append(out, s, n);
	return cp1252_decode(s, n, out);
}

/* ------------------------------------------------------------------ */
/* iconv                                                               */

/*
 * Run cd over [in, in + len), appending to out, then flush its shift
 * state. With repl (decoding to UTF-8), an invalid sequence (EILSEQ)
 * gives U+FFFD and one byte is skipped, a truncated one at the end
 * (EINVAL) gives U+FFFD; without it any error fails. Every turn either
 * consumes input, produces output or returns, so this always ends.
 * Returns the number of replacements, or -1 (out full, or an error).
 */
static int
iconv_run(iconv_t cd, const char *in, size_t len, bool repl,
    struct buf *out)
{
	char	*ip = (char *)in;
	size_t	 ileft = len;
	int	 bad = 0;

	for (;;) {
		size_t	 room = out->max - out->len, oleft, r;
		char	*o0, *op;
		bool	 flushing = ileft == 0;
		int	 err;

		if (room > ICONV_CHUNK)
			room = ICONV_CHUNK;
		o0 = buf_reserve(out, room);
		if (o0 == NULL)
			return -1;
		op = o0;
		oleft = room;
		errno = 0;
		if (flushing)
			r = iconv(cd, NULL, NULL, &op, &oleft);
		else
			r = iconv(cd, &ip, &ileft, &op, &oleft);
		err = errno;
		buf_commit(out, (size_t)(op - o0));
		if (r != (size_t)-1) {
			if (flushing)
				return bad;
			continue;
		}
		if (err == E2BIG) {
			if (op == o0)
				return -1;	/* not even one character */
			continue;
		}
		if (!repl || flushing)
			return repl ? bad : -1;
		if (err == EINVAL)
			ileft = 0;
		else {
			ip++;
			ileft--;
		}
		if (bad < INT_MAX)
			bad++;
		if (buf_append(out, REPL, REPL_LEN) == -1)
			return -1;
	}
}

/* A thread's open decoders to UTF-8, by canonical name (the table's
 * pointers, so that names compare as pointers). */
struct cd_cache {
	const char	*name[CD_KEEP];
	iconv_t		 cd[CD_KEEP];
	unsigned	 next;		/* slot to reuse when all are taken */
};

static pthread_key_t	cd_key;
static pthread_once_t	cd_once = PTHREAD_ONCE_INIT;
static bool		cd_key_ok;

static void
cd_cache_free(void *p)
{
	struct cd_cache	*c = p;
	unsigned	 i;

	for (i = 0; i < CD_KEEP; i++)
		if (c->name[i] != NULL)
			(void)iconv_close(c->cd[i]);
	free(c);
}

static void
cd_key_init(void)
{
	cd_key_ok = pthread_key_create(&cd_key, cd_cache_free) == 0;
}

/* This thread's cache, or NULL when there can be none. */
static struct cd_cache *
cd_cache_get(void)
{
	struct cd_cache	*c;

	if (pthread_once(&cd_once, cd_key_init) != 0 || !cd_key_ok)
		return NULL;
	c = pthread_getspecific(cd_key);
	if (c != NULL)
		return c;
	c = calloc(1, sizeof(*c));
	if (c != NULL && pthread_setspecific(cd_key, c) != 0) {
		free(c);
		c = NULL;
	}
	return c;
}

/*
 * A decoder from name to UTF-8 in its initial state, or (iconv_t)-1.
 * *owned: the caller closes it (no cache); else the cache keeps it.
 */
static iconv_t
cd_decoder(const char *name, bool *owned)
{
	struct cd_cache	*c = cd_cache_get();
	iconv_t		 cd;
	unsigned	 i;

	*owned = c == NULL;
	if (c == NULL)
		return iconv_open("UTF-8", name);
	for (i = 0; i < CD_KEEP; i++)
		if (c->name[i] == name) {
			(void)iconv(c->cd[i], NULL, NULL, NULL, NULL);
			return c->cd[i];
		}
	cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1)
		return cd;
	i = c->next;
	c->next = (c->next + 1) % CD_KEEP;
	if (c->name[i] != NULL)
		(void)iconv_close(c->cd[i]);
	c->name[i] = name;
	c->cd[i] = cd;
	return cd;
}

/*
 * Decode with iconv. The result goes through utf8_repair() so that out
 * only ever receives valid UTF-8, whatever the converter does. A name
 * iconv does not know here (a glibc without its gconv modules) falls
 * back to guessing.
 */
static int
iconv_decode(const char *name, const char *in, size_t len,
    struct buf *out)
{
	struct buf	 tmp;
	iconv_t		 cd;
	bool		 owned;
	int		 bad, r;

	cd = cd_decoder(name, &owned);
	if (cd == (iconv_t)-1)
		return guess_decode(in, len, out);
	buf_init(&tmp, out->max - out->len);
	bad = iconv_run(cd, in, len, true, &tmp);
	if (owned)
		(void)iconv_close(cd);
	/* Even when out is full, what was converted is kept. */
	r = utf8_repair(buf_str(&tmp), tmp.len, out);
	buf_free(&tmp);
	if (bad == -1 || r == -1)
		return -1;
	return bad > INT_MAX - r ? INT_MAX : bad + r;
}

int
mime_to_utf8(const char *charset, const char *in, size_t len,
    struct buf *out)
{
	const struct cs_alias	*a = cs_find(charset);

	if (in == NULL || len == 0)
		return buf_append(out, "", 0);
	if (a == NULL || (a->flags & CS_GUESS))
		return guess_decode(in, len, out);
	if (strcmp(a->name, CS_UTF8) == 0)
		return utf8_repair(in, len, out);
	if (strcmp(a->name, CS_1252) == 0)
		return cp1252_decode(in, len, out);
	return iconv_decode(a->name, in, len, out);
}

int
mime_from_utf8(const char *charset, const char *in, size_t len,
    struct buf *out)
{
	const struct cs_alias	*a = cs_find(charset);
	const char		*enc;
	size_t			 old = out->len;
	iconv_t			 cd;
	int			 r;

	if (in == NULL)
		in = "";
	if (a == NULL || !mime_utf8_valid(in, len))
		return -1;
	enc = a->enc != NULL ? a->enc : a->name;
	if (strcmp(enc, CS_UTF8) == 0)
		return buf_append(out, in, len);
	cd = iconv_open(enc, "UTF-8");
	if (cd == (iconv_t)-1)
		return -1;
	r = iconv_run(cd, in, len, false, out);
	(void)iconv_close(cd);
	if (r != 0) {
		buf_truncate(out, old);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The sanitizer                                                       */

/*
 * Code points shown as U+FFFD: the C1 controls (a terminal may obey
 * them: CSI, OSC, DCS), and the bidi embedding, override and isolate
 * controls U+202A-U+202E and U+2066-U+2069. Those can make a subject
 * or a file name display reversed in a bidi-aware terminal (the RLO
 * "invoice\u202Efdp.exe" trick, and CVE-2021-42574 for source code);
 * U+FFFD neutralises them and shows that something was there. The
 * implicit marks (U+200E, U+200F, U+061C) cannot reorder a run by
 * themselves and are kept.
 */
static bool
cp_unsafe(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) ||
	    (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * What a C0 control or DEL at p[0] (with n bytes left) becomes: written
 * to rep, its length returned (0: dropped).
 */
static size_t
c0_replacement(const unsigned char *p, size_t n, bool keep_newlines,
    char rep[2])
{
	if (p[0] == '\n' || p[0] == '\t') {
		rep[0] = keep_newlines ? (char)p[0] : ' ';
		return 1;
	}
	if (p[0] == '\r' && n > 1 && p[1] == '\n')
		return 0;		/* CR LF is a newline */
	rep[0] = '^';
	rep[1] = p[0] == 0x7F ? '?' : (char)(p[0] + 0x40);
	return 2;
}

int
mime_sanitize(const char *s, size_t n, bool keep_newlines,
    struct buf *out)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, run = 0, len;
	uint32_t		 cp;
	char			 rep[2];

	if (s == NULL)
		return buf_append(out, "", 0);
	while (i < n) {
		if (p[i] >= 0x20 && p[i] < 0x7F) {
			i++;
			continue;
		}
		if (keep_newlines && (p[i] == '\n' || p[i] == '\t')) {
			i++;
			continue;
		}
		if (p[i] >= 0x80) {
			len = utf8_next(p + i, n - i, &cp);
			if (cp != UTF8_BAD && !cp_unsafe(cp)) {
				i += len;
				continue;
			}
			if (buf_append(out, s + run, i - run) == -1 ||
			    buf_append(out, REPL, REPL_LEN) == -1)
				return -1;
			i += len;
			run = i;
			continue;
		}
		len = c0_replacement(p + i, n - i, keep_newlines, rep);
		if (buf_append(out, s + run, i - run) == -1 ||
		    buf_append(out, rep, len) == -1)
			return -1;
		run = ++i;
	}
	return buf_append(out, s + run, n - run);
}
