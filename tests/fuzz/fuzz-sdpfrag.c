/* SPDX-License-Identifier: MIT */
/* Fuzz target: WHIP/WHEP PATCH bodies (sdpfrag_parse). */
#include "api/sdpfrag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdpfrag frag;
	GError *error = NULL;

	if (sdpfrag_parse((const char *)data, size, &frag, &error)) {
		if (error || frag.candidates->len > SDPFRAG_MAX_CANDIDATES)
			abort();
		for (guint i = 0; i < frag.candidates->len; i++) {
			const struct sdpfrag_candidate *c = frag.candidates->pdata[i];
			if (c->candidate && strncmp(c->candidate, "candidate:", 10) != 0)
				abort();
		}
	} else {
		if (!error)
			abort();
		g_error_free(error);
	}
	sdpfrag_clear(&frag);
	return 0;
}
