/*
** bn_numbers.c: medians and the rounding of figures for results.json.
*/
#include "bench/bn_bench.h"

#include <math.h>
#include <stdlib.h>

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bn_median(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, by_value);
    return v[n / 2];
}

json_t *bn_real(double x)
{
    if (!isfinite(x))
        return json_null(); /* JSON has no NaN or infinity */
    if (x == 0)
        return json_real(0);
    double scale = pow(10, 2 - floor(log10(fabs(x))));
    return json_real(round(x * scale) / scale);
}

json_t *bn_count(double x)
{
    return isfinite(x) ? json_integer((json_int_t)llround(x)) : json_null();
}
