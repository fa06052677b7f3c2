"""Re-verification: what is due and overdue, and the archive page's re-verification panel."""


def reverify_panel(archive, user) -> dict:
    return {}
