/* sam_text.c — the ID card text block: UTF-16LE fields to UTF-8 with iconv, the three
 * card layouts, and the sex and nation tables. */
#include "drivers/idreader/sam_text.h"

#include <iconv.h>
#include <string.h>

/* A field of the block: byte offset and length. */
struct field {
	size_t off, len;
};

/* Converts the UTF-16LE field f of text into UTF-8 in out, dropping trailing spaces
 * and NULs, and stopping at the first NUL. Returns 0 when it is not valid UTF-16LE or
 * does not fit. */
static int field_utf8(iconv_t cd, const uint8_t *text, struct field f, char *out, size_t size)
{
	char in[SAM_TEXT_LEN];
	size_t n = 0;
	/* up to the first NUL character */
	while (n + 1 < f.len && (text[f.off + n] || text[f.off + n + 1]))
		n += 2;
	memcpy(in, text + f.off, n);
	while (n >= 2 && in[n - 2] == ' ' && in[n - 1] == 0)
		n -= 2;
	char *ip = in, *op = out;
	size_t il = n, ol = size - 1;
	iconv(cd, NULL, NULL, NULL, NULL);
	size_t rc = iconv(cd, &ip, &il, &op, &ol);
	int ok = rc != (size_t)-1 && il == 0;
	*op = '\0';
	if (ok && strlen(out) != (size_t)(op - out))
		ok = 0; /* no embedded NUL */
	explicit_bzero(in, sizeof in);
	return ok;
}

static int all_digits(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* A YYYYMMDD date with a plausible month and day. */
static int is_date(const char *s)
{
	if (!all_digits(s, 8))
		return 0;
	int m = (s[4] - '0') * 10 + (s[5] - '0'), d = (s[6] - '0') * 10 + (s[7] - '0');
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

#define LONG_TERM "\xe9\x95\xbf\xe6\x9c\x9f" /* 长期 */

/* Converts the fields of a layout; each entry names a field and where it goes. */
struct slot {
	struct field f;
	char *out;
	size_t size;
};

static enum sam_text_result convert(const uint8_t *text, const struct slot *s, size_t n)
{
	iconv_t cd = iconv_open("UTF-8", "UTF-16LE");
	if (cd == (iconv_t)-1) /* NOLINT(performance-no-int-to-ptr): iconv_open's failure */
		return SAM_TEXT_BAD;
	enum sam_text_result rc = SAM_TEXT_OK;
	for (size_t i = 0; i < n && rc == SAM_TEXT_OK; i++)
		if (!field_utf8(cd, text, s[i].f, s[i].out, s[i].size))
			rc = SAM_TEXT_BAD;
	iconv_close(cd);
	return rc;
}

/* Checks the dates and codes every layout has, and turns 长期 into "". */
static enum sam_text_result check_common(struct sam_person *p, char *valid_to_raw)
{
	if (!is_date(p->birth) || !is_date(p->valid_from))
		return SAM_TEXT_BAD;
	if (strcmp(valid_to_raw, LONG_TERM) == 0)
		p->valid_to[0] = '\0';
	else if (is_date(valid_to_raw))
		memcpy(p->valid_to, valid_to_raw, 9);
	else
		return SAM_TEXT_BAD;
	if (!sam_sex_name(p->sex))
		return SAM_TEXT_BAD;
	return SAM_TEXT_OK;
}

enum sam_text_result sam_text_parse(const uint8_t *text, struct sam_person *out)
{
	memset(out, 0, sizeof *out);
	char kind = text[249] == 0 ? (char)text[248] : '?';
	char valid_to[16];
	enum sam_text_result rc;

	if (kind == '\0')
		kind = SAM_KIND_RESIDENT; /* some cards leave the reserved part zeroed */
	out->kind = kind;
	if (kind == SAM_KIND_FOREIGN) {
		const struct slot s[] = {
		    {{0, 120}, out->name_en, sizeof out->name_en},
		    {{120, 2}, out->sex, sizeof out->sex},
		    {{122, 30}, out->id_number, sizeof out->id_number},
		    {{152, 6}, out->nationality, sizeof out->nationality},
		    {{158, 30}, out->name, sizeof out->name},
		    {{188, 16}, out->valid_from, sizeof out->valid_from},
		    {{204, 16}, valid_to, sizeof valid_to},
		    {{220, 16}, out->birth, sizeof out->birth},
		};
		rc = convert(text, s, sizeof s / sizeof s[0]);
	} else if (kind == SAM_KIND_RESIDENT || kind == SAM_KIND_PERMIT) {
		const struct slot s[] = {
		    {{0, 30}, out->name, sizeof out->name},
		    {{30, 2}, out->sex, sizeof out->sex},
		    {{32, 4}, out->nation, sizeof out->nation},
		    {{36, 16}, out->birth, sizeof out->birth},
		    {{52, 70}, out->address, sizeof out->address},
		    {{122, 36}, out->id_number, sizeof out->id_number},
		    {{158, 30}, out->authority, sizeof out->authority},
		    {{188, 16}, out->valid_from, sizeof out->valid_from},
		    {{204, 16}, valid_to, sizeof valid_to},
		    {{220, 18}, out->pass_number, sizeof out->pass_number},
		    {{238, 4}, out->issue_count, sizeof out->issue_count},
		};
		/* a resident ID card keeps 220.. reserved: only a permit has these two */
		rc = convert(text, s, sizeof s / sizeof s[0] - (kind == SAM_KIND_RESIDENT ? 2 : 0));
	} else {
		return SAM_TEXT_UNKNOWN_KIND;
	}
	if (rc == SAM_TEXT_OK)
		rc = check_common(out, valid_to);
	if (rc == SAM_TEXT_OK && kind == SAM_KIND_RESIDENT && !sam_nation_name(out->nation))
		rc = SAM_TEXT_BAD;
	if (rc == SAM_TEXT_OK && (!out->id_number[0] || (!out->name[0] && !out->name_en[0])))
		rc = SAM_TEXT_BAD;
	explicit_bzero(valid_to, sizeof valid_to);
	if (rc != SAM_TEXT_OK)
		explicit_bzero(out, sizeof *out);
	return rc;
}

const char *sam_sex_name(const char *code)
{
	static const char *const names[10] = {
	    [0] = "未知",
	    [1] = "男",
	    [2] = "女",
	    [9] = "未说明",
	};
	if (code[0] < '0' || code[0] > '9' || code[1] != '\0')
		return NULL;
	return names[code[0] - '0'];
}

const char *sam_nation_name(const char *code)
{
	static const char *const nations[] = {
	    "汉",     "蒙古",   "回",       "藏",     "维吾尔",   "苗",   "彝",     "壮",
	    "布依",   "朝鲜",   "满",       "侗",     "瑶",       "白",   "土家",   "哈尼",
	    "哈萨克", "傣",     "黎",       "傈僳",   "佤",       "畲",   "高山",   "拉祜",
	    "水",     "东乡",   "纳西",     "景颇",   "柯尔克孜", "土",   "达斡尔", "仫佬",
	    "羌",     "布朗",   "撒拉",     "毛南",   "仡佬",     "锡伯", "阿昌",   "普米",
	    "塔吉克", "怒",     "乌孜别克", "俄罗斯", "鄂温克",   "德昂", "保安",   "裕固",
	    "京",     "塔塔尔", "独龙",     "鄂伦春", "赫哲",     "门巴", "珞巴",   "基诺",
	};
	_Static_assert(sizeof nations / sizeof nations[0] == 56, "GB 3304 has 56 nations");
	if (!all_digits(code, 2))
		return NULL;
	int n = (code[0] - '0') * 10 + (code[1] - '0');
	if (n >= 1 && n <= 56)
		return nations[n - 1];
	if (n == 97)
		return "其他";
	if (n == 98)
		return "外国血统";
	return NULL;
}
