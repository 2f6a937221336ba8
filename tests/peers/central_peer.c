/* central_peer.c — the central site for tests and the demo: the API of
 * docs/central-api.md over HTTPS with mutual TLS on 127.0.0.1 (the kiosk's certificate
 * must chain to the rig's CA, and its CN must be the kiosk id in the path), events and
 * inbox items kept in SQLite, fee tables signed with the peer's fee key. Connections are
 * kept alive. A plain-HTTP control port on 127.0.0.1 steers it:
 *   /down  /up                 stop listening (connections refused) / listen again
 *   /slow?ms=D                 wait D ms before handling each API request (0: not slow)
 *   /fault?kind=K&count=N[&after=M][&pid=P]  after M requests, the next N get K: 500 garbage
 * ackdrop drop 413 429 killbefore killafter clear; ackdrop stores the batch, then drops the
 *                              connection without an answer; killbefore/killafter SIGKILL
 *                              process P before / after storing the batch
 *   /pickup?kiosk=K&order=NO[&holder=&business=&name=&id=&agent=&years=&seal=&sub=&paid=]
 *                              a centrally reviewed order ready for pick-up at kiosk K
 *   /pickup-state?kiosk=K&order=NO[&expect=S]  offered | reported | collected (from the
 *                              kiosk's events); 409 when it is not S
 *   /review?kiosk=K&order=NO&result=approved|rejected
 *   /revocation?kiosk=K&order=NO[&serial=S]  the site revoked what order NO asked for
 *   /journal?kiosk=K&kind=J[&expect=N]  how many journal rows of kind J the kiosk pushed
 *                              (409 when not N)
 *   /fee?kiosk=K&version=V[&tamper=1|unsigned]  a fee table (tampered: payload changed
 *                              after signing)
 *   /agents?kiosk=K&unit=U&version=V[&ids=ID-ID…][&tamper=1|unsigned]  unit U's list of
 *                              authorised agents, signed with the fee key (tampered: an ID
 *                              added after signing)
 *   /events?kiosk=K            "seq event_id kind" per stored event, in arrival order
 *   /heartbeat?kiosk=K         the last heartbeat K sent (its JSON; 404: none), which is
 *                              kept once per kiosk; faults never hit heartbeats
 *   /crl?kiosk=K[&expect=N]    the crlNumber of the CRL held for K (0: none); 409 when it
 *                              is not N. A CRL PUT is kept when it parses as a CRL (signed
 *                              by the --crl-ca certificate, when given) with a crlNumber
 *                              above the one held (else 409); faults never hit CRLs
 *   /stats                     events= duplicates= requests= batches= violations= crls=
 *                              (crls: CRL PUTs received, kept or not)
 *   /quit
 * Usage: central_peer --cert C --key K --ca CA --fee-key F --db FILE --ports-file P
 *                     [--crl-ca ISSUING_CA] [--port N --control-port N]
 * The ports file gets "API_PORT CONTROL_PORT". Single-threaded. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sqlite3.h>

#include "httpd.h"

#define REQ_MAX    (8 * 1024 * 1024)
#define CONNS_MAX  8
#define FAULTS_MAX 16

struct fault {
	char kind[16];
	int count, pid, after;
};

struct api_conn {
	struct httpd_conn c;
	char cn[64];
};

static sqlite3 *db;
static EVP_PKEY *fee_key;
static X509 *crl_ca; /* the kiosks' issuing CA: their CRLs are signed by it (NULL: unchecked) */
static struct fault faults[FAULTS_MAX];
static int nfaults, slow_ms, quitting;
static long requests, batches, duplicates, violations, crl_puts;

static void die(const char *what)
{
	fprintf(stderr, "central_peer: %s\n", what);
	exit(2);
}

static void sql(const char *s)
{
	char *msg = NULL;
	if (sqlite3_exec(db, s, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "central_peer: %s: %s\n", s, msg);
		exit(2);
	}
}

static const struct fault *take_fault(void)
{
	static const struct fault none = {"", 0, 0, 0};
	for (int i = 0; i < nfaults; i++)
		if (faults[i].count > 0 && faults[i].after > 0) {
			faults[i].after--;
			return &none;
		} else if (faults[i].count > 0) {
			faults[i].count--;
			return &faults[i];
		}
	return &none;
}

static void error_answer(struct httpd_conn *c, int status, const char *code, const char *msg)
{
	char body[512];
	snprintf(body, sizeof body, "{\"error\":\"%s\",\"message\":\"%s\"}", code, msg);
	httpd_respond(c, status, "application/json", body, 1,
	              status == 429 ? "Retry-After: 1\r\n" : NULL);
}

/* Stores a batch in one transaction. Returns the answer (malloc'd) or NULL with *why. */
static char *store_batch(const char *kiosk, cJSON *events, const char **why)
{
	sqlite3_stmt *ins = NULL, *max = NULL;
	cJSON *held = cJSON_CreateArray(), *e;
	long stored = 0, dups = 0;
	sql("BEGIN IMMEDIATE");
	sqlite3_prepare_v2(db,
	                   "INSERT OR IGNORE INTO events(kiosk, event_id, seq, kind, at, body) "
	                   "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	                   -1, &ins, NULL);
	sqlite3_prepare_v2(db, "SELECT coalesce(max(seq), 0) FROM events WHERE kiosk = ?1", -1,
	                   &max, NULL);
	*why = NULL;
	cJSON_ArrayForEach(e, events)
	{
		const cJSON *id = cJSON_GetObjectItem(e, "id"),
		            *seq = cJSON_GetObjectItem(e, "seq");
		const cJSON *kind = cJSON_GetObjectItem(e, "kind"),
		            *at = cJSON_GetObjectItem(e, "at");
		const cJSON *body = cJSON_GetObjectItem(e, "body");
		if (!cJSON_IsString(id) || !cJSON_IsNumber(seq) || !cJSON_IsString(kind) ||
		    !cJSON_IsNumber(at) || !body) {
			*why = "an event lacks id, seq, kind, at or body";
			break;
		}
		sqlite3_bind_text(max, 1, kiosk, -1, SQLITE_STATIC);
		sqlite3_step(max);
		double top = sqlite3_column_double(max, 0);
		sqlite3_reset(max);
		char *text = cJSON_PrintUnformatted(body);
		sqlite3_bind_text(ins, 1, kiosk, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, id->valuestring, -1, SQLITE_STATIC);
		sqlite3_bind_double(ins, 3, seq->valuedouble);
		sqlite3_bind_text(ins, 4, kind->valuestring, -1, SQLITE_STATIC);
		sqlite3_bind_double(ins, 5, at->valuedouble);
		sqlite3_bind_text(ins, 6, text ? text : "null", -1, SQLITE_STATIC);
		int rc = sqlite3_step(ins);
		sqlite3_reset(ins);
		cJSON_free(text);
		if (rc != SQLITE_DONE) {
			*why = "storage failed";
			break;
		}
		if (sqlite3_changes(db) > 0) {
			stored++;
			if (seq->valuedouble <= top)
				violations++;
		} else {
			dups++;
		}
		cJSON_AddItemToArray(held, cJSON_CreateString(id->valuestring));
	}
	sqlite3_finalize(ins);
	sqlite3_finalize(max);
	if (*why) {
		sql("ROLLBACK");
		cJSON_Delete(held);
		return NULL;
	}
	sql("COMMIT");
	batches++;
	duplicates += dups;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "held", held);
	cJSON_AddNumberToObject(root, "stored", (double)stored);
	cJSON_AddNumberToObject(root, "duplicates", (double)dups);
	char *out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return out;
}

static char *inbox_answer(const char *kiosk, long long after, int limit)
{
	sqlite3_stmt *st = NULL;
	cJSON *root = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(root, "items");
	sqlite3_prepare_v2(db,
	                   "SELECT seq, kind, item_id, payload, sig FROM inbox WHERE kiosk = ?1 "
	                   "AND seq > ?2 ORDER BY seq LIMIT ?3",
	                   -1, &st, NULL);
	sqlite3_bind_text(st, 1, kiosk, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, after);
	sqlite3_bind_int(st, 3, limit + 1);
	int n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (++n > limit)
			break;
		cJSON *it = cJSON_CreateObject();
		cJSON_AddNumberToObject(it, "seq", (double)sqlite3_column_int64(st, 0));
		cJSON_AddStringToObject(it, "kind", (const char *)sqlite3_column_text(st, 1));
		cJSON_AddStringToObject(it, "id", (const char *)sqlite3_column_text(st, 2));
		cJSON_AddStringToObject(it, "payload", (const char *)sqlite3_column_text(st, 3));
		cJSON_AddStringToObject(it, "sig", (const char *)sqlite3_column_text(st, 4));
		cJSON_AddItemToArray(items, it);
	}
	sqlite3_finalize(st);
	cJSON_AddBoolToObject(root, "more", n > limit);
	char *out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return out;
}

/* Keeps the last heartbeat of kiosk (a JSON object naming it); answers 200 {}. */
static int heartbeat_store(struct httpd_conn *c, const char *kiosk, struct httpd_request *req)
{
	cJSON *root = cJSON_ParseWithLength(req->body, req->body_len);
	const cJSON *k = cJSON_GetObjectItem(root, "kiosk");
	if (!cJSON_IsString(k) || strcmp(k->valuestring, kiosk) != 0 ||
	    !cJSON_IsArray(cJSON_GetObjectItem(root, "devices"))) {
		cJSON_Delete(root);
		error_answer(c, 400, "bad_request", "a heartbeat names its kiosk and devices");
		return 0;
	}
	char *text = cJSON_PrintUnformatted(root);
	sqlite3_stmt *st = NULL;
	sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO heartbeats(kiosk, body) VALUES(?1, ?2)", -1,
	                   &st, NULL);
	sqlite3_bind_text(st, 1, kiosk, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text ? text : "{}", -1, SQLITE_STATIC);
	sqlite3_step(st);
	sqlite3_finalize(st);
	cJSON_free(text);
	cJSON_Delete(root);
	httpd_respond(c, 200, "application/json", "{}", 1, NULL);
	return req->close ? -1 : 0;
}

/* The crlNumber the site holds for kiosk, 0 when none. */
static int64_t crl_held(const char *kiosk)
{
	sqlite3_stmt *st = NULL;
	int64_t n = 0;
	sqlite3_prepare_v2(db, "SELECT number FROM crls WHERE kiosk = ?1", -1, &st, NULL);
	sqlite3_bind_text(st, 1, kiosk, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* A kiosk's CRL (DER): kept when it parses, is signed by the issuing CA (when known),
 * has a crlNumber and that is above the one held (docs/central-api.md §7). */
static int crl_store(struct httpd_conn *c, const char *kiosk, struct httpd_request *req)
{
	const unsigned char *p = (const unsigned char *)req->body;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)req->body_len);
	ASN1_INTEGER *num = NULL;
	int64_t n = -1, held = crl_held(kiosk);
	char msg[96];
	crl_puts++;
	if (crl && p == (const unsigned char *)req->body + req->body_len)
		num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	if (num && (ASN1_INTEGER_get_int64(&n, num) != 1 || n < 0))
		n = -1;
	ASN1_INTEGER_free(num);
	int signed_ok = crl && (!crl_ca || (X509_NAME_cmp(X509_CRL_get_issuer(crl),
	                                                  X509_get_subject_name(crl_ca)) == 0 &&
	                                    X509_CRL_verify(crl, X509_get0_pubkey(crl_ca)) == 1));
	X509_CRL_free(crl);
	ERR_clear_error();
	if (!crl || p != (const unsigned char *)req->body + req->body_len) {
		error_answer(c, 400, "bad_request", "not a DER CRL");
		return 0;
	}
	if (!signed_ok || n < 0) {
		error_answer(c, 422, "invalid_crl",
		             !signed_ok ? "not signed by the kiosk's issuing CA" : "no crlNumber");
		return 0;
	}
	if (n <= held) {
		snprintf(msg, sizeof msg, "the site holds CRL %lld", (long long)held);
		error_answer(c, 409, "stale", msg);
		return 0;
	}
	sqlite3_stmt *st = NULL;
	sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO crls(kiosk, number, der) VALUES(?1, ?2, ?3)",
	                   -1, &st, NULL);
	sqlite3_bind_text(st, 1, kiosk, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, n);
	sqlite3_bind_blob(st, 3, req->body, (int)req->body_len, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		error_answer(c, 500, "unavailable", "storage failed");
		return 0;
	}
	fprintf(stderr, "central_peer: %s: CRL %lld kept\n", kiosk, (long long)n);
	snprintf(msg, sizeof msg, "{\"number\":%lld}", (long long)n);
	httpd_respond(c, 200, "application/json", msg, 1, NULL);
	return req->close ? -1 : 0;
}

/* Handles one API request; returns 0 to keep the connection, -1 to drop it. */
static int api(struct api_conn *ac, struct httpd_request *req)
{
	struct httpd_conn *c = &ac->c;
	char kiosk[64] = "", what[32] = "", num[32];
	requests++;
	if (slow_ms)
		usleep((useconds_t)slow_ms * 1000);
	if (sscanf(req->path, "/v1/kiosks/%63[^/]/%31s", kiosk, what) != 2) {
		error_answer(c, 404, "not_found", "unknown path");
		return 0;
	}
	if (strcmp(kiosk, ac->cn) != 0) {
		error_answer(c, 403, "forbidden", "the client certificate is another kiosk's");
		return 0;
	}
	if (strcmp(what, "heartbeat") == 0 && strcmp(req->method, "POST") == 0)
		return heartbeat_store(c, kiosk, req);
	if (strcmp(what, "crl") == 0 && strcmp(req->method, "PUT") == 0)
		return crl_store(c, kiosk, req);
	const struct fault *fl = take_fault();
	const char *fault = fl->kind;
	if (strcmp(fault, "killbefore") == 0 && fl->pid > 0)
		kill(fl->pid, SIGKILL);
	if (strcmp(fault, "drop") == 0 || strcmp(fault, "killbefore") == 0)
		return -1;
	if (strcmp(fault, "500") == 0) {
		error_answer(c, 500, "unavailable", "injected");
		return 0;
	}
	if (strcmp(fault, "413") == 0 || strcmp(fault, "429") == 0) {
		error_answer(c, atoi(fault), fault[1] == '1' ? "too_large" : "slow_down",
		             "injected");
		return 0;
	}
	if (strcmp(fault, "garbage") == 0) {
		httpd_respond(c, 200, "application/json",
		              "<html>502 Bad Gateway</html>{\"held\":", 1, NULL);
		return 0;
	}
	if (strcmp(what, "inbox") == 0 && strcmp(req->method, "GET") == 0) {
		long long after = atoll(httpd_param(req->query, "after", num, sizeof num));
		int limit = atoi(httpd_param(req->query, "limit", num, sizeof num));
		char *out = inbox_answer(kiosk, after, limit < 1 || limit > 500 ? 100 : limit);
		httpd_respond(c, 200, "application/json", out, 1, NULL);
		cJSON_free(out);
		return 0;
	}
	if (strcmp(what, "events") != 0 || strcmp(req->method, "POST") != 0) {
		error_answer(c, 404, "not_found", "unknown path");
		return 0;
	}
	cJSON *root = cJSON_ParseWithLength(req->body, req->body_len);
	cJSON *events = cJSON_GetObjectItem(root, "events");
	if (!cJSON_IsArray(events)) {
		cJSON_Delete(root);
		error_answer(c, 400, "bad_request", "no events");
		return 0;
	}
	const char *why;
	char *out = store_batch(kiosk, events, &why);
	int nevents = cJSON_GetArraySize(events);
	cJSON_Delete(root);
	if (!out) {
		error_answer(c, 422, "invalid_event", why);
		return 0;
	}
	fprintf(stderr, "central_peer: %s: batch of %d%s\n", kiosk, nevents,
	        fault[0] ? " (fault)" : "");
	if (strcmp(fault, "killafter") == 0 && fl->pid > 0)
		kill(fl->pid, SIGKILL);
	if (strcmp(fault, "ackdrop") == 0 || strcmp(fault, "killafter") == 0) {
		cJSON_free(out);
		return -1;
	}
	httpd_respond(c, 200, "application/json", out, 1, NULL);
	cJSON_free(out);
	return req->close ? -1 : 0;
}

static void sign_b64(const char *data, char *out)
{
	unsigned char sig[1024];
	size_t sl = sizeof sig;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, fee_key);
	EVP_DigestSign(md, sig, &sl, (const unsigned char *)data, strlen(data));
	EVP_MD_CTX_free(md);
	EVP_EncodeBlock((unsigned char *)out, sig, (int)sl);
}

static void inbox_add(const char *kiosk, const char *kind, const char *id, const char *payload,
                      const char *sig)
{
	sqlite3_stmt *st = NULL;
	sqlite3_prepare_v2(db,
	                   "INSERT INTO inbox(kiosk, kind, item_id, payload, sig) "
	                   "VALUES(?1, ?2, ?3, ?4, ?5)",
	                   -1, &st, NULL);
	sqlite3_bind_text(st, 1, kiosk, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, payload, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, sig, -1, SQLITE_STATIC);
	sqlite3_step(st);
	sqlite3_finalize(st);
}

static int api_up = 1;

/* A pick-up order as an operator approved it: the query's name, id (USCC or ID number),
 * agent (the collector's ID number), holder, business, years, seal, sub, paid — with a
 * unit's order by default (a change: to a new name). */
static void pickup_payload(const char *q, const char *order, char *out, size_t size)
{
	char holder[16], biz[16], name[256], id[32], agent[32], years[8], seal[8], sub[8], paid[16];
	cJSON *j = cJSON_CreateObject();
	httpd_param(q, "holder", holder, sizeof holder);
	httpd_param(q, "business", biz, sizeof biz);
	httpd_param(q, "name", name, sizeof name);
	httpd_param(q, "id", id, sizeof id);
	httpd_param(q, "agent", agent, sizeof agent);
	cJSON_AddStringToObject(j, "order_no", order);
	cJSON_AddStringToObject(j, "business", biz[0] ? biz : "new");
	cJSON_AddStringToObject(j, "holder", holder[0] ? holder : "unit");
	/* a change's approved new name by default: the old one with the change made */
	cJSON_AddStringToObject(j, "subject_name",
	                        name[0]                      ? name
	                        : strcmp(biz, "change") == 0 ? "南通示例新材料建设工程有限公司"
	                                                     : "南通示例建设工程有限公司");
	cJSON_AddStringToObject(j, "subject_id", id[0] ? id : "91350200MA2YJ1XR9G");
	cJSON_AddStringToObject(j, "agent_id", agent[0] ? agent : "11010519491231002X");
	cJSON_AddNumberToObject(j, "years",
	                        atoi(httpd_param(q, "years", years, sizeof years)) ?: 1);
	cJSON_AddNumberToObject(j, "seal", atoi(httpd_param(q, "seal", seal, sizeof seal)));
	cJSON_AddNumberToObject(j, "sub_keys", atoi(httpd_param(q, "sub", sub, sizeof sub)));
	cJSON_AddNumberToObject(j, "paid_fen", atoi(httpd_param(q, "paid", paid, sizeof paid)));
	char *text = cJSON_PrintUnformatted(j);
	snprintf(out, size, "%s", text ? text : "{}");
	cJSON_free(text);
	cJSON_Delete(j);
}

/* What the kiosk reported of pick-up order NO: "collected" once an order handing it out
 * (itself, or one created for it) reached served, "reported" once such an order was
 * created, else "offered". */
static const char *pickup_state(const char *kiosk, const char *order)
{
	static const char *const sql =
	    "SELECT max(CASE WHEN json_extract(body, '$.to') = 'served' THEN 2 ELSE 1 END) "
	    "FROM events WHERE kiosk = ?1 AND (json_extract(body, '$.order_no') = ?2 OR "
	    "json_extract(body, '$.order_no') IN (SELECT json_extract(body, '$.order_no') "
	    "FROM events WHERE kiosk = ?1 AND json_extract(body, '$.pickup') = ?2))";
	sqlite3_stmt *st = NULL;
	int n = 0;
	sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	sqlite3_bind_text(st, 1, kiosk, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, order, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n == 2 ? "collected" : n == 1 ? "reported" : "offered";
}

static void control(struct httpd_conn *c, struct httpd_request *req)
{
	char kiosk[64], order[64], a[32], b[32];
	const char *q = req->query;
	httpd_param(q, "kiosk", kiosk, sizeof kiosk);
	httpd_param(q, "order", order, sizeof order);
	if (strcmp(req->path, "/down") == 0 || strcmp(req->path, "/up") == 0) {
		api_up = req->path[1] == 'u';
		return httpd_respond(c, 200, "text/plain", "ok\n", 0, NULL);
	}
	if (strcmp(req->path, "/slow") == 0) {
		slow_ms = atoi(httpd_param(q, "ms", a, sizeof a));
		return httpd_respond(c, 200, "text/plain", "ok\n", 0, NULL);
	}
	if (strcmp(req->path, "/fault") == 0) {
		httpd_param(q, "kind", a, sizeof a);
		if (strcmp(a, "clear") == 0) {
			nfaults = 0;
			return httpd_respond(c, 200, "text/plain", "cleared\n", 0, NULL);
		}
		if (!a[0] || nfaults == FAULTS_MAX)
			return httpd_respond(c, 400, "text/plain", "no kind or no room\n", 0, NULL);
		snprintf(faults[nfaults].kind, sizeof faults[0].kind, "%.15s", a);
		faults[nfaults].pid = atoi(httpd_param(q, "pid", b, sizeof b));
		faults[nfaults].after = atoi(httpd_param(q, "after", b, sizeof b));
		faults[nfaults++].count = httpd_param(q, "count", b, sizeof b)[0] ? atoi(b) : 1;
		return httpd_respond(c, 200, "text/plain", "ok\n", 0, NULL);
	}
	if ((strcmp(req->path, "/pickup") == 0 || strcmp(req->path, "/review") == 0) && kiosk[0] &&
	    order[0]) {
		char payload[512];
		int pickup = req->path[1] == 'p';
		if (pickup)
			pickup_payload(q, order, payload, sizeof payload);
		else
			snprintf(payload, sizeof payload, "{\"order_no\":\"%s\",\"result\":\"%s\"}",
			         order, httpd_param(q, "result", a, sizeof a)[0] ? a : "approved");
		inbox_add(kiosk, pickup ? "pickup" : "review", order, payload, "");
		return httpd_respond(c, 200, "text/plain", "ok\n", 0, NULL);
	}
	if (strcmp(req->path, "/revocation") == 0 && kiosk[0] && order[0]) {
		char payload[256];
		snprintf(payload, sizeof payload,
		         "{\"order_no\":\"%.63s\",\"serial\":\"%.31s\",\"revoked_at\":%lld}", order,
		         httpd_param(q, "serial", a, sizeof a), (long long)time(NULL));
		inbox_add(kiosk, "revocation", order, payload, "");
		return httpd_respond(c, 200, "text/plain", "ok\n", 0, NULL);
	}
	if (strcmp(req->path, "/pickup-state") == 0 && kiosk[0] && order[0]) {
		char line[32];
		const char *state = pickup_state(kiosk, order);
		snprintf(line, sizeof line, "%s\n", state);
		httpd_param(q, "expect", a, sizeof a);
		return httpd_respond(c, a[0] && strcmp(a, state) != 0 ? 409 : 200, "text/plain",
		                     line, 0, NULL);
	}
	if (strcmp(req->path, "/fee") == 0 && kiosk[0]) {
		char payload[512], sig[1500] = "", id[64];
		int version = atoi(httpd_param(q, "version", a, sizeof a));
		httpd_param(q, "tamper", b, sizeof b);
		snprintf(payload, sizeof payload,
		         "{\"region\":\"nantong\",\"version\":%d,\"fees\":{\"unit.renew\":"
		         "{\"cert_year\":\"120\",\"seal_year\":\"120\",\"cert_4years\":\"400\","
		         "\"seal_4years\":\"400\"}}}",
		         version);
		if (strcmp(b, "unsigned") != 0)
			sign_b64(payload, sig);
		if (strcmp(b, "1") == 0)
			*strstr(payload, "120") = '0'; /* a price changed after signing */
		snprintf(id, sizeof id, "nantong-%d", version);
		inbox_add(kiosk, "fee_table", id, payload, sig);
		return httpd_respond(c, 200, "text/plain", "ok\n", 0, NULL);
	}
	if (strcmp(req->path, "/agents") == 0 && kiosk[0]) {
		char unit[32], ids[512], payload[1024], sig[1500] = "";
		int version = atoi(httpd_param(q, "version", a, sizeof a));
		httpd_param(q, "unit", unit, sizeof unit);
		httpd_param(q, "ids", ids, sizeof ids);
		httpd_param(q, "tamper", b, sizeof b);
		int n = snprintf(payload, sizeof payload,
		                 "{\"unit\":\"%s\",\"version\":%d,\"agents\":[", unit, version);
		for (char *id = strtok(ids, "-"); id && n < 900; id = strtok(NULL, "-"))
			n += snprintf(payload + n, sizeof payload - (size_t)n, "%s\"%.18s\"",
			              payload[n - 1] == '[' ? "" : ",", id);
		snprintf(payload + n, sizeof payload - (size_t)n, "]}");
		if (strcmp(b, "unsigned") != 0)
			sign_b64(payload, sig);
		if (strcmp(b, "1") == 0) /* an agent slipped in after signing */
			snprintf(payload + n, sizeof payload - (size_t)n,
			         "%s\"810000199408230021\"]}", payload[n - 1] == '[' ? "" : ",");
		inbox_add(kiosk, "agents", unit, payload, sig);
		return httpd_respond(c, 200, "text/plain", "ok\n", 0, NULL);
	}
	if (strcmp(req->path, "/journal") == 0 && kiosk[0]) {
		/* how many journal rows of kind K the kiosk pushed; 409 when not expect */
		char kind[64], line[32];
		sqlite3_stmt *st = NULL;
		int n = 0;
		httpd_param(q, "kind", kind, sizeof kind);
		sqlite3_prepare_v2(
		    db,
		    "SELECT count(*) FROM events WHERE kiosk = ?1 AND kind = 'journal' "
		    "AND json_extract(body, '$.kind') = ?2",
		    -1, &st, NULL);
		sqlite3_bind_text(st, 1, kiosk, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		snprintf(line, sizeof line, "%d\n", n);
		httpd_param(q, "expect", a, sizeof a);
		return httpd_respond(c, a[0] && atoi(a) != n ? 409 : 200, "text/plain", line, 0,
		                     NULL);
	}
	if (strcmp(req->path, "/events") == 0) {
		sqlite3_stmt *st = NULL;
		size_t cap = 1 << 16, used = 0;
		char *out = malloc(cap);
		out[0] = '\0';
		sqlite3_prepare_v2(
		    db, "SELECT seq, event_id, kind FROM events WHERE kiosk = ?1 ORDER BY n", -1,
		    &st, NULL);
		sqlite3_bind_text(st, 1, kiosk, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (used + 256 > cap) {
				char *more = realloc(out, cap * 2);
				if (!more)
					break; /* the list so far */
				out = more;
				cap *= 2;
			}
			used += (size_t)snprintf(out + used, cap - used, "%lld %s %s\n",
			                         (long long)sqlite3_column_int64(st, 0),
			                         sqlite3_column_text(st, 1),
			                         sqlite3_column_text(st, 2));
		}
		sqlite3_finalize(st);
		httpd_respond(c, 200, "text/plain", out, 0, NULL);
		free(out);
		return;
	}
	if (strcmp(req->path, "/heartbeat") == 0) {
		sqlite3_stmt *st = NULL;
		sqlite3_prepare_v2(db, "SELECT body FROM heartbeats WHERE kiosk = ?1", -1, &st,
		                   NULL);
		sqlite3_bind_text(st, 1, kiosk, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			httpd_respond(c, 200, "application/json",
			              (const char *)sqlite3_column_text(st, 0), 0, NULL);
		else
			httpd_respond(c, 404, "text/plain", "no heartbeat\n", 0, NULL);
		sqlite3_finalize(st);
		return;
	}
	if (strcmp(req->path, "/crl") == 0 && kiosk[0]) {
		char line[32];
		int64_t n = crl_held(kiosk);
		snprintf(line, sizeof line, "%lld\n", (long long)n);
		httpd_param(q, "expect", a, sizeof a);
		return httpd_respond(c, a[0] && atoll(a) != n ? 409 : 200, "text/plain", line, 0,
		                     NULL);
	}
	if (strcmp(req->path, "/stats") == 0) {
		char out[256];
		sqlite3_stmt *st = NULL;
		sqlite3_prepare_v2(db, "SELECT count(*) FROM events", -1, &st, NULL);
		sqlite3_step(st);
		snprintf(out, sizeof out,
		         "events=%lld duplicates=%ld requests=%ld batches=%ld violations=%ld "
		         "crls=%ld\n",
		         (long long)sqlite3_column_int64(st, 0), duplicates, requests, batches,
		         violations, crl_puts);
		sqlite3_finalize(st);
		return httpd_respond(c, 200, "text/plain", out, 0, NULL);
	}
	if (strcmp(req->path, "/quit") == 0) {
		quitting = 1;
		return httpd_respond(c, 200, "text/plain", "bye\n", 0, NULL);
	}
	httpd_respond(c, 404, "text/plain", "unknown\n", 0, NULL);
}

static void conn_close(struct api_conn *ac)
{
	if (ac->c.ssl) {
		SSL_shutdown(ac->c.ssl);
		SSL_free(ac->c.ssl);
	}
	close(ac->c.fd);
	memset(ac, 0, sizeof *ac);
	ac->c.fd = -1;
}

static void set_timeouts(int fd)
{
	struct timeval tv = {5, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* Accepts a TLS connection with a verified client certificate into a free slot. */
static void api_accept(int lfd, SSL_CTX *ctx, struct api_conn *conns)
{
	int fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return;
	struct api_conn *ac = NULL;
	for (int i = 0; i < CONNS_MAX && !ac; i++)
		if (conns[i].c.fd < 0)
			ac = &conns[i];
	if (!ac) { /* the oldest idle one makes room */
		conn_close(&conns[0]);
		ac = &conns[0];
	}
	set_timeouts(fd);
	ac->c.fd = fd;
	ac->c.ssl = SSL_new(ctx);
	SSL_set_fd(ac->c.ssl, fd);
	X509 *peer = NULL;
	if (SSL_accept(ac->c.ssl) != 1 || !(peer = SSL_get1_peer_certificate(ac->c.ssl)) ||
	    X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, ac->cn,
	                              sizeof ac->cn) <= 0) {
		fprintf(stderr, "central_peer: a TLS client without a valid certificate\n");
		ERR_clear_error();
		X509_free(peer);
		conn_close(ac);
		return;
	}
	X509_free(peer);
}

int main(int argc, char **argv)
{
	const char *cert = NULL, *key = NULL, *ca = NULL, *fee = NULL, *dbpath = NULL,
	           *ports = NULL, *crl_ca_file = NULL;
	int api_port = 0, ctl_port = 0;
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *o = argv[i], *v = argv[i + 1];
		if (strcmp(o, "--cert") == 0)
			cert = v;
		else if (strcmp(o, "--key") == 0)
			key = v;
		else if (strcmp(o, "--ca") == 0)
			ca = v;
		else if (strcmp(o, "--fee-key") == 0)
			fee = v;
		else if (strcmp(o, "--db") == 0)
			dbpath = v;
		else if (strcmp(o, "--ports-file") == 0)
			ports = v;
		else if (strcmp(o, "--crl-ca") == 0)
			crl_ca_file = v;
		else if (strcmp(o, "--port") == 0)
			api_port = atoi(v);
		else if (strcmp(o, "--control-port") == 0)
			ctl_port = atoi(v);
	}
	if (!cert || !key || !ca || !fee || !dbpath || !ports) {
		fprintf(stderr,
		        "usage: central_peer --cert C --key K --ca CA --fee-key F --db FILE "
		        "--ports-file P [--crl-ca ISSUING_CA] [--port N --control-port N]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	FILE *f = fopen(fee, "r");
	if (!f || !(fee_key = PEM_read_PrivateKey(f, NULL, NULL, NULL)))
		die("cannot read the fee key");
	fclose(f);
	if (crl_ca_file) {
		f = fopen(crl_ca_file, "r");
		if (!f || !(crl_ca = PEM_read_X509(f, NULL, NULL, NULL)))
			die("cannot read the issuing CA's certificate (--crl-ca)");
		fclose(f);
	}
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1)
		die("cannot load the TLS certificate, key or CA");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	if (sqlite3_open(dbpath, &db) != SQLITE_OK)
		die("cannot open the database");
	sql("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    "CREATE TABLE IF NOT EXISTS events(n INTEGER PRIMARY KEY, kiosk TEXT NOT NULL,"
	    " event_id TEXT NOT NULL, seq INT NOT NULL, kind TEXT NOT NULL, at INT NOT NULL,"
	    " body TEXT NOT NULL, UNIQUE(kiosk, event_id));"
	    "CREATE INDEX IF NOT EXISTS events_seq ON events(kiosk, seq);"
	    "CREATE TABLE IF NOT EXISTS inbox(seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	    " kiosk TEXT NOT NULL, kind TEXT NOT NULL, item_id TEXT NOT NULL,"
	    " payload TEXT NOT NULL, sig TEXT NOT NULL);"
	    "CREATE TABLE IF NOT EXISTS heartbeats(kiosk TEXT PRIMARY KEY, body TEXT NOT NULL);"
	    "CREATE TABLE IF NOT EXISTS crls(kiosk TEXT PRIMARY KEY, number INT NOT NULL,"
	    " der BLOB NOT NULL);");
	int lapi = httpd_listen(&api_port, "central_peer"),
	    ctl = httpd_listen(&ctl_port, "central_peer");
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", ports);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d %d\n", api_port, ctl_port) < 0 || fclose(f) != 0 ||
	    rename(tmp, ports) != 0)
		die("cannot write the ports file");
	fprintf(stderr, "central_peer: api https://127.0.0.1:%d/ control http://127.0.0.1:%d\n",
	        api_port, ctl_port);
	static struct api_conn conns[CONNS_MAX];
	for (int i = 0; i < CONNS_MAX; i++)
		conns[i].c.fd = -1;
	char *buf = malloc(REQ_MAX);
	while (!quitting) {
		if (!api_up && lapi >= 0) { /* down: refuse connections, drop the open ones */
			close(lapi);
			lapi = -1;
			for (int i = 0; i < CONNS_MAX; i++)
				if (conns[i].c.fd >= 0)
					conn_close(&conns[i]);
		} else if (api_up && lapi < 0) {
			lapi = httpd_listen(&api_port, "central_peer");
		}
		struct pollfd p[2 + CONNS_MAX];
		p[0] = (struct pollfd){ctl, POLLIN, 0};
		p[1] = (struct pollfd){lapi, POLLIN, 0};
		for (int i = 0; i < CONNS_MAX; i++)
			p[2 + i] = (struct pollfd){conns[i].c.fd, POLLIN, 0};
		if (poll(p, 2 + CONNS_MAX, 250) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN) {
			struct httpd_conn c = {accept(ctl, NULL, NULL), NULL};
			struct httpd_request req;
			if (c.fd >= 0) {
				set_timeouts(c.fd);
				if (httpd_read(&c, buf, 65536, &req) == 0)
					control(&c, &req);
				close(c.fd);
			}
			continue; /* the control may have changed the listener */
		}
		if (lapi >= 0 && (p[1].revents & POLLIN))
			api_accept(lapi, ctx, conns);
		for (int i = 0; i < CONNS_MAX; i++) {
			if (conns[i].c.fd < 0 || !(p[2 + i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			struct httpd_request req;
			if (httpd_read(&conns[i].c, buf, REQ_MAX, &req) != 0 ||
			    api(&conns[i], &req) != 0)
				conn_close(&conns[i]);
		}
	}
	free(buf);
	SSL_CTX_free(ctx);
	EVP_PKEY_free(fee_key);
	X509_free(crl_ca);
	sqlite3_close(db);
	return 0;
}
