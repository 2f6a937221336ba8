/* test_envelope.c — encryption key pairs made in the secure module and delivered onto
 * a user's key in an envelope (drivers/token/envelope.h), on the SoftHSM rig through the
 * shim: for RSA and EC signing keys on blank keys, with RSA and EC encryption keys, the
 * envelope made (no object left in the secure module), read, opened onto the key, and
 * the key then used there through libp11 (RSA decryption with PKCS#1 v1.5 and OAEP, ECDH)
 * while it cannot be read or wrapped out; the escrow envelope opened in software with
 * OpenSSL alone; tampered, misaddressed and inconsistent envelopes refused with nothing
 * left on the key. With a folder argument it writes the fuzz seeds of
 * tests/fuzz/envelope there. */
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "drivers/token/envelope.h"
#include "drivers/token/token.h"
#include "drivers/token/token_module.h"
#include "keys_rig.h"

#define NOW       1795262400 /* 2026-11-21 08:00 UTC */
#define BLANK_PIN "123456"   /* tests/rigs/softhsm.sh */

static const char *out_dir; /* argv[1], or NULL */

static void seed(const char *name, const unsigned char *der, size_t len)
{
	char path[4096];
	if (!out_dir)
		return;
	snprintf(path, sizeof path, "%s/%s", out_dir, name);
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(fwrite(der, 1, len, f), len);
		fclose(f);
	}
}

/* Every object a fresh session of token i sees (the login's private ones too). */
static long objects(struct token_ctx *t, int i)
{
	struct kerr err;
	CK_FUNCTION_LIST_PTR f = token_ctx_functions(t);
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE h[64];
	CK_ULONG n = 0;
	long count = 0;
	if (token_session_open(t, i, &s, &err) != KR_OK ||
	    f->C_FindObjectsInit(s, NULL, 0) != CKR_OK)
		return -1;
	while (f->C_FindObjects(s, h, 64, &n) == CKR_OK && n > 0)
		count += (long)n;
	f->C_FindObjectsFinal(s);
	f->C_CloseSession(s);
	return count;
}

/* The key objects (private and public) with id on token i. */
static long keys_with_id(struct token_ctx *t, int i, unsigned char id)
{
	struct kerr err;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE h[8];
	CK_ULONG n = 0;
	CK_ATTRIBUTE a = {CKA_ID, &id, 1};
	if (token_session_open(t, i, &s, &err) != KR_OK ||
	    token_find_objects(t, s, &a, 1, h, 8, &n) != CKR_OK)
		n = 99;
	token_ctx_functions(t)->C_CloseSession(s);
	return (long)n;
}

/* The encryption private key id on token i: what it may do, and that its secret half
 * neither reads nor wraps out. */
static void check_locked_in(struct token_ctx *t, int i, unsigned char id, int rsa)
{
	struct kerr err;
	CK_FUNCTION_LIST_PTR f = token_ctx_functions(t);
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_ID, &id, 1}};
	CK_BBOOL tok = 0, priv = 0, sens = 0, extr = 1, sign = 1, dec = 0, unwrap = 0, derive = 0;
	CK_ATTRIBUTE flags[] = {
	    {CKA_TOKEN, &tok, 1},        {CKA_PRIVATE, &priv, 1},  {CKA_SENSITIVE, &sens, 1},
	    {CKA_EXTRACTABLE, &extr, 1}, {CKA_SIGN, &sign, 1},     {CKA_DECRYPT, &dec, 1},
	    {CKA_UNWRAP, &unwrap, 1},    {CKA_DERIVE, &derive, 1},
	};
	unsigned char secret[512], wrapped[4096], label[16];
	CK_ATTRIBUTE value = {rsa ? CKA_PRIVATE_EXPONENT : CKA_VALUE, secret, sizeof secret};
	CK_ATTRIBUTE la = {CKA_LABEL, label, sizeof label};
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE h, aes;
	CK_ULONG n = 0, wlen = sizeof wrapped, len = 32;
	CK_MECHANISM gen = {CKM_AES_KEY_GEN, NULL, 0}, kwp = {CKM_AES_KEY_WRAP_PAD, NULL, 0};
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE at[] = {
	    {CKA_VALUE_LEN, &len, sizeof len}, {CKA_TOKEN, &no, 1}, {CKA_WRAP, &yes, 1}};
	CHECK_INT(token_session_open(t, i, &s, &err), KR_OK);
	CHECK_INT(token_find_objects(t, s, tmpl, 2, &h, 1, &n), CKR_OK);
	CHECK_INT(n, 1);
	CHECK_INT(f->C_GetAttributeValue(s, h, flags, sizeof flags / sizeof flags[0]), CKR_OK);
	CHECK(tok && priv && sens && !extr && !sign);
	CHECK_INT(dec, rsa);
	CHECK_INT(unwrap, rsa);
	CHECK_INT(derive, !rsa);
	CHECK_INT(f->C_GetAttributeValue(s, h, &la, 1), CKR_OK);
	CHECK(la.ulValueLen == 3 && !memcmp(label, "enc", 3));
	CHECK_INT(f->C_GetAttributeValue(s, h, &value, 1), CKR_ATTRIBUTE_SENSITIVE);
	CHECK_INT(f->C_GenerateKey(s, &gen, at, 3, &aes), CKR_OK);
	CHECK_INT(f->C_WrapKey(s, &kwp, aes, h, wrapped, &wlen), CKR_KEY_UNEXTRACTABLE);
	f->C_DestroyObject(s, aes);
	f->C_CloseSession(s);
}

/* RSA: a random value encrypted to pub in software comes back from the token's key. */
static void check_decrypts(EVP_PKEY *pub, EVP_PKEY *on_token, int padding)
{
	unsigned char secret[32], ct[512], back[512];
	size_t ct_len = sizeof ct, back_len = sizeof back;
	EVP_PKEY_CTX *e = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
	EVP_PKEY_CTX *d = EVP_PKEY_CTX_new(on_token, NULL);
	CHECK(RAND_bytes(secret, sizeof secret) == 1);
	CHECK(e && EVP_PKEY_encrypt_init(e) == 1 && EVP_PKEY_CTX_set_rsa_padding(e, padding) == 1 &&
	      EVP_PKEY_encrypt(e, ct, &ct_len, secret, sizeof secret) == 1);
	CHECK(d && EVP_PKEY_decrypt_init(d) == 1 && EVP_PKEY_CTX_set_rsa_padding(d, padding) == 1);
	CHECK_INT(EVP_PKEY_decrypt(d, back, &back_len, ct, ct_len), 1);
	CHECK(back_len == sizeof secret && !memcmp(back, secret, sizeof secret));
	EVP_PKEY_CTX_free(e);
	EVP_PKEY_CTX_free(d);
}

static size_t derive(EVP_PKEY *mine, EVP_PKEY *peer, unsigned char *out)
{
	size_t len = 32;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(mine, NULL);
	if (!c || EVP_PKEY_derive_init(c) != 1 || EVP_PKEY_derive_set_peer(c, peer) != 1 ||
	    EVP_PKEY_derive(c, out, &len) != 1)
		len = 0;
	EVP_PKEY_CTX_free(c);
	return len;
}

/* EC: the token key's ECDH with a software ephemeral key is the software's with pub. */
static void check_agrees(EVP_PKEY *pub, EVP_PKEY *on_token)
{
	unsigned char a[32], b[32];
	EVP_PKEY *eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	CHECK_INT(derive(eph, pub, a), 32);
	CHECK_INT(derive(on_token, eph, b), 32);
	CHECK(!memcmp(a, b, sizeof a));
	EVP_PKEY_free(eph);
}

/* The envelope's five fields (version, scheme, SPKI, keyEncryption, wrappedKey) as
 * generic ASN.1, for opening in software and for tampering. */
static STACK_OF(ASN1_TYPE) * fields_of(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	STACK_OF(ASN1_TYPE) *s = d2i_ASN1_SEQUENCE_ANY(NULL, &p, (long)len);
	CHECK(s && sk_ASN1_TYPE_num(s) == 5);
	return s;
}

static ASN1_STRING *field(STACK_OF(ASN1_TYPE) * s, int k)
{
	return sk_ASN1_TYPE_value(s, k)->value.asn1_string;
}

/* A copy of der with field k's bytes changed by edit; caller frees. */
static unsigned char *tampered(const unsigned char *der, size_t len, int k,
                               void (*edit)(ASN1_STRING *, const void *), const void *arg,
                               size_t *out_len)
{
	unsigned char *out = NULL;
	STACK_OF(ASN1_TYPE) *s = fields_of(der, len);
	edit(field(s, k), arg);
	int n = i2d_ASN1_SEQUENCE_ANY(s, &out);
	sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
	*out_len = n > 0 ? (size_t)n : 0;
	return out;
}

static void flip_middle(ASN1_STRING *a, const void *unused)
{
	(void)unused;
	a->data[a->length / 2] ^= 0x01;
}

static void replace_spki(ASN1_STRING *a, const void *key)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY((EVP_PKEY *)key, &der);
	CHECK(n > 0 && ASN1_STRING_set(a, der, n) == 1);
	OPENSSL_free(der);
}

/* The escrow envelope opened by the central KMC with OpenSSL alone: RSA-OAEP (SHA-1)
 * gives the AES key, AES-256 key unwrap with padding (RFC 5649) the PKCS#8. */
static EVP_PKEY *open_in_software(const unsigned char *der, size_t len, EVP_PKEY *escrow)
{
	STACK_OF(ASN1_TYPE) *s = fields_of(der, len);
	unsigned char aes[256], p8[4096]; /* OpenSSL decrypts RSA into the modulus' size */
	size_t aes_len = sizeof aes;
	int n = 0, last = 0;
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(escrow, NULL);
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	ASN1_STRING *ke = field(s, 3), *wk = field(s, 4);
	CHECK(c && EVP_PKEY_decrypt_init(c) == 1 &&
	      EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) == 1 &&
	      EVP_PKEY_CTX_set_rsa_oaep_md(c, EVP_sha1()) == 1 &&
	      EVP_PKEY_decrypt(c, aes, &aes_len, ASN1_STRING_get0_data(ke),
	                       (size_t)ASN1_STRING_length(ke)) == 1);
	CHECK_INT(aes_len, 32);
	EVP_CIPHER_CTX_set_flags(x, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	CHECK(EVP_DecryptInit_ex(x, EVP_aes_256_wrap_pad(), NULL, aes, NULL) == 1 &&
	      EVP_DecryptUpdate(x, p8, &n, ASN1_STRING_get0_data(wk), ASN1_STRING_length(wk)) ==
	          1 &&
	      EVP_DecryptFinal_ex(x, p8 + n, &last) == 1);
	const unsigned char *p = p8;
	PKCS8_PRIV_KEY_INFO *info = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, n + last);
	CHECK(info != NULL);
	if (info)
		k = EVP_PKCS82PKEY(info);
	PKCS8_PRIV_KEY_INFO_free(info);
	OPENSSL_cleanse(p8, sizeof p8);
	OPENSSL_cleanse(aes, sizeof aes);
	EVP_CIPHER_CTX_free(x);
	EVP_PKEY_CTX_free(c);
	sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
	return k;
}

struct rig {
	struct token_ctx *t;
	int sm;
	EVP_PKEY *escrow; /* the central KMC's key pair, in software */
};

/* One delivery: the signing key sign_id of user key u (its public half recipient), an
 * encryption key of type enc under id. Returns the envelope (caller frees). */
static unsigned char *deliver(struct rig *r, int u, unsigned char sign_id, EVP_PKEY *recipient,
                              enum token_keytype enc, unsigned char id, size_t *len,
                              const char *name)
{
	struct kerr err = {{0}};
	struct envelope_made m;
	enum envelope_scheme scheme;
	EVP_PKEY *read = NULL;
	int rsa_user = EVP_PKEY_is_a(recipient, "RSA"), rsa_enc = enc == TOKEN_RSA2048;
	long before = objects(r->t, r->sm);
	int rc = envelope_make(r->t, r->sm, enc, recipient, r->escrow, &m, &err);
	if (rc != KR_OK)
		fprintf(stderr, "envelope_make: %s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	CHECK(before > 0);
	CHECK_INT(objects(r->t, r->sm), before); /* every session object gone */
	if (rc != KR_OK)
		return NULL;
	CHECK(m.der && m.len > 0 && m.escrow_der && m.pub);
	CHECK_INT(EVP_PKEY_is_a(m.pub, "RSA"), rsa_enc);

	/* read back: the scheme follows the recipient, the key is the made one */
	CHECK_INT(envelope_read(m.der, m.len, &scheme, &read, &err), KR_OK);
	CHECK_INT(scheme, rsa_user ? ENVELOPE_RSA_OAEP : ENVELOPE_ECDH_P256);
	CHECK(read && EVP_PKEY_eq(read, m.pub) == 1);
	EVP_PKEY_free(read);
	read = NULL;
	CHECK_INT(envelope_read(m.escrow_der, m.escrow_len, &scheme, &read, &err), KR_OK);
	CHECK_INT(scheme, ENVELOPE_RSA_OAEP);
	EVP_PKEY_free(read);

	/* the central KMC opens its copy without any token */
	EVP_PKEY *escrowed = open_in_software(m.escrow_der, m.escrow_len, r->escrow);
	CHECK(escrowed && EVP_PKEY_eq(escrowed, m.pub) == 1);
	EVP_PKEY_free(escrowed);

	rc = envelope_open(r->t, u, &sign_id, 1, m.der, m.len, &id, 1, "enc", &err);
	if (rc != KR_OK)
		fprintf(stderr, "envelope_open: %s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	CHECK_INT(keys_with_id(r->t, u, id), 2); /* the private and the public key */
	check_locked_in(r->t, u, id, rsa_enc);
	/* a second delivery under the same ID is refused, nothing added */
	CHECK_INT(envelope_open(r->t, u, &sign_id, 1, m.der, m.len, &id, 1, "enc", &err),
	          KR_CONFLICT);
	CHECK_INT(keys_with_id(r->t, u, id), 2);

	/* the key works on the token through libp11 */
	EVP_PKEY *k = token_private_key(r->t, u, &id, 1, &err);
	CHECK(k != NULL);
	if (k && rsa_enc) {
		check_decrypts(m.pub, k, RSA_PKCS1_PADDING);
		check_decrypts(m.pub, k, RSA_PKCS1_OAEP_PADDING);
	} else if (k) {
		check_agrees(m.pub, k);
	}
	EVP_PKEY_free(k);
	seed(name, m.der, m.len);
	unsigned char *der = m.der;
	*len = m.len;
	m.der = NULL;
	envelope_made_free(&m);
	return der;
}

/* What no envelope may leave behind: refused with want, no key object with id. */
static void refused(struct rig *r, int u, unsigned char sign_id, const unsigned char *der,
                    size_t len, unsigned char id, int want, const char *says)
{
	struct kerr err = {{0}};
	CHECK_INT(envelope_open(r->t, u, &sign_id, 1, der, len, &id, 1, "enc", &err), want);
	if (!strstr(err.msg, says))
		fprintf(stderr, "refusal says \"%s\", expected \"%s\"\n", err.msg, says);
	CHECK(strstr(err.msg, says) != NULL);
	CHECK_INT(keys_with_id(r->t, u, id), 0);
}

/* Envelopes changed, misaddressed, cut short, for an unknown key: refused, and nothing
 * left on user key u (signing keys 0x51 and 0x52). same and cross are good envelopes for
 * 0x51 (of an encryption key of its type, of the other type). */
static void refusals(struct rig *r, int u, int rsa, const unsigned char *same, size_t len,
                     const unsigned char *cross, size_t len2)
{
	const unsigned char sign_id = 0x51, other_id = 0x52;
	size_t bad_len;

	/* a flipped bit in the wrapped key: the RFC 5649 check fails on the token */
	unsigned char *bad = tampered(same, len, 4, flip_middle, NULL, &bad_len);
	refused(r, u, sign_id, bad, bad_len, 0xe3, KR_CORRUPT, "does not open");
	OPENSSL_free(bad);
	/* for another key of the user's: OAEP refuses (RSA), the agreed key is wrong (EC) */
	refused(r, u, other_id, same, len, 0xe3, KR_CORRUPT, "does not open");
	/* a flipped bit in the key encryption: RSA-OAEP refuses, the point is off the curve */
	bad = tampered(cross, len2, 3, flip_middle, NULL, &bad_len);
	refused(r, u, sign_id, bad, bad_len, 0xe3, KR_CORRUPT,
	        rsa ? "does not open" : "its key encryption");
	OPENSSL_free(bad);
	/* another public key than the wrapped one's: the key is written, fails its proof and
	 * goes */
	EVP_PKEY *stranger = rsa ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)
	                         : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	bad = tampered(same, len, 2, replace_spki, stranger, &bad_len);
	refused(r, u, sign_id, bad, bad_len, 0xe3, KR_CORRUPT, "not the wrapped key's");
	seed(rsa ? "rsa-mismatch.der" : "ec-mismatch.der", bad, bad_len);
	OPENSSL_free(bad);
	EVP_PKEY_free(stranger);
	/* a public key of the other type than the wrapped key's */
	stranger = rsa ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")
	               : EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	bad = tampered(same, len, 2, replace_spki, stranger, &bad_len);
	refused(r, u, sign_id, bad, bad_len, 0xe3, KR_CORRUPT, "does not open");
	OPENSSL_free(bad);
	EVP_PKEY_free(stranger);
	/* cut short, and an unknown signing key */
	refused(r, u, sign_id, same, len / 2, 0xe3, KR_CORRUPT, "envelope refused");
	seed(rsa ? "truncated.der" : "truncated-ec.der", same, len / 2);
	refused(r, u, 0x77, same, len, 0xe3, KR_NOT_FOUND, "no signing private key");
}

/* User key label (a blank key) gets a signing key pair of type, and a second one that
 * envelopes are misaddressed to, then two encryption keys, one of each type. */
static void one_user(struct rig *r, const char *label, enum token_keytype type)
{
	struct kerr err = {{0}};
	const unsigned char sign_id = 0x51, other_id = 0x52;
	int u = token_find(r->t, label, 0), rsa = type == TOKEN_RSA2048;
	size_t len = 0, len2 = 0;
	unsigned char *same = NULL, *cross = NULL;
	CHECK(u >= 0);
	CHECK_INT(token_login(r->t, u, 0, BLANK_PIN, &err), KR_OK);
	CHECK_INT(token_keygen(r->t, u, type, &sign_id, 1, "sign", &err), KR_OK);
	CHECK_INT(token_keygen(r->t, u, type, &other_id, 1, "other", &err), KR_OK);
	/* the recipient as the token gives it (libp11's EVP_PKEY) */
	EVP_PKEY *recipient = token_private_key(r->t, u, &sign_id, 1, &err);
	CHECK(recipient != NULL);
	if (recipient) {
		same = deliver(r, u, sign_id, recipient, type, 0xe1, &len,
		               rsa ? "rsa-rsa.der" : "ec-ec.der");
		cross = deliver(r, u, sign_id, recipient, rsa ? TOKEN_EC_P256 : TOKEN_RSA2048, 0xe2,
		                &len2, rsa ? "rsa-ec.der" : "ec-rsa.der");
	}
	if (same && cross)
		refusals(r, u, rsa, same, len, cross, len2);
	OPENSSL_free(same);
	OPENSSL_free(cross);
	EVP_PKEY_free(recipient);
}

/* An envelope of one scheme is refused by a signing key of the other type. */
static void wrong_scheme(struct rig *r, const char *rsa_label, const char *ec_label)
{
	struct kerr err = {{0}};
	struct envelope_made m;
	const unsigned char sign_id = 0x51, id = 0xe4;
	int u = token_find(r->t, ec_label, 0), v = token_find(r->t, rsa_label, 0);
	EVP_PKEY *rsa = token_private_key(r->t, v, &sign_id, 1, &err);
	CHECK(rsa != NULL);
	if (rsa && envelope_make(r->t, r->sm, TOKEN_EC_P256, rsa, NULL, &m, &err) == KR_OK) {
		CHECK(m.escrow_der == NULL);
		refused(r, u, sign_id, m.der, m.len, id, KR_INVALID, "the signing key is not");
		envelope_made_free(&m);
	} else {
		CHECK(!"no envelope for the RSA signing key");
	}
	EVP_PKEY_free(rsa);
}

/* Recipients the module does not seal for are refused before it is touched. */
static void wrong_recipients(struct rig *r)
{
	struct kerr err = {{0}};
	struct envelope_made m;
	EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	long before = objects(r->t, r->sm);
	CHECK_INT(envelope_make(r->t, r->sm, TOKEN_RSA2048, small, NULL, &m, &err), KR_INVALID);
	CHECK_INT(envelope_make(r->t, r->sm, TOKEN_RSA2048, p384, NULL, &m, &err), KR_INVALID);
	CHECK_INT(envelope_make(r->t, r->sm, TOKEN_RSA2048, r->escrow, p384, &m, &err), KR_INVALID);
	CHECK(m.der == NULL && m.pub == NULL);
	CHECK_INT(objects(r->t, r->sm), before);
	EVP_PKEY_free(small);
	EVP_PKEY_free(p384);
}

static void read_pin(const char *path, char *pin, size_t size)
{
	FILE *f = fopen(path, "r");
	pin[0] = '\0';
	if (f) {
		if (!fgets(pin, (int)size, f))
			pin[0] = '\0';
		fclose(f);
	}
	pin[strcspn(pin, "\n")] = '\0';
}

int main(int argc, char **argv)
{
	char dir[512], pin[64];
	struct conf_keys c;
	struct kerr err = {{0}};
	struct rig r = {0};
	out_dir = argc > 1 ? argv[1] : NULL;
	if (keys_rig_up(dir, sizeof dir, 2, NOW) != 0)
		return 1;
	keys_rig_conf(dir, &c);
	CHECK_INT(token_open(c.module, &r.t, &err), KR_OK);
	r.sm = token_find(r.t, c.secure_module, 0);
	CHECK(r.sm >= 0);
	read_pin(c.secure_pin_file, pin, sizeof pin);
	CHECK_INT(token_login(r.t, r.sm, 0, pin, &err), KR_OK);
	r.escrow = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	CHECK(r.escrow != NULL);

	wrong_recipients(&r);
	one_user(&r, "label:BLANK1", TOKEN_RSA2048);
	one_user(&r, "label:BLANK2", TOKEN_EC_P256);
	wrong_scheme(&r, "label:BLANK1", "label:BLANK2");

	/* a few bytes that are no envelope */
	unsigned char junk[512];
	enum envelope_scheme scheme;
	EVP_PKEY *pub = NULL;
	for (size_t k = 0; k < sizeof junk; k++)
		junk[k] = (unsigned char)(k * 37 + 11);
	CHECK_INT(envelope_read(junk, sizeof junk, &scheme, &pub, &err), KR_CORRUPT);
	CHECK(pub == NULL && scheme == 0);
	seed("garbage.der", junk, sizeof junk);

	EVP_PKEY_free(r.escrow);
	token_close(r.t);
	keys_rig_down(dir);
	ERR_clear_error();
	return check_done();
}
