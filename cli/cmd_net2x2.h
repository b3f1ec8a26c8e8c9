/* cmd_net2x2.h -- `vo2snn net2x2` (the paper's 2x2 network, Fig 3I) as a function: settings
   in, files and results out. The command and `vo2snn paper` both run it; the paper's report
   reads the result struct. */
#ifndef VO2SNN_CLI_CMD_NET2X2_H
#define VO2SNN_CLI_CMD_NET2X2_H

#include <stddef.h>
#include <stdio.h>

#include "common.h"
#include "vo2snn/network.h"

typedef struct net2x2_args {
    cli_device_args dev;
    vs_circuit circ;
    vs_net2x2_params p;        /* p.v_drive_v, p.bias_v, p.weight: --v-drive, --bias, --weight */
    const char *opamp;         /* --opamp: "ideal" or "nonideal" */
    cli_opamp_args opamp_p;    /* --opamp-supply, --opamp-iq, --opamp-offset, --opamp-gain */
    const char *out;           /* raster CSV; waveforms to <out>_waves.csv, the raster plot to
                                  <out>.png (and .svg with CLI_PLOT_PNG_SVG) */
    double w0, w1, r0, r1;     /* rate window [w0, w1), count window [r0, r1), s */
    int json, plot;
} net2x2_args;

/* Per neuron: index 0..3 = (1,1), (1,2), (2,1), (2,2); per adder: 0..1 = V_in of (2,1), (2,2). */
typedef struct net2x2_result {
    vs_device_params dev;                  /* the resolved device of every neuron */
    char device_label[96];
    double rates_hz[4];                    /* spikes over the rate window / its length */
    size_t spikes_in_window[4];            /* spikes in the count window */
    int ordering_holds;                    /* v(2,1) > v(1,1) = v(1,2) > v(2,2) */
    double v_in_mean_v[2], v_in_max_v[2], v_in_min_v[2];
    char waves_csv[4096];                  /* the waveform file written */
} net2x2_result;

/* What `vo2snn net2x2` runs with no options. */
void net2x2_defaults(net2x2_args *a);
/* Check the windows, resolve the device, simulate the network, write the raster and waveform
   CSVs and the plot (as a->plot asks); nothing on stdout. 1 after one line on stderr. */
int net2x2_exec(const char *prog, const net2x2_args *a, net2x2_result *r);
/* The summary `--json` prints. */
void net2x2_json(FILE *f, const net2x2_args *a, const net2x2_result *r);

#endif
