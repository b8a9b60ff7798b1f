// SPDX-License-Identifier: GPL-2.0
/* The JSON writer: commas and nesting follow the calls, strings are
 * escaped, bytes that are not UTF-8 become U+FFFD. */
#include <yajl/yajl_tree.h>

#include "kselftest_harness.h"
#include "json.h"

static char *written(void (*fn)(struct json_writer *))
{
	struct json_writer w;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	json_begin(&w, f);
	fn(&w);
	fclose(f);
	return buf;
}

static void nested(struct json_writer *w)
{
	json_object(w);
	json_kv_string(w, "a", "x");
	json_key(w, "list");
	json_array(w);
	json_u64(w, 1);
	json_object(w);
	json_end(w);
	json_array(w);
	json_end(w);
	json_null(w);
	json_end(w);
	json_kv_i64(w, "neg", -5);
	json_kv_bool(w, "t", true);
	json_kv_u64(w, "max", 18446744073709551615ULL);
	json_key(w, "o");
	json_object(w);
	json_kv_string(w, "n", NULL);
	json_end(w);
	json_end(w);
}

TEST(commas_and_nesting)
{
	char *s = written(nested);

	ASSERT_NE(NULL, s);
	EXPECT_STREQ("{\"a\":\"x\",\"list\":[1,{},[],null],\"neg\":-5,\"t\":true,"
		     "\"max\":18446744073709551615,\"o\":{\"n\":\"\"}}", s);
	free(s);
}

static void strings(struct json_writer *w)
{
	json_array(w);
	json_string(w, "q\"b\\s/\n\t\x01\x7f");
	json_string(w, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	/* lone continuation, overlong '/', surrogate, truncated sequence */
	json_string(w, "\x80|\xc0\xaf|\xed\xa0\x80|\xe2\x82");
	json_end(w);
}

TEST(strings_escaped_and_utf8_checked)
{
	char *s = written(strings), why[128];
	yajl_val v;

	ASSERT_NE(NULL, s);
	EXPECT_STREQ("[\"q\\\"b\\\\s/\\u000a\\u0009\\u0001\\u007f\","
		     "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\","
		     "\"\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\"]", s);
	/* and a real parser reads back what went in */
	v = yajl_tree_parse(s, why, sizeof(why));
	ASSERT_NE(NULL, v) TH_LOG("%s", why);
	ASSERT_TRUE(YAJL_IS_ARRAY(v));
	EXPECT_STREQ("q\"b\\s/\n\t\x01\x7f",
		     YAJL_GET_STRING(v->u.array.values[0]));
	yajl_tree_free(v);
	free(s);
}

TEST_HARNESS_MAIN
