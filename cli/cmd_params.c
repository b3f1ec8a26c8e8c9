/* cmd_params.c -- `vo2snn params`: a device's parameters and quasi-static characteristics. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "common.h"
#include "vo2snn/json.h"

#define PROG "vo2snn params"

typedef struct params_args {
    cli_device_args dev;
    int json, keys;
} params_args;

/* Fill a from argv: CLI_GO_ON, or the exit status (cli_parse). */
static int parse_args(int argc, char **argv, params_args *a)
{
    *a = (params_args){.dev = CLI_DEVICE_DEFAULTS};
    const opt_spec opts[] = {
        CLI_DEVICE_OPTS(a->dev),
        {.name = "keys", .kind = OPT_FLAG, .help = "list the parameter keys accepted by --param and device files", .dest = &a->keys},
        CLI_JSON_OPT_HELP(a->json, "print as one JSON object"),
    };
    return cli_parse(PROG, "Print a device's model parameters and its quasi-static thresholds.",
                         "A device file holds 'key = value' lines with optional units, '#' comments:\n"
                         "  preset = 2\n  r_met = 600 Ohm\n  tau_th = 150 ns\n",
        opts, CLI_N_OPTS(opts), argc, argv);
}

/* --keys: the keys of --model's model, or of every model. */
static int print_keys(const params_args *a)
{
    const vs_model *m = a->dev.model_given ? vs_model_find(a->dev.model) : NULL;
    if (a->dev.model_given && !m) return cli_error(PROG, "--model: %s", vs_last_error());
    fputs(vs_device_keys(m), stdout);
    return 0;
}

static void print_json(const vs_device_params *p, const char *label, const vs_fold *th,
                       const vs_fold *ho)
{
    vs_json j;
    vs_json_begin(&j, stdout);
    vs_json_str(&j, "device", label);
    vs_device_json(&j, "device_params", p);
    vs_json_num(&j, "v_th_v", th->v_v);
    vs_json_num(&j, "i_th_a", th->i_a);
    vs_json_num(&j, "v_hold_v", ho->v_v);
    vs_json_num(&j, "i_hold_a", ho->i_a);
    vs_json_end(&j);
}

static void print_text(const vs_device_params *p, const char *label, const vs_fold *th,
                       const vs_fold *ho)
{
    if (!isnan(p->vacancy_x)) printf("%s (vacancy x = %g)\n", label, p->vacancy_x);
    else printf("%s\n", label);
    printf("  %-10s %s (%s)\n", "model", p->model->name, p->model->doc);
    for (int i = 0; i < p->model->n_params; i++)
        printf("  %-10s %.7g %s\n", p->model->params[i].key, p->v[i], p->model->params[i].unit);
    for (int k = 0; k < p->model->n_aliases; k++) {
        const vs_param_alias *al = &p->model->aliases[k];
        printf("  %-10s %.7g %s (derived)\n", al->key, p->v[al->target] * p->v[al->per], al->unit);
    }
    printf("  V_th %.4f V at %.4f mA (T %.4g K);  V_hold %.4f V at %.4f mA (T %.4g K)\n", th->v_v,
           th->i_a * 1e3, th->t_k, ho->v_v, ho->i_a * 1e3, ho->t_k);
}

int cmd_params(int argc, char **argv)
{
    params_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_GO_ON) return rc;
    if (a.keys) return print_keys(&a);
    vs_device_params p;
    if (cli_device_resolve(PROG, &a.dev, &p)) return 1;
    vs_fold th, ho;
    if (vs_device_folds(&p, &th, &ho) != VS_OK) return cli_fail(PROG);
    char label[64];
    cli_device_label(&p, label, sizeof label);
    if (a.json) print_json(&p, label, &th, &ho);
    else print_text(&p, label, &th, &ho);
    return 0;
}
