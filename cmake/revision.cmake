# Writes OUT (a header defining POOLSCOPE_REVISION) from the source tree's git commit, at
# every build, touching it only when the text changes: `poolscope --version` names the
# commit the binary was built from ("unknown" outside a git checkout), "+dirty" with
# uncommitted changes to tracked files.
set(revision "unknown")
find_program(GIT git)
if(GIT)
    execute_process(COMMAND ${GIT} -C ${SRC} rev-parse --short=7 HEAD
        OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
    if(rc EQUAL 0 AND head)
        set(revision "${head}")
        execute_process(COMMAND ${GIT} -C ${SRC} status --porcelain --untracked-files=no
            OUTPUT_VARIABLE changes ERROR_QUIET)
        if(changes)
            string(APPEND revision "+dirty")
        endif()
    endif()
endif()
set(text "#pragma once\n#define POOLSCOPE_REVISION \"${revision}\"\n")
if(EXISTS ${OUT})
    file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${text}")
    file(WRITE ${OUT} "${text}")
endif()
