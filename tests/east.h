/*
 * east.h: the shared part of the STARTTLS study's test cases (east.c):
 * RON fields, a throwaway localhost certificate, the scripted server's
 * connection. Strings returned are owned by the caller.
 */
#ifndef FACTEUR_TESTS_EAST_H
#define FACTEUR_TESTS_EAST_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "buf.h"
#include "net.h"

/* A case file's text without its // comments. */
char	*east_read_case(const char *path);
char	*east_strip_comments(const char *s);
/* Where "name:" is in t (the value after it), or NULL. */
const char *east_field(const char *t, const char *name);
/* The RON string at p ("..." with escapes); *end after it. */
char	*east_ron_string(const char *p, const char **end);
/* Some("...") or "..." of a field; NULL when absent or None. */
char	*east_field_string(const char *t, const char *name);
bool	 east_field_bool(const char *t, const char *name, bool dflt);
/* A field's list of strings as "|a|b|"; east_in_list() looks a word up. */
char	*east_field_list(const char *t, const char *name);
bool	 east_in_list(const char *list, const char *word);

/* The PEM file of the localhost certificate the servers present (made
 * on first use); removed by east_cert_cleanup(). */
const char *east_cert_file(void);
void	 east_cert_cleanup(void);

/* A listening socket on 127.0.0.1 and a free port, its number in port. */
int	 east_listen(char port[16]);

/* The scripted server's side of one connection. */
struct east_conn {
	int		 fd;
	SSL_CTX		*sctx;
	SSL		*ssl;		/* once TLS started */
	struct buf	 log;		/* what happened, "tls;" and the like */
};

void	 east_conn_init(struct east_conn *c);
void	 east_conn_free(struct east_conn *c);
/* A line without CR LF; false at the end. */
bool	 east_conn_read_line(struct east_conn *c, struct buf *line);
void	 east_conn_write(struct east_conn *c, const char *data, size_t len);
/* The server's side of a TLS handshake; false (logged) on failure. */
bool	 east_conn_tls(struct east_conn *c);
bool	 east_conn_is_tls(const struct east_conn *c);

/*
 * One case's stage: the scripted server's thread on a fresh port of
 * 127.0.0.1, and the client's loop and TLS context (trusting the study's
 * certificate). Start: the listening socket in *lfd for the server, then
 * srv(arg) in a thread. The client's network parameters point at it
 * (name "localhost", 3 s of silence at most). End: the server's socket
 * shut, its thread joined, everything freed.
 */
struct east_stage {
	struct net_loop		*loop;
	struct net_tls_ctx	*ctx;
	int			 lfd;
	pthread_t		 tid;
	char			 port[16];
};

void	 east_stage_start(struct east_stage *st, int *lfd,
	    void *(*srv)(void *), void *arg);
void	 east_stage_net(const struct east_stage *st,
	    struct net_conn_params *np);
void	 east_stage_end(struct east_stage *st);
/* "proceeded:  [LOG]" or "refused: ERR [LOG]" into outcome. */
void	 east_outcome(struct buf *outcome, bool ok, const char *err,
	    const struct east_conn *srv);

/* The attack cases (*.ron but the setups) under dir, sorted; at most
 * max paths (owned) into paths. */
int	 east_collect(const char *dir, char **paths, int max);

/* Play the case at path: NULL when it ended safely (*proceeded: the
 * client went on rather than refusing), else why not (owned); a line
 * describing what happened goes into outcome. */
typedef char *east_play_fn(const char *path, struct buf *outcome,
	    bool *proceeded);
/* Every case under dir (there must be want of them) played; the tally
 * printed ("east: N PROTO cases: R refused, P proceeded safely, U
 * unsafe", each case with EAST_VERBOSE set); the test fails on any
 * unsafe one, naming it. */
void	 east_run(const char *proto, const char *dir, int want,
	    east_play_fn *play);

#endif /* FACTEUR_TESTS_EAST_H */
