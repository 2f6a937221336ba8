/* kdp_codec.h — frames of KDP/1, the kiosk's own key-dispenser command set (the spec is
 * drivers/dispenser/PROTOCOL.md): building commands and answers and finding whole
 * frames in a byte stream with resynchronisation. No I/O. */
#ifndef KIOSK_KDP_CODEC_H
#define KIOSK_KDP_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define KDP_STX       0x02
#define KDP_LEN_MIN   2 /* SEQ CMD */
#define KDP_LEN_MAX   64
#define KDP_FRAME_MAX (2 + KDP_LEN_MAX + 2)
#define KDP_ANSWER    0x80 /* CMD | KDP_ANSWER in an answer */

enum kdp_cmd {
	KDP_STATUS = 0x01,
	KDP_MOVE = 0x02,
	KDP_DISPENSE = 0x03,
	KDP_RETAIN = 0x04,
	KDP_COUNTS = 0x05,
	KDP_RESET = 0x06,
};

enum kdp_result {
	KDP_OK = 0x00,
	KDP_EMPTY = 0x01,
	KDP_JAM = 0x02,
	KDP_NO_KEY = 0x03,
	KDP_OCCUPIED = 0x04,
	KDP_BAD_BIN = 0x05,
	KDP_BAD_COMMAND = 0x06,
	KDP_BAD_FRAME = 0x07,
};

/* STATUS flags. */
#define KDP_FLAG_SLOT   0x01
#define KDP_FLAG_MOUTH  0x02
#define KDP_FLAG_JAM    0x04
#define KDP_FLAG_RETAIN 0x08

/* A frame found in a buffer; data is borrowed from it. */
struct kdp_frame {
	uint8_t seq, cmd;
	const uint8_t *data;
	size_t ndata;
};

/* CRC-16/CCITT-FALSE of buf[0..n). */
uint16_t kdp_crc16(const uint8_t *buf, size_t n);

/* Writes a frame into out. Returns its length, or 0 when ndata > KDP_LEN_MAX - 2 or it
 * does not fit in cap. */
size_t kdp_frame_build(uint8_t seq, uint8_t cmd, const uint8_t *data, size_t ndata, uint8_t *out,
                       size_t cap);

enum kdp_scan { KDP_SCAN_MORE, KDP_SCAN_FRAME };

/* Looks for the first whole, valid frame in buf[0..len). *skip counts the garbage in
 * front (the caller drops it); with KDP_SCAN_FRAME the frame starts there, is
 * *frame_len bytes long and *frame describes it. */
enum kdp_scan kdp_frame_scan(const uint8_t *buf, size_t len, size_t *skip, size_t *frame_len,
                             struct kdp_frame *frame);

/* A readable name of a result code ("jammed"), never NULL. */
const char *kdp_result_name(int result);

#endif
