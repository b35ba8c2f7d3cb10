"""Tekton semantics shared by the rules: variable references, param types, object shapes."""
