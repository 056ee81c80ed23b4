/*
 * vec.c - small float-vector helpers (see vec.h).
 */
#include "core/vec.h"

#include <math.h>

void rs__normalize(float *v, size_t dim)
{
    double sum = 0.0;
    float inv;
    for (size_t i = 0; i < dim; i++)
        sum += (double)v[i] * (double)v[i];
    if (sum == 0.0)
        return;
    inv = (float)(1.0 / sqrt(sum));
    for (size_t i = 0; i < dim; i++)
        v[i] *= inv;
}
