/*
 * idx.h -- IDX files (the MNIST format) and MNIST-style datasets.
 *
 * An IDX file is a 4-byte big-endian magic 0x0000TTNN (TT the element type,
 * NN the number of dimensions), NN big-endian uint32 dimensions, then the
 * elements in row-major order. Only type 0x08 (unsigned byte) with 1..4
 * dimensions is supported: MNIST labels are 0x00000801 (n), images
 * 0x00000803 (n, rows, cols). Files may be raw or gzip-compressed; zlib
 * tells them apart by content, not by name.
 *
 * Datasets: a directory holding the four standard files
 *   train-images-idx3-ubyte  train-labels-idx1-ubyte
 *   t10k-images-idx3-ubyte   t10k-labels-idx1-ubyte
 * each raw or with a ".gz" suffix. Fashion-MNIST (Debian's
 * dataset-fashion-mnist, in /usr/share/datasets/fashion-mnist/) uses exactly
 * these names, gzip-compressed.
 *
 * Ownership: vs_idx_load() and vs_dataset_load() allocate (a dataset also
 * keeps the paths of the two files it read); release with vs_idx_free() /
 * vs_dataset_free(). On failure the output struct is left untouched and
 * nothing is allocated; vs_last_error() names the file and the problem.
 */
#ifndef VO2SNN_IDX_H
#define VO2SNN_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "vo2snn/status.h"

#define VS_IDX_MAX_BYTES ((size_t)1 << 30) /* largest payload vs_idx_load() accepts */

typedef struct vs_idx {
    uint8_t *data;     /* count bytes, row-major */
    int ndim;          /* 1..4 */
    uint32_t dims[4];  /* dims[0..ndim-1], each >= 1; unused entries are 0 */
    size_t count;      /* product of dims */
} vs_idx;

/*
 * Load an unsigned-byte IDX file, raw or gzip-compressed.
 *
 * Validates the magic, the type code (only 0x08), ndim (1..4), every
 * dimension (>= 1), the element count (<= VS_IDX_MAX_BYTES) and that the
 * payload holds exactly count bytes. Errors: VS_EIO "cannot read 'f': No
 * such file or directory"; VS_EFORMAT "f: truncated: expected 47040000 data
 * bytes, got 123", "f: 5 bytes of trailing data after the 784 data bytes",
 * "f: truncated gzip stream (unexpected end of file) ...", "f: type code 0x0d
 * (float) is not supported ...", ...; VS_ENOMEM. *out is untouched on
 * failure.
 */
vs_status vs_idx_load(const char *path, vs_idx *out);

/* Free x's data and zero it. NULL or a zeroed struct is a no-op. */
void vs_idx_free(vs_idx *x);

typedef struct vs_dataset {
    size_t n;          /* images */
    int rows, cols;    /* 28 x 28 for MNIST */
    uint8_t *images;   /* (n, rows*cols), row-major, 0..255 */
    uint8_t *labels;   /* (n), 0..9 */
    char *images_path; /* the files read, e.g. "DIR/t10k-images-idx3-ubyte.gz" (owned) */
    char *labels_path;
} vs_dataset;

/*
 * Load "<dir>/<prefix>-images-idx3-ubyte" and "<dir>/<prefix>-labels-idx1-ubyte",
 * prefix "train" or "t10k". For each, the raw file is used if it exists,
 * else the one with ".gz" appended.
 *
 * Checks: images have 3 dimensions and labels 1; the counts agree
 * ("f: 60000 images but 59999 labels in 'g'"); every label is in 0..9.
 * Errors: VS_EINVAL for a bad prefix; VS_EIO "data directory 'x' does not
 * exist (pass --data DIR or set VO2SNN_DATA)", or a missing file (both
 * candidate names given); VS_EFORMAT / VS_EIO / VS_ENOMEM from
 * vs_idx_load(). *out is untouched on failure.
 */
vs_status vs_dataset_load(const char *dir, const char *prefix, vs_dataset *out);

/* Free d's arrays and paths and zero it. NULL or a zeroed struct is a no-op. */
void vs_dataset_free(vs_dataset *d);

/* Pixels per image, rows * cols. */
size_t vs_dataset_pixels(const vs_dataset *d);

/* Image i of d (vs_dataset_pixels(d) bytes, borrowed), or NULL if i >= d->n. */
const uint8_t *vs_dataset_image(const vs_dataset *d, size_t i);

/* Index of the first image labelled `label`, or -1 if the set has none. */
long vs_dataset_find_label(const vs_dataset *d, int label);

/*
 * VS_EINVAL unless d's images have n_inputs pixels, the input size of a network
 * described by `source` (e.g. "checkpoint 'ck.vsck'"): "checkpoint 'ck.vsck' takes
 * 100 inputs but 'DIR/t10k-images-idx3-ubyte' has 28 x 28 = 784 pixels per image".
 */
vs_status vs_dataset_check_inputs(const vs_dataset *d, int n_inputs, const char *source);

/* VS_EINVAL unless a and b have images of the same rows x cols (naming both files). */
vs_status vs_dataset_check_same_shape(const vs_dataset *a, const vs_dataset *b);

/*
 * Which known data set d looks like, by content: "mnist", "fashion", or NULL when
 * it cannot tell (images not 28 x 28, fewer than 200 images, or in between). The two
 * share file names and format but not their pixels: MNIST digits have a mean pixel
 * of about 33 with about 81 % of pixels 0, Fashion-MNIST a mean of about 73. A set
 * is called MNIST at a mean below 50 with more than 70 % zeros, Fashion-MNIST at a
 * mean above 58 (any 500-image stretch of MNIST lies between 29 and 42).
 */
const char *vs_dataset_guess(const vs_dataset *d);

/*
 * VS_EFORMAT when `dataset` ("mnist" or "fashion") is not what d looks like by
 * vs_dataset_guess(), e.g. "'DIR/t10k-images-idx3-ubyte.gz' looks like MNIST, not
 * Fashion-MNIST (mean pixel 33.8, 81 % zeros; Fashion-MNIST's mean is about 73)".
 * VS_OK when it matches or the guess is NULL; VS_EINVAL for another name.
 */
vs_status vs_dataset_check_kind(const vs_dataset *d, const char *dataset);

/*
 * Resolve the data directory for dataset "mnist" or "fashion" into buf (n
 * bytes): explicit_dir if non-NULL and non-empty, else $VO2SNN_DATA if set
 * and non-empty, else (for "fashion" only) /usr/share/datasets/fashion-mnist
 * if that directory exists. Note that $VO2SNN_DATA applies to both datasets.
 *
 * Errors (VS_EINVAL): unknown dataset name; "no data directory: pass --data
 * DIR or set VO2SNN_DATA"; buf too small. Does not check that the chosen
 * directory exists (vs_dataset_load() does). buf is untouched on failure.
 */
vs_status vs_data_dir(const char *explicit_dir, const char *dataset, char *buf, size_t n);

#endif
