# The conformance scoreboard (cmake -P): replays one public suite's snapshot and requires the
# totals line to be exactly EXPECT, so that a regression or an improvement shows in review.
# Run by the `conformance.*` tests; when the snapshot folder is absent it prints "SKIPPED: ..."
# (the tests' SKIP_REGULAR_EXPRESSION) instead of failing.
# -DTCPCLOSE=path -DROOT=suite folder -DDIRS=a|b (under ROOT) -DPROFILE=p -DEXPECT=line [-DEXTRA=a|b]
if(NOT IS_DIRECTORY "${ROOT}")
  message("SKIPPED: ${ROOT} is absent (the public suites live in ../shared/conformance/public)")
  return()
endif()
string(REPLACE "|" ";" dirs "${DIRS}")
set(files)
foreach(d ${dirs})
  file(GLOB_RECURSE found "${ROOT}/${d}/*.pkt")
  list(APPEND files ${found})
endforeach()
list(SORT files)
string(REPLACE "|" ";" extra "${EXTRA}")
execute_process(COMMAND "${TCPCLOSE}" replay --summary --profile ${PROFILE} ${extra} ${files}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
string(REGEX MATCH "[0-9]+ scripts: [0-9]+ pass, [0-9]+ mismatch, [0-9]+ unsupported, [0-9]+ parse error" totals "${out}")
if(NOT totals STREQUAL EXPECT)
  message(FATAL_ERROR "the scoreboard moved.\n  pinned: ${EXPECT}\n  now:    ${totals}\n"
                      "If the change is deliberate, update the pin in tests/packetdrill/CMakeLists.txt and the "
                      "table in docs/conformance.md.\n${out}${err}")
endif()
message("${totals}")
