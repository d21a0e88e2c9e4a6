# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# xdplb build: BPF objects -> skeletons -> agent, lbctl, tests, benchmarks.
# Files are found by wildcard: a new agent/SUBSYSTEM/*.c, tests/unit/*.c or
# bench/*.c joins the build without touching this file. Objects depend on the
# headers they include (-MMD -MP); a recipe that fails leaves no target behind.

OUTPUT := .output
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= cc
ARCH_TRIPLE := $(shell $(CC) -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# The agent code is built twice: normal, and with sanitizers for `make test-asan`.
SAN ?=
CFLAGS ?= -g -O2
XCFLAGS := $(CPPFLAGS) $(CFLAGS) -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -D_GNU_SOURCE -DXDPLB_VERSION=\"$(VERSION)\" \
	-I$(OUTPUT) -Ibpf -Iagent -Icli $(SAN)
# Flags come from pkg-config, as a Debian build takes them. Targets that install
# packages first (deps) build in a second make, which reads these after the install.
PKG_CONFIG ?= pkg-config
PKGS := libbpf libelf zlib yaml-0.1 jansson libmnl libsodium libcurl libmicrohttpd libknot
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CRITERION_LIBS := $(shell $(PKG_CONFIG) --cflags --libs criterion 2>/dev/null || echo -lcriterion)
XCFLAGS += $(PKG_CFLAGS)
LDLIBS := $(LDFLAGS) -Wl,--as-needed $(PKG_LIBS) -lm
# The kernel side takes only the kernel's uapi headers (the host's asm/ from
# /usr/include/$(ARCH_TRIPLE)), libbpf's and its own: glibc's headers, compiled
# for the bpf target, want 32-bit stubs a plain Debian does not have. The
# BPF rule below fails the build if one slips in.
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -Wall -Wno-unused-function \
	-I/usr/include/$(ARCH_TRIPLE) -Ibpf

BPF_SRCS := $(wildcard bpf/*.bpf.c bench/*.bpf.c)
BPF_HDRS := $(wildcard bpf/*.h bpf/lib/*.h)
SKELS := $(patsubst %.bpf.c,$(OUTPUT)/%.skel.h,$(notdir $(BPF_SRCS)))

LIB_SRCS := $(filter-out agent/core/main.c,$(wildcard agent/*/*.c))
LIB_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(LIB_SRCS))
# What lbctl links of the agent (agent/common/): control protocol, log, clock; nothing else.
COMMON_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(wildcard agent/common/*.c))
AGENT_HDRS := $(wildcard agent/*/*.h cli/*.h)
CLI_SRCS := $(wildcard cli/*.c)
UNIT_SRCS := $(wildcard tests/unit/*.c)
BPFTEST_SRCS := $(wildcard tests/bpf/*.c)
BENCH_SRCS := $(wildcard bench/*.c)
BENCHES := $(patsubst bench/%.c,$(OUTPUT)/bench/%,$(filter-out %.bpf.c,$(BENCH_SRCS)))

BINS := $(OUTPUT)/lbagent $(OUTPUT)/lbctl

# The test tiers `make test` runs, in order; `make help` prints this list and README.md's
# "Tests" has a bullet for each (tests/unit/test_docs.c checks both).
TEST_TIERS := unit package asan fuzz bpf e2e soak

.DELETE_ON_ERROR:
.PHONY: all deps build test test-unit test-bpf test-e2e bench demo demo-down format clean help \
	test-asan test-fuzz fuzz soak test-soak \
	install uninstall man plots deb test-package FORCE
.DEFAULT_GOAL := all
# Keep the BPF objects between the skeleton steps (benchmarks and `ip link` load them).
.SECONDARY:

all: $(SKELS) $(BINS)

help:
	@echo 'xdplb targets:'
	@echo '  make [all]      build BPF objects, skeletons, lbagent and lbctl into $(OUTPUT)/'
	@echo '  make deps       install missing Debian packages (scripts/deps.sh), mount bpffs'
	@echo '  make test       every test tier, in this order: $(TEST_TIERS) (installs what it needs)'
	@echo '  make test-unit  unit tier (Criterion)'
	@echo '  make test-package  package tier: make install against what the man pages and the'
	@echo '                 unit name; one TLS stack in lbagent (CI installs the .deb in a fresh root)'
	@echo '  make test-asan  unit tier with agent, lbctl and tests built with ASan+UBSan'
	@echo '  make test-fuzz  each libFuzzer target for FUZZ_TEST_SECONDS (15), regressions first'
	@echo '  make test-bpf   BPF tier: packets through bpf_prog_test_run (root)'
	@echo '  make test-e2e   end-to-end tier in network namespaces (root)'
	@echo '  make test-soak  soak tier: SOAK_TEST_SECONDS (90) of the soak below (root)'
	@echo '  make fuzz       each libFuzzer target for FUZZ_SECONDS (300)'
	@echo '  make soak       SOAK_SECONDS (150) of traffic on two synced LB nodes: flaps, reloads,'
	@echo '                 an agent restart, a node failover and its return (root)'
	@echo '  make bench      benchmarks; results feed docs/BENCHMARKS.md'
	@echo '  make demo       a load-balancer cluster in namespaces with real traffic'
	@echo '  make demo-down  tear the demo down'
	@echo '  make man        man pages lbagent(8), lbctl(8), xdplb.yaml(5), checked by mandoc'
	@echo '  make install    binaries, man pages, systemd unit, completion, docs, examples, the'
	@echo '                 group xdplb; PREFIX (/usr/local), DESTDIR; /etc/xdplb/lb.yaml if absent'
	@echo '  make uninstall  remove what install put (never /etc/xdplb/lb.yaml, nor the group)'
	@echo '  make deb        Debian package by dpkg-buildpackage from debian/, into $(OUTPUT)/deb/'
	@echo '  make plots      docs/img/*.png from the tables of docs/BENCHMARKS.md (gnuplot)'
	@echo '  make format     clang-format every C file'
	@echo '  make clean      remove $(OUTPUT)/'
	@echo 'Options: V=1 full commands; CI=true turns a skipped tier into a failure.'

deps:
	$(Q)bash scripts/deps.sh

$(OUTPUT) $(OUTPUT)/agent $(OUTPUT)/cli $(OUTPUT)/tests $(OUTPUT)/bench:
	$(Q)mkdir -p $@

# --- BPF: clang -> bpftool gen object (static link) -> skeleton ------------
vpath %.bpf.c bpf bench

$(OUTPUT)/%.tmp.bpf.o: %.bpf.c $(BPF_HDRS) | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MD -MP -MF $@.d -c $< -o $@
	$(Q)if grep -q '/features\.h' $@.d; then \
		echo "$<: includes a C library header (features.h); the BPF side must not" >&2; \
		rm -f $@; exit 1; fi

-include $(wildcard $(OUTPUT)/*.tmp.bpf.o.d)

$(OUTPUT)/%.bpf.o: $(OUTPUT)/%.tmp.bpf.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# --- user space -------------------------------------------------------------
# The skeletons come first (order only): after that, each object's .d names what it includes.
$(OUTPUT)/agent/%.o: agent/%.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XCFLAGS) -MMD -MP -c $< -o $@

-include $(LIB_OBJS:.o=.d) $(OUTPUT)/agent/core/main.d

$(OUTPUT)/libxdplb.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/libxdplb-common.a: $(COMMON_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# XDPLB_VERSION is a -D flag, which make does not see change: the stamp holds the version and is
# rewritten only when `git describe` says another, so that a commit rebuilds what prints it.
VERSION_STAMP := $(OUTPUT)/version.stamp
$(shell mkdir -p $(OUTPUT) && [ "$$(cat $(VERSION_STAMP) 2>/dev/null)" = "$(VERSION)" ] || \
	echo "$(VERSION)" > $(VERSION_STAMP))
$(addprefix $(OUTPUT)/agent/,core/main.o core/ctl_verbs.o core/metrics_agent.o \
	health/health_http.o) $(OUTPUT)/lbctl $(OUTPUT)/tests/unit_tests: $(VERSION_STAMP)

$(OUTPUT)/lbagent: $(OUTPUT)/agent/core/main.o $(OUTPUT)/libxdplb.a
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(XCFLAGS) $< $(OUTPUT)/libxdplb.a $(LDLIBS) -o $@

$(OUTPUT)/lbctl: $(CLI_SRCS) $(OUTPUT)/libxdplb-common.a $(AGENT_HDRS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(XCFLAGS) $(CLI_SRCS) $(OUTPUT)/libxdplb-common.a $(LDLIBS) -o $@

# The unit tier also runs the built lbctl against a real control server, and lbagent's
# command line.
$(OUTPUT)/tests/unit_tests: $(UNIT_SRCS) $(filter-out cli/main.c,$(CLI_SRCS)) \
		$(OUTPUT)/libxdplb.a $(AGENT_HDRS) $(OUTPUT)/lbctl $(OUTPUT)/lbagent | $(OUTPUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(XCFLAGS) -Itests $(UNIT_SRCS) $(filter-out cli/main.c,$(CLI_SRCS)) \
		$(OUTPUT)/libxdplb.a $(LDLIBS) $(CRITERION_LIBS) -o $@

$(OUTPUT)/tests/bpf_tests: $(BPFTEST_SRCS) $(wildcard tests/bpf/*.h) $(SKELS) \
		$(OUTPUT)/libxdplb.a | $(OUTPUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(XCFLAGS) -Itests $(BPFTEST_SRCS) $(OUTPUT)/libxdplb.a $(LDLIBS) \
		$(CRITERION_LIBS) -o $@

$(OUTPUT)/bench/%: bench/%.c $(wildcard bench/*.h) $(SKELS) $(OUTPUT)/libxdplb.a \
		| $(OUTPUT)/bench
	$(call msg,BENCH,$@)
	$(Q)$(CC) $(XCFLAGS) -Ibench $< $(OUTPUT)/libxdplb.a $(LDLIBS) -o $@

# --- fuzzing: clang, libFuzzer, ASan + UBSan (tests/fuzz/, scripts/fuzz.sh) -----------
FUZZ_SECONDS ?= 300
FUZZ_TEST_SECONDS ?= 15
FUZZ_CFLAGS := $(filter-out $(SAN),$(XCFLAGS)) -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZERS := $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_LIB_OBJS := $(patsubst agent/%.c,$(OUTPUT)/fuzz/agent/%.o,$(LIB_SRCS))
-include $(FUZZ_LIB_OBJS:.o=.d)
# The packet fuzzer drives lb.bpf.c through the BPF tier's harness and world.
FUZZ_PACKET_SRCS := $(addprefix tests/bpf/,harness.c harness_lb.c pkt.c lb_world.c)

$(OUTPUT)/fuzz/agent/%.o: agent/%.c | $(SKELS)
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -MMD -MP -fsanitize=fuzzer-no-link -c $< -o $@

$(OUTPUT)/fuzz/libxdplb.a: $(FUZZ_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/fuzz/fuzz_packet: FUZZ_EXTRA = -Itests/bpf -Wno-missing-field-initializers \
	$(FUZZ_PACKET_SRCS) $(CRITERION_LIBS)
$(OUTPUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(OUTPUT)/fuzz/libxdplb.a $(FUZZ_PACKET_SRCS) \
		$(wildcard tests/bpf/*.h)
	$(call msg,FUZZER,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_EXTRA) $(OUTPUT)/fuzz/libxdplb.a \
		$(LDLIBS) -o $@

fuzz: $(FUZZERS)
	$(Q)bash scripts/fuzz.sh $(OUTPUT) $(FUZZ_SECONDS) $(FUZZERS)

test-fuzz: $(FUZZERS)
	@echo '=== fuzz tier ==='
	$(Q)bash scripts/fuzz.sh $(OUTPUT) $(FUZZ_TEST_SECONDS) $(FUZZERS)

# The unit tier again, everything built with sanitizers into its own output directory.
ASAN_OUTPUT ?= $(OUTPUT)-asan
test-asan:
	$(Q)$(MAKE) --no-print-directory OUTPUT=$(ASAN_OUTPUT) CFLAGS='-g -O1' \
		SAN='-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer' \
		test-unit

# --- man pages, install, package, plots ---------------------------------------
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/xdplb
UNITDIR ?= $(PREFIX)/lib/systemd/system
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= /etc
MANS := $(patsubst man/%,$(OUTPUT)/man/%.gz,$(wildcard man/*.[0-9]))
# The group node.control.group names in the shipped configs; install creates it.
CONTROL_GROUP := xdplb

$(OUTPUT)/man:
	$(Q)mkdir -p $@

# The unit and the man pages carry install paths (@SBINDIR@, @SYSCONFDIR@, @DOCDIR@).
# $(OUTPUT)/paths holds the paths they were made with and changes only with them,
# so `make install PREFIX=/usr` after a build for /usr/local makes them again.
SUBST_PATHS := sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	-e 's|@DOCDIR@|$(DOCDIR)|g'

$(OUTPUT)/paths: FORCE | $(OUTPUT)
	$(Q)printf '%s\n' '$(SBINDIR)' '$(SYSCONFDIR)' '$(DOCDIR)' > $@.new
	$(Q)if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

FORCE:

# mandoc's lint fails the build on a page with warnings (scripts/deps.sh installs
# mandoc); without it the page is built unchecked, and says so.
$(OUTPUT)/man/%.gz: man/% $(OUTPUT)/paths | $(OUTPUT)/man
	$(call msg,MAN,$@)
	$(Q)$(SUBST_PATHS) $< > $(OUTPUT)/man/$*
	$(Q)if command -v mandoc >/dev/null; then mandoc -T lint -W warning $(OUTPUT)/man/$*; \
	else echo "  warning: mandoc not installed, $< not linted (make deps installs it)" >&2; fi
	$(Q)gzip -9n -c $(OUTPUT)/man/$* > $@

man: $(MANS)

$(OUTPUT)/lbagent.service: scripts/lbagent.service $(OUTPUT)/paths | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q)$(SUBST_PATHS) $< > $@

# Without DESTDIR (a live install) the control group is created if missing; a
# package creates it in its postinst (debian/xdplb.postinst).
install: all man $(OUTPUT)/lbagent.service
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(DOCDIR)/examples/bird \
		$(DESTDIR)$(SYSCONFDIR)/xdplb
	$(Q)install -m 0755 $(BINS) $(DESTDIR)$(SBINDIR)/
	$(Q)install -m 0644 $(filter %.5.gz,$(MANS)) $(DESTDIR)$(MANDIR)/man5/
	$(Q)install -m 0644 $(filter %.8.gz,$(MANS)) $(DESTDIR)$(MANDIR)/man8/
	$(Q)install -m 0644 $(OUTPUT)/lbagent.service $(DESTDIR)$(UNITDIR)/
	$(Q)install -m 0644 cli/lbctl.bash-completion $(DESTDIR)$(COMPLETIONDIR)/lbctl
	$(Q)install -m 0644 docs/*.md $(DESTDIR)$(DOCDIR)/
	$(Q)install -m 0644 configs/*.yaml $(DESTDIR)$(DOCDIR)/examples/
	$(Q)install -m 0644 configs/bird/*.conf $(DESTDIR)$(DOCDIR)/examples/bird/
	$(Q)test -e $(DESTDIR)$(SYSCONFDIR)/xdplb/lb.yaml || \
		install -m 0600 configs/single-node.yaml $(DESTDIR)$(SYSCONFDIR)/xdplb/lb.yaml
	$(Q)if [ -z "$(DESTDIR)" ] && ! getent group $(CONTROL_GROUP) >/dev/null; then \
		echo "  GROUP    $(CONTROL_GROUP)"; groupadd --system $(CONTROL_GROUP); fi

uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(addprefix $(DESTDIR)$(SBINDIR)/,lbagent lbctl) \
		$(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(filter %.5.gz,$(MANS)))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(filter %.8.gz,$(MANS)))) \
		$(DESTDIR)$(UNITDIR)/lbagent.service $(DESTDIR)$(COMPLETIONDIR)/lbctl
	$(Q)rm -rf $(DESTDIR)$(DOCDIR)

# The package is built by Debian's tools from debian/ (its own build in
# $(OUTPUT)/debian, PREFIX=/usr), once deps.sh installed the build dependencies;
# dpkg-buildpackage leaves its files next to the source tree, from where they
# move to $(OUTPUT)/deb/.
DEB_VERSION = $(shell dpkg-parsechangelog -S Version)
DEB_ARCH = $(shell dpkg-architecture -q DEB_HOST_ARCH)
deb: deps
	$(Q)dpkg-buildpackage -us -uc -b
	$(Q)rm -rf $(OUTPUT)/deb && mkdir -p $(OUTPUT)/deb
	$(Q)for f in ../xdplb_$(DEB_VERSION)_$(DEB_ARCH).* ../xdplb-dbgsym_$(DEB_VERSION)_*; do \
		if [ -e "$$f" ]; then mv "$$f" $(OUTPUT)/deb/; fi; done
	$(Q)ls $(OUTPUT)/deb/*.deb

plots:
	$(Q)bash scripts/plots.sh docs/BENCHMARKS.md docs/img

# Bounded soak on two LB nodes with sync (root): SOAK_SECONDS of it on demand, and
# SOAK_TEST_SECONDS of it as the soak tier of `make test` (about 2 minutes in all).
SOAK_SECONDS ?= 150
SOAK_TEST_SECONDS ?= 90
soak: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)SOAK_SECONDS=$(SOAK_SECONDS) XDPLB_BIN=$(OUTPUT) bash scripts/tier.sh soak \
		bash tests/soak/run.sh

# --- tiers --------------------------------------------------------------------
# Each tier ends with its own summary line (Criterion's, or the e2e runner's
# "N passed, N failed"); scripts/tier.sh prints SKIP and fails under CI=true
# when a tier cannot run here.
test: deps
	$(Q)$(MAKE) --no-print-directory -k $(addprefix test-,$(TEST_TIERS))

test-unit: $(OUTPUT)/tests/unit_tests
	$(Q)bash scripts/tier.sh unit $(OUTPUT)/tests/unit_tests

test-bpf: $(OUTPUT)/tests/bpf_tests
	$(Q)bash scripts/tier.sh bpf $(OUTPUT)/tests/bpf_tests

# What `make install` puts against what the docs name; one TLS stack. The package
# itself is built and installed in fresh Debian roots by tests/package/ci.sh (CI).
test-package: all
	$(Q)XDPLB_BIN=$(OUTPUT) bash scripts/tier.sh package bash tests/package/run.sh

test-e2e: all
	$(Q)bash scripts/tier.sh e2e bash tests/e2e/run.sh

test-soak: all
	$(Q)SOAK_SECONDS=$(SOAK_TEST_SECONDS) XDPLB_BIN=$(OUTPUT) bash scripts/tier.sh soak \
		bash tests/soak/run.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory $(BENCHES) $(BINS)
	$(Q)bash bench/run.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bash scripts/demo.sh up

demo-down:
	$(Q)bash scripts/demo.sh down

format:
	$(Q)clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT)
