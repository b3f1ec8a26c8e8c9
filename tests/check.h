/*
 * check.h -- a tiny test harness shared by tests/test_*.c.
 *
 * A test is a function `static void test_x(void)` registered with RUN(test_x).
 * CHECK/CHECK_NEAR record a failure (file:line and values) without stopping the
 * test; CHECK_SKIP("why") marks it skipped; each test prints "ok name", "SKIP name: why"
 * or "FAIL name: ..." and main returns non-zero
 * if anything failed.
 *
 * CHECK_SKIP_DEP("tool", "why") is the skip for a missing tool that scripts/setup.sh
 * installs: SKIP, or FAIL when VO2SNN_REQUIRE_DEPS=1 (set by .ci/run), so that CI never
 * passes with a declared dependency missing. Optional data that setup does not install
 * (Fashion-MNIST) uses plain CHECK_SKIP.
 */
#ifndef VO2SNN_TEST_CHECK_H
#define VO2SNN_TEST_CHECK_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int check_failures_in_test;
static int check_failed_tests;
static char check_first_failure[512];
static char check_skip_reason[256];

/* Mark the running test as skipped (reported "SKIP name: why", never as a pass). */
#define CHECK_SKIP(...) snprintf(check_skip_reason, sizeof check_skip_reason, __VA_ARGS__)

/* 1 when VO2SNN_REQUIRE_DEPS is set to anything but "" or "0". */
static inline int check_require_deps(void)
{
    const char *e = getenv("VO2SNN_REQUIRE_DEPS");
    return e && *e && strcmp(e, "0") != 0;
}

#define CHECK_SKIP_DEP(tool, ...)                                                                  \
    do {                                                                                           \
        if (check_require_deps()) {                                                                \
            char check_why_[200];                                                                  \
            snprintf(check_why_, sizeof check_why_, __VA_ARGS__);                                  \
            CHECK_FAIL_MSG("missing %.60s, which scripts/setup.sh installs (VO2SNN_REQUIRE_DEPS=1): %s", \
                           tool, check_why_);                                                      \
        } else {                                                                                   \
            CHECK_SKIP(__VA_ARGS__);                                                               \
        }                                                                                          \
    } while (0)

#define CHECK_FAIL_MSG(...)                                                                        \
    do {                                                                                           \
        if (check_failures_in_test++ == 0)                                                         \
            snprintf(check_first_failure, sizeof check_first_failure, __VA_ARGS__);                \
        else                                                                                       \
            fprintf(stderr, "  also: " __VA_ARGS__), fputc('\n', stderr);                          \
    } while (0)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) CHECK_FAIL_MSG("%s:%d: CHECK(%s)", __FILE__, __LINE__, #cond);                \
    } while (0)

/* |a - b| <= atol + rtol*|b|; b is the expected value. */
#define CHECK_NEAR(a, b, rtol, atol)                                                               \
    do {                                                                                           \
        double check_a_ = (a), check_b_ = (b);                                                     \
        if (!(fabs(check_a_ - check_b_) <= (atol) + (rtol) * fabs(check_b_)))                      \
            CHECK_FAIL_MSG("%s:%d: %s = %.9g, expected %.9g (rtol %g, atol %g)", __FILE__,         \
                           __LINE__, #a, check_a_, check_b_, (double)(rtol), (double)(atol));      \
    } while (0)

#define RUN(test)                                                                                  \
    do {                                                                                           \
        check_failures_in_test = 0;                                                                \
        check_skip_reason[0] = '\0';                                                               \
        test();                                                                                    \
        if (check_failures_in_test) {                                                              \
            check_failed_tests++;                                                                  \
            printf("FAIL %s: %s\n", #test, check_first_failure);                                   \
        } else if (check_skip_reason[0]) {                                                         \
            printf("SKIP %s: %s\n", #test, check_skip_reason);                                     \
        } else {                                                                                   \
            printf("ok %s\n", #test);                                                              \
        }                                                                                          \
        fflush(stdout);                                                                            \
    } while (0)

#define CHECK_DONE() (check_failed_tests ? 1 : 0)

/* MNIST for the tests that need it: $VO2SNN_TEST_DATA, else ../shared/data/mnist (tests
   run from the repository root). */
static inline const char *check_mnist_dir(void)
{
    const char *e = getenv("VO2SNN_TEST_DATA");
    return e && *e ? e : "../shared/data/mnist";
}

/* A whole file as a NUL-terminated string (caller frees); NULL if it cannot be read. */
static inline char *check_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *b = n >= 0 ? calloc((size_t)n + 1, 1) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) b[0] = '\0';
    fclose(f);
    return b;
}

/* 1 if an executable `name` is in a directory of $PATH. */
static inline int check_on_path(const char *name)
{
    const char *path = getenv("PATH");
    char exe[1200];
    for (const char *p = path ? path : ""; *p;) {
        size_t n = strcspn(p, ":");
        if (n > 0 && n < 1024) {
            snprintf(exe, sizeof exe, "%.*s/%s", (int)n, p, name);
            if (access(exe, X_OK) == 0) return 1;
        }
        p += n;
        if (*p == ':') p++;
    }
    return 0;
}

/*
 * The number after the first "key": in JSON text (strtod, so 18 and 189000 differ), or
 * NAN if the key is missing or its value is not a number. true/false read as 1/0.
 */
static inline double check_json_num(const char *text, const char *key)
{
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = text ? strstr(text, pat) : NULL;
    if (!p) return (double)NAN;
    p += strlen(pat);
    if (!strncmp(p, "true", 4)) return 1;
    if (!strncmp(p, "false", 5)) return 0;
    char *end;
    double v = strtod(p, &end);
    if (end == p || (*end != ',' && *end != '\n' && *end != '}' && *end != ' ')) return (double)NAN;
    return v;
}

/* The numbers of the array after the first "key": [ in JSON text, at most max of them;
   returns how many were read (-1 if the key is missing or the array is malformed). */
static inline int check_json_array(const char *text, const char *key, double *out, int max)
{
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\": [", key);
    const char *p = text ? strstr(text, pat) : NULL;
    if (!p) return -1;
    p += strlen(pat);
    int n = 0;
    while (*p != ']') {
        char *end;
        double v = strtod(p, &end);
        if (end == p) return -1;
        if (n < max) out[n] = v;
        n++;
        p = end;
        while (*p == ' ' || *p == '\n') p++;
        if (*p == ',') p++;
        else if (*p != ']') return -1;
        while (*p == ' ' || *p == '\n') p++;
    }
    return n < max ? n : max;
}

#endif
