/* ident.h — identity number checks: resident ID numbers (GB 11643, including the
 * Hong Kong/Macau/Taiwan residence permits 81/82/83), Unified Social Credit Codes
 * (GB 32100 with the GB 11714 organisation-code check), mainland mobile numbers and
 * e-mail addresses (for the e-invoice).
 * Pure functions over NUL-terminated strings; nothing is stored or logged. */
#ifndef KIOSK_IDENT_H
#define KIOSK_IDENT_H

#include <stddef.h>

enum ident_verdict {
	IDENT_OK = 0,
	IDENT_BAD_LENGTH,
	IDENT_BAD_CHAR,
	IDENT_BAD_REGION,
	IDENT_BAD_DATE,
	IDENT_BAD_CHECK,     /* the final check character is wrong */
	IDENT_BAD_ORG_CHECK, /* USCC: the embedded organisation code's check is wrong */
	IDENT_BAD_FORMAT,    /* e-mail: not local@domain.tld */
	IDENT_VERDICT_COUNT
};

/* A readable English reason for a verdict ("bad check character"). */
const char *ident_verdict_name(enum ident_verdict v);

/* The GB 11643 check character ('0'..'9' or 'X') of the first 17 digits, or 0 when
 * they are not 17 digits. */
char ident_id_check_char(const char *first17);

/* Checks an 18-character ID number: digits, a region that is not 00xxxx, a real birth
 * date from 1900 on, an upper-case X allowed only as check character. */
enum ident_verdict ident_check_id_number(const char *s);

/* Whether an ID number is that of a residence permit (810000/820000/830000). */
int ident_is_residence_permit(const char *s);

/* The GB 32100 check character of the first 17 characters, or 0 when invalid. */
char ident_uscc_check_char(const char *first17);

/* The GB 11714 check character of an 8-character organisation code body, or 0. */
char ident_org_check_char(const char *first8);

/* Checks an 18-character Unified Social Credit Code. */
enum ident_verdict ident_check_uscc(const char *s);

/* Checks a mainland mobile number: 11 digits, 1 then 3–9. */
enum ident_verdict ident_check_mobile(const char *s);

#define IDENT_EMAIL_MAX 64

/* Checks an e-mail address: ASCII, at most IDENT_EMAIL_MAX characters, no spaces, one
 * '@' between a local part of letters, digits and . _ - + (no dot at either end, no two
 * dots together) and a domain of at least two labels of letters, digits and '-' (not at
 * either end of a label), the last label two or more letters. */
enum ident_verdict ident_check_email(const char *s);

/* Copies an e-mail address into out as its first character, "***" and everything from
 * the '@' on ("zhang@example.com" → "z***@example.com"); without an '@' (or with
 * nothing before it) "***". Always NUL-terminates. */
void ident_mask_email(const char *s, char *out, size_t size);

/* Copies s into out masking all but the first 4 and last 4 characters with '*'
 * ("3201**********1234"). Short strings are masked whole. Always NUL-terminates. */
void ident_mask(const char *s, char *out, size_t size);

/* Copies a person's UTF-8 name into out as its first character followed by one '*'
 * per further character ("张三丰" → "张**"). Always NUL-terminates. */
void ident_mask_name(const char *name, char *out, size_t size);

#endif
