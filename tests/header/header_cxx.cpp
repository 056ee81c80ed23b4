// A public header alone, compiled as strict C++11 (make header-check): the
// extern "C" guards and every declaration must be valid C++.  The umbrella
// recsim.h, or one module header named by -DHEADER='"recsim/x.h"'.
#ifndef HEADER
#define HEADER "recsim.h"
#endif
#include HEADER

int header_cxx_uses();
int header_cxx_uses()
{
    rs_status status = RS_ERR_INVALID;
    const char *(*errmsg)(void) = &rs_errmsg;
    return static_cast<int>(status) + (errmsg != nullptr ? 1 : 0);
}
