/* cntime.h — China time (UTC+8 all year, no daylight saving): the calendar the kiosk
 * shows, counts days in and dates its orders by. Inside the kiosk a time is seconds since
 * the epoch in UTC as int64_t (past 2038 and 2106 alike); these functions are the only
 * place that turns one into a China date. Pure: no clock is read here. */
#ifndef KIOSK_CORE_CNTIME_H
#define KIOSK_CORE_CNTIME_H

#include <stddef.h>
#include <stdint.h>

#define CNTIME_OFFSET_S (8 * 3600)

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1..12, d 1..31); no
 * time zone involved. Negative before 1970. */
int64_t cntime_civil_days(int y, int m, int d);

/* The instant (UTC) secs seconds after 00:00 China time of the date y-m-d (as
 * cntime_civil_days): what a China wall clock's "y-m-d h:mi" is inside the kiosk. */
int64_t cntime_utc(int y, int m, int d, int64_t secs);

/* The China date of utc_s as a day number (days since 1970-01-01, China time). */
int64_t cntime_day(int64_t utc_s);

/* The instant (UTC) at which the China date of utc_s began: its 00:00 China time. */
int64_t cntime_midnight(int64_t utc_s);

/* Calendar days from the China date of from_utc to that of to_utc (negative when to_utc
 * is on an earlier date): 1 from 23:59 to 00:01 the next morning, 0 within one day. */
int64_t cntime_days_between(int64_t from_utc, int64_t to_utc);

/* utc_s moved by years calendar years (negative: back) in China time: the same date and
 * time of day, with 29 February becoming 28 February in a common year. */
int64_t cntime_add_years(int64_t utc_s, int years);

/* Writes utc_s as China time with strftime's fmt into buf. Returns 0, or -1 with buf
 * empty when it does not fit or the year is out of range. */
int cntime_format(int64_t utc_s, const char *fmt, char *buf, size_t size);

#endif
