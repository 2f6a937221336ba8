/* catalogue.c — the recipe tables for every business and holder. */
#include "catalogue.h"

#include <string.h>

/* the recipes read as tables */
/* clang-format off */
#define S(step) {STEP_##step, WHEN_ALWAYS}
#define W(step, when) {STEP_##step, (when)}
#define STEPS(a) .steps = (a), .nsteps = (int)(sizeof(a) / sizeof((a)[0]))

/* 新办 */
static const struct recipe_step unit_new[] = {
	S(HOLDER), S(ID_CARD), S(UNIT_CODE), S(MATERIALS), S(OPTIONS), S(CONTACT),
	W(PIN, WHEN_ALONE), S(CONFIRM), W(PAY, WHEN_FEE), W(WORK, WHEN_ALONE), S(RESULT),
};
static const struct recipe_step person_new[] = {
	S(HOLDER), S(ID_CARD), S(MATERIALS), S(OPTIONS), S(CONTACT),
	W(PIN, WHEN_ALONE), S(CONFIRM), W(PAY, WHEN_FEE), W(WORK, WHEN_ALONE), S(RESULT),
};
/* 延期 */
static const struct recipe_step renew[] = {
	S(INSERT_KEY), S(KEY_INFO), S(ID_CARD), W(UNIT_CODE, WHEN_UNIT), S(OPTIONS),
	S(CONTACT), W(KEY_PIN, WHEN_KEY_PIN), S(CONFIRM), W(PAY, WHEN_FEE), W(WORK, WHEN_ALONE),
	S(RESULT),
};
/* 补办 */
static const struct recipe_step reissue[] = {
	S(HOLDER), S(ID_CARD), W(UNIT_CODE, WHEN_UNIT), S(MATERIALS), S(OPTIONS), S(CONTACT),
	W(PIN, WHEN_ALONE), S(CONFIRM), W(PAY, WHEN_FEE), W(WORK, WHEN_ALONE), S(RESULT),
};
/* 变更 */
static const struct recipe_step change[] = {
	S(INSERT_KEY), S(KEY_INFO), S(ID_CARD), W(UNIT_CODE, WHEN_UNIT), S(MATERIALS),
	S(OPTIONS), S(CONTACT), S(CONFIRM), W(PAY, WHEN_FEE), S(RESULT),
};
/* 解锁 and 免费换发: the key, the cardholder, a new PIN */
static const struct recipe_step key_pin[] = {
	S(INSERT_KEY), S(KEY_INFO), S(ID_CARD), W(UNIT_CODE, WHEN_UNIT), W(PIN, WHEN_ALONE),
	S(CONFIRM), W(PAY, WHEN_FEE), W(WORK, WHEN_ALONE), S(RESULT),
};
/* 检测 */
static const struct recipe_step check[] = {
	S(INSERT_KEY), S(KEY_INFO), S(RESULT),
};
/* 注销 */
static const struct recipe_step revoke[] = {
	S(HOLDER), S(ID_CARD), W(UNIT_CODE, WHEN_UNIT), S(MATERIALS), S(CONFIRM),
	W(WORK, WHEN_ALONE), S(RESULT),
};

/* 网点自取: an order reviewed and paid centrally, collected here */
static const struct recipe_step pickup[] = {
	S(ORDER_NO), S(ID_CARD), S(CONFIRM), S(PIN), S(WORK), S(RESULT),
};
/* 领取 of an approved change: the key to change instead of a new one */
static const struct recipe_step pickup_change[] = {
	S(ORDER_NO), S(ID_CARD), S(INSERT_KEY), S(CONFIRM), S(WORK), S(RESULT),
};

#define UNIT_PAPERS (MAT_LICENCE | MAT_AGENT_ID | MAT_FORM | MAT_SEAL_FORM)
#define PERSON_PAPERS (MAT_APPLICANT_ID | MAT_FORM | MAT_SEAL_FORM)

static const struct recipe recipes[] = {
	{.biz = BIZ_NEW, .holder = HOLDER_UNIT, .key = "biz.new", STEPS(unit_new),
	 .materials = UNIT_PAPERS, .review = 1, .new_key = 1, .years = 1, .seal_option = 1,
	 .sub_keys_option = 1, .pin = 1, .charged = 1},
	{.biz = BIZ_NEW, .holder = HOLDER_PERSON, .key = "biz.new", STEPS(person_new),
	 .materials = PERSON_PAPERS, .new_key = 1, .years = 1, .seal_option = 1, .pin = 1, .charged = 1},
	{.biz = BIZ_RENEW, .holder = HOLDER_UNIT, .key = "biz.renew", STEPS(renew),
	 .materials = MAT_OUR_KEY | MAT_AGENT_ID, .uses_own_key = 1, .years = 1, .seal_option = 1,
	 .charged = 1},
	{.biz = BIZ_RENEW, .holder = HOLDER_PERSON, .key = "biz.renew", STEPS(renew),
	 .materials = MAT_OUR_KEY | MAT_APPLICANT_ID, .uses_own_key = 1, .years = 1, .seal_option = 1,
	 .charged = 1},
	{.biz = BIZ_REISSUE, .holder = HOLDER_UNIT, .key = "biz.reissue", STEPS(reissue),
	 .materials = MAT_LOSS_NOTE | UNIT_PAPERS, .review = 1, .new_key = 1, .seal_option = 1, .pin = 1,
	 .charged = 1},
	{.biz = BIZ_REISSUE, .holder = HOLDER_PERSON, .key = "biz.reissue", STEPS(reissue),
	 .materials = PERSON_PAPERS, .new_key = 1, .seal_option = 1, .pin = 1, .charged = 1},
	{.biz = BIZ_CHANGE, .holder = HOLDER_UNIT, .key = "biz.change", STEPS(change),
	 .materials = MAT_OUR_KEY | MAT_CHANGE_NOTICE | UNIT_PAPERS, .review = 1, .uses_own_key = 1,
	 .change_option = 1, .charged = 1},
	{.biz = BIZ_CHANGE, .holder = HOLDER_PERSON, .key = "biz.change", STEPS(change),
	 .materials = MAT_OUR_KEY | PERSON_PAPERS, .review = 1, .uses_own_key = 1, .change_option = 1,
	 .charged = 1},
	{.biz = BIZ_UNLOCK, .holder = HOLDER_UNIT, .key = "biz.unlock", STEPS(key_pin),
	 .materials = MAT_OUR_KEY | MAT_AGENT_ID, .uses_own_key = 1, .pin = 1, .charged = 1},
	{.biz = BIZ_UNLOCK, .holder = HOLDER_PERSON, .key = "biz.unlock", STEPS(key_pin),
	 .materials = MAT_OUR_KEY | MAT_APPLICANT_ID, .uses_own_key = 1, .pin = 1, .charged = 1},
	{.biz = BIZ_EXCHANGE, .holder = HOLDER_UNIT, .key = "biz.exchange", STEPS(key_pin),
	 .materials = MAT_JSCA_KEY | MAT_AGENT_ID, .uses_own_key = 1, .new_key = 1, .pin = 1,
	 .charged = 1},
	{.biz = BIZ_EXCHANGE, .holder = HOLDER_PERSON, .key = "biz.exchange", STEPS(key_pin),
	 .materials = MAT_JSCA_KEY | MAT_APPLICANT_ID, .uses_own_key = 1, .new_key = 1, .pin = 1,
	 .charged = 1},
	{.biz = BIZ_CHECK, .holder = HOLDER_UNIT, .key = "biz.check", STEPS(check),
	 .uses_own_key = 1},
	{.biz = BIZ_CHECK, .holder = HOLDER_PERSON, .key = "biz.check", STEPS(check),
	 .uses_own_key = 1},
	{.biz = BIZ_REVOKE, .holder = HOLDER_UNIT, .key = "biz.revoke", STEPS(revoke),
	 .materials = MAT_LOSS_NOTE | MAT_AGENT_ID | MAT_LICENCE},
	{.biz = BIZ_REVOKE, .holder = HOLDER_PERSON, .key = "biz.revoke", STEPS(revoke),
	 .materials = MAT_LOSS_NOTE | MAT_APPLICANT_ID},
};

static const struct recipe pickup_recipe = {
	.biz = BIZ_NEW, .holder = HOLDER_UNIT, .key = "biz.pickup", STEPS(pickup),
	.materials = MAT_AGENT_ID, .new_key = 1, .pin = 1,
};

static const struct recipe pickup_change_recipe = {
	.biz = BIZ_CHANGE, .holder = HOLDER_UNIT, .key = "biz.pickup", STEPS(pickup_change),
	.materials = MAT_AGENT_ID | MAT_OUR_KEY, .uses_own_key = 1,
};

/* clang-format on */

const struct recipe *catalogue_pickup_recipe(enum business biz)
{
	return biz == BIZ_CHANGE ? &pickup_change_recipe : &pickup_recipe;
}

const struct recipe *catalogue_recipe(enum business biz, enum holder holder)
{
	for (size_t i = 0; i < sizeof recipes / sizeof recipes[0]; i++)
		if (recipes[i].biz == biz && recipes[i].holder == holder)
			return &recipes[i];
	return NULL;
}

int catalogue_step_applies(const struct recipe *r, const struct recipe_step *s, enum holder holder,
                           long long total_fen)
{
	if ((s->when & WHEN_UNIT) && holder != HOLDER_UNIT)
		return 0;
	if ((s->when & WHEN_ALONE) && r->review)
		return 0;
	if ((s->when & WHEN_REVIEW) && !r->review)
		return 0;
	if ((s->when & WHEN_FEE) && total_fen <= 0)
		return 0;
	return 1;
}

static const char *const business_ids[BIZ_COUNT] = {
    "new", "renew", "reissue", "change", "unlock", "exchange", "check", "revoke",
};
static const char *const holder_ids[HOLDER_COUNT] = {"unit", "person"};
static const char *const step_ids[STEP_COUNT] = {
    [STEP_HOLDER] = "holder",
    [STEP_ORDER_NO] = "order_no",
    [STEP_INSERT_KEY] = "insert_key",
    [STEP_KEY_INFO] = "key_info",
    [STEP_ID_CARD] = "id_card",
    [STEP_UNIT_CODE] = "unit_code",
    [STEP_MATERIALS] = "materials",
    [STEP_OPTIONS] = "options",
    [STEP_CONTACT] = "contact",
    [STEP_PIN] = "pin",
    [STEP_KEY_PIN] = "key_pin",
    [STEP_CONFIRM] = "confirm",
    [STEP_PAY] = "pay",
    [STEP_WORK] = "work",
    [STEP_RESULT] = "result",
};
static const char *const change_ids[CHANGE_COUNT] = {"name", "legal_person", "seal_template"};
static const char *const material_keys[MAT_COUNT_BITS] = {
    "mat.licence",   "mat.agent_id",      "mat.applicant_id", "mat.form",     "mat.seal_form",
    "mat.loss_note", "mat.change_notice", "mat.our_key",      "mat.jsca_key",
};

static const char *name_of(const char *const *names, int count, int v)
{
	return v >= 0 && v < count ? names[v] : "?";
}

static int find_name(const char *const *names, int count, const char *id)
{
	for (int i = 0; id && i < count; i++)
		if (strcmp(names[i], id) == 0)
			return i;
	return -1;
}

const char *catalogue_business_id(enum business biz)
{
	return name_of(business_ids, BIZ_COUNT, (int)biz);
}
const char *catalogue_holder_id(enum holder holder)
{
	return name_of(holder_ids, HOLDER_COUNT, (int)holder);
}
const char *catalogue_step_id(enum step step)
{
	return name_of(step_ids, STEP_COUNT, (int)step);
}
const char *catalogue_change_id(enum change_kind kind)
{
	return name_of(change_ids, CHANGE_COUNT, (int)kind);
}
const char *catalogue_material_key(enum material m)
{
	for (int i = 0; i < MAT_COUNT_BITS; i++)
		if ((unsigned)m == 1u << i)
			return material_keys[i];
	return "?";
}
int catalogue_business_from_id(const char *id)
{
	return find_name(business_ids, BIZ_COUNT, id);
}
int catalogue_holder_from_id(const char *id)
{
	return find_name(holder_ids, HOLDER_COUNT, id);
}
int catalogue_change_from_id(const char *id)
{
	return find_name(change_ids, CHANGE_COUNT, id);
}
