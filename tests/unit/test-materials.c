/* SPDX-License-Identifier: MIT */
/* Unit tests of meeting materials on SQLite and PostgreSQL: uploads checked before any
 * row exists, versions, shared blobs, deletion, garbage collection, read access. */
#include "control/materials.h"
#include "db-fixture.h"

#include <stdlib.h>
#include <string.h>

struct fixture {
	struct db_fixture db;
	struct store *st;
	char *data_dir;
	struct blobstore *bs;
};

static const struct principal admin = {1, "admin", ROLE_OPERATOR};
static const struct principal chair = {2, "chu.tich", ROLE_CHAIR};
static const struct principal other_chair = {3, "chu.tich.khac", ROLE_CHAIR};

static void exec(struct fixture *f, const char *sql)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(store_exec(f->st, sql, NULL, 0, NULL, &error));
	g_assert_no_error(error);
}

/* Accounts 1-3, meeting 1 (chaired by 2, agenda item 1) and meeting 2 (agenda item 2). */
static void setup(struct fixture *f, gconstpointer backend)
{
	g_autoptr(GError) error = NULL;

	db_fixture_setup(&f->db, backend);
	f->st = store_open(f->db.url, &error);
	g_assert_no_error(error);
	g_assert_true(store_migrate(f->st, &error));
	exec(f, "INSERT INTO accounts (username, role, password_hash, created_at) VALUES "
	        "('admin', 'operator', 'x', 0), ('chu.tich', 'chair', 'x', 0), "
	        "('chu.tich.khac', 'chair', 'x', 0)");
	exec(f, "INSERT INTO meetings (title, start_at, end_at, lead_ms, grace_ms, "
	        "chair_account_id, created_by, created_at, updated_at) VALUES "
	        "('Họp giao ban Tỉnh Lâm Đồng', 1000, 2000, 0, 0, 2, 'admin', 0, 0), "
	        "('Họp Xã Tân Phú', 1000, 2000, 0, 0, NULL, 'admin', 0, 0)");
	exec(f, "INSERT INTO agenda_items (meeting_id, position, title) VALUES "
	        "(1, 1, 'Báo cáo kinh tế - xã hội'), (2, 1, 'Khác')");
	f->data_dir = g_dir_make_tmp("cau-materials-XXXXXX", &error);
	f->bs = blobstore_open(f->data_dir, &error);
	g_assert_no_error(error);
}

static void teardown(struct fixture *f, gconstpointer backend)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->data_dir);

	blobstore_free(f->bs);
	store_close(f->st);
	g_assert_cmpint(system(cmd), ==, 0);
	g_free(f->data_dir);
	db_fixture_teardown(&f->db, backend);
}

static GBytes *sample(const char *name)
{
	g_autofree char *path = g_build_filename(g_getenv("CAU_TEST_SOURCE_DIR"), "tests", "fuzz",
	                                         "corpus", "filetype", name, NULL);
	char *data = NULL;
	gsize len = 0;

	g_assert_true(g_file_get_contents(path, &data, &len, NULL));
	return g_bytes_new_take(data, len);
}

/* A writer holding `bytes`, as the HTTP layer leaves it after a body arrived. */
static struct blob_writer *upload(struct fixture *f, GBytes *bytes)
{
	g_autoptr(GError) error = NULL;
	struct blob_writer *w = blob_writer_new(f->bs, &error);

	g_assert_no_error(error);
	g_assert_true(
	    blob_writer_write(w, g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), &error));
	return w;
}

static gint64 count(struct fixture *f, const char *sql)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store_rows) rows = store_query(f->st, sql, NULL, 0, &error);

	g_assert_no_error(error);
	return store_rows_get_int(rows, 0, 0);
}

static guint blob_count(struct fixture *f)
{
	g_autoptr(GPtrArray) names = blobstore_list(f->bs, NULL);

	return names->len;
}

static gint64 create(struct fixture *f, const char *file, const char *name, gint64 item)
{
	g_autoptr(GBytes) bytes = sample(file);
	g_autoptr(blob_writer) w = upload(f, bytes);
	g_autoptr(GError) error = NULL;
	gint64 id = materials_create(f->st, f->bs, &admin, 1, item, name, w, &error);

	g_assert_no_error(error);
	g_assert_cmpint(id, >, 0);
	return id;
}

static void test_create(struct fixture *f, gconstpointer backend)
{
	g_autoptr(GBytes) pdf = sample("sample.pdf");
	g_autofree char *sha = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, pdf);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(store_rows) audit = NULL;
	gint64 id = create(f, "sample.pdf", "Báo cáo KT-XH 2024.pdf", 1);
	JsonObject *m;

	node = materials_get(f->st, id, &error);
	g_assert_no_error(error);
	m = json_node_get_object(node);
	g_assert_cmpint(json_object_get_int_member(m, "meeting_id"), ==, 1);
	g_assert_cmpint(json_object_get_int_member(m, "agenda_item_id"), ==, 1);
	g_assert_cmpstr(json_object_get_string_member(m, "name"), ==, "Báo cáo KT-XH 2024.pdf");
	g_assert_cmpint(json_object_get_int_member(m, "version"), ==, 1);
	g_assert_cmpstr(json_object_get_string_member(m, "type"), ==, "pdf");
	g_assert_cmpstr(json_object_get_string_member(m, "sha256"), ==, sha);
	g_assert_cmpint(json_object_get_int_member(m, "size"), ==, g_bytes_get_size(pdf));
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(m, "versions")), ==, 1);
	g_assert_true(blobstore_has(f->bs, sha));
	audit = store_query(f->st, "SELECT actor, action, target, detail FROM audit_log", NULL, 0,
	                    &error);
	g_assert_cmpuint(store_rows_count(audit), ==, 1);
	g_assert_cmpstr(store_rows_get(audit, 0, 1), ==, "material.upload");
	g_assert_nonnull(
	    strstr(store_rows_get(audit, 0, 3), "\"name\":\"Báo cáo KT-XH 2024.pdf\""));
}

/* A refused upload leaves no row, no blob, no audit entry. */
static void test_refused_leaves_nothing(struct fixture *f, gconstpointer backend)
{
	static const struct {
		const char *file, *name;
		gint64 meeting, item;
		int code;
		const char *says;
	} cases[] = {
	    {"refused-exe-named.pdf", "setup.pdf", 1, 0, CONTROL_ERROR_UNSUPPORTED,
	     "Windows program"},
	    {"refused-text.pdf", "bien-ban.pdf", 1, 0, CONTROL_ERROR_UNSUPPORTED, "plain text"},
	    {"refused-empty", "rong.pdf", 1, 0, CONTROL_ERROR_INVALID, "empty"},
	    {"sample.pdf", "a/b.pdf", 1, 0, CONTROL_ERROR_INVALID, "file name"},
	    {"sample.pdf", "x.pdf", 1, 2, CONTROL_ERROR_NOT_FOUND, "no agenda item 2"},
	    {"sample.pdf", "x.pdf", 99, 0, CONTROL_ERROR_NOT_FOUND, "no meeting"},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GBytes) bytes = sample(cases[i].file);
		g_autoptr(blob_writer) w = upload(f, bytes);
		g_autoptr(GError) error = NULL;

		g_assert_cmpint(materials_create(f->st, f->bs, &admin, cases[i].meeting,
		                                 cases[i].item, cases[i].name, w, &error),
		                ==, 0);
		g_assert_error(error, CONTROL_ERROR, cases[i].code);
		g_assert_nonnull(strstr(error->message, cases[i].says));
	}
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM materials"), ==, 0);
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM material_versions"), ==, 0);
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM audit_log"), ==, 0);
	g_assert_cmpuint(blob_count(f), ==, 0);
}

static void test_versions(struct fixture *f, gconstpointer backend)
{
	g_autoptr(GError) error = NULL;
	gint64 id = create(f, "sample.pdf", "Tờ trình.pdf", 0);
	struct material_file v1, latest;
	const char *files[] = {"sample.docx", "sample.pdf"};

	for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autoptr(GBytes) bytes = sample(files[i]);
		g_autoptr(blob_writer) w = upload(f, bytes);
		const char *name = i == 0 ? "Tờ trình (sửa).docx" : NULL;
		g_assert_cmpint(materials_add_version(f->st, f->bs, &admin, id, name, w, &error),
		                ==, (gint)i + 2);
		g_assert_no_error(error);
	}
	/* v3 has v1's content: one blob for both, its name taken from v2. */
	g_assert_cmpuint(blob_count(f), ==, 2);
	g_assert_true(materials_find_file(f->st, id, 1, &v1, &error));
	g_assert_true(materials_find_file(f->st, id, 0, &latest, &error));
	g_assert_cmpint(latest.version, ==, 3);
	g_assert_cmpstr(latest.sha256, ==, v1.sha256);
	g_assert_cmpstr(latest.file_name, ==, "Tờ trình (sửa).docx");
	g_assert_cmpstr(v1.mime, ==, "application/pdf");
	material_file_clear(&v1);
	material_file_clear(&latest);
	g_assert_false(materials_find_file(f->st, id, 4, &v1, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(materials_find_file(f->st, id + 1, 0, &v1, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND);
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
	                         "'material.version'"),
	                ==, 2);
}

/* Deleting removes the rows and the blobs no one else uses. */
static void test_delete(struct fixture *f, gconstpointer backend)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) png = sample("sample.png");
	g_autofree char *png_sha = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, png);
	gint64 doomed = create(f, "sample.pdf", "a.pdf", 0);
	gint64 kept = create(f, "sample.png", "b.png", 0);
	g_autoptr(blob_writer) w = upload(f, png);
	g_autoptr(JsonNode) list = NULL;

	g_assert_cmpint(materials_add_version(f->st, f->bs, &admin, doomed, "a.png", w, &error), ==,
	                2);
	g_assert_cmpuint(blob_count(f), ==, 2);
	g_assert_true(materials_delete(f->st, f->bs, &admin, doomed, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(blob_count(f), ==, 1); /* the PDF went, the shared PNG stayed */
	g_assert_true(blobstore_has(f->bs, png_sha));
	list = materials_list(f->st, 1, &error);
	g_assert_cmpuint(json_array_get_length(json_node_get_array(list)), ==, 1);
	g_assert_cmpint(json_object_get_int_member(
	                    json_array_get_object_element(json_node_get_array(list), 0), "id"),
	                ==, kept);
	g_assert_false(materials_delete(f->st, f->bs, &admin, doomed, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND);
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
	                         "'material.delete'"),
	                ==, 1);
}

/* A blob put in place whose rows never came (a crash in between) is collected. */
static void test_garbage_collection(struct fixture *f, gconstpointer backend)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) orphan = sample("sample.webp");
	g_autoptr(blob_writer) w = upload(f, orphan);

	create(f, "sample.odt", "Nghị quyết.odt", 0);
	g_assert_true(blob_writer_finish(w, &error) && blob_writer_commit(w, NULL, &error));
	g_assert_cmpuint(blob_count(f), ==, 2);
	g_assert_cmpint(materials_collect_garbage(f->st, f->bs, &error), ==, 1);
	g_assert_cmpuint(blob_count(f), ==, 1);
	g_assert_false(blobstore_has(f->bs, blob_writer_sha256(w)));
	g_assert_cmpint(materials_collect_garbage(f->st, f->bs, &error), ==, 0);
}

static void test_may_read(struct fixture *f, gconstpointer backend)
{
	const struct principal nobody = {0, "", ROLE_NONE};
	static const struct {
		const struct principal *who;
		gint64 meeting;
		int code; /* -1: allowed */
	} cases[] = {
	    {&admin, 1, -1},
	    {&admin, 2, -1},
	    {&chair, 1, -1},
	    {&chair, 2, CONTROL_ERROR_FORBIDDEN}, /* meeting 2 has no chair */
	    {&other_chair, 1, CONTROL_ERROR_FORBIDDEN},
	    {NULL, 1, CONTROL_ERROR_UNAUTHORIZED},
	    {&admin, 99, CONTROL_ERROR_NOT_FOUND},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		bool ok = materials_may_read(f->st, cases[i].who ? cases[i].who : &nobody,
		                             cases[i].meeting, &error);
		if (cases[i].code < 0) {
			g_assert_no_error(error);
			g_assert_true(ok);
		} else {
			g_assert_false(ok);
			g_assert_error(error, CONTROL_ERROR, cases[i].code);
		}
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn)                                                                              \
	DB_FIXTURE_ADD("/materials", name, DB_FIXTURE_BOTH, struct fixture, setup, fn, teardown)
	ADD("create", test_create);
	ADD("refused-leaves-nothing", test_refused_leaves_nothing);
	ADD("versions", test_versions);
	ADD("delete", test_delete);
	ADD("garbage-collection", test_garbage_collection);
	ADD("may-read", test_may_read);
	return g_test_run();
}
