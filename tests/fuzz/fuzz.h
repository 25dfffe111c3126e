/* SPDX-License-Identifier: MIT */
/* What every fuzz target shares: its entry point and the check that stops libFuzzer (and
 * the corpus replay) on a broken invariant. */
#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A crash libFuzzer reports, with the input that caused it. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)
