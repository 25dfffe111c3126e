/* SPDX-License-Identifier: MIT */
/* Fuzz target: the file type sniffer of uploaded materials (control/filetype.c), which
 * reads ZIP directories and other structures from untrusted bytes. */
#include "control/filetype.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *detected = NULL;
	enum filetype type = filetype_sniff(data, size, &detected);

	if (!detected || !filetype_mime(type))
		abort();
	if ((type == FILETYPE_UNKNOWN) != (filetype_name(type) == NULL))
		abort();
	return 0;
}
