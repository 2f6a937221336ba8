/* keywork_pair.c — the encryption half of a key's certificate pair (pki/cert.h): a key
 * pair made on the secure module as the local KMC, escrowed for the central KMC and
 * delivered onto the key in an envelope only its signing key opens
 * (drivers/token/envelope.h); its certificate re-issued at renewal and change. The
 * plaintext private key exists only inside the two PKCS#11 modules. */
#include "pki/keywork_internal.h"

#include <openssl/err.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/token/envelope.h"

int kw_pair_find(struct keywork *kw, const struct token_cert *c, int n, int b)
{
	struct pki_trust trust = {kw->ours, kw->jsca};
	struct pki_cert_facts fb, f;
	struct kerr e;
	int best = -1;
	int64_t best_after = 0;
	if (b < 0 || pki_cert_read(c[b].x509, &trust, &fb, &e) != KR_OK)
		return -1;
	for (int k = 0; k < n; k++) {
		if (!c[k].x509 || c[k].id_len == 0 ||
		    pki_cert_read(c[k].x509, &trust, &f, &e) != KR_OK)
			continue;
		if (f.use == PKI_ENCRYPT && f.issuer == fb.issuer &&
		    strcmp(f.subject_id, fb.subject_id) == 0 && f.not_after_utc > best_after) {
			best = k;
			best_after = f.not_after_utc;
		}
		explicit_bzero(&f, sizeof f);
	}
	explicit_bzero(&fb, sizeof fb);
	return best;
}

/* The escrow copy handed to the hooks (the work journal, which the central site gets):
 * committed before the key is written, so no key holds an encryption key the KMC does
 * not. */
static int escrow(const struct keywork_hooks *h, const char *key_serial, const X509 *enc,
                  const unsigned char *der, size_t len, struct kerr *err)
{
	struct work_escrow e = {.der = der, .len = len};
	if (!h->escrow)
		return KR_OK;
	snprintf(e.key_serial, sizeof e.key_serial, "%s", key_serial);
	issuer_serial_hex(enc, e.cert_serial, sizeof e.cert_serial);
	return h->escrow(h->ctx, &e) == 0
	           ? KR_OK
	           : kerr_set(err, KR_IO, "the escrow copy could not be recorded");
}

/* Made on the secure module: the pair of sign's key type with its envelope for sign's
 * key and its escrow copy (*made: caller frees), and the encryption certificate for
 * sign's subject and validity (*enc: caller frees), all journaled. */
static int pair_make(struct keywork *kw, const struct work_spec *w, const char *key_serial,
                     const X509 *sign, const struct keywork_hooks *h, struct envelope_made *made,
                     X509 **enc, struct kerr *err)
{
	EVP_PKEY *sign_pub = X509_get0_pubkey(sign);
	struct keywork_result v;
	enum token_keytype type =
	    EVP_PKEY_get_base_id(sign_pub) == EVP_PKEY_RSA ? TOKEN_RSA2048 : TOKEN_EC_P256;
	int sm = -1, rc = kw_sm_login(kw, &sm, err);
	kw_cert_validity(sign, &v);
	if (rc == KR_OK)
		rc = envelope_make(kw->tok, sm, type, sign_pub, X509_get0_pubkey(kw->kmc), made,
		                   err);
	if (rc == KR_OK)
		rc = kw_mark(h, WORK_ISSUE_ENC, 0, key_serial, NULL, NULL, err);
	if (rc == KR_OK)
		rc = kw_issue(kw, sm, made->pub, PKI_ENCRYPT, X509_get_subject_name(sign),
		              v.not_before_utc, v.not_after_utc, w->subject_id, enc, err);
	kw_sm_logout(kw, &sm);
	if (rc == KR_OK) {
		kw_mark(h, WORK_ISSUE_ENC, 1, key_serial, *enc, NULL, err);
		rc = escrow(h, key_serial, *enc, made->escrow_der, made->escrow_len, err);
	}
	return rc;
}

int kw_pair_deliver(struct keywork *kw, const struct work_spec *w, int i, const char *key_serial,
                    const struct token_cert *sign, const struct keywork_hooks *h,
                    struct keywork_result *res, struct kerr *err)
{
	unsigned char id[8];
	char label[sizeof sign->label];
	struct envelope_made made = {0};
	X509 *enc = NULL;
	EVP_PKEY *priv = NULL;
	if (!kw->kmc || kw_is_cmp(kw)) {
		fprintf(kw->trace, "[keys] the key gets no encryption pair: %s\n",
		        kw->kmc ? "the CMP CA issues only the signing certificate here"
		                : "no [keys] kmc_cert");
		return KR_OK;
	}
	kw_say(h, "work.enc_pair");
	int rc = RAND_bytes(id, sizeof id) == 1 ? KR_OK : kerr_set(err, KR_IO, "no random key ID");
	if (rc == KR_OK)
		rc = pair_make(kw, w, key_serial, sign->x509, h, &made, &enc, err);
	if (rc == KR_OK)
		rc = kw_mark(h, WORK_WRITE_ENC, 0, key_serial, enc, NULL, err);
	if (rc == KR_OK) /* the secure module's login came between */
		rc = token_login(kw->tok, i, 0, w->pin, err);
	/* its own label: tools that pick a certificate by label find the signing one */
	snprintf(label, sizeof label, "%.*s enc", (int)sizeof label - 5, sign->label);
	if (rc == KR_OK)
		rc = envelope_open(kw->tok, i, sign->id, sign->id_len, made.der, made.len, id,
		                   sizeof id, label, err);
	if (rc == KR_OK)
		rc = token_cert_store(kw->tok, i, enc, id, sizeof id, label, err);
	if (rc == KR_OK) {
		kw_mark(h, WORK_WRITE_ENC, 1, key_serial, enc, NULL, err);
		priv = token_private_key(kw->tok, i, id, sizeof id, err);
		if (!priv || !pki_decrypt_verify(priv, enc))
			rc = kerr_set(err, KR_CORRUPT,
			              "the encryption key on the key does not open "
			              "what its certificate encrypts");
	}
	if (rc == KR_OK && res)
		issuer_serial_hex(enc, res->enc_serial, sizeof res->enc_serial);
	token_logout(kw->tok, i);
	EVP_PKEY_free(priv);
	X509_free(enc);
	envelope_made_free(&made);
	return rc;
}

int kw_pair_recertify(struct keywork *kw, const struct work_spec *w, int i,
                      const struct token_cert *old, const X509_NAME *subject, int64_t from,
                      int64_t to, const struct keywork_hooks *h, char *old_serial, size_t size,
                      struct keywork_result *res, struct kerr *err)
{
	X509 *neu = NULL;
	int removed;
	issuer_serial_hex(old->x509, old_serial, size);
	int rc = kw_mark(h, WORK_ISSUE_ENC, 0, w->key_serial, NULL, old_serial, err);
	if (rc == KR_OK)
		rc = kw_issue(kw, -1, X509_get0_pubkey(old->x509), PKI_ENCRYPT, subject, from, to,
		              w->subject_id, &neu, err);
	if (rc == KR_OK) {
		kw_mark(h, WORK_ISSUE_ENC, 1, w->key_serial, neu, old_serial, err);
		rc = kw_mark(h, WORK_WRITE_ENC, 0, w->key_serial, neu, old_serial, err);
	}
	/* the new one first: a crash in between leaves both, never none */
	if (rc == KR_OK)
		rc = token_cert_store(kw->tok, i, neu, old->id, old->id_len, old->label, err);
	if (rc == KR_OK) {
		kw_mark(h, WORK_WRITE_ENC, 1, w->key_serial, neu, old_serial, err);
		if (token_cert_remove(kw->tok, i, old->x509, &removed, err) != KR_OK)
			fprintf(kw->trace, "[keys] the old encryption certificate stays: %s\n",
			        err->msg);
		if (res)
			issuer_serial_hex(neu, res->enc_serial, sizeof res->enc_serial);
	}
	X509_free(neu);
	return rc;
}
