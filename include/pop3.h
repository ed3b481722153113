/*
 * pop3.h: POP3 (RFC 1939, 2449 CAPA, 2595 STLS, 5034 SASL): what facteur
 * reads from a server, parsed and bounded: status lines, multi-line
 * responses (dot-unstuffed), CAPA, STAT, LIST and UIDL lines, the APOP
 * timestamp of the greeting. Pure functions: no sockets here.
 *
 * Default rule: arguments are borrowed for the duration of the call;
 * strings returned are owned by the caller.
 */
#ifndef FACTEUR_POP3_H
#define FACTEUR_POP3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Longest response line accepted (RFC 1939 says 512 with the CRLF). */
#define POP3_LINE_MAX		4096
/* Longest unique-id (RFC 1939 7: 1 to 70 characters 0x21 to 0x7E). */
#define POP3_UIDL_MAX		70

enum pop3_status {
	POP3_OK,		/* "+OK" */
	POP3_ERR,		/* "-ERR" */
	POP3_CONT,		/* "+ " (a SASL challenge) */
	POP3_BAD		/* anything else */
};

/*
 * The status of a response line and, in *text / *tlen, what follows it
 * (without the space). "+OK", "+OK text", "-ERR", "-ERR text", "+ data"
 * and "+" are recognised; a NUL byte makes the line POP3_BAD.
 */
enum pop3_status pop3_status_line(const char *line, size_t len,
	    const char **text, size_t *tlen);

/*
 * A multi-line response's body, line by line (after its "+OK" line):
 * the line "." ends it, a line starting with "." loses that dot (RFC
 * 1939 3), and each line goes into data with "\n" after it. More than
 * max bytes (set at init) fails.
 */
struct pop3_multi {
	struct buf	 data;
	size_t		 lines;
	bool		 done;
};

enum pop3_feed {
	POP3_FEED_MORE,
	POP3_FEED_DONE,		/* the "." came */
	POP3_FEED_TOO_BIG
};

void	pop3_multi_init(struct pop3_multi *m, size_t max);
void	pop3_multi_reset(struct pop3_multi *m);
void	pop3_multi_free(struct pop3_multi *m);
enum pop3_feed pop3_multi_feed(struct pop3_multi *m, const char *line,
	    size_t len);

/* ------------------------------------------------------------------ */
/* Capabilities                                                        */

#define POP3_CAP_STLS		0x0001
#define POP3_CAP_UIDL		0x0002
#define POP3_CAP_TOP		0x0004
#define POP3_CAP_PIPELINING	0x0008
#define POP3_CAP_USER		0x0010
#define POP3_CAP_SASL_PLAIN	0x0020
#define POP3_CAP_SASL_XOAUTH2	0x0040
#define POP3_CAP_SASL_OAUTHBEARER 0x0080
#define POP3_CAP_RESP_CODES	0x0100
#define POP3_CAP_SASL		0x0200	/* some SASL line */

/* The capabilities of a CAPA response's lines (as pop3_multi holds
 * them: "\n" after each). */
unsigned pop3_capa_parse(const char *data, size_t len);

/* ------------------------------------------------------------------ */
/* Scan listings                                                       */

/* "+OK 12 3456" of STAT: the count and size; -1 when malformed. */
int	pop3_stat_parse(const char *text, size_t len, uint32_t *count,
	    uint64_t *size);
/* "3 1200" of LIST: -1 when malformed (message 0 is). */
int	pop3_list_line_parse(const char *line, size_t len, uint32_t *msg,
	    uint64_t *size);
/* "3 XyZ" of UIDL: the number and the unique-id (*uid points into
 * line); -1 when malformed or the id is not 1 to 70 characters from
 * 0x21 to 0x7E. */
int	pop3_uidl_line_parse(const char *line, size_t len, uint32_t *msg,
	    const char **uid, size_t *uidlen);
bool	pop3_uidl_ok(const char *uid, size_t len);

/* The APOP timestamp of a greeting ("<1896.697170952@dbc.mtview.ca.us>",
 * brackets included), owned, or NULL when there is none. */
char	*pop3_apop_stamp(const char *text, size_t len);

#endif /* FACTEUR_POP3_H */
