/* test_keys_cmp.c — the cmp issuer against `openssl cmp`'s mock server (tests/rigs/cmp.sh)
 * on the SoftHSM rig: IR with the proof of possession signed on the token (the certificate
 * stored and verified on it), KUR signed on the token (a renewal through the key work,
 * which keeps the key's certificate when the CA answers with that very one, as the mock
 * does) and vouched for (raVerified), RR by the holder's ID (then queued once nothing is left),
 * and the failures: a certificate for another key refused, the CA's rejection with its
 * status, a wrong shared secret, no server. Then against tests/peers/cmp_peer (a CA
 * issuing for the key asked): a unit's main key with the seal and a sub-key, and a
 * renewal onto a fresh key pair. Runs in a private network namespace (the ctest
 * command: unshare -n, loopback only, under timeout). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "drivers/token/token.h"
#include "keys_rig.h"
#include "pki/cert.h"
#include "pki/issuer.h"
#include "pki/issuer_cmp.h"
#include "pki/keywork.h"

#define NOW      1795262400 /* 2026-11-21 08:00 UTC */
#define USER_PIN "135790"   /* the rig's user keys */
#define UNIT_ID  "91350200MA2YJ1XR9G"

static const struct keywork_hooks no_hooks; /* nothing told */

/* The server binds all interfaces: refuse to run outside a namespace with only lo. */
static int private_netns(void)
{
	FILE *f = fopen("/proc/net/dev", "r"); /* this process's namespace (sysfs is not) */
	char line[256], name[64];
	int others = 0;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, " %63[^:]:", name) == 1 && strchr(line, ':'))
			others += strcmp(name, "lo") != 0;
	if (f)
		fclose(f);
	return f && others == 0;
}

static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0), port = -1;
	if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(s, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (s >= 0)
		close(s);
	return port;
}

static int accepts(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int ok = s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) == 0;
	if (s >= 0)
		close(s);
	return ok;
}

/* Starts the mock server (extra: more arguments, or NULL) and waits until it listens. */
static pid_t serve(const char *rig, int port, const char *extra1, const char *extra2)
{
	char p[16];
	snprintf(p, sizeof p, "%d", port);
	pid_t pid = fork();
	if (pid == 0) {
		execlp("bash", "bash", getenv("KEYS_CMP_SH"), "serve", rig, p, extra1, extra2,
		       (char *)NULL);
		_exit(127);
	}
	for (int k = 0; k < 200 && !accepts(port); k++)
		usleep(50000);
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static X509 *read_pem(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	return x;
}

/* IR and a vouched-for KUR straight through the issuer, with the key on the token. */
static void direct(const struct conf_keys *c, X509 *rsp, X509 *ca)
{
	struct token_ctx *t = NULL;
	struct kerr err = {{0}};
	struct token_cert *certs = NULL;
	X509 *got = NULL;
	int n = 0;
	CHECK_INT(token_open(c->module, &t, &err), KR_OK);
	int i = t ? token_find(t, "reader:port", 0) : -1;
	CHECK(i >= 0);
	if (i < 0) {
		token_close(t);
		return;
	}
	CHECK_INT(token_certs(t, i, &certs, &n, &err), KR_OK);
	/* the signing certificate of the rig key's pair */
	int b = -1;
	for (int k = 0; k < n; k++)
		if (certs[k].x509 && keys_rig_signing(certs[k].x509))
			b = b < 0 ? k : n;
	CHECK(b >= 0 && b < n);
	if (b < 0 || b >= n) {
		token_certs_free(certs, n);
		token_close(t);
		return;
	}
	CHECK_INT(token_login(t, i, 0, USER_PIN, &err), KR_OK);
	EVP_PKEY *priv = token_private_key(t, i, certs[b].id, certs[b].id_len, &err);
	CHECK(priv != NULL);

	/* IR: proof of possession signed on the token */
	int rc = issuer_cmp_enrol(&c->cmp, priv, X509_get_subject_name(certs[b].x509), 365, UNIT_ID,
	                          &got, &err);
	if (rc != KR_OK)
		fprintf(stderr, "IR: %s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	CHECK(got && X509_cmp(got, rsp) == 0);
	CHECK(got && X509_verify(got, X509_get0_pubkey(ca)) == 1);
	CHECK(got && priv && pki_sign_verify(priv, got));
	/* stored in place of the rig's certificate: the mock takes a KUR only for its own */
	int removed = 0;
	CHECK(got && token_cert_store(t, i, got, certs[b].id, certs[b].id_len, certs[b].label,
	                              &err) == KR_OK);
	CHECK_INT(token_cert_remove(t, i, certs[b].x509, &removed, &err), KR_OK);
	CHECK_INT(removed, 1);
	X509 *issued = got;
	got = NULL;

	/* KUR without the private key: the kiosk vouches (raVerified) */
	rc = issued ? issuer_cmp_update(&c->cmp, issued, NULL, 365, UNIT_ID, &got, &err) : KR_IO;
	if (rc != KR_OK)
		fprintf(stderr, "KUR raVerified: %s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	CHECK(got && X509_cmp(got, rsp) == 0);
	X509_free(got);
	X509_free(issued);

	/* a bad subject id never reaches the CA or the certs folder */
	got = NULL;
	CHECK_INT(issuer_cmp_enrol(&c->cmp, priv, X509_get_subject_name(certs[b].x509), 365, "../x",
	                           &got, &err),
	          KR_INVALID);
	EVP_PKEY_free(priv);
	token_logout(t, i);
	token_certs_free(certs, n);
	token_close(t);
}

int main(void)
{
	char dir[512], rig[600], cmd[8400];
	struct conf_keys c;
	struct kerr err = {{0}};
	struct keywork *kw = NULL;
	struct keywork_result res;
	struct key_triage k;

	if (!private_netns()) {
		fprintf(stderr, "not in a private network namespace (run through ctest)\n");
		return 1;
	}
	if (!getenv("KEYS_CMP_SH") || !getenv("CMP_PEER") ||
	    keys_rig_up(dir, sizeof dir, 3, NOW) != 0)
		return 1;
	snprintf(rig, sizeof rig, "%s/rig", dir);
	snprintf(cmd, sizeof cmd, "bash '%s' prepare '%s' unit-expiring", getenv("KEYS_CMP_SH"),
	         rig);
	CHECK_INT(system(cmd), 0);
	keys_rig_conf(dir, &c);
	int port = free_port();
	snprintf(c.issuer, sizeof c.issuer, "cmp");
	snprintf(c.cmp.server, sizeof c.cmp.server, "http://127.0.0.1:%d/pkix/", port);
	snprintf(c.cmp.trusted, sizeof c.cmp.trusted, "%s/cmp/trusted.pem", rig);
	snprintf(c.cmp.ref, sizeof c.cmp.ref, "kiosk");
	snprintf(c.cmp.secret_file, sizeof c.cmp.secret_file, "%s/cmp/secret", rig);
	snprintf(c.cmp.certs, sizeof c.cmp.certs, "%s/cmp/certs", rig);
	c.cmp.msg_timeout_s = 5;
	c.cmp.total_timeout_s = 10;
	snprintf(cmd, sizeof cmd, "%s/cmp/rsp.pem", rig);
	X509 *rsp = read_pem(cmd), *ca = read_pem(c.cmp.trusted);
	CHECK(rsp && ca);
	char rsp_serial[48];
	rsp_serial[0] = '\0';
	if (rsp)
		issuer_serial_hex(rsp, rsp_serial, sizeof rsp_serial);
	CHECK_INT(keys_rig_insert(dir, "unit-expiring"), 0);

	/* a [cmp] section left out is a configuration error at create */
	struct conf_keys bare = c;
	bare.cmp.server[0] = '\0';
	CHECK_INT(keywork_create(&bare, stderr, &kw, &err), KR_CONFIG);
	CHECK(strstr(err.msg, "[cmp] server") != NULL);

	pid_t srv = serve(rig, port, NULL, NULL);
	CHECK(accepts(port));
	direct(&c, rsp, ca);

	CHECK_INT(keywork_create(&c, stderr, &kw, &err), KR_OK);
	if (!kw) {
		fprintf(stderr, "%s\n", err.msg);
		stop(srv);
		keys_rig_down(dir);
		return check_done();
	}

	/* renewal (KUR, POP signed on the token with the user's PIN): stored, verified, the
	 * old certificate gone */
	CHECK_INT(keywork_triage(kw, NOW, &k, &err), KR_OK);
	struct work_spec w = {.biz = BIZ_RENEW, .holder = k.holder, .years = 1};
	snprintf(w.key_serial, sizeof w.key_serial, "%s", k.serial);
	snprintf(w.subject_id, sizeof w.subject_id, "%s", k.subject_id);
	snprintf(w.pin, sizeof w.pin, USER_PIN);
	w.renew_from_utc = k.not_after_utc;
	int rc = keywork_run(kw, &w, NOW, &no_hooks, &res, &err);
	if (rc != KR_OK)
		fprintf(stderr, "renew: %s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	CHECK_STR(res.cert_serial, rsp_serial);
	int64_t rsp_after = 0;
	if (rsp)
		pki_time_get(X509_get0_notAfter(rsp), &rsp_after);
	CHECK_INT(res.not_after_utc, rsp_after);
	CHECK_INT(keywork_triage(kw, NOW, &k, &err), KR_OK);
	CHECK_INT(k.issuer, ISSUER_OURS);
	CHECK_INT(k.not_after_utc, rsp_after);
	CHECK_INT(keys_rig_usable_certs(c.module), 1);

	/* a new key: the mock's fixed certificate is not for it, so it is refused */
	struct work_spec nw = {.biz = BIZ_NEW, .holder = HOLDER_UNIT, .years = 1};
	snprintf(nw.subject_name, sizeof nw.subject_name, "南通示例建设工程有限公司");
	snprintf(nw.subject_id, sizeof nw.subject_id, UNIT_ID);
	snprintf(nw.pin, sizeof nw.pin, "902417");
	rc = keywork_run(kw, &nw, NOW, &no_hooks, &res, &err);
	fprintf(stderr, "new key, foreign certificate: %s\n", err.msg);
	CHECK_INT(rc, KR_CONFLICT);
	CHECK_STR(res.reason_key, "work.write_failed");
	CHECK(strstr(err.msg, "not accepted") != NULL);

	/* revocation by the holder's ID: RR for what the CA gave, then nothing left: queued;
	 * a lift has no CMP request */
	struct work_spec rw = {
	    .biz = BIZ_REVOKE, .holder = HOLDER_UNIT, .revoke_reason = REVOKE_LIFT};
	snprintf(rw.subject_id, sizeof rw.subject_id, UNIT_ID);
	CHECK_INT(keywork_run(kw, &rw, NOW, &no_hooks, &res, &err), KR_INVALID);
	rw.revoke_reason = REVOKE_KEY_COMPROMISE;
	rc = keywork_run(kw, &rw, NOW, &no_hooks, &res, &err);
	if (rc != KR_OK)
		fprintf(stderr, "revoke: %s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	CHECK_INT(res.queued, 0);
	CHECK_STR(res.cert_serial, rsp_serial);
	struct stat st;
	snprintf(cmd, sizeof cmd, "%s/%s.%s.pem.revoked", c.cmp.certs, UNIT_ID, rsp_serial);
	CHECK_INT(stat(cmd, &st), 0);
	CHECK_INT(keywork_run(kw, &rw, NOW, &no_hooks, &res, &err), KR_OK);
	CHECK_INT(res.queued, 1);
	stop(srv);

	/* the CA refuses: its status and failure info come back; the key keeps its
	 * certificate */
	srv = serve(rig, port, "-pkistatus", "2");
	CHECK_INT(keywork_triage(kw, NOW, &k, &err), KR_OK);
	w.renew_from_utc = k.not_after_utc;
	w.pin[0] = '\0'; /* vouched for by the kiosk */
	rc = keywork_run(kw, &w, NOW, &no_hooks, &res, &err);
	fprintf(stderr, "rejected: %s\n", err.msg);
	CHECK_INT(rc, KR_CONFLICT);
	CHECK_STR(res.reason_key, "work.write_failed");
	CHECK(strstr(err.msg, "rejection") != NULL);
	CHECK_INT(keys_rig_usable_certs(c.module), 1);
	/* RR refused the same way (the mock answers RR with the same status) */
	snprintf(cmd, sizeof cmd, "cp '%s/cmp/rsp.pem' '%s/%s.%s.pem'", rig, c.cmp.certs, UNIT_ID,
	         rsp_serial);
	CHECK_INT(system(cmd), 0);
	int revoked = 0;
	char serial[48];
	rc = issuer_cmp_revoke(&c.cmp, UNIT_ID, CRL_REASON_KEY_COMPROMISE, &revoked, serial,
	                       sizeof serial, &err);
	fprintf(stderr, "RR rejected: %s\n", err.msg);
	CHECK(rc != KR_OK);
	CHECK_INT(revoked, 0);
	stop(srv);

	/* a wrong shared secret: the CA cannot check our messages, nor we its answer */
	srv = serve(rig, port, NULL, NULL);
	struct conf_cmp wrong = c.cmp;
	snprintf(wrong.secret_file, sizeof wrong.secret_file, "%s/cmp/wrong-secret", rig);
	FILE *f = fopen(wrong.secret_file, "w");
	if (f) {
		fputs("not-the-secret\n", f);
		fclose(f);
	}
	rc = issuer_cmp_revoke(&wrong, UNIT_ID, CRL_REASON_KEY_COMPROMISE, &revoked, serial,
	                       sizeof serial, &err);
	fprintf(stderr, "wrong secret: %s\n", err.msg);
	CHECK(rc == KR_CONFLICT || rc == KR_IO);
	CHECK_INT(revoked, 0);
	stop(srv);

	/* no server at all: an ordinary I/O failure */
	rc = issuer_cmp_revoke(&c.cmp, UNIT_ID, CRL_REASON_KEY_COMPROMISE, &revoked, serial,
	                       sizeof serial, &err);
	fprintf(stderr, "no server: %s\n", err.msg);
	CHECK_INT(rc, KR_IO);

	/* against tests/peers/cmp_peer, a CA that issues for the key asked: a unit's main key
	 * with the seal and a sub-key (an IR each), then a renewal onto a fresh key pair
	 * ([keys] renew_fresh_key = 1: a KUR whose proof of possession the new key signs) */
	keywork_destroy(kw); /* one token context per process */
	kw = NULL;
	char ports[700];
	snprintf(ports, sizeof ports, "%s/cmp/peer.ports", rig);
	pid_t peer = fork();
	if (peer == 0) {
		char cert[700], key[700];
		snprintf(cert, sizeof cert, "%s/ca/issuing.pem", rig);
		snprintf(key, sizeof key, "%s/ca/issuing.key", rig);
		execl(getenv("CMP_PEER"), "cmp_peer", "--ca-cert", cert, "--ca-key", key, "--ref",
		      "kiosk", "--secret-file", c.cmp.secret_file, "--ports-file", ports,
		      (char *)NULL);
		_exit(127);
	}
	int peer_port = 0;
	for (int t = 0; t < 100 && peer_port <= 0; t++) {
		usleep(50000);
		f = fopen(ports, "r");
		if (f && fscanf(f, "%d", &peer_port) != 1)
			peer_port = 0;
		if (f)
			fclose(f);
	}
	CHECK(peer_port > 0);
	struct conf_keys pc = c;
	pc.renew_fresh_key = 1;
	snprintf(pc.cmp.server, sizeof pc.cmp.server, "http://127.0.0.1:%d/pkix/", peer_port);
	CHECK_INT(keywork_create(&pc, stderr, &kw, &err), KR_OK);
	struct work_spec uw = {
	    .biz = BIZ_NEW, .holder = HOLDER_UNIT, .years = 4, .seal = 1, .sub_keys = 1};
	snprintf(uw.subject_name, sizeof uw.subject_name, "南通示例建设工程有限公司");
	snprintf(uw.subject_id, sizeof uw.subject_id, UNIT_ID);
	snprintf(uw.pin, sizeof uw.pin, "902417");
	rc = kw ? keywork_run(kw, &uw, NOW, &no_hooks, &res, &err) : KR_IO;
	if (rc != KR_OK)
		fprintf(stderr, "unit new key through the peer: %s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	CHECK(res.cert_serial[0] != '\0');
	CHECK(res.not_after_utc - res.not_before_utc >= 4 * 365 * 86400LL - 86400);
	CHECK_INT(keys_rig_insert(dir, "unit-valid"), 0);
	rc = kw ? keywork_triage(kw, NOW, &k, &err) : KR_IO;
	CHECK_INT(rc, KR_OK);
	struct work_spec fw = {.biz = BIZ_RENEW, .holder = k.holder, .years = 1};
	snprintf(fw.key_serial, sizeof fw.key_serial, "%s", k.serial);
	snprintf(fw.subject_id, sizeof fw.subject_id, "%s", k.subject_id);
	snprintf(fw.pin, sizeof fw.pin, USER_PIN);
	fw.renew_from_utc = k.not_after_utc;
	rc = kw ? keywork_run(kw, &fw, NOW, &no_hooks, &res, &err) : KR_IO;
	if (rc != KR_OK)
		fprintf(stderr, "fresh-key renewal through the peer: %s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	CHECK_INT(keys_rig_usable_certs(c.module), 1);
	stop(peer);

	X509_free(rsp);
	X509_free(ca);
	keywork_destroy(kw);
	keys_rig_down(dir);
	return check_done();
}
