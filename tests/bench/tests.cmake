# Benchmarks: print figures, never fail on time. Excluded from the normal test presets;
# run with ctest -L bench.
kiosk_test(bench_store bench ${CMAKE_CURRENT_LIST_DIR}/bench_store.c
           ${CMAKE_CURRENT_LIST_DIR}/../store/store_testutil.c)
