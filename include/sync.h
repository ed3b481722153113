/*
 * sync.h: an IMAP account mirrored with its local store, both ways.
 *
 * Per folder, the sync state (the server's UIDVALIDITY, what was known of
 * each message at the last sync: its UID, its flags, its file) lives in a
 * dot-file inside the folder's maildir, ".facteur-sync", which other
 * maildir readers ignore. It is written aside, fsync'd and renamed, so a
 * crash leaves the old state or the new one. Downloaded files carry their
 * UID in their name (",U=42", as mbsync writes it), so a message stored
 * just before a crash is recognised, not downloaded twice; a message
 * being uploaded is journalled first and looked up by Message-ID after a
 * crash, not uploaded twice.
 *
 * Conflicts: flags take the union of the changes made on each side since
 * the last sync (a flag added on one side is added, removed on one side
 * is removed); a message deleted on one side and changed on the other is
 * kept (downloaded or uploaded again); a UIDVALIDITY change never deletes
 * mail: messages are matched again by Message-ID, the others downloaded.
 *
 * Moves and folders: a file that left one synced folder for another
 * (same name) is moved on the server (UID MOVE, else COPY and delete),
 * journalled in the destination first. The account's folder record
 * (below) tells a folder renamed on one side (same UIDVALIDITY) or
 * deleted on one side from a new one; a deletion is carried over only
 * when the other side did not change since (no new mail there, no local
 * change here), and never when a whole side is missing.
 *
 * Ownership: arguments are borrowed for the call.
 */
#ifndef FACTEUR_SYNC_H
#define FACTEUR_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "imap.h"
#include "smtp.h"
#include "store.h"

/* ------------------------------------------------------------------ */
/* The state file                                                      */

#define SYNC_STATE_FILE		".facteur-sync"
#define SYNC_JOURNAL_FILE	".facteur-sync.journal"

struct sync_entry {
	uint32_t	 uid;
	uint8_t		 flags;		/* STORE_* as last synced */
	char		*name;		/* the file's unique part, owned */
};

/* The folder's new/ and cur/ as the last sync left them, and when:
 * unchanged mtimes (settled well before that time) mean nothing
 * changed locally. */
struct sync_stamp {
	int64_t	new_s, new_ns, cur_s, cur_ns;
	int64_t	at_s, at_ns;
};

struct sync_state {
	uint32_t		 uidvalidity;	/* 0: never synced */
	uint32_t		 uidnext;
	uint64_t		 modseq;	/* HIGHESTMODSEQ, 0: none */
	bool			 have_stamp;
	struct sync_stamp	 stamp;
	struct sync_entry	*e;		/* by increasing uid */
	size_t			 n, cap;
	/* "messages N": how many entries the file holds (checked against
	 * them; alone after sync_state_load_head()). */
	size_t			 count;
	bool			 have_count;
};

void	sync_state_init(struct sync_state *st);
void	sync_state_free(struct sync_state *st);
/*
 * Read dir/.facteur-sync. A missing file is an empty state (0); a file
 * that cannot be read or does not parse is -1 with the reason and the
 * line in err (the caller then syncs as if for the first time, matching
 * messages by Message-ID: nothing is lost or duplicated).
 */
int	sync_state_load(struct sync_state *st, const char *dir,
	    struct store_err *err);
/*
 * Only the lines before the messages' (UIDVALIDITY, UIDNEXT, MODSEQ, the
 * local stamp, the count), for a resync that may need nothing more: 0,
 * or 1 when the file is missing, has no count or does not start as it
 * should (the caller then loads it whole). st->e stays empty.
 */
int	sync_state_load_head(struct sync_state *st, const char *dir,
	    struct store_err *err);
/* Parse a state file's bytes (for sync_state_load() and the fuzzer). */
int	sync_state_parse(struct sync_state *st, const char *data, size_t len,
	    struct store_err *err);
/* Write it aside, fsync, rename over dir/.facteur-sync, fsync dir. */
int	sync_state_save(const struct sync_state *st, const char *dir,
	    struct store_err *err);
/* Add an entry (the name is copied); keeps the order by uid. */
void	sync_state_add(struct sync_state *st, uint32_t uid, unsigned flags,
	    const char *name, size_t namelen);
/*
 * The journal (SYNC_JOURNAL_FILE): "append NAME" lines, one per file whose
 * upload or move was under way. fn gets each name that
 * sync_state_name_ok() accepts, NUL-terminated (other lines, and a last
 * line cut short by a crash, are skipped); its -1 stops the walk and is
 * returned, else 0.
 */
typedef int sync_journal_fn(const char *name, void *arg);
int	sync_journal_parse(const char *data, size_t len, sync_journal_fn *fn,
	    void *arg);
/* Remove uid's entry, if any. */
void	sync_state_remove(struct sync_state *st, uint32_t uid);
/* Whether a file name's unique part can be recorded: not empty, not
 * starting with ".", no "/", ":", NUL or line end, at most 512 bytes.
 * Files whose names cannot are left out of the sync (and said so). */
bool	sync_state_name_ok(const char *s, size_t n);
/* The entry for uid, or NULL. */
struct sync_entry *sync_state_find(const struct sync_state *st,
	    uint32_t uid);

/*
 * The sync's small files: read path whole into b (at most max bytes; b
 * is initialised here and the caller's to free on 0): 0, 1 when there is
 * no such file (b empty), -1 with the reason. Replace dir/name with b's
 * bytes: written aside, fsync'd, renamed, dir fsync'd.
 */
struct buf;
int	sync_file_read(const char *path, size_t max, struct buf *b,
	    struct store_err *err);
int	sync_file_replace(const char *dir, const char *name,
	    const struct buf *b, struct store_err *err);

/* ------------------------------------------------------------------ */
/* The account's folders                                               */

/*
 * ".facteur-folders" at the root of the account's store records what
 * the last sync saw of the server's folders, so that the next one can
 * tell a folder deleted or renamed on one side from one new on the
 * other, and the special folders the server names (SPECIAL-USE):
 *
 *   facteur-folders 1
 *   special sent Sent
 *   folder 1700000001 43 Archives/2024<TAB>Archives.2024
 *
 * "folder UIDVALIDITY UIDNEXT NAME[<TAB>MAILBOX]": the server's folder as
 * the last sync left it, by its local name, then the server's own name
 * for it (so that the next sync can ask its STATUS before listing).
 */
#define SYNC_FOLDERS_FILE	".facteur-folders"

enum sync_special {
	SYNC_SPECIAL_SENT,
	SYNC_SPECIAL_DRAFTS,
	SYNC_SPECIAL_TRASH,
	SYNC_SPECIAL_JUNK,
	SYNC_SPECIAL_ARCHIVE,
	SYNC_SPECIAL_N
};

struct sync_folder_rec {
	char		*name;		/* local folder name, owned */
	uint32_t	 uidvalidity, uidnext;
	char		*mailbox;	/* the server's name (UTF-8), owned,
					 * or NULL when not recorded */
};

struct sync_folders {
	char			*special[SYNC_SPECIAL_N];  /* owned, or NULL */
	struct sync_folder_rec	*v;		/* sorted by name */
	size_t			 n, cap;
};

void	sync_folders_init(struct sync_folders *sf);
void	sync_folders_free(struct sync_folders *sf);
/* Parse the file's bytes; -1 with the line and what was expected. */
int	sync_folders_parse(struct sync_folders *sf, const char *data,
	    size_t len, struct store_err *err);
/* Read ROOT/.facteur-folders: a missing file is an empty record (0). */
int	sync_folders_load(struct sync_folders *sf, const char *root,
	    struct store_err *err);
int	sync_folders_save(const struct sync_folders *sf, const char *root,
	    struct store_err *err);
/* Add or update a folder (name copied). A name the record could not
 * read back (store_folder_name_ok() refuses it, or it holds a control
 * byte) is not recorded. */
void	sync_folders_set(struct sync_folders *sf, const char *name,
	    uint32_t uidvalidity, uint32_t uidnext);
/* Record the server's name of a recorded folder (NULL, or a name the
 * record cannot hold: none). */
void	sync_folders_set_mailbox(struct sync_folders *sf, const char *name,
	    const char *mailbox);
void	sync_folders_drop(struct sync_folders *sf, const char *name);
const struct sync_folder_rec *sync_folders_find(const struct sync_folders *sf,
	    const char *name);
/* "sent", "drafts", "trash", "junk", "archive". */
const char *sync_special_word(enum sync_special which);
/*
 * The local folder the server names for a special use at the last sync,
 * read from ROOT's record; owned by the caller, NULL when unknown (the
 * config's sent-folder and the like come first: the caller's choice).
 */
char	*sync_special_folder_new(const char *root, enum sync_special which);

/* ------------------------------------------------------------------ */
/* Synchronising                                                       */

enum sync_event_kind {
	SYNC_EV_FOLDER,		/* a folder starts: name, to_fetch */
	SYNC_EV_PROGRESS,	/* counters moved */
	SYNC_EV_DONE,		/* a folder is done */
	SYNC_EV_NOTICE,		/* something the user should know: msg */
	SYNC_EV_ERROR		/* a folder failed: msg (the server's
				 * text when it refused) */
};

struct sync_counts {
	size_t	to_fetch, fetched;	/* messages down */
	size_t	uploaded;		/* messages up (APPEND) */
	size_t	flags_up, flags_down;	/* messages whose flags moved */
	size_t	deleted_up, deleted_down; /* deletions propagated */
	size_t	skipped;		/* over max-size: headers only */
};

struct sync_event {
	enum sync_event_kind	 kind;
	const char		*folder;	/* local name */
	const struct sync_counts *counts;
	const char		*msg;
};

typedef void sync_event_cb(const struct sync_event *ev, void *arg);

struct sync_opts {
	const char	*secret;	/* password or token; NULL: none */
	const char	*cache_dir;	/* index caches, or NULL */
	imap_trace_cb	*trace;		/* protocol trace, or NULL */
	sync_event_cb	*event;
	void		*arg;		/* for trace and event */
	/* Tests: connect here instead of the account's host and port. */
	const char	*ca_file;	/* NULL: the account's */
	/* Only this local folder's messages (facteur send: the Sent
	 * copy); the account's folders are left as they are. NULL: all. */
	const char	*only_folder;
};

/*
 * Synchronise every folder of an imap:// or imaps:// account. Returns 0
 * when every folder synced, 1 when some failed (events said which), -1
 * when the account could not be reached at all (err says why).
 */
int	sync_imap_account(const struct cfg_account *a,
	    const struct sync_opts *o, char *err, size_t errlen);

/*
 * Watch the INBOX of an IMAP account for new mail with IDLE: connect,
 * EXAMINE INBOX, IDLE until the server reports a change (NEWS),
 * timeout_ms pass (TIMEOUT; at most 29 minutes, RFC 2177), or wake_fd
 * (-1: none) becomes readable (WOKEN; nothing is read from it). A
 * server without IDLE is NO_IDLE (the caller polls); a failure is ERROR
 * with err set. The connection is closed before returning.
 */
enum sync_watch_result {
	SYNC_WATCH_NEWS,
	SYNC_WATCH_TIMEOUT,
	SYNC_WATCH_WOKEN,
	SYNC_WATCH_NO_IDLE,
	SYNC_WATCH_ERROR
};
int	sync_imap_watch(const struct cfg_account *a,
	    const struct sync_opts *o, int64_t timeout_ms, int wake_fd,
	    char *err, size_t errlen);

/*
 * The whole of a message that a sync kept as its headers only (over
 * max-size, store_is_partial()): the local folder's file named name
 * (its unique part; the flags may have changed since) gets the server's
 * message, fetched without marking it seen, its bytes replaced at once.
 * 0, or -1 with err (the folder must have been synced; the server's
 * text when it refused).
 */
int	sync_imap_fetch_whole(const struct cfg_account *a,
	    const struct sync_opts *o, const char *folder, const char *name,
	    char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* A POP3 account's INBOX                                              */

/*
 * ".facteur-pop3" in the INBOX: for each message downloaded, its
 * server unique-id (UIDL), when it was downloaded (keep-on-server counts
 * from there) and its local file. See pop3_state.c for the format. The
 * unique-id is never used as a file name.
 */
#define SYNC_POP3_STATE_FILE	".facteur-pop3"
#define SYNC_POP3_UIDL_MAX	70

struct sync_pop3_entry {
	char	*uidl;		/* owned */
	int64_t	 fetched;	/* seconds since the epoch */
	char	*name;		/* the file's unique part, owned */
};

struct sync_pop3_state {
	struct sync_pop3_entry	*e;	/* sorted by uidl */
	size_t			 n, cap;
};

void	sync_pop3_state_init(struct sync_pop3_state *st);
void	sync_pop3_state_free(struct sync_pop3_state *st);
/* Parse the file's bytes: -1 with the line and what was wrong (a bad
 * unique-id or file name, the same unique-id twice). */
int	sync_pop3_state_parse(struct sync_pop3_state *st, const char *data,
	    size_t len, struct store_err *err);
/* The file's bytes for st, appended to b; -1 when b is full. */
int	sync_pop3_state_format(const struct sync_pop3_state *st,
	    struct buf *b);
/* Read DIR/.facteur-pop3 (missing: empty, 0); write it aside, fsync'd,
 * renamed, the directory fsync'd. */
int	sync_pop3_state_load(struct sync_pop3_state *st, const char *dir,
	    struct store_err *err);
int	sync_pop3_state_save(const struct sync_pop3_state *st,
	    const char *dir, struct store_err *err);
/* The entry of a unique-id, or NULL. */
const struct sync_pop3_entry *sync_pop3_find(const struct sync_pop3_state *st,
	    const char *uidl, size_t len);
/* Add one (copied): -1 when the unique-id or the name could not be
 * written back, the time is negative, or the id is known already. */
int	sync_pop3_add(struct sync_pop3_state *st, const char *uidl, size_t len,
	    int64_t fetched, const char *name);
void	sync_pop3_drop(struct sync_pop3_state *st, const char *uidl,
	    size_t len);

/*
 * Download a pop3:// or pop3s:// account's new messages (by UIDL) into
 * its INBOX, each durably before anything is deleted, then delete on the
 * server what keep-on-server lets go (FACTEUR_NOW, seconds since the
 * epoch, stands for the clock when set: tests). 0, or -1 with err (the
 * server's text when it refused). From a server without UIDL every
 * message is fetched and kept only when new by content; deleted there
 * only with keep-on-server = 0.
 */
int	sync_pop3_account(const struct cfg_account *a,
	    const struct sync_opts *o, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* The outbox                                                          */

/*
 * Messages waiting to be sent live in the account's maildir "Outbox",
 * as they will be kept (Bcc included). Flushing sends each through the
 * account's outgoing server; once the server took one (250 after the
 * final dot) it is renamed NAME:2,T in Outbox/cur/ (durable: "sent",
 * never sent again), linked into the Sent folder under the same unique
 * name with the S flag, and removed from the outbox. A crash before the
 * rename sends it again at the next flush; one after it, never.
 */
#define SYNC_OUTBOX_FOLDER	"Outbox"
/* In the outbox: the outgoing server's SIZE when it was last reached. */
#define SYNC_OUTBOX_SIZE_FILE	".facteur-smtp-size"

struct sync_send_opts {
	const char	*secret;	/* outgoing password or token, or
					 * NULL (no AUTH) */
	smtp_trace_cb	*trace;		/* protocol trace, or NULL */
	sync_event_cb	*event;		/* a message failed: SYNC_EV_ERROR
					 * with the file name as folder */
	void		*arg;		/* for trace and event */
};

struct sync_outbox_result {
	size_t	 sent;		/* taken by the server */
	size_t	 deferred;	/* left for later (4xx, network) */
	size_t	 refused;	/* refused for good (5xx, a bad message);
				 * still in the outbox */
	bool	 unreachable;	/* the server could not be reached */
	char	*first_error;	/* the first failure's text, owned */
};

/* The account's Outbox path and Sent folder name (config, then the
 * server's special-use record, then "Sent"); owned. */
char	*sync_outbox_path_new(const struct cfg_account *a);
char	*sync_sent_folder_new(const struct cfg_account *a);
/*
 * Prepare a message as facteur send does (recipients checked, Date,
 * Message-ID and From added when missing) and queue it: 0; -2 when the
 * message itself is at fault, -1 when it could not be stored (err says
 * why). *name (may be NULL) gets its outbox file name.
 */
int	sync_outbox_queue(const struct cfg_account *a, const char *msg,
	    size_t len, char **name, char *err, size_t errlen);
/* The outgoing server's SIZE when it was last reached (0: no limit
 * announced, or never reached). */
uint64_t sync_outbox_size_limit(const struct cfg_account *a);
/* Queue a message (mime_outgoing_prepare()'s copy) durably; *name (may
 * be NULL) gets its file name. */
int	sync_outbox_add(const struct cfg_account *a, const char *msg,
	    size_t len, char **name, struct store_err *err);
/*
 * Send what the outbox holds (only the file named only, when not NULL),
 * and file what an earlier run sent but did not file. 0 when the server
 * was reached (r says how each message went), -1 with err when it could
 * not be (r->unreachable) or the outbox could not be read.
 */
int	sync_outbox_flush(const struct cfg_account *a,
	    const struct sync_send_opts *o, const char *only,
	    struct sync_outbox_result *r, char *err, size_t errlen);
void	sync_outbox_result_free(struct sync_outbox_result *r);

#endif /* FACTEUR_SYNC_H */
