/* catalogue.h — the businesses the kiosk offers, as data.
 *
 * Each (business, holder) pair has a recipe: the steps a user goes through, the
 * materials to show, whether the kiosk finishes alone or files an order for central
 * review, and which key options (years, seal, sub-keys) apply. The session flow walks
 * these tables; nothing about a business is hand-written into the flow. */
#ifndef KIOSK_CATALOGUE_H
#define KIOSK_CATALOGUE_H

enum business {
	BIZ_NEW,      /* 新办: a certificate (and seal) on a blank key */
	BIZ_RENEW,    /* 延期/年审: extend the certificate on the user's own key */
	BIZ_REISSUE,  /* 补办: a new key replacing a lost one (old certificate revoked) */
	BIZ_CHANGE,   /* 变更: re-issue with changed name, legal person or seal template */
	BIZ_UNLOCK,   /* 解锁/密码重置: reset the user PIN of a locked key */
	BIZ_EXCHANGE, /* 免费换发: replace a Jiangsu CA key by one of ours */
	BIZ_CHECK,    /* 检测: interoperability check of the inserted key */
	BIZ_REVOKE,   /* 注销: report a lost key and revoke its certificate */
	BIZ_COUNT
};

enum holder { HOLDER_UNIT, HOLDER_PERSON, HOLDER_COUNT };

/* The steps a user can meet, in the order a recipe lists them. */
enum step {
	STEP_HOLDER,     /* unit or person */
	STEP_ORDER_NO,   /* pick-up: the number of an order reviewed centrally */
	STEP_INSERT_KEY, /* insert the key; triage runs */
	STEP_KEY_INFO,   /* what the key holds and what the kiosk can do */
	STEP_ID_CARD,    /* the agent or person places their ID card */
	STEP_UNIT_CODE,  /* the unit's credit code on a keypad */
	STEP_MATERIALS,  /* the materials to present and the declaration */
	STEP_OPTIONS,    /* years, seal, sub-keys, change kind */
	STEP_CONTACT,    /* mobile number for SMS and the e-invoice */
	STEP_PIN,        /* the new user PIN, entered twice */
	STEP_KEY_PIN,    /* the key's current PIN, once (a renewal onto a fresh key pair) */
	STEP_CONFIRM,    /* itemised fees, or what will be done */
	STEP_PAY,        /* Alipay QR with amount and countdown */
	STEP_WORK,       /* key work in progress */
	STEP_RESULT,     /* done / submitted: take the key and receipt */
	STEP_COUNT
};

/* When a step of a recipe applies. */
enum step_when {
	WHEN_ALWAYS = 0,
	WHEN_UNIT = 1 << 0,   /* only when the holder is a unit */
	WHEN_ALONE = 1 << 1,  /* only when the kiosk finishes the work itself */
	WHEN_REVIEW = 1 << 2, /* only when the order goes to central review */
	WHEN_FEE = 1 << 3,    /* only when the total is above zero */
	/* only when the key's PIN is asked for: a renewal onto a fresh key pair ([keys]
	 * renew_fresh_key), or a renewal authorised by possession of the key (authority.h).
	 * The flow judges this one; catalogue_step_applies() does not */
	WHEN_KEY_PIN = 1 << 4,
};

enum material {
	MAT_LICENCE = 1 << 0,       /* 营业执照副本复印件（加盖公章） */
	MAT_AGENT_ID = 1 << 1,      /* 授权代理人身份证（读卡） */
	MAT_APPLICANT_ID = 1 << 2,  /* 申请人身份证（读卡） */
	MAT_FORM = 1 << 3,          /* 数字证书申请表 */
	MAT_SEAL_FORM = 1 << 4,     /* 电子签章申请表&采集表 */
	MAT_LOSS_NOTE = 1 << 5,     /* 丢失说明 */
	MAT_CHANGE_NOTICE = 1 << 6, /* 工商变更通知书 */
	MAT_OUR_KEY = 1 << 7,       /* the kiosk CA's key (国信CA锁) */
	MAT_JSCA_KEY = 1 << 8,      /* a Jiangsu CA bidding key */
	MAT_COUNT_BITS = 9
};

/* What a change alters (变更). */
enum change_kind { CHANGE_NAME, CHANGE_LEGAL_PERSON, CHANGE_SEAL_TEMPLATE, CHANGE_COUNT };

/* Keys: the main key carries the seal; at most two sub-keys, never with a seal. */
#define CATALOGUE_MAX_SUB_KEYS 2

struct recipe_step {
	enum step step;
	unsigned when; /* enum step_when bits, all must hold */
};

struct recipe {
	enum business biz;
	enum holder holder;
	const char *key; /* string key, e.g. "biz.renew" */
	const struct recipe_step *steps;
	int nsteps;
	unsigned materials;  /* enum material bits to present */
	int review;          /* 1: an order for central review; 0: the kiosk finishes */
	int uses_own_key;    /* the user inserts their key */
	int new_key;         /* a key comes out of the dispenser */
	int years;           /* the user picks a number of years */
	int seal_option;     /* the user may order an e-seal (main key only) */
	int sub_keys_option; /* the user may order sub-keys */
	int change_option;   /* the user picks what changes */
	int pin;             /* the user chooses a new PIN */
	int charged;         /* fees come from the hall's table (else free by nature) */
};

/* The recipe for a business and holder, or NULL when there is none. BIZ_CHECK has one
 * recipe for both holders. */
const struct recipe *catalogue_recipe(enum business biz, enum holder holder);

/* The recipe for picking up an order the central site reviewed (网点自取): its number,
 * the collecting person's ID card, what will be made, a new PIN, a key from the
 * dispenser; for an approved change (BIZ_CHANGE), the key to change instead of the PIN
 * and a new key. Business and holder come from the order; nothing is charged here. The
 * two start alike: a session begins with any and takes the change's once the order is
 * found. */
const struct recipe *catalogue_pickup_recipe(enum business biz);

/* Whether step applies, given the recipe's review flag, the holder and the total. */
int catalogue_step_applies(const struct recipe *r, const struct recipe_step *s, enum holder holder,
                           long long total_fen);

/* Stable identifiers used in configuration, scripts and logs ("renew", "unit"). */
const char *catalogue_business_id(enum business biz);
const char *catalogue_holder_id(enum holder holder);
const char *catalogue_step_id(enum step step);
const char *catalogue_change_id(enum change_kind kind);
const char *catalogue_material_key(enum material m);
/* The reverse lookups; return -1 for an unknown name. */
int catalogue_business_from_id(const char *id);
int catalogue_holder_from_id(const char *id);
int catalogue_change_from_id(const char *id);

#endif
