"""Parsing: the validated spec (plain data) in, the IR (``generator.model.ir``) out."""
