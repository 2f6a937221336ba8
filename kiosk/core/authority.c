/* authority.c — the authority table and its decision. */
#include "authority.h"

#include <stddef.h>
#include <string.h>

/* clang-format off */
static const struct authority rules[] = {
	{BIZ_CHECK,    HOLDER_UNIT,   AUTH_ANYONE,        AUTH_ELSE_REFUSE},
	{BIZ_CHECK,    HOLDER_PERSON, AUTH_ANYONE,        AUTH_ELSE_REFUSE},
	{BIZ_NEW,      HOLDER_UNIT,   AUTH_ANYONE,        AUTH_ELSE_REFUSE}, /* reviewed centrally */
	{BIZ_NEW,      HOLDER_PERSON, AUTH_ANYONE,        AUTH_ELSE_REFUSE}, /* for the cardholder */
	{BIZ_RENEW,    HOLDER_UNIT,   AUTH_HOLDER_OR_KEY, AUTH_ELSE_REFUSE},
	{BIZ_RENEW,    HOLDER_PERSON, AUTH_HOLDER_OR_KEY, AUTH_ELSE_REFUSE},
	{BIZ_UNLOCK,   HOLDER_UNIT,   AUTH_HOLDER,        AUTH_ELSE_REFUSE}, /* the PIN is lost */
	{BIZ_UNLOCK,   HOLDER_PERSON, AUTH_HOLDER,        AUTH_ELSE_REFUSE},
	{BIZ_EXCHANGE, HOLDER_UNIT,   AUTH_HOLDER,        AUTH_ELSE_REFUSE},
	{BIZ_EXCHANGE, HOLDER_PERSON, AUTH_HOLDER,        AUTH_ELSE_REFUSE},
	{BIZ_REISSUE,  HOLDER_UNIT,   AUTH_HOLDER,        AUTH_ELSE_REVIEW},
	{BIZ_REISSUE,  HOLDER_PERSON, AUTH_HOLDER,        AUTH_ELSE_REVIEW},
	{BIZ_CHANGE,   HOLDER_UNIT,   AUTH_HOLDER,        AUTH_ELSE_REVIEW},
	{BIZ_CHANGE,   HOLDER_PERSON, AUTH_HOLDER,        AUTH_ELSE_REVIEW},
	{BIZ_REVOKE,   HOLDER_UNIT,   AUTH_HOLDER,        AUTH_ELSE_REVIEW},
	{BIZ_REVOKE,   HOLDER_PERSON, AUTH_HOLDER,        AUTH_ELSE_REVIEW},
};
/* clang-format on */

const struct authority *authority_rule(enum business biz, enum holder holder)
{
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (rules[i].biz == biz && rules[i].holder == holder)
			return &rules[i];
	return NULL;
}

int authority_needs_list(const struct authority *a, enum holder holder)
{
	return a && a->rule != AUTH_ANYONE && holder == HOLDER_UNIT;
}

static int same(const char *a, const char *b)
{
	return a && b && a[0] && strcmp(a, b) == 0;
}

/* Why the holder rule does not hold, or NULL when it does. */
static const char *holder_fault(const struct authority *a, const struct auth_facts *f)
{
	if (f->holder == HOLDER_UNIT) {
		if (f->agent == AGENT_LISTED && f->card_id[0] && f->subject_id[0])
			return NULL;
		return f->agent == AGENT_NO_LIST ? "auth.no_list" : "auth.not_agent";
	}
	if (!same(f->card_id, f->subject_id))
		return "auth.not_holder";
	/* a change of name comes with a card that carries the new one */
	if (a->biz != BIZ_CHANGE && f->subject_name[0] && !same(f->card_name, f->subject_name))
		return "auth.not_holder";
	return NULL;
}

struct auth_decision authority_decide(const struct authority *a, const struct auth_facts *f)
{
	struct auth_decision d = {AUTH_REFUSED, "auth.unknown"};
	if (!a)
		return d;
	if (a->rule == AUTH_ANYONE)
		return (struct auth_decision){AUTH_GRANTED, NULL};
	if (a->biz == BIZ_REVOKE && f->recent_reports >= AUTH_REPORTS_PER_DAY) {
		d.reason_key = "auth.report_limit";
		return d;
	}
	const char *fault = holder_fault(a, f);
	if (!fault)
		return (struct auth_decision){AUTH_GRANTED, NULL};
	if (a->rule == AUTH_HOLDER_OR_KEY && f->key_can_prove)
		return (struct auth_decision){AUTH_PROVE_KEY, fault};
	if (a->otherwise == AUTH_ELSE_REVIEW)
		return (struct auth_decision){AUTH_REVIEW, "auth.filed_review"};
	d.reason_key = fault;
	return d;
}
