/*
 * engine.h: the network side of the interface. Each account that has a
 * server is served by a child process (the engine) that sends its
 * outbox, syncs it with the same code as facteur sync, then waits for
 * news: IDLE on an IMAP INBOX, else a poll every check-interval. The
 * interface reads typed events from one pipe (engine_fd() in its poll
 * loop, engine_next() when readable) and asks for a sync with
 * engine_request(); it never waits on the network. The store on disk is
 * the shared state: the interface rescans a folder when the engine says
 * it changed.
 *
 * Events travel as versioned text lines of at most ENGINE_LINE_MAX bytes
 * (one write each, atomic on a pipe); their text is sanitised (no
 * control characters) before it is sent.
 *
 * Ownership: engine_start() returns a handle freed by engine_stop(),
 * which also ends the children. The configuration is borrowed and must
 * outlive the handle. Nothing here prints.
 */
#ifndef FACTEUR_ENGINE_H
#define FACTEUR_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define ENGINE_LINE_MAX		2048
#define ENGINE_FOLDER_MAX	512
#define ENGINE_TEXT_MAX		1024

enum engine_ev {
	ENGINE_EV_BUSY,		/* a sync started (text: what it does) */
	ENGINE_EV_PROGRESS,	/* folder: n of total downloaded */
	ENGINE_EV_FOLDER,	/* folder synced; n: local changes (new,
				 * flags, deletions): rescan it */
	ENGINE_EV_SENT,		/* outbox: n sent, total left queued */
	ENGINE_EV_NOTICE,	/* text to show */
	ENGINE_EV_ERROR,	/* text: the failure, the server's words */
	ENGINE_EV_IDLE,		/* the sync ended (n: 0 ok, 1 failed);
				 * text: how it waits for news */
	ENGINE_EV_NEWS,		/* the server reported a change */
	ENGINE_EV_FETCHED	/* folder: text (a file name) now holds
				 * its whole message */
};

struct engine_event {
	enum engine_ev	kind;
	size_t		account;	/* index in cfg->accounts */
	uint64_t	n, total;
	char		folder[ENGINE_FOLDER_MAX];	/* "" when none */
	char		text[ENGINE_TEXT_MAX];
};

struct engine_opts {
	const char	*cache_dir;	/* index caches, or NULL */
	int64_t		 min_interval_ms; /* tests: 0, else the floor of
					 * check-interval polls */
};

struct engine;

/*
 * Start a child for every account with an incoming server (IMAP, POP3)
 * or an outgoing one; each syncs at once. NULL with err when a process
 * or a pipe could not be made. With no such account, an engine without
 * children (engine_fd() is -1).
 */
struct engine	*engine_start(const struct config *cfg,
		    const struct engine_opts *o, char *err, size_t errlen);
/* The descriptor to poll for reading, or -1. */
int		 engine_fd(const struct engine *e);
/* The next event: 1, 0 when none is waiting, -1 when every child has
 * gone (the pipe closed). Malformed lines are skipped. */
int		 engine_next(struct engine *e, struct engine_event *ev);
/* Ask account's child (SIZE_MAX: every child) to send and sync now.
 * -1 when the account has no child. */
int		 engine_sync(struct engine *e, size_t account);
/*
 * Ask account's child for the rest of a message kept as its headers
 * only (store_is_partial()): folder is the local folder, name the file's
 * name. ENGINE_EV_FETCHED, or ENGINE_EV_ERROR, follows. -1 when the
 * account has no child or the names cannot be sent.
 */
int		 engine_fetch(struct engine *e, size_t account,
		    const char *folder, const char *name);
/* Whether account's child is syncing (between BUSY and IDLE). */
bool		 engine_busy(const struct engine *e, size_t account);
/* Whether account has a child at all. */
bool		 engine_serves(const struct engine *e, size_t account);
/* End the children (a sync in progress is cut: the store is crash-safe)
 * and free the handle; NULL is fine. */
void		 engine_stop(struct engine **e);

/* Parse one event line (without its newline): 0, or -1 when it is not
 * one (tests and the fuzzer use it). */
int		 engine_parse(const char *line, size_t len,
		    struct engine_event *ev);
/* Format an event as one line with its newline into out (size at
 * least ENGINE_LINE_MAX): its length. Control characters in folder and
 * text become spaces. */
size_t		 engine_format(const struct engine_event *ev, char *out,
		    size_t size);

/*
 * Queue a composed message in the account's outbox, prepared as facteur
 * send prepares it (Date, Message-ID added; recipients checked); the
 * next sync (engine_sync()) sends it. 0, or -1 with err.
 */
int		 engine_queue(const struct cfg_account *a, const char *msg,
		    size_t len, char *err, size_t errlen);
/* The outgoing server's SIZE when it was last reached, 0 if unknown. */
uint64_t	 engine_size_limit(const struct cfg_account *a);

/* The account's special folders as the interface needs them: the
 * config's choice, else the server's (SPECIAL-USE), else NULL (trash,
 * drafts) or "Sent". Owned. */
char		*engine_trash_folder_new(const struct cfg_account *a);
char		*engine_drafts_folder_new(const struct cfg_account *a);
char		*engine_sent_folder_new(const struct cfg_account *a);

#endif /* FACTEUR_ENGINE_H */
