#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Records the terminal transcripts of docs/usage.md (busybox sh; guest-init runs it with
# diowq_vm.mode=usage and sends its output to the results port). From the host:
#
#   k=$(selftests/vm/fetch-kernel.sh 6.1 | sed -n 's/^KVER=//p')
#   selftests/vm/build-module.sh "$k" && make tools
#   selftests/vm/run-vm.sh "$k" --usage      # transcript on stdout and in build/vm/$k/results.ktap
#
# Each command is shown after a prompt ("# " as root, "$ " as nobody) and run with its
# stderr on stdout, as in a terminal; a failing command is followed by "# echo $?" and its
# exit status. Section headers ("=== ...") are not part of the terminal output. The script
# stops with "usage: FAILED" when a step that must work does not.
#
# shellcheck disable=SC3043  # busybox ash has `local`

fail() {
	echo "usage: FAILED: $*"
	exit 1
}

section() {
	echo
	echo "=== $*"
}

# The command line as typed: empty words and words with spaces in quotes.
quoted() {
	local w line=
	for w in "$@"; do
		case $w in
		'' | *' '*) w="\"$w\"" ;;
		esac
		line="$line${line:+ }$w"
	done
	echo "$line"
}

# show PROMPT CMD...: print the command, run it, print its exit status if it failed.
show() {
	local prompt="$1" rc
	shift
	echo "$prompt $(quoted "$@")"
	"$@" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "$prompt echo \$?"
		echo "$rc"
	fi
	return "$rc"
}

run() { show "#" "$@"; }
# A command that must work for the rest to make sense.
must() { run "$@" || fail "$*"; }
# One that must fail.
must_fail() { if run "$@"; then fail "$* succeeded"; fi; }
# As an unprivileged user ("$ " prompt; su does it).
as_nobody() {
	local rc
	echo "\$ $*"
	su -s /bin/sh nobody -c "$*" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "\$ echo \$?"
		echo "$rc"
	fi
	return "$rc"
}

# "# echo VALUE > FILE", done as shown; sysfs reports a refusal as a write error.
write() {
	local value="$1" file="$2" rc
	echo "# echo $(quoted "$value") > $file"
	(echo "$value" >"$file") 2>&1
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "# echo \$?"
		echo "$rc"
	fi
	return "$rc"
}

# Wait until a background monitor listens (it prints nothing until an event comes).
settle() { sleep 2; }

echo "nobody:x:65534:65534:nobody:/nonexistent:/bin/sh" >>/etc/passwd
echo "nogroup:x:65534:" >>/etc/group
mkdir -p /srv/data /srv/logs /srv/scratch
mkfs.xfs -f -q /dev/vda || fail "mkfs.xfs"
mkfs.ext4 -q -F /dev/vdb || fail "mkfs.ext4 vdb"
mkfs.ext4 -q -F /dev/vdc || fail "mkfs.ext4 vdc"
mount -t xfs /dev/vda /srv/data || fail "mount vda"
mount -t ext4 /dev/vdb /srv/logs || fail "mount vdb"
mkdir -p /srv/data/projects

section "kernel $(uname -r), $(nproc) CPUs; /srv/data is XFS on vda, /srv/logs ext4 on vdb"

section "without the module"
must_fail diowqctl status
must_fail diowqctl version

section "load it"
must insmod "$DIOWQ_KO"
must diowqctl version
must diowqctl status

section "tune and look"
must diowqctl tune /srv/data
must diowqctl status
must diowqctl status /srv/data
must diowqctl status /srv/logs
must diowqctl -j status
must diowqctl -p status /srv/data

section "unbound mode, nice and CPUs"
must diowqctl tune /srv/logs --mode unbound --nice -10 --cpus 1
must grep . /sys/devices/virtual/workqueue/diowq-vdb/nice \
	/sys/devices/virtual/workqueue/diowq-vdb/cpumask
must diowqctl status

section "switch mode, untune"
must diowqctl tune --mode unbound /srv/data
must diowqctl untune /srv/logs
must diowqctl status
must diowqctl untune --all
must diowqctl status

section "monitor (two monitors run in the background while the commands below run)"
diowqctl monitor >/tmp/monitor.txt 2>&1 &
text_pid=$!
diowqctl -j monitor >/tmp/monitor.json 2>&1 &
json_pid=$!
settle
must diowqctl tune /srv/data /srv/logs
must diowqctl tune --mode unbound /srv/logs
must diowqctl untune /srv/data
must umount /srv/logs
must diowqctl auto --fstypes ext4
must mount -t ext4 /dev/vdc /srv/scratch
sleep 3
kill "$text_pid" "$json_pid"
wait "$text_pid" "$json_pid" 2>/dev/null
echo "# diowqctl monitor"
cat /tmp/monitor.txt
echo "# diowqctl -j monitor"
cat /tmp/monitor.json

section "auto-tuning"
must diowqctl auto
must diowqctl status
must diowqctl -j auto
must diowqctl auto --fstypes "" --default-mode unbound
must cat /sys/fs/diowq/auto_fstypes /sys/fs/diowq/default_mode
must diowqctl status
must diowqctl tune /srv/data
must diowqctl status /srv/data
must diowqctl auto --default-mode highpri
must diowqctl untune --all
must mount -t ext4 /dev/vdb /srv/logs

section "errors: exit status 1"
must_fail diowqctl tune /tmp
must_fail diowqctl tune /srv/data/projects
must_fail diowqctl tune /srv/nowhere
must_fail diowqctl tune /srv/data /tmp
must diowqctl tune /srv/data
must_fail diowqctl untune /srv/data /srv/logs
must_fail diowqctl tune --mode unbound --cpus 7 /srv/logs
must_fail diowqctl auto --fstypes btrfs

section "errors: exit status 2 (usage)"
must_fail diowqctl tune
must_fail diowqctl tune --nice -5 /srv/logs
must_fail diowqctl tune --mode fast /srv/logs
must_fail diowqctl tune --mode unbound --cpus 0- /srv/logs
must_fail diowqctl untune --all /srv/data
must_fail diowqctl frobnicate

section "unprivileged"
as_nobody diowqctl status || fail "status as nobody"
as_nobody diowqctl untune /srv/data && fail "untune as nobody worked"
as_nobody diowqctl auto --fstypes xfs && fail "auto as nobody worked"

section "sysfs"
must diowqctl untune --all
write /srv/data /sys/fs/diowq/tune || fail "sysfs tune"
write "unbound /srv/logs" /sys/fs/diowq/tune || fail "sysfs tune unbound"
must grep . /sys/fs/diowq/version /sys/fs/diowq/supported_fstypes \
	/sys/fs/diowq/default_mode /sys/fs/diowq/auto_fstypes /sys/fs/diowq/auto_rescan_ms
must ls /sys/fs/diowq
must grep . /sys/fs/diowq/vda/mode /sys/fs/diowq/vda/fstype /sys/fs/diowq/vda/source \
	/sys/fs/diowq/vda/dev /sys/fs/diowq/vda/workqueue /sys/fs/diowq/vda/origin \
	/sys/fs/diowq/vda/swaps /sys/fs/diowq/vda/tuned_ms
must cat /sys/fs/diowq/vdb/workqueue
wq=/sys/devices/virtual/workqueue/$(cat /sys/fs/diowq/vdb/workqueue)
write -5 "$wq/nice" || fail "nice"
write 1 "$wq/cpumask" || fail "cpumask"
must diowqctl status
write vdb /sys/fs/diowq/untune || fail "sysfs untune by name"
write /srv/data /sys/fs/diowq/untune || fail "sysfs untune"
write /tmp /sys/fs/diowq/tune && fail "sysfs tune of /tmp worked"
write "fast /srv/data" /sys/fs/diowq/tune && fail "sysfs tune with mode fast worked"
write /srv/data /sys/fs/diowq/untune && fail "sysfs untune of an untuned fs worked"
as_nobody "echo /srv/data > /sys/fs/diowq/tune" && fail "sysfs tune as nobody worked"

section "dispatch latency: watch, top, diagnose (a load in a cgroup of cpu.weight 1000 on CPU 1)"
mkdir -p /sys/fs/cgroup/bench || fail "mkdir cgroup"
echo +cpu >/sys/fs/cgroup/cgroup.subtree_control || fail "cpu controller"
echo 1000 >/sys/fs/cgroup/bench/cpu.weight || fail "cpu.weight"
# load SECONDS: fio's O_DIRECT random writes on /srv/data, pinned to CPU 1, in the cgroup, in
# the background (not part of the transcript).
load() {
	sh -c 'echo $$ >/sys/fs/cgroup/bench/cgroup.procs && exec taskset -c 1 fio --name=load \
		--filename=/srv/data/load --size=256M --ioengine=libaio --direct=1 --bs=4k \
		--iodepth=64 --rw=randwrite --time_based --runtime="$1"' sh "$1" >/dev/null 2>&1 &
	sleep 2
}
must diowqctl watch --all
load 6
must diowqctl top --iterations 2
must diowqctl watch
wait
must diowqctl unwatch --all
load 12
run diowqctl diagnose /srv/data
[ $? -eq 3 ] || fail "diagnose did not find the completions starved"
run diowqctl -j diagnose /srv/data --seconds 2
[ $? -eq 3 ] || fail "diagnose -j did not find the completions starved"
wait
must diowqctl tune /srv/data
load 8
must diowqctl diagnose /srv/data
wait
must diowqctl untune /srv/data
must_fail diowqctl unwatch --all
must_fail diowqctl watch /srv/data

section "module parameters, modprobe options"
must rmmod diowq
kver=$(uname -r)
mkdir -p "/lib/modules/$kver/extra" /etc/modprobe.d
cp "$DIOWQ_KO" "/lib/modules/$kver/extra/diowq.ko"
depmod "$kver" || fail "depmod"
echo "options diowq auto_fstypes=xfs,ext4 default_mode=unbound" >/etc/modprobe.d/diowq.conf
must cat /etc/modprobe.d/diowq.conf
must modprobe diowq
must diowqctl status
must modprobe -r diowq
must insmod "$DIOWQ_KO" auto_fstypes=xfs
must diowqctl status
must rmmod diowq
must_fail insmod "$DIOWQ_KO" auto_fstypes=btrfs

section "help"
must diowqctl --help
for c in status tune untune auto monitor watch unwatch top diagnose version; do
	must diowqctl "$c" --help
done

umount /srv/scratch /srv/logs /srv/data
echo
echo "usage: done"
