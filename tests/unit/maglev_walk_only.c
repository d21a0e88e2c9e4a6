// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* agent/dataplane/maglev.c with the search left to the last slot only: the walk does the whole fill. */
#define MAGLEV_TAIL(m) 1
#define maglev_build maglev_build_walk_only
#define maglev_is_prime maglev_is_prime_walk_only
#include "dataplane/maglev.c"
