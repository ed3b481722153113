/*
 * sync_priv.h: what the parts of the IMAP sync (src/sync/) share: the
 * connection, the server's and the local side of a folder, and the
 * functions each part offers the others. Not for other modules.
 */
#ifndef FACTEUR_SYNC_PRIV_H
#define FACTEUR_SYNC_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "buf.h"
#include "sync.h"

#define FETCH_CHUNK	500	/* messages per UID FETCH of bodies */
#define PIECE		((uint64_t)4 * 1024 * 1024)	/* bigger messages
					 * come in pieces of this size */
/* The biggest message kept whole (what the interface and facteur show
 * read at most): bigger ones are kept as their headers, like those over
 * max-size, and never fetched whole. */
#define MESSAGE_MAX	((uint64_t)512 * 1024 * 1024)
#define SET_MAX		(8 * 1024)	/* bytes of one sequence set */
#define JOURNAL_MAX	((size_t)64 * 1024 * 1024)
#define STATE_EVERY_MS	3000	/* saves of the state while downloading */

/* One account being synced. */
struct ctx {
	const struct cfg_account *a;
	const struct sync_opts	*o;
	struct net_loop		*loop;
	struct net_tls_ctx	*tls;
	struct imap_client	*c;
	bool			 ready, ok;
	bool			 qresync;	/* enabled: SELECT (QRESYNC) */
	/* LIST-STATUS rather than STATUS per folder (see list_account) */
	bool			 list_status;
	char			 delim;
	/* IDLE (idle.c): news from the server while watching */
	bool			 watching, news;
	char			**later;	/* folders to stamp at the end */
	size_t			 nlater, caplater;
};

/* A server folder, as LIST (and STATUS) gave it. */
struct mailbox {
	char		*name;		/* UTF-8, as the server spells it */
	char		*folder;	/* local; NULL: not synced */
	char		 delim;
	unsigned	 special;	/* 1 << SYNC_SPECIAL_* */
	bool		 noselect;
	/* LIST-STATUS or STATUS, when the server gave them. */
	bool		 have_status;
	uint32_t	 uidvalidity, uidnext, messages;
	uint64_t	 modseq;
};

struct wait {
	imap_untagged_fn	*u;		/* the command's own handler */
	void			*uarg;
	bool			 done, failed;
	enum imap_status	 status;
	char			 text[BOUND_ERRMSG];
	char			 code[32];
	uint64_t		 code_num[3];
	size_t			 ncode;
};

struct srv_msg {
	uint32_t	uid;
	uint8_t		flags;
	bool		seen_here;	/* matched to the state or a file */
	bool		want;		/* to download */
	uint64_t	size;
	char		*msgid;		/* when asked for, owned */
};

struct srv {
	struct srv_msg	*m;
	size_t		 n, cap;
	uint32_t	 uidvalidity, uidnext, exists;
	uint64_t	 modseq;
	/* SELECT (QRESYNC): what changed since the last sync. */
	struct srv_msg	*chg;		/* FETCH: uid and flags */
	size_t		 nchg, capchg;
	uint32_t	(*gone)[2];	/* VANISHED (EARLIER) ranges */
	size_t		 ngone, capgone;
	bool		 bad_set;	/* a VANISHED that did not parse */
};

struct uids {
	uint32_t	*v;
	size_t		 n, cap;
};

struct down {
	struct ctx		*x;
	const char		*path;
	struct sync_state	*st;
	struct sync_counts	*cnt;
	const char		*folder;
	struct store_batch	*batch;		/* this chunk's messages */
	uint32_t		*uids;		/* their UIDs, */
	uint8_t			*flags;		/* and flags */
	size_t			 cap;
	struct buf		 lf;		/* the message with LF ends */
	bool			 stopped;	/* failed: store no more */
	bool			 heads;		/* headers only (max-size) */
	bool			 dirty;		/* state not saved since */
	int64_t			 saved_ms;	/* last saved */
	char			 err[BOUND_ERRMSG];
};

/* One piece of a big message: "* n FETCH (UID u FLAGS (..)
 * BODY[]<off> {len}..)". */
struct piece {
	struct buf	*whole;
	uint32_t	 uid;
	uint64_t	 off;
	unsigned	 flags;
	int64_t		 received;
	size_t		 got;
	bool		 seen, bad;
};

/* Local messages by unique name, for lookups. */
struct lname {
	const char	*name;
	size_t		 idx;		/* message index in the folder */
};

struct local {
	struct lname	*v;		/* sorted by name */
	size_t		 n;
	bool		*claimed;	/* by message index: matched */
};

struct folder_run {
	struct ctx		*x;
	const char		*mbox, *folder;
	char			*path;
	struct sync_state	 st;
	struct store_folder	*f;
	struct srv		 srv;
	struct local		 loc;
	struct sync_counts	 cnt;
	struct uids		 del_remote, want, want_big;
	struct uids		 want_head;	/* over max-size */
	bool			*unlink;	/* local files to remove */
	size_t			 rematched;	/* by Message-ID */
	size_t			*upl;
	size_t			 nupl;
	bool			 journal;	/* one was found */
};

struct search_hit {
	uint32_t	uid;
};

/*
 * A message moved here from one synced folder to another (its file, same
 * name, left the one and is new in the other) is moved on the server too
 * (UID MOVE, else UID COPY and delete), not uploaded again and deleted.
 */
struct move {
	size_t		 from, to;	/* list_run indexes */
	uint32_t	 uid;		/* in from */
	uint8_t		 flags;		/* as last synced */
	const char	*name;		/* unique part, in names */
};

struct seen_name {
	char		*name;		/* unique part, owned */
	size_t		 folder;
	uint32_t	 uid;		/* 0: a new file */
	uint8_t		 flags;
};

struct seen_names {
	struct seen_name	*v;
	size_t			 n, cap;
};

struct moves {
	struct move		*v;
	size_t			 n, cap;
	struct seen_names	 sn;	/* owns the names */
};

/* COPYUID's answer: "[COPYUID uidvalidity from-set to-set]". */
struct copyuid {
	uint32_t	 uidvalidity;
	struct uids	 src, dst;
	size_t		 max;		/* no more UIDs than that */
	bool		 bad;
};

/* A STATUS answer that came before the LIST naming its mailbox. */
struct early_status {
	struct mailbox	 st;		/* name and status only */
};

struct list_run {
	struct ctx	*x;
	struct mailbox	*v;
	size_t		 n, cap;
	char		*prefix;	/* personal namespace, or NULL */
	char		 ns_delim;
	struct early_status *early;	/* until the LIST is in */
	size_t		 nearly;
};

/* cmd.c */
void	emit(struct ctx *x, enum sync_event_kind kind, const char *folder,
	    const struct sync_counts *cnt, const char *msg);
int	cmd_send(struct ctx *x, imap_untagged_fn *u, void *uarg, struct wait *w,
	    const char *fmt, ...);
int	fail_client(struct ctx *x, char *err, size_t errlen);
const struct imap_item *fetch_get(const struct imap_item *list,
	    const char *name);
int	finish(struct ctx *x, struct wait *w, char *err, size_t errlen);
unsigned	flags_of(const struct imap_item *list);
void	flags_text(unsigned flags, char *out, size_t size);
void	list_untagged(struct imap_client *c, const struct imap_resp *r,
	    void *arg);
int	run(struct ctx *x, imap_untagged_fn *u, void *uarg, struct wait *w,
	    char *err, size_t errlen, const char *fmt, ...);
void	select_untagged(struct imap_client *c, const struct imap_resp *r,
	    void *arg);
struct srv_msg *srv_find(struct srv *s, uint32_t uid);
void	srv_free(struct srv *s);
void	srv_sort(struct srv *s);
void	uids_add(struct uids *u, uint32_t uid);
void	uids_set(const struct uids *u, size_t *from, size_t max, char *out,
	    size_t size);

/* download.c */
int	download(struct ctx *x, struct down *d, const struct uids *want,
	    const struct uids *big, const struct uids *heads, struct srv *srv,
	    char *err, size_t errlen);
/* A whole message by pieces into whole (CRLF as sent); its flags and
 * INTERNALDATE. 0, 1 when the server no longer has it, -1 with err. */
int	fetch_pieces(struct ctx *x, uint32_t uid, uint64_t size,
	    struct buf *whole, unsigned *flags, int64_t *received, char *err,
	    size_t errlen);
/* The LF form of a CRLF message into out. */
void	to_lf(const char *s, size_t n, struct buf *out);
void	to_crlf(const char *s, size_t n, struct buf *out);

/* folder.c */
int	folder_open_store(struct folder_run *fr, char *err, size_t errlen);
int	journal_write(const char *dir, const char *const *names, size_t n,
	    struct store_err *err);
size_t	local_find(const struct local *l, const char *name);
void	local_free(struct local *l);
void	local_index(struct local *l, const struct store_folder *f);
bool	local_unchanged(const struct folder_run *fr);
bool	matches_state(const struct folder_run *fr);
int	sync_folder(struct ctx *x, struct mailbox *mb);
void	stamp_later(struct ctx *x);
int	upload(struct ctx *x, struct store_folder *f, size_t i,
	    const char *mbox, struct sync_state *st, const char *path,
	    char *err, size_t errlen);

/* moves.c */
void	sync_moves(struct ctx *x, struct list_run *l);

/* account.c */
struct mailbox *listed(const struct list_run *l, const char *folder);

/*
 * account.c: the network half of a client's parameters for a configured
 * server: its host and port, and a new TLS context (*ctx, the caller's
 * to free) trusting ca_file, else the account's tls-ca-file, else the
 * system store. 0, or -1 with err.
 */
int	sync_server_net(const struct cfg_account *a,
	    const struct cfg_server *srv, const char *ca_file,
	    struct net_conn_params *np, struct net_tls_ctx **ctx, char *err,
	    size_t errlen);

/* account.c: connect and log in (x->a, x->o set; x->loop made). */
int	sync_connect(struct ctx *x, char *err, size_t errlen);

/* account.c: mkdir -p the account's store root (0700). */
int	sync_make_root(const char *dir, char *err, size_t errlen);

#endif /* FACTEUR_SYNC_PRIV_H */
