/* SPDX-License-Identifier: MIT */
/* Checks a stored version of a meeting's minutes as `cau verify` would: each file's bytes
 * against its detached signature, and against the size and SHA-256 the database holds. */
#define G_LOG_DOMAIN "cau-minutes"
#include "minutes.h"

#include <string.h>

/* Adds "name": string, or null when `value` is NULL. */
static void set_string(JsonObject *o, const char *name, const char *value)
{
	if (value)
		json_object_set_string_member(o, name, value);
	else
		json_object_set_null_member(o, name);
}

/* One signed file (`kind`, JSON or PDF) and its signature (`kind` + 1): what was found,
 * as an object; *ok is cleared when anything is wrong. */
static JsonObject *check_file(const struct minutes_file *file, const struct minutes_file *sig,
                              bool *ok)
{
	JsonObject *o = json_object_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *data = NULL, *signature = NULL, *sha256 = NULL;
	gsize len = 0, sig_len = 0;
	struct sign_verification v = {0};
	bool matches, signed_ok = false;
	const char *problem = NULL;
	g_autofree char *why = NULL;

	json_object_set_string_member(o, "file", file->file_name);
	if (!g_file_get_contents(file->path, &data, &len, &error) ||
	    !g_file_get_contents(sig->path, &signature, &sig_len, &error)) {
		why = g_strdup_printf("cannot read the file: %s", error->message);
		*ok = false;
		json_object_set_null_member(o, "sha256");
		json_object_set_boolean_member(o, "matches_record", false);
		json_object_set_boolean_member(o, "signature_valid", false);
		set_string(o, "signer", NULL);
		json_object_set_null_member(o, "signed_at");
		json_object_set_string_member(o, "problem", why);
		return o;
	}
	sha256 = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, len);
	matches = (gint64)len == file->size && g_strcmp0(sha256, file->sha256) == 0;
	signed_ok = sign_verify(data, len, signature, sig_len, NULL, &v, &error);
	if (!signed_ok)
		problem = error->message;
	else if (!matches)
		problem = "the file is not the one recorded when the minutes were made";
	*ok = *ok && matches && signed_ok;
	json_object_set_string_member(o, "sha256", sha256);
	json_object_set_int_member(o, "size", (gint64)len);
	json_object_set_boolean_member(o, "matches_record", matches);
	json_object_set_boolean_member(o, "signature_valid", signed_ok);
	set_string(o, "signer", v.subject);
	if (v.signing_time_ms)
		json_object_set_int_member(o, "signed_at", v.signing_time_ms);
	else
		json_object_set_null_member(o, "signed_at");
	set_string(o, "problem", problem);
	sign_verification_clear(&v);
	return o;
}

JsonNode *minutes_verify(struct minutes *mn, gint64 meeting_id, gint version, GError **error)
{
	static const enum minutes_file_kind signed_kinds[] = {MINUTES_FILE_JSON, MINUTES_FILE_PDF};
	JsonArray *files = json_array_new();
	JsonObject *o;
	JsonNode *node;
	bool ok = true;

	for (size_t i = 0; i < G_N_ELEMENTS(signed_kinds); i++) {
		struct minutes_file file, sig;

		if (!minutes_find_file(mn, meeting_id, version, signed_kinds[i], &file, error)) {
			json_array_unref(files);
			return NULL;
		}
		if (!minutes_find_file(mn, meeting_id, version, signed_kinds[i] + 1, &sig, error)) {
			minutes_file_clear(&file);
			json_array_unref(files);
			return NULL;
		}
		json_array_add_object_element(files, check_file(&file, &sig, &ok));
		minutes_file_clear(&file);
		minutes_file_clear(&sig);
	}
	o = json_object_new();
	json_object_set_int_member(o, "version", version);
	json_object_set_boolean_member(o, "valid", ok);
	json_object_set_array_member(o, "files", files);
	node = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(node, o);
	return node;
}
