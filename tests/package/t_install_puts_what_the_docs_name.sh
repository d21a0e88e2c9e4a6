#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# `make install` with a PREFIX other than the default: the man pages and the
# unit name that PREFIX (never /usr/local, never an unfilled @DIR@), every file
# they name is installed (the docs in SEE ALSO, the examples, the binaries),
# the BIRD configurations are among the examples, and `make uninstall` takes
# it all away again except the operator's /etc/xdplb/lb.yaml.
set -u
prefix=/opt/xlb-test
dest=$(mktemp -d /tmp/xlb-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT
fail() {
	echo "reason: $*"
	exit 1
}

make --no-print-directory install DESTDIR="$dest" PREFIX="$prefix" ||
	fail "make install DESTDIR=$dest PREFIX=$prefix failed"
doc=$prefix/share/doc/xdplb
unit=$dest$prefix/lib/systemd/system/lbagent.service
[ -f "$unit" ] || fail "no unit in $prefix/lib/systemd/system"

# The text of every installed man page and the unit.
text=$(for m in "$dest$prefix"/share/man/man*/*.gz; do zcat "$m"; done; cat "$unit")
[ -n "$text" ] || fail "no man pages installed"
if grep -n '/usr/local\|@[A-Z]*DIR@' <<<"$text"; then
	fail "a man page or the unit names /usr/local or an unfilled @DIR@ with PREFIX=$prefix"
fi
grep -q "^\.I $doc/examples/" <(zcat "$dest$prefix/share/man/man5/xdplb.yaml.5.gz") ||
	fail "xdplb.yaml(5) does not name $doc/examples/"

# Every absolute path under PREFIX the pages and the unit name exists.
paths=$(grep -o "$prefix/[^ ,;:)\"]*" <<<"$text" | sort -u)
[ -n "$paths" ] || fail "the pages name nothing under $prefix"
for p in $paths; do
	[ -e "$dest$p" ] || fail "$p is named but not installed"
	echo "named and installed: $p"
done
# Every document SEE ALSO names (OPERATIONS.md, CONFIG.md, ...) is in the doc folder.
for d in $(grep -o '[A-Za-z]*\.md' <<<"$text" | sort -u); do
	[ -f "$dest$doc/$d" ] || fail "$d is named in a man page but not installed in $doc"
	echo "named and installed: $doc/$d"
done
for f in configs/bird/*.conf configs/*.yaml docs/*.md; do
	case $f in
	configs/bird/*) to=$doc/examples/bird ;;
	configs/*) to=$doc/examples ;;
	*) to=$doc ;;
	esac
	cmp -s "$f" "$dest$to/$(basename "$f")" || fail "$f is not installed in $to"
done

make --no-print-directory uninstall DESTDIR="$dest" PREFIX="$prefix" ||
	fail "make uninstall failed"
left=$(cd "$dest" && find . -type f)
[ "$left" = ./etc/xdplb/lb.yaml ] || fail "uninstall left: $(tr '\n' ' ' <<<"$left")"
