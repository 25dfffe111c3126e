/* SPDX-License-Identifier: MIT */
/* CSV uploads and downloads of the directory's REST routes. */
#define G_LOG_DOMAIN "cau-rest"
#include "rest_csv.h"

#include "errors.h"
#include "http.h"
#include "validate.h"

#include <string.h>

/* Types a browser may give a .csv file: Windows with Excel installed says
 * application/vnd.ms-excel. */
static const char *const csv_types[] = {"text/csv", "text/plain", "application/vnd.ms-excel"};

static bool csv_content_type(struct rest_request *req)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(req->msg);
	g_autoptr(GHashTable) params = NULL;
	const char *type = soup_message_headers_get_content_type(h, &params);
	const char *charset = params ? g_hash_table_lookup(params, "charset") : NULL;

	for (guint i = 0; type && i < G_N_ELEMENTS(csv_types); i++) {
		if (g_ascii_strcasecmp(type, csv_types[i]) != 0)
			continue;
		if (charset && g_ascii_strcasecmp(charset, "utf-8") != 0 &&
		    g_ascii_strcasecmp(charset, "utf8") != 0) {
			http_reply_error(req->msg, API_ERROR_UNSUPPORTED_MEDIA_TYPE,
			                 "the CSV must be UTF-8, not %s (in Excel: save as \"CSV "
			                 "UTF-8\")",
			                 charset);
			return false;
		}
		return true;
	}
	http_reply_error(req->msg, API_ERROR_UNSUPPORTED_MEDIA_TYPE,
	                 "the body must be a CSV file (Content-Type: text/csv)");
	return false;
}

void rest_csv_import(struct rest_request *req, rest_csv_import_fn import)
{
	SoupMessageBody *body = soup_server_message_get_request_body(req->msg);
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GError) error = NULL;
	struct directory_import_result result = {0};
	gsize len = 0;
	const char *text;

	if (!csv_content_type(req))
		return;
	bytes = soup_message_body_flatten(body);
	text = g_bytes_get_data(bytes, &len);
	if (!import(req->ctx->store, &req->who, text ? text : "", len, &result, &error)) {
		directory_import_result_clear(&result);
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, SOUP_STATUS_OK, directory_import_result_json(&result));
	directory_import_result_clear(&result);
}

void rest_csv_reply(struct rest_request *req, char *text, gsize len, const char *filename)
{
	g_autofree char *disposition = g_strdup_printf("attachment; filename=\"%s\"", filename);

	soup_message_headers_replace(soup_server_message_get_response_headers(req->msg),
	                             "Content-Disposition", disposition);
	soup_server_message_set_status(req->msg, SOUP_STATUS_OK, NULL);
	soup_server_message_set_response(req->msg, "text/csv; charset=utf-8", SOUP_MEMORY_TAKE,
	                                 text, len);
}

bool rest_query_id(struct rest_request *req, const char *name, gint64 *id)
{
	const char *text = rest_query(req, name);
	guint64 v = 0;

	*id = 0;
	if (!text)
		return true;
	if (!g_ascii_string_to_unsigned(text, 10, 1, G_MAXINT64, &v, NULL)) {
		http_reply_error(req->msg, API_ERROR_BAD_REQUEST,
		                 "query parameter \"%s\" must be a unit id (a positive integer)",
		                 name);
		return false;
	}
	*id = (gint64)v;
	return true;
}

const char *rest_nullable_string(JsonObject *body, const char *name)
{
	JsonNode *node = json_object_get_member(body, name);

	if (!node)
		return NULL;
	if (JSON_NODE_HOLDS_NULL(node))
		return "";
	return field_string(body, name, NULL);
}
