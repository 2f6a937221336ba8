/* central.h — the HTTPS client of the central site's API (docs/central-api.md): push a
 * batch of outbox events, pull the inbox, check a fee table's signature, send a heartbeat,
 * send the local issuer's CRL.
 *
 * One libcurl handle, reused (the connection is kept alive), peer and host verified,
 * mutual TLS with the kiosk's client certificate and key, time-outs from [central]. The
 * key is a PEM file or, given as a pkcs11: URI, the identity key on the kiosk's secure
 * module through the token driver (drivers/token/identity.h: its own session on the
 * module the keys service shares, made again when another user closed it or logged the
 * module out), handed to libcurl by a small engine of the client's own at each new
 * connection; TLS sessions are not resumed then, so every connection signs on the module.
 * Not thread-safe: one thread uses a client. */
#ifndef KIOSK_SYNC_CENTRAL_H
#define KIOSK_SYNC_CENTRAL_H

#include <stdatomic.h>
#include <stdint.h>

#include "core/result.h"
#include "store/outbox.h"

#define CENTRAL_ANSWER_MAX (2 * 1024 * 1024) /* the longest answer read */

struct central;

struct central_config {
	const char *url; /* the API's base, https://… */
	const char *kiosk_id;
	const char *ca_file, *client_cert, *client_key, *fee_key_file;
	/* when client_key is a pkcs11: URI: the PKCS#11 module holding the key and the file
	 * with the token's user PIN (read at each login, wiped; never logged) */
	const char *key_module, *key_pin_file;
	int connect_timeout_ms, timeout_ms;
	const atomic_int *abort; /* borrowed; when it becomes non-zero a transfer stops */
};

/* What an exchange came to, and what the caller should do (docs/central-api.md §3). */
enum central_outcome {
	CENTRAL_OK,
	CENTRAL_RETRY,     /* no or no usable answer, 5xx: retry after the back-off */
	CENTRAL_SLOW_DOWN, /* 429: wait at least *retry_after_s */
	CENTRAL_TOO_LARGE, /* 413: send smaller batches */
	CENTRAL_REFUSED,   /* 400, 403, 404, 422: a person must look; retry slowly */
	CENTRAL_STALE,     /* 409: the site holds this or something newer (a CRL's number) */
};

const char *central_outcome_name(enum central_outcome o);

/* Reads the fee key and sets up the handle (and, for a pkcs11: key, the identity key with
 * the public half from client_cert; the key itself is first looked for at the first
 * connection, where a missing one is an ordinary failure naming the URI). KR_CONFIG naming the
 * setting on a bad one. On success *out is the caller's to central_destroy(). */
int central_create(const struct central_config *cfg, struct central **out, struct kerr *err);
void central_destroy(struct central *c);

/* Sends ev[0..n) as one batch. held[i] (the caller's array of n) becomes 1 for each event
 * the central site says it holds, 0 otherwise. *retry_after_s: the site's Retry-After
 * (0 when none). The detail of anything but CENTRAL_OK is in err. */
enum central_outcome central_push(struct central *c, const struct outbox_event *ev, int n,
                                  unsigned char *held, int64_t *retry_after_s, struct kerr *err);

/* What a heartbeat tells the site (docs/central-api.md §5). */
#define CENTRAL_DEVICES_MAX 8
struct central_heartbeat {
	int64_t at, outbox_pending, last_contact; /* UTC s; last_contact 0: never */
	int out_of_service;
	int ndevices;
	struct central_device {
		char name[16], reason[48]; /* reason: the device's status key */
		int ok;
	} device[CENTRAL_DEVICES_MAX];
};

/* POSTs hb to /v1/kiosks/{kiosk}/heartbeat. The outcome as for a push; the detail of
 * anything but CENTRAL_OK in err. */
enum central_outcome central_send_heartbeat(struct central *c, const struct central_heartbeat *hb,
                                            int64_t *retry_after_s, struct kerr *err);

/* PUTs the DER CRL der[0..len) (borrowed) to /v1/kiosks/{kiosk}/crl as
 * application/pkix-crl (docs/central-api.md §7). CENTRAL_OK (200, 204): the site keeps
 * it; CENTRAL_STALE (409): it holds a CRL with this crlNumber or a higher one; otherwise
 * as for a push, with the detail in err. */
enum central_outcome central_send_crl(struct central *c, const unsigned char *der, size_t len,
                                      int64_t *retry_after_s, struct kerr *err);

/* One pulled item; strings borrowed for the callback. */
struct central_item {
	int64_t seq;
	const char *kind, *id, *payload, *sig;
};

typedef int (*central_item_fn)(void *ctx, const struct central_item *item, struct kerr *err);

/* Asks for up to limit items after cursor and calls fn for each, in order; an fn result
 * other than KR_OK stops the walk (CENTRAL_RETRY, its err kept). *more: the site has
 * more. */
enum central_outcome central_pull(struct central *c, int64_t after, int limit, central_item_fn fn,
                                  void *ctx, int *more, int64_t *retry_after_s, struct kerr *err);

/* Checks a signed item (a fee table, a unit's list of agents): sig (base64) must be the
 * fee key's SHA-256 signature over the bytes of payload, and payload a JSON object with
 * an integer "version" > 0. Returns KR_OK with *version set, or KR_INVALID with the
 * reason in err. */
int central_item_check(struct central *c, const char *payload, const char *sig, int64_t *version,
                       struct kerr *err);

#endif
