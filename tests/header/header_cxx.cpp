// The public header alone, compiled as strict C++11 (make header-check):
// the extern "C" guards and every declaration must be valid C++.
#include "recsim.h"

int header_cxx_uses();
int header_cxx_uses()
{
    rs_status status = RS_ERR_INVALID;
    const char *(*errmsg)(void) = &rs_errmsg;
    return static_cast<int>(status) + (errmsg != nullptr ? 1 : 0);
}
