/*
 * compose.c: writing mail from the interface. A draft (new, a reply, a
 * forward, or one resumed from Drafts) is written as a text file, its
 * headers first, and handed to the user's editor; then the compose
 * screen: y sends (through the outbox, by the engine), a attaches, e
 * edits again, t c b s change To, Cc, Bcc and Subject, P postpones to
 * Drafts, q aborts after asking.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app_priv.h"

#define DRAFT_MAX	((size_t)256 * 1024 * 1024)
#define ATTACH_MAX	((size_t)256 * 1024 * 1024)

/* Words that say a file is attached (lower case; matched folded). */
static const char *const attach_words[] = {
	"attached", "attachment", "ci-joint", "ci-jointe", "pièce jointe",
	"pièces jointes", "enclosed", "angehängt", "anhang", "adjunto",
};

/* ------------------------------------------------------------------ */
/* The text file the editor sees                                       */

/* A display name that would not read back as written unquoted:
 * specials, runs of blanks, blanks at either end, controls. */
static bool
needs_quotes(const char *name)
{
	size_t	i, n = strlen(name);

	if (strpbrk(name, ",;:<>\"@()[]\\.") != NULL || name[0] == ' ' ||
	    (n > 0 && name[n - 1] == ' ') || strstr(name, "=?") != NULL)
		return true;
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f ||
		    (name[i] == ' ' && name[i + 1] == ' '))
			return true;
	return false;
}

/* "Name <addr>, other@x" for editing: UTF-8, names quoted when they
 * hold specials. */
static void
addrs_text(const struct mime_addr_list *l, struct buf *out)
{
	size_t		i;
	const char	*n;

	for (i = 0; i < l->n; i++) {
		/* Groups are flattened; what has no address is left out
		 * (reading it back would drop it anyway). */
		if (l->v[i].addr == NULL || l->v[i].addr[0] == '\0')
			continue;
		if (out->len > 0 && out->data[out->len - 1] != ' ')
			ui_cat(out, ", ");
		n = l->v[i].name;
		if (n == NULL || n[0] == '\0')
			ui_cat(out, "%s", l->v[i].addr);
		else if (needs_quotes(n)) {
			ui_cat(out, "\"");
			for (; *n != '\0'; n++)
				ui_cat(out, "%s%c", *n == '"' ||
				    *n == '\\' ? "\\" : "", *n);
			ui_cat(out, "\" <%s>", l->v[i].addr);
		} else
			ui_cat(out, "%s <%s>", n, l->v[i].addr);
	}
}

static void
header_line(struct buf *out, const char *name, const struct mime_addr_list *l)
{
	ui_cat(out, "%s: ", name);
	addrs_text(l, out);
	ui_cat(out, "\n");
}

void
ui_draft_text(const struct mime_draft *d, struct buf *out)
{
	header_line(out, "From", &d->from);
	header_line(out, "To", &d->to);
	header_line(out, "Cc", &d->cc);
	header_line(out, "Bcc", &d->bcc);
	ui_cat(out, "Subject: %s\n\n%s", d->subject != NULL ? d->subject :
	    "", d->body != NULL ? d->body : "");
}

static void
set_addrs(struct mime_addr_list *l, const char *v, size_t n)
{
	mime_addr_list_free(l);
	mime_addr_parse(v, n, NULL, l);
}

void
ui_draft_from_text(struct mime_draft *d, const char *s, size_t len)
{
	struct buf	 value;
	const char	*p = s, *end = s + len, *nl, *colon;
	char		 name[32];
	size_t		 nlen;

	buf_init(&value, 1 << 20);
	while (p < end && *p != '\n') {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		colon = memchr(p, ':', (size_t)(nl - p));
		if (colon == NULL || (size_t)(colon - p) >= sizeof(name)) {
			/* Not a header: the text starts here. */
			break;
		}
		nlen = (size_t)(colon - p);
		memcpy(name, p, nlen);
		name[nlen] = '\0';
		buf_reset(&value);
		ui_cat(&value, "%.*s", (int)(nl - colon - 1), colon + 1);
		p = nl < end ? nl + 1 : end;
		while (p < end && (*p == ' ' || *p == '\t')) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL)
				nl = end;
			ui_cat(&value, " %.*s", (int)(nl - p), p);
			p = nl < end ? nl + 1 : end;
		}
		if (ascii_casecmp(name, "To") == 0)
			set_addrs(&d->to, buf_str(&value), value.len);
		else if (ascii_casecmp(name, "Cc") == 0)
			set_addrs(&d->cc, buf_str(&value), value.len);
		else if (ascii_casecmp(name, "Bcc") == 0)
			set_addrs(&d->bcc, buf_str(&value), value.len);
		else if (ascii_casecmp(name, "From") == 0)
			set_addrs(&d->from, buf_str(&value), value.len);
		else if (ascii_casecmp(name, "Reply-To") == 0)
			set_addrs(&d->reply_to, buf_str(&value), value.len);
		else if (ascii_casecmp(name, "Subject") == 0) {
			const char	*v = buf_str(&value);

			while (*v == ' ' || *v == '\t')
				v++;
			free(d->subject);
			d->subject = xstrdup(v);
		}
	}
	if (p < end && *p == '\n')
		p++;
	free(d->body);
	d->body = xstrndup(p, (size_t)(end - p));
	buf_free(&value);
}

static const char *
editor_command(const struct ui *u)
{
	const char	*e;

	if (u->cfg != NULL && u->cfg->general.editor != NULL)
		return u->cfg->general.editor;
	if ((e = getenv("VISUAL")) != NULL && e[0] != '\0')
		return e;
	if ((e = getenv("EDITOR")) != NULL && e[0] != '\0')
		return e;
	return "vi";
}

/* Hand the draft to the editor; false when the file could not be made
 * or read back. *unchanged: the user saved nothing new. */
static bool
run_editor(struct ui *u, bool *unchanged)
{
	struct ui_compose	*c = &u->comp;
	struct buf		 text, back;
	char			*cmd;
	size_t			 i;

	buf_init(&text, DRAFT_MAX);
	ui_draft_text(&c->d, &text);
	if (ui_write_file(c->path, buf_str(&text), text.len, false) == -1) {
		ui_message(u, true, "%s: %s", c->path, strerror(errno));
		buf_free(&text);
		return false;
	}
	/* The path single-quoted for the shell. */
	buf_init(&back, 8192);
	ui_cat(&back, "%s '", editor_command(u));
	for (i = 0; c->path[i] != '\0'; i++) {
		if (c->path[i] == '\'')
			ui_cat(&back, "'\\''");
		else
			ui_cat(&back, "%c", c->path[i]);
	}
	ui_cat(&back, "'");
	cmd = buf_take(&back);
	(void)ui_run_shell(u, cmd, NULL, 0, false);
	free(cmd);
	buf_init(&back, DRAFT_MAX);
	if (buf_read_file(&back, c->path) == -1) {
		ui_message(u, true, "%s: %s", c->path, strerror(errno));
		buf_free(&back);
		buf_free(&text);
		return false;
	}
	*unchanged = back.len == text.len && memcmp(back.data, text.data,
	    text.len) == 0;
	ui_draft_from_text(&c->d, back.data != NULL ? back.data : "",
	    back.len);
	buf_free(&back);
	buf_free(&text);
	return true;
}

/* ------------------------------------------------------------------ */
/* Starting a draft                                                    */

static void
compose_free(struct ui_compose *c)
{
	if (c->path != NULL) {
		(void)unlink(c->path);
		free(c->path);
	}
	mime_draft_free(&c->d);
	free(c->resumed_path);
	memset(c, 0, sizeof(*c));
	c->reply_id = UINT32_MAX;
}

/* The account to write from: the open folder's, else the default. */
static size_t
compose_account(const struct ui *u)
{
	const struct cfg_account	*a;

	if (u->cfg == NULL || u->read_only)
		return SIZE_MAX;
	if (u->cur != SIZE_MAX && u->folders[u->cur].acct < u->cfg->naccounts)
		return u->folders[u->cur].acct;
	a = cfg_account(u->cfg, NULL);
	return a != NULL ? (size_t)(a - u->cfg->accounts) : SIZE_MAX;
}

/* When replying: the account the original was sent to (its address in
 * To or Cc), else acct. */
static size_t
addressed_account(const struct ui *u, const struct mime_msg *msg, size_t acct)
{
	static const char *const fields[] = { "To", "Cc", "Delivered-To" };
	const struct mime_field	*f;
	struct mime_addr_list	 l;
	size_t			 i, k, a;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		for (f = mime_headers_get(&msg->root.headers, fields[i]);
		    f != NULL; f = mime_headers_next(&msg->root.headers, f,
		    fields[i])) {
			memset(&l, 0, sizeof(l));
			mime_addr_parse(f->value, f->value_len, NULL, &l);
			for (k = 0; k < l.n; k++)
				for (a = 0; a < u->cfg->naccounts; a++)
					if (l.v[k].addr != NULL &&
					    u->cfg->accounts[a].address_spec !=
					    NULL && ascii_casecmp(l.v[k].addr,
					    u->cfg->accounts[a].address_spec) ==
					    0) {
						mime_addr_list_free(&l);
						return a;
					}
			mime_addr_list_free(&l);
		}
	}
	return acct;
}

static void
set_from(struct mime_draft *d, const struct cfg_account *a)
{
	mime_addr_list_free(&d->from);
	mime_addr_list_add(&d->from, a->address_name, a->address_spec);
}

/* The signature file after "-- ", at the end of the text. */
static void
add_signature(struct mime_draft *d, const struct cfg_account *a)
{
	struct buf	sig, body;

	if (a->signature_file == NULL)
		return;
	buf_init(&sig, 64 * 1024);
	if (buf_read_file(&sig, a->signature_file) == -1 || sig.len == 0) {
		buf_free(&sig);
		return;
	}
	buf_init(&body, DRAFT_MAX);
	ui_cat(&body, "%s", d->body != NULL ? d->body : "");
	if (body.len > 0 && body.data[body.len - 1] != '\n')
		ui_cat(&body, "\n");
	/* A signature that starts with its own separator keeps it. */
	if (!(sig.len >= 3 && memcmp(sig.data, "-- ", 3) == 0))
		ui_cat(&body, "\n-- \n");
	ui_cat(&body, "%.*s", (int)sig.len, sig.data);
	if (body.data[body.len - 1] != '\n')
		ui_cat(&body, "\n");
	free(d->body);
	d->body = buf_take(&body);
	buf_free(&sig);
}

/* The temporary file the editor works on, private to the user. */
static bool
make_draft_file(struct ui *u)
{
	const char	*tmp = getenv("TMPDIR");
	char		*path;
	int		 fd;

	path = xasprintf("%s/facteur-draft-XXXXXX", tmp != NULL &&
	    tmp[0] == '/' ? tmp : "/tmp");
	fd = mkstemp(path);
	if (fd == -1) {
		ui_message(u, true, "%s: %s", path, strerror(errno));
		free(path);
		return false;
	}
	(void)close(fd);
	u->comp.path = path;
	return true;
}

/* A draft from Drafts: its headers, its text, its attachments. */
static void
draft_from_message(struct ui_compose *c, const struct mime_msg *msg,
    const char *fallback)
{
	const struct mime_headers	*h = &msg->root.headers;
	const struct mime_field		*f;
	const struct mime_part		**parts;
	struct buf			 t, d;
	size_t				 n, i;

	if ((f = mime_headers_get(h, "From")) != NULL)
		set_addrs(&c->d.from, f->value, f->value_len);
	if ((f = mime_headers_get(h, "To")) != NULL)
		set_addrs(&c->d.to, f->value, f->value_len);
	if ((f = mime_headers_get(h, "Cc")) != NULL)
		set_addrs(&c->d.cc, f->value, f->value_len);
	if ((f = mime_headers_get(h, "Bcc")) != NULL)
		set_addrs(&c->d.bcc, f->value, f->value_len);
	if ((f = mime_headers_get(h, "Subject")) != NULL)
		c->d.subject = mime_header_text(f->value, f->value_len,
		    fallback);
	if ((f = mime_headers_get(h, "In-Reply-To")) != NULL)
		c->d.in_reply_to = mime_msgid_first(f->value, f->value_len);
	if ((f = mime_headers_get(h, "References")) != NULL)
		mime_msgid_list(f->value, f->value_len, 64, &c->d.references,
		    &c->d.nreferences);
	parts = mime_text_parts(msg, false, &n);
	buf_init(&t, DRAFT_MAX);
	if (n > 0 && mime_part_utf8(msg, parts[0], fallback, &t) == 0)
		c->d.body = buf_take(&t);
	else {
		buf_free(&t);
		c->d.body = xstrdup("");
	}
	parts = mime_leaves(msg, &n);
	for (i = 0; i < n; i++) {
		if (!mime_is_attachment(parts[i]))
			continue;
		buf_init(&d, ATTACH_MAX);
		if (mime_part_decode(msg, parts[i], &d) == 0)
			mime_draft_attach(&c->d, parts[i]->filename != NULL ?
			    parts[i]->filename : "attachment", parts[i]->type,
			    d.data != NULL ? d.data : "", d.len);
		buf_free(&d);
	}
}

/* Build the draft for action from the selected message. */
static bool
start_draft(struct ui *u, const char *action, size_t acct)
{
	struct ui_compose	*c = &u->comp;
	const struct cfg_account *a = &u->cfg->accounts[acct];
	struct mime_reply_opts	 ro;
	struct mime_opts	 mo;
	struct mime_msg		*msg = NULL;
	struct store_err	 serr;
	struct mime_addr	 from;
	const char		**own;
	char			*data = NULL, err[512];
	size_t			 len, mi = ui_current_msg(u), i;
	bool			 ok = true;

	c->acct = acct;
	c->reply_id = UINT32_MAX;
	if (strcmp(action, "compose") == 0 && !u->comp_resume) {
		set_from(&c->d, a);
		c->d.body = xstrdup("");
		add_signature(&c->d, a);
		return true;
	}
	if (mi == SIZE_MAX) {
		ui_message(u, true, "No message selected.");
		return false;
	}
	if (store_msg_read_new(u->f, mi, &data, &len, &serr) == -1) {
		ui_message(u, true, "%s", serr.msg);
		return false;
	}
	mo.fallback_charset = u->fallback;
	msg = mime_parse(data, len, &mo);
	if (u->comp_resume) {
		draft_from_message(c, msg, u->fallback);
		c->resumed_path = store_msg_path_new(u->f, mi);
		c->resumed_id = store_folder_msg(u->f, mi)->id;
		if (c->d.from.n == 0)
			set_from(&c->d, a);
		goto out;
	}
	c->acct = acct = addressed_account(u, msg, acct);
	a = &u->cfg->accounts[acct];
	from.name = a->address_name;
	from.addr = a->address_spec;
	from.group = NULL;
	c->reply_id = store_folder_msg(u->f, mi)->id;
	if (strcmp(action, "forward") == 0) {
		c->forward = true;
		ok = mime_forward(msg, u->cfg->general.forward_attachment,
		    &from, u->fallback, &c->d, err, sizeof(err)) == 0;
	} else {
		own = xcalloc(u->cfg->naccounts + 1, sizeof(*own));
		for (i = 0; i < u->cfg->naccounts; i++)
			own[i] = u->cfg->accounts[i].address_spec;
		memset(&ro, 0, sizeof(ro));
		ro.mode = strcmp(action, "reply-all") == 0 ? MIME_REPLY_ALL :
		    strcmp(action, "reply-list") == 0 ? MIME_REPLY_LIST :
		    MIME_REPLY_SENDER;
		ro.own_addrs = own;
		ro.nown = u->cfg->naccounts;
		ro.from = &from;
		ro.fallback_charset = u->fallback;
		ok = mime_reply(msg, &ro, &c->d, err, sizeof(err)) == 0;
		free(own);
	}
	if (!ok)
		ui_message(u, true, "%s", err);
	else
		add_signature(&c->d, a);
out:
	mime_msg_free(&msg);
	free(data);
	return ok;
}

void
ui_compose_start(struct ui *u, const char *action)
{
	size_t	acct = compose_account(u);
	bool	unchanged;

	if (acct == SIZE_MAX) {
		ui_message(u, true, "No account to write from: add one to the "
		    "configuration (see facteur.conf(5)).");
		return;
	}
	compose_free(&u->comp);
	/* m on a message of the Drafts folder takes it up again. */
	u->comp_resume = strcmp(action, "compose") == 0 &&
	    ui_in_drafts(u) && ui_current_msg(u) != SIZE_MAX;
	if (!start_draft(u, action, acct) || !make_draft_file(u)) {
		compose_free(&u->comp);
		return;
	}
	u->comp.from_mode = u->mode;
	if (!run_editor(u, &unchanged)) {
		compose_free(&u->comp);
		return;
	}
	if (unchanged && strcmp(action, "compose") == 0 && !u->comp_resume) {
		ui_message(u, false, "Aborted: the message was not changed.");
		compose_free(&u->comp);
		return;
	}
	u->mode = UI_MODE_COMPOSE;
}

/* ------------------------------------------------------------------ */
/* The compose screen                                                  */

static void
draw_field(int y, const char *name, const char *value)
{
	char	label[16];

	(void)snprintf(label, sizeof(label), "%8s: ", name);
	ui_draw(y, 0, 10, label, strlen(label), ui_attr(CFG_COLOR_HEADER));
	ui_draw(y, 10, COLS - 10, value, strlen(value), A_NORMAL);
}

static void
draw_addr_field(int y, const char *name, const struct mime_addr_list *l)
{
	struct buf	b;

	buf_init(&b, 1 << 16);
	addrs_text(l, &b);
	draw_field(y, name, buf_str(&b));
	buf_free(&b);
}

void
ui_compose_draw(struct ui *u)
{
	const struct mime_draft	*d = &u->comp.d;
	struct buf		 line;
	char			 size[16];
	int			 y = 0, mh = ui_main_height();
	size_t			 i;

	draw_addr_field(y++, "From", &d->from);
	draw_addr_field(y++, "To", &d->to);
	draw_addr_field(y++, "Cc", &d->cc);
	draw_addr_field(y++, "Bcc", &d->bcc);
	draw_field(y++, "Subject", d->subject != NULL ? d->subject : "");
	y++;
	ui_draw(y++, 0, COLS, "-- Attachments --", 17,
	    ui_attr(CFG_COLOR_ATTACHMENT));
	buf_init(&line, 4096);
	if (d->nattachments == 0 && y < mh)
		ui_draw(y++, 2, COLS - 2, "(none: a attaches files)", 24,
		    A_NORMAL);
	for (i = 0; i < d->nattachments && y < mh; i++) {
		buf_reset(&line);
		ui_human_size(d->attachments[i].len, size, sizeof(size));
		ui_cat(&line, "%2zu %s  %s  %s", i + 1,
		    d->attachments[i].filename, d->attachments[i].content_type !=
		    NULL ? d->attachments[i].content_type :
		    mime_guess_type(d->attachments[i].filename,
		    d->attachments[i].data, d->attachments[i].len), size);
		ui_draw(y++, 0, COLS, buf_str(&line), line.len,
		    i == u->comp.att_sel ? ui_attr(CFG_COLOR_INDICATOR) :
		    A_NORMAL);
	}
	buf_free(&line);
}

/* Tab in an address prompt: the last address being typed completed from
 * the alias file and the senders of the open folder. */
void
ui_complete_addresses(struct ui *u, const char *prefix, char ***out,
    size_t *n)
{
	const char	*start = strrchr(prefix, ','), *word;
	char		**cand = NULL;
	size_t		 nc = 0, i, wl, pl;

	*out = NULL;
	*n = 0;
	word = start != NULL ? start + 1 : prefix;
	while (*word == ' ')
		word++;
	pl = (size_t)(word - prefix);
	wl = strlen(word);
	ui_address_book(u, &cand, &nc);
	for (i = 0; i < nc; i++) {
		/* By the start of the alias, the name or the address. */
		const char *c = cand[i], *lt = strchr(c, '<');

		if (wl == 0 || ascii_ncasecmp(c, word, wl) == 0 ||
		    (lt != NULL && ascii_ncasecmp(lt + 1, word, wl) == 0)) {
			*out = xreallocarray(*out, *n + 1, sizeof(**out));
			(*out)[(*n)++] = xasprintf("%.*s%s", (int)pl, prefix,
			    c);
		}
		free(cand[i]);
	}
	free(cand);
	/* An alias expands to its address. */
	for (i = 0; i < *n; i++) {
		char	*tab = strchr((*out)[i] + pl, '\t');

		if (tab != NULL)
			memmove((*out)[i] + pl, tab + 1, strlen(tab + 1) + 1);
	}
}

static void
edit_addrs(struct ui *u, const char *q, struct mime_addr_list *l)
{
	struct buf	 cur;
	char		*text;

	buf_init(&cur, 1 << 16);
	addrs_text(l, &cur);
	text = ui_prompt(u, q, buf_str(&cur), ui_complete_addresses);
	buf_free(&cur);
	if (text == NULL)
		return;
	set_addrs(l, text, strlen(text));
	free(text);
}

static void
attach_files(struct ui *u)
{
	char		*text, *p, *w;
	glob_t		 g;
	struct buf	 data;
	size_t		 i, added = 0;
	const char	*base;

	text = ui_prompt(u, "Attach files: ", "", ui_complete_files);
	if (text == NULL || text[0] == '\0') {
		free(text);
		return;
	}
	/* Several names, blank-separated; each may be a pattern. */
	for (p = text; (w = strtok(p, " ")) != NULL; p = NULL) {
		memset(&g, 0, sizeof(g));
		if (glob(w, GLOB_NOCHECK | GLOB_TILDE, NULL, &g) != 0)
			continue;
		for (i = 0; i < g.gl_pathc; i++) {
			buf_init(&data, ATTACH_MAX);
			if (buf_read_file(&data, g.gl_pathv[i]) == -1) {
				ui_message(u, true, "%s: %s", g.gl_pathv[i],
				    strerror(errno));
				buf_free(&data);
				continue;
			}
			base = strrchr(g.gl_pathv[i], '/');
			base = base != NULL ? base + 1 : g.gl_pathv[i];
			mime_draft_attach(&u->comp.d, base, NULL,
			    data.data != NULL ? data.data : "", data.len);
			buf_free(&data);
			added++;
		}
		globfree(&g);
	}
	if (added > 0)
		ui_message(u, false, "%zu file%s attached.", added,
		    added == 1 ? "" : "s");
	free(text);
}

/* The text outside quoted lines and the signature, folded. */
static bool
mentions_attachment(const char *body)
{
	const char	*p = body, *nl;
	struct buf	 text;
	char		*f;
	size_t		 fl, i, wl;
	bool		 hit = false;
	char		*fw;

	buf_init(&text, DRAFT_MAX);
	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if ((size_t)(nl - p) == 3 && strncmp(p, "-- ", 3) == 0)
			break;
		if (*p != '>')
			ui_cat(&text, "%.*s\n", (int)(nl - p), p);
		p = *nl != '\0' ? nl + 1 : nl;
	}
	f = store_casefold_new(buf_str(&text), text.len, &fl);
	for (i = 0; i < sizeof(attach_words) / sizeof(attach_words[0]) &&
	    !hit; i++) {
		fw = store_casefold_new(attach_words[i],
		    strlen(attach_words[i]), &wl);
		hit = mem_find(f, fl, fw, wl) != NULL;
		free(fw);
	}
	free(f);
	buf_free(&text);
	return hit;
}

/* Every address well formed; the first bad one in bad. */
static bool
addresses_ok(const struct mime_draft *d, char *bad, size_t size)
{
	const struct mime_addr_list *ls[] = { &d->from, &d->to, &d->cc,
	    &d->bcc };
	size_t	k, i;

	for (k = 0; k < 4; k++)
		for (i = 0; i < ls[k]->n; i++)
			if (ls[k]->v[i].addr != NULL &&
			    !mime_addr_valid(ls[k]->v[i].addr)) {
				(void)fct_strlcpy(bad, ls[k]->v[i].addr, size);
				return false;
			}
	return true;
}

static size_t
recipients(const struct mime_draft *d)
{
	return d->to.n + d->cc.n + d->bcc.n;
}

/* The original gets R (replied) or P (forwarded) once the answer is
 * queued. */
static void
mark_original(struct ui *u)
{
	const struct store_msg	*m;
	struct store_err	 err;
	size_t			 idx;
	unsigned		 f;

	if (u->comp.reply_id == UINT32_MAX || u->f == NULL ||
	    (m = store_folder_by_id(u->f, u->comp.reply_id, &idx)) == NULL)
		return;
	f = m->flags | (u->comp.forward ? STORE_PASSED : STORE_REPLIED);
	if (f != m->flags && store_msg_set_flags(u->f, idx, f, &err) == 0)
		ui_changed(u);
}

/* A resumed draft leaves Drafts once sent. */
static void
drop_resumed(struct ui *u)
{
	if (u->comp.resumed_path == NULL)
		return;
	if (unlink(u->comp.resumed_path) == 0) {
		ui_reload_folder(u);
		ui_changed(u);
	}
}

static void
compose_send(struct ui *u)
{
	const struct cfg_account *a = &u->cfg->accounts[u->comp.acct];
	struct buf		 msg;
	char			 err[512], bad[256];
	uint32_t		 k;

	if (recipients(&u->comp.d) == 0) {
		ui_message(u, true, "No recipients: t edits To.");
		return;
	}
	if (!addresses_ok(&u->comp.d, bad, sizeof(bad))) {
		ui_message(u, true, "Malformed address: %s", bad);
		return;
	}
	if (u->comp.d.nattachments == 0 && u->comp.d.body != NULL &&
	    mentions_attachment(u->comp.d.body)) {
		k = ui_prompt_key(u, "The text speaks of an attachment but none "
		    "is attached. Send anyway? (y/n) ");
		if (k != 'y')
			return;
	}
	if (a->outgoing.scheme == CFG_SCHEME_NONE) {
		ui_message(u, true, "Account %s has no outgoing server "
		    "(outgoing = in facteur.conf(5)).", a->name);
		return;
	}
	buf_init(&msg, DRAFT_MAX + ATTACH_MAX);
	u->comp.d.flowed = u->cfg->general.format_flowed;
	if (mime_compose(&u->comp.d, true, &msg, err, sizeof(err)) == -1) {
		ui_message(u, true, "%s", err);
		buf_free(&msg);
		return;
	}
	if (ui_check_size(u, u->comp.acct, msg.len) &&
	    ui_prompt_key(u, "The message is larger than the server "
	    "accepts. Send anyway? (y/n) ") != 'y') {
		buf_free(&msg);
		return;
	}
	if (engine_queue(a, buf_str(&msg), msg.len, err, sizeof(err)) == -1) {
		ui_message(u, true, "%s", err);
		buf_free(&msg);
		return;
	}
	buf_free(&msg);
	mark_original(u);
	drop_resumed(u);
	(void)engine_sync(u->eng, u->comp.acct);
	u->mode = u->comp.from_mode == UI_MODE_PAGER && u->pager_open ?
	    UI_MODE_PAGER : UI_MODE_INDEX;
	compose_free(&u->comp);
	ui_message(u, false, "Queued in the outbox; sending in the "
	    "background.");
}

static void
compose_postpone(struct ui *u)
{
	const struct cfg_account *a = &u->cfg->accounts[u->comp.acct];
	struct store_err	 serr;
	struct buf		 msg;
	char			 err[512], *name, *path;
	size_t			 i;

	name = engine_drafts_folder_new(a);
	if (name == NULL)
		name = xstrdup("Drafts");
	path = xasprintf("%s/%s", a->store_path, name);
	buf_init(&msg, DRAFT_MAX + ATTACH_MAX);
	if (mime_compose(&u->comp.d, true, &msg, err, sizeof(err)) == -1)
		ui_message(u, true, "%s", err);
	else if (!store_is_maildir(path) && store_folder_create(a->store_path,
	    name, &serr) == -1)
		ui_message(u, true, "%s", serr.msg);
	else if (store_deliver(path, buf_str(&msg), msg.len, STORE_DRAFT |
	    STORE_SEEN, true, NULL, &serr) == -1)
		ui_message(u, true, "%s", serr.msg);
	else {
		drop_resumed(u);
		ui_list_folders(u);
		i = ui_find_folder(u, name, u->comp.acct);
		if (i != SIZE_MAX) {
			if (i == u->cur)
				ui_reload_folder(u);
			else
				ui_count_folder(&u->folders[i]);
		}
		u->push_acct = u->comp.acct;
		u->push_at = time_mono_ms() + 1;
		u->mode = u->comp.from_mode == UI_MODE_PAGER &&
		    u->pager_open ? UI_MODE_PAGER : UI_MODE_INDEX;
		compose_free(&u->comp);
		ui_message(u, false, "Postponed to %s; m on it there takes it "
		    "up again.", name);
	}
	buf_free(&msg);
	free(path);
	free(name);
}

void
ui_compose_action(struct ui *u, const char *a)
{
	bool	unchanged;
	char	*text;

	if (strcmp(a, "send") == 0)
		compose_send(u);
	else if (strcmp(a, "attach") == 0)
		attach_files(u);
	else if (strcmp(a, "edit") == 0)
		(void)run_editor(u, &unchanged);
	else if (strcmp(a, "edit-to") == 0)
		edit_addrs(u, "To: ", &u->comp.d.to);
	else if (strcmp(a, "edit-cc") == 0)
		edit_addrs(u, "Cc: ", &u->comp.d.cc);
	else if (strcmp(a, "edit-bcc") == 0)
		edit_addrs(u, "Bcc: ", &u->comp.d.bcc);
	else if (strcmp(a, "edit-subject") == 0) {
		text = ui_prompt(u, "Subject: ", u->comp.d.subject != NULL ?
		    u->comp.d.subject : "", NULL);
		if (text != NULL) {
			free(u->comp.d.subject);
			u->comp.d.subject = text;
		}
	} else if (strcmp(a, "postpone") == 0)
		compose_postpone(u);
	else if (strcmp(a, "abort") == 0) {
		if (ui_prompt_key(u, "Abort this message? (y/n) ") == 'y') {
			u->mode = u->comp.from_mode == UI_MODE_PAGER &&
			    u->pager_open ? UI_MODE_PAGER : UI_MODE_INDEX;
			compose_free(&u->comp);
			ui_message(u, false, "Message aborted.");
		}
	} else if (strcmp(a, "down") == 0) {
		if (u->comp.att_sel + 1 < u->comp.d.nattachments)
			u->comp.att_sel++;
	} else if (strcmp(a, "up") == 0) {
		if (u->comp.att_sel > 0)
			u->comp.att_sel--;
	} else if (strcmp(a, "redraw") == 0)
		u->dirty = true;
	else if (strcmp(a, "help") == 0) {
		u->help_from = UI_MODE_COMPOSE;
		u->help_top = 0;
		u->mode = UI_MODE_HELP;
	}
}

void
ui_compose_end(struct ui *u)
{
	compose_free(&u->comp);
}
