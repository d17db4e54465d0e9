/* summary.c - the summary table and the clock warnings; see summary.h. */
#include "core/report/summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/mode.h"

struct summary_row {
	char name[64];
	const struct yb_point *lat; /* smallest ping-pong message */
	const struct yb_point *bw;  /* peak bandwidth */
	int bw_stream;              /* bw is a stream row */
};

/* "12/100%": each end's CPU in percent of one core, "-" if unknown. */
static void cpu_text(const struct yb_point *p, char *buf, size_t len)
{
	if (!p || (isnan(p->cpu_client_pct) && isnan(p->cpu_server_pct))) {
		snprintf(buf, len, "-");
		return;
	}
	char c[16] = "-", s[16] = "-";
	if (!isnan(p->cpu_client_pct))
		snprintf(c, sizeof(c), "%.0f", p->cpu_client_pct);
	if (!isnan(p->cpu_server_pct))
		snprintf(s, sizeof(s), "%.0f", p->cpu_server_pct);
	snprintf(buf, len, "%s/%s%%", c, s);
}

void yb_summary_print(FILE *fp, const struct yb_results *r)
{
	struct summary_row *rows = calloc(r->n ? r->n : 1, sizeof(*rows));
	size_t n = 0;

	if (!rows) {
		fprintf(fp, "no summary: out of memory\n");
		return;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct yb_point *p = &r->p[i];
		char label[64];
		size_t j;
		yb_point_label(p, label, sizeof(label));
		for (j = 0; j < n; j++)
			if (strcmp(rows[j].name, label) == 0)
				break;
		if (j == n) {
			memcpy(rows[n].name, label, sizeof(label));
			n++;
		}
		struct summary_row *s = &rows[j];
		if (p->mode == YB_MODE_PINGPONG && !isnan(p->lat_p50_us) &&
		    (!s->lat || p->bytes < s->lat->bytes))
			s->lat = p;
		/* Peak bandwidth is a stream's; a ping-pong sweep alone
		 * reports its own peak (both ways, NetPIPE's figure). */
		int stream = p->mode == YB_MODE_STREAM;
		if (isnan(p->bw_gbps) || (s->bw_stream && !stream))
			continue;
		if (!s->bw || (stream && !s->bw_stream) ||
		    p->bw_gbps > s->bw->bw_gbps) {
			s->bw = p;
			s->bw_stream = stream;
		}
	}
	if (n == 0) {
		fprintf(fp, "no results\n");
		free(rows);
		return;
	}
	const struct summary_row *tcp = NULL;
	int any_pp_peak = 0;
	for (size_t j = 0; j < n; j++) {
		if (strcmp(rows[j].name, "tcp") == 0)
			tcp = &rows[j];
		any_pp_peak |= rows[j].bw && !rows[j].bw_stream;
	}

	int w = 10;
	for (size_t j = 0; j < n; j++)
		if ((int)strlen(rows[j].name) > w)
			w = (int)strlen(rows[j].name);
	fprintf(fp, "%-*s %21s %9s %17s %9s %11s %10s\n", w, "transport",
		"one-way latency p50", "cpu c/s", "peak bandwidth", "cpu c/s",
		"lat vs tcp", "bw vs tcp");
	for (size_t j = 0; j < n; j++) {
		const struct summary_row *s = &rows[j];
		char lat[40] = "-", bw[40] = "-", lr[16] = "-", br[16] = "-";
		char lc[24], bc[24];
		if (s->lat)
			snprintf(lat, sizeof(lat), "%.3f us @ %llu B",
				 s->lat->lat_p50_us,
				 (unsigned long long)s->lat->bytes);
		if (s->bw)
			snprintf(bw, sizeof(bw), "%.3f Gbit/s%s",
				 s->bw->bw_gbps, s->bw_stream ? "" : "*");
		cpu_text(s->lat, lc, sizeof(lc));
		cpu_text(s->bw, bc, sizeof(bc));
		if (tcp && tcp->lat && s->lat && s->lat->lat_p50_us > 0)
			snprintf(lr, sizeof(lr), "%.2fx",
				 tcp->lat->lat_p50_us / s->lat->lat_p50_us);
		if (tcp && tcp->bw && s->bw && tcp->bw->bw_gbps > 0 &&
		    tcp->bw_stream == s->bw_stream)
			snprintf(br, sizeof(br), "%.2fx",
				 s->bw->bw_gbps / tcp->bw->bw_gbps);
		fprintf(fp, "%-*s %21s %9s %17s %9s %11s %10s\n", w, s->name,
			lat, lc, bw, bc, lr, br);
	}
	fprintf(fp, "(cpu c/s: client/server CPU time in %% of one core over "
		    "the timed trials");
	if (tcp)
		fprintf(fp, "; ratios to tcp: above 1.00x is better");
	fprintf(fp, ")\n");
	if (any_pp_peak)
		fprintf(fp, "(* no stream was measured: the ping-pong peak, "
			    "message size over one-way latency)\n");
	free(rows);
}

int yb_clock_cost_warning(const struct yb_results *r, double read_ns,
			  char *buf, size_t len)
{
	double least = INFINITY;

	for (size_t i = 0; i < r->n; i++)
		if (r->p[i].mode == YB_MODE_PINGPONG &&
		    r->p[i].lat_min_us > 0 && r->p[i].lat_min_us < least)
			least = r->p[i].lat_min_us;
	if (!(read_ns > 0) || !isfinite(least) ||
	    read_ns <= 0.05 * least * 1000.0)
		return 0;
	snprintf(buf, len,
		 "reading the clock costs %.0f ns, %.0f%% of the smallest "
		 "one-way latency measured (%.3f us): every sample holds one "
		 "read, so small latencies are overstated",
		 read_ns, read_ns / (least * 1000.0) * 100.0, least);
	return 1;
}

int yb_clock_stall_warning(const struct yb_results *r, char *buf,
			   size_t len, uint64_t *stalled)
{
	uint64_t zero = 0, all = 0;
	size_t points = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct yb_point *p = &r->p[i];
		uint64_t z = 0;
		if (p->mode != YB_MODE_PINGPONG || !p->hist)
			continue;
		for (size_t b = 0; b < p->hist_n; b++) {
			all += p->hist[b].count;
			if (p->hist[b].high == 0)
				z += p->hist[b].count;
		}
		zero += z;
		points += z > 0;
	}
	*stalled = zero;
	if (!zero)
		return 0;
	snprintf(buf, len,
		 "%llu of %llu round trips (in %zu points) timed 0 ns: the "
		 "clock stood still over them, so those points' minimum and "
		 "percentiles are understated; this machine's clock cannot "
		 "time single messages",
		 (unsigned long long)zero, (unsigned long long)all, points);
	return 1;
}
