/*
 * filter.c: running a user's command as a filter (html-command): input on
 * its standard input, output from its standard output, both through poll
 * so that neither side can block the other.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"

static void
filter_child(const char *cmd, int inp[2], int outp[2])
{
	if (dup2(inp[0], 0) == -1 || dup2(outp[1], 1) == -1)
		_exit(127);
	(void)close(inp[0]);
	(void)close(inp[1]);
	(void)close(outp[0]);
	(void)close(outp[1]);
	(void)signal(SIGPIPE, SIG_DFL);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/* Feed in, collect out; false if out overflowed. */
static bool
filter_pump(int wfd, int rfd, const char *in, size_t inlen, struct buf *out)
{
	struct pollfd	pfd[2];
	size_t		off = 0;
	bool		ok = true;
	char		b[8192];

	pfd[0].fd = inlen > 0 ? wfd : -1;
	pfd[0].events = POLLOUT;
	pfd[1].fd = rfd;
	pfd[1].events = POLLIN;
	if (inlen == 0)
		(void)close(wfd);
	while (pfd[1].fd != -1) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].fd != -1 && pfd[0].revents) {
			ssize_t	w = write(wfd, in + off, inlen - off);

			if (w > 0)
				off += (size_t)w;
			if (w <= 0 || off == inlen) {
				(void)close(wfd);
				pfd[0].fd = -1;
			}
		}
		if (pfd[1].revents) {
			ssize_t	r = read(rfd, b, sizeof(b));

			if (r <= 0)
				pfd[1].fd = -1;
			else if (buf_append(out, b, (size_t)r) == -1)
				ok = false;
		}
	}
	if (pfd[0].fd != -1)
		(void)close(wfd);
	return ok;
}

int
run_filter(const char *cmd, const char *in, size_t inlen, struct buf *out,
    char *err, size_t errlen)
{
	int	inp[2], outp[2], status;
	pid_t	pid;
	bool	ok;

	if (pipe(inp) == -1)
		goto syserr;
	if (pipe(outp) == -1) {
		(void)close(inp[0]);
		(void)close(inp[1]);
		goto syserr;
	}
	pid = fork();
	if (pid == -1) {
		(void)close(inp[0]);
		(void)close(inp[1]);
		(void)close(outp[0]);
		(void)close(outp[1]);
		goto syserr;
	}
	if (pid == 0)
		filter_child(cmd, inp, outp);
	(void)close(inp[0]);
	(void)close(outp[1]);
	(void)fcntl(inp[1], F_SETFL, O_NONBLOCK);
	ok = filter_pump(inp[1], outp[0], in, inlen, out);
	(void)close(outp[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		(void)snprintf(err, errlen, "'%s' failed (%s %d)", cmd,
		    WIFEXITED(status) ? "exit status" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) :
		    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		return -1;
	}
	if (!ok) {
		(void)snprintf(err, errlen, "'%s' printed too much", cmd);
		return -1;
	}
	return 0;
syserr:
	(void)snprintf(err, errlen, "cannot run '%s': %s", cmd,
	    strerror(errno));
	return -1;
}
