/*
 * outdir.h - a session's output directory and the result files in it
 * (results.csv, results.json): made and checked before anything is
 * measured, a point written to every file as it comes, finished at the
 * end.
 */
#ifndef YB_OUTDIR_H
#define YB_OUTDIR_H

#include "core/base/err.h"
#include "core/report/results.h"
#include "core/measure/session.h"

/*
 * Create dir (and parents) and the result files in it.  Existing result
 * files are an error unless force is set; the check happens before any
 * measurement, so a refused run costs nothing.  dir NULL picks
 * yasmin-results/YYYYMMDD-HHMMSS.
 */
int yb_session_open(struct yb_session *s, const char *dir, int force,
		    struct yb_err *err);
/*
 * The same checks as yb_session_open without touching anything: existing
 * result files (unless force), a path that cannot become a writable
 * directory.  Lets a command fail before it connects anywhere.
 */
int yb_session_precheck(const char *dir, int force, struct yb_err *err);
/* Sink for yb_sweep_opts.sink: ctx is the session. */
int yb_session_point(void *ctx, const struct yb_point *p, struct yb_err *err);
/* Finish the files (complete = 0 when cut short) and free everything. */
int yb_session_close(struct yb_session *s, int complete, struct yb_err *err);
/*
 * Undo yb_session_open for a run that never measured anything (a server
 * that refused it): close, remove the result files, and the directory if
 * that leaves it empty.
 */
void yb_session_discard(struct yb_session *s);

/*
 * For test builds only, and left undefined in yasmin-bench itself (a weak
 * reference, NULL there): called with each point before it is recorded
 * (figures scaled by an exact factor; tests/slowdown.c, local.h's
 * yb_local_serve_hook for the rest).
 */
extern void yb_session_point_hook(struct yb_point *p) __attribute__((weak));

#endif /* YB_OUTDIR_H */
