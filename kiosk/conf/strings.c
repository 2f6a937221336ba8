/* strings.c — a sorted table of "section.key" → text, read with inih. */
#include "strings.h"

#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char *key;
	char *text;
};

struct strings {
	struct entry *e;
	size_t n, cap;
};

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

static int add(void *user, const char *section, const char *name, const char *value)
{
	struct strings *st = user;
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 128;
		struct entry *e = realloc(st->e, cap * sizeof *e);
		if (!e)
			return 0;
		st->e = e;
		st->cap = cap;
	}
	size_t len = strlen(section) + strlen(name) + 2;
	char *key = malloc(len);
	char *text = strdup(value);
	if (!key || !text) {
		free(key);
		free(text);
		return 0;
	}
	snprintf(key, len, "%s%s%s", section, section[0] ? "." : "", name);
	st->e[st->n].key = key;
	st->e[st->n].text = text;
	st->n++;
	return 1;
}

int strings_load(const char *assets, const char *language, struct strings **out, struct kerr *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/strings/%s.ini", assets, language);
	struct strings *st = calloc(1, sizeof *st);
	if (!st)
		return kerr_set(err, KR_NOMEM, "out of memory");
	int line = ini_parse(path, add, st);
	if (line != 0) {
		strings_free(st);
		if (line < 0)
			return kerr_set(err, KR_IO, "%s: cannot read", path);
		return kerr_set(err, KR_CONFIG, "%s:%d: cannot read this line", path, line);
	}
	qsort(st->e, st->n, sizeof *st->e, by_key);
	for (size_t i = 1; i < st->n; i++)
		if (strcmp(st->e[i - 1].key, st->e[i].key) == 0) {
			int rc = kerr_set(err, KR_CONFIG, "%s: %s given twice", path, st->e[i].key);
			strings_free(st);
			return rc;
		}
	*out = st;
	return KR_OK;
}

void strings_free(struct strings *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n; i++) {
		free(st->e[i].key);
		free(st->e[i].text);
	}
	free(st->e);
	free(st);
}

const char *strings_find(const struct strings *st, const char *key)
{
	if (!st || !key)
		return NULL;
	struct entry probe = {(char *)key, NULL};
	const struct entry *e = bsearch(&probe, st->e, st->n, sizeof *st->e, by_key);
	return e ? e->text : NULL;
}

const char *strings_get(const struct strings *st, const char *key)
{
	const char *t = strings_find(st, key);
	return t ? t : key ? key : "";
}

size_t strings_count(const struct strings *st)
{
	return st ? st->n : 0;
}

const char *strings_key_at(const struct strings *st, size_t i)
{
	return st && i < st->n ? st->e[i].key : NULL;
}
