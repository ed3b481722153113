# config.mk: every knob a packager touches. The Makefile includes it.

VERSION = 0.1.0

# Where "make install" puts things (DESTDIR is prepended).
PREFIX = /usr/local
MANPREFIX = $(PREFIX)/share/man

CC = cc
PKG_CONFIG = pkg-config
AR = ar
RANLIB = ranlib
# The compiler for libFuzzer targets ("make fuzz").
FUZZ_CC = clang

# Libraries, found with pkg-config.
NCURSES_CFLAGS = `$(PKG_CONFIG) --cflags ncursesw`
NCURSES_LIBS = `$(PKG_CONFIG) --libs ncursesw`
OPENSSL_CFLAGS = `$(PKG_CONFIG) --cflags openssl`
OPENSSL_LIBS = `$(PKG_CONFIG) --libs openssl`
CHECK_CFLAGS = `$(PKG_CONFIG) --cflags check`
CHECK_LIBS = `$(PKG_CONFIG) --libs check`
# iconv is in glibc; elsewhere add -liconv (see below).
ICONV_LIBS =

# Warnings are errors in the default build.
WARN = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wwrite-strings -Wformat=2 \
	-Wvla -Werror

FCT_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-DVERSION=\"$(VERSION)\"
FCT_CFLAGS = -std=c11 -pthread $(WARN) -Iinclude $(NCURSES_CFLAGS) $(OPENSSL_CFLAGS) \
	$(FCT_CPPFLAGS) $(CPPFLAGS) $(CFLAGS)
FCT_LDFLAGS = -pthread $(LDFLAGS)
FCT_LIBS = $(NCURSES_LIBS) $(OPENSSL_LIBS) $(ICONV_LIBS) $(LIBS)

CFLAGS = -O2 -g

# Unit tests also run under these sanitizers in "make check".
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -O1 -g

# OpenBSD / FreeBSD: iconv and ncursesw from LOCALBASE.
#LOCALBASE = /usr/local
#CPPFLAGS = -I$(LOCALBASE)/include
#LDFLAGS = -L$(LOCALBASE)/lib
#ICONV_LIBS = -liconv
#CC = cc
# macOS with Homebrew: PKG_CONFIG_PATH=$(brew --prefix)/opt/openssl@3/lib/pkgconfig
#ICONV_LIBS = -liconv
