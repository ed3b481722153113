/* load.c: reading files and an optional configuration for commands. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_priv.h"

int
read_file(const char *path, struct buf *out)
{
	char	chunk[65536];
	ssize_t	r;
	int	fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (buf_append(out, chunk, (size_t)r) == -1) {
			(void)close(fd);
			errno = EFBIG;
			return -1;
		}
	}
	if (r == -1) {
		int	e = errno;

		(void)close(fd);
		errno = e;
		return -1;
	}
	if (close(fd) == -1)
		return -1;
	return 0;
}

int
cli_load_optional_config(const struct cli_opts *o, struct config **cfgp)
{
	struct cfg_diag	 diag = { 0 };
	struct stat	 st;
	char		*path;
	size_t		 i;
	int		 rc = 0;

	*cfgp = NULL;
	path = cfg_default_path(o->config_path, NULL);
	if (o->config_path == NULL && stat(path, &st) == -1 &&
	    errno == ENOENT) {
		free(path);
		return 0;	/* no configuration: defaults */
	}
	*cfgp = cfg_load(path, NULL, &diag);
	for (i = 0; i < diag.nwarnings; i++)
		(void)fprintf(stderr, "facteur: %s\n", diag.warnings[i]);
	for (i = 0; i < diag.nerrors; i++)
		(void)fprintf(stderr, "facteur: %s\n", diag.errors[i]);
	if (*cfgp == NULL)
		rc = -1;
	cfg_diag_free(&diag);
	free(path);
	return rc;
}

/* Where index caches live: $XDG_CACHE_HOME/facteur/index, else
 * ~/.cache/facteur/index; NULL when neither can be found. Owned. */
char *
cli_cache_dir_new(void)
{
	const char	*x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (x != NULL && x[0] == '/')
		return xasprintf("%s/facteur/index", x);
	if (home != NULL && home[0] == '/')
		return xasprintf("%s/.cache/facteur/index", home);
	return NULL;
}
