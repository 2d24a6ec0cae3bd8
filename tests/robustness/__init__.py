"""Robustness suite (issue 8): load, faults and bad input against real ``kg serve`` servers.

A package, so its conftest does not shadow tests/conftest.py on import.
"""
