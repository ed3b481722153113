/*
 * tests.h: the suites of the test runners and the helpers they share.
 */
#ifndef FACTEUR_TESTS_H
#define FACTEUR_TESTS_H

#include <sys/types.h>

#include <check.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "imap.h"
#include "net.h"

/* Unit suites (tests/run). */
Suite	*util_suite(void);
Suite	*buf_suite(void);
Suite	*loop_suite(void);
Suite	*conn_suite(void);
Suite	*config_suite(void);
Suite	*cli_suite(void);
Suite	*mime_text_suite(void);
Suite	*mime_addr_suite(void);
Suite	*mime_codec_suite(void);
Suite	*mime_compose_suite(void);
Suite	*mime_corpus_suite(void);
Suite	*show_suite(void);
Suite	*store_suite(void);
Suite	*list_suite(void);
Suite	*store_view_suite(void);
Suite	*store_search_suite(void);
Suite	*imap_suite(void);
Suite	*imap_client_suite(void);
Suite	*imap_east_suite(void);
Suite	*imap_mailbox_suite(void);
Suite	*smtp_suite(void);
Suite	*smtp_client_suite(void);
Suite	*smtp_east_suite(void);
Suite	*pop3_suite(void);
Suite	*pop3_east_suite(void);
Suite	*sync_state_suite(void);
Suite	*sync_folders_suite(void);

/* Suites against the real servers (tests/run-servers). */
Suite	*servers_net_suite(void);
Suite	*servers_imap_suite(void);
Suite	*servers_sync_suite(void);
Suite	*servers_smtp_suite(void);
Suite	*servers_pop3_suite(void);
Suite	*servers_ui_suite(void);
Suite	*ui_suite(void);

/*
 * A synchronous test client over a net_conn: each call turns the loop until
 * what it waits for happens, the connection fails, or TCONN_WAIT_MS pass.
 */
#define TCONN_WAIT_MS	15000

struct tconn {
	struct net_loop	*loop;		/* owned */
	struct net_conn	*conn;		/* owned */
	bool		 connected;
	bool		 tls_ready;
	bool		 failed;
	bool		 drained;
	enum net_err	 err;
	char		 errmsg[512];
};

/* Connect; true once connected (TLS done for implicit TLS). */
bool	 tconn_open(struct tconn *t, const struct net_conn_params *p);
/* Wrap an existing descriptor (socketpair end); takes ownership of fd. */
bool	 tconn_open_fd(struct tconn *t, int fd,
	    const struct net_conn_params *p);
void	 tconn_close(struct tconn *t);
/* The next line, owned by the caller (free()), or NULL on failure. */
char	*tconn_line(struct tconn *t);
/* Send fmt plus CRLF; false on failure. */
bool	 tconn_send(struct tconn *t, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Read lines until one starts with prefix; all lines read are appended to
 * seen (may be NULL). The matching line is returned (free()), or NULL. */
char	*tconn_expect(struct tconn *t, const char *prefix, struct buf *seen);
/* STARTTLS after the go-ahead was read; true once the handshake is done. */
bool	 tconn_starttls(struct tconn *t);
/* Turn the loop until cond is true or ms pass; returns cond. */
bool	 tconn_wait(struct tconn *t, bool *cond, int ms);

/* Remove path and everything under it (symbolic links not followed). */
void	 test_remove_tree(const char *path);

/* Append a whole file to out; -1 when unreadable or out is full. */
int	 test_read_file(const char *path, struct buf *out);
/* The whole file as a NUL-terminated string, owned (its length in *len,
 * which may be NULL); fails the test when unreadable. */
char	*test_slurp(const char *path, size_t *len);
/* Make path hold exactly len bytes of data; fails the test otherwise. */
void	 test_write_file(const char *path, const char *data, size_t len);

/* Scripted servers over a socketpair: one line from fd without its CR
 * and LF (false at end of file or when line is full); all of data. */
bool	 test_fd_read_line(int fd, struct buf *line);
void	 test_fd_write_all(int fd, const char *data, size_t len);

/*
 * A scripted server (script.c). Each step reads a line from the client
 * (unless expect is NULL) that must start with expect ("=": be exactly
 * the rest; "<data>": the raw bytes up to a final dot line, kept in
 * data), then sends reply ("<close>": closes the connection). The first
 * mismatch ends the script, in error. Run test_script_run() in a thread
 * with fd, steps, got and data set (got and data initialised).
 */
struct test_step {
	const char	*expect;
	const char	*reply;
};

struct test_script {
	int			 fd;
	const struct test_step	*steps;
	struct buf		 got;		/* lines read, "\n" after each */
	struct buf		 data;		/* the raw DATA bytes */
	char			 error[512];
	pthread_t		 tid;
};

void	*test_script_run(void *arg);
/* The scripted server on one end of a new socketpair, in a thread (its
 * buffers made; DATA kept up to data_max bytes): the other end, for the
 * client. Join waits for its end and fails on its error; free drops its
 * buffers. */
int	 test_script_start(struct test_script *srv,
	    const struct test_step *steps, size_t data_max);
void	 test_script_join(struct test_script *srv);
void	 test_script_free(struct test_script *srv);

/* Running the real binary. */
#define TEST_FACTEUR	"./facteur"
#define TEST_MAXARGS	12
#define TEST_MAXENV	8

struct test_run {
	int	 status;	/* exit status, or -1 if not exited */
	char	*out;		/* standard output, NUL-terminated */
	size_t	 outlen;
	char	*err;		/* standard error */
};

/*
 * Run ./facteur with args (argv[0] excluded, NULL-terminated) in an
 * environment of env ("NAME=VALUE", NULL-terminated, may be NULL), then
 * HOME=home, PATH and LC_ALL=C (env wins); standard input is /dev/null;
 * standard output goes to outpath when it is not NULL (out is then "").
 */
struct test_run test_run_facteur(const char *home, const char *const *args,
	    const char *const *env, const char *outpath);
/* The same with standard input read from inpath (NULL: /dev/null). */
struct test_run test_run_facteur_in(const char *home,
	    const char *const *args, const char *const *env,
	    const char *inpath, const char *outpath);
void	 test_run_free(struct test_run *r);
/* Start "./facteur CMD" with FACTEUR_CONFIG=home/config and HOME=home,
 * its output to /dev/null, without waiting (kill tests). */
pid_t	 test_spawn_facteur(const char *home, const char *cmd);

/* An IMAP client logged in to the test Dovecot (run-servers suites). */
struct test_imap {
	struct net_loop		*loop;
	struct net_tls_ctx	*ctx;
	struct imap_client	*c;
	bool			 ready, ok;
	char			 err[512];	/* why not ok */
};

/* Connect (IMAPS for IMAP_TLS_IMPLICIT, else the STARTTLS port) as user
 * with password, the test CA trusted, and wait until logged in or
 * refused (t->ok, t->err). unsolicited may be NULL. */
void	 test_imap_open(struct test_imap *t, enum imap_tls_mode mode,
	    enum imap_auth_mech mech, const char *user, const char *password,
	    imap_unsolicited_cb *unsolicited);
void	 test_imap_close(struct test_imap *t);

/* tmux.c: the interface in a tmux pane of a private tmux server. */
struct test_tmux {
	char	sock[64];
	bool	started;
};
/* Start "./facteur ARGS" with HOME=home, FACTEUR_CONFIG=home/config,
 * a UTF-8 locale, in a w x h pane; when it exits the pane shows
 * "FACTEUR-EXIT=STATUS". */
void	 test_tmux_start(struct test_tmux *t, int w, int h, const char *home,
	    const char *args);
/* The same with any shell command line (run from the source tree). */
void	 test_tmux_start_cmd(struct test_tmux *t, int w, int h,
	    const char *home, const char *command);
/* The pane's text; owned. */
char	*test_tmux_screen(const struct test_tmux *t);
/* A tmux format ("#{pane_title}") for the pane; owned. */
char	*test_tmux_query(const struct test_tmux *t, const char *format);
/* The screen once it shows needle (fails after ms); owned. */
char	*test_tmux_wait(const struct test_tmux *t, const char *needle, int ms);
/* Whether needle left the screen within ms. */
bool	 test_tmux_gone(const struct test_tmux *t, const char *needle, int ms);
/* Keys as tmux names them ("j", "Enter", "C-n"), space-separated. */
void	 test_tmux_keys(const struct test_tmux *t, const char *keys);
/* Text typed as it is. */
void	 test_tmux_type(const struct test_tmux *t, const char *text);
void	 test_tmux_resize(const struct test_tmux *t, int w, int h);
void	 test_tmux_stop(struct test_tmux *t);
/* Terminal columns of a UTF-8 line (wcwidth in a UTF-8 locale). */
int	 test_display_width(const char *s);
/* The screen's line holding needle, or NULL; owned. */
char	*test_screen_line(const char *screen, const char *needle);

/* Sort n strings in strcmp() order. */
void	 test_sort_strings(char **v, size_t n);

/* Environment variable that must be set (fails the test otherwise). */
const char *test_env(const char *name);

#endif /* FACTEUR_TESTS_H */
