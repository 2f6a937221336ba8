# Receipts and the CUPS printer (label printer): the PDF layout read back with poppler and
# zbar; the cups service against a private cupsd (tests/rigs/cupsd.sh); scenarios played
# by the kiosk binary with printer = cups. test_receipt leaves its receipts, as PDF and as
# 203-dpi PNG, in <build>/receipts/ (receipt-80mm.png, receipt-58mm.png) to look at.
set(PRN_TESTUTIL ${CMAKE_CURRENT_LIST_DIR}/prn_testutil.c)
kiosk_test(test_receipt printer ${CMAKE_CURRENT_LIST_DIR}/test_receipt.c ${PRN_TESTUTIL})
target_compile_definitions(test_receipt PRIVATE PRN_OUT_DIR="${CMAKE_BINARY_DIR}/receipts")
kiosk_test(test_printer_cups printer ${CMAKE_CURRENT_LIST_DIR}/test_printer_cups.c
           ${PRN_TESTUTIL})
set_tests_properties(test_receipt test_printer_cups PROPERTIES TIMEOUT 60)

# A renewal ends with its receipt in the capture folder; paper-out prints nothing.
foreach(case renewal:1 paper-out:0)
  string(REPLACE ":" ";" case ${case})
  list(GET case 0 name)
  list(GET case 1 jobs)
  add_test(NAME scenario_cups_${name}
    COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/scenario.sh ${CMAKE_SOURCE_DIR} $<TARGET_FILE:kiosk>
            ${CMAKE_SOURCE_DIR}/tests/scenarios/${name}.txt ${jobs})
  set_tests_properties(scenario_cups_${name} PROPERTIES LABELS printer TIMEOUT 60)
endforeach()

# fontconfig's one-time leak at its first use (see lsan.supp), for every test that renders
set_property(TEST test_receipt test_printer_cups scenario_cups_renewal scenario_cups_paper-out
             APPEND PROPERTY ENVIRONMENT
             "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/lsan.supp")
