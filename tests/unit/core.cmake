# Unit tests of the pure domain core (kiosk/core): ident, money, fees, catalogue, order,
# payment, reconciliation, China time, the result type.
kiosk_test(test_ident unit ${CMAKE_CURRENT_LIST_DIR}/test_ident.c)
kiosk_test(test_money unit ${CMAKE_CURRENT_LIST_DIR}/test_money.c)
kiosk_test(test_fees unit ${CMAKE_CURRENT_LIST_DIR}/test_fees.c)
kiosk_test(test_catalogue unit ${CMAKE_CURRENT_LIST_DIR}/test_catalogue.c)
kiosk_test(test_order unit ${CMAKE_CURRENT_LIST_DIR}/test_order.c)
kiosk_test(test_qr unit ${CMAKE_CURRENT_LIST_DIR}/test_qr.c)
kiosk_test(test_cntime unit ${CMAKE_CURRENT_LIST_DIR}/test_cntime.c)
kiosk_test(test_result unit ${CMAKE_CURRENT_LIST_DIR}/test_result.c)
kiosk_test(test_payment unit ${CMAKE_CURRENT_LIST_DIR}/test_payment.c)
kiosk_test(test_reconcile unit ${CMAKE_CURRENT_LIST_DIR}/test_reconcile.c)
