# Runs one tcpclose command line and checks its exit code and output.
# -DCMD="a|b|c" (arguments separated by |)  -DEXIT=N  [-DMATCH=regex] (searched in stdout+stderr)  [-DNOMATCH=regex]
string(REPLACE "|" ";" CMD "${CMD}")
execute_process(COMMAND ${CMD} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
set(all "${out}${err}")
if(NOT rc EQUAL EXIT)
  message(FATAL_ERROR "`${CMD}` exited ${rc}, expected ${EXIT}. Output:\n${all}")
endif()
if(DEFINED MATCH AND NOT all MATCHES "${MATCH}")
  message(FATAL_ERROR "`${CMD}` output does not match /${MATCH}/:\n${all}")
endif()
if(DEFINED NOMATCH AND all MATCHES "${NOMATCH}")
  message(FATAL_ERROR "`${CMD}` output unexpectedly matches /${NOMATCH}/:\n${all}")
endif()
