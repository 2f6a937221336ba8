/* keywork.c — triage, unlock, renewal, personalisation and revocation on PKCS#11
 * tokens, with the local issuer. Owns the token context and the CA certificates. */
#include "pki/keywork.h"
#include "pki/keywork_internal.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "core/cntime.h"
#include "core/pin.h"
#include "pki/issuer_cmp.h"

static X509 *load_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	ERR_clear_error();
	return x;
}

/* Reads a small secret file (a PIN) into out, without the line end. */
static int read_secret(const char *path, char *out, size_t size, struct kerr *err)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(out, 1, size - 1, f) : 0;
	if (f)
		fclose(f);
	out[n] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	if (!out[0])
		return kerr_set(err, KR_CONFIG, "%s: cannot read the PIN", path);
	return KR_OK;
}

static int hex_decode(const char *hex, unsigned char *out, size_t size, size_t *len)
{
	size_t n = strlen(hex);
	if (n % 2 || n / 2 > size)
		return -1;
	for (size_t k = 0; k < n / 2; k++) {
		unsigned v;
		if (sscanf(hex + 2 * k, "%2x", &v) != 1)
			return -1;
		out[k] = (unsigned char)v;
	}
	*len = n / 2;
	return 0;
}

int keywork_create(const struct conf_keys *c, FILE *trace, struct keywork **out, struct kerr *err)
{
	struct keywork *kw = calloc(1, sizeof *kw);
	if (!kw)
		return kerr_set(err, KR_NOMEM, "out of memory");
	kw->c = c;
	kw->trace = trace;
	int rc = KR_OK;
	if (!(kw->ours = load_cert(c->issuer_cert)))
		rc = kerr_set(err, KR_CONFIG, "[keys] issuer_cert: cannot read '%s'",
		              c->issuer_cert);
	else if (!(kw->jsca = load_cert(c->jsca_cert)))
		rc = kerr_set(err, KR_CONFIG, "[keys] jsca_cert: cannot read '%s'", c->jsca_cert);
	else if (c->kmc_cert[0] &&
	         (!(kw->kmc = load_cert(c->kmc_cert)) ||
	          EVP_PKEY_get_base_id(X509_get0_pubkey(kw->kmc)) != EVP_PKEY_RSA))
		rc = kerr_set(err, KR_CONFIG, "[keys] kmc_cert: '%s' is not an RSA certificate",
		              c->kmc_cert);
	else if (hex_decode(c->issuer_key_id, kw->ca_id, sizeof kw->ca_id, &kw->ca_id_len) != 0)
		rc = kerr_set(err, KR_CONFIG, "[keys] issuer_key_id: not hex");
	else if (strcmp(c->issuer, "cmp") == 0 && issuer_cmp_check(&c->cmp, err) != KR_OK)
		rc = KR_CONFIG;
	else
		rc = token_open(c->module, &kw->tok, err);
	kw->local = (struct issuer_local){kw->ours, c->crl_url, c->aia_url, c->ledger};
	if (rc != KR_OK) {
		keywork_destroy(kw);
		return rc;
	}
	*out = kw;
	return KR_OK;
}

void keywork_destroy(struct keywork *kw)
{
	if (!kw)
		return;
	token_close(kw->tok);
	X509_free(kw->ours);
	X509_free(kw->jsca);
	X509_free(kw->kmc);
	free(kw);
}

int keywork_port(struct keywork *kw, char *serial, size_t size)
{
	struct kerr e;
	struct token_info ti;
	serial[0] = '\0';
	if (token_refresh(kw->tok, &e) != KR_OK)
		return 0;
	int i = token_find(kw->tok, kw->c->user_port, 0);
	if (i < 0 || token_info(kw->tok, i, &ti, &e) != KR_OK)
		return 0;
	snprintf(serial, size, "%s", ti.serial);
	return 1;
}

/* The index of the port's token with serial (after a refresh), or -1. */
static int port_token(struct keywork *kw, const char *serial, struct kerr *err)
{
	char want[64];
	if (token_refresh(kw->tok, err) != KR_OK)
		return -1;
	snprintf(want, sizeof want, "serial:%s", serial);
	int i = token_find(kw->tok, want, 0);
	if (i < 0 || token_find(kw->tok, kw->c->user_port, i) != i) {
		kerr_set(err, KR_NOT_FOUND, "the key is not in the port");
		return -1;
	}
	return i;
}

/* The signing certificate that speaks for the key: ours or Jiangsu CA before others, then
 * the latest expiry; half-written objects (no ID or no value) and encryption certificates
 * are passed over. Returns the index into c or -1. */
static int best_cert(struct keywork *kw, const struct token_cert *c, int n,
                     struct pki_cert_facts *facts)
{
	struct pki_trust trust = {kw->ours, kw->jsca};
	int best = -1, best_rank = -1;
	int64_t best_after = 0;
	for (int k = 0; k < n; k++) {
		struct pki_cert_facts f;
		struct kerr e;
		if (!c[k].x509 || c[k].id_len == 0 ||
		    pki_cert_read(c[k].x509, &trust, &f, &e) != KR_OK || f.use == PKI_ENCRYPT) {
			explicit_bzero(&f, sizeof f);
			continue;
		}
		int rank = f.issuer == ISSUER_OTHER ? 0 : 1;
		if (rank > best_rank || (rank == best_rank && f.not_after_utc > best_after)) {
			best = k;
			best_rank = rank;
			best_after = f.not_after_utc;
			*facts = f;
		}
		explicit_bzero(&f, sizeof f);
	}
	return best;
}

/* The key of serial in the user's port, read: its index, its certificate objects and
 * the one that speaks for it (b, -1 when none, with its facts). */
struct port_key {
	int i;
	struct token_cert *certs;
	int n, b;
	struct pki_cert_facts f;
};

/* Reads the key of serial into *k. NULL, or the reason key of a failure ("key.none",
 * "key.unreadable") with *rc and err set; port_key_close either way. */
static const char *port_key_open(struct keywork *kw, const char *serial, struct port_key *k,
                                 int *rc, struct kerr *err)
{
	memset(k, 0, sizeof *k);
	k->b = -1;
	if ((k->i = port_token(kw, serial, err)) < 0) {
		*rc = KR_NOT_FOUND;
		return "key.none";
	}
	if ((*rc = token_certs(kw->tok, k->i, &k->certs, &k->n, err)) != KR_OK)
		return "key.unreadable";
	k->b = best_cert(kw, k->certs, k->n, &k->f);
	return NULL;
}

static void port_key_close(struct port_key *k)
{
	token_certs_free(k->certs, k->n);
	explicit_bzero(k, sizeof *k);
}

int keywork_triage(struct keywork *kw, int64_t now_utc, struct key_triage *out, struct kerr *err)
{
	struct token_info ti;
	struct token_cert *certs = NULL;
	struct pki_cert_facts f;
	int n = 0, rc;
	memset(out, 0, sizeof *out);
	if ((rc = token_refresh(kw->tok, err)) != KR_OK)
		return rc;
	int i = token_find(kw->tok, kw->c->user_port, 0);
	if (i < 0)
		return kerr_set(err, KR_NOT_FOUND, "no key in the port");
	if ((rc = token_info(kw->tok, i, &ti, err)) != KR_OK ||
	    (rc = token_certs(kw->tok, i, &certs, &n, err)) != KR_OK)
		return rc;
	snprintf(out->serial, sizeof out->serial, "%s", ti.serial);
	snprintf(out->label, sizeof out->label, "%s", ti.label);
	snprintf(out->model, sizeof out->model, "%s", ti.model);
	out->pin = ti.pin_locked      ? KEYPIN_LOCKED
	           : ti.pin_final_try ? KEYPIN_FINAL_TRY
	           : ti.pin_count_low ? KEYPIN_COUNT_LOW
	                              : KEYPIN_OK;
	token_data_exists(kw->tok, i, SEAL_LABEL, &out->has_seal, err);
	int b = best_cert(kw, certs, n, &f);
	const char *fail = NULL;
	if (b < 0) {
		fail = "check.no_cert";
	} else {
		out->has_cert = 1;
		out->issuer = f.issuer;
		out->holder = f.holder;
		snprintf(out->subject_name, sizeof out->subject_name, "%s", f.subject_name);
		snprintf(out->subject_id, sizeof out->subject_id, "%s", f.subject_id);
		out->not_before_utc = f.not_before_utc;
		out->not_after_utc = f.not_after_utc;
		out->staff_role = f.staff_role;
		out->has_enc = kw_pair_find(kw, certs, n, b) >= 0;
		if (f.issuer == ISSUER_OTHER)
			fail = "check.foreign_ca";
		else if (!f.subject_ok)
			fail = "check.bad_subject";
		else if (f.not_after_utc < now_utc)
			fail = "check.expired";
		else if (out->pin == KEYPIN_LOCKED)
			fail = "check.pin_locked";
	}
	out->check_pass = fail == NULL;
	snprintf(out->check_reason, sizeof out->check_reason, "%s", fail ? fail : "");
	fprintf(kw->trace, "[keys] triage: %d certificate object(s), %s\n", n,
	        fail ? fail : "check passed");
	explicit_bzero(&f, sizeof f);
	token_certs_free(certs, n);
	return KR_OK;
}

int kw_sm_login(struct keywork *kw, int *sm, struct kerr *err)
{
	char pin[SECRET_FILE_MAX];
	int rc = read_secret(kw->c->secure_pin_file, pin, sizeof pin, err);
	*sm = token_find(kw->tok, kw->c->secure_module, 0);
	if (rc == KR_OK && *sm < 0)
		rc = kerr_set(err, KR_NOT_FOUND, "the secure module is not present");
	if (rc == KR_OK)
		rc = token_login(kw->tok, *sm, 0, pin, err);
	explicit_bzero(pin, sizeof pin);
	return rc;
}

/* The derived SO PIN of serial into out (17 bytes), the secure module sm logged in. */
static int so_pin_on(struct keywork *kw, int sm, const char *serial, char *out, struct kerr *err)
{
	unsigned char mac[32];
	int rc = token_hmac_sha256(kw->tok, sm, SOPIN_SECRET, serial, strlen(serial), mac, err);
	for (int k = 0; rc == KR_OK && k < 8; k++)
		snprintf(out + 2 * k, 3, "%02x", mac[k]);
	explicit_bzero(mac, sizeof mac);
	return rc;
}

void kw_sm_logout(struct keywork *kw, int *sm)
{
	if (*sm >= 0)
		token_logout(kw->tok, *sm);
	*sm = -1;
}

int keywork_so_pin(struct keywork *kw, const char *serial, char *out, struct kerr *err)
{
	int sm, rc = kw_sm_login(kw, &sm, err);
	if (rc == KR_OK)
		rc = so_pin_on(kw, sm, serial, out, err);
	kw_sm_logout(kw, &sm);
	return rc;
}

int kw_issue(struct keywork *kw, int sm, EVP_PKEY *pub, enum pki_use use, const X509_NAME *subject,
             int64_t from, int64_t to, const char *subject_id, X509 **out, struct kerr *err)
{
	int own = sm < 0, rc = own ? kw_sm_login(kw, &sm, err) : KR_OK;
	EVP_PKEY *ca_key =
	    rc == KR_OK ? token_private_key(kw->tok, sm, kw->ca_id, kw->ca_id_len, err) : NULL;
	if (rc == KR_OK && !ca_key)
		rc = KR_IO;
	if (rc == KR_OK)
		rc = issuer_local_issue(&kw->local, ca_key, pub, use, subject, from, to, subject_id,
		                        out, err);
	EVP_PKEY_free(ca_key);
	if (own)
		kw_sm_logout(kw, &sm);
	return rc;
}

int kw_is_cmp(const struct keywork *kw)
{
	return strcmp(kw->c->issuer, "cmp") == 0;
}

/* Days of validity to ask a CMP CA for, so that it runs until to_utc. */
static int days_until(int64_t now_utc, int64_t to_utc)
{
	int64_t d = (to_utc - now_utc + DAY_S - 1) / DAY_S;
	return d < 1 ? 1 : (int)d;
}

void kw_cert_validity(const X509 *x, struct keywork_result *res)
{
	pki_time_get(X509_get0_notBefore(x), &res->not_before_utc);
	pki_time_get(X509_get0_notAfter(x), &res->not_after_utc);
}

/* Renewal through CMP (KUR) for old on token i: with the user's PIN the proof of
 * possession is signed on the token, without it the kiosk vouches for the key. */
static int renew_cmp(struct keywork *kw, const struct work_spec *w, int i,
                     const struct token_cert *old, int days, X509 **out, struct kerr *err)
{
	EVP_PKEY *priv = NULL;
	int rc = KR_OK;
	if (w->pin[0]) {
		rc = token_login(kw->tok, i, 0, w->pin, err);
		if (rc == KR_OK &&
		    !(priv = token_private_key(kw->tok, i, old->id, old->id_len, err)))
			rc = KR_IO;
	}
	if (rc == KR_OK)
		rc = issuer_cmp_update(&kw->c->cmp, old->x509, priv, days, w->subject_id, out, err);
	EVP_PKEY_free(priv);
	if (w->pin[0])
		token_logout(kw->tok, i);
	return rc;
}

void kw_say(const struct keywork_hooks *h, const char *step_key)
{
	if (h->progress)
		h->progress(h->ctx, step_key);
}

int kw_mark(const struct keywork_hooks *h, enum work_step step, int done, const char *key,
            const X509 *cert, const char *old, struct kerr *err)
{
	struct work_mark m = {.step = step, .done = done};
	if (!h->mark)
		return KR_OK;
	snprintf(m.key_serial, sizeof m.key_serial, "%s", key ? key : "");
	if (cert) {
		struct keywork_result v;
		issuer_serial_hex(cert, m.cert_serial, sizeof m.cert_serial);
		kw_cert_validity(cert, &v);
		m.not_before_utc = v.not_before_utc;
		m.not_after_utc = v.not_after_utc;
	}
	snprintf(m.old_serial, sizeof m.old_serial, "%s", old ? old : "");
	if (h->mark(h->ctx, &m) == 0 || done)
		return KR_OK;
	return kerr_set(err, KR_IO, "the work journal refused the %s step", work_step_name(step));
}

/* The certificate cert issued for key (done), and about to be written onto it (old: the
 * serial of the one it replaces, or NULL). */
static int write_marks(const struct keywork_hooks *h, const char *key, const X509 *cert,
                       const char *old, struct kerr *err)
{
	kw_mark(h, WORK_ISSUE, 1, key, cert, old, err);
	return kw_mark(h, WORK_WRITE_CERT, 0, key, cert, old, err);
}

static int fail_with(struct keywork_result *res, const char *key, int rc)
{
	res->reason_key = key;
	return rc;
}

static int do_unlock(struct keywork *kw, const struct work_spec *w, const struct keywork_hooks *h,
                     struct keywork_result *res, struct kerr *err)
{
	struct port_key k;
	char so[17];
	int rc;
	if (pin_check(w->pin, NULL) != PIN_GOOD)
		return fail_with(res, pin_verdict_key(pin_check(w->pin, NULL)),
		                 kerr_set(err, KR_INVALID, "weak PIN refused"));
	const char *why = port_key_open(kw, w->key_serial, &k, &rc, err);
	int i = k.i;
	int holder =
	    !why && k.b >= 0 && k.f.subject_ok && strcmp(k.f.subject_id, w->subject_id) == 0;
	port_key_close(&k);
	if (why)
		return fail_with(res, why, rc);
	if (!holder)
		return fail_with(
		    res, "work.key_not_authorised",
		    kerr_set(err, KR_CONFLICT, "the key's holder is not the one authorised"));
	kw_say(h, "work.so_login");
	if ((rc = keywork_so_pin(kw, w->key_serial, so, err)) == KR_OK)
		rc = token_login(kw->tok, i, 1, so, err);
	explicit_bzero(so, sizeof so);
	if (rc != KR_OK)
		return fail_with(res, "work.failed", rc);
	kw_say(h, "work.set_pin");
	rc = kw_mark(h, WORK_SET_PIN, 0, w->key_serial, NULL, NULL, err);
	if (rc == KR_OK)
		rc = token_init_pin(kw->tok, i, w->pin, err);
	token_logout(kw->tok, i);
	if (rc != KR_OK)
		return fail_with(res, "work.failed", rc);
	kw_mark(h, WORK_SET_PIN, 1, w->key_serial, NULL, NULL, err);
	kw_say(h, "work.verify_pin");
	rc = token_login(kw->tok, i, 0, w->pin, err);
	token_logout(kw->tok, i);
	return rc == KR_OK ? KR_OK : fail_with(res, "work.failed", rc);
}

/* The key type of new key pairs ([keys] key_type). */
static enum token_keytype new_key_type(const struct keywork *kw)
{
	return strcmp(kw->c->key_type, "rsa2048") == 0 ? TOKEN_RSA2048 : TOKEN_EC_P256;
}

/* Renewal onto a fresh key pair ([keys] renew_fresh_key = 1) on token i, logged in with
 * the user's own PIN: the new pair is generated beside the old one under a new ID, its
 * certificate issued (local, or a KUR for old whose proof of possession the new key
 * signs), stored under the new ID and checked with a sign-and-verify round trip. Only
 * after that does the caller remove the old certificate: a kill at any point leaves the
 * old pair with its certificate, both, or the new pair with its own; the caller removes
 * the old pair last. *out: caller frees. */
static int renew_fresh(struct keywork *kw, const struct work_spec *w, int64_t now_utc, int i,
                       const struct token_cert *old, int64_t to, const struct keywork_hooks *h,
                       X509 **out, int *pin_refused, struct kerr *err)
{
	unsigned char id[8];
	EVP_PKEY *priv = NULL;
	X509 *neu = NULL;
	int rc = token_login(kw->tok, i, 0, w->pin, err);
	*pin_refused = rc == KR_CONFLICT;
	if (rc == KR_OK) {
		kw_say(h, "work.keygen");
		if (RAND_bytes(id, sizeof id) != 1)
			rc = kerr_set(err, KR_IO, "no random key ID");
	}
	if (rc == KR_OK)
		rc = token_keygen(kw->tok, i, new_key_type(kw), id, sizeof id, old->label, err);
	if (rc == KR_OK && !(priv = token_private_key(kw->tok, i, id, sizeof id, err)))
		rc = KR_IO;
	if (rc == KR_OK) {
		kw_say(h, "work.issue");
		rc = kw_mark(h, WORK_ISSUE, 0, w->key_serial, NULL, NULL, err);
	}
	if (rc == KR_OK) {
		if (kw_is_cmp(kw))
			rc = issuer_cmp_update(&kw->c->cmp, old->x509, priv,
			                       days_until(now_utc, to), w->subject_id, &neu, err);
		else
			rc = kw_issue(kw, -1, priv, PKI_SIGN, X509_get_subject_name(old->x509),
			              w->renew_from_utc, to, w->subject_id, &neu, err);
	}
	if (rc == KR_OK) {
		kw_say(h, "work.write_cert");
		rc = write_marks(h, w->key_serial, neu, NULL, err);
	}
	if (rc == KR_OK)
		rc = token_login(kw->tok, i, 0, w->pin, err); /* the issuer's login came between */
	if (rc == KR_OK)
		rc = token_cert_store(kw->tok, i, neu, id, sizeof id, old->label, err);
	if (rc == KR_OK)
		kw_mark(h, WORK_WRITE_CERT, 1, w->key_serial, neu, NULL, err);
	if (rc == KR_OK) {
		kw_say(h, "work.verify");
		EVP_PKEY_free(priv); /* stale after the login: fetched again */
		priv = token_private_key(kw->tok, i, id, sizeof id, err);
		if (!priv || X509_verify(neu, X509_get0_pubkey(kw->ours)) != 1 ||
		    !pki_sign_verify(priv, neu))
			rc = kerr_set(err, KR_CORRUPT, "the new key and certificate do not work");
		ERR_clear_error();
	}
	EVP_PKEY_free(priv);
	token_logout(kw->tok, i);
	if (rc != KR_OK) {
		X509_free(neu);
		return rc;
	}
	*out = neu;
	return KR_OK;
}

/* Renewal (or a change) of the same key pair on token i: the certificate issued for the
 * public key old holds, for subject from .. to, stored under the same ID before the old
 * one goes. *same: the CA answered with the very certificate the key holds (nothing
 * written). *out: caller frees. */
static int renew_same(struct keywork *kw, const struct work_spec *w, int64_t now_utc, int i,
                      const struct token_cert *old, const X509_NAME *subject, int64_t from,
                      int64_t to, const struct keywork_hooks *h, X509 **out, int *same,
                      struct kerr *err)
{
	X509 *neu = NULL;
	char old_serial[48];
	issuer_serial_hex(old->x509, old_serial, sizeof old_serial);
	kw_say(h, "work.issue");
	int rc = kw_mark(h, WORK_ISSUE, 0, w->key_serial, NULL, old_serial, err);
	if (rc == KR_OK && kw_is_cmp(kw))
		rc = renew_cmp(kw, w, i, old, days_until(now_utc, to), &neu, err);
	else if (rc == KR_OK)
		rc = kw_issue(kw, -1, X509_get0_pubkey(old->x509), PKI_SIGN, subject, from, to,
		              w->subject_id, &neu, err);
	*same = rc == KR_OK && X509_cmp(neu, old->x509) == 0;
	if (rc == KR_OK && !*same) {
		kw_say(h, "work.write_cert");
		rc = write_marks(h, w->key_serial, neu, old_serial, err);
		/* the new one first: a crash in between leaves two, never none */
		if (rc == KR_OK)
			rc = token_cert_store(kw->tok, i, neu, old->id, old->id_len, old->label,
			                      err);
		if (rc == KR_OK)
			kw_mark(h, WORK_WRITE_CERT, 1, w->key_serial, neu, old_serial, err);
	}
	if (rc == KR_OK) {
		kw_say(h, "work.verify");
		/* the same key: its public half as certified before (see token_private_key
		 * on libp11's public keys) */
		if (EVP_PKEY_eq(X509_get0_pubkey(neu), X509_get0_pubkey(old->x509)) != 1 ||
		    X509_verify(neu, X509_get0_pubkey(kw->ours)) != 1)
			rc =
			    kerr_set(err, KR_CORRUPT, "the new certificate does not match the key");
		ERR_clear_error();
	}
	if (rc != KR_OK) {
		X509_free(neu);
		return rc;
	}
	*out = neu;
	return KR_OK;
}

/* The old certificate off token i (key: its serial) once neu is on it, with the
 * half-written leftovers; journaled. A kiosk result. */
static int remove_old(struct keywork *kw, const struct keywork_hooks *h, int i, const char *key,
                      const X509 *neu, const X509 *old, struct kerr *err)
{
	char old_serial[48];
	int removed;
	issuer_serial_hex(old, old_serial, sizeof old_serial);
	int rc = kw_mark(h, WORK_REMOVE_OLD, 0, key, neu, old_serial, err);
	if (rc == KR_OK)
		rc = token_cert_remove(kw->tok, i, old, &removed, err);
	if (rc == KR_OK) {
		token_cert_remove(kw->tok, i, NULL, &removed, err); /* half-written leftovers */
		kw_mark(h, WORK_REMOVE_OLD, 1, key, neu, old_serial, err);
	}
	return rc;
}

/* The encryption half of a renewal or change of the key k (token k->i), whose signing
 * certificate neu now is, for subject from..to: the encryption certificate on the key
 * re-issued for the same escrowed pair, or — a key from before the pairs, with the
 * user's PIN — a new pair delivered. *old_serial: the replaced encryption certificate,
 * "" when none. A kiosk result. */
static int renew_pair(struct keywork *kw, const struct work_spec *w, const struct port_key *k,
                      X509 *neu, const X509_NAME *subject, int64_t from, int64_t to,
                      const struct keywork_hooks *h, char *old_serial, size_t size,
                      struct keywork_result *res, struct kerr *err)
{
	struct token_cert *now = NULL;
	int n = 0, e = kw_pair_find(kw, k->certs, k->n, k->b), rc = KR_OK;
	old_serial[0] = '\0';
	if (kw_is_cmp(kw))
		return KR_OK;
	if (e >= 0)
		return kw_pair_recertify(kw, w, k->i, &k->certs[e], subject, from, to, h,
		                         old_serial, size, res, err);
	if (!w->pin[0]) {
		fprintf(kw->trace, "[keys] no encryption certificate, and no PIN to deliver one\n");
		return KR_OK;
	}
	/* the signing key's ID as the key holds it now (a fresh pair has a new one) */
	if ((rc = token_certs(kw->tok, k->i, &now, &n, err)) != KR_OK)
		return rc;
	rc = kerr_set(err, KR_NOT_FOUND, "the renewed certificate is not on the key");
	for (int c = 0; c < n; c++)
		if (now[c].x509 && now[c].id_len && X509_cmp(now[c].x509, neu) == 0) {
			rc = kw_pair_deliver(kw, w, k->i, w->key_serial, &now[c], h, res, err);
			break;
		}
	token_certs_free(now, n);
	return rc;
}

static int do_renew(struct keywork *kw, const struct work_spec *w, int64_t now_utc,
                    const struct keywork_hooks *h, struct keywork_result *res, struct kerr *err)
{
	struct port_key k;
	X509 *neu = NULL;
	int rc, removed;
	const char *why = port_key_open(kw, w->key_serial, &k, &rc, err);
	if (!why &&
	    (k.b < 0 || k.f.issuer != ISSUER_OURS || strcmp(k.f.subject_id, w->subject_id) != 0)) {
		why = "fit.not_ours";
		rc = kerr_set(err, KR_CONFLICT, "not our certificate");
	}
	if (why) {
		port_key_close(&k);
		return fail_with(res, why, rc);
	}
	int i = k.i, b = k.b;
	struct token_cert *certs = k.certs;
	explicit_bzero(&k.f, sizeof k.f);
	X509 *old = certs[b].x509;
	kw_say(h, "work.csr");
	int years = w->years > 0 ? w->years : 1;
	int64_t to = cntime_add_years(w->renew_from_utc, years);
	int same = 0, pin_refused = 0;
	if (kw->c->renew_fresh_key && w->pin[0]) {
		rc = renew_fresh(kw, w, now_utc, i, &certs[b], to, h, &neu, &pin_refused, err);
	} else {
		if (kw->c->renew_fresh_key)
			fprintf(kw->trace, "[keys] renew_fresh_key: the renewal came without the "
			                   "user's PIN: the key pair is kept\n");
		rc = renew_same(kw, w, now_utc, i, &certs[b], X509_get_subject_name(old),
		                w->renew_from_utc, to, h, &neu, &same, err);
	}
	char enc_old[48];
	if (rc == KR_OK)
		rc = renew_pair(kw, w, &k, neu, X509_get_subject_name(neu), w->renew_from_utc, to,
		                h, enc_old, sizeof enc_old, res, err);
	if (rc == KR_OK) {
		rc = same ? KR_OK : remove_old(kw, h, i, w->key_serial, neu, old, err);
		/* a fresh pair: the old one goes after its certificate (a kill between leaves
		 * a key without a certificate, which nothing uses) */
		if (rc == KR_OK && kw->c->renew_fresh_key && w->pin[0]) {
			if (token_login(kw->tok, i, 0, w->pin, err) != KR_OK ||
			    token_key_remove(kw->tok, i, certs[b].id, certs[b].id_len, &removed,
			                     err) != KR_OK)
				fprintf(kw->trace, "[keys] the old key pair stays on the key: %s\n",
				        err->msg);
			token_logout(kw->tok, i);
		}
		rc = KR_OK; /* the new certificate is in place: an old one left over is harmless */
		issuer_serial_hex(neu, res->cert_serial, sizeof res->cert_serial);
		kw_cert_validity(neu, res);
	}
	X509_free(neu);
	port_key_close(&k);
	return rc == KR_OK
	           ? KR_OK
	           : fail_with(res, pin_refused ? "work.key_pin_wrong" : "work.write_failed", rc);
}

/* A change's old certificate serial revoked for why in the ledger, journaled (*revoked
 * set); one the ledger does not know is left to the central site, which has the order.
 * KR_IO when the journal refused the intent. */
static int revoke_old(struct keywork *kw, const struct keywork_hooks *h, const struct work_spec *w,
                      const char *serial, enum revoke_reason why, int64_t now_utc, int *revoked,
                      struct kerr *err)
{
	struct kerr rerr;
	int rc = kw_mark(h, WORK_REVOKE, 0, w->key_serial, NULL, serial, err);
	if (rc != KR_OK)
		return rc;
	if (issuer_local_revoke_serial(&kw->local, w->subject_id, serial, why, now_utc, &rerr) ==
	    KR_OK) {
		kw_mark(h, WORK_REVOKE, 1, w->key_serial, NULL, serial, err);
		*revoked = 1;
	} else
		fprintf(kw->trace,
		        "[keys] the old certificate %s is the central site's to revoke: %s\n",
		        serial, rerr.msg);
	return KR_OK;
}

/* A change (变更) approved by the central site, picked up with the user's key in the
 * port: a certificate for the same key pair with the approved subject (w->subject_name),
 * valid from now until the old one ends, stored before the old one goes; then the old
 * one is revoked — affiliationChanged when the name changed, superseded otherwise — and
 * the CRL rewritten. An old certificate the ledger does not know is left to the central
 * site, which has the order. The local issuer only: the CMP CA changes a subject through
 * its own process. */
static int do_change(struct keywork *kw, const struct work_spec *w, int64_t now_utc,
                     const struct keywork_hooks *h, struct keywork_result *res, struct kerr *err)
{
	struct port_key k;
	X509 *neu = NULL;
	X509_NAME *subject = NULL;
	struct kerr rerr;
	char old_serial[48], enc_old[48] = "";
	int rc = KR_OK, same = 0;
	const char *why = port_key_open(kw, w->key_serial, &k, &rc, err);
	if (!why &&
	    (k.b < 0 || k.f.issuer != ISSUER_OURS || strcmp(k.f.subject_id, w->subject_id) != 0)) {
		why = "fit.not_ours";
		rc = kerr_set(err, KR_CONFLICT, "not our certificate of the holder");
	}
	if (!why && kw_is_cmp(kw)) {
		why = "work.failed";
		rc = kerr_set(err, KR_INVALID, "a change goes through the CMP CA's own process");
	}
	if (!why && !(subject = pki_subject_build(w->holder, w->subject_name, w->subject_id))) {
		why = "work.failed";
		rc = kerr_set(err, KR_INVALID, "the approved subject does not make a name");
	}
	if (why) {
		port_key_close(&k);
		return fail_with(res, why, rc);
	}
	int renamed = strcmp(k.f.subject_name, w->subject_name) != 0;
	int64_t to = k.f.not_after_utc;
	explicit_bzero(&k.f, sizeof k.f);
	struct token_cert *old = &k.certs[k.b];
	issuer_serial_hex(old->x509, old_serial, sizeof old_serial);
	kw_say(h, "work.csr");
	rc = renew_same(kw, w, now_utc, k.i, old, subject, now_utc, to, h, &neu, &same, err);
	if (rc == KR_OK)
		rc = renew_pair(kw, w, &k, neu, subject, now_utc, to, h, enc_old, sizeof enc_old,
		                res, err);
	X509_NAME_free(subject);
	if (rc == KR_OK && !same)
		remove_old(kw, h, k.i, w->key_serial, neu, old->x509, err);
	if (rc == KR_OK) {
		kw_say(h, "work.revoke_old");
		enum revoke_reason why_old =
		    renamed ? REVOKE_AFFILIATION_CHANGED : REVOKE_SUPERSEDED;
		int revoked = 0;
		rc = revoke_old(kw, h, w, old_serial, why_old, now_utc, &revoked, err);
		if (rc == KR_OK && enc_old[0])
			rc = revoke_old(kw, h, w, enc_old, why_old, now_utc, &revoked, err);
		if (revoked)
			keywork_crl(kw, now_utc, &rerr);
		issuer_serial_hex(neu, res->cert_serial, sizeof res->cert_serial);
		kw_cert_validity(neu, res);
	}
	X509_free(neu);
	port_key_close(&k);
	return rc == KR_OK ? KR_OK : fail_with(res, "work.write_failed", rc);
}

/* Initialises the blank key at token index *i (which token_init may move) under label:
 * the SO PIN derived for serial in place of the blank's, the user's PIN, then a login as
 * the user. The secure module stays logged in on *sm from the SO PIN to the issue (one
 * login); it is logged out again for a CMP issuer or on failure. A kiosk result. */
static int blank_init(struct keywork *kw, int *i, const char *serial, const char *label,
                      const char *pin, int *sm, struct kerr *err)
{
	char blank_so[SECRET_FILE_MAX], so[17];
	int rc = read_secret(kw->c->blank_so_pin_file, blank_so, sizeof blank_so, err);
	if (rc == KR_OK)
		rc = token_init(kw->tok, i, blank_so, label, err);
	if (rc == KR_OK)
		rc = kw_sm_login(kw, sm, err);
	if (rc == KR_OK)
		rc = so_pin_on(kw, *sm, serial, so, err);
	if (rc != KR_OK || kw_is_cmp(kw))
		kw_sm_logout(kw, sm);
	if (rc == KR_OK)
		rc = token_login(kw->tok, *i, 1, blank_so, err);
	if (rc == KR_OK)
		rc = token_set_pin(kw->tok, *i, blank_so, so, err);
	if (rc == KR_OK)
		rc = token_init_pin(kw->tok, *i, pin, err);
	explicit_bzero(blank_so, sizeof blank_so);
	explicit_bzero(so, sizeof so);
	token_logout(kw->tok, *i);
	if (rc == KR_OK)
		rc = token_login(kw->tok, *i, 0, pin, err);
	return rc;
}

/* The seal's record on key i (logged in), naming the certificate cert it goes with. */
static int seal_store(struct keywork *kw, int i, const X509 *cert, struct kerr *err)
{
	char meta[160];
	int len = snprintf(meta, sizeof meta, "kiosk-seal v1; image: template; certificate: ");
	issuer_serial_hex(cert, meta + len, sizeof meta - (size_t)len);
	return token_data_store(kw->tok, i, SEAL_LABEL, "kiosk-seal", meta, strlen(meta), err);
}

/* Personalises the next blank key in the dispenser's slot; main: it gets the seal. */
static int personalise_one(struct keywork *kw, const struct work_spec *w, int main_key, int64_t now,
                           const struct keywork_hooks *h, struct keywork_result *res,
                           struct kerr *err)
{
	char label[33];
	struct token_info ti;
	unsigned char id[8];
	X509 *cert = NULL;
	X509_REQ *req = NULL;
	EVP_PKEY *priv = NULL;
	int rc, sm = -1;
	kw_say(h, "work.dispense");
	if ((rc = token_refresh(kw->tok, err)) != KR_OK)
		return fail_with(res, "work.failed", rc);
	int i = token_find(kw->tok, kw->c->personalisation, 0);
	if (i < 0)
		return fail_with(res, "work.no_blank", kerr_set(err, KR_NOT_FOUND, "no blank key"));
	if ((rc = token_info(kw->tok, i, &ti, err)) != KR_OK)
		return fail_with(res, "work.failed", rc);
	kw_say(h, "work.init_key");
	snprintf(label, sizeof label, "GXCA %s", ti.serial);
	rc = blank_init(kw, &i, ti.serial, label, w->pin, &sm, err);
	if (rc != KR_OK) {
		kw_sm_logout(kw, &sm);
		return fail_with(res, "work.failed", rc);
	}

	kw_say(h, "work.keygen");
	RAND_bytes(id, sizeof id);
	rc = token_keygen(kw->tok, i, new_key_type(kw), id, sizeof id, label, err);
	if (rc == KR_OK && !(priv = token_private_key(kw->tok, i, id, sizeof id, err)))
		rc = KR_IO;
	kw_say(h, "work.csr");
	X509_NAME *subject = pki_subject_build(w->holder, w->subject_name, w->subject_id);
	if (rc == KR_OK && !subject)
		rc = kerr_set(err, KR_INVALID, "bad subject");
	if (rc == KR_OK) {
		req = X509_REQ_new();
		if (!req || !X509_REQ_set_subject_name(req, subject) ||
		    !X509_REQ_set_pubkey(req, priv) || X509_REQ_sign(req, priv, EVP_sha256()) <= 0)
			rc = kerr_set(err, KR_IO,
			              "the certificate request could not be signed on the key");
		ERR_clear_error();
	}
	int years = w->years > 0 ? w->years : 1;
	int64_t to = cntime_add_years(now, years);
	if (rc == KR_OK) {
		kw_say(h, "work.issue");
		rc = kw_mark(h, WORK_ISSUE, 0, ti.serial, NULL, NULL, err);
	}
	if (rc == KR_OK) {
		if (kw_is_cmp(kw))
			rc = issuer_cmp_enrol(&kw->c->cmp, priv, X509_REQ_get_subject_name(req),
			                      days_until(now, to), w->subject_id, &cert, err);
		else
			rc = kw_issue(kw, sm, X509_REQ_get0_pubkey(req), PKI_SIGN,
			              X509_REQ_get_subject_name(req), now, to, w->subject_id, &cert,
			              err);
	}
	kw_sm_logout(kw, &sm);
	if (rc == KR_OK) {
		kw_say(h, "work.write_cert");
		rc = write_marks(h, ti.serial, cert, NULL, err);
	}
	if (rc == KR_OK)
		rc = token_login(kw->tok, i, 0, w->pin, err); /* the issuer's login came between */
	if (rc == KR_OK)
		rc = token_cert_store(kw->tok, i, cert, id, sizeof id, label, err);
	if (rc == KR_OK)
		kw_mark(h, WORK_WRITE_CERT, 1, ti.serial, cert, NULL, err);
	if (rc == KR_OK && main_key && w->seal)
		rc = seal_store(kw, i, cert, err);
	if (rc == KR_OK) {
		kw_say(h, "work.verify");
		/* fetched again: the logout and login since the CSR made the first one stale */
		EVP_PKEY_free(priv);
		priv = token_private_key(kw->tok, i, id, sizeof id, err);
		if (!priv || !pki_sign_verify(priv, cert))
			rc = kerr_set(err, KR_CORRUPT, "sign-and-verify round trip failed");
	}
	token_logout(kw->tok, i);
	if (rc == KR_OK) {
		struct token_cert sign = {.id_len = sizeof id, .x509 = cert};
		memcpy(sign.id, id, sizeof id);
		snprintf(sign.label, sizeof sign.label, "%s", label);
		rc = kw_pair_deliver(kw, w, i, ti.serial, &sign, h, main_key ? res : NULL, err);
	}
	if (rc == KR_OK) {
		kw_say(h, "work.hand_out");
		if (main_key) {
			issuer_serial_hex(cert, res->cert_serial, sizeof res->cert_serial);
			kw_cert_validity(cert, res);
		}
	}
	EVP_PKEY_free(priv);
	X509_REQ_free(req);
	X509_NAME_free(subject);
	X509_free(cert);
	return rc == KR_OK ? KR_OK : fail_with(res, "work.write_failed", rc);
}

int keywork_run(struct keywork *kw, const struct work_spec *w, int64_t now_utc,
                const struct keywork_hooks *h, struct keywork_result *res, struct kerr *err)
{
	memset(res, 0, sizeof *res);
	switch (w->biz) {
	case BIZ_UNLOCK:
		return do_unlock(kw, w, h, res, err);
	case BIZ_RENEW:
		return do_renew(kw, w, now_utc, h, res, err);
	case BIZ_CHANGE:
		return do_change(kw, w, now_utc, h, res, err);
	case BIZ_REVOKE:
		return kw_do_revoke(kw, w, w->revoke_reason, now_utc, h, res, err);
	case BIZ_CHECK:
		return fail_with(res, "work.failed", kerr_set(err, KR_INVALID, "nothing to do"));
	default:
		break;
	}
	/* new, reissue, change, exchange: new keys from the dispenser */
	if (pin_check(w->pin, NULL) != PIN_GOOD)
		return fail_with(res, pin_verdict_key(pin_check(w->pin, NULL)),
		                 kerr_set(err, KR_INVALID, "weak or missing PIN refused"));
	/* a reissue: the lost key's certificates revoked before a new key is made (a redo
	 * after a crash finds them revoked already and goes on) */
	if (w->biz == BIZ_REISSUE) {
		int rc = kw_do_revoke(kw, w, REVOKE_KEY_COMPROMISE, now_utc, h, res, err);
		if (rc != KR_OK)
			return rc;
	}
	for (int k = 0; k <= w->sub_keys; k++) {
		int rc = personalise_one(kw, w, k == 0, now_utc, h, res, err);
		if (rc != KR_OK)
			return rc;
	}
	return KR_OK;
}

int keywork_prove(struct keywork *kw, const char *serial, const char *pin, int staff,
                  struct kerr *err)
{
	struct port_key k;
	EVP_PKEY *priv = NULL;
	int rc;
	if (port_key_open(kw, serial, &k, &rc, err)) {
		port_key_close(&k);
		return rc;
	}
	if (k.b < 0 || k.f.issuer != ISSUER_OURS || (staff && !k.f.staff_role))
		rc = kerr_set(err, KR_INVALID, "the key holds no %s",
		              staff ? "staff certificate" : "certificate of ours");
	else
		rc = token_login(kw->tok, k.i, 0, pin, err);
	if (rc == KR_OK) {
		const struct token_cert *c = &k.certs[k.b];
		priv = token_private_key(kw->tok, k.i, c->id, c->id_len, err);
		if (!priv || !pki_sign_verify(priv, c->x509))
			rc = kerr_set(err, KR_CORRUPT,
			              "the key's private key does not match its certificate");
		token_logout(kw->tok, k.i);
	}
	fprintf(kw->trace, "[keys] %s key proof of possession: %s\n", staff ? "staff" : "user",
	        rc == KR_OK ? "challenge signed and verified" : "failed");
	EVP_PKEY_free(priv);
	port_key_close(&k);
	return rc;
}

int keywork_key_holds(struct keywork *kw, const char *serial, const char *cert_serial,
                      int64_t *not_after_utc)
{
	struct kerr e;
	struct token_cert *certs = NULL;
	char want[64], hex[48];
	int n = 0, holds = 0;
	snprintf(want, sizeof want, "serial:%s", serial);
	int i =
	    serial[0] && token_refresh(kw->tok, &e) == KR_OK ? token_find(kw->tok, want, 0) : -1;
	if (i >= 0 && token_certs(kw->tok, i, &certs, &n, &e) == KR_OK)
		for (int k = 0; k < n && !holds; k++) {
			if (!certs[k].x509)
				continue;
			issuer_serial_hex(certs[k].x509, hex, sizeof hex);
			holds = strcmp(hex, cert_serial) == 0;
			struct keywork_result v;
			kw_cert_validity(certs[k].x509, &v);
			if (holds && not_after_utc)
				*not_after_utc = v.not_after_utc;
		}
	token_certs_free(certs, n);
	return holds;
}
