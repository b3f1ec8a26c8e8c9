/*
 * make_seeds.c -- write the seed corpora fuzz/corpus/<target>/ (`make fuzz-seeds`).
 *
 * Small valid inputs and slightly broken ones for every fuzz target. The output is
 * deterministic and checked in; rerun this after changing a file format. Names say
 * what tests/test_fuzz_regress.c expects of the target's main parser: "ok_*" must
 * succeed, "bad_*" must fail; other names must only not crash.
 *
 * Usage: make_seeds [OUTDIR]   (default fuzz/corpus)
 */
#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "harness.h"

static const char *out_dir = "fuzz/corpus";
static int failures;

static void put_file(const char *target, const char *name, const void *data, size_t n)
{
    char dir[512], path[1024];
    snprintf(dir, sizeof dir, "%s/%s", out_dir, target);
    if (mkdir(out_dir, 0777) != 0 && errno != EEXIST) perror(out_dir);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) perror(dir);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) {
        fprintf(stderr, "make_seeds: cannot write %s\n", path);
        failures++;
    }
}

static void put_text(const char *target, const char *name, const char *text)
{
    put_file(target, name, text, strlen(text));
}


/* gzip-compress src into dst (cap bytes); returns the compressed length. */
static size_t gzip_bytes(const uint8_t *src, size_t n, uint8_t *dst, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    /* windowBits 15 + 16: a gzip wrapper, header with mtime 0 (deterministic) */
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
    z.next_in = (Bytef *)(uintptr_t)src;
    z.avail_in = (uInt)n;
    z.next_out = dst;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) abort();
    size_t len = z.total_out;
    deflateEnd(&z);
    return len;
}

static size_t be32_put(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 24), b[1] = (uint8_t)(v >> 16), b[2] = (uint8_t)(v >> 8), b[3] = (uint8_t)v;
    return 4;
}

/* An IDX header (type 0x08) for dims into b; returns its length. */
static size_t idx_header(uint8_t *b, int ndim, const uint32_t *dims)
{
    b[0] = 0, b[1] = 0, b[2] = 0x08, b[3] = (uint8_t)ndim;
    for (int i = 0; i < ndim; i++) be32_put(b + 4 + 4 * i, dims[i]);
    return 4 + 4 * (size_t)ndim;
}

static void idx_seeds(void)
{
    const char *T = "idx";
    uint8_t img[64], lab[16], both[96], gz[256], b[2048];
    size_t ni = idx_header(img, 3, (const uint32_t[]){3, 2, 2});
    for (int i = 0; i < 12; i++) img[ni++] = (uint8_t)(i * 21);
    size_t nl = idx_header(lab, 1, (const uint32_t[]){3});
    lab[nl++] = 7, lab[nl++] = 0, lab[nl++] = 9;
    put_file(T, "ok_images_3x2x2.idx", img, ni);
    put_file(T, "ok_labels_3.idx", lab, nl);
    size_t ng = gzip_bytes(img, ni, gz, sizeof gz);
    put_file(T, "ok_images_3x2x2.idx.gz", gz, ng);
    put_file(T, "bad_gzip_truncated.idx.gz", gz, ng - 5);   /* trailer cut off */
    put_file(T, "bad_gzip_cut_in_data.idx.gz", gz, ng / 2);
    memcpy(b, gz, ng);
    b[12] ^= 0x41;                                          /* corrupt deflate data */
    put_file(T, "bad_gzip_corrupt.idx.gz", b, ng);
    memcpy(b, gz, ng);
    b[ng - 8] ^= 1;                                         /* CRC mismatch */
    put_file(T, "bad_gzip_crc.idx.gz", b, ng);
    size_t nlg = gzip_bytes(lab, nl, gz, sizeof gz);
    put_file(T, "ok_labels_3.idx.gz", gz, nlg);

    /* images then labels: vs_idx_load() sees trailing data, vs_dataset_load() a dataset */
    memcpy(both, img, ni);
    memcpy(both + ni, lab, nl);
    put_file(T, "dataset_3x2x2.bin", both, ni + nl);
    both[ni + nl - 1] = 10;                                 /* label out of 0..9 */
    put_file(T, "dataset_bad_label.bin", both, ni + nl);

    size_t n4 = idx_header(b, 4, (const uint32_t[]){1, 1, 2, 3});
    for (int i = 0; i < 6; i++) b[n4++] = (uint8_t)(255 - i);
    put_file(T, "ok_4d_1x1x2x3.idx", b, n4);

    /* MNIST layout: the real 16-byte header of train-images (60000 x 28 x 28) alone,
       the real labels header with the first labels, and one synthetic 28 x 28 image */
    static const uint8_t mnist_images_header[16] = {0, 0, 8, 3, 0, 0, 0xEA, 0x60,
                                                    0, 0, 0, 28, 0, 0, 0, 28};
    put_file(T, "bad_mnist_train_images_header_only.idx", mnist_images_header, 16);
    static const uint8_t mnist_labels_start[18] = {0, 0, 8, 1, 0, 0, 0xEA, 0x60, 5,
                                                   0, 4, 1, 9, 2, 1, 3, 1, 4};
    put_file(T, "bad_mnist_train_labels_first10.idx", mnist_labels_start, 18);
    size_t nm = idx_header(b, 3, (const uint32_t[]){1, 28, 28});
    for (int r = 0; r < 28; r++)
        for (int c = 0; c < 28; c++) {
            int dr = r - 14, dc = c - 14, d2 = dr * dr + dc * dc;
            b[nm++] = (uint8_t)(d2 >= 36 && d2 <= 81 ? 255 : 0); /* a "0" */
        }
    put_file(T, "ok_mnist_like_1x28x28.idx", b, nm);
    size_t nmg = gzip_bytes(b, nm, gz, sizeof gz);
    put_file(T, "ok_mnist_like_1x28x28.idx.gz", gz, nmg);

    /* header faults */
    put_file(T, "bad_empty.idx", "", 0);
    put_file(T, "bad_magic_2bytes.idx", "\0\0", 2);
    put_file(T, "bad_truncated_data.idx", img, ni - 3);
    put_file(T, "bad_truncated_dims.idx", img, 9);
    memcpy(b, img, ni);
    b[ni] = 1;
    put_file(T, "bad_trailing_byte.idx", b, ni + 1);
    memcpy(b, img, ni);
    b[2] = 0x0D;
    put_file(T, "bad_type_float.idx", b, ni);
    b[2] = 0x42;
    put_file(T, "bad_type_unknown.idx", b, ni);
    memcpy(b, img, ni);
    b[3] = 5;
    put_file(T, "bad_ndim5.idx", b, ni);
    b[3] = 0;
    put_file(T, "bad_ndim0.idx", b, ni);
    memcpy(b, img, ni);
    be32_put(b + 8, 0);
    put_file(T, "bad_zero_dim.idx", b, ni);
    size_t nh = idx_header(b, 3, (const uint32_t[]){65536, 65536, 1});
    put_file(T, "bad_shape_over_limit.idx", b, nh);
    memcpy(b, "\x1f\x8b", 2);
    put_file(T, "bad_gzip_magic_only.idx.gz", b, 2);
}

static void kv_device_seeds(void)
{
    const char *T = "kv_device";
    put_text(T, "ok_preset3_overrides.txt",
             "# device 3 with a faster thermal constant\n"
             "preset = 3\n"
             "r_met = 600 Ohm   # trailing comment\n"
             "tau_th = 150ns\n");
    put_text(T, "ok_vacancy.txt", "vacancy = 0.35\nsigma_lnr = 0.05\n");
    put_text(T, "ok_c_th_last.txt", "c_th = 2.4e-11 J/K\ng_th=5uW/K\n");
    put_text(T, "ok_crlf.txt", "preset = 2\r\nt_amb = 300 K\r\n\r\n");
    put_text(T, "ok_empty.txt", "");
    put_text(T, "ok_comments_only.txt", "# nothing\n   \n\t# more\n");
    vs_device_params p;
    vs_device_preset(2, &p);
    {   /* every key of the model, as vs_device_write generates it from the parameter table */
        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        if (!mem || vs_device_write(mem, &p) != VS_OK || fclose(mem) != 0) failures++;
        else put_text(T, "ok_every_key.txt", text);
        free(text);
    }
    put_text(T, "ok_zhang2024.txt", "model = zhang2024\nrev_dt = 0.02 K\nname = Zhang fit\n");
    put_text(T, "ok_switch_preset.txt", "preset = 3\nmodel = switch\nt_delay = 0\n");
    put_text(T, "bad_model_unknown.txt", "model = vo3\n");
    put_text(T, "bad_key_of_other_model.txt", "model = switch\nr_ins0 = 3k\n");
    put_text(T, "ok_prefixes.txt", "r_ins0 = 24.1 kOhm\nr_met = 0.5k\ntau_th = 100 us\n"
                                   "g_th = 3 \xC2\xB5W/K\n");
    put_text(T, "bad_unknown_dotted_key.txt", "r_met.note-x = 1\n");
    put_text(T, "bad_duplicate.txt", "r_met = 600\nr_met = 700\n");
    put_text(T, "bad_key_space.txt", "r ins0 = 3k\n");
    put_text(T, "bad_key_digit.txt", "0r = 3\n");
    put_text(T, "bad_no_value.txt", "r_met =   # nothing\n");
    put_text(T, "bad_no_equals.txt", "r_met 600\n");
    put_text(T, "bad_no_key.txt", " = 600\n");
    put_text(T, "bad_wrong_unit.txt", "r_met = 3 kV\n");
    put_text(T, "bad_unknown_key.txt", "r_foo = 3\n");
    put_text(T, "bad_negative.txt", "r_met = -5\n");
    put_text(T, "bad_preset_and_vacancy.txt", "preset = 2\nvacancy = 0.5\n");
    put_text(T, "bad_preset_range.txt", "preset = 6\n");
    put_text(T, "bad_c_th_zero.txt", "c_th = 0\n");
    put_text(T, "bad_nan.txt", "t_c = nan\n");
    put_file(T, "bad_nul_byte.txt", "r_met = 6\0000\n", 12);
    char *long_line = malloc(4200);
    if (!long_line) abort();
    memset(long_line, 'x', 4199);
    memcpy(long_line, "r_met = 1", 9);
    long_line[4199] = '\0';
    put_text(T, "bad_line_too_long.txt", long_line);
    free(long_line);
    /* vs_device_apply_list() reads the same bytes as "k=v,k=v" */
    put_text(T, "list_r_met_tau.txt", "r_met=600,tau_th=150ns");
    put_text(T, "list_preset_spaces.txt", " preset =4, t_amb= 290K ,");
}

static void pwl_csv_seeds(void)
{
    const char *T = "pwl_csv";
    put_text(T, "ok_header.csv", "t_s,v_v\n0,0\n1e-6,12\n5e-6,12\n6e-6,0\n");
    put_text(T, "ok_no_header.csv", "0,1\n2e-6,3.5\n");
    put_text(T, "ok_quoted_crlf_comments.csv",
             "# a pulse\r\n\"t_s\",\"v \"\"in\"\" (V)\"\r\n\r\n  # comment\r\n0 , 1\r\n\"1e-6\",2\r\n");
    put_text(T, "ok_single_knot.csv", "0,5\n");
    put_text(T, "ok_no_final_newline.csv", "t,v\n0,0\n1,1");
    put_text(T, "bad_decreasing.csv", "0,0\n2,1\n1,2\n");
    put_text(T, "bad_repeated_time.csv", "0,0\n1,1\n1,2\n");
    put_text(T, "bad_negative_time.csv", "-1,0\n0,1\n");
    put_text(T, "bad_three_columns.csv", "t,v,w\n0,1,2\n");
    put_text(T, "bad_one_column.csv", "0\n1\n");
    put_text(T, "bad_ragged.csv", "0,1\n1,2,3\n");
    put_text(T, "bad_inf.csv", "0,1\n1,inf\n");
    put_text(T, "bad_nan.csv", "0,nan\n");
    put_text(T, "bad_text_value.csv", "t,v\n0,abc\n");
    put_text(T, "bad_empty_cell.csv", "0,\n");
    put_text(T, "bad_unterminated_quote.csv", "\"t,v\n0,1\n");
    put_text(T, "bad_text_after_quote.csv", "\"t\"x,v\n0,1\n");
    put_text(T, "bad_header_only.csv", "t_s,v_v\n");
    put_text(T, "bad_empty.csv", "");
    put_file(T, "bad_nul_byte.csv", "0,1\n1,\0002\n", 9);
    put_text(T, "bad_overflow.csv", "0,1e999\n");
}

static void csv_header_seeds(void)
{
    const char *T = "csv_header";
    put_text(T, "ok_bom_ramp.csv", "\xEF\xBB\xBF" "0,0\n1e-6,12.5\n");
    put_text(T, "ok_bom_header.csv", "\xEF\xBB\xBF" "t_s,v_v\r\n0,0\r\n1e-6,1\r\n");
    put_text(T, "ok_header.csv", "t_s,v_v\n0,0\n2e-6,3\n");
    put_text(T, "ok_no_header.csv", "0,0\n2e-6,3\n");
    put_text(T, "ok_comment_then_header.csv", "# wave\n\n \"t, s\" , \"v\"\n0,1\n");
    put_text(T, "ok_bom_comment.csv", "\xEF\xBB\xBF" "# made by a spreadsheet\n0,1\n1,2\n");
    put_text(T, "ok_text_header_one_column.csv", "v\n1\n2\n");
    put_text(T, "bad_typo_in_first_row.csv", "0,O\n1e-6,3\n");
    put_text(T, "bad_number_in_header.csv", "t_s,1\n0,0\n");
    put_text(T, "bad_empty_header_cell.csv", "t_s,\n0,1\n");
    put_text(T, "bad_empty_cell_first_row.csv", "0,\n1,2\n");
    put_text(T, "bad_bom_in_second_row.csv", "0,1\n\xEF\xBB\xBF" "1,2\n");
    put_text(T, "bad_bom_only.csv", "\xEF\xBB\xBF");
    put_text(T, "bad_two_boms.csv", "\xEF\xBB\xBF\xEF\xBB\xBF" "0,0\n1,1\n");
    put_text(T, "bad_header_only_bom.csv", "\xEF\xBB\xBF" "t_s,v_v\n");
    put_text(T, "bad_nan_header.csv", "t,nan\n0,1\n");
    char big[2200], *w = big;
    for (int i = 0; i < 100; i++) w += sprintf(w, "%d.5e-7,%d\n", i, i % 3);
    put_text(T, "ok_100_knots.csv", big);
}

static void cache_seeds(void)
{
    const char *T = "cache";
    char dir[600], path[1024];
    snprintf(dir, sizeof dir, "%s/%s", out_dir, T);
    mkdir(out_dir, 0777);
    mkdir(dir, 0777);
    vs_device_params dev, other;
    vs_circuit c;
    vs_transfer_opts o;
    fuzz_cache_settings(&dev, &c, &o);
    const double f[FUZZ_CACHE_POINTS] = {0, 0, 1.25e5, 1.5e5, 0};
    const double s[FUZZ_CACHE_POINTS] = {0, 0.01, 0.5, 0.75, 2.5};
    snprintf(path, sizeof path, "%s/ok_small.csv", dir);
    if (vs_transfer_cache_save(path, &dev, &c, &o, f, s) != VS_OK) failures++;
    vs_device_preset(2, &other);
    snprintf(path, sizeof path, "%s/bad_other_device.csv", dir);
    if (vs_transfer_cache_save(path, &other, &c, &o, f, s) != VS_OK) failures++;
    const double neg[FUZZ_CACHE_POINTS] = {0, -1, 1.25e5, 1.5e5, 0};
    snprintf(path, sizeof path, "%s/bad_negative_rate.csv", dir);
    if (vs_transfer_cache_save(path, &dev, &c, &o, neg, s) != VS_OK) failures++;

    snprintf(path, sizeof path, "%s/ok_small.csv", dir);
    FILE *fp = fopen(path, "rb");
    char text[4096];
    size_t n = fp ? fread(text, 1, sizeof text - 1, fp) : 0;
    if (fp) fclose(fp);
    text[n] = '\0';
    char *crc = strstr(text, "# crc32 ");
    if (!crc) {
        failures++;
        return;
    }
    size_t body = (size_t)(crc - text);
    put_file(T, "bad_no_crc_line.csv", text, body);
    put_file(T, "bad_cut_short.csv", text, n / 2);
    put_file(T, "bad_no_final_newline.csv", text, n - 1);
    put_file(T, "bad_empty.csv", "", 0);
    char w[4096];
    memcpy(w, text, n);
    char *digit = strstr(w, "125000");
    if (digit) digit[0] = '6'; /* frequencies changed behind the checksum */
    put_file(T, "bad_crc_mismatch.csv", w, n);
    memcpy(w, text, n);
    w[n - 2] = w[n - 2] == 'A' ? 'B' : 'A'; /* upper-case hex digit */
    put_file(T, "bad_crc_not_lower_hex.csv", w, n);
    /* an extra row with its checksum fixed: the fuzzer's second pass sees such inputs */
    memcpy(w, text, body);
    size_t k = body + (size_t)sprintf(w + body, "1.25,0,0\n");
    k += (size_t)sprintf(w + k, "# crc32 %08lx\n", (unsigned long)crc32(crc32(0L, Z_NULL, 0), (const Bytef *)w, (uInt)k));
    put_file(T, "bad_extra_row.csv", w, k);
}

/* A network checkpoint for sizes (n_layers + 1 values), written through vs_checkpoint_save. */
static void checkpoint_seed(const char *name, int n_layers, const int *sizes, vs_loss_kind loss,
                            vs_optim_kind optim, int epochs, uint8_t **bytes, size_t *n_bytes)
{
    static vs_checkpoint_info info;
    memset(&info, 0, sizeof info);
    const vs_transfer *tf = fuzz_transfer();
    info.cfg = vs_mlp_config_for(tf);
    info.cfg.n_layers = n_layers;
    for (int l = 0; l <= n_layers; l++) info.cfg.sizes[l] = sizes[l];
    info.cfg.loss = loss;
    info.cfg.optim = optim;
    vs_device_preset(1, &info.device);
    info.circuit = vs_circuit_default();
    info.transfer = vs_transfer_opts_default();
    info.epoch = epochs;
    info.steps = 3L * epochs;
    info.seed = 11;
    info.batch = 2;
    info.epochs_planned = 4;
    info.shift_px = 1;
    info.cosine = 1;
    for (int e = 0; e < epochs; e++)
        info.history[e] = (vs_epoch_metrics){.loss = 0.5 / (e + 1), .train_acc = 0.3 + 0.1 * e,
                                              .test_acc = 0.25 + 0.1 * e, .seconds = 1.5};
    vs_rng rng;
    vs_rng_seed(&rng, 5, 0);
    vs_mlp *m = vs_mlp_new(&info.cfg, tf, 2, &rng);
    if (!m) {
        fprintf(stderr, "make_seeds: %s\n", vs_last_error());
        exit(1);
    }
    float *mom = vs_mlp_moments(m);
    for (size_t i = 0; i < 2 * vs_mlp_num_params(m); i++) mom[i] = 1e-3f * (float)(i % 7);
    vs_mlp_set_step_count(m, info.steps);
    char path[1024];
    snprintf(path, sizeof path, "%s/checkpoint/%s", out_dir, name);
    if (vs_checkpoint_save(path, &info, m) != VS_OK) {
        fprintf(stderr, "make_seeds: %s\n", vs_last_error());
        exit(1);
    }
    vs_mlp_free(m);
    FILE *f = fopen(path, "rb");
    if (!f) abort();
    fseek(f, 0, SEEK_END);
    *n_bytes = (size_t)ftell(f);
    rewind(f);
    *bytes = malloc(*n_bytes);
    if (!*bytes || fread(*bytes, 1, *n_bytes, f) != *n_bytes) abort();
    fclose(f);
}

/* Recompute the trailing crc32 of a checkpoint image in place. */
static void fix_crc(uint8_t *b, size_t n)
{
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), b, (uInt)(n - 4));
    memcpy(b + n - 4, &crc, 4);
}

static void checkpoint_seeds(void)
{
    const char *T = "checkpoint";
    char dir[600];
    snprintf(dir, sizeof dir, "%s/%s", out_dir, T);
    mkdir(out_dir, 0777);
    mkdir(dir, 0777);
    uint8_t *b, *c;
    size_t n, n1;
    checkpoint_seed("ok_4-3-2_adam_mse.vsck", 2, (const int[]){4, 3, 2}, VS_LOSS_MSE,
                    VS_OPTIM_ADAM, 2, &b, &n);
    checkpoint_seed("ok_3-2_sgd_ce.vsck", 1, (const int[]){3, 2}, VS_LOSS_CE, VS_OPTIM_SGD, 0,
                    &c, &n1);
    free(c);
    uint8_t *w = malloc(n);
    if (!w) abort();
    /* header layout: magic 8, version 4, header bytes 4, then n_layers at offset 16 */
    memcpy(w, b, n);
    w[n / 2] ^= 0x5a;
    put_file(T, "bad_crc_mismatch.vsck", w, n);
    put_file(T, "bad_truncated_100.vsck", b, 100);
    put_file(T, "bad_magic_only.vsck", b, 8);
    put_file(T, "bad_empty.vsck", "", 0);
    memcpy(w, b, n);
    w[0] = 'X';
    put_file(T, "bad_magic.vsck", w, n);
    memcpy(w, b, n);
    w[8] = 9; /* version 9 */
    fix_crc(w, n);
    put_file(T, "bad_version9.vsck", w, n);
    memcpy(w, b, n);
    w[16] = 7; /* 7 layers */
    fix_crc(w, n);
    put_file(T, "bad_seven_layers.vsck", w, n);
    memcpy(w, b, n);
    w[20] = 5; /* input layer of 5, parameters no longer match */
    fix_crc(w, n);
    put_file(T, "bad_param_count.vsck", w, n);
    memcpy(w, b, n);
    float nan = NAN;
    memcpy(w + n - 4 - 3 * 23 * 4 + 4, &nan, 4); /* parameter 1 of 23 (4*3+3 + 3*2+2) */
    fix_crc(w, n);
    put_file(T, "bad_nan_weight.vsck", w, n);
    memcpy(w, b, n - 4);
    put_file(T, "bad_no_crc.vsck", w, n - 4);
    free(w);
    free(b);
}

static void units_seeds(void)
{
    const char *T = "units";
    static const struct { const char *name, *text; } s[] = {
        {"ok_kohm", "3 kOhm\nOhm"},         {"ok_nf", "1.8nF\nF"},
        {"ok_us", "100us\ns"},              {"ok_ma_negative", "-2.5 mA\nA"},
        {"ok_kelvin", "300K\nK"},           {"ok_femto_farad", "10f\nF"},
        {"ok_farad", "2F\nF"},              {"ok_meg", "3meg"},
        {"ok_exponent", "4e-6"},            {"ok_volts", "12.5V\nV"},
        {"ok_omega", "2 \xCE\xA9\nOhm"},    {"ok_ohm_sign", "2k\xE2\x84\xA6\nOhm"},
        {"ok_micro_sign", "10 \xC2\xB5s\ns"}, {"ok_mu", "10\xCE\xBCs\ns"},
        {"ok_ev", "0.45 eV\neV"},           {"ok_w_per_k", "5uW/K\nW/K"},
        {"ok_spaces", "  42  "},            {"ok_k_space_ohm", "3 k Ohm\nOhm"},
        {"ok_ohms", "7 ohms\nOhm"},         {"ok_hz", "10kHz\nHz"},
        {"ok_fraction", ".5"},              {"ok_plus", "+5.e3"},
        {"bad_overflow", "1e400\nV"},       {"bad_nan", "nan"},
        {"bad_inf", "inf\nV"},              {"bad_wrong_unit", "3kV\nOhm"},
        {"bad_empty", ""},                  {"bad_garbage", "3x\nOhm"},
        {"bad_sign_only", "-"},             {"bad_dot_only", ".\nV"},
        {"bad_long_suffix", "1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nV"},
        {"cli_options", "--r-series=3k\n--c\n1.8n\n--seed\n-7\n--device=5\nin.csv"},
        {"cli_help", "--v-in\n-2\n-h"},     {"cli_bad_range", "--c=2\n--loss\nce"},
        {"cli_flag_value", "--plot=1"},     {"cli_double_dash", "--\n--plot\nx"},
        {"devices_range", "1-5"},           {"devices_list", "1,3, 5"},
        {"vacancies", "0,0.1,0.35"},        {"devices_backwards", "5-1"},
        {"list_params", "r_met=600,tau_th=150ns"},
        {"list_bad", "r_met,=3,preset=9"},
    };
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) put_text(T, s[i].name, s[i].text);
}

/* Append "text" to a dictionary once (libFuzzer dictionary syntax; keys and units are plain). */
static void dict_word(FILE *f, const char *w, char seen[][32], int *n_seen)
{
    for (int i = 0; i < *n_seen; i++)
        if (strcmp(seen[i], w) == 0) return;
    if (*n_seen < 256 && strlen(w) < 32) snprintf(seen[(*n_seen)++], 32, "%s", w);
    fprintf(f, "\"%s\"\n", w);
}

/* fuzz/dict/kv_device.dict (beside the corpus directory): the syntax, then every model's
   name, structural keys, parameter keys and units, from the models' tables. */
static void kv_device_dict(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/../dict/kv_device.dict", out_dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "make_seeds: cannot write %s\n", path);
        failures++;
        return;
    }
    static char seen[256][32];
    int n = 0;
    fprintf(f, "# libFuzzer dictionary for fuzz_kv_device (written by fuzz/make_seeds.c from the\n"
               "# models' parameter tables): syntax, model names, keys, units\n");
    fprintf(f, "\" = \"\n\"#\"\n\"\\x0d\\x0a\"\n\"\\xc2\\xb5\"\n\"meg\"\n\"kOhm\"\n\"ns\"\n");
    const char *fixed[] = {"model", "preset", "name"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) dict_word(f, fixed[i], seen, &n);
    for (int m = 0; m < vs_model_count(); m++) {
        const vs_model *md = vs_model_at(m);
        dict_word(f, md->name, seen, &n);
        if (md->coord_key) dict_word(f, md->coord_key, seen, &n);
        for (int i = 0; i < md->n_params; i++) {
            dict_word(f, md->params[i].key, seen, &n);
            if (md->params[i].unit[0]) dict_word(f, md->params[i].unit, seen, &n);
        }
        for (int a = 0; a < md->n_aliases; a++) {
            dict_word(f, md->aliases[a].key, seen, &n);
            dict_word(f, md->aliases[a].unit, seen, &n);
        }
    }
    if (fclose(f) != 0) failures++;
}

static void measured_seeds(void)
{
    const char *T = "measured";
    put_text(T, "ok_rt.csv", "temp_k,r_ohm,branch\n300,1e5,heating\n340,2e3,heating\n335,1.5e3,cooling\n"
                             "300,9e4,Cooling\n");
    put_text(T, "ok_rt_tool.csv", "temp_k,r_heat_ohm,r_cool_ohm\n290,44616.69758,44616.69758\n"
                                  "290.1,44344.74676,44344.74676\n");
    put_text(T, "ok_iv_branch.csv", "# sweep\r\nv_dev_v,i_a,branch\r\n0.5,1e-4,up\r\n1.75,2.5e-3,down\r\n");
    put_text(T, "ok_iv_trace.csv", "t_s,v_src_v,v_dev_v,i_a,temp_k,r_dev_ohm,m,cycle\n0,0,0,0,300,24782,0,0\n"
                                   "1e-06,0.5,0.5,2e-5,300,24782,0,0\n2e-06,1,1,4e-5,300,24782,0,0\n"
                                   "3e-06,0.5,0.49,2.1e-5,300,24782,0,0\n");
    put_text(T, "ok_iv_scurve.csv", "branch,temp_k,v_dev_v,i_a,r_dev_ohm,branch_name\n"
                                    "0,300.1,0.82,3.3e-05,24622,heating\n1,300.1,0.81,3.4e-05,24000,cooling\n");
    put_text(T, "ok_iv_series.csv", "v_src_v,i_a\n1,1e-4\n5,2e-3\n9,5e-3\n5,3e-3\n");
    put_text(T, "ok_fv.csv", "v_in_v,freq_hz\n8,1.25e5\n9,1.4e5\n");
    put_text(T, "ok_fv_tool.csv", "index,vacancy_x,v_in_v,freq_hz,p_in_w,e_in_per_spike_j,v_osc_pp_v\n"
                                  "1,0.5,7.66,144947.9,0.0106,7.3e-08,2.22\n1,0.5,7.76,155221.5,0.0111,7.1e-08,2.23\n");
    put_text(T, "ok_osc.csv", "t_s,v_in_v,v_osc_v,v_spike_v,i_dev_a,temp_k,r_dev_ohm,m,p_total_w\n"
                              "0,12.5,0,0,0,300,24782.0281,0,0.052\n1e-08,12.5,0.023,4.6e-05,9.3e-07,300,24782,0,0.051\n");
    put_text(T, "ok_trace_current.csv", "\xEF\xBB\xBF" "t_s,i_in_a,i_dev_a\n0,1e-3,0\n1e-6,2e-3,5e-4\n");
    put_text(T, "bad_rt_negative.csv", "temp_k,r_ohm,branch\n300,1e5,heating\n320,-3,heating\n");
    put_text(T, "bad_rt_branch.csv", "temp_k,r_ohm,branch\n300,1e5,heating\n310,5e4,warming\n");
    put_text(T, "bad_rt_repeat.csv", "temp_k,r_ohm,branch\n300,1e5,heating\n300,9e4,heating\n");
    put_text(T, "bad_single_point.csv", "v_in_v,freq_hz\n8,1e5\n");
    put_text(T, "bad_freq_zero.csv", "v_in_v,freq_hz\n8,1e5\n9,0\n");
    put_text(T, "bad_fv_two_devices.csv", "index,vacancy_x,v_in_v,freq_hz\n1,0.1,8,1e5\n2,0.2,9,2e5\n");
    put_text(T, "bad_trace_time.csv", "t_s,v_in_v,v_osc_v\n0,1,0\n0,1,0.5\n");
    put_text(T, "bad_trace_two_inputs.csv", "t_s,v_in_v,i_in_a,v_osc_v\n0,1,0,0\n1,1,0,0\n");
    put_text(T, "bad_nan.csv", "t_s,v_in_v,v_osc_v\n0,1,nan\n1,1,0\n");
    put_text(T, "bad_ragged.csv", "v_dev_v,i_a\n1,1e-4\n2\n");
    put_text(T, "bad_no_header.csv", "1,2\n3,4\n");
    put_text(T, "bad_empty.csv", "");
}

int main(int argc, char **argv)
{
    if (argc > 1) out_dir = argv[1];
    idx_seeds();
    kv_device_seeds();
    kv_device_dict();
    pwl_csv_seeds();
    checkpoint_seeds();
    units_seeds();
    csv_header_seeds();
    cache_seeds();
    measured_seeds();
    if (failures) return 1;
    printf("make_seeds: wrote the corpora under %s\n", out_dir);
    return 0;
}
