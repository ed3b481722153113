/*
 * minijson.h: a small JSON reader for tests that compare with expected
 * JSON files (the shared corpus). Test code only: trusted input, but
 * still bounded and never crashing on malformed files.
 */
#ifndef FACTEUR_MINIJSON_H
#define FACTEUR_MINIJSON_H

#include <stddef.h>

enum mj_type { MJ_NULL, MJ_BOOL, MJ_NUM, MJ_STR, MJ_ARR, MJ_OBJ };

struct mj {
	enum mj_type	 type;
	double		 num;
	int		 boolean;
	char		*str;		/* MJ_STR: owned, NUL-terminated */
	size_t		 slen;
	struct mj	*items;		/* MJ_ARR and MJ_OBJ: owned */
	char	       **keys;		/* MJ_OBJ: owned, one per item */
	size_t		 n;
};

/* Parse text; NULL when malformed. Free with mj_free(). */
struct mj	*mj_parse(const char *text, size_t len);
void		 mj_free(struct mj *v);
/* The member key of an object, or NULL. */
const struct mj	*mj_get(const struct mj *obj, const char *key);

#endif
