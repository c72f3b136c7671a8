"""The project's URLs plus the ceiling: a Django view that inserts one row and nothing else."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def bare_insert(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_insert (client_id) VALUES (%s)", [request.body.decode()])
    return HttpResponse(status=201)


urlpatterns = [
    path("bench/insert/", bare_insert),
    path("", include("cpps.config.urls")),
]
