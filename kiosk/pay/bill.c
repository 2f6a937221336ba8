/* bill.c — the trade bill reader of bill.h. */
#include "pay/bill.h"

#include <stdio.h>
#include <string.h>

#define BILL_LINE_MAX  4096
#define BILL_FIELD_MAX 256
#define BILL_COLS_MAX  64

enum { COL_OTN, COL_KIND, COL_AMOUNT, COL_COUNT };

/* The columns the reader needs, as the bill names them. */
static const char *const col_names[COL_COUNT] = {"商户订单号", "业务类型", "订单金额"};

/* Splits a line into fields (quotes honoured, "" inside them a quote; spaces and tabs
 * around trimmed). Returns how many, or -1 when a field is too long or there are too
 * many. fields: BILL_COLS_MAX of BILL_FIELD_MAX. */
static int split(const char *line, char fields[][BILL_FIELD_MAX])
{
	int n = 0;
	const char *c = line;
	for (;;) {
		size_t len = 0;
		char *f = fields[n];
		while (*c == ' ' || *c == '\t')
			c++;
		if (*c == '"') {
			for (c++; *c && !(*c == '"' && c[1] != '"'); c++) {
				if (*c == '"')
					c++; /* "" */
				if (len + 1 >= BILL_FIELD_MAX)
					return -1;
				f[len++] = *c;
			}
			if (*c == '"')
				c++;
		}
		for (; *c && *c != ','; c++) {
			if (len + 1 >= BILL_FIELD_MAX)
				return -1;
			f[len++] = *c;
		}
		while (len && (f[len - 1] == ' ' || f[len - 1] == '\t'))
			len--;
		f[len] = '\0';
		if (++n == BILL_COLS_MAX && *c)
			return -1;
		if (!*c)
			return n;
		c++; /* the comma */
	}
}

/* Whether s is an out_trade_no (letters, digits, underscore, 1..64). */
static int trade_no_ok(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
	return n > 0 && n <= 64 && s[n] == '\0';
}

/* One bill line into *row. Returns 1 read, 0 passed over, -1 unreadable (err set). */
static int read_line(char fields[][BILL_FIELD_MAX], int nf, const int *col, int lineno,
                     struct recon_trade *row, struct kerr *err)
{
	for (int i = 0; i < COL_COUNT; i++)
		if (col[i] >= nf) {
			kerr_set(err, KR_CORRUPT, "bill line %d: %d fields, too few", lineno, nf);
			return -1;
		}
	const char *kind = fields[col[COL_KIND]], *amount = fields[col[COL_AMOUNT]];
	int refund = strcmp(kind, "退款") == 0;
	if (!refund && strcmp(kind, "交易") != 0)
		return 0;
	if (*amount == '-' || *amount == '+')
		amount++;
	memset(row, 0, sizeof *row);
	row->refund = refund;
	if (!trade_no_ok(fields[col[COL_OTN]]) ||
	    money_parse_yuan(amount, &row->amount_fen) != KR_OK || row->amount_fen <= 0) {
		kerr_set(err, KR_CORRUPT, "bill line %d: no trade number or no amount", lineno);
		return -1;
	}
	snprintf(row->out_trade_no, sizeof row->out_trade_no, "%s", fields[col[COL_OTN]]);
	return 1;
}

int alipay_bill_parse(const char *text, size_t len, struct recon_trade *rows, int max, int *n,
                      struct kerr *err)
{
	static const char bom[] = "\xEF\xBB\xBF";
	char line[BILL_LINE_MAX], fields[BILL_COLS_MAX][BILL_FIELD_MAX];
	int col[COL_COUNT], header = 0, lineno = 0;
	size_t at = len >= 3 && memcmp(text, bom, 3) == 0 ? 3 : 0;
	*n = 0;
	if (len > BILL_BYTES_MAX)
		return kerr_set(err, KR_CORRUPT, "bill longer than %d bytes", BILL_BYTES_MAX);
	while (at < len) {
		const char *end = memchr(text + at, '\n', len - at);
		size_t ll = (end ? (size_t)(end - text) : len) - at;
		lineno++;
		if (ll >= sizeof line)
			return kerr_set(err, KR_CORRUPT, "bill line %d: longer than %d bytes",
			                lineno, BILL_LINE_MAX);
		memcpy(line, text + at, ll);
		line[ll] = '\0';
		at += ll + 1;
		if (ll && line[ll - 1] == '\r')
			line[--ll] = '\0';
		if (memchr(line, '\0', ll))
			return kerr_set(err, KR_CORRUPT, "bill line %d: a NUL byte", lineno);
		if (line[0] == '#' || strspn(line, " \t,") == ll)
			continue;
		int nf = split(line, fields);
		if (nf < 0)
			return kerr_set(err, KR_CORRUPT,
			                "bill line %d: a field too long or too many", lineno);
		if (!header) {
			for (int i = 0; i < COL_COUNT; i++) {
				col[i] = -1;
				for (int f = 0; f < nf && col[i] < 0; f++)
					if (strncmp(fields[f], col_names[i],
					            strlen(col_names[i])) == 0)
						col[i] = f;
				if (col[i] < 0)
					return kerr_set(err, KR_CORRUPT,
					                "bill line %d: no column %s", lineno,
					                col_names[i]);
			}
			header = 1;
			continue;
		}
		struct recon_trade row;
		int r = read_line(fields, nf, col, lineno, &row, err);
		if (r < 0)
			return KR_CORRUPT;
		if (r && *n == max)
			return kerr_set(err, KR_FULL, "bill: more than %d lines", max);
		if (r)
			rows[(*n)++] = row;
	}
	if (!header)
		return kerr_set(err, KR_CORRUPT, "bill: no line naming the columns");
	return KR_OK;
}
