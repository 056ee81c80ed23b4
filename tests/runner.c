/*
 * runner.c - the runner linked into every tests/test_<module> binary.
 * Each test file defines test_suite(); this main runs it with Check and
 * exits non-zero on any failure.  CK_FORK=no (as under valgrind) is honoured
 * by Check itself.
 */
#include <check.h>
#include <stdlib.h>

Suite *test_suite(void);

int main(void)
{
    SRunner *runner = srunner_create(test_suite());
    int failed;
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
