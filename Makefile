# OKpay help center and account portal. `make run` serves it, `make test` proves it.
# GNU make. Variants: build/release (default), build/asan (ASan + UBSan, VARIANT=asan) and
# build/valgrind (-O1 -g for memcheck, VARIANT=valgrind).

VARIANT ?= release
PORT    ?= 8080
BUILD   := build/$(VARIANT)
CC      ?= cc
SHELL   := /bin/bash

WARN    := -std=c17 -Wall -Wextra -Wpedantic -Wstrict-prototypes -Wwrite-strings -Wformat=2 -Werror
DEFS    := -D_GNU_SOURCE -Ilib
ifeq ($(VARIANT),asan)
OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
else ifeq ($(VARIANT),valgrind)
# For memcheck: no sanitizer (it cannot run under valgrind), no FORTIFY (its checked copies
# hide the exact byte memcheck would name), -O1 so that reports point at the right line.
OPT     := -O1 -g -fno-omit-frame-pointer
else
OPT     := -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong
endif
CFLAGS  += $(WARN) $(DEFS) $(OPT) -MMD -MP
LDFLAGS += $(filter -fsanitize%,$(OPT)) -pthread

CMARK_LIBS := -lcmark-gfm-extensions -lcmark-gfm
SEARCH_LIBS := -lsqlite3 -licuuc -licudata -lz -lm
PORTAL_LIBS := -lfcgi $(SEARCH_LIBS) -lsodium -lzxcvbn -loath -lqrencode -lm

# Debian packages: to build and run, to test, to benchmark.
PKGS_RUN   := gcc make pkg-config libcmark-gfm-dev libcmark-gfm-extensions-dev libfcgi-dev \
	      libsqlite3-dev libsodium-dev libzxcvbn-dev libicu-dev zlib1g-dev liboath-dev libqrencode-dev \
	      nginx inotify-tools sqlite3
PKGS_TEST  := libcriterion-dev tidy linkchecker chromium fonts-wqy-microhei curl openssl systemd \
	      valgrind
PKGS_BENCH := wrk hugo time bc libicu-dev
PKGS_FUZZ  := clang libclang-rt-14-dev

LIB_SRC  := $(wildcard lib/*.c)
GEN_SRC  := $(filter-out site-gen/main.c,$(wildcard site-gen/*.c))
CGI_SRC  := $(filter-out cgi/main.c,$(wildcard cgi/*.c cgi/handlers/*.c))
UNIT_SRC := $(wildcard tests/unit/*/*_test.c)

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
GEN_OBJ  := $(GEN_SRC:%.c=$(BUILD)/obj/%.o)
CGI_OBJ  := $(CGI_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/obj/%.o)

SITE_GEN := $(BUILD)/bin/site-gen
PORTAL   := $(BUILD)/bin/okpay-portal
ADMIN    := $(BUILD)/bin/okpay-admin
ADMIN_SRC := $(wildcard cgi/admin/*.c)
ADMIN_OBJ := $(ADMIN_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN := $(BUILD)/bin/unit-tests

.PHONY: all site watch run test test-unit test-asan test-integration test-e2e test-fuzz bench \
	test-valgrind \
	bench-site bench-portal clean deps deps-test deps-bench deps-fuzz fuzz format check-format

all: deps $(SITE_GEN) $(PORTAL) $(ADMIN)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(SITE_GEN): $(BUILD)/obj/site-gen/main.o $(GEN_OBJ) $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $^ -o $@ $(LDFLAGS) $(CMARK_LIBS) $(SEARCH_LIBS)

CORPUS := $(BUILD)/bin/corpus

$(CORPUS): $(BUILD)/obj/bench/corpus.o $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $^ -o $@ $(LDFLAGS) $(SEARCH_LIBS)

TRIVIAL_FCGI := $(BUILD)/bin/trivial-fcgi

$(TRIVIAL_FCGI): $(BUILD)/obj/bench/trivial-fcgi.o
	@mkdir -p $(@D)
	$(CC) $^ -o $@ $(LDFLAGS) -lfcgi

$(PORTAL): $(BUILD)/obj/cgi/main.o $(CGI_OBJ) $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $^ -o $@ $(LDFLAGS) $(PORTAL_LIBS)

$(ADMIN): $(ADMIN_OBJ) $(CGI_OBJ) $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $^ -o $@ $(LDFLAGS) $(PORTAL_LIBS)

$(CGI_OBJ) $(ADMIN_OBJ) $(BUILD)/obj/cgi/main.o: CFLAGS += -Icgi

$(UNIT_OBJ): CFLAGS += -Isite-gen -Icgi

$(UNIT_BIN): $(UNIT_OBJ) $(GEN_OBJ) $(CGI_OBJ) $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $^ -o $@ $(LDFLAGS) $(CMARK_LIBS) $(PORTAL_LIBS) -lcriterion

-include $(shell find build -name '*.d' 2>/dev/null)

# --- dependencies --------------------------------------------------------------------------

# Installs what is missing: apt-get as root, otherwise a message that names the packages.
define need_debs
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
		| grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing Debian packages:" $$missing; \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
		else \
			echo "missing Debian packages:" $$missing; \
			echo "install them with: sudo apt-get install" $$missing; exit 1; \
		fi; \
	fi
endef

deps:
	$(call need_debs,$(PKGS_RUN))

deps-test: deps
	$(call need_debs,$(PKGS_TEST))
	@command -v node >/dev/null || $(MAKE) --no-print-directory PKGS_NODE="nodejs npm" deps-node
	@[ -d tests/e2e/node_modules/playwright-core ] || (cd tests/e2e && npm ci --no-audit --no-fund)

deps-node:
	$(call need_debs,$(PKGS_NODE))

deps-bench: deps
	$(call need_debs,$(PKGS_BENCH))

deps-fuzz:
	$(call need_debs,$(PKGS_FUZZ))

# --- the site ------------------------------------------------------------------------------

site: all
	$(SITE_GEN) --content content --theme theme --out build/site

watch: all
	$(SITE_GEN) --content content --theme theme --out build/site --watch

run: site
	PORTAL=$(PORTAL) nginx/serve.sh $(PORT)

# --- installing ----------------------------------------------------------------------------

# make install [PREFIX=/usr/local] [DESTDIR=...] [OKPAY_BASE_URL=https://...]: the release
# binaries, the site built for OKPAY_BASE_URL, what the portal reads at run time, the systemd
# units, the nginx site and logrotate. Nothing needs root with DESTDIR; no user, service or
# site is enabled (docs/operations.md). install-files copies what is built already (the tests
# run it on their own binaries and site): INSTALL_BIN, INSTALL_SITE, INSTALL_SEARCH_DB.
PREFIX      ?= /usr/local
SYSCONFDIR  ?= /etc
BINDIR      := $(PREFIX)/bin
SBINDIR     := $(PREFIX)/sbin
DATADIR     := $(PREFIX)/share/okpay
DOCDIR      := $(PREFIX)/share/doc/okpay
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
NGINXDIR    ?= $(SYSCONFDIR)/nginx
INSTALL_BIN       ?= $(BUILD)/bin
INSTALL_SITE      ?= build/site
INSTALL_SEARCH_DB ?= $(dir $(INSTALL_SITE))search.db
D := $(DESTDIR)
UNIT_SUBST := -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' \
	-e 's|@DOCDIR@|$(DOCDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

.PHONY: install install-files
install: all
	$(SITE_GEN) --content content --theme theme --out build/site --quiet
	$(MAKE) --no-print-directory install-files

install-files:
	install -D -m 0755 $(INSTALL_BIN)/okpay-portal $(D)$(SBINDIR)/okpay-portal
	install -D -m 0755 $(INSTALL_BIN)/okpay-admin $(D)$(SBINDIR)/okpay-admin
	install -D -m 0755 $(INSTALL_BIN)/site-gen $(D)$(BINDIR)/site-gen
	rm -rf $(D)$(DATADIR)/site $(D)$(DATADIR)/theme
	install -d -m 0755 $(D)$(DATADIR)/site $(D)$(DATADIR)/theme/templates $(D)$(DATADIR)/theme/assets
	cp -R $(INSTALL_SITE)/. $(D)$(DATADIR)/site/
	chmod -R u=rwX,go=rX $(D)$(DATADIR)/site
	install -m 0644 $(INSTALL_SEARCH_DB) $(D)$(DATADIR)/search.db
	install -m 0644 theme/templates/* $(D)$(DATADIR)/theme/templates/
	install -m 0644 theme/assets/* $(D)$(DATADIR)/theme/assets/
	install -D -m 0644 content/ui.conf $(D)$(DATADIR)/content/ui.conf
	install -d -m 0755 $(D)$(UNITDIR)
	for f in okpay-portal.service okpay-portal.socket; do \
		sed $(UNIT_SUBST) deploy/systemd/$$f > $(D)$(UNITDIR)/$$f || exit 1; \
		chmod 0644 $(D)$(UNITDIR)/$$f; \
	done
	install -D -m 0644 deploy/sysusers/okpay.conf $(D)$(SYSUSERSDIR)/okpay.conf
	install -D -m 0644 deploy/logrotate/okpay $(D)$(SYSCONFDIR)/logrotate.d/okpay
	[ -e $(D)$(SYSCONFDIR)/default/okpay ] || \
		install -D -m 0644 deploy/default/okpay $(D)$(SYSCONFDIR)/default/okpay
	install -d -m 0755 $(D)/var/log/nginx/okpay
	OKPAY_SITE=$(DATADIR)/site OKPAY_SNIPPETS=$(NGINXDIR)/snippets/okpay \
		nginx/render-https.sh $(D)$(NGINXDIR)/sites-available/okpay.new \
		$(D)$(NGINXDIR)/snippets/okpay
	@# The site file is the admin's once installed (server_name, certificates): a new one
	@# goes beside it as okpay.dist. The snippets are ours and replaced.
	cd $(D)$(NGINXDIR)/sites-available && \
		if [ -e okpay ]; then mv okpay.new okpay.dist; else mv okpay.new okpay; fi
	install -D -m 0644 docs/operations.md $(D)$(DOCDIR)/operations.md

# --- tests ---------------------------------------------------------------------------------

test: deps-test
	$(MAKE) --no-print-directory test-unit
	$(MAKE) --no-print-directory VARIANT=asan test-unit
	$(MAKE) --no-print-directory VARIANT=asan test-integration
	$(MAKE) --no-print-directory test-integration
	$(MAKE) --no-print-directory test-valgrind
	$(MAKE) --no-print-directory test-e2e
	$(MAKE) --no-print-directory test-fuzz

# What CI fuzzes: every target 30 s, the multipart parser of the support form 60 s.
test-fuzz:
	FUZZ_SECONDS_MULTIPART=60 $(MAKE) --no-print-directory fuzz FUZZ_SECONDS=30

test-unit: $(UNIT_BIN)
	$(UNIT_BIN) --jobs 2

test-integration: $(SITE_GEN) $(PORTAL) $(ADMIN)
	SITE_GEN=$(SITE_GEN) PORTAL=$(PORTAL) node --test --test-concurrency=1 --test-timeout=300000 --test-force-exit tests/integration/

test-e2e: $(SITE_GEN) $(PORTAL) $(ADMIN)
	SITE_GEN=$(SITE_GEN) PORTAL=$(PORTAL) node --test --test-concurrency=1 --test-timeout=300000 --test-force-exit tests/e2e/

# The portal under valgrind's memcheck for one integration pass (tests/lib/harness.js runs it
# through PORTAL_WRAPPER): any error, or a leak of definitely or indirectly lost memory at exit,
# fails the test that stopped that portal, with valgrind's report. Built as VARIANT=valgrind:
# -O1 -g without sanitizers (they cannot run under valgrind) and without FORTIFY.
# Memcheck makes the portal 20-30 times slower (an argon2id hash: 0.2 s -> 5.5 s) and runs one
# thread at a time: the whole suite takes about 17 minutes, so the pass is the files with the
# most portal code of their own, about 11 minutes (each file's time in README, "Valgrind"):
# the wallet (money, cards, history, CSV), sessions/activity/email change, two-step, password
# reset, hostile requests, multipart uploads, search and feedback. Registration and login run
# in all of them; portal.test.js, throttle, admin and the site-only files are left out.
# Suppressions, each explained, only for false positives in libraries: tests/valgrind.supp.
VALGRIND_TESTS ?= wallet security twostep password hostile support search feedback
VALGRIND := valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    --show-leak-kinds=definite,indirect --track-fds=no --quiet --num-callers=30 \
	    --suppressions=tests/valgrind.supp --log-file={dir}/valgrind.%p.log
VG_BIN := build/valgrind/bin

test-valgrind:
	$(MAKE) --no-print-directory VARIANT=valgrind $(VG_BIN)/site-gen $(VG_BIN)/okpay-portal \
		$(VG_BIN)/okpay-admin
	PORTAL_WRAPPER="$(VALGRIND)" SITE_GEN=$(VG_BIN)/site-gen PORTAL=$(VG_BIN)/okpay-portal \
		node --test --test-concurrency=1 --test-timeout=900000 --test-force-exit \
		$(VALGRIND_TESTS:%=tests/integration/%.test.js)

# --- fuzzing ------------------------------------------------------------------------------

# libFuzzer drivers for the parsers of outside input (tests/fuzz/<target>_fuzz.c), built with
# clang, ASan and UBSan into build/fuzz/. Each runs FUZZ_SECONDS from the seeds committed in
# tests/fuzz/corpus/<target>/ with the dictionary tests/fuzz/<target>.dict (the syntax's words),
# keeping what it finds in build/fuzz/corpus/<target>/; a crash,
# leak, timeout or sanitizer report fails the run and leaves the input in
# build/fuzz/artifacts/<target>/. `make test` runs them too (test-fuzz): 30 s each, the
# multipart parser of the support form 60 s.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= form multipart amount frontmatter tmpl search links fields
FUZZ_DIR     := build/fuzz
FUZZ_SAN     := address,undefined
FUZZ_CFLAGS  := $(WARN) $(DEFS) -Icgi -Isite-gen -O1 -g -fno-omit-frame-pointer \
		-fno-sanitize-recover=all
FUZZ_OBJ     := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(LIB_SRC) cgi/form.c cgi/multipart.c \
		cgi/sniff.c cgi/money.c site-gen/frontmatter.c)
# Longest input per target: a few parts with small files for multipart.
FUZZ_MAX_LEN_form      := 4096
FUZZ_MAX_LEN_multipart := 16384
FUZZ_MAX_LEN_amount    := 64
FUZZ_MAX_LEN_frontmatter := 4096
FUZZ_MAX_LEN_tmpl      := 2048
FUZZ_MAX_LEN_search    := 512
FUZZ_MAX_LEN_links     := 2048
FUZZ_MAX_LEN_fields    := 512

# links renders whole articles: the generator's modules (not its main) and cmark-gfm.
FUZZ_GEN_OBJ := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(filter-out site-gen/frontmatter.c,$(GEN_SRC)))
$(FUZZ_DIR)/bin/links-fuzz: $(FUZZ_GEN_OBJ)
$(FUZZ_DIR)/bin/links-fuzz: FUZZ_LIBS := $(CMARK_LIBS)
# fields: emails, names, account and transfer numbers, dates, return paths, User-Agent.
FUZZ_FIELDS_OBJ := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,cgi/policy.c cgi/numbers.c cgi/day.c \
		   cgi/http.c cgi/ua.c)
$(FUZZ_DIR)/bin/fields-fuzz: $(FUZZ_FIELDS_OBJ)
$(FUZZ_DIR)/bin/fields-fuzz: FUZZ_LIBS := -lzxcvbn

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -MMD -MP -c $< -o $@

# Objects built through the pattern rule below would otherwise be deleted as intermediate.
.SECONDARY: $(FUZZ_OBJ) $(FUZZ_GEN_OBJ) $(FUZZ_FIELDS_OBJ) $(FUZZ_TARGETS:%=$(FUZZ_DIR)/obj/tests/fuzz/%_fuzz.o)

$(FUZZ_DIR)/bin/%-fuzz: $(FUZZ_DIR)/obj/tests/fuzz/%_fuzz.o $(FUZZ_OBJ)
	@mkdir -p $(@D)
	clang $^ -o $@ -fsanitize=fuzzer,$(FUZZ_SAN) $(FUZZ_LIBS) $(SEARCH_LIBS)

# Every target runs even when one fails; the run fails if any did.
fuzz: deps-fuzz $(FUZZ_TARGETS:%=$(FUZZ_DIR)/bin/%-fuzz)
	@failed=; for tl in $(foreach t,$(FUZZ_TARGETS),$(t):$(FUZZ_MAX_LEN_$(t))); do \
		t=$${tl%%:*}; \
		mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/artifacts/$$t; \
		secs=$(FUZZ_SECONDS); [ "$$t" != multipart ] || secs=$${FUZZ_SECONDS_MULTIPART:-$$secs}; \
		echo "fuzz: $$t for $$secs s"; \
		UBSAN_OPTIONS=print_stacktrace=1 $(FUZZ_DIR)/bin/$$t-fuzz \
			-max_total_time=$$secs -max_len=$${tl##*:} -timeout=10 \
			-rss_limit_mb=2048 -print_final_stats=1 \
			-dict=tests/fuzz/$$t.dict \
			-artifact_prefix=$(FUZZ_DIR)/artifacts/$$t/ \
			$(FUZZ_DIR)/corpus/$$t tests/fuzz/corpus/$$t \
			|| { echo "fuzz: $$t failed, input in $(FUZZ_DIR)/artifacts/$$t/"; failed="$$failed $$t"; }; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed"; exit 1; fi

# --- benchmarks ----------------------------------------------------------------------------

# One after the other, also under make -j: each measures a machine that is otherwise idle.
bench:
	$(MAKE) --no-print-directory bench-site
	$(MAKE) --no-print-directory bench-portal
	$(MAKE) --no-print-directory bench-wallet
	$(MAKE) --no-print-directory bench-search
	$(MAKE) --no-print-directory bench-mixed

bench-site: deps-bench $(SITE_GEN) $(CORPUS)
	bench/site.sh $(SITE_GEN) $(CORPUS)

bench-portal: deps-bench $(PORTAL) $(TRIVIAL_FCGI)
	bench/portal.sh $(PORTAL) $(TRIVIAL_FCGI)

# Confirmed transfers/s through nginx and the portal against raw db_post transfers/s (bench/wallet.sh).
WALLET_RAW := $(BUILD)/bin/wallet-raw

$(BUILD)/obj/bench/wallet-raw.o: CFLAGS += -Icgi

$(WALLET_RAW): $(BUILD)/obj/bench/wallet-raw.o $(BUILD)/obj/cgi/db.o $(BUILD)/obj/cgi/numbers.o \
		$(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $^ -o $@ $(LDFLAGS) $(SEARCH_LIBS) -lm

.PHONY: bench-wallet
bench-wallet: deps-bench $(PORTAL) $(WALLET_RAW)
	bench/wallet.sh $(PORTAL) $(WALLET_RAW)

# Search index build time and size on the bench-site corpus, query latency in-process and through
# nginx, and bigrams against ICU word segmentation on the real articles (bench/search.sh).
SEARCH_QUERY := $(BUILD)/bin/search-query
SEGMENT_ICU  := $(BUILD)/bin/segment-icu

$(SEARCH_QUERY): $(BUILD)/obj/bench/search-query.o $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $^ -o $@ $(LDFLAGS) $(SEARCH_LIBS)

$(SEGMENT_ICU): $(BUILD)/obj/bench/segment-icu.o $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $^ -o $@ $(LDFLAGS) $(SEARCH_LIBS)

.PHONY: bench-search
bench-search: deps-bench $(SITE_GEN) $(PORTAL) $(CORPUS) $(SEARCH_QUERY) $(SEGMENT_ICU)
	bench/search.sh $(SITE_GEN) $(PORTAL) $(CORPUS) $(SEARCH_QUERY) $(SEGMENT_ICU)

# The help center and the portal under mixed traffic through nginx at 64 and 256 connections:
# 70% static pages, 20% account pages, 7% logins, 3% transfer steps (bench/mixed.sh).
.PHONY: bench-mixed
bench-mixed: deps-bench $(SITE_GEN) $(PORTAL) $(ADMIN)
	bench/mixed.sh $(SITE_GEN) $(PORTAL)

# --- housekeeping --------------------------------------------------------------------------

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

check-format:
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build
