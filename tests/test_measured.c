/*
 * test_measured.c -- the readers of measured data (measured.h): every layout, including
 * files written by the tool itself (rt, iv, vf, osc), values read back exactly, the series
 * resistor conversion, branches from the sweep direction, and every refusal with its
 * file:line and column.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli_run.h"
#include "vo2snn/csv.h"
#include "vo2snn/device.h"
#include "vo2snn/measured.h"

/* ---- helpers -------------------------------------------------------------------------- */

/* Numeric column col (0-based) of every data row of a CSV written by the tool, read with
   strtod (independently of the readers under test); returns the row count (<= max). */
static size_t column_of(const char *path, int col, double *out, size_t max)
{
    char *text = check_slurp(path);
    size_t n = 0;
    if (!text) return 0;
    char *save = NULL;
    int header = 1;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (header) {
            header = 0;
            continue;
        }
        const char *p = line;
        for (int k = 0; k < col && p; k++) {
            p = strchr(p, ',');
            if (p) p++;
        }
        if (!p || n >= max) break;
        out[n++] = strtod(p, NULL);
    }
    free(text);
    return n;
}

/* The zeroed struct a failed read must leave. */
static int all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) return 0;
    return 1;
}

enum { RT, IV, IV_R1K, FV, TRACE };

/* Read path as kind (IV_R1K: I-V with a 1 kOhm series resistor), check that a failure
   leaves the output zeroed, free a success; returns the status. */
static vs_status read_as(int kind, const char *path)
{
    vs_status s = VS_OK;
    switch (kind) {
    case RT: {
        vs_meas_rt m;
        memset(&m, 0x5a, sizeof m);
        s = vs_meas_read_rt(path, &m);
        CHECK(s == VS_OK || all_zero(&m, sizeof m));
        vs_meas_rt_free(&m);
        break;
    }
    case IV:
    case IV_R1K: {
        vs_meas_iv m;
        memset(&m, 0x5a, sizeof m);
        s = vs_meas_read_iv(path, kind == IV ? (double)NAN : 1e3, &m);
        CHECK(s == VS_OK || all_zero(&m, sizeof m));
        vs_meas_iv_free(&m);
        break;
    }
    case FV: {
        vs_meas_fv m;
        memset(&m, 0x5a, sizeof m);
        s = vs_meas_read_fv(path, &m);
        CHECK(s == VS_OK || all_zero(&m, sizeof m));
        vs_meas_fv_free(&m);
        break;
    }
    case TRACE: {
        vs_meas_trace m;
        memset(&m, 0x5a, sizeof m);
        s = vs_meas_read_trace(path, &m);
        CHECK(s == VS_OK || all_zero(&m, sizeof m));
        vs_meas_trace_free(&m);
        break;
    }
    }
    return s;
}

/* ---- R-T ------------------------------------------------------------------------------ */

static void test_rt_by_name(void)
{
    /* columns in another order, an extra column, comments, blank lines, CRLF, any case */
    const char *path = tmp("rt.csv");
    write_text(path, "# measured loop, sample A\r\n"
                     "branch,note,R_Ohm,temp_k\r\n"
                     "\r\n"
                     "heating,first,125000.5,300\r\n"
                     "Heating,,2.5e3,345.25\r\n"
                     "  # cooling now\r\n"
                     "COOLING,x,1200,340\r\n"
                     "cooling,y,98000,300\r\n");
    vs_meas_rt m;
    CHECK(vs_meas_read_rt(path, &m) == VS_OK);
    CHECK(m.n == 4);
    if (m.n == 4) {
        const double t[4] = {300, 345.25, 340, 300}, r[4] = {125000.5, 2.5e3, 1200, 98000};
        const int b[4] = {VS_BRANCH_HEAT, VS_BRANCH_HEAT, VS_BRANCH_COOL, VS_BRANCH_COOL};
        for (int i = 0; i < 4; i++) CHECK(m.temp_k[i] == t[i] && m.r_ohm[i] == r[i] && m.branch[i] == b[i]);
    }
    CHECK(strcmp(m.layout, "temp_k,r_ohm,branch") == 0);
    CHECK(strcmp(m.path, path) == 0);
    vs_meas_rt_free(&m);
    CHECK(m.n == 0 && m.temp_k == NULL);
    vs_meas_rt_free(&m); /* twice, and NULL: harmless */
    vs_meas_rt_free(NULL);
}

static void test_rt_paired(void)
{
    const char *path = tmp("rt_pair.csv");
    write_text(path, "temp_k,r_heat_ohm,r_cool_ohm\n300,1000,900\n310,500,400\n");
    vs_meas_rt m;
    CHECK(vs_meas_read_rt(path, &m) == VS_OK);
    CHECK(m.n == 4);
    if (m.n == 4) {
        const double t[4] = {300, 300, 310, 310}, r[4] = {1000, 900, 500, 400};
        for (int i = 0; i < 4; i++)
            CHECK(m.temp_k[i] == t[i] && m.r_ohm[i] == r[i] && m.branch[i] == i % 2);
    }
    CHECK(strcmp(m.layout, "temp_k,r_heat_ohm,r_cool_ohm") == 0);
    vs_meas_rt_free(&m);
}

/* `vo2snn rt` output, read back value for value against a plain strtod of the file. */
static void test_rt_from_tool(void)
{
    const char *path = tmp("tool_rt.csv");
    CHECK(vo2snn("rt", "--out", path, NULL) == 0);
    enum { MAX = 20000 };
    static double t[MAX], rh[MAX], rc[MAX];
    size_t rows = column_of(path, 0, t, MAX);
    CHECK(column_of(path, 1, rh, MAX) == rows && column_of(path, 2, rc, MAX) == rows);
    CHECK(rows > 100);
    vs_meas_rt m;
    CHECK(vs_meas_read_rt(path, &m) == VS_OK);
    CHECK(m.n == 2 * rows);
    int same = m.n == 2 * rows;
    for (size_t i = 0; same && i < rows; i++)
        same = m.temp_k[2 * i] == t[i] && m.temp_k[2 * i + 1] == t[i] && m.r_ohm[2 * i] == rh[i] &&
               m.r_ohm[2 * i + 1] == rc[i] && m.branch[2 * i] == VS_BRANCH_HEAT &&
               m.branch[2 * i + 1] == VS_BRANCH_COOL;
    CHECK(same);
    vs_meas_rt_free(&m);
}

/* ---- I-V ------------------------------------------------------------------------------ */

static void test_iv_by_name(void)
{
    const char *path = tmp("iv.csv");
    write_text(path, "i_a,branch,v_dev_v\n1e-4,up,0.5\n2.5e-3,UP,1.75\n3e-3,down,1.75\n-1e-5,down,-0.25\n");
    vs_meas_iv m;
    CHECK(vs_meas_read_iv(path, NAN, &m) == VS_OK);
    CHECK(m.n == 4);
    if (m.n == 4) {
        const double v[4] = {0.5, 1.75, 1.75, -0.25}, i[4] = {1e-4, 2.5e-3, 3e-3, -1e-5};
        const int b[4] = {VS_MEAS_UP, VS_MEAS_UP, VS_MEAS_DOWN, VS_MEAS_DOWN};
        for (int k = 0; k < 4; k++) CHECK(m.v_dev_v[k] == v[k] && m.i_a[k] == i[k] && m.branch[k] == b[k]);
    }
    CHECK(strcmp(m.branch_from, "branch column") == 0);
    vs_meas_iv_free(&m);

    /* no branch information: every point up */
    write_text(path, "v_dev_v,i_a\n0.5,1e-4\n1,2e-4\n");
    CHECK(vs_meas_read_iv(path, NAN, &m) == VS_OK);
    CHECK(m.n == 2 && m.branch[0] == VS_MEAS_UP && m.branch[1] == VS_MEAS_UP);
    CHECK(strcmp(m.branch_from, "none (every point up)") == 0);
    vs_meas_iv_free(&m);
}

/* v_src_v and i_a through a series resistor: v_dev = v_src - i * R, branches from the sweep. */
static void test_iv_series(void)
{
    const char *path = tmp("iv_series.csv");
    write_text(path, "v_src_v,i_a\n1,1e-4\n5,2e-3\n9,6e-3\n5,3e-3\n");
    const double r = 1500, vs[4] = {1, 5, 9, 5}, i[4] = {1e-4, 2e-3, 6e-3, 3e-3};
    vs_meas_iv m;
    CHECK(vs_meas_read_iv(path, r, &m) == VS_OK);
    CHECK(m.n == 4);
    if (m.n == 4) {
        const int b[4] = {VS_MEAS_UP, VS_MEAS_UP, VS_MEAS_UP, VS_MEAS_DOWN};
        for (int k = 0; k < 4; k++) {
            CHECK_NEAR(m.v_dev_v[k], vs[k] - i[k] * r, 1e-15, 0);
            CHECK(m.i_a[k] == i[k] && m.branch[k] == b[k]);
        }
        CHECK_NEAR(m.v_dev_v[2], 0.0, 0, 1e-12); /* 9 V - 6 mA * 1.5 kOhm */
    }
    CHECK(strcmp(m.branch_from, "v_src_v sweep direction") == 0);
    vs_meas_iv_free(&m);

    /* with a v_dev_v column the resistor is not used */
    write_text(path, "v_src_v,v_dev_v,i_a\n1,0.5,1e-4\n2,0.75,2e-4\n");
    CHECK(vs_meas_read_iv(path, r, &m) == VS_OK);
    CHECK(m.n == 2 && m.v_dev_v[0] == 0.5 && m.v_dev_v[1] == 0.75);
    vs_meas_iv_free(&m);
}

/* A hand-made triangle sweep: rising = up, falling = down, flat rows keep the direction
   before them, leading flat rows take the first direction. */
static void test_iv_triangle(void)
{
    const char *path = tmp("iv_tri.csv");
    write_text(path, "t_s,v_src_v,v_dev_v,i_a\n"
                     "0,0,0,0\n"
                     "1,0,0.01,1e-6\n"
                     "2,1,0.9,1e-5\n"
                     "3,2,1.8,2e-5\n"
                     "4,3,2.7,3e-5\n"
                     "5,3,1.2,1e-3\n"
                     "6,2,1.1,8e-4\n"
                     "7,1,0.6,3e-4\n"
                     "8,0,0,0\n"
                     "9,0,0.02,0\n"
                     "10,1,0.95,1e-5\n");
    const int want[11] = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0};
    vs_meas_iv m;
    CHECK(vs_meas_read_iv(path, NAN, &m) == VS_OK);
    CHECK(m.n == 11);
    for (size_t k = 0; k < m.n && k < 11; k++) CHECK(m.branch[k] == want[k]);
    vs_meas_iv_free(&m);

    /* starting downwards: the leading flat rows are down */
    write_text(path, "v_src_v,v_dev_v,i_a\n0,0,0\n0,0.01,0\n-1,-0.9,-1e-5\n-2,-1.8,-2e-5\n-1,-0.8,-1e-5\n");
    const int want2[5] = {1, 1, 1, 1, 0};
    CHECK(vs_meas_read_iv(path, NAN, &m) == VS_OK);
    CHECK(m.n == 5);
    for (size_t k = 0; k < m.n && k < 5; k++) CHECK(m.branch[k] == want2[k]);
    vs_meas_iv_free(&m);

    /* the end point of a one-period sweep carries cycle 1 */
    write_text(path, "v_src_v,v_dev_v,i_a,cycle\n0,0,0,0\n1,1,1e-4,0\n0.5,0.5,5e-5,0\n0,0.01,0,1\n");
    CHECK(vs_meas_read_iv(path, NAN, &m) == VS_OK);
    CHECK(m.n == 4 && m.branch[3] == VS_MEAS_DOWN);
    vs_meas_iv_free(&m);

    /* a source that never moves: every point up */
    write_text(path, "v_src_v,v_dev_v,i_a\n2,0.5,1e-4\n2,1.5,2e-3\n");
    CHECK(vs_meas_read_iv(path, NAN, &m) == VS_OK);
    CHECK(m.n == 2 && m.branch[0] == 0 && m.branch[1] == 0);
    vs_meas_iv_free(&m);
}

/* `vo2snn iv`: its trace (branches from v_src_v) and its S-curve (branch_name). */
static void test_iv_from_tool(void)
{
    const char *path = tmp("tool_iv.csv"), *scurve = tmp("tool_iv_scurve.csv");
    CHECK(vo2snn("iv", "--out", path, NULL) == 0);
    enum { MAX = 200000 };
    static double src[MAX], v[MAX], i[MAX];
    size_t rows = column_of(path, 1, src, MAX);
    CHECK(column_of(path, 2, v, MAX) == rows && column_of(path, 3, i, MAX) == rows && rows > 10);
    vs_meas_iv m;
    CHECK(vs_meas_read_iv(path, NAN, &m) == VS_OK);
    CHECK(m.n == rows);
    int same = m.n == rows, dir = -1, n_up = 0, n_down = 0;
    for (size_t k = 0; same && k < rows; k++) {
        if (k > 0 && src[k] != src[k - 1]) dir = src[k] > src[k - 1] ? VS_MEAS_UP : VS_MEAS_DOWN;
        same = m.v_dev_v[k] == v[k] && m.i_a[k] == i[k] && (dir < 0 || m.branch[k] == dir);
        n_up += m.branch[k] == VS_MEAS_UP, n_down += m.branch[k] == VS_MEAS_DOWN;
    }
    CHECK(same);
    CHECK(n_up > 0 && n_down > 0 && (size_t)(n_up + n_down) == rows);
    CHECK(m.n == rows && m.branch[0] == VS_MEAS_UP && m.branch[rows - 1] == VS_MEAS_DOWN);
    vs_meas_iv_free(&m);

    static double bnum[MAX];
    rows = column_of(scurve, 0, bnum, MAX);
    CHECK(column_of(scurve, 2, v, MAX) == rows && column_of(scurve, 3, i, MAX) == rows && rows > 10);
    CHECK(vs_meas_read_iv(scurve, NAN, &m) == VS_OK);
    CHECK(m.n == rows);
    same = m.n == rows;
    for (size_t k = 0; same && k < rows; k++)
        same = m.v_dev_v[k] == v[k] && m.i_a[k] == i[k] && m.branch[k] == (int)bnum[k];
    CHECK(same);
    CHECK(m.branch_from && strcmp(m.branch_from, "branch_name column") == 0);
    vs_meas_iv_free(&m);

    /* three cycles in one trace: refused at the first row of cycle 1 */
    const char *three = tmp("tool_iv3.csv");
    CHECK(vo2snn("iv", "--cycles", "3", "--out", three, NULL) == 0);
    rows = column_of(three, 7, bnum, MAX);
    size_t k1 = 0;
    while (k1 < rows && bnum[k1] == 0) k1++;
    CHECK(k1 > 0 && k1 < rows && bnum[k1] == 1 && bnum[rows - 1] == 3); /* the end point: 3 */
    char want[600];
    snprintf(want, sizeof want, "%s:%zu: column cycle: cycle 1 after cycle 0; an I-V file holds "
                                "one sweep cycle (cycles found: 0, 1, 2, 3)", three, k1 + 2);
    CHECK(read_as(IV, three) == VS_EFORMAT);
    if (strcmp(vs_last_error(), want) != 0)
        CHECK_FAIL_MSG("got '%.200s', want '%.200s'", vs_last_error(), want);
}

/* ---- f-V ------------------------------------------------------------------------------ */

static void test_fv(void)
{
    const char *path = tmp("fv.csv");
    write_text(path, "freq_hz,v_in_v,p_in_w\n1.25e5,8,0.01\n1.5e5,9.5,0.02\n1.4e5,9,0.015\n");
    vs_meas_fv m;
    CHECK(vs_meas_read_fv(path, &m) == VS_OK);
    CHECK(m.n == 3);
    if (m.n == 3) {
        const double v[3] = {8, 9.5, 9}, f[3] = {1.25e5, 1.5e5, 1.4e5};
        for (int k = 0; k < 3; k++) CHECK(m.v_in_v[k] == v[k] && m.freq_hz[k] == f[k]);
    }
    vs_meas_fv_free(&m);

    /* an index column alone is just an extra column */
    write_text(path, "index,v_in_v,freq_hz\n1,8,1e5\n2,9,2e5\n");
    CHECK(vs_meas_read_fv(path, &m) == VS_OK && m.n == 2);
    vs_meas_fv_free(&m);
}

/* `vo2snn vf`: one device is read; two are refused naming their indices. */
static void test_fv_from_tool(void)
{
    const char *path = tmp("tool_vf.csv"), *two = tmp("tool_vf2.csv");
    CHECK(vo2snn("vf", "--devices", "3", "--out", path, NULL) == 0);
    enum { MAX = 5000 };
    static double v[MAX], f[MAX], idx[MAX];
    size_t rows = column_of(path, 2, v, MAX);
    CHECK(column_of(path, 3, f, MAX) == rows && rows >= 2);
    vs_meas_fv m;
    CHECK(vs_meas_read_fv(path, &m) == VS_OK);
    CHECK(m.n == rows);
    int same = m.n == rows;
    for (size_t k = 0; same && k < rows; k++) same = m.v_in_v[k] == v[k] && m.freq_hz[k] == f[k];
    CHECK(same);
    vs_meas_fv_free(&m);

    CHECK(vo2snn("vf", "--devices", "1,3", "--out", two, NULL) == 0);
    rows = column_of(two, 0, idx, MAX);
    size_t k2 = 0;
    while (k2 < rows && idx[k2] == 1) k2++;
    CHECK(k2 > 0 && k2 < rows && idx[k2] == 2);
    char want[600];
    snprintf(want, sizeof want, "%s:%zu: column index: device 2 after device 1; an f-V file holds "
                                "one device (indices found: 1, 2)", two, k2 + 2);
    CHECK(read_as(FV, two) == VS_EFORMAT);
    if (strcmp(vs_last_error(), want) != 0) CHECK_FAIL_MSG("got '%.200s', want '%.200s'", vs_last_error(), want);
}

/* ---- waveforms ------------------------------------------------------------------------ */

static void test_trace(void)
{
    const char *path = tmp("trace.csv");
    write_text(path, "v_spike_v,t_s,v_in_v,v_dev_v\n0.1,-1e-6,12,0.5\n0.2,0,12.5,0.75\n0.3,2.5e-6,13,1.5\n");
    vs_meas_trace m;
    CHECK(vs_meas_read_trace(path, &m) == VS_OK);
    CHECK(m.n == 3 && !m.input_is_current && strcmp(m.response_col, "v_dev_v") == 0);
    if (m.n == 3) {
        const double t[3] = {-1e-6, 0, 2.5e-6}, u[3] = {12, 12.5, 13}, y[3] = {0.5, 0.75, 1.5};
        for (int k = 0; k < 3; k++) CHECK(m.t_s[k] == t[k] && m.input[k] == u[k] && m.response[k] == y[k]);
    }
    vs_meas_trace_free(&m);

    write_text(path, "t_s,i_in_a,i_dev_a\n0,1e-3,0\n1e-6,2e-3,5e-4\n");
    CHECK(vs_meas_read_trace(path, &m) == VS_OK);
    CHECK(m.n == 2 && m.input_is_current && strcmp(m.response_col, "i_dev_a") == 0);
    CHECK(m.n == 2 && m.input[1] == 2e-3 && m.response[1] == 5e-4);
    vs_meas_trace_free(&m);
}

/* `vo2snn osc`: t_s, v_in_v and v_osc_v, value for value. */
static void test_trace_from_tool(void)
{
    const char *path = tmp("tool_osc.csv");
    CHECK(vo2snn("osc", "--out", path, NULL) == 0);
    enum { MAX = 400000 };
    static double t[MAX], u[MAX], y[MAX];
    size_t rows = column_of(path, 0, t, MAX);
    CHECK(column_of(path, 1, u, MAX) == rows && column_of(path, 2, y, MAX) == rows && rows > 10);
    vs_meas_trace m;
    CHECK(vs_meas_read_trace(path, &m) == VS_OK);
    CHECK(m.n == rows && m.response_col && strcmp(m.response_col, "v_osc_v") == 0);
    int same = m.n == rows;
    for (size_t k = 0; same && k < rows; k++) same = m.t_s[k] == t[k] && m.input[k] == u[k] && m.response[k] == y[k];
    CHECK(same);
    vs_meas_trace_free(&m);
}

/* ---- refusals ------------------------------------------------------------------------- */

typedef struct bad_case {
    int kind;
    const char *text;
    const char *msg; /* the message after the file's path */
} bad_case;

static const bad_case bad_cases[] = {
    /* R-T values */
    {RT, "temp_k,r_ohm,branch\n300,1e5,heating\n# c\n\n310,5e4,heating\n320,-3,heating\n",
     ":6: column r_ohm: -3 is not a positive resistance"},
    {RT, "temp_k,r_ohm,branch\n300,0,heating\n310,5e4,heating\n", ":2: column r_ohm: 0 is not a positive resistance"},
    {RT, "temp_k,r_ohm,branch\n300,1e5,heating\n-5,5e4,cooling\n", ":3: column temp_k: -5 is not a positive temperature"},
    {RT, "temp_k,r_ohm,branch\n0,1e5,heating\n310,5e4,cooling\n", ":2: column temp_k: 0 is not a positive temperature"},
    {RT, "temp_k,r_ohm,branch\n300,nan,heating\n310,5e4,cooling\n", ":2: column r_ohm: 'nan' is not a finite number"},
    {RT, "temp_k,r_ohm,branch\n300,1e5,heating\ninf,5e4,cooling\n", ":3: column temp_k: 'inf' is not a finite number"},
    {RT, "temp_k,r_ohm,branch\n300,1e999,heating\n310,5e4,cooling\n", ":2: column r_ohm: '1e999' is not a finite number"},
    {RT, "temp_k,r_ohm,branch\n300,1e5,heating\n310,50 kOhm,cooling\n", ":3: column r_ohm: '50 kOhm' is not a number"},
    {RT, "temp_k,r_ohm,branch\n300,,heating\n310,5e4,cooling\n", ":2: column r_ohm: empty cell"},
    {RT, "temp_k,r_ohm,branch\n300,1e5,heating\n310,5e4,warming\n",
     ":3: column branch: 'warming' is not a branch (heating or cooling)"},
    {RT, "temp_k,r_ohm,branch\n300,1e5,heating\n310,5e4,cooling\n305,2e4,cooling\n300,9e4,heating\n",
     ":5: column temp_k: temperature 300 K repeats line 2 on the heating branch (one point per "
     "temperature and branch)"},
    {RT, "temp_k,r_heat_ohm,r_cool_ohm\n300,1e5,9e4\n300,1e5,9e4\n",
     ":3: column temp_k: temperature 300 K repeats line 2 on the heating branch (one point per "
     "temperature and branch)"},
    {RT, "temp_k,r_heat_ohm,r_cool_ohm\n300,1e5,-9e4\n", ":2: column r_cool_ohm: -9e4 is not a positive resistance"},
    /* R-T structure */
    {RT, "temp_k,r_ohm,branch\n300,1e5,heating\n", ":2: a single point; at least 2 are needed"},
    {RT, "temp_k,r_ohm,branch\n# nothing measured\n", ": no data rows after the header"},
    {RT, "", ": empty file (no header row naming the columns)"},
    {RT, "temp_k,resistance\n300,1e5\n",
     ":1: no column r_ohm: an R-T file has columns temp_k,r_ohm,branch or "
     "temp_k,r_heat_ohm,r_cool_ohm (found temp_k,resistance)"},
    {RT, "temp_k,r_ohm\n300,1e5\n",
     ":1: no column branch: an R-T file has columns temp_k,r_ohm,branch or "
     "temp_k,r_heat_ohm,r_cool_ohm (found temp_k,r_ohm)"},
    {RT, "# a\nt,r_heat_ohm,r_cool_ohm\n300,1e5,9e4\n",
     ":2: no column temp_k: an R-T file has columns temp_k,r_ohm,branch or "
     "temp_k,r_heat_ohm,r_cool_ohm (found t,r_heat_ohm,r_cool_ohm)"},
    {RT, "temp_k,r_heat_ohm\n300,1e5\n",
     ":1: no column r_cool_ohm: an R-T file has columns temp_k,r_ohm,branch or "
     "temp_k,r_heat_ohm,r_cool_ohm (found temp_k,r_heat_ohm)"},
    {RT, "300,1e5,heating\n310,5e4,cooling\n",
     ":1: no header row: column 1 is the number 300 (the first row names the columns)"},
    {RT, "temp_k,,branch\n300,1e5,heating\n", ":1: header cell 2 is empty (the first row names the columns)"},
    {RT, "temp_k,r_ohm,branch,Temp_K\n300,1e5,heating,1\n", ":1: column temp_k: named twice (columns 1 and 4)"},
    {RT, "temp_k,r_ohm,branch\n300,1e5,heating\n310,5e4\n",
     ":3: column branch: missing (the row has 2 cells, the header 3)"},
    {RT, "temp_k,r_ohm,branch\n300,1e5,heating,x\n", ":2: 4 cells, but the header (line 1) names 3 columns"},
    {RT, "temp_k,r_ohm,branch\n300,\"1e5,heating\n", ":2: unterminated quote"},
    /* I-V */
    {IV, "v_src_v,i_a\n1,1e-4\n2,2e-4\n",
     ":1: no column v_dev_v: v_src_v and i_a are a sweep through a series resistor; give its "
     "resistance (--iv-series) for v_dev = v_src - i_a * R"},
    {IV, "v_dev_v,current\n1,1e-4\n",
     ":1: no column i_a: an I-V file has columns v_dev_v,i_a[,branch] or v_src_v,i_a with a "
     "series resistor (found v_dev_v,current)"},
    {IV, "v_dev_v,i_a,branch\n1,1e-4,up\n2,2e-4,sideways\n",
     ":3: column branch: 'sideways' is not a branch (up or down, heating or cooling)"},
    {IV, "v_dev_v,i_a,branch\n1,1e-4,up\n1,2e-4,down\n2,3e-4,down\n1,5e-4,up\n",
     ":5: column v_dev_v: device voltage 1 V repeats line 2 on the up branch (one point per "
     "device voltage and branch)"},
    {IV, "v_dev_v,i_a\n1,1e-4\n2,-inf\n", ":3: column i_a: '-inf' is not a finite number"},
    {IV, "v_src_v,v_dev_v,i_a,cycle\n0,0,0,0\n1,1,1e-4,0\n0,0,0,0\n0,0.01,0,1\n1,1.1,1e-4,1\n0,0.02,0,1\n",
     ":5: column cycle: cycle 1 after cycle 0; an I-V file holds one sweep cycle (cycles found: 0, 1)"},
    {IV, "v_src_v,v_dev_v,i_a,cycle\n0,0,0,0\n1,1,1e-4,1\n0,0,0,0\n",
     ":3: column cycle: cycle 1 after cycle 0; an I-V file holds one sweep cycle (cycles found: 0, 1)"},
    {IV_R1K, "v_src_v,i_a\n1.5,1e-3\n2,1e-3\n2.5,2e-3\n",
     ":4: column v_src_v: device voltage (v_src_v - i_a * R) 0.5 V repeats line 2 on the up "
     "branch (one point per device voltage (v_src_v - i_a * R) and branch)"},
    {IV_R1K, "v_src_v,i_a\n1,1e-4\n1e308,-1e306\n",
     ":3: column v_src_v: the device voltage v_src_v - i_a * R = inf is not finite"},
    /* f-V */
    {FV, "v_in_v,freq_hz\n8,1e5\n9,0\n",
     ":3: column freq_hz: 0 is not a positive frequency (a point that does not oscillate has no "
     "frequency: leave it out)"},
    {FV, "v_in_v,freq_hz\n8,-1e5\n9,2e5\n",
     ":2: column freq_hz: -1e5 is not a positive frequency (a point that does not oscillate has "
     "no frequency: leave it out)"},
    {FV, "v_in_v,freq_hz\n8,1e5\n9,2e5\n8,1.5e5\n",
     ":4: column v_in_v: input voltage 8 V repeats line 2 (one point per input voltage)"},
    {FV, "index,vacancy_x,v_in_v,freq_hz\n1,0.1,8,1e5\n1,0.1,9,2e5\n4,0.2,8,1e5\n2,0.3,8,1e5\n",
     ":4: column index: device 4 after device 1; an f-V file holds one device (indices found: 1, 4, 2)"},
    {FV, "v_in_v,f_hz\n8,1e5\n",
     ":1: no column freq_hz: an f-V file has columns v_in_v,freq_hz (found v_in_v,f_hz)"},
    /* waveforms */
    {TRACE, "t_s,v_in_v,v_osc_v\n0,1,0\n1e-6,1,0.5\n1e-6,1,0.7\n",
     ":4: column t_s: 1e-6 s is not after 1e-06 s on line 3 (times must increase strictly)"},
    {TRACE, "t_s,v_in_v,v_osc_v\n0,1,0\n2e-6,1,0.5\n1e-6,1,0.7\n",
     ":4: column t_s: 1e-6 s is not after 2e-06 s on line 3 (times must increase strictly)"},
    {TRACE, "t_s,v_in_v,i_in_a,v_osc_v\n0,1,0,0\n",
     ":1: columns v_in_v and i_in_a: a waveform has one input, a voltage or a current"},
    {TRACE, "t_s,v_osc_v\n0,0\n1,1\n",
     ":1: no column v_in_v: a waveform has columns t_s, v_in_v or i_in_a, and v_osc_v, v_dev_v, "
     "i_dev_a or v_spike_v (found t_s,v_osc_v)"},
    {TRACE, "t_s,v_in_v,temp_k\n0,0,300\n1,1,300\n",
     ":1: no column v_osc_v: a waveform has columns t_s, v_in_v or i_in_a, and v_osc_v, v_dev_v, "
     "i_dev_a or v_spike_v (found t_s,v_in_v,temp_k)"},
    {TRACE, "t_s,v_in_v,v_osc_v\n0,1,abc\n", ":2: column v_osc_v: 'abc' is not a number"},
};

static void test_refusals(void)
{
    const char *path = tmp("bad.csv");
    for (size_t k = 0; k < sizeof bad_cases / sizeof bad_cases[0]; k++) {
        const bad_case *c = &bad_cases[k];
        write_text(path, c->text);
        char want[700];
        snprintf(want, sizeof want, "%s%s", path, c->msg);
        vs_status s = read_as(c->kind, path);
        if (s != VS_EFORMAT || strcmp(vs_last_error(), want) != 0)
            CHECK_FAIL_MSG("case %zu: status %d, got '%.200s', want '%.200s'", k, (int)s, vs_last_error(), want);
    }
}

/* Refusals that a text table cannot hold: long lines, NUL bytes, missing files, arguments. */
static void test_refusals_other(void)
{
    const char *path = tmp("bad2.csv");
    char want[700];

    size_t n = 70000;
    char *text = malloc(n + 64);
    strcpy(text, "temp_k,r_ohm,branch\n300,1e5,heating\n");
    size_t len = strlen(text);
    memset(text + len, '1', n);
    strcpy(text + len + n, ",2,heating\n");
    write_text(path, text);
    free(text);
    snprintf(want, sizeof want, "%s:3: line is longer than 65536 bytes", path);
    CHECK(read_as(RT, path) == VS_EFORMAT && strcmp(vs_last_error(), want) == 0);

    FILE *f = fopen(path, "wb");
    fwrite("t_s,v_in_v,v_osc_v\n0,1,\0\n", 1, 25, f);
    fclose(f);
    snprintf(want, sizeof want, "%s:2: NUL byte (is this a text file?)", path);
    CHECK(read_as(TRACE, path) == VS_EFORMAT && strcmp(vs_last_error(), want) == 0);

    const char *none = tmp("no_such.csv");
    snprintf(want, sizeof want, "cannot read '%s': No such file or directory", none);
    CHECK(read_as(FV, none) == VS_EIO && strcmp(vs_last_error(), want) == 0);

    write_text(path, "v_src_v,i_a\n1,1e-4\n2,2e-4\n");
    vs_meas_iv m;
    memset(&m, 0x5a, sizeof m);
    snprintf(want, sizeof want, "%s: the series resistance (-5 Ohm) must be positive and finite", path);
    CHECK(vs_meas_read_iv(path, -5, &m) == VS_EINVAL && strcmp(vs_last_error(), want) == 0);
    CHECK(all_zero(&m, sizeof m));
    CHECK(vs_meas_read_iv(path, INFINITY, &m) == VS_EINVAL);
    CHECK(vs_meas_read_iv(NULL, NAN, &m) == VS_EINVAL && vs_meas_read_iv(path, NAN, NULL) == VS_EINVAL);

    /* a UTF-8 byte-order mark before the header is skipped, as in vs_table_load */
    write_text(path, "\xEF\xBB\xBF" "v_in_v,freq_hz\n8,1e5\n9,2e5\n");
    CHECK(read_as(FV, path) == VS_OK);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) return 1;
    RUN(test_rt_by_name);
    RUN(test_rt_paired);
    RUN(test_rt_from_tool);
    RUN(test_iv_by_name);
    RUN(test_iv_series);
    RUN(test_iv_triangle);
    RUN(test_iv_from_tool);
    RUN(test_fv);
    RUN(test_fv_from_tool);
    RUN(test_trace);
    RUN(test_trace_from_tool);
    RUN(test_refusals);
    RUN(test_refusals_other);
    remove_tree(tmpdir);
    return CHECK_DONE();
}
