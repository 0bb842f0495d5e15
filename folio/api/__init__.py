"""The JSON API at /api/: upload batches, follow them, read and export records, archive completeness.

Described by OpenAPI 3 (generated from the code by drf-spectacular, served at
/api/schema/, committed as docs/openapi.yaml). Scripts authenticate with a
token (``folio token NAME``), the pages' scripts with the session and a CSRF
header. Anonymous requests get a JSON 401, never a login redirect.
"""
