# SPDX-License-Identifier: GPL-2.0
# zwatch: `make` builds the module, the tool and the selftests.
# `make check` runs host tests, style gates and the QEMU tier; see README.md.

KDIR ?= $(shell selftests/kdir.sh)
TOP := $(CURDIR)

.PHONY: all module tools selftests clean check check-all demo deps style sparse

all: module tools selftests

module:
	$(MAKE) -C $(KDIR) M=$(TOP) W=1 modules

clean:
	$(MAKE) -C $(KDIR) M=$(TOP) clean
