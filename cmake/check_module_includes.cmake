# Fails when a file under src/<module>/ includes a header of a module that <module> does
# not declare in its sluice_module(... DEPS ...) call. Run by the build (cmake -P) with
# SOURCE_DIR, DEPS_FILE (written at configure time) and STAMP.
cmake_minimum_required(VERSION 3.25)
include(${DEPS_FILE})
set(problems "")
foreach(module IN LISTS SLUICE_MODULES)
  file(GLOB_RECURSE files "${SOURCE_DIR}/src/${module}/*.cpp" "${SOURCE_DIR}/src/${module}/*.hpp")
  foreach(path IN LISTS files)
    file(STRINGS "${path}" includes REGEX "^#include \"[a-z_0-9]+/")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^#include \"([a-z_0-9]+)/.*" "\\1" used "${line}")
      if(NOT used STREQUAL module AND NOT used IN_LIST SLUICE_DEPS_${module})
        file(RELATIVE_PATH shown "${SOURCE_DIR}" "${path}")
        string(APPEND problems "  ${shown}: ${line} (module ${module} does not declare ${used})\n")
      endif()
    endforeach()
  endforeach()
endforeach()
if(problems)
  message(FATAL_ERROR "includes across undeclared module boundaries "
                      "(declare the dependency in CMakeLists.txt or move the code):\n${problems}")
endif()
file(TOUCH "${STAMP}")
