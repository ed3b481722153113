/*
 * imap_read.c: whole IMAP responses from a connection. A response is a
 * line, and when the line ends with a literal length "{N}", N raw bytes and
 * the line that continues it, and so on. The reader puts them back
 * together in wire form (the CRLF after each "{N}" restored) for
 * imap_parse(), without blocking: it returns IMAP_READ_WAIT until the whole
 * response is in.
 *
 * Bounds: a line is bounded by the connection (max_line), one literal by
 * max_literal, the whole response by max_response; a length beyond them
 * fails the connection before any of its bytes is read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "imap.h"

struct imap_reader {
	struct imap_limits	 lim;
	struct buf		 resp;		/* the response so far */
	size_t			 need;		/* literal bytes still due */
	bool			 done;		/* resp was handed out */
};

struct imap_reader *
imap_reader_new(const struct imap_limits *limits)
{
	struct imap_reader	*rd = xcalloc(1, sizeof(*rd));

	if (limits != NULL)
		rd->lim = *limits;
	if (rd->lim.max_literal == 0)
		rd->lim.max_literal = IMAP_DEFAULT_LITERAL;
	if (rd->lim.max_response == 0)
		rd->lim.max_response = rd->lim.max_literal +
		    IMAP_DEFAULT_RESPONSE;
	buf_init(&rd->resp, rd->lim.max_response);
	return rd;
}

void
imap_reader_free(struct imap_reader **rd)
{
	if (rd == NULL || *rd == NULL)
		return;
	buf_free(&(*rd)->resp);
	free(*rd);
	*rd = NULL;
}

/*
 * The literal length a line ends with ("{N}"), or -1 when it does not end
 * with one, or -2 when it does with a length that cannot be (too many
 * digits). "{N+}" is a client's non-synchronising literal: a server may
 * not send one, so it is not a literal here (and the parser rejects it).
 */
static int64_t
literal_at_end(const char *line, size_t len)
{
	size_t		i, digits = 0;
	uint64_t	n = 0;

	if (len < 3 || line[len - 1] != '}')
		return -1;
	i = len - 1;
	while (i > 0 && line[i - 1] >= '0' && line[i - 1] <= '9') {
		i--;
		digits++;
	}
	if (digits == 0 || i == 0 || line[i - 1] != '{')
		return -1;
	if (digits > 18)
		return -2;
	for (; i < len - 1; i++)
		n = n * 10 + (uint64_t)(line[i] - '0');
	return (int64_t)n;
}

static enum imap_read
read_fail(struct net_conn *conn, char *err, size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0)
		(void)snprintf(err, errlen, "%s", msg);
	net_conn_fail(conn, NET_ERR_TOO_LONG, "%s: %s", net_conn_peer(conn),
	    msg);
	return IMAP_READ_FAIL;
}

/* Take literal bytes as they arrive. */
static bool
take_literal(struct imap_reader *rd, struct net_conn *conn)
{
	const char	*data;
	size_t		 have, n;

	while (rd->need > 0) {
		have = net_conn_peek(conn, &data);
		if (have == 0)
			return false;
		n = have < rd->need ? have : rd->need;
		if (buf_append(&rd->resp, data, n) == -1)
			return false;	/* cannot be: checked on entry */
		net_conn_consume(conn, n);
		rd->need -= n;
	}
	return true;
}

enum imap_read
imap_reader_next(struct imap_reader *rd, struct net_conn *conn,
    const char **data, size_t *len, char *err, size_t errlen)
{
	const char	*line;
	size_t		 llen;
	int64_t		 lit;
	char		 msg[160];

	if (rd->done) {
		buf_reset(&rd->resp);
		rd->done = false;
	}
	for (;;) {
		if (!take_literal(rd, conn)) {
			if (net_conn_error(conn) != NET_OK ||
			    net_conn_at_eof(conn))
				return read_fail(conn, err, errlen,
				    "connection closed inside a literal");
			return IMAP_READ_WAIT;
		}
		switch (net_conn_read_line(conn, &line, &llen)) {
		case NET_LINE_WAIT:
			if (net_conn_at_eof(conn) && rd->resp.len > 0)
				return read_fail(conn, err, errlen,
				    "connection closed inside a response");
			return IMAP_READ_WAIT;
		case NET_LINE_FAIL:
			if (err != NULL && errlen > 0)
				(void)snprintf(err, errlen, "%s",
				    net_conn_errmsg(conn));
			return IMAP_READ_FAIL;
		case NET_LINE_OK:
			break;
		}
		if (rd->resp.len + llen + 2 > rd->lim.max_response)
			return read_fail(conn, err, errlen,
			    "response larger than the limit");
		if (buf_append(&rd->resp, line, llen) == -1 ||
		    buf_append(&rd->resp, "\r\n", 2) == -1)
			return read_fail(conn, err, errlen,
			    "response larger than the limit");
		lit = literal_at_end(line, llen);
		if (lit == -1) {
			rd->done = true;
			*data = rd->resp.data;
			*len = rd->resp.len;
			return IMAP_READ_OK;
		}
		if (lit == -2)
			return read_fail(conn, err, errlen,
			    "literal length out of range");
		if ((uint64_t)lit > rd->lim.max_literal) {
			(void)snprintf(msg, sizeof(msg), "literal of %lld "
			    "bytes is larger than the limit of %zu",
			    (long long)lit, rd->lim.max_literal);
			return read_fail(conn, err, errlen, msg);
		}
		if ((uint64_t)lit > rd->lim.max_response - rd->resp.len)
			return read_fail(conn, err, errlen,
			    "response larger than the limit");
		rd->need = (size_t)lit;
	}
}
