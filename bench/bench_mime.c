/*
 * bench_mime.c: throughput of the message parser.
 *
 *   bench/bench_mime [COUNT]          generated messages (default 20000)
 *   bench/bench_mime -d MAILDIR-DIR   every file of a directory (cur/ or new/)
 *
 * Generated messages are realistic in shape: 10 to 30 header fields with
 * folded Received lines, RFC 2047 encoded subjects and names in several
 * charsets, threads (In-Reply-To, References), text bodies in UTF-8 and
 * latin-1, quoted-printable, HTML alternatives, and base64 attachments.
 * Prints MB/s and messages/s for three passes over the same data in
 * memory: header block only (split fields), header summary (what the
 * index stores: decoded subject, sender, date, ids), and full parse (tree,
 * every part decoded, text rendered).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mime.h"

struct corpus {
	char	**msg;
	size_t	 *len;
	size_t	  n;
	size_t	  bytes;
};

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static const char *const subjects[] = {
	"Meeting notes for Tuesday", "=?UTF-8?B?UsOpdW5pb24gZGUgbCfDqXF1aXBl?=",
	"=?iso-8859-1?Q?Pi=E8ce_jointe_:_facture_n=B0_2024-03?=",
	"Re: [dev] patch: fix the parser", "=?utf-8?q?=E6=97=A5=E6=9C=AC=E8=AA=9E?=",
	"Quarterly report", "Fwd: photos from the trip"
};
static const char *const froms[] = {
	"Jeanne Martin <jeanne@example.fr>", "\"Doe, John\" <jdoe@example.com>",
	"=?utf-8?q?Fran=C3=A7ois_P=C3=A9rez?= <fp@example.es>",
	"bob@example.org (Bob)", "Mailing list <list@lists.example.net>"
};

static void
gen_one(struct buf *b, uint64_t *s, size_t i)
{
	size_t	k, nrecv = 2 + rnd(s) % 5, body = 200 + rnd(s) % 4000;
	int	kind = (int)(rnd(s) % 4), r = 0;

	for (k = 0; k < nrecv && r == 0; k++)
		r = buf_printf(b, "Received: from mx%zu.example.net (mx%zu."
		    "example.net [192.0.2.%zu])\n\tby mail.example.org with "
		    "ESMTPS id %zx%zx\n\tfor <jeanne@example.fr>; Fri, 1 Mar "
		    "2024 09:%02zu:00 +0100\n", k, k, k, i, k, k % 60);
	r |= buf_printf(b, "Date: Fri, %zu Mar 2024 %02zu:%02zu:00 +0100\n"
	    "From: %s\nTo: Jeanne Martin <jeanne@example.fr>, team@example.fr"
	    "\nSubject: %s\nMessage-ID: <%zu.%zx@example.org>\n", 1 + i % 28,
	    i % 24, i % 60, froms[i % 5], subjects[i % 7], i, i * 7919);
	if (i % 3 != 0)
		r |= buf_printf(b, "In-Reply-To: <%zu.%zx@example.org>\n"
		    "References: <%zu.%zx@example.org> <%zu.%zx@example.org>\n",
		    i / 3, (i / 3) * 7919, i / 9, (i / 9) * 7919, i / 3,
		    (i / 3) * 7919);
	r |= buf_append_str(b, "MIME-Version: 1.0\nX-Mailer: bench\n");
	if (kind == 0) {
		r |= buf_append_str(b, "Content-Type: text/plain; charset=utf-8"
		    "\nContent-Transfer-Encoding: 8bit\n\n");
		for (k = 0; k < body / 60 && r == 0; k++)
			r = buf_append_str(b, "Voilà le compte rendu de la "
			    "réunion d'hier, merci à tous.\n");
	} else if (kind == 1) {
		r |= buf_append_str(b, "Content-Type: text/plain; charset="
		    "iso-8859-1\nContent-Transfer-Encoding: quoted-printable"
		    "\n\n");
		for (k = 0; k < body / 60 && r == 0; k++)
			r = buf_append_str(b, "Voil=E0 le compte rendu, merci "
			    "=E0 tous pour la r=E9union d'hier soir.\n");
	} else {
		r |= buf_append_str(b, "Content-Type: multipart/mixed; boundary="
		    "\"b1\"\n\n--b1\nContent-Type: multipart/alternative; "
		    "boundary=\"b2\"\n\n--b2\nContent-Type: text/plain; "
		    "charset=utf-8\n\nHello,\n\nsee the attachment.\n--b2\n"
		    "Content-Type: text/html; charset=utf-8\n\n<p>Hello,</p>"
		    "<p>see <a href=\"https://example.org/x\">the attachment"
		    "</a>.</p>\n--b2--\n--b1\nContent-Type: application/pdf; "
		    "name=\"report.pdf\"\nContent-Disposition: attachment; "
		    "filename=\"report.pdf\"\nContent-Transfer-Encoding: "
		    "base64\n\n");
		for (k = 0; k < body / 8 && r == 0; k++)
			r = buf_append_str(b, "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8"
			    "PC9MZW5ndGggNiAwIFIvRmlsdGVyIC9GbGF0ZURlY29kZT4+\n");
		r |= buf_append_str(b, "--b1--\n");
	}
	if (r != 0)
		fprintf(stderr, "bench_mime: message too large\n");
}

static void
corpus_add(struct corpus *c, char *data, size_t len)
{
	c->msg = xreallocarray(c->msg, c->n + 1, sizeof(*c->msg));
	c->len = xreallocarray(c->len, c->n + 1, sizeof(*c->len));
	c->msg[c->n] = data;
	c->len[c->n++] = len;
	c->bytes += len;
}

static void
generate(struct corpus *c, size_t n)
{
	uint64_t	s = 0x9e3779b97f4a7c15ULL;
	size_t		i;

	for (i = 0; i < n; i++) {
		struct buf	b;

		buf_init(&b, 1 << 24);
		gen_one(&b, &s, i);
		corpus_add(c, buf_str(&b)[0] ? b.data : xstrdup(""), b.len);
	}
}

static void
load_dir(struct corpus *c, const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*de;

	if (d == NULL) {
		perror(dir);
		exit(1);
	}
	while ((de = readdir(d)) != NULL) {
		char	 path[4096];
		FILE	*f;
		struct buf b;
		char	 chunk[65536];
		size_t	 r;

		if (de->d_name[0] == '.')
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		buf_init(&b, 1 << 28);
		while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0)
			if (buf_append(&b, chunk, r) == -1)
				break;
		(void)fclose(f);
		corpus_add(c, buf_take(&b), b.len);
	}
	closedir(d);
}

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
report(const char *what, const struct corpus *c, double secs, size_t sink)
{
	printf("%-22s %8.3f s %10.1f MB/s %12.0f msgs/s  (%zu)\n", what, secs,
	    (double)c->bytes / 1e6 / secs, (double)c->n / secs, sink);
}

int
main(int argc, char **argv)
{
	struct corpus	c = { 0 };
	size_t		i, sink = 0, hdrbytes = 0;
	double		t;

	if (argc == 3 && strcmp(argv[1], "-d") == 0)
		load_dir(&c, argv[2]);
	else
		generate(&c, argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) :
		    20000);
	for (i = 0; i < c.n; i++) {
		struct mime_headers	h;

		mime_headers_parse(c.msg[i], c.len[i], &h);
		hdrbytes += h.len;
		mime_headers_free(&h);
	}
	printf("%zu messages, %.1f MB (%.1f MB of header blocks)\n", c.n,
	    (double)c.bytes / 1e6, (double)hdrbytes / 1e6);
	t = now();
	for (i = 0; i < c.n; i++) {
		struct mime_headers	h;

		mime_headers_parse(c.msg[i], c.len[i], &h);
		sink += h.n;
		mime_headers_free(&h);
	}
	report("header block split", &c, now() - t, sink);
	t = now();
	for (i = 0; i < c.n; i++) {
		struct mime_headers	h;
		struct mime_summary	s;

		mime_headers_parse(c.msg[i], c.len[i], &h);
		mime_summary_from_headers(&h, NULL, &s);
		sink += s.nreferences + (s.subject ? strlen(s.subject) : 0);
		mime_summary_free(&s);
		mime_headers_free(&h);
	}
	report("header summary", &c, now() - t, sink);
	t = now();
	for (i = 0; i < c.n; i++) {
		struct mime_msg		 *m = mime_parse(c.msg[i], c.len[i],
					    NULL);
		const struct mime_part	**p;
		size_t			  n, k;
		struct buf		  b;

		buf_init(&b, 1 << 28);
		p = mime_leaves(m, &n);
		for (k = 0; k < n; k++)
			if (mime_part_decode(m, p[k], &b) == 0)
				sink += b.len;
		p = mime_text_parts(m, false, &n);
		for (k = 0; k < n; k++)
			if (mime_part_text(m, p[k], NULL, &b) == 0)
				sink += b.len;
		buf_free(&b);
		mime_msg_free(&m);
	}
	report("full parse + decode", &c, now() - t, sink);
	for (i = 0; i < c.n; i++)
		free(c.msg[i]);
	free(c.msg);
	free(c.len);
	return 0;
}
