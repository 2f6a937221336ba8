/* keys_rig.c — the SoftHSM rig for the keys tests (see keys_rig.h). */
#include "keys_rig.h"

#include <openssl/x509v3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drivers/token/token.h"

int keys_rig_up(char *dir, size_t size, int blanks, int64_t now_utc)
{
	char cmd[8192];
	const char *sh = getenv("KEYS_RIG_SH"), *rig = getenv("KEYS_P11RIG");
	const char *tmp = getenv("TMPDIR");
	if (!sh || !rig) {
		fprintf(stderr, "KEYS_RIG_SH / KEYS_P11RIG not set (run through ctest)\n");
		return -1;
	}
	snprintf(dir, size, "%s/keysrig.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(cmd, sizeof cmd, "RIG_NOW=%lld '%s' '%s/rig' '%s' %d >/dev/null",
	         (long long)now_utc, sh, dir, rig, blanks);
	if (system(cmd) != 0) {
		fprintf(stderr, "rig set-up failed: %s\n", cmd);
		return -1;
	}
	snprintf(cmd, sizeof cmd, "%s/rig/softhsm2.conf", dir);
	setenv("SOFTHSM2_CONF", cmd, 1);
	snprintf(cmd, sizeof cmd, "%s/rig/shim", dir);
	setenv("P11SHIM_DIR", cmd, 1);
	return 0;
}

void keys_rig_down(const char *dir)
{
	char cmd[4200];
	if (!dir[0] || strstr(dir, "keysrig.") == NULL)
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

void keys_rig_conf(const char *dir, struct conf_keys *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->module, sizeof c->module, "%s", getenv("KEYS_SHIM"));
	snprintf(c->user_port, sizeof c->user_port, "reader:port");
	snprintf(c->personalisation, sizeof c->personalisation, "label-prefix:BLANK");
	snprintf(c->blank_so_pin_file, sizeof c->blank_so_pin_file, "%s/rig/blank_so.pin", dir);
	snprintf(c->secure_module, sizeof c->secure_module, "label:KIOSK-SM");
	snprintf(c->secure_pin_file, sizeof c->secure_pin_file, "%s/rig/secure.pin", dir);
	snprintf(c->issuer, sizeof c->issuer, "local");
	snprintf(c->issuer_key_id, sizeof c->issuer_key_id, "ca01");
	snprintf(c->issuer_cert, sizeof c->issuer_cert, "%s/rig/ca/issuing.pem", dir);
	snprintf(c->jsca_cert, sizeof c->jsca_cert, "%s/rig/ca/jsca.pem", dir);
	snprintf(c->kmc_cert, sizeof c->kmc_cert, "%s/rig/ca/kmc.pem", dir);
	snprintf(c->key_type, sizeof c->key_type, "ec-p256");
	snprintf(c->crl_url, sizeof c->crl_url, "http://crl.example.invalid/issuing.crl");
	snprintf(c->aia_url, sizeof c->aia_url, "http://ca.example.invalid/issuing.crt");
	snprintf(c->ledger, sizeof c->ledger, "%s/rig/ledger", dir);
}

int keys_rig_insert(const char *dir, const char *profile)
{
	char cmd[8192];
	snprintf(cmd, sizeof cmd,
	         "cd '%s/rig/shim' && grep -v ' port$' slots > slots.t; "
	         "[ -z '%s' ] || awk -v p='%s' '$1 == p {print $2 \" port\"}' profiles >> slots.t; "
	         "mv slots.t slots",
	         dir, profile, profile);
	return system(cmd) == 0 ? 0 : -1;
}

int keys_rig_keep_token(const char *dir, const char *label, const char *name)
{
	char cmd[8600];
	snprintf(
	    cmd, sizeof cmd,
	    "cd '%s/rig' && f=$(grep -l -- '%s' tokens/*/token.object | head -1) && "
	    "[ -n \"$f\" ] && cp \"$f\" '%s-token.object' && echo \"$PWD/$f\" > '%s-token.path'",
	    dir, label, name, name);
	return system(cmd) == 0 ? 0 : -1;
}

int keys_rig_heal_sm(const char *dir)
{
	return keys_rig_heal_token(dir, "sm");
}

int keys_rig_heal_token(const char *dir, const char *name)
{
	char path[4096], saved[4200], cmd[8600];
	struct stat a, b;
	snprintf(path, sizeof path, "%s/rig/%s-token.path", dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int ok = fgets(path, sizeof path, f) != NULL;
	fclose(f);
	path[strcspn(path, "\n")] = '\0';
	snprintf(saved, sizeof saved, "%s/rig/%s-token.object", dir, name);
	if (!ok || stat(saved, &b) != 0)
		return -1;
	/* its size never changes while intact: a cut write is shorter */
	if (stat(path, &a) == 0 && a.st_size == b.st_size)
		return 0;
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", saved, path);
	return system(cmd) == 0 ? 1 : -1;
}

int keys_rig_in_child(int (*fn)(const char *module), const char *module)
{
	int status;
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn(module) & 0xff);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int keys_rig_signing(const X509 *x)
{
	uint32_t ku = X509_get_key_usage((X509 *)x);
	return ku == UINT32_MAX || (ku & KU_DIGITAL_SIGNATURE);
}

static int usable_certs_here(const char *module)
{
	struct token_ctx *t;
	struct token_cert *c;
	struct kerr err;
	int n, good = 0;
	if (token_open(module, &t, &err) != KR_OK)
		return 255;
	int i = token_find(t, "reader:port", 0);
	if (i >= 0 && token_certs(t, i, &c, &n, &err) == KR_OK) {
		for (int k = 0; k < n; k++)
			good += c[k].x509 != NULL && c[k].id_len > 0 && keys_rig_signing(c[k].x509);
		token_certs_free(c, n);
	}
	token_close(t);
	return good;
}

int keys_rig_usable_certs(const char *module)
{
	return keys_rig_in_child(usable_certs_here, module);
}
