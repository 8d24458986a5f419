"""Shared core: catalog-independent building blocks used by every capability."""
