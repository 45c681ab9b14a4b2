# Installs the current build into a temporary prefix, then configures, builds and runs both
# examples/ against it with find_package(tcpclose CONFIG), and builds the C example a second
# time through pkg-config. This is how CI builds the examples.
# -DBUILD_DIR -DSOURCE_DIR -DWORK_DIR -DCC -DCXX -DCFLAGS -DCXXFLAGS -DLDFLAGS (the build's
# compilers and flags, so that a sanitizer build links its sanitized libraries).
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(f lib/libtcpclose_c.a lib/libtcpclose_model.a lib/libtcpclose_proofs.a bin/tcpclose
          include/tcpclose/core.hpp include/tcpclose/tcpclose.h include/tcpclose/model/world.hpp
          include/tcpclose/proofs/encoding.hpp lib/cmake/tcpclose/tcpclose-config.cmake lib/pkgconfig/tcpclose.pc)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "cmake --install did not install ${f}")
  endif()
endforeach()

foreach(example c-replay:replay cmake-consumer:consumer)
  string(REPLACE ":" ";" parts ${example})
  list(GET parts 0 dir)
  list(GET parts 1 exe)
  run("configure examples/${dir}" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/${dir} -B ${WORK_DIR}/${dir} -G Ninja
      -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_C_COMPILER=${CC} -DCMAKE_CXX_COMPILER=${CXX}
      "-DCMAKE_C_FLAGS=${CFLAGS}" "-DCMAKE_CXX_FLAGS=${CXXFLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${LDFLAGS}")
  run("build examples/${dir}" ${CMAKE_COMMAND} --build ${WORK_DIR}/${dir})
  run("run examples/${dir}" ${WORK_DIR}/${dir}/${exe})
  message(STATUS "examples/${dir}:\n${last_output}")
endforeach()
if(NOT last_output MATCHES "linux +active close ok.*model: active-close has [1-9]")
  message(FATAL_ERROR "the C++ consumer did not report the linux profile and the model")
endif()

# pkg-config, the way a C project without CMake builds against the C API.
set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
run("pkg-config" pkg-config --cflags --libs tcpclose)
string(STRIP "${last_output}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
separate_arguments(cflags UNIX_COMMAND "${CFLAGS} ${LDFLAGS}")
run("cc with pkg-config" ${CC} -std=c99 ${cflags} ${SOURCE_DIR}/examples/c-replay/replay.c ${flags} -o ${WORK_DIR}/replay-pc)
run("run the pkg-config build" ${WORK_DIR}/replay-pc)
if(NOT last_output MATCHES "TIME-WAIT +-> TIME-WAIT.*ok: the connection ended in CLOSED")
  message(FATAL_ERROR "the C example did not replay the retransmitted FIN:\n${last_output}")
endif()
