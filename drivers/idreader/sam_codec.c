/* sam_codec.c — SAM frames: build, and find in a byte stream with resynchronisation. */
#include "drivers/idreader/sam_codec.h"

#include <string.h>

static const uint8_t preamble[5] = {0xAA, 0xAA, 0xAA, 0x96, 0x69};

size_t sam_frame_build(const uint8_t *body, size_t nbody, uint8_t *out, size_t cap)
{
	size_t len = nbody + 1;
	if (len < SAM_LEN_MIN || len > SAM_LEN_MAX || cap < SAM_HEADER_LEN + len)
		return 0;
	memcpy(out, preamble, sizeof preamble);
	out[5] = (uint8_t)(len >> 8);
	out[6] = (uint8_t)len;
	memcpy(out + SAM_HEADER_LEN, body, nbody);
	uint8_t chk = 0;
	for (size_t i = 5; i < SAM_HEADER_LEN + nbody; i++)
		chk ^= out[i];
	out[SAM_HEADER_LEN + nbody] = chk;
	return SAM_HEADER_LEN + len;
}

size_t sam_frame_request(enum sam_cmd cmd, uint8_t *out, size_t cap)
{
	uint8_t body[2] = {(uint8_t)((unsigned)cmd >> 8), (uint8_t)cmd};
	return sam_frame_build(body, sizeof body, out, cap);
}

size_t sam_frame_response(uint8_t sw3, const uint8_t *data, size_t ndata, uint8_t *out, size_t cap)
{
	if (ndata + 4 > SAM_LEN_MAX || cap < SAM_HEADER_LEN + ndata + 4)
		return 0;
	/* the body is built in place after the header */
	uint8_t *body = out + SAM_HEADER_LEN;
	if (ndata)
		memmove(body + 3, data, ndata);
	body[0] = body[1] = 0;
	body[2] = sw3;
	return sam_frame_build(body, ndata + 3, out, cap);
}

/* Whether buf[0..n) could be the start of a preamble (n <= 5). */
static int preamble_prefix(const uint8_t *buf, size_t n)
{
	return memcmp(buf, preamble, n < sizeof preamble ? n : sizeof preamble) == 0;
}

enum sam_scan sam_frame_scan(const uint8_t *buf, size_t len, size_t *skip, size_t *frame_len,
                             struct sam_frame *frame)
{
	size_t at = 0;
	for (; at < len; at++) {
		size_t left = len - at;
		if (buf[at] != preamble[0] || !preamble_prefix(buf + at, left))
			continue;
		if (left < SAM_HEADER_LEN)
			break; /* a preamble may be arriving */
		size_t flen = (size_t)buf[at + 5] << 8 | buf[at + 6];
		if (flen < SAM_LEN_MIN || flen > SAM_LEN_MAX)
			continue; /* not a frame: resynchronise on the next preamble */
		if (left < SAM_HEADER_LEN + flen)
			break;
		uint8_t chk = 0;
		for (size_t i = 5; i < SAM_HEADER_LEN + flen - 1; i++)
			chk ^= buf[at + i];
		if (chk != buf[at + SAM_HEADER_LEN + flen - 1])
			continue;
		*skip = at;
		*frame_len = SAM_HEADER_LEN + flen;
		frame->body = buf + at + SAM_HEADER_LEN;
		frame->nbody = flen - 1;
		return SAM_SCAN_FRAME;
	}
	*skip = at;
	return SAM_SCAN_MORE;
}

int sam_frame_sw3(const struct sam_frame *f)
{
	return f->nbody >= 3 ? f->body[2] : -1;
}

const char *sam_sw3_name(int sw3)
{
	switch (sw3) {
	case SAM_SW_OK:
		return "success";
	case SAM_SW_FIND_OK:
		return "card found";
	case SAM_SW_NO_ITEM:
		return "no such item on the card";
	case SAM_SW_HOST_CHECKSUM:
		return "host checksum error";
	case SAM_SW_HOST_LENGTH:
		return "host length error";
	case SAM_SW_BAD_COMMAND:
		return "command error";
	case SAM_SW_UNAUTHORISED:
		return "unauthorised";
	case SAM_SW_UNKNOWN_ERROR:
		return "unrecognised error";
	case SAM_SW_CARD_AUTH:
		return "card did not authenticate the SAM";
	case SAM_SW_SAM_AUTH:
		return "SAM did not authenticate the card";
	case SAM_SW_VERIFY:
		return "verification error";
	case SAM_SW_UNKNOWN_CARD:
		return "unknown card type";
	case SAM_SW_READ_FAILED:
		return "read failed";
	case SAM_SW_NO_RANDOM:
		return "no random number";
	case SAM_SW_SELF_TEST:
		return "SAM self-test failed";
	case SAM_SW_NOT_AUTHORISED:
		return "SAM not authorised";
	case SAM_SW_NO_CARD:
		return "no card";
	case SAM_SW_SELECT_FAILED:
		return "select failed";
	default:
		return "unknown status";
	}
}
