/* test_param_table.c -- the parameter table is the single source of every list of parameters.
 *
 * A model with one parameter more than vo2x (a copy of vo2x's table plus one row, registered
 * as "vo2x_plus") must show that row, with nothing else changed, in: `params --keys`, device
 * files (read and written), JSON, checkpoints, the transfer-cache key and the netlist. Any
 * place with its own hand-written list of parameters would miss it.
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "commands.h"
#include "vo2snn/device.h"
#include "vo2snn/json.h"
#include "vo2snn/mlp.h"
#include "vo2snn/model.h"
#include "vo2snn/netlist.h"
#include "vo2snn/train.h"
#include "vo2snn/transfer.h"

#define EXTRA_KEY "extra_r"
#define EXTRA_DEFAULT 123.0

static vs_param_def plus_params[VS_MAX_PARAMS];
static vs_model plus;
static int extra;   /* index of the added row */
static char tmpdir[] = "/tmp/vo2snn_tableXXXXXX";

/* vo2x's presets, as devices of vo2x_plus (the added row at its default). */
static vs_status plus_preset(int n, vs_device_params *p)
{
    vs_status st = vs_model_find("vo2x")->preset(n, p);
    p->model = &plus;
    p->v[extra] = EXTRA_DEFAULT;
    return st;
}

static int setup(void)
{
    const vs_model *vo2x = vs_model_find("vo2x");
    if (!vo2x || !mkdtemp(tmpdir)) return -1;
    plus = *vo2x;
    plus.name = "vo2x_plus";
    memcpy(plus_params, vo2x->params, (size_t)vo2x->n_params * sizeof *plus_params);
    extra = vo2x->n_params;
    plus_params[extra] = (vs_param_def){EXTRA_KEY, "Ohm", EXTRA_DEFAULT, 0.0, 1e6,
                                        "a parameter added in one place", 0};
    plus.params = plus_params;
    plus.n_params = vo2x->n_params + 1;
    plus.preset = plus_preset;
    plus.from_coord = NULL;
    plus.coord_key = NULL;
    return vs_model_register(&plus) == VS_OK ? 0 : -1;
}

static const char *path_of(const char *name)
{
    static char buf[4][512];
    static int k;
    char *b = buf[k++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", tmpdir, name);
    return b;
}

static char *slurp(const char *path)
{
    static char text[1 << 16];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f) fclose(f);
    text[n] = '\0';
    return text;
}

/* Run a CLI command in this process (where vo2x_plus is registered), stdout into a file. */
static char *run_cli(int (*cmd)(int, char **), int argc, char **argv)
{
    const char *out = path_of("stdout.txt");
    fflush(stdout);
    int saved = dup(1), fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (saved < 0 || fd < 0) return NULL;
    dup2(fd, 1);
    close(fd);
    int rc = cmd(argc, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    return rc == 0 ? slurp(out) : NULL;
}

static void test_keys(void)
{
    CHECK(strstr(vs_device_keys(&plus), EXTRA_KEY) != NULL);
    CHECK(strstr(vs_device_keys(vs_model_find("vo2x")), EXTRA_KEY) == NULL);
    char *argv[] = {"--model", "vo2x_plus", "--keys", NULL};
    char *text = run_cli(cmd_params, 3, argv);
    CHECK(text && strstr(text, EXTRA_KEY) && strstr(text, "a parameter added in one place"));
}

static void test_device_files(void)
{
    FILE *f = fopen(path_of("dev.txt"), "w");
    if (!f) return;
    fputs("model = vo2x_plus\n" EXTRA_KEY " = 4.5 kOhm\nr_met = 600\n", f);
    fclose(f);
    vs_device_params p = vs_device_default();
    CHECK(vs_device_load_file(path_of("dev.txt"), &p) == VS_OK);
    CHECK(p.model == &plus && p.v[extra] == 4500.0 && vs_device_get(&p, "r_met") == 600.0);
    CHECK(vs_device_apply_list(&p, EXTRA_KEY "=7k") == VS_OK && p.v[extra] == 7000.0);
    CHECK(vs_device_set_value(&p, EXTRA_KEY, 2e6) == VS_EINVAL);   /* its bounds come along */
    /* written and read back */
    f = fopen(path_of("written.txt"), "w");
    if (!f) return;
    CHECK(vs_device_write(f, &p) == VS_OK);
    fclose(f);
    CHECK(strstr(slurp(path_of("written.txt")), EXTRA_KEY) != NULL);
    vs_device_params q = vs_device_default();
    CHECK(vs_device_load_file(path_of("written.txt"), &q) == VS_OK);
    CHECK(q.model == &plus && memcmp(q.v, p.v, sizeof q.v) == 0);
    /* vo2x itself does not know the key */
    vs_device_params r = vs_device_default();
    CHECK(vs_device_apply_list(&r, EXTRA_KEY "=1") == VS_EINVAL);
}

static void test_json(void)
{
    vs_device_params p;
    CHECK(vs_device_model_preset(&plus, 2, &p) == VS_OK);
    p.v[extra] = 321.5;
    FILE *f = fopen(path_of("dev.json"), "w");
    if (!f) return;
    vs_json j;
    vs_json_begin(&j, f);
    vs_device_json(&j, "device", &p);
    vs_json_end(&j);
    fclose(f);
    CHECK(strstr(slurp(path_of("dev.json")), "\"" EXTRA_KEY "\": 321.5") != NULL);
}

/* A synthetic transfer function (a bump in 5..15 V) is enough for a network to save. */
static int tiny_network(vs_transfer *t, vs_mlp **m)
{
    enum { N = 1001 };
    static double f[N], s[N];
    for (int i = 0; i < N; i++) {
        double v = 0.02 * i;
        f[i] = v > 5 && v < 15 ? 1e5 * sin(3.14159265358979 * (v - 5) / 10) : 0.0;
        s[i] = f[i] * 1e-6;
    }
    if (vs_transfer_from_table(f, s, N, 0.02, 0.75, t) != VS_OK) return -1;
    vs_mlp_config cfg = vs_mlp_config_for(t);
    cfg.n_layers = 2, cfg.sizes[0] = 4, cfg.sizes[1] = 3, cfg.sizes[2] = 2;
    vs_rng r;
    vs_rng_seed(&r, 1, 0);
    *m = vs_mlp_new(&cfg, t, 8, &r);
    return *m ? 0 : -1;
}

static void test_checkpoint(void)
{
    vs_transfer t;
    vs_mlp *m = NULL;
    CHECK(tiny_network(&t, &m) == 0);
    if (!m) return;
    static vs_checkpoint_info info, back;
    memset(&info, 0, sizeof info);
    info.cfg = *vs_mlp_get_config(m);
    CHECK(vs_device_model_preset(&plus, 1, &info.device) == VS_OK);
    info.device.v[extra] = 4321.0;
    info.circuit = vs_circuit_default();
    info.transfer = vs_transfer_opts_default();
    info.seed = 1, info.batch = 8, info.epochs_planned = 1;
    CHECK(vs_checkpoint_save(path_of("ck.vsck"), &info, m) == VS_OK);
    CHECK(vs_checkpoint_load_info(path_of("ck.vsck"), &back) == VS_OK);
    CHECK(back.device.model == &plus && back.device.v[extra] == 4321.0);
    CHECK(memcmp(back.device.v, info.device.v, sizeof back.device.v) == 0);
    /* and the integrator settings the transfer function is measured with (issue 12, item 5) */
    info.transfer.classify.sim.method = VS_ODE_RK4;
    info.transfer.classify.sim.dt_s = 2e-9;
    info.transfer.classify.sim.rtol = 3e-7;
    info.transfer.classify.sim.seed = 99;
    CHECK(vs_checkpoint_save(path_of("ck2.vsck"), &info, m) == VS_OK);
    CHECK(vs_checkpoint_load_info(path_of("ck2.vsck"), &back) == VS_OK);
    const vs_sim_opts *a = &info.transfer.classify.sim, *b = &back.transfer.classify.sim;
    CHECK(b->method == VS_ODE_RK4 && b->dt_s == 2e-9 && b->rtol == 3e-7 && b->seed == 99);
    CHECK(b->atol_v == a->atol_v && b->atol_temp_k == a->atol_temp_k && b->h_max_s == a->h_max_s);
    vs_mlp_free(m);
    vs_transfer_free(&t);
}

/* A checkpoint of format 1 (the vo2x parameters in a fixed order; tests/data/checkpoint_v1.vsck,
   written by fuzz/make_seeds.c before format 2) still loads: vo2x device 1, rows it did not
   have (r_contact) at their defaults. */
static void test_checkpoint_format_1(void)
{
    static vs_checkpoint_info info;
    CHECK(vs_checkpoint_load_info("tests/data/checkpoint_v1.vsck", &info) == VS_OK);
    vs_device_params d1;
    CHECK(vs_device_preset(1, &d1) == VS_OK);
    CHECK(info.device.model == d1.model && info.device.vacancy_x == 0.0);
    CHECK(memcmp(info.device.v, d1.v, sizeof d1.v) == 0);
    CHECK(vs_device_get(&info.device, "r_contact") == 0.0);
    CHECK(info.transfer.v_max_v == 20.0 && info.circuit.r_series_ohm == 3000.0);
}

static void test_cache_key(void)
{
    vs_device_params a, b;
    vs_circuit c = vs_circuit_default();
    vs_transfer_opts o = vs_transfer_opts_default();
    o.v_max_v = 20;
    CHECK(vs_device_model_preset(&plus, 1, &a) == VS_OK);
    b = a;
    b.v[extra] = a.v[extra] + 1;
    char pa[512], pb[512], pc[512];
    vs_transfer_cache_path("/x", &a, &c, &o, pa, sizeof pa);
    vs_transfer_cache_path("/x", &b, &c, &o, pb, sizeof pb);
    vs_transfer_cache_path("/x", &a, &c, &o, pc, sizeof pc);
    CHECK(strcmp(pa, pb) != 0 && strcmp(pa, pc) == 0);
    char key[2048];
    vs_device_key(&b, key, sizeof key);
    CHECK(strstr(key, EXTRA_KEY "=124") != NULL);
}

static void test_netlist(void)
{
    vs_device_params p;
    CHECK(vs_device_model_preset(&plus, 1, &p) == VS_OK);
    p.v[extra] = 777.0;
    vs_circuit c = vs_circuit_default();
    vs_input in = vs_input_dc(12.5);
    vs_netlist_opts o = vs_netlist_opts_default();
    FILE *f = fopen(path_of("n.cir"), "w");
    if (!f) return;
    CHECK(vs_netlist_write(f, &p, &c, &in, &o) == VS_OK);
    fclose(f);
    CHECK(strstr(slurp(path_of("n.cir")), ".param " EXTRA_KEY " = 777") != NULL);
}

int main(void)
{
    if (setup() != 0) {
        fprintf(stderr, "test_param_table: cannot register the test model: %s\n", vs_last_error());
        return 1;
    }
    RUN(test_keys);
    RUN(test_device_files);
    RUN(test_json);
    RUN(test_checkpoint);
    RUN(test_checkpoint_format_1);
    RUN(test_cache_key);
    RUN(test_netlist);
    return CHECK_DONE();
}
