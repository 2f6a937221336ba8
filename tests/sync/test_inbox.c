/* test_inbox.c — what the central site sends, read and checked: pick-up orders
 * (kiosk/sync/pickup.c) and fee table updates (kiosk/sync/feeupdate.c). */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "sync/feeupdate.h"
#include "sync/pickup.h"

#define UNIT_CODE "91350200MA2YJ1XR9G"
#define AGENT_ID  "11010519491231002X"

/* A unit's pick-up order with one field replaced by field (a "key":value text) or none. */
static void unit_order(char *out, size_t size, const char *field)
{
	snprintf(out, size,
	         "{\"order_no\":\"GX2026112100123\",\"business\":\"new\",\"holder\":\"unit\","
	         "\"subject_name\":\"南通示例公司\",\"subject_id\":\"" UNIT_CODE "\","
	         "\"agent_id\":\"" AGENT_ID "\",\"years\":2,\"seal\":1,\"sub_keys\":1,"
	         "\"paid_fen\":52000%s%s}",
	         field ? "," : "", field ? field : "");
}

static void test_pickup(void)
{
	char text[1024];
	struct pickup_order o;
	struct kerr err = {{0}};
	unit_order(text, sizeof text, NULL);
	CHECK_INT(pickup_parse(text, &o, &err), KR_OK);
	CHECK_STR(o.order_no, "GX2026112100123");
	CHECK_INT(o.biz, BIZ_NEW);
	CHECK_INT(o.holder, HOLDER_UNIT);
	CHECK_STR(o.subject_name, "南通示例公司");
	CHECK_STR(o.subject_id, UNIT_CODE);
	CHECK_STR(o.agent_id, AGENT_ID);
	CHECK_INT(o.years, 2);
	CHECK_INT(o.seal, 1);
	CHECK_INT(o.sub_keys, 1);
	CHECK_INT(o.paid_fen, 52000);

	/* each fault refused, named, and nothing kept (cJSON keeps the first of two keys:
	 * the replacement comes first) */
	static const struct {
		const char *field, *named;
	} bad[] = {
	    {"\"order_no\":\"gx2026\"", "order_no"},
	    {"\"order_no\":\"GX1\"", "order_no"},
	    {"\"business\":\"renew\"", "business"},
	    {"\"holder\":\"robot\"", "holder"},
	    {"\"subject_name\":\"\"", "subject_name"},
	    {"\"subject_name\":\"a\\u0007b\"", "subject_name"},
	    {"\"subject_id\":\"91350200MA2YJ1XR9X\"", "subject_id"},
	    {"\"agent_id\":\"110105194912310021\"", "agent_id"},
	    {"\"years\":0", "years"},
	    {"\"years\":1.5", "years"},
	    {"\"sub_keys\":3", "sub_keys"},
	    {"\"paid_fen\":-1", "paid_fen"},
	    {"\"seal\":2", "seal"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char doc[900];
		unit_order(doc, sizeof doc, NULL);
		snprintf(text, sizeof text, "{%s,%s", bad[i].field, doc + 1);
		err.msg[0] = '\0';
		CHECK_INT(pickup_parse(text, &o, &err), KR_INVALID);
		if (!strstr(err.msg, bad[i].named))
			fprintf(stderr, "%s: %s\n", bad[i].field, err.msg);
		CHECK(strstr(err.msg, bad[i].named) != NULL);
		CHECK(o.order_no[0] == '\0' && o.agent_id[0] == '\0');
	}
	/* a person collects their own key, without a seal */
	const char *person =
	    "{\"order_no\":\"NT0126112100000001\",\"business\":\"reissue\","
	    "\"holder\":\"person\",\"subject_name\":\"张三\",\"subject_id\":\"" AGENT_ID
	    "\",\"agent_id\":\"" AGENT_ID "\"}";
	CHECK_INT(pickup_parse(person, &o, &err), KR_OK);
	CHECK_INT(o.years, 1); /* the defaults */
	CHECK_INT(o.seal, 0);
	char other[512];
	snprintf(other, sizeof other, "%s", person);
	memcpy(strstr(other, "\"agent_id\":\"") + 12, "320602198001011235", 18);
	CHECK_INT(pickup_parse(other, &o, &err), KR_INVALID);
	CHECK_INT(pickup_parse("[1,2]", &o, &err), KR_INVALID);
	CHECK_INT(pickup_parse("{\"order_no\":", &o, &err), KR_INVALID);
	CHECK_INT(pickup_parse(NULL, &o, &err), KR_INVALID);
}

static struct fee_table base_table(void)
{
	struct fee_table t = {.years_max = 4};
	struct fee_section *s = &t.section[HOLDER_UNIT][BIZ_RENEW];
	s->present = 1;
	s->price[FEE_CERT_YEAR] = (struct fee_price){1, 10000};
	s->price[FEE_SEAL_YEAR] = (struct fee_price){1, 10000};
	s = &t.section[HOLDER_PERSON][BIZ_CHANGE];
	s->present = 1;
	s->price[FEE_CERT] = (struct fee_price){1, 0};
	s->price[FEE_SEAL_NAME] = (struct fee_price){1, 5000};
	return t;
}

static void test_fees(void)
{
	struct fee_table t = base_table(), before;
	struct kerr err = {{0}};
	CHECK_INT(
	    fee_update_apply("{\"region\":\"nantong\",\"version\":3,\"fees\":{"
	                     "\"unit.renew\":{\"cert_year\":\"120\",\"seal_year\":\"120.50\"},"
	                     "\"person.change\":{}}}",
	                     "nantong", &t, &err),
	    KR_OK);
	CHECK_INT(t.section[HOLDER_UNIT][BIZ_RENEW].price[FEE_CERT_YEAR].fen, 12000);
	CHECK_INT(t.section[HOLDER_UNIT][BIZ_RENEW].price[FEE_SEAL_YEAR].fen, 12050);
	CHECK(!t.section[HOLDER_PERSON][BIZ_CHANGE].present); /* no longer offered */
	CHECK_INT(t.years_max, 4);

	static const char *const bad[] = {
	    "{\"region\":\"taicang\",\"fees\":{}}",                  /* another hall */
	    "{\"region\":\"nantong\"}",                              /* no fees */
	    "{\"region\":\"nantong\",\"fees\":{\"unit.robot\":{}}}", /* business */
	    "{\"region\":\"nantong\",\"fees\":{\"unitrenew\":{}}}",  /* name */
	    "{\"region\":\"nantong\",\"fees\":{\"unit.renew\":{\"cert\":\"1\"}}}", /* key */
	    "{\"region\":\"nantong\",\"fees\":{\"unit.renew\":{\"cert_year\":\"-1\","
	    "\"seal_year\":\"1\"}}}", /* amount */
	    "{\"region\":\"nantong\",\"fees\":{\"unit.renew\":{\"cert_year\":100,"
	    "\"seal_year\":\"1\"}}}", /* not text */
	    "{\"region\":\"nantong\",\"fees\":{\"unit.renew\":{\"cert_year\":\"1\"}}}", /* seal */
	    "{\"region\":\"nantong\",\"fees\":{\"unit.renew\":{\"cert_year\":\"1\","
	    "\"seal_year\":\"1\"},\"person.new\":[]}}", /* a good section, then a bad one */
	    "not json",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		before = t;
		CHECK_INT(fee_update_apply(bad[i], "nantong", &t, &err), KR_INVALID);
		CHECK(memcmp(&t, &before, sizeof t) == 0); /* all or nothing */
	}
	char region[64];
	fee_region_of("/etc/kiosk/regions/nantong.ini", region, sizeof region);
	CHECK_STR(region, "nantong");
	fee_region_of("taicang", region, sizeof region);
	CHECK_STR(region, "taicang");
}

int main(void)
{
	test_pickup();
	test_fees();
	return check_done();
}
