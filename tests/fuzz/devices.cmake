# Fuzz targets of the device codecs: the SAM frame scanner, the ID card text block and
# the dispenser's KDP/1 frames, each over its seeds in tests/fuzz/<name>/.
foreach(target sam_frame sam_text kdp_frame)
  file(GLOB seeds ${CMAKE_CURRENT_LIST_DIR}/${target}/*)
  kiosk_fuzz(${target} fuzz ${seeds})
endforeach()
