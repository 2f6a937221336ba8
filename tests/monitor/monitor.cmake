# Monitoring: the Prometheus metrics file and the systemd notifications (label unit).
kiosk_test(test_metrics unit ${CMAKE_CURRENT_LIST_DIR}/test_metrics.c)
kiosk_test(test_notify unit ${CMAKE_CURRENT_LIST_DIR}/test_notify.c)

# The systemd unit, read by systemd's own parser.
add_test(NAME unit_verify COMMAND ${CMAKE_CURRENT_LIST_DIR}/unit-verify.sh $<TARGET_FILE:kiosk>
         ${CMAKE_SOURCE_DIR})
set_tests_properties(unit_verify PROPERTIES LABELS unit SKIP_RETURN_CODE 77)
