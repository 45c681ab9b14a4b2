# `cmake --install build --prefix P`: the libraries (tcpclose::core header-only, ::model,
# ::proofs, ::c), their headers, the `tcpclose` program, a CMake package config
# (find_package(tcpclose CONFIG)) and a pkg-config file (tcpclose.pc, for the C API).
# Rule: install rules live here, so the layers' CMakeLists stay about building.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set_target_properties(tcpclose_core PROPERTIES EXPORT_NAME core)
set_target_properties(tcpclose_model PROPERTIES EXPORT_NAME model)
set_target_properties(tcpclose_proofs PROPERTIES EXPORT_NAME proofs)
set_target_properties(tcpclose_c PROPERTIES EXPORT_NAME c)

install(TARGETS tcpclose_core tcpclose_model tcpclose_proofs tcpclose_c EXPORT tcpclose-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS tcpclose RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
foreach(dir core/include model/include proofs/include capi/include)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endforeach()

set(TCPCLOSE_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/tcpclose)
install(EXPORT tcpclose-targets NAMESPACE tcpclose:: DESTINATION ${TCPCLOSE_CMAKEDIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/tcpclose-config.cmake.in
                              ${PROJECT_BINARY_DIR}/tcpclose-config.cmake INSTALL_DESTINATION ${TCPCLOSE_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tcpclose-config-version.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tcpclose-config.cmake ${PROJECT_BINARY_DIR}/tcpclose-config-version.cmake
        DESTINATION ${TCPCLOSE_CMAKEDIR})

# The .pc file finds the prefix from its own place (pcfiledir), so `--prefix` at install time works.
file(RELATIVE_PATH TCPCLOSE_PC_TO_PREFIX /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
configure_file(${CMAKE_CURRENT_LIST_DIR}/tcpclose.pc.in ${PROJECT_BINARY_DIR}/tcpclose.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/tcpclose.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
