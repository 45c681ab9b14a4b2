# Fails if any object in OBJECTS references an allocator or exception-throwing symbol, or
# if nm did not see the probe at all. Usage: cmake -DNM=nm -DOBJECTS=a.o;b.o -P this-file
foreach(obj IN LISTS OBJECTS)
  execute_process(COMMAND ${NM} -u ${obj} OUTPUT_VARIABLE undefined RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "nm failed on ${obj}")
  endif()
  execute_process(COMMAND ${NM} --defined-only ${obj} OUTPUT_VARIABLE defined)
  if(NOT defined MATCHES "tcpclose_probe_step")
    message(FATAL_ERROR "${obj}: the probe symbol is missing; nm looked at the wrong object")
  endif()
  # _Znwm/_Znam: operator new/new[]; malloc family; __cxa_throw/__cxa_allocate_exception.
  string(REGEX MATCHALL "[^\n]*(_Znw|_Zna|malloc|calloc|realloc|__cxa_throw|__cxa_allocate_exception)[^\n]*" bad "${undefined}")
  if(bad)
    message(FATAL_ERROR "${obj} references allocator or throw symbols:\n${bad}")
  endif()
  message(STATUS "${obj}: no allocator, malloc or __cxa_throw reference")
endforeach()
