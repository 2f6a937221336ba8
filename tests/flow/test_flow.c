/* test_flow.c — the session flow on an injected clock: every business to its end by
 * taps alone, time-outs and the wipe, PIN rules, payment and work outcomes, and the
 * rule that an order's state change is requested before the effect it leads to. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "conf/conf.h"
#include "core/authority.h"
#include "core/flow.h"
#include "core/recovery.h"

#define UNIT_CODE  "91350200MA2YJ1XR9G"
#define PERSON_ID  "11010519491231002X"
#define OTHER_UNIT "91320582MA1N8K3L4X" /* another unit */
#define OTHER_ID   "320683198503045118" /* another person: an agent of OTHER_UNIT */
#define CLERK_ID   "320582199006174026" /* the one agent on UNIT_CODE's list in some rows */
#define DAY_S      86400

struct rig {
	struct conf_region region;
	struct flow_config cfg;
	struct flow *f;
	struct flow_time now;
	struct flow_out out;
	struct key_triage key; /* the key the next triage finds */
	int64_t next_order_id;
	int64_t order_id;
	enum order_state order_state;
	int effects_before_state; /* effects requested while the order was not in the right state */
	int work_pins_seen;
	char last_pin[16];
	int auto_pay; /* answer PAY_START with a payment */
	int work_fails;
	int printed;
	int journaled;
	int handed_out;
	int retained;
	int blank_fails;            /* the dispenser has no blank key */
	int not_taken;              /* the user walks away from the new key */
	int settles;                /* FREQ_WORK_SETTLE asked */
	struct pickup_order pickup; /* the pick-up order the lookup finds */
	int64_t pickup_order_id;    /* when it is one of the kiosk's own orders */
	char created_pickup[32];    /* pickup_no of the last order created */
	struct work_spec last_work;
	const char *served_cert; /* cert_event of the move to served */
	char served_serial[48];
	int no_serial;       /* the work reports no certificate (a queued revocation) */
	char revoke_id[20];  /* revoke_id of the last order created */
	char reporter[20];   /* agent_id of the last order created: who reported a loss */
	int reports;         /* the recent loss reports the store answers */
	char reports_of[20]; /* revoke_id of the last FREQ_AGENT_CHECK: whose reports */
	struct receipt_data last_receipt;
	const char *listed[2][2]; /* the units' lists of agents: {unit, agent ID} pairs */
	int no_list;              /* no list young enough: every answer is AGENT_NO_LIST */
	int agent_checks;         /* FREQ_AGENT_CHECK seen */
	int proofs;               /* FREQ_KEY_PROVE seen */
	const char *prove_fails;  /* the proof's answer: NULL proven, else the reason key */
	int orders_created, pays, works, keys_issued;
	char last_journal[32]; /* kind of the last FREQ_JOURNAL */
};

static void load_region(struct rig *g, const char *hall)
{
	char path[4096];
	const char *src = getenv("KIOSK_SOURCE_DIR");
	struct kerr err;
	snprintf(path, sizeof path, "%s/config/regions/%s.ini",
	         src && *src ? src : KIOSK_SOURCE_DIR, hall);
	if (conf_load_region(path, &g->region, &err) != KR_OK) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
}

static void rig_init(struct rig *g, const char *hall)
{
	memset(g, 0, sizeof *g);
	load_region(g, hall);
	g->cfg = (struct flow_config){
	    .fees = &g->region.fees,
	    .step_timeout_s = 90,
	    .pay_timeout_s = 180,
	    .countdown_shown_s = 15,
	    .renew_window_days = 30,
	    .renew_grace_days = 30,
	    .pay_ceiling_fen = 500000,
	};
	g->now =
	    (struct flow_time){.mono_ms = 1000, .utc_s = 1795266000}; /* 2026-11-21 21:00 CST */
	g->f = flow_create(&g->cfg, g->now);
	g->next_order_id = 100;
	g->auto_pay = 1;
	g->listed[0][0] = UNIT_CODE;
	g->listed[0][1] = PERSON_ID;
	g->listed[1][0] = OTHER_UNIT;
	g->listed[1][1] = OTHER_ID;
}

/* What the rig's lists say of agent_id for unit. */
static enum agent_standing standing_of(const struct rig *g, const char *unit, const char *agent_id)
{
	if (g->no_list)
		return AGENT_NO_LIST;
	for (int i = 0; i < 2; i++)
		if (strcmp(g->listed[i][0], unit) == 0 && strcmp(g->listed[i][1], agent_id) == 0)
			return AGENT_LISTED;
	return AGENT_UNLISTED;
}

static void rig_free(struct rig *g)
{
	flow_destroy(g->f);
}

static struct key_triage our_key(enum holder h, int days_left, enum pin_state pin)
{
	struct key_triage k = {.has_cert = 1,
	                       .issuer = ISSUER_OURS,
	                       .holder = h,
	                       .pin = pin,
	                       .has_seal = h == HOLDER_UNIT,
	                       .check_pass = 1};
	snprintf(k.serial, sizeof k.serial, "T0001");
	snprintf(k.subject_name, sizeof k.subject_name, "%s",
	         h == HOLDER_UNIT ? "南通示例公司" : "张三");
	snprintf(k.subject_id, sizeof k.subject_id, "%s", h == HOLDER_UNIT ? UNIT_CODE : PERSON_ID);
	k.not_after_utc = 1795266000 + (int64_t)days_left * DAY_S + 3600;
	k.not_before_utc = k.not_after_utc - 365 * DAY_S;
	return k;
}

static const struct flow_view *view(struct rig *g)
{
	return flow_view(g->f);
}

static void feed(struct rig *g, const struct flow_event *ev);

/* Answers the flow's requests the way healthy services would, and checks that every
 * effect is requested only once the order is in the state that allows it. */
static void respond(struct rig *g)
{
	struct flow_out out = g->out;
	for (int i = 0; i < out.n; i++) {
		const struct flow_request *r = &out.req[i];
		struct flow_event ev = {.order_id = r->order_id};
		switch (r->kind) {
		case FREQ_AGENT_CHECK:
			g->agent_checks++;
			CHECK(!r->unit_code[0] || strcmp(r->unit_code, UNIT_CODE) == 0);
			ev.kind = FEV_AGENT;
			ev.arg = r->unit_code[0] ? (int)standing_of(g, r->unit_code, r->agent_id)
			                         : AGENT_UNLISTED;
			ev.recent_reports = r->biz == BIZ_REVOKE ? g->reports : 0;
			snprintf(g->reports_of, sizeof g->reports_of, "%s", r->revoke_id);
			feed(g, &ev);
			break;
		case FREQ_KEY_PROVE:
			g->proofs++;
			ev.kind = FEV_KEY_PROVEN;
			ev.arg = !g->prove_fails;
			snprintf(ev.text, sizeof ev.text, "%s",
			         g->prove_fails ? g->prove_fails : "");
			feed(g, &ev);
			break;
		case FREQ_ORDER_CREATE:
			g->orders_created++;
			snprintf(g->created_pickup, sizeof g->created_pickup, "%s", r->pickup_no);
			snprintf(g->revoke_id, sizeof g->revoke_id, "%s", r->revoke_id);
			snprintf(g->reporter, sizeof g->reporter, "%s", r->agent_id);
			g->order_id = g->next_order_id++;
			g->order_state = ORDER_NEW;
			ev.kind = FEV_ORDER_CREATED;
			ev.order_id = g->order_id;
			snprintf(ev.order_no, sizeof ev.order_no, "T%lld", (long long)g->order_id);
			feed(g, &ev);
			break;
		case FREQ_ORDER_MOVE:
			CHECK(order_can_move(g->order_state, r->to, r->amount_fen));
			if (r->to == ORDER_SERVED) {
				g->served_cert = r->cert_event;
				snprintf(g->served_serial, sizeof g->served_serial, "%s",
				         r->cert_serial);
			}
			g->order_state = r->to;
			break;
		case FREQ_PAY_START:
			g->pays++;
			g->effects_before_state += g->order_state != ORDER_PAYING;
			ev.kind = FEV_PAY_QR;
			snprintf(ev.text, sizeof ev.text, "https://qr.example/T");
			feed(g, &ev);
			if (g->auto_pay) {
				ev.kind = FEV_PAY_PAID;
				feed(g, &ev);
			}
			break;
		case FREQ_WORK:
			g->works++;
			g->effects_before_state += g->order_state != ORDER_WORKING;
			g->work_pins_seen += r->work.pin[0] != '\0';
			g->last_work = r->work;
			snprintf(g->last_pin, sizeof g->last_pin, "%s", r->work.pin);
			ev.kind = g->work_fails ? FEV_WORK_FAILED : FEV_WORK_DONE;
			snprintf(ev.cert_serial, sizeof ev.cert_serial, "%s",
			         g->no_serial ? "" : "5A01");
			ev.not_after_utc = g->now.utc_s + 365 * DAY_S;
			feed(g, &ev);
			break;
		case FREQ_KEY_ISSUE:
			g->keys_issued++;
			g->effects_before_state += g->order_state != ORDER_WORKING;
			ev.kind = g->blank_fails ? FEV_KEY_BLANK_FAILED : FEV_KEY_BLANK_READY;
			snprintf(ev.text, sizeof ev.text, "%s",
			         g->blank_fails ? "dispenser.empty" : "");
			feed(g, &ev);
			break;
		case FREQ_KEY_HAND_OUT:
			/* served means handed out: the order is still working */
			g->effects_before_state += g->order_state != ORDER_WORKING;
			g->handed_out++;
			ev.kind = g->not_taken ? FEV_KEY_RETAINED : FEV_KEY_TAKEN;
			snprintf(ev.text, sizeof ev.text, "%s",
			         g->not_taken ? "dispenser.not_taken" : "");
			feed(g, &ev);
			break;
		case FREQ_KEY_RETAIN:
			g->retained++;
			break;
		case FREQ_WORK_SETTLE: /* the key not taken: it had not landed */
			g->settles++;
			CHECK_INT(r->work.biz, BIZ_NEW);
			ev.kind = FEV_WORK_FAILED;
			snprintf(ev.text, sizeof ev.text, "work.not_delivered");
			feed(g, &ev);
			break;
		case FREQ_PAY_REFUND:
			g->effects_before_state += g->order_state != ORDER_REFUNDING;
			ev.kind = FEV_REFUNDED;
			feed(g, &ev);
			break;
		case FREQ_TRIAGE:
			ev.kind = FEV_TRIAGE;
			ev.key = g->key;
			feed(g, &ev);
			break;
		case FREQ_PICKUP_FIND:
			if (g->pickup.order_no[0] && strcmp(r->order_no, g->pickup.order_no) == 0) {
				ev.kind = FEV_PICKUP;
				ev.pickup = g->pickup;
				if (g->pickup_order_id) {
					g->order_id = ev.order_id = g->pickup_order_id;
					g->order_state = ORDER_APPROVED;
					snprintf(ev.order_no, sizeof ev.order_no, "%s",
					         r->order_no);
				}
			} else {
				ev.kind = FEV_PICKUP_FAILED;
				snprintf(ev.text, sizeof ev.text, "pickup.unknown");
			}
			feed(g, &ev);
			break;
		case FREQ_PRINT:
			g->last_receipt = r->receipt;
			g->printed++;
			ev.kind = FEV_PRINTED;
			feed(g, &ev);
			break;
		case FREQ_JOURNAL:
			g->journaled++;
			snprintf(g->last_journal, sizeof g->last_journal, "%s", r->journal_kind);
			break;
		default:
			break;
		}
	}
}

static void feed(struct rig *g, const struct flow_event *ev)
{
	flow_handle(g->f, ev, g->now, &g->out);
	respond(g);
}

static void tap(struct rig *g, enum intent in, int arg)
{
	struct flow_event ev = {.kind = FEV_TAP, .intent = in, .arg = arg};
	feed(g, &ev);
}

static void type(struct rig *g, enum intent in, const char *text)
{
	struct flow_event ev = {.kind = FEV_TAP, .intent = in};
	snprintf(ev.text, sizeof ev.text, "%s", text);
	feed(g, &ev);
}

static void card_as(struct rig *g, const char *id, const char *name, const char *valid_to)
{
	struct flow_event ev = {.kind = FEV_CARD};
	ev.card.kind = ' ';
	snprintf(ev.card.name, sizeof ev.card.name, "%s", name);
	snprintf(ev.card.id_number, sizeof ev.card.id_number, "%s", id);
	snprintf(ev.card.birth, sizeof ev.card.birth, "%.8s", id + 6);
	snprintf(ev.card.valid_to, sizeof ev.card.valid_to, "%s", valid_to);
	feed(g, &ev);
}

static void card(struct rig *g, const char *id, const char *valid_to)
{
	card_as(g, id, "张三", valid_to);
}

static void key_event(struct rig *g, enum flow_event_kind kind)
{
	struct flow_event ev = {.kind = kind};
	feed(g, &ev);
}

static void wait_s(struct rig *g, int secs)
{
	for (int i = 0; i < secs; i++) {
		g->now.mono_ms += 1000;
		g->now.utc_s += 1;
		struct flow_event ev = {.kind = FEV_TICK};
		feed(g, &ev);
	}
}

/* Answers whatever the current step asks for; returns 0 when it does not know how. */
static int answer_step(struct rig *g, enum holder holder)
{
	const struct flow_view *v = view(g);
	switch (v->step) {
	case STEP_HOLDER:
		tap(g, INTENT_HOLDER, holder);
		return 1;
	case STEP_INSERT_KEY:
		key_event(g, FEV_KEY_INSERTED);
		return 1;
	case STEP_KEY_INFO:
	case STEP_MATERIALS:
	case STEP_OPTIONS:
	case STEP_CONFIRM:
		tap(g, INTENT_NEXT, 0);
		return 1;
	case STEP_ID_CARD:
		card(g, PERSON_ID, "20350101");
		return 1;
	case STEP_UNIT_CODE:
		type(g, INTENT_TEXT, UNIT_CODE);
		return 1;
	case STEP_CONTACT: /* the mobile, then an e-mail for the e-invoice */
		type(g, v->contact_email ? INTENT_EMAIL : INTENT_TEXT,
		     v->contact_email ? "zhang.san@example.com" : "13812345678");
		return 1;
	case STEP_PIN:
		type(g, INTENT_PIN, "902417");
		return 1;
	default:
		return 0;
	}
}

/* Every business, for units and persons, in both halls, by taps alone. */
static void test_every_business(const char *hall)
{
	for (int b = 0; b < BIZ_COUNT; b++)
		for (int h = 0; h < HOLDER_COUNT; h++) {
			struct rig g;
			rig_init(&g, hall);
			if (!fees_offered(&g.region.fees, (enum business)b, (enum holder)h)) {
				rig_free(&g);
				continue;
			}
			const struct recipe *rc =
			    catalogue_recipe((enum business)b, (enum holder)h);
			g.key = our_key((enum holder)h, b == BIZ_RENEW ? 10 : 200,
			                b == BIZ_UNLOCK ? KEYPIN_LOCKED : KEYPIN_OK);
			if (b == BIZ_EXCHANGE)
				g.key.issuer = ISSUER_JSCA;
			tap(&g, INTENT_BUSINESS, b);
			int guard = 0;
			while (view(&g)->screen == SCREEN_STEP && view(&g)->step != STEP_RESULT &&
			       guard++ < 40)
				if (!answer_step(&g, (enum holder)h))
					break;
			const struct flow_view *v = view(&g);
			if (v->screen != SCREEN_STEP || v->step != STEP_RESULT)
				fprintf(stderr, "%s %s %s: stuck at %s (error %s)\n", hall,
				        catalogue_business_id((enum business)b),
				        catalogue_holder_id((enum holder)h),
				        catalogue_step_id(v->step), v->error_key);
			CHECK(v->screen == SCREEN_STEP && v->step == STEP_RESULT);
			CHECK_INT(g.effects_before_state, 0);
			CHECK_INT(g.printed, 1);
			if (b == BIZ_CHECK) {
				CHECK_INT(g.order_id, 0);
				CHECK_INT(g.journaled, 1);
			} else {
				CHECK(g.order_id != 0);
				CHECK_INT(g.order_state,
				          rc->review ? ORDER_IN_REVIEW : ORDER_SERVED);
			}
			CHECK_INT(g.handed_out, rc->new_key && !rc->review);
			/* the result says what was done, what comes next and what to take */
			CHECK_STR(v->prompt_key, b == BIZ_REVOKE ? "step.result_suspended"
			                         : rc->review    ? "step.result_review"
			                                         : "step.result");
			CHECK_INT(v->key_to_take, rc->uses_own_key || (rc->new_key && !rc->review));
			CHECK(b == BIZ_CHECK ? v->next_key == NULL : v->next_key != NULL);
			CHECK(v->next_key == g.last_receipt.next_key);
			if (b == BIZ_REVOKE || b == BIZ_REISSUE) {
				CHECK_STR(g.revoke_id, h == HOLDER_UNIT ? UNIT_CODE : PERSON_ID);
			}
			if (b == BIZ_REVOKE)
				CHECK_INT(g.last_work.revoke_reason, REVOKE_HOLD);
			if (g.works)
				CHECK_INT(g.last_work.biz, b);
			if (rc->pin && !rc->review) {
				CHECK_INT(g.work_pins_seen, 1);
				CHECK_STR(g.last_pin, "902417");
			}
			tap(&g, INTENT_NEXT, 0);
			CHECK_INT(view(&g)->screen, SCREEN_START);
			CHECK(!flow_holds_personal_data(g.f));
			rig_free(&g);
		}
}

static void start_renewal(struct rig *g)
{
	g->key = our_key(HOLDER_PERSON, 10, KEYPIN_OK);
	tap(g, INTENT_BUSINESS, BIZ_RENEW);
	key_event(g, FEV_KEY_INSERTED);
	tap(g, INTENT_NEXT, 0);
}

/* A person's renewal from the key to the confirm step, confirmed: card read, 1 year,
 * the mobile typed, no e-mail. */
static void renew_and_confirm(struct rig *g)
{
	start_renewal(g);
	card(g, PERSON_ID, "");
	tap(g, INTENT_NEXT, 0);
	type(g, INTENT_TEXT, "13812345678");
	tap(g, INTENT_NEXT, 0); /* no e-mail */
	tap(g, INTENT_NEXT, 0);
}

static void test_timeout_and_wipe(void)
{
	struct rig g;
	rig_init(&g, "nantong");
	start_renewal(&g);
	CHECK_INT(view(&g)->step, STEP_ID_CARD);
	card(&g, PERSON_ID, "");
	CHECK_INT(view(&g)->step, STEP_OPTIONS);
	CHECK(flow_holds_personal_data(g.f));
	wait_s(&g, 70);
	CHECK(!view(&g)->show_countdown);
	wait_s(&g, 6);
	CHECK(view(&g)->show_countdown);
	CHECK_INT(view(&g)->remaining_s, 14);
	CHECK(view(&g)->can_extend);
	tap(&g, INTENT_MORE_TIME, 0);
	CHECK(!view(&g)->show_countdown);
	wait_s(&g, 175);
	CHECK(view(&g)->show_countdown);
	CHECK(!view(&g)->can_extend); /* once only */
	tap(&g, INTENT_MORE_TIME, 0);
	wait_s(&g, 10);
	CHECK_INT(view(&g)->screen, SCREEN_START);
	CHECK_STR(view(&g)->notice_key, "session.timeout");
	CHECK(!flow_holds_personal_data(g.f));
	rig_free(&g);
}

static void test_card_rules(void)
{
	struct rig g;
	rig_init(&g, "nantong");
	start_renewal(&g);
	card(&g, "110105194912310021", ""); /* bad check digit */
	CHECK_STR(view(&g)->error_key, "card.bad_number");
	card(&g, PERSON_ID, "20200101"); /* expired */
	CHECK_STR(view(&g)->error_key, "card.expired");
	card(&g, PERSON_ID, "");
	CHECK_INT(view(&g)->step, STEP_OPTIONS);
	rig_free(&g);
}

static void test_pin_rules(void)
{
	struct rig g;
	rig_init(&g, "nantong");
	g.key = our_key(HOLDER_PERSON, 200, KEYPIN_LOCKED);
	tap(&g, INTENT_BUSINESS, BIZ_UNLOCK);
	key_event(&g, FEV_KEY_INSERTED);
	tap(&g, INTENT_NEXT, 0);
	card(&g, PERSON_ID, "");
	CHECK_INT(view(&g)->step, STEP_PIN);
	static const struct {
		const char *pin, *why;
	} weak[] = {
	    {"123456", "pin.default"},    {"888888", "pin.repeated"},
	    {"345678", "pin.run"},        {"987654", "pin.run"},
	    {"491231", "pin.birth_date"}, {"19491231", "pin.birth_date"},
	    {"12a456", "pin.bad_format"}, {"12345", "pin.bad_format"},
	};
	for (size_t i = 0; i < sizeof weak / sizeof weak[0]; i++) {
		type(&g, INTENT_PIN, weak[i].pin);
		CHECK_STR(view(&g)->error_key, weak[i].why);
		CHECK_INT(view(&g)->pin_round, 1);
	}
	type(&g, INTENT_PIN, "902417");
	CHECK_INT(view(&g)->pin_round, 2);
	type(&g, INTENT_PIN, "902418");
	CHECK_STR(view(&g)->error_key, "pin.mismatch");
	CHECK_INT(view(&g)->pin_round, 1);
	type(&g, INTENT_PIN, "902417");
	type(&g, INTENT_PIN, "902417");
	CHECK_INT(view(&g)->step, STEP_CONFIRM);
	tap(&g, INTENT_NEXT, 0); /* free: no payment step */
	CHECK_INT(view(&g)->step, STEP_RESULT);
	CHECK_INT(g.work_pins_seen, 1);
	tap(&g, INTENT_NEXT, 0);
	CHECK(!flow_holds_personal_data(g.f));
	rig_free(&g);
}

/* The QR expires; the cancel is requested; a payment that lands in between wins. */
static void test_pay_timeout_then_paid(void)
{
	struct rig g;
	rig_init(&g, "nantong");
	g.auto_pay = 0;
	renew_and_confirm(&g);
	CHECK_INT(view(&g)->step, STEP_PAY);
	CHECK_INT(g.order_state, ORDER_PAYING);
	CHECK_INT(view(&g)->remaining_s, 180);
	CHECK(view(&g)->qr_matrix.width >= 21); /* the QR as modules, for the screen */
	wait_s(&g, 179);
	CHECK(!view(&g)->cancelling);
	g.now.mono_ms += 1000;
	struct flow_event tick = {.kind = FEV_TICK};
	flow_handle(g.f, &tick, g.now, &g.out);
	CHECK_INT(g.out.n, 1);
	CHECK_INT(g.out.req[0].kind, FREQ_PAY_CANCEL);
	CHECK(view(&g)->cancelling);
	struct flow_event paid = {.kind = FEV_PAY_PAID, .order_id = g.order_id};
	feed(&g, &paid);
	CHECK_INT(view(&g)->step, STEP_RESULT);
	CHECK_INT(g.order_state, ORDER_SERVED);
	rig_free(&g);
}

static void test_cancel_at_pay(void)
{
	struct rig g;
	rig_init(&g, "nantong");
	g.auto_pay = 0;
	renew_and_confirm(&g);
	tap(&g, INTENT_CANCEL, 0);
	CHECK_INT(g.out.n, 1);
	CHECK_INT(g.out.req[0].kind, FREQ_PAY_CANCEL);
	struct flow_event closed = {.kind = FEV_PAY_CLOSED, .order_id = g.order_id};
	feed(&g, &closed);
	CHECK_INT(g.order_state, ORDER_CLOSED);
	CHECK_INT(view(&g)->screen, SCREEN_START);
	CHECK_STR(view(&g)->notice_key, "pay.closed");
	CHECK(!flow_holds_personal_data(g.f));
	rig_free(&g);
}

/* The cancel's outcome stays unknown with the trade still payable: the session ends
 * saying the payment is being checked, and the order stays open (no move). */
static void test_pay_unsettled(void)
{
	struct rig g;
	rig_init(&g, "nantong");
	g.auto_pay = 0;
	renew_and_confirm(&g);
	tap(&g, INTENT_CANCEL, 0);
	CHECK_INT(g.out.req[0].kind, FREQ_PAY_CANCEL);
	struct flow_event other = {.kind = FEV_PAY_UNSETTLED, .order_id = g.order_id + 1};
	feed(&g, &other); /* another order's: not this session's */
	CHECK_INT(view(&g)->step, STEP_PAY);
	struct flow_event unsettled = {.kind = FEV_PAY_UNSETTLED, .order_id = g.order_id};
	feed(&g, &unsettled);
	for (int i = 0; i < g.out.n; i++)
		CHECK(g.out.req[i].kind != FREQ_ORDER_MOVE); /* the order stays as it is */
	CHECK_INT(g.order_state, ORDER_PAYING);
	CHECK_INT(view(&g)->screen, SCREEN_START);
	CHECK_STR(view(&g)->notice_key, "pay.unsettled");
	CHECK(!flow_holds_personal_data(g.f));
	/* recovery waits no more for such an order: it stays open for the next settling */
	struct flow_out out;
	struct recovery_order o = {.id = 7, .state = ORDER_PAYING, .amount_fen = 100};
	CHECK_INT(recovery_start(&o, &out), 0);
	unsettled.order_id = 7;
	CHECK_INT(recovery_on_event(&o, &unsettled, &out), 1);
	CHECK_INT(out.n, 0);
	CHECK_INT(o.state, ORDER_PAYING);
	rig_free(&g);
}

static void test_work_fails_refund(void)
{
	struct rig g;
	rig_init(&g, "nantong");
	g.work_fails = 1;
	renew_and_confirm(&g);
	CHECK_INT(g.order_state, ORDER_REFUNDED);
	CHECK_INT(view(&g)->screen, SCREEN_ERROR);
	CHECK_STR(view(&g)->error_key, "error.work_failed_refunded");
	CHECK_INT(g.effects_before_state, 0);
	tap(&g, INTENT_NEXT, 0);
	CHECK_INT(view(&g)->screen, SCREEN_START);
	rig_free(&g);
}

/* A person's new key: the dispenser is empty (refund), then the key is not taken. */
static void test_new_key_dispenser(void)
{
	for (int round = 0; round < 3; round++) {
		struct rig g;
		rig_init(&g, "nantong");
		g.blank_fails = round == 0;
		g.not_taken = round == 1;
		g.work_fails = round == 2;
		tap(&g, INTENT_BUSINESS, BIZ_NEW);
		tap(&g, INTENT_HOLDER, HOLDER_PERSON);
		card(&g, PERSON_ID, "");
		tap(&g, INTENT_NEXT, 0);
		tap(&g, INTENT_NEXT, 0);
		type(&g, INTENT_TEXT, "13812345678");
		tap(&g, INTENT_NEXT, 0); /* no e-mail */
		type(&g, INTENT_PIN, "902417");
		type(&g, INTENT_PIN, "902417");
		tap(&g, INTENT_NEXT, 0);
		CHECK_INT(view(&g)->screen, SCREEN_ERROR);
		CHECK_INT(g.effects_before_state, 0);
		if (round == 0) {
			CHECK_INT(g.order_state, ORDER_REFUNDED);
			CHECK_INT(g.work_pins_seen, 0); /* no key, no PIN sent anywhere */
			CHECK_INT(g.retained, 0);
		} else if (round == 1) {
			/* served means handed out: the key back in the retain bin, its
			 * certificate revoked, the money back */
			CHECK_INT(g.settles, 1);
			CHECK_INT(g.order_state, ORDER_REFUNDED);
			CHECK_STR(view(&g)->error_key, "error.work_failed_refunded");
			CHECK_STR(view(&g)->notice_key, "work.not_delivered");
		} else {
			CHECK_INT(g.order_state, ORDER_REFUNDED);
			CHECK_INT(g.retained, 1); /* the half-made key stays inside */
		}
		tap(&g, INTENT_NEXT, 0);
		CHECK(!flow_holds_personal_data(g.f));
		rig_free(&g);
	}
}

/* The store refuses a write: the user is told, and the kiosk takes no new order. */
static void test_out_of_service(void)
{
	struct rig g;
	rig_init(&g, "nantong");
	start_renewal(&g);
	struct flow_event failed = {.kind = FEV_STORE_FAILED};
	feed(&g, &failed);
	CHECK_INT(view(&g)->screen, SCREEN_ERROR);
	CHECK_STR(view(&g)->error_key, "error.store");
	CHECK(view(&g)->out_of_service);
	tap(&g, INTENT_NEXT, 0);
	CHECK(!flow_holds_personal_data(g.f));
	CHECK_INT(view(&g)->screen, SCREEN_ERROR); /* the start screen says out of service */
	CHECK_INT(view(&g)->offered, 0);
	tap(&g, INTENT_BUSINESS, BIZ_CHECK);
	key_event(&g, FEV_KEY_INSERTED);
	CHECK_INT(view(&g)->screen, SCREEN_ERROR);
	CHECK_INT(g.order_id, 0);
	rig_free(&g);
}

static void test_key_removed(void)
{
	struct rig g;
	rig_init(&g, "nantong");
	start_renewal(&g);
	card(&g, PERSON_ID, "");
	key_event(&g, FEV_KEY_REMOVED);
	CHECK_INT(view(&g)->screen, SCREEN_ERROR);
	CHECK_STR(view(&g)->error_key, "key.removed");
	rig_free(&g);
}

static void test_key_misfit(void)
{
	struct rig g;
	rig_init(&g, "nantong");
	g.key = our_key(HOLDER_PERSON, 200, KEYPIN_OK);
	tap(&g, INTENT_BUSINESS, BIZ_RENEW);
	key_event(&g, FEV_KEY_INSERTED);
	CHECK_INT(view(&g)->step, STEP_KEY_INFO);
	CHECK_STR(view(&g)->fit_key, "fit.not_due");
	tap(&g, INTENT_NEXT, 0);
	CHECK_INT(view(&g)->step, STEP_KEY_INFO); /* no way on */
	rig_free(&g);

	rig_init(&g, "nantong");
	g.key = our_key(HOLDER_PERSON, -40, KEYPIN_OK);
	tap(&g, INTENT_BUSINESS, BIZ_RENEW);
	key_event(&g, FEV_KEY_INSERTED);
	CHECK_STR(view(&g)->fit_key, "fit.expired_too_long");
	rig_free(&g);

	/* a key inserted at the start screen is checked, and the check offers unlock */
	rig_init(&g, "nantong");
	g.key = our_key(HOLDER_UNIT, 200, KEYPIN_LOCKED);
	key_event(&g, FEV_KEY_INSERTED);
	CHECK_INT(view(&g)->biz, BIZ_CHECK);
	CHECK_INT(view(&g)->step, STEP_KEY_INFO);
	CHECK_INT(view(&g)->suggest, BIZ_UNLOCK);
	tap(&g, INTENT_BUSINESS, BIZ_UNLOCK);
	tap(&g, INTENT_NEXT, 0);
	CHECK_INT(view(&g)->step, STEP_ID_CARD);
	rig_free(&g);
}

static void test_options(void)
{
	struct rig g;
	rig_init(&g, "nantong");
	tap(&g, INTENT_BUSINESS, BIZ_NEW);
	tap(&g, INTENT_HOLDER, HOLDER_UNIT);
	card(&g, PERSON_ID, "");
	type(&g, INTENT_TEXT, "91350200MA2YJ1XR9X"); /* wrong check character */
	CHECK_STR(view(&g)->error_key, "uscc.bad_check");
	type(&g, INTENT_TEXT, UNIT_CODE);
	tap(&g, INTENT_NEXT, 0); /* materials */
	CHECK_INT(view(&g)->step, STEP_OPTIONS);
	CHECK_INT(view(&g)->quote.total_fen, 25000); /* Nantong: first year 150 + seal 100 */
	tap(&g, INTENT_YEARS, 2); /* Nantong sells the first year or the 4-year bundle */
	CHECK_STR(view(&g)->error_key, "options.years_not_offered");
	tap(&g, INTENT_YEARS, 4);
	CHECK_INT(view(&g)->quote.total_fen, 70000);
	tap(&g, INTENT_SUB_KEYS, 3);
	CHECK_STR(view(&g)->error_key, "options.not_allowed");
	tap(&g, INTENT_SUB_KEYS, 2);
	CHECK_INT(view(&g)->quote.total_fen, 70000 + 2 * 35000);
	rig_free(&g);
}

static void test_recovery_rules(void)
{
	struct flow_out out;
	struct recovery_order o = {.id = 7, .state = ORDER_NEW, .amount_fen = 100};
	CHECK_INT(recovery_start(&o, &out), 1);
	CHECK_INT(out.n, 1);
	CHECK_INT(out.req[0].to, ORDER_CLOSED);

	o = (struct recovery_order){.id = 7, .state = ORDER_PAYING, .amount_fen = 100};
	CHECK_INT(recovery_start(&o, &out), 0);
	CHECK_INT(out.req[0].kind, FREQ_PAY_CANCEL);
	struct flow_event paid = {.kind = FEV_PAY_PAID, .order_id = 7};
	CHECK_INT(recovery_on_event(&o, &paid, &out), 0);
	CHECK_INT(out.n, 3); /* paid, refunding, refund: state changes first */
	CHECK_INT(out.req[0].to, ORDER_PAID);
	CHECK_INT(out.req[1].to, ORDER_REFUNDING);
	CHECK_INT(out.req[2].kind, FREQ_PAY_REFUND);
	struct flow_event refunded = {.kind = FEV_REFUNDED, .order_id = 7};
	CHECK_INT(recovery_on_event(&o, &refunded, &out), 1);
	CHECK_INT(o.state, ORDER_REFUNDED);

	/* interrupted work is settled from the evidence: the keys service says */
	o = (struct recovery_order){.id = 8,
	                            .state = ORDER_WORKING,
	                            .amount_fen = 0,
	                            .biz = BIZ_UNLOCK,
	                            .key_serial = "K1"};
	CHECK_INT(recovery_start(&o, &out), 0);
	CHECK_INT(out.n, 1);
	CHECK_INT(out.req[0].kind, FREQ_WORK_SETTLE);
	CHECK_INT(out.req[0].work.biz, BIZ_UNLOCK);
	CHECK_STR(out.req[0].work.key_serial, "K1");
	struct flow_event not_landed = {.kind = FEV_WORK_FAILED, .order_id = 8};
	CHECK_INT(recovery_on_event(&o, &not_landed, &out), 1);
	CHECK_INT(out.req[0].to, ORDER_FAILED);

	o = (struct recovery_order){
	    .id = 8, .state = ORDER_WORKING, .amount_fen = 500, .biz = BIZ_NEW};
	CHECK_INT(recovery_start(&o, &out), 0);
	CHECK_INT(recovery_on_event(&o, &not_landed, &out), 0);
	CHECK_INT(out.n, 2); /* the refund after its state */
	CHECK_INT(out.req[0].to, ORDER_REFUNDING);
	CHECK_INT(out.req[1].kind, FREQ_PAY_REFUND);

	o = (struct recovery_order){
	    .id = 8, .state = ORDER_WORKING, .amount_fen = 500, .biz = BIZ_RENEW};
	CHECK_INT(recovery_start(&o, &out), 0);
	struct flow_event landed = {.kind = FEV_WORK_DONE, .order_id = 8, .cert_serial = "5A02"};
	CHECK_INT(recovery_on_event(&o, &landed, &out), 1);
	CHECK_INT(out.n, 1);
	CHECK_INT(out.req[0].to, ORDER_SERVED);
	CHECK_STR(out.req[0].cert_event, "issued");
	CHECK_STR(out.req[0].cert_serial, "5A02");
	CHECK_INT(o.state, ORDER_SERVED);

	o = (struct recovery_order){.id = 9, .state = ORDER_REFUNDING, .amount_fen = 5};
	CHECK_INT(recovery_start(&o, &out), 0);
	CHECK_INT(out.n, 1);
	CHECK_INT(out.req[0].kind, FREQ_PAY_REFUND);
	struct flow_event other = {.kind = FEV_REFUNDED, .order_id = 10};
	CHECK_INT(recovery_on_event(&o, &other, &out), 0);
	CHECK_INT(out.n, 0);
}

/* The contact step: the mobile, then an optional e-mail, checked, masked, wiped. */
static void test_contact(void)
{
	struct rig g;
	rig_init(&g, "nantong");
	g.auto_pay = 0;
	start_renewal(&g);
	card(&g, PERSON_ID, "");
	tap(&g, INTENT_NEXT, 0);
	CHECK_INT(view(&g)->step, STEP_CONTACT);
	CHECK_INT(view(&g)->contact_email, 0);
	CHECK_STR(view(&g)->prompt_key, "step.contact");
	tap(&g, INTENT_NEXT, 0);                     /* the mobile cannot be skipped */
	type(&g, INTENT_EMAIL, "zhang@example.com"); /* nor answered with an e-mail */
	CHECK_INT(view(&g)->contact_email, 0);
	type(&g, INTENT_TEXT, "1381234567");
	CHECK_STR(view(&g)->error_key, "contact.bad_mobile");
	type(&g, INTENT_TEXT, "13812345678");
	CHECK_INT(view(&g)->step, STEP_CONTACT); /* the e-mail, on the same step */
	CHECK_INT(view(&g)->contact_email, 1);
	CHECK_STR(view(&g)->prompt_key, "step.contact_email");
	CHECK_STR(view(&g)->error_key, "");
	CHECK_STR(view(&g)->phone_masked, "138****5678");
	type(&g, INTENT_EMAIL, "zhang san@example.com");
	CHECK_STR(view(&g)->error_key, "contact.bad_email");
	CHECK_INT(view(&g)->step, STEP_CONTACT);
	CHECK_STR(view(&g)->email_masked, "");
	tap(&g, INTENT_BACK, 0); /* back to the mobile, still on the step */
	CHECK_INT(view(&g)->step, STEP_CONTACT);
	CHECK_INT(view(&g)->contact_email, 0);
	CHECK_STR(view(&g)->error_key, "");
	type(&g, INTENT_TEXT, "13912345678");
	type(&g, INTENT_EMAIL, "zhang@example.com");
	CHECK_INT(view(&g)->step, STEP_CONFIRM);
	CHECK_INT(view(&g)->contact_email, 0);
	CHECK_STR(view(&g)->email_masked, "z***@example.com");
	CHECK_STR(view(&g)->phone_masked, "139****5678");
	tap(&g, INTENT_BACK, 0); /* entered again: asked afresh, mobile first */
	CHECK_INT(view(&g)->step, STEP_CONTACT);
	CHECK_INT(view(&g)->contact_email, 0);
	CHECK_STR(view(&g)->email_masked, "");
	type(&g, INTENT_TEXT, "13812345678");
	type(&g, INTENT_EMAIL, "li@example.cn");
	CHECK_STR(view(&g)->email_masked, "l***@example.cn");
	CHECK(flow_holds_personal_data(g.f));
	tap(&g, INTENT_NEXT, 0); /* the order */
	CHECK_INT(view(&g)->step, STEP_PAY);
	tap(&g, INTENT_CANCEL, 0);
	struct flow_event closed = {.kind = FEV_PAY_CLOSED, .order_id = g.order_id};
	feed(&g, &closed);
	CHECK_INT(view(&g)->screen, SCREEN_START);
	CHECK_STR(view(&g)->email_masked, "");
	CHECK(!flow_holds_personal_data(g.f));
	CHECK_STR(flow_intent_name(INTENT_EMAIL), "email");
	CHECK_INT(flow_intent_from_name("email"), INTENT_EMAIL);
	rig_free(&g);
}

static struct pickup_order unit_pickup(void)
{
	struct pickup_order o = {.biz = BIZ_NEW,
	                         .holder = HOLDER_UNIT,
	                         .years = 2,
	                         .seal = 1,
	                         .sub_keys = 1,
	                         .paid_fen = 52000};
	snprintf(o.order_no, sizeof o.order_no, "GX2026112100123");
	snprintf(o.subject_name, sizeof o.subject_name, "南通示例公司");
	snprintf(o.subject_id, sizeof o.subject_id, UNIT_CODE);
	snprintf(o.agent_id, sizeof o.agent_id, PERSON_ID);
	return o;
}

/* Picks up a unit's order reviewed centrally: the number, the agent's card, what will be
 * made, a PIN, a key from the dispenser made for the order's subject. */
static void test_pickup(void)
{
	for (int k = 0; k < 3; k++) {
		int own = k == 1, reissue = k == 2; /* a reissue is worked as one: it revokes */
		struct rig g;
		rig_init(&g, "nantong");
		tap(&g, INTENT_PICKUP, 0);
		CHECK_INT(view(&g)->screen, SCREEN_START); /* not offered without central sync */
		g.cfg.pickup_offered = 1;
		g.pickup = unit_pickup();
		if (reissue)
			g.pickup.biz = BIZ_REISSUE;
		g.pickup_order_id = own ? 55 : 0;
		tap(&g, INTENT_PICKUP, 0);
		CHECK_INT(view(&g)->step, STEP_ORDER_NO);
		CHECK(view(&g)->pickup);
		type(&g, INTENT_TEXT, "GX12");
		CHECK_STR(view(&g)->error_key, "pickup.bad_number");
		type(&g, INTENT_TEXT, "GX2026112100999");
		CHECK_STR(view(&g)->error_key, "pickup.unknown");
		CHECK_INT(view(&g)->step, STEP_ORDER_NO);
		type(&g, INTENT_TEXT, "gx2026112100123"); /* typed in small letters */
		CHECK_INT(view(&g)->step, STEP_ID_CARD);
		card(&g, "320602198001011235", ""); /* another person */
		CHECK_STR(view(&g)->error_key, "card.not_pickup_agent");
		card(&g, PERSON_ID, "");
		CHECK_INT(view(&g)->step, STEP_CONFIRM);
		CHECK_STR(view(&g)->pickup_no, "GX2026112100123");
		CHECK_INT(view(&g)->pickup_paid_fen, 52000);
		CHECK_INT(view(&g)->years, 2);
		CHECK_INT(view(&g)->sub_keys, 1);
		CHECK(strstr(view(&g)->subject_masked, "南通示例公司") != NULL);
		tap(&g, INTENT_NEXT, 0);
		CHECK_INT(view(&g)->step, STEP_PIN);
		CHECK_STR(g.created_pickup, own ? "" : "GX2026112100123");
		CHECK_INT(g.order_id, own ? 55 : 100);
		g.work_fails = own; /* the kiosk's own order was paid here: refunded here */
		type(&g, INTENT_PIN, "902417");
		type(&g, INTENT_PIN, "902417");
		CHECK_INT(g.effects_before_state, 0);
		CHECK_INT(g.last_work.biz, reissue ? BIZ_REISSUE : BIZ_NEW);
		CHECK_INT(g.last_work.holder, HOLDER_UNIT);
		CHECK_STR(g.last_work.subject_name, "南通示例公司");
		CHECK_STR(g.last_work.subject_id, UNIT_CODE);
		CHECK_INT(g.last_work.years, 2);
		CHECK_INT(g.last_work.seal, 1);
		CHECK_INT(g.last_work.sub_keys, 1);
		if (own) {
			CHECK_INT(g.order_state, ORDER_REFUNDED);
			CHECK_STR(view(&g)->error_key, "error.work_failed_refunded");
		} else {
			CHECK_INT(g.order_state, ORDER_SERVED);
			CHECK_INT(view(&g)->step, STEP_RESULT);
			CHECK(g.last_receipt.pickup);
			CHECK_INT(g.last_receipt.paid_fen, 52000);
			CHECK_STR(g.last_receipt.pickup_no, "GX2026112100123");
		}
		tap(&g, INTENT_NEXT, 0);
		CHECK_INT(view(&g)->screen, SCREEN_START);
		CHECK(!flow_holds_personal_data(g.f));
		rig_free(&g);
	}
}

/* Picks up an approved change: the number, the agent's card, then the key to change —
 * another holder's key is not taken — and the work puts the approved name on it. */
static void test_pickup_change(void)
{
	struct rig g;
	rig_init(&g, "nantong");
	g.cfg.pickup_offered = 1;
	g.pickup = unit_pickup();
	g.pickup.biz = BIZ_CHANGE;
	snprintf(g.pickup.subject_name, sizeof g.pickup.subject_name, "南通示例新名公司");
	tap(&g, INTENT_PICKUP, 0);
	type(&g, INTENT_TEXT, "GX2026112100123");
	card(&g, PERSON_ID, "");
	CHECK_INT(view(&g)->step, STEP_INSERT_KEY);
	g.key = our_key(HOLDER_PERSON, 200, KEYPIN_OK); /* 张三's own key, not the unit's */
	key_event(&g, FEV_KEY_INSERTED);
	CHECK_INT(view(&g)->step, STEP_INSERT_KEY);
	CHECK_STR(view(&g)->error_key, "pickup.wrong_key");
	key_event(&g, FEV_KEY_REMOVED);
	g.key = our_key(HOLDER_UNIT, 200, KEYPIN_OK);
	key_event(&g, FEV_KEY_INSERTED);
	CHECK_INT(view(&g)->step, STEP_CONFIRM);
	CHECK_STR(view(&g)->prompt_key, "step.confirm_change");
	tap(&g, INTENT_NEXT, 0);
	CHECK_INT(g.order_state, ORDER_SERVED);
	CHECK_INT(g.keys_issued, 0); /* no new key */
	CHECK_INT(g.last_work.biz, BIZ_CHANGE);
	CHECK_STR(g.last_work.subject_name, "南通示例新名公司");
	CHECK_STR(g.last_work.subject_id, UNIT_CODE);
	CHECK_STR(g.last_work.key_serial, "T0001");
	CHECK_INT(view(&g)->step, STEP_RESULT);
	CHECK(view(&g)->key_to_take);
	tap(&g, INTENT_NEXT, 0);
	CHECK(!flow_holds_personal_data(g.f));
	rig_free(&g);
}

/* A renewal onto a fresh key pair asks for the key's current PIN once, before the
 * confirmation, and hands it to the key work; without the setting there is no such step. */
static void test_renew_fresh_key(void)
{
	for (int fresh = 0; fresh < 2; fresh++) {
		struct rig g;
		rig_init(&g, "nantong");
		g.cfg.renew_fresh_key = fresh;
		start_renewal(&g);
		card(&g, PERSON_ID, "");
		tap(&g, INTENT_NEXT, 0);
		type(&g, INTENT_TEXT, "13812345678");
		tap(&g, INTENT_NEXT, 0); /* no e-mail */
		if (fresh) {
			CHECK_INT(view(&g)->step, STEP_KEY_PIN);
			tap(&g, INTENT_NEXT, 0); /* the PIN is not optional */
			CHECK_INT(view(&g)->step, STEP_KEY_PIN);
			type(&g, INTENT_PIN, "12a456");
			CHECK_STR(view(&g)->error_key, "pin.bad_format");
			type(&g, INTENT_PIN, "123456"); /* the key's own PIN: no weak-PIN rules */
		}
		CHECK_INT(view(&g)->step, STEP_CONFIRM);
		tap(&g, INTENT_NEXT, 0);
		CHECK_INT(g.order_state, ORDER_SERVED);
		CHECK_STR(g.last_pin, fresh ? "123456" : "");
		tap(&g, INTENT_NEXT, 0);
		CHECK(!flow_holds_personal_data(g.f));
		rig_free(&g);
	}
}

/* The move to served tells the central site what the work did to a certificate; a
 * revocation's order names whose certificate. */
static void test_served_cert(void)
{
	struct rig g;
	rig_init(&g, "nantong");
	renew_and_confirm(&g);
	CHECK_INT(g.order_state, ORDER_SERVED);
	CHECK(g.served_cert && strcmp(g.served_cert, "issued") == 0);
	CHECK_STR(g.served_serial, "5A01");
	CHECK_STR(g.revoke_id, "");
	rig_free(&g);
	for (int queued = 0; queued < 2; queued++) {
		rig_init(&g, "nantong");
		g.no_serial = queued;
		tap(&g, INTENT_BUSINESS, BIZ_REVOKE);
		tap(&g, INTENT_HOLDER, HOLDER_PERSON);
		card(&g, PERSON_ID, "");
		tap(&g, INTENT_NEXT, 0); /* the materials */
		tap(&g, INTENT_NEXT, 0); /* confirmed */
		CHECK_INT(g.order_state, ORDER_SERVED);
		CHECK_STR(g.revoke_id, PERSON_ID);
		CHECK(g.served_cert &&
		      strcmp(g.served_cert, queued ? "revoke_queued" : "revoked") == 0);
		rig_free(&g);
	}
}

/* Loss reports are limited per holder and per card: at the limit even the holder is
 * refused before any order; below it the order names who reported, for the count. */
static void test_report_limit(void)
{
	for (int h = 0; h < HOLDER_COUNT; h++)
		for (int full = 0; full < 2; full++) {
			struct rig g;
			rig_init(&g, "nantong");
			g.reports = full ? AUTH_REPORTS_PER_DAY : AUTH_REPORTS_PER_DAY - 1;
			tap(&g, INTENT_BUSINESS, BIZ_REVOKE);
			tap(&g, INTENT_HOLDER, h);
			card(&g, PERSON_ID, "");
			if (h == HOLDER_UNIT)
				type(&g, INTENT_TEXT, UNIT_CODE);
			CHECK_INT(g.agent_checks, 1);
			CHECK_STR(g.reports_of, h == HOLDER_UNIT ? UNIT_CODE : PERSON_ID);
			if (full) {
				CHECK_INT(view(&g)->screen, SCREEN_ERROR);
				CHECK_STR(view(&g)->error_key, "auth.report_limit");
				CHECK_STR(g.last_journal, "authority.refused");
				CHECK_INT(g.orders_created, 0);
			} else {
				CHECK_INT(view(&g)->step, STEP_MATERIALS);
				tap(&g, INTENT_NEXT, 0);
				tap(&g, INTENT_NEXT, 0);
				CHECK_INT(g.order_state, ORDER_SERVED);
				CHECK_STR(g.reporter, PERSON_ID);
			}
			CHECK_INT(g.works, !full);
			tap(&g, full ? INTENT_CANCEL : INTENT_NEXT, 0);
			wait_s(&g, 200);
			CHECK_INT(view(&g)->screen, SCREEN_START);
			CHECK(!flow_holds_personal_data(g.f));
			rig_free(&g);
		}
}

/* ---- who may act: the negative matrix ---- */

enum wrong {
	W_STRANGER,   /* another person's card (the unit: not on its list) */
	W_OTHER_NAME, /* the holder's ID number under another name */
	W_OTHER_UNIT, /* an agent on another unit's list */
	W_UNLISTED,   /* the holder's card, but the unit's list names somebody else */
	W_NO_LIST,    /* the unit's list is older than allowed (offline too long) */
	W_EXPIRED,    /* the card is past its validity */
	W_CARD_GONE,  /* the card is taken off the reader mid-way */
};

/* What the key answers when the user proves possession with its PIN (renewal). */
enum proof { P_NONE, P_PIN_WRONG, P_KEY_LOCKED, P_UNPROVEN };

enum outcome {
	O_REFUSED,    /* the error screen with the reason */
	O_STEP_ERROR, /* the step stays, with the reason under it */
	O_REVIEW,     /* filed for review: the order ends in review, nothing worked */
};

struct wrong_case {
	enum business biz;
	enum holder holder;
	enum wrong wrong;
	enum proof proof;
	enum outcome outcome;
	const char *reason; /* the error key shown */
	enum step step;     /* O_STEP_ERROR: where */
};

#define U HOLDER_UNIT
#define P HOLDER_PERSON
/* the unit's authority cases, refused: the unit's list is all that speaks for an agent */
#define UNIT_REFUSED(b)                                                                            \
	{b, U, W_STRANGER, P_NONE, O_REFUSED, "auth.not_agent", 0},                                \
	    {b, U, W_OTHER_UNIT, P_NONE, O_REFUSED, "auth.not_agent", 0},                          \
	    {b, U, W_UNLISTED, P_NONE, O_REFUSED, "auth.not_agent", 0},                            \
	{                                                                                          \
		b, U, W_NO_LIST, P_NONE, O_REFUSED, "auth.no_list", 0                              \
	}
#define UNIT_REVIEWED(b)                                                                           \
	{b, U, W_STRANGER, P_NONE, O_REVIEW, "", 0},                                               \
	    {b, U, W_OTHER_UNIT, P_NONE, O_REVIEW, "", 0},                                         \
	    {b, U, W_UNLISTED, P_NONE, O_REVIEW, "", 0},                                           \
	{                                                                                          \
		b, U, W_NO_LIST, P_NONE, O_REVIEW, "", 0                                           \
	}
#define BAD_CARDS(b, h)                                                                            \
	{b, h, W_EXPIRED, P_NONE, O_STEP_ERROR, "card.expired", STEP_ID_CARD},                     \
	{                                                                                          \
		b, h, W_CARD_GONE, P_NONE, O_STEP_ERROR, "card.read_failed", STEP_ID_CARD          \
	}

static const struct wrong_case wrong_cases[] = {
    /* a unit's agent */
    UNIT_REFUSED(BIZ_UNLOCK),
    BAD_CARDS(BIZ_UNLOCK, U),
    UNIT_REFUSED(BIZ_EXCHANGE),
    BAD_CARDS(BIZ_EXCHANGE, U),
    UNIT_REVIEWED(BIZ_REISSUE),
    BAD_CARDS(BIZ_REISSUE, U),
    UNIT_REVIEWED(BIZ_CHANGE),
    BAD_CARDS(BIZ_CHANGE, U),
    UNIT_REVIEWED(BIZ_REVOKE),
    BAD_CARDS(BIZ_REVOKE, U),
    BAD_CARDS(BIZ_NEW, U),
    /* a unit's renewal by possession of the key, which then fails to prove it */
    {BIZ_RENEW, U, W_STRANGER, P_PIN_WRONG, O_STEP_ERROR, "auth.key_pin_wrong", STEP_KEY_PIN},
    {BIZ_RENEW, U, W_OTHER_UNIT, P_KEY_LOCKED, O_REFUSED, "auth.key_locked", 0},
    {BIZ_RENEW, U, W_UNLISTED, P_UNPROVEN, O_REFUSED, "auth.key_unproven", 0},
    {BIZ_RENEW, U, W_NO_LIST, P_PIN_WRONG, O_STEP_ERROR, "auth.key_pin_wrong", STEP_KEY_PIN},
    BAD_CARDS(BIZ_RENEW, U),
    /* a person */
    {BIZ_UNLOCK, P, W_STRANGER, P_NONE, O_REFUSED, "auth.not_holder", 0},
    {BIZ_UNLOCK, P, W_OTHER_NAME, P_NONE, O_REFUSED, "auth.not_holder", 0},
    BAD_CARDS(BIZ_UNLOCK, P),
    {BIZ_EXCHANGE, P, W_STRANGER, P_NONE, O_REFUSED, "auth.not_holder", 0},
    {BIZ_EXCHANGE, P, W_OTHER_NAME, P_NONE, O_REFUSED, "auth.not_holder", 0},
    BAD_CARDS(BIZ_EXCHANGE, P),
    {BIZ_RENEW, P, W_STRANGER, P_PIN_WRONG, O_STEP_ERROR, "auth.key_pin_wrong", STEP_KEY_PIN},
    {BIZ_RENEW, P, W_OTHER_NAME, P_KEY_LOCKED, O_REFUSED, "auth.key_locked", 0},
    {BIZ_RENEW, P, W_STRANGER, P_UNPROVEN, O_REFUSED, "auth.key_unproven", 0},
    BAD_CARDS(BIZ_RENEW, P),
    {BIZ_CHANGE, P, W_STRANGER, P_NONE, O_REVIEW, "", 0},
    BAD_CARDS(BIZ_CHANGE, P),
    /* without a key the card names whose certificate: only a bad card is wrong */
    BAD_CARDS(BIZ_REISSUE, P),
    BAD_CARDS(BIZ_REVOKE, P),
    BAD_CARDS(BIZ_NEW, P),
};
#undef U
#undef P

/* Answers the identity steps as row c's wrong person would, the rest as answer_step. */
static int answer_wrongly(struct rig *g, const struct wrong_case *c)
{
	static const char *const names[] = {"张三", "李四"};
	switch (view(g)->step) {
	case STEP_ID_CARD: {
		struct flow_event ev = {.kind = FEV_CARD_ERROR};
		switch (c->wrong) {
		case W_STRANGER:
		case W_OTHER_UNIT:
			card_as(g, OTHER_ID, names[1], "20350101");
			break;
		case W_OTHER_NAME:
			card_as(g, PERSON_ID, names[1], "20350101");
			break;
		case W_EXPIRED:
			card_as(g, PERSON_ID, names[0], "20260101");
			break;
		case W_CARD_GONE:
			snprintf(ev.text, sizeof ev.text, "card.read_failed");
			feed(g, &ev);
			break;
		default:
			card_as(g, PERSON_ID, names[0], "20350101");
			break;
		}
		return 1;
	}
	case STEP_KEY_PIN:
		type(g, INTENT_PIN, "135790");
		return 1;
	default:
		return answer_step(g, c->holder);
	}
}

/* Every business × holder × wrong person: refused with its reason (or filed for review),
 * and nothing made: no order (or one in review), no payment, no work on a key, no key. */
static void test_wrong_person(void)
{
	int played = 0;
	for (size_t i = 0; i < sizeof wrong_cases / sizeof wrong_cases[0]; i++) {
		const struct wrong_case *c = &wrong_cases[i];
		struct rig g;
		rig_init(&g, "nantong");
		if (!fees_offered(&g.region.fees, c->biz, c->holder)) {
			rig_free(&g);
			rig_init(&g, "taicang");
		}
		CHECK(fees_offered(&g.region.fees, c->biz, c->holder));
		if (c->wrong == W_UNLISTED)
			g.listed[0][1] = CLERK_ID;
		g.no_list = c->wrong == W_NO_LIST;
		static const char *const proofs[] = {NULL, "auth.key_pin_wrong", "auth.key_locked",
		                                     "auth.key_unproven"};
		g.prove_fails = proofs[c->proof];
		g.key = our_key(c->holder, c->biz == BIZ_RENEW ? 10 : 200,
		                c->biz == BIZ_UNLOCK ? KEYPIN_LOCKED : KEYPIN_OK);
		if (c->biz == BIZ_EXCHANGE)
			g.key.issuer = ISSUER_JSCA;
		tap(&g, INTENT_BUSINESS, c->biz);
		for (int guard = 0; guard < 40; guard++) {
			const struct flow_view *v = view(&g);
			if (v->screen != SCREEN_STEP || v->step == STEP_RESULT || v->error_key[0])
				break;
			if (!answer_wrongly(&g, c))
				break;
		}
		const struct flow_view *v = view(&g);
		int ok = 1;
		switch (c->outcome) {
		case O_REFUSED:
			ok = v->screen == SCREEN_ERROR && strcmp(v->error_key, c->reason) == 0;
			break;
		case O_STEP_ERROR:
			ok = v->screen == SCREEN_STEP && v->step == c->step &&
			     strcmp(v->error_key, c->reason) == 0;
			break;
		case O_REVIEW:
			ok = v->screen == SCREEN_STEP && v->step == STEP_RESULT &&
			     g.order_state == ORDER_IN_REVIEW && g.orders_created == 1;
			break;
		}
		if (c->outcome != O_REVIEW)
			ok &= g.orders_created == 0 && g.pays == 0;
		if (c->outcome == O_REFUSED && !c->proof)
			ok &= strcmp(g.last_journal, "authority.refused") == 0;
		ok &= g.works == 0 && g.keys_issued == 0 && g.work_pins_seen == 0;
		/* the unit's list, or a loss report's count, asked once the card was read */
		ok &= g.agent_checks ==
		      (c->wrong != W_EXPIRED && c->wrong != W_CARD_GONE &&
		       ((c->holder == HOLDER_UNIT && c->biz != BIZ_NEW) || c->biz == BIZ_REVOKE));
		ok &= g.proofs == (c->proof != P_NONE);
		if (!ok)
			fprintf(stderr,
			        "wrong person %zu (%s %s): at %s %s, error %s; orders %d pays %d "
			        "works %d keys %d checks %d proofs %d journal %s\n",
			        i, catalogue_business_id(c->biz), catalogue_holder_id(c->holder),
			        v->screen == SCREEN_STEP ? "step" : "screen",
			        catalogue_step_id(v->step), v->error_key, g.orders_created, g.pays,
			        g.works, g.keys_issued, g.agent_checks, g.proofs, g.last_journal);
		CHECK(ok);
		tap(&g, INTENT_CANCEL, 0);
		wait_s(&g, 200);
		CHECK_INT(view(&g)->screen, SCREEN_START);
		CHECK(!flow_holds_personal_data(g.f));
		played++;
		rig_free(&g);
	}
	CHECK(played >= 40);
}

int main(void)
{
	test_every_business("nantong");
	test_every_business("taicang");
	test_timeout_and_wipe();
	test_card_rules();
	test_pin_rules();
	test_pay_timeout_then_paid();
	test_cancel_at_pay();
	test_pay_unsettled();
	test_contact();
	test_work_fails_refund();
	test_key_removed();
	test_out_of_service();
	test_new_key_dispenser();
	test_key_misfit();
	test_options();
	test_recovery_rules();
	test_pickup();
	test_pickup_change();
	test_renew_fresh_key();
	test_served_cert();
	test_report_limit();
	test_wrong_person();
	return check_done();
}
