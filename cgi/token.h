/* token.h - the life of a mailed one-time link: valid, expired, used up, or never issued. */
#ifndef CGI_TOKEN_H
#define CGI_TOKEN_H

#include "db.h"

enum token_state { TOKEN_OK, TOKEN_FORGED, TOKEN_EXPIRED, TOKEN_USED, TOKEN_ERROR };

/**
 * State at now of a token found in the database: used (also replaced by a newer one, or
 * voided by max_tries wrong codes; 0 = no code limit) comes before expired, so a used link
 * never reads as merely old. A token expires at the second after expires_at.
 */
enum token_state token_state(const struct db_token *t, int max_tries, long long now);

/**
 * Look up the link token text for purpose: its hash goes to hash, its row to t (release with
 * db_token_release). TOKEN_FORGED for text that is not one of our tokens.
 */
enum token_state token_check(struct db *db, const char *purpose, const char *token, int max_tries,
                             long long now, unsigned char hash[32], struct db_token *t);

#endif
