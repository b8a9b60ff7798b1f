// SPDX-License-Identifier: GPL-2.0
/*
 * bomgate report from event files (issue 16): repeats add their counts,
 * lines that are not events are skipped with file:line (an error with
 * --strict), hostile paths and process names are escaped, dropped and
 * tamper events are called out, and the exit status answers "ready?".
 * The VM test report_test runs it on a real daemon's events.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "kselftest_harness.h"
#include "testutil.h"

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

#define EV(type, hook, dec, reason, path, sha, comm, t, count) \
	"{\"schema\":\"bomgate.event/1\",\"type\":\"" type "\",\"seq\":1," \
	"\"time\":\"" t "\",\"hook\":\"" hook "\",\"decision\":\"" dec "\"," \
	"\"reason\":\"" reason "\",\"mode\":\"audit\",\"path\":\"" path "\"," \
	"\"sha256\":\"" sha "\",\"pid\":9,\"uid\":0,\"comm\":\"" comm "\"," \
	"\"parent\":{\"pid\":1,\"exe\":\"/usr/bin/dash\"},\"count\":" count "}\n"

FIXTURE(report) {
	char dir[64], bin[PATH_MAX], out[65536];
};

FIXTURE_SETUP(report)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/report_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_NE(NULL, realpath(tu_build(), self->bin));
	strncat(self->bin, "/bomgate", sizeof(self->bin) - strlen(self->bin) - 1);
	tu_put(self->dir, "a.jsonl",
	       EV("decision", "exec", "would-deny", "unknown-digest", "/opt/a",
		  SHA_A, "sh", "2026-01-02T00:00:01.000Z", "1")
	       EV("repeat", "exec", "would-deny", "unknown-digest", "/opt/a",
		  SHA_A, "sh", "2026-01-02T00:00:09.000Z", "6")
	       "{\"schema\":\"bomgate.event/1\",\"type\":\"decision\",\"hook\":\"mm\n"
	       EV("decision", "mmap", "would-deny", "open-for-write",
		  "/opt/lib\\u001b[31m.so", SHA_B, "x\\u001b]0;pwn\\u0007", "2026-01-02T00:00:05.000Z", "1")
	       EV("decision", "exec", "allowed", "listed", "/bin/true",
		  SHA_B, "sh", "2026-01-02T00:00:03.000Z", "1")
	       "{\"schema\":\"bomgate.event/1\",\"type\":\"drops\",\"time\":\"2026-01-02T00:00:06.000Z\",\"dropped\":3,\"total\":3}\n"
	       "{\"schema\":\"bomgate.event/1\",\"type\":\"tamper\",\"time\":\"2026-01-02T00:00:07.000Z\",\"hook\":\"state\",\"decision\":\"detected\",\"what\":\"config\"}\n");
	tu_put(self->dir, "clean.jsonl",
	       EV("decision", "exec", "allowed", "listed", "/bin/true",
		  SHA_B, "sh", "2026-01-02T00:00:03.000Z", "1"));
}

FIXTURE_TEARDOWN(report)
{
	tu_rm_rf(self->dir);
}

TEST_F(report, repeats_add_up_and_hostile_text_is_escaped)
{
	EXPECT_EQ(1, tu_run_self(self, "$B report a.jsonl"));
	EXPECT_NE(NULL, strstr(self->out, "a.jsonl:3: not an event line"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "exec      NOT READY: 1 distinct files, 7 uses"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "mmap      NOT READY: 1 distinct files, 1 uses"));
	EXPECT_NE(NULL, strstr(self->out, "2026-01-02T00:00:01.000Z to 2026-01-02T00:00:09.000Z"));
	EXPECT_NE(NULL, strstr(self->out, "/opt/lib\\x1b[31m.so"));
	EXPECT_NE(NULL, strstr(self->out, "x\\x1b]0;pwn\\x07"));
	EXPECT_EQ(NULL, strchr(self->out, '\x1b'));
	EXPECT_NE(NULL, strstr(self->out, "3 events were dropped"));
	EXPECT_NE(NULL, strstr(self->out, "1 tamper events"));
	EXPECT_NE(NULL, strstr(self->out, "fix: listed, but open for writing"));

	EXPECT_EQ(1, tu_run_self(self, "$B report --json - < a.jsonl 2>/dev/null"));
	EXPECT_NE(NULL, strstr(self->out, "\"path\":\"/opt/a\",\"sha256\":\"" SHA_A "\",\"uses\":7,\"enforced\":false"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"skipped\":1,\"dropped\":3,\"tampers\":1,\"allowed\":1"));
	EXPECT_NE(NULL, strstr(self->out, "\"path\":\"/opt/lib\\u001b[31m.so\""));
}

TEST_F(report, exit_status_and_bad_input)
{
	EXPECT_EQ(0, tu_run_self(self, "$B report clean.jsonl"));
	EXPECT_NE(NULL, strstr(self->out, "Nothing was denied or would have been."));
	EXPECT_EQ(3, tu_run_self(self, "$B report --strict a.jsonl"));
	EXPECT_NE(NULL, strstr(self->out, "--strict")) TH_LOG("%s", self->out);
	EXPECT_EQ(5, tu_run_self(self, "$B report missing.jsonl"));
	EXPECT_NE(NULL, strstr(self->out, "missing.jsonl: No such file"));
	EXPECT_EQ(3, tu_run_self(self, "$B report --against a.jsonl clean.jsonl"));
	EXPECT_NE(NULL, strstr(self->out, "a.jsonl:")) TH_LOG("%s", self->out);
	EXPECT_EQ(2, tu_run_self(self, "$B report"));
	EXPECT_EQ(2, tu_run_self(self, "$B report --coverage clean.jsonl"));
}

#define SHA_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

/* --sbom: the digest is in an SBOM (the policy is behind), the path is
 * there with another digest (the SBOM is stale), or neither. */
TEST_F(report, sbom_says_stale_behind_or_absent)
{
	tu_put(self->dir, "s.jsonl",
	       EV("decision", "exec", "would-deny", "unknown-digest", "/usr/bin/tool",
		  SHA_A, "sh", "2026-01-02T00:00:01.000Z", "1")
	       EV("decision", "exec", "would-deny", "unknown-digest", "/srv/x/new",
		  SHA_B, "sh", "2026-01-02T00:00:02.000Z", "1")
	       EV("decision", "exec", "would-deny", "unknown-digest", "/tmp/dropped",
		  SHA_C "", "sh", "2026-01-02T00:00:03.000Z", "1"));
	tu_put(self->dir, "sbom.json",
	       "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"version\":1,\"components\":["
	       "{\"type\":\"file\",\"name\":\"./usr/bin/tool\",\"version\":\"2.1\",\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"" SHA_C "\"}]},"
	       "{\"type\":\"file\",\"name\":\"opt/new\",\"version\":\"3\",\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"" SHA_B "\"}]}]}\n");
	EXPECT_EQ(1, tu_run_self(self, "$B report --sbom sbom.json s.jsonl"));
	EXPECT_NE(NULL, strstr(self->out, "sbom: stale SBOM: ./usr/bin/tool 2.1 (sbom.json line 1) lists this path with sha256 cccccccccccccccc"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "sbom: listed as opt/new 3 (sbom.json line 1), not in the policy"))
		TH_LOG("%s", self->out);
	/* /tmp/dropped has SHA_C, which the SBOM gives to another path:
	 * its digest is listed, so the SBOM knows these bytes */
	EXPECT_NE(NULL, strstr(self->out, "sbom: listed as ./usr/bin/tool 2.1"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(5, tu_run_self(self, "$B report --sbom missing.json s.jsonl"));
	EXPECT_NE(NULL, strstr(self->out, "missing.json")) TH_LOG("%s", self->out);
	tu_put(self->dir, "none.json",
	       "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"version\":1,\"components\":[]}\n");
	EXPECT_EQ(1, tu_run_self(self, "$B report --json --sbom none.json s.jsonl"));
	EXPECT_NE(NULL, strstr(self->out, "\"sbom\":\"in none of the 1 SBOM given\""))
		TH_LOG("%s", self->out);
}

/*
 * Pixels of colour @rgb in the PNG at @path (8-bit RGB or RGBA, not
 * interlaced: what chromium's --screenshot writes); -1 if unreadable.
 */
static long png_count(const char *path, unsigned int rgb)
{
	unsigned char *png = NULL, *idat = NULL, *raw = NULL, *prev, *line;
	unsigned int w = 0, h = 0, bpp = 0;
	size_t n, ni = 0, p = 8, stride;
	uLongf rawlen;
	long count = -1;
	FILE *f = fopen(path, "rb");

	if (!f)
		return -1;
	png = malloc(1 << 24);
	idat = malloc(1 << 24);
	n = png && idat ? fread(png, 1, 1 << 24, f) : 0;
	fclose(f);
	while (p + 12 <= n) {
		size_t len = (size_t)png[p] << 24 | png[p + 1] << 16 |
			     png[p + 2] << 8 | png[p + 3];
		const unsigned char *t = png + p + 4, *c = png + p + 8;

		if (p + 12 + len > n)
			goto out;
		if (!memcmp(t, "IHDR", 4)) {
			w = c[0] << 24 | c[1] << 16 | c[2] << 8 | c[3];
			h = c[4] << 24 | c[5] << 16 | c[6] << 8 | c[7];
			if (c[8] != 8 || (c[9] != 2 && c[9] != 6) || c[12])
				goto out;
			bpp = c[9] == 6 ? 4 : 3;
		} else if (!memcmp(t, "IDAT", 4) && ni + len <= 1 << 24) {
			memcpy(idat + ni, c, len);
			ni += len;
		}
		p += 12 + len;
	}
	stride = (size_t)w * bpp;
	rawlen = (stride + 1) * h;
	if (!bpp || !(raw = malloc(rawlen)) ||
	    uncompress(raw, &rawlen, idat, ni) != Z_OK ||
	    rawlen != (stride + 1) * h)
		goto out;
	count = 0;
	prev = NULL;
	for (unsigned int y = 0; y < h; y++) {
		unsigned char ft = raw[y * (stride + 1)];

		line = raw + y * (stride + 1) + 1;
		for (size_t x = 0; x < stride; x++) {
			int a = x >= bpp ? line[x - bpp] : 0;
			int b = prev ? prev[x] : 0;
			int c = prev && x >= bpp ? prev[x - bpp] : 0;
			int pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c);

			if (ft == 1)
				line[x] += a;
			else if (ft == 2)
				line[x] += b;
			else if (ft == 3)
				line[x] += (a + b) >> 1;
			else if (ft == 4)
				line[x] += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
		}
		for (unsigned int x = 0; x < w; x++) {
			const unsigned char *px = line + x * bpp;

			count += ((unsigned int)px[0] << 16 | px[1] << 8 | px[2]) == rgb;
		}
		prev = line;
	}
out:
	free(raw);
	free(idat);
	free(png);
	return count;
}

/*
 * The HTML page, rendered by a real browser: each class's bar is drawn to
 * scale in its colour (exec: 2 files, 400 px; mmap: 1 file, 200 px; 18 px
 * high), and hostile text from the events arrives as text, not markup.
 */
TEST_F(report, html_page_renders_the_numbers)
{
	char shot[128], page[128];

	if (access("/usr/bin/chromium", X_OK))
		SKIP(return, "no /usr/bin/chromium (make deps installs it)");
	tu_put(self->dir, "h.jsonl",
	       EV("decision", "exec", "would-deny", "unknown-digest", "/opt/a",
		  SHA_A, "sh", "2026-01-02T00:00:01.000Z", "1")
	       EV("decision", "exec", "would-deny", "unknown-digest",
		  "/opt/<script>alert(1)</script>", SHA_B, "sh",
		  "2026-01-02T01:00:01.000Z", "1")
	       EV("decision", "mmap", "would-deny", "unknown-digest", "/opt/lib.so",
		  SHA_B, "sh", "2026-01-02T01:30:00.000Z", "1"));
	EXPECT_EQ(1, tu_run_self(self, "$B report --html page.html h.jsonl"))
		TH_LOG("%s", self->out);
	/* no markup from the events: grep finds none (exit 1) */
	EXPECT_EQ(1, tu_run_self(self, "grep -c '<script>' page.html"));
	EXPECT_EQ(0, tu_run_self(self, "grep -q '/opt/&lt;script&gt;alert(1)&lt;/script&gt;' page.html"));
	snprintf(page, sizeof(page), "%s/page.html", self->dir);
	snprintf(shot, sizeof(shot), "%s/page.png", self->dir);
	ASSERT_EQ(0, tu_run_self(self,
		"HOME=%s chromium --headless --no-sandbox --disable-gpu "
		"--hide-scrollbars --force-device-scale-factor=1 "
		"--window-size=1800,1400 --screenshot=%s file://%s",
		self->dir, shot, page)) TH_LOG("%s", self->out);
	EXPECT_EQ(400 * 18, png_count(shot, 0xc0392b));	/* exec */
	EXPECT_EQ(200 * 18, png_count(shot, 0xd35400));	/* mmap */
	EXPECT_EQ(0, png_count(shot, 0x8e44ad));	/* module: ready */
	/* refused uses per hour: 1 at 00h, 2 at 01h (the busiest, full) */
	EXPECT_EQ((400 + 200) * 18, png_count(shot, 0x2980b9));
}

TEST_HARNESS_MAIN
