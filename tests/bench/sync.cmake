# Central sync benchmark: 10,000 outbox events drained in batches vs one request each.
add_executable(bench_sync ${CMAKE_CURRENT_LIST_DIR}/bench_sync.c)
target_link_libraries(bench_sync PRIVATE kiosklib)
target_include_directories(bench_sync PRIVATE ${CMAKE_SOURCE_DIR}/tests)
add_test(NAME bench_sync
  COMMAND ${CMAKE_SOURCE_DIR}/tests/rigs/central.sh $<TARGET_FILE:central_peer>
          ${CMAKE_SOURCE_DIR} $<TARGET_FILE:bench_sync>)
set_tests_properties(bench_sync PROPERTIES LABELS bench TIMEOUT 900)
