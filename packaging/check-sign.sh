#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-sign.sh KVER: CI test of packaging/sign-module.sh against a cached Debian kernel (see
# selftests/vm/fetch-kernel.sh). Builds diowq.ko afresh in a temporary directory, makes a
# throwaway MOK key pair, signs the module with the headers' sign-file and checks that
#   - modinfo shows the signer (the key's CN), sig_key (the certificate's serial), sig_hashalgo
#     (the kernel's CONFIG_MODULE_SIG_HASH), and the signature magic ends the file;
#   - the appended PKCS#7 signature verifies (openssl cms) against the certificate over the
#     unsigned module, and no longer does once a byte of the module is flipped;
#   - bad input fails with a message and leaves the module unchanged: a missing key, a
#     certificate of another key, an already signed module without --force, --new-key over an
#     existing key; --force re-signs to a module that verifies again.
set -euo pipefail
. "$(dirname "$0")/lib-check.sh"

[[ $# -eq 1 ]] || usage_die "usage: $PROG KVER"
kver=$1
kdir=$(cached_kdir "$kver")

tmp=$(mktemp -d /tmp/diowq-sign.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
sign=$PKG_DIR/sign-module.sh
magic='~Module signature appended~'

"$PKG_DIR/stage-sources.sh" --no-dkms-conf "$tmp/src"
make -C "$kdir" M="$tmp/src" -j2 modules >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; die "build failed"; }
ko=$tmp/src/kmod/diowq.ko
[[ -z $(modinfo -F signer "$ko") ]] || die "a fresh build is signed already?"
cp "$ko" "$tmp/unsigned.ko"

# What a refused signing must leave alone (expect_fail): the module.
check_state() { sha256sum <"$ko"; }

# verify_sig FILE: the appended signature checks out against the certificate.
verify_sig() {
	local f=$1 size sig_len trailer=$((12 + ${#magic} + 1))
	size=$(stat -c %s "$f")
	sig_len=$(tail -c $((${#magic} + 1 + 4)) "$f" | head -c 4 | od -An -tu1 |
		awk '{print (($1 * 256 + $2) * 256 + $3) * 256 + $4}')
	head -c $((size - trailer - sig_len)) "$f" >"$tmp/content"
	tail -c $((trailer + sig_len)) "$f" | head -c "$sig_len" >"$tmp/sig.p7"
	openssl x509 -inform DER -in "$tmp/keys/MOK.der" -out "$tmp/cert.pem"
	openssl cms -verify -binary -inform DER -in "$tmp/sig.p7" -content "$tmp/content" \
		-certfile "$tmp/cert.pem" -nointern -noverify -out /dev/null 2>"$tmp/verify.err"
}

# 1. Key generation.
"$sign" --new-key "$tmp/keys" --cn "diowq CI throwaway key"
if [[ -f $tmp/keys/MOK.priv && -f $tmp/keys/MOK.der && $(stat -c %a "$tmp/keys/MOK.priv") == 600 ]]; then
	ok "--new-key made MOK.priv (mode 600) and MOK.der"
else
	bad "--new-key: $(ls -l "$tmp/keys" 2>&1)"
fi
expect_fail "--new-key over an existing key" "not overwriting" "$sign" --new-key "$tmp/keys"

# 2. Bad input, before the module is signed.
expect_fail "a missing key" "cannot read the private key" \
	"$sign" --key "$tmp/nope.priv" --cert "$tmp/keys/MOK.der" --kdir "$kdir" "$ko"
"$sign" --new-key "$tmp/other" --cn other >/dev/null 2>&1
expect_fail "the certificate of another key" "is not the one of the key" \
	"$sign" --key "$tmp/keys/MOK.priv" --cert "$tmp/other/MOK.der" --kdir "$kdir" "$ko"
expect_fail "no sign-file" "no sign-file" \
	"$sign" --key "$tmp/keys/MOK.priv" --cert "$tmp/keys/MOK.der" --kdir "$tmp" "$ko"
expect_fail "a file that is not a module" "not an ELF kernel module" \
	"$sign" --key "$tmp/keys/MOK.priv" --cert "$tmp/keys/MOK.der" --kdir "$kdir" "$tmp/build.log"

# 3. Sign and inspect.
"$sign" --key "$tmp/keys/MOK.priv" --cert "$tmp/keys/MOK.der" --kdir "$kdir" "$ko"
want_hash=$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"$/\1/p' "$kdir/.config")
serial=$(openssl x509 -inform DER -in "$tmp/keys/MOK.der" -noout -serial | sed 's/^serial=//')
signer=$(modinfo -F signer "$ko")
sig_key=$(modinfo -F sig_key "$ko" | tr -d ':')
sig_hashalgo=$(modinfo -F sig_hashalgo "$ko")
[[ $signer == "diowq CI throwaway key" ]] && ok "signer: $signer" || bad "signer: '$signer'"
[[ ${sig_key^^} == "${serial^^}" ]] && ok "sig_key is the certificate's serial ($serial)" ||
	bad "sig_key '$sig_key', certificate serial '$serial'"
[[ -n $want_hash && $sig_hashalgo == "$want_hash" ]] && ok "sig_hashalgo: $sig_hashalgo" ||
	bad "sig_hashalgo '$sig_hashalgo', the kernel wants '$want_hash'"
[[ $(tail -c $((${#magic} + 1)) "$ko") == "$magic" ]] && ok "ends with '$magic'" ||
	bad "no '$magic' at the end"
[[ $(modinfo -F vermagic "$ko") == "$kver "* ]] && ok "vermagic still $kver" || bad "vermagic changed"
if verify_sig "$ko" && cmp -s "$tmp/content" "$tmp/unsigned.ko"; then
	ok "the PKCS#7 signature verifies against MOK.der over the unsigned module"
else
	bad "the signature does not verify: $(cat "$tmp/verify.err")"
fi
cp "$ko" "$tmp/flipped.ko"
printf '\x55' | dd of="$tmp/flipped.ko" bs=1 seek=4096 conv=notrunc status=none
if verify_sig "$tmp/flipped.ko"; then
	bad "a module with a flipped byte still verifies: the check cannot fail"
else
	ok "a flipped byte breaks the signature"
fi

# 4. Signed already: refused, then replaced with --force.
expect_fail "signing a signed module" "already signed" \
	"$sign" --key "$tmp/keys/MOK.priv" --cert "$tmp/keys/MOK.der" --kdir "$kdir" "$ko"
"$sign" --force --key "$tmp/other/MOK.priv" --cert "$tmp/other/MOK.der" --kdir "$kdir" "$ko"
size_unsigned=$(stat -c %s "$tmp/unsigned.ko")
if [[ $(modinfo -F signer "$ko") == other ]] && [[ $(grep -ac "$magic" <"$ko") -eq 1 ]] &&
	cmp -s <(head -c "$size_unsigned" "$ko") "$tmp/unsigned.ko"; then
	ok "--force replaced the signature (one signature, signer 'other')"
else
	bad "--force: signer '$(modinfo -F signer "$ko")', $(grep -ac "$magic" <"$ko") signature(s)"
fi

[[ $fails -eq 0 ]] || { echo "$fails check(s) failed"; exit 1; }
echo "signing: all checks passed for $kver"
