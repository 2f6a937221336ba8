# Fuzz target for the hall's region file and the small parsers under it, over the real
# region files and the bad-config fixtures:
#   build/fuzz/tests/fuzz_conf_libfuzzer tests/unit/conf config/regions   (KIOSK_FUZZ=ON)
file(GLOB FUZZ_CONF_SEEDS ${CMAKE_SOURCE_DIR}/config/regions/*.ini
     ${CMAKE_SOURCE_DIR}/tests/unit/conf/*.ini)
kiosk_fuzz(conf fuzz ${FUZZ_CONF_SEEDS})
