"""Checkers for the exercises: each one observes what the learner's code does.

One module per topic, each named for what it checks; notebooks import the checker from
its module (``from helpers.exercises.threads import check_two_threads``):

* :mod:`.prediction` – ``check_wait_prediction``: how long waiting tasks take on threads
* :mod:`.threads` – ``check_two_threads``: two workers on two threads, at the same time
* :mod:`.processes` – ``check_two_processes``: two workers in two child processes, at once
* :mod:`.waiting` – ``check_fewest_threads``: the fewest threads for a batch of waits
* :mod:`.cpu_work` – ``check_processes_pay_off``: when two processes beat one loop, measured
* :mod:`.sharing` – ``check_take_all``: a consumer that takes all a running producer sends
* :mod:`.stopping` – ``check_finish``: polite join, then terminate after a grace period
* :mod:`.processes_with_threads` – ``check_processes_with_threads``: processes running threads
* :mod:`.choosing` – ``check_job_choices``: threads, processes, both or a plain loop
* :mod:`.mixed_work` – ``check_mixed_job`` and ``capstone_job``: a job that waits and computes

Beyond the article (notebooks 10–17):

* :mod:`.executors` – ``check_executor_errors``: results and exceptions back from a process pool
* :mod:`.locks` – ``check_transfer``: a money transfer safe from races and deadlocks
* :mod:`.shared_memory` – ``check_shared_memory``: data handed to a child through shared memory
* :mod:`.concurrent_fetch` – ``check_concurrent_fetch``: many pages at once with asyncio
* :mod:`.gil_release` – ``check_gil_release``: does a library call scale over threads?
* :mod:`.free_threading` – ``check_gil_report``: the build told from the state of the GIL
* :mod:`.interpreters` – ``check_interpreter_sums``: the same sums on two interpreters at once
* :mod:`.cluster` – ``check_cluster_map``: the code really ran on a local cluster's worker
* :mod:`.measuring` – ``check_measurement_reading``: your own function's measurement read right

When things break (notebooks 18-20):

* :mod:`.process_setup` – ``check_initializer``: workers started fresh, each configured by the initializer
* :mod:`.hangs` – ``check_stuck_threads``: the threads inside a function, found anywhere in their stacks
* :mod:`.async_limits` – ``check_limited_fetch``: never more than ``limit`` fetches at once, and no batches

:mod:`.base` holds what they share (the verdict, calling the learner's code, the census of
threads and processes left running); :mod:`.probes` the recording workers they observe with.
Every checker prints one line starting with ✔ (right), ✘ (not yet, with a hint) or ◌ (this
machine cannot show the effect, and why), returns a :class:`~.base.Verdict`, and never raises
for a wrong or missing answer.
"""
