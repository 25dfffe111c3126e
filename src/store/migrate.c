/* SPDX-License-Identifier: MIT */
/* Numbered SQL migrations, embedded in the binary and applied in order, one transaction
 * each, recorded in schema_migrations. */
#define G_LOG_DOMAIN "cau-store"
#include "store_backend.h"

#include <string.h>

#include "migrations-resources.h"

#define MIGRATIONS_PATH "/cau/store/migrations"

struct migration {
	gint64 version;
	char *name;
	char *resource;
};

static void migration_free(gpointer p)
{
	struct migration *m = p;

	g_free(m->name);
	g_free(m->resource);
	g_free(m);
}

static void state_free(gpointer p)
{
	struct store_migration_state *s = p;

	g_free(s->name);
	g_free(s->applied_at);
	g_free(s);
}

static int by_version(gconstpointer a, gconstpointer b)
{
	const struct migration *ma = *(struct migration *const *)a;
	const struct migration *mb = *(struct migration *const *)b;
	return (ma->version > mb->version) - (ma->version < mb->version);
}

/* The embedded migrations, named NNNN_name.sql, sorted by number. */
static GPtrArray *list_migrations(void)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(migration_free);
	/* Referencing the resource keeps its object (and its constructor) in the link. */
	GResource *resource G_GNUC_UNUSED = migrations_get_resource();
	g_auto(GStrv) names = g_resources_enumerate_children(MIGRATIONS_PATH, 0, NULL);

	for (char **n = names; n && *n; n++) {
		char *end = NULL;
		gint64 version = g_ascii_strtoll(*n, &end, 10);
		if (end == *n || *end != '_' || !g_str_has_suffix(*n, ".sql"))
			continue;
		struct migration *m = g_new0(struct migration, 1);
		m->version = version;
		m->name = g_strndup(end + 1, strlen(end + 1) - strlen(".sql"));
		m->resource = g_strconcat(MIGRATIONS_PATH "/", *n, NULL);
		g_ptr_array_add(list, m);
	}
	g_ptr_array_sort(list, by_version);
	return list;
}

/* The migration's SQL with the back end's dialect filled in for @ID@. */
static char *migration_sql(struct store *st, const struct migration *m, GError **error)
{
	g_autoptr(GBytes) bytes = g_resources_lookup_data(m->resource, 0, error);
	g_autoptr(GString) sql = NULL;

	if (!bytes)
		return NULL;
	sql = g_string_new_len(g_bytes_get_data(bytes, NULL), (gssize)g_bytes_get_size(bytes));
	g_string_replace(sql, "@ID@", st->ops->id_column, 0);
	return g_string_free(g_steal_pointer(&sql), FALSE);
}

static bool ensure_table(struct store *st, GError **error)
{
	return store_exec(st,
	                  "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY "
	                  "KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
	                  NULL, 0, NULL, error);
}

struct apply_ctx {
	const struct migration *m;
	const char *sql;
};

static bool apply_one(struct store *st, gpointer user_data, GError **error)
{
	struct apply_ctx *ctx = user_data;
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *at = g_date_time_format_iso8601(now);

	if (!store_exec_script(st, ctx->sql, error))
		return false;
	return store_exec(
	    st, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
	    STORE_PARAMS(STORE_INT(ctx->m->version), STORE_TEXT(ctx->m->name), STORE_TEXT(at)),
	    NULL, error);
}

GPtrArray *store_migration_status(struct store *st, GError **error)
{
	g_autoptr(GPtrArray) known = list_migrations();
	g_autoptr(store_rows) applied = NULL;
	GPtrArray *out;

	if (!ensure_table(st, error))
		return NULL;
	applied =
	    store_query(st, "SELECT version, applied_at FROM schema_migrations", NULL, 0, error);
	if (!applied)
		return NULL;
	out = g_ptr_array_new_with_free_func(state_free);
	for (guint i = 0; i < known->len; i++) {
		const struct migration *m = known->pdata[i];
		struct store_migration_state *s = g_new0(struct store_migration_state, 1);
		s->version = m->version;
		s->name = g_strdup(m->name);
		for (guint r = 0; r < store_rows_count(applied); r++) {
			if (store_rows_get_int(applied, r, 0) == m->version)
				s->applied_at = g_strdup(store_rows_get(applied, r, 1));
		}
		g_ptr_array_add(out, s);
	}
	return out;
}

bool store_migrate(struct store *st, GError **error)
{
	g_autoptr(GPtrArray) known = list_migrations();
	g_autoptr(GPtrArray) status = store_migration_status(st, error);

	if (!status)
		return false;
	for (guint i = 0; i < known->len; i++) {
		const struct migration *m = known->pdata[i];
		const struct store_migration_state *s = status->pdata[i];
		g_autofree char *sql = NULL;
		g_autoptr(GError) local = NULL;

		if (s->applied_at)
			continue;
		sql = migration_sql(st, m, error);
		if (!sql)
			return false;
		struct apply_ctx ctx = {m, sql};
		if (!store_transaction(st, apply_one, &ctx, &local)) {
			g_set_error(error, STORE_ERROR, STORE_ERROR_MIGRATION,
			            "migration %04" G_GINT64_FORMAT "_%s failed: %s", m->version,
			            m->name, local->message);
			return false;
		}
		g_info("[store %s] applied migration %04" G_GINT64_FORMAT "_%s", st->display_url,
		       m->version, m->name);
	}
	return true;
}
