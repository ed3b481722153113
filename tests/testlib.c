/* testlib.c: helpers shared by the test suites (see tests.h). */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"

static void
tconn_cb(struct net_conn *c, enum net_event ev, void *arg)
{
	struct tconn	*t = arg;

	switch (ev) {
	case NET_EV_CONNECTED:
		t->connected = true;
		break;
	case NET_EV_TLS_READY:
		t->tls_ready = true;
		break;
	case NET_EV_DRAINED:
		t->drained = true;
		break;
	case NET_EV_ERROR:
		t->failed = true;
		t->err = net_conn_error(c);
		snprintf(t->errmsg, sizeof(t->errmsg), "%s",
		    net_conn_errmsg(c));
		break;
	case NET_EV_READABLE:
		break;
	}
}

bool
tconn_wait(struct tconn *t, bool *cond, int ms)
{
	int64_t	end = time_mono_ms() + ms;

	while (!*cond && !t->failed) {
		int64_t	left = end - time_mono_ms();

		if (left <= 0)
			break;
		if (net_loop_run_once(t->loop, (int)left) <= 0)
			break;
	}
	return *cond;
}

bool
tconn_open(struct tconn *t, const struct net_conn_params *p)
{
	memset(t, 0, sizeof(*t));
	t->loop = net_loop_new();
	t->conn = net_conn_connect(t->loop, p, tconn_cb, t);
	return tconn_wait(t, &t->connected, TCONN_WAIT_MS);
}

bool
tconn_open_fd(struct tconn *t, int fd, const struct net_conn_params *p)
{
	memset(t, 0, sizeof(*t));
	t->loop = net_loop_new();
	t->conn = net_conn_from_fd(t->loop, fd, p, tconn_cb, t);
	return tconn_wait(t, &t->connected, TCONN_WAIT_MS);
}

void
tconn_close(struct tconn *t)
{
	net_conn_close(&t->conn);
	net_loop_free(&t->loop);
}

char *
tconn_line(struct tconn *t)
{
	int64_t		 end = time_mono_ms() + TCONN_WAIT_MS;
	const char	*line;
	size_t		 len;

	for (;;) {
		switch (net_conn_read_line(t->conn, &line, &len)) {
		case NET_LINE_OK:
			return xmemdup0(line, len);
		case NET_LINE_FAIL:
			return NULL;
		case NET_LINE_WAIT:
			break;
		}
		if (t->failed || time_mono_ms() >= end)
			return NULL;
		if (net_loop_run_once(t->loop,
		    (int)(end - time_mono_ms())) <= 0)
			return NULL;
	}
}

bool
tconn_send(struct tconn *t, const char *fmt, ...)
{
	va_list	 ap;
	char	*s, *line;
	bool	 ok;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	line = xasprintf("%s\r\n", s);
	ok = net_conn_write(t->conn, line, strlen(line)) == 0;
	free(line);
	free(s);
	return ok;
}

char *
tconn_expect(struct tconn *t, const char *prefix, struct buf *seen)
{
	char	*line;

	while ((line = tconn_line(t)) != NULL) {
		if (seen != NULL && (buf_append_str(seen, line) == -1 ||
		    buf_append_byte(seen, '\n') == -1))
			fatalx("tconn_expect: transcript too long");
		if (strncmp(line, prefix, strlen(prefix)) == 0)
			return line;
		free(line);
	}
	return NULL;
}

bool
tconn_starttls(struct tconn *t)
{
	if (net_conn_starttls(t->conn) == -1)
		return false;
	return tconn_wait(t, &t->tls_ready, TCONN_WAIT_MS);
}

const char *
test_env(const char *name)
{
	const char	*v = getenv(name);

	ck_assert_msg(v != NULL && *v != '\0',
	    "%s is not set: run the server tests through "
	    "tests/servers/with-servers.sh", name);
	return v;
}

/* rm -rf path (lstat: symbolic links are removed, not followed). */
void
test_remove_tree(const char *path)
{
	struct stat	 st;
	DIR		*dir;
	struct dirent	*de;

	if (lstat(path, &st) == -1)
		return;
	if (!S_ISDIR(st.st_mode)) {
		(void)unlink(path);
		return;
	}
	dir = opendir(path);
	if (dir != NULL) {
		while ((de = readdir(dir)) != NULL) {
			char	*sub;

			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			sub = xasprintf("%s/%s", path, de->d_name);
			test_remove_tree(sub);
			free(sub);
		}
		(void)closedir(dir);
	}
	(void)rmdir(path);
}

int
test_read_file(const char *path, struct buf *out)
{
	char	chunk[8192];
	FILE	*fp = fopen(path, "rb");
	size_t	 n;

	if (fp == NULL)
		return -1;
	for (;;) {
		n = fread(chunk, 1, sizeof(chunk), fp);
		if (n == 0)
			break;
		if (buf_append(out, chunk, n) == -1) {
			(void)fclose(fp);
			return -1;
		}
	}
	(void)fclose(fp);
	return 0;
}

void
test_write_file(const char *path, const char *data, size_t len)
{
	FILE	*fp = fopen(path, "wb");

	ck_assert_msg(fp != NULL, "%s: %s", path, strerror(errno));
	if (len > 0)
		ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

char *
test_slurp(const char *path, size_t *len)
{
	struct buf	b;

	buf_init(&b, 256u << 20);
	ck_assert_msg(test_read_file(path, &b) == 0, "%s: cannot read", path);
	if (len != NULL)
		*len = b.len;
	ck_assert_int_eq(buf_append(&b, "", 1), 0);
	return buf_take(&b);
}

struct test_run
test_run_facteur(const char *home, const char *const *args,
    const char *const *env, const char *outpath)
{
	return test_run_facteur_in(home, args, env, NULL, outpath);
}

struct test_run
test_run_facteur_in(const char *home, const char *const *args,
    const char *const *env, const char *inpath, const char *outpath)
{
	struct test_run	 r = { -1, NULL, 0, NULL };
	char		*argv[TEST_MAXARGS + 2], *envp[TEST_MAXENV + 4];
	char		 opath[] = "/tmp/facteur-test.out.XXXXXX";
	char		 epath[] = "/tmp/facteur-test.err.XXXXXX";
	int		 argc = 0, envc = 0, status, ofd, efd, fd;
	size_t		 elen;
	pid_t		 pid;

	ck_assert_msg(access(TEST_FACTEUR, X_OK) == 0, "%s: %s (run the "
	    "tests from the top of the tree after make facteur)",
	    TEST_FACTEUR, strerror(errno));
	argv[argc++] = xstrdup("facteur");
	while (args[argc - 1] != NULL && argc <= TEST_MAXARGS) {
		argv[argc] = xstrdup(args[argc - 1]);
		argc++;
	}
	argv[argc] = NULL;
	/* The extra variables first: getenv() finds the first of a name. */
	while (env != NULL && env[envc] != NULL && envc < TEST_MAXENV) {
		envp[envc] = xstrdup(env[envc]);
		envc++;
	}
	envp[envc++] = xasprintf("HOME=%s", home);
	envp[envc++] = xstrdup("PATH=/usr/bin:/bin");
	envp[envc++] = xstrdup("LC_ALL=C");
	envp[envc] = NULL;
	ofd = outpath != NULL ? open(outpath, O_WRONLY | O_CREAT | O_TRUNC,
	    0600) : mkstemp(opath);
	efd = mkstemp(epath);
	ck_assert(ofd >= 0 && efd >= 0);
	(void)fflush(NULL);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		fd = open(inpath != NULL ? inpath : "/dev/null", O_RDONLY);
		if (fd == -1 || dup2(fd, 0) == -1 || dup2(ofd, 1) == -1 ||
		    dup2(efd, 2) == -1)
			_exit(126);
		execve(TEST_FACTEUR, argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1)
		ck_assert_int_eq(errno, EINTR);
	if (WIFEXITED(status))
		r.status = WEXITSTATUS(status);
	ck_assert_msg(r.status != 126 && r.status != 127, "could not run "
	    "%s (status %d)", TEST_FACTEUR, r.status);
	(void)close(ofd);
	(void)close(efd);
	if (outpath == NULL) {
		r.out = test_slurp(opath, &r.outlen);
		(void)unlink(opath);
	} else
		r.out = xstrdup("");
	r.err = test_slurp(epath, &elen);
	(void)unlink(epath);
	while (argc > 0)
		free(argv[--argc]);
	while (envc > 0)
		free(envp[--envc]);
	return r;
}

void
test_run_free(struct test_run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

static int
strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
test_sort_strings(char **v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), strp_cmp);
}

static void
test_imap_ready(struct imap_client *c, bool ok, void *arg)
{
	struct test_imap	*t = arg;

	t->ready = true;
	t->ok = ok;
	if (!ok)
		(void)snprintf(t->err, sizeof(t->err), "%s",
		    imap_client_error(c));
}

void
test_imap_open(struct test_imap *t, enum imap_tls_mode mode,
    enum imap_auth_mech mech, const char *user, const char *password,
    imap_unsolicited_cb *unsolicited)
{
	struct imap_client_params	p;
	char				err[512];

	memset(t, 0, sizeof(*t));
	t->loop = net_loop_new();
	t->ctx = net_tls_ctx_new(test_env("MAILTEST_CA_FILE"), err,
	    sizeof(err));
	ck_assert_msg(t->ctx != NULL, "%s", err);
	memset(&p, 0, sizeof(p));
	p.net.host = test_env("MAILTEST_HOST");
	p.net.port = test_env(mode == IMAP_TLS_IMPLICIT ?
	    "MAILTEST_IMAPS_PORT" : "MAILTEST_IMAP_PORT");
	p.net.tls_ctx = t->ctx;
	p.net.tls_name = test_env("MAILTEST_TLS_SERVERNAME");
	p.net.io_timeout_ms = 20000;
	p.mode = mode;
	p.mech = mech;
	p.user = user;
	p.secret = password;
	p.unsolicited = unsolicited;
	t->c = imap_client_open(t->loop, &net_source_network, &p,
	    test_imap_ready, t);
	(void)imap_client_wait(t->c, &t->ready);
	ck_assert(t->ready);
}

void
test_imap_close(struct test_imap *t)
{
	imap_client_close(&t->c);
	net_loop_free(&t->loop);
	net_tls_ctx_free(&t->ctx);
}

bool
test_fd_read_line(int fd, struct buf *line)
{
	char	ch;

	buf_reset(line);
	for (;;) {
		ssize_t	r = read(fd, &ch, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		if (ch == '\n')
			break;
		if (ch != '\r' && buf_append(line, &ch, 1) == -1)
			return false;
	}
	return true;
}

void
test_fd_write_all(int fd, const char *data, size_t len)
{
	size_t	off = 0;
	ssize_t	w;

	while (off < len) {
		w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
}

pid_t
test_spawn_facteur(const char *home, const char *cmd)
{
	char	*cfg = xasprintf("FACTEUR_CONFIG=%s/config", home);
	char	*h = xasprintf("HOME=%s", home);
	pid_t	 pid;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *const argv[] = { (char *)TEST_FACTEUR, (char *)cmd,
		    NULL };
		char *const envp[] = { cfg, h, (char *)"LC_ALL=C", NULL };
		int	fd = open("/dev/null", O_RDWR);

		(void)dup2(fd, 1);
		(void)dup2(fd, 2);
		execve(TEST_FACTEUR, argv, envp);
		_exit(127);
	}
	free(cfg);
	free(h);
	return pid;
}
