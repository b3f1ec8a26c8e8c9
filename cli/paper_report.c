/* paper_report.c -- the HTML reports of `vo2snn paper` and `vo2snn report` (see paper_report.h). */
#include "paper_report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "vo2snn/atomic.h"

static const char *const kind_name[ROW_KINDS] = {"calibrated (model input)", "predicted", "beyond the paper",
                                                 "this device"};
static const char *const kind_attr[ROW_KINDS] = {"calibrated", "predicted", "beyond", "device"};

void paper_row_add(paper_rows *t, const char *id, paper_row_kind kind, const char *what,
                   const char *paper, const char *basis, int ok, const char *ours_fmt, ...)
{
    if (t->n >= PAPER_MAX_ROWS) return;
    paper_row *r = &t->row[t->n++];
    *r = (paper_row){.id = id, .kind = kind, .paper = paper, .basis = basis, .ok = ok};
    snprintf(r->what, sizeof r->what, "%s", what);
    va_list ap;
    va_start(ap, ours_fmt);
    vsnprintf(r->ours, sizeof r->ours, ours_fmt, ap);
    va_end(ap);
}

static const char *row_verdict(const paper_row *r, const char **css)
{
    if (r->kind == ROW_BEYOND) return *css = "na", "not in the paper";
    if (r->kind == ROW_CALIBRATED) return *css = r->ok ? "cal" : "no", r->ok ? "input reproduced" : "input NOT reproduced";
    return *css = r->ok ? "ok" : "no", r->ok ? "matches" : "does not match";
}

static void html_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '&') fputs("&amp;", f);
        else fputc(*s, f);
    }
}

void paper_html_escape(char *buf, size_t n, const char *s)
{
    size_t k = 0;
    for (; *s && k + 6 < n; s++) {
        const char *e = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;" : NULL;
        if (e) k += (size_t)snprintf(buf + k, n - k, "%s", e);
        else buf[k++] = *s;
    }
    if (n) buf[k < n ? k : n - 1] = '\0';
}

static void write_head(FILE *f, const paper_report *r)
{
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>");
    html_escape(f, r->title);
    fprintf(f, "</title>\n"
               "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}"
               "img{max-width:100%%;border:1px solid #ddd;margin:0.4em 0}table{border-collapse:collapse;margin:1em 0}"
               "td,th{border:1px solid #ccc;padding:0.3em 0.6em;text-align:left;vertical-align:top}"
               ".ok{color:#1a7f37;font-weight:bold}.no{color:#cf222e;font-weight:bold}.na,.cal{color:#666}"
               "code{background:#f3f3f3;padding:0 0.2em}.quick{background:#fff3cd;padding:0.6em;border:1px solid #e0c36a}</style>\n"
               "</head><body>\n<h1>%s</h1>\n%s", r->heading, r->intro);
}

/* The row counts, as text and as data-* attributes (read by tests/test_paper.c). */
static void write_row_summary(FILE *f, const paper_row *rows, int n_rows)
{
    int count[ROW_KINDS] = {0}, matched = 0, reproduced = 0;
    for (int i = 0; i < n_rows; i++) {
        count[rows[i].kind]++;
        matched += rows[i].kind == ROW_PREDICTED && rows[i].ok;
        reproduced += rows[i].kind == ROW_CALIBRATED && rows[i].ok;
    }
    fprintf(f, "<p id=\"row-summary\" data-rows=\"%d\" data-predicted=\"%d\" data-matches=\"%d\" "
               "data-calibrated=\"%d\" data-reproduced=\"%d\" data-beyond=\"%d\"><b>%d rows:</b> %d predicted "
               "(%d match the paper, %d do not), %d calibrated (model inputs; %d reproduced, not counted as matches), "
               "%d beyond the paper.</p>\n",
            n_rows, count[ROW_PREDICTED], matched, count[ROW_CALIBRATED], reproduced, count[ROW_BEYOND], n_rows,
            count[ROW_PREDICTED], matched, count[ROW_PREDICTED] - matched, count[ROW_CALIBRATED], reproduced,
            count[ROW_BEYOND]);
}

static void write_paper_table(FILE *f, const paper_row *rows, int n_rows)
{
    fprintf(f, "<h2>Comparison with the paper</h2>\n"
               "<p>Each row has a kind. <b>Predicted</b>: nothing in the model was fitted or chosen to give it, so it "
               "can match the paper or fail to. <b>Calibrated (model input)</b>: the device presets or the circuit were "
               "fitted or chosen to give the paper's number (docs/models/vo2x.md 2.1), so the row only checks that the "
               "run reproduces its input; it is no evidence for the model. <b>Beyond the paper</b>: the paper reports "
               "no such number. The column <i>the paper</i> gives what the paper reports; every number in the column <i>this run</i> "
               "was measured in this run.</p>\n");
    write_row_summary(f, rows, n_rows);
    fputs("<table><tr><th>quantity</th><th>kind</th><th>the paper</th><th>this run</th><th></th><th>why this kind</th></tr>\n", f);
    for (int i = 0; i < n_rows; i++) {
        const char *css, *verdict = row_verdict(&rows[i], &css);
        fprintf(f, "<tr id=\"row-%s\" data-kind=\"%s\"><td>", rows[i].id, kind_attr[rows[i].kind]);
        html_escape(f, rows[i].what);
        fprintf(f, "</td><td>%s</td><td>", kind_name[rows[i].kind]);
        html_escape(f, rows[i].paper);
        fputs("</td><td>", f);
        html_escape(f, rows[i].ours);
        fprintf(f, "</td><td class=\"%s\">%s</td><td>", css, verdict);
        html_escape(f, rows[i].basis);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* One device's numbers: quantity, value, where it comes from. */
static void write_device_table(FILE *f, const paper_row *rows, int n_rows)
{
    fputs("<h2 id=\"summary\">Summary</h2>\n<p>Every number was measured in this run, for this device in this "
          "circuit; the last column names the figure (command) it comes from.</p>\n"
          "<table><tr><th>quantity</th><th>this device</th><th>from</th></tr>\n", f);
    for (int i = 0; i < n_rows; i++) {
        fprintf(f, "<tr id=\"row-%s\" data-kind=\"%s\"><td>", rows[i].id, kind_attr[rows[i].kind]);
        html_escape(f, rows[i].what);
        fputs("</td><td>", f);
        html_escape(f, rows[i].ours);
        fputs("</td><td>", f);
        html_escape(f, rows[i].basis);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* The device file and the command line that made the report. */
static void write_device(FILE *f, const paper_report *r)
{
    if (r->command) {
        fputs("<h2 id=\"reproduce\">Reproduce</h2>\n<p>This report was made by</p>\n<pre><code>", f);
        html_escape(f, r->command);
        fputs("</code></pre>\n", f);
    }
    if (r->device_text) {
        fputs("<h2 id=\"device\">The device</h2>\n<p>Every figure below ran on this device file", f);
        if (r->device_file) fprintf(f, " (<a href=\"%s\">%s</a>)", r->device_file, r->device_file);
        fputs(": the resolved parameters with their units, readable by <code>--device-file</code> of every "
              "command.</p>\n<pre>", f);
        html_escape(f, r->device_text);
        fputs("</pre>\n", f);
    }
}

static void write_section(FILE *f, const paper_section *s)
{
    fprintf(f, "<h2 id=\"%s\">%s</h2>\n<p>", s->id, s->title);
    html_escape(f, s->what);
    fputs("</p>\n", f);
    if (s->params[0]) {
        fputs("<p>Parameters: <code>", f);
        html_escape(f, s->params);
        fputs("</code></p>\n", f);
    }
    if (!s->images[0]) return;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", s->images[0]);
    char *slash = strrchr(dir, '/');
    if (slash) slash[1] = '\0';
    fprintf(f, "<p>Data (CSV, JSON summaries): <a href=\"%s\">%s</a></p>\n", dir, dir);
    for (int k = 0; k < PAPER_MAX_IMAGES && s->images[k]; k++) {
        char svg[1024];
        cli_with_suffix(s->images[k], ".svg", svg, sizeof svg);
        fprintf(f, "<figure><img src=\"%s\" alt=\"%s\"><figcaption><a href=\"%s\">SVG</a></figcaption></figure>\n",
                s->images[k], s->title, svg);
    }
}

int paper_write_report(const char *prog, const char *path, const paper_report *r)
{
    vs_afile *af;
    if (vs_afile_open(path, &af) != VS_OK) return cli_fail(prog);
    FILE *f = vs_afile_stream(af);
    write_head(f, r);
    if (r->table == TABLE_PAPER) write_paper_table(f, r->rows, r->n_rows);
    else write_device_table(f, r->rows, r->n_rows);
    write_device(f, r);
    for (int i = 0; i < r->n_secs; i++) write_section(f, &r->secs[i]);
    /* the report checks itself: counts images that failed to load (read by the browser test) */
    fputs("<script>window.addEventListener('load', function () {\n"
          "  var imgs = Array.prototype.slice.call(document.images);\n"
          "  var broken = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); });\n"
          "  document.body.setAttribute('data-images', imgs.length);\n"
          "  document.body.setAttribute('data-broken-images', broken.length);\n"
          "});</script>\n</body></html>\n", f);
    return vs_afile_commit(af) == VS_OK ? 0 : cli_fail(prog);
}
