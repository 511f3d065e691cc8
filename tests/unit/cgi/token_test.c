/* token_test.c - lifetimes of mailed links at a given (injected) time. */
#include <criterion/criterion.h>

#include "token.h"

static struct db_token S_tok(long long expires, long long used, int tries)
{
	struct db_token t = {0};
	t.expires_at = expires;
	t.used_at = used;
	t.tries = tries;
	return t;
}

Test(token, valid_until_its_expiry_second)
{
	struct db_token t = S_tok(1000, 0, 0);
	cr_assert_eq(token_state(&t, 0, 0), TOKEN_OK);
	cr_assert_eq(token_state(&t, 0, 1000), TOKEN_OK, "the last second still counts");
	cr_assert_eq(token_state(&t, 0, 1001), TOKEN_EXPIRED);
}

Test(token, thirty_minutes_and_twenty_four_hours)
{
	long long issued = 1795600000;
	struct db_token reset = S_tok(issued + 30 * 60, 0, 0);
	struct db_token verify = S_tok(issued + 24 * 3600, 0, 0);
	cr_assert_eq(token_state(&reset, 5, issued + 29 * 60), TOKEN_OK);
	cr_assert_eq(token_state(&reset, 5, issued + 31 * 60), TOKEN_EXPIRED);
	cr_assert_eq(token_state(&verify, 0, issued + 23 * 3600), TOKEN_OK);
	cr_assert_eq(token_state(&verify, 0, issued + 25 * 3600), TOKEN_EXPIRED);
}

Test(token, used_once_is_used_for_good)
{
	struct db_token t = S_tok(1000, 500, 0);
	cr_assert_eq(token_state(&t, 0, 600), TOKEN_USED);
	cr_assert_eq(token_state(&t, 0, 2000), TOKEN_USED, "used wins over expired");
}

Test(token, a_replaced_token_counts_as_used)
{
	struct db_token t = S_tok(1000, -1, 0);
	cr_assert_eq(token_state(&t, 0, 10), TOKEN_USED);
}

Test(token, wrong_codes_void_it_at_the_limit)
{
	struct db_token t = S_tok(1000, 0, 4);
	cr_assert_eq(token_state(&t, 5, 10), TOKEN_OK);
	t.tries = 5;
	cr_assert_eq(token_state(&t, 5, 10), TOKEN_USED);
	cr_assert_eq(token_state(&t, 0, 10), TOKEN_OK, "no limit when max_tries is 0");
}
