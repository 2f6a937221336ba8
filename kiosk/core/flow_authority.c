/* flow_authority.c — who may act, in the session: on leaving the identity steps (the key,
 * the card, the unit's code) the flow asks the unit's list when the rule needs it, then
 * decides with authority.h before anything is quoted, paid or worked. A refusal is
 * journaled (business, holder, reason: nothing personal) and shown with its next step. */
#include <stdio.h>
#include <string.h>

#include "flow_internal.h"

static void journal_refusal(struct flow *f, struct flow_out *out, const char *reason)
{
	struct flow_request *j = flow_emit(out, FREQ_JOURNAL);
	COPY(j->journal_kind, "authority.refused");
	snprintf(j->journal_body, sizeof j->journal_body,
	         "{\"business\":\"%s\",\"holder\":\"%s\",\"reason\":\"%s\"}",
	         catalogue_business_id(f->s.biz), catalogue_holder_id(f->s.holder), reason);
}

void flow_revoke_id(const struct session *s, char *out, size_t size)
{
	snprintf(out, size, "%s",
	         s->holder == HOLDER_UNIT && s->unit_code[0] ? s->unit_code : s->card.id_number);
}

static void decide(struct flow *f, struct flow_out *out)
{
	struct session *s = &f->s;
	int key = s->have_key && s->key.has_cert;
	const char *subject_id = key                        ? s->key.subject_id
	                         : s->holder == HOLDER_UNIT ? s->unit_code
	                                                    : s->card.id_number;
	struct auth_facts facts = {
	    .holder = s->holder,
	    .subject_id = subject_id,
	    .subject_name = key ? s->key.subject_name : "",
	    .card_id = s->have_card ? s->card.id_number : "",
	    .card_name = s->have_card ? s->card.name : "",
	    .agent = s->agent,
	    .key_can_prove = key && f->key_present && s->key.issuer == ISSUER_OURS &&
	                     s->key.pin != KEYPIN_LOCKED,
	    .recent_reports = s->recent_reports,
	};
	struct auth_decision d = authority_decide(authority_rule(s->biz, s->holder), &facts);
	s->auth_decided = 1;
	switch (d.verdict) {
	case AUTH_GRANTED:
		break;
	case AUTH_PROVE_KEY:
		s->auth_by_key = 1; /* the key's PIN step applies now */
		break;
	case AUTH_REVIEW:
		s->auth_review = 1; /* nothing is worked here: the order goes to review */
		break;
	case AUTH_REFUSED:
		journal_refusal(f, out, d.reason_key);
		flow_fail(f, d.reason_key);
		return;
	}
	int next = s->auth_next;
	flow_enter_step(f, out, next, +1);
	if (d.verdict != AUTH_GRANTED && s->screen == SCREEN_STEP)
		COPY(s->notice_key,
		     d.verdict == AUTH_REVIEW ? "auth.filed_review" : "auth.prove_by_pin");
}

void flow_authorise(struct flow *f, struct flow_out *out, int idx)
{
	struct session *s = &f->s;
	s->auth_next = idx;
	int list = authority_needs_list(authority_rule(s->biz, s->holder), s->holder) &&
	           s->have_card && s->unit_code[0];
	if (list || (s->biz == BIZ_REVOKE && s->have_card)) {
		struct flow_request *r = flow_emit(out, FREQ_AGENT_CHECK);
		r->biz = s->biz;
		if (list)
			COPY(r->unit_code, s->unit_code);
		COPY(r->agent_id, s->card.id_number);
		if (s->biz == BIZ_REVOKE) /* and the reports of the holder and by the card */
			flow_revoke_id(s, r->revoke_id, sizeof r->revoke_id);
		s->auth_waiting = 1;
		COPY(s->notice_key, "auth.checking");
		return; /* FEV_AGENT goes on */
	}
	s->agent = AGENT_UNLISTED; /* no list asked: a unit rule cannot hold */
	decide(f, out);
}

void flow_on_agent(struct flow *f, struct flow_out *out, enum agent_standing standing,
                   int recent_reports)
{
	struct session *s = &f->s;
	if (!s->auth_waiting || s->screen != SCREEN_STEP)
		return;
	s->auth_waiting = 0;
	s->notice_key[0] = '\0';
	s->agent =
	    standing == AGENT_LISTED || standing == AGENT_NO_LIST ? standing : AGENT_UNLISTED;
	s->recent_reports = recent_reports;
	decide(f, out);
}

void flow_on_proof(struct flow *f, struct flow_out *out, int proven, const char *reason)
{
	struct session *s = &f->s;
	s->proving = 0;
	s->notice_key[0] = '\0';
	if (proven) {
		s->key_proven = 1;
		flow_advance(f, out);
		return;
	}
	explicit_bzero(s->pin, sizeof s->pin); /* asked again: the token counts the tries */
	if (!reason[0] || strcmp(reason, "auth.key_pin_wrong") == 0 ||
	    strcmp(reason, "key.removed") == 0) {
		COPY(s->error_key, reason[0] ? reason : "auth.key_pin_wrong");
		return;
	}
	/* locked, or no proof possible with this key: trying again cannot help */
	if (s->auth_by_key)
		journal_refusal(f, out, reason);
	flow_fail(f, reason);
}
