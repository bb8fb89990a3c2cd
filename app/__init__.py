"""The web app (factory, GraphQL view, routes) and the command line; server.py assembles them."""
