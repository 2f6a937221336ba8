/* test_ui_taps.c — every business completed by taps alone on the real flow with the
 * stand-in services; the payment screen's QR decodes (zbarimg) to the payment payload;
 * the scrambled PIN pad maps taps to the right digits; a touch counts once; the kiosk
 * ignores quit requests outside staff mode. */
#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ui_testutil.h"

#define ID_CARD "11010519491231002X 张三"
#define CODE    "91350200MA2YJ1XR9G"
#define PHONE   "13812345678"
#define EMAIL   "zhang_san-2026@nantong-construction.com.cn"
#define PIN     "902417"

/* Decodes the QR code of the screen now shown, through a PNG and zbarimg. */
static void check_qr(struct rig *r, const char *name)
{
	char png[512], cmd[700], got[300] = "";
	snprintf(png, sizeof png, "%s/qr-%s.png", rig_out_dir(), name);
	struct kerr err = {{0}};
	CHECK_INT(ui_save_png(r->ui, png, &err), KR_OK);
	snprintf(cmd, sizeof cmd, "zbarimg --nodbus -q --raw '%s'", png);
	FILE *p = popen(cmd, "r");
	CHECK(p != NULL);
	if (!p)
		return;
	if (!fgets(got, sizeof got, p))
		got[0] = '\0';
	pclose(p);
	got[strcspn(got, "\n")] = '\0';
	CHECK_STR(got, app_view(r->app)->qr);
	CHECK(strncmp(got, "https://", 8) == 0);
}

struct plan {
	const char *name;
	enum business biz;
	enum holder holder;
	const char *key_profile; /* the user's key, or NULL */
	int insert_first;        /* the key goes in on the start screen (triage suggests) */
};

/* Types the e-mail on the Latin keyboard: the screen holds the typed address without
 * overflow, in normal and large text (a picture of each), then OK. */
static void type_email(struct rig *r, const char *name)
{
	CHECK_INT(ui_screen(r->ui)->keypad, 5);
	for (const char *c = EMAIL; *c; c++)
		CHECK(rig_tap(r, ACT_CHAR, 0, (unsigned char)*c));
	for (int large = 0; large <= 1; large++) {
		char png[512];
		struct kerr err = {{0}};
		ui_set_display(r->ui, 0, large, 0);
		const struct screen *s = ui_screen(r->ui);
		if (s->overflow)
			fprintf(stderr, "%s: the typed e-mail overflows (large %d)\n", name, large);
		CHECK_INT(s->overflow, 0);
		int found = 0;
		for (int i = 0; i < s->n; i++)
			found += s->w[i].kind == WK_TEXT && strcmp(s->w[i].text, EMAIL) == 0;
		CHECK_INT(found, 1);
		snprintf(png, sizeof png, "%s/email-%s%s.png", rig_out_dir(), name,
		         large ? "-large" : "");
		CHECK_INT(ui_save_png(r->ui, png, &err), KR_OK);
	}
	ui_set_display(r->ui, 0, 0, 0);
	rig_tap(r, ACT_ENTER, 0, 0);
}

/* Walks a business from the start screen to its end by tapping what each screen
 * offers. Returns 1 when the start screen came back after a result. */
static int drive(struct rig *r, const struct plan *p)
{
	int saw_result = 0, saw_qr = 0, saw_email = 0, stuck = 0;
	char last[32] = "";
	if (p->insert_first)
		rig_steer(r, SVC_KEYS, "insert", p->key_profile);
	else
		rig_tap(r, ACT_INTENT, INTENT_BUSINESS, p->biz);
	for (int round = 0; round < 40; round++) {
		const struct flow_view *v = app_view(r->app);
		const char *where = rig_where(r);
		if (strcmp(where, last) == 0 && strcmp(where, "pin") != 0 &&
		    strcmp(where, "work") != 0 && ++stuck > 2) {
			fprintf(stderr, "%s: stuck on %s (error %s)\n", p->name, where,
			        v->error_key);
			return 0;
		}
		if (strcmp(where, last) != 0)
			stuck = 0;
		snprintf(last, sizeof last, "%s", where);
		if (v->screen == SCREEN_START)
			return saw_result;
		if (v->screen == SCREEN_ERROR) {
			fprintf(stderr, "%s: error screen %s\n", p->name, v->error_key);
			return 0;
		}
		switch (v->step) {
		case STEP_HOLDER:
			rig_tap(r, ACT_INTENT, INTENT_HOLDER, p->holder);
			break;
		case STEP_INSERT_KEY:
			rig_steer(r, SVC_KEYS, "insert", p->key_profile ? p->key_profile : "blank");
			break;
		case STEP_KEY_INFO:
			if (v->biz != p->biz)
				rig_tap(r, ACT_INTENT, INTENT_BUSINESS, p->biz);
			else
				rig_tap(r, ACT_INTENT, INTENT_NEXT, 0);
			break;
		case STEP_ID_CARD:
			rig_steer(r, SVC_IDREADER, "present", ID_CARD);
			break;
		case STEP_UNIT_CODE:
			rig_type(r, CODE);
			break;
		case STEP_CONTACT: /* the mobile, then the e-mail for the e-invoice */
			if (v->contact_email)
				type_email(r, p->name), saw_email = 1;
			else
				rig_type(r, PHONE);
			break;
		case STEP_PIN:
			rig_type(r, PIN);
			break;
		case STEP_OPTIONS:
			if (catalogue_recipe(v->biz, v->holder)->change_option)
				rig_tap(r, ACT_INTENT, INTENT_CHANGE, CHANGE_NAME);
			rig_tap(r, ACT_INTENT, INTENT_NEXT, 0);
			break;
		case STEP_CONFIRM: /* the address reached the flow, and is shown masked */
			if (saw_email)
				CHECK_STR(v->email_masked, "z***@nantong-construction.com.cn");
			rig_tap(r, ACT_INTENT, INTENT_NEXT, 0);
			break;
		case STEP_MATERIALS:
			rig_tap(r, ACT_INTENT, INTENT_NEXT, 0);
			break;
		case STEP_PAY:
			if (!v->qr[0]) {
				rig_wait(r, 1);
				break;
			}
			if (!saw_qr++)
				check_qr(r, p->name);
			rig_steer(r, SVC_PAY, "paid", "");
			break;
		case STEP_WORK:
			rig_wait(r, 1);
			break;
		case STEP_RESULT:
			saw_result = 1;
			rig_tap(r, ACT_INTENT, INTENT_NEXT, 0);
			break;
		default:
			return 0;
		}
	}
	return 0;
}

static void business(const char *config, const struct plan *p)
{
	struct rig r;
	rig_start(&r, config, "2026-11-21 21:00");
	int done = drive(&r, p);
	if (!done)
		fprintf(stderr, "business %s not completed\n", p->name);
	CHECK(done);
	CHECK(!app_holds_personal_data(r.app));
	rig_stop(&r);
}

/* The PIN pad: taps land on the digit shown, whatever the scramble. */
static void pin_pad(void)
{
	struct rig r;
	rig_start(&r, "tests/ui/ui-kiosk.ini", "2026-11-21 10:00");
	rig_steer(&r, SVC_KEYS, "insert", "unit-locked");
	rig_tap(&r, ACT_INTENT, INTENT_BUSINESS, BIZ_UNLOCK);
	rig_tap(&r, ACT_INTENT, INTENT_NEXT, 0);
	rig_steer(&r, SVC_IDREADER, "present", ID_CARD);
	rig_type(&r, CODE);
	CHECK_STR(rig_where(&r), "pin");

	/* the ten keys show each digit once, in an order that changes per showing */
	char first[11] = "", second[11] = "";
	const struct screen *s = ui_screen(r.ui);
	for (int d = 0; d < 10; d++)
		CHECK(screen_find(s, ACT_CHAR, 0, '0' + d) != NULL);
	for (int i = 0, k = 0; i < s->n && k < 10; i++)
		if (s->w[i].action == ACT_CHAR)
			first[k++] = (char)s->w[i].arg;
	/* a weak PIN is refused with its reason, and the pad is shown again, scrambled anew */
	rig_type(&r, "123456");
	CHECK_STR(app_view(r.app)->error_key, "pin.default");
	s = ui_screen(r.ui);
	for (int i = 0, k = 0; i < s->n && k < 10; i++)
		if (s->w[i].action == ACT_CHAR)
			second[k++] = (char)s->w[i].arg;
	/* equal by chance once in 3.6 million showings: a third showing decides */
	if (strcmp(first, second) == 0) {
		rig_type(&r, "111111");
		s = ui_screen(r.ui);
		for (int i = 0, k = 0; i < s->n && k < 10; i++)
			if (s->w[i].action == ACT_CHAR)
				second[k++] = (char)s->w[i].arg;
	}
	CHECK(strcmp(first, second) != 0);
	/* the dots follow the digits typed, and delete takes one back */
	rig_tap(&r, ACT_CHAR, 0, '9');
	rig_tap(&r, ACT_CHAR, 0, '9');
	rig_tap(&r, ACT_DELETE, 0, 0);
	const struct widget *dots = NULL;
	s = ui_screen(r.ui);
	for (int i = 0; i < s->n; i++)
		if (s->w[i].kind == WK_DOTS)
			dots = &s->w[i];
	CHECK(dots && dots->arg == 1);
	for (const char *c = "02417"; *c; c++)
		rig_tap(&r, ACT_CHAR, 0, *c);
	rig_tap(&r, ACT_ENTER, 0, 0);
	CHECK_INT(app_view(r.app)->pin_round, 2);
	CHECK_STR(app_view(r.app)->error_key, "");
	rig_type(&r, PIN);
	CHECK_STR(rig_where(&r), "confirm"); /* both entries matched: the taps were right */
	rig_stop(&r);
}

static void push_mouse(SDL_EventType type, int x, int y, Uint32 which)
{
	SDL_Event e;
	memset(&e, 0, sizeof e);
	e.type = type;
	e.button.which = which;
	e.button.button = SDL_BUTTON_LEFT;
	e.button.x = x;
	e.button.y = y;
	SDL_PushEvent(&e);
}

/* A touch counts once; quitting is refused outside staff mode. */
static void hardening(void)
{
	struct rig r;
	rig_start(&r, "tests/ui/ui-kiosk.ini", "2026-11-21 10:00");
	/* the synthetic mouse events of a touch are ignored */
	const struct widget *w =
	    screen_find(ui_screen(r.ui), ACT_INTENT, INTENT_BUSINESS, BIZ_REVOKE);
	CHECK(w != NULL);
	if (w) {
		push_mouse(SDL_MOUSEBUTTONDOWN, w->x + 10, w->y + 10, SDL_TOUCH_MOUSEID);
		push_mouse(SDL_MOUSEBUTTONUP, w->x + 10, w->y + 10, SDL_TOUCH_MOUSEID);
		ui_pump_events(r.ui);
		rig_settle(&r);
		CHECK_INT(r.posted, 0);
		CHECK_STR(rig_where(&r), "start");
		/* a real mouse click (a desktop demo) counts */
		push_mouse(SDL_MOUSEBUTTONDOWN, w->x + 10, w->y + 10, 0);
		push_mouse(SDL_MOUSEBUTTONUP, w->x + 10, w->y + 10, 0);
		ui_pump_events(r.ui);
		rig_settle(&r);
		CHECK_INT(r.posted, 1);
		CHECK_STR(rig_where(&r), "holder");
	}
	/* a finger tap plus its synthetic mouse copy: one intent */
	w = screen_find(ui_screen(r.ui), ACT_INTENT, INTENT_HOLDER, HOLDER_PERSON);
	CHECK(w != NULL);
	if (w) {
		push_mouse(SDL_MOUSEBUTTONDOWN, w->x + 10, w->y + 10, SDL_TOUCH_MOUSEID);
		push_mouse(SDL_MOUSEBUTTONUP, w->x + 10, w->y + 10, SDL_TOUCH_MOUSEID);
		rig_tap_widget(&r, w);
		CHECK_INT(r.posted, 2);
		CHECK_STR(rig_where(&r), "id_card");
	}
	/* window close, Alt+F4 (arrives as SDL_QUIT), Ctrl+Q: ignored */
	SDL_Event e;
	memset(&e, 0, sizeof e);
	e.type = SDL_QUIT;
	SDL_PushEvent(&e);
	memset(&e, 0, sizeof e);
	e.type = SDL_WINDOWEVENT;
	e.window.event = SDL_WINDOWEVENT_CLOSE;
	SDL_PushEvent(&e);
	memset(&e, 0, sizeof e);
	e.type = SDL_KEYDOWN;
	e.key.keysym.sym = SDLK_q;
	e.key.keysym.mod = KMOD_LCTRL;
	SDL_PushEvent(&e);
	ui_pump_events(r.ui);
	CHECK(!ui_quit_requested(r.ui));
	/* a tap outside any target does nothing */
	int before = r.posted;
	SDL_Event f;
	memset(&f, 0, sizeof f);
	f.type = SDL_FINGERDOWN;
	f.tfinger.x = 0.5f;
	f.tfinger.y = 0.01f;
	SDL_PushEvent(&f);
	f.type = SDL_FINGERUP;
	SDL_PushEvent(&f);
	ui_pump_events(r.ui);
	CHECK_INT(r.posted, before);
	/* back at the start, staff mode honours a quit */
	rig_tap(&r, ACT_INTENT, INTENT_CANCEL, 0);
	CHECK_STR(rig_where(&r), "start");
	struct flow_event enter = {.kind = FEV_TAP, .intent = INTENT_STAFF_ENTER};
	app_post(r.app, &enter);
	rig_settle(&r);
	CHECK(screen_find(ui_screen(r.ui), ACT_ENTER, 0, 0) != NULL); /* the staff PIN pad */
	memset(&e, 0, sizeof e);
	e.type = SDL_QUIT;
	SDL_PushEvent(&e);
	ui_pump_events(r.ui);
	CHECK(ui_quit_requested(r.ui));
	rig_stop(&r);
}

/* The countdown's "more time" extends the step once, by a tap. */
static void more_time(void)
{
	struct rig r;
	rig_start(&r, "tests/ui/ui-kiosk.ini", "2026-11-21 10:00");
	rig_tap(&r, ACT_INTENT, INTENT_BUSINESS, BIZ_REVOKE);
	CHECK(screen_find(ui_screen(r.ui), ACT_INTENT, INTENT_MORE_TIME, 0) == NULL);
	rig_wait(&r, r.conf.step_timeout_s - 10);
	CHECK(app_view(r.app)->show_countdown);
	CHECK(rig_tap(&r, ACT_INTENT, INTENT_MORE_TIME, 0));
	CHECK(!app_view(r.app)->show_countdown);
	CHECK_STR(rig_where(&r), "holder");
	rig_wait(&r, r.conf.step_timeout_s * 2 - 10);
	CHECK(app_view(r.app)->show_countdown);
	CHECK(screen_find(ui_screen(r.ui), ACT_INTENT, INTENT_MORE_TIME, 0) == NULL); /* once */
	rig_wait(&r, 15);
	CHECK_STR(rig_where(&r), "start");
	rig_stop(&r);
}

int main(void)
{
	static const struct plan nantong[] = {
	    {"renew", BIZ_RENEW, HOLDER_UNIT, "unit-expiring", 1},
	    {"renew-from-tile", BIZ_RENEW, HOLDER_PERSON, "person-expiring", 0},
	    {"new-person", BIZ_NEW, HOLDER_PERSON, NULL, 0},
	    {"new-unit", BIZ_NEW, HOLDER_UNIT, NULL, 0},
	    {"reissue", BIZ_REISSUE, HOLDER_UNIT, NULL, 0},
	    {"change", BIZ_CHANGE, HOLDER_UNIT, "unit-expiring", 0},
	    {"unlock", BIZ_UNLOCK, HOLDER_UNIT, "unit-locked", 1},
	    {"check", BIZ_CHECK, HOLDER_UNIT, "foreign", 1},
	    {"revoke", BIZ_REVOKE, HOLDER_PERSON, NULL, 0},
	};
	for (size_t i = 0; i < sizeof nantong / sizeof nantong[0]; i++)
		business("tests/ui/ui-kiosk.ini", &nantong[i]);
	static const struct plan exchange = {"exchange", BIZ_EXCHANGE, HOLDER_UNIT, "jsca-unit", 1};
	business("tests/ui/ui-taicang.ini", &exchange);
	pin_pad();
	hardening();
	more_time();
	return check_done();
}
