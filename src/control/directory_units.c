/* SPDX-License-Identifier: MIT */
/* Directory units: create, change, delete, list flat or as a tree, and subtrees. */
#define G_LOG_DOMAIN "cau-directory"
#include "audit.h"
#include "directory_private.h"

#include <string.h>

/* A unit as the replies show it; strings borrowed from the rows it was read from. */
struct unit_node {
	gint64 id, parent_id, created_at, endpoint_count;
	const char *code, *name, *level, *parent_code;
	guint depth;
	GPtrArray *children; /* of struct unit_node *, by code; NULL when not loaded */
	guint child_count;
};

static void add_unit_members(JsonBuilder *b, const struct unit_node *u)
{
	directory_detail_int(b, "id", u->id);
	directory_detail_string(b, "code", u->code);
	directory_detail_string(b, "name", u->name);
	directory_detail_string(b, "level", u->level);
	json_builder_set_member_name(b, "parent_id");
	if (u->parent_id)
		json_builder_add_int_value(b, u->parent_id);
	else
		json_builder_add_null_value(b);
	directory_detail_string(b, "parent_code", u->parent_code);
	directory_detail_int(b, "depth", u->depth);
	directory_detail_int(b, "child_count", u->child_count);
	directory_detail_int(b, "endpoint_count", u->endpoint_count);
	directory_detail_int(b, "created_at", u->created_at);
}

/* ---- Reading ---- */

JsonNode *directory_unit_get(struct store *st, gint64 id, GError **error)
{
	g_autoptr(store_rows) rows =
	    store_query(st,
	                "SELECT u.id, u.code, u.name, u.level, u.parent_id, u.created_at, p.code,"
	                " (SELECT COUNT(*) FROM units c WHERE c.parent_id = u.id),"
	                " (SELECT COUNT(*) FROM endpoints e WHERE e.unit_id = u.id)"
	                " FROM units u LEFT JOIN units p ON p.id = u.parent_id WHERE u.id = ?",
	                STORE_PARAMS(STORE_INT(id)), error);
	g_autoptr(JsonBuilder) b = NULL;
	struct unit_node u;
	gint64 depth;

	if (!rows)
		return NULL;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no unit with id %" G_GINT64_FORMAT, id);
		return NULL;
	}
	depth = directory_unit_depth(st, id, error);
	if (depth < 0)
		return NULL;
	u = (struct unit_node){
	    .id = id,
	    .code = store_rows_get(rows, 0, 1),
	    .name = store_rows_get(rows, 0, 2),
	    .level = store_rows_get(rows, 0, 3),
	    .parent_id = store_rows_get_int(rows, 0, 4),
	    .created_at = store_rows_get_int(rows, 0, 5),
	    .parent_code = store_rows_get(rows, 0, 6),
	    .child_count = (guint)store_rows_get_int(rows, 0, 7),
	    .endpoint_count = store_rows_get_int(rows, 0, 8),
	    .depth = (guint)depth,
	};
	b = json_builder_new_immutable();
	json_builder_begin_object(b);
	add_unit_members(b, &u);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

/* Every unit, linked into a forest. */
struct forest {
	store_rows *rows;
	struct unit_node *nodes;
	GPtrArray *roots;
	GPtrArray *order; /* tree order: each unit before its subtree, siblings by code */
};

static void forest_clear(struct forest *f)
{
	if (f->nodes) {
		for (guint i = 0; i < store_rows_count(f->rows); i++)
			g_clear_pointer(&f->nodes[i].children, g_ptr_array_unref);
	}
	g_clear_pointer(&f->nodes, g_free);
	g_clear_pointer(&f->rows, store_rows_free);
	g_clear_pointer(&f->roots, g_ptr_array_unref);
	g_clear_pointer(&f->order, g_ptr_array_unref);
}

static gint by_code(gconstpointer a, gconstpointer b)
{
	const struct unit_node *x = *(struct unit_node *const *)a;
	const struct unit_node *y = *(struct unit_node *const *)b;

	return strcmp(x->code, y->code);
}

/* Puts the units in tree order and sets their depths, without recursion. */
static void forest_order(struct forest *f)
{
	g_autoptr(GPtrArray) stack = g_ptr_array_new();

	f->order = g_ptr_array_new();
	for (guint i = f->roots->len; i-- > 0;)
		g_ptr_array_add(stack, g_ptr_array_index(f->roots, i));
	while (stack->len) {
		struct unit_node *u = g_ptr_array_steal_index(stack, stack->len - 1);
		g_ptr_array_add(f->order, u);
		for (guint i = u->children->len; i-- > 0;) {
			struct unit_node *c = g_ptr_array_index(u->children, i);
			c->depth = u->depth + 1;
			g_ptr_array_add(stack, c);
		}
	}
}

/* Loads every unit; sorting by code is done here rather than in SQL, so the order does
 * not depend on the database's collation. */
static bool forest_load(struct store *st, struct forest *f, GError **error)
{
	g_autoptr(store_rows) counts = NULL;
	g_autoptr(GHashTable) by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
	guint n;

	f->rows = store_query(st, "SELECT id, code, name, level, parent_id, created_at FROM units",
	                      NULL, 0, error);
	if (!f->rows)
		return false;
	counts = store_query(st, "SELECT unit_id, COUNT(*) FROM endpoints GROUP BY unit_id", NULL,
	                     0, error);
	if (!counts)
		return false;
	n = store_rows_count(f->rows);
	f->nodes = g_new0(struct unit_node, MAX(n, 1));
	f->roots = g_ptr_array_new();
	for (guint r = 0; r < n; r++) {
		struct unit_node *u = &f->nodes[r];
		u->id = store_rows_get_int(f->rows, r, 0);
		u->code = store_rows_get(f->rows, r, 1);
		u->name = store_rows_get(f->rows, r, 2);
		u->level = store_rows_get(f->rows, r, 3);
		u->parent_id = store_rows_get_int(f->rows, r, 4);
		u->created_at = store_rows_get_int(f->rows, r, 5);
		u->children = g_ptr_array_new();
		g_hash_table_insert(by_id, &u->id, u);
	}
	for (guint r = 0; r < store_rows_count(counts); r++) {
		gint64 unit_id = store_rows_get_int(counts, r, 0);
		struct unit_node *u = g_hash_table_lookup(by_id, &unit_id);
		if (u)
			u->endpoint_count = store_rows_get_int(counts, r, 1);
	}
	for (guint r = 0; r < n; r++) {
		struct unit_node *u = &f->nodes[r];
		struct unit_node *p =
		    u->parent_id ? g_hash_table_lookup(by_id, &u->parent_id) : NULL;
		if (p) {
			u->parent_code = p->code;
			g_ptr_array_add(p->children, u);
			p->child_count++;
		} else {
			g_ptr_array_add(f->roots, u);
		}
	}
	g_ptr_array_sort(f->roots, by_code);
	for (guint r = 0; r < n; r++)
		g_ptr_array_sort(f->nodes[r].children, by_code);
	forest_order(f);
	return true;
}

JsonNode *directory_units_list(struct store *st, GError **error)
{
	struct forest f = {0};
	g_autoptr(JsonBuilder) b = NULL;

	if (!forest_load(st, &f, error)) {
		forest_clear(&f);
		return NULL;
	}
	b = json_builder_new_immutable();
	json_builder_begin_array(b);
	for (guint i = 0; i < f.order->len; i++) {
		json_builder_begin_object(b);
		add_unit_members(b, g_ptr_array_index(f.order, i));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	forest_clear(&f);
	return json_builder_get_root(b);
}

/* Recursion is bounded by DIRECTORY_MAX_LEVELS, which every write keeps. */
static void add_subtree(JsonBuilder *b, const struct unit_node *u)
{
	json_builder_begin_object(b);
	add_unit_members(b, u);
	json_builder_set_member_name(b, "children");
	json_builder_begin_array(b);
	for (guint i = 0; i < u->children->len && u->depth < DIRECTORY_MAX_LEVELS; i++)
		add_subtree(b, g_ptr_array_index(u->children, i));
	json_builder_end_array(b);
	json_builder_end_object(b);
}

JsonNode *directory_units_tree(struct store *st, GError **error)
{
	struct forest f = {0};
	g_autoptr(JsonBuilder) b = NULL;

	if (!forest_load(st, &f, error)) {
		forest_clear(&f);
		return NULL;
	}
	b = json_builder_new_immutable();
	json_builder_begin_array(b);
	for (guint i = 0; i < f.roots->len; i++)
		add_subtree(b, g_ptr_array_index(f.roots, i));
	json_builder_end_array(b);
	forest_clear(&f);
	return json_builder_get_root(b);
}

bool directory_units_under(struct store *st, gint64 unit_id, bool include_self, GArray *ids,
                           GError **error)
{
	/* UNION (not UNION ALL) ends the recursion even on a cycle written by hand. */
	g_autoptr(store_rows) rows =
	    store_query(st,
	                "WITH RECURSIVE sub (id) AS ("
	                " SELECT id FROM units WHERE id = ?"
	                " UNION"
	                " SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)"
	                " SELECT id FROM sub",
	                STORE_PARAMS(STORE_INT(unit_id)), error);

	if (!rows)
		return false;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no unit with id %" G_GINT64_FORMAT, unit_id);
		return false;
	}
	for (guint r = 0; r < store_rows_count(rows); r++) {
		gint64 id = store_rows_get_int(rows, r, 0);
		if (include_self || id != unit_id)
			g_array_append_val(ids, id);
	}
	return true;
}

gint64 directory_unit_id_by_code(struct store *st, const char *code, GError **error)
{
	g_autoptr(store_rows) rows = store_query(st, "SELECT id FROM units WHERE code = ?",
	                                         STORE_PARAMS(STORE_TEXT(code)), error);

	if (!rows)
		return 0;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no unit with code \"%s\"", code);
		return 0;
	}
	return store_rows_get_int(rows, 0, 0);
}

/* ---- Writing ---- */

static bool check_fields(const struct unit_fields *f, GError **error)
{
	return (!f->code || directory_check_code("code", f->code, error)) &&
	       (!f->name ||
	        directory_check_text("name", f->name, 1, DIRECTORY_NAME_MAX, true, error)) &&
	       (!f->level ||
	        directory_check_text("level", f->level, 1, DIRECTORY_LEVEL_MAX, false, error));
}

/* Fails with CONFLICT when another unit than `self` has `code`. */
static bool code_free(struct store *st, const char *code, gint64 self, GError **error)
{
	g_autoptr(store_rows) rows = store_query(st, "SELECT id FROM units WHERE code = ?",
	                                         STORE_PARAMS(STORE_TEXT(code)), error);

	if (!rows)
		return false;
	if (store_rows_count(rows) && store_rows_get_int(rows, 0, 0) != self) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
		            "a unit with code \"%s\" exists already", code);
		return false;
	}
	return true;
}

/* The code of unit `id`, or NULL with CONTROL_ERROR_INVALID naming `what` when there is
 * no such unit. Caller frees. */
static char *parent_code(struct store *st, gint64 id, GError **error)
{
	g_autoptr(store_rows) rows = store_query(st, "SELECT code FROM units WHERE id = ?",
	                                         STORE_PARAMS(STORE_INT(id)), error);

	if (!rows)
		return NULL;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "\"parent_id\": no unit with id %" G_GINT64_FORMAT, id);
		return NULL;
	}
	return g_strdup(store_rows_get(rows, 0, 0));
}

/* Fails with CONFLICT when a subtree of `height` under `parent` would pass the limit. */
static bool depth_fits(struct store *st, gint64 parent, gint64 height, const char *parent_code,
                       GError **error)
{
	gint64 depth = directory_unit_depth(st, parent, error);

	if (depth < 0)
		return false;
	if (depth + 1 + height >= DIRECTORY_MAX_LEVELS) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
		            "under \"%s\" the tree would have %" G_GINT64_FORMAT
		            " levels; the directory allows %d",
		            parent_code, depth + 2 + height, DIRECTORY_MAX_LEVELS);
		return false;
	}
	return true;
}

struct create_unit {
	const struct principal *who;
	const struct unit_fields *f;
	gint64 id;
};

static bool insert_unit(struct store *st, gpointer user_data, GError **error)
{
	struct create_unit *c = user_data;
	g_autofree char *pcode = NULL;
	g_autoptr(store_rows) rows = NULL;
	JsonBuilder *detail;
	g_autofree char *detail_text = NULL;

	if (!code_free(st, c->f->code, 0, error))
		return false;
	if (c->f->parent_id && (!(pcode = parent_code(st, c->f->parent_id, error)) ||
	                        !depth_fits(st, c->f->parent_id, 0, pcode, error)))
		return false;
	rows = store_query(st,
	                   "INSERT INTO units (code, name, level, parent_id, created_at)"
	                   " VALUES (?, ?, ?, ?, ?) RETURNING id",
	                   STORE_PARAMS(STORE_TEXT(c->f->code), STORE_TEXT(c->f->name),
	                                STORE_TEXT(c->f->level),
	                                c->f->parent_id ? STORE_INT(c->f->parent_id) : STORE_NULL,
	                                STORE_INT(g_get_real_time() / 1000)),
	                   error);
	if (!rows)
		return false;
	c->id = store_rows_get_int(rows, 0, 0);
	detail = directory_detail_new();
	directory_detail_string(detail, "name", c->f->name);
	directory_detail_string(detail, "level", c->f->level);
	directory_detail_string(detail, "parent", pcode);
	detail_text = directory_detail_finish(detail);
	return audit_append(st, c->who, "unit.create", c->f->code, detail_text, error);
}

gint64 directory_unit_create(struct store *st, const struct principal *who,
                             const struct unit_fields *fields, GError **error)
{
	struct create_unit c = {who, fields, 0};
	GError *local = NULL;

	if (!fields->code || !fields->name || !fields->level) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "a unit needs \"code\", \"name\" and \"level\"");
		return 0;
	}
	if (!check_fields(fields, error))
		return 0;
	if (!store_transaction(st, insert_unit, &c, &local)) {
		directory_propagate(error, local, "the unit conflicts with another one");
		return 0;
	}
	g_info("[unit %s] created", fields->code);
	return c.id;
}

struct update_unit {
	const struct principal *who;
	gint64 id;
	const struct unit_fields *f;
};

/* Refuses a new parent that is the unit itself, lies under it, or makes the tree too
 * deep. */
static bool check_move(struct store *st, gint64 id, const char *code, gint64 parent,
                       const char *pcode, GError **error)
{
	g_autoptr(GArray) below = g_array_new(FALSE, FALSE, sizeof(gint64));
	gint64 height;

	if (parent == id) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "unit \"%s\" cannot be its own parent", code);
		return false;
	}
	if (!directory_units_under(st, id, false, below, error))
		return false;
	for (guint i = 0; i < below->len; i++) {
		if (g_array_index(below, gint64, i) == parent) {
			g_set_error(
			    error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
			    "cannot move unit \"%s\" under \"%s\": \"%s\" lies under \"%s\", "
			    "so the tree would have a cycle",
			    code, pcode, pcode, code);
			return false;
		}
	}
	height = directory_unit_height(st, id, error);
	return height >= 0 && depth_fits(st, parent, height, pcode, error);
}

static bool apply_update(struct store *st, gpointer user_data, GError **error)
{
	struct update_unit *u = user_data;
	const struct unit_fields *f = u->f;
	g_autoptr(store_rows) rows =
	    store_query(st,
	                "SELECT u.code, u.name, u.level, u.parent_id, p.code FROM units u"
	                " LEFT JOIN units p ON p.id = u.parent_id WHERE u.id = ?",
	                STORE_PARAMS(STORE_INT(u->id)), error);
	g_autofree char *pcode = NULL, *detail_text = NULL;
	const char *code, *name, *level;
	gint64 parent;
	JsonBuilder *detail;

	if (!rows)
		return false;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no unit with id %" G_GINT64_FORMAT, u->id);
		return false;
	}
	code = f->code ? f->code : store_rows_get(rows, 0, 0);
	name = f->name ? f->name : store_rows_get(rows, 0, 1);
	level = f->level ? f->level : store_rows_get(rows, 0, 2);
	parent = f->set_parent ? f->parent_id : store_rows_get_int(rows, 0, 3);
	pcode = g_strdup(store_rows_get(rows, 0, 4));
	if (f->code && !code_free(st, code, u->id, error))
		return false;
	if (f->set_parent && parent && parent != store_rows_get_int(rows, 0, 3)) {
		g_free(pcode);
		if (!(pcode = parent_code(st, parent, error)) ||
		    !check_move(st, u->id, store_rows_get(rows, 0, 0), parent, pcode, error))
			return false;
	} else if (f->set_parent && !parent) {
		g_clear_pointer(&pcode, g_free);
	}
	if (!store_exec(
	        st, "UPDATE units SET code = ?, name = ?, level = ?, parent_id = ? WHERE id = ?",
	        STORE_PARAMS(STORE_TEXT(code), STORE_TEXT(name), STORE_TEXT(level),
	                     parent ? STORE_INT(parent) : STORE_NULL, STORE_INT(u->id)),
	        NULL, error))
		return false;
	detail = directory_detail_new();
	if (strcmp(code, store_rows_get(rows, 0, 0)) != 0)
		directory_detail_string(detail, "previous_code", store_rows_get(rows, 0, 0));
	if (f->name)
		directory_detail_string(detail, "name", name);
	if (f->level)
		directory_detail_string(detail, "level", level);
	if (f->set_parent)
		directory_detail_string(detail, "parent", pcode);
	detail_text = directory_detail_finish(detail);
	return audit_append(st, u->who, "unit.update", code, detail_text, error);
}

bool directory_unit_update(struct store *st, const struct principal *who, gint64 id,
                           const struct unit_fields *fields, GError **error)
{
	struct update_unit u = {who, id, fields};
	GError *local = NULL;

	if (!check_fields(fields, error))
		return false;
	if (!store_transaction(st, apply_update, &u, &local)) {
		directory_propagate(error, local, "the change conflicts with another unit");
		return false;
	}
	return true;
}

/* "1 endpoint", "3 endpoints". Caller frees. */
static char *count_of(gint64 n, const char *noun)
{
	return g_strdup_printf("%" G_GINT64_FORMAT " %s%s", n, noun, n == 1 ? "" : "s");
}

struct delete_unit {
	const struct principal *who;
	gint64 id;
};

static bool delete_unit(struct store *st, gpointer user_data, GError **error)
{
	struct delete_unit *d = user_data;
	g_autoptr(store_rows) rows =
	    store_query(st,
	                "SELECT u.code, u.name,"
	                " (SELECT COUNT(*) FROM units c WHERE c.parent_id = u.id),"
	                " (SELECT COUNT(*) FROM endpoints e WHERE e.unit_id = u.id)"
	                " FROM units u WHERE u.id = ?",
	                STORE_PARAMS(STORE_INT(d->id)), error);
	g_autofree char *detail_text = NULL;
	gint64 children, endpoints, invitations;
	JsonBuilder *detail;

	if (!rows)
		return false;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no unit with id %" G_GINT64_FORMAT, d->id);
		return false;
	}
	children = store_rows_get_int(rows, 0, 2);
	endpoints = store_rows_get_int(rows, 0, 3);
	if (children || endpoints) {
		g_autofree char *units = count_of(children, "child unit");
		g_autofree char *ends = count_of(endpoints, "endpoint");
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
		            "unit \"%s\" still has %s%s%s; move or delete them first",
		            store_rows_get(rows, 0, 0), children ? units : "",
		            children && endpoints ? " and " : "", endpoints ? ends : "");
		return false;
	}
	invitations = directory_invitation_count(st, "unit_id", d->id, error);
	if (invitations < 0)
		return false;
	if (invitations) {
		g_autofree char *meetings = count_of(invitations, "meeting");
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
		            "unit \"%s\" is invited to %s; remove it from them first",
		            store_rows_get(rows, 0, 0), meetings);
		return false;
	}
	if (!store_exec(st, "DELETE FROM units WHERE id = ?", STORE_PARAMS(STORE_INT(d->id)), NULL,
	                error))
		return false;
	detail = directory_detail_new();
	directory_detail_string(detail, "name", store_rows_get(rows, 0, 1));
	detail_text = directory_detail_finish(detail);
	return audit_append(st, d->who, "unit.delete", store_rows_get(rows, 0, 0), detail_text,
	                    error);
}

bool directory_unit_delete(struct store *st, const struct principal *who, gint64 id, GError **error)
{
	struct delete_unit d = {who, id};
	GError *local = NULL;

	if (!store_transaction(st, delete_unit, &d, &local)) {
		directory_propagate(error, local, "the unit is still in use");
		return false;
	}
	return true;
}
