/*
 * hello.c - the smallest librecsim program: check that the header and the
 * library agree, and show how an error reads.
 *
 *   cc hello.c $(pkg-config --cflags --libs recsim) -o hello && ./hello
 */
#include <recsim.h>
#include <stdio.h>

int main(void)
{
    int status;

    /* The library must be at least as new as the header, same major. */
    if (rs_version() / 10000 != RS_VERSION_MAJOR || rs_version() < RS_VERSION_NUMBER) {
        fprintf(stderr, "header %s but library %s\n", RS_VERSION_STRING, rs_version_string());
        return 1;
    }
    printf("librecsim %s, OpenBLAS kernel %s, %d threads\n", rs_version_string(),
           rs_blas_corename(), rs_get_num_threads());

    /* Every failure returns a status and leaves a message for this thread. */
    status = rs_set_num_threads(-4);
    printf("rs_set_num_threads(-4): %s (%d): %s\n", rs_strerror(status), status, rs_errmsg());
    return status == RS_ERR_RANGE ? 0 : 1;
}
