/* pin.c — weak-PIN rules. */
#include "pin.h"

#include <stdio.h>
#include <string.h>

static const char *const verdict_keys[PIN_VERDICT_COUNT] = {
    "pin.good", "pin.bad_format", "pin.default", "pin.repeated", "pin.run", "pin.birth_date",
};

const char *pin_verdict_key(enum pin_verdict v)
{
	return (int)v >= 0 && v < PIN_VERDICT_COUNT ? verdict_keys[v] : "pin.bad_format";
}

static int is_run(const char *pin, size_t n, int step)
{
	for (size_t i = 1; i < n; i++)
		if ((pin[i] - pin[i - 1] + 10) % 10 != (step + 10) % 10)
			return 0;
	return 1;
}

/* Whether pin spells the birth date (YYYYMMDD) in one of the ways people write it. */
static int is_birth_date(const char *pin, size_t n, const char *birth)
{
	enum { Y4, Y2, M, D };
	static const struct {
		int off, len;
	} piece[] = {[Y4] = {0, 4}, [Y2] = {2, 2}, [M] = {4, 2}, [D] = {6, 2}};
	static const int forms[][3] = {
	    {Y4, M, D}, {Y2, M, D}, {M, D, Y2}, {D, M, Y2}, {D, M, Y4}, {M, D, Y4},
	};
	char form[16];

	if (!birth || strlen(birth) != 8)
		return 0;
	for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
		const int *p = forms[f];
		snprintf(form, sizeof form, "%.*s%.*s%.*s", piece[p[0]].len,
		         birth + piece[p[0]].off, piece[p[1]].len, birth + piece[p[1]].off,
		         piece[p[2]].len, birth + piece[p[2]].off);
		if (strlen(form) == n && memcmp(form, pin, n) == 0)
			return 1;
	}
	return 0;
}

enum pin_verdict pin_check(const char *pin, const char *birth)
{
	size_t n = pin ? strnlen(pin, PIN_MAX_LEN + 1) : 0;
	if (n < PIN_MIN_LEN || n > PIN_MAX_LEN)
		return PIN_BAD_FORMAT;
	for (size_t i = 0; i < n; i++)
		if (pin[i] < '0' || pin[i] > '9')
			return PIN_BAD_FORMAT;
	if (strcmp(pin, "123456") == 0)
		return PIN_DEFAULT;
	if (is_run(pin, n, 0))
		return PIN_REPEATED;
	if (is_run(pin, n, 1) || is_run(pin, n, -1))
		return PIN_RUN;
	if (is_birth_date(pin, n, birth))
		return PIN_BIRTH_DATE;
	return PIN_GOOD;
}
