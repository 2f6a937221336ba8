/* fees.c — validation of a hall's fee sections and itemised quotes. */
#include "fees.h"

#include <string.h>

static const char *const key_names[FEE_KEY_COUNT] = {
    [FEE_CERT_YEAR] = "cert_year",
    [FEE_CERT_FIRST_YEAR] = "cert_first_year",
    [FEE_CERT_4YEARS] = "cert_4years",
    [FEE_SEAL_YEAR] = "seal_year",
    [FEE_SEAL_FIRST_YEAR] = "seal_first_year",
    [FEE_SEAL_4YEARS] = "seal_4years",
    [FEE_CERT] = "cert",
    [FEE_SEAL] = "seal",
    [FEE_SEAL_NAME] = "seal_name",
    [FEE_SEAL_LEGAL_PERSON] = "seal_legal_person",
    [FEE_SEAL_TEMPLATE] = "seal_template",
};

#define BIT(k) (1u << (k))
#define YEARLY                                                                                     \
	(BIT(FEE_CERT_YEAR) | BIT(FEE_CERT_FIRST_YEAR) | BIT(FEE_CERT_4YEARS) |                    \
	 BIT(FEE_SEAL_YEAR) | BIT(FEE_SEAL_FIRST_YEAR) | BIT(FEE_SEAL_4YEARS))

/* Which keys each business's section may hold. Check and revocation are free by
 * nature and have no section. */
static const unsigned allowed_keys[BIZ_COUNT] = {
    [BIZ_NEW] = YEARLY,
    [BIZ_RENEW] = YEARLY,
    [BIZ_REISSUE] = BIT(FEE_CERT) | BIT(FEE_SEAL),
    [BIZ_CHANGE] =
        BIT(FEE_CERT) | BIT(FEE_SEAL_NAME) | BIT(FEE_SEAL_LEGAL_PERSON) | BIT(FEE_SEAL_TEMPLATE),
    [BIZ_UNLOCK] = BIT(FEE_CERT),
    [BIZ_EXCHANGE] = BIT(FEE_CERT) | BIT(FEE_SEAL),
};

static const enum fee_key change_keys[CHANGE_COUNT] = {
    [CHANGE_NAME] = FEE_SEAL_NAME,
    [CHANGE_LEGAL_PERSON] = FEE_SEAL_LEGAL_PERSON,
    [CHANGE_SEAL_TEMPLATE] = FEE_SEAL_TEMPLATE,
};

const char *fees_key_name(enum fee_key key)
{
	return (int)key >= 0 && key < FEE_KEY_COUNT ? key_names[key] : "?";
}

int fees_key_from_name(const char *name)
{
	for (int k = 0; name && k < FEE_KEY_COUNT; k++)
		if (strcmp(key_names[k], name) == 0)
			return k;
	return -1;
}

int fees_key_allowed(enum business biz, enum fee_key key)
{
	return (int)biz >= 0 && biz < BIZ_COUNT && (int)key >= 0 && key < FEE_KEY_COUNT &&
	       (allowed_keys[biz] & BIT(key));
}

static int has(const struct fee_section *s, enum fee_key k)
{
	return s->price[k].set;
}

int fees_section_check(enum business biz, const struct fee_section *s, struct kerr *err)
{
	switch (biz) {
	case BIZ_NEW:
	case BIZ_RENEW:
		if (has(s, FEE_CERT_YEAR) == has(s, FEE_CERT_FIRST_YEAR))
			return kerr_set(err, KR_CONFIG,
			                "needs exactly one of cert_year and cert_first_year");
		if (has(s, FEE_SEAL_YEAR) == has(s, FEE_SEAL_FIRST_YEAR))
			return kerr_set(err, KR_CONFIG,
			                "needs exactly one of seal_year and seal_first_year");
		return KR_OK;
	case BIZ_REISSUE:
	case BIZ_EXCHANGE:
		if (!has(s, FEE_CERT))
			return kerr_set(err, KR_CONFIG, "missing key cert");
		if (!has(s, FEE_SEAL))
			return kerr_set(err, KR_CONFIG, "missing key seal");
		return KR_OK;
	case BIZ_CHANGE:
		if (!has(s, FEE_CERT))
			return kerr_set(err, KR_CONFIG, "missing key cert");
		if (!has(s, FEE_SEAL_NAME) && !has(s, FEE_SEAL_LEGAL_PERSON) &&
		    !has(s, FEE_SEAL_TEMPLATE))
			return kerr_set(
			    err, KR_CONFIG,
			    "prices no change (seal_name, seal_legal_person, seal_template)");
		return KR_OK;
	case BIZ_UNLOCK:
		if (!has(s, FEE_CERT))
			return kerr_set(err, KR_CONFIG, "missing key cert");
		return KR_OK;
	default:
		return kerr_set(err, KR_CONFIG, "business %s takes no fees",
		                catalogue_business_id(biz));
	}
}

static const struct fee_section *section_of(const struct fee_table *t, enum business biz,
                                            enum holder holder)
{
	if ((int)biz < 0 || biz >= BIZ_COUNT || (int)holder < 0 || holder >= HOLDER_COUNT)
		return NULL;
	const struct fee_section *s = &t->section[holder][biz];
	return s->present ? s : NULL;
}

int fees_offered(const struct fee_table *t, enum business biz, enum holder holder)
{
	const struct recipe *r = catalogue_recipe(biz, holder);
	if (!r)
		return 0;
	return !r->charged || section_of(t, biz, holder) != NULL;
}

/* The price of `years` years from a per-year, first-year-only and 4-year-bundle key.
 * Returns 0 when no price exists for that many years. */
static int price_years(const struct fee_section *s, enum fee_key year, enum fee_key first,
                       enum fee_key bundle, int years, fen_t *fen, int *used_bundle)
{
	int have = 0;
	*used_bundle = 0;
	if (has(s, year)) {
		*fen = s->price[year].fen * years;
		have = 1;
	} else if (has(s, first) && years == 1) {
		*fen = s->price[first].fen;
		have = 1;
	}
	if (years == 4 && has(s, bundle) && (!have || s->price[bundle].fen < *fen)) {
		*fen = s->price[bundle].fen;
		*used_bundle = 1;
		have = 1;
	}
	return have;
}

int fees_years_offered(const struct fee_table *t, enum business biz, enum holder holder, int years)
{
	const struct fee_section *s = section_of(t, biz, holder);
	fen_t fen;
	int bundle;
	if (!s || years < 1 || years > t->years_max)
		return 0;
	return price_years(s, FEE_CERT_YEAR, FEE_CERT_FIRST_YEAR, FEE_CERT_4YEARS, years, &fen,
	                   &bundle);
}

static const char *const items[] = {"fee.cert", "fee.sub_key", "fee.seal", "fee.seal_change",
                                    "fee.unlock"};

const char *fees_item_key(const char *name)
{
	for (size_t k = 0; k < sizeof items / sizeof items[0]; k++)
		if (strcmp(items[k], name) == 0)
			return items[k];
	return NULL;
}

static void add_line(struct fee_quote *q, const char *key, int qty, int years, int bundle,
                     fen_t unit)
{
	struct fee_line *l = &q->line[q->nlines++];
	l->key = key;
	l->qty = qty;
	l->years = years;
	l->bundle = bundle;
	l->unit_fen = unit;
	l->total_fen = unit * qty;
	q->total_fen += l->total_fen;
}

/* A business priced once, not by the year: the certificate's line, then with seal the
 * seal's line (seal_key at seal_fen). */
static int once_lines(struct fee_quote *q, const struct fee_section *s, int seal,
                      const char *seal_key, fen_t seal_fen)
{
	add_line(q, "fee.cert", 1, 0, 0, s->price[FEE_CERT].fen);
	if (seal)
		add_line(q, seal_key, 1, 0, 0, seal_fen);
	return KR_OK;
}

static int quote(const struct fee_table *t, const struct fee_request *r, struct fee_quote *q)
{
	const struct recipe *rc = catalogue_recipe(r->biz, r->holder);
	if (!rc)
		return KR_NOT_OFFERED;
	if (r->seal && !rc->seal_option && r->biz != BIZ_EXCHANGE && r->biz != BIZ_CHANGE)
		return KR_INVALID;
	if (r->sub_keys < 0 || r->sub_keys > CATALOGUE_MAX_SUB_KEYS ||
	    (r->sub_keys > 0 && !rc->sub_keys_option))
		return KR_INVALID;
	if (!rc->charged)
		return KR_OK; /* free by nature: an empty quote */
	const struct fee_section *s = section_of(t, r->biz, r->holder);
	if (!s)
		return KR_NOT_OFFERED;

	fen_t fen;
	int bundle;
	switch (r->biz) {
	case BIZ_NEW:
	case BIZ_RENEW:
		if (r->years < 1 || r->years > t->years_max)
			return KR_INVALID;
		if (!price_years(s, FEE_CERT_YEAR, FEE_CERT_FIRST_YEAR, FEE_CERT_4YEARS, r->years,
		                 &fen, &bundle))
			return KR_NOT_OFFERED;
		add_line(q, "fee.cert", 1, r->years, bundle, fen);
		if (r->sub_keys)
			add_line(q, "fee.sub_key", r->sub_keys, r->years, bundle, fen);
		if (r->seal) {
			if (!price_years(s, FEE_SEAL_YEAR, FEE_SEAL_FIRST_YEAR, FEE_SEAL_4YEARS,
			                 r->years, &fen, &bundle))
				return KR_NOT_OFFERED;
			add_line(q, "fee.seal", 1, r->years, bundle, fen);
		}
		return KR_OK;
	case BIZ_REISSUE:
		return once_lines(q, s, r->seal, "fee.seal", s->price[FEE_SEAL].fen);
	case BIZ_EXCHANGE: /* the seal is always exchanged with the key */
		return once_lines(q, s, 1, "fee.seal", s->price[FEE_SEAL].fen);
	case BIZ_CHANGE: {
		if ((int)r->change < 0 || r->change >= CHANGE_COUNT)
			return KR_INVALID;
		enum fee_key k = change_keys[r->change];
		if (!has(s, k))
			return KR_NOT_OFFERED;
		return once_lines(q, s, r->seal, "fee.seal_change", s->price[k].fen);
	}
	case BIZ_UNLOCK:
		add_line(q, "fee.unlock", 1, 0, 0, s->price[FEE_CERT].fen);
		return KR_OK;
	default:
		return KR_NOT_OFFERED;
	}
}

int fees_quote(const struct fee_table *t, const struct fee_request *r, struct fee_quote *q)
{
	memset(q, 0, sizeof *q);
	int rc = quote(t, r, q);
	if (rc != KR_OK)
		memset(q, 0, sizeof *q);
	return rc;
}
