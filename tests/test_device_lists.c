/*
 * test_device_lists.c -- the multi-device commands (vf, triple, cycles) over lists of devices
 * (issue 11, item 3): --model with --devices/--vacancies, one device per repeatable
 * --device-file, labels from `name = ...` or the file name, and the one-line refusals.
 * Every number is compared with a single-device run of the same file, never with a value
 * printed by an earlier version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli_run.h"
#include "common.h"


/* The value text of "key" in the JSON object of the device labelled `label` in out_text
   (into buf, up to the comma or line end); "" if absent. */
static const char *json_field(const char *label, const char *key, char *buf, size_t n)
{
    char want[200];
    buf[0] = '\0';
    snprintf(want, sizeof want, "\"device\": \"%s\"", label);
    const char *obj = strstr(out_text, want);
    if (!obj) return buf;
    const char *end = strchr(obj, '}');
    snprintf(want, sizeof want, "\"%s\": ", key);
    const char *v = strstr(obj, want);
    if (!v || (end && v > end)) return buf;
    v += strlen(want);
    size_t k = strcspn(v, ",\n");
    snprintf(buf, n, "%.*s", (int)(k < n ? k : n - 1), v);
    return buf;
}

/* The rows of a CSV file whose first column is `index`, without that column, joined. */
static char *rows_of(const char *path, int index)
{
    char *text = check_slurp(path), *out = calloc(1, text ? strlen(text) + 1 : 1);
    if (!text || !out) return free(text), out;
    char prefix[16];
    snprintf(prefix, sizeof prefix, "%d,", index);
    for (char *line = strchr(text, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        const char *row = line + 1;
        size_t len = strcspn(row, "\n");
        if (strncmp(row, prefix, strlen(prefix)) == 0)
            strncat(out, row + strlen(prefix), len - strlen(prefix) + 1);
    }
    free(text);
    return out;
}

/* Two device files, one a paper device edited, one another preset edited, both named. */
static void write_two_files(void)
{
    write_text(tmp("a.txt"), "name = sample A\nr_met = 600\n");
    write_text(tmp("b.txt"), "preset = 3\nr_met = 150\nname = sample B\n");
}

/* triple: two rows, labelled by the names, each the same as its file run alone. */
static void test_triple_two_files(void)
{
    write_two_files();
    char both[600], one[600], a[64], b[64], x[64];
    snprintf(both, sizeof both, "%s", tmp("both.csv"));
    snprintf(one, sizeof one, "%s", tmp("one.csv"));
    CHECK(vo2snn("triple", "--device-file", tmp("a.txt"), "--device-file", tmp("b.txt"), "--t-run",
                 "60us", "--out", both, "--json", NULL) == 0);
    CHECK(strcmp(json_field("sample A", "index", x, sizeof x), "1") == 0);
    CHECK(strcmp(json_field("sample B", "index", x, sizeof x), "2") == 0);
    json_field("sample A", "r_series_star_ohm", a, sizeof a);
    json_field("sample B", "r_series_star_ohm", b, sizeof b);
    CHECK(a[0] && b[0] && strcmp(a, b) != 0); /* different devices, different rows */
    char *rows1 = rows_of(both, 1), *rows2 = rows_of(both, 2);
    CHECK(rows1[0] && rows2[0] && strcmp(rows1, rows2) != 0);

    const char *files[2] = {"a.txt", "b.txt"}, *names[2] = {"sample A", "sample B"};
    char *rows[2] = {rows1, rows2};
    for (int k = 0; k < 2; k++) {
        CHECK(vo2snn("triple", "--device-file", tmp(files[k]), "--t-end", "60us", "--out", one,
                     "--json", NULL) == 0);
        char alone[64];
        json_field(names[k], "r_series_star_ohm", alone, sizeof alone);
        CHECK(strcmp(alone, k ? b : a) == 0);
        char *single = rows_of(one, 1);
        CHECK(strcmp(single, rows[k]) == 0);
        free(single);
    }
    free(rows1), free(rows2);

    /* the text table shows the labels */
    CHECK(vo2snn("triple", "--device-file", tmp("a.txt"), "--device-file", tmp("b.txt"), "--t-end",
                 "60us", "--out", both, NULL) == 0);
    CHECK(strstr(out_text, "\nsample A ") && strstr(out_text, "\nsample B "));
}

/* vf: the same, on the swept rows of the CSV. */
static void test_vf_two_files(void)
{
    write_two_files();
    char both[600], one[600];
    snprintf(both, sizeof both, "%s", tmp("vf2.csv"));
    snprintf(one, sizeof one, "%s", tmp("vf1.csv"));
    CHECK(vo2snn("vf", "--device-file", tmp("a.txt"), "--device-file", tmp("b.txt"), "--v-step",
                 "1", "--t-end", "60us", "--out", both, "--json", NULL) == 0);
    char f1[64], f2[64];
    json_field("sample A", "f_max_hz", f1, sizeof f1);
    json_field("sample B", "f_max_hz", f2, sizeof f2);
    CHECK(f1[0] && f2[0] && strcmp(f1, f2) != 0);
    char *rows1 = rows_of(both, 1), *rows2 = rows_of(both, 2);
    CHECK(rows1[0] && rows2[0] && strcmp(rows1, rows2) != 0);
    CHECK(vo2snn("vf", "--device-file", tmp("b.txt"), "--v-step", "1", "--t-end", "60us", "--out",
                 one, "--json", NULL) == 0);
    char alone[64];
    CHECK(strcmp(json_field("sample B", "f_max_hz", alone, sizeof alone), f2) == 0);
    char *single = rows_of(one, 1);
    CHECK(strcmp(single, rows2) == 0);
    free(single), free(rows1), free(rows2);
}

/* A file may choose another model; without a name its label is the file's name. */
static void test_file_with_model(void)
{
    write_text(tmp("sw_fast.txt"), "model = switch\nt_delay = 0.1us\n");
    write_text(tmp("a.txt"), "name = sample A\nr_met = 600\n");
    char out[600], x[64];
    snprintf(out, sizeof out, "%s", tmp("tm.csv"));
    CHECK(vo2snn("triple", "--device-file", tmp("sw_fast.txt"), "--device-file", tmp("a.txt"),
                 "--t-end", "60us", "--out", out, "--json", NULL) == 0);
    CHECK(strcmp(json_field("sw_fast", "model", x, sizeof x), "\"switch\"") == 0);
    CHECK(strcmp(json_field("sample A", "model", x, sizeof x), "\"vo2x\"") == 0);
    char sw[64];
    json_field("sw_fast", "chord_v_in_star_v", sw, sizeof sw);
    /* the same as the switch's preset 1 with that delay, chosen by flags */
    CHECK(vo2snn("triple", "--model", "switch", "--devices", "1", "--param", "t_delay=0.1us",
                 "--t-end", "60us", "--out", out, "--json", NULL) == 0);
    CHECK(strcmp(json_field("switch device 1, edited", "chord_v_in_star_v", x, sizeof x), sw) == 0);
    /* --model is the model of files that name none */
    write_text(tmp("delay.txt"), "t_delay = 0.1us\n");
    CHECK(vo2snn("triple", "--model", "switch", "--device-file", tmp("delay.txt"), "--t-end", "60us",
                 "--out", out, "--json", NULL) == 0);
    CHECK(strcmp(json_field("delay", "chord_v_in_star_v", x, sizeof x), sw) == 0);
}

/* Lists resolved in-process: presets of each model, labels, --param marks. */
static void test_resolve_lists(void)
{
    cli_device_list l;
    cli_devices_args sw = {.model = "switch", .model_given = 1};
    CHECK(cli_device_list_resolve("t", &sw, NULL, &l) == 0 && l.n == 5);
    CHECK(strcmp(l.label[1], "switch device 2") == 0 && l.p[1].model == vs_model_find("switch"));
    cli_devices_args zh = {.model = "zhang2024", .model_given = 1};
    CHECK(cli_device_list_resolve("t", &zh, NULL, &l) == 0 && l.n == 1);
    CHECK(strcmp(l.label[0], "zhang2024 preset 1") == 0);
    cli_devices_args vx = {0};
    CHECK(cli_device_list_resolve("t", &vx, NULL, &l) == 0 && l.n == 5);
    CHECK(strcmp(l.label[4], "device 5") == 0);
    cli_devices_args vac = {.vacancies = "0.25,0.35", .param = "r_met=600"};
    CHECK(cli_device_list_resolve("t", &vac, NULL, &l) == 0 && l.n == 2);
    CHECK(strcmp(l.label[0], "device 2, edited") == 0 && strcmp(l.label[1], "x = 0.35, edited") == 0);

    /* a file's name wins over its file name; --param edits it too */
    write_text(tmp("named.txt"), "name = film 7\npreset = 2\n");
    write_text(tmp("dir.x.y/plain.dev.txt"), "");
    cli_devices_args files = {.param = "r_met=500"};
    files.files.v[files.files.n++] = tmp("named.txt");
    files.files.v[files.files.n++] = tmp("dir.x.y/plain.dev.txt");
    CHECK(cli_device_list_resolve("t", &files, NULL, &l) == 0 && l.n == 2);
    CHECK(strcmp(l.label[0], "film 7") == 0 && vs_device_get(&l.p[0], "r_met") == 500);
    CHECK(strcmp(l.label[1], "plain.dev") == 0 && vs_device_get(&l.p[1], "r_met") == 500);
}

static void test_refusals(void)
{
    write_two_files();
    char o[600];
    snprintf(o, sizeof o, "%s", tmp("r.csv"));
    CHECK(REFUSES("--device-file", "vf", "--devices", "1,2", "--device-file", tmp("a.txt"), "--out", o));
    CHECK(REFUSES("--device-file", "triple", "--vacancies", "0.1", "--device-file", tmp("a.txt"),
                  "--out", o));
    CHECK(REFUSES("zhang2024", "vf", "--model", "zhang2024", "--vacancies", "0.1,0.2", "--out", o));
    CHECK(REFUSES("--devices", "triple", "--model", "zhang2024", "--devices", "2", "--out", o));
    CHECK(REFUSES("--devices", "triple", "--model", "switch", "--devices", "1-6", "--out", o));
    CHECK(REFUSES("--model", "vf", "--model", "vo3", "--out", o));
    CHECK(REFUSES("preset", "vf", "--device-file", tmp("a.txt"), "--param", "preset=2", "--out", o));
    CHECK(REFUSES("model", "vf", "--devices", "1", "--param", "model=switch", "--out", o));
    write_text(tmp("vo2x.txt"), "model = vo2x\n");
    CHECK(REFUSES("model", "triple", "--model", "switch", "--device-file", tmp("vo2x.txt"), "--out", o));
    CHECK(REFUSES("nope.txt", "triple", "--device-file", tmp("nope.txt"), "--out", o));
    write_text(tmp("bad.txt"), "r_met = -5\n");
    CHECK(REFUSES("r_met", "triple", "--device-file", tmp("a.txt"), "--device-file", tmp("bad.txt"),
                  "--out", o));
    CHECK(REFUSES("jitter", "cycles", "--model", "switch", "--devices", "1", "--out", o));
    CHECK(!exists(o));
}

/* --device-file up to its capacity (OPT_STRINGS_MAX), and one beyond it. */
static void test_file_capacity(void)
{
    const char *args[64];
    char names[OPT_STRINGS_MAX + 1][600], out[600];
    snprintf(out, sizeof out, "%s", tmp("cap.csv"));
    int n = 0;
    args[n++] = "cycles";
    for (int k = 0; k <= OPT_STRINGS_MAX; k++) {
        char text[64];
        snprintf(names[k], sizeof names[k], "%s/d%02d.txt", tmpdir, k + 1);
        snprintf(text, sizeof text, "preset = %d\n", 1 + k % 5);
        write_text(names[k], text);
    }
    for (int k = 0; k < OPT_STRINGS_MAX; k++) args[n++] = "--device-file", args[n++] = names[k];
    const char *tail[] = {"--cycles", "2", "--period", "20us", "--out", out, "--json", NULL};
    for (int k = 0; tail[k]; k++) args[n++] = tail[k];
    args[n] = NULL;
    CHECK(vo2snn_v(args) == 0);
    char label[16], x[64];
    for (int k = 0; k < OPT_STRINGS_MAX; k++) {
        snprintf(label, sizeof label, "d%02d", k + 1);
        snprintf(x, sizeof x, "%d", k + 1);
        char got[64];
        CHECK(strcmp(json_field(label, "index", got, sizeof got), x) == 0);
    }
    /* one more */
    n -= 7;
    args[n++] = "--device-file", args[n++] = names[OPT_STRINGS_MAX];
    for (int k = 0; tail[k]; k++) args[n++] = tail[k];
    args[n] = NULL;
    CHECK(cli_refuses("--device-file: given more than", args));
}

static void test_help(void)
{
    const char *cmds[] = {"vf", "triple", "cycles"};
    for (int k = 0; k < 3; k++) {
        CHECK(vo2snn(cmds[k], "--help", NULL) == 0);
        CHECK(strstr(out_text, "--device-file FILE") && strstr(out_text, "repeatable"));
        CHECK(strstr(out_text, "--model NAME") && strstr(out_text, "'name'"));
    }
}

int main(void)
{
    if (!mkdtemp(tmpdir)) return 1;
    char sub[600];
    snprintf(sub, sizeof sub, "%s/dir.x.y", tmpdir);
    mkdir(sub, 0700);
    RUN(test_triple_two_files);
    RUN(test_vf_two_files);
    RUN(test_file_with_model);
    RUN(test_resolve_lists);
    RUN(test_refusals);
    RUN(test_file_capacity);
    RUN(test_help);
    remove_tree(tmpdir);
    return CHECK_DONE();
}
