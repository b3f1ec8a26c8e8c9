/* idx.c -- IDX (MNIST) files, raw or gzip, and the four-file MNIST datasets. */
#include "vo2snn/idx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define IDX_CHUNK ((size_t)1 << 28) /* largest single gzread(), well under INT_MAX */
#define FASHION_DEFAULT_DIR "/usr/share/datasets/fashion-mnist"

/* ---- IDX files --------------------------------------------------------- */

/* Status for a gzread() that returned -1: an I/O error or corrupt gzip data. */
static vs_status gz_failure(gzFile gz, const char *path)
{
    int errnum = Z_OK;
    const char *msg = gzerror(gz, &errnum);
    if (msg && strncmp(msg, "<fd:", 4) == 0 && strstr(msg, ": ")) /* zlib's "<fd:3>: " prefix */
        msg = strstr(msg, ": ") + 2;
    if (errnum == Z_ERRNO) return vs_fail(VS_EIO, "cannot read '%s': %s", path, strerror(errno));
    if (errnum == Z_MEM_ERROR) return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", path);
    return vs_fail(VS_EFORMAT, "%s: corrupt gzip data (%s)", path, msg ? msg : "unknown error");
}

/* 1 if zlib hit the end of the file in the middle of a gzip stream. */
static int gz_truncated(gzFile gz)
{
    int errnum = Z_OK;
    gzerror(gz, &errnum);
    return errnum == Z_BUF_ERROR;
}

/* Read up to len bytes into buf; *got says how many arrived (short at EOF). */
static vs_status read_upto(gzFile gz, const char *path, void *buf, size_t len, size_t *got)
{
    unsigned char *p = buf;
    size_t done = 0;
    *got = 0;
    while (done < len) {
        size_t want = len - done < IDX_CHUNK ? len - done : IDX_CHUNK;
        int k = gzread(gz, p + done, (unsigned)want);
        if (k < 0) return gz_failure(gz, path);
        if (k == 0) break;
        done += (size_t)k;
    }
    *got = done;
    return VS_OK;
}

/* Count the bytes left in the stream (gzip-decoded). */
static vs_status count_rest(gzFile gz, const char *path, size_t *n)
{
    unsigned char buf[4096];
    size_t total = 0;
    for (;;) {
        int k = gzread(gz, buf, sizeof buf);
        if (k < 0) return gz_failure(gz, path);
        if (k == 0) break;
        total += (size_t)k;
    }
    *n = total;
    return VS_OK;
}

static const char *type_name(int code)
{
    switch (code) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "16-bit integer";
    case 0x0C: return "32-bit integer";
    case 0x0D: return "float";
    case 0x0E: return "double";
    }
    return NULL;
}

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

/* Validate the 4-byte magic; on success *ndim is 1..4. */
static vs_status check_magic(const char *path, const unsigned char *m, int *ndim)
{
    uint32_t magic = be32(m);
    if (m[0] != 0 || m[1] != 0)
        return vs_fail(VS_EFORMAT,
                       "%s: not an IDX file (magic 0x%08x; IDX files start with 0x0000, MNIST's "
                       "with 0x00000801 or 0x00000803)",
                       path, (unsigned)magic);
    if (m[2] != 0x08) {
        const char *name = type_name(m[2]);
        if (name)
            return vs_fail(VS_EFORMAT,
                           "%s: IDX type code 0x%02x (%s) is not supported; only 0x08 (unsigned "
                           "byte) is",
                           path, (unsigned)m[2], name);
        return vs_fail(VS_EFORMAT,
                       "%s: unknown IDX type code 0x%02x (magic 0x%08x); only 0x08 (unsigned "
                       "byte) is supported",
                       path, (unsigned)m[2], (unsigned)magic);
    }
    if (m[3] < 1 || m[3] > 4)
        return vs_fail(VS_EFORMAT, "%s: %d dimensions (magic 0x%08x); 1 to 4 are supported", path,
                       (int)m[3], (unsigned)magic);
    *ndim = m[3];
    return VS_OK;
}

/* "60000 x 28 x 28" into buf. */
static void format_dims(char *buf, size_t n, const uint32_t *dims, int ndim)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < ndim && used < n; i++) {
        int k = snprintf(buf + used, n - used, "%s%u", i ? " x " : "", (unsigned)dims[i]);
        if (k < 0) break;
        used += (size_t)k;
    }
}

/* Read and check the dimensions; *count is their product. */
static vs_status read_dims(gzFile gz, const char *path, int ndim, uint32_t *dims, size_t *count)
{
    unsigned char raw[16];
    size_t want = 4 * (size_t)ndim, got;
    vs_status s = read_upto(gz, path, raw, want, &got);
    if (s != VS_OK) return s;
    if (got < want) {
        if (gz_truncated(gz))
            return vs_fail(VS_EFORMAT, "%s: truncated gzip stream (unexpected end of file) in the "
                           "IDX header", path);
        return vs_fail(VS_EFORMAT, "%s: truncated header: %d dimension sizes need %zu bytes, got %zu",
                       path, ndim, want, got);
    }
    uint64_t prod = 1; /* stays <= 2^30, so prod * dim < 2^62 never overflows */
    for (int i = 0; i < ndim; i++) {
        dims[i] = be32(raw + 4 * i);
        if (dims[i] == 0) return vs_fail(VS_EFORMAT, "%s: dimension %d of %d is 0", path, i + 1, ndim);
    }
    for (int i = 0; i < ndim; i++) {
        prod *= dims[i];
        if (prod > VS_IDX_MAX_BYTES) {
            char shape[64];
            format_dims(shape, sizeof shape, dims, ndim);
            return vs_fail(VS_EFORMAT, "%s: shape %s is larger than the %zu-byte limit", path,
                           shape, VS_IDX_MAX_BYTES);
        }
    }
    *count = (size_t)prod;
    return VS_OK;
}

/* Header and payload of an open stream into out (already zeroed by the caller). */
static vs_status read_idx(gzFile gz, const char *path, vs_idx *out)
{
    unsigned char magic[4];
    size_t got;
    vs_status s = read_upto(gz, path, magic, 4, &got);
    if (s != VS_OK) return s;
    if (got < 4) {
        if (gz_truncated(gz))
            return vs_fail(VS_EFORMAT, "%s: truncated gzip stream (unexpected end of file) in the "
                           "IDX header", path);
        if (got == 0) return vs_fail(VS_EFORMAT, "%s: empty file (expected an IDX header)", path);
        return vs_fail(VS_EFORMAT, "%s: truncated header: %zu bytes (an IDX file starts with a "
                       "4-byte magic)", path, got);
    }
    if ((s = check_magic(path, magic, &out->ndim)) != VS_OK) return s;
    if ((s = read_dims(gz, path, out->ndim, out->dims, &out->count)) != VS_OK) return s;

    out->data = malloc(out->count);
    if (!out->data)
        return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory for %zu bytes", path, out->count);
    if ((s = read_upto(gz, path, out->data, out->count, &got)) != VS_OK) return s;
    if (got < out->count) {
        if (gz_truncated(gz))
            return vs_fail(VS_EFORMAT, "%s: truncated gzip stream (unexpected end of file) after "
                           "%zu of %zu data bytes", path, got, out->count);
        return vs_fail(VS_EFORMAT, "%s: truncated: expected %zu data bytes, got %zu", path,
                       out->count, got);
    }
    size_t extra;
    if ((s = count_rest(gz, path, &extra)) != VS_OK) return s;
    if (gz_truncated(gz)) /* all data arrived but the gzip trailer (CRC, length) did not */
        return vs_fail(VS_EFORMAT, "%s: truncated gzip stream (unexpected end of file) after the "
                       "%zu data bytes", path, out->count);
    if (extra > 0)
        return vs_fail(VS_EFORMAT, "%s: %zu bytes of trailing data after the %zu data bytes", path,
                       extra, out->count);
    return VS_OK;
}

vs_status vs_idx_load(const char *path, vs_idx *out)
{
    if (!out) return vs_fail(VS_EINVAL, "vs_idx_load: out is NULL");
    if (!path) return vs_fail(VS_EINVAL, "vs_idx_load: path is NULL");

    int fd = open(path, O_RDONLY);
    if (fd < 0) return vs_fail(VS_EIO, "cannot read '%s': %s", path, strerror(errno));
    struct stat st;
    int err = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (err) {
        close(fd);
        return vs_fail(VS_EIO, "cannot read '%s': %s", path, strerror(err));
    }
    gzFile gz = gzdopen(fd, "rb");
    if (!gz) {
        close(fd);
        return vs_fail(VS_ENOMEM, "cannot read '%s': out of memory", path);
    }
    gzbuffer(gz, 1u << 17);

    vs_idx x = {0};
    vs_status s = read_idx(gz, path, &x);
    int rc = gzclose_r(gz); /* also reports a stream cut short */
    if (s == VS_OK && rc != Z_OK) {
        if (rc == Z_BUF_ERROR)
            s = vs_fail(VS_EFORMAT, "%s: truncated gzip stream (unexpected end of file)", path);
        else
            s = vs_fail(VS_EIO, "cannot read '%s': error %d closing the file", path, rc);
    }
    if (s != VS_OK) {
        free(x.data);
        return s;
    }
    *out = x;
    return VS_OK;
}

void vs_idx_free(vs_idx *x)
{
    if (!x) return;
    free(x->data);
    memset(x, 0, sizeof *x);
}

/* ---- datasets ---------------------------------------------------------- */

/* "<dir>/<prefix>-<kind>-ubyte", or that plus ".gz" when only that exists.
 * *path is malloc'ed. kind is "images-idx3" or "labels-idx1". */
static vs_status find_file(const char *dir, const char *prefix, const char *kind, char **path)
{
    size_t len = strlen(dir);
    const char *sep = len > 0 && dir[len - 1] == '/' ? "" : "/";
    size_t n = len + strlen(prefix) + strlen(kind) + 16;
    char *plain = malloc(n), *gz = malloc(n);
    if (!plain || !gz) {
        free(plain), free(gz);
        return vs_fail(VS_ENOMEM, "cannot read data directory '%s': out of memory", dir);
    }
    snprintf(plain, n, "%s%s%s-%s-ubyte", dir, sep, prefix, kind);
    snprintf(gz, n, "%s.gz", plain);
    struct stat st;
    if (stat(plain, &st) == 0) {
        free(gz);
        *path = plain;
        return VS_OK;
    }
    if (stat(gz, &st) == 0) {
        free(plain);
        *path = gz;
        return VS_OK;
    }
    vs_status s = vs_fail(VS_EIO, "no %s file in '%s': neither '%s' nor '%s' exists", kind, dir,
                          plain, gz);
    free(plain), free(gz);
    return s;
}

static vs_status check_dataset(const vs_idx *img, const char *img_path, const vs_idx *lab,
                               const char *lab_path)
{
    if (img->ndim != 3)
        return vs_fail(VS_EFORMAT, "%s: an image file needs 3 dimensions (n, rows, cols), found %d",
                       img_path, img->ndim);
    if (lab->ndim != 1)
        return vs_fail(VS_EFORMAT, "%s: a label file needs 1 dimension, found %d", lab_path,
                       lab->ndim);
    if (img->dims[0] != lab->dims[0])
        return vs_fail(VS_EFORMAT, "%s: %u images but %u labels in '%s'", img_path,
                       (unsigned)img->dims[0], (unsigned)lab->dims[0], lab_path);
    for (size_t i = 0; i < lab->count; i++)
        if (lab->data[i] > 9)
            return vs_fail(VS_EFORMAT, "%s: label %u at index %zu is not in 0..9", lab_path,
                           (unsigned)lab->data[i], i);
    return VS_OK;
}

vs_status vs_dataset_load(const char *dir, const char *prefix, vs_dataset *out)
{
    if (!out) return vs_fail(VS_EINVAL, "vs_dataset_load: out is NULL");
    if (!dir || !*dir) return vs_fail(VS_EINVAL, "vs_dataset_load: no data directory given");
    if (!prefix || (strcmp(prefix, "train") != 0 && strcmp(prefix, "t10k") != 0))
        return vs_fail(VS_EINVAL, "vs_dataset_load: unknown set '%s' (expected train or t10k)",
                       prefix ? prefix : "(null)");

    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT)
            return vs_fail(VS_EIO,
                           "data directory '%s' does not exist (pass --data DIR or set VO2SNN_DATA)",
                           dir);
        return vs_fail(VS_EIO, "cannot read data directory '%s': %s", dir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return vs_fail(VS_EIO, "data directory '%s' is not a directory", dir);

    char *img_path = NULL, *lab_path = NULL;
    vs_idx img = {0}, lab = {0};
    vs_status s;
    if ((s = find_file(dir, prefix, "images-idx3", &img_path)) != VS_OK) goto done;
    if ((s = find_file(dir, prefix, "labels-idx1", &lab_path)) != VS_OK) goto done;
    if ((s = vs_idx_load(img_path, &img)) != VS_OK) goto done;
    if ((s = vs_idx_load(lab_path, &lab)) != VS_OK) goto done;
    if ((s = check_dataset(&img, img_path, &lab, lab_path)) != VS_OK) goto done;

    out->n = img.dims[0];
    out->rows = (int)img.dims[1]; /* both <= 2^30 */
    out->cols = (int)img.dims[2];
    out->images = img.data;
    out->labels = lab.data;
    out->images_path = img_path;
    out->labels_path = lab_path;
    img.data = lab.data = NULL;
    img_path = lab_path = NULL;

done:
    vs_idx_free(&img);
    vs_idx_free(&lab);
    free(img_path);
    free(lab_path);
    return s;
}

void vs_dataset_free(vs_dataset *d)
{
    if (!d) return;
    free(d->images);
    free(d->labels);
    free(d->images_path);
    free(d->labels_path);
    memset(d, 0, sizeof *d);
}

size_t vs_dataset_pixels(const vs_dataset *d)
{
    return (size_t)d->rows * (size_t)d->cols;
}

const uint8_t *vs_dataset_image(const vs_dataset *d, size_t i)
{
    return i < d->n ? d->images + i * vs_dataset_pixels(d) : NULL;
}

long vs_dataset_find_label(const vs_dataset *d, int label)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->labels[i] == label) return (long)i;
    return -1;
}

/* The images file for messages ("the images" for a dataset built in memory). */
static const char *images_name(const vs_dataset *d)
{
    return d->images_path ? d->images_path : "the images";
}

vs_status vs_dataset_check_inputs(const vs_dataset *d, int n_inputs, const char *source)
{
    if (n_inputs >= 0 && (size_t)n_inputs == vs_dataset_pixels(d)) return VS_OK;
    return vs_fail(VS_EINVAL, "%s takes %d inputs but '%s' has %d x %d = %zu pixels per image",
                   source, n_inputs, images_name(d), d->rows, d->cols, vs_dataset_pixels(d));
}

vs_status vs_dataset_check_same_shape(const vs_dataset *a, const vs_dataset *b)
{
    if (a->rows == b->rows && a->cols == b->cols) return VS_OK;
    return vs_fail(VS_EINVAL, "'%s' has %d x %d images but '%s' has %d x %d", images_name(a),
                   a->rows, a->cols, images_name(b), b->rows, b->cols);
}

/* ---- telling MNIST from Fashion-MNIST ---------------------------------- */

#define GUESS_MIN_IMAGES 200

/* Mean pixel value and fraction of zero pixels over the whole set. */
static void pixel_stats(const vs_dataset *d, double *mean, double *zeros)
{
    size_t total = d->n * vs_dataset_pixels(d), n_zero = 0;
    uint64_t sum = 0;
    for (size_t i = 0; i < total; i++) {
        sum += d->images[i];
        n_zero += d->images[i] == 0;
    }
    *mean = total ? (double)sum / (double)total : 0.0;
    *zeros = total ? (double)n_zero / (double)total : 0.0;
}

const char *vs_dataset_guess(const vs_dataset *d)
{
    if (d->rows != 28 || d->cols != 28 || d->n < GUESS_MIN_IMAGES) return NULL;
    double mean, zeros;
    pixel_stats(d, &mean, &zeros);
    if (mean < 50 && zeros > 0.70) return "mnist";
    if (mean > 58) return "fashion";
    return NULL;
}

static const char *dataset_title(const char *name)
{
    return strcmp(name, "mnist") == 0 ? "MNIST" : "Fashion-MNIST";
}

vs_status vs_dataset_check_kind(const vs_dataset *d, const char *dataset)
{
    if (!dataset || (strcmp(dataset, "mnist") != 0 && strcmp(dataset, "fashion") != 0))
        return vs_fail(VS_EINVAL, "unknown dataset '%s' (expected mnist or fashion)",
                       dataset ? dataset : "(null)");
    const char *guess = vs_dataset_guess(d);
    if (!guess || strcmp(guess, dataset) == 0) return VS_OK;
    double mean, zeros;
    pixel_stats(d, &mean, &zeros);
    return vs_fail(VS_EFORMAT,
                   "'%s' looks like %s, not %s (mean pixel %.1f, %.0f %% zeros; %s's mean is "
                   "about %s)",
                   images_name(d), dataset_title(guess), dataset_title(dataset), mean, 100 * zeros,
                   dataset_title(dataset), strcmp(dataset, "mnist") == 0 ? "33" : "73");
}

vs_status vs_data_dir(const char *explicit_dir, const char *dataset, char *buf, size_t n)
{
    if (!buf || n == 0) return vs_fail(VS_EINVAL, "vs_data_dir: no output buffer");
    if (!dataset || (strcmp(dataset, "mnist") != 0 && strcmp(dataset, "fashion") != 0))
        return vs_fail(VS_EINVAL, "unknown dataset '%s' (expected mnist or fashion)",
                       dataset ? dataset : "(null)");

    const char *dir = NULL;
    struct stat st;
    if (explicit_dir && *explicit_dir)
        dir = explicit_dir;
    else if ((dir = getenv("VO2SNN_DATA")) && *dir)
        ;
    else if (strcmp(dataset, "fashion") == 0 && stat(FASHION_DEFAULT_DIR, &st) == 0 &&
             S_ISDIR(st.st_mode))
        dir = FASHION_DEFAULT_DIR;
    else
        return vs_fail(VS_EINVAL, "no data directory: pass --data DIR or set VO2SNN_DATA");

    if (strlen(dir) >= n)
        return vs_fail(VS_EINVAL, "data directory '%s' is longer than %zu bytes", dir, n - 1);
    memcpy(buf, dir, strlen(dir) + 1);
    return VS_OK;
}
