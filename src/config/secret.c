/*
 * secret.c: passwords and tokens: password-command, and keeping secrets
 * out of core dumps. A secret lives in memory only while needed and is
 * overwritten before it is freed (xfree_secret).
 */
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include "buf.h"
#include "config.h"

/* What a password command may print: more is a mistake, not a secret. */
#define SECRET_MAX	(16 * 1024)
#define STDERR_MAX	4096

int
cfg_protect_secrets(void)
{
	struct rlimit	rl = { 0, 0 };

#if defined(__linux__) && defined(PR_SET_DUMPABLE)
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
	return setrlimit(RLIMIT_CORE, &rl);
}

/* Read both pipes until both are closed; bounded. Returns true when the
 * output did not fit in out. */
static bool
drain_pipes(int outfd, int errfd, struct buf *out, struct buf *err)
{
	bool		overflow = false;
	struct pollfd	pfd[2];
	char		b[1024];
	int		open_fds = 2;

	pfd[0].fd = outfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = errfd;
	pfd[1].events = POLLIN;
	while (open_fds > 0) {
		int	i;

		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2; i++) {
			ssize_t	r;

			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			r = read(pfd[i].fd, b, sizeof(b));
			if (r <= 0) {
				pfd[i].fd = -1;
				open_fds--;
				continue;
			}
			/* Past the limits, keep reading but drop. */
			if (buf_append(i == 0 ? out : err, b, (size_t)r) == -1 &&
			    i == 0)
				overflow = true;
		}
	}
	explicit_zero(b, sizeof(b));
	return overflow;
}

static void
child_exec(const char *cmd, int outp[2], int errp[2])
{
	int	devnull = open("/dev/null", O_RDONLY);

	if (devnull == -1 || dup2(devnull, 0) == -1 ||
	    dup2(outp[1], 1) == -1 || dup2(errp[1], 2) == -1)
		_exit(127);
	(void)close(outp[0]);
	(void)close(errp[0]);
	(void)signal(SIGPIPE, SIG_DFL);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/* The first line of err, for an error message. */
static void
first_line(const struct buf *b, char *out, size_t n)
{
	const char	*s = buf_str(b);
	size_t		 len = strcspn(s, "\n");

	if (len >= n)
		len = n - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

/* Run cmd; its first line of output, or NULL with err filled. */
static char *
run_command(const char *what, const char *cmd, char *err, size_t errlen)
{
	struct buf	 out, serr;
	char		 line[512];
	int		 outp[2], errp[2], status;
	pid_t		 pid;
	size_t		 len;
	bool		 overflow;

	if (pipe(outp) == -1 || pipe(errp) == -1) {
		(void)snprintf(err, errlen, "%s: pipe: %s", what,
		    strerror(errno));
		return NULL;
	}
	pid = fork();
	if (pid == -1) {
		(void)snprintf(err, errlen, "%s: fork: %s", what,
		    strerror(errno));
		(void)close(outp[0]);
		(void)close(outp[1]);
		(void)close(errp[0]);
		(void)close(errp[1]);
		return NULL;
	}
	if (pid == 0)
		child_exec(cmd, outp, errp);
	(void)close(outp[1]);
	(void)close(errp[1]);
	buf_init(&out, SECRET_MAX);
	buf_init(&serr, STDERR_MAX);
	overflow = drain_pipes(outp[0], errp[0], &out, &serr);
	(void)close(outp[0]);
	(void)close(errp[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	first_line(&serr, line, sizeof(line));
	buf_free(&serr);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status))
			(void)snprintf(err, errlen, "%s failed (exit status "
			    "%d)%s%s", what, WEXITSTATUS(status),
			    line[0] ? ": " : "", line);
		else
			(void)snprintf(err, errlen, "%s killed by signal %d%s%s",
			    what, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
			    line[0] ? ": " : "", line);
		buf_free_secret(&out);
		return NULL;
	}
	if (overflow) {
		(void)snprintf(err, errlen, "%s printed more than %d bytes",
		    what, SECRET_MAX);
		buf_free_secret(&out);
		return NULL;
	}
	len = strcspn(buf_str(&out), "\n");
	if (len > 0 && buf_str(&out)[len - 1] == '\r')
		len--;
	if (len == 0) {
		(void)snprintf(err, errlen, "%s printed nothing%s%s", what,
		    line[0] ? ": " : "", line);
		buf_free_secret(&out);
		return NULL;
	}
	{
		char	*secret = xmemdup0(out.data, len);

		buf_free_secret(&out);
		return secret;
	}
}

char *
cfg_password(const struct cfg_account *a, bool outgoing, char *err,
    size_t errlen)
{
	err[0] = '\0';
	if (outgoing && a->outgoing_password != NULL)
		return xstrdup(a->outgoing_password);
	if (outgoing && a->outgoing_password_command != NULL)
		return run_command("outgoing-password-command",
		    a->outgoing_password_command, err, errlen);
	if (a->password != NULL)
		return xstrdup(a->password);
	if (a->password_command != NULL)
		return run_command("password-command", a->password_command,
		    err, errlen);
	return NULL;
}
