/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The one clock of agent and tools for timeouts, schedules and ages. */
#ifndef XDPLB_CLOCK_H
#define XDPLB_CLOCK_H

#include <stdint.h>

/*
 * CLOCK_MONOTONIC: wall-clock steps move no deadline, and it is the clock of
 * bpf_ktime_get_ns(), so conntrack times in the maps compare with it.
 */
uint64_t clock_now_ns(void);
uint64_t clock_now_ms(void);

#endif /* XDPLB_CLOCK_H */
