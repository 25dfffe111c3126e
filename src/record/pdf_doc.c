/* SPDX-License-Identifier: MIT */
/* Page flow, paragraphs and tables on cairo + pango. */
#define G_LOG_DOMAIN "cau-pdf"
#include "pdf_doc.h"

#include <pango/pangocairo.h>
#include <string.h>

#define MARGIN_X      56.0
#define MARGIN_TOP    56.0
#define MARGIN_BOTTOM 64.0
#define FOOTER_Y      (PDF_A4_HEIGHT - 40.0)
#define CELL_PAD      3.0
#define MAX_COLUMNS   8

static const char *const fonts[] = {
    [PDF_BODY] = "DejaVu Sans 9",        [PDF_BOLD] = "DejaVu Sans Bold 9",
    [PDF_SMALL] = "DejaVu Sans 7.5",     [PDF_MONO] = "DejaVu Sans Mono 7",
    [PDF_HASH] = "DejaVu Sans Mono 9",   [PDF_HEADING] = "DejaVu Sans Bold 11",
    [PDF_TITLE] = "DejaVu Sans Bold 15",
};

/* A row laid out: its cells (or, with `header`, the titles) and its height. */
struct row {
	PangoLayout *cell[MAX_COLUMNS];
	guint n;
	bool header;
	double height;
};

struct pdf_doc {
	cairo_t *cr;
	int total_pages;
	char *footer;
	int page;              /* 1-based */
	double y;              /* where the next thing goes */
	PangoContext *context; /* at 72 dpi: font sizes are points of the page */
	PangoFontDescription *font[G_N_ELEMENTS(fonts)];
	/* the open table */
	struct pdf_column columns[MAX_COLUMNS];
	guint n_columns;
	struct row header; /* its header row, laid out once, drawn on every page it spans */
};

static double bottom(void)
{
	return PDF_A4_HEIGHT - MARGIN_BOTTOM;
}

double pdf_doc_text_width(const struct pdf_doc *d)
{
	return PDF_A4_WIDTH - 2 * MARGIN_X;
}

/* A laid-out text of `width` points; caller unrefs. */
static PangoLayout *layout(struct pdf_doc *d, const char *text, enum pdf_style style, double width,
                           PangoAlignment align)
{
	PangoLayout *l = pango_layout_new(d->context);

	pango_layout_set_font_description(l, d->font[style]);
	pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(l, align);
	pango_layout_set_text(l, text ? text : "", -1);
	return l;
}

static double height_of(PangoLayout *l)
{
	int w, h;

	pango_layout_get_size(l, &w, &h);
	return (double)h / PANGO_SCALE;
}

static void draw(struct pdf_doc *d, PangoLayout *l, double x, double y)
{
	cairo_set_source_rgb(d->cr, 0, 0, 0);
	cairo_move_to(d->cr, x, y);
	pango_cairo_show_layout(d->cr, l);
}

static void footer(struct pdf_doc *d)
{
	g_autofree char *number = d->total_pages
	                              ? g_strdup_printf("Trang %d/%d", d->page, d->total_pages)
	                              : g_strdup_printf("Trang %d", d->page);
	g_autoptr(PangoLayout) left =
	    layout(d, d->footer, PDF_SMALL, pdf_doc_text_width(d) * 0.75, PANGO_ALIGN_LEFT);
	g_autoptr(PangoLayout) right =
	    layout(d, number, PDF_SMALL, pdf_doc_text_width(d), PANGO_ALIGN_RIGHT);

	cairo_set_line_width(d->cr, 0.5);
	cairo_set_source_rgb(d->cr, 0.5, 0.5, 0.5);
	cairo_move_to(d->cr, MARGIN_X, FOOTER_Y - 4);
	cairo_line_to(d->cr, PDF_A4_WIDTH - MARGIN_X, FOOTER_Y - 4);
	cairo_stroke(d->cr);
	draw(d, left, MARGIN_X, FOOTER_Y);
	draw(d, right, MARGIN_X, FOOTER_Y);
}

static void new_page(struct pdf_doc *d)
{
	footer(d);
	cairo_show_page(d->cr);
	d->page++;
	d->y = MARGIN_TOP;
}

/* Starts a new page unless `height` more points fit on this one (or the page is empty,
 * where nothing would fit better). */
static void need(struct pdf_doc *d, double height)
{
	if (d->y + height > bottom() && d->y > MARGIN_TOP)
		new_page(d);
}

struct pdf_doc *pdf_doc_new(cairo_t *cr, PangoFontMap *font_map, int total_pages,
                            const char *footer_text)
{
	struct pdf_doc *d = g_new0(struct pdf_doc, 1);

	d->cr = cr;
	d->total_pages = total_pages;
	d->footer = g_strdup(footer_text);
	d->page = 1;
	d->y = MARGIN_TOP;
	d->context = pango_font_map_create_context(font_map);
	pango_cairo_update_context(cr, d->context);
	pango_cairo_context_set_resolution(d->context, 72);
	for (size_t i = 0; i < G_N_ELEMENTS(fonts); i++)
		d->font[i] = pango_font_description_from_string(fonts[i]);
	return d;
}

int pdf_doc_finish(struct pdf_doc *d)
{
	int pages = d->page;

	footer(d);
	cairo_show_page(d->cr);
	for (size_t i = 0; i < G_N_ELEMENTS(fonts); i++)
		pango_font_description_free(d->font[i]);
	g_object_unref(d->context);
	g_free(d->footer);
	g_free(d);
	return pages;
}

void pdf_doc_text(struct pdf_doc *d, const char *text, enum pdf_style style, PangoAlignment align,
                  double space_before)
{
	g_autoptr(PangoLayout) l = layout(d, text, style, pdf_doc_text_width(d), align);
	double h = height_of(l);

	d->y += space_before;
	need(d, h);
	draw(d, l, MARGIN_X, d->y);
	d->y += h;
}

void pdf_doc_titled_text(struct pdf_doc *d, const char *title, const char *text,
                         double space_before)
{
	g_autoptr(PangoLayout) l =
	    layout(d, NULL, PDF_BODY, pdf_doc_text_width(d), PANGO_ALIGN_LEFT);
	g_autofree char *markup = g_markup_printf_escaped("<b>%s</b>\n%s", title, text);
	double h;

	pango_layout_set_markup(l, markup, -1);
	h = height_of(l);
	d->y += space_before;
	need(d, h);
	draw(d, l, MARGIN_X, d->y);
	d->y += h;
}

/* Lines of a block, the first in bold. */
static PangoLayout *block(struct pdf_doc *d, const char *const *lines, double width)
{
	g_autofree char *rest = g_strjoinv("\n", (char **)lines + 1);
	g_autofree char *first = g_markup_escape_text(lines[0], -1);
	g_autofree char *escaped = g_markup_escape_text(rest, -1);
	g_autofree char *markup =
	    g_strdup_printf("<b>%s</b>%s%s", first, *rest ? "\n" : "", escaped);
	PangoLayout *l = layout(d, NULL, PDF_BODY, width, PANGO_ALIGN_CENTER);

	pango_layout_set_markup(l, markup, -1);
	return l;
}

void pdf_doc_pair(struct pdf_doc *d, const char *const *left, const char *const *right)
{
	double half = pdf_doc_text_width(d) / 2;
	g_autoptr(PangoLayout) a = block(d, left, half - 6);
	g_autoptr(PangoLayout) b = block(d, right, half - 6);
	double h = MAX(height_of(a), height_of(b));

	need(d, h);
	draw(d, a, MARGIN_X, d->y);
	draw(d, b, MARGIN_X + half + 6, d->y);
	d->y += h;
}

void pdf_doc_heading(struct pdf_doc *d, const char *text)
{
	g_autoptr(PangoLayout) l =
	    layout(d, text, PDF_HEADING, pdf_doc_text_width(d), PANGO_ALIGN_LEFT);
	double h = height_of(l);

	d->y += 14;
	need(d, h + 40); /* not alone at the foot of a page */
	draw(d, l, MARGIN_X, d->y);
	d->y += h + 4;
}

static void row_layout(struct pdf_doc *d, struct row *r, const char *const *cells, bool header)
{
	double width = pdf_doc_text_width(d);

	r->n = d->n_columns;
	r->header = header;
	r->height = 0;
	for (guint c = 0; c < r->n; c++) {
		double w = d->columns[c].width * width - 2 * CELL_PAD;
		r->cell[c] = layout(d, header ? d->columns[c].title : cells[c],
		                    header ? PDF_BOLD : d->columns[c].style, w, PANGO_ALIGN_LEFT);
		r->height = MAX(r->height, height_of(r->cell[c]));
	}
	r->height += 2 * CELL_PAD;
}

static void row_free(struct row *r)
{
	for (guint c = 0; c < r->n; c++)
		g_clear_object(&r->cell[c]);
	r->n = 0;
}

/* Draws a laid-out row at the current position and moves below it. */
static void row_draw(struct pdf_doc *d, const struct row *r)
{
	double x = MARGIN_X, width = pdf_doc_text_width(d);

	for (guint c = 0; c < r->n; c++) {
		double w = d->columns[c].width * width;
		if (r->header) {
			cairo_set_source_rgb(d->cr, 0.88, 0.90, 0.93);
			cairo_rectangle(d->cr, x, d->y, w, r->height);
			cairo_fill(d->cr);
		}
		cairo_set_source_rgb(d->cr, 0.55, 0.55, 0.55);
		cairo_set_line_width(d->cr, 0.4);
		cairo_rectangle(d->cr, x, d->y, w, r->height);
		cairo_stroke(d->cr);
		draw(d, r->cell[c], x + CELL_PAD, d->y + CELL_PAD);
		x += w;
	}
	d->y += r->height;
}

void pdf_doc_table_begin(struct pdf_doc *d, const struct pdf_column *columns, guint n_columns)
{
	g_return_if_fail(n_columns <= MAX_COLUMNS);
	memcpy(d->columns, columns, n_columns * sizeof *columns);
	d->n_columns = n_columns;
	row_layout(d, &d->header, NULL, true);
	need(d, 2 * d->header.height); /* the header and at least a row */
	row_draw(d, &d->header);
}

void pdf_doc_table_row(struct pdf_doc *d, const char *const *cells)
{
	struct row r;

	row_layout(d, &r, cells, false);
	if (d->y + r.height > bottom()) {
		new_page(d);
		row_draw(d, &d->header);
	}
	row_draw(d, &r);
	row_free(&r);
}

void pdf_doc_table_end(struct pdf_doc *d)
{
	row_free(&d->header);
	d->n_columns = 0;
	d->y += 2;
}
