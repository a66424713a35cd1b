"""Load tests: a class of browser sessions against the app (`make loadtest`); not part of `make test`."""
