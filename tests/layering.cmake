# Fails when a module reaches past its layer (DESIGN.md, STYLE.md 2.1, docs/architecture.md):
# - a domain module includes Poco, SQLite, storage, app, report or a front end, or reads the
#   clock, files or the environment on its own;
# - app includes report or a front end (front ends render; app answers with views);
# - a front end (cli, server) includes storage or SQLite: it reaches the database only through
#   app (app/database.hpp), never its records or SQL.
set(domain core trial enrolment randomization instruments outcomes scheduling attendance stats
    analysis reproduction)
set(domain_forbidden "#include *[<\"](Poco/|sqlite3\\.h|balint/(storage|app|server|cli|report|resources)/)|system_clock::now|std::(i|o)?fstream|<fstream>|<iostream>|getenv\\(")
set(app_forbidden "#include *[<\"]balint/(report|server|cli)/")
set(front_end_forbidden "#include *[<\"](balint/storage/|sqlite3\\.h)")

# check(LABEL MODULES PATTERN): appends "LABEL: file: line" for every match to `problems`.
function(check label modules pattern)
  foreach(m IN LISTS modules)
    foreach(dir include/balint/${m} src/${m})
      if(NOT IS_DIRECTORY ${ROOT}/${dir})
        continue()
      endif()
      file(GLOB_RECURSE files ${ROOT}/${dir}/*.hpp ${ROOT}/${dir}/*.cpp)
      foreach(f IN LISTS files)
        file(STRINGS ${f} lines REGEX "${pattern}")
        foreach(line IN LISTS lines)
          file(RELATIVE_PATH rel ${ROOT} ${f})
          string(APPEND problems "  ${label}: ${rel}: ${line}\n")
        endforeach()
      endforeach()
    endforeach()
  endforeach()
  set(problems "${problems}" PARENT_SCOPE)
endfunction()

set(problems "")
check("domain module" "${domain}" "${domain_forbidden}")
check("app" "app" "${app_forbidden}")
check("front end" "cli;server" "${front_end_forbidden}")
if(problems)
  message(FATAL_ERROR "Modules reach past their layer:\n${problems}")
endif()
message(STATUS "layering ok: domain modules include no Poco, SQLite, storage, app or front end; "
               "app includes no renderer or front end; front ends include no storage")
