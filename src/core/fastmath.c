/*
 * fastmath.c - the logistic function with libm's exp (fastmath.h says why
 * the header itself does without <math.h>).
 */
#include "core/fastmath.h"

#include <math.h>

double rs__sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }
