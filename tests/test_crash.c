/* test_crash.c -- kill -9 during training, then --resume: no finished epoch is lost and the final
   weights equal those of an uninterrupted run (same seed and thread count). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "vo2snn/train.h"

static char tmpdir[] = "/tmp/vo2snn_crashXXXXXX";

static pid_t spawn(const char *const *argv)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static int wait_rc(pid_t pid)
{
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static int metrics_rows(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    int n = 0;
    for (int c; (c = fgetc(f)) != EOF;) n += c == '\n';
    fclose(f);
    return n - 1;   /* header */
}

static int load(const char *ck, const char *cache, vs_checkpoint_info *info, vs_mlp **m, vs_transfer *t)
{
    if (vs_checkpoint_load_info(ck, info) != VS_OK) return -1;
    if (vs_transfer_build(&info->device, &info->circuit, &info->transfer, cache, t) != VS_OK) return -1;
    return vs_checkpoint_load(ck, t, 64, info, m) == VS_OK ? 0 : -1;
}

static void test_kill_and_resume(void)
{
    const char *bin = getenv("VO2SNN_BIN") ? getenv("VO2SNN_BIN") : "build/vo2snn";
    const char *data = check_mnist_dir();
    char a[300], b[300], cache[300], metrics[400];
    snprintf(a, sizeof a, "%s/a", tmpdir);
    snprintf(b, sizeof b, "%s/b", tmpdir);
    snprintf(cache, sizeof cache, "%s/cache", tmpdir);
    snprintf(metrics, sizeof metrics, "%s/metrics.csv", b);
    /* uninterrupted reference */
    const char *ref[] = {bin, "train", "--data", data, "--epochs", "4", "--limit", "500", "--threads", "2",
                         "--out", a, "--cache", cache, "--no-plot", NULL};
    CHECK(wait_rc(spawn(ref)) == 0);
    /* the same run, killed with SIGKILL once two epochs are on disk */
    const char *run[] = {bin, "train", "--data", data, "--epochs", "4", "--limit", "500", "--threads", "2",
                         "--out", b, "--cache", cache, "--no-plot", NULL};
    pid_t pid = spawn(run);
    struct timespec nap = {0, 2000000};
    int rows = 0;
    for (int i = 0; i < 30000 && rows < 2; i++) {
        nanosleep(&nap, NULL);
        rows = metrics_rows(metrics);
    }
    kill(pid, SIGKILL);
    int rc = wait_rc(pid);
    if (rc != 128 + SIGKILL) CHECK_FAIL_MSG("the run ended (status %d) before it could be killed", rc);
    char ck_b[400], ck_a[400];
    snprintf(ck_a, sizeof ck_a, "%s/checkpoint.vsck", a);
    snprintf(ck_b, sizeof ck_b, "%s/checkpoint.vsck", b);
    static vs_checkpoint_info ia, ib;
    CHECK(vs_checkpoint_load_info(ck_b, &ib) == VS_OK);      /* the checkpoint survived the kill */
    CHECK(ib.epoch >= 2 && ib.epoch < 4);                     /* at most the current epoch is lost */
    int resumed_from = ib.epoch;
    const char *resume[] = {bin, "train", "--data", data, "--epochs", "4", "--limit", "500", "--threads", "2",
                            "--out", b, "--cache", cache, "--no-plot", "--resume", NULL};
    CHECK(wait_rc(spawn(resume)) == 0);
    vs_mlp *ma = NULL, *mb = NULL;
    vs_transfer ta, tb;
    if (load(ck_a, cache, &ia, &ma, &ta) != 0 || load(ck_b, cache, &ib, &mb, &tb) != 0) {
        CHECK_FAIL_MSG("cannot load the checkpoints: %s", vs_last_error());
        return;
    }
    CHECK(ia.epoch == 4 && ib.epoch == 4);
    size_t n = vs_mlp_num_params(ma);
    CHECK(memcmp(vs_mlp_params(ma), vs_mlp_params(mb), n * sizeof(float)) == 0);
    CHECK(memcmp(vs_mlp_moments(ma), vs_mlp_moments(mb), 2 * n * sizeof(float)) == 0);
    for (int e = 0; e < 4; e++) CHECK(ia.history[e].test_acc == ib.history[e].test_acc);
    printf("  killed with %d epochs on disk, resumed from epoch %d: weights identical to the uninterrupted run\n",
           rows, resumed_from);
    vs_mlp_free(ma), vs_mlp_free(mb);
    vs_transfer_free(&ta), vs_transfer_free(&tb);
}

/* kill -9 during a phase sweep, then --resume: the grid equals an uninterrupted sweep's. */
static void test_sweep_resume(void)
{
    const char *bin = getenv("VO2SNN_BIN") ? getenv("VO2SNN_BIN") : "build/vo2snn";
    char ref[300], cut[300], partial[300];
    snprintf(ref, sizeof ref, "%s/ref.csv", tmpdir);
    snprintf(cut, sizeof cut, "%s/cut.csv", tmpdir);
    snprintf(partial, sizeof partial, "%s/cut.partial.csv", tmpdir);
    const char *a[] = {bin, "phase", "--r-points", "40", "--v-points", "40", "--no-triple", "--out", ref, NULL};
    CHECK(wait_rc(spawn(a)) == 0);
    const char *b[] = {bin, "phase", "--r-points", "40", "--v-points", "40", "--no-triple", "--out", cut, NULL};
    pid_t pid = spawn(b);
    struct timespec nap = {0, 1000000};
    struct stat st;
    for (int i = 0; i < 20000 && stat(partial, &st) != 0; i++) nanosleep(&nap, NULL);
    kill(pid, SIGKILL);
    int rc = wait_rc(pid);
    if (rc != 128 + SIGKILL) CHECK_FAIL_MSG("the sweep ended (status %d) before it could be killed", rc);
    CHECK(stat(partial, &st) == 0 && stat(cut, &st) != 0);   /* partial results kept, no grid yet */
    const char *c[] = {bin, "phase", "--r-points", "40", "--v-points", "40", "--no-triple", "--out", cut, "--resume", NULL};
    CHECK(wait_rc(spawn(c)) == 0);
    char *x = check_slurp(ref), *y = check_slurp(cut);
    CHECK(x && y && strlen(x) > 1000 && strcmp(x, y) == 0);
    CHECK(stat(partial, &st) != 0);                             /* removed once complete */
    free(x), free(y);
    /* a partial file of another sweep is refused */
    const char *d[] = {bin, "phase", "--r-points", "40", "--v-points", "40", "--no-triple", "--out", cut, NULL};
    pid = spawn(d);
    for (int i = 0; i < 20000 && stat(partial, &st) != 0; i++) nanosleep(&nap, NULL);
    kill(pid, SIGKILL);
    wait_rc(pid);
    const char *e[] = {bin, "phase", "--r-points", "40", "--v-points", "41", "--no-triple", "--out", cut, "--resume", NULL};
    CHECK(wait_rc(spawn(e)) == 1);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) return 1;
    RUN(test_kill_and_resume);
    RUN(test_sweep_resume);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) return 1;
    return CHECK_DONE();
}
