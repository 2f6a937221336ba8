/* steer.c — the simulators' verbs mapped onto their control channels: one function per
 * real service whose device or peer is simulated in the rig, and the service's own
 * control for the rest (steer.h). Owns nothing; every channel is opened per verb. */
#include "app/steer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/peerctl.h"
#include "base/simctl.h"
#include "drivers/printer/cups_printer.h"
#include "pay/pay_service.h"

#define NOT_THE_SIMULATORS (-1) /* a verb for the service itself */
#define SIM_TIMEOUT_MS     5000
#define RIG_SCHEME         "capture:" /* the rig's capture backend */
#define RIG_FLAG           "/PAPER-OUT"

typedef int (*steer_fn)(const struct conf *c, const struct service *svc, const char *verb,
                        const char *args, struct kerr *err);

static int listed(const char *const *verbs, const char *verb)
{
	for (; *verbs; verbs++)
		if (strcmp(*verbs, verb) == 0)
			return 1;
	return 0;
}

/* One of the service's own verbs, asked by a steering function: a look or a poll at once
 * once the simulator changed, so that the service is busy until it has seen it. */
static int own(const struct service *svc, const char *verb, struct kerr *err)
{
	if (!svc->ops->control)
		return kerr_set(err, KR_INVALID, "the %s service takes no '%s'", svc->ops->kind,
		                verb);
	return svc->ops->control(svc->self, verb, "", err);
}

/* "VERB ARGS" on a device simulator's control socket (path; "none" on a real kiosk). */
static int sim_send(const char *path, const char *who, const char *verb, const char *args,
                    struct kerr *err)
{
	char line[384];
	if (strcmp(path, "none") == 0)
		return kerr_set(err, KR_INVALID, "%s: a real device is not steered by a script",
		                who);
	snprintf(line, sizeof line, "%s %.300s", verb, args);
	int rc = simctl_send(path, line, NULL, 0, SIM_TIMEOUT_MS, err);
	explicit_bzero(line, sizeof line); /* a card's holder */
	return rc;
}

/* The Alipay gateway peer: faults, and what the buyer does with the QR the pay service
 * polls (its out_trade_no asked of the service). */
static int gateway_peer(const struct conf *c, const struct service *svc, const char *verb,
                        const char *args, struct kerr *err)
{
	static const struct {
		const char *verb, *path;
	} trade_verbs[] = {
	    {"paid", "/pay"}, {"scan", "/scan"}, {"expire", "/expire"}, {"fail", "/close"}};
	const char *base = c->alipay.control, *who = "the gateway peer";
	char path[256], otn[72] = "";
	if (strcmp(verb, "fault") == 0) {
		char kind[32] = "", method[64] = "any";
		int count = 1;
		sscanf(args, "%31s %63s %d", kind, method, &count);
		snprintf(path, sizeof path, "/fault?kind=%s&method=%s&count=%d", kind, method,
		         count);
		return peerctl_get(base, path, who, err);
	}
	if (strcmp(verb, "refund-fails") == 0) {
		int on = strcmp(args, "off") != 0;
		snprintf(path, sizeof path, "/fault?kind=%s&method=alipay.trade.refund&count=%d",
		         on ? "20000" : "clear", on ? 1000 : 0);
		return peerctl_get(base, path, who, err);
	}
	for (size_t i = 0; i < sizeof trade_verbs / sizeof trade_verbs[0]; i++) {
		if (strcmp(verb, trade_verbs[i].verb) != 0)
			continue;
		if (pay_service_waiting(svc, otn, sizeof otn) != KR_OK)
			return kerr_set(err, KR_INVALID, "pay %s: no payment is waiting", verb);
		snprintf(path, sizeof path, "%s?t=%s", trade_verbs[i].path, otn);
		int rc = peerctl_get(base, path, who, err);
		return rc == KR_OK ? own(svc, "poll", err) : rc;
	}
	return NOT_THE_SIMULATORS;
}

/* What follows a central-peer verb's word: key=value words, as query parameters
 * ("&k=v&k2=v2") into extra. */
static int query_words(const char *verb, const char *args, char *extra, size_t size,
                       struct kerr *err)
{
	extra[0] = '\0';
	for (const char *a = args; *a && strlen(extra) + 2 < size; a++) {
		if (*a == ' ' || *a == '\t') {
			if (extra[0] && extra[strlen(extra) - 1] != '&')
				strcat(extra, "&");
			continue;
		}
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=",
		            *a))
			return kerr_set(err, KR_INVALID, "sync %s: '%s' is not key=value words",
			                verb, args);
		if (!extra[0])
			strcat(extra, "&");
		strncat(extra, a, 1);
	}
	return KR_OK;
}

/* The central peer: the network, faults, and what the site sends or is asked. */
static int central_peer(const struct conf *c, const struct service *svc, const char *verb,
                        const char *args, struct kerr *err)
{
	static const char *const verbs[] = {"down",   "up",         "slow",    "fault", "pickup",
	                                    "review", "revocation", "journal", "fee",   "agents",
	                                    "crl",    "picked",     NULL};
	static const struct {
		const char *verb, *path, *word;
	} site_verbs[] = {{"pickup", "/pickup", "order"},
	                  {"review", "/review", "order"},
	                  {"revocation", "/revocation", "order"},
	                  {"journal", "/journal", "kind"},
	                  {"fee", "/fee", "version"},
	                  {"agents", "/agents", "unit"},
	                  {"picked", "/pickup-state", "order"}};
	char path[512] = "", word[64] = "", extra[256];
	int used = 0;
	(void)svc;
	if (!listed(verbs, verb))
		return NOT_THE_SIMULATORS;
	if (strcmp(verb, "crl") != 0) /* crl takes key=value words only */
		sscanf(args, "%63s%n", word, &used);
	for (char *w = word; *w; w++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.",
		            *w))
			return kerr_set(err, KR_INVALID, "sync %s: '%s' is not a plain word", verb,
			                word);
	int rc = query_words(verb, args + used, extra, sizeof extra, err);
	if (rc != KR_OK)
		return rc;
	if (strcmp(verb, "down") == 0 || strcmp(verb, "up") == 0)
		snprintf(path, sizeof path, "/%s", verb);
	else if (strcmp(verb, "slow") == 0)
		snprintf(path, sizeof path, "/slow?ms=%s", word[0] ? word : "0");
	else if (strcmp(verb, "fault") == 0)
		snprintf(path, sizeof path, "/fault?kind=%s&count=1", word);
	else if (strcmp(verb, "crl") == 0)
		snprintf(path, sizeof path, "/crl?kiosk=%s%s", c->kiosk_id, extra);
	for (size_t i = 0; i < sizeof site_verbs / sizeof site_verbs[0]; i++) {
		if (strcmp(verb, site_verbs[i].verb) != 0)
			continue;
		if (!word[0])
			return kerr_set(err, KR_INVALID, "sync %s: the %s is missing", verb,
			                site_verbs[i].word);
		snprintf(path, sizeof path, "%s?kiosk=%s&%s=%s%s", site_verbs[i].path, c->kiosk_id,
		         site_verbs[i].word, word, extra);
	}
	return peerctl_get(c->central.control, path, "the central peer", err);
}

/* The ID card module's simulator; the reader service then looks at once. */
static int card_sim(const struct conf *c, const struct service *svc, const char *verb,
                    const char *args, struct kerr *err)
{
	static const char *const verbs[] = {"present", "error", "card", "remove", "fault", NULL};
	if (!listed(verbs, verb))
		return NOT_THE_SIMULATORS;
	int rc = sim_send(c->idreader.control, "idreader", verb, args, err);
	return rc == KR_OK ? own(svc, "look", err) : rc;
}

/* The key dispenser's simulator: faults, its bins, the user at the mouth. */
static int dispenser_sim(const struct conf *c, const struct service *svc, const char *verb,
                         const char *args, struct kerr *err)
{
	static const char *const verbs[] = {"fault", "empty", "load", "no-take", "take", NULL};
	(void)svc;
	if (!listed(verbs, verb))
		return NOT_THE_SIMULATORS;
	return sim_send(c->dispenser.control, "dispenser", verb, args, err);
}

/* The test rig's capture queue: paper out while its PAPER-OUT flag file exists (beside
 * the captured jobs, from the queue's capture: device URI). */
static int capture_queue(const struct conf *c, const struct service *svc, const char *verb,
                         const char *args, struct kerr *err)
{
	const struct conf_printer *p = &c->printer;
	struct cups_printer *q = NULL;
	struct cups_status st;
	char flag[600];
	(void)svc, (void)args;
	if (strcmp(verb, "paper-out") != 0 && strcmp(verb, "paper-in") != 0)
		return NOT_THE_SIMULATORS;
	int rc = cups_printer_open(p->queue, p->server, p->submit_timeout_s, &q, err);
	if (rc == KR_OK)
		rc = cups_printer_status(q, &st, err);
	cups_printer_close(q);
	if (rc != KR_OK)
		return rc;
	if (strncmp(st.device_uri, RIG_SCHEME, strlen(RIG_SCHEME)) != 0)
		return kerr_set(err, KR_INVALID,
		                "printer: queue '%s' is not the test rig's capture queue (%s)",
		                p->queue, st.device_uri[0] ? st.device_uri : "no device URI");
	if (snprintf(flag, sizeof flag, "%s" RIG_FLAG, st.device_uri + strlen(RIG_SCHEME)) >=
	    (int)sizeof flag)
		return kerr_set(err, KR_INVALID, "printer: device URI too long");
	if (strcmp(verb, "paper-in") == 0) {
		if (unlink(flag) != 0 && errno != ENOENT)
			return kerr_set(err, KR_IO, "printer: %s: %s", flag, strerror(errno));
		return KR_OK;
	}
	int fd = open(flag, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return kerr_set(err, KR_IO, "printer: %s: %s", flag, strerror(errno));
	close(fd);
	return KR_OK;
}

/* Rewrites the shim's slot file: the port shows serial (none when NULL). */
static int rig_set_port(const char *serial, struct kerr *err)
{
	const char *dir = getenv("P11SHIM_DIR");
	char path[4096], tmp[4200], line[256];
	if (!dir)
		return kerr_set(err, KR_CONFIG, "keys: no test rig (P11SHIM_DIR is not set)");
	snprintf(path, sizeof path, "%s/slots", dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *in = fopen(path, "r"), *out = fopen(tmp, "w");
	if (!out) {
		if (in)
			fclose(in);
		return kerr_set(err, KR_IO, "%s: cannot write", tmp);
	}
	while (in && fgets(line, sizeof line, in)) {
		char s[64], reader[64];
		if (sscanf(line, "%63s %63s", s, reader) == 2 && strcmp(reader, "port") == 0)
			continue;
		fputs(line, out);
	}
	if (in)
		fclose(in);
	if (serial)
		fprintf(out, "%s port\n", serial);
	fclose(out);
	return rename(tmp, path) == 0 ? KR_OK : kerr_set(err, KR_IO, "%s: cannot replace", path);
}

static int rig_profile_serial(const char *name, char *serial, size_t size)
{
	const char *dir = getenv("P11SHIM_DIR");
	char path[4096], line[256];
	int found = 0;
	if (!dir)
		return 0;
	snprintf(path, sizeof path, "%s/profiles", dir);
	FILE *f = fopen(path, "r");
	while (f && !found && fgets(line, sizeof line, f)) {
		char n[64], s[64];
		if (sscanf(line, "%63s %63s", n, s) == 2 && strcmp(n, name) == 0) {
			snprintf(serial, size, "%s", s);
			found = 1;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/* The rig's key port (the PKCS#11 shim in front of SoftHSM): "insert PROFILE" shows the
 * rig's token PROFILE in the port and "remove" empties it, by rewriting the shim's slot
 * file ($P11SHIM_DIR/slots, profiles in $P11SHIM_DIR/profiles); then the keys service
 * looks at once. */
static int key_port(const struct conf *c, const struct service *svc, const char *verb,
                    const char *args, struct kerr *err)
{
	char serial[64];
	int rc;
	(void)c;
	if (strcmp(verb, "insert") == 0) {
		if (!rig_profile_serial(args, serial, sizeof serial))
			return kerr_set(err, KR_INVALID, "no rig key named '%s'", args);
		rc = rig_set_port(serial, err);
	} else if (strcmp(verb, "remove") == 0) {
		rc = rig_set_port(NULL, err);
	} else {
		return NOT_THE_SIMULATORS;
	}
	return rc == KR_OK ? own(svc, "look", err) : rc;
}

/* The real services whose device or peer the rig simulates. */
static const struct simulator {
	enum conf_service slot;
	const char *kind; /* the service's name in [services] */
	steer_fn steer;
	const char *verbs; /* said with a verb nobody knows */
} simulators[] = {
    {SVC_KEYS, "pkcs11", key_port, "insert PROFILE, remove"},
    {SVC_PAY, "alipay", gateway_peer,
     "paid, scan, expire, fail, fault KIND [METHOD] [COUNT], refund-fails on|off"},
    {SVC_SYNC, "central", central_peer,
     "down, up, slow MS, fault 500|garbage|ackdrop|drop|clear, pickup ORDER_NO "
     "[key=value …], review ORDER_NO result=approved|rejected, revocation ORDER_NO "
     "[serial=S], journal KIND expect=N, picked ORDER_NO "
     "expect=offered|reported|collected, fee VERSION [tamper=1], agents UNIT version=V "
     "ids=ID-ID… [tamper=1], crl [expect=N]"},
    {SVC_IDREADER, "sam", card_sim,
     "present ID NAME [VALID_TO], error KEY, card NAME, remove, fault NAME"},
    {SVC_DISPENSER, "serial", dispenser_sim,
     "fault jam|mute|none, empty BIN, load BIN N, no-take, take"},
    {SVC_PRINTER, "cups", capture_queue, "paper-out, paper-in"},
};

int steer_service(const struct conf *conf, enum conf_service slot, const struct service *svc,
                  const char *verb, const char *args, struct kerr *err)
{
	const struct simulator *sim = NULL;
	const char *name = conf_service_name(slot);
	if (!svc || !svc->ops)
		return kerr_set(err, KR_INVALID, "%s: no such service", name);
	for (size_t i = 0; !svc->ops->standin && i < sizeof simulators / sizeof simulators[0]; i++)
		if (simulators[i].slot == slot && strcmp(simulators[i].kind, svc->ops->kind) == 0)
			sim = &simulators[i];
	if (sim) {
		int rc = sim->steer(conf, svc, verb, args ? args : "", err);
		if (rc != NOT_THE_SIMULATORS)
			return rc;
	}
	if (!svc->ops->control)
		return kerr_set(err, KR_INVALID, "%s cannot be steered by a script", name);
	int rc = svc->ops->control(svc->self, verb, args ? args : "", err);
	if (rc == KR_INVALID && sim && err && strstr(err->msg, "unknown verb")) {
		struct kerr why = *err;
		rc = kerr_set(err, KR_INVALID, "%s; its simulator: %s", why.msg, sim->verbs);
	}
	return rc;
}

int steer(struct app *app, enum conf_service slot, const char *verb, const char *args,
          struct kerr *err)
{
	return steer_service(app_conf(app), slot, app_service(app, slot), verb, args, err);
}
