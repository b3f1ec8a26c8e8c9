/* test_paper.c -- `vo2snn paper --quick` end to end: every figure exists as a valid PNG and SVG,
   and headless Chromium loads report.html with no broken image (screenshot kept in build/). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static char tmpdir[] = "/tmp/vo2snn_paperXXXXXX";

static int run(const char *const *argv, const char *stdout_path)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(stdout_path ? stdout_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        int fe = open("/dev/null", O_WRONLY);
        if (!getenv("VO2SNN_TEST_VERBOSE")) dup2(fe, 2);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static int starts_with_file(const char *path, const char *magic, size_t n)
{
    char buf[64] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t k = fread(buf, 1, n, f);
    fclose(f);
    return k == n && memcmp(buf, magic, n) == 0;
}

static int contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    static char buf[1 << 20];
    size_t k = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[k] = '\0';
    return strstr(buf, needle) != NULL;
}

static const char *const figures[] = {
    "fig1fg/rt_map_cooling", "fig1fg/rt_map_heating", "fig2e/iv", "fig2/iv", "fig2/rt", "fig2l/cycles",
    "fig2/osc", "fig2r/square", "fig3b/dc", "fig3c/pulse", "fig3d/sine", "fig3fg/phase",
    "fig3fg/phase_waveforms", "fig3i/net2x2", "fig3j/triple", "fig3kl/vf", "fig3kl/vf_pf",
    "fig4/train/accuracy", "fig4/train/confusion", "fig4/infer/input_image", "fig4/infer/output_rates",
    "fig4/infer/raster_hidden", "fig4/infer/raster_output", "fig4/infer/confusion", "fig4/windows/windows"};
#define N_FIG (int)(sizeof figures / sizeof figures[0])

static void test_quick_report(void)
{
    const char *data = check_mnist_dir();
    const char *bin = getenv("VO2SNN_BIN") ? getenv("VO2SNN_BIN") : "build/vo2snn";
    char out[300], summary[400];
    snprintf(out, sizeof out, "%s/paper", tmpdir);
    snprintf(summary, sizeof summary, "%s/stdout.txt", tmpdir);
    const char *argv[] = {bin, "paper", "--quick", "--data", data, "--out", out, NULL};
    int rc = run(argv, summary);
    if (rc != 0) {
        CHECK_FAIL_MSG("vo2snn paper --quick exited %d (VO2SNN_TEST_VERBOSE=1 shows why)", rc);
        return;
    }
    CHECK(contains(summary, "report.html"));
    char path[600];
    for (int i = 0; i < N_FIG; i++) {
        snprintf(path, sizeof path, "%s/%s.png", out, figures[i]);
        if (!starts_with_file(path, "\x89PNG\r\n\x1a\n", 8) || file_size(path) < 2000)
            CHECK_FAIL_MSG("%.200s is missing or not a PNG", path);
        snprintf(path, sizeof path, "%s/%s.svg", out, figures[i]);
        if (!contains(path, "<svg") || file_size(path) < 1000) CHECK_FAIL_MSG("%.200s is missing or not an SVG", path);
    }
    snprintf(path, sizeof path, "%s/report.html", out);
    CHECK(contains(path, "Comparison with the paper"));
    CHECK(contains(path, "Quick mode"));
    for (int i = 0; i < N_FIG; i++) {
        char ref[300];
        snprintf(ref, sizeof ref, "src=\"%s.png\"", figures[i]);
        if (!contains(path, ref)) CHECK_FAIL_MSG("report.html does not show %s", figures[i]);
    }

    /* headless Chromium: every image loads (the report counts broken images on load) */
    char url[700], dom[400], shot[700], profile[400];
    snprintf(url, sizeof url, "file://%s/report.html", out);
    snprintf(dom, sizeof dom, "%s/dom.html", tmpdir);
    snprintf(profile, sizeof profile, "--user-data-dir=%s/chromium", tmpdir);
    const char *chrome[] = {"chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                            "--no-first-run", "--disable-background-networking", "--disable-component-update",
                            "--disable-sync", profile, "--virtual-time-budget=15000", "--dump-dom", url, NULL};
    rc = run(chrome, dom);
    if (rc == 127) {
        CHECK_FAIL_MSG("chromium not found: it is a declared dependency (scripts/setup.sh installs it)");
        return;
    }
    CHECK(rc == 0);
    char expect[100];
    snprintf(expect, sizeof expect, "data-images=\"%d\"", N_FIG);
    if (!contains(dom, expect)) CHECK_FAIL_MSG("the browser did not count %d images in report.html", N_FIG);
    if (!contains(dom, "data-broken-images=\"0\"")) CHECK_FAIL_MSG("report.html has broken images in the browser");
    snprintf(shot, sizeof shot, "--screenshot=%s/build/test_report_screenshot.png", getenv("PWD") ? getenv("PWD") : ".");
    const char *chrome_shot[] = {"chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                                 "--disable-sync", profile, "--window-size=1100,2400", "--virtual-time-budget=15000",
                                 shot, url, NULL};
    CHECK(run(chrome_shot, NULL) == 0);
    CHECK(starts_with_file(shot + strlen("--screenshot="), "\x89PNG", 4));
    CHECK(file_size(shot + strlen("--screenshot=")) > 50000);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) return 1;
    RUN(test_quick_report);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) return 1;
    return CHECK_DONE();
}
