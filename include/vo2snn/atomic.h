/*
 * atomic.h -- output files that appear whole or not at all.
 *
 * vs_afile_open() writes to "<path>.tmp.<pid>" in the same directory (with
 * ".<k>" appended if this process already has that name open);
 * vs_afile_commit() flushes, fsyncs and renames it over path, so readers see
 * either the old file or the complete new one, never a partial write. Any
 * failure removes the temporary file and leaves an existing file at path
 * untouched. The new file keeps the permissions of the one it replaces.
 *
 * Nothing that is not a regular file is ever renamed over:
 *  - a symbolic link stays; the file it points to is replaced (also a dangling one);
 *  - a stream (character device such as /dev/null, FIFO, socket, or /dev/stdout,
 *    /dev/fd/N, /proc/self/fd/N) receives the finished file, appended, at commit;
 *  - a directory or block device is refused, and no new file is created under /dev
 *    or /proc.
 * While an output set is open (outputs.h), committed files join it (lock, backup,
 * rollback), and outputs that would replace a protected input are refused.
 *
 * Ownership: vs_afile_open() returns a handle that must be passed to exactly
 * one of vs_afile_commit() or vs_afile_abort(); both free it. The FILE* from
 * vs_afile_stream() is owned by the handle: write to it, never fclose it.
 * Handles are not shared between threads.
 */
#ifndef VO2SNN_ATOMIC_H
#define VO2SNN_ATOMIC_H

#include <stddef.h>
#include <stdio.h>

#include "vo2snn/status.h"

typedef struct vs_afile vs_afile; /* opaque */

/*
 * Start writing path. On failure *out is NULL and the message names path and
 * the system error ("cannot create 'nodir/x.csv': No such file or directory";
 * a directory at path is refused here rather than at commit).
 */
vs_status vs_afile_open(const char *path, vs_afile **out);

/*
 * The same for a file shared between concurrent runs, such as a cache: written atomically
 * but outside the run's output set (never locked, never rolled back; last writer wins).
 */
vs_status vs_afile_open_shared(const char *path, vs_afile **out);

/* The stream to write to (borrowed; valid until commit or abort). */
FILE *vs_afile_stream(vs_afile *f);

/*
 * VS_EIO if a write to the stream has already failed (so long outputs can stop
 * early), with the message commit would give; VS_OK otherwise. f stays open.
 */
vs_status vs_afile_check(vs_afile *f);

/*
 * Finish: check for write errors, fflush, fsync, fclose, rename over the
 * final path and fsync the directory. Always frees f. On failure the
 * temporary file is removed, any old file at path is untouched, and the
 * message names the path ("cannot write 'out/x.csv': No space left on
 * device"). f == NULL returns VS_EINVAL.
 */
vs_status vs_afile_commit(vs_afile *f);

/* Discard: close and remove the temporary file, free f. NULL is a no-op. */
void vs_afile_abort(vs_afile *f);

/* The temporary file's name, for writers that need a path (gnuplot); commit as usual. */
const char *vs_afile_tmp_path(const vs_afile *f);

/* 1 if path is a stream that outputs are appended to rather than renamed over. */
int vs_output_is_stream(const char *path);

/* Write n bytes of data to path atomically (open + fwrite + commit). */
vs_status vs_write_file_atomic(const char *path, const void *data, size_t n);

/* The same through vs_afile_open_shared (caches). */
vs_status vs_write_file_shared(const char *path, const void *data, size_t n);

/*
 * Create dir and any missing parents, like `mkdir -p` (mode 0777 & ~umask).
 * An existing directory is fine; an existing non-directory is an error. On
 * failure some parents may have been created.
 */
vs_status vs_mkdir_p(const char *dir);

#endif
