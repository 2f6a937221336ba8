/* p11shim.c — a PKCS#11 module for tests that forwards every call to SoftHSM2 and adds
 * what SoftHSM lacks and real USB keys have: user-PIN retry counters and locking, and
 * slots that come and go (a key inserted into or pulled from a port).
 *
 * State lives in files under $P11SHIM_DIR so that a test, the kiosk and the rig script
 * share it across processes:
 *   slots         one "SERIAL READER" line per visible token; READER becomes the slot
 *                 description. Tokens not listed are hidden (absent: every token shows).
 *   tries/SERIAL  user-PIN tries left (absent: P11SHIM_MAX_TRIES). 0 means locked.
 * A wrong user login counts down, a right one resets, C_InitPIN resets; at 0 the login
 * answers CKR_PIN_LOCKED without asking SoftHSM. C_GetTokenInfo reports
 * CKF_USER_PIN_COUNT_LOW / FINAL_TRY / LOCKED from the counter. The real module is
 * $P11SHIM_MODULE (default: SoftHSM2's). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

#define P11SHIM_MAX_TRIES 6
#define MAX_SLOTS         64

static CK_FUNCTION_LIST real, shim;
static void *real_lib;

static const char *state_dir(void)
{
	const char *d = getenv("P11SHIM_DIR");
	return d && *d ? d : NULL;
}

/* Copies a blank-padded PKCS#11 text field into a C string. */
static void field_str(const CK_UTF8CHAR *f, size_t n, char *out, size_t size)
{
	while (n > 0 && f[n - 1] == ' ')
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(out, f, n);
	out[n] = '\0';
}

/* The reader of a token serial from the slots file: 1 visible (reader filled), 0 hidden. */
static int slot_visible(const char *serial, char *reader, size_t size)
{
	char path[4096], line[256];
	const char *d = state_dir();
	snprintf(reader, size, "shim");
	if (!d)
		return 1;
	snprintf(path, sizeof path, "%s/slots", d);
	FILE *f = fopen(path, "r");
	if (!f)
		return 1;
	int found = 0;
	while (!found && fgets(line, sizeof line, f)) {
		char s[64], r[64] = "shim";
		if (sscanf(line, "%63s %63s", s, r) >= 1 && serial[0] && strcmp(s, serial) == 0) {
			found = 1;
			snprintf(reader, size, "%s", r);
		}
	}
	fclose(f);
	return found;
}

static int tries_get(const char *serial)
{
	char path[4096];
	int n = P11SHIM_MAX_TRIES;
	if (!state_dir())
		return n;
	snprintf(path, sizeof path, "%s/tries/%s", state_dir(), serial);
	FILE *f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = P11SHIM_MAX_TRIES;
		fclose(f);
	}
	return n;
}

static void tries_set(const char *serial, int n)
{
	char path[4096], tmp[4200];
	if (!state_dir())
		return;
	snprintf(path, sizeof path, "%s/tries/%s", state_dir(), serial);
	snprintf(tmp, sizeof tmp, "%s.%d", path, (int)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "%d\n", n);
	fclose(f);
	rename(tmp, path);
}

static CK_RV serial_of_slot(CK_SLOT_ID slot, char *serial, size_t size)
{
	CK_TOKEN_INFO ti;
	CK_RV rv = real.C_GetTokenInfo(slot, &ti);
	if (rv == CKR_OK)
		field_str(ti.serialNumber, sizeof ti.serialNumber, serial, size);
	return rv;
}

static CK_RV serial_of_session(CK_SESSION_HANDLE h, char *serial, size_t size)
{
	CK_SESSION_INFO si;
	CK_RV rv = real.C_GetSessionInfo(h, &si);
	return rv == CKR_OK ? serial_of_slot(si.slotID, serial, size) : rv;
}

static CK_RV shim_GetSlotList(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
	CK_SLOT_ID all[MAX_SLOTS], keep[MAX_SLOTS];
	CK_ULONG n = MAX_SLOTS, k = 0;
	CK_RV rv = real.C_GetSlotList(present, all, &n);
	if (rv != CKR_OK)
		return rv;
	for (CK_ULONG i = 0; i < n; i++) {
		char serial[32], reader[64];
		if (serial_of_slot(all[i], serial, sizeof serial) == CKR_OK &&
		    slot_visible(serial, reader, sizeof reader))
			keep[k++] = all[i];
	}
	if (!list) {
		*count = k;
		return CKR_OK;
	}
	if (*count < k) {
		*count = k;
		return CKR_BUFFER_TOO_SMALL;
	}
	memcpy(list, keep, k * sizeof keep[0]);
	*count = k;
	return CKR_OK;
}

static CK_RV shim_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info)
{
	char serial[32], reader[64];
	CK_RV rv = real.C_GetSlotInfo(slot, info);
	if (rv != CKR_OK || serial_of_slot(slot, serial, sizeof serial) != CKR_OK)
		return rv;
	if (!slot_visible(serial, reader, sizeof reader)) {
		info->flags &= ~(CK_FLAGS)CKF_TOKEN_PRESENT;
		return rv;
	}
	memset(info->slotDescription, ' ', sizeof info->slotDescription);
	memcpy(info->slotDescription, reader, strlen(reader));
	return rv;
}

static CK_RV shim_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR ti)
{
	char serial[32];
	CK_RV rv = real.C_GetTokenInfo(slot, ti);
	if (rv != CKR_OK)
		return rv;
	field_str(ti->serialNumber, sizeof ti->serialNumber, serial, sizeof serial);
	int t = tries_get(serial);
	ti->flags &=
	    ~(CK_FLAGS)(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED);
	if (t <= 0)
		ti->flags |= CKF_USER_PIN_LOCKED;
	else if (t == 1)
		ti->flags |= CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_COUNT_LOW;
	else if (t < P11SHIM_MAX_TRIES)
		ti->flags |= CKF_USER_PIN_COUNT_LOW;
	return rv;
}

static CK_RV shim_Login(CK_SESSION_HANDLE h, CK_USER_TYPE who, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	char serial[32];
	if (who != CKU_USER || serial_of_session(h, serial, sizeof serial) != CKR_OK)
		return real.C_Login(h, who, pin, len);
	int t = tries_get(serial);
	if (t <= 0)
		return CKR_PIN_LOCKED;
	CK_RV rv = real.C_Login(h, who, pin, len);
	if (rv == CKR_PIN_INCORRECT)
		tries_set(serial, t - 1);
	else if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN)
		tries_set(serial, P11SHIM_MAX_TRIES);
	return rv == CKR_PIN_INCORRECT && t - 1 <= 0 ? CKR_PIN_LOCKED : rv;
}

static CK_RV shim_InitPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	char serial[32];
	CK_RV rv = real.C_InitPIN(h, pin, len);
	if (rv == CKR_OK && serial_of_session(h, serial, sizeof serial) == CKR_OK)
		tries_set(serial, P11SHIM_MAX_TRIES);
	return rv;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR out)
{
	if (!real_lib) {
		const char *m = getenv("P11SHIM_MODULE");
		CK_C_GetFunctionList get;
		CK_FUNCTION_LIST_PTR list;
		real_lib =
		    dlopen(m && *m ? m : "/usr/lib/softhsm/libsofthsm2.so", RTLD_NOW | RTLD_LOCAL);
		if (!real_lib)
			return CKR_GENERAL_ERROR;
		get = (CK_C_GetFunctionList)dlsym(real_lib, "C_GetFunctionList");
		if (!get || get(&list) != CKR_OK)
			return CKR_GENERAL_ERROR;
		real = *list;
		shim = real;
		shim.C_GetFunctionList = C_GetFunctionList;
		shim.C_GetSlotList = shim_GetSlotList;
		shim.C_GetSlotInfo = shim_GetSlotInfo;
		shim.C_GetTokenInfo = shim_GetTokenInfo;
		shim.C_Login = shim_Login;
		shim.C_InitPIN = shim_InitPIN;
	}
	*out = &shim;
	return CKR_OK;
}
