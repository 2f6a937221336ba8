/* test_ui_pure.c — the UI's pure parts: line breaking for Chinese and English, the
 * themes' contrast, the PIN pad's scramble and the entry buffer. */
#include <string.h>

#include "check.h"
#include "ui/keypad.h"
#include "ui/theme.h"
#include "ui/wrap.h"

/* ASCII 10 px, everything else 20 px. */
static int fake_measure(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	int w = 0;
	for (size_t i = 0; i < len;) {
		int k;
		unsigned cp = wrap_utf8_next(s + i, len - i, &k);
		w += cp < 0x80 ? 10 : 20;
		i += (size_t)k;
	}
	return w;
}

static int wrap(const char *text, int width, char out[][64], int *overflow)
{
	struct wrap_line l[16];
	int n = wrap_text(text, width, fake_measure, NULL, l, 16, overflow);
	for (int i = 0; i < n; i++)
		snprintf(out[i], 64, "%.*s", l[i].len, text + l[i].off);
	return n;
}

static void test_wrap(void)
{
	char line[16][64];
	int over;
	/* Chinese breaks between any two characters: five per 100 px */
	CHECK_INT(wrap("请选择要办理的业务", 100, line, &over), 2);
	CHECK_STR(line[0], "请选择要办");
	CHECK_STR(line[1], "理的业务");
	CHECK_INT(over, 0);
	/* never before a closing mark: the comma drags its character along */
	CHECK_INT(wrap("请选择业务，或插入锁", 100, line, &over), 3);
	CHECK_STR(line[0], "请选择业");
	CHECK_STR(line[1], "务，或插入");
	CHECK_STR(line[2], "锁");
	for (int i = 0; i < 3; i++)
		CHECK(strncmp(line[i], "，", strlen("，")) != 0);
	/* never after an opening bracket */
	CHECK_INT(wrap("证书延期（年审）", 100, line, &over), 2);
	CHECK_STR(line[0], "证书延期");
	CHECK_STR(line[1], "（年审）");
	/* English breaks at spaces, which are dropped */
	CHECK_INT(wrap("Insert your CA key here", 120, line, &over), 2);
	CHECK_STR(line[0], "Insert your");
	CHECK_STR(line[1], "CA key here");
	CHECK_INT(over, 0);
	CHECK_INT(wrap("Please take your key", 100, line, &over), 3);
	CHECK_STR(line[0], "Please");
	CHECK_STR(line[1], "take your");
	CHECK_STR(line[2], "key");
	/* mixed: a break between Latin and CJK, not inside "CA" */
	CHECK_INT(wrap("插入CA锁即可", 50, line, &over), 3);
	CHECK_STR(line[0], "插入");
	CHECK_STR(line[1], "CA锁");
	CHECK_STR(line[2], "即可");
	/* a forced break */
	CHECK_INT(wrap("第一行\n第二行", 1000, line, &over), 2);
	CHECK_STR(line[1], "第二行");
	/* a word wider than the box is an overflow */
	CHECK_INT(wrap("Supercalifragilistic", 100, line, &over) >= 2, 1);
	CHECK_INT(over, 1);
	/* too many lines is an overflow too */
	struct wrap_line l[2];
	CHECK_INT(wrap_text("一二三四五六七八九十", 40, fake_measure, NULL, l, 2, &over), 2);
	CHECK_INT(over, 1);
	/* invalid UTF-8 does not loop */
	CHECK(wrap("\xff\xfe abc", 100, line, &over) >= 1);
}

static void test_contrast(void)
{
	struct theme_rgb black = {0, 0, 0}, white = {255, 255, 255};
	CHECK(theme_contrast(black, white) > 20.9);
	CHECK(theme_contrast(white, white) < 1.01);
	for (int hc = 0; hc < 2; hc++) {
		const struct theme *t = theme_get(hc);
		for (int r = 0; r < ROLE_COUNT; r++) {
			double c = theme_contrast(t->role[r].text,
			                          theme_text_background(t, (enum theme_role)r));
			if (c < 4.5)
				fprintf(stderr, "theme %d role %d: contrast %.2f\n", hc, r, c);
			CHECK(c >= 4.5);
		}
		/* a button's outline stands out from the screen (WCAG 1.4.11: 3:1) */
		CHECK(theme_contrast(t->role[ROLE_BUTTON].border, t->background) >= 3.0);
		CHECK(theme_contrast(t->role[ROLE_PRIMARY].fill, t->background) >= 3.0);
	}
	/* the high-contrast theme is at least 7:1 for plain text */
	const struct theme *h = theme_get(1);
	CHECK(theme_contrast(h->role[ROLE_SCREEN].text, h->background) >= 7.0);
}

static void test_keypad(void)
{
	int a[10], b[10], seen[10] = {0};
	CHECK_INT(keypad_scramble(a), 0);
	for (int i = 0; i < 10; i++)
		if (a[i] >= 0 && a[i] < 10)
			seen[a[i]]++;
	for (int d = 0; d < 10; d++)
		CHECK_INT(seen[d], 1);
	int differ = 0;
	for (int tries = 0; tries < 3 && !differ; tries++) {
		CHECK_INT(keypad_scramble(b), 0);
		differ = memcmp(a, b, sizeof a) != 0;
	}
	CHECK(differ);

	struct keypad_entry e;
	keypad_clear(&e, 3);
	CHECK(keypad_push(&e, '1'));
	CHECK(keypad_push(&e, '2'));
	CHECK(keypad_push(&e, '3'));
	CHECK(!keypad_push(&e, '4'));
	CHECK_STR(e.text, "123");
	keypad_pop(&e);
	CHECK_STR(e.text, "12");
	keypad_clear(&e, 8);
	CHECK_INT(e.len, 0);
	CHECK(e.text[0] == '\0' && e.text[1] == '\0');
	/* the credit-code alphabet has no I, O, S, V, Z */
	CHECK(strpbrk(KEYPAD_USCC_ALPHABET, "IOSVZ") == NULL);
	CHECK_INT(strlen(KEYPAD_USCC_ALPHABET), 31);
}

int main(void)
{
	test_wrap();
	test_contrast();
	test_keypad();
	return check_done();
}
