/* plot.c -- run gnuplot (posix_spawn, no shell, time-limited) into an atomic output file. */
#include "vo2snn/plot.h"

#include "vo2snn/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define PLOT_PREFIX_LINES 2 /* "set terminal", "set output" */

static const char *terminal_for(const char *path);
static vs_status write_script(const char *script, const char *terminal, const char *image_path,
                              char *script_path);
static vs_status run_gnuplot(const char *script_path, const char *out_path);

int vs_plot_available(void)
{
    const char *path = getenv("PATH");
    if (!path) path = "/usr/bin:/bin";
    while (1) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        char buf[4096];
        if (n + sizeof "/gnuplot" <= sizeof buf) {
            if (n == 0)
                strcpy(buf, "./gnuplot"); /* an empty PATH entry means "." */
            else
                snprintf(buf, sizeof buf, "%.*s/gnuplot", (int)n, path);
            struct stat st;
            if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0) return 1;
        }
        if (!colon) return 0;
        path = colon + 1;
    }
}

vs_status vs_plot_render(const char *script, const char *out_path, int width_px, int height_px)
{
    if (!out_path || !*out_path) return vs_fail(VS_EINVAL, "cannot plot: no output file name");
    if (!script) return vs_fail(VS_EINVAL, "cannot plot '%s': no script", out_path);
    if (strpbrk(out_path, "'\n\r"))
        return vs_fail(VS_EINVAL, "cannot plot '%s': the file name must not contain a quote or "
                                  "line break", out_path);
    const char *kind = terminal_for(out_path);
    if (!kind && vs_output_is_stream(out_path)) kind = "png"; /* e.g. /dev/null */
    if (!kind)
        return vs_fail(VS_EINVAL, "cannot plot '%s': the file name must end in .png or .svg",
                       out_path);
    if (width_px < 16 || width_px > 16384 || height_px < 16 || height_px > 16384)
        return vs_fail(VS_EINVAL, "cannot plot '%s': image size %dx%d px is outside 16..16384",
                       out_path, width_px, height_px);
    char terminal[128];
    if (strcmp(kind, "png") == 0)
        snprintf(terminal, sizeof terminal, "pngcairo size %d,%d enhanced font 'Sans,10'",
                 width_px, height_px);
    else
        snprintf(terminal, sizeof terminal, "svg size %d,%d dynamic enhanced", width_px,
                 height_px);
    if (!vs_plot_available())
        return vs_fail(VS_ENOTFOUND,
                       "gnuplot not found; install it with scripts/setup.sh or leave out --plot");

    /* gnuplot writes the atomic file's temporary name; commit puts it in place. */
    vs_afile *image;
    vs_status s = vs_afile_open(out_path, &image);
    if (s != VS_OK) return s;
    if (strpbrk(vs_afile_tmp_path(image), "'\n\r")) {
        vs_afile_abort(image);
        return vs_fail(VS_EINVAL, "cannot plot '%s': the file name must not contain a quote "
                                  "or line break", out_path);
    }
    char script_path[4096];
    s = write_script(script, terminal, vs_afile_tmp_path(image), script_path);
    if (s == VS_OK) {
        s = run_gnuplot(script_path, out_path);
        unlink(script_path);
    }
    struct stat st;
    if (s == VS_OK && (stat(vs_afile_tmp_path(image), &st) != 0 || st.st_size == 0))
        s = vs_fail(VS_EIO, "cannot plot '%s': gnuplot wrote no image (no plot command?)",
                    out_path);
    if (s != VS_OK) {
        vs_afile_abort(image);
        return s;
    }
    return vs_afile_commit(image);
}

/* ---- helpers ---------------------------------------------------------- */

static int ends_with_nocase(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    if (n < m) return 0;
    for (size_t i = 0; i < m; i++) {
        char c = s[n - m + i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != suffix[i]) return 0;
    }
    return 1;
}

/* "png", "svg" or NULL, from the file extension. */
static const char *terminal_for(const char *path)
{
    if (ends_with_nocase(path, ".png")) return "png";
    if (ends_with_nocase(path, ".svg")) return "svg";
    return NULL;
}

/* Write the full script to a fresh temporary file; its name goes to
 * script_path (4096 bytes). */
static vs_status write_script(const char *script, const char *terminal, const char *image_path,
                              char *script_path)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    if ((size_t)snprintf(script_path, 4096, "%s/vo2snn-plot-XXXXXX", dir) >= 4096)
        return vs_fail(VS_EIO, "cannot plot: TMPDIR is too long");
    int fd = mkstemp(script_path);
    if (fd < 0)
        return vs_fail(VS_EIO, "cannot plot: cannot create a script file in '%s': %s", dir,
                       strerror(errno));
    FILE *f = fdopen(fd, "w");
    if (!f) {
        int err = errno;
        close(fd);
        unlink(script_path);
        return vs_fail(VS_EIO, "cannot plot: cannot write '%s': %s", script_path, strerror(err));
    }
    fprintf(f, "set terminal %s\nset output '%s'\n", terminal, image_path);
    fputs(script, f);
    fputs("\nunset output\n", f);
    int failed = ferror(f);
    failed |= fclose(f) != 0;
    if (failed) {
        unlink(script_path);
        return vs_fail(VS_EIO, "cannot plot: cannot write the script file '%s'", script_path);
    }
    return VS_OK;
}

/* Find "line N: msg" in one line of gnuplot's stderr. */
static int find_line_ref(const char *line, long *n, const char **msg)
{
    for (const char *at = strstr(line, "line "); at; at = strstr(at + 1, "line ")) {
        const char *d = at + 5;
        if (*d < '0' || *d > '9') continue;
        char *end;
        *n = strtol(d, &end, 10);
        if (*end != ':') continue;
        for (*msg = end + 1; **msg == ' ';) (*msg)++;
        return 1;
    }
    return 0;
}

/* Rewrite gnuplot's "\"<script>\" line 5: msg" as "script line 3: msg". */
static void describe_error(const char *line, char *out, size_t cap)
{
    long n;
    const char *msg;
    if (!find_line_ref(line, &n, &msg)) {
        while (*line == ' ' || *line == '\t') line++;
        snprintf(out, cap, "%s", line);
    } else if (n > PLOT_PREFIX_LINES) {
        snprintf(out, cap, "script line %ld: %s", n - PLOT_PREFIX_LINES, msg);
    } else {
        snprintf(out, cap, "%s", msg);
    }
}

/* Pick gnuplot's first error line from its stderr: the first "line N:" that
 * is not a warning, else the first warning, else the first non-blank line. */
static void first_error(FILE *err, char *out, size_t cap)
{
    char line[1024], warning[1024] = "", any[1024] = "";
    out[0] = '\0';
    rewind(err);
    while (fgets(line, sizeof line, err)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[strspn(line, " \t")]) continue;
        if (!any[0]) snprintf(any, sizeof any, "%s", line);
        long n;
        const char *msg;
        if (!find_line_ref(line, &n, &msg)) continue;
        if (strncmp(msg, "warning:", 8) == 0) {
            if (!warning[0]) snprintf(warning, sizeof warning, "%s", line);
            continue;
        }
        describe_error(line, out, cap);
        return;
    }
    if (warning[0])
        describe_error(warning, out, cap);
    else
        describe_error(any, out, cap);
}

/* Seconds gnuplot may take per image: $VO2SNN_PLOT_TIMEOUT, else 120. */
static double plot_time_limit_s(void)
{
    const char *env = getenv("VO2SNN_PLOT_TIMEOUT");
    char *end;
    double t = env ? strtod(env, &end) : 0;
    return env && end != env && !*end && t > 0 && t <= 86400 ? t : 120.0;
}

/* waitpid with a time limit: 0 when the child ended (status set), 1 after killing it at
 * the limit, -errno on failure. */
static int wait_limited(pid_t pid, double limit_s, int *status)
{
    struct timespec start, now, nap = {0, 2000000}; /* poll every 2 ms */
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid) return 0;
        if (r < 0 && errno != EINTR) return -errno;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double t = (double)(now.tv_sec - start.tv_sec) + 1e-9 * (double)(now.tv_nsec - start.tv_nsec);
        if (t > limit_s) {
            kill(pid, SIGKILL);
            while (waitpid(pid, status, 0) < 0 && errno == EINTR) {}
            return 1;
        }
        nanosleep(&nap, NULL);
    }
}

static vs_status run_gnuplot(const char *script_path, const char *out_path)
{
    FILE *err = tmpfile();
    if (!err) return vs_fail(VS_EIO, "cannot plot '%s': no temporary file: %s", out_path,
                             strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fileno(err), 2); /* first, in case it is fd 0 or 1 */
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    char *argv[] = {"gnuplot", (char *)script_path, NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fclose(err);
        if (rc == ENOENT)
            return vs_fail(VS_ENOTFOUND, "gnuplot not found; install it with scripts/setup.sh "
                                         "or leave out --plot");
        return vs_fail(VS_EIO, "cannot plot '%s': cannot run gnuplot: %s", out_path,
                       strerror(rc));
    }

    int status;
    double limit_s = plot_time_limit_s();
    int waited = wait_limited(pid, limit_s, &status);
    if (waited != 0) {
        fclose(err);
        if (waited > 0)
            return vs_fail(VS_EIO, "cannot plot '%s': gnuplot did not finish within %g s "
                                   "(killed; VO2SNN_PLOT_TIMEOUT sets the limit)",
                           out_path, limit_s);
        return vs_fail(VS_EIO, "cannot plot '%s': waiting for gnuplot: %s", out_path,
                       strerror(-waited));
    }

    vs_status s = VS_OK;
    char msg[512];
    if (WIFSIGNALED(status)) {
        s = vs_fail(VS_EIO, "cannot plot '%s': gnuplot was killed by signal %d", out_path,
                    WTERMSIG(status));
    } else if (WEXITSTATUS(status) != 0) {
        first_error(err, msg, sizeof msg);
        if (msg[0])
            s = vs_fail(VS_EIO, "cannot plot '%s': gnuplot: %s", out_path, msg);
        else
            s = vs_fail(VS_EIO, "cannot plot '%s': gnuplot exited with status %d", out_path,
                        WEXITSTATUS(status));
    }
    fclose(err);
    return s;
}
