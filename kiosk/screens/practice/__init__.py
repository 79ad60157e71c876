"""The practice screens (catalogue, start, page, debrief: one ``.py`` + one ``.kv`` each), the
page's view, fields and call to a mediator, and the widgets they draw the operator's site with.
The run between them has no Kivy: :mod:`kiosk.practice.flow` and :mod:`kiosk.practice.help`."""
