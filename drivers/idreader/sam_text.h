/* sam_text.h — the 256-byte text block an ID card's chip holds (UTF-16LE, space
 * padded) and its three layouts: the resident ID card, the Hong Kong/Macau/Taiwan
 * residence permit ('J' at offset 248) and the foreign permanent resident card ('I').
 * Pure parsing (iconv for the text), plus GB/T 2261.1 sex and GB 3304 nation names.
 * The result is personal: whoever fills a struct sam_person wipes it. */
#ifndef KIOSK_SAM_TEXT_H
#define KIOSK_SAM_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define SAM_TEXT_LEN  256
#define SAM_PHOTO_LEN 1024 /* WLT, compressed; kept as it is, never decoded here */

enum sam_kind { SAM_KIND_RESIDENT = ' ', SAM_KIND_PERMIT = 'J', SAM_KIND_FOREIGN = 'I' };

/* Everything the text block says, as UTF-8, trailing blanks removed. */
struct sam_person {
	char kind;           /* enum sam_kind */
	char name[96];       /* the Chinese name (foreign card: may be empty) */
	char name_en[192];   /* foreign card: the English name */
	char sex[2];         /* code: 0 1 2 9 */
	char nation[3];      /* resident ID: two digits, 01–56, 97, 98 */
	char nationality[8]; /* foreign card: ISO 3166 three letters */
	char birth[9];       /* YYYYMMDD */
	char address[224];
	char id_number[40]; /* ID number, or the foreign card's number */
	char authority[96];
	char valid_from[9];
	char valid_to[9];     /* YYYYMMDD; "" when long-term (长期) */
	char pass_number[24]; /* residence permit: the pass (通行证) number */
	char issue_count[8];  /* residence permit */
};

enum sam_text_result {
	SAM_TEXT_OK = 0,
	SAM_TEXT_UNKNOWN_KIND, /* the character at 248 names no layout we know */
	SAM_TEXT_BAD,          /* not UTF-16LE, or a field that is malformed */
};

/* Parses text (SAM_TEXT_LEN bytes) into *out (zeroed first). */
enum sam_text_result sam_text_parse(const uint8_t *text, struct sam_person *out);

/* The name of a GB/T 2261.1 sex code ("男"), or NULL when unknown. */
const char *sam_sex_name(const char *code);

/* The name of a GB 3304 nation code ("汉", "其他", "外国血统"), or NULL when unknown. */
const char *sam_nation_name(const char *code);

#endif
