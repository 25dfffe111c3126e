# SPDX-License-Identifier: MIT
# The commands: `make run`, `make test` and `make bench` (FULL=1: the full sizes).
# Everything else is meson.
BUILD ?= build
CONFIG ?= config/cau.conf
MESON_SETUP_FLAGS ?=
ifneq ($(CI),)
MESON_SETUP_FLAGS += --werror
endif

.PHONY: run test bench build deps clean

deps:
	@tools/install-deps.sh

$(BUILD)/build.ninja:
	@meson setup $(MESON_SETUP_FLAGS) $(BUILD) >/dev/null

build: deps $(BUILD)/build.ninja
	@ninja -C $(BUILD)

run: build
	$(BUILD)/cau serve -c $(CONFIG)

test: build
	meson test -C $(BUILD) --print-errorlogs

bench: build
	tools/bench/run-all $(if $(FULL),--full,)

clean:
	rm -rf $(BUILD)
