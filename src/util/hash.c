/*
 * hash.c: a fast non-cryptographic 64-bit hash: 8 bytes at a time,
 * multiply and fold, then a SplitMix64 finaliser. Used by hash tables and
 * by checksums of cache files, where speed on tens of megabytes matters
 * and the threat is a torn or truncated write, not an attacker.
 */
#include <stdint.h>
#include <string.h>

#include "util.h"

#define K1	UINT64_C(0x9e3779b97f4a7c15)
#define K2	UINT64_C(0xbf58476d1ce4e5b9)
#define K3	UINT64_C(0x94d049bb133111eb)

static uint64_t
fold(uint64_t h, uint64_t w)
{
	h ^= w * K2;
	h = (h << 31) | (h >> 33);
	return h * K1;
}

uint64_t
hash64(const void *p, size_t n, uint64_t seed)
{
	const unsigned char	*s = p;
	uint64_t		 h = seed ^ (n * K3), w;
	size_t			 i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = fold(h, w);
	}
	if (i < n) {
		w = 0;
		memcpy(&w, s + i, n - i);
		h = fold(h, w ^ 0xff);
	}
	h ^= h >> 30;
	h *= K2;
	h ^= h >> 27;
	h *= K3;
	return h ^ (h >> 31);
}
