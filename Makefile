# librecsim - GNU make build, no generator.  `make help` lists the targets.

VERSION_MAJOR := 1
VERSION       := 1.1.0

PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
MANDIR       ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DESTDIR      ?=

CXX        ?= c++
PKG_CONFIG ?= pkg-config
PYTHON     ?= /usr/bin/python3
CFLAGS     ?= -O2 -g
# Warnings are errors by default (and always in CI); packagers may set WERROR=0.
WERROR     ?= 1

# Debian packages the build, the tests and the benchmarks need (`make deps`).
DEB_PACKAGES := build-essential clang pkgconf libopenblas-dev libsqlite3-dev \
                libxxhash-dev libutf8proc-dev libjansson-dev zlib1g-dev libmicrohttpd-dev \
                check abigail-tools \
                valgrind groff-base sqlite3 python3 python3-numpy python3-pandas \
                python3-scipy python3-distributed python3-setuptools python3-venv python3-pip
DEB_BENCH_PACKAGES := python3-faiss python3-sklearn python3-pandas hyperfine time

LIB_PKGS  := openblas sqlite3 libxxhash libutf8proc jansson
# The command line alone reads gzip input: zlib is not a library dependency;
# likewise libmicrohttpd, the HTTP server of `recsim serve`.
CLI_PKGS  := zlib libmicrohttpd
TEST_PKGS := check

# Where this build writes; `make asan` reuses the rules with other values.
BUILD  ?= build
LIBOUT ?= lib
BINOUT ?= bin

WARN      := -std=c11 -Wall -Wextra -Wpedantic $(if $(filter 1,$(WERROR)),-Werror)
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(LIB_PKGS))
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(LIB_PKGS)) -lm -lpthread
CLI_LIBS   = $(shell $(PKG_CONFIG) --libs $(CLI_PKGS))
CLI_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(CLI_PKGS))
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS))
CHECK_LIBS   = $(shell $(PKG_CONFIG) --libs $(TEST_PKGS))
LIB_CPPFLAGS := -Iinclude -Isrc -D_POSIX_C_SOURCE=200809L -DRS_BUILDING_LIBRARY
ALL_CFLAGS    = $(WARN) $(CFLAGS) -fPIC -fvisibility=hidden -MMD -MP

LIB_SRC  := $(sort $(wildcard src/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_SRC  := $(sort $(wildcard tools/recsim/*.c))
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(sort $(wildcard bench/bench_*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

SONAME    := librecsim.so.$(VERSION_MAJOR)
SHARED    := $(LIBOUT)/librecsim.so.$(VERSION)
STATIC    := $(LIBOUT)/librecsim.a
CLI       := $(if $(CLI_SRC),$(BINOUT)/recsim)
MAP       := src/librecsim.map


.PHONY: cli-check layer-check test-map-check abi-lib check-all ensure-deps abi-selftest deps-bench
.PHONY: all lib check test header-check symbol-check consumer-check python-check \
        man-check asan valgrind bench abi-check abi-update install uninstall \
        deps clean help demo

all: lib $(CLI)

lib: $(SHARED) $(STATIC)

help:
	@echo "make            build $(SHARED), $(STATIC) and the recsim command"
	@echo "make check      unit tests, header, symbols, pkg-config consumer, Python, man pages"
	@echo "make asan       the unit tests under AddressSanitizer + UBSan"
	@echo "make tsan       the unit tests under ThreadSanitizer (clang)"
	@echo "make valgrind   the unit tests under valgrind memcheck"
	@echo "make abi-check  compare the ABI with the baseline in abi/"
	@echo "make bench      the benchmarks"
	@echo "make stress     concurrent importers, builders, readers (STRESS_SECONDS=30)"
	@echo "make crashtest  kill -9 import and build at CRASH_KILLS=24 random moments"
	@echo "make install    honours PREFIX DESTDIR LIBDIR INCLUDEDIR MANDIR PKGCONFIGDIR BINDIR"
	@echo "make deps       install the Debian packages (as root) or print the command"

# ---------------------------------------------------------------- library

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(LIB_CPPFLAGS) $(ALL_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(SHARED): $(LIB_OBJ) $(MAP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=$(MAP) \
	    -Wl,--no-undefined -o $@ $(LIB_OBJ) $(PKG_LIBS)
	ln -sf librecsim.so.$(VERSION) $(LIBOUT)/$(SONAME)
	ln -sf $(SONAME) $(LIBOUT)/librecsim.so

$(STATIC): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

$(CLI_OBJ): PKG_CFLAGS += $(CLI_CFLAGS)

# The command-line tool links the shared library and finds it next door
# ($ORIGIN/../lib) in the build tree, or in LIBDIR once installed.
$(BINOUT)/recsim: $(CLI_OBJ) $(SHARED)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) -L$(LIBOUT) -lrecsim \
	    -Wl,-rpath,'$$ORIGIN/../lib' $(PKG_LIBS) $(CLI_LIBS)

# ---------------------------------------------------------------- tests

# Unit tests link the static library, so they can reach internal (hidden)
# functions; the shared library is exercised by the consumer and Python checks.
# The headers tests share (tests/fixtures/) are included by basename.
TEST_CPPFLAGS := $(LIB_CPPFLAGS) -Itests/fixtures
TEST_FIXTURES := $(wildcard tests/fixtures/*.h)
$(BUILD)/tests/runner.o: tests/runner.c
	@mkdir -p $(@D)
	$(CC) $(TEST_CPPFLAGS) $(ALL_CFLAGS) $(PKG_CFLAGS) $(CHECK_CFLAGS) -c $< -o $@

$(BUILD)/tests/%: tests/%.c $(BUILD)/tests/runner.o $(STATIC) $(TEST_FIXTURES)
	@mkdir -p $(@D)
	$(CC) $(TEST_CPPFLAGS) $(ALL_CFLAGS) $(PKG_CFLAGS) $(CHECK_CFLAGS) $(LDFLAGS) \
	    -o $@ $< $(BUILD)/tests/runner.o $(STATIC) $(CHECK_LIBS) $(PKG_LIBS)

# The one suite that uses the names issue 19 deprecated, to prove they work.
$(BUILD)/tests/test_core_names: private CHECK_CFLAGS += -Wno-deprecated-declarations

# Each suite runs even when an earlier one fails; the target fails at the end.
test: $(TEST_BIN)
	@failed=""; for t in $(TEST_BIN); do \
	    echo "== $$t"; $(TEST_WRAPPER) $$t || failed="$$failed $$t"; done; \
	if [ -n "$$failed" ]; then echo "FAILED:$$failed"; exit 1; fi

# `make check` and `make demo` first make sure the dependencies are there
# (installing them when run as root), then re-enter make so that the
# pkg-config queries see them.
check: ensure-deps
	$(MAKE) --no-print-directory check-all

demo: ensure-deps
	$(MAKE) --no-print-directory all
	sh examples/demo.sh $(BINOUT)/recsim $(BUILD)/demo

check-all: all test header-check symbol-check consumer-check python-check man-check cli-check \
           robust-check layer-check test-map-check
	@echo "check: all checks passed"

ensure-deps:
	@sh build-aux/deps.sh $(DEB_PACKAGES)

# The umbrella and each module header alone (include/recsim/*.h, issue 19),
# as strict C99 and C++11 through tests/header/ (HEADER names the one).
PUBLIC_HEADERS := include/recsim.h $(sort $(wildcard include/recsim/*.h))
header-check:
	@mkdir -p $(BUILD)
	@for h in $(PUBLIC_HEADERS:include/%=%); do \
	    $(CC) -std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude -DHEADER="\"$$h\"" \
	        -fsyntax-only tests/header/header_c99.c && \
	    $(CXX) -std=c++11 -Wall -Wextra -Wpedantic -Werror -Iinclude -DHEADER="\"$$h\"" \
	        -fsyntax-only tests/header/header_cxx.cpp || { echo "header-check: $$h"; exit 1; }; \
	done
	$(CC) -std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude -fsyntax-only tests/header/header_c99.c
	$(CXX) -std=c++11 -Wall -Wextra -Wpedantic -Werror -Iinclude -fsyntax-only tests/header/header_cxx.cpp
	$(CC) -std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude -DRECSIM_EXPERIMENTAL -fsyntax-only tests/header/header_c99.c
	@echo "header-check: recsim.h and the $(words $(wildcard include/recsim/*.h)) module headers compile alone as C99 and C++11"
	@# the names issue 19 replaced: usable without a warning switched off...
	$(CC) -std=c99 -Wall -Wextra -Wpedantic -Werror -Wno-deprecated-declarations -Iinclude \
	    -fsyntax-only tests/header/deprecated.c
	$(CXX) -std=c++11 -Wall -Wextra -Wpedantic -Werror -Wno-deprecated-declarations -Iinclude \
	    -fsyntax-only -x c++ tests/header/deprecated.c
	@# ...and each one warns (C; C++ through the GNU attribute, and through
	@# C++17's [[deprecated]] as a compiler that is not gcc or clang sees it)
	@for i in 1 2 3 4 5 6 7 8 9 10; do \
	    for cc in "$(CC) -std=c99" "$(CXX) -std=c++11 -x c++" "$(CXX) -std=c++17 -U__GNUC__ -x c++"; do \
	        if out=$$($$cc -Werror -Iinclude -DDEPRECATED_ONLY=$$i -fsyntax-only \
	                tests/header/deprecated.c 2>&1) || \
	            ! printf '%s\n' "$$out" | grep -q "is deprecated"; then \
	            echo "header-check: use $$i of tests/header/deprecated.c does not warn ($$cc)"; exit 1; \
	        fi; \
	    done; \
	done
	@echo "header-check: the deprecated names compile and each warns"
	@# every header alone, as a compiler that is not gcc or clang sees it
	@# (the GNU-only branches off): a declaration inside an #else of
	@# __GNUC__ once broke every such compiler
	@for h in $(PUBLIC_HEADERS) src/*/*.h; do \
	    echo "#include \"$$PWD/$$h\"" | $(CC) -std=c11 -U__GNUC__ $(WARN) $(LIB_CPPFLAGS) \
	        $(PKG_CFLAGS) -fsyntax-only -x c - || { echo "header-check: $$h"; exit 1; }; \
	done
	@echo "header-check: every header compiles alone with __GNUC__ undefined"

# Lower layers never use higher ones (includes and calls); the allowed graph
# is written once, in the script (ARCHITECTURE.md draws it).
layer-check: $(SHARED)
	$(PYTHON) build-aux/check-layers.py --objects $(BUILD)/src

# Every source file has a row in tests/README.md naming the suites that
# test it, and every suite a row names exists.
test-map-check:
	$(PYTHON) build-aux/check-test-map.py tests/README.md

symbol-check: $(SHARED)
	sh tests/scripts/check-symbols.sh $(SHARED) include/recsim.h $(MAP)

# Install into a scratch prefix and build the examples exactly as a user
# would, through pkg-config only: shared, then static.
STAGE := $(abspath $(BUILD)/stage)
consumer-check: all
	rm -rf $(STAGE)
	$(MAKE) --no-print-directory install DESTDIR= PREFIX=$(STAGE) >/dev/null
	sh tests/scripts/check-consumer.sh $(STAGE) $(BUILD)/consumer

# The Python package's tests (bindings/python/tests: the API, the CLI's
# figures, 10,000 calls without a leak, pip install into a venv, a 2-worker
# Dask cluster), the constants against recsim.h, then examples/quickstart.py,
# all on the shared library of this build.
PY_ENV = RECSIM_LIBRARY=$(abspath $(LIBOUT)/$(SONAME)) RECSIM_CLI=$(abspath $(BINOUT)/recsim) \
         PYTHONPATH=$(abspath bindings/python) RECSIM_TMP=$(abspath $(BUILD)/python)
python-check: all
	@mkdir -p $(BUILD)/python
	$(PY_ENV) $(PYTHON) -m unittest discover -s bindings/python/tests -t bindings/python
	$(PY_ENV) $(PYTHON) bindings/python/tools/gen_constants.py include/recsim.h | \
	    cmp - bindings/python/recsim/_constants.py
	$(PY_ENV) $(PYTHON) examples/quickstart.py $(BUILD)/python/quickstart.rsm >/dev/null

# The package into PYTHONDIR (default: the interpreter's site directory
# under PREFIX), told where LIBDIR is.
PYTHONDIR ?= $(shell $(PYTHON) bindings/python/tools/pythondir.py $(PREFIX) 2>/dev/null)
.PHONY: python-install
python-install:
	@if [ -z "$(PYTHONDIR)" ]; then \
	    echo "python-install: no $(PYTHON), the Python package is not installed (set PYTHONDIR)"; \
	else \
	    install -d $(DESTDIR)$(PYTHONDIR)/recsim && \
	    install -m 644 bindings/python/recsim/*.py $(DESTDIR)$(PYTHONDIR)/recsim/ && \
	    printf 'LIBDIR = "%s"\n' '$(LIBDIR)' > $(DESTDIR)$(PYTHONDIR)/recsim/_install.py && \
	    echo "python-install: recsim into $(DESTDIR)$(PYTHONDIR)"; \
	fi

cli-check: all
	sh tests/cli/test_cli.sh $(BINOUT)/recsim
	sh tests/cli/test_ulimit.sh $(BINOUT)/recsim
	sh tests/cli/test_golden.sh $(BINOUT)/recsim

# The pinned answers of the demo pipeline (tests/data/golden_demo.txt),
# rewritten only for a change that is meant to move a list or a score.
.PHONY: golden-update
golden-update: all
	rm -rf $(BUILD)/golden
	sh tests/cli/golden.sh $(BINOUT)/recsim $(BUILD)/golden > tests/data/golden_demo.txt
	@echo "golden-update: tests/data/golden_demo.txt rewritten; review git diff and say why in the commit"

man-check:
	sh tests/scripts/check-man.sh include/recsim.h man

# ---------------------------------------------------------------- sanitizers

SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
asan:
	ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(MAKE) --no-print-directory test BUILD=build/asan LIBOUT=build/asan/lib \
	    BINOUT=build/asan/bin CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined"
	@echo "asan: all suites clean under AddressSanitizer and UBSan"

# ThreadSanitizer run of the suites (all by default: about 3 minutes; the
# thread suites alone with TSAN_SUITES="test_score_scorer test_score_rerank"),
# built with clang: gcc 12's
# libtsan.so crashes at start-up (a NULL thread state in libtsan) because gcc
# instruments the ifunc resolver of cf_als.c's target_clones, which the
# dynamic loader runs before libtsan is initialised; clang links its runtime
# statically and leaves resolvers alone.
TSAN_CC     ?= clang
TSAN_SUITES ?= $(TEST_SRC:tests/%.c=%)
.PHONY: tsan
tsan:
	$(MAKE) --no-print-directory $(TSAN_SUITES:%=build/tsan/tests/%) BUILD=build/tsan \
	    LIBOUT=build/tsan/lib BINOUT=build/tsan/bin CC=$(TSAN_CC) \
	    CFLAGS="-O1 -g -fsanitize=thread -fno-omit-frame-pointer" LDFLAGS="-fsanitize=thread"
	@for t in $(TSAN_SUITES); do echo "== $$t"; \
	    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 allocator_may_return_null=1 suppressions=$(CURDIR)/tests/tsan.supp" build/tsan/tests/$$t || exit 1; \
	done
	@echo "tsan: $(words $(TSAN_SUITES)) suites clean under ThreadSanitizer"

valgrind: $(TEST_BIN)
	$(MAKE) --no-print-directory test \
	    TEST_WRAPPER="env CK_FORK=no RS_TEST_BIG_KEYS=200000 RS_ALLOCFAIL_RUNS=20 valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect --suppressions=tests/valgrind.supp"
	@echo "valgrind: all suites clean under memcheck"

# ---------------------------------------------------------------- ABI

# The ABI is judged on a library built with fixed flags, so that the
# baseline does not depend on the caller's CFLAGS.
ABI_BUILD := build/abi
ABI_LIB   := $(ABI_BUILD)/lib/librecsim.so.$(VERSION)
ABIDW     := abidw --no-corpus-path --no-comp-dir-path --short-locs \
             --headers-dir include --drop-private-types

abi-lib:
	$(MAKE) --no-print-directory lib BUILD=$(ABI_BUILD) LIBOUT=$(ABI_BUILD)/lib CFLAGS="-O2 -g"

abi-check: abi-lib
	$(ABIDW) --out-file $(ABI_BUILD)/current.abi $(ABI_LIB)
	sh tests/scripts/check-abi.sh abi/librecsim.abi $(ABI_BUILD)/current.abi
	sh tests/scripts/check-api.sh abi/recsim-api.txt include/recsim.h

# Refresh the baseline; only ever for additions (abi-check must pass first).
abi-update: abi-lib
	$(ABIDW) --out-file abi/librecsim.abi $(ABI_LIB)
	sh tests/scripts/api-surface.sh include/recsim.h > abi/recsim-api.txt

# ---------------------------------------------------------------- bench

# The OpenBLAS kernel to force, if any (see build-aux/blas-coretype.c): the
# eval and bench programs run under $(BLAS_ENV).
BLAS_CORETYPE := $(BUILD)/blas-coretype
BLAS_ENV       = env $$($(BLAS_CORETYPE))
$(BLAS_CORETYPE): build-aux/blas-coretype.c
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(PKG_LIBS)

# Benchmarks build their synthetic worlds with the tests' fixtures.
$(BUILD)/bench/%: bench/%.c $(STATIC) $(TEST_FIXTURES)
	@mkdir -p $(@D)
	$(CC) $(TEST_CPPFLAGS) $(ALL_CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) -o $@ $< $(STATIC) $(PKG_LIBS)

# The scorer on the public retail protocol (reads ../shared, not part of
# check): every combine mode, warm and cold, a few explanations; the default
# mode's lists go to $(BUILD)/score_{warm,cold}.tsv for retail_eval.py.
eval-score: $(BUILD)/bench/retail_score $(BLAS_CORETYPE)
	$(BLAS_ENV) $(BUILD)/bench/retail_score \
	    --split $(firstword $(wildcard ../shared ../../shared))/eval/retail_split \
	    --recs $(BUILD)/score_

# The collaborative models on the public retail protocol (reads ../shared,
# so not part of check): tuning on the validation split, then the test table;
# warm recommendations go to $(BUILD)/retail_{als,knn,ease,rp3beta,edlae,gfcf}.tsv.
eval-learn: $(BUILD)/bench/retail_learn $(BLAS_CORETYPE)
	$(BLAS_ENV) $(BUILD)/bench/retail_learn --recs $(BUILD)/retail_

bench: all $(BENCH_BIN) $(BLAS_CORETYPE)
	$(BLAS_ENV) sh bench/run.sh $(BUILD)/bench

# ---------------------------------------------------------------- install

$(BUILD)/recsim.pc: pkgconfig/recsim.pc.in Makefile
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|@REQUIRES_PRIVATE@|$(LIB_PKGS)|' $< > $@

# The .pc file depends on PREFIX, so it is rewritten on every install.
install: all
	rm -f $(BUILD)/recsim.pc
	$(MAKE) --no-print-directory $(BUILD)/recsim.pc
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR) \
	    $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man1
	install -d $(DESTDIR)$(INCLUDEDIR)/recsim
	install -m 644 include/recsim.h $(DESTDIR)$(INCLUDEDIR)/recsim.h
	install -m 644 include/recsim/*.h $(DESTDIR)$(INCLUDEDIR)/recsim/
	install -m 755 $(SHARED) $(DESTDIR)$(LIBDIR)/librecsim.so.$(VERSION)
	ln -sf librecsim.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/librecsim.so
	install -m 644 $(STATIC) $(DESTDIR)$(LIBDIR)/librecsim.a
	install -m 644 $(BUILD)/recsim.pc $(DESTDIR)$(PKGCONFIGDIR)/recsim.pc
	install -m 644 man/man3/*.3 $(DESTDIR)$(MANDIR)/man3/
	if [ -n "$(CLI)" ]; then install -d $(DESTDIR)$(BINDIR) && \
	    $(CC) $(CFLAGS) $(LDFLAGS) -o $(DESTDIR)$(BINDIR)/recsim $(CLI_OBJ) \
	        -L$(LIBOUT) -lrecsim -Wl,-rpath,$(LIBDIR) $(PKG_LIBS) $(CLI_LIBS) && \
	    install -m 644 man/man1/*.1 $(DESTDIR)$(MANDIR)/man1/; fi
	$(MAKE) --no-print-directory python-install

uninstall:
	for f in include/recsim/*.h; do rm -f $(DESTDIR)$(INCLUDEDIR)/recsim/$${f##*/}; done
	rmdir $(DESTDIR)$(INCLUDEDIR)/recsim 2>/dev/null || true
	rm -f $(DESTDIR)$(INCLUDEDIR)/recsim.h $(DESTDIR)$(LIBDIR)/librecsim.so.$(VERSION) \
	    $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/librecsim.so \
	    $(DESTDIR)$(LIBDIR)/librecsim.a $(DESTDIR)$(PKGCONFIGDIR)/recsim.pc \
	    $(DESTDIR)$(BINDIR)/recsim
	$(if $(PYTHONDIR),rm -rf $(DESTDIR)$(PYTHONDIR)/recsim)
	for f in man/man3/*.3; do rm -f $(DESTDIR)$(MANDIR)/man3/$${f##*/}; done
	for f in man/man1/*.1; do [ -e "$$f" ] && rm -f $(DESTDIR)$(MANDIR)/man1/$${f##*/}; done; true

# ---------------------------------------------------------------- setup

abi-selftest:
	sh tests/scripts/abi-selftest.sh

deps:
	@if [ "$$(id -u)" = 0 ]; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $(DEB_PACKAGES); \
	else \
	    echo "Run as root to install the build dependencies:"; \
	    echo "  sudo apt-get update && sudo apt-get install -y $(DEB_PACKAGES)"; \
	    echo "and for the benchmarks:"; \
	    echo "  sudo apt-get install -y $(DEB_BENCH_PACKAGES)"; \
	fi

deps-bench: deps
	@if [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y $(DEB_BENCH_PACKAGES); fi

clean:
	rm -rf build lib bin

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

# ---------------------------------------------------------------- eval

# The retail protocol of ../shared/eval end to end (not part of check: it
# needs ../shared).  Our figures beside the reference, then the script's own
# --eval-recs scoring of the lists we wrote.
RETAIL_SHARED ?= $(firstword $(wildcard ../shared ../../shared))
RETAIL_OUT    ?= $(BUILD)/retail

.PHONY: eval-retail eval-score eval-speed
eval-retail: $(BUILD)/bench/retail_eval
	$(BUILD)/bench/retail_eval $(RETAIL_SHARED) $(RETAIL_OUT)
	$(PYTHON) $(RETAIL_SHARED)/eval/retail_eval.py --data \
	    $(RETAIL_SHARED)/data/onlineretail/onlineretail.tsv.gz --split-dir $(RETAIL_OUT)/split \
	    --json $(RETAIL_OUT)/script.json --eval-recs $(RETAIL_OUT)/warm.tsv \
	    --cold-recs $(RETAIL_OUT)/cold.tsv

# The library's own recommender as a user gets it (bench/retail_model.c): an
# rs_model of the protocol's train part, built with the default options (the
# build chooses its configuration on a validation split of those events),
# its lists scored by the protocol's own script.
# RETAIL_MODEL_SET: options for the build, e.g. the validation window shaped
# like the protocol's test period (2011-09-01 .. 2011-12-09, 99 days):
#   make eval-model RETAIL_MODEL_SET=build.tune_window_days=99
.PHONY: eval-model
eval-model: $(BUILD)/bench/retail_model $(BLAS_CORETYPE)
	@mkdir -p $(RETAIL_OUT)/model
	gzip -dc $(RETAIL_SHARED)/eval/retail_split/train_events.tsv.gz > $(RETAIL_OUT)/model/train_events.tsv
	$(BLAS_ENV) $(BUILD)/bench/retail_model $(RETAIL_SHARED)/eval/retail_split \
	    $(RETAIL_OUT)/model/train_events.tsv $(RETAIL_OUT)/model $(RETAIL_MODEL_SET)
	$(PYTHON) $(RETAIL_SHARED)/eval/retail_eval.py --split-dir $(RETAIL_OUT)/model/split \
	    --json $(RETAIL_OUT)/model/script.json --eval-recs $(RETAIL_OUT)/model/warm.tsv \
	    --cold-recs $(RETAIL_OUT)/model/cold.tsv
	$(PYTHON) $(RETAIL_SHARED)/eval/retail_eval.py --split-dir $(RETAIL_OUT)/model/split \
	    --json $(RETAIL_OUT)/model/content.json --eval-recs $(RETAIL_OUT)/model/content_warm.tsv

# Every configuration the selection evaluated, built again on all train
# events and scored on test: the table of validation against test NDCG@10.
.PHONY: eval-candidates
eval-candidates: $(BUILD)/bench/retail_model $(BLAS_CORETYPE)
	@mkdir -p $(RETAIL_OUT)/model
	gzip -dc $(RETAIL_SHARED)/eval/retail_split/train_events.tsv.gz > $(RETAIL_OUT)/model/train_events.tsv
	$(BLAS_ENV) $(BUILD)/bench/retail_model $(RETAIL_SHARED)/eval/retail_split \
	    $(RETAIL_OUT)/model/train_events.tsv $(RETAIL_OUT)/model --candidates $(RETAIL_MODEL_SET)
	$(PYTHON) bench/retail_candidates.py $(RETAIL_SHARED)/eval $(RETAIL_OUT)/model/cand

# How fast the runner evaluates the default scorer (graph + content + EASE)
# over the retail protocol's 1,875 warm and 927 cold customers, fit
# excluded: median of 5 runs.
eval-speed: $(BUILD)/bench/retail_speed $(BLAS_CORETYPE)
	$(BLAS_ENV) $(BUILD)/bench/retail_speed \
	    --split $(RETAIL_SHARED)/eval/retail_split --runs 5

# Issue 17: is the simulator right about real people?  The cleaned retail
# log (every event, with its invoice time) imported into a model file under
# $(RETAIL_OUT)/sim, then rs_model_validate: policies fitted before the
# default cut, the visit simulator fitted on half the customers after it,
# both compared on the other half; medians of 5 seeds (EVAL_SIM_SEEDS).
EVAL_SIM_SEEDS ?= 5
.PHONY: eval-sim
eval-sim: $(CLI) $(BLAS_CORETYPE)
	@mkdir -p $(RETAIL_OUT)/sim
	rm -f $(RETAIL_OUT)/sim/retail.rsm
	$(CLI) --quiet import --preset retail $(RETAIL_OUT)/sim/retail.rsm \
	    $(RETAIL_SHARED)/data/onlineretail/onlineretail.tsv.gz
	$(BLAS_ENV) $(CLI) simulate --validate --replicates $(EVAL_SIM_SEEDS) --seed 1 \
	    $(RETAIL_OUT)/sim/retail.rsm | tee $(RETAIL_OUT)/sim/validate.txt

# ---------------------------------------------------------------- issue 21
# One writer at a time, nothing lost: importers, a builder and readers in
# parallel processes for STRESS_SECONDS; kill -9 at CRASH_KILLS random
# moments of import and build on a real log (CRASH_DATA: the committed
# sample; the full log: CRASH_DATA=../shared/data/onlineretail/onlineretail.tsv.gz),
# each followed by a check that the model is exactly the last committed
# state.  `make check` runs the stress test for 30 s and a short crash test.
STRESS_SECONDS ?= 30
CRASH_KILLS ?= 24
CRASH_CHECK_KILLS ?= 6
CRASH_DATA ?= examples/data/onlineretail_sample.tsv
.PHONY: stress crashtest robust-check
stress: all
	sh tests/scripts/stress.sh $(BINOUT)/recsim $(STRESS_SECONDS)
crashtest: all
	sh tests/scripts/crashtest.sh $(BINOUT)/recsim $(CRASH_KILLS) $(CRASH_DATA) $(CRASH_SEED)
robust-check: all
	sh tests/scripts/stress.sh $(BINOUT)/recsim $(STRESS_SECONDS)
	sh tests/scripts/crashtest.sh $(BINOUT)/recsim $(CRASH_CHECK_KILLS) $(CRASH_DATA) $(CRASH_SEED)

# ---------------------------------------------------------------- fuzzing

# libFuzzer harnesses (tests/fuzz/fuzz_*.c) on the library built with clang,
# ASan and UBSan.  `make fuzz FUZZ_SECONDS=N` runs each for N seconds, one
# after another, from its committed seeds (tests/fuzz/corpus/NAME, which
# also keeps every regression input); what it finds new goes to
# build/fuzz/corpus/NAME, a crash to build/fuzz/crash-NAME-*.
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build/fuzz
FUZZ_NAMES   := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CFLAGS  := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
FUZZ_ENV     := ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
                UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
.PHONY: fuzz fuzz-build fuzz-regress
fuzz-build:
	$(MAKE) --no-print-directory $(FUZZ_BUILD)/lib/librecsim.a BUILD=$(FUZZ_BUILD) \
	    LIBOUT=$(FUZZ_BUILD)/lib CC=clang CFLAGS="$(FUZZ_CFLAGS)"
	$(MAKE) --no-print-directory $(FUZZ_NAMES:%=$(FUZZ_BUILD)/%)

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h $(FUZZ_BUILD)/lib/librecsim.a
	clang $(LIB_CPPFLAGS) -D_GNU_SOURCE $(WARN) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) \
	    -o $@ $< $(FUZZ_BUILD)/lib/librecsim.a $(PKG_LIBS)

fuzz: fuzz-build
	@for f in $(FUZZ_NAMES); do \
	    echo "== $$f: $(FUZZ_SECONDS) s"; mkdir -p $(FUZZ_BUILD)/corpus/$$f; \
	    $(FUZZ_ENV) $(FUZZ_BUILD)/$$f -max_total_time=$(FUZZ_SECONDS) -timeout=30 \
	        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/crash-$$f- \
	        $(FUZZ_BUILD)/corpus/$$f tests/fuzz/corpus/$$f > $(FUZZ_BUILD)/$$f.log 2>&1; \
	    rc=$$?; grep -v '^#[0-9]*.*\(NEW\|REDUCE\|pulse\)\|^INFO\|^MS:\|^"\|^0x' \
	        $(FUZZ_BUILD)/$$f.log | tail -n 60; \
	    [ $$rc = 0 ] || { echo "fuzz: $$f failed (log: $(FUZZ_BUILD)/$$f.log)"; exit 1; }; \
	done
	@echo "fuzz: $(words $(FUZZ_NAMES)) harnesses, $(FUZZ_SECONDS) s each, no finding"

# Every committed input once through its harness (seeds and regressions).
fuzz-regress: fuzz-build
	@for f in $(FUZZ_NAMES); do \
	    $(FUZZ_ENV) $(FUZZ_BUILD)/$$f -runs=0 tests/fuzz/corpus/$$f > $(FUZZ_BUILD)/$$f.log 2>&1 \
	        || { tail -n 60 $(FUZZ_BUILD)/$$f.log; exit 1; }; \
	    echo "$$f: $$(ls tests/fuzz/corpus/$$f | wc -l) inputs, no finding"; \
	done

# Allocation-failure injection (tests/test_model_allocfail.c): `make check`
# and `make asan` fail about 300 allocations spread over a whole run of
# import, build, recommend and simulate; this fails every one in turn
# (about 21,000 runs), under ASan + UBSan for the leaks.
.PHONY: allocfail
allocfail:
	$(MAKE) --no-print-directory build/asan/tests/test_model_allocfail BUILD=build/asan \
	    LIBOUT=build/asan/lib BINOUT=build/asan/bin CFLAGS="$(SAN_FLAGS)" \
	    LDFLAGS="-fsanitize=address,undefined"
	CK_FORK=no RS_ALLOCFAIL_STRIDE=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 build/asan/tests/test_model_allocfail
