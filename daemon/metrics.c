// SPDX-License-Identifier: GPL-2.0
/* Prometheus text format for node_exporter's textfile collector. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "engine.h"
#include "fileio.h"
#include "log.h"
#include "policy.h"

int metrics_write(struct daemon *d)
{
	__u64 c[BG_CNT_MAX];
	struct engine_modes m;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	if (engine__counters(d->e, c) || engine__get_modes(d->e, &m))
		return -EIO;
	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	fputs("# HELP bomgate_decisions_total Decisions by hook and outcome.\n"
	      "# TYPE bomgate_decisions_total counter\n", f);
	for (int h = 0; h < BG_HOOK_MAX; h++)
		for (int k = 0; k < BG_DEC_MAX; k++)
			fprintf(f, "bomgate_decisions_total{hook=\"%s\",decision=\"%s\"} %llu\n",
				bg_hook_name(h), bg_decision_name(k),
				(unsigned long long)c[h * BG_DEC_MAX + k]);
	fprintf(f, "# HELP bomgate_events_dropped_total Events lost, ring buffer full.\n"
		"# TYPE bomgate_events_dropped_total counter\n"
		"bomgate_events_dropped_total %llu\n"
		"# TYPE bomgate_hashes_total counter\nbomgate_hashes_total %llu\n"
		"# TYPE bomgate_cache_hits_total counter\nbomgate_cache_hits_total %llu\n"
		"# TYPE bomgate_verdict_hits_total counter\nbomgate_verdict_hits_total %llu\n"
		"# TYPE bomgate_unmeasurable_total counter\nbomgate_unmeasurable_total %llu\n",
		(unsigned long long)c[BG_CNT_DROPS],
		(unsigned long long)c[BG_CNT_HASHES],
		(unsigned long long)c[BG_CNT_CACHE_HITS],
		(unsigned long long)c[BG_CNT_VERDICT_HITS],
		(unsigned long long)d->unmeasurable);
	fputs("# HELP bomgate_mode Mode per class (0 off, 1 audit, 2 enforce).\n"
	      "# TYPE bomgate_mode gauge\n", f);
	for (int i = 0; i < BG_CLASS_MAX; i++)
		fprintf(f, "bomgate_mode{class=\"%s\"} %u\n", bg_class_name(i),
			m.mode[i]);
	fprintf(f, "# TYPE bomgate_policy_version gauge\nbomgate_policy_version %llu\n"
		"# TYPE bomgate_lockout_guard_held_back gauge\nbomgate_lockout_guard_held_back %d\n"
		"# TYPE bomgate_uptime_seconds gauge\nbomgate_uptime_seconds %lld\n",
		(unsigned long long)GEN_VERSION(d->generation), d->held_back,
		(long long)(time(NULL) - d->started));
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	ret = fileio_write_file(d->conf->metrics_file, buf, len, 0644, 0);
	/* once per failure, not every 10 s (again after a success) */
	if (ret && ret != d->metrics_err)
		pr_warn("metrics %s: %s (said once until it works)",
			d->conf->metrics_file, fileio_strerror(ret));
	d->metrics_err = ret;
	free(buf);
	return ret;
}
