#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# `make plots`: the pictures of docs/BENCHMARKS.md, drawn by gnuplot from the
# tables the benchmark runs wrote there (bench/run.sh), into docs/img/*.png.
#   maglev-disruption.png  share of a Maglev table that moves when one backend of
#                          N leaves or joins, next to the least possible (1/N)
#   xdp-cost.png           per-packet cost over the floor, per case, with targets
# Usage: plots.sh [BENCHMARKS.md] [OUTDIR]
set -euo pipefail

src=${1:-docs/BENCHMARKS.md}
out=${2:-docs/img}
# gnuplot is needed by this target only, so it is installed here rather than by scripts/deps.sh.
if ! command -v gnuplot >/dev/null; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "plots: gnuplot missing (apt-get install gnuplot-nox, as root)" >&2
		exit 1
	fi
	echo "plots: installing gnuplot-nox"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gnuplot-nox >/dev/null
fi
[ -r "$src" ] || { echo "plots: $src not readable" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Disruption rows: | N | M | moved removed | **ratio** | moved added | **ratio** |
awk -F'|' 'NF == 8 && $2 ~ /^ *[0-9]+ *$/ && $4 ~ /^ *0\.[0-9]+ *$/ {
	gsub(/[ *]/, ""); print $2, $4, $6, 1 / $2 }' "$src" >"$tmp/disruption.dat"
# XDP rows, single runs, first table only (a case appears once):
# | case | repeat=1 | samples | median | p90 | floor | floor p90 | **+over** | +p90 | target |
awk -F'|' 'NF == 12 && $3 ~ /repeat=1 *$/ && $4 ~ /^ *[0-9]+ *$/ && !seen[$2]++ {
	name = $2; gsub(/^ +| +$/, "", name); gsub(/"/, "", name)
	over = $9; gsub(/[ *+]/, "", over)
	target = $11; gsub(/[^0-9]/, "", target); if (target == "") target = "NaN"
	printf "\"%s\" %s %s\n", name, over, target }' "$src" >"$tmp/xdp.dat"

n=0
if [ -s "$tmp/disruption.dat" ]; then
	gnuplot <<-GP
	set terminal pngcairo size 800,480 font "sans,10"
	set output "$out/maglev-disruption.png"
	set title "Maglev: share of the table that moves when one backend of N leaves or joins"
	set xlabel "backends N (M = 65537)"
	set ylabel "share of slots moved"
	set logscale xy
	set key top right
	set grid
	plot "$tmp/disruption.dat" using 1:2 with linespoints lw 2 title "one removed", \
	     "" using 1:3 with linespoints lw 2 title "one added", \
	     "" using 1:4 with lines dt 2 lw 2 title "least possible, 1/N"
	GP
	n=$((n + 1))
fi
if [ -s "$tmp/xdp.dat" ]; then
	gnuplot <<-GP
	set terminal pngcairo size 900,520 font "sans,10"
	set output "$out/xdp-cost.png"
	set title "XDP per-packet cost over a trivial XDP_PASS floor (median, repeat=1)" noenhanced
	set ylabel "ns over the floor"
	set style data histograms
	set style fill solid 0.6 border -1
	set boxwidth 0.8
	set xtics rotate by 30 right noenhanced
	set bmargin 14
	set lmargin 22
	set key top left
	set grid ytics
	plot "$tmp/xdp.dat" using 2:xtic(1) title "measured", \
	     "" using 0:3 with points pt 7 ps 1.5 lc rgb "red" title "target"
	GP
	n=$((n + 1))
fi
[ "$n" -gt 0 ] || { echo "plots: no benchmark tables found in $src" >&2; exit 1; }
echo "plots: $n picture(s) in $out/ from $src"
