/* test_ui_staff.c — the staff screens: every one built from a staff view in Chinese and
 * English with the checks of test_ui_screens (no string key missing, no overflow, no
 * missing glyph, controls of 120 px in the lower 60 %, none overlapping); the hidden
 * gesture (a long press in the start screen's corner, and a short one that does nothing);
 * the staff PIN pad posting the PIN to staff mode, which opens its home screen. Every
 * screen also in large text; the home screen shows the sync backlog and last contact,
 * the PIN pad the staff key hint and, while a check runs, "checking"; the unsettled
 * payments are counted at home and listed beside the stranded ones. */
#include <SDL.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "ui_testutil.h"

static void check_screen(struct rig *r, const char *lang, const char *name)
{
	const struct screen *s = ui_screen(r->ui);
	CHECK_INT(ui_check_layout(s, lang, name), 0);
	/* every staff screen can be left (the restock by cancelling it) */
	CHECK(screen_find(s, ACT_INTENT, INTENT_STAFF, staff_arg(STA_EXIT, 0)) != NULL ||
	      screen_find(s, ACT_INTENT, INTENT_STAFF, staff_arg(STA_RESTOCK_CANCEL, 0)) != NULL);
	char path[PATH_MAX];
	struct kerr err = {{0}};
	snprintf(path, sizeof path, "%s/staff-%s", rig_out_dir(), lang);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/staff-%s/%s.png", rig_out_dir(), lang, name);
	CHECK_INT(ui_save_png(r->ui, path, &err), KR_OK);
}

/* The fullest view of each staff screen. */
static struct staff_view full_view(enum staff_screen sc)
{
	struct staff_view v = {.screen = sc, .tries_left = 3, .locked_s = 1700};
	struct staff_data *d = &v.data;
	d->bins = 2;
	d->blank[0] = 120;
	d->blank[1] = 8;
	d->retained = 3;
	d->orders_today = 42;
	d->served_today = 38;
	d->refunded_today = 2;
	d->takings_today_fen = 2345600;
	d->outbox = 1234;
	d->last_contact_utc = 1795225080; /* 2026-11-21 09:38 China time */
	d->nstranded = d->nreceipts = STAFF_ROWS_MAX;
	d->nunsettled = STAFF_ROWS_MAX + 3; /* more than are listed */
	for (int i = 0; i < STAFF_ROWS_MAX; i++) {
		snprintf(d->unsettled[i].order_no, sizeof d->unsettled[i].order_no,
		         "NT01261121000001%02d", i + 1);
		d->unsettled[i].status = i % 2 ? PAYMENT_REFUNDING : PAYMENT_CANCELLING;
	}
	for (int i = 0; i < STAFF_ROWS_MAX; i++) {
		d->stranded[i].id = i + 1;
		snprintf(d->stranded[i].order_no, sizeof d->stranded[i].order_no,
		         "NT01261121000000%02d", i + 1);
		d->stranded[i].amount_fen = 70000;
		d->stranded[i].state = ORDER_PAID;
		d->receipts[i].id = i + 1;
		snprintf(d->receipts[i].kind, sizeof d->receipts[i].kind, "%s",
		         i % 3 == 0   ? "receipt"
		         : i % 3 == 1 ? "check"
		                      : "restock");
		snprintf(d->receipts[i].order_no, sizeof d->receipts[i].order_no, "%s",
		         i % 3 == 2 ? "" : "NT0126112100000001");
	}
	static const char *const dev[][2] = {{"print", "print.paper_out"},
	                                     {"dispenser", "dispenser.low"},
	                                     {"idreader", "card.reader_fault"}};
	v.ndevices = 3;
	for (int i = 0; i < 3; i++) {
		snprintf(v.device[i].name, sizeof v.device[i].name, "%s", dev[i][0]);
		snprintf(v.device[i].status_key, sizeof v.device[i].status_key, "%s", dev[i][1]);
		v.device[i].faulty = i != 1;
	}
	v.loaded[0] = 50;
	v.loaded[1] = 100;
	v.removed = 3;
	v.out_of_service = sc == STAFF_HOME;
	snprintf(v.notice_key, sizeof v.notice_key, "%s",
	         sc == STAFF_PIN ? "staff.key_unreadable" : "staff.slip_failed");
	return v;
}

/* Whether a text widget of the screen shown contains text. */
static int shows(struct rig *r, const char *text)
{
	const struct screen *s = ui_screen(r->ui);
	for (int i = 0; i < s->n; i++)
		if (s->w[i].kind == WK_TEXT && strstr(s->w[i].text, text))
			return 1;
	return 0;
}

/* The home screen's sync lines and unsettled payments, the stranded screen's list of
 * them, and the PIN pad's key hint and check under way. */
static void sync_and_check(struct rig *r, int english)
{
	struct staff_view v = full_view(STAFF_HOME);
	ui_set_display(r->ui, english, 0, 0);
	ui_set_staff(r->ui, &v);
	ui_show(r->ui, app_view(r->app), r->utc_s);
	CHECK(shows(r, "1234"));
	CHECK(shows(r, "2026-11-21 09:38"));
	CHECK(shows(r, english ? "Last contact" : "最近联系"));
	v.data.last_contact_utc = 0;
	ui_show(r->ui, app_view(r->app), r->utc_s);
	CHECK(shows(r, english ? "never" : "从未联系"));
	CHECK(!shows(r, "1970"));
	/* the unsettled payments: counted at home, listed with the stranded ones */
	CHECK(shows(r, english ? "settled with Alipay: 9" : "与支付宝核对中的付款（笔）: 9"));
	v = full_view(STAFF_STRANDED);
	ui_show(r->ui, app_view(r->app), r->utc_s);
	CHECK(shows(r, english ? "NT0126112100000101  ·  cancel not confirmed"
	                       : "NT0126112100000101  ·  撤销未确认"));
	CHECK(shows(r, "NT0126112100000103"));
	CHECK(!shows(r, "NT0126112100000104")); /* three of them beside the refunds */
	v.data.nunsettled = 0;
	ui_show(r->ui, app_view(r->app), r->utc_s);
	CHECK(!shows(r, "NT0126112100000101"));
	v = full_view(STAFF_PIN);
	v.checking = 1;
	snprintf(v.notice_key, sizeof v.notice_key, "staff.checking");
	ui_show(r->ui, app_view(r->app), r->utc_s);
	check_screen(r, english ? "en" : "zh", "pin-checking");
	CHECK(shows(r, english ? "Checking" : "正在验证"));
	CHECK(shows(r, english ? "staff key" : "工作人员证书锁"));
	/* a staff key is in: the pad asks for its own PIN */
	v = full_view(STAFF_PIN);
	v.key_pin = 1;
	snprintf(v.notice_key, sizeof v.notice_key, "staff.key_found");
	ui_show(r->ui, app_view(r->app), r->utc_s);
	check_screen(r, english ? "en" : "zh", "pin-staff-key");
	CHECK(shows(r, english ? "PIN of your staff key" : "工作人员CA锁的密码"));
	ui_set_staff(r->ui, app_staff_view(r->app));
}

static void all_screens(struct rig *r, int english, int large, const char *lang)
{
	char name[48];
	ui_set_display(r->ui, english, large, 0);
	for (int sc = STAFF_PIN; sc < STAFF_SCREEN_COUNT; sc++) {
		struct staff_view v = full_view((enum staff_screen)sc);
		ui_set_staff(r->ui, &v);
		ui_show(r->ui, app_view(r->app), r->utc_s);
		check_screen(r, lang, staff_screen_name((enum staff_screen)sc));
		/* and empty: nothing to list */
		memset(&v.data, 0, sizeof v.data);
		v.ndevices = 0;
		v.notice_key[0] = '\0';
		ui_show(r->ui, app_view(r->app), r->utc_s);
		snprintf(name, sizeof name, "%s-empty", staff_screen_name((enum staff_screen)sc));
		check_screen(r, lang, name);
	}
	ui_set_staff(r->ui, app_staff_view(r->app));
	ui_show(r->ui, app_view(r->app), r->utc_s);
}

static void push_finger(SDL_EventType type, int x, int y)
{
	SDL_Event e;
	memset(&e, 0, sizeof e);
	e.type = type;
	e.tfinger.touchId = 1;
	e.tfinger.fingerId = 1;
	e.tfinger.x = (float)x / SCREEN_W;
	e.tfinger.y = (float)y / SCREEN_H;
	SDL_PushEvent(&e);
}

static enum staff_screen staff_now(struct rig *r)
{
	return app_staff_view(r->app)->screen;
}

int main(void)
{
	struct rig r;
	rig_start(&r, "tests/ui/ui-kiosk.ini", "2026-11-21 10:00");
	all_screens(&r, 0, 0, "zh");
	all_screens(&r, 1, 0, "en");
	all_screens(&r, 0, 1, "zh-large");
	all_screens(&r, 1, 1, "en-large");
	ui_set_display(r.ui, 0, 0, 0);
	sync_and_check(&r, 0);
	sync_and_check(&r, 1);
	ui_set_display(r.ui, 0, 0, 0);
	CHECK_INT(ui_missing_glyphs(r.ui), 0);

	/* no visible staff control on the start screen */
	const struct screen *s = ui_screen(r.ui);
	for (int i = 0; i < s->n; i++)
		CHECK(s->w[i].intent != INTENT_STAFF && s->w[i].intent != INTENT_STAFF_ENTER);
	/* a short press in the corner does nothing */
	push_finger(SDL_FINGERDOWN, 30, 30);
	push_finger(SDL_FINGERUP, 30, 30);
	ui_pump_events(r.ui);
	rig_settle(&r);
	CHECK_INT(r.posted, 0);
	CHECK_INT(staff_now(&r), STAFF_OFF);
	/* a long press elsewhere does nothing */
	push_finger(SDL_FINGERDOWN, 540, 60);
	ui_pump_events(r.ui);
	SDL_Delay(SCREEN_GESTURE_MS + 100);
	push_finger(SDL_FINGERUP, 540, 60);
	ui_pump_events(r.ui);
	rig_settle(&r);
	CHECK_INT(staff_now(&r), STAFF_OFF);
	/* held 3 s in the corner: the staff PIN pad */
	push_finger(SDL_FINGERDOWN, 30, 30);
	ui_pump_events(r.ui);
	SDL_Delay(SCREEN_GESTURE_MS + 100);
	push_finger(SDL_FINGERUP, 30, 30);
	ui_pump_events(r.ui);
	rig_settle(&r);
	CHECK_INT(r.posted, 1);
	CHECK_INT(staff_now(&r), STAFF_PIN);
	CHECK_INT(ui_screen(r.ui)->keypad, 4);
	/* a wrong PIN, then the right one typed on the pad */
	CHECK(rig_type(&r, "12345678"));
	CHECK_INT(staff_now(&r), STAFF_PIN);
	CHECK_INT(app_staff_view(r.app)->tries_left, STAFF_PIN_TRIES - 1);
	CHECK(rig_type(&r, "20261121"));
	CHECK_INT(staff_now(&r), STAFF_HOME);
	/* through the screens by taps, and out */
	CHECK(rig_tap(&r, ACT_INTENT, INTENT_STAFF, staff_arg(STA_SHOW, STAFF_STOCK)));
	CHECK_INT(staff_now(&r), STAFF_STOCK);
	CHECK(rig_tap(&r, ACT_INTENT, INTENT_STAFF, staff_arg(STA_RESTOCK_START, 0)));
	CHECK_INT(staff_now(&r), STAFF_RESTOCK);
	CHECK(rig_tap(&r, ACT_INTENT, INTENT_STAFF, staff_arg(STA_LOAD_MORE, 0)));
	CHECK(rig_tap(&r, ACT_INTENT, INTENT_STAFF, staff_arg(STA_LOAD_MORE, 0)));
	CHECK_INT(app_staff_view(r.app)->loaded[0], 2);
	CHECK(rig_tap(&r, ACT_INTENT, INTENT_STAFF, staff_arg(STA_RESTOCK_CANCEL, 0)));
	CHECK(rig_tap(&r, ACT_INTENT, INTENT_STAFF, staff_arg(STA_SHOW, STAFF_HOME)));
	CHECK_INT(staff_now(&r), STAFF_HOME);
	CHECK(rig_tap(&r, ACT_INTENT, INTENT_STAFF, staff_arg(STA_EXIT, 0)));
	CHECK_INT(staff_now(&r), STAFF_OFF);
	CHECK_STR(rig_where(&r), "start");
	CHECK(screen_find(ui_screen(r.ui), ACT_INTENT, INTENT_BUSINESS, BIZ_RENEW) != NULL);
	rig_stop(&r);
	return check_done();
}
