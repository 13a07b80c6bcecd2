/*
** cp_report_html.c: findings/report.html, one self-contained page for people.
**
** No script, no external address: inline CSS and inline SVG only, so the page opens from
** a CI artifact as it is. Every piece of text from the data goes through html_text, which
** escapes markup characters, turns bytes that are not UTF-8 into the Latin-1 character
** they read as, and control characters into U+FFFD.
**
** Each harness with samples gets two line plots over its fuzzing seconds, coverage and
** exec/s: one <polyline> each, one point per sample with finite values, drawn in sample
** order (a single point also gets a dot). A harness without samples says "no samples".
*/
#define _GNU_SOURCE
#include "cp_report_int.h"

#include <math.h>
#include <string.h>

/* ---- text ---- */

static void html_byte(FILE *out, unsigned char c)
{
    switch (c) {
    case '&':
        fputs("&amp;", out);
        return;
    case '<':
        fputs("&lt;", out);
        return;
    case '>':
        fputs("&gt;", out);
        return;
    case '"':
        fputs("&quot;", out);
        return;
    case '\'':
        fputs("&#39;", out);
        return;
    }
    if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f))
        fputc(c, out);
    else if (c < 0x20 || c == 0x7f)
        fputs("&#xFFFD;", out);
    else
        fprintf(out, "&#x%02X;", c); /* not UTF-8: its Latin-1 reading */
}

/* Text or attribute value, escaped; NULL writes `absent`. */
static void html_text_or(FILE *out, const char *s, const char *absent)
{
    if (s == NULL)
        fputs(absent, out);
    else
        ou_utf8_write(out, s, html_byte);
}

static void html_text(FILE *out, const char *s)
{
    html_text_or(out, s, "");
}

static void put_time(FILE *out, long long t)
{
    char iso[32];
    if (cp_iso8601(t, iso, sizeof iso) != 0) {
        fprintf(out, "%lld (Unix seconds)", t);
        return;
    }
    iso[10] = ' ';
    iso[19] = '\0';
    fprintf(out, "%s UTC", iso);
}

static void put_duration(FILE *out, double s)
{
    if (!isfinite(s) || s < 0) {
        fputs("?", out);
        return;
    }
    long long t = llround(s);
    if (t >= 3600)
        fprintf(out, "%lldh %02lldm %02llds", t / 3600, t / 60 % 60, t % 60);
    else if (t >= 60)
        fprintf(out, "%lldm %02llds", t / 60, t % 60);
    else
        fprintf(out, "%.1f s", s);
}

/* A short tick label: 950, 1.5k, 12k, 3.2M. */
static void num_label(char *buf, size_t cap, double v)
{
    static const struct {
        double scale;
        const char *suffix;
    } units[] = {{1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (fabs(v) >= units[i].scale) {
            snprintf(buf, cap, "%.3g%s", v / units[i].scale, units[i].suffix);
            return;
        }
    }
    snprintf(buf, cap, "%.4g", v);
}

/* ---- plots ---- */

enum { PLOT_W = 560, PLOT_H = 280, PAD_L = 64, PAD_R = 20, PAD_T = 34, PAD_B = 48 };
enum { AREA_W = PLOT_W - PAD_L - PAD_R, AREA_H = PLOT_H - PAD_T - PAD_B, MAX_TICKS = 12 };

/* An axis: [lo, hi] widened to whole steps of a 1-2-5 step giving about five ticks. */
typedef struct axis {
    double lo, hi, step;
    int nticks;
} axis;

static axis make_axis(double lo, double hi)
{
    axis a;
    if (!(hi > lo)) { /* one value, or none: give it room */
        double pad = fabs(lo) > 0 ? fabs(lo) * 0.5 : 1;
        hi = lo + pad;
        lo = lo >= 0 && lo - pad < 0 ? 0 : lo - pad;
    }
    double raw = (hi - lo) / 5, mag = pow(10, floor(log10(raw))), norm = raw / mag;
    a.step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
    a.lo = floor(lo / a.step) * a.step;
    a.hi = ceil(hi / a.step) * a.step;
    a.nticks = (int)lround((a.hi - a.lo) / a.step);
    if (a.nticks > MAX_TICKS) { /* rounding at the edges; never expected */
        a.step = (a.hi - a.lo) / MAX_TICKS;
        a.nticks = MAX_TICKS;
    }
    return a;
}

static double scale(const axis *a, double v, double from, double len)
{
    return from + (v - a->lo) / (a->hi - a->lo) * len;
}

/* Which series a plot shows. */
typedef struct series {
    const char *key, *title, *y_label, *color;
    double (*value)(const cp_sample *s);
} series;

static double cov_of(const cp_sample *s)
{
    return (double)s->cov;
}

static double eps_of(const cp_sample *s)
{
    return s->execs_per_sec;
}

static const series plot_cov = {"cov", "coverage", "coverage (edges)", "#1f6fb4", cov_of};
static const series plot_eps = {"eps", "exec/s", "exec/s", "#c2571a", eps_of};

static int sample_ok(const cp_sample *s, const series *sr)
{
    return isfinite(s->seconds) && isfinite(sr->value(s));
}

static size_t plottable(const cp_harness_stats *h, const series *sr)
{
    size_t n = 0;
    for (size_t i = 0; i < h->nsamples; i++)
        n += sample_ok(&h->samples[i], sr);
    return n;
}

/* The axes of a series: x over the samples' seconds, y from 0 (or below) to the top. */
static void plot_axes(const cp_harness_stats *h, const series *sr, axis *x, axis *y)
{
    double xlo = INFINITY, xhi = -INFINITY, ylo = 0, yhi = -INFINITY;
    for (size_t i = 0; i < h->nsamples; i++) {
        const cp_sample *s = &h->samples[i];
        if (!sample_ok(s, sr))
            continue;
        xlo = fmin(xlo, s->seconds);
        xhi = fmax(xhi, s->seconds);
        ylo = fmin(ylo, sr->value(s));
        yhi = fmax(yhi, sr->value(s));
    }
    *x = make_axis(xlo, xhi);
    *y = make_axis(ylo, yhi);
}

static void plot_grid(FILE *out, const axis *x, const axis *y)
{
    char label[32];
    for (int k = 0; k <= y->nticks; k++) {
        double v = y->lo + k * y->step;
        double py = scale(y, v, PAD_T + AREA_H, -AREA_H);
        num_label(label, sizeof label, fabs(v) < y->step * 1e-9 ? 0 : v);
        fprintf(out, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", PAD_L,
                py, PAD_L + AREA_W, py);
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", PAD_L - 6, py + 4,
                label);
    }
    for (int k = 0; k <= x->nticks; k++) {
        double v = x->lo + k * x->step;
        double px = scale(x, v, PAD_L, AREA_W);
        num_label(label, sizeof label, fabs(v) < x->step * 1e-9 ? 0 : v);
        fprintf(out, "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", px,
                PAD_T + AREA_H, px, PAD_T + AREA_H + 5);
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", px,
                PAD_T + AREA_H + 18, label);
    }
    fprintf(out, "<polyline class=\"axis\" fill=\"none\" points=\"%d,%d %d,%d %d,%d\"/>\n", PAD_L,
            PAD_T, PAD_L, PAD_T + AREA_H, PAD_L + AREA_W, PAD_T + AREA_H);
}

static void plot_labels(FILE *out, const cp_harness_stats *h, const series *sr)
{
    fprintf(out, "<text class=\"ttl\" x=\"%d\" y=\"20\" text-anchor=\"middle\">", PLOT_W / 2);
    html_text_or(out, h->name, "?");
    fprintf(out, ": %s</text>\n", sr->title);
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">fuzzing seconds</text>\n",
            PAD_L + AREA_W / 2, PLOT_H - 8);
    fprintf(out,
            "<text x=\"14\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">%s"
            "</text>\n",
            PAD_T + AREA_H / 2, PAD_T + AREA_H / 2, sr->y_label);
}

static void plot_line(FILE *out, const cp_harness_stats *h, const series *sr, const axis *x,
                      const axis *y)
{
    size_t n = plottable(h, sr);
    fprintf(out, "<polyline class=\"data\" fill=\"none\" stroke=\"%s\" points=\"", sr->color);
    for (size_t i = 0, k = 0; i < h->nsamples; i++) {
        const cp_sample *s = &h->samples[i];
        if (sample_ok(s, sr))
            fprintf(out, "%s%.1f,%.1f", k++ ? " " : "", scale(x, s->seconds, PAD_L, AREA_W),
                    scale(y, sr->value(s), PAD_T + AREA_H, -AREA_H));
    }
    fputs("\"/>\n", out);
    for (size_t i = 0; i < h->nsamples && n <= 40; i++) { /* dots while they stay apart */
        const cp_sample *s = &h->samples[i];
        if (sample_ok(s, sr))
            fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"/>",
                    scale(x, s->seconds, PAD_L, AREA_W),
                    scale(y, sr->value(s), PAD_T + AREA_H, -AREA_H), n == 1 ? "4" : "2.5",
                    sr->color);
    }
}

static void plot(FILE *out, const cp_harness_stats *h, const series *sr)
{
    axis x, y;
    if (plottable(h, sr) == 0) {
        fprintf(out, "<p class=\"muted\">no samples with a finite %s</p>\n", sr->title);
        return;
    }
    plot_axes(h, sr, &x, &y);
    fprintf(out,
            "<svg class=\"plot\" data-plot=\"%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
            " role=\"img\">\n<title>",
            sr->key, PLOT_W, PLOT_H, PLOT_W, PLOT_H);
    html_text_or(out, h->name, "?");
    fprintf(out, ": %s over fuzzing seconds</title>\n", sr->title);
    plot_grid(out, &x, &y);
    plot_labels(out, h, sr);
    plot_line(out, h, sr, &x, &y);
    fputs("</svg>\n", out);
}

/* ---- the campaign and its harnesses ---- */

static const char css[] =
    "body{font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;color:#222;"
    "max-width:1180px;margin:24px auto;padding:0 16px}\n"
    "h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;border-bottom:1px solid #ccc;"
    "padding-bottom:4px;margin-top:36px}h3{font-size:16px;margin:24px 0 6px}"
    "h4{font-size:14px;margin:14px 0 4px}\n"
    "table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #d8d8d8;"
    "padding:3px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3;"
    "font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "table.kv th{width:150px}\n"
    ".plots{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0}"
    "svg.plot{border:1px solid #ddd;background:#fff}\n"
    "svg text{font:11px sans-serif;fill:#444}svg text.ttl{font-size:13px;font-weight:600;"
    "fill:#222}svg .grid{stroke:#ececec}svg .axis{stroke:#777}"
    "svg .data{stroke-width:1.8;stroke-linejoin:round}\n"
    "pre{background:#f7f7f7;border:1px solid #e2e2e2;padding:8px;white-space:pre-wrap;"
    "word-break:break-all;font-size:12.5px}\n"
    "tr.project td{background:#fff4cc;font-weight:600}\n"
    ".tag{display:inline-block;border-radius:3px;padding:0 6px;color:#fff;background:#a4161a}"
    ".tag.flaky{background:#b36b00}.ok{color:#1b7a2e;font-weight:600}"
    ".miss{color:#a4161a;font-weight:600}.muted{color:#777}\n"
    "section.finding{border-top:1px solid #e5e5e5;margin-top:20px}\n";

static void summary(FILE *out, const cp_result *r)
{
    unsigned fresh = 0, known = 0, flaky = 0;
    for (size_t i = 0; i < r->nharnesses; i++) {
        fresh += r->harnesses[i].findings_new;
        known += r->harnesses[i].findings_known;
        flaky += r->harnesses[i].findings_flaky;
    }
    fputs("<table class=\"kv\">\n<tr><th>started</th><td>", out);
    put_time(out, r->started);
    fputs("</td></tr>\n<tr><th>ended</th><td>", out);
    put_time(out, r->ended);
    fputs("</td></tr>\n<tr><th>duration</th><td>", out);
    put_duration(out, (double)(r->ended - r->started));
    fputs("</td></tr>\n<tr><th>budget</th><td>", out);
    put_duration(out, r->budget);
    fprintf(out, "</td></tr>\n<tr><th>interrupted</th><td>%s</td></tr>\n",
            r->interrupted ? "<span class=\"miss\">yes, stopped by a signal</span>" : "no");
    fprintf(out, "<tr><th>harnesses</th><td>%zu</td></tr>\n", r->nharnesses);
    fprintf(out,
            "<tr><th>findings</th><td>%zu on disk; this campaign: %u new, %u known, %u "
            "flaky</td></tr>\n</table>\n",
            r->nfindings, fresh, known, flaky);
}

/* Whether a defect harness found its expected class: 2 reproduced, 1 flaky only, 0 not. */
static int found_expected(const cp_result *r, const cp_harness_stats *h)
{
    int found = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
        const cp_finding *f = &r->findings[i];
        if (f->harness != NULL && h->name != NULL && f->klass != NULL &&
            strcmp(f->harness, h->name) == 0 && strcmp(f->klass, h->expected) == 0)
            found = f->flaky ? (found > 1 ? found : 1) : 2;
    }
    return found;
}

static void harness_row(FILE *out, const cp_result *r, const cp_harness_stats *h)
{
    double eps = h->seconds > 0 ? (double)h->execs / h->seconds : 0;
    fprintf(out,
            "<tr><td class=\"n\">%.1f</td><td class=\"n\">%lld</td><td class=\"n\">%.0f</td>"
            "<td class=\"n\">%ld</td><td class=\"n\">%ld</td><td class=\"n\">%u</td>"
            "<td class=\"n\">%u</td><td class=\"n\">%u</td>",
            h->seconds, h->execs, eps, h->cov, h->corpus, h->findings_new, h->findings_known,
            h->findings_flaky);
    if (!h->defect || h->expected == NULL) {
        fprintf(out, "<td class=\"muted\">%s</td><td class=\"muted\">&mdash;</td></tr>\n",
                h->defect ? "no expected class" : "clean");
        return;
    }
    static const char *const verdict[] = {"<span class=\"miss\">not found</span>",
                                          "<span class=\"ok\">found</span> (flaky only)",
                                          "<span class=\"ok\">found</span>"};
    fputs("<td>", out);
    html_text(out, h->expected);
    fprintf(out, "</td><td>%s</td></tr>\n", verdict[found_expected(r, h)]);
}

static void harness_section(FILE *out, const cp_result *r, const cp_harness_stats *h)
{
    fputs("<section class=\"harness\">\n<h3>", out);
    html_text_or(out, h->name, "?");
    fputs(h->defect ? " <span class=\"muted\">(seeded defect)</span>" : "", out);
    fputs("</h3>\n<table>\n<tr><th>seconds</th><th>execs</th><th>avg exec/s</th><th>cov</th>"
          "<th>corpus</th><th>new</th><th>known</th><th>flaky</th><th>expected class</th>"
          "<th>found</th></tr>\n",
          out);
    harness_row(out, r, h);
    fputs("</table>\n", out);
    if (plottable(h, &plot_cov) == 0 && plottable(h, &plot_eps) == 0) {
        fputs("<p class=\"muted nosamples\">no samples</p>\n</section>\n", out);
        return;
    }
    fputs("<div class=\"plots\">\n", out);
    plot(out, h, &plot_cov);
    plot(out, h, &plot_eps);
    fputs("</div>\n</section>\n", out);
}

/* ---- findings ---- */

static void finding_index(FILE *out, const cp_result *r)
{
    fputs("<table>\n<tr><th>class</th><th>slug</th><th>harness</th><th>count</th>"
          "<th>status</th><th>message</th></tr>\n",
          out);
    for (size_t i = 0; i < r->nfindings; i++) {
        const cp_finding *f = &r->findings[i];
        fputs("<tr><td>", out);
        html_text_or(out, f->klass, "unknown");
        fprintf(out, "</td><td><a href=\"#f%zu\"><code>", i);
        html_text(out, f->slug);
        fputs("</code></a></td><td>", out);
        html_text(out, f->harness);
        fprintf(out, "</td><td class=\"n\">%u</td><td>%s%s</td><td>", f->count,
                f->flaky ? "flaky" : "reproduced", f->listed ? ", known (listed)" : "");
        html_text(out, f->message);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void kv_text(FILE *out, const char *key, const char *value)
{
    fprintf(out, "<tr><th>%s</th><td>", key);
    html_text_or(out, value, "<span class=\"muted\">none</span>");
    fputs("</td></tr>\n", out);
}

static void finding_facts(FILE *out, const cp_finding *f)
{
    fputs("<table class=\"kv\">\n", out);
    kv_text(out, "harness", f->harness);
    kv_text(out, "signature", f->signature);
    kv_text(out, "message", f->message);
    if (f->listed)
        kv_text(out, "known", f->listed);
    fprintf(out, "<tr><th>status</th><td>%sreproduced %u of %u replays</td></tr>\n",
            f->flaky ? "<span class=\"miss\">flaky</span>: " : "", f->reproduced, f->attempts);
    fprintf(out, "<tr><th>count</th><td>%u</td></tr>\n<tr><th>first seen</th><td>", f->count);
    put_time(out, f->first_seen);
    fputs("</td></tr>\n<tr><th>last seen</th><td>", out);
    put_time(out, f->last_seen);
    fprintf(out,
            "</td></tr>\n<tr><th>operations</th><td>%u &rarr; %u</td></tr>\n"
            "<tr><th>bytes</th><td>%zu &rarr; %zu</td></tr>\n</table>\n",
            f->ops_before, f->ops_after, f->bytes_before, f->bytes_after);
}

static void finding_stack(FILE *out, const cp_finding *f)
{
    fputs("<h4>Stack <span class=\"muted\">(innermost first; project frames "
          "highlighted)</span></h4>\n",
          out);
    if (f->nframes == 0) {
        fputs("<p class=\"muted\">no frames</p>\n", out);
        return;
    }
    fputs("<table class=\"stack\">\n<tr><th>#</th><th>function</th><th>location</th></tr>\n", out);
    for (size_t i = 0; i < f->nframes; i++) {
        const cp_frame *fr = &f->frames[i];
        fprintf(out, "<tr%s><td class=\"n\">%zu</td><td><code>",
                fr->project ? " class=\"project\"" : "", i);
        html_text_or(out, fr->func, "?");
        fputs("</code></td><td><code>", out);
        html_text_or(out, fr->file != NULL && fr->file[0] ? fr->file : NULL, "?");
        if (fr->line > 0)
            fprintf(out, ":%d", fr->line);
        fputs("</code></td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void pre_block(FILE *out, const char *title, const char *text)
{
    fprintf(out, "<h4>%s</h4>\n", title);
    if (text == NULL) {
        fputs("<p class=\"muted\">not recorded</p>\n", out);
        return;
    }
    fputs("<pre>", out);
    html_text(out, text);
    fputs("</pre>\n", out);
}

static void finding_section(FILE *out, const cp_finding *f, size_t i)
{
    fprintf(out, "<section class=\"finding\" id=\"f%zu\">\n<h3><span class=\"tag%s\">", i,
            f->flaky ? " flaky" : "");
    html_text_or(out, f->klass, "unknown");
    fputs("</span> <code>", out);
    html_text(out, f->slug);
    fputs("</code></h3>\n", out);
    finding_facts(out, f);
    finding_stack(out, f);
    pre_block(out, "Minimized program", f->program);
    pre_block(out, "Report", f->report);
    fputs("</section>\n", out);
}

int cp_report_html(const cp_result *r, FILE *out)
{
    fprintf(out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<title>ouroboros campaign report</title>\n<style>\n%s</style>\n</head>\n"
            "<body>\n<h1>ouroboros campaign report</h1>\n",
            css);
    summary(out, r);
    fputs("<h2>Harnesses</h2>\n", out);
    if (r->nharnesses == 0)
        fputs("<p class=\"muted\">no harnesses ran</p>\n", out);
    for (size_t i = 0; i < r->nharnesses; i++)
        harness_section(out, r, &r->harnesses[i]);
    fprintf(out, "<h2>Findings (%zu)</h2>\n", r->nfindings);
    if (r->nfindings == 0)
        fputs("<p class=\"muted\">no findings</p>\n", out);
    else
        finding_index(out, r);
    for (size_t i = 0; i < r->nfindings; i++)
        finding_section(out, &r->findings[i], i);
    fputs("</body>\n</html>\n", out);
    return fflush(out) != 0 || ferror(out) ? -1 : 0;
}
