# What `cmake --install` lays out beyond the binaries, and the Debian 12
# package CPack makes of it (README "Installing", docs/decisions.md
# "Installing and the .deb").

# The binaries find profiles at <bin>/../share/cardd/profiles (region/
# search_path.h), so the two folders must keep that distance.
file(RELATIVE_PATH cardd_profiles_from_bin ${CMAKE_INSTALL_FULL_BINDIR}
     ${CMAKE_INSTALL_FULL_DATADIR}/cardd/profiles)
if(NOT cardd_profiles_from_bin STREQUAL "../share/cardd/profiles")
  message(FATAL_ERROR "cardd finds its profiles at <bindir>/../share/cardd/profiles; "
                      "CMAKE_INSTALL_BINDIR/DATADIR give ${cardd_profiles_from_bin}")
endif()

install(DIRECTORY profiles/ DESTINATION ${CMAKE_INSTALL_DATADIR}/cardd/profiles)
install(DIRECTORY web/ DESTINATION ${CMAKE_INSTALL_DATADIR}/cardd/web)
install(FILES packaging/cardd.toml DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The unit names the installed cardd, so it is written at install time, when
# the prefix is known (`--prefix`, or /usr inside cpack). Debian 12 keeps the
# units of /usr packages in /lib/systemd/system; other prefixes get
# <prefix>/lib/systemd/system (/usr/local/lib/systemd/system is on systemd's
# search path too).
install(CODE "
  set(prefix \"\${CMAKE_INSTALL_PREFIX}\")
  if(prefix STREQUAL \"/usr\")
    set(unit_dir /lib/systemd/system)
  else()
    set(unit_dir \"\${prefix}/lib/systemd/system\")
  endif()
  set(CARDD_BINDIR \"\${prefix}/${CMAKE_INSTALL_BINDIR}\")
  set(CARDD_DOCDIR \"\${prefix}/${CMAKE_INSTALL_DOCDIR}\")
  configure_file(\"${PROJECT_SOURCE_DIR}/packaging/cardd.service.in\"
                 \"${PROJECT_BINARY_DIR}/packaging/cardd.service\" @ONLY)
  file(INSTALL \"${PROJECT_BINARY_DIR}/packaging/cardd.service\" DESTINATION \"\${unit_dir}\")
")

set(CARDD_PACKAGE_CONTACT "cardd maintainers <root@localhost>"
    CACHE STRING "Maintainer field of the .deb")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME cardd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${CARDD_PACKAGE_CONTACT})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "card issuance service (social security cards)")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
       "cardd pulls applications from the bureau, encodes and prints cards on production "
       "lines, packs and ships them and reports every status change back. cardctl is the "
       "operator's command line.")
# Absolute install paths (the unit) land in the staging tree, and the install
# prefix inside cpack is the package's /usr.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# adduser for postinst; the shared libraries are appended by dpkg-shlibdeps.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "pcscd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "softhsm2, opensc")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
