/*
 * test_fuzz_regress.c -- replay the fuzzing corpora and every saved crash.
 *
 * Each file under fuzz/corpus/<target>/ and each fuzz/crashes/<target>-* goes through
 * the same harness as the libFuzzer target (fuzz/harness.h), which aborts if a parser
 * breaks its contract; under `make sanitize` ASan/UBSan also catch memory errors and
 * leaks. Corpus files named ok_* must parse, bad_* must be rejected, and no input may
 * raise the peak memory by more than REPLAY_MAX_RSS_MB (a 300-byte file must not make a
 * parser allocate and fill hundreds of megabytes before rejecting it).
 * The fuzz directory is $VO2SNN_FUZZ_DIR, else fuzz/ (tests run from the repository root).
 */
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>

#include "../fuzz/harness.h"
#include "check.h"

#define REPLAY_MAX_RSS_MB 128

typedef vs_status (*target_fn)(const uint8_t *data, size_t n);

static char current[1024]; /* the input being replayed, for crash reports */

static void say_current(void)
{
    static const char pre[] = "\ntest_fuzz_regress: crashed on ";
    ssize_t w = write(2, pre, sizeof pre - 1);
    w = write(2, current, strlen(current));
    w = write(2, "\n", 1);
    (void)w;
}

static void on_abort(int sig)
{
    say_current();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Sanitizer runtimes call this before exiting on an error (absent without one). */
extern void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

static const char *fuzz_root(void)
{
    const char *e = getenv("VO2SNN_FUZZ_DIR");
    return e && *e ? e : "fuzz";
}

static int read_file(const char *path, uint8_t **data, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t cap = 4096, len = 0;
    uint8_t *b = malloc(cap);
    size_t k;
    while (b && (k = fread(b + len, 1, cap - len, f)) > 0) {
        len += k;
        if (len == cap) {
            uint8_t *g = realloc(b, cap *= 2);
            if (!g) free(b);
            b = g;
        }
    }
    int err = ferror(f) || !b;
    fclose(f);
    if (err) {
        free(b);
        return -1;
    }
    *data = b, *n = len;
    return 0;
}

static long max_rss_kb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0; /* kB on Linux */
}

/* Replay one file; name decides the expectation ("ok_", "bad_", or none). */
static void replay(target_fn fn, const char *path, const char *name)
{
    uint8_t *data;
    size_t n;
    if (read_file(path, &data, &n) != 0) {
        CHECK_FAIL_MSG("cannot read %.300s", path);
        return;
    }
    snprintf(current, sizeof current, "%s", path);
    long rss0 = max_rss_kb();
    vs_status s = fn(data, n);
    long grew_mb = (max_rss_kb() - rss0) / 1024;
    current[0] = '\0';
    free(data);
    if (grew_mb > REPLAY_MAX_RSS_MB)
        CHECK_FAIL_MSG("%.300s: peak memory grew by %ld MB (limit %d MB)", path, grew_mb,
                       REPLAY_MAX_RSS_MB);
    if (strncmp(name, "ok_", 3) == 0 && s != VS_OK)
        CHECK_FAIL_MSG("%.300s: expected success, got %s: %.150s", path, vs_strerror(s), fuzz_main_error);
    if (strncmp(name, "bad_", 4) == 0 && s == VS_OK)
        CHECK_FAIL_MSG("%.300s: expected an error, parsed fine", path);
}

static int regular(const struct dirent *d) { return d->d_name[0] != '.'; }

/* Every file in dir whose name starts with prefix; returns how many. */
static int replay_dir(target_fn fn, const char *dir, const char *prefix)
{
    struct dirent **list;
    int n = scandir(dir, &list, regular, alphasort), count = 0;
    if (n < 0) return 0;
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        if (strncmp(name, prefix, strlen(prefix)) == 0 && strcmp(name, "README.md") != 0) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dir, name);
            replay(fn, path, name + strlen(prefix));
            count++;
        }
        free(list[i]);
    }
    free(list);
    return count;
}

static void replay_target(const char *target, target_fn fn)
{
    char dir[512], prefix[128];
    snprintf(dir, sizeof dir, "%s/corpus/%s", fuzz_root(), target);
    int n = replay_dir(fn, dir, "");
    if (n < 3) CHECK_FAIL_MSG("%.300s: only %d seed files (run `make fuzz-seeds`)", dir, n);
    snprintf(dir, sizeof dir, "%s/crashes", fuzz_root());
    snprintf(prefix, sizeof prefix, "%s-", target);
    replay_dir(fn, dir, prefix); /* crash files carry no ok_/bad_ expectation */
}

static void test_idx(void) { replay_target("idx", fuzz_idx); }
static void test_kv_device(void) { replay_target("kv_device", fuzz_kv_device); }
static void test_pwl_csv(void) { replay_target("pwl_csv", fuzz_pwl_csv); }
static void test_checkpoint(void) { replay_target("checkpoint", fuzz_checkpoint); }
static void test_units(void) { replay_target("units", fuzz_units); }
static void test_csv_header(void) { replay_target("csv_header", fuzz_csv_header); }
static void test_cache(void) { replay_target("cache", fuzz_cache); }
static void test_measured(void) { replay_target("measured", fuzz_measured); }

int main(void)
{
    signal(SIGABRT, on_abort);
    if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(say_current);
    RUN(test_idx);
    RUN(test_kv_device);
    RUN(test_pwl_csv);
    RUN(test_checkpoint);
    RUN(test_units);
    RUN(test_csv_header);
    RUN(test_cache);
    RUN(test_measured);
    return CHECK_DONE();
}
