/*
 * vo2snn.h -- the whole public API of libvo2snn in one include.
 *
 *   #include <vo2snn/vo2snn.h>      cc prog.c $(pkg-config --cflags --libs vo2snn)
 *
 * Each module keeps its own header (include/vo2snn/<module>.h), which compiles on its
 * own; this one only includes them all (`make headers` checks that none is missing).
 * Conventions (constructors, ownership, status codes): docs/api.md.
 */
#ifndef VO2SNN_VO2SNN_H
#define VO2SNN_VO2SNN_H

#include "vo2snn/atomic.h"
#include "vo2snn/bom.h"
#include "vo2snn/chiprate.h"
#include "vo2snn/csv.h"
#include "vo2snn/device.h"
#include "vo2snn/fit.h"
#include "vo2snn/idx.h"
#include "vo2snn/infer.h"
#include "vo2snn/input.h"
#include "vo2snn/iv.h"
#include "vo2snn/json.h"
#include "vo2snn/kvfile.h"
#include "vo2snn/measured.h"
#include "vo2snn/mlp.h"
#include "vo2snn/model.h"
#include "vo2snn/netlist.h"
#include "vo2snn/network.h"
#include "vo2snn/neuron.h"
#include "vo2snn/ode.h"
#include "vo2snn/outputs.h"
#include "vo2snn/plot.h"
#include "vo2snn/rng.h"
#include "vo2snn/spikes.h"
#include "vo2snn/status.h"
#include "vo2snn/sweep.h"
#include "vo2snn/synapse.h"
#include "vo2snn/threads.h"
#include "vo2snn/train.h"
#include "vo2snn/transfer.h"
#include "vo2snn/units.h"
#include "vo2snn/variation.h"
#include "vo2snn/version.h"

#endif
