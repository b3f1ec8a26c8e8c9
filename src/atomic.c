/* atomic.c -- write to "<path>.tmp.<pid>", then fsync and rename over path; streams
 * (devices, FIFOs, /dev/stdout) get the finished file copied into them. */

/* fopencookie() lets us keep the errno of a failed write (e.g. ENOSPC), which
 * stdio would otherwise lose by the time the file is committed. It is in
 * glibc and musl. */
#define _GNU_SOURCE
#include "vo2snn/atomic.h"

#include "outputs_internal.h"
#include "vo2snn/outputs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

struct vs_afile {
    FILE *stream;        /* cookie stream writing to fd */
    int fd;              /* the temporary file; -1 once closed */
    int write_errno;     /* errno of the first failed write or close, 0 if none */
    char *path;          /* the name given (for messages; the stream written for streams) */
    char *final_path;    /* where the file goes: path with symbolic links resolved; NULL
                            when path is a stream (device, FIFO, /dev/stdout) */
    char *tmp_path;      /* "<final>.tmp.<pid>", or a private file in $TMPDIR for streams */
    vs_tmp_node *tracked; /* removed on signals while the output set is open */
    int in_set;          /* joins the output set (locked, rolled back); 0 for shared files */
};

static void afile_free(vs_afile *f);
static FILE *open_cookie_stream(vs_afile *f);
static void sync_parent_dir(const char *path);
static vs_status resolve_target(const char *path, char **final_path);
static int create_tmp(vs_afile *f);
static int copy_into_stream(const char *from, const char *to);

static vs_status afile_open(const char *path, int in_set, vs_afile **out);

vs_status vs_afile_open(const char *path, vs_afile **out) { return afile_open(path, 1, out); }

vs_status vs_afile_open_shared(const char *path, vs_afile **out)
{
    return afile_open(path, 0, out);
}

static vs_status afile_open(const char *path, int in_set, vs_afile **out)
{
    if (!out) return vs_fail(VS_EINVAL, "vs_afile_open: out is NULL");
    *out = NULL;
    if (!path || !*path) return vs_fail(VS_EINVAL, "cannot create '': empty file name");

    vs_afile *f = calloc(1, sizeof *f);
    if (f) {
        f->fd = -1;
        f->path = strdup(path);
    }
    if (!f || !f->path) {
        afile_free(f);
        return vs_fail(VS_ENOMEM, "cannot create '%s': out of memory", path);
    }
    vs_status s = resolve_target(path, &f->final_path);
    f->in_set = in_set && f->final_path;
    if (s == VS_OK && f->in_set) s = vs_outputs_claim(f->final_path);
    if (s != VS_OK) {
        afile_free(f);
        return s;
    }
    if (create_tmp(f) != 0) {
        int err = errno;
        afile_free(f);
        return vs_fail(VS_EIO, "cannot create '%s': %s", path, strerror(err));
    }
    f->tracked = vs_outputs_track_tmp(f->tmp_path);
    f->stream = open_cookie_stream(f);
    if (!f->stream) {
        vs_afile_abort(f);
        return vs_fail(VS_ENOMEM, "cannot create '%s': out of memory", path);
    }
    *out = f;
    return VS_OK;
}

const char *vs_afile_tmp_path(const vs_afile *f) { return f ? f->tmp_path : NULL; }

FILE *vs_afile_stream(vs_afile *f) { return f ? f->stream : NULL; }

vs_status vs_afile_check(vs_afile *f)
{
    if (!f) return vs_fail(VS_EINVAL, "vs_afile_check: no file");
    if (f->write_errno || ferror(f->stream))
        return vs_fail(VS_EIO, "cannot write '%s': %s", f->path,
                       strerror(f->write_errno ? f->write_errno : EIO));
    return VS_OK;
}

vs_status vs_afile_commit(vs_afile *f)
{
    if (!f) return vs_fail(VS_EINVAL, "vs_afile_commit: no file");

    int err = 0;
    if (f->write_errno || ferror(f->stream))
        err = f->write_errno ? f->write_errno : EIO;
    else if (fflush(f->stream) != 0)
        err = f->write_errno ? f->write_errno : errno;
    else if (fsync(f->fd) != 0)
        err = errno;

    int close_failed = fclose(f->stream) != 0; /* closes fd via the cookie */
    f->stream = NULL;
    if (!err && close_failed) err = f->write_errno ? f->write_errno : EIO;
    if (!err && f->in_set) err = vs_outputs_place(f->tmp_path, f->final_path);
    if (!err && f->final_path && !f->in_set && rename(f->tmp_path, f->final_path) != 0) err = errno;
    if (!err && !f->final_path) err = copy_into_stream(f->tmp_path, f->path);

    if (err || !f->final_path) unlink(f->tmp_path);
    vs_outputs_untrack_tmp(f->tracked);
    if (err) {
        vs_status s = vs_fail(VS_EIO, "cannot write '%s': %s", f->path, strerror(err));
        afile_free(f);
        return s;
    }
    if (f->final_path) sync_parent_dir(f->final_path);
    afile_free(f);
    return VS_OK;
}

void vs_afile_abort(vs_afile *f)
{
    if (!f) return;
    if (f->stream)
        fclose(f->stream);
    else if (f->fd >= 0)
        close(f->fd);
    if (f->tmp_path) unlink(f->tmp_path);
    vs_outputs_untrack_tmp(f->tracked);
    afile_free(f);
}

static vs_status write_whole(const char *path, const void *data, size_t n, int in_set)
{
    if (n > 0 && !data) return vs_fail(VS_EINVAL, "cannot write '%s': no data", path ? path : "");
    vs_afile *f;
    vs_status s = afile_open(path, in_set, &f);
    if (s != VS_OK) return s;
    if (n > 0) fwrite(data, 1, n, f->stream); /* a short write shows up in commit */
    return vs_afile_commit(f);
}

vs_status vs_write_file_atomic(const char *path, const void *data, size_t n)
{
    return write_whole(path, data, n, 1);
}

vs_status vs_write_file_shared(const char *path, const void *data, size_t n)
{
    return write_whole(path, data, n, 0);
}

vs_status vs_mkdir_p(const char *dir)
{
    if (!dir || !*dir) return vs_fail(VS_EINVAL, "cannot create directory '': empty name");
    char *buf = strdup(dir);
    if (!buf) return vs_fail(VS_ENOMEM, "cannot create directory '%s': out of memory", dir);

    /* Create each prefix ending before a '/', then the whole name. */
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(buf, 0777) == 0) {
            vs_outputs_dir_created(buf);
        } else {
            int err = errno;
            struct stat st;
            int exists = stat(buf, &st) == 0;
            if (!exists || !S_ISDIR(st.st_mode)) {
                if (exists) err = ENOTDIR; /* e.g. a regular file is in the way */
                vs_status s =
                    saved == '\0'
                        ? vs_fail(VS_EIO, "cannot create directory '%s': %s", dir, strerror(err))
                        : vs_fail(VS_EIO, "cannot create directory '%s': '%s': %s", dir, buf,
                                  strerror(err));
                free(buf);
                return s;
            }
        }
        *p = saved;
        if (saved == '\0') break;
    }
    free(buf);
    return VS_OK;
}

/* ---- helpers ---------------------------------------------------------- */

static void afile_free(vs_afile *f)
{
    if (!f) return;
    free(f->path);
    free(f->final_path);
    free(f->tmp_path);
    free(f);
}

static ssize_t cookie_write(void *cookie, const char *buf, size_t size)
{
    vs_afile *f = cookie;
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(f->fd, buf + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (!f->write_errno) f->write_errno = n < 0 ? errno : EIO;
            errno = f->write_errno;
            return 0; /* fopencookie: 0 signals an error */
        }
        done += (size_t)n;
    }
    return (ssize_t)size;
}

static int cookie_seek(void *cookie, off64_t *offset, int whence)
{
    vs_afile *f = cookie;
    off_t pos = lseek(f->fd, (off_t)*offset, whence);
    if (pos < 0) return -1;
    *offset = pos;
    return 0;
}

static int cookie_close(void *cookie)
{
    vs_afile *f = cookie;
    int rc = close(f->fd);
    if (rc != 0 && !f->write_errno) f->write_errno = errno;
    f->fd = -1;
    return rc;
}

static FILE *open_cookie_stream(vs_afile *f)
{
    cookie_io_functions_t io = {
        .read = NULL, .write = cookie_write, .seek = cookie_seek, .close = cookie_close};
    return fopencookie(f, "w", io);
}

/* Make the rename durable. Best effort: some file systems refuse to fsync a
 * directory, and by now the new file is already in place. */
static void sync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir) return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

/* ---- targets ----------------------------------------------------------------------- */

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int vs_output_is_stream(const char *path)
{
    struct stat st;
    if (!path || stat(path, &st) != 0) return 0;
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) return 1;
    /* /dev/stdout, /dev/fd/N, /proc/self/fd/N may lead to a regular file that the shell
     * holds open: write into it, never rename over it. */
    return !S_ISDIR(st.st_mode) && !S_ISBLK(st.st_mode) &&
           (starts_with(path, "/dev/") || starts_with(path, "/proc/"));
}

/* Follow symbolic links (also dangling ones) to the name the data really goes to. */
static vs_status follow_links(const char *path, char **out)
{
    char *cur = strdup(path);
    for (int depth = 0; cur && depth < 40; depth++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) {
            *out = cur;
            return VS_OK;
        }
        char target[4096];
        ssize_t n = readlink(cur, target, sizeof target - 1);
        if (n < 0) break;
        target[n] = '\0';
        const char *slash = strrchr(cur, '/');
        char *next = malloc(strlen(cur) + (size_t)n + 2);
        if (next && (target[0] == '/' || !slash))
            strcpy(next, target);
        else if (next)
            sprintf(next, "%.*s/%s", (int)(slash - cur), cur, target);
        free(cur);
        cur = next;
    }
    int err = cur ? ELOOP : ENOMEM;
    free(cur);
    return vs_fail(VS_EIO, "cannot create '%s': %s", path, strerror(err));
}

static vs_status resolve_target(const char *path, char **final_path)
{
    *final_path = NULL;
    struct stat st;
    int exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode))
        return vs_fail(VS_EIO, "cannot create '%s': %s", path, strerror(EISDIR));
    if (exists && S_ISBLK(st.st_mode))
        return vs_fail(VS_EIO, "refusing to write '%s': it is a block device", path);
    if (vs_output_is_stream(path)) return VS_OK;
    if (starts_with(path, "/dev/") || starts_with(path, "/proc/"))
        return vs_fail(VS_EIO, "cannot create '%s': vo2snn does not create files under /dev "
                               "or /proc (an existing device or /dev/stdout is fine)", path);
    return follow_links(path, final_path);
}

/* The temporary file: beside the final file (same file system, so rename is atomic),
 * with the old file's permissions; for a stream a private file in $TMPDIR. */
static int create_tmp(vs_afile *f)
{
    if (!f->final_path) {
        const char *dir = getenv("TMPDIR");
        if (!dir || !*dir) dir = "/tmp";
        if (!(f->tmp_path = malloc(strlen(dir) + 32))) return errno = ENOMEM, -1;
        sprintf(f->tmp_path, "%s/vo2snn-out-XXXXXX", dir);
        f->fd = mkstemp(f->tmp_path);
        return f->fd < 0 ? -1 : 0;
    }
    size_t n = strlen(f->final_path) + 48;
    if (!(f->tmp_path = malloc(n))) return errno = ENOMEM, -1;
    /* O_EXCL, so two handles on one path in this process never share a file; a name
     * taken already gets a counter: "<path>.tmp.<pid>.1". */
    for (int k = 0; k < 100 && f->fd < 0; k++) {
        if (k == 0)
            snprintf(f->tmp_path, n, "%s.tmp.%ld", f->final_path, (long)getpid());
        else
            snprintf(f->tmp_path, n, "%s.tmp.%ld.%d", f->final_path, (long)getpid(), k);
        f->fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (f->fd < 0 && errno != EEXIST) break;
    }
    if (f->fd < 0) return -1;
    struct stat st;
    if (stat(f->final_path, &st) == 0 && S_ISREG(st.st_mode)) {
        if (geteuid() == 0 && fchown(f->fd, st.st_uid, st.st_gid) != 0) { /* best effort */ }
        fchmod(f->fd, st.st_mode & 07777);
    }
    return 0;
}

/* The descriptor that /dev/stdout, /dev/stderr, /dev/fd/N or /proc/self/fd/N names, or -1.
 * Writing to it (not to a reopened file) keeps its offset shared with printf's output. */
static int own_fd_of(const char *path)
{
    if (strcmp(path, "/dev/stdout") == 0) return 1;
    if (strcmp(path, "/dev/stderr") == 0) return 2;
    const char *num = starts_with(path, "/dev/fd/")        ? path + 8
                      : starts_with(path, "/proc/self/fd/") ? path + 14
                                                            : NULL;
    if (!num || *num < '0' || *num > '9') return -1;
    char *end;
    long fd = strtol(num, &end, 10);
    return *end || fd > 1 << 20 ? -1 : (int)fd;
}

/* Append the finished file to a stream (what was printed to stdout goes first). */
static int copy_into_stream(const char *from, const char *to)
{
    fflush(stdout);
    fflush(stderr);
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) return errno;
    int own = own_fd_of(to);
    int out = own >= 0 ? dup(own) : open(to, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
    int err = out < 0 ? errno : 0;
    char buf[65536];
    while (!err) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            err = n < 0 ? errno : 0;
            break;
        }
        for (ssize_t done = 0; done < n && !err;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            if ((w < 0 && errno != EINTR) || w == 0) err = w == 0 ? EIO : errno;
            if (w > 0) done += w;
        }
    }
    close(in);
    if (out >= 0 && close(out) != 0 && !err) err = errno;
    return err;
}
