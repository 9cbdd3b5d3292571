import threading
import time

from helpers.charts.timeline import Timeline


def test_spans_measure_start_and_join():
    timeline = Timeline()
    worker = threading.Thread(target=timeline.traced(time.sleep, lane="worker"), args=(0.4,))
    with timeline.span("main", "start()"):
        worker.start()
    with timeline.span("main", "join() waiting"):
        worker.join()
    start, join, work = timeline.find("start()"), timeline.find("join() waiting"), timeline.find("sleep")
    # What cannot be otherwise: the work lasts its 0.4 s sleep, join() was waiting while it ran and returns
    # only after it has ended.
    assert work.duration >= 0.399 and join.start < work.end <= join.end
    # Ratios within this run, with margins a busy 2-core machine keeps (its threads wait tens of ms for a core, not
    # 0.2 s): starting the thread is short beside its work, and join() returns soon after the work ends.
    assert start.duration < 0.5 * work.duration, (start, work)
    assert join.end - work.end < 0.5 * work.duration, (join, work)
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
