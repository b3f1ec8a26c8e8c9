/* test_infer_shapes.c -- train, eval, infer and paper on data of the wrong shape or kind (issue 10:
   items 2, 3, 4, 10, 15): checked before any work, one line, exit 1, nothing written. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "cli_run.h"
#include "vo2snn/infer.h"
#include "vo2snn/train.h"

/* ---- synthetic IDX data sets ------------------------------------------------------------ */

static void put_be32(FILE *f, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v};
    fwrite(b, 1, 4, f);
}

/* dir/prefix-{images-idx3,labels-idx1}-ubyte with n images of rows x cols; pixel(i, p), label(i). */
static void write_split(const char *dir, const char *prefix, uint32_t n, uint32_t rows, uint32_t cols,
                        int (*pixel)(uint32_t, uint32_t), int (*label)(uint32_t))
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte", dir, prefix);
    FILE *f = fopen(path, "wb");
    put_be32(f, 0x803), put_be32(f, n), put_be32(f, rows), put_be32(f, cols);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t p = 0; p < rows * cols; p++) fputc(pixel(i, p), f);
    fclose(f);
    snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte", dir, prefix);
    f = fopen(path, "wb");
    put_be32(f, 0x801), put_be32(f, n);
    for (uint32_t i = 0; i < n; i++) fputc(label(i), f);
    fclose(f);
}

static int sparse_pixel(uint32_t i, uint32_t p) { return (i * 7 + p * 13) % 5 == 0 ? 200 : 0; }   /* 20 % ink */
static int half_grey(uint32_t i, uint32_t p) { return (i + p) % 2 ? 146 : 0; }                   /* mean 73 */
static int digit_label(uint32_t i) { return (int)(i % 10); }
static int no_eight(uint32_t i) { return (int)(i % 8); }

/* Data sets in tmpdir: small (10 x 10), no8 (no digit 8), fashion (Fashion-MNIST-like pixels),
   mixed (10 x 10 training images, 28 x 28 test images). */
static void make_data(void)
{
    const char *dirs[] = {"small", "no8", "fashion", "mixed"};
    for (int i = 0; i < 4; i++) mkdir(tmp(dirs[i]), 0755);
    for (int s = 0; s < 2; s++) {
        const char *prefix = s ? "t10k" : "train";
        write_split(tmp("small"), prefix, 20, 10, 10, sparse_pixel, digit_label);
        write_split(tmp("no8"), prefix, 20, 28, 28, sparse_pixel, no_eight);
        write_split(tmp("fashion"), prefix, 300, 28, 28, half_grey, digit_label);
    }
    write_split(tmp("mixed"), "train", 20, 10, 10, sparse_pixel, digit_label);
    write_split(tmp("mixed"), "t10k", 20, 28, 28, sparse_pixel, digit_label);
}

/* ---- checkpoints -------------------------------------------------------------------------- */

static char ck784[600], ck100[600], ck100_half[600], cache[600];

/* Train a small network on data_dir into tmp(out)/checkpoint.vsck (path into ck). */
static void train_checkpoint(const char *data_dir, const char *out, const char *epochs, char *ck)
{
    const char *args[] = {"train", "--data", data_dir, "--train-limit", "300", "--limit", "50", "--epochs", epochs,
                          "--hidden", "16", "--out", tmp(out), "--cache", cache, "--no-plot", NULL};
    if (vo2snn_v(args) != 0) fprintf(stderr, "setup: training on %s failed: %s", data_dir, err_text);
    snprintf(ck, 600, "%s/checkpoint.vsck", tmp(out));
}

/* A copy of a 2-epoch checkpoint stopped after epoch 1, as an interrupted run leaves it. */
static void make_half_trained(const char *src, const char *dst)
{
    static vs_checkpoint_info info;
    vs_transfer t;
    vs_mlp *m = NULL;
    if (vs_checkpoint_load_info(src, &info) != VS_OK ||
        vs_transfer_build(&info.device, &info.circuit, &info.transfer, cache, &t) != VS_OK) {
        fprintf(stderr, "setup: %s\n", vs_last_error());
        return;
    }
    if (vs_checkpoint_load(src, &t, 256, &info, &m) == VS_OK) {
        info.epoch = 1;
        if (vs_checkpoint_save(dst, &info, m) != VS_OK) fprintf(stderr, "setup: %s\n", vs_last_error());
    }
    vs_mlp_free(m);
    vs_transfer_free(&t);
}

/* One line on stderr, exit 1, naming every needle. */
#define CHECK_ERROR(rc, ...)                                                                       \
    do {                                                                                           \
        const char *needles_[] = {__VA_ARGS__, NULL};                                              \
        CHECK((rc) == 1);                                                                          \
        CHECK(lines(err_text) == 1);                                                               \
        for (int k_ = 0; needles_[k_]; k_++)                                                       \
            if (!strstr(err_text, needles_[k_]))                                                   \
                CHECK_FAIL_MSG("'%.100s' not in: %.300s", needles_[k_], err_text);                \
    } while (0)

/* The whole of a (binary) file; *n its length, -1 if it cannot be read. Caller frees. */
static char *read_all(const char *path, long *n)
{
    FILE *f = fopen(path, "rb");
    *n = -1;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *n = ftell(f);
    rewind(f);
    char *b = malloc((size_t)*n + 1);
    if (b && fread(b, 1, (size_t)*n, f) != (size_t)*n) *n = -1;
    fclose(f);
    return b;
}

static int count_lines(const char *path)
{
    char *text = check_slurp(path);
    int n = text ? lines(text) : -1;
    free(text);
    return n;
}

/* ---- item 2: checkpoint and images of different sizes -------------------------------------- */

static void test_shape_mismatch_refused(void)
{
    CHECK_ERROR(vo2snn("infer", "--checkpoint", ck784, "--data", tmp("small"), "--cache", cache, "--out", tmp("i_a"),
                       "--no-plot", NULL),
                ck784, "784 inputs", "small/t10k-images-idx3-ubyte", "10 x 10 = 100 pixels");
    CHECK(!exists(tmp("i_a")));
    CHECK_ERROR(vo2snn("infer", "--checkpoint", ck100, "--data", check_mnist_dir(), "--cache", cache, "--out", tmp("i_b"),
                       "--no-plot", "--limit", "3", NULL),
                ck100, "100 inputs", "t10k-images-idx3-ubyte", "28 x 28 = 784 pixels");
    CHECK(!exists(tmp("i_b")));
    CHECK_ERROR(vo2snn("eval", "--checkpoint", ck100, "--data", check_mnist_dir(), "--cache", cache, NULL), ck100,
                "100 inputs", "784 pixels");
    CHECK_ERROR(vo2snn("eval", "--checkpoint", ck784, "--data", tmp("small"), "--cache", cache, NULL), ck784,
                "784 inputs", "100 pixels");
}

/* A 10 x 10 data set end to end: the real image size everywhere, not 784. */
static void test_small_images_end_to_end(void)
{
    CHECK(vo2snn("infer", "--checkpoint", ck100, "--data", tmp("small"), "--cache", cache, "--out", tmp("i_c"),
                 "--no-plot", "--limit", "4", "--json", NULL) == 0);
    char path[700];
    snprintf(path, sizeof path, "%s/input_image.csv", tmp("i_c"));
    CHECK(count_lines(path) == 1 + 100);
    snprintf(path, sizeof path, "%s/images.csv", tmp("i_c"));
    CHECK(count_lines(path) == 1 + 4);
    CHECK(vo2snn("eval", "--checkpoint", ck100, "--data", tmp("small"), "--cache", cache, "--json", NULL) == 0);
    CHECK(check_json_num(out_text, "images") == 20);   /* the small set's 20 test images */
}

/* Training and test images of different shapes: refused before training. */
static void test_train_split_shapes(void)
{
    CHECK_ERROR(vo2snn("train", "--data", tmp("mixed"), "--out", tmp("t_mixed"), "--cache", cache, NULL),
                "mixed/train-images-idx3-ubyte' has 10 x 10", "mixed/t10k-images-idx3-ubyte' has 28 x 28");
    CHECK(!exists(tmp("t_mixed")));
}

/* A hidden layer narrower than the 10 outputs (the output sums used to overrun the hidden ones). */
static void test_narrow_hidden_layer(void)
{
    const char *args[] = {"train", "--data", check_mnist_dir(), "--train-limit", "300", "--limit", "50", "--epochs", "1",
                          "--hidden", "3", "--out", tmp("t_h3"), "--cache", cache, "--no-plot", NULL};
    CHECK(vo2snn_v(args) == 0);
    char ck[700];
    snprintf(ck, sizeof ck, "%s/checkpoint.vsck", tmp("t_h3"));
    CHECK(vo2snn("infer", "--checkpoint", ck, "--data", check_mnist_dir(), "--cache", cache, "--out", tmp("i_h3"),
                 "--no-plot", "--limit", "3", "--json", NULL) == 0);
    CHECK(check_json_num(out_text, "images") == 3);
}

/* ---- item 3: a test set without the digit 8 ------------------------------------------------- */

static void test_no_digit_eight(void)
{
    CHECK(vo2snn("infer", "--checkpoint", ck784, "--data", tmp("no8"), "--cache", cache, "--out", tmp("i_8"),
                 "--no-plot", "--limit", "2", "--json", NULL) == 0);
    CHECK(check_json_num(out_text, "detail_image") == 0);
    const char *args[] = {"train", "--data", tmp("no8"), "--epochs", "1", "--hidden", "4", "--out", tmp("t_8"),
                          "--cache", cache, "--no-plot", "--json", NULL};
    CHECK(vo2snn_v(args) == 0);
    CHECK(check_json_num(out_text, "image") == 0);
    char path[700];
    snprintf(path, sizeof path, "%s/output_rates.csv", tmp("t_8"));
    CHECK(count_lines(path) == 11);
    CHECK_ERROR(vo2snn("infer", "--checkpoint", ck784, "--data", tmp("no8"), "--cache", cache, "--out", tmp("i_8b"),
                       "--image", "20", NULL),
                "--image 20", "no8/t10k-images-idx3-ubyte' has 20 images");
    CHECK(!exists(tmp("i_8b")));
}

/* ---- item 4: --windows lists --------------------------------------------------------------- */

static int infer_windows(const char *list, const char *out)
{
    return vo2snn("infer", "--checkpoint", ck784, "--data", check_mnist_dir(), "--cache", cache, "--out", tmp(out),
                  "--no-plot", "--limit", "1", "--windows", list, NULL);
}

static void test_windows_rejected(void)
{
    static const char *const bad[][2] = {
        {",", "empty item"}, {"10us,,20us", "empty item"}, {"10us,", "empty item"}, {",10us", "empty item"},
        {"0us", "'0us' is not a window"}, {"-5us", "'-5us' is not a window"}, {"10us,0.01ms", "repeats the window 10 us"},
        {"10us,20ms", "'20ms' is not a window"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_ERROR(infer_windows(bad[i][0], "i_w"), "--windows", bad[i][1]);
        CHECK(!exists(tmp("i_w")));
    }
    CHECK_ERROR(vo2snn("infer", "--window", "10us", "--windows", "10us,20us", "--out", tmp("i_w"), NULL), "--window",
                "--windows");
    CHECK_ERROR(vo2snn("infer", "--windows", "5us,50us", "--dt-grid", "1us", "--out", tmp("i_w"), NULL), "--windows",
                "--dt-grid", "5 samples");
}

/* 33 windows, and a list longer than 511 characters: every item is used or rejected. */
static void test_windows_any_length(void)
{
    char list[2048] = "", item[64];
    for (int k = 2; k <= 34; k++) {
        snprintf(item, sizeof item, "%s%dus", k > 2 ? "," : "", k);
        strcat(list, item);
    }
    CHECK(infer_windows(list, "i_33") == 0);
    char path[700];
    snprintf(path, sizeof path, "%s/windows.csv", tmp("i_33"));
    CHECK(count_lines(path) == 1 + 33);
    list[0] = '\0';
    for (int k = 2; k <= 31; k++) {   /* 30 items of 21 characters */
        snprintf(item, sizeof item, "%s%02d.000000000000000us", k > 2 ? "," : "", k);
        strcat(list, item);
    }
    CHECK(strlen(list) > 600);
    CHECK(infer_windows(list, "i_long") == 0);
    snprintf(path, sizeof path, "%s/windows.csv", tmp("i_long"));
    CHECK(count_lines(path) == 1 + 30);
    strcat(list, ",abc");
    CHECK_ERROR(infer_windows(list, "i_bad"), "--windows", "'abc'");
    CHECK(!exists(tmp("i_bad")));
}

/* ---- item 10: which data set, which files --------------------------------------------------- */

static void test_dataset_identity(void)
{
    setenv("VO2SNN_DATA", check_mnist_dir(), 1);
    CHECK_ERROR(vo2snn("eval", "--checkpoint", ck784, "--dataset", "fashion", "--cache", cache, NULL), "--dataset fashion",
                "t10k-images-idx3-ubyte", "looks like MNIST, not Fashion-MNIST");
    CHECK_ERROR(vo2snn("infer", "--checkpoint", ck784, "--dataset", "fashion", "--cache", cache, "--out", tmp("i_f"), NULL),
                "looks like MNIST");
    CHECK(!exists(tmp("i_f")));
    unsetenv("VO2SNN_DATA");
    CHECK_ERROR(vo2snn("eval", "--checkpoint", ck784, "--data", tmp("fashion"), "--cache", cache, NULL), "--dataset mnist",
                "looks like Fashion-MNIST, not MNIST");
    CHECK(vo2snn("eval", "--checkpoint", ck784, "--data", tmp("fashion"), "--dataset", "fashion", "--cache", cache, NULL) == 0);
    CHECK(strstr(out_text, "data: ") && strstr(out_text, "fashion/t10k-images-idx3-ubyte, "));
    CHECK(vo2snn("eval", "--checkpoint", ck784, "--data", check_mnist_dir(), "--limit", "100", "--cache", cache, "--json", NULL) == 0);
    CHECK(strstr(out_text, "\"dataset\": \"mnist\"") && strstr(out_text, "\"data\": [") &&
          strstr(out_text, "t10k-labels-idx1-ubyte"));
    CHECK(vo2snn("infer", "--checkpoint", ck784, "--data", check_mnist_dir(), "--cache", cache, "--out", tmp("i_d"),
                 "--no-plot", "--limit", "1", NULL) == 0);
    CHECK(strstr(out_text, "data: ") && strstr(out_text, "t10k-images-idx3-ubyte"));
    char path[700];
    snprintf(path, sizeof path, "%s/summary.json", tmp("i_d"));
    char *summary = check_slurp(path);
    CHECK(summary && strstr(summary, "\"data\": [") && strstr(summary, "t10k-labels-idx1-ubyte"));
    free(summary);
}

/* ---- item 15: everything checked before any work --------------------------------------------- */

static void test_validated_before_work(void)
{
    const char *args[] = {"train", "--data", check_mnist_dir(), "--train-limit", "300", "--epochs", "1", "--hidden", "8",
                          "--image", "99999", "--out", tmp("t_img"), "--cache", cache, "--no-plot", NULL};
    CHECK_ERROR(vo2snn_v(args), "--image 99999", "t10k-images-idx3-ubyte", "has 10000 images");
    CHECK(!exists(tmp("t_img")));
    CHECK_ERROR(vo2snn("infer", "--checkpoint", ck784, "--data", check_mnist_dir(), "--image", "99999", "--cache", cache,
                       "--out", tmp("i_img"), NULL),
                "--image 99999");
    CHECK(!exists(tmp("i_img")));
    CHECK_ERROR(vo2snn("paper", "--quick", "--data", tmp("missing"), "--out", tmp("p_missing"), NULL), "missing",
                "does not exist");
    CHECK(!exists(tmp("p_missing")));
    CHECK_ERROR(vo2snn("paper", "--quick", "--data", tmp("fashion"), "--out", tmp("p_fashion"), NULL),
                "looks like Fashion-MNIST");
    CHECK(!exists(tmp("p_fashion")));
    /* resuming a 100-input checkpoint on 784-pixel images */
    long n_saved, n_after;
    char *saved = read_all(ck100_half, &n_saved);
    CHECK_ERROR(vo2snn("train", "--data", check_mnist_dir(), "--resume", "--checkpoint", ck100_half, "--epochs", "2",
                       "--out", tmp("t_res"), "--cache", cache, NULL),
                ck100_half, "100 inputs", "784 pixels");
    CHECK(!exists(tmp("t_res")));
    char *after = read_all(ck100_half, &n_after);
    CHECK(n_saved > 0 && n_saved == n_after && memcmp(saved, after, (size_t)n_saved) == 0);
    free(saved), free(after);
}

/* ---- the library helpers behind the checks ------------------------------------------------- */

static void test_dataset_helpers(void)
{
    vs_dataset small = {0}, no8 = {0}, fashion = {0}, mnist = {0};
    CHECK(vs_dataset_load(tmp("small"), "t10k", &small) == VS_OK);
    CHECK(vs_dataset_load(tmp("no8"), "t10k", &no8) == VS_OK);
    CHECK(vs_dataset_load(tmp("fashion"), "t10k", &fashion) == VS_OK);
    CHECK(vs_dataset_load(check_mnist_dir(), "t10k", &mnist) == VS_OK);
    CHECK(small.images_path && strstr(small.images_path, "small/t10k-images-idx3-ubyte"));
    CHECK(small.labels_path && strstr(small.labels_path, "small/t10k-labels-idx1-ubyte"));
    CHECK(vs_dataset_pixels(&small) == 100 && vs_dataset_image(&small, 1) == small.images + 100);
    CHECK(vs_dataset_image(&small, 20) == NULL);
    CHECK(vs_dataset_find_label(&no8, 8) == -1 && vs_dataset_find_label(&no8, 3) == 3);
    CHECK(vs_dataset_check_inputs(&small, 100, "x") == VS_OK);
    CHECK(vs_dataset_check_inputs(&small, 784, "checkpoint 'c.vsck'") == VS_EINVAL);
    CHECK(strstr(vs_last_error(), "checkpoint 'c.vsck' takes 784 inputs") && strstr(vs_last_error(), "10 x 10 = 100"));
    CHECK(vs_dataset_check_same_shape(&small, &no8) == VS_EINVAL && strstr(vs_last_error(), "10 x 10"));
    CHECK(vs_dataset_guess(&small) == NULL && vs_dataset_guess(&no8) == NULL);   /* too small to tell */
    CHECK(vs_dataset_guess(&mnist) && strcmp(vs_dataset_guess(&mnist), "mnist") == 0);
    CHECK(vs_dataset_guess(&fashion) && strcmp(vs_dataset_guess(&fashion), "fashion") == 0);
    CHECK(vs_dataset_check_kind(&mnist, "mnist") == VS_OK && vs_dataset_check_kind(&fashion, "fashion") == VS_OK);
    CHECK(vs_dataset_check_kind(&mnist, "fashion") == VS_EFORMAT && strstr(vs_last_error(), "looks like MNIST"));
    CHECK(vs_dataset_check_kind(&small, "fashion") == VS_OK);
    CHECK(vs_dataset_check_kind(&small, "cifar") == VS_EINVAL);
    vs_dataset_free(&small);
    CHECK(small.images_path == NULL && small.labels_path == NULL);
    vs_dataset_free(&no8), vs_dataset_free(&fashion), vs_dataset_free(&mnist);
}

/* vs_infer_dataset_image refuses images of the wrong size or index instead of reading past them. */
static void test_infer_dataset_image(void)
{
    vs_device_params dev;
    vs_device_preset(1, &dev);
    vs_circuit c = vs_circuit_default();
    vs_transfer_opts to = vs_transfer_opts_default();
    vs_transfer t;
    if (vs_transfer_build(&dev, &c, &to, cache, &t) != VS_OK) {
        CHECK_FAIL_MSG("transfer: %s", vs_last_error());
        return;
    }
    vs_mlp_config cfg = vs_mlp_config_for(&t);
    cfg.sizes[0] = 100, cfg.sizes[1] = 4, cfg.sizes[2] = 10;   /* hidden narrower than the output */
    vs_rng rng;
    vs_rng_seed(&rng, 1, 0);
    vs_mlp *m = vs_mlp_new(&cfg, &t, 16, &rng);
    vs_infer_opts io = vs_infer_opts_default();
    io.window_s = 10e-6;
    vs_infer_net *net = NULL;
    CHECK(m && vs_infer_net_new(m, &t, &dev, &c, &io, &net) == VS_OK);
    vs_infer_work *w = net ? vs_infer_work_new(net) : NULL;
    vs_dataset small = {0}, no8 = {0};
    CHECK(vs_dataset_load(tmp("small"), "t10k", &small) == VS_OK && vs_dataset_load(tmp("no8"), "t10k", &no8) == VS_OK);
    if (net && w && small.images && no8.images) {
        CHECK(vs_infer_net_inputs(net) == 100);
        vs_infer_result r = {.predicted = 42};
        CHECK(vs_infer_dataset_image(net, w, &no8, 0, &r) == VS_EINVAL && r.predicted == 42);
        CHECK(strstr(vs_last_error(), "takes 100 inputs") && strstr(vs_last_error(), "28 x 28 = 784"));
        CHECK(vs_infer_dataset_image(net, w, &small, 20, &r) == VS_EINVAL && r.predicted == 42);
        CHECK(strstr(vs_last_error(), "image 20") && strstr(vs_last_error(), "20 images"));
        CHECK(vs_infer_dataset_image(net, w, &small, 19, &r) == VS_OK && r.predicted >= 0 && r.predicted < 10);
    }
    vs_infer_opts bad = io;
    bad.dt_s = 2e-6;
    CHECK(vs_infer_opts_check(&bad) == VS_EINVAL && strstr(vs_last_error(), "5 samples"));
    vs_dataset_free(&small), vs_dataset_free(&no8);
    vs_infer_work_free(w);
    vs_infer_net_free(net);
    vs_mlp_free(m);
    vs_transfer_free(&t);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) return 1;
    snprintf(cache, sizeof cache, "%s/cache", tmpdir);
    make_data();
    train_checkpoint(check_mnist_dir(), "ck784", "1", ck784);
    train_checkpoint(tmp("small"), "ck100", "2", ck100);
    snprintf(ck100_half, sizeof ck100_half, "%s/ck100_half.vsck", tmpdir);
    make_half_trained(ck100, ck100_half);
    RUN(test_shape_mismatch_refused);
    RUN(test_small_images_end_to_end);
    RUN(test_train_split_shapes);
    RUN(test_narrow_hidden_layer);
    RUN(test_no_digit_eight);
    RUN(test_windows_rejected);
    RUN(test_windows_any_length);
    RUN(test_dataset_identity);
    RUN(test_validated_before_work);
    RUN(test_dataset_helpers);
    RUN(test_infer_dataset_image);
    remove_tree(tmpdir);
    return CHECK_DONE();
}
