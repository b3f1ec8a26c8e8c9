/* test_outputs.c -- where outputs go: devices, FIFOs, symlinks and stdout are never
 * replaced; a failed, interrupted or clashing run leaves the earlier outputs as they were. */
#define _XOPEN_SOURCE 700 /* mknod */
#include <errno.h>
#include <signal.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "check.h"
#include "cli_run.h"

static const char *const short_run[] = {"--t-end", "5us", "--dt-out", "1us"};

static mode_t mode_of(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 ? st.st_mode : 0;
}

/* Any entry of tmpdir whose name contains part (hidden ones too). */
static int any_entry_with(const char *dir, const char *part)
{
    DIR *d = opendir(dir);
    int found = 0;
    for (struct dirent *e; d && (e = readdir(d));) found |= strstr(e->d_name, part) != NULL;
    if (d) closedir(d);
    return found;
}

/* Start vo2snn in the background, output discarded; returns its pid. */
static pid_t spawn_vo2snn(const char *const *args)
{
    return cli_spawn(NULL, args, "/dev/null", "/dev/null");
}

/* Wait (up to 20 s) until dir holds an entry containing part. */
static int wait_for_entry(const char *dir, const char *part)
{
    for (int i = 0; i < 2000; i++) {
        if (any_entry_with(dir, part)) return 1;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    return 0;
}

/* A character device (the null device, made in tmpdir) stays a device. */
static void test_device_output_not_replaced(void)
{
    const char *dev = tmp("nulldev");
    if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) != 0) {
        CHECK_SKIP("mknod: %s (needs root)", strerror(errno));
        return;
    }
    CHECK(vo2snn("osc", "--out", dev, short_run[0], short_run[1], short_run[2], short_run[3],
                 NULL) == 0);
    CHECK(S_ISCHR(mode_of(dev)));
    CHECK(!exists(tmp("nulldev_spikes.csv")));
    CHECK(!any_entry_with(tmpdir, "nulldev."));
    unlink(dev);
}

/* A FIFO receives the trace and the spike list, in that order, and stays a FIFO. */
static void test_fifo_output(void)
{
    const char *fifo = tmp("pipe"), *got = tmp("pipe_got.txt");
    CHECK(mkfifo(fifo, 0600) == 0);
    pid_t reader = fork();
    if (reader == 0) { /* two writers in turn: the trace, then the spikes */
        alarm(20);
        int out = open(got, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        char buf[4096];
        for (int k = 0; k < 2; k++) {
            int in = open(fifo, O_RDONLY);
            for (ssize_t n; (n = read(in, buf, sizeof buf)) > 0;)
                if (write(out, buf, (size_t)n) != n) _exit(1);
            close(in);
        }
        _exit(0);
    }
    CHECK(vo2snn("osc", "--out", fifo, short_run[0], short_run[1], short_run[2], short_run[3],
                 NULL) == 0);
    int status;
    waitpid(reader, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(S_ISFIFO(mode_of(fifo)));
    char *text = check_slurp(got);
    CHECK(text && strncmp(text, "t_s,v_in_v,", 11) == 0 && strstr(text, "\nindex,t_s,sign\n"));
    free(text);
    unlink(fifo);
    unlink(got);
}

/* A symbolic link stays a link; its target is replaced and keeps its permissions. */
static void test_symlink_output_kept(void)
{
    const char *real = tmp("real.csv"), *link = tmp("link.csv");
    write_text(real, "old\n");
    chmod(real, 0640);
    CHECK(symlink("real.csv", link) == 0);
    CHECK(vo2snn("osc", "--out", link, short_run[0], short_run[1], short_run[2], short_run[3],
                 NULL) == 0);
    CHECK(S_ISLNK(mode_of(link)));
    CHECK((mode_of(real) & 0777) == 0640);
    char *text = check_slurp(real);
    CHECK(text && strncmp(text, "t_s,", 4) == 0);
    free(text);
    /* a dangling link: the file it names is created */
    const char *dangling = tmp("dangling.csv");
    CHECK(symlink("made.csv", dangling) == 0);
    CHECK(vo2snn("osc", "--out", dangling, short_run[0], short_run[1], short_run[2],
                 short_run[3], NULL) == 0);
    CHECK(S_ISLNK(mode_of(dangling)) && S_ISREG(mode_of(tmp("made.csv"))));
    unlink(link);
    unlink(real);
    unlink(dangling);
    unlink(tmp("made.csv"));
    unlink(tmp("link_spikes.csv"));
    unlink(tmp("dangling_spikes.csv"));
}

/* /proc/self/fd/1 is the process's own stdout: the CSV goes there before the JSON. */
static void test_stdout_output(void)
{
    CHECK(vo2snn("osc", "--out", "/proc/self/fd/1", "--json", short_run[0], short_run[1],
                 short_run[2], short_run[3], NULL) == 0);
    CHECK(strncmp(out_text, "t_s,v_in_v,", 11) == 0);
    const char *spikes = strstr(out_text, "\nindex,t_s,sign\n");
    const char *json = strstr(out_text, "\"command\": \"osc\"");
    CHECK(spikes && json && spikes < json);
}

/* No new files under /dev, and block devices are refused. */
static void test_special_targets_refused(void)
{
    const char *in_dev = "/dev/vo2snn-test-output.csv";
    CHECK(vo2snn("osc", "--out", in_dev, short_run[0], short_run[1], NULL) == 1);
    CHECK(strstr(err_text, "does not create files under /dev") != NULL);
    CHECK(!exists(in_dev));
    unlink(in_dev); /* old code created it, and its spike list */
    unlink("/dev/vo2snn-test-output_spikes.csv");
    const char *blk = tmp("blockdev");
    if (mknod(blk, S_IFBLK | 0600, makedev(7, 250)) != 0) {
        CHECK_SKIP("block device part: mknod: %s (needs root)", strerror(errno));
        return;
    }
    CHECK(vo2snn("osc", "--out", blk, short_run[0], short_run[1], NULL) == 1);
    CHECK(strstr(err_text, "block device") != NULL);
    CHECK(S_ISBLK(mode_of(blk)));
    unlink(blk);
}

/* A run that fails after writing some files leaves the earlier set as it was. */
static void test_failed_run_rolls_back(void)
{
    const char *csv = tmp("set.csv"), *spikes = tmp("set_spikes.csv");
    write_text(csv, "OLD TRACE\n");
    write_text(spikes, "OLD SPIKES\n");
    int before = entries();
    const char *path = getenv("PATH");
    char *saved = path ? strdup(path) : NULL;
    setenv("PATH", "/nonexistent", 1); /* --plot fails after both CSVs are written */
    int rc = vo2snn("osc", "--out", csv, "--plot", short_run[0], short_run[1], NULL);
    char new_dir[600];
    snprintf(new_dir, sizeof new_dir, "%s/new/sub/x.csv", tmpdir);
    int rc2 = vo2snn("osc", "--out", new_dir, "--plot", short_run[0], short_run[1], NULL);
    if (saved) setenv("PATH", saved, 1);
    free(saved);
    CHECK(rc == 1 && rc2 == 1);
    char *a = check_slurp(csv), *b = check_slurp(spikes);
    CHECK(a && strcmp(a, "OLD TRACE\n") == 0);
    CHECK(b && strcmp(b, "OLD SPIKES\n") == 0);
    free(a);
    free(b);
    CHECK(entries() == before);         /* the new directories are gone too */
    CHECK(!any_entry_with(tmpdir, ".bak."));
    CHECK(!any_entry_with(tmpdir, ".tmp."));
    unlink(csv);
    unlink(spikes);
}

/* A long osc run writing dir/a.csv (dir made in tmpdir), once its temporary file exists. */
static pid_t start_long_run(const char *name, char *dir, char *csv)
{
    snprintf(dir, 600, "%s/%s", tmpdir, name);
    mkdir(dir, 0777);
    snprintf(csv, 700, "%s/a.csv", dir);
    const char *args[] = {"osc", "--out", csv, "--t-end", "2s", NULL};
    pid_t pid = spawn_vo2snn(args);
    CHECK(wait_for_entry(dir, ".tmp."));
    return pid;
}

/* SIGTERM during a run: no temporary file stays, the earlier output is back. */
static void test_signal_cleans_up(void)
{
    char dir[600], csv[700];
    snprintf(csv, sizeof csv, "%s/sig/a.csv", tmpdir);
    mkdir(tmp("sig"), 0777);
    write_text(csv, "OLD\n");
    pid_t pid = start_long_run("sig", dir, csv);
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
    CHECK(!any_entry_with(dir, ".tmp."));
    char *text = check_slurp(csv);
    CHECK(text && strcmp(text, "OLD\n") == 0);
    free(text);
    remove_tree(dir);
}

/* Temporary files of a dead process beside an output are swept by the next run. */
static void test_stale_temporaries_swept(void)
{
    pid_t dead = fork();
    if (dead == 0) _exit(0);
    waitpid(dead, NULL, 0);
    char stale[600];
    snprintf(stale, sizeof stale, "%s/swept.csv.tmp.%ld", tmpdir, (long)dead);
    write_text(stale, "half a file");
    CHECK(vo2snn("osc", "--out", tmp("swept.csv"), short_run[0], short_run[1], NULL) == 0);
    CHECK(!exists(stale));
    unlink(tmp("swept.csv"));
    unlink(tmp("swept_spikes.csv"));
}

/* Two runs with the same --out: the second is refused while the first writes. */
static void test_same_output_locked(void)
{
    char dir[600], csv[700];
    pid_t first = start_long_run("lock", dir, csv);
    CHECK(vo2snn("osc", "--out", csv, short_run[0], short_run[1], NULL) == 1);
    CHECK(strstr(err_text, "another vo2snn run") != NULL && lines(err_text) == 1);
    kill(first, SIGTERM);
    waitpid(first, NULL, 0);
    /* once it is gone the name is free again, and no lock file is left */
    CHECK(vo2snn("osc", "--out", csv, short_run[0], short_run[1], NULL) == 0);
    CHECK(!any_entry_with(dir, ".vo2snn.lock"));
    remove_tree(dir);
}

/* An output that would replace an input of the same run is refused; the input stays. */
static void test_output_equal_to_input_refused(void)
{
    const char *wave = tmp("w.csv"), *dev = tmp("d.txt");
    const char *wave_text = "t_s,v_v\n0,0\n2e-6,12.5\n5e-6,12.5\n", *dev_text = "r_met = 600\n";
    write_text(wave, wave_text);
    write_text(dev, dev_text);
    CHECK(vo2snn("osc", "--input", "pwl", "--pwl", wave, "--out", wave, NULL) == 1);
    CHECK(strstr(err_text, "it is the input") != NULL && lines(err_text) == 1);
    CHECK(vo2snn("osc", "--device-file", dev, "--out", dev, short_run[0], short_run[1], NULL) == 1);
    CHECK(strstr(err_text, "it is the input") != NULL);
    /* the same file through another name (a symbolic link) */
    CHECK(symlink("d.txt", tmp("alias.txt")) == 0);
    CHECK(vo2snn("osc", "--device-file", dev, "--out", tmp("alias.txt"), short_run[0],
                 short_run[1], NULL) == 1);
    char *a = check_slurp(wave), *b = check_slurp(dev);
    CHECK(a && strcmp(a, wave_text) == 0);
    CHECK(b && strcmp(b, dev_text) == 0);
    free(a);
    free(b);
    CHECK(!exists(tmp("w_spikes.csv")) && !exists(tmp("d_spikes.txt")));
    unlink(wave);
    unlink(dev);
    unlink(tmp("alias.txt"));
}

/* A gnuplot that hangs is killed after VO2SNN_PLOT_TIMEOUT seconds. */
static void test_hanging_gnuplot_limited(void)
{
    char bin[600], fake[700];
    snprintf(bin, sizeof bin, "%s/fakebin", tmpdir);
    mkdir(bin, 0777);
    snprintf(fake, sizeof fake, "%s/gnuplot", bin);
    write_text(fake, "#!/bin/sh\nexec /bin/sleep 20\n");
    chmod(fake, 0755);
    const char *path = getenv("PATH");
    char *saved = path ? strdup(path) : NULL;
    setenv("PATH", bin, 1);
    setenv("VO2SNN_PLOT_TIMEOUT", "1", 1);
    time_t t0 = time(NULL);
    int rc = vo2snn("osc", "--out", tmp("hang.csv"), "--plot", short_run[0], short_run[1], NULL);
    time_t took = time(NULL) - t0;
    unsetenv("VO2SNN_PLOT_TIMEOUT");
    if (saved) setenv("PATH", saved, 1);
    free(saved);
    CHECK(rc == 1 && took < 10);
    CHECK(strstr(err_text, "did not finish within 1 s") != NULL);
    CHECK(!exists(tmp("hang.csv")));
    remove_tree(bin);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) return 1;
    RUN(test_device_output_not_replaced);
    RUN(test_fifo_output);
    RUN(test_symlink_output_kept);
    RUN(test_stdout_output);
    RUN(test_special_targets_refused);
    RUN(test_failed_run_rolls_back);
    RUN(test_signal_cleans_up);
    RUN(test_stale_temporaries_swept);
    RUN(test_same_output_locked);
    RUN(test_output_equal_to_input_refused);
    RUN(test_hanging_gnuplot_limited);
    remove_tree(tmpdir);
    return CHECK_DONE();
}
