/* test_sam_codec.c — the SAM frame codec against the verified frames of ref/idcard.md,
 * with garbage, split, damaged and oversized frames; and the text-block parser on the
 * three card layouts. */
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "drivers/idreader/sam_codec.h"
#include "drivers/idreader/sam_text.h"

static const uint8_t find_req[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x22};
static const uint8_t find_ok[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x08, 0x00,
                                  0x00, 0x9F, 0x00, 0x00, 0x00, 0x00, 0x97};
static const uint8_t find_none[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00,
                                    0x04, 0x00, 0x00, 0x80, 0x84};
static const uint8_t select_ok[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x0C, 0x00, 0x00, 0x90,
                                    0,    0,    0,    0,    0,    0,    0,    0,    0x9C};
static const uint8_t select_failed[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00,
                                        0x04, 0x00, 0x00, 0x81, 0x85};
static const uint8_t read_failed[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00,
                                      0x04, 0x00, 0x00, 0x41, 0x45};

static void test_requests(void)
{
	static const struct {
		enum sam_cmd cmd;
		uint8_t last4[4]; /* LEN, CMD PARA, CHK … the tail after the preamble */
	} cases[] = {
	    {SAM_CMD_FIND, {0x03, 0x20, 0x01, 0x22}},
	    {SAM_CMD_SELECT, {0x03, 0x20, 0x02, 0x21}},
	    {SAM_CMD_READ, {0x03, 0x30, 0x01, 0x32}},
	    {SAM_CMD_READ_FINGER, {0x03, 0x30, 0x10, 0x23}},
	    {SAM_CMD_RESET, {0x03, 0x10, 0xFF, 0xEC}},
	    {SAM_CMD_STATUS, {0x03, 0x11, 0xFF, 0xED}},
	    {SAM_CMD_SAM_ID, {0x03, 0x12, 0xFF, 0xEE}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t f[16];
		CHECK_INT(sam_frame_request(cases[i].cmd, f, sizeof f), 10);
		CHECK(memcmp(f, find_req, 5) == 0);
		CHECK_INT(f[5], 0);
		CHECK(memcmp(f + 6, cases[i].last4, 4) == 0);
	}
	uint8_t small[9];
	CHECK_INT(sam_frame_request(SAM_CMD_FIND, small, sizeof small), 0);
}

static void test_responses(void)
{
	uint8_t f[32];
	static const uint8_t zeros[8];
	CHECK_INT(sam_frame_response(0x9F, zeros, 4, f, sizeof f), sizeof find_ok);
	CHECK(memcmp(f, find_ok, sizeof find_ok) == 0);
	CHECK_INT(sam_frame_response(0x80, NULL, 0, f, sizeof f), sizeof find_none);
	CHECK(memcmp(f, find_none, sizeof find_none) == 0);
	CHECK_INT(sam_frame_response(0x90, zeros, 8, f, sizeof f), sizeof select_ok);
	CHECK(memcmp(f, select_ok, sizeof select_ok) == 0);
	CHECK_INT(sam_frame_response(0x81, NULL, 0, f, sizeof f), sizeof select_failed);
	CHECK(memcmp(f, select_failed, sizeof select_failed) == 0);
	CHECK_INT(sam_frame_response(0x41, NULL, 0, f, sizeof f), sizeof read_failed);
	CHECK(memcmp(f, read_failed, sizeof read_failed) == 0);
	/* a read answer is 1295 bytes; the largest frame fits, one more byte does not */
	static uint8_t big[SAM_FRAME_MAX + 8], data[SAM_LEN_MAX];
	CHECK_INT(sam_frame_response(0x90, data, 4 + 256 + 1024, big, sizeof big), 1295);
	CHECK_INT(sam_frame_response(0x90, data, SAM_LEN_MAX - 4, big, sizeof big), 2321);
	CHECK_INT(sam_frame_response(0x90, data, SAM_LEN_MAX - 3, big, sizeof big), 0);
}

/* Scans buf and returns the SW3 of the frame found, -1 for none; *used gets
 * skip + frame length. */
static int scan(const uint8_t *buf, size_t n, size_t *used)
{
	size_t skip = 0, flen = 0;
	struct sam_frame fr;
	if (sam_frame_scan(buf, n, &skip, &flen, &fr) != SAM_SCAN_FRAME) {
		*used = skip;
		return -1;
	}
	*used = skip + flen;
	return sam_frame_sw3(&fr);
}

static void test_scan(void)
{
	uint8_t buf[128];
	size_t used;
	/* the plain frames */
	CHECK_INT(scan(find_ok, sizeof find_ok, &used), 0x9F);
	CHECK_INT(used, sizeof find_ok);
	CHECK_INT(scan(read_failed, sizeof read_failed, &used), 0x41);

	/* garbage in front, including a false preamble with a LEN out of range */
	static const uint8_t junk[] = {0x00, 0x13, 0xAA, 0xAA, 0xAA, 0x96,
	                               0x69, 0xFF, 0xFF, 0xAA, 0x96};
	memcpy(buf, junk, sizeof junk);
	memcpy(buf + sizeof junk, find_none, sizeof find_none);
	CHECK_INT(scan(buf, sizeof junk + sizeof find_none, &used), 0x80);
	CHECK_INT(used, sizeof junk + sizeof find_none);

	/* split: every prefix asks for more and drops nothing of the frame */
	for (size_t k = 0; k < sizeof select_ok; k++) {
		int sw = scan(select_ok, k, &used);
		CHECK_INT(sw, -1);
		CHECK_INT(used, 0);
	}
	/* garbage then half a preamble: the garbage goes, the half stays */
	static const uint8_t half[] = {0x01, 0x02, 0xAA, 0xAA};
	CHECK_INT(scan(half, sizeof half, &used), -1);
	CHECK_INT(used, 2);

	/* a damaged checksum is skipped; the next frame is found */
	memcpy(buf, find_ok, sizeof find_ok);
	buf[sizeof find_ok - 1] ^= 1;
	memcpy(buf + sizeof find_ok, read_failed, sizeof read_failed);
	CHECK_INT(scan(buf, sizeof find_ok + sizeof read_failed, &used), 0x41);
	CHECK_INT(used, sizeof find_ok + sizeof read_failed);

	/* LEN below the minimum */
	static const uint8_t tiny[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x02, 0x00, 0x02};
	CHECK_INT(scan(tiny, sizeof tiny, &used), -1);

	/* a request is a frame too (the simulator reads them) */
	size_t skip, flen;
	struct sam_frame fr;
	CHECK_INT(sam_frame_scan(find_req, sizeof find_req, &skip, &flen, &fr), SAM_SCAN_FRAME);
	CHECK_INT(fr.nbody, 2);
	CHECK_INT(fr.body[0], 0x20);
	CHECK_INT(fr.body[1], 0x01);
	CHECK_STR(sam_sw3_name(0x41), "read failed");
}

/* Writes s (UTF-8) as UTF-16LE into t at off, len bytes, space padded. */
static void put(uint8_t *t, size_t off, size_t len, const char *s)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		t[off + i] = ' ', t[off + i + 1] = 0;
	iconv_t cd = iconv_open("UTF-16LE", "UTF-8");
	char *ip = (char *)s, *op = (char *)t + off;
	size_t il = strlen(s), ol = len;
	iconv(cd, &ip, &il, &op, &ol);
	iconv_close(cd);
}

static void resident(uint8_t *t, const char *kind, const char *nation, const char *to)
{
	put(t, 0, 256, "");
	put(t, 0, 30, "张三");
	put(t, 30, 2, "2");
	put(t, 32, 4, nation);
	put(t, 36, 16, "19491231");
	put(t, 52, 70, "北京市朝阳区");
	put(t, 122, 36, kind[0] == 'J' ? "810000199408230021" : "11010519491231002X");
	put(t, 158, 30, "北京市公安局");
	put(t, 188, 16, "20200101");
	put(t, 204, 16, to);
	if (kind[0] == 'J') {
		put(t, 220, 18, "H12345678");
		put(t, 238, 4, "01");
	}
	put(t, 248, 2, kind);
}

static void test_text(void)
{
	uint8_t t[256];
	struct sam_person p;

	resident(t, " ", "01", "20400101");
	CHECK_INT(sam_text_parse(t, &p), SAM_TEXT_OK);
	CHECK_INT(p.kind, ' ');
	CHECK_STR(p.name, "张三");
	CHECK_STR(p.sex, "2");
	CHECK_STR(sam_sex_name(p.sex), "女");
	CHECK_STR(sam_nation_name(p.nation), "汉");
	CHECK_STR(p.birth, "19491231");
	CHECK_STR(p.address, "北京市朝阳区");
	CHECK_STR(p.id_number, "11010519491231002X");
	CHECK_STR(p.authority, "北京市公安局");
	CHECK_STR(p.valid_from, "20200101");
	CHECK_STR(p.valid_to, "20400101");

	resident(t, " ", "56", "长期");
	CHECK_INT(sam_text_parse(t, &p), SAM_TEXT_OK);
	CHECK_STR(p.valid_to, "");
	CHECK_STR(sam_nation_name(p.nation), "基诺");

	resident(t, "J", "", "20300101");
	CHECK_INT(sam_text_parse(t, &p), SAM_TEXT_OK);
	CHECK_INT(p.kind, 'J');
	CHECK_STR(p.pass_number, "H12345678");
	CHECK_STR(p.issue_count, "01");

	put(t, 0, 256, "");
	put(t, 0, 120, "SMITH, JOHN");
	put(t, 120, 2, "1");
	put(t, 122, 30, "USA320180101015");
	put(t, 152, 6, "USA");
	put(t, 158, 30, "史密斯");
	put(t, 188, 16, "20200101");
	put(t, 204, 16, "20300101");
	put(t, 220, 16, "19800101");
	put(t, 248, 2, "I");
	CHECK_INT(sam_text_parse(t, &p), SAM_TEXT_OK);
	CHECK_INT(p.kind, 'I');
	CHECK_STR(p.name_en, "SMITH, JOHN");
	CHECK_STR(p.name, "史密斯");
	CHECK_STR(p.nationality, "USA");
	CHECK_STR(p.id_number, "USA320180101015");
	CHECK_STR(p.birth, "19800101");

	resident(t, "Z", "01", "20400101");
	CHECK_INT(sam_text_parse(t, &p), SAM_TEXT_UNKNOWN_KIND);
	resident(t, " ", "57", "20400101");
	CHECK_INT(sam_text_parse(t, &p), SAM_TEXT_BAD);
	resident(t, " ", "01", "2040010X");
	CHECK_INT(sam_text_parse(t, &p), SAM_TEXT_BAD);
	resident(t, " ", "01", "20400101");
	t[0] = 0x00, t[1] = 0xD8; /* a lone high surrogate */
	CHECK_INT(sam_text_parse(t, &p), SAM_TEXT_BAD);
	CHECK_STR(p.name, ""); /* wiped on failure */

	CHECK(sam_sex_name("3") == NULL);
	CHECK_STR(sam_sex_name("9"), "未说明");
	CHECK_STR(sam_nation_name("97"), "其他");
	CHECK_STR(sam_nation_name("98"), "外国血统");
	CHECK(sam_nation_name("00") == NULL);
	CHECK(sam_nation_name("1") == NULL);
}

int main(void)
{
	test_requests();
	test_responses();
	test_scan();
	test_text();
	return check_done();
}
