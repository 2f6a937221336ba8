kiosk_test(test_app integration ${CMAKE_CURRENT_LIST_DIR}/test_app.c)
