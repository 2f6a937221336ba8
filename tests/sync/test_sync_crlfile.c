/* test_sync_crlfile.c — the CRL file reader of the sync service (kiosk/sync/crlfile.c) on the
 * fuzz seeds (tests/fuzz/crlfile/) and on files that are not there, empty, too large or
 * not files: what each gives, and that every refusal says why and leaves nothing. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "sync/crlfile.h"

static char seeds[1024];

static const char *seed(const char *name)
{
	static char path[1200];
	snprintf(path, sizeof path, "%s/%s", seeds, name);
	return path;
}

/* Reads path; expects rc and, when refused, a reason containing why. */
static void expect_read(const char *path, int rc, int64_t number, const char *why)
{
	static const struct crlfile zero;
	struct crlfile c;
	struct kerr err = {{0}};
	CHECK_INT(crlfile_read(path, &c, &err), rc);
	if (rc == KR_OK) {
		CHECK_INT(c.number, number);
		CHECK(c.der && c.len > 0);
	} else {
		CHECK(memcmp(&c, &zero, sizeof c) == 0);
		CHECK(strstr(err.msg, why) != NULL);
		CHECK(strstr(err.msg, path) != NULL);
		if (!strstr(err.msg, why))
			fprintf(stderr, "  %s: '%s', expected '%s'\n", path, err.msg, why);
	}
	crlfile_free(&c);
}

/* The DER of the held seed is sent as it is; the PEM seed's DER is the PEM's content. */
static void test_der_and_pem(void)
{
	struct crlfile der, pem, again;
	struct kerr err = {{0}};
	FILE *f = fopen(seed("held.der"), "rb");
	unsigned char buf[4096];
	size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
	if (f)
		fclose(f);
	CHECK_INT(crlfile_read(seed("held.der"), &der, &err), KR_OK);
	CHECK(der.len == n && memcmp(der.der, buf, n) == 0);
	CHECK_INT(crlfile_read(seed("empty.pem"), &pem, &err), KR_OK);
	CHECK_INT(pem.number, 7);
	CHECK(pem.der && pem.der[0] == 0x30);
	CHECK_INT(crlfile_parse(pem.der, pem.len, &again, &err), KR_OK);
	CHECK_INT(again.number, 7);
	crlfile_free(&again);
	/* DER with a byte after it */
	buf[n] = 0;
	CHECK_INT(crlfile_parse(buf, n + 1, &again, &err), KR_CORRUPT);
	CHECK(strstr(err.msg, "bytes after it") != NULL);
	crlfile_free(&der);
	crlfile_free(&pem);
}

static void test_refused(const char *dir)
{
	char path[1200];
	expect_read(seed("held.der"), KR_OK, 8, NULL);
	expect_read(seed("no-number.der"), KR_CORRUPT, 0, "no crlNumber");
	expect_read(seed("huge-number.der"), KR_CORRUPT, 0, "beyond 2^63-1");
	expect_read(seed("truncated.der"), KR_CORRUPT, 0, "not a DER CRL");
	expect_read(seed("certificate.pem"), KR_CORRUPT, 0, "neither DER nor a PEM X509 CRL");
	snprintf(path, sizeof path, "%s/none.crl", dir);
	expect_read(path, KR_NOT_FOUND, 0, "No such file");
	expect_read(dir, KR_INVALID, 0, "not a regular file");
	snprintf(path, sizeof path, "%s/empty.crl", dir);
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	CHECK(fd >= 0);
	expect_read(path, KR_CORRUPT, 0, "empty");
	/* one byte over the cap (sparse): refused before it is read */
	CHECK(ftruncate(fd, (off_t)CRLFILE_MAX + 1) == 0);
	expect_read(path, KR_INVALID, 0, "larger than");
	close(fd);
	unlink(path);
}

int main(void)
{
	const char *src = getenv("KIOSK_SOURCE_DIR");
	char dir[] = "/tmp/test_sync_crlfile.XXXXXX";
	snprintf(seeds, sizeof seeds, "%s/tests/fuzz/crlfile",
	         src && *src ? src : KIOSK_SOURCE_DIR);
	if (!mkdtemp(dir))
		return 2;
	test_der_and_pem();
	test_refused(dir);
	rmdir(dir);
	return check_done();
}
