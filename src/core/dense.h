/*
 * dense.h - small dense linear solves in double precision (a few dozen
 * unknowns: Newton steps of the maximum-likelihood fits, the constraint
 * systems of EASE with pairs), where a LAPACK call costs more than it saves.
 * Matrices are row-major n x n.
 */
#ifndef RS_CORE_DENSE_H
#define RS_CORE_DENSE_H

#include <stdbool.h>
#include <stddef.h>

/* Solve a x = b by Gaussian elimination with partial pivoting and back
 * substitution; a and b are overwritten, x may be b.  A pivot whose
 * magnitude is not above tiny (or is NaN) is singular: its column is not
 * eliminated and its x is 0, so a semi-definite system still gives a step
 * in the directions it determines.  Returns the number of singular pivots
 * (0: a is regular at that tolerance). */
size_t rs__dense_lu_solve(double *a, double *b, double *x, size_t n, double tiny);

/* Solve a x = b in place for a symmetric positive definite a: a's lower
 * triangle is read and overwritten by its Cholesky factor, b by x.  false
 * (b then partly overwritten) when a pivot is not positive (or is NaN):
 * a is not positive definite. */
bool rs__dense_cholesky_solve(double *a, double *b, size_t n);

#endif
