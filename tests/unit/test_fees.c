/* test_fees.c — the two halls' fee tables (DOMAIN.md), known quotes and properties
 * over every request. */
#include "check.h"
#include "core/fees.h"

#define Y(yuan) ((fen_t)(yuan)*100)

static struct fee_section *sec(struct fee_table *t, enum holder h, enum business b)
{
	t->section[h][b].present = 1;
	return &t->section[h][b];
}

static void put(struct fee_section *s, enum fee_key k, int yuan)
{
	s->price[k].set = 1;
	s->price[k].fen = Y(yuan);
}

static void taicang(struct fee_table *t)
{
	struct fee_section *s;
	memset(t, 0, sizeof *t);
	t->years_max = 4;

	s = sec(t, HOLDER_UNIT, BIZ_NEW);
	put(s, FEE_CERT_YEAR, 150);
	put(s, FEE_SEAL_YEAR, 100);
	put(s, FEE_CERT_4YEARS, 350);
	put(s, FEE_SEAL_4YEARS, 350);
	s = sec(t, HOLDER_UNIT, BIZ_RENEW);
	put(s, FEE_CERT_YEAR, 100);
	put(s, FEE_SEAL_YEAR, 100);
	put(s, FEE_CERT_4YEARS, 350);
	put(s, FEE_SEAL_4YEARS, 350);
	s = sec(t, HOLDER_UNIT, BIZ_REISSUE);
	put(s, FEE_CERT, 50);
	put(s, FEE_SEAL, 80);
	s = sec(t, HOLDER_UNIT, BIZ_CHANGE);
	put(s, FEE_CERT, 0);
	put(s, FEE_SEAL_NAME, 80);
	put(s, FEE_SEAL_LEGAL_PERSON, 50);
	put(s, FEE_SEAL_TEMPLATE, 50);
	s = sec(t, HOLDER_UNIT, BIZ_UNLOCK);
	put(s, FEE_CERT, 0);
	s = sec(t, HOLDER_UNIT, BIZ_EXCHANGE);
	put(s, FEE_CERT, 0);
	put(s, FEE_SEAL, 0);

	s = sec(t, HOLDER_PERSON, BIZ_NEW);
	put(s, FEE_CERT_YEAR, 70);
	put(s, FEE_SEAL_YEAR, 50);
	s = sec(t, HOLDER_PERSON, BIZ_RENEW);
	put(s, FEE_CERT_YEAR, 20);
	put(s, FEE_SEAL_YEAR, 50);
	s = sec(t, HOLDER_PERSON, BIZ_REISSUE);
	put(s, FEE_CERT, 50);
	put(s, FEE_SEAL, 50);
	s = sec(t, HOLDER_PERSON, BIZ_CHANGE);
	put(s, FEE_CERT, 0);
	put(s, FEE_SEAL_NAME, 50);
	put(s, FEE_SEAL_TEMPLATE, 50);
	s = sec(t, HOLDER_PERSON, BIZ_UNLOCK);
	put(s, FEE_CERT, 0);
	s = sec(t, HOLDER_PERSON, BIZ_EXCHANGE);
	put(s, FEE_CERT, 0);
	put(s, FEE_SEAL, 0);
}

static void nantong(struct fee_table *t)
{
	struct fee_section *s;
	memset(t, 0, sizeof *t);
	t->years_max = 4;

	s = sec(t, HOLDER_UNIT, BIZ_NEW);
	put(s, FEE_CERT_FIRST_YEAR, 150);
	put(s, FEE_SEAL_FIRST_YEAR, 100);
	put(s, FEE_CERT_4YEARS, 350);
	put(s, FEE_SEAL_4YEARS, 350);
	s = sec(t, HOLDER_UNIT, BIZ_RENEW);
	put(s, FEE_CERT_YEAR, 100);
	put(s, FEE_SEAL_YEAR, 100);
	put(s, FEE_CERT_4YEARS, 350);
	put(s, FEE_SEAL_4YEARS, 350);
	s = sec(t, HOLDER_UNIT, BIZ_REISSUE);
	put(s, FEE_CERT, 50);
	put(s, FEE_SEAL, 100);
	s = sec(t, HOLDER_UNIT, BIZ_CHANGE);
	put(s, FEE_CERT, 0);
	put(s, FEE_SEAL_NAME, 0);
	put(s, FEE_SEAL_LEGAL_PERSON, 0);
	put(s, FEE_SEAL_TEMPLATE, 0);
	s = sec(t, HOLDER_UNIT, BIZ_UNLOCK);
	put(s, FEE_CERT, 0);

	s = sec(t, HOLDER_PERSON, BIZ_NEW);
	put(s, FEE_CERT_FIRST_YEAR, 70);
	put(s, FEE_SEAL_FIRST_YEAR, 50);
	s = sec(t, HOLDER_PERSON, BIZ_RENEW);
	put(s, FEE_CERT_YEAR, 20);
	put(s, FEE_SEAL_YEAR, 50);
	s = sec(t, HOLDER_PERSON, BIZ_REISSUE);
	put(s, FEE_CERT, 50);
	put(s, FEE_SEAL, 50);
	s = sec(t, HOLDER_PERSON, BIZ_CHANGE);
	put(s, FEE_CERT, 0);
	put(s, FEE_SEAL_NAME, 0);
	put(s, FEE_SEAL_TEMPLATE, 0);
	s = sec(t, HOLDER_PERSON, BIZ_UNLOCK);
	put(s, FEE_CERT, 0);
}

/* Not a real hall: a table that exercises what the two halls do not — a bundle dearer
 * than four single years (never to be used), mixed first-year and per-year keys, a
 * longer years_max, priced unlock and exchange. */
static void odd(struct fee_table *t)
{
	struct fee_section *s;
	memset(t, 0, sizeof *t);
	t->years_max = 6;

	s = sec(t, HOLDER_UNIT, BIZ_NEW);
	put(s, FEE_CERT_YEAR, 50);
	put(s, FEE_CERT_4YEARS, 350); /* dearer than 4 x 50 */
	put(s, FEE_SEAL_YEAR, 10);
	put(s, FEE_SEAL_4YEARS, 30); /* cheaper than 4 x 10 */
	s = sec(t, HOLDER_PERSON, BIZ_NEW);
	put(s, FEE_CERT_FIRST_YEAR, 20);
	put(s, FEE_SEAL_YEAR, 5);
	s = sec(t, HOLDER_UNIT, BIZ_RENEW);
	put(s, FEE_CERT_YEAR, 30);
	put(s, FEE_SEAL_FIRST_YEAR, 7);
	s = sec(t, HOLDER_PERSON, BIZ_RENEW);
	put(s, FEE_CERT_YEAR, 1);
	put(s, FEE_SEAL_YEAR, 1);
	put(s, FEE_CERT_4YEARS, 3);
	put(s, FEE_SEAL_4YEARS, 3);
	s = sec(t, HOLDER_UNIT, BIZ_REISSUE);
	put(s, FEE_CERT, 10);
	put(s, FEE_SEAL, 20);
	s = sec(t, HOLDER_PERSON, BIZ_REISSUE);
	put(s, FEE_CERT, 0);
	put(s, FEE_SEAL, 0);
	s = sec(t, HOLDER_UNIT, BIZ_CHANGE);
	put(s, FEE_CERT, 5);
	put(s, FEE_SEAL_LEGAL_PERSON, 15);
	s = sec(t, HOLDER_PERSON, BIZ_CHANGE);
	put(s, FEE_CERT, 0);
	put(s, FEE_SEAL_TEMPLATE, 1);
	s = sec(t, HOLDER_UNIT, BIZ_UNLOCK);
	put(s, FEE_CERT, 3);
	s = sec(t, HOLDER_PERSON, BIZ_EXCHANGE);
	put(s, FEE_CERT, 1);
	put(s, FEE_SEAL, 1);
}

static struct fee_table tc, nt, od;

static struct fee_request req(enum business b, enum holder h, int years, int seal, int sub,
                              enum change_kind ch)
{
	struct fee_request r = {
	    .biz = b, .holder = h, .years = years, .seal = seal, .sub_keys = sub, .change = ch};
	return r;
}

/* Quotes r against t and returns the result; the total goes to *total (-1 on failure). */
static int q_total(const struct fee_table *t, struct fee_request r, fen_t *total,
                   struct fee_quote *out)
{
	struct fee_quote q;
	memset(&q, 0x5a, sizeof q); /* garbage: the callee must zero it */
	int rc = fees_quote(t, &r, &q);
	*total = rc == KR_OK ? q.total_fen : -1;
	if (out)
		*out = q;
	return rc;
}

#define QUOTE_IS(t, r, yuan_fen)                                                                   \
	do {                                                                                       \
		fen_t tot_;                                                                        \
		CHECK_INT(q_total((t), (r), &tot_, NULL), KR_OK);                                  \
		CHECK_INT(tot_, (yuan_fen));                                                       \
	} while (0)

#define QUOTE_FAILS(t, r, kr)                                                                      \
	do {                                                                                       \
		fen_t tot_;                                                                        \
		struct fee_quote q_;                                                               \
		CHECK_INT(q_total((t), (r), &tot_, &q_), (kr));                                    \
		CHECK_INT(q_.nlines, 0);                                                           \
		CHECK_INT(q_.total_fen, 0);                                                        \
	} while (0)

static const struct fee_line *find_line(const struct fee_quote *q, const char *key)
{
	for (int i = 0; i < q->nlines; i++)
		if (q->line[i].key && strcmp(q->line[i].key, key) == 0)
			return &q->line[i];
	return NULL;
}

static void test_known_taicang(void)
{
	struct fee_quote q;
	fen_t tot;
	const struct fee_line *l;

	/* unit new */
	QUOTE_IS(&tc, req(BIZ_NEW, HOLDER_UNIT, 1, 0, 0, 0), Y(150));
	QUOTE_IS(&tc, req(BIZ_NEW, HOLDER_UNIT, 1, 1, 0, 0), Y(250));
	QUOTE_IS(&tc, req(BIZ_NEW, HOLDER_UNIT, 2, 1, 0, 0), Y(500));
	QUOTE_IS(&tc, req(BIZ_NEW, HOLDER_UNIT, 3, 1, 0, 0), Y(750));
	QUOTE_IS(&tc, req(BIZ_NEW, HOLDER_UNIT, 4, 0, 0, 0), Y(350));
	CHECK_INT(q_total(&tc, req(BIZ_NEW, HOLDER_UNIT, 4, 1, 0, 0), &tot, &q), KR_OK);
	CHECK_INT(tot, Y(700));
	CHECK_INT(q.nlines, 2);
	l = find_line(&q, "fee.cert");
	CHECK(l && l->bundle == 1 && l->years == 4 && l->unit_fen == Y(350) && l->qty == 1);
	l = find_line(&q, "fee.seal");
	CHECK(l && l->bundle == 1 && l->years == 4 && l->unit_fen == Y(350) && l->qty == 1);
	CHECK_INT(q_total(&tc, req(BIZ_NEW, HOLDER_UNIT, 2, 1, 0, 0), &tot, &q), KR_OK);
	l = find_line(&q, "fee.cert");
	CHECK(l && l->bundle == 0 && l->years == 2 && l->total_fen == Y(300));

	/* sub-keys: each costs what the main certificate costs, none carries a seal */
	CHECK_INT(q_total(&tc, req(BIZ_NEW, HOLDER_UNIT, 1, 1, 2, 0), &tot, &q), KR_OK);
	CHECK_INT(tot, Y(150) + 2 * Y(150) + Y(100));
	CHECK_INT(q.nlines, 3);
	l = find_line(&q, "fee.sub_key");
	CHECK(l && l->qty == 2 && l->unit_fen == Y(150) && l->total_fen == Y(300));
	l = find_line(&q, "fee.seal");
	CHECK(l && l->qty == 1);
	QUOTE_IS(&tc, req(BIZ_NEW, HOLDER_UNIT, 1, 0, 1, 0), Y(300));
	QUOTE_IS(&tc, req(BIZ_NEW, HOLDER_UNIT, 4, 1, 2, 0), 3 * Y(350) + Y(350));
	QUOTE_FAILS(&tc, req(BIZ_NEW, HOLDER_UNIT, 1, 1, 3, 0), KR_INVALID);
	QUOTE_FAILS(&tc, req(BIZ_NEW, HOLDER_UNIT, 1, 1, -1, 0), KR_INVALID);
	QUOTE_FAILS(&tc, req(BIZ_NEW, HOLDER_PERSON, 1, 1, 1, 0), KR_INVALID);
	QUOTE_FAILS(&tc, req(BIZ_RENEW, HOLDER_UNIT, 1, 1, 1, 0), KR_INVALID);
	QUOTE_FAILS(&tc, req(BIZ_REISSUE, HOLDER_UNIT, 0, 1, 1, 0), KR_INVALID);

	/* years out of range */
	QUOTE_FAILS(&tc, req(BIZ_NEW, HOLDER_UNIT, 0, 1, 0, 0), KR_INVALID);
	QUOTE_FAILS(&tc, req(BIZ_NEW, HOLDER_UNIT, 5, 1, 0, 0), KR_INVALID);
	QUOTE_FAILS(&tc, req(BIZ_NEW, HOLDER_UNIT, -1, 1, 0, 0), KR_INVALID);
	QUOTE_FAILS(&tc, req(BIZ_RENEW, HOLDER_PERSON, 5, 0, 0, 0), KR_INVALID);

	/* person new: per year, no bundle */
	QUOTE_IS(&tc, req(BIZ_NEW, HOLDER_PERSON, 1, 0, 0, 0), Y(70));
	QUOTE_IS(&tc, req(BIZ_NEW, HOLDER_PERSON, 1, 1, 0, 0), Y(120));
	QUOTE_IS(&tc, req(BIZ_NEW, HOLDER_PERSON, 4, 1, 0, 0), Y(480));

	/* renewal */
	QUOTE_IS(&tc, req(BIZ_RENEW, HOLDER_UNIT, 1, 0, 0, 0), Y(100));
	QUOTE_IS(&tc, req(BIZ_RENEW, HOLDER_UNIT, 1, 1, 0, 0), Y(200));
	QUOTE_IS(&tc, req(BIZ_RENEW, HOLDER_UNIT, 3, 1, 0, 0), Y(600));
	QUOTE_IS(&tc, req(BIZ_RENEW, HOLDER_UNIT, 4, 1, 0, 0), Y(700));
	QUOTE_IS(&tc, req(BIZ_RENEW, HOLDER_PERSON, 1, 1, 0, 0), Y(70));
	QUOTE_IS(&tc, req(BIZ_RENEW, HOLDER_PERSON, 3, 0, 0, 0), Y(60));
	QUOTE_IS(&tc, req(BIZ_RENEW, HOLDER_PERSON, 4, 1, 0, 0), Y(280));

	/* reissue */
	QUOTE_IS(&tc, req(BIZ_REISSUE, HOLDER_UNIT, 0, 0, 0, 0), Y(50));
	QUOTE_IS(&tc, req(BIZ_REISSUE, HOLDER_UNIT, 0, 1, 0, 0), Y(130));
	QUOTE_IS(&tc, req(BIZ_REISSUE, HOLDER_PERSON, 0, 1, 0, 0), Y(100));

	/* change: the certificate is free, the seal priced by kind */
	QUOTE_IS(&tc, req(BIZ_CHANGE, HOLDER_UNIT, 0, 0, 0, CHANGE_NAME), 0);
	QUOTE_IS(&tc, req(BIZ_CHANGE, HOLDER_UNIT, 0, 1, 0, CHANGE_NAME), Y(80));
	QUOTE_IS(&tc, req(BIZ_CHANGE, HOLDER_UNIT, 0, 1, 0, CHANGE_LEGAL_PERSON), Y(50));
	QUOTE_IS(&tc, req(BIZ_CHANGE, HOLDER_UNIT, 0, 1, 0, CHANGE_SEAL_TEMPLATE), Y(50));
	QUOTE_IS(&tc, req(BIZ_CHANGE, HOLDER_UNIT, 0, 0, 0, CHANGE_SEAL_TEMPLATE), 0);
	CHECK_INT(q_total(&tc, req(BIZ_CHANGE, HOLDER_UNIT, 0, 1, 0, CHANGE_NAME), &tot, &q),
	          KR_OK);
	CHECK_INT(q.nlines, 2);
	CHECK(find_line(&q, "fee.cert") != NULL);
	l = find_line(&q, "fee.seal_change");
	CHECK(l && l->total_fen == Y(80));
	CHECK_INT(q_total(&tc, req(BIZ_CHANGE, HOLDER_UNIT, 0, 0, 0, CHANGE_NAME), &tot, &q),
	          KR_OK);
	CHECK_INT(q.nlines, 1);
	QUOTE_IS(&tc, req(BIZ_CHANGE, HOLDER_PERSON, 0, 1, 0, CHANGE_NAME), Y(50));
	QUOTE_IS(&tc, req(BIZ_CHANGE, HOLDER_PERSON, 0, 1, 0, CHANGE_SEAL_TEMPLATE), Y(50));
	QUOTE_FAILS(&tc, req(BIZ_CHANGE, HOLDER_PERSON, 0, 1, 0, CHANGE_LEGAL_PERSON),
	            KR_NOT_OFFERED);
	QUOTE_FAILS(&tc, req(BIZ_CHANGE, HOLDER_UNIT, 0, 1, 0, CHANGE_COUNT), KR_INVALID);
	QUOTE_FAILS(&tc, req(BIZ_CHANGE, HOLDER_UNIT, 0, 1, 0, (enum change_kind) - 1), KR_INVALID);

	/* unlock and exchange are free */
	CHECK_INT(q_total(&tc, req(BIZ_UNLOCK, HOLDER_UNIT, 0, 0, 0, 0), &tot, &q), KR_OK);
	CHECK_INT(tot, 0);
	CHECK_INT(q.nlines, 1);
	QUOTE_IS(&tc, req(BIZ_UNLOCK, HOLDER_PERSON, 0, 0, 0, 0), 0);
	QUOTE_FAILS(&tc, req(BIZ_UNLOCK, HOLDER_UNIT, 0, 1, 0, 0), KR_INVALID);
	CHECK_INT(q_total(&tc, req(BIZ_EXCHANGE, HOLDER_UNIT, 0, 1, 0, 0), &tot, &q), KR_OK);
	CHECK_INT(tot, 0);
	CHECK(find_line(&q, "fee.cert") != NULL);
	CHECK(find_line(&q, "fee.seal") != NULL);
	QUOTE_IS(&tc, req(BIZ_EXCHANGE, HOLDER_PERSON, 0, 1, 0, 0), 0);

	/* free by nature */
	CHECK_INT(q_total(&tc, req(BIZ_CHECK, HOLDER_UNIT, 0, 0, 0, 0), &tot, &q), KR_OK);
	CHECK_INT(tot, 0);
	CHECK_INT(q.nlines, 0);
	QUOTE_IS(&tc, req(BIZ_REVOKE, HOLDER_PERSON, 0, 0, 0, 0), 0);
	QUOTE_FAILS(&tc, req(BIZ_CHECK, HOLDER_UNIT, 0, 1, 0, 0), KR_INVALID);
	QUOTE_FAILS(&tc, req(BIZ_REVOKE, HOLDER_UNIT, 0, 0, 1, 0), KR_INVALID);

	/* out-of-range business or holder */
	QUOTE_FAILS(&tc, req(BIZ_COUNT, HOLDER_UNIT, 1, 0, 0, 0), KR_NOT_OFFERED);
	QUOTE_FAILS(&tc, req(BIZ_NEW, HOLDER_COUNT, 1, 0, 0, 0), KR_NOT_OFFERED);
}

static void test_known_nantong(void)
{
	/* new: first year or the 4-year bundle only */
	QUOTE_IS(&nt, req(BIZ_NEW, HOLDER_UNIT, 1, 0, 0, 0), Y(150));
	QUOTE_IS(&nt, req(BIZ_NEW, HOLDER_UNIT, 1, 1, 0, 0), Y(250));
	QUOTE_FAILS(&nt, req(BIZ_NEW, HOLDER_UNIT, 2, 1, 0, 0), KR_NOT_OFFERED);
	QUOTE_FAILS(&nt, req(BIZ_NEW, HOLDER_UNIT, 2, 0, 0, 0), KR_NOT_OFFERED);
	QUOTE_FAILS(&nt, req(BIZ_NEW, HOLDER_UNIT, 3, 1, 0, 0), KR_NOT_OFFERED);
	QUOTE_IS(&nt, req(BIZ_NEW, HOLDER_UNIT, 4, 1, 0, 0), Y(700));
	QUOTE_IS(&nt, req(BIZ_NEW, HOLDER_UNIT, 4, 1, 2, 0), 3 * Y(350) + Y(350));
	QUOTE_IS(&nt, req(BIZ_NEW, HOLDER_UNIT, 1, 1, 2, 0), 3 * Y(150) + Y(100));
	QUOTE_IS(&nt, req(BIZ_NEW, HOLDER_PERSON, 1, 1, 0, 0), Y(120));
	QUOTE_FAILS(&nt, req(BIZ_NEW, HOLDER_PERSON, 2, 1, 0, 0), KR_NOT_OFFERED);
	QUOTE_FAILS(&nt, req(BIZ_NEW, HOLDER_PERSON, 4, 1, 0, 0), KR_NOT_OFFERED);
	QUOTE_FAILS(&nt, req(BIZ_NEW, HOLDER_UNIT, 5, 1, 0, 0), KR_INVALID);

	CHECK(fees_years_offered(&nt, BIZ_NEW, HOLDER_UNIT, 1));
	CHECK(!fees_years_offered(&nt, BIZ_NEW, HOLDER_UNIT, 2));
	CHECK(!fees_years_offered(&nt, BIZ_NEW, HOLDER_UNIT, 3));
	CHECK(fees_years_offered(&nt, BIZ_NEW, HOLDER_UNIT, 4));
	CHECK(!fees_years_offered(&nt, BIZ_NEW, HOLDER_UNIT, 5));
	CHECK(!fees_years_offered(&nt, BIZ_NEW, HOLDER_UNIT, 0));
	for (int y = 1; y <= 4; y++)
		CHECK(fees_years_offered(&tc, BIZ_NEW, HOLDER_UNIT, y));
	CHECK(!fees_years_offered(&tc, BIZ_NEW, HOLDER_UNIT, 5));
	CHECK(!fees_years_offered(&tc, BIZ_REISSUE, HOLDER_UNIT, 1));
	CHECK(!fees_years_offered(&nt, BIZ_EXCHANGE, HOLDER_UNIT, 1));

	/* renewal like Taicang */
	QUOTE_IS(&nt, req(BIZ_RENEW, HOLDER_UNIT, 2, 1, 0, 0), Y(400));
	QUOTE_IS(&nt, req(BIZ_RENEW, HOLDER_UNIT, 4, 1, 0, 0), Y(700));
	QUOTE_IS(&nt, req(BIZ_RENEW, HOLDER_PERSON, 2, 1, 0, 0), Y(140));

	/* reissue: the seal costs more here */
	QUOTE_IS(&nt, req(BIZ_REISSUE, HOLDER_UNIT, 0, 1, 0, 0), Y(150));
	QUOTE_IS(&nt, req(BIZ_REISSUE, HOLDER_UNIT, 0, 0, 0, 0), Y(50));
	QUOTE_IS(&nt, req(BIZ_REISSUE, HOLDER_PERSON, 0, 1, 0, 0), Y(100));

	/* change is free, with or without seal */
	for (int k = 0; k < CHANGE_COUNT; k++) {
		QUOTE_IS(&nt, req(BIZ_CHANGE, HOLDER_UNIT, 0, 1, 0, (enum change_kind)k), 0);
		QUOTE_IS(&nt, req(BIZ_CHANGE, HOLDER_UNIT, 0, 0, 0, (enum change_kind)k), 0);
	}
	QUOTE_IS(&nt, req(BIZ_CHANGE, HOLDER_PERSON, 0, 1, 0, CHANGE_NAME), 0);
	QUOTE_FAILS(&nt, req(BIZ_CHANGE, HOLDER_PERSON, 0, 1, 0, CHANGE_LEGAL_PERSON),
	            KR_NOT_OFFERED);

	QUOTE_IS(&nt, req(BIZ_UNLOCK, HOLDER_UNIT, 0, 0, 0, 0), 0);
	QUOTE_IS(&nt, req(BIZ_UNLOCK, HOLDER_PERSON, 0, 0, 0, 0), 0);

	/* no exchange section */
	QUOTE_FAILS(&nt, req(BIZ_EXCHANGE, HOLDER_UNIT, 0, 1, 0, 0), KR_NOT_OFFERED);
	QUOTE_FAILS(&nt, req(BIZ_EXCHANGE, HOLDER_PERSON, 0, 0, 0, 0), KR_NOT_OFFERED);
	CHECK(!fees_offered(&nt, BIZ_EXCHANGE, HOLDER_UNIT));
	CHECK(!fees_offered(&nt, BIZ_EXCHANGE, HOLDER_PERSON));
	CHECK(fees_offered(&tc, BIZ_EXCHANGE, HOLDER_UNIT));
	/* free by nature needs no section */
	CHECK(fees_offered(&nt, BIZ_CHECK, HOLDER_UNIT));
	CHECK(fees_offered(&nt, BIZ_REVOKE, HOLDER_PERSON));
	CHECK(!fees_offered(&nt, BIZ_COUNT, HOLDER_UNIT));
	QUOTE_IS(&nt, req(BIZ_CHECK, HOLDER_PERSON, 0, 0, 0, 0), 0);
}

static void test_known_odd(void)
{
	struct fee_quote q;
	fen_t tot;
	const struct fee_line *l;

	/* four years: the dear certificate bundle is not used, the cheap seal bundle is */
	CHECK_INT(q_total(&od, req(BIZ_NEW, HOLDER_UNIT, 4, 1, 0, 0), &tot, &q), KR_OK);
	CHECK_INT(tot, Y(200) + Y(30));
	l = find_line(&q, "fee.cert");
	CHECK(l && l->bundle == 0 && l->years == 4 && l->total_fen == Y(200));
	l = find_line(&q, "fee.seal");
	CHECK(l && l->bundle == 1 && l->years == 4 && l->total_fen == Y(30));
	QUOTE_IS(&od, req(BIZ_NEW, HOLDER_UNIT, 4, 1, 2, 0), 3 * Y(200) + Y(30));
	QUOTE_IS(&od, req(BIZ_NEW, HOLDER_UNIT, 5, 1, 0, 0), Y(250) + Y(50));
	QUOTE_IS(&od, req(BIZ_NEW, HOLDER_UNIT, 6, 1, 1, 0), 2 * Y(300) + Y(60));
	QUOTE_FAILS(&od, req(BIZ_NEW, HOLDER_UNIT, 7, 1, 0, 0), KR_INVALID);
	CHECK(fees_years_offered(&od, BIZ_NEW, HOLDER_UNIT, 6));
	CHECK(!fees_years_offered(&od, BIZ_NEW, HOLDER_UNIT, 7));

	/* mixed first-year and per-year keys */
	QUOTE_IS(&od, req(BIZ_NEW, HOLDER_PERSON, 1, 1, 0, 0), Y(25));
	QUOTE_FAILS(&od, req(BIZ_NEW, HOLDER_PERSON, 2, 1, 0, 0), KR_NOT_OFFERED);
	QUOTE_IS(&od, req(BIZ_RENEW, HOLDER_UNIT, 1, 1, 0, 0), Y(37));
	QUOTE_IS(&od, req(BIZ_RENEW, HOLDER_UNIT, 2, 0, 0, 0), Y(60));
	QUOTE_FAILS(&od, req(BIZ_RENEW, HOLDER_UNIT, 2, 1, 0, 0), KR_NOT_OFFERED);
	QUOTE_IS(&od, req(BIZ_RENEW, HOLDER_PERSON, 4, 1, 0, 0), Y(6));

	/* change: only the kinds priced; the certificate price is charged too */
	QUOTE_FAILS(&od, req(BIZ_CHANGE, HOLDER_UNIT, 0, 1, 0, CHANGE_NAME), KR_NOT_OFFERED);
	QUOTE_FAILS(&od, req(BIZ_CHANGE, HOLDER_UNIT, 0, 0, 0, CHANGE_NAME), KR_NOT_OFFERED);
	QUOTE_IS(&od, req(BIZ_CHANGE, HOLDER_UNIT, 0, 1, 0, CHANGE_LEGAL_PERSON), Y(20));
	QUOTE_IS(&od, req(BIZ_CHANGE, HOLDER_UNIT, 0, 0, 0, CHANGE_LEGAL_PERSON), Y(5));

	QUOTE_IS(&od, req(BIZ_UNLOCK, HOLDER_UNIT, 0, 0, 0, 0), Y(3));
	QUOTE_FAILS(&od, req(BIZ_UNLOCK, HOLDER_PERSON, 0, 0, 0, 0), KR_NOT_OFFERED);
	QUOTE_FAILS(&od, req(BIZ_EXCHANGE, HOLDER_UNIT, 0, 1, 0, 0), KR_NOT_OFFERED);
	QUOTE_IS(&od, req(BIZ_EXCHANGE, HOLDER_PERSON, 0, 0, 0, 0), Y(2));
	QUOTE_IS(&od, req(BIZ_REISSUE, HOLDER_UNIT, 0, 1, 0, 0), Y(30));
}

static int is_seal_line(const struct fee_line *l)
{
	return strncmp(l->key, "fee.seal", 8) == 0;
}

static void test_properties(void)
{
	const struct fee_table *tables[3] = {&tc, &nt, &od};
	int ok = 0, sum_bad = 0, line_bad = 0, neg = 0, seals_bad = 0, shape_bad = 0;
	int sub_bad = 0, offered_bad = 0, free_bad = 0, bundle_bad = 0, zeroed_bad = 0;

	for (int ti = 0; ti < 3; ti++)
		for (int h = 0; h < HOLDER_COUNT; h++)
			for (int b = 0; b < BIZ_COUNT; b++)
				for (int y = 0; y <= 6; y++)
					for (int seal = 0; seal <= 1; seal++)
						for (int sub = 0; sub <= 3; sub++)
							for (int ch = 0; ch < CHANGE_COUNT; ch++) {
								const struct fee_table *t =
								    tables[ti];
								struct fee_request r =
								    req((enum business)b,
								        (enum holder)h, y, seal,
								        sub, (enum change_kind)ch);
								struct fee_quote q;
								memset(&q, 0x5a, sizeof q);
								int rc = fees_quote(t, &r, &q);
								const struct recipe *rc_ =
								    catalogue_recipe(r.biz,
								                     r.holder);

								if (rc != KR_OK) {
									if (q.nlines != 0 ||
									    q.total_fen != 0)
										zeroed_bad++;
									if ((b == BIZ_NEW ||
									     b == BIZ_RENEW) &&
									    seal == 0 && sub == 0 &&
									    fees_years_offered(
									        t, r.biz, r.holder,
									        y))
										offered_bad++;
									continue;
								}
								ok++;
								if (q.nlines < 0 ||
								    q.nlines > FEE_MAX_LINES) {
									shape_bad++;
									continue;
								}
								fen_t sum = 0;
								int seal_lines = 0, seal_qty = 0;
								for (int i = 0; i < q.nlines; i++) {
									const struct fee_line *l =
									    &q.line[i];
									sum += l->total_fen;
									if (l->total_fen !=
									    l->unit_fen * l->qty)
										line_bad++;
									if (l->unit_fen < 0 ||
									    l->total_fen < 0 ||
									    l->qty < 1)
										neg++;
									if (!l->key ||
									    strncmp(l->key, "fee.",
									            4) != 0)
										shape_bad++;
									else if (is_seal_line(l)) {
										seal_lines++;
										seal_qty += l->qty;
									}
									if (l->bundle &&
									    l->years != 4)
										shape_bad++;
								}
								if (sum != q.total_fen)
									sum_bad++;
								if (q.total_fen < 0)
									neg++;
								if (seal_lines > 1 ||
								    seal_qty > 1 + sub)
									seals_bad++;
								/* sub-keys: at most two, unit new
								 * issuance only */
								if (sub > CATALOGUE_MAX_SUB_KEYS ||
								    (sub > 0 &&
								     !(b == BIZ_NEW &&
								       h == HOLDER_UNIT)))
									sub_bad++;
								/* a seal is asked for only where
								 * one may be ordered */
								if (seal &&
								    !(rc_ && rc_->seal_option) &&
								    b != BIZ_CHANGE &&
								    b != BIZ_EXCHANGE)
									seals_bad++;
								if (b == BIZ_NEW ||
								    b == BIZ_RENEW) {
									if (!fees_years_offered(
									        t, r.biz, r.holder,
									        y))
										offered_bad++;
									if (y < 1 ||
									    y > t->years_max)
										offered_bad++;
								}
								if (b == BIZ_CHECK ||
								    b == BIZ_REVOKE) {
									if (q.nlines != 0 ||
									    q.total_fen != 0)
										free_bad++;
								}
								/* the 4-year bundle never costs
								 * more than four single years */
								if ((b == BIZ_NEW ||
								     b == BIZ_RENEW) &&
								    y == 1) {
									const struct fee_section
									    *s = &t->section[h][b];
									struct fee_request r4 = r;
									struct fee_quote q4;
									r4.years = 4;
									int rc4 =
									    fees_quote(t, &r4, &q4);
									if (s->price[FEE_CERT_YEAR]
									        .set &&
									    s->price
									        [FEE_CERT_4YEARS]
									            .set &&
									    rc4 != KR_OK)
										bundle_bad++;
									if (rc4 == KR_OK &&
									    q4.total_fen >
									        4 * q.total_fen)
										bundle_bad++;
									/* without a bundle, years
									 * are linear */
									int linear =
									    s->price[FEE_CERT_YEAR]
									        .set &&
									    !s->price
									         [FEE_CERT_4YEARS]
									             .set;
									if (seal)
										linear =
										    linear &&
										    s->price
										        [FEE_SEAL_YEAR]
										            .set &&
										    !s->price
										         [FEE_SEAL_4YEARS]
										             .set;
									if (linear) {
										for (int yy = 2;
										     yy <=
										     t->years_max;
										     yy++) {
											struct fee_request
											    ry = r;
											struct
											    fee_quote
											        qy;
											ry.years =
											    yy;
											if (fees_quote(
											        t,
											        &ry,
											        &qy) !=
											        KR_OK ||
											    qy.total_fen !=
											        yy *
											            q.total_fen)
												bundle_bad++;
										}
									}
								}
							}
	CHECK(ok > 100);
	CHECK_INT(zeroed_bad, 0);
	CHECK_INT(sum_bad, 0);
	CHECK_INT(line_bad, 0);
	CHECK_INT(neg, 0);
	CHECK_INT(seals_bad, 0);
	CHECK_INT(shape_bad, 0);
	CHECK_INT(sub_bad, 0);
	CHECK_INT(offered_bad, 0);
	CHECK_INT(free_bad, 0);
	CHECK_INT(bundle_bad, 0);

	/* years offered and a plain quote agree, both ways */
	int agree_bad = 0;
	for (int ti = 0; ti < 3; ti++)
		for (int h = 0; h < HOLDER_COUNT; h++)
			for (int b = BIZ_NEW; b <= BIZ_RENEW; b++)
				for (int y = -1; y <= 6; y++) {
					struct fee_request r =
					    req((enum business)b, (enum holder)h, y, 0, 0, 0);
					struct fee_quote q;
					int quoted = fees_quote(tables[ti], &r, &q) == KR_OK;
					int offered =
					    fees_years_offered(tables[ti], r.biz, r.holder, y) != 0;
					if (quoted != offered) {
						fprintf(stderr,
						        "table %d %s/%s %d years: quote %d, "
						        "offered %d\n",
						        ti, catalogue_holder_id(r.holder),
						        catalogue_business_id(r.biz), y, quoted,
						        offered);
						agree_bad++;
					}
				}
	CHECK_INT(agree_bad, 0);
}

static void test_section_check(void)
{
	struct kerr err;
	struct fee_section s;

	/* every section of both tables is well-formed, and holds only allowed keys */
	const struct fee_table *tables[3] = {&tc, &nt, &od};
	for (int ti = 0; ti < 3; ti++)
		for (int h = 0; h < HOLDER_COUNT; h++)
			for (int b = 0; b < BIZ_COUNT; b++) {
				const struct fee_section *p = &tables[ti]->section[h][b];
				if (!p->present)
					continue;
				err.msg[0] = '\0';
				int rc = fees_section_check((enum business)b, p, &err);
				if (rc != KR_OK)
					fprintf(stderr, "table %d %s/%s: %s\n", ti,
					        catalogue_holder_id((enum holder)h),
					        catalogue_business_id((enum business)b), err.msg);
				CHECK_INT(rc, KR_OK);
				for (int k = 0; k < FEE_KEY_COUNT; k++)
					if (p->price[k].set)
						CHECK(fees_key_allowed((enum business)b,
						                       (enum fee_key)k));
			}

	/* both per-year and first-year certificate prices */
	s = tc.section[HOLDER_UNIT][BIZ_NEW];
	put(&s, FEE_CERT_FIRST_YEAR, 150);
	err.msg[0] = '\0';
	CHECK_INT(fees_section_check(BIZ_NEW, &s, &err), KR_CONFIG);
	CHECK(strlen(err.msg) > 0);
	/* neither */
	s = tc.section[HOLDER_UNIT][BIZ_NEW];
	s.price[FEE_CERT_YEAR].set = 0;
	CHECK_INT(fees_section_check(BIZ_NEW, &s, &err), KR_CONFIG);
	/* the same for seals */
	s = tc.section[HOLDER_UNIT][BIZ_RENEW];
	put(&s, FEE_SEAL_FIRST_YEAR, 100);
	CHECK_INT(fees_section_check(BIZ_RENEW, &s, &err), KR_CONFIG);
	s = tc.section[HOLDER_UNIT][BIZ_RENEW];
	s.price[FEE_SEAL_YEAR].set = 0;
	CHECK_INT(fees_section_check(BIZ_RENEW, &s, &err), KR_CONFIG);

	/* reissue and exchange without seal, or without cert */
	s = tc.section[HOLDER_UNIT][BIZ_REISSUE];
	s.price[FEE_SEAL].set = 0;
	err.msg[0] = '\0';
	CHECK_INT(fees_section_check(BIZ_REISSUE, &s, &err), KR_CONFIG);
	CHECK(strstr(err.msg, "seal") != NULL);
	s = tc.section[HOLDER_UNIT][BIZ_REISSUE];
	s.price[FEE_CERT].set = 0;
	CHECK_INT(fees_section_check(BIZ_REISSUE, &s, &err), KR_CONFIG);
	s = tc.section[HOLDER_UNIT][BIZ_EXCHANGE];
	s.price[FEE_SEAL].set = 0;
	CHECK_INT(fees_section_check(BIZ_EXCHANGE, &s, &err), KR_CONFIG);

	/* change: needs cert and at least one priced kind */
	s = tc.section[HOLDER_UNIT][BIZ_CHANGE];
	s.price[FEE_CERT].set = 0;
	CHECK_INT(fees_section_check(BIZ_CHANGE, &s, &err), KR_CONFIG);
	memset(&s, 0, sizeof s);
	s.present = 1;
	put(&s, FEE_CERT, 0);
	CHECK_INT(fees_section_check(BIZ_CHANGE, &s, &err), KR_CONFIG);
	put(&s, FEE_SEAL_TEMPLATE, 0);
	CHECK_INT(fees_section_check(BIZ_CHANGE, &s, &err), KR_OK);

	/* unlock needs cert; check and revoke take no fees at all */
	memset(&s, 0, sizeof s);
	s.present = 1;
	CHECK_INT(fees_section_check(BIZ_UNLOCK, &s, &err), KR_CONFIG);
	put(&s, FEE_CERT, 0);
	CHECK_INT(fees_section_check(BIZ_UNLOCK, &s, &err), KR_OK);
	CHECK_INT(fees_section_check(BIZ_CHECK, &s, &err), KR_CONFIG);
	CHECK_INT(fees_section_check(BIZ_REVOKE, &s, &err), KR_CONFIG);
	CHECK_INT(fees_section_check(BIZ_CHECK, &s, NULL), KR_CONFIG); /* err may be NULL */
}

static void test_keys(void)
{
	for (int k = 0; k < FEE_KEY_COUNT; k++) {
		const char *n = fees_key_name((enum fee_key)k);
		CHECK(n && strcmp(n, "?") != 0);
		CHECK_INT(fees_key_from_name(n), k);
	}
	CHECK_STR(fees_key_name(FEE_CERT_YEAR), "cert_year");
	CHECK_STR(fees_key_name(FEE_SEAL_4YEARS), "seal_4years");
	CHECK_STR(fees_key_name(FEE_SEAL_LEGAL_PERSON), "seal_legal_person");
	CHECK_STR(fees_key_name(FEE_KEY_COUNT), "?");
	CHECK_INT(fees_key_from_name("cert_years"), -1);
	CHECK_INT(fees_key_from_name(""), -1);
	CHECK_INT(fees_key_from_name(NULL), -1);
	CHECK_INT(fees_key_from_name("CERT_YEAR"), -1);

	CHECK(fees_key_allowed(BIZ_NEW, FEE_CERT_4YEARS));
	CHECK(!fees_key_allowed(BIZ_NEW, FEE_CERT));
	CHECK(!fees_key_allowed(BIZ_REISSUE, FEE_CERT_YEAR));
	CHECK(fees_key_allowed(BIZ_CHANGE, FEE_SEAL_NAME));
	CHECK(!fees_key_allowed(BIZ_CHANGE, FEE_SEAL));
	CHECK(!fees_key_allowed(BIZ_UNLOCK, FEE_SEAL));
	for (int k = 0; k < FEE_KEY_COUNT; k++) {
		CHECK(!fees_key_allowed(BIZ_CHECK, (enum fee_key)k));
		CHECK(!fees_key_allowed(BIZ_REVOKE, (enum fee_key)k));
	}
	CHECK(!fees_key_allowed(BIZ_COUNT, FEE_CERT));
	CHECK(!fees_key_allowed(BIZ_NEW, FEE_KEY_COUNT));
}

int main(void)
{
	taicang(&tc);
	nantong(&nt);
	odd(&od);
	test_known_taicang();
	test_known_nantong();
	test_known_odd();
	test_properties();
	test_section_check();
	test_keys();
	return check_done();
}
