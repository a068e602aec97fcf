// SPDX-License-Identifier: GPL-2.0
// Entering the mount namespace of another process, so that mount points are the paths that
// process sees: from a container with the host's PID namespace, process 1 is the host's init.
#pragma once

namespace diowq::sys {

// setns(2) into /proc/PID/ns/mnt. Needs CAP_SYS_ADMIN and CAP_SYS_CHROOT; throws diowq::Failure.
void enter_mount_namespace(int pid);

} // namespace diowq::sys
