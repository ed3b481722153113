/*
 * maildir.c: the maildir conventions (https://cr.yp.to/proto/maildir.html
 * and the Dovecot/mbsync practice): unique file names, flags after ":2,"
 * in ASCII order, delivery through tmp/ with fsync of the file and of the
 * directory, folders as nested directories holding cur/ new/ tmp/.
 */
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_priv.h"

void	(*store_fault_hook)(const char *step);

static const char	flag_letters[] = "DFPRST";

void
store_fault(const char *step)
{
	if (store_fault_hook != NULL)
		store_fault_hook(step);
}

int
store_fail(struct store_err *err, const char *fmt, ...)
{
	va_list	ap;

	if (err != NULL) {
		va_start(ap, fmt);
		(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}

int
store_fail_errno(struct store_err *err, const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;
	size_t	len;

	if (err != NULL) {
		va_start(ap, fmt);
		(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
		len = strlen(err->msg);
		(void)snprintf(err->msg + len, sizeof(err->msg) - len, ": %s",
		    strerror(saved));
	}
	errno = saved;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Names                                                               */

/* The ":2," that starts the info part, or NULL. */
static const char *
info_start(const char *name)
{
	const char	*c = strrchr(name, ':');

	if (c != NULL && c[1] == '2' && c[2] == ',')
		return c;
	return NULL;
}

unsigned
store_name_flags(const char *name)
{
	const char	*info = info_start(name), *p, *l;
	unsigned	 flags = 0;

	if (info == NULL)
		return 0;
	for (p = info + 3; *p != '\0'; p++) {
		l = strchr(flag_letters, *p);
		if (l != NULL)
			flags |= 1u << (l - flag_letters);
	}
	return flags;
}

size_t
store_name_unique_len(const char *name)
{
	const char	*c = strchr(name, ':');

	return c != NULL ? (size_t)(c - name) : strlen(name);
}

char *
store_name_with_flags_new(const char *name, unsigned flags)
{
	const char	*info = info_start(name), *p;
	size_t		 ulen = store_name_unique_len(name);
	bool		 has[128] = { false };
	char		*out, *o;
	int		 c;

	if (info != NULL) {
		for (p = info + 3; *p != '\0'; p++) {
			c = (unsigned char)*p;
			/* Keep Dovecot keywords (a..z) and unknown upper-case
			 * flags; ours are replaced below. */
			if (c < 128 && c > ' ' && strchr(flag_letters, c) == NULL)
				has[c] = true;
		}
	}
	for (c = 0; flag_letters[c] != '\0'; c++)
		if (flags & (1u << c))
			has[(unsigned char)flag_letters[c]] = true;
	out = xmalloc(ulen + 3 + 128 + 1);
	memcpy(out, name, ulen);
	o = out + ulen;
	memcpy(o, ":2,", 3);
	o += 3;
	for (c = 33; c < 127; c++)
		if (has[c])
			*o++ = (char)c;
	*o = '\0';
	return out;
}

int64_t
store_name_time(const char *name)
{
	int64_t	t = 0;
	int	digits = 0;

	while (*name >= '0' && *name <= '9' && digits < 12) {
		t = t * 10 + (*name++ - '0');
		digits++;
	}
	if (digits == 0 || (*name != '.' && *name != '_'))
		return -1;
	return t;
}

/* The host name with '/' and ':' escaped as the spec asks. */
static void
host_part(char *out, size_t size)
{
	char	host[256], *o = out;
	size_t	i;

	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		(void)fct_strlcpy(host, "localhost", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	for (i = 0; host[i] != '\0' && (size_t)(o - out) + 5 < size; i++) {
		if (host[i] == '/') {
			memcpy(o, "\\057", 4);
			o += 4;
		} else if (host[i] == ':') {
			memcpy(o, "\\072", 4);
			o += 4;
		} else
			*o++ = host[i];
	}
	*o = '\0';
}

char *
store_unique_name_new(void)
{
	return store_unique_name_at(-1);
}

char *
store_unique_name_at(int64_t secs)
{
	static unsigned long	counter;	/* per process; with the random
						 * part, threads cannot collide */
	struct timeval		tv;
	unsigned char		rnd[8];
	char			host[256];
	uint64_t		r = 0;

	(void)gettimeofday(&tv, NULL);
	random_bytes(rnd, sizeof(rnd));
	memcpy(&r, rnd, sizeof(r));
	host_part(host, sizeof(host));
	return xasprintf("%lld.M%06ldP%ldQ%luR%016llx.%s", secs >= 0 ?
	    (long long)secs : (long long)tv.tv_sec, (long)tv.tv_usec,
	    (long)getpid(), ++counter, (unsigned long long)r, host);
}

/* ------------------------------------------------------------------ */
/* Files and directories                                               */

int
store_fsync_dir(const char *dir, struct store_err *err)
{
	int	fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return store_fail_errno(err, "%s", dir);
	if (fsync(fd) != 0 && errno != EINVAL) {
		(void)store_fail_errno(err, "fsync %s", dir);
		(void)close(fd);
		return -1;
	}
	(void)close(fd);
	return 0;
}

int
store_write_new_file(const char *path, const char *data, size_t len,
    struct store_err *err)
{
	ssize_t	w;
	size_t	off = 0;
	int	fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return store_fail_errno(err, "%s", path);
	store_fault("tmp-created");
	while (off < len) {
		w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			(void)store_fail_errno(err, "write %s", path);
			goto fail;
		}
		off += (size_t)w;
	}
	store_fault("tmp-written");
	if (fsync(fd) != 0) {
		(void)store_fail_errno(err, "fsync %s", path);
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		(void)store_fail_errno(err, "close %s", path);
		goto fail;
	}
	store_fault("tmp-synced");
	return 0;
fail:
	if (fd >= 0)
		(void)close(fd);
	(void)unlink(path);
	return -1;
}

int
store_file_write_durable(const char *path, const void *data, size_t len,
    struct store_err *err)
{
	return store_write_new_file(path, data, len, err);
}

int
store_dir_fsync(const char *dir, struct store_err *err)
{
	return store_fsync_dir(dir, err);
}

int
store_deliver(const char *folder_path, const char *data, size_t len,
    unsigned flags, bool to_cur, char **name, struct store_err *err)
{
	return store_deliver_tagged(folder_path, data, len, flags, to_cur,
	    NULL, name, err);
}

int
store_deliver_tagged(const char *folder_path, const char *data, size_t len,
    unsigned flags, bool to_cur, const char *tag, char **name,
    struct store_err *err)
{
	char	*uniq, *final, *tmp = NULL, *dst = NULL, *dir = NULL;
	int	 rc = -1;

	if (name != NULL)
		*name = NULL;
	uniq = store_unique_name_new();
	if (tag != NULL) {
		char	*t = xasprintf("%s,%s", uniq, tag);

		free(uniq);
		uniq = t;
	}
	to_cur = to_cur || flags != 0;
	final = to_cur ? store_name_with_flags_new(uniq, flags) : xstrdup(uniq);
	tmp = xasprintf("%s/tmp/%s", folder_path, uniq);
	dir = xasprintf("%s/%s", folder_path, to_cur ? "cur" : "new");
	dst = xasprintf("%s/%s", dir, final);
	if (store_write_new_file(tmp, data, len, err) == -1)
		goto out;
	/* rename() would replace an existing file: link() refuses to, and
	 * the unique name makes a clash a bug worth an error. */
	if (link(tmp, dst) != 0) {
		if (errno != EPERM && errno != ENOSYS && errno != EOPNOTSUPP) {
			(void)store_fail_errno(err, "%s", dst);
			(void)unlink(tmp);
			goto out;
		}
		/* File systems without hard links (some FUSE, vfat). */
		if (rename(tmp, dst) != 0) {
			(void)store_fail_errno(err, "%s", dst);
			(void)unlink(tmp);
			goto out;
		}
	} else {
		/* Now in tmp/ and in place: the stale tmp/ file is
		 * removed by the next open should we crash here. */
		store_fault("linked");
		(void)unlink(tmp);
	}
	store_fault("renamed");
	if (store_fsync_dir(dir, err) == -1)
		goto out;
	store_fault("dir-synced");
	if (name != NULL) {
		*name = final;
		final = NULL;
	}
	rc = 0;
out:
	free(uniq);
	free(final);
	free(tmp);
	free(dst);
	free(dir);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Folders                                                             */

bool
store_folder_name_ok(const char *name)
{
	const char	*p = name, *e;
	size_t		 len;

	if (name == NULL || *name == '\0' || *name == '/')
		return false;
	for (;;) {
		e = strchr(p, '/');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		if (len == 0 || p[0] == '.')
			return false;
		if ((len == 3 && (memcmp(p, "cur", 3) == 0 ||
		    memcmp(p, "new", 3) == 0 || memcmp(p, "tmp", 3) == 0)))
			return false;
		if (e == NULL)
			break;
		p = e + 1;
	}
	return true;
}

static bool
is_dir(const char *path)
{
	struct stat	st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool
store_is_maildir(const char *path)
{
	char	sub[4096];

	if (fct_snprintf(sub, sizeof(sub), "%s/cur", path) == -1 ||
	    !is_dir(sub))
		return false;
	if (fct_snprintf(sub, sizeof(sub), "%s/new", path) == -1)
		return false;
	return is_dir(sub);
}

/* mkdir that accepts an existing directory; *made tells if it was new. */
static int
make_dir(const char *path, bool *made, struct store_err *err)
{
	if (mkdir(path, 0700) == 0) {
		*made = true;
		return 0;
	}
	if (errno == EEXIST && is_dir(path))
		return 0;
	return store_fail_errno(err, "mkdir %s", path);
}

/* The directories of path below root (root/a, root/a/b, ... path), each
 * fsync'd into its parent when created. */
static int
make_path(const char *root, char *path, struct store_err *err)
{
	char	*p, *parent;
	bool	 made;

	for (p = path + strlen(root) + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		{
			char	save = *p;

			*p = '\0';
			made = false;
			if (make_dir(path, &made, err) == -1) {
				*p = save;
				return -1;
			}
			if (made) {
				parent = xstrdup(path);
				*strrchr(parent, '/') = '\0';
				if (store_fsync_dir(parent, err) == -1) {
					free(parent);
					*p = save;
					return -1;
				}
				free(parent);
			}
			*p = save;
			if (save == '\0')
				return 0;
		}
	}
}

int
store_folder_rename(const char *root, const char *from, const char *to,
    struct store_err *err)
{
	char	*src, *dst, *parent, *sparent;
	int	 rc = -1;

	if (!store_folder_name_ok(from) || !store_folder_name_ok(to))
		return store_fail(err, "%s -> %s: not a valid folder name",
		    from, to);
	src = xasprintf("%s/%s", root, from);
	dst = xasprintf("%s/%s", root, to);
	parent = xstrdup(dst);
	*strrchr(parent, '/') = '\0';
	sparent = xstrdup(src);
	*strrchr(sparent, '/') = '\0';
	if (access(dst, F_OK) == 0) {
		(void)store_fail(err, "%s: already exists", dst);
		goto out;
	}
	if (strcmp(parent, root) != 0 && make_path(root, parent, err) == -1)
		goto out;
	if (rename(src, dst) != 0) {
		(void)store_fail_errno(err, "rename %s to %s", src, dst);
		goto out;
	}
	rc = store_fsync_dir(parent, err);
	if (strcmp(sparent, parent) != 0 &&
	    store_fsync_dir(sparent, rc == 0 ? err : NULL) == -1)
		rc = -1;
out:
	free(src);
	free(dst);
	free(parent);
	free(sparent);
	return rc;
}

/* Remove the regular files of dir (not its directories). */
static int
remove_files(const char *dir, struct store_err *err)
{
	DIR		*d = opendir(dir);
	struct dirent	*de;
	struct stat	 st;
	int		 rc = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : store_fail_errno(err, "%s", dir);
	while ((de = readdir(d)) != NULL) {
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) !=
		    0 || S_ISDIR(st.st_mode))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) != 0 && errno != ENOENT) {
			rc = store_fail_errno(err, "unlink %s/%s", dir,
			    de->d_name);
			break;
		}
	}
	(void)closedir(d);
	return rc;
}

int
store_folder_delete(const char *root, const char *name,
    struct store_err *err)
{
	static const char *const subs[] = { "tmp", "new", "cur" };
	char	*path, *sub, *parent;
	size_t	 i;
	int	 rc = -1;

	if (!store_folder_name_ok(name))
		return store_fail(err, "%s: not a valid folder name", name);
	path = xasprintf("%s/%s", root, name);
	for (i = 0; i < 3; i++) {
		sub = xasprintf("%s/%s", path, subs[i]);
		if (remove_files(sub, err) == -1 ||
		    (rmdir(sub) != 0 && errno != ENOENT &&
		    store_fail_errno(err, "rmdir %s", sub) == -1)) {
			free(sub);
			goto out;
		}
		free(sub);
	}
	/* Its own files (sync state, other programs' indexes) go; folders
	 * below it stay, and so does the directory that holds them. */
	if (remove_files(path, err) == -1)
		goto out;
	if (rmdir(path) != 0 && errno != ENOTEMPTY && errno != EEXIST) {
		(void)store_fail_errno(err, "rmdir %s", path);
		goto out;
	}
	parent = xstrdup(path);
	*strrchr(parent, '/') = '\0';
	rc = store_fsync_dir(parent, err);
	free(parent);
out:
	free(path);
	return rc;
}

int
store_folder_create(const char *root, const char *name,
    struct store_err *err)
{
	static const char *const subs[] = { "tmp", "new", "cur" };
	char	*path;
	bool	 sub_made;
	size_t	 i;
	int	 rc = -1;

	if (!store_folder_name_ok(name))
		return store_fail(err, "%s: not a valid folder name", name);
	path = xasprintf("%s/%s", root, name);
	if (make_path(root, path, err) == -1)
		goto out;
	sub_made = false;	for (i = 0; i < 3; i++) {
		char	*s = xasprintf("%s/%s", path, subs[i]);
		bool	 m = false;

		if (make_dir(s, &m, err) == -1) {
			free(s);
			goto out;
		}
		sub_made = sub_made || m;
		free(s);
	}
	if (sub_made && store_fsync_dir(path, err) == -1)
		goto out;
	rc = 0;
out:
	free(path);
	return rc;
}

void
store_names_free(char **names, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

struct name_list {
	char	**v;
	size_t	  n, cap;
};

static void
name_list_add(struct name_list *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = s;
}

#define MAX_FOLDER_DEPTH	32

/* Walk dir (root + rel), adding maildirs; symbolic links not followed. */
static int
walk_folders(const char *root, const char *rel, int depth,
    struct name_list *out, struct store_err *err)
{
	char		*dir, *sub, *child;
	DIR		*d;
	struct dirent	*e;
	struct stat	 st;

	if (depth > MAX_FOLDER_DEPTH)
		return 0;
	dir = rel[0] != '\0' ? xasprintf("%s/%s", root, rel) : xstrdup(root);
	d = opendir(dir);
	if (d == NULL) {
		(void)store_fail_errno(err, "%s", dir);
		free(dir);
		return -1;
	}
	for (;;) {
		errno = 0;
		e = readdir(d);
		if (e == NULL)
			break;
		if (e->d_name[0] == '.')
			continue;
		if (strcmp(e->d_name, "cur") == 0 ||
		    strcmp(e->d_name, "new") == 0 ||
		    strcmp(e->d_name, "tmp") == 0)
			continue;
		sub = xasprintf("%s/%s", dir, e->d_name);
		if (lstat(sub, &st) != 0 || !S_ISDIR(st.st_mode)) {
			free(sub);
			continue;
		}
		child = rel[0] != '\0' ? xasprintf("%s/%s", rel, e->d_name) :
		    xstrdup(e->d_name);
		if (store_is_maildir(sub))
			name_list_add(out, xstrdup(child));
		free(sub);
		if (walk_folders(root, child, depth + 1, out, err) == -1) {
			free(child);
			(void)closedir(d);
			free(dir);
			return -1;
		}
		free(child);
	}
	(void)closedir(d);
	free(dir);
	return 0;
}

static int
folder_name_cmp(const void *a, const void *b)
{
	const char	*x = *(char *const *)a, *y = *(char *const *)b;
	bool		 xi = strcmp(x, "INBOX") == 0, yi = strcmp(y, "INBOX") == 0;

	if (xi != yi)
		return xi ? -1 : 1;
	return strcmp(x, y);
}

int
store_folder_list_new(const char *root, char ***names, size_t *n,
    struct store_err *err)
{
	struct name_list	l = { NULL, 0, 0 };

	*names = NULL;
	*n = 0;
	if (walk_folders(root, "", 0, &l, err) == -1) {
		store_names_free(l.v, l.n);
		return -1;
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), folder_name_cmp);
	*names = l.v;
	*n = l.n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Replacing a message's bytes                                         */

/* The file of folder_path whose unique part is uniq (n bytes), in cur/
 * or new/: its path, owned, or NULL. */
static char *
find_by_unique(const char *folder_path, const char *uniq, size_t n)
{
	static const char *const sub[] = { "cur", "new" };
	struct dirent	*de;
	char		*dir, *found = NULL;
	size_t		 i;
	DIR		*d;

	for (i = 0; i < 2 && found == NULL; i++) {
		dir = xasprintf("%s/%s", folder_path, sub[i]);
		d = opendir(dir);
		while (d != NULL && (de = readdir(d)) != NULL) {
			if (store_name_unique_len(de->d_name) == n &&
			    memcmp(de->d_name, uniq, n) == 0) {
				found = xasprintf("%s/%s", dir, de->d_name);
				break;
			}
		}
		if (d != NULL)
			(void)closedir(d);
		free(dir);
	}
	return found;
}

int
store_msg_replace(const char *folder_path, const char *name, const char *data,
    size_t len, struct store_err *err)
{
	size_t	 n = store_name_unique_len(name);
	char	*path, *tmp, *uniq, *dir, *slash;
	int	 rc = -1;

	path = find_by_unique(folder_path, name, n);
	if (path == NULL)
		return store_fail(err, "%s: gone from the folder", name);
	uniq = store_unique_name_new();
	tmp = xasprintf("%s/tmp/%s", folder_path, uniq);
	if (store_write_new_file(tmp, data, len, err) == -1)
		goto out;
	/* rename() replaces the file at once: readers see the old bytes
	 * or the new ones, and a crash leaves one of them. */
	if (rename(tmp, path) != 0) {
		(void)store_fail_errno(err, "%s", path);
		(void)unlink(tmp);
		goto out;
	}
	store_fault("renamed");
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	rc = store_fsync_dir(dir, err);
	free(dir);
out:
	free(uniq);
	free(tmp);
	free(path);
	return rc;
}

bool
store_is_partial(const char *data, size_t len, uint64_t *size)
{
	static const char	mark[] = STORE_PARTIAL_HEADER ": ";
	size_t			ml = sizeof(mark) - 1, e;
	uint64_t		v;

	if (len < ml || ascii_ncasecmp(data, mark, ml) != 0)
		return false;
	for (e = ml; e < len && data[e] >= '0' && data[e] <= '9'; e++)
		;
	if (e == ml || e == len || data[e] != '\n' ||
	    parse_u64(data + ml, e - ml, UINT64_MAX, &v) != 0)
		return false;
	if (size != NULL)
		*size = v;
	return true;
}
