#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Compare two builds of lb.bpf.o with bench_xdp, sample by sample, both ways.

bench_xdp -b BASELINE runs the baseline beside its own build and prints, per
case, the median of the per-sample differences. The two builds' maps sit in
different places in memory, which biases that figure by up to about 10 ns
(more on the new-flow cases) even for two copies of one object. Running it
both ways (each build's bench_xdp with the other's object as baseline) and
taking half the difference of the two figures cancels the bias.

Both builds need the same maps and programs (libbpf checks them by name): to
compare against an older commit, build it with the current bench/ and with
any map the newer one added declared (unused) in its bpf/lib/maps.h.

  bench/compare_builds.py --old /tmp/wt-old/.output --new .output -k "lb:" -r 4
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

PAIRED = re.compile(r"\| (.*): this build - baseline \| paired .*\*\*([+-]?\d+)\*\*")


def paired(bench, baseline, args):
    """{case: median of (this build - baseline) per sample, in ns}."""
    cmd = ["taskset", "-c", str(args.cpu), os.path.join(bench, "bench", "bench_xdp"),
           "-c", str(args.cpu), "-n", str(args.runs), "-b", os.path.join(baseline, "lb.bpf.o")]
    if args.only:
        cmd += ["-k", args.only]
    run = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if run.returncode:
        sys.exit(f"compare_builds: {' '.join(cmd)} failed:\n{run.stderr}")
    return {m.group(1): int(m.group(2)) for m in map(PAIRED.match, run.stdout.splitlines()) if m}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old", required=True, help="the old build's OUTPUT directory")
    parser.add_argument("--new", required=True, help="the new build's OUTPUT directory")
    parser.add_argument("-k", dest="only", help="only the cases whose name has this")
    parser.add_argument("-n", dest="runs", type=int, default=20000, help="samples per case")
    parser.add_argument("-r", dest="rounds", type=int, default=4, help="rounds, each both ways")
    parser.add_argument("-c", dest="cpu", type=int, default=os.cpu_count() - 1, help="CPU")
    args = parser.parse_args()

    effects = {}
    for r in range(args.rounds):
        new_minus_old = paired(args.new, args.old, args)
        old_minus_new = paired(args.old, args.new, args)
        for case, d in new_minus_old.items():
            if case in old_minus_new:
                effect = (d - old_minus_new[case]) / 2
                effects.setdefault(case, []).append(effect)
                print(f"round {r + 1}: {case}: new - old {d:+d}, old - new "
                      f"{old_minus_new[case]:+d}: {effect:+.1f} ns", flush=True)
    print()
    print(f"| case | new - old, ns (median of {args.rounds} rounds) | rounds |")
    print("|---|---:|---|")
    for case, values in effects.items():
        print(f"| {case} | **{statistics.median(values):+.1f}** | "
              f"{', '.join(f'{v:+.1f}' for v in values)} |")


if __name__ == "__main__":
    main()
