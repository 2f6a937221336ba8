/* bench_keys.c — machine time (user + system CPU) of a renewal and of a new-key
 * personalisation on the SoftHSM rig through the shim, RSA-2048 and EC P-256: the kiosk's
 * own code (keywork_run, in this process) beside the same steps done with the command
 * line (tests/bench/keys_cli.sh: pkcs11-tool + openssl with the pkcs11 engine, child
 * processes) on the same tokens in the same run. Prints medians and the ratio (goal:
 * kiosk <= 0.5 x command line). Both pipelines generate the new key pair inside SoftHSM,
 * whose RSA-2048 generation (a random prime search: its time varies several-fold run to
 * run) outweighs everything else; so the key generation alone is measured too (the same
 * module call, on a personalised key) and the new-key figures are also given without it:
 * the part the kiosk's code decides. Fails only when the work itself fails, never on
 * time. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "check.h"
#include "drivers/token/token.h"
#include "keys/keys_rig.h"
#include "pki/keywork.h"

#define RENEWS   5
#define NEWKEYS  6
#define KEYGENS  9
#define NOW      1795262400 /* 2026-11-21 08:00 UTC */
#define USER_PIN "135790"   /* the rig's user keys */

struct sample {
	double cpu_ms, wall_ms;
};

static double wall_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

static double cpu_ms(int who)
{
	struct rusage r;
	getrusage(who, &r);
	return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1000.0 +
	       (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1000.0;
}

static int by_cpu(const void *a, const void *b)
{
	double x = ((const struct sample *)a)->cpu_ms, y = ((const struct sample *)b)->cpu_ms;
	return x < y ? -1 : x > y;
}

static struct sample median(struct sample *s, int n)
{
	qsort(s, (size_t)n, sizeof *s, by_cpu);
	return s[n / 2];
}

static void report(const char *what, struct sample *ours, struct sample *cli, int n)
{
	struct sample a = median(ours, n), b = median(cli, n);
	printf("%-22s kiosk %7.1f ms CPU (%7.1f wall)  command line %7.1f ms CPU (%7.1f wall)"
	       "  ratio %.2f  (median of %d)\n",
	       what, a.cpu_ms, a.wall_ms, b.cpu_ms, b.wall_ms,
	       b.cpu_ms > 0 ? a.cpu_ms / b.cpu_ms : 0, n);
}

/* The median CPU time of n key-pair generations of type on a personalised key (PIN
 * 902417), in this process through the token driver: the share of SoftHSM in a new key. */
static double keygen_ms(const char *module, enum token_keytype type, int n)
{
	struct token_ctx *t = NULL;
	struct kerr err = {{0}};
	struct sample s[KEYGENS] = {{0}};
	unsigned char id[4] = {0xbe, 0x4c, 0, 0};
	int i = -1, rc = token_open(module, &t, &err);
	if (rc == KR_OK && (i = token_find(t, "label-prefix:GXCA", 0)) < 0)
		rc = KR_NOT_FOUND;
	if (rc == KR_OK)
		rc = token_login(t, i, 0, "902417", &err);
	for (int k = 0; rc == KR_OK && k < n; k++) {
		id[2] = (unsigned char)type, id[3] = (unsigned char)k;
		double c0 = cpu_ms(RUSAGE_SELF);
		rc = token_keygen(t, i, type, id, sizeof id, "bench", &err);
		s[k].cpu_ms = cpu_ms(RUSAGE_SELF) - c0;
		s[k].wall_ms = 0;
	}
	CHECK_INT(rc, KR_OK);
	token_close(t);
	return rc == KR_OK ? median(s, n).cpu_ms : 0;
}

static const struct keywork_hooks no_hooks; /* nothing told */

/* Runs one keywork and measures this process. */
static struct sample run_ours(struct keywork *kw, const struct work_spec *w)
{
	struct keywork_result res;
	struct kerr err = {{0}};
	double c0 = cpu_ms(RUSAGE_SELF), w0 = wall_ms();
	int rc = keywork_run(kw, w, NOW, &no_hooks, &res, &err);
	struct sample s = {cpu_ms(RUSAGE_SELF) - c0, wall_ms() - w0};
	if (rc != KR_OK)
		fprintf(stderr, "kiosk: %s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	return s;
}

/* Runs one command line pipeline and measures its processes. */
static struct sample run_cli(const char *cmd)
{
	double c0 = cpu_ms(RUSAGE_CHILDREN), w0 = wall_ms();
	int rc = system(cmd);
	struct sample s = {cpu_ms(RUSAGE_CHILDREN) - c0, wall_ms() - w0};
	if (rc != 0)
		fprintf(stderr, "command line failed: %s\n", cmd);
	CHECK_INT(rc, 0);
	return s;
}

int main(void)
{
	static const struct {
		const char *type, *profile, *name;
	} kinds[] = {{"rsa2048", "unit-valid", "RSA-2048"},
	             {"ec-p256", "unit-expiring", "EC P-256"}};
	const char *cli = getenv("KEYS_CLI");
	char dir[512], cmd[8192], what[64];
	struct conf_keys c;
	struct kerr err = {{0}};
	struct keywork *kw = NULL;
	struct sample ours[NEWKEYS > RENEWS ? NEWKEYS : RENEWS],
	    theirs[NEWKEYS > RENEWS ? NEWKEYS : RENEWS];
	struct sample new_ours[2], new_cli[2];
	if (!cli || keys_rig_up(dir, sizeof dir, 2 * 2 * NEWKEYS, NOW) != 0)
		return 1;
	keys_rig_conf(dir, &c);
	CHECK_INT(keywork_create(&c, stderr, &kw, &err), KR_OK);
	for (size_t k = 0; kw && k < sizeof kinds / sizeof kinds[0]; k++) {
		struct key_triage t;
		CHECK_INT(keys_rig_insert(dir, kinds[k].profile), 0);
		CHECK_INT(keywork_triage(kw, NOW, &t, &err), KR_OK);
		struct work_spec w = {.biz = BIZ_RENEW, .holder = t.holder, .years = 1};
		snprintf(w.key_serial, sizeof w.key_serial, "%s", t.serial);
		snprintf(w.subject_id, sizeof w.subject_id, "%s", t.subject_id);
		for (int i = 0; i < RENEWS; i++) {
			w.renew_from_utc = t.not_after_utc + i * 365 * 86400LL;
			ours[i] = run_ours(kw, &w);
			snprintf(cmd, sizeof cmd,
			         "'%s' renew '%s' '%s/rig' '%s' %s '%s/cli-renew-%s'", cli,
			         c.module, dir, kinds[k].profile, USER_PIN, dir, kinds[k].type);
			theirs[i] = run_cli(cmd);
		}
		snprintf(what, sizeof what, "renewal, %s", kinds[k].name);
		report(what, ours, theirs, RENEWS);

		snprintf(c.key_type, sizeof c.key_type, "%s", kinds[k].type);
		struct work_spec nw = {.biz = BIZ_NEW, .holder = HOLDER_PERSON, .years = 1};
		snprintf(nw.subject_name, sizeof nw.subject_name, "张三");
		snprintf(nw.subject_id, sizeof nw.subject_id, "11010519491231002X");
		snprintf(nw.pin, sizeof nw.pin, "902417");
		for (int i = 0; i < NEWKEYS; i++) {
			ours[i] = run_ours(kw, &nw);
			snprintf(cmd, sizeof cmd, "'%s' newkey '%s' '%s/rig' %s '%s/cli-new-%s-%d'",
			         cli, c.module, dir, kinds[k].type, dir, kinds[k].type, i);
			theirs[i] = run_cli(cmd);
		}
		snprintf(what, sizeof what, "new key, %s", kinds[k].name);
		report(what, ours, theirs, NEWKEYS);
		new_ours[k] = median(ours, NEWKEYS);
		new_cli[k] = median(theirs, NEWKEYS);
	}
	keywork_destroy(kw); /* one token context per process: the next one opens afresh */
	for (size_t k = 0; kw && k < sizeof kinds / sizeof kinds[0]; k++) {
		double g = keygen_ms(c.module, k == 0 ? TOKEN_RSA2048 : TOKEN_EC_P256, KEYGENS);
		double a = new_ours[k].cpu_ms - g, b = new_cli[k].cpu_ms - g;
		printf("new key, %-13s key generation alone %6.1f ms CPU (median of %d); without "
		       "it: kiosk %6.1f ms, command line %6.1f ms, ratio %.2f\n",
		       kinds[k].name, g, KEYGENS, a, b, b > 0 ? a / b : 0);
	}
	keys_rig_down(dir);
	return check_done();
}
