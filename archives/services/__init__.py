"""Every write of the archives app, one function per action, each in its own module:
`lifecycle` (opening, closing, merging), `reverify` (re-verification visits and category
changes), `exits` (leaving the archive, objections, the phase-out)."""
