/*
 * store.h: the local mail store. One maildir per folder
 * (ROOT/FOLDER/{cur,new,tmp}, nested folders as nested directories), an
 * index cache per folder so that opening one reads a single file, the
 * threaded or sorted view of a folder, and search.
 *
 * Default rule: arguments are borrowed for the duration of the call. A
 * struct store_folder owns its messages and every string they point to;
 * those pointers stay valid until the message is removed from the folder
 * (store_folder_rescan(), store_msg_move(), store_folder_expunge()) or the
 * folder is closed. Functions named *_new, and char ** results, give the
 * caller ownership. Errors are returned as -1 with a one-line reason in a
 * struct store_err; nothing here prints.
 *
 * Crash safety: message files change only by creation in tmp/ (written,
 * fsync'd) then rename(2), and a directory is fsync'd after every rename
 * that must survive a crash, so a message is never in zero places. Index
 * caches are rebuildable: they are written aside and renamed, carry a
 * version and a checksum, and are ignored when anything about them is off.
 */
#ifndef FACTEUR_STORE_H
#define FACTEUR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store_err {
	char	msg[512];
};

/* Maildir flags, in the ASCII order they take after ":2,". */
#define STORE_DRAFT	0x01u	/* D */
#define STORE_FLAGGED	0x02u	/* F */
#define STORE_PASSED	0x04u	/* P: forwarded */
#define STORE_REPLIED	0x08u	/* R */
#define STORE_SEEN	0x10u	/* S */
#define STORE_TRASHED	0x20u	/* T: deleted, removed by expunge */
#define STORE_ALL_FLAGS	0x3fu

#define STORE_DATE_UNKNOWN	INT64_MIN

/*
 * One message as the index needs it. Strings are UTF-8 display text
 * (decoded, control characters made harmless by mime_header_text()),
 * never NULL except where noted.
 */
struct store_msg {
	const char	*name;		/* file name in new/ or cur/, with
					 * ":2,FLAGS" when it has them */
	const char	*subject;	/* "" when none */
	const char	*from;		/* display name, else the address, or "" */
	const char	*from_addr;	/* addr-spec, or "" */
	const char	*message_id;	/* "<id>", or NULL */
	const char	*in_reply_to;	/* "<id>", or NULL */
	const char	*references;	/* "<a> <b> <c>" oldest first, or NULL */
	int64_t		 date;		/* Date: in UTC, or STORE_DATE_UNKNOWN */
	int64_t		 received;	/* delivery time: from the file name,
					 * else the file's mtime */
	uint64_t	 size;		/* bytes of the file */
	uint32_t	 id;		/* stable for the life of the folder
					 * handle; never reused */
	uint8_t		 flags;		/* STORE_* */
	bool		 in_new;	/* in new/ (not yet seen by a reader) */
	bool		 has_attachment;
};

/* The key a sort or a search uses for dates: Date:, else delivery time. */
int64_t	store_msg_sort_date(const struct store_msg *m);

/* ------------------------------------------------------------------ */
/* Maildir file names                                                  */

/*
 * Many messages into one folder with one durability barrier: add writes
 * each to tmp/ (flags 0: bound for new/, else cur/ with the flags; tag as
 * for store_deliver_tagged()); commit makes them all durable and puts
 * them in place; only then are they stored. Names (borrowed, valid until
 * reset or free) say where each went. Free drops what was not committed.
 */
struct store_batch;
struct store_batch *store_batch_new(const char *folder_path);
int	store_batch_add(struct store_batch *b, const char *data, size_t len,
	    unsigned flags, const char *tag, struct store_err *err);
/* The same with the delivery time (the server's INTERNALDATE): in the
 * name, and the file's time (-1: now). */
int	store_batch_add_at(struct store_batch *b, const char *data,
	    size_t len, unsigned flags, const char *tag, int64_t received,
	    struct store_err *err);
size_t	store_batch_count(const struct store_batch *b);
const char *store_batch_name(const struct store_batch *b, size_t i);
int	store_batch_commit(struct store_batch *b, struct store_err *err);
/* Forget the committed messages, ready for the next batch. */
void	store_batch_reset(struct store_batch *b);
void	store_batch_free(struct store_batch **b);

/* Durable files for other modules (the sync state): create path
 * exclusively, write, fsync, close; and fsync a directory. 0 or -1. */
int	store_file_write_durable(const char *path, const void *data,
	    size_t len, struct store_err *err);
int	store_dir_fsync(const char *dir, struct store_err *err);

/* Flags from a file name (the letters after ":2,"; unknown letters are
 * kept by store_name_with_flags() but ignored here). */
unsigned	store_name_flags(const char *name);
/* The unique part of a name: its length up to ":2," (or ":" alone). */
size_t	store_name_unique_len(const char *name);
/*
 * name with its standard flags replaced by flags, other letters (a
 * Dovecot keyword "a".."z") kept, all in ASCII order. Owned by the caller.
 */
char	*store_name_with_flags_new(const char *name, unsigned flags);
/* Delivery time from a name's leading digits ("1700000000.M..."), or -1. */
int64_t	store_name_time(const char *name);
/* A fresh unique name "SECS.MmicrosPpidQnRrandom.host" (no flags). */
char	*store_unique_name_new(void);
/* The same with SECS the delivery time given (-1: now); still unique. */
char	*store_unique_name_at(int64_t secs);

/* ------------------------------------------------------------------ */
/* Folders                                                             */

/*
 * A folder name is valid when it is a relative "/"-separated path whose
 * components are not empty, ".", "..", "cur", "new" or "tmp", and do not
 * start with "." (dot names are the store's own files). Returns true when
 * name is usable under a root.
 */
bool	store_folder_name_ok(const char *name);

/* Create ROOT/NAME/{cur,new,tmp} (and missing parents), fsync'd. */
int	store_folder_create(const char *root, const char *name,
	    struct store_err *err);
/*
 * Rename ROOT/FROM to ROOT/TO (missing parents made; TO must not exist),
 * with its messages, its folders below and its sync state; fsync'd.
 */
int	store_folder_rename(const char *root, const char *from,
	    const char *to, struct store_err *err);
/*
 * Delete the folder ROOT/NAME: its messages, cur/ new/ tmp/ and its own
 * files; folders below it stay (and the directory holding them).
 */
int	store_folder_delete(const char *root, const char *name,
	    struct store_err *err);
/*
 * The folders under root, as names relative to it ("INBOX",
 * "Archives/2024"), sorted with INBOX first. A directory is a folder when
 * it holds cur/ and new/. *names is an owned array of owned strings; free
 * with store_names_free().
 */
int	store_folder_list_new(const char *root, char ***names, size_t *n,
	    struct store_err *err);
void	store_names_free(char **names, size_t n);

/* True when path looks like a maildir (has cur/ and new/). */
bool	store_is_maildir(const char *path);

struct store_open_opts {
	const char	*cache_dir;	/* directory for index caches, or NULL
					 * for none */
	const char	*fallback_charset; /* undeclared 8-bit headers; NULL:
					 * windows-1252 */
	bool		 read_only;	/* never rename, deliver or delete */
	unsigned	 threads;	/* parser threads for files not in the
					 * cache; 0: the number of CPUs */
};

/* Where index caches live: $XDG_CACHE_HOME/facteur/index, else
 * ~/.cache/facteur/index; NULL when neither can be found. Owned. */
char	*store_cache_dir_new(void);

/* What store_folder_open()/rescan() found, for benchmarks and tests. */
struct store_scan_stats {
	bool	cache_used;	/* a valid cache was read */
	bool	cache_written;
	bool	listed;		/* the directories were listed */
	size_t	parsed;		/* files parsed (not found in the cache) */
	size_t	added, removed, renamed; /* since the previous scan */
};

struct store_folder;

/*
 * Open the maildir at path: read the index cache when valid, list new/
 * and cur/ unless their mtimes prove nothing changed, parse only files
 * the cache does not know, and write the cache back when it changed (in
 * opts->cache_dir). Returns NULL with err set when path is not a readable
 * maildir. Stale files in tmp/ (older than 36 hours) are removed unless
 * read_only.
 */
struct store_folder *store_folder_open(const char *path,
	    const struct store_open_opts *opts, struct store_err *err);
/*
 * Pick up changes made by other programs since the last scan (new files,
 * removed ones, flags changed by rename). Message ids of unchanged
 * messages stay the same; *changed (may be NULL) tells whether anything
 * did change. store_msg pointers taken before a rescan must be looked up
 * again by id (store_folder_by_id()).
 */
int	store_folder_rescan(struct store_folder *f, bool *changed,
	    struct store_err *err);
void	store_folder_close(struct store_folder *f);

const char	*store_folder_path(const struct store_folder *f);
size_t	 store_folder_count(const struct store_folder *f);
/* Message i, 0 <= i < count, in no particular order. */
const struct store_msg *store_folder_msg(const struct store_folder *f,
	    size_t i);
/* The message with this id, or NULL; *index (may be NULL) gets its i. */
const struct store_msg *store_folder_by_id(const struct store_folder *f,
	    uint32_t id, size_t *index);
void	 store_folder_stats(const struct store_folder *f,
	    struct store_scan_stats *out);
/* Counts for a status line. */
size_t	 store_folder_unread(const struct store_folder *f);

/* The path of message i's file ("FOLDER/cur/NAME"), owned by the caller. */
char	*store_msg_path_new(const struct store_folder *f, size_t i);
/* The whole file of message i, owned by the caller. */
int	 store_msg_read_new(const struct store_folder *f, size_t i,
	    char **data, size_t *len, struct store_err *err);

/*
 * Set message i's flags (a rename; a message in new/ moves to cur/).
 * Fails with "gone" in err when another program removed the file; the
 * caller should rescan.
 */
int	store_msg_set_flags(struct store_folder *f, size_t i, unsigned flags,
	    struct store_err *err);
/*
 * Move message i to the folder dst (rename when on the same file
 * system; else copy to dst durably, then unlink). The message leaves f.
 * With dst_name (may be NULL) the new file name is returned, owned.
 */
int	store_msg_move(struct store_folder *f, size_t i,
	    struct store_folder *dst, char **dst_name, struct store_err *err);
/* Copy message i into dst under a new unique name, durably. */
int	store_msg_copy(struct store_folder *f, size_t i,
	    struct store_folder *dst, char **dst_name, struct store_err *err);
/*
 * Delete: with trash non-NULL and different from f, move there;
 * otherwise set STORE_TRASHED (store_folder_expunge() removes it).
 */
int	store_msg_delete(struct store_folder *f, size_t i,
	    struct store_folder *trash, struct store_err *err);
/* Unlink the messages i with which[i] true (the sync engine's
 * deletions), then the directory is fsync'd; indexes change. */
int	store_folder_remove(struct store_folder *f, const bool *which,
	    size_t *removed, struct store_err *err);
/* Unlink every message flagged STORE_TRASHED; *removed (may be NULL). */
int	store_folder_expunge(struct store_folder *f, size_t *removed,
	    struct store_err *err);

/*
 * Deliver a message into the folder: tmp/NAME created exclusively,
 * written, fsync'd, renamed into new/ (flags 0 and !seen) or cur/NAME:2,FLAGS,
 * then the directory fsync'd. Only then is the message stored. Works on a
 * path without an open folder (the sync engine, POP3, the outbox);
 * store_folder_add() also enters it in an open folder. *name (may be
 * NULL) gets the file name, owned.
 */
int	store_deliver(const char *folder_path, const char *data, size_t len,
	    unsigned flags, bool to_cur, char **name, struct store_err *err);
/* The same with ",TAG" after the unique part of the name ("U=42": the
 * sync engine's server UID, as mbsync writes it); tag holds no "/" or
 * ":". */
int	store_deliver_tagged(const char *folder_path, const char *data,
	    size_t len, unsigned flags, bool to_cur, const char *tag,
	    char **name, struct store_err *err);
int	store_folder_add(struct store_folder *f, const char *data, size_t len,
	    unsigned flags, bool to_cur, size_t *index,
	    struct store_err *err);

/*
 * Replace the bytes of the message whose file has name's unique part (in
 * cur/ or new/, whatever its flags now): the new bytes are written to
 * tmp/, fsync'd and renamed over the file, then the directory fsync'd; a
 * crash leaves the old bytes or the new ones. The name stays.
 */
int	store_msg_replace(const char *folder_path, const char *name,
	    const char *data, size_t len, struct store_err *err);

/*
 * A message over an account's max-size is kept as its headers alone,
 * marked by a first header line "X-Facteur-Partial: SIZE" (the whole
 * message's size on the server) and a note as its body; opening it in
 * the interface fetches the rest (engine.h). True, with *size (may be
 * NULL), for such a file's bytes.
 */
#define STORE_PARTIAL_HEADER	"X-Facteur-Partial"
bool	store_is_partial(const char *data, size_t len, uint64_t *size);

/*
 * Test hook: called with a step name ("tmp-created", "tmp-written",
 * "tmp-synced", "linked", "renamed", "dir-synced", "copied", "unlinked") at each
 * point of a delivery or a move where a crash may happen. Tests install
 * a hook that calls _exit() in a child process. NULL by default.
 */
extern void (*store_fault_hook)(const char *step);

/* ------------------------------------------------------------------ */
/* Views: threading and sorting                                        */

enum store_sort {
	STORE_SORT_THREADS,	/* threads by date of their first message */
	STORE_SORT_DATE,
	STORE_SORT_DATE_REVERSE,
	STORE_SORT_FROM,
	STORE_SORT_SUBJECT,
	STORE_SORT_SIZE
};

/* Parse "threads", "date", ...; -1 when unknown. */
int	store_sort_parse(const char *s);
const char *store_sort_name(enum store_sort s);

struct store_view_row {
	uint32_t	msg;		/* index into the folder's messages */
	uint32_t	parent;		/* row of the parent, or UINT32_MAX */
	uint16_t	depth;		/* 0 for a thread's root */
	bool		last_child;	/* no later sibling below the parent */
	bool		fake_parent;	/* its parent message is missing: the
					 * row hangs from an absent message */
};

struct store_view {
	struct store_view_row	*rows;	/* owned */
	size_t			 n;
};

/*
 * Build the view of the messages for which keep[i] is true (keep NULL:
 * all). Threads follow the JWZ algorithm over Message-ID, In-Reply-To and
 * References (loops and duplicate ids survived); with group_subject,
 * threads whose roots share a base subject ("Re:", "Fwd:" removed) are
 * joined. Siblings and threads are ordered by date, threads by the date
 * of their first message, oldest first. Other sorts give depth 0.
 */
int	store_view_build(const struct store_folder *f, enum store_sort sort,
	    bool group_subject, const bool *keep, struct store_view *out,
	    struct store_err *err);
/* Same over a bare array of messages (tests and the benchmark). */
int	store_view_build_msgs(const struct store_msg *msgs, size_t n,
	    enum store_sort sort, bool group_subject, const bool *keep,
	    struct store_view *out, struct store_err *err);
void	store_view_free(struct store_view *v);
/*
 * The tree drawing for row r ("│ ├─>" style, or "| |->" with ascii),
 * NUL-terminated and truncated to fit; returns the bytes written.
 */
size_t	store_view_tree(const struct store_view *v, size_t r, bool ascii,
	    char *buf, size_t size);

/* ------------------------------------------------------------------ */
/* Search                                                              */

/*
 * A query: words and "quoted phrases", all of which must match
 * (case-insensitive, UTF-8 aware, runs of blanks equal to one space). A
 * bare term matches the subject, the sender, the recipients or the body
 * text; "from:", "to:", "cc:", "subject:", "body:" limit it to one place;
 * "flag:" takes unread, read, flagged, replied, forwarded, draft,
 * deleted, new; "date:" takes 2024, 2024-03, 2024-03-01 (that period,
 * local time), 7d, 2w, 3m, 1y (since that long ago) or a range A..B of
 * those (either end may be left out); a leading "-" negates a term. To and Cc are read from the
 * file; the body is the text the pager shows (attachments, even text
 * ones, are not searched).
 */
struct store_query;

struct store_query *store_query_new(const char *text, struct store_err *err);
void	store_query_free(struct store_query *q);
/* Whether the query needs the message bodies (or only the summaries). */
bool	store_query_needs_file(const struct store_query *q);
/*
 * Set match[i] for every message of f; reads files only when the query
 * needs them. Returns the number of matches, or -1 (a file that cannot
 * be read simply does not match).
 */
long	store_search(const struct store_folder *f,
	    const struct store_query *q, bool *match, struct store_err *err);
/* One message: its summary, and its bytes (data may be NULL when
 * store_query_needs_file() is false). */
bool	store_query_match(const struct store_query *q,
	    const struct store_msg *m, const char *data, size_t len);

/* Case-fold UTF-8 for matching (ASCII, Latin, Greek, Cyrillic letters;
 * invalid bytes kept). Owned by the caller. */
char	*store_casefold_new(const char *s, size_t len, size_t *outlen);

#endif /* FACTEUR_STORE_H */
