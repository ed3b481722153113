/*
 * check_loop.c: unit tests of the event loop of include/net.h
 * (src/net/loop.c): timers, descriptor watchers, net_loop_run and
 * net_loop_break.
 *
 * The tests run on loaded machines and under valgrind: they check the order
 * of events and that nothing fires early, never how long anything took.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define WAIT_MS		10000	/* longest wait for an event that must come */
#define MAXFIRED	64

/* What fired, in order. */
struct trace {
	int	tags[MAXFIRED];
	int64_t	at[MAXFIRED];
	int	n;
};

/* The argument of a timer callback. */
struct tev {
	struct trace	*tr;
	int		 tag;
	struct net_loop	*loop;
	uint64_t	 victim;	/* timer to cancel, 0: none */
	int64_t		 next_ms;	/* delay of a timer to add, < 0: none */
	struct tev	*next;		/* argument of that timer */
};

static void
sleep_ms(long ms)
{
	struct timespec	ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000 * 1000;
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		continue;
}

static void
trace_add(struct trace *tr, int tag)
{
	ck_assert_int_lt(tr->n, MAXFIRED);
	tr->tags[tr->n] = tag;
	tr->at[tr->n] = time_mono_ms();
	tr->n++;
}

static void
tev_init(struct tev *ev, struct trace *tr, int tag, struct net_loop *loop)
{
	memset(ev, 0, sizeof(*ev));
	ev->tr = tr;
	ev->tag = tag;
	ev->loop = loop;
	ev->next_ms = -1;
}

/* Records its tag, then cancels a victim and/or adds a timer if asked. */
static void
tev_cb(void *arg)
{
	struct tev	*ev = arg;

	trace_add(ev->tr, ev->tag);
	if (ev->victim != 0)
		net_timer_cancel(ev->loop, ev->victim);
	if (ev->next_ms >= 0)
		(void)net_timer_add(ev->loop, ev->next_ms, tev_cb, ev->next);
}

static void
break_cb(void *arg)
{
	struct tev	*ev = arg;

	trace_add(ev->tr, ev->tag);
	net_loop_break(ev->loop);
}

/* ------------------------------------------------------------------ */
/* Empty loop                                                          */

START_TEST(empty_loop)
{
	struct net_loop	*loop;
	int64_t		 t0;

	net_loop_free(NULL);
	loop = NULL;
	net_loop_free(&loop);

	loop = net_loop_new();
	ck_assert_ptr_nonnull(loop);
	ck_assert_int_eq(net_loop_run_once(loop, 0), 0);
	/* Nothing to wait for: returns at once even when told to block. */
	t0 = time_mono_ms();
	ck_assert_int_eq(net_loop_run_once(loop, -1), 0);
	ck_assert_int_eq(net_loop_run_once(loop, 60000), 0);
	ck_assert_int_eq(net_loop_run(loop), 0);
	ck_assert_int_lt(time_mono_ms() - t0, 30000);
	net_loop_free(&loop);
	ck_assert_ptr_null(loop);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Timers                                                              */

START_TEST(timer_order_run)
{
	static const int	 ms[] = { 30, 10, 20 };
	struct net_loop		*loop;
	struct trace		 tr;
	struct tev		 ev[3];
	uint64_t		 id[3];
	int64_t			 t0;
	size_t			 i;

	memset(&tr, 0, sizeof(tr));
	loop = net_loop_new();
	t0 = time_mono_ms();
	for (i = 0; i < NITEMS(ms); i++) {
		tev_init(&ev[i], &tr, ms[i], loop);
		id[i] = net_timer_add(loop, ms[i], tev_cb, &ev[i]);
		ck_assert_uint_gt(id[i], 0);
	}
	ck_assert_uint_ne(id[0], id[1]);
	ck_assert_uint_ne(id[1], id[2]);
	ck_assert_uint_ne(id[0], id[2]);

	ck_assert_int_eq(net_loop_run(loop), 0);
	ck_assert_int_eq(tr.n, 3);
	ck_assert_int_eq(tr.tags[0], 10);
	ck_assert_int_eq(tr.tags[1], 20);
	ck_assert_int_eq(tr.tags[2], 30);
	/* None fired before its deadline (the tag is the delay). */
	for (i = 0; i < 3; i++)
		ck_assert_int_ge(tr.at[i] - t0, tr.tags[i]);
	ck_assert_int_eq(net_loop_run_once(loop, 0), 0);
	net_loop_free(&loop);
}
END_TEST

/*
 * Timers that are all due when the loop gets to run (a busy process, a
 * loaded machine) still fire in the order of their deadlines.
 */
START_TEST(timer_order_same_turn)
{
	static const int	 ms[] = { 30, 10, 20 };
	struct net_loop		*loop;
	struct trace		 tr;
	struct tev		 ev[3];
	size_t			 i;
	int			 r1, r2;

	memset(&tr, 0, sizeof(tr));
	loop = net_loop_new();
	for (i = 0; i < NITEMS(ms); i++) {
		tev_init(&ev[i], &tr, ms[i], loop);
		(void)net_timer_add(loop, ms[i], tev_cb, &ev[i]);
	}
	sleep_ms(80);
	r1 = net_loop_run_once(loop, 0);
	r2 = net_loop_run_once(loop, 0);
	net_loop_free(&loop);
	ck_assert_int_eq(r1, 3);
	ck_assert_int_eq(r2, 0);
	ck_assert_int_eq(tr.n, 3);
	ck_assert_msg(tr.tags[0] == 10 && tr.tags[1] == 20 &&
	    tr.tags[2] == 30, "fired in order %d, %d, %d; want 10, 20, 30",
	    tr.tags[0], tr.tags[1], tr.tags[2]);
}
END_TEST

/* Timers with the same delay fire in the order they were added. */
START_TEST(timer_fifo)
{
	struct net_loop	*loop;
	struct trace	 tr;
	struct tev	 ev[5];
	int		 i;

	memset(&tr, 0, sizeof(tr));
	loop = net_loop_new();
	for (i = 0; i < 5; i++) {
		tev_init(&ev[i], &tr, i, loop);
		(void)net_timer_add(loop, 0, tev_cb, &ev[i]);
	}
	ck_assert_int_eq(net_loop_run_once(loop, 0), 5);
	ck_assert_int_eq(tr.n, 5);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(tr.tags[i], i);
	net_loop_free(&loop);
}
END_TEST

/* A negative delay is a 0 ms timer. */
START_TEST(timer_negative)
{
	struct net_loop	*loop;
	struct trace	 tr;
	struct tev	 ev;

	memset(&tr, 0, sizeof(tr));
	loop = net_loop_new();
	tev_init(&ev, &tr, 1, loop);
	ck_assert_uint_gt(net_timer_add(loop, -1000, tev_cb, &ev), 0);
	ck_assert_int_eq(net_loop_run_once(loop, 0), 1);
	ck_assert_int_eq(tr.n, 1);
	ck_assert_int_eq(net_loop_run_once(loop, 0), 0);
	net_loop_free(&loop);
}
END_TEST

START_TEST(timer_cancel)
{
	struct net_loop	*loop;
	struct trace	 tr;
	struct tev	 ev[3];
	uint64_t	 a, b, c;
	int		 i;

	memset(&tr, 0, sizeof(tr));
	loop = net_loop_new();
	for (i = 0; i < 3; i++)
		tev_init(&ev[i], &tr, i + 1, loop);
	a = net_timer_add(loop, 10, tev_cb, &ev[0]);
	b = net_timer_add(loop, 20, tev_cb, &ev[1]);
	c = net_timer_add(loop, 0, tev_cb, &ev[2]);
	net_timer_cancel(loop, a);
	/* Unknown ids and a second cancel are harmless. */
	net_timer_cancel(loop, a);
	net_timer_cancel(loop, 0);
	net_timer_cancel(loop, c + 1000);
	net_timer_cancel(loop, UINT64_MAX);

	ck_assert_int_eq(net_loop_run(loop), 0);
	ck_assert_int_eq(tr.n, 2);
	ck_assert_int_eq(tr.tags[0], 3);
	ck_assert_int_eq(tr.tags[1], 2);
	/* Cancelling expired timers is harmless too. */
	net_timer_cancel(loop, b);
	net_timer_cancel(loop, c);
	ck_assert_int_eq(net_loop_run_once(loop, 0), 0);
	ck_assert_int_eq(tr.n, 2);

	/* Cancelling everything leaves nothing to wait for. */
	a = net_timer_add(loop, 60000, tev_cb, &ev[0]);
	net_timer_cancel(loop, a);
	ck_assert_int_eq(net_loop_run_once(loop, -1), 0);
	ck_assert_int_eq(tr.n, 2);
	net_loop_free(&loop);
}
END_TEST

/* A callback cancels a timer that is due in the same turn. */
START_TEST(timer_cancel_from_callback)
{
	struct net_loop	*loop;
	struct trace	 tr;
	struct tev	 x, y, z;
	uint64_t	 xid;

	memset(&tr, 0, sizeof(tr));
	loop = net_loop_new();
	tev_init(&x, &tr, 1, loop);
	tev_init(&y, &tr, 2, loop);
	tev_init(&z, &tr, 3, loop);
	(void)net_timer_add(loop, 0, tev_cb, &x);
	x.victim = net_timer_add(loop, 0, tev_cb, &y);
	ck_assert_int_eq(net_loop_run_once(loop, 0), 1);
	ck_assert_int_eq(tr.n, 1);
	ck_assert_int_eq(tr.tags[0], 1);
	ck_assert_int_eq(net_loop_run_once(loop, 0), 0);

	/* And one far in the future: the loop has nothing left. */
	memset(&tr, 0, sizeof(tr));
	x.victim = 0;
	xid = net_timer_add(loop, 5, tev_cb, &x);
	x.victim = net_timer_add(loop, 60000, tev_cb, &y);
	ck_assert_uint_gt(xid, 0);
	ck_assert_int_eq(net_loop_run(loop), 0);
	ck_assert_int_eq(tr.n, 1);
	ck_assert_int_eq(tr.tags[0], 1);

	/* A callback cancelling itself (already expired) is harmless. */
	memset(&tr, 0, sizeof(tr));
	z.victim = net_timer_add(loop, 0, tev_cb, &z);
	ck_assert_int_eq(net_loop_run(loop), 0);
	ck_assert_int_eq(tr.n, 1);
	ck_assert_int_eq(tr.tags[0], 3);
	net_loop_free(&loop);
}
END_TEST

/* A timer that re-arms itself with 0 ms every time it runs. */
struct rearm {
	struct net_loop	*loop;
	int		 calls;
	uint64_t	 id;
};

static void
rearm_cb(void *arg)
{
	struct rearm	*r = arg;

	r->calls++;
	r->id = net_timer_add(r->loop, 0, rearm_cb, r);
}

START_TEST(timer_add_from_callback)
{
	struct rearm	r;

	memset(&r, 0, sizeof(r));
	r.loop = net_loop_new();
	r.id = net_timer_add(r.loop, 0, rearm_cb, &r);
	/* One turn runs it once: the new timer waits for the next turn. */
	ck_assert_int_eq(net_loop_run_once(r.loop, 0), 1);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(net_loop_run_once(r.loop, 0), 1);
	ck_assert_int_eq(r.calls, 2);
	ck_assert_int_eq(net_loop_run_once(r.loop, -1), 1);
	ck_assert_int_eq(r.calls, 3);
	net_timer_cancel(r.loop, r.id);
	ck_assert_int_eq(net_loop_run_once(r.loop, 0), 0);
	ck_assert_int_eq(r.calls, 3);
	net_loop_free(&r.loop);
}
END_TEST

/* net_loop_run follows a chain of timers to its end, then returns. */
START_TEST(run_until_empty)
{
	struct net_loop	*loop;
	struct trace	 tr;
	struct tev	 ev[3];
	int		 i;

	memset(&tr, 0, sizeof(tr));
	loop = net_loop_new();
	for (i = 0; i < 3; i++)
		tev_init(&ev[i], &tr, i, loop);
	ev[0].next_ms = 5;
	ev[0].next = &ev[1];
	ev[1].next_ms = 0;
	ev[1].next = &ev[2];
	(void)net_timer_add(loop, 0, tev_cb, &ev[0]);
	ck_assert_int_eq(net_loop_run(loop), 0);
	ck_assert_int_eq(tr.n, 3);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(tr.tags[i], i);
	ck_assert_int_ge(tr.at[1] - tr.at[0], 5);
	ck_assert_int_eq(net_loop_run_once(loop, -1), 0);
	ck_assert_int_eq(net_loop_run(loop), 0);
	ck_assert_int_eq(tr.n, 3);
	net_loop_free(&loop);
}
END_TEST

/* More timers than the first allocation; every other one cancelled. */
START_TEST(many_timers)
{
	struct net_loop	*loop;
	struct trace	 tr;
	struct tev	 ev[40];
	uint64_t	 id[40];
	int		 seen[40];
	int		 i;

	memset(&tr, 0, sizeof(tr));
	memset(seen, 0, sizeof(seen));
	loop = net_loop_new();
	for (i = 0; i < 40; i++) {
		tev_init(&ev[i], &tr, i, loop);
		id[i] = net_timer_add(loop, (i * 7) % 40 / 4, tev_cb, &ev[i]);
		ck_assert_uint_gt(id[i], 0);
		if (i > 0)
			ck_assert_uint_ne(id[i], id[i - 1]);
	}
	for (i = 1; i < 40; i += 2)
		net_timer_cancel(loop, id[i]);
	ck_assert_int_eq(net_loop_run(loop), 0);
	ck_assert_int_eq(tr.n, 20);
	for (i = 0; i < tr.n; i++) {
		ck_assert_int_eq(tr.tags[i] % 2, 0);
		seen[tr.tags[i]]++;
	}
	for (i = 0; i < 40; i += 2)
		ck_assert_int_eq(seen[i], 1);
	net_loop_free(&loop);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Descriptor watchers                                                 */

struct fdev {
	struct net_loop	*loop;
	int		 calls;
	int		 fd;		/* last fd passed */
	short		 revents;	/* last revents */
	char		 got[64];
	size_t		 ngot;
	size_t		 readmax;	/* bytes to read per call */
	bool		 unwatch_self;
	int		 unwatch_fd;	/* another fd to unwatch, -1: none */
	bool		 brk;
	struct tev	*timer;		/* add a 0 ms timer with this arg */
};

static void
fdev_init(struct fdev *f, struct net_loop *loop)
{
	memset(f, 0, sizeof(*f));
	f->loop = loop;
	f->fd = -1;
	f->readmax = sizeof(f->got);
	f->unwatch_fd = -1;
}

static void
fdev_cb(int fd, short revents, void *arg)
{
	struct fdev	*f = arg;
	size_t		 room = sizeof(f->got) - f->ngot;
	ssize_t		 n;

	f->calls++;
	f->fd = fd;
	f->revents = revents;
	if (revents & (POLLIN | POLLHUP)) {
		n = read(fd, f->got + f->ngot,
		    f->readmax < room ? f->readmax : room);
		if (n > 0)
			f->ngot += (size_t)n;
	}
	if (f->unwatch_self)
		net_loop_unwatch(f->loop, fd);
	if (f->unwatch_fd != -1)
		net_loop_unwatch(f->loop, f->unwatch_fd);
	if (f->brk)
		net_loop_break(f->loop);
	if (f->timer != NULL)
		(void)net_timer_add(f->loop, 0, tev_cb, f->timer);
}

static void
xpipe(int fds[2])
{
	ck_assert_int_eq(pipe(fds), 0);
}

static void
xwrite(int fd, const char *s)
{
	ck_assert_int_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

START_TEST(pipe_readable)
{
	struct net_loop	*loop;
	struct fdev	 f;
	int		 fds[2];

	xpipe(fds);
	loop = net_loop_new();
	fdev_init(&f, loop);
	net_loop_watch(loop, fds[0], POLLIN, fdev_cb, &f);

	/* Nothing written: not called. */
	ck_assert_int_ge(net_loop_run_once(loop, 0), 0);
	ck_assert_int_eq(f.calls, 0);

	xwrite(fds[1], "x");
	ck_assert_int_ge(net_loop_run_once(loop, WAIT_MS), 1);
	ck_assert_int_eq(f.calls, 1);
	ck_assert_int_eq(f.fd, fds[0]);
	ck_assert_int_ne(f.revents & POLLIN, 0);
	ck_assert_uint_eq(f.ngot, 1);
	ck_assert_int_eq(f.got[0], 'x');

	/* Drained: not called again. */
	ck_assert_int_ge(net_loop_run_once(loop, 0), 0);
	ck_assert_int_eq(f.calls, 1);

	xwrite(fds[1], "yz");
	ck_assert_int_ge(net_loop_run_once(loop, WAIT_MS), 1);
	ck_assert_int_eq(f.calls, 2);
	ck_assert_uint_eq(f.ngot, 3);
	ck_assert_mem_eq(f.got, "xyz", 3);

	/* Unwatched from outside: nothing left. */
	net_loop_unwatch(loop, fds[0]);
	net_loop_unwatch(loop, fds[0]);		/* unknown fd: harmless */
	xwrite(fds[1], "w");
	ck_assert_int_eq(net_loop_run_once(loop, -1), 0);
	ck_assert_int_eq(f.calls, 2);

	net_loop_free(&loop);
	(void)close(fds[0]);
	(void)close(fds[1]);
}
END_TEST

START_TEST(unwatch_in_callback)
{
	struct net_loop	*loop;
	struct fdev	 f;
	int		 fds[2];

	xpipe(fds);
	loop = net_loop_new();
	fdev_init(&f, loop);
	f.readmax = 1;		/* leave a byte unread */
	f.unwatch_self = true;
	net_loop_watch(loop, fds[0], POLLIN, fdev_cb, &f);
	xwrite(fds[1], "ab");
	ck_assert_int_eq(net_loop_run_once(loop, WAIT_MS), 1);
	ck_assert_int_eq(f.calls, 1);
	ck_assert_int_eq(f.fd, fds[0]);
	ck_assert_uint_eq(f.ngot, 1);
	/* Still readable, but no longer watched. */
	ck_assert_int_eq(net_loop_run_once(loop, 0), 0);
	ck_assert_int_eq(net_loop_run(loop), 0);
	ck_assert_int_eq(f.calls, 1);

	/* Watching again works. */
	f.unwatch_self = false;
	net_loop_watch(loop, fds[0], POLLIN, fdev_cb, &f);
	ck_assert_int_ge(net_loop_run_once(loop, WAIT_MS), 1);
	ck_assert_int_eq(f.calls, 2);
	ck_assert_mem_eq(f.got, "ab", 2);

	net_loop_free(&loop);
	(void)close(fds[0]);
	(void)close(fds[1]);
}
END_TEST

/*
 * Two descriptors ready in the same turn; the first called unwatches the
 * other, which must then not be called.
 */
START_TEST(unwatch_other_in_callback)
{
	struct net_loop	*loop;
	struct fdev	 f[2];
	int		 p[2][2], i;

	loop = net_loop_new();
	for (i = 0; i < 2; i++) {
		xpipe(p[i]);
		fdev_init(&f[i], loop);
	}
	f[0].unwatch_fd = p[1][0];
	f[1].unwatch_fd = p[0][0];
	net_loop_watch(loop, p[0][0], POLLIN, fdev_cb, &f[0]);
	net_loop_watch(loop, p[1][0], POLLIN, fdev_cb, &f[1]);
	xwrite(p[0][1], "a");
	xwrite(p[1][1], "b");
	sleep_ms(20);
	ck_assert_int_eq(net_loop_run_once(loop, WAIT_MS), 1);
	ck_assert_int_eq(f[0].calls + f[1].calls, 1);

	/* The survivor still works; the other stays unwatched. */
	i = f[0].calls == 1 ? 0 : 1;
	f[i].unwatch_fd = -1;
	xwrite(p[i][1], "c");
	ck_assert_int_ge(net_loop_run_once(loop, WAIT_MS), 1);
	ck_assert_int_eq(f[i].calls, 2);
	ck_assert_int_eq(f[1 - i].calls, 0);

	net_loop_free(&loop);
	for (i = 0; i < 2; i++) {
		(void)close(p[i][0]);
		(void)close(p[i][1]);
	}
}
END_TEST

/* Watching an fd again replaces its events, callback and argument. */
START_TEST(rewatch_replaces)
{
	struct net_loop	*loop;
	struct fdev	 a, b, w;
	int		 fds[2];

	xpipe(fds);
	loop = net_loop_new();
	fdev_init(&a, loop);
	fdev_init(&b, loop);
	fdev_init(&w, loop);
	net_loop_watch(loop, fds[0], POLLIN, fdev_cb, &a);
	net_loop_watch(loop, fds[0], POLLIN, fdev_cb, &b);
	xwrite(fds[1], "x");
	ck_assert_int_ge(net_loop_run_once(loop, WAIT_MS), 1);
	ck_assert_int_eq(a.calls, 0);
	ck_assert_int_eq(b.calls, 1);
	net_loop_unwatch(loop, fds[0]);

	/* The write end is writable at once... */
	net_loop_watch(loop, fds[1], POLLOUT, fdev_cb, &w);
	ck_assert_int_ge(net_loop_run_once(loop, WAIT_MS), 1);
	ck_assert_int_eq(w.calls, 1);
	ck_assert_int_eq(w.fd, fds[1]);
	ck_assert_int_ne(w.revents & POLLOUT, 0);
	/* ...and never readable: watching POLLIN instead stops the calls. */
	net_loop_watch(loop, fds[1], POLLIN, fdev_cb, &w);
	ck_assert_int_ge(net_loop_run_once(loop, 0), 0);
	ck_assert_int_eq(w.calls, 1);

	net_loop_free(&loop);
	(void)close(fds[0]);
	(void)close(fds[1]);
}
END_TEST

/* The writer closing is reported to a POLLIN watcher. */
START_TEST(pipe_hangup)
{
	struct net_loop	*loop;
	struct fdev	 f;
	int		 fds[2];

	xpipe(fds);
	loop = net_loop_new();
	fdev_init(&f, loop);
	f.unwatch_self = true;
	net_loop_watch(loop, fds[0], POLLIN, fdev_cb, &f);
	(void)close(fds[1]);
	ck_assert_int_ge(net_loop_run_once(loop, WAIT_MS), 1);
	ck_assert_int_eq(f.calls, 1);
	ck_assert_int_ne(f.revents & (POLLIN | POLLHUP), 0);
	ck_assert_uint_eq(f.ngot, 0);
	ck_assert_int_eq(net_loop_run_once(loop, 0), 0);
	net_loop_free(&loop);
	(void)close(fds[0]);
}
END_TEST

/* A 0 ms timer added by a descriptor callback runs on the next turn. */
START_TEST(timer_from_fd_callback)
{
	struct net_loop	*loop;
	struct trace	 tr;
	struct tev	 ev;
	struct fdev	 f;
	int		 fds[2];

	memset(&tr, 0, sizeof(tr));
	xpipe(fds);
	loop = net_loop_new();
	tev_init(&ev, &tr, 1, loop);
	fdev_init(&f, loop);
	f.unwatch_self = true;
	f.timer = &ev;
	net_loop_watch(loop, fds[0], POLLIN, fdev_cb, &f);
	xwrite(fds[1], "x");
	ck_assert_int_eq(net_loop_run_once(loop, WAIT_MS), 1);
	ck_assert_int_eq(f.calls, 1);
	ck_assert_int_eq(tr.n, 0);
	ck_assert_int_eq(net_loop_run_once(loop, 0), 1);
	ck_assert_int_eq(tr.n, 1);
	ck_assert_int_eq(net_loop_run_once(loop, 0), 0);
	net_loop_free(&loop);
	(void)close(fds[0]);
	(void)close(fds[1]);
}
END_TEST

/* ------------------------------------------------------------------ */
/* net_loop_break                                                      */

START_TEST(break_from_timer)
{
	struct net_loop	*loop;
	struct trace	 tr;
	struct tev	 brk, late, again;
	uint64_t	 late_id;

	memset(&tr, 0, sizeof(tr));
	loop = net_loop_new();
	tev_init(&brk, &tr, 1, loop);
	tev_init(&late, &tr, 2, loop);
	tev_init(&again, &tr, 3, loop);
	late_id = net_timer_add(loop, 60000, tev_cb, &late);
	(void)net_timer_add(loop, 10, break_cb, &brk);
	ck_assert_int_eq(net_loop_run(loop), 0);
	ck_assert_int_eq(tr.n, 1);
	ck_assert_int_eq(tr.tags[0], 1);

	/* The loop can be run again after a break. */
	net_timer_cancel(loop, late_id);
	(void)net_timer_add(loop, 0, tev_cb, &again);
	ck_assert_int_eq(net_loop_run(loop), 0);
	ck_assert_int_eq(tr.n, 2);
	ck_assert_int_eq(tr.tags[1], 3);
	net_loop_free(&loop);
}
END_TEST

START_TEST(break_from_fd)
{
	struct net_loop	*loop;
	struct trace	 tr;
	struct tev	 late;
	struct fdev	 f;
	uint64_t	 late_id;
	int		 fds[2];

	memset(&tr, 0, sizeof(tr));
	xpipe(fds);
	loop = net_loop_new();
	tev_init(&late, &tr, 1, loop);
	fdev_init(&f, loop);
	f.brk = true;
	late_id = net_timer_add(loop, 60000, tev_cb, &late);
	net_loop_watch(loop, fds[0], POLLIN, fdev_cb, &f);
	xwrite(fds[1], "x");
	ck_assert_int_eq(net_loop_run(loop), 0);
	ck_assert_int_eq(f.calls, 1);
	ck_assert_int_eq(tr.n, 0);

	net_loop_unwatch(loop, fds[0]);
	net_timer_cancel(loop, late_id);
	ck_assert_int_eq(net_loop_run(loop), 0);
	ck_assert_int_eq(tr.n, 0);
	net_loop_free(&loop);
	(void)close(fds[0]);
	(void)close(fds[1]);
}
END_TEST

/* Freeing a loop drops what is still registered without calling it. */
START_TEST(free_with_pending)
{
	struct net_loop	*loop;
	struct trace	 tr;
	struct tev	 ev;
	struct fdev	 f;
	int		 fds[2], i;

	memset(&tr, 0, sizeof(tr));
	xpipe(fds);
	loop = net_loop_new();
	tev_init(&ev, &tr, 1, loop);
	fdev_init(&f, loop);
	for (i = 0; i < 20; i++)
		(void)net_timer_add(loop, i, tev_cb, &ev);
	net_loop_watch(loop, fds[0], POLLIN, fdev_cb, &f);
	net_loop_watch(loop, fds[1], POLLOUT, fdev_cb, &f);
	net_loop_free(&loop);
	ck_assert_ptr_null(loop);
	ck_assert_int_eq(tr.n, 0);
	ck_assert_int_eq(f.calls, 0);
	(void)close(fds[0]);
	(void)close(fds[1]);
}
END_TEST

Suite *
loop_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("loop");

	tc = tcase_create("empty");
	tcase_add_test(tc, empty_loop);
	suite_add_tcase(s, tc);

	tc = tcase_create("timers");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, timer_order_run);
	tcase_add_test(tc, timer_order_same_turn);
	tcase_add_test(tc, timer_fifo);
	tcase_add_test(tc, timer_negative);
	tcase_add_test(tc, timer_cancel);
	tcase_add_test(tc, timer_cancel_from_callback);
	tcase_add_test(tc, timer_add_from_callback);
	tcase_add_test(tc, run_until_empty);
	tcase_add_test(tc, many_timers);
	suite_add_tcase(s, tc);

	tc = tcase_create("watch");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, pipe_readable);
	tcase_add_test(tc, unwatch_in_callback);
	tcase_add_test(tc, unwatch_other_in_callback);
	tcase_add_test(tc, rewatch_replaces);
	tcase_add_test(tc, pipe_hangup);
	tcase_add_test(tc, timer_from_fd_callback);
	suite_add_tcase(s, tc);

	tc = tcase_create("break");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, break_from_timer);
	tcase_add_test(tc, break_from_fd);
	tcase_add_test(tc, free_with_pending);
	suite_add_tcase(s, tc);

	return s;
}
