from django import template

from core.workdays import holiday_published_years, span_note

register = template.Library()

_PUBLISHED = "core.workday_tags.published"


@register.simple_tag(takes_context=True)
def deadline_note(context, start, end) -> str:
    """`span_note` for a stored deadline counted from `start` to `end`: the years between
    whose holiday calendar is not published, else "". The published years are read once
    per rendering, however many deadlines the page shows."""
    if start is None or end is None:
        return ""
    cache = context.render_context
    if _PUBLISHED not in cache:
        cache[_PUBLISHED] = holiday_published_years()
    return span_note(start, end, cache[_PUBLISHED])
