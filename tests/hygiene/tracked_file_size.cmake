# Fails when a file tracked by git in ROOT is larger than LIMIT bytes (default 1 MiB).
# A tracked file that large is almost always a mistake (a51e18c committed an 18.5 MB
# docs/statistics.md): every clone carries it for ever. Outside a git checkout (a source
# tarball) there is nothing to check and the test is skipped.
#   cmake -DROOT=<dir> [-DLIMIT=<bytes>] [-DGIT=<git>] -P tracked_file_size.cmake
if(NOT DEFINED ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<dir> [-DLIMIT=<bytes>] -P tracked_file_size.cmake")
endif()
if(NOT DEFINED LIMIT)
  set(LIMIT 1048576)
endif()
if(NOT GIT)
  find_program(GIT git)
endif()
if(NOT GIT OR NOT EXISTS ${ROOT}/.git)
  message("tracked-file-size skipped: ${ROOT} is not a git checkout")
  return()
endif()

# safe.directory: CI may clone as another user than the one running the tests. core.quotePath
# keeps non-ASCII names readable.
execute_process(
  COMMAND ${GIT} -c safe.directory=* -c core.quotePath=false ls-files
  WORKING_DIRECTORY ${ROOT}
  OUTPUT_VARIABLE listing
  ERROR_VARIABLE git_error
  RESULT_VARIABLE git_rc)
if(NOT git_rc EQUAL 0)
  message(FATAL_ERROR "git ls-files failed in ${ROOT} (${git_rc}): ${git_error}")
endif()

string(REPLACE ";" "\\;" listing "${listing}")
string(REPLACE "\n" ";" files "${listing}")
set(problems "")
set(count 0)
foreach(f IN LISTS files)
  # A tracked file deleted in the working tree, or a submodule, has no size of its own here.
  if(f STREQUAL "" OR IS_DIRECTORY "${ROOT}/${f}" OR NOT EXISTS "${ROOT}/${f}")
    continue()
  endif()
  math(EXPR count "${count} + 1")
  file(SIZE "${ROOT}/${f}" size)
  if(size GREATER LIMIT)
    string(APPEND problems "  ${f}: ${size} bytes\n")
  endif()
endforeach()
if(problems)
  message(FATAL_ERROR "Tracked files larger than ${LIMIT} bytes:\n${problems}"
                      "Keep generated or bulky data out of git (or shrink it).")
endif()
message(STATUS "tracked-file-size ok: ${count} tracked files, none above ${LIMIT} bytes")
