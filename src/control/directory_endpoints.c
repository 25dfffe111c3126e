/* SPDX-License-Identifier: MIT */
/* Directory endpoints: create, change, delete, list, and their credentials. */
#define G_LOG_DOMAIN "cau-directory"
#include "audit.h"
#include "core/random.h"
#include "directory_private.h"

#include <string.h>

#define CREDENTIAL_BYTES 32

#define ENDPOINT_COLUMNS                                                                           \
	"e.id, e.code, e.name, e.unit_id, u.code, e.kind, e.contact_name, e.contact_phone,"        \
	" e.disabled, CASE WHEN e.credential_hash IS NULL THEN 0 ELSE 1 END, e.created_at"
#define ENDPOINT_FROM " FROM endpoints e JOIN units u ON u.id = e.unit_id"

/* The credential is 256 random bits, so a fast hash is enough: no password-guessing
 * attack is possible against it, and SHA-256 keeps WHIP and join requests cheap (a slow
 * password hash such as Argon2id only pays off for secrets people choose). */
static char *credential_hash(const char *credential)
{
	return g_compute_checksum_for_string(G_CHECKSUM_SHA256, credential, -1);
}

char *directory_credential_new(char **hash)
{
	char *secret = random_token(CREDENTIAL_BYTES);

	*hash = credential_hash(secret);
	return secret;
}

/* Compares two hashes in a time that does not depend on where they differ. */
static bool same_hash(const char *a, const char *b)
{
	size_t len = strlen(a);
	unsigned char diff = 0;

	if (len != strlen(b))
		return false;
	for (size_t i = 0; i < len; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

static void add_endpoint(JsonBuilder *b, const struct store_rows *rows, guint r)
{
	static const char *const text_columns[] = {"contact_name", "contact_phone"};

	json_builder_begin_object(b);
	directory_detail_int(b, "id", store_rows_get_int(rows, r, 0));
	directory_detail_string(b, "code", store_rows_get(rows, r, 1));
	directory_detail_string(b, "name", store_rows_get(rows, r, 2));
	directory_detail_int(b, "unit_id", store_rows_get_int(rows, r, 3));
	directory_detail_string(b, "unit_code", store_rows_get(rows, r, 4));
	directory_detail_string(b, "kind", store_rows_get(rows, r, 5));
	for (guint c = 0; c < G_N_ELEMENTS(text_columns); c++)
		directory_detail_string(b, text_columns[c], store_rows_get(rows, r, 6 + c));
	json_builder_set_member_name(b, "disabled");
	json_builder_add_boolean_value(b, store_rows_get_int(rows, r, 8) != 0);
	json_builder_set_member_name(b, "has_credential");
	json_builder_add_boolean_value(b, store_rows_get_int(rows, r, 9) != 0);
	directory_detail_int(b, "created_at", store_rows_get_int(rows, r, 10));
	json_builder_end_object(b);
}

JsonNode *directory_endpoint_get(struct store *st, gint64 id, GError **error)
{
	g_autoptr(store_rows) rows =
	    store_query(st, "SELECT " ENDPOINT_COLUMNS ENDPOINT_FROM " WHERE e.id = ?",
	                STORE_PARAMS(STORE_INT(id)), error);
	g_autoptr(JsonBuilder) b = NULL;

	if (!rows)
		return NULL;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no endpoint with id %" G_GINT64_FORMAT, id);
		return NULL;
	}
	b = json_builder_new_immutable();
	add_endpoint(b, rows, 0);
	return json_builder_get_root(b);
}

static gint by_code_column(gconstpointer a, gconstpointer b, gpointer user_data)
{
	const struct store_rows *rows = user_data;

	return strcmp(store_rows_get(rows, *(const guint *)a, 1),
	              store_rows_get(rows, *(const guint *)b, 1));
}

/* Fails with NOT_FOUND when a filter names a unit that does not exist. */
static bool filter_unit_exists(struct store *st, gint64 id, GError **error)
{
	g_autoptr(store_rows) rows = store_query(st, "SELECT id FROM units WHERE id = ?",
	                                         STORE_PARAMS(STORE_INT(id)), error);

	if (!rows)
		return false;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no unit with id %" G_GINT64_FORMAT, id);
		return false;
	}
	return true;
}

JsonNode *directory_endpoints_list(struct store *st, const struct endpoint_filter *filter,
                                   GError **error)
{
	g_autoptr(GString) sql = g_string_new(NULL);
	g_autoptr(GArray) params = g_array_new(FALSE, FALSE, sizeof(struct store_param));
	g_autoptr(GArray) order = g_array_new(FALSE, FALSE, sizeof(guint));
	g_autoptr(store_rows) rows = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	gint64 unit = filter ? filter->unit_id : 0, under = filter ? filter->under_id : 0;

	if ((unit && !filter_unit_exists(st, unit, error)) ||
	    (under && !filter_unit_exists(st, under, error)))
		return NULL;
	/* Only the conditions in use, so every parameter's type can be inferred. */
	if (under) {
		g_string_append(sql,
		                "WITH RECURSIVE sub (id) AS ("
		                " SELECT id FROM units WHERE id = ?"
		                " UNION"
		                " SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id) ");
		g_array_append_val(params, STORE_INT(under));
	}
	g_string_append(sql, "SELECT " ENDPOINT_COLUMNS ENDPOINT_FROM " WHERE 1 = 1");
	if (under)
		g_string_append(sql, " AND e.unit_id IN (SELECT id FROM sub)");
	if (unit) {
		g_string_append(sql, " AND e.unit_id = ?");
		g_array_append_val(params, STORE_INT(unit));
	}
	rows =
	    store_query(st, sql->str, (const struct store_param *)params->data, params->len, error);
	if (!rows)
		return NULL;
	for (guint r = 0; r < store_rows_count(rows); r++)
		g_array_append_val(order, r);
	g_array_sort_with_data(order, by_code_column, rows);
	b = json_builder_new_immutable();
	json_builder_begin_array(b);
	for (guint i = 0; i < order->len; i++)
		add_endpoint(b, rows, g_array_index(order, guint, i));
	json_builder_end_array(b);
	return json_builder_get_root(b);
}

gint64 directory_endpoint_id_by_code(struct store *st, const char *code, GError **error)
{
	g_autoptr(store_rows) rows = store_query(st, "SELECT id FROM endpoints WHERE code = ?",
	                                         STORE_PARAMS(STORE_TEXT(code)), error);

	if (!rows)
		return 0;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no endpoint with code \"%s\"", code);
		return 0;
	}
	return store_rows_get_int(rows, 0, 0);
}

static bool check_fields(const struct endpoint_fields *f, GError **error)
{
	return (!f->code || directory_check_code("code", f->code, error)) &&
	       (!f->name ||
	        directory_check_text("name", f->name, 1, DIRECTORY_NAME_MAX, true, error)) &&
	       (!f->kind || directory_check_kind(f->kind, error)) &&
	       (!f->contact_name || directory_check_text("contact_name", f->contact_name, 0,
	                                                 DIRECTORY_NAME_MAX, false, error)) &&
	       (!f->contact_phone || !*f->contact_phone ||
	        directory_check_phone(f->contact_phone, error));
}

/* Fails with CONFLICT when another endpoint than `self` has `code`. */
static bool code_free(struct store *st, const char *code, gint64 self, GError **error)
{
	g_autoptr(store_rows) rows = store_query(st, "SELECT id FROM endpoints WHERE code = ?",
	                                         STORE_PARAMS(STORE_TEXT(code)), error);

	if (!rows)
		return false;
	if (store_rows_count(rows) && store_rows_get_int(rows, 0, 0) != self) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
		            "an endpoint with code \"%s\" exists already", code);
		return false;
	}
	return true;
}

/* The code of the unit an endpoint is put in; INVALID when there is none. Caller frees. */
static char *unit_code(struct store *st, gint64 unit_id, GError **error)
{
	g_autoptr(store_rows) rows = store_query(st, "SELECT code FROM units WHERE id = ?",
	                                         STORE_PARAMS(STORE_INT(unit_id)), error);

	if (!rows)
		return NULL;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "\"unit_id\": no unit with id %" G_GINT64_FORMAT, unit_id);
		return NULL;
	}
	return g_strdup(store_rows_get(rows, 0, 0));
}

/* An empty contact value is stored as NULL. */
static struct store_param optional_text(const char *value)
{
	return value && *value ? STORE_TEXT(value) : STORE_NULL;
}

struct create_endpoint {
	const struct principal *who;
	const struct endpoint_fields *f;
	const char *hash;
	gint64 id;
};

static bool insert_endpoint(struct store *st, gpointer user_data, GError **error)
{
	struct create_endpoint *c = user_data;
	const struct endpoint_fields *f = c->f;
	g_autofree char *ucode = NULL, *detail_text = NULL;
	g_autoptr(store_rows) rows = NULL;
	JsonBuilder *detail;

	if (!code_free(st, f->code, 0, error) || !(ucode = unit_code(st, f->unit_id, error)))
		return false;
	rows = store_query(
	    st,
	    "INSERT INTO endpoints (code, name, unit_id, kind, credential_hash,"
	    " contact_name, contact_phone, disabled, created_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    STORE_PARAMS(STORE_TEXT(f->code), STORE_TEXT(f->name), STORE_INT(f->unit_id),
	                 STORE_TEXT(f->kind), STORE_TEXT(c->hash), optional_text(f->contact_name),
	                 optional_text(f->contact_phone), STORE_INT(f->disabled == 1),
	                 STORE_INT(g_get_real_time() / 1000)),
	    error);
	if (!rows)
		return false;
	c->id = store_rows_get_int(rows, 0, 0);
	detail = directory_detail_new();
	directory_detail_string(detail, "name", f->name);
	directory_detail_string(detail, "unit", ucode);
	directory_detail_string(detail, "kind", f->kind);
	detail_text = directory_detail_finish(detail);
	return audit_append(st, c->who, "endpoint.create", f->code, detail_text, error);
}

gint64 directory_endpoint_create(struct store *st, const struct principal *who,
                                 const struct endpoint_fields *fields, char **credential,
                                 GError **error)
{
	g_autofree char *secret = NULL, *hash = NULL;
	struct create_endpoint c = {who, fields, NULL, 0};
	GError *local = NULL;

	*credential = NULL;
	if (!fields->code || !fields->name || !fields->unit_id || !fields->kind) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "an endpoint needs \"code\", \"name\", \"unit_id\" and \"kind\"");
		return 0;
	}
	if (!check_fields(fields, error))
		return 0;
	secret = directory_credential_new(&hash);
	c.hash = hash;
	if (!store_transaction(st, insert_endpoint, &c, &local)) {
		directory_propagate(error, local, "the endpoint conflicts with another one");
		return 0;
	}
	g_info("[endpoint %s] created", fields->code);
	*credential = g_steal_pointer(&secret);
	return c.id;
}

struct update_endpoint {
	const struct principal *who;
	gint64 id;
	const struct endpoint_fields *f;
};

/* Adds the changed values to the audit detail. */
static char *update_detail(const struct endpoint_fields *f, const char *old_code, const char *ucode)
{
	JsonBuilder *detail = directory_detail_new();

	if (f->code && strcmp(f->code, old_code) != 0)
		directory_detail_string(detail, "previous_code", old_code);
	if (f->name)
		directory_detail_string(detail, "name", f->name);
	if (f->unit_id)
		directory_detail_string(detail, "unit", ucode);
	if (f->kind)
		directory_detail_string(detail, "kind", f->kind);
	if (f->contact_name)
		directory_detail_string(detail, "contact_name", f->contact_name);
	if (f->contact_phone)
		directory_detail_string(detail, "contact_phone", f->contact_phone);
	if (f->disabled >= 0) {
		json_builder_set_member_name(detail, "disabled");
		json_builder_add_boolean_value(detail, f->disabled == 1);
	}
	return directory_detail_finish(detail);
}

static bool apply_update(struct store *st, gpointer user_data, GError **error)
{
	struct update_endpoint *u = user_data;
	const struct endpoint_fields *f = u->f;
	g_autoptr(store_rows) rows =
	    store_query(st,
	                "SELECT code, name, unit_id, kind, contact_name, contact_phone, disabled"
	                " FROM endpoints WHERE id = ?",
	                STORE_PARAMS(STORE_INT(u->id)), error);
	g_autofree char *ucode = NULL, *detail = NULL;
	const char *code, *name, *kind, *contact_name, *contact_phone;
	gint64 unit_id, disabled;

	if (!rows)
		return false;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no endpoint with id %" G_GINT64_FORMAT, u->id);
		return false;
	}
	code = f->code ? f->code : store_rows_get(rows, 0, 0);
	name = f->name ? f->name : store_rows_get(rows, 0, 1);
	unit_id = f->unit_id ? f->unit_id : store_rows_get_int(rows, 0, 2);
	kind = f->kind ? f->kind : store_rows_get(rows, 0, 3);
	contact_name = f->contact_name ? f->contact_name : store_rows_get(rows, 0, 4);
	contact_phone = f->contact_phone ? f->contact_phone : store_rows_get(rows, 0, 5);
	disabled = f->disabled >= 0 ? f->disabled : store_rows_get_int(rows, 0, 6);
	if ((f->code && !code_free(st, code, u->id, error)) ||
	    (f->unit_id && !(ucode = unit_code(st, unit_id, error))))
		return false;
	if (!store_exec(st,
	                "UPDATE endpoints SET code = ?, name = ?, unit_id = ?, kind = ?,"
	                " contact_name = ?, contact_phone = ?, disabled = ? WHERE id = ?",
	                STORE_PARAMS(STORE_TEXT(code), STORE_TEXT(name), STORE_INT(unit_id),
	                             STORE_TEXT(kind), optional_text(contact_name),
	                             optional_text(contact_phone), STORE_INT(disabled),
	                             STORE_INT(u->id)),
	                NULL, error))
		return false;
	detail = update_detail(f, store_rows_get(rows, 0, 0), ucode);
	return audit_append(st, u->who, "endpoint.update", code, detail, error);
}

bool directory_endpoint_update(struct store *st, const struct principal *who, gint64 id,
                               const struct endpoint_fields *fields, GError **error)
{
	struct update_endpoint u = {who, id, fields};
	GError *local = NULL;

	if (!check_fields(fields, error))
		return false;
	if (!store_transaction(st, apply_update, &u, &local)) {
		directory_propagate(error, local, "the change conflicts with another endpoint");
		return false;
	}
	return true;
}

struct endpoint_action {
	const struct principal *who;
	gint64 id;
	const char *hash; /* reset only */
};

/* The code of endpoint `id`, or NULL with NOT_FOUND. Caller frees. */
static char *endpoint_code(struct store *st, gint64 id, GError **error)
{
	g_autoptr(store_rows) rows = store_query(st, "SELECT code FROM endpoints WHERE id = ?",
	                                         STORE_PARAMS(STORE_INT(id)), error);

	if (!rows)
		return NULL;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no endpoint with id %" G_GINT64_FORMAT, id);
		return NULL;
	}
	return g_strdup(store_rows_get(rows, 0, 0));
}

static bool delete_endpoint(struct store *st, gpointer user_data, GError **error)
{
	struct endpoint_action *d = user_data;
	g_autofree char *code = endpoint_code(st, d->id, error);
	gint64 invitations;

	if (!code)
		return false;
	invitations = directory_invitation_count(st, "endpoint_id", d->id, error);
	if (invitations < 0)
		return false;
	if (invitations) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
		            "endpoint \"%s\" is invited to %" G_GINT64_FORMAT
		            " meeting%s; remove it from them first",
		            code, invitations, invitations == 1 ? "" : "s");
		return false;
	}
	return store_exec(st, "DELETE FROM endpoints WHERE id = ?", STORE_PARAMS(STORE_INT(d->id)),
	                  NULL, error) &&
	       audit_append(st, d->who, "endpoint.delete", code, NULL, error);
}

bool directory_endpoint_delete(struct store *st, const struct principal *who, gint64 id,
                               GError **error)
{
	struct endpoint_action d = {who, id, NULL};
	GError *local = NULL;

	if (!store_transaction(st, delete_endpoint, &d, &local)) {
		directory_propagate(error, local, "the endpoint is still in use");
		return false;
	}
	return true;
}

static bool replace_credential(struct store *st, gpointer user_data, GError **error)
{
	struct endpoint_action *r = user_data;
	g_autofree char *code = endpoint_code(st, r->id, error);

	return code &&
	       store_exec(st, "UPDATE endpoints SET credential_hash = ? WHERE id = ?",
	                  STORE_PARAMS(STORE_TEXT(r->hash), STORE_INT(r->id)), NULL, error) &&
	       audit_append(st, r->who, "endpoint.credential", code, NULL, error);
}

char *directory_endpoint_reset_credential(struct store *st, const struct principal *who, gint64 id,
                                          GError **error)
{
	g_autofree char *hash = NULL;
	g_autofree char *secret = directory_credential_new(&hash);
	struct endpoint_action r = {who, id, hash};

	if (!store_transaction(st, replace_credential, &r, error))
		return NULL;
	return g_steal_pointer(&secret);
}

bool directory_endpoint_authenticate(struct store *st, const char *code, const char *credential,
                                     struct endpoint_identity *out, GError **error)
{
	g_autoptr(store_rows) rows = store_query(
	    st, "SELECT id, unit_id, credential_hash, disabled FROM endpoints WHERE code = ?",
	    STORE_PARAMS(STORE_TEXT(code ? code : "")), error);
	g_autofree char *hash = credential_hash(credential ? credential : "");
	const char *stored;

	if (!rows)
		return false;
	stored = store_rows_count(rows) ? store_rows_get(rows, 0, 2) : NULL;
	if (!stored || !credential || !same_hash(stored, hash)) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_UNAUTHORIZED,
		            "unknown endpoint or wrong credential");
		return false;
	}
	if (store_rows_get_int(rows, 0, 3)) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_FORBIDDEN,
		            "endpoint \"%s\" is disabled", code);
		return false;
	}
	out->endpoint_id = store_rows_get_int(rows, 0, 0);
	out->unit_id = store_rows_get_int(rows, 0, 1);
	g_strlcpy(out->code, code, sizeof out->code);
	return true;
}
