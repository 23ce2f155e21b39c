# ikegw — one build entry point.  See README.md.

PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR    ?= /lib/systemd/system
DESTDIR    ?=

PKGS       := libmnl libsodium libcrypto
DEP_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
DEP_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes -Wvla
BASE    := -std=c11 -D_GNU_SOURCE -I. $(WARN) -g $(DEP_CFLAGS)
HARDEN  := -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fPIE
OPT     ?= -O2
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDHARD  := -pie -Wl,-z,relro,-z,now

# Release objects go to build/rel, sanitized ones (tests) to build/san.
B := build
ifeq ($(SANITIZE),1)
  V       := san
  VCFLAGS := $(BASE) -O1 $(SAN) -fPIE
  VLDFLAGS:= $(SAN) -pie
else
  V       := rel
  VCFLAGS := $(BASE) $(OPT) $(HARDEN)
  VLDFLAGS:= $(LDHARD)
endif
O := $(B)/$(V)

LIB_SRCS  := $(filter-out ike/main.c,$(wildcard ike/*.c)) $(wildcard xfrm/*.c)
CLI_SRCS  := $(wildcard cli/*.c)
TEST_SRCS := $(wildcard test/check_*.c)
TEST_UTIL := $(wildcard test/util/*.c)

LIB_OBJS  := $(LIB_SRCS:%.c=$(O)/%.o)
CLI_OBJS  := $(CLI_SRCS:%.c=$(O)/%.o)
UTIL_OBJS := $(TEST_UTIL:%.c=$(O)/%.o)
TESTS     := $(TEST_SRCS:test/%.c=$(O)/test/%)

.SECONDARY:
.PHONY: all test test-build fuzz-smoke check-units demo deps install fuzz bench clean lint-man
all: $(O)/ikegwd $(O)/ikegw ikegwd ikegw

ikegwd: $(O)/ikegwd
	cp $< $@
ikegw: $(O)/ikegw
	cp $< $@

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(VCFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(O)/libikegw.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(O)/ikegwd: $(O)/ike/main.o $(O)/libikegw.a
	$(CC) $(VLDFLAGS) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/ikegw: $(CLI_OBJS) $(O)/libikegw.a
	$(CC) $(VLDFLAGS) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/test/check_%: $(O)/test/check_%.o $(UTIL_OBJS) $(O)/libikegw.a
	$(CC) $(VLDFLAGS) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(DEP_LIBS)

# Tests always run sanitized: build/san holds the daemon and CLI they drive.
check-units: deps
	$(MAKE) SANITIZE=1 test-build
test-build: $(TESTS) $(O)/ikegwd $(O)/ikegw

test: deps
	$(MAKE) all
	$(MAKE) SANITIZE=1 test-build
	$(MAKE) fuzz-smoke
	test/run-all.sh

demo: deps
	$(MAKE) all
	test/kernel/demo.sh

deps:
	@test/deps.sh

# libFuzzer targets (clang); fuzz-smoke runs each briefly inside make test.
FUZZ_SRCS := $(wildcard test/fuzz/fuzz_*.c)
FUZZERS   := $(FUZZ_SRCS:test/fuzz/%.c=$(B)/fuzz/%)
FUZZ_LIB  := $(filter-out xfrm/xfrm_nl.c,$(LIB_SRCS))
$(B)/fuzz/%: test/fuzz/%.c $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	clang $(BASE) -O1 -fsanitize=fuzzer,address,undefined -o $@ $^ $(DEP_LIBS)
fuzz: $(FUZZERS)
fuzz-smoke: fuzz
	@for f in $(FUZZERS); do \
		echo "fuzz: $$f for $${FUZZ_SECONDS:-30}s"; \
		mkdir -p $(B)/corpus/$$(basename $$f); \
		$$f -max_total_time=$${FUZZ_SECONDS:-30} -print_final_stats=0 \
		    $(B)/corpus/$$(basename $$f) test/vectors 2>$(B)/$$(basename $$f).log \
		    || { tail -40 $(B)/$$(basename $$f).log; exit 1; }; \
	done

bench: all
	$(MAKE) SANITIZE=0 $(B)/rel/test/bench
	$(B)/rel/test/bench
$(B)/rel/test/bench: $(B)/rel/test/bench.o $(B)/rel/libikegw.a
	$(CC) $(LDHARD) -o $@ $^ $(DEP_LIBS)

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(SYSCONFDIR) $(DESTDIR)$(UNITDIR)
	install -m 0755 $(B)/rel/ikegwd $(B)/rel/ikegw $(DESTDIR)$(SBINDIR)/
	install -m 0644 man/ikegw.8 man/ikegwd.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 man/ikegw.conf.5 $(DESTDIR)$(MANDIR)/man5/
	test -e $(DESTDIR)$(SYSCONFDIR)/ikegw.conf || \
		install -m 0600 etc/ikegw.conf $(DESTDIR)$(SYSCONFDIR)/ikegw.conf
	sed 's|@SBINDIR@|$(SBINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' etc/ikegwd.service > \
		$(DESTDIR)$(UNITDIR)/ikegwd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/ikegwd.service

lint-man:
	@for m in man/*.[58]; do \
		out=$$(LC_ALL=C.UTF-8 groff -man -ww -z $$m 2>&1); \
		[ -z "$$out" ] || { echo "$$m: $$out"; exit 1; }; \
	done; echo "man pages: groff -ww clean"

clean:
	rm -rf $(B) ikegwd ikegw

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# --- kernel test tool (owned by the xfrm backend work) ----------------------
# test/kernel/xfrmtool drives xfrm/ by hand inside the UML guest; built
# without sanitizers (make build/rel/test/kernel/xfrmtool), run-tests.sh
# builds it before booting.
$(O)/test/kernel/xfrmtool: $(O)/test/kernel/xfrmtool.o $(O)/libikegw.a
	$(CC) $(VLDFLAGS) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)
# ---------------------------------------------------------------------------
