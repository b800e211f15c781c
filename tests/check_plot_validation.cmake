# tools/plot_validation.py on two hand-made runs: the figure is written, and a
# run whose eval.csv lacks a column is refused with exit status 2 naming the
# file and the column. Run with -DPYTHON= -DTOOL= -DWORK=.
file(REMOVE_RECURSE "${WORK}")
foreach(run a b)
  file(WRITE "${WORK}/${run}/eval.csv"
       "update,frames,policy,mean_pnl,std_pnl\n0,0,random,-100,50\n10,1000,greedy,-20,5\n20,2000,greedy,-5,3\n")
endforeach()
execute_process(COMMAND "${PYTHON}" "${TOOL}" "${WORK}/curves.png" "one=${WORK}/a,${WORK}/b" "two=${WORK}/a"
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "plot_validation.py failed (${rc}): ${err}")
endif()
file(SIZE "${WORK}/curves.png" bytes)
if(bytes LESS 1000)
  message(FATAL_ERROR "curves.png has ${bytes} bytes")
endif()
file(WRITE "${WORK}/bad/eval.csv" "update,frames,policy,std_pnl\n0,0,random,50\n")
execute_process(COMMAND "${PYTHON}" "${TOOL}" "${WORK}/bad.png" "bad=${WORK}/bad" RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "bad/eval.csv: no column 'mean_pnl'")
  message(FATAL_ERROR "a malformed eval.csv: exit ${rc}, ${err}")
endif()
message(STATUS "ok: ${bytes} bytes")
