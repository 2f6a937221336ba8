/* fuzz_sam_frame.c — the SAM frame scanner on any byte stream: every frame it finds lies
 * inside the input, has a body of LEN - 1 bytes and a correct checksum, and consuming
 * the input frame by frame ends. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/idreader/sam_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t at = 0;
	while (at < size) {
		size_t skip = 0, flen = 0;
		struct sam_frame f;
		enum sam_scan s = sam_frame_scan(data + at, size - at, &skip, &flen, &f);
		if (skip > size - at)
			abort();
		if (s == SAM_SCAN_MORE) {
			/* what is kept must start like a frame: scanning it again skips nothing */
			if (skip == size - at)
				break;
			at += skip +
			      1; /* give up the half frame, as the reader does at its time-out */
			continue;
		}
		if (flen < SAM_HEADER_LEN + SAM_LEN_MIN || skip + flen > size - at ||
		    f.body != data + at + skip + SAM_HEADER_LEN ||
		    f.nbody + 1 + SAM_HEADER_LEN != flen)
			abort();
		uint8_t again[SAM_FRAME_MAX];
		if (sam_frame_build(f.body, f.nbody, again, sizeof again) != flen ||
		    memcmp(again, data + at + skip, flen) != 0)
			abort();
		(void)sam_frame_sw3(&f);
		at += skip + flen;
	}
	return 0;
}
