/* minijson.c: see minijson.h. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "minijson.h"

struct mjp {
	const char	*p, *end;
	int		 depth;
};

static int	mj_value(struct mjp *s, struct mj *v);

static void
mj_ws(struct mjp *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' ||
	    *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

static void
put_utf8(struct buf *b, unsigned long c)
{
	unsigned char	u[4];
	size_t		n;

	if (c < 0x80) {
		u[0] = (unsigned char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (unsigned char)(0xc0 | c >> 6);
		u[1] = (unsigned char)(0x80 | (c & 63));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (unsigned char)(0xe0 | c >> 12);
		u[1] = (unsigned char)(0x80 | ((c >> 6) & 63));
		u[2] = (unsigned char)(0x80 | (c & 63));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | c >> 18);
		u[1] = (unsigned char)(0x80 | ((c >> 12) & 63));
		u[2] = (unsigned char)(0x80 | ((c >> 6) & 63));
		u[3] = (unsigned char)(0x80 | (c & 63));
		n = 4;
	}
	if (buf_append(b, u, n) == -1)
		return;
}

static unsigned long
hex4(const char *p)
{
	unsigned long	v = 0;
	int		i;

	for (i = 0; i < 4; i++) {
		int	c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned long)(c - 'A' + 10);
	}
	return v;
}

static int
mj_string(struct mjp *s, char **out, size_t *len)
{
	struct buf	b;

	buf_init(&b, 64 << 20);
	s->p++;
	while (s->p < s->end && *s->p != '"') {
		if (*s->p == '\\' && s->p + 1 < s->end) {
			char	e = s->p[1];

			s->p += 2;
			if (e == 'u' && s->end - s->p >= 4) {
				unsigned long	c = hex4(s->p);

				s->p += 4;
				if (c >= 0xd800 && c < 0xdc00 &&
				    s->end - s->p >= 6 && s->p[0] == '\\' &&
				    s->p[1] == 'u') {
					unsigned long	lo = hex4(s->p + 2);

					s->p += 6;
					c = 0x10000 + ((c - 0xd800) << 10) +
					    (lo - 0xdc00);
				}
				put_utf8(&b, c);
				continue;
			}
			e = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ?
			    '\r' : e == 'b' ? '\b' : e == 'f' ? '\f' : e;
			if (buf_append_byte(&b, (unsigned char)e) == -1)
				break;
			continue;
		}
		if (buf_append_byte(&b, (unsigned char)*s->p++) == -1)
			break;
	}
	if (s->p >= s->end) {
		buf_free(&b);
		return -1;
	}
	s->p++;
	*len = b.len;
	*out = buf_take(&b);
	return 0;
}

static int
mj_container(struct mjp *s, struct mj *v, int obj)
{
	char	close = obj ? '}' : ']';

	v->type = obj ? MJ_OBJ : MJ_ARR;
	s->p++;
	mj_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 0;
	}
	while (s->p < s->end) {
		char	*key = NULL;
		size_t	 klen;

		v->items = xreallocarray(v->items, v->n + 1, sizeof(*v->items));
		memset(&v->items[v->n], 0, sizeof(*v->items));
		if (obj) {
			v->keys = xreallocarray(v->keys, v->n + 1,
			    sizeof(*v->keys));
			v->keys[v->n] = NULL;
			mj_ws(s);
			if (s->p >= s->end || *s->p != '"' ||
			    mj_string(s, &key, &klen) == -1)
				return -1;
			v->keys[v->n] = key;
			mj_ws(s);
			if (s->p >= s->end || *s->p++ != ':')
				return -1;
		}
		if (mj_value(s, &v->items[v->n++]) == -1)
			return -1;
		mj_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			s->p++;
			return 0;
		}
		return -1;
	}
	return -1;
}

static int
mj_value(struct mjp *s, struct mj *v)
{
	int	r;

	mj_ws(s);
	if (s->p >= s->end || ++s->depth > 200)
		return -1;
	if (*s->p == '{' || *s->p == '[')
		r = mj_container(s, v, *s->p == '{');
	else if (*s->p == '"') {
		v->type = MJ_STR;
		r = mj_string(s, &v->str, &v->slen);
	} else if (s->end - s->p >= 4 && memcmp(s->p, "null", 4) == 0) {
		v->type = MJ_NULL;
		s->p += 4;
		r = 0;
	} else if (s->end - s->p >= 4 && memcmp(s->p, "true", 4) == 0) {
		v->type = MJ_BOOL;
		v->boolean = 1;
		s->p += 4;
		r = 0;
	} else if (s->end - s->p >= 5 && memcmp(s->p, "false", 5) == 0) {
		v->type = MJ_BOOL;
		s->p += 5;
		r = 0;
	} else {
		char	*e;

		v->type = MJ_NUM;
		v->num = strtod(s->p, &e);
		r = e == s->p ? -1 : 0;
		s->p = e;
	}
	s->depth--;
	return r;
}

static void
mj_clear(struct mj *v)
{
	size_t	i;

	for (i = 0; i < v->n; i++) {
		mj_clear(&v->items[i]);
		if (v->keys != NULL)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
}

void
mj_free(struct mj *v)
{
	if (v == NULL)
		return;
	mj_clear(v);
	free(v);
}

struct mj *
mj_parse(const char *text, size_t len)
{
	struct mjp	 s = { text, text + len, 0 };
	struct mj	*v = xcalloc(1, sizeof(*v));

	if (mj_value(&s, v) == -1) {
		mj_free(v);
		return NULL;
	}
	return v;
}

const struct mj *
mj_get(const struct mj *obj, const char *key)
{
	size_t	i;

	if (obj == NULL || obj->type != MJ_OBJ)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (obj->keys[i] != NULL && strcmp(obj->keys[i], key) == 0)
			return &obj->items[i];
	return NULL;
}
