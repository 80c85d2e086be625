"""The keyboard shortcuts: the shortcuts page lists them and static/js/app.js binds them.

A shortcut with a selector clicks the first element on the page that matches it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shortcut:
    keys: str
    does: str
    selector: str | None = None  # None: handled by the element itself (the code editor)


SHORTCUTS = (
    Shortcut("?", "Show this page of shortcuts", 'a[data-shortcut="shortcuts"]'),
    Shortcut("h", "Go to the course roadmap", 'a[data-shortcut="home"]'),
    Shortcut("g", "Go to your progress", 'a[data-shortcut="progress"]'),
    Shortcut("n", "Next lesson", 'a[rel="next"]'),
    Shortcut("p", "Previous lesson", 'a[rel="prev"]'),
    Shortcut("c", "Mark the lesson complete, or not complete", 'button[data-shortcut="complete"]'),
    Shortcut("e", "Go to the lesson's first exercise", 'a[data-shortcut="exercise"]'),
    Shortcut("Tab / Shift+Tab", "In the code editor: indent or dedent"),
    Shortcut("Esc, then Tab", "In the code editor: move the focus out of the editor"),
    Shortcut("Ctrl+Z / Ctrl+Shift+Z", "In the code editor: undo and redo"),
)
