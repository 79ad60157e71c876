"""A site's logo (kiosk/screens/practice/operator.py) is drawn where the widget is, also after
a right-to-left box mirrors it: its shape and its initials together."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.display


@pytest.mark.parametrize("shape", ["circle", "square", "rounded", "shield", "hexagon", "triangle"])
def test_a_logo_moved_by_a_mirroring_box_draws_its_shape_where_it_now_is(driver, ui_app, shape):
    """The practice catalogue in Arabic: the mirroring moved three logos after they were drawn
    and their shapes stayed at the left-to-right place, the initials (dark on a white logo)
    alone on the card's dark band (the layout audit measured them at 1.6-2.9:1). The redraw
    read the widget's centre, which Kivy had not updated yet when the move was announced."""
    from kiosk.screens.colour_audit import _extent
    from kiosk.screens.practice.operator import OperatorLogo

    logo = OperatorLogo(shape=shape, size_hint=(None, None), size=(42, 42), pos=(44, 100))
    logo.x = 372   # what DirBox.do_layout does in right-to-left
    shapes = [i for i in logo.canvas.before.children if type(i).__name__ in
              ("Ellipse", "Rectangle", "RoundedRectangle", "Triangle", "Mesh")]
    assert shapes
    left = min(_extent(s)[0] for s in shapes)
    right = max(_extent(s)[0] + _extent(s)[2] for s in shapes)
    assert left >= 372 - 0.5 and right <= 372 + 42 + 0.5, "inside the logo's box"
    assert (left + right) / 2 == pytest.approx(372 + 21), "centred on it"
