# yasmin-bench - GNU make build.
#
#   make            build $(BUILD)/yasmin-bench (installs missing Debian
#                   packages first when run as root: scripts/deps.sh)
#   make run        a local sweep over every available transport
#   make bench      the shm ring against memcpy, cache line, unix, tcp
#   make check      the whole test suite (unit, end-to-end, man page lint)
#   make check SANITIZE=address,undefined   the same under ASan + UBSan
#   make install    PREFIX=/usr/local DESTDIR= : binary, man page and bash
#                   completion (COMPDIR=; make uninstall removes them)
#   make STATIC=1   a static binary (build/static/), to drop into a guest
#   make xen-check  only the Xen lab: Xen under QEMU, tests in its guests
#
# Objects go to build/$(CONFIG)/ (out of tree); each configuration has its
# own directory, and a stamp of the flags forces a rebuild when they change.
# V=1 shows the commands.  XEN=0 builds without the Xen libraries.
# WERROR=1 (the default in a git checkout, never for a release tarball)
# turns warnings into errors.  DEPS=0 never runs scripts/deps.sh (a package
# build: no apt-get, no network; a missing library then fails the compile).
# make VERSION=X sets what --version prints (default: git describe).  CPPFLAGS,
# CFLAGS and LDFLAGS from the environment are used (dpkg-buildflags).

PROG     := yasmin-bench
SANITIZE ?=
STATIC   ?= 0
CONFIG   ?= $(if $(SANITIZE),san,$(if $(filter 1,$(STATIC)),static,default))
BUILD    ?= build/$(CONFIG)
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
DESTDIR  ?=
COMPDIR  ?= $(PREFIX)/share/bash-completion/completions
WERROR   ?= $(if $(wildcard .git),1,0)
XEN      ?= 1
DEPS     ?= 1
# Only from the command line: a VERSION in the environment may mean anything.
ifneq ($(origin VERSION),command line)
VERSION  :=
endif

CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wpointer-arith -Wvla -Wundef \
            -Wno-missing-field-initializers -Wno-format-truncation
ifeq ($(WERROR),1)
WARN     += -Werror
endif
ifneq ($(SANITIZE),)
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
            -fno-sanitize-recover=all
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Facts about this machine (dependencies installed, Xen libraries found)
# are gathered once into config.mk, which make builds and then re-reads.
NO_CONFIG_GOALS := clean distclean uninstall
ifeq ($(filter-out $(NO_CONFIG_GOALS),$(or $(MAKECMDGOALS),all)),)
else
-include $(BUILD)/config.mk
endif

ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) \
              -I. -I$(BUILD)/gen $(CONFIG_CFLAGS) -MMD -MP \
              $(if $(filter 1,$(STATIC)),-DYB_STATIC=1)
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS) $(if $(filter 1,$(STATIC)),-static)
LIBS        := -ljansson $(CONFIG_LIBS) -lm

# transports/preload.c is the wrap shim: it defines read(), write() and
# the rest, so it goes into the preloaded library only, never the binary.
PRELOAD_SRC := transports/preload.c
CORE_SRC := $(filter-out $(PRELOAD_SRC),$(wildcard core/*/*.c) $(wildcard transports/*.c))
CMD_SRC  := $(wildcard cmd/*.c)
UNIT_SRC := $(wildcard tests/unit_*.c)
FUZZ_SRC := $(wildcard tests/fuzz_*.c)
HELP_SRC := $(wildcard tests/helper_*.c)

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ  := $(CMD_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%)
HELP_BIN := $(HELP_SRC:tests/%.c=$(BUILD)/tests/%)
FUZZ_BIN := $(FUZZ_SRC:tests/%.c=$(BUILD)/fuzz/%)
LIB      := $(BUILD)/libyb.a
BIN      := $(BUILD)/$(PROG)

# The wrap shim, preloaded into unmodified programs: its own position-
# independent objects, without the sanitizers (a sanitized library cannot
# be preloaded into a program built without them), exporting only the
# functions it interposes.  Not for a static build: nothing can preload
# into a static program.
PRELOAD_SO  := $(BUILD)/lib$(PROG)-preload.so
PRELOAD_DEP := transports/preload.c transports/wrap.c transports/shm.c \
               transports/sock.c transports/ringep.c core/wire/ring.c \
               core/wire/transport.c core/base/err.c core/base/clock.c \
               core/host/wake.c core/host/sysinfo.c core/base/stats.c \
               core/base/meta.c
# Between Xen domains too, where the Xen libraries are.
PRELOAD_XEN := transports/yasmin.c transports/xenrv.c transports/xswatch.c \
               transports/xenplace.c
PRELOAD_DEP += $(if $(filter 1,$(HAVE_XEN)),$(PRELOAD_XEN))
PRELOAD_LIBS := $(if $(filter 1,$(HAVE_XEN)),-lxenctrl -lxenstore \
                -lxengnttab -lxenevtchn -lxentoollog)
PRELOAD_OBJ := $(PRELOAD_DEP:%.c=$(BUILD)/pic/%.o)
PIC_CFLAGS  := $(filter-out $(SANFLAGS),$(ALL_CFLAGS)) -fPIC \
               -fvisibility=hidden -ffunction-sections -fdata-sections
LIBDIR      ?= $(PREFIX)/lib

.PHONY: all run bench check unit fuzz install uninstall clean distclean \
        deps lint-man xen-check static
.DEFAULT_GOAL := all

all: $(BIN) $(if $(filter 1,$(STATIC)),,$(PRELOAD_SO))

$(BUILD)/config.mk: scripts/deps.sh scripts/configure.sh
	@mkdir -p $(@D)
	$(Q)$(if $(filter 0,$(DEPS)),:,scripts/deps.sh)
	$(Q)XEN=$(XEN) STATIC=$(STATIC) scripts/configure.sh > $@.tmp && mv $@.tmp $@

deps:
	scripts/deps.sh

# Rebuild everything when the flags change.
$(BUILD)/.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(LIBS)' > $@.new; \
	  cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@

# The version from git (or VERSION=), regenerated only when it changes.
$(BUILD)/gen/yb_version.h: FORCE
	@mkdir -p $(@D)
	@v='$(VERSION)'; [ -n "$$v" ] || \
	  v=$$(git describe --tags --always --dirty 2>/dev/null || echo 0.1.0); \
	  printf '#define YB_VERSION "%s"\n' "$$v" > $@.new; \
	  cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@

# Xen's public headers (xenctrl.h) use GNU extensions.
$(BUILD)/transports/xenfacts.o $(BUILD)/transports/vchan.o \
$(BUILD)/transports/xenplace.o $(BUILD)/pic/transports/xenplace.o: \
	FILE_CFLAGS := -std=gnu11

# The gnuplot scripts, carried inside the binary.
PLOT_SRC := $(wildcard plots/*.gp)
$(BUILD)/gen/yb_plots.h: $(PLOT_SRC) scripts/embed.sh
	@mkdir -p $(@D)
	$(Q)scripts/embed.sh $(PLOT_SRC) > $@.tmp && mv $@.tmp $@

$(BUILD)/%.o: %.c $(BUILD)/.flags | $(BUILD)/gen/yb_version.h \
		$(BUILD)/gen/yb_plots.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(FILE_CFLAGS) -c -o $@ $<

$(BUILD)/pic/%.o: %.c $(BUILD)/.flags | $(BUILD)/gen/yb_version.h \
		$(BUILD)/gen/yb_plots.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(PIC_CFLAGS) $(FILE_CFLAGS) -c -o $@ $<

# Only what the shim reaches is kept (--gc-sections): the transport
# registry's other transports are never linked in.
$(PRELOAD_SO): $(PRELOAD_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared $(LDFLAGS) -Wl,--gc-sections -Wl,-z,defs -o $@ \
	  $(PRELOAD_OBJ) $(PRELOAD_LIBS) -ldl -lpthread -lm

$(LIB): $(CORE_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BIN): $(CMD_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(CMD_OBJ) $(LIB) $(LIBS)

$(BUILD)/tests/unit_%: $(BUILD)/tests/unit_%.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) -lcmocka $(LIBS)

$(BUILD)/tests/helper_%: $(BUILD)/tests/helper_%.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LIBS)

# A copy of yasmin-bench whose local server slows one transport by a known
# fraction (YB_SLOWDOWN=TRANSPORT:PCT; tests/slowdown.c): the candidate of
# the A/B gate's benchmark and tests.
SLOW_BIN := $(BUILD)/tests/$(PROG)-slowed
$(SLOW_BIN): $(BUILD)/tests/slowdown.o $(CMD_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(CMD_OBJ) $(LIB) $(LIBS)

# libFuzzer harnesses (clang; ASan + UBSan), built from the sources
# directly so that they never depend on this configuration's compiler.
FUZZ_CC    ?= clang
FUZZ_FLAGS := -std=gnu11 -D_GNU_SOURCE -g -O1 \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
$(BUILD)/fuzz/fuzz_%: tests/fuzz_%.c $(CORE_SRC) $(BUILD)/.flags \
		| $(BUILD)/gen/yb_version.h $(BUILD)/gen/yb_plots.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -I. -I$(BUILD)/gen $(CONFIG_CFLAGS) -o $@ $< \
	  $(CORE_SRC) -ljansson $(CONFIG_LIBS) -lm

fuzz: $(FUZZ_BIN)

run: $(BIN)
	$(BIN) run

# Performance figures and target ratios (prints; never fails on a miss).
bench: $(BIN)
	$(BIN) bench

unit: $(UNIT_BIN)

# The Xen lab's guests need a static binary; it is built beside this
# configuration (build/static/) and the lab test uses it.
STATIC_BIN := build/static/$(PROG)
static:
	$(Q)$(MAKE) --no-print-directory STATIC=1 SANITIZE= CONFIG=static \
	  BUILD=build/static all

check: $(BIN) $(PRELOAD_SO) $(UNIT_BIN) $(HELP_BIN) $(SLOW_BIN) $(FUZZ_BIN) static
	$(Q)BUILD=$(BUILD) STATIC_BIN=$(STATIC_BIN) tests/run.sh

# The Xen lab alone (also part of check): see scripts/xen-lab.sh.
xen-check: $(BIN) $(HELP_BIN) static
	$(Q)BUILD=$(BUILD) STATIC_BIN=$(STATIC_BIN) tests/run.sh e2e/xen_lab

lint-man:
	mandoc -T lint -W warning man/$(PROG).1

# The bash completion asks the installed binary for its commands, options
# and transports, so it never falls out of step with them.
install: $(BIN) $(if $(filter 1,$(STATIC)),,$(PRELOAD_SO))
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(COMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/$(PROG)
	$(if $(filter 1,$(STATIC)),,install -d $(DESTDIR)$(LIBDIR)/$(PROG) && \
	  install -m 644 $(PRELOAD_SO) $(DESTDIR)$(LIBDIR)/$(PROG)/)
	install -m 644 man/$(PROG).1 $(DESTDIR)$(MANDIR)/man1/$(PROG).1
	install -m 644 scripts/$(PROG).bash $(DESTDIR)$(COMPDIR)/$(PROG)

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/$(PROG) $(DESTDIR)$(MANDIR)/man1/$(PROG).1 \
	  $(DESTDIR)$(COMPDIR)/$(PROG) \
	  $(DESTDIR)$(LIBDIR)/$(PROG)/lib$(PROG)-preload.so
	-rmdir $(DESTDIR)$(LIBDIR)/$(PROG) 2>/dev/null

clean:
	rm -rf $(BUILD)

distclean:
	rm -rf build

.PHONY: FORCE
FORCE:

# Keep objects of test programs between runs.
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
