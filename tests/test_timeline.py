import threading
import time

from helpers.charts.timeline import Timeline


def test_spans_measure_start_and_join():
    timeline = Timeline()
    worker = threading.Thread(target=timeline.traced(time.sleep, lane="worker"), args=(0.2,))
    with timeline.span("main", "start()"):
        worker.start()
    with timeline.span("main", "join() waiting"):
        worker.join()
    assert timeline.find("start()").duration < 0.05
    assert 0.15 < timeline.find("join() waiting").duration < 1.0
    work = timeline.find("sleep")
    assert abs(timeline.find("join() waiting").end - work.end) < 0.05
    assert timeline.plot("t").png().startswith(b"\x89PNG")
