/* parallel.h -- one parallel loop over independent items (devices, ...) with a serialised
   progress callback that may cancel, per-item statuses and the first failure (internal). */
#ifndef VO2SNN_PARALLEL_H
#define VO2SNN_PARALLEL_H

#include "vo2snn/status.h"

/* Work on item i; its result goes wherever ctx says. */
typedef vs_status (*vs_item_fn)(int i, void *ctx);

/*
 * Run item(0..n-1) in parallel (OpenMP, one item per chunk). st[i] receives each item's
 * status; items not started after progress returned non-zero get VS_EINVAL "item-name i
 * not run: cancelled". progress(done, n, user) is called once per finished item, never
 * two at once. Returns VS_OK, or the status and message of the lowest failing item.
 */
vs_status vs_parallel_items(int n, const char *item_name, vs_item_fn item, void *ctx,
                            vs_status *st, int (*progress)(long done, long total, void *user),
                            void *user);

/* Threads for a process allowed `max` when other processes keep `others_cores` cores busy
   (measured, so it may come out slightly negative): max less the rounded load, in [1, max]. */
int vs__threads_beside_load(int max, double others_cores);

#endif
