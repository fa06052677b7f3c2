"""The only way a view gets an archive: scoped to the user's organisation, or not found."""

from django.http import Http404

from accounts.selectors import scope_queryset
from archives.models import Archive


def access_archive(user, pk: int) -> Archive:
    archives = Archive.objects.select_related(
        "organisation", "county", "city", "policy", "case", "merged_into"
    )
    archive = scope_queryset(archives, user).filter(pk=pk).first()
    if archive is None:
        raise Http404("没有找到该档案，或您无权查看。")
    return archive
