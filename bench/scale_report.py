#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""bench/scale_config.sh's tables from its records in RUN_DIR.

    scale_report.py RUN_DIR VIPS

check: "one|big MS"; start: "one|big START_MS RSS_MIB HWM_MIB SCRAPE_S SCRAPE_BYTES";
reload: "NAME MS TABLES APPLY_MS". Medians; the 1-VIP config is the floor.
"""
import statistics
import sys


def rows(run, name):
    return [line.split() for line in open(f"{run}/{name}") if line.strip()]


def med(rs, key, col, scale=1.0):
    return statistics.median(float(r[col]) * scale for r in rs if r[0] == key)


def main():
    run, vips = sys.argv[1], int(sys.argv[2])
    check, start, reload = rows(run, "check"), rows(run, "start"), rows(run, "reload")
    print("| figure (median) | 1 VIP (floor) | at size | at size - floor |")
    print("|---|---:|---:|---:|")
    for label, rs, col, scale, fmt in [
        ("`lbagent --check-config`, ms", check, 1, 1, "{:.1f}"),
        ("start to attached, no next hop pending, ms", start, 1, 1, "{:.1f}"),
        ("agent VmRSS after start, MiB", start, 2, 1, "{:.0f}"),
        ("agent VmHWM after start, MiB", start, 3, 1, "{:.0f}"),
        ("metrics scrape (curl time_total), ms", start, 4, 1000, "{:.1f}"),
        ("metrics scrape, KiB", start, 5, 1 / 1024, "{:.0f}"),
    ]:
        a, b = med(rs, "one", col, scale), med(rs, "big", col, scale)
        print(f"| {label} | {fmt.format(a)} | {fmt.format(b)} | {fmt.format(b - a)} |")
    for label, col, scale, fmt in [("metrics scrape, `per_backend: false`, ms", 4, 1000, "{:.1f}"),
                                   ("metrics scrape, `per_backend: false`, KiB", 5, 1 / 1024,
                                    "{:.0f}")]:
        a, b = med(start, "one", col, scale), med(start, "big-vip-metrics", col, scale)
        print(f"| {label} | {fmt.format(a)} | {fmt.format(b)} | {fmt.format(b - a)} |")
    print()
    print("| reload | `lbagent --reload` to its verdict, ms | tables rebuilt "
          "| the agent's apply, ms | goal |")
    print("|---|---:|---:|---:|---|")
    for key, label, goal in [("big-one", "one VIP's weights changed", "< 100 ms"),
                             ("big-all", f"every VIP's weights changed ({vips})", "< 1 s")]:
        rs = [r for r in reload if r[0] == key and len(r) == 4]
        if not rs:
            print(f"| {label} | ? | ? | ? | {goal} |")
            continue
        print(f"| {label} | {med(rs, key, 1):.1f} | {rs[0][2]} | {med(rs, key, 3):.1f} | {goal} |")


if __name__ == "__main__":
    main()
