/*
 * outputs_internal.h -- the hooks through which atomic.c tells outputs.c what it writes.
 * Not public: callers use atomic.h and outputs.h.
 */
#ifndef VO2SNN_OUTPUTS_INTERNAL_H
#define VO2SNN_OUTPUTS_INTERNAL_H

#include "vo2snn/status.h"

typedef struct vs_tmp_node vs_tmp_node;

/* A temporary file now exists (removed on signals until untracked). NULL outside a set. */
vs_tmp_node *vs_outputs_track_tmp(const char *tmp_path);
void vs_outputs_untrack_tmp(vs_tmp_node *node);

/* rename(tmp_path, final_path), keeping a backup of the old file when a set is open.
 * Returns 0 or the errno of the failure. */
int vs_outputs_place(const char *tmp_path, const char *final_path);

/* vs_mkdir_p created dir (removed again by a rollback). */
void vs_outputs_dir_created(const char *dir);

#endif
