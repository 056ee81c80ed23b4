/*
 * version.c - the run-time version, and rs_free().
 */
#include "recsim.h"

#include <stdlib.h>

unsigned rs_version(void)
{
    return RS_VERSION_NUMBER;
}

const char *rs_version_string(void)
{
    return RS_VERSION_STRING;
}

void rs_free(void *ptr)
{
    free(ptr);
}
