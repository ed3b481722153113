/*
 * bounds.h: every named size limit of facteur, in one place.
 *
 * Anything read from the network or from a file is bounded by one of these;
 * a module that needs a new limit adds it here rather than hiding a number
 * in its code.
 */
#ifndef FACTEUR_BOUNDS_H
#define FACTEUR_BOUNDS_H

/* Longest protocol line accepted from a server, CRLF excluded. */
#define BOUND_LINE		(64 * 1024)
/* Longest command facteur builds for a server. */
#define BOUND_COMMAND		(64 * 1024)
/* Largest header block of one message. */
#define BOUND_HEADER_BLOCK	(1024 * 1024)
/* Largest amount of unsent output queued on one connection. */
#define BOUND_OUTQ		(4 * 1024 * 1024)
/* Bytes read from a socket or TLS session in one call. */
#define BOUND_READ_CHUNK	(16 * 1024)
/* Longest host name, service name and error text kept by net/. */
#define BOUND_HOST		256
#define BOUND_ERRMSG		512

/* Server mailbox names that facteur maps to local folders. */
#define BOUND_MAILBOX_NAME	1024	/* bytes of a whole name */
#define BOUND_MAILBOX_DEPTH	64	/* hierarchy levels */
#define BOUND_MAILBOX_LEVEL	255	/* bytes of one level (a directory) */

/* Default time limits, in milliseconds. */
#define BOUND_CONNECT_MS	(30 * 1000)
#define BOUND_IO_MS		(60 * 1000)

#endif /* FACTEUR_BOUNDS_H */
