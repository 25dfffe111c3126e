/* SPDX-License-Identifier: MIT */
/* Importing units from CSV: rows checked alone, then against the directory as it would
 * be after the import (parents present, no cycle, not too deep) until every remaining
 * row fits, then written parents first in one transaction. */
#define G_LOG_DOMAIN "cau-directory"
#include "audit.h"
#include "directory_private.h"

#include <string.h>

enum { COL_CODE, COL_NAME, COL_LEVEL, COL_PARENT };

struct row {
	guint line;
	char *values[IMPORT_MAX_COLUMNS]; /* by COL_*; COL_PARENT NULL: no such column */
	bool bad;
	struct node *node;
};

/* A unit of the directory after the import: in the directory now, in the file, or both. */
struct node {
	const char *code;
	gint64 id;                                  /* 0 while only in the file */
	const char *db_name, *db_level, *db_parent; /* as the directory has it now */
	struct row *row;                            /* its good row in the file, or NULL */
	int mark;                                   /* cycle walk: 0 new, 1 on path, 2 done */
	int depth;                                  /* -1 unknown */
};

struct units_import {
	const struct principal *who;
	struct directory_import_result *result;
	GPtrArray *rows;   /* of struct row *, in file order */
	GHashTable *first; /* code -> struct row * of its first row, good or bad */
	GHashTable *nodes; /* code -> struct node * */
	struct store_rows *db;
};

static void row_free(gpointer data)
{
	struct row *r = data;

	directory_import_values_clear(r->values);
	g_free(r);
}

static void fail_row(struct units_import *im, struct row *r, const char *format, ...)
    G_GNUC_PRINTF(3, 4);

static void fail_row(struct units_import *im, struct row *r, const char *format, ...)
{
	va_list ap;
	g_autofree char *message = NULL;

	va_start(ap, format);
	message = g_strdup_vprintf(format, ap);
	va_end(ap);
	directory_import_add_error(im->result, r->line, "%s", message);
	r->bad = true;
}

/* Checks a row alone: its values, and its code not seen before in the file. A row with
 * a well-formed code claims it even when another value is wrong, so later rows naming
 * it as their parent learn why it is missing. */
static void check_row(struct units_import *im, struct row *r)
{
	g_autoptr(GError) error = NULL;
	const char *code = r->values[COL_CODE], *parent = r->values[COL_PARENT];
	struct row *earlier;

	if (!directory_check_code("code", code, &error)) {
		fail_row(im, r, "%s", error->message);
		return;
	}
	earlier = g_hash_table_lookup(im->first, code);
	if (earlier) {
		fail_row(im, r, "code \"%s\" appears already on line %u", code, earlier->line);
		return;
	}
	g_hash_table_insert(im->first, (gpointer)code, r);
	if (!directory_check_text("name", r->values[COL_NAME], 1, DIRECTORY_NAME_MAX, true,
	                          &error) ||
	    !directory_check_text("level", r->values[COL_LEVEL], 1, DIRECTORY_LEVEL_MAX, false,
	                          &error) ||
	    (parent && *parent && !directory_check_code("parent_code", parent, &error)))
		fail_row(im, r, "%s", error->message);
	else if (parent && strcmp(parent, code) == 0)
		fail_row(im, r, "unit \"%s\" cannot be its own parent", code);
}

static struct node *lookup(struct units_import *im, const char *code)
{
	return code ? g_hash_table_lookup(im->nodes, code) : NULL;
}

static bool good(const struct row *r)
{
	return r && !r->bad;
}

/* The parent code a unit will have: its row's, else the directory's; NULL for a root. */
static const char *parent_of(const struct node *n)
{
	if (good(n->row) && n->row->values[COL_PARENT])
		return *n->row->values[COL_PARENT] ? n->row->values[COL_PARENT] : NULL;
	return n->db_parent;
}

static bool exists(const struct node *n)
{
	return n && (n->id || good(n->row));
}

static bool load_directory(struct store *st, struct units_import *im, GError **error)
{
	im->db = store_query(st,
	                     "SELECT u.id, u.code, u.name, u.level, p.code FROM units u"
	                     " LEFT JOIN units p ON p.id = u.parent_id",
	                     NULL, 0, error);
	if (!im->db)
		return false;
	for (guint i = 0; i < store_rows_count(im->db); i++) {
		struct node *n = g_new0(struct node, 1);
		n->id = store_rows_get_int(im->db, i, 0);
		n->code = store_rows_get(im->db, i, 1);
		n->db_name = store_rows_get(im->db, i, 2);
		n->db_level = store_rows_get(im->db, i, 3);
		n->db_parent = store_rows_get(im->db, i, 4);
		g_hash_table_insert(im->nodes, (gpointer)n->code, n);
	}
	for (guint i = 0; i < im->rows->len; i++) {
		struct row *r = g_ptr_array_index(im->rows, i);
		struct node *n;
		if (r->bad)
			continue;
		n = lookup(im, r->values[COL_CODE]);
		if (!n) {
			n = g_new0(struct node, 1);
			n->code = r->values[COL_CODE];
			g_hash_table_insert(im->nodes, (gpointer)n->code, n);
		}
		n->row = r;
		r->node = n;
	}
	return true;
}

/* Refuses rows whose parent will not exist. */
static bool pass_parents(struct units_import *im)
{
	bool changed = false;

	for (guint i = 0; i < im->rows->len; i++) {
		struct row *r = g_ptr_array_index(im->rows, i);
		const char *parent = good(r) ? parent_of(r->node) : NULL;
		struct row *parent_row;

		if (!parent || exists(lookup(im, parent)))
			continue;
		parent_row = g_hash_table_lookup(im->first, parent);
		if (parent_row)
			fail_row(im, r,
			         "parent \"%s\" (line %u) is not imported because of its error",
			         parent, parent_row->line);
		else
			fail_row(im, r, "parent \"%s\" is neither in the file nor in the directory",
			         parent);
		changed = true;
	}
	return changed;
}

/* Refuses the rows on a cycle of the path that ends at `path[from]`. */
static void fail_cycle(struct units_import *im, GPtrArray *path, guint from)
{
	g_autoptr(GString) cycle = g_string_new(NULL);

	for (guint i = from; i < path->len; i++) {
		const struct node *n = g_ptr_array_index(path, i);
		g_string_append_printf(cycle, "\"%s\" under ", n->code);
	}
	g_string_append_printf(cycle, "\"%s\"", ((struct node *)path->pdata[from])->code);
	for (guint i = from; i < path->len; i++) {
		struct node *n = g_ptr_array_index(path, i);
		if (good(n->row))
			fail_row(im, n->row, "the parents would make a cycle: %s", cycle->str);
	}
}

/* Refuses the rows on cycles; every parent exists (pass_parents found nothing). */
static bool pass_cycles(struct units_import *im)
{
	g_autoptr(GPtrArray) path = g_ptr_array_new();
	guint errors = im->result->errors->len;
	GHashTableIter iter;
	struct node *n;

	g_hash_table_iter_init(&iter, im->nodes);
	while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&n))
		n->mark = 0;
	for (guint i = 0; i < im->rows->len; i++) {
		struct row *r = g_ptr_array_index(im->rows, i);
		struct node *x = good(r) ? r->node : NULL;

		g_ptr_array_set_size(path, 0);
		while (x && x->mark == 0) {
			x->mark = 1;
			g_ptr_array_add(path, x);
			x = lookup(im, parent_of(x));
		}
		if (x && x->mark == 1) {
			guint from = 0;
			while (path->pdata[from] != x)
				from++;
			fail_cycle(im, path, from);
		}
		for (guint k = 0; k < path->len; k++)
			((struct node *)path->pdata[k])->mark = 2;
	}
	return im->result->errors->len != errors;
}

/* Sets the depth of every unit that will exist; the tree has no cycle now. */
static void compute_depths(struct units_import *im)
{
	g_autoptr(GPtrArray) path = g_ptr_array_new();
	GHashTableIter iter;
	struct node *n;

	g_hash_table_iter_init(&iter, im->nodes);
	while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&n))
		n->depth = -1;
	g_hash_table_iter_init(&iter, im->nodes);
	while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&n)) {
		struct node *x = n;
		int depth;

		if (!exists(n))
			continue;
		g_ptr_array_set_size(path, 0);
		/* The bound only matters for a cycle written into the table by hand. */
		while (x && x->depth < 0 && path->len <= g_hash_table_size(im->nodes)) {
			g_ptr_array_add(path, x);
			x = lookup(im, parent_of(x));
		}
		depth = x ? x->depth : -1;
		for (guint k = path->len; k-- > 0;)
			((struct node *)path->pdata[k])->depth = ++depth;
	}
}

/* Refuses, for each unit that would be too deep, the nearest row above it (or its own).
 * The rows are chosen first and refused after, so every walk sees the same tree. */
static bool pass_depth(struct units_import *im)
{
	g_autoptr(GHashTable) blamed = g_hash_table_new(NULL, NULL); /* row -> deepest node */
	GHashTableIter iter;
	struct node *n;
	struct row *r;

	compute_depths(im);
	g_hash_table_iter_init(&iter, im->nodes);
	while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&n)) {
		struct node *x = n, *deepest;
		if (!exists(n) || n->depth < DIRECTORY_MAX_LEVELS)
			continue;
		while (x && !good(x->row))
			x = lookup(im, parent_of(x));
		if (!x)
			continue;
		deepest = g_hash_table_lookup(blamed, x->row);
		if (!deepest || deepest->depth < n->depth)
			g_hash_table_insert(blamed, x->row, n);
	}
	g_hash_table_iter_init(&iter, blamed);
	while (g_hash_table_iter_next(&iter, (gpointer *)&r, (gpointer *)&n))
		fail_row(im, r, "unit \"%s\" would be on level %d; the directory allows %d levels",
		         n->code, n->depth + 1, DIRECTORY_MAX_LEVELS);
	return g_hash_table_size(blamed) > 0;
}

static gint by_depth(gconstpointer a, gconstpointer b)
{
	const struct row *x = *(struct row *const *)a, *y = *(struct row *const *)b;

	if (x->node->depth != y->node->depth)
		return x->node->depth - y->node->depth;
	return (x->line > y->line) - (x->line < y->line);
}

static char *row_detail(const struct row *r, const char *parent)
{
	JsonBuilder *detail = directory_detail_new();

	directory_detail_string(detail, "name", r->values[COL_NAME]);
	directory_detail_string(detail, "level", r->values[COL_LEVEL]);
	directory_detail_string(detail, "parent", parent);
	directory_detail_int(detail, "import_line", r->line);
	return directory_detail_finish(detail);
}

/* Inserts or updates one unit whose parent is written already. */
static bool write_row(struct store *st, struct units_import *im, struct row *r, GError **error)
{
	struct node *n = r->node, *p = lookup(im, parent_of(n));
	struct store_param parent_id = p ? STORE_INT(p->id) : STORE_NULL;
	g_autofree char *detail = row_detail(r, p ? p->code : NULL);
	const char *name = r->values[COL_NAME], *level = r->values[COL_LEVEL];

	if (!n->id) {
		g_autoptr(store_rows) rows = store_query(
		    st,
		    "INSERT INTO units (code, name, level, parent_id, created_at)"
		    " VALUES (?, ?, ?, ?, ?) RETURNING id",
		    STORE_PARAMS(STORE_TEXT(n->code), STORE_TEXT(name), STORE_TEXT(level),
		                 parent_id, STORE_INT(g_get_real_time() / 1000)),
		    error);
		if (!rows)
			return false;
		n->id = store_rows_get_int(rows, 0, 0);
		im->result->created++;
		return audit_append(st, im->who, "unit.create", n->code, detail, error);
	}
	if (strcmp(name, n->db_name) == 0 && strcmp(level, n->db_level) == 0 &&
	    g_strcmp0(p ? p->code : NULL, n->db_parent) == 0) {
		im->result->unchanged++;
		return true;
	}
	im->result->updated++;
	return store_exec(
	           st, "UPDATE units SET name = ?, level = ?, parent_id = ? WHERE id = ?",
	           STORE_PARAMS(STORE_TEXT(name), STORE_TEXT(level), parent_id, STORE_INT(n->id)),
	           NULL, error) &&
	       audit_append(st, im->who, "unit.update", n->code, detail, error);
}

static bool import_units(struct store *st, gpointer user_data, GError **error)
{
	struct units_import *im = user_data;
	g_autoptr(GPtrArray) order = g_ptr_array_new();
	JsonBuilder *summary;
	g_autofree char *detail = NULL;

	if (!load_directory(st, im, error))
		return false;
	/* Each pass may refuse rows, which changes what the others see: repeat until none
	 * does. Every repetition refuses at least one row, so this ends. */
	while (pass_parents(im) || pass_cycles(im) || pass_depth(im))
		;
	for (guint i = 0; i < im->rows->len; i++) {
		struct row *r = g_ptr_array_index(im->rows, i);
		if (good(r))
			g_ptr_array_add(order, r);
	}
	g_ptr_array_sort(order, by_depth);
	for (guint i = 0; i < order->len; i++) {
		if (!write_row(st, im, g_ptr_array_index(order, i), error))
			return false;
	}
	summary = directory_detail_new();
	directory_detail_int(summary, "created", im->result->created);
	directory_detail_int(summary, "updated", im->result->updated);
	directory_detail_int(summary, "unchanged", im->result->unchanged);
	directory_detail_int(summary, "errors", im->result->errors->len);
	detail = directory_detail_finish(summary);
	return audit_append(st, im->who, "unit.import", NULL, detail, error);
}

static void node_free(gpointer data)
{
	g_free(data);
}

bool directory_units_import(struct store *st, const struct principal *who, const char *text,
                            gsize len, struct directory_import_result *result, GError **error)
{
	struct import_file file;
	struct units_import im = {who, result, NULL, NULL, NULL, NULL};
	struct row *r = g_new0(struct row, 1);
	bool ok;

	directory_import_result_init(result, false);
	if (!directory_import_open(&file, text, len, directory_unit_columns, error)) {
		directory_import_close(&file);
		g_free(r);
		return false;
	}
	im.rows = g_ptr_array_new_with_free_func(row_free);
	im.first = g_hash_table_new(g_str_hash, g_str_equal);
	im.nodes = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, node_free);
	while (directory_import_next(&file, result, &r->line, r->values)) {
		g_ptr_array_add(im.rows, r);
		check_row(&im, r);
		r = g_new0(struct row, 1);
	}
	g_free(r);
	directory_import_close(&file);
	ok = store_transaction(st, import_units, &im, error);
	directory_import_sort_errors(result);
	g_hash_table_unref(im.nodes);
	g_hash_table_unref(im.first);
	g_ptr_array_unref(im.rows);
	g_clear_pointer(&im.db, store_rows_free);
	if (ok)
		g_info("[units] import: %u created, %u updated, %u unchanged, %u rows refused",
		       result->created, result->updated, result->unchanged, result->errors->len);
	return ok;
}
