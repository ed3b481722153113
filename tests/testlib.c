/* testlib.c: helpers shared by the test suites (see tests.h). */
#include <sys/stat.h>

#include <dirent.h>
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
