/* A public header alone, compiled as strict C99 (make header-check): the
 * umbrella recsim.h, or one module header named by -DHEADER='"recsim/x.h"'
 * (each includes the lower ones it needs, base.h at least). */
#ifndef HEADER
#define HEADER "recsim.h"
#endif
#include HEADER

int header_c99_uses(void);
int header_c99_uses(void)
{
    rs_status status = RS_OK;
    const char *(*name)(int) = rs_strerror;
    return (int)status + (int)RS_VERSION_NUMBER + (name != 0);
}
