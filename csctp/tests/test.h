/* Minimal unit-test harness shared by every csctp C test program.
 *
 * Each test file defines static void functions and a main() that calls
 * TEST_RUN(fn) for each, then returns TEST_SUMMARY(). Failures print the file,
 * line and expression; the summary line has the form "N passed, N failed"
 * prefixed by the program name so that CI log readers can find it. */
#ifndef CSCTP_TEST_H
#define CSCTP_TEST_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_passed_;
static int test_failed_;
static int test_cur_failed_;
static const char *test_cur_name_;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__,     \
              test_cur_name_, #cond);                                          \
      test_cur_failed_ = 1;                                                    \
    }                                                                          \
  } while (0)

#define CHECK_EQ(a, b)                                                         \
  do {                                                                         \
    long long test_a_ = (long long)(a), test_b_ = (long long)(b);              \
    if (test_a_ != test_b_) {                                                  \
      fprintf(stderr, "%s:%d: %s: CHECK_EQ(%s, %s) failed: %lld != %lld\n",    \
              __FILE__, __LINE__, test_cur_name_, #a, #b, test_a_, test_b_);   \
      test_cur_failed_ = 1;                                                    \
    }                                                                          \
  } while (0)

#define CHECK_MEM(a, b, n)                                                     \
  do {                                                                         \
    if (memcmp((a), (b), (n)) != 0) {                                          \
      fprintf(stderr, "%s:%d: %s: CHECK_MEM(%s, %s, %s) failed\n", __FILE__,   \
              __LINE__, test_cur_name_, #a, #b, #n);                           \
      test_cur_failed_ = 1;                                                    \
    }                                                                          \
  } while (0)

/* REQUIRE stops the current test function on failure. */
#define REQUIRE(cond)                                                          \
  do {                                                                         \
    CHECK(cond);                                                               \
    if (test_cur_failed_)                                                      \
      return;                                                                  \
  } while (0)

#define TEST_RUN(fn)                                                           \
  do {                                                                         \
    test_cur_name_ = #fn;                                                      \
    test_cur_failed_ = 0;                                                      \
    fn();                                                                      \
    if (test_cur_failed_) {                                                    \
      test_failed_++;                                                          \
      fprintf(stderr, "FAIL %s\n", #fn);                                       \
    } else {                                                                   \
      test_passed_++;                                                          \
    }                                                                          \
  } while (0)

#define TEST_SUMMARY()                                                         \
  (printf("%s: %d passed, %d failed\n", __FILE__, test_passed_,               \
          test_failed_),                                                       \
   fflush(stdout), test_failed_ ? 1 : 0)

#endif
