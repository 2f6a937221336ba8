/* p11rig.c — the objects of the SoftHSM test rig that pkcs11-tool cannot make: the
 * kiosk secure module's HMAC secret (a generic secret key allowed to sign), and the
 * damage a pulled key or a bad tool leaves on a token (a half-written certificate
 * object: no ID, an unparsable value; a garbage data object; a huge data object).
 *
 *   p11rig MODULE TOKEN_LABEL PIN secret FILE LABEL   import FILE's bytes as the secret
 *   p11rig MODULE TOKEN_LABEL PIN halfcert            a certificate object, no ID, junk value
 *   p11rig MODULE TOKEN_LABEL PIN garbage BYTES       a public data object of BYTES junk
 * Exit status 0 on success; the CK_RV in hex on stderr on failure. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST_PTR p;

static int die(const char *what, CK_RV rv)
{
	fprintf(stderr, "p11rig: %s: CK_RV 0x%lx\n", what, (unsigned long)rv);
	return 1;
}

static CK_SLOT_ID find_token(const char *label, int *found)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64;
	*found = 0;
	if (p->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		return 0;
	for (CK_ULONG i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;
		char l[33];
		if (p->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue;
		memcpy(l, ti.label, 32);
		l[32] = '\0';
		for (int k = 31; k >= 0 && l[k] == ' '; k--)
			l[k] = '\0';
		if (strcmp(l, label) == 0) {
			*found = 1;
			return slots[i];
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr,
		        "usage: p11rig MODULE TOKEN_LABEL PIN secret FILE LABEL | halfcert | "
		        "garbage BYTES\n");
		return 2;
	}
	void *lib = dlopen(argv[1], RTLD_NOW);
	CK_C_GetFunctionList get =
	    lib ? (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList") : NULL;
	if (!get || get(&p) != CKR_OK)
		return die("load module", CKR_GENERAL_ERROR);
	CK_RV rv = p->C_Initialize(NULL);
	if (rv != CKR_OK)
		return die("C_Initialize", rv);
	int found;
	CK_SLOT_ID slot = find_token(argv[2], &found);
	if (!found)
		return die("no such token", CKR_TOKEN_NOT_PRESENT);
	CK_SESSION_HANDLE s;
	if ((rv = p->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s)))
		return die("C_OpenSession", rv);
	if ((rv = p->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)argv[3], strlen(argv[3]))))
		return die("C_Login", rv);

	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_OBJECT_HANDLE h;
	static unsigned char junk[1 << 20];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)(i * 131u + 7u);
	if (strcmp(argv[4], "secret") == 0 && argc == 7) {
		unsigned char key[64];
		FILE *f = fopen(argv[5], "rb");
		size_t n = f ? fread(key, 1, sizeof key, f) : 0;
		if (f)
			fclose(f);
		if (n == 0)
			return die("read secret", CKR_ARGUMENTS_BAD);
		CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
		CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
		CK_ATTRIBUTE t[] = {
		    {CKA_CLASS, &cls, sizeof cls},         {CKA_KEY_TYPE, &kt, sizeof kt},
		    {CKA_TOKEN, &yes, sizeof yes},         {CKA_PRIVATE, &yes, sizeof yes},
		    {CKA_SENSITIVE, &yes, sizeof yes},     {CKA_EXTRACTABLE, &no, sizeof no},
		    {CKA_SIGN, &yes, sizeof yes},          {CKA_VALUE, key, n},
		    {CKA_LABEL, argv[6], strlen(argv[6])},
		};
		rv = p->C_CreateObject(s, t, sizeof t / sizeof t[0], &h);
	} else if (strcmp(argv[4], "halfcert") == 0) {
		CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
		CK_CERTIFICATE_TYPE ct = CKC_X_509;
		CK_ATTRIBUTE t[] = {
		    {CKA_CLASS, &cls, sizeof cls}, {CKA_CERTIFICATE_TYPE, &ct, sizeof ct},
		    {CKA_TOKEN, &yes, sizeof yes}, {CKA_PRIVATE, &no, sizeof no},
		    {CKA_SUBJECT, junk, 40},       {CKA_VALUE, "\x30\x82\x04\x00\x30\x82", 6},
		};
		rv = p->C_CreateObject(s, t, sizeof t / sizeof t[0], &h);
	} else if (strcmp(argv[4], "garbage") == 0 && argc == 6) {
		CK_OBJECT_CLASS cls = CKO_DATA;
		size_t n = strtoul(argv[5], NULL, 10);
		if (n > sizeof junk)
			n = sizeof junk;
		CK_ATTRIBUTE t[] = {
		    {CKA_CLASS, &cls, sizeof cls}, {CKA_TOKEN, &yes, sizeof yes},
		    {CKA_PRIVATE, &no, sizeof no}, {CKA_LABEL, "junk", 4},
		    {CKA_VALUE, junk, n},
		};
		rv = p->C_CreateObject(s, t, sizeof t / sizeof t[0], &h);
	} else {
		return die("unknown command", CKR_ARGUMENTS_BAD);
	}
	if (rv != CKR_OK)
		return die("C_CreateObject", rv);
	p->C_Logout(s);
	p->C_CloseSession(s);
	p->C_Finalize(NULL);
	return 0;
}
