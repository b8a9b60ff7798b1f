#include "kselftest_harness.h"
TEST_HARNESS_MAIN
