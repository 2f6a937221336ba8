/* kdp_codec.c — KDP/1 frames. */
#include "drivers/dispenser/kdp_codec.h"

#include <string.h>

uint16_t kdp_crc16(const uint8_t *buf, size_t n)
{
	uint16_t crc = 0xFFFF;
	for (size_t i = 0; i < n; i++) {
		crc ^= (uint16_t)(buf[i] << 8);
		for (int b = 0; b < 8; b++)
			crc = crc & 0x8000 ? (uint16_t)(crc << 1 ^ 0x1021) : (uint16_t)(crc << 1);
	}
	return crc;
}

size_t kdp_frame_build(uint8_t seq, uint8_t cmd, const uint8_t *data, size_t ndata, uint8_t *out,
                       size_t cap)
{
	size_t len = 2 + ndata;
	if (len > KDP_LEN_MAX || cap < len + 4)
		return 0;
	out[0] = KDP_STX;
	out[1] = (uint8_t)len;
	out[2] = seq;
	out[3] = cmd;
	if (ndata)
		memmove(out + 4, data, ndata);
	uint16_t crc = kdp_crc16(out + 1, len + 1);
	out[2 + len] = (uint8_t)(crc >> 8);
	out[3 + len] = (uint8_t)crc;
	return len + 4;
}

enum kdp_scan kdp_frame_scan(const uint8_t *buf, size_t len, size_t *skip, size_t *frame_len,
                             struct kdp_frame *frame)
{
	size_t at = 0;
	for (; at < len; at++) {
		if (buf[at] != KDP_STX)
			continue;
		if (len - at < 2)
			break;
		size_t flen = buf[at + 1];
		if (flen < KDP_LEN_MIN || flen > KDP_LEN_MAX)
			continue;
		if (len - at < flen + 4)
			break;
		uint16_t crc = (uint16_t)(buf[at + 2 + flen] << 8 | buf[at + 3 + flen]);
		if (kdp_crc16(buf + at + 1, flen + 1) != crc)
			continue;
		*skip = at;
		*frame_len = flen + 4;
		frame->seq = buf[at + 2];
		frame->cmd = buf[at + 3];
		frame->data = buf + at + 4;
		frame->ndata = flen - 2;
		return KDP_SCAN_FRAME;
	}
	*skip = at;
	return KDP_SCAN_MORE;
}

const char *kdp_result_name(int result)
{
	switch (result) {
	case KDP_OK:
		return "done";
	case KDP_EMPTY:
		return "bin empty";
	case KDP_JAM:
		return "jammed";
	case KDP_NO_KEY:
		return "no key";
	case KDP_OCCUPIED:
		return "slot occupied";
	case KDP_BAD_BIN:
		return "no such bin";
	case KDP_BAD_COMMAND:
		return "unknown command";
	case KDP_BAD_FRAME:
		return "bad frame";
	default:
		return "unknown result";
	}
}
