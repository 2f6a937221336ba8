/* seal.c — the electronic seal structures of GB/T 38540-2020 (made, read, checked) and
 * GM/T 0031-2014 (read, checked) as OpenSSL ASN.1 templates, the maker's signature over
 * the DER of the seal info, and the check of a seal against the holder's certificate.
 * Owns nothing beyond a call: every decoded structure is freed before returning. */
#include "pki/seal.h"

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <strings.h>

#include "pki/cert.h"

#define SEAL_SM2_ID "1234567812345678" /* the default SM2 signer id (GM/T 0009) */

/* OpenSSL has no stack of OCTET STRINGs: v1's certList */
/* cppcheck-suppress unknownMacro ; OpenSSL's, as cppcheck sees no system headers */
DEFINE_STACK_OF(ASN1_OCTET_STRING)

/* ---- the templates (docs/seal.md has them in ASN.1) ---- */
/* clang-format off */

typedef struct {
	ASN1_IA5STRING *id; /* "ES" */
	ASN1_INTEGER *version;
	ASN1_IA5STRING *vid;
} SES_HEADER;

ASN1_SEQUENCE(SES_HEADER) = {
	ASN1_SIMPLE(SES_HEADER, id, ASN1_IA5STRING),
	ASN1_SIMPLE(SES_HEADER, version, ASN1_INTEGER),
	ASN1_SIMPLE(SES_HEADER, vid, ASN1_IA5STRING),
} static_ASN1_SEQUENCE_END(SES_HEADER)

/* CertDigestObj: a bound certificate's hash (certListType 2). */
typedef struct {
	ASN1_PRINTABLESTRING *type; /* the hash: "sha256" or "sm3" */
	ASN1_OCTET_STRING *value;
} SES_CERT_DIGEST;

ASN1_SEQUENCE(SES_CERT_DIGEST) = {
	ASN1_SIMPLE(SES_CERT_DIGEST, type, ASN1_PRINTABLESTRING),
	ASN1_SIMPLE(SES_CERT_DIGEST, value, ASN1_OCTET_STRING),
} static_ASN1_SEQUENCE_END(SES_CERT_DIGEST)

/* v4 SES_ESPropertyInfo. SES_CertList is a CHOICE of two untagged SEQUENCE OFs (of OCTET
 * STRING, of CertDigestObj) that only certListType tells apart: read as a SEQUENCE OF
 * ANY, each element then taken as certListType says. */
typedef struct {
	ASN1_INTEGER *type;
	ASN1_UTF8STRING *name;
	ASN1_INTEGER *cert_list_type;
	STACK_OF(ASN1_TYPE) *cert_list;
	ASN1_GENERALIZEDTIME *created, *valid_start, *valid_end;
} SES_PROPERTY4;

ASN1_SEQUENCE(SES_PROPERTY4) = {
	ASN1_SIMPLE(SES_PROPERTY4, type, ASN1_INTEGER),
	ASN1_SIMPLE(SES_PROPERTY4, name, ASN1_UTF8STRING),
	ASN1_SIMPLE(SES_PROPERTY4, cert_list_type, ASN1_INTEGER),
	ASN1_SEQUENCE_OF(SES_PROPERTY4, cert_list, ASN1_ANY),
	ASN1_SIMPLE(SES_PROPERTY4, created, ASN1_GENERALIZEDTIME),
	ASN1_SIMPLE(SES_PROPERTY4, valid_start, ASN1_GENERALIZEDTIME),
	ASN1_SIMPLE(SES_PROPERTY4, valid_end, ASN1_GENERALIZEDTIME),
} static_ASN1_SEQUENCE_END(SES_PROPERTY4)

/* v1 SES_ESPropertyInfo: no certListType, certificates only, UTCTime (read as either
 * time type: older makers wrote GeneralizedTime too). */
typedef struct {
	ASN1_INTEGER *type;
	ASN1_UTF8STRING *name;
	STACK_OF(ASN1_OCTET_STRING) *cert_list;
	ASN1_TIME *created, *valid_start, *valid_end;
} SES_PROPERTY1;

ASN1_SEQUENCE(SES_PROPERTY1) = {
	ASN1_SIMPLE(SES_PROPERTY1, type, ASN1_INTEGER),
	ASN1_SIMPLE(SES_PROPERTY1, name, ASN1_UTF8STRING),
	ASN1_SEQUENCE_OF(SES_PROPERTY1, cert_list, ASN1_OCTET_STRING),
	ASN1_SIMPLE(SES_PROPERTY1, created, ASN1_TIME),
	ASN1_SIMPLE(SES_PROPERTY1, valid_start, ASN1_TIME),
	ASN1_SIMPLE(SES_PROPERTY1, valid_end, ASN1_TIME),
} static_ASN1_SEQUENCE_END(SES_PROPERTY1)

/* SES_ESPictrueInfo (the standards' spelling). */
typedef struct {
	ASN1_IA5STRING *type;
	ASN1_OCTET_STRING *data;
	ASN1_INTEGER *width, *height; /* mm */
} SES_PICTURE;

ASN1_SEQUENCE(SES_PICTURE) = {
	ASN1_SIMPLE(SES_PICTURE, type, ASN1_IA5STRING),
	ASN1_SIMPLE(SES_PICTURE, data, ASN1_OCTET_STRING),
	ASN1_SIMPLE(SES_PICTURE, width, ASN1_INTEGER),
	ASN1_SIMPLE(SES_PICTURE, height, ASN1_INTEGER),
} static_ASN1_SEQUENCE_END(SES_PICTURE)

/* SES_SealInfo. ExtData {extnID, critical DEFAULT FALSE, extnValue} is an X.509
 * Extension in all but name. */
typedef struct {
	SES_HEADER *header;
	ASN1_IA5STRING *esid;
	SES_PROPERTY4 *property;
	SES_PICTURE *picture;
	STACK_OF(X509_EXTENSION) *ext;
} SES_INFO4;

ASN1_SEQUENCE(SES_INFO4) = {
	ASN1_SIMPLE(SES_INFO4, header, SES_HEADER),
	ASN1_SIMPLE(SES_INFO4, esid, ASN1_IA5STRING),
	ASN1_SIMPLE(SES_INFO4, property, SES_PROPERTY4),
	ASN1_SIMPLE(SES_INFO4, picture, SES_PICTURE),
	ASN1_SEQUENCE_OF_OPT(SES_INFO4, ext, X509_EXTENSION),
} static_ASN1_SEQUENCE_END(SES_INFO4)

typedef struct {
	SES_HEADER *header;
	ASN1_IA5STRING *esid;
	SES_PROPERTY1 *property;
	SES_PICTURE *picture;
	STACK_OF(X509_EXTENSION) *ext;
} SES_INFO1;

ASN1_SEQUENCE(SES_INFO1) = {
	ASN1_SIMPLE(SES_INFO1, header, SES_HEADER),
	ASN1_SIMPLE(SES_INFO1, esid, ASN1_IA5STRING),
	ASN1_SIMPLE(SES_INFO1, property, SES_PROPERTY1),
	ASN1_SIMPLE(SES_INFO1, picture, SES_PICTURE),
	ASN1_SEQUENCE_OF_OPT(SES_INFO1, ext, X509_EXTENSION),
} static_ASN1_SEQUENCE_END(SES_INFO1)

/* v4 SESeal: the maker's signature sits beside the info. */
typedef struct {
	SES_INFO4 *info;
	ASN1_OCTET_STRING *cert; /* the maker's certificate, DER */
	ASN1_OBJECT *alg;
	ASN1_BIT_STRING *sig; /* over the DER of info */
} SES_SEAL4;

ASN1_SEQUENCE(SES_SEAL4) = {
	ASN1_SIMPLE(SES_SEAL4, info, SES_INFO4),
	ASN1_SIMPLE(SES_SEAL4, cert, ASN1_OCTET_STRING),
	ASN1_SIMPLE(SES_SEAL4, alg, ASN1_OBJECT),
	ASN1_SIMPLE(SES_SEAL4, sig, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(SES_SEAL4)

IMPLEMENT_STATIC_ASN1_ALLOC_FUNCTIONS(SES_SEAL4)
IMPLEMENT_STATIC_ASN1_ENCODE_FUNCTIONS(SES_SEAL4)

/* v1 SES_SignInfo and SESeal: the signature in a structure of its own. */
typedef struct {
	ASN1_OCTET_STRING *cert;
	ASN1_OBJECT *alg;
	ASN1_BIT_STRING *sig;
} SES_SIGN1;

ASN1_SEQUENCE(SES_SIGN1) = {
	ASN1_SIMPLE(SES_SIGN1, cert, ASN1_OCTET_STRING),
	ASN1_SIMPLE(SES_SIGN1, alg, ASN1_OBJECT),
	ASN1_SIMPLE(SES_SIGN1, sig, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(SES_SIGN1)

typedef struct {
	SES_INFO1 *info;
	SES_SIGN1 *sign;
} SES_SEAL1;

ASN1_SEQUENCE(SES_SEAL1) = {
	ASN1_SIMPLE(SES_SEAL1, info, SES_INFO1),
	ASN1_SIMPLE(SES_SEAL1, sign, SES_SIGN1),
} static_ASN1_SEQUENCE_END(SES_SEAL1)

IMPLEMENT_STATIC_ASN1_ENCODE_FUNCTIONS(SES_SEAL1)

    /* clang-format on */
    /* ---- shared by make and check ---- */

    static int key_is_sm2(const EVP_PKEY *k)
{
	char group[32];
	size_t glen = 0;
	if (EVP_PKEY_is_a(k, "SM2"))
		return 1;
	return EVP_PKEY_is_a(k, "EC") &&
	       EVP_PKEY_get_utf8_string_param(k, "group", group, sizeof group, &glen) == 1 &&
	       strcmp(group, "SM2") == 0;
}

/* The algorithm a key signs seals with. */
static enum seal_alg alg_of_key(const EVP_PKEY *k)
{
	if (key_is_sm2(k))
		return SEAL_ALG_SM2_SM3;
	if (EVP_PKEY_is_a(k, "EC"))
		return SEAL_ALG_ECDSA_SHA256;
	if (EVP_PKEY_is_a(k, "RSA"))
		return SEAL_ALG_RSA_SHA256;
	return SEAL_ALG_UNKNOWN;
}

static int alg_nid(enum seal_alg a)
{
	return a == SEAL_ALG_SM2_SM3        ? NID_SM2_with_SM3
	       : a == SEAL_ALG_ECDSA_SHA256 ? NID_ecdsa_with_SHA256
	       : a == SEAL_ALG_RSA_SHA256   ? NID_sha256WithRSAEncryption
	                                    : NID_undef;
}

static enum seal_alg alg_of_oid(const ASN1_OBJECT *o)
{
	int nid = OBJ_obj2nid(o);
	return nid == NID_SM2_with_SM3              ? SEAL_ALG_SM2_SM3
	       : nid == NID_ecdsa_with_SHA256       ? SEAL_ALG_ECDSA_SHA256
	       : nid == NID_sha256WithRSAEncryption ? SEAL_ALG_RSA_SHA256
	                                            : SEAL_ALG_UNKNOWN;
}

/* Starts a sign or verify context for alg with key k. 0 on failure. */
static int digest_init(EVP_MD_CTX *m, enum seal_alg alg, EVP_PKEY *k, int sign)
{
	EVP_PKEY_CTX *pctx = NULL;
	const EVP_MD *md = alg == SEAL_ALG_SM2_SM3 ? EVP_sm3() : EVP_sha256();
	int ok = sign ? EVP_DigestSignInit(m, &pctx, md, NULL, k) == 1
	              : EVP_DigestVerifyInit(m, &pctx, md, NULL, k) == 1;
	if (ok && alg == SEAL_ALG_SM2_SM3)
		ok = EVP_PKEY_CTX_set1_id(pctx, SEAL_SM2_ID, strlen(SEAL_SM2_ID)) == 1;
	if (ok && alg == SEAL_ALG_RSA_SHA256)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
	return ok;
}

/* Whether sig over tbs verifies with pub under alg, pub's type matching alg. */
static int sig_verify(enum seal_alg alg, EVP_PKEY *pub, const unsigned char *tbs, size_t tbs_len,
                      const unsigned char *sig, size_t sig_len)
{
	if (!pub || alg == SEAL_ALG_UNKNOWN || alg_of_key(pub) != alg)
		return 0;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	int ok = m && digest_init(m, alg, pub, 0) &&
	         EVP_DigestVerify(m, sig, sig_len, tbs, tbs_len) == 1;
	EVP_MD_CTX_free(m);
	ERR_clear_error();
	return ok;
}

/* Printable ASCII, no NUL: what an IA5String of ours holds. */
static int ascii_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return 0;
	return 1;
}

/* ---- making ---- */

static int ia5_set(ASN1_IA5STRING *s, const char *text, size_t max)
{
	size_t n = strlen(text);
	return n > 0 && n < max && ascii_ok((const unsigned char *)text, n) &&
	       ASN1_STRING_set(s, text, (int)n) == 1;
}

static int gtime_set(ASN1_GENERALIZEDTIME *t, int64_t utc)
{
	return utc >= 0 && ASN1_GENERALIZEDTIME_set(t, (time_t)utc) != NULL;
}

/* Appends the holder's binding (the certificate, or its hash) to p's certList. */
static int bind_holder(SES_PROPERTY4 *p, X509 *holder, enum seal_bind bind, enum seal_alg alg)
{
	unsigned char *hder = NULL;
	int hlen = i2d_X509(holder, &hder);
	ASN1_TYPE *t = NULL;
	int ok = 0;
	if (hlen > 0 && bind == SEAL_BIND_CERT) {
		ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
		t = ASN1_TYPE_new();
		ok = os && t && ASN1_OCTET_STRING_set(os, hder, hlen) == 1;
		if (ok)
			ASN1_TYPE_set(t, V_ASN1_OCTET_STRING, os);
		else
			ASN1_OCTET_STRING_free(os);
	} else if (hlen > 0 && bind == SEAL_BIND_DIGEST) {
		const char *name = alg == SEAL_ALG_SM2_SM3 ? "sm3" : "sha256";
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;
		SES_CERT_DIGEST *d =
		    (SES_CERT_DIGEST *)ASN1_item_new(ASN1_ITEM_rptr(SES_CERT_DIGEST));
		ok = d &&
		     EVP_Digest(hder, (size_t)hlen, md, &mdlen, EVP_get_digestbyname(name), NULL) &&
		     ASN1_STRING_set(d->type, name, -1) == 1 &&
		     ASN1_OCTET_STRING_set(d->value, md, (int)mdlen) == 1 &&
		     ASN1_TYPE_pack_sequence(ASN1_ITEM_rptr(SES_CERT_DIGEST), d, &t) != NULL;
		ASN1_item_free((ASN1_VALUE *)d, ASN1_ITEM_rptr(SES_CERT_DIGEST));
	}
	ok = ok && sk_ASN1_TYPE_push(p->cert_list, t) > 0;
	if (!ok)
		ASN1_TYPE_free(t);
	OPENSSL_free(hder);
	return ok;
}

static int ext_add(SES_INFO4 *info, const struct seal_ext *e)
{
	ASN1_OBJECT *oid = OBJ_txt2obj(e->oid, 1);
	ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
	X509_EXTENSION *x = NULL;
	int ok = oid && v && e->len <= SEAL_MAX_DER &&
	         ASN1_OCTET_STRING_set(v, e->value, (int)e->len) == 1 &&
	         (x = X509_EXTENSION_create_by_OBJ(NULL, oid, e->critical != 0, v)) != NULL;
	if (ok && !info->ext)
		ok = (info->ext = sk_X509_EXTENSION_new_null()) != NULL;
	ok = ok && sk_X509_EXTENSION_push(info->ext, x) > 0;
	if (!ok)
		X509_EXTENSION_free(x);
	ASN1_OCTET_STRING_free(v);
	ASN1_OBJECT_free(oid);
	return ok;
}

/* Fills the info from spec. Returns a reason for a bad spec, NULL when filled. */
static const char *info_fill(SES_INFO4 *info, const struct seal_spec *s, enum seal_alg alg)
{
	const char *vendor = s->vendor && s->vendor[0] ? s->vendor : SEAL_VENDOR_DFLT;
	SES_PROPERTY4 *p = info->property;
	SES_PICTURE *pic = info->picture;
	ASN1_UTF8STRING *name = NULL;
	if (!ia5_set(info->header->id, "ES", 3) || !ASN1_INTEGER_set(info->header->version, 4) ||
	    !ia5_set(info->header->vid, vendor, SEAL_TEXT_MAX))
		return "vendor id not printable ASCII (or too long)";
	if (!s->esid || !ia5_set(info->esid, s->esid, SEAL_TEXT_MAX))
		return "seal id not printable ASCII (or empty, or too long)";
	if (s->type != SEAL_UNIT && s->type != SEAL_PERSON)
		return "seal type neither unit nor person";
	if (!s->name || !s->name[0] || strlen(s->name) >= SEAL_TEXT_MAX ||
	    ASN1_mbstring_copy(&name, (const unsigned char *)s->name, -1, MBSTRING_UTF8,
	                       B_ASN1_UTF8STRING) < 0)
		return "seal name empty, too long or not UTF-8";
	ASN1_UTF8STRING_free(p->name);
	p->name = name;
	if (!ASN1_INTEGER_set(p->type, s->type) || !ASN1_INTEGER_set(p->cert_list_type, s->bind))
		return "out of memory";
	if (!s->holder || (s->bind != SEAL_BIND_CERT && s->bind != SEAL_BIND_DIGEST) ||
	    !bind_holder(p, s->holder, s->bind, alg))
		return "no holder certificate to bind, or no way to bind it";
	if (s->valid_from_utc > s->valid_to_utc || !gtime_set(p->created, s->created_utc) ||
	    !gtime_set(p->valid_start, s->valid_from_utc) ||
	    !gtime_set(p->valid_end, s->valid_to_utc))
		return "dates out of range, or the validity ends before it starts";
	if (!s->picture_type || !ia5_set(pic->type, s->picture_type, 8) || !s->picture ||
	    s->picture_len == 0 || s->picture_len > SEAL_MAX_DER ||
	    ASN1_OCTET_STRING_set(pic->data, s->picture, (int)s->picture_len) != 1)
		return "no picture, or one too big";
	if (s->width_mm < 1 || s->width_mm > SEAL_MAX_MM || s->height_mm < 1 ||
	    s->height_mm > SEAL_MAX_MM || !ASN1_INTEGER_set(pic->width, s->width_mm) ||
	    !ASN1_INTEGER_set(pic->height, s->height_mm))
		return "picture size outside 1..SEAL_MAX_MM mm";
	if (s->n_ext > SEAL_MAX_EXT)
		return "too many extensions";
	for (size_t i = 0; i < s->n_ext; i++)
		if (!ext_add(info, &s->ext[i]))
			return "an extension with a bad OID or value";
	return NULL;
}

/* Signs tbs with key under alg into a fresh buffer (*sig, caller frees). */
static int sign_tbs(EVP_PKEY *key, enum seal_alg alg, const unsigned char *tbs, size_t tbs_len,
                    unsigned char **sig, size_t *sig_len)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	*sig = NULL;
	int ok = m && digest_init(m, alg, key, 1) &&
	         EVP_DigestSign(m, NULL, sig_len, tbs, tbs_len) == 1 &&
	         (*sig = OPENSSL_malloc(*sig_len)) != NULL &&
	         EVP_DigestSign(m, *sig, sig_len, tbs, tbs_len) == 1;
	EVP_MD_CTX_free(m);
	if (!ok) {
		OPENSSL_free(*sig);
		*sig = NULL;
	}
	return ok;
}

int seal_make(const struct seal_spec *spec, EVP_PKEY *maker_key, X509 *maker_cert,
              unsigned char **der, size_t *len, struct kerr *err)
{
	*der = NULL;
	*len = 0;
	enum seal_alg alg = maker_key ? alg_of_key(maker_key) : SEAL_ALG_UNKNOWN;
	if (alg == SEAL_ALG_UNKNOWN || !maker_cert)
		return kerr_set(err, KR_INVALID,
		                "seal maker key of no known type, or no certificate");
	SES_SEAL4 *s = SES_SEAL4_new();
	if (!s)
		return kerr_set(err, KR_NOMEM, "seal: out of memory");
	int rc = KR_OK;
	const char *bad = info_fill(s->info, spec, alg);
	unsigned char *tbs = NULL, *sig = NULL, *mder = NULL;
	int tbs_len = 0, mlen = 0;
	size_t sig_len = 0;
	if (bad)
		rc = kerr_set(err, KR_INVALID, "seal: %s", bad);
	if (rc == KR_OK && ((tbs_len = ASN1_item_i2d((ASN1_VALUE *)s->info, &tbs,
	                                             ASN1_ITEM_rptr(SES_INFO4))) <= 0 ||
	                    (mlen = i2d_X509(maker_cert, &mder)) <= 0))
		rc = kerr_set(err, KR_NOMEM, "seal: the seal info does not encode");
	if (rc == KR_OK && !sign_tbs(maker_key, alg, tbs, (size_t)tbs_len, &sig, &sig_len))
		rc = kerr_set(err, KR_IO, "seal: the maker key did not sign");
	if (rc == KR_OK &&
	    !sig_verify(alg, X509_get0_pubkey(maker_cert), tbs, (size_t)tbs_len, sig, sig_len))
		rc = kerr_set(err, KR_INVALID,
		              "seal: the maker key and certificate do not belong together");
	if (rc == KR_OK) {
		ASN1_OBJECT_free(s->alg);
		s->alg = OBJ_nid2obj(alg_nid(alg));
		/* all the bits are used: keep the trailing zero bytes of the signature */
		s->sig->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
		s->sig->flags |= ASN1_STRING_FLAG_BITS_LEFT;
		if (ASN1_OCTET_STRING_set(s->cert, mder, mlen) != 1 ||
		    ASN1_BIT_STRING_set(s->sig, sig, (int)sig_len) != 1)
			rc = kerr_set(err, KR_NOMEM, "seal: out of memory");
	}
	int n = rc == KR_OK ? i2d_SES_SEAL4(s, der) : 0;
	if (rc == KR_OK && n <= 0)
		rc = kerr_set(err, KR_NOMEM, "seal: the seal does not encode");
	if (rc == KR_OK)
		*len = (size_t)n;
	OPENSSL_free(tbs);
	OPENSSL_free(sig);
	OPENSSL_free(mder);
	SES_SEAL4_free(s);
	ERR_clear_error();
	return rc;
}

/* ---- reading ---- */

/* A seal decoded: the owner of the structures and what the checks need, borrowed
 * from it (or, for tbs, from the DER read). */
struct parsed {
	SES_SEAL4 *v4;
	SES_SEAL1 *v1;
	X509 *maker; /* owned */
	const unsigned char *tbs;
	size_t tbs_len;
	const ASN1_BIT_STRING *sig;
	const STACK_OF(ASN1_TYPE) * bound4;
	const STACK_OF(ASN1_OCTET_STRING) * bound1;
	const STACK_OF(X509_EXTENSION) * ext;
	const ASN1_OCTET_STRING *picture;
};

static void parsed_free(struct parsed *p)
{
	SES_SEAL4_free(p->v4);
	ASN1_item_free((ASN1_VALUE *)p->v1, ASN1_ITEM_rptr(SES_SEAL1));
	X509_free(p->maker);
	memset(p, 0, sizeof *p);
}

/* Copies an IA5String (printable ASCII) into out. 0 when it is not. */
static int ia5_get(const ASN1_STRING *s, char *out, size_t size)
{
	int n = ASN1_STRING_length(s);
	if (n < 0 || (size_t)n >= size || !ascii_ok(ASN1_STRING_get0_data(s), (size_t)n))
		return 0;
	memcpy(out, ASN1_STRING_get0_data(s), (size_t)n);
	out[n] = '\0';
	return 1;
}

/* Copies a string as UTF-8 into out. 0 when not UTF-8, holding a NUL, or too long. */
static int utf8_get(const ASN1_STRING *s, char *out, size_t size)
{
	unsigned char *u = NULL;
	int n = ASN1_STRING_to_UTF8(&u, s);
	int ok = n >= 0 && (size_t)n < size && memchr(u, '\0', (size_t)n) == NULL;
	if (ok) {
		memcpy(out, u, (size_t)n);
		out[n] = '\0';
	}
	OPENSSL_free(u);
	return ok;
}

static int int_get(const ASN1_INTEGER *a, int64_t lo, int64_t hi, int *out)
{
	int64_t v;
	if (ASN1_INTEGER_get_int64(&v, a) != 1 || v < lo || v > hi)
		return 0;
	*out = (int)v;
	return 1;
}

/* The offset in der of the picture's bytes: down the outer SEQUENCE and the seal info,
 * past header, esID and property, down the picture, past its type. der is well-formed. */
static int picture_offset(const unsigned char *der, size_t len, size_t *off)
{
	static const int path[] = {-1, -1, 3, -1, 1, -1}; /* -1: go in; n: skip n elements */
	const unsigned char *p = der;
	long left = (long)len;
	for (size_t i = 0; i < sizeof path / sizeof path[0]; i++) {
		for (int k = 0; k < (path[i] < 0 ? 1 : path[i]); k++) {
			const unsigned char *q = p;
			long plen;
			int tag, cls;
			if (ASN1_get_object(&q, &plen, &tag, &cls, left) & 0x80)
				return 0;
			long step = (long)(q - p) + (path[i] < 0 ? 0 : plen);
			p += step;
			left = path[i] < 0 ? plen : left - step;
		}
	}
	*off = (size_t)(p - der);
	return 1;
}

/* Decodes der as v4, else v1, strictly (it must encode back to the same bytes). */
static int decode(const unsigned char *der, size_t len, struct parsed *p)
{
	const unsigned char *q = der;
	unsigned char *again = NULL;
	int n = -1;
	p->v4 = d2i_SES_SEAL4(NULL, &q, (long)len);
	if (p->v4 && q == der + len) {
		n = i2d_SES_SEAL4(p->v4, &again);
	} else {
		SES_SEAL4_free(p->v4);
		p->v4 = NULL;
		q = der;
		p->v1 = d2i_SES_SEAL1(NULL, &q, (long)len);
		if (p->v1 && q == der + len)
			n = i2d_SES_SEAL1(p->v1, &again);
	}
	int ok = n > 0 && (size_t)n == len && memcmp(again, der, len) == 0;
	OPENSSL_free(again);
	return ok;
}

/* Fills out from p. Returns NULL, or what is malformed. */
static const char *facts_fill(struct parsed *p, const unsigned char *der, size_t len,
                              struct seal_facts *out)
{
	const SES_HEADER *h = p->v4 ? p->v4->info->header : p->v1->info->header;
	const ASN1_IA5STRING *esid = p->v4 ? p->v4->info->esid : p->v1->info->esid;
	const SES_PICTURE *pic = p->v4 ? p->v4->info->picture : p->v1->info->picture;
	const ASN1_INTEGER *type =
	    p->v4 ? p->v4->info->property->type : p->v1->info->property->type;
	const ASN1_UTF8STRING *name =
	    p->v4 ? p->v4->info->property->name : p->v1->info->property->name;
	const ASN1_OCTET_STRING *mcert = p->v4 ? p->v4->cert : p->v1->sign->cert;
	const ASN1_OBJECT *alg = p->v4 ? p->v4->alg : p->v1->sign->alg;
	const ASN1_TIME *t[3];
	char id[4];
	out->format = p->v4 ? 4 : 1;
	if (!ia5_get(h->id, id, sizeof id) || strcmp(id, "ES") != 0 ||
	    !int_get(h->version, p->v4 ? 4 : 1, p->v4 ? 4 : 3, &out->version))
		return "header not ES of a known version";
	if (!ia5_get(h->vid, out->vendor, sizeof out->vendor) ||
	    !ia5_get(esid, out->esid, sizeof out->esid) ||
	    !utf8_get(name, out->name, sizeof out->name) || !int_get(type, 0, 255, &out->type))
		return "vendor id, seal id, name or type unreadable";
	if (p->v4) {
		const SES_PROPERTY4 *pr = p->v4->info->property;
		int lt;
		if (!int_get(pr->cert_list_type, SEAL_BIND_CERT, SEAL_BIND_DIGEST, &lt))
			return "certListType neither 1 nor 2";
		out->bind = (enum seal_bind)lt;
		out->n_bound = sk_ASN1_TYPE_num(pr->cert_list);
		for (int i = 0; i < out->n_bound; i++)
			if (ASN1_TYPE_get(sk_ASN1_TYPE_value(pr->cert_list, i)) !=
			    (lt == SEAL_BIND_CERT ? V_ASN1_OCTET_STRING : V_ASN1_SEQUENCE))
				return "a certList entry not of its certListType";
		p->bound4 = pr->cert_list;
		t[0] = pr->created, t[1] = pr->valid_start, t[2] = pr->valid_end;
	} else {
		const SES_PROPERTY1 *pr = p->v1->info->property;
		out->bind = SEAL_BIND_CERT;
		out->n_bound = sk_ASN1_OCTET_STRING_num(pr->cert_list);
		p->bound1 = pr->cert_list;
		t[0] = pr->created, t[1] = pr->valid_start, t[2] = pr->valid_end;
	}
	if (out->n_bound < 1 || out->n_bound > SEAL_MAX_CERTS)
		return "certList empty or too long";
	if (pki_time_get(t[0], &out->created_utc) != 0 ||
	    pki_time_get(t[1], &out->valid_from_utc) != 0 ||
	    pki_time_get(t[2], &out->valid_to_utc) != 0)
		return "a date does not read";
	if (!ia5_get(pic->type, out->picture_type, sizeof out->picture_type) ||
	    !int_get(pic->width, 0, INT32_MAX, &out->width_mm) ||
	    !int_get(pic->height, 0, INT32_MAX, &out->height_mm) ||
	    !picture_offset(der, len, &out->picture_off))
		return "picture type or size unreadable";
	p->picture = pic->data;
	out->picture_len = (size_t)ASN1_STRING_length(pic->data);
	p->ext = p->v4 ? p->v4->info->ext : p->v1->info->ext;
	out->n_ext = p->ext ? sk_X509_EXTENSION_num(p->ext) : 0;
	if (out->n_ext > SEAL_MAX_EXT)
		return "too many extensions";
	for (int i = 0; i < out->n_ext; i++)
		out->ext_critical +=
		    X509_EXTENSION_get_critical(sk_X509_EXTENSION_value(p->ext, i));
	const unsigned char *c = ASN1_STRING_get0_data(mcert);
	p->maker = d2i_X509(NULL, &c, ASN1_STRING_length(mcert));
	if (!p->maker || c != ASN1_STRING_get0_data(mcert) + ASN1_STRING_length(mcert))
		return "maker certificate unreadable";
	const X509_NAME *mn = X509_get_subject_name(p->maker);
	int cn = X509_NAME_get_index_by_NID(mn, NID_commonName, -1);
	if (cn >= 0 && !utf8_get(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(mn, cn)),
	                         out->maker_name, sizeof out->maker_name))
		out->maker_name[0] = '\0';
	out->alg = alg_of_oid(alg);
	p->sig = p->v4 ? p->v4->sig : p->v1->sign->sig;
	/* the seal info: the first element of the outer SEQUENCE, as read */
	const unsigned char *q = der;
	long olen, ilen;
	int tag, cls;
	if (ASN1_get_object(&q, &olen, &tag, &cls, (long)len) & 0x80)
		return "outer SEQUENCE unreadable";
	p->tbs = q;
	if (ASN1_get_object(&q, &ilen, &tag, &cls, olen) & 0x80)
		return "seal info unreadable";
	p->tbs_len = (size_t)(q - p->tbs) + (size_t)ilen;
	return NULL;
}

/* Decodes and reads der into out and p (p to be freed by parsed_free in any case). */
static int parse(const unsigned char *der, size_t len, struct seal_facts *out, struct parsed *p,
                 struct kerr *err)
{
	memset(out, 0, sizeof *out);
	memset(p, 0, sizeof *p);
	if (!der || len == 0 || len > SEAL_MAX_DER)
		return kerr_set(err, KR_CORRUPT, "seal of %zu bytes", der ? len : 0);
	const char *bad = decode(der, len, p) ? facts_fill(p, der, len, out)
	                                      : "not one seal in DER (GB/T 38540 or GM/T 0031)";
	ERR_clear_error();
	if (bad) {
		memset(out, 0, sizeof *out);
		return kerr_set(err, KR_CORRUPT, "seal: %s", bad);
	}
	return KR_OK;
}

int seal_read(const unsigned char *der, size_t len, struct seal_facts *out, struct kerr *err)
{
	struct parsed p;
	int rc = parse(der, len, out, &p, err);
	parsed_free(&p);
	return rc;
}

/* ---- checking ---- */

/* Whether the maker certificate chains at now to one of makers and may sign. */
static int maker_trusted(X509 *maker, STACK_OF(X509) * makers, int64_t now)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok = st && ctx && makers;
	for (int i = 0; ok && i < sk_X509_num(makers); i++)
		ok = X509_STORE_add_cert(st, sk_X509_value(makers, i)) == 1;
	ok = ok && X509_STORE_CTX_init(ctx, st, maker, NULL) == 1;
	if (ok) {
		X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN);
		X509_STORE_CTX_set_time(ctx, 0, (time_t)now);
		ok = X509_verify_cert(ctx) == 1;
	}
	/* a maker certificate with a keyUsage must allow signing */
	if (ok && (X509_get_extension_flags(maker) & EXFLAG_KUSAGE))
		ok = (X509_get_key_usage(maker) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) != 0;
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	ERR_clear_error();
	return ok;
}

/* Whether hder (the holder's certificate, DER) hashes to d under d's named hash. */
static int digest_matches(const ASN1_TYPE *t, const unsigned char *hder, size_t hlen)
{
	SES_CERT_DIGEST *d = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(SES_CERT_DIGEST), t);
	char name[8];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int ok = d && ia5_get(d->type, name, sizeof name) &&
	         (strcasecmp(name, "sha256") == 0 || strcasecmp(name, "sm3") == 0) &&
	         EVP_Digest(hder, hlen, md, &mdlen, EVP_get_digestbyname(name), NULL) == 1 &&
	         ASN1_STRING_length(d->value) == (int)mdlen &&
	         memcmp(ASN1_STRING_get0_data(d->value), md, mdlen) == 0;
	ASN1_item_free((ASN1_VALUE *)d, ASN1_ITEM_rptr(SES_CERT_DIGEST));
	ERR_clear_error();
	return ok;
}

static int octets_equal(const ASN1_OCTET_STRING *s, const unsigned char *b, size_t n)
{
	return ASN1_STRING_length(s) == (int)n && memcmp(ASN1_STRING_get0_data(s), b, n) == 0;
}

/* Whether holder is in the seal's certList. */
static int holder_bound(const struct parsed *p, enum seal_bind bind, int n, X509 *holder)
{
	unsigned char *hder = NULL;
	int hlen = holder ? i2d_X509(holder, &hder) : -1;
	int found = 0;
	for (int i = 0; hlen > 0 && !found && i < n; i++) {
		if (p->bound1) {
			found = octets_equal(sk_ASN1_OCTET_STRING_value(p->bound1, i), hder,
			                     (size_t)hlen);
		} else {
			const ASN1_TYPE *t = sk_ASN1_TYPE_value(p->bound4, i);
			found = bind == SEAL_BIND_CERT
			            ? octets_equal(t->value.octet_string, hder, (size_t)hlen)
			            : digest_matches(t, hder, (size_t)hlen);
		}
	}
	OPENSSL_free(hder);
	return found;
}

/* Whether the picture is of a known type, of a plausible size, and a PNG has its
 * signature and an IHDR with a width and height. */
static int picture_ok(const struct seal_facts *f, const ASN1_OCTET_STRING *data)
{
	static const char *const types[] = {"PNG", "GIF", "JPG", "OFD", "SVG"};
	static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
	                                    0,    0,   0,   13,  'I',  'H',  'D',  'R'};
	const unsigned char *b = ASN1_STRING_get0_data(data);
	size_t n = (size_t)ASN1_STRING_length(data);
	int known = 0;
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		known |= strcasecmp(f->picture_type, types[i]) == 0;
	if (!known || n == 0 || f->width_mm < 1 || f->width_mm > SEAL_MAX_MM || f->height_mm < 1 ||
	    f->height_mm > SEAL_MAX_MM)
		return 0;
	if (strcasecmp(f->picture_type, "PNG") != 0)
		return 1;
	return n >= 33 && memcmp(b, png, sizeof png) == 0 && (b[16] | b[17] | b[18] | b[19]) != 0 &&
	       (b[20] | b[21] | b[22] | b[23]) != 0 && b[16] < 0x80 && b[20] < 0x80;
}

/* The first check f and p fail, or NULL when they pass them all. */
static const char *verdict(const struct seal_facts *f, const struct parsed *p, X509 *holder,
                           STACK_OF(X509) * makers, int64_t now)
{
	if (f->alg == SEAL_ALG_UNKNOWN)
		return "seal.unknown_algorithm";
	if ((p->sig->flags & 0x07) != 0 ||
	    !sig_verify(f->alg, X509_get0_pubkey(p->maker), p->tbs, p->tbs_len,
	                ASN1_STRING_get0_data(p->sig), (size_t)ASN1_STRING_length(p->sig)))
		return "seal.bad_signature";
	if (!maker_trusted(p->maker, makers, now))
		return "seal.untrusted_maker";
	if (f->ext_critical > 0)
		return "seal.unknown_extension";
	if (!holder_bound(p, f->bind, f->n_bound, holder))
		return "seal.not_bound";
	if (now < f->valid_from_utc)
		return "seal.not_yet_valid";
	if (now > f->valid_to_utc)
		return "seal.expired";
	if (!picture_ok(f, p->picture))
		return "seal.bad_picture";
	return NULL;
}

int seal_check(const unsigned char *der, size_t len, X509 *holder, STACK_OF(X509) * makers,
               int64_t now_utc, struct seal_facts *out, const char **reason, struct kerr *err)
{
	struct seal_facts local;
	struct seal_facts *f = out ? out : &local;
	struct parsed p;
	int rc = parse(der, len, f, &p, err);
	*reason = rc == KR_OK ? verdict(f, &p, holder, makers, now_utc) : "seal.malformed";
	parsed_free(&p);
	ERR_clear_error();
	if (rc == KR_OK && *reason)
		rc =
		    kerr_set(err, KR_INVALID, "seal %s of %s fails: %s", f->esid, f->name, *reason);
	return rc;
}
