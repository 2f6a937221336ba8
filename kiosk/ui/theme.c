/* theme.c — the two colour themes and the contrast ratio. */
#include "theme.h"

#include <math.h>

#define RGB(v)                                                                                     \
	{                                                                                          \
		(unsigned char)((v) >> 16), (unsigned char)((v) >> 8 & 0xFF),                      \
		    (unsigned char)((v)&0xFF)                                                      \
	}
#define ROLE(f, b, t)                                                                              \
	{                                                                                          \
		RGB(f), RGB(b), RGB(t)                                                             \
	}

static const struct theme normal = {
    .background = RGB(0xF3F5F8),
    .role =
        {
            [ROLE_SCREEN] = ROLE(0xF3F5F8, 0xF3F5F8, 0x16202C),
            [ROLE_MUTED] = ROLE(0xF3F5F8, 0xF3F5F8, 0x44505E),
            [ROLE_BUTTON] = ROLE(0xFFFFFF, 0x0B5CAD, 0x0B3D75),
            [ROLE_PRIMARY] = ROLE(0x0B5CAD, 0x0B5CAD, 0xFFFFFF),
            [ROLE_SELECTED] = ROLE(0x0B3D75, 0x0B3D75, 0xFFFFFF),
            [ROLE_DISABLED] = ROLE(0xE1E4E8, 0xB0B6BE, 0x4E5660),
            [ROLE_ERROR] = ROLE(0xFDE7E9, 0xB00020, 0x8A0019),
            [ROLE_NOTICE] = ROLE(0xE6F0FB, 0x0B5CAD, 0x0B3D75),
            [ROLE_WARNING] = ROLE(0xFFF3CD, 0xB26A00, 0x5C3700),
            [ROLE_FIELD] = ROLE(0xFFFFFF, 0x16202C, 0x16202C),
        },
};

static const struct theme high = {
    .background = RGB(0x000000),
    .role =
        {
            [ROLE_SCREEN] = ROLE(0x000000, 0x000000, 0xFFFFFF),
            [ROLE_MUTED] = ROLE(0x000000, 0x000000, 0xE0E0E0),
            [ROLE_BUTTON] = ROLE(0x000000, 0xFFD400, 0xFFD400),
            [ROLE_PRIMARY] = ROLE(0xFFD400, 0xFFD400, 0x000000),
            [ROLE_SELECTED] = ROLE(0xFFFFFF, 0xFFFFFF, 0x000000),
            [ROLE_DISABLED] = ROLE(0x000000, 0x808080, 0xB0B0B0),
            [ROLE_ERROR] = ROLE(0x000000, 0xFF6B6B, 0xFF9C9C),
            [ROLE_NOTICE] = ROLE(0x000000, 0x7FD4FF, 0x9FE0FF),
            [ROLE_WARNING] = ROLE(0x000000, 0xFFD400, 0xFFD400),
            [ROLE_FIELD] = ROLE(0x000000, 0xFFFFFF, 0xFFFFFF),
        },
};

const struct theme *theme_get(int high_contrast)
{
	return high_contrast ? &high : &normal;
}

static double channel(unsigned char c)
{
	double v = c / 255.0;
	return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double luminance(struct theme_rgb c)
{
	return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

double theme_contrast(struct theme_rgb a, struct theme_rgb b)
{
	double la = luminance(a), lb = luminance(b);
	return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

struct theme_rgb theme_text_background(const struct theme *t, enum theme_role role)
{
	return role == ROLE_SCREEN || role == ROLE_MUTED ? t->background : t->role[role].fill;
}
