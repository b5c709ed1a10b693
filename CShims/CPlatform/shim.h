// C calls Swift cannot make itself: prctl is variadic.
#ifndef AUTOPOD_CPLATFORM_SHIM_H
#define AUTOPOD_CPLATFORM_SHIM_H

#ifdef __linux__
#include <sys/prctl.h>

static inline int autopod_set_dumpable(int on) { return prctl(PR_SET_DUMPABLE, on ? 1 : 0, 0, 0, 0); }
static inline int autopod_is_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }
#else
static inline int autopod_set_dumpable(int on) { (void)on; return 0; }
static inline int autopod_is_dumpable(void) { return -1; }
#endif

#endif
