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
	size_t		 i;
	bool		 none;
	int		 rc = 0;

	*cfgp = cfg_load_optional(o->config_path, &none, &diag);
	for (i = 0; i < diag.nwarnings; i++)
		(void)fprintf(stderr, "facteur: %s\n", diag.warnings[i]);
	for (i = 0; i < diag.nerrors; i++)
		(void)fprintf(stderr, "facteur: %s\n", diag.errors[i]);
	if (*cfgp == NULL && !none)
		rc = -1;
	cfg_diag_free(&diag);
	return rc;
}

