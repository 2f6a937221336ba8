/* ident.c — ID number, credit code, mobile number and e-mail address checks. */
#include "ident.h"

#include <stdio.h>
#include <string.h>

static const char *const verdict_names[IDENT_VERDICT_COUNT] = {
    "ok",
    "wrong length",
    "bad character",
    "bad region",
    "bad date",
    "bad check character",
    "bad organisation-code check",
    "bad format",
};

const char *ident_verdict_name(enum ident_verdict v)
{
	return (int)v >= 0 && v < IDENT_VERDICT_COUNT ? verdict_names[v] : "?";
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

char ident_id_check_char(const char *first17)
{
	static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	int sum = 0;
	for (int i = 0; i < 17; i++) {
		if (!is_digit(first17[i]))
			return 0;
		sum += (first17[i] - '0') * weights[i];
	}
	return "10X98765432"[sum % 11];
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int valid_date(const char *d)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
	int m = (d[4] - '0') * 10 + (d[5] - '0');
	int day = (d[6] - '0') * 10 + (d[7] - '0');
	if (y < 1900 || m < 1 || m > 12 || day < 1)
		return 0;
	return day <= days[m - 1] + (m == 2 && leap(y));
}

enum ident_verdict ident_check_id_number(const char *s)
{
	if (!s || strlen(s) != 18)
		return IDENT_BAD_LENGTH;
	for (int i = 0; i < 17; i++)
		if (!is_digit(s[i]))
			return IDENT_BAD_CHAR;
	if (!is_digit(s[17]) && s[17] != 'X')
		return IDENT_BAD_CHAR;
	if (s[0] == '0' || (s[0] == '1' && s[1] == '0'))
		return IDENT_BAD_REGION; /* GB/T 2260 regions start at 11 */
	if (!valid_date(s + 6))
		return IDENT_BAD_DATE;
	return ident_id_check_char(s) == s[17] ? IDENT_OK : IDENT_BAD_CHECK;
}

int ident_is_residence_permit(const char *s)
{
	return s && (strncmp(s, "810000", 6) == 0 || strncmp(s, "820000", 6) == 0 ||
	             strncmp(s, "830000", 6) == 0);
}

/* GB 32100 alphabet: the value of a character is its index. */
static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int uscc_value(char c)
{
	const char *p = c ? strchr(uscc_alphabet, c) : NULL;
	return p ? (int)(p - uscc_alphabet) : -1;
}

char ident_uscc_check_char(const char *first17)
{
	static const int weights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
	                                29, 25, 13, 8,  24, 10, 30, 28};
	int sum = 0;
	for (int i = 0; i < 17; i++) {
		int v = uscc_value(first17[i]);
		if (v < 0)
			return 0;
		sum += v * weights[i];
	}
	return uscc_alphabet[(31 - sum % 31) % 31];
}

/* GB 11714 values: digits 0–9, letters A=10 … Z=35. */
static int org_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return -1;
}

char ident_org_check_char(const char *first8)
{
	static const int weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
	int sum = 0;
	for (int i = 0; i < 8; i++) {
		int v = org_value(first8[i]);
		if (v < 0)
			return 0;
		sum += v * weights[i];
	}
	int c = 11 - sum % 11;
	return c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
}

enum ident_verdict ident_check_uscc(const char *s)
{
	if (!s || strlen(s) != 18)
		return IDENT_BAD_LENGTH;
	for (int i = 0; i < 18; i++)
		if (uscc_value(s[i]) < 0)
			return IDENT_BAD_CHAR;
	for (int i = 2; i < 8; i++)
		if (!is_digit(s[i]))
			return IDENT_BAD_REGION;
	if (ident_org_check_char(s + 8) != s[16])
		return IDENT_BAD_ORG_CHECK;
	return ident_uscc_check_char(s) == s[17] ? IDENT_OK : IDENT_BAD_CHECK;
}

enum ident_verdict ident_check_mobile(const char *s)
{
	if (!s || strlen(s) != 11)
		return IDENT_BAD_LENGTH;
	for (int i = 0; i < 11; i++)
		if (!is_digit(s[i]))
			return IDENT_BAD_CHAR;
	if (s[0] != '1' || s[1] < '3')
		return IDENT_BAD_REGION;
	return IDENT_OK;
}

static int is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The local part [s, end): letters, digits and . _ - +, no dot at an end or twice. */
static int email_local_ok(const char *s, const char *end)
{
	if (s == end || *s == '.' || end[-1] == '.')
		return 0;
	for (const char *p = s; p < end; p++)
		if (!is_alnum(*p) && !strchr("._-+", *p))
			return 0;
		else if (*p == '.' && p[1] == '.')
			return 0;
	return 1;
}

/* The domain: labels of letters, digits and '-' (not at a label's ends), two or more,
 * the last of two or more letters. */
static int email_domain_ok(const char *s)
{
	int labels = 0;
	while (*s) {
		const char *end = strchr(s, '.');
		if (!end)
			end = s + strlen(s);
		if (end == s || *s == '-' || end[-1] == '-')
			return 0;
		int letters = 1;
		for (const char *p = s; p < end; p++) {
			if (!is_alnum(*p) && *p != '-')
				return 0;
			letters = letters && !is_digit(*p) && *p != '-';
		}
		labels++;
		if (!*end) /* the last label: the top-level domain */
			return labels >= 2 && end - s >= 2 && letters;
		s = end + 1;
	}
	return 0; /* empty, or a dot at the end */
}

enum ident_verdict ident_check_email(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 6 || n > IDENT_EMAIL_MAX) /* a@b.cn is the shortest */
		return IDENT_BAD_LENGTH;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7F)
			return IDENT_BAD_CHAR;
	const char *at = strchr(s, '@');
	if (!at || strchr(at + 1, '@') || !email_local_ok(s, at) || !email_domain_ok(at + 1))
		return IDENT_BAD_FORMAT;
	return IDENT_OK;
}

void ident_mask_email(const char *s, char *out, size_t size)
{
	if (size == 0)
		return;
	const char *at = s ? strchr(s, '@') : NULL;
	if (!at || at == s)
		snprintf(out, size, "%s", s && *s ? "***" : "");
	else
		snprintf(out, size, "%c***%s", s[0], at);
}

void ident_mask(const char *s, char *out, size_t size)
{
	if (size == 0)
		return;
	size_t n = s ? strlen(s) : 0;
	size_t i;
	for (i = 0; i < n && i + 1 < size; i++)
		out[i] = (n > 8 && (i < 4 || i >= n - 4)) ? s[i] : '*';
	out[i] = '\0';
}

void ident_mask_name(const char *name, char *out, size_t size)
{
	size_t i = 0, o = 0;
	if (size == 0)
		return;
	/* the first character, all its bytes, when it fits whole */
	size_t first = name && name[0] ? 1 : 0;
	while (first && (name[first] & 0xC0) == 0x80)
		first++;
	if (first && first < size) {
		memcpy(out, name, first);
		i = o = first;
	}
	for (; name && name[i] && o + 1 < size; i++)
		if ((name[i] & 0xC0) != 0x80)
			out[o++] = '*';
	out[o] = '\0';
}
