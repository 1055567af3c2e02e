# SPDX-License-Identifier: GPL-2.0
# zwatch: `make` builds the module, the tool and the selftests.
#   make demo        boot the default kernel in QEMU and show a zombie leak
#   make check       host tests, style gates and the QEMU tier (minutes)
#   make check-all   every tier there is (what CI runs)
# KDIR defaults to the running kernel's build tree, else the newest Debian
# headers installed; `make KDIR=...` overrides.

KDIR ?= $(shell $(CURDIR)/selftests/kdir.sh)
# downloads and unpacked kernels: one cache, reused between runs
ZWATCH_CACHE ?= $(if $(XDG_CACHE_HOME),$(XDG_CACHE_HOME)/zwatch,/var/cache/zwatch)
export ZWATCH_CACHE
KSFT_DIR ?= $(ZWATCH_CACHE)/linux-source-6.1/tools/testing/selftests
TOP := $(CURDIR)

.PHONY: all module tools selftests clean deps check check-run check-all demo

all: module tools selftests

# Debian's headers name the gcc their kernel was built with (5.10: gcc-10);
# where that one is not installed, this machine's gcc builds the module.
KGCC = $(shell sed -n 's/^CC = .*\(gcc-[0-9]*\)$$/\1/p' $(KDIR)/.kernelvariables 2>/dev/null)
KCC = $(if $(KGCC),$(if $(shell command -v $(KGCC)),,CC=gcc))

module:
	$(MAKE) -C $(KDIR) M=$(TOP) W=1 $(KCC) modules

tools:
	$(MAKE) -C tools/zwatch

selftests:
	$(MAKE) -C selftests KSFT_DIR=$(KSFT_DIR)
	$(MAKE) -C selftests/host KSFT_DIR=$(KSFT_DIR)

deps:
	selftests/deps.sh

# deps first, then a fresh make: KDIR may only exist once deps ran
check: deps
	@$(MAKE) --no-print-directory check-run

# KERNEL=5.10|6.1|6.12|7.2 picks the kernel of the QEMU tier (default 6.1)
KERNEL ?= 6.1
ALL_KERNELS := 6.1 5.10 6.12 7.2

check-run:
	selftests/check.sh -k $(KERNEL) $(TESTS)

check-all: deps
	selftests/check.sh -s full $(addprefix -k ,$(ALL_KERNELS)) $(TESTS)

demo: deps
	@$(MAKE) --no-print-directory -s module tools
	@selftests/vm/demo.sh $(KDIR)

clean:
	$(MAKE) -C $(KDIR) M=$(TOP) $(KCC) clean
	$(MAKE) -C tools/zwatch clean
	$(MAKE) -C selftests clean
	$(MAKE) -C selftests/host clean
	rm -rf selftests/out
