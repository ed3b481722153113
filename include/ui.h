/*
 * ui.h: the full-screen interface (facteur with no command).
 *
 * It reads and changes the local store and never touches a socket: the
 * engine (engine.h) syncs in child processes and reports through a pipe.
 * Returns the exit status (0, 1 runtime failure, 2 usage or
 * configuration error); errors before the screen starts go to stderr.
 */
#ifndef FACTEUR_UI_H
#define FACTEUR_UI_H

struct ui_args {
	const char	*config_path;	/* -F, or NULL */
	const char	*account;	/* -a, or NULL: the default */
	const char	*folder;	/* -f, or NULL: INBOX */
};

int	ui_main(const struct ui_args *args);

#endif /* FACTEUR_UI_H */
