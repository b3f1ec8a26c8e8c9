/*
 * threads.h -- the thread count of the library's parallel loops (OpenMP). Results do not
 * depend on it (every parallel loop splits work in fixed pieces); only the speed does.
 */
#ifndef VO2SNN_THREADS_H
#define VO2SNN_THREADS_H

#include <stddef.h>

/*
 * Thread count for the parallel loops (OpenMP): `requested` (0 = OMP_NUM_THREADS, or all
 * cores if it is unset or invalid), capped at the cores this process may run on
 * (omp_get_num_procs). An absurd OMP_NUM_THREADS (say 99999999999, which libgomp takes at
 * its word and then fails to allocate at the first parallel region) is capped the same way.
 * Applies the count with omp_set_num_threads and returns it (1 without OpenMP). If the
 * request was capped, note (note_size bytes, may be NULL) receives a one-line explanation
 * without a trailing newline, else "". Call it from the main thread, outside parallel work;
 * the environment is checked only on the first call.
 */
int vs_threads_set(long requested, char *note, size_t note_size);

#endif
