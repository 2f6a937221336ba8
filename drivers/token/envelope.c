/* envelope.c — the envelope (envelope.h): its DER as an OpenSSL ASN.1 template, made in
 * the secure module and opened on a user's key over the raw function lists
 * (token_module.h). Owns nothing beyond a call: every session object it makes is
 * destroyed before it returns; only envelope_open's key pair stays, on the user's key. */
#include "drivers/token/envelope.h"

#include <assert.h>
#include <openssl/asn1t.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/token/token_module.h"

#define ENVELOPE_VERSION   1
#define ENVELOPE_AES_LEN   32   /* AES-256 */
#define ENVELOPE_POINT_LEN 65   /* an uncompressed P-256 point: 04 || x || y */
#define ENVELOPE_RSA_MIN   2048 /* RSA keys sealed for and delivered, bits */
#define ENVELOPE_RSA_MAX   4096
#define ENVELOPE_RSA_BYTES (ENVELOPE_RSA_MAX / 8)
#define ENVELOPE_WRAP_MIN  16   /* RFC 5649: at least two 64-bit blocks */
#define ENVELOPE_WRAP_MAX  4096 /* the wrap of an RSA-4096 PKCS#8 (about 2.4 KiB) fits */
#define ENVELOPE_OBJECTS   8    /* session objects one call makes at most */

/* ---- the template (docs/envelope.md has it in ASN.1) ---- */
/* clang-format off */

typedef struct {
	ASN1_INTEGER *version;
	ASN1_INTEGER *scheme;
	X509_PUBKEY *key;                  /* the encryption public key */
	ASN1_OCTET_STRING *key_encryption; /* the OAEP-wrapped AES key, or the ephemeral point */
	ASN1_OCTET_STRING *wrapped_key;    /* RFC 5649 wrap of the private key's PKCS#8 */
} ENVELOPE;

ASN1_SEQUENCE(ENVELOPE) = {
	ASN1_SIMPLE(ENVELOPE, version, ASN1_INTEGER),
	ASN1_SIMPLE(ENVELOPE, scheme, ASN1_INTEGER),
	ASN1_SIMPLE(ENVELOPE, key, X509_PUBKEY),
	ASN1_SIMPLE(ENVELOPE, key_encryption, ASN1_OCTET_STRING),
	ASN1_SIMPLE(ENVELOPE, wrapped_key, ASN1_OCTET_STRING),
/* cppcheck-suppress unknownMacro ; OpenSSL's, as cppcheck sees no system headers */
} static_ASN1_SEQUENCE_END(ENVELOPE)

IMPLEMENT_STATIC_ASN1_ALLOC_FUNCTIONS(ENVELOPE)
IMPLEMENT_STATIC_ASN1_ENCODE_FUNCTIONS(ENVELOPE)

/* what the PKCS#11 templates point to (here: after the macros above clang-format is lost
 * until a ";") */
static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
static CK_OBJECT_CLASS secret_class = CKO_SECRET_KEY, public_class = CKO_PUBLIC_KEY,
                       private_class = CKO_PRIVATE_KEY;
static CK_KEY_TYPE aes_type = CKK_AES;
static CK_ULONG aes_len = ENVELOPE_AES_LEN;

/* clang-format on */

#define ENVELOPE_MISMATCH "the envelope's public key is not the wrapped key's"

/* ---- keys in software ---- */

static int is_p256(const EVP_PKEY *k)
{
	char group[32];
	return EVP_PKEY_is_a(k, "EC") &&
	       EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
	                                      NULL) == 1 &&
	       strcmp(group, "prime256v1") == 0;
}

/* The scheme of an envelope for k, 0 when k is not a key we handle (RSA of
 * ENVELOPE_RSA_MIN..MAX bits, EC P-256); the same keys are the ones an envelope delivers. */
static int scheme_of(const EVP_PKEY *k)
{
	if (EVP_PKEY_is_a(k, "RSA")) {
		int bits = EVP_PKEY_get_bits(k);
		return bits >= ENVELOPE_RSA_MIN && bits <= ENVELOPE_RSA_MAX ? ENVELOPE_RSA_OAEP : 0;
	}
	return is_p256(k) ? ENVELOPE_ECDH_P256 : 0;
}

/* k's point (k EC P-256), uncompressed. 1 or 0. */
static int point_of(const EVP_PKEY *k, unsigned char pt[ENVELOPE_POINT_LEN])
{
	BIGNUM *x = NULL, *y = NULL;
	int ok = EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
	         EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1 &&
	         BN_bn2binpad(x, pt + 1, 32) == 32 && BN_bn2binpad(y, pt + 33, 32) == 32;
	pt[0] = 0x04;
	BN_free(x);
	BN_free(y);
	return ok;
}

/* A public key of type ("RSA", "EC") from params, or NULL. Decoding an EC point checks
 * that it lies on the curve. */
static EVP_PKEY *key_from(const char *type, OSSL_PARAM *params)
{
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (!c || EVP_PKEY_fromdata_init(c) != 1 ||
	    EVP_PKEY_fromdata(c, &k, EVP_PKEY_PUBLIC_KEY, params) != 1)
		k = NULL;
	EVP_PKEY_CTX_free(c);
	return k;
}

/* The P-256 key at point pt (len bytes, uncompressed), or NULL: off the curve too. */
static EVP_PKEY *ec_at(const unsigned char *pt, size_t len)
{
	OSSL_PARAM p[] = {
	    OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"prime256v1", 0),
	    OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pt, len),
	    OSSL_PARAM_construct_end(),
	};
	if (len != ENVELOPE_POINT_LEN || pt[0] != 0x04)
		return NULL;
	return key_from("EC", p);
}

/* The RSA key (n, e), big-endian, or NULL. */
static EVP_PKEY *rsa_of(const unsigned char *n, size_t nlen, const unsigned char *e, size_t elen)
{
	EVP_PKEY *k = NULL;
	OSSL_PARAM *p = NULL;
	BIGNUM *bn = BN_bin2bn(n, (int)nlen, NULL), *be = BN_bin2bn(e, (int)elen, NULL);
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	if (bn && be && b && OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, bn) &&
	    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, be) &&
	    (p = OSSL_PARAM_BLD_to_param(b)))
		k = key_from("RSA", p);
	OSSL_PARAM_free(p);
	OSSL_PARAM_BLD_free(b);
	BN_free(bn);
	BN_free(be);
	return k;
}

/* k's public half as a key of its own, through its SubjectPublicKeyInfo: libp11's token
 * keys give the SPKI but not every parameter (an RSA key's modulus). NULL when none. */
static EVP_PKEY *public_copy(const EVP_PKEY *k)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);
	const unsigned char *p = der;
	EVP_PKEY *copy = n > 0 ? d2i_PUBKEY(NULL, &p, n) : NULL;
	OPENSSL_free(der);
	return copy;
}

/* ---- keys in a module ---- */

/* A public key's PKCS#11 values: CKA_KEY_TYPE, and the modulus and exponent (RSA) or the
 * parameters and the point as a DER OCTET STRING (EC) in a[0..2). */
struct pub_attrs {
	CK_KEY_TYPE type;
	unsigned char n[ENVELOPE_RSA_BYTES], e[8], point[2 + ENVELOPE_POINT_LEN];
	CK_ATTRIBUTE a[2];
};

/* Fills v from k (a key scheme_of accepts). 1 or 0. */
static int pub_attrs_of(const EVP_PKEY *k, struct pub_attrs *v)
{
	BIGNUM *n = NULL, *e = NULL;
	int ok;
	if (!EVP_PKEY_is_a(k, "RSA")) {
		v->type = CKK_EC;
		v->point[0] = 0x04; /* OCTET STRING of 65 bytes: CKA_EC_POINT is DER */
		v->point[1] = ENVELOPE_POINT_LEN;
		v->a[0] =
		    (CK_ATTRIBUTE){CKA_EC_PARAMS, (void *)token_ec_p256, sizeof token_ec_p256};
		v->a[1] = (CK_ATTRIBUTE){CKA_EC_POINT, v->point, sizeof v->point};
		return point_of(k, v->point + 2);
	}
	v->type = CKK_RSA;
	ok = EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
	     EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e) == 1 &&
	     BN_num_bytes(n) <= (int)sizeof v->n && BN_num_bytes(e) <= (int)sizeof v->e;
	if (ok) {
		v->a[0] = (CK_ATTRIBUTE){CKA_MODULUS, v->n, (CK_ULONG)BN_bn2bin(n, v->n)};
		v->a[1] = (CK_ATTRIBUTE){CKA_PUBLIC_EXPONENT, v->e, (CK_ULONG)BN_bn2bin(e, v->e)};
	}
	BN_free(n);
	BN_free(e);
	return ok;
}

/* A raw session on one token and the session objects made in it, destroyed together. */
struct work {
	struct token_ctx *t;
	CK_FUNCTION_LIST_PTR f;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE made[ENVELOPE_OBJECTS];
	int n;
};

static void work_keep(struct work *w, CK_OBJECT_HANDLE h)
{
	assert(w->n < ENVELOPE_OBJECTS);
	w->made[w->n++] = h;
}

static void work_end(struct work *w)
{
	while (w->n > 0)
		w->f->C_DestroyObject(w->s, w->made[--w->n]);
	w->f->C_CloseSession(w->s); /* would take a session object that refused to go */
}

/* The public key of module object h (the type's attributes read) as an EVP_PKEY. */
static EVP_PKEY *module_public(struct work *w, CK_OBJECT_HANDLE h, enum token_keytype type)
{
	unsigned char n[ENVELOPE_RSA_BYTES], e[8], pt[2 + ENVELOPE_POINT_LEN];
	CK_ATTRIBUTE rsa[] = {{CKA_MODULUS, n, sizeof n}, {CKA_PUBLIC_EXPONENT, e, sizeof e}};
	CK_ATTRIBUTE ec = {CKA_EC_POINT, pt, sizeof pt};
	if (type == TOKEN_RSA2048)
		return w->f->C_GetAttributeValue(w->s, h, rsa, 2) == CKR_OK
		           ? rsa_of(n, rsa[0].ulValueLen, e, rsa[1].ulValueLen)
		           : NULL;
	/* a DER OCTET STRING of the 65-byte point */
	if (w->f->C_GetAttributeValue(w->s, h, &ec, 1) != CKR_OK || ec.ulValueLen != sizeof pt ||
	    pt[0] != 0x04 || pt[1] != ENVELOPE_POINT_LEN)
		return NULL;
	return ec_at(pt + 2, ENVELOPE_POINT_LEN);
}

/* ECDH of the module's private key priv with point pt (CKD_NULL: SoftHSM 2.6.1 has no
 * KDF, the key is the shared x-coordinate) into a session secret key made by tmpl. */
static CK_RV ecdh(struct work *w, CK_OBJECT_HANDLE priv, const unsigned char *pt,
                  CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE *out)
{
	CK_ECDH1_DERIVE_PARAMS p = {CKD_NULL, 0, NULL, ENVELOPE_POINT_LEN, (unsigned char *)pt};
	CK_MECHANISM m = {CKM_ECDH1_DERIVE, &p, sizeof p};
	CK_RV rv = w->f->C_DeriveKey(w->s, &m, priv, tmpl, n, out);
	if (rv == CKR_OK)
		work_keep(w, *out);
	return rv;
}

/* RSA-OAEP as SoftHSM 2.6.1 wraps and unwraps with it: SHA-1, MGF1-SHA-1, no label (it
 * answers CKR_ARGUMENTS_BAD to SHA-256). */
static CK_RSA_PKCS_OAEP_PARAMS oaep = {CKM_SHA_1, CKG_MGF1_SHA1, CKZ_DATA_SPECIFIED, NULL, 0};

/* ---- making ---- */

/* The encryption key pair as session objects; the private key sensitive, extractable
 * only so that it can be wrapped, and of no use in the module itself. */
static int make_pair(struct work *w, enum token_keytype type, CK_OBJECT_HANDLE *pub,
                     CK_OBJECT_HANDLE *priv, struct kerr *err)
{
	CK_ULONG bits = 2048;
	CK_MECHANISM m = {type == TOKEN_EC_P256 ? CKM_EC_KEY_PAIR_GEN : CKM_RSA_PKCS_KEY_PAIR_GEN,
	                  NULL, 0};
	CK_ATTRIBUTE pt[] = {
	    {CKA_TOKEN, &no, sizeof no},
	    /* EC; the RSA pair replaces this and adds the size */
	    {CKA_EC_PARAMS, (void *)token_ec_p256, sizeof token_ec_p256},
	    {CKA_MODULUS_BITS, &bits, sizeof bits},
	};
	if (type == TOKEN_RSA2048)
		pt[1] =
		    (CK_ATTRIBUTE){CKA_PUBLIC_EXPONENT, (void *)token_rsa_f4, sizeof token_rsa_f4};
	CK_ATTRIBUTE st[] = {
	    {CKA_TOKEN, &no, sizeof no},       {CKA_PRIVATE, &yes, sizeof yes},
	    {CKA_SENSITIVE, &yes, sizeof yes}, {CKA_EXTRACTABLE, &yes, sizeof yes},
	    {CKA_SIGN, &no, sizeof no},        {CKA_DECRYPT, &no, sizeof no},
	    {CKA_UNWRAP, &no, sizeof no},      {CKA_DERIVE, &no, sizeof no},
	};
	CK_RV rv = w->f->C_GenerateKeyPair(w->s, &m, pt, type == TOKEN_RSA2048 ? 3 : 2, st,
	                                   sizeof st / sizeof st[0], pub, priv);
	if (rv != CKR_OK)
		return token_fail_rv(w->t, err, "C_GenerateKeyPair (encryption key)", rv);
	work_keep(w, *pub);
	work_keep(w, *priv);
	return KR_OK;
}

/* RSA recipient: a fresh AES key (*aes) and its OAEP wrap for the recipient in out. */
static int aes_for_rsa(struct work *w, const struct pub_attrs *r, CK_OBJECT_HANDLE *aes,
                       unsigned char *out, CK_ULONG *len, struct kerr *err)
{
	CK_MECHANISM gen = {CKM_AES_KEY_GEN, NULL, 0},
	             wrap = {CKM_RSA_PKCS_OAEP, &oaep, sizeof oaep};
	CK_ATTRIBUTE at[] = {
	    {CKA_VALUE_LEN, &aes_len, sizeof aes_len},
	    {CKA_TOKEN, &no, sizeof no},
	    {CKA_SENSITIVE, &yes, sizeof yes},
	    {CKA_EXTRACTABLE, &yes, sizeof yes},
	    {CKA_WRAP, &yes, sizeof yes},
	    {CKA_ENCRYPT, &no, sizeof no},
	    {CKA_DECRYPT, &no, sizeof no},
	};
	CK_ATTRIBUTE rt[] = {
	    {CKA_CLASS, &public_class, sizeof public_class},
	    {CKA_KEY_TYPE, (void *)&r->type, sizeof r->type},
	    {CKA_TOKEN, &no, sizeof no},
	    {CKA_WRAP, &yes, sizeof yes},
	    r->a[0],
	    r->a[1],
	};
	CK_OBJECT_HANDLE to;
	CK_RV rv = w->f->C_GenerateKey(w->s, &gen, at, sizeof at / sizeof at[0], aes);
	if (rv != CKR_OK)
		return token_fail_rv(w->t, err, "C_GenerateKey (AES)", rv);
	work_keep(w, *aes);
	if ((rv = w->f->C_CreateObject(w->s, rt, sizeof rt / sizeof rt[0], &to)) != CKR_OK)
		return token_fail_rv(w->t, err, "C_CreateObject (recipient key)", rv);
	work_keep(w, to);
	if ((rv = w->f->C_WrapKey(w->s, &wrap, to, *aes, out, len)) != CKR_OK)
		return token_fail_rv(w->t, err, "C_WrapKey (RSA-OAEP)", rv);
	return KR_OK;
}

/* EC recipient: an ephemeral pair, the AES key (*aes) it agrees with the recipient's
 * point, and the ephemeral point in out. */
static int aes_for_ec(struct work *w, const struct pub_attrs *r, CK_OBJECT_HANDLE *aes,
                      unsigned char *out, CK_ULONG *len, struct kerr *err)
{
	unsigned char pt[2 + ENVELOPE_POINT_LEN];
	CK_MECHANISM gen = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
	CK_ATTRIBUTE pt_tmpl[] = {
	    {CKA_TOKEN, &no, sizeof no},
	    {CKA_EC_PARAMS, (void *)token_ec_p256, sizeof token_ec_p256},
	};
	CK_ATTRIBUTE st[] = {
	    {CKA_TOKEN, &no, sizeof no},       {CKA_PRIVATE, &yes, sizeof yes},
	    {CKA_SENSITIVE, &yes, sizeof yes}, {CKA_EXTRACTABLE, &no, sizeof no},
	    {CKA_DERIVE, &yes, sizeof yes},    {CKA_SIGN, &no, sizeof no},
	};
	CK_ATTRIBUTE at[] = {
	    {CKA_CLASS, &secret_class, sizeof secret_class},
	    {CKA_KEY_TYPE, &aes_type, sizeof aes_type},
	    {CKA_VALUE_LEN, &aes_len, sizeof aes_len},
	    {CKA_TOKEN, &no, sizeof no},
	    {CKA_SENSITIVE, &yes, sizeof yes},
	    {CKA_EXTRACTABLE, &no, sizeof no},
	    {CKA_WRAP, &yes, sizeof yes},
	};
	CK_ATTRIBUTE pa = {CKA_EC_POINT, pt, sizeof pt};
	CK_OBJECT_HANDLE epub, epriv;
	CK_RV rv = w->f->C_GenerateKeyPair(w->s, &gen, pt_tmpl, 2, st, sizeof st / sizeof st[0],
	                                   &epub, &epriv);
	if (rv != CKR_OK)
		return token_fail_rv(w->t, err, "C_GenerateKeyPair (ephemeral)", rv);
	work_keep(w, epub);
	work_keep(w, epriv);
	if ((rv = ecdh(w, epriv, r->point + 2, at, sizeof at / sizeof at[0], aes)) != CKR_OK)
		return token_fail_rv(w->t, err, "C_DeriveKey (ECDH)", rv);
	if ((rv = w->f->C_GetAttributeValue(w->s, epub, &pa, 1)) != CKR_OK)
		return token_fail_rv(w->t, err, "C_GetAttributeValue (ephemeral point)", rv);
	if (pa.ulValueLen != sizeof pt || pt[0] != 0x04 || pt[1] != ENVELOPE_POINT_LEN ||
	    *len < ENVELOPE_POINT_LEN)
		return kerr_set(err, KR_IO, "the module's ephemeral point is not a P-256 point");
	memcpy(out, pt + 2, ENVELOPE_POINT_LEN);
	*len = ENVELOPE_POINT_LEN;
	return KR_OK;
}

/* The DER of an envelope into *der (OPENSSL_free) and *len. */
static int encode(int scheme, EVP_PKEY *pub, const unsigned char *keyenc, size_t keyenc_len,
                  const unsigned char *wrapped, size_t wrapped_len, unsigned char **der,
                  size_t *len, struct kerr *err)
{
	ENVELOPE *e = ENVELOPE_new();
	int n = -1;
	if (e && ASN1_INTEGER_set_int64(e->version, ENVELOPE_VERSION) &&
	    ASN1_INTEGER_set_int64(e->scheme, scheme) && X509_PUBKEY_set(&e->key, pub) &&
	    ASN1_OCTET_STRING_set(e->key_encryption, keyenc, (int)keyenc_len) &&
	    ASN1_OCTET_STRING_set(e->wrapped_key, wrapped, (int)wrapped_len))
		n = i2d_ENVELOPE(e, der);
	ENVELOPE_free(e);
	if (n <= 0)
		return kerr_set(err, KR_NOMEM, "the envelope does not encode");
	*len = (size_t)n;
	return KR_OK;
}

/* An envelope of the module's private key priv (public key pub) for the key to. */
static int seal_for(struct work *w, CK_OBJECT_HANDLE priv, EVP_PKEY *pub,
                    const struct pub_attrs *to, unsigned char **der, size_t *len, struct kerr *err)
{
	unsigned char keyenc[ENVELOPE_RSA_BYTES], wrapped[ENVELOPE_WRAP_MAX];
	CK_ULONG keyenc_len = sizeof keyenc, wrapped_len = sizeof wrapped;
	CK_MECHANISM kwp = {CKM_AES_KEY_WRAP_PAD, NULL, 0};
	CK_OBJECT_HANDLE aes;
	int scheme = to->type == CKK_RSA ? ENVELOPE_RSA_OAEP : ENVELOPE_ECDH_P256;
	int rc = scheme == ENVELOPE_RSA_OAEP ? aes_for_rsa(w, to, &aes, keyenc, &keyenc_len, err)
	                                     : aes_for_ec(w, to, &aes, keyenc, &keyenc_len, err);
	if (rc != KR_OK)
		return rc;
	CK_RV rv = w->f->C_WrapKey(w->s, &kwp, aes, priv, wrapped, &wrapped_len);
	if (rv != CKR_OK)
		return token_fail_rv(w->t, err, "C_WrapKey (AES key wrap with padding)", rv);
	return encode(scheme, pub, keyenc, keyenc_len, wrapped, wrapped_len, der, len, err);
}

void envelope_made_free(struct envelope_made *m)
{
	OPENSSL_free(m->der);
	OPENSSL_free(m->escrow_der);
	EVP_PKEY_free(m->pub);
	memset(m, 0, sizeof *m);
}

int envelope_make(struct token_ctx *t, int i, enum token_keytype type, const EVP_PKEY *recipient,
                  const EVP_PKEY *escrow, struct envelope_made *out, struct kerr *err)
{
	struct work w = {.t = t, .f = token_ctx_functions(t)};
	struct pub_attrs to, esc;
	CK_OBJECT_HANDLE pub, priv;
	EVP_PKEY *r = public_copy(recipient), *x = escrow ? public_copy(escrow) : NULL;
	int rc = KR_OK;
	memset(out, 0, sizeof *out);
	if (!r || !scheme_of(r) || !pub_attrs_of(r, &to))
		rc = kerr_set(err, KR_INVALID,
		              "no envelope for this recipient: RSA of %d to %d bits or EC P-256",
		              ENVELOPE_RSA_MIN, ENVELOPE_RSA_MAX);
	else if (escrow && (!x || scheme_of(x) != ENVELOPE_RSA_OAEP || !pub_attrs_of(x, &esc)))
		rc = kerr_set(err, KR_INVALID, "the escrow key is not RSA of %d to %d bits",
		              ENVELOPE_RSA_MIN, ENVELOPE_RSA_MAX);
	EVP_PKEY_free(r);
	EVP_PKEY_free(x);
	if (rc != KR_OK || (rc = token_session_open(t, i, &w.s, err)) != KR_OK) {
		ERR_clear_error();
		return rc;
	}
	rc = make_pair(&w, type, &pub, &priv, err);
	if (rc == KR_OK && !(out->pub = module_public(&w, pub, type)))
		rc =
		    kerr_set(err, KR_IO, "the encryption public key does not read from the module");
	if (rc == KR_OK)
		rc = seal_for(&w, priv, out->pub, &to, &out->der, &out->len, err);
	if (rc == KR_OK && escrow)
		rc = seal_for(&w, priv, out->pub, &esc, &out->escrow_der, &out->escrow_len, err);
	work_end(&w);
	if (rc != KR_OK)
		envelope_made_free(out);
	ERR_clear_error();
	return rc;
}

/* ---- reading ---- */

/* Parses and checks der: *out, its scheme and its encryption key (*pub). KR_CORRUPT. */
static int parse(const unsigned char *der, size_t len, ENVELOPE **out, int *scheme, EVP_PKEY **pub,
                 struct kerr *err)
{
	const unsigned char *p = der;
	unsigned char *back = NULL;
	ENVELOPE *e = NULL;
	EVP_PKEY *k = NULL, *point = NULL;
	int64_t version = 0, s = 0;
	const char *why = NULL;
	int n = 0, kelen = 0, wlen = 0;
	if (len == 0 || len > ENVELOPE_MAX_DER)
		why = "its size";
	else if (!(e = d2i_ENVELOPE(NULL, &p, (long)len)) || p != der + len)
		why = "not an envelope";
	else if ((n = i2d_ENVELOPE(e, &back)) < 0 || (size_t)n != len ||
	         memcmp(back, der, len) != 0)
		why = "not DER"; /* BER's other encodings of the same value */
	else if (!ASN1_INTEGER_get_int64(&version, e->version) || version != ENVELOPE_VERSION)
		why = "its version";
	else if (!ASN1_INTEGER_get_int64(&s, e->scheme) ||
	         (s != ENVELOPE_RSA_OAEP && s != ENVELOPE_ECDH_P256))
		why = "its scheme";
	else if (!(k = X509_PUBKEY_get(e->key)) || !scheme_of(k))
		why = "its encryption key"; /* the SPKI's decoding checks an EC point */
	else if ((kelen = ASN1_STRING_length(e->key_encryption)) < 0 ||
	         (s == ENVELOPE_RSA_OAEP &&
	          (kelen < ENVELOPE_RSA_MIN / 8 || kelen > ENVELOPE_RSA_BYTES)) ||
	         (s == ENVELOPE_ECDH_P256 &&
	          !(point = ec_at(ASN1_STRING_get0_data(e->key_encryption), (size_t)kelen))))
		why = "its key encryption"; /* an ephemeral point must be on the curve */
	else if ((wlen = ASN1_STRING_length(e->wrapped_key)) < ENVELOPE_WRAP_MIN ||
	         wlen > ENVELOPE_WRAP_MAX || wlen % 8 != 0)
		why = "its wrapped key";
	OPENSSL_free(back);
	EVP_PKEY_free(point);
	ERR_clear_error();
	if (why) {
		ENVELOPE_free(e);
		EVP_PKEY_free(k);
		*out = NULL;
		*pub = NULL;
		*scheme = 0;
		return kerr_set(err, KR_CORRUPT, "envelope refused: %s", why);
	}
	*out = e;
	*pub = k;
	*scheme = (int)s;
	return KR_OK;
}

int envelope_read(const unsigned char *der, size_t len, enum envelope_scheme *scheme,
                  EVP_PKEY **pub, struct kerr *err)
{
	ENVELOPE *e;
	int s;
	int rc = parse(der, len, &e, &s, pub, err);
	ENVELOPE_free(e);
	*scheme = (enum envelope_scheme)s;
	return rc;
}

/* ---- opening ---- */

/* A failure to open (an unwrap or a derivation refused): KR_CORRUPT when the module
 * says the data is bad — SoftHSM 2.6.1 says CKR_GENERAL_ERROR for a failed OAEP or
 * RFC 5649 integrity check, CKR_FUNCTION_FAILED for a wrapped key of another type than
 * the envelope's public key — else as token_fail_rv. */
static int not_opened(struct work *w, const char *what, CK_RV rv, struct kerr *err)
{
	struct kerr e;
	int rc = token_fail_rv(w->t, &e, what, rv);
	if (rv == CKR_GENERAL_ERROR || rv == CKR_FUNCTION_FAILED ||
	    rv == CKR_ENCRYPTED_DATA_INVALID || rv == CKR_ENCRYPTED_DATA_LEN_RANGE ||
	    rv == CKR_WRAPPED_KEY_INVALID || rv == CKR_WRAPPED_KEY_LEN_RANGE)
		return kerr_set(err, KR_CORRUPT,
		                "the envelope does not open with this key (damaged, or for "
		                "another key): %s",
		                e.msg);
	return kerr_set(err, rc, "%s", e.msg);
}

/* The signing private key sign_id, of the type scheme is for. */
static int signing_key(struct work *w, const unsigned char *id, size_t id_len, int scheme,
                       CK_OBJECT_HANDLE *h, struct kerr *err)
{
	CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &private_class, sizeof private_class},
	                       {CKA_ID, (void *)id, id_len}};
	CK_KEY_TYPE type = 0;
	CK_ATTRIBUTE ta = {CKA_KEY_TYPE, &type, sizeof type};
	CK_ULONG n = 0;
	CK_RV rv = token_find_objects(w->t, w->s, tmpl, 2, h, 1, &n);
	if (rv == CKR_OK && n == 1)
		rv = w->f->C_GetAttributeValue(w->s, *h, &ta, 1);
	if (rv != CKR_OK)
		return token_fail_rv(w->t, err, "C_FindObjects (signing key)", rv);
	if (n == 0)
		return kerr_set(err, KR_NOT_FOUND, "no signing private key with this ID");
	if ((type == CKK_RSA) != (scheme == ENVELOPE_RSA_OAEP) ||
	    (type != CKK_RSA && type != CKK_EC))
		return kerr_set(err, KR_INVALID,
		                "an envelope for an %s key, the signing key is not",
		                scheme == ENVELOPE_RSA_OAEP ? "RSA" : "EC");
	return KR_OK;
}

/* KR_CONFLICT when a key object with id is on the token. */
static int id_unused(struct work *w, const unsigned char *id, size_t id_len, struct kerr *err)
{
	CK_OBJECT_CLASS classes[] = {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY};
	CK_OBJECT_HANDLE h;
	for (size_t c = 0; c < sizeof classes / sizeof classes[0]; c++) {
		CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &classes[c], sizeof classes[c]},
		                       {CKA_ID, (void *)id, id_len}};
		CK_ULONG n = 0;
		CK_RV rv = token_find_objects(w->t, w->s, tmpl, 2, &h, 1, &n);
		if (rv != CKR_OK)
			return token_fail_rv(w->t, err, "C_FindObjects (encryption key ID)", rv);
		if (n > 0)
			return kerr_set(err, KR_CONFLICT,
			                "a key with the encryption key's ID is there");
	}
	return KR_OK;
}

/* The envelope's AES key as a session key that can only unwrap, from the signing key. */
static int open_aes(struct work *w, ENVELOPE *e, int scheme, CK_OBJECT_HANDLE sign,
                    CK_OBJECT_HANDLE *aes, struct kerr *err)
{
	CK_MECHANISM m = {CKM_RSA_PKCS_OAEP, &oaep, sizeof oaep};
	CK_ATTRIBUTE at[] = {
	    {CKA_CLASS, &secret_class, sizeof secret_class},
	    {CKA_KEY_TYPE, &aes_type, sizeof aes_type},
	    {CKA_TOKEN, &no, sizeof no},
	    {CKA_SENSITIVE, &yes, sizeof yes},
	    {CKA_EXTRACTABLE, &no, sizeof no},
	    {CKA_UNWRAP, &yes, sizeof yes},
	    {CKA_VALUE_LEN, &aes_len, sizeof aes_len}, /* ECDH: the mechanism does not say */
	};
	const unsigned char *ke = ASN1_STRING_get0_data(e->key_encryption);
	CK_ULONG n = sizeof at / sizeof at[0];
	CK_RV rv;
	if (scheme == ENVELOPE_ECDH_P256) {
		if ((rv = ecdh(w, sign, ke, at, n, aes)) != CKR_OK)
			return not_opened(w, "C_DeriveKey (ECDH)", rv, err);
		return KR_OK;
	}
	/* OAEP carries the length: CKA_VALUE_LEN left out, and not checked after (SoftHSM 2.6.1
	 * reads 0 on an unwrapped key); a shorter key weakens only the maker's own wrap */
	rv = w->f->C_UnwrapKey(w->s, &m, sign, (CK_BYTE_PTR)ke,
	                       (CK_ULONG)ASN1_STRING_length(e->key_encryption), at, n - 1, aes);
	if (rv != CKR_OK)
		return not_opened(w, "C_UnwrapKey (RSA-OAEP)", rv, err);
	work_keep(w, *aes);
	return KR_OK;
}

/* The private key under aes onto the token as *priv: sensitive, never extractable, for
 * decryption and unwrapping (RSA) or derivation (EC) only. */
static int unwrap_private(struct work *w, ENVELOPE *e, const struct pub_attrs *v,
                          CK_OBJECT_HANDLE aes, const unsigned char *id, size_t id_len,
                          const char *label, CK_OBJECT_HANDLE *priv, struct kerr *err)
{
	CK_BBOOL *rsa = v->type == CKK_RSA ? &yes : &no, *ec = v->type == CKK_RSA ? &no : &yes;
	CK_MECHANISM m = {CKM_AES_KEY_WRAP_PAD, NULL, 0};
	CK_ATTRIBUTE pt[] = {
	    {CKA_CLASS, &private_class, sizeof private_class},
	    {CKA_KEY_TYPE, (void *)&v->type, sizeof v->type},
	    {CKA_TOKEN, &yes, sizeof yes},
	    {CKA_PRIVATE, &yes, sizeof yes},
	    {CKA_SENSITIVE, &yes, sizeof yes},
	    {CKA_EXTRACTABLE, &no, sizeof no},
	    {CKA_SIGN, &no, sizeof no},
	    {CKA_DECRYPT, rsa, sizeof yes},
	    {CKA_UNWRAP, rsa, sizeof yes},
	    {CKA_DERIVE, ec, sizeof yes},
	    {CKA_ID, (void *)id, id_len},
	    {CKA_LABEL, (void *)label, strlen(label)},
	};
	CK_RV rv = w->f->C_UnwrapKey(
	    w->s, &m, aes, (CK_BYTE_PTR)ASN1_STRING_get0_data(e->wrapped_key),
	    (CK_ULONG)ASN1_STRING_length(e->wrapped_key), pt, sizeof pt / sizeof pt[0], priv);
	return rv == CKR_OK ? KR_OK
	                    : not_opened(w, "C_UnwrapKey (AES key wrap with padding)", rv, err);
}

/* RSA: the token's private key priv decrypts a random value encrypted to pub in software.
 * A wrong modulus, exponent or private exponent cannot give it back. */
static int rsa_proves(struct work *w, CK_OBJECT_HANDLE priv, EVP_PKEY *pub, struct kerr *err)
{
	unsigned char secret[32], ct[ENVELOPE_RSA_BYTES], back[ENVELOPE_RSA_BYTES];
	size_t ct_len = sizeof ct;
	CK_ULONG back_len = sizeof back;
	CK_MECHANISM m = {CKM_RSA_PKCS, NULL, 0};
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
	int ok = c && RAND_bytes(secret, sizeof secret) == 1 && EVP_PKEY_encrypt_init(c) == 1 &&
	         EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1 &&
	         EVP_PKEY_encrypt(c, ct, &ct_len, secret, sizeof secret) == 1;
	EVP_PKEY_CTX_free(c);
	if (!ok)
		return kerr_set(err, KR_NOMEM, "no test value for the encryption key");
	CK_RV rv = w->f->C_DecryptInit(w->s, &m, priv);
	if (rv != CKR_OK)
		return token_fail_rv(w->t, err, "C_DecryptInit (the encryption key's proof)", rv);
	/* refused as a wrong key's decryption is, on a bad padding */
	rv = w->f->C_Decrypt(w->s, ct, ct_len, back, &back_len);
	ok = rv == CKR_OK && back_len == sizeof secret &&
	     !CRYPTO_memcmp(back, secret, sizeof secret);
	OPENSSL_cleanse(back, sizeof back);
	return ok ? KR_OK : kerr_set(err, KR_CORRUPT, ENVELOPE_MISMATCH);
}

/* EC: the token's ECDH of priv with a random point equals the software ECDH of that
 * point's private key with pub; that holds for the key of pub only. The shared value
 * read out belongs to a key pair thrown away after, so it tells nothing of priv. */
static int ec_proves(struct work *w, CK_OBJECT_HANDLE priv, EVP_PKEY *pub, struct kerr *err)
{
	static CK_KEY_TYPE generic = CKK_GENERIC_SECRET;
	unsigned char pt[ENVELOPE_POINT_LEN], want[ENVELOPE_AES_LEN], got[ENVELOPE_AES_LEN];
	size_t want_len = sizeof want;
	CK_ATTRIBUTE st[] = {
	    {CKA_CLASS, &secret_class, sizeof secret_class},
	    {CKA_KEY_TYPE, &generic, sizeof generic},
	    {CKA_VALUE_LEN, &aes_len, sizeof aes_len},
	    {CKA_TOKEN, &no, sizeof no},
	    {CKA_SENSITIVE, &no, sizeof no},
	    {CKA_EXTRACTABLE, &yes, sizeof yes},
	};
	CK_ATTRIBUTE va = {CKA_VALUE, got, sizeof got};
	CK_OBJECT_HANDLE h;
	EVP_PKEY *eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY_CTX *c = eph ? EVP_PKEY_CTX_new_from_pkey(NULL, eph, NULL) : NULL;
	int ok = c && point_of(eph, pt) && EVP_PKEY_derive_init(c) == 1 &&
	         EVP_PKEY_derive_set_peer(c, pub) == 1 &&
	         EVP_PKEY_derive(c, want, &want_len) == 1 && want_len == sizeof want;
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(eph);
	if (!ok)
		return kerr_set(err, KR_NOMEM, "no test point for the encryption key");
	const char *what = "C_DeriveKey (the encryption key's proof)";
	CK_RV rv = ecdh(w, priv, pt, st, sizeof st / sizeof st[0], &h);
	if (rv == CKR_OK) {
		what = "C_GetAttributeValue (the proof's value)";
		rv = w->f->C_GetAttributeValue(w->s, h, &va, 1);
	}
	ok = rv == CKR_OK && va.ulValueLen == sizeof got && !CRYPTO_memcmp(got, want, sizeof got);
	OPENSSL_cleanse(want, sizeof want);
	OPENSSL_cleanse(got, sizeof got);
	if (rv != CKR_OK)
		return token_fail_rv(w->t, err, what, rv);
	return ok ? KR_OK : kerr_set(err, KR_CORRUPT, ENVELOPE_MISMATCH);
}

/* The envelope's public key beside the private key, for tools that list key pairs. */
static int store_public(struct work *w, const struct pub_attrs *v, const unsigned char *id,
                        size_t id_len, const char *label, struct kerr *err)
{
	CK_BBOOL *rsa = v->type == CKK_RSA ? &yes : &no;
	CK_ATTRIBUTE pt[] = {
	    {CKA_CLASS, &public_class, sizeof public_class},
	    {CKA_KEY_TYPE, (void *)&v->type, sizeof v->type},
	    {CKA_TOKEN, &yes, sizeof yes},
	    {CKA_PRIVATE, &no, sizeof no},
	    {CKA_VERIFY, &no, sizeof no},
	    {CKA_ENCRYPT, rsa, sizeof yes},
	    {CKA_WRAP, rsa, sizeof yes},
	    {CKA_ID, (void *)id, id_len},
	    {CKA_LABEL, (void *)label, strlen(label)},
	    v->a[0],
	    v->a[1],
	};
	CK_OBJECT_HANDLE h;
	CK_RV rv = w->f->C_CreateObject(w->s, pt, sizeof pt / sizeof pt[0], &h);
	return rv == CKR_OK ? KR_OK : token_fail_rv(w->t, err, "C_CreateObject (public key)", rv);
}

int envelope_open(struct token_ctx *t, int i, const unsigned char *sign_id, size_t sign_id_len,
                  const unsigned char *der, size_t len, const unsigned char *id, size_t id_len,
                  const char *label, struct kerr *err)
{
	struct work w = {.t = t, .f = token_ctx_functions(t)};
	struct pub_attrs v;
	ENVELOPE *e;
	EVP_PKEY *pub;
	CK_OBJECT_HANDLE sign, aes, priv;
	int scheme;
	if (!sign_id_len || sign_id_len > TOKEN_ID_MAX || !id_len || id_len > TOKEN_ID_MAX)
		return kerr_set(err, KR_INVALID, "key IDs are 1 to %d bytes", TOKEN_ID_MAX);
	int rc = parse(der, len, &e, &scheme, &pub, err);
	if (rc != KR_OK)
		return rc;
	if (!pub_attrs_of(pub, &v))
		rc = kerr_set(err, KR_CORRUPT, "envelope refused: its encryption key");
	if (rc == KR_OK)
		rc = token_session_open(t, i, &w.s, err);
	if (rc != KR_OK) {
		ENVELOPE_free(e);
		EVP_PKEY_free(pub);
		return rc;
	}
	rc = signing_key(&w, sign_id, sign_id_len, scheme, &sign, err);
	if (rc == KR_OK)
		rc = id_unused(&w, id, id_len, err);
	if (rc == KR_OK)
		rc = open_aes(&w, e, scheme, sign, &aes, err);
	if (rc == KR_OK)
		rc = unwrap_private(&w, e, &v, aes, id, id_len, label, &priv, err);
	if (rc == KR_OK) {
		rc = v.type == CKK_RSA ? rsa_proves(&w, priv, pub, err)
		                       : ec_proves(&w, priv, pub, err);
		if (rc == KR_OK)
			rc = store_public(&w, &v, id, id_len, label, err);
		if (rc != KR_OK)
			w.f->C_DestroyObject(w.s, priv); /* nothing of a refused envelope stays */
	}
	work_end(&w);
	ENVELOPE_free(e);
	EVP_PKEY_free(pub);
	ERR_clear_error();
	return rc;
}
