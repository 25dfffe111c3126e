#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes the small sample files of the accepted material types, and damaged or
refused look-alikes, into a folder (default: tests/fuzz/corpus/filetype/). They are
committed; run this again only to change them. The JPEG needs Ghostscript (gs) and the
WebP needs cwebp (Debian package webp); the others are built here following each
format: a PDF with its cross-reference table, OOXML and OpenDocument packages with
their mandatory parts, a PNG with checksums.

The unit tests (tests/unit/test-filetype.c) and the integration tests
(tests/integration/test_materials.py) use these files by name."""

import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

TITLE = "Báo cáo tình hình kinh tế - xã hội Tỉnh Lâm Đồng"


def pdf(text="Bao cao tinh hinh kinh te - xa hoi"):
    """A one-page PDF 1.4 with a text line in Helvetica and a correct xref table."""
    stream = f"BT /F1 14 Tf 72 770 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def png(width=16, height=16):
    """An RGB PNG: a green-to-red gradient, with IHDR, IDAT and IEND."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    rows = b"".join(b"\0" + b"".join(bytes((x * 16, 255 - x * 16, y * 16))
                                     for x in range(width)) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
OOXML = "application/vnd.openxmlformats-officedocument."


def ooxml(main_part, parts):
    """An OOXML package: content types, the package relationship to `main_part`, and
    `parts` ({name: xml})."""
    overrides = "".join(f'<Override PartName="/{name}" ContentType="{kind}"/>'
                        for name, (kind, _) in parts.items())
    files = {
        "[Content_Types].xml": XML +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'{overrides}</Types>',
        "_rels/.rels": XML + f'<Relationships xmlns="{RELS_NS}"><Relationship Id="rId1" '
        f'Type="{OFFICE_DOC}" Target="{main_part}"/></Relationships>',
    }
    files.update({name: xml for name, (_, xml) in parts.items()})
    return files


def docx():
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = (f'<w:document xmlns:w="{w}"><w:body><w:p><w:r><w:t>{TITLE}</w:t></w:r></w:p>'
            '<w:p><w:r><w:t>Xã Tân Phú, Phường Bến Nghé</w:t></w:r></w:p></w:body>'
            '</w:document>')
    return ooxml("word/document.xml", {
        "word/document.xml": (OOXML + "wordprocessingml.document.main+xml", XML + body)})


def xlsx():
    s = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet_rel = r + "/worksheet"
    return ooxml("xl/workbook.xml", {
        "xl/workbook.xml": (OOXML + "spreadsheetml.sheet.main+xml", XML +
                            f'<workbook xmlns="{s}" xmlns:r="{r}"><sheets><sheet name="Xã" '
                            'sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": ("application/vnd.openxmlformats-package.relationships+xml",
                                       XML + f'<Relationships xmlns="{RELS_NS}"><Relationship '
                                       f'Id="rId1" Type="{sheet_rel}" '
                                       'Target="worksheets/sheet1.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": (OOXML + "spreadsheetml.worksheet+xml", XML +
                                     f'<worksheet xmlns="{s}"><sheetData><row r="1"><c r="A1" '
                                     f't="inlineStr"><is><t>{TITLE}</t></is></c></row>'
                                     '</sheetData></worksheet>'),
    })


def pptx():
    """The presentation part and one slide: enough for the package's structure (a
    presentation program also wants a master, a layout and a theme)."""
    p = "http://schemas.openxmlformats.org/presentationml/2006/main"
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    return ooxml("ppt/presentation.xml", {
        "ppt/presentation.xml": (OOXML + "presentationml.presentation.main+xml", XML +
                                 f'<p:presentation xmlns:p="{p}"><p:sldSz cx="9144000" '
                                 'cy="6858000"/></p:presentation>'),
        "ppt/slides/slide1.xml": (OOXML + "presentationml.slide+xml", XML +
                                  f'<p:sld xmlns:p="{p}" xmlns:a="{a}"><p:cSld><p:spTree>'
                                  f'<p:sp><p:txBody><a:p><a:r><a:t>{TITLE}</a:t></a:r></a:p>'
                                  '</p:txBody></p:sp></p:spTree></p:cSld></p:sld>'),
    })


ODF = "application/vnd.oasis.opendocument."


def odf(kind, body):
    """An OpenDocument package: "mimetype" first and stored, the manifest, content.xml."""
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    draw = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
    manifest = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
    return {
        "mimetype": ODF + kind,
        "META-INF/manifest.xml": XML + f'<manifest:manifest xmlns:manifest="{manifest}" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        f'manifest:media-type="{ODF + kind}"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '</manifest:manifest>',
        "content.xml": XML + f'<office:document-content xmlns:office="{office}" '
        f'xmlns:text="{text}" xmlns:table="{table}" xmlns:draw="{draw}" office:version="1.2">'
        f'<office:body>{body}</office:body></office:document-content>',
    }


def zip_bytes(files, stored_first=None):
    with tempfile.TemporaryFile() as raw:
        with zipfile.ZipFile(raw, "w") as z:
            for name, data in files.items():
                method = zipfile.ZIP_STORED if name == stored_first else zipfile.ZIP_DEFLATED
                z.writestr(zipfile.ZipInfo(name, (2024, 5, 6, 8, 0, 0)), data,
                           compress_type=method)
        raw.seek(0)
        return raw.read()


def jpeg(folder):
    """Renders a small coloured square with Ghostscript."""
    ps = folder / "square.ps"
    ps.write_text("<< /PageSize [16 16] >> setpagedevice 0.2 0.6 0.3 setrgbcolor "
                  "0 0 16 16 rectfill showpage\n")
    out = folder / "out.jpg"
    subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=jpeg", "-r72",
                    "-dJPEGQ=60", f"-sOutputFile={out}", str(ps)], check=True)
    return out.read_bytes()


def webp(folder, png_bytes):
    src, out = folder / "in.png", folder / "out.webp"
    src.write_bytes(png_bytes)
    subprocess.run(["cwebp", "-quiet", "-lossless", str(src), "-o", str(out)], check=True)
    return out.read_bytes()


def main():
    target = Path(sys.argv[1] if len(sys.argv) > 1 else
                  Path(__file__).resolve().parents[1] / "tests/fuzz/corpus/filetype")
    target.mkdir(parents=True, exist_ok=True)
    text = odf("text", f"<office:text><text:p>{TITLE}</text:p></office:text>")
    samples = {
        "sample.pdf": pdf(),
        "sample.png": png(),
        "sample.docx": zip_bytes(docx()),
        "sample.xlsx": zip_bytes(xlsx()),
        "sample.pptx": zip_bytes(pptx()),
        "sample.odt": zip_bytes(text, "mimetype"),
        "sample.ods": zip_bytes(odf("spreadsheet", "<office:spreadsheet><table:table "
                                    'table:name="Xã"/></office:spreadsheet>'), "mimetype"),
        "sample.odp": zip_bytes(odf("presentation", "<office:presentation><draw:page "
                                    'draw:name="1"/></office:presentation>'), "mimetype"),
    }
    with tempfile.TemporaryDirectory() as scratch:
        samples["sample.jpg"] = jpeg(Path(scratch))
        samples["sample.webp"] = webp(Path(scratch), samples["sample.png"])
    docx_bytes = samples["sample.docx"]
    samples.update({
        # Refused: what people send by mistake, damaged files, look-alikes.
        "refused-exe-named.pdf": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" +
        bytes(48) + b"This program cannot be run in DOS mode.\r\r\n$" + bytes(64),
        "refused-text.pdf": "Biên bản cuộc họp — Xã Tân Phú\n".encode() * 20,
        "refused-cut.pdf": samples["sample.pdf"][:len(samples["sample.pdf"]) // 2],
        "refused-cut.docx": docx_bytes[:len(docx_bytes) - 30],
        "refused-cut.png": samples["sample.png"][:40],
        "refused-plain.zip": zip_bytes({"ghi-chu.txt": "không phải văn bản Office"}),
        "refused-graphics.odg": zip_bytes(odf("graphics", "<office:drawing/>"), "mimetype"),
        "refused-old-office.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        "refused-page.html": b"<!DOCTYPE html><html><body>Cau</body></html>\n",
        "refused-empty": b"",
    })
    for name, data in samples.items():
        (target / name).write_bytes(data)
    print(f"wrote {len(samples)} files to {target}")


if __name__ == "__main__":
    main()
