/* test_catalogue.c — the recipe tables: completeness, step order, options, ids. */
#include "check.h"
#include "core/catalogue.h"

#define WHEN_ALL (WHEN_UNIT | WHEN_ALONE | WHEN_REVIEW | WHEN_FEE | WHEN_KEY_PIN)

static int has_step(const struct recipe *r, enum step st)
{
	for (int i = 0; i < r->nsteps; i++)
		if (r->steps[i].step == st)
			return 1;
	return 0;
}

static void test_recipes(void)
{
	for (int b = 0; b < BIZ_COUNT; b++)
		for (int h = 0; h < HOLDER_COUNT; h++) {
			const struct recipe *r = catalogue_recipe((enum business)b, (enum holder)h);
			const char *bid = catalogue_business_id((enum business)b);
			const char *hid = catalogue_holder_id((enum holder)h);
			CHECK(r != NULL);
			if (!r) {
				fprintf(stderr, "no recipe for %s/%s\n", hid, bid);
				continue;
			}
			CHECK_INT(r->biz, b);
			CHECK_INT(r->holder, h);
			/* the string key is "biz." and the business id */
			char key[64];
			snprintf(key, sizeof key, "biz.%s", bid);
			CHECK_STR(r->key, key);

			CHECK(r->steps != NULL && r->nsteps > 0);
			if (!r->steps || r->nsteps <= 0)
				continue;
			/* ends with the result */
			CHECK_INT(r->steps[r->nsteps - 1].step, STEP_RESULT);
			/* strictly increasing enum order, known steps, known conditions */
			for (int i = 0; i < r->nsteps; i++) {
				const struct recipe_step *s = &r->steps[i];
				CHECK((int)s->step >= 0 && s->step < STEP_COUNT);
				CHECK_INT(s->when & ~(unsigned)WHEN_ALL, 0);
				if (i > 0 && r->steps[i - 1].step >= s->step) {
					fprintf(
					    stderr,
					    "%s/%s: step %d is %s (enum %d), after %s (enum %d)\n",
					    hid, bid, i, catalogue_step_id(s->step), (int)s->step,
					    catalogue_step_id(r->steps[i - 1].step),
					    (int)r->steps[i - 1].step);
					CHECK(r->steps[i - 1].step < s->step);
				}
				/* a unit-only step in a recipe for persons never shows: none exists
				 * beyond the unit code */
				if (s->step == STEP_UNIT_CODE && h == HOLDER_PERSON)
					CHECK(!catalogue_step_applies(r, s, HOLDER_PERSON, 0));
			}
			/* a new PIN is chosen at the kiosk when the kiosk finishes alone */
			if (r->pin && !r->review) {
				int applies = 0;
				for (int i = 0; i < r->nsteps; i++)
					if (r->steps[i].step == STEP_PIN &&
					    catalogue_step_applies(r, &r->steps[i], (enum holder)h,
					                           0) &&
					    catalogue_step_applies(r, &r->steps[i], (enum holder)h,
					                           15000))
						applies = 1;
				if (!applies)
					fprintf(stderr, "%s/%s: pin but no applicable PIN step\n",
					        hid, bid);
				CHECK(applies);
			}
			/* no PIN step in a recipe that sets no PIN */
			if (!r->pin)
				CHECK(!has_step(r, STEP_PIN));
			/* options and the steps that ask for them */
			CHECK_INT(r->sub_keys_option, b == BIZ_NEW && h == HOLDER_UNIT);
			CHECK_INT(r->years, b == BIZ_NEW || b == BIZ_RENEW);
			CHECK_INT(r->change_option, b == BIZ_CHANGE);
			if (r->years || r->seal_option || r->sub_keys_option || r->change_option)
				CHECK(has_step(r, STEP_OPTIONS));
			/* a charged recipe can show the payment step */
			if (r->charged)
				CHECK(has_step(r, STEP_PAY));
			CHECK_INT(r->charged, b != BIZ_CHECK && b != BIZ_REVOKE);
			/* the user's key: inserted first */
			if (r->uses_own_key)
				CHECK_INT(r->steps[0].step, STEP_INSERT_KEY);
			if (has_step(r, STEP_INSERT_KEY))
				CHECK(r->uses_own_key);
			/* a unit is identified by its code in every business but check */
			if (h == HOLDER_UNIT && b != BIZ_CHECK)
				CHECK(has_step(r, STEP_UNIT_CODE));
			if (b != BIZ_CHECK)
				CHECK(has_step(r, STEP_ID_CARD));
			/* materials only name known bits */
			CHECK_INT(r->materials & ~((1u << MAT_COUNT_BITS) - 1), 0);
		}
	/* out of range */
	CHECK(catalogue_recipe(BIZ_COUNT, HOLDER_UNIT) == NULL);
	CHECK(catalogue_recipe(BIZ_NEW, HOLDER_COUNT) == NULL);
	CHECK(catalogue_recipe((enum business) - 1, HOLDER_UNIT) == NULL);
}

static void test_step_applies(void)
{
	struct recipe alone = {.review = 0}, review = {.review = 1};
	struct recipe_step always = {STEP_CONFIRM, WHEN_ALWAYS};
	struct recipe_step unit = {STEP_UNIT_CODE, WHEN_UNIT};
	struct recipe_step solo = {STEP_WORK, WHEN_ALONE};
	struct recipe_step rev = {STEP_WORK, WHEN_REVIEW};
	struct recipe_step fee = {STEP_PAY, WHEN_FEE};
	struct recipe_step unit_fee = {STEP_PAY, WHEN_UNIT | WHEN_FEE};

	CHECK(catalogue_step_applies(&alone, &always, HOLDER_PERSON, 0));
	CHECK(catalogue_step_applies(&review, &always, HOLDER_UNIT, 100));

	CHECK(catalogue_step_applies(&alone, &unit, HOLDER_UNIT, 0));
	CHECK(!catalogue_step_applies(&alone, &unit, HOLDER_PERSON, 0));
	CHECK(!catalogue_step_applies(&review, &unit, HOLDER_PERSON, 15000));

	CHECK(catalogue_step_applies(&alone, &solo, HOLDER_UNIT, 0));
	CHECK(catalogue_step_applies(&alone, &solo, HOLDER_PERSON, 0));
	CHECK(!catalogue_step_applies(&review, &solo, HOLDER_UNIT, 0));
	CHECK(!catalogue_step_applies(&review, &solo, HOLDER_PERSON, 15000));

	CHECK(catalogue_step_applies(&review, &rev, HOLDER_UNIT, 0));
	CHECK(!catalogue_step_applies(&alone, &rev, HOLDER_UNIT, 0));

	CHECK(catalogue_step_applies(&alone, &fee, HOLDER_PERSON, 1));
	CHECK(catalogue_step_applies(&review, &fee, HOLDER_UNIT, 15000));
	CHECK(!catalogue_step_applies(&alone, &fee, HOLDER_PERSON, 0));
	CHECK(!catalogue_step_applies(&alone, &fee, HOLDER_PERSON, -1));

	CHECK(catalogue_step_applies(&alone, &unit_fee, HOLDER_UNIT, 100));
	CHECK(!catalogue_step_applies(&alone, &unit_fee, HOLDER_UNIT, 0));
	CHECK(!catalogue_step_applies(&alone, &unit_fee, HOLDER_PERSON, 100));

	/* on the real tables: the payment step of unit new shows only with a fee, and its
	 * PIN and work steps not at all (the order goes to review) */
	const struct recipe *r = catalogue_recipe(BIZ_NEW, HOLDER_UNIT);
	for (int i = 0; r && i < r->nsteps; i++) {
		const struct recipe_step *s = &r->steps[i];
		if (s->step == STEP_PAY) {
			CHECK(catalogue_step_applies(r, s, HOLDER_UNIT, 25000));
			CHECK(!catalogue_step_applies(r, s, HOLDER_UNIT, 0));
		}
		if (s->step == STEP_PIN || s->step == STEP_WORK)
			CHECK(!catalogue_step_applies(r, s, HOLDER_UNIT, 25000));
	}
	r = catalogue_recipe(BIZ_NEW, HOLDER_PERSON);
	for (int i = 0; r && i < r->nsteps; i++)
		if (r->steps[i].step == STEP_WORK)
			CHECK(catalogue_step_applies(r, &r->steps[i], HOLDER_PERSON, 12000));
}

static void test_ids(void)
{
	for (int b = 0; b < BIZ_COUNT; b++) {
		const char *id = catalogue_business_id((enum business)b);
		CHECK(strcmp(id, "?") != 0);
		CHECK_INT(catalogue_business_from_id(id), b);
	}
	for (int h = 0; h < HOLDER_COUNT; h++) {
		const char *id = catalogue_holder_id((enum holder)h);
		CHECK(strcmp(id, "?") != 0);
		CHECK_INT(catalogue_holder_from_id(id), h);
	}
	for (int c = 0; c < CHANGE_COUNT; c++) {
		const char *id = catalogue_change_id((enum change_kind)c);
		CHECK(strcmp(id, "?") != 0);
		CHECK_INT(catalogue_change_from_id(id), c);
	}
	for (int s = 0; s < STEP_COUNT; s++) {
		const char *id = catalogue_step_id((enum step)s);
		CHECK(strcmp(id, "?") != 0);
		for (int t = 0; t < s; t++)
			CHECK(strcmp(id, catalogue_step_id((enum step)t)) != 0);
	}
	for (int i = 0; i < MAT_COUNT_BITS; i++) {
		const char *k = catalogue_material_key((enum material)(1u << i));
		CHECK(strncmp(k, "mat.", 4) == 0);
		for (int j = 0; j < i; j++)
			CHECK(strcmp(k, catalogue_material_key((enum material)(1u << j))) != 0);
	}
	/* the ids are stable: configuration files and scripts spell them */
	static const char *const biz_ids[BIZ_COUNT] = {
	    "new", "renew", "reissue", "change", "unlock", "exchange", "check", "revoke",
	};
	for (int b = 0; b < BIZ_COUNT; b++)
		CHECK_STR(catalogue_business_id((enum business)b), biz_ids[b]);
	CHECK_STR(catalogue_holder_id(HOLDER_UNIT), "unit");
	CHECK_STR(catalogue_holder_id(HOLDER_PERSON), "person");
	CHECK_STR(catalogue_change_id(CHANGE_NAME), "name");
	CHECK_STR(catalogue_change_id(CHANGE_LEGAL_PERSON), "legal_person");
	CHECK_STR(catalogue_change_id(CHANGE_SEAL_TEMPLATE), "seal_template");
	CHECK_STR(catalogue_step_id(STEP_RESULT), "result");
	CHECK_STR(catalogue_material_key(MAT_LOSS_NOTE), "mat.loss_note");

	CHECK_STR(catalogue_business_id(BIZ_COUNT), "?");
	CHECK_STR(catalogue_business_id((enum business) - 1), "?");
	CHECK_STR(catalogue_holder_id(HOLDER_COUNT), "?");
	CHECK_STR(catalogue_step_id(STEP_COUNT), "?");
	CHECK_STR(catalogue_change_id(CHANGE_COUNT), "?");
	CHECK_STR(catalogue_material_key((enum material)0), "?");
	CHECK_STR(catalogue_material_key((enum material)(MAT_LICENCE | MAT_FORM)), "?");

	CHECK_INT(catalogue_business_from_id("renewal"), -1);
	CHECK_INT(catalogue_business_from_id("RENEW"), -1);
	CHECK_INT(catalogue_business_from_id(""), -1);
	CHECK_INT(catalogue_business_from_id(NULL), -1);
	CHECK_INT(catalogue_holder_from_id("company"), -1);
	CHECK_INT(catalogue_holder_from_id(NULL), -1);
	CHECK_INT(catalogue_change_from_id("legal"), -1);
	CHECK_INT(catalogue_change_from_id(NULL), -1);
}

int main(void)
{
	test_recipes();
	test_step_applies();
	test_ids();
	return check_done();
}
