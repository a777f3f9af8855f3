// SPDX-License-Identifier: GPL-2.0
/*
 * What the last action of an update reports besides its errno: the abort
 * cause, the lines that say why (the kernel log and sysfs "detail"), and
 * the run-pre matching statistics (sysfs "match").  Every failure goes
 * through ksplice_abort(), so the log and "detail" say the same thing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include "internal.h"

/* Room for the lines of "detail", leaving some for the truncation mark. */
#define DETAIL_ROOM	(KSPLICE_DETAIL_SIZE - sizeof(DETAIL_MORE))
#define DETAIL_MORE	"...\n"

/**
 * ksplice_report_begin() - forget what the last action reported
 * @update: the update
 * @matching: the action runs run-pre matching (apply, check): forget the
 *            last match statistics too
 *
 * CONTEXT: ksplice_mutex held.
 */
void ksplice_report_begin(struct ksplice_update *update, bool matching)
{
	lockdep_assert_held(&ksplice_mutex);
	update->cause = KSPLICE_CAUSE_none;
	update->nr_conflicts = 0;
	update->conflicts_truncated = false;
	update->detail[0] = '\0';
	update->detail_len = 0;
	update->detail_truncated = false;
	memset(&update->timings, 0, sizeof(update->timings));
	if (!matching)
		return;
	kvfree(update->match);
	update->match = NULL;
	update->match_len = 0;
}

/* Appends one line to "detail"; a line that does not fit is dropped. */
static void add_detail(struct ksplice_update *update, const char *prefix,
		       struct va_format *vaf)
{
	size_t room = DETAIL_ROOM - update->detail_len;
	char *p = update->detail + update->detail_len;
	size_t n;

	if (update->detail_truncated)
		return;
	n = snprintf(p, room, "%s%pV", prefix, vaf);
	if (n + 1 >= room) {	/* no room for a newline and the NUL */
		*p = '\0';
		update->detail_truncated = true;
		return;
	}
	if (!n || p[n - 1] != '\n')
		p[n++] = '\n';
	p[n] = '\0';
	update->detail_len += n;
}

/**
 * ksplice_abort() - report why an action fails
 * @update: the update
 * @cause: the abort cause; the first one of an action is kept
 * @fmt: the message, naming what and where (unit, function, offset,
 *       symbol), ending with a newline
 *
 * Logs "'<id>': <token>: <message>" and appends "<token>: <message>" to
 * the update's detail.
 *
 * CONTEXT: ksplice_mutex held.
 */
void ksplice_abort(struct ksplice_update *update,
		   enum ksplice_abort_cause cause, const char *fmt, ...)
{
	const char *token = ksplice_cause_names[cause];
	struct va_format vaf;
	char prefix[32];
	va_list args;

	lockdep_assert_held(&ksplice_mutex);
	if (update->cause == KSPLICE_CAUSE_none)
		update->cause = cause;
	snprintf(prefix, sizeof(prefix), "%s: ", token);
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("'%s': %s%pV", update->id, prefix, &vaf);
	va_end(args);
	va_start(args, fmt);
	vaf.va = &args;
	add_detail(update, prefix, &vaf);
	va_end(args);
}

/**
 * ksplice_abort_more() - a further line of the last ksplice_abort()
 * @update: the update
 * @fmt: the line (a conflict, "... and N more"), ending with a newline
 *
 * Logs "'<id>': <line>" and appends the line to the update's detail.
 *
 * CONTEXT: ksplice_mutex held.
 */
void ksplice_abort_more(struct ksplice_update *update, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	lockdep_assert_held(&ksplice_mutex);
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("'%s': %pV", update->id, &vaf);
	va_end(args);
	va_start(args, fmt);
	vaf.va = &args;
	add_detail(update, "", &vaf);
	va_end(args);
}

/**
 * ksplice_detail_show() - the detail lines of the last action, for sysfs
 * @update: the update
 * @buf: a sysfs buffer (PAGE_SIZE)
 *
 * CONTEXT: ksplice_mutex held.
 * RETURNS: The number of bytes written.
 */
ssize_t ksplice_detail_show(struct ksplice_update *update, char *buf)
{
	ssize_t n;

	lockdep_assert_held(&ksplice_mutex);
	n = sysfs_emit(buf, "%s", update->detail);
	if (update->detail_truncated)
		n += sysfs_emit_at(buf, n, DETAIL_MORE);
	return n;
}

#define KSPLICE_PHASE_NAME(name)	[KSPLICE_PHASE_##name] = #name,
static const char *const phase_names[] = {
	KSPLICE_PHASES(KSPLICE_PHASE_NAME)
};
#undef KSPLICE_PHASE_NAME

/**
 * ksplice_phase_set() - record what a phase of the current action took
 * @update: the update
 * @phase: the phase
 * @ns: its duration (a phase run again replaces the earlier figure)
 *
 * CONTEXT: ksplice_mutex held.
 */
void ksplice_phase_set(struct ksplice_update *update, enum ksplice_phase phase,
		       u64 ns)
{
	lockdep_assert_held(&ksplice_mutex);
	update->timings.ns[phase] = ns;
	update->timings.ran |= BIT(phase);
}

/**
 * ksplice_phase_done() - a phase of the current action ends now
 * @update: the update
 * @phase: the phase
 * @start: when it began (ktime_get_ns())
 *
 * CONTEXT: ksplice_mutex held.
 */
void ksplice_phase_done(struct ksplice_update *update,
			enum ksplice_phase phase, u64 start)
{
	ksplice_phase_set(update, phase, ktime_get_ns() - start);
}

/**
 * ksplice_phase_forget() - a phase did not run in the current try
 * @update: the update
 * @phase: the phase
 *
 * CONTEXT: ksplice_mutex held.
 */
void ksplice_phase_forget(struct ksplice_update *update,
			  enum ksplice_phase phase)
{
	lockdep_assert_held(&ksplice_mutex);
	update->timings.ns[phase] = 0;
	update->timings.ran &= ~BIT(phase);
}

/**
 * ksplice_timings_show() - the phases of the last action, for sysfs
 * @update: the update
 * @buf: a sysfs buffer (PAGE_SIZE)
 *
 * One "<phase> <ns>" line per phase the last action ran, in order.
 *
 * CONTEXT: ksplice_mutex held.
 * RETURNS: The number of bytes written.
 */
ssize_t ksplice_timings_show(struct ksplice_update *update, char *buf)
{
	unsigned int i;
	ssize_t n = 0;

	lockdep_assert_held(&ksplice_mutex);
	for (i = 0; i < KSPLICE_NR_PHASES; i++)
		if (update->timings.ran & BIT(i))
			n += sysfs_emit_at(buf, n, "%s %llu\n", phase_names[i],
					   update->timings.ns[i]);
	return n;
}

/* The words of "match" for a section's state. */
static const char *const state_names[] = {
	[KSPLICE_PRE_OPEN] = "ambiguous",	/* "absent" with 0 candidates */
	[KSPLICE_PRE_MATCHED] = "matched",
	[KSPLICE_PRE_ABSENT] = "absent",
	[KSPLICE_PRE_SKIPPED] = "skipped",
	[KSPLICE_PRE_MISMATCH] = "mismatch",
	[KSPLICE_PRE_WEAK] = "weak",
};

/* A section's state as "match" counts it: OPEN is ambiguous or absent. */
static enum ksplice_pre_state final_state(const struct ksplice_unit_state *st,
					  unsigned int i)
{
	if (st->sect_state[i] == KSPLICE_PRE_OPEN && !st->sect_nr[i])
		return KSPLICE_PRE_ABSENT;
	return st->sect_state[i];
}

/* Text built twice: measured with buf == NULL, then written. */
struct text {
	char *buf;
	size_t len, size;
};

static __printf(2, 3) void emit(struct text *t, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	t->len += vsnprintf(t->buf ? t->buf + t->len : NULL,
			    t->buf ? t->size - t->len : 0, fmt, args);
	va_end(args);
}

static void emit_unit(struct text *t, const struct ksplice_unit_state *st)
{
	unsigned int n[KSPLICE_PRE_WEAK + 1] = { };
	unsigned int i;

	for (i = 0; i < st->unit->nr_pre; i++)
		n[final_state(st, i)]++;
	emit(t, "%s %s pre=%u matched=%u mismatch=%u ambiguous=%u absent=%u weak=%u skipped=%u\n",
	     st->unit->name, st->unit->target, st->unit->nr_pre,
	     n[KSPLICE_PRE_MATCHED], n[KSPLICE_PRE_MISMATCH],
	     n[KSPLICE_PRE_OPEN], n[KSPLICE_PRE_ABSENT], n[KSPLICE_PRE_WEAK],
	     n[KSPLICE_PRE_SKIPPED]);
}

/* Lines for the unsettled sections; *@lines counts them, shown or not. */
static void emit_unsettled(struct text *t, const struct ksplice_unit_state *st,
			   unsigned int *lines)
{
	const struct ksplice_unit *unit = st->unit;
	unsigned int i;

	for (i = 0; i < unit->nr_pre; i++) {
		enum ksplice_pre_state s = final_state(st, i);

		if (s == KSPLICE_PRE_UNTRIED || s == KSPLICE_PRE_MATCHED ||
		    s == KSPLICE_PRE_SKIPPED)
			continue;
		if ((*lines)++ < KSPLICE_MATCH_MAX_LINES)
			emit(t, "%s %s %s %u\n", unit->name, unit->pre[i].name,
			     state_names[s], st->sect_nr[i]);
	}
}

static void format_match(struct text *t, struct ksplice_update *update,
			 const struct ksplice_unit_state *states)
{
	unsigned int u, lines = 0;

	for (u = 0; u < update->nr_units; u++)
		if (states[u].ran)
			emit_unit(t, &states[u]);
	for (u = 0; u < update->nr_units; u++)
		if (states[u].ran)
			emit_unsettled(t, &states[u], &lines);
	if (lines > KSPLICE_MATCH_MAX_LINES)
		emit(t, "... and %u more\n", lines - KSPLICE_MATCH_MAX_LINES);
}

/**
 * ksplice_record_match() - keep the run-pre statistics for sysfs "match"
 * @update: the update
 * @states: its units' states after run-pre matching (finished or not)
 *
 * One line per unit that matching began on, then one per section it did
 * not settle (docs/loader.md has the format).
 *
 * CONTEXT: ksplice_mutex held; might sleep.
 * RETURNS: 0, or -ENOMEM with cause set.
 */
int ksplice_record_match(struct ksplice_update *update,
			 const struct ksplice_unit_state *states)
{
	struct text t = { };

	lockdep_assert_held(&ksplice_mutex);
	format_match(&t, update, states);
	t.size = t.len + 1;
	t.buf = kvmalloc(t.size, GFP_KERNEL);
	if (!t.buf) {
		ksplice_abort(update, KSPLICE_CAUSE_out_of_memory,
			      "no memory for the match statistics (%zu bytes)\n",
			      t.size);
		return -ENOMEM;
	}
	t.len = 0;
	format_match(&t, update, states);
	kvfree(update->match);
	update->match = t.buf;
	update->match_len = min(t.len, t.size - 1);
	return 0;
}
