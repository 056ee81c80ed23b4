/* The public header alone, compiled as strict C99 (make header-check). */
#include "recsim.h"

int header_c99_uses(void);
int header_c99_uses(void)
{
    rs_status status = RS_OK;
    const char *(*name)(int) = rs_strerror;
    return (int)status + (int)RS_VERSION_NUMBER + (name != 0);
}
