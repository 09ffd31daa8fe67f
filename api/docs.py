"""/api/v1/: the API's documentation page, rendered on the server from the same OpenAPI
document as /api/v1/openapi.json (so the two cannot disagree), without script."""

from django.conf import settings
from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator

_cached: dict = {}


def schema() -> dict:
    """The OpenAPI document, generated from the code once per process."""
    if "schema" not in _cached:
        _cached["schema"] = SchemaGenerator().get_schema(request=None, public=True)
    return _cached["schema"]


def documentation(request):
    document = schema()
    endpoints = []
    for path_name, operations in document["paths"].items():
        for method, operation in operations.items():
            endpoints.append(
                {
                    "method": method.upper(),
                    "path": path_name,
                    "summary": operation.get("description", "").strip(),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "description": p.get("description", ""),
                            "values": ", ".join(
                                str(v)
                                for v in (
                                    p.get("schema", {}).get("items", {}).get("enum")
                                    or p.get("schema", {}).get("enum")
                                    or []
                                )
                                if v
                            )[:400],
                        }
                        for p in operation.get("parameters", [])
                    ],
                }
            )
    context = {
        "endpoints": endpoints,
        "description": document["info"].get("description", ""),
        "anonymous_rate": settings.API_RATE_ANONYMOUS,
        "key_rate": settings.API_RATE_WITH_KEY,
    }
    return render(request, "api/docs.html", context)
