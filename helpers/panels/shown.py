"""What every panel shares as a notebook shows it: the live widget, else its last picture and one line.

A frontend with the widget manager (JupyterLab, Notebook 7) shows the live widget; anything else (nbval,
nbconvert, a handout, GitHub) gets the last chart drawn as a PNG and a one-line summary, never the widget's
``VBox(children=...)`` repr. :meth:`ShownPanel.show` displays a panel once, so a cell can update it later.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from IPython.display import display

Panel = TypeVar("Panel", bound="ShownPanel")
Result = TypeVar("Result")


class ShownPanel:
    """The display side of a panel; a panel says what its widget, picture and name are."""

    results: list[Any]
    _handle: Any = None

    def _root(self) -> Any:
        """The panel's outermost widget."""
        raise NotImplementedError

    def _picture(self) -> bytes:
        """The PNG shown where widgets are not (empty: none yet)."""
        raise NotImplementedError

    def _title(self) -> str:
        """How the one-line summary names the panel."""
        return type(self).__name__

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self._root()._repr_mimebundle_(include=include, exclude=exclude) or {})
        picture = self._picture()
        if picture:
            bundle["image/png"] = base64.b64encode(picture).decode("ascii")
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        last = self.results[-1].summary() if self.results else "no run yet"
        return f"<{self._title()}: {last}>"

    def show(self: Panel) -> Panel:
        """Display the panel (once) and return it."""
        if self._handle is None:
            self._handle = display(self, display_id=True)
        return self

    def _run_in_cell(self, settings: Sequence[tuple[Any, Any]], press: Callable[[], Result]) -> Result:
        """Set each ``(widget, value)`` whose value is not ``None``, show the panel, press Run (``press()``), and
        update the cell's output, so that it keeps the finished picture (nbval, nbconvert, a handout)."""
        for widget, value in settings:
            if value is not None:
                widget.value = value
        self.show()
        result = press()
        if self._handle is not None:
            self._handle.update(self)
        return result
