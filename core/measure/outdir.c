/* outdir.c - the output directory and its result files; see outdir.h. */
#include "core/measure/outdir.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/base/dirs.h"
#include "core/host/sysinfo.h"

static const struct yb_output_ops *const session_outputs[] = {
	&yb_output_csv,
	&yb_output_json,
};

static int mkdir_p(const char *dir, struct yb_err *err)
{
	int rc = yb_mkdir_p(dir, err);

	if (rc)
		return rc;
	if (access(dir, W_OK | X_OK) != 0)
		return yb_err_set(err, YB_EOUTPUT,
				  "output directory %s is not writable: %s",
				  dir, strerror(errno));
	return 0;
}

int yb_session_precheck(const char *dir, int force, struct yb_err *err)
{
	char path[PATH_MAX + 64], up[PATH_MAX];
	struct stat st;

	if (!dir)
		dir = "yasmin-results";
	if (snprintf(up, sizeof(up), "%s", dir) >= (int)sizeof(up))
		return yb_err_set(err, YB_EOUTPUT, "output path too long");
	/* The nearest existing ancestor must be a writable directory. */
	while (stat(up, &st) != 0) {
		char *slash = strrchr(up, '/');
		if (!slash) {
			snprintf(up, sizeof(up), ".");
			continue;
		}
		if (slash == up)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (!S_ISDIR(st.st_mode))
		return yb_err_set(err, YB_EOUTPUT,
				  "cannot create output directory %s: %s is "
				  "not a directory",
				  dir, up);
	if (access(up, W_OK | X_OK) != 0)
		return yb_err_set(err, YB_EOUTPUT,
				  "cannot create output directory %s: %s: %s",
				  dir, up, strerror(errno));
	for (size_t i = 0; !force && i < YB_SESSION_MAX_OUTPUTS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir,
			 session_outputs[i]->filename);
		if (access(path, F_OK) == 0)
			return yb_err_set(err, YB_EOUTPUT,
					  "%s already exists; use --force to "
					  "overwrite it or --out to choose "
					  "another directory",
					  path);
	}
	return 0;
}

int yb_session_open(struct yb_session *s, const char *dir, int force,
		    struct yb_err *err)
{
	char path[PATH_MAX + 64];
	int rc;

	memset(s, 0, sizeof(*s));
	yb_meta_init(&s->meta);
	yb_results_init(&s->results);
	if (dir) {
		snprintf(s->dir, sizeof(s->dir), "%s", dir);
	} else {
		yb_default_dir(s->dir, sizeof(s->dir), "");
	}
	rc = mkdir_p(s->dir, err);
	if (rc)
		goto fail;
	/* Refuse before measuring anything, and before creating any file. */
	rc = yb_session_precheck(s->dir, force, err);
	if (rc)
		goto fail;
	yb_sysinfo_meta(&s->meta, "");
	for (size_t i = 0; i < YB_SESSION_MAX_OUTPUTS; i++) {
		snprintf(path, sizeof(path), "%s/%s", s->dir,
			 session_outputs[i]->filename);
		rc = session_outputs[i]->open(&s->out[i], path, &s->meta, err);
		if (rc) {
			rc = yb_err_set(err, YB_EOUTPUT, "%s", err->msg);
			goto fail;
		}
		s->ops[i] = session_outputs[i];
		s->nout++;
	}
	return 0;
fail:
	yb_session_close(s, 0, NULL);
	return rc;
}

void yb_session_discard(struct yb_session *s)
{
	char dir[sizeof(s->dir)], path[PATH_MAX + 64];

	snprintf(dir, sizeof(dir), "%s", s->dir);
	yb_session_close(s, 0, NULL);
	for (size_t i = 0; i < YB_SESSION_MAX_OUTPUTS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir,
			 session_outputs[i]->filename);
		unlink(path);
	}
	rmdir(dir); /* fails, as it should, if anything else is there */
}

int yb_session_point(void *ctx, const struct yb_point *p, struct yb_err *err)
{
	struct yb_session *s = ctx;
	struct yb_point pt = *p;

	/* The engine knows nothing of rings; the session does. */
	pt.ring_bytes = s->cur.ring_bytes;
	memcpy(pt.wait, s->cur.wait, sizeof(pt.wait));
	if (!pt.pairs) {
		pt.pairs = s->cur.pairs ? s->cur.pairs : 1;
		pt.pair = s->cur.pairs ? s->cur.pair : 1;
	}
	if (yb_session_point_hook)
		yb_session_point_hook(&pt);
	p = &pt;
	int rc = yb_results_add(&s->results, p);

	if (rc)
		return yb_err_set(err, rc, "out of memory");
	for (size_t i = 0; i < s->nout; i++) {
		rc = s->ops[i]->point(s->out[i], p, err);
		if (rc)
			return yb_err_set(err, YB_EOUTPUT, "%s", err->msg);
	}
	return 0;
}

int yb_session_close(struct yb_session *s, int complete, struct yb_err *err)
{
	int rc = 0;

	for (size_t i = 0; i < s->nout; i++) {
		struct yb_err e;
		int r = s->ops[i]->finish(s->out[i], complete, &e);
		if (r && !rc)
			rc = yb_err_set(err, YB_EOUTPUT, "%s", e.msg);
	}
	s->nout = 0;
	yb_results_free(&s->results);
	yb_meta_free(&s->meta);
	return rc;
}
