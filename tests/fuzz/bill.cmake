# Fuzz target for the trade bill reader (kiosk/pay/bill.c).
file(GLOB FUZZ_BILL_SEEDS ${CMAKE_CURRENT_LIST_DIR}/bill/*)
kiosk_fuzz(bill "fuzz;pay" ${FUZZ_BILL_SEEDS})
