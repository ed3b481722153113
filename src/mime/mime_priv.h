/* mime_priv.h: what the files of mime/ share. */
#ifndef FACTEUR_MIME_PRIV_H
#define FACTEUR_MIME_PRIV_H

#include <stddef.h>

#include "util.h"

/* Write the reason into err (when err is not NULL) and return -1. */
int	mime_fail(char *err, size_t errlen, const char *fmt, ...)
	    FCT_PRINTF(3, 4);

#endif /* FACTEUR_MIME_PRIV_H */
