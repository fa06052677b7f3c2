from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.health import run_checks


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


@login_not_required
@never_cache
@require_safe
def health(request):
    """For the load balancer: 200 when every check passes, else 503 naming the failures."""
    results = run_checks()
    ok = all(result.ok for result in results)
    body = {
        "status": "ok" if ok else "error",
        "checks": {
            result.name: {"status": "ok"}
            if result.ok
            else {"status": "error", "reason": result.reason}
            for result in results
        },
    }
    return JsonResponse(body, status=200 if ok else 503)
