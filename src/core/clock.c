/* SPDX-License-Identifier: MIT */
/* The real wall clock on GLib timeouts, and the fake clock of the tests. */
#define G_LOG_DOMAIN "cau-clock"
#include "clock.h"

/* The longest a real timer sleeps before it looks at the wall time again. */
#define REAL_MAX_SLEEP_MS 5000

void clock_free(struct clock *c)
{
	if (c)
		c->ops->free(c);
}

/* ---- the real clock ---- */

struct real_clock {
	struct clock base;
	GMainContext *context;
	GHashTable *timers; /* handle -> struct real_timer */
	guint next_handle;
};

struct real_timer {
	struct real_clock *owner;
	guint handle;
	gint64 at_ms;
	clock_timer_fn fn;
	gpointer user_data;
	GSource *source;
};

static gint64 real_now(struct clock *c)
{
	return g_get_real_time() / 1000;
}

static gboolean real_timer_wake(gpointer data);

static void real_timer_arm(struct real_timer *t)
{
	gint64 wait = CLAMP(t->at_ms - real_now(&t->owner->base), 0, REAL_MAX_SLEEP_MS);

	t->source = g_timeout_source_new((guint)wait);
	g_source_set_callback(t->source, real_timer_wake, t, NULL);
	g_source_set_name(t->source, "cau-clock-timer");
	g_source_attach(t->source, t->owner->context);
}

static void real_timer_free(gpointer data)
{
	struct real_timer *t = data;

	if (t->source) {
		g_source_destroy(t->source);
		g_source_unref(t->source);
	}
	g_free(t);
}

static gboolean real_timer_wake(gpointer data)
{
	struct real_timer *t = data;
	struct real_clock *rc = t->owner;
	clock_timer_fn fn = t->fn;
	gpointer user_data = t->user_data;

	g_source_unref(t->source);
	t->source = NULL;
	/* Early (a long wait cut short, or the wall clock stepped back): sleep again. */
	if (real_now(&rc->base) < t->at_ms) {
		real_timer_arm(t);
		return G_SOURCE_REMOVE;
	}
	g_hash_table_remove(rc->timers, GUINT_TO_POINTER(t->handle));
	fn(user_data);
	return G_SOURCE_REMOVE;
}

static guint real_call_at(struct clock *c, gint64 at_ms, clock_timer_fn fn, gpointer user_data)
{
	struct real_clock *rc = (struct real_clock *)c;
	struct real_timer *t = g_new0(struct real_timer, 1);

	t->owner = rc;
	if (++rc->next_handle == 0) /* 0 means "no timer" to callers */
		++rc->next_handle;
	t->handle = rc->next_handle;
	t->at_ms = at_ms;
	t->fn = fn;
	t->user_data = user_data;
	g_hash_table_insert(rc->timers, GUINT_TO_POINTER(t->handle), t);
	real_timer_arm(t);
	return t->handle;
}

static void real_cancel(struct clock *c, guint handle)
{
	struct real_clock *rc = (struct real_clock *)c;

	if (handle)
		g_hash_table_remove(rc->timers, GUINT_TO_POINTER(handle));
}

static void real_free(struct clock *c)
{
	struct real_clock *rc = (struct real_clock *)c;

	g_hash_table_destroy(rc->timers);
	g_main_context_unref(rc->context);
	g_free(rc);
}

static const struct clock_ops real_ops = {real_now, real_call_at, real_cancel, real_free};

struct clock *clock_new_real(void)
{
	struct real_clock *rc = g_new0(struct real_clock, 1);

	rc->base.ops = &real_ops;
	rc->context = g_main_context_ref_thread_default();
	rc->timers = g_hash_table_new_full(NULL, NULL, NULL, real_timer_free);
	return &rc->base;
}

/* ---- the fake clock ---- */

struct fake_clock {
	struct clock base;
	gint64 now_ms;
	GList *timers; /* struct fake_timer, by time then by order of creation */
	guint next_handle;
};

struct fake_timer {
	guint handle;
	gint64 at_ms;
	clock_timer_fn fn;
	gpointer user_data;
};

static gint64 fake_now(struct clock *c)
{
	return ((struct fake_clock *)c)->now_ms;
}

static gint compare_timers(gconstpointer a, gconstpointer b)
{
	const struct fake_timer *x = a, *y = b;

	if (x->at_ms != y->at_ms)
		return x->at_ms < y->at_ms ? -1 : 1;
	return x->handle < y->handle ? -1 : x->handle > y->handle;
}

static guint fake_call_at(struct clock *c, gint64 at_ms, clock_timer_fn fn, gpointer user_data)
{
	struct fake_clock *fc = (struct fake_clock *)c;
	struct fake_timer *t = g_new0(struct fake_timer, 1);

	t->handle = ++fc->next_handle;
	t->at_ms = at_ms;
	t->fn = fn;
	t->user_data = user_data;
	fc->timers = g_list_insert_sorted(fc->timers, t, compare_timers);
	return t->handle;
}

static void fake_cancel(struct clock *c, guint handle)
{
	struct fake_clock *fc = (struct fake_clock *)c;

	for (GList *l = fc->timers; l; l = l->next) {
		struct fake_timer *t = l->data;
		if (t->handle == handle) {
			fc->timers = g_list_delete_link(fc->timers, l);
			g_free(t);
			return;
		}
	}
}

static void fake_free(struct clock *c)
{
	struct fake_clock *fc = (struct fake_clock *)c;

	g_list_free_full(fc->timers, g_free);
	g_free(fc);
}

static const struct clock_ops fake_ops = {fake_now, fake_call_at, fake_cancel, fake_free};

struct clock *clock_new_fake(gint64 start_ms)
{
	struct fake_clock *fc = g_new0(struct fake_clock, 1);

	fc->base.ops = &fake_ops;
	fc->now_ms = start_ms;
	return &fc->base;
}

void clock_fake_set(struct clock *c, gint64 at_ms)
{
	struct fake_clock *fc = (struct fake_clock *)c;

	g_return_if_fail(c->ops == &fake_ops);
	while (fc->timers && ((struct fake_timer *)fc->timers->data)->at_ms <= at_ms) {
		struct fake_timer *t = fc->timers->data;
		fc->timers = g_list_delete_link(fc->timers, fc->timers);
		fc->now_ms = MAX(fc->now_ms, t->at_ms);
		t->fn(t->user_data);
		g_free(t);
	}
	fc->now_ms = MAX(fc->now_ms, at_ms);
}

void clock_fake_advance(struct clock *c, gint64 delta_ms)
{
	clock_fake_set(c, fake_now(c) + delta_ms);
}

gint64 clock_fake_next_timer(struct clock *c)
{
	struct fake_clock *fc = (struct fake_clock *)c;

	g_return_val_if_fail(c->ops == &fake_ops, -1);
	return fc->timers ? ((struct fake_timer *)fc->timers->data)->at_ms : -1;
}
