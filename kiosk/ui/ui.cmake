# The touch UI: the only code that includes SDL, in its own library so that kiosklib and
# the tests of other concerns stay free of it. Voice prompts are rendered at build time
# by espeak-ng (when installed) from the strings files into the build tree.
pkg_check_modules(UIDEPS REQUIRED IMPORTED_TARGET sdl2 SDL2_ttf libqrencode fontconfig libpng)
file(GLOB KIOSK_UI_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/kiosk/ui/*.c)
add_library(kioskui STATIC ${KIOSK_UI_SOURCES})
target_link_libraries(kioskui PUBLIC kiosklib PkgConfig::UIDEPS m)
target_link_libraries(kiosk PRIVATE kioskui)
target_compile_definitions(kioskui PUBLIC KIOSK_VOICE_DIR="${CMAKE_BINARY_DIR}/voice")

# Voice prompts: rendered from the strings files by espeak-ng into build/.../voice.
find_program(ESPEAK_NG espeak-ng)
if(ESPEAK_NG)
  file(GLOB KIOSK_STRING_FILES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/assets/strings/*.ini)
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/voice/rendered
    COMMAND bash ${CMAKE_SOURCE_DIR}/assets/voice/render.sh ${CMAKE_SOURCE_DIR}/assets/strings
            ${CMAKE_BINARY_DIR}/voice
    COMMAND ${CMAKE_COMMAND} -E touch ${CMAKE_BINARY_DIR}/voice/rendered
    DEPENDS ${KIOSK_STRING_FILES} ${CMAKE_SOURCE_DIR}/assets/voice/render.sh
    COMMENT "Rendering voice prompts with espeak-ng")
  add_custom_target(ui_voice ALL DEPENDS ${CMAKE_BINARY_DIR}/voice/rendered)
else()
  message(WARNING "espeak-ng not found: the kiosk will be silent (scripts/deps installs it)")
endif()
