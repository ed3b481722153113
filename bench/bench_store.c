/*
 * bench_store.c: the store's open alone, without printing anything.
 *
 *   bench/bench_store [-c CACHEDIR] [-t THREADS] DIR
 *
 * Opens the maildir DIR with store_folder_open() as facteur list does
 * (read-only), with its index cache in CACHEDIR, or with no cache at all
 * without -c; then builds the threaded view of every message. Prints one
 * line of figures each: the open's wall time (CLOCK_MONOTONIC) with the
 * number of messages and what the scan found (whether a valid cache was
 * read, how many files were parsed), the view's wall time, and the
 * process's peak resident memory (getrusage ru_maxrss). The first two
 * words of each line are a name and a number, for scripts (bench/store.sh).
 * -t sets the number of parser threads (default: one per CPU).
 */
#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store.h"

static double
now(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
usage(void)
{
	(void)fprintf(stderr, "usage: bench_store [-c cachedir] [-t threads] "
	    "maildir\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct store_open_opts	 opts;
	struct store_scan_stats	 st;
	struct store_folder	*f;
	struct store_view	 v = { NULL, 0 };
	struct store_err	 err;
	struct rusage		 ru;
	double			 t;
	char			*end;
	int			 c;

	memset(&opts, 0, sizeof(opts));
	/* As facteur list opens a folder: it only reads. */
	opts.read_only = true;
	for (c = getopt(argc, argv, "c:t:"); c != -1;
	    c = getopt(argc, argv, "c:t:")) {
		switch (c) {
		case 'c':
			opts.cache_dir = optarg;
			break;
		case 't':
			opts.threads = (unsigned)strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0')
				usage();
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();

	t = now();
	f = store_folder_open(argv[optind], &opts, &err);
	t = now() - t;
	if (f == NULL) {
		(void)fprintf(stderr, "bench_store: %s\n", err.msg);
		return 1;
	}
	store_folder_stats(f, &st);
	printf("open     %8.3f s  %zu messages  cache_used %s  parsed %zu  "
	    "cache_written %s\n", t, store_folder_count(f),
	    st.cache_used ? "yes" : "no", st.parsed,
	    st.cache_written ? "yes" : "no");

	t = now();
	if (store_view_build(f, STORE_SORT_THREADS, false, NULL, &v,
	    &err) == -1) {
		(void)fprintf(stderr, "bench_store: view: %s\n", err.msg);
		store_folder_close(f);
		return 1;
	}
	t = now() - t;
	printf("view     %8.3f s  %zu rows (threads)\n", t, v.n);

	if (getrusage(RUSAGE_SELF, &ru) == 0)
		printf("peak_rss %8.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
	store_view_free(&v);
	store_folder_close(f);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		(void)fprintf(stderr, "bench_store: standard output: write "
		    "error\n");
		return 1;
	}
	return 0;
}
