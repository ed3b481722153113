/*
 * script.c: a scripted server for protocol transcript tests (SMTP, POP3):
 * a thread on one end of a socketpair reads the client's lines and
 * answers as the steps say (see tests.h).
 */
#include <sys/socket.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "tests.h"

#define PUT(x)	do { if ((x) == -1) abort(); } while (0)

static bool
read_data(struct test_script *s)
{
	char	ch;

	for (;;) {
		if (read(s->fd, &ch, 1) != 1)
			return false;
		PUT(buf_append(&s->data, &ch, 1));
		if ((s->data.len >= 5 && memcmp(s->data.data + s->data.len - 5,
		    "\r\n.\r\n", 5) == 0) || (s->data.len == 3 &&
		    memcmp(s->data.data, ".\r\n", 3) == 0))
			return true;
	}
}

static void
expect_line(struct test_script *s, size_t i, const char *want, struct buf *line)
{
	bool	ok;

	if (!test_fd_read_line(s->fd, line)) {
		(void)snprintf(s->error, sizeof(s->error), "step %zu: client "
		    "closed, wanted %s", i, want);
		return;
	}
	PUT(buf_printf(&s->got, "%s\n", buf_str(line)));
	ok = want[0] == '=' ? strcmp(buf_str(line), want + 1) == 0 :
	    strncmp(buf_str(line), want, strlen(want)) == 0;
	if (!ok)
		(void)snprintf(s->error, sizeof(s->error), "step %zu: got "
		    "\"%s\", wanted \"%s\"", i, buf_str(line), want);
}

void *
test_script_run(void *arg)
{
	struct test_script	*s = arg;
	struct buf	 line;
	size_t		 i;
	const char	*want, *reply;

	buf_init(&line, 1 << 20);
	for (i = 0; s->error[0] == '\0' && (s->steps[i].expect != NULL ||
	    s->steps[i].reply != NULL); i++) {
		want = s->steps[i].expect;
		reply = s->steps[i].reply;
		if (want != NULL && strcmp(want, "<data>") == 0) {
			if (!read_data(s))
				(void)snprintf(s->error, sizeof(s->error),
				    "step %zu: no end of data", i);
		} else if (want != NULL)
			expect_line(s, i, want, &line);
		if (s->error[0] != '\0')
			break;
		if (reply != NULL && strcmp(reply, "<close>") == 0) {
			(void)shutdown(s->fd, SHUT_RDWR);
			break;
		}
		if (reply != NULL)
			test_fd_write_all(s->fd, reply, strlen(reply));
	}
	/* Then take what the client still sends, until it closes. */
	while (s->error[0] == '\0' && test_fd_read_line(s->fd, &line))
		PUT(buf_printf(&s->got, "%s\n", buf_str(&line)));
	buf_free(&line);
	(void)close(s->fd);
	return NULL;
}


int
test_script_start(struct test_script *srv, const struct test_step *steps,
    size_t data_max)
{
	int	sv[2];

	memset(srv, 0, sizeof(*srv));
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	srv->fd = sv[1];
	srv->steps = steps;
	buf_init(&srv->got, 1 << 20);
	buf_init(&srv->data, data_max);
	ck_assert_int_eq(pthread_create(&srv->tid, NULL, test_script_run,
	    srv), 0);
	return sv[0];
}

void
test_script_join(struct test_script *srv)
{
	ck_assert_int_eq(pthread_join(srv->tid, NULL), 0);
	ck_assert_msg(srv->error[0] == '\0', "%s", srv->error);
}

void
test_script_free(struct test_script *srv)
{
	buf_free(&srv->got);
	buf_free(&srv->data);
}
