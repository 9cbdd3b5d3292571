"""``python -m helpers.bench``: every figure of the course in one run, comparable across machines.

One run measures waiting work (threads, asyncio), computing work (threads, processes per
start method, interpreters where the Python has them), start costs, moving data between
processes, the task size where processes start to pay, hashlib on threads and the live
panel's overhead; it prints tables, writes a JSON file and a one-page PNG report, and
checks the course's performance budgets (:mod:`helpers.bench.budgets`).

* :mod:`helpers.bench.cli`        – the command line (``--quick``, ``--compare``, …)
* :mod:`helpers.bench.plan`       – how big each measurement is (smoke / quick / full)
* :mod:`helpers.bench.cores`      – usable cores (affinity, CPU quota) and how idle they are
* :mod:`helpers.bench.work`       – what runs in the measured threads, processes, interpreters (the
  "moving" section's echo children are the lesson's: :class:`helpers.data_transfer.EchoChannel`)
* :mod:`helpers.bench.waiting`, :mod:`~helpers.bench.computing`, :mod:`~helpers.bench.starting`,
  :mod:`~helpers.bench.moving`, :mod:`~helpers.bench.interpreters`, :mod:`~helpers.bench.panel_cost`
  – the measurements
* :mod:`helpers.bench.budgets`    – the performance budgets, judged on ratios from one run
* :mod:`helpers.bench.tables`     – terminal tables, the JSON file, two machines side by side
* :mod:`helpers.bench.page`       – the one-page PNG report
"""
