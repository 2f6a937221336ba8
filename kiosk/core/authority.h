/* authority.h — who may act on a certificate: one rule per business and holder kind,
 * decided after the identity steps and before any work or payment.
 *
 * A person acts on their own certificate: the chip's ID number (and, but for a change of
 * name, the name) must be the certificate subject's. A unit acts through an agent on its
 * list of authorised agents, which the central site keeps and the kiosk holds a copy of
 * (kiosk/store/agents.h) no older than configured. A renewal may instead be authorised by
 * possession: the key is in the port and proves, with its PIN, that it holds the
 * certificate's private key. Where a rule does not hold the business is refused with the
 * reason and the next step, or filed for the central site's review (nothing changes on
 * any certificate at the kiosk). Loss reports are limited: a holder reported, or a card
 * that reported, AUTH_REPORTS_PER_DAY times in the last 24 hours at this kiosk is refused
 * another (the counter and the hotline take it), authorised or not. */
#ifndef KIOSK_AUTHORITY_H
#define KIOSK_AUTHORITY_H

#include "catalogue.h"

enum auth_rule {
	AUTH_ANYONE,        /* nothing is done to a certificate (check) or none exists yet (new) */
	AUTH_HOLDER,        /* the person themself, or an agent on the unit's list */
	AUTH_HOLDER_OR_KEY, /* that, or the key present and its PIN proven (renewal) */
};

/* What happens when the rule does not hold. */
enum auth_else {
	AUTH_ELSE_REFUSE, /* refused with the reason: nothing is made */
	AUTH_ELSE_REVIEW, /* filed for the central site's review; nothing changes here */
};

#define AUTH_REPORTS_PER_DAY 2 /* loss reports per holder and per card in 24 hours */

struct authority {
	enum business biz;
	enum holder holder;
	enum auth_rule rule;
	enum auth_else otherwise;
};

/* What the unit's list of authorised agents says of the cardholder. */
enum agent_standing {
	AGENT_UNLISTED, /* a current list, without this person */
	AGENT_LISTED,
	AGENT_NO_LIST, /* no list young enough to rely on (offline too long) */
};

/* What the kiosk knows when it decides. Strings borrowed; "" when not known. */
struct auth_facts {
	enum holder holder;
	const char *subject_id;   /* whose certificate: the key's subject, the typed credit
	                             code, or (a person without a key) the cardholder */
	const char *subject_name; /* the key's subject name, "" without a key */
	const char *card_id, *card_name;
	enum agent_standing agent; /* a unit: the list's word on card_id */
	int key_can_prove;         /* the key is in the port, ours, its PIN not locked */
	int recent_reports;        /* a loss report: the most of those of the holder and
	                              those by the card in the last 24 hours */
};

enum auth_verdict {
	AUTH_GRANTED,
	AUTH_PROVE_KEY, /* granted once the key proves possession with its PIN */
	AUTH_REVIEW,    /* filed for review: the order changes no certificate here */
	AUTH_REFUSED,
};

struct auth_decision {
	enum auth_verdict verdict;
	const char *reason_key; /* why not granted (a string key with the next step), or NULL */
};

/* The rule for biz and holder (every business has one). */
const struct authority *authority_rule(enum business biz, enum holder holder);

/* The decision of rule a on facts f. */
struct auth_decision authority_decide(const struct authority *a, const struct auth_facts *f);

/* Whether the rule needs the unit's list of authorised agents for holder. */
int authority_needs_list(const struct authority *a, enum holder holder);

#endif
