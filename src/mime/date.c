/*
 * date.c: dates (RFC 5322 3.3) with the obsolete forms of RFC 5322 4.3 and
 * what real mail adds, to and from seconds since the epoch. The calendar
 * arithmetic is our own (proleptic Gregorian, days from 1970-01-01), so
 * neither timegm() nor TZ nor the C library's range matters.
 *
 * The value is split into numbers, words and a few punctuation marks,
 * comments and other characters being skipped; the fields are then
 * recognised by shape rather than by position, which accepts at once:
 *   Fri, 01 Mar 2024 09:30:00 +0100       RFC 5322 3.3
 *   1 Mar 24 9:30 GMT                     two-digit year, named zone (4.3)
 *   Friday, 1 March 2024 09.30.00 +0100 (CET) trailing junk
 *   Fri Mar  1 09:30:00 2024              asctime
 *   2024-03-01 09:30:00, 2024-03-01T09:30:00Z   ISO 8601, seen in spam
 *   01-Mar-2024 09:30:00 +0100            IMAP INTERNALDATE style
 * Deliberate leniency (doc/VIOLATIONS.md): the weekday is ignored, even
 * when wrong; a missing time is midnight; a missing zone, an unknown
 * alphabetic zone and the military letters are -0000 (RFC 5322 4.3); a
 * numeric zone right after an alphabetic one wins ("GMT+0100"); AM/PM
 * after the time is honoured; fractions of seconds are dropped. Years 0
 * to 9999 (in UTC) are accepted, so that mime_date_iso() always fits.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "mime.h"

/* Tokens looked at; what follows (junk after the zone) is ignored. */
#define DATE_MAX_TOKENS	48
#define SECS_PER_DAY	86400

enum dkind {
	D_NUM,
	D_WORD,
	D_PUNCT		/* one of : . - + / */
};

struct dtok {
	enum dkind	 kind;
	char		 c;		/* D_PUNCT */
	int		 ndig;		/* D_NUM: digits, leading zeros too */
	int		 val;		/* D_NUM: value, saturated */
	const char	*s;		/* D_WORD */
	size_t		 len;
};

struct dparse {
	struct dtok	 t[DATE_MAX_TOKENS];
	int		 nt;
	int		 year, mon, day;	/* -1 until found */
	int		 hour, min, sec;
	int		 zone;			/* minutes east of UTC */
	int		 zone_word;		/* token of a zone word, -1 */
	bool		 time_set;
	bool		 zone_set;
};

/* ------------------------------------------------------------------ */
/* Calendar                                                            */

static bool
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int64_t y, int m)
{
	static const int	dim[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/*
 * Days from 1970-01-01 to y-m-d. Years are counted from March, so that
 * the leap day ends a year; a 400-year era has 146097 days, and the day
 * of the "March year" of month m (0 = March) is (153 * m + 2) / 5.
 */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;				/* 0 .. 399 */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;	/* 0 .. 146096 */
	return era * 146097 + doe - 719468;	/* 0000-03-01 to 1970-01-01 */
}

/* The inverse of days_from_civil(). */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t	era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* ------------------------------------------------------------------ */
/* Lexer                                                               */

/* Skip the comment at *i (nested, with quoted pairs: RFC 5322 3.2.2);
 * false, having skipped only the '(', when it is unterminated. */
static bool
skip_comment(const char *s, size_t n, size_t *i)
{
	size_t	j = *i + 1;
	int	depth = 1;

	while (j < n) {
		if (s[j] == '\\')
			j++;
		else if (s[j] == '(')
			depth++;
		else if (s[j] == ')' && --depth == 0) {
			*i = j + 1;
			return true;
		}
		j++;
	}
	(*i)++;
	return false;
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void
lex_num(const char *s, size_t n, size_t *i, struct dtok *t)
{
	t->kind = D_NUM;
	t->val = 0;
	t->ndig = 0;
	for (; *i < n && is_digit(s[*i]); (*i)++) {
		if (t->val < 100000000)
			t->val = t->val * 10 + (s[*i] - '0');
		if (t->ndig < 100)
			t->ndig++;
	}
}

/*
 * Split into tokens. A comment left unterminated once cannot end later
 * either, so comments are not looked for again (keeps it linear).
 */
static void
date_lex(const char *s, size_t n, struct dparse *d)
{
	size_t	i = 0;
	bool	comments = true;

	while (i < n && d->nt < DATE_MAX_TOKENS) {
		struct dtok	*t = &d->t[d->nt];
		char		 c = s[i];

		if (c == '(' && comments) {
			comments = skip_comment(s, n, &i);
			continue;
		}
		if (is_digit(c)) {
			lex_num(s, n, &i, t);
		} else if (is_alpha(c)) {
			t->kind = D_WORD;
			t->s = s + i;
			while (i < n && is_alpha(s[i]))
				i++;
			t->len = (size_t)(s + i - t->s);
		} else if (c == ':' || c == '.' || c == '-' || c == '+' ||
		    c == '/') {
			t->kind = D_PUNCT;
			t->c = c;
			i++;
		} else {
			i++;		/* blanks, commas, junk */
			continue;
		}
		d->nt++;
	}
}

/* ------------------------------------------------------------------ */
/* Words                                                               */

/* word is a prefix of at least 3 letters of one of names (ignoring case):
 * its index plus one, or 0. */
static int
prefix_of(const struct dtok *t, const char *const *names, int n)
{
	int	i;

	if (t->kind != D_WORD || t->len < 3)
		return 0;
	for (i = 0; i < n; i++)
		if (t->len <= strlen(names[i]) &&
		    ascii_ncasecmp(t->s, names[i], t->len) == 0)
			return i + 1;
	return 0;
}

/* 1 to 12 for "Jan", "january", "SEPT"...; 0 otherwise. */
static int
month_of(const struct dtok *t)
{
	static const char *const months[12] = {
		"january", "february", "march", "april", "may", "june",
		"july", "august", "september", "october", "november",
		"december"
	};

	return prefix_of(t, months, 12);
}

static bool
is_weekday(const struct dtok *t)
{
	static const char *const days[7] = {
		"monday", "tuesday", "wednesday", "thursday", "friday",
		"saturday", "sunday"
	};

	return prefix_of(t, days, 7) != 0;
}

static bool
word_is(const struct dtok *t, const char *w)
{
	return t->kind == D_WORD && t->len == strlen(w) &&
	    ascii_ncasecmp(t->s, w, t->len) == 0;
}

/*
 * An alphabetic zone (RFC 5322 4.3): UT, GMT and the US zones; the
 * military letters and unknown names of up to 5 letters count as -0000,
 * as 4.3 recommends. False for longer words (junk).
 */
static bool
zone_word(const struct dtok *t, int *minutes)
{
	static const struct {
		const char	*name;
		int		 min;
	} zones[] = {
		{ "UT", 0 }, { "UTC", 0 }, { "GMT", 0 },
		{ "EST", -5 * 60 }, { "EDT", -4 * 60 },
		{ "CST", -6 * 60 }, { "CDT", -5 * 60 },
		{ "MST", -7 * 60 }, { "MDT", -6 * 60 },
		{ "PST", -8 * 60 }, { "PDT", -7 * 60 },
	};
	size_t	i;

	if (t->kind != D_WORD || t->len > 5)
		return false;
	*minutes = 0;
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		if (word_is(t, zones[i].name)) {
			*minutes = zones[i].min;
			break;
		}
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Fields                                                              */

static const struct dtok *
tok_at(const struct dparse *d, int i)
{
	return i < d->nt ? &d->t[i] : NULL;
}

static bool
is_punct(const struct dparse *d, int i, char c)
{
	const struct dtok	*t = tok_at(d, i);

	return t != NULL && t->kind == D_PUNCT && t->c == c;
}

/* A number of 1 to maxdig digits at token i. */
static bool
is_num(const struct dparse *d, int i, int maxdig)
{
	const struct dtok	*t = tok_at(d, i);

	return t != NULL && t->kind == D_NUM && t->ndig <= maxdig;
}

/* "h:m[:s]" at i ('.' instead of ':' once the date is known, as in
 * "09.30.00"), then a fraction and AM/PM. Tokens used, or 0. */
static int
match_time(struct dparse *d, int i)
{
	char	sep = is_punct(d, i + 1, ':') ? ':' : '.';
	int	k = i + 3;

	if (!is_num(d, i, 2) || !is_punct(d, i + 1, sep) ||
	    !is_num(d, i + 2, 2))
		return 0;
	if (sep == '.' && (d->year < 0 || d->mon < 0 || d->day < 0))
		return 0;
	d->hour = d->t[i].val;
	d->min = d->t[i + 2].val;
	d->sec = 0;
	if (is_punct(d, k, sep) && is_num(d, k + 1, 2)) {
		d->sec = d->t[k + 1].val;		/* 60: RFC 5322 3.3 */
		k += 2;
	}
	if ((is_punct(d, k, '.') || is_punct(d, k, ',')) &&
	    is_num(d, k + 1, 100))
		k += 2;					/* fraction */
	if (k < d->nt && (word_is(&d->t[k], "am") || word_is(&d->t[k], "pm"))) {
		if (word_is(&d->t[k], "pm") && d->hour < 12)
			d->hour += 12;
		else if (word_is(&d->t[k], "am") && d->hour == 12)
			d->hour = 0;
		k++;
	}
	d->time_set = true;
	return k - i;
}

/* "yyyy-mm-dd" (or '/' or '.'), ISO 8601 style. Tokens used, or 0. */
static int
match_ymd(struct dparse *d, int i)
{
	const struct dtok	*t = tok_at(d, i + 1);
	char			 sep;

	if (t == NULL || t->kind != D_PUNCT || d->t[i].ndig != 4)
		return 0;
	sep = t->c;
	if ((sep != '-' && sep != '/' && sep != '.') || !is_num(d, i + 2, 2) ||
	    !is_punct(d, i + 3, sep) || !is_num(d, i + 4, 2))
		return 0;
	d->year = d->t[i].val;
	d->mon = d->t[i + 2].val;
	d->day = d->t[i + 4].val;
	return 5;
}

/* A number: a time, an ISO date, a year or a day. */
static int
on_num(struct dparse *d, int i)
{
	const struct dtok	*t = &d->t[i];
	int			 used;

	if (!d->time_set) {
		used = match_time(d, i);
		if (used > 0)
			return used;
	}
	if (d->year < 0 && d->mon < 0 && d->day < 0) {
		used = match_ymd(d, i);
		if (used > 0)
			return used;
	}
	if (t->ndig > 4)
		return 1;			/* junk */
	if (t->ndig >= 3) {
		/* RFC 5322 4.3: a three-digit year is added to 1900. */
		if (d->year < 0)
			d->year = t->ndig == 3 ? 1900 + t->val : t->val;
	} else if (d->day < 0) {
		d->day = t->val;
	} else if (d->year < 0) {
		/* RFC 5322 4.3: 00-49 are 2000-2049, 50-99 1950-1999. */
		d->year = t->val < 50 ? 2000 + t->val : 1900 + t->val;
	}
	return 1;
}

/* "+hhmm", "-hh:mm", "+hh", "+hmm" after the time. Tokens used, or -1
 * when out of range (minutes past 59, five digits). */
static int
match_zone(struct dparse *d, int i)
{
	const struct dtok	*t = &d->t[i + 1];
	int			 h, m = 0, used = 2;

	if (t->ndig > 4)
		return -1;
	if (t->ndig >= 3) {
		h = t->val / 100;
		m = t->val % 100;
	} else {
		h = t->val;
		if (is_punct(d, i + 2, ':') && is_num(d, i + 3, 2) &&
		    d->t[i + 3].ndig == 2) {
			m = d->t[i + 3].val;
			used = 4;
		}
	}
	if (m > 59)
		return -1;
	d->zone = (h * 60 + m) * (d->t[i].c == '-' ? -1 : 1);
	d->zone_set = true;
	d->zone_word = -1;
	return used;
}

static int
on_punct(struct dparse *d, int i)
{
	char	c = d->t[i].c;

	if ((c == '+' || c == '-') && d->time_set && is_num(d, i + 1, 100) &&
	    (!d->zone_set || d->zone_word == i - 1))
		return match_zone(d, i);
	return 1;
}

static int
on_word(struct dparse *d, int i)
{
	const struct dtok	*t = &d->t[i];
	int			 m;

	if (is_weekday(t))
		return 1;		/* ignored, even when wrong */
	m = month_of(t);
	if (m != 0) {
		if (d->mon < 0)
			d->mon = m;
		return 1;
	}
	if (d->time_set && !d->zone_set && zone_word(t, &m)) {
		d->zone = m;
		d->zone_set = true;
		d->zone_word = i;
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* Public functions                                                    */

static int
date_check(const struct dparse *d, int64_t *out)
{
	int64_t	t, lo, hi;

	if (d->year < 0 || d->year > 9999 || d->mon < 1 || d->mon > 12 ||
	    d->day < 1 || d->day > days_in_month(d->year, d->mon))
		return -1;
	if (d->hour > 23 || d->min > 59 || d->sec > 60)
		return -1;
	t = days_from_civil(d->year, d->mon, d->day) * SECS_PER_DAY +
	    d->hour * 3600 + d->min * 60 + d->sec - (int64_t)d->zone * 60;
	lo = days_from_civil(0, 1, 1) * SECS_PER_DAY;
	hi = days_from_civil(10000, 1, 1) * SECS_PER_DAY - 1;
	if (t < lo || t > hi)
		return -1;
	*out = t;
	return 0;
}

int
mime_date_parse(const char *s, size_t n, int64_t *out)
{
	struct dparse	d;
	int		i = 0, used;

	if (s == NULL || out == NULL)
		return -1;
	memset(&d, 0, sizeof(d));
	d.year = d.mon = d.day = -1;
	d.zone_word = -1;
	date_lex(s, n, &d);
	while (i < d.nt) {
		if (d.t[i].kind == D_NUM)
			used = on_num(&d, i);
		else if (d.t[i].kind == D_WORD)
			used = on_word(&d, i);
		else
			used = on_punct(&d, i);
		if (used < 0)
			return -1;
		i += used;
	}
	return date_check(&d, out);
}

struct civil {
	int64_t	year;
	int	mon, day, hour, min, sec, wday;	/* wday: 0 is Sunday */
};

static void
to_civil(int64_t t, struct civil *c)
{
	int64_t	days = floor_div(t, SECS_PER_DAY);
	int64_t	secs = t - days * SECS_PER_DAY;

	civil_from_days(days, &c->year, &c->mon, &c->day);
	c->hour = (int)(secs / 3600);
	c->min = (int)(secs / 60 % 60);
	c->sec = (int)(secs % 60);
	c->wday = (int)(days + 4 - floor_div(days + 4, 7) * 7); /* Thursday */
}

/* Far beyond year 9999, and small enough that no sum overflows. */
static int64_t
clamp_time(int64_t t)
{
	const int64_t	lim = INT64_C(1) << 52;

	return t < -lim ? -lim : t > lim ? lim : t;
}

void
mime_date_iso(int64_t t, char *out, size_t n)
{
	struct civil	c;

	if (out == NULL || n == 0)
		return;
	to_civil(clamp_time(t), &c);
	(void)snprintf(out, n, "%04lld-%02d-%02dT%02d:%02d:%02dZ",
	    (long long)c.year, c.mon, c.day, c.hour, c.min, c.sec);
}

void
mime_date_rfc5322(int64_t t, int tz_minutes, char *out, size_t n)
{
	static const char	*const wdays[7] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char	*const months[12] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
		"Sep", "Oct", "Nov", "Dec"
	};
	struct civil	c;
	int		tz;

	if (out == NULL || n == 0)
		return;
	/* The zone field holds at most 99 hours 59 minutes (RFC 5322 3.3). */
	tz = tz_minutes > 5999 ? 5999 : tz_minutes < -5999 ? -5999 :
	    tz_minutes;
	to_civil(clamp_time(t) + (int64_t)tz * 60, &c);
	(void)snprintf(out, n, "%s, %02d %s %04lld %02d:%02d:%02d %c%02d%02d",
	    wdays[c.wday], c.day, months[c.mon - 1], (long long)c.year,
	    c.hour, c.min, c.sec, tz < 0 ? '-' : '+', (tz < 0 ? -tz : tz) / 60,
	    (tz < 0 ? -tz : tz) % 60);
}
