# facteur: a terminal mail client. See README for the targets.
.POSIX:
.SUFFIXES:
.SUFFIXES: .c .o .sano .fzo

include config.mk

# ---- sources, per module (STYLE.md 1) ----
UTIL_SRC = src/util/alloc.c src/util/base64.c src/util/buf.c src/util/filter.c \
	src/util/hash.c src/util/log.c \
	src/util/md5.c src/util/random.c src/util/sha256.c \
	src/util/str.c
NET_SRC = src/net/conn.c src/net/loop.c src/net/tls.c
CONFIG_SRC = src/config/bind.c src/config/diag.c src/config/keys.c \
	src/config/parse.c src/config/secret.c src/config/validate.c \
	src/config/values.c

MIME_SRC = src/mime/address.c src/mime/charset.c src/mime/codec.c \
	src/mime/compose.c src/mime/date.c src/mime/flowed.c \
	src/mime/headers.c src/mime/html.c src/mime/msgid.c src/mime/outgoing.c \
	src/mime/param.c \
	src/mime/reply.c src/mime/text.c src/mime/tree.c src/mime/words.c
STORE_SRC = src/store/arena.c src/store/batch.c src/store/cache.c src/store/folder.c \
	src/store/maildir.c src/store/scan.c src/store/search.c \
	src/store/view.c
PROTO_SRC = src/proto/imap_client.c src/proto/imap_parse.c \
	src/proto/imap_read.c src/proto/sasl.c \
	src/proto/imap_mailbox.c src/proto/peer.c src/proto/smtp_client.c \
	src/proto/smtp_reply.c \
	src/proto/pop3_client.c src/proto/pop3_reply.c
SYNC_SRC = src/sync/account.c src/sync/cmd.c src/sync/download.c src/sync/engine.c \
	src/sync/folder.c src/sync/folders.c src/sync/idle.c src/sync/moves.c src/sync/outbox.c \
	src/sync/pop3.c src/sync/pop3_state.c src/sync/state.c src/sync/whole.c
CLI_SRC = src/cli/args.c src/cli/config_check.c \
	src/cli/json.c src/cli/list.c src/cli/load.c src/cli/safe.c \
	src/cli/send.c src/cli/setup.c src/cli/show.c src/cli/sync.c
UI_SRC = src/ui/actions.c src/ui/app.c src/ui/attach.c src/ui/book.c \
	src/ui/compose.c src/ui/draw.c \
	src/ui/index.c src/ui/keys.c src/ui/mailcap.c src/ui/pager.c \
	src/ui/prompt.c src/ui/term.c src/ui/text.c
LIB_SRC = $(UTIL_SRC) $(NET_SRC) $(CONFIG_SRC) $(MIME_SRC) $(STORE_SRC) \
	$(PROTO_SRC) $(SYNC_SRC) $(CLI_SRC) $(UI_SRC)
LIB_OBJ = $(LIB_SRC:.c=.o)
LIB_SANO = $(LIB_SRC:.c=.sano)
LIB_FZO = $(LIB_SRC:.c=.fzo)
HDR = include/*.h src/*/*_priv.h

# ---- tests ----
TEST_SRC = tests/run.c tests/check_util.c tests/check_buf.c \
	tests/check_loop.c tests/check_conn.c tests/check_config.c \
	tests/check_cli.c tests/check_mime_text.c tests/check_mime_addr.c \
	tests/check_mime_codec.c tests/check_mime_compose.c \
	tests/check_mime_corpus.c tests/check_show.c tests/check_store.c \
	tests/check_list.c \
	tests/check_store_view.c tests/check_store_search.c \
	tests/check_imap.c tests/check_imap_client.c tests/check_imap_east.c \
	tests/check_imap_mailbox.c tests/check_sync_state.c \
	tests/check_sync_folders.c tests/check_smtp.c tests/check_smtp_east.c \
	tests/check_pop3.c tests/check_pop3_east.c tests/check_ui.c \
	tests/east.c tests/minijson.c tests/script.c tests/testlib.c
SERVER_TEST_SRC = tests/run_servers.c tests/check_servers_net.c \
	tests/check_servers_imap.c tests/check_servers_sync.c \
	tests/check_servers_smtp.c tests/check_servers_pop3.c \
	tests/check_servers_ui.c tests/tmux.c \
	tests/testlib.c
TEST_HDR = tests/tests.h tests/minijson.h tests/east.h
FUZZERS = tests/fuzz/fuzz_line tests/fuzz/fuzz_config tests/fuzz/fuzz_mime \
	tests/fuzz/fuzz_words tests/fuzz/fuzz_address tests/fuzz/fuzz_date \
	tests/fuzz/fuzz_decode tests/fuzz/fuzz_html tests/fuzz/fuzz_compose \
	tests/fuzz/fuzz_index tests/fuzz/fuzz_query tests/fuzz/fuzz_imap \
	tests/fuzz/fuzz_imap_session tests/fuzz/fuzz_mutf7 \
	tests/fuzz/fuzz_sync_state tests/fuzz/fuzz_sync_folders \
	tests/fuzz/fuzz_smtp tests/fuzz/fuzz_outgoing tests/fuzz/fuzz_pop3 \
	tests/fuzz/fuzz_pop3_state tests/fuzz/fuzz_ui

MAN1 = doc/facteur.1
MAN5 = doc/facteur.conf.5

all: facteur

options:
	@echo "facteur $(VERSION) build options:"
	@echo "CC       = $(CC)"
	@echo "CFLAGS   = $(FCT_CFLAGS)"
	@echo "LDFLAGS  = $(FCT_LDFLAGS)"
	@echo "LIBS     = $(FCT_LIBS)"
	@echo "PREFIX   = $(PREFIX)"

.c.o:
	$(CC) $(FCT_CFLAGS) -c -o $@ $<

# The same library built with ASan and UBSan, for the unit tests.
.c.sano:
	$(CC) $(FCT_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

# And built for libFuzzer with clang. The define is libFuzzer's convention:
# code may skip checks a fuzzer cannot pass (checksums).
.c.fzo:
	$(FUZZ_CC) $(FCT_CFLAGS) -Wno-error -O1 -g \
		-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
		-fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

# A fuzzer is one .c file (tests/fuzz/fuzz_NAME.c) linked with that
# library; this single-suffix rule builds every one of $(FUZZERS).
.c:
	$(FUZZ_CC) $(FCT_CFLAGS) -Wno-error -O1 -g \
		-fsanitize=fuzzer,address,undefined -o $@ $< \
		libfacteur-fuzz.a $(FCT_LIBS)

$(LIB_OBJ) $(LIB_SANO) $(LIB_FZO) src/main.o: $(HDR) config.mk

libfacteur.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rc $@ $(LIB_OBJ)
	$(RANLIB) $@

libfacteur-san.a: $(LIB_SANO)
	rm -f $@
	$(AR) rc $@ $(LIB_SANO)
	$(RANLIB) $@

libfacteur-fuzz.a: $(LIB_FZO)
	rm -f $@
	$(AR) rc $@ $(LIB_FZO)
	$(RANLIB) $@

facteur: src/main.o libfacteur.a
	$(CC) $(FCT_LDFLAGS) -o $@ src/main.o libfacteur.a $(FCT_LIBS)

tests/run: $(TEST_SRC) $(TEST_HDR) libfacteur.a
	$(CC) $(FCT_CFLAGS) $(CHECK_CFLAGS) -Itests -o $@ $(TEST_SRC) \
		libfacteur.a $(FCT_LDFLAGS) $(FCT_LIBS) $(CHECK_LIBS)

tests/run-san: $(TEST_SRC) $(TEST_HDR) libfacteur-san.a
	$(CC) $(FCT_CFLAGS) $(SAN_FLAGS) $(CHECK_CFLAGS) -Itests -o $@ \
		$(TEST_SRC) libfacteur-san.a $(FCT_LDFLAGS) $(FCT_LIBS) \
		$(CHECK_LIBS)

tests/run-servers: $(SERVER_TEST_SRC) $(TEST_HDR) libfacteur.a
	$(CC) $(FCT_CFLAGS) $(CHECK_CFLAGS) -Itests -o $@ \
		$(SERVER_TEST_SRC) libfacteur.a $(FCT_LDFLAGS) $(FCT_LIBS) \
		$(CHECK_LIBS)

# ---- checks ----
# Unit tests (plain, then under ASan+UBSan), the module map, headers, man
# pages, then the integration tests against real Dovecot and Postfix.
check: all tests/run tests/run-san tests/run-servers bench/gen_maildir depcheck \
	headers mancheck
	./tests/run
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 CK_FORK=no ./tests/run-san
	tests/servers/with-servers.sh ./tests/run-servers

# Unit tests only (no root, no servers).
check-unit: all tests/run tests/run-san depcheck headers mancheck
	./tests/run
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 CK_FORK=no ./tests/run-san

memcheck: tests/run
	CK_FORK=no valgrind --error-exitcode=1 --leak-check=full \
		--child-silent-after-fork=yes \
		--suppressions=tests/valgrind.supp \
		--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
		./tests/run

depcheck:
	sh scripts/depcheck

headers:
	@for h in include/*.h; do \
		printf '#include "%s"\ntypedef int headers_check;\n' "$${h#include/}" | \
		$(CC) $(FCT_CFLAGS) -fsyntax-only -x c - || exit 1; \
	done; echo "headers: each header compiles on its own"

mancheck:
	@for m in doc/*.[1-8]; do \
		out=$$(groff -man -ww -z "$$m" 2>&1); \
		if [ -n "$$out" ]; then echo "$$m: $$out"; exit 1; fi; \
	done; echo "mancheck: man pages have no groff warnings"

# ---- fuzzing (clang + libFuzzer) ----
fuzz: $(FUZZERS)
$(FUZZERS): libfacteur-fuzz.a

# Run every fuzzer for FUZZ_SECONDS each. New inputs go to tests/fuzz/work/
# (not committed); the seeds in tests/fuzz/corpus/ are only read. A crash
# leaves crash-* in the current directory: keep it as a regression seed.
FUZZ_SECONDS = 60
fuzz-run: fuzz
	for f in $(FUZZERS); do \
		n=$${f##*/}; mkdir -p tests/fuzz/work/$$n tests/fuzz/corpus/$$n; \
		./$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			tests/fuzz/work/$$n tests/fuzz/corpus/$$n || exit 1; \
	done

# Replay the seed corpora (regression inputs included) once.
fuzz-replay: fuzz
	for f in $(FUZZERS); do \
		n=$${f##*/}; ./$$f -runs=0 tests/fuzz/corpus/$$n || exit 1; \
	done

# ---- benchmarks (bench/README) ----
bench/bench_mime: bench/bench_mime.c libfacteur.a
	$(CC) $(FCT_CFLAGS) -o $@ bench/bench_mime.c libfacteur.a \
		$(FCT_LDFLAGS) $(FCT_LIBS)

BENCHES = bench/bench_mime bench/gen_maildir bench/bench_store bench/bench_view

bench/gen_maildir: bench/gen_maildir.c libfacteur.a
	$(CC) $(FCT_CFLAGS) -o $@ bench/gen_maildir.c libfacteur.a \
		$(FCT_LDFLAGS) $(FCT_LIBS)

bench/bench_store: bench/bench_store.c libfacteur.a
	$(CC) $(FCT_CFLAGS) -o $@ bench/bench_store.c libfacteur.a \
		$(FCT_LDFLAGS) $(FCT_LIBS)

bench/bench_view: bench/bench_view.c libfacteur.a
	$(CC) $(FCT_CFLAGS) -o $@ bench/bench_view.c libfacteur.a \
		$(FCT_LDFLAGS) $(FCT_LIBS)

bench: $(BENCHES)

# The demo: local servers, a demo account with realistic mail, facteur
# on it (scripts/demo; needs root for Postfix).
demo: facteur bench/gen_maildir
	sh scripts/demo

# ---- install ----
install: all
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANPREFIX)/man1 \
		$(DESTDIR)$(MANPREFIX)/man5
	cp -f facteur $(DESTDIR)$(PREFIX)/bin/facteur
	chmod 755 $(DESTDIR)$(PREFIX)/bin/facteur
	for m in $(MAN1); do \
		sed "s/@VERSION@/$(VERSION)/g" $$m > \
			$(DESTDIR)$(MANPREFIX)/man1/$${m##*/}; \
		chmod 644 $(DESTDIR)$(MANPREFIX)/man1/$${m##*/}; \
	done
	for m in $(MAN5); do \
		sed "s/@VERSION@/$(VERSION)/g" $$m > \
			$(DESTDIR)$(MANPREFIX)/man5/$${m##*/}; \
		chmod 644 $(DESTDIR)$(MANPREFIX)/man5/$${m##*/}; \
	done

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/facteur
	for m in $(MAN1); do rm -f $(DESTDIR)$(MANPREFIX)/man1/$${m##*/}; done
	for m in $(MAN5); do rm -f $(DESTDIR)$(MANPREFIX)/man5/$${m##*/}; done

dist: clean
	mkdir -p facteur-$(VERSION)
	cp -R Makefile config.mk README LICENSE include src tests doc scripts \
		bench facteur-$(VERSION) 2>/dev/null || true
	tar -cf - facteur-$(VERSION) | gzip > facteur-$(VERSION).tar.gz
	rm -rf facteur-$(VERSION)

clean:
	rm -f facteur src/main.o $(LIB_OBJ) $(LIB_SANO) $(LIB_FZO) \
		libfacteur.a libfacteur-san.a libfacteur-fuzz.a \
		tests/run tests/run-san tests/run-servers $(FUZZERS) $(BENCHES) \
		facteur-$(VERSION).tar.gz

.PHONY: all options check check-unit memcheck depcheck headers mancheck demo \
	fuzz fuzz-run fuzz-replay bench install uninstall dist clean
