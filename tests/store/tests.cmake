# Store tests: orders, history, journal, outbox, consumables; foreign and damaged files;
# disk full and read-only through a fault-injecting SQLite VFS; a kill -9 storm.
set(STORE_TESTUTIL ${CMAKE_CURRENT_LIST_DIR}/store_testutil.c)
kiosk_test(test_store store ${CMAKE_CURRENT_LIST_DIR}/test_store.c ${STORE_TESTUTIL})
kiosk_test(test_store_files store ${CMAKE_CURRENT_LIST_DIR}/test_store_files.c ${STORE_TESTUTIL})
kiosk_test(test_store_faults store ${CMAKE_CURRENT_LIST_DIR}/test_store_faults.c
           ${STORE_TESTUTIL})
kiosk_test(test_store_crash store ${CMAKE_CURRENT_LIST_DIR}/test_store_crash.c ${STORE_TESTUTIL})
kiosk_test(test_journal_verify store ${CMAKE_CURRENT_LIST_DIR}/test_journal_verify.c
           ${STORE_TESTUTIL})
