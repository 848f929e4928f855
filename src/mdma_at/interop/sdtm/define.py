"""define.xml: the datasets' metadata as Define-XML 2.0 (CDISC, 2013): one ItemGroupDef per
dataset and one ItemDef per variable with its name, label, type and length as written."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from xml.etree import ElementTree as ET

from mdma_at.interop.sdtm.datasets import Dataset
from mdma_at.interop.sdtm.spec import NUM

ODM = "http://www.cdisc.org/ns/odm/v1.3"
DEFINE = "http://www.cdisc.org/ns/def/v2.0"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"
ET.register_namespace("", ODM)
ET.register_namespace("def", DEFINE)
ET.register_namespace("xlink", XLINK)


def _described(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ODM}}}{tag}", attributes)
    description = ET.SubElement(element, f"{{{ODM}}}Description")
    ET.SubElement(description, f"{{{ODM}}}TranslatedText", {f"{{{XML}}}lang": "en"}).text = text
    return element


def lengths(dataset: Dataset) -> dict[str, int]:
    """Each character variable's length (its longest value, at least 1) and 8 for numbers."""
    found = {}
    for variable in dataset.spec.variables:
        if variable.type == NUM:
            found[variable.name] = 8
        else:
            values = dataset.frame[variable.name]
            found[variable.name] = max([1, *(len(str(v)) for v in values)])
    return found


def define_xml(study: str, title: str, datasets: Sequence[Dataset], created: datetime) -> bytes:
    root = ET.Element(
        f"{{{ODM}}}ODM",
        {"FileType": "Snapshot", "FileOID": f"define.{study}", "ODMVersion": "1.3.2",
         "CreationDateTime": created.replace(microsecond=0).isoformat(),
         f"{{{DEFINE}}}Context": "Submission"},
    )  # fmt: skip
    study_element = ET.SubElement(root, f"{{{ODM}}}Study", {"OID": f"STUDY.{study}"})
    globals_ = ET.SubElement(study_element, f"{{{ODM}}}GlobalVariables")
    ET.SubElement(globals_, f"{{{ODM}}}StudyName").text = study
    ET.SubElement(globals_, f"{{{ODM}}}StudyDescription").text = title
    ET.SubElement(globals_, f"{{{ODM}}}ProtocolName").text = study
    version = ET.SubElement(
        study_element, f"{{{ODM}}}MetaDataVersion",
        {"OID": f"MDV.{study}", "Name": f"{study} SDTM", f"{{{DEFINE}}}DefineVersion": "2.0.0",
         f"{{{DEFINE}}}StandardName": "SDTM-IG", f"{{{DEFINE}}}StandardVersion": "3.3"},
    )  # fmt: skip
    items = []
    for dataset in datasets:
        spec = dataset.spec
        group = _described(
            version, "ItemGroupDef", spec.label,
            OID=f"IG.{spec.name}", Name=spec.name, SASDatasetName=spec.name, Repeating=(
                "No" if spec.name == "DM" else "Yes"), IsReferenceData="No",
            Purpose="Tabulation", **{f"{{{DEFINE}}}Structure": spec.structure,
                                     f"{{{DEFINE}}}Class": spec.sdtm_class,
                                     f"{{{DEFINE}}}ArchiveLocationID": f"LF.{spec.name}"},
        )  # fmt: skip
        for order, variable in enumerate(spec.variables, start=1):
            ET.SubElement(group, f"{{{ODM}}}ItemRef", {
                "ItemOID": f"IT.{spec.name}.{variable.name}", "OrderNumber": str(order),
                "Mandatory": "Yes" if variable.name in spec.keys else "No",
                **({"KeySequence": str(spec.keys.index(variable.name) + 1)}
                   if variable.name in spec.keys else {}),
            })  # fmt: skip
        leaf = ET.SubElement(
            group, f"{{{DEFINE}}}leaf",
            {"ID": f"LF.{spec.name}", f"{{{XLINK}}}href": f"{spec.name.lower()}.xpt"},
        )  # fmt: skip
        ET.SubElement(leaf, f"{{{DEFINE}}}title").text = f"{spec.name.lower()}.xpt"
        widths = lengths(dataset)
        for variable in spec.variables:
            items.append((spec.name, variable, widths[variable.name]))
    for name, variable, width in items:
        _described(
            version, "ItemDef", variable.label, OID=f"IT.{name}.{variable.name}",
            Name=variable.name, SASFieldName=variable.name,
            DataType="float" if variable.type == NUM else "text", Length=str(width),
        )  # fmt: skip
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
