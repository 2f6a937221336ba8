# The Debian package (issue 20): what `cpack -G DEB` in build/release puts where, and the
# package's control data. Files: /usr/bin/kiosk, /usr/share/kiosk/{assets,voice},
# /etc/kiosk/{kiosk.ini,regions/*.ini} (conffiles: config/kiosk.ini.dist is the shipped
# kiosk.ini), the systemd unit, the sysusers entry of the kiosk user, the man page and
# /usr/share/doc/kiosk. The maintainer scripts are packaging/deb/{postinst,prerm,postrm}.
include(GNUInstallDirs)
set(KIOSK_DEB ${CMAKE_CURRENT_LIST_DIR}/deb)
set(KIOSK_DEB_OUT ${CMAKE_BINARY_DIR}/deb)

install(TARGETS kiosk RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/assets/strings DESTINATION ${CMAKE_INSTALL_DATADIR}/kiosk/assets)
if(ESPEAK_NG) # kiosk/ui/ui.cmake: the prompts it rendered; without them the kiosk is silent
  install(DIRECTORY ${CMAKE_BINARY_DIR}/voice/ DESTINATION ${CMAKE_INSTALL_DATADIR}/kiosk/voice
          FILES_MATCHING PATTERN "*.wav")
endif()

# The hall's files: the conffiles list names every one installed under /etc.
install(FILES ${CMAKE_SOURCE_DIR}/config/kiosk.ini.dist DESTINATION /etc/kiosk RENAME kiosk.ini)
file(GLOB KIOSK_HALLS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/config/regions/*.ini)
install(FILES ${KIOSK_HALLS} DESTINATION /etc/kiosk/regions)
set(conffiles "/etc/kiosk/kiosk.ini\n")
foreach(hall ${KIOSK_HALLS})
  get_filename_component(name ${hall} NAME)
  string(APPEND conffiles "/etc/kiosk/regions/${name}\n")
endforeach()
file(WRITE ${KIOSK_DEB_OUT}/conffiles "${conffiles}")

# systemd: the unit (in /lib, as Debian 12 wants) and the kiosk user.
install(FILES ${CMAKE_SOURCE_DIR}/config/kiosk.service DESTINATION /lib/systemd/system)
install(FILES ${KIOSK_DEB}/kiosk.sysusers DESTINATION lib/sysusers.d RENAME kiosk.conf)

# The man page and the changelog, compressed as Debian wants (gzip -9n: no timestamp).
foreach(pair "kiosk.1;kiosk.1.gz" "changelog;changelog.gz")
  list(GET pair 0 in)
  list(GET pair 1 out)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${KIOSK_DEB}/${in})
  execute_process(COMMAND gzip -9nc ${KIOSK_DEB}/${in} OUTPUT_FILE ${KIOSK_DEB_OUT}/${out}
                  COMMAND_ERROR_IS_FATAL ANY)
endforeach()
install(FILES ${KIOSK_DEB}/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides
        RENAME kiosk)
install(FILES ${KIOSK_DEB_OUT}/kiosk.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${KIOSK_DEB_OUT}/changelog.gz ${KIOSK_DEB}/copyright ${CMAKE_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kiosk)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT
    "Seed 03e69113 maintainers <maintainers@users.noreply.b-seed-03e69113.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "certificate self-service kiosk")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "The software of the self-service terminals in Jiangsu's
public-resource-trading service halls: users check, unlock, renew, replace and
report the loss of their certificate USB keys, identify with their resident ID
card, pay with an Alipay QR code and get a printed receipt. Every order is kept
in an SQLite database and settled after a power cut.
.
The package runs the kiosk as a hardened systemd service (kiosk.service) under
the system user kiosk; /etc/kiosk/kiosk.ini is the hall's configuration.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The faces the code asks fontconfig for: Noto Sans CJK on screen (kiosk/ui/ui.c),
# WenQuanYi Micro Hei on receipts (kiosk/receipt/receipt.c); systemd-sysusers for the
# user (postinst). deb-systemd-helper/-invoke come from init-system-helpers, essential.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "fonts-noto-cjk, fonts-wqy-microhei, systemd")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "cups-daemon")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${KIOSK_DEB}/postinst ${KIOSK_DEB}/prerm ${KIOSK_DEB}/postrm ${KIOSK_DEB_OUT}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
