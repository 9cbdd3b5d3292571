"""helpers.engine.overlap: the peak of open intervals."""

from helpers.engine.overlap import most_at_once


def test_most_at_once_counts_the_peak_of_open_intervals():
    assert most_at_once([]) == 0
    assert most_at_once([(0, 1), (1, 2), (2, 3)]) == 1  # end-to-end: never two at once
    assert most_at_once([(0, 2), (1, 3), (1.5, None)]) == 3
    assert most_at_once([(0, 1), (0.5, 0.6), (2, 3)]) == 2
