/*
 * cli_run.h -- run build/vo2snn (or $VO2SNN_BIN) from a test in a private temporary
 * directory and capture its output; shared by the tests/test_*.c that drive the CLI.
 *
 * main() does `if (!mkdtemp(tmpdir)) return 1;` (or cli_train_small) first and
 * `remove_tree(tmpdir)` last;
 * vo2snn(...) runs the tool with the given arguments (NULL-terminated) and returns its
 * exit status, with stdout in out_text and stderr in err_text; tmp("x.csv") names a file
 * in tmpdir; cli_spawn() starts it in the background.
 */
#ifndef VO2SNN_TEST_CLI_RUN_H
#define VO2SNN_TEST_CLI_RUN_H
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CLI_RUN_FN static __attribute__((unused))

static char tmpdir[] = "/tmp/vo2snn_cliXXXXXX";
static char out_text[65536], err_text[8192];

CLI_RUN_FN void slurp(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    size_t k = f ? fread(buf, 1, n - 1, f) : 0;
    buf[k] = '\0';
    if (f) fclose(f);
}

/* Start build/vo2snn ($VO2SNN_BIN) with argv[1..] = args (NULL-terminated), its stdout and
 * stderr going to out_path and err_path; env may name one "VAR=value" set in the child. */
CLI_RUN_FN pid_t cli_spawn(const char *env, const char *const *args, const char *out_path,
                           const char *err_path)
{
    const char *argv[64];
    int n = 0;
    argv[n++] = getenv("VO2SNN_BIN") ? getenv("VO2SNN_BIN") : "build/vo2snn";
    for (; *args && n < 63; args++) argv[n++] = *args;
    argv[n] = NULL;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (env) {
            char name[64];
            const char *eq = strchr(env, '=');
            snprintf(name, sizeof name, "%.*s", (int)(eq - env), env);
            setenv(name, eq + 1, 1);
        }
        int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fo, 1);
        dup2(fe, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* Run build/vo2snn with argv[1..] = args (NULL-terminated); capture stdout and stderr. */
CLI_RUN_FN int vo2snn_v(const char *const *args)
{
    char out_path[256], err_path[256];
    snprintf(out_path, sizeof out_path, "%s/.stdout", tmpdir);
    snprintf(err_path, sizeof err_path, "%s/.stderr", tmpdir);
    pid_t pid = cli_spawn(NULL, args, out_path, err_path);
    int status;
    waitpid(pid, &status, 0);
    slurp(out_path, out_text, sizeof out_text);
    slurp(err_path, err_text, sizeof err_text);
    unlink(out_path);
    unlink(err_path);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

CLI_RUN_FN int vo2snn(const char *arg0, ...)
{
    const char *args[64];
    int n = 0;
    va_list ap;
    va_start(ap, arg0);
    for (const char *a = arg0; a && n < 63; a = va_arg(ap, const char *)) args[n++] = a;
    va_end(ap);
    args[n] = NULL;
    return vo2snn_v(args);
}

CLI_RUN_FN int lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

CLI_RUN_FN int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Number of entries in tmpdir (temporary files left behind show up here). */
CLI_RUN_FN int entries(void)
{
    DIR *d = opendir(tmpdir);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

CLI_RUN_FN const char *tmp(const char *name)
{
    static char buf[4][512];
    CLI_RUN_FN int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

CLI_RUN_FN void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

CLI_RUN_FN void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    char path[2048];
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) remove_tree(path);
        else unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* A CLI run that must fail: exit 1, one line on stderr naming `mention`, nothing on stdout. */
CLI_RUN_FN int cli_refuses(const char *mention, const char *const *args)
{
    int rc = vo2snn_v(args);
    int ok = rc == 1 && lines(err_text) == 1 && strstr(err_text, mention) && !out_text[0];
    if (!ok)
        fprintf(stderr, "  %s %s ...: rc %d, stderr '%.300s', mention '%s'\n", args[0], args[1],
                rc, err_text, mention);
    return ok;
}
#define REFUSES(mention, ...) cli_refuses(mention, (const char *const[]){__VA_ARGS__, NULL})


/* A small checkpoint for the tests of trained networks: tmpdir made, then `vo2snn train` of a
   784-16-10 network for `epochs` epochs on 2000 images into tmpdir/tr, with its transfer cache
   in tmpdir/cache; their paths into ck and cache. 0, or 1 after printing "FAIL setup: ..."
   (tmpdir removed). */
CLI_RUN_FN int cli_train_small(const char *epochs, char *ck, size_t ck_size, char *cache, size_t cache_size)
{
    if (!mkdtemp(tmpdir)) return printf("FAIL setup: cannot make %s\n", tmpdir), 1;
    snprintf(ck, ck_size, "%s/tr/checkpoint.vsck", tmpdir);
    snprintf(cache, cache_size, "%s/cache", tmpdir);
    char out[600];
    snprintf(out, sizeof out, "%s/tr", tmpdir);
    const char *args[] = {"train", "--data", check_mnist_dir(), "--epochs", epochs, "--train-limit", "2000",
                          "--limit", "50", "--hidden", "16", "--out", out, "--cache", cache, "--no-plot", NULL};
    if (vo2snn_v(args) == 0) return 0;
    printf("FAIL setup: train: %s\n", err_text);
    remove_tree(tmpdir);
    return 1;
}

#endif
