/* dirs.c - creating the directories results go into; see dirs.h. */
#include "core/base/dirs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int yb_mkdir_p(const char *dir, struct yb_err *err)
{
	char tmp[PATH_MAX];
	struct stat st;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s", dir) >= sizeof(tmp))
		return yb_err_set(err, YB_EOUTPUT, "output path too long");
	/* Each parent, then dir itself (the loop's last round). */
	for (char *p = tmp + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
			return yb_err_set(err, YB_EOUTPUT,
					  "cannot create output directory %s: "
					  "%s",
					  tmp, strerror(errno));
		*p = c;
		if (!c)
			break;
	}
	if (stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode))
		return yb_err_set(err, YB_EOUTPUT,
				  "output path %s is not a directory", tmp);
	return 0;
}

void yb_default_dir(char *buf, size_t len, const char *prefix)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(buf, len, "yasmin-results/%s%s", prefix, stamp);
}
