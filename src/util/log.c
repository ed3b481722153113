/*
 * log.c: the logging hook and fatal errors. These two hooks are the only
 * global state of the program (STYLE.md 8).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static log_hook_cb	*log_hook;
static void		*log_hook_arg;
static enum log_level	 log_min = LOG_WARN;
static cleanup_hook_cb	*cleanup_hook;

void
log_set_hook(log_hook_cb *hook, void *arg)
{
	log_hook = hook;
	log_hook_arg = arg;
}

void
log_set_level(enum log_level min)
{
	log_min = min;
}

int
log_enabled(enum log_level level)
{
	return level >= log_min;
}

static void FCT_PRINTF(3, 0)
log_emit(enum log_level level, int errnum, const char *fmt, va_list ap)
{
	char	 msg[2048];
	size_t	 n;

	if (!log_enabled(level))
		return;
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		fct_strlcpy(msg, fmt, sizeof(msg));
	if (errnum != 0) {
		n = strlen(msg);
		if (n < sizeof(msg))
			(void)snprintf(msg + n, sizeof(msg) - n, ": %s",
			    strerror(errnum));
	}
	if (log_hook != NULL)
		log_hook(level, msg, log_hook_arg);
	else
		(void)fprintf(stderr, "facteur: %s\n", msg);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_emit(level, 0, fmt, ap);
	va_end(ap);
}

#define LOG_FN(name, level, witherr)			\
void							\
name(const char *fmt, ...)				\
{							\
	va_list	ap;					\
	int	e = (witherr) ? errno : 0;		\
							\
	va_start(ap, fmt);				\
	log_emit((level), e, fmt, ap);			\
	va_end(ap);					\
}

LOG_FN(log_trace, LOG_TRACE, 0)
LOG_FN(log_debug, LOG_DEBUG, 0)
LOG_FN(log_info, LOG_INFO, 0)
LOG_FN(log_warn, LOG_WARN, 1)
LOG_FN(log_warnx, LOG_WARN, 0)

void
fatal_set_cleanup(cleanup_hook_cb *hook)
{
	cleanup_hook = hook;
}

static FCT_NORETURN void FCT_PRINTF(2, 0)
fatal_emit(int errnum, const char *fmt, va_list ap)
{
	cleanup_hook_cb	*hook = cleanup_hook;

	/* The hook may itself fail fatally: never run it twice. */
	cleanup_hook = NULL;
	if (hook != NULL)
		hook();
	(void)fputs("facteur: ", stderr);
	(void)vfprintf(stderr, fmt, ap);
	if (errnum != 0)
		(void)fprintf(stderr, ": %s", strerror(errnum));
	(void)fputc('\n', stderr);
	exit(1);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	e = errno;

	va_start(ap, fmt);
	fatal_emit(e, fmt, ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	fatal_emit(0, fmt, ap);
}
