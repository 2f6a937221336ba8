# Session-flow tests on an injected clock (pure: no store, no services).
kiosk_test(test_flow flow ${CMAKE_CURRENT_LIST_DIR}/test_flow.c)
