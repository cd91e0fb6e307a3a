# SPDX-License-Identifier: Apache-2.0
# Keeps the safety core pure (no I/O, no clock, no threads, no library but the standard one).
#
# treadd_pure_library(NAME DIRS... SOURCES...) builds a library against an include root that
# holds only the pure directories (symlinks into the source tree), so an #include of config/,
# hal/, daemon/ (outside the supervisor) or tools/ does not compile. Before compiling, each source
# and header is scanned: an angle include must be a standard C++ header (no '/', no '.h'), and
# neither a thread/file/stream header nor a clock read may appear. A wrong include is a build error.
set(TREADD_PURE_INCLUDE ${PROJECT_BINARY_DIR}/pure-include)
set(TREADD_PURE_CHECK ${CMAKE_CURRENT_LIST_DIR}/check_pure_sources.cmake)

function(treadd_pure_dir dir)
  get_filename_component(parent ${TREADD_PURE_INCLUDE}/${dir} DIRECTORY)
  file(MAKE_DIRECTORY ${parent})
  if(NOT EXISTS ${TREADD_PURE_INCLUDE}/${dir})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${dir} ${TREADD_PURE_INCLUDE}/${dir} SYMBOLIC)
  endif()
endfunction()

function(treadd_pure_library name)
  cmake_parse_arguments(PURE "" "" "DIRS;SOURCES;LINK" ${ARGN})
  set(scanned)
  foreach(dir ${PURE_DIRS})
    treadd_pure_dir(${dir})
    file(GLOB files CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${dir}/*.hpp ${PROJECT_SOURCE_DIR}/${dir}/*.cpp)
    list(APPEND scanned ${files})
  endforeach()
  set(stamp ${CMAKE_CURRENT_BINARY_DIR}/${name}.pure)
  set(list_file ${CMAKE_CURRENT_BINARY_DIR}/${name}.pure-files)
  file(WRITE ${list_file} "${scanned}")
  add_custom_command(OUTPUT ${stamp}
    COMMAND ${CMAKE_COMMAND} -DLIST_FILE=${list_file} -DSTAMP=${stamp} -P ${TREADD_PURE_CHECK}
    VERBATIM
    DEPENDS ${scanned} ${TREADD_PURE_CHECK}
    COMMENT "Checking that ${name} includes only the core and the standard library")
  add_custom_target(${name}_purity DEPENDS ${stamp})
  add_library(${name} ${PURE_SOURCES})
  add_dependencies(${name} ${name}_purity)
  # Only the pure include root: the project root is deliberately not on this target's path.
  target_include_directories(${name} PUBLIC $<BUILD_INTERFACE:${TREADD_PURE_INCLUDE}>)
  if(PURE_LINK)
    target_link_libraries(${name} PUBLIC ${PURE_LINK})
  endif()
endfunction()
