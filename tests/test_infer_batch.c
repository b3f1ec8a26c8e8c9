/* test_infer_batch.c -- vs_infer_dataset_range: a batch of images in parallel gives exactly what
   vs_infer_image gives image by image, for any thread count; progress, stop and range errors. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "check.h"
#include "infer_fixture.h"
#include "vo2snn/infer.h"
#include "vo2snn/train.h"
#include "vo2snn/threads.h"

enum { FIRST = 3, IMAGES = 12 };

static vs_infer_net *net;

/* Device 1's transfer, an untrained 784-24-10 network (its initial weights), a 20 us window. */
static int setup(void)
{
    if (infer_fixture_load(24) != 0) return -1;
    vs_infer_opts io = vs_infer_opts_default();
    io.window_s = 20e-6;
    return vs_infer_net_new(mlp, &tf, &dev, &circ, &io, &net) == VS_OK ? 0 : -1;
}

static int same_result(const vs_infer_result *a, const vs_infer_result *b)
{
    return a->predicted == b->predicted && memcmp(a->counts, b->counts, sizeof a->counts) == 0 &&
           memcmp(a->first_spike_s, b->first_spike_s, sizeof a->first_spike_s) == 0 &&
           memcmp(a->spikes, b->spikes, sizeof a->spikes) == 0 &&
           memcmp(&a->energy, &b->energy, sizeof a->energy) == 0;
}


/* Images FIRST.. one by one through vs_infer_image (the reference), on one thread: a multithreaded
   BLAS outside a parallel region may sum in another order (inside one, as in the batch, it runs serially). */
static void reference(vs_infer_result *ref)
{
    vs_threads_set(1, NULL, 0);
    vs_infer_work *w = vs_infer_work_new(net);
    CHECK(w != NULL);
    for (int i = 0; w && i < IMAGES; i++) {
        ref[i] = (vs_infer_result){0};   /* no rasters */
        CHECK(vs_infer_image(net, w, vs_dataset_image(&test_set, FIRST + (size_t)i), &ref[i]) == VS_OK);
    }
    vs_infer_work_free(w);
}

typedef struct progress_log {
    long calls, last_done, total;
    int ordered;    /* done counted 1, 2, ... */
    long stop_at;   /* return non-zero at this done (0: never) */
} progress_log;

static int log_progress(long done, long total, void *user)
{
    progress_log *p = user;
    p->calls++;
    p->ordered &= done == p->last_done + 1;
    p->last_done = done;
    p->total = total;
    return p->stop_at && done == p->stop_at;
}

/* The batch with 1 and with 2 threads equals the image-by-image reference, bit for bit. */
static void test_batch_matches_single_images(void)
{
    vs_infer_result ref[IMAGES], got[IMAGES];
    reference(ref);
    long hidden = 0;
    for (int i = 0; i < IMAGES; i++) hidden += ref[i].spikes[1];
    CHECK(hidden > 0);   /* the comparison covers the hidden layer's simulations */
    for (int threads = 1; threads <= 2; threads++) {
        vs_threads_set(threads, NULL, 0);
        memset(got, 0xA5, sizeof got);
        progress_log log = {.ordered = 1};
        CHECK(vs_infer_dataset_range(net, &test_set, FIRST, IMAGES, got, log_progress, &log) == VS_OK);
        for (int i = 0; i < IMAGES; i++) {
            if (!same_result(&got[i], &ref[i])) CHECK_FAIL_MSG("%d threads: image %d differs", threads, FIRST + i);
            CHECK(got[i].record[0] == NULL && got[i].record[1] == NULL && got[i].record[2] == NULL);
        }
        CHECK(log.calls == IMAGES && log.ordered && log.last_done == IMAGES && log.total == IMAGES);
    }
    vs_threads_set(2, NULL, 0);
    CHECK(vs_infer_dataset_range(net, &test_set, FIRST, IMAGES, got, NULL, NULL) == VS_OK);
    for (int i = 0; i < IMAGES; i++) CHECK(same_result(&got[i], &ref[i]));
}

/* A non-zero progress return stops the batch; ranges past the end and wrong image sizes fail. */
static void test_stop_and_errors(void)
{
    vs_infer_result got[IMAGES];
    vs_threads_set(1, NULL, 0);
    progress_log log = {.ordered = 1, .stop_at = 2};
    CHECK(vs_infer_dataset_range(net, &test_set, 0, IMAGES, got, log_progress, &log) == VS_EINVAL);
    CHECK(log.calls == 2 && strstr(vs_last_error(), "stopped after 2 of 12 images"));
    vs_threads_set(2, NULL, 0);
    CHECK(vs_infer_dataset_range(net, &test_set, test_set.n - 1, 2, got, NULL, NULL) == VS_EINVAL);
    CHECK(strstr(vs_last_error(), "images") != NULL);
    CHECK(vs_infer_dataset_range(net, &test_set, test_set.n, 0, got, NULL, NULL) == VS_OK);
    vs_dataset small = test_set;
    small.cols = 14;   /* 28 x 14 pixels: not the network's 784 inputs */
    CHECK(vs_infer_dataset_range(net, &small, 0, 1, got, NULL, NULL) == VS_EINVAL);
    CHECK(strstr(vs_last_error(), "784") != NULL);
}

int main(void)
{
    if (setup() != 0) {
        printf("FAIL setup: %s\n", vs_last_error());
        return 1;
    }
    RUN(test_batch_matches_single_images);
    RUN(test_stop_and_errors);
    vs_infer_net_free(net);
    vs_mlp_free(mlp);
    vs_transfer_free(&tf);
    vs_dataset_free(&test_set);
    return CHECK_DONE();
}
