"""CDISC SDTM (SDTMIG 3.3) tabulations of a study's records (issue 17, item 2;
docs/interop/sdtm.md).

`datasets.build` turns a `StudyExport` into datasets (pure); `files.write` writes each as SAS
transport v5 (through pyreadstat) and CSV, with define.xml metadata.
"""
