/* atomic.c -- write to "<path>.tmp.<pid>", then fsync and rename over path. */

/* fopencookie() lets us keep the errno of a failed write (e.g. ENOSPC), which
 * stdio would otherwise lose by the time the file is committed. It is in
 * glibc and musl. */
#define _GNU_SOURCE
#include "vo2snn/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

struct vs_afile {
    FILE *stream;    /* cookie stream writing to fd */
    int fd;          /* the temporary file; -1 once closed */
    int write_errno; /* errno of the first failed write or close, 0 if none */
    char *path;      /* final name */
    char *tmp_path;  /* "<path>.tmp.<pid>" */
};

static void afile_free(vs_afile *f);
static FILE *open_cookie_stream(vs_afile *f);
static void sync_parent_dir(const char *path);

vs_status vs_afile_open(const char *path, vs_afile **out)
{
    if (!out) return vs_fail(VS_EINVAL, "vs_afile_open: out is NULL");
    *out = NULL;
    if (!path || !*path) return vs_fail(VS_EINVAL, "cannot create '': empty file name");

    vs_afile *f = calloc(1, sizeof *f);
    size_t n = strlen(path) + 32;
    if (f) {
        f->fd = -1;
        f->path = strdup(path);
        f->tmp_path = malloc(n);
    }
    if (!f || !f->path || !f->tmp_path) {
        afile_free(f);
        return vs_fail(VS_ENOMEM, "cannot create '%s': out of memory", path);
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        afile_free(f);
        return vs_fail(VS_EIO, "cannot create '%s': %s", path, strerror(EISDIR));
    }

    /* O_EXCL, so two handles on one path in this process never share a file;
     * a name taken already gets a counter: "<path>.tmp.<pid>.1". */
    for (int k = 0; k < 100 && f->fd < 0; k++) {
        if (k == 0)
            snprintf(f->tmp_path, n, "%s.tmp.%ld", path, (long)getpid());
        else
            snprintf(f->tmp_path, n, "%s.tmp.%ld.%d", path, (long)getpid(), k);
        f->fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (f->fd < 0 && errno != EEXIST) break;
    }
    if (f->fd < 0) {
        int err = errno;
        afile_free(f);
        return vs_fail(VS_EIO, "cannot create '%s': %s", path, strerror(err));
    }
    f->stream = open_cookie_stream(f);
    if (!f->stream) {
        close(f->fd);
        unlink(f->tmp_path);
        afile_free(f);
        return vs_fail(VS_ENOMEM, "cannot create '%s': out of memory", path);
    }
    *out = f;
    return VS_OK;
}

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
    if (!err && rename(f->tmp_path, f->path) != 0) err = errno;

    if (err) {
        unlink(f->tmp_path);
        vs_status s = vs_fail(VS_EIO, "cannot write '%s': %s", f->path, strerror(err));
        afile_free(f);
        return s;
    }
    sync_parent_dir(f->path);
    afile_free(f);
    return VS_OK;
}

void vs_afile_abort(vs_afile *f)
{
    if (!f) return;
    if (f->stream) fclose(f->stream);
    unlink(f->tmp_path);
    afile_free(f);
}

vs_status vs_write_file_atomic(const char *path, const void *data, size_t n)
{
    if (n > 0 && !data) return vs_fail(VS_EINVAL, "cannot write '%s': no data", path ? path : "");
    vs_afile *f;
    vs_status s = vs_afile_open(path, &f);
    if (s != VS_OK) return s;
    if (n > 0) fwrite(data, 1, n, f->stream); /* a short write shows up in commit */
    return vs_afile_commit(f);
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
        if (mkdir(buf, 0777) != 0) {
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
