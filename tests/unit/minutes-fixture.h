/* SPDX-License-Identifier: MIT */
/* The fixture of the meeting event log and minutes tests: a migrated store (SQLite, or
 * PostgreSQL under tests/pg/pg-run.sh) holding a live meeting of Tỉnh Lâm Đồng with its
 * communes, an agenda and a material in two versions. */
#pragma once

#include "control/meeting_events.h"
#include "db-fixture.h"

#define MIN_MS G_GINT64_CONSTANT(60000)
#define T0     G_GINT64_CONSTANT(1714957200000) /* 2024-05-06 08:00 in Hà Nội */
#define SHA_A  "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
#define SHA_B  "f9e8d7c6b5a4938271605f4e3d2c1b0af9e8d7c6b5a4938271605f4e3d2c1b0a"

struct fixture {
	struct db_fixture db;
	struct store *st;
	char *dir; /* a scratch folder for files */
};

static const struct principal admin = {1, "admin", ROLE_OPERATOR};

static inline void exec(struct fixture *f, const char *sql)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(store_exec(f->st, sql, NULL, 0, NULL, &error));
	g_assert_no_error(error);
}

/* Tỉnh Lâm Đồng (1) > Xã Tân Phú (2), Phường 1 Đà Lạt (3); Thành phố Hồ Chí Minh (4) >
 * Phường Bến Nghé (5). Endpoints: TP-01 (1) and TP-02 (2) in Xã Tân Phú, P1-01 (3) in
 * Phường 1, LD-01 (4) at the province, BN-01 (5) in Phường Bến Nghé. Meeting 1 (live,
 * chaired by chu.tich) invites the province with its descendants and BN-01; meeting 2
 * is still scheduled. Agenda items 1, 2 of meeting 1; material 1 of meeting 1 in
 * versions 1 and 2, material 2 of meeting 2. */
static inline void setup(struct fixture *f, gconstpointer backend)
{
	g_autoptr(GError) error = NULL;

	db_fixture_setup(&f->db, backend);
	f->dir = g_dir_make_tmp("cau-minutes-XXXXXX", &error);
	g_assert_no_error(error);
	f->st = store_open(f->db.url, &error);
	g_assert_no_error(error);
	g_assert_true(store_migrate(f->st, &error));
	exec(f, "INSERT INTO accounts (username, role, password_hash, created_at) VALUES "
	        "('admin', 'operator', 'x', 0), ('chu.tich', 'chair', 'x', 0)");
	exec(f, "INSERT INTO units (code, name, level, parent_id, created_at) VALUES "
	        "('68', 'Tỉnh Lâm Đồng', 'province', NULL, 0), "
	        "('68.24880', 'Xã Tân Phú', 'commune', 1, 0), "
	        "('68.24772', 'Phường 1, Đà Lạt', 'commune', 1, 0), "
	        "('79', 'Thành phố Hồ Chí Minh', 'province', NULL, 0), "
	        "('79.26734', 'Phường Bến Nghé', 'commune', 4, 0)");
	exec(f, "INSERT INTO endpoints (code, name, unit_id, kind, created_at) VALUES "
	        "('TP-01', 'Phòng họp UBND xã Tân Phú', 2, 'browser', 0), "
	        "('TP-02', 'Hội trường xã Tân Phú', 2, 'sip', 0), "
	        "('P1-01', 'Phòng họp Phường 1', 3, 'browser', 0), "
	        "('LD-01', 'Phòng họp UBND tỉnh, tầng 2', 1, 'whip', 0), "
	        "('BN-01', 'Phòng họp Phường Bến Nghé', 5, 'browser', 0)");
	exec(f, "INSERT INTO meetings (title, description, start_at, end_at, lead_ms, grace_ms, "
	        "chair_account_id, state, opened_at, live_at, created_by, created_at, updated_at) "
	        "VALUES ('Họp giao ban UBND tỉnh Lâm Đồng tháng 5', 'Tình hình kinh tế - xã hội', "
	        "1714957200000, 1714964400000, 900000, 900000, 2, 'live', 1714956300000, "
	        "1714957200000, 'admin', 0, 0), "
	        "('Họp Xã Tân Phú', '', 1714957200000, 1714964400000, 0, 0, NULL, 'scheduled', "
	        "NULL, NULL, 'admin', 0, 0)");
	exec(f, "INSERT INTO meeting_invitees (meeting_id, unit_id, endpoint_id, "
	        "include_descendants) VALUES (1, 1, NULL, 1), (1, NULL, 5, 0)");
	exec(f, "INSERT INTO agenda_items (meeting_id, position, title, presenter, duration_min) "
	        "VALUES (1, 1, 'Báo cáo kinh tế - xã hội', 'Sở Kế hoạch và Đầu tư', 30), "
	        "(1, 2, 'Tờ trình ngân sách xã Tân Phú', 'UBND xã Tân Phú', 20)");
	exec(f,
	     "INSERT INTO materials (meeting_id, agenda_item_id, name, created_by, created_at) "
	     "VALUES (1, 1, 'Báo cáo KT-XH.pdf', 'admin', 0), (2, NULL, 'Khác.pdf', 'admin', 0)");
	exec(f, "INSERT INTO material_versions (material_id, version, file_name, size, sha256, "
	        "type, mime, uploaded_by, uploaded_at) VALUES "
	        "(1, 1, 'Báo cáo KT-XH.pdf', 1000, '" SHA_A "', 'pdf', 'application/pdf', 'admin', "
	        "1714950000000), "
	        "(1, 2, 'Báo cáo KT-XH (sửa).pdf', 1200, '" SHA_B "', 'pdf', 'application/pdf', "
	        "'admin', 1714953600000), "
	        "(2, 1, 'Khác.pdf', 10, '" SHA_A "', 'pdf', 'application/pdf', 'admin', 0)");
}

static inline void teardown(struct fixture *f, gconstpointer backend)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);

	store_close(f->st);
	g_assert_cmpint(system(cmd), ==, 0);
	g_free(f->dir);
	db_fixture_teardown(&f->db, backend);
}

static inline void ok(bool result, GError *error)
{
	g_assert_no_error(error);
	g_assert_true(result);
}

/* Appends an event that must be accepted. */
static inline void event(struct fixture *f, const char *kind, gint64 endpoint, const char *detail,
                         gint64 at)
{
	GError *error = NULL;

	ok(meeting_events_append(f->st, 1, kind, endpoint, detail, at, &error), error);
}
