# Proves tracked_file_size.cmake can fail: in a scratch git repository (WORK) it must name a
# tracked 1.1 MB file, and must not name a tracked file of exactly 1 MiB, an untracked large file
# or a small one.
#   cmake -DWORK=<scratch dir> -DCHECK=<tracked_file_size.cmake> [-DGIT=<git>] -P ...
if(NOT GIT)
  find_program(GIT git REQUIRED)
endif()
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/data)

function(run)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY ${WORK} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${ARGN} failed (${rc}): ${out}")
  endif()
endfunction()

string(REPEAT "0123456789abcdef" 65536 one_mib)  # 1,048,576 bytes
string(REPEAT "0123456789abcdef" 6554 tenth)     # 104,864 bytes
file(WRITE ${WORK}/data/big.txt "${one_mib}${tenth}")
file(WRITE ${WORK}/data/exactly-limit.txt "${one_mib}")
file(WRITE ${WORK}/small.txt "small\n")
file(WRITE ${WORK}/untracked-big.txt "${one_mib}${tenth}")
run(${GIT} init -q .)
run(${GIT} add data small.txt)

execute_process(COMMAND ${CMAKE_COMMAND} -DROOT=${WORK} -DGIT=${GIT} -P ${CHECK}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
if(rc EQUAL 0)
  message(FATAL_ERROR "the check passed on a repository with a tracked 1.1 MB file")
endif()
if(NOT out MATCHES "data/big.txt: 1153440 bytes")
  message(FATAL_ERROR "the check failed without naming data/big.txt and its size")
endif()
if(out MATCHES "exactly-limit|untracked-big|small.txt")
  message(FATAL_ERROR "the check named a file at the limit, an untracked file or a small file")
endif()
file(REMOVE_RECURSE ${WORK})
message(STATUS "tracked-file-size-detects ok: a tracked 1.1 MB file fails the check")
