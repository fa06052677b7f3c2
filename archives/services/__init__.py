"""Every write of the archives app, one function per action, each in its own module:
`lifecycle` (opening, closing, merging), `reverify` (re-verification visits and category
changes), `exits` (leaving the archive, objections, the phase-out), `contact` (phone and
bank card), `visits` (the visit itself). Every status they set is a step of a table in
`archives.lifecycles`, taken by `core.lifecycle.take`; the pure rules are in
`archives.rules`, the gates in `archives.access`."""
