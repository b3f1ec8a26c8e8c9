/* version.c -- vs_version(): the VERSION file's contents, passed in by the Makefile. */
#include "vo2snn/version.h"

#ifndef VS_VERSION_STRING
#error "VS_VERSION_STRING is set by the Makefile from the file VERSION"
#endif

const char *vs_version(void)
{
    return VS_VERSION_STRING;
}
