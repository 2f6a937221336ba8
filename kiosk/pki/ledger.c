/* ledger.c — reading and appending the local issuer's ledger (see ledger.h). Owns the
 * replayed certificate states of one read. */
#include "pki/ledger.h"

#include <errno.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIELDS_MAX 6 /* one more than the longest line has: a sixth field is malformed */

static const struct {
	int code;
	const char *name;
} reasons[] = {
    {CRL_REASON_UNSPECIFIED, "unspecified"},
    {CRL_REASON_KEY_COMPROMISE, "keyCompromise"},
    {CRL_REASON_AFFILIATION_CHANGED, "affiliationChanged"},
    {CRL_REASON_SUPERSEDED, "superseded"},
    {CRL_REASON_CESSATION_OF_OPERATION, "cessationOfOperation"},
    {CRL_REASON_CERTIFICATE_HOLD, "certificateHold"},
};

const char *ledger_reason_name(int crl_reason)
{
	for (size_t k = 0; k < sizeof reasons / sizeof reasons[0]; k++)
		if (reasons[k].code == crl_reason)
			return reasons[k].name;
	return NULL;
}

static int reason_from_name(const char *name)
{
	for (size_t k = 0; k < sizeof reasons / sizeof reasons[0]; k++)
		if (strcmp(reasons[k].name, name) == 0)
			return reasons[k].code;
	return -1;
}

/* Whether s is 1..max characters, each one of set. */
static int made_of(const char *s, const char *set, size_t max)
{
	size_t n = strlen(s);
	return n > 0 && n <= max && strspn(s, set) == n;
}

/* A decimal time in seconds into *out; 0, or -1 when it is not one. */
static int parse_utc(const char *s, int64_t *out)
{
	char *end;
	if (!made_of(s + (s[0] == '-'), "0123456789", 19))
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = (int64_t)v;
	return 0;
}

void ledger_free(struct ledger *lg)
{
	free(lg->cert);
	memset(lg, 0, sizeof *lg);
}

/* The newest certificate serial in lg (its index), or -1. */
static int find_index(const struct ledger *lg, const char *serial)
{
	for (int k = lg->n - 1; k >= 0; k--)
		if (strcmp(lg->cert[k].serial, serial) == 0)
			return k;
	return -1;
}

const struct ledger_cert *ledger_find(const struct ledger *lg, const char *serial)
{
	int k = find_index(lg, serial);
	return k < 0 ? NULL : &lg->cert[k];
}

static int add_cert(struct ledger *lg, const char *serial, int64_t not_after, const char *id)
{
	if (lg->n == lg->cap) {
		if (lg->cap >= LEDGER_CERTS_MAX)
			return -2;
		int cap = lg->cap ? lg->cap * 2 : 64;
		if (cap > LEDGER_CERTS_MAX)
			cap = LEDGER_CERTS_MAX;
		struct ledger_cert *c = realloc(lg->cert, (size_t)cap * sizeof *c);
		if (!c)
			return -2;
		lg->cert = c;
		lg->cap = cap;
	}
	struct ledger_cert *c = &lg->cert[lg->n++];
	memset(c, 0, sizeof *c);
	snprintf(c->serial, sizeof c->serial, "%s", serial);
	snprintf(c->subject_id, sizeof c->subject_id, "%s", id);
	c->not_after_utc = not_after;
	c->state = LEDGER_VALID;
	return 0;
}

/* An R line: a hold suspends a valid certificate; a final reason revokes a valid or held
 * one (a held one keeps the hold's date). */
static void apply_revoke(struct ledger_cert *c, int reason, int64_t utc)
{
	if (c->state == LEDGER_REVOKED)
		return;
	if (reason == CRL_REASON_CERTIFICATE_HOLD) {
		if (c->state == LEDGER_VALID) {
			c->state = LEDGER_HELD;
			c->reason = reason;
			c->since_utc = utc;
		}
		return;
	}
	if (c->state == LEDGER_VALID)
		c->since_utc = utc;
	c->state = LEDGER_REVOKED;
	c->reason = reason;
}

/* ledger_feed without the count of malformed lines. */
static int feed_line(struct ledger *lg, const char *line)
{
	static const char hex[] = "0123456789ABCDEF",
	                  alnum[] =
	                      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	char buf[LEDGER_LINE_MAX + 1], *f[FIELDS_MAX], *save = NULL;
	int n = 0;
	int64_t t;
	size_t len = strcspn(line, "\r\n");
	if (len > LEDGER_LINE_MAX || line[len + strspn(line + len, "\r\n")] != '\0')
		return -1; /* too long, or a line end inside */
	memcpy(buf, line, len);
	buf[len] = '\0';
	for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == FIELDS_MAX)
			return -1;
		f[n++] = w;
	}
	if (n == 0)
		return 0; /* an empty line */
	if (n < 4 || strlen(f[0]) != 1 || parse_utc(f[2], &t) != 0 ||
	    !made_of(f[3], alnum, sizeof lg->cert[0].subject_id - 1))
		return -1;
	char kind = f[0][0];
	if (kind == 'Q')
		return n == 4 && strcmp(f[1], "-") == 0 ? 0 : -1;
	if (!made_of(f[1], hex, sizeof lg->cert[0].serial - 1))
		return -1;
	if (kind == 'V' && n == 4)
		return add_cert(lg, f[1], t, f[3]);
	int reason = n == 5 ? reason_from_name(f[4]) : CRL_REASON_UNSPECIFIED;
	int k = find_index(lg, f[1]);
	if (k >= 0 && strcmp(lg->cert[k].subject_id, f[3]) != 0)
		k = -1; /* not that certificate's holder: changes nothing */
	if (kind == 'R' && n <= 5 && reason >= 0) {
		if (k >= 0)
			apply_revoke(&lg->cert[k], reason, t);
		return 0;
	}
	if (kind == 'L' && n == 4) {
		if (k >= 0 && lg->cert[k].state == LEDGER_HELD) {
			lg->cert[k].state = LEDGER_VALID;
			lg->cert[k].reason = 0;
			lg->cert[k].since_utc = 0;
		}
		return 0;
	}
	return -1;
}

int ledger_feed(struct ledger *lg, const char *line)
{
	int rc = feed_line(lg, line);
	lg->skipped += rc == -1;
	return rc;
}

int ledger_read(const char *path, struct ledger *out, struct kerr *err)
{
	char line[LEDGER_LINE_MAX + 2];
	memset(out, 0, sizeof *out);
	FILE *f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? KR_OK
		                       : kerr_set(err, KR_IO, "%s: cannot read the ledger", path);
	int rc = KR_OK;
	while (rc == KR_OK && fgets(line, sizeof line, f)) {
		size_t len = strlen(line);
		if (len == sizeof line - 1 && line[len - 1] != '\n') {
			int c;
			while ((c = getc(f)) != EOF && c != '\n')
				; /* the rest of an overlong line */
			out->skipped++;
			continue;
		}
		if (ledger_feed(out, line) == -2)
			rc = out->n >= LEDGER_CERTS_MAX
			         ? kerr_set(err, KR_FULL, "%s: more than %d certificates", path,
			                    LEDGER_CERTS_MAX)
			         : kerr_set(err, KR_NOMEM, "out of memory");
	}
	if (rc == KR_OK && ferror(f))
		rc = kerr_set(err, KR_IO, "%s: cannot read the ledger", path);
	fclose(f);
	return rc;
}

int ledger_append(const char *path, const char *text, struct kerr *err)
{
	FILE *f = fopen(path, "a");
	int bad = !f || fputs(text, f) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0;
	if (f && fclose(f) != 0)
		bad = 1;
	return bad ? kerr_set(err, KR_IO, "%s: cannot write the ledger", path) : KR_OK;
}
