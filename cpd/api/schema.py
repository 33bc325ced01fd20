"""The API's OpenAPI schema: its own drf-spectacular settings (applied by the schema and
docs views alone, so a host project's ``SPECTACULAR_SETTINGS`` need say nothing for it),
and an addition to the generated schema: every operation documents the JSON error bodies
it can return (see ``cpd.api.errors``), so that clients, and schemathesis, know their
shape."""

SCHEMA_SETTINGS = {
    "TITLE": "Safeguarding CPD API",
    "DESCRIPTION": "Schools, staff, requirements, compliance, courses, learning and "
    "certificates. Authenticate with a session or `Authorization: Token <key>`.",
    "VERSION": "1",
    # Swagger UI's files come from drf-spectacular-sidecar: the docs page works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cpd.api.schema.add_error_responses",
    ],
}

ERROR = {
    "type": "object",
    "description": "An error. `fields` lists invalid fields; `errors` lists a staff file's "
    "problems by row and column.",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in a sentence."},
        "code": {"type": "string", "description": "A machine-readable code."},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "row": {"type": "integer", "nullable": True},
                    "column": {"type": "string", "nullable": True},
                    "message": {"type": "string"},
                },
                "required": ["row", "column", "message"],
            },
        },
    },
    "required": ["detail", "code"],
}

DESCRIPTIONS = {
    "400": "The request is not valid, or the rules refuse it; nothing was changed.",
    "401": "Not signed in: send a session cookie or `Authorization: Token <key>`.",
    "403": "Signed in, but your role does not allow this.",
    "404": "Not found, or not visible to you.",
    "405": "This method is not allowed here.",
    "406": "The Accept header asks for a format this endpoint does not give.",
    "415": "The request body's content type is not accepted here.",
    "429": "Too many requests: wait and try again.",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook (``POSTPROCESSING_HOOKS``)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    ref = {"$ref": "#/components/schemas/Error"}
    for path, methods in result.get("paths", {}).items():
        public_path = path.endswith("/verify/{code}/")
        for method, operation in methods.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = ["400", "404", "405", "406", "429"] if public_path else list(DESCRIPTIONS)
            if method in {"post", "put", "patch"} and "415" not in codes:
                codes.append("415")
            for code in codes:
                operation["responses"].setdefault(
                    code,
                    {
                        "description": DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ref}},
                    },
                )
    return result
