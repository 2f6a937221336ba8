/* store_testutil.c — see store_testutil.h. */
#include "store_testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

int tu_tmpdir(char *dir, size_t size)
{
	const char *base = getenv("TMPDIR");
	snprintf(dir, size, "%s/kiosk-store-XXXXXX", base && *base ? base : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

void tu_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		tu_path(path, sizeof path, dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

void tu_path(char *out, size_t size, const char *dir, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

int tu_sha256_file(const char *path, unsigned char *out)
{
	unsigned char buf[65536];
	size_t n;
	FILE *f = fopen(path, "rb");
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = f && md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;

	while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0)
		ok = EVP_DigestUpdate(md, buf, n) == 1;
	ok = ok && !ferror(f) && EVP_DigestFinal_ex(md, out, NULL) == 1;
	EVP_MD_CTX_free(md);
	if (f)
		fclose(f);
	return ok ? 0 : -1;
}

int tu_sql(const char *path, const char *sql)
{
	sqlite3 *db;
	int rc = sqlite3_open(path, &db);
	sqlite3_busy_timeout(db, 2000);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		fprintf(stderr, "raw sql on %s: %s\n", path, sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc;
}

int64_t tu_sql_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

struct fee_quote tu_quote(fen_t total)
{
	struct fee_quote q = {0};
	if (total > 0) {
		q.line[0] = (struct fee_line){.key = "fee.cert_year",
		                              .qty = 1,
		                              .years = 1,
		                              .unit_fen = total,
		                              .total_fen = total};
		q.nlines = 1;
		q.total_fen = total;
	}
	return q;
}

struct order_spec tu_spec(const struct fee_quote *q, int64_t now_utc)
{
	return (struct order_spec){.kiosk_id = "K01",
	                           .biz = BIZ_NEW,
	                           .holder = HOLDER_UNIT,
	                           .quote = q,
	                           .subject_masked = "Z* 3201**********1234",
	                           .key_serial = "",
	                           .detail = "{}",
	                           .now_utc = now_utc};
}
