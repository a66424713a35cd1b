"""Glue of the Loss landscape page: settings and URL state, sidebar, computation, views."""
