"""Reads of the archives app: `listing` (lists, search, export, detail), `reverify`
(re-verification due and overdue, the re-verification panel), `exits` (exits, objections)."""
