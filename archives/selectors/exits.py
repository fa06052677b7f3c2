"""Exits and objections, and the archive page's exit panel."""


def exit_panel(archive, user) -> dict:
    return {}
