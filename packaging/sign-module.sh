#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# sign-module.sh: sign diowq.ko for UEFI Secure Boot with a Machine Owner Key (MOK).
#
#   sign-module.sh --new-key DIR [--cn NAME]
#       generate a key pair: DIR/MOK.priv (private key, PEM, mode 600) and DIR/MOK.der (its
#       self-signed certificate, DER: what `mokutil --import` takes). Refuses to overwrite.
#   sign-module.sh (--key KEY --cert CERT | --new-key DIR) [--kdir KDIR] [--sign-file PATH]
#                  [--hash ALGO] [--force] MODULE.ko...
#       sign each MODULE.ko in place with the kernel's sign-file.
#
# sign-file comes from the kernel's build tree: --sign-file, else KDIR/scripts/sign-file, where
# KDIR defaults to /lib/modules/<the module's kernel>/build (Debian: linux-headers-<kver>,
# whose scripts/ is /usr/lib/linux-kbuild-<x.y>/scripts). The hash is the kernel's
# CONFIG_MODULE_SIG_HASH (from KDIR/.config), else sha256. An already signed module is refused
# unless --force, which replaces its signature. A module is changed only once it is signed:
# on any error it is left as it was. Enrolling the key: docs/packaging.md.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage="usage: $PROG --new-key DIR [--cn NAME]
       $PROG (--key KEY --cert CERT | --new-key DIR) [--kdir KDIR] [--sign-file PATH] [--hash ALGO] [--force] MODULE.ko..."
magic='~Module signature appended~'
new_key='' key='' cert='' kdir='' sign_file='' hash='' force='' cn="diowq module signing key ($(hostname -s 2>/dev/null || echo host))"
modules=()
while [[ $# -gt 0 ]]; do
	case $1 in
	--new-key | --key | --cert | --kdir | --sign-file | --hash | --cn)
		[[ $# -ge 2 && -n $2 ]] || usage_die "$1 needs a value
$usage"
		case $1 in
		--new-key) new_key=$2 ;;
		--key) key=$2 ;;
		--cert) cert=$2 ;;
		--kdir) kdir=$2 ;;
		--sign-file) sign_file=$2 ;;
		--hash) hash=$2 ;;
		--cn) cn=$2 ;;
		esac
		shift 2
		;;
	--force) force=1 && shift ;;
	-h | --help) printf '%s\n' "$usage" && exit 0 ;;
	--) shift && modules+=("$@") && break ;;
	-*) usage_die "unknown option $1
$usage" ;;
	*) modules+=("$1") && shift ;;
	esac
done

command -v openssl >/dev/null || die "openssl is not installed (apt-get install openssl)"

make_key() {
	local dir=$1
	[[ ! -e $dir/MOK.priv && ! -e $dir/MOK.der ]] ||
		die "$dir already holds MOK.priv or MOK.der: not overwriting a key (use --key/--cert)"
	mkdir -p "$dir"
	# Code signing, and the OID the kernel's and shim's tools mark module signing keys with.
	(umask 077 && openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 36500 \
		-subj "/CN=$cn/" -keyout "$dir/MOK.priv" -outform DER -out "$dir/MOK.der" \
		-addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=digitalSignature" \
		-addext "extendedKeyUsage=codeSigning,1.3.6.1.4.1.2312.16.1.2" 2>/dev/null) ||
		die "openssl could not create a key pair in $dir"
	chmod 644 "$dir/MOK.der"
	log "new key pair: $dir/MOK.priv (keep it secret) and $dir/MOK.der (enroll it: mokutil --import $dir/MOK.der)"
}

if [[ -n $new_key ]]; then
	[[ -z $key && -z $cert ]] || usage_die "--new-key and --key/--cert exclude each other"
	make_key "$new_key"
	key=$new_key/MOK.priv cert=$new_key/MOK.der
	[[ ${#modules[@]} -gt 0 ]] || exit 0
fi
[[ ${#modules[@]} -gt 0 ]] || usage_die "no module to sign
$usage"
[[ -n $key && -n $cert ]] || usage_die "--key and --cert (or --new-key DIR) are needed to sign
$usage"

# The key pair: readable, parseable, and the certificate is the key's.
[[ -f $key && -r $key ]] || die "cannot read the private key $key"
[[ -f $cert && -r $cert ]] || die "cannot read the certificate $cert"
key_pub=$(openssl pkey -in "$key" -pubout 2>/dev/null) || die "$key is not a private key openssl can read"
cert_form=DER
openssl x509 -inform DER -in "$cert" -noout 2>/dev/null || cert_form=PEM
cert_pub=$(openssl x509 -inform "$cert_form" -in "$cert" -noout -pubkey 2>/dev/null) ||
	die "$cert is not an X.509 certificate (DER or PEM)"
[[ $key_pub == "$cert_pub" ]] || die "the certificate $cert is not the one of the key $key"

# has_signature FILE: the file ends with the module signature magic.
has_signature() {
	[[ $(tail -c $((${#magic} + 1)) "$1" | tr -d '\n\0') == "$magic" ]]
}

# strip_signature FILE: cut an appended signature off: data, struct module_signature (12 bytes,
# the signature's length big-endian in its last 4), magic and newline.
strip_signature() {
	local file=$1 size sig_len
	size=$(stat -c %s "$file")
	sig_len=$(tail -c $((${#magic} + 1 + 4)) "$file" | head -c 4 | od -An -tu1 |
		awk '{print (($1 * 256 + $2) * 256 + $3) * 256 + $4}')
	[[ $sig_len -gt 0 && $((sig_len + 12 + ${#magic} + 1)) -lt $size ]] ||
		die "$file: the signature trailer is malformed"
	truncate -s $((size - sig_len - 12 - ${#magic} - 1)) "$file"
}

sign_one() {
	local mod=$1 vermagic kver mk tool algo tmp
	[[ -f $mod && -r $mod && -w $mod ]] || die "cannot read and write the module $mod"
	case $mod in
	*.ko.xz | *.ko.gz | *.ko.zst) die "$mod is compressed: decompress it, sign the .ko, compress it again" ;;
	esac
	[[ $(head -c 4 "$mod" | od -An -c | tr -d ' ') == '177ELF' ]] || die "$mod is not an ELF kernel module"
	vermagic=$(modinfo -F vermagic "$mod" 2>/dev/null) || vermagic=
	[[ -n $vermagic ]] || die "$mod has no vermagic: not a kernel module"
	kver=${vermagic%% *}
	if has_signature "$mod" && [[ -z $force ]]; then
		die "$mod is already signed (signer: $(modinfo -F signer "$mod")): --force replaces the signature"
	fi

	mk=${kdir:-/lib/modules/$kver/build}
	tool=${sign_file:-$mk/scripts/sign-file}
	[[ -x $tool ]] || die "no sign-file at $tool: install linux-headers-$kver, or pass --kdir KDIR or --sign-file PATH"
	algo=$hash
	if [[ -z $algo && -r $mk/.config ]]; then
		algo=$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"$/\1/p' "$mk/.config")
	fi
	algo=${algo:-sha256}
	[[ $algo =~ ^sha(1|224|256|384|512|3-256|3-384|3-512)$ ]] || die "unsupported hash '$algo'"

	tmp=$(mktemp "$mod.signing.XXXXXX")
	# shellcheck disable=SC2064 # expand now: the trap must remove this very file
	trap "rm -f '$tmp'" EXIT
	cp -p "$mod" "$tmp"
	if has_signature "$tmp"; then
		strip_signature "$tmp"
	fi
	"$tool" "$algo" "$key" "$cert" "$tmp" || die "sign-file failed on $mod"
	has_signature "$tmp" || die "sign-file left no signature on $mod"
	mv -f "$tmp" "$mod"
	trap - EXIT
	log "signed $mod for $kver ($algo): signer '$(modinfo -F signer "$mod")', key $(modinfo -F sig_key "$mod")"
}

for m in "${modules[@]}"; do
	sign_one "$m"
done
