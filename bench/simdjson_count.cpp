// SPDX-License-Identifier: GPL-2.0
/*
 * The reference of the SBOM reader's benchmark (scripts/bench-sbom.sh):
 * Debian's simdjson (libsimdjson-dev) in its on-demand mode counts the
 * file-level SHA-256 digests of a CycloneDX or SPDX JSON document, the
 * same ones sbom_read() reports with file_level set: CycloneDX components
 * of type "file" (at any depth) with a hash of alg "SHA-256", SPDX files[]
 * with a checksum of algorithm "SHA256". Each digest's text is checked
 * (64 characters), as bomgate's reader does before it accepts one.
 *
 *   simdjson_count cdx|spdx FILE	prints the count
 *
 * simdjson loads the whole document (padded) before parsing: its peak
 * memory is the document's size.
 */
#include <cstdio>
#include <cstring>
#include <string_view>
#include "simdjson.h"

using namespace simdjson;

static bool digest_ok(std::string_view v)
{
	return v.size() == 64;
}

static unsigned long cdx_hashes(ondemand::array hashes)
{
	unsigned long n = 0;

	for (auto h : hashes) {
		ondemand::object o = h.get_object();
		std::string_view alg, content;
		bool is256 = false;

		for (auto f : o) {
			std::string_view k = f.unescaped_key();

			if (k == "alg") {
				alg = f.value().get_string();
				is256 = alg == "SHA-256";
			} else if (k == "content") {
				content = f.value().get_string();
			}
		}
		if (is256 && digest_ok(content))
			n++;
	}
	return n;
}

static unsigned long cdx_components(ondemand::array comps);

static unsigned long cdx_component(ondemand::object c)
{
	unsigned long n = 0, file_hashes = 0;
	bool is_file = false, seen_type = false;

	for (auto f : c) {
		std::string_view k = f.unescaped_key();

		if (k == "type") {
			is_file = std::string_view(f.value().get_string()) ==
				  "file";
			seen_type = true;
		} else if (k == "hashes") {
			/* counted once the type is known (it may come later) */
			file_hashes = cdx_hashes(f.value().get_array());
		} else if (k == "components") {
			n += cdx_components(f.value().get_array());
		}
	}
	if (seen_type && is_file)
		n += file_hashes;
	return n;
}

static unsigned long cdx_components(ondemand::array comps)
{
	unsigned long n = 0;

	for (auto c : comps)
		n += cdx_component(c.get_object());
	return n;
}

static unsigned long cdx(ondemand::document &doc)
{
	unsigned long n = 0;

	for (auto f : doc.get_object()) {
		if (f.unescaped_key().value() == "components")
			n += cdx_components(f.value().get_array());
	}
	return n;
}

static unsigned long spdx(ondemand::document &doc)
{
	unsigned long n = 0;

	for (auto f : doc.get_object()) {
		if (f.unescaped_key().value() != "files")
			continue;
		for (auto file : f.value().get_array()) {
			for (auto ff : file.get_object()) {
				if (ff.unescaped_key().value() != "checksums")
					continue;
				for (auto ck : ff.value().get_array()) {
					std::string_view alg, v;

					for (auto cf : ck.get_object()) {
						std::string_view k =
							cf.unescaped_key();

						if (k == "algorithm")
							alg = cf.value().get_string();
						else if (k == "checksumValue")
							v = cf.value().get_string();
					}
					if (alg == "SHA256" && digest_ok(v))
						n++;
				}
			}
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	ondemand::parser parser;
	padded_string json;
	unsigned long n;

	if (argc != 3 || (strcmp(argv[1], "cdx") && strcmp(argv[1], "spdx"))) {
		fprintf(stderr, "usage: simdjson_count cdx|spdx FILE\n");
		return 2;
	}
	if (padded_string::load(argv[2]).get(json)) {
		fprintf(stderr, "simdjson_count: %s: cannot load\n", argv[2]);
		return 1;
	}
	try {
		ondemand::document doc = parser.iterate(json);

		n = !strcmp(argv[1], "cdx") ? cdx(doc) : spdx(doc);
	} catch (simdjson_error &e) {
		fprintf(stderr, "simdjson_count: %s: %s\n", argv[2], e.what());
		return 1;
	}
	printf("%lu\n", n);
	return 0;
}
