/*
 * fuzz_mutf7.c: libFuzzer target for mailbox names (src/proto/
 * imap_mailbox.c). The input is a byte string.
 *
 * As modified UTF-7: when it decodes, encoding the result gives back
 * exactly the input (the encoding is canonical, so decode must refuse
 * every other spelling). As UTF-8 (up to its first NUL): the encoder
 * accepts it exactly when RFC 3629's grammar, checked here on its own,
 * does and it holds no control character; its output is printable ASCII
 * and decodes back to the input. Any name that maps to a local folder
 * gives a path that cannot climb out, and maps back to the name.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap.h"

/*
 * The length of the UTF-8 sequence at s by the byte ranges of RFC 3629
 * section 4 (UTF8-2, UTF8-3, UTF8-4), not by decoding: 0 when invalid.
 * Controls count as invalid, as the encoder refuses them.
 */
static size_t
seq_len(const unsigned char *s)
{
	static const struct {
		unsigned char	lo0, hi0, lo1, hi1;
		size_t		len;
	} rows[] = {
		{ 0xc2, 0xdf, 0x80, 0xbf, 2 },
		{ 0xe0, 0xe0, 0xa0, 0xbf, 3 },
		{ 0xe1, 0xec, 0x80, 0xbf, 3 },
		{ 0xed, 0xed, 0x80, 0x9f, 3 },
		{ 0xee, 0xef, 0x80, 0xbf, 3 },
		{ 0xf0, 0xf0, 0x90, 0xbf, 4 },
		{ 0xf1, 0xf3, 0x80, 0xbf, 4 },
		{ 0xf4, 0xf4, 0x80, 0x8f, 4 },
	};
	size_t	r, i;

	if (s[0] < 0x80)
		return s[0] >= 0x20 && s[0] != 0x7f ? 1 : 0;
	for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		if (s[0] < rows[r].lo0 || s[0] > rows[r].hi0)
			continue;
		if (s[1] < rows[r].lo1 || s[1] > rows[r].hi1)
			return 0;
		for (i = 2; i < rows[r].len; i++)
			if (s[i] < 0x80 || s[i] > 0xbf)
				return 0;
		return rows[r].len;
	}
	return 0;
}

static bool
utf8_name_ok(const char *s)
{
	size_t	n;

	while (*s != '\0') {
		n = seq_len((const unsigned char *)s);
		if (n == 0)
			return false;
		s += n;
	}
	return true;
}

static void
check_decode(const uint8_t *data, size_t size)
{
	char	*dec, *enc;

	dec = imap_mutf7_decode((const char *)data, size);
	if (dec == NULL)
		return;
	if (memchr(data, '\0', size) != NULL || !utf8_name_ok(dec))
		abort();
	enc = imap_mutf7_encode(dec);
	if (enc == NULL || strlen(enc) != size || memcmp(enc, data, size) != 0)
		abort();
	free(enc);
	free(dec);
}

static void
check_encode(const char *s)
{
	char	*enc, *dec;
	size_t	 i;

	enc = imap_mutf7_encode(s);
	if ((enc != NULL) != utf8_name_ok(s))
		abort();
	if (enc == NULL)
		return;
	for (i = 0; enc[i] != '\0'; i++)
		if (enc[i] < 0x20 || enc[i] > 0x7e)
			abort();
	dec = imap_mutf7_decode(enc, i);
	if (dec == NULL || strcmp(dec, s) != 0)
		abort();
	free(dec);
	free(enc);
}

/* Each level of a folder must be a plain directory name. */
static void
check_level(const char *p, size_t n)
{
	size_t	i;

	if (n == 0 || p[0] == '.' || n > 255)
		abort();
	if (n == 3 && (ascii_ncasecmp(p, "cur", 3) == 0 ||
	    ascii_ncasecmp(p, "new", 3) == 0 ||
	    ascii_ncasecmp(p, "tmp", 3) == 0))
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f ||
		    p[i] == '\\')
			abort();
}

static void
check_folder(const char *name, char delim)
{
	char		 why[128], *folder, *back;
	const char	*p, *slash;
	bool		 inbox;

	why[0] = 'X';
	folder = imap_mailbox_to_folder(name, delim, why, sizeof(why));
	if (folder == NULL) {
		if (why[0] == '\0' || memchr(why, '\0', sizeof(why)) == NULL)
			abort();
		return;
	}
	if (strlen(folder) > 1024 || strlen(folder) != strlen(name))
		abort();
	for (p = folder; ; p = slash + 1) {
		slash = strchr(p, '/');
		check_level(p, slash == NULL ? strlen(p) : (size_t)(slash - p));
		if (slash == NULL)
			break;
	}
	back = imap_folder_to_mailbox(folder, delim);
	if (back == NULL)
		abort();
	/* Back as sent, but for INBOX's spelling as the first level. */
	inbox = strncmp(folder, "INBOX", 5) == 0 &&
	    (folder[5] == '\0' || folder[5] == '/');
	if (strcmp(back + (inbox ? 5 : 0), name + (inbox ? 5 : 0)) != 0)
		abort();
	free(back);
	free(folder);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char	 delims[] = { '/', '.', 0, '\\' };
	char			*s, *dec;
	size_t			 i;

	check_decode(data, size);

	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_encode(s);
	/* Raw bytes, as a UTF8=ACCEPT server could send them, and the
	 * input decoded, as most servers send names. */
	for (i = 0; i < sizeof(delims); i++)
		check_folder(s, delims[i]);
	dec = imap_mutf7_decode((const char *)data, size);
	if (dec != NULL) {
		for (i = 0; i < sizeof(delims); i++)
			check_folder(dec, delims[i]);
		free(dec);
	}
	free(s);
	return 0;
}
