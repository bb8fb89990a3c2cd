"""The assembly: the web app and the command line, from the modules that hold them.

`create_app` (app/factory.py) builds the Starlette app: GraphQL + GraphiQL (app/graphql_view.py),
the material download (app/downloads.py), health and metrics (app/health.py). `main`
(app/cli.py) is the `zhicheng` command line: serve, migrate, create-admin, export-schema,
load-registry, reset-admin-password, verify-audit.
"""

from __future__ import annotations

from app.cli import main
from app.factory import create_app

__all__ = ["create_app", "main"]


if __name__ == "__main__":
    main()
