/* cmd_netlist.c -- `vo2snn netlist`: the neuron circuit, or the 2x2 network, as an ngspice netlist. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "common.h"
#include "vo2snn/atomic.h"
#include "vo2snn/netlist.h"
#include "vo2snn/network.h"

static const char *const net_choices[] = {"neuron", "2x2", NULL};
static const char *const opamp_choices[] = {"ideal", "nonideal", NULL};

/* The --net value in argv (the last one before "--"; "neuron" if none), so that --help can
   show the defaults of that network. Parsing proper is opt_parse's. */
static int argv_net_is_2x2(int argc, char **argv)
{
    int is_2x2 = 0;
    for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--net") == 0 && i + 1 < argc) is_2x2 = strcmp(argv[++i], "2x2") == 0;
        else if (strncmp(argv[i], "--net=", 6) == 0) is_2x2 = strcmp(argv[i] + 6, "2x2") == 0;
    }
    return is_2x2;
}

/* Index of the option called name in opts (which holds it). */
static int opt_index(const opt_spec *opts, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(opts[i].name, name) == 0) return i;
    return -1;
}

int cmd_netlist(int argc, char **argv)
{
    const char *prog = "vo2snn netlist";
    const int help_2x2 = argv_net_is_2x2(argc, argv);
    const char *net = "neuron", *opamp = "ideal";
    cli_device_args dev_args = CLI_DEVICE_DEFAULTS;
    vs_circuit circ = vs_circuit_default();
    cli_input_args in_args = CLI_INPUT_DEFAULTS;
    vs_net2x2_params np = vs_net2x2_default();
    vs_netlist_opts no = vs_netlist_opts_default();
    if (help_2x2) no.t_end_s = np.t_end_s;
    int given_t_end = 0;
    const char *out = help_2x2 ? "out/net2x2.cir" : "out/neuron.cir";
    opt_spec opts[] = {
        {.name = "net", .kind = OPT_CHOICE, .metavar = "NET", .help = "what to export: neuron (one neuron, --input) or 2x2 (the paper's network, docs/models/vo2x.md section 5)", .dest = &net, .choices = net_choices},
        CLI_DEVICE_OPTS(dev_args),
        CLI_CIRCUIT_OPTS(circ),
        CLI_INPUT_OPTS(in_args),
        {.name = "v-drive", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "2x2: dc drive of layer-1 neurons (1,1) and (1,2)", .dest = &np.v_drive_v, .min = -1e4, .max = 1e4},
        {.name = "bias", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "2x2: bias B of both layer-2 adders", .dest = &np.bias_v, .min = -1e4, .max = 1e4},
        {.name = "weight", .kind = OPT_QUANTITY, .unit = "", .metavar = "W", .help = "2x2: synaptic weight |w| (adder gain), + into (2,1), - into (2,2)", .dest = &np.weight, .min = 0, .max = 1e6},
        {.name = "opamp", .kind = OPT_CHOICE, .metavar = "M", .help = "2x2: adder op-amps, ideal, or nonideal (A0 2e5, GBW 10 MHz, SR 20 V/us, +-13.5 V)", .dest = &opamp, .choices = opamp_choices},
        {.name = "t-end", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "transient stop time (default: --net neuron from the input, see below; --net 2x2 330 us)", .dest = &no.t_end_s, .min = 1e-12, .max = 10, .given = &given_t_end},
        {.name = "h-max", .alias = "max-step", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "largest time step (the TMAX of ngspice's .tran)", .dest = &no.t_max_step_s, .min = 1e-15, .max = 1},
        {.name = "tau-m", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "relaxation time of the hysteresis memory node", .dest = &no.tau_m_s, .min = 1e-18, .max = 1e-6},
        {.name = "wrdata", .kind = OPT_STRING, .metavar = "FILE", .help = "add a .control block that runs the transient and writes the waveforms to FILE", .dest = &no.wrdata_path},
        {.name = "out", .kind = OPT_STRING, .metavar = "FILE", .help = "netlist path ('-' for stdout)", .dest = &out},
    };
    enum { N_OPTS = (int)(sizeof opts / sizeof opts[0]) };
    /* track every option, so that those of the other network can be refused */
    int given[N_OPTS] = {0};
    for (int i = 0; i < N_OPTS; i++)
        if (!opts[i].given) opts[i].given = &given[i];
    const opt_cmd cmd = {prog, "Write an ngspice netlist of the neuron, or of the paper's 2x2 network, with the device model as behavioural sources.",
                         CLI_INPUT_HELP
                         "\n--net 2x2: four neurons of the chosen device and circuit (docs/models/vo2x.md section 5, Fig 3H). (1,1)\n"
                         "and (1,2) are driven by --v-drive; (2,1) by B + w (V_s11 + V_s12) and (2,2) by\n"
                         "B - w (V_s11 + V_s12), two-stage inverting adders. --opamp ideal: ideal op-amps\n"
                         "clipped at +-13.5 V, as behavioural voltage sources; --opamp nonideal: vo2snn's\n"
                         "op-amp model (finite gain, one pole, slew limit, rails) as a behavioural\n"
                         "macro-model per stage, as in `vo2snn net2x2 --opamp nonideal`. --wrdata\n"
                         "writes time and V(m) of the four neurons, and with --opamp nonideal also the\n"
                         "adder outputs V(in21), V(in22). The input options do not apply.\n\n"
                         "Run it with: ngspice -b out/neuron.cir (or out/net2x2.cir); add --wrdata to get\n"
                         "the waveforms.",
                         opts, N_OPTS, 0};
    int rc = opt_parse(&cmd, argc, argv, NULL, NULL);
    if (rc != 0) return rc < 0 ? 1 : 0;
    const int is_2x2 = strcmp(net, "2x2") == 0;

    /* options that belong to the other network */
    static const char *const input_only[] = {"input", "v-in", "v-lo", "v-hi", "period", "width",
                                             "delay", "offset", "amplitude", "i-in", "i-lo", "i-hi",
                                             "i-offset", "i-amplitude", "pwl"};
    static const char *const net_only[] = {"v-drive", "bias", "weight", "opamp"};
    const char *const *other = is_2x2 ? input_only : net_only;
    size_t n_other = is_2x2 ? sizeof input_only / sizeof *input_only : sizeof net_only / sizeof *net_only;
    for (size_t k = 0; k < n_other; k++) {
        int i = opt_index(opts, N_OPTS, other[k]);
        if (i >= 0 && *opts[i].given)
            return cli_error(prog, "--%s does not apply to --net %s", other[k], net);
    }

    vs_device_params p;
    if (cli_device_resolve(prog, &dev_args, &p)) return 1;
    if (vs_circuit_validate(&circ) != VS_OK) return cli_fail(prog);
    vs_input in = vs_input_dc(0.0);
    if (is_2x2) {
        if (!given_t_end) no.t_end_s = vs_net2x2_default().t_end_s;
        np.t_end_s = no.t_end_s;
    } else {
        if (cli_input_build(prog, &in_args, &in)) return 1;
        if (!given_t_end) no.t_end_s = cli_input_default_t_end(&in);
    }
    if (!given[opt_index(opts, N_OPTS, "out")]) out = is_2x2 ? "out/net2x2.cir" : "out/neuron.cir";

    int to_stdout = strcmp(out, "-") == 0;
    vs_afile *af = NULL;
    FILE *f = stdout;
    if (!to_stdout) {
        if (cli_prepare_output(prog, out)) return vs_input_free(&in), 1;
        if (vs_afile_open(out, &af) != VS_OK) return vs_input_free(&in), cli_fail(prog);
        f = vs_afile_stream(af);
    }
    const vs_opamp op = strcmp(opamp, "ideal") == 0 ? vs_opamp_ideal() : vs_opamp_default();
    vs_status s = is_2x2 ? vs_netlist_write_2x2(f, &p, &circ, &op, &np, &no)
                         : vs_netlist_write(f, &p, &circ, &in, &no);
    vs_input_free(&in);
    if (s != VS_OK) {
        vs_afile_abort(af);
        return cli_fail(prog);
    }
    if (af && vs_afile_commit(af) != VS_OK) return cli_fail(prog);
    if (!to_stdout) fprintf(stderr, "wrote %s\n", out);
    return 0;
}
