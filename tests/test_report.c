/* test_report.c -- `vo2snn report --quick` end to end, for a vo2x device file and for the
   switch model: the report and every image it references exist (PNG and SVG), its numbers
   are those the single commands print for the same device and circuit, a changed device
   changes them, figures a model cannot have are said not to apply, and bad input writes
   nothing. */
#include <math.h>

#include "check.h"
#include "cli_run.h"

static const char dev_a[] = "# a user's own device\nvacancy = 0.3\nr_met = 500 Ohm\nt_c = 338 K\n";
static const char dev_b[] = "vacancy = 0.3\nr_met = 500 Ohm\nt_c = 345 K\ng_th = 3e-4\n";

static int starts_with(const char *path, const char *magic)
{
    char buf[16] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t k = fread(buf, 1, strlen(magic), f);
    fclose(f);
    return k == strlen(magic) && memcmp(buf, magic, k) == 0;
}

static int file_has(const char *path, const char *needle)
{
    char *text = check_slurp(path);
    int ok = text && strstr(text, needle);
    free(text);
    return ok;
}

/* Every src="X" and href="X" of dir/report.html that names a .png or .svg exists in dir and is
   one; returns the number of images (PNG) referenced, -1 after a failed check. */
static int check_images(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/report.html", dir);
    char *html = check_slurp(path);
    if (!html) return -1;
    int n_png = 0, bad = 0;
    for (const char *p = html; (p = strstr(p, "=\"")) != NULL; p += 2) {
        const char *q = strchr(p + 2, '"');
        if (!q || q - p > 400) continue;
        char rel[512];
        snprintf(rel, sizeof rel, "%.*s", (int)(q - p - 2), p + 2);
        size_t n = strlen(rel);
        int png = n > 4 && !strcmp(rel + n - 4, ".png"), svg = n > 4 && !strcmp(rel + n - 4, ".svg");
        if (!png && !svg) continue;
        snprintf(path, sizeof path, "%s/%s", dir, rel);
        if (png ? !starts_with(path, "\x89PNG") : !file_has(path, "<svg")) {
            fprintf(stderr, "  bad image %s\n", path);
            bad++;
        }
        n_png += png;
    }
    free(html);
    return bad ? -1 : n_png;
}

static int html_has(const char *dir, const char *needle)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/report.html", dir);
    return file_has(path, needle);
}

/* The JSON summary `vo2snn ARGS --json` prints (malloc), NULL if it failed. */
#define JSON_OF(...) (vo2snn(__VA_ARGS__, "--json", NULL) == 0 ? strdup(out_text) : NULL)

static void same(const char *a, const char *ka, const char *b, const char *kb)
{
    double x = check_json_num(a, ka), y = check_json_num(b, kb);
    if (!(x == y)) fprintf(stderr, "  %s %.10g != %s %.10g\n", ka, x, kb, y);
    CHECK(x == y);
}

static void test_device_file(void)
{
    write_text(tmp("a.txt"), dev_a);
    char *rep = JSON_OF("report", "--quick", "--device-file", tmp("a.txt"), "--out", tmp("ra"));
    CHECK(rep != NULL);
    if (!rep) return fprintf(stderr, "  %s\n", err_text), (void)0;
    CHECK(exists(tmp("ra/report.html")) && exists(tmp("ra/device.txt")));
    CHECK(check_images(tmp("ra")) == 8);   /* iv, rt, osc, phase x2, triple, vf x2 */
    CHECK(html_has(tmp("ra"), "data-kind=\"device\"") && html_has(tmp("ra"), "vo2snn report --quick --device-file"));
    CHECK(html_has(tmp("ra"), "t_c        = 338 K"));
    CHECK(check_json_num(rep, "rt_applies") == 1 && check_json_num(rep, "iv_applies") == 1);
    /* the single commands on the same device and circuit print the same numbers */
    char *tr = JSON_OF("triple", "--device-file", tmp("a.txt"), "--out", tmp("t.csv"));
    same(rep, "r_series_star_ohm", tr, "r_series_star_ohm");
    same(rep, "v_in_star_v", tr, "v_in_star_v");
    char *vf = JSON_OF("vf", "--device-file", tmp("a.txt"), "--v-step", "0.5", "--out", tmp("vf.csv"));
    same(rep, "window_low_v", vf, "window_low_v");
    same(rep, "window_high_v", vf, "window_high_v");
    same(rep, "f_max_hz", vf, "f_max_hz");
    same(rep, "p_at_f_ref_w", vf, "p_at_f_ref_w");
    char *iv = JSON_OF("iv", "--device-file", tmp("a.txt"), "--out", tmp("iv.csv"));
    same(rep, "v_th_v", iv, "v_th_v");
    same(rep, "v_hold_v", iv, "v_hold_v");
    char *rt = JSON_OF("rt", "--device-file", tmp("a.txt"), "--points", "201", "--out", tmp("rt.csv"));
    same(rep, "r_ambient_ohm", rt, "r_ambient_ohm");
    same(rep, "rt_jump_ratio", rt, "jump_ratio");
    CHECK(check_json_num(rep, "osc_freq_hz") > 0 && check_json_num(rep, "osc_v_in_v") > check_json_num(rep, "window_low_v"));
    /* the device file the report wrote is the same device */
    char *tr2 = JSON_OF("triple", "--device-file", tmp("ra/device.txt"), "--out", tmp("t2.csv"));
    same(rep, "r_series_star_ohm", tr2, "r_series_star_ohm");
    /* another device, other numbers */
    write_text(tmp("b.txt"), dev_b);
    char *rb = JSON_OF("report", "--quick", "--device-file", tmp("b.txt"), "--out", tmp("rb"));
    CHECK(rb != NULL);
    CHECK(check_json_num(rb, "v_th_v") != check_json_num(rep, "v_th_v"));
    CHECK(check_json_num(rb, "r_series_star_ohm") != check_json_num(rep, "r_series_star_ohm"));
    CHECK(check_json_num(rb, "window_low_v") != check_json_num(rep, "window_low_v"));
    free(rep), free(tr), free(vf), free(iv), free(rt), free(tr2), free(rb);
}

static void test_switch_model(void)
{
    int rc = vo2snn("report", "--quick", "--model", "switch", "--out", tmp("rs"), NULL);
    CHECK(rc == 0);
    if (rc) return fprintf(stderr, "  %s\n", err_text), (void)0;
    CHECK(strstr(out_text, "does not apply") && strstr(out_text, "report.html"));
    CHECK(check_images(tmp("rs")) == 6);   /* no iv, no rt */
    CHECK(html_has(tmp("rs"), "Does not apply: model switch has no temperature"));
    CHECK(!exists(tmp("rs/rt")) && !exists(tmp("rs/iv")));
    char *rep = JSON_OF("report", "--quick", "--model", "switch", "--out", tmp("rs"));
    char *tr = JSON_OF("triple", "--model", "switch", "--devices", "1", "--out", tmp("ts.csv"));
    CHECK(rep && tr);
    CHECK(check_json_num(rep, "rt_applies") == 0 && isnan(check_json_num(rep, "r_ambient_ohm")));
    same(rep, "r_series_star_ohm", tr, "r_series_star_ohm");
    same(rep, "v_in_star_v", tr, "v_in_star_v");
    CHECK(check_json_num(rep, "v_th_v") == 6.5);
    free(rep), free(tr);
}

static void test_bad_input(void)
{
    int before = entries();
    CHECK(REFUSES("missing.txt", "report", "--quick", "--device-file", tmp("missing.txt"), "--out", tmp("bad")));
    CHECK(!exists(tmp("bad")) && entries() == before);
    CHECK(REFUSES("--r-series", "report", "--quick", "--r-series", "-3k", "--out", tmp("bad")));
    CHECK(REFUSES("--vacancy", "report", "--model", "switch", "--vacancy", "0.3", "--out", tmp("bad")));
    CHECK(!exists(tmp("bad")) && entries() == before);
    /* the report's own device file as input is refused: it would be replaced; nothing changes */
    if (exists(tmp("ra/report.html"))) {
        char *old = check_slurp(tmp("ra/report.html"));
        CHECK(REFUSES("device.txt", "report", "--quick", "--device-file", tmp("ra/device.txt"), "--out", tmp("ra")));
        char *now = check_slurp(tmp("ra/report.html"));
        CHECK(old && now && !strcmp(old, now));
        free(old), free(now);
    }
}

int main(void)
{
    if (!mkdtemp(tmpdir)) return 1;
    RUN(test_device_file);
    RUN(test_switch_model);
    RUN(test_bad_input);
    remove_tree(tmpdir);
    return CHECK_DONE();
}
