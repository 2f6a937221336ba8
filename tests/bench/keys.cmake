# Benchmark of the key work (label bench): renewal and new-key personalisation on the
# SoftHSM rig, the kiosk's code beside the command line (keys_cli.sh), RSA-2048 and EC P-256.
kiosk_test(bench_keys bench ${CMAKE_CURRENT_LIST_DIR}/bench_keys.c
           ${CMAKE_SOURCE_DIR}/tests/keys/keys_rig.c)
add_dependencies(bench_keys p11shim p11rig)
set_tests_properties(bench_keys PROPERTIES TIMEOUT 300 ENVIRONMENT
  "KEYS_SHIM=$<TARGET_FILE:p11shim>;KEYS_P11RIG=$<TARGET_FILE:p11rig>;KEYS_RIG_SH=${CMAKE_SOURCE_DIR}/tests/rigs/softhsm.sh;KEYS_CLI=${CMAKE_CURRENT_LIST_DIR}/keys_cli.sh")
