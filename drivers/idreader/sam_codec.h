/* sam_codec.h — the SAM module's frames (GA/T 467 "SAM_A" as gathered in
 * ref/idcard.md), without any I/O: building request and response frames, and finding
 * whole frames in a byte stream that may hold garbage, split or damaged frames.
 *
 *   AA AA AA 96 69 | LEN (2, big-endian) | body (LEN - 1 bytes) | CHK
 *
 * LEN counts the body and CHK; CHK is the XOR of the LEN bytes and the body. A request
 * body is CMD PARA DATA…, a response body SW1 SW2 SW3 DATA…. The transport (sam_tty.h)
 * and the simulator both use this; another module's codec can sit beside it. */
#ifndef KIOSK_SAM_CODEC_H
#define KIOSK_SAM_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define SAM_HEADER_LEN 7 /* preamble and LEN */
/* The largest LEN accepted: read text + photo + two fingerprints (a 2321-byte frame). */
#define SAM_LEN_MAX   2314
#define SAM_FRAME_MAX (SAM_HEADER_LEN + SAM_LEN_MAX)
#define SAM_LEN_MIN   3 /* a request: CMD PARA CHK */

/* Commands (CMD << 8 | PARA). */
enum sam_cmd {
	SAM_CMD_RESET = 0x10FF,
	SAM_CMD_STATUS = 0x11FF,
	SAM_CMD_SAM_ID = 0x12FF,
	SAM_CMD_FIND = 0x2001,
	SAM_CMD_SELECT = 0x2002,
	SAM_CMD_READ = 0x3001,        /* text + photo */
	SAM_CMD_READ_FINGER = 0x3010, /* text + photo + fingerprints */
};

/* SW3 results. */
enum sam_sw3 {
	SAM_SW_OK = 0x90,
	SAM_SW_FIND_OK = 0x9F,
	SAM_SW_NO_ITEM = 0x91,
	SAM_SW_HOST_CHECKSUM = 0x10,
	SAM_SW_HOST_LENGTH = 0x11,
	SAM_SW_BAD_COMMAND = 0x21,
	SAM_SW_UNAUTHORISED = 0x23,
	SAM_SW_UNKNOWN_ERROR = 0x24,
	SAM_SW_CARD_AUTH = 0x31,
	SAM_SW_SAM_AUTH = 0x32,
	SAM_SW_VERIFY = 0x33,
	SAM_SW_UNKNOWN_CARD = 0x40,
	SAM_SW_READ_FAILED = 0x41,
	SAM_SW_NO_RANDOM = 0x47,
	SAM_SW_SELF_TEST = 0x60,
	SAM_SW_NOT_AUTHORISED = 0x66,
	SAM_SW_NO_CARD = 0x80,
	SAM_SW_SELECT_FAILED = 0x81,
};

/* A whole frame found in a buffer: its body, borrowed from that buffer. */
struct sam_frame {
	const uint8_t *body; /* CMD PARA … or SW1 SW2 SW3 … */
	size_t nbody;        /* LEN - 1 */
};

/* Writes a frame with the given body (nbody + 1 must be in SAM_LEN_MIN..SAM_LEN_MAX)
 * into out. Returns its length, or 0 when it does not fit in cap or nbody is out of
 * range. */
size_t sam_frame_build(const uint8_t *body, size_t nbody, uint8_t *out, size_t cap);

/* A request frame for cmd with no data (every command the reader sends). Returns its
 * length (10), or 0 when cap is too small. */
size_t sam_frame_request(enum sam_cmd cmd, uint8_t *out, size_t cap);

/* A response frame SW1 = SW2 = 00, sw3, data (for the simulator and tests). Returns its
 * length, or 0 when it does not fit. */
size_t sam_frame_response(uint8_t sw3, const uint8_t *data, size_t ndata, uint8_t *out, size_t cap);

enum sam_scan {
	SAM_SCAN_MORE,  /* no whole frame yet: keep the bytes from *skip on, read more */
	SAM_SCAN_FRAME, /* a frame starts at *skip and is *frame_len bytes long */
};

/* Looks for the first whole, valid frame in buf[0..len). Bytes before a preamble, a
 * preamble followed by a LEN out of range and a frame whose CHK is wrong are garbage:
 * *skip counts the garbage in front, which the caller drops. With SAM_SCAN_FRAME,
 * *frame fills in the frame's body (borrowed from buf) and *frame_len its length. */
enum sam_scan sam_frame_scan(const uint8_t *buf, size_t len, size_t *skip, size_t *frame_len,
                             struct sam_frame *frame);

/* The SW3 of a response frame, or -1 when its body is shorter than SW1 SW2 SW3. */
int sam_frame_sw3(const struct sam_frame *f);

/* A readable English name of an SW3 ("read failed"), never NULL. */
const char *sam_sw3_name(int sw3);

#endif
