/* test_order.c — the order state table and order_can_move. */
#include "check.h"
#include "core/order.h"

#define CHARGED ((fen_t)25000)
#define FREE    ((fen_t)0)

/* The states reachable from `from` by allowed moves for an order of `amount`, avoiding
 * `avoid` (-1: none), as a bit mask (from included). */
static unsigned reachable(enum order_state from, fen_t amount, int avoid)
{
	unsigned seen = 1u << from, frontier = seen;
	while (frontier) {
		unsigned next = 0;
		for (int s = 0; s < ORDER_STATE_COUNT; s++) {
			if (!(frontier & (1u << s)))
				continue;
			for (int t = 0; t < ORDER_STATE_COUNT; t++)
				if (t != avoid && !(seen & (1u << t)) &&
				    order_can_move((enum order_state)s, (enum order_state)t,
				                   amount))
					next |= 1u << t;
		}
		seen |= next;
		frontier = next;
	}
	return seen;
}

static unsigned finals(void)
{
	unsigned m = 0;
	for (int s = 0; s < ORDER_STATE_COUNT; s++)
		if (order_states[s].final)
			m |= 1u << s;
	return m;
}

static void test_table(void)
{
	unsigned all = (1u << ORDER_STATE_COUNT) - 1;
	CHECK(finals() != 0);
	for (int s = 0; s < ORDER_STATE_COUNT; s++) {
		const struct order_state_info *i = &order_states[s];
		CHECK(i->id != NULL);
		/* only known states follow, and never the state itself */
		CHECK_INT(i->next & ~all, 0);
		CHECK_INT(i->next & (1u << s), 0);
		if (i->final) {
			CHECK_INT(i->next, 0);
			CHECK(!i->open); /* nothing to settle after a restart */
		} else {
			CHECK(i->next != 0);
		}
		/* the table alone: every non-final state reaches a final one */
		unsigned seen = 1u << s, frontier = seen;
		while (frontier) {
			unsigned next = 0;
			for (int t = 0; t < ORDER_STATE_COUNT; t++)
				if (frontier & (1u << t))
					next |= order_states[t].next;
			next &= ~seen;
			seen |= next;
			frontier = next;
		}
		if (!i->final && !(seen & finals()))
			fprintf(stderr, "state %s reaches no final state\n", i->id);
		CHECK(i->final || (seen & finals()));
	}
	CHECK(order_states[ORDER_SERVED].final);
	CHECK(order_states[ORDER_CLOSED].final);
	CHECK(order_states[ORDER_FAILED].final);
	CHECK(order_states[ORDER_REFUNDED].final);
	CHECK(!order_states[ORDER_NEW].final);
	CHECK(order_states[ORDER_PAYING].open);
	CHECK(order_states[ORDER_REFUNDING].open);
	CHECK(order_states[ORDER_WORKING].open);
}

static void test_reachability(void)
{
	/* with the amount rules too, for a free and a charged order: every state an order
	 * can be in reaches a final state */
	const fen_t amounts[2] = {FREE, CHARGED};
	for (int a = 0; a < 2; a++) {
		unsigned from_new = reachable(ORDER_NEW, amounts[a], -1);
		for (int s = 0; s < ORDER_STATE_COUNT; s++) {
			if (!(from_new & (1u << s)) || order_states[s].final)
				continue;
			unsigned r = reachable((enum order_state)s, amounts[a], -1);
			if (!(r & finals()))
				fprintf(stderr, "%s order stuck in %s\n", a ? "charged" : "free",
				        order_states[s].id);
			CHECK(r & finals());
		}
	}
	unsigned free_ = reachable(ORDER_NEW, FREE, -1);
	unsigned charged = reachable(ORDER_NEW, CHARGED, -1);
	CHECK(free_ & (1u << ORDER_SERVED));
	CHECK(free_ & (1u << ORDER_FAILED));
	CHECK(!(free_ & (1u << ORDER_PAYING)));
	CHECK(!(free_ & (1u << ORDER_PAID)));
	CHECK(!(free_ & (1u << ORDER_REFUNDING)));
	CHECK(!(free_ & (1u << ORDER_REFUNDED)));
	CHECK(charged & (1u << ORDER_SERVED));
	CHECK(charged & (1u << ORDER_REFUNDED));
	CHECK(!(charged & (1u << ORDER_FAILED)));

	/* a charged order does no key work and files nothing for review before it is paid:
	 * without going through PAID it can only be closed */
	unsigned unpaid = reachable(ORDER_NEW, CHARGED, ORDER_PAID);
	if (unpaid & ((1u << ORDER_WORKING) | (1u << ORDER_IN_REVIEW) | (1u << ORDER_SERVED)))
		fprintf(stderr, "a charged order reaches work without payment (mask %#x)\n",
		        unpaid);
	CHECK(!(unpaid & (1u << ORDER_WORKING)));
	CHECK(!(unpaid & (1u << ORDER_IN_REVIEW)));
	CHECK(!(unpaid & (1u << ORDER_SERVED)));
	CHECK(!(unpaid & (1u << ORDER_REFUNDING))); /* nothing to refund */
}

static void test_can_move(void)
{
	/* the ordinary paths */
	CHECK(order_can_move(ORDER_NEW, ORDER_PAYING, CHARGED));
	CHECK(order_can_move(ORDER_PAYING, ORDER_PAID, CHARGED));
	CHECK(order_can_move(ORDER_PAID, ORDER_WORKING, CHARGED));
	CHECK(order_can_move(ORDER_WORKING, ORDER_SERVED, CHARGED));
	CHECK(order_can_move(ORDER_PAID, ORDER_IN_REVIEW, CHARGED));
	CHECK(order_can_move(ORDER_IN_REVIEW, ORDER_APPROVED, CHARGED));
	CHECK(order_can_move(ORDER_APPROVED, ORDER_WORKING, CHARGED));
	CHECK(order_can_move(ORDER_WORKING, ORDER_REFUNDING, CHARGED));
	CHECK(order_can_move(ORDER_REFUNDING, ORDER_REFUNDED, CHARGED));
	CHECK(order_can_move(ORDER_NEW, ORDER_WORKING, FREE));
	CHECK(order_can_move(ORDER_NEW, ORDER_IN_REVIEW, FREE));
	CHECK(order_can_move(ORDER_WORKING, ORDER_SERVED, FREE));
	CHECK(order_can_move(ORDER_WORKING, ORDER_FAILED, FREE));
	CHECK(order_can_move(ORDER_IN_REVIEW, ORDER_CLOSED, FREE));

	/* unpaid ends: abandoned before or during payment */
	CHECK(order_can_move(ORDER_NEW, ORDER_CLOSED, CHARGED));
	CHECK(order_can_move(ORDER_PAYING, ORDER_CLOSED, CHARGED));
	CHECK(order_can_move(ORDER_NEW, ORDER_CLOSED, FREE));

	/* a charged order never fails: it is refunded */
	CHECK(!order_can_move(ORDER_WORKING, ORDER_FAILED, CHARGED));
	CHECK(!order_can_move(ORDER_WORKING, ORDER_FAILED, 1));
	/* a free order is never paid for nor refunded */
	CHECK(!order_can_move(ORDER_NEW, ORDER_PAYING, FREE));
	CHECK(!order_can_move(ORDER_PAID, ORDER_REFUNDING, FREE));
	CHECK(!order_can_move(ORDER_WORKING, ORDER_REFUNDING, FREE));
	CHECK(!order_can_move(ORDER_IN_REVIEW, ORDER_REFUNDING, FREE));
	CHECK(!order_can_move(ORDER_APPROVED, ORDER_REFUNDING, FREE));
	/* a charged order, once paid, is not merely closed */
	CHECK(!order_can_move(ORDER_IN_REVIEW, ORDER_CLOSED, CHARGED));
	/* a charged order is not worked on or reviewed before it is paid */
	CHECK(!order_can_move(ORDER_NEW, ORDER_WORKING, CHARGED));
	CHECK(!order_can_move(ORDER_NEW, ORDER_IN_REVIEW, CHARGED));

	/* what the table does not allow, whatever the amount */
	const fen_t amounts[3] = {FREE, 1, CHARGED};
	for (int a = 0; a < 3; a++) {
		int bad = 0;
		for (int s = 0; s < ORDER_STATE_COUNT; s++)
			for (int t = 0; t < ORDER_STATE_COUNT; t++)
				if (!(order_states[s].next & (1u << t)) &&
				    order_can_move((enum order_state)s, (enum order_state)t,
				                   amounts[a]))
					bad++;
		CHECK_INT(bad, 0);
		/* nothing leaves a final state */
		for (int s = 0; s < ORDER_STATE_COUNT; s++)
			for (int t = 0; t < ORDER_STATE_COUNT && order_states[s].final; t++)
				CHECK(!order_can_move((enum order_state)s, (enum order_state)t,
				                      amounts[a]));
		CHECK(!order_can_move(ORDER_SERVED, ORDER_REFUNDING, amounts[a]));
		CHECK(!order_can_move(ORDER_PAID, ORDER_PAYING, amounts[a]));
		CHECK(!order_can_move(ORDER_NEW, ORDER_SERVED, amounts[a]));
		CHECK(!order_can_move(ORDER_NEW, ORDER_NEW, amounts[a]));
		CHECK(!order_can_move(ORDER_STATE_COUNT, ORDER_NEW, amounts[a]));
		CHECK(!order_can_move(ORDER_NEW, ORDER_STATE_COUNT, amounts[a]));
		CHECK(!order_can_move((enum order_state) - 1, ORDER_CLOSED, amounts[a]));
		CHECK(!order_can_move(ORDER_NEW, (enum order_state) - 1, amounts[a]));
	}
}

static void test_ids(void)
{
	for (int s = 0; s < ORDER_STATE_COUNT; s++) {
		const char *id = order_state_id((enum order_state)s);
		CHECK(id && *id && strcmp(id, "?") != 0);
		CHECK_INT(order_state_from_id(id), s);
		for (int t = 0; t < s; t++)
			CHECK(strcmp(id, order_state_id((enum order_state)t)) != 0);
	}
	CHECK_STR(order_state_id(ORDER_PAYING), "paying");
	CHECK_STR(order_state_id(ORDER_IN_REVIEW), "in_review");
	CHECK_STR(order_state_id(ORDER_STATE_COUNT), "?");
	CHECK_STR(order_state_id((enum order_state) - 1), "?");
	CHECK_INT(order_state_from_id("Paying"), -1);
	CHECK_INT(order_state_from_id("?"), -1);
	CHECK_INT(order_state_from_id(""), -1);
	CHECK_INT(order_state_from_id(NULL), -1);
}

int main(void)
{
	test_table();
	test_reachability();
	test_can_move();
	test_ids();
	return check_done();
}
