/* ua.c - recognise the common browsers and systems; order matters (Edge says Chrome too). */
#include "ua.h"
#include "buf.h"

#include <string.h>

void ua_summary(struct buf *out, const char *ua)
{
	static const struct {
		const char *needle, *name;
	} browsers[] =
	    {
	        {"MicroMessenger", "WeChat"}, {"Edg/", "Edge"},      {"OPR/", "Opera"},
	        {"Firefox/", "Firefox"},      {"CriOS", "Chrome"},   {"Chrome/", "Chrome"},
	        {"Chromium/", "Chromium"},    {"Safari/", "Safari"}, {"curl/", "curl"},
	    },
	  systems[] = {
	      {"iPhone", "iPhone"},   {"iPad", "iPad"},      {"Android", "Android"},
	      {"Windows", "Windows"}, {"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"},
	      {"Linux", "Linux"},
	  };
	const char *b = NULL, *s = NULL;
	if (!ua)
		ua = "";
	for (size_t i = 0; i < sizeof(browsers) / sizeof(browsers[0]) && !b; i++)
		if (strstr(ua, browsers[i].needle))
			b = browsers[i].name;
	for (size_t i = 0; i < sizeof(systems) / sizeof(systems[0]) && !s; i++)
		if (strstr(ua, systems[i].needle))
			s = systems[i].name;
	if (b && s)
		buf_addf(out, "%s on %s", b, s);
	else if (b || s)
		buf_adds(out, b ? b : s);
	else
		buf_adds(out, "Unknown device");
}
