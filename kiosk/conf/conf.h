/* conf.h — the kiosk's configuration: kiosk.ini and the hall's region file, read with
 * inih.
 *
 * Loading is strict: an unknown key, a missing section or key, a negative or malformed
 * amount, a bad time or a value given twice stops start-up with a message naming the
 * file, the line and the key. Money never gets a default. */
#ifndef KIOSK_CONF_H
#define KIOSK_CONF_H

#include <limits.h>
#include <stdint.h>

#include "core/fees.h"
#include "core/result.h"

#define CONF_MAX_SPANS   4
#define CONF_MAX_OUTLETS 32

/* Opening hours of one kind of day, as minutes after midnight China time. */
struct conf_spans {
	int n; /* 0: closed all day */
	struct {
		int from_min, to_min; /* from < to, 0..1440 */
	} span[CONF_MAX_SPANS];
};

struct conf_outlet {
	char id[32]; /* the part after "outlet." in the section name */
	char name[128];
	char address[256];
	char phone[32];
	char hours[128]; /* as written, for display */
};

struct conf_region {
	char file[PATH_MAX];
	char name[128];                       /* [hall] name */
	char city[64];                        /* [hall] city */
	char hotline[32];                     /* [hall] hotline: the CA's province-wide line */
	char phone[32];                       /* [hall] phone: this hall's own line */
	struct conf_spans workdays, weekends; /* [hours] */
	struct conf_outlet outlet[CONF_MAX_OUTLETS];
	int noutlets;
	struct fee_table fees; /* [fees] years_max and [fees.<holder>.<business>] */
};

/* The service implementations, each chosen by name in [services]. */
enum conf_service {
	SVC_KEYS,
	SVC_PAY,
	SVC_PRINTER,
	SVC_IDREADER,
	SVC_DISPENSER,
	SVC_SYNC,
	SVC_COUNT
};

struct conf {
	char file[PATH_MAX];
	char kiosk_id[16];         /* [kiosk] id: 2–8 letters or digits */
	char database[PATH_MAX];   /* [kiosk] database, resolved against the file's folder */
	char assets[PATH_MAX];     /* [kiosk] assets folder, resolved likewise */
	char voice[PATH_MAX];      /* [kiosk] voice prompts' folder, optional: "" when left out */
	char language[8];          /* [kiosk] language: zh-CN or en */
	struct conf_region region; /* [kiosk] region names the hall's file, resolved likewise */

	int step_timeout_s;    /* [flow] inactivity time-out of a step, 10..600 */
	int pay_timeout_s;     /* [flow] life of a payment QR and its screen, 60..7200 */
	int countdown_shown_s; /* [flow] the countdown shows during the last N s, 1..60 */
	int renew_window_days; /* [flow] renewal offered this many days before expiry, 0..365 */
	int renew_grace_days;  /* [flow] and this many days after, 0..365 */
	/* [flow] a unit's list of authorised agents (core/authority.h) is relied on this many
	 * hours after the last complete pull from the central site, 1..720 */
	int agent_list_max_age_h;

	fen_t pay_ceiling_fen; /* [pay] ceiling, in yuan: the most one order may cost */

	char service[SVC_COUNT][16]; /* [services] keys, pay, printer, idreader, dispenser, sync */

	/* [printer]: the CUPS receipt printer (printer = cups); queue[0] == 0 when absent */
	struct conf_printer {
		char queue[128];       /* the CUPS queue */
		char server[PATH_MAX]; /* "default" (CUPS_SERVER, client.conf) or a socket/host */
		int paper_mm;          /* roll width, 58..80 */
		int submit_timeout_s;  /* one IPP exchange with the scheduler, 1..60 */
		int job_timeout_s;     /* submit to completed, 5..600 */
		int status_poll_s;     /* printer status read while idle, 1..3600 */
		char lookup_url[256];  /* the receipt's QR: order lookup and e-invoice, {order} */
	} printer;

	/* [idreader] and [dispenser]: the SAM ID card reader (idreader = sam) and the
	 * blank-key dispenser (dispenser = serial); device[0] == 0 when absent */
	struct conf_idreader {
		char device[PATH_MAX]; /* the module's serial line (tty, USB bridge or pty) */
		int baud;              /* 9600, 19200, 38400, 57600 or 115200 */
		int find_timeout_ms;   /* find and select card, 100..5000 */
		int read_timeout_ms;   /* read text + photo, 500..10000 */
		int poll_ms;           /* find card this often while a card is awaited, 200..5000 */
		char control[PATH_MAX]; /* "none", or a simulator's control socket (absolute) */
	} idreader;
	struct conf_dispenser {
		char device[PATH_MAX]; /* the dispenser's serial line */
		int baud;
		int timeout_ms;         /* one command and its answer, 100..30000 */
		int bins;               /* blank-key bins, 1..4 */
		int low;                /* stock at or below this raises "low", 0..10000 */
		int empty;              /* stock at or below this counts as empty, 0..100 */
		int take_timeout_s;     /* a key not taken this long is retained, 1..300 */
		char control[PATH_MAX]; /* "none", or a simulator's control socket (absolute) */
	} dispenser;

	/* [alipay]: the Alipay gateway (pay = alipay, kiosk/pay); gateway[0] == 0 when absent */
	struct conf_alipay {
		char gateway[512];         /* https://…/gateway.do */
		char app_id[40];           /* the app's id at Alipay */
		char app_key[PATH_MAX];    /* the app's RSA private key (PEM); never logged */
		char alipay_key[PATH_MAX]; /* Alipay's RSA public key (PEM) */
		char ca_file[PATH_MAX];    /* CAs trusted for the gateway's certificate */
		int connect_timeout_ms;    /* 100..60000 */
		int timeout_ms;            /* one whole exchange, 500..120000 */
		int poll_ms;               /* query a shown QR this often, 100..60000 */
		int retries;               /* an unknown outcome is retried this often, 0..20 */
		int reconcile_min_ms;      /* an unsettled payment is settled again after this, */
		int reconcile_max_ms;      /* doubling while it stays unsettled, to at most this */
		char control[256];         /* "none", or the gateway peer's control URL */
	} alipay;

	/* [keys]: PKCS#11 key work (keys = pkcs11, kiosk/pki); module[0] == 0 when absent.
	 * Token selectors: "label:X", "label-prefix:X", "serial:X" or "reader:X". */
	struct conf_keys {
		char module[PATH_MAX];            /* the PKCS#11 module (.so) */
		char user_port[80];               /* the user's key port */
		char personalisation[80];         /* a blank key in the dispenser's slot */
		char blank_so_pin_file[PATH_MAX]; /* the factory SO PIN of blank keys; never logged
		                                   */
		char secure_module[80];           /* the kiosk's own secure module */
		char secure_pin_file[PATH_MAX];   /* its user PIN; never logged */
		char issuer[8];                   /* local or cmp */
		char issuer_key_id[66];           /* local: the CA key's CKA_ID in hex */
		char issuer_cert[PATH_MAX];       /* our issuing CA's certificate (PEM) */
		char jsca_cert[PATH_MAX];         /* the Jiangsu CA issuing certificate (PEM) */
		char kmc_cert[PATH_MAX];   /* the central KMC's escrow certificate (PEM): keys get
		                            * the encryption pair; "" (left out): signing only */
		char key_type[12];         /* rsa2048 or ec-p256: new key pairs */
		int renew_fresh_key;       /* 1: renewal makes a new key pair, 0..1 */
		char crl_url[256];         /* CRL distribution point of what we issue */
		char aia_url[256];         /* authority information access (CA issuers) */
		char ledger[PATH_MAX];     /* local: what was issued and revoked */
		char crl_file[PATH_MAX];   /* local: the CRL written from the ledger (DER); by
		                            * default issuing.crl in the ledger's folder; sync
		                            * sends each new one to the central site */
		int crl_next_update_hours; /* its nextUpdate this long ahead, 1..168 (24) */
		/* [cmp]: the CMP issuer (issuer = cmp, kiosk/pki/issuer_cmp); server[0] == 0
		 * when absent. MAC-protected with a reference and a shared secret. */
		struct conf_cmp {
			char server[256];       /* http://host:port/path of the CA's CMP end */
			char trusted[PATH_MAX]; /* CA certificates (PEM) the new ones chain to */
			char ref[64];           /* our reference (senderKID) at the CA */
			char secret_file[PATH_MAX]; /* the shared secret; never logged */
			char certs[PATH_MAX];       /* folder keeping what we got, for revocation */
			int msg_timeout_s;          /* one request and its answer, 1..300 */
			int total_timeout_s;        /* one whole transaction, 1..600 */
		} cmp;
	} keys;

	/* [staff] (kiosk/staff): staff mode; pin_hash[0] == 0 when absent (no staff mode).
	 * [monitor] (kiosk/app/metrics): metrics_file[0] == 0 when absent (no metrics). */
	struct conf_staff {
		char pin_hash[200]; /* "pbkdf2-sha256$ITER$SALT$HASH", never the PIN */
		int lock_minutes;   /* locked this long after 5 wrong PINs, 1..1440 */
		int idle_timeout_s; /* staff mode ends after this long untouched, 30..3600 */
	} staff;
	struct conf_monitor {
		char metrics_file[PATH_MAX]; /* node_exporter textfile: …/kiosk.prom */
		int interval_s;              /* rewritten at most this often, 1..3600 */
	} monitor;

	/* [central]: the central site (sync = central, kiosk/sync, docs/central-api.md);
	 * url[0] == 0 when absent */
	struct conf_central {
		char url[256];          /* https://host[:port]/ : the API's base */
		char ca_file[PATH_MAX]; /* CAs trusted for the site's certificate */
		char
		    client_cert[PATH_MAX]; /* the kiosk's client certificate (PEM), CN = kiosk id */
		char client_key[PATH_MAX]; /* its key: a PEM file, or a pkcs11: URI (RFC 7512) of
		                              the key on the secure module ([keys] module and
		                              secure_pin_file); never logged */
		char fee_key[PATH_MAX];    /* the site's public key that signs fee tables (PEM) */
		int batch_max;             /* events per push, 1..5000 */
		int connect_timeout_ms;    /* 100..60000 */
		int timeout_ms;            /* one whole exchange, 500..300000 */
		int backoff_min_ms;        /* first wait after a failure, 10..600000 */
		int backoff_max_ms;        /* longest wait, 100..3600000 */
		int idle_ms;               /* look for new events this often when idle, 10..60000 */
		int pull_s;                /* pull the inbox this often, 1..86400 */
		char control[256];         /* "none", or the central peer's control URL */
		int heartbeat_s;           /* POST a heartbeat this often, 1..86400 */
	} central;
};

/* Loads path (kiosk.ini) and the region file it names into *out.
 * Returns KR_OK; or KR_CONFIG / KR_IO with "file:line: [section] key: reason" in err,
 * in which case *out is unspecified. */
int conf_load(const char *path, struct conf *out, struct kerr *err);

/* Loads one region file alone (used by conf_load and by tests). */
int conf_load_region(const char *path, struct conf_region *out, struct kerr *err);

/* Parses "HH:MM-HH:MM[,HH:MM-HH:MM…]" or "closed". Returns KR_OK or KR_INVALID. */
int conf_parse_spans(const char *s, struct conf_spans *out);

/* Whether the hall is open at utc_s (seconds since the epoch, UTC), judged in China
 * time (UTC+8): workdays are Monday to Friday. */
int conf_hall_open(const struct conf_region *r, int64_t utc_s);

/* The name of a service slot ("keys") and its reverse (-1 when unknown). */
const char *conf_service_name(enum conf_service s);
int conf_service_from_name(const char *name);

#endif
