# vo2snn -- build the library, the CLI, the tests and the benchmarks.
#   make            library + CLI (build/vo2snn)
#   make test       build and run every tests/test_*.c
#   make bench      run the benchmarks in bench/
#   make NO_OMP=1   build without OpenMP
#   make sanitize   the test suite under AddressSanitizer + UBSan (in build-san/)
CC      ?= gcc
OPT     ?= -O2
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wdouble-promotion
CFLAGS  ?= $(OPT) -g
LDFLAGS ?=
# -fno-math-errno: sqrt/exp never set errno (nothing here reads it), so they can vectorise.
override CFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -fno-math-errno -Iinclude
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

.PHONY: all test bench clean headers sanitize valgrind
all: $(BIN)

$(B)/%.o: %.c $(wildcard include/vo2snn/*.h) $(wildcard src/*.h) $(wildcard cli/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

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

test: $(BIN) $(TESTS)
	@VO2SNN_BIN=$(BIN) sh tests/run.sh $(TESTS)

bench: $(BIN) $(BENCHES)
	@for b in $(BENCHES); do echo "== $$b"; $$b || exit 1; done

SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
sanitize:
	$(MAKE) B=build-san CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" test

# Memcheck of the main commands on small inputs (valgrind).
valgrind: $(BIN)
	sh scripts/valgrind.sh

# Every public header compiles on its own.
headers:
	@for h in include/vo2snn/*.h; do echo "#include \"$${h#include/}\"" | $(CC) $(CFLAGS) -x c -fsyntax-only - || exit 1; done; echo "headers ok"

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
