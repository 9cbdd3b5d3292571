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


def test_labels_of_short_spans_do_not_overlap():
    from helpers.timeline import Span, Timeline

    timeline = Timeline()
    timeline.spans = [Span("main thread", "start()", 0.0, 0.0003), Span("main thread", "own work", 0.0003, 0.5),
                      Span("main thread", "join() waiting", 0.5, 3.0), Span("worker thread", "print_numbers", 0, 3)]
    fig = timeline.plot("t").fig
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].texts]
    assert len(boxes) == 4
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
