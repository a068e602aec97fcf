# SPDX-License-Identifier: GPL-2.0
#
# diowq top-level Makefile.
#
#   make                 build kmod/diowq.ko for the running kernel (or KDIR=...) and diowqctl
#   make tools           build diowqctl into build/tools (CMake)
#   make tools-test      the diowqctl unit tests (no kernel needed)
#   make check           every test: builds, checkpatch, VM selftests on Debian 6.1, 6.12 and 7.x
#   make check-debug     the VM selftests on a KASAN/lockdep/kmemleak build of Debian's 6.1
#                        sources (~30 min to build once on 2 cores, then cached; ~25 min to run)
#   make demo            the main job, in a Debian 6.1 VM: tune an XFS mount and watch completions
#                        move, then a short bench matrix showing the starvation and the cure
#   make bench           the bench matrix in VMs on Debian 6.1, 6.12 and 7.x: every write pattern
#                        with libaio, then io_uring and --jobs 2 for the worst (~53 min under TCG);
#                        prints the kernel x pattern table, build/bench/matrix.md
#   make bench-quick     its short form: Debian 6.1, 3 configurations, 3 runs of 1 + 3 s (~8 min)
#   make soak            soak_test: SOAK_MINUTES (10) of mixed tune/untune/unmount/remount/mkfs/
#                        rmmod under I/O, in a VM per kernel (SERIES="6.1 6.12"); not in make check
#   make deps            install the host packages the targets above need (apt-get)
#   make install         install what `make` built: module (modules_install), diowqctl, man
#                        pages, bash completion; DESTDIR, PREFIX (/usr/local); make uninstall
#   make dkms-install    register the module with DKMS, build and install it for the running
#                        kernel (or DKMS_KERNELS="kver[=kdir] ..."); make dkms-uninstall
#                        (all of it: docs/packaging.md)
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
BUILD ?= $(CURDIR)/build
TOOLS_BUILD ?= $(BUILD)/tools
PREFIX ?= /usr/local
DESTDIR ?=
DKMS_KERNELS ?=

.PHONY: all module tools tools-test clean check demo bench bench-quick deps selftests

all: module tools

module:
	@test -d "$(KDIR)" || { \
	  echo "diowq: no kernel build tree at $(KDIR)." >&2; \
	  echo "       Install the headers (apt-get install linux-headers-\$$(uname -r)) or pass KDIR=..." >&2; \
	  exit 1; }
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules

tools:
	cmake -S tools -B "$(TOOLS_BUILD)"
	cmake --build "$(TOOLS_BUILD)" --parallel "$$(nproc)"

tools-test: tools
	ctest --test-dir "$(TOOLS_BUILD)" --output-on-failure

# The kselftest harness comes from Debian's linux-source package (cached, never copied here).
selftests:
	$(MAKE) -C selftests O="$(BUILD)/selftests" \
		KSFT_DIR="$$(selftests/vm/fetch-source.sh | sed -n 's/^KSFT_DIR=//p')"

check: deps
	selftests/vm/check.sh

.PHONY: check-debug
check-debug: deps
	selftests/vm/check-debug.sh

demo: deps
	selftests/vm/demo.sh
	selftests/vm/bench.sh --demo

bench: deps
	selftests/vm/bench.sh

bench-quick: deps
	selftests/vm/bench.sh --quick

.PHONY: soak
soak: deps
	DIOWQ_SERIES="$(or $(SERIES),6.1 6.12)" DIOWQ_SOAK_MINUTES="$(or $(SOAK_MINUTES),10)" \
		selftests/vm/soak.sh

deps:
	selftests/vm/deps.sh

# Installing: packaging/install.sh and packaging/dkms.sh say what goes where.
.PHONY: install uninstall dkms-install dkms-uninstall
install uninstall:
	DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" KDIR="$(KDIR)" TOOLS_BUILD="$(TOOLS_BUILD)" \
	SBINDIR="$(SBINDIR)" MANDIR="$(MANDIR)" BASHCOMPDIR="$(BASHCOMPDIR)" \
	INSTALL_MOD_DIR="$(INSTALL_MOD_DIR)" KVER="$(KVER)" packaging/install.sh $@

dkms-install:
	packaging/dkms.sh install $(DKMS_KERNELS)

dkms-uninstall:
	packaging/dkms.sh uninstall

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean; fi
	rm -rf "$(BUILD)"
