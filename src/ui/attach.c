/*
 * attach.c: the attachment list (v in the pager): save a part to a file,
 * pipe it to a command, open it with the mailcap's program (or $PAGER
 * for text); and piping a whole message (|). External programs get the
 * terminal; the screen comes back after them.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app_priv.h"

#define PART_MAX	((size_t)512 * 1024 * 1024)

int
ui_run_shell(struct ui *u, const char *cmd, const char *data, size_t len,
    bool wait_key)
{
	int	 p[2] = { -1, -1 }, st = -1;
	pid_t	 pid;
	size_t	 off = 0;
	ssize_t	 w;
	char	 key[32];
	uint32_t cp;
	bool	 code;

	if (data != NULL && pipe(p) == -1) {
		ui_message(u, true, "pipe: %s", strerror(errno));
		return -1;
	}
	ui_term_suspend();
	(void)fflush(stdout);
	pid = fork();
	if (pid == 0) {
		(void)signal(SIGINT, SIG_DFL);
		(void)signal(SIGPIPE, SIG_DFL);
		if (data != NULL) {
			(void)dup2(p[0], 0);
			(void)close(p[0]);
			(void)close(p[1]);
		}
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (data != NULL) {
		(void)close(p[0]);
		while (pid > 0 && off < len) {
			w = write(p[1], data + off, len - off);
			if (w == -1 && errno == EINTR)
				continue;
			if (w <= 0)
				break;	/* the command stopped reading */
			off += (size_t)w;
		}
		(void)close(p[1]);
	}
	if (pid > 0)
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
	if (wait_key) {
		(void)printf("\n[press any key to return to facteur]");
		(void)fflush(stdout);
	}
	ui_term_resume();
	if (wait_key) {
		/* The terminal is in curses mode again: a key ends it. */
		u->overlay = NULL;
		(void)ui_get_key(u, key, sizeof(key), &cp, &code);
	}
	u->dirty = true;
	if (pid == -1) {
		ui_message(u, true, "fork: %s", strerror(errno));
		return -1;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void
ui_pipe_message(struct ui *u, size_t mi)
{
	struct store_err	 err;
	char			*cmd, *data;
	size_t			 len;
	int			 st;

	if (mi == SIZE_MAX)
		return;
	cmd = ui_prompt(u, "Pipe the message to: ", "", NULL);
	if (cmd == NULL || cmd[0] == '\0') {
		free(cmd);
		return;
	}
	if (store_msg_read_new(u->f, mi, &data, &len, &err) == -1) {
		ui_message(u, true, "%s", err.msg);
		free(cmd);
		return;
	}
	st = ui_run_shell(u, cmd, data, len, true);
	if (st != 0)
		ui_message(u, true, "%s: exit status %d", cmd, st);
	free(data);
	free(cmd);
}

/* The part's decoded bytes, owned; NULL with a message. */
static char *
part_bytes(struct ui *u, const struct mime_part *p, size_t *len)
{
	struct buf	b;

	buf_init(&b, PART_MAX);
	if (mime_part_decode(u->pager.msg, p, &b) == -1) {
		ui_message(u, true, "the part could not be decoded");
		buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return buf_take(&b);
}

int
ui_write_file(const char *path, const char *data, size_t len, bool excl)
{
	int	fd, e;
	size_t	off = 0;
	ssize_t	w;

	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
	    (excl ? O_EXCL : O_TRUNC), 0600);
	if (fd == -1)
		return -1;
	while (off < len) {
		w = write(fd, data + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = errno;
			(void)close(fd);
			errno = e;
			return -1;
		}
		off += (size_t)w;
	}
	return close(fd);
}

/* A file name safe to offer: the last component, no leading dot. */
static char *
suggested_name(const struct mime_part *p)
{
	const char	*f = p->filename, *s;
	char		*r;
	size_t		 i;

	if (f == NULL || f[0] == '\0')
		return xstrdup("attachment");
	s = strrchr(f, '/');
	if (s != NULL)
		f = s + 1;
	while (*f == '.')
		f++;
	if (*f == '\0')
		return xstrdup("attachment");
	r = xstrdup(f);
	for (i = 0; r[i] != '\0'; i++)
		if ((unsigned char)r[i] < 0x20 || r[i] == 0x7f ||
		    r[i] == '\\')
			r[i] = '_';
	return r;
}

static void
save_part(struct ui *u, const struct mime_part *p)
{
	struct stat	 st;
	char		*name, *path, *data;
	size_t		 len;
	uint32_t	 c;

	name = suggested_name(p);
	path = ui_prompt(u, "Save to file: ", name, ui_complete_files);
	free(name);
	if (path == NULL || path[0] == '\0') {
		free(path);
		return;
	}
	if (stat(path, &st) == 0) {
		c = ui_prompt_key(u, "The file exists: overwrite it? (y/n) ");
		if (c != 'y') {
			free(path);
			return;
		}
	}
	data = part_bytes(u, p, &len);
	if (data != NULL) {
		if (ui_write_file(path, data, len, false) == -1)
			ui_message(u, true, "%s: %s", path, strerror(errno));
		else
			ui_message(u, false, "Saved %zu bytes to %s", len,
			    path);
	}
	free(data);
	free(path);
}

static void
pipe_part(struct ui *u, const struct mime_part *p)
{
	char	*cmd, *data;
	size_t	 len;

	cmd = ui_prompt(u, "Pipe the attachment to: ", "", NULL);
	if (cmd == NULL || cmd[0] == '\0') {
		free(cmd);
		return;
	}
	data = part_bytes(u, p, &len);
	if (data != NULL)
		(void)ui_run_shell(u, cmd, data, len, true);
	free(data);
	free(cmd);
}

/* Through the mailcap's program, else $PAGER for text: the part goes to
 * a private temporary file, removed afterwards. */
static void
open_part(struct ui *u, const struct mime_part *p)
{
	struct ui_mailcap	 mc;
	const char		*tmpdir = getenv("TMPDIR"), *pager;
	char			*data, *path, *cmd = NULL, *dir, *base, *full;
	size_t			 len;
	bool			 have;

	have = ui_mailcap_find(p->type, &mc) == 0;
	if (!have && strncmp(p->type, "text/", 5) != 0 &&
	    strcmp(p->type, "message/rfc822") != 0) {
		ui_message(u, true, "No mailcap entry for %s: save it (s) or "
		    "pipe it (|).", p->type);
		return;
	}
	data = part_bytes(u, p, &len);
	if (data == NULL) {
		if (have)
			ui_mailcap_free(&mc);
		return;
	}
	dir = xasprintf("%s/facteur-XXXXXX", tmpdir != NULL &&
	    tmpdir[0] == '/' ? tmpdir : "/tmp");
	if (mkdtemp(dir) == NULL) {
		ui_message(u, true, "%s: %s", dir, strerror(errno));
		free(dir);
		free(data);
		if (have)
			ui_mailcap_free(&mc);
		return;
	}
	base = suggested_name(p);
	path = xasprintf("%s/%s", dir, base);
	free(base);
	if (ui_write_file(path, data, len, true) == -1) {
		ui_message(u, true, "%s: %s", path, strerror(errno));
	} else if (have) {
		cmd = ui_mailcap_command(mc.command, path, p->type);
		if (mc.copiousoutput) {
			pager = getenv("PAGER");
			full = xasprintf("(%s) | %s", cmd,
			    pager != NULL && pager[0] ? pager : "less");
			free(cmd);
			cmd = full;
		}
		(void)ui_run_shell(u, cmd, NULL, 0, !mc.needsterminal &&
		    !mc.copiousoutput);
	} else {
		pager = getenv("PAGER");
		cmd = xasprintf("%s", pager != NULL && pager[0] ? pager :
		    "less");
		(void)ui_run_shell(u, cmd, data, len, false);
	}
	(void)unlink(path);
	(void)rmdir(dir);
	free(cmd);
	free(path);
	free(dir);
	free(data);
	if (have)
		ui_mailcap_free(&mc);
}

void
ui_attach_key(struct ui *u, const char *action, const char *key)
{
	const struct mime_part	*p;

	if (!u->pager_open || u->pager.natt == 0) {
		u->mode = UI_MODE_PAGER;
		if (u->pager_open)
			ui_message(u, false, "This message has no parts.");
		return;
	}
	p = u->pager.att[u->att_sel].part;
	if (strcmp(key, "q") == 0 || strcmp(key, "<Esc>") == 0 ||
	    strcmp(key, "i") == 0)
		u->mode = UI_MODE_PAGER;
	else if (strcmp(key, "s") == 0)
		save_part(u, p);
	else if (strcmp(key, "|") == 0)
		pipe_part(u, p);
	else if (strcmp(key, "<Enter>") == 0 || strcmp(key, "m") == 0)
		open_part(u, p);
	else if (action != NULL && strcmp(action, "down") == 0) {
		if (u->att_sel + 1 < u->pager.natt)
			u->att_sel++;
	} else if (action != NULL && strcmp(action, "up") == 0) {
		if (u->att_sel > 0)
			u->att_sel--;
	} else if (strcmp(key, "?") == 0)
		ui_message(u, false, "Enter: open (mailcap), s: save, |: "
		    "pipe, j/k: move, q: back");
}
