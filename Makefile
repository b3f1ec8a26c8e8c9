# vo2snn -- build the library, the CLI, the tests and the benchmarks.
#   make            library + CLI (build/vo2snn)
#   make test       build and run every tests/test_*.c
#   make bench      run the benchmarks in bench/
#   make NO_OMP=1   build without OpenMP
#   make sanitize   the test suite under AddressSanitizer + UBSan (in build-san/)
#   make lib        build/libvo2snn.a and the shared build/libvo2snn.so (soname libvo2snn.so.0)
#   make install    headers, both libraries, vo2snn.pc, the CLI, man pages and the Python
#                   package under PREFIX (/usr/local), staged under DESTDIR; make uninstall
#   make examples   examples/*.c built against the INSTALLED library through pkg-config
#                   (PREFIX as for install), into build/examples/
CC      ?= gcc
OPT     ?= -O2
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wdouble-promotion
CFLAGS  ?= $(OPT) -g
LDFLAGS ?=
# -fno-math-errno: sqrt/exp never set errno (nothing here reads it), so they can vectorise.
# -fPIC: the same objects go into libvo2snn.a and libvo2snn.so.
override CFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -fno-math-errno -fPIC -Iinclude
# OpenBLAS, preferring Debian's OpenMP build (shares our OpenMP thread pool).
BLAS_OMP := /usr/lib/x86_64-linux-gnu/openblas-openmp
ifneq ($(wildcard $(BLAS_OMP)/libopenblas.so),)
BLAS_CFLAGS := -I/usr/include/x86_64-linux-gnu/openblas-openmp
BLAS_LIBS   := -L$(BLAS_OMP) -Wl,-rpath,$(BLAS_OMP) -lopenblas
else
BLAS_LIBS   := -lopenblas
endif
# MINPACK (cminpack, Debian's libcminpack-dev): Levenberg-Marquardt for `vo2snn fit`.
MINPACK_CFLAGS := -I/usr/include/cminpack-1
override CFLAGS += $(BLAS_CFLAGS) $(MINPACK_CFLAGS)
override LDLIBS := $(LDFLAGS) $(BLAS_LIBS) -lcminpack -lz -lm
ifndef NO_OMP
override CFLAGS += -fopenmp
override LDLIBS += -fopenmp
endif

B        := build
LIB_SRCS := $(sort $(wildcard src/*.c))
CLI_SRCS := $(sort $(wildcard cli/*.c))
TEST_SRCS:= $(sort $(wildcard tests/test_*.c))
BENCH_SRCS:= $(sort $(wildcard bench/bench_*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(B)/%.o)
TESTS    := $(TEST_SRCS:tests/%.c=$(B)/tests/%)
BENCHES  := $(BENCH_SRCS:bench/%.c=$(B)/bench/%)
LIB      := $(B)/libvo2snn.a
BIN      := $(B)/vo2snn
# The version lives in VERSION only: vs_version(), the soname, vo2snn.pc and the man pages.
VERSION  := $(shell cat VERSION)
SOMAJOR  := $(firstword $(subst ., ,$(VERSION)))
SONAME   := libvo2snn.so.$(SOMAJOR)
SHLIB    := $(B)/libvo2snn.so.$(VERSION)

.PHONY: all lib test bench clean headers sanitize valgrind install uninstall examples
all: $(BIN) $(SHLIB)
lib: $(LIB) $(SHLIB)

$(B)/%.o: %.c $(wildcard include/vo2snn/*.h) $(wildcard src/*.h) $(wildcard cli/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/src/version.o: VERSION
$(B)/src/version.o: override CFLAGS += -DVS_VERSION_STRING='"$(VERSION)"'

# The shared library carries its dependencies (DT_NEEDED), so users link -lvo2snn only.
$(SHLIB): $(LIB_OBJS)
	$(CC) $(CFLAGS) -shared -Wl,-soname,$(SONAME) -o $@ $^ $(LDLIBS)
	ln -sf $(notdir $@) $(B)/$(SONAME)
	ln -sf $(SONAME) $(B)/libvo2snn.so

# The CLI's command modules (everything in cli/ but main.c) are also linked into tests.
CLI_LIB_OBJS := $(filter-out $(B)/cli/main.o,$(CLI_OBJS))
$(B)/libvo2snn_cli.a: $(CLI_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(B)/cli/main.o $(B)/libvo2snn_cli.a $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/%: tests/%.c $(wildcard tests/*.h) $(B)/libvo2snn_cli.a $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Icli -o $@ $< $(B)/libvo2snn_cli.a $(LIB) $(LDLIBS)

# Fault injection: the test's own malloc, calloc and realloc fail on request (tests/test_alloc_fail.c).
$(B)/tests/test_alloc_fail: override LDLIBS += -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc

$(B)/bench/%: bench/%.c bench/bench_common.h $(B)/libvo2snn_cli.a $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Icli -o $@ $< $(B)/libvo2snn_cli.a $(LIB) $(LDLIBS)

# The Python binding and the install tree are tested by scripts (tests/test_*.sh), run
# beside the C tests with the same ok/FAIL/SKIP lines and one tally. Under the sanitizers
# (CFLAGS with -fsanitize) they skip: python3 cannot load an ASan library unpreloaded.
SCRIPT_TESTS := $(B)/tests/test_python $(B)/tests/test_install
$(B)/tests/test_%: tests/test_%.sh
	@mkdir -p $(dir $@)
	cp $< $@ && chmod +x $@

test: $(BIN) $(SHLIB) $(TESTS) $(SCRIPT_TESTS)
	@VO2SNN_BIN=$(BIN) VO2SNN_LIBRARY=$(abspath $(SHLIB)) VO2SNN_B=$(B) MAKE="$(MAKE)" PYTHON=$(PYTHON) \
	    VO2SNN_SANITIZED=$(if $(findstring -fsanitize,$(CFLAGS)),1,) \
	    sh tests/run.sh $(TESTS) $(SCRIPT_TESTS)

bench: $(BIN) $(BENCHES)
	@for b in $(BENCHES); do echo "== $$b"; $$b || exit 1; done

SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
sanitize:
	$(MAKE) B=build-san CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" test

# Memcheck of the main commands on small inputs (valgrind).
valgrind: $(BIN)
	sh scripts/valgrind.sh

# Every public header compiles on its own, and the umbrella vo2snn.h includes every one.
headers:
	@for h in include/vo2snn/*.h; do echo "#include \"$${h#include/}\"" | $(CC) $(CFLAGS) -x c -fsyntax-only - || exit 1; done
	@for h in include/vo2snn/*.h; do [ "$$h" = include/vo2snn/vo2snn.h ] || grep -q "^#include \"$${h#include/}\"" include/vo2snn/vo2snn.h || { echo "include/vo2snn/vo2snn.h does not include $$h"; exit 1; }; done; echo "headers ok"

# ---- install --------------------------------------------------------------------------------
#   make install PREFIX=/opt/vo2snn DESTDIR=/tmp/stage      (PREFIX is what the files name)
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# Debian's python3 (with python3-numpy), also when another python3 comes first on PATH.
PYTHON     ?= $(if $(wildcard /usr/bin/python3),/usr/bin/python3,python3)
PYVER      := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
# Debian's python3 searches /usr/lib/python3/dist-packages and /usr/local/lib/python3.X/dist-packages.
PYTHONDIR  ?= $(if $(filter /usr,$(PREFIX)),$(PREFIX)/lib/python3/dist-packages,$(PREFIX)/lib/python$(PYVER)/dist-packages)
PY_SRCS    := $(wildcard python/vo2snn/*.py)

# vo2snn.pc names PREFIX, so install writes it each time (PREFIX may differ between runs).
PC_LINES = 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' '' \
    'Name: vo2snn' 'Description: VO2 Mott-device spiking neurons: device model, neuron circuits, SNN training and deployment' \
    'Version: $(VERSION)' 'Requires.private: zlib' \
    'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -lvo2snn' \
    'Libs.private: $(strip $(BLAS_LIBS) -lcminpack -lz -lm $(if $(NO_OMP),,-fopenmp))'

$(B)/man/.stamp: $(BIN) scripts/gen_man.sh VERSION
	sh scripts/gen_man.sh $(BIN) $(B)/man $(VERSION)
	@touch $@

install: $(BIN) $(LIB) $(SHLIB) $(B)/man/.stamp
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
	    $(DESTDIR)$(INCLUDEDIR)/vo2snn $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(PYTHONDIR)/vo2snn
	install -m 644 include/vo2snn/*.h $(DESTDIR)$(INCLUDEDIR)/vo2snn/
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf libvo2snn.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libvo2snn.so
	printf '%s\n' $(PC_LINES) > $(DESTDIR)$(PKGCONFIGDIR)/vo2snn.pc
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/
	install -m 644 $(B)/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(PY_SRCS) $(DESTDIR)$(PYTHONDIR)/vo2snn/
	printf '# Written by make install.\nLIBRARY = %s\n' "'$(LIBDIR)/$(SONAME)'" > $(DESTDIR)$(PYTHONDIR)/vo2snn/_install.py

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vo2snn $(DESTDIR)$(LIBDIR)/libvo2snn.a $(DESTDIR)$(LIBDIR)/libvo2snn.so \
	    $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libvo2snn.so.$(VERSION) $(DESTDIR)$(PKGCONFIGDIR)/vo2snn.pc \
	    $(DESTDIR)$(MANDIR)/man1/vo2snn.1 $(DESTDIR)$(MANDIR)/man1/vo2snn-*.1
	rm -rf $(DESTDIR)$(INCLUDEDIR)/vo2snn $(DESTDIR)$(PYTHONDIR)/vo2snn

# Examples against the installed library (PREFIX as given to make install, no DESTDIR): only
# its pkg-config file and public headers; an rpath to LIBDIR so they run from anywhere.
EX_SRCS := $(sort $(wildcard examples/*.c))
EX_BINS := $(EX_SRCS:examples/%.c=$(B)/examples/%)
PKG_EX  := PKG_CONFIG_PATH=$(PKGCONFIGDIR)$${PKG_CONFIG_PATH:+:$$PKG_CONFIG_PATH} pkg-config
examples: examples-check $(EX_BINS)
.PHONY: examples-check
examples-check:
	@$(PKG_EX) --exists vo2snn || { echo "make examples: no vo2snn.pc under $(PKGCONFIGDIR); run make install PREFIX=$(PREFIX) first"; exit 1; }
$(B)/examples/%: examples/%.c | examples-check
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror=implicit-function-declaration $$($(PKG_EX) --cflags vo2snn) -o $@ $< \
	    $$($(PKG_EX) --libs vo2snn) -Wl,-rpath,$(LIBDIR)

clean:
	rm -rf $(B) build-san build-fuzz

# ---- fuzzing (clang + libFuzzer; Debian packages clang-14 and libclang-rt-14-dev) ---------
#   make fuzz                     build fuzz/fuzz_*.c into build-fuzz/, run each FUZZ_SECONDS
#   make fuzz FUZZ_SECONDS=300 FUZZ_TARGETS="idx units"    longer, or a subset
#   make fuzz-seeds               regenerate the seed corpora fuzz/corpus/ (fuzz/make_seeds.c)
# Crash/timeout/leak inputs land in fuzz/crashes/<target>-*, which tests/test_fuzz_regress.c
# replays in `make test` and `make sanitize`.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_B       := build-fuzz
FUZZ_CFLAGS  := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=all -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude -Icli \
                $(BLAS_CFLAGS) $(MINPACK_CFLAGS)
FUZZ_ALL     := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_OBJS    := $(LIB_SRCS:%.c=$(FUZZ_B)/%.o) $(FUZZ_B)/cli/opts.o $(FUZZ_B)/cli/common.o

.PHONY: fuzz fuzz-build fuzz-seeds fuzz-clean
fuzz: fuzz-build
	@sh fuzz/run.sh "$(FUZZ_SECONDS)" "$(FUZZ_B)" $(FUZZ_TARGETS)

fuzz-build: $(FUZZ_B)/.libfuzzer-ok $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz_%)

# clang's libFuzzer runtime is a separate Debian package: say so instead of a link error.
$(FUZZ_B)/.libfuzzer-ok:
	@mkdir -p $(FUZZ_B)
	@printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' > $(FUZZ_B)/trivial.c
	@$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $(FUZZ_B)/trivial $(FUZZ_B)/trivial.c 2>/dev/null || \
	    { echo "make fuzz: '$(FUZZ_CC) -fsanitize=fuzzer' does not link; install clang-14 and libclang-rt-14-dev (scripts/setup.sh)"; exit 1; }
	@touch $@

$(FUZZ_B)/%.o: %.c $(wildcard include/vo2snn/*.h) $(wildcard src/*.h) $(wildcard cli/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_B)/libvo2snn_fuzz.a: $(FUZZ_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_B)/fuzz_%: fuzz/fuzz_%.c fuzz/harness.h $(FUZZ_B)/libvo2snn_fuzz.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(WARN) -fsanitize=fuzzer -o $@ $< $(FUZZ_B)/libvo2snn_fuzz.a \
	    $(BLAS_LIBS) -lcminpack -lz -lm

fuzz-seeds: $(B)/libvo2snn_cli.a $(LIB)
	@mkdir -p $(B)/fuzz
	$(CC) $(CFLAGS) -Icli -o $(B)/fuzz/make_seeds fuzz/make_seeds.c $(B)/libvo2snn_cli.a $(LIB) $(LDLIBS)
	$(B)/fuzz/make_seeds fuzz/corpus

fuzz-clean:
	rm -rf $(FUZZ_B)

# the regression test replays through the fuzz harness
$(B)/tests/test_fuzz_regress: fuzz/harness.h
