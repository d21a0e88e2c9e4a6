#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# `lbctl --version` names the commit it was built from, also after a commit on
# top of an earlier build: the version is a -D flag, which make does not see
# change, so the build keeps a stamp of it (Makefile, VERSION_STAMP). Builds
# lbctl twice in a throwaway clone of the committed tree.
set -u
fail() {
	echo "reason: $*"
	exit 1
}

src=$(pwd)
work=$(mktemp -d /tmp/xlb-package-version.XXXXXX)
trap 'rm -rf "$work"' EXIT
git clone -q "$src" "$work/tree" || fail "git clone of $src failed"
cd "$work/tree" || fail "no clone"
git -c user.name=t -c user.email=t@example.org commit -q --allow-empty -m one ||
	fail "first commit failed"
build() { nice make -s OUTPUT="$work/out" "$work/out/lbctl" >"$work/make.log" 2>&1 ||
	fail "make lbctl failed: $(tail -3 "$work/make.log")"; }
build
first=$("$work/out/lbctl" --version) || fail "lbctl --version failed"
want=$(git describe --always --dirty)
[ "$first" = "lbctl $want" ] || fail "first build says '$first', want 'lbctl $want'"
git -c user.name=t -c user.email=t@example.org commit -q --allow-empty -m two ||
	fail "second commit failed"
build
again=$("$work/out/lbctl" --version) || fail "lbctl --version failed"
want=$(git describe --always --dirty)
[ "$again" = "lbctl $want" ] || fail "after a commit lbctl still says '$again', want 'lbctl $want'"
echo "lbctl follows the commit: $first, then $again"
