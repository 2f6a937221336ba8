/* test_keys_bid.c — certificates that serve a bid, lived as a bidder lives them, for RSA
 * and EC keys on the SoftHSM rig: a new key holds the pair (tests/keys/bid.sh reads it
 * off the token and checks both with `openssl x509 -text`), a bid encrypted to its
 * encryption certificate with `openssl cms` opens with the key on the token through
 * OpenSSL's pkcs11 engine and a signature with it verifies; after a renewal — the
 * encryption certificate re-issued for the same escrowed key — the bid sealed before
 * still opens. The escrow copy the work journal gets is an envelope for the KMC of the
 * key the encryption certificate holds. */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "core/cntime.h"
#include "drivers/token/envelope.h"
#include "keys_rig.h"
#include "pki/keywork.h"

#define NOW   1795262400 /* 2026-11-21 08:00 UTC */
#define DAY_S 86400
#define PIN   "902417"

/* The escrow copies the work handed over. */
static unsigned char escrowed[2][WORK_ESCROW_MAX];
static size_t escrowed_len[2];
static int nescrow;

static int on_escrow(void *ctx, const struct work_escrow *e)
{
	(void)ctx;
	if (nescrow < 2 && e->len <= WORK_ESCROW_MAX) {
		memcpy(escrowed[nescrow], e->der, e->len);
		escrowed_len[nescrow++] = e->len;
	}
	return 0;
}
static const struct keywork_hooks hooks = {.escrow = on_escrow};

/* bid.sh STEP with the work folder, the key's serial and ARGS; its exit status. */
static int bid(const char *step, const char *wd, const char *serial, const char *args)
{
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "'%s/tests/keys/bid.sh' %s '%s' '%s' %s",
	         getenv("KIOSK_SOURCE_DIR"), step, wd, serial, args);
	int rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "failed: %s\n", cmd);
	return rc;
}

/* Makes the key of serial, out of the dispenser, the one in the port. */
static void to_port(const char *dir, const char *serial)
{
	char cmd[8192];
	snprintf(cmd, sizeof cmd,
	         "cd '%s/rig/shim' && grep -v '^%s ' slots > slots.t && mv slots.t slots && "
	         "echo 'bidder-%s %s' >> profiles",
	         dir, serial, serial, serial);
	CHECK_INT(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "bidder-%s", serial);
	CHECK_INT(keys_rig_insert(dir, cmd), 0);
}

/* The escrow copy e is an envelope for the KMC's RSA key (test_envelope opens one with
 * the KMC's private key) of the key the encryption certificate (PEM file cert) holds. */
static int escrow_of(const unsigned char *e, size_t len, const char *cert)
{
	enum envelope_scheme scheme;
	EVP_PKEY *pub = NULL;
	struct kerr err;
	FILE *f = fopen(cert, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	int ok = x && envelope_read(e, len, &scheme, &pub, &err) == KR_OK &&
	         scheme == ENVELOPE_RSA_OAEP && EVP_PKEY_eq(pub, X509_get0_pubkey(x)) == 1;
	EVP_PKEY_free(pub);
	X509_free(x);
	return ok;
}

static void bidder(struct keywork *kw, struct conf_keys *c, const char *dir, const char *type)
{
	struct keywork_result res;
	struct key_triage k;
	struct kerr err = {{0}};
	char wd[4200], ca[4200], args[4400], enc[4300];
	snprintf(c->key_type, sizeof c->key_type, "%s", type);
	snprintf(wd, sizeof wd, "%s/bid-%s", dir, type);
	snprintf(ca, sizeof ca, "%s/rig/ca/chain.pem", dir);
	snprintf(enc, sizeof enc, "%s/enc.pem", wd);
	CHECK_INT(mkdir(wd, 0700), 0);

	/* a new key for 张三 */
	struct work_spec w = {.biz = BIZ_NEW, .holder = HOLDER_PERSON, .years = 1};
	snprintf(w.subject_name, sizeof w.subject_name, "张三");
	snprintf(w.subject_id, sizeof w.subject_id, "11010519491231002X");
	snprintf(w.pin, sizeof w.pin, PIN);
	nescrow = 0;
	int rc = keywork_run(kw, &w, NOW, &hooks, &res, &err);
	if (rc != KR_OK)
		fprintf(stderr, "%s new key: %s\n", type, err.msg);
	CHECK_INT(rc, KR_OK);
	CHECK_INT(nescrow, 1);
	if (rc != KR_OK)
		return;

	/* the new key in the port: the pair, a bid sealed, opened, signed */
	char serial[40] = "";
	FILE *p = popen("pkcs11-tool --module /usr/lib/softhsm/libsofthsm2.so -L 2>/dev/null | "
	                "sed -n 's/.*token label *: *GXCA \\([^ ]*\\).*/\\1/p' | tail -n 1",
	                "r");
	if (p && fgets(serial, sizeof serial, p))
		serial[strcspn(serial, "\n")] = '\0';
	if (p)
		pclose(p);
	CHECK(serial[0] != '\0');
	to_port(dir, serial);
	CHECK_INT(keywork_triage(kw, NOW, &k, &err), KR_OK);
	CHECK_INT(k.has_cert, 1);
	CHECK_INT(k.has_enc, 1);
	CHECK_INT(k.check_pass, 1);
	CHECK_INT(bid("certs", wd, serial, ca), 0);
	CHECK(escrow_of(escrowed[0], escrowed_len[0], enc));
	snprintf(args, sizeof args, "%s '%s'", PIN, ca);
	CHECK_INT(bid("seal", wd, serial, args), 0);
	CHECK_INT(bid("open", wd, serial, PIN), 0);

	/* renewal (with the PIN, as a possession proof gives it): the pair renewed, the bid
	 * sealed before still opens */
	struct work_spec r = {.biz = BIZ_RENEW, .holder = HOLDER_PERSON, .years = 1};
	snprintf(r.key_serial, sizeof r.key_serial, "%s", k.serial);
	snprintf(r.subject_name, sizeof r.subject_name, "%s", k.subject_name);
	snprintf(r.subject_id, sizeof r.subject_id, "%s", k.subject_id);
	snprintf(r.pin, sizeof r.pin, PIN);
	r.renew_from_utc = k.not_after_utc;
	nescrow = 0;
	rc = keywork_run(kw, &r, NOW + 300 * DAY_S, &hooks, &res, &err);
	if (rc != KR_OK)
		fprintf(stderr, "%s renewal: %s\n", type, err.msg);
	CHECK_INT(rc, KR_OK);
	CHECK_INT(nescrow, 0); /* the same escrowed key, re-certified */
	CHECK_INT(res.not_after_utc, cntime_add_years(k.not_after_utc, 1));
	CHECK_INT(bid("certs", wd, serial, ca), 0);
	CHECK_INT(bid("open", wd, serial, PIN), 0);
	CHECK_INT(bid("seal", wd, serial, args), 0);
	CHECK_INT(bid("open", wd, serial, PIN), 0);
}

int main(void)
{
	char dir[4096];
	struct conf_keys c;
	struct keywork *kw = NULL;
	struct kerr err = {{0}};
	if (keys_rig_up(dir, sizeof dir, 2, NOW) != 0)
		return 1;
	keys_rig_conf(dir, &c);
	char cmd[8400];
	snprintf(cmd, sizeof cmd, "cd '%s/rig/ca' && cat root.pem issuing.pem > chain.pem", dir);
	CHECK_INT(system(cmd), 0);
	CHECK_INT(keywork_create(&c, stderr, &kw, &err), KR_OK);
	if (kw) {
		bidder(kw, &c, dir, "ec-p256");
		bidder(kw, &c, dir, "rsa2048");
		keywork_destroy(kw);
	}
	if (!getenv("KEYS_RIG_KEEP"))
		keys_rig_down(dir);
	return check_done();
}
