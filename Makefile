# SPDX-License-Identifier: GPL-2.0
#
# bomgate build. Objects are listed in Kbuild; this file only says how to
# build them. 'make V=1' shows the commands.

include Kbuild

# ARCH (the kernel's name: x86, arm64; the machine's unless given) is what
# the binaries run on; arm64 on an x86 machine is cross-built with Debian's
# gcc-aarch64-linux-gnu against the arm64 libraries multiarch installs
# (make deps), into build-arm64.
ARCH ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
ifeq ($(ARCH),x86)
OUTPUT ?= build
TRIPLET := x86_64-linux-gnu
else ifeq ($(ARCH),arm64)
OUTPUT ?= build-arm64
TRIPLET := aarch64-linux-gnu
CC := $(TRIPLET)-gcc
else
$(error ARCH=$(ARCH): only x86 and arm64 are built)
endif
SAN ?=
ifneq ($(SAN),)
OUTPUT := build/san
endif
O := $(OUTPUT)

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG := PKG_CONFIG_LIBDIR=/usr/lib/$(TRIPLET)/pkgconfig:/usr/share/pkgconfig pkg-config
LIBBPF_A ?= /usr/lib/$(TRIPLET)/libbpf.a
LINUX_SRC_TAR ?= /usr/src/linux-source-6.1.tar.xz
KERNEL_CACHE := $(CURDIR)/.cache/kernels

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-9s %s\n' "$(1)" "$(2)";
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter
BOMGATE_VERSION := 0.1.0
CPPFLAGS := -D_GNU_SOURCE -DBOMGATE_VERSION='"$(BOMGATE_VERSION)"' -Ilib -Ibpf -I$(O) -I$(O)/kselftest -MMD -MP
CFLAGS := -std=gnu11 -g -O2 $(WARN) -fPIE -fstack-protector-strong \
	  -fno-strict-aliasing
LDFLAGS := -pie -Wl,-z,relro,-z,now
ifneq ($(SAN),)
CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all \
	  -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
else
CPPFLAGS += -D_FORTIFY_SOURCE=2
endif
# libarchive too is linked statically (the arm64 guest's root has no
# libarchive13); of its decompressors only those sbom deb uses are pulled in,
# from the system, and only into binaries that read a .deb (--as-needed).
LIBARCHIVE_A ?= /usr/lib/$(TRIPLET)/libarchive.a
LDLIBS := $(LIBBPF_A) -lelf -lz -lcrypto -lyajl -lexpat -lseccomp \
	  $(LIBARCHIVE_A) -Wl,--push-state,--as-needed -l:liblzma.so.5 \
	  -l:libzstd.so.1 -l:libbz2.so.1.0 -l:liblz4.so.1 -Wl,--pop-state

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	      -Ibpf -I$(O)

bpf-objs := $(addprefix $(O)/,$(bpf-y))
skels := $(patsubst $(O)/bpf/%.bpf.o,$(O)/%.skel.h,$(bpf-objs))
bench-bpf-objs := $(addprefix $(O)/,$(bench-bpf-y))
bench-skels := $(patsubst $(O)/bench/%.bpf.o,$(O)/%.skel.h,$(bench-bpf-objs))
lib-objs := $(addprefix $(O)/,$(lib-y))
bomgate-objs := $(addprefix $(O)/,$(bomgate-y))
bomgated-objs := $(addprefix $(O)/,$(bomgated-y))
hosttests := $(addprefix $(O)/,$(hosttest-y))
vmtests := $(addprefix $(O)/,$(vmtest-y))
vmharness := $(addprefix $(O)/,$(vmharness-y))
vmhelpers := $(addprefix $(O)/,$(vmhelper-y))
fuzzers := $(addprefix $(O)/,$(fuzz-y))
benches := $(addprefix $(O)/,$(bench-y))
kselftest := $(O)/kselftest/kselftest_harness.h $(O)/kselftest/kselftest.h
libbomgate := $(O)/libbomgate.a
# the daemon but its main(): host tests link its logic
libbomgated := $(O)/libbomgated.a
FUZZ_O := build/fuzz

.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:
.PHONY: all deps check check-host check-vm check-harness check-asan check-valgrind \
	fuzz fuzz-quick \
	bench demo clean vmlinux-h tests help vm-tests build-vm-arm64 \
	install

all: $(O)/bomgate $(O)/bomgated tests

tests: $(hosttests) $(vmtests) $(vmhelpers) $(O)/selftests/vm/mkrepo.sh

# trust_test makes its repositories with the system test's script: next to
# the test, so a build copied elsewhere still has it
$(O)/selftests/vm/mkrepo.sh: selftests/system/mkrepo.sh
	$(Q)mkdir -p $(@D) && cp $< $@

# What a guest of another architecture runs (make ARCH=arm64 vm-tests).
vm-tests: $(O)/bomgate $(O)/bomgated $(vmtests) $(vmhelpers) \
	  $(O)/selftests/vm/mkrepo.sh

deps:
	$(Q)scripts/deps.sh

# --- install: make install [DESTDIR=D] [PREFIX=/usr] [SYSCONFDIR=/etc] ----
install: $(O)/bomgate $(O)/bomgated
	$(Q)scripts/install.sh $(O)

help:
	@echo 'Targets:'
	@echo '  all            bomgate, bomgated and every test program (default)'
	@echo '  deps           install the build and test dependencies, fetch the test kernels'
	@echo '  install        binaries, unit, config (if none), man pages (DESTDIR, PREFIX, SYSCONFDIR)'
	@echo '  check-host     host tests (no BPF is loaded on the host)'
	@echo '  check-vm       VM tests in QEMU on KERNEL (default: $(KERNELS))'
	@echo '  check          both, plus the fuzz targets'
	@echo '  check-harness  the VM harness fails a failing, hanging and panicking test'
	@echo '  check-asan     host tests built with ASan and UBSan (build/san)'
	@echo '  check-valgrind host tests and the binaries they start under valgrind'
	@echo '  fuzz           each libFuzzer target for 300 s (fuzz-quick: 10 s)'
	@echo '  bench          benchmarks in the VM (scripts/bench.sh)'
	@echo '  demo           the guided tour (docs/demo.md)'
	@echo '  vmlinux-h      regenerate bpf/vmlinux.h from the 6.1 kernel'
	@echo '  vm-tests       what a VM runs (with ARCH=arm64: build-arm64)'
	@echo '  clean          remove build/ and build-arm64/'
	@echo 'Variables:'
	@echo '  V=1            show the commands'
	@echo '  OUTPUT=DIR     build folder (default build; a second one for a VM run)'
	@echo '  KERNEL=K       one kernel for check/check-vm ($(KERNELS))'
	@echo '  T=t1,t2        only these tests'
	@echo '  SAN=1          sanitizers (build/san)'
	@echo '  ARCH=A         x86 or arm64, what the binaries run on (now $(ARCH))'

# --- BPF --------------------------------------------------------------------
$(bpf-objs:.bpf.o=.bpf.tmp.o): $(O)/bpf/%.tmp.o: bpf/%.c bpf/vmlinux.h $(wildcard bpf/*.h) | $(O)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(bpf-objs): $(O)/bpf/%.bpf.o: $(O)/bpf/%.bpf.tmp.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(skels): $(O)/%.skel.h: $(O)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# The benchmarks' own BPF objects (bench/*.bpf.c): the same steps.
$(bench-bpf-objs:.bpf.o=.bpf.tmp.o): $(O)/bench/%.tmp.o: bench/%.c bpf/vmlinux.h | $(O)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(bench-bpf-objs): $(O)/bench/%.bpf.o: $(O)/bench/%.bpf.tmp.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(bench-skels): $(O)/%.skel.h: $(O)/bench/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# Regenerate the pinned vmlinux.h from the 6.1 test kernel (see make deps).
vmlinux-h:
	$(Q)scripts/extract-vmlinux.sh $(KERNEL_CACHE)/6.1/vmlinuz > $(O)/vmlinux
	$(Q){ printf '/* Generated by %s from the BTF of Debian'"'"'s %s (%s).\n' \
		"'make vmlinux-h'" "$$(cat $(KERNEL_CACHE)/6.1/package)" \
		"$$(cat $(KERNEL_CACHE)/6.1/release)"; \
	  printf ' * Pinned: CO-RE relocates every field access at load time, so this one header\n'; \
	  printf ' * serves 6.1 and 6.12 alike. Do not edit by hand. */\n'; \
	  $(BPFTOOL) btf dump file $(O)/vmlinux format c; } > bpf/vmlinux.h

# --- kselftest harness, taken from Debian's linux-source-6.1 ---------------
$(O)/kselftest/%.h: | $(O)/kselftest
	$(call msg,EXTRACT,$@)
	$(Q)test -f $(LINUX_SRC_TAR) || { echo "missing $(LINUX_SRC_TAR): run 'make deps'" >&2; exit 1; }
	$(Q)tar -xJOf $(LINUX_SRC_TAR) linux-source-6.1/tools/testing/selftests/$*.h | \
		sed 's/^#define TEST_TIMEOUT_DEFAULT 30$$/#ifndef TEST_TIMEOUT_DEFAULT\n&\n#endif/' > $@

# --- userspace --------------------------------------------------------------
user-objs := $(lib-objs) $(bomgate-objs) $(bomgated-objs) \
	     $(addsuffix .o,$(hosttests) $(vmtests) $(vmharness) $(benches))
# Skeletons and harness headers are order-only: they must exist before the
# first compile, and -MMD's .d files then name the objects that include
# them, so a changed skeleton rebuilds only its includers.
$(user-objs): $(O)/%.o: %.c | $(skels) $(kselftest) $(O)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@
$(addsuffix .o,$(benches)): | $(bench-skels)

# The kselftest harness's own idioms (ASSERT_x(...) TH_LOG(...), untyped
# expected values) trip these two warnings; only test objects relax them.
$(addsuffix .o,$(hosttests) $(vmtests) $(vmharness)): CFLAGS += -Wno-sign-compare \
	-Wno-misleading-indentation \
	$(if $(TEST_TIMEOUT),-DTEST_TIMEOUT_DEFAULT=$(TEST_TIMEOUT))
# host tests drive the daemon's logic through its internal header
$(addsuffix .o,$(hosttests)): CPPFLAGS += -Idaemon

$(libbomgate): $(lib-objs)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/bomgate: $(bomgate-objs) $(libbomgate)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(libbomgated): $(filter-out $(O)/daemon/main.o,$(bomgated-objs))
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/bomgated: $(O)/daemon/main.o $(libbomgated) $(libbomgate)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -lsystemd -laudit -o $@

$(vmtests) $(vmharness) $(benches): %: %.o $(libbomgate)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(hosttests): %: %.o $(libbomgated) $(libbomgate)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -lsystemd -laudit -o $@

$(vmhelpers): $(O)/%: %.c | $(O)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $$($(PKG_CONFIG) --cflags fuse3) $< \
		$(LDFLAGS) $$($(PKG_CONFIG) --libs fuse3) -o $@

# libFuzzer targets: clang, with ASan+UBSan, against the same library sources.
$(FUZZ_O)/fuzz/%: fuzz/%.c $(lib-y:%.o=%.c) $(kselftest) | $(O)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -D_GNU_SOURCE -Ilib -Ibpf -I$(O) -g -O1 \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined $< $(lib-y:%.o=%.c) \
		$(LDLIBS) -o $@

$(O) $(O)/bpf $(O)/bench $(O)/kselftest:
	$(Q)mkdir -p $@

# --- tests ------------------------------------------------------------------
KERNELS ?= 6.1 6.12 6.12-trixie 7 6.12-arm64
KERNEL ?=
T ?=
kernels := $(if $(KERNEL),$(KERNEL),$(KERNELS))

# The arm64 kernels run the tests of an arm64 build beside this one.
ARM64_O := $(O)-arm64
export BOMGATE_BUILD_ARM64 := $(abspath $(ARM64_O))
vm-arm64 := $(if $(filter %-arm64,$(kernels)),build-vm-arm64)
build-vm-arm64:
	$(Q)$(MAKE) --no-print-directory ARCH=arm64 OUTPUT=$(ARM64_O) vm-tests

check: all $(addprefix $(FUZZ_O)/,$(fuzz-y)) $(vm-arm64)
	$(Q)scripts/check.sh $(O) "$(kernels)" "$(T)"

check-host: all
	$(Q)scripts/check.sh $(O) "" "$(T)"

check-vm: all $(vm-arm64)
	$(Q)scripts/check.sh $(O) "$(kernels)" "$(T)" --vm-only

# The harness fails what it must: a failing test, a hang, a guest panic.
check-harness: all $(vmharness)
	$(Q)scripts/check-harness.sh $(O) $(if $(KERNEL),$(KERNEL),6.1)

check-asan:
	$(Q)$(MAKE) --no-print-directory SAN=1 all
	$(Q)scripts/check.sh build/san "" "$(T)"

# The host tests and every bomgate/bomgated they run under valgrind's
# memcheck (Debian's package): what ASan does not intercept (rename(2)).
# Its own build folder: the tests' default time limit (30 s) is raised
# for the slower run.
check-valgrind:
	$(Q)$(MAKE) --no-print-directory OUTPUT=build/vg TEST_TIMEOUT=1800 all
	$(Q)scripts/check-valgrind.sh build/vg "$(T)"

fuzz: $(addprefix $(FUZZ_O)/,$(fuzz-y))
	$(Q)scripts/fuzz.sh $(FUZZ_O) 300 $(fuzz-y)

fuzz-quick: $(addprefix $(FUZZ_O)/,$(fuzz-y))
	$(Q)scripts/fuzz.sh $(FUZZ_O) 10 $(fuzz-y)

bench: all $(benches)
	$(Q)scripts/bench.sh $(O)

demo: all
	$(Q)scripts/demo.sh $(O)

clean:
	$(call msg,CLEAN,build)
	$(Q)rm -rf build build-arm64

-include $(shell find $(O) -name '*.d' 2>/dev/null)
