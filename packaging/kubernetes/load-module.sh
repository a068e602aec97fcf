#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The DaemonSet's init container: make sure diowq is loaded on this node, in this order:
#   1. it is loaded already (by the node's own diowq.service, or an earlier pod): done;
#   2. the node has it installed (DKMS or the Debian package, under the host's /lib/modules):
#      modprobe it;
#   3. the image has one prebuilt for this exact kernel (/opt/diowq/modules/KVER/diowq.ko);
#   4. build it from the source in the image against the node's headers (/usr/src, through
#      /lib/modules/KVER/build) and insmod it.
# Module parameters: $DIOWQ_MODULE_PARAMS (e.g. "default_mode=unbound"), default none.
set -eu

kver=$(uname -r)
params=${DIOWQ_MODULE_PARAMS:-}
log() { printf 'diowq-load-module: %s\n' "$*" >&2; }

if [ -d /sys/module/diowq ]; then
	log "diowq is loaded already"
	exit 0
fi
# shellcheck disable=SC2086 # params are words
if modprobe -q diowq $params 2>/dev/null; then
	log "loaded the node's diowq for $kver"
	exit 0
fi
prebuilt=/opt/diowq/modules/$kver/diowq.ko
if [ -f "$prebuilt" ]; then
	# shellcheck disable=SC2086
	insmod "$prebuilt" $params
	log "loaded the image's prebuilt diowq for $kver"
	exit 0
fi
if [ ! -d "/lib/modules/$kver/build/" ]; then
	log "no diowq for $kver: not installed on the node, not prebuilt in the image, and no" \
		"headers to build it (install linux-headers-$kver on the node)"
	exit 1
fi
build=$(mktemp -d)
cp -r /opt/diowq/src/. "$build/"
make -C "/lib/modules/$kver/build" M="$build/kmod" modules >&2
# shellcheck disable=SC2086
insmod "$build/kmod/diowq.ko" $params
log "built and loaded diowq for $kver"
