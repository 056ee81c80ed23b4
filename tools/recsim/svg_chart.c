/*
 * svg_chart.c - small multiples as one self-contained SVG file.
 */
#include "svg_chart.h"
#include "cli_paths.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>

#define PANEL_W 300.0
#define PANEL_H 190.0
#define GAP_X 30.0
#define GAP_Y 40.0
#define MARGIN 50.0
#define TOP 80.0
#define COLUMNS 3

static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                      "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f"};

static void text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* A tick label: few significant digits. */
static void number(FILE *f, double v)
{
    if (v != 0 && (fabs(v) >= 10000 || fabs(v) < 0.001))
        fprintf(f, "%.2g", v);
    else
        fprintf(f, "%.3g", v);
}

static void panel(FILE *f, const struct svg_chart *c, size_t p, double x0, double y0)
{
    double lo = INFINITY, hi = -INFINITY, xlo = c->x[0], xhi = c->x[c->n_points - 1];
    const double plot_w = PANEL_W - 50.0, plot_h = PANEL_H - 50.0;
    const double px = x0 + 45.0, py = y0 + 25.0; /* plot area origin (top left) */
    for (size_t s = 0; s < c->n_series; s++)
        for (size_t i = 0; i < c->n_points; i++) {
            double v = c->values[(s * c->n_panels + p) * c->n_points + i];
            if (isfinite(v)) {
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
        }
    if (!(lo <= hi))
        lo = 0, hi = 1;
    if (lo > 0 && lo < 0.5 * hi)
        lo = 0; /* start at zero unless the values sit far from it */
    if (hi - lo < 1e-12)
        hi = lo + (fabs(lo) > 0 ? fabs(lo) * 0.1 : 1.0), lo -= (hi - lo);
    if (xhi <= xlo)
        xhi = xlo + 1;
    /* round the y range out to a nice step: 1, 2, 2.5 or 5 x 10^k */
    {
        double min_v = lo, max_v = hi, raw = (hi - lo) / 4.0, mag = pow(10.0, floor(log10(raw))), f = raw / mag;
        double step = (f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 2.5 ? 2.5 : f <= 5.0 ? 5.0 : 10.0) *
                      mag;
        lo = floor(lo / step + 1e-9) * step;
        hi = lo + 4.0 * step;
        while (hi < max_v - 1e-12 * fabs(max_v)) { /* too short: widen the step */
            step *= 2.0;
            lo = floor(min_v / step + 1e-9) * step;
            hi = lo + 4.0 * step;
        }
    }

    fprintf(f, "<g>\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
               "fill=\"#fafafa\" stroke=\"#ddd\"/>\n",
            px, py, plot_w, plot_h);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" font-weight=\"bold\">", x0 + 45.0,
            y0 + 15.0);
    text(f, c->panel_titles[p]);
    fputs("</text>\n", f);
    for (int t = 0; t <= 4; t++) { /* y grid and labels */
        double v = lo + (hi - lo) * t / 4.0, y = py + plot_h - plot_h * t / 4.0;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>\n",
                px, y, px + plot_w, y);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\" "
                   "fill=\"#555\">",
                px - 4.0, y + 3.5);
        number(f, v);
        fputs("</text>\n", f);
    }
    { /* x labels at whole steps */
        double step = ceil((xhi - xlo) / 5.0);
        for (double v = xlo; v <= xhi + 1e-9; v += step) {
            double x = px + plot_w * (v - xlo) / (xhi - xlo);
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\" "
                       "fill=\"#555\">%.0f</text>\n",
                    x, py + plot_h + 13.0, v);
        }
    }
    for (size_t s = 0; s < c->n_series; s++) {
        int open = 0;
        for (size_t i = 0; i < c->n_points; i++) {
            double v = c->values[(s * c->n_panels + p) * c->n_points + i];
            double x = px + plot_w * (c->x[i] - xlo) / (xhi - xlo);
            double y = py + plot_h - plot_h * (v - lo) / (hi - lo);
            if (!isfinite(v)) {
                if (open)
                    fputs("\"/>\n", f);
                open = 0;
                continue;
            }
            if (!open)
                fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                           "stroke-linejoin=\"round\" points=\"",
                        colours[s % (sizeof colours / sizeof colours[0])]);
            fprintf(f, "%s%.1f,%.1f", open ? " " : "", x, y);
            open = 1;
        }
        if (open)
            fputs("\"/>\n", f);
    }
    fputs("</g>\n", f);
}

int svg_chart_write(const char *path, const struct svg_chart *c)
{
    size_t rows = (c->n_panels + COLUMNS - 1) / COLUMNS;
    size_t columns = c->n_panels < COLUMNS ? c->n_panels : COLUMNS;
    double width = MARGIN + (double)columns * PANEL_W + (double)(columns - 1) * GAP_X;
    double height = TOP + (double)rows * (PANEL_H + GAP_Y) + 10.0;
    double lx = MARGIN;
    FILE *f;
    if (c->n_points == 0 || c->n_panels == 0 || c->n_series == 0) {
        errno = EINVAL;
        return -1;
    }
    if (!(f = cli_output_fopen(path)))
        return -1;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" font-family=\"Helvetica, Arial, sans-serif\">\n",
            width, height, width, height);
    fputs("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n", f);
    fprintf(f, "<text x=\"%.1f\" y=\"30\" font-size=\"18\" font-weight=\"bold\">", MARGIN);
    text(f, c->title);
    fputs("</text>\n", f);
    for (size_t s = 0; s < c->n_series; s++) { /* legend */
        const char *colour = colours[s % (sizeof colours / sizeof colours[0])];
        size_t len = 0;
        for (const char *q = c->series_names[s]; *q; q++)
            len++;
        fprintf(f, "<line x1=\"%.1f\" y1=\"52\" x2=\"%.1f\" y2=\"52\" stroke=\"%s\" "
                   "stroke-width=\"3\"/>\n",
                lx, lx + 24.0, colour);
        fprintf(f, "<text x=\"%.1f\" y=\"56\" font-size=\"12\">", lx + 30.0);
        text(f, c->series_names[s]);
        fputs("</text>\n", f);
        lx += 30.0 + 7.0 * (double)len + 24.0;
    }
    for (size_t p = 0; p < c->n_panels; p++)
        panel(f, c, p, MARGIN - 45.0 + (double)(p % COLUMNS) * (PANEL_W + GAP_X),
              TOP + (double)(p / COLUMNS) * (PANEL_H + GAP_Y));
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#777\">x axis: "
               "simulation step</text>\n",
            MARGIN, height - 6.0);
    fputs("</svg>\n", f);
    return fclose(f) == 0 ? 0 : -1;
}
