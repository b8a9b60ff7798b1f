// SPDX-License-Identifier: GPL-2.0
/*
 * bomgate report --html: the report as one page for the people who sign
 * off the switch to enforce. Self-contained (inline CSS and SVG, no
 * script, nothing fetched), every text from the events HTML-escaped.
 * Bars are drawn to scale, each class in its own colour (docs: the
 * colours are part of the page's contract: report_test measures them in
 * a screenshot).
 */
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "report.h"
#include "vocab.h"

#define BAR_W		400	/* px for the largest value */
#define BAR_H		18

/* One colour per class (RGB), refused bars; the timeline's, coverage's. */
static const char *const class_colour[RC_MAX] = {
	"#c0392b", "#d35400", "#8e44ad", "#2c3e50", "#16a085", "#7f8c8d",
};

#define TIMELINE_COLOUR	"#2980b9"
#define COVERED_COLOUR	"#27ae60"

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = *s;

		switch (c) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\x%02x", c);	/* visible */
			else
				fputc(c, f);
		}
	}
}

static unsigned int scaled(__u64 v, __u64 max)
{
	return max ? (unsigned int)((v * BAR_W + max / 2) / max) : 0;
}

static void readiness(FILE *f, const struct summary *s, const char *next)
{
	__u64 max = 0;

	for (int c = 0; c < RC_MAX; c++)
		if (s->files[c] > max)
			max = s->files[c];
	fputs("<h2>Readiness: what enforcing would have refused</h2>\n"
	      "<table><tr><th>class</th><th>verdict</th><th>files</th><th>uses</th>", f);
	if (next) {
		fputs("<th>with ", f);
		esc(f, next);
		fputs("</th>", f);
	}
	fputs("<th>distinct files refused</th></tr>\n", f);
	for (int c = 0; c < RC_MAX; c++) {
		unsigned int w = scaled(s->files[c], max);

		fprintf(f, "<tr><td>%s</td><td class=\"%s\">%s</td><td>%llu</td><td>%llu</td>",
			rclass_name[c], s->files[c] ? "no" : "yes",
			s->files[c] ? "NOT READY" : "ready",
			(unsigned long long)s->files[c],
			(unsigned long long)s->uses[c]);
		if (next)
			fprintf(f, "<td>%llu</td>",
				(unsigned long long)s->against_files[c]);
		fprintf(f, "<td><svg width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%llu files\">"
			"<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%d\" fill=\"%s\"/></svg></td></tr>\n",
			BAR_W, BAR_H, (unsigned long long)s->files[c], w, BAR_H,
			class_colour[c]);
	}
	fputs("</table>\n", f);
}

static int cmp_hour(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Refused uses per hour, oldest first, each bar scaled to the busiest. */
static void timeline(FILE *f, const struct report *rp)
{
	const char *order[MAX_HOURS];
	__u64 max = 0;
	int n = rp->nhours;

	if (!n)
		return;
	for (int i = 0; i < n; i++) {
		order[i] = rp->hour[i];
		if (rp->hour_uses[i] > max)
			max = rp->hour_uses[i];
	}
	qsort(order, n, sizeof(order[0]), cmp_hour);
	fputs("<h2>Refused uses per hour</h2>\n<table>", f);
	for (int i = 0; i < n; i++) {
		int k = (int)((const char (*)[14])order[i] - rp->hour);

		fprintf(f, "<tr><td>%s:00Z</td><td>%llu</td><td><svg width=\"%d\" height=\"%d\">"
			"<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%d\" fill=\"%s\"/></svg></td></tr>\n",
			rp->hour[k], (unsigned long long)rp->hour_uses[k], BAR_W,
			BAR_H, scaled(rp->hour_uses[k], max), BAR_H,
			TIMELINE_COLOUR);
	}
	fputs("</table>\n", f);
	if (rp->hours_lost)
		fprintf(f, "<p>%llu more uses beyond %d hours are not drawn.</p>\n",
			(unsigned long long)rp->hours_lost, MAX_HOURS);
}

static void files(FILE *f, const struct report *rp, const struct policy *next)
{
	char rs[256];

	if (!rp->head) {
		fputs("<p class=\"yes\">Nothing was denied or would have been.</p>\n", f);
		return;
	}
	fputs("<h2>Files enforcing would refuse</h2>\n<table><tr><th>class</th>"
	      "<th>path</th><th>sha256</th><th>uses</th><th>first</th><th>last</th>"
	      "<th>reasons</th><th>who</th>", f);
	if (next)
		fputs("<th>candidate</th>", f);
	fputs("<th>fix</th></tr>\n", f);
	for (const struct rec *r = rp->head; r; r = r->all) {
		fprintf(f, "<tr><td>%s</td><td>", rclass_name[r->rclass]);
		esc(f, r->path[0] ? r->path : "(no path: kernel count)");
		fprintf(f, "</td><td class=\"d\">%s</td><td>%llu</td><td>",
			r->sha[0] ? r->sha : "(not measured)",
			(unsigned long long)r->count);
		esc(f, r->first);
		fputs("</td><td>", f);
		esc(f, r->last);
		reasons_text(r->reasons, rs, sizeof(rs));
		fprintf(f, "</td><td>%s</td><td>", rs);
		for (int i = 0; i < r->nprocs; i++) {
			esc(f, r->procs[i]);
			fputs(i + 1 < r->nprocs ? "<br>" : "", f);
		}
		fputs("</td>", f);
		if (next) {
			int v = report_verdict(next, r->sha);

			fprintf(f, "<td>%s</td>", (r->reasons & ~POLICY_REASONS) ?
				"still denied" : v > 0 ? "allowed" :
				v < 0 ? "blocked" : "not listed");
		}
		fputs("<td>", f);
		esc(f, advice(r));
		if (r->sbom_note) {
			fputs("<br>SBOM: ", f);
			esc(f, r->sbom_note);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

void report_html(FILE *f, const struct report *rp, const struct policy *next,
		 const char *next_path)
{
	struct summary s;

	summarise(rp, next, &s);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
	      "<title>bomgate report</title>\n<style>\n"
	      "body{font-family:sans-serif;margin:16px;background:#fff;color:#222}\n"
	      "table{border-collapse:collapse;margin-bottom:16px}\n"
	      "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}\n"
	      ".no{color:#a00;font-weight:bold}.yes{color:#060}.d{font-family:monospace;font-size:80%}\n"
	      "svg{display:block}\n</style></head><body>\n"
	      "<h1>What enforcing would have refused</h1>\n<p>", f);
	fprintf(f, "%llu events in %llu lines (%llu skipped), ",
		(unsigned long long)rp->events, (unsigned long long)rp->lines,
		(unsigned long long)rp->skipped);
	esc(f, rp->first[0] ? rp->first : "-");
	fputs(" to ", f);
	esc(f, rp->last[0] ? rp->last : "-");
	fputs(".</p>\n", f);
	if (rp->drops)
		fprintf(f, "<p class=\"no\">%llu events were dropped by the kernel: counts are lower bounds.</p>\n",
			(unsigned long long)rp->drops);
	if (rp->tampers)
		fprintf(f, "<p class=\"no\">%llu tamper events: read them first.</p>\n",
			(unsigned long long)rp->tampers);
	readiness(f, &s, next_path);
	timeline(f, rp);
	files(f, rp, next);
	fputs("<p>Made by bomgate report from bomgated's event files "
	      "(docs/events.md, bomgate-report(1)).</p>\n</body></html>\n", f);
}
