/*
 * outputs.h -- a run's output set: the files of one run appear together or not at all.
 *
 * Every file written through atomic.h (CSV, JSON, plots, checkpoints) already appears
 * whole or not at all. A command that writes several files also wants them to belong
 * together: if the run fails half-way, or is interrupted, none of its files should be
 * left mixed with an earlier run's, and two runs writing the same files at once must not
 * interleave. Between vs_outputs_begin() and vs_outputs_end():
 *
 *  - each output path is locked for this run (a byte-range lock in the hidden file
 *    "<dir>/.vo2snn.lock", one range per file name): a second run that wants the same
 *    file fails at once with "... is being written by another vo2snn run";
 *  - a file that replaces an existing one keeps a hard-linked backup of the old one
 *    ("<dir>/.<name>.bak.<pid>"); vs_outputs_end(0) puts every old file back, removes
 *    the new ones and the directories the run created; vs_outputs_end(1) drops the
 *    backups;
 *  - files registered with vs_outputs_keep() (checkpoints, resume files) are durable:
 *    they stay whatever happens, so an interrupted run can be resumed;
 *  - SIGINT, SIGTERM, SIGHUP and SIGQUIT remove the temporary files, roll the set back
 *    and then end the process with the same signal;
 *  - temporary files and backups left by dead processes (kill -9) beside an output are
 *    removed when this run first writes that output.
 *
 * Inputs registered with vs_outputs_protect() are never written over, with or without a
 * set: a run whose output would replace one of its inputs fails before writing it.
 *
 * The set is process-wide. Begin, keep, protect and end are called from one thread
 * (the CLI's main thread); writing the files may happen on any thread.
 */
#ifndef VO2SNN_OUTPUTS_H
#define VO2SNN_OUTPUTS_H

#include "vo2snn/status.h"

/* Start the run's output set and install the signal handlers. VS_EINVAL if one is open. */
vs_status vs_outputs_begin(void);

/*
 * Lock path for this run now, before any work, so that a clash with another run is
 * reported up front (vs_afile_open claims each path anyway). Also sweeps stale temporary
 * files of dead processes beside it. No-op outside a set and for streams (/dev/null).
 */
vs_status vs_outputs_claim(const char *path);

/* Files committed at exactly this path survive a rollback (checkpoints, resume files). */
vs_status vs_outputs_keep(const char *path);

/* path is an input of this run: refuse to write any output over it (until vs_outputs_end).
 * A missing file or a non-regular one (a stream) is not recorded. */
vs_status vs_outputs_protect(const char *path);

/*
 * Close the set. keep = 1: the new files stay, backups are removed. keep = 0: every
 * file the set replaced is restored, new files and directories the run created are
 * removed (durable files excepted). Releases the locks and the signal handlers.
 */
void vs_outputs_end(int keep);

/* 1 between vs_outputs_begin() and vs_outputs_end(). */
int vs_outputs_active(void);

#endif
