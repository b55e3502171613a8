#!/usr/bin/python3
"""Reads the unknot window through AT-SPI, as a screen reader would, and
prints what it finds: the window's name, each heading, button, slider and live
region with its role, states and extents. With --check it also fails (exit 1)
on what a screen-reader user could not use: a nameless control, no heading,
no live region while playing, a control outside the window, or the focus
somewhere other than expected.

Live regions reach AT-SPI as announcements (object:announcement events) when
their text changes, so with --listen SECS the probe also records what would
be said aloud during that many seconds.

Usage: a11y_probe.py [--check] [--expect-focus NAME] [--playing]
                     [--window X,Y,W,H] [--listen SECS]
"""
import sys
import time

import pyatspi


def find_app(timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for index in range(desktop.childCount):
            app = desktop.getChildAtIndex(index)
            if app is not None and "unknot" in (app.name or "").lower():
                return app
        time.sleep(0.3)
    return None


def walk(node, depth=0):
    yield node, depth
    for index in range(node.childCount):
        child = node.getChildAtIndex(index)
        if child is not None:
            yield from walk(child, depth + 1)


def attributes(node):
    try:
        return dict(attr.split(":", 1) for attr in node.getAttributes() if ":" in attr)
    except Exception:  # noqa: BLE001 - a node may vanish while read
        return {}


def option(args, name):
    return args[args.index(name) + 1] if name in args else None


def listen(seconds):
    """What the app announces (live regions) during `seconds`."""
    from gi.repository import GLib

    heard = []

    def on_event(event):
        heard.append((event.source.name if event.source else "", str(event.any_data)))

    pyatspi.Registry.registerEventListener(on_event, "object:announcement")
    GLib.timeout_add(int(seconds * 1000), pyatspi.Registry.stop)
    pyatspi.Registry.start()
    pyatspi.Registry.deregisterEventListener(on_event, "object:announcement")
    return heard


def main():
    args = sys.argv[1:]
    check = "--check" in args
    playing = "--playing" in args
    expect_focus = option(args, "--expect-focus")
    geometry = option(args, "--window")
    window_box = tuple(int(part) for part in geometry.split(",")) if geometry else None
    listen_secs = float(option(args, "--listen") or 0)

    app = find_app()
    if app is None:
        print("a11y: FAIL: no unknot application on the accessibility bus")
        return 1
    problems = []
    window = None
    headings, controls, live, focused = [], [], [], []
    for node, depth in walk(app):
        role = node.getRoleName()
        name = node.name or ""
        states = node.getState()
        try:
            box = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
            extents = (box.x, box.y, box.width, box.height)
        except Exception:  # noqa: BLE001
            extents = None
        attrs = attributes(node)
        if role in ("window", "frame") and window is None:
            window = (name, extents)
        if role == "heading":
            headings.append((name, attrs.get("level")))
        if states.contains(pyatspi.STATE_FOCUSABLE) and role not in ("window", "frame"):
            controls.append((role, name, extents))
        if states.contains(pyatspi.STATE_FOCUSED):
            focused.append((role, name))
        print(f"{'  ' * depth}{role}: {name!r} {extents} {attrs if attrs else ''}")

    if listen_secs > 0:
        live = listen(listen_secs)
    print(f"a11y: window {window}")
    print(f"a11y: headings {headings}")
    print(f"a11y: announced {live}")
    print(f"a11y: focused {focused}")
    if not check:
        return 0
    if window is None or not window[0].startswith("unknot"):
        problems.append(f"the window is not named: {window}")
    if not headings:
        problems.append("no heading")
    for role, name, extents in controls:
        if not name.strip():
            problems.append(f"a {role} that takes the focus has no name")
    if window_box:
        wx, wy, ww, wh = window_box
        for role, name, extents in controls:
            if role != "push button" or not extents:
                continue
            x, y, w, h = extents
            if w > 0 and (x < wx - 1 or y < wy - 1 or x + w > wx + ww + 1 or y + h > wy + wh + 1):
                # Scrolled-away content is fine; only fixed controls matter.
                if name in ("Pause", "Resume", "Skip", "Stop", "Back", "Start"):
                    problems.append(f"{name} at {extents} is outside the window {window_box}")
    if playing and not live:
        problems.append(f"nothing was announced in {listen_secs:g} s of playing")
    if expect_focus and not any(name == expect_focus for _, name in focused):
        problems.append(f"the focus is on {focused}, not {expect_focus!r}")
    for problem in problems:
        print(f"a11y: FAIL: {problem}")
    if not problems:
        print("a11y: all checks passed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
