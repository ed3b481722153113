/*
 * setup.c: facteur setup: a first account the way desktop clients make
 * one. It asks for the address, the name, the user name and the
 * password, proposes servers by trying the usual names (imap.DOMAIN,
 * mail.DOMAIN, pop.DOMAIN, smtp.DOMAIN...) on the usual ports (993, 995,
 * 465, 587) with TLS and a verified certificate, lets the user accept or
 * type each one, writes a commented configuration (or adds the account
 * to an existing one), and runs config-check on it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli_priv.h"
#include "net.h"

#define PROBE_MS	5000

enum probe_kind {
	PROBE_TLS,		/* implicit TLS: the handshake, verified */
	PROBE_SUBMISSION	/* 587: a 220 greeting (STARTTLS later) */
};

struct probe {
	const char	*scheme;	/* imaps, pop3s, smtps, smtp */
	const char	*service;	/* for FACTEUR_SETUP_PORTS */
	const char	*port;
	enum probe_kind	 kind;
	char		*host;
	struct net_conn	*c;
	bool		 done, ok;
	char		 why[256];
};

/* ------------------------------------------------------------------ */
/* Questions                                                           */

/* One line from standard input, without its line end; NULL at the end.
 * secret: no echo when it is a terminal. Owned. */
static char *
ask(const char *question, const char *def, bool secret)
{
	struct termios	 old, t;
	struct buf	 b;
	bool		 tty = secret && isatty(0);
	int		 c;

	if (def != NULL && def[0] != '\0')
		(void)printf("%s [%s]: ", question, def);
	else
		(void)printf("%s: ", question);
	(void)fflush(stdout);
	if (tty && tcgetattr(0, &old) == 0) {
		t = old;
		t.c_lflag &= ~(tcflag_t)ECHO;
		(void)tcsetattr(0, TCSAFLUSH, &t);
	} else
		tty = false;
	buf_init(&b, 4096);
	while ((c = getchar()) != EOF && c != '\n')
		if (c != '\r' && buf_append_byte(&b, (unsigned char)c) == -1)
			break;
	if (tty) {
		(void)tcsetattr(0, TCSAFLUSH, &old);
		(void)putchar('\n');
	}
	if (c == EOF && b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	if (b.len == 0 && def != NULL) {
		buf_free(&b);
		return xstrdup(def);
	}
	return buf_take(&b);
}

static bool
yes(const char *question, bool def)
{
	char	*a = ask(question, def ? "y" : "n", false);
	bool	 r = a != NULL && (a[0] == 'y' || a[0] == 'Y');

	free(a);
	return r;
}

/* ------------------------------------------------------------------ */
/* Probing                                                             */

static void
on_probe(struct net_conn *conn, enum net_event ev, void *arg)
{
	struct probe	*p = arg;
	const char	*line;
	size_t		 len;

	switch (ev) {
	case NET_EV_CONNECTED:
		if (p->kind == PROBE_TLS) {
			p->ok = p->done = true;
			net_conn_close(&p->c);
		}
		break;
	case NET_EV_READABLE:
		if (net_conn_read_line(conn, &line, &len) != NET_LINE_OK)
			break;
		p->ok = len >= 3 && memcmp(line, "220", 3) == 0;
		if (!p->ok)
			(void)fct_snprintf(p->why, sizeof(p->why), "not a mail "
			    "server's greeting");
		p->done = true;
		net_conn_close(&p->c);
		break;
	case NET_EV_ERROR:
		(void)fct_snprintf(p->why, sizeof(p->why), "%s",
		    net_conn_errmsg(conn));
		p->done = true;
		p->c = NULL;
		break;
	default:
		break;
	}
}

/* FACTEUR_SETUP_PORTS ("imaps:10993,smtps:10465"): other ports for the
 * services (tests). */
static const char *
port_for(const char *service, const char *def, char *buf, size_t size)
{
	const char	*env = getenv("FACTEUR_SETUP_PORTS"), *p;
	size_t		 n = strlen(service), k;

	if (env == NULL)
		return def;
	for (p = env; (p = strstr(p, service)) != NULL; p += n) {
		if ((p != env && p[-1] != ',') || p[n] != ':')
			continue;
		for (k = 0; p[n + 1 + k] >= '0' && p[n + 1 + k] <= '9' &&
		    k + 1 < size; k++)
			buf[k] = p[n + 1 + k];
		buf[k] = '\0';
		return k > 0 ? buf : def;
	}
	return def;
}

static void
add_probe(struct probe **v, size_t *n, const char *scheme,
    const char *service, const char *host, const char *port,
    enum probe_kind kind)
{
	struct probe	*p;

	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	p = &(*v)[(*n)++];
	memset(p, 0, sizeof(*p));
	p->scheme = scheme;
	p->service = service;
	p->port = port;
	p->kind = kind;
	p->host = xstrdup(host);
}

/* The candidates, in the order they are preferred. "localhost" has no
 * subdomains: itself only. */
static void
candidates(const char *domain, struct probe **v, size_t *n)
{
	static const struct {
		const char	*prefix, *scheme, *service, *port;
		enum probe_kind	 kind;
	} c[] = {
		{ "imap.", "imaps", "imaps", "993", PROBE_TLS },
		{ "mail.", "imaps", "imaps", "993", PROBE_TLS },
		{ "", "imaps", "imaps", "993", PROBE_TLS },
		{ "pop.", "pop3s", "pop3s", "995", PROBE_TLS },
		{ "pop3.", "pop3s", "pop3s", "995", PROBE_TLS },
		{ "mail.", "pop3s", "pop3s", "995", PROBE_TLS },
		{ "", "pop3s", "pop3s", "995", PROBE_TLS },
		{ "smtp.", "smtps", "smtps", "465", PROBE_TLS },
		{ "mail.", "smtps", "smtps", "465", PROBE_TLS },
		{ "", "smtps", "smtps", "465", PROBE_TLS },
		{ "smtp.", "smtp", "submission", "587", PROBE_SUBMISSION },
		{ "mail.", "smtp", "submission", "587", PROBE_SUBMISSION },
		{ "", "smtp", "submission", "587", PROBE_SUBMISSION },
	};
	static char	ports[4][16];
	const char	*port;
	char		*host;
	size_t		 i, k;
	bool		 local = ascii_casecmp(domain, "localhost") == 0;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (local != (c[i].prefix[0] == '\0'))
			continue;
		k = c[i].service[0] == 'i' ? 0 : c[i].service[0] == 'p' ? 1 :
		    c[i].service[1] == 'm' ? 2 : 3;
		port = port_for(c[i].service, c[i].port, ports[k],
		    sizeof(ports[k]));
		host = xasprintf("%s%s", c[i].prefix, domain);
		add_probe(v, n, c[i].scheme, c[i].service, host, port,
		    c[i].kind);
		free(host);
	}
}

/* Try them all at once; each says how it went. */
static void
probe_all(struct probe *v, size_t n)
{
	struct net_loop		*loop = net_loop_new();
	struct net_tls_ctx	*ctx;
	struct net_conn_params	 p;
	char			 err[256];
	size_t			 i, left = n;
	int64_t			 end;

	ctx = net_tls_ctx_new(NULL, err, sizeof(err));
	for (i = 0; i < n; i++) {
		memset(&p, 0, sizeof(p));
		p.host = v[i].host;
		p.port = v[i].port;
		p.tls = v[i].kind == PROBE_TLS;
		p.tls_ctx = ctx;
		p.connect_timeout_ms = PROBE_MS;
		p.io_timeout_ms = PROBE_MS;
		if (p.tls && ctx == NULL) {
			(void)fct_snprintf(v[i].why, sizeof(v[i].why), "%s",
			    err);
			v[i].done = true;
			continue;
		}
		v[i].c = net_conn_connect(loop, &p, on_probe, &v[i]);
	}
	end = time_mono_ms() + PROBE_MS + 1000;
	while (time_mono_ms() < end) {
		for (i = 0, left = 0; i < n; i++)
			left += !v[i].done;
		if (left == 0 || net_loop_run_once(loop, 200) <= 0)
			break;
	}
	for (i = 0; i < n; i++) {
		if (!v[i].done)
			(void)fct_snprintf(v[i].why, sizeof(v[i].why),
			    "no answer");
		net_conn_close(&v[i].c);
	}
	net_loop_free(&loop);
	net_tls_ctx_free(&ctx);
}

/* The URL of a probe: user escaped, the port only when not the
 * scheme's. */
static char *
probe_url(const struct probe *p, const char *user)
{
	static const struct {
		const char	*scheme, *port;
	} defaults[] = { { "imaps", "993" }, { "pop3s", "995" },
	    { "smtps", "465" }, { "smtp", "587" } };
	struct buf	b;
	size_t		i;
	bool		std = false;

	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (strcmp(p->scheme, defaults[i].scheme) == 0 &&
		    strcmp(p->port, defaults[i].port) == 0)
			std = true;
	buf_init(&b, 1024);
	if (buf_printf(&b, "%s://", p->scheme) == -1)
		goto out;
	for (i = 0; user[i] != '\0'; i++) {
		unsigned char	c = (unsigned char)user[i];

		if (c == '@' || c == ':' || c == '/' || c == '%' || c <= ' ' ||
		    c == 0x7f) {
			if (buf_printf(&b, "%%%02X", c) == -1)
				goto out;
		} else if (buf_append_byte(&b, c) == -1)
			goto out;
	}
	if (buf_printf(&b, "@%s%s%s", p->host, std ? "" : ":",
	    std ? "" : p->port) == -1)
		goto out;
out:
	return buf_take(&b);
}

/* ------------------------------------------------------------------ */
/* The file                                                            */

/* A value as facteur.conf(5) reads it: quoted when it must be. */
static void
put_value(FILE *fp, const char *v)
{
	if (strpbrk(v, "#\"\\") == NULL && v[0] != ' ' && v[0] != '\0' &&
	    v[strlen(v) - 1] != ' ') {
		(void)fputs(v, fp);
		return;
	}
	(void)fputc('"', fp);
	for (; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\')
			(void)fputc('\\', fp);
		(void)fputc(*v, fp);
	}
	(void)fputc('"', fp);
}

static int
write_config(const char *path, bool append, const char *account,
    const char *address, const char *in, const char *out,
    const char *password, const char *command)
{
	FILE	*fp;
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND :
	    O_EXCL), 0600);
	if (fd == -1 || (fp = fdopen(fd, "a")) == NULL) {
		(void)fprintf(stderr, "facteur: setup: %s: %s\n", path,
		    strerror(errno));
		if (fd != -1)
			(void)close(fd);
		return -1;
	}
	if (!append)
		(void)fputs("# facteur's configuration, made by facteur setup."
		    "\n# Every setting is in facteur.conf(5) (man "
		    "facteur.conf).\n\n[general]\n"
		    "# editor = vim          # default: $VISUAL, then $EDITOR, "
		    "then vi\n# sort = threads        # date, date-reverse, "
		    "from, subject, size\n# mail-root = ~/Mail    # where the "
		    "local copies live\n", fp);
	(void)fprintf(fp, "\n[account %s]\naddress = ", account);
	put_value(fp, address);
	(void)fputs("\n# imaps:// and pop3s:// are TLS from the first byte; "
	    "imap:// and pop3://\n# would require STARTTLS.\nincoming = ",
	    fp);
	put_value(fp, in);
	(void)fputs("\n# smtps:// is TLS on port 465, smtp:// submission on "
	    "587 with STARTTLS.\n", fp);
	if (out != NULL) {
		(void)fputs("outgoing = ", fp);
		put_value(fp, out);
		(void)fputc('\n', fp);
	} else
		(void)fputs("# outgoing = smtps://user@smtp.example.org\n", fp);
	if (command != NULL) {
		(void)fputs("# The first line this command prints is the "
		    "password.\npassword-command = ", fp);
		put_value(fp, command);
		(void)fputc('\n', fp);
	} else if (password != NULL) {
		(void)fputs("# Kept here, so this file is readable by you "
		    "alone; password-command\n# can read it from a password "
		    "manager instead.\npassword = ", fp);
		put_value(fp, password);
		(void)fputc('\n', fp);
	}
	(void)fputs("# keep-on-server = 14d      # POP3: how long mail stays "
	    "on the server\n# signature-file = ~/.signature\n", fp);
	if (fflush(fp) == EOF || fsync(fileno(fp)) == -1) {
		(void)fprintf(stderr, "facteur: setup: %s: %s\n", path,
		    strerror(errno));
		(void)fclose(fp);
		return -1;
	}
	return fclose(fp) == 0 ? 0 : -1;
}

/* mkdir -p of the file's directory (0700). */
static void
make_parent(const char *path)
{
	char	*d = xstrdup(path), *p;

	for (p = d + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		(void)mkdir(d, 0700);
		*p = '/';
	}
	free(d);
}

/* ------------------------------------------------------------------ */

/* The first probe of this scheme family that answered, or NULL. */
static const struct probe *
first_ok(const struct probe *v, size_t n, const char *s1, const char *s2)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (v[i].ok && (strcmp(v[i].scheme, s1) == 0 ||
		    (s2 != NULL && strcmp(v[i].scheme, s2) == 0)))
			return &v[i];
	return NULL;
}

static const char *
service_label(const char *service)
{
	return strcmp(service, "imaps") == 0 ? "IMAP over TLS" :
	    strcmp(service, "pop3s") == 0 ? "POP3 over TLS" :
	    strcmp(service, "smtps") == 0 ? "SMTP over TLS" :
	    "SMTP submission";
}

int
cli_setup(const struct cli_opts *o)
{
	struct stat	 st;
	struct probe	*v = NULL;
	size_t		 n = 0, i;
	const struct probe *in_p, *out_p;
	char		*path, *addr = NULL, *name = NULL, *user = NULL;
	char		*pw = NULL, *cmd = NULL, *in = NULL, *out = NULL;
	char		*acct = NULL, *def, *full = NULL, *dot;
	const char	*domain;
	bool		 append = false;
	int		 rc = CLI_FAIL;

	path = cfg_default_path(o->config_path, NULL);
	(void)printf("facteur setup: a new account in %s\n\n", path);
	if (stat(path, &st) == 0) {
		if (!yes("That file exists: add the account to it?", true)) {
			(void)printf("Nothing written.\n");
			free(path);
			return CLI_OK;
		}
		append = true;
	}
	do {
		free(addr);
		addr = ask("Your email address", NULL, false);
		if (addr == NULL)
			goto eof;
	} while (!mime_addr_valid(addr) &&
	    printf("  that is not an address (name@example.org)\n") > 0);
	domain = strchr(addr, '@') + 1;
	name = ask("Your name, as others see it", "", false);
	if (name == NULL)
		goto eof;
	user = ask("User name on the servers", addr, false);
	if (user == NULL)
		goto eof;
	def = xstrndup(domain, strcspn(domain, "."));
	acct = ask("A short name for this account", def, false);
	free(def);
	if (acct == NULL)
		goto eof;

	(void)printf("\nLooking for your servers (TLS, certificates "
	    "verified)...\n");
	candidates(domain, &v, &n);
	probe_all(v, n);
	for (i = 0; i < n; i++)
		(void)printf("  %-28s %-16s %s\n", v[i].host,
		    service_label(v[i].service), v[i].ok ? "found" :
		    v[i].why);
	in_p = first_ok(v, n, "imaps", "pop3s");
	out_p = first_ok(v, n, "smtps", "smtp");
	(void)printf("\n");
	if (in_p == NULL)
		(void)printf("No incoming server answered: type its address "
		    "(imaps://HOST, pop3s://HOST, imap://HOST...).\n");
	def = in_p != NULL ? probe_url(in_p, user) : NULL;
	in = ask("Incoming server", def, false);
	free(def);
	if (in == NULL)
		goto eof;
	def = out_p != NULL ? probe_url(out_p, user) : NULL;
	out = ask("Outgoing server (empty: none)", def != NULL ? def : "",
	    false);
	free(def);
	if (out == NULL)
		goto eof;
	(void)printf("\nThe password can be kept in the file (readable by "
	    "you alone), or\nread from a command such as \"pass show mail\" "
	    "when it is needed.\n");
	cmd = ask("Command that prints the password (empty: keep it in the "
	    "file)", "", false);
	if (cmd == NULL)
		goto eof;
	if (cmd[0] == '\0') {
		free(cmd);
		cmd = NULL;
		pw = ask("Password", NULL, true);
		if (pw == NULL)
			goto eof;
	}
	if (name[0] != '\0') {
		dot = strpbrk(name, ",;:<>\"@()[]\\.");
		full = dot != NULL ? xasprintf("\"%s\" <%s>", name, addr) :
		    xasprintf("%s <%s>", name, addr);
	} else
		full = xstrdup(addr);
	make_parent(path);
	if (write_config(path, append, acct, full, in, out[0] != '\0' ? out :
	    NULL, pw, cmd) == -1)
		goto out;
	(void)printf("\nWritten to %s. Checking it:\n", path);
	(void)fflush(stdout);
	{
		struct cli_opts	co = *o;

		co.config_path = path;
		rc = cli_config_check(&co);
	}
	if (rc == CLI_OK)
		(void)printf("\nfacteur sync fetches your mail; facteur opens "
		    "it.\n");
	goto out;
eof:
	(void)fprintf(stderr, "facteur: setup: no answer (end of input); "
	    "nothing written\n");
	rc = CLI_USAGE;
out:
	for (i = 0; i < n; i++)
		free(v[i].host);
	free(v);
	xfree_secret(&pw);
	free(cmd);
	free(addr);
	free(name);
	free(user);
	free(acct);
	free(in);
	free(out);
	free(full);
	free(path);
	return rc;
}
