"""Book support for the chapter's pages: what the pages need to show numbers, and nothing a reader
needs to compute with (that is :mod:`mlp`, which needs only numpy)."""
