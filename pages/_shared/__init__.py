"""Glue shared by the pages: URL/session state, common widgets, friendly error handling."""
