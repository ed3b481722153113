/*
 * loop.c: the poll(2) event loop: descriptor watchers and one-shot timers.
 * Small arrays suffice: a process has a handful of connections.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

struct watcher {
	int		 fd;
	short		 events;
	net_fd_cb	*cb;
	void		*arg;
};

struct timer {
	uint64_t	 id;
	int64_t		 deadline;	/* time_mono_ms() */
	net_timer_cb	*cb;
	void		*arg;
};

struct net_loop {
	struct watcher	*w;
	size_t		 nw, capw;
	struct timer	*t;
	size_t		 nt, capt;
	uint64_t	 next_id;
	struct pollfd	*pfd;
	size_t		 cappfd;
	int		 stop;
};

struct net_loop *
net_loop_new(void)
{
	struct net_loop	*loop;

	loop = xcalloc(1, sizeof(*loop));
	loop->next_id = 1;
	return loop;
}

void
net_loop_free(struct net_loop **loopp)
{
	struct net_loop	*loop;

	if (loopp == NULL || *loopp == NULL)
		return;
	loop = *loopp;
	free(loop->w);
	free(loop->t);
	free(loop->pfd);
	free(loop);
	*loopp = NULL;
}

static struct watcher *
watcher_find(struct net_loop *loop, int fd)
{
	size_t	i;

	for (i = 0; i < loop->nw; i++)
		if (loop->w[i].fd == fd)
			return &loop->w[i];
	return NULL;
}

void
net_loop_watch(struct net_loop *loop, int fd, short events, net_fd_cb *cb,
    void *arg)
{
	struct watcher	*w;

	w = watcher_find(loop, fd);
	if (w == NULL) {
		if (loop->nw == loop->capw) {
			loop->capw = loop->capw ? loop->capw * 2 : 8;
			loop->w = xreallocarray(loop->w, loop->capw,
			    sizeof(*loop->w));
		}
		w = &loop->w[loop->nw++];
		w->fd = fd;
	}
	w->events = events;
	w->cb = cb;
	w->arg = arg;
}

void
net_loop_unwatch(struct net_loop *loop, int fd)
{
	struct watcher	*w;

	w = watcher_find(loop, fd);
	if (w == NULL)
		return;
	*w = loop->w[--loop->nw];
}

uint64_t
net_timer_add(struct net_loop *loop, int64_t ms, net_timer_cb *cb, void *arg)
{
	struct timer	*t;

	if (loop->nt == loop->capt) {
		loop->capt = loop->capt ? loop->capt * 2 : 8;
		loop->t = xreallocarray(loop->t, loop->capt, sizeof(*loop->t));
	}
	t = &loop->t[loop->nt++];
	t->id = loop->next_id++;
	t->deadline = time_mono_ms() + (ms > 0 ? ms : 0);
	t->cb = cb;
	t->arg = arg;
	return t->id;
}

void
net_timer_cancel(struct net_loop *loop, uint64_t id)
{
	size_t	i;

	for (i = 0; i < loop->nt; i++) {
		if (loop->t[i].id == id) {
			memmove(&loop->t[i], &loop->t[i + 1],
			    (loop->nt - i - 1) * sizeof(*loop->t));
			loop->nt--;
			return;
		}
	}
}

void
net_loop_break(struct net_loop *loop)
{
	loop->stop = 1;
}

/* Milliseconds until the nearest timer, capped by max_wait (-1: none). */
static int
loop_wait_ms(struct net_loop *loop, int max_wait)
{
	int64_t	now, best = -1;
	size_t	i;

	now = time_mono_ms();
	for (i = 0; i < loop->nt; i++) {
		int64_t	d = loop->t[i].deadline - now;

		if (d < 0)
			d = 0;
		if (best < 0 || d < best)
			best = d;
	}
	if (best > INT_MAX)
		best = INT_MAX;
	if (best < 0)
		return max_wait;
	if (max_wait >= 0 && max_wait < best)
		return max_wait;
	return (int)best;
}

/*
 * Run the timers that are due and existed before this turn began, earliest
 * deadline first (then oldest first).
 */
static int
loop_fire_timers(struct net_loop *loop, uint64_t limit)
{
	int64_t	now = time_mono_ms();
	int	ran = 0;

	for (;;) {
		struct timer	 t;
		struct timer	*best = NULL;
		size_t		 i;

		for (i = 0; i < loop->nt; i++) {
			struct timer	*c = &loop->t[i];

			if (c->id >= limit || c->deadline > now)
				continue;
			if (best == NULL || c->deadline < best->deadline ||
			    (c->deadline == best->deadline && c->id < best->id))
				best = c;
		}
		if (best == NULL)
			return ran;
		t = *best;
		/* Remove before calling: the callback may add or cancel. */
		net_timer_cancel(loop, t.id);
		t.cb(t.arg);
		ran++;
	}
}

static int
loop_dispatch_fds(struct net_loop *loop, size_t n)
{
	size_t	i;
	int	ran = 0;

	for (i = 0; i < n; i++) {
		struct watcher	*w;
		short		 re = loop->pfd[i].revents;

		if (re == 0)
			continue;
		/* The watcher may have been removed or changed meanwhile. */
		w = watcher_find(loop, loop->pfd[i].fd);
		if (w == NULL)
			continue;
		re &= (short)(w->events | POLLERR | POLLHUP | POLLNVAL);
		if (re == 0)
			continue;
		w->cb(w->fd, re, w->arg);
		ran++;
	}
	return ran;
}

int
net_loop_run_once(struct net_loop *loop, int max_wait_ms)
{
	uint64_t	limit = loop->next_id;
	size_t		i, n;
	int		r, wait;

	if (loop->nw == 0 && loop->nt == 0)
		return 0;
	if (loop->cappfd < loop->nw) {
		loop->cappfd = loop->nw;
		loop->pfd = xreallocarray(loop->pfd, loop->cappfd,
		    sizeof(*loop->pfd));
	}
	n = loop->nw;
	for (i = 0; i < n; i++) {
		loop->pfd[i].fd = loop->w[i].fd;
		loop->pfd[i].events = loop->w[i].events;
		loop->pfd[i].revents = 0;
	}
	wait = loop_wait_ms(loop, max_wait_ms);
	r = poll(loop->pfd, (nfds_t)n, wait);
	if (r == -1) {
		if (errno == EINTR)
			return 1;
		return -1;
	}
	r = r > 0 ? loop_dispatch_fds(loop, n) : 0;
	r += loop_fire_timers(loop, limit);
	/* A turn that only waited still counts as progress. */
	return r > 0 ? r : 1;
}

int
net_loop_run(struct net_loop *loop)
{
	int	r;

	loop->stop = 0;
	while (!loop->stop) {
		r = net_loop_run_once(loop, -1);
		if (r <= 0)
			return r;
	}
	return 0;
}
