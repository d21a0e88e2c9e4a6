#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# t_cluster_zone_failover.sh with zone b in backup mode: b1 announces all the
# time with a longer AS path; the router keeps zone a's ECMP route while zone
# a lives, and falls back on b1's route as soon as BFD removes zone a's.
BGP_MODE=backup exec bash "$(dirname "$0")/t_cluster_zone_failover.sh"
