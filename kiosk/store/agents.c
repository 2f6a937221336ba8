/* agents.c — the copy of the units' lists of authorised agents, digests only. */
#include "store/agents.h"

#include <stdio.h>
#include <string.h>

#include "core/ident.h"
#include "store/store_internal.h"

#define SYNCED_KEY "agents_utc"

/* Prepares sql on db with ?1 bound to text (static: it outlives the statement). */
static int prepare(sqlite3 *db, const char *sql, const char *text, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(*st, 1, text, -1, SQLITE_STATIC);
	return rc;
}

/* Steps st to its end and finalizes it. A SQLite code. */
static int finish(sqlite3_stmt *st, int rc)
{
	if (rc == SQLITE_OK)
		rc = store_stmt_run(st);
	sqlite3_finalize(st);
	return rc;
}

/* The version of unit's list held, 0 when none. A SQLite code. */
static int held_version(sqlite3 *db, const char *unit, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = prepare(db, "SELECT version FROM unit_agent_lists WHERE unit = ?1", unit, &st);
	rc = rc == SQLITE_OK ? store_stmt_int(st, 0, out) : rc;
	sqlite3_finalize(st);
	return rc;
}

int agents_replace(struct store *s, const char *unit, int64_t version, const char *const *ids,
                   int n, int64_t now_utc, struct kerr *err)
{
	sqlite3 *db = store_sqlite(s);
	unsigned char d[32];
	int64_t held = 0;
	if (ident_check_uscc(unit) != IDENT_OK)
		return kerr_set(err, KR_INVALID, "agents: not a credit code");
	if (n < 0 || n > AGENTS_MAX || version <= 0)
		return kerr_set(err, KR_INVALID, "agents: %d agents at version %lld", n,
		                (long long)version);
	for (int i = 0; i < n; i++)
		if (ident_check_id_number(ids[i]) != IDENT_OK)
			return kerr_set(err, KR_INVALID, "agents: agent %d is not an ID number",
			                i + 1);
	int r = store_tx_begin(s, err);
	if (r != KR_OK)
		return r;
	int rc = held_version(db, unit, &held);
	if (rc == SQLITE_OK && version <= held) {
		store_tx_rollback(s);
		return kerr_set(err, KR_CONFLICT, "agents: version %lld is not above %lld",
		                (long long)version, (long long)held);
	}
	sqlite3_stmt *st = NULL;
	if (rc == SQLITE_OK) {
		rc = prepare(db, "DELETE FROM unit_agents WHERE unit = ?1", unit, &st);
		rc = finish(st, rc);
	}
	if (rc == SQLITE_OK)
		rc = prepare(db,
		             "INSERT OR IGNORE INTO unit_agents(unit, agent_hash) VALUES (?1, ?2)",
		             unit, &st);
	for (int i = 0; rc == SQLITE_OK && i < n; i++) {
		if (!store_pair_digest(unit, ids[i], d)) {
			sqlite3_finalize(st);
			store_tx_rollback(s);
			return kerr_set(err, KR_IO, "agents: cannot digest");
		}
		sqlite3_bind_blob(st, 2, d, sizeof d, SQLITE_TRANSIENT);
		rc = store_stmt_run(st);
	}
	if (st)
		sqlite3_finalize(st);
	if (rc == SQLITE_OK) {
		rc = prepare(db,
		             "INSERT OR REPLACE INTO unit_agent_lists(unit, version, received_utc) "
		             "VALUES (?1, ?2, ?3)",
		             unit, &st);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(st, 2, version);
			sqlite3_bind_int64(st, 3, now_utc);
		}
		rc = finish(st, rc);
	}
	if (rc == SQLITE_OK) {
		char body[128];
		snprintf(body, sizeof body, "{\"unit\":\"%s\",\"version\":%lld,\"agents\":%d}",
		         unit, (long long)version, n);
		rc = store_tx_journal(s, "agents", 0, body, now_utc);
	}
	explicit_bzero(d, sizeof d);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "replacing a unit's agents", err);
	return store_tx_commit(s, err);
}

int agents_synced(struct store *s, int64_t now_utc, struct kerr *err)
{
	int r = store_tx_begin(s, err);
	if (r != KR_OK)
		return r;
	sqlite3_stmt *st = NULL;
	int rc = prepare(store_sqlite(s),
	                 "INSERT OR REPLACE INTO sync_state(key, value) VALUES (?1, ?2)",
	                 SYNCED_KEY, &st);
	if (rc == SQLITE_OK)
		sqlite3_bind_int64(st, 2, now_utc);
	rc = finish(st, rc);
	if (rc != SQLITE_OK)
		return store_tx_fail(s, rc, "recording the agents' currency", err);
	return store_tx_commit(s, err);
}

int agents_standing(struct store *s, const char *unit, const char *id, int64_t now_utc,
                    int64_t max_age_s, enum agent_standing *out, struct kerr *err)
{
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *st = NULL;
	unsigned char d[32];
	int64_t synced = 0, found = 0;
	*out = AGENT_NO_LIST;
	int rc = prepare(db, "SELECT value FROM sync_state WHERE key = ?1", SYNCED_KEY, &st);
	rc = rc == SQLITE_OK ? store_stmt_int(st, 0, &synced) : rc;
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return store_sqlite_err(db, rc, "reading the agents' currency", err);
	if (!synced || now_utc - synced > max_age_s || now_utc < synced - 300)
		return KR_OK; /* never current, too old, or a clock gone back: no list */
	if (!store_pair_digest(unit, id, d))
		return kerr_set(err, KR_IO, "agents: cannot digest");
	rc = prepare(db, "SELECT count(*) FROM unit_agents WHERE unit = ?1 AND agent_hash = ?2",
	             unit, &st);
	if (rc == SQLITE_OK)
		sqlite3_bind_blob(st, 2, d, sizeof d, SQLITE_STATIC);
	rc = rc == SQLITE_OK ? store_stmt_int(st, 0, &found) : rc;
	sqlite3_finalize(st);
	explicit_bzero(d, sizeof d);
	if (rc != SQLITE_OK)
		return store_sqlite_err(db, rc, "reading a unit's agents", err);
	*out = found ? AGENT_LISTED : AGENT_UNLISTED;
	return KR_OK;
}
