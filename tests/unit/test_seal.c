/* test_seal.c — the electronic seal (pki/seal) with software keys and certificates made
 * here, dated from a fixed clock: a unit seal (EC P-256 maker, the holder's certificate
 * in certList), a person seal (RSA maker, the certificate's hash), an SM2-with-SM3 seal,
 * read back field by field and checked; every reason of seal_check provoked (another
 * holder, a flipped signature byte, a changed seal info, an unknown algorithm, an
 * untrusted or expired maker, a critical extension, not yet valid, expired, a bad
 * picture, truncated and garbage bytes); bad specs refused; a GM/T 0031 (v1) seal built
 * independently of seal.c with OpenSSL's ASN1_generate_nconf, read and checked.
 *   test_seal [DIR]  also writes the seals and their certificates into DIR for
 *                    tests/unit/seal_openssl.sh (and the fuzz seeds in tests/fuzz/seal). */
#define _GNU_SOURCE /* memmem */
#include <cairo.h>
#include <openssl/conf.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "pki/seal.h"

#define NOW   1795262400 /* 2026-11-21 12:00 UTC */
#define DAY_S 86400
#define YEAR  (365 * DAY_S)

static const char *out_dir; /* argv[1], or NULL */

static EVP_PKEY *key_new(const char *kind)
{
	EVP_PKEY *k = strcmp(kind, "RSA") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)
	              : strcmp(kind, "SM2") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "SM2")
	                                         : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!k) {
		fprintf(stderr, "no %s key\n", kind);
		exit(1);
	}
	return k;
}

static void ext_add(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
}

/* A certificate for pub named cn, valid from..to, signed by issuer_key (ECDSA-SHA256) as
 * issuer (NULL: self-signed). ca: a CA certificate, else one for signing. */
static X509 *cert_new(const char *cn, EVP_PKEY *pub, X509 *issuer, EVP_PKEY *issuer_key, int ca,
                      int64_t from, int64_t to)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	ASN1_TIME_set(X509_getm_notBefore(x), (time_t)from);
	ASN1_TIME_set(X509_getm_notAfter(x), (time_t)to);
	X509_set_pubkey(x, pub);
	ext_add(x, issuer ? issuer : x, NID_basic_constraints,
	        ca ? "critical,CA:TRUE" : "CA:FALSE");
	ext_add(x, issuer ? issuer : x, NID_key_usage,
	        ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,nonRepudiation");
	X509_NAME_free(n);
	if (X509_sign(x, issuer_key, EVP_sha256()) <= 0) {
		fprintf(stderr, "cannot sign %s\n", cn);
		exit(1);
	}
	return x;
}

static cairo_status_t png_put(void *closure, const unsigned char *data, unsigned int len)
{
	struct {
		unsigned char *b;
		size_t n;
	} *buf = closure;
	unsigned char *b = realloc(buf->b, buf->n + len);
	if (!b)
		return CAIRO_STATUS_NO_MEMORY;
	memcpy(b + buf->n, data, len);
	buf->b = b;
	buf->n += len;
	return CAIRO_STATUS_SUCCESS;
}

/* The imprint: a red ring with a star-like cross, 64 px square, as PNG. Caller frees. */
static unsigned char *png_make(size_t *len)
{
	struct {
		unsigned char *b;
		size_t n;
	} buf = {NULL, 0};
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 64, 64);
	cairo_t *cr = cairo_create(s);
	cairo_set_source_rgb(cr, 0.8, 0, 0);
	cairo_set_line_width(cr, 4);
	cairo_arc(cr, 32, 32, 28, 0, 6.2832);
	cairo_move_to(cr, 32, 14);
	cairo_line_to(cr, 32, 50);
	cairo_move_to(cr, 14, 32);
	cairo_line_to(cr, 50, 32);
	cairo_stroke(cr);
	cairo_destroy(cr);
	if (cairo_surface_write_to_png_stream(s, png_put, &buf) != CAIRO_STATUS_SUCCESS) {
		fprintf(stderr, "no PNG\n");
		exit(1);
	}
	cairo_surface_destroy(s);
	*len = buf.n;
	return buf.b;
}

static void file_put(const char *name, const unsigned char *b, size_t n)
{
	char path[1024];
	if (!out_dir)
		return;
	snprintf(path, sizeof path, "%s/%s", out_dir, name);
	FILE *f = fopen(path, "wb");
	CHECK(f && fwrite(b, 1, n, f) == n);
	if (f)
		fclose(f);
}

static void cert_put(const char *name, X509 *x)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	CHECK(n > 0);
	file_put(name, der, (size_t)n);
	OPENSSL_free(der);
}

/* The rig: a seal-making CA, makers under it (EC, RSA, SM2 keys), two holders. */
static struct rig {
	EVP_PKEY *ca_key, *ec_key, *rsa_key, *sm2_key, *holder_key, *other_key;
	X509 *ca, *ec_maker, *rsa_maker, *sm2_maker, *old_maker, *holder, *other;
	STACK_OF(X509) * makers;
	unsigned char *png;
	size_t png_len;
} r;

static void rig_up(void)
{
	r.ca_key = key_new("EC");
	r.ec_key = key_new("EC");
	r.rsa_key = key_new("RSA");
	r.sm2_key = key_new("SM2");
	r.holder_key = key_new("EC");
	r.other_key = key_new("EC");
	r.ca = cert_new("Guoxin seal-making CA", r.ca_key, NULL, r.ca_key, 1, NOW - YEAR,
	                NOW + 10 * YEAR);
	r.ec_maker = cert_new("制章人 EC", r.ec_key, r.ca, r.ca_key, 0, NOW - YEAR, NOW + 3 * YEAR);
	r.rsa_maker =
	    cert_new("制章人 RSA", r.rsa_key, r.ca, r.ca_key, 0, NOW - YEAR, NOW + 3 * YEAR);
	r.sm2_maker =
	    cert_new("制章人 SM2", r.sm2_key, r.ca, r.ca_key, 0, NOW - YEAR, NOW + 3 * YEAR);
	r.old_maker =
	    cert_new("expired maker", r.ec_key, r.ca, r.ca_key, 0, NOW - 3 * YEAR, NOW - YEAR);
	r.holder =
	    cert_new("南通测试有限公司", r.holder_key, r.ca, r.ca_key, 0, NOW - DAY_S, NOW + YEAR);
	r.other = cert_new("另一家公司", r.other_key, r.ca, r.ca_key, 0, NOW - DAY_S, NOW + YEAR);
	r.makers = sk_X509_new_null();
	sk_X509_push(r.makers, r.ca);
	r.png = png_make(&r.png_len);
	file_put("imprint.png", r.png, r.png_len);
	cert_put("ca.der", r.ca);
	cert_put("holder.der", r.holder);
}

static void rig_down(void)
{
	EVP_PKEY *k[] = {r.ca_key, r.ec_key, r.rsa_key, r.sm2_key, r.holder_key, r.other_key};
	X509 *x[] = {r.ca, r.ec_maker, r.rsa_maker, r.sm2_maker, r.old_maker, r.holder, r.other};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
		EVP_PKEY_free(k[i]);
	for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
		X509_free(x[i]);
	sk_X509_free(r.makers);
	free(r.png);
}

/* A unit seal spec, bound to the holder's certificate, valid a year from yesterday. */
static struct seal_spec spec_unit(void)
{
	struct seal_spec s = {
	    .type = SEAL_UNIT,
	    .name = "南通测试有限公司合同专用章",
	    .esid = "3206000000001",
	    .vendor = "GXCA",
	    .holder = r.holder,
	    .bind = SEAL_BIND_CERT,
	    .created_utc = NOW - DAY_S,
	    .valid_from_utc = NOW - DAY_S,
	    .valid_to_utc = NOW - DAY_S + YEAR,
	    .picture_type = "PNG",
	    .picture = r.png,
	    .picture_len = r.png_len,
	    .width_mm = 40,
	    .height_mm = 40,
	};
	return s;
}

/* Makes a seal or fails the test; caller frees. */
static unsigned char *make(const struct seal_spec *s, EVP_PKEY *k, X509 *maker, size_t *len)
{
	unsigned char *der = NULL;
	struct kerr err = {{0}};
	int rc = seal_make(s, k, maker, &der, len, &err);
	if (rc != KR_OK)
		fprintf(stderr, "seal_make: %s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	CHECK(der != NULL);
	return der;
}

/* seal_check's reason ("" for a pass) at now with holder. */
static const char *verdict(const unsigned char *der, size_t len, X509 *holder, int64_t now)
{
	const char *reason = NULL;
	struct kerr err = {{0}};
	int rc = seal_check(der, len, holder, r.makers, now, NULL, &reason, &err);
	CHECK(rc == KR_OK ? reason == NULL : reason != NULL);
	CHECK_INT(rc, !reason                                 ? KR_OK
	              : strcmp(reason, "seal.malformed") == 0 ? KR_CORRUPT
	                                                      : KR_INVALID);
	return reason ? reason : "";
}

static void test_unit_seal(void)
{
	struct seal_spec s = spec_unit();
	size_t len;
	unsigned char *der = make(&s, r.ec_key, r.ec_maker, &len);
	struct seal_facts f;
	struct kerr err = {{0}};
	CHECK_INT(seal_read(der, len, &f, &err), KR_OK);
	CHECK_INT(f.format, 4);
	CHECK_INT(f.version, 4);
	CHECK_STR(f.vendor, "GXCA");
	CHECK_STR(f.esid, "3206000000001");
	CHECK_STR(f.name, "南通测试有限公司合同专用章");
	CHECK_INT(f.type, SEAL_UNIT);
	CHECK_INT(f.bind, SEAL_BIND_CERT);
	CHECK_INT(f.n_bound, 1);
	CHECK_INT(f.created_utc, NOW - DAY_S);
	CHECK_INT(f.valid_from_utc, NOW - DAY_S);
	CHECK_INT(f.valid_to_utc, NOW - DAY_S + YEAR);
	CHECK_STR(f.picture_type, "PNG");
	CHECK_INT(f.picture_len, r.png_len);
	CHECK(f.picture_off + f.picture_len <= len &&
	      memcmp(der + f.picture_off, r.png, r.png_len) == 0);
	CHECK_INT(f.width_mm, 40);
	CHECK_INT(f.height_mm, 40);
	CHECK_INT(f.n_ext, 0);
	CHECK_INT(f.alg, SEAL_ALG_ECDSA_SHA256);
	CHECK_STR(f.maker_name, "制章人 EC");
	CHECK_STR(verdict(der, len, r.holder, NOW), "");
	/* the facts seal_check hands back are seal_read's */
	struct seal_facts g;
	const char *reason = "x";
	CHECK_INT(seal_check(der, len, r.holder, r.makers, NOW, &g, &reason, &err), KR_OK);
	CHECK(reason == NULL && memcmp(&f, &g, sizeof f) == 0);
	file_put("unit.der", der, len);
	cert_put("maker-ec.der", r.ec_maker);

	/* the window: its first and last second pass, one outside fails */
	CHECK_STR(verdict(der, len, r.holder, NOW - DAY_S), "");
	CHECK_STR(verdict(der, len, r.holder, NOW - DAY_S + YEAR), "");
	CHECK_STR(verdict(der, len, r.holder, NOW - DAY_S - 1), "seal.not_yet_valid");
	CHECK_STR(verdict(der, len, r.holder, NOW - DAY_S + YEAR + 1), "seal.expired");
	CHECK_STR(verdict(der, len, r.other, NOW), "seal.not_bound");
	CHECK_STR(verdict(der, len, NULL, NOW), "seal.not_bound");

	/* the last byte is the signature's */
	der[len - 1] ^= 0x01;
	CHECK_STR(verdict(der, len, r.holder, NOW), "seal.bad_signature");
	der[len - 1] ^= 0x01;
	/* a byte of the name (inside the signed info) changed: still UTF-8, no longer signed */
	unsigned char *name = memmem(der, len, "合同", strlen("合同"));
	CHECK(name != NULL);
	if (name) {
		name[2] ^= 0x01;
		CHECK_STR(verdict(der, len, r.holder, NOW), "seal.bad_signature");
		name[2] ^= 0x01;
	}
	/* ecdsa-with-SHA256 turned into ecdsa-with-SHA384: an algorithm we do not use */
	static const unsigned char oid[] = {0x06, 0x08, 0x2a, 0x86, 0x48,
	                                    0xce, 0x3d, 0x04, 0x03, 0x02};
	unsigned char *o = NULL; /* the last one: the certificates before it have their own */
	for (unsigned char *q = der; (q = memmem(q, len - (size_t)(q - der), oid, sizeof oid)); q++)
		o = q;
	CHECK(o != NULL);
	if (o) {
		o[sizeof oid - 1] = 0x03;
		CHECK_STR(verdict(der, len, r.holder, NOW), "seal.unknown_algorithm");
		o[sizeof oid - 1] = 0x02;
	}
	CHECK_STR(verdict(der, len, r.holder, NOW), "");

	/* malformed: cut anywhere, a byte more, garbage, nothing */
	int cut_ok = 1;
	for (size_t n = 0; n < len; n += 1 + n / 16)
		cut_ok &= strcmp(verdict(der, n, r.holder, NOW), "seal.malformed") == 0;
	CHECK(cut_ok);
	unsigned char *more = malloc(len + 1);
	memcpy(more, der, len);
	more[len] = 0;
	CHECK_STR(verdict(more, len + 1, r.holder, NOW), "seal.malformed");
	free(more);
	unsigned char garbage[512];
	for (size_t i = 0; i < sizeof garbage; i++)
		garbage[i] = (unsigned char)(i * 37 + 11);
	CHECK_STR(verdict(garbage, sizeof garbage, r.holder, NOW), "seal.malformed");
	CHECK_STR(verdict(NULL, 0, r.holder, NOW), "seal.malformed");
	CHECK_INT(seal_read(garbage, sizeof garbage, &f, &err), KR_CORRUPT);
	static const struct seal_facts zero;
	CHECK(memcmp(&f, &zero, sizeof f) == 0);
	CHECK(strstr(err.msg, "not one seal") != NULL);
	file_put("truncated.der", der, len / 2);
	file_put("garbage.der", garbage, sizeof garbage);
	OPENSSL_free(der);
}

static void test_person_seal(void)
{
	struct seal_spec s = spec_unit();
	s.type = SEAL_PERSON;
	s.name = "张三";
	s.esid = "3206000000002";
	s.vendor = NULL;
	s.bind = SEAL_BIND_DIGEST;
	s.width_mm = 20;
	s.height_mm = 10;
	size_t len;
	unsigned char *der = make(&s, r.rsa_key, r.rsa_maker, &len);
	struct seal_facts f;
	struct kerr err = {{0}};
	CHECK_INT(seal_read(der, len, &f, &err), KR_OK);
	CHECK_INT(f.type, SEAL_PERSON);
	CHECK_STR(f.name, "张三");
	CHECK_STR(f.vendor, SEAL_VENDOR_DFLT);
	CHECK_INT(f.bind, SEAL_BIND_DIGEST);
	CHECK_INT(f.alg, SEAL_ALG_RSA_SHA256);
	CHECK_INT(f.width_mm, 20);
	CHECK_INT(f.height_mm, 10);
	CHECK_STR(verdict(der, len, r.holder, NOW), "");
	CHECK_STR(verdict(der, len, r.other, NOW), "seal.not_bound");
	der[len - 1] ^= 0x80;
	CHECK_STR(verdict(der, len, r.holder, NOW), "seal.bad_signature");
	der[len - 1] ^= 0x80;
	file_put("person.der", der, len);
	cert_put("maker-rsa.der", r.rsa_maker);
	OPENSSL_free(der);
}

static void test_sm2_seal(void)
{
	struct seal_spec s = spec_unit();
	s.bind = SEAL_BIND_DIGEST; /* an SM3 hash */
	size_t len;
	unsigned char *der = make(&s, r.sm2_key, r.sm2_maker, &len);
	struct seal_facts f;
	struct kerr err = {{0}};
	CHECK_INT(seal_read(der, len, &f, &err), KR_OK);
	CHECK_INT(f.alg, SEAL_ALG_SM2_SM3);
	CHECK(memmem(der, len, "sm3", 3) != NULL);
	CHECK_STR(verdict(der, len, r.holder, NOW), "");
	CHECK_STR(verdict(der, len, r.other, NOW), "seal.not_bound");
	der[len - 1] ^= 0x01;
	CHECK_STR(verdict(der, len, r.holder, NOW), "seal.bad_signature");
	der[len - 1] ^= 0x01;
	file_put("sm2.der", der, len);
	cert_put("maker-sm2.der", r.sm2_maker);
	OPENSSL_free(der);
}

static void test_maker_and_extensions(void)
{
	struct seal_spec s = spec_unit();
	size_t len;
	const char *reason;
	struct kerr err = {{0}};
	/* a maker the seal-making CA never certified, and one expired */
	EVP_PKEY *rogue_key = key_new("EC");
	X509 *rogue =
	    cert_new("rogue maker", rogue_key, NULL, rogue_key, 0, NOW - YEAR, NOW + YEAR);
	unsigned char *der = make(&s, rogue_key, rogue, &len);
	CHECK_STR(verdict(der, len, r.holder, NOW), "seal.untrusted_maker");
	CHECK_INT(seal_check(der, len, r.holder, NULL, NOW, NULL, &reason, &err), KR_INVALID);
	CHECK_STR(reason, "seal.untrusted_maker");
	OPENSSL_free(der);
	der = make(&s, r.ec_key, r.old_maker, &len);
	CHECK_STR(verdict(der, len, r.holder, NOW), "seal.untrusted_maker");
	OPENSSL_free(der);

	/* extension data: a plain one passes, a critical one we cannot know fails */
	static const unsigned char v[] = {0x0c, 0x03, 'a', 'b', 'c'};
	struct seal_ext ext[2] = {{"1.2.156.112570.99.1", 0, v, sizeof v},
	                          {"1.2.156.112570.99.2", 1, v, sizeof v}};
	s.ext = ext;
	s.n_ext = 1;
	der = make(&s, r.ec_key, r.ec_maker, &len);
	struct seal_facts f;
	CHECK_INT(seal_read(der, len, &f, &err), KR_OK);
	CHECK_INT(f.n_ext, 1);
	CHECK_INT(f.ext_critical, 0);
	CHECK_STR(verdict(der, len, r.holder, NOW), "");
	OPENSSL_free(der);
	s.n_ext = 2;
	der = make(&s, r.ec_key, r.ec_maker, &len);
	CHECK_STR(verdict(der, len, r.holder, NOW), "seal.unknown_extension");
	OPENSSL_free(der);
	s.n_ext = 0;

	/* a picture called PNG that is not one, and a size no seal has */
	static const unsigned char not_png[] = "GIF89a, not a PNG at all, thirty-three bytes";
	s.picture = not_png;
	s.picture_len = sizeof not_png;
	der = make(&s, r.ec_key, r.ec_maker, &len);
	CHECK_STR(verdict(der, len, r.holder, NOW), "seal.bad_picture");
	OPENSSL_free(der);
	s.picture_type = "GIF";
	der = make(&s, r.ec_key, r.ec_maker, &len);
	CHECK_STR(verdict(der, len, r.holder, NOW), "");
	OPENSSL_free(der);
	s.picture_type = "BMP";
	der = make(&s, r.ec_key, r.ec_maker, &len);
	CHECK_STR(verdict(der, len, r.holder, NOW), "seal.bad_picture");
	OPENSSL_free(der);
	X509_free(rogue);
	EVP_PKEY_free(rogue_key);
}

static void test_bad_spec(void)
{
	unsigned char *der = (unsigned char *)"x";
	size_t len = 1;
	struct kerr err = {{0}};
	struct seal_spec s;
#define REFUSED(change, key, cert, rc)                                                             \
	do {                                                                                       \
		s = spec_unit();                                                                   \
		change;                                                                            \
		CHECK_INT(seal_make(&s, key, cert, &der, &len, &err), rc);                         \
		CHECK(der == NULL && len == 0);                                                    \
	} while (0)
	REFUSED(s.type = 3, r.ec_key, r.ec_maker, KR_INVALID);
	REFUSED(s.name = "", r.ec_key, r.ec_maker, KR_INVALID);
	REFUSED(s.name = "\xff\xfe", r.ec_key, r.ec_maker, KR_INVALID);
	REFUSED(s.esid = "印章", r.ec_key, r.ec_maker, KR_INVALID);
	REFUSED(s.vendor = "bad\nid", r.ec_key, r.ec_maker, KR_INVALID);
	REFUSED(s.holder = NULL, r.ec_key, r.ec_maker, KR_INVALID);
	REFUSED(s.bind = 0, r.ec_key, r.ec_maker, KR_INVALID);
	REFUSED(s.valid_to_utc = s.valid_from_utc - 1, r.ec_key, r.ec_maker, KR_INVALID);
	REFUSED(s.picture_len = 0, r.ec_key, r.ec_maker, KR_INVALID);
	REFUSED(s.width_mm = 0, r.ec_key, r.ec_maker, KR_INVALID);
	REFUSED(s.height_mm = SEAL_MAX_MM + 1, r.ec_key, r.ec_maker, KR_INVALID);
	REFUSED(s.n_ext = SEAL_MAX_EXT + 1, r.ec_key, r.ec_maker, KR_INVALID);
	REFUSED((void)0, r.ec_key, r.rsa_maker, KR_INVALID); /* key and certificate apart */
	REFUSED((void)0, NULL, r.ec_maker, KR_INVALID);
	REFUSED((void)0, r.ec_key, NULL, KR_INVALID);
#undef REFUSED
	CHECK(strstr(err.msg, "no certificate") != NULL);
}

static char *hex(const unsigned char *b, size_t n)
{
	char *h = malloc(2 * n + 1);
	for (size_t i = 0; i < n; i++)
		snprintf(h + 2 * i, 3, "%02X", b[i]);
	return h;
}

/* DER of the item top ("SEQUENCE:name") of an ASN1_generate_nconf configuration. */
static unsigned char *gen(const char *conf_text, const char *top, int *len)
{
	BIO *bio = BIO_new_mem_buf(conf_text, -1);
	CONF *conf = NCONF_new(NULL);
	long line = 0;
	ASN1_TYPE *t = NCONF_load_bio(conf, bio, &line) > 0 ? ASN1_generate_nconf(top, conf) : NULL;
	unsigned char *der = NULL;
	*len = t ? i2d_ASN1_TYPE(t, &der) : -1;
	CHECK(*len > 0);
	ASN1_TYPE_free(t);
	NCONF_free(conf);
	BIO_free(bio);
	return der;
}

static char *utc(int64_t t, char *out)
{
	time_t tt = (time_t)t;
	struct tm tm;
	strftime(out, 16, "%y%m%d%H%M%SZ", gmtime_r(&tt, &tm));
	return out;
}

/* A GM/T 0031 seal made without seal.c: the info generated, signed here, wrapped. */
static void test_v1_seal(void)
{
	unsigned char *hder = NULL, *mder = NULL, *sig = NULL;
	int hlen = i2d_X509(r.holder, &hder), mlen = i2d_X509(r.ec_maker, &mder);
	char *hh = hex(hder, (size_t)hlen), *mh = hex(mder, (size_t)mlen),
	     *ph = hex(r.png, r.png_len);
	char t0[16], t1[16], t2[16];
	size_t cap = strlen(hh) + strlen(mh) + strlen(ph) + 8192;
	char *conf = malloc(cap);
	int n = snprintf(
	    conf, cap,
	    "[info]\nheader = SEQUENCE:header\nesid = IA5STRING:OLD-0001\n"
	    "property = SEQUENCE:property\npicture = SEQUENCE:picture\n"
	    "[header]\nid = IA5STRING:ES\nversion = INTEGER:2\nvid = IA5STRING:OLDVENDOR\n"
	    "[property]\ntype = INTEGER:1\nname = FORMAT:UTF8,UTF8String:南通测试有限公司\n"
	    "certs = SEQUENCE:certs\ncreated = UTCTIME:%s\nstart = UTCTIME:%s\nend = UTCTIME:%s\n"
	    "[certs]\nc1 = FORMAT:HEX,OCTETSTRING:%s\n"
	    "[picture]\ntype = IA5STRING:PNG\ndata = FORMAT:HEX,OCTETSTRING:%s\n"
	    "width = INTEGER:40\nheight = INTEGER:40\n",
	    utc(NOW - YEAR, t0), utc(NOW - YEAR, t1), utc(NOW + YEAR, t2), hh, ph);
	int tbs_len;
	unsigned char *tbs = gen(conf, "SEQUENCE:info", &tbs_len);
	size_t sig_len = 0;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	CHECK(EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, r.ec_key) == 1 &&
	      EVP_DigestSign(m, NULL, &sig_len, tbs, (size_t)tbs_len) == 1);
	sig = malloc(sig_len);
	CHECK(EVP_DigestSign(m, sig, &sig_len, tbs, (size_t)tbs_len) == 1);
	EVP_MD_CTX_free(m);
	char *sh = hex(sig, sig_len);
	snprintf(conf + n, cap - (size_t)n,
	         "[seal]\ninfo = SEQUENCE:info\nsign = SEQUENCE:sign\n"
	         "[sign]\ncert = FORMAT:HEX,OCTETSTRING:%s\nalg = OID:ecdsa-with-SHA256\n"
	         "sig = FORMAT:HEX,BITSTRING:%s\n",
	         mh, sh);
	int len;
	unsigned char *der = gen(conf, "SEQUENCE:seal", &len);
	struct seal_facts f;
	struct kerr err = {{0}};
	CHECK_INT(seal_read(der, (size_t)len, &f, &err), KR_OK);
	CHECK_INT(f.format, 1);
	CHECK_INT(f.version, 2);
	CHECK_STR(f.vendor, "OLDVENDOR");
	CHECK_STR(f.esid, "OLD-0001");
	CHECK_STR(f.name, "南通测试有限公司");
	CHECK_INT(f.bind, SEAL_BIND_CERT);
	CHECK_INT(f.valid_from_utc, NOW - YEAR);
	CHECK_INT(f.valid_to_utc, NOW + YEAR);
	CHECK(f.picture_off + f.picture_len <= (size_t)len &&
	      memcmp(der + f.picture_off, r.png, r.png_len) == 0);
	CHECK_STR(verdict(der, (size_t)len, r.holder, NOW), "");
	CHECK_STR(verdict(der, (size_t)len, r.other, NOW), "seal.not_bound");
	CHECK_STR(verdict(der, (size_t)len, r.holder, NOW + YEAR + 1), "seal.expired");
	der[len - 1] ^= 0x01;
	CHECK_STR(verdict(der, (size_t)len, r.holder, NOW), "seal.bad_signature");
	der[len - 1] ^= 0x01;
	file_put("v1.der", der, (size_t)len);
	OPENSSL_free(der);
	OPENSSL_free(tbs);
	free(sh);
	free(sig);
	free(conf);
	free(hh);
	free(mh);
	free(ph);
	OPENSSL_free(hder);
	OPENSSL_free(mder);
}

int main(int argc, char **argv)
{
	out_dir = argc > 1 ? argv[1] : NULL;
	rig_up();
	test_unit_seal();
	test_person_seal();
	test_sm2_seal();
	test_maker_and_extensions();
	test_bad_spec();
	test_v1_seal();
	rig_down();
	return check_done();
}
