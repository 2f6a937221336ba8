/* keywork_revoke.c — revocation in the key work: of a holder's certificates, of one
 * certificate, and the local issuer's CRL written after every change (see keywork.h). */
#include "pki/keywork_internal.h"

#include <string.h>

#include "pki/issuer_cmp.h"
#include "pki/ledger.h"

static int fail(struct keywork_result *res, int rc)
{
	res->reason_key = "work.failed";
	return rc;
}

/* The CRL of the ledger written on the secure module sm (logged in already), traced. */
static int crl_on(struct keywork *kw, int sm, int64_t now_utc, struct kerr *err)
{
	uint64_t number = 0;
	int entries = 0, rc = KR_OK;
	EVP_PKEY *ca_key = token_private_key(kw->tok, sm, kw->ca_id, kw->ca_id_len, err);
	if (!ca_key)
		rc = KR_IO;
	if (rc == KR_OK)
		rc = issuer_local_crl(&kw->local, ca_key, now_utc, kw->c->crl_next_update_hours,
		                      kw->c->crl_file, &number, &entries, err);
	EVP_PKEY_free(ca_key);
	kw->crl_failed = rc != KR_OK;
	if (rc == KR_OK)
		fprintf(kw->trace, "[keys] CRL %llu written, %d entries\n",
		        (unsigned long long)number, entries);
	else
		fprintf(kw->trace, "[keys] CRL not written: %s\n", err->msg);
	return rc;
}

int keywork_crl(struct keywork *kw, int64_t now_utc, struct kerr *err)
{
	int sm, rc = kw_sm_login(kw, &sm, err);
	if (rc == KR_OK)
		rc = crl_on(kw, sm, now_utc, err);
	else
		kw->crl_failed = 1;
	kw_sm_logout(kw, &sm);
	return rc;
}

int keywork_crl_due(struct keywork *kw, int64_t now_utc)
{
	struct kerr e;
	int64_t next;
	int64_t quarter = (int64_t)kw->c->crl_next_update_hours * 3600 / 4;
	if (kw->crl_failed || issuer_crl_next_update(kw->c->crl_file, &next, &e) != KR_OK)
		return 1;
	return next - now_utc <= quarter;
}

int kw_do_revoke(struct keywork *kw, const struct work_spec *w, enum revoke_reason reason,
                 int64_t now_utc, const struct keywork_hooks *h, struct keywork_result *res,
                 struct kerr *err)
{
	int changed = 0, rc = KR_OK;
	struct kerr crl_err;
	kw_say(h, "work.revoke_request");
	if (kw_mark(h, WORK_REVOKE, 0, w->key_serial, NULL, NULL, err) != KR_OK)
		return fail(res, KR_IO);
	if (kw_is_cmp(kw) && reason == REVOKE_LIFT)
		rc = kerr_set(err, KR_INVALID,
		              "a suspension cannot be lifted through the CMP CA (no such request)");
	else if (kw_is_cmp(kw))
		rc = issuer_cmp_revoke(&kw->c->cmp, w->subject_id, issuer_crl_reason(reason),
		                       &changed, res->cert_serial, sizeof res->cert_serial, err);
	/* what the CMP CA did not revoke goes through the ledger: revoked, held, or queued */
	if (rc == KR_OK && changed == 0) {
		rc = issuer_local_revoke(&kw->local, w->subject_id, reason, now_utc, &changed,
		                         &res->queued, res->cert_serial, sizeof res->cert_serial,
		                         err);
		if (rc == KR_OK && changed > 0)
			keywork_crl(kw, now_utc, &crl_err);
	}
	if (rc == KR_OK)
		kw_mark(h, WORK_REVOKE, 1, w->key_serial, NULL, res->cert_serial, err);
	return rc == KR_OK ? KR_OK : fail(res, rc);
}

int keywork_revoke_serial(struct keywork *kw, const char *serial, enum revoke_reason reason,
                          int64_t now_utc, struct kerr *err)
{
	struct ledger lg;
	struct kerr crl_err;
	char subject_id[24] = "";
	int rc = ledger_read(kw->local.ledger, &lg, err);
	const struct ledger_cert *c = rc == KR_OK ? ledger_find(&lg, serial) : NULL;
	if (c)
		snprintf(subject_id, sizeof subject_id, "%s", c->subject_id);
	ledger_free(&lg);
	if (rc != KR_OK)
		return rc;
	if (!c)
		return kerr_set(err, KR_NOT_FOUND, "certificate %s: not in the ledger", serial);
	rc = issuer_local_revoke_serial(&kw->local, subject_id, serial, reason, now_utc, err);
	explicit_bzero(subject_id, sizeof subject_id);
	if (rc == KR_OK)
		keywork_crl(kw, now_utc, &crl_err);
	return rc;
}
