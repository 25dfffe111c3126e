/* SPDX-License-Identifier: MIT */
/* Fuzz target: the CSV reader (csv_parse), with a write/read round trip of every record
 * it accepts as the oracle. */
#include "control/csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes the well-formed records again and checks that reading them gives the same. */
static void round_trip(const struct csv_table *table, char delimiter)
{
	struct csv_options options = {.delimiter = delimiter};
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GPtrArray) good = g_ptr_array_new();
	g_autoptr(csv_table) again = NULL;

	for (guint i = 0; i < table->records->len; i++) {
		const struct csv_record *r = g_ptr_array_index(table->records, i);
		if (r->error)
			continue;
		for (guint f = 0; f < r->n_fields; f++) {
			if (strchr(r->fields[f], '\r'))
				abort(); /* line breaks inside fields are read as \n */
			csv_append_field(out, r->fields[f], f == 0, delimiter);
		}
		csv_end_record(out);
		g_ptr_array_add(good, (gpointer)r);
	}
	again = csv_parse(out->str, out->len, &options, NULL);
	if (!again || again->records->len != good->len)
		abort();
	for (guint i = 0; i < good->len; i++) {
		const struct csv_record *a = g_ptr_array_index(good, i);
		const struct csv_record *b = g_ptr_array_index(again->records, i);
		if (b->error || a->n_fields != b->n_fields)
			abort();
		for (guint f = 0; f < a->n_fields; f++) {
			if (strcmp(a->fields[f], b->fields[f]) != 0)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct csv_options options = {
	    .delimiter = csv_sniff_delimiter(text, size),
	    .max_bytes = 1 << 20,
	    .max_records = 5000,
	};
	GError *error = NULL;
	struct csv_table *table = csv_parse(text, size, &options, &error);

	if (!table) {
		if (!error)
			abort();
		g_error_free(error);
		return 0;
	}
	for (guint i = 0; i < table->records->len; i++) {
		const struct csv_record *r = g_ptr_array_index(table->records, i);
		if (r->line == 0 || !r->fields || r->fields[r->n_fields] != NULL)
			abort();
		if (!r->error && !g_utf8_validate(r->fields[0], -1, NULL))
			abort();
	}
	round_trip(table, options.delimiter);
	csv_table_free(table);
	return 0;
}
