"""Test harness for the real stacks (CUPS, SANE, pcscd, umockdev, PostgreSQL): see
tests/conftest.py.

Plain modules, importable without pytest fixtures (bench/ may start a cupsd through them).
"""
