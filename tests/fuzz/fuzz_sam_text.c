/* fuzz_sam_text.c — the ID card text-block parser on any 256 bytes (shorter inputs are
 * padded with spaces): it never reads outside the block, and what it accepts is
 * NUL-terminated UTF-8 with 8-digit dates. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/idreader/sam_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *text = malloc(SAM_TEXT_LEN); /* exact size: ASan sees any overread */
	struct sam_person p;
	if (!text)
		return 0;
	for (size_t i = 0; i < SAM_TEXT_LEN; i += 2)
		text[i] = ' ', text[i + 1] = 0;
	memcpy(text, data, size < SAM_TEXT_LEN ? size : SAM_TEXT_LEN);
	if (sam_text_parse(text, &p) == SAM_TEXT_OK) {
		if (strlen(p.birth) != 8 || strlen(p.valid_from) != 8 ||
		    (p.valid_to[0] && strlen(p.valid_to) != 8) || !sam_sex_name(p.sex) ||
		    memchr(p.name, 0, sizeof p.name) == NULL ||
		    memchr(p.address, 0, sizeof p.address) == NULL)
			abort();
		(void)sam_nation_name(p.nation);
	}
	free(text);
	return 0;
}
