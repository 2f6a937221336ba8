/* fuzz_kdp_frame.c — the dispenser's KDP/1 frame scanner on any byte stream: every
 * frame found lies inside the input and rebuilds to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/dispenser/kdp_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t at = 0;
	while (at < size) {
		size_t skip = 0, flen = 0;
		struct kdp_frame f;
		enum kdp_scan s = kdp_frame_scan(data + at, size - at, &skip, &flen, &f);
		if (skip > size - at)
			abort();
		if (s == KDP_SCAN_MORE) {
			if (skip == size - at)
				break;
			at += skip + 1;
			continue;
		}
		if (skip + flen > size - at || f.ndata + 6 != flen)
			abort();
		uint8_t again[KDP_FRAME_MAX];
		if (kdp_frame_build(f.seq, f.cmd, f.data, f.ndata, again, sizeof again) != flen ||
		    memcmp(again, data + at + skip, flen) != 0)
			abort();
		at += skip + flen;
	}
	return 0;
}
