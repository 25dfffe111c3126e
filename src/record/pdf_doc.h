/* SPDX-License-Identifier: MIT */
/* A small document writer over cairo and pango: A4 pages that flow, paragraphs,
 * headings, tables whose rows break across pages with the header row repeated, and a
 * footer with page numbers. Text is UTF-8 in DejaVu Sans (every Vietnamese letter has a
 * glyph), embedded in the PDF as subsets. */
#pragma once

#include <cairo.h>
#include <glib.h>
#include <pango/pango.h>
#include <stdbool.h>

#define PDF_A4_WIDTH  595.276 /* points */
#define PDF_A4_HEIGHT 841.890

enum pdf_style {
	PDF_BODY,    /* 9 pt */
	PDF_BOLD,    /* 9 pt bold */
	PDF_SMALL,   /* 7.5 pt */
	PDF_MONO,    /* 7 pt monospaced, for hashes in tables */
	PDF_HASH,    /* 9 pt monospaced */
	PDF_HEADING, /* 11 pt bold */
	PDF_TITLE,   /* 15 pt bold */
};

struct pdf_column {
	const char *title;
	double width; /* a share of the text width; the shares of a table add up to 1 */
	enum pdf_style style;
};

typedef struct pdf_doc pdf_doc;

/* A writer drawing on `cr` with the fonts of `font_map` (both borrowed; the target is an A4 PDF
 * surface; a font map of its own keeps no state in the thread's default one, so any
 * thread may write a document). `total_pages` is shown in the footers ("Trang 2/5"); 0
 * in a first pass that only counts them. `footer` (copied) is printed at the left of
 * every footer. */
struct pdf_doc *pdf_doc_new(cairo_t *cr, PangoFontMap *font_map, int total_pages,
                            const char *footer);
/* Ends the last page (its footer, show page); returns the number of pages, and frees. */
int pdf_doc_finish(struct pdf_doc *d);

/* The width text may take, in points. */
double pdf_doc_text_width(const struct pdf_doc *d);

/* A paragraph over the full width, after `space_before` points, kept on one page: a new
 * page first when it does not fit. (Never longer than a page in the minutes: their
 * longest texts, 4000 characters, take about 45 lines.) */
void pdf_doc_text(struct pdf_doc *d, const char *text, enum pdf_style style, PangoAlignment align,
                  double space_before);

/* A paragraph of `text` under a bold line `title`, kept together like pdf_doc_text(). */
void pdf_doc_titled_text(struct pdf_doc *d, const char *title, const char *text,
                         double space_before);

/* Two blocks side by side (left and right halves), each of lines of `style`, the first
 * line of each in bold; used for the title block. */
void pdf_doc_pair(struct pdf_doc *d, const char *const *left, const char *const *right);

/* A section heading, kept on the page of what follows it. */
void pdf_doc_heading(struct pdf_doc *d, const char *text);

/* A table: the header row, then rows of cells (one string per column, NULL as empty)
 * that wrap within their column; a row that does not fit starts a new page, which
 * repeats the header. A row is never broken: keep long texts out of tables. */
void pdf_doc_table_begin(struct pdf_doc *d, const struct pdf_column *columns, guint n_columns);
void pdf_doc_table_row(struct pdf_doc *d, const char *const *cells);
void pdf_doc_table_end(struct pdf_doc *d);
