# Monitoring: the Prometheus metrics file and the systemd notifications (label unit).
kiosk_test(test_metrics unit ${CMAKE_CURRENT_LIST_DIR}/test_metrics.c)
kiosk_test(test_notify unit ${CMAKE_CURRENT_LIST_DIR}/test_notify.c)
