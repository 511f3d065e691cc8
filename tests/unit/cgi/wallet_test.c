/* wallet_test.c - the pure parts of cgi/wallet.c: masked names, days, result messages. */
#include <criterion/criterion.h>
#include <string.h>

#include "buf.h"
#include "wallet.h"

static void S_mask(const char *name, const char *want)
{
	struct buf b = BUF_INIT;
	wallet_mask_name(&b, name);
	cr_assert_str_eq(b.len ? b.ptr : "", want, "mask of \"%s\"", name);
	buf_release(&b);
}

Test(wallet, names_are_masked_as_the_review_shows_them)
{
	S_mask("Li Wei", "Li W***");
	S_mask("Mary Ann Lee", "Mary A***");
	S_mask("王小明", "王**");
	S_mask("欧阳娜娜", "欧***");
	S_mask("司马相如先生", "司***");
	S_mask("Al", "A*");
	S_mask("A", "A");
	S_mask("", "");
	S_mask("Li 伟", "Li 伟***");
}

Test(wallet, days_start_at_midnight_china_standard_time)
{
	int ymd;
	/* 2026-11-25 15:59:59 UTC is 23:59:59 in Beijing; a second later is the 26th. */
	long long t = 1795622399;
	cr_assert_eq(wallet_day_start(t, &ymd), 1795536000);
	cr_assert_eq(ymd, 20261125);
	cr_assert_eq(wallet_day_start(t + 1, &ymd), 1795622400);
	cr_assert_eq(ymd, 20261126);
	cr_assert_eq(wallet_day_start(0, &ymd), -8 * 3600);
	cr_assert_eq(ymd, 19700101);
}

Test(wallet, every_refusal_has_a_message_and_success_has_none)
{
	cr_assert_null(wallet_result_key(WALLET_OK));
	cr_assert_null(wallet_result_key(WALLET_REPLAYED));
	for (int r = WALLET_UNVERIFIED; r < WALLET__MAX; r++) {
		const char *k = wallet_result_key((enum wallet_result)r);
		cr_assert_not_null(k, "result %d", r);
		cr_assert_eq(strncmp(k, "wallet_err_", 11), 0);
	}
	cr_assert_null(wallet_result_key(WALLET__MAX));
}
