/* SPDX-License-Identifier: MIT */
/* Unit tests of the directory on a real SQLite store: the unit tree (cycles, depth,
 * deletes, subtrees), endpoint credentials and the CSV import's row checks. */
#include "control/directory.h"
#include "db-fixture.h"

#include <string.h>

static const struct principal operator_ = {
    .account_id = 1, .username = "admin", .role = ROLE_OPERATOR};

struct fixture {
	struct db_fixture db; /* first, so the fixture is also a db_fixture */
	struct store *st;
};

static void setup(struct fixture *f, gconstpointer backend)
{
	g_autoptr(GError) error = NULL;

	db_fixture_setup(&f->db, backend);
	f->st = store_open(f->db.url, &error);
	g_assert_no_error(error);
	g_assert_true(store_migrate(f->st, &error));
}

static void teardown(struct fixture *f, gconstpointer backend)
{
	store_close(f->st);
	db_fixture_teardown(&f->db, backend);
}

static gint64 add_unit(struct fixture *f, const char *code, const char *name, const char *level,
                       gint64 parent)
{
	g_autoptr(GError) error = NULL;
	struct unit_fields u = {.code = code, .name = name, .level = level, .parent_id = parent};
	gint64 id = directory_unit_create(f->st, &operator_, &u, &error);

	g_assert_no_error(error);
	g_assert_cmpint(id, >, 0);
	return id;
}

/* The codes of a flat list, joined with spaces, each prefixed by its depth. */
static char *list_codes(struct fixture *f)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) list = directory_units_list(f->st, &error);
	JsonArray *a = json_node_get_array(list);
	GString *s = g_string_new(NULL);

	g_assert_no_error(error);
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonObject *o = json_array_get_object_element(a, i);
		g_string_append_printf(s, "%s%" G_GINT64_FORMAT ":%s", i ? " " : "",
		                       json_object_get_int_member(o, "depth"),
		                       json_object_get_string_member(o, "code"));
	}
	return g_string_free(s, FALSE);
}

static char *import_units(struct fixture *f, const char *csv, guint *created, guint *updated);

static gint64 count_rows(struct fixture *f, const char *sql)
{
	g_autoptr(store_rows) rows = store_query(f->st, sql, NULL, 0, NULL);

	return store_rows_get_int(rows, 0, 0);
}

static void test_tree(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 vn = add_unit(f, "VN", "Chính phủ", "Chính phủ", 0);
	gint64 ld = add_unit(f, "LD", "Tỉnh Lâm Đồng", "tỉnh", vn);
	gint64 dq = add_unit(f, "LD-DQ", "Huyện Định Quán", "huyện", ld);
	gint64 tp = add_unit(f, "LD-DQ-TP", "Xã Tân Phú", "xã", dq);
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autofree char *codes = NULL;
	g_autoptr(JsonNode) tree = NULL, one = NULL;
	JsonObject *root;

	add_unit(f, "LD-DQ-PN", "Xã Phú Ngọc", "xã", dq);
	add_unit(f, "HCM", "Thành phố Hồ Chí Minh", "thành phố", vn);
	codes = list_codes(f);
	/* Tree order, siblings by code. */
	g_assert_cmpstr(codes, ==, "0:VN 1:HCM 1:LD 2:LD-DQ 3:LD-DQ-PN 3:LD-DQ-TP");

	g_assert_true(directory_units_under(f->st, ld, false, ids, &error));
	g_assert_cmpuint(ids->len, ==, 3);
	g_array_set_size(ids, 0);
	g_assert_true(directory_units_under(f->st, ld, true, ids, &error));
	g_assert_cmpuint(ids->len, ==, 4);
	g_array_set_size(ids, 0);
	g_assert_true(directory_units_under(f->st, tp, false, ids, &error));
	g_assert_cmpuint(ids->len, ==, 0);
	g_assert_false(directory_units_under(f->st, 999, true, ids, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND);
	g_clear_error(&error);

	tree = directory_units_tree(f->st, &error);
	g_assert_cmpuint(json_array_get_length(json_node_get_array(tree)), ==, 1);
	root = json_array_get_object_element(json_node_get_array(tree), 0);
	g_assert_cmpstr(json_object_get_string_member(root, "code"), ==, "VN");
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(root, "children")), ==,
	                 2);

	one = directory_unit_get(f->st, tp, &error);
	g_assert_no_error(error);
	root = json_node_get_object(one);
	g_assert_cmpint(json_object_get_int_member(root, "depth"), ==, 3);
	g_assert_cmpstr(json_object_get_string_member(root, "parent_code"), ==, "LD-DQ");
	g_assert_cmpstr(json_object_get_string_member(root, "name"), ==, "Xã Tân Phú");
}

static void test_cycles_and_conflicts(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 ld = add_unit(f, "LD", "Tỉnh Lâm Đồng", "tỉnh", 0);
	gint64 dq = add_unit(f, "LD-DQ", "Huyện Định Quán", "huyện", ld);
	gint64 tp = add_unit(f, "LD-DQ-TP", "Xã Tân Phú", "xã", dq);
	struct unit_fields move = {.set_parent = true, .parent_id = ld};
	struct unit_fields dup = {.code = "LD", .name = "Lâm Đồng", .level = "tỉnh"};

	move.parent_id = ld;
	g_assert_false(directory_unit_update(f->st, &operator_, ld, &move, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID);
	g_assert_cmpstr(error->message, ==, "unit \"LD\" cannot be its own parent");
	g_clear_error(&error);
	move.parent_id = tp;
	g_assert_false(directory_unit_update(f->st, &operator_, ld, &move, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT);
	g_assert_nonnull(strstr(error->message, "cycle"));
	g_clear_error(&error);
	/* Moving to the root and back is fine. */
	move.parent_id = 0;
	g_assert_true(directory_unit_update(f->st, &operator_, tp, &move, &error));
	move.parent_id = dq;
	g_assert_true(directory_unit_update(f->st, &operator_, tp, &move, &error));

	g_assert_cmpint(directory_unit_create(f->st, &operator_, &dup, &error), ==, 0);
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT);
	g_clear_error(&error);
	dup.code = "LD-DQ";
	g_assert_false(directory_unit_update(f->st, &operator_, tp, &dup, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT);
	g_clear_error(&error);

	g_assert_false(directory_unit_delete(f->st, &operator_, dq, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT);
	g_assert_nonnull(strstr(error->message, "still has 1 child unit; move"));
	g_clear_error(&error);
	g_assert_true(directory_unit_delete(f->st, &operator_, tp, &error));
	g_assert_true(directory_unit_delete(f->st, &operator_, dq, &error));
	g_assert_cmpint(count_rows(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
	                              "'unit.delete'"),
	                ==, 2);
}

static void test_bad_values(struct fixture *f, gconstpointer data)
{
	static const struct {
		struct unit_fields u;
		const char *says;
	} cases[] = {
	    {{"", "X", "xã"}, "\"code\" must be 1 to 32"},
	    {{"a b", "X", "xã"}, "\"code\" must be 1 to 32"},
	    {{"X", " Xã Tân Phú", "xã"}, "must not begin or end"},
	    {{"X", "Xã\tTân Phú", "xã"}, "control characters"},
	    {{"X", "Xã", "x\ny"}, "or line breaks"},
	    {{"X", "Xã", "xã", false, 999}, "no unit with id 999"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_assert_cmpint(directory_unit_create(f->st, &operator_, &cases[i].u, &error), ==,
		                0);
		g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID);
		g_assert_nonnull(strstr(error->message, cases[i].says));
	}
	/* A line break inside a name is kept (a two-line label from a spreadsheet). */
	add_unit(f, "TP", "Ủy ban nhân dân\nxã Tân Phú", "xã", 0);
}

static void test_depth_limit(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 parent = 0, root;
	struct unit_fields u = {.name = "Cấp", .level = "cấp"};
	struct unit_fields move = {.set_parent = true};

	for (int level = 1; level <= DIRECTORY_MAX_LEVELS; level++) {
		g_autofree char *code = g_strdup_printf("L%d", level);
		parent = add_unit(f, code, "Cấp", "cấp", parent);
	}
	u.code = "TOO-DEEP";
	u.parent_id = parent;
	g_assert_cmpint(directory_unit_create(f->st, &operator_, &u, &error), ==, 0);
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT);
	g_assert_nonnull(strstr(error->message, "the directory allows 32"));
	g_clear_error(&error);
	/* A root with a child, moved under level 31, would put the child on level 33. */
	root = add_unit(f, "R", "Gốc", "gốc", 0);
	add_unit(f, "R1", "Con", "con", root);
	move.parent_id = parent - 1; /* L31 */
	g_assert_false(directory_unit_update(f->st, &operator_, root, &move, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT);
	g_assert_nonnull(strstr(error->message, "33 levels"));
	g_clear_error(&error);
	move.parent_id = parent - 2; /* L30: R1 on level 32 */
	g_assert_true(directory_unit_update(f->st, &operator_, root, &move, &error));
	g_assert_no_error(error);
}

static void test_import_depth(struct fixture *f, gconstpointer data)
{
	g_autoptr(GString) csv = g_string_new("code,name,level,parent_code\n");
	g_autofree char *errors = NULL;
	guint created, updated;

	/* A chain of 34 units, deepest first: the rows for levels 33 and 34 are refused. */
	for (int level = DIRECTORY_MAX_LEVELS + 2; level >= 1; level--) {
		if (level > 1)
			g_string_append_printf(csv, "C%d,Cấp %d,cấp,C%d\n", level, level,
			                       level - 1);
		else
			g_string_append(csv, "C1,Cấp 1,cấp,\n");
	}
	errors = import_units(f, csv->str, &created, &updated);
	g_assert_cmpuint(created, ==, DIRECTORY_MAX_LEVELS);
	g_assert_cmpstr(errors, ==,
	                "2:unit \"C34\" would be on level 34; the directory allows 32 levels|"
	                "3:unit \"C33\" would be on level 33; the directory allows 32 levels");
}

static void test_import_depth_blames_the_moved_row(struct fixture *f, gconstpointer data)
{
	gint64 parent = 0, x;
	g_autofree char *errors = NULL;
	guint created, updated;

	for (int level = 1; level <= 29; level++) {
		g_autofree char *code = g_strdup_printf("L%d", level);
		parent = add_unit(f, code, "Cấp", "cấp", parent);
	}
	x = add_unit(f, "X", "Gốc X", "gốc", 0);
	add_unit(f, "Z", "Cháu Z", "cháu", add_unit(f, "Y", "Con Y", "con", x));
	/* N30 goes on level 30 and X under it: X on 31, Y on 32, Z on 33. Only X's row is
	 * to blame, whatever order the units are looked at in. */
	errors = import_units(f,
	                      "code,name,level,parent_code\n"
	                      "X,Gốc X,gốc,N30\n"
	                      "N30,Cấp 30,cấp,L29\n",
	                      &created, &updated);
	g_assert_cmpstr(errors, ==,
	                "2:unit \"Z\" would be on level 33; the directory allows 32 levels");
	g_assert_cmpuint(created, ==, 1);
	g_assert_cmpuint(updated, ==, 0);
}

static void test_endpoint_credentials(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 unit = add_unit(f, "LD-TP", "Xã Tân Phú", "xã", 0);
	struct endpoint_fields e = {.code = "LD-TP-01",
	                            .name = "Phòng họp UBND xã Tân Phú",
	                            .unit_id = unit,
	                            .kind = "browser",
	                            .contact_name = "Nguyễn Văn An",
	                            .contact_phone = "+84 263 3822 111",
	                            .disabled = -1};
	struct endpoint_fields disable = {.disabled = 1};
	g_autofree char *secret = NULL, *second = NULL;
	struct endpoint_identity who = {0};
	g_autoptr(store_rows) stored = NULL;
	gint64 id = directory_endpoint_create(f->st, &operator_, &e, &secret, &error);

	g_assert_no_error(error);
	g_assert_cmpuint(strlen(secret), >=, 43);
	stored = store_query(f->st, "SELECT credential_hash FROM endpoints", NULL, 0, &error);
	g_assert_null(strstr(store_rows_get(stored, 0, 0), secret));
	g_assert_cmpuint(strlen(store_rows_get(stored, 0, 0)), ==, 64);

	g_assert_true(directory_endpoint_authenticate(f->st, "LD-TP-01", secret, &who, &error));
	g_assert_cmpint(who.endpoint_id, ==, id);
	g_assert_cmpint(who.unit_id, ==, unit);
	g_assert_cmpstr(who.code, ==, "LD-TP-01");
	g_assert_false(directory_endpoint_authenticate(f->st, "LD-TP-01", "wrong", &who, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_UNAUTHORIZED);
	g_clear_error(&error);
	g_assert_false(directory_endpoint_authenticate(f->st, "NOPE", secret, &who, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_UNAUTHORIZED);
	g_clear_error(&error);

	second = directory_endpoint_reset_credential(f->st, &operator_, id, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(second, !=, secret);
	g_assert_false(directory_endpoint_authenticate(f->st, "LD-TP-01", secret, &who, &error));
	g_clear_error(&error);
	g_assert_true(directory_endpoint_authenticate(f->st, "LD-TP-01", second, &who, &error));

	g_assert_true(directory_endpoint_update(f->st, &operator_, id, &disable, &error));
	g_assert_false(directory_endpoint_authenticate(f->st, "LD-TP-01", second, &who, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_FORBIDDEN);
	g_clear_error(&error);
	g_assert_cmpint(count_rows(f, "SELECT COUNT(*) FROM audit_log WHERE target = 'LD-TP-01'"),
	                ==, 3); /* create, credential, update */

	g_clear_pointer(&secret, g_free);
	e.contact_phone = "12ab";
	e.code = "LD-TP-02";
	g_assert_cmpint(directory_endpoint_create(f->st, &operator_, &e, &secret, &error), ==, 0);
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID);
}

/* Imports `csv` and returns the errors as "line:message|..." */
static char *import_units(struct fixture *f, const char *csv, guint *created, guint *updated)
{
	g_autoptr(GError) error = NULL;
	struct directory_import_result r = {0};
	GString *s = g_string_new(NULL);

	g_assert_true(directory_units_import(f->st, &operator_, csv, strlen(csv), &r, &error));
	g_assert_no_error(error);
	for (guint i = 0; i < r.errors->len; i++) {
		struct directory_import_error *e =
		    &g_array_index(r.errors, struct directory_import_error, i);
		g_string_append_printf(s, "%s%u:%s", i ? "|" : "", e->line, e->message);
	}
	*created = r.created;
	*updated = r.updated;
	directory_import_result_clear(&r);
	return g_string_free(s, FALSE);
}

static void test_import_rows(struct fixture *f, gconstpointer data)
{
	guint created, updated;
	g_autofree char *errors = NULL, *codes = NULL;

	add_unit(f, "VN", "Chính phủ", "Chính phủ", 0);
	/* Children before parents; a bad row; a duplicate; a cycle inside the file; a row
	 * whose parent is refused; a missing parent; a wrong field count. */
	errors = import_units(f,
	                      "\xEF\xBB\xBF"
	                      "code,name,level,parent_code\r\n"
	                      "LD-DQ-TP,Xã Tân Phú,xã,LD-DQ\r\n"                /* 2 */
	                      "LD-DQ,Huyện Định Quán,huyện,LD\r\n"              /* 3 */
	                      "LD,Tỉnh Lâm Đồng,tỉnh,VN\r\n"                    /* 4 */
	                      "LD-DQ-TP,Xã Tân Phú 2,xã,LD-DQ\r\n"              /* 5 */
	                      "A,Vòng A,xã,B\r\n"                               /* 6 */
	                      "B,Vòng B,xã,A\r\n"                               /* 7 */
	                      "C,Con của A,xã,A\r\n"                            /* 8 */
	                      "D,Mồ côi,xã,KHONG-CO\r\n"                        /* 9 */
	                      "E,Thiếu cột,xã\r\n"                              /* 10 */
	                      "F,\"Xã Phú Ngọc, huyện Định Quán\",xã,LD-DQ\r\n" /* 11 */
	                      ",,,\r\n",                                        /* 12: skipped */
	                      &created, &updated);
	g_assert_cmpstr(errors, ==,
	                "5:code \"LD-DQ-TP\" appears already on line 2|"
	                "6:the parents would make a cycle: \"A\" under \"B\" under \"A\"|"
	                "7:the parents would make a cycle: \"A\" under \"B\" under \"A\"|"
	                "8:parent \"A\" (line 6) is not imported because of its error|"
	                "9:parent \"KHONG-CO\" is neither in the file nor in the directory|"
	                "10:the row has 3 fields; the header has 4");
	g_assert_cmpuint(created, ==, 4);
	codes = list_codes(f);
	g_assert_cmpstr(codes, ==, "0:VN 1:LD 2:LD-DQ 3:F 3:LD-DQ-TP");

	/* A cycle through the directory: VN under LD, which is under VN. */
	g_free(errors);
	errors = import_units(f, "code,name,level,parent_code\nVN,Chính phủ,Chính phủ,LD-DQ\n",
	                      &created, &updated);
	g_assert_cmpstr(errors, ==,
	                "2:the parents would make a cycle: \"VN\" under \"LD-DQ\" under \"LD\" "
	                "under \"VN\"");
	/* Without parent_code, existing parents stay; only the name changes. */
	g_free(errors);
	errors =
	    import_units(f, "name;code;level\nXã Tân Phú (mới);LD-DQ-TP;xã\n", &created, &updated);
	g_assert_cmpstr(errors, ==, "");
	g_assert_cmpuint(updated, ==, 1);
	g_free(codes);
	codes = list_codes(f);
	g_assert_cmpstr(codes, ==, "0:VN 1:LD 2:LD-DQ 3:F 3:LD-DQ-TP");
}

static void test_import_header(struct fixture *f, gconstpointer data)
{
	static const struct {
		const char *csv;
		const char *says;
		int code;
	} cases[] = {
	    {"", "the file is empty", CONTROL_ERROR_INVALID},
	    {"\xEF\xBB\xBF", "the file is empty", CONTROL_ERROR_INVALID},
	    {"code,name\nA,B\n", "column \"level\" is missing", CONTROL_ERROR_INVALID},
	    {"code,name,level,ghi_chu\n", "unknown column \"ghi_chu\" (column 4)",
	     CONTROL_ERROR_INVALID},
	    {"code,name,level,code\n", "column \"code\" appears twice", CONTROL_ERROR_INVALID},
	    {"code,name,level,\n", "column 4 has no name", CONTROL_ERROR_INVALID},
	    {"code,name,level\nLD,T\xec\x6e\x68,t\n", "UTF-8", CONTROL_ERROR_INVALID},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		struct directory_import_result r = {0};
		g_assert_false(directory_units_import(f->st, &operator_, cases[i].csv,
		                                      strlen(cases[i].csv), &r, &error));
		g_assert_error(error, CONTROL_ERROR, cases[i].code);
		g_assert_nonnull(strstr(error->message, cases[i].says));
		directory_import_result_clear(&r);
	}
}

static void test_round_trip(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	struct directory_import_result r = {0};
	gint64 ld = add_unit(f, "LD", "Tỉnh Lâm Đồng", "tỉnh", 0);
	struct endpoint_fields e = {.code = "LD-01",
	                            .name = "Phòng họp \"A\", tầng 2",
	                            .unit_id = ld,
	                            .kind = "whip",
	                            .disabled = -1};
	g_autofree char *secret = NULL, *units = NULL, *again = NULL, *endpoints = NULL;
	gsize len, len2;

	add_unit(f, "LD-BN", "Phường Bến Nghé,\nkhu 1", "phường", ld);
	directory_endpoint_create(f->st, &operator_, &e, &secret, &error);
	g_assert_no_error(error);
	units = directory_units_export(f->st, &len, &error);
	g_assert_true(g_str_has_prefix(units, "\xEF\xBB\xBF"
	                                      "code,name,level,parent_code\r\n"));
	g_assert_nonnull(strstr(units, "\"Phường Bến Nghé,\nkhu 1\""));
	g_assert_true(directory_units_import(f->st, &operator_, units, len, &r, &error));
	g_assert_cmpuint(r.unchanged, ==, 2);
	g_assert_cmpuint(r.errors->len, ==, 0);
	directory_import_result_clear(&r);
	again = directory_units_export(f->st, &len2, &error);
	g_assert_cmpstr(units, ==, again);

	endpoints = directory_endpoints_export(f->st, &len, &error);
	g_assert_nonnull(strstr(endpoints, "LD-01,\"Phòng họp \"\"A\"\", tầng 2\",LD,whip,,\r\n"));
	g_assert_true(directory_endpoints_import(f->st, &operator_, endpoints, len, &r, &error));
	g_assert_cmpuint(r.unchanged, ==, 1);
	g_assert_cmpuint(r.credentials->len, ==, 0);
	directory_import_result_clear(&r);
}

static void test_import_endpoints(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	struct directory_import_result r = {0};
	struct endpoint_identity who;
	const char *csv = "code,name,unit_code,kind,contact_name,contact_phone\n"
	                  "TP-01,Phòng họp xã Tân Phú,TP,browser,Nguyễn Văn An,0263 3822 111\n"
	                  "TP-02,Phòng họp 2,TP,fax,,\n"
	                  "TP-03,Phòng họp 3,KHONG-CO,sip,,\n"
	                  "TP-04,Phòng họp 4,TP,sip,,abc\n";
	const struct directory_import_credential *c;

	add_unit(f, "TP", "Xã Tân Phú", "xã", 0);
	g_assert_true(directory_endpoints_import(f->st, &operator_, csv, strlen(csv), &r, &error));
	g_assert_cmpuint(r.created, ==, 1);
	g_assert_cmpuint(r.errors->len, ==, 3);
	g_assert_cmpuint(g_array_index(r.errors, struct directory_import_error, 0).line, ==, 3);
	g_assert_nonnull(strstr(g_array_index(r.errors, struct directory_import_error, 0).message,
	                        "\"kind\" must be"));
	g_assert_nonnull(strstr(g_array_index(r.errors, struct directory_import_error, 1).message,
	                        "no unit with that code"));
	g_assert_nonnull(strstr(g_array_index(r.errors, struct directory_import_error, 2).message,
	                        "contact_phone"));
	g_assert_cmpuint(r.credentials->len, ==, 1);
	c = &g_array_index(r.credentials, struct directory_import_credential, 0);
	g_assert_cmpstr(c->code, ==, "TP-01");
	g_assert_true(directory_endpoint_authenticate(f->st, "TP-01", c->credential, &who, &error));
	directory_import_result_clear(&r);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn)                                                                              \
	DB_FIXTURE_ADD("/directory", name, DB_FIXTURE_BOTH, struct fixture, setup, fn, teardown)
	ADD("tree", test_tree);
	ADD("cycles-and-conflicts", test_cycles_and_conflicts);
	ADD("bad-values", test_bad_values);
	ADD("depth-limit", test_depth_limit);
	ADD("import-depth", test_import_depth);
	ADD("import-depth-blame", test_import_depth_blames_the_moved_row);
	ADD("endpoint-credentials", test_endpoint_credentials);
	ADD("import-rows", test_import_rows);
	ADD("import-header", test_import_header);
	ADD("round-trip", test_round_trip);
	ADD("import-endpoints", test_import_endpoints);
	return g_test_run();
}
