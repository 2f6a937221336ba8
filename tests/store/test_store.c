/* test_store.c — orders through their states, history, journal, outbox, open orders,
 * reopening, consumables, payments kept to their table, and a tampered journal. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "check.h"
#include "store/payments.h"
#include "store/receipts.h"
#include "store/reconciles.h"
#include "store/reports.h"
#include "store/store.h"
#include "store_testutil.h"

/* 2023-11-14 22:13:20 UTC, already 2023-11-15 in China */
#define T0 1700000000

static struct store *reopen(struct store *s, const char *path)
{
	struct kerr err = {0};
	store_close(s);
	s = NULL;
	CHECK_INT(store_open(path, &s, &err), KR_OK);
	return s;
}

static int64_t journal_rows(struct store *s)
{
	struct kerr err = {0};
	int64_t bad = -1, rows = -1;
	CHECK_INT(store_journal_verify(s, &bad, &rows, &err), KR_OK);
	CHECK_INT(bad, 0);
	return rows;
}

static int64_t pending(struct store *s)
{
	struct kerr err = {0};
	int64_t n = -1;
	CHECK_INT(store_outbox_pending(s, &n, &err), KR_OK);
	return n;
}

static enum order_state state_of(struct store *s, int64_t id)
{
	struct kerr err = {0};
	struct order_row row;
	CHECK_INT(store_order_get(s, id, &row, &err), KR_OK);
	return row.state;
}

/* Creates an order of total fen and walks it through path (ending at ORDER_STATE_COUNT). */
static int64_t order_walk(struct store *s, fen_t total, const enum order_state *path)
{
	struct kerr err = {0};
	struct fee_quote q = tu_quote(total);
	struct order_spec spec = tu_spec(&q, T0);
	struct order_row row;

	CHECK_INT(store_order_create(s, &spec, &row, &err), KR_OK);
	for (int i = 0; path && path[i] != ORDER_STATE_COUNT; i++)
		CHECK_INT(store_order_move(s, row.id, path[i], "test", T0 + i + 1, &err), KR_OK);
	return row.id;
}

static void test_lifecycle(struct store *s)
{
	struct kerr err = {0};
	struct fee_quote q = tu_quote(15000);
	struct order_spec spec = tu_spec(&q, T0);
	struct order_row row, got;
	const enum order_state path[] = {ORDER_PAYING, ORDER_PAID, ORDER_WORKING, ORDER_SERVED};
	enum order_state hist[8];
	int n = -1;
	char trace[1024] = "";
	FILE *t = fmemopen(trace, sizeof trace - 1, "w");
	store_set_trace(s, t); /* the one trace of an order's life: every move, once committed */

	CHECK_INT(store_order_create(s, &spec, &row, &err), KR_OK);
	CHECK_INT(row.id, 1);
	CHECK_STR(row.order_no, "K0123111500000001");
	CHECK_STR(row.out_trade_no, "K0123111500000001_1");
	CHECK_INT(row.state, ORDER_NEW);
	CHECK_INT(row.amount_fen, 15000);
	CHECK_INT(row.biz, BIZ_NEW);
	CHECK_INT(row.holder, HOLDER_UNIT);
	CHECK_INT(row.created_utc, T0);
	CHECK_STR(row.subject_masked, "Z* 3201**********1234");

	for (int i = 0; i < 4; i++)
		CHECK_INT(store_order_move(s, row.id, path[i], "step", T0 + 10 * (i + 1), &err),
		          KR_OK);
	CHECK_INT(store_order_get(s, row.id, &got, &err), KR_OK);
	CHECK_INT(got.state, ORDER_SERVED);
	CHECK_INT(got.updated_utc, T0 + 40);
	CHECK_INT(got.created_utc, T0);

	CHECK_INT(store_order_history(s, row.id, hist, 8, &n, &err), KR_OK);
	CHECK_INT(n, 5);
	CHECK_INT(hist[0], ORDER_NEW);
	for (int i = 0; i < 4; i++)
		CHECK_INT(hist[i + 1], path[i]);
	/* a short buffer still gets the total */
	CHECK_INT(store_order_history(s, row.id, hist, 2, &n, &err), KR_OK);
	CHECK_INT(n, 5);
	CHECK_INT(hist[1], ORDER_PAYING);

	CHECK_INT(journal_rows(s), 5);
	CHECK_INT(pending(s), 5);

	/* a final state goes nowhere */
	CHECK_INT(store_order_move(s, row.id, ORDER_PAYING, "again", T0 + 50, &err), KR_CONFLICT);
	CHECK(strstr(err.msg, "served") && strstr(err.msg, "paying"));
	CHECK_INT(state_of(s, row.id), ORDER_SERVED);
	CHECK_INT(journal_rows(s), 5);
	CHECK_INT(pending(s), 5);

	CHECK_INT(store_order_move(s, 999, ORDER_PAYING, "none", T0, &err), KR_NOT_FOUND);
	CHECK_INT(store_order_get(s, 999, &got, &err), KR_NOT_FOUND);
	CHECK_INT(store_order_move(s, row.id, ORDER_STATE_COUNT, "", T0, &err), KR_INVALID);
	CHECK_INT(store_order_move(s, row.id, ORDER_CLOSED, "bad\nreason", T0, &err), KR_INVALID);

	store_set_trace(s, NULL);
	fclose(t);
	CHECK_STR(trace,
	          "[order K0123111500000001] created: new unit, 150.00 yuan\n"
	          "[order K0123111500000001] new -> paying (step)\n"
	          "[order K0123111500000001] paying -> paid (step)\n"
	          "[order K0123111500000001] paid -> working (step)\n"
	          "[order K0123111500000001] working -> served (step)\n"); /* refusals: none */
}

static void test_conflict_charged_failed(struct store *s)
{
	struct kerr err = {0};
	const enum order_state path[] = {ORDER_PAYING, ORDER_PAID, ORDER_WORKING,
	                                 ORDER_STATE_COUNT};
	int64_t id = order_walk(s, 500, path);
	int64_t rows = journal_rows(s);
	enum order_state hist[8];
	int n;

	CHECK_INT(store_order_move(s, id, ORDER_FAILED, "work failed", T0 + 9, &err), KR_CONFLICT);
	CHECK(strstr(err.msg, "working") && strstr(err.msg, "failed"));
	CHECK_INT(state_of(s, id), ORDER_WORKING);
	CHECK_INT(store_order_history(s, id, hist, 8, &n, &err), KR_OK);
	CHECK_INT(n, 4);
	CHECK_INT(journal_rows(s), rows);
	/* refunded instead */
	CHECK_INT(store_order_move(s, id, ORDER_REFUNDING, "work failed", T0 + 9, &err), KR_OK);
	CHECK_INT(journal_rows(s), rows + 1);
}

static void test_invalid_specs(struct store *s)
{
	struct kerr err = {0};
	struct fee_quote q = tu_quote(0);
	struct order_spec spec = tu_spec(&q, T0);
	struct order_row row;
	int64_t rows = journal_rows(s);
	const char *bad_ids[] = {"", "ABCDEFGHI", "K-1", "K 1", "\xe5\x8d\x97"};

	for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
		spec.kiosk_id = bad_ids[i];
		CHECK_INT(store_order_create(s, &spec, &row, &err), KR_INVALID);
	}
	spec.kiosk_id = NULL;
	CHECK_INT(store_order_create(s, &spec, &row, &err), KR_INVALID);
	spec.kiosk_id = "ABCDEFGH";
	spec.quote = NULL;
	CHECK_INT(store_order_create(s, &spec, &row, &err), KR_INVALID);
	CHECK_INT(journal_rows(s), rows);

	/* the empty quote of a free business */
	spec.quote = &q;
	CHECK_INT(store_order_create(s, &spec, &row, &err), KR_OK);
	CHECK_INT(row.amount_fen, 0);
	CHECK(strncmp(row.order_no, "ABCDEFGH231115", 14) == 0);
	CHECK_INT(strlen(row.order_no), 22);
	CHECK_INT(journal_rows(s), rows + 1);
}

/* An order's detail (the contact) goes to the central site in the order.create event and
 * is not journaled; a pick-up order is handed out by one open or served order at a time. */
static void test_detail_and_pickup(struct store *s, const char *path)
{
	struct kerr err = {0};
	struct fee_quote q = tu_quote(0);
	struct order_spec spec = tu_spec(&q, T0);
	struct order_row row, found;
	int taken = -1;

	spec.detail = "{\"mobile\":\"13812345678\",\"email\":\"zhang@example.com\"}";
	CHECK_INT(store_order_create(s, &spec, &row, &err), KR_OK);
	CHECK_INT(tu_sql_int(path, "SELECT count(*) FROM outbox WHERE kind = 'order.create' AND "
	                           "json_extract(body, '$.detail.mobile') = '13812345678'"),
	          1);
	CHECK_INT(tu_sql_int(path, "SELECT count(*) FROM journal WHERE body LIKE '%13812345678%'"),
	          0);
	static const char *const bad[] = {"[1]", "{", "\"text\""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		spec.detail = bad[i];
		CHECK_INT(store_order_create(s, &spec, &row, &err), KR_INVALID);
	}
	char big[600];
	snprintf(big, sizeof big, "{\"x\":\"%0580d\"}", 0);
	spec.detail = big;
	CHECK_INT(store_order_create(s, &spec, &row, &err), KR_INVALID);

	spec.detail = "";
	spec.pickup_no = "GX2026112100123";
	CHECK_INT(store_pickup_taken(s, spec.pickup_no, &taken, &err), KR_OK);
	CHECK_INT(taken, 0);
	CHECK_INT(store_order_create(s, &spec, &row, &err), KR_OK);
	CHECK_INT(store_pickup_taken(s, spec.pickup_no, &taken, &err), KR_OK);
	CHECK_INT(taken, 1);
	CHECK_INT(store_order_create(s, &spec, &found, &err), KR_CONFLICT);
	CHECK_INT(tu_sql_int(path, "SELECT count(*) FROM outbox WHERE "
	                           "json_extract(body, '$.pickup') = 'GX2026112100123'"),
	          1);
	CHECK_INT(store_order_find(s, row.order_no, &found, &err), KR_OK);
	CHECK_INT(found.id, row.id);
	CHECK_INT(store_order_find(s, "K0123", &found, &err), KR_NOT_FOUND);
	/* the first attempt closed unpaid: the order can be handed out again */
	CHECK_INT(store_order_move(s, row.id, ORDER_CLOSED, "abandoned", T0, &err), KR_OK);
	CHECK_INT(store_pickup_taken(s, spec.pickup_no, &taken, &err), KR_OK);
	CHECK_INT(taken, 0);
	CHECK_INT(store_order_create(s, &spec, &row, &err), KR_OK);
	spec.pickup_no = "GX-1";
	CHECK_INT(store_order_create(s, &spec, &row, &err), KR_INVALID);
}

/* The central site learns what an order is (business, holder, masked subject), what its
 * work did to a certificate, and every journal row beside the orders'. */
static void test_events_for_central(struct store *s, const char *path)
{
	struct kerr err = {0};
	struct fee_quote q = tu_quote(0);
	struct order_spec spec = tu_spec(&q, T0);
	struct order_row row;
	spec.biz = BIZ_RENEW;
	spec.holder = HOLDER_PERSON;
	spec.subject_masked = "张* 3201**********1234\x01";
	CHECK_INT(store_order_create(s, &spec, &row, &err), KR_OK);
	char sql[512];
	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM outbox WHERE kind = 'order.create' AND "
	         "json_extract(body, '$.order_no') = '%s' AND "
	         "json_extract(body, '$.business') = 'renew' AND "
	         "json_extract(body, '$.holder') = 'person' AND "
	         "json_extract(body, '$.subject') = '张* 3201**********1234' || char(1)",
	         row.order_no);
	CHECK_INT(tu_sql_int(path, sql), 1); /* a control character is escaped, not lost */
	CHECK_INT(store_order_move(s, row.id, ORDER_WORKING, "work started", T0, &err), KR_OK);
	struct order_cert bad = {"stolen", "5A01", 0};
	CHECK_INT(store_order_move_cert(s, row.id, ORDER_SERVED, "work done", &bad, T0, &err),
	          KR_INVALID);
	struct order_cert nothex = {"issued", "5A01'--", 0};
	CHECK_INT(store_order_move_cert(s, row.id, ORDER_SERVED, "work done", &nothex, T0, &err),
	          KR_INVALID);
	struct order_cert cert = {"issued", "5A3F00C0FFEE", T0 + 365 * 86400};
	CHECK_INT(store_order_move_cert(s, row.id, ORDER_SERVED, "work done", &cert, T0, &err),
	          KR_OK);
	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM outbox WHERE json_extract(body, '$.order_no') = '%s' AND "
	         "json_extract(body, '$.to') = 'served' AND "
	         "json_extract(body, '$.cert.event') = 'issued' AND "
	         "json_extract(body, '$.cert.serial') = '5A3F00C0FFEE' AND "
	         "json_extract(body, '$.cert.not_after') = %lld",
	         row.order_no, (long long)(T0 + 365 * 86400));
	CHECK_INT(tu_sql_int(path, sql), 1);

	/* a journal row beside the orders goes too, whole when it is a small JSON object */
	int64_t before = tu_sql_int(path, "SELECT count(*) FROM outbox WHERE kind = 'journal'");
	CHECK_INT(
	    store_journal_append(s, "key-check", 0, "{\"serial\":\"T01\",\"pass\":true}", T0, &err),
	    KR_OK);
	CHECK_INT(store_journal_append(s, "note", 0, "not json", T0, &err), KR_OK);
	CHECK_INT(tu_sql_int(path, "SELECT count(*) FROM outbox WHERE kind = 'journal'"),
	          before + 2);
	CHECK_INT(tu_sql_int(path, "SELECT count(*) FROM outbox WHERE kind = 'journal' AND "
	                           "json_extract(body, '$.kind') = 'key-check' AND "
	                           "json_extract(body, '$.body.serial') = 'T01' AND "
	                           "event_id = 'J' || json_extract(body, '$.seq')"),
	          1);
	CHECK_INT(tu_sql_int(path, "SELECT count(*) FROM outbox WHERE kind = 'journal' AND "
	                           "json_extract(body, '$.kind') = 'note' AND "
	                           "json_extract(body, '$.size') = 8"),
	          1);
}

/* Leaves orders in open and finished states; only the open ones are listed, by id. */
static void test_open_orders(struct store *s)
{
	struct kerr err = {0};
	const enum order_state served[] = {ORDER_PAYING, ORDER_PAID, ORDER_WORKING, ORDER_SERVED,
	                                   ORDER_STATE_COUNT};
	const enum order_state paying[] = {ORDER_PAYING, ORDER_STATE_COUNT};
	const enum order_state closed[] = {ORDER_CLOSED, ORDER_STATE_COUNT};
	const enum order_state review[] = {ORDER_PAYING, ORDER_PAID, ORDER_IN_REVIEW,
	                                   ORDER_STATE_COUNT};
	const enum order_state free_failed[] = {ORDER_WORKING, ORDER_FAILED, ORDER_STATE_COUNT};
	struct order_row *rows = NULL, *before;
	int64_t want[8];
	int nwant = 0, n = -1;

	/* what is open so far (from the other tests) */
	CHECK_INT(store_open_orders(s, &before, &n, &err), KR_OK);
	for (int i = 0; i < n; i++)
		want[nwant++] = before[i].id;
	free(before);

	order_walk(s, 100, served);
	want[nwant++] = order_walk(s, 100, paying);
	order_walk(s, 100, closed);
	want[nwant++] = order_walk(s, 100, NULL);
	order_walk(s, 100, review); /* waits for the central site, not for recovery */
	order_walk(s, 0, free_failed);

	CHECK_INT(store_open_orders(s, &rows, &n, &err), KR_OK);
	CHECK_INT(n, nwant);
	for (int i = 0; i < n && i < nwant; i++) {
		CHECK_INT(rows[i].id, want[i]);
		CHECK(order_states[rows[i].state].open);
	}
	free(rows);
}

static void test_consumables(struct store *s)
{
	struct kerr err = {0};
	int64_t count = -1, rows = journal_rows(s);

	CHECK_INT(store_consumable_get(s, "blank_keys.bin1", &count, &err), KR_OK);
	CHECK_INT(count, 0);
	CHECK_INT(store_consumable_add(s, "blank_keys.bin1", 10, T0, &err), KR_OK);
	CHECK_INT(store_consumable_add(s, "blank_keys.bin1", -3, T0 + 1, &err), KR_OK);
	CHECK_INT(store_consumable_get(s, "blank_keys.bin1", &count, &err), KR_OK);
	CHECK_INT(count, 7);
	CHECK_INT(store_consumable_add(s, "blank_keys.bin1", -8, T0 + 2, &err), KR_INVALID);
	CHECK_INT(store_consumable_add(s, "paper", -1, T0 + 2, &err), KR_INVALID);
	CHECK_INT(store_consumable_add(s, "", 1, T0 + 2, &err), KR_INVALID);
	CHECK_INT(store_consumable_get(s, "blank_keys.bin1", &count, &err), KR_OK);
	CHECK_INT(count, 7);
	CHECK_INT(journal_rows(s), rows + 2);

	CHECK_INT(store_journal_append(s, "session.timeout", 0, "{\"step\":\"pay\"}", T0, &err),
	          KR_OK);
	CHECK_INT(store_journal_append(s, "bad\tkind", 0, "{}", T0, &err), KR_INVALID);
	CHECK_INT(journal_rows(s), rows + 3);
}

/* Writes v big-endian in bytes bytes at p; returns bytes. */
static size_t put_be(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
	return (size_t)bytes;
}

/* Recomputes the hash of journal row seq as the store's contract defines it:
 * SHA-256(prev_hash || be64 seq || be64 at || be32 len kind || kind || be64 order_id ||
 * be32 len body || body). */
static int hash_matches(const char *path, int64_t seq)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int ok = 0;

	sqlite3_open(path, &db);
	if (sqlite3_prepare_v2(db,
	                       "SELECT prev_hash, at_utc, kind, coalesce(order_id, 0), body, hash "
	                       "FROM journal WHERE seq = ?",
	                       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, seq);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
			unsigned char buf[4096], out[32];
			size_t kind_len = (size_t)sqlite3_column_bytes(st, 2);
			size_t body_len = (size_t)sqlite3_column_bytes(st, 4);
			size_t n = 32;

			memcpy(buf, sqlite3_column_blob(st, 0), 32);
			n += put_be(buf + n, (uint64_t)seq, 8);
			n += put_be(buf + n, (uint64_t)sqlite3_column_int64(st, 1), 8);
			n += put_be(buf + n, kind_len, 4);
			memcpy(buf + n, sqlite3_column_text(st, 2), kind_len);
			n += kind_len;
			n += put_be(buf + n, (uint64_t)sqlite3_column_int64(st, 3), 8);
			n += put_be(buf + n, body_len, 4);
			memcpy(buf + n, sqlite3_column_text(st, 4), body_len);
			n += body_len;
			ok = EVP_Digest(buf, n, out, NULL, EVP_sha256(), NULL) == 1 &&
			     sqlite3_column_bytes(st, 5) == 32 &&
			     memcmp(out, sqlite3_column_blob(st, 5), 32) == 0;
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ok;
}

/* Loss reports: counted per holder and per card over the last day, forgotten after it,
 * kept as digests only. */
static void test_reports(struct store *s, const char *path)
{
	struct kerr err = {0};
	const char *unit = "91350200MA2YJ1XR9G", *card = "11010519491231002X",
	           *other = "320683198503045118";
	const int64_t t0 = 1800000000;
	int most = -1;
	CHECK_INT(reports_recent(s, unit, card, t0, &most, &err), KR_OK);
	CHECK_INT(most, 0);
	CHECK_INT(reports_add(s, unit, card, t0, &err), KR_OK);
	CHECK_INT(reports_add(s, unit, other, t0 + 60, &err), KR_OK); /* the unit again */
	CHECK_INT(reports_add(s, card, card, t0 + 120, &err), KR_OK); /* the card's own */
	CHECK_INT(reports_recent(s, unit, other, t0 + 180, &most, &err), KR_OK);
	CHECK_INT(most, 2); /* the unit twice */
	CHECK_INT(reports_recent(s, "91320582MA1N8K3L4X", card, t0 + 180, &most, &err), KR_OK);
	CHECK_INT(most, 2); /* the card twice, for the unit and for itself */
	CHECK_INT(reports_recent(s, "91320582MA1N8K3L4X", other, t0 + 180, &most, &err), KR_OK);
	CHECK_INT(most, 1);
	/* a day later the first two have passed, and the next report forgets them */
	CHECK_INT(reports_recent(s, unit, other, t0 + REPORTS_WINDOW_S + 61, &most, &err), KR_OK);
	CHECK_INT(most, 0);
	CHECK_INT(reports_add(s, other, other, t0 + REPORTS_WINDOW_S + 61, &err), KR_OK);
	CHECK_INT(tu_sql_int(path, "SELECT count(*) FROM loss_reports"), 4);
	CHECK_INT(tu_sql_int(path, "SELECT count(*) FROM loss_reports WHERE length(who_hash) = 32"),
	          4);
	CHECK_INT(reports_add(s, "", card, t0, &err), KR_INVALID);
	CHECK_INT(reports_add(s, unit, "1101\n0519", t0, &err), KR_INVALID);
	CHECK_INT(reports_recent(s, unit, "", t0, &most, &err), KR_INVALID);
}

static void test_tamper(const char *dir)
{
	struct kerr err = {0};
	struct store *s = NULL;
	char path[4096];
	int64_t bad = -1, rows = -1;
	const enum order_state path_served[] = {ORDER_PAYING, ORDER_PAID, ORDER_WORKING,
	                                        ORDER_SERVED, ORDER_STATE_COUNT};

	tu_path(path, sizeof path, dir, "tamper.db");
	CHECK_INT(store_open(path, &s, &err), KR_OK);
	order_walk(s, 100, path_served);
	order_walk(s, 100, path_served);
	CHECK_INT(journal_rows(s), 10);
	store_close(s);

	CHECK(hash_matches(path, 1));
	CHECK(hash_matches(path, 7));
	/* the journal refuses changes while its triggers stand */
	CHECK(tu_sql(path, "UPDATE journal SET body = '{}' WHERE seq = 3") != SQLITE_OK);
	CHECK(tu_sql(path, "DELETE FROM journal WHERE seq = 3") != SQLITE_OK);

	CHECK_INT(tu_sql(path, "DROP TRIGGER journal_no_update;"
	                       "UPDATE journal SET body = replace(body, 'paid', 'paie') "
	                       "WHERE seq = 3"),
	          SQLITE_OK);
	CHECK_INT(store_open(path, &s, &err), KR_OK);
	CHECK_INT(store_journal_verify(s, &bad, &rows, &err), KR_CORRUPT);
	CHECK_INT(bad, 3);
	CHECK(strstr(err.msg, "journal broken at row 3:") != NULL);
	store_close(s);

	/* put the body back: intact again; then cut row 6 out */
	CHECK_INT(tu_sql(path, "UPDATE journal SET body = replace(body, 'paie', 'paid') "
	                       "WHERE seq = 3"),
	          SQLITE_OK);
	CHECK_INT(store_open(path, &s, &err), KR_OK);
	CHECK_INT(journal_rows(s), 10);
	store_close(s);
	CHECK_INT(tu_sql(path, "DROP TRIGGER journal_no_delete; DELETE FROM journal WHERE seq = 6"),
	          SQLITE_OK);
	CHECK_INT(store_open(path, &s, &err), KR_OK);
	CHECK_INT(store_journal_verify(s, &bad, &rows, &err), KR_CORRUPT);
	CHECK_INT(bad, 7);
	CHECK(strstr(err.msg, "journal broken at row 7:") && strstr(err.msg, "rows 6 to 6"));
	store_close(s);

	/* a row whose link was rewritten */
	CHECK_INT(tu_sql(path, "INSERT INTO journal SELECT 6, at_utc, kind, order_id, body, "
	                       "prev_hash, hash FROM journal WHERE seq = 5"),
	          SQLITE_OK);
	CHECK_INT(store_open(path, &s, &err), KR_OK);
	CHECK_INT(store_journal_verify(s, &bad, &rows, &err), KR_CORRUPT);
	CHECK_INT(bad, 6);
	store_close(s);
}

/* Payments: each record a move payment_can_move() allows from the recorded status
 * (PRECREATING before the first), journaled; a refused one writes nothing. */
static void test_payments(struct store *s, const char *path)
{
	struct kerr err = {0};
	int64_t id = order_walk(s, 7000, NULL);
	struct payment_row row = {.order_id = id, .status = PAYMENT_PAID}, got;
	snprintf(row.out_trade_no, sizeof row.out_trade_no, "NT01_%lld_1", (long long)id);
	CHECK_INT(payments_get(s, id, &got, &err), KR_NOT_FOUND);
	/* nothing recorded is precreating: it cannot be refunded or closed */
	row.status = PAYMENT_REFUNDING;
	CHECK_INT(payments_record(s, &row, "refund", T0, &err), KR_CONFLICT);
	CHECK(strstr(err.msg, "precreating -> refunding") != NULL);
	row.status = PAYMENT_CLOSED;
	CHECK_INT(payments_record(s, &row, "closed", T0, &err), KR_CONFLICT);
	CHECK_INT(payments_get(s, id, &got, &err), KR_NOT_FOUND);
	int64_t rows = journal_rows(s);
	static const enum payment_status path_ok[] = {
	    PAYMENT_PRECREATING, PAYMENT_PRECREATING, PAYMENT_WAITING,   PAYMENT_CANCELLING,
	    PAYMENT_CANCELLING,  PAYMENT_PAID,        PAYMENT_REFUNDING, PAYMENT_REFUNDING};
	for (size_t i = 0; i < sizeof path_ok / sizeof path_ok[0]; i++) {
		row.status = path_ok[i];
		CHECK_INT(payments_record(s, &row, "step", T0 + (int64_t)i, &err), KR_OK);
	}
	CHECK_INT(journal_rows(s), rows + 8);
	/* the paid payment does not go back, nor is it closed while refunding */
	static const enum payment_status refused[] = {PAYMENT_PAID, PAYMENT_CLOSED, PAYMENT_WAITING,
	                                              PAYMENT_PRECREATING, PAYMENT_FAILED};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		row.status = refused[i];
		CHECK_INT(payments_record(s, &row, "wrong", T0 + 20, &err), KR_CONFLICT);
	}
	CHECK_INT(payments_get(s, id, &got, &err), KR_OK);
	CHECK_INT(got.status, PAYMENT_REFUNDING);
	CHECK_INT(got.updated_utc, T0 + 7);
	CHECK_INT(journal_rows(s), rows + 8);
	row.status = PAYMENT_REFUNDED;
	CHECK_INT(payments_record(s, &row, "refunded", T0 + 30, &err), KR_OK);
	/* refunded is final: not even refunded again */
	CHECK_INT(payments_record(s, &row, "refunded", T0 + 31, &err), KR_CONFLICT);
	CHECK_INT(tu_sql_int(path, "SELECT count(*) FROM journal WHERE kind = 'payment'"),
	          (int64_t)(sizeof path_ok / sizeof path_ok[0]) + 1);
	/* a status the table does not know is damage, not a move */
	char sql[128];
	snprintf(sql, sizeof sql, "UPDATE payments SET status = 'lost' WHERE order_id = %lld",
	         (long long)id);
	CHECK_INT(tu_sql(path, sql), 0);
	CHECK_INT(payments_get(s, id, &got, &err), KR_CORRUPT);
	CHECK_INT(payments_record(s, &row, "refunded", T0 + 32, &err), KR_CORRUPT);
}

/* The unsettled payments, oldest order first, after an order id, with their numbers. */
static void test_payments_unsettled(struct store *s)
{
	struct kerr err = {0};
	static const enum payment_status walk[][4] = {
	    {PAYMENT_WAITING, PAYMENT_STATUS_COUNT},
	    {PAYMENT_PAID, PAYMENT_STATUS_COUNT},
	    {PAYMENT_PAID, PAYMENT_REFUNDING, PAYMENT_STATUS_COUNT},
	    {PAYMENT_CANCELLING, PAYMENT_CLOSED, PAYMENT_STATUS_COUNT},
	    {PAYMENT_CANCELLING, PAYMENT_STATUS_COUNT},
	};
	int64_t id[5];
	for (int i = 0; i < 5; i++) {
		id[i] = order_walk(s, 2000, NULL);
		struct payment_row row = {.order_id = id[i]};
		snprintf(row.out_trade_no, sizeof row.out_trade_no, "T%lld_1", (long long)id[i]);
		for (int k = 0; walk[i][k] != PAYMENT_STATUS_COUNT; k++) {
			row.status = walk[i][k];
			if (row.status == PAYMENT_REFUNDING)
				snprintf(row.refund_request_no, sizeof row.refund_request_no,
				         "T_R");
			CHECK_INT(payments_record(s, &row, "step", T0, &err), KR_OK);
		}
	}
	struct payment_unsettled u[4];
	int n = -1, total = -1;
	CHECK_INT(payments_unsettled(s, id[0] - 1, u, 4, &n, &total, &err), KR_OK);
	CHECK_INT(n, 3); /* waiting, refunding, cancelling: not paid, not closed */
	CHECK_INT(total, 3);
	CHECK_INT(u[0].pay.order_id, id[0]);
	CHECK_INT(u[0].pay.status, PAYMENT_WAITING);
	CHECK_INT(u[1].pay.order_id, id[2]);
	CHECK_STR(u[1].pay.refund_request_no, "T_R");
	CHECK_INT(u[2].pay.order_id, id[4]);
	struct order_row o;
	CHECK_INT(store_order_get(s, id[4], &o, &err), KR_OK);
	CHECK_STR(u[2].order_no, o.order_no);
	CHECK_INT(payments_unsettled(s, id[0], u, 1, &n, &total, &err), KR_OK);
	CHECK_INT(n, 1);
	CHECK_INT(total, 2);
	CHECK_INT(u[0].pay.order_id, id[2]);
	CHECK_INT(payments_unsettled(s, id[4], u, 4, &n, NULL, &err), KR_OK);
	CHECK_INT(n, 0);
}

/* Migration 9: a database of schema 8 keeps its receipts, and takes reconciliation slips. */
static struct store *test_receipts_migrated(struct store *s, const char *path)
{
	struct kerr err = {0};
	int64_t id = 0, id2 = 0;
	CHECK_INT(receipts_add(s, 0, "restock", "%PDF-a", 6, T0, &id, &err), KR_OK);
	store_close(s);
	/* the table as schemas 8 and 9 had it */
	CHECK_INT(tu_sql(path, "CREATE TABLE r8(id INTEGER PRIMARY KEY, order_id INT REFERENCES "
	                       "orders(id), kind TEXT NOT NULL CHECK(kind IN ('receipt', 'check', "
	                       "'restock')), created_utc INT NOT NULL, pdf BLOB NOT NULL, attempts "
	                       "INT NOT NULL DEFAULT 0, printed_utc INT, last_error TEXT);"
	                       "INSERT INTO r8 SELECT * FROM receipts; DROP TABLE receipts;"
	                       "ALTER TABLE r8 RENAME TO receipts;"
	                       "CREATE INDEX receipts_unprinted ON receipts(id) WHERE printed_utc "
	                       "IS NULL; CREATE INDEX receipts_order ON receipts(order_id);"
	                       "PRAGMA user_version = 9"),
	          SQLITE_OK);
	CHECK_INT(tu_sql(path,
	                 "INSERT INTO receipts(kind, created_utc, pdf) VALUES('reconcile', 1, "
	                 "'x')"),
	          SQLITE_CONSTRAINT);
	s = NULL;
	CHECK_INT(store_open(path, &s, &err), KR_OK);
	CHECK_INT(tu_sql_int(path, "PRAGMA user_version"), store_schema_version());
	struct receipt_row row;
	CHECK_INT(receipts_get(s, id, &row, NULL, NULL, &err), KR_OK);
	CHECK_STR(row.kind, "restock");
	CHECK_INT(receipts_add(s, 0, "reconcile", "%PDF-b", 6, T0, &id2, &err), KR_OK);
	CHECK(id2 > id);
	CHECK_INT(receipts_add(s, 0, "bill", "%PDF-c", 6, T0, &id2, &err), KR_INVALID);
	CHECK_INT(tu_sql_int(path, "SELECT count(*) FROM sqlite_schema WHERE name IN "
	                           "('receipts_unprinted', 'receipts_order')"),
	          2);
	return s;
}

/* The day's payments for the reconciliation, and the newest journal row of a kind. */
static void test_day_and_journal(struct store *s)
{
	struct kerr err = {0};
	const int64_t day = 1900000000;
	struct fee_quote q = tu_quote(2000);
	struct order_spec spec = tu_spec(&q, day);
	struct order_row o;
	CHECK_INT(store_order_create(s, &spec, &o, &err), KR_OK);
	struct payment_row row = {.order_id = o.id, .status = PAYMENT_WAITING};
	snprintf(row.out_trade_no, sizeof row.out_trade_no, "%s", o.out_trade_no);
	CHECK_INT(payments_record(s, &row, "qr", day, &err), KR_OK);
	spec.now_utc = day + 86400; /* the next day's */
	CHECK_INT(store_order_create(s, &spec, &o, &err), KR_OK);
	row.order_id = o.id;
	CHECK_INT(payments_record(s, &row, "qr", day, &err), KR_OK);
	struct recon_kiosk k[2];
	int n = -1;
	CHECK_INT(payments_of_day(s, day, day + 86400, k, 2, &n, &err), KR_OK);
	CHECK_INT(n, 1);
	CHECK_INT(k[0].amount_fen, 2000);
	CHECK_INT(k[0].status, PAYMENT_WAITING);
	CHECK_INT(payments_of_day(s, day, day + 2 * 86400, k, 1, &n, &err), KR_FULL);

	char body[64];
	int64_t seq = 0;
	CHECK_INT(store_journal_latest(s, "test.latest", &seq, body, sizeof body, &err),
	          KR_NOT_FOUND);
	CHECK_INT(store_journal_append(s, "test.latest", 0, "{\"n\":1}", day, &err), KR_OK);
	CHECK_INT(store_journal_append(s, "test.latest", 0, "{\"n\":2}", day, &err), KR_OK);
	CHECK_INT(store_journal_latest(s, "test.latest", &seq, body, sizeof body, &err), KR_OK);
	CHECK_STR(body, "{\"n\":2}");
	CHECK(seq > 1);
	CHECK_INT(store_journal_latest(s, "test.latest", &seq, body, 4, &err), KR_FULL);
}

/* A reconciliation kept in the journal and read back; one that could not be made. */
static void test_reconciles(struct store *s)
{
	struct kerr err = {0};
	struct recon_report r;
	memset(&r, 0, sizeof r); /* padding too: the report is compared whole */
	r.kiosk_payments = 3;
	r.kiosk_paid_fen = 4000;
	r.kiosk_refunded_fen = 2000;
	r.gateway_trades = 3;
	r.gateway_paid_fen = 6000;
	r.gateway_refunded_fen = 2000;
	r.ndiff = RECON_DIFF_MAX + 1;
	r.unsettled = 2;
	snprintf(r.unsettled_no[0], sizeof r.unsettled_no[0], "NT0126112200000014");
	snprintf(r.unsettled_no[1], sizeof r.unsettled_no[1], "NT0126112200000016");
	for (int i = 0; i < RECON_DIFF_MAX; i++) {
		r.diff[i].kind = (enum recon_kind)(i % RECON_KIND_COUNT);
		snprintf(r.diff[i].order_no, sizeof r.diff[i].order_no, "NT01%014d", i);
		snprintf(r.diff[i].out_trade_no, sizeof r.diff[i].out_trade_no, "NT01%014d_1", i);
		r.diff[i].kiosk_fen = i;
		r.diff[i].gateway_fen = 100 + i;
	}
	struct recon_report got;
	char day[11], why[64];
	int failed = -1;
	CHECK_INT(reconciles_latest(s, day, &got, &failed, why, sizeof why, &err), KR_NOT_FOUND);
	CHECK_INT(reconciles_record(s, "2026-11-22", &r, "", T0, &err), KR_OK);
	CHECK_INT(reconciles_latest(s, day, &got, &failed, why, sizeof why, &err), KR_OK);
	CHECK_INT(failed, 0);
	CHECK_STR(day, "2026-11-22");
	CHECK(memcmp(&got, &r, sizeof r) == 0);
	CHECK_INT(reconciles_record(s, "2026-11-23", NULL, "bill: HTTP status 502", T0, &err),
	          KR_OK);
	CHECK_INT(reconciles_latest(s, day, &got, &failed, why, sizeof why, &err), KR_OK);
	CHECK_INT(failed, 1);
	CHECK_STR(day, "2026-11-23");
	CHECK_STR(why, "bill: HTTP status 502");
}

int main(void)
{
	char dir[4096], path[4096];
	struct kerr err = {0};
	struct store *s = NULL;

	if (tu_tmpdir(dir, sizeof dir) != 0)
		return 1;
	tu_path(path, sizeof path, dir, "kiosk.db");
	CHECK_INT(store_open(path, &s, &err), KR_OK);
	CHECK_INT(journal_rows(s), 0);
	CHECK_INT(pending(s), 0);

	test_lifecycle(s);
	test_conflict_charged_failed(s);
	test_invalid_specs(s);
	test_detail_and_pickup(s, path);
	test_events_for_central(s, path);
	test_open_orders(s);
	test_consumables(s);
	test_reports(s, path);
	test_payments(s, path);
	test_payments_unsettled(s);
	test_day_and_journal(s);
	test_reconciles(s);
	s = test_receipts_migrated(s, path);

	/* everything survives a reopen */
	struct order_row *open_before = NULL, *open_after = NULL;
	int nbefore = -1, nafter = -2, nhist = 0;
	int64_t rows = journal_rows(s), events = pending(s), count = 0;
	enum order_state hist[8];
	CHECK_INT(store_open_orders(s, &open_before, &nbefore, &err), KR_OK);
	s = reopen(s, path);
	CHECK_INT(journal_rows(s), rows);
	CHECK_INT(pending(s), events);
	CHECK_INT(store_open_orders(s, &open_after, &nafter, &err), KR_OK);
	CHECK_INT(nafter, nbefore);
	CHECK(nbefore == nafter &&
	      memcmp(open_before, open_after, (size_t)nbefore * sizeof *open_before) == 0);
	free(open_before);
	free(open_after);
	CHECK_INT(state_of(s, 1), ORDER_SERVED);
	CHECK_INT(store_order_history(s, 1, hist, 8, &nhist, &err), KR_OK);
	CHECK_INT(nhist, 5);
	CHECK_INT(store_consumable_get(s, "blank_keys.bin1", &count, &err), KR_OK);
	CHECK_INT(count, 7);
	store_close(s);

	CHECK_INT(tu_sql_int(path, "PRAGMA application_id"), 0x4B494F53);
	CHECK_INT(tu_sql_int(path, "PRAGMA user_version"), store_schema_version());
	CHECK_INT(tu_sql_int(path, "SELECT count(*) FROM order_lines"),
	          tu_sql_int(path, "SELECT count(*) FROM orders WHERE amount_fen > 0"));

	test_tamper(dir);
	tu_rmdir(dir);
	return check_done();
}
