# Receipts and the CUPS printer (label printer): the PDF layout read back with poppler and
# zbar; the cups service against a private cupsd (tests/rigs/cupsd.sh). test_receipt leaves its receipts, as PDF and as
# 203-dpi PNG, in <build>/receipts/ (receipt-80mm.png, receipt-58mm.png) to look at.
set(PRN_TESTUTIL ${CMAKE_CURRENT_LIST_DIR}/prn_testutil.c)
kiosk_test(test_receipt printer ${CMAKE_CURRENT_LIST_DIR}/test_receipt.c ${PRN_TESTUTIL})
target_compile_definitions(test_receipt PRIVATE PRN_OUT_DIR="${CMAKE_BINARY_DIR}/receipts")
kiosk_test(test_printer_cups printer ${CMAKE_CURRENT_LIST_DIR}/test_printer_cups.c
           ${PRN_TESTUTIL})
set_tests_properties(test_receipt test_printer_cups PROPERTIES TIMEOUT 60)

# fontconfig's one-time leak at its first use (see lsan.supp), for every test that renders
set_property(TEST test_receipt test_printer_cups
             APPEND PROPERTY ENVIRONMENT
             "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/lsan.supp")
