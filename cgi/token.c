/* token.c - one rule for every mailed link, so verify, reset and email change agree. */
#include "token.h"
#include "auth.h"

#include <string.h>

enum token_state token_state(const struct db_token *t, int max_tries, long long now)
{
	if (t->used_at != 0 || (max_tries > 0 && t->tries >= max_tries))
		return TOKEN_USED;
	return t->expires_at < now ? TOKEN_EXPIRED : TOKEN_OK;
}

enum token_state token_check(struct db *db, const char *purpose, const char *token, int max_tries,
                             long long now, unsigned char hash[32], struct db_token *t)
{
	if (auth_token_hash(token, strlen(token), hash) < 0)
		return TOKEN_FORGED;
	int rc = db_token_get(db, purpose, hash, t);
	if (rc < 0)
		return TOKEN_ERROR;
	return rc == 0 ? TOKEN_FORGED : token_state(t, max_tries, now);
}
