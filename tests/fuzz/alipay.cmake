# Fuzz target for the Alipay answer reader (kiosk/pay/verify.c).
file(GLOB FUZZ_ALIPAY_SEEDS ${CMAKE_CURRENT_LIST_DIR}/alipay/*)
kiosk_fuzz(alipay "fuzz;pay" ${FUZZ_ALIPAY_SEEDS})
