/* threads.c -- how many threads the OpenMP loops use: the request, capped at the cores. */
#include "vo2snn/threads.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#ifdef _OPENMP
/* The first entry of OMP_NUM_THREADS as libgomp reads it; 0 if unset or invalid (libgomp then
   warns and keeps its default). */
static unsigned long long env_threads(void)
{
    const char *e = getenv("OMP_NUM_THREADS");
    if (!e) return 0;
    while (isspace((unsigned char)*e)) e++;
    if (!isdigit((unsigned char)*e)) return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(e, &end, 10);
    while (isspace((unsigned char)*end)) end++;
    if (errno == ERANGE || (*end != '\0' && *end != ',')) return 0;
    return v;
}
#endif

int vs_threads_set(long requested, char *note, size_t note_size)
{
    if (note && note_size) note[0] = '\0';
#ifdef _OPENMP
    static int env_checked;   /* main thread only (documented) */
    int procs = omp_get_num_procs() > 0 ? omp_get_num_procs() : 1;
    unsigned long long want = requested > 0 ? (unsigned long long)requested : 0;
    int from_env = !want && !env_checked;
    if (from_env) want = env_threads();
    env_checked = 1;
    if (!want) {
        int cur = omp_get_max_threads();
        want = cur >= 1 ? (unsigned long long)cur : (unsigned long long)procs;
    }
    int n = want > (unsigned long long)procs ? procs : (int)want;
    if (want > (unsigned long long)procs && note && note_size) {
        if (from_env)
            snprintf(note, note_size, "OMP_NUM_THREADS=%llu is more than the %d available cores; using %d",
                     want, procs, n);
        else
            snprintf(note, note_size, "%llu threads is more than the %d available cores; using %d", want,
                     procs, n);
    }
    omp_set_num_threads(n);
    return n;
#else
    (void)requested;
    return 1;
#endif
}
