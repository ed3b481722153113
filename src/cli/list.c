/*
 * list.c: facteur list: one line per message of a folder, as the index
 * shows it (number, flags, date, sender, subject), or a JSON array with
 * the same fields plus the file. The folder is a configured account's
 * folder, or any maildir path.
 */
#include <sys/stat.h>

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "cli_priv.h"
#include "store.h"

#define SENDER_COLS	20
#define JSON_MAX	(64u << 20)

/* The folder's path for an operand (NULL: INBOX), owned; NULL with a
 * message printed when there is none. */
static char *
resolve_folder(const struct config *cfg, const struct cli_opts *o,
    const char *arg)
{
	const struct cfg_account *a = NULL;
	const char	*mail, *home;
	char		*p;

	if (cfg != NULL)
		a = cfg_account(cfg, o->account);
	if (o->account != NULL && a == NULL) {
		(void)fprintf(stderr, "facteur: list: %s: no such account in "
		    "%s\n", o->account, cfg != NULL ? cfg->path :
		    "the configuration (none found)");
		return NULL;
	}
	if (a != NULL && a->store_path != NULL) {
		if (arg == NULL)
			arg = "INBOX";
		if (store_folder_name_ok(arg)) {
			p = xasprintf("%s/%s", a->store_path, arg);
			if (store_is_maildir(p))
				return p;
			free(p);
		}
		/* maildir:// accounts whose root is itself the INBOX. */
		if (strcmp(arg, "INBOX") == 0 && store_is_maildir(a->store_path))
			return xstrdup(a->store_path);
	}
	if (arg != NULL) {
		if (store_is_maildir(arg))
			return xstrdup(arg);
		(void)fprintf(stderr, "facteur: list: %s: no such folder%s%s "
		    "and no maildir at that path\n", arg,
		    a != NULL ? " in account " : "", a != NULL ? a->name : "");
		return NULL;
	}
	if (a == NULL) {
		/* No account: $MAIL, then ~/Maildir, like the interface. */
		mail = getenv("MAIL");
		if (mail != NULL && store_is_maildir(mail))
			return xstrdup(mail);
		home = getenv("HOME");
		if (home != NULL) {
			p = xasprintf("%s/Maildir", home);
			if (store_is_maildir(p))
				return p;
			free(p);
		}
		(void)fprintf(stderr, "facteur: list: no account configured "
		    "and no maildir at $MAIL or ~/Maildir; name a maildir "
		    "path\n");
		return NULL;
	}
	(void)fprintf(stderr, "facteur: list: account %s has no INBOX yet "
	    "(run facteur sync)\n", a->name);
	return NULL;
}

/* The index's flag column: N unread, D deleted, ! flagged, r replied,
 * f forwarded, d draft; at most 4 of them. */
static void
flag_column(const struct store_msg *m, char out[5])
{
	size_t	n = 0;

	if (!(m->flags & STORE_SEEN))
		out[n++] = 'N';
	if (m->flags & STORE_TRASHED)
		out[n++] = 'D';
	if (m->flags & STORE_FLAGGED)
		out[n++] = '!';
	if (m->flags & STORE_REPLIED)
		out[n++] = 'r';
	if (n < 4 && (m->flags & STORE_PASSED))
		out[n++] = 'f';
	if (n < 4 && (m->flags & STORE_DRAFT))
		out[n++] = 'd';
	out[n] = '\0';
}

static void
maildir_flags(unsigned flags, char out[7])
{
	static const char	letters[] = "DFPRST";
	size_t			i, n = 0;

	for (i = 0; i < 6; i++)
		if (flags & (1u << i))
			out[n++] = letters[i];
	out[n] = '\0';
}

/* One output line, built whole and written with one call. */
struct line {
	char	buf[1024];
	size_t	len;
};

static void
line_put(struct line *l, const char *s, size_t n)
{
	if (n > sizeof(l->buf) - l->len)
		n = sizeof(l->buf) - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void
line_pad(struct line *l, size_t upto)
{
	while (l->len < upto && l->len < sizeof(l->buf))
		l->buf[l->len++] = ' ';
}

/* n in decimal, right-aligned in width columns. */
static void
line_num(struct line *l, size_t n, size_t width)
{
	char	d[24];
	size_t	i = sizeof(d);

	do {
		d[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0 && i > 0);
	while (sizeof(d) - i < width && i > 0)
		d[--i] = ' ';
	line_put(l, d + i, sizeof(d) - i);
}

/* s in exactly cols terminal columns (cut or padded). Printable ASCII
 * goes through as it is; anything else is measured by the locale. */
static void
line_cols(struct line *l, const char *s, int cols)
{
	mbstate_t	st;
	wchar_t		wc;
	size_t		k, max = MB_CUR_MAX;
	int		w, used = 0;

	memset(&st, 0, sizeof(st));
	while (*s != '\0' && used < cols) {
		if ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f) {
			line_put(l, s++, 1);
			used++;
			continue;
		}
		k = mbrtowc(&wc, s, strnlen(s, max), &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&st, 0, sizeof(st));
			k = 1;
			w = 1;
		} else {
			w = wcwidth(wc);
			if (w < 0)
				w = 1;
		}
		if (used + w > cols)
			break;
		line_put(l, s, k);
		used += w;
		s += k;
	}
	for (; used < cols; used++)
		line_put(l, " ", 1);
}

/* "YYYY-MM-DD HH:MM" in local time, or "?". */
static void
line_date(struct line *l, int64_t date)
{
	struct tm	tm;
	time_t		t = (time_t)date;
	char		d[16];

	if (date == STORE_DATE_UNKNOWN || localtime_r(&t, &tm) == NULL ||
	    tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
		line_put(l, "?", 1);
		return;
	}
	d[0] = (char)('0' + (tm.tm_year + 1900) / 1000);
	d[1] = (char)('0' + (tm.tm_year + 1900) / 100 % 10);
	d[2] = (char)('0' + (tm.tm_year + 1900) / 10 % 10);
	d[3] = (char)('0' + (tm.tm_year + 1900) % 10);
	d[4] = '-';
	d[5] = (char)('0' + (tm.tm_mon + 1) / 10);
	d[6] = (char)('0' + (tm.tm_mon + 1) % 10);
	d[7] = '-';
	d[8] = (char)('0' + tm.tm_mday / 10);
	d[9] = (char)('0' + tm.tm_mday % 10);
	d[10] = ' ';
	d[11] = (char)('0' + tm.tm_hour / 10);
	d[12] = (char)('0' + tm.tm_hour % 10);
	d[13] = ':';
	d[14] = (char)('0' + tm.tm_min / 10);
	d[15] = (char)('0' + tm.tm_min % 10);
	line_put(l, d, sizeof(d));
}

static void
print_line(FILE *out, size_t num, const struct store_msg *m,
    const char *tree)
{
	struct line	l;
	char		flags[5];
	size_t		start;

	l.len = 0;
	flag_column(m, flags);
	line_num(&l, num, 5);
	line_put(&l, " ", 1);
	start = l.len;
	line_put(&l, flags, strlen(flags));
	line_pad(&l, start + 4);
	line_put(&l, " ", 1);
	start = l.len;
	line_date(&l, m->date);
	line_pad(&l, start + 16);
	line_put(&l, " ", 1);
	line_cols(&l, m->from[0] != '\0' ? m->from : m->from_addr,
	    SENDER_COLS);
	line_put(&l, " ", 1);
	(void)fwrite(l.buf, 1, l.len, out);
	(void)fputs(tree, out);
	(void)fputs(m->subject, out);
	(void)putc('\n', out);
}

/* A message id without its angle brackets, as show --json gives it. */
static int
json_msgid(struct buf *b, const char *id)
{
	size_t	len;

	if (id == NULL)
		return buf_append_str(b, "null");
	len = strlen(id);
	if (len >= 2 && id[0] == '<' && id[len - 1] == '>')
		return json_str(b, id + 1, len - 2);
	return json_cstr(b, id);
}

static int
json_msg(struct buf *b, const struct store_folder *f, size_t num,
    const struct store_view_row *row, const struct store_msg *m)
{
	char	flags[7], date[32], *path;
	int	rc = 0;

	maildir_flags(m->flags, flags);
	path = store_msg_path_new(f, row->msg);
	if (m->date != STORE_DATE_UNKNOWN)
		mime_date_iso(m->date, date, sizeof(date));
	if (buf_printf(b, "%s{\"number\": %zu, \"flags\": \"%s\", "
	    "\"unread\": %s, \"date\": ", num > 1 ? ",\n  " : "  ", num, flags,
	    (m->flags & STORE_SEEN) ? "false" : "true") == -1 ||
	    (m->date != STORE_DATE_UNKNOWN ? buf_printf(b, "\"%s\"", date) :
	    buf_append_str(b, "null")) == -1 ||
	    buf_append_str(b, ", \"from\": ") == -1 ||
	    json_cstr(b, m->from) == -1 ||
	    buf_append_str(b, ", \"from_addr\": ") == -1 ||
	    json_cstr(b, m->from_addr) == -1 ||
	    buf_append_str(b, ", \"subject\": ") == -1 ||
	    json_cstr(b, m->subject) == -1 ||
	    buf_append_str(b, ", \"message_id\": ") == -1 ||
	    json_msgid(b, m->message_id) == -1 ||
	    buf_printf(b, ", \"size\": %llu, \"depth\": %u, \"file\": ",
	    (unsigned long long)m->size, (unsigned)row->depth) == -1 ||
	    json_cstr(b, path) == -1 || buf_append_str(b, "}") == -1)
		rc = -1;
	free(path);
	return rc;
}

static int
print_json(const struct store_folder *f, const struct store_view *v)
{
	struct buf	b;
	size_t		r;

	buf_init(&b, JSON_MAX);
	(void)fputs("[\n", stdout);
	for (r = 0; r < v->n; r++) {
		if (json_msg(&b, f, r + 1, &v->rows[r],
		    store_folder_msg(f, v->rows[r].msg)) == -1) {
			buf_free(&b);
			(void)fprintf(stderr, "facteur: list: message too "
			    "large for JSON output\n");
			return CLI_FAIL;
		}
		(void)fwrite(b.data, 1, b.len, stdout);
		buf_reset(&b);
	}
	(void)fputs(v->n > 0 ? "\n]\n" : "]\n", stdout);
	buf_free(&b);
	return CLI_OK;
}

static void
print_text(const struct store_folder *f, const struct store_view *v)
{
	const char	*cs = nl_langinfo(CODESET);
	bool		 ascii = cs == NULL || ascii_casecmp(cs, "UTF-8") != 0;
	char		 tree[256];
	size_t		 r;

	for (r = 0; r < v->n; r++) {
		(void)store_view_tree(v, r, ascii, tree, sizeof(tree));
		print_line(stdout, r + 1, store_folder_msg(f, v->rows[r].msg),
		    tree);
	}
}

static int
sort_from_config(const struct config *cfg)
{
	if (cfg == NULL)
		return STORE_SORT_THREADS;
	return store_sort_parse(cfg_sort_name(cfg->general.sort));
}

int
cli_list(const struct cli_opts *o)
{
	struct config		*cfg = NULL;
	struct store_open_opts	 opts;
	struct store_folder	*f = NULL;
	struct store_query	*q = NULL;
	struct store_view	 v = { NULL, 0 };
	struct store_err	 err;
	char			*path = NULL, *cache = NULL;
	bool			*keep = NULL;
	int			 sort, rc = CLI_FAIL;

	(void)setlocale(LC_CTYPE, "");
	if (cli_load_optional_config(o, &cfg) == -1)
		return CLI_USAGE;
	sort = o->sort != NULL ? store_sort_parse(o->sort) :
	    sort_from_config(cfg);
	if (sort < 0) {
		(void)fprintf(stderr, "facteur: list: --sort: '%s' is not "
		    "one of threads, date, date-reverse, from, subject, "
		    "size\n", o->sort);
		rc = CLI_USAGE;
		goto out;
	}
	if (o->search != NULL) {
		q = store_query_new(o->search, &err);
		if (q == NULL) {
			(void)fprintf(stderr, "facteur: list: --search: %s\n",
			    err.msg);
			rc = CLI_USAGE;
			goto out;
		}
	}
	path = resolve_folder(cfg, o, o->nargs > 0 ? o->args[0] : NULL);
	if (path == NULL) {
		rc = o->account != NULL ? CLI_USAGE : CLI_FAIL;
		goto out;
	}
	cache = store_cache_dir_new();
	memset(&opts, 0, sizeof(opts));
	opts.cache_dir = cache;
	opts.fallback_charset = cfg != NULL ? cfg->general.fallback_charset :
	    NULL;
	/* list only reads: never rename or clean anything. */
	opts.read_only = true;
	f = store_folder_open(path, &opts, &err);
	if (f == NULL) {
		(void)fprintf(stderr, "facteur: list: %s\n", err.msg);
		goto out;
	}
	if (q != NULL) {
		keep = xcalloc(store_folder_count(f) + 1, sizeof(*keep));
		if (store_search(f, q, keep, &err) < 0) {
			(void)fprintf(stderr, "facteur: list: %s\n", err.msg);
			goto out;
		}
	}
	if (store_view_build(f, (enum store_sort)sort, false, keep, &v,
	    &err) == -1) {
		(void)fprintf(stderr, "facteur: list: %s\n", err.msg);
		goto out;
	}
	if (o->json)
		rc = print_json(f, &v);
	else {
		print_text(f, &v);
		rc = CLI_OK;
	}
out:
	store_view_free(&v);
	free(keep);
	store_query_free(q);
	store_folder_close(f);
	free(path);
	free(cache);
	cfg_free(&cfg);
	return rc;
}
