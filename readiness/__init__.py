"""The readiness check (top floor): runs the rules the content apps register (see ``readiness.checks``)."""
