/* test_conf.c — the shipped kiosk.ini and both halls' files load with exactly the
 * figures of DOMAIN.md; every bad file in tests/unit/conf/ is refused with its file,
 * line and key; opening hours and whether the hall is open. */
#include <stdlib.h>

#include "check.h"
#include "conf/conf.h"

#define Y(yuan) ((fen_t)(yuan)*100)

/* 2024-01-01 00:00 UTC, a Monday. */
#define MONDAY ((int64_t)1704067200)
#define HOUR   3600
#define DAY    (24 * HOUR)

static char src_dir[PATH_MAX];

/* The path of a file of the source tree. */
static const char *src(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int next;
	char *b = buf[next++ % 4];
	if (snprintf(b, PATH_MAX, "%s/%s", src_dir, rel) >= PATH_MAX)
		fprintf(stderr, "path too long: %s/%s\n", src_dir, rel);
	return b;
}

/* One price a hall's file must give; every price not listed must be absent. */
struct want_price {
	enum holder holder;
	enum business biz;
	enum fee_key key;
	fen_t fen;
};

static const struct want_price taicang_fees[] = {
    {HOLDER_UNIT, BIZ_NEW, FEE_CERT_YEAR, Y(150)},
    {HOLDER_UNIT, BIZ_NEW, FEE_SEAL_YEAR, Y(100)},
    {HOLDER_UNIT, BIZ_NEW, FEE_CERT_4YEARS, Y(350)},
    {HOLDER_UNIT, BIZ_NEW, FEE_SEAL_4YEARS, Y(350)},
    {HOLDER_UNIT, BIZ_RENEW, FEE_CERT_YEAR, Y(100)},
    {HOLDER_UNIT, BIZ_RENEW, FEE_SEAL_YEAR, Y(100)},
    {HOLDER_UNIT, BIZ_RENEW, FEE_CERT_4YEARS, Y(350)},
    {HOLDER_UNIT, BIZ_RENEW, FEE_SEAL_4YEARS, Y(350)},
    {HOLDER_UNIT, BIZ_REISSUE, FEE_CERT, Y(50)},
    {HOLDER_UNIT, BIZ_REISSUE, FEE_SEAL, Y(80)},
    {HOLDER_UNIT, BIZ_CHANGE, FEE_CERT, 0},
    {HOLDER_UNIT, BIZ_CHANGE, FEE_SEAL_NAME, Y(80)},
    {HOLDER_UNIT, BIZ_CHANGE, FEE_SEAL_LEGAL_PERSON, Y(50)},
    {HOLDER_UNIT, BIZ_CHANGE, FEE_SEAL_TEMPLATE, Y(50)},
    {HOLDER_UNIT, BIZ_UNLOCK, FEE_CERT, 0},
    {HOLDER_UNIT, BIZ_EXCHANGE, FEE_CERT, 0},
    {HOLDER_UNIT, BIZ_EXCHANGE, FEE_SEAL, 0},
    {HOLDER_PERSON, BIZ_NEW, FEE_CERT_YEAR, Y(70)},
    {HOLDER_PERSON, BIZ_NEW, FEE_SEAL_YEAR, Y(50)},
    {HOLDER_PERSON, BIZ_RENEW, FEE_CERT_YEAR, Y(20)},
    {HOLDER_PERSON, BIZ_RENEW, FEE_SEAL_YEAR, Y(50)},
    {HOLDER_PERSON, BIZ_REISSUE, FEE_CERT, Y(50)},
    {HOLDER_PERSON, BIZ_REISSUE, FEE_SEAL, Y(50)},
    {HOLDER_PERSON, BIZ_CHANGE, FEE_CERT, 0},
    {HOLDER_PERSON, BIZ_CHANGE, FEE_SEAL_NAME, Y(50)},
    {HOLDER_PERSON, BIZ_CHANGE, FEE_SEAL_TEMPLATE, Y(50)},
    {HOLDER_PERSON, BIZ_UNLOCK, FEE_CERT, 0},
    {HOLDER_PERSON, BIZ_EXCHANGE, FEE_CERT, 0},
    {HOLDER_PERSON, BIZ_EXCHANGE, FEE_SEAL, 0},
};

static const struct want_price nantong_fees[] = {
    {HOLDER_UNIT, BIZ_NEW, FEE_CERT_FIRST_YEAR, Y(150)},
    {HOLDER_UNIT, BIZ_NEW, FEE_SEAL_FIRST_YEAR, Y(100)},
    {HOLDER_UNIT, BIZ_NEW, FEE_CERT_4YEARS, Y(350)},
    {HOLDER_UNIT, BIZ_NEW, FEE_SEAL_4YEARS, Y(350)},
    {HOLDER_UNIT, BIZ_RENEW, FEE_CERT_YEAR, Y(100)},
    {HOLDER_UNIT, BIZ_RENEW, FEE_SEAL_YEAR, Y(100)},
    {HOLDER_UNIT, BIZ_RENEW, FEE_CERT_4YEARS, Y(350)},
    {HOLDER_UNIT, BIZ_RENEW, FEE_SEAL_4YEARS, Y(350)},
    {HOLDER_UNIT, BIZ_REISSUE, FEE_CERT, Y(50)},
    {HOLDER_UNIT, BIZ_REISSUE, FEE_SEAL, Y(100)},
    {HOLDER_UNIT, BIZ_CHANGE, FEE_CERT, 0},
    {HOLDER_UNIT, BIZ_CHANGE, FEE_SEAL_NAME, 0},
    {HOLDER_UNIT, BIZ_CHANGE, FEE_SEAL_LEGAL_PERSON, 0},
    {HOLDER_UNIT, BIZ_CHANGE, FEE_SEAL_TEMPLATE, 0},
    {HOLDER_UNIT, BIZ_UNLOCK, FEE_CERT, 0},
    {HOLDER_PERSON, BIZ_NEW, FEE_CERT_FIRST_YEAR, Y(70)},
    {HOLDER_PERSON, BIZ_NEW, FEE_SEAL_FIRST_YEAR, Y(50)},
    {HOLDER_PERSON, BIZ_RENEW, FEE_CERT_YEAR, Y(20)},
    {HOLDER_PERSON, BIZ_RENEW, FEE_SEAL_YEAR, Y(50)},
    {HOLDER_PERSON, BIZ_REISSUE, FEE_CERT, Y(50)},
    {HOLDER_PERSON, BIZ_REISSUE, FEE_SEAL, Y(50)},
    {HOLDER_PERSON, BIZ_CHANGE, FEE_CERT, 0},
    {HOLDER_PERSON, BIZ_CHANGE, FEE_SEAL_NAME, 0},
    {HOLDER_PERSON, BIZ_CHANGE, FEE_SEAL_TEMPLATE, 0},
    {HOLDER_PERSON, BIZ_UNLOCK, FEE_CERT, 0},
};

/* Every section and price of t against the list: present exactly when listed. */
static void check_fees(const char *hall, const struct fee_table *t, const struct want_price *w,
                       int n)
{
	for (int h = 0; h < HOLDER_COUNT; h++) {
		for (int b = 0; b < BIZ_COUNT; b++) {
			const struct fee_section *s = &t->section[h][b];
			int listed = 0;
			for (int k = 0; k < FEE_KEY_COUNT; k++) {
				const struct want_price *p = NULL;
				for (int i = 0; i < n; i++)
					if ((int)w[i].holder == h && (int)w[i].biz == b &&
					    (int)w[i].key == k)
						p = &w[i];
				listed |= p != NULL;
				int ok = p ? s->price[k].set && s->price[k].fen == p->fen
				           : !s->price[k].set;
				if (!ok)
					fprintf(stderr, "%s: fees.%s.%s %s: set %d, %lld fen\n",
					        hall, catalogue_holder_id(h),
					        catalogue_business_id(b), fees_key_name(k),
					        s->price[k].set, (long long)s->price[k].fen);
				CHECK(ok);
			}
			if (s->present != listed)
				fprintf(stderr, "%s: fees.%s.%s present %d\n", hall,
				        catalogue_holder_id(h), catalogue_business_id(b),
				        s->present);
			CHECK_INT(s->present, listed);
		}
	}
}

static void test_kiosk_ini(void)
{
	static struct conf c;
	struct kerr err = {""};

	int rc = conf_load(src("config/kiosk.ini"), &c, &err);
	if (rc != KR_OK)
		fprintf(stderr, "%s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	CHECK_STR(c.kiosk_id, "NT01");
	CHECK_STR(c.language, "zh-CN");
	CHECK_STR(c.database, src("config/../var/kiosk.db"));
	CHECK_STR(c.assets, src("config/../assets"));
	CHECK_STR(c.region.file, src("config/regions/nantong.ini"));
	CHECK_STR(c.region.city, "南通");
	CHECK_INT(c.step_timeout_s, 90);
	CHECK_INT(c.pay_timeout_s, 180);
	CHECK_INT(c.countdown_shown_s, 15);
	CHECK_INT(c.renew_window_days, 30);
	CHECK_INT(c.renew_grace_days, 30);
	CHECK_INT(c.pay_ceiling_fen, Y(5000));
	static const char *const demo[SVC_COUNT] = {
	    [SVC_KEYS] = "pkcs11",  [SVC_PAY] = "alipay",       [SVC_PRINTER] = "cups",
	    [SVC_IDREADER] = "sam", [SVC_DISPENSER] = "serial", [SVC_SYNC] = "central",
	};
	for (int s = 0; s < SVC_COUNT; s++) {
		CHECK_STR(c.service[s], demo[s]);
		CHECK_INT(conf_service_from_name(conf_service_name(s)), s);
	}
	CHECK_STR(c.idreader.control, src("config/../var/rig/idcard.ctl"));
	CHECK_STR(c.alipay.control, "http://127.0.0.1:18444");
	CHECK_STR(c.printer.server, "default");
	CHECK_STR(c.keys.ledger, src("config/../var/rig/p11/ledger"));
	CHECK_STR(c.keys.crl_file, src("config/../var/rig/p11/issuing.crl"));
	CHECK_INT(c.keys.crl_next_update_hours, 24);
	CHECK_STR(conf_service_name(SVC_DISPENSER), "dispenser");
	CHECK_INT(conf_service_from_name("scanner"), -1);
	CHECK_INT(conf_service_from_name(NULL), -1);
	CHECK_STR(conf_service_name(SVC_COUNT), "?");
}

static void test_nantong(void)
{
	static struct conf_region r;
	struct kerr err = {""};

	int rc = conf_load_region(src("config/regions/nantong.ini"), &r, &err);
	if (rc != KR_OK)
		fprintf(stderr, "%s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	CHECK_STR(r.name, "南通市公共资源交易中心");
	CHECK_STR(r.city, "南通");
	CHECK_STR(r.hotline, "025-96010");
	CHECK_STR(r.phone, "0513-81553618");
	CHECK_INT(r.workdays.n, 2);
	CHECK_INT(r.workdays.span[0].from_min, 8 * 60 + 30);
	CHECK_INT(r.workdays.span[0].to_min, 11 * 60 + 30);
	CHECK_INT(r.workdays.span[1].from_min, 13 * 60 + 30);
	CHECK_INT(r.workdays.span[1].to_min, 17 * 60 + 30);
	CHECK_INT(r.weekends.n, 0);
	CHECK_INT(r.noutlets, 9);
	CHECK_STR(r.outlet[0].id, "city-hall");
	CHECK_STR(r.outlet[0].address,
	          "南通市崇川区工农南路150号四楼南通市公共资源交易中心2号窗口");
	CHECK_STR(r.outlet[0].phone, "0513-81021535");
	CHECK_STR(r.outlet[0].hours, "09:00-11:30,13:30-17:30");
	CHECK_STR(r.outlet[2].id, "haian");
	CHECK_STR(r.outlet[2].hours, "08:30-12:00,14:00-17:30");
	CHECK_STR(r.outlet[8].id, "binhai");
	CHECK_STR(r.outlet[8].phone, "0513-81553618");
	CHECK_INT(r.fees.years_max, 4);
	check_fees("nantong", &r.fees, nantong_fees,
	           (int)(sizeof nantong_fees / sizeof nantong_fees[0]));
}

static void test_taicang(void)
{
	static struct conf_region r;
	struct kerr err = {""};

	int rc = conf_load_region(src("config/regions/taicang.ini"), &r, &err);
	if (rc != KR_OK)
		fprintf(stderr, "%s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	CHECK_STR(r.name, "太仓市行政审批中心");
	CHECK_STR(r.city, "太仓");
	CHECK_STR(r.hotline, "025-96010");
	CHECK_STR(r.phone, "0512-68701110");
	CHECK_INT(r.workdays.n, 2);
	CHECK_INT(r.workdays.span[0].from_min, 8 * 60 + 45);
	CHECK_INT(r.workdays.span[0].to_min, 11 * 60 + 40);
	CHECK_INT(r.workdays.span[1].from_min, 13 * 60);
	CHECK_INT(r.workdays.span[1].to_min, 16 * 60 + 45);
	CHECK_INT(r.weekends.n, 0);
	CHECK(!conf_hall_open(&r, MONDAY + 40 * 60));         /* 08:40 China */
	CHECK(conf_hall_open(&r, MONDAY + 45 * 60));          /* 08:45 */
	CHECK(conf_hall_open(&r, MONDAY + 5 * HOUR));         /* 13:00 */
	CHECK(!conf_hall_open(&r, MONDAY + 8 * HOUR + 3000)); /* 16:50 */
	CHECK_INT(r.noutlets, 2);
	CHECK_STR(r.outlet[0].address, "太仓市城厢镇县府东街99号行政审批中心3号楼2楼214窗口");
	CHECK_STR(r.outlet[1].address, "苏州高新区邓尉路9号润捷广场1幢（南楼）9楼905室");
	CHECK_INT(r.fees.years_max, 4);
	check_fees("taicang", &r.fees, taicang_fees,
	           (int)(sizeof taicang_fees / sizeof taicang_fees[0]));
}

/* A bad file and what its message must hold. */
struct bad_file {
	const char *name; /* in tests/unit/conf/ */
	int kiosk;        /* 1: a kiosk.ini, loaded with conf_load */
	int rc;
	const char *want[3]; /* beside the file's path at the start */
	const char *blamed;  /* the file the message starts with when not name */
};

#define REGION(file, ...)                                                                          \
	{                                                                                          \
		file, 0, KR_CONFIG,                                                                \
		{                                                                                  \
			__VA_ARGS__                                                                \
		}                                                                                  \
	}
#define KIOSK(file, ...)                                                                           \
	{                                                                                          \
		file, 1, KR_CONFIG,                                                                \
		{                                                                                  \
			__VA_ARGS__                                                                \
		}                                                                                  \
	}

static const struct bad_file bad_files[] = {
    REGION("unknown_key.ini", ":7:", "[hall] fax", "unknown key"),
    REGION("unknown_section.ini", ":10:", "[holidays]", "unknown section"),
    REGION("missing_section.ini", ":10:", "[hours]", "missing section"),
    REGION("missing_key.ini", ":2:", "[hall] phone", "missing key"),
    REGION("negative_fee.ini", ":15:", "[fees.unit.new] cert_year", "negative amount '-150'"),
    REGION("three_decimals.ini", ":16:", "[fees.unit.new] seal_year", "two decimals"),
    REGION("empty_fee.ini", ":15:", "[fees.unit.reissue] cert", "empty amount"),
    REGION("bad_time.ini", ":8:", "[hours] workdays", "25:00-26:00"),
    REGION("overlap.ini", ":8:", "[hours] workdays", "overlap"),
    REGION("twice.ini", ":5:", "[hall] city", "given twice (first on line 4)"),
    REGION("continued.ini", ":4:", "[hall] name", "continues the value of line 3"),
    REGION("check_fees.ini", ":14:", "[fees.unit.check]", "free"),
    REGION("both_years.ini", ":14:", "[fees.unit.new]", "cert_year and cert_first_year"),
    REGION("years_range.ini", ":11:", "[fees] years_max", "1..10"),
    REGION("fee_not_allowed.ini", ":15:", "[fees.person.renew] cert", "not a price"),
    REGION("unknown_business.ini", ":14:", "[fees.unit.renewal]", "unknown business"),
    REGION("outlet_hours.ini", ":18:", "[outlet.x] hours", "9:00-17:00"),
    KIOSK("kiosk_not_int.ini", ":9:", "[flow] step_timeout_s", "'ninety'"),
    KIOSK("kiosk_int_range.ini", ":10:", "[flow] pay_timeout_s", "60..7200"),
    KIOSK("kiosk_service.ini", ":19:", "[services] pay", "'paypal'"),
    KIOSK("kiosk_missing_section.ini", ":16:", "[services]", "missing section"),
    KIOSK("kiosk_ceiling.ini", ":16:", "[pay] ceiling", "above zero"),
    KIOSK("kiosk_id.ini", ":3:", "[kiosk] id", "'NT-01'"),
    KIOSK("kiosk_no_section.ini", ":2:", "id", "before any [section]"),
    KIOSK("kiosk_syntax.ini", ":9:", "expected [section] or key = value"),
    KIOSK("kiosk_section_twice.ini", ":24:", "[flow]", "first on line 8"),
    KIOSK("kiosk_long_line.ini", ":5:", "line longer than"),
    KIOSK("kiosk_crl_hours.ini", ":40:", "[keys] crl_next_update_hours", "1..168"),
    {"kiosk_no_region.ini", 1, KR_IO, {":4:", "[kiosk] region", "nowhere.ini"}},
    /* the region file's own error, named by its path */
    {"kiosk_bad_region.ini", 1, KR_CONFIG, {":15:", "cert_year", "negative"}, "negative_fee.ini"},
};

static void test_bad_files(void)
{
	static struct conf c;
	static struct conf_region r;
	char rel[PATH_MAX];

	for (size_t i = 0; i < sizeof bad_files / sizeof bad_files[0]; i++) {
		const struct bad_file *b = &bad_files[i];
		struct kerr err = {""};
		snprintf(rel, sizeof rel, "tests/unit/conf/%s", b->name);
		const char *path = src(rel);
		int rc = b->kiosk ? conf_load(path, &c, &err) : conf_load_region(path, &r, &err);
		snprintf(rel, sizeof rel, "tests/unit/conf/%s", b->blamed ? b->blamed : b->name);
		const char *blamed = src(rel);
		int ok = rc == b->rc && strncmp(err.msg, blamed, strlen(blamed)) == 0;
		for (int w = 0; w < 3 && b->want[w]; w++)
			ok = ok && strstr(err.msg, b->want[w]) != NULL;
		if (!ok)
			fprintf(stderr, "%s: rc %s, message: %s\n", b->name, kr_name(rc), err.msg);
		CHECK(ok);
	}
}

static void test_good_fixtures(void)
{
	static struct conf c;
	struct kerr err = {""};

	int rc = conf_load(src("tests/unit/conf/kiosk_ok.ini"), &c, &err);
	if (rc != KR_OK)
		fprintf(stderr, "%s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	CHECK_STR(c.kiosk_id, "TEST01");
	CHECK_STR(c.language, "en");
	CHECK_STR(c.database, src("tests/unit/conf/kiosk.db"));
	CHECK_STR(c.voice, ""); /* left out: the build's prompts */
	CHECK_STR(c.region.name, "测试大厅");
	CHECK_INT(c.region.noutlets, 0);
	CHECK(fees_offered(&c.region.fees, BIZ_UNLOCK, HOLDER_UNIT));
	CHECK(!fees_offered(&c.region.fees, BIZ_NEW, HOLDER_UNIT));

	/* [keys] without the CRL keys: issuing.crl beside the ledger, a day ahead */
	rc = conf_load(src("tests/unit/conf/kiosk_keys.ini"), &c, &err);
	if (rc != KR_OK)
		fprintf(stderr, "%s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	CHECK_STR(c.keys.ledger, src("tests/unit/conf/state/ledger"));
	CHECK_STR(c.voice, src("tests/unit/conf/state/voice"));
	CHECK_STR(c.keys.crl_file, src("tests/unit/conf/state/issuing.crl"));
	CHECK_INT(c.keys.crl_next_update_hours, 24);
}

static void test_missing_files(void)
{
	static struct conf c;
	static struct conf_region r;
	struct kerr err = {""};

	CHECK_INT(conf_load(src("tests/unit/conf/nowhere.ini"), &c, &err), KR_IO);
	CHECK(strstr(err.msg, "nowhere.ini") != NULL);
	CHECK_INT(conf_load_region(src("tests/unit/conf/nowhere.ini"), &r, &err), KR_IO);
	CHECK(strstr(err.msg, "nowhere.ini") != NULL);
}

static void test_spans(void)
{
	struct conf_spans s;
	static const char *const bad[] = {
	    "",
	    "Closed",
	    "25:00-26:00",
	    "8:30-11:30",
	    "08:30-11:30 ",
	    "08:30-11:30, 13:30-17:30",
	    "08:30-11:30,",
	    "08:30",
	    "08:30-",
	    "08:60-09:00",
	    "24:00-24:30",
	    "12:00-12:00",
	    "13:00-12:00",
	    "08:30-12:00,11:30-17:30",
	    "13:30-17:30,08:30-11:30",
	    "01:00-02:00,03:00-04:00,05:00-06:00,07:00-08:00,09:00-10:00",
	};

	CHECK_INT(conf_parse_spans("closed", &s), KR_OK);
	CHECK_INT(s.n, 0);
	CHECK_INT(conf_parse_spans("08:30-11:30,13:30-17:30", &s), KR_OK);
	CHECK_INT(s.n, 2);
	CHECK_INT(s.span[0].from_min, 510);
	CHECK_INT(s.span[0].to_min, 690);
	CHECK_INT(s.span[1].from_min, 810);
	CHECK_INT(s.span[1].to_min, 1050);
	CHECK_INT(conf_parse_spans("00:00-24:00", &s), KR_OK);
	CHECK_INT(s.n, 1);
	CHECK_INT(s.span[0].to_min, 1440);
	CHECK_INT(conf_parse_spans("01:00-02:00,02:00-03:00,05:00-06:00,23:00-24:00", &s), KR_OK);
	CHECK_INT(s.n, 4);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct conf_spans keep = {.n = 7};
		int rc = conf_parse_spans(bad[i], &keep);
		if (rc != KR_INVALID)
			fprintf(stderr, "spans '%s' accepted\n", bad[i]);
		CHECK_INT(rc, KR_INVALID);
		CHECK_INT(keep.n, 7); /* untouched on failure */
	}
}

static void test_hall_open(void)
{
	struct conf_region r = {0};

	CHECK_INT(conf_parse_spans("08:30-11:30,13:30-17:30", &r.workdays), KR_OK);
	CHECK_INT(conf_parse_spans("closed", &r.weekends), KR_OK);
	CHECK(conf_hall_open(&r, MONDAY + 1 * HOUR));       /* Monday 09:00 China */
	CHECK(conf_hall_open(&r, MONDAY + HOUR / 2));       /* 08:30: opens */
	CHECK(!conf_hall_open(&r, MONDAY + HOUR / 2 - 60)); /* 08:29 */
	CHECK(!conf_hall_open(&r, MONDAY - HOUR));          /* Monday 07:00 China, Sunday UTC */
	CHECK(!conf_hall_open(&r, MONDAY + 3 * HOUR + HOUR / 2)); /* 11:30: closes */
	CHECK(!conf_hall_open(&r, MONDAY + 4 * HOUR));            /* 12:00: lunch */
	CHECK(conf_hall_open(&r, MONDAY + 9 * HOUR + 29 * 60));   /* 17:29 */
	CHECK(!conf_hall_open(&r, MONDAY + 9 * HOUR + 30 * 60));  /* 17:30 */
	CHECK(conf_hall_open(&r, MONDAY + 4 * DAY + 9 * HOUR));   /* Friday 17:00 */
	CHECK(!conf_hall_open(&r, MONDAY + 4 * DAY + 16 * HOUR)); /* Saturday 00:00 China */
	CHECK(!conf_hall_open(&r, MONDAY + 5 * DAY + HOUR));      /* Saturday 09:00 */
	CHECK(!conf_hall_open(&r, MONDAY + 6 * DAY + HOUR));      /* Sunday 09:00 */
	CHECK(conf_hall_open(&r, MONDAY + 7 * DAY + HOUR));       /* next Monday */
	CHECK(conf_hall_open(&r, -DAY + HOUR));                   /* Wed 1969-12-31 09:00 */
	CHECK(!conf_hall_open(&r, -4 * DAY + HOUR));              /* Sun 1969-12-28 09:00 */

	CHECK_INT(conf_parse_spans("09:00-12:00", &r.weekends), KR_OK);
	CHECK(conf_hall_open(&r, MONDAY + 6 * DAY + 2 * HOUR));  /* Sunday 10:00 */
	CHECK(!conf_hall_open(&r, MONDAY + 6 * DAY + 5 * HOUR)); /* Sunday 13:00 */
	CHECK(!conf_hall_open(&r, MONDAY + 5 * DAY + 6 * HOUR)); /* Saturday 14:00 */
}

int main(void)
{
	const char *dir = getenv("KIOSK_SOURCE_DIR");
	snprintf(src_dir, sizeof src_dir, "%s", dir && *dir ? dir : KIOSK_SOURCE_DIR);

	test_kiosk_ini();
	test_nantong();
	test_taicang();
	test_bad_files();
	test_good_fixtures();
	test_missing_files();
	test_spans();
	test_hall_open();
	return check_done();
}
