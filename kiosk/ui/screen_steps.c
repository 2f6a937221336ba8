/* screen_steps.c — the steps of a business, one layout per step (holder, key, ID card,
 * typed entries, PIN, materials, options, confirmation, payment, work, result), chosen
 * from a table by the step the view shows. */
#include <stdio.h>
#include <string.h>

#include "core/cntime.h"
#include "core/money.h"
#include "ui/screen_internal.h"

static const char *biz_title_key(enum business biz)
{
	static const char *const k[BIZ_COUNT] = {
	    [BIZ_NEW] = "biz.new",         [BIZ_RENEW] = "biz.renew",
	    [BIZ_REISSUE] = "biz.reissue", [BIZ_CHANGE] = "biz.change",
	    [BIZ_UNLOCK] = "biz.unlock",   [BIZ_EXCHANGE] = "biz.exchange",
	    [BIZ_CHECK] = "biz.check",     [BIZ_REVOKE] = "biz.revoke",
	};
	return (int)biz >= 0 && biz < BIZ_COUNT ? k[biz] : "biz.check";
}

static void key_info(struct builder *b)
{
	const struct flow_view *v = b->v;
	char line[SCREEN_TEXT], n[16];
	if (!v->have_key) {
		screen_info_key(b, FONT_BODY, ROLE_NOTICE, "ui.key_reading");
		screen_figure(b, WK_SPINNER, 120, 120, "");
	} else {
		if (v->subject_masked[0])
			screen_info(b, FONT_BODY, ROLE_SCREEN, 0, v->subject_masked);
		static const char *const issuer[] = {"ui.issuer_none", "ui.issuer_ours",
		                                     "ui.issuer_jsca", "ui.issuer_other"};
		screen_fill(
		    b, line, sizeof line, "ui.issuer",
		    screen_tx(b, issuer[v->issuer <= ISSUER_OTHER ? v->issuer : ISSUER_OTHER]));
		screen_info(b, FONT_BODY, ROLE_SCREEN, 0, line);
		if (v->issuer != ISSUER_NONE) {
			snprintf(n, sizeof n, "%d",
			         v->key_days_left >= 0 ? v->key_days_left : -v->key_days_left);
			screen_fill(b, line, sizeof line,
			            v->key_days_left >= 0 ? "ui.days_left" : "ui.expired_days", n);
			screen_info(b, FONT_BODY,
			            v->key_days_left <= 30 ? ROLE_WARNING : ROLE_SCREEN, 0, line);
		}
		static const char *const pin[] = {"ui.pin_ok", "ui.pin_count_low", "ui.pin_final",
		                                  "ui.pin_locked"};
		snprintf(line, sizeof line, "%s  ·  %s  ·  %s  ·  %s",
		         screen_tx(b, pin[v->key_pin & 3]),
		         screen_tx(b, v->key_has_enc ? "ui.has_enc" : "ui.no_enc"),
		         screen_tx(b, v->key_has_seal ? "ui.has_seal" : "ui.no_seal"),
		         screen_tx(b, v->check_pass ? "ui.check_pass" : "ui.check_fail"));
		screen_info(b, FONT_BODY, ROLE_SCREEN, 0, line);
		if (v->fit_key && v->biz != BIZ_CHECK)
			screen_info_key(b, FONT_BODY, ROLE_ERROR, v->fit_key);
	}
	screen_nav(b, 1, 0);
	struct btn row[2];
	int n_btn = 0;
	if (v->biz == BIZ_CHECK) {
		if (v->have_key && v->suggest >= 0 && v->suggest != BIZ_CHECK) {
			screen_fill(b, line, sizeof line, "ui.suggest",
			            screen_tx(b, biz_title_key(v->suggest)));
			row[n_btn++] = (struct btn){line, ACT_INTENT, INTENT_BUSINESS, v->suggest,
			                            ROLE_PRIMARY};
		}
		if (v->have_key)
			row[n_btn++] = (struct btn){screen_tx(b, "ui.check_only"), ACT_INTENT,
			                            INTENT_NEXT, 0, ROLE_BUTTON};
	} else if (v->have_key) {
		row[n_btn++] = (struct btn){screen_tx(b, "ui.next"), ACT_INTENT, INTENT_NEXT, 0,
		                            v->fit_key ? ROLE_DISABLED : ROLE_PRIMARY};
	}
	screen_grid(b, row, n_btn, 1, FONT_BODY);
}

static void options(struct builder *b)
{
	const struct flow_view *v = b->v;
	const struct recipe *r = catalogue_recipe(v->biz, v->holder);
	char money_s[32];
	money_format(v->quote.total_fen, money_s, sizeof money_s);
	screen_info_fill(b, FONT_TITLE, ROLE_SCREEN, "ui.total", money_s);

	screen_nav(b, 1, 0);
	struct btn next = {screen_tx(b, "ui.next"), ACT_INTENT, INTENT_NEXT, 0, ROLE_PRIMARY};
	screen_grid(b, &next, 1, 1, FONT_BODY);
	char labels[12][64];
	struct btn row[8];
	if (r && r->change_option) {
		static const char *const k[CHANGE_COUNT] = {
		    "ui.change_name", "ui.change_legal_person", "ui.change_seal_template"};
		for (int c = 0; c < CHANGE_COUNT; c++)
			row[c] = (struct btn){screen_tx(b, k[c]), ACT_INTENT, INTENT_CHANGE, c,
			                      (int)v->change == c ? ROLE_SELECTED : ROLE_BUTTON};
		screen_grid(b, row, CHANGE_COUNT, 3, FONT_BODY);
		screen_caption(b, FONT_SMALL, ROLE_SCREEN, screen_tx(b, "ui.change"));
	}
	if (r && r->sub_keys_option) {
		for (int k = 0; k <= CATALOGUE_MAX_SUB_KEYS; k++) {
			char n[8];
			snprintf(n, sizeof n, "%d", k);
			screen_fill(b, labels[k], sizeof labels[k], "ui.sub_keys_n", n);
			row[k] = (struct btn){labels[k], ACT_INTENT, INTENT_SUB_KEYS, k,
			                      v->sub_keys == k ? ROLE_SELECTED : ROLE_BUTTON};
		}
		screen_grid(b, row, CATALOGUE_MAX_SUB_KEYS + 1, 3, FONT_BODY);
		screen_caption(b, FONT_SMALL, ROLE_SCREEN, screen_tx(b, "ui.sub_keys"));
	}
	if (r && r->seal_option) {
		row[0] = (struct btn){screen_tx(b, "ui.yes"), ACT_INTENT, INTENT_SEAL, 1,
		                      v->seal ? ROLE_SELECTED : ROLE_BUTTON};
		row[1] = (struct btn){screen_tx(b, "ui.no"), ACT_INTENT, INTENT_SEAL, 0,
		                      v->seal ? ROLE_BUTTON : ROLE_SELECTED};
		screen_grid(b, row, 2, 2, FONT_BODY);
		screen_caption(b, FONT_SMALL, ROLE_SCREEN, screen_tx(b, "ui.seal"));
	}
	if (r && r->years) {
		int n = 0;
		const struct fee_table *t = &b->in->conf->region.fees;
		for (int y = 1; y <= t->years_max && n < 6; y++)
			if (fees_years_offered(t, v->biz, v->holder, y)) {
				char num[12];
				snprintf(num, sizeof num, "%d", y);
				char *label = labels[6 + n];
				screen_fill(b, label, sizeof labels[0], "ui.years_n", num);
				row[n] = (struct btn){label, ACT_INTENT, INTENT_YEARS, y,
				                      v->years == y ? ROLE_SELECTED : ROLE_BUTTON};
				n++;
			}
		screen_grid(b, row, n, n > 3 ? 3 : n, FONT_BODY);
		screen_caption(b, FONT_SMALL, ROLE_SCREEN, screen_tx(b, "ui.years"));
	}
}

/* A pick-up's confirmation: the order, that it is paid, and what will be made. */
static void confirm_pickup(struct builder *b)
{
	const struct flow_view *v = b->v;
	char amount[32], n[16], years[64], what[SCREEN_TEXT];
	screen_info_fill(b, FONT_TITLE, ROLE_SCREEN, "ui.pickup_order", v->pickup_no);
	money_format(v->pickup_paid_fen, amount, sizeof amount);
	screen_info_fill(b, FONT_BODY, ROLE_NOTICE, "ui.pickup_paid", amount);
	snprintf(n, sizeof n, "%d", 1 + v->sub_keys);
	screen_fill(b, what, sizeof what, "ui.pickup_keys", n);
	snprintf(n, sizeof n, "%d", v->years);
	screen_fill(b, years, sizeof years, "ui.years_n", n);
	snprintf(what + strlen(what), sizeof what - strlen(what), "  ·  %s%s", years,
	         v->seal ? screen_tx(b, "ui.pickup_with_seal") : "");
	screen_info_fill(b, FONT_BODY, ROLE_SCREEN, "ui.pickup_make", what);
	if (v->subject_masked[0])
		screen_info(b, FONT_BODY, ROLE_SCREEN, 0, v->subject_masked);
	screen_nav(b, 1, 0);
	struct btn ok = {screen_tx(b, "ui.pickup_confirm"), ACT_INTENT, INTENT_NEXT, 0,
	                 ROLE_PRIMARY};
	screen_grid(b, &ok, 1, 1, FONT_BODY);
}

static void confirm(struct builder *b)
{
	const struct flow_view *v = b->v;
	char line[96], amount[32], item[SCREEN_TEXT];
	if (v->pickup) {
		confirm_pickup(b);
		return;
	}
	for (int i = 0; i < v->quote.nlines; i++) {
		const struct fee_line *l = &v->quote.line[i];
		money_format(l->total_fen, amount, sizeof amount);
		snprintf(item, sizeof item, "%s × %d", screen_tx(b, l->key), l->qty);
		if (l->years) {
			char n[8], years[64];
			snprintf(n, sizeof n, "%d", l->years);
			screen_fill(b, years, sizeof years, "ui.years_n", n);
			snprintf(item + strlen(item), sizeof item - strlen(item), "  ·  %s%s",
			         years, l->bundle ? screen_tx(b, "ui.bundle") : "");
		}
		screen_fill(b, line, sizeof line, "ui.yuan", amount);
		snprintf(item + strlen(item), sizeof item - strlen(item), "  ·  %s", line);
		screen_info(b, FONT_BODY, ROLE_SCREEN, 0, item);
	}
	if (v->quote.total_fen > 0) {
		money_format(v->quote.total_fen, amount, sizeof amount);
		screen_info_fill(b, FONT_TITLE, ROLE_SCREEN, "ui.total", amount);
	} else {
		screen_info_key(b, FONT_TITLE, ROLE_SCREEN, "ui.free");
	}
	if (v->subject_masked[0])
		screen_info(b, FONT_SMALL, ROLE_MUTED, 0, v->subject_masked);
	if (v->phone_masked[0])
		screen_info_fill(b, FONT_SMALL, ROLE_MUTED, "ui.phone", v->phone_masked);
	if (v->email_masked[0]) {
		screen_info_fill(b, FONT_SMALL, ROLE_MUTED, "ui.email", v->email_masked);
	}
	screen_nav(b, 1, 0);
	struct btn ok = {screen_tx(b, "ui.confirm"), ACT_INTENT, INTENT_NEXT, 0, ROLE_PRIMARY};
	screen_grid(b, &ok, 1, 1, FONT_BODY);
}

static void pay(struct builder *b)
{
	const struct flow_view *v = b->v;
	char line[160], amount[32], n[16];
	money_format(v->quote.total_fen, amount, sizeof amount);
	screen_fill(b, line, sizeof line, "ui.yuan", amount);
	char big[SCREEN_TEXT];
	snprintf(big, sizeof big, "%s %s", screen_tx(b, "ui.amount"), line);
	screen_info(b, FONT_TITLE, ROLE_SCREEN, 1, big);
	if (v->qr[0]) {
		int side = b->in->large ? 520 : 560;
		screen_figure(b, WK_QR, side, side, v->qr);
	} else {
		screen_info_key(b, FONT_BODY, ROLE_NOTICE, "ui.qr_waiting");
	}
	snprintf(n, sizeof n, "%d", v->remaining_s);
	screen_fill(b, line, sizeof line, "ui.qr_left", n);
	screen_info(b, FONT_BODY, v->remaining_s <= 30 ? ROLE_WARNING : ROLE_SCREEN, 1, line);
	if (!v->cancelling) {
		struct btn c = {screen_tx(b, "ui.pay_cancel"), ACT_INTENT, INTENT_CANCEL, 0,
		                ROLE_BUTTON};
		screen_grid(b, &c, 1, 1, FONT_BODY);
	}
}

static void work(struct builder *b)
{
	const struct flow_view *v = b->v;
	char line[SCREEN_TEXT], n[16];
	screen_figure(b, WK_SPINNER, 180, 180, "");
	if (v->progress_key[0])
		screen_info(b, FONT_TITLE, ROLE_SCREEN, 1, screen_tx(b, v->progress_key));
	snprintf(n, sizeof n, "%d", v->work_steps_done);
	screen_fill(b, line, sizeof line, "ui.work_steps", n);
	screen_info(b, FONT_BODY, ROLE_MUTED, 1, line);
	if (v->key_to_take)
		screen_caption(b, FONT_TITLE, ROLE_WARNING, screen_tx(b, "ui.keep_key"));
}

static void result(struct builder *b)
{
	const struct flow_view *v = b->v;
	char date[40];
	if (v->order_no[0])
		screen_info_fill(b, FONT_BODY, ROLE_SCREEN, "ui.order_no", v->order_no);
	if (v->cert_serial[0]) {
		screen_info_fill(b, FONT_SMALL, ROLE_MUTED, "ui.cert_serial", v->cert_serial);
	}
	if (v->not_after_utc) {
		cntime_format(v->not_after_utc, "%Y-%m-%d", date, sizeof date);
		screen_info_fill(b, FONT_BODY, ROLE_SCREEN, "ui.valid_to", date);
	}
	if (v->biz == BIZ_CHECK && v->have_key)
		screen_info_key(b, FONT_BODY, v->check_pass ? ROLE_NOTICE : ROLE_ERROR,
		                v->check_pass ? "ui.check_pass" : "ui.check_fail");
	if (v->next_key)
		screen_info_key(b, FONT_BODY, ROLE_SCREEN, v->next_key);
	if (v->print_key)
		screen_info_key(b, FONT_BODY,
		                strcmp(v->print_key, "print.failed") == 0 ? ROLE_WARNING
		                                                          : ROLE_NOTICE,
		                v->print_key);
	screen_countdown(b, 1);
	struct btn done = {screen_tx(b, "ui.finish"), ACT_INTENT, INTENT_NEXT, 0, ROLE_PRIMARY};
	screen_grid(b, &done, 1, 1, FONT_BODY);
	screen_caption(b, FONT_TITLE, ROLE_WARNING,
	               screen_tx(b, v->key_to_take ? "ui.take_key" : "ui.take_receipt"));
}

static void holder_step(struct builder *b)
{
	screen_nav(b, 0, 0);
	struct btn h[2] = {
	    {screen_tx(b, "ui.holder_unit"), ACT_INTENT, INTENT_HOLDER, HOLDER_UNIT, ROLE_PRIMARY},
	    {screen_tx(b, "ui.holder_person"), ACT_INTENT, INTENT_HOLDER, HOLDER_PERSON,
	     ROLE_PRIMARY},
	};
	screen_grid(b, h, 2, 1, FONT_TITLE);
}

static void insert_key_step(struct builder *b)
{
	screen_figure(b, WK_CARD, 320, 260, "USB");
	screen_nav(b, 1, 0);
}

static void id_card_step(struct builder *b)
{
	const struct flow_view *v = b->v;
	if (v->have_card) {
		screen_info_fill(b, FONT_BODY, ROLE_NOTICE, "ui.card_read", v->card_masked);
	} else {
		screen_figure(b, WK_CARD, 440, 300, "ID");
		screen_info_key(b, FONT_BODY, ROLE_MUTED, "ui.card_hint");
	}
	screen_nav(b, 1, 0);
}

static void order_no_step(struct builder *b)
{
	screen_entry_field(b, "ui.order_no_placeholder", 0);
	if (b->v->pickup_looking)
		screen_info_key(b, FONT_SMALL, ROLE_NOTICE, "ui.pickup_looking");
	b->s->keypad = 6;
	screen_nav(b, 1, 0);
	screen_keypad(b, KEYPAD_ORDER_ALPHABET, 8, b->in->large ? FONT_BODY : FONT_TITLE, NULL, 1);
}

static void unit_code_step(struct builder *b)
{
	screen_entry_field(b, "ui.code_placeholder", 0);
	b->s->keypad = 1;
	screen_nav(b, 1, 0);
	screen_keypad(b, KEYPAD_USCC_ALPHABET, 7, FONT_TITLE, NULL, 0);
}

/* The mobile first, then on the same step the e-mail (which may be skipped). */
static void contact_step(struct builder *b)
{
	if (b->v->contact_email) {
		struct btn skip = {screen_tx(b, "ui.skip_email"), ACT_INTENT, INTENT_NEXT, 0,
		                   ROLE_BUTTON};
		screen_entry_field(b, "ui.email_placeholder", 1);
		b->s->keypad = 5;
		screen_nav(b, 1, 0);
		/* large text: the body font, as big as the title font of normal text,
		 * keeps five rows of keys in reach */
		screen_keypad(b, KEYPAD_EMAIL_ALPHABET, 8, b->in->large ? FONT_BODY : FONT_TITLE,
		              &skip, 1);
		return;
	}
	screen_entry_field(b, "ui.phone_placeholder", 0);
	b->s->keypad = 2;
	screen_nav(b, 1, 0);
	screen_keypad(b, "1234567890", 5, FONT_HUGE, NULL, 0);
}

/* STEP_PIN (chosen twice) and STEP_KEY_PIN (the key's own, once): a scrambled keypad. */
static void pin_step(struct builder *b)
{
	const struct flow_view *v = b->v;
	screen_info_key(b, FONT_BODY, ROLE_SCREEN,
	                v->step == STEP_KEY_PIN ? "ui.key_pin_hint"
	                : v->pin_round == 1     ? "ui.pin_round1"
	                                        : "ui.pin_round2");
	screen_figure(b, WK_DOTS, CONTENT_W, 130, "")->arg = b->in->pin_len;
	screen_info_key(b, FONT_SMALL, ROLE_MUTED, "ui.pin_scrambled");
	b->s->keypad = 3;
	screen_nav(b, 1, 0);
	char pad[11];
	for (int i = 0; i < 10; i++)
		pad[i] = (char)('0' + (b->in->pin_digits ? b->in->pin_digits[i] : i));
	pad[10] = '\0';
	screen_keypad(b, pad, 5, FONT_HUGE, NULL, 0);
}

static void materials_step(struct builder *b)
{
	char line[SCREEN_TEXT];
	for (int m = 0; m < MAT_COUNT_BITS; m++)
		if (b->v->materials & (1u << m)) {
			snprintf(line, sizeof line, "•  %s",
			         screen_tx(b, catalogue_material_key((enum material)(1u << m))));
			screen_info(b, FONT_BODY, ROLE_SCREEN, 0, line);
		}
	screen_nav(b, 1, 0);
	struct btn ok = {screen_tx(b, "ui.have_materials"), ACT_INTENT, INTENT_NEXT, 0,
	                 ROLE_PRIMARY};
	screen_grid(b, &ok, 1, 1, FONT_BODY);
}

/* The layout of each step (none: only the title and prompt). */
static void (*const step_layout[STEP_COUNT])(struct builder *b) = {
    [STEP_HOLDER] = holder_step,
    [STEP_INSERT_KEY] = insert_key_step,
    [STEP_KEY_INFO] = key_info,
    [STEP_ID_CARD] = id_card_step,
    [STEP_ORDER_NO] = order_no_step,
    [STEP_UNIT_CODE] = unit_code_step,
    [STEP_CONTACT] = contact_step,
    [STEP_PIN] = pin_step,
    [STEP_KEY_PIN] = pin_step,
    [STEP_MATERIALS] = materials_step,
    [STEP_OPTIONS] = options,
    [STEP_CONFIRM] = confirm,
    [STEP_PAY] = pay,
    [STEP_WORK] = work,
    [STEP_RESULT] = result,
};

void screen_build_step(struct builder *b)
{
	const struct flow_view *v = b->v;
	screen_header(b, screen_tx(b, v->pickup ? "biz.pickup" : biz_title_key(v->biz)));
	screen_prompt(b);
	if ((int)v->step >= 0 && v->step < STEP_COUNT && step_layout[v->step])
		step_layout[v->step](b);
}
