/* png.c — PNG read and write with libpng's simplified API. */
#include "png.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>

int png_write_rgb(const char *path, int w, int h, const unsigned char *rgb, struct kerr *err)
{
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	img.width = (png_uint_32)w;
	img.height = (png_uint_32)h;
	img.format = PNG_FORMAT_RGB;
	if (!png_image_write_to_file(&img, path, 0, rgb, w * 3, NULL))
		return kerr_set(err, KR_IO, "%s: cannot write the PNG: %s", path, img.message);
	return KR_OK;
}

int png_read_rgb(const char *path, int *w, int *h, unsigned char **rgb, struct kerr *err)
{
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, path))
		return kerr_set(err, KR_IO, "%s: cannot read the PNG: %s", path, img.message);
	if (img.width > 4096 || img.height > 4096) {
		png_image_free(&img);
		return kerr_set(err, KR_INVALID, "%s: image too large", path);
	}
	img.format = PNG_FORMAT_RGB;
	unsigned char *buf = malloc(PNG_IMAGE_SIZE(img));
	if (!buf) {
		png_image_free(&img);
		return kerr_set(err, KR_NOMEM, "out of memory");
	}
	if (!png_image_finish_read(&img, NULL, buf, 0, NULL)) {
		free(buf);
		return kerr_set(err, KR_IO, "%s: cannot decode the PNG: %s", path, img.message);
	}
	*w = (int)img.width;
	*h = (int)img.height;
	*rgb = buf;
	return KR_OK;
}
