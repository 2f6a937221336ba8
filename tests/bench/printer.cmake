# Benchmark of receipts and the CUPS printer (label bench): render time, submit to completed.
kiosk_test(bench_printer bench ${CMAKE_CURRENT_LIST_DIR}/bench_printer.c
           ${CMAKE_SOURCE_DIR}/tests/printer/prn_testutil.c)
target_include_directories(bench_printer PRIVATE ${CMAKE_SOURCE_DIR}/tests)
set_property(TEST bench_printer APPEND PROPERTY ENVIRONMENT
             "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/printer/lsan.supp")
