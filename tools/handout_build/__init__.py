"""The workshop handouts' build (``python tools/handouts.py``, ``make handouts``), one job a module.

In the order a build uses them:

- :mod:`.shared`      where the course and the templates are; the build's one error and its log line
- :mod:`.manifest`    the course's notebooks, from notebooks/course.toml, and the one that hands over the figures
- :mod:`.stamp`       whose machine measured the figures, and how busy it was: the stamp on every page
- :mod:`.execution`   executing a notebook (nbclient), and the executions cache in ``<out>/.executed/``
- :mod:`.pages`       HTML: nbconvert's exporter and the handout templates; the learner's and instructor's copies
- :mod:`.pdf`         PDFs: headless chromium prints, poppler joins, counts and measures
- :mod:`.cheatsheet`  the one-page cheat sheet
- :mod:`.website`     the output folder and every page of both variants in it
- :mod:`.build`       the whole build, step by step, and what build.json records

tools/handouts.py is the command line (its docstring says what is written where). Heavy imports happen inside
functions: under *spawn* a notebook's child processes must start fast.
"""
