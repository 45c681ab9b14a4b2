# Compares `tcpclose diagram --profile P` (DOT text, not SVG: SVG depends on the Graphviz
# version) with docs/diagrams/P.dot. -DTOOL=path -DPROFILE=name -DGOLDEN=file [-DMUTANT=name].
# With MUTANT, the mutant's name is dropped from the title first, so that only a change of
# behaviour can make the files differ (the negative control). On a difference, prints
# `diff -u` and fails; regenerate with `cmake --build build --target update-diagrams`.
set(args diagram --profile ${PROFILE})
if(DEFINED MUTANT)
  list(APPEND args --mutant ${MUTANT})
endif()
execute_process(COMMAND ${TOOL} ${args} OUTPUT_VARIABLE actual RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tcpclose diagram exited ${rc}")
endif()
if(DEFINED MUTANT)
  string(REPLACE ", mutant ${MUTANT}" "" actual "${actual}")
endif()
file(READ ${GOLDEN} expected)
if(NOT actual STREQUAL expected)
  get_filename_component(name ${GOLDEN} NAME)
  set(tmp ${CMAKE_CURRENT_BINARY_DIR}/${name}.actual)
  file(WRITE ${tmp} "${actual}")
  execute_process(COMMAND diff -u ${GOLDEN} ${tmp} OUTPUT_VARIABLE d)
  message(FATAL_ERROR "The derived diagram for profile ${PROFILE} no longer matches ${GOLDEN}:\n${d}\n"
                      "Regenerate with: cmake --build build --target update-diagrams")
endif()
