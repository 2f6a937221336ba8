/* screen_staff.c — staff mode: one layout per staff screen (PIN, locked, home, devices,
 * stock and restock, orders, stranded and unsettled payments, receipts), from the staff
 * view. */
#include <stdio.h>
#include <string.h>

#include "core/cntime.h"
#include "core/money.h"
#include "ui/screen_internal.h"

static struct btn staff_btn(const char *text, enum staff_action a, int row, enum theme_role role)
{
	return (struct btn){text, ACT_INTENT, INTENT_STAFF, staff_arg(a, row), role};
}

/* The bottom row: back to the staff home (when not at home) and leave staff mode. */
static void staff_nav(struct builder *b, int back)
{
	struct btn row[2];
	int n = 0;
	if (back)
		row[n++] = staff_btn(screen_tx(b, "staff.back"), STA_SHOW, STAFF_HOME, ROLE_BUTTON);
	row[n++] = staff_btn(screen_tx(b, "staff.exit"), STA_EXIT, 0, ROLE_BUTTON);
	screen_grid(b, row, n, n, FONT_BODY);
}

/* "key: value" as a line of information. */
static void staff_line(struct builder *b, enum theme_role role, const char *key, const char *value)
{
	char line[SCREEN_TEXT];
	snprintf(line, sizeof line, "%s: %s", screen_tx(b, key), value);
	screen_info(b, FONT_BODY, role, 0, line);
}

static void staff_count(struct builder *b, const char *key, int64_t n)
{
	char v[24];
	snprintf(v, sizeof v, "%lld", (long long)n);
	staff_line(b, ROLE_SCREEN, key, v);
}

static void staff_pin(struct builder *b, const struct staff_view *sv)
{
	char n[16];
	screen_info_key(b, FONT_BODY, ROLE_SCREEN, sv->key_pin ? "staff.key_pin" : "staff.pin");
	if (!sv->key_pin)
		screen_info_key(b, FONT_SMALL, ROLE_MUTED, "staff.key_hint");
	snprintf(n, sizeof n, "%d", sv->tries_left);
	staff_line(b, sv->tries_left < STAFF_PIN_TRIES ? ROLE_WARNING : ROLE_MUTED,
	           "staff.tries_left", n);
	screen_figure(b, WK_DOTS, CONTENT_W, 130, "")->arg = b->in->pin_len;
	b->s->keypad = 4;
	staff_nav(b, 0);
	screen_keypad(b, "1234567890", 5, FONT_HUGE, NULL, 0);
}

static void staff_locked(struct builder *b, const struct staff_view *sv)
{
	char n[16];
	snprintf(n, sizeof n, "%d", (sv->locked_s + 59) / 60);
	staff_line(b, ROLE_ERROR, "staff.locked", n);
	staff_nav(b, 0);
}

/* The sync backlog and the central site's last answer, China time. */
static void staff_sync(struct builder *b, const struct staff_data *d)
{
	char when[80];
	staff_count(b, "staff.sync_backlog", d->outbox);
	if (d->last_contact_utc > 0)
		cntime_format(d->last_contact_utc, "%Y-%m-%d %H:%M", when, sizeof when);
	staff_line(b, ROLE_SCREEN, "staff.last_contact",
	           d->last_contact_utc > 0 ? when : screen_tx(b, "staff.never"));
}

/* How many payments the kiosk settles again with the gateway (a warning: money may be
 * owed back); with the order numbers of the first `rows` and where each stands. */
static void staff_unsettled(struct builder *b, const struct staff_data *d, int rows)
{
	char n[16], line[SCREEN_TEXT], key[48];
	if (!d->nunsettled)
		return;
	snprintf(n, sizeof n, "%d", d->nunsettled);
	staff_line(b, ROLE_WARNING, "staff.unsettled", n);
	for (int i = 0; i < rows && i < d->nunsettled && i < STAFF_ROWS_MAX; i++) {
		snprintf(key, sizeof key, "staff.pay_%s",
		         payment_status_id(d->unsettled[i].status));
		snprintf(line, sizeof line, "%s  ·  %s", d->unsettled[i].order_no,
		         screen_tx(b, key));
		screen_info(b, FONT_SMALL, ROLE_SCREEN, 0, line);
	}
	if (rows && !b->in->large) /* no room for it in large text */
		screen_info_key(b, FONT_SMALL, ROLE_MUTED, "staff.unsettled_hint");
}

static void staff_home(struct builder *b, const struct staff_view *sv)
{
	if (sv->out_of_service)
		screen_info_key(b, FONT_BODY, ROLE_WARNING, "staff.out_of_service");
	staff_unsettled(b, &sv->data, 0);
	staff_sync(b, &sv->data);
	staff_nav(b, 0);
	struct btn row[6] = {
	    staff_btn(screen_tx(b, "staff.devices"), STA_SHOW, STAFF_DEVICES, ROLE_BUTTON),
	    staff_btn(screen_tx(b, "staff.stock"), STA_SHOW, STAFF_STOCK, ROLE_BUTTON),
	    staff_btn(screen_tx(b, "staff.orders"), STA_SHOW, STAFF_ORDERS, ROLE_BUTTON),
	    staff_btn(screen_tx(b, "staff.stranded"), STA_SHOW, STAFF_STRANDED, ROLE_BUTTON),
	    staff_btn(screen_tx(b, "staff.receipts"), STA_SHOW, STAFF_RECEIPTS, ROLE_BUTTON),
	    staff_btn(screen_tx(b, sv->out_of_service ? "staff.service_on" : "staff.service_off"),
	              STA_SERVICE, 0, sv->out_of_service ? ROLE_SELECTED : ROLE_BUTTON),
	};
	screen_grid(b, row, 6, 2, FONT_BODY);
}

static void staff_devices(struct builder *b, const struct staff_view *sv)
{
	char line[SCREEN_TEXT];
	if (!sv->ndevices)
		screen_info_key(b, FONT_BODY, ROLE_MUTED, "staff.no_devices");
	for (int i = 0; i < sv->ndevices && i < STAFF_DEVICES_MAX; i++) {
		const struct staff_device *d = &sv->device[i];
		snprintf(line, sizeof line, "%s  ·  %s",
		         screen_tx(b, d->faulty ? "staff.device_fault" : "staff.device_ok"),
		         screen_tx(b, d->status_key));
		screen_info(b, FONT_BODY, d->faulty ? ROLE_ERROR : ROLE_SCREEN, 0, line);
	}
	staff_nav(b, 1);
}

/* Blank keys per bin and the retain bin. */
static void staff_bins(struct builder *b, const struct staff_data *d)
{
	char key[SCREEN_TEXT];
	for (int i = 0; i < d->bins && i < STAFF_BINS_MAX; i++) {
		snprintf(key, sizeof key, "%s %d: %lld", screen_tx(b, "staff.bin"), i + 1,
		         (long long)d->blank[i]);
		screen_info(b, FONT_BODY, ROLE_SCREEN, 0, key);
	}
	staff_count(b, "staff.retained", d->retained);
}

static void staff_stock(struct builder *b, const struct staff_view *sv)
{
	staff_bins(b, &sv->data);
	staff_nav(b, 1);
	if (!sv->busy) {
		struct btn start = staff_btn(screen_tx(b, "staff.restock_start"), STA_RESTOCK_START,
		                             0, ROLE_PRIMARY);
		screen_grid(b, &start, 1, 1, FONT_BODY);
	}
}

/* A count with its − and + buttons: the caption above the pair (in large text the
 * small font: the taller buttons leave no room for more). */
static void staff_counter(struct builder *b, const char *label, enum staff_action less,
                          enum staff_action more, int row)
{
	struct btn pair[2] = {
	    staff_btn("-", less, row, ROLE_BUTTON),
	    staff_btn("+", more, row, ROLE_BUTTON),
	};
	screen_grid(b, pair, 2, 2, FONT_TITLE);
	screen_caption(b, b->in->large ? FONT_SMALL : FONT_BODY, ROLE_FIELD, label);
}

/* How many rows of a list fit: in large text one fewer (the taller buttons). */
static int staff_rows(const struct builder *b, int n)
{
	int max = b->in->large ? STAFF_ROWS_MAX - 1 : STAFF_ROWS_MAX;
	return n < max ? n : max;
}

static void staff_restock(struct builder *b, const struct staff_view *sv)
{
	const struct staff_data *d = &sv->data;
	char line[SCREEN_TEXT];
	screen_info_key(b, FONT_BODY, ROLE_SCREEN, "staff.restock");
	struct btn row[2] = {
	    staff_btn(screen_tx(b, "staff.restock_cancel"), STA_RESTOCK_CANCEL, 0, ROLE_BUTTON),
	    staff_btn(screen_tx(b, "staff.restock_end"), STA_RESTOCK_END, 0, ROLE_PRIMARY),
	};
	screen_grid(b, row, 2, 2, FONT_BODY);
	snprintf(line, sizeof line, "%s: %lld  ·  %s %lld", screen_tx(b, "staff.retained"),
	         (long long)d->retained, screen_tx(b, "staff.removed"), (long long)sv->removed);
	staff_counter(b, line, STA_REMOVE_LESS, STA_REMOVE_MORE, 0);
	for (int i = (d->bins < STAFF_BINS_MAX ? d->bins : STAFF_BINS_MAX) - 1; i >= 0; i--) {
		snprintf(line, sizeof line, "%s %d: %lld  ·  %s %lld", screen_tx(b, "staff.bin"),
		         i + 1, (long long)d->blank[i], screen_tx(b, "staff.loaded"),
		         (long long)sv->loaded[i]);
		staff_counter(b, line, STA_LOAD_LESS, STA_LOAD_MORE, i);
	}
}

static void staff_orders(struct builder *b, const struct staff_view *sv)
{
	const struct staff_data *d = &sv->data;
	char amount[32];
	staff_count(b, "staff.orders_today", d->orders_today);
	staff_count(b, "staff.served", d->served_today);
	staff_count(b, "staff.refunded", d->refunded_today);
	money_format(d->takings_today_fen, amount, sizeof amount);
	staff_line(b, ROLE_SCREEN, "staff.takings", amount);
	staff_count(b, "staff.outbox", d->outbox);
	staff_nav(b, 1);
	struct btn recon = staff_btn(screen_tx(b, "staff.reconcile"), STA_RECONCILE, 0,
	                             sv->busy ? ROLE_DISABLED : ROLE_PRIMARY);
	screen_grid(b, &recon, 1, 1, FONT_BODY);
}

static void staff_stranded(struct builder *b, const struct staff_view *sv)
{
	const struct staff_data *d = &sv->data;
	char label[STAFF_ROWS_MAX][SCREEN_TEXT], amount[32];
	struct btn row[STAFF_ROWS_MAX];
	int n = staff_rows(b, d->nstranded);
	/* beside six refunds there is room for three (one in large text) */
	staff_unsettled(b, d, b->in->large ? 1 : 3);
	if (!n && !d->nunsettled)
		screen_info_key(b, FONT_BODY, ROLE_MUTED, "staff.none");
	staff_nav(b, 1);
	for (int i = 0; i < n; i++) {
		money_format(d->stranded[i].amount_fen, amount, sizeof amount);
		snprintf(label[i], sizeof label[i], "%s  %s  ·  %s", screen_tx(b, "staff.refund"),
		         d->stranded[i].order_no, amount);
		row[i] = staff_btn(label[i], STA_REFUND, i, sv->busy ? ROLE_DISABLED : ROLE_BUTTON);
	}
	screen_grid(b, row, n, 1, FONT_SMALL);
}

static void staff_receipts(struct builder *b, const struct staff_view *sv)
{
	const struct staff_data *d = &sv->data;
	char label[STAFF_ROWS_MAX][SCREEN_TEXT], kind[48];
	struct btn row[STAFF_ROWS_MAX];
	int n = staff_rows(b, d->nreceipts);
	if (!n)
		screen_info_key(b, FONT_BODY, ROLE_MUTED, "staff.none");
	staff_nav(b, 1);
	for (int i = 0; i < n; i++) {
		snprintf(kind, sizeof kind, "staff.kind_%s", d->receipts[i].kind);
		snprintf(label[i], sizeof label[i], "%s  %s  %s", screen_tx(b, "staff.reprint"),
		         screen_tx(b, kind), d->receipts[i].order_no);
		row[i] =
		    staff_btn(label[i], STA_REPRINT, i, sv->busy ? ROLE_DISABLED : ROLE_BUTTON);
	}
	screen_grid(b, row, n, 1, FONT_SMALL);
}

void screen_build_staff(struct builder *b)
{
	const struct staff_view *sv = b->in->staff;
	static const char *const title[STAFF_SCREEN_COUNT] = {
	    [STAFF_PIN] = "staff.home",          [STAFF_LOCKED] = "staff.home",
	    [STAFF_HOME] = "staff.home",         [STAFF_DEVICES] = "staff.devices",
	    [STAFF_STOCK] = "staff.stock",       [STAFF_RESTOCK] = "staff.stock",
	    [STAFF_ORDERS] = "staff.orders",     [STAFF_STRANDED] = "staff.stranded",
	    [STAFF_RECEIPTS] = "staff.receipts",
	};
	screen_header(b, screen_tx(b, title[sv->screen] ? title[sv->screen] : "staff.home"));
	b->s->voice_key = NULL; /* staff screens are not spoken */
	if (sv->notice_key[0])
		screen_info_key(b, FONT_BODY,
		                strstr(sv->notice_key, "failed") ? ROLE_ERROR : ROLE_NOTICE,
		                sv->notice_key);
	switch (sv->screen) {
	case STAFF_PIN:
		staff_pin(b, sv);
		break;
	case STAFF_LOCKED:
		staff_locked(b, sv);
		break;
	case STAFF_DEVICES:
		staff_devices(b, sv);
		break;
	case STAFF_STOCK:
		staff_stock(b, sv);
		break;
	case STAFF_RESTOCK:
		staff_restock(b, sv);
		break;
	case STAFF_ORDERS:
		staff_orders(b, sv);
		break;
	case STAFF_STRANDED:
		staff_stranded(b, sv);
		break;
	case STAFF_RECEIPTS:
		staff_receipts(b, sv);
		break;
	default:
		staff_home(b, sv);
		break;
	}
}
