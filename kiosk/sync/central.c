/* central.c — the central site's API over HTTPS with libcurl (docs/central-api.md). */
#define OPENSSL_SUPPRESS_DEPRECATED /* the ENGINE API: libcurl takes a token key from one */
#include "sync/central.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base/curlbuf.h"
#include "drivers/token/identity.h"
#include "pay/sign.h"

#define CENTRAL_URL_MAX 1024
#define JSON_TYPE       "application/json"
#define CRL_TYPE        "application/pkix-crl" /* RFC 5280 section 4.2.1.13 */

struct central {
	char events_url[CENTRAL_URL_MAX], inbox_url[CENTRAL_URL_MAX];
	char heartbeat_url[CENTRAL_URL_MAX], crl_url[CENTRAL_URL_MAX];
	char kiosk_id[16];
	EVP_PKEY *fee_key;
	/* pkcs11: key only: the identity key (drivers/token/identity.h) and the engine of our
	 * own, listed under engine_id, that hands it to libcurl */
	struct token_identity *identity;
	ENGINE *engine;
	char engine_id[40];
	int key_failed; /* the engine could not hand the key over at this connection; why */
	struct kerr key_why;
	char key_uri[128]; /* its URI (no PIN in it), for messages */
	char errbuf[CURL_ERROR_SIZE];
	char error[48]; /* the site's error word of the last answer */
	CURL *curl;
	const atomic_int *abort;
	struct curlbuf answer; /* data: CENTRAL_ANSWER_MAX + 1, malloc'd */
};

const char *central_outcome_name(enum central_outcome o)
{
	static const char *const names[] = {"ok",        "retry",   "slow-down",
	                                    "too-large", "refused", "stale"};
	return (unsigned)o < sizeof names / sizeof names[0] ? names[o] : "?";
}

static int on_progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	const struct central *c = ctx;
	(void)dt, (void)dn, (void)ut, (void)un;
	return c->abort && atomic_load(c->abort) ? 1 : 0;
}

static pthread_once_t engine_index_once = PTHREAD_ONCE_INIT;
static int engine_index = -1;

static void engine_index_init(void)
{
	engine_index = ENGINE_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/* The engine's key loader, called by libcurl at each new connection: the identity key,
 * made ready on the module now (a lost session or login is made again). */
static EVP_PKEY *engine_load_key(ENGINE *e, const char *key_id, UI_METHOD *ui, void *data)
{
	struct central *c = ENGINE_get_ex_data(e, engine_index);
	(void)key_id, (void)ui, (void)data;
	if (!c)
		return NULL;
	if (token_identity_check(c->identity, &c->key_why) != KR_OK) {
		c->key_failed = 1;
		return NULL;
	}
	EVP_PKEY *k = token_identity_pkey(c->identity);
	EVP_PKEY_up_ref(k);
	return k;
}

/* Sets up a pkcs11: client key: the identity key on the module ([keys] module, the PIN
 * file [keys] secure_pin_file) with the public half from the client certificate, and an
 * engine of this client's own in OpenSSL's list (libcurl's CURLOPT_SSLENGINE finds it
 * there) that hands libcurl that key. */
static int identity_open(struct central *c, const struct central_config *cfg, struct kerr *err)
{
	static atomic_uint serial;
	const char *uri = cfg->client_key;
	if (!cfg->key_module || !cfg->key_module[0])
		return kerr_set(
		    err, KR_CONFIG,
		    "client_key: a pkcs11: URI needs [keys] module and secure_pin_file");
	FILE *f = cfg->client_cert ? fopen(cfg->client_cert, "r") : NULL;
	X509 *cert = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	ERR_clear_error();
	if (!cert)
		return kerr_set(err, KR_CONFIG, "client_cert: cannot read a certificate from %s",
		                cfg->client_cert ? cfg->client_cert : "(none)");
	struct kerr why = {{0}};
	int rc = token_identity_open(cfg->key_module, uri, cfg->key_pin_file,
	                             X509_get0_pubkey(cert), &c->identity, &why);
	X509_free(cert);
	if (rc != KR_OK)
		return kerr_set(err, rc, "client_key: %s", why.msg);
	pthread_once(&engine_index_once, engine_index_init);
	snprintf(c->engine_id, sizeof c->engine_id, "kiosk-identity-%u",
	         atomic_fetch_add(&serial, 1));
	ENGINE *e = ENGINE_new();
	if (!e || !ENGINE_set_id(e, c->engine_id) ||
	    !ENGINE_set_name(e, "the kiosk's identity key") ||
	    !ENGINE_set_load_privkey_function(e, engine_load_key) ||
	    !ENGINE_set_ex_data(e, engine_index, c) || !ENGINE_add(e)) {
		ENGINE_free(e);
		ERR_clear_error();
		return kerr_set(err, KR_NOMEM, "client_key: cannot set up the key's engine");
	}
	c->engine = e;
	snprintf(c->key_uri, sizeof c->key_uri, "%.120s%s", uri, strlen(uri) > 120 ? "…" : "");
	return KR_OK;
}

int central_create(const struct central_config *cfg, struct central **out, struct kerr *err)
{
	const char *url = cfg->url ? cfg->url : "";
	size_t len = strlen(url);
	const char *slash = len && url[len - 1] == '/' ? "" : "/";
	if (strncmp(url, "https://", 8) != 0)
		return kerr_set(err, KR_CONFIG, "url: '%s' is not https://…", url);
	struct central *c = calloc(1, sizeof *c);
	if (!c || !(c->answer.data = malloc(CENTRAL_ANSWER_MAX + 1))) {
		free(c);
		return kerr_set(err, KR_NOMEM, "out of memory");
	}
	c->answer.cap = CENTRAL_ANSWER_MAX;
	int rc = KR_OK;
	if (snprintf(c->kiosk_id, sizeof c->kiosk_id, "%s", cfg->kiosk_id) >=
	        (int)sizeof c->kiosk_id ||
	    snprintf(c->events_url, sizeof c->events_url, "%s%sv1/kiosks/%s/events", url, slash,
	             cfg->kiosk_id) >= (int)sizeof c->events_url ||
	    snprintf(c->inbox_url, sizeof c->inbox_url, "%s%sv1/kiosks/%s/inbox", url, slash,
	             cfg->kiosk_id) >= (int)sizeof c->inbox_url - 64 ||
	    snprintf(c->heartbeat_url, sizeof c->heartbeat_url, "%s%sv1/kiosks/%s/heartbeat", url,
	             slash, cfg->kiosk_id) >= (int)sizeof c->heartbeat_url ||
	    snprintf(c->crl_url, sizeof c->crl_url, "%s%sv1/kiosks/%s/crl", url, slash,
	             cfg->kiosk_id) >= (int)sizeof c->crl_url)
		rc = kerr_set(err, KR_CONFIG, "url: too long");
	if (rc == KR_OK && alipay_key_load_public(cfg->fee_key_file, &c->fee_key, err) != KR_OK)
		rc = kerr_prefix(err, KR_CONFIG, "fee_key: ");
	int engine = cfg->client_key && strncmp(cfg->client_key, "pkcs11:", 7) == 0;
	if (rc == KR_OK && engine)
		rc = identity_open(c, cfg, err);
	if (rc == KR_OK && !(c->curl = curl_easy_init()))
		rc = kerr_set(err, KR_NOMEM, "cannot set up libcurl");
	if (rc == KR_OK && engine &&
	    curl_easy_setopt(c->curl, CURLOPT_SSLENGINE, c->engine_id) != CURLE_OK)
		rc = kerr_set(err, KR_CONFIG, "client_key: libcurl cannot use the key's engine");
	if (rc != KR_OK) {
		central_destroy(c);
		return rc;
	}
	c->abort = cfg->abort;
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c->curl, CURLOPT_CAINFO, cfg->ca_file);
	curl_easy_setopt(c->curl, CURLOPT_SSLCERT, cfg->client_cert);
	curl_easy_setopt(c->curl, CURLOPT_SSLCERTTYPE, "PEM");
	curl_easy_setopt(c->curl, CURLOPT_SSLKEY, cfg->client_key);
	curl_easy_setopt(c->curl, CURLOPT_SSLKEYTYPE, engine ? "ENG" : "PEM");
	/* a key on the module signs at every new connection, never resumed without it: a
	 * key gone bad shows at once */
	curl_easy_setopt(c->curl, CURLOPT_SSL_SESSIONID_CACHE, engine ? 0L : 1L);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->connect_timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, (long)cfg->timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, curlbuf_write);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &c->answer);
	curl_easy_setopt(c->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c->curl, CURLOPT_XFERINFODATA, c);
	curl_easy_setopt(c->curl, CURLOPT_NOPROGRESS, 0L);
	*out = c;
	return KR_OK;
}

void central_destroy(struct central *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl); /* drops libcurl's hold on the engine and the key */
	if (c->engine) {
		ENGINE_remove(c->engine);
		ENGINE_free(c->engine);
		ERR_clear_error();
	}
	token_identity_close(c->identity); /* the module goes with its last user */
	EVP_PKEY_free(c->fee_key);
	free(c->answer.data);
	free(c);
}

/* Maps an HTTP status to an outcome. */
static enum central_outcome outcome_of(long status)
{
	if (status == 200 || status == 204)
		return CENTRAL_OK;
	if (status == 409)
		return CENTRAL_STALE;
	if (status == 429)
		return CENTRAL_SLOW_DOWN;
	if (status == 413)
		return CENTRAL_TOO_LARGE;
	if (status == 400 || status == 401 || status == 403 || status == 404 || status == 422)
		return CENTRAL_REFUSED;
	return CENTRAL_RETRY;
}

/* One transfer: GET url when body is NULL, else method (POST or PUT) with body[0..len)
 * of Content-Type type. The answer is in c->answer.data. */
static enum central_outcome transfer(struct central *c, const char *method, const char *url,
                                     const char *type, const void *body, size_t len,
                                     int64_t *retry_after_s, struct kerr *err)
{
	char content_type[64];
	struct curl_slist *hdr = NULL;
	c->errbuf[0] = '\0';
	c->error[0] = '\0';
	c->key_failed = 0;
	struct kerr why = {{0}};
	if (c->identity)
		token_identity_failure(c->identity, &why); /* forgets an older one */
	curlbuf_reset(&c->answer);
	*retry_after_s = 0;
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	if (body) {
		snprintf(content_type, sizeof content_type, "Content-Type: %s", type);
		hdr = curl_slist_append(NULL, content_type);
		curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	} else {
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	}
	CURLcode cc = curl_easy_perform(c->curl);
	long status = 0;
	curl_off_t after = 0;
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c->curl, CURLINFO_RETRY_AFTER, &after);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)-1);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, NULL);
	curl_slist_free_all(hdr);
	if (c->answer.overflow) {
		kerr_set(err, KR_CORRUPT, "answer longer than %d bytes", CENTRAL_ANSWER_MAX);
		return CENTRAL_RETRY;
	}
	if (cc != CURLE_OK && c->identity) {
		/* the key could not be handed over, or a signature on the module failed */
		int failed = c->key_failed || token_identity_failure(c->identity, &why);
		if (c->key_failed)
			why = c->key_why;
		if (failed || cc == CURLE_SSL_CERTPROBLEM || cc == CURLE_SSL_ENGINE_INITFAILED ||
		    cc == CURLE_SSL_ENGINE_SETFAILED || cc == CURLE_SSL_ENGINE_NOTFOUND) {
			kerr_set(err, KR_IO,
			         "the identity key on the secure module is not usable: %s (%.200s)",
			         c->key_uri,
			         why.msg[0]     ? why.msg
			         : c->errbuf[0] ? c->errbuf
			                        : curl_easy_strerror(cc));
			ERR_clear_error();
			return CENTRAL_RETRY;
		}
	}
	if (cc != CURLE_OK) {
		kerr_set(err, KR_IO, "%s%s%.300s", curl_easy_strerror(cc), c->errbuf[0] ? ": " : "",
		         c->errbuf);
		ERR_clear_error();
		return CENTRAL_RETRY;
	}
	enum central_outcome o = outcome_of(status);
	if (o != CENTRAL_OK) {
		*retry_after_s = after > 0 ? (int64_t)after : 0;
		/* the error word only: the message may be long or carry anything */
		cJSON *j = cJSON_Parse(c->answer.data);
		const cJSON *e = cJSON_GetObjectItem(j, "error");
		snprintf(c->error, sizeof c->error, "%.40s",
		         cJSON_IsString(e) ? e->valuestring : "");
		kerr_set(err, KR_IO, "HTTP %ld %s", status, c->error);
		cJSON_Delete(j);
	}
	return o;
}

const char *central_error(const struct central *c)
{
	return c->error;
}

/* Adds {"seq": p->seq, "hash": hex} as name to root. 0 when out of memory. */
static int add_point(cJSON *root, const char *name, const struct journal_point *p)
{
	char hex[2 * STORE_HASH_LEN + 1];
	cJSON *o = cJSON_AddObjectToObject(root, name);
	store_hash_hex(p->hash, hex);
	return o && cJSON_AddNumberToObject(o, "seq", (double)p->seq) &&
	       cJSON_AddStringToObject(o, "hash", hex);
}

/* The batch as JSON (caller frees with cJSON_free), NULL when out of memory. */
static char *batch_json(const char *kiosk_id, const struct outbox_event *ev, int n,
                        const struct central_journal *j)
{
	cJSON *root = cJSON_CreateObject(), *list = NULL;
	int ok = root && cJSON_AddStringToObject(root, "kiosk", kiosk_id) &&
	         add_point(root, "journal_head", &j->head) &&
	         (j->base.seq == 0 || add_point(root, "journal_base", &j->base)) &&
	         (list = cJSON_AddArrayToObject(root, "events"));
	for (int i = 0; ok && i < n; i++) {
		cJSON *e = cJSON_CreateObject();
		/* the body is JSON the store wrote itself: embedded as it is */
		ok = e && cJSON_AddItemToArray(list, e) &&
		     cJSON_AddStringToObject(e, "id", ev[i].event_id) &&
		     cJSON_AddNumberToObject(e, "seq", (double)ev[i].seq) &&
		     cJSON_AddStringToObject(e, "kind", ev[i].kind) &&
		     cJSON_AddNumberToObject(e, "at", (double)ev[i].created_utc) &&
		     cJSON_AddRawToObject(e, "body", ev[i].body[0] ? ev[i].body : "null");
	}
	char *s = ok ? cJSON_PrintUnformatted(root) : NULL;
	cJSON_Delete(root);
	return s;
}

enum central_outcome central_push(struct central *c, const struct outbox_event *ev, int n,
                                  const struct central_journal *journal, unsigned char *held,
                                  int64_t *retry_after_s, struct kerr *err)
{
	memset(held, 0, (size_t)n);
	*retry_after_s = 0;
	char *body = batch_json(c->kiosk_id, ev, n, journal);
	if (!body) {
		kerr_set(err, KR_NOMEM, "out of memory");
		return CENTRAL_RETRY;
	}
	enum central_outcome o =
	    transfer(c, "POST", c->events_url, JSON_TYPE, body, strlen(body), retry_after_s, err);
	cJSON_free(body);
	if (o != CENTRAL_OK)
		return o;
	cJSON *j = cJSON_ParseWithLength(c->answer.data, c->answer.len);
	const cJSON *list = cJSON_GetObjectItem(j, "held"), *id;
	if (!cJSON_IsArray(list)) {
		cJSON_Delete(j);
		kerr_set(err, KR_CORRUPT, "answer without a held list");
		return CENTRAL_RETRY;
	}
	/* the ids come back in batch order: walk both lists together */
	int at = 0;
	cJSON_ArrayForEach(id, list)
	{
		int found = -1;
		for (int k = 0; cJSON_IsString(id) && k < n && found < 0; k++) {
			int i = (at + k) % n;
			if (strcmp(ev[i].event_id, id->valuestring) == 0)
				found = i;
		}
		if (found < 0) {
			memset(held, 0, (size_t)n);
			cJSON_Delete(j);
			kerr_set(err, KR_CORRUPT, "answer holds an id that was not sent");
			return CENTRAL_RETRY;
		}
		held[found] = 1;
		at = found + 1;
	}
	cJSON_Delete(j);
	return CENTRAL_OK;
}

enum central_outcome central_send_heartbeat(struct central *c, const struct central_heartbeat *hb,
                                            int64_t *retry_after_s, struct kerr *err)
{
	cJSON *root = cJSON_CreateObject(), *list = NULL;
	int ok = root && cJSON_AddStringToObject(root, "kiosk", c->kiosk_id) &&
	         cJSON_AddNumberToObject(root, "at", (double)hb->at) &&
	         (list = cJSON_AddArrayToObject(root, "devices"));
	for (int i = 0; ok && i < hb->ndevices && i < CENTRAL_DEVICES_MAX; i++) {
		cJSON *d = cJSON_CreateObject();
		ok = d && cJSON_AddItemToArray(list, d) &&
		     cJSON_AddStringToObject(d, "name", hb->device[i].name) &&
		     cJSON_AddBoolToObject(d, "ok", hb->device[i].ok) &&
		     cJSON_AddStringToObject(d, "reason", hb->device[i].reason);
	}
	ok = ok && cJSON_AddNumberToObject(root, "outbox_pending", (double)hb->outbox_pending) &&
	     cJSON_AddNumberToObject(root, "last_contact", (double)hb->last_contact) &&
	     cJSON_AddBoolToObject(root, "out_of_service", hb->out_of_service);
	char *body = ok ? cJSON_PrintUnformatted(root) : NULL;
	cJSON_Delete(root);
	*retry_after_s = 0;
	if (!body) {
		kerr_set(err, KR_NOMEM, "out of memory");
		return CENTRAL_RETRY;
	}
	enum central_outcome o = transfer(c, "POST", c->heartbeat_url, JSON_TYPE, body,
	                                  strlen(body), retry_after_s, err);
	cJSON_free(body);
	return o;
}

enum central_outcome central_send_crl(struct central *c, const unsigned char *der, size_t len,
                                      int64_t *retry_after_s, struct kerr *err)
{
	return transfer(c, "PUT", c->crl_url, CRL_TYPE, der, len, retry_after_s, err);
}

enum central_outcome central_pull(struct central *c, int64_t after, int limit, central_item_fn fn,
                                  void *ctx, int *more, int64_t *retry_after_s, struct kerr *err)
{
	char url[CENTRAL_URL_MAX + 64];
	*more = 0;
	snprintf(url, sizeof url, "%s?after=%lld&limit=%d", c->inbox_url, (long long)after, limit);
	enum central_outcome o = transfer(c, "GET", url, NULL, NULL, 0, retry_after_s, err);
	if (o != CENTRAL_OK)
		return o;
	cJSON *j = cJSON_ParseWithLength(c->answer.data, c->answer.len);
	const cJSON *items = cJSON_GetObjectItem(j, "items"), *it;
	if (!cJSON_IsArray(items)) {
		cJSON_Delete(j);
		kerr_set(err, KR_CORRUPT, "answer without items");
		return CENTRAL_RETRY;
	}
	int64_t last = after;
	cJSON_ArrayForEach(it, items)
	{
		const cJSON *seq = cJSON_GetObjectItem(it, "seq");
		const cJSON *kind = cJSON_GetObjectItem(it, "kind");
		const cJSON *id = cJSON_GetObjectItem(it, "id");
		const cJSON *payload = cJSON_GetObjectItem(it, "payload");
		const cJSON *sig = cJSON_GetObjectItem(it, "sig");
		struct central_item item;
		if (!cJSON_IsNumber(seq) || seq->valuedouble <= (double)last ||
		    seq->valuedouble > 9e15 || !cJSON_IsString(kind) ||
		    strlen(kind->valuestring) > 31 || !cJSON_IsString(id) ||
		    strlen(id->valuestring) > 127 || !cJSON_IsString(payload) ||
		    (sig && !cJSON_IsString(sig))) {
			cJSON_Delete(j);
			kerr_set(err, KR_CORRUPT, "a malformed item after %lld", (long long)last);
			return CENTRAL_RETRY;
		}
		item.seq = last = (int64_t)seq->valuedouble;
		item.kind = kind->valuestring;
		item.id = id->valuestring;
		item.payload = payload->valuestring;
		item.sig = sig ? sig->valuestring : "";
		if (fn(ctx, &item, err) != KR_OK) {
			cJSON_Delete(j);
			return CENTRAL_RETRY;
		}
	}
	*more = cJSON_IsTrue(cJSON_GetObjectItem(j, "more"));
	cJSON_Delete(j);
	return CENTRAL_OK;
}

int central_item_check(struct central *c, const char *payload, const char *sig, int64_t *version,
                       struct kerr *err)
{
	*version = 0;
	if (!sig || !*sig)
		return kerr_set(err, KR_INVALID, "unsigned");
	if (!alipay_verify_rsa2(c->fee_key, payload, strlen(payload), sig))
		return kerr_set(err, KR_INVALID, "bad signature");
	cJSON *j = cJSON_Parse(payload);
	const cJSON *v = cJSON_GetObjectItem(j, "version");
	int ok = cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble < 9e15 &&
	         v->valuedouble == (double)(int64_t)v->valuedouble;
	if (ok)
		*version = (int64_t)v->valuedouble;
	cJSON_Delete(j);
	return ok ? KR_OK : kerr_set(err, KR_INVALID, "no version");
}
