#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Compare two builds of lb.bpf.o with bench_xdp, sample by sample, both ways.

bench_xdp -o THIS -b BASELINE runs the two objects side by side and prints,
per case, the median of the per-sample differences. The two builds' maps sit
in different places in memory, which biases that figure by up to about 10 ns
(more on the new-flow cases) even for two copies of one object. Running it
both ways (-o NEW -b OLD, then -o OLD -b NEW) and taking half the difference
of the two figures cancels the bias.

Both objects are loaded through the skeleton of the bench_xdp that runs them,
so they need its maps and programs (libbpf checks them by name): to compare
against an older commit, build it with any map the newer one added declared
(unused) in its bpf/lib/maps.h. --old and --new take an object or a build
directory holding lb.bpf.o.

  bench/compare_builds.py --old /tmp/wt-old/.output --new .output -k "lb:" -r 4
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

PAIRED = re.compile(r"\| (.*): this build - baseline \| paired .*\*\*([+-]?\d+)\*\*")


def lb_object(path):
    """The lb.bpf.o that path names: the file itself, or the one in a build directory."""
    return os.path.join(path, "lb.bpf.o") if os.path.isdir(path) else path


def paired(this, baseline, args):
    """{case: median of (this - baseline) per sample, in ns}."""
    cmd = ["taskset", "-c", str(args.cpu), args.bench, "-c", str(args.cpu), "-n", str(args.runs),
           "-o", lb_object(this), "-b", lb_object(baseline)]
    if args.only:
        cmd += ["-k", args.only]
    run = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if run.returncode:
        sys.exit(f"compare_builds: {' '.join(cmd)} failed:\n{run.stderr}")
    return {m.group(1): int(m.group(2)) for m in map(PAIRED.match, run.stdout.splitlines()) if m}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old", required=True, help="the old build's lb.bpf.o or OUTPUT directory")
    parser.add_argument("--new", required=True, help="the new build's lb.bpf.o or OUTPUT directory")
    parser.add_argument("--bench", default=".output/bench/bench_xdp",
                        help="the bench_xdp that runs both (default: %(default)s)")
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
