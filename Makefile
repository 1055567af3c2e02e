# SPDX-License-Identifier: GPL-2.0
# zwatch: `make` builds the module, the tool and the selftests.
#   make demo        boot the default kernel in QEMU and show a zombie leak
#   make check       host tests, style gates and the QEMU tier (minutes)
#   make check-all   every tier there is (what CI runs)
#   make check-selftest-mutants   planted defects, each must make check fail
# KDIR defaults to the running kernel's build tree, else the newest Debian
# headers installed; `make KDIR=...` overrides.

KDIR ?= $(shell $(CURDIR)/selftests/kdir.sh)
# downloads and unpacked kernels: one cache, reused between runs
ZWATCH_CACHE ?= $(if $(XDG_CACHE_HOME),$(XDG_CACHE_HOME)/zwatch,/var/cache/zwatch)
export ZWATCH_CACHE
KSFT_DIR ?= $(ZWATCH_CACHE)/linux-source-6.1/tools/testing/selftests
TOP := $(CURDIR)

.PHONY: all module tools selftests clean deps check check-run check-all check-selftest-mutants demo install \
	uninstall dkms-install

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

# KERNEL=5.10|6.1|6.12|7.2 picks the kernel of the QEMU tier (default 6.1);
# 7.2 is built from source with every debug checker: the debug tier
KERNEL ?= 6.1
ALL_KERNELS := 6.1 5.10 6.12 7.2

check-run:
	selftests/check.sh -k $(KERNEL) $(TESTS)

# check-all runs the stress tests at the sizes the product promises (30000
# zombies, 30 s of churn, 100 unload cycles) on the default kernel, at a
# tenth on the other Debian kernels and a hundredth on the debug kernel;
# STRESS=quick makes the default kernel's a tenth too
STRESS ?= full

check-all: deps
	selftests/check.sh -s $(STRESS) $(addprefix -k ,$(ALL_KERNELS)) $(TESTS)

# plants one defect at a time in a clone of HEAD (a crashing test program,
# one that stops halfway, a checkpatch warning, a sparse warning on 6.1 and
# on 7.2, a module that counts a defunct leader as a zombie, one that
# reports the newest age as the oldest) and shows that each turns
# `make check` red (about 4 minutes; MUTANTS=NAME... for some)
check-selftest-mutants: deps
	selftests/mutants.sh $(MUTANTS)

demo: deps
	@$(MAKE) --no-print-directory -s module tools
	@selftests/vm/demo.sh $(KDIR)

clean:
	$(MAKE) -C $(KDIR) M=$(TOP) $(KCC) clean
	$(MAKE) -C tools/zwatch clean
	$(MAKE) -C selftests clean
	$(MAKE) -C selftests/host clean
	rm -rf selftests/out

# ---- install, uninstall, dkms-install -------------------------------------
#   make install [DESTDIR=...] [PREFIX=/usr/local] [KDIR=...]
#	zwatch.ko in /lib/modules/<KVER>/updates (KVER: the release KDIR
#	builds for) then depmod, the tool and zwatch(8) under PREFIX, the
#	udev rules and handler, /etc/modprobe.d/zwatch.conf (never
#	overwritten), the systemd units under PREFIX/lib/systemd/system.
#	With DESTDIR (a package's tree) depmod is left to the package.
#   make uninstall [same variables]: removes what install put there
#   make dkms-install [DESTDIR=...]: the sources and dkms.conf in
#	/usr/src/zwatch-<VERSION>, for dkms add/build/install
ZW_VERSION := $(shell cat $(TOP)/VERSION)
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MAN8DIR ?= $(PREFIX)/share/man/man8
UNITDIR ?= $(PREFIX)/lib/systemd/system
# fixed paths: udev reads rules only from /usr/lib and /etc, and the rules
# name their handler by its full path
UDEVRULESDIR ?= /usr/lib/udev/rules.d
ZWATCH_LIBDIR ?= /usr/lib/zwatch
MODPROBEDIR ?= /etc/modprobe.d
KVER ?= $(shell $(TOP)/selftests/kver.sh $(KDIR))
MODDIR ?= /lib/modules/$(KVER)/updates
DKMSDIR ?= /usr/src/zwatch-$(ZW_VERSION)
DEPMOD ?= depmod
ZW_SUBST := sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@ZWATCH_LIBDIR@|$(ZWATCH_LIBDIR)|g'
ZW_UNITS := zwatch-textfile.service zwatch-textfile.timer
# what the module is built from, as dkms builds it: generated files left out
ZW_DKMS_SRCS := Kbuild VERSION uapi/linux/zwatch.h module/Kbuild \
	$(filter-out %.mod.c,$(wildcard module/*.c)) $(wildcard module/*.h)

install: module tools
	@[ -n "$(KVER)" ] || { echo "install: no kernel release in $(KDIR)" >&2; false; }
	$(MAKE) -C tools/zwatch install DESTDIR=$(DESTDIR) SBINDIR=$(SBINDIR) MAN8DIR=$(MAN8DIR)
	install -D -m 0644 module/zwatch.ko $(DESTDIR)$(MODDIR)/zwatch.ko
	install -D -m 0644 tools/udev/90-zwatch.rules $(DESTDIR)$(UDEVRULESDIR)/90-zwatch.rules
	install -D -m 0755 tools/udev/zwatch-udev-log $(DESTDIR)$(ZWATCH_LIBDIR)/zwatch-udev-log
	install -D -m 0755 tools/systemd/zwatch-textfile $(DESTDIR)$(ZWATCH_LIBDIR)/zwatch-textfile
	install -d $(DESTDIR)$(UNITDIR)
	for u in $(ZW_UNITS); do \
		$(ZW_SUBST) tools/systemd/$$u >$(DESTDIR)$(UNITDIR)/$$u && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	@if [ -e $(DESTDIR)$(MODPROBEDIR)/zwatch.conf ]; then \
		echo "install: kept $(DESTDIR)$(MODPROBEDIR)/zwatch.conf"; \
	else \
		echo install -D -m 0644 tools/modprobe.d/zwatch.conf $(DESTDIR)$(MODPROBEDIR)/zwatch.conf; \
		install -D -m 0644 tools/modprobe.d/zwatch.conf $(DESTDIR)$(MODPROBEDIR)/zwatch.conf; \
	fi
ifeq ($(DESTDIR),)
	$(DEPMOD) -a $(KVER)
endif

# the modprobe config goes only if nobody edited it
uninstall:
	$(MAKE) -C tools/zwatch uninstall DESTDIR=$(DESTDIR) SBINDIR=$(SBINDIR) MAN8DIR=$(MAN8DIR)
	rm -f $(DESTDIR)$(MODDIR)/zwatch.ko
	rm -f $(DESTDIR)$(UDEVRULESDIR)/90-zwatch.rules
	rm -f $(DESTDIR)$(ZWATCH_LIBDIR)/zwatch-udev-log $(DESTDIR)$(ZWATCH_LIBDIR)/zwatch-textfile
	rmdir $(DESTDIR)$(ZWATCH_LIBDIR) 2>/dev/null || true
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(ZW_UNITS))
	@if cmp -s tools/modprobe.d/zwatch.conf $(DESTDIR)$(MODPROBEDIR)/zwatch.conf; then \
		echo rm -f $(DESTDIR)$(MODPROBEDIR)/zwatch.conf; \
		rm -f $(DESTDIR)$(MODPROBEDIR)/zwatch.conf; \
	elif [ -e $(DESTDIR)$(MODPROBEDIR)/zwatch.conf ]; then \
		echo "uninstall: kept $(DESTDIR)$(MODPROBEDIR)/zwatch.conf (edited)"; \
	fi
ifeq ($(DESTDIR),)
	if [ -d /lib/modules/$(KVER) ]; then $(DEPMOD) -a $(KVER); fi
endif

dkms-install:
	for f in $(ZW_DKMS_SRCS); do \
		install -D -m 0644 $$f $(DESTDIR)$(DKMSDIR)/$$f || exit 1; \
	done
	sed 's|@VERSION@|$(ZW_VERSION)|' tools/dkms/dkms.conf >$(DESTDIR)$(DKMSDIR)/dkms.conf
	chmod 0644 $(DESTDIR)$(DKMSDIR)/dkms.conf
	@echo "dkms-install: now dkms add zwatch/$(ZW_VERSION); dkms install zwatch/$(ZW_VERSION)"

# ---- benchmark (selftests/bench/, issue 8) ----
# make bench [KERNEL=6.1]   zwatch against ps, top and /proc scanners in QEMU:
#                           1000, 10000 and 50000 tasks; table and plot in
#                           selftests/bench/results/ (about 30 minutes)
# make bench-quick          1000 and 10000 tasks, one repetition, TAP
#                           (a few minutes; what `make check` runs)
.PHONY: bench bench-quick

bench: deps
	selftests/bench/bench.sh -k $(KERNEL)

bench-quick: deps
	selftests/bench/bench.sh -q -k $(KERNEL)
# ---- end of benchmark ----
