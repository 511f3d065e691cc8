/* ua_test.c - User-Agent summaries for activity lists. */
#include <criterion/criterion.h>

#include "buf.h"
#include "ua.h"

static void S_is(const char *ua, const char *want)
{
	struct buf b = BUF_INIT;
	ua_summary(&b, ua);
	cr_assert_str_eq(b.ptr, want, "for %s", ua ? ua : "(null)");
	buf_release(&b);
}

Test(ua, chrome_on_windows)
{
	S_is("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
	     "Chrome/120.0.0.0 Safari/537.36",
	     "Chrome on Windows");
}

Test(ua, edge_is_not_taken_for_chrome)
{
	S_is("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
	     "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
	     "Edge on Windows");
}

Test(ua, safari_on_iphone)
{
	S_is("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
	     "like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
	     "Safari on iPhone");
}

Test(ua, wechat_on_android)
{
	S_is("Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
	     "Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.40",
	     "WeChat on Android");
}

Test(ua, firefox_on_macos)
{
	S_is("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:120.0) Gecko/20100101 Firefox/120.0",
	     "Firefox on macOS");
}

Test(ua, command_line_client)
{
	S_is("curl/7.88.1", "curl");
}

Test(ua, unknown_and_missing)
{
	S_is("", "Unknown device");
	S_is(NULL, "Unknown device");
	S_is("SomethingElse/1.0", "Unknown device");
}
