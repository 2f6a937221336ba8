/* png.h — 8-bit RGB PNG files (screenshots and golden images), with libpng. */
#ifndef KIOSK_UI_PNG_H
#define KIOSK_UI_PNG_H

#include "core/result.h"

/* Writes w×h pixels of packed RGB (3 bytes each, rows of w*3 bytes) to path. */
int png_write_rgb(const char *path, int w, int h, const unsigned char *rgb, struct kerr *err);

/* Reads path into a new packed RGB buffer (caller frees *rgb). Refuses images larger
 * than 4096×4096. */
int png_read_rgb(const char *path, int *w, int *h, unsigned char **rgb, struct kerr *err);

#endif
