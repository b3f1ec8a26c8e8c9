/* test_idx.c -- IDX files and MNIST datasets: the real data, then corrupt files. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "vo2snn/idx.h"

/* ---- helpers ----------------------------------------------------------- */

static char scratch[256]; /* a mkdtemp() directory, removed at the end */

/* scratch/name into one of a few rotating buffers. */
static const char *tpath(const char *name)
{
    static char buf[8][1024];
    static int next;
    char *b = buf[next++ % 8];
    snprintf(b, sizeof buf[0], "%s/%s", scratch, name);
    return b;
}

static void write_file(const char *path, const void *data, size_t n, int gz)
{
    if (gz) {
        gzFile g = gzopen(path, "wb");
        if (!g || (n > 0 && gzwrite(g, data, (unsigned)n) != (int)n) || gzclose(g) != Z_OK) {
            fprintf(stderr, "cannot write %s\n", path);
            exit(2);
        }
        return;
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

/* Whole file into a malloc'ed buffer; exits on failure. */
static unsigned char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)len + 1);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) exit(2);
    fclose(f);
    *n = (size_t)len;
    return buf;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* Write an IDX file: magic bytes type/ndim, ndim dims, then n_data bytes of data. */
static void write_idx(const char *path, int type, int ndim, const uint32_t *dims,
                      const unsigned char *data, size_t n_data, int gz)
{
    size_t n = 4 + 4 * (size_t)ndim + n_data;
    unsigned char *buf = malloc(n);
    buf[0] = 0, buf[1] = 0, buf[2] = (unsigned char)type, buf[3] = (unsigned char)ndim;
    for (int i = 0; i < ndim; i++) put_be32(buf + 4 + 4 * i, dims[i]);
    if (n_data) memcpy(buf + 4 + 4 * ndim, data, n_data);
    write_file(path, buf, n, gz);
    free(buf);
}

/* Expect vs_idx_load(path) to fail with code, a message naming path and
 * containing want; the output struct must be untouched. */
static void expect_idx_fail(const char *path, vs_status code, const char *want)
{
    vs_idx x, sentinel;
    memset(&x, 0xA5, sizeof x);
    sentinel = x;
    vs_clear_error();
    vs_status s = vs_idx_load(path, &x);
    const char *msg = vs_last_error();
    if (s != code || !strstr(msg, path) || !strstr(msg, want))
        CHECK_FAIL_MSG("%s: got status %d '%s', expected %d with '%s'", path, (int)s, msg,
                       (int)code, want);
    CHECK(memcmp(&x, &sentinel, sizeof x) == 0);
    if (s == VS_OK) vs_idx_free(&x);
}

/* Expect vs_dataset_load(dir, prefix) to fail with code and a message
 * containing want (and name_in_msg, a file or directory); out untouched. */
static void expect_ds_fail(const char *dir, const char *prefix, vs_status code,
                           const char *name_in_msg, const char *want)
{
    vs_dataset d, sentinel;
    memset(&d, 0x5A, sizeof d);
    sentinel = d;
    vs_clear_error();
    vs_status s = vs_dataset_load(dir, prefix, &d);
    const char *msg = vs_last_error();
    if (s != code || !strstr(msg, name_in_msg) || !strstr(msg, want))
        CHECK_FAIL_MSG("%s/%s: got status %d '%s', expected %d with '%s' and '%s'", dir, prefix,
                       (int)s, msg, (int)code, name_in_msg, want);
    CHECK(memcmp(&d, &sentinel, sizeof d) == 0);
    if (s == VS_OK) vs_dataset_free(&d);
}

static void histogram(const uint8_t *labels, size_t n, size_t *h)
{
    memset(h, 0, 10 * sizeof *h);
    for (size_t i = 0; i < n; i++)
        if (labels[i] < 10) h[labels[i]]++;
}

/* ---- the real MNIST files ---------------------------------------------- */

static void test_mnist_t10k(void)
{
    vs_dataset d = {0};
    vs_status s = vs_dataset_load(check_mnist_dir(), "t10k", &d);
    if (s != VS_OK) {
        CHECK_FAIL_MSG("cannot load MNIST t10k from '%s' (set VO2SNN_TEST_DATA): %s", check_mnist_dir(),
                       vs_last_error());
        return;
    }
    CHECK(d.n == 10000);
    CHECK(d.rows == 28 && d.cols == 28);
    size_t h[10];
    static const size_t want[10] = {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009};
    histogram(d.labels, d.n, h);
    for (int i = 0; i < 10; i++) CHECK(h[i] == want[i]);
    static const uint8_t first[10] = {7, 2, 1, 0, 4, 1, 4, 9, 5, 9};
    CHECK(memcmp(d.labels, first, 10) == 0);
    CHECK(d.labels[9999] == 6);

    /* The test images are the byte-exact originals. */
    uint64_t sum = 0, sum0 = 0;
    for (size_t i = 0; i < d.n * 784; i++) sum += d.images[i];
    for (size_t i = 0; i < 784; i++) sum0 += d.images[i];
    CHECK(sum == 264923200u);
    CHECK(sum0 == 18454u);
    static const uint8_t row14[28] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                      0, 0, 59, 249, 254, 62, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK(memcmp(d.images + 14 * 28, row14, 28) == 0);
    vs_dataset_free(&d);
    CHECK(d.images == NULL && d.labels == NULL && d.n == 0);
}

static void test_mnist_train(void)
{
    vs_dataset d = {0};
    vs_status s = vs_dataset_load(check_mnist_dir(), "train", &d);
    if (s != VS_OK) {
        CHECK_FAIL_MSG("cannot load MNIST train from '%s' (set VO2SNN_TEST_DATA): %s",
                       check_mnist_dir(), vs_last_error());
        return;
    }
    CHECK(d.n == 60000);
    CHECK(d.rows == 28 && d.cols == 28);
    size_t h[10];
    static const size_t want[10] = {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949};
    histogram(d.labels, d.n, h);
    for (int i = 0; i < 10; i++) CHECK(h[i] == want[i]);
    static const uint8_t first[10] = {5, 0, 4, 1, 9, 2, 1, 3, 1, 4};
    CHECK(memcmp(d.labels, first, 10) == 0);
    CHECK(d.labels[59999] == 8);

    uint64_t sum = 0;
    for (size_t i = 0; i < d.n * 784; i++) sum += d.images[i];
    CHECK_NEAR((double)sum / (double)(d.n * 784), 33.33, 0, 0.01);
    vs_dataset_free(&d);
}

static void test_idx_shape(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte.gz", check_mnist_dir());
    vs_idx x = {0};
    CHECK(vs_idx_load(path, &x) == VS_OK);
    CHECK(x.ndim == 3);
    CHECK(x.dims[0] == 60000 && x.dims[1] == 28 && x.dims[2] == 28 && x.dims[3] == 0);
    CHECK(x.count == 47040000);
    vs_idx_free(&x);
    CHECK(x.data == NULL && x.count == 0);
    vs_idx_free(&x); /* zeroed: no-op */
    vs_idx_free(NULL);
    vs_dataset_free(NULL);

    snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte.gz", check_mnist_dir());
    CHECK(vs_idx_load(path, &x) == VS_OK);
    CHECK(x.ndim == 1 && x.dims[0] == 10000 && x.count == 10000);
    CHECK(x.data[0] == 7 && x.data[1] == 2);
    vs_idx_free(&x);
}

/* ---- good small files: raw and gzip, 1..4 dims ------------------------- */

static void test_raw_and_gzip(void)
{
    unsigned char data[120];
    for (int i = 0; i < 120; i++) data[i] = (unsigned char)(i * 7 + 3);
    static const uint32_t dims[4] = {2, 3, 4, 5};
    for (int nd = 1; nd <= 4; nd++) {
        size_t count = 1;
        for (int i = 0; i < nd; i++) count *= dims[i];
        for (int gz = 0; gz <= 1; gz++) {
            const char *p = tpath(gz ? "good.gz" : "good");
            write_idx(p, 0x08, nd, dims, data, count, gz);
            vs_idx x = {0};
            vs_status s = vs_idx_load(p, &x);
            CHECK(s == VS_OK);
            if (s != VS_OK) {
                CHECK_FAIL_MSG("%s", vs_last_error());
                continue;
            }
            CHECK(x.ndim == nd);
            CHECK(x.count == count);
            for (int i = 0; i < 4; i++) CHECK(x.dims[i] == (i < nd ? dims[i] : 0));
            CHECK(memcmp(x.data, data, count) == 0);
            vs_idx_free(&x);
            unlink(p);
        }
    }

    /* A .gz name holding raw bytes and a plain name holding gzip both load. */
    const char *p = tpath("swapped.gz");
    write_idx(p, 0x08, 1, dims, data, 2, 0);
    vs_idx x = {0};
    CHECK(vs_idx_load(p, &x) == VS_OK && x.count == 2 && x.data[1] == data[1]);
    vs_idx_free(&x);
    p = tpath("swapped");
    write_idx(p, 0x08, 1, dims, data, 2, 1);
    CHECK(vs_idx_load(p, &x) == VS_OK && x.count == 2 && x.data[1] == data[1]);
    vs_idx_free(&x);

    /* The real labels, decompressed here, load identically raw and gzip. */
    char real[1024];
    snprintf(real, sizeof real, "%s/t10k-labels-idx1-ubyte.gz", check_mnist_dir());
    vs_idx a = {0}, b = {0};
    if (vs_idx_load(real, &a) != VS_OK) {
        CHECK_FAIL_MSG("%s", vs_last_error());
        return;
    }
    p = tpath("t10k-labels-raw");
    write_idx(p, 0x08, 1, a.dims, a.data, a.count, 0);
    CHECK(vs_idx_load(p, &b) == VS_OK);
    CHECK(b.count == a.count && memcmp(a.data, b.data, a.count) == 0);
    vs_idx_free(&a);
    vs_idx_free(&b);
}

/* ---- corrupt IDX files ------------------------------------------------- */

static void test_bad_header(void)
{
    static const unsigned char payload[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint32_t d1[1] = {8};
    const char *p;

    p = tpath("magic");
    static const unsigned char junk[16] = {0x12, 0x34, 0x08, 0x01, 0, 0, 0, 1, 9};
    write_file(p, junk, 9, 0);
    expect_idx_fail(p, VS_EFORMAT, "not an IDX file (magic 0x12340801");

    p = tpath("magic-le"); /* the labels magic byte-swapped */
    static const unsigned char le[9] = {0x01, 0x08, 0x00, 0x00, 1, 0, 0, 0, 9};
    write_file(p, le, 9, 0);
    expect_idx_fail(p, VS_EFORMAT, "not an IDX file (magic 0x01080000");

    p = tpath("text.gz");
    write_file(p, "hello, world\n", 13, 1);
    expect_idx_fail(p, VS_EFORMAT, "not an IDX file");

    p = tpath("float");
    write_idx(p, 0x0D, 1, d1, payload, 8, 0);
    expect_idx_fail(p, VS_EFORMAT, "type code 0x0d (float) is not supported");

    p = tpath("int.gz");
    write_idx(p, 0x0C, 1, d1, payload, 8, 1);
    expect_idx_fail(p, VS_EFORMAT, "type code 0x0c (32-bit integer) is not supported");

    p = tpath("type07");
    write_idx(p, 0x07, 1, d1, payload, 8, 0);
    expect_idx_fail(p, VS_EFORMAT, "unknown IDX type code 0x07");

    p = tpath("ndim0");
    write_idx(p, 0x08, 0, NULL, payload, 1, 0);
    expect_idx_fail(p, VS_EFORMAT, ": 0 dimensions (magic 0x00000800); 1 to 4 are supported");

    p = tpath("ndim5");
    uint32_t d5[5] = {1, 1, 1, 1, 1};
    write_idx(p, 0x08, 5, d5, payload, 1, 0);
    expect_idx_fail(p, VS_EFORMAT, ": 5 dimensions (magic 0x00000805)");

    p = tpath("zero-dim");
    uint32_t dz[3] = {10, 0, 28};
    write_idx(p, 0x08, 3, dz, payload, 0, 0);
    expect_idx_fail(p, VS_EFORMAT, "dimension 2 of 3 is 0");

    p = tpath("over32"); /* 65536 * 65536 = 2^32 wraps a 32-bit product to 0 */
    uint32_t d32[2] = {65536, 65536};
    write_idx(p, 0x08, 2, d32, payload, 8, 0);
    expect_idx_fail(p, VS_EFORMAT, "shape 65536 x 65536 is larger than the 1073741824-byte limit");

    p = tpath("over64"); /* (2^32 - 1)^4 overflows 64 bits */
    uint32_t d64[4] = {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu};
    write_idx(p, 0x08, 4, d64, payload, 8, 0);
    expect_idx_fail(p, VS_EFORMAT, "is larger than the 1073741824-byte limit");

    p = tpath("over64-wrap"); /* 2^16 * 2^16 * 2^16 * 2^16 = 2^64 wraps to exactly 0 */
    uint32_t dw[4] = {65536, 65536, 65536, 65536};
    write_idx(p, 0x08, 4, dw, payload, 8, 0);
    expect_idx_fail(p, VS_EFORMAT, "is larger than the 1073741824-byte limit");

    p = tpath("limit-plus-1");
    uint32_t dl[1] = {(1u << 30) + 1};
    write_idx(p, 0x08, 1, dl, payload, 8, 0);
    expect_idx_fail(p, VS_EFORMAT, "shape 1073741825 is larger than");

    p = tpath("limit"); /* exactly 1 GiB is allowed; it is the payload that is short */
    uint32_t dk[2] = {1u << 15, 1u << 15};
    write_idx(p, 0x08, 2, dk, payload, 8, 0);
    expect_idx_fail(p, VS_EFORMAT, "truncated: expected 1073741824 data bytes, got 8");

    p = tpath("empty");
    write_file(p, "", 0, 0);
    expect_idx_fail(p, VS_EFORMAT, ": empty file (expected an IDX header)");

    p = tpath("empty.gz"); /* a valid gzip stream of nothing */
    write_file(p, "", 0, 1);
    expect_idx_fail(p, VS_EFORMAT, ": empty file");

    p = tpath("short-magic");
    write_file(p, "\0\0\x08", 3, 0);
    expect_idx_fail(p, VS_EFORMAT, "truncated header: 3 bytes");

    p = tpath("short-dims");
    static const unsigned char sd[10] = {0, 0, 8, 3, 0, 0, 0, 1, 0, 0};
    write_file(p, sd, 10, 0);
    expect_idx_fail(p, VS_EFORMAT, "truncated header: 3 dimension sizes need 12 bytes, got 6");

    p = tpath("missing");
    expect_idx_fail(p, VS_EIO, "cannot read '");
    expect_idx_fail(p, VS_EIO, "No such file or directory");

    p = tpath("a-dir");
    mkdir(p, 0700);
    expect_idx_fail(p, VS_EIO, "Is a directory");
    rmdir(p);
}

static void test_bad_payload(void)
{
    unsigned char data[120];
    for (int i = 0; i < 120; i++) data[i] = (unsigned char)i;
    uint32_t d[1] = {100};
    char want[1200];

    for (int gz = 0; gz <= 1; gz++) {
        const char *p = tpath(gz ? "short.gz" : "short");
        write_idx(p, 0x08, 1, d, data, 50, gz);
        snprintf(want, sizeof want, "%s: truncated: expected 100 data bytes, got 50", p);
        expect_idx_fail(p, VS_EFORMAT, want);

        p = tpath(gz ? "no-data.gz" : "no-data");
        write_idx(p, 0x08, 1, d, data, 0, gz);
        expect_idx_fail(p, VS_EFORMAT, "truncated: expected 100 data bytes, got 0");

        p = tpath(gz ? "long.gz" : "long");
        write_idx(p, 0x08, 1, d, data, 105, gz);
        snprintf(want, sizeof want, "%s: 5 bytes of trailing data after the 100 data bytes", p);
        expect_idx_fail(p, VS_EFORMAT, want);

        p = tpath(gz ? "long1.gz" : "long1");
        write_idx(p, 0x08, 1, d, data, 101, gz);
        expect_idx_fail(p, VS_EFORMAT, ": 1 bytes of trailing data");
    }
    /* The exact size is fine. */
    const char *p = tpath("exact");
    write_idx(p, 0x08, 1, d, data, 100, 0);
    vs_idx x = {0};
    CHECK(vs_idx_load(p, &x) == VS_OK && x.count == 100 && x.data[99] == 99);
    vs_idx_free(&x);
}

static void test_bad_gzip(void)
{
    char real[1024];
    snprintf(real, sizeof real, "%s/t10k-labels-idx1-ubyte.gz", check_mnist_dir());
    size_t n;
    unsigned char *gz = read_file(real, &n);

    const char *p = tpath("half.gz"); /* cut in the deflate data */
    write_file(p, gz, n / 2, 0);
    expect_idx_fail(p, VS_EFORMAT, "truncated gzip stream (unexpected end of file) after ");
    expect_idx_fail(p, VS_EFORMAT, "of 10000 data bytes");

    p = tpath("header-only.gz"); /* the 10-byte gzip header and a few deflate bytes */
    write_file(p, gz, 12, 0);
    expect_idx_fail(p, VS_EFORMAT, "truncated gzip stream");

    p = tpath("no-trailer.gz"); /* all data, but the CRC-32 and length are missing */
    write_file(p, gz, n - 8, 0);
    expect_idx_fail(p, VS_EFORMAT, "truncated gzip stream (unexpected end of file) after the "
                                   "10000 data bytes");

    p = tpath("bad-crc.gz"); /* the stored CRC-32 no longer matches */
    gz[n - 8] ^= 0xFF;
    write_file(p, gz, n, 0);
    gz[n - 8] ^= 0xFF;
    expect_idx_fail(p, VS_EFORMAT, "corrupt gzip data (incorrect data check)");

    p = tpath("garbled.gz"); /* deflate data overwritten */
    memset(gz + n / 2, 0xFF, 64);
    write_file(p, gz, n, 0);
    expect_idx_fail(p, VS_EFORMAT, "corrupt gzip data (");
    free(gz);
}

/* ---- datasets ---------------------------------------------------------- */

/* scratch/<sub>/<name>; creates scratch/<sub>. */
static const char *dpath(const char *sub, const char *name)
{
    static char buf[8][1024];
    static int next;
    char *b = buf[next++ % 8];
    mkdir(tpath(sub), 0700);
    if (name)
        snprintf(b, sizeof buf[0], "%s/%s/%s", scratch, sub, name);
    else
        snprintf(b, sizeof buf[0], "%s/%s", scratch, sub);
    return b;
}

static void write_set(const char *sub, const char *prefix, uint32_t n_img, uint32_t n_lab,
                      const unsigned char *labels, int gz)
{
    unsigned char px[4 * 16];
    for (int i = 0; i < 64; i++) px[i] = (unsigned char)(i * 4);
    char name[64];
    uint32_t di[3] = {n_img, 2, 2}, dl[1] = {n_lab};
    snprintf(name, sizeof name, "%s-images-idx3-ubyte%s", prefix, gz ? ".gz" : "");
    write_idx(dpath(sub, name), 0x08, 3, di, px, 4 * n_img, gz);
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte%s", prefix, gz ? ".gz" : "");
    write_idx(dpath(sub, name), 0x08, 1, dl, labels, n_lab, gz);
}

static void test_dataset_small(void)
{
    static const unsigned char lab[4] = {3, 9, 0, 7};
    for (int gz = 0; gz <= 1; gz++) {
        const char *sub = gz ? "ok-gz" : "ok-raw";
        write_set(sub, "train", 4, 4, lab, gz);
        vs_dataset d = {0};
        CHECK(vs_dataset_load(dpath(sub, NULL), "train", &d) == VS_OK);
        CHECK(d.n == 4 && d.rows == 2 && d.cols == 2);
        CHECK(d.images && d.images[5] == 20 && d.images[15] == 60);
        CHECK(d.labels && memcmp(d.labels, lab, 4) == 0);
        vs_dataset_free(&d);
        CHECK(d.images == NULL && d.labels == NULL && d.n == 0 && d.rows == 0);
    }

    /* A trailing slash on the directory is fine. */
    char slash[1100];
    snprintf(slash, sizeof slash, "%s/", dpath("ok-raw", NULL));
    vs_dataset d = {0};
    CHECK(vs_dataset_load(slash, "train", &d) == VS_OK && d.n == 4);
    vs_dataset_free(&d);

    /* Raw beats .gz: a broken .gz next to good raw files is never opened. */
    write_file(dpath("ok-raw", "train-images-idx3-ubyte.gz"), "junk", 4, 0);
    write_file(dpath("ok-raw", "train-labels-idx1-ubyte.gz"), "junk", 4, 0);
    CHECK(vs_dataset_load(dpath("ok-raw", NULL), "train", &d) == VS_OK && d.n == 4);
    vs_dataset_free(&d);

    /* Mixed: raw images with gzip labels. */
    write_set("mixed", "t10k", 4, 4, lab, 1);
    unlink(dpath("mixed", "t10k-images-idx3-ubyte.gz"));
    uint32_t di[3] = {4, 2, 2};
    unsigned char px[16] = {0};
    write_idx(dpath("mixed", "t10k-images-idx3-ubyte"), 0x08, 3, di, px, 16, 0);
    CHECK(vs_dataset_load(dpath("mixed", NULL), "t10k", &d) == VS_OK && d.n == 4);
    vs_dataset_free(&d);
}

static void test_dataset_errors(void)
{
    static const unsigned char lab[4] = {3, 9, 0, 7}, bad[4] = {1, 12, 3, 4};
    char want[2200];

    write_set("label12", "train", 4, 4, bad, 0);
    expect_ds_fail(dpath("label12", NULL), "train", VS_EFORMAT,
                   dpath("label12", "train-labels-idx1-ubyte"), ": label 12 at index 1 is not in 0..9");

    write_set("count", "t10k", 4, 3, lab, 1);
    snprintf(want, sizeof want, "%s: 4 images but 3 labels in '%s'",
             dpath("count", "t10k-images-idx3-ubyte.gz"), dpath("count", "t10k-labels-idx1-ubyte.gz"));
    expect_ds_fail(dpath("count", NULL), "t10k", VS_EFORMAT, "count", want);

    /* Images with 1 dimension, labels with 3. */
    write_set("dims", "train", 4, 4, lab, 0);
    uint32_t d1[1] = {4};
    write_idx(dpath("dims", "train-images-idx3-ubyte"), 0x08, 1, d1, lab, 4, 0);
    expect_ds_fail(dpath("dims", NULL), "train", VS_EFORMAT, dpath("dims", "train-images-idx3-ubyte"),
                   "an image file needs 3 dimensions (n, rows, cols), found 1");
    write_set("dims", "train", 4, 4, lab, 0);
    uint32_t d3[3] = {4, 1, 1};
    write_idx(dpath("dims", "train-labels-idx1-ubyte"), 0x08, 3, d3, lab, 4, 0);
    expect_ds_fail(dpath("dims", NULL), "train", VS_EFORMAT, dpath("dims", "train-labels-idx1-ubyte"),
                   "a label file needs 1 dimension, found 3");

    /* A corrupt member file: the message names that file. */
    write_set("corrupt", "train", 4, 4, lab, 1);
    write_file(dpath("corrupt", "train-labels-idx1-ubyte.gz"), "\0\0\x08\x01\0\0\0\x09", 8, 1);
    expect_ds_fail(dpath("corrupt", NULL), "train", VS_EFORMAT,
                   dpath("corrupt", "train-labels-idx1-ubyte.gz"),
                   "truncated: expected 9 data bytes, got 0");

    /* Missing directory, a file where the directory should be, missing files. */
    const char *nodir = tpath("no-such-dir");
    snprintf(want, sizeof want,
             "data directory '%s' does not exist (pass --data DIR or set VO2SNN_DATA)", nodir);
    expect_ds_fail(nodir, "train", VS_EIO, nodir, want);
    vs_clear_error();
    vs_dataset d = {0};
    vs_dataset_load(nodir, "train", &d);
    CHECK(strcmp(vs_last_error(), want) == 0);

    const char *file = dpath("label12", "train-images-idx3-ubyte");
    expect_ds_fail(file, "train", VS_EIO, file, "is not a directory");

    write_set("nolabels", "train", 4, 4, lab, 0);
    unlink(dpath("nolabels", "train-labels-idx1-ubyte"));
    snprintf(want, sizeof want, "neither '%s' nor '%s' exists",
             dpath("nolabels", "train-labels-idx1-ubyte"),
             dpath("nolabels", "train-labels-idx1-ubyte.gz"));
    expect_ds_fail(dpath("nolabels", NULL), "train", VS_EIO, "nolabels", want);

    expect_ds_fail(dpath("nolabels", NULL), "t10k", VS_EIO,
                   dpath("nolabels", "t10k-images-idx3-ubyte.gz"), "no images-idx3 file in '");

    const char *empty = dpath("emptydir", NULL);
    expect_ds_fail(empty, "train", VS_EIO, "train-images-idx3-ubyte.gz", "neither '");

    expect_ds_fail(dpath("ok-raw-x", NULL), "test", VS_EINVAL, "test", "expected train or t10k");
    expect_ds_fail("", "train", VS_EINVAL, "vs_dataset_load", "no data directory");
}

/* ---- data directory resolution ----------------------------------------- */

static void test_data_dir(void)
{
    const char *old = getenv("VO2SNN_DATA");
    char *saved = old ? strdup(old) : NULL;
    char buf[256];

    unsetenv("VO2SNN_DATA");
    CHECK(vs_data_dir("some/dir", "mnist", buf, sizeof buf) == VS_OK && strcmp(buf, "some/dir") == 0);
    vs_clear_error();
    memset(buf, 'x', sizeof buf);
    CHECK(vs_data_dir(NULL, "mnist", buf, sizeof buf) == VS_EINVAL);
    CHECK(strcmp(vs_last_error(), "no data directory: pass --data DIR or set VO2SNN_DATA") == 0);
    CHECK(buf[0] == 'x');
    CHECK(vs_data_dir("", "mnist", buf, sizeof buf) == VS_EINVAL);

    struct stat st;
    int have_fashion = stat("/usr/share/datasets/fashion-mnist", &st) == 0 && S_ISDIR(st.st_mode);
    vs_status s = vs_data_dir(NULL, "fashion", buf, sizeof buf);
    if (have_fashion)
        CHECK(s == VS_OK && strcmp(buf, "/usr/share/datasets/fashion-mnist") == 0);
    else
        CHECK(s == VS_EINVAL);

    setenv("VO2SNN_DATA", "/env/dir", 1);
    CHECK(vs_data_dir(NULL, "mnist", buf, sizeof buf) == VS_OK && strcmp(buf, "/env/dir") == 0);
    CHECK(vs_data_dir("", "fashion", buf, sizeof buf) == VS_OK && strcmp(buf, "/env/dir") == 0);
    CHECK(vs_data_dir("x", "fashion", buf, sizeof buf) == VS_OK && strcmp(buf, "x") == 0);
    setenv("VO2SNN_DATA", "", 1); /* empty counts as unset */
    CHECK(vs_data_dir(NULL, "mnist", buf, sizeof buf) == VS_EINVAL);

    vs_clear_error();
    CHECK(vs_data_dir("x", "cifar", buf, sizeof buf) == VS_EINVAL);
    CHECK(strstr(vs_last_error(), "unknown dataset 'cifar'") != NULL);
    CHECK(vs_data_dir("x", NULL, buf, sizeof buf) == VS_EINVAL);
    CHECK(vs_data_dir("abcd", "mnist", buf, 4) == VS_EINVAL); /* no room for the NUL */
    CHECK(vs_data_dir("abc", "mnist", buf, 4) == VS_OK && strcmp(buf, "abc") == 0);
    CHECK(vs_data_dir("abc", "mnist", NULL, 4) == VS_EINVAL);

    if (saved)
        setenv("VO2SNN_DATA", saved, 1);
    else
        unsetenv("VO2SNN_DATA");
    free(saved);
}

/* Fashion-MNIST (Debian's dataset-fashion-mnist), where installed. */
static void test_fashion(void)
{
    const char *dir = getenv("VO2SNN_TEST_FASHION");
    if (!dir || !*dir) dir = "/usr/share/datasets/fashion-mnist";
    struct stat st;
    if (stat(dir, &st) != 0) {
        CHECK_SKIP("no %s (Debian's dataset-fashion-mnist)", dir);
        return;
    }
    vs_dataset d = {0};
    if (vs_dataset_load(dir, "t10k", &d) != VS_OK) {
        CHECK_FAIL_MSG("%s", vs_last_error());
        return;
    }
    CHECK(d.n == 10000 && d.rows == 28 && d.cols == 28);
    size_t h[10];
    histogram(d.labels, d.n, h);
    for (int i = 0; i < 10; i++) CHECK(h[i] == 1000);
    vs_dataset_free(&d);
}

/* ---- main -------------------------------------------------------------- */

static void remove_tree(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp) return;
    struct dirent *e;
    char p[2048];
    while ((e = readdir(dp))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
    }
    closedir(dp);
    rmdir(dir);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/vo2snn-idx-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(scratch)) {
        perror("mkdtemp");
        return 2;
    }
    RUN(test_mnist_t10k);
    RUN(test_mnist_train);
    RUN(test_idx_shape);
    RUN(test_raw_and_gzip);
    RUN(test_bad_header);
    RUN(test_bad_payload);
    RUN(test_bad_gzip);
    RUN(test_dataset_small);
    RUN(test_dataset_errors);
    RUN(test_data_dir);
    RUN(test_fashion);
    remove_tree(scratch);
    return CHECK_DONE();
}
