/* conf.c — strict loading of kiosk.ini and the hall's region file with inih.
 *
 * Each file is described by a table of sections and each section by a table of keys
 * (what a value must be and where it goes). inih splits the lines; our reader counts
 * them and opens sections, so every value and every error knows its line. The first
 * error wins and stops the parse. */
#include "conf/conf.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/catalogue.h"
#include "core/cntime.h"
#include "core/money.h"

#define MAX_SECTIONS     64 /* hall, hours, fees, 12 fee sections and the outlets fit */
#define MAX_KEYS         20 /* keys of one section */
#define SECTION_NAME_MAX 50 /* inih's own limit (MAX_SECTION), terminator included */

_Static_assert(FEE_KEY_COUNT <= MAX_KEYS, "a fee section's keys must fit in MAX_KEYS");

/* What a value must be. */
enum value_kind {
	VAL_TEXT,   /* non-empty text that fits its field */
	VAL_HOURS,  /* opening hours kept as text for display, checked like VAL_SPANS */
	VAL_SPANS,  /* opening hours, into a struct conf_spans */
	VAL_INT,    /* a whole number in lo..hi, into an int */
	VAL_ALNUM,  /* lo..hi ASCII letters or digits */
	VAL_CHOICE, /* one of choices */
	VAL_PATH,   /* a path, resolved against the folder of the file */
	VAL_FILE,   /* a path like VAL_PATH that must name a readable file */
	VAL_WHERE,  /* "none", "default", a URL, or a path resolved like VAL_PATH */
	VAL_AMOUNT, /* yuan above zero, into a fen_t */
	VAL_KEYREF, /* a pkcs11: URI (RFC 7512) kept as it is, or a path like VAL_PATH */
};

struct key_def {
	const char *name;
	enum value_kind kind;
	size_t off, size;           /* the field in the section's object */
	int lo, hi;                 /* VAL_INT: the range; VAL_ALNUM: the length */
	const char *const *choices; /* VAL_CHOICE: the accepted values, NULL-terminated */
	int optional;               /* may be left out: the section's close() fills it in */
};

#define FIELD(type, member) offsetof(type, member), sizeof(((type *)0)->member)

struct parse;
struct seen;

struct section_def {
	const char *name; /* a section's name; with a trailing '.', the prefix of a family */
	const struct key_def *keys; /* required unless optional; NULL when key() knows the keys */
	int nkeys;
	int required; /* the file must have the section */
	/* For a family: checks the suffix and returns where the member's values go, or NULL
	 * after fail(). NULL: values go into the parse's target. */
	void *(*open)(struct parse *p, struct seen *s, const char *suffix);
	int (*key)(struct parse *p, struct seen *s, const char *name, const char *value);
	int (*close)(struct parse *p, struct seen *s); /* after the whole file is read */
};

/* A section met in the file. */
struct seen {
	char name[SECTION_NAME_MAX];
	const struct section_def *def;
	void *obj;              /* where its values go */
	int line;               /* of its header */
	enum business biz;      /* fee sections: the business priced */
	int key_line[MAX_KEYS]; /* where each key was given, 0 while not */
};

struct parse {
	const char *file; /* as given, for messages */
	FILE *fp;
	int line;     /* the line last handed to inih */
	int indented; /* it starts with a blank: inih continues the previous value */
	const struct section_def *defs;
	int ndefs;
	void *target; /* struct conf or struct conf_region */
	struct seen seen[MAX_SECTIONS];
	int nseen;
	int rc;       /* the first error, KR_OK while none */
	int err_line; /* its line */
	struct kerr *err;
};

/* Records an error as "file:line: [section] key: reason", leaving out the key or both
 * section and key when NULL. The error on the earliest line wins: inih reports its
 * own syntax errors only at the end. Returns the parse's result code. */
static int fail(struct parse *p, int rc, int line, const char *section, const char *key,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int fail(struct parse *p, int rc, int line, const char *section, const char *key,
                const char *fmt, ...)
{
	char reason[384];
	va_list ap;

	if (p->rc != KR_OK && p->err_line <= line)
		return p->rc;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	p->rc = rc;
	p->err_line = line;
	if (!section)
		return kerr_set(p->err, rc, "%s:%d: %s", p->file, line, reason);
	if (!key)
		return kerr_set(p->err, rc, "%s:%d: [%s]: %s", p->file, line, section, reason);
	return kerr_set(p->err, rc, "%s:%d: [%s] %s: %s", p->file, line, section, key, reason);
}

/* An error in the value of key on the current line. */
#define FAIL_VALUE(p, s, key, ...) fail(p, KR_CONFIG, (p)->line, (s)->name, key, __VA_ARGS__)

/* ---- opening hours ---- */

/* Reads "HH:MM" (00:00..24:00) at *s into minutes after midnight and moves *s past it.
 * Returns -1 when malformed. */
static int parse_hhmm(const char **s)
{
	const char *t = *s;
	for (int i = 0; i < 5; i++)
		if (i == 2 ? t[i] != ':' : t[i] < '0' || t[i] > '9')
			return -1;
	int h = (t[0] - '0') * 10 + (t[1] - '0'), m = (t[3] - '0') * 10 + (t[4] - '0');
	if (h > 24 || m > 59 || (h == 24 && m != 0))
		return -1;
	*s = t + 5;
	return h * 60 + m;
}

/* conf_parse_spans with a reason for the failure in *why. */
static int parse_spans(const char *s, struct conf_spans *out, const char **why)
{
	struct conf_spans sp = {0};

	if (strcmp(s, "closed") != 0) {
		for (;;) {
			int from = parse_hhmm(&s);
			int to = from < 0 || *s++ != '-' ? -1 : parse_hhmm(&s);
			if (to < 0) {
				*why = "bad time (HH:MM-HH:MM, 00:00 to 24:00)";
				return KR_INVALID;
			}
			if (from >= to) {
				*why = "a span ends before it starts";
				return KR_INVALID;
			}
			if (sp.n > 0 && from < sp.span[sp.n - 1].to_min) {
				*why = "spans overlap or are out of order";
				return KR_INVALID;
			}
			if (sp.n == CONF_MAX_SPANS) {
				*why = "more than 4 spans";
				return KR_INVALID;
			}
			sp.span[sp.n].from_min = from;
			sp.span[sp.n].to_min = to;
			sp.n++;
			if (*s == '\0')
				break;
			if (*s++ != ',') {
				*why = "bad time (HH:MM-HH:MM, 00:00 to 24:00)";
				return KR_INVALID;
			}
		}
	}
	*out = sp;
	return KR_OK;
}

int conf_parse_spans(const char *s, struct conf_spans *out)
{
	const char *why;
	return parse_spans(s, out, &why);
}

int conf_hall_open(const struct conf_region *r, int64_t utc_s)
{
	int64_t days = cntime_day(utc_s);
	int minute = (int)((utc_s - cntime_midnight(utc_s)) / 60);
	int wday = (int)(((days + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday; 0: Sunday */
	const struct conf_spans *sp = wday >= 1 && wday <= 5 ? &r->workdays : &r->weekends;

	for (int i = 0; i < sp->n; i++)
		if (sp->span[i].from_min <= minute && minute < sp->span[i].to_min)
			return 1;
	return 0;
}

/* ---- values ---- */

/* Parses a yuan amount into *fen, naming what is wrong with it. */
static int parse_amount(struct parse *p, struct seen *s, const char *key, const char *v, fen_t *fen)
{
	const char *dot = strchr(v, '.');

	if (money_parse_yuan(v, fen) == KR_OK)
		return KR_OK;
	if (*v == '\0')
		return FAIL_VALUE(p, s, key, "empty amount");
	if (*v == '-')
		return FAIL_VALUE(p, s, key, "negative amount '%s'", v);
	if (dot && strspn(dot + 1, "0123456789") > 2)
		return FAIL_VALUE(p, s, key, "more than two decimals in amount '%s'", v);
	return FAIL_VALUE(p, s, key, "not an amount in yuan '%s' (e.g. 150 or 0.50, at most %lld)",
	                  v, (long long)(MONEY_MAX_FEN / 100));
}

/* Writes rel resolved against the folder of file into out. Returns 0 when it does not fit. */
static int resolve_path(const char *file, const char *rel, char *out, size_t size)
{
	const char *slash = strrchr(file, '/');
	char cwd[PATH_MAX] = "";
	int n;

	/* absolute, so that a path means the same wherever the kiosk runs from */
	if (rel[0] != '/' && file[0] != '/' && !getcwd(cwd, sizeof cwd))
		return 0;
	if (rel[0] == '/')
		n = snprintf(out, size, "%s", rel);
	else if (!slash)
		n = snprintf(out, size, "%s/%s", cwd, rel);
	else
		n = snprintf(out, size, "%s%s%.*s/%s", cwd, cwd[0] ? "/" : "", (int)(slash - file),
		             file, rel);
	return n >= 0 && (size_t)n < size;
}

/* Copies v into a text field of kd->size bytes: not empty, and it must fit. */
static int set_text(struct parse *p, struct seen *s, const struct key_def *kd, char *field,
                    const char *v)
{
	size_t len = strlen(v);

	if (len == 0)
		return FAIL_VALUE(p, s, kd->name, "empty value");
	if (len >= kd->size)
		return FAIL_VALUE(p, s, kd->name, "longer than %zu bytes", kd->size - 1);
	memcpy(field, v, len + 1);
	return KR_OK;
}

/* Copies v into a text field when it is one of kd->choices; the error lists them. */
static int set_choice(struct parse *p, struct seen *s, const struct key_def *kd, char *field,
                      const char *v)
{
	char list[128] = "";
	size_t used = 0;

	for (const char *const *c = kd->choices; *c; c++) {
		if (strcmp(*c, v) == 0)
			return set_text(p, s, kd, field, v);
		int n = snprintf(list + used, sizeof list - used, "%s%s",
		                 c == kd->choices ? "" : ", ", *c);
		if (n > 0 && (size_t)n < sizeof list - used)
			used += (size_t)n;
	}
	return FAIL_VALUE(p, s, kd->name, "unknown value '%s' (one of: %s)", v, list);
}

/* Stores v, a decimal whole number in kd->lo..kd->hi, into an int field. */
static int set_int(struct parse *p, struct seen *s, const struct key_def *kd, char *field,
                   const char *v)
{
	long long n = 0;
	int digits = 0;
	const char *t = v + (*v == '-');

	for (; *t >= '0' && *t <= '9'; t++, digits++)
		if (n <= INT_MAX) /* beyond is out of range anyway */
			n = n * 10 + (*t - '0');
	if (digits == 0 || *t != '\0')
		return FAIL_VALUE(p, s, kd->name, "not a whole number '%s'", v);
	if (*v == '-')
		n = -n;
	if (n < kd->lo || n > kd->hi)
		return FAIL_VALUE(p, s, kd->name, "%s out of range %d..%d", v, kd->lo, kd->hi);
	int value = (int)n;
	memcpy(field, &value, sizeof value);
	return KR_OK;
}

/* Checks v against kd and stores it into s's object. */
static int set_value(struct parse *p, struct seen *s, const struct key_def *kd, const char *v)
{
	char *field = (char *)s->obj + kd->off;
	struct conf_spans spans;
	const char *why;
	fen_t fen;
	size_t len;

	switch (kd->kind) {
	case VAL_TEXT:
		return set_text(p, s, kd, field, v);
	case VAL_HOURS:
	case VAL_SPANS:
		if (parse_spans(v, &spans, &why) != KR_OK)
			return FAIL_VALUE(p, s, kd->name, "%s: '%s'", why, v);
		if (kd->kind == VAL_HOURS)
			return set_text(p, s, kd, field, v);
		memcpy(field, &spans, sizeof spans);
		return KR_OK;
	case VAL_INT:
		return set_int(p, s, kd, field, v);
	case VAL_ALNUM:
		len = strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
		if (v[len] != '\0' || len < (size_t)kd->lo || len > (size_t)kd->hi)
			return FAIL_VALUE(p, s, kd->name, "'%s' is not %d to %d letters or digits",
			                  v, kd->lo, kd->hi);
		return set_text(p, s, kd, field, v);
	case VAL_CHOICE:
		return set_choice(p, s, kd, field, v);
	case VAL_WHERE:
		if (strcmp(v, "none") == 0 || strcmp(v, "default") == 0 || strstr(v, "://"))
			return set_text(p, s, kd, field, v);
		__attribute__((fallthrough)); /* a path */
	case VAL_PATH:
	case VAL_FILE:
		if (*v == '\0')
			return FAIL_VALUE(p, s, kd->name, "empty path");
		if (!resolve_path(p->file, v, field, kd->size))
			return FAIL_VALUE(p, s, kd->name, "path too long");
		if (kd->kind == VAL_FILE && access(field, R_OK) != 0)
			return fail(p, KR_IO, p->line, s->name, kd->name, "cannot read '%s': %s",
			            field, strerror(errno));
		return KR_OK;
	case VAL_AMOUNT:
		if (parse_amount(p, s, kd->name, v, &fen) != KR_OK)
			return p->rc;
		if (fen == 0)
			return FAIL_VALUE(p, s, kd->name, "must be above zero");
		memcpy(field, &fen, sizeof fen);
		return KR_OK;
	case VAL_KEYREF:
		if (strncmp(v, "pkcs11:", 7) == 0)
			return set_text(p, s, kd, field, v);
		return set_value(
		    p, s, &(struct key_def){kd->name, VAL_PATH, kd->off, kd->size, 0, 0, NULL}, v);
	}
	/* not reached: every kind returns above */
	return FAIL_VALUE(p, s, kd->name, "no rule for this key");
}

/* ---- sections ---- */

/* Notes that key number k of s is given on this line; a second time is an error, which
 * also catches inih's continuation lines. */
static int mark_key(struct parse *p, struct seen *s, int k, const char *name)
{
	if (s->key_line[k] && p->indented)
		return FAIL_VALUE(p, s, name,
		                  "given twice: an indented line continues the value "
		                  "of line %d, which is not allowed",
		                  s->key_line[k]);
	if (s->key_line[k])
		return FAIL_VALUE(p, s, name, "given twice (first on line %d)", s->key_line[k]);
	s->key_line[k] = p->line;
	return KR_OK;
}

/* key() of a section with a key table. */
static int table_key(struct parse *p, struct seen *s, const char *name, const char *value)
{
	for (int k = 0; k < s->def->nkeys; k++) {
		if (strcmp(s->def->keys[k].name, name) != 0)
			continue;
		if (mark_key(p, s, k, name) != KR_OK)
			return p->rc;
		return set_value(p, s, &s->def->keys[k], value);
	}
	return FAIL_VALUE(p, s, name, "unknown key");
}

/* close() of a section with a key table: every key not optional is required. */
static int table_close(struct parse *p, struct seen *s)
{
	for (int k = 0; k < s->def->nkeys; k++)
		if (!s->key_line[k] && !s->def->keys[k].optional)
			return fail(p, KR_CONFIG, s->line, s->name, s->def->keys[k].name,
			            "missing key");
	return KR_OK;
}

/* open() of [outlet.<id>]: the id is 1 to 31 letters, digits, '-' or '_'. */
static void *open_outlet(struct parse *p, struct seen *s, const char *id)
{
	struct conf_region *r = p->target;
	size_t len = strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

	if (id[len] != '\0' || len >= sizeof r->outlet[0].id) {
		fail(p, KR_CONFIG, p->line, s->name, NULL,
		     "an outlet id is 1 to %zu letters, digits, '-' or '_'",
		     sizeof r->outlet[0].id - 1);
		return NULL;
	}
	if (r->noutlets == CONF_MAX_OUTLETS) {
		fail(p, KR_CONFIG, p->line, s->name, NULL, "more than %d outlets",
		     CONF_MAX_OUTLETS);
		return NULL;
	}
	struct conf_outlet *o = &r->outlet[r->noutlets++];
	memcpy(o->id, id, len + 1);
	return o;
}

/* open() of [fees.<holder>.<business>]: a business that is charged for. */
static void *open_fees(struct parse *p, struct seen *s, const char *suffix)
{
	struct conf_region *r = p->target;
	const char *dot = strchr(suffix, '.');
	char holder_id[16];
	int holder, biz;

	if (!dot || (size_t)(dot - suffix) >= sizeof holder_id) {
		fail(p, KR_CONFIG, p->line, s->name, NULL, "expected [fees.<holder>.<business>]");
		return NULL;
	}
	memcpy(holder_id, suffix, (size_t)(dot - suffix));
	holder_id[dot - suffix] = '\0';
	holder = catalogue_holder_from_id(holder_id);
	biz = catalogue_business_from_id(dot + 1);
	if (holder < 0) {
		fail(p, KR_CONFIG, p->line, s->name, NULL, "unknown holder '%s' (unit or person)",
		     holder_id);
		return NULL;
	}
	if (biz < 0) {
		fail(p, KR_CONFIG, p->line, s->name, NULL, "unknown business '%s'", dot + 1);
		return NULL;
	}
	const struct recipe *recipe = catalogue_recipe((enum business)biz, (enum holder)holder);
	if (!recipe || !recipe->charged) {
		fail(p, KR_CONFIG, p->line, s->name, NULL, "%s is free by nature and takes no fees",
		     dot + 1);
		return NULL;
	}
	s->biz = (enum business)biz;
	r->fees.section[holder][biz].present = 1;
	return &r->fees.section[holder][biz];
}

/* key() of a fee section: a price the business may have, 0 for free. */
static int fee_key(struct parse *p, struct seen *s, const char *name, const char *value)
{
	struct fee_section *fs = s->obj;
	int k = fees_key_from_name(name);
	fen_t fen;

	if (k < 0)
		return FAIL_VALUE(p, s, name, "unknown key");
	if (!fees_key_allowed(s->biz, (enum fee_key)k))
		return FAIL_VALUE(p, s, name, "not a price of %s", catalogue_business_id(s->biz));
	if (mark_key(p, s, k, name) != KR_OK || parse_amount(p, s, name, value, &fen) != KR_OK)
		return p->rc;
	fs->price[k].set = 1;
	fs->price[k].fen = fen;
	return KR_OK;
}

/* close() of a fee section: it prices what its business needs. */
static int fee_close(struct parse *p, struct seen *s)
{
	struct kerr e;

	if (fees_section_check(s->biz, s->obj, &e) != KR_OK)
		return fail(p, KR_CONFIG, s->line, s->name, NULL, "%s", e.msg);
	return KR_OK;
}

#define TABLE(keys) (keys), (int)(sizeof(keys) / sizeof((keys)[0]))

static const char *const languages[] = {"zh-CN", "en", NULL};

/* The implementations each service slot accepts: a new driver is one more name here. */
static const char *const keys_impl[] = {"standin", "pkcs11", NULL};
static const char *const pay_impl[] = {"standin", "alipay", NULL};
static const char *const printer_impl[] = {"standin", "cups", NULL};
static const char *const idreader_impl[] = {"standin", "sam", NULL};
static const char *const dispenser_impl[] = {"standin", "serial", NULL};
static const char *const sync_impl[] = {"standin", "central", NULL};

static const struct key_def kiosk_keys[] = {
    {"id", VAL_ALNUM, FIELD(struct conf, kiosk_id), 2, 8},
    {"region", VAL_FILE, FIELD(struct conf, region.file)},
    {"database", VAL_PATH, FIELD(struct conf, database)},
    {"assets", VAL_PATH, FIELD(struct conf, assets)},
    {"voice", VAL_PATH, FIELD(struct conf, voice), 0, 0, NULL, 1},
    {"language", VAL_CHOICE, FIELD(struct conf, language), 0, 0, languages},
};
static const struct key_def flow_keys[] = {
    {"step_timeout_s", VAL_INT, FIELD(struct conf, step_timeout_s), 10, 600},
    {"pay_timeout_s", VAL_INT, FIELD(struct conf, pay_timeout_s), 60, 7200},
    {"countdown_shown_s", VAL_INT, FIELD(struct conf, countdown_shown_s), 1, 60},
    {"renew_window_days", VAL_INT, FIELD(struct conf, renew_window_days), 0, 365},
    {"renew_grace_days", VAL_INT, FIELD(struct conf, renew_grace_days), 0, 365},
    {"agent_list_max_age_h", VAL_INT, FIELD(struct conf, agent_list_max_age_h), 1, 720},
};
static const struct key_def pay_keys[] = {
    {"ceiling", VAL_AMOUNT, FIELD(struct conf, pay_ceiling_fen)},
};
/* [printer]: needed only when [services] printer = cups (checked at its create). */
static const struct key_def printer_keys[] = {
    {"queue", VAL_TEXT, FIELD(struct conf, printer.queue)},
    {"server", VAL_WHERE, FIELD(struct conf, printer.server)},
    {"paper_mm", VAL_INT, FIELD(struct conf, printer.paper_mm), 58, 80},
    {"submit_timeout_s", VAL_INT, FIELD(struct conf, printer.submit_timeout_s), 1, 60},
    {"job_timeout_s", VAL_INT, FIELD(struct conf, printer.job_timeout_s), 5, 600},
    {"status_poll_s", VAL_INT, FIELD(struct conf, printer.status_poll_s), 1, 3600},
    {"lookup_url", VAL_TEXT, FIELD(struct conf, printer.lookup_url)},
};
/* [idreader] and [dispenser]: needed only when [services] names sam / serial (checked at
 * their create). */
static const struct key_def idreader_keys[] = {
    {"device", VAL_PATH, FIELD(struct conf, idreader.device)},
    {"baud", VAL_INT, FIELD(struct conf, idreader.baud), 9600, 115200},
    {"find_timeout_ms", VAL_INT, FIELD(struct conf, idreader.find_timeout_ms), 100, 5000},
    {"read_timeout_ms", VAL_INT, FIELD(struct conf, idreader.read_timeout_ms), 500, 10000},
    {"poll_ms", VAL_INT, FIELD(struct conf, idreader.poll_ms), 200, 5000},
    {"control", VAL_WHERE, FIELD(struct conf, idreader.control)},
};
static const struct key_def dispenser_keys[] = {
    {"device", VAL_PATH, FIELD(struct conf, dispenser.device)},
    {"baud", VAL_INT, FIELD(struct conf, dispenser.baud), 9600, 115200},
    {"timeout_ms", VAL_INT, FIELD(struct conf, dispenser.timeout_ms), 100, 30000},
    {"bins", VAL_INT, FIELD(struct conf, dispenser.bins), 1, 4},
    {"low", VAL_INT, FIELD(struct conf, dispenser.low), 0, 10000},
    {"empty", VAL_INT, FIELD(struct conf, dispenser.empty), 0, 100},
    {"take_timeout_s", VAL_INT, FIELD(struct conf, dispenser.take_timeout_s), 1, 300},
    {"control", VAL_WHERE, FIELD(struct conf, dispenser.control)},
};
/* [alipay]: needed only when [services] pay = alipay (checked at its create). */
static const struct key_def alipay_keys[] = {
    {"gateway", VAL_TEXT, FIELD(struct conf, alipay.gateway)},
    {"app_id", VAL_TEXT, FIELD(struct conf, alipay.app_id)},
    {"app_key", VAL_PATH, FIELD(struct conf, alipay.app_key)},
    {"alipay_key", VAL_PATH, FIELD(struct conf, alipay.alipay_key)},
    {"ca_file", VAL_PATH, FIELD(struct conf, alipay.ca_file)},
    {"connect_timeout_ms", VAL_INT, FIELD(struct conf, alipay.connect_timeout_ms), 100, 60000},
    {"timeout_ms", VAL_INT, FIELD(struct conf, alipay.timeout_ms), 500, 120000},
    {"poll_ms", VAL_INT, FIELD(struct conf, alipay.poll_ms), 100, 60000},
    {"retries", VAL_INT, FIELD(struct conf, alipay.retries), 0, 20},
    {"reconcile_min_ms", VAL_INT, FIELD(struct conf, alipay.reconcile_min_ms), 10, 3600000},
    {"reconcile_max_ms", VAL_INT, FIELD(struct conf, alipay.reconcile_max_ms), 10, 86400000},
    {"control", VAL_TEXT, FIELD(struct conf, alipay.control)},
};
/* [keys]: needed only when [services] keys = pkcs11 (checked at its create). */
static const char *const issuer_kinds[] = {"local", "cmp", NULL};
static const char *const key_types[] = {"rsa2048", "ec-p256", NULL};
static const struct key_def keys_keys[] = {
    {"module", VAL_PATH, FIELD(struct conf, keys.module)},
    {"user_port", VAL_TEXT, FIELD(struct conf, keys.user_port)},
    {"personalisation", VAL_TEXT, FIELD(struct conf, keys.personalisation)},
    {"blank_so_pin_file", VAL_PATH, FIELD(struct conf, keys.blank_so_pin_file)},
    {"secure_module", VAL_TEXT, FIELD(struct conf, keys.secure_module)},
    {"secure_pin_file", VAL_PATH, FIELD(struct conf, keys.secure_pin_file)},
    {"issuer", VAL_CHOICE, FIELD(struct conf, keys.issuer), 0, 0, issuer_kinds},
    {"issuer_key_id", VAL_TEXT, FIELD(struct conf, keys.issuer_key_id)},
    {"issuer_cert", VAL_PATH, FIELD(struct conf, keys.issuer_cert)},
    {"jsca_cert", VAL_PATH, FIELD(struct conf, keys.jsca_cert)},
    {"kmc_cert", VAL_PATH, FIELD(struct conf, keys.kmc_cert), 0, 0, NULL, 1},
    {"key_type", VAL_CHOICE, FIELD(struct conf, keys.key_type), 0, 0, key_types},
    {"renew_fresh_key", VAL_INT, FIELD(struct conf, keys.renew_fresh_key), 0, 1},
    {"crl_url", VAL_TEXT, FIELD(struct conf, keys.crl_url)},
    {"aia_url", VAL_TEXT, FIELD(struct conf, keys.aia_url)},
    {"ledger", VAL_PATH, FIELD(struct conf, keys.ledger)},
    {"crl_file", VAL_PATH, FIELD(struct conf, keys.crl_file), 0, 0, NULL, 1},
    {"crl_next_update_hours", VAL_INT, FIELD(struct conf, keys.crl_next_update_hours), 1, 168, NULL,
     1},
};
_Static_assert(sizeof keys_keys / sizeof keys_keys[0] <= MAX_KEYS, "[keys] must fit in MAX_KEYS");

#define CRL_FILE_DEFAULT      "issuing.crl" /* in the ledger's folder */
#define CRL_NEXT_UPDATE_HOURS 24

/* close() of [keys]: the table's check, then the defaults of what was left out. */
static int keys_close(struct parse *p, struct seen *s)
{
	struct conf_keys *k = &((struct conf *)p->target)->keys;
	if (table_close(p, s) != KR_OK)
		return p->rc;
	if (!k->crl_next_update_hours)
		k->crl_next_update_hours = CRL_NEXT_UPDATE_HOURS;
	if (!k->crl_file[0]) {
		const char *slash = strrchr(k->ledger, '/'); /* resolved: absolute */
		int n = slash ? (int)(slash - k->ledger) : 0;
		if (snprintf(k->crl_file, sizeof k->crl_file, "%.*s/%s", n, k->ledger,
		             CRL_FILE_DEFAULT) >= (int)sizeof k->crl_file)
			return fail(p, KR_CONFIG, s->line, s->name, "crl_file",
			            "the default beside the ledger is too long");
	}
	return KR_OK;
}
/* [cmp]: needed only when [keys] issuer = cmp (checked at the keys service's create). */
static const struct key_def cmp_keys[] = {
    {"server", VAL_TEXT, FIELD(struct conf, keys.cmp.server)},
    {"trusted", VAL_PATH, FIELD(struct conf, keys.cmp.trusted)},
    {"ref", VAL_TEXT, FIELD(struct conf, keys.cmp.ref)},
    {"secret_file", VAL_PATH, FIELD(struct conf, keys.cmp.secret_file)},
    {"certs", VAL_PATH, FIELD(struct conf, keys.cmp.certs)},
    {"msg_timeout_s", VAL_INT, FIELD(struct conf, keys.cmp.msg_timeout_s), 1, 300},
    {"total_timeout_s", VAL_INT, FIELD(struct conf, keys.cmp.total_timeout_s), 1, 600},
};
/* [central]: needed only when [services] sync = central (checked at its create). */
static const struct key_def central_keys[] = {
    {"url", VAL_TEXT, FIELD(struct conf, central.url)},
    {"ca_file", VAL_PATH, FIELD(struct conf, central.ca_file)},
    {"client_cert", VAL_PATH, FIELD(struct conf, central.client_cert)},
    {"client_key", VAL_KEYREF, FIELD(struct conf, central.client_key)},
    {"fee_key", VAL_PATH, FIELD(struct conf, central.fee_key)},
    {"batch_max", VAL_INT, FIELD(struct conf, central.batch_max), 1, 5000},
    {"connect_timeout_ms", VAL_INT, FIELD(struct conf, central.connect_timeout_ms), 100, 60000},
    {"timeout_ms", VAL_INT, FIELD(struct conf, central.timeout_ms), 500, 300000},
    {"backoff_min_ms", VAL_INT, FIELD(struct conf, central.backoff_min_ms), 10, 600000},
    {"backoff_max_ms", VAL_INT, FIELD(struct conf, central.backoff_max_ms), 100, 3600000},
    {"idle_ms", VAL_INT, FIELD(struct conf, central.idle_ms), 10, 60000},
    {"pull_s", VAL_INT, FIELD(struct conf, central.pull_s), 1, 86400},
    {"control", VAL_TEXT, FIELD(struct conf, central.control)},
    {"heartbeat_s", VAL_INT, FIELD(struct conf, central.heartbeat_s), 1, 86400},
};
/* [staff] and [monitor]: optional (staff mode and the metrics file are off without). */
static const struct key_def staff_keys[] = {
    {"pin_hash", VAL_TEXT, FIELD(struct conf, staff.pin_hash)},
    {"lock_minutes", VAL_INT, FIELD(struct conf, staff.lock_minutes), 1, 1440},
    {"idle_timeout_s", VAL_INT, FIELD(struct conf, staff.idle_timeout_s), 30, 3600},
};
static const struct key_def monitor_keys[] = {
    {"metrics_file", VAL_PATH, FIELD(struct conf, monitor.metrics_file)},
    {"interval_s", VAL_INT, FIELD(struct conf, monitor.interval_s), 1, 3600},
};
/* In enum conf_service order: also the names of the slots. */
#define SERVICE(slot, name, impl)                                                                  \
	[slot] = {name, VAL_CHOICE, FIELD(struct conf, service[slot]), 0, 0, impl}
static const struct key_def service_keys[SVC_COUNT] = {
    SERVICE(SVC_KEYS, "keys", keys_impl),
    SERVICE(SVC_PAY, "pay", pay_impl),
    SERVICE(SVC_PRINTER, "printer", printer_impl),
    SERVICE(SVC_IDREADER, "idreader", idreader_impl),
    SERVICE(SVC_DISPENSER, "dispenser", dispenser_impl),
    SERVICE(SVC_SYNC, "sync", sync_impl),
};

static const struct section_def kiosk_sections[] = {
    {"kiosk", TABLE(kiosk_keys), 1, NULL, table_key, table_close},
    {"flow", TABLE(flow_keys), 1, NULL, table_key, table_close},
    {"pay", TABLE(pay_keys), 1, NULL, table_key, table_close},
    {"services", TABLE(service_keys), 1, NULL, table_key, table_close},
    {"idreader", TABLE(idreader_keys), 0, NULL, table_key, table_close},
    {"dispenser", TABLE(dispenser_keys), 0, NULL, table_key, table_close},
    {"printer", TABLE(printer_keys), 0, NULL, table_key, table_close},
    {"alipay", TABLE(alipay_keys), 0, NULL, table_key, table_close},
    {"keys", TABLE(keys_keys), 0, NULL, table_key, keys_close},
    {"cmp", TABLE(cmp_keys), 0, NULL, table_key, table_close},
    {"staff", TABLE(staff_keys), 0, NULL, table_key, table_close},
    {"monitor", TABLE(monitor_keys), 0, NULL, table_key, table_close},
    {"central", TABLE(central_keys), 0, NULL, table_key, table_close},
};

static const struct key_def hall_keys[] = {
    {"name", VAL_TEXT, FIELD(struct conf_region, name)},
    {"city", VAL_TEXT, FIELD(struct conf_region, city)},
    {"hotline", VAL_TEXT, FIELD(struct conf_region, hotline)},
    {"phone", VAL_TEXT, FIELD(struct conf_region, phone)},
};
static const struct key_def hours_keys[] = {
    {"workdays", VAL_SPANS, FIELD(struct conf_region, workdays)},
    {"weekends", VAL_SPANS, FIELD(struct conf_region, weekends)},
};
static const struct key_def outlet_keys[] = {
    {"name", VAL_TEXT, FIELD(struct conf_outlet, name)},
    {"address", VAL_TEXT, FIELD(struct conf_outlet, address)},
    {"phone", VAL_TEXT, FIELD(struct conf_outlet, phone)},
    {"hours", VAL_HOURS, FIELD(struct conf_outlet, hours)},
};
static const struct key_def fees_keys[] = {
    {"years_max", VAL_INT, FIELD(struct conf_region, fees.years_max), 1, 10},
};

static const struct section_def region_sections[] = {
    {"hall", TABLE(hall_keys), 1, NULL, table_key, table_close},
    {"hours", TABLE(hours_keys), 1, NULL, table_key, table_close},
    {"outlet.", TABLE(outlet_keys), 0, open_outlet, table_key, table_close},
    {"fees", TABLE(fees_keys), 1, NULL, table_key, table_close},
    {"fees.", NULL, 0, 0, open_fees, fee_key, fee_close},
};

/* ---- the parse ---- */

static struct seen *find_seen(struct parse *p, const char *name)
{
	for (int i = 0; i < p->nseen; i++)
		if (strcmp(p->seen[i].name, name) == 0)
			return &p->seen[i];
	return NULL;
}

/* The definition of the section called name, and in *suffix what follows a family's
 * prefix. */
static const struct section_def *find_def(const struct parse *p, const char *name,
                                          const char **suffix)
{
	for (int i = 0; i < p->ndefs; i++) {
		const struct section_def *d = &p->defs[i];
		size_t len = strlen(d->name);
		int match = d->name[len - 1] == '.' ? strncmp(name, d->name, len) == 0 && name[len]
		                                    : strcmp(name, d->name) == 0;
		if (match) {
			*suffix = name + len;
			return d;
		}
	}
	return NULL;
}

/* Opens the section whose header starts after the '[' at header. */
static int open_section(struct parse *p, const char *header)
{
	const char *end = strchr(header, ']');
	char name[SECTION_NAME_MAX];
	const struct section_def *d;
	const char *suffix;
	struct seen *s;

	if (!end)
		return fail(p, KR_CONFIG, p->line, NULL, NULL, "section header without ']'");
	if ((size_t)(end - header) >= sizeof name)
		return fail(p, KR_CONFIG, p->line, NULL, NULL, "section name longer than %zu bytes",
		            sizeof name - 1);
	memcpy(name, header, (size_t)(end - header));
	name[end - header] = '\0';
	if ((s = find_seen(p, name)))
		return fail(p, KR_CONFIG, p->line, name, NULL,
		            "section given twice (first on line %d)", s->line);
	if (!(d = find_def(p, name, &suffix)))
		return fail(p, KR_CONFIG, p->line, name, NULL, "unknown section");
	if (p->nseen == MAX_SECTIONS)
		return fail(p, KR_CONFIG, p->line, name, NULL, "more than %d sections",
		            MAX_SECTIONS);
	s = &p->seen[p->nseen];
	memset(s, 0, sizeof *s);
	memcpy(s->name, name, sizeof name);
	s->def = d;
	s->line = p->line;
	s->obj = d->open ? d->open(p, s, suffix) : p->target;
	if (!s->obj)
		return p->rc;
	p->nseen++;
	return KR_OK;
}

/* inih's reader: one line, counted; a section header is opened here, before inih hands
 * out its keys. Ends the parse (NULL) at the first error. */
static char *read_line(char *str, int num, void *stream)
{
	struct parse *p = stream;
	const char *s = str;

	if (p->rc != KR_OK || !fgets(str, num, p->fp))
		return NULL;
	p->line++;
	size_t len = strlen(str);
	if (len == (size_t)num - 1 && str[len - 1] != '\n') {
		int c = getc(p->fp);
		if (c != EOF && c != '\n') {
			fail(p, KR_CONFIG, p->line, NULL, NULL, "line longer than %d bytes",
			     num - 3);
			return NULL;
		}
	}
	if (p->line == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3; /* a UTF-8 BOM, which inih skips too */
	len = strspn(s, " \t\r\n\v\f");
	p->indented = len > 0 && s[len] != '\0';
	s += len;
	if (*s == '[' && open_section(p, s + 1) != KR_OK)
		return NULL;
	return str;
}

/* inih's handler: one key = value of the current line. */
static int on_value(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	struct seen *s = find_seen(p, section);

	if (!s) {
		fail(p, KR_CONFIG, p->line, NULL, NULL, "%s: key before any [section]", name);
		return 0;
	}
	return s->def->key(p, s, name, value) == KR_OK;
}

/* Reads path against defs into target. Returns KR_OK, or the first error in err. */
static int parse_path(const char *path, const struct section_def *defs, int ndefs, void *target,
                      struct kerr *err)
{
	struct parse p = {.file = path, .defs = defs, .ndefs = ndefs, .target = target, .err = err};

	if (!(p.fp = fopen(path, "r")))
		return kerr_set(err, KR_IO, "%s: cannot open: %s", path, strerror(errno));
	int bad = ini_parse_stream(read_line, &p, on_value, &p);
	if (bad < 0)
		fail(&p, KR_NOMEM, 0, NULL, NULL, "out of memory");
	else if (bad > 0)
		fail(&p, KR_CONFIG, bad, NULL, NULL, "expected [section] or key = value");
	if (ferror(p.fp))
		fail(&p, KR_IO, p.line, NULL, NULL, "read error: %s", strerror(errno));
	fclose(p.fp);
	for (int i = 0; i < p.nseen && p.rc == KR_OK; i++)
		p.seen[i].def->close(&p, &p.seen[i]);
	for (int i = 0; i < ndefs && p.rc == KR_OK; i++)
		if (defs[i].required && !find_seen(&p, defs[i].name))
			fail(&p, KR_CONFIG, p.line, defs[i].name, NULL, "missing section");
	return p.rc;
}

int conf_load_region(const char *path, struct conf_region *out, struct kerr *err)
{
	char file[sizeof out->file];

	if (snprintf(file, sizeof file, "%s", path) >= (int)sizeof file)
		return kerr_set(err, KR_IO, "%s: path too long", path);
	memset(out, 0, sizeof *out);
	memcpy(out->file, file, sizeof file);
	return parse_path(out->file, region_sections,
	                  (int)(sizeof region_sections / sizeof region_sections[0]), out, err);
}

int conf_load(const char *path, struct conf *out, struct kerr *err)
{
	memset(out, 0, sizeof *out);
	if (snprintf(out->file, sizeof out->file, "%s", path) >= (int)sizeof out->file)
		return kerr_set(err, KR_IO, "%s: path too long", path);
	int rc = parse_path(out->file, kiosk_sections,
	                    (int)(sizeof kiosk_sections / sizeof kiosk_sections[0]), out, err);
	if (rc != KR_OK)
		return rc;
	return conf_load_region(out->region.file, &out->region, err);
}

const char *conf_service_name(enum conf_service s)
{
	return (int)s >= 0 && s < SVC_COUNT ? service_keys[s].name : "?";
}

int conf_service_from_name(const char *name)
{
	for (int s = 0; name && s < SVC_COUNT; s++)
		if (strcmp(service_keys[s].name, name) == 0)
			return s;
	return -1;
}
