/* runner.c — the headless runner: plays a scenario file through the real flow, store
 * and services on a virtual clock, printing every screen and every order change.
 *
 * A scenario is one command per line ('#' starts a comment):
 *   clock 2026-11-21 21:00        set the virtual clock (China time)
 *   tap business renew            a tap on an intent: business, holder, next, back,
 *   tap holder unit                 cancel, years, seal, sub-keys, change, more-time
 *   type 91350200MA2YJ1XR9G       what the on-screen keypad produced
 *   pin 246810                    a PIN typed on the scrambled keypad
 *   email zhang@example.com       an e-mail typed on the Latin keyboard
 *   wait 30                       let 30 seconds pass, ticking each second
 *   restart                       power cut: the kiosk starts again and recovers
 *   <slot> <verb> [args]          steer the simulated device or peer behind a service,
 *                                 or ask the service itself (app/steer.h), e.g.
 *                                 "keys insert unit-expiring", "idreader present ID NAME",
 *                                 "pay paid", "printer paper-out", "sync down" (the
 *                                 simulators), "pay reconcile", "sync now",
 *                                 "dispenser refill 1 20" (the services); "$order" in args
 *                                 stands for the number of the order shown last (the one
 *                                 "expect order" reads), so a scenario on the real clock
 *                                 names its order without knowing the date
 *   staff enter                   the hidden gesture (staff mode opens at its PIN pad)
 *   staff pin 20261121            the staff PIN (never echoed)
 *   staff show stock              a staff screen: home, devices, stock, orders,
 *                                   stranded, receipts
 *   staff restock-start           start a restock (on the stock screen)
 *   staff load-more 1 [N]         count N (default 1) keys loaded into bin 1; load-less
 *   staff remove-more [N]         count keys taken out of the retain bin; remove-less
 *   staff restock-end             end the restock: refill, count, print the slip
 *   staff restock-cancel | refund ROW | reprint ROW | service | exit   (ROW from 1)
 *   staff reconcile               on the orders screen: today against Alipay's bill, the
 *                                   slip prints
 *   expect screen|step|error|notice|order|amount|open|journal|personal|print VALUE
 *   expect staff SCREEN           staff mode's screen ("off" outside staff mode)
 *   expect staff-notice KEY       its notice ("-" for none)
 *   await  (the same)             wait up to 30 s of real time for it (services that
 *                                 answer from their own threads, e.g. a payment poll)
 * After each line the runner waits until no service is busy. A failed expectation is
 * reported with its line and counted; the run goes on. */
#include "runner.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "app/steer.h"
#include "base/mono.h"
#include "base/notify.h"
#include "conf/strings.h"
#include "core/cntime.h"
#include "staff/staff.h"
#include "core/ident.h"
#include "core/money.h"
#include "store/store.h"

#define RUNNER_SETTLE_MS 60000
#define RUNNER_AWAIT_MS  30000

struct runner {
	const struct conf *conf;
	FILE *out;
	struct strings *zh;
	struct app *app;
	int64_t mono_ms, utc_s;
	int64_t last_order_id;
	struct flow_view shown; /* the last view printed */
	unsigned staff_shown;   /* the version of the staff view seen last */
	char staff_line[512];   /* the staff line printed last */
	int failures;
	const char *file;
	int line;
};

static runner_view_fn view_hook;
static void *view_hook_ctx;

void runner_set_view_hook(runner_view_fn fn, void *ctx)
{
	view_hook = fn;
	view_hook_ctx = ctx;
}

static int64_t clock_mono(void *ctx)
{
	return ((struct runner *)ctx)->mono_ms;
}

static int64_t clock_utc(void *ctx)
{
	return ((struct runner *)ctx)->utc_s;
}

static const char *text(const struct runner *r, const char *key)
{
	return strings_get(r->zh, key);
}

/* Whether v differs from the last view shown only in its countdown. */
static int countdown_only(struct runner *r, const struct flow_view *v)
{
	struct flow_view a = r->shown, b = *v;
	a.remaining_s = b.remaining_s = 0;
	a.show_countdown = b.show_countdown = 0;
	a.can_extend = b.can_extend = 0;
	a.version = b.version = 0;
	/* copies of one view: a false difference would only print it once more */
	// NOLINTNEXTLINE(bugprone-suspicious-memory-comparison)
	return memcmp(&a, &b, sizeof a) == 0;
}

/* A staff screen as a line: its name, notice and the figures it shows; printed when it
 * differs from the last one. */
static void show_staff(struct runner *r, const struct staff_view *sv)
{
	char line[sizeof r->staff_line] = "";
	FILE *o = fmemopen(line, sizeof line - 1, "w");
	const struct staff_data *d = &sv->data;
	char buf[32];
	if (!o)
		return;
	fprintf(o, "  [staff] %s", staff_screen_name(sv->screen));
	if (sv->notice_key[0])
		fprintf(o, " | %s [%s]", text(r, sv->notice_key), sv->notice_key);
	switch (sv->screen) {
	case STAFF_PIN:
		fprintf(o, " | %d tries left", sv->tries_left);
		break;
	case STAFF_LOCKED:
		fprintf(o, " | %d s locked", sv->locked_s);
		break;
	case STAFF_STOCK:
	case STAFF_RESTOCK:
		for (int b = 0; b < d->bins && b < STAFF_BINS_MAX; b++)
			fprintf(o, " | bin %d: %lld", b + 1, (long long)d->blank[b]);
		fprintf(o, " | retained %lld", (long long)d->retained);
		if (sv->screen == STAFF_RESTOCK) {
			for (int b = 0; b < d->bins && b < STAFF_BINS_MAX; b++)
				fprintf(o, " | load %d: %lld", b + 1, (long long)sv->loaded[b]);
			fprintf(o, " | removed %lld", (long long)sv->removed);
		}
		break;
	case STAFF_ORDERS:
		money_format(d->takings_today_fen, buf, sizeof buf);
		fprintf(o, " | orders %d, served %d, refunded %d, takings %s yuan, outbox %lld",
		        d->orders_today, d->served_today, d->refunded_today, buf,
		        (long long)d->outbox);
		break;
	case STAFF_STRANDED:
		fprintf(o, " | %d stranded", d->nstranded);
		for (int i = 0; i < d->nunsettled && i < STAFF_ROWS_MAX; i++)
			fprintf(o, "%s%s %s", i ? ", " : " | unsettled: ", d->unsettled[i].order_no,
			        payment_status_id(d->unsettled[i].status));
		break;
	case STAFF_RECEIPTS:
		fprintf(o, " | %d receipts", d->nreceipts);
		break;
	case STAFF_DEVICES:
		for (int i = 0; i < sv->ndevices; i++)
			fprintf(o, " | %s %s", sv->device[i].name, sv->device[i].status_key);
		break;
	default:
		break;
	}
	if (sv->screen == STAFF_HOME && d->nunsettled)
		fprintf(o, " | %d payments unsettled", d->nunsettled);
	if (sv->out_of_service)
		fprintf(o, " | out of service");
	fputc('\n', o);
	fclose(o);
	if (strcmp(line, r->staff_line) != 0)
		fputs(line, r->out);
	memcpy(r->staff_line, line, sizeof line);
}

static void show(void *ctx, const struct flow_view *v)
{
	struct runner *r = ctx;
	FILE *o = r->out;
	char buf[32];

	const struct staff_view *sv = app_staff_view(r->app);
	if (sv->version != r->staff_shown) {
		r->staff_shown = sv->version;
		show_staff(r, sv);
		if (sv->screen != STAFF_OFF || countdown_only(r, v))
			return;
	}
	/* a ticking countdown is shown every 10 s, not every second */
	if (countdown_only(r, v) && v->remaining_s % 10 != 0)
		return;
	r->shown = *v;

	if (v->order_id)
		r->last_order_id = v->order_id;
	if (v->screen == SCREEN_START)
		fprintf(o, "  [screen] start: %s", text(r, v->prompt_key));
	else if (v->screen == SCREEN_ERROR)
		fprintf(o, "  [screen] error: %s", text(r, v->prompt_key));
	else
		fprintf(o, "  [screen] %s/%s: %s", catalogue_business_id(v->biz),
		        catalogue_step_id(v->step), text(r, v->prompt_key));
	if (v->error_key[0])
		fprintf(o, " | ! %s [%s]", text(r, v->error_key), v->error_key);
	if (v->notice_key[0])
		fprintf(o, " | %s [%s]", text(r, v->notice_key), v->notice_key);
	if (v->screen == SCREEN_STEP) {
		if (v->step == STEP_KEY_INFO && v->have_key) {
			if (v->key_model[0])
				fprintf(o, " | key %s", v->key_model);
			fprintf(o, " | %s, %d days left, check %s", v->subject_masked,
			        v->key_days_left, v->check_pass ? "pass" : "fail");
			if (v->fit_key)
				fprintf(o, " | %s [%s]", text(r, v->fit_key), v->fit_key);
		}
		if (v->step == STEP_ID_CARD && v->have_card)
			fprintf(o, " | card %s", v->card_masked);
		if (v->step == STEP_OPTIONS)
			fprintf(o, " | years %d, seal %d, sub-keys %d", v->years, v->seal,
			        v->sub_keys);
		if (v->step == STEP_PIN)
			fprintf(o, " | entry %d of 2", v->pin_round ? v->pin_round : 2);
		if (v->step == STEP_CONFIRM || v->step == STEP_PAY || v->step == STEP_OPTIONS) {
			money_format(v->quote.total_fen, buf, sizeof buf);
			fprintf(o, " | total %s yuan", buf);
		}
		if (v->step == STEP_PAY && v->qr[0])
			fprintf(o, " | QR %s", v->qr);
		if (v->step == STEP_WORK && v->progress_key[0])
			fprintf(o, " | %s", text(r, v->progress_key));
		if (v->step == STEP_RESULT && v->order_no[0])
			fprintf(o, " | order %s", v->order_no);
		if (v->step == STEP_RESULT && v->print_key)
			fprintf(o, " | %s", text(r, v->print_key));
	}
	if (v->show_countdown)
		fprintf(o, " | %d s left%s", v->remaining_s, v->can_extend ? " (more time?)" : "");
	fputc('\n', o);
	if (v->screen == SCREEN_STEP && v->step == STEP_CONFIRM)
		for (int i = 0; i < v->quote.nlines; i++) {
			const struct fee_line *l = &v->quote.line[i];
			money_format(l->total_fen, buf, sizeof buf);
			fprintf(o, "             %s x%d", text(r, l->key), l->qty);
			if (l->years)
				fprintf(o, ", %d year%s%s", l->years, l->years > 1 ? "s" : "",
				        l->bundle ? " (4-year bundle)" : "");
			fprintf(o, ": %s yuan\n", buf);
		}
	if (view_hook)
		view_hook(view_hook_ctx, v, r->utc_s);
}

static void failed(struct runner *r, const char *fmt, const char *got, const char *want)
{
	fprintf(r->out, "%s:%d: EXPECTATION FAILED: ", r->file, r->line);
	fprintf(r->out, fmt, got, want);
	fputc('\n', r->out);
	r->failures++;
}

/* The current value of what a scenario can expect ("step", "order" …) into got.
 * Returns 0 when `what` is unknown. */
static int observe(struct runner *r, const char *what, char *got, size_t size)
{
	const struct flow_view *v = app_view(r->app);
	struct kerr err = {{0}};
	static const char *const screens[] = {"start", "step", "error"};

	if (strcmp(what, "screen") == 0) {
		snprintf(got, size, "%s", screens[v->screen]);
	} else if (strcmp(what, "step") == 0) {
		snprintf(got, size, "%s",
		         v->screen == SCREEN_STEP ? catalogue_step_id(v->step) : "-");
	} else if (strcmp(what, "error") == 0) {
		snprintf(got, size, "%s", v->error_key[0] ? v->error_key : "-");
	} else if (strcmp(what, "notice") == 0) {
		snprintf(got, size, "%s", v->notice_key[0] ? v->notice_key : "-");
	} else if (strcmp(what, "print") == 0) {
		snprintf(got, size, "%s", v->print_key ? v->print_key : "-");
	} else if (strcmp(what, "amount") == 0) {
		money_format(v->quote.total_fen, got, size);
	} else if (strcmp(what, "order") == 0) {
		struct order_row row;
		if (!r->last_order_id ||
		    store_order_get(app_store(r->app), r->last_order_id, &row, &err) != KR_OK)
			snprintf(got, size, "none");
		else
			snprintf(got, size, "%s", order_state_id(row.state));
	} else if (strcmp(what, "open") == 0) {
		struct order_row *rows = NULL;
		int n = -1;
		store_open_orders(app_store(r->app), &rows, &n, &err);
		free(rows);
		snprintf(got, size, "%d", n);
	} else if (strcmp(what, "journal") == 0) {
		int64_t bad = 0, rows = 0;
		int rc = store_journal_verify(app_store(r->app), &bad, &rows, &err);
		snprintf(got, size, "%s", rc == KR_OK ? "ok" : "broken");
	} else if (strcmp(what, "staff") == 0) {
		snprintf(got, size, "%s", staff_screen_name(app_staff_view(r->app)->screen));
	} else if (strcmp(what, "staff-notice") == 0) {
		const char *k = app_staff_view(r->app)->notice_key;
		snprintf(got, size, "%s", k[0] ? k : "-");
	} else if (strcmp(what, "personal") == 0) {
		snprintf(got, size, "%s", app_holds_personal_data(r->app) ? "held" : "none");
	} else {
		return 0;
	}
	return 1;
}

/* "expect WHAT VALUE": the value now. "await WHAT VALUE": the value within
 * RUNNER_AWAIT_MS of real time, for services that answer on their own threads. */
static void expect(struct runner *r, const char *what, const char *want, int await)
{
	char got[64];
	int64_t until = mono_ms() + RUNNER_AWAIT_MS;
	for (;;) {
		if (!observe(r, what, got, sizeof got)) {
			failed(r, "unknown expectation '%s'%s", what, "");
			return;
		}
		if (strcmp(got, want) == 0)
			return;
		if (!await || mono_ms() > until)
			break;
		app_settle(r->app, 50);
	}
	char fmt[96];
	snprintf(fmt, sizeof fmt, "%s is '%%s', expected '%%s'", what);
	failed(r, fmt, got, want);
}

/* Lets every service finish what it was asked before the next line of the scenario. */
static void settle(struct runner *r)
{
	if (app_settle(r->app, RUNNER_SETTLE_MS) != KR_OK)
		failed(r, "services still busy after %s ms%s", "60000", "");
}

static int start_app(struct runner *r, struct kerr *err)
{
	struct app_clock clock = {clock_mono, clock_utc, r};
	int rc = app_create(r->conf, &clock, r->out, &r->app, err);
	if (rc != KR_OK)
		return rc;
	app_set_observer(r->app, show, r);
	int found = 0;
	rc = app_recover(r->app, &found, err);
	if (rc == KR_OK) {
		fprintf(r->out, "[recovery] %d unfinished order%s\n", found, found == 1 ? "" : "s");
		settle(r);
	}
	show(r, app_view(r->app));
	return rc;
}

static int set_clock(struct runner *r, const char *args)
{
	int y, m, d, h, mi;
	if (sscanf(args, "%d-%d-%d %d:%d", &y, &m, &d, &h, &mi) != 5 || m < 1 || m > 12 || d < 1 ||
	    d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59)
		return KR_INVALID;
	r->utc_s = cntime_utc(y, m, d, h * 3600 + mi * 60);
	return KR_OK;
}

static void tap(struct runner *r, const char *args)
{
	char name[32] = "", arg[64] = "";
	struct flow_event ev = {.kind = FEV_TAP};
	sscanf(args, "%31s %63s", name, arg);
	int in = flow_intent_from_name(name);
	if (in < 0) {
		failed(r, "unknown intent '%s'%s", name, "");
		return;
	}
	ev.intent = (enum intent)in;
	switch (ev.intent) {
	case INTENT_BUSINESS:
		ev.arg = catalogue_business_from_id(arg);
		break;
	case INTENT_HOLDER:
		ev.arg = catalogue_holder_from_id(arg);
		break;
	case INTENT_CHANGE:
		ev.arg = catalogue_change_from_id(arg);
		break;
	default:
		ev.arg = atoi(arg);
		break;
	}
	app_post(r->app, &ev);
}

/* "staff VERB ARGS": a tap in staff mode (see the top of this file). */
static void staff_command(struct runner *r, char *args)
{
	char verb[32] = "", arg[64] = "";
	int times = 1;
	sscanf(args, "%31s %63s %d", verb, arg, &times);
	struct flow_event ev = {.kind = FEV_TAP, .intent = INTENT_STAFF};
	if (strcmp(verb, "enter") == 0) {
		ev.intent = INTENT_STAFF_ENTER;
		app_post(r->app, &ev);
		return;
	}
	int a = staff_action_from_name(verb);
	int row = 0;
	if (a < 0) {
		failed(r, "unknown staff verb '%s'%s", verb, "");
		return;
	}
	if (a == STA_PIN) {
		snprintf(ev.text, sizeof ev.text, "%s", arg);
	} else if (a == STA_SHOW) {
		row = staff_screen_from_name(arg);
		if (row < 0) {
			failed(r, "unknown staff screen '%s'%s", arg, "");
			return;
		}
	} else if (a == STA_REMOVE_MORE || a == STA_REMOVE_LESS) {
		times = arg[0] ? atoi(arg) : 1;
	} else if (arg[0]) {
		row = atoi(arg) - 1; /* bins and rows count from 1 in a scenario */
	}
	ev.arg = staff_arg((enum staff_action)a, row);
	for (int i = 0; i < times && i < STAFF_LOAD_MAX; i++)
		app_post(r->app, &ev);
	explicit_bzero(&ev, sizeof ev);
	explicit_bzero(arg, sizeof arg);
	explicit_bzero(args, strlen(args));
}

/* args with every "$order" replaced by the number of the order shown last, into out.
 * Returns 0, or -1 (a failed expectation) when there is no such order or out is full. */
static int expand_order(struct runner *r, const char *args, char *out, size_t size)
{
	static const char token[] = "$order";
	struct order_row row = {0};
	struct kerr err = {{0}};
	const char *at = strstr(args, token);
	if (at && (!r->last_order_id ||
	           store_order_get(app_store(r->app), r->last_order_id, &row, &err) != KR_OK)) {
		failed(r, "%s%s", "$order: no order shown yet", "");
		return -1;
	}
	size_t n = 0;
	for (; at; args = at + strlen(token), at = strstr(args, token)) {
		int w = snprintf(out + n, size - n, "%.*s%s", (int)(at - args), args, row.order_no);
		if (w < 0 || (size_t)w >= size - n)
			goto full;
		n += (size_t)w;
	}
	if ((size_t)snprintf(out + n, size - n, "%s", args) < size - n)
		return 0;
full:
	failed(r, "%s%s", "the line is too long once $order is filled in", "");
	return -1;
}

static int command(struct runner *r, char *line, struct kerr *err)
{
	char *cmd = strtok(line, " \t");
	char *args = strtok(NULL, "");
	args = args ? args + strspn(args, " \t") : "";

	if (strcmp(cmd, "clock") == 0) {
		if (set_clock(r, args) != KR_OK)
			failed(r, "bad clock '%s'%s", args, "");
		return KR_OK;
	}
	if (strcmp(cmd, "restart") == 0) {
		fprintf(r->out, "-- power cut: the kiosk restarts --\n");
		app_destroy(r->app);
		r->app = NULL;
		r->last_order_id = 0;
		return start_app(r, err);
	}
	if (strcmp(cmd, "wait") == 0) {
		int secs = atoi(args);
		for (int i = 0; i < secs; i++) {
			r->mono_ms += 1000;
			r->utc_s += 1;
			app_tick(r->app);
			settle(r);
		}
		return KR_OK;
	}
	if (strcmp(cmd, "expect") == 0 || strcmp(cmd, "await") == 0) {
		char what[32] = "", want[64] = "";
		sscanf(args, "%31s %63s", what, want);
		expect(r, what, want, cmd[0] == 'a');
		return KR_OK;
	}
	if (strcmp(cmd, "tap") == 0) {
		tap(r, args);
	} else if (strcmp(cmd, "staff") == 0) {
		staff_command(r, args);
	} else if (strcmp(cmd, "type") == 0 || strcmp(cmd, "pin") == 0 ||
	           strcmp(cmd, "email") == 0) {
		struct flow_event ev = {.kind = FEV_TAP};
		ev.intent = cmd[0] == 't' ? INTENT_TEXT : cmd[0] == 'p' ? INTENT_PIN : INTENT_EMAIL;
		snprintf(ev.text, sizeof ev.text, "%s", args);
		app_post(r->app, &ev);
		explicit_bzero(&ev, sizeof ev);
		explicit_bzero(args, strlen(args));
	} else {
		int slot = conf_service_from_name(cmd);
		struct service *svc =
		    slot >= 0 ? app_service(r->app, (enum conf_service)slot) : NULL;
		if (!svc) {
			failed(r, "unknown command '%s'%s", cmd, "");
			return KR_OK;
		}
		char verb[32] = "", expanded[512];
		sscanf(args, "%31s", verb);
		const char *rest = args + strlen(verb);
		rest += strspn(rest, " \t");
		struct kerr cerr = {{0}};
		if (expand_order(r, rest, expanded, sizeof expanded) == 0 &&
		    steer_service(r->conf, (enum conf_service)slot, svc, verb, expanded, &cerr) !=
		        KR_OK)
			failed(r, "%s%s", cerr.msg, "");
	}
	settle(r);
	return KR_OK;
}

/* Prints a scenario line as "> line", with PINs hidden and personal data masked. */
static void echo(FILE *out, const char *line)
{
	char buf[512], masked[128];
	snprintf(buf, sizeof buf, "%s", line);
	char *cmd = strtok(buf, " \t");
	const char *verb = line + strlen(cmd);
	verb += strspn(verb, " \t");
	if (strcmp(cmd, "pin") == 0 ||
	    (strcmp(cmd, "staff") == 0 && strncmp(verb, "pin", 3) == 0)) {
		fprintf(out, "> %s ******\n",
		        cmd[0] == 'p' ? "pin" : "staff pin"); /* never a PIN */
		explicit_bzero(buf, sizeof buf);
		return;
	}
	int personal =
	    strcmp(cmd, "type") == 0 || strcmp(cmd, "idreader") == 0 || strcmp(cmd, "email") == 0;
	fprintf(out, "> %s", cmd);
	for (char *tok; (tok = strtok(NULL, " \t"));) {
		if (personal && strchr(tok, '@'))
			ident_mask_email(tok, masked, sizeof masked);
		else if (personal && (unsigned char)tok[0] >= 0x80)
			ident_mask_name(tok, masked, sizeof masked);
		else if (personal && strlen(tok) >= 9)
			ident_mask(tok, masked, sizeof masked);
		else
			snprintf(masked, sizeof masked, "%s", tok);
		fprintf(out, " %s", masked);
	}
	fputc('\n', out);
	explicit_bzero(buf, sizeof buf);
}

int runner_play(const char *script, const struct conf *conf, FILE *out, int *failures,
                struct kerr *err)
{
	struct runner r = {.conf = conf, .out = out, .file = script, .mono_ms = 1000};
	r.utc_s = (int64_t)time(NULL);
	*failures = 0;

	FILE *f = fopen(script, "r");
	if (!f)
		return kerr_set(err, KR_IO, "%s: cannot open the scenario", script);
	int rc = strings_load(conf->assets, "zh-CN", &r.zh, err);
	if (rc == KR_OK)
		rc = start_app(&r, err);
	struct kerr nerr = {{0}};
	if (rc == KR_OK && notify_send("READY=1", &nerr) != KR_OK)
		fprintf(out, "[notify] %s\n", nerr.msg);

	char line[512];
	while (rc == KR_OK && fgets(line, sizeof line, f)) {
		r.line++;
		line[strcspn(line, "\r\n")] = '\0';
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		size_t n = strlen(line);
		while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
		char *start = line + strspn(line, " \t");
		if (!*start)
			continue;
		echo(out, start);
		rc = command(&r, start, err);
		explicit_bzero(line, sizeof line);
		notify_send("WATCHDOG=1", &nerr);
	}
	notify_send("STOPPING=1", &nerr);
	fclose(f);
	app_destroy(r.app);
	strings_free(r.zh);
	*failures = r.failures;
	return rc;
}
