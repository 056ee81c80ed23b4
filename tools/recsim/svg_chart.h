/*
 * svg_chart.h - a small, self-contained SVG line chart: one panel per
 * metric, one line per series, shared x axis (steps), legend on top.  No
 * script, no external font or style: the file opens anywhere.
 */
#ifndef RECSIM_SVG_CHART_H
#define RECSIM_SVG_CHART_H

#include <stddef.h>

struct svg_chart {
    const char *title;
    size_t n_panels;
    const char *const *panel_titles; /* n_panels */
    size_t n_series;
    const char *const *series_names; /* n_series */
    size_t n_points;
    const double *x;      /* n_points x values (e.g. steps) */
    const double *values; /* [series][panel][point]; NaN points are skipped */
};

/* Write the chart to path; returns 0, or -1 with errno set. */
int svg_chart_write(const char *path, const struct svg_chart *chart);

#endif
