"""mdma-at: the open clinic and trial platform for MDMA-assisted therapy."""

__version__ = "0.1.0"
