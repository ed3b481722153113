/*
 * store_priv.h: what the files of src/store/ share: the folder handle, the
 * string arena its messages point into, the index cache and the file
 * helpers. Nothing outside src/store/ includes this.
 */
#ifndef FACTEUR_STORE_PRIV_H
#define FACTEUR_STORE_PRIV_H

#include <stdarg.h>
#include <sys/types.h>
#include <time.h>

#include "store.h"
#include "util.h"

/* Header blocks larger than this are cut there (the rest is body). */
#define STORE_MAX_HEADER	(1u << 20)
/* tmp/ files older than this are debris of a crashed delivery. */
#define STORE_TMP_STALE_SECS	(36 * 3600)
/* Cache files larger than this are not read (a corrupt length field). */
#define STORE_MAX_CACHE		((uint64_t)1 << 32)

/* Strings that live as long as the folder: chunks, never moved. */
struct arena_chunk;
struct arena {
	struct arena_chunk	*head;
	size_t			 used_total;
};

void	 arena_init(struct arena *a);
void	 arena_free(struct arena *a);
/* A NUL-terminated copy of [s, s + len) that lives as long as the arena. */
char	*arena_strndup(struct arena *a, const char *s, size_t len);
/* Room for n bytes, uninitialised. */
char	*arena_alloc(struct arena *a, size_t n);

/*
 * A set of distinct strings (by their bytes), to store equal strings once:
 * the strings are borrowed, kept in the order they were first put.
 */
struct strset {
	const char	**strs;		/* borrowed; a caller may replace
					 * strs[i] by an equal string */
	uint32_t	 *lens;
	uint32_t	  n, cap;
	uint64_t	 *slots;	/* hash and entry + 1; 0: empty */
	size_t		  mask;
};

void	 strset_init(struct strset *s);
void	 strset_free(struct strset *s);
/*
 * Put [p, p + len) (p borrowed: it must outlive the set, or be replaced
 * in strs[]); *idx is its entry. Returns true when it was new, false when
 * an equal string was already there (or, *idx UINT32_MAX, when the set is
 * full: then the caller stores its own copy).
 */
bool	 strset_put(struct strset *s, const char *p, size_t len,
	    uint32_t *idx);
/* The same with the hash already taken (by another thread, say). */
uint32_t strset_hash(const char *p, size_t len);
bool	 strset_put_hashed(struct strset *s, const char *p, size_t len,
	    uint32_t h, uint32_t *idx);

struct store_folder {
	char			*path;
	char			*cache_dir;	/* or NULL */
	char			*cache_file;	/* or NULL */
	char			*fallback;	/* or NULL */
	bool			 read_only;
	unsigned		 threads;

	struct store_msg	*msgs;
	size_t			 n, cap;
	struct arena		 strings;
	uint32_t		 next_id;

	/* Index by the unique part of the file name: open addressing,
	 * slots hold a message index + 1, 0 when empty; nslots 0 until
	 * first needed. */
	uint32_t		*slots;
	size_t			 nslots;

	/* What the last listing saw, for the next one and the cache. */
	struct timespec		 mtime_new, mtime_cur;
	struct timespec		 listed_at;
	bool			 listed_ok;

	struct store_scan_stats	 stats;
};

/* err->msg = printf(fmt); returns -1. */
int	 store_fail(struct store_err *err, const char *fmt, ...)
	    FCT_PRINTF(2, 3);
/* Same with ": strerror(errno)" appended. */
int	 store_fail_errno(struct store_err *err, const char *fmt, ...)
	    FCT_PRINTF(2, 3);

/* Call store_fault_hook when set. */
void	 store_fault(const char *step);
/* fsync a directory by path. */
int	 store_fsync_dir(const char *dir, struct store_err *err);
/* Write all of data to a new file path (O_EXCL), fsync, close. */
int	 store_write_new_file(const char *path, const char *data, size_t len,
	    struct store_err *err);

/* The index of unique names (folder.c), dropped when messages go. */
void	 folder_index_invalidate(struct store_folder *f);
/* Index of the message whose name has this unique part, or SIZE_MAX. */
size_t	 folder_index_find(struct store_folder *f, const char *uniq,
	    size_t ulen);
/* Append a message (strings already in the arena); returns its index. */
size_t	 folder_append(struct store_folder *f, const struct store_msg *m);

/*
 * Read a message file's header block and fill m (strings in f's arena).
 * dir is "new" or "cur". Returns 0, or -1 when the file cannot be read
 * (then it is left out until the next scan).
 */
struct parsed_msg;

/* The index cache (cache.c). */
/* Path of the cache file for a folder path, owned. */
char	*cache_file_for(const char *cache_dir, const char *folder_path);
/*
 * Read the cache into f (messages, mtimes, listing time). Returns 0 when
 * it was valid and loaded, -1 (f left empty) otherwise, which is never an
 * error the user sees.
 */
int	 cache_load(struct store_folder *f);
/* Write the cache aside and rename it into place. */
int	 cache_save(const struct store_folder *f, struct store_err *err);

/* Parse many message files in parallel (scan.c). */
struct scan_job {
	const char	*name;		/* file name, in the folder's
					 * arena: the message keeps it */
	bool		 in_new;
};
/* Parse jobs[0..n) and append the readable ones to f. */
void	 scan_parse_files(struct store_folder *f, struct scan_job *jobs,
	    size_t n);

#endif /* FACTEUR_STORE_PRIV_H */
