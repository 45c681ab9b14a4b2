# Compares `tcpclose table --format csv --profile P` with tests/golden/table-P.csv.
# -DTOOL=path -DPROFILE=name -DGOLDEN=file. On a difference, prints `diff -u` and fails;
# regenerate with `cmake --build build --target update-golden` and review the diff.
execute_process(COMMAND ${TOOL} table --format csv --profile ${PROFILE}
                OUTPUT_VARIABLE actual RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tcpclose table exited ${rc}")
endif()
file(READ ${GOLDEN} expected)
if(NOT actual STREQUAL expected)
  get_filename_component(name ${GOLDEN} NAME)
  set(tmp ${CMAKE_CURRENT_BINARY_DIR}/${name}.actual)
  file(WRITE ${tmp} "${actual}")
  execute_process(COMMAND diff -u ${GOLDEN} ${tmp} OUTPUT_VARIABLE d)
  message(FATAL_ERROR "The derived table for profile ${PROFILE} changed:\n${d}")
endif()
