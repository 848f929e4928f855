"""The de-identified research set (issue 17, item 3; docs/interop/research.md): HIPAA Safe Harbor
(45 CFR 164.514(b)(2)) tidy tables that the analysis functions read as they are."""
