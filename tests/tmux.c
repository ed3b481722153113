/*
 * tmux.c: the interface driven as a user drives it: the real binary in a
 * tmux pane of a private tmux server (its own socket, no user config),
 * keys sent with send-keys, the screen read with capture-pane.
 */
#include <sys/stat.h>

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <locale.h>
#include <wchar.h>

#include "tests.h"

static char *
run_out(const char *cmd)
{
	FILE	*p = popen(cmd, "r");
	struct buf b;
	char	chunk[4096];
	size_t	n;

	ck_assert_msg(p != NULL, "popen %s", cmd);
	buf_init(&b, 1 << 22);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		ck_assert_int_eq(buf_append(&b, chunk, n), 0);
	(void)pclose(p);
	return buf_take(&b);
}

static void
run_tmux(const struct test_tmux *t, const char *fmt, ...)
{
	va_list	ap;
	char	*args, *cmd;
	int	 st;

	va_start(ap, fmt);
	args = xvasprintf(fmt, ap);
	va_end(ap);
	cmd = xasprintf("tmux -L %s -f /dev/null %s", t->sock, args);
	st = system(cmd);
	ck_assert_msg(st == 0, "%s: status %d", cmd, st);
	free(cmd);
	free(args);
}

void
test_tmux_start(struct test_tmux *t, int w, int h, const char *home,
    const char *args)
{
	char	*cmd = xasprintf("%s %s", TEST_FACTEUR, args);

	test_tmux_start_cmd(t, w, h, home, cmd);
	free(cmd);
}

void
test_tmux_start_cmd(struct test_tmux *t, int w, int h, const char *home,
    const char *command)
{
	char	 cwd[4096], *inner, *script;
	FILE	*fp;

	memset(t, 0, sizeof(*t));
	(void)snprintf(t->sock, sizeof(t->sock), "facteur-test-%d-%ld",
	    (int)getpid(), (long)time(NULL));
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	/* A script, so that nothing needs quoting twice. */
	script = xasprintf("%s/run-ui.sh", home);
	fp = fopen(script, "w");
	ck_assert_ptr_nonnull(fp);
	(void)fprintf(fp, "#!/bin/sh\ncd '%s' || exit 1\n"
	    "export HOME='%s' FACTEUR_CONFIG='%s/config' LANG=C.UTF-8 "
	    "LC_ALL=C.UTF-8 TMPDIR='%s'\nunset NO_COLOR MAIL\n"
	    "%s\necho \"FACTEUR-EXIT=$?\"\nexec sleep 600\n", cwd, home,
	    home, home, command);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(chmod(script, 0700), 0);
	inner = xasprintf("new-session -d -s ui -x %d -y %d '%s'", w, h,
	    script);
	run_tmux(t, "%s", inner);
	free(inner);
	free(script);
	t->started = true;
}

char *
test_tmux_screen(const struct test_tmux *t)
{
	char	*cmd = xasprintf("tmux -L %s -f /dev/null capture-pane -p "
		    "-t ui", t->sock);
	char	*s = run_out(cmd);

	free(cmd);
	return s;
}

char *
test_tmux_query(const struct test_tmux *t, const char *format)
{
	char	*cmd = xasprintf("tmux -L %s -f /dev/null display-message -p "
		    "-t ui '%s'", t->sock, format);
	char	*s = run_out(cmd);

	free(cmd);
	return s;
}

char *
test_tmux_wait(const struct test_tmux *t, const char *needle, int ms)
{
	int64_t	 end = time_mono_ms() + ms;
	char	*s;

	for (;;) {
		s = test_tmux_screen(t);
		if (strstr(s, needle) != NULL)
			return s;
		if (time_mono_ms() > end)
			break;
		free(s);
		(void)usleep(20000);
	}
	ck_abort_msg("the screen never showed \"%s\"; it shows:\n%s", needle,
	    s);
	return s;
}

bool
test_tmux_gone(const struct test_tmux *t, const char *needle, int ms)
{
	int64_t	 end = time_mono_ms() + ms;
	char	*s;
	bool	 gone;

	for (;;) {
		s = test_tmux_screen(t);
		gone = strstr(s, needle) == NULL;
		free(s);
		if (gone || time_mono_ms() > end)
			return gone;
		(void)usleep(20000);
	}
}

void
test_tmux_keys(const struct test_tmux *t, const char *keys)
{
	run_tmux(t, "send-keys -t ui %s", keys);
}

void
test_tmux_type(const struct test_tmux *t, const char *text)
{
	char	*q = xasprintf("'%s'", text);

	ck_assert_msg(strchr(text, '\'') == NULL, "quote in %s", text);
	run_tmux(t, "send-keys -l -t ui %s", q);
	free(q);
}

void
test_tmux_resize(const struct test_tmux *t, int w, int h)
{
	run_tmux(t, "resize-window -t ui -x %d -y %d", w, h);
}

void
test_tmux_stop(struct test_tmux *t)
{
	char	*cmd;

	if (!t->started)
		return;
	cmd = xasprintf("tmux -L %s -f /dev/null kill-server 2>/dev/null",
	    t->sock);
	(void)system(cmd);
	free(cmd);
	t->started = false;
}

/* The line of the screen holding needle, or NULL; owned. */
char *
test_screen_line(const char *screen, const char *needle)
{
	const char	*p = strstr(screen, needle), *s, *e;

	if (p == NULL)
		return NULL;
	for (s = p; s > screen && s[-1] != '\n'; s--)
		;
	e = strchr(p, '\n');
	return xstrndup(s, e != NULL ? (size_t)(e - s) : strlen(s));
}

int
test_display_width(const char *s)
{
	mbstate_t	st;
	wchar_t		wc;
	size_t		n, len = strlen(s);
	int		w = 0, cw;
	locale_t	loc, old;

	loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	ck_assert_msg(loc != (locale_t)0, "no C.UTF-8 locale");
	old = uselocale(loc);
	memset(&st, 0, sizeof(st));
	while (len > 0) {
		n = mbrtowc(&wc, s, len, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof(st));
			n = 1;
			cw = 1;
		} else
			cw = wcwidth(wc) < 0 ? 1 : wcwidth(wc);
		w += cw;
		s += n;
		len -= n;
	}
	(void)uselocale(old);
	freelocale(loc);
	return w;
}
