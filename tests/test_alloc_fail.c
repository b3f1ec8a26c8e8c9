/* test_alloc_fail.c -- the library under failing allocations: linked with
   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc (Makefile), so that the n-th allocation after
   arming returns NULL. For every n until a run no longer reaches it, a call must either fail
   with a status or give the answer of the run without failures -- never a silently wrong one. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "infer_fixture.h"
#include "vo2snn/chiprate.h"
#include "vo2snn/threads.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

static atomic_long fail_at;   /* 0: never */
static atomic_long allocs;

static int failing_now(void)
{
    long at = atomic_load(&fail_at);
    return at > 0 && atomic_fetch_add(&allocs, 1) + 1 == at;
}

void *__wrap_malloc(size_t n) { return failing_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return failing_now() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return failing_now() ? NULL : __real_realloc(p, n); }

/* Arm: the at-th allocation from now fails (0: none); returns the allocations since the last arming. */
static long arm(long at)
{
    long n = atomic_exchange(&allocs, 0);
    atomic_store(&fail_at, at);
    return n;
}

enum { N_IMAGES = 200 };
static vs_transfer_bank bank;
static vs_d2d v;

/* vs_chip_rate_eval: each failing allocation gives VS_ENOMEM, or the same accuracy and classes. */
static void test_chip_rate_eval(void)
{
    static uint8_t ref[N_IMAGES], got[N_IMAGES];
    double acc_ref, acc;
    CHECK(vs_chip_rate_eval(mlp, &tf, &bank, &v, &dev, 1, 2, &test_set, N_IMAGES, &acc_ref, ref) == VS_OK);
    int failures = 0;
    for (long at = 1; at < 10000; at++) {
        arm(at);
        acc = -1;
        memset(got, 0xff, sizeof got);
        vs_status st = vs_chip_rate_eval(mlp, &tf, &bank, &v, &dev, 1, 2, &test_set, N_IMAGES, &acc, got);
        long used = arm(0);
        if (st != VS_OK) {
            CHECK(st == VS_ENOMEM);
            failures++;
        } else {
            CHECK(acc == acc_ref);
            CHECK(memcmp(got, ref, sizeof ref) == 0);
        }
        if (used < at) break;   /* the at-th allocation never came: every one has been tried */
    }
    CHECK(failures >= 3);       /* the chip, its input tables and the scratch rows at least */
}

int main(void)
{
    if (infer_fixture_load(16) != 0) {
        printf("FAIL setup: %s\n", vs_last_error());
        return 1;
    }
    vs_transfer_opts to = vs_transfer_opts_default();
    if (vs_d2d_parse(dev.model, "r_ins0=10%,t_c=1K", &v) != VS_OK ||
        vs_transfer_bank_build(&dev, &circ, &to, &v, 3, 3.0, NULL, NULL, NULL, &bank) != VS_OK) {
        printf("FAIL setup: %s\n", vs_last_error());
        return 1;
    }
    vs_threads_set(2, NULL, 0);
    RUN(test_chip_rate_eval);
    vs_transfer_bank_free(&bank);
    return CHECK_DONE();
}
