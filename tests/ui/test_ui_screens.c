/* test_ui_screens.c — every screen of every business, in Chinese and English, normal
 * and large text: no string key missing, no text overflowing its box, no glyph missing
 * from the font (tofu), every control at least 120 px and in the lower 60 % of the
 * screen, no two controls overlapping. One picture per kind of screen goes to
 * KIOSK_UI_OUT for a look by eye; a few reference screens are compared with golden
 * images (KIOSK_UI_GOLDEN; KIOSK_UI_GOLDEN_UPDATE=1 writes them). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"
#include "conf/conf.h"
#include "ui/png.h"
#include "ui/ui.h"
#include "ui/voice.h"
#include "ui_testutil.h"

static struct conf conf;
static struct ui *ui;
static const char *out_dir;
static int64_t now_utc;

static unsigned offered(void)
{
	unsigned bits = 0;
	for (int b = 0; b < BIZ_COUNT; b++)
		if (fees_offered(&conf.region.fees, (enum business)b, HOLDER_UNIT) ||
		    fees_offered(&conf.region.fees, (enum business)b, HOLDER_PERSON))
			bits |= 1u << b;
	return bits;
}

/* A view of a step as the flow would show it, with an error and the countdown: the
 * fullest that screen gets. */
static struct flow_view step_view(enum business biz, enum holder holder, enum step step)
{
	struct flow_view v = {.screen = SCREEN_STEP, .step = step, .biz = biz, .holder = holder};
	v.holder_known = 1;
	v.offered = offered();
	v.prompt_key = flow_step_prompt(step);
	v.show_countdown = 1;
	v.remaining_s = 12;
	v.can_extend = 1;
	v.suggest = -1;
	const struct recipe *r = catalogue_recipe(biz, holder);
	v.materials = r ? r->materials : 0;
	v.have_key = 1;
	v.issuer = ISSUER_OURS;
	v.key_days_left = 10;
	v.key_has_seal = 1;
	v.check_pass = 1;
	snprintf(v.subject_masked, sizeof v.subject_masked, "%s",
	         "南通示例建设工程有限公司 9135**********XR9G");
	v.years = 4;
	v.seal = 1;
	v.sub_keys = r && r->sub_keys_option ? 2 : 0;
	struct fee_request fr = {
	    .biz = biz, .holder = holder, .seal = r && r->seal_option, .sub_keys = v.sub_keys};
	for (int y = conf.region.fees.years_max; y >= 1 && r && r->years; y--)
		if (fees_years_offered(&conf.region.fees, biz, holder, y)) {
			fr.years = v.years = y;
			break;
		}
	if (fees_quote(&conf.region.fees, &fr, &v.quote) != KR_OK)
		memset(&v.quote, 0, sizeof v.quote);
	snprintf(v.phone_masked, sizeof v.phone_masked, "138****5678");
	snprintf(v.email_masked, sizeof v.email_masked, "z***@nantong-construction.com.cn");
	switch (step) {
	case STEP_KEY_INFO:
		if (biz == BIZ_CHECK)
			v.suggest = BIZ_RENEW;
		else
			v.fit_key = "fit.not_due";
		break;
	case STEP_ID_CARD:
		snprintf(v.error_key, sizeof v.error_key, "card.read_failed");
		break;
	case STEP_UNIT_CODE:
		snprintf(v.error_key, sizeof v.error_key, "uscc.bad_check");
		break;
	case STEP_CONTACT:
		snprintf(v.error_key, sizeof v.error_key, "contact.bad_mobile");
		break;
	case STEP_PIN:
		v.pin_round = 1;
		snprintf(v.error_key, sizeof v.error_key, "pin.birth_date");
		break;
	case STEP_OPTIONS:
		snprintf(v.error_key, sizeof v.error_key, "options.years_not_offered");
		break;
	case STEP_PAY:
		v.can_extend = 0;
		v.remaining_s = 175;
		snprintf(v.qr, sizeof v.qr, "https://standin.invalid/pay/NT0126112100000001");
		CHECK_INT(qr_make(v.qr, &v.qr_matrix), KR_OK);
		snprintf(v.order_no, sizeof v.order_no, "NT0126112100000001");
		break;
	case STEP_WORK:
		v.show_countdown = v.can_extend = 0;
		snprintf(v.progress_key, sizeof v.progress_key, "work.write_cert");
		snprintf(v.notice_key, sizeof v.notice_key, "work.do_not_remove");
		v.work_steps_done = 3;
		v.key_to_take = 1;
		break;
	case STEP_RESULT:
		snprintf(v.order_no, sizeof v.order_no, "NT0126112100000001");
		snprintf(v.cert_serial, sizeof v.cert_serial, "5A3F0C21D9E84B7A6C01");
		v.not_after_utc = now_utc + 4 * 365 * 86400LL;
		v.print_key = "print.failed";
		v.next_key = "next.activate";
		v.key_to_take = 1;
		break;
	default:
		break;
	}
	return v;
}

struct combo {
	const char *name;
	int english, large, contrast;
};

static const struct combo combos[] = {
    {"zh", 0, 0, 0},       {"en", 1, 0, 0},          {"zh-large", 0, 1, 0},
    {"en-large", 1, 1, 0}, {"zh-contrast", 0, 0, 1},
};

/* Checks the screen now shown; saves a picture when picture is set. */
static void check_screen(const struct combo *c, const char *name, int picture)
{
	CHECK_INT(ui_check_layout(ui_screen(ui), c->name, name), 0);
	if (picture) {
		char path[PATH_MAX];
		struct kerr err = {{0}};
		snprintf(path, sizeof path, "%s/%s", out_dir, c->name);
		mkdir(path, 0755);
		snprintf(path, sizeof path, "%s/%s/%s.png", out_dir, c->name, name);
		CHECK_INT(ui_save_png(ui, path, &err), KR_OK);
	}
}

/* Compares the screen now shown with a golden image: at most 0.2 % of the pixels may
 * differ by more than 48 in a channel (font hinting, not layout). */
static void check_golden(const char *name)
{
	const char *dir = getenv("KIOSK_UI_GOLDEN");
	char golden[PATH_MAX], shot[PATH_MAX];
	struct kerr err = {{0}};
	snprintf(golden, sizeof golden, "%s/%s.png", dir, name);
	snprintf(shot, sizeof shot, "%s/golden-%s.png", out_dir, name);
	CHECK_INT(ui_save_png(ui, shot, &err), KR_OK);
	const char *update = getenv("KIOSK_UI_GOLDEN_UPDATE");
	if (update && strcmp(update, "1") == 0) {
		char cmd[2 * PATH_MAX + 16];
		snprintf(cmd, sizeof cmd, "cp '%s' '%s'", shot, golden);
		CHECK_INT(system(cmd), 0);
		return;
	}
	int w1, h1, w2, h2;
	unsigned char *a = NULL, *b = NULL;
	CHECK_INT(png_read_rgb(golden, &w1, &h1, &a, &err), KR_OK);
	CHECK_INT(png_read_rgb(shot, &w2, &h2, &b, &err), KR_OK);
	if (a && b && w1 == w2 && h1 == h2) {
		long differ = 0, n = (long)w1 * h1;
		for (long i = 0; i < n; i++)
			for (int ch = 0; ch < 3; ch++)
				if (abs(a[i * 3 + ch] - b[i * 3 + ch]) > 48) {
					differ++;
					break;
				}
		if (differ * 500 > n)
			fprintf(stderr, "golden %s: %ld of %ld pixels differ\n", name, differ, n);
		CHECK(differ * 500 <= n);
	} else {
		CHECK(!"golden image missing or of another size");
	}
	free(a);
	free(b);
}

static void show(const struct flow_view *v, const struct combo *c)
{
	ui_set_display(ui, c->english, c->large, c->contrast);
	ui_show(ui, v, now_utc);
}

static void all_screens(const struct combo *c)
{
	char name[96];
	/* the start screen, open hours and after hours */
	struct flow_view start = {.screen = SCREEN_START,
	                          .prompt_key = "start.choose",
	                          .offered = offered(),
	                          .suggest = -1};
	show(&start, c);
	check_screen(c, "start", 1);
	snprintf(start.notice_key, sizeof start.notice_key, "session.timeout");
	int64_t day = now_utc;
	now_utc += 12 * 3600; /* 22:00 */
	show(&start, c);
	check_screen(c, "start-after-hours", 1);
	now_utc = day;
	/* every step of every recipe */
	int pictured[STEP_COUNT] = {0};
	for (int biz = 0; biz < BIZ_COUNT; biz++)
		for (int h = 0; h < HOLDER_COUNT; h++) {
			const struct recipe *r =
			    catalogue_recipe((enum business)biz, (enum holder)h);
			if (!r)
				continue;
			for (int i = 0; i < r->nsteps; i++) {
				enum step st = r->steps[i].step;
				struct flow_view v =
				    step_view((enum business)biz, (enum holder)h, st);
				show(&v, c);
				snprintf(name, sizeof name, "%s-%s-%s", catalogue_business_id(biz),
				         catalogue_holder_id(h), catalogue_step_id(st));
				/* one picture per step, and the options of each business */
				int picture = !pictured[st]++ || st == STEP_OPTIONS;
				check_screen(c, name, picture);
			}
		}
	/* the pick-up of an order reviewed centrally: its tile and every step */
	start.pickup_offered = 1;
	start.notice_key[0] = '\0';
	show(&start, c);
	check_screen(c, "start-pickup", 1);
	CHECK(screen_find(ui_screen(ui), ACT_INTENT, INTENT_PICKUP, 0) != NULL);
	const struct recipe *pr = catalogue_pickup_recipe(BIZ_NEW);
	for (int i = 0; i < pr->nsteps; i++) {
		enum step st = pr->steps[i].step;
		struct flow_view p = step_view(BIZ_NEW, HOLDER_UNIT, st);
		p.pickup = 1;
		p.have_key = 0;
		p.materials = pr->materials;
		p.years = 2;
		p.sub_keys = 1;
		memset(&p.quote, 0, sizeof p.quote);
		snprintf(p.pickup_no, sizeof p.pickup_no, "GX2026112100123");
		p.pickup_paid_fen = 52000;
		if (st == STEP_ORDER_NO)
			snprintf(p.error_key, sizeof p.error_key, "pickup.unknown");
		if (st == STEP_CONFIRM)
			p.prompt_key = "step.confirm_pickup";
		show(&p, c);
		snprintf(name, sizeof name, "pickup-%s", catalogue_step_id(st));
		check_screen(c, name, 1);
		if (st == STEP_ORDER_NO) {
			CHECK_INT(ui_screen(ui)->keypad, 6);
			for (const char *k = KEYPAD_ORDER_ALPHABET; *k; k++)
				CHECK(screen_find(ui_screen(ui), ACT_CHAR, 0, (unsigned char)*k) !=
				      NULL);
		}
	}
	/* the key still being read, a card read */
	struct flow_view v = step_view(BIZ_CHECK, HOLDER_UNIT, STEP_KEY_INFO);
	v.have_key = 0;
	show(&v, c);
	check_screen(c, "key-reading", 1);
	v = step_view(BIZ_RENEW, HOLDER_UNIT, STEP_ID_CARD);
	v.have_card = 1;
	v.error_key[0] = '\0';
	snprintf(v.card_masked, sizeof v.card_masked, "1101**********002X");
	show(&v, c);
	check_screen(c, "id-card-read", 1);
	/* the contact step's second part: the e-mail on the Latin keyboard */
	v = step_view(BIZ_NEW, HOLDER_UNIT, STEP_CONTACT);
	v.contact_email = 1;
	v.prompt_key = "step.contact_email";
	snprintf(v.error_key, sizeof v.error_key, "contact.bad_email");
	show(&v, c);
	check_screen(c, "contact-email", 1);
	CHECK_INT(ui_screen(ui)->keypad, 5);
	for (const char *k = KEYPAD_EMAIL_ALPHABET; *k; k++)
		CHECK(screen_find(ui_screen(ui), ACT_CHAR, 0, (unsigned char)*k) != NULL);
	CHECK(screen_find(ui_screen(ui), ACT_INTENT, INTENT_NEXT, 0) != NULL); /* skip */
	CHECK(screen_find(ui_screen(ui), ACT_DELETE, 0, 0) != NULL);
	CHECK(screen_find(ui_screen(ui), ACT_ENTER, 0, 0) != NULL);
	/* errors with the next step, and out of service */
	static const char *const errors[] = {"error.work_failed", "error.work_failed_refunded",
	                                     "error.refund_pending", "pay.unavailable",
	                                     "error.store"};
	for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
		struct flow_view e = {.screen = SCREEN_ERROR,
		                      .prompt_key = "error.title",
		                      .suggest = -1,
		                      .show_countdown = 1,
		                      .remaining_s = 9};
		snprintf(e.error_key, sizeof e.error_key, "%s", errors[i]);
		e.out_of_service = strcmp(errors[i], "error.store") == 0;
		show(&e, c);
		snprintf(name, sizeof name, "error-%s", errors[i]);
		check_screen(c, name, i == 0 || i == 4);
	}
}

/* The spoken prompts say the caption's words: each rendered prompt's text is the
 * string the screen shows, and one plays (on SDL's dummy audio driver). */
static void check_voice(void)
{
	const char *langs[2] = {"zh-CN", "en"};
	static const char *const keys[] = {"start.choose", "step.pay", "step.pin", "error.title"};
	for (int l = 0; l < 2; l++) {
		struct strings *st = NULL;
		struct kerr err = {{0}};
		CHECK_INT(strings_load(conf.assets, langs[l], &st, &err), KR_OK);
		for (size_t k = 0; st && k < sizeof keys / sizeof keys[0]; k++) {
			char path[PATH_MAX], text[512] = "";
			snprintf(path, sizeof path, "%s/%s/%s.txt", KIOSK_VOICE_DIR, langs[l],
			         keys[k]);
			FILE *f = fopen(path, "r");
			CHECK(f != NULL);
			if (!f)
				continue;
			size_t n = fread(text, 1, sizeof text - 1, f);
			text[n] = '\0';
			fclose(f);
			CHECK_STR(text, strings_get(st, keys[k]));
		}
		strings_free(st);
	}
	struct voice *v = voice_open(KIOSK_VOICE_DIR);
	CHECK_INT(voice_say(v, "zh-CN", "step.pay"), 1);
	CHECK_INT(voice_say(v, "zh-CN", "no.such_prompt"), 0);
	voice_close(v);
}

int main(void)
{
	setenv("SDL_VIDEODRIVER", "dummy", 0);
	setenv("SDL_RENDER_DRIVER", "software", 0);
	const char *src = getenv("KIOSK_SOURCE_DIR");
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/tests/ui/ui-kiosk.ini",
	         src && *src ? src : KIOSK_SOURCE_DIR);
	struct kerr err = {{0}};
	if (conf_load(path, &conf, &err) != KR_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	out_dir = getenv("KIOSK_UI_OUT") ? getenv("KIOSK_UI_OUT") : ".";
	mkdir(out_dir, 0755);
	struct tm tm = {.tm_year = 2026 - 1900, .tm_mon = 10, .tm_mday = 20, .tm_hour = 10};
	now_utc = (int64_t)timegm(&tm) - 8 * 3600; /* Friday 20 November 2026, 10:00 */
	struct ui_options uo = {0};
	if (ui_create(&conf, &uo, &ui, &err) != KR_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	for (size_t i = 0; i < sizeof combos / sizeof combos[0]; i++)
		all_screens(&combos[i]);
	CHECK_INT(ui_missing_glyphs(ui), 0);

	/* golden images of reference screens */
	struct flow_view start = {.screen = SCREEN_START,
	                          .prompt_key = "start.choose",
	                          .offered = offered(),
	                          .suggest = -1};
	show(&start, &combos[0]);
	check_golden("start-zh");
	struct flow_view opt = step_view(BIZ_RENEW, HOLDER_UNIT, STEP_OPTIONS);
	show(&opt, &combos[1]);
	check_golden("renew-options-en");
	struct flow_view pay = step_view(BIZ_RENEW, HOLDER_UNIT, STEP_PAY);
	show(&pay, &combos[2]);
	check_golden("renew-pay-zh-large");
	struct flow_view res = step_view(BIZ_NEW, HOLDER_PERSON, STEP_RESULT);
	show(&res, &combos[4]);
	check_golden("result-zh-contrast");
	ui_destroy(ui);
	setenv("SDL_AUDIODRIVER", "dummy", 0);
	check_voice();
	return check_done();
}
