/* seal.h — the electronic seal (电子印章) as data: GB/T 38540-2020 SESeal ("v4"), made and
 * signed by the seal maker (制章人), read back and checked; GM/T 0031-2014 ("v1") seals
 * from older keys are read and checked too, never made. docs/seal.md shows the ASN.1.
 * A seal comes off a user's key: seal_read and seal_check take any bytes (capped at
 * SEAL_MAX_DER, strict DER only) and never crash; the fuzz target tests/fuzz/fuzz_seal.c
 * feeds them arbitrary input. Nothing here touches a token: keys and certificates are
 * the caller's, borrowed. */
#ifndef KIOSK_PKI_SEAL_H
#define KIOSK_PKI_SEAL_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#include "core/result.h"

#define SEAL_MAX_DER     (256 * 1024) /* a seal bigger than this is junk */
#define SEAL_MAX_CERTS   8            /* certificates (or hashes) a seal may be bound to */
#define SEAL_MAX_EXT     8            /* extension data entries */
#define SEAL_MAX_MM      500          /* display width and height: 1..SEAL_MAX_MM mm */
#define SEAL_TEXT_MAX    256          /* name, seal id, vendor id: bytes with the NUL */
#define SEAL_VENDOR_DFLT "GXCA-KIOSK" /* our Vid when the spec leaves it empty */

/* The seal type of the property (GB/T 38540 5.2: 1 unit seal, 2 personal seal). */
enum seal_type { SEAL_UNIT = 1, SEAL_PERSON = 2 };

/* How the holder's signing certificate is bound (certListType): the certificate itself
 * in certList, or its hash (a CertDigestObj, SHA-256, or SM3 when the maker key is SM2). */
enum seal_bind { SEAL_BIND_CERT = 1, SEAL_BIND_DIGEST = 2 };

/* The maker's signature algorithm (signAlgID), chosen by the maker key's type. */
enum seal_alg { SEAL_ALG_UNKNOWN, SEAL_ALG_SM2_SM3, SEAL_ALG_ECDSA_SHA256, SEAL_ALG_RSA_SHA256 };

/* One extension data entry (ExtData: extnID, critical, extnValue). Borrowed. */
struct seal_ext {
	const char *oid; /* dotted */
	int critical;
	const unsigned char *value;
	size_t len;
};

/* What to make. Every pointer borrowed. */
struct seal_spec {
	enum seal_type type;
	const char *name;   /* the seal's name, UTF-8, 1..SEAL_TEXT_MAX-1 bytes */
	const char *esid;   /* the seal's unique code, printable ASCII */
	const char *vendor; /* the vendor id (Vid), printable ASCII; NULL or "": ours */
	X509 *holder;       /* the holder's signing certificate the seal is bound to */
	enum seal_bind bind;
	int64_t created_utc, valid_from_utc, valid_to_utc; /* from <= to */
	const char *picture_type;                          /* "PNG", "GIF", "JPG", "OFD", "SVG" */
	const unsigned char *picture;                      /* the imprint's bytes */
	size_t picture_len;
	int width_mm, height_mm; /* display size, 1..SEAL_MAX_MM */
	const struct seal_ext *ext;
	size_t n_ext; /* at most SEAL_MAX_EXT */
};

/* What a seal says, read without any cryptography. The picture is not copied: it lies
 * at picture_off in the DER read, picture_len bytes. */
struct seal_facts {
	int format;  /* 4: GB/T 38540-2020, 1: GM/T 0031-2014 */
	int version; /* the header's version */
	char vendor[SEAL_TEXT_MAX], esid[SEAL_TEXT_MAX], name[SEAL_TEXT_MAX]; /* UTF-8 */
	int type; /* as written: 1 unit, 2 person, anything else is not one we know */
	enum seal_bind bind;
	int n_bound; /* certificates or hashes in certList, 1..SEAL_MAX_CERTS */
	int64_t created_utc, valid_from_utc, valid_to_utc;
	char picture_type[8];
	size_t picture_off, picture_len;
	int width_mm, height_mm;
	int n_ext, ext_critical; /* extension data entries, of them critical */
	enum seal_alg alg;
	char maker_name[SEAL_TEXT_MAX]; /* the maker certificate's commonName, "" if none */
};

/* Makes a v4 seal from spec, signed with maker_key (borrowed; EC P-256, RSA or SM2, also
 * on a token) whose certificate is maker_cert (borrowed). *der (caller frees with
 * OPENSSL_free) and *len on KR_OK; KR_INVALID on a bad spec or a key and certificate that
 * do not belong together, KR_NOMEM, KR_IO when signing fails; *der NULL then. */
int seal_make(const struct seal_spec *spec, EVP_PKEY *maker_key, X509 *maker_cert,
              unsigned char **der, size_t *len, struct kerr *err);

/* Reads der (len bytes, all of them one seal of either version, strict DER) into out.
 * KR_OK, or KR_CORRUPT with out all zero and the reason in err (an allocation failing
 * while decoding reads as KR_CORRUPT too). */
int seal_read(const unsigned char *der, size_t len, struct seal_facts *out, struct kerr *err);

/* Checks a seal as the kiosk's check (检测) does: well-formed, a known algorithm, the
 * maker's signature over the seal info verifies with the maker certificate, which chains
 * (at now_utc) to one of makers (the trusted seal-making CAs, borrowed), holder (the
 * key's current signing certificate, borrowed) is in certList, now_utc lies within the
 * validity, no critical extension, and a plausible picture (a PNG is checked to its
 * header). Returns KR_OK with *reason NULL when the seal passes, else KR_INVALID
 * (KR_CORRUPT when malformed, as seal_read) with *reason the first failure as a string
 * key of the [seal] section ("seal.bad_signature" …) and the detail in err. out (may be
 * NULL) gets the facts read. */
int seal_check(const unsigned char *der, size_t len, X509 *holder, STACK_OF(X509) * makers,
               int64_t now_utc, struct seal_facts *out, const char **reason, struct kerr *err);

#endif
