/* test_store_faults.c — disk full, read-only medium and I/O errors, injected by a
 * SQLite VFS that wraps the default one and fails every write after a countdown (the
 * idea of SQLite's own test_vfs.c). A failed move must leave the order as it was, on
 * the handle and on disk, with history, journal and outbox consistent; once the fault
 * is lifted the same move succeeds. Also a constraint failing late in a transaction. */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "check.h"
#include "store/store.h"
#include "store_testutil.h"

#define T0 1700000000

/* ---- the fault VFS ---- */

static sqlite3_vfs *real_vfs;
static int fault_after = -1; /* writes that still succeed; -1: no fault */
static int fault_code;

struct fault_file {
	sqlite3_file base;
	sqlite3_file *real; /* follows this struct in the same allocation */
};

#define REAL(f) (((struct fault_file *)(f))->real)

static int ff_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int ff_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int ff_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	if (fault_after == 0)
		return fault_code;
	if (fault_after > 0)
		fault_after--;
	return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int ff_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int ff_sync(sqlite3_file *f, int flags)
{
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int ff_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int ff_lock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xLock(REAL(f), lock);
}

static int ff_unlock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), lock);
}

static int ff_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int ff_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int ff_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int ff_device(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int ff_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **p)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), region, size, extend, p);
}

static int ff_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void ff_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int ff_shm_unmap(sqlite3_file *f, int delete_flag)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

static int ff_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **p)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, p);
}

static int ff_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods fault_io = {
    3,           ff_close,       ff_read,      ff_write,   ff_truncate, ff_sync,   ff_size,
    ff_lock,     ff_unlock,      ff_reserved,  ff_control, ff_sector,   ff_device, ff_shm_map,
    ff_shm_lock, ff_shm_barrier, ff_shm_unmap, ff_fetch,   ff_unfetch,
};

static int fault_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
                      int *out_flags)
{
	struct fault_file *ff = (struct fault_file *)f;
	(void)vfs;
	ff->real = (sqlite3_file *)(ff + 1);
	int rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out_flags);
	f->pMethods = rc == SQLITE_OK ? &fault_io : NULL;
	return rc;
}

static sqlite3_vfs fault_vfs;

/* Makes the fault VFS the default for every connection opened after this. */
static void fault_vfs_install(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	fault_vfs = *real_vfs;
	fault_vfs.zName = "fault";
	fault_vfs.szOsFile = (int)sizeof(struct fault_file) + real_vfs->szOsFile;
	fault_vfs.xOpen = fault_open;
	sqlite3_vfs_register(&fault_vfs, 1);
}

static void fault_arm(int writes_left, int code)
{
	fault_after = writes_left;
	fault_code = code;
}

static void fault_lift(void)
{
	fault_after = -1;
}

/* ---- checks ---- */

struct snapshot {
	enum order_state state;
	int history;
	int64_t journal;
	int64_t outbox;
};

static struct snapshot snap(struct store *s, int64_t id)
{
	struct kerr err = {0};
	struct snapshot v = {0};
	struct order_row row;
	enum order_state hist[16];
	int64_t bad = -1;

	CHECK_INT(store_order_get(s, id, &row, &err), KR_OK);
	v.state = row.state;
	CHECK_INT(store_order_history(s, id, hist, 16, &v.history, &err), KR_OK);
	CHECK(v.history > 0 && v.history <= 16 && hist[v.history - 1] == row.state);
	CHECK_INT(store_journal_verify(s, &bad, &v.journal, &err), KR_OK);
	CHECK_INT(store_outbox_pending(s, &v.outbox, &err), KR_OK);
	return v;
}

static int snap_equal(struct snapshot a, struct snapshot b)
{
	return a.state == b.state && a.history == b.history && a.journal == b.journal &&
	       a.outbox == b.outbox;
}

static int64_t paid_order(struct store *s)
{
	struct kerr err = {0};
	struct fee_quote q = tu_quote(2000);
	struct order_spec spec = tu_spec(&q, T0);
	struct order_row row = {0};

	CHECK_INT(store_order_create(s, &spec, &row, &err), KR_OK);
	CHECK_INT(store_order_move(s, row.id, ORDER_PAYING, "precreate", T0 + 1, &err), KR_OK);
	CHECK_INT(store_order_move(s, row.id, ORDER_PAID, "gateway", T0 + 2, &err), KR_OK);
	return row.id;
}

/* One failing write during PAID -> WORKING, with the given code and result. */
static void test_fault(const char *path, int code, int kr, const char *what)
{
	struct kerr err = {0};
	struct store *s = NULL;

	CHECK_INT(store_open(path, &s, &err), KR_OK);
	int64_t id = paid_order(s);
	struct snapshot before = snap(s, id);

	fault_arm(0, code);
	CHECK_INT(store_order_move(s, id, ORDER_WORKING, "start", T0 + 3, &err), kr);
	fault_lift();
	printf("%s: %s\n", kr_name(kr), err.msg);
	CHECK(strncmp(err.msg, what, strlen(what)) == 0);
	CHECK(snap_equal(snap(s, id), before));

	store_close(s);
	CHECK_INT(store_open(path, &s, &err), KR_OK);
	CHECK(snap_equal(snap(s, id), before));
	CHECK_INT(store_order_move(s, id, ORDER_WORKING, "start", T0 + 3, &err), KR_OK);
	struct snapshot after = snap(s, id);
	CHECK_INT(after.state, ORDER_WORKING);
	CHECK_INT(after.history, before.history + 1);
	CHECK_INT(after.journal, before.journal + 1);
	CHECK_INT(after.outbox, before.outbox + 1);
	store_close(s);
}

/* The disk fills after n = 0, 1, 2, … writes of a move: each time the order is either
 * moved whole or not at all, on the handle and after reopening. Also for a creation. */
static void test_full_sweep(const char *path)
{
	struct kerr err = {0};
	struct store *s = NULL;
	int n, failed = 0;

	CHECK_INT(store_open(path, &s, &err), KR_OK);
	for (n = 0; n < 200; n++) {
		int64_t id = paid_order(s);
		struct snapshot before = snap(s, id);

		fault_arm(n, SQLITE_FULL);
		int rc = store_order_move(s, id, ORDER_WORKING, "start", T0 + 3, &err);
		fault_lift();
		struct snapshot now = snap(s, id);
		store_close(s);
		CHECK_INT(store_open(path, &s, &err), KR_OK);
		CHECK(snap_equal(snap(s, id), now));
		if (rc == KR_OK) {
			CHECK_INT(now.state, ORDER_WORKING);
			CHECK_INT(now.history, before.history + 1);
			CHECK_INT(now.journal, before.journal + 1);
			break;
		}
		failed++;
		CHECK_INT(rc, KR_FULL);
		CHECK(snap_equal(now, before));
	}
	printf("a move needs %d writes; each of the %d earlier failures left the order whole\n", n,
	       failed);
	CHECK(failed >= 3);

	/* the same for creating an order */
	struct fee_quote q = tu_quote(2000);
	struct order_spec spec = tu_spec(&q, T0);
	struct order_row row;
	int64_t bad, rows_before, rows_now;
	for (n = 0; n < 200; n++) {
		struct order_row *open_before, *open_now;
		int nb, nn;
		CHECK_INT(store_journal_verify(s, &bad, &rows_before, &err), KR_OK);
		CHECK_INT(store_open_orders(s, &open_before, &nb, &err), KR_OK);
		fault_arm(n, SQLITE_FULL);
		int rc = store_order_create(s, &spec, &row, &err);
		fault_lift();
		CHECK_INT(store_journal_verify(s, &bad, &rows_now, &err), KR_OK);
		CHECK_INT(store_open_orders(s, &open_now, &nn, &err), KR_OK);
		free(open_before);
		free(open_now);
		if (rc == KR_OK) {
			CHECK_INT(rows_now, rows_before + 1);
			CHECK_INT(nn, nb + 1);
			break;
		}
		CHECK_INT(rc, KR_FULL);
		CHECK_INT(rows_now, rows_before);
		CHECK_INT(nn, nb);
	}
	printf("a creation needs %d writes\n", n);
	CHECK(n >= 3);
	store_close(s);
}

/* A failure late in the transaction, after the order row, history and journal were
 * written: the outbox refuses the event (its id is taken). Nothing may remain. */
static void test_late_failure(const char *path)
{
	struct kerr err = {0};
	struct store *s = NULL;
	struct order_row row;
	char sql[256];

	CHECK_INT(store_open(path, &s, &err), KR_OK);
	int64_t id = paid_order(s);
	struct snapshot before = snap(s, id);
	CHECK_INT(store_order_get(s, id, &row, &err), KR_OK);
	snprintf(sql, sizeof sql,
	         "INSERT INTO outbox(event_id, kind, body, created_utc) "
	         "SELECT '%s:' || (max(id) + 1), 'squatter', '{}', 0 FROM order_history",
	         row.order_no);
	CHECK_INT(tu_sql(path, sql), SQLITE_OK);
	before.outbox++;

	CHECK_INT(store_order_move(s, id, ORDER_WORKING, "start", T0 + 3, &err), KR_IO);
	printf("late failure: %s\n", err.msg);
	CHECK(strstr(err.msg, "UNIQUE") != NULL);
	CHECK(snap_equal(snap(s, id), before));
	store_close(s);
	CHECK_INT(store_open(path, &s, &err), KR_OK);
	CHECK(snap_equal(snap(s, id), before));
	store_close(s);
}

int main(void)
{
	char dir[4096], path[4200];

	if (tu_tmpdir(dir, sizeof dir) != 0)
		return 1;
	fault_vfs_install();
	tu_path(path, sizeof path, dir, "kiosk.db");

	test_fault(path, SQLITE_FULL, KR_FULL, "disk full");
	test_fault(path, SQLITE_READONLY, KR_READONLY, "read-only");
	test_fault(path, SQLITE_IOERR_WRITE, KR_IO, "database error");
	test_full_sweep(path);
	test_late_failure(path);

	tu_rmdir(dir);
	return check_done();
}
