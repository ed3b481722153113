/*
 * outgoing.c: a message handed to `facteur send` made ready to submit:
 * its recipients (To, Cc and Bcc), Date, Message-ID and From added when
 * missing, and the bytes transmitted without the Bcc fields. The kept
 * copy (outbox, Sent) keeps Bcc, as mutt's does, so that the sender can
 * see later to whom it went. Preparing a prepared copy again changes
 * nothing: the outbox re-derives the envelope from what it keeps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mime.h"

void
mime_outgoing_free(struct mime_outgoing *o)
{
	size_t	i;

	for (i = 0; i < o->nrcpt; i++)
		free(o->rcpt[i]);
	free(o->rcpt);
	free(o->copy);
	free(o->wire);
	free(o->message_id);
	memset(o, 0, sizeof(*o));
}

static bool
is_field(const struct mime_field *f, const char *name)
{
	return f->name_len == strlen(name) &&
	    ascii_ncasecmp(f->name, name, f->name_len) == 0;
}

/* The bytes of field f, its folded lines and its line end included. */
static size_t
field_end(const char *msg, size_t len, const struct mime_field *f)
{
	size_t	e = (size_t)(f->value - msg) + f->value_len;

	if (e < len && msg[e] == '\r')
		e++;
	if (e < len && msg[e] == '\n')
		e++;
	return e;
}

static int
add_rcpt(struct mime_outgoing *o, const char *addr, const char *field,
    char *err, size_t errlen)
{
	size_t	i;

	if (!mime_addr_valid(addr) || strlen(addr) > MIME_OUT_ADDR_MAX) {
		(void)fct_snprintf(err, errlen, "%s: \"%s\" is not a valid "
		    "address", field, addr);
		return -1;
	}
	for (i = 0; i < o->nrcpt; i++)
		if (ascii_casecmp(o->rcpt[i], addr) == 0)
			return 0;
	if (o->nrcpt >= MIME_MAX_ADDRS) {
		(void)fct_snprintf(err, errlen, "too many recipients");
		return -1;
	}
	o->rcpt = xreallocarray(o->rcpt, o->nrcpt + 1, sizeof(*o->rcpt));
	o->rcpt[o->nrcpt++] = xstrdup(addr);
	return 0;
}

/* Every address of every To, Cc and Bcc field. */
static int
collect(struct mime_outgoing *o, const struct mime_headers *h, char *err,
    size_t errlen)
{
	static const char *const names[] = { "To", "Cc", "Bcc" };
	const struct mime_field	*f;
	struct mime_addr_list	 l;
	size_t			 i, k;
	int			 rc = 0;

	for (i = 0; i < 3 && rc == 0; i++)
		for (f = mime_headers_get(h, names[i]); f != NULL && rc == 0;
		    f = mime_headers_next(h, f, names[i])) {
			memset(&l, 0, sizeof(l));
			mime_addr_parse(f->value, f->value_len, NULL, &l);
			for (k = 0; k < l.n && rc == 0; k++)
				if (l.v[k].addr != NULL)
					rc = add_rcpt(o, l.v[k].addr,
					    names[i], err, errlen);
			mime_addr_list_free(&l);
		}
	if (rc == 0 && o->nrcpt == 0) {
		(void)fct_snprintf(err, errlen, "no recipient (To, Cc and Bcc "
		    "name nobody)");
		rc = -1;
	}
	return rc;
}

/* The fields to add in front: Date, Message-ID and From when missing. */
static void
missing_fields(struct mime_outgoing *o, const struct mime_headers *h,
    const struct mime_out_params *p, struct buf *b)
{
	const struct mime_field	*f;
	const char		*at;
	char			 date[64], *id;

	if (mime_headers_get(h, "Date") == NULL) {
		mime_date_rfc5322(p->now, p->tz_minutes, date, sizeof(date));
		if (buf_printf(b, "Date: %s\r\n", date) == -1)
			fatalx("outgoing: header");
	}
	/* A Message-ID that holds no msg-id is left as the user wrote it. */
	f = mime_headers_get(h, "Message-ID");
	if (f != NULL)
		id = mime_msgid_first(f->value, f->value_len);
	else {
		at = p->sender != NULL ? strrchr(p->sender, '@') : NULL;
		id = mime_msgid_new(at != NULL ? at + 1 : "localhost");
		if (buf_printf(b, "Message-ID: %s\r\n", id) == -1)
			fatalx("outgoing: header");
	}
	o->message_id = id;
	if (mime_headers_get(h, "From") == NULL && p->from != NULL &&
	    buf_printf(b, "From: %s\r\n", p->from) == -1)
		fatalx("outgoing: header");
}

/* "From " starting the data and not a From field ("From :", obsolete
 * syntax, is one). */
static bool
mbox_line(const char *s, size_t n)
{
	size_t	i = 4;

	if (n < 5 || memcmp(s, "From ", 5) != 0)
		return false;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i >= n || s[i] != ':';
}

int
mime_outgoing_prepare(const char *msg, size_t len,
    const struct mime_out_params *p, struct mime_outgoing *o, char *err,
    size_t errlen)
{
	struct mime_headers	 h;
	struct buf		 copy, wire;
	size_t			 i, pos = 0, e;

	memset(o, 0, sizeof(*o));
	/* mbox "From " lines are a mailbox's, not the message's: never
	 * sent (and once fields are added in front, no longer first, where
	 * the header parser skips one). */
	while (mbox_line(msg, len)) {
		const char	*nl = memchr(msg, '\n', len);

		pos = nl != NULL ? (size_t)(nl - msg) + 1 : len;
		msg += pos;
		len -= pos;
	}
	pos = 0;
	mime_headers_parse(msg, len, &h);
	if (h.n == 0) {
		(void)fct_snprintf(err, errlen, "no header (a message starts "
		    "with fields such as To: and Subject:)");
		mime_headers_free(&h);
		return -1;
	}
	if (collect(o, &h, err, errlen) == -1) {
		mime_headers_free(&h);
		mime_outgoing_free(o);
		return -1;
	}
	buf_init(&copy, len + 4096);
	missing_fields(o, &h, p, &copy);
	if (buf_append(&copy, msg, len) == -1)
		fatalx("outgoing: copy");
	/* The wire form: the same without the Bcc fields. */
	buf_init(&wire, copy.len);
	e = copy.len - len;
	if (buf_append(&wire, copy.data, e) == -1)
		fatalx("outgoing: wire");
	for (i = 0; i < h.n; i++) {
		if (!is_field(&h.fields[i], "Bcc"))
			continue;
		if (buf_append(&wire, msg + pos, (size_t)(h.fields[i].name -
		    msg) - pos) == -1)
			fatalx("outgoing: wire");
		pos = field_end(msg, len, &h.fields[i]);
	}
	if (buf_append(&wire, msg + pos, len - pos) == -1)
		fatalx("outgoing: wire");
	o->copy_len = copy.len;
	o->copy = buf_take(&copy);
	o->wire_len = wire.len;
	o->wire = buf_take(&wire);
	mime_headers_free(&h);
	return 0;
}
