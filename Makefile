# SPDX-License-Identifier: GPL-2.0
#
# diowq top-level Makefile.
#
#   make                 build kmod/diowq.ko for the running kernel (or KDIR=...) and diowqctl
#   make tools           build diowqctl into build/tools (CMake)
#   make tools-test      the diowqctl unit tests (no kernel needed)
#   make check           every test: builds, checkpatch, VM selftests on Debian 6.1 and 6.12
#   make demo            the main job, in a Debian 6.1 VM: tune an XFS mount and watch completions
#                        move, then a short bench matrix showing the starvation and the cure
#   make bench           diowqctl bench --matrix in VMs on Debian 6.1 and 6.12 (~16 min under TCG)
#   make deps            install the host packages the targets above need (apt-get)
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
BUILD ?= $(CURDIR)/build
TOOLS_BUILD ?= $(BUILD)/tools

.PHONY: all module tools tools-test clean check demo bench deps selftests

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

demo: deps
	selftests/vm/demo.sh
	selftests/vm/bench.sh --demo

bench: deps
	selftests/vm/bench.sh

deps:
	selftests/vm/deps.sh

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean; fi
	rm -rf "$(BUILD)"
