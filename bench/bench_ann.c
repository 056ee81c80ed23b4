/*
 * bench_ann.c - the header of the approximate-index benchmark: the CPU, the
 * search kernel the library picks (RECSIM_ITEM_KERNEL may cap it), the
 * OpenBLAS core and the load average.  bench_ann.sh then runs
 * bench_ann_peers.py, which times recsim's IVF index and faiss's IVF-Flat,
 * IVF-SQ8 and HNSW on the same data in the same process.
 */
#include "recsim.h"

#include "items/items_internal.h"

#include <stdio.h>
#include <string.h>

int main(void)
{
    char line[512], model[512] = "unknown";
    double load[3] = {0, 0, 0};
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0) {
            char *colon = strchr(line, ':');
            snprintf(model, sizeof model, "%s", colon ? colon + 2 : line);
            model[strcspn(model, "\n")] = '\0';
            break;
        }
    if (f)
        fclose(f);
    f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
            load[0] = load[1] = load[2] = 0;
        fclose(f);
    }
    printf("cpu: %s\nitem kernel: %s\nopenblas core: %s\nload average: %.2f %.2f %.2f\n",
           model, rs__item_kernel_name(), rs_blas_corename(), load[0], load[1], load[2]);
    return 0;
}
