/* SPDX-License-Identifier: MIT */
/* Fuzz target: WebSocket protocol messages (api_request_parse and the replies built from
 * what it returns). */
#include "api/message.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_request req;
	GError *error = NULL;
	char *reply;

	if (api_request_parse((const char *)data, size, &req, &error)) {
		if (!req.method || !req.params)
			abort();
		reply = api_reply_result(req.id, NULL);
	} else {
		if (!error)
			abort();
		reply = api_reply_error(req.id, error);
		g_error_free(error);
	}
	g_free(reply);
	api_request_clear(&req);
	return 0;
}
