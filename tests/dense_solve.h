/*
 * dense_solve.h - the tests' dense reference solver (double precision),
 * shared by the collaborative models' tests.
 */
#ifndef RS_TESTS_DENSE_SOLVE_H
#define RS_TESTS_DENSE_SOLVE_H

#include <math.h>
#include <stddef.h>

/* Solve the n x n system a x = b in double (Gaussian elimination with
 * partial pivoting); a and b are overwritten. */
static void dense_solve(double *a, double *b, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        size_t piv = c;
        for (size_t r = c + 1; r < n; r++)
            if (fabs(a[r * n + c]) > fabs(a[piv * n + c]))
                piv = r;
        for (size_t k = 0; k < n; k++) {
            double t = a[c * n + k];
            a[c * n + k] = a[piv * n + k];
            a[piv * n + k] = t;
        }
        double t = b[c];
        b[c] = b[piv];
        b[piv] = t;
        for (size_t r = 0; r < n; r++) {
            if (r == c)
                continue;
            double f = a[r * n + c] / a[c * n + c];
            for (size_t k = c; k < n; k++)
                a[r * n + k] -= f * a[c * n + k];
            b[r] -= f * b[c];
        }
    }
    for (size_t c = 0; c < n; c++)
        b[c] /= a[c * n + c];
}

#endif
