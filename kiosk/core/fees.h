/* fees.h — the hall's fee table and itemised quotes, in integer fen.
 *
 * A table has one section per (holder, business); a price that is absent is not
 * offered, never zero: free is written as 0 in the hall's file. */
#ifndef KIOSK_FEES_H
#define KIOSK_FEES_H

#include "catalogue.h"
#include "money.h"
#include "result.h"

enum fee_key {
	FEE_CERT_YEAR,       /* certificate, per year, any number of years */
	FEE_CERT_FIRST_YEAR, /* certificate, the first year only (首年) */
	FEE_CERT_4YEARS,     /* certificate, 4-year bundle (优惠) */
	FEE_SEAL_YEAR,
	FEE_SEAL_FIRST_YEAR,
	FEE_SEAL_4YEARS,
	FEE_CERT,              /* certificate, flat (reissue, change, unlock, exchange) */
	FEE_SEAL,              /* seal, flat (reissue, exchange) */
	FEE_SEAL_NAME,         /* seal re-made for a name change */
	FEE_SEAL_LEGAL_PERSON, /* seal re-made for a legal-person change */
	FEE_SEAL_TEMPLATE,     /* seal template (章模) change */
	FEE_KEY_COUNT
};

struct fee_price {
	int set; /* 0: absent (not offered) */
	fen_t fen;
};

struct fee_section {
	int present;
	struct fee_price price[FEE_KEY_COUNT];
};

struct fee_table {
	int years_max; /* longest validity sold at once */
	struct fee_section section[HOLDER_COUNT][BIZ_COUNT];
};

/* What the user asked for. */
struct fee_request {
	enum business biz;
	enum holder holder;
	int years;    /* for new and renewal */
	int seal;     /* 1: an e-seal on the main key */
	int sub_keys; /* extra keys without seal, new issuance only */
	enum change_kind change;
};

#define FEE_MAX_LINES 4

struct fee_line {
	const char *key; /* string key of the item, e.g. "fee.cert" */
	int qty;
	int years;  /* 0 when not priced by years */
	int bundle; /* 1 when the 4-year bundle price applies */
	fen_t unit_fen;
	fen_t total_fen;
};

struct fee_quote {
	struct fee_line line[FEE_MAX_LINES];
	int nlines;
	fen_t total_fen;
};

/* The string key of a quote's line item named name ("fee.seal"), as the quotes use it;
 * NULL when it is none of theirs. */
const char *fees_item_key(const char *name);

/* The name of a key in the hall's file ("cert_year"), and its reverse (-1: unknown). */
const char *fees_key_name(enum fee_key key);
int fees_key_from_name(const char *name);

/* Whether a hall's file may give this key for this business. */
int fees_key_allowed(enum business biz, enum fee_key key);

/* Checks that a present section prices what its business needs; on failure names the
 * missing key in err and returns KR_CONFIG. */
int fees_section_check(enum business biz, const struct fee_section *s, struct kerr *err);

/* Whether the table offers the business to the holder at all. */
int fees_offered(const struct fee_table *t, enum business biz, enum holder holder);

/* Whether a validity of `years` can be sold for the business (1..years_max, limited to
 * 1 and 4 where only first-year and bundle prices exist). */
int fees_years_offered(const struct fee_table *t, enum business biz, enum holder holder, int years);

/* Itemises what the request costs. Returns KR_OK and fills q; KR_NOT_OFFERED when the
 * table has no price for something asked; KR_INVALID when the request breaks a rule
 * (years out of range, a seal or sub-keys where none may be ordered, more than two
 * sub-keys). q is zeroed on failure. */
int fees_quote(const struct fee_table *t, const struct fee_request *r, struct fee_quote *q);

#endif
