# The Debian package (label package): built from the release tree, checked by lintian,
# installed into a throwaway root, upgraded and removed there (test_package.sh). It
# builds build/release itself (the kiosk and its voice prompts only), so it runs alone.
add_test(NAME package COMMAND ${CMAKE_CURRENT_LIST_DIR}/test_package.sh ${CMAKE_SOURCE_DIR})
set_tests_properties(package PROPERTIES LABELS package TIMEOUT 600 RUN_SERIAL TRUE
                     SKIP_RETURN_CODE 77)
