"""A11y Judge: score accessibility remediation plans against an audit."""

__version__ = "0.1.0"
