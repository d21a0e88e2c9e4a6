#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# lbagent loads one TLS stack, GnuTLS: libmicrohttpd's, and libcurl's GnuTLS
# flavour (libcurl-gnutls.so.4) instead of its OpenSSL one (libcurl.so.4, which
# brings libssl next to GnuTLS). Debian links libssh2 (a dependency of every
# Debian libcurl) with OpenSSL's libcrypto: that one library may stay, reached
# through libssh2 alone, with no libssl.
set -u
bin=${XDPLB_BIN:-.output}/lbagent
fail() {
	echo "reason: $*"
	exit 1
}

[ -x "$bin" ] || fail "$bin: not built"
libs=$(ldd "$bin") || fail "ldd $bin failed"
echo "$libs"
grep -q 'libgnutls\.so' <<<"$libs" || fail "GnuTLS is not loaded (libmicrohttpd links it)"
grep -q 'libcurl-gnutls\.so' <<<"$libs" || fail "libcurl is not the GnuTLS flavour"
! grep -Eq 'libcurl\.so|libssl\.so|libnss3\.so' <<<"$libs" ||
	fail "a second TLS stack: $(grep -Eo 'lib(curl|ssl|nss3)\.so[^ ]*' <<<"$libs" | tr '\n' ' ')"

# Who needs OpenSSL's libcrypto, if anything: libssh2 only.
while read -r path; do
	if readelf -d "$path" | grep -q 'NEEDED.*\[libcrypto\.so'; then
		case $(basename "$path") in
		libssh2.so.*) ;;
		*) fail "$path needs OpenSSL's libcrypto" ;;
		esac
	fi
done < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 }' <<<"$libs")
readelf -d "$bin" | grep -q 'NEEDED.*\[libcrypto\.so' && fail "$bin needs OpenSSL's libcrypto"
echo "one TLS stack: GnuTLS"
