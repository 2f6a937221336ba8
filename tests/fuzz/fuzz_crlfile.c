/* fuzz_crlfile.c — fuzz target for the CRL file the sync service sends to the central
 * site (kiosk/sync/crlfile.c): crlfile_parse on arbitrary bytes, DER or PEM. Beyond not
 * crashing: an accepted CRL's DER is the input itself when the input was DER, and reads
 * back as the same CRL with the same number; a refusal is KR_CORRUPT (or KR_NOMEM) with a
 * reason and leaves nothing behind. Seeds in tests/fuzz/crlfile/: CRLs with and without
 * entries, DER and PEM, without a crlNumber, with one beyond 2^63-1, one cut short, and a
 * certificate. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync/crlfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct crlfile zero;
	struct crlfile c, again;
	struct kerr err = {{0}};
	int rc = crlfile_parse(data, size, &c, &err);
	if (rc != KR_OK) {
		if ((rc != KR_CORRUPT && rc != KR_NOMEM) || !err.msg[0] ||
		    memcmp(&c, &zero, sizeof c) != 0)
			abort();
		return 0;
	}
	if (!c.der || c.len == 0 || c.number < 0)
		abort();
	if (size && data[0] == 0x30 && (c.len != size || memcmp(c.der, data, size) != 0))
		abort(); /* DER is sent as it was signed */
	if (crlfile_parse(c.der, c.len, &again, &err) != KR_OK || again.number != c.number ||
	    again.len != c.len || memcmp(again.der, c.der, c.len) != 0)
		abort(); /* what is sent reads back as the same CRL */
	crlfile_free(&again);
	crlfile_free(&c);
	if (memcmp(&c, &zero, sizeof c) != 0)
		abort();
	return 0;
}
