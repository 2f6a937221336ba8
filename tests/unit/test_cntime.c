/* test_cntime.c — China time (kiosk/core/cntime.h): dates across midnight and the date
 * line between UTC and China, leap days, 2038 and beyond, negative times. */
#include "check.h"
#include "core/cntime.h"

#define DAY 86400

/* The UTC instant of y-m-d h:mi China time. */
static int64_t china(int y, int m, int d, int h, int mi)
{
	return cntime_civil_days(y, m, d) * DAY + h * 3600 + mi * 60 - 8 * 3600;
}

static void test_days(void)
{
	CHECK_INT(cntime_civil_days(1970, 1, 1), 0);
	CHECK_INT(cntime_civil_days(2000, 3, 1) - cntime_civil_days(2000, 2, 28), 2);
	CHECK_INT(cntime_civil_days(2100, 3, 1) - cntime_civil_days(2100, 2, 28), 1);
	CHECK_INT(cntime_civil_days(1969, 12, 31), -1);
	/* 16:00 UTC is already the next day in China */
	int64_t t = cntime_civil_days(2028, 2, 28) * DAY + 16 * 3600;
	CHECK_INT(cntime_day(t), cntime_civil_days(2028, 2, 29));
	CHECK_INT(cntime_day(t - 1), cntime_civil_days(2028, 2, 28));
	CHECK_INT(cntime_midnight(t + 5), t);
	CHECK_INT(cntime_day(-1), 0); /* 1970-01-01 07:59:59 China time */
	CHECK_INT(cntime_day(-8 * 3600 - 1), -1);
	/* the eve of an expiry, however late, is one day before it */
	CHECK_INT(cntime_days_between(china(2028, 2, 28, 23, 59), china(2028, 2, 29, 0, 1)), 1);
	CHECK_INT(cntime_days_between(china(2028, 2, 29, 0, 1), china(2028, 2, 29, 23, 59)), 0);
	CHECK_INT(cntime_days_between(china(2028, 3, 1, 9, 0), china(2028, 2, 28, 23, 0)), -2);
	CHECK_INT(cntime_days_between(china(2037, 12, 31, 12, 0), china(2038, 1, 20, 12, 0)), 20);
	/* a China wall clock as an instant */
	CHECK_INT(cntime_utc(2028, 2, 29, 0), china(2028, 2, 29, 0, 0));
	CHECK_INT(cntime_utc(2026, 11, 21, 21 * 3600 + 30 * 60), china(2026, 11, 21, 21, 30));
	CHECK_INT(cntime_utc(1970, 1, 1, 0), -8 * 3600);
}

static void test_years(void)
{
	CHECK_INT(cntime_add_years(china(2026, 11, 21, 21, 0), 4), china(2030, 11, 21, 21, 0));
	/* across a leap day: the same date, not 365-day years */
	CHECK_INT(cntime_add_years(china(2027, 3, 1, 8, 0), 1), china(2028, 3, 1, 8, 0));
	CHECK_INT(cntime_add_years(china(2028, 2, 28, 23, 59), 1), china(2029, 2, 28, 23, 59));
	CHECK_INT(cntime_add_years(china(2028, 2, 29, 10, 0), 1), china(2029, 2, 28, 10, 0));
	CHECK_INT(cntime_add_years(china(2028, 2, 29, 10, 0), 4), china(2032, 2, 29, 10, 0));
	CHECK_INT(cntime_add_years(china(2028, 2, 29, 10, 0), -1), china(2027, 2, 28, 10, 0));
	/* past 2038 (32-bit time_t) and past 2106 (unsigned 32-bit) */
	CHECK_INT(cntime_add_years(china(2036, 6, 1, 0, 30), 4), china(2040, 6, 1, 0, 30));
	CHECK(china(2040, 6, 1, 0, 30) > 2147483647LL);
	CHECK_INT(cntime_add_years(china(2105, 1, 1, 0, 0), 2), china(2107, 1, 1, 0, 0));
}

static void test_format(void)
{
	char buf[32];
	CHECK_INT(cntime_format(china(2028, 2, 29, 0, 1), "%Y-%m-%d %H:%M", buf, sizeof buf), 0);
	CHECK_STR(buf, "2028-02-29 00:01");
	CHECK_INT(cntime_format(china(2040, 1, 2, 3, 4), "%y%m%d", buf, sizeof buf), 0);
	CHECK_STR(buf, "400102");
	CHECK_INT(cntime_format(china(2028, 2, 29, 0, 1), "%Y-%m-%d", buf, 5), -1);
	CHECK_STR(buf, "");
	CHECK_INT(cntime_format(0, "%Y", buf, 0), -1);
}

int main(void)
{
	test_days();
	test_years();
	test_format();
	return check_done();
}
