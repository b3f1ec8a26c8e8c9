/* test_util.c -- atomic files, CSV, units, JSON, key = value files, gnuplot. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "vo2snn/atomic.h"
#include "vo2snn/csv.h"
#include "vo2snn/json.h"
#include "vo2snn/kvfile.h"
#include "vo2snn/plot.h"
#include "vo2snn/units.h"

/* ---- scratch files ----------------------------------------------------- */

static char scratch[256]; /* a mkdtemp() directory, removed at the end */

/* scratch/name into one of a few rotating buffers. */
static const char *tpath(const char *name)
{
    static char buf[4][1024];
    static int next;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", scratch, name);
    return b;
}

static void write_bytes(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fwrite(data, 1, n, f);
    fclose(f);
}

static void write_text(const char *path, const char *text) { write_bytes(path, text, strlen(text)); }

/* Whole file as a NUL-terminated string (caller frees), or NULL. */
static char *read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    size_t got;
    while ((got = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) s = realloc(s, cap *= 2);
    }
    fclose(f);
    s[n] = '\0';
    if (len) *len = n;
    return s;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Number of entries in dir whose name contains part. */
static int count_named(const char *dir, const char *part)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d) return -1;
    for (struct dirent *e; (e = readdir(d));)
        if (strstr(e->d_name, part)) n++;
    closedir(d);
    return n;
}

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        chmod(path, 0700);
        DIR *d = opendir(path);
        if (d) {
            for (struct dirent *e; (e = readdir(d));) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
                char child[2048];
                snprintf(child, sizeof child, "%s/%s", path, e->d_name);
                remove_tree(child);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int streq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

/* ---- atomic files ------------------------------------------------------ */

static void test_afile_commit_replaces_file(void)
{
    const char *path = tpath("a.txt");
    write_text(path, "old\n");
    vs_afile *f = NULL;
    CHECK(vs_afile_open(path, &f) == VS_OK && f);
    if (!f) return;
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    CHECK(exists(tmp));
    fprintf(vs_afile_stream(f), "new %d\n", 42);
    char *before = read_text(path, NULL);
    CHECK(streq(before, "old\n")); /* not visible until commit */
    free(before);
    CHECK(vs_afile_check(f) == VS_OK);
    CHECK(vs_afile_commit(f) == VS_OK);
    char *after = read_text(path, NULL);
    CHECK(streq(after, "new 42\n"));
    free(after);
    CHECK(!exists(tmp));
}

/* Two handles on one path get different temporary files; the last commit wins. */
static void test_afile_same_path_twice(void)
{
    const char *path = tpath("twice.txt");
    vs_afile *a = NULL, *b = NULL;
    CHECK(vs_afile_open(path, &a) == VS_OK);
    CHECK(vs_afile_open(path, &b) == VS_OK);
    if (!a || !b) return;
    fputs("first", vs_afile_stream(a));
    fputs("second", vs_afile_stream(b));
    CHECK(count_named(scratch, "twice.txt.tmp.") == 2);
    CHECK(vs_afile_commit(a) == VS_OK);
    char *s = read_text(path, NULL);
    CHECK(streq(s, "first"));
    free(s);
    CHECK(vs_afile_commit(b) == VS_OK);
    s = read_text(path, NULL);
    CHECK(streq(s, "second"));
    free(s);
    CHECK(count_named(scratch, "twice.txt.tmp.") == 0);

    CHECK(vs_afile_open(scratch, &a) == VS_EIO && a == NULL);
    char want[400];
    snprintf(want, sizeof want, "cannot create '%s': Is a directory", scratch);
    CHECK(streq(vs_last_error(), want));
}

static void test_afile_abort_keeps_old_file(void)
{
    const char *path = tpath("b.txt");
    write_text(path, "keep me\n");
    vs_afile *f = NULL;
    CHECK(vs_afile_open(path, &f) == VS_OK);
    fputs("half-written", vs_afile_stream(f));
    vs_afile_abort(f);
    vs_afile_abort(NULL);
    char *s = read_text(path, NULL);
    CHECK(streq(s, "keep me\n"));
    free(s);
    CHECK(count_named(scratch, "b.txt.tmp") == 0);
}

static void test_afile_open_errors(void)
{
    vs_afile *f = (vs_afile *)&f; /* must be reset to NULL */
    const char *path = tpath("nodir/x.csv");
    CHECK(vs_afile_open(path, &f) == VS_EIO);
    CHECK(f == NULL);
    char want[1200];
    snprintf(want, sizeof want, "cannot create '%s': No such file or directory", path);
    CHECK(streq(vs_last_error(), want));

    /* A regular file where a directory should be. */
    write_text(tpath("plain"), "x");
    CHECK(vs_afile_open(tpath("plain/x.csv"), &f) == VS_EIO);
    CHECK(strstr(vs_last_error(), "plain/x.csv': Not a directory") != NULL);

    CHECK(vs_afile_open("", &f) == VS_EINVAL);
    CHECK(vs_afile_commit(NULL) == VS_EINVAL);

    if (geteuid() != 0) { /* root ignores directory permissions */
        const char *ro = tpath("readonly");
        mkdir(ro, 0555);
        chmod(ro, 0555);
        CHECK(vs_afile_open(tpath("readonly/x.csv"), &f) == VS_EIO);
        CHECK(strstr(vs_last_error(), "x.csv': Permission denied") != NULL);
    }
}

/* A failed write (here EFBIG from RLIMIT_FSIZE) must be reported with its
 * errno, the old file kept and the temporary file removed. */
static void test_afile_write_error(void)
{
    const char *path = tpath("big.bin");
    write_text(path, "old");
    struct rlimit saved;
    getrlimit(RLIMIT_FSIZE, &saved);
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = saved;
    small.rlim_cur = 4096;
    CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);

    static char block[100000];
    memset(block, 'x', sizeof block);
    vs_afile *f = NULL;
    CHECK(vs_afile_open(path, &f) == VS_OK);
    fwrite(block, 1, sizeof block, vs_afile_stream(f));
    CHECK(vs_afile_check(f) == VS_EIO);
    vs_status s = vs_afile_commit(f);

    setrlimit(RLIMIT_FSIZE, &saved);
    signal(SIGXFSZ, old_handler);

    CHECK(s == VS_EIO);
    char want[1200];
    snprintf(want, sizeof want, "cannot write '%s': File too large", path);
    CHECK(streq(vs_last_error(), want));
    char *content = read_text(path, NULL);
    CHECK(streq(content, "old"));
    free(content);
    CHECK(count_named(scratch, "big.bin.tmp") == 0);
}

static void test_write_file_atomic(void)
{
    const char data[] = {'a', '\0', 'b', '\n', (char)0xff};
    const char *path = tpath("bin.dat");
    CHECK(vs_write_file_atomic(path, data, sizeof data) == VS_OK);
    size_t n = 0;
    char *s = read_text(path, &n);
    CHECK(s && n == sizeof data && memcmp(s, data, n) == 0);
    free(s);
    CHECK(vs_write_file_atomic(path, NULL, 0) == VS_OK);
    s = read_text(path, &n);
    CHECK(s && n == 0);
    free(s);
    CHECK(vs_write_file_atomic(tpath("nodir/y"), data, 1) == VS_EIO);
}

static void test_mkdir_p(void)
{
    struct stat st;
    CHECK(vs_mkdir_p(tpath("m/n/o")) == VS_OK);
    CHECK(stat(tpath("m/n/o"), &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(vs_mkdir_p(tpath("m/n/o")) == VS_OK); /* already there */
    CHECK(vs_mkdir_p(tpath("m//p/")) == VS_OK);
    CHECK(stat(tpath("m/p"), &st) == 0 && S_ISDIR(st.st_mode));

    write_text(tpath("m/file"), "x");
    const char *dir = tpath("m/file/sub");
    CHECK(vs_mkdir_p(dir) == VS_EIO);
    char want[2400];
    snprintf(want, sizeof want, "cannot create directory '%s': '%s': Not a directory", dir,
             tpath("m/file"));
    CHECK(streq(vs_last_error(), want));
    CHECK(vs_mkdir_p(tpath("m/file")) == VS_EIO);
    CHECK(strstr(vs_last_error(), "m/file': Not a directory") != NULL);
    CHECK(vs_mkdir_p("") == VS_EINVAL);
}

/* ---- CSV --------------------------------------------------------------- */

static void test_csv_write_and_read_back(void)
{
    const char *path = tpath("trace.csv");
    const char *cols[] = {"t_s", "v_out_v", "i_a"};
    vs_csv *w = NULL;
    CHECK(vs_csv_open(path, cols, 3, &w) == VS_OK && w);
    if (!w) return;
    const double rows[3][3] = {{0, 1.5, -2e-9}, {1e-6, 12.25, 3.125e-3}, {2.5e-6, -0.5, 1e300}};
    for (int r = 0; r < 3; r++) CHECK(vs_csv_row(w, rows[r]) == VS_OK);
    CHECK(!exists(path));
    CHECK(vs_csv_close(w) == VS_OK);

    char *s = read_text(path, NULL);
    CHECK(streq(s, "t_s,v_out_v,i_a\n0,1.5,-2e-09\n1e-06,12.25,0.003125\n2.5e-06,-0.5,1e+300\n"));
    free(s);

    vs_table t;
    CHECK(vs_table_load(path, &t) == VS_OK);
    CHECK(t.n_cols == 3 && t.n_rows == 3 && t.names);
    if (t.names && t.n_rows == 3) {
        CHECK(streq(t.names[0], "t_s") && streq(t.names[1], "v_out_v") && streq(t.names[2], "i_a"));
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++) CHECK(t.data[r * 3 + c] == rows[r][c]);
    }
    vs_table_free(&t);
    CHECK(t.data == NULL && t.names == NULL && t.n_rows == 0);
    vs_table_free(NULL);
}

static void test_csv_nan_and_text_cells(void)
{
    const char *path = tpath("text.csv");
    const char *cols[] = {"name", "value, V"};
    vs_csv *w = NULL;
    CHECK(vs_csv_open(path, cols, 2, &w) == VS_OK);
    if (!w) return;
    const double v[] = {NAN, -NAN};
    const double inf[] = {INFINITY, -INFINITY};
    const char *cells[] = {"say \"hi\"", NULL};
    const char *cells2[] = {"#not a comment", " pad "};
    CHECK(vs_csv_row(w, v) == VS_OK);
    CHECK(vs_csv_row(w, inf) == VS_OK);
    CHECK(vs_csv_row_text(w, cells) == VS_OK);
    CHECK(vs_csv_row_text(w, cells2) == VS_OK);
    CHECK(vs_csv_close(w) == VS_OK);
    char *s = read_text(path, NULL);
    CHECK(streq(s, "name,\"value, V\"\nnan,nan\ninf,-inf\n\"say \"\"hi\"\"\",\n"
                   "\"#not a comment\",\" pad \"\n"));
    free(s);
}

/* Numbers and, last, the code they carry spelled out (quoted when it needs it). */
static void test_csv_named_rows(void)
{
    const char *path = tpath("named.csv");
    const char *cols[] = {"v_v", "regime", "regime_name"};
    vs_csv *w = NULL;
    CHECK(vs_csv_open(path, cols, 3, &w) == VS_OK);
    if (!w) return;
    const double a[] = {12.5, 1}, b[] = {NAN, 2};
    CHECK(vs_csv_row_named(w, a, "oscillating") == VS_OK);
    CHECK(vs_csv_row_named(w, b, "firing, latched") == VS_OK);
    CHECK(vs_csv_close(w) == VS_OK);
    char *s = read_text(path, NULL);
    CHECK(streq(s, "v_v,regime,regime_name\n12.5,1,oscillating\nnan,2,\"firing, latched\"\n"));
    free(s);
}

static void test_csv_writer_errors(void)
{
    const char *cols[] = {"a"};
    vs_csv *w = (vs_csv *)&w;
    const char *path = tpath("nodir/out.csv");
    CHECK(vs_csv_open(path, cols, 1, &w) == VS_EIO);
    CHECK(w == NULL);
    char want[1200];
    snprintf(want, sizeof want, "cannot create '%s': No such file or directory", path);
    CHECK(streq(vs_last_error(), want));
    CHECK(vs_csv_open(tpath("zero.csv"), cols, 0, &w) == VS_EINVAL);
    CHECK(!exists(tpath("zero.csv")));

    CHECK(vs_csv_open(tpath("aborted.csv"), cols, 1, &w) == VS_OK);
    const double one = 1;
    CHECK(vs_csv_row(w, &one) == VS_OK);
    vs_csv_abort(w);
    CHECK(!exists(tpath("aborted.csv")));
    CHECK(count_named(scratch, "aborted.csv") == 0);
    vs_csv_abort(NULL);
    CHECK(vs_csv_close(NULL) == VS_OK);
    CHECK(vs_csv_row(NULL, &one) == VS_EINVAL);
}

static void test_table_load_formats(void)
{
    const char *path = tpath("in.csv");
    write_text(path, "# a comment\r\n\r\n  # indented comment\n \"t, s\" , v_v\r\n"
                     "0, 1\r\n1e-3,-2.5\n\n0x10 ,\t+.5\n# end");
    vs_table t;
    CHECK(vs_table_load(path, &t) == VS_OK);
    CHECK(t.n_cols == 2 && t.n_rows == 3 && t.names);
    if (t.n_rows == 3 && t.names) {
        CHECK(streq(t.names[0], "t, s") && streq(t.names[1], "v_v"));
        const double want[] = {0, 1, 1e-3, -2.5, 16, 0.5};
        for (int i = 0; i < 6; i++) CHECK(t.data[i] == want[i]);
    }
    vs_table_free(&t);

    write_text(path, "1\n2\n3"); /* no header, no final newline */
    CHECK(vs_table_load(path, &t) == VS_OK);
    CHECK(t.n_cols == 1 && t.n_rows == 3 && t.names == NULL);
    if (t.n_rows == 3) CHECK(t.data[0] == 1 && t.data[2] == 3);
    vs_table_free(&t);

    /* A line of exactly 65536 bytes (plus CR) is fine. */
    size_t n = 65536;
    char *big = malloc(n + 16);
    memset(big, 'a', n);
    memcpy(big + n, "\r\n7\n", 5);
    write_text(path, big);
    CHECK(vs_table_load(path, &t) == VS_OK);
    CHECK(t.n_rows == 1 && t.names && strlen(t.names[0]) == n);
    vs_table_free(&t);
    free(big);
}

static void test_table_load_errors(void)
{
    const struct {
        const char *content;
        const char *error; /* after "<path>" */
    } cases[] = {
        {"a,b\n1,2\n3,4,5\n", ":3: expected 2 columns, found 3"},
        {"1\n2,3\n", ":2: expected 1 column, found 2"},
        {"x,y\n1,2\n# c\n\n5,abc\n", ":5: 'abc' is not a number"},
        {"x\n", ": no data rows"},
        {"", ": no data rows"},
        {"# only a comment\n\n", ": no data rows"},
        {"1,inf\n", ":1: 'inf' is not a finite number"},
        {"t,v\n1,nan\n", ":2: 'nan' is not a finite number"},
        {"1,1e999\n", ":1: '1e999' is not a finite number"},
        {"x,y\n1,\n", ":2: empty value in column 2"},
        {"\"abc,1\n", ":1: unterminated quote"},
        {"\"a\"b,1\n", ":1: unexpected text after a quoted cell"},
        {"x\n1 2\n", ":2: '1 2' is not a number"},
    };
    const char *path = tpath("bad.csv");
    char want[1400];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_text(path, cases[i].content);
        vs_table t = {.n_rows = 99};
        vs_status s = vs_table_load(path, &t);
        snprintf(want, sizeof want, "%s%s", path, cases[i].error);
        CHECK(s == VS_EFORMAT);
        CHECK(streq(vs_last_error(), want));
        if (!streq(vs_last_error(), want)) fprintf(stderr, "  got: %s\n", vs_last_error());
        CHECK(t.data == NULL && t.names == NULL && t.n_rows == 0 && t.n_cols == 0);
    }

    write_bytes(path, "1,2\n3\0,4\n", 9);
    vs_table t;
    CHECK(vs_table_load(path, &t) == VS_EFORMAT);
    snprintf(want, sizeof want, "%s:2: NUL byte", path);
    CHECK(strncmp(vs_last_error(), want, strlen(want)) == 0);

    size_t n = 65537;
    char *big = malloc(n + 2);
    memset(big, '1', n);
    strcpy(big + n, "\n");
    write_text(path, big);
    free(big);
    CHECK(vs_table_load(path, &t) == VS_EFORMAT);
    snprintf(want, sizeof want, "%s:1: line is longer than 65536 bytes", path);
    CHECK(streq(vs_last_error(), want));

    const char *missing = tpath("missing.csv");
    CHECK(vs_table_load(missing, &t) == VS_EIO);
    snprintf(want, sizeof want, "cannot read '%s': No such file or directory", missing);
    CHECK(streq(vs_last_error(), want));
    CHECK(vs_table_load(scratch, &t) == VS_EIO);
    CHECK(strstr(vs_last_error(), "Is a directory") != NULL);
}

/* ---- units ------------------------------------------------------------- */

static void test_quantity_accepts(void)
{
    const struct {
        const char *text, *unit;
        double want;
    } cases[] = {
        {"3k", "Ohm", 3e3},          {"3kOhm", "Ohm", 3e3},     {"3 kohm", "Ohm", 3e3},
        {"3000", "Ohm", 3e3},        {"3 kOHMS", "Ohm", 3e3},   {"3k\xCE\xA9", "Ohm", 3e3},
        {"3 \xE2\x84\xA6", "Ohm", 3}, {"2.2MOhm", "Ohm", 2.2e6}, {"1 meg", "Ohm", 1e6},
        {"1MEG", "Ohm", 1e6},        {"4megohm", "Ohm", 4e6},   {"1.8n", "F", 1.8e-9},
        {"1.8nF", "F", 1.8e-9},      {"4.7\xC2\xB5" "F", "F", 4.7e-6},
        {"4.7\xCE\xBC", "F", 4.7e-6}, {"10f", "F", 10e-15},      {"2F", "F", 2},
        {"2 f", "F", 2e-15},         {"100us", "s", 100e-6},    {"1.5e-3 ms", "s", 1.5e-6},
        {"5 S", "s", 5},             {"12.5V", "V", 12.5},      {"500mV", "V", 0.5},
        {"12.5 v", "V", 12.5},       {"-2.5 mA", "A", -2.5e-3}, {"2.5m", "A", 2.5e-3},
        {"300K", "K", 300},          {"300 k", "K", 300e3},     {"10 kHz", "Hz", 1e4},
        {"10khz", "Hz", 1e4},        {"1G", "Hz", 1e9},         {"3 mW", "W", 3e-3},
        {"5pJ", "J", 5e-12},         {"4e-6", "", 4e-6},        {"+.5", "", 0.5},
        {"5.", "", 5},               {"1e3k", "", 1e6},         {"  7  ", "", 7},
        {"2E+2", "", 200},           {"3k", "", 3e3},           {"-0", "", 0},
        {"1 p", "", 1e-12},          {"1e-3", NULL, 1e-3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double v = -12345;
        vs_status s = vs_parse_quantity(cases[i].text, cases[i].unit, &v);
        CHECK(s == VS_OK);
        CHECK(v == cases[i].want); /* exact: parsed as one decimal string */
        if (s != VS_OK || v != cases[i].want)
            fprintf(stderr, "  case '%s' [%s]: status %d, %.17g: %s\n", cases[i].text,
                    cases[i].unit ? cases[i].unit : "NULL", (int)s, v, vs_last_error());
    }
}

static void test_quantity_rejects(void)
{
    const struct {
        const char *text, *unit;
    } cases[] = {
        {"", "Ohm"},    {"   ", "Ohm"},   {"nan", ""},       {"NaN", "V"},   {"inf", ""},
        {"-inf", "V"},  {"infinity", ""}, {"3x", "Ohm"},     {"3kV", "Ohm"}, {"3K", "Ohm"},
        {"1.2.3", ""},  {"1e", ""},       {"e3", ""},        {".", ""},      {"-", ""},
        {"+", ""},      {"3kk", "Ohm"},   {"3 kOhm x", "Ohm"}, {"0x10", ""}, {"1,5", ""},
        {"3 mF", ""},   {"5 s", "V"},     {"1 2", ""},       {"3 g", ""},    {"--3", ""},
        {"3 kOhmOhm", "Ohm"}, {"k", "Ohm"}, {"Ohm", "Ohm"},  {"1e3e3", ""},  {"1 mm", "s"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double v = -12345;
        vs_status s = vs_parse_quantity(cases[i].text, cases[i].unit, &v);
        CHECK(s == VS_EINVAL);
        CHECK(v == -12345);
        char head[64];
        snprintf(head, sizeof head, "'%s' is not a valid", cases[i].text);
        CHECK(strncmp(vs_last_error(), head, strlen(head)) == 0);
        if (s != VS_EINVAL || strncmp(vs_last_error(), head, strlen(head)) != 0)
            fprintf(stderr, "  case '%s' [%s]: status %d, %g, '%s'\n", cases[i].text,
                    cases[i].unit, (int)s, v, vs_last_error());
    }

    double v = -12345;
    CHECK(vs_parse_quantity("3x", "Ohm", &v) == VS_EINVAL);
    CHECK(streq(vs_last_error(), "'3x' is not a valid value in Ohm (e.g. 3k, 3000, 3 kOhm)"));
    CHECK(vs_parse_quantity("abc", "", &v) == VS_EINVAL);
    CHECK(streq(vs_last_error(), "'abc' is not a valid number (e.g. 3, 3k, 2.5e-3)"));
    CHECK(vs_parse_quantity("1e999", "", &v) == VS_EINVAL);
    CHECK(streq(vs_last_error(), "'1e999' is too large"));
    CHECK(vs_parse_quantity("1e308k", "Ohm", &v) == VS_EINVAL);
    CHECK(streq(vs_last_error(), "'1e308k' is too large"));
    CHECK(vs_parse_quantity("-1e309", "V", &v) == VS_EINVAL);
    CHECK(v == -12345);
    CHECK(vs_parse_quantity(NULL, "V", &v) == VS_EINVAL);
}

static void test_parse_long(void)
{
    long v = -1;
    CHECK(vs_parse_long("42", 0, 100, &v) == VS_OK && v == 42);
    CHECK(vs_parse_long(" -7 ", -10, 10, &v) == VS_OK && v == -7);
    CHECK(vs_parse_long("+3", 1, 5, &v) == VS_OK && v == 3);
    CHECK(vs_parse_long("9223372036854775807", LONG_MIN, LONG_MAX, &v) == VS_OK && v == LONG_MAX);
    CHECK(vs_parse_long("-9223372036854775808", LONG_MIN, LONG_MAX, &v) == VS_OK && v == LONG_MIN);

    v = -1;
    CHECK(vs_parse_long("0", 1, 5, &v) == VS_EINVAL && v == -1);
    CHECK(streq(vs_last_error(), "0 is out of range [1, 5]"));
    CHECK(vs_parse_long("6", 1, 5, &v) == VS_EINVAL);
    CHECK(streq(vs_last_error(), "6 is out of range [1, 5]"));
    CHECK(vs_parse_long("99999999999999999999", LONG_MIN, LONG_MAX, &v) == VS_EINVAL);
    CHECK(strncmp(vs_last_error(), "99999999999999999999 is out of range", 36) == 0);
    const char *bad[] = {"abc", "1.5", "", "  ", "1e3", "0x10", "- 5", "5-", "+", "1 2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "'%s' is not an integer", bad[i]);
        CHECK(vs_parse_long(bad[i], LONG_MIN, LONG_MAX, &v) == VS_EINVAL);
        CHECK(streq(vs_last_error(), want));
    }
    CHECK(v == -1);
}

/* ---- JSON -------------------------------------------------------------- */

static int have_python(void) { return system("python3 -c 'pass' >/dev/null 2>&1") == 0; }

/* Run a python3 snippet with the file as sys.argv[1]; 1 if it exits 0. */
static int python_ok(const char *snippet, const char *file)
{
    const char *py = tpath("check.py");
    write_text(py, snippet);
    char cmd[3000];
    snprintf(cmd, sizeof cmd, "python3 '%s' '%s'", py, file);
    return system(cmd) == 0;
}

static void test_json_exact_layout(void)
{
    const char *path = tpath("small.json");
    FILE *f = fopen(path, "w");
    vs_json j;
    vs_json_begin(&j, f);
    vs_json_int(&j, "a", 1);
    const double v[] = {1, NAN, 2.5};
    vs_json_nums(&j, "b", v, 3);
    vs_json_object(&j, "c");
    vs_json_str(&j, "d", "x\"y");
    vs_json_close(&j);
    vs_json_array(&j, "e");
    vs_json_close(&j);
    vs_json_object(&j, "f");
    vs_json_close(&j);
    vs_json_array(&j, "g");
    vs_json_num(&j, "ignored", 3);
    vs_json_bool(&j, NULL, 0);
    vs_json_end(&j);
    fclose(f);
    char *s = read_text(path, NULL);
    CHECK(streq(s, "{\n  \"a\": 1,\n  \"b\": [1, null, 2.5],\n  \"c\": {\n    \"d\": \"x\\\"y\"\n"
                   "  },\n  \"e\": [],\n  \"f\": {},\n  \"g\": [\n    3,\n    false\n  ]\n}\n"));
    free(s);

    f = fopen(path, "w");
    vs_json_begin(&j, f);
    vs_json_end(&j);
    fclose(f);
    s = read_text(path, NULL);
    CHECK(streq(s, "{}\n"));
    free(s);
}

static const char json_check_py[] =
    "import json, math, sys\n"
    "d = json.load(open(sys.argv[1], encoding='utf-8'))\n"
    "assert d['s'] == 'q\" b\\\\ n\\n t\\t c\\x01 mu\\u00b5 bad\\ufffd end', d['s']\n"
    "assert d['we\"ird\\nkey'] == 'k'\n"
    "assert d['none'] is None and d['nan'] is None and d['inf'] is None\n"
    "assert d['tiny'] == 1.25e-300 and d['min'] == -2**63\n"
    "assert d['yes'] is True and d['nothing'] is None and d['empty'] == []\n"
    "assert d['rows'] == [{'i': 0}, {'i': 1}, {'i': 2}, []]\n"
    "assert d['left open'] == {'x': 1} and len(d) == 12\n";

static void test_json_valid_and_escaped(void)
{
    const char *path = tpath("full.json");
    FILE *f = fopen(path, "w");
    vs_json j;
    vs_json_begin(&j, f);
    vs_json_str(&j, "s", "q\" b\\ n\n t\t c\x01 mu\xC2\xB5 bad\xFF end");
    vs_json_str(&j, "we\"ird\nkey", "k");
    vs_json_str(&j, "none", NULL);
    vs_json_num(&j, "nan", NAN);
    vs_json_num(&j, "inf", -INFINITY);
    vs_json_num(&j, "tiny", 1.25e-300);
    vs_json_int(&j, "min", LLONG_MIN);
    vs_json_bool(&j, "yes", 1);
    vs_json_null(&j, "nothing");
    vs_json_nums(&j, "empty", NULL, 0);
    vs_json_array(&j, "rows");
    for (int i = 0; i < 3; i++) {
        vs_json_object(&j, NULL);
        vs_json_int(&j, "i", i);
        vs_json_close(&j);
    }
    vs_json_array(&j, NULL);
    vs_json_close(&j);
    vs_json_close(&j);
    vs_json_object(&j, "left open"); /* closed by vs_json_end */
    vs_json_num(&j, "x", 1);
    vs_json_end(&j);
    vs_json_num(&j, "after end", 1); /* ignored */
    fclose(f);

    if (!have_python()) {
        printf("  (python3 missing: JSON validity not checked)\n");
        return;
    }
    CHECK(python_ok(json_check_py, path));
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "python3 -m json.tool '%s' >/dev/null", path);
    CHECK(system(cmd) == 0);
}

static const char deep_check_py[] =
    "import json, sys\n"
    "d = json.load(open(sys.argv[1]))\n"
    "x, n = d['a'], 1\n"
    "while isinstance(x, list): x, n = x[0], n + 1\n"
    "assert x is None and n == 32 and d['after'] == 7, (x, n)\n";

static void test_json_depth_limit(void)
{
    const char *path = tpath("deep.json");
    FILE *f = fopen(path, "w");
    vs_json j;
    vs_json_begin(&j, f);
    for (int i = 0; i < 40; i++) vs_json_array(&j, "a");
    vs_json_num(&j, NULL, 1);
    for (int i = 0; i < 40; i++) vs_json_close(&j);
    CHECK(j.depth == 1);
    vs_json_int(&j, "after", 7);
    vs_json_end(&j);
    fclose(f);
    CHECK(j.depth == 0);
    if (have_python())
        CHECK(python_ok(deep_check_py, path));
}

/* ---- key = value files ------------------------------------------------- */

static void test_kv_load(void)
{
    const char *path = tpath("dev.txt");
    write_text(path, "# device 1\r\n\r\nr_ins0 = 24.1 kOhm\r\n  r_met=  1.2k   # metallic\n"
                     "t.amb-K\t=\t300 K\n# end\nname = a = b");
    vs_kv kv;
    CHECK(vs_kv_load(path, &kv) == VS_OK);
    CHECK(kv.n == 4 && streq(kv.path, path));
    if (kv.n == 4) {
        CHECK(streq(kv.entries[0].key, "r_ins0") && streq(kv.entries[0].value, "24.1 kOhm"));
        CHECK(kv.entries[0].line == 3);
        CHECK(streq(kv.entries[1].key, "r_met") && streq(kv.entries[1].value, "1.2k"));
        CHECK(kv.entries[1].line == 4);
        CHECK(streq(kv.entries[2].key, "t.amb-K") && streq(kv.entries[2].value, "300 K"));
        CHECK(streq(kv.entries[3].value, "a = b") && kv.entries[3].line == 7);
    }
    const vs_kv_entry *e = vs_kv_find(&kv, "r_met");
    CHECK(e && e->line == 4);
    CHECK(vs_kv_find(&kv, "r_me") == NULL);
    vs_kv_free(&kv);
    CHECK(kv.n == 0 && kv.entries == NULL && kv.path == NULL);
    vs_kv_free(NULL);

    write_text(path, "");
    CHECK(vs_kv_load(path, &kv) == VS_OK && kv.n == 0);
    vs_kv_free(&kv);
}

static void test_kv_errors(void)
{
    const struct {
        const char *content, *error;
    } cases[] = {
        {"r_ins0 24.1k\n", ":1: expected 'key = value'"},
        {"a = 1\nb=2\n\n# c\na = 3\n", ":5: duplicate key 'a'"},
        {"= 5\n", ":1: expected 'key = value'"},
        {"x = 1\n1abc = 5\n", ":2: '1abc' is not a valid key (use letters, digits, '_', '.', "
                              "'-', starting with a letter or '_')"},
        {"r ins = 5\n", ":1: 'r ins' is not a valid key (use letters, digits, '_', '.', '-', "
                        "starting with a letter or '_')"},
        {"a = # nothing\n", ":1: no value for 'a'"},
        {"a =\n", ":1: no value for 'a'"},
        {"a # = 3\n", ":1: expected 'key = value'"},
    };
    const char *path = tpath("bad.txt");
    char want[1400];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_text(path, cases[i].content);
        vs_kv kv = {.n = 99};
        CHECK(vs_kv_load(path, &kv) == VS_EFORMAT);
        snprintf(want, sizeof want, "%s%s", path, cases[i].error);
        CHECK(streq(vs_last_error(), want));
        if (!streq(vs_last_error(), want)) fprintf(stderr, "  got: %s\n", vs_last_error());
        CHECK(kv.n == 0 && kv.entries == NULL && kv.path == NULL);
    }

    vs_kv kv;
    write_bytes(path, "a = 1\nb = \0\n", 12);
    CHECK(vs_kv_load(path, &kv) == VS_EFORMAT);
    snprintf(want, sizeof want, "%s:2: NUL byte", path);
    CHECK(strncmp(vs_last_error(), want, strlen(want)) == 0);

    char line[4200];
    memset(line, 'x', sizeof line);
    memcpy(line, "k = ", 4);
    line[4097] = '\0'; /* 4097 bytes */
    write_text(path, line);
    CHECK(vs_kv_load(path, &kv) == VS_EFORMAT);
    snprintf(want, sizeof want, "%s:1: line is longer than 4096 bytes", path);
    CHECK(streq(vs_last_error(), want));
    line[4096] = '\0'; /* exactly 4096 is fine */
    write_text(path, line);
    CHECK(vs_kv_load(path, &kv) == VS_OK && kv.n == 1 && strlen(kv.entries[0].value) == 4092);
    vs_kv_free(&kv);

    CHECK(vs_kv_load("no/such/file", &kv) == VS_EIO);
    CHECK(streq(vs_last_error(), "cannot read 'no/such/file': No such file or directory"));
}

/* ---- plots ------------------------------------------------------------- */

static void test_plot_errors_without_gnuplot(void)
{
    const char *old = getenv("PATH");
    char *saved = old ? strdup(old) : NULL;
    setenv("PATH", "/nonexistent-vo2snn", 1);
    CHECK(vs_plot_available() == 0);
    CHECK(vs_plot_render("plot x", tpath("p.png"), 64, 64) == VS_ENOTFOUND);
    CHECK(streq(vs_last_error(),
                "gnuplot not found; install it with scripts/setup.sh or leave out --plot"));
    CHECK(!exists(tpath("p.png")));
    if (saved) setenv("PATH", saved, 1);
    else unsetenv("PATH");
    free(saved);

    /* Argument checks come first and need no gnuplot. */
    CHECK(vs_plot_render("plot x", tpath("p.jpg"), 64, 64) == VS_EINVAL);
    CHECK(strstr(vs_last_error(), "must end in .png or .svg") != NULL);
    CHECK(vs_plot_render("plot x", tpath("it's.png"), 64, 64) == VS_EINVAL);
    CHECK(vs_plot_render("plot x", tpath("a\nb.png"), 64, 64) == VS_EINVAL);
    CHECK(vs_plot_render("plot x", tpath("p.png"), 0, 64) == VS_EINVAL);
    CHECK(vs_plot_render(NULL, tpath("p.png"), 64, 64) == VS_EINVAL);
}

static void test_plot_render(void)
{
    if (!vs_plot_available()) {
        CHECK_SKIP_DEP("gnuplot", "gnuplot missing: rendering not checked");
        return;
    }
    const char *png = tpath("sine.png");
    CHECK(vs_plot_render("set xlabel 't (s)'\nplot sin(x) title 'sin'", png, 160, 120) == VS_OK);
    size_t n = 0;
    char *s = read_text(png, &n);
    CHECK(s && n > 8 && memcmp(s, "\x89PNG\r\n\x1a\n", 8) == 0);
    free(s);

    const char *svg = tpath("sine.SVG");
    CHECK(vs_plot_render("plot cos(x)", svg, 200, 100) == VS_OK);
    s = read_text(svg, NULL);
    CHECK(s && strstr(s, "<svg") != NULL);
    free(s);

    /* A failing script keeps the old image and reports gnuplot's error. */
    CHECK(vs_plot_render("set xlabel 'x'\nplot foo", png, 160, 120) == VS_EIO);
    char want[1200];
    snprintf(want, sizeof want, "cannot plot '%s': gnuplot: script line 2: undefined variable: foo",
             png);
    CHECK(streq(vs_last_error(), want));
    s = read_text(png, &n);
    CHECK(s && n > 8 && memcmp(s, "\x89PNG", 4) == 0);
    free(s);

    CHECK(vs_plot_render("set xlabel 'x'", tpath("empty.png"), 64, 64) == VS_EIO);
    CHECK(strstr(vs_last_error(), "gnuplot wrote no image") != NULL);
    CHECK(!exists(tpath("empty.png")));

    const char *nodir = tpath("nodir/p.png");
    CHECK(vs_plot_render("plot x", nodir, 64, 64) == VS_EIO);
    snprintf(want, sizeof want, "cannot create '%s': No such file or directory", nodir);
    CHECK(streq(vs_last_error(), want));
    CHECK(count_named(scratch, ".tmp.") == 0);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/vo2snn-test-util-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(scratch)) {
        perror("mkdtemp");
        return 2;
    }
    RUN(test_afile_commit_replaces_file);
    RUN(test_afile_same_path_twice);
    RUN(test_afile_abort_keeps_old_file);
    RUN(test_afile_open_errors);
    RUN(test_afile_write_error);
    RUN(test_write_file_atomic);
    RUN(test_mkdir_p);
    RUN(test_csv_write_and_read_back);
    RUN(test_csv_nan_and_text_cells);
    RUN(test_csv_named_rows);
    RUN(test_csv_writer_errors);
    RUN(test_table_load_formats);
    RUN(test_table_load_errors);
    RUN(test_quantity_accepts);
    RUN(test_quantity_rejects);
    RUN(test_parse_long);
    RUN(test_json_exact_layout);
    RUN(test_json_valid_and_escaped);
    RUN(test_json_depth_limit);
    RUN(test_kv_load);
    RUN(test_kv_errors);
    RUN(test_plot_errors_without_gnuplot);
    RUN(test_plot_render);
    remove_tree(scratch);
    return CHECK_DONE();
}
