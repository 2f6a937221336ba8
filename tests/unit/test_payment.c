/* test_payment.c — the payment status table and payment_can_move: every pair of
 * statuses, allowed or refused, against a matrix written out here by hand (not read from
 * the table), the ids, which are unsettled, and that every status reaches a final one. */
#include "check.h"
#include "core/payment.h"

#define N PAYMENT_STATUS_COUNT

/* allowed[from][to]: P precreating, W waiting, C cancelling, X closed, $ paid,
 * R refunding, F refunded, E failed (failed: refused, nothing charged) */
static const char *const allowed[N] = {
    /*                     P W C X $ R F E */
    [PAYMENT_PRECREATING] = "1 1 1 0 1 0 0 1", /* renumbered; QR; cancelled; paid; failed */
    [PAYMENT_WAITING] = "0 0 1 0 1 0 0 0",     /* paid, or cancelled */
    [PAYMENT_CANCELLING] = "0 0 1 1 1 0 0 0",  /* asked again; closed; paid after all */
    [PAYMENT_CLOSED] = "0 0 0 0 0 0 0 0",
    [PAYMENT_PAID] = "0 0 0 0 0 1 0 0", /* only a refund follows payment */
    [PAYMENT_REFUNDING] = "0 0 0 0 0 1 1 0",
    [PAYMENT_REFUNDED] = "0 0 0 0 0 0 0 0",
    [PAYMENT_FAILED] = "0 0 0 0 0 0 0 0",
};

static void test_every_pair(void)
{
	int n_allowed = 0, n_refused = 0;
	for (int from = 0; from < N; from++)
		for (int to = 0; to < N; to++) {
			int want = allowed[from][2 * to] == '1';
			int got =
			    payment_can_move((enum payment_status)from, (enum payment_status)to);
			if (got != want)
				fprintf(stderr, "%s -> %s: %s, expected %s\n",
				        payment_status_id(from), payment_status_id(to),
				        got ? "allowed" : "refused", want ? "allowed" : "refused");
			CHECK_INT(got, want);
			n_allowed += want;
			n_refused += !want;
		}
	printf("%d pairs allowed, %d refused\n", n_allowed, n_refused);
	CHECK_INT(n_allowed + n_refused, N * N);
	/* out of range, either way */
	CHECK(!payment_can_move(PAYMENT_STATUS_COUNT, PAYMENT_PAID));
	CHECK(!payment_can_move(PAYMENT_PAID, PAYMENT_STATUS_COUNT));
	CHECK(!payment_can_move((enum payment_status) - 1, PAYMENT_PAID));
	CHECK(!payment_can_move(PAYMENT_PRECREATING, (enum payment_status) - 1));
}

/* Every status reaches a final one (next 0) through allowed moves. */
static void test_reaches_final(void)
{
	for (int s = 0; s < N; s++) {
		unsigned seen = 1u << s, frontier = seen;
		int final_seen = 0;
		while (frontier) {
			unsigned next = 0;
			for (int t = 0; t < N; t++)
				if (frontier & (1u << t)) {
					next |= payment_statuses[t].next;
					final_seen |= payment_statuses[t].next == 0;
				}
			frontier = next & ~seen;
			seen |= next;
		}
		if (!final_seen)
			fprintf(stderr, "%s reaches no final status\n", payment_status_id(s));
		CHECK(final_seen);
	}
	CHECK_INT(payment_statuses[PAYMENT_CLOSED].next, 0);
	CHECK_INT(payment_statuses[PAYMENT_REFUNDED].next, 0);
	CHECK_INT(payment_statuses[PAYMENT_FAILED].next, 0);
}

static void test_ids(void)
{
	static const char *const ids[N] = {"precreating", "waiting",   "cancelling", "closed",
	                                   "paid",        "refunding", "refunded",   "failed"};
	for (int s = 0; s < N; s++) {
		CHECK_STR(payment_status_id((enum payment_status)s), ids[s]);
		CHECK_INT(payment_status_from_id(ids[s]), s);
	}
	/* left alone, these may still change at the gateway or are not confirmed */
	static const int unsettled[N] = {1, 1, 1, 0, 0, 1, 0, 0};
	for (int s = 0; s < N; s++)
		CHECK_INT(payment_statuses[s].unsettled, unsettled[s]);
	CHECK_STR(payment_status_id(PAYMENT_STATUS_COUNT), "?");
	CHECK_STR(payment_status_id((enum payment_status) - 1), "?");
	CHECK_INT(payment_status_from_id("Paid"), -1);
	CHECK_INT(payment_status_from_id(NULL), -1);
}

int main(void)
{
	test_every_pair();
	test_reaches_final();
	test_ids();
	return check_done();
}
