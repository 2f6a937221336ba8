/* test_staff_key.c — the staff role in a certificate (kiosk/pki/cert.c): read from the
 * extendedKeyUsage of a certificate our CA issued, and not from a user's certificate, one
 * without the extension, or one another CA issued with the same purpose. */
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "../check.h"
#include "pki/cert.h"

static EVP_PKEY *new_key(void)
{
	return EVP_EC_gen("P-256");
}

/* A certificate for key signed by ca_key under ca_name, with extendedKeyUsage eku
 * (NULL: none). */
static X509 *issue(EVP_PKEY *key, const char *cn, X509_NAME *ca_name, EVP_PKEY *ca_key,
                   const char *eku)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "serialNumber", MBSTRING_UTF8,
	                           (const unsigned char *)"11010519491231002X", -1, -1, 0);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, ca_name ? ca_name : name);
	X509_set_pubkey(x, key);
	if (eku) {
		X509V3_CTX ctx;
		X509V3_set_ctx_nodb(&ctx);
		X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
		X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_ext_key_usage, eku);
		CHECK(ext != NULL);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	CHECK(X509_sign(x, ca_key, EVP_sha256()) > 0);
	X509_NAME_free(name);
	return x;
}

static int role_of(X509 *x, const struct pki_trust *trust, enum issuer_kind issuer)
{
	struct pki_cert_facts f;
	struct kerr err;
	CHECK_INT(pki_cert_read(x, trust, &f, &err), KR_OK);
	CHECK_INT(f.issuer, issuer);
	return f.staff_role;
}

int main(void)
{
	EVP_PKEY *ours_key = new_key(), *other_key = new_key(), *user_key = new_key();
	X509 *ours = issue(ours_key, "Guoxin Test Issuing CA", NULL, ours_key, NULL);
	X509 *other = issue(other_key, "Other Test CA", NULL, other_key, NULL);
	struct pki_trust trust = {.ours = ours};
	const char *role = "clientAuth, " PKI_STAFF_ROLE_OID;

	X509 *staff = issue(user_key, "王工", X509_get_subject_name(ours), ours_key, role);
	X509 *user = issue(user_key, "张三", X509_get_subject_name(ours), ours_key, "clientAuth");
	X509 *plain = issue(user_key, "张三", X509_get_subject_name(ours), ours_key, NULL);
	X509 *forged = issue(user_key, "王工", X509_get_subject_name(ours), other_key, role);
	X509 *foreign = issue(user_key, "王工", X509_get_subject_name(other), other_key, role);

	CHECK_INT(role_of(staff, &trust, ISSUER_OURS), 1);
	CHECK_INT(role_of(user, &trust, ISSUER_OURS), 0);
	CHECK_INT(role_of(plain, &trust, ISSUER_OURS), 0);
	CHECK_INT(role_of(forged, &trust, ISSUER_OTHER), 0); /* our CA's name, not its key */
	CHECK_INT(role_of(foreign, &trust, ISSUER_OTHER), 0);

	X509 *all[] = {ours, other, staff, user, plain, forged, foreign};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		X509_free(all[i]);
	EVP_PKEY_free(ours_key);
	EVP_PKEY_free(other_key);
	EVP_PKEY_free(user_key);
	return check_done();
}
