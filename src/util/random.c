/* random.c: random bytes for unique names and ids (not for keys). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* SplitMix64: spreads weak entropy over all the bits. */
static uint64_t
mix64(uint64_t x)
{
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static bool
read_urandom(unsigned char *p, size_t n)
{
	ssize_t	r;
	int	fd;

	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	while (n > 0) {
		r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		p += r;
		n -= (size_t)r;
	}
	(void)close(fd);
	return n == 0;
}

/*
 * Random bytes from getentropy(), else /dev/urandom. Without either (a
 * chroot without /dev, a seccomp filter), the clocks in nanoseconds, the
 * process id and a stack address (ASLR) are mixed instead: not secret,
 * but unique enough for an id, and no global counter is needed.
 */
void
random_bytes(void *out, size_t n)
{
	unsigned char	*p = out;
	struct timespec	rt = { 0, 0 }, mono = { 0, 0 };
	uint64_t	seed;
	size_t		i;

	if (getentropy(p, n) == 0 || read_urandom(p, n))
		return;
	(void)clock_gettime(CLOCK_REALTIME, &rt);
	(void)clock_gettime(CLOCK_MONOTONIC, &mono);
	seed = mix64((uint64_t)rt.tv_sec * UINT64_C(1000000000) +
	    (uint64_t)rt.tv_nsec);
	seed = mix64(seed ^ ((uint64_t)mono.tv_sec << 32) ^
	    (uint64_t)mono.tv_nsec);
	seed = mix64(seed ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)&rt);
	for (i = 0; i < n; i++) {
		if (i % 8 == 0)
			seed = mix64(seed);
		p[i] = (unsigned char)(seed >> (8 * (i % 8)));
	}
}
