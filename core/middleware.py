from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from core.service_forms import oversized_upload


class UploadSizeLimitMiddleware:
    """Refuse a request body larger than any upload may be, before anything reads it.

    It runs before the views' middleware hooks (the CSRF check parses the body in
    `process_view`), so a 200 MB upload is turned away on its Content-Length alone and
    never written to a temporary file. The user goes back to the page they came from
    with the reason. nginx's `client_max_body_size` is the first line (docs/operations.md).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        message = oversized_upload(request) if request.method == "POST" else ""
        if not message:
            return self.get_response(request)
        messages.error(request, message)
        back = request.META.get("HTTP_REFERER", "")
        allowed = url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return redirect(back if allowed else "home")
