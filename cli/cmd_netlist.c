/* cmd_netlist.c -- `vo2snn netlist`: the neuron circuit, or the 2x2 network, as an ngspice netlist. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "common.h"
#include "vo2snn/atomic.h"
#include "vo2snn/netlist.h"
#include "vo2snn/network.h"

static const char *const net_choices[] = {"neuron", "2x2", NULL};

/* The --net value in argv (the last one before "--"; "neuron" if none), so that --help can
   show the defaults of that network. Parsing proper is cli_parse's. */
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

#define PROG "vo2snn netlist"

typedef struct netlist_args {
    const char *net, *opamp;
    cli_device_args dev;
    vs_circuit circ;
    cli_input_args in;
    vs_net2x2_params np;
    vs_netlist_opts no;
    int given_t_end, given_out;
    const char *out;
} netlist_args;

static const char details[] =
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
    "the waveforms.";

static int is_2x2(const netlist_args *a)
{
    return strcmp(a->net, "2x2") == 0;
}

/* Refuse an option that was given but belongs to the network not chosen. */
static int refuse_other_network(const opt_spec *opts, int n, const char *net)
{
    static const char *const input_only[] = {"input", "v-in", "v-lo", "v-hi", "period", "width",
                                             "delay", "offset", "amplitude", "i-in", "i-lo", "i-hi",
                                             "i-offset", "i-amplitude", "pwl"};
    static const char *const net_only[] = {"v-drive", "bias", "weight", "opamp"};
    const int net_2x2 = strcmp(net, "2x2") == 0;
    const char *const *other = net_2x2 ? input_only : net_only;
    size_t n_other = net_2x2 ? sizeof input_only / sizeof *input_only : sizeof net_only / sizeof *net_only;
    for (size_t k = 0; k < n_other; k++) {
        int i = opt_index(opts, n, other[k]);
        if (i >= 0 && *opts[i].given) return cli_error(PROG, "--%s does not apply to --net %s", other[k], net);
    }
    return 0;
}

/* Fill a from argv: CLI_GO_ON, or the exit status (cli_parse), and 1 for an option of the
   other network. --help shows the defaults of the --net in argv. */
static int parse_args(int argc, char **argv, netlist_args *a)
{
    const int help_2x2 = argv_net_is_2x2(argc, argv);
    *a = (netlist_args){.net = "neuron", .opamp = "ideal", .dev = CLI_DEVICE_DEFAULTS,
                        .circ = vs_circuit_default(), .in = CLI_INPUT_DEFAULTS,
                        .np = vs_net2x2_default(), .no = vs_netlist_opts_default(),
                        .out = help_2x2 ? "out/net2x2.cir" : "out/neuron.cir"};
    if (help_2x2) a->no.t_end_s = a->np.t_end_s;
    opt_spec opts[] = {
        {.name = "net", .kind = OPT_CHOICE, .metavar = "NET", .help = "what to export: neuron (one neuron, --input) or 2x2 (the paper's network, docs/models/vo2x.md section 5)", .dest = &a->net, .choices = net_choices},
        CLI_DEVICE_OPTS(a->dev),
        CLI_CIRCUIT_OPTS(a->circ),
        CLI_INPUT_OPTS(a->in),
        CLI_NET2X2_OPTS(a->np, a->opamp, "2x2: ", 1e4, 1e6),
        {.name = "t-end", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "transient stop time (default: --net neuron from the input, see below; --net 2x2 330 us)", .dest = &a->no.t_end_s, .min = 1e-12, .max = 10, .given = &a->given_t_end},
        {.name = "h-max", .alias = "max-step", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "largest time step (the TMAX of ngspice's .tran)", .dest = &a->no.t_max_step_s, .min = 1e-15, .max = 1},
        {.name = "tau-m", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "relaxation time of the hysteresis memory node", .dest = &a->no.tau_m_s, .min = 1e-18, .max = 1e-6},
        {.name = "wrdata", .kind = OPT_STRING, .metavar = "FILE", .help = "add a .control block that runs the transient and writes the waveforms to FILE", .dest = &a->no.wrdata_path},
        CLI_OUT_OPT_GIVEN(a->out, a->given_out, "FILE", "netlist path ('-' for stdout)"),
    };
    enum { N_OPTS = (int)(sizeof opts / sizeof opts[0]) };
    /* track every option, so that those of the other network can be refused */
    int given[N_OPTS] = {0};
    for (int i = 0; i < N_OPTS; i++)
        if (!opts[i].given) opts[i].given = &given[i];
    int rc = cli_parse(PROG, "Write an ngspice netlist of the neuron, or of the paper's 2x2 network, with the device "
                       "model as behavioural sources.", details, opts, N_OPTS, argc, argv);
    if (rc != CLI_GO_ON) return rc;
    return refuse_other_network(opts, N_OPTS, a->net) ? 1 : CLI_GO_ON;
}

/* Build the device, check the circuit, build the input (--net neuron; a dc 0 V placeholder for
   2x2) and settle --t-end and --out. On success in is the caller's to free; on failure it
   holds nothing. */
static int resolve(netlist_args *a, vs_device_params *p, vs_input *in)
{
    *in = vs_input_dc(0.0);
    if (cli_device_resolve(PROG, &a->dev, p)) return 1;
    if (vs_circuit_validate(&a->circ) != VS_OK) return cli_fail(PROG);
    if (is_2x2(a)) {
        if (!a->given_t_end) a->no.t_end_s = vs_net2x2_default().t_end_s;
        a->np.t_end_s = a->no.t_end_s;
    } else {
        if (cli_input_build(PROG, &a->in, in)) return 1;
        if (!a->given_t_end) a->no.t_end_s = cli_input_default_t_end(in);
    }
    if (!a->given_out) a->out = is_2x2(a) ? "out/net2x2.cir" : "out/neuron.cir";
    return 0;
}

/* Write the netlist to --out (atomically) or to stdout ('-'). */
static int write_netlist(const netlist_args *a, const vs_device_params *p, const vs_input *in)
{
    int to_stdout = strcmp(a->out, "-") == 0;
    vs_afile *af = NULL;
    FILE *f = stdout;
    if (!to_stdout) {
        if (cli_prepare_output(PROG, a->out)) return 1;
        if (vs_afile_open(a->out, &af) != VS_OK) return cli_fail(PROG);
        f = vs_afile_stream(af);
    }
    const vs_opamp op = strcmp(a->opamp, "ideal") == 0 ? vs_opamp_ideal() : vs_opamp_default();
    vs_status s = is_2x2(a) ? vs_netlist_write_2x2(f, p, &a->circ, &op, &a->np, &a->no)
                            : vs_netlist_write(f, p, &a->circ, in, &a->no);
    if (s != VS_OK) {
        vs_afile_abort(af);
        return cli_fail(PROG);
    }
    if (af && vs_afile_commit(af) != VS_OK) return cli_fail(PROG);
    if (!to_stdout) fprintf(stderr, "wrote %s\n", a->out);
    return 0;
}

int cmd_netlist(int argc, char **argv)
{
    netlist_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_GO_ON) return rc;
    vs_device_params p;
    vs_input in;
    if (resolve(&a, &p, &in)) return 1;
    rc = write_netlist(&a, &p, &in);
    vs_input_free(&in);
    return rc;
}
