# SPDX-License-Identifier: MIT
# The two commands: `make run` and `make test`. Everything else is meson.
BUILD ?= build
CONFIG ?= config/cau.conf
MESON_SETUP_FLAGS ?=
ifneq ($(CI),)
MESON_SETUP_FLAGS += --werror
endif

.PHONY: run test build deps clean

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

clean:
	rm -rf $(BUILD)
