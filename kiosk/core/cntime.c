/* cntime.c — China time: dates, calendar days and years (see cntime.h). */
#include "cntime.h"

#include <time.h>

#define DAY_S 86400

int64_t cntime_civil_days(int y, int m, int d)
{
	/* days from civil: eras of 400 years, the year taken to start on 1 March */
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t cntime_day(int64_t utc_s)
{
	int64_t local = utc_s + CNTIME_OFFSET_S;
	return local / DAY_S - (local % DAY_S < 0);
}

int64_t cntime_utc(int y, int m, int d, int64_t secs)
{
	return cntime_civil_days(y, m, d) * DAY_S + secs - CNTIME_OFFSET_S;
}

int64_t cntime_midnight(int64_t utc_s)
{
	return cntime_day(utc_s) * DAY_S - CNTIME_OFFSET_S;
}

int64_t cntime_days_between(int64_t from_utc, int64_t to_utc)
{
	return cntime_day(to_utc) - cntime_day(from_utc);
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int64_t cntime_add_years(int64_t utc_s, int years)
{
	time_t local = (time_t)(utc_s + CNTIME_OFFSET_S);
	struct tm tm;
	if (!gmtime_r(&local, &tm))
		return utc_s + (int64_t)years * 365 * DAY_S; /* past any calendar a kiosk sees */
	int y = tm.tm_year + 1900 + years, m = tm.tm_mon + 1, d = tm.tm_mday;
	if (m == 2 && d == 29 && !is_leap(y))
		d = 28;
	int64_t secs = (int64_t)tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	return cntime_utc(y, m, d, secs);
}

int cntime_format(int64_t utc_s, const char *fmt, char *buf, size_t size)
{
	time_t local = (time_t)(utc_s + CNTIME_OFFSET_S);
	struct tm tm;
	if (!size)
		return -1;
	if (!gmtime_r(&local, &tm) || strftime(buf, size, fmt, &tm) == 0) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}
