/* receipts.h — receipts kept for reprinting (table receipts, migrations 3 and 9).
 *
 * Every receipt, key-check report, restock and reconciliation slip is stored as its PDF before it
 * is sent to the printer, so that a failed print loses nothing: staff mode lists what is unprinted
 * and prints it again. Each write is one transaction with a journal row of kind "receipt" (no
 * personal data: ids, kind and reason keys only). */
#ifndef KIOSK_STORE_RECEIPTS_H
#define KIOSK_STORE_RECEIPTS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define RECEIPTS_BLOB_MAX (4 * 1024 * 1024) /* the largest PDF kept */

struct receipt_row {
	int64_t id;
	int64_t order_id; /* 0: belongs to no order (key-check report, restock slip) */
	char kind[16];    /* "receipt", "check", "restock" or "reconcile" */
	int64_t created_utc;
	int attempts;        /* prints tried */
	int64_t printed_utc; /* 0 while not printed */
	char last_error[48]; /* the last failure's string key, "" when none */
};

/* Stores a PDF (borrowed, 1..RECEIPTS_BLOB_MAX bytes) of kind for order_id (0: none).
 * *id gets the new row's id. KR_INVALID for a bad kind or size; store errors. */
int receipts_add(struct store *s, int64_t order_id, const char *kind, const void *pdf, size_t len,
                 int64_t now_utc, int64_t *id, struct kerr *err);

/* Reads receipt id into *row and, when pdf is not NULL, its PDF into *pdf (malloc'd, the
 * caller's to free) and *len. KR_NOT_FOUND when there is none. */
int receipts_get(struct store *s, int64_t id, struct receipt_row *row, unsigned char **pdf,
                 size_t *len, struct kerr *err);

/* Records a print attempt: printed (printed_utc = now, error cleared) or failed with
 * error, a string key such as "print.paper_out". KR_NOT_FOUND when there is none. */
int receipts_mark(struct store *s, int64_t id, int printed, const char *error, int64_t now_utc,
                  struct kerr *err);

/* The served orders among the last `recent` orders (the newest ids) that have no receipt,
 * key checks aside, oldest first: at most max ids; *n gets how many. A power cut between
 * an order's move to served and its receipt's store leaves one. */
int receipts_missing(struct store *s, int recent, int64_t *ids, int max, int *n, struct kerr *err);

/* Receipts not printed yet, oldest first, at most max into rows; *n gets how many. */
int receipts_unprinted(struct store *s, struct receipt_row *rows, int max, int *n,
                       struct kerr *err);

#endif
